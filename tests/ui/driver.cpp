// Funnel — headless UI test driver (see driver.h).
#include "driver.h"

#include <stdexcept>
#include <string>

#include <doctest/doctest.h>

#include "assert_handler.h"

namespace funnel::test {

namespace {
void throwOnAssert(const char* expr, const char* file, int line) {
    throw std::runtime_error(std::string("ImGui assertion failed: ") + expr + " at " + file + ":" + std::to_string(line));
}
}  // namespace

UiDriver::UiDriver(Document doc, const std::string& lang, ImVec2 size)
    : ctx_(ImGui::CreateContext()), ws_(std::move(doc)), app_(ws_) {
    ui::setAssertHandler(throwOnAssert);
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;
    io.LogFilename = nullptr;
    io.DisplaySize = size;
    io.DeltaTime = 1.0f / 60.0f;
    // Pretend to be a renderer that takes textures: glyphs are "uploaded" by marking them OK.
    io.BackendFlags |= ImGuiBackendFlags_RendererHasTextures;
    io.Fonts->AddFontDefault();
    app_.setLanguage(lang);
    app_.setClock(now, 0);
    frame();
}

UiDriver::~UiDriver() {
    ImGui::DestroyContext(ctx_);
    ui::setAssertHandler(nullptr);
}

void UiDriver::frame() {
    app_.setClock(now, 0);
    ImGui::NewFrame();
    app_.draw();
    ImGui::Render();
    for (ImTextureData* tex : ImGui::GetPlatformIO().Textures) {
        if (tex->Status == ImTextureStatus_WantCreate || tex->Status == ImTextureStatus_WantUpdates) {
            tex->SetTexID(static_cast<ImTextureID>(1));
            tex->SetStatus(ImTextureStatus_OK);
        } else if (tex->Status == ImTextureStatus_WantDestroy && tex->UnusedFrames > 0) {
            tex->SetTexID(ImTextureID_Invalid);
            tex->SetStatus(ImTextureStatus_Destroyed);
        }
    }
    CommandContext cc;
    cc.now = now;
    cc.actor = ws_.document().settings.me;
    app_.applyFrame(cc);
    now += 16;
}

void UiDriver::frames(int n) {
    for (int i = 0; i < n; ++i) frame();
}

bool UiDriver::has(const std::string& key) const { return app_.itemRects().find(key).has_value(); }

ui::Rect UiDriver::rect(const std::string& key) const {
    auto r = app_.itemRects().find(key);
    if (!r) FAIL("no item drawn under \"" << key << "\"");
    return *r;
}

ImVec2 UiDriver::center(const std::string& key) const {
    ui::Rect r = rect(key);
    return ImVec2(r.x + r.w / 2, r.y + r.h / 2);
}

void UiDriver::moveTo(ImVec2 p) {
    ImGui::GetIO().AddMousePosEvent(p.x, p.y);
    frame();
}

void UiDriver::clickAt(ImVec2 p, ImGuiMouseButton button) {
    moveTo(p);
    ImGui::GetIO().AddMouseButtonEvent(button, true);
    frame();
    ImGui::GetIO().AddMouseButtonEvent(button, false);
    frame();
    // A click that navigates draws the new screen in the next frame; a popup it opens is sized
    // (hidden) in that frame and shown in the one after.
    frames(2);
}

void UiDriver::click(const std::string& key, ImGuiMouseButton button) { clickAt(center(key), button); }

void UiDriver::fastClick(const std::string& key) {
    // Move, press and release before one frame, as a browser delivers a quick click.
    ImVec2 p = center(key);
    ImGuiIO& io = ImGui::GetIO();
    io.AddMousePosEvent(p.x, p.y);
    io.AddMouseButtonEvent(ImGuiMouseButton_Left, true);
    io.AddMouseButtonEvent(ImGuiMouseButton_Left, false);
    frames(4);
}

void UiDriver::drag(ImVec2 from, ImVec2 to) {
    moveTo(from);
    ImGui::GetIO().AddMouseButtonEvent(ImGuiMouseButton_Left, true);
    frame();
    const int steps = 8;
    for (int i = 1; i <= steps; ++i)
        moveTo(ImVec2(from.x + (to.x - from.x) * i / steps, from.y + (to.y - from.y) * i / steps));
    frame();
    ImGui::GetIO().AddMouseButtonEvent(ImGuiMouseButton_Left, false);
    frame();
    frame();
}

void UiDriver::type(const std::string& utf8) {
    ImGui::GetIO().AddInputCharactersUTF8(utf8.c_str());
    frame();
}

void UiDriver::press(ImGuiKey key, ImGuiKeyChord mods) {
    ImGuiIO& io = ImGui::GetIO();
    if (mods & ImGuiMod_Ctrl) io.AddKeyEvent(ImGuiMod_Ctrl, true);
    if (mods & ImGuiMod_Shift) io.AddKeyEvent(ImGuiMod_Shift, true);
    if (mods & ImGuiMod_Alt) io.AddKeyEvent(ImGuiMod_Alt, true);
    io.AddKeyEvent(key, true);
    frame();
    io.AddKeyEvent(key, false);
    if (mods & ImGuiMod_Ctrl) io.AddKeyEvent(ImGuiMod_Ctrl, false);
    if (mods & ImGuiMod_Shift) io.AddKeyEvent(ImGuiMod_Shift, false);
    if (mods & ImGuiMod_Alt) io.AddKeyEvent(ImGuiMod_Alt, false);
    frame();
}

}  // namespace funnel::test
