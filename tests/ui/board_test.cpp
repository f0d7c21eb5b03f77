// Funnel — headless UI tests of the board, the deal panel and settings: real input events on
// the real views, asserting on the model.
#include <doctest/doctest.h>

#include <algorithm>

#include "core/command.h"
#include "core/demo.h"
#include "driver.h"
#include "ui/strings.h"

using namespace funnel;
using funnel::test::UiDriver;

namespace {

// The default document plus one customer and `n` deals in the first stage.
struct Fixture {
    Document doc;
    Id customer;
    std::vector<Id> deals;
    const Pipeline& pipeline() const { return doc.pipelines.front(); }
    Id stage(int i) const { return pipeline().stages.at(i).id; }

    explicit Fixture(int n, const std::string& customerName = "Acme Trading") {
        doc = makeDefaultDocument(1764288000000);
        CommandContext cc{1764288000000, doc.settings.me};
        auto r = applyCommand(doc, {{"op", "customer.create"}, {"name", customerName}, {"grade", "A"}}, cc);
        REQUIRE_MESSAGE(r.ok, r.error);
        customer = r.result["id"].get<std::string>();
        for (int i = 0; i < n; ++i) {
            auto d = applyCommand(doc,
                                  {{"op", "deal.create"}, {"title", "Deal " + std::to_string(i + 1)}, {"customerId", customer},
                                   {"pipelineId", doc.pipelines.front().id}, {"stageId", stage(0)}, {"value", 1000 * (i + 1)},
                                   {"currency", doc.settings.displayCurrency}},
                                  cc);
            REQUIRE_MESSAGE(d.ok, d.error);
            deals.push_back(d.result["id"].get<std::string>());
        }
    }
};

const Deal& dealOf(UiDriver& ui, const Id& id) {
    const Deal* d = ui.doc().findDeal(id);
    REQUIRE(d != nullptr);
    return *d;
}

}  // namespace

TEST_CASE("the board shows a column per stage with localized names") {
    Fixture f(0);
    UiDriver en(f.doc, "en", ImVec2(2100, 900));  // wide enough for all seven columns
    for (const Stage& s : f.pipeline().stages) {
        CHECK(en.has("stage:" + s.id));
        CHECK(en.has(s.name.get("en")));
    }
    CHECK(en.has("Lead"));
    CHECK(en.has("Negotiation"));
}

TEST_CASE("the board in Chinese and Korean") {
    Fixture f(0);
    {
        UiDriver zh(f.doc, "zh-Hans", ImVec2(2100, 900));
        CHECK(zh.has("线索"));
        CHECK(zh.has("商务谈判"));
        CHECK(zh.has("看板"));
    }
    {
        UiDriver ko(f.doc, "ko");
        CHECK(ko.has("리드"));
        CHECK(ko.has("보드"));
    }
}

TEST_CASE("dragging a card to the next column moves the deal, as one undo step") {
    Fixture f(2);
    UiDriver ui(f.doc);
    REQUIRE(dealOf(ui, f.deals[0]).stageId == f.stage(0));
    ImVec2 from = ui.center("deal:" + f.deals[0]);
    ui::Rect next = ui.rect("stage:" + f.stage(1));
    ui.drag(from, ImVec2(next.x + 40, next.y + 200));
    CHECK(dealOf(ui, f.deals[0]).stageId == f.stage(1));
    CHECK(dealOf(ui, f.deals[1]).stageId == f.stage(0));
    CHECK(dealOf(ui, f.deals[0]).stageHistory.size() >= 2);
    // Across two stages, then undo once: back to the second stage only.
    ui::Rect third = ui.rect("stage:" + f.stage(2));
    ui.drag(ui.center("deal:" + f.deals[0]), ImVec2(third.x + 40, third.y + 200));
    CHECK(dealOf(ui, f.deals[0]).stageId == f.stage(2));
    ui.click("button:undo");
    CHECK(dealOf(ui, f.deals[0]).stageId == f.stage(1));
    ui.click("button:redo");
    CHECK(dealOf(ui, f.deals[0]).stageId == f.stage(2));
}

