// Browser input → ImGuiIO: mouse, wheel, keys, touch, focus and resize through <emscripten/html5.h>.
// Text (typed characters, IME, paste) arrives through the text agent (text_agent.h) instead.
#pragma once

namespace funnel::web {

// Registers the callbacks on the window and on `canvasSelector` ("#canvas").
void installInput(const char* canvasSelector);

// True on macOS/iOS, where Cmd is the shortcut modifier (ImGui swaps it with Ctrl for us).
bool appleKeyboard();

// The UI scale (1 for now; meant for a Settings choice): ImGui lays out in CSS px / scale, so
// pointer positions are divided by it and rectangles reported to the page multiplied.
void setUiScale(float scale);
float uiScale();

}  // namespace funnel::web
