// Funnel — headless UI tests of a rep's records (issue #13): the date picker, the contact card,
// activities with a date and time, Today's reschedule, deleting and merging customers.
#include <doctest/doctest.h>

#include "core/command.h"
#include "driver.h"
#include "ui/widgets.h"

using namespace funnel;
using funnel::test::UiDriver;

namespace {

struct Records {
    Document doc;
    Id customer, deal;
    explicit Records(Time now = 1764288000000) {
        doc = makeDefaultDocument(now);
        CommandContext cc{now, doc.settings.me};
        auto c = applyCommand(doc, {{"op", "customer.create"}, {"name", "Acme Trading"}}, cc);
        REQUIRE_MESSAGE(c.ok, c.error);
        customer = c.result["id"].get<std::string>();
        const Pipeline& p = doc.pipelines.front();
        auto d = applyCommand(doc,
                              {{"op", "deal.create"},
                               {"title", "Warehouse scanners"},
                               {"customerId", customer},
                               {"pipelineId", p.id},
                               {"stageId", p.stages.front().id},
                               {"value", 5000}},
                              cc);
        REQUIRE_MESSAGE(d.ok, d.error);
        deal = d.result["id"].get<std::string>();
    }
};

const Deal& dealOf(UiDriver& ui, const Id& id) {
    const Deal* d = ui.doc().findDeal(id);
    REQUIRE(d != nullptr);
    return *d;
}

}  // namespace

// [SECTION] Date picker

TEST_CASE("dates typed in each language's format, with and without the year") {
    const Date today = makeDate(2026, 12, 1);
    CHECK(ui::parseDateInput("2026-12-06", today) == makeDate(2026, 12, 6));
    CHECK(ui::parseDateInput("2026年12月6日", today) == makeDate(2026, 12, 6));
    CHECK(ui::parseDateInput("12月6日", today) == makeDate(2026, 12, 6));
    CHECK(ui::parseDateInput("１２月６日", today) == makeDate(2026, 12, 6));  // full-width digits from an IME
    CHECK(ui::parseDateInput("2026. 12. 6.", today) == makeDate(2026, 12, 6));
    CHECK(ui::parseDateInput("12. 6.", today) == makeDate(2026, 12, 6));
    CHECK(ui::parseDateInput("2026년 12월 6일", today) == makeDate(2026, 12, 6));
    CHECK(ui::parseDateInput("12/6", today) == makeDate(2026, 12, 6));
    CHECK(ui::parseDateInput("Dec 6", today) == makeDate(2026, 12, 6));
    CHECK(ui::parseDateInput("December 6, 2026", today) == makeDate(2026, 12, 6));
    // A day without a year more than half a year back is next year's.
    CHECK(ui::parseDateInput("1月5日", today) == makeDate(2027, 1, 5));
    CHECK(ui::parseDateInput("11月20日", today) == makeDate(2026, 11, 20));
    // Not dates.
    CHECK_FALSE(ui::parseDateInput("2026-02-30", today));
    CHECK_FALSE(ui::parseDateInput("13月1日", today));
    CHECK_FALSE(ui::parseDateInput("next week", today));
    CHECK_FALSE(ui::parseDateInput("2026", today));
    CHECK_FALSE(ui::parseDateInput("", today));
    // Shown back in the user's format.
    CHECK(ui::formatDateInput(makeDate(2026, 12, 6), "en") == "2026-12-06");
    CHECK(ui::formatDateInput(makeDate(2026, 12, 6), "zh-Hant") == "2026年12月6日");
    CHECK(ui::formatDateInput(makeDate(2026, 12, 6), "ko") == "2026. 12. 6.");
    // Times of day.
    CHECK(ui::parseClock("10:00") == 600);
    CHECK(ui::parseClock("9:30") == 570);
    CHECK(ui::parseClock("1430") == 870);
    CHECK(ui::parseClock("14") == 840);
    CHECK_FALSE(ui::parseClock("25:00"));
    CHECK_FALSE(ui::parseClock("10:7"));
    CHECK_FALSE(ui::parseClock("ten"));
}

