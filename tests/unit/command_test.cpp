// Funnel — unit tests of commands: every op applies, validates, undoes exactly and redoes.
#include <doctest/doctest.h>

#include "core/codec.h"
#include "core/command.h"
#include "core/workspace.h"

using namespace funnel;

namespace {
const Time kT0 = 1'780'000'000'000;  // 2026-05-28

CommandContext at(Time t) { return CommandContext{t, "m-me"}; }

// A document with one customer, one contact and two deals, built through commands.
struct Fixture {
    Document doc = makeDefaultDocument(kT0);
    Id customer, contact, deal, deal2, activity;
    const Pipeline& pipeline() const { return doc.pipelines[0]; }
    Id stage(int i) const { return pipeline().stages[std::size_t(i)].id; }

    json run(const json& cmd, Time t = kT0) {
        CommandResult r = applyCommand(doc, cmd, at(t));
        REQUIRE_MESSAGE(r.ok, r.error);
        return r.result;
    }
    Fixture() {
        customer = run({{"op", "customer.create"}, {"name", "上海明远科技"}, {"grade", "A"}})["id"];
        contact = run({{"op", "contact.create"}, {"customerId", customer}, {"name", "王伟"}, {"role", "decisionMaker"}})["id"];
        deal = run({{"op", "deal.create"}, {"title", "ERP rollout"}, {"customerId", customer}, {"value", 120000}})["id"];
        deal2 = run({{"op", "deal.create"}, {"title", "Support"}, {"customerId", customer}, {"value", 5000}, {"currency", "USD"}})["id"];
        activity = run({{"op", "activity.create"}, {"dealId", deal}, {"kind", "call"}, {"subject", "Intro call"}})["id"];
    }
};

std::string text(const Document& d) { return encodeDocumentText(d); }
}  // namespace

TEST_CASE("creates fill ids and times deterministically; replaying `applied` gives the same document") {
    Fixture f;
    const Deal* d = f.doc.findDeal(f.deal);
    REQUIRE(d);
    CHECK(d->pipelineId == "p-default");
    CHECK(d->stageId == f.stage(0));
    CHECK(d->owner == "m-me");
    CHECK(d->createdAt == kT0);
    REQUIRE(d->stageHistory.size() == 1);
    CHECK(d->stageHistory[0].at == kT0);
    CHECK(f.doc.findActivity(f.activity)->customerId == f.customer);

    // Replay every applied command on a fresh document at another time and with another actor.
    Document a = makeDefaultDocument(kT0), b = makeDefaultDocument(kT0);
    const json cmds[] = {
        {{"op", "customer.create"}, {"name", "Acme"}},
        {{"op", "member.create"}, {"name", "Kim Minji"}},
    };
    std::vector<json> applied;
    for (const json& c : cmds) {
        CommandResult r = applyCommand(a, c, at(kT0));
        REQUIRE(r.ok);
        CHECK(r.applied.contains("id"));
        CHECK(r.applied["at"] == formatTime(kT0));
        CHECK(r.applied["by"] == "m-me");
        applied.push_back(r.applied);
    }
    CHECK(a.members.back().initials == "KM");
    for (const json& c : applied) REQUIRE(applyCommand(b, c, CommandContext{kT0 + 99999, "someone"}).ok);
    CHECK(text(a) == text(b));
}

