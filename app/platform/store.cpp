// Funnel — the durable store (see store.h for the layout and the order of writes).
#include "platform/store.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "core/codec.h"
#include "core/command.h"
#include "core/workspace.h"

namespace funnel::store {

// [SECTION] File format

namespace {

constexpr const char* kSnapshotPrefix = "snapshot-";
constexpr const char* kSegmentPrefix = "journal-";
constexpr const char* kHeadName = "head";
constexpr const char* kTempSuffix = ".tmp";
constexpr const char* kPartInfix = ".part-";  // snapshot-<seq>.part-<k>: the rest of a big snapshot
constexpr const char* kAsidePrefix = "aside-"; // a file load() could not use, kept
constexpr int kStoreVersion = 2;              // the newest version this code reads
constexpr int kWriteVersion = 1;              // what it writes, unless a snapshot needs parts (version 2)

std::array<std::uint32_t, 256> makeCrcTable() {
    std::array<std::uint32_t, 256> table{};
    for (std::uint32_t i = 0; i < 256; ++i) {
        std::uint32_t c = i;
        for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        table[i] = c;
    }
    return table;
}

std::string seqDigits(std::uint64_t seq) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%016llu", static_cast<unsigned long long>(seq));
    return buf;
}

// "journal-0000000000000042" -> 42; nullopt for anything else (temporary files included).
std::optional<std::uint64_t> seqOf(const std::string& name, const char* prefix) {
    const std::size_t n = std::strlen(prefix);
    if (name.size() != n + 16 || name.compare(0, n, prefix) != 0) return std::nullopt;
    std::uint64_t v = 0;
    for (std::size_t i = n; i < name.size(); ++i) {
        if (name[i] < '0' || name[i] > '9') return std::nullopt;
        v = v * 10 + static_cast<std::uint64_t>(name[i] - '0');
    }
    return v;
}

// "snapshot-0000000000000042.part-3" -> {42, 3}; nullopt for anything else.
std::optional<std::pair<std::uint64_t, std::size_t>> partOf(const std::string& name) {
    const std::size_t at = name.find(kPartInfix);
    if (at == std::string::npos) return std::nullopt;
    auto seq = seqOf(name.substr(0, at), kSnapshotPrefix);
    const std::string k = name.substr(at + std::strlen(kPartInfix));
    if (!seq || k.empty() || k.size() > 6 || k.find_first_not_of("0123456789") != std::string::npos)
        return std::nullopt;
    return std::pair{*seq, static_cast<std::size_t>(std::stoul(k))};
}

struct Listing {
    std::vector<std::uint64_t> snapshots;  // ascending
    std::vector<std::uint64_t> segments;   // ascending
    std::vector<std::pair<std::uint64_t, std::size_t>> parts;  // of snapshots (seq, part)
    std::vector<std::string> temps;
};

Listing listDir(const std::string& dir) {
    Listing l;
    DIR* d = ::opendir(dir.c_str());
    if (!d) return l;
    while (dirent* e = ::readdir(d)) {
        const std::string name = e->d_name;
        if (auto s = seqOf(name, kSnapshotPrefix)) l.snapshots.push_back(*s);
        else if (auto g = seqOf(name, kSegmentPrefix)) l.segments.push_back(*g);
        else if (auto p = partOf(name)) l.parts.push_back(*p);
        else if (name.size() > 4 && name.compare(name.size() - 4, 4, kTempSuffix) == 0) l.temps.push_back(name);
    }
    ::closedir(d);
    std::sort(l.snapshots.begin(), l.snapshots.end());
    std::sort(l.segments.begin(), l.segments.end());
    return l;
}

bool readWhole(const std::string& path, std::string& out) {
    const int fd = ::open(path.c_str(), O_RDONLY);
    if (fd < 0) return false;
    out.clear();
    struct stat st {};
    if (::fstat(fd, &st) == 0 && st.st_size > 0) out.reserve(static_cast<std::size_t>(st.st_size));
    char buf[1 << 16];
    for (;;) {
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) { ::close(fd); return false; }
        if (n == 0) break;
        out.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    return true;
}

bool exists(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0;
}

// The "version" of a stored file's header line (0 when unreadable): read without the body.
int headerVersion(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY);
    if (fd < 0) return 0;
    char buf[4096];
    ssize_t n;
    do n = ::read(fd, buf, sizeof buf);
    while (n < 0 && errno == EINTR);
    ::close(fd);
    if (n <= 0) return 0;
    const std::string_view first(buf, static_cast<std::size_t>(n));
    const std::size_t nl = first.find('\n');
    if (nl == std::string_view::npos) return 0;
    const json header = json::parse(first.begin(), first.begin() + static_cast<std::ptrdiff_t>(nl), nullptr, false);
    if (!header.is_object()) return 0;
    auto v = header.find("version");
    return v != header.end() && v->is_number_integer() ? v->get<int>() : 0;
}

