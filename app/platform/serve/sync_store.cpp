// funnel-serve's team documents on disk: compare-and-swap writes and kept versions.
#include "sync_store.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <vector>

namespace fs = std::filesystem;

namespace funnel::serve {

namespace {
std::string errnoText(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

// flock on a per-document lock file, so two funnel-serve processes on one folder also take
// turns (the in-process mutex covers threads of one process).
class FileLock {
public:
    explicit FileLock(const fs::path& path) {
        fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (fd_ >= 0 && ::flock(fd_, LOCK_EX) != 0) {
            ::close(fd_);
            fd_ = -1;
        }
    }
    ~FileLock() {
        if (fd_ >= 0) ::close(fd_);  // closing releases the lock
    }
    FileLock(const FileLock&) = delete;
    FileLock& operator=(const FileLock&) = delete;
    bool held() const { return fd_ >= 0; }

private:
    int fd_ = -1;
};

bool writeAll(int fd, std::string_view data) {
    while (!data.empty()) {
        const ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        data.remove_prefix(std::size_t(n));
    }
    return true;
}

bool fsyncDir(const fs::path& dir) {
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return false;
    const bool ok = ::fsync(fd) == 0;
    ::close(fd);
    return ok;
}

// True when the If-Match list holds `etag` by strong comparison (weak tags never match).
bool ifMatchHolds(std::string_view header, std::string_view etag) {
    std::size_t pos = 0;
    while (pos < header.size()) {
        while (pos < header.size() && (header[pos] == ' ' || header[pos] == ',')) ++pos;
        std::size_t end = header.find(',', pos);
        if (end == std::string_view::npos) end = header.size();
        std::string_view tag = header.substr(pos, end - pos);
        while (!tag.empty() && tag.back() == ' ') tag.remove_suffix(1);
        if (tag == "*" || (!tag.empty() && tag == etag)) return true;
        pos = end;
    }
    return false;
}
}  // namespace

bool validSyncName(std::string_view name) {
    if (name.empty() || name.size() > 64) return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    });
}

std::string syncEtag(std::string_view body) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(body.data(), body.size(), digest, &len, EVP_sha256(), nullptr);
    static const char* hex = "0123456789abcdef";
    std::string tag = "\"sha256-";
    for (unsigned int i = 0; i < len; ++i) {
        tag += hex[digest[i] >> 4];
        tag += hex[digest[i] & 0xf];
    }
    tag += '"';
    return tag;
}

SyncStore::SyncStore(fs::path dir, SyncLimits limits) : dir_(std::move(dir)), limits_(limits) {}

bool SyncStore::open(std::string* error) {
    std::error_code ec;
    fs::create_directories(dir_, ec);
    if (ec || !fs::is_directory(dir_)) {
        if (error) *error = "cannot create the sync folder " + dir_.string() + ": " + ec.message();
        return false;
    }
    dir_ = fs::canonical(dir_, ec);
    if (ec) {
        if (error) *error = "cannot open the sync folder " + dir_.string() + ": " + ec.message();
        return false;
    }
    // A write that crashed between creating its temporary file and the rename leaves
    // .<name>.json.tmp-<pid>-<n> behind; nothing else ever reads one.
    for (const auto& entry : fs::directory_iterator(dir_, ec)) {
        const std::string f = entry.path().filename().string();
        if (f.size() > 1 && f[0] == '.' && f.find(".json.tmp-") != std::string::npos) {
            std::error_code removeError;
            fs::remove(entry.path(), removeError);
        }
    }
    return true;
}

