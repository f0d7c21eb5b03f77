// Funnel — unit tests of the team sync engine (core/team_sync) against a fake server: create on
// 404, two replicas converging, 412 races, 500s, timeouts, truncated and foreign bodies, weak
// ETags, a PUT answered 2xx that did not land, Apache's PUT without ETag, backoff with jitter.
#include <doctest/doctest.h>

#include <cstdlib>
#include <functional>
#include <memory>
#include <random>
#include <set>
#include <optional>
#include <string>
#include <vector>

#include "core/codec.h"
#include "core/merge.h"
#include "core/team_sync.h"
#include "core/workspace.h"

using namespace funnel;

namespace {
const Time kT0 = 1'780'000'000'000;  // 2026-05-28
const std::string kA = "00000000000000aa", kB = "00000000000000bb", kC = "00000000000000cc";

std::string header(const TeamSyncRequest& r, const std::string& name) {
    for (const auto& [k, v] : r.headers)
        if (k == name) return v;
    return "";
}

// A team file at one URL, with the habits of real servers switchable.
struct FakeServer {
    std::optional<std::string> text;
    int version = 0;
    int gets = 0, puts = 0;
    int weakGets = 0;             // the next N GETs answer a weak tag (Apache right after a write)
    int dropPuts = 0;             // the next N PUTs answer 204 and are lost (racing Apache writers)
    bool etagOnPut = true;        // Apache: false
    std::function<std::optional<TeamSyncResponse>(const TeamSyncRequest&)> fault;  // answers instead when set
    std::vector<TeamSyncRequest> log;

    std::string etag() const { return "\"v" + std::to_string(version) + "\""; }

    TeamSyncResponse handle(const TeamSyncRequest& r) {
        log.push_back(r);
        if (fault)
            if (auto o = fault(r)) return *o;
        TeamSyncResponse res;
        if (r.method == "GET") {
            ++gets;
            if (!text) return res.status = 404, res;
            if (header(r, "If-None-Match") == etag()) return res.status = 304, res.etag = etag(), res;
            res.status = 200;
            res.body = *text;
            res.etag = weakGets > 0 ? (--weakGets, "W/" + etag()) : etag();
            return res;
        }
        ++puts;
        const std::string ifMatch = header(r, "If-Match"), ifNone = header(r, "If-None-Match");
        const bool ok = ifNone == "*" ? !text.has_value() : (text && ifMatch == etag());
        if (!ok) return res.status = 412, res;
        res.status = text ? 204 : 201;
        if (dropPuts > 0) {
            --dropPuts;
            return res;
        }
        text = r.body;
        ++version;
        if (etagOnPut) res.etag = etag();
        return res;
    }
};

CommandContext at(Time t) { return CommandContext{t, "m-me"}; }

struct Device {
    Workspace ws{makeDefaultDocument(0)};
    TeamSync sync;
    explicit Device(const std::string& replica, TeamSyncOptions o = {}) {
        ws.setReplica(replica);
        o.url = "http://team.example/sync/t.json";
        if (!o.random) o.random = [] { return 0.5; };
        sync.setOptions(o);
    }
    void edit(const json& cmd, Time t) {
        CommandResult r = ws.perform(cmd, at(t));
        REQUIRE_MESSAGE(r.ok, r.error);
    }
    std::string bytes() const { return canonicalText(ws.document(), ws.syncState()); }
};

// Runs one sync to the end; time advances 5 ms per request and jumps to each wake-up.
const TeamSyncStatus& runSync(Device& d, FakeServer& s, Time& now) {
    REQUIRE(d.sync.start(now));
    int guard = 0;
    while (d.sync.busy() && ++guard < 1000) {
        if (auto req = d.sync.nextRequest(now)) {
            TeamSyncResponse res = s.handle(*req);
            d.sync.receive(res, d.ws, now);
            now += 5;
        } else {
            REQUIRE(d.sync.wakeAt() > now);
            now = d.sync.wakeAt();
        }
    }
    REQUIRE(!d.sync.busy());
    if (d.sync.status().outcome != TeamSyncOutcome::Synced) MESSAGE("sync: " << d.sync.status().errorDetail);
    return d.sync.status();
}

Document serverDocument(const FakeServer& s) {
    REQUIRE(s.text);
    DecodeResult r = decodeDocument(*s.text);
    REQUIRE_MESSAGE(r.ok, r.error);
    return r.document;
}
}  // namespace

TEST_CASE("engine: a missing team file is created with If-None-Match: * and confirmed") {
    FakeServer s;
    Device a(kA);
    a.edit({{"op", "deal.create"}, {"id", "d1"}, {"title", "First"}}, kT0);
    Time now = kT0 + 100;
    const TeamSyncStatus& st = runSync(a, s, now);
    CHECK(st.outcome == TeamSyncOutcome::Synced);
    CHECK(st.phase == TeamSyncPhase::Idle);
    CHECK(st.attempts == 1);
    CHECK(st.lastSyncedAt >= kT0 + 100);
    REQUIRE(s.log.size() == 3);
    CHECK(s.log[0].method == "GET");
    CHECK(s.log[1].method == "PUT");
    CHECK(header(s.log[1], "If-None-Match") == "*");
    CHECK(header(s.log[1], "If-Match").empty());
    CHECK(header(s.log[2], "If-None-Match") == s.etag());  // confirmed by a 304, no download
    CHECK(serverDocument(s).findDeal("d1"));
    // The body is the document with its state, byte for byte what joinSync + encode would write.
    CHECK(s.log[1].body == encodeDocumentText(joinSync(a.ws.document(), a.ws.syncState())));
    CHECK(st.etag == s.etag());
    // Nothing new: one GET, no PUT.
    const int puts = s.puts;
    CHECK(runSync(a, s, now).outcome == TeamSyncOutcome::Synced);
    CHECK(s.puts == puts);
}

TEST_CASE("engine: three replicas edit offline, sync in turns and end identical") {
    FakeServer s;
    Device a(kA), b(kB), c(kC);
    Time now = kT0;
    a.edit({{"op", "deal.create"}, {"id", "d1"}, {"title", "Shared"}}, now);
    runSync(a, s, now);
    runSync(b, s, now);
    runSync(c, s, now);
    a.edit({{"op", "deal.set"}, {"id", "d1"}, {"field", "value"}, {"value", 100}}, now += 1000);
    b.edit({{"op", "deal.set"}, {"id", "d1"}, {"field", "title"}, {"value", "Renamed by B"}}, now += 1000);
    c.edit({{"op", "deal.objection.add"}, {"dealId", "d1"}, {"id", "o1"}, {"text", "Too slow"}}, now += 1000);
    c.edit({{"op", "deal.set"}, {"id", "d1"}, {"field", "title"}, {"value", "Renamed by C"}}, now += 1000);
    for (Device* d : {&b, &a, &c}) CHECK(runSync(*d, s, now).outcome == TeamSyncOutcome::Synced);
    for (Device* d : {&a, &b, &c}) CHECK(runSync(*d, s, now).outcome == TeamSyncOutcome::Synced);
    CHECK(a.bytes() == b.bytes());
    CHECK(b.bytes() == c.bytes());
    const Deal* d1 = a.ws.document().findDeal("d1");
    REQUIRE(d1);
    CHECK(d1->value == 100);
    CHECK(d1->title == "Renamed by C");
    CHECK(d1->objections.size() == 1);
    CHECK(a.sync.status().openConflicts == 1);  // B's title is in the log
    CHECK(c.sync.status().changesIn == 0);
}

