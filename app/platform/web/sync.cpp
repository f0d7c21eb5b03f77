// Funnel — team sync in the browser (see sync.h): the JavaScript glue (fetch, Web Lock, device
// folder, BroadcastChannel, online/offline, timers) and TeamLink, which drives the core engine.
#include "platform/web/sync.h"

#include <emscripten.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "core/codec.h"
#include "platform/web/tab.h"

namespace funnel::web {

namespace {

constexpr Time kEditDebounceMs = 3000;  // sync this long after the last local edit
constexpr int kKeepBackups = 5;                                // refused team files kept on disk
constexpr std::size_t kBackupBytes = std::size_t(64) << 20;  // and their bytes (the newest is always kept)

// clang-format off
EM_JS(double, js_sync_now, (), { return Date.now(); });

// Mounts /funnel-device/<ns> (its own IndexedDB database: nothing here is part of the shared
// document or of the store's folder), hooks online/offline and the tabs' channel, then reads the
// settings and hands them to C++.
EM_JS(void, js_sync_init, (const char* nsPtr), {
  var S = Module.funnelSync || (Module.funnelSync = {});
  S.ns = UTF8ToString(nsPtr);
  S.dir = '/funnel-device/' + S.ns;
  // 0 when the heap cannot grow: every caller on the C++ side reads a null pointer as "".
  S.str = function(s) { var n = lengthBytesUTF8(s) + 1; var p = _malloc(n); if (p) stringToUTF8(s, p, n); return p; };
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

// The body is read as a stream and given up past maxBytes (the codec's document limit): a server
// (or anyone who can write the team file) must not make the tab buffer gigabytes first.
EM_JS(void, js_sync_fetch, (int id, const char* methodPtr, const char* urlPtr, const char* headersPtr, const char* bodyPtr, int timeoutMs, double maxBytes), {
  var S = Module.funnelSync;
  var method = UTF8ToString(methodPtr), url = UTF8ToString(urlPtr);
  var headers = JSON.parse(UTF8ToString(headersPtr));
  var init = { method: method, headers: headers, mode: 'cors', credentials: 'omit', cache: 'no-store', redirect: 'error' };
  if (method === 'PUT') init.body = UTF8ToString(bodyPtr);
  var ctrl = typeof AbortController !== 'undefined' ? new AbortController() : null;
  var timedOut = false, answered = false;
  if (ctrl) init.signal = ctrl.signal;
  var timer = setTimeout(function() { timedOut = true; if (ctrl) ctrl.abort(); }, timeoutMs);
  // kind: 0 answer, 1 timeout, 2 network error, 3 body over the limit (or no memory for it).
  var answer = function(kind, status, etag, bytes, error) {
    if (answered) return;
    answered = true;
    clearTimeout(timer);
    var b = 0;
    if (bytes && bytes.length) {
      b = _malloc(bytes.length + 1);
      if (!b) { kind = 3; status = 0; error = 'no memory for a team file of ' + bytes.length + ' bytes'; }
      else { HEAPU8.set(bytes, b); HEAPU8[b + bytes.length] = 0; }
    }
    var e = S.str(etag), x = S.str(error);
    Module['_funnel_sync_answer'](id, kind, status, e, b, b ? bytes.length : 0, x);
    _free(e); _free(b); _free(x);
  };
  var tooLarge = function(status, etag) {
    answer(3, status, etag, null, 'the team file is larger than ' + maxBytes + ' bytes');
    if (ctrl) ctrl.abort();
  };
  fetch(url, init).then(function(res) {
    var etag = res.headers.get('ETag') || "";
    if (Number(res.headers.get('Content-Length') || 0) > maxBytes) return tooLarge(res.status, etag);
    if (!res.body || !res.body.getReader) {
      return res.arrayBuffer().then(function(buf) {
        if (buf.byteLength > maxBytes) return tooLarge(res.status, etag);
        answer(0, res.status, etag, new Uint8Array(buf), "");
      });
    }
    var reader = res.body.getReader(), chunks = [], total = 0;
    var next = function() {
      return reader.read().then(function(step) {
        if (answered) return;
        if (!step.done) {
          total += step.value.length;
          if (total > maxBytes) { reader.cancel().catch(function() {}); return tooLarge(res.status, etag); }
          chunks.push(step.value);
          return next();
        }
        var all = new Uint8Array(total), at = 0;
        chunks.forEach(function(c) { all.set(c, at); at += c.length; });
        chunks = null;
        // res.text() dropped a UTF-8 byte order mark; so does this.
        if (all.length >= 3 && all[0] === 0xef && all[1] === 0xbb && all[2] === 0xbf) all = all.subarray(3);
        answer(0, res.status, etag, all, "");
      });
    };
    return next();
  }).catch(function(err) {
    answer(timedOut ? 1 : 2, 0, "", null, (err && err.name ? err.name + ': ' : "") + (err && err.message ? err.message : String(err)));
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
                                             int bodyLength, const char* error) {
    TeamSyncResponse r;
    r.kind = kind == 1   ? TeamSyncResponse::Kind::Timeout
             : kind == 2 ? TeamSyncResponse::Kind::NetworkError
             : kind == 3 ? TeamSyncResponse::Kind::TooLarge
                         : TeamSyncResponse::Kind::Answer;
    r.status = status;
    r.etag = etag ? etag : "";
    if (body && bodyLength > 0) r.body.assign(body, std::size_t(bodyLength));
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
}

void TeamLink::settingsLoaded(const std::string& settingsText, const std::string& secretText) {
    const bool first = !loaded_;
    loaded_ = true;
    if (first) findBackups();
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
        s.auth = authFrom(text(j, "auth"));
        s.user = text(j, "user");
        s.intervalS = clampInterval(number(j, "intervalS", 60));
        s.remember = flag(j, "remember");
        lastSynced = Time(number(j, "lastSyncedAt", 0));
    }
    if (!ui::plausibleSyncUrl(s.url)) s = ui::SyncSettings{};
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
            engine_.cancel();
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
        engine_.cancel();
        inFlight_ = false;
        ++fetchId_;
        finish();
    }
    saveSettings();
    reportDone(false);  // run() promises still waiting: "sync.off"
    wake();
}

void TeamLink::handle(const ui::SyncRequest& r, Workspace& ws) {
    switch (r.kind) {
        case ui::SyncRequest::Kind::Configure: configure(r.settings, r.secret, r.keepSecret); break;
        case ui::SyncRequest::Kind::SyncNow: syncNow(); break;
        case ui::SyncRequest::Kind::Stop: stop(); break;
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
    if (!o.is_object()) return "expected {url, user?, password?, token?, intervalS?, remember?}";
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
    // Only ever lowers the cap on a sync answer (the codec's document limit): for tests.
    bodyCap_ = std::size_t(std::max(0.0, number(o, "maxBytes", 0)));
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
    return configured() && settings_.auth != ui::SyncSettings::Auth::None && secret_.empty();
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
    engine_.setOptions(options());
    engine_.start(Time(js_sync_now()));
    wake();
    pump();
}

void TeamLink::pump() {
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
                      req->body.c_str(), req->timeoutMs, double(maxBodyBytes()));
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

void TeamLink::keepBackup(const std::string& text) {
    const std::string name = "rejected-" + formatTime(Time(js_sync_now())) + ".json";
    js_device_put(name.c_str(), text.data(), int(text.size()));
    backups_.push_back({name, text.size()});
    pruneBackups();
    js_device_commit(0);
}

void TeamLink::findBackups() {
    // Called once the device folder was read from IndexedDB: backups kept before this page was
    // loaded count against the limits too (they were never pruned across reloads before).
    std::vector<Backup> found;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator("/funnel-device/" + ns_, ec)) {
        const std::string name = entry.path().filename().string();
        if (name.rfind("rejected-", 0) != 0) continue;
        std::error_code sizeError;
        const auto bytes = entry.file_size(sizeError);
        found.push_back({name, sizeError ? 0 : std::size_t(bytes)});
    }
    // Names carry the UTC time (formatTime): their order is their age.
    std::sort(found.begin(), found.end(), [](const Backup& a, const Backup& b) { return a.name < b.name; });
    for (const Backup& b : backups_)  // kept in this page but not committed yet
        if (std::none_of(found.begin(), found.end(), [&](const Backup& f) { return f.name == b.name; }))
            found.push_back(b);
    backups_ = std::move(found);
    if (pruneBackups()) js_device_commit(0);
}

bool TeamLink::pruneBackups() {
    // The newest is always kept; older ones while there are at most kKeepBackups and they hold
    // at most kBackupBytes together.
    std::size_t keep = 0, bytes = 0;
    for (auto it = backups_.rbegin(); it != backups_.rend(); ++it) {
        if (keep > 0 && (int(keep) >= kKeepBackups || bytes + it->bytes > kBackupBytes)) break;
        ++keep;
        bytes += it->bytes;
    }
    const std::size_t drop = backups_.size() - keep;
    for (std::size_t i = 0; i < drop; ++i) js_device_remove(backups_[i].name.c_str());
    backups_.erase(backups_.begin(), backups_.begin() + std::ptrdiff_t(drop));
    return drop > 0;
}

std::size_t TeamLink::maxBodyBytes() const {
    const std::size_t limit = options().limits.maxBytes;
    return bodyCap_ > 0 ? std::min(bodyCap_, limit) : limit;
}

void TeamLink::finish() {
    running_ = false;
    js_sync_unlock();
    const TeamSyncStatus& st = engine_.status();
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
        const TeamSyncStatus& st = engine_.status();
        result = {{"ok", st.outcome == TeamSyncOutcome::Synced},
                  {"attempts", st.attempts},
                  {"in", st.changesIn},
                  {"out", st.changesOut},
                  {"error", st.outcome == TeamSyncOutcome::Synced ? std::string() : st.errorKey},
                  {"detail", st.errorDetail}};
        if (!backups_.empty() && st.outcome == TeamSyncOutcome::BadRemote) result["backup"] = backups_.back().name;
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
    if (running_ && engine_.wakeAt() > 0) next = std::min(next, engine_.wakeAt());
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
    if (!configured()) return s;
    const TeamSyncStatus& st = engine_.status();
    s.lastSyncedAt = std::max(lastSyncedAt_, st.lastSyncedAt);
    s.changesIn = st.changesIn;
    s.changesOut = st.changesOut;
    s.pendingOut = pendingOut_;
    s.errorKey = st.errorKey;
    s.errorDetail = st.errorDetail;
    s.retryAt = st.retryAt;
    if (!backups_.empty() && st.outcome == TeamSyncOutcome::BadRemote)
        s.errorDetail += (s.errorDetail.empty() ? "" : " — ") + std::string("backup: ") + backups_.back().name;
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
    for (const Backup& b : backups_) backups.push_back(b.name);
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
                {"attempts", engine_.status().attempts},
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
