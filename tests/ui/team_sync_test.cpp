// Funnel — headless UI tests of team sync: the Settings form makes the requests the platform
// performs, the status-line indicator says what the last sync did and leads to the section, and
// the conflicts panel resolves a real conflict (made by merge.h) with keep mine / keep theirs / edit.
#include <doctest/doctest.h>

#include "core/merge.h"
#include "driver.h"
#include "ui/strings.h"

using namespace funnel;
using funnel::test::UiDriver;
using funnel::ui::SyncRequest;
using funnel::ui::SyncSettings;
using funnel::ui::SyncStatus;

namespace {

const Time kT0 = 1764288000000;  // the driver's clock

// Two devices that edited the same deal's title before syncing: after A merges B's file, A's
// document holds B's later title and A's own title is logged as a conflict.
struct Conflicted {
    Document doc;
    SyncState state;
    Clock clock{"000000000000000a"};
    Id deal;

    Conflicted() {
        Document base = makeDefaultDocument(kT0 - 1000);
        CommandContext cc{kT0 - 1000, base.settings.me};
        auto r = applyCommand(base,
                              {{"op", "deal.create"},
                               {"title", "Pilot"},
                               {"pipelineId", base.pipelines.front().id},
                               {"stageId", base.pipelines.front().stages.front().id}},
                              cc);
        REQUIRE(r.ok);
        deal = r.result["id"].get<std::string>();
        Document a = base, b = base;
        SyncState sa, sb;
        Clock cb("000000000000000b");
        a.findDeal(deal)->title = "Pilot (mine)";
        stampChange(sa, clock, base, a, kT0 - 500);
        b.findDeal(deal)->title = "Pilot (theirs)";
        stampChange(sb, cb, base, b, kT0 - 400);
        MergeResult m = merge(a, sa, b, sb);
        REQUIRE_MESSAGE(m.ok, m.error);
        doc = std::move(m.doc);
        state = std::move(m.state);
        acknowledge(state, clock);
        REQUIRE(doc.findDeal(deal)->title == "Pilot (theirs)");
    }

    SyncStatus status() const {
        SyncStatus s;
        s.state = SyncStatus::State::Idle;
        s.settings.url = "https://files.example/team.json";
        s.replica = clock.replica();
        s.lastSyncedAt = kT0 - 2 * 60 * 1000;
        s.conflicts = conflictChoices(doc, state);
        return s;
    }
};

// What the platform does with a Resolve request.
void perform(Conflicted& c, const SyncRequest& r) {
    REQUIRE(r.kind == SyncRequest::Kind::Resolve);
    REQUIRE(resolveConflict(c.doc, c.state, c.clock, r.key, r.field, r.value, kT0));
}

}  // namespace

TEST_CASE("setting up sync in Settings: the form checks the address, then asks the platform to start") {
    UiDriver ui(makeDefaultDocument(kT0));
    ui.app().open("#/settings/sync");
    ui.frames(3);
    REQUIRE(ui.has("section:sync"));
    CHECK_FALSE(ui.has("button:sync.now"));  // not set up yet: only Start

    ui.click("field:sync.url");
    ui.type("files.example/team.json");  // no scheme
    ui.click("field:sync.auth.token");
    ui.frames(2);
    ui.click("field:sync.token");
    ui.type("s3cret-token");
    ui.click("button:sync.start");
    ui.frames(2);
    CHECK(ui.app().takeSyncRequests().empty());
    CHECK(ui.has("sync:form-error"));

    ui.click("field:sync.url");
    ui.press(ImGuiKey_A, ImGuiMod_Ctrl);
    ui.type("https://files.example/team.json");
    ui.click("button:sync.start");
    ui.frames(2);
    auto requests = ui.app().takeSyncRequests();
    REQUIRE(requests.size() == 1);
    const SyncRequest& r = requests[0];
    CHECK(r.kind == SyncRequest::Kind::Configure);
    CHECK(r.settings.url == "https://files.example/team.json");
    CHECK(r.settings.auth == SyncSettings::Auth::Bearer);
    CHECK(r.secret == "s3cret-token");
    CHECK_FALSE(r.settings.remember);  // off unless ticked
    CHECK(r.settings.intervalS == 60);
    CHECK_FALSE(ui.has("sync:form-error"));
    // The document (shared with the team) carries none of it.
    const std::string text = encodeDocumentText(ui.doc());
    CHECK(text.find("files.example") == std::string::npos);
    CHECK(text.find("s3cret") == std::string::npos);
}

