// Funnel — the Workspace: the open document, its undo history, the frame's queued commands and
// the applied commands storage has not taken yet, and the document's team sync state.
#include "core/workspace.h"

#include <algorithm>
#include <random>

#include "core/codec.h"

namespace funnel {

namespace {
constexpr const char* kPatchKey = "~sync";         // state patch riding in an applied command
constexpr const char* kMergeOp = "sync.merge";      // journal entry of a merge / acknowledge / resolve
constexpr const char* kDeviceKey = "device";        // "sync": {"device": {"replica": …}} in stored documents

CommandResult refused(const char* why = Workspace::kReadOnlyError) {
    CommandResult r;
    r.error = why;
    return r;
}

bool isOp(const json& c, const char* op) {
    if (!c.is_object()) return false;
    auto it = c.find("op");
    return it != c.end() && it->is_string() && it->get_ref<const std::string&>() == op;
}

// The command without its "~sync" patch (copied only when it has one).
const json& withoutPatch(const json& c, json& holder) {
    if (!c.is_object() || !c.contains(kPatchKey)) return c;
    holder = c;
    holder.erase(kPatchKey);
    return holder;
}

// An imported or stored document's "sync" section never stays in the document itself.
void dropSyncSection(Document& doc) {
    if (!doc.extra.is_object() || !doc.extra.contains(kSyncKey)) return;
    doc.extra.erase(kSyncKey);
    if (doc.extra.empty()) doc.extra = json();
}

std::string deviceOf(const json& entry) {
    auto it = entry.find(kDeviceKey);
    if (it == entry.end() || !it->is_string() || !isReplicaId(it->get_ref<const std::string&>())) return "";
    return it->get<std::string>();
}

// Applies a "sync.merge" entry: the state patch and the document patch, both validated first.
bool applyMergeEntry(Document& doc, SyncState& state, std::string& replica, const json& entry, std::string& error) {
    if (auto d = entry.find("document"); d != entry.end()) {
        // Decoding happens inside before anything changes; the state patch below is checked
        // the same way, so a bad entry leaves at most… nothing: check the state part first.
        SyncState trial;
        if (auto s = entry.find("state"); s != entry.end() && !applyStatePatch(trial, *s, error)) return false;
        if (!applyDocumentPatch(doc, *d, error)) return false;
    }
    if (auto s = entry.find("state"); s != entry.end() && !applyStatePatch(state, *s, error)) return false;
    if (std::string dev = deviceOf(entry); !dev.empty()) replica = std::move(dev);
    return true;
}
}  // namespace

std::string newReplicaId() {
    std::random_device rd;
    const std::uint64_t bits = (std::uint64_t(rd()) << 32) ^ std::uint64_t(rd());
    static const char* digits = "0123456789abcdef";
    std::string s(16, '0');
    for (int i = 0; i < 16; ++i) s[std::size_t(i)] = digits[(bits >> (60 - 4 * i)) & 0xf];
    return s;
}

bool splitStored(Document& doc, SyncState& state, std::string& replica, std::string& error) {
    replica.clear();
    std::map<std::string, GoneMark> since;
    if (doc.extra.is_object()) {
        auto it = doc.extra.find(kSyncKey);
        if (it != doc.extra.end() && it->is_object()) {
            auto dev = it->find(kDeviceKey);
            if (dev != it->end() && dev->is_object()) {
                auto r = dev->find("replica");
                if (r != dev->end() && r->is_string() && isReplicaId(r->get_ref<const std::string&>())) replica = r->get<std::string>();
                // A damaged mark only restarts that tombstone's retention.
                std::string ignored;
                if (auto g = dev->find("goneSince"); g != dev->end()) decodeGoneSince(*g, since, ignored);
            }
        }
    }
    if (!splitSync(doc, state, error)) return false;
    for (auto& [key, t] : since)
        if (state.gone.count(key)) state.goneSince[key] = t;
    return true;
}

namespace {
// The top-level unknown fields of the stored form: the document's, plus "sync" once it synced.
bool storedExtra(const json& extra, const SyncState& state, const std::string& replica, json& out) {
    // A document that never synced is stored as it was (no "sync" section).
    if (replica.empty() && state == SyncState{}) return false;
    out = extra.is_object() ? extra : json::object();
    out[kSyncKey] = encodeSyncState(state);
    json device = json::object();
    if (!replica.empty()) device["replica"] = replica;
    if (!state.goneSince.empty()) device["goneSince"] = encodeGoneSince(state.goneSince);
    if (!device.empty()) out[kSyncKey][kDeviceKey] = std::move(device);
    return true;
}
}  // namespace

Document joinStored(Document doc, const SyncState& state, const std::string& replica) {
    json extra;
    if (storedExtra(doc.extra, state, replica, extra)) doc.extra = std::move(extra);
    return doc;
}

CommandResult replayStoredEntry(Document& doc, SyncState& state, std::string& replica, const json& entry,
                                const CommandContext& ctx) {
    CommandResult r;
    if (isOp(entry, kMergeOp)) {
        if (!applyMergeEntry(doc, state, replica, entry, r.error)) return r;
        r.ok = true;
        r.applied = entry;
        return r;
    }
    json holder;
    r = applyCommand(doc, withoutPatch(entry, holder), ctx);
    if (!r.ok) return r;
    if (isOp(entry, "document.replace")) dropSyncSection(doc);
    if (auto p = entry.find(kPatchKey); entry.is_object() && p != entry.end()) {
        if (!applyStatePatch(state, *p, r.error)) {
            r.ok = false;
            return r;
        }
        if (std::string dev = deviceOf(*p); !dev.empty()) replica = std::move(dev);
    }
    return r;
}

// [SECTION] Workspace

Workspace::Workspace() : Workspace(makeDefaultDocument(0)) {}

Workspace::Workspace(Document doc) : device_(newReplicaId()), clock_(device_) {
    reset(std::move(doc));
    revision_ = 0;
}

// The clock of this slot's id, above everything issued or observed so far: every replica's
// newest stamp (this id's own included: each stamp records it) and the old clock.
void Workspace::restartClock() {
    Clock next(slotReplica(device_, slot_));
    for (const auto& [r, stamp] : sync_.replicas) next.observe(stamp);
    next.observe(clock_.last());
    clock_ = std::move(next);
}

// Another tab's entries name the device (the store's first writer may have drawn another id):
// its id is taken, this tab keeps its slot.
void Workspace::adoptReplica(const std::string& device) {
    if (device.empty() || device == device_) return;
    device_ = device;
    restartClock();
}

void Workspace::setReplica(const std::string& replica) {
    if (!isReplicaId(replica)) return;
    device_ = replica;
    restartClock();
}

void Workspace::setReplicaSlot(int slot) {
    slot = std::clamp(slot, 0, kReplicaSlots - 1);
    if (slot == slot_) return;
    slot_ = slot;
    restartClock();
}

// Another tab's patch carries its view of the replicas, which can lag behind this tab's own
// entry (a merge it made before it saw our latest stamps): never let ours go backwards.
void Workspace::keepOwnStamp(const std::string& before) {
    auto it = sync_.replicas.find(clock_.replica());
    if (it != sync_.replicas.end() && it->second < before) it->second = before;
}

void Workspace::observeReplicas() {
    for (const auto& [r, stamp] : sync_.replicas) clock_.observe(stamp);
}

std::vector<CommandResult> Workspace::applyQueued(const CommandContext& ctx) {
    std::vector<json> queued;
    queued.swap(queued_);  // commands queued while applying wait for the next frame
    std::vector<CommandResult> results;
    results.reserve(queued.size());
    for (const json& c : queued) results.push_back(perform(c, ctx));
    return results;
}

void Workspace::stampApplied(CommandResult& r, Time now) {
    const Time t = now + skew_;
    std::vector<std::string> keys;
    json patch;
    if (stampCommand(sync_, clock_, doc_, r.inverse, t, keys)) {
        if (keys.empty()) return;
        patch = statePatch(sync_, keys, {clock_.replica()});
    } else if (isOp(r.inverse, "document.replace")) {
        // An import: the document before is in the inverse (as text); compare everything.
        DecodeResult before;
        if (auto text = r.inverse.find("text"); text != r.inverse.end() && text->is_string())
            before = decodeDocument(text->get_ref<const std::string&>());
        else if (auto d = r.inverse.find("document"); d != r.inverse.end())
            before = decodeDocument(*d);
        if (!before.ok) return;
        dropSyncSection(before.document);
        const SyncState old = sync_;
        stampChange(sync_, clock_, before.document, doc_, t);
        patch = diffState(old, sync_);
        if (patch.empty()) return;
    } else {
        return;
    }
    patch[kDeviceKey] = device_;
    r.applied[kPatchKey] = std::move(patch);
}

void Workspace::afterLocal(CommandResult& r, Time now) {
    if (isOp(r.applied, "document.replace")) dropSyncSection(doc_);
    stampApplied(r, now);
    unsaved_.push_back(r.applied);
    ++revision_;
}

CommandResult Workspace::perform(const json& command, const CommandContext& ctx) {
    if (readOnly_) return refused();
    if (!clock_.canTick(ctx.now + skew_)) return refused(kClockError);
    CommandResult r = history_.perform(doc_, command, ctx);
    if (r.ok) afterLocal(r, ctx.now);
    return r;
}

CommandResult Workspace::undo(const CommandContext& ctx) {
    if (readOnly_) return refused();
    if (!clock_.canTick(ctx.now + skew_)) return refused(kClockError);
    CommandResult r = history_.undo(doc_, ctx);
    if (r.ok) afterLocal(r, ctx.now);
    return r;
}

CommandResult Workspace::redo(const CommandContext& ctx) {
    if (readOnly_) return refused();
    if (!clock_.canTick(ctx.now + skew_)) return refused(kClockError);
    CommandResult r = history_.redo(doc_, ctx);
    if (r.ok) afterLocal(r, ctx.now);
    return r;
}

CommandResult Workspace::applyExternal(const json& command, const CommandContext& ctx, bool local) {
    if (readOnly_) return refused();
    if (local && !clock_.canTick(ctx.now + skew_)) return refused(kClockError);
    const std::string ownStamp = [&] {
        auto it = sync_.replicas.find(clock_.replica());
        return it == sync_.replicas.end() ? std::string() : it->second;
    }();
    if (!local && !isOp(command, "document.replace"))
        if (std::optional<CommandResult> merged = mergeConcurrent(command, ctx, ownStamp)) return *merged;
    if (isOp(command, kMergeOp)) {
        CommandResult r;
        std::string replica = device_;
        if (!applyMergeEntry(doc_, sync_, replica, command, r.error)) return r;
        keepOwnStamp(ownStamp);
        adoptReplica(replica);
        observeReplicas();
        r.ok = true;
        r.applied = command;
        history_.breakCoalescing();
        ++revision_;
        return r;
    }
    json holder;
    CommandResult r = applyCommand(doc_, withoutPatch(command, holder), ctx);
    if (!r.ok) return r;
    history_.breakCoalescing();
    if (isOp(command, "document.replace") && doc_.extra.is_object() && doc_.extra.contains(kSyncKey)) {
        // A stored document (another tab's snapshot, the store coming back): its state comes along.
        SyncState state;
        std::string replica, error;
        if (splitStored(doc_, state, replica, error)) {
            sync_ = std::move(state);
            keepOwnStamp(ownStamp);
            adoptReplica(replica);
            observeReplicas();
        }
        dropSyncSection(doc_);
        ++revision_;
        return r;
    }
    if (local) {
        afterLocal(r, ctx.now);
        return r;
    }
    if (isOp(command, "document.replace")) dropSyncSection(doc_);
    if (auto p = command.find(kPatchKey); command.is_object() && p != command.end()) {
        std::string error;
        if (applyStatePatch(sync_, *p, error)) {
            keepOwnStamp(ownStamp);
            adoptReplica(deviceOf(*p));
            observeReplicas();
        }
    }
    ++revision_;
    return r;
}

// Another tab's edit (or merge) of a record this tab changed after that tab last saw it (both
// tabs edited the deal's title before either had the other's save): applying it as it is would
// let the later-applied edit overwrite the other in each tab, differently in each, and the
// overwritten edit would never reach the team or its conflict log. Such an entry is merged
// instead, by the merge rules (the loser logged), as one "sync.merge" entry that goes to
// storage, so the store and every tab end the same. nullopt: not concurrent, apply it as it is.
std::optional<CommandResult> Workspace::mergeConcurrent(const json& entry, const CommandContext& ctx,
                                                        const std::string& ownStamp) {
    if (!entry.is_object()) return std::nullopt;
    const bool mergeEntry = isOp(entry, kMergeOp);
    auto p = entry.find(mergeEntry ? "state" : kPatchKey);
    if (p == entry.end() || !p->is_object() || !p->contains("records")) return std::nullopt;
    SyncState incoming;
    std::string error;
    if (!applyStatePatch(incoming, *p, error)) return std::nullopt;
    bool concurrent = false;
    for (const auto& [key, theirs] : incoming.records) {
        auto ours = sync_.records.find(key);
        if (ours == sync_.records.end()) continue;
        // A field stamp of ours newer than theirs: they wrote without having seen it (a tab's
        // clock observes every stamp it applies, so had they seen it theirs would be newer).
        if (ours->second.created > theirs.created) concurrent = true;
        for (const auto& [field, fs] : ours->second.fields) {
            auto t = theirs.fields.find(field);
            if (fs.stamp > (t == theirs.fields.end() ? theirs.created : t->second.stamp)) concurrent = true;
        }
        if (concurrent) break;
    }
    if (!concurrent) return std::nullopt;
    Document theirDoc = doc_;
    SyncState theirState = sync_;
    CommandResult r;
    std::string device = device_;
    if (mergeEntry) {
        if (!applyMergeEntry(theirDoc, theirState, device, entry, error)) return std::nullopt;
        r.ok = true;
    } else {
        json holder;
        r = applyCommand(theirDoc, withoutPatch(entry, holder), ctx);
        if (!r.ok || !applyStatePatch(theirState, *p, error)) return std::nullopt;
        device = deviceOf(*p);
    }
    MergeResult m = merge(doc_, sync_, theirDoc, theirState);
    if (!m.ok || !applyMerge(m)) return std::nullopt;
    keepOwnStamp(ownStamp);
    adoptReplica(device);
    observeReplicas();
    ++revision_;
    r.applied = entry;
    return r;
}

void Workspace::reset(Document doc) {
    SyncState state;
    std::string replica, error;
    if (splitStored(doc, state, replica, error)) {
        sync_ = std::move(state);
    } else {
        // A damaged sync section: the data is kept, sync starts over from it.
        sync_ = SyncState{};
    }
    dropSyncSection(doc);
    doc_ = std::move(doc);
    if (!replica.empty()) device_ = replica;
    clock_ = Clock(slotReplica(device_, slot_));
    observeReplicas();
    history_.clear();
    queued_.clear();
    unsaved_.clear();
    ++revision_;
}

Document Workspace::storedDocument() const { return joinStored(doc_, sync_, device_); }

std::string Workspace::storedText() const {
    json extra;
    if (!storedExtra(doc_.extra, sync_, device_, extra)) return encodeDocumentText(doc_);
    return encodeDocumentText(doc_, extra);
}

void Workspace::storedText(std::size_t pieceBytes, const std::function<void(std::string&&)>& take) const {
    json extra;
    const bool synced = storedExtra(doc_.extra, sync_, device_, extra);
    encodeDocumentText(doc_, synced ? extra : doc_.extra, pieceBytes, take);
}

bool Workspace::applyEntry(json entry) {
    std::string replica = device_;
    std::string error;
    if (!applyMergeEntry(doc_, sync_, replica, entry, error)) return false;
    unsaved_.push_back(std::move(entry));
    history_.breakCoalescing();
    ++revision_;
    return true;
}

bool Workspace::applyMerge(const MergeResult& m) {
    if (!m.ok || readOnly_) return false;
    json docPatch = diffDocument(doc_, m.doc);
    json statePatchJson = diffState(sync_, m.state);
    if (docPatch.empty() && statePatchJson.empty()) return true;
    json entry = json::object();
    entry["op"] = kMergeOp;
    if (!docPatch.empty()) entry["document"] = std::move(docPatch);
    if (!statePatchJson.empty()) entry["state"] = std::move(statePatchJson);
    entry[kDeviceKey] = device_;
    return applyEntry(std::move(entry));
}

void Workspace::acknowledge() {
    const SyncState old = sync_;
    SyncState next = sync_;
    funnel::acknowledge(next, clock_);
    const std::string& seen = next.replicas[clock_.replica()];
    for (auto& [id, stamp] : next.replicas)
        if (stamp < seen && id != clock_.replica() && fromDevice(device_, id)) stamp = seen;
    json patch = diffState(old, next);
    if (patch.empty()) return;
    applyEntry(json{{"op", kMergeOp}, {"state", std::move(patch)}, {kDeviceKey, device_}});
}

int Workspace::purgeTombstones(Time now) {
    if (readOnly_ || (sync_.gone.empty() && sync_.goneSince.empty())) return 0;
    SyncState next = sync_;
    const int purged = funnel::purgeTombstones(next, now, replica());
    if (next == sync_) return 0;  // the marks of new tombstones are journaled too
    applyEntry(json{{"op", kMergeOp}, {"state", diffState(sync_, next)}, {kDeviceKey, device_}});
    return purged;
}

bool Workspace::resolve(const std::string& key, const std::string& field, const json& value, Time now) {
    if (readOnly_) return false;
    Document next = doc_;
    SyncState state = sync_;
    Clock clock = clock_;
    if (!resolveConflict(next, state, clock, key, field, value, now + skew_)) return false;
    json entry = json::object();
    entry["op"] = kMergeOp;
    if (json d = diffDocument(doc_, next); !d.empty()) entry["document"] = std::move(d);
    if (json s = diffState(sync_, state); !s.empty()) entry["state"] = std::move(s);
    entry[kDeviceKey] = device_;
    clock_ = std::move(clock);
    return applyEntry(std::move(entry));
}

std::vector<json> Workspace::takeUnsaved() {
    std::vector<json> out;
    out.swap(unsaved_);
    return out;
}

}  // namespace funnel