// A stored file: the header line (JSON) and the body it describes. The body is a view into the
// file's text, not a copy: a 100k-deal snapshot is 150 MB, and the wasm heap never shrinks.
struct Framed {
    json header;
    std::string text;
    std::size_t bodyAt = 0;
    std::string_view body() const { return std::string_view(text).substr(bodyAt); }
};

// Checks the frame: header parses, names the expected format, and the body has exactly the
// announced length and CRC. `why` says what is wrong otherwise.
std::optional<Framed> readFramed(const std::string& path, const char* format, std::string& why) {
    Framed f;
    std::string& all = f.text;
    if (!readWhole(path, all)) { why = "cannot read"; return std::nullopt; }
    const std::size_t nl = all.find('\n');
    if (nl == std::string::npos) { why = "no header line (torn)"; return std::nullopt; }
    f.header = json::parse(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(nl), nullptr, false);
    if (f.header.is_discarded() || !f.header.is_object()) { why = "unreadable header"; return std::nullopt; }
    if (f.header.value("format", std::string()) != format) { why = "not a " + std::string(format) + " file"; return std::nullopt; }
    if (f.header.value("version", 0) > kStoreVersion) { why = "written by a newer Funnel"; return std::nullopt; }
    const auto bytes = f.header.value("bytes", static_cast<std::uint64_t>(0));
    if (all.size() - nl - 1 != bytes) { why = "length mismatch (torn)"; return std::nullopt; }
    f.bodyAt = nl + 1;
    if (crc32(f.body()) != f.header.value("crc32", static_cast<std::uint32_t>(0))) { why = "checksum mismatch"; return std::nullopt; }
    return f;
}

std::string frameHeader(json header, std::string_view body) {
    header["bytes"] = body.size();
    header["crc32"] = crc32(body);
    return dumpJson(header) + "\n";
}

std::uint32_t crcUpdate(std::uint32_t c, std::string_view bytes);

// A snapshot's body as the decoder reads it: the snapshot file's, then each part's, a block at a
// time, so that a 100k-deal snapshot (~140 MB) is never one string in memory. Each file's frame is
// checked as readFramed() does: the header when the file is opened, the length and CRC once its
// last block has been handed out, before the next file's first. A wrong frame ends the text
// early, and `why` says what was wrong (the decoded document is then thrown away).
class SnapshotText final : public TextSource {
public:
    SnapshotText(std::string dir, std::uint64_t seq) : dir_(std::move(dir)), seq_(seq), block_(kBlock) {}
    ~SnapshotText() override { closeFile(); }
    std::size_t expectedRecords(std::string_view name) const override {
        if (!records_.is_object()) return 0;
        auto it = records_.find(std::string(name));
        if (it == records_.end() || !it->is_number_unsigned()) return 0;
        // Each record takes more than 8 bytes of text: a count beyond that is not to be believed.
        const std::uint64_t text = std::max<std::uint64_t>(totalBytes_, left_ + bytes);
        return static_cast<std::size_t>(std::min<std::uint64_t>(it->get<std::uint64_t>(), text / 8));
    }
    std::string why;
    std::size_t bytes = 0;  // of the body, so far

    // Opens the snapshot file and checks its header.
    bool open() { return openFile(0); }

    std::string_view next() override {
        if (!why.empty() || done_) return {};
        if (!leftover_.empty()) return take(leftover_);
        if (left_ == 0) {
            if (!finishFile()) return {};
            if (part_ + 1 >= parts_) {
                done_ = true;
                if (parts_ > 1 && bytes != totalBytes_) fail("parts do not add up to the announced length");
                return {};
            }
            if (!openFile(part_ + 1)) return {};
            if (!leftover_.empty()) return take(leftover_);
            if (left_ == 0) return next();
        }
        const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(left_, block_.size()));
        const std::size_t n = readSome(block_.data(), want);
        if (n == 0) {
            fail(where() + "length mismatch (torn)");
            return {};
        }
        std::string_view piece(block_.data(), n);
        return take(piece);
    }

    // Reads what the decoder left (it stops at the first error) so that a damaged file is
    // reported as such rather than as the decode error it caused.
    void drain() {
        while (!next().empty()) {
        }
    }

