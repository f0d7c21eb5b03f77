// Funnel — team sync as the views see it: a plain status the platform fills in each frame
// (SyncStatus), the requests the views make of it (SyncRequest: set up, sync now, stop, resolve
// a conflict), and the views themselves: the "Team sync" section of Settings with its conflicts
// panel, and the indicator in the status line. Views never do I/O: the platform's sync engine
// performs the requests (app/platform/web/team_sync.cpp in the browser).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/merge.h"
#include "core/model.h"

namespace funnel::ui {

struct ViewContext;

// Device-local sync settings: never written into the shared document.
struct SyncSettings {
    enum class Auth { None, Basic, Bearer };
    // Where the team file is: at a URL (a server), or in a shared folder the user picked
    // (docs/SYNC.md §8; the browser keeps the folder's handle, device-local).
    enum class Where { Server, Folder };
    Where where = Where::Server;
    std::string folder;            // Folder: the picked folder's name (for display)
    std::string url;               // the team file, http(s)://…
    Auth auth = Auth::None;
    std::string user;              // Basic only
    int intervalS = 60;            // background sync period
    bool remember = false;         // keep the password/token on this device (else memory only)
    bool operator==(const SyncSettings&) const = default;
};

inline constexpr int kSyncIntervals[] = {60, 300, 900, 3600};

struct SyncStatus {
    enum class State { Off, Idle, Syncing, Waiting, Offline, Error };
    State state = State::Off;      // Off = not set up on this device
    SyncSettings settings;
    bool hasSecret = false;        // a password/token is held (this session, or remembered)
    std::string replica;           // the id this tab stamps under
    std::string deviceReplica;     // this device's id: its tabs' ids (clock.h fromDevice) are "mine"
    Time lastSyncedAt = 0;         // last sync a later GET confirmed; 0 = never
    Time retryAt = 0;              // Waiting: when the next attempt starts
    int changesIn = 0;             // records the last sync changed here
    int changesOut = 0;            // records the last sync sent
    bool pendingOut = false;       // local edits not yet confirmed on the server
    std::string errorKey;          // strings.cpp key of the last error ("" = none)
    std::string errorDetail;       // technical detail (HTTP status, path in the file), shown small
    std::vector<ConflictChoice> conflicts;  // open conflicts (merge.h conflictChoices)
    // A shared folder (docs/SYNC.md §8): whether this browser can open folders at all (the File
    // System Access API), the folder picked on this device ("" = none yet), and whether the
    // browser wants the user's permission again before Funnel may read and write it.
    bool folderSupported = false;
    std::string pickedFolder;
    bool folderNeedsPermission = false;

    bool configured() const { return state != State::Off; }
};

struct SyncRequest {
    // PickFolder: open the browser's folder picker; GrantFolder: ask for the folder's permission
    // again (both need the click that asked for them).
    enum class Kind { Configure, SyncNow, Stop, Resolve, PickFolder, GrantFolder };
    Kind kind = Kind::SyncNow;
    // Configure
    SyncSettings settings;
    std::string secret;            // password or token typed now
    bool keepSecret = false;       // nothing typed: keep the one held
    // Resolve: write `value` into key/field (merge.h resolveConflict)
    std::string key, field;
    json value;
};

// "https://…" or "http://…" with a host: what the settings form accepts.
bool plausibleSyncUrl(const std::string& url);
// True for "http://" to a host that is not this machine (localhost, *.localhost, 127.x, [::1]):
// the file and the credentials would cross a network unencrypted, so the form warns.
bool plainHttpToOtherHost(const std::string& url);

// The sync views and what they keep between frames (the form being edited, the conflict being
// edited by hand).
class TeamSyncView {
public:
    // Settings → Team sync, with the conflicts panel under it.
    void settingsSection(ViewContext& ctx);
    // The status-line indicator; a click opens the section (and its conflicts).
    void indicator(ViewContext& ctx);
    // True while something moves (the spinner): the platform keeps drawing frames.
    bool animating(const SyncStatus& s) const { return s.state == SyncStatus::State::Syncing; }
    // The Settings screen scrolls to the section once when opened on "#/settings/sync".
    void scrollToSectionNextFrame() { scrollTo_ = true; }

private:
    void form(ViewContext& ctx);
    void folderForm(ViewContext& ctx);
    void actions(ViewContext& ctx, bool configured, bool changed, const std::function<void()>& submit);
    void statusLines(ViewContext& ctx);
    void conflicts(ViewContext& ctx);

    bool formLoaded_ = false;      // the form holds the status's settings
    SyncSettings loaded_;          // what it was loaded from: reloaded when the status changes
    bool loadedConfigured_ = false;
    bool scrollTo_ = false;
    SyncSettings draft_;
    std::string secret_;
    std::string formError_;        // strings key shown under the form
    int editing_ = -1;             // conflict being edited by hand (index), -1 = none
    std::string editText_;
};

}  // namespace funnel::ui
