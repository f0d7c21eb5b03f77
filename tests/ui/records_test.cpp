// Funnel — headless UI tests of a rep's records (issue #13): the date picker, the contact card,
// activities with a date and time, Today's reschedule, deleting and merging customers.
#include <doctest/doctest.h>

#include "core/codec.h"
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

// [SECTION] Fields a newer Funnel wrote survive an edit (issue #12, item 5)

TEST_CASE(
    "editing key information, qualification and profile in the panels keeps fields this version does not "
    "know") {
    Records r;
    json j = encodeDocument(r.doc);
    j["deals"][0]["key"] = {{"budget", "100k"}, {"fundingSource", "capex 2027"}};
    j["deals"][0]["qualification"] = {{"money", true}, {"procurementScore", 7}};
    j["customers"][0]["profile"] = {{"hobbies", "golf"}, {"wechatMoments", "likes travel posts"}};
    DecodeResult decoded = decodeDocument(dumpJson(j));
    REQUIRE_MESSAGE(decoded.ok, decoded.error);
    UiDriver ui(decoded.document);
    ui.app().open("#/deal/" + r.deal);
    ui.frames(2);
    ui.click("field:deal.key.budget");
    ui.type("0");
    ui.click("field:deal.qualification.need");
    const Deal& d = dealOf(ui, r.deal);
    CHECK(d.key.budget == "100k0");
    CHECK(d.key.extra.value("fundingSource", "") == "capex 2027");
    CHECK(d.qualification.need);
    CHECK(d.qualification.extra.value("procurementScore", 0) == 7);

    ui.app().open("#/customer/" + r.customer);
    ui.frames(2);
    ui.click("field:customer.profile.family");
    ui.type("two kids");
    ui.frame();
    const Customer& c = *ui.doc().findCustomer(r.customer);
    CHECK(c.profile.family == "two kids");
    CHECK(c.profile.hobbies == "golf");
    CHECK(c.profile.extra.value("wechatMoments", "") == "likes travel posts");
}

// [SECTION] Contact card

namespace {
Id addContact(Document& doc, const Id& customer, const std::string& name) {
    auto r = applyCommand(doc, {{"op", "contact.create"}, {"customerId", customer}, {"name", name}},
                          CommandContext{1764288000000, doc.settings.me});
    REQUIRE_MESSAGE(r.ok, r.error);
    return r.result["id"].get<std::string>();
}
const Contact& contactOf(UiDriver& ui, const Id& id) {
    const Contact* c = ui.doc().findContact(id);
    REQUIRE(c != nullptr);
    return *c;
}
}  // namespace

