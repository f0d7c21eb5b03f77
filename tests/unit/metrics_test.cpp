// Funnel — unit tests of the metrics on small hand-computed documents.
#include <doctest/doctest.h>

#include <map>

#include "core/demo.h"
#include "core/metrics.h"

using namespace funnel;

namespace {
Time T(const char* iso) { return parseTime(iso).value(); }

Deal deal(const char* id, const char* stage, double value, const char* currency = "CNY") {
    Deal d;
    d.id = id;
    d.title = id;
    d.pipelineId = "p-default";
    d.stageId = stage;
    d.value = value;
    d.currency = currency;
    d.owner = "m-me";
    return d;
}

// Stages: lead 5%, qualified 10, needs 20, demo 40, proposal 60, negotiation 80, won 100.
// Display CNY; USD = 7, EUR = 8, JPY has no rate.
Document sample() {
    Document doc = makeDefaultDocument(0);
    doc.settings.rates = {{"CNY", 1}, {"USD", 7}, {"EUR", 8}};
    doc.settings.targets = {{"m-me:2026-05", 4000}, {"m-2:2026-05", 1000}};

    Deal d1 = deal("d1", "s-lead", 1000);
    d1.createdAt = T("2026-05-01T09:00:00Z");
    d1.stageHistory = {{"s-lead", d1.createdAt}};
    d1.expectedClose = makeDate(2026, 6, 10);

    Deal d2 = deal("d2", "s-demo", 100, "USD");  // 700 CNY
    d2.createdAt = T("2026-04-20T09:00:00Z");
    d2.stageHistory = {{"s-lead", d2.createdAt}, {"s-qualified", T("2026-05-02T09:00:00Z")}, {"s-demo", T("2026-05-10T09:00:00Z")}};
    d2.expectedClose = makeDate(2026, 6, 20);

    Deal d3 = deal("d3", "s-demo", 500);
    d3.probability = 50;
    d3.createdAt = T("2026-05-05T09:00:00Z");
    d3.stageHistory = {{"s-lead", d3.createdAt}, {"s-demo", T("2026-05-06T09:00:00Z")},
                       {"s-needs", T("2026-05-07T09:00:00Z")}, {"s-demo", T("2026-05-08T09:00:00Z")}};
    d3.expectedClose = makeDate(2026, 7, 1);

    Deal d4 = deal("d4", "s-won", 2000);
    d4.status = DealStatus::Won;
    d4.createdAt = T("2026-03-01T00:00:00Z");
    d4.closedAt = T("2026-05-15T00:00:00Z");
    d4.stageHistory = {{"s-lead", d4.createdAt}, {"s-proposal", T("2026-04-01T00:00:00Z")}, {"s-won", d4.closedAt}};
    d4.cost = 500;

    Deal d5 = deal("d5", "s-negotiation", 3000);
    d5.status = DealStatus::Lost;
    d5.lostReason = "price";
    d5.createdAt = T("2026-02-01T00:00:00Z");
    d5.closedAt = T("2026-05-20T00:00:00Z");
    d5.stageHistory = {{"s-lead", d5.createdAt}, {"s-negotiation", T("2026-03-01T00:00:00Z")}};

    Deal d6 = deal("d6", "s-qualified", 9000);
    d6.status = DealStatus::Suspended;
    d6.suspendedUntil = makeDate(2026, 6, 1);
    d6.stageHistory = {{"s-lead", T("2026-01-01T00:00:00Z")}, {"s-qualified", T("2026-01-02T00:00:00Z")}};

    Deal d7 = deal("d7", "s-lead", 50, "JPY");  // no rate
    d7.stageHistory = {{"s-lead", T("2026-01-01T00:00:00Z")}};

    Deal d8 = deal("d8", "s-gone", 400);  // its stage was deleted
    d8.stageHistory = {{"s-gone", T("2026-01-01T00:00:00Z")}};

    Deal d9 = deal("d9", "s-demo", 99999);
    d9.deleted = true;
    d9.stageHistory = {{"s-lead", T("2026-05-03T00:00:00Z")}, {"s-demo", T("2026-05-04T00:00:00Z")}};

    Deal d10 = deal("d10", "s-qualified", 0);  // value not known yet
    d10.stageHistory = {{"s-qualified", T("2026-01-01T00:00:00Z")}};

    Deal d11 = deal("d11", "s-won", 100, "EUR");  // 800 CNY
    d11.status = DealStatus::Won;
    d11.createdAt = T("2026-05-01T00:00:00Z");
    d11.closedAt = T("2026-05-11T00:00:00Z");
    d11.stageHistory = {{"s-lead", d11.createdAt}, {"s-won", d11.closedAt}};
    d11.repurchase = true;
    d11.cost = 40;  // 320 CNY

    doc.deals = {d1, d2, d3, d4, d5, d6, d7, d8, d9, d10, d11};

    Activity a1;
    a1.id = "a1";
    a1.dealId = "d2";
    a1.doneAt = T("2026-05-12T00:00:00Z");
    a1.advanced = true;
    Activity a2 = a1;
    a2.id = "a2";
    a2.dealId = "d9";  // deleted deal
    Activity a3 = a1;
    a3.id = "a3";
    a3.doneAt = T("2026-06-02T00:00:00Z");  // outside the period
    Activity a4 = a1;
    a4.id = "a4";
    a4.advanced = false;
    doc.activities = {a1, a2, a3, a4};
    return doc;
}

MetricsOptions may() {
    MetricsOptions o;
    o.now = T("2026-05-31T12:00:00Z");
    o.from = T("2026-05-01T00:00:00Z");
    o.to = T("2026-06-01T00:00:00Z");
    return o;
}
}  // namespace

