// Funnel — the headless UI test driver: the real App on a Workspace with no backend
// (tests/headless/headless_app.h), fed mouse and keyboard events and stepped frame by frame. Items are found through
// the rectangles the views record (App::itemRects), by visible label or stable id.
#pragma once

#include <string>

#include <imgui.h>

#include "headless_app.h"

namespace funnel::test {

class UiDriver {
public:
    explicit UiDriver(Document doc, const std::string& lang = "en", ImVec2 size = ImVec2(1400, 900));
    ~UiDriver();
    UiDriver(const UiDriver&) = delete;
    UiDriver& operator=(const UiDriver&) = delete;

    // One frame: NewFrame → App::draw → Render → App::applyFrame. Input queued before it is seen in it.
    void frame();
    void frames(int n);

    bool has(const std::string& key) const;
    ui::Rect rect(const std::string& key) const;   // fails the test when the item was not drawn
    ImVec2 center(const std::string& key) const;

    void moveTo(ImVec2 p);
    void click(const std::string& key, ImGuiMouseButton button = ImGuiMouseButton_Left);
    void clickAt(ImVec2 p, ImGuiMouseButton button = ImGuiMouseButton_Left);
    void fastClick(const std::string& key);        // move, press, release all before one frame
    // Press on `from`, move in steps to `to`, release: ImGui's drag and drop as a person does it.
    void drag(ImVec2 from, ImVec2 to);
    void type(const std::string& utf8);            // into the focused field
    void press(ImGuiKey key, ImGuiKeyChord mods = 0);

    Workspace& workspace() { return headless_.workspace(); }
    const Document& doc() const { return headless_.workspace().document(); }
    ui::App& app() { return headless_.app(); }
    Time now = 1764288000000;                       // 2025-11-28T00:00:00Z, fixed for repeatable tests

private:
    HeadlessApp headless_;
};

}  // namespace funnel::test
