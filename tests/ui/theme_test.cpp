// Funnel — contrast of both themes (WCAG 2.x AA), computed from the palettes: every text colour
// on every surface it is drawn on reaches 4.5:1, focus ring and meaningful graphics 3:1.
// No ImGui context: only the palettes and the arithmetic.
#include <doctest/doctest.h>

#include <string>

#include "ui/theme.h"

using namespace funnel::ui;

TEST_CASE("contrast ratio follows WCAG's definition") {
    CHECK(contrastRatio(IM_COL32(0, 0, 0, 255), IM_COL32(255, 255, 255, 255)) == doctest::Approx(21.0));
    CHECK(contrastRatio(IM_COL32(10, 20, 30, 255), IM_COL32(10, 20, 30, 255)) == doctest::Approx(1.0));
    // Known value: #767676 on white is the lightest grey that passes AA (4.54:1).
    CHECK(contrastRatio(IM_COL32(0x76, 0x76, 0x76, 255), IM_COL32_WHITE) == doctest::Approx(4.54).epsilon(0.01));
    CHECK(contrastRatio(IM_COL32(0x77, 0x77, 0x77, 255), IM_COL32_WHITE) < 4.5);
    // Order does not matter; a tint composes over its background.
    CHECK(contrastRatio(IM_COL32_WHITE, IM_COL32_BLACK) == contrastRatio(IM_COL32_BLACK, IM_COL32_WHITE));
    CHECK(over(IM_COL32(255, 0, 0, 0), IM_COL32(0, 0, 255, 255)) == IM_COL32(0, 0, 255, 255));
    CHECK(over(IM_COL32(255, 0, 0, 255), IM_COL32(0, 0, 255, 255)) == IM_COL32(255, 0, 0, 255));
}

TEST_CASE("every text/background pair of both themes reaches WCAG AA") {
    for (bool dark : {false, true}) {
        const auto pairs = contrastPairs(dark);
        CHECK(pairs.size() > 80);
        for (const ContrastPair& p : pairs) {
            const double ratio = contrastRatio(p.fg, p.bg);
            CAPTURE(dark);
            CAPTURE(p.what);
            CAPTURE(ratio);
            CHECK(ratio >= p.min);
        }
    }
}

TEST_CASE("the theme follows the system unless light or dark is chosen") {
    CHECK(wantsDark("dark", false));
    CHECK(!wantsDark("light", true));
    CHECK(wantsDark("system", true));
    CHECK(!wantsDark("system", false));
}
