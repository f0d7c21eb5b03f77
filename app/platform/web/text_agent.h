// The text agent: a hidden <textarea> that holds the browser's focus while an ImGui text field
// is active, so typed characters, input methods (pinyin, zhuyin, hangul) and paste reach ImGui.
//
// Why a textarea and not keydown: the browser delivers composed text (IME) and the clipboard
// only to an editable element. It is moved to ImGui's caret (Platform_SetImeDataFn) so the
// IME's candidate window opens there; the text being composed is handed to the App, which draws
// it inside the field (ui/composition.h); committed text goes to io.AddInputCharactersUTF8 exactly once.
// Clipboard: copy/cut through navigator.clipboard.writeText, paste from the DOM paste event.
#pragma once

#include <string>

namespace funnel::web {

// Creates the elements and hooks ImGui's platform IME and clipboard functions.
void installTextAgent();

// Commits a composition in progress before a click or tap moves ImGui's focus, so a blur
// mid-composition loses nothing.
void finishComposition();

// The text the input method is composing now ("" when none), for App::setComposition.
const std::string& composingText();

// Input tells the agent whether the shortcut modifier (Ctrl, Cmd on Apple) is down, so a paste
// leaves ImGui's modifier state as the keyboard has it.
void noteShortcutModifier(bool down);

// From a touchend: if the finger is on a text field, focus the agent now (iOS opens the
// on-screen keyboard only for a focus() inside a user gesture).
void focusAgentFromGesture();

}  // namespace funnel::web
