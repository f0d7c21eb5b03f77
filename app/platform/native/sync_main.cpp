// funnel-sync — the native team sync client: a local store (the same funnel::store::Store the
// browser keeps in IndexedDB) synced with a team file over HTTP by the core engine (TeamSync).
//
//   funnel-sync --store DIR (--url URL [--token T | --user NAME:PASSWORD] | --folder DIR
//               [--team-file NAME]) [--replica HEX16] [--skew-ms N] [--timeout-ms N]
//               [--max-attempts N] [--backoff-ms N] [--stale-temp-ms N] [--seed N]  ACTION...
//   --folder: the team file NAME (default team.json) in a shared folder, without a server
//   (core/folder_sync: write a temporary file and swap it in, confirm by reading again; sync
//   clients' conflict copies merged and removed).
//   ACTION: command '<json>'  apply a command to the local store (stamped; clock = now + skew)
//           sync              one full sync (retries included); prints one JSON line
//                             {"ok","attempts","in","out","etag","error","detail"}
//           dump              the local document with its sync state (canonical text)
//           conflicts         open conflicts as JSON
//           race N            (tests) N rounds of a random edit (seeded by --seed) and a sync;
//                             prints each edit as {"edit":{key,field,value,stamp}} and each
//                             sync's line; a sync that gave up under contention is no error
// Exit: 0 = everything ran and every sync was confirmed by a later GET; 3 = a sync gave up
// after --max-attempts; 4 = the remote was refused as invalid (nothing written; its text kept
// as DIR/rejected-<ms>.json); 1 = anything else (bad arguments, a refused command, HTTP 401/4xx).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <iostream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <httplib.h>

#include "core/folder_sync.h"
#include "core/merge.h"
#include "core/team_sync.h"
#include "core/workspace.h"
#include "platform/native/folder_io.h"
#include "platform/store.h"

