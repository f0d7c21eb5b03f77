// Funnel — keeping the workspace in the browser: the store (platform/store.h) on an IDBFS mount
// under /idb/<ns>, made durable with FS.syncfs(false) after each save batch.
//
// Why it is shaped like this (see shared PLATFORM-NOTES, "IDBFS 3.1.6"):
//   - IDBFS writes whole files, one IndexedDB record each: a save writes one small journal file,
//     so its cost does not grow with the document.
//   - syncfs also deletes records missing in memory, so a stale tab could delete another tab's
//     files: every sync runs under one Web Lock per namespace and starts with syncfs(true), which
//     brings in what other tabs saved (handed out by takeIncoming) before anything is written.
//     Tabs announce their saves on a BroadcastChannel so the others pull within milliseconds.
//   - IDBFS 3.1.6 loses IndexedDB errors (wrong `this`, no onabort): its reconcile step is
//     replaced by one that reports quota errors and commits with strict durability.
//   - A change counts as Saved only once the syncfs(false) of its batch has completed. Failures
//     (quota, IndexedDB gone) keep the batch in memory and retry with backoff.
//
// Status messages are translation keys for the lead's string table:
//   "storage.unavailable"  IndexedDB cannot be opened (private mode, disabled): running in memory
//   "storage.full"         quota exceeded: changes kept in memory, retrying
//   "storage.failed"       any other write error: changes kept in memory, retrying
//   "storage.corrupt"      the stored workspace cannot be read: left untouched, running in memory
//
// For tests and window.funnel, the page also gets `window.funnelStorage.status()` →
// {state, message, recorded, saved, pending, seq, incoming, busy, heapBytes, ns} where `saved` counts the commands of this
// page that are durable (batches are saved in order: the first `saved` recorded commands are).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/model.h"
#include "core/workspace.h"
#include "platform/store.h"
#include "ui/app.h"

namespace funnel::web {

class Persistence {
public:
    Persistence();
    ~Persistence();
    Persistence(const Persistence&) = delete;
    Persistence& operator=(const Persistence&) = delete;

    // Mounts and loads (async). onLoaded is called exactly once: with the stored document, or with
    // std::nullopt + "" when the store is empty (the caller then creates the default/demo document
    // and calls record() — with no commands — to seed the store with it), or std::nullopt + a
    // status key ("storage.unavailable", "storage.corrupt") — the app then runs in memory.
    void open(const std::string& ns, std::function<void(std::optional<Document> doc, std::string error)> onLoaded);
    // After each frame's Workspace::applyQueued(): the commands just applied (takeUnsaved()) and
    // the current document. Cheap: appends to an in-memory batch (the document is encoded only to
    // seed an empty store or, rarely and while idle, for a compaction).
    // `ws` gives the stored form (document + team sync state, Workspace::storedDocument()) when a
    // seed or a compaction needs the whole document.
    void record(std::vector<json> applied, const Workspace& ws, Time now);
    // Every frame: writes the batch (debounced ~300 ms, at most ~1 s behind), runs the coalesced
    // sync, retries after failures. Returns true while work is pending.
    bool tick(Time now);
    ui::SaveStatus status() const;
    // On visibilitychange→hidden and pagehide (also hooked here in JS, so calling it is optional).
    void flushNow();
    // Commands other tabs saved, to apply with Workspace::applyExternal, oldest first. When another
    // tab replaced the store wholesale this starts with {"op":"document.replace", "document": …}.
    std::vector<json> takeIncoming();
    // Called (from a JS callback, outside any frame) when takeIncoming() has something or the
    // status changed: an idle main loop should draw a frame.
    void onWake(std::function<void()> wake) { wake_ = std::move(wake); }

    std::uint64_t recordedCount() const { return recorded_; }
    std::uint64_t savedCount() const { return saved_; }

    // [SECTION] Called from JavaScript through the exported C functions in persistence.cpp.
    int lockedStep();                          // inside the lock, after syncfs(true): 1 = persist
    void finished(bool ok, const std::string& errorName);
    void remoteSaved();
    std::string statusJson() const;

private:
    enum class Phase { Closed, Opening, Ready, Unavailable, Corrupt };
    void startCycle();
    void fail(const std::string& key, double now);
    bool due(double now) const;
    int openStep();
    int saveStep();

    Phase phase_ = Phase::Closed;
    std::string ns_, writer_;
    std::unique_ptr<store::Store> store_;
    std::function<void(std::optional<Document>, std::string)> onLoaded_;
    std::function<void()> wake_;

    std::vector<json> pending_;            // recorded, not yet written
    std::vector<json> inflight_;           // written into journal-<inflightSeq_>, sync not confirmed
    std::uint64_t inflightSeq_ = 0;
    std::string inflightBatch_;
    std::uint64_t batchCounter_ = 0;
    store::Store::Mark mark_;              // where the store stood when the cycle began
    std::vector<json> incoming_;
    std::optional<Document> seed_;         // an empty store waits for this first document
    bool wantSeed_ = false;                // the store is empty: the next record() gives the seed
    bool seedInCycle_ = false;
    std::uint64_t seedCount_ = 0;          // recorded commands the seed document contains
    std::vector<std::string> compactText_; // encoded document at compactSeq_ (in store parts), waiting for the lock
    std::uint64_t compactSeq_ = 0;
    json compactRecords_;                  // its record counts (store::recordCounts)

    bool busy_ = false;                    // a cycle (lock → sync → write → sync) is running
    bool flush_ = false;
    bool pull_ = false;                    // another tab saved: pull even with nothing to write
    bool failedLast_ = false;
    double firstPendingAt_ = 0, lastRecordAt_ = 0, lastPullAt_ = 0, retryAt_ = 0, cycleStartedAt_ = 0;
    int failures_ = 0;
    std::uint64_t recorded_ = 0, saved_ = 0;
    ui::SaveStatus status_;
};

}  // namespace funnel::web