TEST_CASE(
    "sync settings: user and password, remember ticked, another interval; Sync now and Stop once set up") {
    UiDriver ui(makeDefaultDocument(kT0));
    ui.app().open("#/settings/sync");
    ui.frames(2);
    ui.click("field:sync.url");
    ui.type("https://dav.example/funnel/team.json");
    ui.click("field:sync.auth.basic");
    ui.frames(2);
    ui.click("button:sync.start");  // no user yet
    ui.frames(2);
    CHECK(ui.app().takeSyncRequests().empty());
    ui.click("field:sync.user");
    ui.type("mina");
    ui.click("field:sync.password");
    ui.type("pw");
    ui.click("field:sync.remember");
    ui.click("field:sync.interval");
    ui.frames(2);
    ui.click("interval:900");
    ui.frames(2);
    ui.click("button:sync.start");
    ui.frames(2);
    auto requests = ui.app().takeSyncRequests();
    REQUIRE(requests.size() == 1);
    CHECK(requests[0].settings.auth == SyncSettings::Auth::Basic);
    CHECK(requests[0].settings.user == "mina");
    CHECK(requests[0].secret == "pw");
    CHECK(requests[0].settings.remember);
    CHECK(requests[0].settings.intervalS == 900);

    // The platform took it: the form now offers Sync now and Stop, and keeps the held password.
    SyncStatus s;
    s.state = SyncStatus::State::Idle;
    s.settings = requests[0].settings;
    s.hasSecret = true;
    ui.app().setSyncStatus(s);
    ui.frames(2);
    ui.click("button:sync.now");
    ui.frames(1);
    auto now = ui.app().takeSyncRequests();
    REQUIRE(now.size() == 1);
    CHECK(now[0].kind == SyncRequest::Kind::SyncNow);
    ui.click("button:sync.stop");
    ui.frames(1);
    auto stop = ui.app().takeSyncRequests();
    REQUIRE(stop.size() == 1);
    CHECK(stop[0].kind == SyncRequest::Kind::Stop);
}

TEST_CASE(
    "the status line says when the last sync was and what it did, in plain words; a click opens the "
    "section") {
    UiDriver ui(makeDefaultDocument(kT0));
    CHECK(ui.has("Team sync: off"));
    SyncStatus s;
    s.state = SyncStatus::State::Idle;
    s.settings.url = "https://files.example/team.json";
    s.lastSyncedAt = ui.now - 2 * 60 * 1000;
    s.changesIn = 3;
    s.changesOut = 1;
    ui.app().setSyncStatus(s);
    ui.frames(1);
    CHECK(ui.has("✓ Synced 2 min ago · 3 in, 1 out"));

    s.state = SyncStatus::State::Offline;
    ui.app().setSyncStatus(s);
    ui.frames(1);
    CHECK(ui.has("Offline: your changes are kept and sync when you are back online."));

    s.state = SyncStatus::State::Error;
    s.errorKey = "sync.error.bad_remote";
    ui.app().setSyncStatus(s);
    ui.frames(1);
    CHECK(ui.has(std::string("Not synced: ") + ui::tr("sync.error.bad_remote", "en")));

    s.state = SyncStatus::State::Syncing;
    ui.app().setSyncStatus(s);
    ui.frames(1);
    CHECK(ui.has("Syncing…"));
    CHECK(ui.app().animating());  // the spinner turns

    ui.click("status:sync");
    ui.frames(2);
    CHECK(ui.app().route() == "#/settings/sync");
    CHECK(ui.has("section:sync"));
}

