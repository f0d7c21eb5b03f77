// Native tests of the durable store: what was saved comes back, torn files are ignored, and a
// process killed at any step of a save or a compaction reopens to a consistent document that
// holds every batch whose save had returned.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "core/codec.h"
#include "core/command.h"
#include "core/merge.h"
#include "core/workspace.h"
#include "platform/store.h"

using namespace funnel;
namespace fs = std::filesystem;

namespace {

constexpr Time kNow = 1'780'000'000'000;  // fixed clock: runs are reproducible

// A fresh empty directory per test, removed at the end.
struct TempDir {
    std::string path;
    TempDir() {
        std::string tmpl = (fs::temp_directory_path() / "funnel-store-XXXXXX").string();
        path = ::mkdtemp(tmpl.data());
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    std::string file(const std::string& name) const { return path + "/" + name; }
};

std::string text(const Document& d) { return encodeDocumentText(d); }

// A document with `deals` deals spread over the default pipeline, built directly (fast).
Document bigDocument(int deals) {
    Document d = makeDefaultDocument(kNow);
    const Pipeline& p = d.pipelines.front();
    for (int i = 0; i < deals / 10 + 1; ++i) {
        Customer c;
        c.id = "c" + std::to_string(100000000000000 + i);
        c.name = "Customer " + std::to_string(i);
        c.createdAt = kNow;
        d.customers.push_back(std::move(c));
    }
    for (int i = 0; i < deals; ++i) {
        Deal x;
        x.id = "d" + std::to_string(100000000000000 + i);
        x.title = "Deal " + std::to_string(i);
        x.customerId = d.customers[static_cast<std::size_t>(i / 10)].id;
        x.pipelineId = p.id;
        x.stageId = p.stages[static_cast<std::size_t>(i) % p.stages.size()].id;
        x.value = 1000.0 + i;
        x.createdAt = x.updatedAt = kNow;
        x.order = i;
        d.deals.push_back(std::move(x));
    }
    return d;
}

// Applies `cmd` to `doc` and returns the applied form for the journal; fails the test if refused.
json perform(Document& doc, const json& cmd, Time now = kNow) {
    CommandContext ctx;
    ctx.now = now;
    CommandResult r = applyCommand(doc, cmd, ctx);
    REQUIRE_MESSAGE(r.ok, cmd.dump() << ": " << r.error);
    return r.applied;
}

// Random but valid edits: new customers and deals, renames, value changes, stage moves.
class Editor {
public:
    explicit Editor(unsigned seed) : rng_(seed) {}

    std::vector<json> batch(Document& doc, int n) {
        std::vector<json> out;
        for (int i = 0; i < n; ++i) out.push_back(edit(doc));
        return out;
    }

