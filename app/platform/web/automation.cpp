// window.funnel, the C side: each call takes and returns JSON text (web/funnel-shell.js wraps
// them into the JS API documented in README.md). Nothing here throws: input is parsed with
// json::parse(s, nullptr, false) and errors come back as {"ok":false,"error":…}.
#include <string>

#include <emscripten.h>

#include "core/codec.h"
#include "platform/web/fonts.h"
#include "platform/web/input.h"
#include "platform/web/sync.h"
#include "platform/web/tab.h"

namespace {

using funnel::json;

// The returned pointer stays valid until the next call (the JS wrapper copies it at once).
const char* reply(const json& j) {
    static std::string out;
    out = funnel::dumpJson(j);
    return out.c_str();
}

json answer(const funnel::CommandResult& r) {
    if (!r.ok) return json{{"ok", false}, {"error", r.error}};
    return json{{"ok", true}, {"result", r.result.is_null() ? json::object() : r.result}};
}

}  // namespace

extern "C" {

EMSCRIPTEN_KEEPALIVE const char* funnel_api_snapshot() {
    return reply(funnel::encodeDocument(funnel::web::tab().workspace.document()));
}

EMSCRIPTEN_KEEPALIVE const char* funnel_api_command(const char* text) {
    // The codec's limits (size, depth 64, string length, array size) before any DOM exists:
    // nlohmann's parser and dump() recurse, so a deeply nested command must never reach them.
    if (std::string why = funnel::checkLimits(text ? std::string_view(text) : std::string_view()); !why.empty())
        return reply(json{{"ok", false}, {"error", "command: " + why}});
    json command = json::parse(text, nullptr, false);
    if (command.is_discarded() || !command.is_object())
        return reply(json{{"ok", false}, {"error", "command: expected a JSON object"}});
    funnel::web::Tab& t = funnel::web::tab();
    const funnel::CommandResult r = t.workspace.perform(command, funnel::web::commandContext());
    funnel::web::wake();
    return reply(answer(r));
}

EMSCRIPTEN_KEEPALIVE const char* funnel_api_undo() {
    const funnel::CommandResult r = funnel::web::tab().workspace.undo(funnel::web::commandContext());
    funnel::web::wake();
    return reply(answer(r));
}

EMSCRIPTEN_KEEPALIVE const char* funnel_api_redo() {
    const funnel::CommandResult r = funnel::web::tab().workspace.redo(funnel::web::commandContext());
    funnel::web::wake();
    return reply(answer(r));
}

EMSCRIPTEN_KEEPALIVE const char* funnel_api_item_rect(const char* label) {
    const auto r = funnel::web::tab().app.itemRects().find(label);
    if (!r) return "null";
    const float s = funnel::web::uiScale();  // ImGui's coordinates → CSS px
    return reply(json{{"x", r->x * s}, {"y", r->y * s}, {"w", r->w * s}, {"h", r->h * s}});
}

// All labels and ids recorded in the last frame (for test diagnostics).
EMSCRIPTEN_KEEPALIVE const char* funnel_api_item_keys() {
    json keys = json::array();
    for (const auto& [key, rect] : funnel::web::tab().app.itemRects().all()) keys.push_back(key);
    return reply(keys);
}

EMSCRIPTEN_KEEPALIVE const char* funnel_api_stats() {
    const funnel::web::Tab& t = funnel::web::tab();
    json fonts = json::array();
    for (const std::string& f : funnel::web::loadedFonts()) fonts.push_back(f);
    return reply(json{{"frames", t.stats.frames},
                      {"lastFrameMs", t.stats.lastFrameMs},
                      {"firstFrameMs", t.stats.firstFrameMs},
                      {"fontsLoaded", fonts},
                      {"heapBytes", double(__builtin_wasm_memory_size(0)) * 65536.0},
                      {"deals", t.workspace.document().deals.size()},
                      {"language", t.app.language()},
                      {"route", t.app.route()}});
}

// CPU ms of every frame drawn since the last call with reset (benchmarks: scripts/bench).
EMSCRIPTEN_KEEPALIVE const char* funnel_api_frame_times(const char* reset) {
    funnel::web::Tab& t = funnel::web::tab();
    json out = json::array();
    for (float ms : t.stats.recentMs) out.push_back(ms);
    if (std::string(reset) == "1") t.stats.recentMs.clear();
    return reply(out);
}

EMSCRIPTEN_KEEPALIVE void funnel_api_open(const char* route) {
    funnel::web::tab().app.open(route);
    funnel::web::wake();
}

EMSCRIPTEN_KEEPALIVE void funnel_api_set_language(const char* lang) {
    funnel::web::setLanguageOverride(lang);
}

// [SECTION] Team sync (window.funnel.sync; see app/platform/web/sync.h)
EMSCRIPTEN_KEEPALIVE const char* funnel_api_sync_setup(const char* text) {
    if (std::string why = funnel::checkLimits(text ? std::string_view(text) : std::string_view()); !why.empty())
        return reply(json{{"ok", false}, {"error", "sync setup: " + why}});
    const json options = json::parse(text, nullptr, false);
    const std::string error = funnel::web::teamLink().setup(options);
    funnel::web::wake();
    if (!error.empty()) return reply(json{{"ok", false}, {"error", error}});
    return reply(json{{"ok", true}});
}

// {"started": true, "ticket": n}: the JS wrapper's promise is answered when sync n finished;
// {"started": false, "result": {…}}: answered at once (not set up, offline, no password/token).
EMSCRIPTEN_KEEPALIVE const char* funnel_api_sync_run() {
    funnel::web::TeamLink& link = funnel::web::teamLink();
    const json st = link.statusJson(funnel::web::tab().workspace);
    auto notRun = [](const char* error) {
        json result = {{"ok", false}, {"error", error}, {"attempts", 0}, {"in", 0}, {"out", 0}};
        if (std::string(error) == "sync.offline") result["offline"] = true;
        return reply(json{{"started", false}, {"result", result}});
    };
    if (!st.value("configured", false)) return notRun("sync.off");
    if (!st.value("online", true)) return notRun("sync.offline");
    if (st.value("error", "") == "sync.error.secret_missing" && st.value("state", "") == "error")
        return notRun("sync.error.secret_missing");
    const int ticket = link.runTicket();
    link.syncNow();
    funnel::web::wake();
    return reply(json{{"started", true}, {"ticket", ticket}});
}

EMSCRIPTEN_KEEPALIVE const char* funnel_api_sync_status() {
    return reply(funnel::web::teamLink().statusJson(funnel::web::tab().workspace));
}

EMSCRIPTEN_KEEPALIVE const char* funnel_api_sync_stop() {
    funnel::web::teamLink().handle(funnel::ui::SyncRequest{funnel::ui::SyncRequest::Kind::Stop, {}, {}, false, {}, {}, {}},
                                   funnel::web::tab().workspace);
    return reply(json{{"ok", true}});
}

}  // extern "C"
