// Funnel — the board's frame CPU time while scrolling and dragging, natively (no GPU: the
// frame is NewFrame → App::draw → Render → applyFrame, which is all the CPU work of a frame
// but the GL calls). Prints "board.frame_p50_ms.native.<n> <ms> ms" and p95 for 1k/10k/100k.
//   funnel_board_bench [1k 10k 100k]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <imgui.h>

#include "core/demo.h"
#include "headless_app.h"

using namespace funnel;

namespace {

struct Sizes {
    const char* name;
    int deals;
};

double percentile(std::vector<double> v, double p) {
    std::sort(v.begin(), v.end());
    return v[static_cast<std::size_t>(p * static_cast<double>(v.size() - 1))];
}

void run(const Sizes& size) {
    const Time now = 1764288000000;
    test::HeadlessApp headless(makeDemoDocument(42, size.deals, now, ""), "en", ImVec2(1600, 900), now);
    ImGuiIO& io = ImGui::GetIO();
    ui::App& app = headless.app();
    std::vector<double> ms;
    auto frame = [&](bool measure) {
        auto t0 = std::chrono::steady_clock::now();
        headless.frame(now);
        double d = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        if (measure) ms.push_back(d);
    };
    for (int i = 0; i < 5; ++i) frame(false);  // warm up: first frames build the atlas and the columns
    int cards = 0;
    for (const auto& [key, rect] : app.itemRects().all()) cards += key.rfind("deal:", 0) == 0;
    if (cards == 0) {
        std::fprintf(stderr, "board bench: no card on the board with %d deals\n", size.deals);
        std::exit(1);
    }
    std::fprintf(stderr, "board bench: %d deals, %d cards drawn\n", size.deals, cards);

    // Scroll the second column down and up.
    const ImVec2 column(280 + 140, 500);
    io.AddMousePosEvent(column.x, column.y);
    // The cards drawn in that column: scrolling must change them, or this measures nothing.
    auto inColumn = [&] {
        std::vector<std::string> keys;
        for (const auto& [key, rect] : app.itemRects().all())
            if (key.rfind("deal:", 0) == 0 && rect.x <= column.x && rect.x + rect.w >= column.x) keys.push_back(key);
        std::sort(keys.begin(), keys.end());
        return keys;
    };
    const std::vector<std::string> top = inColumn();
    for (int i = 0; i < 200; ++i) {
        io.AddMouseWheelEvent(0, i < 100 ? -3.0f : 3.0f);
        frame(true);
        if (i == 99 && (top.empty() || inColumn() == top)) {
            std::fprintf(stderr, "board bench: scrolling the second column changed nothing\n");
            std::exit(1);
        }
    }
    // Drag a card of the first column across three columns and back, then drop where it began.
    const ImVec2 card(140, 220);
    io.AddMousePosEvent(card.x, card.y);
    frame(true);
    io.AddMouseButtonEvent(ImGuiMouseButton_Left, true);
    frame(true);
    for (int i = 0; i <= 200; ++i) {
        float t = i <= 100 ? i / 100.0f : (200 - i) / 100.0f;
        io.AddMousePosEvent(card.x + t * 3 * 282, card.y + 40 * t);
        frame(true);
    }
    io.AddMouseButtonEvent(ImGuiMouseButton_Left, false);
    frame(true);
    std::printf("board.frame_p50_ms.native.%s %.3f ms\n", size.name, percentile(ms, 0.50));
    std::printf("board.frame_p95_ms.native.%s %.3f ms\n", size.name, percentile(ms, 0.95));
    std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
    const Sizes all[] = {{"1k", 1000}, {"10k", 10000}, {"100k", 100000}};
    for (const Sizes& s : all) {
        bool wanted = argc == 1;
        for (int i = 1; i < argc; ++i) wanted |= std::strcmp(argv[i], s.name) == 0;
        if (wanted) run(s);
    }
    return 0;
}
