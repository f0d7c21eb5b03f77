// Funnel — fuzz target: mergeRemoteText (a team file from anyone who can write it) against a
// fixed local document with sync state. A file that merges must leave a state whose stamps are
// all well formed and that merges with itself to the same bytes (idempotence).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/codec.h"
#include "core/demo.h"
#include "core/merge.h"

namespace {
constexpr funnel::Time kNow = 1'780'000'000'000;

struct Local {
    funnel::Document doc;
    funnel::SyncState state;
    Local() {
        doc = funnel::makeDemoDocument(7, 6, kNow, "en");
        funnel::Clock clock("00000000000000aa");
        funnel::Document before = doc;
        doc.deals[0].title = "edited";
        doc.deals.pop_back();
        funnel::stampChange(state, clock, before, doc, kNow);
    }
};

const Local& local() {
    static const Local l;
    return l;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    funnel::Limits limits;
    limits.maxBytes = 1 << 20;
    limits.maxStringLength = 1 << 16;
    limits.maxRecords = 1 << 14;
    const Local& l = local();
    funnel::MergeResult m = funnel::mergeRemoteText(l.doc, l.state, text, limits, kNow);
    if (!m.ok) return 0;
    for (const auto& [r, stamp] : m.state.replicas)
        if (!funnel::isStamp(stamp)) std::abort();
    funnel::MergeResult again = funnel::merge(m.doc, m.state, m.doc, m.state);
    if (!again.ok || funnel::canonicalText(again.doc, again.state) != funnel::canonicalText(m.doc, m.state)) std::abort();
    return 0;
}
