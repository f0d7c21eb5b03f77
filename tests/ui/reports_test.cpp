// Funnel — headless UI tests of the Reports screen: the figures drawn (labels, tooltips, tables)
// are those of core/metrics.h for the document; a click on a band, a reason or a member's bar
// shows the board with exactly those deals; the period picker changes the figures; CSV and PNG
// downloads; Settings → Targets.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>

#include "core/csv.h"
#include "core/demo.h"
#include "core/metrics.h"
#include "core/report.h"
#include "driver.h"
#include "ui/reports.h"
#include "ui/strings.h"

using namespace funnel;
using funnel::test::UiDriver;

namespace {

// 2025-11-28 is the driver's day: a 60-deal demo made then has deals closed this month and before.
Document demo(int deals = 60) {
    Document doc = makeDemoDocument(3, deals, 1764288000000, "en");
    return doc;
}

std::string pct(double rate) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.0f%%", rate * 100.0);
    return buf;
}

// The text after "<prefix>=" of the one recorded key starting so ("" when none).
std::string drawn(UiDriver& ui, const std::string& prefix) {
    for (const auto& [k, r] : ui.app().itemRects().all())
        if (k.rfind(prefix + "=", 0) == 0) return k.substr(prefix.size() + 1);
    return "";
}

// The options metrics.h is asked with for a period of whole days in UTC (the driver's zone).
MetricsOptions options(const Document& doc, Date from, Date to, const Id& owner = "") {
    MetricsOptions o;
    o.now = 1764288000000;
    o.pipelineId = doc.settings.defaultPipeline;
    o.owner = owner;
    o.from = timeFromDate(from);
    o.to = timeFromDate(to);
    return o;
}

}  // namespace

TEST_CASE("reports: the figures drawn are metrics.h's for the document") {
    const Document doc = demo();
    UiDriver ui(doc, "en", ImVec2(1400, 2600));
    ui.app().open("#/reports?period=year&owner=team");
    ui.frames(3);
    REQUIRE(ui.has("nav:reports"));
    REQUIRE(ui.has("chart:funnel"));
    // This year: 2025-01-01 to 2026-01-01.
    CHECK(drawn(ui, "figure:report.range") == "2025-01-01 – 2025-12-31");
    const MetricsOptions o = options(doc, makeDate(2025, 1, 1), makeDate(2026, 1, 1));
    const std::string& cur = doc.settings.displayCurrency;

    const FunnelTotals f = funnelTotals(doc, o);
    REQUIRE_FALSE(f.stages.empty());
    for (const StageTotals& s : f.stages) {
        CAPTURE(s.stageId);
        CHECK(drawn(ui, "figure:funnel.count:" + s.stageId) == std::to_string(s.count));
        CHECK(drawn(ui, "figure:funnel.value:" + s.stageId) == ui::formatMoneyCompact(s.value, cur, "en"));
    }
    const std::vector<StageConversion> conv = stageConversion(doc, o);
    for (const StageConversion& c : conv)
        if (c.reachedFrom > 0)
            CHECK(drawn(ui, "figure:funnel.conversion:" + c.fromStage) == "↓ " + pct(c.rate));

    const Progress p = progressInPeriod(doc, o);
    CHECK(drawn(ui, "figure:progress.created") == std::to_string(p.created));
    CHECK(drawn(ui, "figure:progress.forward") == std::to_string(p.forward));
    CHECK(drawn(ui, "figure:progress.backward") == std::to_string(p.backward));
    CHECK(drawn(ui, "figure:progress.won") == std::to_string(p.won));
    CHECK(drawn(ui, "figure:progress.lost") == std::to_string(p.lost));
    CHECK(drawn(ui, "figure:progress.advanced") == std::to_string(p.advancedActivities));
    CHECK(p.created > 0);

    const Outcomes out = outcomes(doc, o);
    REQUIRE(out.won + out.lost > 0);
    CHECK(drawn(ui, "figure:outcomes.win_rate") == pct(out.winRate));
    CHECK(drawn(ui, "figure:outcomes.won") == std::to_string(out.won));
    CHECK(drawn(ui, "figure:outcomes.average_won") == ui::formatMoney(out.averageWon, cur, "en"));
    CHECK(drawn(ui, "figure:outcomes.cost_rate") == pct(out.costRate));

    const OutOfFunnel oof = outOfFunnelSales(doc, o);
    CHECK(drawn(ui, "figure:oof.out") ==
          std::to_string(oof.count) + " deals · " + ui::formatMoneyCompact(oof.value, cur, "en"));

    // A forecast month's tooltip holds its exact figures.
    const Forecast fc = forecastByMonth(doc, o);
    REQUIRE_FALSE(fc.months.empty());
    const ForecastMonth& m = fc.months.back();
    ui.moveTo(ui.center("bar:forecast:" + (m.month.empty() ? std::string("none") : m.month)));
    ui.frames(2);
    const std::string tip =
        drawn(ui, "tooltip:forecast:" + (m.month.empty() ? std::string("none") : m.month));
    CHECK(tip.find(std::to_string(m.count) + " deals") != std::string::npos);
    CHECK(tip.find("Value " + ui::formatMoney(m.value, cur, "en")) != std::string::npos);
    CHECK(tip.find("Weighted " + ui::formatMoney(m.weighted, cur, "en")) != std::string::npos);

    // Targets of this year's months, each rate as metrics.h has it.
    const Targets t = targetAchievement(doc, o);
    int shown = 0;
    for (const TargetAchievement& row : t.rows) {
        if (row.month < "2025-01" || row.month > "2025-12") continue;
        CHECK(drawn(ui, "figure:targets.rate:" + row.member + ":" + row.month) == pct(row.rate));
        // Target against achieved, drawn beside the rate.
        CHECK(drawn(ui, "figure:targets.amounts:" + row.member + ":" + row.month) ==
              ui::formatMoney(row.achieved, cur, "en") + " / " + ui::formatMoney(row.target, cur, "en"));
        const std::string k = row.member + ":" + row.month;
        if (ui.has("figure:targets.rate:" + k)) {
            REQUIRE(ui.has("figure:targets.amounts:" + k));
            const ui::Rect amounts = ui.rect("figure:targets.amounts:" + k),
                           rate = ui.rect("figure:targets.rate:" + k);
            CHECK(amounts.y == doctest::Approx(rate.y));  // on the rate's line, left of it
            CHECK(amounts.x + amounts.w < rate.x);
        }
        ++shown;
    }
    CHECK(shown > 0);
}