TEST_CASE("engine: a 412 race backs off with jitter and retries from GET") {
    FakeServer s;
    TeamSyncOptions o;
    o.random = [] { return 0.0; };  // the shortest wait: half the backoff
    Device a(kA), b(kB, o);
    Time now = kT0;
    a.edit({{"op", "deal.create"}, {"id", "d1"}, {"title", "A"}}, now);
    runSync(a, s, now);
    runSync(b, s, now);
    a.edit({{"op", "deal.create"}, {"id", "d2"}, {"title", "A2"}}, now += 10);
    b.edit({{"op", "deal.create"}, {"id", "d3"}, {"title", "B3"}}, now += 10);
    // Both GET, A writes first, B's PUT meets a new ETag.
    REQUIRE(a.sync.start(now));
    REQUIRE(b.sync.start(now));
    auto step = [&](Device& d) { d.sync.receive(s.handle(*d.sync.nextRequest(now)), d.ws, now); };
    step(a);  // GET
    step(b);  // GET
    step(a);  // PUT → 204
    step(b);  // PUT → 412
    CHECK(s.log.back().method == "PUT");
    CHECK(b.sync.status().phase == TeamSyncPhase::WaitingRetry);
    CHECK(b.sync.status().errorKey == "sync.error.server");
    CHECK(b.sync.wakeAt() == now + 250);  // base 500, random 0 → 250
    CHECK(!b.sync.nextRequest(now));
    now = b.sync.wakeAt();
    while (b.sync.busy()) step(b);
    CHECK(b.sync.status().outcome == TeamSyncOutcome::Synced);
    CHECK(b.sync.status().attempts == 2);
    while (a.sync.busy()) step(a);
    runSync(a, s, now);
    CHECK(a.bytes() == b.bytes());
    for (const char* id : {"d1", "d2", "d3"}) CHECK(serverDocument(s).findDeal(id));
}

TEST_CASE("engine: backoff doubles up to the cap, the random source places the wait") {
    FakeServer s;
    s.fault = [](const TeamSyncRequest&) { return std::optional<TeamSyncResponse>(TeamSyncResponse{TeamSyncResponse::Kind::Answer, 503, "", "", ""}); };
    TeamSyncOptions o;
    o.maxAttempts = 6;
    o.backoffBaseMs = 1000;
    o.backoffMaxMs = 4000;
    double r = 0.999;
    o.random = [&] { return r; };
    Device a(kA, o);
    Time now = kT0;
    REQUIRE(a.sync.start(now));
    std::vector<Time> waits;
    while (a.sync.busy()) {
        if (auto req = a.sync.nextRequest(now)) {
            a.sync.receive(s.handle(*req), a.ws, now);
            if (a.sync.busy()) waits.push_back(a.sync.wakeAt() - now);
        } else {
            now = a.sync.wakeAt();
        }
    }
    REQUIRE(waits.size() == 5);
    CHECK(waits[0] >= 998);  // [500, 1000)
    CHECK(waits[0] < 1000);
    CHECK(waits[1] >= 1996);
    CHECK(waits[2] >= 3992);
    CHECK(waits[3] < 4000);  // capped
    CHECK(a.sync.status().outcome == TeamSyncOutcome::GaveUp);
    CHECK(a.sync.status().phase == TeamSyncPhase::Error);
    CHECK(a.sync.status().attempts == 6);
    CHECK(a.sync.status().errorKey == "sync.error.server");
    CHECK(s.gets == 0);  // every GET was answered by the fault
}

TEST_CASE("engine: 500s then success; timeouts and network errors give up as offline") {
    FakeServer s;
    int failures = 2;
    s.fault = [&](const TeamSyncRequest&) -> std::optional<TeamSyncResponse> {
        if (failures-- > 0) return TeamSyncResponse{TeamSyncResponse::Kind::Answer, 500, "", "", ""};
        return std::nullopt;
    };
    Device a(kA);
    a.edit({{"op", "deal.create"}, {"id", "d1"}, {"title", "A"}}, kT0);
    Time now = kT0;
    CHECK(runSync(a, s, now).outcome == TeamSyncOutcome::Synced);
    CHECK(a.sync.status().attempts == 3);

    s.fault = [](const TeamSyncRequest& r) -> std::optional<TeamSyncResponse> {
        return TeamSyncResponse{r.method == "GET" ? TeamSyncResponse::Kind::Timeout : TeamSyncResponse::Kind::NetworkError, 0, "", "", "refused"};
    };
    a.edit({{"op", "deal.set"}, {"id", "d1"}, {"field", "title"}, {"value", "offline edit"}}, now);
    const std::string before = *s.text;
    const TeamSyncStatus& st = runSync(a, s, now);
    CHECK(st.outcome == TeamSyncOutcome::GaveUp);
    CHECK(st.phase == TeamSyncPhase::Offline);
    CHECK(st.errorKey == "sync.error.timeout");
    CHECK(*s.text == before);
    CHECK(a.ws.document().findDeal("d1")->title == "offline edit");
    // Back online: the queued edit goes out.
    s.fault = nullptr;
    CHECK(runSync(a, s, now).outcome == TeamSyncOutcome::Synced);
    CHECK(serverDocument(s).findDeal("d1")->title == "offline edit");
}

TEST_CASE("engine: a truncated or foreign team file is refused: nothing merged, nothing written, text kept") {
    for (const std::string kind : {"truncated", "foreign", "damaged sync"}) {
        CAPTURE(kind);
        FakeServer s;
        Device a(kA), b(kB);
        Time now = kT0;
        a.edit({{"op", "deal.create"}, {"id", "d1"}, {"title", "A"}}, now);
        runSync(a, s, now);
        b.edit({{"op", "deal.create"}, {"id", "d2"}, {"title", "B"}}, now);
        if (kind == "truncated") s.text = s.text->substr(0, s.text->size() / 2);
        else if (kind == "foreign") s.text = R"({"hello": "world", "items": [1, 2, 3]})";
        else {
            json j = json::parse(*s.text);
            j["sync"]["replicas"] = {{"not-a-replica", "yesterday"}};
            s.text = j.dump();
        }
        const std::string remote = *s.text;
        const std::string local = b.bytes();
        b.ws.takeUnsaved();
        const int puts = s.puts;
        const TeamSyncStatus& st = runSync(b, s, now);
        CHECK(st.outcome == TeamSyncOutcome::BadRemote);
        CHECK(st.phase == TeamSyncPhase::Error);
        CHECK(st.errorKey == "sync.error.bad_remote");
        CHECK(!st.errorDetail.empty());
        CHECK(st.attempts == 1);
        CHECK(s.puts == puts);
        CHECK(*s.text == remote);
        CHECK(b.bytes() == local);
        CHECK(!b.ws.hasUnsaved());
        CHECK(b.sync.takeRejectedRemote() == remote);
        CHECK(!b.sync.takeRejectedRemote());
    }
}

