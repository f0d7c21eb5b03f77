// Funnel — team sync in the browser (see sync.h): the JavaScript glue (fetch, Web Lock, device
// folder, BroadcastChannel, online/offline, timers) and TeamLink, which drives the core engine.
#include "platform/web/sync.h"

#include <emscripten.h>

#include <algorithm>
#include <cstdlib>

#include "core/codec.h"
#include "platform/web/folder.h"
#include "platform/web/tab.h"

namespace funnel::web {

namespace {

constexpr Time kEditDebounceMs = 3000;  // sync this long after the last local edit
constexpr int kKeepBackups = 5;

// clang-format off
EM_JS(double, js_sync_now, (), { return Date.now(); });

// Mounts /funnel-device/<ns> (its own IndexedDB database: nothing here is part of the shared
// document or of the store's folder), hooks online/offline and the tabs' channel, then reads the
// settings and hands them to C++.
EM_JS(void, js_sync_init, (const char* nsPtr), {
  var S = Module.funnelSync || (Module.funnelSync = {});
  S.ns = UTF8ToString(nsPtr);
  S.dir = '/funnel-device/' + S.ns;
  S.str = function(s) { var n = lengthBytesUTF8(s) + 1; var p = _malloc(n); stringToUTF8(s, p, n); return p; };
  S.hasIDB = false;
  try { S.hasIDB = typeof indexedDB !== 'undefined' && !!indexedDB; } catch (e) {}
  try { FS.mkdirTree(S.dir); } catch (e) {}
  if (S.hasIDB && !S.mounted) {
    try { FS.mount(IDBFS, {}, S.dir); S.mounted = true; } catch (e) { console.warn('funnel sync: cannot mount', e); }
  }
  S.syncfs = function(populate) {
    return new Promise(function(resolve, reject) {
      if (!S.mounted) return resolve();
      var timer = setTimeout(function() { reject(new Error('IndexedDB did not answer')); }, 30000);
      try {
        IDBFS.syncfs(FS.lookupPath(S.dir).node.mount, populate, function(err) { clearTimeout(timer); if (err) reject(err); else resolve(); });
      } catch (e) { clearTimeout(timer); reject(e); }
    });
  };
  S.withLock = function(name, fn) {
    if (typeof navigator !== 'undefined' && navigator.locks && navigator.locks.request) return navigator.locks.request(name, fn);
    S.chain = (S.chain || Promise.resolve()).then(fn);
    return S.chain;
  };
  S.read = function(name) {
    try { return FS.readFile(S.dir + '/' + name, { encoding: 'utf8' }); } catch (e) { return ""; }
  };
  S.load = function() {
    return S.withLock('funnel-device:' + S.ns, function() { return S.syncfs(true); })
      .catch(function(e) { console.warn('funnel sync: reading device settings', e); })
      .then(function() {
        var a = S.str(S.read('sync.json')), b = S.str(S.read('sync-secret.json'));
        Module['_funnel_sync_settings_loaded'](a, b);
        _free(a); _free(b);
      });
  };
  S.ops = [];
  S.post = function(msg) { if (S.channel) S.channel.postMessage(msg); };
  if (!S.hooked) {
    S.hooked = true;
    addEventListener('online', function() { Module['_funnel_sync_online'](1); });
    addEventListener('offline', function() { Module['_funnel_sync_online'](0); });
    if (typeof BroadcastChannel !== 'undefined') {
      S.channel = new BroadcastChannel('funnel-sync:' + S.ns);
      S.channel.onmessage = function(ev) {
        var m = ev.data || {};
        if (m.type === 'settings') {
          // Settings first, then the session's password/token that came with them.
          S.load().then(function() {
            if (m.secret) { var q = S.str(String(m.secret)); Module['_funnel_sync_secret'](q); _free(q); }
          });
        }
        else if (m.type === 'secret') { var p = S.str(String(m.secret || "")); Module['_funnel_sync_secret'](p); _free(p); }
        else if (m.type === 'hello') {
          var s = UTF8ToString(Module['_funnel_sync_session_secret']());
          if (s) S.post({ type: 'secret', secret: s });
        }
      };
    }
  }
  Module['_funnel_sync_online'](navigator.onLine === false ? 0 : 1);
  S.load().then(function() { S.post({ type: 'hello' }); });
});

// Device files: queued here, written under the device lock after bringing the mount up to date
// (a stale syncfs(false) would delete what another tab wrote), then the other tabs are told.
EM_JS(void, js_device_put, (const char* namePtr, const char* data, int len), {
  Module.funnelSync.ops.push({ name: UTF8ToString(namePtr), data: HEAPU8.slice(data, data + len) });
});
EM_JS(void, js_device_remove, (const char* namePtr), {
  Module.funnelSync.ops.push({ name: UTF8ToString(namePtr), data: null });
});
EM_JS(void, js_device_commit, (int announce), {
  var S = Module.funnelSync;
  var ops = S.ops; S.ops = [];
  S.withLock('funnel-device:' + S.ns, function() {
    return S.syncfs(true).catch(function() {}).then(function() {
      ops.forEach(function(op) {
        var path = S.dir + '/' + op.name;
        try { if (op.data) FS.writeFile(path, op.data); else FS.unlink(path); } catch (e) {}
      });
      return S.syncfs(false);
    });
  }).then(function() {
    if (announce) S.post({ type: 'settings', secret: UTF8ToString(Module['_funnel_sync_session_secret']()) });
  })
    .catch(function(e) { console.warn('funnel sync: saving device settings', e); });
});

// One sync at a time across the page's tabs: C++ is told when the lock is ours and releases it
// when its sync finished.
EM_JS(void, js_sync_lock, (), {
  var S = Module.funnelSync;
  S.withLock('funnel-sync:' + S.ns, function() {
    return new Promise(function(release) { S.release = release; Module['_funnel_sync_locked'](); });
  }).catch(function(e) { console.warn('funnel sync: lock', e); });
});
EM_JS(void, js_sync_unlock, (), {
  var S = Module.funnelSync;
  if (S.release) { var r = S.release; S.release = null; r(); }
});

EM_JS(void, js_sync_fetch, (int id, const char* methodPtr, const char* urlPtr, const char* headersPtr, const char* bodyPtr, int timeoutMs), {
  var S = Module.funnelSync;
  var method = UTF8ToString(methodPtr), url = UTF8ToString(urlPtr);
  var headers = JSON.parse(UTF8ToString(headersPtr));
  var init = { method: method, headers: headers, mode: 'cors', credentials: 'omit', cache: 'no-store', redirect: 'error' };
  if (method === 'PUT') init.body = UTF8ToString(bodyPtr);
  var ctrl = typeof AbortController !== 'undefined' ? new AbortController() : null;
  var timedOut = false;
  if (ctrl) init.signal = ctrl.signal;
  var timer = setTimeout(function() { timedOut = true; if (ctrl) ctrl.abort(); }, timeoutMs);
  var answer = function(kind, status, etag, body, error) {
    clearTimeout(timer);
    var e = S.str(etag), b = S.str(body), x = S.str(error);
    Module['_funnel_sync_answer'](id, kind, status, e, b, x);
    _free(e); _free(b); _free(x);
  };
  fetch(url, init).then(function(res) {
    var etag = res.headers.get('ETag') || "";
    return res.text().then(function(text) { answer(0, res.status, etag, text, ""); });
  }).catch(function(err) {
    answer(timedOut ? 1 : 2, 0, "", "", (err && err.name ? err.name + ': ' : "") + (err && err.message ? err.message : String(err)));
  });
});

EM_JS(void, js_sync_timer, (double ms), {
  setTimeout(function() { Module['_funnel_sync_timer'](); }, Math.max(0, ms));
});

// window.funnel.sync.run() promises: resolved when the sync numbered `upTo` (or later) finished.
EM_JS(void, js_sync_done, (double upTo, const char* resultPtr), {
  if (Module.funnelSyncDone) Module.funnelSyncDone(upTo, JSON.parse(UTF8ToString(resultPtr)));
});
// clang-format on

const char* authName(ui::SyncSettings::Auth a) {
    switch (a) {
        case ui::SyncSettings::Auth::None: return "none";
        case ui::SyncSettings::Auth::Basic: return "basic";
        case ui::SyncSettings::Auth::Bearer: return "bearer";
    }
    return "none";
}

ui::SyncSettings::Auth authFrom(const std::string& s) {
    if (s == "basic") return ui::SyncSettings::Auth::Basic;
    if (s == "bearer") return ui::SyncSettings::Auth::Bearer;
    return ui::SyncSettings::Auth::None;
}

int clampInterval(double s) { return int(std::clamp<double>(s, 10, 24 * 3600)); }

// Typed reads that never throw (exceptions are off): wrong types read as the default.
std::string text(const json& j, const char* k) {
    if (!j.is_object()) return "";
    auto it = j.find(k);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}
double number(const json& j, const char* k, double fallback) {
    if (!j.is_object()) return fallback;
    auto it = j.find(k);
    return it != j.end() && it->is_number() ? it->get<double>() : fallback;
}
bool flag(const json& j, const char* k) {
    if (!j.is_object()) return false;
    auto it = j.find(k);
    return it != j.end() && it->is_boolean() && it->get<bool>();
}

}  // namespace

// [SECTION] Exported to JavaScript

extern "C" {
EMSCRIPTEN_KEEPALIVE void funnel_sync_settings_loaded(const char* settings, const char* secret) {
    teamLink().settingsLoaded(settings ? settings : "", secret ? secret : "");
}
EMSCRIPTEN_KEEPALIVE void funnel_sync_secret(const char* secret) {
    teamLink().secretFromTab(secret ? secret : "");
}
EMSCRIPTEN_KEEPALIVE const char* funnel_sync_session_secret() {
    static std::string s;
    s = teamLink().sessionSecret();
    return s.c_str();
}
EMSCRIPTEN_KEEPALIVE void funnel_sync_online(int up) { teamLink().online(up != 0); }
EMSCRIPTEN_KEEPALIVE void funnel_sync_locked() { teamLink().locked(); }
EMSCRIPTEN_KEEPALIVE void funnel_sync_timer() { teamLink().timer(); }
EMSCRIPTEN_KEEPALIVE void funnel_sync_answer(int id, int kind, int status, const char* etag, const char* body,
                                             const char* error) {
    TeamSyncResponse r;
    r.kind = kind == 1   ? TeamSyncResponse::Kind::Timeout
             : kind == 2 ? TeamSyncResponse::Kind::NetworkError
                         : TeamSyncResponse::Kind::Answer;
    r.status = status;
    r.etag = etag ? etag : "";
    r.body = body ? body : "";
    r.error = error ? error : "";
    teamLink().answered(id, r);
}
}

// [SECTION] TeamLink

TeamLink& teamLink() {
    static TeamLink link;
    return link;
}

void TeamLink::open(const std::string& ns) {
    if (opened_) return;
    opened_ = true;
    ns_ = ns;
    js_sync_init(ns.c_str());
    folder::init(ns);
    folderSupported_ = folder::supported();
}

void TeamLink::settingsLoaded(const std::string& settingsText, const std::string& secretText) {
    const bool first = !loaded_;
    loaded_ = true;
    if (first && configured()) {
        // Set up (window.funnel.sync.setup) before this device's stored settings had arrived:
        // the setup is newer than anything stored, so it stays and is written down.
        saveSettings();
        wake();
        return;
    }
    const json j = json::parse(settingsText, nullptr, false);
    ui::SyncSettings s;
    Time lastSynced = 0;
    if (j.is_object()) {
        s.url = text(j, "url");
        if (text(j, "where") == "folder") {
            s.where = ui::SyncSettings::Where::Folder;
            s.folder = text(j, "folder");
            s.url.clear();
        }
        s.auth = authFrom(text(j, "auth"));
        s.user = text(j, "user");
        s.intervalS = clampInterval(number(j, "intervalS", 60));
        s.remember = flag(j, "remember");
        lastSynced = Time(number(j, "lastSyncedAt", 0));
    }
    if (s.where == ui::SyncSettings::Where::Folder ? s.folder.empty() : !ui::plausibleSyncUrl(s.url))
        s = ui::SyncSettings{};
    const json secret = json::parse(secretText, nullptr, false);
    const bool changed = !(s == settings_);
    const bool sameSignIn = s.url == settings_.url && s.auth == settings_.auth && s.user == settings_.user;
    if (!text(secret, "secret").empty())
        secret_ = text(secret, "secret");
    else if (!sameSignIn)
        secret_.clear();  // another tab set up another sign-in; its secret follows
    settings_ = s;
    remember_ = s.remember;
    lastSyncedAt_ = std::max(lastSyncedAt_, lastSynced);
    if (!configured()) {
        if (running_) {  // stopped in another tab
            cancelEngine();
            inFlight_ = false;
            ++fetchId_;
            finish();
        }
        wake();
        return;
    }
    if (first || changed) {
        nextIntervalAt_ = js_sync_now();  // sync once at start and after a change elsewhere
        timer();
    }
    wake();
}

void TeamLink::secretFromTab(const std::string& secret) {
    if (!configured() || secret.empty() || secret == secret_) return;
    const bool had = !secret_.empty();
    secret_ = secret;
    if (!had) {
        nextIntervalAt_ = Time(js_sync_now());
        timer();
    }
    wake();
}

TeamSyncOptions TeamLink::options() const {
    TeamSyncOptions o;
    o.url = settings_.url;
    if (settings_.auth == ui::SyncSettings::Auth::Basic)
        o.authorization = basicAuthorization(settings_.user, secret_);
    else if (settings_.auth == ui::SyncSettings::Auth::Bearer)
        o.authorization = "Bearer " + secret_;
    o.random = [] { return double(emscripten_random()); };
    return o;
}

void TeamLink::saveSettings() {
    if (configured()) {
        json j = {{"url", settings_.url},           {"auth", authName(settings_.auth)},
                  {"user", settings_.user},         {"intervalS", settings_.intervalS},
                  {"remember", settings_.remember}, {"lastSyncedAt", lastSyncedAt_}};
        if (folderMode()) {
            j["where"] = "folder";
            j["folder"] = settings_.folder;
        }
        const std::string text = dumpJson(j);
        js_device_put("sync.json", text.data(), int(text.size()));
        if (settings_.remember && !secret_.empty()) {
            const std::string s = dumpJson(json{{"secret", secret_}});
            js_device_put("sync-secret.json", s.data(), int(s.size()));
        } else {
            js_device_remove("sync-secret.json");
        }
    } else {
        js_device_remove("sync.json");
        js_device_remove("sync-secret.json");
    }
    js_device_commit(1);
}

void TeamLink::configure(const ui::SyncSettings& s, const std::string& secret, bool keepSecret) {
    const bool sameAuth = s.auth == settings_.auth && s.user == settings_.user;
    settings_ = s;
    settings_.intervalS = clampInterval(s.intervalS);
    if (!keepSecret || !sameAuth) secret_ = keepSecret ? std::string() : secret;
    if (s.auth == ui::SyncSettings::Auth::None) {
        secret_.clear();
        settings_.remember = false;
        settings_.user.clear();
    }
    remember_ = settings_.remember;
    saveSettings();
    nextIntervalAt_ = js_sync_now();
    requestSync();
}

void TeamLink::stop() {
    settings_ = ui::SyncSettings{};
    secret_.clear();
    remember_ = false;
    wanted_ = false;
    pendingOut_ = false;
    if (running_) {
        cancelEngine();
        inFlight_ = false;
        ++fetchId_;
        finish();
    }
    settings_ = ui::SyncSettings{};
    saveSettings();
    reportDone(false);  // run() promises still waiting: "sync.off"
    wake();
}

void TeamLink::handle(const ui::SyncRequest& r, Workspace& ws) {
    switch (r.kind) {
        case ui::SyncRequest::Kind::Configure: configure(r.settings, r.secret, r.keepSecret); break;
        case ui::SyncRequest::Kind::SyncNow: syncNow(); break;
        case ui::SyncRequest::Kind::Stop: stop(); break;
        case ui::SyncRequest::Kind::PickFolder: folder::pick(); break;
        case ui::SyncRequest::Kind::GrantFolder: folder::grant(); break;
        case ui::SyncRequest::Kind::Resolve:
            // Journaled like a merge; the resolution reaches the team with the next sync.
            if (ws.resolve(r.key, r.field, r.value, Time(js_sync_now()))) {
                pendingOut_ = true;
                editsDueAt_ = Time(js_sync_now()) + 500;
                timer();
            }
            break;
    }
    wake();
}

std::string TeamLink::setup(const json& o) {
    if (!o.is_object()) return "expected {url, user?, password?, token?, intervalS?, remember?} or {folder: true, intervalS?}";
    if (o.contains("folder")) {
        // The shared folder (docs/SYNC.md §8): the one picked on this device, else the picker.
        folderSupported_ = folderSupported_ || folder::supported();
        if (!folderSupported_) return "folder: this browser has no File System Access API (showDirectoryPicker)";
        folderSetupInterval_ = clampInterval(number(o, "intervalS", 60));
        folderSetupPending_ = true;
        if (!pickedFolder_.empty() && !flag(o, "pick")) folderState(pickedFolder_, folderSupported_, folderGranted_);
        else folder::pick();
        return "";
    }
    ui::SyncSettings s;
    s.url = text(o, "url");
    if (!ui::plausibleSyncUrl(s.url)) return "url: expected http(s)://…";
    std::string secret;
    if (o.contains("token") && o["token"].is_string()) {
        s.auth = ui::SyncSettings::Auth::Bearer;
        secret = o["token"].get<std::string>();
    } else if (o.contains("user") && o["user"].is_string()) {
        s.auth = ui::SyncSettings::Auth::Basic;
        s.user = o["user"].get<std::string>();
        secret = text(o, "password");
    }
    s.intervalS = clampInterval(number(o, "intervalS", 60));
    s.remember = flag(o, "remember");
    configure(s, secret, false);
    return "";
}

bool TeamLink::syncNow() {
    if (!configured()) return false;
    requestSync();
    return true;
}

void TeamLink::noteApplied(const std::vector<json>& applied) {
    if (!configured()) return;
    bool local = false;
    for (const json& e : applied)
        if (text(e, "op") != "sync.merge") local = true;
    if (!local) return;
    pendingOut_ = true;
    if (running_) editsDuringSync_ = true;
    editsDueAt_ = Time(js_sync_now()) + kEditDebounceMs;
    schedule(editsDueAt_);
}

void TeamLink::online(bool up) {
    online_ = up;
    if (up && configured()) requestSync();
    wake();
}

bool TeamLink::missingSecret() const {
    return configured() && !folderMode() && settings_.auth != ui::SyncSettings::Auth::None && secret_.empty();
}

void TeamLink::requestSync() {
    if (!configured() || !loaded_) return;
    if (missingSecret()) {
        // Not remembered and no open tab had it: ask for it (Settings) rather than send nothing.
        reportDone(false);
        return;
    }
    if (!online_) {
        // Nothing is tried offline: the edits are in the store; `online` starts the sync.
        reportDone(false);
        return;
    }
    wanted_ = true;
    if (locking_ || running_) return;
    locking_ = true;
    js_sync_lock();
}

void TeamLink::locked() {
    locking_ = false;
    if (!configured() || !wanted_) {
        js_sync_unlock();
        return;
    }
    wanted_ = false;
    running_ = true;
    ++syncNumber_;
    editsDuringSync_ = false;
    editsDueAt_ = 0;
    if (folderMode()) {
        FolderSyncOptions o;
        o.random = [] { return double(emscripten_random()); };
        folder_.setOptions(o);
        folder_.start(Time(js_sync_now()));
    } else {
        engine_.setOptions(options());
        engine_.start(Time(js_sync_now()));
    }
    wake();
    pump();
}

void TeamLink::pump() {
    while (running_ && !inFlight_ && folderMode()) {
        if (!folder_.busy()) {
            finish();
            return;
        }
        std::optional<FolderRequest> req = folder_.nextRequest(Time(js_sync_now()));
        if (!req) {
            if (folder_.wakeAt() > 0) schedule(folder_.wakeAt());
            return;
        }
        inFlight_ = true;
        folder::perform(++fetchId_, *req);
    }
    while (running_ && !inFlight_) {
        if (!engine_.busy()) {
            finish();
            return;
        }
        std::optional<TeamSyncRequest> req = engine_.nextRequest(Time(js_sync_now()));
        if (!req) {
            if (engine_.wakeAt() > 0) schedule(engine_.wakeAt());
            return;
        }
        json headers = json::object();
        for (const auto& [k, v] : req->headers) headers[k] = v;
        inFlight_ = true;
        js_sync_fetch(++fetchId_, req->method.c_str(), req->url.c_str(), dumpJson(headers).c_str(),
                      req->body.c_str(), req->timeoutMs);
    }
}

void TeamLink::answered(int id, const TeamSyncResponse& r) {
    if (id != fetchId_ || !inFlight_) return;  // answer to a request of a cancelled sync
    inFlight_ = false;
    engine_.receive(r, tab().workspace, Time(js_sync_now()));
    persistUnsaved();  // the merge is journaled now, drawn or not
    if (std::optional<std::string> bad = engine_.takeRejectedRemote()) keepBackup(*bad);
    wake();
    pump();
}

void TeamLink::folderAnswered(int id, const FolderResponse& r) {
    if (id != fetchId_ || !inFlight_ || !folderMode()) return;  // answer to a cancelled sync
    inFlight_ = false;
    folder_.receive(r, tab().workspace, Time(js_sync_now()));
    persistUnsaved();  // the merge is journaled now, drawn or not
    if (std::optional<std::string> bad = folder_.takeRejectedRemote()) keepBackup(*bad);
    wake();
    pump();
}

void TeamLink::folderState(const std::string& name, bool supported, bool granted) {
    const bool regained = granted && !folderGranted_;
    pickedFolder_ = name;
    folderSupported_ = supported;
    folderGranted_ = granted;
    if (folderSetupPending_ && !name.empty()) {
        folderSetupPending_ = false;
        ui::SyncSettings s;
        s.where = ui::SyncSettings::Where::Folder;
        s.folder = name;
        s.intervalS = folderSetupInterval_;
        configure(s, "", false);
    } else if (folderMode() && configured() && !name.empty() && name != settings_.folder) {
        settings_.folder = name;  // another folder picked: sync with that one from now on
        saveSettings();
        requestSync();
    } else if (regained && folderMode() && configured()) {
        requestSync();  // permission given again: the edits that waited go out now
    }
    wake();
}

void TeamLink::keepBackup(const std::string& text) {
    const std::string name = "rejected-" + formatTime(Time(js_sync_now())) + ".json";
    js_device_put(name.c_str(), text.data(), int(text.size()));
    backups_.push_back(name);
    while (int(backups_.size()) > kKeepBackups) {
        js_device_remove(backups_.front().c_str());
        backups_.erase(backups_.begin());
    }
    js_device_commit(0);
}

void TeamLink::finish() {
    running_ = false;
    js_sync_unlock();
    const TeamSyncStatus& st = engineStatus();
    if (st.outcome == TeamSyncOutcome::Synced) {
        if (!editsDuringSync_) pendingOut_ = false;
        lastSyncedAt_ = st.lastSyncedAt;
        saveSettings();  // remembers when this device last synced
    }
    nextIntervalAt_ = Time(js_sync_now()) + Time(settings_.intervalS) * 1000;
    reportDone(true);
    if (wanted_ || (editsDuringSync_ && editsDueAt_ == 0))
        requestSync();
    else
        timer();
    wake();
}

void TeamLink::reportDone(bool ran) {
    json result;
    if (!configured()) {
        result = {{"ok", false}, {"error", "sync.off"}, {"attempts", 0}, {"in", 0}, {"out", 0}};
    } else if (!ran && missingSecret()) {
        result = {
            {"ok", false}, {"error", "sync.error.secret_missing"}, {"attempts", 0}, {"in", 0}, {"out", 0}};
    } else if (!ran) {
        result = {{"ok", false}, {"error", "sync.offline"}, {"offline", true}, {"attempts", 0}, {"in", 0},
                  {"out", 0}};
    } else {
        const TeamSyncStatus& st = engineStatus();
        result = {{"ok", st.outcome == TeamSyncOutcome::Synced},
                  {"attempts", st.attempts},
                  {"in", st.changesIn},
                  {"out", st.changesOut},
                  {"error", st.outcome == TeamSyncOutcome::Synced ? std::string() : st.errorKey},
                  {"detail", st.errorDetail}};
        if (!backups_.empty() && st.outcome == TeamSyncOutcome::BadRemote) result["backup"] = backups_.back();
    }
    // A sync that did not run answers every waiter; one that ran answers those it covers.
    js_sync_done(double(ran ? syncNumber_ : syncNumber_ + 1), dumpJson(result).c_str());
}

int TeamLink::runTicket() const { return syncNumber_ + 1; }

void TeamLink::timer() {
    scheduledAt_ = 0;
    const Time now = Time(js_sync_now());
    if (running_ && !inFlight_) pump();
    if (!running_ && !locking_ && configured() && loaded_) {
        const bool edits = editsDueAt_ > 0 && now >= editsDueAt_;
        if (edits || (nextIntervalAt_ > 0 && now >= nextIntervalAt_)) {
            editsDueAt_ = 0;
            nextIntervalAt_ = now + Time(settings_.intervalS) * 1000;
            requestSync();
        }
    }
    if (!configured()) return;
    Time next = nextIntervalAt_;
    if (editsDueAt_ > 0) next = std::min(next, editsDueAt_);
    if (running_ && engineWakeAt() > 0) next = std::min(next, engineWakeAt());
    schedule(next);
}

void TeamLink::schedule(Time at) {
    if (at <= 0) return;
    if (scheduledAt_ > 0 && scheduledAt_ <= at) return;  // an earlier wake-up is pending
    scheduledAt_ = at;
    js_sync_timer(double(at - Time(js_sync_now())));
}

ui::SyncStatus TeamLink::status(const Workspace& ws) {
    ui::SyncStatus s;
    s.settings = settings_;
    s.hasSecret = !secret_.empty();
    s.replica = ws.replica();
    s.deviceReplica = ws.deviceReplica();
    if (ws.revision() != conflictsRevision_) {
        conflictsRevision_ = ws.revision();
        conflicts_.clear();
        conflicts_ = conflictChoices(ws.document(), ws.syncState());
    }
    s.conflicts = conflicts_;
    s.folderSupported = folderSupported_;
    s.pickedFolder = pickedFolder_;
    s.folderNeedsPermission = !pickedFolder_.empty() && !folderGranted_;
    if (!configured()) return s;
    const TeamSyncStatus& st = engineStatus();
    s.lastSyncedAt = std::max(lastSyncedAt_, st.lastSyncedAt);
    s.changesIn = st.changesIn;
    s.changesOut = st.changesOut;
    s.pendingOut = pendingOut_;
    s.errorKey = st.errorKey;
    s.errorDetail = st.errorDetail;
    s.retryAt = st.retryAt;
    if (!backups_.empty() && st.outcome == TeamSyncOutcome::BadRemote)
        s.errorDetail += (s.errorDetail.empty() ? "" : " — ") + std::string("backup: ") + backups_.back();
    using State = ui::SyncStatus::State;
    if (missingSecret() && !running_) {
        s.state = State::Error;
        s.errorKey = "sync.error.secret_missing";
        s.errorDetail.clear();
    } else if (running_ || locking_) {
        s.state = st.phase == TeamSyncPhase::WaitingRetry ? State::Waiting : State::Syncing;
    } else if (!online_) {
        s.state = State::Offline;
    } else {
        switch (st.phase) {
            case TeamSyncPhase::Offline: s.state = State::Offline; break;
            case TeamSyncPhase::Error: s.state = State::Error; break;
            default: s.state = State::Idle; break;
        }
    }
    return s;
}

json TeamLink::statusJson(const Workspace& ws) {
    const ui::SyncStatus s = status(ws);
    static const char* kStates[] = {"off", "idle", "syncing", "waiting-retry", "offline", "error"};
    json conflicts = json::array();
    for (const ConflictChoice& c : s.conflicts)
        conflicts.push_back({{"key", c.logged.key},
                             {"field", c.logged.field},
                             {"value", c.logged.value},
                             {"stamp", c.logged.stamp},
                             {"current", c.current},
                             {"currentStamp", c.currentStamp}});
    json backups = json::array();
    for (const std::string& b : backups_) backups.push_back(b);
    return json{{"configured", configured()},
                {"url", s.settings.url},
                {"auth", authName(s.settings.auth)},
                {"user", s.settings.user},
                {"intervalS", s.settings.intervalS},
                {"remember", s.settings.remember},
                {"hasSecret", s.hasSecret},
                {"online", online_},
                {"state", kStates[int(s.state)]},
                {"lastSyncedAt", s.lastSyncedAt},
                {"in", s.changesIn},
                {"out", s.changesOut},
                {"attempts", engineStatus().attempts},
                {"where", s.settings.where == ui::SyncSettings::Where::Folder ? "folder" : "server"},
                {"folder", s.pickedFolder},
                {"folderSupported", s.folderSupported},
                {"folderPermission", !s.folderNeedsPermission && !s.pickedFolder.empty()},
                {"pendingOut", s.pendingOut},
                {"error", s.errorKey},
                {"errorDetail", s.errorDetail},
                {"replica", s.replica},
                {"device", s.deviceReplica},
                {"slot", ws.replicaSlot()},
                {"conflicts", conflicts},
                {"backups", backups},
                {"syncs", syncNumber_}};
}

}  // namespace funnel::web
