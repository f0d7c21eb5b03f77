// Funnel — the shared-folder transport on a real file system (see folder_io.h).
#include "platform/native/folder_io.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <random>

namespace funnel::native {

namespace {

std::int64_t mtimeMs(const struct stat& st) {
    return std::int64_t(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1000000;
}

FolderResponse error(int err, const std::string& what) {
    FolderResponse r;
    r.kind = err == ENOENT                                   ? FolderResponse::Kind::NotFound
             : err == EACCES || err == EPERM || err == EROFS ? FolderResponse::Kind::Denied
                                                             : FolderResponse::Kind::Failed;
    r.error = what + ": " + std::strerror(err);
    return r;
}

// A unique id per write: the process, a counter and random bits (threads and processes share a folder).
std::string writerId() {
    static std::atomic<unsigned> counter{0};
    static thread_local std::mt19937_64 rng{std::random_device{}()};
    char buf[64];
    std::snprintf(buf, sizeof buf, "%d-%u-%08llx", int(getpid()), counter.fetch_add(1),
                  static_cast<unsigned long long>(rng() & 0xffffffffull));
    return buf;
}

bool writeAll(int fd, const std::string& s) {
    std::size_t done = 0;
    while (done < s.size()) {
        const ssize_t n = ::write(fd, s.data() + done, s.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        done += std::size_t(n);
    }
    return true;
}

}  // namespace

FolderResponse perform(const std::string& folder, const FolderRequest& q) {
    FolderResponse r;
    const std::string path = folder + "/" + q.name;
    switch (q.op) {
        case FolderRequest::Op::List: {
            DIR* dir = ::opendir(folder.c_str());
            if (!dir) return error(errno, "cannot open the folder " + folder);
            r.listedAt = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
            while (dirent* e = ::readdir(dir)) {
                const std::string name = e->d_name;
                if (name == "." || name == "..") continue;
                struct stat st {};
                if (::fstatat(::dirfd(dir), e->d_name, &st, 0) != 0 || !S_ISREG(st.st_mode)) continue;
                r.files.push_back(FolderFile{name, std::int64_t(st.st_size), mtimeMs(st)});
            }
            ::closedir(dir);
            return r;
        }
        case FolderRequest::Op::Read: {
            const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
            if (fd < 0) return error(errno, "cannot open " + q.name);
            struct stat st {};
            if (::fstat(fd, &st) != 0) {
                const int err = errno;
                ::close(fd);
                return error(err, "cannot stat " + q.name);
            }
            r.file = FolderFile{q.name, std::int64_t(st.st_size), mtimeMs(st)};
            r.body.reserve(std::size_t(st.st_size));
            char buf[65536];
            for (;;) {
                const ssize_t n = ::read(fd, buf, sizeof buf);
                if (n < 0 && errno == EINTR) continue;
                if (n < 0) {
                    const int err = errno;
                    ::close(fd);
                    return error(err, "cannot read " + q.name);
                }
                if (n == 0) break;
                r.body.append(buf, std::size_t(n));
            }
            ::close(fd);
            return r;
        }
        case FolderRequest::Op::Write: {
            const std::string temp = folder + "/" + tempFileName(q.name, writerId());
            const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
            if (fd < 0) return error(errno, "cannot create a temporary file in " + folder);
            if (!writeAll(fd, q.body) || ::fsync(fd) != 0) {
                const int err = errno;
                ::close(fd);
                ::unlink(temp.c_str());
                return error(err ? err : EIO, "cannot write a temporary file in " + folder);
            }
            ::close(fd);
            if (std::getenv("FUNNEL_SYNC_DIE_BEFORE_SWAP"))
                ::kill(::getpid(), SIGKILL);  // the test of a writer killed here
            if (::rename(temp.c_str(), path.c_str()) != 0) {
                const int err = errno;
                ::unlink(temp.c_str());
                return error(err, "cannot replace " + q.name);
            }
            if (const int dfd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dfd >= 0) {
                ::fsync(dfd);
                ::close(dfd);
            }
            return r;
        }
        case FolderRequest::Op::Remove: {
            struct stat st {};
            if (::stat(path.c_str(), &st) != 0) return error(errno, "cannot stat " + q.name);
            if (std::int64_t(st.st_size) != q.expect.size || mtimeMs(st) != q.expect.modified) {
                r.kind = FolderResponse::Kind::Changed;
                return r;
            }
            if (::unlink(path.c_str()) != 0) return error(errno, "cannot remove " + q.name);
            return r;
        }
    }
    return r;
}

}  // namespace funnel::native