TEST_CASE("engine: a weak ETag is never sent in If-Match: GET again after a short wait") {
    FakeServer s;
    Device a(kA);
    Time now = kT0;
    a.edit({{"op", "deal.create"}, {"id", "d1"}, {"title", "A"}}, now);
    runSync(a, s, now);
    a.edit({{"op", "deal.create"}, {"id", "d2"}, {"title", "A2"}}, now);
    s.weakGets = 2;
    const Time started = now;
    const TeamSyncStatus& st = runSync(a, s, now);
    CHECK(st.outcome == TeamSyncOutcome::Synced);
    CHECK(st.attempts == 1);
    CHECK(now - started >= 2 * 1100);
    for (const auto& r : s.log)
        if (r.method == "PUT") CHECK(header(r, "If-Match").rfind("W/", 0) != 0);
    CHECK(serverDocument(s).findDeal("d2"));
}

TEST_CASE("engine: a PUT answered 2xx that did not land is not counted as synced") {
    FakeServer s;
    s.etagOnPut = false;  // Apache: no ETag on PUT, so the confirmation is a full GET
    Device a(kA);
    Time now = kT0;
    a.edit({{"op", "deal.create"}, {"id", "d1"}, {"title", "A"}}, now);
    runSync(a, s, now);
    a.edit({{"op", "deal.create"}, {"id", "d2"}, {"title", "lost once"}}, now);
    s.dropPuts = 1;
    const TeamSyncStatus& st = runSync(a, s, now);
    CHECK(st.outcome == TeamSyncOutcome::Synced);
    CHECK(st.attempts == 2);
    int puts = 0;
    for (const auto& r : s.log) puts += r.method == "PUT";
    CHECK(puts == 3);  // create, the lost one, the retry
    CHECK(serverDocument(s).findDeal("d2"));

    // Lost every time: gives up, and says so.
    a.edit({{"op", "deal.create"}, {"id", "d3"}, {"title", "always lost"}}, now);
    s.dropPuts = 100;
    const TeamSyncStatus& lost = runSync(a, s, now);
    CHECK(lost.outcome == TeamSyncOutcome::GaveUp);
    CHECK(!serverDocument(s).findDeal("d3"));
}

TEST_CASE("engine: credentials refused or a request refused stop at once; one sync at a time") {
    FakeServer s;
    s.fault = [](const TeamSyncRequest& r) -> std::optional<TeamSyncResponse> {
        if (header(r, "Authorization") != "Basic YWxpY2U6c2VjcmV0") return TeamSyncResponse{TeamSyncResponse::Kind::Answer, 401, "", "", ""};
        if (r.method == "PUT") return TeamSyncResponse{TeamSyncResponse::Kind::Answer, 413, "", "", ""};
        return std::nullopt;
    };
    Device a(kA);
    Time now = kT0;
    const TeamSyncStatus& st = runSync(a, s, now);
    CHECK(st.outcome == TeamSyncOutcome::Failed);
    CHECK(st.errorKey == "sync.error.auth");
    CHECK(st.attempts == 1);
    TeamSyncOptions o = a.sync.options();
    o.authorization = basicAuthorization("alice", "secret");
    a.sync.setOptions(o);
    CHECK(runSync(a, s, now).errorKey == "sync.error.refused");
    REQUIRE(a.sync.start(now));
    CHECK(!a.sync.start(now));
    CHECK(phaseName(a.sync.status().phase) == std::string("syncing"));
    a.sync.cancel();
    CHECK(!a.sync.busy());
}

TEST_CASE("engine: clock skew of an hour does not hide a slow device's later edit") {
    FakeServer s;
    Device fast(kA), slow(kB);
    slow.ws.setClockSkew(-3'600'000);
    Time now = kT0;
    fast.edit({{"op", "deal.create"}, {"id", "d1"}, {"title", "fast"}}, now);
    runSync(fast, s, now);
    runSync(slow, s, now);
    slow.edit({{"op", "deal.set"}, {"id", "d1"}, {"field", "title"}, {"value", "slow, later"}}, now += 1000);
    runSync(slow, s, now);
    runSync(fast, s, now);
    CHECK(fast.ws.document().findDeal("d1")->title == "slow, later");
    CHECK(fast.bytes() == slow.bytes());
}

namespace {
SyncState putState(const TeamSyncRequest& put) {
    DecodeResult d = decodeDocument(std::string_view(put.body));
    REQUIRE_MESSAGE(d.ok, d.error);
    SyncState st;
    std::string error;
    REQUIRE_MESSAGE(splitSync(d.document, st, error), error);
    return st;
}

const TeamSyncRequest* lastPut(const FakeServer& s) {
    for (auto it = s.log.rbegin(); it != s.log.rend(); ++it)
        if (it->method == "PUT") return &*it;
    return nullptr;
}
}  // namespace

TEST_CASE("engine: old tombstones all listed replicas merged leave the PUT body; young or unseen stay") {
    FakeServer s;
    Device a(kA), b(kB), c(kC);
    Time now = kT0;
    a.edit({{"op", "deal.create"}, {"id", "d1"}, {"title", "Shared"}}, now);
    for (const char* o : {"o1", "o2", "o3"})
        a.edit({{"op", "deal.objection.add"}, {"dealId", "d1"}, {"id", o}, {"text", o}}, now += 10);
    for (Device* d : {&a, &b, &c}) REQUIRE(runSync(*d, s, now).outcome == TeamSyncOutcome::Synced);
    const std::string old = "objection:d1/o1", unseen = "objection:d1/o2", young = "objection:d1/o3";

    // o1 goes; every replica merges it (and writes, so the team file lists what each has merged).
    a.edit({{"op", "deal.objection.remove"}, {"dealId", "d1"}, {"id", "o1"}}, now += 1000);
    REQUIRE(runSync(a, s, now).outcome == TeamSyncOutcome::Synced);
    b.edit({{"op", "deal.set"}, {"id", "d1"}, {"field", "value"}, {"value", 1}}, now += 1000);
    REQUIRE(runSync(b, s, now).outcome == TeamSyncOutcome::Synced);
    c.edit({{"op", "deal.set"}, {"id", "d1"}, {"field", "probability"}, {"value", 20}}, now += 1000);
    REQUIRE(runSync(c, s, now).outcome == TeamSyncOutcome::Synced);
    // o2 goes; C does not sync again: its entry in `replicas` stays older than this tombstone.
    a.edit({{"op", "deal.objection.remove"}, {"dealId", "d1"}, {"id", "o2"}}, now += 1000);
    REQUIRE(runSync(a, s, now).outcome == TeamSyncOutcome::Synced);
    REQUIRE(runSync(b, s, now).outcome == TeamSyncOutcome::Synced);
    // o3 goes 85 days later; A and B merge it.
    now += 85 * kMsPerDay;
    a.edit({{"op", "deal.objection.remove"}, {"dealId", "d1"}, {"id", "o3"}}, now);
    REQUIRE(runSync(a, s, now).outcome == TeamSyncOutcome::Synced);
    b.edit({{"op", "deal.set"}, {"id", "d1"}, {"field", "value"}, {"value", 2}}, now += 1000);
    REQUIRE(runSync(b, s, now).outcome == TeamSyncOutcome::Synced);
    for (const std::string& key : {old, unseen, young}) CHECK(putState(*lastPut(s)).gone.count(key) == 1);

    // 91 days after o1 went: A's next PUT drops o1 only.
    now = kT0 + 91 * kMsPerDay;
    a.edit({{"op", "deal.set"}, {"id", "d1"}, {"field", "title"}, {"value", "Later"}}, now);
    const int puts = s.puts;
    REQUIRE(runSync(a, s, now).outcome == TeamSyncOutcome::Synced);
    REQUIRE(s.puts == puts + 1);
    const SyncState sent = putState(*lastPut(s));
    CHECK(sent.gone.count(old) == 0);
    CHECK(sent.records.count(old) == 0);
    CHECK(sent.gone.count(unseen) == 1);  // C has not merged it
    CHECK(sent.gone.count(young) == 1);   // 6 days old
    CHECK(a.ws.syncState().gone.count(old) == 0);
    CHECK(encodeSyncState(sent).dump() == encodeSyncState(a.ws.syncState()).dump());  // A keeps what it sent

    // B still holds o1's tombstone; merging brings it back only until B purges it as well, and
    // its PUT leaves it out again: the team file does not grow back.
    b.edit({{"op", "deal.set"}, {"id", "d1"}, {"field", "value"}, {"value", 3}}, now += 1000);
    REQUIRE(runSync(b, s, now).outcome == TeamSyncOutcome::Synced);
    CHECK(putState(*lastPut(s)).gone.count(old) == 0);
    CHECK(b.ws.syncState().gone.count(old) == 0);
    // Once C merges o2 and writes, o2 goes too at the next sync that is 91 days after it.
    c.edit({{"op", "deal.set"}, {"id", "d1"}, {"field", "probability"}, {"value", 30}}, now += 1000);
    REQUIRE(runSync(c, s, now).outcome == TeamSyncOutcome::Synced);
    REQUIRE(runSync(a, s, now).outcome == TeamSyncOutcome::Synced);
    CHECK(putState(*lastPut(s)).gone.count(unseen) == 0);
    CHECK(putState(*lastPut(s)).gone.count(young) == 1);
    CHECK(a.ws.document().findDeal("d1")->objections.empty());
}

