// Funnel — the look: light and dark palettes, and the ImGui style built from them.
// Colour carries meaning (overdue, due today, idle, won, grade, stage), the same in both themes.
#pragma once

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
// Applies the palette and Funnel's spacing to the current ImGui style (sizes in CSS pixels).
void applyTheme(bool dark);

}  // namespace funnel::ui
