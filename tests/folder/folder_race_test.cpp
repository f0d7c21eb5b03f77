// Funnel — team sync through a shared folder on a real file system (ctest: folder):
//   - 5 funnel-sync processes race on one folder (`race N`: a random edit and a sync per round),
//     then sync in turns: every replica ends byte-identical, every record anyone added is there,
//     and every field edit is current, in the conflict log, or superseded by a version whose
//     writer had seen it (the merge rules' "witnessed": never silently lost);
//   - the same with 5 threads of one process, each its own workspace (core FolderSync + the
//     POSIX transport, platform/native/folder_io);
//   - a writer killed (SIGKILL) between writing its temporary file and the swap: the team file
//     is untouched, others sync on, the killed writer's edit lands on its next run, and its
//     temporary file is removed once stale;
//   - conflict copies planted under the names Dropbox, OneDrive, Google Drive and Nextcloud give
//     them: merged in and removed.
// FUNNEL_SYNC (the environment) names the funnel-sync executable.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "core/codec.h"
#include "core/folder_sync.h"
#include "core/merge.h"
#include "core/workspace.h"
#include "platform/native/folder_io.h"

extern char** environ;

using namespace funnel;
namespace fs = std::filesystem;

namespace {

Time wallNow() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string readFile(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

struct TempDir {
    fs::path path;
    TempDir() {
        char tmpl[] = "/tmp/funnel-folder-XXXXXX";
        path = ::mkdtemp(tmpl);
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

std::string syncExe() {
    const char* p = std::getenv("FUNNEL_SYNC");
    REQUIRE_MESSAGE(p, "FUNNEL_SYNC must name the funnel-sync executable");
    return p;
}

// Starts funnel-sync with `args`, stdout to `out`; returns the pid.
pid_t spawn(const std::vector<std::string>& args, const fs::path& out, bool dieBeforeSwap = false) {
    std::vector<std::string> all{syncExe()};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& a : all) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<std::string> envs;
    for (char** e = environ; *e; ++e) envs.emplace_back(*e);
    if (dieBeforeSwap) envs.emplace_back("FUNNEL_SYNC_DIE_BEFORE_SWAP=1");
    std::vector<char*> envp;
    for (std::string& e : envs) envp.push_back(e.data());
    envp.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    pid_t pid = 0;
    const int err = posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&fa);
    REQUIRE_MESSAGE(err == 0, "cannot start funnel-sync");
    return pid;
}

// The wait status of pid.
int waitFor(pid_t pid) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    return status;
}

// Runs funnel-sync to the end; returns {exit code (128 + signal when killed), stdout}.
std::pair<int, std::string> run(const fs::path& work, const std::vector<std::string>& args,
                                bool dieBeforeSwap = false) {
    static int n = 0;
    const fs::path out = work / ("out-" + std::to_string(++n) + ".txt");
    const int status = waitFor(spawn(args, out, dieBeforeSwap));
    const int code =
        WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    return {code, readFile(out)};
}

struct Edit {
    std::string key, field, stamp;
    json value;
};

struct Replica {
    Document doc;
    SyncState state;
};

Replica parseDump(const std::string& text) {
    Replica r;
    DecodeResult d = decodeDocument(std::string_view(text));
    REQUIRE_MESSAGE(d.ok, d.error);
    std::string error;
    REQUIRE_MESSAGE(splitSync(d.document, r.state, error), error);
    r.doc = std::move(d.document);
    return r;
}

struct Tally {
    int current = 0, logged = 0, witnessed = 0, added = 0;
};

// Every edit is current, logged, or witnessed by a version still there (current or logged).
void checkEdits(const Replica& r, const std::vector<Edit>& edits, Tally& t) {
    for (const Edit& e : edits) {
        REQUIRE_MESSAGE(!e.stamp.empty(), e.key);
        if (e.field == "title" && e.key.rfind("deal:r", 0) == 0 && e.value.is_string() &&
            e.value.get<std::string>().rfind("deal ", 0) == 0) {
            const Deal* d = r.doc.findDeal(e.key.substr(5));
            CHECK_MESSAGE(d, "an added deal is missing: " << e.key);
            ++t.added;
            continue;
        }
        auto rec = r.state.records.find(e.key);
        REQUIRE_MESSAGE(rec != r.state.records.end(), e.key);
        auto f = rec->second.fields.find(e.field);
        REQUIRE_MESSAGE(f != rec->second.fields.end(), e.key << " " << e.field);
        if (f->second.stamp == e.stamp) {
            ++t.current;
            continue;
        }
        bool logged = false, witnessed = witnesses(f->second.stamp, f->second.base, e.stamp);
        for (const Conflict& c : r.state.conflicts) {
            if (c.key != e.key || c.field != e.field) continue;
            if (c.stamp == e.stamp) logged = true;
            if (witnesses(c.stamp, c.base, e.stamp)) witnessed = true;
        }
        if (logged)
            ++t.logged;
        else if (witnessed)
            ++t.witnessed;
        else
            FAIL_CHECK("an edit vanished: " << e.key << " " << e.field << " " << e.value.dump() << " "
                                            << e.stamp);
    }
}

std::vector<Edit> editsIn(const std::string& out) {
    std::vector<Edit> edits;
    std::istringstream in(out);
    std::string line;
    while (std::getline(in, line)) {
        const json j = json::parse(line, nullptr, false);
        if (!j.is_object() || !j.contains("edit")) continue;
        const json& e = j["edit"];
        edits.push_back(Edit{e["key"], e["field"], e["stamp"], e["value"]});
    }
    return edits;
}

std::string replicaId(int i) {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016x", 0xa0 + i);
    return buf;
}

}  // namespace

