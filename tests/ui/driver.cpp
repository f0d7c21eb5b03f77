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

UiDriver::UiDriver(Document doc, const std::string& lang, ImVec2 size) : headless_(std::move(doc), lang, size, now) {
    ui::setAssertHandler(throwOnAssert);
    frame();
}

UiDriver::~UiDriver() { ui::setAssertHandler(nullptr); }

void UiDriver::frame() {
    headless_.frame(now);
    now += 16;
}

void UiDriver::frames(int n) {
    for (int i = 0; i < n; ++i) frame();
}

bool UiDriver::has(const std::string& key) const { return headless_.app().itemRects().find(key).has_value(); }

ui::Rect UiDriver::rect(const std::string& key) const {
    auto r = headless_.app().itemRects().find(key);
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