TEST_CASE("every op: undo restores the exact document, redo the exact result") {
    Fixture f;
    const Id s2 = f.stage(2), won = f.stage(6);
    std::vector<json> ops = {
        {{"op", "customer.create"}, {"name", "김앤장"}, {"source", "referral"}, {"referredBy", f.customer}},
        {{"op", "customer.set"}, {"id", f.customer}, {"field", "industry"}, {"value", "Manufacturing"}},
        {{"op", "customer.set"}, {"id", f.customer}, {"field", "profile"}, {"value", {{"hobbies", "golf"}}}},
        {{"op", "customer.delete"}, {"id", f.customer}},
        {{"op", "contact.create"}, {"customerId", f.customer}, {"name", "李娜"}},
        {{"op", "contact.set"}, {"id", f.contact}, {"field", "attitude"}, {"value", "supporter"}},
        {{"op", "contact.delete"}, {"id", f.contact}},
        {{"op", "deal.create"}, {"title", "Pilot"}, {"customerId", f.customer}, {"stageId", s2}},
        {{"op", "deal.set"}, {"id", f.deal}, {"field", "value"}, {"value", 99}},
        {{"op", "deal.set"}, {"id", f.deal}, {"field", "probability"}, {"value", 33}},
        {{"op", "deal.set"}, {"id", f.deal}, {"field", "expectedClose"}, {"value", "2026-07-01"}},
        {{"op", "deal.set"}, {"id", f.deal}, {"field", "contactIds"}, {"value", {f.contact}}},
        {{"op", "deal.set"}, {"id", f.deal}, {"field", "qualification"}, {"value", {{"money", true}}}},
        {{"op", "deal.move"}, {"id", f.deal}, {"stageId", s2}},
        {{"op", "deal.move"}, {"id", f.deal}, {"stageId", won}},
        {{"op", "deal.move"}, {"id", f.deal2}, {"stageId", f.stage(0)}, {"index", 0}},
        {{"op", "deal.reorder"}, {"id", f.deal}, {"index", 1}},
        {{"op", "deal.win"}, {"id", f.deal}},
        {{"op", "deal.lose"}, {"id", f.deal}, {"reason", "price"}},
        {{"op", "deal.suspend"}, {"id", f.deal}, {"until", "2026-09-01"}},
        {{"op", "deal.check"}, {"id", f.deal}, {"item", "First contact made"}, {"done", true}},
        {{"op", "deal.delete"}, {"id", f.deal}},
        {{"op", "deal.objection.add"}, {"dealId", f.deal}, {"category", "price"}, {"text", "Too expensive"}},
        {{"op", "activity.create"}, {"customerId", f.customer}, {"kind", "visit"}, {"subject", "Visit"}, {"doneAt", "2026-05-27T10:00:00Z"}},
        {{"op", "activity.set"}, {"id", f.activity}, {"field", "subject"}, {"value", "Call back"}},
        {{"op", "activity.complete"}, {"id", f.activity}, {"outcome", "agreed to a demo"}, {"advanced", true}},
        {{"op", "activity.delete"}, {"id", f.activity}},
        {{"op", "pipeline.create"}, {"name", "SMB"}, {"stages", {{{"name", "New"}, {"probability", 10}}, {{"name", "Won"}, {"probability", 100}}}}},
        {{"op", "pipeline.set"}, {"id", "p-default"}, {"field", "name"}, {"value", "Key accounts"}},
        {{"op", "stage.create"}, {"pipelineId", "p-default"}, {"name", "Trial"}, {"probability", 50}, {"index", 4}},
        {{"op", "stage.set"}, {"id", s2}, {"field", "rottingDays"}, {"value", 3}},
        {{"op", "stage.move"}, {"id", s2}, {"index", 0}},
        {{"op", "stage.delete"}, {"id", f.stage(0)}, {"moveTo", s2}},
        {{"op", "stage.delete"}, {"id", f.stage(5)}},
        {{"op", "member.create"}, {"name", "박지성"}, {"role", "manager"}},
        {{"op", "member.set"}, {"id", "m-me"}, {"field", "name"}, {"value", "Wang Lei"}},
        {{"op", "settings.set"}, {"field", "displayCurrency"}, {"value", "USD"}},
        {{"op", "settings.set"}, {"field", "targets"}, {"value", {{"m-me:2026-05", 100000}}}},
        {{"op", "document.replace"}, {"document", encodeDocument(makeDefaultDocument(0, "p-other"))}},
        {{"op", "document.replace"}, {"text", encodeDocumentText(makeDefaultDocument(0, "p-text"))}},
    };
    // Ops that need a state first: {setup commands…, op}.
    const std::vector<std::vector<json>> staged = {
        {{{"op", "customer.delete"}, {"id", f.customer}}, {{"op", "customer.restore"}, {"id", f.customer}}},
        {{{"op", "contact.delete"}, {"id", f.contact}}, {{"op", "contact.restore"}, {"id", f.contact}}},
        {{{"op", "deal.delete"}, {"id", f.deal}}, {{"op", "deal.restore"}, {"id", f.deal}}},
        {{{"op", "activity.delete"}, {"id", f.activity}}, {{"op", "activity.restore"}, {"id", f.activity}}},
        {{{"op", "deal.win"}, {"id", f.deal}}, {{"op", "deal.reopen"}, {"id", f.deal}}},
        {{{"op", "deal.objection.add"}, {"dealId", f.deal}, {"id", "o1"}, {"text", "Too slow"}},
         {{"op", "deal.objection.set"}, {"dealId", f.deal}, {"id", "o1"}, {"field", "resolved"}, {"value", true}}},
        {{{"op", "deal.objection.add"}, {"dealId", f.deal}, {"id", "o1"}, {"text", "Too slow"}},
         {{"op", "deal.objection.remove"}, {"dealId", f.deal}, {"id", "o1"}}},
        {{{"op", "member.create"}, {"id", "m-2"}, {"name", "Lee"}}, {{"op", "member.delete"}, {"id", "m-2"}}},
        {{{"op", "pipeline.create"}, {"id", "p-2"}, {"name", "SMB"}},
         {{"op", "settings.set"}, {"field", "defaultPipeline"}, {"value", "p-2"}},
         {{"op", "pipeline.delete"}, {"id", "p-2"}}},
    };
    std::vector<std::pair<std::vector<json>, json>> cases;
    for (const json& op : ops) cases.push_back({{}, op});
    for (const auto& st : staged) cases.push_back({std::vector<json>(st.begin(), st.end() - 1), st.back()});
    for (const auto& [setup, op] : cases) {
        CAPTURE(op);
        Fixture g = f;  // the commands name f's ids
        for (const json& c : setup) REQUIRE(applyCommand(g.doc, c, at(kT0 + 500)).ok);
        const Document start = g.doc;
        const std::string before = text(g.doc);
        History h;
        CommandResult r = h.perform(g.doc, op, at(kT0 + 1000));
        REQUIRE_MESSAGE(r.ok, r.error);
        CHECK_FALSE(r.description.empty());
        CHECK(r.inverse.is_object());
        const std::string after = text(g.doc);
        CHECK(after != before);
        if (op["op"] != "document.replace") {
            REQUIRE_FALSE(g.doc.changes.empty());
            CHECK(g.doc.changes.back().what == r.description);
            CHECK(g.doc.changes.back().by == "m-me");
            CHECK(g.doc.changes.back().at == kT0 + 1000);
        }
        CHECK(h.canUndo());
        CommandResult u = h.undo(g.doc, at(kT0 + 2000));
        REQUIRE_MESSAGE(u.ok, u.error);
        CHECK(text(g.doc) == before);
        CHECK(g.doc == start);
        CHECK(h.canRedo());
        CommandResult re = h.redo(g.doc, at(kT0 + 3000));
        REQUIRE_MESSAGE(re.ok, re.error);
        CHECK(text(g.doc) == after);
        REQUIRE(h.undo(g.doc, at(kT0 + 4000)).ok);
        CHECK(text(g.doc) == before);
    }
}

