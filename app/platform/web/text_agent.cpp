// The text agent (see text_agent.h). The JS half lives in EM_JS blocks below: their bodies
// are stringified by the preprocessor (newlines become spaces), so every statement ends in a
// semicolon and there are no // comments inside them.
//
// Event order the design relies on (Chromium, Firefox, Safari; UI Events spec):
//   keydown(isComposing / keyCode 229) → compositionstart → compositionupdate* →
//   input(isComposing) → compositionend.  Committed text is taken from compositionend's data,
//   and from non-composing `input` events' data (plain typing, Input.insertText); the textarea
//   is emptied after each, so nothing is committed twice.
#include "platform/web/text_agent.h"

#include <string>

#include <emscripten.h>
#include <imgui.h>

#include "platform/web/input.h"
#include "platform/web/tab.h"

namespace {

std::string g_clipboard;   // last text pasted in or copied out; what ImGui reads back
std::string g_composing;   // what the input method is composing now ("" = nothing)
bool g_shortcutModifierDown = false;   // Ctrl (Cmd on Apple) as the last key event left it

}  // namespace

// [SECTION] JS: the agent's elements and listeners
EM_JS(void, funnel_agent_install_js, (), {
    const ta = document.createElement('textarea');
    ta.id = 'funnel-text-agent';
    ta.setAttribute('autocapitalize', 'off');
    ta.setAttribute('autocomplete', 'off');
    ta.setAttribute('autocorrect', 'off');
    ta.setAttribute('spellcheck', 'false');
    ta.setAttribute('aria-hidden', 'true');
    ta.style.cssText = 'position:fixed;left:0;top:0;width:1px;height:20px;padding:0;margin:0;border:0;' +
        'outline:none;resize:none;overflow:hidden;opacity:0;color:transparent;background:transparent;' +
        'caret-color:transparent;font-size:16px;z-index:1;pointer-events:none;white-space:pre;';
    document.body.appendChild(ta);
    const agent = { ta: ta, composing: false, pendingEnter: false, want: false, x: 0, y: 0, h: 18, preedit: "" };
    Module.funnelAgent = agent;
    const send = function(fn, text) {
        if (!text) return;
        const n = lengthBytesUTF8(text) + 1;
        const p = _malloc(n);
        stringToUTF8(text, p, n);
        Module[fn](p);
        _free(p);
    };
    const commit = function(text) { send('_funnel_agent_text', text); };
    agent.showPreedit = function(text) {
        if (text === agent.preedit) return;
        agent.preedit = text;
        const n = lengthBytesUTF8(text) + 1;
        const p = _malloc(n);
        if (!p) return;
        stringToUTF8(text, p, n);
        Module._funnel_agent_composing(p);
        _free(p);
    };
    ta.addEventListener('keydown', function(e) {
        if (agent.composing || e.isComposing || e.keyCode === 229) {
            if (e.key === 'Enter' && agent.composing && !e.isComposing) agent.pendingEnter = true;
            e.stopPropagation();
        }
    });
    ta.addEventListener('keyup', function(e) {
        if (agent.composing || e.isComposing || e.keyCode === 229) e.stopPropagation();
    });
    ta.addEventListener('compositionstart', function() {
        agent.composing = true;
        agent.pendingEnter = false;
        agent.showPreedit("");
    });
    ta.addEventListener('compositionupdate', function(e) { agent.showPreedit(e.data || ""); });
    ta.addEventListener('compositionend', function(e) {
        agent.composing = false;
        agent.showPreedit("");
        commit(e.data || "");
        ta.value = "";
        if (agent.pendingEnter) {
            agent.pendingEnter = false;
            Module._funnel_agent_key(1);
        }
    });
    ta.addEventListener('beforeinput', function(e) {
        if (agent.composing || e.isComposing) return;
        if (e.inputType === 'deleteContentBackward') { e.preventDefault(); Module._funnel_agent_key(2); }
        else if (e.inputType === 'deleteContentForward') { e.preventDefault(); Module._funnel_agent_key(3); }
    });
    ta.addEventListener('input', function(e) {
        if (agent.composing || e.isComposing) return;
        if (e.inputType === 'insertText' || e.inputType === 'insertReplacementText') commit(e.data || "");
        ta.value = "";
    });
    document.addEventListener('paste', function(e) {
        const text = e.clipboardData ? e.clipboardData.getData('text/plain') : "";
        e.preventDefault();
        send('_funnel_agent_paste', text);
    });
    const putClip = function(e) {
        if (document.activeElement === ta && agent.clipFresh && e.clipboardData) {
            e.clipboardData.setData('text/plain', agent.clip);
            e.preventDefault();
        }
        agent.clipFresh = false;
    };
    document.addEventListener('copy', putClip);
    document.addEventListener('cut', putClip);
});