TEST_CASE("currency conversion goes through the display currency and never guesses") {
    Settings s;
    s.displayCurrency = "CNY";
    s.rates = {{"USD", 7}, {"EUR", 8}};
    CHECK(convertMoney(s, 10, "USD", "CNY") == doctest::Approx(70));
    CHECK(convertMoney(s, 70, "CNY", "USD") == doctest::Approx(10));
    CHECK(convertMoney(s, 8, "USD", "EUR") == doctest::Approx(7));
    CHECK(convertMoney(s, 5, "JPY", "JPY") == 5);
    CHECK_FALSE(convertMoney(s, 5, "JPY", "CNY"));
    CHECK_FALSE(convertMoney(s, 5, "CNY", "KRW"));
}

TEST_CASE("funnel totals per stage: count, value, weighted value") {
    const Document doc = sample();
    FunnelTotals t = funnelTotals(doc, may());
    REQUIRE(t.stages.size() == 7);
    // lead: d1 (1000 × 5%) and d7 (JPY: counted, no value)
    CHECK(t.stages[0].count == 2);
    CHECK(t.stages[0].value == doctest::Approx(1000));
    CHECK(t.stages[0].weighted == doctest::Approx(50));
    // qualified: d10 with value 0 (d6 is suspended)
    CHECK(t.stages[1].count == 1);
    CHECK(t.stages[1].value == 0);
    CHECK(t.stages[2].count == 0);
    // demo: d2 700 × 40% + d3 500 × 50% (override)
    CHECK(t.stages[3].count == 2);
    CHECK(t.stages[3].value == doctest::Approx(1200));
    CHECK(t.stages[3].weighted == doctest::Approx(530));
    CHECK(t.stages[5].count == 0);  // d5 is lost
    // won: d4 2000 + d11 800
    CHECK(t.stages[6].count == 2);
    CHECK(t.stages[6].value == doctest::Approx(2800));
    CHECK(t.stages[6].weighted == doctest::Approx(2800));
    // d8 sits in a deleted stage: reported apart, probability 0
    CHECK(t.unknownStage.count == 1);
    CHECK(t.unknownStage.value == doctest::Approx(400));
    CHECK(t.unknownStage.weighted == 0);
    CHECK(t.count == 8);
    CHECK(t.value == doctest::Approx(5400));
    CHECK(t.weighted == doctest::Approx(3380));
    CHECK(t.missingCurrencies == std::vector<std::string>{"JPY"});

    // In USD: the same totals divided by 7.
    MetricsOptions usd = may();
    usd.displayCurrency = "USD";
    FunnelTotals u = funnelTotals(doc, usd);
    CHECK(u.value == doctest::Approx(5400.0 / 7));
    // One owner only.
    MetricsOptions other = may();
    other.owner = "m-2";
    CHECK(funnelTotals(doc, other).count == 0);
}