TEST_CASE("reports: computed once per revision and choice, not per frame") {
    UiDriver ui(demo(), "en", ImVec2(1400, 1400));
    ui.app().open("#/reports?period=year&owner=team");
    ui.frames(3);
    ui::Reports& reports = ui.app().reports();
    const int before = reports.computations();
    ui.frames(5);
    ui.moveTo(ImVec2(300, 500));
    CHECK(reports.computations() == before);
    // An edit (a new revision) recomputes once.
    ui.app().open("#/board");
    ui.frame();
    json cmd = {
        {"op", "deal.create"}, {"title", "New one"}, {"pipelineId", ui.doc().settings.defaultPipeline}};
    ui.workspace().queue(cmd);
    ui.frame();
    ui.app().open("#/reports?period=year&owner=team");
    ui.frames(3);
    CHECK(reports.computations() == before + 1);
}

TEST_CASE("reports: clicking a band shows the board with exactly its deals") {
    const Document doc = demo(40);
    UiDriver ui(doc, "en", ImVec2(1800, 1400));
    ui.app().open("#/reports?period=year&owner=team");
    ui.frames(3);
    const Report r = computeReport(
        doc,
        [] {
            ReportChoice c;
            c.period = ReportPeriod::ThisYear;
            c.owner = "team";
            return c;
        }(),
        ui.now, 0);
    // The first stage with deals (a column the board shows without scrolling sideways).
    std::size_t band = 0;
    while (band < r.funnelDeals.size() && r.funnelDeals[band].empty()) ++band;
    REQUIRE(band < 4);
    const Stage& stage = doc.findPipeline(r.pipelineId)->stages[band];
    ui.click("bar:funnel:" + stage.id);
    CHECK(ui.app().route() == "#/board");
    ui.frames(2);
    CHECK(drawn(ui, "board:drill").find(stage.name.get("en")) != std::string::npos);
    std::vector<Id> want = r.funnelDeals[band];
    std::sort(want.begin(), want.end());
    for (const Deal& d : doc.deals) {
        CAPTURE(d.id);
        CHECK(ui.has("deal:" + d.id) == std::binary_search(want.begin(), want.end(), d.id));
    }
    // Back to the whole board.
    ui.click("button:report-drill");
    ui.frames(2);
    CHECK_FALSE(ui.has("button:report-drill"));

    // A lost reason shows its lost deals.
    ui.app().open("#/reports?period=year&owner=team");
    ui.frames(3);
    REQUIRE_FALSE(r.lostReasons.empty());
    ui.click("bar:lost:0");
    ui.frames(2);
    CHECK(ui.app().route() == "#/board");
    char chip[256];
    std::snprintf(chip, sizeof chip, ui::tr("reports.drill", "en"),
                  ("Lost: " + r.lostReasons[0].reason).c_str(), int(r.lostReasons[0].deals.size()));
    CHECK(drawn(ui, "board:drill") == chip);
    for (const Id& id : r.lostReasons[0].deals) {
        const Deal* d = doc.findDeal(id);
        REQUIRE(d);
        CHECK(bool(d->status == DealStatus::Lost));
    }
}

