// Funnel — team sync through a shared folder (see folder_sync.h for the protocol).
#include "core/folder_sync.h"

#include <algorithm>

#include "core/merge.h"
#include "core/workspace.h"

namespace funnel {

namespace {

constexpr std::string_view kJson = ".json";

std::string replicaStamp(const SyncState& s, const std::string& replica) {
    auto it = s.replicas.find(replica);
    return it == s.replicas.end() ? std::string() : it->second;
}

int recordCount(const Document& d) {
    return int(d.pipelines.size() + d.members.size() + d.customers.size() + d.contacts.size() +
               d.deals.size() + d.activities.size());
}

// The team file's text: the document with its sync state (as TeamSync's PUT body).
std::string teamText(const Workspace& ws) {
    const Document& doc = ws.document();
    json extra = doc.extra.is_object() ? doc.extra : json::object();
    extra[kSyncKey] = encodeSyncState(ws.syncState());
    return encodeDocumentText(doc, extra);
}

bool endsWith(std::string_view s, std::string_view tail) {
    return s.size() >= tail.size() && s.substr(s.size() - tail.size()) == tail;
}
bool startsWith(std::string_view s, std::string_view head) { return s.substr(0, head.size()) == head; }

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
    return out;
}

bool allDigits(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

std::string changeToken(const FolderFile& f) {
    return std::to_string(f.modified) + "-" + std::to_string(f.size);
}

bool plausibleTeamFileName(std::string_view name) {
    if (name.size() <= kJson.size() || name.size() > 200 || !endsWith(name, kJson) || name.front() == '.')
        return false;
    return std::none_of(name.begin(), name.end(), [](char c) {
        return c == '/' || c == '\\' || c == ':' || static_cast<unsigned char>(c) < 32;
    });
}

bool isConflictCopy(std::string_view name, std::string_view team) {
    if (!endsWith(team, kJson) || !endsWith(name, kJson) || name == team) return false;
    const std::string_view stem = team.substr(0, team.size() - kJson.size());
    if (!startsWith(name, stem)) return false;
    const std::string_view mid = name.substr(stem.size(), name.size() - stem.size() - kJson.size());
    // Dropbox, Nextcloud, Google Drive: "team (…).json".
    if (startsWith(mid, " (") && endsWith(mid, ")")) {
        const std::string_view inner = mid.substr(2, mid.size() - 3);
        if (allDigits(inner) && inner.size() <= 4) return true;  // Google Drive "team (1).json"
        const std::string l = lower(inner);
        for (const char* word :
             {"conflict", "konflikt", "\xe5\x86\xb2\xe7\xaa\x81" /* 冲突 */,
              "\xe8\xa1\x9d\xe7\xaa\x81" /* 衝突 */, "\xec\xb6\xa9\xeb\x8f\x8c" /* 충돌 */})
            if (l.find(word) != std::string::npos) return true;
        return false;
    }
    // ownCloud (and Nextcloud before 2.5): "team_conflict-20261206-101112.json".
    if (startsWith(mid, "_conflict-")) return true;
    // OneDrive: "team-DESKTOP-1.json", the computer's name (Windows names are upper case).
    if (startsWith(mid, "-") && mid.size() >= 2 && mid.size() <= 41) {
        bool letter = false;
        for (char c : mid.substr(1)) {
            if (c >= 'A' && c <= 'Z')
                letter = true;
            else if (!((c >= '0' && c <= '9') || c == '-' || c == '_'))
                return false;
        }
        return letter;
    }
    return false;
}

bool isTempFile(std::string_view name, std::string_view team) {
    if (name == std::string(team) + ".crswap") return true;
    return startsWith(name, "." + std::string(team) + ".") && endsWith(name, ".tmp");
}

std::string tempFileName(std::string_view team, std::string_view id) {
    return "." + std::string(team) + "." + std::string(id) + ".tmp";
}

FolderSync::FolderSync(FolderSyncOptions options) : options_(std::move(options)) {}

void FolderSync::setOptions(FolderSyncOptions options) {
    if (options.teamFile != options_.teamFile) known_ = false;
    options_ = std::move(options);
}

double FolderSync::random() {
    if (options_.random) return std::clamp(options_.random(), 0.0, 1.0);
    rng_ ^= rng_ >> 12;
    rng_ ^= rng_ << 25;
    rng_ ^= rng_ >> 27;
    return double((rng_ * 0x2545F4914F6CDD1Dull) >> 11) / double(1ull << 53);
}

bool FolderSync::start(Time now) {
    if (busy()) return false;
    (void)now;
    status_.phase = TeamSyncPhase::Syncing;
    status_.attempts = 1;
    status_.changesIn = 0;
    status_.changesOut = 0;
    status_.errorKey.clear();
    status_.errorDetail.clear();
    status_.retryAt = 0;
    step_ = Step::List;
    waitUntil_ = 0;
    retries_ = 0;
    removed_.clear();
    ignored_.clear();
    return true;
}

void FolderSync::cancel() {
    if (!busy()) return;
    step_ = Step::None;
    waitUntil_ = 0;
    writeBody_.clear();
    status_.phase = TeamSyncPhase::Idle;
    status_.retryAt = 0;
}

std::optional<std::string> FolderSync::takeRejectedRemote() {
    std::optional<std::string> out = std::move(rejected_);
    rejected_.reset();
    return out;
}

std::optional<FolderRequest> FolderSync::nextRequest(Time now) {
    if (step_ == Step::Wait) {
        if (now < waitUntil_) return std::nullopt;
        step_ = Step::List;
        waitUntil_ = 0;
        status_.retryAt = 0;
        status_.phase = TeamSyncPhase::Syncing;
    }
    FolderRequest r;
    switch (step_) {
        case Step::List:
            step_ = Step::AwaitList;
            r.op = FolderRequest::Op::List;
            return r;
        case Step::Read:
            step_ = Step::AwaitRead;
            r.op = FolderRequest::Op::Read;
            r.name = reads_[readIndex_].name;
            return r;
        case Step::Write:
            step_ = Step::AwaitWrite;
            r.op = FolderRequest::Op::Write;
            r.name = options_.teamFile;
            r.body = std::move(writeBody_);
            writeBody_.clear();
            return r;
        case Step::Confirm:
            step_ = Step::AwaitConfirm;
            r.op = FolderRequest::Op::Read;
            r.name = options_.teamFile;
            return r;
        case Step::Remove:
            step_ = Step::AwaitRemove;
            r.op = FolderRequest::Op::Remove;
            r.name = toRemove_.front().name;
            r.expect = toRemove_.front();
            return r;
        default: return std::nullopt;
    }
}

void FolderSync::fail(TeamSyncOutcome outcome, const std::string& key, const std::string& detail) {
    step_ = Step::None;
    waitUntil_ = 0;
    writeBody_.clear();
    status_.outcome = outcome;
    status_.errorKey = key;
    status_.errorDetail = detail;
    status_.retryAt = 0;
    status_.phase = outcome == TeamSyncOutcome::GaveUp && key == "sync.error.folder" ? TeamSyncPhase::Offline
                                                                                     : TeamSyncPhase::Error;
}

void FolderSync::retry(const std::string& key, const std::string& detail, Time now) {
    writeBody_.clear();
    if (status_.attempts >= options_.maxAttempts) return fail(TeamSyncOutcome::GaveUp, key, detail);
    ++status_.attempts;
    Time delay = options_.backoffBaseMs;
    for (int i = 0; i < retries_ && delay < options_.backoffMaxMs; ++i) delay *= 2;
    delay = std::min(delay, options_.backoffMaxMs);
    ++retries_;
    step_ = Step::Wait;
    waitUntil_ = now + delay / 2 + Time(random() * double(delay - delay / 2));
    status_.phase = TeamSyncPhase::WaitingRetry;
    status_.retryAt = waitUntil_;
    status_.errorKey = key;
    status_.errorDetail = detail;
}

void FolderSync::finish(Workspace& ws, Time now) {
    step_ = Step::None;
    waitUntil_ = 0;
    writeBody_.clear();
    status_.phase = TeamSyncPhase::Idle;
    status_.outcome = TeamSyncOutcome::Synced;
    status_.lastSyncedAt = now;
    status_.errorKey.clear();
    status_.errorDetail.clear();
    if (!ignored_.empty()) {
        status_.errorDetail = "conflict copies left alone (not Funnel team files):";
        for (const std::string& n : ignored_) status_.errorDetail += " " + n;
    }
    status_.retryAt = 0;
    known_ = true;
    knownToken_ = status_.etag;
    knownRevision_ = ws.revision();
}

FolderSync::Merged FolderSync::mergeText(const std::string& body, Workspace& ws, Time now) {
    Merged out;
    DecodeResult d = decodeDocument(std::string_view(body), options_.limits);
    // Version 0 (no "format"/"version") predates sync: any foreign JSON object would decode as one.
    if (!d.ok || d.migratedFrom == 0) {
        out.error = "not a Funnel document: " + (d.ok ? std::string("format: expected \"funnel\"") : d.error);
        return out;
    }
    SyncState remoteState;
    if (!splitSync(d.document, remoteState, out.error)) {
        out.error = "its sync data is damaged: " + out.error;
        return out;
    }
    out.remoteMe = replicaStamp(remoteState, ws.replica());
    MergeResult m = merge(ws.document(), ws.syncState(), d.document, remoteState);
    if (!m.ok) {
        out.error = "it cannot be merged: " + m.error;
        return out;
    }
    if (!ws.applyMerge(m)) {
        out.error = "the merge could not be applied";
        return out;
    }
    status_.changesIn += m.changedIn;
    out.changedOut = m.changedOut;
    out.purged = ws.purgeTombstones(now);
    status_.openConflicts =
        ws.syncState().conflicts.empty() ? 0 : int(openConflicts(ws.document(), ws.syncState()).size());
    out.ok = true;
    return out;
}

void FolderSync::afterList(const FolderResponse& r, Workspace& ws, Time now) {
    reads_.clear();
    readIndex_ = 0;
    toRemove_.clear();
    mergedCopies_.clear();
    removingCopies_ = false;
    teamListed_ = false;
    teamCovered_ = false;
    pendingOut_ = 0;
    std::optional<FolderFile> team;
    std::vector<FolderFile> copies;
    for (const FolderFile& f : r.files) {
        if (f.name == options_.teamFile)
            team = f;
        else if (isConflictCopy(f.name, options_.teamFile))
            copies.push_back(f);
        else if (isTempFile(f.name, options_.teamFile) && endsWith(f.name, ".tmp") && r.listedAt > 0 &&
                 r.listedAt - f.modified > options_.staleTempMs)
            toRemove_.push_back(f);  // a writer that died between writing and swapping
    }
    std::sort(copies.begin(), copies.end(),
              [](const FolderFile& a, const FolderFile& b) { return a.name < b.name; });
    // Nothing new: the team file is as we left it, no copies, and nothing changed here since.
    if (known_ && team && copies.empty() && toRemove_.empty() && changeToken(*team) == knownToken_ &&
        ws.revision() == knownRevision_)
        return finish(ws, now);
    if (team) {
        teamListed_ = true;
        reads_.push_back(*team);
    }
    for (const FolderFile& c : copies) reads_.push_back(c);
    localMeAtRead_ = replicaStamp(ws.syncState(), ws.replica());
    if (!toRemove_.empty())
        step_ = Step::Remove;
    else if (!reads_.empty())
        step_ = Step::Read;
    else
        afterReads(ws, now);
}

void FolderSync::afterReads(Workspace& ws, Time now) {
    if (teamListed_ && teamCovered_ && mergedCopies_.empty()) {
        ws.observeReplicas();
        return finish(ws, now);
    }
    if (!teamListed_) pendingOut_ = recordCount(ws.document());
    ws.acknowledge();
    ws.purgeTombstones(now);
    sentStamp_ = replicaStamp(ws.syncState(), ws.replica());
    writeBody_ = teamText(ws);
    step_ = Step::Write;
}

void FolderSync::receive(const FolderResponse& r, Workspace& ws, Time now) {
    if (step_ != Step::AwaitList && step_ != Step::AwaitRead && step_ != Step::AwaitWrite &&
        step_ != Step::AwaitConfirm && step_ != Step::AwaitRemove)
        return;
    if (ws.readOnly())
        return fail(TeamSyncOutcome::Failed, "sync.error.refused",
                    "the open document is a read-only snapshot");
    const std::string detail = r.error.empty() ? std::string() : ": " + r.error;
    if (r.kind == FolderResponse::Kind::Denied && step_ != Step::AwaitRemove)
        return fail(TeamSyncOutcome::Failed, "sync.error.permission",
                    "access to the folder was refused" + detail);

    switch (step_) {
        case Step::AwaitList:
            if (r.kind != FolderResponse::Kind::Ok)
                return retry("sync.error.folder", "the folder cannot be listed" + detail, now);
            return afterList(r, ws, now);

        case Step::AwaitRemove: {
            const FolderFile f = toRemove_.front();
            toRemove_.erase(toRemove_.begin());
            if (removingCopies_ && r.kind == FolderResponse::Kind::Ok) removed_.push_back(f.name);
            if (!toRemove_.empty()) {
                step_ = Step::Remove;
                return;
            }
            if (removingCopies_) return finish(ws, now);
            if (!reads_.empty()) {
                step_ = Step::Read;
                return;
            }
            return afterReads(ws, now);
        }

        case Step::AwaitRead: {
            const FolderFile listed = reads_[readIndex_];
            const bool isTeam = listed.name == options_.teamFile;
            if (r.kind == FolderResponse::Kind::Failed)
                return retry("sync.error.folder", "cannot read " + listed.name + detail, now);
            if (r.kind == FolderResponse::Kind::Ok) {
                Merged m = mergeText(r.body, ws, now);
                FolderFile read = r.file;
                read.name = listed.name;
                if (read.size < 0) read = listed;
                if (!m.ok && isTeam) {
                    rejected_ = r.body;
                    return fail(TeamSyncOutcome::BadRemote, "sync.error.bad_remote",
                                "the team file is " + m.error);
                }
                if (!m.ok) {
                    ignored_.push_back(listed.name);
                } else if (isTeam) {
                    teamCovered_ = m.changedOut == 0 && m.purged == 0 && m.remoteMe >= localMeAtRead_;
                    pendingOut_ = m.changedOut;
                    status_.etag = changeToken(read);
                } else {
                    mergedCopies_.push_back(read);
                }
            } else if (isTeam) {  // gone between the listing and the read
                teamListed_ = false;
            }
            if (++readIndex_ < reads_.size()) {
                step_ = Step::Read;
                return;
            }
            return afterReads(ws, now);
        }

        case Step::AwaitWrite:
            if (r.kind != FolderResponse::Kind::Ok)
                return retry("sync.error.folder", "cannot write " + options_.teamFile + detail, now);
            step_ = Step::Confirm;
            return;

        case Step::AwaitConfirm: {
            if (r.kind != FolderResponse::Kind::Ok)
                return retry(
                    r.kind == FolderResponse::Kind::NotFound ? "sync.error.folder_busy" : "sync.error.folder",
                    "the team file we wrote cannot be read back" + detail, now);
            Merged m = mergeText(r.body, ws, now);
            if (!m.ok) {
                rejected_ = r.body;
                return fail(TeamSyncOutcome::BadRemote, "sync.error.bad_remote",
                            "the team file is " + m.error);
            }
            if (sentStamp_.empty() || m.remoteMe < sentStamp_)
                return retry("sync.error.folder_busy",
                             "another writer's file replaced ours before it was confirmed", now);
            FolderFile read = r.file;
            read.name = options_.teamFile;
            status_.etag = changeToken(read);
            status_.changesOut = pendingOut_;
            ws.observeReplicas();
            if (mergedCopies_.empty()) return finish(ws, now);
            // The merged file is confirmed: the copies it took in can go (each only if unchanged).
            toRemove_ = mergedCopies_;
            mergedCopies_.clear();
            removingCopies_ = true;
            step_ = Step::Remove;
            return;
        }
        default: return;
    }
}

}  // namespace funnel