TEST_CASE("an empty pipeline and an empty document give empty metrics, not errors") {
    Document doc = sample();
    Pipeline empty;
    empty.id = "p-empty";
    empty.name.byLang["en"] = "Empty";
    doc.pipelines.push_back(empty);
    MetricsOptions o = may();
    o.pipelineId = "p-empty";
    FunnelTotals t = funnelTotals(doc, o);
    CHECK(t.stages.empty());
    CHECK(t.count == 0);
    CHECK(stageConversion(doc, o).empty());
    CHECK(forecastByMonth(doc, o).months.empty());
    CHECK(outcomes(doc, o).winRate == 0);
    o.pipelineId = "p-none";
    CHECK(funnelTotals(doc, o).stages.empty());
    Document nothing;
    CHECK(funnelTotals(nothing, MetricsOptions{}).count == 0);
    CHECK(attentionLists(nothing, MetricsOptions{}).followUps.empty());
    CHECK(outcomes(nothing, MetricsOptions{}).averageWon == 0);
}

TEST_CASE("forecast by expected close month") {
    Forecast f = forecastByMonth(sample(), may());
    REQUIRE(f.months.size() == 3);
    CHECK(f.months[0].month == "");  // d7 (no rate), d8, d10
    CHECK(f.months[0].count == 3);
    CHECK(f.months[0].value == doctest::Approx(400));
    CHECK(f.months[0].weighted == 0);
    CHECK(f.months[1].month == "2026-06");  // d1 + d2
    CHECK(f.months[1].value == doctest::Approx(1700));
    CHECK(f.months[1].weighted == doctest::Approx(330));
    CHECK(f.months[2].month == "2026-07");  // d3
    CHECK(f.months[2].weighted == doctest::Approx(250));
    CHECK(f.missingCurrencies == std::vector<std::string>{"JPY"});
}

TEST_CASE("progress in a period") {
    Progress p = progressInPeriod(sample(), may());
    CHECK(p.created == 3);     // d1, d3, d11
    CHECK(p.moves == 7);       // d2 ×2, d3 ×3, d4, d11
    CHECK(p.forward == 6);
    CHECK(p.backward == 1);    // d3 demo → needs
    CHECK(p.won == 2);
    CHECK(p.lost == 1);
    CHECK(p.advancedActivities == 1);  // a1 only
    CHECK(p.entered["s-lead"] == 3);
    CHECK(p.entered["s-demo"] == 3);
    CHECK(p.entered["s-needs"] == 1);
    CHECK(p.entered["s-won"] == 2);
    CHECK(p.entered.count("s-negotiation") == 0);
}