TEST_CASE(
    "folder: 5 funnel-sync processes race on one folder; every edit current or logged on every replica") {
    TempDir work;
    const fs::path folder = work.path / "shared";
    fs::create_directory(folder);
    constexpr int kProcesses = 5;
    const int rounds =
        std::getenv("FUNNEL_FOLDER_ROUNDS") ? std::atoi(std::getenv("FUNNEL_FOLDER_ROUNDS")) : 100;
    auto base = [&](int i) {
        return std::vector<std::string>{"--store",        (work.path / ("s" + std::to_string(i))).string(),
                                        "--folder",       folder.string(),
                                        "--replica",      replicaId(i),
                                        "--seed",         std::to_string(i + 1),
                                        "--backoff-ms",   "20",
                                        "--max-attempts", "30"};
    };
    // The shared deals everybody edits.
    std::vector<std::string> setup = base(0);
    for (int k = 0; k < 5; ++k)
        setup.insert(setup.end(), {"command", json{{"op", "deal.create"},
                                                   {"id", "s" + std::to_string(k)},
                                                   {"title", "shared " + std::to_string(k)}}
                                                  .dump()});
    setup.push_back("sync");
    REQUIRE(run(work.path, setup).first == 0);
    for (int i = 1; i < kProcesses; ++i)
        REQUIRE(run(work.path,
                    [&] {
                        auto a = base(i);
                        a.push_back("sync");
                        return a;
                    }())
                    .first == 0);

    const Time started = wallNow();
    std::vector<pid_t> pids;
    for (int i = 0; i < kProcesses; ++i) {
        auto args = base(i);
        args.insert(args.end(), {"race", std::to_string(rounds)});
        pids.push_back(spawn(args, work.path / ("race-" + std::to_string(i) + ".txt")));
    }
    for (pid_t p : pids) {
        const int status = waitFor(p);
        CHECK(WIFEXITED(status));
        CHECK(WEXITSTATUS(status) == 0);
    }
    std::vector<Edit> edits;
    int syncs = 0, confirmed = 0, retried = 0;
    for (int i = 0; i < kProcesses; ++i) {
        const std::string out = readFile(work.path / ("race-" + std::to_string(i) + ".txt"));
        for (const Edit& e : editsIn(out)) edits.push_back(e);
        std::istringstream in(out);
        std::string line;
        while (std::getline(in, line)) {
            const json j = json::parse(line, nullptr, false);
            if (!j.is_object() || !j.contains("ok")) continue;
            ++syncs;
            if (j["ok"] == true) ++confirmed;
            if (j["attempts"].get<int>() > 1) ++retried;
        }
    }
    MESSAGE("race: " << kProcesses << " processes x " << rounds << " rounds in " << (wallNow() - started)
                     << " ms; " << syncs << " syncs, " << confirmed << " confirmed, " << retried
                     << " needed a retry");
    CHECK(syncs == kProcesses * rounds - 0);
    // Then everybody syncs in turns (twice: the last one's merge reaches the first).
    for (int pass = 0; pass < 2; ++pass)
        for (int i = 0; i < kProcesses; ++i) {
            auto args = base(i);
            args.push_back("sync");
            auto [code, out] = run(work.path, args);
            CHECK_MESSAGE(code == 0, out);
        }
    std::vector<std::string> dumps;
    for (int i = 0; i < kProcesses; ++i) {
        auto args = base(i);
        args.push_back("dump");
        dumps.push_back(run(work.path, args).second);
    }
    for (int i = 1; i < kProcesses; ++i) CHECK_MESSAGE(dumps[i] == dumps[0], "replica " << i << " differs");
    Tally t;
    for (const std::string& d : dumps) checkEdits(parseDump(d), edits, t);
    MESSAGE("edits: " << edits.size() << " per replica; over all replicas: " << t.added
                      << " additions present, " << t.current << " current, " << t.logged << " logged, "
                      << t.witnessed << " superseded by a writer who had seen them");
    CHECK(t.added > 0);
    CHECK(t.logged > 0);  // the race did produce concurrent edits
    // No temporary file is left behind by writers that finished normally.
    for (const auto& entry : fs::directory_iterator(folder))
        CHECK_MESSAGE(!isTempFile(entry.path().filename().string(), "team.json"), entry.path());
}

