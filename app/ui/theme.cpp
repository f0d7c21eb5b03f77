// Funnel — palettes and ImGui style (see theme.h).
#include "ui/theme.h"

#include <algorithm>
#include <cmath>

namespace funnel::ui {

namespace {

constexpr ImU32 rgb(unsigned r, unsigned g, unsigned b, unsigned a = 255) { return IM_COL32(r, g, b, a); }

// Every text colour reaches WCAG AA (4.5:1) on every surface it is drawn on, and the stage
// accents and the focus ring reach 3:1 (tests/ui/theme_test.cpp computes it from contrastPairs()).
const Palette kLight = {
    rgb(244, 245, 248), rgb(235, 237, 242), rgb(255, 255, 255), rgb(248, 250, 255), rgb(232, 240, 255),
    rgb(214, 218, 226),
    rgb(28, 32, 40), rgb(82, 90, 105), rgb(29, 78, 216), rgb(255, 255, 255),
    rgb(185, 28, 28), rgb(166, 72, 8), rgb(133, 77, 14), rgb(20, 118, 56), rgb(82, 90, 105), rgb(109, 40, 217),
    {rgb(20, 118, 56), rgb(29, 78, 216), rgb(166, 72, 8), rgb(82, 90, 105)},
    {rgb(99, 102, 241), rgb(2, 132, 199), rgb(13, 148, 136), rgb(77, 124, 15), rgb(168, 113, 0),
     rgb(234, 88, 12), rgb(21, 128, 61), rgb(236, 72, 153)},
    rgb(226, 232, 240),
};

const Palette kDark = {
    rgb(24, 26, 31), rgb(32, 35, 42), rgb(42, 46, 55), rgb(50, 55, 66), rgb(40, 56, 90),
    rgb(58, 63, 75),
    rgb(230, 233, 239), rgb(168, 176, 190), rgb(130, 170, 255), rgb(16, 22, 36),
    rgb(252, 146, 146), rgb(251, 191, 36), rgb(226, 172, 96), rgb(74, 222, 128), rgb(168, 176, 190), rgb(190, 168, 255),
    {rgb(74, 222, 128), rgb(130, 170, 255), rgb(251, 191, 36), rgb(168, 176, 190)},
    {rgb(129, 140, 248), rgb(56, 189, 248), rgb(45, 212, 191), rgb(163, 230, 53), rgb(250, 204, 21),
     rgb(251, 146, 60), rgb(74, 222, 128), rgb(244, 114, 182)},
    rgb(55, 65, 81),
};

ImVec4 v(ImU32 c) { return ImGui::ColorConvertU32ToFloat4(c); }

}  // namespace

const Palette& palette(bool dark) { return dark ? kDark : kLight; }

bool wantsDark(const std::string& theme, bool systemDark) {
    return theme == "dark" || (theme == "system" && systemDark);
}

ImU32 over(ImU32 fg, ImU32 bg) {
    const unsigned a = (fg >> IM_COL32_A_SHIFT) & 0xFF;
    auto ch = [&](int shift) {
        const unsigned f = (fg >> shift) & 0xFF, b = (bg >> shift) & 0xFF;
        return (f * a + b * (255 - a) + 127) / 255;
    };
    return IM_COL32(ch(IM_COL32_R_SHIFT), ch(IM_COL32_G_SHIFT), ch(IM_COL32_B_SHIFT), 255);
}

double relativeLuminance(ImU32 c) {
    auto lin = [&](int shift) {
        const double v = double((c >> shift) & 0xFF) / 255.0;
        return v <= 0.03928 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4);
    };
    return 0.2126 * lin(IM_COL32_R_SHIFT) + 0.7152 * lin(IM_COL32_G_SHIFT) + 0.0722 * lin(IM_COL32_B_SHIFT);
}

double contrastRatio(ImU32 a, ImU32 b) {
    const double la = relativeLuminance(a), lb = relativeLuminance(b);
    return (std::max(la, lb) + 0.05) / (std::min(la, lb) + 0.05);
}