TEST_CASE("out-of-funnel sales below the threshold") {
    Document doc = sample();
    doc.settings.outOfFunnelThreshold = 600;
    OutOfFunnel o = outOfFunnelSales(doc, may());
    CHECK(o.threshold == 600);
    CHECK(o.count == 2);  // d3 500, d8 400; d10 (0) is not known to be small
    CHECK(o.value == doctest::Approx(900));
    CHECK(o.wonCount == 0);
    CHECK(o.missingCurrencies == std::vector<std::string>{"JPY"});
    // Kept out of the funnel and the forecast, unless asked.
    FunnelTotals t = funnelTotals(doc, may());
    CHECK(t.count == 6);
    CHECK(t.stages[3].count == 1);
    MetricsOptions all = may();
    all.includeOutOfFunnel = true;
    CHECK(funnelTotals(doc, all).count == 8);
    // A small won order counts as an out-of-funnel sale.
    doc.settings.outOfFunnelThreshold = 900;
    o = outOfFunnelSales(doc, may());
    CHECK(o.wonCount == 1);  // d11, 800
    CHECK(o.wonValue == doctest::Approx(800));
    // The threshold is in settings.displayCurrency and follows the display currency.
    MetricsOptions usd = may();
    usd.displayCurrency = "USD";
    CHECK(outOfFunnelSales(doc, usd).threshold == doctest::Approx(900.0 / 7));
}

TEST_CASE("stage-to-stage conversion from the stage history") {
    std::vector<StageConversion> c = stageConversion(sample(), MetricsOptions{});
    REQUIRE(c.size() == 6);
    const int reached[] = {9, 7, 5, 5, 3, 3, 2};
    for (std::size_t k = 0; k < 6; ++k) {
        CAPTURE(k);
        CHECK(c[k].reachedFrom == reached[k]);
        CHECK(c[k].reachedTo == reached[k + 1]);
        CHECK(c[k].rate == doctest::Approx(double(reached[k + 1]) / reached[k]));
    }
    CHECK(c[0].fromStage == "s-lead");
    CHECK(c[0].toStage == "s-qualified");
    // Only deals created in May: d1, d3, d11.
    c = stageConversion(sample(), may());
    CHECK(c[0].reachedFrom == 3);
    CHECK(c[1].reachedFrom == 2);  // d3 (skipped to demo), d11 (won)
    CHECK(c[5].reachedTo == 1);
}

TEST_CASE("outcomes: win rate, average size, cycle, repurchase, renewal, cost rate") {
    Outcomes o = outcomes(sample(), may());
    CHECK(o.won == 2);
    CHECK(o.lost == 1);
    CHECK(o.winRate == doctest::Approx(2.0 / 3));
    CHECK(o.wonValue == doctest::Approx(2800));
    CHECK(o.averageWon == doctest::Approx(1400));
    CHECK(o.averageCycleDays == doctest::Approx((75 + 10) / 2.0));
    CHECK(o.repurchaseRate == doctest::Approx(0.5));
    CHECK(o.renewalRate == 0);
    CHECK(o.costRate == doctest::Approx(820.0 / 2800));
    CHECK(o.missingCurrencies.empty());

    // A won deal in a currency without a rate counts as won but not in the money.
    Document doc = sample();
    doc.deals[10].currency = "JPY";
    o = outcomes(doc, may());
    CHECK(o.won == 2);
    CHECK(o.wonValue == doctest::Approx(2000));
    CHECK(o.averageWon == doctest::Approx(2000));
    CHECK(o.costRate == doctest::Approx(500.0 / 2000));
    CHECK(o.missingCurrencies == std::vector<std::string>{"JPY"});
    // Outside the period nothing closed.
    MetricsOptions june = may();
    june.from = T("2026-06-01T00:00:00Z");
    june.to = T("2026-07-01T00:00:00Z");
    CHECK(outcomes(sample(), june).won == 0);
}