TEST_CASE("dragging within a column reorders") {
    Fixture f(3);
    UiDriver ui(f.doc);
    ui::Rect first = ui.rect("deal:" + f.deals[0]);
    // Drop the third card above the first.
    ui.drag(ui.center("deal:" + f.deals[2]), ImVec2(first.x + 20, first.y + 4));
    ui.frame();
    CHECK(ui.rect("deal:" + f.deals[2]).y < ui.rect("deal:" + f.deals[0]).y);
    CHECK(ui.rect("deal:" + f.deals[0]).y < ui.rect("deal:" + f.deals[1]).y);
}

TEST_CASE("keyboard: Alt+Right moves the selected card to the next stage") {
    Fixture f(1);
    UiDriver ui(f.doc);
    ui.click("deal:" + f.deals[0]);
    ui.click("button:close-deal");   // clicking opened the deal; close it, the card stays selected
    ui.press(ImGuiKey_RightArrow, ImGuiMod_Alt);
    CHECK(dealOf(ui, f.deals[0]).stageId == f.stage(1));
    ui.press(ImGuiKey_LeftArrow, ImGuiMod_Alt);
    CHECK(dealOf(ui, f.deals[0]).stageId == f.stage(0));
}

TEST_CASE("quick add creates a deal in that column") {
    Fixture f(0);
    UiDriver ui(f.doc);
    ui.click("field:quick-add:" + f.stage(2));
    ui.type("Renewal 2026");
    ui.press(ImGuiKey_Enter);
    auto it = std::find_if(ui.doc().deals.begin(), ui.doc().deals.end(),
                           [](const Deal& d) { return d.title == "Renewal 2026"; });
    REQUIRE(it != ui.doc().deals.end());
    CHECK(it->stageId == f.stage(2));
    CHECK(it->owner == ui.doc().settings.me);
    ui.frame();
    CHECK(ui.has("deal:" + it->id));
    // A blank title creates nothing.
    size_t before = ui.doc().deals.size();
    ui.click("field:quick-add:" + f.stage(2));
    ui.type("   ");
    ui.press(ImGuiKey_Enter);
    CHECK(ui.doc().deals.size() == before);
}

TEST_CASE("quick add in Chinese, found again by a CJK search") {
    Fixture f(2, "上海华远科技");
    UiDriver ui(f.doc, "zh-Hans");
    ui.click("field:quick-add:" + f.stage(0));
    ui.type("年度采购");
    ui.press(ImGuiKey_Enter);
    ui.frame();
    Id created;
    for (const Deal& d : ui.doc().deals)
        if (d.title == "年度采购") created = d.id;
    REQUIRE(!created.empty());
    // The search box: by deal title…
    ui.click("field:search");
    ui.type("采购");
    ui.frames(2);
    CHECK(ui.has("deal:" + created));
    CHECK_FALSE(ui.has("deal:" + f.deals[0]));
    // …and by customer name (the quick-added deal has no customer).
    ui.press(ImGuiKey_A, ImGuiMod_Ctrl);
    ui.press(ImGuiKey_Backspace);
    ui.type("华远");
    ui.frames(2);
    CHECK(ui.has("deal:" + f.deals[0]));
    CHECK(ui.has("deal:" + f.deals[1]));
    CHECK_FALSE(ui.has("deal:" + created));
}

TEST_CASE("editing a field in the deal panel, then undo restores it in one step") {
    Fixture f(1);
    UiDriver ui(f.doc);
    ui.click("deal:" + f.deals[0]);
    REQUIRE(ui.app().route() == "#/deal/" + f.deals[0]);
    REQUIRE(ui.has("field:deal.title"));
    ui.click("field:deal.title");
    ui.press(ImGuiKey_End);
    ui.type(" ");
    ui.type("V");
    ui.type("I");
    ui.type("P");
    CHECK(dealOf(ui, f.deals[0]).title == "Deal 1 VIP");
    ui.press(ImGuiKey_Enter);  // leave the field (Escape would revert the typing, as in a native field)
    ui.click("button:undo");
    CHECK(dealOf(ui, f.deals[0]).title == "Deal 1");
    ui.click("button:redo");
    CHECK(dealOf(ui, f.deals[0]).title == "Deal 1 VIP");
}

