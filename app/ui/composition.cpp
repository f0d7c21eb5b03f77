// Funnel — drawing the IME's composing text inside the active field (see composition.h).
#include "ui/composition.h"

#include <algorithm>
#include <cstring>

#include <imgui.h>
#include <imgui_internal.h>

#include "ui/app.h"

namespace funnel::ui {

namespace {

// The field's own background as an opaque colour: FrameBg over the window's background, so the
// original text after the caret is really covered.
ImU32 opaqueFieldBackground(const ImGuiWindow* w) {
    const ImGuiStyle& style = ImGui::GetStyle();
    ImVec4 fg = style.Colors[ImGuiCol_FrameBg];
    ImVec4 bg =
        style.Colors[(w->Flags & ImGuiWindowFlags_ChildWindow) ? ImGuiCol_ChildBg : ImGuiCol_WindowBg];
    if (bg.w < 1.0f) bg = style.Colors[ImGuiCol_WindowBg];
    ImVec4 out(fg.x * fg.w + bg.x * (1 - fg.w), fg.y * fg.w + bg.y * (1 - fg.w),
               fg.z * fg.w + bg.z * (1 - fg.w), 1.0f);
    return ImGui::GetColorU32(out);
}

}  // namespace

void drawComposition(const std::string& composing, ItemRects& rects) {
    if (composing.empty()) return;
    ImGuiContext& g = *ImGui::GetCurrentContext();
    const ImGuiInputTextState* state = ImGui::GetInputTextState(g.ActiveId);
    const ImGuiPlatformImeData& ime = g.PlatformImeData;
    ImGuiWindow* w = g.ActiveIdWindow;
    if (!state || !w || !ime.WantTextInput || (state->Flags & ImGuiInputTextFlags_Password)) return;

    // The field's rectangle: activating an InputText focuses it, which stores its rect as the
    // window's nav rect. Text is clipped like the field clips it (inside its frame padding).
    ImRect field = w->InnerClipRect;
    if (g.NavId == g.ActiveId && g.NavWindow == w) {
        ImRect nav = ImGui::WindowRectRelToAbs(w, w->NavRectRel[ImGuiNavLayer_Main]);
        if (nav.GetWidth() > 0) field = nav;
    }
    const bool multiline = (state->Flags & ImGuiInputTextFlags_Multiline) != 0;
    ImRect clip = field;
    if (!multiline) clip.Max.x -= g.Style.FramePadding.x;
    clip.ClipWithFull(w->ClipRect);
    if (clip.GetWidth() <= 0 || clip.GetHeight() <= 0) return;

    // The caret (ImGui puts InputPos one pixel left of it, at the top of the line).
    const float h = ime.InputLineHeight > 0 ? ime.InputLineHeight : g.FontSize;
    const ImVec2 caret(ime.InputPos.x + 1.0f, ime.InputPos.y);

    // The rest of the caret's line: what a native field pushes right while composing.
    const char* text = state->TextA.Data;
    int cursor = std::clamp(state->GetCursorPos(), 0, state->TextLen);
    const char* tail = text ? text + cursor : "";
    const char* tailEnd = text ? text + state->TextLen : tail;
    if (const void* nl = std::memchr(tail, '\n', size_t(tailEnd - tail)))
        tailEnd = static_cast<const char*>(nl);

    ImFont* font = g.Font;
    const float size = g.FontSize;
    const float composingW = font->CalcTextSizeA(size, FLT_MAX, 0.0f, composing.c_str()).x;
    const float tailW = tail < tailEnd ? font->CalcTextSizeA(size, FLT_MAX, 0.0f, tail, tailEnd).x : 0.0f;

    ImDrawList* dl = ImGui::GetForegroundDrawList(w->Viewport);
    dl->PushClipRect(clip.Min, clip.Max, false);
    // Cover the field from the caret on, then draw: composing text (underlined), the tail after it.
    dl->AddRectFilled(ImVec2(caret.x, caret.y),
                      ImVec2(std::min(clip.Max.x, caret.x + tailW + 2.0f) + composingW, caret.y + h),
                      opaqueFieldBackground(w));
    const ImU32 textCol = ImGui::GetColorU32(ImGuiCol_Text);
    ImVec4 hl = g.Style.Colors[ImGuiCol_TextSelectedBg];
    hl.w *= 0.5f;
    dl->AddRectFilled(caret, ImVec2(caret.x + composingW, caret.y + h), ImGui::GetColorU32(hl));
    dl->AddText(font, size, caret, textCol, composing.c_str());
    const float underlineY = caret.y + h - 1.0f;
    dl->AddLine(ImVec2(caret.x, underlineY), ImVec2(caret.x + composingW, underlineY), textCol, 1.0f);
    // The caret stays at the end of the composing text, as in a native field.
    dl->AddLine(ImVec2(caret.x + composingW, caret.y), ImVec2(caret.x + composingW, caret.y + h - 1.0f),
                ImGui::GetColorU32(ImGuiCol_InputTextCursor), 1.0f);
    if (tailW > 0) dl->AddText(font, size, ImVec2(caret.x + composingW, caret.y), textCol, tail, tailEnd);
    dl->PopClipRect();

    auto recordClipped = [&](const char* key, ImRect r) {
        r.ClipWithFull(clip);
        if (r.GetWidth() >= 1.0f && r.GetHeight() >= 1.0f)
            rects.record(key, Rect{r.Min.x, r.Min.y, r.GetWidth(), r.GetHeight()});
    };
    recordClipped("ime:composing", ImRect(caret, ImVec2(caret.x + composingW, caret.y + h)));
    if (tailW > 0)
        recordClipped("ime:after", ImRect(ImVec2(caret.x + composingW, caret.y),
                                          ImVec2(caret.x + composingW + tailW, caret.y + h)));
}

}  // namespace funnel::ui
