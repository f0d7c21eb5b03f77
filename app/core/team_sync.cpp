// Funnel — the team sync engine (see team_sync.h for the protocol and how it is driven).
#include "core/team_sync.h"

#include <algorithm>

#include "core/merge.h"
#include "core/workspace.h"

namespace funnel {

const char* phaseName(TeamSyncPhase p) {
    switch (p) {
        case TeamSyncPhase::Idle: return "idle";
        case TeamSyncPhase::Syncing: return "syncing";
        case TeamSyncPhase::WaitingRetry: return "waiting-retry";
        case TeamSyncPhase::Offline: return "offline";
        case TeamSyncPhase::Error: return "error";
    }
    return "idle";
}

std::string basicAuthorization(const std::string& user, const std::string& password) {
    static const char* table = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const std::string in = user + ":" + password;
    std::string out = "Basic ";
    std::size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        const unsigned v = unsigned(static_cast<unsigned char>(in[i])) << 16 | unsigned(static_cast<unsigned char>(in[i + 1])) << 8 |
                           unsigned(static_cast<unsigned char>(in[i + 2]));
        out += table[(v >> 18) & 63];
        out += table[(v >> 12) & 63];
        out += table[(v >> 6) & 63];
        out += table[v & 63];
    }
    if (i + 1 == in.size()) {
        const unsigned v = unsigned(static_cast<unsigned char>(in[i])) << 16;
        out += table[(v >> 18) & 63];
        out += table[(v >> 12) & 63];
        out += "==";
    } else if (i + 2 == in.size()) {
        const unsigned v = unsigned(static_cast<unsigned char>(in[i])) << 16 | unsigned(static_cast<unsigned char>(in[i + 1])) << 8;
        out += table[(v >> 18) & 63];
        out += table[(v >> 12) & 63];
        out += table[(v >> 6) & 63];
        out += '=';
    }
    return out;
}

bool isStrongEtag(const std::string& etag) {
    return etag.size() >= 2 && etag.front() == '"' && etag.back() == '"';
}

namespace {
std::string replicaStamp(const SyncState& s, const std::string& replica) {
    auto it = s.replicas.find(replica);
    return it == s.replicas.end() ? std::string() : it->second;
}

int recordCount(const Document& d) {
    return int(d.pipelines.size() + d.members.size() + d.customers.size() + d.contacts.size() + d.deals.size() +
               d.activities.size());
}

// The PUT body: the document with its sync state, as encodeDocumentText(joinSync(…)) writes it,
// without copying the whole document to attach the state.
std::string teamText(const Workspace& ws) {
    const Document& doc = ws.document();
    json extra = doc.extra.is_object() ? doc.extra : json::object();
    extra[kSyncKey] = encodeSyncState(ws.syncState());
    return encodeDocumentText(doc, extra);
}

bool retryable(int status) { return status == 408 || status == 409 || status == 412 || status == 425 || status == 429 || status >= 500; }
}  // namespace

TeamSync::TeamSync(TeamSyncOptions options) : options_(std::move(options)) {}

void TeamSync::setOptions(TeamSyncOptions options) { options_ = std::move(options); }

double TeamSync::random() {
    if (options_.random) return std::clamp(options_.random(), 0.0, 1.0);
    // xorshift64*: deterministic when nothing is injected.
    rng_ ^= rng_ >> 12;
    rng_ ^= rng_ << 25;
    rng_ ^= rng_ >> 27;
    return double((rng_ * 0x2545F4914F6CDD1Dull) >> 11) / double(1ull << 53);
}

bool TeamSync::start(Time now) {
    if (busy()) return false;
    (void)now;
    status_.phase = TeamSyncPhase::Syncing;
    status_.attempts = 1;
    status_.changesIn = 0;
    status_.changesOut = 0;
    status_.errorKey.clear();
    status_.errorDetail.clear();
    status_.retryAt = 0;
    step_ = Step::Get;
    waitUntil_ = 0;
    weakWaits_ = 0;
    retries_ = 0;
    confirming_ = false;
    confirmEtag_.clear();
    sentStamp_.clear();
    etag_.clear();
    remoteMissing_ = false;
    putBody_.clear();
    pendingOut_ = 0;
    return true;
}

void TeamSync::cancel() {
    if (!busy()) return;
    step_ = Step::None;
    waitUntil_ = 0;
    putBody_.clear();
    status_.phase = TeamSyncPhase::Idle;
    status_.retryAt = 0;
}