TEST_CASE("target achievement per member and month") {
    Targets t = targetAchievement(sample(), may());
    REQUIRE(t.rows.size() == 2);
    CHECK(t.rows[0].member == "m-2");
    CHECK(t.rows[0].achieved == 0);
    CHECK(t.rows[0].rate == 0);
    CHECK(t.rows[1].member == "m-me");
    CHECK(t.rows[1].month == "2026-05");
    CHECK(t.rows[1].target == 4000);
    CHECK(t.rows[1].achieved == doctest::Approx(2800));
    CHECK(t.rows[1].rate == doctest::Approx(0.7));
    // The month is the user's: closed on May 31st 20:00 UTC is June 1st in Seoul.
    Document doc = sample();
    doc.deals[10].closedAt = T("2026-05-31T20:00:00Z");
    MetricsOptions seoul = may();
    seoul.utcOffsetMinutes = 9 * 60;
    CHECK(targetAchievement(doc, seoul).rows[1].achieved == doctest::Approx(2000));
    CHECK(targetAchievement(doc, may()).rows[1].achieved == doctest::Approx(2800));
    CHECK(monthOf(T("2026-05-31T20:00:00Z"), 540) == "2026-06");
}

TEST_CASE("attention lists: cadence follow-ups, overdue activities, after-sales, rotting, suspended") {
    Document doc = makeDefaultDocument(0);
    const Time now = T("2026-05-31T12:00:00Z");
    auto customer = [&](const char* id, Grade g, const char* created) {
        Customer c;
        c.id = id;
        c.name = id;
        c.grade = g;
        c.createdAt = T(created);
        doc.customers.push_back(c);
    };
    customer("cA", Grade::A, "2026-05-01T00:00:00Z");  // last done 05-20 + 7 = 05-27: 4 days overdue
    customer("cB", Grade::B, "2026-05-17T00:00:00Z");  // created 05-17 + 14 = 05-31: due today
    customer("cC", Grade::C, "2026-05-10T00:00:00Z");  // + 30: not yet
    customer("cD", Grade::D, "2026-01-01T00:00:00Z");  // + 90 = 04-01 but a visit is planned ahead
    customer("cX", Grade::A, "2026-01-01T00:00:00Z");
    doc.customers.back().deleted = true;
    auto activity = [&](const char* id, const char* cust, const char* dealId, ActivityKind k, Time due, Time done) {
        Activity a;
        a.id = id;
        a.customerId = cust;
        a.dealId = dealId;
        a.kind = k;
        a.due = due;
        a.doneAt = done;
        doc.activities.push_back(a);
    };
    activity("a1", "cA", "", ActivityKind::Call, 0, T("2026-05-20T10:00:00Z"));
    activity("a2", "cD", "", ActivityKind::Visit, T("2026-06-03T10:00:00Z"), 0);
    activity("a3", "cC", "", ActivityKind::Call, T("2026-05-30T10:00:00Z"), 0);  // overdue
    activity("a4", "cC", "", ActivityKind::Call, T("2026-05-29T10:00:00Z"), 0);  // more overdue
    activity("a5", "cA", "w1", ActivityKind::AfterSales, 0, T("2026-05-09T00:00:00Z"));
    activity("a6", "cD", "", ActivityKind::Meeting, T("2026-05-31T18:00:00Z"), 0);  // later today
    activity("a7", "cD", "", ActivityKind::Call, T("2026-05-31T13:00:00Z"), 0);     // sooner today
    activity("a8", "cD", "", ActivityKind::Call, T("2026-06-01T09:00:00Z"), 0);     // tomorrow
    activity("a9", "cD", "r4", ActivityKind::Call, T("2026-06-02T09:00:00Z"), 0);   // r4 has a plan

    Deal w1 = deal("w1", "s-won", 100);  // won 05-01: 7-day follow-up done, 30-day due 05-31
    w1.status = DealStatus::Won;
    w1.closedAt = T("2026-05-01T08:00:00Z");
    Deal w2 = deal("w2", "s-won", 100);  // won 05-20: 7-day follow-up due 05-27
    w2.status = DealStatus::Won;
    w2.closedAt = T("2026-05-20T08:00:00Z");
    Deal w3 = deal("w3", "s-won", 100);  // won yesterday: nothing due yet
    w3.status = DealStatus::Won;
    w3.closedAt = T("2026-05-30T08:00:00Z");
    Deal r1 = deal("r1", "s-negotiation", 100);  // rots after 7 idle days; idle since 05-20 = 11
    r1.createdAt = T("2026-04-01T00:00:00Z");
    r1.stageHistory = {{"s-negotiation", T("2026-05-10T00:00:00Z")}};
    r1.lastActivityAt = T("2026-05-20T00:00:00Z");
    Deal r2 = deal("r2", "s-lead", 100);  // 30-day limit, idle 30: not yet
    r2.createdAt = T("2026-05-01T00:00:00Z");
    Deal r3 = deal("r3", "s-won", 100);  // open in a stage that never rots
    r3.createdAt = T("2020-01-01T00:00:00Z");
    Deal r4 = deal("r4", "s-gone", 100);  // deleted stage: no limit known
    r4.createdAt = T("2020-01-01T00:00:00Z");
    Deal s1 = deal("s1", "s-demo", 100);
    s1.status = DealStatus::Suspended;
    s1.suspendedUntil = makeDate(2026, 5, 31);
    Deal s2 = deal("s2", "s-demo", 100);
    s2.status = DealStatus::Suspended;
    s2.suspendedUntil = makeDate(2026, 6, 1);
    Deal gone = deal("gone", "s-negotiation", 100);
    gone.deleted = true;
    gone.createdAt = T("2020-01-01T00:00:00Z");
    r1.nextStepDue = makeDate(2026, 5, 30);  // next steps: r1 yesterday, r2 long ago, r3 today,
    r2.nextStepDue = makeDate(2026, 5, 2);   // r4's is past but a call is planned, s1 is suspended
    r3.nextStepDue = makeDate(2026, 5, 31);
    r4.nextStepDue = makeDate(2026, 5, 1);
    s1.nextStepDue = makeDate(2026, 5, 1);
    doc.deals = {w1, w2, w3, r1, r2, r3, r4, s1, s2, gone};

    MetricsOptions o;
    o.now = now;
    Attention at = attentionLists(doc, o);
    REQUIRE(at.followUps.size() == 2);
    CHECK(at.followUps[0].customerId == "cA");
    CHECK(at.followUps[0].due == makeDate(2026, 5, 27));
    CHECK(at.followUps[0].daysOverdue == 4);
    CHECK(at.followUps[1].customerId == "cB");
    CHECK(at.followUps[1].daysOverdue == 0);
    CHECK(at.overdueActivities == std::vector<Id>{"a4", "a3"});
    CHECK(at.dueTodayActivities == std::vector<Id>{"a7", "a6"});
    CHECK(at.overdueNextSteps == std::vector<Id>{"r2", "r1"});
    CHECK(at.dueTodayNextSteps == std::vector<Id>{"r3"});
    REQUIRE(at.afterSales.size() == 2);
    CHECK(at.afterSales[0].dealId == "w2");
    CHECK(at.afterSales[0].step == 0);
    CHECK(at.afterSales[0].daysOverdue == 4);
    CHECK(at.afterSales[1].dealId == "w1");
    CHECK(at.afterSales[1].step == 1);
    CHECK(at.afterSales[1].due == makeDate(2026, 5, 31));
    REQUIRE(at.rotting.size() == 1);
    CHECK(at.rotting[0].dealId == "r1");
    CHECK(at.rotting[0].idleDays == 11);
    CHECK(at.rotting[0].rottingDays == 7);
    CHECK(at.suspendedDue == std::vector<Id>{"s1"});

    // The cadence is editable.
    doc.settings.cadenceDays["C"] = 21;  // cC: 05-10 + 21 = 05-31
    at = attentionLists(doc, o);
    CHECK(at.followUps.size() == 3);
    // Owner filter: customers have no owner here, deals belong to m-me.
    o.owner = "m-2";
    at = attentionLists(doc, o);
    CHECK(at.followUps.empty());
    CHECK(at.rotting.empty());
    CHECK(at.suspendedDue.empty());
}

