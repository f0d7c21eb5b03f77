// Funnel — data in and out as the user and window.funnel see it: an import from a file's bytes
// (preview, or the whole import as one undoable command) and an export, with every message in
// the user's language. The parsing and the records are core/import.h; the view is data_view.*;
// the browser's file picking, drops and downloads are app/platform/web/data.cpp.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/import.h"
#include "core/workspace.h"

namespace funnel::ui {

// What window.funnel.importFile takes besides the bytes: {encoding?, duplicates?
// ("merge"|"skip"|"create"), mapping? ([fieldKey per column]), keepUnmapped?, preview?, name?}.
struct ImportRequest {
    std::optional<text::Encoding> encoding;
    importer::Options options;
    bool preview = false;
    std::string error;  // "" when the request itself made sense
};
ImportRequest importRequestFrom(const json& options);

// The message for a file refused as a whole, in `lang`.
std::string importErrorText(const importer::Prepared& file, const std::string& lang);
// "no stage named "X"" etc. for a rejected or skipped row.
std::string rowReasonText(const importer::RowResult& row, const std::string& lang);

// Prepares and (unless preview) performs the import through the workspace, as one command.
// Returns window.funnel.importFile's answer: {ok, encoding, delimiter, created, merged, skipped,
// rejected: [{line, reason}], …} or, with preview, {ok, preview: true, encoding, header, mapping,
// rows (first 20), duplicates: [{line, of}]}; {ok: false, error, message} for a refused file.
json importFile(Workspace& ws, std::string_view bytes, const ImportRequest& request, const std::string& lang,
                const CommandContext& ctx);

// "3 created, 1 merged, 0 skipped, 2 rejected. Line 4: … Undo removes the whole import."
std::string importReportText(const json& answer, const std::string& lang);

// window.funnel.exportFile(kind, {encoding}): kind "customers" | "contacts" | "deals" |
// "activities" (CSV), "vcard" (contacts.vcf), "backup" (the workspace, .funnel.json). `bytes`
// is exactly what a download holds; ok false with `error` for an unknown kind or encoding.
struct ExportResult {
    bool ok = false;
    std::string error;
    std::string name, mime, bytes;
    std::size_t replaced = 0;
};
ExportResult exportFile(const Document& doc, std::string_view kind, const json& options,
                        const std::string& lang, const std::vector<Id>* dealIds = nullptr);

// A backup's contents without touching anything: {ok, customers, contacts, deals, activities}
// or {ok: false, error}. restoreBackup performs document.replace (one undoable step).
json inspectBackup(std::string_view bytes);
CommandResult restoreBackup(Workspace& ws, std::string_view bytes, const CommandContext& ctx);

}  // namespace funnel::ui