TEST_CASE("commands refuse bad input and change nothing") {
    Fixture f;
    Document other = makeDefaultDocument(0, "p-smb");
    f.doc.pipelines.push_back(other.pipelines[0]);
    const std::string before = text(f.doc);
    struct Bad {
        json cmd;
        const char* error;  // a substring of the expected error
    };
    const Bad bad[] = {
        {json::array(), "expected a JSON object"},
        {{{"op", "deal.fly"}}, "unknown op"},
        {{{"op", "deal.set"}, {"id", "nope"}, {"field", "value"}, {"value", 1}}, "deal nope: unknown id"},
        {{{"op", "deal.set"}, {"id", f.deal}, {"field", "value"}, {"value", "lots"}}, "value: expected a number"},
        {{{"op", "deal.set"}, {"id", f.deal}, {"field", "value"}, {"value", -5}}, "value: expected a number ≥ 0"},
        {{{"op", "deal.set"}, {"id", f.deal}, {"field", "probability"}, {"value", 101}}, "probability: expected an integer from 0 to 100"},
        {{{"op", "deal.set"}, {"id", f.deal}, {"field", "currency"}, {"value", "yen"}}, "currency"},
        {{{"op", "deal.set"}, {"id", f.deal}, {"field", "expectedClose"}, {"value", "2026-02-30"}}, "expectedClose"},
        {{{"op", "deal.set"}, {"id", f.deal}, {"field", "title"}, {"value", "  "}}, "title: must not be empty"},
        {{{"op", "deal.set"}, {"id", f.deal}, {"field", "stageId"}, {"value", "s-won"}}, "cannot be set"},
        {{{"op", "deal.set"}, {"id", f.deal}, {"field", "nosuch"}, {"value", 1}}, "cannot be set"},
        {{{"op", "deal.set"}, {"id", f.deal}, {"field", "customerId"}, {"value", "ghost"}}, "customer ghost: unknown id"},
        {{{"op", "deal.set"}, {"id", f.deal}, {"field", "owner"}, {"value", "ghost"}}, "member ghost: unknown id"},
        {{{"op", "deal.set"}, {"id", f.deal}, {"field", "contactIds"}, {"value", {"ghost"}}}, "contact ghost: unknown id"},
        {{{"op", "deal.set"}, {"id", f.deal}, {"field", "labels"}, {"value", {1, 2}}}, "labels[0]: expected a string"},
        {{{"op", "deal.move"}, {"id", f.deal}, {"stageId", "p-smb-lead"}}, "belongs to another pipeline"},
        {{{"op", "deal.move"}, {"id", f.deal}, {"stageId", "zzz"}}, "stage zzz: unknown id"},
        {{{"op", "deal.move"}, {"id", f.deal}, {"stageId", "s-won"}, {"index", -1}}, "index"},
        {{{"op", "deal.lose"}, {"id", f.deal}, {"reason", " "}}, "reason: must not be empty"},
        {{{"op", "deal.lose"}, {"id", f.deal}}, "reason: missing"},
        {{{"op", "deal.suspend"}, {"id", f.deal}}, "until: missing"},
        {{{"op", "deal.suspend"}, {"id", f.deal}, {"until", "soon"}}, "until: expected a date"},
        {{{"op", "deal.reopen"}, {"id", f.deal}}, "already open"},
        {{{"op", "deal.restore"}, {"id", f.deal}}, "not deleted"},
        {{{"op", "deal.create"}, {"title", "X"}, {"customerId", "ghost"}}, "customer ghost: unknown id"},
        {{{"op", "deal.create"}, {"title", "X"}, {"customerId", f.customer}, {"stageId", "p-smb-lead"}}, "is not in pipeline"},
        {{{"op", "deal.create"}, {"title", "X"}, {"customerId", f.customer}, {"pipelineId", "ghost"}}, "pipeline ghost: unknown id"},
        {{{"op", "deal.create"}, {"title", "X"}, {"customerId", f.customer}, {"colour", "red"}}, "unknown field \"colour\""},
        {{{"op", "deal.create"}, {"title", "X"}, {"customerId", f.customer}, {"id", f.deal}}, "id already exists"},
        {{{"op", "deal.create"}, {"title", "X"}, {"customerId", f.customer}, {"status", "won"}}, "own commands"},
        {{{"op", "customer.create"}, {"name", ""}}, "name: must not be empty"},
        {{{"op", "customer.create"}, {"name", "A"}, {"grade", "E"}}, "grade: unknown value"},
        {{{"op", "customer.create"}, {"name", "A"}, {"referredBy", "ghost"}}, "customer ghost: unknown id"},
        {{{"op", "contact.create"}, {"name", "A"}, {"customerId", "ghost"}}, "customer ghost: unknown id"},
        {{{"op", "contact.set"}, {"id", f.contact}, {"field", "role"}, {"value", "eagle"}}, "role: unknown value"},
        {{{"op", "activity.create"}, {"kind", "call"}, {"subject", "x"}}, "needs a dealId or a customerId"},
        {{{"op", "activity.create"}, {"dealId", f.deal}, {"kind", "dance"}}, "kind: unknown value"},
        {{{"op", "activity.set"}, {"id", f.activity}, {"field", "due"}, {"value", "tomorrow"}}, "due: expected an ISO-8601 time"},
        {{{"op", "deal.objection.add"}, {"dealId", f.deal}, {"text", ""}}, "text: must not be empty"},
        {{{"op", "deal.objection.set"}, {"dealId", f.deal}, {"id", "ghost"}, {"field", "text"}, {"value", "x"}}, "objection ghost: unknown id"},
        {{{"op", "stage.set"}, {"id", "s-lead"}, {"field", "probability"}, {"value", 150}}, "probability"},
        {{{"op", "stage.delete"}, {"id", "s-lead"}}, "holds 2 deals"},
        {{{"op", "stage.delete"}, {"id", "s-lead"}, {"moveTo", "p-smb-won"}}, "moveTo"},
        {{{"op", "pipeline.delete"}, {"id", "p-default"}}, "holds 2 deals"},
        {{{"op", "member.delete"}, {"id", "m-me"}}, "cannot be deleted"},
        {{{"op", "settings.set"}, {"field", "rates"}, {"value", {{"USD", 0}}}}, "rates.USD: expected a rate > 0"},
        {{{"op", "settings.set"}, {"field", "theme"}, {"value", "pink"}}, "theme"},
        {{{"op", "settings.set"}, {"field", "me"}, {"value", "ghost"}}, "member ghost: unknown id"},
        {{{"op", "settings.set"}, {"field", "colour"}, {"value", 1}}, "unknown"},
        {{{"op", "document.replace"}, {"document", {{"format", "funnel"}, {"version", 1}, {"deals", 5}}}}, "deals: expected an array"},
        {{{"op", "document.replace"}, {"text", "{\"format\":\"funnel\",\"version\":1,\"x\":[[[["}}, "document: invalid JSON"},
        {json{{"op", "document.replace"}}, "document: missing"},
        {{{"op", "snapshot.restore"}, {"records", {{{"entity", "deal"}, {"id", "x"}, {"record", {{"id", "x"}, {"value", "no"}}}}}}}, "value: expected a number"},
        {{{"op", "deal.win"}, {"id", f.deal}, {"at", "yesterday"}}, "at: expected an ISO-8601 time"},
    };
    for (const Bad& b : bad) {
        CAPTURE(b.cmd);
        CommandResult r = applyCommand(f.doc, b.cmd, at(kT0 + 5));
        CHECK_FALSE(r.ok);
        CHECK_MESSAGE(r.error.find(b.error) != std::string::npos, r.error);
        CHECK(text(f.doc) == before);
    }
}