    json edit(Document& doc) {
        const Pipeline& p = doc.pipelines.front();
        const int what = pick(doc.deals.empty() ? 2 : 6);
        ++counter_;
        const Time now = kNow + counter_ * 1000;
        if (what == 0 || doc.customers.empty())
            return perform(doc, {{"op", "customer.create"}, {"name", "客户 " + std::to_string(counter_)}}, now);
        if (what == 1) {
            const auto& c = doc.customers[static_cast<std::size_t>(pick(static_cast<int>(doc.customers.size())))];
            return perform(doc, {{"op", "deal.create"}, {"title", "거래 " + std::to_string(counter_)}, {"customerId", c.id}, {"value", counter_ * 10}}, now);
        }
        const auto& d = doc.deals[static_cast<std::size_t>(pick(static_cast<int>(doc.deals.size())))];
        if (what == 2) return perform(doc, {{"op", "deal.set"}, {"id", d.id}, {"field", "title"}, {"value", "Deal #" + std::to_string(counter_)}}, now);
        if (what == 3) return perform(doc, {{"op", "deal.set"}, {"id", d.id}, {"field", "value"}, {"value", counter_ * 3.5}}, now);
        const auto& s = p.stages[static_cast<std::size_t>(pick(static_cast<int>(p.stages.size()) - 1))];
        return perform(doc, {{"op", "deal.move"}, {"id", d.id}, {"stageId", s.id}}, now);
    }

private:
    int pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
    std::mt19937 rng_;
    int counter_ = 0;
};

store::LoadResult reopen(const std::string& dir) { return store::Store(dir).load(); }

void truncateFile(const std::string& path, std::uintmax_t keep) { fs::resize_file(path, keep); }

}  // namespace

TEST_CASE("an empty directory loads as empty, and a missing one is created") {
    TempDir t;
    auto r = reopen(t.path + "/a/b");
    CHECK(r.kind == store::LoadResult::Kind::Empty);
    CHECK_FALSE(r.document);
    CHECK(fs::is_directory(t.path + "/a/b"));
}

TEST_CASE("round trip: reset, append, reload gives the live document") {
    TempDir t;
    Document live = makeDefaultDocument(kNow);
    store::Store s(t.path);
    REQUIRE(s.load().kind == store::LoadResult::Kind::Empty);
    REQUIRE(s.reset(live) == "");

    Editor ed(1);
    for (int b = 0; b < 20; ++b) REQUIRE(s.append(ed.batch(live, 1 + b % 4)) == "");

    auto r = reopen(t.path);
    REQUIRE(r.kind == store::LoadResult::Kind::Loaded);
    CHECK(r.warnings.empty());
    CHECK(r.replayed == 20);
    CHECK(r.seq == s.seq());
    CHECK(text(*r.document) == text(live));
}

TEST_CASE("replaying the applied commands on the snapshot equals the live document, at any later clock") {
    // The journal stores CommandResult::applied; replay happens at load time with another clock.
    Document live = makeDefaultDocument(kNow);
    Document replay = live;
    Editor ed(7);
    std::vector<json> applied = ed.batch(live, 200);
    CommandContext later;
    later.now = kNow + 86'400'000;
    for (const auto& c : applied) REQUIRE(applyCommand(replay, c, later).ok);
    CHECK(text(replay) == text(live));
}

TEST_CASE("a torn or corrupted segment ends the journal and is never half-applied") {
    TempDir t;
    Document live = makeDefaultDocument(kNow);
    store::Store s(t.path);
    s.load();
    REQUIRE(s.reset(live) == "");
    Editor ed(2);
    std::vector<std::string> after;  // document text after each segment
    for (int b = 0; b < 3; ++b) {
        REQUIRE(s.append(ed.batch(live, 3)) == "");
        after.push_back(text(live));
    }
    const std::string last = t.file(store::segmentName(s.seq()));

    SUBCASE("truncated") { truncateFile(last, fs::file_size(last) - 5); }
    SUBCASE("header only") {
        std::ifstream in(last);
        std::string header;
        std::getline(in, header);
        truncateFile(last, header.size() + 1);
    }
    SUBCASE("one digit changed: still valid JSON, only the checksum can tell") {
        std::string all;
        {
            std::ifstream in(last, std::ios::binary);
            all.assign(std::istreambuf_iterator<char>(in), {});
        }
        const auto pos = all.find_last_of("0123456789");
        REQUIRE(pos != std::string::npos);
        REQUIRE(pos > all.find('\n'));
        all[pos] = all[pos] == '9' ? '8' : static_cast<char>(all[pos] + 1);
        std::ofstream(last, std::ios::binary | std::ios::trunc) << all;
    }
    SUBCASE("empty file") { truncateFile(last, 0); }

    auto r = reopen(t.path);
    REQUIRE(r.kind == store::LoadResult::Kind::Loaded);
    CHECK(text(*r.document) == after[1]);
    CHECK_FALSE(r.warnings.empty());
    CHECK_FALSE(fs::exists(last));  // removed so the next append cannot be confused with it

    // The store keeps working from there, and the next segment takes the torn one's place.
    store::Store s2(t.path);
    REQUIRE(s2.load().kind == store::LoadResult::Kind::Loaded);
    Document cont = *r.document;
    REQUIRE(s2.append(ed.batch(cont, 2)) == "");
    auto r2 = reopen(t.path);
    REQUIRE(r2.kind == store::LoadResult::Kind::Loaded);
    CHECK(r2.warnings.empty());
    CHECK(text(*r2.document) == text(cont));
}

TEST_CASE("a segment after a gap is not replayed") {
    TempDir t;
    Document live = makeDefaultDocument(kNow);
    store::Store s(t.path);
    s.load();
    REQUIRE(s.reset(live) == "");
    Editor ed(3);
    REQUIRE(s.append(ed.batch(live, 2)) == "");
    const std::string kept = text(live);
    REQUIRE(s.append(ed.batch(live, 2)) == "");
    REQUIRE(s.append(ed.batch(live, 2)) == "");
    fs::remove(t.file(store::segmentName(s.seq() - 1)));
    auto r = reopen(t.path);
    REQUIRE(r.kind == store::LoadResult::Kind::Loaded);
    CHECK(text(*r.document) == kept);
    CHECK_FALSE(fs::exists(t.file(store::segmentName(s.seq()))));
}

TEST_CASE("unreadable stores fail with an error and are left untouched") {
    TempDir t;
    SUBCASE("journal without a snapshot") {
        std::ofstream(t.file(store::segmentName(1))) << "{}\n[]";
    }
    SUBCASE("the only snapshot is corrupt") {
        store::Store s(t.path);
        s.load();
        REQUIRE(s.reset(makeDefaultDocument(kNow)) == "");
        const std::string snap = t.file(store::snapshotName(s.seq()));
        truncateFile(snap, fs::file_size(snap) / 2);
    }
    std::vector<std::string> before;
    for (auto& e : fs::directory_iterator(t.path)) before.push_back(e.path().filename().string() + ":" + std::to_string(e.file_size()));
    auto r = reopen(t.path);
    CHECK(r.kind == store::LoadResult::Kind::Failed);
    CHECK_FALSE(r.error.empty());
    std::vector<std::string> after;
    for (auto& e : fs::directory_iterator(t.path)) after.push_back(e.path().filename().string() + ":" + std::to_string(e.file_size()));
    std::sort(before.begin(), before.end());
    std::sort(after.begin(), after.end());
    CHECK(before == after);
}

TEST_CASE("a snapshot in a file that is not a Funnel document is skipped for an older valid one") {
    TempDir t;
    Document live = makeDefaultDocument(kNow);
    store::Store s(t.path);
    s.load();
    REQUIRE(s.reset(live) == "");
    Editor ed(4);
    REQUIRE(s.append(ed.batch(live, 5)) == "");
    // A snapshot whose frame is intact but whose body does not decode (e.g. a format bug).
    const std::string body = "{\"format\":\"not-funnel\"}";
    json header = {{"format", "funnel-snapshot"}, {"version", 1}, {"seq", s.seq()}, {"bytes", body.size()}, {"crc32", store::crc32(body)}};
    std::ofstream(t.file(store::snapshotName(s.seq()))) << header.dump() << "\n" << body;
    auto r = reopen(t.path);
    REQUIRE(r.kind == store::LoadResult::Kind::Loaded);
    CHECK(text(*r.document) == text(live));
}

TEST_CASE("compaction: snapshot, head, prune — a kill after any step reopens to the same document") {
    // Count the steps of one compaction, then kill at each of them in turn.
    auto setup = [](const std::string& dir, Document& live, store::Options opt) {
        store::Store s(dir, std::move(opt));
        s.load();
        REQUIRE(s.reset(live) == "");
        Editor ed(5);
        for (int b = 0; b < 6; ++b) REQUIRE(s.append(ed.batch(live, 2)) == "");
        REQUIRE(s.compact(live) == "");  // first compaction: leaves journal for lagging readers
        for (int b = 0; b < 6; ++b) REQUIRE(s.append(ed.batch(live, 2)) == "");
    };
    int steps = 0;
    {
        TempDir t;
        Document live = makeDefaultDocument(kNow);
        setup(t.path, live, {});
        store::Options counting;
        store::Store s(t.path, counting);
        REQUIRE(s.load().kind == store::LoadResult::Kind::Loaded);
        std::vector<std::string> seen;
        store::Options o;
        o.crashAt = [&](const std::string& step) { seen.push_back(step); return false; };
        store::Store c(t.path, o);
        REQUIRE(c.load().kind == store::LoadResult::Kind::Loaded);
        REQUIRE(c.compact(live) == "");
        steps = static_cast<int>(seen.size());
        // snapshot.write, snapshot.rename, head.write, head.rename, and one per pruned file
        REQUIRE(steps >= 6);
        CHECK(seen[0] == "snapshot.write");
        CHECK(seen[2] == "head.write");
        auto r = reopen(t.path);
        REQUIRE(r.kind == store::LoadResult::Kind::Loaded);
        CHECK(r.replayed == 0);
        CHECK(text(*r.document) == text(live));
    }
    for (int k = 0; k < steps; ++k) {
        CAPTURE(k);
        TempDir t;
        Document live = makeDefaultDocument(kNow);
        setup(t.path, live, {});
        int n = 0;
        store::Options o;
        o.crashAt = [&](const std::string&) { return n++ == k; };
        store::Store c(t.path, o);
        REQUIRE(c.load().kind == store::LoadResult::Kind::Loaded);
        CHECK(c.compact(live) != "");

        auto r = reopen(t.path);
        REQUIRE(r.kind == store::LoadResult::Kind::Loaded);
        CHECK(text(*r.document) == text(live));
        // And the store goes on: more edits, another compaction, reload.
        store::Store s(t.path);
        REQUIRE(s.load().kind == store::LoadResult::Kind::Loaded);
        Editor ed(50 + static_cast<unsigned>(k));
        REQUIRE(s.append(ed.batch(live, 3)) == "");
        REQUIRE(s.compact(live) == "");
        REQUIRE(s.append(ed.batch(live, 3)) == "");
        auto r2 = reopen(t.path);
        REQUIRE(r2.kind == store::LoadResult::Kind::Loaded);
        CHECK(r2.warnings.empty());
        CHECK(text(*r2.document) == text(live));
    }
}

TEST_CASE("a big snapshot is written in parts, each a file of its own, and read back whole") {
    TempDir t;
    Document live = bigDocument(60);
    store::Options o;
    o.snapshotPartBytes = 1000;
    store::Store s(t.path, o);
    s.load();
    REQUIRE(s.reset(live) == "");
    const std::size_t total = text(live).size();
    const std::size_t parts = (total + 999) / 1000;
    REQUIRE(parts > 3);
    for (std::size_t k = 1; k < parts; ++k) CHECK(fs::exists(t.file(store::snapshotPartName(s.seq(), k))));
    CHECK_FALSE(fs::exists(t.file(store::snapshotPartName(s.seq(), parts))));
    // A part's bytes plus its header (the snapshot file's also counts the records of each list).
    for (const auto& e : fs::directory_iterator(t.path)) CHECK(fs::file_size(e.path()) < 1000 + 400);

    auto r = reopen(t.path);  // a reader with other options reads it all the same
    REQUIRE(r.kind == store::LoadResult::Kind::Loaded);
    CHECK(r.warnings.empty());
    CHECK(text(*r.document) == text(live));

    // Compaction replaces them; the old snapshot's parts go with it.
    const std::uint64_t first = s.seq();
    Editor ed(7);
    REQUIRE(s.append(ed.batch(live, 4)) == "");
    REQUIRE(s.compact(live) == "");
    CHECK_FALSE(fs::exists(t.file(store::snapshotPartName(first, 1))));
    CHECK(fs::exists(t.file(store::snapshotPartName(s.seq(), 1))));
    r = reopen(t.path);
    REQUIRE(r.kind == store::LoadResult::Kind::Loaded);
    CHECK(text(*r.document) == text(live));

    // A missing or damaged part makes the snapshot unreadable, never a shorter document.
    fs::remove(t.file(store::snapshotPartName(s.seq(), 2)));
    r = reopen(t.path);
    CHECK(r.kind == store::LoadResult::Kind::Failed);
}

TEST_CASE("a snapshot is read a block at a time: a damaged file is named, never decoded in part") {
    TempDir t;
    Document live = bigDocument(2000);  // files of several 64 KB blocks each
    store::Options o;
    o.snapshotPartBytes = 150000;
    store::Store s(t.path, o);
    s.load();
    REQUIRE(s.reset(live) == "");
    const std::uint64_t seq = s.seq();
    REQUIRE(fs::exists(t.file(store::snapshotPartName(seq, 2))));
    {
        auto r = reopen(t.path);
        REQUIRE(r.kind == store::LoadResult::Kind::Loaded);
        CHECK(r.warnings.empty());
        CHECK(text(*r.document) == text(live));
    }
    // The header notes the size of each list, so loading allocates each once.
    {
        std::ifstream in(t.file(store::snapshotName(seq)));
        std::string header;
        std::getline(in, header);
        const json h = json::parse(header);
        CHECK(h["records"]["deals"] == live.deals.size());
        CHECK(h["records"]["customers"] == live.customers.size());
    }
    auto rewrite = [&](const std::string& path, auto&& change) {
        std::string all;
        {
            std::ifstream in(path, std::ios::binary);
            all.assign(std::istreambuf_iterator<char>(in), {});
        }
        change(all);
        std::ofstream(path, std::ios::binary | std::ios::trunc) << all;
    };
    std::string expect;
    SUBCASE("one digit changed in a part: only the checksum can tell") {
        rewrite(t.file(store::snapshotPartName(seq, 2)), [](std::string& all) {
            const auto pos = all.find_first_of("0123456789", all.find('\n') + 1000);
            all[pos] = all[pos] == '9' ? '8' : static_cast<char>(all[pos] + 1);
        });
        expect = "part 2: checksum mismatch";
    }
    SUBCASE("the text broken early in the first file: the checksum is named, not the JSON") {
        rewrite(t.file(store::snapshotName(seq)), [](std::string& all) { all[all.find('\n') + 10] = '}'; });
        expect = "checksum mismatch";
    }
    SUBCASE("a part cut short") {
        truncateFile(t.file(store::snapshotPartName(seq, 1)), fs::file_size(t.file(store::snapshotPartName(seq, 1))) - 100);
        expect = "part 1: length mismatch (torn)";
    }
    SUBCASE("a part missing") {
        fs::remove(t.file(store::snapshotPartName(seq, 2)));
        expect = "part 2: cannot read";
    }
    SUBCASE("two parts swapped") {
        const std::string a = t.file(store::snapshotPartName(seq, 1)), b = t.file(store::snapshotPartName(seq, 2));
        fs::rename(a, a + ".x");
        fs::rename(b, a);
        fs::rename(a + ".x", b);
        expect = "part 1 belongs to another snapshot";
    }
    auto r = reopen(t.path);
    CHECK(r.kind == store::LoadResult::Kind::Failed);
    std::string all;
    for (const auto& w : r.warnings) all += w + "\n";
    CHECK_MESSAGE(all.find(store::snapshotName(seq) + " skipped: " + expect) != std::string::npos, all);
}

TEST_CASE("a snapshot in parts: a kill after any step of a compaction reopens to the same document") {
    store::Options small;
    small.snapshotPartBytes = 1000;
    auto setup = [&](const std::string& dir, Document& live) {
        store::Store s(dir, small);
        s.load();
        REQUIRE(s.reset(live) == "");
        Editor ed(9);
        for (int b = 0; b < 4; ++b) REQUIRE(s.append(ed.batch(live, 2)) == "");
    };
    int steps = 0;
    {
        TempDir t;
        Document live = bigDocument(40);
        setup(t.path, live);
        std::vector<std::string> seen;
        store::Options o = small;
        o.crashAt = [&](const std::string& step) { seen.push_back(step); return false; };
        store::Store c(t.path, o);
        REQUIRE(c.load().kind == store::LoadResult::Kind::Loaded);
        REQUIRE(c.compact(live) == "");
        steps = static_cast<int>(seen.size());
        REQUIRE(steps > 8);
        CHECK(seen[0] == "part.write");
    }
    for (int k = 0; k < steps; ++k) {
        CAPTURE(k);
        TempDir t;
        Document live = bigDocument(40);
        setup(t.path, live);
        int n = 0;
        store::Options o = small;
        o.crashAt = [&](const std::string&) { return n++ == k; };
        store::Store c(t.path, o);
        REQUIRE(c.load().kind == store::LoadResult::Kind::Loaded);
        CHECK(c.compact(live) != "");

        auto r = reopen(t.path);
        REQUIRE(r.kind == store::LoadResult::Kind::Loaded);
        CHECK(text(*r.document) == text(live));
        // Leftover parts are gone after that load; the store goes on.
        store::Store s(t.path, small);
        REQUIRE(s.load().kind == store::LoadResult::Kind::Loaded);
        Editor ed(70 + static_cast<unsigned>(k));
        REQUIRE(s.append(ed.batch(live, 3)) == "");
        REQUIRE(s.compact(live) == "");
        auto r2 = reopen(t.path);
        REQUIRE(r2.kind == store::LoadResult::Kind::Loaded);
        CHECK(r2.warnings.empty());
        CHECK(text(*r2.document) == text(live));
        for (const auto& e : fs::directory_iterator(t.path)) {
            const std::string name = e.path().filename().string();
            if (name.find(".part-") != std::string::npos)
                CHECK_MESSAGE(name.rfind(store::snapshotName(s.seq()), 0) == 0, name);
        }
    }
}

TEST_CASE("random kill points: every batch whose save returned is there after reopening") {
    TempDir t;
    std::mt19937 rng(20261128);
    Document saved = makeDefaultDocument(kNow);  // the document the durable batches give
    {
        store::Store s(t.path);
        s.load();
        REQUIRE(s.reset(saved) == "");
    }
    Editor ed(6);
    int kills = 0, compactions = 0, batches = 0;
    store::Options small;
    small.fsync = false;        // kills are simulated at the store's steps: the disk cache is not the point
    small.compactSegments = 8;  // compact often so kills land inside compactions too
    for (int round = 0; round < 100; ++round) {
        CAPTURE(round);
        // Kill after a random number of steps (write, rename, head, prune, …) of this session.
        const int killAt = std::uniform_int_distribution<int>(0, 40)(rng);
        int n = 0;
        store::Options o = small;
        o.crashAt = [&](const std::string&) { return n++ == killAt; };
        store::Store s(t.path, o);
        auto r = s.load();
        REQUIRE(r.kind == store::LoadResult::Kind::Loaded);
        REQUIRE(text(*r.document) == text(saved));
        Document live = *r.document;
        for (;;) {
            Document next = live;
            std::vector<json> b = ed.batch(next, 1 + static_cast<int>(rng() % 3));
            if (s.append(b) != "") { ++kills; break; }
            ++batches;
            live = std::move(next);
            saved = live;  // append returned: this batch is durable
            if (s.wantsCompaction()) {
                if (s.compact(live) != "") { ++kills; break; }
                ++compactions;
            }
        }
    }
    auto r = reopen(t.path);
    REQUIRE(r.kind == store::LoadResult::Kind::Loaded);
    CHECK(text(*r.document) == text(saved));
    CHECK(kills == 100);
    CHECK(compactions > 5);
    MESSAGE("batches " << batches << ", compactions " << compactions << ", kills " << kills);
}

TEST_CASE("saving one edit writes the same few bytes whatever the size of the document") {
    std::vector<std::size_t> written;
    for (int deals : {1000, 30000}) {
        TempDir t;
        Document live = bigDocument(deals);
        store::Store s(t.path);
        s.load();
        REQUIRE(s.reset(live) == "");
        const auto before = s.stats().journalBytes;
        const Id id = live.deals[static_cast<std::size_t>(deals / 2)].id;
        REQUIRE(s.append({perform(live, {{"op", "deal.set"}, {"id", id}, {"field", "title"}, {"value", "Renamed"}})}) == "");
        written.push_back(s.stats().journalBytes - before);
        CHECK_FALSE(s.wantsCompaction());
        // Only the new segment changed on disk: one file of that size.
        CHECK(fs::file_size(t.file(store::segmentName(s.seq()))) == written.back());
    }
    CHECK(written[0] < 1024);
    // The same edit, give or take a digit of the sequence number or the id.
    CHECK(written[1] <= written[0] + 8);
}

TEST_CASE("compaction is asked for after enough segments or bytes, and resets the journal") {
    TempDir t;
    Document live = makeDefaultDocument(kNow);
    store::Options o;
    o.compactSegments = 5;
    o.compactMinBytes = 1 << 30;
    store::Store s(t.path, o);
    s.load();
    REQUIRE(s.reset(live) == "");
    Editor ed(8);
    for (int i = 0; i < 4; ++i) {
        REQUIRE(s.append(ed.batch(live, 1)) == "");
        CHECK_FALSE(s.wantsCompaction());
    }
    REQUIRE(s.append(ed.batch(live, 1)) == "");
    CHECK(s.wantsCompaction());
    REQUIRE(s.compact(live) == "");
    CHECK_FALSE(s.wantsCompaction());
    CHECK(s.stats().segments == 0);
    CHECK(s.stats().snapshotSeq == s.seq());
    // Stale encoded text (from before another append) is refused.
    const std::string enc = encodeDocumentText(live);
    const auto at = s.seq();
    REQUIRE(s.append(ed.batch(live, 1)) == "");
    CHECK(s.compactEncoded(enc, at) != "");
    auto r = reopen(t.path);
    CHECK(text(*r.document) == text(live));
}

TEST_CASE("two writers on one directory (two tabs): each catches up with the other") {
    TempDir t;
    Document a = makeDefaultDocument(kNow);
    store::Options oa, ob;
    oa.writer = "tab-a";
    ob.writer = "tab-b";
    oa.compactSegments = ob.compactSegments = 1000;
    store::Store sa(t.path, oa);
    sa.load();
    REQUIRE(sa.reset(a) == "");
    store::Store sb(t.path, ob);
    auto rb = sb.load();
    REQUIRE(rb.kind == store::LoadResult::Kind::Loaded);
    Document b = *rb.document;
    Editor ea(9), eb(10);

    auto take = [](store::Store& s, Document& doc, const std::string& me) {
        store::Catchup c = s.catchUp();
        REQUIRE_FALSE(c.document);
        for (const auto& seg : c.segments) {
            CHECK(seg.writer != me);
            for (const auto& cmd : seg.commands) perform(doc, cmd);
        }
    };
    for (int i = 0; i < 10; ++i) {
        take(sa, a, "tab-a");
        REQUIRE(sa.append(ea.batch(a, 2)) == "");
        take(sb, b, "tab-b");
        REQUIRE(sb.append(eb.batch(b, 2)) == "");
    }
    take(sa, a, "tab-a");
    CHECK(text(a) == text(b));
    auto r = reopen(t.path);
    CHECK(text(*r.document) == text(a));

    SUBCASE("after one compaction by the other writer, the kept journal still suffices") {
        REQUIRE(sa.append(ea.batch(a, 1)) == "");
        REQUIRE(sa.compact(a) == "");
        take(sb, b, "tab-b");
        CHECK(text(b) == text(a));
    }
    SUBCASE("two compactions later the laggard reloads the whole document") {
        REQUIRE(sa.append(ea.batch(a, 1)) == "");
        REQUIRE(sa.compact(a) == "");
        REQUIRE(sa.append(ea.batch(a, 1)) == "");
        REQUIRE(sa.compact(a) == "");
        store::Catchup c = sb.catchUp();
        REQUIRE(c.document);
        CHECK(text(*c.document) == text(a));
        CHECK(sb.seq() == sa.seq());
    }
}

TEST_CASE("team sync stamps are stored with the data: random kill points keep them consistent") {
    // Every durable batch (stamped edits, merges of another replica's changes) comes back with
    // exactly the sync state it had; a kill never leaves data without its stamps or the reverse.
    TempDir t;
    std::mt19937 rng(7);
    const std::string me = "00000000000000aa";
    Workspace start(makeDefaultDocument(kNow));
    start.setReplica(me);
    {
        store::Store s(t.path);
        s.load();
        REQUIRE(s.reset(start.storedDocument()) == "");
    }
    std::string savedText = canonicalText(start.document(), start.syncState());
    SyncState savedState = start.syncState();
    Workspace other(makeDefaultDocument(kNow));  // another replica whose edits get merged in
    other.setReplica("00000000000000bb");
    Time now = kNow;
    int kills = 0, merges = 0;
    store::Options small;
    small.fsync = false;
    small.compactSegments = 6;
    for (int round = 0; round < 60; ++round) {
        CAPTURE(round);
        const int killAt = std::uniform_int_distribution<int>(0, 30)(rng);
        int n = 0;
        store::Options o = small;
        o.crashAt = [&](const std::string&) { return n++ == killAt; };
        store::Store s(t.path, o);
        auto r = s.load();
        REQUIRE(r.kind == store::LoadResult::Kind::Loaded);
        Workspace ws(std::move(*r.document));
        REQUIRE(ws.replica() == me);
        REQUIRE(ws.syncState() == savedState);
        REQUIRE(canonicalText(ws.document(), ws.syncState()) == savedText);
        for (;;) {
            const int what = static_cast<int>(rng() % 5);
            now += 1000;
            const CommandContext ctx{now, "m-me"};
            const std::string id = "d" + std::to_string(rng() % 8);
            if (what == 0) {
                other.perform({{"op", "deal.create"}, {"title", "from b " + std::to_string(now)}}, ctx);
                REQUIRE(ws.applyMerge(merge(ws.document(), ws.syncState(), other.document(), other.syncState())));
                ws.acknowledge();
                ++merges;
            } else if (!ws.document().findDeal(id)) {
                REQUIRE(ws.perform({{"op", "deal.create"}, {"id", id}, {"title", "t"}}, ctx).ok);
            } else if (what == 1) {
                const bool deleted = ws.document().findDeal(id)->deleted;
                REQUIRE(ws.perform({{"op", deleted ? "deal.restore" : "deal.delete"}, {"id", id}}, ctx).ok);
            } else {
                REQUIRE(ws.perform({{"op", "deal.set"}, {"id", id}, {"field", "value"}, {"value", double(rng() % 1000)}}, ctx).ok);
            }
            if (s.append(ws.takeUnsaved()) != "") {
                ++kills;
                break;
            }
            savedText = canonicalText(ws.document(), ws.syncState());
            savedState = ws.syncState();
            if (s.wantsCompaction() && s.compact(ws.storedDocument()) != "") {
                ++kills;
                break;
            }
        }
    }
    CHECK(kills == 60);
    CHECK(merges > 10);
    CHECK(!savedState.records.empty());
}

// [SECTION] A store never deletes what it cannot read (issue #12)

namespace {
std::string readAll(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

// name -> bytes of every file in the directory.
std::map<std::string, std::string> listing(const std::string& dir) {
    std::map<std::string, std::string> out;
    for (auto& e : fs::directory_iterator(dir)) out[e.path().filename().string()] = readAll(e.path().string());
    return out;
}

// Whether some file in `dir` holds exactly `bytes` (under whatever name).
bool kept(const std::string& dir, const std::string& bytes) {
    for (const auto& [name, b] : listing(dir))
        if (b == bytes) return true;
    return false;
}
}  // namespace

TEST_CASE("a segment that cannot be read is moved aside with every segment after it, never deleted") {
    TempDir t;
    Document live = makeDefaultDocument(kNow);
    store::Store s(t.path);
    s.load();
    REQUIRE(s.reset(live) == "");
    Editor ed(7);
    std::vector<std::string> after;
    for (int b = 0; b < 4; ++b) {
        REQUIRE(s.append(ed.batch(live, 3)) == "");
        after.push_back(text(live));
    }
    const std::uint64_t bad = s.seq() - 1;  // the third of four segments
    std::string damaged;
    SUBCASE("checksum") {
        damaged = readAll(t.file(store::segmentName(bad)));
        const auto pos = damaged.find_last_of("0123456789");
        damaged[pos] = damaged[pos] == '9' ? '8' : static_cast<char>(damaged[pos] + 1);
    }
    SUBCASE("replay fails") {
        const std::string body = "[{\"op\":\"deal.set\",\"id\":\"no-such-deal\",\"field\":\"title\",\"value\":\"x\"}]";
        json header = {{"format", "funnel-journal"}, {"version", 1}, {"seq", bad}, {"bytes", body.size()}, {"crc32", store::crc32(body)}};
        damaged = header.dump() + "\n" + body;
    }
    std::ofstream(t.file(store::segmentName(bad)), std::ios::binary | std::ios::trunc) << damaged;
    const std::string later = readAll(t.file(store::segmentName(bad + 1)));

    auto r = reopen(t.path);
    REQUIRE(r.kind == store::LoadResult::Kind::Loaded);
    CHECK(text(*r.document) == after[1]);
    // Both files still exist, byte for byte, out of the journal's way.
    CHECK(kept(t.path, damaged));
    CHECK(kept(t.path, later));
    CHECK_FALSE(fs::exists(t.file(store::segmentName(bad))));
    CHECK_FALSE(fs::exists(t.file(store::segmentName(bad + 1))));
    // A second load finds a clean journal and leaves the kept files alone.
    store::Store s2(t.path);
    auto r2 = s2.load();
    REQUIRE(r2.kind == store::LoadResult::Kind::Loaded);
    CHECK(r2.warnings.empty());
    Document cont = *r2.document;
    REQUIRE(s2.append(ed.batch(cont, 2)) == "");
    CHECK(kept(t.path, damaged));
    CHECK(kept(t.path, later));
}

TEST_CASE("moved-aside files are named in the load result and listed for export") {
    TempDir t;
    Document live = makeDefaultDocument(kNow);
    store::Store s(t.path);
    s.load();
    REQUIRE(s.reset(live) == "");
    Editor ed(8);
    REQUIRE(s.append(ed.batch(live, 2)) == "");
    REQUIRE(s.append(ed.batch(live, 2)) == "");
    truncateFile(t.file(store::segmentName(s.seq() - 1)), 10);
    store::Store s2(t.path);
    auto r = s2.load();
    REQUIRE(r.kind == store::LoadResult::Kind::Loaded);
    REQUIRE(r.aside.size() == 2);
    CHECK(s2.asideFiles() == std::vector<std::string>{"aside-" + store::segmentName(s.seq() - 1), "aside-" + store::segmentName(s.seq())});
    CHECK(r.aside == s2.asideFiles());
}

TEST_CASE("a store holding a newer Funnel's files opens read-only and touches nothing") {
    TempDir t;
    Document live = makeDefaultDocument(kNow);
    store::Store s(t.path);
    s.load();
    REQUIRE(s.reset(live) == "");
    Editor ed(9);
    REQUIRE(s.append(ed.batch(live, 2)) == "");
    const std::string readable = text(live);
    REQUIRE(s.append(ed.batch(live, 2)) == "");
    // The newer build rewrote the last segment in its own format version.
    const std::string body = "[{\"op\":\"something.new\"}]";
    json header = {{"format", "funnel-journal"}, {"version", 99}, {"seq", s.seq()}, {"bytes", body.size()}, {"crc32", store::crc32(body)}};
    std::ofstream(t.file(store::segmentName(s.seq())), std::ios::binary | std::ios::trunc) << header.dump() << "\n" << body;
    std::ofstream(t.file("journal-0000000000000099.tmp")) << "half";  // even its unfinished writes
    const auto before = listing(t.path);

    store::Store old(t.path);
    auto r = old.load();
    REQUIRE(r.kind == store::LoadResult::Kind::Loaded);
    CHECK(text(*r.document) == readable);
    CHECK(r.readOnly);
    CHECK(old.readOnly());
    Document cont = *r.document;
    CHECK(old.append(ed.batch(cont, 1)) == store::Store::kReadOnlyError);
    CHECK(old.compact(cont) == store::Store::kReadOnlyError);
    CHECK(old.reset(cont) == store::Store::kReadOnlyError);
    CHECK(listing(t.path) == before);
}

TEST_CASE("segments are written create-exclusive: a writer behind never replaces another's segment") {
    TempDir t;
    Document live = makeDefaultDocument(kNow);
    store::Store a(t.path), b(t.path);
    a.load();
    REQUIRE(a.reset(live) == "");
    REQUIRE(b.load().kind == store::LoadResult::Kind::Loaded);
    Document docB = live;
    Editor ed(10);
    REQUIRE(b.append(ed.batch(docB, 2)) == "");
    const std::string bSegment = readAll(t.file(store::segmentName(b.seq())));
    // A has not caught up: its append at the same seq must fail, not replace B's save.
    Document docA = live;
    CHECK_FALSE(a.append(ed.batch(docA, 2)).empty());
    CHECK(readAll(t.file(store::segmentName(b.seq()))) == bSegment);

    SUBCASE("an unreadable segment is kept aside by catchUp, and the next append takes the seq") {
        std::ofstream(t.file(store::segmentName(b.seq() + 1)), std::ios::binary) << "garbage, not a segment";
        store::Catchup c = a.catchUp();
        CHECK(c.segments.size() == 1);
        CHECK_FALSE(c.warnings.empty());
        Document docA2 = docB;
        REQUIRE(a.append(ed.batch(docA2, 1)) == "");
        CHECK(kept(t.path, "garbage, not a segment"));
        auto r = reopen(t.path);
        REQUIRE(r.kind == store::LoadResult::Kind::Loaded);
        CHECK(text(*r.document) == text(docA2));
    }
}
