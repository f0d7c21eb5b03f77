// Funnel — data in and out (see data_io.h).
#include "ui/data_io.h"

#include <algorithm>
#include <cstdio>

#include "core/codec.h"
#include "ui/strings.h"

namespace funnel::ui {

namespace {

std::string format(const char* pattern, const std::string& a) {
    std::string out(std::string(pattern).size() + a.size() + 16, '\0');
    const int n = std::snprintf(out.data(), out.size(), pattern, a.c_str());
    out.resize(n > 0 ? std::size_t(n) : 0);
    return out;
}

std::string format(const char* pattern, int a, const std::string& b = "") {
    std::string out(std::string(pattern).size() + b.size() + 32, '\0');
    const int n = std::snprintf(out.data(), out.size(), pattern, a, b.c_str());
    out.resize(n > 0 ? std::size_t(n) : 0);
    return out;
}

}  // namespace

ImportRequest importRequestFrom(const json& o) {
    ImportRequest r;
    if (!o.is_object()) return r;
    if (auto e = o.find("encoding"); e != o.end() && e->is_string() && !e->get<std::string>().empty()) {
        r.encoding = text::encodingNamed(e->get<std::string>());
        if (!r.encoding) r.error = "encoding: unknown (" + e->get<std::string>() + ")";
    }
    if (auto d = o.find("duplicates"); d != o.end() && d->is_string()) {
        if (auto v = importer::duplicatesFromKey(d->get<std::string>()))
            r.options.duplicates = *v;
        else
            r.error = "duplicates: expected merge, skip or create";
    }
    if (auto m = o.find("mapping"); m != o.end() && m->is_array()) {
        for (const json& f : *m) {
            auto field = f.is_string() ? importer::fieldFromKey(f.get<std::string>()) : std::nullopt;
            if (!field) {
                r.error = "mapping: unknown field " + f.dump();
                break;
            }
            r.options.mapping.push_back(*field);
        }
    }
    r.options.keepUnmapped = o.value("keepUnmapped", false);
    r.preview = o.value("preview", false);
    r.options.fileName = o.value("name", "");
    r.options.pipelineId = o.value("pipelineId", "");
    return r;
}

std::string importErrorText(const importer::Prepared& f, const std::string& lang) {
    using importer::FileError;
    const char* pattern = tr(importer::fileErrorKey(f.error), lang);
    switch (f.error) {
        case FileError::TooBig:
        case FileError::TooManyRows: return format(pattern, f.errorDetail);
        case FileError::BadEncoding: return format(pattern, f.errorLine, f.errorDetail);
        case FileError::UnterminatedQuote: return format(pattern, f.errorLine);
        default: return pattern;
    }
}

std::string rowReasonText(const importer::RowResult& row, const std::string& lang) {
    if (row.reason == importer::Reason::None) return "";
    const char* pattern = tr(importer::reasonKey(row.reason), lang);
    if (row.reason == importer::Reason::NoName) return pattern;
    return format(pattern, row.detail);
}

json importFile(Workspace& ws, std::string_view bytes, const ImportRequest& request, const std::string& lang,
                const CommandContext& ctx) {
    if (!request.error.empty()) return json{{"ok", false}, {"error", "request"}, {"message", request.error}};
    const importer::Prepared file =
        importer::prepareImport(bytes, request.encoding, importer::legacyEncodingFor(lang));
    if (!file.ok())
        return json{{"ok", false},
                    {"error", importer::fileErrorKey(file.error)},
                    {"line", file.errorLine},
                    {"message", importErrorText(file, lang)}};
    importer::Options options = request.options;
    if (options.mapping.empty()) options.mapping = file.mapping;
    options.mapping.resize(file.header.size(), importer::Field::None);
    const bool named = std::any_of(options.mapping.begin(), options.mapping.end(), [](importer::Field f) {
        return f == importer::Field::CustomerName || f == importer::Field::ContactName;
    });
    json mapping = json::array();
    for (importer::Field f : options.mapping) mapping.push_back(importer::fieldKey(f));
    json out = {{"ok", true},
                {"encoding", text::name(file.encoding)},
                {"delimiter", std::string(1, file.delimiter)},
                {"header", file.header},
                {"mapping", mapping},
                {"rowCount", file.rows.size()}};
    if (!named) {
        importer::Prepared e;
        e.error = importer::FileError::NoNameColumn;
        out["ok"] = false;
        out["error"] = importer::fileErrorKey(e.error);
        out["message"] = importErrorText(e, lang);
        if (!request.preview) return out;
    }
    const importer::Plan plan = importer::planImport(ws.document(), file, options, ctx.now, ctx.actor);
    if (request.preview) {
        out["preview"] = true;
        json rows = json::array();
        for (std::size_t i = 0; i < file.rows.size() && i < 20; ++i) rows.push_back(file.rows[i].fields);
        out["rows"] = rows;
        json dups = json::array();
        for (const auto& r : plan.rows)
            if (!r.duplicateOf.empty()) dups.push_back({{"line", r.line}, {"of", r.duplicateOf}});
        out["duplicates"] = dups;
    }
    out["created"] = plan.created;
    out["merged"] = plan.merged;
    out["skipped"] = plan.skipped;
    json rejected = json::array();
    for (const auto& r : plan.rows)
        if (r.outcome == importer::Outcome::Rejected)
            rejected.push_back({{"line", r.line},
                                {"reason", rowReasonText(r, lang)},
                                {"code", importer::reasonKey(r.reason)}});
    out["rejected"] = rejected;
    if (request.preview || !named) return out;
    if (!plan.command.is_null()) {
        const CommandResult r = ws.perform(plan.command, ctx);
        if (!r.ok) return json{{"ok", false}, {"error", "command"}, {"message", r.error}};
    }
    out["customers"] = plan.customers;
    out["contacts"] = plan.contacts;
    out["deals"] = plan.deals;
    return out;
}

std::string importReportText(const json& a, const std::string& lang) {
    char head[512];
    std::snprintf(head, sizeof head, tr("import.report", lang), a.value("created", 0), a.value("merged", 0),
                  a.value("skipped", 0), a.contains("rejected") ? int(a["rejected"].size()) : 0);
    std::string out = head;
    int shown = 0;
    if (a.contains("rejected"))
        for (const json& r : a["rejected"]) {
            if (++shown > 3) break;
            out += " " + format(tr("import.rejected_row", lang), r.value("line", 0), r.value("reason", ""));
        }
    out += " ";
    out += tr("import.undo_hint", lang);
    return out;
}

ExportResult exportFile(const Document& doc, std::string_view kind, const json& options,
                        const std::string& lang, const std::vector<Id>* dealIds) {
    ExportResult r;
    importer::ExportOptions eo;
    eo.lang = lang;
    eo.dealIds = dealIds;
    if (options.is_object()) {
        if (auto e = options.find("encoding"); e != options.end() && e->is_string()) {
            auto enc = text::encodingNamed(e->get<std::string>());
            if (!enc) {
                r.error = "encoding: unknown (" + e->get<std::string>() + ")";
                return r;
            }
            eo.encoding = *enc;
        }
        eo.bom = options.value("bom", true);
        if (auto l = options.find("lang"); l != options.end() && l->is_string())
            eo.lang = l->get<std::string>();
    }
    if (kind == "backup") {
        r.ok = true;
        r.name = "funnel-backup.funnel.json";
        r.mime = "application/json";
        r.bytes = encodeDocumentText(doc);
        return r;
    }
    if (kind == "vcard" || kind == "contacts.vcf") {
        r.ok = true;
        r.name = "contacts.vcf";
        r.mime = "text/vcard";
        r.bytes = importer::exportVCard(doc);
        return r;
    }
    std::string k(kind);
    if (k.size() > 4 && k.compare(k.size() - 4, 4, ".csv") == 0) k.resize(k.size() - 4);
    const auto which = importer::exportKindFromKey(k);
    if (!which) {
        r.error = "kind: expected customers, contacts, deals, activities, vcard or backup";
        return r;
    }
    importer::Exported e = importer::exportCsv(doc, *which, eo);
    if (!e.ok) {
        r.error = std::string("encoding: ") + text::name(eo.encoding) + " cannot be written by this build";
        return r;
    }
    r.ok = true;
    r.name = e.fileName;
    r.mime = "text/csv";
    r.bytes = std::move(e.bytes);
    r.replaced = e.replaced;
    return r;
}

json inspectBackup(std::string_view bytes) {
    const DecodeResult d = decodeDocument(std::string(bytes));
    if (!d.ok) return json{{"ok", false}, {"error", d.error}};
    auto live = [](const auto& list) {
        int n = 0;
        for (const auto& r : list) n += r.deleted ? 0 : 1;
        return n;
    };
    return json{{"ok", true},
                {"customers", live(d.document.customers)},
                {"contacts", live(d.document.contacts)},
                {"deals", live(d.document.deals)},
                {"activities", live(d.document.activities)}};
}

CommandResult restoreBackup(Workspace& ws, std::string_view bytes, const CommandContext& ctx) {
    json cmd = json::object();
    cmd["op"] = "document.replace";
    cmd["text"] = std::string(bytes);
    return ws.perform(cmd, ctx);
}

}  // namespace funnel::ui
