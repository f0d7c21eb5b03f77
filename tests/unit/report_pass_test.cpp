// Funnel — computeReport (core/report.cpp) counts every figure in one pass over the document;
// metrics.h's functions count each on its own. Here both run on a generated document of a few
// thousand varied deals, for many choices, and must give the same numbers to the last bit (same
// sums in the same order), and the same deal ids behind each number as the rules the ids were
// picked by before the single pass (the reference below).
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/model.h"
#include "core/report.h"

using namespace funnel;

namespace {
Time T(const char* iso) { return parseTime(iso).value(); }

// A small deterministic generator (no std:: distributions: the same document everywhere).
struct Rng {
    std::uint64_t s;
    std::uint32_t next() {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        return std::uint32_t(s >> 33);
    }
    int below(int n) { return int(next() % std::uint32_t(n)); }
    bool chance(int percent) { return below(100) < percent; }
    template <typename T>
    const T& pick(const std::vector<T>& v) {
        return v[std::size_t(below(int(v.size())))];
    }
};

const Time kNow = T("2026-05-20T12:00:00Z");

// Two pipelines (the second with a stage id used twice and no 100 % last stage), members, rates
// with gaps (JPY none, GBP 0, KRW negative), a threshold, targets (some malformed or elsewhere in
// time), and deals of every status with histories that run through, before and after the
// periods, through stages that no longer exist.
Document generated(int deals) {
    Document doc = makeDefaultDocument(0);
    for (const char* id : {"m-2", "m-3", "m-4"}) {
        Member m;
        m.id = id;
        m.name = id;
        doc.members.push_back(m);
    }
    Pipeline second;
    second.id = "p-second";
    for (const auto& [id, prob] :
         std::vector<std::pair<const char*, int>>{{"t-one", 10},
                                                  {"t-two", 30},
                                                  {"t-one", 50},
                                                  {"t-a-stage-id-longer-than-16", 70},
                                                  {"t-end", 90}}) {
        Stage s;
        s.id = id;
        s.probability = prob;
        second.stages.push_back(s);
    }
    doc.pipelines.push_back(second);
    doc.settings.rates = {{"USD", 7}, {"EUR", 7.7}, {"HKD", 0.91}, {"GBP", 0}, {"KRW", -1}};
    doc.settings.outOfFunnelThreshold = 300;
    doc.settings.targets = {{"m-me:2026-04", 1000}, {"m-me:2026-05", 4000}, {"m-2:2026-05", 1000},
                            {"m-3:2026-01", 2500},  {"m-3:2025-12", 800},   {"m-4:2026-13", 500},
                            {"m-2:2026-5", 700},    {"nocolon", 100},       {"m-9:2026-05", 300},
                            {"m-2:2026-03", 0}};

    Rng rng{12345};
    const std::vector<std::string> owners = {"m-me", "m-2", "m-3", "m-4", "m-gone"};
    const std::vector<std::string> currencies = {"CNY", "CNY", "CNY", "USD", "EUR",
                                                 "HKD", "JPY", "GBP", "KRW", ""};
    const std::vector<std::string> reasons = {"price", "  price ", "price\t",    "no budget",
                                              "",      " ",        "competitor", "timing"};
    std::vector<std::string> defaultStages;
    for (const Stage& s : doc.pipelines.front().stages) defaultStages.push_back(s.id);
    defaultStages.push_back("s-removed");
    std::vector<std::string> secondStages = {"t-one", "t-two", "t-a-stage-id-longer-than-16", "t-end",
                                             "t-gone"};
    const Time span = 400 * kMsPerDay;  // created up to ~13 months before now
    for (int i = 0; i < deals; ++i) {
        Deal d;
        d.id = "d" + std::to_string(i);
        if (i % 97 == 5) d.id = "d" + std::to_string(i - 1);  // now and then an id twice
        d.title = d.id;
        const bool inSecond = rng.chance(20);
        d.pipelineId = inSecond ? "p-second" : rng.chance(2) ? "p-gone" : "p-default";
        const std::vector<std::string>& stages = inSecond ? secondStages : defaultStages;
        d.owner = rng.pick(owners);
        d.currency = rng.pick(currencies);
        d.value = rng.chance(8) ? 0 : double(rng.below(20000)) + (rng.chance(50) ? 0.25 * rng.below(4) : 0);
        if (rng.chance(15)) d.value = 10 + rng.below(400);  // around the threshold
        d.cost = rng.chance(70) ? d.value * rng.below(80) / 100.0 : 0;
        if (rng.chance(25)) d.probability = rng.below(101);
        d.createdAt = rng.chance(3) ? 0 : kNow - Time(rng.next() % std::uint64_t(span));
        d.repurchase = rng.chance(20);
        d.renewal = rng.chance(10);
        d.deleted = rng.chance(4);
        if (rng.chance(70)) d.expectedClose = dateFromTime(kNow) - 120 + rng.below(400);
        // History: a walk through the stages, now and then back, or through a stage now gone.
        Time at = d.createdAt ? d.createdAt : kNow - span;
        std::size_t stage = 0;
        const int steps = rng.below(7);
        d.stageHistory.push_back({stages[0], at, nullptr});
        for (int k = 0; k < steps; ++k) {
            at += Time(rng.next() % std::uint64_t(40 * kMsPerDay));
            if (rng.chance(25) && stage > 0)
                stage -= 1;
            else if (rng.chance(15))
                stage = std::size_t(rng.below(int(stages.size())));
            else
                stage = std::min(stage + 1, stages.size() - 1);
            d.stageHistory.push_back({stages[stage], rng.chance(3) ? 0 : at, nullptr});
        }
        d.stageId = rng.chance(5) ? rng.pick(stages) : stages[stage];
        const int status = rng.below(100);
        if (status < 55) {
            d.status = DealStatus::Open;
        } else if (status < 75) {
            d.status = DealStatus::Won;
            if (rng.chance(70)) d.stageId = inSecond ? "t-end" : "s-won";
        } else if (status < 92) {
            d.status = DealStatus::Lost;
            d.lostReason = rng.pick(reasons);
        } else {
            d.status = DealStatus::Suspended;
        }
        if (d.status == DealStatus::Won || d.status == DealStatus::Lost) {
            d.closedAt = rng.chance(4) ? 0 : at + Time(rng.next() % std::uint64_t(30 * kMsPerDay));
            if (rng.chance(3)) d.closedAt = d.createdAt - kMsPerDay;  // closed "before" created
        }
        doc.deals.push_back(d);
    }
    // Won within hours of a month's end: which month's target they count for depends on the zone.
    int extra = 0;
    for (const char* closed : {"2026-04-30T20:00:00Z", "2026-05-01T02:00:00Z", "2026-05-31T19:00:00Z",
                               "2025-12-31T22:00:00Z", "2026-01-01T03:00:00Z"})
        for (const char* owner : {"m-me", "m-2", "m-3"}) {
            Deal d;
            d.id = "edge" + std::to_string(extra++);
            d.pipelineId = "p-default";
            d.stageId = "s-won";
            d.owner = owner;
            d.value = 100 + extra;
            d.status = DealStatus::Won;
            d.createdAt = T("2025-10-01T00:00:00Z");
            d.closedAt = T(closed);
            d.stageHistory = {{"s-lead", d.createdAt, nullptr}, {"s-won", d.closedAt, nullptr}};
            doc.deals.push_back(d);
        }
    for (int i = 0; i < deals * 2; ++i) {
        Activity a;
        a.id = "x" + std::to_string(i);
        a.dealId = rng.chance(10) ? "" : rng.chance(3) ? "d-gone" : "d" + std::to_string(rng.below(deals));
        a.advanced = rng.chance(40);
        a.doneAt = rng.chance(20) ? 0 : kNow - Time(rng.next() % std::uint64_t(span));
        a.deleted = rng.chance(3);
        a.owner = rng.pick(owners);
        doc.activities.push_back(a);
    }
    return doc;
}

// The deal ids behind each figure by the rules report.cpp picked them by before the single pass
// (one loop of its own, after metrics.h's functions).
struct ReferenceIds {
    std::vector<std::vector<Id>> funnel, forecast, targets;
    std::vector<Id> created, won, lost, outOfFunnel;
    std::map<std::string, std::vector<Id>> lostReasons;
    std::map<std::string, double> lostValues;  // summed in deal order
};

ReferenceIds referenceIds(const Document& doc, const Report& r) {
    ReferenceIds out;
    const MetricsOptions& o = r.options;
    const Pipeline* p = doc.findPipeline(r.pipelineId);
    std::map<Id, std::size_t> stageIndex;
    if (p)
        for (std::size_t i = 0; i < p->stages.size(); ++i) stageIndex[p->stages[i].id] = i;
    const bool wonLast = p && !p->stages.empty() && p->stages.back().probability == 100;
    out.funnel.assign(p ? p->stages.size() : 0, {});
    out.forecast.assign(r.forecast.months.size(), {});
    out.targets.assign(r.targets.rows.size(), {});
    const double threshold = doc.settings.outOfFunnelThreshold > 0 ? doc.settings.outOfFunnelThreshold : 0;
    auto inPeriod = [&](Time t) { return t != 0 && t >= o.from && t < o.to; };
    for (const Deal& d : doc.deals) {
        if (d.deleted) continue;
        const auto v = convertMoney(doc.settings, d.value, d.currency, r.currency);
        if (d.status == DealStatus::Won && d.closedAt && v)
            for (std::size_t i = 0; i < r.targets.rows.size(); ++i)
                if (r.targets.rows[i].member == d.owner &&
                    r.targets.rows[i].month == monthOf(d.closedAt, o.utcOffsetMinutes))
                    out.targets[i].push_back(d.id);
        if (!p || d.pipelineId != p->id || (!r.owner.empty() && d.owner != r.owner)) continue;
        const bool below = threshold > 0 && d.value > 0 && v && *v < threshold;
        const auto stage = stageIndex.find(d.stageId);
        if (!below && stage != stageIndex.end() &&
            (d.status == DealStatus::Open ||
             (d.status == DealStatus::Won && wonLast && stage->second + 1 == p->stages.size())))
            out.funnel[stage->second].push_back(d.id);
        if (!below && d.status == DealStatus::Open) {
            const std::string month =
                d.expectedClose == kNoDate ? "" : formatDate(d.expectedClose).substr(0, 7);
            for (std::size_t i = 0; i < r.forecast.months.size(); ++i)
                if (r.forecast.months[i].month == month) out.forecast[i].push_back(d.id);
        }
        if (below && d.status != DealStatus::Lost) out.outOfFunnel.push_back(d.id);
        if (inPeriod(d.createdAt)) out.created.push_back(d.id);
        if (inPeriod(d.closedAt)) {
            if (d.status == DealStatus::Won) out.won.push_back(d.id);
            if (d.status == DealStatus::Lost) {
                out.lost.push_back(d.id);
                std::string text = d.lostReason;
                const auto b = text.find_first_not_of(" \t\r\n"), e = text.find_last_not_of(" \t\r\n");
                text = b == std::string::npos ? "" : text.substr(b, e - b + 1);
                out.lostReasons[text].push_back(d.id);
                out.lostValues[text] += v.value_or(0);
            }
        }
    }
    return out;
}

void checkSame(const FunnelTotals& a, const FunnelTotals& b) {
    REQUIRE(a.stages.size() == b.stages.size());
    for (std::size_t i = 0; i < a.stages.size(); ++i) {
        CAPTURE(i);
        CHECK(a.stages[i].stageId == b.stages[i].stageId);
        CHECK(a.stages[i].count == b.stages[i].count);
        CHECK(a.stages[i].value == b.stages[i].value);
        CHECK(a.stages[i].weighted == b.stages[i].weighted);
    }
    CHECK(a.unknownStage.count == b.unknownStage.count);
    CHECK(a.unknownStage.value == b.unknownStage.value);
    CHECK(a.unknownStage.weighted == b.unknownStage.weighted);
    CHECK(a.count == b.count);
    CHECK(a.value == b.value);
    CHECK(a.weighted == b.weighted);
    CHECK(a.missingCurrencies == b.missingCurrencies);
}

void checkSame(const Forecast& a, const Forecast& b) {
    REQUIRE(a.months.size() == b.months.size());
    for (std::size_t i = 0; i < a.months.size(); ++i) {
        CAPTURE(i);
        CHECK(a.months[i].month == b.months[i].month);
        CHECK(a.months[i].count == b.months[i].count);
        CHECK(a.months[i].value == b.months[i].value);
        CHECK(a.months[i].weighted == b.months[i].weighted);
    }
    CHECK(a.missingCurrencies == b.missingCurrencies);
}

void checkSame(const Progress& a, const Progress& b) {
    CHECK(a.created == b.created);
    CHECK(a.moves == b.moves);
    CHECK(a.forward == b.forward);
    CHECK(a.backward == b.backward);
    CHECK(a.won == b.won);
    CHECK(a.lost == b.lost);
    CHECK(a.advancedActivities == b.advancedActivities);
    CHECK(a.entered == b.entered);
}

void checkSame(const Outcomes& a, const Outcomes& b) {
    CHECK(a.won == b.won);
    CHECK(a.lost == b.lost);
    CHECK(a.winRate == b.winRate);
    CHECK(a.wonValue == b.wonValue);
    CHECK(a.averageWon == b.averageWon);
    CHECK(a.averageCycleDays == b.averageCycleDays);
    CHECK(a.repurchaseRate == b.repurchaseRate);
    CHECK(a.renewalRate == b.renewalRate);
    CHECK(a.costRate == b.costRate);
    CHECK(a.missingCurrencies == b.missingCurrencies);
}

void checkSame(const OutOfFunnel& a, const OutOfFunnel& b) {
    CHECK(a.threshold == b.threshold);
    CHECK(a.count == b.count);
    CHECK(a.wonCount == b.wonCount);
    CHECK(a.value == b.value);
    CHECK(a.wonValue == b.wonValue);
    CHECK(a.missingCurrencies == b.missingCurrencies);
}

void checkSame(const std::vector<StageConversion>& a, const std::vector<StageConversion>& b) {
    REQUIRE(a.size() == b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        CAPTURE(i);
        CHECK(a[i].fromStage == b[i].fromStage);
        CHECK(a[i].toStage == b[i].toStage);
        CHECK(a[i].reachedFrom == b[i].reachedFrom);
        CHECK(a[i].reachedTo == b[i].reachedTo);
        CHECK(a[i].rate == b[i].rate);
    }
}

// The report against metrics.h's functions run one by one with the report's own options.
void checkReport(const Document& doc, const ReportChoice& c, int offset) {
    const Report r = computeReport(doc, c, kNow, offset);
    const MetricsOptions& o = r.options;
    checkSame(r.funnel, funnelTotals(doc, o));
    checkSame(r.conversion, stageConversion(doc, o));
    checkSame(r.forecast, forecastByMonth(doc, o));
    checkSame(r.progress, progressInPeriod(doc, o));
    checkSame(r.outcomes, outcomes(doc, o));
    checkSame(r.outOfFunnel, outOfFunnelSales(doc, o));

    // Targets: the rows of the period's months.
    const Targets all = targetAchievement(doc, o);
    const std::string first = formatDate(r.days.from).substr(0, 7),
                      last = formatDate(r.days.to - 1).substr(0, 7);
    std::vector<TargetAchievement> rows;
    for (const TargetAchievement& t : all.rows)
        if (t.month >= first && t.month <= last) rows.push_back(t);
    REQUIRE(r.targets.rows.size() == rows.size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
        CAPTURE(i);
        CHECK(r.targets.rows[i].member == rows[i].member);
        CHECK(r.targets.rows[i].month == rows[i].month);
        CHECK(r.targets.rows[i].target == rows[i].target);
        CHECK(r.targets.rows[i].achieved == rows[i].achieved);
        CHECK(r.targets.rows[i].rate == rows[i].rate);
    }
    CHECK(r.targets.missingCurrencies == all.missingCurrencies);

    std::vector<std::string> missing;
    for (const auto* list :
         {&r.funnel.missingCurrencies, &r.forecast.missingCurrencies, &r.outcomes.missingCurrencies,
          &r.outOfFunnel.missingCurrencies, &r.targets.missingCurrencies})
        missing.insert(missing.end(), list->begin(), list->end());
    std::sort(missing.begin(), missing.end());
    missing.erase(std::unique(missing.begin(), missing.end()), missing.end());
    CHECK(r.missingCurrencies == missing);

    // The ids behind the numbers.
    const ReferenceIds ids = referenceIds(doc, r);
    CHECK(r.funnelDeals == ids.funnel);
    CHECK(r.forecastDeals == ids.forecast);
    CHECK(r.targetDeals == ids.targets);
    CHECK(r.createdDeals == ids.created);
    CHECK(r.wonDeals == ids.won);
    CHECK(r.lostDeals == ids.lost);
    CHECK(r.outOfFunnelDeals == ids.outOfFunnel);
    REQUIRE(r.lostReasons.size() == ids.lostReasons.size());
    for (std::size_t i = 0; i < r.lostReasons.size(); ++i) {
        const LostReason& lr = r.lostReasons[i];
        CAPTURE(lr.reason);
        REQUIRE(ids.lostReasons.count(lr.reason));
        CHECK(lr.deals == ids.lostReasons.at(lr.reason));
        CHECK(lr.count == int(lr.deals.size()));
        CHECK(lr.value == ids.lostValues.at(lr.reason));
        if (i > 0) {  // most deals first, then most value, then by text
            const LostReason& prev = r.lostReasons[i - 1];
            CHECK((prev.count > lr.count ||
                   (prev.count == lr.count &&
                    (prev.value > lr.value || (prev.value == lr.value && prev.reason < lr.reason)))));
        }
    }
}
}  // namespace

