// Funnel — a Workspace is the open document with its undo history and the commands waiting to
// be applied or saved. Views queue commands during a frame; the platform calls
// applyQueued() once after the UI pass, then hands takeUnsaved() to storage.
//
// Team sync (docs/SYNC.md): the workspace also holds the document's SyncState and this device's
// Clock. Every local change (perform, undo, redo, applyQueued, applyExternal(…, local = true)) is
// stamped from the records the command touched (its undo snapshots), so the cost does not grow
// with the document. The stamps travel with the data: the applied command handed to storage
// carries them under "~sync" (a patch of the state), and a merge is one "sync.merge" entry
// (records it changed + state patch), so a journal segment holds data and stamps together and
// a crash keeps them consistent. replayStoredEntry() applies such entries when loading.
#pragma once

#include <functional>
#include <optional>
#include <vector>

#include "clock.h"
#include "command.h"
#include "merge.h"
#include "model.h"

namespace funnel {

class Workspace {
public:
    Workspace();
    // `doc` may be a stored document (storedDocument()): its "sync" section becomes the state.
    explicit Workspace(Document doc);

    const Document& document() const { return doc_; }

    // Views call this; nothing changes until applyQueued(). Ignored while read-only.
    void queue(json command) {
        if (!readOnly_) queued_.push_back(std::move(command));
    }
    // Applies the queued commands in order through the history (undoable). Returns the results.
    std::vector<CommandResult> applyQueued(const CommandContext& ctx);

    // Immediate forms for the automation API and tests.
    CommandResult perform(const json& command, const CommandContext& ctx);
    CommandResult undo(const CommandContext& ctx);
    CommandResult redo(const CommandContext& ctx);
    bool canUndo() const { return history_.canUndo(); }
    bool canRedo() const { return history_.canRedo(); }
    void breakCoalescing() { history_.breakCoalescing(); }

    // Applies a command that does not enter the undo history (replaying a journal, another tab's
    // change, a "sync.merge" entry). It is not added to the unsaved list either. Its "~sync" patch
    // is applied to the state; a document.replace of a stored document takes in its state. An
    // entry that touches a record this workspace holds newer stamps for (another tab's concurrent
    // edit) is merged instead (merge rules, the loser logged): that merge is a "sync.merge" entry
    // of ours, handed to storage, so every tab and the store end the same. With
    // local = true (this device's own edits replayed onto a reloaded document) the command is
    // stamped afresh instead, and then handed to storage like perform()'s.
    CommandResult applyExternal(const json& command, const CommandContext& ctx, bool local = false);
    // Replaces the whole document (load, import of a verified file); clears the history. A stored
    // document's "sync" section (state and this device's replica id) is taken in; without a
    // replica id a new random one is drawn.
    void reset(Document doc);