private:
    static constexpr std::size_t kBlock = std::size_t(1) << 16;
    std::string dir_;
    std::uint64_t seq_;
    std::vector<char> block_;
    int fd_ = -1;
    std::size_t part_ = 0, parts_ = 1, totalBytes_ = 0;
    std::uint64_t left_ = 0;           // body bytes of the current file not handed out yet
    std::uint32_t crc_ = 0, expectedCrc_ = 0;
    std::string_view leftover_;        // body bytes read with the header
    json records_;                     // the snapshot header's record counts, if any
    bool done_ = false;

    bool fail(const std::string& msg) {
        if (why.empty()) why = msg;
        closeFile();
        return false;
    }
    std::string where() const { return part_ == 0 ? std::string() : "part " + std::to_string(part_) + ": "; }
    std::string_view take(std::string_view& from) {
        std::string_view piece = from.substr(0, static_cast<std::size_t>(std::min<std::uint64_t>(left_, from.size())));
        from = {};
        crc_ = crcUpdate(crc_, piece);
        left_ -= piece.size();
        bytes += piece.size();
        return piece;
    }
    std::size_t readSome(char* to, std::size_t want) {
        std::size_t got = 0;
        while (got < want) {
            const ssize_t n = ::read(fd_, to + got, want - got);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) break;
            got += static_cast<std::size_t>(n);
        }
        return got;
    }
    void closeFile() {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
    }
    bool finishFile() {
        closeFile();
        if ((crc_ ^ 0xFFFFFFFFu) != expectedCrc_) return fail(where() + "checksum mismatch");
        return true;
    }
    bool openFile(std::size_t part) {
        part_ = part;
        const char* format = part == 0 ? "funnel-snapshot" : "funnel-snapshot-part";
        const std::string path = dir_ + "/" + (part == 0 ? snapshotName(seq_) : snapshotPartName(seq_, part));
        fd_ = ::open(path.c_str(), O_RDONLY);
        if (fd_ < 0) return fail(where() + "cannot read");
        struct stat st {};
        if (::fstat(fd_, &st) != 0) return fail(where() + "cannot read");
        // The header line is short: it is in the first block (what follows it is body).
        const std::size_t n = readSome(block_.data(), block_.size());
        const std::string_view first(block_.data(), n);
        const std::size_t nl = first.find('\n');
        if (nl == std::string_view::npos) return fail(where() + "no header line (torn)");
        const json header = json::parse(first.begin(), first.begin() + static_cast<std::ptrdiff_t>(nl), nullptr, false);
        if (header.is_discarded() || !header.is_object()) return fail(where() + "unreadable header");
        if (header.value("format", std::string()) != format) return fail(where() + "not a " + std::string(format) + " file");
        if (header.value("version", 0) > kStoreVersion) return fail(where() + "written by a newer Funnel");
        const auto announced = header.value("bytes", static_cast<std::uint64_t>(0));
        if (static_cast<std::uint64_t>(st.st_size) - nl - 1 != announced) return fail(where() + "length mismatch (torn)");
        expectedCrc_ = header.value("crc32", static_cast<std::uint32_t>(0));
        if (part == 0) {
            if (header.value("seq", static_cast<std::uint64_t>(-1)) != seq_) return fail("seq does not match its name");
            parts_ = header.value("parts", static_cast<std::size_t>(1));
            totalBytes_ = header.value("totalBytes", static_cast<std::size_t>(0));
            if (auto r = header.find("records"); r != header.end()) records_ = *r;
        } else if (header.value("seq", static_cast<std::uint64_t>(-1)) != seq_ || header.value("part", std::size_t(0)) != part) {
            return fail("part " + std::to_string(part) + " belongs to another snapshot");
        }
        left_ = announced;
        crc_ = 0xFFFFFFFFu;
        leftover_ = first.substr(nl + 1);
        return true;
    }
};

// Decodes a snapshot (its file and parts) into a document; nullopt + why when torn or not decodable.
std::optional<Document> readSnapshot(const std::string& dir, std::uint64_t seq, std::size_t& bytes, std::string& why) {
    SnapshotText text(dir, seq);
    if (!text.open()) {
        why = text.why;
        return std::nullopt;
    }
    DecodeResult r = decodeDocument(text);
    if (!r.ok) text.drain();
    if (!text.why.empty()) {
        why = text.why;
        return std::nullopt;
    }
    if (!r.ok) { why = "cannot decode: " + r.error; return std::nullopt; }
    bytes = text.bytes;
    return std::move(r.document);
}

std::optional<std::uint64_t> readHead(const std::string& dir) {
    std::string why;
    auto f = readFramed(dir + "/" + kHeadName, "funnel-head", why);
    if (!f) return std::nullopt;
    json body = json::parse(f->body(), nullptr, false);
    if (body.is_discarded() || !body.is_object() || !body.contains("snapshot") || !body["snapshot"].is_number_unsigned())
        return std::nullopt;
    return body["snapshot"].get<std::uint64_t>();
}

