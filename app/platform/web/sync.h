// Funnel — team sync in the browser: drives the core engine (core/team_sync.h) with fetch(),
// keeps this device's sync settings, and reports to the views (ui/team_sync.h).
//
//   - HTTP: fetch() with credentials: 'omit', mode: 'cors', cache: 'no-store', redirect: 'error'
//     and an explicit Authorization header: the password or token goes to the team file's URL
//     and nowhere else (a redirect is refused rather than followed). Each request has a timeout
//     (AbortController); a timeout or a network error is handed to the engine, which backs off.
//   - One sync at a time across tabs: every sync runs under the Web Lock "funnel-sync:<ns>".
//   - When: on an interval (the user's choice), when the browser comes back online, and a few
//     seconds after local edits. Offline, nothing is tried: the edits are already in the store,
//     and the status says "offline" until the `online` event.
//   - Device-local, never in the shared document and never in localStorage: the URL, sign-in
//     kind, user and interval live in their own IDBFS mount (/funnel-device/<ns>/sync.json);
//     the password or token is held in memory for the session, or, only when the user ticks
//     "remember", in /funnel-device/<ns>/sync-secret.json. Other tabs of the page hear about
//     changes (and the session's secret) over a BroadcastChannel.
//   - A remote document the engine refuses is kept as /funnel-device/<ns>/rejected-<time>.json
//     (the last five) and reported; nothing is merged or written over it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/folder_sync.h"
#include "core/team_sync.h"
#include "core/workspace.h"
#include "ui/team_sync.h"

namespace funnel::web {

class TeamLink {
public:
    // Mounts the device folder and reads the settings (async); syncing starts once they are in
    // and the workspace is loaded (call after storage opened the document).
    void open(const std::string& ns);

    // A request from the views (or window.funnel.sync): set up, sync now, stop, resolve.
    void handle(const ui::SyncRequest& r, Workspace& ws);
    // Set up from window.funnel.sync.setup: "" or an error in plain English.
    std::string setup(const json& options);
    // Starts a sync now (or one after the running one); false when not set up.
    bool syncNow();
    // window.funnel.sync.run(): the number of the sync whose end answers it (js_sync_done).
    int runTicket() const;
    // The applied entries just handed to storage: local edits schedule a sync.
    void noteApplied(const std::vector<json>& applied);

    // For the views; conflicts are recomputed only when the workspace changed.
    ui::SyncStatus status(const Workspace& ws);
    json statusJson(const Workspace& ws);

    // [SECTION] From JavaScript (sync.cpp's exported functions)
    void locked();                                         // the cross-tab lock is ours
    void answered(int id, const TeamSyncResponse& r);      // a fetch finished
    void timer();                                          // a scheduled wake-up
    void online(bool up);
    void settingsLoaded(const std::string& settingsText, const std::string& secretText);
    void secretFromTab(const std::string& secret);
    // The shared folder (folder.h): what the stored or picked handle is, and answers.
    void folderState(const std::string& name, bool supported, bool granted);
    void folderAnswered(int id, const FolderResponse& r);
    std::string sessionSecret() const { return remember_ ? std::string() : secret_; }

private:
    void configure(const ui::SyncSettings& s, const std::string& secret, bool keepSecret);
    void stop();
    void requestSync();
    void pump();
    void finish();
    void reportDone(bool ran);
    void keepBackup(const std::string& text);
    void schedule(Time at);
    void saveSettings();
    TeamSyncOptions options() const;
    bool folderMode() const { return settings_.where == ui::SyncSettings::Where::Folder; }
    bool configured() const { return folderMode() ? !settings_.folder.empty() : !settings_.url.empty(); }
    const TeamSyncStatus& engineStatus() const { return folderMode() ? folder_.status() : engine_.status(); }
    bool engineBusy() const { return folderMode() ? folder_.busy() : engine_.busy(); }
    Time engineWakeAt() const { return folderMode() ? folder_.wakeAt() : engine_.wakeAt(); }
    void cancelEngine() {
        folder_.cancel();
        engine_.cancel();
    }
    bool missingSecret() const;

    bool opened_ = false, loaded_ = false;
    std::string ns_;
    ui::SyncSettings settings_;
    std::string secret_;
    bool remember_ = false;
    TeamSync engine_;
    FolderSync folder_;            // the shared-folder transport (docs/SYNC.md §8)
    std::string pickedFolder_;     // the folder handle's name ("" = none picked on this device)
    bool folderSupported_ = false, folderGranted_ = false;
    bool folderSetupPending_ = false;  // sync.setup({folder}) waits for the pick
    int folderSetupInterval_ = 60;
    bool wanted_ = false;          // a sync is asked for (waiting for the lock)
    bool locking_ = false;         // the lock is requested
    bool running_ = false;         // the lock is held and the engine runs
    int fetchId_ = 0;              // id of the fetch in flight (stale answers are dropped)
    bool inFlight_ = false;
    bool online_ = true;
    Time nextIntervalAt_ = 0;
    Time editsDueAt_ = 0;          // local edits: sync at this time (debounced)
    bool pendingOut_ = false;      // local edits not yet in a finished sync
    bool editsDuringSync_ = false;
    Time scheduledAt_ = 0;
    Time lastSyncedAt_ = 0;        // remembered in the device folder
    int syncNumber_ = 0;           // syncs started in this page
    std::vector<std::string> backups_;
    std::string backupNote_;

    std::uint64_t conflictsRevision_ = ~0ull;
    std::vector<ConflictChoice> conflicts_;
};

TeamLink& teamLink();

}  // namespace funnel::web