namespace {

using funnel::json;
using funnel::Time;

Time wallNow() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

int usage(const std::string& why) {
    std::fprintf(stderr,
                 "funnel-sync: %s\n"
                 "usage: funnel-sync --store DIR (--url URL [--token T | --user NAME:PASSWORD] |\n"
                 "                   --folder DIR [--team-file NAME]) [--replica HEX16] [--skew-ms N]\n"
                 "                   [--timeout-ms N] [--max-attempts N] [--backoff-ms N] [--stale-temp-ms N]\n"
                 "                   [--seed N] (command '<json>' | sync | dump | conflicts | race N)...\n",
                 why.c_str());
    return 1;
}

// "http://host:port/path" -> ("http://host:port", "/path"); false when not http(s).
bool splitUrl(const std::string& url, std::string& origin, std::string& path) {
    const auto scheme = url.find("://");
    if (scheme == std::string::npos) return false;
    const std::string s = url.substr(0, scheme);
    if (s != "http" && s != "https") return false;
    const auto slash = url.find('/', scheme + 3);
    origin = slash == std::string::npos ? url : url.substr(0, slash);
    path = slash == std::string::npos ? "/" : url.substr(slash);
    return true;
}

funnel::TeamSyncResponse send(const funnel::TeamSyncRequest& req, const std::string& origin, const std::string& path) {
    funnel::TeamSyncResponse out;
    httplib::Client client(origin);
    const auto timeout = std::chrono::milliseconds(req.timeoutMs);
    client.set_connection_timeout(timeout);
    client.set_read_timeout(timeout);
    client.set_write_timeout(timeout);
    httplib::Headers headers;
    std::string contentType = "application/json";
    for (const auto& [k, v] : req.headers) {
        if (k == "Content-Type") contentType = v;
        else headers.emplace(k, v);
    }
    const Time started = wallNow();
    httplib::Result res = req.method == "PUT" ? client.Put(path, headers, req.body, contentType) : client.Get(path, headers);
    if (!res) {
        const auto err = res.error();
        const bool slow = wallNow() - started >= Time(req.timeoutMs) * 9 / 10;
        out.kind = slow || err == httplib::Error::ConnectionTimeout ? funnel::TeamSyncResponse::Kind::Timeout
                                                                    : funnel::TeamSyncResponse::Kind::NetworkError;
        out.error = httplib::to_string(err);
        return out;
    }
    out.status = res->status;
    out.etag = res->get_header_value("ETag");
    out.body = std::move(res->body);
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    std::string dir, url, authorization, replica, folder, teamFile = "team.json";
    Time skew = 0, backoffMs = -1, staleTempMs = -1;
    int timeoutMs = 30000, maxAttempts = 6;
    std::uint64_t seed = std::random_device{}();
    std::vector<std::pair<std::string, std::string>> actions;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto value = [&](std::string& out) {
            if (i + 1 >= argc) return false;
            out = argv[++i];
            return true;
        };
        std::string v;
        if (a == "--store") { if (!value(dir)) return usage("--store needs a directory"); }
        else if (a == "--url") { if (!value(url)) return usage("--url needs a URL"); }
        else if (a == "--folder") { if (!value(folder)) return usage("--folder needs a directory"); }
        else if (a == "--team-file") {
            if (!value(teamFile) || !funnel::plausibleTeamFileName(teamFile)) return usage("--team-file needs a name like team.json");
        }
        else if (a == "--backoff-ms") { if (!value(v)) return usage("--backoff-ms needs a number"); backoffMs = std::max(1, std::atoi(v.c_str())); }
        else if (a == "--stale-temp-ms") { if (!value(v)) return usage("--stale-temp-ms needs a number"); staleTempMs = std::max(0, std::atoi(v.c_str())); }
        else if (a == "--token") { if (!value(v)) return usage("--token needs a value"); authorization = "Bearer " + v; }
        else if (a == "--user") {
            if (!value(v) || v.find(':') == std::string::npos) return usage("--user needs NAME:PASSWORD");
            authorization = funnel::basicAuthorization(v.substr(0, v.find(':')), v.substr(v.find(':') + 1));
        }
        else if (a == "--replica") { if (!value(replica) || !funnel::isReplicaId(replica)) return usage("--replica needs 16 lowercase hex digits"); }
        else if (a == "--skew-ms") { if (!value(v)) return usage("--skew-ms needs a number"); skew = std::atoll(v.c_str()); }
        else if (a == "--timeout-ms") { if (!value(v)) return usage("--timeout-ms needs a number"); timeoutMs = std::max(1, std::atoi(v.c_str())); }
        else if (a == "--max-attempts") { if (!value(v)) return usage("--max-attempts needs a number"); maxAttempts = std::max(1, std::atoi(v.c_str())); }
        else if (a == "--seed") { if (!value(v)) return usage("--seed needs a number"); seed = std::strtoull(v.c_str(), nullptr, 10); }
        else if (a == "command") {
            if (!value(v)) return usage("command needs a JSON argument");
            actions.emplace_back(a, v);
        } else if (a == "race") {
            if (!value(v) || std::atoi(v.c_str()) < 1) return usage("race needs a number of rounds");
            actions.emplace_back(a, v);
        } else if (a == "sync" || a == "dump" || a == "conflicts") {
            actions.emplace_back(a, "");
        } else {
            return usage("unknown argument " + a);
        }
    }
    if (dir.empty()) return usage("--store is required");
    if (!url.empty() && !folder.empty()) return usage("--url and --folder exclude each other");

    funnel::store::Options storeOptions;
    storeOptions.writer = "funnel-sync";
    funnel::store::Store store(dir, storeOptions);
    funnel::store::LoadResult loaded = store.load();
    for (const auto& w : loaded.warnings) std::fprintf(stderr, "funnel-sync: store: %s\n", w.c_str());
    if (loaded.kind == funnel::store::LoadResult::Kind::Failed) {
        std::fprintf(stderr, "funnel-sync: cannot read the store %s: %s\n", dir.c_str(), loaded.error.c_str());
        return 1;
    }
    bool empty = loaded.kind == funnel::store::LoadResult::Kind::Empty;
    funnel::Workspace ws(empty ? funnel::makeDefaultDocument(0) : std::move(*loaded.document));
    const std::string storedReplica = ws.replica();
    if (!replica.empty()) ws.setReplica(replica);

