// Funnel — the application's views as one object the platform drives each frame.
//
// The platform owns the ImGui context, fonts and backends; each frame it calls
//   ImGui::NewFrame(); app.draw(); ImGui::Render(); workspace.applyQueued(ctx);
// draw() reads the workspace's document and only queues commands on it.
#pragma once

#include <optional>
#include <string>
#include <unordered_map>

#include "core/workspace.h"

namespace funnel::ui {

struct Rect {
    float x = 0, y = 0, w = 0, h = 0;
};

// Screen rectangles (in ImGui display coordinates) of the items drawn in the last frame, under
// their visible label and under their stable id ("deal:<id>", "stage:<id>", "button:new-deal",
// "field:deal.title", …). Used by window.funnel.itemRect() and the headless UI test driver.
class ItemRects {
public:
    void clear() { rects_.clear(); }
    void record(const std::string& key, Rect r) { rects_[key] = r; }
    std::optional<Rect> find(const std::string& key) const {
        auto it = rects_.find(key);
        if (it == rects_.end()) return std::nullopt;
        return it->second;
    }
    const std::unordered_map<std::string, Rect>& all() const { return rects_; }

private:
    std::unordered_map<std::string, Rect> rects_;
};

// How storage is doing, shown in the status bar ("Saving…", "Saved", "Not saved: …").
struct SaveStatus {
    enum class State { Idle, Saving, Saved, Failed } state = State::Idle;
    std::string message;      // user-language text for Failed
};

class App {
public:
    explicit App(Workspace& workspace);

    // Language of the UI: "en", "zh-Hans", "zh-Hant" or "ko" (anything else → "en").
    void setLanguage(const std::string& lang);
    const std::string& language() const { return lang_; }
    void setDarkTheme(bool dark);
    void setSaveStatus(SaveStatus s) { saveStatus_ = std::move(s); }

    // Routes: "#/board", "#/board/<pipelineId>", "#/deal/<id>", "#/customers", "#/customer/<id>",
    // "#/today", "#/settings". Unknown routes open the board.
    void open(const std::string& route);
    const std::string& route() const { return route_; }

    // Draws every window of the current route. Call between NewFrame() and Render().
    void draw();

    const ItemRects& itemRects() const { return rects_; }
    // True while something animates (drag in flight, toast fading): keep drawing frames.
    bool animating() const { return animating_; }

private:
    Workspace& ws_;
    std::string lang_ = "en";
    std::string route_ = "#/board";
    bool dark_ = false;
    bool animating_ = false;
    SaveStatus saveStatus_;
    ItemRects rects_;
};

}  // namespace funnel::ui
