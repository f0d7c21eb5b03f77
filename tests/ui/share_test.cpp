// Funnel — headless UI tests of sharing: the Share dialog hands the page the snapshot of the
// board as filtered, and a snapshot on screen is read-only (drags, quick add, card menus, the
// deal panel and the keyboard change nothing).
#include <doctest/doctest.h>

#include <algorithm>

#include "core/codec.h"
#include "core/command.h"
#include "core/snapshot.h"
#include "driver.h"
#include "ui/strings.h"

using namespace funnel;
using funnel::test::UiDriver;

namespace {

// The default document with one customer and three deals in the first two stages.
Document threeDeals(std::vector<Id>& deals) {
    Document doc = makeDefaultDocument(1764288000000);
    CommandContext cc{1764288000000, doc.settings.me};
    auto r = applyCommand(doc, {{"op", "customer.create"}, {"name", "Acme Trading"}, {"grade", "A"}}, cc);
    REQUIRE(r.ok);
    const Id customer = r.result["id"].get<std::string>();
    const char* titles[] = {"Pumps for Busan", "Valves for Taipei", "Pumps for Osaka"};
    for (int i = 0; i < 3; ++i) {
        auto d = applyCommand(doc,
                              {{"op", "deal.create"},
                               {"title", titles[i]},
                               {"customerId", customer},
                               {"pipelineId", doc.pipelines.front().id},
                               {"stageId", doc.pipelines.front().stages.at(i % 2).id},
                               {"value", 1000 * (i + 1)}},
                              cc);
        REQUIRE(d.ok);
        deals.push_back(d.result["id"].get<std::string>());
    }
    return doc;
}

std::string encoded(const Document& d) { return encodeDocumentText(d); }

}  // namespace

TEST_CASE("Share → Download file hands the page the snapshot of the filtered board") {
    std::vector<Id> deals;
    UiDriver ui(threeDeals(deals));
    ui.click("field:search");
    ui.type("pumps");
    ui.frames(2);
    REQUIRE(ui.has("deal:" + deals[0]));
    REQUIRE_FALSE(ui.has("deal:" + deals[1]));
    ui.click("button:share");
    ui.frames(2);
    REQUIRE(ui.has("dialog:share"));
    ui.click("button:share-download");
    REQUIRE(ui.app().takePageRequest() == ui::App::PageRequest::DownloadFile);
    CHECK(ui.app().pageRequestFile().name == "funnel-snapshot-2025-11-28.funnel.json");
    CHECK(ui.app().pageRequestFile().mime == "application/json");
    OpenedSnapshot o = openSnapshot(ui.app().pageRequestFile().bytes);
    REQUIRE_MESSAGE(o.error == SnapshotError::None, o.detail);
    std::vector<Id> shared;
    for (const Deal& d : o.document.deals) shared.push_back(d.id);
    std::sort(shared.begin(), shared.end());
    std::vector<Id> expected = {deals[0], deals[2]};
    std::sort(expected.begin(), expected.end());
    CHECK(shared == expected);
    CHECK(o.info.filter.search == "pumps");
    // The same as the core makes for that filter.
    BoardFilter f;
    f.search = "pumps";
    Document made = makeSnapshot(ui.doc(), ui.doc().pipelines.front().id, f, ui.now);
    made.extra = json();
    CHECK(encoded(o.document) == encoded(made));
    // Copy link asks the page for a link of the same text.
    ui.click("button:share-link");
    CHECK(ui.app().takePageRequest() == ui::App::PageRequest::CopySnapshotLink);
    CHECK(ui.app().shareState() == ui::App::ShareState::Working);
    CHECK(openSnapshot(ui.app().pageRequestText()).error == SnapshotError::None);
    ui.click("button:share-close");
    ui.frames(2);
    CHECK_FALSE(ui.has("dialog:share"));
}