TEST_CASE("the contact card: every field edited, phone opens tel:, messenger id copied, delete and undo") {
    Records r;
    const Id kim = addContact(r.doc, r.customer, "Kim");
    UiDriver ui(r.doc, "en", ImVec2(1400, 1600));
    ui.app().open("#/customer/" + r.customer);
    ui.frames(2);
    ui.click("contact:" + kim);  // the name opens the card
    REQUIRE(ui.app().route() == "#/contact/" + kim);
    REQUIRE(ui.has("panel:contact"));

    ui.click("field:contact.name");
    ui.press(ImGuiKey_A, ImGuiMod_Ctrl);
    ui.type("김민준");
    CHECK(contactOf(ui, kim).name == "김민준");
    ui.click("field:contact.title");
    ui.type("CTO");
    CHECK(contactOf(ui, kim).title == "CTO");
    ui.click("field:contact.level");
    ui.click("option:level.decision");
    CHECK(std::string(toString(contactOf(ui, kim).level)) == "decision");
    ui.click("field:contact.role");
    ui.click("option:role.technicalGatekeeper");
    CHECK(std::string(toString(contactOf(ui, kim).role)) == "technicalGatekeeper");
    ui.click("field:contact.attitude");
    ui.click("option:attitude.supporter");
    CHECK(std::string(toString(contactOf(ui, kim).attitude)) == "supporter");

    // Two phone numbers (Enter, then the Add button), one e-mail address.
    ui.click("field:contact.new-phone");
    ui.type("+82 10-5555-1234");
    ui.press(ImGuiKey_Enter);
    ui.click("field:contact.new-phone");
    ui.type("+82 2 555 0100");
    ui.click("button:contact.add-phone");
    CHECK(contactOf(ui, kim).phone == "+82 10-5555-1234\n+82 2 555 0100");
    ui.click("field:contact.new-email");
    ui.type("minjun.kim@example.kr");
    ui.press(ImGuiKey_Enter);
    CHECK(contactOf(ui, kim).email == "minjun.kim@example.kr");
    // A number is corrected in place; the second one removed.
    ui.click("field:contact.phone:1");
    ui.press(ImGuiKey_End);
    ui.type("1");
    CHECK(contactOf(ui, kim).phone == "+82 10-5555-1234\n+82 2 555 01001");
    ui.click("button:contact.remove-phone:1");
    CHECK(contactOf(ui, kim).phone == "+82 10-5555-1234");

    // Call opens tel: through the page; Write opens mailto:.
    ui.click("button:contact.call:0");
    CHECK(ui.app().takePageRequest() == ui::App::PageRequest::OpenUrl);
    CHECK(ui.app().pageRequestText() == "tel:+821055551234");
    ui.click("button:contact.write:0");
    CHECK(ui.app().takePageRequest() == ui::App::PageRequest::OpenUrl);
    CHECK(ui.app().pageRequestText() == "mailto:minjun.kim@example.kr");

    // A KakaoTalk id: copied with a toast.
    ui.click("field:contact.new-messenger-service");
    ui.click("option:messenger.kakao");
    ui.click("field:contact.new-messenger");
    ui.type("minjun88");
    ui.press(ImGuiKey_Enter);
    CHECK(contactOf(ui, kim).messenger == "kakao:minjun88");
    ui.click("button:contact.copy:0");
    CHECK(std::string(ImGui::GetClipboardText()) == "minjun88");
    CHECK(ui.has("toast"));

    ui.click("field:contact.notes");
    ui.type("Prefers morning calls");
    CHECK(contactOf(ui, kim).notes == "Prefers morning calls");

    // Delete: back to the customer, a toast offers Undo.
    ui.click("button:contact.delete");
    CHECK(contactOf(ui, kim).deleted);
    CHECK(ui.app().route() == "#/customer/" + r.customer);
    CHECK_FALSE(ui.has("contact:" + kim));
    ui.click("button:toast-undo");
    CHECK_FALSE(contactOf(ui, kim).deleted);
    CHECK(ui.has("contact:" + kim));
    // And through the status line's Undo, as any command.
    ui.app().open("#/contact/" + kim);
    ui.frames(2);
    ui.click("button:contact.delete");
    REQUIRE(contactOf(ui, kim).deleted);
    ui.click("button:undo");
    CHECK_FALSE(contactOf(ui, kim).deleted);
    CHECK(contactOf(ui, kim).notes == "Prefers morning calls");

    // An unknown contact says so.
    ui.app().open("#/contact/nope");
    ui.frames(2);
    CHECK(ui.has("contact:unknown"));
}

TEST_CASE("a new messenger id goes to the language's usual messenger: KakaoTalk in ko, LINE in zh-Hant") {
    for (const auto& [lang, expected] : {std::pair<const char*, const char*>{"ko", "kakao:minsu"},
                                         {"zh-Hant", "line:minsu"},
                                         {"zh-Hans", "wechat:minsu"}}) {
        CAPTURE(lang);
        Records r;
        const Id minsu = addContact(r.doc, r.customer, "Minsu");
        UiDriver ui(r.doc, lang);
        ui.app().open("#/contact/" + minsu);
        ui.frames(2);
        ui.click("field:contact.new-messenger");
        ui.type("minsu");
        ui.click("button:contact.add-messenger");
        const Contact* c = ui.doc().findContact(minsu);
        REQUIRE(c != nullptr);
        CHECK(c->messenger == expected);
    }
}

// [SECTION] Activities

