// Funnel — the team sync engine (docs/SYNC.md §1 and "Client"): one sync of the local workspace
// with the team file at a URL. Pure C++: no I/O, no clock, no randomness of its own. It emits
// HTTP requests and consumes their outcomes; the platform sends them (cpp-httplib natively in
// funnel-sync, fetch in the browser) and calls back with what came back.
//
//   TeamSync sync(options);
//   sync.start(now);                                   // false while a sync runs (one at a time)
//   while (sync.busy()) {
//       if (auto req = sync.nextRequest(now)) {        // nullopt while a backoff is pending
//           TeamSyncResponse res = send(*req);         // status, ETag, body — or timeout/network error
//           sync.receive(res, workspace, now);         // merges into the workspace, plans the next step
//       } else {
//           sleep until sync.wakeAt();
//       }
//   }
//   sync.status();                                     // for the UI: state, last synced, in/out, error key
//
// Protocol: GET (remember the strong ETag) → validate + merge the remote into the workspace →
// if the remote lacks anything we have: acknowledge and PUT with If-Match (If-None-Match: * after
// a 404) → GET again. A PUT's 2xx is not proof (Apache can answer 2xx to two racing PUTs): the
// sync is done only when a GET shows a remote whose state covers what we sent (its
// replicas[<our replica>] stamp ≥ ours at the PUT) — or, with a strong ETag from the PUT, a
// 304 to If-None-Match: <that tag>. 412/409/408/429/5xx/timeout/network error: back off
// (exponential, jittered by the injected random source) and start again from GET. A weak ETag
// (Apache's default for a second after each write) is never sent in If-Match: GET again after
// weakRetryMs. A remote that fails validation is refused: nothing merged, nothing PUT over it,
// its raw text kept for the platform to save as a backup (takeRejectedRemote()).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/codec.h"
#include "core/model.h"

namespace funnel {

class Workspace;

struct TeamSyncRequest {
    std::string method;                                        // "GET" | "PUT"
    std::string url;
    std::vector<std::pair<std::string, std::string>> headers;  // If-Match, If-None-Match, Authorization, Content-Type
    std::string body;                                          // PUT: the team document (local document + "sync")
    int timeoutMs = 30000;                                     // the platform gives up after this and reports Timeout
};

struct TeamSyncResponse {
    // TooLarge: the platform stopped reading a body over options.limits.maxBytes (error says so).
    enum class Kind { Answer, Timeout, NetworkError, TooLarge } kind = Kind::Answer;
    int status = 0;           // HTTP status when kind == Answer
    std::string etag;         // the ETag header as sent ("" when none), e.g. "\"sha256-…\"" or W/"…"
    std::string body;
    std::string error;        // what the platform knows about a network error (for logs)
};

// What the UI shows. Error keys are translation keys (app/ui/strings.cpp):
//   sync.error.network   the server could not be reached (phase Offline after the retries)
//   sync.error.timeout   the server did not answer in time (phase Offline after the retries)
//   sync.error.server    the server kept failing (5xx) or kept changing under us (412/409)
//   sync.error.auth      401/403: the credentials were refused (no retry)
//   sync.error.refused   another 4xx (413 too large, 422 rejected, …) (no retry)
//   sync.error.unsupported  the server gives no ETag: it cannot be used safely
//   sync.error.bad_remote   the team file is not a valid Funnel document: nothing merged or written
//   sync.error.too_large    the answer was larger than the document limit: not read, no retry
enum class TeamSyncPhase { Idle, Syncing, WaitingRetry, Offline, Error };
const char* phaseName(TeamSyncPhase);  // "idle", "syncing", "waiting-retry", "offline", "error"

enum class TeamSyncOutcome { None, Synced, GaveUp, BadRemote, Failed };

struct TeamSyncStatus {
    TeamSyncPhase phase = TeamSyncPhase::Idle;
    TeamSyncOutcome outcome = TeamSyncOutcome::None;  // of the last finished sync
    Time lastSyncedAt = 0;         // when a sync last finished confirmed (0 = never)
    int changesIn = 0;             // records the last sync changed locally
    int changesOut = 0;            // records the last sync sent that the remote lacked or had older
    int attempts = 0;              // rounds (GET…) of the current/last sync: 1 + retries
    std::string errorKey;          // "" or a sync.error.* key (see above)
    std::string errorDetail;       // English detail for logs and the CLI (HTTP status, path of a bad field)
    std::string etag;              // last strong ETag seen
    int openConflicts = 0;         // openConflicts(document, state).size() after the last merge
    Time retryAt = 0;              // when phase == WaitingRetry
};

struct TeamSyncOptions {
    std::string url;
    std::string authorization;     // the Authorization header value ("Bearer …", "Basic …"), "" = none
    int timeoutMs = 30000;
    int maxAttempts = 6;           // rounds before giving up (retries = maxAttempts - 1)
    Time backoffBaseMs = 500;      // first backoff; doubles per retry…
    Time backoffMaxMs = 30000;     // …up to this; the wait is uniform in [d/2, d)
    Time weakRetryMs = 1100;       // wait after a weak ETag before GETting again (Apache: 1 s)
    int maxWeakWaits = 20;         // weak-ETag waits per sync before giving up
    Limits limits;                 // checks on the remote text before any DOM is built
    std::function<double()> random;  // uniform in [0, 1); default: a fixed-seed generator
};

// "Basic " + base64(user:password), for TeamSyncOptions::authorization.
std::string basicAuthorization(const std::string& user, const std::string& password);
// A strong ETag as sent ("\"x\"") — false for weak (W/"x"), empty or malformed ones.
bool isStrongEtag(const std::string& etag);

class TeamSync {
public:
    explicit TeamSync(TeamSyncOptions options = {});