TEST_CASE("win, lose (asks the reason) and suspend (asks the date) from the card menu") {
    Fixture f(3);
    UiDriver ui(f.doc);
    // Win.
    ui.click("button:deal-menu:" + f.deals[0]);
    ui.click("menu:win");
    CHECK(std::string(toString(dealOf(ui, f.deals[0]).status)) == toString(DealStatus::Won));

    // Lose: OK with no reason keeps the dialog open and the deal open.
    ui.click("button:deal-menu:" + f.deals[1]);
    ui.click("menu:lose");
    REQUIRE(ui.has("field:lost-reason"));
    ui.click("button:dialog-ok");
    CHECK(std::string(toString(dealOf(ui, f.deals[1]).status)) == toString(DealStatus::Open));
    CHECK(ui.has("field:lost-reason"));
    ui.click("field:lost-reason");
    ui.type("价格太高");
    ui.click("button:dialog-ok");
    CHECK(std::string(toString(dealOf(ui, f.deals[1]).status)) == toString(DealStatus::Lost));
    CHECK(dealOf(ui, f.deals[1]).lostReason == "价格太高");
    ui.frame();
    CHECK_FALSE(ui.has("field:lost-reason"));

    // Suspend: the date is prefilled 30 days out; a bad date is refused with a message.
    ui.click("button:deal-menu:" + f.deals[2]);
    ui.click("menu:suspend");
    REQUIRE(ui.has("field:suspend-until"));
    ui.click("button:dialog-ok");
    CHECK(std::string(toString(dealOf(ui, f.deals[2]).status)) == toString(DealStatus::Suspended));
    CHECK(dealOf(ui, f.deals[2]).suspendedUntil == dateFromTime(ui.now) + 30);

    // A won deal stands in the won (last) stage; suspended and lost deals leave the board.
    ui.frame();
    CHECK(dealOf(ui, f.deals[0]).stageId == f.pipeline().stages.back().id);
    CHECK_FALSE(ui.has("deal:" + f.deals[1]));
    CHECK_FALSE(ui.has("deal:" + f.deals[2]));
}

TEST_CASE("filters: status shows lost deals; owner hides others' deals") {
    Fixture f(2);
    CommandContext cc{1764288000000, f.doc.settings.me};
    REQUIRE(applyCommand(f.doc, {{"op", "deal.lose"}, {"id", f.deals[1]}, {"reason", "budget"}}, cc).ok);
    UiDriver ui(f.doc);
    CHECK(ui.has("deal:" + f.deals[0]));
    CHECK_FALSE(ui.has("deal:" + f.deals[1]));
    ui.click("button:filter");
    REQUIRE(ui.has("field:filter.status"));
    ui.click("field:filter.status");
    ui.click(ui::tr("status.lost", "en"));
    ui.press(ImGuiKey_Escape);
    ui.frames(2);
    CHECK_FALSE(ui.has("deal:" + f.deals[0]));
    CHECK(ui.has("deal:" + f.deals[1]));
}

TEST_CASE("settings: renaming a stage and changing its probability change the board") {
    Fixture f(1);
    UiDriver ui(f.doc);
    ui.click("nav:settings");
    REQUIRE(ui.has("field:stage.name:" + f.stage(0)));
    ui.click("field:stage.name:" + f.stage(0));
    ui.press(ImGuiKey_A, ImGuiMod_Ctrl);
    ui.type("Prospect");
    ui.press(ImGuiKey_Enter);
    CHECK(ui.doc().pipelines.front().stages.front().name.get("en") == "Prospect");
    // Other languages keep their names.
    CHECK(ui.doc().pipelines.front().stages.front().name.get("zh-Hans") == "线索");
    ui.click("nav:board");
    CHECK(ui.has("Prospect"));
    CHECK_FALSE(ui.has("Lead"));
}

