// Static file serving for funnel-serve: path containment, MIME types, ETag/304, gzip and brotli.
#include "site.h"

#include <array>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <system_error>
#include <vector>

namespace funnel::serve {
namespace fs = std::filesystem;

namespace {

std::string lowerExtension(const fs::path& file) {
    std::string ext = file.extension().string();
    for (auto& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return ext;
}

// 64-bit FNV-1a: stable across runs and builds, enough to tell file versions apart.
std::string contentHash(std::string_view body) {
    std::uint64_t h = 0xcbf29ce484222325ull;
    for (unsigned char c : body) {
        h ^= c;
        h *= 0x100000001b3ull;
    }
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
    return buf;
}

bool isInside(const fs::path& root, const fs::path& candidate) {
    auto r = root.begin();
    auto c = candidate.begin();
    for (; r != root.end(); ++r, ++c) {
        if (c == candidate.end() || *r != *c) return false;
    }
    return true;
}

// True when If-None-Match lists etag (or "*"); weak tags compare by their opaque part.
bool matchesIfNoneMatch(std::string_view header, std::string_view etag) {
    std::size_t pos = 0;
    while (pos < header.size()) {
        while (pos < header.size() && (header[pos] == ' ' || header[pos] == ',')) ++pos;
        std::size_t end = header.find(',', pos);
        if (end == std::string_view::npos) end = header.size();
        std::string_view tag = header.substr(pos, end - pos);
        while (!tag.empty() && tag.back() == ' ') tag.remove_suffix(1);
        if (tag.substr(0, 2) == "W/") tag.remove_prefix(2);
        if (tag == "*" || tag == etag) return true;
        pos = end;
    }
    return false;
}

}  // namespace

std::string_view mimeType(const fs::path& file) {
    if (file.filename() == "manifest.json") return "application/manifest+json";
    static const std::array<std::pair<std::string_view, std::string_view>, 19> types{{
        {".html", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"},
        {".wasm", "application/wasm"},
        {".json", "application/json"},
        {".webmanifest", "application/manifest+json"},
        {".css", "text/css; charset=utf-8"},
        {".otf", "font/otf"},
        {".ttf", "font/ttf"},
        {".woff2", "font/woff2"},
        {".png", "image/png"},
        {".svg", "image/svg+xml"},
        {".ico", "image/x-icon"},
        {".jpg", "image/jpeg"},
        {".txt", "text/plain; charset=utf-8"},
        {".csv", "text/csv; charset=utf-8"},
        {".map", "application/json"},
        {".xml", "application/xml"},
        {".data", "application/octet-stream"},
    }};
    const std::string ext = lowerExtension(file);
    for (const auto& [e, type] : types) {
        if (e == ext) return type;
    }
    return "application/octet-stream";
}

bool compressible(std::string_view contentType) {
    const std::string_view base = contentType.substr(0, contentType.find(';'));
    return base.substr(0, 5) == "text/" || base == "application/wasm" || base == "application/json" ||
           base == "application/manifest+json" || base == "application/xml" || base == "image/svg+xml" ||
           base == "font/otf" || base == "font/ttf" || base == "image/x-icon" ||
           base == "application/octet-stream";
}

std::string_view cacheControl(const fs::path&) {
    // File names are not content-hashed, so nothing may be cached without revalidation;
    // ETags make revalidation a 304 with no body.
    return "no-cache";
}

void addSecurityHeaders(httplib::Response& res) {
    // Both the post-routing and the error handler call this; headers must appear once.
    if (res.has_header("X-Content-Type-Options")) return;
    res.set_header("X-Content-Type-Options", "nosniff");
    res.set_header("Referrer-Policy", "no-referrer");
    // 'wasm-unsafe-eval' lets WebAssembly compile without allowing JS eval. connect-src stays
    // open to https and loopback because the team sync file lives at a URL the user chooses.
    res.set_header("Content-Security-Policy",
                   "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; "
                   "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self'; "
                   "connect-src 'self' https: http://127.0.0.1:* http://localhost:*; worker-src 'self'; "
                   "manifest-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; "
                   "frame-ancestors 'none'");
}

Site::Site(fs::path root) {
    std::error_code ec;
    root_ = fs::canonical(root, ec);
    if (ec) root_ = fs::absolute(root);
}

bool Site::valid(std::string* error) const {
    std::error_code ec;
    if (!fs::is_directory(root_, ec)) {
        if (error) *error = "root folder " + root_.string() + " does not exist (run scripts/build web)";
        return false;
    }
    return true;
}

SitePath Site::resolve(std::string_view urlPath) const {
    if (urlPath.empty() || urlPath.front() != '/') return {400, {}};
    fs::path candidate = root_;
    std::size_t pos = 1;
    while (pos <= urlPath.size()) {
        std::size_t end = urlPath.find('/', pos);
        if (end == std::string_view::npos) end = urlPath.size();
        const std::string_view segment = urlPath.substr(pos, end - pos);
        pos = end + 1;
        if (segment.empty()) continue;
        // Dotfiles and dot folders (.git, .env, .htpasswd) are never part of the app: 404, as if
        // they were not there.
        if (segment.front() == '.' && segment != "." && segment != "..") return {404, {}};
        // httplib has already percent-decoded the path, so %2e%2e arrives here as "..".
        if (segment == "." || segment == ".." || segment.find('\\') != std::string_view::npos ||
            segment.find('\0') != std::string_view::npos || segment.find(':') != std::string_view::npos) {
            return {403, {}};
        }
        candidate /= fs::path(std::string(segment));
    }
    std::error_code ec;
    if (fs::is_directory(candidate, ec)) candidate /= "index.html";
    const fs::path real = fs::canonical(candidate, ec);
    if (ec) return {404, {}};
    // A symlink inside the root that points outside it is refused like "..".
    if (!isInside(root_, real)) return {403, {}};
    if (!fs::is_regular_file(real, ec)) return {404, {}};
    return {200, real};
}

std::shared_ptr<Site::Entry> Site::load(const fs::path& file, std::string* error) {
    std::error_code ec;
    const auto mtime = fs::last_write_time(file, ec);
    const auto size = ec ? 0 : fs::file_size(file, ec);
    if (ec) {
        *error = ec.message();
        return nullptr;
    }
    std::lock_guard lock(cacheMutex_);
    auto& slot = cache_[file.string()];
    if (slot && slot->mtime == mtime && slot->size == size) return slot;
    std::ifstream in(file, std::ios::binary);
    std::ostringstream body;
    body << in.rdbuf();
    if (!in) {
        *error = "cannot read " + file.string();
        return nullptr;
    }
    auto entry = std::make_shared<Entry>();
    entry->mtime = mtime;
    entry->size = size;
    entry->body = std::move(body).str();
    entry->hash = contentHash(entry->body);
    slot = entry;
    return entry;
}

const std::string& Site::encodedBody(Entry& entry, Coding coding) {
    std::lock_guard lock(entry.encodeMutex);
    bool& tried = coding == Coding::Brotli ? entry.brotliTried : entry.gzipTried;
    std::string& out = coding == Coding::Brotli ? entry.brotli : entry.gzip;
    if (!tried) {
        tried = true;
        auto encoded = encode(entry.body, coding);
        // Keep the encoding only when it saves bytes; otherwise identity is served.
        if (encoded && encoded->size() < entry.body.size()) out = std::move(*encoded);
    }
    return out;
}

void Site::serve(const httplib::Request& req, httplib::Response& res) {
    const SitePath where = resolve(req.path);
    if (where.status != 200) {
        res.status = where.status;
        res.set_content(where.status == 403   ? "403 forbidden\n"
                        : where.status == 404 ? "404 not found\n"
                                              : "400 bad request\n",
                        "text/plain; charset=utf-8");
        return;
    }
    std::string error;
    auto entry = load(where.file, &error);
    if (!entry) {
        // The reason (with the file's path on this machine) goes to the log, not to the client.
        std::fprintf(stderr, "funnel-serve: %s: %s\n", req.path.c_str(), error.c_str());
        res.status = 500;
        res.set_content("500 the file could not be read\n", "text/plain; charset=utf-8");
        return;
    }
    const std::string contentType(mimeType(where.file));
    Coding coding = Coding::Identity;
    if (compressible(contentType) && entry->body.size() > 256) {
        coding = preferredCoding(req.get_header_value("Accept-Encoding"));
    }
    const std::string* body = &entry->body;
    if (coding != Coding::Identity) {
        const std::string& encoded = encodedBody(*entry, coding);
        if (encoded.empty()) {
            coding = Coding::Identity;
        } else {
            body = &encoded;
        }
    }
    const std::string etag =
        "\"" + entry->hash + (coding == Coding::Identity ? "" : "-") + std::string(codingName(coding)) + "\"";
    res.set_header("ETag", etag);
    res.set_header("Cache-Control", std::string(cacheControl(where.file)));
    res.set_header("Vary", "Accept-Encoding");
    if (req.has_header("If-None-Match") && matchesIfNoneMatch(req.get_header_value("If-None-Match"), etag)) {
        res.status = 304;
        return;
    }
    if (coding != Coding::Identity) res.set_header("Content-Encoding", std::string(codingName(coding)));
    res.set_content(*body, contentType);
}

void addStaticRoutes(httplib::Server& server, Site& site) {
    auto handler = [&site](const httplib::Request& req, httplib::Response& res) {
        // cpp-httplib would gzip text/* a second time on its own when the request accepts it;
        // the coding is chosen above, so the header is dropped before httplib writes the reply.
        // The Request is a mutable object owned by httplib's connection loop.
        site.serve(req, res);
        const_cast<httplib::Request&>(req).headers.erase("Accept-Encoding");
    };
    server.Get(R"(/.*)", handler);
}

}  // namespace funnel::serve
