// Funnel — unit tests of team sync through a shared folder (core/folder_sync) against an
// in-memory folder: create and confirm, "nothing new" from the change token, a lost race (a
// swap replaced by another writer's) detected by the confirming read and redone, sync clients'
// conflict copies merged and removed only after the merged file is confirmed, a bad team file
// refused, permission loss, a dead writer's temporary file.
#include <doctest/doctest.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/codec.h"
#include "core/folder_sync.h"
#include "core/merge.h"
#include "core/workspace.h"

using namespace funnel;

namespace {
const Time kT0 = 1'780'000'000'000;
const std::string kA = "00000000000000aa", kB = "00000000000000bb", kC = "00000000000000cc";

struct FakeFolder {
    struct File {
        std::string body;
        std::int64_t modified = 0;
    };
    std::map<std::string, File> files;
    std::int64_t clock = kT0;
    bool denied = false;
    int lists = 0, reads = 0, writes = 0;

    FolderFile info(const std::string& name) const {
        const File& f = files.at(name);
        return FolderFile{name, std::int64_t(f.body.size()), f.modified};
    }
    void put(const std::string& name, const std::string& body) { files[name] = File{body, ++clock}; }

    FolderResponse handle(const FolderRequest& r) {
        FolderResponse res;
        if (denied) return res.kind = FolderResponse::Kind::Denied, res;
        switch (r.op) {
            case FolderRequest::Op::List:
                ++lists;
                for (const auto& [name, f] : files) res.files.push_back(info(name));
                res.listedAt = clock;
                return res;
            case FolderRequest::Op::Read:
                ++reads;
                if (!files.count(r.name)) return res.kind = FolderResponse::Kind::NotFound, res;
                res.body = files[r.name].body;
                res.file = info(r.name);
                return res;
            case FolderRequest::Op::Write:
                ++writes;
                put(r.name, r.body);
                return res;
            case FolderRequest::Op::Remove:
                if (!files.count(r.name)) return res.kind = FolderResponse::Kind::NotFound, res;
                if (!(info(r.name) == r.expect)) return res.kind = FolderResponse::Kind::Changed, res;
                files.erase(r.name);
                return res;
        }
        return res;
    }
};

struct Device {
    Workspace ws{makeDefaultDocument(0)};
    FolderSync sync;
    explicit Device(const std::string& replica) {
        ws.setReplica(replica);
        FolderSyncOptions o;
        o.random = [] { return 0.5; };
        sync.setOptions(o);
    }
    void edit(const json& cmd, Time t) {
        CommandResult r = ws.perform(cmd, CommandContext{t, "m-me"});
        REQUIRE_MESSAGE(r.ok, r.error);
    }
    std::string bytes() const { return canonicalText(ws.document(), ws.syncState()); }
    std::string teamText() const { return encodeDocumentText(joinSync(ws.document(), ws.syncState())); }
    void step(FakeFolder& f, Time now) { sync.receive(f.handle(*sync.nextRequest(now)), ws, now); }
};

const TeamSyncStatus& runSync(Device& d, FakeFolder& f, Time& now) {
    REQUIRE(d.sync.start(now));
    int guard = 0;
    while (d.sync.busy() && ++guard < 1000) {
        if (auto req = d.sync.nextRequest(now)) {
            d.sync.receive(f.handle(*req), d.ws, now);
            now += 5;
        } else {
            REQUIRE(d.sync.wakeAt() > now);
            now = d.sync.wakeAt();
        }
    }
    REQUIRE(!d.sync.busy());
    return d.sync.status();
}

Document folderDocument(const FakeFolder& f) {
    DecodeResult r = decodeDocument(f.files.at("team.json").body);
    REQUIRE_MESSAGE(r.ok, r.error);
    return r.document;
}
}  // namespace

