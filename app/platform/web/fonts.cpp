// Fonts in the browser (see fonts.h). Bytes arrive through fetch() into malloc'd buffers we keep,
// because switching the CJK face rebuilds the main font from the Latin bytes plus the new face:
// merging into an already-used font would leave glyphs it once found missing cached as missing.
#include "platform/web/fonts.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>

#include <emscripten.h>
#include <imgui.h>

#include "platform/web/tab.h"

namespace funnel::web {
namespace {

constexpr float kFontPixels = 16.0f;   // CSS pixels; the framebuffer scale makes it crisp

struct FontBytes {
    unsigned char* data = nullptr;
    int size = 0;
};

enum class Fetch { None, Pending, Done, Failed };

struct FontState {
    std::map<std::string, FontBytes> bytes;   // by face name
    std::map<std::string, Fetch> fetches;
    std::string wantedCjk;                    // face the UI language asks for
    std::string mergedCjk;                    // face merged into the main font now
    bool latin = false;                       // main font built from ui-latin (else ImGui's own)
    std::function<void()> onUiReady;
};

FontState& fonts() {
    static FontState s;
    return s;
}

// (ascender − descender) / unitsPerEm from the 'hhea' and 'head' tables: ImGui sizes a font so
// that this height is the requested pixel size, so faces with different metrics come out with
// different em sizes. 0 when the tables are missing.
float lineHeightInEm(const FontBytes& f) {
    auto u16 = [&](int at) { return at + 2 <= f.size ? (f.data[at] << 8) | f.data[at + 1] : 0; };
    auto s16 = [&](int at) { return static_cast<int16_t>(u16(at)); };
    auto u32 = [&](int at) { return (std::uint32_t(u16(at)) << 16) | std::uint32_t(u16(at + 2)); };
    int hhea = 0, head = 0;
    const int tables = u16(4);
    for (int i = 0; i < tables; ++i) {
        const int rec = 12 + 16 * i;
        if (rec + 16 > f.size) break;
        const std::uint32_t tag = u32(rec);
        const int offset = static_cast<int>(u32(rec + 8));
        if (tag == 0x68686561) hhea = offset;        // 'hhea'
        else if (tag == 0x68656164) head = offset;   // 'head'
    }
    const int unitsPerEm = head ? u16(head + 18) : 0;
    if (!hhea || unitsPerEm <= 0) return 0;
    return float(s16(hhea + 4) - s16(hhea + 6)) / float(unitsPerEm);
}

// Builds the main font anew (Latin + the wanted CJK face if its bytes are here), makes it the
// default and drops the old one. Runs between frames only (from fetch callbacks or startup).
void rebuildMainFont() {
    FontState& s = fonts();
    ImGuiIO& io = ImGui::GetIO();
    ImFontAtlas* atlas = io.Fonts;
    ImFont* old = io.FontDefault ? io.FontDefault : (atlas->Fonts.empty() ? nullptr : atlas->Fonts[0]);

    ImFont* font = nullptr;
    auto latin = s.bytes.find("ui-latin");
    if (latin != s.bytes.end()) {
        ImFontConfig cfg;
        cfg.FontDataOwnedByAtlas = false;
        std::snprintf(cfg.Name, sizeof(cfg.Name), "ui-latin");
        font = atlas->AddFontFromMemoryTTF(latin->second.data, latin->second.size, kFontPixels, &cfg);
    }
    s.latin = font != nullptr;
    if (!font) {
        ImFontConfig cfg;
        cfg.SizePixels = kFontPixels;
        font = atlas->AddFontDefault(&cfg);
    }
    s.mergedCjk.clear();
    auto cjk = s.bytes.find(s.wantedCjk);
    if (!s.wantedCjk.empty() && cjk != s.bytes.end()) {
        ImFontConfig cfg;
        cfg.MergeMode = true;
        cfg.FontDataOwnedByAtlas = false;
        // Give the CJK face the Latin face's em size, as a browser does for one font-size:
        // Noto CJK's taller line box would otherwise shrink its ideographs to ~70 % of an em.
        const float latinEm = latin != s.bytes.end() ? lineHeightInEm(latin->second) : 0;
        const float cjkEm = lineHeightInEm(cjk->second);
        cfg.SizePixels = latinEm > 0 && cjkEm > 0 ? kFontPixels * cjkEm / latinEm : kFontPixels;
        std::snprintf(cfg.Name, sizeof(cfg.Name), "%s", s.wantedCjk.c_str());
        if (atlas->AddFontFromMemoryTTF(cjk->second.data, cjk->second.size, cfg.SizePixels, &cfg))
            s.mergedCjk = s.wantedCjk;
    }
    io.FontDefault = font;
    if (old && old != font) atlas->RemoveFont(old);
    wake();
}

const char* fileOf(const std::string& face) {
    if (face == "ui-latin") return "fonts/ui-latin.ttf";
    if (face == "cjk-tc") return "fonts/cjk-tc.otf";
    if (face == "cjk-kr") return "fonts/cjk-kr.otf";
    return "fonts/cjk-sc.otf";
}

}  // namespace
}  // namespace funnel::web

