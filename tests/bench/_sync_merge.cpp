// Funnel — benchmark of the team sync merge (scripts/bench sync): two replicas of a demo
// document diverge (each edits, adds and removes deals, some of the same fields), then
// merge(A, B) is timed. Prints "sync.merge_ms.funnel.<n> <ms> ms" for n = 1k, 10k, 100k deals.
// Native, optimised build of app/core (tests/bench/sync.sh compiles it). The figure is the
// process CPU time of the merge, which a machine shared with other builds disturbs far less
// than wall time (printed on stderr beside it).
// Built with em++ (target funnel_sync_merge_bench of the web CMake tree) and run by node, the
// figure is node's process CPU time (process.cpuUsage()). `--impl NAME` names the figures
// sync.merge_ms.NAME.<n> (tests/bench/sync.sh: "funnel" for wasm, "funnel_native" natively).
// `--export DIR` writes the three documents of each size (DIR/<n>.base.json, .a.json, .b.json)
// and exits: tests/bench/_sync_crdt.mjs merges the same data with automerge and yjs.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <string>
#include <vector>

#include "core/demo.h"
#include "core/merge.h"

#ifdef __EMSCRIPTEN__
#include <emscripten.h>
// Node's process CPU time (user + system), the wasm counterpart of CLOCK_PROCESS_CPUTIME_ID.
EM_JS(double, nodeCpuMs, (), {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
});
#endif

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

bool writeFile(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    return bool(out);
}

double cpuMs() {
#ifdef __EMSCRIPTEN__
    return nodeCpuMs();
#else
    timespec c{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c);
    return double(c.tv_sec) * 1e3 + double(c.tv_nsec) / 1e6;
#endif
}
}  // namespace

int main(int argc, char** argv) {
    std::vector<int> sizes;
    std::string exportDir;
    std::string impl = "funnel";
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--export") && i + 1 < argc) exportDir = argv[++i];
        else if (!std::strcmp(argv[i], "--impl") && i + 1 < argc) impl = argv[++i];
        else sizes.push_back(std::atoi(argv[i]));
    }
    if (sizes.empty()) sizes = {1000, 10000, 100000};
    for (int n : sizes) {
        const Document base = makeDemoDocument(7, n, kNow, "");
        Document a = base, b = base;
        SyncState sa, sb;
        Clock ca("00000000000000aa"), cb("00000000000000bb");
        diverge(a, sa, ca, 0, kNow + 1000);
        diverge(b, sb, cb, 1, kNow + 2000);
        if (!exportDir.empty()) {
            const std::string stem = exportDir + "/" + std::to_string(n);
            if (!writeFile(stem + ".base.json", encodeDocumentText(base)) || !writeFile(stem + ".a.json", encodeDocumentText(a)) ||
                !writeFile(stem + ".b.json", encodeDocumentText(b))) {
                std::fprintf(stderr, "cannot write %s.*.json\n", stem.c_str());
                return 1;
            }
            continue;
        }
        const int runs = n >= 100000 ? 1 : 3;
        std::vector<double> ms;
        int changed = 0;
        double wall = 0;
        for (int r = 0; r < runs; ++r) {
            const double c0 = cpuMs();
            const auto t0 = std::chrono::steady_clock::now();
            MergeResult m = merge(a, sa, b, sb);
            const auto t1 = std::chrono::steady_clock::now();
            const double c1 = cpuMs();
            wall = std::chrono::duration<double, std::milli>(t1 - t0).count();
            if (!m.ok) {
                std::fprintf(stderr, "merge failed: %s\n", m.error.c_str());
                return 1;
            }
            changed = m.changedIn;
            ms.push_back(c1 - c0);
        }
        std::sort(ms.begin(), ms.end());
        std::printf("sync.merge_ms.%s.%d %.1f ms\n", impl.c_str(), n, ms[ms.size() / 2]);
        std::fprintf(stderr, "  %d deals: %d records changed in, last run %.1f ms wall\n", n, changed, wall);
        std::fflush(stdout);
    }
    return 0;
}
