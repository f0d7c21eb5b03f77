// Funnel — the shared-folder transport on a real file system (POSIX): performs the core's
// folder operations (core/folder_sync.h) for funnel-sync and the native tests.
//   List   readdir + stat: regular files with size and modification time (ms).
//   Read   open, fstat (the token of the very file read: a swap between a stat and the read
//          cannot mix one file's bytes with another's time), read all.
//   Write  the whole file into a new temporary file in the same folder (O_EXCL, a unique name:
//          core tempFileName), fsync, then rename(2) over the team file (atomic on one file
//          system: a reader sees the old file or the new one, never a mix), fsync the folder.
//   Remove only while the file still has the expected size and time.
#pragma once

#include <string>

#include "core/folder_sync.h"

namespace funnel::native {

// A test hook: when the environment variable FUNNEL_SYNC_DIE_BEFORE_SWAP is set, a Write exits
// the process (SIGKILL) after the temporary file is written and before the swap.
FolderResponse perform(const std::string& folder, const FolderRequest& request);

}  // namespace funnel::native
