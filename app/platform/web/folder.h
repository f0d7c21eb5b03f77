// Funnel — the shared-folder transport in the browser (docs/SYNC.md §8): the File System Access
// API performs the core's folder operations (core/folder_sync.h) for TeamLink (sync.h).
//   - The folder's handle (showDirectoryPicker, mode readwrite) is kept in IndexedDB, device-local
//     like the URL settings (database "funnel-folder:<ns>"), and never in the shared document.
//   - Every operation first asks queryPermission(): anything but "granted" answers Denied (the
//     engine stops with sync.error.permission) and the views offer one explained click that
//     calls requestPermission() (it needs that click's user activation).
//   - Write: createWritable() (Chromium writes team.json.crswap in the same folder), write,
//     close() swaps it in; Read: getFile() — size, lastModified and text of one File snapshot.
//   - Tests: a page may set window.funnelTestFolders = {<name>: handle} with handles that are not
//     structured-cloneable (tests/e2e/sync-folder.test.mjs wraps a real folder behind a loopback
//     server); such a handle is stored as {testFolder: <name>} and found there again on load.
#pragma once

#include <string>

#include "core/folder_sync.h"

namespace funnel::web::folder {

// Loads the stored handle and reports (funnel_folder_state) whether the API exists, the
// folder's name and whether permission is granted.
void init(const std::string& ns);
// Whether this browser has the File System Access API (window.showDirectoryPicker).
bool supported();
void pick();   // showDirectoryPicker(); the new handle is stored and reported
void grant();  // requestPermission({mode: 'readwrite'}); reported
// Performs one operation; the answer comes back through TeamLink::folderAnswered(id, …).
void perform(int id, const FolderRequest& request);

}  // namespace funnel::web::folder
