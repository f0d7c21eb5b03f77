// Funnel — unit tests of the workspace's team sync state: every local change is stamped from the
// records it touched (the same stamps as comparing whole documents), the stamps ride in the
// applied commands so replaying the journal gives back the same state, merges are one entry.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "core/codec.h"
#include "core/merge.h"
#include "core/workspace.h"

using namespace funnel;

namespace {
const Time kT0 = 1'780'000'000'000;  // 2026-05-28
const std::string kA = "00000000000000aa", kB = "00000000000000bb";

CommandContext at(Time t) { return CommandContext{t, "m-me"}; }

json run(Workspace& ws, const json& cmd, Time t) {
    CommandResult r = ws.perform(cmd, at(t));
    REQUIRE_MESSAGE(r.ok, r.error);
    return r.result;
}

// Replays what the workspace handed to storage onto the stored document it started from.
void replay(Document& doc, SyncState& state, std::string& replica, const std::vector<json>& entries) {
    for (const json& e : entries) {
        CommandResult r = replayStoredEntry(doc, state, replica, e, at(kT0));
        REQUIRE_MESSAGE(r.ok, r.error);
    }
}

// Replaying `entries` onto the stored document gives the workspace's document and state.
void checkReplaysTo(const Document& stored, const std::vector<json>& entries, const Workspace& ws) {
    Document doc = stored;
    SyncState state;
    std::string replica, error;
    REQUIRE(splitStored(doc, state, replica, error));
    replay(doc, state, replica, entries);
    CHECK(canonicalText(doc, state) == canonicalText(ws.document(), ws.syncState()));
    CHECK(state.goneSince == ws.syncState().goneSince);  // device-local, journaled too
    // And the stored form keeps it.
    Workspace back(ws.storedDocument());
    CHECK(back.syncState().goneSince == ws.syncState().goneSince);
}
}  // namespace