void syncDir([[maybe_unused]] const std::string& dir) {
#ifndef __EMSCRIPTEN__
    // The rename is only durable once the directory entry is: without this a power cut can
    // bring back the old name.
    const int fd = ::open(dir.c_str(), O_RDONLY);
    if (fd >= 0) { ::fsync(fd); ::close(fd); }
#endif
}

std::string errnoText(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

bool makeDirs(const std::string& dir) {
    std::string path;
    std::size_t pos = 0;
    while (pos != std::string::npos) {
        pos = dir.find('/', pos + 1);
        path = dir.substr(0, pos);
        if (path.empty()) continue;
        if (::mkdir(path.c_str(), 0755) != 0 && errno != EEXIST) return false;
    }
    return true;
}

}  // namespace

namespace {
std::uint32_t crcUpdate(std::uint32_t c, std::string_view bytes) {
    static const auto table = makeCrcTable();
    for (unsigned char b : bytes) c = table[(c ^ b) & 0xFFu] ^ (c >> 8);
    return c;
}
}  // namespace

std::uint32_t crc32(std::string_view bytes) { return crcUpdate(0xFFFFFFFFu, bytes) ^ 0xFFFFFFFFu; }

json recordCounts(const Document& doc) {
    return json{{"pipelines", doc.pipelines.size()}, {"members", doc.members.size()},
                {"customers", doc.customers.size()}, {"contacts", doc.contacts.size()},
                {"deals", doc.deals.size()},         {"activities", doc.activities.size()},
                {"changes", doc.changes.size()}};
}

std::string snapshotName(std::uint64_t seq) { return kSnapshotPrefix + seqDigits(seq); }
std::string snapshotPartName(std::uint64_t seq, std::size_t part) {
    return snapshotName(seq) + kPartInfix + std::to_string(part);
}
std::string segmentName(std::uint64_t seq) { return kSegmentPrefix + seqDigits(seq); }

// [SECTION] Store

Store::Store(std::string dir, Options options) : dir_(std::move(dir)), options_(std::move(options)) {
    while (dir_.size() > 1 && dir_.back() == '/') dir_.pop_back();
}

bool Store::crash(const std::string& step) {
    if (dead_) return true;
    if (options_.crashAt && options_.crashAt(step)) dead_ = true;
    return dead_;
}

std::string Store::moveAside(const std::string& name) {
    std::string target = kAsidePrefix + name;
    for (int k = 1; exists(dir_ + "/" + target); ++k) target = kAsidePrefix + name + "." + std::to_string(k);
    if (::rename((dir_ + "/" + name).c_str(), (dir_ + "/" + target).c_str()) != 0) return "";
    return target;
}

std::vector<std::string> Store::asideFiles() const {
    std::vector<std::string> out;
    DIR* d = ::opendir(dir_.c_str());
    if (!d) return out;
    while (dirent* e = ::readdir(d)) {
        const std::string name = e->d_name;
        if (name.compare(0, std::strlen(kAsidePrefix), kAsidePrefix) == 0) out.push_back(name);
    }
    ::closedir(d);
    std::sort(out.begin(), out.end());
    return out;
}

std::string Store::writeFile(const std::string& name, const std::string& header, std::string_view body, const char* step,
                             bool exclusive) {
    if (readOnly_) return kReadOnlyError;
    const std::string path = dir_ + "/" + name;
    const std::string temp = path + kTempSuffix;
    const bool dying = crash(std::string(step) + ".write");
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) return errnoText("open");
    // A kill in the middle of a write leaves a prefix of the file: write half and stop. Header
    // and body are written one after the other (a snapshot is too big to copy into one string).
    const std::size_t size = header.size() + body.size();
    const std::size_t total = dying ? size / 2 : size;
    std::size_t done = 0;
    while (done < total) {
        const bool inHeader = done < header.size();
        const char* from = inHeader ? header.data() + done : body.data() + (done - header.size());
        const std::size_t upTo = std::min(total, inHeader ? header.size() : size);
        const ssize_t n = ::write(fd, from, upTo - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            const std::string err = errnoText("write");
            ::close(fd);
            ::unlink(temp.c_str());
            return err;
        }
        done += static_cast<std::size_t>(n);
    }
    if (dying) { ::close(fd); return "simulated crash at " + std::string(step) + ".write"; }
    if (options_.fsync && ::fsync(fd) != 0 && errno != EINVAL && errno != ENOSYS) {
        const std::string err = errnoText("fsync");
        ::close(fd);
        ::unlink(temp.c_str());
        return err;
    }
    ::close(fd);
    if (crash(std::string(step) + ".rename")) return "simulated crash at " + std::string(step) + ".rename";
    if (exclusive) {
        // Create-exclusive: a file already there (another writer's, or one this build cannot
        // read) is never replaced. link() fails with EEXIST atomically; where links do not
        // exist (the browser's file system) nothing else writes between the check and the rename.
        bool placed = false;
#ifndef __EMSCRIPTEN__
        if (::link(temp.c_str(), path.c_str()) == 0) {
            ::unlink(temp.c_str());
            placed = true;
        } else if (errno == EEXIST) {
            ::unlink(temp.c_str());
            return name + " exists already: not replaced";
        }
#endif
        if (!placed && exists(path)) {
            ::unlink(temp.c_str());
            return name + " exists already: not replaced";
        }
        if (!placed && ::rename(temp.c_str(), path.c_str()) != 0) {
            const std::string err = errnoText("rename");
            ::unlink(temp.c_str());
            return err;
        }
        if (options_.fsync) syncDir(dir_);
        return "";
    }
    if (::rename(temp.c_str(), path.c_str()) != 0) {
        const std::string err = errnoText("rename");
        ::unlink(temp.c_str());
        return err;
    }
    if (options_.fsync) syncDir(dir_);
    return "";
}

