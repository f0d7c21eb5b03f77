// funnel-serve's team sync endpoint: HTTP semantics over SyncStore (docs/SYNC.md).
#include "sync_routes.h"

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "core/codec.h"
#include "core/merge.h"
#include "encoding.h"

namespace funnel::serve {

namespace {
constexpr const char* kPrefix = "/sync/";
constexpr const char* kSuffix = ".json";

// "<name>" of "/sync/<name>.json", or "" when the path is not one (or the name is refused).
std::string documentName(const std::string& path) {
    const std::string_view p = path;
    const std::string_view prefix = kPrefix, suffix = kSuffix;
    if (p.size() <= prefix.size() + suffix.size() || p.substr(0, prefix.size()) != prefix ||
        p.substr(p.size() - suffix.size()) != suffix)
        return "";
    const std::string name(p.substr(prefix.size(), p.size() - prefix.size() - suffix.size()));
    return validSyncName(name) ? name : "";
}

void answer(httplib::Response& res, int status, const std::string& message) {
    res.status = status;
    res.set_content(message + "\n", "text/plain; charset=utf-8");
}

// Compares without an early exit, so response times do not reveal how much of a token matched.
bool sameSecret(std::string_view a, std::string_view b) {
    unsigned char diff = a.size() == b.size() ? 0 : 1;
    for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i % (b.size() ? b.size() : 1)]);
    return diff == 0 && !b.empty();
}

std::string trim(std::string s) {
    const auto first = s.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) return "";
    const auto last = s.find_last_not_of(" \t\r\n");
    return s.substr(first, last - first + 1);
}
}  // namespace

const char* syncUsage() {
    return "  --data DIR        folder of team documents served at /sync/<name>.json (default "
           "build/sync-data)\n"
           "  --tokens FILE     require 'Authorization: Bearer <token>', one token a line\n"
           "  --cors ORIGINS    allow these origins (comma-separated, or *) to use /sync/\n"
           "  --sync-max-bytes N  largest document accepted (default 67108864)\n"
           "  --sync-versions N   previous versions kept as <name>.json.<n> (default 20)\n"
           "  --sync-max-docs N   most team documents in the folder (default 100)\n"
           "  --sync-max-total-bytes N  most bytes of documents and kept versions (default 1073741824)";
}

bool takeSyncOption(int argc, char** argv, int& i, SyncOptions& options, bool* bad) {
    const std::string_view arg = argv[i];
    std::string* text = arg == "--data" ? &options.dataDir : arg == "--tokens" ? &options.tokensFile
                        : arg == "--cors" ? &options.corsOrigins : nullptr;
    const bool number = arg == "--sync-max-bytes" || arg == "--sync-versions" || arg == "--sync-max-docs" ||
                        arg == "--sync-max-total-bytes";
    if (!text && !number) return false;
    if (i + 1 >= argc) {
        std::fprintf(stderr, "funnel-serve: %s needs a value\n", argv[i]);
        *bad = true;
        return true;
    }
    const std::string value = argv[++i];
    if (text) {
        *text = value;
        return true;
    }
    char* end = nullptr;
    const long long n = std::strtoll(value.c_str(), &end, 10);
    if (end == value.c_str() || *end != '\0' || n < 0 || (arg == "--sync-versions" && n > 1000) ||
        (arg == "--sync-max-docs" && n > 1000000)) {
        std::fprintf(stderr, "funnel-serve: bad value '%s' for %s\n", value.c_str(), std::string(arg).c_str());
        *bad = true;
        return true;
    }
    if (arg == "--sync-max-bytes") options.maxBytes = std::size_t(n);
    else if (arg == "--sync-max-docs")
        options.maxDocuments = int(n);
    else if (arg == "--sync-max-total-bytes")
        options.maxTotalBytes = std::uint64_t(n);
    else options.keepVersions = int(n);
    return true;
}

SyncEndpoint::SyncEndpoint(SyncOptions options)
    : options_(std::move(options)),
      store_(std::make_unique<SyncStore>(
          options_.dataDir,
          SyncLimits{options_.keepVersions, options_.maxDocuments, options_.maxTotalBytes})) {}

