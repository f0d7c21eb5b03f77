// Benchmark of the durable store on disk (native): for the 1k / 10k / 100k-deal demo documents
// (makeDemoDocument, the same ones as in the browser) prints
//   store.load_ms.native.<n>     open the store (snapshot + journal) until the document is in memory
//   store.edit_ms.native.<n>     one edit until its journal segment is fsync'ed (median of 50)
//   store.append_ms.native.<n>   the store's part of that: write + fsync one segment
//   store.compact_ms.native.<n>  one compaction (encode + write + fsync the snapshot)
//   sync.stamp_ms.<n>            one edit through Workspace::perform: applied and stamped for team
//                                sync (only the touched records are compared; median of 50)
//   store.stamped_edit_ms.native.<n>  that edit until its segment (stamps included) is fsync'ed
// as "name value unit" lines (tests/bench/store.sh hands them to scripts/bench). The browser's
// figures (store.*.wasm.<n>, IndexedDB) come from tests/bench/store.mjs.
// Usage: funnel_store_bench [dir]
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "core/codec.h"
#include "core/command.h"
#include "core/demo.h"
#include "core/workspace.h"
#include "platform/store.h"

using namespace funnel;
namespace fs = std::filesystem;

namespace {

constexpr Time kNow = 1'780'000'000'000;

double msSince(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
    const fs::path root = argc > 1 ? fs::path(argv[1]) : fs::temp_directory_path() / "funnel-store-bench";
    for (auto [label, deals] : {std::pair{"1k", 1000}, std::pair{"10k", 10000}, std::pair{"100k", 100000}}) {
        const fs::path dir = root / label;
        std::error_code ec;
        fs::remove_all(dir, ec);
        Document live = makeDemoDocument(42, deals, kNow, "");
        {
            store::Store s(dir.string());
            s.load();
            if (auto err = s.reset(live); !err.empty()) {
                std::fprintf(stderr, "reset: %s\n", err.c_str());
                return 1;
            }
        }
        store::Options opt;
        opt.compactSegments = 100000;     // measure the edit path alone
        opt.compactMinBytes = std::size_t(1) << 40;
        store::Store s(dir.string(), opt);
        auto t0 = std::chrono::steady_clock::now();
        auto r = s.load();
        const double loadMs = msSince(t0);
        if (r.kind != store::LoadResult::Kind::Loaded) {
            std::fprintf(stderr, "load: %s\n", r.error.c_str());
            return 1;
        }
        // The snapshot just written may still be on its way to disk; an fsync would wait for it.
        ::sync();
        std::vector<double> edits, appends;
        CommandContext ctx;
        for (int i = 0; i < 50; ++i) {
            ctx.now = kNow + i;
            t0 = std::chrono::steady_clock::now();
            const Id& id = live.deals[static_cast<std::size_t>((i * 7919) % deals)].id;
            CommandResult cr = applyCommand(live, {{"op", "deal.set"}, {"id", id}, {"field", "title"}, {"value", "Edit " + std::to_string(i)}}, ctx);
            if (!cr.ok) {
                std::fprintf(stderr, "edit: %s\n", cr.error.c_str());
                return 1;
            }
            const auto a0 = std::chrono::steady_clock::now();
            if (auto err = s.append({cr.applied}); !err.empty()) {
                std::fprintf(stderr, "append: %s\n", err.c_str());
                return 1;
            }
            appends.push_back(msSince(a0));
            edits.push_back(msSince(t0));
        }
        std::sort(edits.begin(), edits.end());
        std::sort(appends.begin(), appends.end());
        t0 = std::chrono::steady_clock::now();
        if (auto err = s.compact(live); !err.empty()) {
            std::fprintf(stderr, "compact: %s\n", err.c_str());
            return 1;
        }
        const double compactMs = msSince(t0);
        // The same edit as the app makes it: through the workspace, stamped for team sync.
        std::vector<double> stamps, stampedEdits;
        {
            Workspace ws(std::move(live));
            ws.setReplica("0123456789abcdef");
            for (int i = 0; i < 50; ++i) {
                ctx.now = kNow + 1000 + i;
                t0 = std::chrono::steady_clock::now();
                const Id id = ws.document().deals[static_cast<std::size_t>((i * 104729) % deals)].id;
                CommandResult cr = ws.perform({{"op", "deal.set"}, {"id", id}, {"field", "title"}, {"value", "Stamped " + std::to_string(i)}}, ctx);
                if (!cr.ok || !cr.applied.contains("~sync")) {
                    std::fprintf(stderr, "stamped edit: %s\n", cr.error.c_str());
                    return 1;
                }
                stamps.push_back(msSince(t0));
                if (auto err = s.append(ws.takeUnsaved()); !err.empty()) {
                    std::fprintf(stderr, "append: %s\n", err.c_str());
                    return 1;
                }
                stampedEdits.push_back(msSince(t0));
            }
        }
        std::sort(stamps.begin(), stamps.end());
        std::sort(stampedEdits.begin(), stampedEdits.end());
        std::printf("store.load_ms.native.%s %.2f ms\n", label, loadMs);
        std::printf("store.edit_ms.native.%s %.3f ms\n", label, edits[edits.size() / 2]);
        std::printf("store.append_ms.native.%s %.3f ms\n", label, appends[appends.size() / 2]);
        std::printf("store.compact_ms.native.%s %.2f ms\n", label, compactMs);
        std::printf("sync.stamp_ms.%s %.3f ms\n", label, stamps[stamps.size() / 2]);
        std::printf("store.stamped_edit_ms.native.%s %.3f ms\n", label, stampedEdits[stampedEdits.size() / 2]);
        std::fflush(stdout);
        fs::remove_all(dir, ec);
    }
    return 0;
}