TEST_CASE("every op is stamped from its touched records exactly as a whole-document comparison stamps it") {
    Workspace ws(makeDefaultDocument(kT0));
    ws.setReplica(kA);
    // The reference: the same changes stamped by comparing whole documents.
    SyncState ref;
    Clock refClock(kA);
    Time t = kT0;
    auto step = [&](const json& cmd) {
        CAPTURE(cmd);
        const Document before = ws.document();
        t += 1000;
        CommandResult r = ws.perform(cmd, at(t));
        REQUIRE_MESSAGE(r.ok, r.error);
        stampChange(ref, refClock, before, ws.document(), t);
        CHECK(ws.syncState() == ref);
        return r.result;
    };
    const Id customer = step({{"op", "customer.create"}, {"name", "上海明远科技"}, {"grade", "A"}})["id"];
    const Id contact = step({{"op", "contact.create"}, {"customerId", customer}, {"name", "王伟"}})["id"];
    const Id deal = step({{"op", "deal.create"}, {"title", "ERP rollout"}, {"customerId", customer}, {"value", 120000}})["id"];
    const Id deal2 = step({{"op", "deal.create"}, {"title", "Support"}, {"customerId", customer}, {"value", 5000}})["id"];
    const Id activity = step({{"op", "activity.create"}, {"dealId", deal}, {"kind", "call"}, {"subject", "Intro"}})["id"];
    const Id s2 = ws.document().pipelines[0].stages[2].id;
    for (int i = 0; i < 12; ++i)  // enough moves to the top of a column to force a renumbering
        step({{"op", "deal.move"}, {"id", i % 2 ? deal : deal2}, {"stageId", ws.document().pipelines[0].stages[0].id}, {"index", 0}});
    const std::vector<json> ops = {
        {{"op", "customer.set"}, {"id", customer}, {"field", "profile"}, {"value", {{"hobbies", "golf"}}}},
        {{"op", "contact.set"}, {"id", contact}, {"field", "attitude"}, {"value", "supporter"}},
        {{"op", "deal.set"}, {"id", deal}, {"field", "value"}, {"value", 99}},
        {{"op", "deal.set"}, {"id", deal}, {"field", "key"}, {"value", {{"budget", "1M"}}}},
        {{"op", "deal.move"}, {"id", deal}, {"stageId", s2}},
        {{"op", "deal.objection.add"}, {"dealId", deal}, {"id", "o1"}, {"category", "price"}, {"text", "Too expensive"}},
        {{"op", "deal.objection.set"}, {"dealId", deal}, {"id", "o1"}, {"field", "resolved"}, {"value", true}},
        {{"op", "deal.objection.remove"}, {"dealId", deal}, {"id", "o1"}},
        {{"op", "activity.complete"}, {"id", activity}, {"outcome", "demo agreed"}, {"advanced", true}},
        {{"op", "deal.win"}, {"id", deal}},
        {{"op", "deal.delete"}, {"id", deal2}},
        {{"op", "deal.restore"}, {"id", deal2}},
        {{"op", "stage.delete"}, {"id", ws.document().pipelines[0].stages[0].id}, {"moveTo", s2}},
        {{"op", "member.create"}, {"id", "m-2"}, {"name", "박지성"}},
        {{"op", "settings.set"}, {"field", "displayCurrency"}, {"value", "USD"}},
        {{"op", "customer.delete"}, {"id", customer}},
    };
    for (const json& op : ops) step(op);
    // Undo and redo are local changes too.
    for (int i = 0; i < 3; ++i) {
        const Document before = ws.document();
        t += 1000;
        REQUIRE(ws.undo(at(t)).ok);
        stampChange(ref, refClock, before, ws.document(), t);
        CHECK(ws.syncState() == ref);
    }
    {
        const Document before = ws.document();
        t += 1000;
        REQUIRE(ws.redo(at(t)).ok);
        stampChange(ref, refClock, before, ws.document(), t);
        CHECK(ws.syncState() == ref);
    }
    // An import compares everything.
    step({{"op", "document.replace"}, {"text", encodeDocumentText(makeDefaultDocument(0, "p-text"))}});
    CHECK(ws.syncState().replicas.at(kA) == ws.clock().last());
}

TEST_CASE("stamps ride in the applied commands: replaying the journal gives back the same state") {
    Workspace ws(makeDefaultDocument(kT0));
    ws.setReplica(kA);
    const Document start = ws.storedDocument();
    run(ws, {{"op", "deal.create"}, {"id", "d1"}, {"title", "One"}}, kT0 + 1);
    run(ws, {{"op", "deal.set"}, {"id", "d1"}, {"field", "title"}, {"value", "Uno"}}, kT0 + 2);
    REQUIRE(ws.undo(at(kT0 + 3)).ok);
    run(ws, {{"op", "deal.delete"}, {"id", "d1"}}, kT0 + 4);
    const std::vector<json> entries = ws.takeUnsaved();
    REQUIRE(entries.size() == 4);
    for (const json& e : entries) CHECK(e.contains("~sync"));

    Document doc = start;
    SyncState state;
    std::string replica, error;
    REQUIRE(splitStored(doc, state, replica, error));
    replay(doc, state, replica, entries);
    CHECK(replica == kA);
    CHECK(state == ws.syncState());
    CHECK(encodeDocumentText(doc) == encodeDocumentText(ws.document()));

    // A workspace opened on the stored form has the same state, replica and a clock past its stamps.
    Workspace again(joinStored(doc, state, replica));
    CHECK(again.replica() == kA);
    CHECK(again.syncState() == ws.syncState());
    CHECK(again.clock().last() >= ws.syncState().replicas.at(kA));
    CHECK(!again.document().extra.is_object());  // the "sync" section is not part of the document
}

