// Funnel — activities: planning one with a date and time (quick choices and the picker), the
// deal's timeline with an inline editor (edit, reschedule, complete with an outcome, delete with
// undo), Today's row actions, and the agenda (#/agenda: the week by day).
#pragma once

#include <set>
#include <string>

#include "ui/view.h"
#include "ui/widgets.h"

namespace funnel::ui {

// The deal panel's Activities section: plan or log one, then the timeline.
// Records "field:activity.kind", "field:activity.subject", "field:activity.done",
// "field:activity.advanced", "button:log-activity"; for planning "button:plan.later-today",
// "button:plan.tomorrow", "button:plan.next-week", the picker "field:plan.date" (and its
// calendar), "field:plan.time", "field:plan.duration", "field:plan.contact:<id>",
// "field:plan.notes"; each timeline row "activity:<id>" (click to edit it inline), and in the
// editor "field:edit.subject", "field:edit.date", "field:edit.time", "field:edit.duration",
// "field:edit.notes", "field:edit.outcome", "field:edit.advanced", "button:activity.complete",
// "button:activity.delete", "button:activity.close".
class ActivityPlanner {
public:
    void draw(ViewContext& ctx, const Deal& d, Toast& toast);

private:
    void planForm(ViewContext& ctx, const Deal& d);
    void editor(ViewContext& ctx, const Activity& a, Toast& toast);

    Id deal_;  // the deal the form was filled for
    std::string subject_;
    int kind_ = 0;
    bool done_ = true;
    bool advanced_ = false;
    Date date_ = kNoDate;  // kNoDate = tomorrow
    int minutes_ = 9 * 60;
    int duration_ = 60;
    std::set<Id> contacts_;
    std::string notes_;
    bool offerNextStep_ = false;  // an activity just advanced the deal: plan the next one
    Id editing_;                  // the timeline row open in the editor
    std::string outcome_;
    bool completeAdvanced_ = false;
};

// Today's actions on a planned activity: ✓ complete, +1 day, +1 week, a date from the picker.
// Records "today:complete:<id>", "today:+1d:<id>", "today:+1w:<id>", and the picker
// "today-due:<id>" (its calendar "button:today-due:<id>.calendar").
void activityRowActions(ViewContext& ctx, const Activity& a);

// #/agenda: planned (and done) activities across deals and customers, a week by day, from the
// locale's first day of the week. Records "agenda:day:YYYY-MM-DD", "agenda:activity:<id>",
// "button:agenda.prev", "button:agenda.next", "button:agenda.this-week".
class Agenda {
public:
    void draw(ViewContext& ctx);

private:
    int weekOffset_ = 0;  // 0 = this week
};

}  // namespace funnel::ui
