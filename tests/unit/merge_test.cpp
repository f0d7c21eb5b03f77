// Funnel — unit and property tests of team sync: stamps and clock, stamping local changes,
// per-field merge, conflicts, tombstones, untrusted remote files, and the merge laws
// (commutative, associative, idempotent on canonical bytes) over seeded random histories.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/codec.h"
#include "core/merge.h"

using namespace funnel;

namespace {
const Time kT0 = 1'780'000'000'000;  // 2026-05-28
const Time kHour = 3'600'000;

// One device: its document, sync state and clock, and how far its wall clock is off.
struct Replica {
    Document doc;
    SyncState state;
    Clock clock;
    Time skew = 0;

    Replica(const Document& base, const std::string& id, Time skewMs = 0) : doc(base), clock(id), skew(skewMs) {}

    template <class Edit>
    void edit(Time now, Edit change) {
        const Document before = doc;
        change(doc);
        stampChange(state, clock, before, doc, now + skew);
    }
    void syncWith(const Replica& other) {
        MergeResult m = merge(doc, state, other.doc, other.state);
        REQUIRE_MESSAGE(m.ok, m.error);
        doc = std::move(m.doc);
        state = std::move(m.state);
        acknowledge(state, clock);
    }
    std::string bytes() const { return canonicalText(doc, state); }
};

Document smallDocument() {
    Document doc;
    doc.settings.me = "m-me";
    Pipeline p;
    p.id = "p1";
    p.name.byLang["en"] = "Sales";
    for (const char* s : {"s1", "s2", "s3"}) {
        Stage st;
        st.id = s;
        st.name.byLang["en"] = s;
        st.probability = 10;
        p.stages.push_back(st);
    }
    doc.pipelines.push_back(p);
    Member m;
    m.id = "m-me";
    m.name = "Me";
    doc.members.push_back(m);
    for (int i = 0; i < 3; ++i) {
        Deal d;
        d.id = "d" + std::to_string(i);
        d.title = "Deal " + std::to_string(i);
        d.pipelineId = "p1";
        d.stageId = "s1";
        d.value = 1000;
        doc.deals.push_back(d);
    }
    return doc;
}


// The canonical bytes of merge(x, y), before either side acknowledges it.
std::string mergedBytes(const Replica& x, const Replica& y) {
    MergeResult m = merge(x.doc, x.state, y.doc, y.state);
    REQUIRE_MESSAGE(m.ok, m.error);
    return canonicalText(m.doc, m.state);
}

std::string stampOfTitle(const Replica& r) {
    auto it = r.state.records.find("deal:d0");
    if (it == r.state.records.end()) return kZeroStamp;
    auto f = it->second.fields.find("title");
    return f == it->second.fields.end() ? it->second.created : f->second.stamp;
}

const Conflict* findConflict(const SyncState& s, const std::string& key, const std::string& field) {
    for (const Conflict& c : s.conflicts)
        if (c.key == key && c.field == field) return &c;
    return nullptr;
}
}  // namespace

TEST_CASE("stamps sort as text and the clock never goes back") {
    const std::string a = formatStamp(kT0, 0, "00000000000000aa");
    const std::string b = formatStamp(kT0, 1, "0000000000000001");
    const std::string c = formatStamp(kT0 + 1, 0, "0000000000000001");
    CHECK(a < b);
    CHECK(b < c);
    CHECK(std::string(kZeroStamp) < a);
    REQUIRE(parseStamp(b));
    CHECK(parseStamp(b)->counter == 1);
    CHECK(parseStamp(b)->wall == kT0);
    CHECK(replicaOf(b) == "0000000000000001");
    CHECK_FALSE(isStamp("2026-05-28T00:00:00.000Z-0000-XYZ"));
    CHECK_FALSE(isStamp("2026-05-28T00:00:00.000Z-00g0-0000000000000001"));
    CHECK_FALSE(isStamp(""));

    Clock slow("00000000000000bb");
    const std::string first = *slow.tick(kT0);
    CHECK(slow.tick(kT0) > first);               // same millisecond: counter
    CHECK(slow.tick(kT0 - 5000) > first);        // wall clock stepped back: still after
    slow.observe(formatStamp(kT0 + kHour, 7, "00000000000000aa"));
    const std::string after = *slow.tick(kT0);    // an hour behind the stamp it saw
    CHECK(after > formatStamp(kT0 + kHour, 7, "00000000000000aa"));
    slow.observe("garbage");
    CHECK(slow.tick(kT0) > after);
}

