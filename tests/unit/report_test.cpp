// Funnel — unit tests of the Reports model (core/report.h) on a small hand-made document whose
// every figure is worked out by hand below; two periods (May and April 2026), one owner ("me")
// and the team, and a currency without a rate (JPY).
#include <doctest/doctest.h>

#include <algorithm>

#include "core/demo.h"
#include "core/filter.h"
#include "core/report.h"

using namespace funnel;

namespace {
Time T(const char* iso) { return parseTime(iso).value(); }

Deal deal(const char* id, const char* owner, const char* stage, double value, const char* currency = "CNY") {
    Deal d;
    d.id = id;
    d.title = id;
    d.pipelineId = "p-default";
    d.stageId = stage;
    d.value = value;
    d.currency = currency;
    d.owner = owner;
    return d;
}

std::vector<Id> sorted(std::vector<Id> v) {
    std::sort(v.begin(), v.end());
    return v;
}

// Stages (index: id probability): 0 s-lead 5, 1 s-qualified 10, 2 s-needs 20, 3 s-demo 40,
// 4 s-proposal 60, 5 s-negotiation 80, 6 s-won 100. Display CNY, USD = 7, JPY has no rate.
// Out-of-funnel threshold 300 CNY. Members m-me ("me") and m-2. Today 2026-05-20, zone UTC.
//
//  deal owner stage        value    status  created  closed  history                          other
//  a1   me    lead         1000     open    05-03            lead 05-03                       close
//  2026-06-10 a2   me    demo         100 USD  open    04-10            lead 04-10, demo 04-20, close
//  2026-06-25
//                          (=700)                            qualified 05-01, demo 05-02
//  a3   me    proposal     5000 JPY open    05-04            lead 05-04, proposal 05-06       no close date
//  a4   me    won          2000     won     03-01    05-15   lead 03-01, proposal 04-01,      cost 500,
//  repurchase
//                                                            won 05-15
//  a5   me    negotiation  3000     lost    02-01    05-18   lead 02-01, negotiation 03-01    reason "price"
//  a6   m-2   won          1500     won     04-01    04-21   lead 04-01, won 04-21            cost 300,
//  renewal a7   m-2   needs        200      open    05-10            lead 05-10, needs 05-12          (out of
//  funnel) a8   m-2   qualified    800      lost    04-02    04-25   lead 04-02, qualified 04-05      reason
//  "  price " a9   m-2   lead         400      lost    05-01    05-09   lead 05-01 reason "no budget" a10  me
//  lead         9999     open, deleted: never counted
// Activities: x1 advanced, done 05-05 on a2; x2 advanced, done 04-22 on a6; x3 done 05-06 on a1, not
// advanced. Targets: m-me 2026-04 1000, m-me 2026-05 4000, m-2 2026-05 1000.
Document sample() {
    Document doc = makeDefaultDocument(0);
    Member two;
    two.id = "m-2";
    two.name = "Two";
    doc.members.push_back(two);
    doc.settings.rates = {{"USD", 7}};
    doc.settings.outOfFunnelThreshold = 300;
    doc.settings.targets = {{"m-me:2026-04", 1000}, {"m-me:2026-05", 4000}, {"m-2:2026-05", 1000}};

    Deal a1 = deal("a1", "m-me", "s-lead", 1000);
    a1.createdAt = T("2026-05-03T09:00:00Z");
    a1.stageHistory = {{"s-lead", a1.createdAt}};
    a1.expectedClose = makeDate(2026, 6, 10);
    Deal a2 = deal("a2", "m-me", "s-demo", 100, "USD");
    a2.createdAt = T("2026-04-10T09:00:00Z");
    a2.stageHistory = {{"s-lead", a2.createdAt},
                       {"s-demo", T("2026-04-20T09:00:00Z")},
                       {"s-qualified", T("2026-05-01T09:00:00Z")},
                       {"s-demo", T("2026-05-02T09:00:00Z")}};
    a2.expectedClose = makeDate(2026, 6, 25);
    Deal a3 = deal("a3", "m-me", "s-proposal", 5000, "JPY");
    a3.createdAt = T("2026-05-04T09:00:00Z");
    a3.stageHistory = {{"s-lead", a3.createdAt}, {"s-proposal", T("2026-05-06T09:00:00Z")}};
    Deal a4 = deal("a4", "m-me", "s-won", 2000);
    a4.status = DealStatus::Won;
    a4.createdAt = T("2026-03-01T00:00:00Z");
    a4.closedAt = T("2026-05-15T00:00:00Z");
    a4.stageHistory = {
        {"s-lead", a4.createdAt}, {"s-proposal", T("2026-04-01T00:00:00Z")}, {"s-won", a4.closedAt}};
    a4.cost = 500;
    a4.repurchase = true;
    Deal a5 = deal("a5", "m-me", "s-negotiation", 3000);
    a5.status = DealStatus::Lost;
    a5.lostReason = "price";
    a5.createdAt = T("2026-02-01T00:00:00Z");
    a5.closedAt = T("2026-05-18T00:00:00Z");
    a5.stageHistory = {{"s-lead", a5.createdAt}, {"s-negotiation", T("2026-03-01T00:00:00Z")}};
    Deal a6 = deal("a6", "m-2", "s-won", 1500);
    a6.status = DealStatus::Won;
    a6.createdAt = T("2026-04-01T00:00:00Z");
    a6.closedAt = T("2026-04-21T00:00:00Z");
    a6.stageHistory = {{"s-lead", a6.createdAt}, {"s-won", a6.closedAt}};
    a6.cost = 300;
    a6.renewal = true;
    Deal a7 = deal("a7", "m-2", "s-needs", 200);
    a7.createdAt = T("2026-05-10T09:00:00Z");
    a7.stageHistory = {{"s-lead", a7.createdAt}, {"s-needs", T("2026-05-12T09:00:00Z")}};
    Deal a8 = deal("a8", "m-2", "s-qualified", 800);
    a8.status = DealStatus::Lost;
    a8.lostReason = "  price ";
    a8.createdAt = T("2026-04-02T09:00:00Z");
    a8.closedAt = T("2026-04-25T09:00:00Z");
    a8.stageHistory = {{"s-lead", a8.createdAt}, {"s-qualified", T("2026-04-05T09:00:00Z")}};
    Deal a9 = deal("a9", "m-2", "s-lead", 400);
    a9.status = DealStatus::Lost;
    a9.lostReason = "no budget";
    a9.createdAt = T("2026-05-01T09:00:00Z");
    a9.closedAt = T("2026-05-09T09:00:00Z");
    a9.stageHistory = {{"s-lead", a9.createdAt}};
    Deal a10 = deal("a10", "m-me", "s-lead", 9999);
    a10.createdAt = T("2026-05-02T09:00:00Z");
    a10.stageHistory = {{"s-lead", a10.createdAt}};
    a10.deleted = true;
    doc.deals = {a1, a2, a3, a4, a5, a6, a7, a8, a9, a10};

    Activity x1, x2, x3;
    x1.id = "x1", x1.dealId = "a2", x1.advanced = true, x1.doneAt = T("2026-05-05T10:00:00Z"),
    x1.owner = "m-me";
    x2.id = "x2", x2.dealId = "a6", x2.advanced = true, x2.doneAt = T("2026-04-22T10:00:00Z"),
    x2.owner = "m-2";
    x3.id = "x3", x3.dealId = "a1", x3.advanced = false, x3.doneAt = T("2026-05-06T10:00:00Z"),
    x3.owner = "m-me";
    doc.activities = {x1, x2, x3};
    return doc;
}

const Time kNow = T("2026-05-20T12:00:00Z");

ReportChoice choice(ReportPeriod period, const char* owner) {
    ReportChoice c;
    c.period = period;
    c.owner = owner;
    return c;
}

// Every id list stands behind exactly the count it explains.
void checkIdsMatchCounts(const Report& r) {
    REQUIRE(r.funnelDeals.size() == r.funnel.stages.size());
    for (std::size_t i = 0; i < r.funnel.stages.size(); ++i)
        CHECK(int(r.funnelDeals[i].size()) == r.funnel.stages[i].count);
    REQUIRE(r.forecastDeals.size() == r.forecast.months.size());
    for (std::size_t i = 0; i < r.forecast.months.size(); ++i)
        CHECK(int(r.forecastDeals[i].size()) == r.forecast.months[i].count);
    CHECK(int(r.createdDeals.size()) == r.progress.created);
    CHECK(int(r.wonDeals.size()) == r.outcomes.won);
    CHECK(int(r.lostDeals.size()) == r.outcomes.lost);
    CHECK(int(r.outOfFunnelDeals.size()) == r.outOfFunnel.count);
    int lost = 0;
    for (const LostReason& lr : r.lostReasons) {
        CHECK(int(lr.deals.size()) == lr.count);
        lost += lr.count;
    }
    CHECK(lost == r.outcomes.lost);
}
}  // namespace