    // [SECTION] Team sync
    const SyncState& syncState() const { return sync_; }
    const Clock& clock() const { return clock_; }
    // The id this workspace stamps under: the device's id for slot 0, else slotReplica(device, slot).
    const std::string& replica() const { return clock_.replica(); }
    // This device's replica id, as the stored document keeps it (shared by the browser's tabs).
    const std::string& deviceReplica() const { return device_; }
    // Sets this device's replica id (16 lowercase hex digits; tests and funnel-sync --replica).
    void setReplica(const std::string& replica);
    // Several writers share one store (a browser's tabs): each stamps under its own slot's id
    // (clock.h slotReplica), so no two live writers issue stamps under one id. The clock starts
    // above every stamp the state knows, that slot's earlier ones included. Default slot 0.
    void setReplicaSlot(int slot);
    int replicaSlot() const { return slot_; }
    // Added to the wall time of every stamp (funnel-sync --skew-ms, to test clock skew).
    void setClockSkew(Time skewMs) { skew_ = skewMs; }
    // The document as the local store keeps it: the document with "sync" = state + this device's
    // replica id. Encode it for store snapshots (Store::reset/compact).
    Document storedDocument() const;
    // encodeDocumentText(storedDocument()) without the copy of the document that takes.
    std::string storedText() const;
    // The same text in pieces of `pieceBytes` (encodeDocumentText's pieces: store parts).
    void storedText(std::size_t pieceBytes, const std::function<void(std::string&&)>& take) const;
    // Takes in a merge result (merge()/mergeRemoteText() of this document and state): applies the
    // records it changed and the state, as one "sync.merge" entry that also goes to storage. The
    // undo history is kept (undoing an older local edit then writes that edit's old value, stamped
    // as a new local edit). Returns false (nothing changed) when r is not ok.
    bool applyMerge(const MergeResult& r);
    // After a merge that will be written to the team file: the clock observes every replica's
    // stamp and the state records it (journaled as a "sync.merge" state patch). The device's
    // other slots listed in the state are raised with it: they share this store, so they have
    // merged it too (a slot no tab uses any more must not block purgeTombstones forever).
    void acknowledge();
    // Drops the tombstones purgeTombstones() may drop (older than kTombstoneRetention and merged
    // by every listed replica), journaled as a "sync.merge" state patch. Returns how many.
    int purgeTombstones(Time now);
    // The clock observes every replica's stamp without recording anything (a merge that needs no PUT).
    void observeReplicas();
    // Resolves a conflict (keep mine / keep theirs / edit): resolveConflict() on the document,
    // journaled as a "sync.merge" entry. False when the record does not exist.
    bool resolve(const std::string& key, const std::string& field, const json& value, Time now);

    // A read-only workspace (a shared snapshot being viewed) refuses every change: queued commands
    // are dropped, perform / undo / redo / applyExternal fail with kReadOnlyError (applyMerge and
    // resolve return false). This is the one
    // place read-only is enforced; views only hide what would not work anyway. reset() still
    // loads a document.
    void setReadOnly(bool readOnly) {
        readOnly_ = readOnly;
        queued_.clear();
    }
    bool readOnly() const { return readOnly_; }
    static constexpr const char* kReadOnlyError = "read-only: this is a shared snapshot";
    // A local change is refused (nothing changes) when the clock has no stamp left for it
    // (Clock::tick): it could not be stamped, so it would not survive a sync.
    static constexpr const char* kClockError = "sync clock: no stamp left (a stamp from the year 9999 was merged)";

    // Applied commands not yet handed to storage, oldest first; emptied by the call.
    std::vector<json> takeUnsaved();
    bool hasUnsaved() const { return !unsaved_.empty(); }
    // Grows by one on every change; views cache derived data (indexes, totals) per revision.
    std::uint64_t revision() const { return revision_; }

private:
    void stampApplied(CommandResult& r, Time now);
    void afterLocal(CommandResult& r, Time now);
    void adoptReplica(const std::string& device);
    std::optional<CommandResult> mergeConcurrent(const json& entry, const CommandContext& ctx,
                                                 const std::string& ownStamp);
    void restartClock();
    void keepOwnStamp(const std::string& before);
    bool applyEntry(json entry);

    Document doc_;
    SyncState sync_;
    std::string device_;  // the device's replica id (stored document's "sync.device.replica")
    int slot_ = 0;
    Clock clock_;
    Time skew_ = 0;
    History history_;
    std::vector<json> queued_;
    std::vector<json> unsaved_;
    std::uint64_t revision_ = 0;
    bool readOnly_ = false;
};

// A random replica id (16 lowercase hex digits).
std::string newReplicaId();

// Splits a stored document: the state and the device's replica id ("" when none) out of its
// "sync" section. False + error when that section is damaged.
bool splitStored(Document& doc, SyncState& state, std::string& replica, std::string& error);
// The stored form: doc + "sync" = encodeSyncState(state) + {"device": {"replica": …}}.
Document joinStored(Document doc, const SyncState& state, const std::string& replica);
// Applies one journal entry as the store replays it: a command (its "~sync" patch applied to
// the state) or a "sync.merge" entry. ok = false with an error when it does not apply.
// `replica` takes the device's replica id when an entry names it.
CommandResult replayStoredEntry(Document& doc, SyncState& state, std::string& replica, const json& entry,
                                const CommandContext& ctx);

}  // namespace funnel