TEST_CASE("a snapshot on screen is read-only: drags, quick add, menus and keys change nothing") {
    std::vector<Id> deals;
    Document source = threeDeals(deals);
    OpenedSnapshot o = openSnapshot(
        encodeDocumentText(makeSnapshot(source, source.pipelines.front().id, BoardFilter{}, 1764288000000)));
    REQUIRE(o.error == SnapshotError::None);
    UiDriver ui(o.document);
    ui.workspace().setReadOnly(true);
    ui.app().setSnapshot(o.info);
    ui.frames(2);
    const std::string before = encoded(ui.doc());
    CHECK(ui.has("banner:snapshot"));
    CHECK(ui.has("deal:" + deals[0]));
    // No editing affordances.
    CHECK_FALSE(ui.has("field:quick-add"));
    CHECK_FALSE(ui.has("button:new-deal"));
    CHECK_FALSE(ui.has("button:share"));
    CHECK_FALSE(ui.has("button:deal-menu:" + deals[0]));
    // A drag to the next column.
    ui::Rect next = ui.rect("stage:" + source.pipelines.front().stages.at(1).id);
    ui.drag(ui.center("deal:" + deals[0]), ImVec2(next.x + 40, next.y + 200));
    CHECK(encoded(ui.doc()) == before);
    // Keyboard moves and the new-deal key.
    ui.fastClick("deal:" + deals[0]);
    ui.press(ImGuiKey_RightArrow, ImGuiMod_Alt);
    ui.press(ImGuiKey_N);
    ui.frames(2);
    CHECK(encoded(ui.doc()) == before);
    // The deal panel opens (reading is fine) but its fields are disabled: typing changes nothing.
    ui.app().open("#/deal/" + deals[0]);
    ui.frames(2);
    REQUIRE(ui.has("field:deal.title"));
    ui.click("field:deal.title");
    ui.type("changed");
    ui.press(ImGuiKey_Enter);
    ui.click("button:win");
    CHECK(encoded(ui.doc()) == before);
    // Even a command that reaches the workspace (a view bug, the automation API) is refused.
    ui.workspace().queue({{"op", "deal.delete"}, {"id", deals[1]}});
    ui.frame();
    CommandResult r =
        ui.workspace().perform({{"op", "deal.delete"}, {"id", deals[1]}}, CommandContext{ui.now, ""});
    CHECK_FALSE(r.ok);
    CHECK(r.error == Workspace::kReadOnlyError);
    CHECK_FALSE(ui.workspace().undo(CommandContext{ui.now, ""}).ok);
    CHECK(encoded(ui.doc()) == before);
    // Close and Save a copy are asked of the page.
    ui.app().open("#/board");
    ui.frames(2);
    ui.click("button:snapshot-close");
    CHECK(ui.app().takePageRequest() == ui::App::PageRequest::CloseSnapshot);
    ui.click("button:snapshot-save");
    CHECK(ui.app().takePageRequest() == ui::App::PageRequest::SaveSnapshotCopy);
}

TEST_CASE("the Share dialog gives way to a snapshot opened from it") {
    std::vector<Id> deals;
    Document source = threeDeals(deals);
    UiDriver ui(source);
    ui.click("button:share");
    ui.frames(2);
    ui.click("button:share-open");
    CHECK(ui.app().takePageRequest() == ui::App::PageRequest::OpenSnapshotFile);
    REQUIRE(ui.has("dialog:share"));
    // The page answers with a snapshot: the workspace turns read-only and the dialog closes.
    OpenedSnapshot o = openSnapshot(encodeDocumentText(makeSnapshot(source, source.pipelines.front().id, BoardFilter{}, ui.now)));
    ui.workspace().reset(o.document);
    ui.workspace().setReadOnly(true);
    ui.app().setSnapshot(o.info);
    ui.frames(3);
    CHECK_FALSE(ui.has("dialog:share"));
    CHECK(ui.has("banner:snapshot"));
    // Real input reaches the board again: a card opens.
    ui.fastClick("deal:" + deals[0]);
    ui.frames(2);
    CHECK(ui.app().route() == "#/deal/" + deals[0]);
}

TEST_CASE("a notice about a broken snapshot is shown in the user's language") {
    std::vector<Id> deals;
    UiDriver ui(threeDeals(deals), "ko");
    ui.app().setNotice(messageKey(SnapshotError::Damaged));
    ui.frames(2);
    CHECK(ui.has("banner:notice"));
    const std::string before = encoded(ui.doc());
    ui.click("button:notice-close");
    ui.frames(2);
    CHECK_FALSE(ui.has("banner:notice"));
    CHECK(ui.app().takePageRequest() == ui::App::PageRequest::None);  // not a snapshot view: just closes
    CHECK(encoded(ui.doc()) == before);
}

TEST_CASE("every snapshot error has a text in all four languages") {
    for (SnapshotError e : {SnapshotError::TooLarge, SnapshotError::Damaged, SnapshotError::NotSnapshot,
                            SnapshotError::Invalid})
        for (const char* lang : ui::kLanguages) {
            CAPTURE(lang);
            CHECK(std::string(ui::tr(messageKey(e), lang)) != messageKey(e));
        }
}