TEST_CASE("folder: 5 threads race on one folder; every edit current or logged") {
    TempDir work;
    const std::string folder = work.path.string();
    constexpr int kThreads = 5, kRounds = 60;
    std::vector<Workspace> ws;
    for (int i = 0; i < kThreads; ++i) {
        ws.emplace_back(makeDefaultDocument(0));
        ws.back().setReplica(replicaId(i));
    }
    auto syncOnce = [&](int i, std::mt19937_64& rng, int maxAttempts) {
        FolderSyncOptions o;
        o.backoffBaseMs = 5;
        o.maxAttempts = maxAttempts;
        std::uniform_real_distribution<double> u(0, 1);
        o.random = [&] { return u(rng); };
        FolderSync s(o);
        s.start(wallNow());
        while (s.busy()) {
            if (auto q = s.nextRequest(wallNow()))
                s.receive(native::perform(folder, *q), ws[i], wallNow());
            else
                std::this_thread::sleep_for(
                    std::chrono::milliseconds(std::max<Time>(1, s.wakeAt() - wallNow())));
        }
        return s.status();
    };
    std::mt19937_64 setupRng(1);
    for (int k = 0; k < 5; ++k)
        REQUIRE(ws[0]
                    .perform({{"op", "deal.create"}, {"id", "s" + std::to_string(k)}, {"title", "shared"}},
                             CommandContext{wallNow(), "m"})
                    .ok);
    for (int i = 0; i < kThreads; ++i) REQUIRE(syncOnce(i, setupRng, 10).outcome == TeamSyncOutcome::Synced);

    std::vector<std::vector<Edit>> edits(kThreads);
    std::vector<int> gaveUp(kThreads, 0);
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i)
        threads.emplace_back([&, i] {
            std::mt19937_64 rng(100 + i);
            std::uniform_real_distribution<double> u(0, 1);
            for (int round = 0; round < kRounds; ++round) {
                Edit e;
                json cmd;
                if (u(rng) < 0.4) {
                    const std::string id = "r" + std::to_string(i) + "-" + std::to_string(round);
                    cmd = {{"op", "deal.create"}, {"id", id}, {"title", "deal " + id}};
                    e = Edit{"deal:" + id, "title", "", cmd["title"]};
                } else {
                    const std::string id = "s" + std::to_string(int(u(rng) * 5));
                    cmd = {{"op", "deal.set"},
                           {"id", id},
                           {"field", "title"},
                           {"value", std::to_string(i) + "/" + std::to_string(round)}};
                    e = Edit{"deal:" + id, "title", "", cmd["value"]};
                }
                if (!ws[i].perform(cmd, CommandContext{wallNow(), "m"}).ok) continue;
                const RecordStamps& rs = ws[i].syncState().records.at(e.key);
                auto f = rs.fields.find("title");
                e.stamp = f != rs.fields.end() ? f->second.stamp : rs.created;
                edits[i].push_back(e);
                if (syncOnce(i, rng, 30).outcome != TeamSyncOutcome::Synced) ++gaveUp[i];
            }
        });
    for (std::thread& t : threads) t.join();
    std::mt19937_64 rng(7);
    for (int pass = 0; pass < 2; ++pass)
        for (int i = 0; i < kThreads; ++i) CHECK(syncOnce(i, rng, 10).outcome == TeamSyncOutcome::Synced);
    std::vector<Edit> all;
    for (auto& v : edits) all.insert(all.end(), v.begin(), v.end());
    Tally t;
    for (int i = 0; i < kThreads; ++i) {
        CHECK(canonicalText(ws[i].document(), ws[i].syncState()) ==
              canonicalText(ws[0].document(), ws[0].syncState()));
        checkEdits(Replica{ws[i].document(), ws[i].syncState()}, all, t);
    }
    MESSAGE("threads: " << all.size() << " edits; " << t.current << " current, " << t.logged << " logged, "
                        << t.witnessed << " superseded by a writer who had seen them (over all replicas)");
    CHECK(t.logged > 0);
}