TeamSyncRequest TeamSync::makeRequest(const std::string& method) const {
    TeamSyncRequest r;
    r.method = method;
    r.url = options_.url;
    r.timeoutMs = options_.timeoutMs;
    if (!options_.authorization.empty()) r.headers.emplace_back("Authorization", options_.authorization);
    return r;
}

std::optional<TeamSyncRequest> TeamSync::nextRequest(Time now) {
    if (step_ == Step::Wait) {
        if (now < waitUntil_) return std::nullopt;
        step_ = Step::Get;
        waitUntil_ = 0;
        status_.retryAt = 0;
        status_.phase = TeamSyncPhase::Syncing;
    }
    if (step_ == Step::Get) {
        step_ = Step::AwaitGet;
        TeamSyncRequest r = makeRequest("GET");
        if (confirming_ && !confirmEtag_.empty()) r.headers.emplace_back("If-None-Match", confirmEtag_);
        return r;
    }
    if (step_ == Step::Put) {
        step_ = Step::AwaitPut;
        TeamSyncRequest r = makeRequest("PUT");
        if (remoteMissing_) r.headers.emplace_back("If-None-Match", "*");
        else r.headers.emplace_back("If-Match", etag_);
        r.headers.emplace_back("Content-Type", "application/json");
        r.body = std::move(putBody_);
        putBody_.clear();
        return r;
    }
    return std::nullopt;
}

std::optional<std::string> TeamSync::takeRejectedRemote() {
    std::optional<std::string> out = std::move(rejected_);
    rejected_.reset();
    return out;
}

void TeamSync::fail(TeamSyncOutcome outcome, const std::string& key, const std::string& detail) {
    step_ = Step::None;
    waitUntil_ = 0;
    putBody_.clear();
    status_.outcome = outcome;
    status_.errorKey = key;
    status_.errorDetail = detail;
    status_.retryAt = 0;
    const bool offline = key == "sync.error.network" || key == "sync.error.timeout";
    status_.phase = outcome == TeamSyncOutcome::GaveUp && offline ? TeamSyncPhase::Offline : TeamSyncPhase::Error;
}

void TeamSync::retry(const std::string& key, const std::string& detail, bool offline, Time now) {
    (void)offline;
    confirming_ = false;
    confirmEtag_.clear();
    putBody_.clear();
    if (status_.attempts >= options_.maxAttempts) {
        fail(TeamSyncOutcome::GaveUp, key, detail);
        return;
    }
    ++status_.attempts;
    Time delay = options_.backoffBaseMs;
    for (int i = 0; i < retries_ && delay < options_.backoffMaxMs; ++i) delay *= 2;
    delay = std::min(delay, options_.backoffMaxMs);
    ++retries_;
    const Time wait = delay / 2 + Time(random() * double(delay - delay / 2));
    step_ = Step::Wait;
    waitUntil_ = now + wait;
    status_.phase = TeamSyncPhase::WaitingRetry;
    status_.retryAt = waitUntil_;
    status_.errorKey = key;
    status_.errorDetail = detail;
}

void TeamSync::finish(Time now) {
    step_ = Step::None;
    waitUntil_ = 0;
    putBody_.clear();
    status_.phase = TeamSyncPhase::Idle;
    status_.outcome = TeamSyncOutcome::Synced;
    status_.lastSyncedAt = now;
    status_.errorKey.clear();
    status_.errorDetail.clear();
    status_.retryAt = 0;
}

void TeamSync::receive(const TeamSyncResponse& r, Workspace& ws, Time now) {
    if (step_ != Step::AwaitGet && step_ != Step::AwaitPut) return;
    const bool get = step_ == Step::AwaitGet;
    const std::string what = get ? "GET" : "PUT";
    // A shared snapshot being looked at is not the team's document: never merge into it or PUT it.
    if (ws.readOnly()) return fail(TeamSyncOutcome::Failed, "sync.error.refused", "the open document is a read-only snapshot");
    if (r.kind == TeamSyncResponse::Kind::Timeout) return retry("sync.error.timeout", what + ": no answer in time", true, now);
    if (r.kind == TeamSyncResponse::Kind::NetworkError)
        return retry("sync.error.network", what + ": " + (r.error.empty() ? "network error" : r.error), true, now);
    const std::string code = what + ": HTTP " + std::to_string(r.status);
    if (r.status == 401 || r.status == 403) return fail(TeamSyncOutcome::Failed, "sync.error.auth", code);

    if (!get) {
        if (r.status >= 200 && r.status < 300) {
            // Not proof yet: the next GET must show it.
            confirming_ = true;
            confirmEtag_ = isStrongEtag(r.etag) ? r.etag : "";
            step_ = Step::Get;
            return;
        }
        if (retryable(r.status)) return retry("sync.error.server", code, false, now);
        return fail(TeamSyncOutcome::Failed, "sync.error.refused", code);
    }

    if (r.status == 304 && confirming_ && !confirmEtag_.empty()) {
        // The team file is still exactly what we wrote.
        etag_ = confirmEtag_;
        status_.etag = etag_;
        status_.changesOut = pendingOut_;
        ws.observeReplicas();
        return finish(now);
    }
    if (r.status == 404) {
        if (confirming_) return retry("sync.error.server", "GET: the team file we wrote is not there", false, now);
        remoteMissing_ = true;
        etag_.clear();
        pendingOut_ = recordCount(ws.document());
        ws.acknowledge();
        sentStamp_ = replicaStamp(ws.syncState(), ws.replica());
        putBody_ = teamText(ws);
        step_ = Step::Put;
        return;
    }
    if (r.status >= 200 && r.status < 300) return handleBody(r, ws, now);
    if (retryable(r.status)) return retry("sync.error.server", code, false, now);
    return fail(TeamSyncOutcome::Failed, "sync.error.refused", code);
}

