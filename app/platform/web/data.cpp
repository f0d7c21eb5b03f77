// Funnel — data in and out in the browser: window.funnel.importFile / exportFile / restoreFile
// and a list file dropped on the page (downloads are share.h's downloadFile). What an import does
// is ui/data_io.h; this file moves bytes between the page and it.
#include <string>
#include <string_view>

#include <emscripten.h>

#include "core/codec.h"
#include "platform/web/data.h"
#include "platform/web/share.h"
#include "platform/web/tab.h"
#include "ui/data_io.h"

namespace {

using funnel::json;

const char* reply(const json& j) {
    static std::string out;
    out = funnel::dumpJson(j);
    return out.c_str();
}

std::string base64(std::string_view in) {
    static const char* a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((in.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        const unsigned v =
            (unsigned char)in[i] << 16 | (unsigned char)in[i + 1] << 8 | (unsigned char)in[i + 2];
        out += a[v >> 18];
        out += a[(v >> 12) & 63];
        out += a[(v >> 6) & 63];
        out += a[v & 63];
    }
    if (i < in.size()) {
        const unsigned v =
            (unsigned char)in[i] << 16 | (i + 1 < in.size() ? (unsigned char)in[i + 1] << 8 : 0);
        out += a[v >> 18];
        out += a[(v >> 12) & 63];
        out += i + 1 < in.size() ? a[(v >> 6) & 63] : '=';
        out += '=';
    }
    return out;
}

std::string language() { return funnel::web::tab().app.language(); }

// Dropping a list (.csv .tsv .txt) on the page imports it. This listener runs in the capture phase,
// before share.cpp's, and leaves other files (a .funnel.json snapshot) to that one.
EM_JS(void, funnel_data_install_js, (), {
    if (Module.funnelData) return;
    const data = {
        heapU8: function() { return HEAPU8; },
        isList: function(name) {
            const n = String(name || "").toLowerCase();
            return n.endsWith(".csv") || n.endsWith(".tsv") || n.endsWith(".txt");
        },
        readFile: function(file) {
            if (!file) return;
            const give = function(bytes, code) {
                const n = bytes ? bytes.length : 0;
                const p = Module._malloc(n + 1);
                if (n) HEAPU8.set(bytes, p);
                const nameLen = lengthBytesUTF8(file.name) + 1;
                const np = Module._malloc(nameLen);
                stringToUTF8(file.name, np, nameLen);
                Module._funnel_data_dropped(p, n, np, code);
                Module._free(p);
                Module._free(np);
            };
            // Refused before it is read whole.
            if (file.size > 64 * 1024 * 1024) { give(null, 1); return; }
            file.arrayBuffer().then(function(buf) { give(new Uint8Array(buf), 0); }, function() { give(null, 2); });
        },
    };
    Module.funnelData = data;
    document.addEventListener("drop", function(e) {
        if (!e.dataTransfer || !e.dataTransfer.files || !e.dataTransfer.files.length) return;
        const f = e.dataTransfer.files[0];
        if (!data.isList(f.name)) return;
        e.preventDefault();
        e.stopImmediatePropagation();
        data.readFile(f);
    }, true);
});

}  // namespace

namespace funnel::web {

void installDataDrop() { funnel_data_install_js(); }

}  // namespace funnel::web

extern "C" {

// window.funnel.importFile: the bytes (base64-decoded by the page) and the options as JSON.
EMSCRIPTEN_KEEPALIVE const char* funnel_api_import_file(const char* bytes, int size,
                                                        const char* optionsText) {
    const json options = json::parse(optionsText, nullptr, false);
    funnel::web::Tab& t = funnel::web::tab();
    const funnel::ui::ImportRequest request =
        funnel::ui::importRequestFrom(options.is_discarded() ? json() : options);
    json out = funnel::ui::importFile(t.workspace, std::string_view(bytes, std::size_t(size)), request,
                                      language(), funnel::web::commandContext());
    funnel::web::wake();
    return reply(out);
}

// window.funnel.exportFile(kind, {encoding, download}): {ok, name, mime, base64, replaced}; with
// download the same bytes are also offered as the browser's download.
EMSCRIPTEN_KEEPALIVE const char* funnel_api_export_file(const char* kind, const char* optionsText) {
    const json options = json::parse(optionsText, nullptr, false);
    const funnel::ui::ExportResult r = funnel::ui::exportFile(
        funnel::web::tab().workspace.document(), kind, options.is_discarded() ? json() : options, language());
    if (!r.ok) return reply(json{{"ok", false}, {"error", r.error}});
    if (options.is_object() && options.value("download", false))
        funnel::web::downloadFile(r.name, r.mime, r.bytes);
    return reply(json{{"ok", true},
                      {"name", r.name},
                      {"mime", r.mime},
                      {"base64", base64(r.bytes)},
                      {"replaced", r.replaced}});
}

// window.funnel.restoreFile({base64, inspect?}): what a backup holds, or the workspace replaced by it.
EMSCRIPTEN_KEEPALIVE const char* funnel_api_restore_file(const char* bytes, int size,
                                                         const char* optionsText) {
    const json options = json::parse(optionsText, nullptr, false);
    const std::string_view text(bytes, std::size_t(size));
    json inspected = funnel::ui::inspectBackup(text);
    if (!inspected.value("ok", false) || (options.is_object() && options.value("inspect", false)))
        return reply(inspected);
    const funnel::CommandResult r =
        funnel::ui::restoreBackup(funnel::web::tab().workspace, text, funnel::web::commandContext());
    funnel::web::wake();
    if (!r.ok) return reply(json{{"ok", false}, {"error", r.error}});
    return reply(inspected);
}

// A list dropped on the page: imported as window.funnel.importFile does with its defaults
// (detected encoding and mapping, duplicates merged); the report is the page's notice.
EMSCRIPTEN_KEEPALIVE void funnel_data_dropped(const char* bytes, int size, const char* name, int code) {
    funnel::web::Tab& t = funnel::web::tab();
    const std::string lang = language();
    if (code == 1) {
        funnel::importer::Prepared big;
        big.error = funnel::importer::FileError::TooBig;
        big.errorDetail = std::to_string(funnel::importer::kMaxImportBytes >> 20);
        t.app.setNotice(funnel::ui::importErrorText(big, lang));
    } else if (code == 0 && !t.workspace.readOnly()) {
        funnel::ui::ImportRequest request;
        request.options.fileName = name;
        const json out = funnel::ui::importFile(t.workspace, std::string_view(bytes, std::size_t(size)),
                                                request, lang, funnel::web::commandContext());
        t.app.setNotice(out.value("ok", false) ? funnel::ui::importReportText(out, lang)
                                               : out.value("message", ""));
    }
    funnel::web::persistUnsaved();
    funnel::web::wake();
}

}  // extern "C"