TEST_CASE("plain http:// to another machine is warned about under the address; loopback and https are not") {
    using funnel::ui::plainHttpToOtherHost;
    CHECK(plainHttpToOtherHost("http://files.example/team.json"));
    CHECK(plainHttpToOtherHost("HTTP://192.168.1.20:8080/sync/team.json"));
    CHECK(plainHttpToOtherHost("http://user:pw@files.example"));
    CHECK(plainHttpToOtherHost("http://127.0.0.1.evil.example/sync/t.json"));
    CHECK(plainHttpToOtherHost("http://[2001:db8::1]:8080/t.json"));
    CHECK_FALSE(plainHttpToOtherHost("https://files.example/team.json"));
    CHECK_FALSE(plainHttpToOtherHost("http://127.0.0.1:8080/sync/team.json"));
    CHECK_FALSE(plainHttpToOtherHost("http://localhost:8080/sync/team.json"));
    CHECK_FALSE(plainHttpToOtherHost("http://app.localhost/sync/team.json"));
    CHECK_FALSE(plainHttpToOtherHost("http://[::1]:8080/sync/team.json"));
    CHECK_FALSE(plainHttpToOtherHost("http://"));

    for (const char* lang : {"en", "ko"}) {
        CAPTURE(lang);
        UiDriver ui(makeDefaultDocument(kT0), lang);
        ui.app().open("#/settings/sync");
        ui.frames(3);
        ui.click("field:sync.url");
        ui.type("http://127.0.0.1:8080/sync/team.json");
        ui.frames(2);
        CHECK_FALSE(ui.has("sync:plain-http-warning"));
        ui.click("field:sync.url");
        ui.press(ImGuiKey_A, ImGuiMod_Ctrl);
        ui.type("http://files.example/team.json");
        ui.frames(2);
        REQUIRE(ui.has("sync:plain-http-warning"));
        // Under the address, and readable: it lies below the field, inside the window.
        const auto field = ui.rect("field:sync.url");
        const auto warning = ui.rect("sync:plain-http-warning");
        CHECK(warning.y >= field.y + field.h - 1);
        CHECK(warning.h > 0);
        // A warning, not a refusal: Start still sends the request.
        ui.click("button:sync.start");
        ui.frames(2);
        CHECK(ui.app().takeSyncRequests().size() == 1);
    }
}

TEST_CASE("the status line in Chinese and Korean") {
    SyncStatus s;
    s.state = SyncStatus::State::Idle;
    s.lastSyncedAt = kT0 - 3 * 3600 * 1000;
    {
        UiDriver zh(makeDefaultDocument(kT0), "zh-Hans");
        zh.app().setSyncStatus(s);
        zh.frames(1);
        CHECK(zh.has("✓ 已同步 3 小时前"));
    }
    {
        UiDriver ko(makeDefaultDocument(kT0), "ko");
        ko.app().setSyncStatus(s);
        ko.frames(1);
        CHECK(ko.has("✓ 동기화됨 3시간 전"));
    }
}

TEST_CASE("conflicts panel: the record, the field, both values with who; Keep theirs resolves it") {
    Conflicted c;
    UiDriver ui(c.doc);
    ui.app().setSyncStatus(c.status());
    ui.frames(2);
    REQUIRE(ui.has("status:sync-conflicts"));
    CHECK(ui.has("⚠ 1 conflict"));
    ui.click("status:sync-conflicts");
    ui.frames(3);
    CHECK(ui.app().route() == "#/settings/sync");
    const std::string id = "deal:" + c.deal + ":title";
    REQUIRE(ui.has("conflict:" + id));
    CHECK(ui.has("Deal · Pilot (theirs) — Title"));
    CHECK(ui.has("conflict.current:" + id));
    CHECK(ui.has("conflict.other:" + id));
    // The current value came from the other device, the logged one from this one.
    REQUIRE(c.status().conflicts.size() == 1);
    CHECK(replicaOf(c.status().conflicts[0].logged.stamp) == c.clock.replica());

    // "Keep theirs" keeps the current value here (B's), and resolves it.
    ui.click("button:conflict.keep-current:" + id);
    ui.frames(1);
    auto requests = ui.app().takeSyncRequests();
    REQUIRE(requests.size() == 1);
    CHECK(requests[0].key == "deal:" + c.deal);
    CHECK(requests[0].field == "title");
    CHECK(requests[0].value == "Pilot (theirs)");
    perform(c, requests[0]);
    CHECK(c.doc.findDeal(c.deal)->title == "Pilot (theirs)");
    CHECK(conflictChoices(c.doc, c.state).empty());
    ui.app().setSyncStatus(c.status());
    ui.frames(2);
    CHECK_FALSE(ui.has("conflict:" + id));
    CHECK(ui.has("No conflicts."));
    CHECK_FALSE(ui.has("status:sync-conflicts"));
}