void TeamSync::handleBody(const TeamSyncResponse& r, Workspace& ws, Time now) {
    auto refuse = [&](const std::string& detail) {
        rejected_ = r.body;
        fail(TeamSyncOutcome::BadRemote, "sync.error.bad_remote", detail);
    };
    DecodeResult d = decodeDocument(std::string_view(r.body), options_.limits);
    // Version 0 (no "format"/"version") predates sync: any foreign JSON object would decode as one.
    if (!d.ok || d.migratedFrom == 0)
        return refuse("the team file is not a Funnel document: " + (d.ok ? std::string("format: expected \"funnel\"") : d.error));
    SyncState remoteState;
    std::string error;
    if (!splitSync(d.document, remoteState, error) || !checkRemoteState(remoteState, now, error))
        return refuse("the team file's sync data is damaged: " + error);
    const std::string me = ws.replica();
    const std::string localMe = replicaStamp(ws.syncState(), me);
    const std::string remoteMe = replicaStamp(remoteState, me);
    MergeResult m = merge(ws.document(), ws.syncState(), d.document, remoteState);
    if (!m.ok) return refuse("the team file cannot be merged: " + m.error);
    status_.changesIn += m.changedIn;
    if (!ws.applyMerge(m)) return fail(TeamSyncOutcome::Failed, "sync.error.refused", "the merge could not be applied");
    // Tombstone retention (docs/SYNC.md): the state now holds what the team file says every
    // listed replica has merged; tombstones all of them have merged for 90 days go, and a PUT
    // takes them out of the team file too.
    const int purged = ws.purgeTombstones(now);
    status_.openConflicts = ws.syncState().conflicts.empty() && ws.syncState().gone.empty()
                                ? 0
                                : int(openConflicts(ws.document(), ws.syncState()).size());
    if (isStrongEtag(r.etag)) status_.etag = r.etag;

    const bool covered = confirming_ ? (!sentStamp_.empty() && remoteMe >= sentStamp_)
                                     : (m.changedOut == 0 && purged == 0 && remoteMe >= localMe);
    if (covered) {
        if (confirming_) status_.changesOut = pendingOut_;
        ws.observeReplicas();
        return finish(now);
    }
    if (confirming_) return retry("sync.error.server", "PUT: answered 2xx but a later GET does not show it", false, now);
    if (!isStrongEtag(r.etag)) {
        if (r.etag.empty()) return fail(TeamSyncOutcome::Failed, "sync.error.unsupported", "GET: the server sent no ETag");
        // Apache's weak tag right after a write: a conditional PUT would get 412. Ask again shortly.
        if (++weakWaits_ > options_.maxWeakWaits)
            return fail(TeamSyncOutcome::GaveUp, "sync.error.server", "GET: the ETag stayed weak");
        step_ = Step::Wait;
        waitUntil_ = now + options_.weakRetryMs + Time(random() * double(options_.weakRetryMs) / 4);
        status_.retryAt = waitUntil_;
        return;
    }
    etag_ = r.etag;
    remoteMissing_ = false;
    pendingOut_ = m.changedOut;
    ws.acknowledge();
    ws.purgeTombstones(now);  // those only our acknowledgement was missing for
    sentStamp_ = replicaStamp(ws.syncState(), me);
    putBody_ = teamText(ws);
    step_ = Step::Put;
}

}  // namespace funnel
