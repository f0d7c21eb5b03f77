// Funnel — the look: light and dark palettes, and the ImGui style built from them.
// Colour carries meaning (overdue, due today, idle, won, grade, stage), the same in both themes.
#pragma once

#include <string>
#include <vector>

#include <imgui.h>

namespace funnel::ui {

struct Palette {
    ImU32 background, surface, card, cardHover, cardSelected, border;
    ImU32 text, textDim, accent, accentText;
    ImU32 overdue, dueToday, idle, won, lost, suspended;
    ImU32 grade[4];          // A, B, C, D
    ImU32 stage[8];          // column accents, cycled by stage index
    ImU32 label;             // label chip background
};

const Palette& palette(bool dark);
// settings.theme "light", "dark" or "system" (follow the platform's prefers-color-scheme).
bool wantsDark(const std::string& theme, bool systemDark);

// [SECTION] Contrast (WCAG 2.x)
// A colour at 0x30 alpha, as the banners and chips tint their background; over() composes it.
constexpr ImU32 tint(ImU32 c) { return (c & ~IM_COL32_A_MASK) | (ImU32(0x30) << IM_COL32_A_SHIFT); }
ImU32 over(ImU32 fg, ImU32 bg);
double relativeLuminance(ImU32 c);
double contrastRatio(ImU32 a, ImU32 b);
inline constexpr double kContrastText = 4.5;     // AA body text
inline constexpr double kContrastGraphic = 3.0;  // AA large text, focus indicators, meaningful graphics
struct ContrastPair {
    std::string what;   // "textDim on cardSelected"
    ImU32 fg, bg;
    double min;
};
// Every foreground/background pair the views draw, with the ratio it must reach.
std::vector<ContrastPair> contrastPairs(bool dark);
// Applies the palette and Funnel's spacing to the current ImGui style (sizes in CSS pixels).
void applyTheme(bool dark);

}  // namespace funnel::ui