TEST_CASE("report: me, May 2026 (this month)") {
    const Document doc = sample();
    const Report r = computeReport(doc, choice(ReportPeriod::ThisMonth, "me"), kNow, 0);
    CHECK(r.owner == "m-me");
    CHECK(r.pipelineId == "p-default");
    CHECK(r.days.from == makeDate(2026, 5, 1));
    CHECK(r.days.to == makeDate(2026, 6, 1));
    checkIdsMatchCounts(r);

    // Funnel now (m-me, open or won in the won stage): lead a1 1000 (×5% = 50), demo a2 700
    // (×40% = 280), proposal a3 (JPY: counted, no value), won a4 2000 (×100%). a5 lost, a10 deleted.
    REQUIRE(r.funnel.stages.size() == 7);
    CHECK(r.funnel.stages[0].count == 1);
    CHECK(r.funnel.stages[0].value == doctest::Approx(1000));
    CHECK(r.funnel.stages[0].weighted == doctest::Approx(50));
    CHECK(r.funnel.stages[3].value == doctest::Approx(700));
    CHECK(r.funnel.stages[3].weighted == doctest::Approx(280));
    CHECK(r.funnel.stages[4].count == 1);
    CHECK(r.funnel.stages[4].value == 0);
    CHECK(r.funnel.stages[6].value == doctest::Approx(2000));
    CHECK(r.funnel.count == 4);
    CHECK(r.funnel.value == doctest::Approx(3700));
    CHECK(r.funnel.weighted == doctest::Approx(2330));
    CHECK(r.funnelDeals[4] == std::vector<Id>{"a3"});
    CHECK(r.funnelDeals[6] == std::vector<Id>{"a4"});
    CHECK(r.funnel.missingCurrencies == std::vector<std::string>{"JPY"});

    // Conversion over deals created in May by m-me: a1 (furthest lead), a3 (furthest proposal).
    // reached: lead 2, qualified..proposal 1, negotiation 0, won 0.
    REQUIRE(r.conversion.size() == 6);
    CHECK(r.conversion[0].reachedFrom == 2);
    CHECK(r.conversion[0].reachedTo == 1);
    CHECK(r.conversion[0].rate == doctest::Approx(0.5));
    CHECK(r.conversion[3].rate == doctest::Approx(1.0));  // demo → proposal: 1 of 1
    CHECK(r.conversion[4].rate == 0);                     // proposal → negotiation: 0 of 1

    // Forecast (open, m-me): "" a3 (no value: JPY); 2026-06 a1 + a2 = 1700, weighted 50 + 280.
    REQUIRE(r.forecast.months.size() == 2);
    CHECK(r.forecast.months[0].month == "");
    CHECK(r.forecast.months[0].count == 1);
    CHECK(r.forecast.months[0].value == 0);
    CHECK(r.forecast.months[1].month == "2026-06");
    CHECK(r.forecast.months[1].value == doctest::Approx(1700));
    CHECK(r.forecast.months[1].weighted == doctest::Approx(330));
    CHECK(sorted(r.forecastDeals[1]) == std::vector<Id>{"a1", "a2"});
    CHECK(r.forecast.missingCurrencies == std::vector<std::string>{"JPY"});

    // Progress in May: created a1, a3. Entries: a1 lead; a2 qualified (back from demo), demo
    // (forward); a3 lead, proposal (forward); a4 won (forward from proposal). Won a4, lost a5;
    // advanced activity x1 (x3 did not advance).
    CHECK(r.progress.created == 2);
    CHECK(sorted(r.createdDeals) == std::vector<Id>{"a1", "a3"});
    CHECK(r.progress.moves == 4);
    CHECK(r.progress.forward == 3);
    CHECK(r.progress.backward == 1);
    CHECK(r.progress.entered.at("s-lead") == 2);
    CHECK(r.progress.entered.at("s-qualified") == 1);
    CHECK(r.progress.entered.at("s-demo") == 1);
    CHECK(r.progress.entered.at("s-proposal") == 1);
    CHECK(r.progress.entered.at("s-won") == 1);
    CHECK(r.progress.won == 1);
    CHECK(r.progress.lost == 1);
    CHECK(r.progress.advancedActivities == 1);

    // Outcomes of May: won a4 (2000, cost 500, repurchase, 03-01 → 05-15 = 31 + 30 + 14 = 75 days),
    // lost a5. Win rate 1/2, cost rate 500/2000.
    CHECK(r.outcomes.won == 1);
    CHECK(r.outcomes.lost == 1);
    CHECK(r.outcomes.winRate == doctest::Approx(0.5));
    CHECK(r.outcomes.wonValue == doctest::Approx(2000));
    CHECK(r.outcomes.averageWon == doctest::Approx(2000));
    CHECK(r.outcomes.averageCycleDays == doctest::Approx(75));
    CHECK(r.outcomes.repurchaseRate == doctest::Approx(1));
    CHECK(r.outcomes.renewalRate == 0);
    CHECK(r.outcomes.costRate == doctest::Approx(0.25));
    REQUIRE(r.lostReasons.size() == 1);
    CHECK(r.lostReasons[0].reason == "price");
    CHECK(r.lostReasons[0].value == doctest::Approx(3000));
    CHECK(r.lostReasons[0].deals == std::vector<Id>{"a5"});

    // Out of funnel: none of m-me's deals is under 300 (a3 cannot be judged: no JPY rate).
    CHECK(r.outOfFunnel.count == 0);
    CHECK(r.outOfFunnel.threshold == doctest::Approx(300));
    CHECK(r.outOfFunnel.missingCurrencies == std::vector<std::string>{"JPY"});

    // Targets of May for m-me: 4000, achieved a4 2000 → 50 %. (April's row is outside the period.)
    REQUIRE(r.targets.rows.size() == 1);
    CHECK(r.targets.rows[0].member == "m-me");
    CHECK(r.targets.rows[0].month == "2026-05");
    CHECK(r.targets.rows[0].target == doctest::Approx(4000));
    CHECK(r.targets.rows[0].achieved == doctest::Approx(2000));
    CHECK(r.targets.rows[0].rate == doctest::Approx(0.5));
    CHECK(r.targetDeals[0] == std::vector<Id>{"a4"});

    CHECK(r.missingCurrencies == std::vector<std::string>{"JPY"});
}

