// Funnel — headless UI tests of IME composition inside a field (ui/composition.h): the text being
// composed sits at the caret and the rest of the line stays visible, pushed right, as in a native
// field (issue #13.6: typing 한국 between "AB" and "CD" used to hide "CD" until the commit).
#include <doctest/doctest.h>

#include "core/command.h"
#include "driver.h"

using namespace funnel;
using funnel::test::UiDriver;

namespace {

Document boardWithOneStageField() {
    Document doc = makeDefaultDocument(1764288000000);
    return doc;
}

}  // namespace

TEST_CASE("composing in the middle of a field pushes the text after the caret right") {
    UiDriver ui(boardWithOneStageField(), "ko", ImVec2(1600, 900));
    const std::string field = "field:quick-add:" + ui.doc().pipelines.front().stages.front().id;
    ui.click(field);
    ui.type("ABCD");
    ui.press(ImGuiKey_LeftArrow);
    ui.press(ImGuiKey_LeftArrow);
    ui.frame();
    CHECK_FALSE(ui.has("ime:composing"));  // nothing composed yet: nothing drawn

    ui.app().setComposition("한국");
    ui.frame();
    REQUIRE(ui.has("ime:composing"));
    REQUIRE(ui.has("ime:after"));
    const ui::Rect composing = ui.rect("ime:composing");
    const ui::Rect after = ui.rect("ime:after");
    const ui::Rect box = ui.rect(field);
    // The composing text starts inside the field, and "CD" follows it, not under it.
    CHECK(composing.x > box.x);
    CHECK(composing.w > 0);
    CHECK(after.x >= composing.x + composing.w - 0.5f);
    CHECK(after.w > 0);
    CHECK(after.x + after.w <= box.x + box.w + 0.5f);

    // The longer the composition, the further right the rest of the line.
    ui.app().setComposition("한국어");
    ui.frame();
    CHECK(ui.rect("ime:after").x > after.x);

    // Committed: the overlay goes, the field holds the text in order.
    ui.app().setComposition("");
    ui.type("한국");
    ui.frame();
    CHECK_FALSE(ui.has("ime:composing"));
    CHECK_FALSE(ui.has("ime:after"));
    ui.press(ImGuiKey_Enter);
    ui.frame();
    bool found = false;
    for (const Deal& d : ui.doc().deals) found = found || d.title == "AB한국CD";
    CHECK(found);
}

TEST_CASE("composing at the end of a field draws no text after it, and no field draws nothing") {
    UiDriver ui(boardWithOneStageField(), "zh-Hans", ImVec2(1600, 900));
    ui.app().setComposition("ni");
    ui.frame();
    CHECK_FALSE(ui.has("ime:composing"));  // no active field

    const std::string field = "field:quick-add:" + ui.doc().pipelines.front().stages.front().id;
    ui.click(field);
    ui.type("AB");
    ui.frame();
    CHECK(ui.has("ime:composing"));
    CHECK_FALSE(ui.has("ime:after"));
}
