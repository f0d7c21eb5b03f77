// Funnel — the text an input method is composing, drawn inside the active text field.
//
// ImGui's InputText knows nothing of IME composition: the platform receives the composing
// string (pinyin, zhuyin, hangul jamo…) and hands it to the App each frame. Drawn at the caret
// as a DOM overlay it covered the text after the caret; a native field keeps that text visible,
// pushed right, with the composing part underlined. This draws exactly that over the active
// field, in ImGui's font, clipped to the field.
#pragma once

#include <string>

namespace funnel::ui {

class ItemRects;

// Call after the frame's views, before ImGui::Render(). Draws `composing` at the caret of the
// active InputText (underlined), the rest of that line after it, and records the rectangles
// "ime:composing" and "ime:after" (the latter only when the caret has text after it).
// Nothing when `composing` is empty or no text field is active.
void drawComposition(const std::string& composing, ItemRects& rects);

}  // namespace funnel::ui