// [SECTION] Hostile team files (issue #12): stamps from the future, stamps a replica never issued

namespace {
// The server's file with `change` applied to its JSON form (what a token holder can PUT).
void tamper(FakeServer& s, const std::function<void(json&)>& change) {
    REQUIRE(s.text);
    json j = json::parse(*s.text);
    change(j);
    s.text = dumpJson(j);
    ++s.version;
}

const std::string kEvil = "00000000000000ee";
std::string evilStamp(Time wall, int counter = 0) { return formatStamp(wall, std::uint32_t(counter), kEvil); }

// Every stamp of a state is well formed (what a reload's replay needs).
bool allStamps(const SyncState& st) {
    for (const auto& [r, stamp] : st.replicas)
        if (!isStamp(stamp)) return false;
    for (const auto& [key, rs] : st.records) {
        if (!isStamp(rs.created)) return false;
        for (const auto& [f, fs] : rs.fields)
            if (!isStamp(fs.stamp)) return false;
    }
    return true;
}
}  // namespace

TEST_CASE("engine: a team file with a stamp from the year 9999 is refused and the clock keeps working") {
    FakeServer s;
    Device a(kA), b(kB);
    Time now = kT0;
    a.edit({{"op", "deal.create"}, {"id", "d1"}, {"title", "Shared"}}, now);
    REQUIRE(runSync(a, s, now).outcome == TeamSyncOutcome::Synced);
    REQUIRE(runSync(b, s, now).outcome == TeamSyncOutcome::Synced);
    const std::string before = b.bytes();
    tamper(s, [](json& j) { j["sync"]["replicas"][kEvil] = evilStamp(kMaxStampWall, 0xffff); });
    const TeamSyncStatus& st = runSync(b, s, now);
    CHECK(st.outcome == TeamSyncOutcome::BadRemote);
    CHECK(st.errorDetail.find("ahead") != std::string::npos);
    CHECK(b.bytes() == before);  // nothing merged
    // Later local edits get valid stamps (on the old code the clock ran past the year 9999).
    b.edit({{"op", "deal.set"}, {"id", "d1"}, {"field", "title"}, {"value", "B"}}, now += 1000);
    CHECK(allStamps(b.ws.syncState()));
    CHECK(b.ws.syncState().replicas.count(kEvil) == 0);
}

TEST_CASE("engine: a field stamped a year ahead cannot beat later local edits: the file is refused") {
    FakeServer s;
    Device a(kA), b(kB);
    Time now = kT0;
    a.edit({{"op", "deal.create"}, {"id", "d1"}, {"title", "Shared"}}, now);
    REQUIRE(runSync(a, s, now).outcome == TeamSyncOutcome::Synced);
    REQUIRE(runSync(b, s, now).outcome == TeamSyncOutcome::Synced);
    const Time year = 365 * kMsPerDay;
    SUBCASE("its replica's entry a year ahead too") {
        tamper(s, [&](json& j) {
            j["sync"]["replicas"][kEvil] = evilStamp(now + year);
            j["sync"]["records"]["deal:d1"]["f"]["title"] = json::array({evilStamp(now + year)});
            j["deals"][0]["title"] = "hijacked";
        });
    }
    SUBCASE("a stamp after its replica's entry") {
        tamper(s, [&](json& j) {
            j["sync"]["replicas"][kEvil] = evilStamp(now);
            j["sync"]["records"]["deal:d1"]["f"]["title"] = json::array({evilStamp(now + year)});
            j["deals"][0]["title"] = "hijacked";
        });
    }
    SUBCASE("a stamp of a replica that is not listed") {
        tamper(s, [&](json& j) {
            j["sync"]["records"]["deal:d1"]["f"]["title"] = json::array({evilStamp(now + year)});
            j["deals"][0]["title"] = "hijacked";
        });
    }
    SUBCASE("a base newer than its own version (covering what came later)") {
        tamper(s, [&](json& j) {
            j["sync"]["replicas"][kEvil] = evilStamp(now);
            j["sync"]["records"]["deal:d1"]["f"]["title"] = json::array({evilStamp(now - 1000), json{{kA, j["sync"]["replicas"][kA]}}});
            j["sync"]["replicas"][kA] = formatStamp(now + 5000, 0, kA);
            j["sync"]["records"]["deal:d1"]["f"]["title"][1][kA] = formatStamp(now + 5000, 0, kA);
            j["deals"][0]["title"] = "hijacked";
        });
    }
    const TeamSyncStatus& st = runSync(b, s, now);
    CHECK(st.outcome == TeamSyncOutcome::BadRemote);
    CHECK(b.ws.document().findDeal("d1")->title == "Shared");
    b.edit({{"op", "deal.set"}, {"id", "d1"}, {"field", "title"}, {"value", "B, later"}}, now += 1000);
    CHECK(b.ws.document().findDeal("d1")->title == "B, later");
}

