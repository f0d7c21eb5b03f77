// funnel-serve's team documents on disk: one file per document in one folder, replaced by a
// true compare-and-swap (lock → compare ETag → temp file → fsync → rename → fsync folder), so
// of several writers holding the same ETag exactly one wins. The last N versions are kept
// beside it as <name>.json.<n> for recovery. See docs/SYNC.md.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace funnel::serve {

// True for a document name the endpoint accepts: [A-Za-z0-9_-]{1,64}. Nothing else can name a
// file, so no request can reach outside the folder.
bool validSyncName(std::string_view name);

// Strong ETag of a body: "\"sha256-<64 hex>\"" (quotes included, as sent in the header).
std::string syncEtag(std::string_view body);

struct SyncRead {
    bool exists = false;
    std::string etag;   // quoted; "" when missing
    std::string body;
    std::string error;  // I/O failure ("" when fine)
};

// What a PUT asked for, from If-Match / If-None-Match.
struct SyncPrecondition {
    bool hasIfMatch = false;
    std::string ifMatch;      // raw header: "*" or a list of quoted tags
    bool ifNoneMatchAny = false;  // If-None-Match: *
};

struct SyncLimits {
    int keepVersions = 20;
    int maxDocuments = 100;                                // distinct <name>.json in the folder
    std::uint64_t maxTotalBytes = std::uint64_t(1) << 30;  // documents + kept versions on disk
};

struct SyncWrite {
    int status = 500;     // 201 created, 204 replaced, 412 precondition failed, 428, 507, 500
    std::string etag;     // new ETag when written
    std::string error;
};

class SyncStore {
public:
    SyncStore(std::filesystem::path dir, SyncLimits limits);

    // Creates the folder if needed and removes temporary files a crashed write left behind
    // (.<name>.json.tmp-*); false + error when it cannot.
    bool open(std::string* error);
    const std::filesystem::path& dir() const { return dir_; }

    SyncRead read(const std::string& name);
    // Replaces the document if the precondition holds against its current version. The body
    // must already be validated by the caller (nothing is parsed here).
    SyncWrite write(const std::string& name, std::string_view body, const SyncPrecondition& pre);

private:
    struct Slot {
        std::mutex mutex;          // check + write of one document are one step
        std::string cachedEtag;    // of the file as last seen, keyed by its identity below
        std::uintmax_t size = 0;
        std::int64_t mtimeNs = 0;
        std::uint64_t inode = 0;
    };
    std::shared_ptr<Slot> slot(const std::string& name);
    SyncRead readLocked(const std::string& name, Slot& slot);
    bool keepVersion(const std::string& name, std::string* error);
    // Empty when writing `bytes` as <name>.json stays within the limits, else why not.
    std::string overLimits(bool exists, std::uintmax_t bytes);

    std::filesystem::path dir_;
    SyncLimits limits_;
    std::mutex folderMutex_;  // the limits check and the write of a new name are one step
    std::mutex slotsMutex_;
    std::map<std::string, std::shared_ptr<Slot>> slots_;
};

}  // namespace funnel::serve
