// The screen-reader tree (see semantics.h).
#include "platform/web/semantics.h"

#include <cfloat>
#include <cmath>
#include <cstdlib>
#include <unordered_map>
#include <unordered_set>

#include <emscripten.h>
#include <imgui.h>
#include <imgui_internal.h>

#include "core/codec.h"
#include "platform/web/input.h"
#include "platform/web/tab.h"

namespace funnel::web {
namespace {

// [SECTION] JS part: the hidden tree, its focus and activation, the live region
EM_JS(void, funnel_a11y_install_js, (), {
    const root = document.createElement("div");
    root.id = "funnel-a11y";
    // Visually hidden but in the accessibility tree: transparent, above the canvas, and never in
    // the pointer's way (the canvas gets every mouse and touch event).
    root.style.cssText = "position:fixed;inset:0;overflow:hidden;opacity:0;pointer-events:none;z-index:1";
    const live = document.createElement("div");
    live.id = "funnel-announce";
    live.setAttribute("role", "status");
    live.setAttribute("aria-live", "polite");
    live.setAttribute("aria-relevant", "additions");
    live.style.cssText = "position:fixed;left:0;top:0;width:1px;height:1px;overflow:hidden;opacity:0;pointer-events:none";
    document.body.appendChild(root);
    document.body.appendChild(live);
    const A = { root: root, live: live, byId: new Map(), quiet: false };
    Module.funnelA11y = A;
    const call = function(fn, id) {
        const n = lengthBytesUTF8(id) + 1;
        const p = _malloc(n);
        stringToUTF8(id, p, n);
        fn(p);
        _free(p);
    };
    root.addEventListener("focusin", function(e) {
        if (A.quiet || !e.target.dataset.id) return;
        call(Module._funnel_a11y_focus, e.target.dataset.id);
    });
    root.addEventListener("click", function(e) {
        let t = e.target;
        while (t && t !== root && !t.dataset.id) t = t.parentElement;
        if (!t || t === root) return;
        e.preventDefault();
        call(Module._funnel_a11y_activate, t.dataset.id);
    });
});

EM_JS(void, funnel_a11y_apply_js, (const char* text), {
    const A = Module.funnelA11y;
    if (!A) return;
    const u = JSON.parse(UTF8ToString(text));
    // Chromium names a listitem or an option by aria-label only, not by its text.
    const named = { navigation: 1, list: 1, dialog: 1, button: 1, textbox: 1, combobox: 1, radio: 1, checkbox: 1,
                    region: 1, listbox: 1, listitem: 1, option: 1 };
    const focusable = { button: 1, textbox: 1, combobox: 1, radio: 1, checkbox: 1, listitem: 1, option: 1, link: 1 };
    for (const id of u.remove) {
        const el = A.byId.get(id);
        if (el) { el.remove(); A.byId.delete(id); }
    }
    for (const n of u.set) {
        let el = A.byId.get(n.id);
        if (el && el.dataset.role !== n.role) { el.remove(); el = null; }
        if (!el) {
            el = document.createElement("div");
            el.dataset.id = n.id;
            el.dataset.role = n.role;
            el.setAttribute("role", n.role);
            if (focusable[n.role]) el.tabIndex = -1;
            A.byId.set(n.id, el);
        }
        if (named[n.role]) el.setAttribute("aria-label", n.name);
        else if (el.textContent !== n.name) el.textContent = n.name;
        if (n.role === "radio" || n.role === "checkbox") el.setAttribute("aria-checked", n.checked ? "true" : "false");
        if (n.role === "option") el.setAttribute("aria-selected", n.checked ? "true" : "false");
        if (n.role === "dialog") el.setAttribute("aria-modal", "true");
        const s = el.style;
        if (n.w > 0) {
            s.position = "absolute"; s.left = n.x + "px"; s.top = n.y + "px"; s.width = n.w + "px"; s.height = n.h + "px";
        } else {
            s.position = ""; s.width = ""; s.height = "";
        }
        el.dataset.parent = n.parent;
    }
    if (u.order) {
        for (const id of u.order) {
            const el = A.byId.get(id);
            if (!el) continue;
            const parent = (el.dataset.parent && A.byId.get(el.dataset.parent)) || A.root;
            parent.appendChild(el);
        }
    }
});

// Moves the DOM focus to a node, only while a screen reader (or a test) is inside the tree:
// the canvas and the text agent keep theirs otherwise.
EM_JS(void, funnel_a11y_follow_js, (const char* id), {
    const A = Module.funnelA11y;
    if (!A || !A.root.contains(document.activeElement)) return;
    const el = A.byId.get(UTF8ToString(id));
    if (!el || el === document.activeElement) return;
    A.quiet = true;
    el.focus({ preventScroll: true });
    A.quiet = false;
});

// Rectangles that only moved (a scroll, a drag) are sent once they have stood still for a moment:
// a screen reader needs where an item is, not every frame of its way there.
EM_JS(void, funnel_a11y_later_js, (), {
    const A = Module.funnelA11y;
    if (!A) return;
    clearTimeout(A.timer);
    A.timer = setTimeout(function() { Module._funnel_a11y_flush(); }, 150);
});

EM_JS(void, funnel_a11y_announce_js, (const char* text), {
    const A = Module.funnelA11y;
    if (!A) return;
    // Each outcome is a line of its own, added (so the same words twice are spoken twice, and
    // "Saved" right after "Moved to …" does not replace it before it is read); the last few stay.
    const line = document.createElement("div");
    line.textContent = UTF8ToString(text);
    A.live.appendChild(line);
    while (A.live.childElementCount > 3) A.live.firstElementChild.remove();
});

// [SECTION] State
struct State {
    bool enabled = false;
    std::vector<ui::SemanticNode> sent;   // the nodes as the tree has them (CSS px)
    std::vector<ui::SemanticNode> latest; // the last frame's nodes (CSS px), sent or not yet
    std::string focusWanted;              // a node focused in the tree, for the next frame
    ImGuiID lastNav = 0;
    SemanticsStats stats;
};

State& state() {
    static State s;
    return s;
}

const ui::SemanticNode* findSent(const std::string& id) {
    for (const ui::SemanticNode& n : state().latest)
        if (n.id == id) return &n;
    return nullptr;
}

// The same nodes in the same order, named alike, at most somewhere else.
bool onlyMoved(const std::vector<ui::SemanticNode>& a, const std::vector<ui::SemanticNode>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const ui::SemanticNode &x = a[i], &y = b[i];
        if (x.id != y.id || x.role != y.role || x.name != y.name || x.parent != y.parent || x.checked != y.checked ||
            x.itemId != y.itemId || x.windowId != y.windowId)
            return false;
    }
    return true;
}

json nodeJson(const ui::SemanticNode& n) {
    return json{{"id", n.id},         {"role", n.role},         {"name", n.name}, {"parent", n.parent},
                {"x", n.rect.x},      {"y", n.rect.y},          {"w", n.rect.w},  {"h", n.rect.h},
                {"checked", n.checked == 1}};
}

}  // namespace

