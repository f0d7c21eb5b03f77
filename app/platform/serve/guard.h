// funnel-serve's defences that sit in front of every route: which Host names are answered
// (DNS rebinding), whether an address is loopback, and a server whose connections have a
// deadline for their headers and for their body besides cpp-httplib's per-read timeouts.
// See docs/SYNC.md "funnel-serve's defaults".
#pragma once

#include <httplib.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <thread>

namespace funnel::serve {

// True for an address funnel-serve may listen on without tokens: 127.0.0.0/8, ::1, localhost.
bool isLoopbackAddress(std::string_view host);

// Which Host header values are answered. Loopback names always are; --allow-host adds names
// (comma-separated, compared without the port, case-insensitively), "*" allows any.
class HostPolicy {
public:
    void allow(std::string_view list);
    bool allows(std::string_view hostHeader) const;

private:
    std::set<std::string> names_;
    bool any_ = false;
};

struct Deadlines {
    std::chrono::seconds header{10};  // from connection (or the previous answer) to the whole header
    std::chrono::seconds body{120};   // from the header to the whole body
};

// httplib::Server whose connections are shut down when a deadline passes: a client that
// trickles a header byte by byte (each read within the per-read timeout) is cut off anyway.
// cpp-httplib (0.11) hands a connection to its task queue without saying which socket it is,
// so the queue here finds it: the one connected socket of this server no task holds yet.
class GuardedServer : public httplib::Server {
public:
    GuardedServer(Deadlines deadlines, std::size_t threads);
    ~GuardedServer() override;
    // Called from the request's thread: once its header is read (pre-routing), when its answer
    // starts (post-routing: a slow download is bounded by the per-write timeout only), and once
    // it is answered (the next request's header deadline starts).
    static void headerRead();
    static void writing();
    static void answered();

    // The port it listens on (after bind): only connections to it are watched.
    void setListenPort(int port) { listenPort_ = port; }

private:
    class Queue;
    // A dup() of the newly accepted socket (-1 when it could not be told apart).
    int adoptNewSocket();
    void release(int guard);
    void watch();

    Deadlines deadlines_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::map<int, std::chrono::steady_clock::time_point> deadlineByFd_;  // dup()ed fds
    std::set<std::uint64_t> heldInodes_;  // sockets some task holds (by their inode)
    std::map<int, std::uint64_t> inodeByFd_;
    int listenPort_ = -1;
    std::thread watchdog_;
};

}  // namespace funnel::serve