TEST_CASE("deal.move records history, resets the checklist, keeps column order") {
    Fixture f;
    REQUIRE(applyCommand(f.doc, {{"op", "deal.check"}, {"id", f.deal}, {"item", "Find a contact person"}, {"done", true}}, at(kT0)).ok);
    CHECK(f.doc.findDeal(f.deal)->checklist.size() == 1);
    CommandResult r = applyCommand(f.doc, {{"op", "deal.move"}, {"id", f.deal}, {"stageId", f.stage(3)}}, at(kT0 + 10));
    REQUIRE(r.ok);
    CHECK(r.description == "moved to Solution / demo");
    const Deal* d = f.doc.findDeal(f.deal);
    CHECK(d->stageId == f.stage(3));
    CHECK(d->checklist.empty());
    REQUIRE(d->stageHistory.size() == 2);
    CHECK(d->stageHistory[1].stageId == f.stage(3));
    CHECK(d->stageHistory[1].at == kT0 + 10);
    CHECK(d->updatedAt == kT0 + 10);

    // Three deals in one column; drop the last at the top, then into the middle.
    REQUIRE(applyCommand(f.doc, {{"op", "deal.move"}, {"id", f.deal2}, {"stageId", f.stage(3)}}, at(kT0)).ok);
    const Id third = f.run({{"op", "deal.create"}, {"title", "Third"}, {"customerId", f.customer}, {"stageId", f.stage(3)}})["id"];
    auto column = [&] {
        std::vector<const Deal*> c;
        for (const Deal& x : f.doc.deals)
            if (x.stageId == f.stage(3)) c.push_back(&x);
        std::sort(c.begin(), c.end(), [](const Deal* a, const Deal* b) { return a->order < b->order; });
        std::vector<Id> ids;
        for (const Deal* x : c) ids.push_back(x->id);
        return ids;
    };
    CHECK(column() == std::vector<Id>{f.deal, f.deal2, third});
    REQUIRE(applyCommand(f.doc, {{"op", "deal.reorder"}, {"id", third}, {"index", 0}}, at(kT0)).ok);
    CHECK(column() == std::vector<Id>{third, f.deal, f.deal2});
    REQUIRE(applyCommand(f.doc, {{"op", "deal.reorder"}, {"id", f.deal2}, {"index", 1}}, at(kT0)).ok);
    CHECK(column() == std::vector<Id>{third, f.deal2, f.deal});
    // Many drops into the same gap eventually renumber the column; the order stays right.
    for (int i = 0; i < 40; ++i) {
        REQUIRE(applyCommand(f.doc, {{"op", "deal.reorder"}, {"id", i % 2 ? f.deal : f.deal2}, {"index", 1}}, at(kT0)).ok);
        const std::vector<Id> c = column();
        CHECK(c[1] == (i % 2 ? f.deal : f.deal2));
        CHECK(c[0] == third);
    }
}