std::string SyncStore::overLimits(bool exists, std::uintmax_t bytes) {
    int documents = 0;
    std::uintmax_t total = 0;
    std::set<std::uint64_t> inodes;  // a kept version shares its bytes with the document (hard link)
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir_, ec)) {
        const std::string f = entry.path().filename().string();
        if (f.empty() || f[0] == '.') continue;
        struct stat st {};
        if (::lstat(entry.path().c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
        if (f.size() > 5 && f.compare(f.size() - 5, 5, ".json") == 0) ++documents;
        // The document being replaced stays on disk as a kept version, so it still counts.
        if (inodes.insert(std::uint64_t(st.st_ino)).second) total += std::uintmax_t(st.st_size);
    }
    if (!exists && documents >= limits_.maxDocuments)
        return "the folder already holds " + std::to_string(documents) + " team documents (the limit)";
    if (total + bytes > limits_.maxTotalBytes)
        return "the team documents and their kept versions would exceed " +
               std::to_string(limits_.maxTotalBytes) + " bytes";
    return "";
}

std::shared_ptr<SyncStore::Slot> SyncStore::slot(const std::string& name) {
    std::lock_guard lock(slotsMutex_);
    auto& s = slots_[name];
    if (!s) s = std::make_shared<Slot>();
    return s;
}

SyncRead SyncStore::readLocked(const std::string& name, Slot& s) {
    SyncRead r;
    const fs::path file = dir_ / (name + ".json");
    const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno != ENOENT) r.error = errnoText("open");
        return r;
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        r.error = errnoText("stat");
        ::close(fd);
        return r;
    }
    r.body.resize(std::size_t(st.st_size));
    std::size_t got = 0;
    while (got < r.body.size()) {
        const ssize_t n = ::read(fd, r.body.data() + got, r.body.size() - got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        got += std::size_t(n);
    }
    ::close(fd);
    r.body.resize(got);
    r.exists = true;
    const std::int64_t mtimeNs = std::int64_t(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
    if (!s.cachedEtag.empty() && s.inode == std::uint64_t(st.st_ino) && s.size == std::uintmax_t(st.st_size) &&
        s.mtimeNs == mtimeNs && got == std::size_t(st.st_size)) {
        r.etag = s.cachedEtag;
    } else {
        r.etag = syncEtag(r.body);
        s.cachedEtag = r.etag;
        s.inode = std::uint64_t(st.st_ino);
        s.size = std::uintmax_t(st.st_size);
        s.mtimeNs = mtimeNs;
    }
    return r;
}

SyncRead SyncStore::read(const std::string& name) {
    auto s = slot(name);
    // The rename makes every read see a whole version; the mutex only guards the ETag cache.
    std::lock_guard lock(s->mutex);
    return readLocked(name, *s);
}

bool SyncStore::keepVersion(const std::string& name, std::string* error) {
    if (limits_.keepVersions <= 0) return true;
    const std::string prefix = name + ".json.";
    std::vector<long> numbers;
    for (const auto& entry : fs::directory_iterator(dir_)) {
        const std::string f = entry.path().filename().string();
        if (f.compare(0, prefix.size(), prefix) != 0 || f.size() == prefix.size()) continue;
        const std::string digits = f.substr(prefix.size());
        if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }) || digits.size() > 12)
            continue;
        numbers.push_back(std::stol(digits));
    }
    const long next = numbers.empty() ? 1 : *std::max_element(numbers.begin(), numbers.end()) + 1;
    const fs::path current = dir_ / (name + ".json");
    const fs::path kept = dir_ / (prefix + std::to_string(next));
    // A hard link costs nothing and shares the bytes until the next rename replaces the name.
    if (::link(current.c_str(), kept.c_str()) != 0) {
        std::error_code ec;
        fs::copy_file(current, kept, ec);
        if (ec) {
            if (error) *error = "cannot keep the previous version: " + ec.message();
            return false;
        }
    }
    for (long n : numbers)
        if (n <= next - limits_.keepVersions) {
            std::error_code ec;
            fs::remove(dir_ / (prefix + std::to_string(n)), ec);
        }
    return true;
}

SyncWrite SyncStore::write(const std::string& name, std::string_view body, const SyncPrecondition& pre) {
    SyncWrite w;
    if (!validSyncName(name)) {
        w.status = 400;
        w.error = "bad document name";
        return w;
    }
    if (!pre.hasIfMatch && !pre.ifNoneMatchAny) {
        // A blind overwrite would silently drop another writer's sync: refuse it (RFC 6585).
        w.status = 428;
        w.error = "PUT needs If-Match with the ETag you merged into, or If-None-Match: * to create";
        return w;
    }
    auto s = slot(name);
    std::lock_guard lock(s->mutex);
    FileLock fileLock(dir_ / ("." + name + ".lock"));
    if (!fileLock.held()) {
        w.error = errnoText("lock");
        return w;
    }
    const SyncRead current = readLocked(name, *s);
    if (!current.error.empty()) {
        w.error = current.error;
        return w;
    }
    if (pre.ifNoneMatchAny && current.exists) {
        w.status = 412;
        w.error = "the document already exists";
        w.etag = current.etag;
        return w;
    }
    if (pre.hasIfMatch && (!current.exists || !ifMatchHolds(pre.ifMatch, current.etag))) {
        w.status = 412;
        w.error = current.exists ? "the document changed since you read it" : "the document does not exist";
        w.etag = current.etag;
        return w;
    }
    // Held to the rename: two new names written at once must not both pass the count.
    std::lock_guard folderLock(folderMutex_);
    w.error = overLimits(current.exists, body.size());
    if (!w.error.empty()) {
        w.status = 507;  // Insufficient Storage
        return w;
    }
    if (current.exists && !keepVersion(name, &w.error)) return w;

    static std::atomic<unsigned> serial{0};
    const fs::path target = dir_ / (name + ".json");
    const fs::path temp = dir_ / ("." + name + ".json.tmp-" + std::to_string(::getpid()) + "-" + std::to_string(++serial));
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) {
        w.error = errnoText("create temporary file");
        return w;
    }
    const bool written = writeAll(fd, body) && ::fsync(fd) == 0;
    const int savedErrno = errno;
    ::close(fd);
    if (!written) {
        errno = savedErrno;
        w.error = errnoText("write");
        ::unlink(temp.c_str());
        return w;
    }
    if (::rename(temp.c_str(), target.c_str()) != 0) {
        w.error = errnoText("rename");
        ::unlink(temp.c_str());
        return w;
    }
    if (!fsyncDir(dir_)) {
        w.error = errnoText("fsync folder");
        return w;
    }
    w.etag = syncEtag(body);
    struct stat st {};
    if (::stat(target.c_str(), &st) == 0) {
        s->cachedEtag = w.etag;
        s->inode = std::uint64_t(st.st_ino);
        s->size = std::uintmax_t(st.st_size);
        s->mtimeNs = std::int64_t(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
    }
    w.status = current.exists ? 204 : 201;
    return w;
}

}  // namespace funnel::serve