EM_JS(void, funnel_fetch_font_js, (const char* face, const char* url), {
    const name = UTF8ToString(face);
    const nameBytes = lengthBytesUTF8(name) + 1;
    const done = function(buf) {
        const np = _malloc(nameBytes);
        if (!np) { console.warn('Funnel: no memory for font ' + name); return; }
        stringToUTF8(name, np, nameBytes);
        let p = 0;
        let n = 0;
        if (buf) {
            n = buf.byteLength;
            p = _malloc(n);
            if (p) HEAPU8.set(new Uint8Array(buf), p);
            else n = 0;  // no memory for it: arrives as a failed fetch
        }
        Module._funnel_font_arrived(np, p, n);
        _free(np);
    };
    fetch(UTF8ToString(url)).then(function(r) {
        if (!r.ok) throw new Error('HTTP ' + r.status);
        return r.arrayBuffer();
    }).then(done).catch(function(err) {
        console.warn('Funnel: font ' + name + ' not loaded: ' + err);
        done(null);
    });
});

// Takes ownership of `data` (malloc'd by the JS above); data == nullptr means the fetch failed.
extern "C" EMSCRIPTEN_KEEPALIVE void funnel_font_arrived(const char* face, unsigned char* data, int size) {
    using namespace funnel::web;
    FontState& s = fonts();
    const std::string name = face;
    if (!data || size <= 0) {
        s.fetches[name] = Fetch::Failed;
    } else {
        s.fetches[name] = Fetch::Done;
        s.bytes[name] = FontBytes{data, size};
    }
    if (name == "ui-latin") {
        rebuildMainFont();
        if (s.onUiReady) {
            auto ready = std::move(s.onUiReady);
            s.onUiReady = nullptr;
            ready();
        }
    } else if (name == s.wantedCjk && data) {
        rebuildMainFont();
    }
}

namespace funnel::web {
namespace {

void fetchFace(const std::string& face) {
    FontState& s = fonts();
    Fetch& f = s.fetches[face];
    if (f == Fetch::Pending || f == Fetch::Done) return;
    f = Fetch::Pending;
    funnel_fetch_font_js(face.c_str(), fileOf(face));
}

}  // namespace

void loadUiFont(std::function<void()> onReady) {
    fonts().onUiReady = std::move(onReady);
    fetchFace("ui-latin");
}

std::string cjkFaceFor(const std::string& lang) {
    if (lang == "zh-Hant") return "cjk-tc";
    if (lang == "ko") return "cjk-kr";
    return "cjk-sc";
}

void useCjkFaceFor(const std::string& lang) {
    FontState& s = fonts();
    const std::string face = cjkFaceFor(lang);
    if (face == s.wantedCjk && (s.mergedCjk == face || s.fetches[face] == Fetch::Pending)) return;
    s.wantedCjk = face;
    // Until the Latin font is in, the merge would land on ImGui's fallback font: wait for it.
    if (s.bytes.count(face) && s.fetches["ui-latin"] != Fetch::Pending) rebuildMainFont();
    else fetchFace(face);
}

std::vector<std::string> loadedFonts() {
    const FontState& s = fonts();
    std::vector<std::string> names;
    names.push_back(s.latin ? "ui-latin" : "default");
    if (!s.mergedCjk.empty()) names.push_back(s.mergedCjk);
    return names;
}

}  // namespace funnel::web