TEST_CASE("report: me, April 2026 (last month)") {
    const Report r = computeReport(sample(), choice(ReportPeriod::LastMonth, "me"), kNow, 0);
    CHECK(r.days.from == makeDate(2026, 4, 1));
    CHECK(r.days.to == makeDate(2026, 5, 1));
    checkIdsMatchCounts(r);
    // April for m-me: created a2; a2 lead (creation) and demo (forward from lead), a4 proposal
    // (forward from lead, 04-01 00:00 is inside). Nothing closed: win rate 0, no lost reasons.
    CHECK(r.progress.created == 1);
    CHECK(r.progress.moves == 2);
    CHECK(r.progress.forward == 2);
    CHECK(r.progress.backward == 0);
    CHECK(r.progress.advancedActivities == 0);
    CHECK(r.outcomes.won == 0);
    CHECK(r.outcomes.lost == 0);
    CHECK(r.outcomes.winRate == 0);
    CHECK(r.lostReasons.empty());
    // The funnel is "now", whatever the period: the same as in May.
    CHECK(r.funnel.count == 4);
    CHECK(r.funnel.value == doctest::Approx(3700));
    // Target m-me April 1000, nothing won by m-me in April → 0 %.
    REQUIRE(r.targets.rows.size() == 1);
    CHECK(r.targets.rows[0].month == "2026-04");
    CHECK(r.targets.rows[0].achieved == 0);
    CHECK(r.targets.rows[0].rate == 0);
    CHECK(r.targetDeals[0].empty());
}