std::optional<Segment> Store::readSegment(std::uint64_t seq, std::string& why) const {
    auto f = readFramed(dir_ + "/" + segmentName(seq), "funnel-journal", why);
    if (!f) return std::nullopt;
    if (f->header.value("seq", static_cast<std::uint64_t>(-1)) != seq) { why = "seq does not match its name"; return std::nullopt; }
    json body = json::parse(f->body(), nullptr, false);
    if (body.is_discarded() || !body.is_array()) { why = "body is not a list of commands"; return std::nullopt; }
    Segment s;
    s.seq = seq;
    s.writer = f->header.value("writer", std::string());
    s.batch = f->header.value("batch", std::string());
    s.commands.reserve(body.size());
    for (auto& c : body) s.commands.push_back(std::move(c));
    return s;
}

LoadResult Store::load() {
    LoadResult r;
    dead_ = false;
    readOnly_ = false;
    stats_ = Stats{};
    previousSnapshotSeq_ = 0;
    if (!makeDirs(dir_)) {
        r.kind = LoadResult::Kind::Failed;
        r.error = errnoText(("cannot create " + dir_).c_str());
        return r;
    }
    Listing l = listDir(dir_);
    // A newer Funnel's files: read what this build can, touch nothing.
    {
        std::vector<std::string> names = {kHeadName};
        for (std::uint64_t s : l.snapshots) names.push_back(snapshotName(s));
        for (std::uint64_t g : l.segments) names.push_back(segmentName(g));
        for (const auto& [s, k] : l.parts) names.push_back(snapshotPartName(s, k));
        for (const std::string& n : names)
            if (headerVersion(dir_ + "/" + n) > kStoreVersion) {
                readOnly_ = true;
                r.readOnly = true;
                r.warnings.push_back(n + " was written by a newer Funnel: opened read-only");
                break;
            }
    }
    for (const auto& t : l.temps) {
        if (readOnly_) break;
        ::unlink((dir_ + "/" + t).c_str());
        r.warnings.push_back("removed unfinished write " + t);
    }
    if (l.snapshots.empty()) {
        if (!l.segments.empty()) {
            r.kind = LoadResult::Kind::Failed;
            r.error = "journal without a snapshot";
            return r;
        }
        return r;  // Empty
    }

    // The head's snapshot first, then the others newest first.
    std::vector<std::uint64_t> order(l.snapshots.rbegin(), l.snapshots.rend());
    if (auto head = readHead(dir_)) {
        auto it = std::find(order.begin(), order.end(), *head);
        if (it != order.end()) std::rotate(order.begin(), it, it + 1);
        else r.warnings.push_back("head names a missing snapshot " + std::to_string(*head));
    } else if (exists(dir_ + "/" + kHeadName)) {
        r.warnings.push_back("head unreadable; using the newest valid snapshot");
    }

    std::optional<Document> doc;
    std::uint64_t base = 0;
    for (std::uint64_t s : order) {
        std::string why;
        std::size_t bytes = 0;
        doc = readSnapshot(dir_, s, bytes, why);
        if (doc) {
            base = s;
            stats_.snapshotBytes = bytes;
            break;
        }
        r.warnings.push_back(snapshotName(s) + " skipped: " + why);
    }
    if (!doc) {
        r.kind = LoadResult::Kind::Failed;
        r.error = "no readable snapshot";
        return r;
    }

    stats_.snapshotSeq = base;
    previousSnapshotSeq_ = base;
    std::uint64_t seq = base;
    CommandContext ctx;
    // Team sync state rides in the snapshot ("sync") and in the journal entries (stamp patches,
    // sync.merge entries): replayed beside the document and put back at the end.
    SyncState state;
    std::string replica;
    {
        std::string why;
        if (!splitStored(*doc, state, replica, why)) {
            r.warnings.push_back(snapshotName(base) + ": sync state ignored: " + why);
            state = SyncState{};
            replica.clear();
        }
    }
    for (std::uint64_t next = base + 1;; ++next) {
        if (!std::binary_search(l.segments.begin(), l.segments.end(), next)) break;
        std::string why;
        auto seg = readSegment(next, why);
        if (!seg) {
            r.warnings.push_back(segmentName(next) + " ignored: " + why);
            break;
        }
        Document trial = *doc;
        SyncState trialState = state;
        std::string trialReplica = replica;
        bool ok = true;
        for (const auto& c : seg->commands) {
            CommandResult cr = replayStoredEntry(trial, trialState, trialReplica, c, ctx);
            if (!cr.ok) {
                r.warnings.push_back(segmentName(next) + " ignored: replay failed: " + cr.error);
                ok = false;
                break;
            }
        }
        if (!ok) break;
        doc = std::move(trial);
        state = std::move(trialState);
        replica = std::move(trialReplica);
        seq = next;
        ++r.replayed;
        ++stats_.segments;
        struct stat st {};
        if (::stat((dir_ + "/" + segmentName(next)).c_str(), &st) == 0) stats_.journalBytes += static_cast<std::size_t>(st.st_size);
    }
    // Anything past the end of the journal could not be used; a later append at that seq must
    // not be mistaken for it, so it is moved aside — kept, never deleted: it may hold saved
    // edits that a fix or a newer build can still read.
    auto aside = [&](const std::string& name) {
        if (readOnly_) return;
        const std::string to = moveAside(name);
        if (to.empty()) {
            r.warnings.push_back("could not move " + name + " aside: " + std::strerror(errno));
            return;
        }
        r.aside.push_back(to);
        r.warnings.push_back("moved " + name + " aside as " + to + " (past the end of the readable journal)");
    };
    for (std::uint64_t g : l.segments)
        if (g > seq) aside(segmentName(g));
    for (std::uint64_t s : l.snapshots) {
        if (s <= seq) continue;
        aside(snapshotName(s));
        for (const auto& [ps, k] : l.parts)
            if (ps == s) aside(snapshotPartName(ps, k));
    }
    // Parts of a snapshot that was never completed (its file is written last): an unfinished write.
    for (const auto& [s, k] : l.parts) {
        if (readOnly_) break;
        if (!std::binary_search(l.snapshots.begin(), l.snapshots.end(), s)) {
            ::unlink((dir_ + "/" + snapshotPartName(s, k)).c_str());
            r.warnings.push_back("removed " + snapshotPartName(s, k) + " of an unfinished snapshot");
        }
    }
    if (readOnly_ && !l.segments.empty() && l.segments.back() > seq)
        r.warnings.push_back("journal past " + segmentName(seq) + " left as it is (read-only)");
    stats_.seq = seq;
    r.seq = seq;
    r.kind = LoadResult::Kind::Loaded;
    r.document = joinStored(std::move(*doc), state, replica);
    return r;
}

