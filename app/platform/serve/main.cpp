// funnel-serve: serves the web build (build/web) on the loopback interface so Funnel runs
// from one command, offline. Static files now; the team sync endpoint joins under /sync/.
#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>

#include "guard.h"
#include "site.h"
#include "sync_routes.h"

namespace {

struct ServeOptions {
    std::string host = "127.0.0.1";  // loopback only unless asked
    int port = 8080;                 // 0 = any free port (the URL printed says which)
    std::string root = "build/web";  // what scripts/build web produces
    bool quiet = false;              // no per-request log lines
    std::string allowHosts;          // --allow-host: Host names answered besides loopback ones
    bool openWithoutTokens = false;  // --open-without-tokens: non-loopback --host without --tokens
    funnel::serve::Deadlines deadlines;
    int ioTimeout = 15;              // --io-timeout: seconds one read or write may stall
    funnel::serve::SyncOptions sync; // the /sync/ endpoint (sync_routes.h)
};

void printUsage() {
    std::puts(
        "usage: funnel-serve [--host H] [--port N] [--root DIR] [--quiet] [options]\n"
        "  --host H    address to listen on (default 127.0.0.1; another one needs --tokens)\n"
        "  --port N    port, 0 for any free one (default 8080)\n"
        "  --root DIR  folder to serve (default build/web)\n"
        "  --quiet     do not log one line per request\n"
        "  --allow-host NAMES  also answer these Host names (comma-separated, or *); loopback\n"
        "                      names always are, others get 421 (DNS rebinding)\n"
        "  --open-without-tokens  listen on a non-loopback --host without --tokens (anyone who\n"
        "                      reaches the port can read and replace team documents)\n"
        "  --header-timeout S  seconds a request's header may take (default 10)\n"
        "  --body-timeout S    seconds a request's body may take (default 120)\n"
        "  --io-timeout S      seconds one read or write may stall (default 15)");
    std::puts(funnel::serve::syncUsage());
}

// Returns false (after printing why) on a bad command line.
bool parseOptions(int argc, char** argv, ServeOptions& options, bool& wantHelp) {
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        auto value = [&](std::string& out) {
            if (i + 1 >= argc) return false;
            out = argv[++i];
            return true;
        };
        std::string port;
        if (arg == "--help" || arg == "-h") {
            wantHelp = true;
        } else if (arg == "--quiet" || arg == "-q") {
            options.quiet = true;
        } else if (arg == "--host") {
            if (!value(options.host)) return false;
        } else if (arg == "--root") {
            if (!value(options.root)) return false;
        } else if (arg == "--allow-host") {
            std::string names;
            if (!value(names)) return false;
            options.allowHosts += (options.allowHosts.empty() ? "" : ",") + names;
        } else if (arg == "--open-without-tokens") {
            options.openWithoutTokens = true;
        } else if (arg == "--header-timeout" || arg == "--body-timeout" || arg == "--io-timeout") {
            std::string text;
            if (!value(text)) return false;
            char* end = nullptr;
            const long n = std::strtol(text.c_str(), &end, 10);
            if (end == text.c_str() || *end != '\0' || n < 1 || n > 86400) {
                std::fprintf(stderr, "funnel-serve: bad value '%s' for %s\n", text.c_str(), argv[i - 1]);
                return false;
            }
            if (arg == "--header-timeout")
                options.deadlines.header = std::chrono::seconds(n);
            else if (arg == "--body-timeout")
                options.deadlines.body = std::chrono::seconds(n);
            else
                options.ioTimeout = int(n);
        } else if (arg == "--port") {
            if (!value(port)) return false;
            char* end = nullptr;
            const long n = std::strtol(port.c_str(), &end, 10);
            if (end == port.c_str() || *end != '\0' || n < 0 || n > 65535) {
                std::fprintf(stderr, "funnel-serve: bad port '%s'\n", port.c_str());
                return false;
            }
            options.port = static_cast<int>(n);
        } else if (bool bad = false; funnel::serve::takeSyncOption(argc, argv, i, options.sync, &bad)) {
            if (bad) return false;
        } else {
            std::fprintf(stderr, "funnel-serve: unknown argument '%s'\n", argv[i]);
            return false;
        }
    }
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    ServeOptions options;
    bool wantHelp = false;
    if (!parseOptions(argc, argv, options, wantHelp)) {
        printUsage();
        return 2;
    }
    if (wantHelp) {
        printUsage();
        return 0;
    }

    funnel::serve::Site site(options.root);
    std::string error;
    if (!site.valid(&error)) {
        std::fprintf(stderr, "funnel-serve: %s\n", error.c_str());
        return 1;
    }

