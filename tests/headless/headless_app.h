// Funnel — the real App on a Workspace in an ImGui context with no backend: the frame loop
// shared by the headless UI tests (tests/ui/driver.*) and the native board benchmark
// (tests/perf/board_bench.cpp). It pretends to be a renderer that takes textures (glyphs are
// "uploaded" by marking them OK), so a frame is all the CPU work of a real one but the GL calls.
#pragma once

#include <string>

#include <imgui.h>

#include "core/workspace.h"
#include "ui/app.h"

namespace funnel::test {

class HeadlessApp {
public:
    // Creates and makes current its own ImGui context with ImGui's default font.
    HeadlessApp(Document doc, const std::string& lang, ImVec2 displaySize, Time now);
    ~HeadlessApp();
    HeadlessApp(const HeadlessApp&) = delete;
    HeadlessApp& operator=(const HeadlessApp&) = delete;

    // One frame at `now`: NewFrame → App::draw → Render → textures "uploaded" → App::applyFrame.
    // Input queued on ImGui::GetIO() before it is seen in it.
    void frame(Time now);

    Workspace& workspace() { return ws_; }
    const Workspace& workspace() const { return ws_; }
    ui::App& app() { return app_; }
    const ui::App& app() const { return app_; }

private:
    ImGuiContext* ctx_ = nullptr;
    Workspace ws_;
    ui::App app_;
};

}  // namespace funnel::test