TEST_CASE("Today lists an overdue follow-up and opens its deal") {
    Fixture f(1);
    CommandContext cc{1764288000000, f.doc.settings.me};
    auto r = applyCommand(f.doc,
                          {{"op", "activity.create"}, {"dealId", f.deals[0]}, {"customerId", f.customer}, {"kind", "call"},
                           {"subject", "Call back"}, {"due", formatTime(1764288000000 - 3 * 86400000LL)}},
                          cc);
    REQUIRE_MESSAGE(r.ok, r.error);
    UiDriver ui(f.doc);
    ui.click("nav:today");
    bool found = false;
    for (const auto& [key, rect] : ui.app().itemRects().all())
        if (key.rfind("today:", 0) == 0 && key.find(f.deals[0]) != std::string::npos) {
            found = true;
            ui.clickAt(ImVec2(rect.x + rect.w / 2, rect.y + rect.h / 2));
            break;
        }
    REQUIRE(found);
    CHECK(ui.app().route() == "#/deal/" + f.deals[0]);
}

TEST_CASE("Today lists a call due later today, also one of no deal, and opens its customer") {
    Fixture f(1);
    CommandContext cc{1764288000000, f.doc.settings.me};
    auto r = applyCommand(f.doc,
                          {{"op", "activity.create"}, {"customerId", f.customer}, {"kind", "call"},
                           {"subject", "Check in"}, {"due", formatTime(1764288000000 + 3 * 3600000LL)}},
                          cc);
    REQUIRE_MESSAGE(r.ok, r.error);
    const Id activity = f.doc.activities.back().id;
    UiDriver ui(f.doc);
    ui.click("nav:today");
    REQUIRE(ui.has("today:due:" + activity));
    ui.click("today:due:" + activity);
    CHECK(ui.app().route() == "#/customer/" + f.customer);
}

TEST_CASE("Today lists a deal whose next step is due today, as its card says, and opens it") {
    Fixture f(1);
    CommandContext cc{1764288000000, f.doc.settings.me};
    auto r = applyCommand(f.doc,
                          {{"op", "deal.set"}, {"id", f.deals[0]}, {"field", "nextStepDue"}, {"value", formatDate(dateFromTime(1764288000000))}},
                          cc);
    REQUIRE_MESSAGE(r.ok, r.error);
    UiDriver ui(f.doc);
    ui.click("nav:today");
    REQUIRE(ui.has("today:due-step:" + f.deals[0]));
    ui.click("today:due-step:" + f.deals[0]);
    CHECK(ui.app().route() == "#/deal/" + f.deals[0]);
}

TEST_CASE("the help overlay opens with ? and F1, and closes with Escape") {
    Fixture f(0);
    UiDriver ui(f.doc, "ko");
    CHECK_FALSE(ui.has("button:help-close"));
    ui.press(ImGuiKey_F1);
    ui.frame();
    CHECK(ui.has("button:help-close"));
    ui.press(ImGuiKey_Escape);
    ui.frame();
    CHECK_FALSE(ui.has("button:help-close"));
    ui.press(ImGuiKey_Slash, ImGuiMod_Shift);
    ui.frame();
    CHECK(ui.has("button:help-close"));
}

TEST_CASE("Escape in a field reverts what was typed, as in a native field") {
    Fixture f(1);
    UiDriver ui(f.doc);
    ui.click("deal:" + f.deals[0]);
    ui.click("field:deal.title");
    ui.press(ImGuiKey_End);
    ui.type("XYZ");
    CHECK(dealOf(ui, f.deals[0]).title == "Deal 1XYZ");
    ui.press(ImGuiKey_Escape);
    CHECK(dealOf(ui, f.deals[0]).title == "Deal 1");
}

TEST_CASE("N starts a new deal in the first stage and opens it") {
    Fixture f(0);
    UiDriver ui(f.doc, "zh-Hant");
    ui.press(ImGuiKey_N);
    ui.frame();
    REQUIRE(ui.doc().deals.size() == 1);
    const Deal& d = ui.doc().deals.front();
    CHECK(d.stageId == f.stage(0));
    CHECK(d.title == ui::tr("board.new_deal", "zh-Hant"));
    CHECK(ui.app().route() == "#/deal/" + d.id);
    CHECK(ui.has("field:deal.title"));
}