TEST_CASE("reports: the period picker changes the figures and the route") {
    const Document doc = demo();
    UiDriver ui(doc, "en", ImVec2(1400, 2600));
    ui.app().open("#/reports?owner=team");
    ui.frames(3);
    const MetricsOptions nov = options(doc, makeDate(2025, 11, 1), makeDate(2025, 12, 1));
    const MetricsOptions oct = options(doc, makeDate(2025, 10, 1), makeDate(2025, 11, 1));
    CHECK(drawn(ui, "figure:progress.created") == std::to_string(progressInPeriod(doc, nov).created));
    CHECK(drawn(ui, "figure:report.range") == "2025-11-01 – 2025-11-30");
    ui.click("field:report.period");
    ui.click("period:reports.last_month");
    ui.frames(2);
    CHECK(ui.app().route() == "#/reports?period=last-month&owner=team");
    CHECK(drawn(ui, "figure:report.range") == "2025-10-01 – 2025-10-31");
    CHECK(drawn(ui, "figure:progress.created") == std::to_string(progressInPeriod(doc, oct).created));
    CHECK(drawn(ui, "figure:progress.won") == std::to_string(progressInPeriod(doc, oct).won));
    // The owner picker: one member.
    const Member& member = doc.members.at(1);
    ui.click("field:report.owner");
    ui.click("owner:" + member.id);
    ui.frames(2);
    CHECK(ui.app().route() == "#/reports?period=last-month&owner=" + member.id);
    CHECK(drawn(ui, "figure:progress.created") ==
          std::to_string(
              progressInPeriod(doc, options(doc, makeDate(2025, 10, 1), makeDate(2025, 11, 1), member.id))
                  .created));
    // A custom range from the URL, and a bad one named.
    ui.app().open("#/reports?period=2025-09-01..2025-09-15&owner=team");
    ui.frames(2);
    CHECK(drawn(ui, "figure:report.range") == "2025-09-01 – 2025-09-15");
    CHECK(drawn(ui, "figure:progress.created") ==
          std::to_string(
              progressInPeriod(doc, options(doc, makeDate(2025, 9, 1), makeDate(2025, 9, 16))).created));
    ui.app().open("#/reports?period=someday&owner=team");
    ui.frames(2);
    CHECK(ui.has("report:bad-link"));
}

TEST_CASE("reports: table toggle, CSV with BOM, PNG request") {
    const Document doc = demo();
    UiDriver ui(doc, "zh-Hans", ImVec2(1400, 2600));
    ui.app().open("#/reports?period=year&owner=team");
    ui.frames(3);
    const MetricsOptions o = options(doc, makeDate(2025, 1, 1), makeDate(2026, 1, 1));
    ui.click("button:report-table:funnel");
    ui.frames(1);
    const FunnelTotals f = funnelTotals(doc, o);
    CHECK(drawn(ui, "cell:funnel:0:1") == std::to_string(f.stages[0].count));
    CHECK(drawn(ui, "cell:funnel:0:0") == doc.pipelines[0].stages[0].name.get("zh-Hans"));

    ui.click("button:report-csv:lost");
    REQUIRE(ui.app().takePageRequest() == ui::App::PageRequest::DownloadFile);
    const ui::App::FileDownload& file = ui.app().pageRequestFile();
    CHECK(file.name == "funnel-report-lost-2025-01-01_2025-12-31.csv");
    CHECK(file.mime == "text/csv;charset=utf-8");
    REQUIRE(file.bytes.rfind(std::string(csv::kUtf8Bom), 0) == 0);
    const csv::Table t = csv::read(file.bytes);
    const Report r = computeReport(
        doc,
        [] {
            ReportChoice c;
            c.period = ReportPeriod::ThisYear;
            c.owner = "team";
            return c;
        }(),
        ui.now, 0);
    REQUIRE(t.records.size() == r.lostReasons.size() + 1);
    CHECK(t.records[0].fields.at(0) == ui::tr("reports.reason", "zh-Hans"));
    CHECK(t.records[1].fields.at(0) == r.lostReasons[0].reason);
    CHECK(t.records[1].fields.at(1) == std::to_string(r.lostReasons[0].count));

    ui.click("button:report-png");
    REQUIRE(ui.app().takePageRequest() == ui::App::PageRequest::DownloadScreenshot);
    CHECK(ui.app().pageRequestFile().name == "funnel-report-2025-11-28.png");
    CHECK(ui.app().pageRequestFile().region.w > 100);
}

