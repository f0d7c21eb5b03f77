// Funnel — small widgets shared by the screens: buttons that record where they are (under their
// visible label and a stable id), and the date picker every date field uses.
//
// Dates are typed in the user's format or picked from a calendar:
//   en       2026-12-06   (also 12/6, Dec 6, 2026/12/06)
//   zh-*     2026年12月6日 (also 12月6日, 2026-12-06, 2026/12/6)
//   ko       2026. 12. 6. (also 12. 6., 12월 6일, 2026년 12월 6일, 2026-12-06)
// Every language accepts every form above; a date without a year is the next such day on or
// after today minus half a year (so "1月5日" typed in December means next January).
// The calendar starts the week on the locale's day (Monday for zh-Hans, Sunday otherwise) and
// marks today.
#pragma once

#include <optional>
#include <string>
#include <utility>

#include "ui/view.h"

namespace funnel::ui {

// [SECTION] Buttons
// A button showing ctx.t(key) that records its rectangle under that text and "button:<id>".
bool labelledButton(ViewContext& ctx, const char* key, const std::string& id, ImVec2 size = ImVec2(0, 0));
bool labelledSmallButton(ViewContext& ctx, const char* key, const std::string& id);
// The same with the accent colour (the one primary action of a panel).
bool accentButton(ViewContext& ctx, const char* key, const std::string& id, ImVec2 size = ImVec2(0, 0));

// [SECTION] Dates in the user's format
std::string formatDateInput(Date d, const std::string& lang);  // 2026-12-06 / 2026年12月6日 / 2026. 12. 6.
std::optional<Date> parseDateInput(const std::string& text, Date today);
std::string formatMonthYear(int year, int month,
                            const std::string& lang);  // December 2026 / 2026年12月 / 2026년 12월
int firstWeekday(const std::string& lang);             // 0 = Sunday, 1 = Monday
int weekdayOf(Date d);                                 // 0 = Sunday … 6 = Saturday

// [SECTION] Date picker
// A date field: a text input in the user's format and a button opening a calendar. Returns true
// when the user chose a date (typed and confirmed with Enter or by leaving the field, or picked
// in the calendar); `out` is then the date, or kNoDate when the field was cleared and
// `allowClear`. Text that is not a date is not applied: the field says so under it.
// Records "field:<id>" (the text), "button:<id>.calendar"; while the calendar is open
// "picker:<id>" (the popup), "picker:day:YYYY-MM-DD" (each day shown), "picker:prev",
// "picker:next", "picker:today", "picker:clear".
bool datePicker(ViewContext& ctx, const std::string& id, Date value, Date& out, bool allowClear = true,
                float width = -1.0f);

// A time of day "HH:MM" (24-hour) field; minutes since local midnight. Records "field:<id>".
bool timeInput(ViewContext& ctx, const std::string& id, int minutes, int& out, float width = 70.0f);
std::optional<int> parseClock(const std::string& text);  // "10:00", "9:30", "930", "14" → minutes

// Local date and time of day (the user's zone) <-> a UTC time.
inline Time localTime(Date d, int minutes, int utcOffsetMinutes) {
    return timeFromDate(d, utcOffsetMinutes) + Time(minutes) * 60000;
}
inline int minutesOfDay(Time t, int utcOffsetMinutes) {
    return int((t - timeFromDate(dateFromTime(t, utcOffsetMinutes), utcOffsetMinutes)) / 60000);
}

// [SECTION] Toast
// A short message at the bottom of the screen for a few seconds ("Contact deleted", "Copied"),
// with an optional Undo that pushes `undo` (a command). Records "toast" and "button:toast-undo".
class Toast {
public:
    void show(std::string text, Time now, json undo = nullptr) {
        text_ = std::move(text);
        undo_ = std::move(undo);
        until_ = now + (undo_.is_null() ? 2500 : 6000);
    }
    bool visible(Time now) const { return !text_.empty() && now < until_; }
    const std::string& text() const { return text_; }
    void draw(ViewContext& ctx);

private:
    std::string text_;
    json undo_;
    Time until_ = 0;
};

}  // namespace funnel::ui