TEST_CASE("settings: a language picked there switches the UI at once") {
    Fixture f(0);
    UiDriver ui(f.doc, "en");
    ui.click("nav:settings");
    ui.click("field:settings.language");
    ui.click("language:ko");
    ui.frames(2);
    CHECK(ui.doc().settings.language == "ko");
    CHECK(ui.app().language() == ui.doc().settings.language);
    CHECK(ui.has(ui::tr("nav.board", ui.app().language())));
}

TEST_CASE("settings: team members, exchange rates and a stage playbook") {
    Fixture f(1);
    UiDriver ui(f.doc, "en", ImVec2(1400, 2400));  // the whole settings page without scrolling
    ui.click("nav:settings");
    ui.click("field:new-member");
    ui.type("김민준");
    ui.press(ImGuiKey_Enter);
    bool added = false;
    for (const Member& m : ui.doc().members) added |= m.name == "김민준";
    CHECK(added);

    const std::string other = ui.doc().settings.displayCurrency == "USD" ? "EUR" : "USD";
    ui.click("field:rate:" + other);
    ui.press(ImGuiKey_A, ImGuiMod_Ctrl);
    ui.type("7.1");
    ui.press(ImGuiKey_Enter);
    REQUIRE(ui.doc().settings.rates.count(other));
    CHECK(ui.doc().settings.rates.at(other) == doctest::Approx(7.1));

    ui.click("field:new-playbook-item");
    ui.type("确认预算");
    ui.press(ImGuiKey_Enter);
    CHECK(ui.doc().pipelines.front().stages.front().playbook.back() == "确认预算");
    // The deal in that stage shows the item; ticking it is recorded on the deal.
    ui.click("nav:board");
    ui.click("deal:" + f.deals[0]);
    REQUIRE(ui.has("field:playbook:确认预算"));
    ui.click("field:playbook:确认预算");
    CHECK(dealOf(ui, f.deals[0]).checklist.at("确认预算") == true);
}

TEST_CASE("deal panel: a contact's buying role is set from the card") {
    Fixture f(1);
    CommandContext cc{1764288000000, f.doc.settings.me};
    auto c = applyCommand(f.doc, {{"op", "contact.create"}, {"customerId", f.customer}, {"name", "王经理"}}, cc);
    REQUIRE_MESSAGE(c.ok, c.error);
    Id contact = c.result["id"].get<std::string>();
    UiDriver ui(f.doc, "zh-Hans", ImVec2(1400, 1600));  // tall enough that the contacts need no scrolling
    ui.click("deal:" + f.deals[0]);
    REQUIRE(ui.has("field:contact.role:" + contact));
    ui.click("field:contact.role:" + contact);
    ui.click(ui::tr("role.decisionMaker", "zh-Hans"));
    const Contact* ct = ui.doc().findContact(contact);
    REQUIRE(ct);
    CHECK(std::string(toString(ct->role)) == toString(BuyingRole::DecisionMaker));
}

TEST_CASE("demo: the banner resets the sample (undoably) and asks the page to leave") {
    Document demo = makeDemoDocument(1, 50, 1764288000000, "en");
    UiDriver ui(demo, "en");
    CHECK_FALSE(ui.has("banner:demo"));
    ui.app().setDemo(true);
    ui.frame();
    REQUIRE(ui.has("banner:demo"));
    const Id victim = ui.doc().deals.front().id;
    REQUIRE(ui.workspace().perform({{"op", "deal.delete"}, {"id", victim}}, CommandContext{ui.now, ""}).ok);
    CHECK(ui.doc().findDeal(victim)->deleted);
    ui.click("button:demo-reset");
    REQUIRE(ui.doc().findDeal(victim));
    CHECK_FALSE(ui.doc().findDeal(victim)->deleted);
    CHECK(ui.doc().deals.size() == demo.deals.size());
    ui.click("button:undo");
    CHECK(ui.doc().findDeal(victim)->deleted);
    CHECK(ui.app().takePageRequest() == ui::App::PageRequest::None);
    ui.click("button:demo-leave");
    CHECK(ui.app().takePageRequest() == ui::App::PageRequest::LeaveDemo);
    CHECK(ui.app().takePageRequest() == ui::App::PageRequest::None);
}