TEST_CASE("folder: the sync clients' conflict copies are recognised by their names, nothing else") {
    for (const char* n :
         {"team (conflicted copy 2026-12-06).json", "team (Ann's conflicted copy 2026-12-06).json",
          "team (Ann's conflicted copy 2026-12-06 (1)).json", "team (conflicted copy 2026-12-06 101112).json",
          "team_conflict-20261206-101112.json", "team (1).json", "team (12).json", "team-DESKTOP-1.json",
          "team-LAPTOP-7QK2M1A.json", "team-DESKTOP-1-1.json", "team (Konfliktkopie 2026-12-06).json"})
        CHECK_MESSAGE(isConflictCopy(n, "team.json"), n);
    for (const char* n : {"team.json", "team-archive.json", "team-2025.json", "team (old).json",
                          "team (1).txt", "teams (1).json", "other (conflicted copy 2026-12-06).json",
                          "team.json.crswap", ".team.json.1a2b.tmp", "team (12345).json"})
        CHECK_MESSAGE(!isConflictCopy(n, "team.json"), n);
    CHECK(isTempFile(".team.json.1a2b.tmp", "team.json"));
    CHECK(isTempFile("team.json.crswap", "team.json"));
    CHECK(!isTempFile("team.json", "team.json"));
    CHECK(tempFileName("team.json", "x1") == ".team.json.x1.tmp");
    CHECK(plausibleTeamFileName("team.json"));
    for (const char* n : {"", ".json", "team", "../team.json", "a/b.json", ".team.json", "c:\\x.json"})
        CHECK_MESSAGE(!plausibleTeamFileName(n), n);
}

TEST_CASE("folder: a missing team file is written, read back to confirm; nothing new reads nothing") {
    FakeFolder f;
    Device a(kA);
    a.edit({{"op", "deal.create"}, {"id", "d1"}, {"title", "First"}}, kT0);
    Time now = kT0 + 100;
    const TeamSyncStatus& st = runSync(a, f, now);
    CHECK(st.outcome == TeamSyncOutcome::Synced);
    CHECK(st.attempts == 1);
    CHECK(f.writes == 1);
    CHECK(f.reads == 1);  // the confirming read
    CHECK(folderDocument(f).findDeal("d1"));
    CHECK(f.files.at("team.json").body == a.teamText());
    CHECK(st.etag == changeToken(f.info("team.json")));
    // Nothing new: one listing, no read, no write.
    const int reads = f.reads, writes = f.writes, lists = f.lists;
    CHECK(runSync(a, f, now).outcome == TeamSyncOutcome::Synced);
    CHECK(f.reads == reads);
    CHECK(f.writes == writes);
    CHECK(f.lists == lists + 1);
    // A local edit is news: read, write, confirm.
    a.edit({{"op", "deal.create"}, {"id", "d2"}, {"title", "Second"}}, now);
    CHECK(runSync(a, f, now).outcome == TeamSyncOutcome::Synced);
    CHECK(f.writes == writes + 1);
    CHECK(folderDocument(f).findDeal("d2"));
    // Someone else's write (a new token) is news too; it lacks nothing of ours: read, no write.
    Device b(kB);
    runSync(b, f, now);
    const int writesB = f.writes;
    b.edit({{"op", "deal.create"}, {"id", "d3"}, {"title", "By B"}}, now);
    runSync(b, f, now);
    CHECK(f.writes == writesB + 1);
    CHECK(runSync(a, f, now).changesIn > 0);
    CHECK(a.ws.document().findDeal("d3"));
    CHECK(a.bytes() == b.bytes());
}

TEST_CASE("folder: a write replaced by another writer's is detected by the confirming read and redone") {
    FakeFolder f;
    Device a(kA), b(kB);
    Time now = kT0;
    a.edit({{"op", "deal.create"}, {"id", "d1"}, {"title", "A"}}, now);
    runSync(a, f, now);
    runSync(b, f, now);
    a.edit({{"op", "deal.create"}, {"id", "dA"}, {"title", "by A"}}, now += 10);
    b.edit({{"op", "deal.create"}, {"id", "dB"}, {"title", "by B"}}, now += 10);
    REQUIRE(a.sync.start(now));
    REQUIRE(b.sync.start(now));
    a.step(f, now);  // list
    b.step(f, now);  // list
    a.step(f, now);  // read
    b.step(f, now);  // read
    a.step(f, now);  // write (A's swap)
    b.step(f, now);  // write (B's swap replaces A's: no compare-and-swap on a folder)
    a.step(f, now);  // confirming read: B's file, A's stamp missing
    CHECK(a.sync.status().phase == TeamSyncPhase::WaitingRetry);
    CHECK(a.sync.status().errorKey == "sync.error.folder_busy");
    CHECK(!folderDocument(f).findDeal("dA"));  // lost, but only from the file: A still has it
    CHECK(a.ws.document().findDeal("dA"));
    CHECK(a.ws.document().findDeal("dB"));  // the read merged B's file in
    b.step(f, now);                         // B's confirming read: its own file
    CHECK(b.sync.status().outcome == TeamSyncOutcome::Synced);
    CHECK(!a.sync.nextRequest(now));  // backing off
    now = a.sync.wakeAt();
    while (a.sync.busy()) a.step(f, now);
    CHECK(a.sync.status().outcome == TeamSyncOutcome::Synced);
    CHECK(a.sync.status().attempts == 2);
    runSync(b, f, now);
    for (const char* id : {"d1", "dA", "dB"}) CHECK(folderDocument(f).findDeal(id));
    CHECK(a.bytes() == b.bytes());
}

