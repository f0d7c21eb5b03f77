// Funnel — unit tests of the demo generator: deterministic, sane, fast enough for 100k deals.
#include <doctest/doctest.h>

#include <set>
#include <unordered_set>

#include "core/codec.h"
#include "core/command.h"
#include "core/demo.h"
#include "core/metrics.h"

using namespace funnel;

namespace {
const Time kNow = parseTime("2026-11-28T08:00:00Z").value();

bool hasCjkOrHangul(const std::string& s) {
    for (unsigned char c : s)
        if (c >= 0xE0) return true;  // a three-byte UTF-8 sequence: CJK, Hangul, …
    return false;
}

}  // namespace

TEST_CASE("demo: the same seed gives the same document, another seed another one") {
    const std::string a = encodeDocumentText(makeDemoDocument(7, 50, kNow, "zh-Hans"));
    const std::string b = encodeDocumentText(makeDemoDocument(7, 50, kNow, "zh-Hans"));
    const std::string c = encodeDocumentText(makeDemoDocument(8, 50, kNow, "zh-Hans"));
    CHECK(a == b);
    CHECK(a != c);
    CHECK(encodeDocumentText(makeDemoDocument(7, 50, kNow, "")) == encodeDocumentText(makeDemoDocument(7, 50, kNow, "")));
}

TEST_CASE("demo: sane records in every language") {
    for (const char* lang : {"en", "zh-Hans", "zh-Hant", "ko", ""}) {
        CAPTURE(lang);
        const Document doc = makeDemoDocument(1, 50, kNow, lang);
        CHECK(doc.deals.size() == 50);
        CHECK(doc.members.size() >= 4);
        CHECK(doc.findMember(doc.settings.me) != nullptr);
        CHECK(doc.customers.size() >= 8);
        CHECK(doc.contacts.size() >= doc.customers.size());
        CHECK_FALSE(doc.activities.empty());
        CHECK_FALSE(doc.changes.empty());
        CHECK_FALSE(doc.settings.targets.empty());

        // Names fit the language.
        const bool latin = std::string(lang) == "en";
        int cjk = 0;
        for (const Customer& c : doc.customers) cjk += hasCjkOrHangul(c.name);
        if (latin) CHECK(cjk == 0);
        else if (*lang) CHECK(cjk == int(doc.customers.size()));

        // References hold, values are positive, every currency has a rate, ids are unique.
        std::unordered_set<Id> ids;
        std::set<DealStatus> statuses;
        std::set<Id> stages;
        int overdue = 0, planned = 0;
        for (const Deal& d : doc.deals) {
            CHECK(ids.insert(d.id).second);
            REQUIRE(doc.findCustomer(d.customerId));
            CHECK(doc.findMember(d.owner));
            const Pipeline* p = doc.findPipeline(d.pipelineId);
            REQUIRE(p);
            CHECK(p->findStage(d.stageId));
            CHECK(d.value > 0);
            CHECK(convertMoney(doc.settings, d.value, d.currency, doc.settings.displayCurrency).has_value());
            REQUIRE_FALSE(d.stageHistory.empty());
            CHECK(d.stageHistory.back().stageId == d.stageId);
            for (std::size_t k = 1; k < d.stageHistory.size(); ++k) CHECK(d.stageHistory[k].at >= d.stageHistory[k - 1].at);
            CHECK(d.createdAt <= kNow);
            if (d.status == DealStatus::Won || d.status == DealStatus::Lost) CHECK(d.closedAt >= d.createdAt);
            if (d.status == DealStatus::Lost) CHECK_FALSE(d.lostReason.empty());
            if (d.status == DealStatus::Suspended) CHECK(d.suspendedUntil != kNoDate);
            for (const Id& c : d.contactIds) CHECK(doc.findContact(c));
            statuses.insert(d.status);
            stages.insert(d.stageId);
        }
        for (const Activity& a : doc.activities) {
            CHECK(doc.findDeal(a.dealId));
            if (!a.doneAt) {
                planned++;
                overdue += a.due < kNow;
            } else {
                CHECK(a.doneAt <= kNow);
            }
        }
        for (const Contact& c : doc.contacts) CHECK(doc.findCustomer(c.customerId));
        CHECK(statuses.size() == 4);  // open, won, lost and suspended all appear
        CHECK(stages.size() >= 5);
        CHECK(planned > 0);
        CHECK(overdue > 0);

        // It is a valid document: it round-trips, and commands work on it.
        const std::string text = encodeDocumentText(doc);
        DecodeResult r = decodeDocument(text);
        REQUIRE_MESSAGE(r.ok, r.error);
        CHECK(r.document == doc);
        Document copy = doc;
        CHECK(applyCommand(copy, {{"op", "deal.win"}, {"id", doc.deals[0].status == DealStatus::Won ? doc.deals[1].id : doc.deals[0].id}},
                           CommandContext{kNow, "m-me"}).ok);

        // The metrics have something to show.
        MetricsOptions o;
        o.now = kNow;
        FunnelTotals t = funnelTotals(doc, o);
        CHECK(t.count > 20);
        CHECK(t.missingCurrencies.empty());
        Attention at = attentionLists(doc, o);
        CHECK(at.overdueActivities.size() == std::size_t(overdue));
    }
}

TEST_CASE("demo: 1k / 10k / 100k deals make, encode and decode back to the same text") {
    // Speed is measured by scripts/bench (codec.*_mb_s, store.*), not here. 100k only in
    // optimized builds: a Debug nlohmann_json is tens of times slower.
#if defined(NDEBUG) && !defined(__SANITIZE_ADDRESS__)
    const std::vector<int> sizes = {1000, 10000, 100000};
#else
    const std::vector<int> sizes = {1000, 10000};
#endif
    for (int n : sizes) {
        CAPTURE(n);
        const Document doc = makeDemoDocument(3, n, kNow, "");
        CHECK(doc.deals.size() == std::size_t(n));
        const std::string text = encodeDocumentText(doc);
        DecodeResult r = decodeDocument(text);
        REQUIRE(r.ok);
        CHECK(r.document.deals.size() == std::size_t(n));
        CHECK(r.document.customers.size() == doc.customers.size());
        CHECK(encodeDocumentText(r.document) == text);
    }
}