TEST_CASE("conflicts panel: Keep mine restores this device's value; Edit writes a third") {
    {
        Conflicted c;
        UiDriver ui(c.doc);
        ui.app().setSyncStatus(c.status());
        ui.app().open("#/settings/sync");
        ui.frames(3);
        const std::string id = "deal:" + c.deal + ":title";
        ui.click("button:conflict.use-other:" + id);  // labelled "Keep mine" here
        ui.frames(1);
        auto requests = ui.app().takeSyncRequests();
        REQUIRE(requests.size() == 1);
        CHECK(requests[0].value == "Pilot (mine)");
        perform(c, requests[0]);
        CHECK(c.doc.findDeal(c.deal)->title == "Pilot (mine)");
        CHECK(conflictChoices(c.doc, c.state).empty());
    }
    {
        Conflicted c;
        UiDriver ui(c.doc);
        ui.app().setSyncStatus(c.status());
        ui.app().open("#/settings/sync");
        ui.frames(3);
        const std::string id = "deal:" + c.deal + ":title";
        CHECK(ui.has("Keep mine"));
        CHECK(ui.has("Keep theirs"));
        ui.click("button:conflict.edit:" + id);
        ui.frames(2);
        ui.click("field:conflict.edit:" + id);
        ui.press(ImGuiKey_A, ImGuiMod_Ctrl);
        ui.type("Pilot (agreed)");
        ui.click("button:conflict.save:" + id);
        ui.frames(1);
        auto requests = ui.app().takeSyncRequests();
        REQUIRE(requests.size() == 1);
        CHECK(requests[0].value == "Pilot (agreed)");
        perform(c, requests[0]);
        CHECK(c.doc.findDeal(c.deal)->title == "Pilot (agreed)");
        CHECK(conflictChoices(c.doc, c.state).empty());
    }
}

TEST_CASE("every error key the sync engine and the browser link report has a text in every language") {
    for (const char* key :
         {"sync.error.network", "sync.error.timeout", "sync.error.server", "sync.error.auth",
          "sync.error.refused", "sync.error.unsupported", "sync.error.bad_remote", "sync.error.unknown",
          "sync.error.too_large"})
        for (const char* lang : ui::kLanguages) {
            CAPTURE(key);
            CHECK(std::string(ui::tr(key, lang)) != key);
        }
}

TEST_CASE("a shared folder: pick, start, permission asked again with one click; no API: says so, offers the server") {
    UiDriver ui(makeDefaultDocument(kT0));
    SyncStatus s;
    s.folderSupported = true;
    ui.app().setSyncStatus(s);
    ui.app().open("#/settings/sync");
    ui.frames(2);
    ui.click("field:sync.where.folder");
    ui.frames(2);
    CHECK_FALSE(ui.has("field:sync.url"));
    ui.click("button:sync.start");  // no folder yet
    ui.frames(2);
    CHECK(ui.app().takeSyncRequests().empty());
    CHECK(ui.has("sync:form-error"));
    ui.click("button:sync.folder.choose");
    ui.frames(1);
    auto pick = ui.app().takeSyncRequests();
    REQUIRE(pick.size() == 1);
    CHECK(pick[0].kind == SyncRequest::Kind::PickFolder);

    s.pickedFolder = "Team Drive";  // the platform's picker answered
    ui.app().setSyncStatus(s);
    ui.frames(2);
    CHECK_FALSE(ui.has("button:sync.folder.allow"));
    ui.click("button:sync.start");
    ui.frames(2);
    auto start = ui.app().takeSyncRequests();
    REQUIRE(start.size() == 1);
    CHECK(start[0].kind == SyncRequest::Kind::Configure);
    CHECK(start[0].settings.where == SyncSettings::Where::Folder);
    CHECK(start[0].settings.folder == "Team Drive");
    CHECK(start[0].settings.url.empty());

    // Set up; then the browser takes the permission back.
    s.state = SyncStatus::State::Error;
    s.settings = start[0].settings;
    s.errorKey = "sync.error.permission";
    s.folderNeedsPermission = true;
    ui.app().setSyncStatus(s);
    ui.frames(2);
    REQUIRE(ui.has("button:sync.folder.allow"));
    ui.click("button:sync.folder.allow");
    ui.frames(1);
    auto grant = ui.app().takeSyncRequests();
    REQUIRE(grant.size() == 1);
    CHECK(grant[0].kind == SyncRequest::Kind::GrantFolder);

    // A browser without the File System Access API.
    UiDriver other(makeDefaultDocument(kT0));
    other.app().setSyncStatus(SyncStatus{});
    other.app().open("#/settings/sync");
    other.frames(2);
    other.click("field:sync.where.folder");
    other.frames(2);
    CHECK(other.has("sync:folder-unsupported"));
    CHECK_FALSE(other.has("button:sync.folder.choose"));
    other.click("button:sync.folder.use_server");
    other.frames(2);
    CHECK(other.has("field:sync.url"));
}