TEST_CASE("plan a visit for a chosen date and time through the picker; edit, complete, delete and undo") {
    Records r;
    const Id kim = addContact(r.doc, r.customer, "Kim");
    UiDriver ui(r.doc, "en", ImVec2(1400, 2400));  // the whole deal panel without scrolling
    ui.app().open("#/deal/" + r.deal);
    ui.frames(2);
    ui.click("field:activity.done");  // not done yet: plan it
    REQUIRE(ui.has("field:plan.date"));
    ui.click("field:activity.kind");
    ui.click("option:kind.visit");
    ui.click("field:activity.subject");
    ui.type("Site visit");
    ui.click("button:plan.date.calendar");
    ui.click("picker:day:2025-12-02");  // next Tuesday (today is Friday 2025-11-28)
    ui.click("field:plan.time");
    ui.press(ImGuiKey_A, ImGuiMod_Ctrl);
    ui.type("10:00");
    ui.press(ImGuiKey_Enter);
    ui.click("field:plan.contact:" + kim);
    ui.click("button:log-activity");
    REQUIRE(ui.doc().activities.size() == 1);
    const Id visit = ui.doc().activities.front().id;
    auto act = [&]() -> const Activity& { return *ui.doc().findActivity(visit); };
    CHECK(std::string(toString(act().kind)) == "visit");
    CHECK(act().subject == "Site visit");
    CHECK(formatTime(act().due) == "2025-12-02T10:00:00.000Z");
    CHECK(act().doneAt == 0);
    CHECK(act().durationMinutes == 60);
    CHECK(act().contactIds == std::vector<Id>{kim});

    // Quick choice: tomorrow morning.
    ui.click("field:activity.subject");
    ui.type("Call back");
    ui.click("button:plan.tomorrow");
    ui.click("button:log-activity");
    REQUIRE(ui.doc().activities.size() == 2);
    CHECK(formatTime(ui.doc().activities.back().due) == "2025-11-29T09:00:00.000Z");

    // Edit in place: move it to 14:30, then complete it with an outcome that advanced the deal.
    ui.click("activity:" + visit);
    ui.click("field:edit.time");
    ui.press(ImGuiKey_A, ImGuiMod_Ctrl);
    ui.type("14:30");
    ui.press(ImGuiKey_Enter);
    CHECK(formatTime(act().due) == "2025-12-02T14:30:00.000Z");
    ui.click("field:edit.outcome");
    ui.type("Agreed to a demo");
    ui.click("field:edit.advanced");
    ui.click("button:activity.complete");
    CHECK(act().doneAt != 0);
    CHECK(act().outcome == "Agreed to a demo");
    CHECK(act().advanced);
    CHECK(ui.has("activity:plan-next"));  // offers to plan the next step, the form in plan mode
    CHECK(ui.has("field:plan.date"));

    // Delete with undo from the toast.
    ui.click("activity:" + visit);
    ui.click("button:activity.delete");
    CHECK(act().deleted);
    CHECK_FALSE(ui.has("activity:" + visit));
    ui.click("button:toast-undo");
    CHECK_FALSE(act().deleted);
    CHECK(ui.has("activity:" + visit));
}

