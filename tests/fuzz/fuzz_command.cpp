// Funnel — fuzz target: applyCommand on a demo document, the command being the input (what
// window.funnel.command and a journal segment hand in). The input is parsed with the codec's
// limits first, as the automation API does; a command either changes nothing and says why, or
// applies, and then its inverse must give the document back.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/codec.h"
#include "core/command.h"
#include "core/demo.h"

namespace {
constexpr funnel::Time kNow = 1'780'000'000'000;

const funnel::Document& demo() {
    static const funnel::Document d = funnel::makeDemoDocument(3, 8, kNow, "");
    return d;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    funnel::Limits limits;
    limits.maxBytes = 1 << 20;
    limits.maxStringLength = 1 << 16;
    limits.maxRecords = 1 << 14;
    if (!funnel::checkLimits(text, limits).empty()) return 0;
    const funnel::json command = funnel::json::parse(text, nullptr, false);
    if (command.is_discarded()) return 0;
    funnel::Document doc = demo();
    funnel::CommandContext ctx;
    ctx.now = kNow + 1000;
    ctx.actor = "m-fuzz";
    funnel::CommandResult r = funnel::applyCommand(doc, command, ctx);
    if (!r.ok) {
        if (!(doc == demo())) std::abort();  // a refused command changes nothing
        return 0;
    }
    funnel::CommandResult undo = funnel::applyCommand(doc, r.inverse, ctx);
    if (!undo.ok) std::abort();
    (void)funnel::dumpJson(r.applied);
    return 0;
}
