// Funnel — team sync through a shared folder (docs/SYNC.md §8): the team file is a plain file in
// a folder the team already shares (a NAS drive, a Windows share, a Dropbox / OneDrive / Google
// Drive / Nextcloud folder). A plain folder has no compare-and-swap, so the protocol is:
//
//   list the folder → read the team file and every sync client's conflict copy of it → merge
//   each into the workspace (same merge as the HTTP transport) → if the team file lacks anything
//   we have: write the whole file (the platform writes a temporary file in the same folder and
//   swaps it in: rename(2) natively, createWritable().close() in the browser) → read it again:
//   our stamp there (replicas[<us>] ≥ what we wrote) confirms it; missing means someone else's
//   swap replaced ours: back off (jittered) and start again from the listing. Edits count as
//   synced only once confirmed, so a lost race costs a retry, never data. Conflict copies that
//   were merged are removed only after the merged file is confirmed, and only when they have
//   not changed since they were read (size and modification time).
//   The team file's modification time + size is the change token: when it is the one of the
//   last confirmed sync and nothing changed locally since, a sync reads nothing more.
//
// Pure C++: no I/O, no clock, no randomness of its own (like TeamSync). It emits folder
// operations and consumes their outcomes; the platform performs them (POSIX natively in
// funnel-sync, the File System Access API in the browser).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/codec.h"
#include "core/team_sync.h"

namespace funnel {

class Workspace;

// A file as the folder lists it: the change token is (modified, size).
struct FolderFile {
    std::string name;
    std::int64_t size = -1;     // bytes; -1 = unknown
    std::int64_t modified = 0;  // modification time in ms since the epoch (the platform's clock)
    bool operator==(const FolderFile&) const = default;
};
std::string changeToken(const FolderFile& f);  // "<modified>-<size>"

struct FolderRequest {
    enum class Op { List, Read, Write, Remove } op = Op::List;
    std::string name;   // Read / Write / Remove: a file name in the folder (never a path)
    std::string body;   // Write: the whole team file
    FolderFile expect;  // Remove: remove only while the file still has this size and time
};

struct FolderResponse {
    // NotFound: no such file. Denied: the folder may not be read or written (the browser took
    // the permission back, or the OS refuses). Changed: Remove found the file changed (kept).
    // Failed: anything else (the folder is gone or unmounted, an I/O error).
    enum class Kind { Ok, NotFound, Denied, Changed, Failed } kind = Kind::Ok;
    std::vector<FolderFile> files;  // List: the folder's files (names, sizes, times)
    std::int64_t listedAt = 0;      // List: the platform's wall time, in the files' time base
    std::string body;               // Read: the file's bytes
    FolderFile file;                // Read: the file as it was read (same open file: size, time)
    std::string error;              // what the platform knows (for logs)
};

// Sync clients' conflict copies of a team file `team` ("team.json"), by their naming schemes
// (docs/SYNC.md §8): Dropbox "team (conflicted copy 2026-12-06).json", "team (Ann's conflicted
// copy 2026-12-06).json"; Nextcloud "team (conflicted copy 2026-12-06 101112).json", ownCloud
// "team_conflict-20261206-101112.json"; Google Drive "team (1).json"; OneDrive
// "team-DESKTOP-1.json" (the computer's name, upper case, maybe "-1" after it).
bool isConflictCopy(std::string_view name, std::string_view team);
// Temporary files of a write in progress: funnel-sync's ".team.json.<id>.tmp", Chromium's
// "team.json.crswap" (createWritable()). Never merged; funnel-sync's stale ones are removed.
bool isTempFile(std::string_view name, std::string_view team);
// The temporary file name a native write of `team` uses (`id` makes it unique per writer).
std::string tempFileName(std::string_view team, std::string_view id);
// A plausible team file name: "<name>.json", no path separators, not hidden.
bool plausibleTeamFileName(std::string_view name);

struct FolderSyncOptions {
    std::string teamFile = "team.json";
    int maxAttempts = 8;        // rounds (list…confirm) before giving up
    Time backoffBaseMs = 200;   // first backoff after a lost race or an I/O error; doubles…
    Time backoffMaxMs = 15000;  // …up to this; the wait is uniform in [d/2, d)
    Time staleTempMs = 600000;  // funnel-sync's temporary files older than this are removed
    Limits limits;              // checks on every file's text before any DOM is built
    std::function<double()> random;
};

// Error keys (translated in app/ui/strings.cpp), besides TeamSync's sync.error.bad_remote:
//   sync.error.folder       the folder cannot be read or written (gone, unmounted, I/O error);
//                           retried, phase Offline after the attempts
//   sync.error.permission   access to the folder was refused (browser permission): no retry
//   sync.error.folder_busy  others kept replacing the team file while we wrote (lost races)
class FolderSync {
public:
    explicit FolderSync(FolderSyncOptions options = {});
    void setOptions(FolderSyncOptions options);
    const FolderSyncOptions& options() const { return options_; }

    bool start(Time now);
    void cancel();
    bool busy() const { return step_ != Step::None; }
    std::optional<FolderRequest> nextRequest(Time now);
    Time wakeAt() const { return waitUntil_; }
    void receive(const FolderResponse& response, Workspace& workspace, Time now);

    const TeamSyncStatus& status() const { return status_; }  // etag = the change token
    std::optional<std::string> takeRejectedRemote();
    // Conflict copies the last sync merged and removed, and those it could not use (left alone).
    const std::vector<std::string>& removedCopies() const { return removed_; }
    const std::vector<std::string>& ignoredCopies() const { return ignored_; }

private:
    enum class Step {
        None,
        List,
        AwaitList,
        Read,
        AwaitRead,
        Write,
        AwaitWrite,
        Confirm,
        AwaitConfirm,
        Remove,
        AwaitRemove,
        Wait
    };
    struct Merged {
        bool ok = false;
        std::string error;
        int changedOut = 0;
        int purged = 0;
        std::string remoteMe;
    };
    Merged mergeText(const std::string& body, Workspace& ws, Time now);
    void afterList(const FolderResponse& r, Workspace& ws, Time now);
    void afterReads(Workspace& ws, Time now);
    void retry(const std::string& key, const std::string& detail, Time now);
    void fail(TeamSyncOutcome outcome, const std::string& key, const std::string& detail);
    void finish(Workspace& ws, Time now);
    double random();

    FolderSyncOptions options_;
    TeamSyncStatus status_;
    Step step_ = Step::None;
    Time waitUntil_ = 0;
    int retries_ = 0;
    std::vector<FolderFile> toRemove_;  // stale temp files, then (after a confirmed write) copies
    std::vector<FolderFile> reads_;     // the team file (when listed) and the conflict copies
    std::size_t readIndex_ = 0;
    std::vector<FolderFile> mergedCopies_;
    bool teamListed_ = false;
    bool teamCovered_ = false;  // the team file had everything we had when it was read
    std::string localMeAtRead_;
    std::string sentStamp_;
    std::string writeBody_;
    int pendingOut_ = 0;
    bool removingCopies_ = false;
    std::string knownToken_;           // the team file's token at the last finished sync
    std::uint64_t knownRevision_ = 0;  // the workspace's revision then
    bool known_ = false;
    std::vector<std::string> removed_, ignored_;
    std::optional<std::string> rejected_;
    std::uint64_t rng_ = 0x9e3779b97f4a7c15ull;
};

}  // namespace funnel