TEST_CASE("a merge is one journal entry: the records it changed and the state, undo history kept") {
    Workspace a(makeDefaultDocument(kT0)), b(makeDefaultDocument(kT0));
    a.setReplica(kA);
    b.setReplica(kB);
    run(a, {{"op", "deal.create"}, {"id", "d1"}, {"title", "From A"}}, kT0 + 10);
    run(b, {{"op", "deal.create"}, {"id", "d2"}, {"title", "From B"}}, kT0 + 20);
    run(b, {{"op", "member.set"}, {"id", "m-me"}, {"field", "name"}, {"value", "B's name"}}, kT0 + 30);
    a.takeUnsaved();
    const Document stored = a.storedDocument();

    MergeResult m = merge(a.document(), a.syncState(), b.document(), b.syncState());
    REQUIRE(m.ok);
    REQUIRE(a.applyMerge(m));
    CHECK(canonicalText(a.document(), a.syncState()) == canonicalText(m.doc, m.state));
    CHECK(a.canUndo());
    a.acknowledge();
    const std::vector<json> entries = a.takeUnsaved();
    REQUIRE(entries.size() == 2);
    CHECK(entries[0]["op"] == "sync.merge");
    CHECK(entries[0]["document"]["upsert"]["deals"].size() == 1);  // only B's deal, not the whole list

    checkReplaysTo(stored, entries, a);

    // Undo after the merge takes back A's own creation (a new local edit), B's deal stays.
    REQUIRE(a.undo(at(kT0 + 40)).ok);
    CHECK(a.document().findDeal("d2"));
    CHECK(!a.document().findDeal("d1"));
    // A merge that brings nothing writes nothing.
    MergeResult same = merge(a.document(), a.syncState(), a.document(), a.syncState());
    a.takeUnsaved();
    REQUIRE(a.applyMerge(same));
    CHECK(!a.hasUnsaved());
}

TEST_CASE("another tab's entries update the state; a stored document.replace brings its state") {
    Workspace a(makeDefaultDocument(kT0));
    a.setReplica(kA);
    Workspace tab(a.storedDocument());
    run(a, {{"op", "deal.create"}, {"id", "d1"}, {"title", "One"}}, kT0 + 1);
    for (const json& e : a.takeUnsaved()) REQUIRE(tab.applyExternal(e, at(kT0)).ok);
    CHECK(tab.syncState() == a.syncState());
    CHECK(tab.replica() == kA);
    // The store came back with another document: the stored form replaces document and state.
    Workspace other(makeDefaultDocument(kT0));
    other.setReplica(kB);
    run(other, {{"op", "deal.create"}, {"id", "d9"}, {"title", "Nine"}}, kT0 + 5);
    REQUIRE(tab.applyExternal({{"op", "document.replace"}, {"document", encodeDocument(other.storedDocument())}}, at(kT0)).ok);
    CHECK(tab.syncState() == other.syncState());
    CHECK(tab.replica() == kB);
    // Local edits replayed on top are stamped afresh and handed to storage.
    REQUIRE(tab.applyExternal({{"op", "deal.set"}, {"id", "d9"}, {"field", "title"}, {"value", "Nine!"}}, at(kT0 + 9), true).ok);
    CHECK(tab.hasUnsaved());
    CHECK(tab.syncState().records.at("deal:d9").fields.count("title") == 1);
}

TEST_CASE("resolving a conflict is journaled and replays to the same state") {
    Workspace a(makeDefaultDocument(kT0)), b(makeDefaultDocument(kT0));
    a.setReplica(kA);
    b.setReplica(kB);
    run(a, {{"op", "deal.create"}, {"id", "d1"}, {"title", "Base"}}, kT0 + 1);
    REQUIRE(b.applyMerge(merge(b.document(), b.syncState(), a.document(), a.syncState())));
    run(a, {{"op", "deal.set"}, {"id", "d1"}, {"field", "title"}, {"value", "A's"}}, kT0 + 10);
    run(b, {{"op", "deal.set"}, {"id", "d1"}, {"field", "title"}, {"value", "B's"}}, kT0 + 20);
    a.takeUnsaved();
    const Document stored = a.storedDocument();
    REQUIRE(a.applyMerge(merge(a.document(), a.syncState(), b.document(), b.syncState())));
    CHECK(a.document().findDeal("d1")->title == "B's");
    auto titleConflicts = [&] {
        int n = 0;
        for (const Conflict& c : openConflicts(a.document(), a.syncState())) n += c.field == "title";
        return n;
    };
    REQUIRE(titleConflicts() == 1);
    REQUIRE(a.resolve("deal:d1", "title", "A's", kT0 + 30));
    CHECK(a.document().findDeal("d1")->title == "A's");
    CHECK(titleConflicts() == 0);
    checkReplaysTo(stored, a.takeUnsaved(), a);
}

