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
    bool reducedMotion = false;      // prefers-reduced-motion: nothing moves by itself

    const char* t(std::string_view key) const { return tr(key, lang); }
    void push(json command) { commands.push_back(std::move(command)); }

    // Records the last ImGui item under each key given (its visible label, its stable id): the
    // part of it that is visible, so a scrolled-away or clipped item is not reported as there.
    // A "button:…", "nav:…" or "field:…" key also becomes a node of the screen-reader tree, named
    // by the last field label (fieldLabel) for a field, else by the widget's own label; and
    // record(label, "button:…" | "nav:…" | "field:…") one named by the label given.
    void record(const std::string& key) const {
        if (!recordRect(key)) return;
        const bool field = key.rfind("field:", 0) == 0;
        if (!field && key.rfind("button:", 0) != 0 && key.rfind("nav:", 0) != 0) return;
        std::string name = field ? std::exchange(rects.label, {}) : std::string();
        if (name.empty())
            if (const char* own = funnelItemLabel(ImGui::GetItemID())) name = own;
        if (!name.empty() || field) autoDescribe(key, std::move(name));
    }
    void record(const std::string& key1, const std::string& key2) const {
        recordRect(key1);
        if (recordRect(key2)) autoDescribe(key2, key1);
        rects.label.clear();
    }

    // [SECTION] Semantics (the screen-reader tree, SemanticNode in app.h)
    // The last item, already recorded under `id`, is a `role` named `name`; `item` names the
    // ImGui item when it is not the last one.
    void describe(const std::string& id, const char* role, std::string name, const std::string& parent = {},
                  int checked = -1, ImGuiID item = 0) const {
        const auto r = rects.find(id);
        if (!r) return;  // not drawn this frame (scrolled away, clipped)
        rects.describe(SemanticNode{id, role, std::move(name), parent, *r, item ? item : ImGui::GetItemID(),
                                    ImGui::GetCurrentWindowRead()->ID, checked});
    }
    // A group (navigation, list, dialog) that later nodes name as their parent.
    void group(const std::string& id, const char* role, std::string name, Rect r = {}, const std::string& parent = {}) const {
        rects.describe(SemanticNode{id, role, std::move(name), parent, r, 0, 0, -1});
    }

private:
    bool recordRect(const std::string& key) const {
        const ImGuiWindow* w = ImGui::GetCurrentWindowRead();
        // A popup is laid out hidden in its first frame: its items are not where they will be.
        if (w->Hidden || w->HiddenFramesCannotSkipItems > 0 || w->HiddenFramesCanSkipItems > 0) return false;
        ImRect r(ImGui::GetItemRectMin(), ImGui::GetItemRectMax());
        r.ClipWithFull(w->ClipRect);
        if (r.GetWidth() < 1.0f || r.GetHeight() < 1.0f) return false;
        rects.record(key, Rect{r.Min.x, r.Min.y, r.GetWidth(), r.GetHeight()});
        return true;
    }
    void autoDescribe(const std::string& id, std::string name) const {
        if (id.rfind("button:", 0) == 0) describe(id, "button", std::move(name));
        else if (id.rfind("nav:", 0) == 0) describe(id, "button", std::move(name), "nav");
        else if (id.rfind("field:", 0) == 0) {
            int status = 0;
            funnelItemLabel(ImGui::GetItemID(), &status);
            if (status & ImGuiItemStatusFlags_Checkable)  // a checkbox (a radio says so itself)
                describe(id, "checkbox", std::move(name), {}, (status & ImGuiItemStatusFlags_Checked) ? 1 : 0);
            else {
                const bool text = (ImGui::GetCurrentContext()->LastItemData.ItemFlags & ImGuiItemFlags_Inputable) != 0;
                describe(id, text ? "textbox" : "button", std::move(name));
            }
        }
    }

public:
};

// Puts the next item, `width` wide, on this line when it fits, else on the next: rows of buttons
// wrap on a narrow screen (a phone, 200 % zoom) instead of running off its edge.
inline void sameLineOrWrap(float width, float spacing = -1.0f) {
    ImGui::SameLine(0, spacing);
    if (ImGui::GetContentRegionAvail().x < width) ImGui::NewLine();
}
inline float buttonWidth(const char* label, bool small = false) {
    return ImGui::CalcTextSize(label, nullptr, true).x + (small ? 0.0f : ImGui::GetStyle().FramePadding.x) * 2;
}

// Formatting per language (format.cpp).
std::string formatMoney(double amount, const std::string& currency, const std::string& lang);
std::string formatMoneyCompact(double amount, const std::string& currency, const std::string& lang);
// Amounts shown side by side (a total and its weighted part): all with cents when one of them has
// cents, so a line never reads "$3,011,016 · weighted $990,234.60".
std::vector<std::string> formatMoneyAlike(const std::vector<double>& amounts, const std::string& currency,
                                          const std::string& lang);
std::string formatDateShort(Date d, const std::string& lang);
std::string formatClock(Time t, int utcOffsetMinutes);  // "14:05", the time of day where the user is
std::string initialsOf(const std::string& name);

}  // namespace funnel::ui
