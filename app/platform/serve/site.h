// The static part of funnel-serve: maps URL paths to files under one root folder, refusing
// anything that would leave it, and answers with MIME type, caching and compression right.
// Routes for other features (the team sync endpoint under /sync/) are registered beside it.
#pragma once

#include <httplib.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "encoding.h"

namespace funnel::serve {

// What a URL path resolves to: a file to send, or the status to answer with.
struct SitePath {
    int status = 200;            // 200, or 403 (outside the root / forbidden), 404, 400
    std::filesystem::path file;  // canonical path when status == 200
};

// Content type for a file name; unknown kinds get application/octet-stream.
std::string_view mimeType(const std::filesystem::path& file);

// True for content worth compressing (text, wasm, JSON, fonts without their own compression).
bool compressible(std::string_view contentType);

// Cache-Control for a file: app entry points must be revalidated every time so an update is
// picked up; other files are not content-hashed, so they revalidate too (cheap with ETags).
std::string_view cacheControl(const std::filesystem::path& file);

class Site {
public:
    explicit Site(std::filesystem::path root);

    // False when the root folder does not exist; the error says why.
    bool valid(std::string* error) const;
    const std::filesystem::path& root() const { return root_; }

    SitePath resolve(std::string_view urlPath) const;

    // Answers a GET or HEAD for req.path.
    void serve(const httplib::Request& req, httplib::Response& res);

private:
    struct Entry {
        std::filesystem::file_time_type mtime;
        std::uintmax_t size = 0;
        std::string hash;  // hex digest of the identity body; the ETag base
        std::string body;
        std::string gzip;  // filled lazily, empty = not yet / not smaller
        std::string brotli;
        bool gzipTried = false;
        bool brotliTried = false;
        std::mutex encodeMutex;
    };
    std::shared_ptr<Entry> load(const std::filesystem::path& file, std::string* error);
    const std::string& encodedBody(Entry& entry, Coding coding);

    std::filesystem::path root_;
    std::mutex cacheMutex_;
    std::unordered_map<std::string, std::shared_ptr<Entry>> cache_;
};

// Headers every response carries, whatever route produced it.
void addSecurityHeaders(httplib::Response& res);

// Registers GET/HEAD for everything under / on server.
void addStaticRoutes(httplib::Server& server, Site& site);

}  // namespace funnel::serve