TEST_CASE("replica slots: slot 0 is the device's id, the others are fixed ids derived from it") {
    CHECK(slotReplica(kA, 0) == kA);
    std::vector<std::string> seen;
    for (int k = 0; k < kReplicaSlots; ++k) {
        const std::string id = slotReplica(kA, k);
        CHECK(isReplicaId(id));
        CHECK(id == slotReplica(kA, k));  // the same on every page load
        CHECK(std::find(seen.begin(), seen.end(), id) == seen.end());
        CHECK(fromDevice(kA, id));
        CHECK(!fromDevice(kB, id));
        seen.push_back(id);
    }
    CHECK(slotReplica(kB, 1) != slotReplica(kA, 1));
    CHECK(!fromDevice(kA, slotReplica(kA, kReplicaSlots)));
    CHECK(!fromDevice("", kA));
    CHECK(!fromDevice(kA, "0"));
}

TEST_CASE("tabs of one device stamp under their own ids; each clock observes the other's stamps") {
    Workspace one(makeDefaultDocument(kT0));
    one.setReplica(kA);
    const Document stored = one.storedDocument();
    Workspace two(stored);
    two.setReplicaSlot(1);
    const std::string slot1 = slotReplica(kA, 1);
    CHECK(one.replica() == kA);
    CHECK(two.replica() == slot1);
    CHECK(two.deviceReplica() == kA);
    std::vector<json> journal;  // the shared store's entries, in the order they were saved
    auto exchange = [&] {
        std::vector<json> fromOne = one.takeUnsaved(), fromTwo = two.takeUnsaved();
        for (const json& e : fromOne) REQUIRE(two.applyExternal(e, at(kT0)).ok);
        for (const json& e : fromTwo) REQUIRE(one.applyExternal(e, at(kT0)).ok);
        journal.insert(journal.end(), fromOne.begin(), fromOne.end());
        journal.insert(journal.end(), fromTwo.begin(), fromTwo.end());
    };
    run(one, {{"op", "deal.create"}, {"id", "d1"}, {"title", "Base"}}, kT0 + 1);
    exchange();
    // The same field in the same millisecond: two different stamps, one per tab.
    run(one, {{"op", "deal.set"}, {"id", "d1"}, {"field", "title"}, {"value", "One"}}, kT0 + 10);
    const std::string s1 = one.syncState().records.at("deal:d1").fields.at("title").stamp;
    run(two, {{"op", "deal.set"}, {"id", "d1"}, {"field", "title"}, {"value", "Two"}}, kT0 + 10);
    const std::string s2 = two.syncState().records.at("deal:d1").fields.at("title").stamp;
    CHECK(s1 != s2);
    CHECK(replicaOf(s1) == kA);
    CHECK(replicaOf(s2) == slot1);
    exchange();
    // Neither tab took the other's id from its entries.
    CHECK(one.replica() == kA);
    CHECK(two.replica() == slot1);
    // The tab whose edit has the later stamp merged the other's (instead of letting the earlier
    // edit overwrite its own) and stored the merge; once each has the other's entries, both show
    // the later stamp's title, and the other title is in both conflict logs.
    exchange();
    const std::string winner = s1 > s2 ? "One" : "Two", loser = s1 > s2 ? "Two" : "One";
    for (Workspace* w : {&one, &two}) {
        CHECK(w->document().findDeal("d1")->title == winner);
        const std::vector<Conflict> open = openConflicts(w->document(), w->syncState());
        REQUIRE(open.size() == 1);
        CHECK(open[0].field == "title");
        CHECK(open[0].value == loser);
        CHECK(replicaOf(open[0].stamp) == (s1 > s2 ? slot1 : kA));
    }
    CHECK(canonicalText(one.document(), one.syncState()) == canonicalText(two.document(), two.syncState()));
    // Tab one's next edit (its wall clock an hour behind) still sorts after tab two's stamp.
    run(two, {{"op", "deal.set"}, {"id", "d1"}, {"field", "value"}, {"value", 5}}, kT0 + 50'000);
    const std::string s3 = two.syncState().records.at("deal:d1").fields.at("value").stamp;
    exchange();
    run(one, {{"op", "deal.set"}, {"id", "d1"}, {"field", "value"}, {"value", 6}}, kT0 - 3'600'000);
    CHECK(one.syncState().records.at("deal:d1").fields.at("value").stamp > s3);
    exchange();
    exchange();
    CHECK(canonicalText(one.document(), one.syncState()) == canonicalText(two.document(), two.syncState()));
    // The stored document keeps the device's id; the journal lists both tabs' ids, and replaying
    // it gives what both tabs hold.
    Document doc = stored;
    SyncState state;
    std::string device, error;
    REQUIRE(splitStored(doc, state, device, error));
    replay(doc, state, device, journal);
    CHECK(device == kA);
    CHECK(state.replicas.count(kA) == 1);
    CHECK(state.replicas.count(slot1) == 1);
    CHECK(state.replicas.size() == 2);
    CHECK(canonicalText(doc, state) == canonicalText(one.document(), one.syncState()));
    // A later page load on slot 1 (wall clock behind) stamps above everything slot 1 issued.
    Workspace again(joinStored(doc, state, device));
    CHECK(again.replica() == kA);
    again.setReplicaSlot(1);
    CHECK(again.replica() == slot1);
    run(again, {{"op", "deal.set"}, {"id", "d1"}, {"field", "title"}, {"value", "Again"}}, kT0 - 7'200'000);
    CHECK(again.syncState().records.at("deal:d1").fields.at("title").stamp > state.replicas.at(slot1));
    // Acknowledging raises the device's other slots with it: they share the store.
    one.acknowledge();
    CHECK(one.syncState().replicas.at(slot1) == one.syncState().replicas.at(kA));
}

TEST_CASE("another tab's merge that lags behind never lowers this tab's own entry in replicas") {
    Workspace one(makeDefaultDocument(kT0));
    one.setReplica(kA);
    Workspace two(one.storedDocument());
    two.setReplicaSlot(1);
    run(two, {{"op", "deal.create"}, {"id", "d1"}, {"title", "Two"}}, kT0 + 100);
    const std::string mine = two.syncState().replicas.at(two.replica());
    // Tab one has not seen that yet and merges a remote whose entry for slot 1 is older.
    SyncState remote;
    remote.replicas[two.replica()] = formatStamp(kT0 + 1, 0, two.replica());
    MergeResult m = merge(one.document(), one.syncState(), one.document(), remote);
    REQUIRE(one.applyMerge(m));
    for (const json& e : one.takeUnsaved()) REQUIRE(two.applyExternal(e, at(kT0)).ok);
    CHECK(two.syncState().replicas.at(two.replica()) == mine);
}

TEST_CASE("purging tombstones is journaled and replays to the same state") {
    Workspace a(makeDefaultDocument(kT0));
    a.setReplica(kA);
    run(a, {{"op", "deal.create"}, {"id", "d1"}, {"title", "One"}}, kT0 + 1);
    run(a, {{"op", "deal.objection.add"}, {"dealId", "d1"}, {"id", "o1"}, {"text", "x"}}, kT0 + 2);
    run(a, {{"op", "deal.objection.remove"}, {"dealId", "d1"}, {"id", "o1"}}, kT0 + 3);
    a.acknowledge();
    a.takeUnsaved();
    const Document stored = a.storedDocument();
    REQUIRE(a.syncState().gone.count("objection:d1/o1") == 1);
    CHECK(a.purgeTombstones(kT0 + 4) == 0);  // first held now: the mark is journaled
    CHECK(a.hasUnsaved());
    CHECK(a.syncState().goneSince.count("objection:d1/o1") == 1);
    CHECK(a.purgeTombstones(kT0 + 89 * kMsPerDay) == 0);
    CHECK(a.purgeTombstones(kT0 + 91 * kMsPerDay) == 1);
    CHECK(a.syncState().goneSince.empty());
    CHECK(a.syncState().gone.count("objection:d1/o1") == 0);
    CHECK(a.syncState().records.count("objection:d1/o1") == 0);
    checkReplaysTo(stored, a.takeUnsaved(), a);
}

TEST_CASE("another tab's team merge does not overwrite this tab's newer edit of the same field") {
    Workspace one(makeDefaultDocument(kT0));
    one.setReplica(kA);
    run(one, {{"op", "deal.create"}, {"id", "d1"}, {"title", "Base"}}, kT0 + 1);
    Workspace two(one.storedDocument());
    two.setReplicaSlot(1);
    one.takeUnsaved();
    // Another device renames the deal; tab one merges that from the team file...
    Workspace other(one.storedDocument());
    other.setReplica(kB);
    run(other, {{"op", "deal.set"}, {"id", "d1"}, {"field", "title"}, {"value", "From B"}}, kT0 + 50);
    // ...while tab two, not having seen it, renames the deal too, later.
    run(two, {{"op", "deal.set"}, {"id", "d1"}, {"field", "title"}, {"value", "From tab two"}}, kT0 + 100);
    REQUIRE(one.applyMerge(merge(one.document(), one.syncState(), other.document(), other.syncState())));
    CHECK(one.document().findDeal("d1")->title == "From B");
    for (const json& e : one.takeUnsaved()) REQUIRE(two.applyExternal(e, at(kT0)).ok);
    for (const json& e : two.takeUnsaved()) REQUIRE(one.applyExternal(e, at(kT0)).ok);
    for (const json& e : one.takeUnsaved()) REQUIRE(two.applyExternal(e, at(kT0)).ok);
    for (Workspace* w : {&one, &two}) {
        CHECK(w->document().findDeal("d1")->title == "From tab two");
        std::vector<Conflict> open = openConflicts(w->document(), w->syncState());
        std::erase_if(open, [](const Conflict& c) { return c.field != "title"; });  // updatedAt differs too
        REQUIRE(open.size() == 1);
        CHECK(open[0].value == "From B");
    }
    CHECK(canonicalText(one.document(), one.syncState()) == canonicalText(two.document(), two.syncState()));
}

TEST_CASE("the stored text is the stored document's text, also in a tab stamping under another slot") {
    Workspace one(makeDefaultDocument(kT0));
    one.setReplica(kA);
    run(one, {{"op", "deal.create"}, {"id", "d1"}, {"title", "One"}}, kT0 + 100);
    Workspace two(one.storedDocument());
    two.setReplicaSlot(1);
    run(two, {{"op", "deal.set"}, {"id", "d1"}, {"field", "title"}, {"value", "Two"}}, kT0 + 200);
    for (const Workspace* ws : {&one, &two}) {
        const std::string whole = encodeDocumentText(ws->storedDocument());
        CHECK(ws->storedText() == whole);
        std::string pieces;
        ws->storedText(64, [&](std::string&& piece) { pieces += piece; });
        CHECK(pieces == whole);
    }
}