TEST_CASE("win, lose, suspend, reopen") {
    Fixture f;
    REQUIRE(applyCommand(f.doc, {{"op", "deal.move"}, {"id", f.deal}, {"stageId", f.stage(4)}}, at(kT0)).ok);
    REQUIRE(applyCommand(f.doc, {{"op", "deal.win"}, {"id", f.deal}}, at(kT0 + 100)).ok);
    const Deal* d = f.doc.findDeal(f.deal);
    CHECK((d->status == DealStatus::Won));
    CHECK(d->stageId == f.stage(6));  // the won stage
    CHECK(d->closedAt == kT0 + 100);
    CHECK(applyCommand(f.doc, {{"op", "deal.win"}, {"id", f.deal}}, at(kT0)).error.find("already won") != std::string::npos);
    CHECK_FALSE(applyCommand(f.doc, {{"op", "deal.suspend"}, {"id", f.deal}, {"until", "2026-09-01"}}, at(kT0)).ok);

    REQUIRE(applyCommand(f.doc, {{"op", "deal.reopen"}, {"id", f.deal}}, at(kT0 + 200)).ok);
    d = f.doc.findDeal(f.deal);
    CHECK((d->status == DealStatus::Open));
    CHECK(d->stageId == f.stage(4));  // back to where it was before winning
    CHECK(d->closedAt == 0);

    REQUIRE(applyCommand(f.doc, {{"op", "deal.lose"}, {"id", f.deal}, {"reason", "budget cut"}}, at(kT0 + 300)).ok);
    d = f.doc.findDeal(f.deal);
    CHECK((d->status == DealStatus::Lost));
    CHECK(d->lostReason == "budget cut");
    CHECK(d->closedAt == kT0 + 300);
    REQUIRE(applyCommand(f.doc, {{"op", "deal.reopen"}, {"id", f.deal}}, at(kT0 + 400)).ok);

    REQUIRE(applyCommand(f.doc, {{"op", "deal.suspend"}, {"id", f.deal}, {"until", "2026-09-01"}}, at(kT0 + 500)).ok);
    d = f.doc.findDeal(f.deal);
    CHECK((d->status == DealStatus::Suspended));
    CHECK(d->suspendedUntil == makeDate(2026, 9, 1));
    REQUIRE(applyCommand(f.doc, {{"op", "deal.reopen"}, {"id", f.deal}}, at(kT0 + 600)).ok);
    CHECK(f.doc.findDeal(f.deal)->suspendedUntil == kNoDate);

    // Moving into the won column wins; moving out of it reopens.
    REQUIRE(applyCommand(f.doc, {{"op", "deal.move"}, {"id", f.deal2}, {"stageId", f.stage(6)}}, at(kT0 + 700)).ok);
    CHECK((f.doc.findDeal(f.deal2)->status == DealStatus::Won));
    REQUIRE(applyCommand(f.doc, {{"op", "deal.move"}, {"id", f.deal2}, {"stageId", f.stage(5)}}, at(kT0 + 800)).ok);
    CHECK((f.doc.findDeal(f.deal2)->status == DealStatus::Open));
}