    void setOptions(TeamSyncOptions options);  // takes effect at the next start()
    const TeamSyncOptions& options() const { return options_; }

    // Starts one sync. False (and nothing changes) when a sync is already running.
    bool start(Time now);
    // Stops the running sync (nothing half-done: merges already applied stay, as they would).
    void cancel();
    bool busy() const { return step_ != Step::None; }

    // The request to send now; nullopt while waiting for an answer or for a backoff (wakeAt()).
    std::optional<TeamSyncRequest> nextRequest(Time now);
    // When nextRequest() will have something (a backoff or weak-ETag wait); 0 when not waiting.
    Time wakeAt() const { return waitUntil_; }
    // The outcome of the last request. Merges the remote into the workspace (journaled with it,
    // undo history kept) and plans the next step.
    void receive(const TeamSyncResponse& response, Workspace& workspace, Time now);

    const TeamSyncStatus& status() const { return status_; }
    // The raw text of a remote refused as invalid, once, for the platform to keep as a backup.
    std::optional<std::string> takeRejectedRemote();

private:
    enum class Step { None, Get, AwaitGet, Put, AwaitPut, Wait };
    void retry(const std::string& key, const std::string& detail, bool offline, Time now);
    void fail(TeamSyncOutcome outcome, const std::string& key, const std::string& detail);
    void finish(Time now);
    void handleBody(const TeamSyncResponse& r, Workspace& ws, Time now);
    TeamSyncRequest makeRequest(const std::string& method) const;
    double random();

    TeamSyncOptions options_;
    TeamSyncStatus status_;
    Step step_ = Step::None;
    Time waitUntil_ = 0;
    int weakWaits_ = 0;
    int retries_ = 0;
    bool confirming_ = false;          // the next GET checks that our PUT landed
    std::string confirmEtag_;          // strong ETag of our PUT's answer: 304 to If-None-Match = landed
    std::string sentStamp_;            // our replica's stamp in the body we PUT
    std::string etag_;                 // strong ETag of the last GET ("" after a 404)
    bool remoteMissing_ = false;       // the last GET said 404
    std::string putBody_;
    int pendingOut_ = 0;
    std::optional<std::string> rejected_;
    std::uint64_t rng_ = 0x9e3779b97f4a7c15ull;
};

}  // namespace funnel