TEST_CASE("report: the team, May 2026") {
    const Report r = computeReport(sample(), choice(ReportPeriod::ThisMonth, "team"), kNow, 0);
    CHECK(r.owner.empty());
    checkIdsMatchCounts(r);
    // Funnel: m-me's four plus a6 (won, in the won stage: 1500). a7 is out of funnel (200 < 300),
    // a8 and a9 lost. Won band 2000 + 1500; weighted 50 + 280 + 0 + 3500.
    CHECK(r.funnel.count == 5);
    CHECK(r.funnel.value == doctest::Approx(5200));  // 1000 + 700 + 0 + 2000 + 1500
    CHECK(r.funnel.weighted == doctest::Approx(3830));
    CHECK(r.funnel.stages[6].count == 2);
    CHECK(sorted(r.funnelDeals[6]) == std::vector<Id>{"a4", "a6"});
    CHECK(r.funnelDeals[2].empty());  // a7 (needs) is out of funnel
    // Conversion over deals created in May: a1 (lead), a3 (proposal), a7 (needs), a9 (lead).
    // reached: lead 4, qualified 2, needs 2, demo 1, proposal 1, negotiation 0, won 0.
    CHECK(r.conversion[0].reachedFrom == 4);
    CHECK(r.conversion[0].rate == doctest::Approx(0.5));
    CHECK(r.conversion[1].rate == doctest::Approx(1.0));
    CHECK(r.conversion[2].rate == doctest::Approx(0.5));
    // Forecast: a7 is out of funnel, so the same as m-me's.
    CHECK(r.forecast.months.size() == 2);
    CHECK(r.forecast.months[1].value == doctest::Approx(1700));
    // Progress: created a1, a3, a7, a9; moves: m-me's 4 + a7 lead → needs; lost a5, a9.
    CHECK(r.progress.created == 4);
    CHECK(r.progress.moves == 5);
    CHECK(r.progress.forward == 4);
    CHECK(r.progress.backward == 1);
    CHECK(r.progress.entered.at("s-lead") == 4);
    CHECK(r.progress.entered.at("s-needs") == 1);
    CHECK(r.progress.won == 1);
    CHECK(r.progress.lost == 2);
    // Outcomes: won a4; lost a5, a9 → 1/3.
    CHECK(r.outcomes.winRate == doctest::Approx(1.0 / 3.0));
    CHECK(r.outcomes.averageWon == doctest::Approx(2000));
    // Lost reasons: one each; "price" (3000) before "no budget" (400).
    REQUIRE(r.lostReasons.size() == 2);
    CHECK(r.lostReasons[0].reason == "price");
    CHECK(r.lostReasons[1].reason == "no budget");
    CHECK(r.lostReasons[1].deals == std::vector<Id>{"a9"});
    // Out of funnel: a7, 200.
    CHECK(r.outOfFunnel.count == 1);
    CHECK(r.outOfFunnel.value == doctest::Approx(200));
    CHECK(r.outOfFunnel.wonCount == 0);
    CHECK(r.outOfFunnelDeals == std::vector<Id>{"a7"});
    // Targets of May, in key order: m-2 (1000, nothing won in May → 0), m-me (4000, 2000 → 50 %).
    REQUIRE(r.targets.rows.size() == 2);
    CHECK(r.targets.rows[0].member == "m-2");
    CHECK(r.targets.rows[0].achieved == 0);
    CHECK(r.targets.rows[1].member == "m-me");
    CHECK(r.targets.rows[1].rate == doctest::Approx(0.5));
}