TEST_CASE("reports: a phone stacks the charts in one column; empty states say what to do") {
    UiDriver ui(demo(), "en", ImVec2(390, 844));
    ui.app().open("#/reports?period=year&owner=team");
    ui.frames(3);
    const ui::Rect a = ui.rect("chart:funnel"), b = ui.rect("chart:forecast");
    CHECK(a.x == doctest::Approx(b.x));
    CHECK(b.y > a.y);
    CHECK(a.w <= 390);

    Document empty = makeDefaultDocument(1764288000000);
    UiDriver none(empty, "en", ImVec2(1400, 1400));
    none.app().open("#/reports");
    none.frames(3);
    CHECK(none.has("empty:reports.empty.funnel"));
    CHECK(none.has("empty:reports.empty.outcomes"));
    CHECK(none.has("empty:reports.empty.targets"));
    none.click("button:empty-targets-settings");
    CHECK(none.app().route() == "#/settings");
}

TEST_CASE("reports: a currency without a rate is named under the charts that left it out") {
    Document doc = demo();
    doc.settings.rates.erase("JPY");
    // One open deal of the default pipeline, with an expected month, now in yen: the funnel and the
    // forecast leave it out of their amounts (never counted 1:1) and say so under the chart.
    Deal* yen = nullptr;
    for (Deal& d : doc.deals)
        if (d.status == DealStatus::Open && d.pipelineId == doc.settings.defaultPipeline &&
            d.expectedClose != kNoDate) {
            yen = &d;
            break;
        }
    REQUIRE(yen);
    yen->currency = "JPY";
    UiDriver ui(doc, "en", ImVec2(1400, 2600));
    ui.app().open("#/reports?period=year&owner=team");
    ui.frames(3);
    CHECK(drawn(ui, "missing:funnel") == "JPY");
    CHECK(drawn(ui, "missing:forecast") == "JPY");
    CHECK(ui.rect("missing:funnel=JPY").h > 0);  // drawn, under the funnel's chart
    CHECK(ui.rect("missing:funnel=JPY").y > ui.rect("heading:funnel").y);
    // Counts still include it; only the amounts leave it out.
    const Report* r = ui.app().reports().lastReport();
    REQUIRE(r);
    CHECK(r->funnel.missingCurrencies == std::vector<std::string>{"JPY"});

    // With a rate, the note is gone.
    doc.settings.rates["JPY"] = 0.05;
    UiDriver rated(doc, "en", ImVec2(1400, 2600));
    rated.app().open("#/reports?period=year&owner=team");
    rated.frames(3);
    CHECK_FALSE(rated.has("missing:funnel=JPY"));
    CHECK(drawn(rated, "missing:funnel").empty());
}

TEST_CASE("compact amounts: whole 万 from ten million, one decimal below") {
    CHECK(ui::formatMoneyCompact(50740000, "CNY", "zh-Hans") == "¥5074万");
    CHECK(ui::formatMoneyCompact(5074000, "CNY", "zh-Hans") == "¥507.4万");
    CHECK(ui::formatMoneyCompact(250000000, "CNY", "zh-Hans") == "¥2.50亿");
    CHECK(ui::formatMoneyCompact(12000, "USD", "en") == "$12K");
}

TEST_CASE("settings: targets per member and month") {
    Document doc = makeDefaultDocument(1764288000000);
    UiDriver ui(doc, "en", ImVec2(1400, 3000));
    ui.app().open("#/settings");
    ui.frames(3);
    const std::string key = doc.settings.me + ":2025-11";
    REQUIRE(ui.has("field:target:" + key));
    ui.click("field:target:" + key);
    ui.type("4000");
    ui.press(ImGuiKey_Enter);
    ui.frames(2);
    REQUIRE(ui.doc().settings.targets.count(key));
    CHECK(ui.doc().settings.targets.at(key) == 4000);
    // The report of this month shows it.
    ui.app().open("#/reports?owner=me");
    ui.frames(3);
    CHECK(drawn(ui, "figure:targets.rate:" + key) == "0%");
    CHECK_FALSE(ui.has("empty:reports.empty.targets"));
}

TEST_CASE("reports strings: printf placeholders are the same in every language") {
    auto placeholders = [](const char* s) {
        std::string out;
        for (const char* p = s; *p; ++p)
            if (*p == '%' && p[1]) {
                ++p;
                while (*p && std::string_view("0123456789.-").find(*p) != std::string_view::npos) out += *p++;
                if (*p) out += *p;
            }
        return out;
    };
    for (const ui::StringEntry& e : ui::stringTable()) {
        const std::string k = e.key;
        if (k.rfind("reports.", 0) != 0 && k.rfind("settings.targets", 0) != 0) continue;
        CAPTURE(k);
        CHECK(placeholders(e.zhHans) == placeholders(e.en));
        CHECK(placeholders(e.zhHant) == placeholders(e.en));
        CHECK(placeholders(e.ko) == placeholders(e.en));
    }
}