// The metrics count by numbers and flat tables for speed (a 100k-deal report); these are the same
// figures by their plain definitions (formatted months, a lookup per activity), on a demo.
TEST_CASE("metrics: the fast paths give the plain definitions' figures on a demo") {
    const Time now = T("2026-05-20T10:00:00Z");
    Document doc = makeDemoDocument(7, 3000, now, "en");
    // A target with a month that is not one, and one of a month without wins: neither matches a deal.
    doc.settings.targets["m-x:2026-1x"] = 100;
    doc.settings.targets[doc.settings.me + ":1999-01"] = 100;
    for (const Id& owner : {Id(), doc.settings.me}) {
        MetricsOptions o;
        o.now = now;
        o.utcOffsetMinutes = 480;
        o.owner = owner;
        o.from = T("2026-01-01T00:00:00+08:00");
        o.to = T("2027-01-01T00:00:00+08:00");
        const Pipeline* p = doc.findPipeline(doc.settings.defaultPipeline);
        REQUIRE(p);
        auto inScope = [&](const Deal* d) {
            return d && !d->deleted && d->pipelineId == p->id && (owner.empty() || d->owner == owner);
        };
        auto inPeriod = [&](Time t) { return t != 0 && t >= o.from && t < o.to; };

        // Advanced activities: each one whose deal is in scope, found by id.
        int advanced = 0;
        for (const Activity& a : doc.activities)
            if (!a.deleted && a.advanced && inPeriod(a.doneAt) && inScope(doc.findDeal(a.dealId))) ++advanced;
        const Progress pr = progressInPeriod(doc, o);
        CHECK(advanced > 0);
        CHECK(pr.advancedActivities == advanced);
        std::map<Id, int> entered;
        for (const Deal& d : doc.deals)
            if (inScope(&d))
                for (const StageEntry& e : d.stageHistory)
                    if (inPeriod(e.at)) entered[e.stageId]++;
        CHECK(pr.entered == entered);

        // Forecast months: "YYYY-MM" of the expected date, "" first, ascending.
        std::map<std::string, int> months;
        for (const Deal& d : doc.deals)
            if (inScope(&d) && d.status == DealStatus::Open)
                months[d.expectedClose == kNoDate ? "" : formatDate(d.expectedClose).substr(0, 7)]++;
        o.includeOutOfFunnel = true;
        const Forecast f = forecastByMonth(doc, o);
        o.includeOutOfFunnel = false;
        REQUIRE(f.months.size() == months.size());
        std::size_t i = 0;
        for (const auto& [m, n] : months) {
            CHECK(f.months[i].month == m);
            CHECK(f.months[i].count == n);
            ++i;
        }

        // Targets: won value by owner and monthOf(closedAt).
        std::map<std::pair<Id, std::string>, double> won;
        for (const Deal& d : doc.deals)
            if (!d.deleted && d.status == DealStatus::Won && d.closedAt)
                if (auto v = convertMoney(doc.settings, d.value, d.currency, doc.settings.displayCurrency))
                    won[{d.owner, monthOf(d.closedAt, o.utcOffsetMinutes)}] += *v;
        const Targets t = targetAchievement(doc, o);
        REQUIRE_FALSE(t.rows.empty());
        int matched = 0;
        for (const TargetAchievement& row : t.rows) {
            auto it = won.find({row.member, row.month});
            CHECK(row.achieved == doctest::Approx(it == won.end() ? 0.0 : it->second));
            matched += it != won.end();
        }
        if (owner.empty()) CHECK(matched > 0);
    }
    CHECK(monthNumber("2026-05") == 2026 * 12 + 4);
    CHECK(monthNumber("2026-13") == -1);
    CHECK(monthNumber("2026-1x") == -1);
    CHECK(monthNumber("26-05") == -1);
    CHECK(monthNumber(makeDate(2026, 5, 31)) == 2026 * 12 + 4);
}