TEST_CASE("a slow device's edit after syncing wins over what it saw") {
    Replica a(smallDocument(), "000000000000000a", +kHour), b(smallDocument(), "000000000000000b", -kHour);
    a.edit(kT0, [](Document& d) { d.deals[0].title = "from A"; });
    b.syncWith(a);
    b.edit(kT0 + 1000, [](Document& d) { d.deals[0].title = "from B, after A"; });
    a.syncWith(b);
    CHECK(a.doc.findDeal("d0")->title == "from B, after A");
    CHECK(a.state.conflicts.empty());  // B had seen A's value: superseded, not a conflict
    CHECK(a.bytes() == [&] { Replica c = b; c.syncWith(a); return c.bytes(); }());
}

TEST_CASE("concurrent edits of one field: the later stamp wins, the other is logged and restorable") {
    Replica a(smallDocument(), "000000000000000a"), b(smallDocument(), "000000000000000b");
    a.edit(kT0, [](Document& d) { d.deals[1].title = "A's title"; });
    b.edit(kT0 + 10, [](Document& d) { d.deals[1].title = "B's title"; });
    b.edit(kT0 + 20, [](Document& d) { d.deals[2].value = 5; });
    a.edit(kT0 + 30, [](Document& d) { d.deals[2].nextStep = "call"; });  // another field: no conflict

    MergeResult ab = merge(a.doc, a.state, b.doc, b.state);
    MergeResult ba = merge(b.doc, b.state, a.doc, a.state);
    REQUIRE(ab.ok);
    REQUIRE(ba.ok);
    CHECK(canonicalText(ab.doc, ab.state) == canonicalText(ba.doc, ba.state));
    CHECK(ab.doc.findDeal("d1")->title == "B's title");
    CHECK(ab.doc.findDeal("d2")->value == 5);
    CHECK(ab.doc.findDeal("d2")->nextStep == "call");
    REQUIRE(ab.state.conflicts.size() == 1);
    const Conflict& c = ab.state.conflicts[0];
    CHECK(c.key == "deal:d1");
    CHECK(c.field == "title");
    CHECK(c.value == "A's title");
    CHECK(replicaOf(c.stamp) == "000000000000000a");
    CHECK(ab.newConflicts.size() == 1);
    CHECK(ba.newConflicts.size() == 1);
    CHECK(ab.changedIn == 2);   // d1 title and d2 value came in to A
    CHECK(ab.changedOut == 1);  // d2 nextStep goes out to B (d1's winner is B's already)
    CHECK(openConflicts(ab.doc, ab.state).size() == 1);

    // A restores its own title: the conflict leaves the log, everywhere it is merged.
    a.doc = ab.doc;
    a.state = ab.state;
    acknowledge(a.state, a.clock);
    REQUIRE(resolveConflict(a.doc, a.state, a.clock, "deal:d1", "title", "A's title", kT0 + 40));
    CHECK(a.doc.findDeal("d1")->title == "A's title");
    CHECK(a.state.conflicts.empty());
    b.syncWith(a);
    CHECK(b.doc.findDeal("d1")->title == "A's title");
    CHECK(b.state.conflicts.empty());
    CHECK(openConflicts(b.doc, b.state).empty());
}

// Present as the current value or as a logged conflict of key/field.
bool kept(const Replica& r, const std::string& key, const std::string& field, const json& value) {
    for (const Conflict& c : r.state.conflicts)
        if (c.key == key && c.field == field && c.value == value) return true;
    const Deal* d = r.doc.findDeal(key.substr(5));
    return d && field == "title" && d->title == value.get<std::string>();
}

// The bug sync-replicas found: B edits a field twice offline, so its second edit's base is its
// own first stamp, which is newer than A's concurrent, unseen edit. A's value must survive.
void twoOwnEditsAndAnUnseenOne(Time skewA, Time skewB, Time tA, Time tB) {
    Replica a(smallDocument(), "000000000000000a", skewA), b(smallDocument(), "000000000000000b", skewB);
    a.edit(tA, [](Document& d) { d.deals[0].title = "A1"; });
    b.edit(tB, [](Document& d) { d.deals[0].title = "B1"; });
    b.edit(tB + 5, [](Document& d) { d.deals[0].title = "B2"; });
    REQUIRE(stampOfTitle(b) > stampOfTitle(a));  // B's first edit is already after A's
    CHECK(mergedBytes(a, b) == mergedBytes(b, a));
    Replica ab = a;
    ab.syncWith(b);
    CHECK(ab.doc.findDeal("d0")->title == "B2");
    CHECK_MESSAGE(kept(ab, "deal:d0", "title", "A1"), "A's unseen edit vanished");
    CHECK_FALSE(kept(ab, "deal:d0", "title", "B1"));  // B's own first edit: superseded by B2
    // A third replica that saw B2 (and so A1 in the log) keeps it too, in any order.
    Replica c(smallDocument(), "000000000000000c");
    c.syncWith(b);
    c.edit(tB + 100, [](Document& d) { d.deals[0].title = "C1"; });
    Replica all = a;
    all.syncWith(c);
    CHECK_MESSAGE(kept(all, "deal:d0", "title", "A1"), "A's edit vanished behind C's");
    Replica other = c;
    other.syncWith(a);
    other.syncWith(b);
    all.syncWith(b);
    CHECK(all.doc == other.doc);
    CHECK(all.state.conflicts == other.state.conflicts);
    CHECK(all.state.records == other.state.records);
}