TEST_CASE("objections: add, set, remove") {
    Fixture f;
    json r = f.run({{"op", "deal.objection.add"}, {"dealId", f.deal}, {"category", "competitor"}, {"text", "Vendor X is cheaper"}});
    const Id oid = r["id"];
    REQUIRE(f.doc.findDeal(f.deal)->objections.size() == 1);
    CHECK((f.doc.findDeal(f.deal)->objections[0].category == ObjectionCategory::Competitor));
    f.run({{"op", "deal.objection.set"}, {"dealId", f.deal}, {"id", oid}, {"field", "resolved"}, {"value", true}});
    CHECK(f.doc.findDeal(f.deal)->objections[0].resolved);
    CHECK_FALSE(applyCommand(f.doc, {{"op", "deal.objection.set"}, {"dealId", f.deal}, {"id", oid}, {"field", "category"}, {"value", "mood"}}, at(kT0)).ok);
    f.run({{"op", "deal.objection.remove"}, {"dealId", f.deal}, {"id", oid}});
    CHECK(f.doc.findDeal(f.deal)->objections.empty());
    // The per-deal history shows all three.
    int n = 0;
    for (const Change& c : f.doc.changes) n += c.entity == "deal" && c.id == f.deal && c.what.find("objection") != std::string::npos;
    CHECK(n == 3);
}