TEST_CASE("folder: a writer killed between its temporary file and the swap leaves no damage") {
    TempDir work;
    const fs::path folder = work.path / "shared";
    fs::create_directory(folder);
    auto args = [&](const char* store, const char* replica, std::vector<std::string> more) {
        std::vector<std::string> a{
            "--store", (work.path / store).string(), "--folder", folder.string(), "--replica", replica};
        a.insert(a.end(), more.begin(), more.end());
        return a;
    };
    REQUIRE(run(work.path, args("a", "00000000000000a1",
                                {"command", R"({"op":"deal.create","id":"d1","title":"One"})", "sync"}))
                .first == 0);
    REQUIRE(run(work.path, args("b", "00000000000000b1", {"sync"})).first == 0);
    const std::string before = readFile(folder / "team.json");
    auto [code, out] = run(work.path,
                           args("b", "00000000000000b1",
                                {"command", R"({"op":"deal.create","id":"d2","title":"Killed"})", "sync"}),
                           /*dieBeforeSwap=*/true);
    CHECK(code == 128 + SIGKILL);
    CHECK(readFile(folder / "team.json") == before);  // untouched
    int temps = 0;
    for (const auto& e : fs::directory_iterator(folder))
        temps += isTempFile(e.path().filename().string(), "team.json");
    CHECK(temps == 1);  // the dead writer's complete temporary file, never taken for the team file
    // Others sync on; a's edit lands.
    CHECK(run(work.path, args("a", "00000000000000a1",
                              {"command", R"({"op":"deal.create","id":"d3","title":"Three"})", "sync"}))
              .first == 0);
    // The killed writer's edit was kept in its store: its next run writes it.
    CHECK(run(work.path, args("b", "00000000000000b1", {"sync"})).first == 0);
    CHECK(run(work.path, args("a", "00000000000000a1", {"sync"})).first == 0);
    Replica r = parseDump(run(work.path, args("a", "00000000000000a1", {"dump"})).second);
    for (const char* id : {"d1", "d2", "d3"}) CHECK(r.doc.findDeal(id));
    CHECK(run(work.path, args("a", "00000000000000a1", {"dump"})).second ==
          run(work.path, args("b", "00000000000000b1", {"dump"})).second);
    // Once stale (here: --stale-temp-ms 0), the temporary file is removed by the next sync.
    CHECK(run(work.path, args("a", "00000000000000a1",
                              {"--stale-temp-ms", "0", "command",
                               R"({"op":"deal.create","id":"d4","title":"Four"})", "sync"}))
              .first == 0);
    temps = 0;
    for (const auto& e : fs::directory_iterator(folder))
        temps += isTempFile(e.path().filename().string(), "team.json");
    CHECK(temps == 0);
}