// The parts first, the snapshot file last: it is what makes the snapshot exist, so a kill before
// it leaves only parts, which the next load removes.
std::string Store::writePart(std::uint64_t seq, std::size_t part, std::string_view body) {
    const json header = {{"format", "funnel-snapshot-part"}, {"version", 2}, {"seq", seq}, {"part", part}};
    return writeFile(snapshotPartName(seq, part), frameHeader(header, body), body, "part");
}

std::string Store::writeSnapshotFile(std::uint64_t seq, std::string_view first, std::size_t parts, std::size_t total,
                                     const json& records) {
    json header = {{"format", "funnel-snapshot"}, {"version", parts > 1 ? 2 : kWriteVersion}, {"seq", seq}};
    if (parts > 1) {
        header["parts"] = parts;
        header["totalBytes"] = total;
    }
    if (records.is_object()) header["records"] = records;
    return writeFile(snapshotName(seq), frameHeader(header, first), first, "snapshot");
}

// `pieces`: the text in order, each at most snapshotPartBytes; each becomes one file.
std::string Store::writeSnapshot(std::uint64_t seq, const std::vector<std::string_view>& pieces, const json& records) {
    std::size_t total = 0;
    for (std::string_view p : pieces) total += p.size();
    for (std::size_t k = 1; k < pieces.size(); ++k)
        if (auto err = writePart(seq, k, pieces[k]); !err.empty()) return err;
    return writeSnapshotFile(seq, pieces.empty() ? std::string_view() : pieces[0], std::max<std::size_t>(1, pieces.size()),
                             total, records);
}