TEST_CASE("two own edits do not hide a concurrent unseen edit (no clock skew)") {
    twoOwnEditsAndAnUnseenOne(0, 0, kT0, kT0 + 10);
}

TEST_CASE("two own edits do not hide a concurrent unseen edit (B's clock an hour ahead)") {
    // A edits later in real time, but B's fast clock stamps both of its edits after A's.
    twoOwnEditsAndAnUnseenOne(0, kHour, kT0 + 60'000, kT0);
}

TEST_CASE("resolving drops exactly the versions the resolver had seen") {
    Replica a(smallDocument(), "000000000000000a"), b(smallDocument(), "000000000000000b"),
        c(smallDocument(), "000000000000000c");
    a.edit(kT0, [](Document& d) { d.deals[0].title = "A1"; });
    b.edit(kT0 + 10, [](Document& d) { d.deals[0].title = "B1"; });
    a.syncWith(b);
    REQUIRE(findConflict(a.state, "deal:d0", "title"));
    c.edit(kT0 + 15, [](Document& d) { d.deals[0].title = "C1"; });  // unseen by A
    REQUIRE(resolveConflict(a.doc, a.state, a.clock, "deal:d0", "title", "A1", kT0 + 20));
    CHECK(a.state.conflicts.empty());
    c.syncWith(a);
    c.syncWith(b);
    CHECK(c.doc.findDeal("d0")->title == "A1");
    CHECK(kept(c, "deal:d0", "title", "C1"));        // not seen by the resolver: still a conflict
    CHECK_FALSE(kept(c, "deal:d0", "title", "B1"));  // resolved
    CHECK(c.state.conflicts.size() == 1);
}

TEST_CASE("bookkeeping times never conflict: editing different fields of one deal") {
    Replica a(smallDocument(), "000000000000000a"), b(smallDocument(), "000000000000000b", -kHour);
    a.edit(kT0, [](Document& d) { d.deals[0].title = "A"; d.deals[0].updatedAt = kT0; d.deals[0].lastActivityAt = kT0 + 7; });
    b.edit(kT0 + 10, [](Document& d) { d.deals[0].value = 7; d.deals[0].updatedAt = kT0 + 10; d.deals[0].lastActivityAt = kT0 - 5; });
    CHECK(mergedBytes(a, b) == mergedBytes(b, a));
    Replica ab = a, ba = b;
    ab.syncWith(b);
    ba.syncWith(a);
    CHECK(ab.state.conflicts.empty());
    const Deal* d = ab.doc.findDeal("d0");
    CHECK(d->title == "A");
    CHECK(d->value == 7);
    CHECK(d->updatedAt == kT0 + 10);       // the latest time, though B's stamp is older
    CHECK(d->lastActivityAt == kT0 + 7);
    // Both edit the same bookkeeping field again over what they merged: still no conflict.
    ab.edit(kT0 + 20, [](Document& x) { x.deals[0].updatedAt = kT0 + 20; });
    ba.edit(kT0 + 21, [](Document& x) { x.deals[0].updatedAt = kT0 + 19; });
    ab.syncWith(ba);
    CHECK(ab.state.conflicts.empty());
    CHECK(ab.doc.findDeal("d0")->updatedAt == kT0 + 20);
}

TEST_CASE("field bases: a version vector, the old scalar form read too, untrusted ones refused") {
    Replica a(smallDocument(), "000000000000000a"), b(smallDocument(), "000000000000000b");
    a.edit(kT0, [](Document& d) { d.deals[0].title = "A1"; });
    b.syncWith(a);
    b.edit(kT0 + 10, [](Document& d) { d.deals[0].title = "B1"; });
    const json sync = encodeSyncState(b.state);
    const json& f = sync["records"]["deal:d0"]["f"]["title"];
    REQUIRE(f.is_array());
    REQUIRE(f.size() == 2);
    // B saw A1, which was written over data that predates sync ("0").
    CHECK(f[1] == json::object({{"0", "0"}, {"000000000000000a", stampOfTitle(a)}}));

    // A team file of an older Funnel: the base is one stamp, read as {its replica: it}.
    json legacy = sync;
    legacy["records"]["deal:d0"]["f"]["title"][1] = stampOfTitle(a);
    SyncState s;
    std::string error;
    REQUIRE_MESSAGE(decodeSyncState(legacy, s, error), error);
    CHECK(s.records["deal:d0"].fields["title"].base == VersionVector{{"000000000000000a", stampOfTitle(a)}});
    legacy["records"]["deal:d0"]["f"]["title"][1] = "0";
    REQUIRE(decodeSyncState(legacy, s, error));
    CHECK(s.records["deal:d0"].fields["title"].base == VersionVector{{"0", "0"}});

    auto refused = [&](const json& base, const std::string& why) {
        json bad = sync;
        bad["records"]["deal:d0"]["f"]["title"][1] = base;
        CHECK_FALSE(decodeSyncState(bad, s, error));
        CHECK_MESSAGE(error.find(why) != std::string::npos, error);
    };
    refused(json::object({{"not-a-replica", stampOfTitle(a)}}), "bad replica id");
    refused(json::object({{"000000000000000b", stampOfTitle(a)}}), "malformed stamp");  // another replica's stamp
    refused(json::object({{"000000000000000a", "yesterday"}}), "malformed stamp");
    refused(json::array({stampOfTitle(a)}), "expected {replica: stamp}");
    refused(12, "expected {replica: stamp}");
    json many = json::object();
    for (std::size_t i = 0; i <= kMaxBaseEntries; ++i) {
        char id[17];
        std::snprintf(id, sizeof id, "%016llx", static_cast<unsigned long long>(i + 1));
        many[id] = formatStamp(kT0, 0, id);
    }
    refused(many, "too many replicas");
}

TEST_CASE("an edit over an unresolved conflict keeps the conflict") {
    Replica a(smallDocument(), "000000000000000a"), b(smallDocument(), "000000000000000b");
    a.edit(kT0, [](Document& d) { d.deals[0].title = "A1"; });
    b.edit(kT0 + 5, [](Document& d) { d.deals[0].title = "B1"; });
    a.syncWith(b);
    REQUIRE(findConflict(a.state, "deal:d0", "title"));
    a.edit(kT0 + 50, [](Document& d) { d.deals[0].title = "A2"; });
    b.syncWith(a);
    CHECK(b.doc.findDeal("d0")->title == "A2");
    CHECK(findConflict(b.state, "deal:d0", "title"));
}

TEST_CASE("concurrent additions never collide: objections, activities, changes") {
    Replica a(smallDocument(), "000000000000000a"), b(smallDocument(), "000000000000000b");
    a.edit(kT0, [](Document& d) {
        d.deals[0].objections.push_back(Objection{"oa", ObjectionCategory::Price, "too dear", false, json()});
        Activity act;
        act.id = "act-a";
        act.dealId = "d0";
        act.subject = "call";
        d.activities.push_back(act);
        d.changes.push_back(Change{kT0, "m-me", "deal", "d0", "objection added", json()});
    });
    b.edit(kT0 + 1, [](Document& d) {
        d.deals[0].objections.push_back(Objection{"ob", ObjectionCategory::Competitor, "rival", false, json()});
        Activity act;
        act.id = "act-b";
        act.dealId = "d0";
        act.subject = "visit";
        d.activities.push_back(act);
        d.changes.push_back(Change{kT0 + 1, "m-me", "deal", "d0", "objection added", json()});
    });
    a.syncWith(b);
    const Deal* d = a.doc.findDeal("d0");
    REQUIRE(d);
    REQUIRE(d->objections.size() == 2);
    CHECK(d->objections[0].id == "oa");
    CHECK(d->objections[1].id == "ob");
    CHECK(a.doc.activities.size() == 2);
    CHECK(a.doc.changes.size() == 2);
    CHECK(a.doc.changes[0].at == kT0);  // changes in time order
    CHECK(a.state.conflicts.empty());
}

TEST_CASE("deletion is a tombstone: it wins by stamp, keeps the record restorable, and purges late") {
    Replica a(smallDocument(), "000000000000000a"), b(smallDocument(), "000000000000000b");
    b.syncWith(a);
    a.syncWith(b);
    a.edit(kT0, [](Document& d) { d.deals.erase(d.deals.begin() + 1); });          // hard remove d1
    b.edit(kT0 + 10, [](Document& d) { d.deals[0].value = 42; });
    a.syncWith(b);
    b.syncWith(a);
    CHECK(b.doc.findDeal("d1") == nullptr);
    CHECK(b.state.gone.count("deal:d1") == 1);
    CHECK(b.doc.findDeal("d0")->value == 42);

    // Restoring (e.g. an undo) brings the record back with its fields, on every replica.
    const Deal removed = smallDocument().deals[1];
    a.edit(kT0 + 20, [&](Document& d) { d.deals.push_back(removed); });
    b.syncWith(a);
    REQUIRE(b.doc.findDeal("d1"));
    CHECK(b.doc.findDeal("d1")->title == "Deal 1");

    // Delete again; purge needs both the retention period and every replica having merged it.
    b.edit(kT0 + 30, [](Document& d) { d.deals.erase(std::remove_if(d.deals.begin(), d.deals.end(), [](const Deal& x) { return x.id == "d1"; }), d.deals.end()); });
    // Retention counts from when this device first held the tombstone, never from its stamp.
    CHECK(purgeTombstones(b.state, kT0 + 100) == 0);  // first held now: marked
    REQUIRE(b.state.goneSince.count("deal:d1") == 1);
    CHECK(b.state.goneSince.at("deal:d1").since == kT0 + 100);
    SyncState early = b.state;
    CHECK(purgeTombstones(early, kT0 + kTombstoneRetention) == 0);   // too recent
    SyncState unseen = b.state;
    CHECK(purgeTombstones(unseen, kT0 + 2 * kTombstoneRetention) == 0);  // A has not merged it yet
    a.syncWith(b);
    b.syncWith(a);
    CHECK(b.state.goneSince.count("deal:d1") == 1);  // a merge keeps the device's marks
    // A never held it before: however old the tombstone, the sync that brings it does not purge it.
    CHECK(purgeTombstones(a.state, kT0 + 2 * kTombstoneRetention) == 0);
    CHECK(a.state.gone.count("deal:d1") == 1);
    // A's entry equals the newest stamp B knew when it first held the tombstone: that proves
    // nothing (a replica can reach it by its clock alone). A's next edit, merged, does.
    CHECK(purgeTombstones(b.state, kT0 + 2 * kTombstoneRetention, "000000000000000b") == 0);
    a.edit(kT0 + 40, [](Document& d) { d.deals[0].value = 43; });
    b.syncWith(a);
    CHECK(purgeTombstones(b.state, kT0 + 2 * kTombstoneRetention, "000000000000000b") == 1);
    CHECK(b.state.gone.count("deal:d1") == 0);
    CHECK(b.state.goneSince.empty());
    // The marks never reach the team file.
    a.state.goneSince["deal:x"] = GoneMark{kT0, {}};
    CHECK(encodeSyncState(a.state).dump().find("goneSince") == std::string::npos);
}

TEST_CASE("a removal made offline does not take a later edit with it: the record stays to be reviewed") {
    // Day 0: A removes d1 offline. Day 50: B edits it. Day 100: A syncs.
    Replica a(smallDocument(), "000000000000000a"), b(smallDocument(), "000000000000000b");
    b.syncWith(a);
    a.syncWith(b);
    a.edit(kT0, [](Document& d) { d.deals.erase(d.deals.begin() + 1); });
    CHECK(purgeTombstones(a.state, kT0 + 10) == 0);
    b.edit(kT0 + 50 * kMsPerDay, [](Document& d) { d.deals[1].title = "B's edit"; });
    a.syncWith(b);
    CHECK(purgeTombstones(a.state, kT0 + 100 * kMsPerDay) == 0);  // B's edit is newer than the removal
    REQUIRE(a.state.gone.count("deal:d1") == 1);
    CHECK(a.state.gone.at("deal:d1").at("title") == "B's edit");
    CHECK(editedAfterRemoval(a.state, "deal:d1"));
    // Listed as a conflict to review: restore (B's version) or keep it removed.
    const std::vector<ConflictChoice> choices = conflictChoices(a.doc, a.state);
    REQUIRE(choices.size() == 1);
    CHECK(choices[0].logged.key == "deal:d1");
    CHECK(choices[0].logged.field == "~gone");
    CHECK(choices[0].logged.value == false);
    CHECK(choices[0].current == true);
    // Never purged while undecided, however long.
    CHECK(purgeTombstones(a.state, kT0 + 1000 * kMsPerDay) == 0);
    // Restoring brings B's edit back, on every replica.
    REQUIRE(resolveConflict(a.doc, a.state, a.clock, "deal:d1", "~gone", false, kT0 + 1000 * kMsPerDay));
    REQUIRE(a.doc.findDeal("d1"));
    CHECK(a.doc.findDeal("d1")->title == "B's edit");
    b.syncWith(a);
    REQUIRE(b.doc.findDeal("d1"));
    CHECK(b.doc.findDeal("d1")->title == "B's edit");
    CHECK(conflictChoices(b.doc, b.state).empty());
    // Keeping it removed instead is a decision made after the edit: then it may go.
    Replica c = a;
    c.edit(kT0 + 1001 * kMsPerDay, [](Document& d) { d.deals.erase(d.deals.begin() + 1); });
    CHECK_FALSE(editedAfterRemoval(c.state, "deal:d1"));
}

TEST_CASE("the sync state rides in the document under \"sync\" and survives the codec") {
    Replica a(smallDocument(), "000000000000000a"), b(smallDocument(), "000000000000000b");
    a.edit(kT0, [](Document& d) { d.deals[0].title = "x"; });
    b.edit(kT0 + 1, [](Document& d) { d.deals[0].title = "y"; });
    a.syncWith(b);
    const std::string text = a.bytes();
    DecodeResult back = decodeDocument(text);
    REQUIRE_MESSAGE(back.ok, back.error);
    SyncState state;
    std::string error;
    REQUIRE(splitSync(back.document, state, error));
    CHECK(state == a.state);
    CHECK(back.document == a.doc);
    CHECK(canonicalText(back.document, state) == text);
}

TEST_CASE("a bad remote file is refused with a message and never merged") {
    Replica a(smallDocument(), "000000000000000a");
    a.edit(kT0, [](Document& d) { d.deals[0].title = "mine"; });
    const std::string deep = "{\"format\":\"funnel\",\"version\":1,\"x\":" + std::string(10000, '[') + std::string(10000, ']') + "}";
    std::string badStamp = Replica(smallDocument(), "000000000000000b").bytes();
    badStamp.replace(badStamp.find("\"replicas\":{}"), 13, "\"replicas\":{\"000000000000000b\":\"yesterday\"}");
    std::string badDeal = a.bytes();
    badDeal.replace(badDeal.find("\"title\":\"mine\""), 14, "\"title\":12");
    const std::vector<std::pair<std::string, std::string>> cases = {
        {deep, "nesting deeper"},
        {"{\"format\":\"funnel\",\"version\":1,\"deals\":[", "invalid JSON"},
        {"{\"format\":\"other\"}", "format"},
        {"{\"format\":\"funnel\",\"version\":1,\"deals\":[{\"id\":\"x\",\"value\":1e999}]}", "number"},
        {std::string("{\"format\":\"funnel\",\"version\":1,\"x\":\"\xff\"}"), "invalid JSON"},
        {badStamp, "malformed stamp"},
        {badDeal, "title"},
    };
    for (const auto& [text, expected] : cases) {
        MergeResult r = mergeRemoteText(a.doc, a.state, text);
        CHECK_FALSE(r.ok);
        CHECK_MESSAGE(r.error.find(expected) != std::string::npos, r.error);
    }
    MergeResult good = mergeRemoteText(a.doc, a.state, a.bytes());
    CHECK(good.ok);
}

// [SECTION] Property tests
//
// Random histories over 3-4 replicas with clocks up to an hour off: creates, edits, soft and
// hard deletes, restores, objections, merges in random pairs. Every edit is recorded with its
// stamp; at the end the replicas are merged in random orders and groupings.

namespace {
struct Rng {  // splitmix64: same numbers on every platform
    std::uint64_t s;
    std::uint64_t next() {
        std::uint64_t z = (s += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
    }
    int below(int n) { return int(next() % std::uint64_t(n)); }
};

// One field edit as the test's own model of the history sees it: which edits its replica had
// seen when it was made (its own earlier ones and everything merged in), tracked here, not
// taken from the stamps and bases under test.
bool bookkeeping(const std::string& field) { return field == "updatedAt" || field == "lastActivityAt"; }

struct EditRecord {
    std::string key, field, stamp;
    std::set<std::size_t> saw;
};

FieldStamp stampOf(const SyncState& s, const std::string& key, const std::string& field) {
    auto r = s.records.find(key);
    if (r == s.records.end()) return FieldStamp{};
    auto f = r->second.fields.find(field);
    return f != r->second.fields.end() ? f->second : FieldStamp{r->second.created, {}};
}

struct Joined {
    Document doc;
    SyncState state;
};

Joined join(const Joined& x, const Joined& y) {
    MergeResult m = merge(x.doc, x.state, y.doc, y.state);
    REQUIRE_MESSAGE(m.ok, m.error);
    return Joined{std::move(m.doc), std::move(m.state)};
}

std::string bytesOf(const Joined& j) { return canonicalText(j.doc, j.state); }

// Merges items in a random tree shape.
Joined joinTree(std::vector<Joined> items, Rng& rng) {
    while (items.size() > 1) {
        const std::size_t i = std::size_t(rng.below(int(items.size())));
        std::size_t k = std::size_t(rng.below(int(items.size()) - 1));
        if (k >= i) ++k;
        Joined m = rng.below(2) ? join(items[i], items[k]) : join(items[k], items[i]);
        items.erase(items.begin() + std::ptrdiff_t(std::max(i, k)));
        items.erase(items.begin() + std::ptrdiff_t(std::min(i, k)));
        items.push_back(std::move(m));
    }
    return items[0];
}

void runHistory(std::uint64_t seed, int steps) {
    Rng rng{seed};
    const int n = 3 + rng.below(2);
    std::vector<Replica> rs;
    for (int i = 0; i < n; ++i) {
        char id[17];
        std::snprintf(id, sizeof id, "%016llx", static_cast<unsigned long long>(0xa0 + i));
        rs.emplace_back(smallDocument(), id, Time(rng.below(int(2 * kHour + 1))) - kHour);
    }
    std::vector<EditRecord> edits;
    std::vector<std::set<std::size_t>> seen(static_cast<std::size_t>(n));  // edits each replica has seen
    std::map<std::string, std::set<Time>> updates;            // deal id -> updatedAt values written
    // Records the fields replica `i`'s last command stamped as edits made after seeing seen[i]
    // (`last`: its clock before the command; a command that changed nothing did not tick).
    auto record = [&](std::size_t i, const std::string& last, const std::string& key, const std::vector<std::string>& fields) {
        const std::set<std::size_t> saw = seen[i];
        for (const std::string& f : fields) {
            const FieldStamp fs = stampOf(rs[i].state, key, f);
            if (rs[i].clock.last() == last || fs.stamp != rs[i].clock.last()) continue;  // not changed
            seen[i].insert(edits.size());
            edits.push_back(EditRecord{key, f, fs.stamp, saw});
        }
    };
    std::vector<std::string> created;
    std::vector<Deal> trash;
    Deal removed;
    Time now = kT0;
    int counter = 0;
    for (int step = 0; step < steps; ++step) {
        now += 1 + rng.below(5000);
        const std::size_t ri = std::size_t(rng.below(n));
        Replica& r = rs[ri];
        const int op = rng.below(10);
        if (op >= 7) {  // sync with another replica
            const std::size_t oi = std::size_t(rng.below(n));
            r.syncWith(rs[oi]);
            seen[ri].insert(seen[oi].begin(), seen[oi].end());
            continue;
        }
        if (op == 6 && !trash.empty() && rng.below(3) == 0) {  // undo of a removal elsewhere
            const Deal back = trash[std::size_t(rng.below(int(trash.size())))];
            if (r.state.gone.count("deal:" + back.id) && !r.doc.findDeal(back.id)) {
                const std::string last = r.clock.last();
                r.edit(now, [&](Document& d) { d.deals.push_back(back); });
                // Restoring writes "~gone" and every field that differs from the tombstone.
                std::vector<std::string> fields;
                for (const auto& [f, fs] : r.state.records["deal:" + back.id].fields)
                    if (!bookkeeping(f)) fields.push_back(f);
                record(ri, last, "deal:" + back.id, fields);
            }
            continue;
        }
        if (op == 6) {  // a new deal, maybe with an objection
            Deal d;
            d.id = "n" + std::to_string(++counter) + "-" + r.clock.replica().substr(14);
            d.title = "new " + std::to_string(counter);
            d.pipelineId = "p1";
            d.stageId = "s1";
            if (rng.below(2)) d.objections.push_back(Objection{"o" + std::to_string(counter), ObjectionCategory::Price, "x", false, json()});
            r.edit(now, [&](Document& doc) { doc.deals.push_back(d); });
            created.push_back("deal:" + d.id);
            continue;
        }
        if (r.doc.deals.empty()) continue;
        const std::size_t which = std::size_t(rng.below(int(r.doc.deals.size())));
        const std::string key = "deal:" + r.doc.deals[which].id;
        std::string field;
        const std::string value = "v" + std::to_string(++counter);
        const std::string last = r.clock.last();
        // Half the edits also write the deal's bookkeeping time, as commands do.
        const bool touch = op <= 3 && rng.below(2) == 0;
        const Time at = now + r.skew;
        if (touch) updates[r.doc.deals[which].id].insert(at);
        auto stampTime = [&](Document& d) {
            if (touch) d.deals[which].updatedAt = at;
        };
        switch (op) {
            case 0: field = "title"; r.edit(now, [&](Document& d) { d.deals[which].title = value; stampTime(d); }); break;
            case 1: field = "value"; r.edit(now, [&](Document& d) { d.deals[which].value = counter; stampTime(d); }); break;
            case 2: field = "key.budget"; r.edit(now, [&](Document& d) { d.deals[which].key.budget = value; stampTime(d); }); break;
            case 3: {
                field = "stageId";
                const char* stage = rng.below(2) ? "s2" : "s3";
                r.edit(now, [&](Document& d) { d.deals[which].stageId = stage; stampTime(d); });
                break;
            }
            case 4: field = "deleted"; r.edit(now, [&](Document& d) { d.deals[which].deleted = !d.deals[which].deleted; }); break;
            case 5:
                field = "~gone";
                removed = r.doc.deals[which];
                r.edit(now, [&](Document& d) { d.deals.erase(d.deals.begin() + std::ptrdiff_t(which)); });
                break;
        }
        record(ri, last, key, {field});
        if (op == 5) trash.push_back(removed);
    }

    std::vector<Joined> finals;
    for (const Replica& r : rs) finals.push_back(Joined{r.doc, r.state});

    // Idempotent on a replica as it stands.
    {
        const Joined& j = finals[std::size_t(rng.below(n))];
        CHECK(bytesOf(join(j, j)) == bytesOf(j));
    }
    // Commutative on a random pair.
    {
        const Joined& x = finals[std::size_t(rng.below(n))];
        const Joined& y = finals[std::size_t(rng.below(n))];
        CHECK(bytesOf(join(x, y)) == bytesOf(join(y, x)));
    }
    // Every order and grouping gives the same bytes.
    const Joined first = joinTree(finals, rng);
    const std::string expected = bytesOf(first);
    for (int t = 0; t < 1; ++t) {
        std::vector<Joined> shuffled = finals;
        for (std::size_t i = shuffled.size(); i > 1; --i) std::swap(shuffled[i - 1], shuffled[std::size_t(rng.below(int(i)))]);
        CHECK(bytesOf(joinTree(shuffled, rng)) == expected);
    }
    CHECK(bytesOf(join(first, first)) == expected);
    CHECK(bytesOf(join(first, finals[0])) == expected);  // absorbing what it already holds

    // Every edit is the current value, a logged conflict, or superseded by an edit whose writer
    // had seen it (in the model's own record of who had seen what).
    for (std::size_t i = 0; i < edits.size(); ++i) {
        const EditRecord& e = edits[i];
        const FieldStamp now_ = stampOf(first.state, e.key, e.field);
        bool ok = now_.stamp == e.stamp;
        for (const Conflict& c : first.state.conflicts) ok = ok || (c.key == e.key && c.field == e.field && c.stamp == e.stamp);
        for (const EditRecord& later : edits) ok = ok || (later.key == e.key && later.field == e.field && later.saw.count(i));
        if (!ok) {
            std::string story;
            for (std::size_t k = 0; k < edits.size(); ++k) {
                const EditRecord& x = edits[k];
                if (x.key != e.key || (x.field != e.field && x.field != "~gone")) continue;
                story += "#" + std::to_string(k) + " " + x.field + " " + x.stamp + " saw";
                for (std::size_t y : x.saw) story += " #" + std::to_string(y);
                story += "\n";
            }
            for (const Conflict& c : first.state.conflicts)
                if (c.key == e.key) story += "logged " + c.field + " " + c.stamp + "\n";
            story += "current " + now_.stamp + "\n";
            MESSAGE(story);
        }
        CHECK_MESSAGE(ok, "seed " << seed << ": edit " << e.key << "." << e.field << " @" << e.stamp << " vanished");
    }
    // Bookkeeping times never conflict: the merge keeps the latest time any replica holds (a
    // local undo or restore may write an older one), and it is a time somebody wrote.
    for (const Conflict& c : first.state.conflicts)
        CHECK_MESSAGE(!bookkeeping(c.field), "seed " << seed << ": " << c.key << "." << c.field << " logged");
    for (const Deal& d : first.doc.deals) {
        CHECK_MESSAGE((d.updatedAt == 0 || updates[d.id].count(d.updatedAt)), "seed " << seed << ": " << d.id << " updatedAt");
        for (const Replica& r : rs)
            if (const Deal* mine = r.doc.findDeal(d.id))
                CHECK_MESSAGE(d.updatedAt >= mine->updatedAt, "seed " << seed << ": " << d.id << " updatedAt went back");
    }
    // Every record ever created is in the document or a tombstone.
    for (const std::string& key : created) {
        const bool alive = first.doc.findDeal(key.substr(5)) != nullptr;
        CHECK_MESSAGE((alive || first.state.gone.count(key) == 1), "seed " << seed << ": " << key << " vanished");
    }
    // After everyone syncs with the merged state, all replicas hold identical bytes.
    for (Replica& r : rs) {
        Joined mine{r.doc, r.state};
        CHECK(bytesOf(join(mine, first)) == expected);
    }
}
}  // namespace

TEST_CASE("merge laws and no lost edits over random histories (seeded)") {
    // FUNNEL_MERGE_SEED=<n> replays one history (the failure messages name the seed).
    if (const char* one = std::getenv("FUNNEL_MERGE_SEED")) {
        runHistory(std::strtoull(one, nullptr, 10), 24);
        return;
    }
    // The optimized native run (scripts/test's first) merges 3000 histories in ~10 s; 200 keep a
    // Debug or ASan run near 20 s on a shared 2-core machine. FUNNEL_MERGE_HISTORIES overrides.
#if defined(NDEBUG) && !defined(__SANITIZE_ADDRESS__)
    int histories = 3000;
#else
    int histories = 200;
#endif
    if (const char* n = std::getenv("FUNNEL_MERGE_HISTORIES")) histories = std::max(1, std::atoi(n));
    for (int i = 0; i < histories; ++i) runHistory(0x5eed0000ull + std::uint64_t(i), 24);
}
