// Funnel — the browser side of storage: IDBFS mount, save cycles under a Web Lock, other tabs'
// saves pulled in through a BroadcastChannel, quota and availability errors (see persistence.h).
//
// One save cycle, driven from JavaScript (js_storage_cycle) and always under the lock:
//   syncfs(true)  bring the mount up to date with IndexedDB (other tabs' segments, compactions)
//   lockedStep()  C++: read other tabs' segments → incoming; write our batch or a compaction
//   syncfs(false) one IndexedDB transaction with the new files and deletions
//   finished()    C++: the batch is Saved, or kept and retried
#include "platform/web/persistence.h"

#include <emscripten.h>
#include <emscripten/heap.h>

#include <algorithm>
#include <cstdio>

#include "core/codec.h"

namespace funnel::web {

namespace {

Persistence* g_active = nullptr;  // the page has one workspace; JS callbacks reach it here

constexpr double kDebounceMs = 300;      // quiet time before a batch is written
constexpr double kMaxDelayMs = 1000;     // a batch never waits longer (continuous typing)
constexpr double kPullEveryMs = 5000;    // fallback poll in case a BroadcastChannel message is lost
constexpr double kCompactIdleMs = 2000;  // compaction encodes the document: only when idle
constexpr double kMaxBackoffMs = 30000;

// clang-format off
EM_JS(double, js_storage_now, (), { return Date.now(); });

// Mounts /idb/<ns>, patches IDBFS's reconcile, hooks BroadcastChannel, visibility and the test
// hook. Returns 1 when IndexedDB looks usable.
EM_JS(int, js_storage_init, (const char* nsPtr), {
  var S = Module.funnelStore || (Module.funnelStore = {});
  S.ns = UTF8ToString(nsPtr);
  S.dir = '/idb/' + S.ns;
  S.lockName = 'funnel-store:' + S.ns;
  S.hasIDB = false;
  try { S.hasIDB = typeof indexedDB !== 'undefined' && !!indexedDB; } catch (e) { S.hasIDB = false; }

  if (!S.patched) {
    S.patched = true;
    // IDBFS 3.1.6's reconcile reports errors through the wrong `this` and never listens for
    // abort, so a quota error leaves syncfs without an answer. Same algorithm, errors reported,
    // strict durability (Saved means on disk, not merely handed to the OS).
    IDBFS.reconcile = function(src, dst, callback) {
      var create = [];
      Object.keys(src.entries).forEach(function(key) {
        var e = src.entries[key], e2 = dst.entries[key];
        if (!e2 || e['timestamp'].getTime() != e2['timestamp'].getTime()) create.push(key);
      });
      var remove = [];
      Object.keys(dst.entries).forEach(function(key) { if (!src.entries[key]) remove.push(key); });
      if (!create.length && !remove.length) return callback(null);
      var db = src.type === 'remote' ? src.db : dst.db;
      var toLocal = dst.type === 'local';
      var tx;
      try {
        tx = toLocal ? db.transaction([IDBFS.DB_STORE_NAME], 'readonly')
                     : db.transaction([IDBFS.DB_STORE_NAME], 'readwrite', { durability: 'strict' });
      } catch (e) { return callback(e); }
      var done = false;
      var finish = function(err) { if (!done) { done = true; callback(err); } };
      var fail = function(err) {
        if (done) return;
        try { tx.abort(); } catch (e) {}
        finish(err || new Error('IndexedDB transaction failed'));
      };
      tx.oncomplete = function() { finish(null); };
      tx.onabort = function() { finish(tx.error || new DOMException('IndexedDB transaction aborted', 'AbortError')); };
      tx.onerror = function(ev) { ev.preventDefault(); fail(ev.target && ev.target.error); };
      var store = tx.objectStore(IDBFS.DB_STORE_NAME);
      create.sort().forEach(function(path) {
        if (toLocal) {
          var req = store.get(path);
          req.onsuccess = function() {
            if (req.result) IDBFS.storeLocalEntry(path, req.result, function(err) { if (err) fail(err); });
          };
        } else {
          IDBFS.loadLocalEntry(path, function(err, entry) {
            if (err) return fail(err);
            try { store.put(entry, path); } catch (e) { fail(e); }
          });
        }
      });
      remove.sort().reverse().forEach(function(path) {
        if (toLocal) IDBFS.removeLocalEntry(path, function(err) { if (err) fail(err); });
        else { try { store.delete(path); } catch (e) { fail(e); } }
      });
    };
  }

  if (S.hasIDB && !S.mounted) {
    try {
      FS.mkdirTree(S.dir);
      FS.mount(IDBFS, {}, S.dir);
      S.mounted = true;
    } catch (e) {
      console.warn('funnel storage: cannot mount', e);
      S.hasIDB = false;
    }
  }
  S.syncfs = function(populate) {
    return new Promise(function(resolve, reject) {
      var timer = setTimeout(function() { reject(new DOMException('IndexedDB did not answer', 'TimeoutError')); }, 30000);
      try {
        var mount = FS.lookupPath(S.dir).node.mount;
        IDBFS.syncfs(mount, populate, function(err) {
          clearTimeout(timer);
          if (err) reject(err); else resolve();
        });
      } catch (e) { clearTimeout(timer); reject(e); }
    });
  };

  if (!S.hooked) {
    S.hooked = true;
    if (typeof BroadcastChannel !== 'undefined') {
      S.channel = new BroadcastChannel(S.lockName);
      S.channel.onmessage = function() { Module['_funnel_persist_remote_saved'](); };
    }
    if (typeof document !== 'undefined') {
      document.addEventListener('visibilitychange', function() {
        if (document.visibilityState === 'hidden') Module['_funnel_persist_flush']();
      });
    }
    if (typeof addEventListener === 'function') addEventListener('pagehide', function() { Module['_funnel_persist_flush'](); });
    try {
      if (typeof navigator !== 'undefined' && navigator.storage && navigator.storage.persist) {
        navigator.storage.persist().catch(function() {});
      }
    } catch (e) {}
    globalThis.funnelStorage = {
      status: function() { return JSON.parse(UTF8ToString(Module['_funnel_persist_status']())); },
      flush: function() { Module['_funnel_persist_flush'](); },
    };
  }
  return S.hasIDB ? 1 : 0;
});

// One save cycle under the lock (see the top of this file).
EM_JS(void, js_storage_cycle, (), {
  var S = Module.funnelStore;
  var run = function() {
    var ok = 1, name = "", wrote = 0;
    var first = S.hasIDB ? S.syncfs(true) : Promise.reject(new DOMException('IndexedDB is not available', 'UnavailableError'));
    return first.then(function() {
      wrote = Module['_funnel_persist_locked']();
      return wrote ? S.syncfs(false) : null;
    }).catch(function(e) {
      ok = 0;
      name = (e && e.name) ? e.name : String(e);
      if (e && e.inner && e.inner.name) name += '/' + e.inner.name;
      if (e && e.message && /quota/i.test(e.message)) name += '/QuotaExceededError';
      console.warn('funnel storage:', name, e && e.message ? e.message : "");
    }).then(function() {
      Module.ccall('funnel_persist_finished', null, ['number', 'string'], [ok, name]);
      if (ok && wrote && S.channel) S.channel.postMessage('saved');
    });
  };
  if (typeof navigator !== 'undefined' && navigator.locks && navigator.locks.request) {
    navigator.locks.request(S.lockName, run).catch(function(e) { console.warn('funnel storage: lock', e); });
  } else {
    S.chain = (S.chain || Promise.resolve()).then(run);  // one page at least never overlaps itself
  }
});
// clang-format on

json replaceCommand(const Document& doc) {
    return json{{"op", "document.replace"}, {"document", encodeDocument(doc)}, {"record", false}};
}

const char* stateName(ui::SaveStatus::State s) {
    switch (s) {
        case ui::SaveStatus::State::Idle: return "idle";
        case ui::SaveStatus::State::Saving: return "saving";
        case ui::SaveStatus::State::Saved: return "saved";
        case ui::SaveStatus::State::Failed: return "failed";
    }
    return "idle";
}

}  // namespace

// [SECTION] Exported to JavaScript

extern "C" {
EMSCRIPTEN_KEEPALIVE int funnel_persist_locked() { return g_active ? g_active->lockedStep() : 0; }
EMSCRIPTEN_KEEPALIVE void funnel_persist_finished(int ok, const char* errorName) {
    if (g_active) g_active->finished(ok != 0, errorName ? errorName : "");
}
EMSCRIPTEN_KEEPALIVE void funnel_persist_remote_saved() {
    if (g_active) g_active->remoteSaved();
}
EMSCRIPTEN_KEEPALIVE void funnel_persist_flush() {
    if (g_active) g_active->flushNow();
}
EMSCRIPTEN_KEEPALIVE const char* funnel_persist_status() {
    static std::string text;
    text = g_active ? g_active->statusJson() : std::string("{\"state\":\"closed\"}");
    return text.c_str();
}
}

// [SECTION] Persistence

Persistence::Persistence() = default;

Persistence::~Persistence() {
    if (g_active == this) g_active = nullptr;
}

void Persistence::open(const std::string& ns, std::function<void(std::optional<Document>, std::string)> onLoaded) {
    ns_ = ns;
    onLoaded_ = std::move(onLoaded);
    writer_ = newId();
    store::Options opt;
    opt.writer = writer_;
    store_ = std::make_unique<store::Store>("/idb/" + ns, opt);
    g_active = this;
    phase_ = Phase::Opening;
    status_ = {ui::SaveStatus::State::Idle, ""};
    js_storage_init(ns.c_str());
    startCycle();
}

void Persistence::startCycle() {
    busy_ = true;
    cycleStartedAt_ = js_storage_now();
    mark_ = store_->mark();
    js_storage_cycle();
}

int Persistence::lockedStep() {
    switch (phase_) {
        case Phase::Opening:
        case Phase::Unavailable: return openStep();
        case Phase::Ready: return saveStep();
        case Phase::Closed:
        case Phase::Corrupt: return 0;
    }
    return 0;
}

int Persistence::openStep() {
    store::LoadResult r = store_->load();
    mark_ = store_->mark();  // a failed sync of the clean-up below goes back to the loaded state
    for (const auto& w : r.warnings) std::fprintf(stderr, "funnel storage: %s\n", w.c_str());
    const bool first = phase_ == Phase::Opening;
    if (r.kind == store::LoadResult::Kind::Failed) {
        std::fprintf(stderr, "funnel storage: cannot read the stored workspace: %s\n", r.error.c_str());
        phase_ = Phase::Corrupt;
        status_ = {ui::SaveStatus::State::Failed, "storage.corrupt"};
        if (first && onLoaded_) onLoaded_(std::nullopt, "storage.corrupt");
        return 0;
    }
    phase_ = Phase::Ready;
    status_ = {ui::SaveStatus::State::Saved, ""};
    if (r.kind == store::LoadResult::Kind::Empty) {
        wantSeed_ = true;
        if (first && onLoaded_) onLoaded_(std::nullopt, "");
        return 0;
    }
    if (first) {
        if (onLoaded_) onLoaded_(std::move(r.document), "");
    } else {
        // IndexedDB came back after the app started in memory: the stored workspace wins, and what
        // was done meanwhile is applied on top of it (and saved).
        incoming_.push_back(replaceCommand(*r.document));
        incoming_.insert(incoming_.end(), pending_.begin(), pending_.end());
    }
    return r.warnings.empty() ? 0 : 1;  // persist the clean-up of an interrupted write
}

int Persistence::saveStep() {
    store::Catchup c = store_->catchUp();
    for (const auto& w : c.warnings) std::fprintf(stderr, "funnel storage: %s\n", w.c_str());
    bool inflightCommitted = false;
    for (auto& seg : c.segments) {
        if (seg.writer == writer_) {
            // Ours: a sync that reported failure had in fact committed.
            if (!inflight_.empty() && seg.batch == inflightBatch_) inflightCommitted = true;
            continue;
        }
        for (auto& cmd : seg.commands) incoming_.push_back(std::move(cmd));
    }
    if (inflightCommitted) {
        saved_ += inflight_.size();
        inflight_.clear();
    }
    if (!inflight_.empty()) {
        pending_.insert(pending_.begin(), inflight_.begin(), inflight_.end());
        inflight_.clear();
    }
    if (c.document) {
        // Another tab reset or compacted past us: take its document, then redo what we have not saved.
        incoming_.push_back(replaceCommand(*c.document));
        incoming_.insert(incoming_.end(), pending_.begin(), pending_.end());
        seed_.reset();
    }
    if (seed_) {
        if (auto err = store_->reset(*seed_); !err.empty()) {
            std::fprintf(stderr, "funnel storage: %s\n", err.c_str());
            return 0;
        }
        seedInCycle_ = true;
        return 1;
    }
    if (!pending_.empty()) {
        const std::string batch = writer_ + ":" + std::to_string(++batchCounter_);
        if (auto err = store_->append(pending_, batch); !err.empty()) {
            std::fprintf(stderr, "funnel storage: %s\n", err.c_str());
            return 0;
        }
        inflight_ = std::move(pending_);
        pending_.clear();
        inflightSeq_ = store_->seq();
        inflightBatch_ = batch;
        return 1;
    }
    if (!compactText_.empty()) {
        std::vector<std::string> text = std::move(compactText_);
        compactText_.clear();
        if (compactSeq_ == store_->seq() && store_->compactPieces(text, compactSeq_, compactRecords_).empty()) return 1;
    }
    return 0;
}

void Persistence::finished(bool ok, const std::string& errorName) {
    busy_ = false;
    const double now = js_storage_now();
    lastPullAt_ = now;
    if (phase_ == Phase::Opening || phase_ == Phase::Unavailable) {
        // The mount or the first read failed: IndexedDB is not there (private mode, disabled).
        const bool first = phase_ == Phase::Opening;
        phase_ = Phase::Unavailable;
        fail("storage.unavailable", now);
        if (first && onLoaded_) onLoaded_(std::nullopt, "storage.unavailable");
        if (wake_) wake_();
        return;
    }
    if (ok) {
        failures_ = 0;
        failedLast_ = false;
        saved_ += inflight_.size();
        inflight_.clear();
        if (seedInCycle_) {
            saved_ += seedCount_;
            seedCount_ = 0;
            seed_.reset();
            seedInCycle_ = false;
        }
        if (phase_ == Phase::Ready)
            status_ = pending_.empty() && !seed_ ? ui::SaveStatus{ui::SaveStatus::State::Saved, ""}
                                                 : ui::SaveStatus{ui::SaveStatus::State::Saving, ""};
    } else {
        // Nothing of this cycle is known to be in IndexedDB: forget it in memory too. The next
        // cycle's syncfs(true) drops the files it wrote and tells whether the batch made it after all.
        store_->rewind(mark_);
        failedLast_ = true;
        seedInCycle_ = false;
        compactText_.clear();
        const bool quota = errorName.find("Quota") != std::string::npos;
        fail(quota ? "storage.full" : "storage.failed", now);
    }
    if (wake_) wake_();
    // The page may be going away: do not wait for the next frame to write what is left.
    if (ok && flush_ && (!pending_.empty() || seed_) && phase_ == Phase::Ready) {
        flush_ = false;
        startCycle();
    }
}

void Persistence::fail(const std::string& key, double now) {
    ++failures_;
    double backoff = 1000;
    for (int i = 1; i < failures_ && backoff < kMaxBackoffMs; ++i) backoff *= 2;
    retryAt_ = now + std::min(backoff, kMaxBackoffMs);
    status_ = {ui::SaveStatus::State::Failed, key};
}

void Persistence::remoteSaved() {
    pull_ = true;
    if (!busy_ && phase_ == Phase::Ready && !(failedLast_ && js_storage_now() < retryAt_)) {
        pull_ = false;
        startCycle();
    }
}

void Persistence::flushNow() {
    flush_ = true;
    if (!busy_ && phase_ == Phase::Ready && (!pending_.empty() || seed_)) {
        flush_ = false;
        startCycle();
    }
}

void Persistence::record(std::vector<json> applied, const Workspace& ws, Time) {
    const double now = js_storage_now();
    recorded_ += applied.size();
    if (wantSeed_ || (seed_ && !busy_ && !applied.empty())) {
        // The store is empty: its first content is this whole document (what was applied so far
        // is part of it). A seed not written yet is taken anew only when the document changed:
        // not on every frame while a failed first save waits for its retry.
        wantSeed_ = false;
        seed_ = ws.storedDocument();
        seedCount_ += applied.size() + pending_.size();
        pending_.clear();
        flush_ = true;
        if (status_.state != ui::SaveStatus::State::Failed) status_ = {ui::SaveStatus::State::Saving, ""};
        return;
    }
    if (!applied.empty()) {
        if (pending_.empty()) firstPendingAt_ = now;
        lastRecordAt_ = now;
        for (auto& c : applied) pending_.push_back(std::move(c));
        if (status_.state != ui::SaveStatus::State::Failed) status_ = {ui::SaveStatus::State::Saving, ""};
        return;
    }
    if (phase_ == Phase::Ready && !busy_ && !failedLast_ && pending_.empty() && inflight_.empty() && incoming_.empty() &&
        !seed_ && compactText_.empty() && now - lastRecordAt_ > kCompactIdleMs && store_->wantsCompaction()) {
        // In the store's parts: no copy of the document, and no one string of the whole text
        // (which would hold both buffers each time it outgrew its capacity).
        ws.storedText(store_->options().snapshotPartBytes, [this](std::string&& piece) { compactText_.push_back(std::move(piece)); });
        compactRecords_ = store::recordCounts(ws.document());
        compactSeq_ = store_->seq();
    }
}

bool Persistence::due(double now) const {
    if (failedLast_ && now < retryAt_) return false;
    if (seed_) return true;
    if (!pending_.empty() && (flush_ || now - lastRecordAt_ >= kDebounceMs || now - firstPendingAt_ >= kMaxDelayMs)) return true;
    if (!compactText_.empty() || pull_) return true;
    return now - lastPullAt_ >= kPullEveryMs;
}

bool Persistence::tick(Time) {
    const double now = js_storage_now();
    if (!busy_ && phase_ == Phase::Unavailable && now >= retryAt_) startCycle();
    if (!busy_ && phase_ == Phase::Ready && due(now)) {
        flush_ = false;
        pull_ = false;
        startCycle();
    }
    return busy_ || !pending_.empty() || !inflight_.empty() || seed_.has_value();
}

ui::SaveStatus Persistence::status() const { return status_; }

std::vector<json> Persistence::takeIncoming() {
    std::vector<json> out = std::move(incoming_);
    incoming_.clear();
    return out;
}

std::string Persistence::statusJson() const {
    json j = {{"state", stateName(status_.state)},
              {"message", status_.message},
              {"ns", ns_},
              {"recorded", recorded_},
              {"saved", saved_},
              {"pending", pending_.size() + inflight_.size()},
              {"seq", store_ ? store_->seq() : 0},
              {"incoming", incoming_.size()},
              {"busy", busy_},
              {"heapBytes", emscripten_get_heap_size()}};  // for memory.wasm_heap_mb in tests/bench
    return dumpJson(j);
}

}  // namespace funnel::web
