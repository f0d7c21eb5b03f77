// Funnel — what every view gets for one frame: the document to read, the list to push commands
// onto, the language, the clock, and the item-rectangle registry. Views never change the
// document; App applies the pushed commands after the UI pass (Workspace::applyQueued).
#pragma once

#include <string>
#include <vector>

#include <imgui.h>
#include <imgui_internal.h>

#include "core/model.h"
#include "ui/app.h"
#include "ui/strings.h"
#include "ui/team_sync.h"

namespace funnel::ui {

struct Palette;

struct ViewContext {
    const Document& doc;
    std::vector<json>& commands;     // queued in order; applied after the frame
    const std::string& lang;
    Time now = 0;
    Date today = 0;
    ItemRects& rects;
    const Palette& palette;
    std::string& route;              // a view may navigate by assigning a route
    std::string& switchLanguage;     // a view may switch the UI language for this session ("" = no)
    const SyncStatus& sync;          // team sync as the platform reports it
    std::vector<SyncRequest>& syncRequests;  // what the views ask of the sync engine, in order
    int utcOffsetMinutes = 0;
    bool readOnly = false;           // a shared snapshot: hide editing (the workspace refuses it anyway)

    const char* t(std::string_view key) const { return tr(key, lang); }
    void push(json command) { commands.push_back(std::move(command)); }

    // Records the last ImGui item under each key given (its visible label, its stable id): the
    // part of it that is visible, so a scrolled-away or clipped item is not reported as there.
    void record(const std::string& key) const {
        const ImGuiWindow* w = ImGui::GetCurrentWindowRead();
        // A popup is laid out hidden in its first frame: its items are not where they will be.
        if (w->Hidden || w->HiddenFramesCannotSkipItems > 0 || w->HiddenFramesCanSkipItems > 0) return;
        ImRect r(ImGui::GetItemRectMin(), ImGui::GetItemRectMax());
        r.ClipWithFull(w->ClipRect);
        if (r.GetWidth() < 1.0f || r.GetHeight() < 1.0f) return;
        rects.record(key, Rect{r.Min.x, r.Min.y, r.GetWidth(), r.GetHeight()});
    }
    void record(const std::string& key1, const std::string& key2) const {
        record(key1);
        record(key2);
    }
};

// Formatting per language (format.cpp).
std::string formatMoney(double amount, const std::string& currency, const std::string& lang);
std::string formatMoneyCompact(double amount, const std::string& currency, const std::string& lang);
std::string formatDateShort(Date d, const std::string& lang);
std::string formatClock(Time t, int utcOffsetMinutes);  // "14:05", the time of day where the user is
std::string initialsOf(const std::string& name);

}  // namespace funnel::ui