void installSemantics(bool enabled) {
    state().enabled = enabled;
    if (enabled) funnel_a11y_install_js();
}

bool semanticsEnabled() { return state().enabled; }

SemanticsStats semanticsStats() { return state().stats; }

void semanticsBeforeDraw() {
    State& s = state();
    if (!s.enabled || s.focusWanted.empty()) return;
    if (const ui::SemanticNode* n = findSent(s.focusWanted); n && n->itemId) {
        ImGuiWindow* w = ImGui::FindWindowByID(n->windowId);
        if (w) {
            ImGui::SetFocusID(n->itemId, w);
            ImGui::GetCurrentContext()->NavCursorVisible = true;
            s.lastNav = n->itemId;   // already where the tree's focus is
        }
    }
    s.focusWanted.clear();
}

void sendLatest();

void semanticsAfterDraw(const ui::ItemRects& items, const std::vector<std::string>& announcements, float scale) {
    State& s = state();
    if (!s.enabled) return;
    // This frame's nodes in CSS px, whole pixels (sub-pixel moves are not worth an update),
    // each id once: the last description wins (an explicit describe() after record()'s own).
    const std::vector<ui::SemanticNode>& all = items.nodes();
    std::unordered_map<std::string_view, std::size_t> last;
    for (std::size_t i = 0; i < all.size(); ++i) last[all[i].id] = i;
    std::vector<ui::SemanticNode> now;
    now.reserve(last.size());
    for (std::size_t i = 0; i < all.size(); ++i) {
        const ui::SemanticNode& n = all[i];
        if (last[n.id] != i) continue;
        ui::SemanticNode c = n;
        c.rect = ui::Rect{std::round(n.rect.x * scale), std::round(n.rect.y * scale), std::round(n.rect.w * scale),
                          std::round(n.rect.h * scale)};
        now.push_back(std::move(c));
    }
    s.latest = std::move(now);
    if (s.latest != s.sent) {
        if (onlyMoved(s.latest, s.sent)) funnel_a11y_later_js();
        else sendLatest();
    }
    // The tree's focus follows ImGui's (keyboard navigation, a click, a field activated).
    const ImGuiID nav = ImGui::GetCurrentContext()->NavId;
    if (nav != s.lastNav) {
        s.lastNav = nav;
        for (const ui::SemanticNode& n : s.sent)
            if (n.itemId == nav && nav) {
                funnel_a11y_follow_js(n.id.c_str());
                break;
            }
    }
    for (const std::string& a : announcements) funnel_a11y_announce_js(a.c_str());
}

