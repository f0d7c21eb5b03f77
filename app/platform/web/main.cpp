// Funnel's browser entry point and frame loop.
//
// Frames are drawn on demand, not in a free-running loop: wake() asks for a few animation
// frames after every input, API call, font arrival or storage event, and the loop keeps going
// only while the app animates. An idle tab draws nothing (window.funnel.stats().frames stays put).
//
// Startup: WebGL2 context → ImGui → text agent + input → fetch the Latin font and open storage
// (both async) → the first frame once both answered → the CJK face in the background.
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <string>

#include <emscripten.h>
#include <emscripten/html5.h>
#include <imgui.h>

#include "core/codec.h"
#include "core/demo.h"
#include "core/model.h"
#include "core/snapshot.h"
#include "platform/web/fonts.h"
#include "platform/web/input.h"
#include "platform/web/persistence.h"
#include "platform/web/renderer.h"
#include "platform/web/replica_slot.h"
#include "platform/web/data.h"
#include "platform/web/semantics.h"
#include "platform/web/share.h"
#include "platform/web/sync.h"
#include "platform/web/tab.h"
#include "platform/web/text_agent.h"
#include "ui/strings.h"


namespace funnel::web {
namespace {

constexpr const char* kCanvas = "#canvas";

struct Loop {
    EMSCRIPTEN_WEBGL_CONTEXT_HANDLE gl = 0;
    bool running = false;        // fonts and document are in: frames may be drawn
    bool scheduled = false;      // an animation frame is requested
    int framesLeft = 0;
    double lastFrameAt = 0;      // performance.now() of the previous frame
    int fbWidth = 0, fbHeight = 0;
    bool fontReady = false;
    bool slotReady = true;       // false while this tab's replica slot is being claimed
    std::string appliedLanguage;
    std::string languageOverride;// ?lang= or window.funnel.setLanguage
    std::string browserLanguage;
    std::string lastRoute;
    std::string lastTitle;
    bool demo = false;           // ?demo: a sample funnel in its own store, never the user's data
    int benchDeals = 0;          // ?bench=<n>: a demo of n deals in memory only (scripts/bench)
    int benchStoreDeals = 0;     // ?benchStore=<n>: an EMPTY store starts with an n-deal demo
    Persistence persistence;
    bool storageTimer = false;   // tickStorage is scheduled
    // A shared snapshot on screen (#/snapshot/ link, or a file opened or dropped): read-only, in
    // memory only. Nothing is recorded to storage, other tabs' saves are not applied, the URL
    // is left alone. Leaving it reloads the page: the visitor's own funnel, as stored.
    bool snapshotView = false;
    bool storageOpen = false;    // persistence was opened ("main" or "demo")
    bool ownBlank = false;       // the visitor's own document had no data when the snapshot opened
    Document snapshotCopy;       // "Save a copy as my funnel": waiting for the store to answer
    bool savingCopy = false;     // the copy is being written; leave the snapshot once it is saved
};

Loop& loop() {
    static Loop l;
    return l;
}

Time nowMs() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

int utcOffsetMinutes() {
    return EM_ASM_INT({ return -new Date().getTimezoneOffset(); });
}

// [SECTION] JS glue
// Leaving the demo opens the same page without ?demo: the visitor's own (separate) store.
EM_JS(void, funnel_leave_demo_js, (), {
    const u = new URL(location.href);
    u.searchParams.delete('demo');
    u.hash = "";
    location.href = u.href;
});
// A link from the canvas (a contact's tel: or mailto:) opens as a link would: through an <a>
// clicked within the user's gesture, so the browser hands it to the phone or mail app.
EM_JS(void, funnel_open_url_js, (const char* url), {
    const u = UTF8ToString(url);
    if (!/^(tel|mailto):/i.test(u)) return;
    const a = document.createElement('a');
    a.href = u;
    a.rel = 'noopener';
    a.style.display = 'none';
    document.body.appendChild(a);
    a.click();
    a.remove();
});
EM_JS(char*, funnel_page_setting_js, (const char* key), {
    const v = (Module.funnelPage && Module.funnelPage[UTF8ToString(key)]) || "";
    const n = lengthBytesUTF8(v) + 1;
    const p = _malloc(n);
    stringToUTF8(v, p, n);
    return p;
});

EM_JS(void, funnel_first_frame_js, (), {
    if (Module.funnelFirstFrame) Module.funnelFirstFrame();
});

EM_JS(void, funnel_set_page_language_js, (const char* lang), {
    document.documentElement.lang = UTF8ToString(lang);
});

EM_JS(void, funnel_set_title_js, (const char* title), {
    document.title = UTF8ToString(title);
});

// The hash the app itself last wrote: its own 'hashchange' arrives later, after the app may have
// moved on (funnel.open, a click), and must not take the app back to where it was.
EM_JS(void, funnel_set_hash_js, (const char* route), {
    const r = UTF8ToString(route);
    Module.funnelWrittenHash = r;
    if (location.hash !== r && !(location.hash === "" && r === '#/board')) location.hash = r;
});

// A window moved to a screen of another density changes devicePixelRatio without a resize.
EM_JS(void, funnel_watch_density_js, (), {
    const watch = function() {
        const mq = matchMedia("(resolution: " + window.devicePixelRatio + "dppx)");
        mq.addEventListener("change", function() { Module._funnel_wake(); watch(); }, { once: true });
    };
    watch();
    // The resolution query's change event is not always sent (seen under load in headless
    // Chromium); the canvas's size in device pixels changes with the ratio too.
    try {
        new ResizeObserver(function() { Module._funnel_wake(); })
            .observe(document.getElementById("canvas"), { box: "device-pixel-content-box" });
    } catch (e) {}
    // Both are checked by Chromium only when it renders, and an idle page may not render for a
    // long while after the ratio changed (browser zoom through DevTools, seen in e2e): a cheap
    // look once a second wakes the loop only when the ratio really changed.
    let ratio = window.devicePixelRatio;
    setInterval(function() {
        if (window.devicePixelRatio !== ratio) {
            ratio = window.devicePixelRatio;
            Module._funnel_wake();
        }
    }, 1000);
});

// The device's light/dark choice, live: followed while settings.theme is "system".
EM_JS(void, funnel_watch_color_scheme_js, (), {
    const mq = matchMedia("(prefers-color-scheme: dark)");
    const tell = function() { Module._funnel_set_system_dark(mq.matches ? 1 : 0); };
    mq.addEventListener("change", tell);
    tell();
});

// Pinch zoom changes the visual viewport only; prefers-reduced-motion, live.
EM_JS(void, funnel_watch_zoom_and_motion_js, (), {
    if (window.visualViewport) window.visualViewport.addEventListener("resize", function() { Module._funnel_wake(); });
    const mq = matchMedia("(prefers-reduced-motion: reduce)");
    const tell = function() { Module._funnel_set_reduced_motion(mq.matches ? 1 : 0); };
    mq.addEventListener("change", tell);
    tell();
});

EM_JS(void, funnel_watch_hash_js, (), {
    window.addEventListener('hashchange', function() {
        if (location.hash.indexOf('#/snapshot/') === 0) { location.reload(); return; }
        const h = location.hash || '#/board';
        if (h === Module.funnelWrittenHash) return;  // the echo of the app's own write
        const n = lengthBytesUTF8(h) + 1;
        const p = _malloc(n);
        stringToUTF8(h, p, n);
        Module._funnel_api_open(p);
        _free(p);
    });
});

std::string pageSetting(const char* key) {
    char* p = funnel_page_setting_js(key);
    std::string s = p;
    std::free(p);
    return s;
}

// [SECTION] Language
// ?lang= or the API wins; then the document's setting; then the browser's languages.
void followLanguage() {
    Loop& l = loop();
    Tab& t = tab();
    if (!l.appliedLanguage.empty() && t.app.language() != l.appliedLanguage)
        l.languageOverride = t.app.language();   // the views switched it themselves
    std::string want = l.languageOverride;
    if (want.empty()) want = t.workspace.document().settings.language;
    if (want.empty()) want = l.browserLanguage;
    if (want != t.app.language() || l.appliedLanguage.empty()) t.app.setLanguage(want);
    if (t.app.language() != l.appliedLanguage) {
        l.appliedLanguage = t.app.language();
        funnel_set_page_language_js(l.appliedLanguage.c_str());
        useCjkFaceFor(l.appliedLanguage);
        wake();
    }
}

void ensureStorageTick();
void pageRequest(ui::App::PageRequest r, Time now);

// The page title follows the screen: "Deal title · Funnel", "Customers · Funnel", …
std::string pageTitle() {
    const Tab& t = tab();
    const std::string& lang = t.app.language();
    const std::string& route = t.app.route();
    const std::string app = ui::tr("app.name", lang);
    auto after = [&](const char* prefix) -> std::string {
        const std::size_t n = std::char_traits<char>::length(prefix);
        return route.compare(0, n, prefix) == 0 ? route.substr(n) : std::string();
    };
    std::string screen;
    if (std::string id = after("#/deal/"); !id.empty()) {
        if (const Deal* d = t.workspace.document().findDeal(id)) screen = d->title;
    } else if (std::string cid = after("#/customer/"); !cid.empty()) {
        if (const Customer* c = t.workspace.document().findCustomer(cid)) screen = c->name;
    } else if (route.rfind("#/customers", 0) == 0) {
        screen = ui::tr("nav.customers", lang);
    } else if (route.rfind("#/today", 0) == 0) {
        screen = ui::tr("nav.today", lang);
    } else if (route.rfind("#/reports", 0) == 0) {
        screen = ui::tr("nav.reports", lang);
    } else if (route.rfind("#/settings", 0) == 0) {
        screen = ui::tr("nav.settings", lang);
    } else {
        screen = ui::tr("nav.board", lang);
    }
    return screen.empty() ? app : screen + " · " + app;
}

// [SECTION] Frame
// The canvas's pixels follow devicePixelRatio (browser zoom, Ctrl +/−, a denser screen) times
// the pinch zoom (visualViewport.scale), so text is rasterised at the size it is seen at: ImGui
// 1.92 bakes glyphs at DisplayFramebufferScale. A UI scale (input.h; 1 until Settings offers
// one) lays the UI out in CSS px / scale. The canvas never exceeds 8192 device pixels a side.
EM_JS(double, funnel_pinch_scale_js, (), {
    const v = window.visualViewport;
    return v && v.scale > 1 ? v.scale : 1;
});

void fitCanvas() {
    Loop& l = loop();
    double cssW = 0, cssH = 0;
    emscripten_get_element_css_size(kCanvas, &cssW, &cssH);
    cssW = std::max(1.0, cssW);
    cssH = std::max(1.0, cssH);
    double density = emscripten_get_device_pixel_ratio() * std::min(4.0, funnel_pinch_scale_js());
    density = std::min(density, 8192.0 / std::max(cssW, cssH));
    const int fbW = std::max(1, int(cssW * density + 0.5));
    const int fbH = std::max(1, int(cssH * density + 0.5));
    if (fbW != l.fbWidth || fbH != l.fbHeight) {
        emscripten_set_canvas_element_size(kCanvas, fbW, fbH);
        l.fbWidth = fbW;
        l.fbHeight = fbH;
    }
    const double scale = uiScale();
    ImGuiIO& io = ImGui::GetIO();
    io.DisplaySize = ImVec2(float(cssW / scale), float(cssH / scale));
    io.DisplayFramebufferScale = ImVec2(float(fbW / (cssW / scale)), float(fbH / (cssH / scale)));
}

void showSaveStatus() {
    Tab& t = tab();
    if (loop().snapshotView && !loop().savingCopy) {
        t.app.setSaveStatus({});
        return;
    }
    ui::SaveStatus s = loop().persistence.status();
    if (!t.storageError.empty() && s.state != ui::SaveStatus::State::Failed) {
        s.state = ui::SaveStatus::State::Failed;
        s.message = t.storageError;
    }
    t.app.setSaveStatus(s);
}

void drawFrame() {
    Loop& l = loop();
    Tab& t = tab();
    const double start = emscripten_get_now();
    followLanguage();
    fitCanvas();
    ImGuiIO& io = ImGui::GetIO();
    // Real elapsed time even after a long idle gap: ImGui times double-clicks with it.
    io.DeltaTime = l.lastFrameAt > 0 ? float(std::max(1e-4, (start - l.lastFrameAt) / 1000.0)) : 1.0f / 60.0f;
    l.lastFrameAt = start;

    const Time now = nowMs();
    t.app.setClock(now, utcOffsetMinutes());
    t.app.setComposition(composingText());
    showSaveStatus();
    t.app.setSyncStatus(teamLink().status(t.workspace));
    ImGui::NewFrame();
    semanticsBeforeDraw();
    t.app.draw();
    ImGui::Render();
    semanticsAfterDraw(t.app.itemRects(), t.app.takeAnnouncements(), uiScale());
    const auto results = t.app.applyFrame(commandContext());
    if (!results.empty()) wake();   // show what the commands changed
    // Team sync requests of the views (set up, sync now, stop, resolve a conflict); a snapshot
    // being looked at neither syncs nor saves.
    std::vector<ui::SyncRequest> syncRequests = t.app.takeSyncRequests();
    if (!l.snapshotView) {
        for (const ui::SyncRequest& r : syncRequests) teamLink().handle(r, t.workspace);
        persistUnsaved();
    }

    emscripten_webgl_make_context_current(l.gl);
    render(ImGui::GetDrawData(), l.fbWidth, l.fbHeight, ImGui::GetStyle().Colors[ImGuiCol_WindowBg]);

    if (t.app.route() != l.lastRoute) {
        l.lastRoute = t.app.route();
        if (!l.snapshotView) funnel_set_hash_js(l.lastRoute.c_str());  // a snapshot link keeps its URL
        wake(3);  // a new screen settles over its first frames (a scroll to its section) without input
    }
    pageRequest(t.app.takePageRequest(), now);
    if (std::string title = pageTitle(); title != l.lastTitle) {
        l.lastTitle = std::move(title);
        funnel_set_title_js(l.lastTitle.c_str());
    }
    t.stats.frames++;
    t.stats.lastFrameMs = emscripten_get_now() - start;
    if (t.stats.recentMs.size() < 100000) t.stats.recentMs.push_back(static_cast<float>(t.stats.lastFrameMs));
    if (!t.started) {
        t.started = true;
        t.stats.firstFrameMs = emscripten_get_now();
        funnel_first_frame_js();
    }
}

EM_BOOL onAnimationFrame(double, void*) {
    Loop& l = loop();
    l.scheduled = false;
    drawFrame();
    if (l.framesLeft > 0) l.framesLeft--;
    if (tab().app.animating()) l.framesLeft = std::max(l.framesLeft, 1);
    if (l.framesLeft > 0) {
        l.scheduled = true;
        emscripten_request_animation_frame(onAnimationFrame, nullptr);
    }
    return EM_FALSE;
}

// Storage runs on its own timer, only while it has work, so pending saves never keep frames
// drawing and an idle tab has no timer at all.
void tickStorage(void*) {
    Loop& l = loop();
    const auto before = l.persistence.status().state;
    const bool pending = l.persistence.tick(nowMs());
    if (!l.snapshotView) {
        for (json& c : l.persistence.takeIncoming()) {
            tab().workspace.applyExternal(c, commandContext());
            wake();
        }
        // Another tab's concurrent edit is merged as an entry of ours (workspace.h): store it now,
        // also in a hidden tab that draws no frames.
        if (tab().workspace.hasUnsaved()) persistUnsaved();
    }
    if (l.savingCopy) {
        const auto state = l.persistence.status().state;
        if (state == ui::SaveStatus::State::Saved) {
            l.savingCopy = false;
            leaveSnapshot();       // the copy is stored: open it as the visitor's own funnel
        } else if (state == ui::SaveStatus::State::Failed) {
            l.savingCopy = false;
            tab().app.setNotice("snapshot.save_failed", l.persistence.status().message);
            wake();
        }
    }
    if (l.persistence.status().state != before) wake(1);
    l.storageTimer = pending;
    if (pending) emscripten_set_timeout(tickStorage, 50, nullptr);
}

void ensureStorageTick() {
    Loop& l = loop();
    if (l.storageTimer) return;
    l.storageTimer = true;
    emscripten_set_timeout(tickStorage, 0, nullptr);
}

EM_BOOL onVisibility(int, const EmscriptenVisibilityChangeEvent* e, void*) {
    if (e->hidden) {
        loop().persistence.flushNow();
        ensureStorageTick();
    } else {
        wake();
    }
    return EM_FALSE;
}

void startWhenReady() {
    Loop& l = loop();
    Tab& t = tab();
    if (l.running || !l.fontReady || !t.documentLoaded || !l.slotReady) return;
    l.running = true;
    wake();
}

void startStorage() {
    Loop& l = loop();
    if (l.snapshotView) {
        // A shared link: the visitor's store is not even opened. The board waits (empty,
        // read-only) until the link is inflated and checked.
        tab().workspace.reset(Document{});
        tab().workspace.setReadOnly(true);
        readSnapshotLink(Limits{}.maxBytes);
        return;
    }
    if (l.benchDeals > 0) {
        // Benchmarks measure the views on a big document; storing it would only add noise.
        tab().workspace.reset(makeDemoDocument(42, l.benchDeals, nowMs(), ""));
        tab().documentLoaded = true;
        startWhenReady();
        return;
    }
    l.storageOpen = true;
    // Nothing is stamped before the tab knows its replica slot: the first frame waits for it.
    l.slotReady = false;
    claimReplicaSlot(l.demo ? "demo" : "main", [](int slot) {
        tab().workspace.setReplicaSlot(slot);
        loop().slotReady = true;
        startWhenReady();
        wake();
    });
    l.persistence.open(l.demo ? "demo" : "main", [](std::optional<Document> doc, std::string error) {
        Tab& tb = tab();
        Loop& lp = loop();
        if (doc) {
            tb.workspace.reset(std::move(*doc));
        } else if (lp.demo) {
            const std::string lang = lp.languageOverride.empty() ? lp.browserLanguage : lp.languageOverride;
            tb.workspace.reset(makeDemoDocument(1, 50, nowMs(), lang));
            if (error.empty()) lp.persistence.record({}, tb.workspace, nowMs());
        } else if (lp.benchStoreDeals > 0) {
            // tests/bench/store.mjs: the store's first content is a big demo, saved like any
            // new workspace; the benchmark then reloads to measure the real load path.
            tb.workspace.reset(makeDemoDocument(42, lp.benchStoreDeals, nowMs(), ""));
            if (error.empty()) lp.persistence.record({}, tb.workspace, nowMs());
        } else {
            const std::string lang = lp.languageOverride.empty() ? lp.browserLanguage : lp.languageOverride;
            Document fresh = makeDefaultDocument(nowMs(), "p-default", lang);
            useCurrencyOf(fresh.settings, lang);  // a Korean user starts in ₩, not CN¥
            tb.workspace.reset(std::move(fresh));
            if (error.empty()) lp.persistence.record({}, tb.workspace, nowMs());
        }
        tb.storageError = error;
        tb.documentLoaded = true;
        // Team sync belongs to the user's own funnel, never to the demo.
        if (!lp.demo) teamLink().open("main");
        startWhenReady();
    });
    // Persistence hooks pagehide itself; visibilitychange is ours so a visible tab redraws.
    l.persistence.onWake([] {
        ensureStorageTick();
        wake(1);
    });
    emscripten_set_visibilitychange_callback(nullptr, false, onVisibility);
    ensureStorageTick();
}

// [SECTION] Shared snapshots (share.h, core/snapshot.h)
void saveSnapshotCopy();

void pageRequest(ui::App::PageRequest r, Time /*now*/) {
    Tab& t = tab();
    using R = ui::App::PageRequest;
    switch (r) {
        case R::None: break;
        case R::LeaveDemo: funnel_leave_demo_js(); break;
        case R::DownloadFile: {
            const ui::App::FileDownload& f = t.app.pageRequestFile();
            downloadFile(f.name, f.mime, f.bytes);
            break;
        }
        case R::DownloadScreenshot: {
            // Now, in the frame that drew it: the canvas still holds the picture.
            const ui::App::FileDownload& f = t.app.pageRequestFile();
            downloadScreenshot(f.name, f.region.x, f.region.y, f.region.w, f.region.h);
            break;
        }
        case R::CopySnapshotLink: copySnapshotLink(t.app.pageRequestText()); break;
        case R::OpenSnapshotFile: pickSnapshotFile(); break;
        case R::SaveSnapshotCopy: saveSnapshotCopy(); break;
        case R::CloseSnapshot: leaveSnapshot(); break;
        case R::OpenUrl: funnel_open_url_js(t.app.pageRequestText().c_str()); break;
    }
}

// "Save a copy as my funnel" writes the snapshot into the visitor's own store only when that
// holds nothing yet (no store, or one with no customers, contacts, deals or activities).
// Otherwise it refuses and says so: a second, hidden funnel in another namespace would be
// found by no one, and merging a stranger's deals into one's own cannot be undone cleanly.
// The file download keeps the snapshot for later.
void saveSnapshotCopy() {
    Loop& l = loop();
    Tab& t = tab();
    if (!l.snapshotView || l.savingCopy) return;
    l.snapshotCopy = ownCopyOf(t.workspace.document(), SnapshotInfo{});
    if (const Pipeline* p = l.snapshotCopy.pipelines.empty() ? nullptr : &l.snapshotCopy.pipelines.front())
        l.snapshotCopy.settings.defaultPipeline = p->id;
    auto write = [](bool storeWasEmpty) {
        Loop& lp = loop();
        std::vector<json> applied;
        if (!storeWasEmpty)
            applied.push_back({{"op", "document.replace"}, {"document", encodeDocument(lp.snapshotCopy)}});
        lp.savingCopy = true;
        const Workspace copy(lp.snapshotCopy);  // its stored form seeds an empty store
        lp.persistence.record(std::move(applied), copy, nowMs());
        lp.persistence.flushNow();
        tab().app.setNotice("snapshot.saving");
        ensureStorageTick();
        wake();
    };
    if (l.storageOpen) {
        // Opened from a file in a running app: the store is open and its document was looked at.
        if (!l.ownBlank) {
            t.app.setNotice("snapshot.not_blank");
            return;
        }
        write(false);
        return;
    }
    l.storageOpen = true;
    l.persistence.open("main", [write](std::optional<Document> doc, std::string error) {
        if (!error.empty()) {
            tab().app.setNotice("snapshot.save_failed", error);
        } else if (doc && !isBlank(*doc)) {
            tab().app.setNotice("snapshot.not_blank");
        } else {
            write(!doc.has_value());
        }
        wake();
    });
    l.persistence.onWake([] {
        ensureStorageTick();
        wake(1);
    });
    ensureStorageTick();
}

}  // namespace

void openSnapshotBytes(std::string_view bytes, Arrival arrival) {
    Loop& l = loop();
    Tab& t = tab();
    OpenedSnapshot opened;
    if (arrival == Arrival::TooLarge) opened.error = SnapshotError::TooLarge;
    else if (arrival == Arrival::Damaged) opened.error = SnapshotError::Damaged;
    else opened = openSnapshot(bytes);
    if (opened.error != SnapshotError::None) {
        // Nothing changes: the view stays what it was (a link's view stays empty and read-only).
        t.app.setNotice(messageKey(opened.error), opened.detail);
    } else {
        if (!l.snapshotView) {
            // From a file, in a running app: the visitor's pending changes go to storage first;
            // from here on nothing is recorded.
            l.persistence.flushNow();
            ensureStorageTick();
            l.ownBlank = isBlank(t.workspace.document());
            l.snapshotView = true;
        }
        t.workspace.setReadOnly(false);
        t.workspace.reset(std::move(opened.document));
        t.workspace.setReadOnly(true);
        t.app.setNotice("");
        t.app.setSnapshot(opened.info);
        t.app.open("#/board");
    }
    if (!t.documentLoaded) {
        t.documentLoaded = true;
        startWhenReady();
    }
    wake();
}

void shareLinkDone(int state) {
    tab().app.setShareState(static_cast<ui::App::ShareState>(state));
    wake();
}

void persistUnsaved() {
    if (loop().snapshotView) return;  // a snapshot being looked at is never saved
    Tab& t = tab();
    std::vector<json> applied = t.workspace.takeUnsaved();
    teamLink().noteApplied(applied);   // local edits schedule a sync
    loop().persistence.record(std::move(applied), t.workspace, nowMs());
    ensureStorageTick();
}

Tab& tab() {
    static Tab t;
    return t;
}

void wake(int frames) {
    Loop& l = loop();
    l.framesLeft = std::max(l.framesLeft, frames);
    if (!l.running || l.scheduled) return;
    l.scheduled = true;
    emscripten_request_animation_frame(onAnimationFrame, nullptr);
}

void drawNow() {
    if (!loop().running) return;
    drawFrame();
}

CommandContext commandContext() {
    CommandContext ctx;
    ctx.now = nowMs();
    ctx.actor = tab().workspace.document().settings.me;
    return ctx;
}

void setLanguageOverride(const std::string& lang) {
    loop().languageOverride = lang;
    followLanguage();
    wake();
}

}  // namespace funnel::web