TEST_CASE("report: the team, April 2026") {
    const Report r = computeReport(sample(), choice(ReportPeriod::LastMonth, "team"), kNow, 0);
    checkIdsMatchCounts(r);
    // Created a2, a6, a8. Moves: a2 lead → demo, a4 lead → proposal, a6 lead → won, a8 lead → qualified.
    CHECK(r.progress.created == 3);
    CHECK(r.progress.moves == 4);
    CHECK(r.progress.forward == 4);
    CHECK(r.progress.entered.at("s-lead") == 3);
    CHECK(r.progress.advancedActivities == 1);  // x2
    // Won a6 (1500, cost 300, renewal, 04-01 → 04-21 = 20 days), lost a8.
    CHECK(r.outcomes.won == 1);
    CHECK(r.outcomes.lost == 1);
    CHECK(r.outcomes.winRate == doctest::Approx(0.5));
    CHECK(r.outcomes.averageWon == doctest::Approx(1500));
    CHECK(r.outcomes.averageCycleDays == doctest::Approx(20));
    CHECK(r.outcomes.repurchaseRate == 0);
    CHECK(r.outcomes.renewalRate == doctest::Approx(1));
    CHECK(r.outcomes.costRate == doctest::Approx(0.2));
    CHECK(r.wonDeals == std::vector<Id>{"a6"});
    // "  price " is trimmed to "price".
    REQUIRE(r.lostReasons.size() == 1);
    CHECK(r.lostReasons[0].reason == "price");
    CHECK(r.lostReasons[0].value == doctest::Approx(800));
    // Conversion over deals created in April: a2 (demo), a6 (won), a8 (qualified).
    // reached: lead 3, qualified 3, needs 2, demo 2, proposal 1, negotiation 1, won 1.
    CHECK(r.conversion[0].rate == doctest::Approx(1.0));
    CHECK(r.conversion[1].rate == doctest::Approx(2.0 / 3.0));
    CHECK(r.conversion[3].rate == doctest::Approx(0.5));
    CHECK(r.conversion[5].rate == doctest::Approx(1.0));
    // Target m-me April 1000 only (no m-2 target in April).
    REQUIRE(r.targets.rows.size() == 1);
    CHECK(r.targets.rows[0].member == "m-me");
    // JPY (a3, open) is still left out of the funnel's money.
    CHECK(r.missingCurrencies == std::vector<std::string>{"JPY"});
}