    // Everything applied goes to the store before the next action: commands and merges alike.
    auto save = [&]() -> bool {
        std::vector<json> entries = ws.takeUnsaved();
        std::string err;
        if (empty) {
            err = store.reset(ws.storedDocument());
            empty = false;
        } else if (!entries.empty()) {
            err = store.append(entries);
        }
        if (err.empty() && store.wantsCompaction()) err = store.compact(ws.storedDocument());
        if (!err.empty()) std::fprintf(stderr, "funnel-sync: cannot save: %s\n", err.c_str());
        return err.empty();
    };
    // The replica id is part of the stored document: keep it from the first run on.
    if (empty) {
        if (!save()) return 1;
    } else if (ws.replica() != storedReplica) {
        if (auto err = store.reset(ws.storedDocument()); !err.empty()) {
            std::fprintf(stderr, "funnel-sync: cannot save: %s\n", err.c_str());
            return 1;
        }
    }

    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> uniform(0.0, 1.0);
    bool syncUsable = true;
    // One full sync through the team file's transport; prints its line. 0 = confirmed, 3 = gave
    // up, 4 = the team file was refused, 1 = anything else.
    auto runSync = [&]() -> int {
        funnel::TeamSyncStatus st;
        std::optional<std::string> rejected;
        bool saved = true;
        if (!folder.empty()) {
            funnel::FolderSyncOptions o;
            o.teamFile = teamFile;
            o.maxAttempts = maxAttempts;
            if (backoffMs > 0) o.backoffBaseMs = backoffMs;
            if (staleTempMs >= 0) o.staleTempMs = staleTempMs;
            o.random = [&] { return uniform(rng); };
            funnel::FolderSync sync(o);
            sync.start(wallNow() + skew);
            while (sync.busy()) {
                if (auto req = sync.nextRequest(wallNow() + skew)) {
                    funnel::FolderResponse res = funnel::native::perform(folder, *req);
                    sync.receive(res, ws, wallNow() + skew);
                    saved = save() && saved;  // a merge is durable before anything else happens
                } else {
                    const Time wait = sync.wakeAt() - (wallNow() + skew);
                    if (wait > 0) std::this_thread::sleep_for(std::chrono::milliseconds(wait));
                }
            }
            st = sync.status();
            rejected = sync.takeRejectedRemote();
            for (const std::string& n : sync.removedCopies())
                std::fprintf(stderr, "funnel-sync: merged and removed the conflict copy %s\n", n.c_str());
        } else {
            std::string origin, path;
            if (!splitUrl(url, origin, path)) {
                usage("--url must be http:// or https://");
                syncUsable = false;
                return 1;
            }
            funnel::TeamSyncOptions o;
            o.url = url;
            o.authorization = authorization;
            o.timeoutMs = timeoutMs;
            o.maxAttempts = maxAttempts;
            if (backoffMs > 0) o.backoffBaseMs = backoffMs;
            o.random = [&] { return uniform(rng); };
            funnel::TeamSync sync(o);
            sync.start(wallNow() + skew);
            while (sync.busy()) {
                if (auto req = sync.nextRequest(wallNow() + skew)) {
                    funnel::TeamSyncResponse res = send(*req, origin, path);
                    sync.receive(res, ws, wallNow() + skew);
                    saved = save() && saved;  // a merge is durable before anything else happens
                } else {
                    const Time wait = sync.wakeAt() - (wallNow() + skew);
                    if (wait > 0) std::this_thread::sleep_for(std::chrono::milliseconds(wait));
                }
            }
            st = sync.status();
            rejected = sync.takeRejectedRemote();
        }
        if (rejected) {
            const std::string backup = dir + "/rejected-" + std::to_string(wallNow()) + ".json";
            std::ofstream(backup, std::ios::binary) << *rejected;
            std::fprintf(stderr, "funnel-sync: the team file was refused; its text is kept in %s\n", backup.c_str());
        }
        const bool ok = st.outcome == funnel::TeamSyncOutcome::Synced && saved;
        json line = json::object();
        line["ok"] = ok;
        line["attempts"] = st.attempts;
        line["in"] = st.changesIn;
        line["out"] = st.changesOut;
        line["etag"] = st.etag;
        line["error"] = st.errorKey.empty() ? json() : json(st.errorKey);
        line["detail"] = st.errorDetail;
        line["conflicts"] = st.openConflicts;
        std::printf("%s\n", funnel::dumpJson(line).c_str());
        std::fflush(stdout);
        if (st.outcome == funnel::TeamSyncOutcome::GaveUp) return 3;
        if (st.outcome == funnel::TeamSyncOutcome::BadRemote) return 4;
        return ok ? 0 : 1;
    };