TEST_CASE("clock: tick fails loudly at the end of time, and a workspace refuses edits it cannot stamp") {
    Clock c("00000000000000aa");
    c.observe(formatStamp(kMaxStampWall, 0xfffe, "00000000000000bb"));
    REQUIRE(c.canTick(kT0));
    const std::optional<std::string> last = c.tick(kT0);
    REQUIRE(last);
    CHECK(isStamp(*last));
    CHECK_FALSE(c.canTick(kT0));
    CHECK_FALSE(c.tick(kT0).has_value());
    CHECK_FALSE(c.tick(kMaxStampWall + 10).has_value());
    CHECK(c.last() == *last);

    // A stored document whose state already holds such a stamp (written before this check).
    Workspace ws{makeDefaultDocument(0)};
    ws.setReplica(kA);
    Document stored = ws.storedDocument();
    SyncState st;
    st.replicas["00000000000000bb"] = formatStamp(kMaxStampWall, 0xffff, "00000000000000bb");
    ws.reset(joinStored(ws.document(), st, kA));
    const std::string text = ws.storedText();
    CommandResult r = ws.perform({{"op", "deal.create"}, {"title", "x"}, {"customerId", ""}}, at(kT0));
    CHECK_FALSE(r.ok);
    CHECK(r.error == Workspace::kClockError);
    CHECK(ws.storedText() == text);
}

// [SECTION] Honest tombstone loss (issue #12): 100 simulated days, three replicas

TEST_CASE("engine: a removal made offline on day 0 neither loses day 50's edit nor purges on day 100") {
    FakeServer s;
    Device a(kA), b(kB), c(kC);
    Time now = kT0;
    a.edit({{"op", "deal.create"}, {"id", "d1"}, {"title", "Shared"}}, now);
    for (const char* o : {"o1", "o2", "o3"})
        a.edit({{"op", "deal.objection.add"}, {"dealId", "d1"}, {"id", o}, {"text", std::string("text ") + o}}, now += 10);
    for (Device* d : {&a, &b, &c}) REQUIRE(runSync(*d, s, now).outcome == TeamSyncOutcome::Synced);
    const std::string o1 = "objection:d1/o1", o2 = "objection:d1/o2", o3 = "objection:d1/o3";

    // Day 0: A removes o1 and o2 and stays offline.
    a.edit({{"op", "deal.objection.remove"}, {"dealId", "d1"}, {"id", "o1"}}, now += 1000);
    a.edit({{"op", "deal.objection.remove"}, {"dealId", "d1"}, {"id", "o2"}}, now += 1000);
    // Day 50: B edits o1. Day 60: C syncs (so every listed replica is past A's removals).
    now = kT0 + 50 * kMsPerDay;
    b.edit({{"op", "deal.objection.set"}, {"dealId", "d1"}, {"id", "o1"}, {"field", "text"}, {"value", "B's day-50 edit"}}, now);
    REQUIRE(runSync(b, s, now).outcome == TeamSyncOutcome::Synced);
    now = kT0 + 60 * kMsPerDay;
    c.edit({{"op", "deal.set"}, {"id", "d1"}, {"field", "title"}, {"value", "C"}}, now);
    REQUIRE(runSync(c, s, now).outcome == TeamSyncOutcome::Synced);

    // Day 100: A syncs. Both tombstones are 100 days old, yet neither goes in this sync.
    now = kT0 + 100 * kMsPerDay;
    REQUIRE(runSync(a, s, now).outcome == TeamSyncOutcome::Synced);
    const SyncState sent = putState(*lastPut(s));
    REQUIRE(sent.gone.count(o1) == 1);
    CHECK(sent.gone.at(o1).at("text") == "B's day-50 edit");  // B's edit is kept, not purged
    CHECK(sent.gone.count(o2) == 1);                          // never purged by the sync that brought it
    CHECK(a.sync.status().openConflicts == 1);                // o1: restore it or keep it removed
    // Every replica sees o1 as a conflict to review.
    REQUIRE(runSync(b, s, now).outcome == TeamSyncOutcome::Synced);
    REQUIRE(runSync(c, s, now).outcome == TeamSyncOutcome::Synced);
    const std::vector<ConflictChoice> choices = conflictChoices(b.ws.document(), b.ws.syncState());
    REQUIRE(choices.size() == 1);
    CHECK(choices[0].logged.key == o1);
    CHECK(choices[0].logged.field == "~gone");

    // Day 150: C edits, and everyone syncs: each replica's entry passes the newest stamp A knew
    // when it first held the tombstones, the proof that it has merged them (GoneMark).
    now = kT0 + 150 * kMsPerDay;
    for (Device* d : {&c, &a, &b}) {
        REQUIRE(runSync(*d, s, now += 1000).outcome == TeamSyncOutcome::Synced);
        d->edit({{"op", "deal.set"}, {"id", "d1"}, {"field", "title"}, {"value", d->ws.replica() + ", day 150"}}, now += 1000);
        REQUIRE(runSync(*d, s, now += 1000).outcome == TeamSyncOutcome::Synced);
    }
    // Day 195: 95 days after A first held them. o2 goes; o1 stays while nobody has decided.
    now = kT0 + 195 * kMsPerDay;
    for (Device* d : {&a, &b, &c}) REQUIRE(runSync(*d, s, now).outcome == TeamSyncOutcome::Synced);
    CHECK(putState(*lastPut(s)).gone.count(o2) == 0);
    CHECK(putState(*lastPut(s)).gone.count(o1) == 1);

    // B restores its edit from the conflicts panel; everybody gets it back.
    REQUIRE(b.ws.resolve(o1, "~gone", false, now += 1000));
    for (Device* d : {&b, &a, &c}) REQUIRE(runSync(*d, s, now).outcome == TeamSyncOutcome::Synced);
    for (Device* d : {&a, &b, &c}) {
        const Deal* deal = d->ws.document().findDeal("d1");
        REQUIRE(deal);
        const Objection* o = nullptr;
        for (const Objection& x : deal->objections)
            if (x.id == "o1") o = &x;
        REQUIRE(o);
        CHECK(o->text == "B's day-50 edit");
        CHECK(d->sync.status().openConflicts == 0);
    }

    // A crafted tombstone stamped on day 1, base covering the record's creation: o3 is removed
    // (anyone with the token may remove), but it stays restorable and is not purged by that sync.
    const std::string created = c.ws.syncState().records.at(o3).created;
    tamper(s, [&](json& j) {
        j["sync"]["replicas"][kEvil] = evilStamp(kT0 + kMsPerDay);
        j["sync"]["records"][o3]["f"]["~gone"] = json::array({evilStamp(kT0 + kMsPerDay), json{{kA, created}}});
        json& objections = j["deals"][0]["objections"];
        for (std::size_t i = 0; i < objections.size(); ++i)
            if (objections[i]["id"] == "o3") {
                json fields = objections[i];
                fields.erase("id");
                j["sync"]["gone"][o3] = fields;
                objections.erase(i);
                break;
            }
    });
    REQUIRE(runSync(c, s, now += 1000).outcome == TeamSyncOutcome::Synced);
    CHECK(c.ws.syncState().gone.count(o3) == 1);
    CHECK(putState(*lastPut(s)).gone.count(o3) == 1);
}