TEST_CASE("report: a custom period, a member by id, and a rate added") {
    Document doc = sample();
    ReportChoice c = choice(ReportPeriod::Custom, "team");
    c.customFrom = makeDate(2026, 5, 10);
    c.customTo = makeDate(2026, 5, 18);  // included: a5 closed 05-18 00:00 counts, a9 (05-09) does not
    Report r = computeReport(doc, c, kNow, 0);
    CHECK(r.days.to == makeDate(2026, 5, 19));
    CHECK(r.outcomes.won == 1);
    CHECK(r.outcomes.lost == 1);
    CHECK(r.lostDeals == std::vector<Id>{"a5"});

    r = computeReport(doc, choice(ReportPeriod::ThisMonth, "m-2"), kNow, 0);
    CHECK(r.owner == "m-2");
    CHECK(r.funnel.count == 1);  // a6
    CHECK(r.missingCurrencies.empty());

    // With a JPY rate (0.05 CNY), a3 is worth 250 — under the threshold: out of the funnel now.
    doc.settings.rates["JPY"] = 0.05;
    r = computeReport(doc, choice(ReportPeriod::ThisMonth, "me"), kNow, 0);
    CHECK(r.missingCurrencies.empty());
    CHECK(r.funnel.count == 3);
    CHECK(r.outOfFunnelDeals == std::vector<Id>{"a3"});
    CHECK(r.outOfFunnel.value == doctest::Approx(250));
}

TEST_CASE("report: periods in the user's zone") {
    const Date may20 = makeDate(2026, 5, 20);
    auto range = [&](ReportPeriod p, Date today) { return resolvePeriod(choice(p, "me"), today); };
    CHECK(range(ReportPeriod::ThisQuarter, may20).from == makeDate(2026, 4, 1));
    CHECK(range(ReportPeriod::ThisQuarter, may20).to == makeDate(2026, 7, 1));
    CHECK(range(ReportPeriod::ThisYear, may20).from == makeDate(2026, 1, 1));
    CHECK(range(ReportPeriod::ThisYear, may20).to == makeDate(2027, 1, 1));
    CHECK(range(ReportPeriod::LastMonth, makeDate(2026, 1, 5)).from == makeDate(2025, 12, 1));
    CHECK(range(ReportPeriod::ThisMonth, makeDate(2026, 12, 31)).to == makeDate(2027, 1, 1));
    // UTC+8: 2026-04-30T20:00Z is already May 1 there, and May starts at 2026-04-30T16:00Z.
    const Report r =
        computeReport(sample(), choice(ReportPeriod::ThisMonth, "team"), T("2026-04-30T20:00:00Z"), 480);
    CHECK(r.days.from == makeDate(2026, 5, 1));
    CHECK(r.options.from == T("2026-04-30T16:00:00Z"));
}