extern "C" EMSCRIPTEN_KEEPALIVE void funnel_wake() { funnel::web::wake(); }

extern "C" EMSCRIPTEN_KEEPALIVE void funnel_set_reduced_motion(int reduce) {
    funnel::web::tab().app.setReducedMotion(reduce != 0);
    funnel::web::wake();
}

extern "C" EMSCRIPTEN_KEEPALIVE void funnel_set_system_dark(int dark) {
    funnel::web::tab().app.setSystemDark(dark != 0);
    funnel::web::wake();
}

int main() {
    using namespace funnel::web;
    Loop& l = loop();

    EmscriptenWebGLContextAttributes attrs;
    emscripten_webgl_init_context_attributes(&attrs);
    attrs.majorVersion = 2;
    attrs.minorVersion = 0;
    attrs.alpha = false;
    attrs.antialias = false;     // ImGui antialiases its own shapes
    attrs.depth = false;
    attrs.stencil = false;
    attrs.premultipliedAlpha = false;
    l.gl = emscripten_webgl_create_context(kCanvas, &attrs);
    if (l.gl <= 0) {
        EM_ASM({ if (Module.funnelFail) Module.funnelFail('webgl2'); });
        return 1;
    }
    emscripten_webgl_make_context_current(l.gl);

    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;    // layout comes from the app, not from a file in the FS
    io.LogFilename = nullptr;
    io.BackendPlatformName = "funnel_web";
    if (!startRenderer()) {
        EM_ASM({ if (Module.funnelFail) Module.funnelFail('webgl2'); });
        return 1;
    }
    installTextAgent();
    installInput(kCanvas);
    installSemantics(EM_ASM_INT({ return new URLSearchParams(location.search).get("a11y") === "0" ? 0 : 1; }) != 0);

    l.browserLanguage = pageSetting("browserLanguage");
    l.demo = pageSetting("demo") == "1";
    l.snapshotView = pageHasSnapshotLink();
    if (l.snapshotView) l.demo = false;  // a link is the snapshot, whatever else the URL says
    tab().app.setDemo(l.demo);
    installSnapshotDrop(funnel::Limits{}.maxBytes);
    installDataDrop();  // lists (.csv .tsv .txt) dropped on the page are imported (data.cpp)
    l.benchDeals = std::clamp(std::atoi(pageSetting("bench").c_str()), 0, 1000000);
    l.benchStoreDeals = std::clamp(std::atoi(pageSetting("benchStore").c_str()), 0, 1000000);
    l.languageOverride = pageSetting("queryLanguage");
    const std::string hash = pageSetting("hash");
    tab().app.open(hash.empty() || l.snapshotView ? "#/board" : hash);
    l.lastRoute = tab().app.route();
    funnel_watch_hash_js();
    funnel_watch_density_js();
    funnel_watch_color_scheme_js();
    funnel_watch_zoom_and_motion_js();

    startStorage();
    loadUiFont([] {
        loop().fontReady = true;
        followLanguage();        // asks for the CJK face of the language, in the background
        startWhenReady();
    });
    fitCanvas();
    return 0;                    // the runtime stays alive: callbacks drive everything from here
}