bool SyncEndpoint::open(std::string* error) {
    if (!store_->open(error)) return false;
    if (!options_.tokensFile.empty()) {
        std::ifstream in(options_.tokensFile);
        if (!in) {
            if (error) *error = "cannot read the tokens file " + options_.tokensFile;
            return false;
        }
        for (std::string line; std::getline(in, line);) {
            line = trim(line);
            if (!line.empty() && line[0] != '#') tokens_.insert(line);
        }
        if (tokens_.empty()) {
            // An empty file must not silently mean "open to everyone".
            if (error) *error = "the tokens file " + options_.tokensFile + " holds no token";
            return false;
        }
    }
    std::string list = options_.corsOrigins;
    for (std::size_t pos = 0; pos <= list.size();) {
        std::size_t end = list.find(',', pos);
        if (end == std::string::npos) end = list.size();
        const std::string origin = trim(list.substr(pos, end - pos));
        if (origin == "*") anyOrigin_ = true;
        else if (!origin.empty()) origins_.insert(origin);
        pos = end + 1;
    }
    return true;
}

bool SyncEndpoint::authorised(const httplib::Request& req) const {
    if (tokens_.empty()) return true;
    // RFC 9110 §11.1: the scheme is case-insensitive ("bearer", "BEARER"), followed by spaces.
    const std::string header = trim(req.get_header_value("Authorization"));
    const std::string_view scheme = "bearer";
    if (header.size() <= scheme.size() + 1) return false;
    for (std::size_t i = 0; i < scheme.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(header[i])) != scheme[i]) return false;
    if (header[scheme.size()] != ' ' && header[scheme.size()] != '\t') return false;
    const std::string_view token = trim(header.substr(scheme.size()));
    bool ok = false;
    for (const std::string& t : tokens_) ok = sameSecret(token, t) || ok;
    return ok;
}

void SyncEndpoint::addCors(const httplib::Request& req, httplib::Response& res) const {
    const std::string origin = req.get_header_value("Origin");
    if (origin.empty() || (!anyOrigin_ && !origins_.count(origin))) return;
    res.set_header("Access-Control-Allow-Origin", anyOrigin_ ? "*" : origin);
    if (!anyOrigin_) res.set_header("Vary", "Origin");
    res.set_header("Access-Control-Allow-Methods", "GET, HEAD, PUT, OPTIONS");
    res.set_header("Access-Control-Allow-Headers", "If-Match, If-None-Match, Content-Type, Authorization");
    res.set_header("Access-Control-Expose-Headers", "ETag");
    res.set_header("Access-Control-Max-Age", "600");
}

void SyncEndpoint::get(const httplib::Request& req, httplib::Response& res) {
    addCors(req, res);
    res.set_header("Cache-Control", "no-store");
    const std::string name = documentName(req.path);
    if (name.empty()) return answer(res, 404, "no such team document (names are [A-Za-z0-9_-]{1,64}.json)");
    if (!authorised(req)) {
        res.set_header("WWW-Authenticate", "Bearer");
        return answer(res, 401, "a token is required");
    }
    SyncRead r = store_->read(name);
    if (!r.error.empty()) return answer(res, 500, r.error);
    if (!r.exists) return answer(res, 404, "no team document named " + name + " yet");
    res.set_header("ETag", r.etag);
    const std::string inm = req.get_header_value("If-None-Match");
    if (!inm.empty() && (inm == "*" || inm.find(r.etag) != std::string::npos)) {
        res.status = 304;
        return;
    }
    res.status = 200;
    setEncodedBody(req, res, r);
}

void SyncEndpoint::setEncodedBody(const httplib::Request& req, httplib::Response& res, SyncRead& r) {
    // httplib would gzip application/json again on every GET (a 64 MB document costs seconds of
    // CPU each time); the coding is chosen here and kept per version instead.
    const Coding coding =
        r.body.size() > 256 ? preferredCoding(req.get_header_value("Accept-Encoding")) : Coding::Identity;
    const_cast<httplib::Request&>(req).headers.erase("Accept-Encoding");
    res.set_header("Vary", "Accept-Encoding");
    std::string encodedCopy;
    bool cached = false;
    if (coding != Coding::Identity) {
        std::shared_ptr<Encoded> entry;
        {
            std::lock_guard lock(encodedMutex_);
            auto& slot = encoded_[documentName(req.path)];
            if (!slot || slot->etag != r.etag) {
                slot = std::make_shared<Encoded>();
                slot->etag = r.etag;
            }
            entry = slot;
        }
        static std::mutex encodeMutex;  // one compression at a time: CPU is the scarce thing
        std::lock_guard lock(encodeMutex);
        bool& tried = coding == Coding::Brotli ? entry->brotliTried : entry->gzipTried;
        std::string& out = coding == Coding::Brotli ? entry->brotli : entry->gzip;
        cached = tried;
        if (!tried) {
            tried = true;
            auto encoded = encode(r.body, coding);
            if (encoded && encoded->size() < r.body.size()) out = std::move(*encoded);
        }
        encodedCopy = out;
    }
    if (!encodedCopy.empty()) {
        res.set_header("Content-Encoding", std::string(codingName(coding)));
        // Read by main.cpp's request log ("… gzip cached"), which the tests look at.
        if (cached) res.set_header("X-Funnel-Encoded", "cached");
        res.set_content(std::move(encodedCopy), "application/json");
    } else {
        res.set_content(std::move(r.body), "application/json");
    }
}

