// Funnel — benchmark of the team sync merge (scripts/bench sync): two replicas of a demo
// document diverge (each edits, adds and removes deals, some of the same fields), then
// merge(A, B) is timed. Prints "sync.merge_ms.funnel.<n> <ms> ms" for n = 1k, 10k, 100k deals.
// Native, optimised build of app/core (tests/bench/sync.sh compiles it). The figure is the
// process CPU time of the merge, which a machine shared with other builds disturbs far less
// than wall time (printed on stderr beside it).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <vector>

#include "core/demo.h"
#include "core/merge.h"

using namespace funnel;

namespace {
const Time kNow = 1'780'000'000'000;

// Edits about 2% of the deals (every 50th, offset by `phase`), adds 1% and removes 0.5%.
void diverge(Document& doc, SyncState& state, Clock& clock, int phase, Time at) {
    const Document before = doc;
    const std::size_t n = doc.deals.size();
    for (std::size_t i = std::size_t(phase); i < n; i += 50) {
        doc.deals[i].title += phase ? " (B)" : " (A)";
        doc.deals[i].value += 1000 + phase;
        doc.deals[i].key.budget = phase ? "revised by B" : "revised by A";
    }
    for (std::size_t i = 0; i < n / 100; ++i) {
        Deal d = doc.deals[i];
        d.id = (phase ? "b" : "a") + std::to_string(i);
        d.objections.clear();
        doc.deals.push_back(std::move(d));
    }
    std::vector<Deal> kept;
    for (std::size_t i = 0; i < doc.deals.size(); ++i)
        if (!(i % 200 == std::size_t(7 + phase) && i < n)) kept.push_back(std::move(doc.deals[i]));
    doc.deals = std::move(kept);
    stampChange(state, clock, before, doc, at);
}
}  // namespace

int main(int argc, char** argv) {
    std::vector<int> sizes = {1000, 10000, 100000};
    if (argc > 1) sizes = {std::atoi(argv[1])};
    for (int n : sizes) {
        const Document base = makeDemoDocument(7, n, kNow, "");
        Document a = base, b = base;
        SyncState sa, sb;
        Clock ca("00000000000000aa"), cb("00000000000000bb");
        diverge(a, sa, ca, 0, kNow + 1000);
        diverge(b, sb, cb, 1, kNow + 2000);
        const int runs = n >= 100000 ? 1 : 3;
        std::vector<double> ms;
        int changed = 0;
        double wall = 0;
        for (int r = 0; r < runs; ++r) {
            timespec c0{}, c1{};
            clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
            const auto t0 = std::chrono::steady_clock::now();
            MergeResult m = merge(a, sa, b, sb);
            const auto t1 = std::chrono::steady_clock::now();
            clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
            wall = std::chrono::duration<double, std::milli>(t1 - t0).count();
            if (!m.ok) {
                std::fprintf(stderr, "merge failed: %s\n", m.error.c_str());
                return 1;
            }
            changed = m.changedIn;
            ms.push_back(double(c1.tv_sec - c0.tv_sec) * 1e3 + double(c1.tv_nsec - c0.tv_nsec) / 1e6);
        }
        std::sort(ms.begin(), ms.end());
        std::printf("sync.merge_ms.funnel.%d %.1f ms\n", n, ms[ms.size() / 2]);
        std::fprintf(stderr, "  %d deals: %d records changed in, last run %.1f ms wall\n", n, changed, wall);
        std::fflush(stdout);
    }
    return 0;
}
