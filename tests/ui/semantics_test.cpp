// Funnel — the screen-reader semantics the views record each frame (ui::SemanticNode): the
// board's columns are lists of cards named "deal, customer, value, stage, …" in the UI language,
// fields carry their labels, navigation is a group; outcomes are announced.
#include <doctest/doctest.h>

#include <algorithm>

#include "core/command.h"
#include "driver.h"
#include "ui/strings.h"

using namespace funnel;
using funnel::test::UiDriver;

namespace {

Document boardDoc(Id& dealId) {
    Document doc = makeDefaultDocument(1764288000000);
    CommandContext cc{1764288000000, doc.settings.me};
    auto c = applyCommand(doc, {{"op", "customer.create"}, {"name", "华为技术"}, {"grade", "A"}}, cc);
    REQUIRE(c.ok);
    auto d = applyCommand(doc,
                          {{"op", "deal.create"}, {"title", "Spindle retrofit"}, {"customerId", c.result["id"]},
                           {"pipelineId", "p-default"}, {"stageId", doc.pipelines[0].stages[0].id}, {"value", 12000},
                           {"currency", "CNY"}},
                          cc);
    REQUIRE(d.ok);
    dealId = d.result["id"].get<std::string>();
    return doc;
}

// The node the tree gets for `id`: the last description of it in the frame wins.
const ui::SemanticNode* node(UiDriver& ui, const std::string& id) {
    const ui::SemanticNode* found = nullptr;
    for (const ui::SemanticNode& n : ui.app().itemRects().nodes())
        if (n.id == id) found = &n;
    return found;
}

}  // namespace

TEST_CASE("the board's columns are lists and its cards list items, named in the UI language") {
    for (const char* lang : {"en", "zh-Hans"}) {
        CAPTURE(lang);
        Id dealId;
        UiDriver ui(boardDoc(dealId), lang);
        ui.frames(3);
        const Stage& lead = ui.doc().pipelines[0].stages[0];
        const ui::SemanticNode* column = node(ui, "column:" + lead.id);
        REQUIRE(column);
        CHECK(column->role == "list");
        CHECK(column->name.find(lead.name.get(lang)) == 0);
        const ui::SemanticNode* card = node(ui, "deal:" + dealId);
        REQUIRE(card);
        CHECK(card->role == "listitem");
        CHECK(card->parent == "column:" + lead.id);
        CHECK(card->itemId != 0);
        CHECK(card->name.find("Spindle retrofit") == 0);
        CHECK(card->name.find("华为技术") != std::string::npos);
        CHECK(card->name.find(lead.name.get(lang)) != std::string::npos);
        CHECK(card->rect.w > 100);
        // Navigation is a group of buttons named as shown.
        const ui::SemanticNode* nav = node(ui, "nav");
        REQUIRE(nav);
        CHECK(nav->role == "navigation");
        const ui::SemanticNode* settings = node(ui, "nav:settings");
        REQUIRE(settings);
        CHECK(settings->role == "button");
        CHECK(settings->parent == "nav");
        CHECK(settings->name == ui::tr("nav.settings", lang));
        const ui::SemanticNode* add = node(ui, "button:new-deal");
        REQUIRE(add);
        CHECK(add->name == ui::tr("board.new_deal", lang));
    }
}

TEST_CASE("a deal's fields are text boxes named by their labels; moving it is announced") {
    Id dealId;
    UiDriver ui(boardDoc(dealId), "en");
    ui.app().open("#/deal/" + dealId);
    ui.frames(3);
    const ui::SemanticNode* title = node(ui, "field:deal.title");
    REQUIRE(title);
    CHECK(title->role == "textbox");
    CHECK(title->name == ui::tr("field.title", "en"));
    const ui::SemanticNode* panel = node(ui, "panel:deal");
    REQUIRE(panel);
    CHECK(panel->role == "dialog");
    CHECK(panel->name == "Spindle retrofit");
    ui.app().takeAnnouncements();
    // The stage combo opens a list box of options; picking one moves the deal and says so.
    ui.click("field:deal.stage");
    ui.frames(2);
    const Stage& proposal = ui.doc().pipelines[0].stages[2];
    const ui::SemanticNode* option = node(ui, "option:stage:" + proposal.id);
    REQUIRE(option);
    CHECK(option->role == "option");
    CHECK(option->parent == "listbox:deal.stage");
    ui.click("option:stage:" + proposal.id);
    ui.frames(1);
    CHECK(ui.doc().findDeal(dealId)->stageId == proposal.id);
    const auto said = ui.app().takeAnnouncements();
    REQUIRE(said.size() == 1);
    CHECK(said[0] == "Moved to " + proposal.name.get("en"));
}

TEST_CASE("the Settings theme choices are radio buttons with their state") {
    Id dealId;
    UiDriver ui(boardDoc(dealId), "en");
    ui.app().open("#/settings");
    ui.frames(3);
    const ui::SemanticNode* system = node(ui, "field:settings.theme.system");
    REQUIRE(system);
    CHECK(system->role == "radio");
    CHECK(system->checked == 1);
    const ui::SemanticNode* dark = node(ui, "field:settings.theme.dark");
    REQUIRE(dark);
    CHECK(dark->checked == 0);
}

TEST_CASE("a button or field recorded by its id alone is named by its widget's label (Settings, Reports)") {
    for (const char* lang : {"en", "zh-Hans"}) {
        CAPTURE(lang);
        Id dealId;
        UiDriver ui(boardDoc(dealId), lang);
        ui.app().open("#/settings");
        ui.frames(3);
        // ctx.record("button:add-stage") after Button("Add stage###add-stage").
        const ui::SemanticNode* add = node(ui, "button:add-stage");
        REQUIRE(add);
        CHECK(add->role == "button");
        CHECK(add->name == ui::tr("settings.add_stage", lang));
        ui.app().open("#/reports");
        ui.frames(3);
        const ui::SemanticNode* png = node(ui, "button:report-png");
        REQUIRE(png);
        CHECK(png->name == ui::tr("reports.png", lang));
        // Every recorded button that has a visible label is in the tree, under that label.
        int buttons = 0;
        for (const ui::SemanticNode& n : ui.app().itemRects().nodes())
            if (n.id.rfind("button:report-csv:", 0) == 0) {
                ++buttons;
                CHECK(n.name == ui::tr("reports.csv", lang));
            }
        CHECK(buttons > 0);
    }
}
