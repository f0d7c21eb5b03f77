// funnel-serve's Host policy, loopback test and connection deadlines (guard.h).
#include "guard.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>

namespace funnel::serve {

namespace {
std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// "name" of "name:port", "[v6]:port" → "[v6]"; trailing dot dropped ("localhost." is localhost).
std::string hostName(std::string_view header) {
    std::string_view h = header;
    while (!h.empty() && (h.front() == ' ' || h.front() == '\t')) h.remove_prefix(1);
    while (!h.empty() && (h.back() == ' ' || h.back() == '\t')) h.remove_suffix(1);
    if (!h.empty() && h.front() == '[') {
        const auto close = h.find(']');
        if (close != std::string_view::npos) h = h.substr(0, close + 1);
    } else if (const auto colon = h.rfind(':'); colon != std::string_view::npos) {
        h = h.substr(0, colon);
    }
    if (!h.empty() && h.back() == '.') h.remove_suffix(1);
    return lower(h);
}

bool endsWith(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

struct Current {
    GuardedServer* server = nullptr;
    int fd = -1;
};
thread_local Current current;
std::chrono::seconds keepAliveWait{CPPHTTPLIB_KEEPALIVE_TIMEOUT_SECOND};
}  // namespace

bool isLoopbackAddress(std::string_view host) {
    std::string h = hostName(host);
    if (h == "localhost" || endsWith(h, ".localhost")) return true;
    if (h.size() > 2 && h.front() == '[') h = h.substr(1, h.size() - 2);
    in_addr v4{};
    if (::inet_pton(AF_INET, h.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
    in6_addr v6{};
    if (::inet_pton(AF_INET6, h.c_str(), &v6) == 1) {
        if (IN6_IS_ADDR_LOOPBACK(&v6)) return true;
        // ::ffff:127.x.x.x
        return IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127;
    }
    return false;
}

void HostPolicy::allow(std::string_view list) {
    for (std::size_t pos = 0; pos <= list.size();) {
        std::size_t end = list.find(',', pos);
        if (end == std::string_view::npos) end = list.size();
        const std::string name = hostName(list.substr(pos, end - pos));
        if (name == "*")
            any_ = true;
        else if (!name.empty())
            names_.insert(name);
        pos = end + 1;
    }
}

bool HostPolicy::allows(std::string_view hostHeader) const {
    if (any_) return true;
    const std::string name = hostName(hostHeader);
    // HTTP/1.1 requires Host; a request without one cannot be a browser's, but it is refused
    // too: nothing legitimate here omits it.
    if (name.empty()) return false;
    return isLoopbackAddress(name) || names_.count(name) > 0;
}

// Wraps httplib's thread pool: each task is tagged with its socket before it is queued.
class GuardedServer::Queue : public httplib::TaskQueue {
public:
    Queue(GuardedServer& server, std::size_t threads) : server_(server), pool_(threads) {}
    void enqueue(std::function<void()> fn) override {
        // Called on the accept thread right after accept(): the new socket is open and no task
        // holds it yet.
        const int guard = server_.adoptNewSocket();
        pool_.enqueue([this, guard, fn = std::move(fn)] {
            current = {guard >= 0 ? &server_ : nullptr, guard};
            fn();
            current = {};
            if (guard >= 0) server_.release(guard);
        });
    }
    void shutdown() override { pool_.shutdown(); }

private:
    GuardedServer& server_;
    httplib::ThreadPool pool_;
};

GuardedServer::GuardedServer(Deadlines deadlines, std::size_t threads) : deadlines_(deadlines) {
    new_task_queue = [this, threads] { return new Queue(*this, threads); };
    watchdog_ = std::thread([this] { watch(); });
}

GuardedServer::~GuardedServer() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    watchdog_.join();
}

int GuardedServer::adoptNewSocket() {
    std::lock_guard lock(mutex_);
    // Every connected socket of this port is held by a task (its inode is known, and the dup
    // kept below keeps it from being reused) except the one just accepted.
    int found = -1;
    DIR* fds = ::opendir("/proc/self/fd");
    if (!fds) return -1;
    while (dirent* entry = ::readdir(fds)) {
        char* end = nullptr;
        const long fd = std::strtol(entry->d_name, &end, 10);
        if (end == entry->d_name || *end != '\0' || fd == ::dirfd(fds)) continue;
        struct stat st {};
        if (::fstat(int(fd), &st) != 0 || !S_ISSOCK(st.st_mode) ||
            heldInodes_.count(std::uint64_t(st.st_ino)))
            continue;
        sockaddr_storage local{}, peer{};
        socklen_t localLen = sizeof local, peerLen = sizeof peer;
        if (::getsockname(int(fd), reinterpret_cast<sockaddr*>(&local), &localLen) != 0 ||
            ::getpeername(int(fd), reinterpret_cast<sockaddr*>(&peer), &peerLen) != 0)
            continue;
        int port = -1;
        if (local.ss_family == AF_INET)
            port = ntohs(reinterpret_cast<sockaddr_in*>(&local)->sin_port);
        else if (local.ss_family == AF_INET6)
            port = ntohs(reinterpret_cast<sockaddr_in6*>(&local)->sin6_port);
        if (port != listenPort_) continue;
        if (found >= 0) {  // two candidates: cannot tell which is new, watch neither
            found = -1;
            break;
        }
        found = int(fd);
    }
    ::closedir(fds);
    if (found < 0) return -1;
    const int guard = ::fcntl(found, F_DUPFD_CLOEXEC, 0);
    if (guard < 0) return -1;
    struct stat st {};
    ::fstat(guard, &st);
    heldInodes_.insert(std::uint64_t(st.st_ino));
    inodeByFd_[guard] = std::uint64_t(st.st_ino);
    deadlineByFd_[guard] = std::chrono::steady_clock::now() + deadlines_.header;
    return guard;
}

void GuardedServer::release(int guard) {
    std::lock_guard lock(mutex_);
    deadlineByFd_.erase(guard);
    heldInodes_.erase(inodeByFd_[guard]);
    inodeByFd_.erase(guard);
    ::close(guard);
}

void GuardedServer::headerRead() {
    if (!current.server) return;
    std::lock_guard lock(current.server->mutex_);
    current.server->deadlineByFd_[current.fd] =
        std::chrono::steady_clock::now() + current.server->deadlines_.body;
}

void GuardedServer::writing() {
    if (!current.server) return;
    std::lock_guard lock(current.server->mutex_);
    current.server->deadlineByFd_[current.fd] = std::chrono::steady_clock::time_point::max();
}

void GuardedServer::answered() {
    if (!current.server) return;
    std::lock_guard lock(current.server->mutex_);
    // The next request on this connection may start after the keep-alive wait.
    current.server->deadlineByFd_[current.fd] =
        std::chrono::steady_clock::now() + keepAliveWait + current.server->deadlines_.header;
}

void GuardedServer::watch() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        wake_.wait_for(lock, std::chrono::milliseconds(500));
        const auto now = std::chrono::steady_clock::now();
        for (auto& [fd, deadline] : deadlineByFd_) {
            if (deadline > now) continue;
            // The worker's blocked read returns 0 and httplib closes the connection.
            ::shutdown(fd, SHUT_RDWR);
            deadline = std::chrono::steady_clock::time_point::max();
        }
    }
}

}  // namespace funnel::serve
