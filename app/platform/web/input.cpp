// Browser input → ImGuiIO. Coordinates are CSS pixels (io.DisplaySize is the canvas's CSS size;
// the framebuffer scale carries devicePixelRatio), so clientX/clientY go to ImGui unchanged.
//
// What we leave to the browser (return false = no preventDefault):
//   - keys the browser owns: reload, address bar, new tab/window, close tab, devtools, zoom;
//   - printable characters, so the focused text agent receives them as `input` events;
//   - Ctrl/Cmd+C/X/V, so the DOM copy/cut/paste events fire (paste text comes from there);
//   - anything the IME is composing (keyCode 229; the text agent stops those earlier).
#include "platform/web/input.h"

#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstring>

#include <emscripten.h>
#include <emscripten/html5.h>
#include <imgui.h>
#include <imgui_internal.h>

#include "platform/web/tab.h"
#include "platform/web/text_agent.h"

namespace funnel::web {
namespace {

// [SECTION] Key mapping
ImGuiKey keyFromCode(const char* code) {
    struct Entry { const char* code; ImGuiKey key; };
    static const Entry table[] = {
        {"Tab", ImGuiKey_Tab}, {"ArrowLeft", ImGuiKey_LeftArrow}, {"ArrowRight", ImGuiKey_RightArrow},
        {"ArrowUp", ImGuiKey_UpArrow}, {"ArrowDown", ImGuiKey_DownArrow}, {"PageUp", ImGuiKey_PageUp},
        {"PageDown", ImGuiKey_PageDown}, {"Home", ImGuiKey_Home}, {"End", ImGuiKey_End},
        {"Insert", ImGuiKey_Insert}, {"Delete", ImGuiKey_Delete}, {"Backspace", ImGuiKey_Backspace},
        {"Space", ImGuiKey_Space}, {"Enter", ImGuiKey_Enter}, {"Escape", ImGuiKey_Escape},
        {"ControlLeft", ImGuiKey_LeftCtrl}, {"ShiftLeft", ImGuiKey_LeftShift}, {"AltLeft", ImGuiKey_LeftAlt},
        {"MetaLeft", ImGuiKey_LeftSuper}, {"ControlRight", ImGuiKey_RightCtrl}, {"ShiftRight", ImGuiKey_RightShift},
        {"AltRight", ImGuiKey_RightAlt}, {"MetaRight", ImGuiKey_RightSuper}, {"ContextMenu", ImGuiKey_Menu},
        {"Quote", ImGuiKey_Apostrophe}, {"Comma", ImGuiKey_Comma}, {"Minus", ImGuiKey_Minus},
        {"Period", ImGuiKey_Period}, {"Slash", ImGuiKey_Slash}, {"Semicolon", ImGuiKey_Semicolon},
        {"Equal", ImGuiKey_Equal}, {"BracketLeft", ImGuiKey_LeftBracket}, {"Backslash", ImGuiKey_Backslash},
        {"BracketRight", ImGuiKey_RightBracket}, {"Backquote", ImGuiKey_GraveAccent},
        {"CapsLock", ImGuiKey_CapsLock}, {"ScrollLock", ImGuiKey_ScrollLock}, {"NumLock", ImGuiKey_NumLock},
        {"PrintScreen", ImGuiKey_PrintScreen}, {"Pause", ImGuiKey_Pause},
        {"NumpadDecimal", ImGuiKey_KeypadDecimal}, {"NumpadDivide", ImGuiKey_KeypadDivide},
        {"NumpadMultiply", ImGuiKey_KeypadMultiply}, {"NumpadSubtract", ImGuiKey_KeypadSubtract},
        {"NumpadAdd", ImGuiKey_KeypadAdd}, {"NumpadEnter", ImGuiKey_KeypadEnter},
        {"NumpadEqual", ImGuiKey_KeypadEqual}, {"IntlBackslash", ImGuiKey_Oem102},
        {"BrowserBack", ImGuiKey_AppBack}, {"BrowserForward", ImGuiKey_AppForward},
    };
    for (const Entry& e : table)
        if (std::strcmp(code, e.code) == 0) return e.key;
    if (std::strncmp(code, "Key", 3) == 0 && code[3] >= 'A' && code[3] <= 'Z' && code[4] == 0)
        return ImGuiKey(ImGuiKey_A + (code[3] - 'A'));
    if (std::strncmp(code, "Digit", 5) == 0 && code[5] >= '0' && code[5] <= '9' && code[6] == 0)
        return ImGuiKey(ImGuiKey_0 + (code[5] - '0'));
    if (std::strncmp(code, "Numpad", 6) == 0 && code[6] >= '0' && code[6] <= '9' && code[7] == 0)
        return ImGuiKey(ImGuiKey_Keypad0 + (code[6] - '0'));
    if (code[0] == 'F' && code[1] >= '1' && code[1] <= '9') {
        int n = code[1] - '0';
        if (code[2] >= '0' && code[2] <= '9' && code[3] == 0) n = n * 10 + (code[2] - '0');
        else if (code[2] != 0) return ImGuiKey_None;
        if (n >= 1 && n <= 24) return ImGuiKey(ImGuiKey_F1 + (n - 1));
    }
    return ImGuiKey_None;
}

// Letters follow the layout (Ctrl+Z is Z on an AZERTY keyboard), everything else the position.
ImGuiKey keyFromEvent(const EmscriptenKeyboardEvent* e) {
    const char* k = e->key;
    if (k[0] != 0 && k[1] == 0) {
        char c = k[0];
        if (c >= 'a' && c <= 'z') return ImGuiKey(ImGuiKey_A + (c - 'a'));
        if (c >= 'A' && c <= 'Z') return ImGuiKey(ImGuiKey_A + (c - 'A'));
    }
    return keyFromCode(e->code);
}

bool browserOwns(const EmscriptenKeyboardEvent* e, ImGuiKey key) {
    const bool mod = appleKeyboard() ? e->metaKey : e->ctrlKey;
    if (key == ImGuiKey_F5 || key == ImGuiKey_F11 || key == ImGuiKey_F12) return true;
    if (e->altKey && (key == ImGuiKey_LeftArrow || key == ImGuiKey_RightArrow)) return true;   // history
    if (!mod) return false;
    switch (key) {
        case ImGuiKey_R: case ImGuiKey_L: case ImGuiKey_T: case ImGuiKey_W: case ImGuiKey_N:
        case ImGuiKey_Q: case ImGuiKey_Tab: case ImGuiKey_PageUp: case ImGuiKey_PageDown:
        case ImGuiKey_Equal: case ImGuiKey_Minus: case ImGuiKey_0: case ImGuiKey_Keypad0:
        case ImGuiKey_KeypadAdd: case ImGuiKey_KeypadSubtract:
            return true;
        case ImGuiKey_I: case ImGuiKey_J: case ImGuiKey_C:
            return e->shiftKey;   // devtools (Ctrl+Shift+C is the inspector)
        default:
            return false;
    }
}

// A key that produces text: its character arrives through the text agent's input event.
bool producesText(const EmscriptenKeyboardEvent* e) {
    if (e->ctrlKey || e->metaKey) return false;
    const unsigned char c0 = static_cast<unsigned char>(e->key[0]);
    if (c0 == 0) return false;
    if (e->key[1] == 0) return c0 >= 0x20;   // one ASCII character
    return c0 >= 0x80;                       // one non-ASCII character (UTF-8); named keys are ASCII words
}

void addModifiers(ImGuiIO& io, const EmscriptenKeyboardEvent* e) {
    io.AddKeyEvent(ImGuiMod_Ctrl, e->ctrlKey);
    io.AddKeyEvent(ImGuiMod_Shift, e->shiftKey);
    io.AddKeyEvent(ImGuiMod_Alt, e->altKey);
    io.AddKeyEvent(ImGuiMod_Super, e->metaKey);
}

// [SECTION] Callbacks
EM_BOOL onKey(int type, const EmscriptenKeyboardEvent* e, void*) {
    if (e->keyCode == 229) return EM_FALSE;   // the IME is composing: its keys are its own
    const ImGuiKey key = keyFromEvent(e);
    if (browserOwns(e, key)) return EM_FALSE;
    ImGuiIO& io = ImGui::GetIO();
    const bool down = type == EMSCRIPTEN_EVENT_KEYDOWN;
    const bool shortcutMod = appleKeyboard() ? e->metaKey : e->ctrlKey;
    noteShortcutModifier(shortcutMod);
    // Paste comes from the DOM paste event (the only way to read the clipboard without a
    // prompt), which replays Ctrl+V to ImGui; giving ImGui this V as well would paste twice.
    if (shortcutMod && key == ImGuiKey_V) {
        addModifiers(ImGui::GetIO(), e);
        return EM_FALSE;
    }
    addModifiers(io, e);
    if (key != ImGuiKey_None) io.AddKeyEvent(key, down);
    wake();
    if (!down) return EM_FALSE;
    if (shortcutMod && (key == ImGuiKey_C || key == ImGuiKey_X)) {
        // The DOM copy/cut event follows this keydown synchronously: let ImGui copy first, so
        // the text agent can hand the selection to it (no clipboard permission needed). ImGui
        // trickles queued input over frames (a key's press and release never share one), so
        // when keys came faster than frames (Ctrl+A then Ctrl+C on a busy page) one frame
        // would not reach this C: draw until the queue is empty.
        for (int i = 0; i < 16; ++i) {
            drawNow();
            if (ImGui::GetCurrentContext()->InputEventsQueue.Size == 0) break;
        }
        return EM_FALSE;
    }
    if (producesText(e)) return EM_FALSE;
    return EM_TRUE;
}

int imguiButton(unsigned short domButton) {
    switch (domButton) {
        case 0: return 0;
        case 1: return 2;
        case 2: return 1;
        default: return domButton < ImGuiMouseButton_COUNT ? domButton : -1;
    }
}

float g_uiScale = 1.0f;       // see setUiScale
bool g_touchActive = false;   // a finger is down: ignore mouse events the browser may emulate

EM_BOOL onMouse(int type, const EmscriptenMouseEvent* e, void*) {
    // Chromium emulates mouse events after touches; the touch path already reported them.
    if (g_touchActive) return EM_FALSE;
    ImGuiIO& io = ImGui::GetIO();
    if (type == EMSCRIPTEN_EVENT_MOUSEDOWN) finishComposition();
    io.AddMouseSourceEvent(ImGuiMouseSource_Mouse);
    io.AddMousePosEvent(float(e->clientX) / g_uiScale, float(e->clientY) / g_uiScale);
    if (type == EMSCRIPTEN_EVENT_MOUSEDOWN || type == EMSCRIPTEN_EVENT_MOUSEUP) {
        const int b = imguiButton(e->button);
        if (b >= 0) io.AddMouseButtonEvent(b, type == EMSCRIPTEN_EVENT_MOUSEDOWN);
    }
    wake();
    // Keeping the mousedown default would move focus off the text agent mid-edit.
    return type == EMSCRIPTEN_EVENT_MOUSEDOWN ? EM_TRUE : EM_FALSE;
}

EM_BOOL onMouseLeave(int, const EmscriptenMouseEvent*, void*) {
    if (!ImGui::IsAnyMouseDown()) ImGui::GetIO().AddMousePosEvent(-FLT_MAX, -FLT_MAX);
    wake();
    return EM_FALSE;
}

EM_BOOL onWheel(int, const EmscriptenWheelEvent* e, void*) {
    if (e->mouse.ctrlKey) return EM_FALSE;    // Ctrl+wheel is the browser's zoom
    // ImGui scrolls about five lines per unit: a 100 px notch or 3 lines is one unit.
    double scale = 1.0 / 100.0;
    if (e->deltaMode == DOM_DELTA_LINE) scale = 1.0 / 3.0;
    else if (e->deltaMode == DOM_DELTA_PAGE) scale = 1.0;
    ImGuiIO& io = ImGui::GetIO();
    io.AddMousePosEvent(float(e->mouse.clientX) / g_uiScale, float(e->mouse.clientY) / g_uiScale);
    io.AddMouseWheelEvent(float(-e->deltaX * scale), float(-e->deltaY * scale));
    wake();
    return EM_TRUE;
}

// [SECTION] Touch
// One finger is ImGui's mouse. ImGui has no drag-to-scroll and a drag would otherwise start on
// every swipe, so three gestures are told apart by time and distance:
//   tap        down and up without moving: a click (and focus for a text field);
//   pan        moves more than kTouchSlop first: scrolls what is under the finger (wheel events);
//   long press still for kLongPressMs: the button goes down, so moving then drags (a card).
constexpr float kTouchSlop = 8.0f;           // CSS px
constexpr double kLongPressMs = 400.0;
constexpr float kWheelPixels = 80.0f;        // ImGui scrolls ~5 lines (5 × 16 px) per wheel unit

struct Finger {
    long id = -1;
    enum class Mode { Pending, Pan, Press } mode = Mode::Pending;
    float x0 = 0, y0 = 0, x = 0, y = 0;
    unsigned generation = 0;                 // tells a stale long-press timer from the current one
};
Finger g_finger;

void onLongPress(void* userData) {
    const auto generation = static_cast<unsigned>(reinterpret_cast<std::uintptr_t>(userData));
    if (g_finger.id < 0 || g_finger.generation != generation || g_finger.mode != Finger::Mode::Pending) return;
    g_finger.mode = Finger::Mode::Press;
    ImGuiIO& io = ImGui::GetIO();
    io.AddMouseSourceEvent(ImGuiMouseSource_TouchScreen);
    io.AddMousePosEvent(g_finger.x, g_finger.y);
    io.AddMouseButtonEvent(0, true);
    wake();
}

EM_BOOL onTouch(int type, const EmscriptenTouchEvent* e, void*) {
    ImGuiIO& io = ImGui::GetIO();
    bool tapped = false;
    for (int i = 0; i < e->numTouches; ++i) {
        const EmscriptenTouchPoint& t = e->touches[i];
        if (!t.isChanged) continue;
        const float x = float(t.clientX) / g_uiScale, y = float(t.clientY) / g_uiScale;
        if (type == EMSCRIPTEN_EVENT_TOUCHSTART) {
            if (g_finger.id >= 0) continue;   // a second finger is left alone
            finishComposition();
            g_touchActive = true;
            g_finger.id = t.identifier;
            g_finger.mode = Finger::Mode::Pending;
            g_finger.x0 = g_finger.x = x;
            g_finger.y0 = g_finger.y = y;
            g_finger.generation++;
            io.AddMouseSourceEvent(ImGuiMouseSource_TouchScreen);
            io.AddMousePosEvent(x, y);
            emscripten_set_timeout(onLongPress, kLongPressMs,
                                   reinterpret_cast<void*>(static_cast<std::uintptr_t>(g_finger.generation)));
            continue;
        }
        if (t.identifier != g_finger.id) continue;
        const float dx = x - g_finger.x, dy = y - g_finger.y;
        g_finger.x = x;
        g_finger.y = y;
        io.AddMouseSourceEvent(ImGuiMouseSource_TouchScreen);
        if (type == EMSCRIPTEN_EVENT_TOUCHMOVE) {
            if (g_finger.mode == Finger::Mode::Pending &&
                std::hypot(x - g_finger.x0, y - g_finger.y0) > kTouchSlop)
                g_finger.mode = Finger::Mode::Pan;
            if (g_finger.mode == Finger::Mode::Pan) {
                // Wheel at where the pan started, so the column under the finger scrolls.
                io.AddMousePosEvent(g_finger.x0, g_finger.y0);
                io.AddMouseWheelEvent(dx / kWheelPixels, dy / kWheelPixels);
            } else {
                io.AddMousePosEvent(x, y);
            }
            continue;
        }
        // Touch end or cancel.
        if (g_finger.mode == Finger::Mode::Pending && type == EMSCRIPTEN_EVENT_TOUCHEND) {
            io.AddMousePosEvent(x, y);
            io.AddMouseButtonEvent(0, true);
            io.AddMouseButtonEvent(0, false);
            tapped = true;
        } else if (g_finger.mode == Finger::Mode::Press) {
            io.AddMousePosEvent(x, y);
            io.AddMouseButtonEvent(0, false);
        }
        io.AddMousePosEvent(-FLT_MAX, -FLT_MAX);   // no hover left behind a finger
        g_finger.id = -1;
    }
    g_touchActive = g_finger.id >= 0;
    wake();
    // iOS opens the keyboard only for a focus() inside the gesture's own handler.
    if (tapped) focusAgentFromGesture();
    // Keeps the browser's own pinch-zoom, scrolling and emulated mouse events off the canvas.
    return EM_TRUE;
}

EM_BOOL onFocus(int type, const EmscriptenFocusEvent*, void*) {
    ImGui::GetIO().AddFocusEvent(type == EMSCRIPTEN_EVENT_FOCUS);
    wake();
    return EM_FALSE;
}

EM_BOOL onResize(int, const EmscriptenUiEvent*, void*) {
    wake();
    return EM_FALSE;
}

}  // namespace

void setUiScale(float scale) { g_uiScale = scale > 0 ? scale : 1.0f; }
float uiScale() { return g_uiScale; }

bool appleKeyboard() {
    static const bool apple = EM_ASM_INT({
        const p = (navigator.userAgentData && navigator.userAgentData.platform) || navigator.platform || "";
        return /Mac|iPhone|iPad|iPod/.test(p) ? 1 : 0;
    }) != 0;
    return apple;
}

void installInput(const char* canvas) {
    const char* window = EMSCRIPTEN_EVENT_TARGET_WINDOW;
    emscripten_set_keydown_callback(window, nullptr, false, onKey);   // bubble: the text agent sees keys first
    emscripten_set_keyup_callback(window, nullptr, false, onKey);
    emscripten_set_mousedown_callback(canvas, nullptr, true, onMouse);
    // Moves and releases on the window so a drag that leaves the canvas still ends.
    emscripten_set_mousemove_callback(window, nullptr, true, onMouse);
    emscripten_set_mouseup_callback(window, nullptr, true, onMouse);
    emscripten_set_mouseleave_callback(canvas, nullptr, true, onMouseLeave);
    emscripten_set_wheel_callback(canvas, nullptr, false, onWheel);
    emscripten_set_touchstart_callback(canvas, nullptr, false, onTouch);
    emscripten_set_touchmove_callback(canvas, nullptr, false, onTouch);
    emscripten_set_touchend_callback(canvas, nullptr, false, onTouch);
    emscripten_set_touchcancel_callback(canvas, nullptr, false, onTouch);
    // Not in the capture phase: there the text agent's own blur (when a field is left) would count
    // as the page losing focus, and ImGui would drop the mouse button of the click in flight.
    emscripten_set_focus_callback(window, nullptr, false, onFocus);
    emscripten_set_blur_callback(window, nullptr, false, onFocus);
    emscripten_set_resize_callback(window, nullptr, true, onResize);
    ImGui::GetIO().ConfigMacOSXBehaviors = appleKeyboard();
}

}  // namespace funnel::web