std::string Store::writeSnapshot(std::uint64_t seq, const Document& doc, std::size_t& bytes) {
    // Each part is written as soon as it is encoded; only the first (the snapshot file's, written
    // last) waits in memory. A 100k-deal document never becomes one 140 MB string.
    std::string first, err;
    std::size_t parts = 0, total = 0;
    encodeDocumentText(doc, doc.extra, std::max<std::size_t>(1, options_.snapshotPartBytes), [&](std::string&& piece) {
        total += piece.size();
        if (parts++ == 0) first = std::move(piece);
        else if (err.empty()) err = writePart(seq, parts - 1, piece);
    });
    if (!err.empty()) return err;
    bytes = total;
    return writeSnapshotFile(seq, first, std::max<std::size_t>(1, parts), total, recordCounts(doc));
}

namespace {
std::vector<std::string_view> split(std::string_view body, std::size_t part) {
    part = std::max<std::size_t>(1, part);
    std::vector<std::string_view> pieces;
    for (std::size_t at = 0; at < body.size(); at += part) pieces.push_back(body.substr(at, part));
    if (pieces.empty()) pieces.push_back(body);
    return pieces;
}
}  // namespace

std::string Store::reset(const Document& doc) {
    if (readOnly_) return kReadOnlyError;
    if (!makeDirs(dir_)) return errnoText(("cannot create " + dir_).c_str());
    // Past everything on disk, so that no old journal segment can follow the new snapshot.
    Listing l = listDir(dir_);
    std::uint64_t top = stats_.seq;
    if (!l.snapshots.empty()) top = std::max(top, l.snapshots.back());
    if (!l.segments.empty()) top = std::max(top, l.segments.back());
    const std::uint64_t seq = top + 1;
    std::size_t bytes = 0;
    if (auto err = writeSnapshot(seq, doc, bytes); !err.empty()) return err;
    const std::string head = dumpJson(json{{"snapshot", seq}});
    if (auto err = writeFile(kHeadName, frameHeader({{"format", "funnel-head"}, {"version", kWriteVersion}}, head), head, "head"); !err.empty())
        return err;
    stats_ = Stats{};
    stats_.seq = seq;
    stats_.snapshotSeq = seq;
    stats_.snapshotBytes = bytes;
    previousSnapshotSeq_ = seq;  // nothing older is worth keeping
    return prune();
}

std::string Store::append(const std::vector<json>& commands, const std::string& batch) {
    if (readOnly_) return kReadOnlyError;
    if (dead_) return "store closed after a simulated crash";
    if (commands.empty()) return "";
    json list = json::array();
    for (const auto& c : commands) list.push_back(c);
    const std::string body = dumpJson(list);
    const std::uint64_t seq = stats_.seq + 1;
    const std::string header = frameHeader(
        {{"format", "funnel-journal"}, {"version", kWriteVersion}, {"seq", seq}, {"writer", options_.writer}, {"batch", batch}, {"count", commands.size()}}, body);
    if (auto err = writeFile(segmentName(seq), header, body, "segment", true); !err.empty()) return err;
    stats_.seq = seq;
    ++stats_.segments;
    stats_.journalBytes += header.size() + body.size();
    return "";
}

Catchup Store::catchUp() {
    Catchup c;
    for (;;) {
        const std::uint64_t next = stats_.seq + 1;
        if (!exists(dir_ + "/" + segmentName(next))) break;
        std::string why;
        auto seg = readSegment(next, why);
        if (!seg) {
            c.warnings.push_back(segmentName(next) + " not read: " + why);
            if (headerVersion(dir_ + "/" + segmentName(next)) > kStoreVersion) {
                readOnly_ = true;  // a newer Funnel writes here now: leave everything to it
            } else if (!readOnly_) {
                // Unreadable (damaged): kept aside, so that the next append neither stops on it
                // forever nor replaces it.
                const std::string to = moveAside(segmentName(next));
                if (!to.empty()) c.aside.push_back(to);
            }
            break;
        }
        struct stat st {};
        if (::stat((dir_ + "/" + segmentName(next)).c_str(), &st) == 0) stats_.journalBytes += static_cast<std::size_t>(st.st_size);
        ++stats_.segments;
        stats_.seq = next;
        c.segments.push_back(std::move(*seg));
    }
    // Another writer may have compacted (or reset) past us and removed the journal we need.
    auto head = readHead(dir_);
    if (head && *head > stats_.seq) {
        LoadResult r = load();
        c.segments.clear();
        for (auto& w : r.warnings) c.warnings.push_back(std::move(w));
        if (r.kind == LoadResult::Kind::Loaded) c.document = std::move(r.document);
        else c.warnings.push_back("reload failed: " + r.error);
    } else if (head && *head > stats_.snapshotSeq) {
        // Someone compacted up to a point we already have: follow the new snapshot's accounting.
        std::size_t bytes = 0;
        struct stat st {};
        if (::stat((dir_ + "/" + snapshotName(*head)).c_str(), &st) == 0) bytes = static_cast<std::size_t>(st.st_size);
        for (std::size_t k = 1; ::stat((dir_ + "/" + snapshotPartName(*head, k)).c_str(), &st) == 0; ++k)
            bytes += static_cast<std::size_t>(st.st_size);
        previousSnapshotSeq_ = stats_.snapshotSeq;
        stats_.snapshotSeq = *head;
        stats_.snapshotBytes = bytes;
        stats_.segments = static_cast<std::size_t>(stats_.seq - *head);
        stats_.journalBytes = 0;
    }
    return c;
}

