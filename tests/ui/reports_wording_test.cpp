// Funnel — headless UI tests of how the Reports screen words its figures: tooltips and captions
// join a label and its value with the language's own colon and comma (zh: "赢单：7", "3 个商机，¥1,200";
// ko and en: "Won: 7"), lists of currencies with "、" in Chinese; a total and its weighted part
// are both shown with cents when either has cents.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "core/demo.h"
#include "core/metrics.h"
#include "driver.h"
#include "ui/view.h"

using namespace funnel;
using funnel::test::UiDriver;

namespace {
// The first recorded key starting with `prefix` ("" when none).
std::string firstKey(UiDriver& ui, const std::string& prefix) {
    for (const auto& [k, r] : ui.app().itemRects().all())
        if (k.rfind(prefix, 0) == 0) return k;
    return "";
}

// The tooltip shown while the mouse is over the hotspot `bar:<id>`.
std::string tooltipOf(UiDriver& ui, const std::string& id) {
    ui.moveTo(ui.center("bar:" + id));
    ui.frames(2);
    const std::string key = firstKey(ui, "tooltip:" + id + "=");
    return key.empty() ? "" : key.substr(std::string("tooltip:" + id + "=").size());
}
}  // namespace

TEST_CASE("reports: tooltips join label and value with the language's colon") {
    struct Case {
        const char* lang;
        const char* colon;  // what must join label and value
        const char* not_;   // what must not
    };
    for (const Case& c : {Case{"zh-Hans", "：", ": "}, Case{"zh-Hant", "：", ": "}, Case{"ko", ": ", "："},
                          Case{"en", ": ", "："}}) {
        CAPTURE(std::string(c.lang));
        UiDriver ui(makeDemoDocument(3, 60, 1764288000000, c.lang), c.lang, ImVec2(1400, 2600));
        ui.app().open("#/reports?period=year&owner=team");
        ui.frames(3);
        for (const char* chart : {"progress:", "outcomes:", "lost:", "oof:"}) {
            CAPTURE(std::string(chart));
            const std::string bar = firstKey(ui, std::string("bar:") + chart);
            REQUIRE_FALSE(bar.empty());
            const std::string tip = tooltipOf(ui, bar.substr(4));
            REQUIRE_FALSE(tip.empty());
            CHECK(tip.find(c.colon) != std::string::npos);
            CHECK(tip.find(c.not_) == std::string::npos);
            if (std::string(chart) == "lost:" && std::string(c.lang).rfind("zh", 0) == 0)
                CHECK(tip.find(", ") == std::string::npos);  // "3 个商机，¥1,200"
        }
    }
}

TEST_CASE("reports: currencies left out are listed the language's way") {
    Document doc = makeDemoDocument(3, 60, 1764288000000, "zh-Hans");
    int n = 0;
    for (Deal& d : doc.deals)
        if (d.status == DealStatus::Open && n < 4) d.currency = n++ % 2 ? "JPY" : "XTS";  // no rates
    for (const auto& [lang, list] :
         std::vector<std::pair<std::string, std::string>>{{"zh-Hans", "JPY、XTS"}, {"en", "JPY, XTS"}}) {
        CAPTURE(lang);
        UiDriver ui(doc, lang, ImVec2(1400, 2600));
        ui.app().open("#/reports?period=year&owner=team");
        ui.frames(3);
        CHECK(ui.has("missing:funnel=" + list));
    }
}

TEST_CASE("reports: a total and its weighted part, both with cents when one has them") {
    CHECK(ui::formatMoneyAlike({3011016, 990234.6}, "USD", "en") ==
          std::vector<std::string>{"$3,011,016.00", "$990,234.60"});
    CHECK(ui::formatMoneyAlike({3000, 1500}, "USD", "en") == std::vector<std::string>{"$3,000", "$1,500"});
    CHECK(ui::formatMoneyAlike({2001, 150.1}, "CNY", "zh-Hans") ==
          std::vector<std::string>{"¥2,001.00", "¥150.10"});
    CHECK(ui::formatMoneyAlike({2001, 150.4}, "KRW", "ko") == std::vector<std::string>{"₩2,001", "₩150"});

    // Two open deals of 1000 and 1001 in stages of 5 % and 10 %: value 2001, weighted 150.10.
    Document doc = makeDefaultDocument(1764288000000);
    doc.settings.displayCurrency = "CNY";
    const Pipeline& p = doc.pipelines.front();
    for (int i = 0; i < 2; ++i) {
        Deal d;
        d.id = "d" + std::to_string(i);
        d.title = d.id;
        d.pipelineId = p.id;
        d.stageId = p.stages[std::size_t(i)].id;
        d.value = 1000 + i;
        d.currency = "CNY";
        d.owner = doc.settings.me;
        d.createdAt = 1764288000000 - 86400000;
        d.stageHistory = {{d.stageId, d.createdAt, nullptr}};
        doc.deals.push_back(d);
    }
    MetricsOptions o;
    o.now = 1764288000000;
    const FunnelTotals f = funnelTotals(doc, o);
    REQUIRE(f.value == 2001);
    const std::vector<std::string> alike = ui::formatMoneyAlike({f.value, f.weighted}, "CNY", "en");
    REQUIRE(alike[0].find('.') != std::string::npos);  // the weighted part has cents
    UiDriver ui(doc, "en", ImVec2(1400, 1400));
    ui.app().open("#/reports?period=year&owner=team");
    ui.frames(3);
    CHECK(ui.has("figure:funnel.total=2 deals · " + alike[0] + " · weighted " + alike[1]));
}
