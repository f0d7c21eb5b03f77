// Funnel — unit tests of shared snapshots: what a filtered board's snapshot holds (and what it
// must not), the round trip through text, and the refusal of damaged or foreign input.
#include <doctest/doctest.h>

#include <set>

#include "core/codec.h"
#include "core/demo.h"
#include "core/snapshot.h"

using namespace funnel;

namespace {
const Time kNow = parseTime("2026-11-28T08:00:00Z").value();

// The 50-deal demo with a second pipeline holding every fifth deal, and a sync section.
Document twoPipelines() {
    Document doc = makeDemoDocument(3, 50, kNow, "en");
    Pipeline other = doc.pipelines.front();
    other.id = "p-other";
    other.name.byLang = {{"en", "Renewals"}};
    for (Stage& s : other.stages) s.id = "o-" + s.id;
    doc.pipelines.push_back(other);
    for (std::size_t i = 0; i < doc.deals.size(); i += 5) {
        doc.deals[i].pipelineId = "p-other";
        doc.deals[i].stageId = "o-" + doc.deals[i].stageId;
    }
    doc.extra = json::object();
    doc.extra["sync"] = json{{"stamps", json::object()}};
    doc.settings.targets["x:2026-11"] = 5;
    return doc;
}

std::set<Id> ids(const auto& records) {
    std::set<Id> out;
    for (const auto& r : records) out.insert(r.id);
    return out;
}
}  // namespace

TEST_CASE("snapshot: exactly the filtered deals of the pipeline, with what they reference and nothing else") {
    const Document doc = twoPipelines();
    const Id pipeline = doc.pipelines.front().id;
    // The owner of the first deal of the main pipeline, open deals only.
    Id owner;
    for (const Deal& d : doc.deals)
        if (d.pipelineId == pipeline && !d.deleted && d.status == DealStatus::Open) owner = d.owner;
    REQUIRE(!owner.empty());
    BoardFilter f;
    f.owner = owner;
    f.status = StatusFilter::Open;

    std::set<Id> expected;
    for (const Deal& d : doc.deals)
        if (d.pipelineId == pipeline && !d.deleted && d.status == DealStatus::Open && d.owner == owner)
            expected.insert(d.id);
    REQUIRE(expected.size() >= 1);
    REQUIRE(expected.size() < 40);  // the filter really cuts

    const Document snap = makeSnapshot(doc, pipeline, f, kNow);
    CHECK(ids(snap.deals) == expected);
    REQUIRE(snap.pipelines.size() == 1);
    CHECK(snap.pipelines[0] == doc.pipelines.front());

    std::set<Id> customers, members;
    for (const Deal& d : snap.deals) {
        customers.insert(d.customerId);
        members.insert(d.owner);
    }
    CHECK(ids(snap.customers) == customers);
    for (const Customer& c : snap.customers) members.insert(c.owner);
    for (const Contact& c : snap.contacts) {
        CHECK(customers.count(c.customerId) == 1);
        CHECK_FALSE(c.deleted);
    }
    // Every live contact of those customers is there.
    std::size_t liveContacts = 0;
    for (const Contact& c : doc.contacts)
        if (!c.deleted && customers.count(c.customerId)) ++liveContacts;
    CHECK(snap.contacts.size() == liveContacts);
    // Activities: all live ones of the shared deals, no others.
    std::size_t dealActivities = 0;
    for (const Activity& a : doc.activities)
        if (!a.deleted && expected.count(a.dealId)) ++dealActivities;
    CHECK(snap.activities.size() == dealActivities);
    for (const Activity& a : snap.activities) {
        CHECK(expected.count(a.dealId) == 1);
        members.insert(a.owner);
    }
    // Objections travel inside their deals.
    for (const Deal& d : snap.deals) CHECK(d.objections == doc.findDeal(d.id)->objections);
    // Change history only of included records.
    const std::set<Id> contactIds = ids(snap.contacts), activityIds = ids(snap.activities);
    for (const Change& c : snap.changes) {
        bool included = (c.entity == "deal" && expected.count(c.id)) ||
                        (c.entity == "customer" && customers.count(c.id)) ||
                        (c.entity == "contact" && contactIds.count(c.id)) ||
                        (c.entity == "activity" && activityIds.count(c.id));
        CHECK(included);
        members.insert(c.by);
    }
    members.erase("");
    CHECK(ids(snap.members) == members);
    // Display settings only: no "me", no targets, no language, no sync state.
    CHECK(snap.settings.displayCurrency == doc.settings.displayCurrency);
    CHECK(snap.settings.rates == doc.settings.rates);
    CHECK(snap.settings.me.empty());
    CHECK(snap.settings.targets.empty());
    CHECK(snap.settings.defaultPipeline == pipeline);
    CHECK_FALSE(snap.extra.contains("sync"));
    // The header.
    REQUIRE(snap.extra.contains("snapshot"));
    const json& h = snap.extra["snapshot"];
    CHECK(h["readOnly"] == true);
    CHECK(h["pipeline"] == pipeline);
    CHECK(h["deals"] == static_cast<int>(expected.size()));
    CHECK(h["createdAt"] == "2026-11-28T08:00:00.000Z");
    CHECK(h["by"] == doc.findMember(doc.settings.me)->name);
    CHECK(h["filter"]["owner"] == owner);
    CHECK(h["filter"]["status"] == "open");
}

