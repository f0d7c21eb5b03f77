// Fonts in the browser: the small Latin UI font before the first frame, then the CJK face of
// the UI language fetched in the background and merged into the main font when it arrives
// (ImGui 1.92's dynamic atlas rasterizes glyphs on demand, so no glyph ranges are needed).
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace funnel::web {

// Fetches fonts/ui-latin.ttf and makes it the main font; `onReady` runs once it is in the atlas
// (or ImGui's built-in font if the fetch failed: the first frame never waits on more).
void loadUiFont(std::function<void()> onReady);

// The CJK face for a UI language: zh-Hant → cjk-tc, ko → cjk-kr, anything else → cjk-sc
// (English data may still hold Chinese names).
std::string cjkFaceFor(const std::string& lang);

// Fetches (once) and merges the CJK face for `lang`, replacing the face merged before.
// Asynchronous; wakes the frame loop when the font changed.
void useCjkFaceFor(const std::string& lang);

// Names of the faces in the main font now, e.g. {"ui-latin", "cjk-sc"} (window.funnel.stats).
std::vector<std::string> loadedFonts();

}  // namespace funnel::web