TEST_CASE("report: the single pass gives metrics.h's numbers on a varied document") {
    const Document doc = generated(3000);
    // The document is as varied as meant: every kind of deal the rules tell apart is there.
    const Report year =
        computeReport(doc, ReportChoice{ReportPeriod::ThisYear, kNoDate, kNoDate, "team", ""}, kNow, 0);
    REQUIRE(year.funnel.count > 100);
    REQUIRE(year.funnel.unknownStage.count > 0);
    REQUIRE(year.outcomes.won > 50);
    REQUIRE(year.outcomes.lost > 50);
    REQUIRE(year.outOfFunnel.count > 10);
    REQUIRE(year.progress.backward > 0);
    REQUIRE(year.progress.advancedActivities > 0);
    REQUIRE(year.progress.entered.count("s-removed"));
    REQUIRE(year.missingCurrencies == std::vector<std::string>{"", "GBP", "JPY", "KRW"});
    REQUIRE(year.lostReasons.size() >= 4);
    REQUIRE_FALSE(year.targets.rows.empty());

    std::vector<ReportChoice> choices;
    for (ReportPeriod p : {ReportPeriod::ThisMonth, ReportPeriod::LastMonth, ReportPeriod::ThisQuarter,
                           ReportPeriod::ThisYear})
        for (const char* owner : {"team", "me", "m-2", "m-gone", "m-nobody"})
            for (const char* pipeline : {"", "p-second", "p-unknown"}) {
                ReportChoice c;
                c.period = p;
                c.owner = owner;
                c.pipelineId = pipeline;
                choices.push_back(c);
            }
    ReportChoice custom;  // several months, across a year's end
    custom.period = ReportPeriod::Custom;
    custom.customFrom = makeDate(2025, 11, 17);
    custom.customTo = makeDate(2026, 4, 3);
    custom.owner = "team";
    choices.push_back(custom);
    custom.owner = "m-3";
    choices.push_back(custom);
    for (const ReportChoice& c : choices)
        for (int offset : {0, 480, -300}) {
            CAPTURE(encodeReportQuery(c));
            CAPTURE(offset);
            checkReport(doc, c, offset);
        }
}

TEST_CASE("report: the single pass on a document with no pipeline, and with no deals") {
    Document doc = generated(200);
    checkReport(doc, ReportChoice{}, 0);
    doc.deals.clear();
    checkReport(doc, ReportChoice{}, 0);
    doc = generated(200);
    doc.pipelines.clear();
    const Report r = computeReport(doc, ReportChoice{}, kNow, 0);
    CHECK(r.funnel.stages.empty());
    CHECK(r.funnelDeals.empty());
    CHECK(r.progress.created == 0);
    checkReport(doc, ReportChoice{}, 0);
}