TEST_CASE("Today: reschedule by a day, a week or a picked date; complete; the agenda shows the week") {
    Records r;
    CommandContext cc{1764288000000, r.doc.settings.me};
    auto plan = [&](const std::string& subject, const std::string& due) {
        auto res = applyCommand(r.doc,
                                {{"op", "activity.create"},
                                 {"dealId", r.deal},
                                 {"kind", "call"},
                                 {"subject", subject},
                                 {"due", due}},
                                cc);
        REQUIRE_MESSAGE(res.ok, res.error);
        return res.result["id"].get<std::string>();
    };
    const Id a = plan("Call about the quote", "2025-11-28T15:00:00.000Z");
    const Id b = plan("Send the contract", "2025-11-28T16:00:00.000Z");
    const Id c = plan("Confirm delivery", "2025-11-27T11:00:00.000Z");  // overdue
    UiDriver ui(r.doc);
    ui.app().open("#/today");
    ui.frames(2);
    auto due = [&](const Id& id) { return formatTime(ui.doc().findActivity(id)->due); };
    REQUIRE(ui.has("today:+1d:" + a));
    ui.click("today:+1d:" + a);
    CHECK(due(a) == "2025-11-29T15:00:00.000Z");
    CHECK_FALSE(ui.has("today:+1d:" + a));  // no longer due today
    ui.click("today:+1w:" + b);
    CHECK(due(b) == "2025-12-05T16:00:00.000Z");
    // Overdue: +1 day counts from today, not from the missed day; a picked date keeps the time.
    ui.click("button:today-due:" + c + ".calendar");
    ui.click("picker:day:2025-12-03");
    CHECK(due(c) == "2025-12-03T11:00:00.000Z");
    // Undo puts it back where it was.
    ui.click("button:undo");
    CHECK(due(c) == "2025-11-27T11:00:00.000Z");
    ui.click("today:complete:" + c);
    CHECK(ui.doc().findActivity(c)->doneAt != 0);

    // The agenda: this week by day (Sunday first in English), each activity opens its deal.
    ui.click("nav:agenda");
    REQUIRE(ui.app().route() == "#/agenda");
    CHECK(ui.has("agenda:day:2025-11-23"));
    CHECK(ui.has("agenda:day:2025-11-29"));
    CHECK(ui.has("agenda:activity:" + a));
    CHECK_FALSE(ui.has("agenda:activity:" + b));  // next week
    ui.click("button:agenda.next");
    CHECK(ui.has("agenda:activity:" + b));
    ui.click("agenda:activity:" + b);
    CHECK(ui.app().route() == "#/deal/" + r.deal);
}

// [SECTION] Customers: delete and merge

TEST_CASE("delete a customer with its deals, contacts and activities, said first; undo brings them back") {
    Records r;
    const Id kim = addContact(r.doc, r.customer, "Kim");
    UiDriver ui(r.doc, "en", ImVec2(1400, 1600));
    ui.app().open("#/customer/" + r.customer);
    ui.frames(2);
    ui.click("button:customer.delete");
    REQUIRE(ui.has("dialog:customer.delete"));
    ui.click("button:customer.delete-confirm");
    CHECK(ui.doc().findCustomer(r.customer)->deleted);
    CHECK(dealOf(ui, r.deal).deleted);
    CHECK(ui.doc().findContact(kim)->deleted);
    CHECK(ui.app().route() == "#/customers");
    CHECK_FALSE(ui.has("customer:" + r.customer));
    ui.click("button:undo");
    CHECK_FALSE(ui.doc().findCustomer(r.customer)->deleted);
    CHECK_FALSE(dealOf(ui, r.deal).deleted);
    CHECK_FALSE(ui.doc().findContact(kim)->deleted);
    CHECK(ui.has("customer:" + r.customer));
}

TEST_CASE("merge two customers from the customer card; undo splits them again") {
    Records r;
    CommandContext cc{1764288000000, r.doc.settings.me};
    auto dup = applyCommand(
        r.doc, {{"op", "customer.create"}, {"name", "ACME Trading Ltd."}, {"industry", "Retail"}}, cc);
    REQUIRE(dup.ok);
    const Id other = dup.result["id"].get<std::string>();
    const Id kim = addContact(r.doc, other, "Kim");
    UiDriver ui(r.doc);
    ui.app().open("#/customer/" + r.customer);
    ui.frames(2);
    ui.click("button:customer.merge");
    REQUIRE(ui.has("dialog:customer.merge"));
    ui.click("merge-option:" + other);
    CHECK(ui.has("customer.merge-text"));
    ui.click("button:customer.merge-confirm");
    CHECK(ui.doc().findCustomer(other)->deleted);
    CHECK(ui.doc().findContact(kim)->customerId == r.customer);
    CHECK(ui.doc().findCustomer(r.customer)->industry == "Retail");
    ui.click("button:undo");
    CHECK_FALSE(ui.doc().findCustomer(other)->deleted);
    CHECK(ui.doc().findContact(kim)->customerId == other);
}