bool Store::wantsCompaction() const {
    if (stats_.segments == 0) return false;
    return stats_.segments >= options_.compactSegments ||
           stats_.journalBytes > std::max(options_.compactMinBytes, stats_.snapshotBytes);
}

std::string Store::compact(const Document& doc) {
    if (readOnly_) return kReadOnlyError;
    if (dead_) return "store closed after a simulated crash";
    const std::uint64_t atSeq = stats_.seq;
    if (atSeq == stats_.snapshotSeq) return "";
    std::size_t bytes = 0;
    if (auto err = writeSnapshot(atSeq, doc, bytes); !err.empty()) return err;
    return finishCompaction(atSeq, bytes);
}

std::string Store::compactEncoded(const std::string& encoded, std::uint64_t atSeq, const json& records) {
    if (readOnly_) return kReadOnlyError;
    if (dead_) return "store closed after a simulated crash";
    if (atSeq != stats_.seq) return "stale: the journal moved on";
    if (atSeq == stats_.snapshotSeq) return "";
    if (auto err = writeSnapshot(atSeq, split(encoded, options_.snapshotPartBytes), records); !err.empty()) return err;
    return finishCompaction(atSeq, encoded.size());
}

std::string Store::compactPieces(const std::vector<std::string>& pieces, std::uint64_t atSeq, const json& records) {
    if (readOnly_) return kReadOnlyError;
    if (dead_) return "store closed after a simulated crash";
    if (atSeq != stats_.seq) return "stale: the journal moved on";
    if (atSeq == stats_.snapshotSeq) return "";
    std::vector<std::string_view> views;
    std::size_t bytes = 0;
    for (const std::string& p : pieces) {
        views.push_back(p);
        bytes += p.size();
    }
    if (auto err = writeSnapshot(atSeq, views, records); !err.empty()) return err;
    return finishCompaction(atSeq, bytes);
}

// After the snapshot at atSeq is written: head, then what it makes redundant.
std::string Store::finishCompaction(std::uint64_t atSeq, std::size_t bytes) {
    const std::string head = dumpJson(json{{"snapshot", atSeq}});
    if (auto err = writeFile(kHeadName, frameHeader({{"format", "funnel-head"}, {"version", kWriteVersion}}, head), head, "head"); !err.empty())
        return err;
    previousSnapshotSeq_ = stats_.snapshotSeq;
    stats_.snapshotSeq = atSeq;
    stats_.snapshotBytes = bytes;
    stats_.segments = 0;
    stats_.journalBytes = 0;
    return prune();
}

std::string Store::prune() {
    if (readOnly_) return kReadOnlyError;
    // Keep the current snapshot and the journal after the previous one (for lagging readers).
    // Any subset of these deletions leaves a consistent store, so a kill between two is fine.
    Listing l = listDir(dir_);
    for (std::uint64_t s : l.snapshots) {
        if (s >= stats_.snapshotSeq) continue;
        if (crash("prune")) return "simulated crash at prune";
        ::unlink((dir_ + "/" + snapshotName(s)).c_str());
    }
    for (const auto& [s, k] : l.parts) {  // after their snapshot file: never a snapshot missing parts
        if (s >= stats_.snapshotSeq) continue;
        if (crash("prune")) return "simulated crash at prune";
        ::unlink((dir_ + "/" + snapshotPartName(s, k)).c_str());
    }
    for (std::uint64_t g : l.segments) {
        if (g > previousSnapshotSeq_) continue;
        if (crash("prune")) return "simulated crash at prune";
        ::unlink((dir_ + "/" + segmentName(g)).c_str());
    }
    if (options_.fsync) syncDir(dir_);
    return "";
}

}  // namespace funnel::store