TEST_CASE("the expected close date is picked from the calendar, typed, or refused with a message") {
    Records r;
    UiDriver ui(r.doc);
    ui.app().open("#/deal/" + r.deal);
    ui.frames(2);
    const Date today = dateFromTime(ui.now);  // 2025-11-28, a Friday
    REQUIRE(ui.has("field:deal.expectedClose"));

    // The calendar opens on this month with today marked; a click on a day sets the date.
    ui.click("button:deal.expectedClose.calendar");
    REQUIRE(ui.has("picker:deal.expectedClose"));
    CHECK(ui.has("picker:day:" + formatDate(today)));
    ui.click("picker:next");
    const Date target = makeDate(2025, 12, 16);
    ui.click("picker:day:" + formatDate(target));
    CHECK(dealOf(ui, r.deal).expectedClose == target);
    CHECK_FALSE(ui.has("picker:deal.expectedClose"));

    // Typed in the user's format and applied on Enter.
    ui.click("field:deal.expectedClose");
    ui.press(ImGuiKey_A, ImGuiMod_Ctrl);
    ui.type("2026-01-09");
    ui.press(ImGuiKey_Enter);
    CHECK(dealOf(ui, r.deal).expectedClose == makeDate(2026, 1, 9));

    // Not a date: nothing changes and the field says what it expects.
    ui.click("field:deal.expectedClose");
    ui.press(ImGuiKey_A, ImGuiMod_Ctrl);
    ui.type("soon");
    ui.press(ImGuiKey_Enter);
    CHECK(dealOf(ui, r.deal).expectedClose == makeDate(2026, 1, 9));
    CHECK(ui.has("error:deal.expectedClose"));

    // The keyboard: arrows move the cursor from the current date, Enter picks.
    ui.click("button:deal.expectedClose.calendar");
    ui.press(ImGuiKey_RightArrow);
    ui.press(ImGuiKey_DownArrow);
    ui.press(ImGuiKey_Enter);
    CHECK(dealOf(ui, r.deal).expectedClose == makeDate(2026, 1, 17));
    CHECK_FALSE(ui.has("error:deal.expectedClose"));

    // Cleared from the calendar.
    ui.click("button:deal.expectedClose.calendar");
    ui.click("picker:clear");
    CHECK(dealOf(ui, r.deal).expectedClose == kNoDate);
}

TEST_CASE("Korean and Chinese dates in the picker; the week starts on the locale's day") {
    Records r;
    {
        UiDriver ko(r.doc, "ko");
        ko.app().open("#/deal/" + r.deal);
        ko.frames(2);
        ko.click("field:deal.nextStepDue");
        ko.type("12. 24.");
        ko.press(ImGuiKey_Enter);
        CHECK(dealOf(ko, r.deal).nextStepDue == makeDate(2025, 12, 24));
        ko.click("button:deal.nextStepDue.calendar");
        // Sunday first: 2025-11-30 (Sunday) is left of 2025-12-01 (Monday) in the same row.
        CHECK(ko.rect("picker:day:2025-11-30").x < ko.rect("picker:day:2025-12-01").x);
        CHECK(ko.has("picker:month"));
    }
    {
        UiDriver zh(r.doc, "zh-Hans");
        zh.app().open("#/deal/" + r.deal);
        zh.frames(2);
        zh.click("button:deal.nextStepDue.calendar");
        // Monday first: Sunday 2025-11-30 ends a row, Monday 2025-12-01 starts the next.
        CHECK(zh.rect("picker:day:2025-11-30").x > zh.rect("picker:day:2025-12-01").x);
        CHECK(zh.has("picker:day:2025-11-01"));  // no date yet: the calendar opens on today's month
    }
}