TEST_CASE("report: the choice in the URL query") {
    ReportChoice c;
    CHECK(encodeReportQuery(c) == "period=month&owner=me");
    c.period = ReportPeriod::Custom;
    c.customFrom = makeDate(2026, 11, 1);
    c.customTo = makeDate(2026, 11, 30);
    c.owner = "team";
    c.pipelineId = "p-default";
    const std::string q = encodeReportQuery(c);
    CHECK(q == "period=2026-11-01..2026-11-30&owner=team&pipeline=p-default");
    ReportChoice back;
    std::string error;
    CHECK(parseReportQuery(q, back, error));
    CHECK(back == c);
    for (const char* p : {"month", "last-month", "quarter", "year"}) {
        CHECK(parseReportQuery(std::string("period=") + p, back, error));
        CHECK(encodeReportQuery(back).rfind(std::string("period=") + p + "&", 0) == 0);
    }
    // A bad field is named; the good ones still apply.
    CHECK_FALSE(parseReportQuery("period=2026-12-01..2026-11-01&owner=m-2", back, error));
    CHECK(error == "period");
    CHECK(back.owner == "m-2");
    CHECK(back.period == ReportPeriod::ThisMonth);
    CHECK_FALSE(parseReportQuery("owner=<script>", back, error));
    CHECK(error == "owner");
    CHECK_FALSE(parseReportQuery("colour=red", back, error));
    CHECK(error == "colour");
    CHECK(parseReportQuery("", back, error));
    CHECK(back == ReportChoice{});
}

TEST_CASE("report: computed once per revision and choice") {
    const Document doc = sample();
    ReportCache cache;
    ReportChoice c = choice(ReportPeriod::ThisMonth, "me");
    cache.get(doc, 1, c, kNow, 0);
    cache.get(doc, 1, c, kNow + 1000, 0);  // same day: the same report
    CHECK(cache.computations() == 1);
    cache.get(doc, 2, c, kNow, 0);
    CHECK(cache.computations() == 2);
    c.owner = "team";
    CHECK(cache.get(doc, 2, c, kNow, 0).funnel.count == 5);
    CHECK(cache.computations() == 3);
    cache.get(doc, 2, c, kNow + kMsPerDay, 0);  // the next day
    CHECK(cache.computations() == 4);
}

TEST_CASE("report: on the demo document every id list matches its count") {
    const Time now = T("2026-06-15T10:00:00Z");
    const Document doc = makeDemoDocument(7, 600, now, "");
    for (ReportPeriod p : {ReportPeriod::ThisMonth, ReportPeriod::LastMonth, ReportPeriod::ThisQuarter,
                           ReportPeriod::ThisYear})
        for (const char* owner : {"team", "me"}) {
            CAPTURE(int(p));
            CAPTURE(owner);
            checkIdsMatchCounts(computeReport(doc, choice(p, owner), now, 120));
        }
    const Report year = computeReport(doc, choice(ReportPeriod::ThisYear, "team"), now, 120);
    CHECK(year.outcomes.won > 0);
    CHECK(year.funnel.count > 0);
    CHECK_FALSE(year.targets.rows.empty());
    for (std::size_t i = 0; i < year.targets.rows.size(); ++i) {
        // The ids behind `achieved` add up to it.
        double sum = 0;
        for (const Id& id : year.targetDeals[i]) {
            const Deal* d = doc.findDeal(id);
            REQUIRE(d);
            sum += convertMoney(doc.settings, d->value, d->currency, doc.settings.displayCurrency).value();
        }
        CHECK(sum == doctest::Approx(year.targets.rows[i].achieved));
    }
}

TEST_CASE("board filter: only the deals behind a report figure") {
    const Document doc = sample();
    BoardFilter f;
    f.status = StatusFilter::All;
    f.deals = {"a2", "a5"};  // sorted
    std::vector<Id> passing;
    for (const Deal& d : doc.deals)
        if (dealMatches(doc, d, f)) passing.push_back(d.id);
    CHECK(passing == std::vector<Id>{"a2", "a5"});
    // In the snapshot header and back (sorted again on the way in).
    json j = encodeFilter(f);
    CHECK(j["deals"] == json::array({"a2", "a5"}));
    j["deals"] = json::array({"a5", "a2"});
    BoardFilter back;
    std::string error;
    REQUIRE(decodeFilter(j, back, error));
    CHECK(back == f);
    j["deals"] = json::array({"a5", 7});
    CHECK_FALSE(decodeFilter(j, back, error));
    CHECK(error == "filter.deals: expected an array of deal ids");
}
