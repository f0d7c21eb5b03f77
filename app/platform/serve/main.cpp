// funnel-serve: serves the web build (build/web) on the loopback interface so Funnel runs
// from one command, offline. Static files now; the team sync endpoint joins under /sync/.
#include <httplib.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "site.h"
#include "sync_routes.h"

namespace {

struct ServeOptions {
    std::string host = "127.0.0.1";  // loopback only unless asked
    int port = 8080;                 // 0 = any free port (the URL printed says which)
    std::string root = "build/web";  // what scripts/build web produces
    bool quiet = false;              // no per-request log lines
    funnel::serve::SyncOptions sync; // the /sync/ endpoint (sync_routes.h)
};

void printUsage() {
    std::puts(
        "usage: funnel-serve [--host H] [--port N] [--root DIR] [--quiet]\n"
        "  --host H    address to listen on (default 127.0.0.1)\n"
        "  --port N    port, 0 for any free one (default 8080)\n"
        "  --root DIR  folder to serve (default build/web)\n"
        "  --quiet     do not log one line per request");
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

    httplib::Server server;
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
    funnel::serve::addStaticRoutes(server, site);
    server.set_post_routing_handler(
        [](const httplib::Request&, httplib::Response& res) { funnel::serve::addSecurityHeaders(res); });
    server.set_error_handler([](const httplib::Request&, httplib::Response& res) {
        if (res.body.empty()) {
            res.set_content(std::to_string(res.status) + "\n", "text/plain; charset=utf-8");
        }
        funnel::serve::addSecurityHeaders(res);
    });
    if (!options.quiet) {
        server.set_logger([](const httplib::Request& req, const httplib::Response& res) {
            const std::string coding = res.get_header_value("Content-Encoding");
            std::printf("%s %s %d %zu%s%s\n", req.method.c_str(), req.path.c_str(), res.status,
                        res.body.size(), coding.empty() ? "" : " ", coding.c_str());
            std::fflush(stdout);
        });
    }

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
    const bool v6 = options.host.find(':') != std::string::npos;
    std::printf("Funnel is running at http://%s%s%s:%d/ (serving %s)\n", v6 ? "[" : "", options.host.c_str(),
                v6 ? "]" : "", port, site.root().c_str());
    std::fflush(stdout);
    return server.listen_after_bind() ? 0 : 1;
}