TEST_CASE("snapshot: a search and the other pipeline") {
    const Document doc = twoPipelines();
    BoardFilter f;
    f.status = StatusFilter::All;
    const Document other = makeSnapshot(doc, "p-other", f, kNow);
    CHECK(other.deals.size() == 10);
    for (const Deal& d : other.deals) CHECK(d.pipelineId == "p-other");
    // Search on a deal title's first word (case-insensitive).
    const Deal& probe = doc.deals[1];
    f.search = probe.title.substr(0, 4);
    for (char& c : f.search) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    const Document found = makeSnapshot(doc, probe.pipelineId, f, kNow);
    CHECK(ids(found.deals).count(probe.id) == 1);
    for (const Deal& d : found.deals) CHECK(dealMatches(doc, d, f));
    // An unknown pipeline shares nothing (and still makes a valid document).
    const Document none = makeSnapshot(doc, "nope", f, kNow);
    CHECK(none.deals.empty());
    CHECK(none.customers.empty());
    CHECK(openSnapshot(encodeDocumentText(none)).error == SnapshotError::None);
}

TEST_CASE("snapshot: round trip through text keeps the document and the header") {
    const Document doc = twoPipelines();
    BoardFilter f;
    f.grade = 0;
    f.label = "urgent";
    f.source = static_cast<int>(LeadSource::Referral);
    f.status = StatusFilter::Won;
    f.search = "a";
    const Document snap = makeSnapshot(doc, doc.pipelines.front().id, f, kNow);
    const std::string text = encodeDocumentText(snap);
    OpenedSnapshot o = openSnapshot(text);
    REQUIRE_MESSAGE(o.error == SnapshotError::None, o.detail);
    CHECK(o.info.createdAt == kNow);
    CHECK(o.info.filter == f);
    CHECK(o.info.pipelineId == doc.pipelines.front().id);
    Document withoutHeader = snap;
    withoutHeader.extra = json();
    CHECK(o.document == withoutHeader);
    // The own copy is the same data without the header.
    Document copy = ownCopyOf(o.document, o.info);
    CHECK_FALSE(copy.extra.is_object());
    CHECK(copy.deals == snap.deals);
    // Pretty-printed by an editor: still a snapshot.
    CHECK(openSnapshot(encodeDocument(snap).dump(2)).error == SnapshotError::None);
}

TEST_CASE("snapshot: damaged, oversized, foreign and tampered input is refused") {
    const Document doc = twoPipelines();
    const std::string text =
        encodeDocumentText(makeSnapshot(doc, doc.pipelines.front().id, BoardFilter{}, kNow));
    CHECK(openSnapshot("").error == SnapshotError::Damaged);
    CHECK(openSnapshot(text.substr(0, text.size() / 2)).error == SnapshotError::Damaged);  // cut short
    CHECK(openSnapshot("{\"format\":\"funnel\",\"version\":1,\"x\":\"\xff\"}").error ==
          SnapshotError::Damaged);  // not UTF-8
    Limits small;
    small.maxBytes = text.size() - 1;
    CHECK(openSnapshot(text, small).error == SnapshotError::TooLarge);
    Limits shallow;
    shallow.maxDepth = 2;
    CHECK(openSnapshot(text, shallow).error == SnapshotError::TooLarge);
    // A whole backup (no header), another program's JSON, a JSON list.
    CHECK(openSnapshot(encodeDocumentText(doc)).error == SnapshotError::NotSnapshot);
    CHECK(openSnapshot("{\"name\":\"something else\"}").error == SnapshotError::NotSnapshot);
    CHECK(openSnapshot("[1,2,3]").error == SnapshotError::NotSnapshot);
    // A snapshot with a broken field or header.
    json bad = json::parse(text);
    bad["deals"][0]["value"] = "lots";
    OpenedSnapshot o = openSnapshot(bad.dump());
    CHECK(o.error == SnapshotError::Invalid);
    CHECK(o.detail.find("deals[0].value") != std::string::npos);
    CHECK(o.document.deals.empty());  // nothing half-read is handed out
    json header = json::parse(text);
    header["snapshot"]["readOnly"] = false;
    CHECK(openSnapshot(header.dump()).error == SnapshotError::Invalid);
    header["snapshot"] = "yes";
    CHECK(openSnapshot(header.dump()).error == SnapshotError::Invalid);
    json newer = json::parse(text);
    newer["version"] = 99;
    CHECK(openSnapshot(newer.dump()).error == SnapshotError::Invalid);
}

TEST_CASE("snapshot: a blank store may be replaced, one with data may not") {
    CHECK(isBlank(makeDefaultDocument(kNow)));
    CHECK_FALSE(isBlank(makeDemoDocument(1, 5, kNow, "en")));
}
