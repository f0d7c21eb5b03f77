// Funnel — palettes and ImGui style (see theme.h).
#include "ui/theme.h"

namespace funnel::ui {

namespace {

constexpr ImU32 rgb(unsigned r, unsigned g, unsigned b, unsigned a = 255) { return IM_COL32(r, g, b, a); }

const Palette kLight = {
    rgb(244, 245, 248), rgb(235, 237, 242), rgb(255, 255, 255), rgb(248, 250, 255), rgb(232, 240, 255),
    rgb(214, 218, 226),
    rgb(28, 32, 40), rgb(104, 112, 128), rgb(37, 99, 235), rgb(255, 255, 255),
    rgb(220, 38, 38), rgb(217, 119, 6), rgb(161, 98, 7), rgb(22, 163, 74), rgb(107, 114, 128), rgb(124, 58, 237),
    {rgb(22, 163, 74), rgb(37, 99, 235), rgb(217, 119, 6), rgb(107, 114, 128)},
    {rgb(99, 102, 241), rgb(14, 165, 233), rgb(20, 184, 166), rgb(132, 204, 22), rgb(234, 179, 8),
     rgb(249, 115, 22), rgb(22, 163, 74), rgb(236, 72, 153)},
    rgb(226, 232, 240),
};

const Palette kDark = {
    rgb(24, 26, 31), rgb(32, 35, 42), rgb(42, 46, 55), rgb(50, 55, 66), rgb(40, 56, 90),
    rgb(58, 63, 75),
    rgb(230, 233, 239), rgb(150, 158, 173), rgb(96, 145, 255), rgb(255, 255, 255),
    rgb(248, 113, 113), rgb(251, 191, 36), rgb(217, 160, 80), rgb(74, 222, 128), rgb(156, 163, 175), rgb(167, 139, 250),
    {rgb(74, 222, 128), rgb(96, 165, 250), rgb(251, 191, 36), rgb(156, 163, 175)},
    {rgb(129, 140, 248), rgb(56, 189, 248), rgb(45, 212, 191), rgb(163, 230, 53), rgb(250, 204, 21),
     rgb(251, 146, 60), rgb(74, 222, 128), rgb(244, 114, 182)},
    rgb(55, 65, 81),
};

ImVec4 v(ImU32 c) { return ImGui::ColorConvertU32ToFloat4(c); }

}  // namespace

const Palette& palette(bool dark) { return dark ? kDark : kLight; }

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
    c[ImGuiCol_NavCursor] = v(p.accent);
    c[ImGuiCol_ModalWindowDimBg] = ImVec4(0, 0, 0, dark ? 0.55f : 0.35f);
    c[ImGuiCol_Separator] = v(p.border);
}

}  // namespace funnel::ui
