// Funnel — how fast the JSON document codec (app/core/codec.cpp) runs on the demo documents
// (makeDemoDocument, the same ones the board and store benchmarks use). For 1k / 10k / 100k deals:
//   codec.encode_mb_s.<where>.<n>   encodeDocumentText: document → compact UTF-8 text
//   codec.decode_mb_s.<where>.<n>   decodeDocument(text) with the default limits: text → document,
//                                   every field validated (what loading a store does)
//   codec.text_mb.<where>.<n>       the size of that text
// MB = 2^20 bytes of text; the median of several runs (fewer for bigger documents). <where> is
// "native" (g++) or "wasm" (the same file built by em++ and run by node: tests/bench/codec.sh).
// Time is the process's CPU time, not the wall clock: the machines these run on are shared, and
// a busy neighbour would otherwise halve the figures (node's process.cpuUsage() for wasm).
//   funnel_codec_bench [1k 10k 100k]
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#ifdef __EMSCRIPTEN__
#include <emscripten.h>
#endif

#include "core/codec.h"
#include "core/demo.h"

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

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

bool run(const Size& size) {
    const Document doc = makeDemoDocument(42, size.deals, kNow, "");
    std::string text = encodeDocumentText(doc);  // also warms up the allocator
    const double mb = double(text.size()) / double(1 << 20);

    std::vector<double> encode, decode;
    for (int i = 0; i < size.runs; ++i) {
        const double t0 = cpuSeconds();
        std::string again = encodeDocumentText(doc);
        encode.push_back(mb / (cpuSeconds() - t0));
        if (again != text) {
            std::fprintf(stderr, "codec bench: encoding %s twice gave different texts\n", size.name);
            return false;
        }
    }
    for (int i = 0; i < size.runs; ++i) {
        const double t0 = cpuSeconds();
        DecodeResult r = decodeDocument(std::string_view(text));
        const double s = cpuSeconds() - t0;
        if (!r.ok || r.document.deals.size() != doc.deals.size()) {
            std::fprintf(stderr, "codec bench: decoding %s failed: %s\n", size.name, r.error.c_str());
            return false;
        }
        decode.push_back(mb / s);
    }
    std::printf("codec.encode_mb_s.%s.%s %.1f MB/s\n", kWhere, size.name, median(encode));
    std::printf("codec.decode_mb_s.%s.%s %.1f MB/s\n", kWhere, size.name, median(decode));
    std::printf("codec.text_mb.%s.%s %.2f MB\n", kWhere, size.name, mb);
    std::fflush(stdout);
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    const Size all[] = {{"1k", 1000, 15}, {"10k", 10000, 7}, {"100k", 100000, 3}};
    for (const Size& s : all) {
        bool wanted = argc == 1;
        for (int i = 1; i < argc; ++i) wanted |= std::strcmp(argv[i], s.name) == 0;
        if (wanted && !run(s)) return 1;
    }
    return 0;
}