    // Team documents inside the served folder would be readable as static files, past the tokens.
    {
        std::error_code ec;
        const std::filesystem::path data = std::filesystem::weakly_canonical(options.sync.dataDir, ec);
        const std::filesystem::path root = site.root();
        auto [r, d] = std::mismatch(root.begin(), root.end(), data.begin(), data.end());
        if (!ec && r == root.end()) {
            std::fprintf(stderr,
                         "funnel-serve: --data %s is inside --root %s: team documents would be served "
                         "as plain files; keep them in a folder of their own\n",
                         options.sync.dataDir.c_str(), options.root.c_str());
            return 1;
        }
    }
    if (!funnel::serve::isLoopbackAddress(options.host) && options.sync.tokensFile.empty() &&
        !options.openWithoutTokens) {
        std::fprintf(stderr,
                     "funnel-serve: --host %s is reachable from other machines, and without --tokens anyone "
                     "who reaches it can read and replace the team documents. Give --tokens FILE, or "
                     "--open-without-tokens if that is really meant.\n",
                     options.host.c_str());
        return 2;
    }
    funnel::serve::HostPolicy hosts;
    hosts.allow(options.allowHosts);

    funnel::serve::GuardedServer server(options.deadlines, CPPHTTPLIB_THREAD_POOL_COUNT);
    server.set_read_timeout(options.ioTimeout);
    server.set_write_timeout(options.ioTimeout);
    // Headers and body go out in separate writes: without TCP_NODELAY, Nagle plus delayed ACK
    // adds ~40 ms to every response, which the first frame would pay several times.
    server.set_tcp_nodelay(true);
    server.set_keep_alive_max_count(100);
    funnel::serve::SyncEndpoint sync(options.sync);
    if (!sync.open(&error)) {
        std::fprintf(stderr, "funnel-serve: %s\n", error.c_str());
        return 1;
    }
    sync.mount(server);  // before the static routes, which match every path
    // Runs once a request's header is read, before its body is: the Host check (a page on
    // another site that rebinds its DNS name to 127.0.0.1 sends its own name as Host), then
    // the sync endpoint's name and token check, so an unauthorised PUT never gets its body read.
    server.set_pre_routing_handler([&hosts, &sync](const httplib::Request& req, httplib::Response& res) {
        funnel::serve::GuardedServer::headerRead();
        if (!hosts.allows(req.get_header_value("Host"))) {
            res.status = 421;  // Misdirected Request
            res.set_header("Connection", "close");
            res.set_content("421 this server does not answer for that host name (see --allow-host)\n",
                            "text/plain; charset=utf-8");
            return httplib::Server::HandlerResponse::Handled;
        }
        return sync.preRoute(req, res);
    });
    funnel::serve::addStaticRoutes(server, site);
    server.set_post_routing_handler([](const httplib::Request&, httplib::Response& res) {
        funnel::serve::GuardedServer::writing();
        funnel::serve::addSecurityHeaders(res);
    });
    server.set_error_handler([](const httplib::Request&, httplib::Response& res) {
        if (res.body.empty()) {
            res.set_content(std::to_string(res.status) + "\n", "text/plain; charset=utf-8");
        }
        funnel::serve::addSecurityHeaders(res);
    });
    server.set_logger([quiet = options.quiet](const httplib::Request& req, const httplib::Response& res) {
        funnel::serve::GuardedServer::answered();
        if (quiet) return;
        const std::string coding = res.get_header_value("Content-Encoding");
        std::printf("%s %s %d %zu%s%s\n", req.method.c_str(), req.path.c_str(), res.status, res.body.size(),
                    coding.empty() ? "" : " ", coding.c_str());
        std::fflush(stdout);
    });

    int port = options.port;
    if (port == 0) {
        port = server.bind_to_any_port(options.host);
        if (port < 0) {
            std::fprintf(stderr, "funnel-serve: cannot listen on %s\n", options.host.c_str());
            return 1;
        }
    } else if (!server.bind_to_port(options.host, port)) {
        std::fprintf(stderr, "funnel-serve: cannot listen on %s:%d (in use? try --port)\n",
                     options.host.c_str(), port);
        return 1;
    }
    server.setListenPort(port);
    const bool v6 = options.host.find(':') != std::string::npos;
    std::printf("Funnel is running at http://%s%s%s:%d/ (serving %s)\n", v6 ? "[" : "", options.host.c_str(),
                v6 ? "]" : "", port, site.root().c_str());
    std::fflush(stdout);
    return server.listen_after_bind() ? 0 : 1;
}