TEST_CASE("folder: conflict copies are merged in and removed once the merged file is confirmed") {
    FakeFolder f;
    Device a(kA), b(kB), c(kC);
    Time now = kT0;
    a.edit({{"op", "deal.create"}, {"id", "d1"}, {"title", "Shared"}}, now);
    runSync(a, f, now);
    runSync(b, f, now);
    runSync(c, f, now);
    b.edit({{"op", "deal.create"}, {"id", "dB"}, {"title", "from B"}}, now += 10);
    b.edit({{"op", "deal.set"}, {"id", "d1"}, {"field", "title"}, {"value", "B's title"}}, now += 10);
    c.edit({{"op", "deal.create"}, {"id", "dC"}, {"title", "from C"}}, now += 10);
    c.edit({{"op", "deal.set"}, {"id", "d1"}, {"field", "title"}, {"value", "C's title"}}, now += 10);
    b.ws.acknowledge();
    c.ws.acknowledge();
    // The sync clients kept B's and C's versions as copies (B and C never saw the folder again).
    f.put("team (Bob's conflicted copy 2026-12-06).json", b.teamText());
    f.put("team-DESKTOP-1.json", c.teamText());
    f.put("team (1).json", "{\"not\": \"funnel\"}");  // a stray file with a copy's name
    f.put("notes.json", "unrelated");
    const TeamSyncStatus& st = runSync(a, f, now);
    CHECK(st.outcome == TeamSyncOutcome::Synced);
    for (const char* id : {"d1", "dB", "dC"}) CHECK(folderDocument(f).findDeal(id));
    CHECK(!f.files.count("team (Bob's conflicted copy 2026-12-06).json"));
    CHECK(!f.files.count("team-DESKTOP-1.json"));
    CHECK(f.files.count("team (1).json"));  // not a team file: left alone, named in the detail
    CHECK(f.files.count("notes.json"));
    CHECK(a.sync.removedCopies().size() == 2);
    REQUIRE(a.sync.ignoredCopies().size() == 1);
    CHECK(st.errorDetail.find("team (1).json") != std::string::npos);
    CHECK(st.openConflicts == 1);  // B's and C's titles: one wins, the other is logged
    // B and C come back: they end identical with A.
    runSync(b, f, now);
    runSync(c, f, now);
    runSync(a, f, now);
    CHECK(a.bytes() == b.bytes());
    CHECK(b.bytes() == c.bytes());
}

TEST_CASE("folder: a copy that changed after it was read stays for the next sync") {
    FakeFolder f;
    Device a(kA), b(kB);
    Time now = kT0;
    runSync(a, f, now);
    b.edit({{"op", "deal.create"}, {"id", "dB"}, {"title", "from B"}}, now);
    b.ws.acknowledge();
    f.put("team (conflicted copy 2026-12-06 101112).json", b.teamText());
    REQUIRE(a.sync.start(now));
    a.step(f, now);  // list
    a.step(f, now);  // read team
    a.step(f, now);  // read the copy
    b.edit({{"op", "deal.create"}, {"id", "dB2"}, {"title", "from B again"}}, now);
    b.ws.acknowledge();
    f.put("team (conflicted copy 2026-12-06 101112).json", b.teamText());  // rewritten meanwhile
    while (a.sync.busy()) a.step(f, now);
    CHECK(a.sync.status().outcome == TeamSyncOutcome::Synced);
    CHECK(f.files.count("team (conflicted copy 2026-12-06 101112).json"));
    CHECK(!a.ws.document().findDeal("dB2"));
    runSync(a, f, now);
    CHECK(a.ws.document().findDeal("dB2"));
    CHECK(folderDocument(f).findDeal("dB2"));
    CHECK(!f.files.count("team (conflicted copy 2026-12-06 101112).json"));
}