TEST_CASE("engine: a replica whose clock ran past a removal before it reached the team file has not merged it") {
    // Day 0: A removes o1 offline. Day 10: B syncs (the team file has no removal yet, but B's
    // entry is now later than A's removal stamp) and goes offline; day 20 B edits o1. Day 30: A
    // syncs the removal. Days 125 and 130: A and C sync, 95 days after they first held it. B is
    // still away: the tombstone must stay, or B's return brings o1 back with no word of the
    // removal (and A's decision is lost without anyone seeing a conflict).
    FakeServer s;
    Device a(kA), b(kB), c(kC);
    Time now = kT0;
    a.edit({{"op", "deal.create"}, {"id", "d1"}, {"title", "Shared"}}, now);
    a.edit({{"op", "deal.objection.add"}, {"dealId", "d1"}, {"id", "o1"}, {"text", "price"}}, now += 10);
    for (Device* d : {&a, &b, &c}) REQUIRE(runSync(*d, s, now).outcome == TeamSyncOutcome::Synced);
    const std::string o1 = "objection:d1/o1";

    a.edit({{"op", "deal.objection.remove"}, {"dealId", "d1"}, {"id", "o1"}}, now += 1000);
    now = kT0 + 10 * kMsPerDay;
    b.edit({{"op", "deal.set"}, {"id", "d1"}, {"field", "title"}, {"value", "B, day 10"}}, now);
    REQUIRE(runSync(b, s, now).outcome == TeamSyncOutcome::Synced);
    REQUIRE(s.text);
    const std::string removal = a.ws.syncState().records.at(o1).fields.at("~gone").stamp;
    REQUIRE(putState(*lastPut(s)).replicas.at(kB) > removal);  // B's entry is past the removal's stamp
    now = kT0 + 20 * kMsPerDay;
    b.edit({{"op", "deal.objection.set"}, {"dealId", "d1"}, {"id", "o1"}, {"field", "text"}, {"value", "B's day-20 edit"}}, now);

    now = kT0 + 30 * kMsPerDay;
    REQUIRE(runSync(a, s, now).outcome == TeamSyncOutcome::Synced);
    REQUIRE(runSync(c, s, now += 1000).outcome == TeamSyncOutcome::Synced);
    now = kT0 + 125 * kMsPerDay;
    REQUIRE(runSync(a, s, now).outcome == TeamSyncOutcome::Synced);
    REQUIRE(runSync(c, s, now += 1000).outcome == TeamSyncOutcome::Synced);
    now = kT0 + 130 * kMsPerDay;
    REQUIRE(runSync(a, s, now).outcome == TeamSyncOutcome::Synced);
    REQUIRE(runSync(c, s, now += 1000).outcome == TeamSyncOutcome::Synced);
    CHECK(putState(*lastPut(s)).gone.count(o1) == 1);  // B has not merged it: kept

    // Day 140: B comes back. Its edit was made without seeing the removal: a conflict to review,
    // on every replica, with B's text kept.
    now = kT0 + 140 * kMsPerDay;
    for (Device* d : {&b, &a, &c}) REQUIRE(runSync(*d, s, now += 1000).outcome == TeamSyncOutcome::Synced);
    for (Device* d : {&a, &b, &c}) {
        const std::vector<ConflictChoice> choices = conflictChoices(d->ws.document(), d->ws.syncState());
        REQUIRE(choices.size() == 1);
        CHECK(choices[0].logged.key == o1);
        CHECK(choices[0].logged.field == "~gone");
        REQUIRE(d->ws.syncState().gone.count(o1) == 1);
        CHECK(d->ws.syncState().gone.at(o1).at("text") == "B's day-20 edit");
    }

    // Once everyone has merged it (B's entry is now past A's mark) and someone decides, it can go.
    REQUIRE(a.ws.resolve(o1, "~gone", true, now += 1000));
    now = kT0 + 240 * kMsPerDay;
    for (Device* d : {&a, &b, &c}) {  // everyone edits after merging the decision
        REQUIRE(runSync(*d, s, now += 1000).outcome == TeamSyncOutcome::Synced);
        d->edit({{"op", "deal.set"}, {"id", "d1"}, {"field", "title"}, {"value", d->ws.replica() + ", day 240"}}, now += 1000);
        REQUIRE(runSync(*d, s, now += 1000).outcome == TeamSyncOutcome::Synced);
    }
    for (Device* d : {&a, &b, &c}) REQUIRE(runSync(*d, s, now += 1000).outcome == TeamSyncOutcome::Synced);
    CHECK(putState(*lastPut(s)).gone.count(o1) == 0);
}

TEST_CASE("engine: a removal that had not seen an older edit keeps it as a conflict, not only a newer one") {
    // B edits an objection on day 1 offline; A, who never saw that edit, removes the objection on
    // day 2. The edit is older than the removal, yet the removal did not replace it knowingly:
    // it must be listed (restore or keep removed), or retention would purge it unseen.
    FakeServer s;
    Device a(kA), b(kB);
    Time now = kT0;
    a.edit({{"op", "deal.create"}, {"id", "d1"}, {"title", "Shared"}}, now);
    a.edit({{"op", "deal.objection.add"}, {"dealId", "d1"}, {"id", "o1"}, {"text", "first"}}, now += 10);
    REQUIRE(runSync(a, s, now).outcome == TeamSyncOutcome::Synced);
    REQUIRE(runSync(b, s, now).outcome == TeamSyncOutcome::Synced);
    b.edit({{"op", "deal.objection.set"}, {"dealId", "d1"}, {"id", "o1"}, {"field", "text"}, {"value", "B's day-1 edit"}},
           now = kT0 + kMsPerDay);
    a.edit({{"op", "deal.objection.remove"}, {"dealId", "d1"}, {"id", "o1"}}, now = kT0 + 2 * kMsPerDay);
    REQUIRE(runSync(b, s, now).outcome == TeamSyncOutcome::Synced);
    REQUIRE(runSync(a, s, now).outcome == TeamSyncOutcome::Synced);
    REQUIRE(runSync(b, s, now).outcome == TeamSyncOutcome::Synced);
    for (Device* d : {&a, &b}) {
        const std::vector<ConflictChoice> choices = conflictChoices(d->ws.document(), d->ws.syncState());
        REQUIRE(choices.size() == 1);
        CHECK(choices[0].logged.key == "objection:d1/o1");
        CHECK(choices[0].logged.field == "~gone");
        CHECK(d->ws.syncState().gone.at("objection:d1/o1").at("text") == "B's day-1 edit");
    }
    // A removal made after seeing the edit replaced it knowingly: nothing to review.
    REQUIRE(a.ws.resolve("objection:d1/o1", "~gone", false, now += 1000));  // restore it
    REQUIRE(runSync(a, s, now).outcome == TeamSyncOutcome::Synced);
    REQUIRE(runSync(b, s, now).outcome == TeamSyncOutcome::Synced);
    b.edit({{"op", "deal.objection.remove"}, {"dealId", "d1"}, {"id", "o1"}}, now += 1000);
    REQUIRE(runSync(b, s, now).outcome == TeamSyncOutcome::Synced);
    REQUIRE(runSync(a, s, now).outcome == TeamSyncOutcome::Synced);
    CHECK(conflictChoices(a.ws.document(), a.ws.syncState()).empty());
    CHECK(a.ws.syncState().gone.count("objection:d1/o1") == 1);
}

// [SECTION] Random histories with deletes, long offline periods and hostile files (issue #12)
//
// Three devices edit deal titles and objections (add, edit, remove) over a simulated year; each
// goes offline for up to 120 days between syncs, reloads from its stored text now and then, and
// the team file is sometimes replaced by a hostile one (a stamp from the future, a stamp after
// its replica's entry, a base covering later versions, an oversized conflict log) that must be
// refused without changing anything, after which the team restores the file. When everyone has
// synced, every edit must be current, logged as a conflict, kept in a tombstone with its removal
// logged as a conflict, or superseded by a later edit (or removal) whose author had seen it:
// nothing disappears silently.

