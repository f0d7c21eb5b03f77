// Funnel — how long one report takes (core/report.h computeReport: every figure of the Reports
// screen with the deal ids behind them, for one choice) on the demo documents:
//   reports.compute_ms.<where>.<n>   the team, this year, the default pipeline (the widest choice:
//                                    every period figure has the most to count); median CPU ms
// <where> is "native" (g++) or "wasm" (the same file built by em++ and run by node:
// tests/bench/reports.sh). CPU time of the process, not the wall clock (a shared machine).
//   funnel_report_bench [1k 10k 100k]
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <vector>

#ifdef __EMSCRIPTEN__
#include <emscripten.h>
#endif

#include "core/demo.h"
#include "core/report.h"

using namespace funnel;

namespace {

#ifdef __EMSCRIPTEN__
constexpr const char* kWhere = "wasm";
// clang-format off
EM_JS(double, cpuSeconds, (), {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
});
// clang-format on
#else
constexpr const char* kWhere = "native";
double cpuSeconds() {
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return double(t.tv_sec) + double(t.tv_nsec) / 1e9;
}
#endif

constexpr Time kNow = 1764288000000;  // 2025-11-28: the demo's dates hang off it

struct Size {
    const char* name;
    int deals;
    int runs;
};

bool run(const Size& size) {
    const Document doc = makeDemoDocument(42, size.deals, kNow, "");
    ReportChoice choice;
    choice.period = ReportPeriod::ThisYear;
    choice.owner = "team";
    std::vector<double> ms;
    std::size_t check = 0;
    for (int i = 0; i < size.runs + 1; ++i) {
        const double t0 = cpuSeconds();
        const Report r = computeReport(doc, choice, kNow, 480);
        const double t = (cpuSeconds() - t0) * 1000.0;
        if (i > 0) ms.push_back(t);  // the first run warms the allocator
        check += std::size_t(r.funnel.count + r.progress.created + r.outcomes.won);
    }
    if (check == 0) {
        std::fprintf(stderr, "report bench: the %s demo gave an empty report\n", size.name);
        return false;
    }
    std::sort(ms.begin(), ms.end());
    std::printf("reports.compute_ms.%s.%s %.2f ms\n", kWhere, size.name, ms[ms.size() / 2]);
    std::fflush(stdout);
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    const Size all[] = {{"1k", 1000, 15}, {"10k", 10000, 9}, {"100k", 100000, 5}};
    for (const Size& s : all) {
        bool wanted = argc == 1;
        for (int i = 1; i < argc; ++i) wanted |= std::strcmp(argv[i], s.name) == 0;
        if (wanted && !run(s)) return 1;
    }
    return 0;
}