// Sends what changed from the tree's nodes to the last frame's.
void sendLatest() {
    State& s = state();
    const std::vector<ui::SemanticNode>& now = s.latest;
    if (now != s.sent) {
        std::unordered_map<std::string_view, const ui::SemanticNode*> before;
        for (const ui::SemanticNode& n : s.sent) before.emplace(n.id, &n);
        json remove = json::array(), set = json::array();
        std::unordered_set<std::string_view> present;
        bool reorder = now.size() != s.sent.size();
        for (std::size_t i = 0; i < now.size(); ++i) {
            const ui::SemanticNode& n = now[i];
            present.insert(n.id);
            auto it = before.find(n.id);
            if (it == before.end() || !(*it->second == n)) set.push_back(nodeJson(n));
            if (it == before.end() || it->second->parent != n.parent || (!reorder && s.sent[i].id != n.id)) reorder = true;
        }
        for (const ui::SemanticNode& n : s.sent)
            if (!present.count(n.id)) remove.push_back(n.id);
        json update = {{"remove", std::move(remove)}, {"set", std::move(set)}};
        if (reorder) {
            json order = json::array();
            for (const ui::SemanticNode& n : now) order.push_back(n.id);
            update["order"] = std::move(order);
        }
        funnel_a11y_apply_js(dumpJson(update).c_str());
        s.sent = now;
        s.stats.updates++;
        s.stats.nodes = static_cast<int>(s.sent.size());
    }
}

}  // namespace funnel::web

// The moved rectangles have stood still (funnel_a11y_later_js): the tree gets them.
extern "C" EMSCRIPTEN_KEEPALIVE void funnel_a11y_flush() {
    if (funnel::web::semanticsEnabled()) funnel::web::sendLatest();
}

// A node was focused in the tree (a screen reader moved to it): ImGui's focus follows.
extern "C" EMSCRIPTEN_KEEPALIVE void funnel_a11y_focus(const char* id) {
    funnel::web::state().focusWanted = id;
    funnel::web::wake();
}

// A screen reader's "activate" (a click on the node): the item is clicked where it is drawn.
extern "C" EMSCRIPTEN_KEEPALIVE void funnel_a11y_activate(const char* id) {
    const funnel::ui::SemanticNode* n = funnel::web::findSent(id);
    if (!n || n->rect.w <= 0) return;
    const float scale = funnel::web::uiScale();
    const float x = (n->rect.x + n->rect.w / 2) / scale, y = (n->rect.y + n->rect.h / 2) / scale;
    ImGuiIO& io = ImGui::GetIO();
    io.AddMouseSourceEvent(ImGuiMouseSource_Mouse);
    io.AddMousePosEvent(x, y);
    io.AddMouseButtonEvent(0, true);
    io.AddMouseButtonEvent(0, false);
    io.AddMousePosEvent(-FLT_MAX, -FLT_MAX);
    funnel::web::wake(6);
}