    int exitCode = 0;
    for (const auto& [action, arg] : actions) {
        const Time now = wallNow() + skew;
        if (action == "command") {
            json cmd = json::parse(arg, nullptr, false);
            if (cmd.is_discarded() || !cmd.is_object()) {
                std::fprintf(stderr, "funnel-sync: command: not a JSON object: %s\n", arg.c_str());
                return 1;
            }
            funnel::CommandContext ctx;
            ctx.now = now;
            ctx.actor = ws.document().settings.me;
            funnel::CommandResult r = ws.perform(cmd, ctx);
            if (!r.ok) {
                std::fprintf(stderr, "funnel-sync: command refused: %s\n", r.error.c_str());
                return 1;
            }
            if (!save()) return 1;
            if (!r.result.is_null()) std::fprintf(stderr, "funnel-sync: command: %s\n", funnel::dumpJson(r.result).c_str());
        } else if (action == "sync") {
            if (url.empty() && folder.empty()) return usage("sync needs --url or --folder");
            const int code = runSync();
            if (code == 1 && !syncUsable) return 1;
            if (code != 0) exitCode = code;
        } else if (action == "race") {
            if (url.empty() && folder.empty()) return usage("race needs --url or --folder");
            const int rounds = std::atoi(arg.c_str());
            const std::string me = ws.replica();
            for (int round = 0; round < rounds; ++round) {
                json cmd;
                std::string key, field = "title";
                if (uniform(rng) < 0.4) {  // an addition: must survive every race
                    const std::string id = "r" + me.substr(12) + "-" + std::to_string(round);
                    cmd = {{"op", "deal.create"}, {"id", id}, {"title", "deal " + id}};
                    key = "deal:" + id;
                } else {  // an edit of a field the others edit too: current or logged, never lost
                    const std::string id = "s" + std::to_string(int(uniform(rng) * 5));
                    if (!ws.document().findDeal(id)) continue;
                    if (uniform(rng) < 0.5) field = "value";
                    json value = field == "title" ? json(me.substr(12) + " round " + std::to_string(round))
                                                  : json(std::int64_t(uniform(rng) * 1e9));
                    cmd = {{"op", "deal.set"}, {"id", id}, {"field", field}, {"value", value}};
                    key = "deal:" + id;
                }
                funnel::CommandContext ctx;
                ctx.now = wallNow() + skew;
                ctx.actor = ws.document().settings.me;
                funnel::CommandResult r = ws.perform(cmd, ctx);
                if (!r.ok) {
                    std::fprintf(stderr, "funnel-sync: race: command refused: %s\n", r.error.c_str());
                    return 1;
                }
                if (!save()) return 1;
                const auto& records = ws.syncState().records;
                std::string stamp;
                if (auto it = records.find(key); it != records.end()) {
                    auto f = it->second.fields.find(field);
                    stamp = f != it->second.fields.end() ? f->second.stamp : it->second.created;
                }
                json edit = {{"key", key}, {"field", field}, {"value", cmd.contains("value") ? cmd["value"] : cmd["title"]},
                             {"stamp", stamp}};
                std::printf("%s\n", funnel::dumpJson(json{{"edit", edit}}).c_str());
                const int code = runSync();
                if (code == 1 || code == 4) exitCode = code;  // giving up under contention is no error here
            }
        } else if (action == "dump") {
            std::printf("%s\n", funnel::canonicalText(ws.document(), ws.syncState()).c_str());
            std::fflush(stdout);
        } else if (action == "conflicts") {
            json list = json::array();
            for (const funnel::Conflict& c : funnel::openConflicts(ws.document(), ws.syncState())) {
                json e = json::object();
                e["key"] = c.key;
                e["field"] = c.field;
                e["value"] = c.value;
                e["stamp"] = c.stamp;
                e["base"] = funnel::encodeBase(c.base);
                e["replica"] = funnel::replicaOf(c.stamp);
                list.push_back(std::move(e));
            }
            std::printf("%s\n", funnel::dumpJson(list).c_str());
            std::fflush(stdout);
        }
    }
    return exitCode;
}