TEST_CASE("a done activity updates the deal's last activity") {
    Fixture f;
    CHECK(f.doc.findDeal(f.deal)->lastActivityAt == 0);
    f.run({{"op", "activity.complete"}, {"id", f.activity}, {"outcome", "ok"}}, kT0 + 50);
    CHECK(f.doc.findActivity(f.activity)->doneAt == kT0 + 50);
    CHECK(f.doc.findDeal(f.deal)->lastActivityAt == kT0 + 50);
    CHECK_FALSE(applyCommand(f.doc, {{"op", "activity.complete"}, {"id", f.activity}}, at(kT0)).ok);
    f.run({{"op", "activity.create"}, {"dealId", f.deal}, {"kind", "visit"}, {"doneAt", "2026-01-01T00:00:00Z"}});
    CHECK(f.doc.findDeal(f.deal)->lastActivityAt == kT0 + 50);  // an older visit does not go back in time
}

TEST_CASE("history: coalescing keystrokes, redo cleared by a new command") {
    Fixture f;
    const std::string before = text(f.doc);
    History h(2000);
    Time t = kT0;
    for (const char* title : {"E", "ER", "ERP", "ERP 2"}) {
        REQUIRE(h.perform(f.doc, {{"op", "deal.set"}, {"id", f.deal}, {"field", "title"}, {"value", title}}, at(t += 500)).ok);
    }
    CHECK(f.doc.findDeal(f.deal)->title == "ERP 2");
    REQUIRE(h.undo(f.doc, at(t += 10)).ok);
    CHECK_FALSE(h.canUndo());  // the four keystrokes were one step
    CHECK(text(f.doc) == before);
    REQUIRE(h.redo(f.doc, at(t += 10)).ok);
    CHECK(f.doc.findDeal(f.deal)->title == "ERP 2");
    REQUIRE(h.undo(f.doc, at(t += 10)).ok);
    CHECK(text(f.doc) == before);
    REQUIRE(h.redo(f.doc, at(t += 10)).ok);

    // A pause longer than coalesceMs, another field, or breakCoalescing start a new step.
    REQUIRE(h.perform(f.doc, {{"op", "deal.set"}, {"id", f.deal}, {"field", "title"}, {"value", "A"}}, at(t += 5000)).ok);
    REQUIRE(h.perform(f.doc, {{"op", "deal.set"}, {"id", f.deal}, {"field", "nextStep"}, {"value", "B"}}, at(t += 10)).ok);
    h.breakCoalescing();
    REQUIRE(h.perform(f.doc, {{"op", "deal.set"}, {"id", f.deal}, {"field", "nextStep"}, {"value", "BC"}}, at(t += 10)).ok);
    REQUIRE(h.undo(f.doc, at(t += 10)).ok);
    CHECK(f.doc.findDeal(f.deal)->nextStep == "B");
    REQUIRE(h.undo(f.doc, at(t += 10)).ok);
    CHECK(f.doc.findDeal(f.deal)->nextStep.empty());
    CHECK(f.doc.findDeal(f.deal)->title == "A");
    REQUIRE(h.undo(f.doc, at(t += 10)).ok);
    CHECK(f.doc.findDeal(f.deal)->title == "ERP 2");
    CHECK(h.canRedo());
    REQUIRE(h.perform(f.doc, {{"op", "deal.win"}, {"id", f.deal}}, at(t += 10)).ok);
    CHECK_FALSE(h.canRedo());
    CHECK_FALSE(h.redo(f.doc, at(t)).ok);
    // A failed command does not enter the history.
    CHECK_FALSE(h.perform(f.doc, {{"op", "deal.win"}, {"id", f.deal}}, at(t += 10)).ok);
    REQUIRE(h.undo(f.doc, at(t += 10)).ok);
    CHECK((f.doc.findDeal(f.deal)->status == DealStatus::Open));
    h.clear();
    CHECK_FALSE(h.canUndo());
    CHECK_FALSE(h.undo(f.doc, at(t)).ok);
}