TEST_CASE("folder: a bad team file is refused and never written over; permission loss stops at once") {
    FakeFolder f;
    Device a(kA);
    Time now = kT0;
    a.edit({{"op", "deal.create"}, {"id", "d1"}, {"title", "Mine"}}, now);
    f.put("team.json", "{\"format\":\"funnel\",\"version\":1,\"deals\":[{\"id\":");
    const std::string before = a.bytes();
    const TeamSyncStatus& st = runSync(a, f, now);
    CHECK(st.outcome == TeamSyncOutcome::BadRemote);
    CHECK(st.errorKey == "sync.error.bad_remote");
    CHECK(f.writes == 0);
    CHECK(a.sync.takeRejectedRemote());
    CHECK(a.bytes() == before);

    f.files.clear();
    f.denied = true;
    const TeamSyncStatus& denied = runSync(a, f, now);
    CHECK(denied.outcome == TeamSyncOutcome::Failed);
    CHECK(denied.errorKey == "sync.error.permission");
    CHECK(denied.phase == TeamSyncPhase::Error);
    CHECK(denied.attempts == 1);
    f.denied = false;  // permission granted again
    CHECK(runSync(a, f, now).outcome == TeamSyncOutcome::Synced);
    CHECK(folderDocument(f).findDeal("d1"));
}

TEST_CASE("folder: a dead writer's temporary file is ignored, and removed once stale") {
    FakeFolder f;
    Device a(kA);
    Time now = kT0;
    a.edit({{"op", "deal.create"}, {"id", "d1"}, {"title", "Mine"}}, now);
    runSync(a, f, now);
    f.put(".team.json.dead1.tmp", "{\"format\":\"funnel\",\"version\":1,\"dea");  // killed before the swap
    f.put("team.json.crswap", "");
    a.edit({{"op", "deal.create"}, {"id", "d2"}, {"title", "More"}}, now);
    CHECK(runSync(a, f, now).outcome == TeamSyncOutcome::Synced);
    CHECK(f.files.count(".team.json.dead1.tmp"));  // fresh: maybe a live writer's
    f.clock += 600001;
    CHECK(runSync(a, f, now).outcome == TeamSyncOutcome::Synced);
    CHECK(!f.files.count(".team.json.dead1.tmp"));
    CHECK(f.files.count("team.json.crswap"));  // Chromium's own: Chromium cleans it
    CHECK(folderDocument(f).findDeal("d2"));
}

TEST_CASE("folder: an unreadable folder backs off and gives up as offline; local edits stay") {
    FakeFolder f;
    Device a(kA);
    Time now = kT0;
    a.edit({{"op", "deal.create"}, {"id", "d1"}, {"title", "Mine"}}, now);
    FolderSyncOptions o;
    o.maxAttempts = 3;
    o.random = [] { return 0.0; };
    a.sync.setOptions(o);
    REQUIRE(a.sync.start(now));
    int lists = 0;
    while (a.sync.busy()) {
        if (auto r = a.sync.nextRequest(now)) {
            ++lists;
            FolderResponse res;
            res.kind = FolderResponse::Kind::Failed;
            res.error = "no such directory";
            a.sync.receive(res, a.ws, now);
        } else {
            now = a.sync.wakeAt();
        }
    }
    CHECK(lists == 3);
    CHECK(a.sync.status().outcome == TeamSyncOutcome::GaveUp);
    CHECK(a.sync.status().phase == TeamSyncPhase::Offline);
    CHECK(a.sync.status().errorKey == "sync.error.folder");
    CHECK(a.ws.document().findDeal("d1"));
}