std::vector<ContrastPair> contrastPairs(bool dark) {
    const Palette& p = palette(dark);
    std::vector<ContrastPair> pairs;
    auto add = [&](std::string what, ImU32 fg, ImU32 bg, double min) { pairs.push_back({std::move(what), fg, bg, min}); };
    // Text colours on every surface text is drawn on (windows, columns, cards, hovered and
    // selected rows and buttons, popups).
    const std::pair<const char*, ImU32> surfaces[] = {{"background", p.background}, {"surface", p.surface},
                                                      {"card", p.card},             {"cardHover", p.cardHover},
                                                      {"cardSelected", p.cardSelected}};
    const std::pair<const char*, ImU32> texts[] = {
        {"text", p.text},         {"textDim", p.textDim}, {"accent", p.accent}, {"overdue", p.overdue},
        {"dueToday", p.dueToday}, {"idle", p.idle},       {"won", p.won},       {"lost", p.lost},
        {"suspended", p.suspended}, {"grade.A", p.grade[0]}, {"grade.B", p.grade[1]}, {"grade.C", p.grade[2]},
        {"grade.D", p.grade[3]}};
    for (const auto& [tn, tc] : texts)
        for (const auto& [sn, sc] : surfaces) add(std::string(tn) + " on " + sn, tc, sc, kContrastText);
    // Filled buttons and chips.
    add("accentText on accent", p.accentText, p.accent, kContrastText);
    add("accentText on won", p.accentText, p.won, kContrastText);
    add("text on label", p.text, p.label, kContrastText);
    for (int g = 0; g < 4; ++g) add("grade letter on badge " + std::to_string(g), p.accentText, p.grade[g], kContrastText);
    add("idle on its chip", p.idle, over(tint(p.idle), p.card), kContrastText);
    // Banners (demo, snapshot, notice) tint the window with a colour at 0x30 alpha.
    for (auto [n, c] : {std::pair{"suspended", p.suspended}, std::pair{"accent", p.accent}, std::pair{"overdue", p.overdue}}) {
        add(std::string("text on the ") + n + " banner", p.text, over(tint(c), p.background), kContrastText);
        add(std::string("textDim on the ") + n + " banner", p.textDim, over(tint(c), p.background), kContrastText);
    }
    // Graphics that carry meaning: a card's stage strip, the focus ring (3:1, WCAG 1.4.11).
    for (int i = 0; i < 8; ++i) {
        add("stage " + std::to_string(i) + " on card", p.stage[i], p.card, kContrastGraphic);
        add("stage " + std::to_string(i) + " on cardSelected", p.stage[i], p.cardSelected, kContrastGraphic);
    }
    for (const auto& [sn, sc] : surfaces) add(std::string("focus ring on ") + sn, p.accent, sc, kContrastGraphic);
    return pairs;
}

void applyTheme(bool dark) {
    const Palette& p = palette(dark);
    ImGuiStyle& s = ImGui::GetStyle();
    if (dark) ImGui::StyleColorsDark(&s);
    else ImGui::StyleColorsLight(&s);
    s.WindowPadding = ImVec2(12, 10);
    s.FramePadding = ImVec2(8, 5);
    s.ItemSpacing = ImVec2(8, 6);
    s.ItemInnerSpacing = ImVec2(6, 4);
    s.CellPadding = ImVec2(6, 4);
    s.ScrollbarSize = 12;
    s.GrabMinSize = 10;
    s.WindowRounding = 8;
    s.ChildRounding = 8;
    s.FrameRounding = 6;
    s.PopupRounding = 8;
    s.ScrollbarRounding = 6;
    s.GrabRounding = 6;
    s.TabRounding = 6;
    s.WindowBorderSize = 0;
    s.ChildBorderSize = 0;
    s.PopupBorderSize = 1;
    s.FrameBorderSize = 1;  // fields stay visible on white panels and grey columns alike
    s.TouchExtraPadding = ImVec2(0, 0);

    ImVec4* c = s.Colors;
    c[ImGuiCol_Text] = v(p.text);
    c[ImGuiCol_TextDisabled] = v(p.textDim);
    c[ImGuiCol_WindowBg] = v(p.background);
    c[ImGuiCol_ChildBg] = v(p.surface);
    c[ImGuiCol_PopupBg] = v(p.card);
    c[ImGuiCol_Border] = v(p.border);
    c[ImGuiCol_BorderShadow] = ImVec4(0, 0, 0, 0);
    c[ImGuiCol_FrameBg] = v(dark ? p.card : p.card);
    c[ImGuiCol_FrameBgHovered] = v(p.cardHover);
    c[ImGuiCol_FrameBgActive] = v(p.cardSelected);
    c[ImGuiCol_Button] = v(p.surface);
    c[ImGuiCol_ButtonHovered] = v(p.cardSelected);
    c[ImGuiCol_ButtonActive] = v(p.border);
    c[ImGuiCol_Header] = v(p.cardSelected);
    c[ImGuiCol_HeaderHovered] = v(p.cardHover);
    c[ImGuiCol_HeaderActive] = v(p.cardSelected);
    c[ImGuiCol_CheckMark] = v(p.accent);
    c[ImGuiCol_SliderGrab] = v(p.accent);
    c[ImGuiCol_SliderGrabActive] = v(p.accent);
    c[ImGuiCol_Tab] = v(p.surface);
    c[ImGuiCol_TabHovered] = v(p.cardHover);
    c[ImGuiCol_TabSelected] = v(p.card);
    c[ImGuiCol_TitleBg] = v(p.surface);
    c[ImGuiCol_TitleBgActive] = v(p.surface);
    c[ImGuiCol_MenuBarBg] = v(p.card);
    c[ImGuiCol_ScrollbarBg] = ImVec4(0, 0, 0, 0);
    c[ImGuiCol_DragDropTarget] = v(p.accent);
    c[ImGuiCol_NavCursor] = v(p.accent);   // the keyboard focus ring: 3:1 on every surface
    c[ImGuiCol_ModalWindowDimBg] = ImVec4(0, 0, 0, dark ? 0.55f : 0.35f);
    c[ImGuiCol_Separator] = v(p.border);
}

}  // namespace funnel::ui