TEST_CASE("undo removes the command's change entry (the per-deal history stays truthful)") {
    Fixture f;
    const std::size_t n = f.doc.changes.size();
    History h;
    REQUIRE(h.perform(f.doc, {{"op", "deal.lose"}, {"id", f.deal}, {"reason", "timing"}}, at(kT0 + 1)).ok);
    CHECK(f.doc.changes.size() == n + 1);
    CHECK(f.doc.changes.back().what == "lost: timing");
    CHECK(f.doc.changes.back().entity == "deal");
    CHECK(f.doc.changes.back().id == f.deal);
    REQUIRE(h.undo(f.doc, at(kT0 + 2)).ok);
    CHECK(f.doc.changes.size() == n);
}

TEST_CASE("workspace: queue, apply after the frame, unsaved list, revisions") {
    Workspace ws(makeDefaultDocument(kT0));
    const auto rev0 = ws.revision();
    ws.queue({{"op", "customer.create"}, {"name", "Acme"}});
    ws.queue({{"op", "deal.create"}, {"title", "x"}, {"customerId", "ghost"}});
    CHECK(ws.document().customers.empty());
    auto results = ws.applyQueued(at(kT0));
    REQUIRE(results.size() == 2);
    CHECK(results[0].ok);
    CHECK_FALSE(results[1].ok);
    CHECK(ws.document().customers.size() == 1);
    CHECK(ws.revision() == rev0 + 1);
    CHECK(ws.hasUnsaved());
    auto unsaved = ws.takeUnsaved();
    REQUIRE(unsaved.size() == 1);
    CHECK(unsaved[0]["id"] == ws.document().customers[0].id);
    CHECK_FALSE(ws.hasUnsaved());
    REQUIRE(ws.undo(at(kT0 + 1)).ok);
    CHECK(ws.document().customers.empty());
    CHECK(ws.takeUnsaved().size() == 1);  // the undo is saved like any change
    REQUIRE(ws.redo(at(kT0 + 2)).ok);
    CHECK(ws.document().customers.size() == 1);
    // External commands change the document but neither the history nor the unsaved list.
    ws.takeUnsaved();
    REQUIRE(ws.applyExternal({{"op", "member.create"}, {"name", "Remote"}}, at(kT0 + 3)).ok);
    CHECK(ws.document().members.size() == 2);
    CHECK_FALSE(ws.hasUnsaved());
    REQUIRE(ws.undo(at(kT0 + 4)).ok);  // undoes the redo, not the external member
    CHECK(ws.document().members.size() == 2);
    CHECK(ws.document().customers.empty());
    ws.reset(makeDefaultDocument(0));
    CHECK_FALSE(ws.canUndo());
    CHECK_FALSE(ws.canRedo());
}

TEST_CASE("snapshot.restore is a command like the others: its own inverse redoes") {
    Fixture f;
    const std::string before = text(f.doc);
    CommandResult lose = applyCommand(f.doc, {{"op", "deal.lose"}, {"id", f.deal}, {"reason", "price"}}, at(kT0 + 1));
    REQUIRE(lose.ok);
    const std::string lost = text(f.doc);
    History h;
    CommandResult back = h.perform(f.doc, lose.inverse, at(kT0 + 2));
    REQUIRE_MESSAGE(back.ok, back.error);
    CHECK(text(f.doc) == before);
    REQUIRE(h.undo(f.doc, at(kT0 + 3)).ok);  // the restore's inverse re-applies the loss
    CHECK(text(f.doc) == lost);
    // A malformed restore changes nothing.
    CHECK_FALSE(applyCommand(f.doc, {{"op", "snapshot.restore"}, {"records", {{{"entity", "planet"}, {"id", "x"}, {"record", nullptr}}}}}, at(kT0)).ok);
    CHECK(text(f.doc) == lost);
}
