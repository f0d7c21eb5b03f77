// funnel-serve's team sync endpoint: GET/HEAD/PUT/OPTIONS of /sync/<name>.json over a
// SyncStore, with strong ETags, If-Match / If-None-Match, a body size limit, validation of
// the body as a Funnel document, optional bearer tokens and CORS. See docs/SYNC.md.
#pragma once

#include <httplib.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>

#include "sync_store.h"

namespace funnel::serve {

struct SyncOptions {
    std::string dataDir = "build/sync-data";          // --data DIR
    std::string tokensFile;                           // --tokens FILE: one bearer token a line
    std::string corsOrigins;                          // --cors "https://a,https://b" or "*"
    std::size_t maxBytes = std::size_t(64) << 20;     // --sync-max-bytes: larger PUTs get 413
    int keepVersions = 20;                            // --sync-versions: <name>.json.<n> kept
    int maxDocuments = 100;                           // --sync-max-docs: more names get 507
    std::uint64_t maxTotalBytes = std::uint64_t(1) << 30;  // --sync-max-total-bytes (with kept versions)
};

// Consumes one sync option at argv[i] (advancing i past its value). Returns false when
// argv[i] is not a sync option; sets *bad (and prints why) when it is one with a bad value.
bool takeSyncOption(int argc, char** argv, int& i, SyncOptions& options, bool* bad);
// Usage lines for the sync options.
const char* syncUsage();

class SyncEndpoint {
public:
    explicit SyncEndpoint(SyncOptions options);
    // Opens the folder and reads the tokens; false + error when either fails.
    bool open(std::string* error);
    // Registers the routes; call before the static routes (they match every path).
    void mount(httplib::Server& server);
    // Refuses a /sync/ request with a bad name or without a valid token as soon as its header is
    // read, before any body is (httplib's pre-routing handler).
    httplib::Server::HandlerResponse preRoute(const httplib::Request& req, httplib::Response& res) const;
    const SyncStore& store() const { return *store_; }

private:
    bool authorised(const httplib::Request& req) const;
    void addCors(const httplib::Request& req, httplib::Response& res) const;
    void get(const httplib::Request& req, httplib::Response& res);
    void put(const httplib::Request& req, httplib::Response& res);
    // The body of `read` in the coding the request prefers, compressed once per version.
    void setEncodedBody(const httplib::Request& req, httplib::Response& res, SyncRead& read);

    struct Encoded {
        std::string etag;
        std::string gzip, brotli;  // empty: not compressed yet (or not smaller)
        bool gzipTried = false, brotliTried = false;
    };

    SyncOptions options_;
    std::unique_ptr<SyncStore> store_;
    std::set<std::string> tokens_;
    std::set<std::string> origins_;
    bool anyOrigin_ = false;
    std::mutex encodedMutex_;
    std::map<std::string, std::shared_ptr<Encoded>> encoded_;  // by document name, newest version
};

}  // namespace funnel::serve
