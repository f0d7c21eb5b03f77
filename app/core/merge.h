// Funnel — team sync merge: per-field last-writer-wins by hybrid logical clock stamp, with
// tombstones and a conflict log that keeps every concurrent loser (docs/SYNC.md).
//
// A replica is a Document plus its SyncState (stamps, tombstones, conflict log). On disk and
// on the wire the state rides inside the document under the reserved top-level key "sync",
// which the codec keeps as an unknown field; in memory it is split off so commands and views
// never see it. merge() is commutative, associative and idempotent on the encoded bytes
// (tests/unit/merge_test.cpp checks this on thousands of random histories).
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/codec.h"
#include "core/model.h"

namespace funnel {

inline constexpr const char* kSyncKey = "sync";
inline constexpr Time kTombstoneRetention = 90 * kMsPerDay;

// What the writer of a field version had seen of that field: replica key -> the newest stamp of
// that replica's versions of the field it had (a version vector). The key is the stamp's
// replica id, or "0" for data that predates sync (kZeroStamp). Empty = it had seen nothing.
using VersionVector = std::map<std::string, std::string>;

// The replica key of a stamp in a VersionVector: replicaOf(stamp), "0" for kZeroStamp.
std::string baseKey(std::string_view stamp);
// Whether a version written with `base` and stamped `stamp` supersedes the version `seen`: its
// writer had seen `seen` (or a later version by the same replica). Anything else it beats is a
// conflict.
bool witnesses(const std::string& stamp, const VersionVector& base, const std::string& seen);
// The base as the "sync" JSON writes it ({replica: stamp}, sorted keys; null when empty) and
// back from untrusted JSON: the object form, or the scalar stamp of older Funnel versions (read
// as {replica of that stamp: that stamp}, docs/SYNC.md §2). At most kMaxBaseEntries entries.
inline constexpr std::size_t kMaxBaseEntries = 4096;
json encodeBase(const VersionVector&);
bool decodeBase(const json&, VersionVector&, std::string& error);

// Bookkeeping fields: timestamps every edit of a record rewrites (a deal's updatedAt and
// lastActivityAt, docs/FORMAT.md). Two people editing different fields of one deal both write
// them; the merge keeps the latest time (then the later stamp) and never logs them as conflicts.
bool isBookkeepingField(std::string_view key, std::string_view field);

// The stamp of one field's current value and what its writer had seen of the field: a version
// its base witnesses was superseded by an edit made after seeing it; any other loser is a
// conflict.
struct FieldStamp {
    std::string stamp = kZeroStamp;
    VersionVector base;
    bool operator==(const FieldStamp&) const = default;
};

struct RecordStamps {
    std::string created = kZeroStamp;            // stamp of fields without their own entry
    std::map<std::string, FieldStamp> fields;    // only fields edited since creation
    bool operator==(const RecordStamps&) const = default;
};

// A losing value of one field, kept until someone resolves it.
struct Conflict {
    std::string key;      // "deal:<id>", "customer:<id>", "objection:<dealId>/<id>", "settings", …
    std::string field;    // "title", "key.budget", "~gone" (deletion), …
    json value;           // the losing value, in the document's JSON form
    std::string stamp;    // when it was written (replicaOf(stamp) = by whom)
    VersionVector base;   // what its writer had seen of the field
    bool operator==(const Conflict&) const;
};

// When this device first held a tombstone: the time (the retention counts from it) and the newest
// entry of any replica it knew then. A replica has merged the tombstone once its entry is newer
// than `heard`: its sync came after a team file that held it (every writer merges the file and
// observes its entries before writing). A replica's entry being newer than the tombstone's own
// stamp says nothing of the kind: it may have synced, before the removal reached the team file,
// with a clock that had simply run past it.
struct GoneMark {
    Time since = 0;
    std::string heard;  // empty in documents stored before it was kept: set by the next purge
    bool operator==(const GoneMark&) const = default;
};

struct SyncState {
    std::map<std::string, std::string> replicas;       // replica id -> newest stamp it had merged
    std::map<std::string, RecordStamps> records;       // record key -> stamps (absent = all kZeroStamp)
    std::map<std::string, json> gone;                  // removed record key -> its last fields (restorable)
    std::vector<Conflict> conflicts;                   // canonical order: key, field, stamp, value
    // Device-local, never in the team file: when this device first held each tombstone of `gone`
    // (purgeTombstones counts the retention from it; kept in the stored document's "sync.device").
    std::map<std::string, GoneMark> goneSince;
    bool operator==(const SyncState&) const = default;
};

// goneSince as the stored document keeps it ({key: ["ISO time", "heard stamp"]}, or the older
// {key: "ISO time"}) and back.
json encodeGoneMark(const GoneMark&);
json encodeGoneSince(const std::map<std::string, GoneMark>&);
bool decodeGoneSince(const json&, std::map<std::string, GoneMark>&, std::string& error);

// The state's JSON form (the "sync" value) and back; readSyncState validates untrusted input.
// goneSince is not part of it (device-local).
json encodeSyncState(const SyncState&);
bool decodeSyncState(const json&, SyncState&, std::string& error);

// Moves doc.extra["sync"] into `state` (empty state when absent). False + error when malformed.
bool splitSync(Document& doc, SyncState& state, std::string& error);
// The document as written to the team file or the local store: state under "sync".
Document joinSync(Document doc, const SyncState& state);

// Stamps every field that differs between before and after (records compared by id; added,
// removed and restored records included) with one new clock tick. Call after each command
// that changed the document, never for merges.
// False (nothing stamped) when the clock has no stamp left (Clock::tick).
bool stampChange(SyncState& state, Clock& clock, const Document& before, const Document& after, Time now);

struct MergeResult {
    bool ok = false;
    std::string error;                  // why the remote was refused ("" when ok)
    Document doc;                        // merged; settings.me/language/theme are the local ones
    SyncState state;
    std::vector<Conflict> newConflicts;  // in state.conflicts but not in the local state's
    int changedIn = 0;                   // records the merge changed in the local document
    int changedOut = 0;                  // records the remote lacks or has older
};

// Merges two replicas. Pure: no clock, no I/O. Record order in the result is canonical (by id;
// changes by time), whichever side a record came from.
MergeResult merge(const Document& local, const SyncState& localState, const Document& remote,
                  const SyncState& remoteState);
// Limits of a "sync" section from elsewhere (docs/FORMAT.md, Limits; docs/SYNC.md, threat model):
// the work a merge does stays bounded by them whatever a team file holds.
inline constexpr std::size_t kMaxReplicas = 4096;             // entries of `replicas`
inline constexpr std::size_t kMaxConflictsPerField = 1024;    // logged versions of one field
inline constexpr std::size_t kMaxConflicts = 200'000;         // the whole conflict log
inline constexpr std::size_t kMaxGone = 1'000'000;            // tombstones
// Checks a team file's state before it is merged: the caps above; no replica's entry more than
// kMaxStampAhead after `now` (the local wall clock; skipped when now < 0); every stamp (record,
// field, base, conflict) issued by a listed replica and not after that replica's entry; every
// base older than the version it belongs to (a writer cannot have seen what came after it).
// False + error naming the first problem.
bool checkRemoteState(const SyncState& state, Time now, std::string& error);

// Merges a remote team file given as text: size, depth, numbers and UTF-8 are checked before any
// DOM is built (codec's Limits), then the document and its "sync" section are validated
// (checkRemoteState at `now`, the local wall clock; now < 0 skips only the check of stamps ahead
// of it). A bad remote yields ok = false and an error in plain words; nothing is merged.
MergeResult mergeRemoteText(const Document& local, const SyncState& localState, std::string_view remoteText,
                            const Limits& limits = {}, Time now = -1);

// After a merge: the clock observes every replica's newest stamp (so later local edits sort
// after everything merged, whatever this device's wall clock says) and the state records that
// this replica has seen them (what purgeTombstones relies on).
void acknowledge(SyncState& state, Clock& clock);

// Open conflicts worth showing: losers whose value differs from the field's current value.
std::vector<Conflict> openConflicts(const Document& doc, const SyncState& state);
// An open conflict as the conflicts panel shows it: the logged (losing) version beside the
// field's current value and the stamp it was written with (who and when, on both sides).
struct ConflictChoice {
    Conflict logged;
    json current;                 // null when the field is absent
    std::string currentStamp;     // kZeroStamp for data that predates sync
};
std::vector<ConflictChoice> conflictChoices(const Document& doc, const SyncState& state);
// Resolves every logged conflict of key/field by writing `value` (the current one to keep it,
// a logged one to restore it) with a stamp whose base covers them all, so they leave the log
// on every replica that merges this. False when the record does not exist.
bool resolveConflict(Document& doc, SyncState& state, Clock& clock, const std::string& key,
                     const std::string& field, const json& value, Time now);

// Tombstone retention (docs/SYNC.md): notes `now` in goneSince for every tombstone this device
// holds for the first time (so a tombstone is never purged by the sync that brought it, however
// old its stamp), forgets the marks of tombstones no longer held, and drops the tombstones (and
// their conflicts) that this device has held for more than kTombstoneRetention, that every listed
// replica has merged (its entry in state.replicas is newer than the mark's `heard`, see GoneMark)
// and whose record carries no field stamp newer than the tombstone. Returns how many were dropped.
// `me`: this device's replica id; its own entry is not asked for (it holds the tombstone).
int purgeTombstones(SyncState& state, Time now, const std::string& me = {});
// Whether a removed record holds a field stamped after its removal: an edit made without having
// seen the removal. Such a record is listed by conflictChoices (its "~gone" field, to restore or
// keep removed) and never purged until someone decides.
bool editedAfterRemoval(const SyncState& state, const std::string& key);

// [SECTION] Journaling: stamps and merges travel with the data (see workspace.h)

// Stamps one applied command from its undo snapshot (CommandResult::inverse: the records it
// touched as they were before, the change entries it added and removed): only those records are
// compared with `after`, so the cost does not grow with the document. Appends the record keys
// whose stamps changed to `keys`. False when the inverse is not a snapshot (document.replace):
// stamp with stampChange() and the whole documents then — or when the clock has no stamp left
// (Clock::tick; nothing stamped, Workspace refuses such a command before applying it).
bool stampCommand(SyncState& state, Clock& clock, const Document& after, const json& inverse, Time now,
                  std::vector<std::string>& keys);

// A patch of the state: {"records": {key: stamps|null}, "gone": {key: fields|null},
// "conflicts": {key: [entries]}, "replicas": {id: stamp}}, empty members left out.
// statePatch: the given keys and replicas as they are in `state`; diffState: from → to.
json statePatch(const SyncState& state, const std::vector<std::string>& keys, const std::vector<std::string>& replicas);
json diffState(const SyncState& from, const SyncState& to);
bool applyStatePatch(SyncState& state, const json& patch, std::string& error);

// A patch of the document: the records of `to` that differ from `from` (by id), the ids `to`
// lacks, settings and unknown top-level fields when they differ, change entries added/removed:
// {"upsert": {"deals": [...], …}, "remove": {"deals": [ids], …}, "settings": {…}, "extra": …,
//  "addChanges": [...], "removeChanges": [...]}. Applying it to `from` gives a document equal to
// `to` up to record order (new records are appended). Linear in the document, hashed by id.
json diffDocument(const Document& from, const Document& to);
bool applyDocumentPatch(Document& doc, const json& patch, std::string& error);

// The record id written in a record key ("deal:<id>"): ids escape "~" as "~0" and "/" as "~1".
std::string unescapeId(std::string_view escaped);

// The canonical bytes of a replica (document with its state), what the merge laws compare.
std::string canonicalText(const Document& doc, const SyncState& state);

}  // namespace funnel
