// Funnel — headless UI tests of the banners above every screen (app.cpp): on a 390-wide phone the
// demo banner's text wraps and both its buttons are on screen and work; on a wide window text and
// buttons share one line.
#include <doctest/doctest.h>

#include "core/demo.h"
#include "driver.h"

using namespace funnel;
using funnel::test::UiDriver;

namespace {
bool inside(const ui::Rect& r, float width) { return r.x >= 0 && r.x + r.w <= width + 0.5f && r.w > 0; }
}  // namespace

TEST_CASE("banner: the demo banner's buttons on a phone and on a wide window") {
    for (const char* lang : {"en", "zh-Hans", "ko"}) {
        CAPTURE(std::string(lang));
        UiDriver phone(makeDemoDocument(1, 50, 1764288000000, lang), lang, ImVec2(390, 844));
        phone.app().setDemo(true);
        phone.app().open("#/reports");
        phone.frames(3);
        const ui::Rect text = phone.rect("banner:demo"), reset = phone.rect("button:demo-reset"),
                       leave = phone.rect("button:demo-leave");
        CHECK(inside(text, 390));
        CHECK(inside(reset, 390));
        CHECK(inside(leave, 390));
        // Beside the text (when it is short) or below it, never over it.
        CHECK((reset.y >= text.y + text.h - 1 || reset.x >= text.x + text.w));
        CHECK((leave.y >= reset.y + reset.h - 1 || leave.x >= reset.x + reset.w));
        if (std::string(lang) == "en") CHECK(text.h > reset.h * 1.5f);  // the English text wraps
        // Nothing of the screen below is covered: the top bar starts under the buttons.
        CHECK(phone.rect("nav:reports").y >= leave.y + leave.h);
        phone.click("button:demo-leave");
        CHECK(phone.app().takePageRequest() == ui::App::PageRequest::LeaveDemo);

        UiDriver wide(makeDemoDocument(1, 50, 1764288000000, lang), lang, ImVec2(1400, 900));
        wide.app().setDemo(true);
        wide.frames(3);
        const ui::Rect wideText = wide.rect("banner:demo"), wideLeave = wide.rect("button:demo-leave");
        CHECK(wide.rect("button:demo-reset").x > wideText.x + wideText.w);  // one line, as before
        CHECK(wideLeave.y < wideText.y + wideText.h);
    }
}
