// Funnel — fuzz target: the importer's reading of a list file (encoding detection by uchardet,
// conversion, the CSV reader, header mapping) and the plan it makes against a demo document.
// The first input byte picks the encoding the user chose (or none: detected); the rest is the
// file. Never crashes; a prepared file's rows all fit its header's limits, and a plan's command
// (when there is one) applies to the document and its inverse gives the document back.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string_view>

#include "core/command.h"
#include "core/demo.h"
#include "core/import.h"

namespace {
constexpr funnel::Time kNow = 1'780'000'000'000;

const funnel::Document& demo() {
    static const funnel::Document d = funnel::makeDemoDocument(5, 6, kNow, "");
    return d;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    namespace imp = funnel::importer;
    namespace text = funnel::text;
    const std::size_t pick = data[0] % (std::size(text::kEncodings) + 1);
    const std::optional<text::Encoding> chosen =
        pick == 0 ? std::nullopt : std::optional<text::Encoding>(text::kEncodings[pick - 1]);
    const std::string_view bytes(reinterpret_cast<const char*>(data + 1), size - 1);
    const imp::Prepared file = imp::prepareImport(bytes, chosen, text::Encoding::GB18030);
    if (!file.ok()) return 0;
    if (file.rows.size() > imp::kMaxImportRows) std::abort();
    imp::Options options;
    options.duplicates = data[0] & 0x80 ? imp::Duplicates::Create : imp::Duplicates::Merge;
    options.keepUnmapped = (data[0] & 0x40) != 0;
    const imp::Plan plan = imp::planImport(demo(), file, options, kNow + 1000, "m-me");
    if (plan.command.is_null()) return 0;
    funnel::Document doc = demo();
    funnel::CommandContext ctx;
    ctx.now = kNow + 2000;
    ctx.actor = "m-me";
    const funnel::CommandResult r = funnel::applyCommand(doc, plan.command, ctx);
    if (!r.ok) std::abort();  // the importer's own command must apply
    const funnel::CommandResult undo = funnel::applyCommand(doc, r.inverse, ctx);
    if (!undo.ok || !(doc == demo())) std::abort();  // one undo removes the whole import
    return 0;
}