void SyncEndpoint::put(const httplib::Request& req, httplib::Response& res) {
    addCors(req, res);
    res.set_header("Cache-Control", "no-store");
    const std::string name = documentName(req.path);
    if (name.empty()) return answer(res, 404, "no such team document (names are [A-Za-z0-9_-]{1,64}.json)");
    if (!authorised(req)) {
        res.set_header("WWW-Authenticate", "Bearer");
        return answer(res, 401, "a token is required");
    }
    if (req.body.size() > options_.maxBytes)
        return answer(res, 413, "document larger than " + std::to_string(options_.maxBytes) + " bytes");
    // Validate before taking the lock: a slow parse must not hold up other writers, and
    // nothing that is not a Funnel document (with a sound "sync" section) replaces a good one.
    Limits limits;
    limits.maxBytes = options_.maxBytes;
    DecodeResult decoded = decodeDocument(std::string_view(req.body), limits);
    if (!decoded.ok) return answer(res, 422, "not a Funnel document: " + decoded.error);
    SyncState state;
    std::string error;
    if (!splitSync(decoded.document, state, error)) return answer(res, 422, "damaged sync data: " + error);

    SyncPrecondition pre;
    // If-Match: * only says "if it exists": it names no version the writer merged into, so it is
    // a blind overwrite and gets 428 like no precondition at all.
    pre.hasIfMatch = req.has_header("If-Match") && trim(req.get_header_value("If-Match")) != "*";
    pre.ifMatch = req.get_header_value("If-Match");
    pre.ifNoneMatchAny = trim(req.get_header_value("If-None-Match")) == "*";
    SyncWrite w = store_->write(name, req.body, pre);
    if (!w.etag.empty()) res.set_header("ETag", w.etag);
    if (w.status >= 400) return answer(res, w.status, w.error);
    res.status = w.status;
}

httplib::Server::HandlerResponse SyncEndpoint::preRoute(const httplib::Request& req,
                                                        httplib::Response& res) const {
    using R = httplib::Server::HandlerResponse;
    if (req.path.rfind(kPrefix, 0) != 0 || req.method == "OPTIONS") return R::Unhandled;
    const std::string length = req.get_header_value("Content-Length");
    const bool bodyPending = (!length.empty() && length != "0") || req.has_header("Transfer-Encoding");
    auto refuse = [&](int status, const std::string& message) {
        addCors(req, res);
        res.set_header("Cache-Control", "no-store");
        // The unread body must not be taken for the next request on this connection.
        if (bodyPending) res.set_header("Connection", "close");
        answer(res, status, message);
        return R::Handled;
    };
    if (req.method != "GET" && req.method != "HEAD" && req.method != "PUT")
        return refuse(405, "only GET, HEAD, PUT and OPTIONS are served under /sync/");
    if (documentName(req.path).empty())
        return refuse(404, "no such team document (names are [A-Za-z0-9_-]{1,64}.json)");
    if (!authorised(req)) {
        res.set_header("WWW-Authenticate", "Bearer");
        return refuse(401, "a token is required");
    }
    return R::Unhandled;
}

void SyncEndpoint::mount(httplib::Server& server) {
    // Bodies above the limit are refused while being read (413), not after.
    server.set_payload_max_length(options_.maxBytes);
    const std::string pattern = R"(/sync/.*)";
    server.Get(pattern, [this](const httplib::Request& req, httplib::Response& res) { get(req, res); });
    server.Put(pattern, [this](const httplib::Request& req, httplib::Response& res) { put(req, res); });
    server.Options(pattern, [this](const httplib::Request& req, httplib::Response& res) {
        // Preflights carry no credentials: they must pass without a token.
        addCors(req, res);
        res.status = 204;
    });
}

}  // namespace funnel::serve