EM_JS(void, funnel_agent_place_js, (int want, float x, float y, float h), {
    const agent = Module.funnelAgent;
    if (!agent) return;
    agent.want = !!want;
    agent.x = x; agent.y = y; agent.h = h > 0 ? h : 18;
    agent.ta.style.left = x + 'px';
    agent.ta.style.top = y + 'px';
    agent.ta.style.height = agent.h + 'px';
    if (want) {
        if (document.activeElement !== agent.ta) agent.ta.focus({ preventScroll: true });
    } else if (document.activeElement === agent.ta) {
        agent.ta.blur();
    }
});

EM_JS(void, funnel_agent_finish_js, (), {
    const agent = Module.funnelAgent;
    if (!agent || !agent.composing) return;
    agent.ta.blur();
    if (agent.composing) {
        agent.composing = false;
        const text = agent.preedit || "";
        agent.showPreedit("");
        if (text) {
            const n = lengthBytesUTF8(text) + 1;
            const p = _malloc(n);
            stringToUTF8(text, p, n);
            Module._funnel_agent_text(p);
            _free(p);
        }
        agent.ta.value = "";
    }
    if (agent.want) agent.ta.focus({ preventScroll: true });
});

EM_JS(void, funnel_agent_focus_js, (), {
    const agent = Module.funnelAgent;
    if (agent && document.activeElement !== agent.ta) agent.ta.focus({ preventScroll: true });
});

EM_JS(void, funnel_clipboard_write_js, (const char* text), {
    const s = UTF8ToString(text);
    if (Module.funnelAgent) { Module.funnelAgent.clip = s; Module.funnelAgent.clipFresh = true; }
    if (navigator.clipboard && navigator.clipboard.writeText) navigator.clipboard.writeText(s).catch(function() {});
});

// [SECTION] C side: called by the JS above
extern "C" {

EMSCRIPTEN_KEEPALIVE void funnel_agent_composing(const char* utf8) {
    g_composing = utf8;
    funnel::web::wake();
}

EMSCRIPTEN_KEEPALIVE void funnel_agent_text(const char* utf8) {
    ImGui::GetIO().AddInputCharactersUTF8(utf8);
    funnel::web::wake();
}

// 1 = Enter held back until the composition ended, 2 = Backspace, 3 = Delete (soft keyboards
// report those only as beforeinput).
EMSCRIPTEN_KEEPALIVE void funnel_agent_key(int which) {
    const ImGuiKey key = which == 1 ? ImGuiKey_Enter : which == 2 ? ImGuiKey_Backspace : ImGuiKey_Delete;
    ImGuiIO& io = ImGui::GetIO();
    io.AddKeyEvent(key, true);
    io.AddKeyEvent(key, false);
    funnel::web::wake();
}

// Paste goes through ImGui's own Ctrl+V path (it reads g_clipboard back), which replaces the
// selection and filters newlines for single-line fields. Typed characters would not do: ImGui
// drops character input while Ctrl is held, as it is for a keyboard paste.
EMSCRIPTEN_KEEPALIVE void funnel_agent_paste(const char* utf8) {
    g_clipboard = utf8;
    ImGuiIO& io = ImGui::GetIO();
    // ImGui swaps Cmd and Ctrl itself when ConfigMacOSXBehaviors is on.
    const ImGuiKey mod = funnel::web::appleKeyboard() ? ImGuiMod_Super : ImGuiMod_Ctrl;
    io.AddKeyEvent(mod, true);
    io.AddKeyEvent(ImGuiKey_V, true);
    io.AddKeyEvent(ImGuiKey_V, false);
    if (!g_shortcutModifierDown) io.AddKeyEvent(mod, false);
    funnel::web::wake(6);
}

}  // extern "C"

namespace funnel::web {
namespace {

void setImeData(ImGuiContext*, ImGuiViewport*, ImGuiPlatformImeData* data) {
    const float s = uiScale();  // ImGui's coordinates → CSS px
    funnel_agent_place_js(data->WantTextInput ? 1 : 0, data->InputPos.x * s, data->InputPos.y * s, data->InputLineHeight * s);
}

const char* getClipboard(ImGuiContext*) { return g_clipboard.c_str(); }

void setClipboard(ImGuiContext*, const char* text) {
    g_clipboard = text ? text : "";
    funnel_clipboard_write_js(g_clipboard.c_str());
}

}  // namespace

void installTextAgent() {
    funnel_agent_install_js();
    ImGuiPlatformIO& pio = ImGui::GetPlatformIO();
    pio.Platform_SetImeDataFn = setImeData;
    pio.Platform_GetClipboardTextFn = getClipboard;
    pio.Platform_SetClipboardTextFn = setClipboard;
    // A blinking caret would need a frame every half second; a steady one lets the CPU rest.
    ImGui::GetIO().ConfigInputTextCursorBlink = false;
}

void finishComposition() { funnel_agent_finish_js(); }

const std::string& composingText() { return g_composing; }

void noteShortcutModifier(bool down) { g_shortcutModifierDown = down; }

void focusAgentFromGesture() {
    if (ImGui::GetMouseCursor() == ImGuiMouseCursor_TextInput) funnel_agent_focus_js();
}

}  // namespace funnel::web
