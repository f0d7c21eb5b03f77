// Funnel — what the model and the store cost in memory (issue #4: memory.wasm_heap_mb.100k). A
// counting operator new/delete follows the bytes the program holds (live) and the most it held
// at once (peak) — what sets the size of a WebAssembly heap, which never shrinks. For the demo
// documents (makeDemoDocument, as the board, codec and store benchmarks use) prints
//   memory.model_mb.<where>.<n>          the document in memory (a copy of it, counted exactly)
//   memory.bytes_per_<kind>.<where>.<n>  of that, per deal / customer / contact / activity / change
//   memory.load_peak_mb.<where>.<n>      the most held at once while Store::load() reads the store
//                                        holding that document (its result included)
//   memory.compact_peak_mb.<where>.<n>   the most held at once by Store::compact() beyond the
//                                        document it writes
//   memory.heap_mb.<where>.<n>           (wasm) the heap after a fresh process loaded the store:
//                                        what memory.wasm_heap_mb.<n> measures in Chromium
// MB = 2^20 bytes. <where> is "native" (64-bit: pointers and std::string are bigger) or "wasm"
// (the same file built by em++ with NODERAWFS, run by node: tests/bench/heap.sh).
//   funnel_heap_bench <dir> [1k 10k 100k]       all figures but heap_mb
//   funnel_heap_bench --load <dir> <label>      load the store in <dir>/<label>, print heap_mb
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <vector>

#ifdef __EMSCRIPTEN__
#include <emscripten/heap.h>
#endif

#include "core/demo.h"
#include "platform/store.h"

// [SECTION] Counting allocator

namespace {
std::size_t g_live = 0;
std::size_t g_peak = 0;
constexpr std::size_t kPrefix = 16;  // keeps the alignment malloc gives

void* counted(std::size_t n) {
    void* p = std::malloc(n + kPrefix);
    if (!p) return nullptr;
    *static_cast<std::size_t*>(p) = n;
    g_live += n;
    if (g_live > g_peak) g_peak = g_live;
    return static_cast<char*>(p) + kPrefix;
}
void uncounted(void* p) {
    if (!p) return;
    void* base = static_cast<char*>(p) - kPrefix;
    g_live -= *static_cast<std::size_t*>(base);
    std::free(base);
}
}  // namespace

void* operator new(std::size_t n) {
    if (void* p = counted(n)) return p;
    std::abort();  // built without exceptions in wasm; natively nothing here runs out
}
void* operator new[](std::size_t n) { return operator new(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept { return counted(n); }
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept { return counted(n); }
void operator delete(void* p) noexcept { uncounted(p); }
void operator delete[](void* p) noexcept { uncounted(p); }
void operator delete(void* p, std::size_t) noexcept { uncounted(p); }
void operator delete[](void* p, std::size_t) noexcept { uncounted(p); }

using namespace funnel;

namespace {

#ifdef __EMSCRIPTEN__
constexpr const char* kWhere = "wasm";
#else
constexpr const char* kWhere = "native";
#endif
constexpr Time kNow = 1764288000000;  // as the codec benchmark
constexpr double kMb = 1048576.0;

struct Size {
    const char* name;
    int deals;
};
constexpr Size kSizes[] = {{"1k", 1000}, {"10k", 10000}, {"100k", 100000}};

template <class T>
std::size_t costOf(const T& value) {
    const std::size_t before = g_live;
    T* copy = new T(value);
    const std::size_t bytes = g_live - before;
    delete copy;
    return bytes;
}

void perRecord(const char* kind, std::size_t bytes, std::size_t count, const char* label) {
    if (count) std::printf("memory.bytes_per_%s.%s.%s %.0f B\n", kind, kWhere, label, double(bytes) / double(count));
}

int run(const std::string& root, const Size& size) {
    const std::string dir = root + "/" + size.name;
    Document doc = makeDemoDocument(42, size.deals, kNow, "");
    std::printf("memory.model_mb.%s.%s %.1f MB\n", kWhere, size.name, double(costOf(doc)) / kMb);
    perRecord("deal", costOf(doc.deals), doc.deals.size(), size.name);
    perRecord("customer", costOf(doc.customers), doc.customers.size(), size.name);
    perRecord("contact", costOf(doc.contacts), doc.contacts.size(), size.name);
    perRecord("activity", costOf(doc.activities), doc.activities.size(), size.name);
    perRecord("change", costOf(doc.changes), doc.changes.size(), size.name);
    std::fflush(stdout);

    store::Options opt;
    opt.fsync = false;
    {
        std::string rm = "rm -rf '" + dir + "'";
        if (std::system(rm.c_str()) != 0) return 1;
        store::Store s(dir, opt);
        s.load();
        if (auto err = s.reset(doc); !err.empty()) {
            std::fprintf(stderr, "heap bench: reset: %s\n", err.c_str());
            return 1;
        }
    }
    {
        const std::size_t base = g_live;
        g_peak = g_live;
        store::Store s(dir, opt);
        store::LoadResult r = s.load();
        if (r.kind != store::LoadResult::Kind::Loaded || r.document->deals.size() != doc.deals.size()) {
            std::fprintf(stderr, "heap bench: load: %s\n", r.error.c_str());
            return 1;
        }
        std::printf("memory.load_peak_mb.%s.%s %.1f MB\n", kWhere, size.name, double(g_peak - base) / kMb);
        // A compaction of the loaded document: one journal segment first, so there is one to do.
        if (auto err = s.append({json{{"op", "noop"}}}); !err.empty()) {
            std::fprintf(stderr, "heap bench: append: %s\n", err.c_str());
            return 1;
        }
        const std::size_t held = g_live;
        g_peak = g_live;
        if (auto err = s.compact(*r.document); !err.empty()) {
            std::fprintf(stderr, "heap bench: compact: %s\n", err.c_str());
            return 1;
        }
        std::printf("memory.compact_peak_mb.%s.%s %.1f MB\n", kWhere, size.name, double(g_peak - held) / kMb);
    }
    std::fflush(stdout);
    return 0;
}

// A fresh process that only loads the store: its heap is what a page opening it would need.
int loadOnly(const std::string& root, const std::string& label) {
    store::Options opt;
    opt.fsync = false;
    store::Store s(root + "/" + label, opt);
    const std::size_t base = g_live;
    g_peak = g_live;
    store::LoadResult r = s.load();
    if (r.kind != store::LoadResult::Kind::Loaded) {
        std::fprintf(stderr, "heap bench: load: %s\n", r.error.c_str());
        return 1;
    }
#ifdef __EMSCRIPTEN__
    std::printf("memory.heap_mb.%s.%s %.1f MB\n", kWhere, label.c_str(), double(emscripten_get_heap_size()) / kMb);
#endif
    std::printf("memory.fresh_load_peak_mb.%s.%s %.1f MB\n", kWhere, label.c_str(), double(g_peak - base) / kMb);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc >= 4 && std::strcmp(argv[1], "--load") == 0) return loadOnly(argv[2], argv[3]);
    if (argc < 2) {
        std::fprintf(stderr, "usage: funnel_heap_bench <dir> [1k 10k 100k] | --load <dir> <label>\n");
        return 2;
    }
    const std::string root = argv[1];
    std::vector<std::string> wanted(argv + 2, argv + argc);
    for (const Size& s : kSizes) {
        bool want = wanted.empty();
        for (const auto& w : wanted) want = want || w == s.name;
        if (want && run(root, s) != 0) return 1;
    }
    return 0;
}