TEST_CASE(
    "folder: conflict copies in Dropbox, OneDrive, Google Drive and Nextcloud names are merged and removed") {
    TempDir work;
    const fs::path folder = work.path / "shared";
    fs::create_directory(folder);
    auto args = [&](const std::string& store, const fs::path& f, std::vector<std::string> more) {
        std::vector<std::string> a{
            "--store",   (work.path / store).string(),
            "--folder",  f.string(),
            "--replica", store == "a" ? "00000000000000a1" : "00000000000000" + store + "1"};
        a.insert(a.end(), more.begin(), more.end());
        return a;
    };
    REQUIRE(run(work.path,
                args("a", folder, {"command", R"({"op":"deal.create","id":"d1","title":"Shared"})", "sync"}))
                .first == 0);
    const std::vector<std::pair<std::string, std::string>> copies = {
        {"b", "team (Bob's conflicted copy 2026-12-06).json"},   // Dropbox
        {"c", "team-DESKTOP-1.json"},                            // OneDrive
        {"d", "team (1).json"},                                  // Google Drive
        {"e", "team (conflicted copy 2026-12-06 101112).json"},  // Nextcloud
    };
    for (const auto& [r, name] : copies) REQUIRE(run(work.path, args(r, folder, {"sync"})).first == 0);
    for (const auto& [r, name] : copies) {
        // r edits, then writes its team file where the sync client would keep it as a copy.
        const fs::path own = work.path / ("own-" + r);
        fs::create_directory(own);
        fs::copy_file(folder / "team.json", own / "team.json");
        const std::string cmd = json{{"op", "deal.create"}, {"id", "from-" + r}, {"title", "by " + r}}.dump();
        const std::string title =
            json{{"op", "deal.set"}, {"id", "d1"}, {"field", "title"}, {"value", "title by " + r}}.dump();
        REQUIRE(run(work.path, args(r, own, {"command", cmd, "command", title, "sync"})).first == 0);
        fs::copy_file(own / "team.json", folder / name);
    }
    auto [code, out] = run(work.path, args("a", folder, {"sync"}));
    CHECK_MESSAGE(code == 0, out);
    for (const auto& [r, name] : copies) CHECK_MESSAGE(!fs::exists(folder / name), name << " is still there");
    Replica team = parseDump(readFile(folder / "team.json"));
    for (const auto& [r, name] : copies) CHECK(team.doc.findDeal("from-" + r));
    int titleConflicts = 0;
    for (const Conflict& c : team.state.conflicts) titleConflicts += c.key == "deal:d1" && c.field == "title";
    CHECK(titleConflicts == 3);  // four concurrent titles: one current, three logged
    // Everybody converges.
    for (const auto& [r, name] : copies) CHECK(run(work.path, args(r, folder, {"sync"})).first == 0);
    const std::string a = run(work.path, args("a", folder, {"sync", "dump"})).second;
    for (const auto& [r, name] : copies) {
        const std::string d = run(work.path, args(r, folder, {"dump"})).second;
        CHECK(d == a.substr(a.find('\n') + 1));
    }
}