TEST_CASE("settings: moving a stage down reorders the board's columns") {
    Fixture f(0);
    UiDriver ui(f.doc, "en", ImVec2(2100, 1400));
    const Id first = f.stage(0), second = f.stage(1);
    ui.click("nav:settings");
    ui.click("button:stage.down:" + first);
    REQUIRE(ui.doc().pipelines.front().stages.at(0).id == second);
    CHECK(ui.doc().pipelines.front().stages.at(1).id == first);
    ui.click("nav:board");
    CHECK(ui.rect("stage:" + second).x < ui.rect("stage:" + first).x);
    ui.click("button:undo");
    ui.frame();
    CHECK(ui.rect("stage:" + first).x < ui.rect("stage:" + second).x);
}

TEST_CASE("a quick click (move, press, release before one frame) opens the card") {
    Fixture f(1);
    UiDriver ui(f.doc);
    ui.moveTo(ImVec2(5, 5));
    ui.fastClick("deal:" + f.deals[0]);
    CHECK(ui.app().route() == "#/deal/" + f.deals[0]);
}

TEST_CASE("settings: a stage's name is edited in each of the four languages") {
    Fixture f(1);
    CommandContext cc{1764288000000, f.doc.settings.me};
    auto r = applyCommand(f.doc, {{"op", "stage.create"}, {"pipelineId", f.pipeline().id}, {"name", {{"en", "Pilot"}}}}, cc);
    REQUIRE_MESSAGE(r.ok, r.error);
    const Id pilot = r.result["id"].get<std::string>();
    UiDriver ui(f.doc, "en", ImVec2(1400, 2400));  // the whole settings page without scrolling
    ui.click("nav:settings");
    auto stageName = [&](const Id& id) -> const LocalText& {
        const Stage* s = ui.doc().pipelines.front().findStage(id);
        REQUIRE(s != nullptr);
        return s->name;
    };
    auto retype = [&](const std::string& field, const std::string& text) {
        ui.click(field);
        ui.press(ImGuiKey_A, ImGuiMod_Ctrl);
        if (text.empty()) ui.press(ImGuiKey_Backspace);
        else ui.type(text);
        ui.press(ImGuiKey_Enter);
    };

    // Another language than the UI's: only that language's name changes.
    retype("field:stage.name.zh-Hans:" + f.stage(0), "潜在客户");
    CHECK(stageName(f.stage(0)).byLang.at("zh-Hans") == "潜在客户");
    CHECK(stageName(f.stage(0)).get("en") == "Lead");
    CHECK(stageName(f.stage(0)).get("ko") == "리드");

    // A language the stage has no name in yet gets one; the others stay as they were.
    REQUIRE(stageName(pilot).byLang.count("ko") == 0);
    retype("field:stage.name.ko:" + pilot, "파일럿");
    CHECK(stageName(pilot).byLang.at("ko") == "파일럿");
    CHECK(stageName(pilot).byLang.at("en") == "Pilot");

    // Clearing a name falls back to English; clearing the only name a stage has is not applied.
    retype("field:stage.name.ko:" + pilot, "");
    CHECK(stageName(pilot).byLang.count("ko") == 0);
    CHECK(stageName(pilot).get("ko") == "Pilot");
    retype("field:stage.name.en:" + pilot, "");
    CHECK(stageName(pilot).get("en") == "Pilot");

    // The board in that language shows the new name.
    ui.app().setLanguage("zh-Hans");
    ui.frame();  // the navigation is laid out anew in that language
    ui.click("nav:board");
    CHECK(ui.has("潜在客户"));
    CHECK_FALSE(ui.has("线索"));
}