namespace {
struct Edit {
    int id = 0;
    std::string key, field;  // field "~gone" for a removal
    std::string value;
    std::set<int> saw;  // edits of the same record its author had seen
};

struct HistoryDevice {
    std::unique_ptr<Device> d;
    std::set<int> seen;
    Time nextSync = 0;
};

std::string objectionKey(const std::string& deal, const std::string& id) { return "objection:" + deal + "/" + id; }

void runRandomHistory(std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    auto chance = [&](double p) { return std::uniform_real_distribution<double>(0, 1)(rng) < p; };
    auto pick = [&](std::size_t n) { return std::size_t(std::uniform_int_distribution<std::size_t>(0, n - 1)(rng)); };
    FakeServer s;
    std::vector<HistoryDevice> ds(3);
    const std::string ids[] = {kA, kB, kC};
    for (int i = 0; i < 3; ++i) ds[std::size_t(i)].d = std::make_unique<Device>(ids[i]);
    std::vector<Edit> edits;
    std::set<int> serverSeen;
    Time now = kT0;
    const std::vector<std::string> deals = {"d0", "d1", "d2"};
    for (const std::string& id : deals) ds[0].d->edit({{"op", "deal.create"}, {"id", id}, {"title", "start " + id}}, now += 10);
    for (HistoryDevice& h : ds) REQUIRE(runSync(*h.d, s, now).outcome == TeamSyncOutcome::Synced);
    int next = 0, hostile = 0, refused = 0, reloads = 0;

    auto record = [&](HistoryDevice& h, const std::string& key, const std::string& field, const std::string& value) {
        Edit e;
        e.id = next++;
        e.key = key;
        e.field = field;
        e.value = value;
        for (int seen : h.seen)
            if (edits[std::size_t(seen)].key == key) e.saw.insert(seen);
        h.seen.insert(e.id);
        edits.push_back(std::move(e));
    };
    const char* traceKey = std::getenv("FUNNEL_HISTORY_TRACE");
    auto trace = [&](const char* what, HistoryDevice& h) {
        if (!traceKey) return;
        const SyncState& ss = h.d->ws.syncState();
        std::string alive = "-";
        for (const Deal& deal : h.d->ws.document().deals)
            for (const Objection& o : deal.objections)
                if (objectionKey(deal.id, o.id) == traceKey) alive = o.text;
        std::string stamps;
        if (auto r = ss.records.find(traceKey); r != ss.records.end()) {
            stamps = "created " + r->second.created;
            for (const auto& [f, fs] : r->second.fields) stamps += " " + f + "=" + fs.stamp;
        }
        std::string conf;
        for (const Conflict& c : ss.conflicts)
            if (c.key == traceKey) conf += " [" + c.field + " " + dumpJson(c.value) + " " + c.stamp + "]";
        std::string open;
        for (const Conflict& c : openConflicts(h.d->ws.document(), ss))
            if (c.key == traceKey) open += " [" + c.field + " " + dumpJson(c.value) + "]";
        std::string server = "-";
        if (s.text) {
            const json j = json::parse(*s.text, nullptr, false);
            if (j.is_object() && j.contains("sync")) {
                const json& sy = j["sync"];
                server = "records:" + (sy.contains("records") && sy["records"].contains(traceKey) ? dumpJson(sy["records"][traceKey]) : std::string("none"));
                server += " gone:" + std::string(sy.contains("gone") && sy["gone"].contains(traceKey) ? "yes" : "no");
                server += " replicas:" + (sy.contains("replicas") ? dumpJson(sy["replicas"]) : std::string());
            }
        }
        MESSAGE("server " << server);
        MESSAGE(std::string(what) << " " << h.d->ws.replica().substr(14) << " edit#" << next << " alive=" << alive << " gone=" << ss.gone.count(traceKey)
                     << " " << stamps << " log:" << conf << " open:" << open);
    };
    auto sync = [&](HistoryDevice& h) {
        trace("before sync", h);
        const TeamSyncStatus& st = runSync(*h.d, s, now);
        trace("after sync ", h);
        REQUIRE_MESSAGE(st.outcome == TeamSyncOutcome::Synced, "seed " << seed << ": " << st.errorDetail);
        h.seen.insert(serverSeen.begin(), serverSeen.end());
        serverSeen.insert(h.seen.begin(), h.seen.end());
    };

    const Time end = kT0 + 365 * kMsPerDay;
    while (now < end) {
        now += Time(std::uniform_int_distribution<int>(1, 48 * 60)(rng)) * 60'000;  // up to two days
        HistoryDevice& h = ds[pick(ds.size())];
        Device& d = *h.d;
        const std::string who = d.ws.replica().substr(14) + "#" + std::to_string(next);
        const std::string deal = deals[pick(deals.size())];
        const Deal* local = d.ws.document().findDeal(deal);
        REQUIRE(local);
        const int op = int(pick(10));
        if (op < 3) {
            d.edit({{"op", "deal.set"}, {"id", deal}, {"field", "title"}, {"value", who}}, now);
            record(h, "deal:" + deal, "title", who);
        } else if (op < 5 || local->objections.empty()) {
            const std::string id = "o" + std::to_string(next);
            d.edit({{"op", "deal.objection.add"}, {"dealId", deal}, {"id", id}, {"text", who}}, now);
            record(h, objectionKey(deal, id), "text", who);
        } else if (op < 8) {
            const std::string id = local->objections[pick(local->objections.size())].id;
            d.edit({{"op", "deal.objection.set"}, {"dealId", deal}, {"id", id}, {"field", "text"}, {"value", who}}, now);
            record(h, objectionKey(deal, id), "text", who);
        } else {
            const std::string id = local->objections[pick(local->objections.size())].id;
            d.edit({{"op", "deal.objection.remove"}, {"dealId", deal}, {"id", id}}, now);
            record(h, objectionKey(deal, id), "~gone", "");
        }
        if (chance(0.05)) {  // a reload: the stored text is all that survives
            const std::string before = d.bytes();
            DecodeResult r = decodeDocument(d.ws.storedText());
            REQUIRE_MESSAGE(r.ok, r.error);
            d.ws.reset(std::move(r.document));
            REQUIRE(d.bytes() == before);
            ++reloads;
        }
        if (s.text && chance(0.04)) {  // a hostile team file, refused by the next device to sync
            const std::string honest = *s.text;
            const int kind = int(pick(4));
            tamper(s, [&](json& j) {
                json& title = j["sync"]["records"]["deal:d0"]["f"]["title"];
                if (kind == 0) {
                    j["sync"]["replicas"][kEvil] = evilStamp(now + 2 * kMsPerDay);
                } else if (kind == 1) {
                    j["sync"]["replicas"][kEvil] = evilStamp(now - kMsPerDay);
                    title = json::array({evilStamp(now - 1000)});
                    j["deals"][0]["title"] = "hijacked";
                } else if (kind == 2) {
                    j["sync"]["replicas"][kEvil] = evilStamp(now - kMsPerDay);
                    title = json::array({evilStamp(now - 2 * kMsPerDay), json{{kEvil, evilStamp(now - kMsPerDay)}}});
                    j["deals"][0]["title"] = "hijacked";
                } else {
                    j["sync"]["replicas"][kEvil] = evilStamp(now - kMsPerDay);
                    json& log = j["sync"]["conflicts"];
                    for (std::size_t i = 0; i <= kMaxConflictsPerField; ++i)
                        log.push_back({{"key", "deal:d0"}, {"field", "title"}, {"value", "spam " + std::to_string(i)},
                                       {"stamp", evilStamp(now - 2 * kMsPerDay, int(i))}});
                }
            });
            HistoryDevice& victim = ds[pick(ds.size())];
            const std::string before = victim.d->bytes();
            const TeamSyncStatus& st = runSync(*victim.d, s, now);
            CHECK_MESSAGE(st.outcome == TeamSyncOutcome::BadRemote, "seed " << seed << " kind " << kind);
            CHECK(victim.d->bytes() == before);
            ++hostile;
            refused += st.outcome == TeamSyncOutcome::BadRemote;
            s.text = honest;  // the team restores its file
            ++s.version;
        }
        if (now >= h.nextSync) {
            sync(h);
            h.nextSync = now + Time(std::uniform_int_distribution<int>(0, 120 * 24)(rng)) * 3'600'000;
        }
    }
    // Everyone comes back online: three rounds bring every replica to the same bytes.
    for (int round = 0; round < 3; ++round)
        for (HistoryDevice& h : ds) sync(h);
    const std::string expected = ds[0].d->bytes();
    for (HistoryDevice& h : ds) {
        const bool same = h.d->bytes() == expected;
        CHECK_MESSAGE(same, "seed " << seed << ": replica " << h.d->ws.replica() << " differs");
        if (!same && std::getenv("FUNNEL_HISTORY_SEED")) {
            const SyncState& a = ds[0].d->ws.syncState();
            const SyncState& b = h.d->ws.syncState();
            MESSAGE("gone " << a.gone.size() << " vs " << b.gone.size() << "; conflicts " << a.conflicts.size() << " vs "
                            << b.conflicts.size() << "; docs same "
                            << (encodeDocumentText(ds[0].d->ws.document()) == encodeDocumentText(h.d->ws.document())));
            {
                const json ja = json::parse(encodeDocumentText(ds[0].d->ws.document()));
                const json jb = json::parse(encodeDocumentText(h.d->ws.document()));
                MESSAGE("doc diff " << dumpJson(json::diff(ja, jb)).substr(0, 1500));
                std::set<std::string> ca, cb;
                for (const Conflict& c : a.conflicts) ca.insert(c.key + " " + c.field + " " + dumpJson(c.value) + " " + c.stamp);
                for (const Conflict& c : b.conflicts) cb.insert(c.key + " " + c.field + " " + dumpJson(c.value) + " " + c.stamp);
                for (const std::string& c : ca) if (!cb.count(c)) MESSAGE("only first logs " << c);
                for (const std::string& c : cb) if (!ca.count(c)) MESSAGE("only this logs " << c);
            }
            for (const auto& [k, v] : a.gone)
                if (!b.gone.count(k)) MESSAGE("only first holds tombstone " << k);
            for (const auto& [k, v] : b.gone)
                if (!a.gone.count(k)) MESSAGE("only this holds tombstone " << k);
        }
    }

    const Document& doc = ds[0].d->ws.document();
    const SyncState& st = ds[0].d->ws.syncState();
    const std::vector<Conflict> open = openConflicts(doc, st);  // what the conflicts panel lists
    auto logged = [&](const std::string& key, const std::string& field, const std::string& value) {
        for (const Conflict& c : field == "~gone" ? open : st.conflicts)
            if (c.key == key && c.field == field && (field == "~gone" || (c.value.is_string() && c.value == value))) return true;
        return false;
    };
    auto alive = [&](const std::string& key, std::string* text) {
        for (const Deal& deal : doc.deals)
            for (const Objection& o : deal.objections)
                if (objectionKey(deal.id, o.id) == key) return *text = o.text, true;
        return false;
    };
    std::vector<int> ok(edits.size(), 0);  // edits' `saw` only names earlier ones: one pass in order
    int current = 0, inLog = 0, kept = 0, superseded = 0;
    for (std::size_t i = edits.size(); i-- > 0;) {  // later edits first: "superseded" needs them
        const Edit& e = edits[i];
        std::string text;
        bool isOk = false;
        if (e.field == "~gone") {
            isOk = !alive(e.key, &text);  // nothing here brings a removed objection back
            current += isOk;
        } else if (e.key.rfind("deal:", 0) == 0) {
            const Deal* deal = doc.findDeal(e.key.substr(5));
            if (deal && deal->title == e.value) isOk = true, ++current;
        } else if (alive(e.key, &text) && text == e.value) {
            isOk = true, ++current;
        } else if (st.gone.count(e.key) && st.gone.at(e.key).value("text", "") == e.value && logged(e.key, "~gone", "")) {
            isOk = true, ++kept;
        }
        if (!isOk && logged(e.key, e.field, e.value)) isOk = true, ++inLog;
        if (!isOk)
            for (std::size_t j = i + 1; j < edits.size() && !isOk; ++j)
                if (ok[j] && edits[j].saw.count(e.id) && (edits[j].field == e.field || edits[j].field == "~gone"))
                    isOk = true, ++superseded;
        ok[i] = isOk;
        if (!isOk && std::getenv("FUNNEL_HISTORY_SEED")) {
            std::string t;
            const bool a = alive(e.key, &t);
            MESSAGE("alive " << a << " text " << t << " gone " << (st.gone.count(e.key) ? dumpJson(st.gone.at(e.key)) : "-"));
            for (const Conflict& c : open)
                if (c.key == e.key) MESSAGE("conflict " << c.field << " " << dumpJson(c.value) << " " << c.stamp);
            for (const Edit& x : edits)
                if (x.key == e.key) {
                    std::string sawList;
                    for (int k : x.saw) sawList += std::to_string(k) + ",";
                    MESSAGE("edit " << x.id << " " << x.field << " " << x.value << " saw " << sawList << " ok " << ok[std::size_t(x.id)]);
                }
        }
        CHECK_MESSAGE(isOk, "seed " << seed << ": edit " << e.id << " " << e.key << "." << e.field << " = \"" << e.value
                                    << "\" disappeared");
    }
    MESSAGE("seed " << seed << ": " << edits.size() << " edits (" << current << " current, " << inLog << " logged, " << kept
                    << " kept in a tombstone, " << superseded << " superseded); " << hostile << " hostile files, "
                    << refused << " refused; " << reloads << " reloads");
    CHECK(refused == hostile);
}
}  // namespace

TEST_CASE("engine: random histories of three replicas with removals, 120-day offline spells and hostile files lose nothing") {
    if (const char* one = std::getenv("FUNNEL_HISTORY_SEED")) {
        runRandomHistory(std::strtoull(one, nullptr, 10));
        return;
    }
#if defined(NDEBUG) && !defined(__SANITIZE_ADDRESS__)
    const int histories = 40;
#else
    const int histories = 6;
#endif
    for (int i = 0; i < histories; ++i) runRandomHistory(0x41570000ull + std::uint64_t(i));
}
