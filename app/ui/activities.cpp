// Funnel — activities: plan, edit, reschedule, complete, delete; Today's actions; the agenda
// (activities.h).
#include "ui/activities.h"

#include <algorithm>
#include <cstdio>
#include <vector>

#include <misc/cpp/imgui_stdlib.h>

#include "ui/theme.h"

namespace funnel::ui {

namespace {

const char* const kKindKeys[] = {"kind.call",    "kind.visit",     "kind.meeting",   "kind.email",
                                 "kind.message", "kind.demo",      "kind.quoteSent", "kind.gift",
                                 "kind.event",   "kind.afterSales"};

// Kinds that take time with the customer: a duration is asked for.
bool hasDuration(ActivityKind k) {
    return k == ActivityKind::Visit || k == ActivityKind::Meeting || k == ActivityKind::Demo ||
           k == ActivityKind::Event;
}

void setActivity(ViewContext& ctx, const Id& id, const char* field, json value) {
    ctx.push({{"op", "activity.set"}, {"id", id}, {"field", field}, {"value", std::move(value)}});
}

std::string whenText(ViewContext& ctx, Time t) {
    return formatDateShort(dateFromTime(t, ctx.utcOffsetMinutes), ctx.lang) + " " +
           formatClock(t, ctx.utcOffsetMinutes);
}

}  // namespace

// [SECTION] Plan or log an activity

void ActivityPlanner::planForm(ViewContext& ctx, const Deal& d) {
    const Document& doc = ctx.doc;
    if (deal_ != d.id) {  // another deal: a fresh form
        deal_ = d.id;
        subject_.clear();
        contacts_.clear();
        notes_.clear();
        date_ = kNoDate;
        minutes_ = 9 * 60;
        offerNextStep_ = false;
        editing_.clear();
    }
    if (offerNextStep_) {
        ImGui::PushStyleColor(ImGuiCol_Text, ctx.palette.won);
        ImGui::PushTextWrapPos(0);
        ImGui::TextUnformatted(ctx.t("activity.plan_next"));
        ImGui::PopTextWrapPos();
        ImGui::PopStyleColor();
        ctx.record("activity:plan-next");
    }
    ImGui::SetNextItemWidth(120);
    if (ImGui::BeginCombo("##activity.kind", ctx.t(kKindKeys[kind_]))) {
        for (int i = 0; i < 10; ++i) {
            if (ImGui::Selectable(ctx.t(kKindKeys[i]), i == kind_)) kind_ = i;
            ctx.record(std::string("option:") + kKindKeys[i]);
        }
        ImGui::EndCombo();
    }
    ctx.record("field:activity.kind");
    ImGui::SameLine();
    ImGui::SetNextItemWidth(-1);
    bool enter = ImGui::InputTextWithHint("##activity.subject", ctx.t("activity.subject"), &subject_,
                                          ImGuiInputTextFlags_EnterReturnsTrue);
    ctx.record("field:activity.subject");
    if (ImGui::Checkbox(ctx.t("activity.done"), &done_) && done_) offerNextStep_ = false;
    ctx.record("field:activity.done");
    if (done_) {
        ImGui::SameLine();
        ImGui::Checkbox(ctx.t("activity.advanced"), &advanced_);
        ctx.record("field:activity.advanced");
    }
    const Date tomorrow = ctx.today + 1;
    const Date date = date_ == kNoDate ? tomorrow : date_;
    if (!done_) {
        // When: quick choices, or a date from the picker and a time.
        const int nowMinutes = minutesOfDay(ctx.now, ctx.utcOffsetMinutes);
        if (labelledSmallButton(ctx, "plan.later_today", "plan.later-today")) {
            const int later = (nowMinutes / 60 + 2) * 60;
            if (later <= 22 * 60)
                date_ = ctx.today, minutes_ = later;
            else
                date_ = tomorrow, minutes_ = 9 * 60;
        }
        ImGui::SameLine();
        if (labelledSmallButton(ctx, "plan.tomorrow", "plan.tomorrow")) date_ = tomorrow, minutes_ = 9 * 60;
        ImGui::SameLine();
        if (labelledSmallButton(ctx, "plan.next_week", "plan.next-week")) {
            date_ = ctx.today + 7 - ((weekdayOf(ctx.today) + 6) % 7);  // next Monday
            minutes_ = 9 * 60;
        }
        Date picked = date;
        if (datePicker(ctx, "plan.date", date, picked, false, 190)) date_ = picked;
        ImGui::SameLine();
        timeInput(ctx, "plan.time", minutes_, minutes_);
        if (hasDuration(static_cast<ActivityKind>(kind_))) {
            ImGui::SameLine();
            ImGui::SetNextItemWidth(90);
            ImGui::InputInt("##plan.duration", &duration_, 15, 60);
            duration_ = std::clamp(duration_, 0, 24 * 60);
            ctx.record("field:plan.duration");
            ImGui::SameLine();
            ImGui::TextDisabled("%s", ctx.t("plan.minutes"));
        }
        // Whom with: the customer's people.
        bool any = false;
        for (const Contact& c : doc.contacts) {
            if (c.deleted || c.customerId != d.customerId || d.customerId.empty()) continue;
            if (any) ImGui::SameLine();
            any = true;
            bool on = contacts_.count(c.id) > 0;
            ImGui::PushID(c.id.c_str());
            if (ImGui::Checkbox(c.name.c_str(), &on)) {
                if (on)
                    contacts_.insert(c.id);
                else
                    contacts_.erase(c.id);
            }
            ctx.record("field:plan.contact:" + c.id);
            ImGui::PopID();
        }
        ImGui::SetNextItemWidth(-1);
        ImGui::InputTextWithHint("##plan.notes", ctx.t("plan.notes"), &notes_);
        ctx.record("field:plan.notes");
    }
    if ((labelledButton(ctx, done_ ? "activity.log" : "activity.plan", "log-activity") || enter) &&
        subject_.find_first_not_of(" \t") != std::string::npos) {
        json c = {{"op", "activity.create"},
                  {"dealId", d.id},
                  {"customerId", d.customerId},
                  {"kind", toString(static_cast<ActivityKind>(kind_))},
                  {"subject", subject_}};
        if (done_) {
            c["doneAt"] = formatTime(ctx.now);
            c["advanced"] = advanced_;
        } else {
            c["due"] = formatTime(localTime(date, minutes_, ctx.utcOffsetMinutes));
            if (hasDuration(static_cast<ActivityKind>(kind_)) && duration_ > 0)
                c["durationMinutes"] = duration_;
            json ids = json::array();
            for (const Id& id : contacts_)
                if (doc.findContact(id)) ids.push_back(id);
            if (!ids.empty()) c["contactIds"] = ids;
            if (!notes_.empty()) c["notes"] = notes_;
        }
        if (!doc.settings.me.empty()) c["owner"] = doc.settings.me;
        ctx.push(std::move(c));
        subject_.clear();
        notes_.clear();
        contacts_.clear();
        advanced_ = false;
        offerNextStep_ = false;
    }
}

// [SECTION] One activity, edited in place

void ActivityPlanner::editor(ViewContext& ctx, const Activity& a, Toast& toast) {
    ImGui::Indent(28);
    std::string s = a.subject;
    ImGui::SetNextItemWidth(-1);
    if (ImGui::InputText("##edit.subject", &s) && s != a.subject) setActivity(ctx, a.id, "subject", s);
    ctx.record("field:edit.subject");
    if (!a.doneAt) {
        const Date date = dateFromTime(a.due, ctx.utcOffsetMinutes);
        const int minutes = minutesOfDay(a.due, ctx.utcOffsetMinutes);
        Date picked = date;
        int at = minutes;
        const bool newDate = datePicker(ctx, "edit.date", date, picked, false, 190);
        ImGui::SameLine();
        const bool newTime = timeInput(ctx, "edit.time", minutes, at);
        if (newDate || newTime)
            setActivity(ctx, a.id, "due", formatTime(localTime(picked, at, ctx.utcOffsetMinutes)));
    }
    if (hasDuration(a.kind)) {
        int duration = a.durationMinutes;
        ImGui::SetNextItemWidth(90);
        if (ImGui::InputInt("##edit.duration", &duration, 15, 60) && duration >= 0 &&
            duration != a.durationMinutes)
            setActivity(ctx, a.id, "durationMinutes", std::min(duration, 24 * 60));
        ctx.record("field:edit.duration");
        ImGui::SameLine();
        ImGui::TextDisabled("%s", ctx.t("plan.minutes"));
    }
    s = a.notes;
    ImGui::SetNextItemWidth(-1);
    if (ImGui::InputTextWithHint("##edit.notes", ctx.t("plan.notes"), &s) && s != a.notes)
        setActivity(ctx, a.id, "notes", s);
    ctx.record("field:edit.notes");
    if (a.doneAt) {
        s = a.outcome;
        ImGui::SetNextItemWidth(-1);
        if (ImGui::InputTextWithHint("##edit.outcome", ctx.t("activity.outcome"), &s) && s != a.outcome)
            setActivity(ctx, a.id, "outcome", s);
        ctx.record("field:edit.outcome");
    } else {
        // Complete: what happened, and whether the customer moved the deal forward.
        ImGui::SetNextItemWidth(-1);
        ImGui::InputTextWithHint("##edit.outcome", ctx.t("activity.outcome"), &outcome_);
        ctx.record("field:edit.outcome");
        ImGui::Checkbox(ctx.t("activity.advanced"), &completeAdvanced_);
        ctx.record("field:edit.advanced");
        ImGui::SameLine();
        if (accentButton(ctx, "activity.complete", "activity.complete")) {
            ctx.push({{"op", "activity.complete"},
                      {"id", a.id},
                      {"outcome", outcome_},
                      {"advanced", completeAdvanced_}});
            // A rep never leaves a deal without a next step: offer to plan it now.
            if (completeAdvanced_) {
                offerNextStep_ = true;
                done_ = false;
                date_ = kNoDate;
            }
            outcome_.clear();
            completeAdvanced_ = false;
            editing_.clear();
        }
        ImGui::SameLine();
    }
    if (labelledButton(ctx, "action.delete", "activity.delete")) {
        ctx.push({{"op", "activity.delete"}, {"id", a.id}});
        char msg[256];
        std::snprintf(msg, sizeof msg, ctx.t("activity.deleted_toast"), a.subject.c_str());
        toast.show(msg, ctx.now, json{{"op", "activity.restore"}, {"id", a.id}});
        editing_.clear();
    }
    ImGui::SameLine();
    if (labelledButton(ctx, "action.close", "activity.close")) editing_.clear();
    ImGui::Unindent(28);
    ImGui::Spacing();
}

void ActivityPlanner::draw(ViewContext& ctx, const Deal& d, Toast& toast) {
    // The deal panel lists the customer's contacts too, each under PushID(contact id) with its
    // name as label: the planner's tick boxes under the same IDs lost every click to those rows
    // (the earlier row saw the press as its own and cleared it on release). Its own ID scope.
    ImGui::PushID("activities");
    planForm(ctx, d);
    std::vector<const Activity*> acts;
    for (const Activity& a : ctx.doc.activities)
        if (!a.deleted && a.dealId == d.id) acts.push_back(&a);
    std::sort(acts.begin(), acts.end(), [](const Activity* x, const Activity* y) {
        return std::max(x->doneAt, x->due) > std::max(y->doneAt, y->due);
    });
    if (acts.empty()) ImGui::TextDisabled("%s", ctx.t("activity.empty"));
    for (const Activity* a : acts) {
        ImGui::PushID(a->id.c_str());
        bool done = a->doneAt != 0;
        if (ImGui::Checkbox("##done", &done) && done) ctx.push({{"op", "activity.complete"}, {"id", a->id}});
        ctx.record("activity-done:" + a->id);
        ImGui::SameLine();
        ImU32 col =
            done ? ctx.palette.textDim
                 : (a->due && dateFromTime(a->due, ctx.utcOffsetMinutes) < ctx.today ? ctx.palette.overdue
                                                                                     : ctx.palette.text);
        ImGui::PushStyleColor(ImGuiCol_Text, col);
        std::string text = whenText(ctx, done ? a->doneAt : a->due) + "  " +
                           ctx.t(kKindKeys[static_cast<int>(a->kind)]) + " · " + a->subject +
                           (a->advanced ? "  ▲" : "");
        if (a->durationMinutes > 0)
            text += "  (" + std::to_string(a->durationMinutes) + ctx.t("plan.min_short") + ")";
        if (ImGui::Selectable(text.c_str(), editing_ == a->id)) {
            editing_ = editing_ == a->id ? Id() : a->id;
            outcome_.clear();
            completeAdvanced_ = false;
        }
        ImGui::PopStyleColor();
        ctx.record("activity:" + a->id);
        if (!a->outcome.empty() && editing_ != a->id) {
            ImGui::Indent(28);
            ImGui::TextDisabled("→ %s", a->outcome.c_str());
            ImGui::Unindent(28);
        }
        if (editing_ == a->id) editor(ctx, *a, toast);
        ImGui::PopID();
    }
    ImGui::PopID();
}

// [SECTION] Today's actions

void activityRowActions(ViewContext& ctx, const Activity& a) {
    ImGui::PushID(a.id.c_str());
    ImGui::SameLine();
    if (ImGui::SmallButton("✓")) ctx.push({{"op", "activity.complete"}, {"id", a.id}});
    ctx.record("today:complete:" + a.id);
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", ctx.t("activity.complete"));
    // Rescheduling keeps the time of day; from an overdue date it counts from today.
    const Date due = dateFromTime(a.due, ctx.utcOffsetMinutes);
    const int minutes = minutesOfDay(a.due, ctx.utcOffsetMinutes);
    const Date from = std::max(due, ctx.today);
    auto move = [&](Date to) {
        setActivity(ctx, a.id, "due", formatTime(localTime(to, minutes, ctx.utcOffsetMinutes)));
    };
    ImGui::SameLine();
    if (ImGui::SmallButton(ctx.t("today.plus_day"))) move(from + 1);
    ctx.record("today:+1d:" + a.id);
    ImGui::SameLine();
    if (ImGui::SmallButton(ctx.t("today.plus_week"))) move(from + 7);
    ctx.record("today:+1w:" + a.id);
    ImGui::SameLine();
    Date picked = due;
    if (datePicker(ctx, "today-due:" + a.id, due, picked, false, 150)) move(picked);
    ImGui::PopID();
}

// [SECTION] Agenda

void Agenda::draw(ViewContext& ctx) {
    const int first = firstWeekday(ctx.lang);
    const Date start = ctx.today - ((weekdayOf(ctx.today) - first + 7) % 7) + weekOffset_ * 7;
    if (ImGui::ArrowButton("##agenda.prev", ImGuiDir_Left)) --weekOffset_;
    ctx.record("button:agenda.prev");
    ImGui::SameLine();
    if (labelledButton(ctx, "agenda.this_week", "agenda.this-week")) weekOffset_ = 0;
    ImGui::SameLine();
    if (ImGui::ArrowButton("##agenda.next", ImGuiDir_Right)) ++weekOffset_;
    ctx.record("button:agenda.next");
    ImGui::SameLine();
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted(
        (formatDateInput(start, ctx.lang) + " – " + formatDateInput(start + 6, ctx.lang)).c_str());
    ctx.record("agenda:range");

    // The week's activities by day, in time order.
    std::vector<std::vector<const Activity*>> days(7);
    const Time from = timeFromDate(start, ctx.utcOffsetMinutes),
               to = timeFromDate(start + 7, ctx.utcOffsetMinutes);
    for (const Activity& a : ctx.doc.activities) {
        if (a.deleted) continue;
        const Time t = a.doneAt ? a.doneAt : a.due;
        if (t < from || t >= to) continue;
        days[std::size_t(dateFromTime(t, ctx.utcOffsetMinutes) - start)].push_back(&a);
    }
    for (auto& v : days)
        std::sort(v.begin(), v.end(), [](const Activity* x, const Activity* y) {
            return (x->doneAt ? x->doneAt : x->due) < (y->doneAt ? y->doneAt : y->due);
        });
    static const char* kDayNames[] = {"weekday.sun", "weekday.mon", "weekday.tue", "weekday.wed",
                                      "weekday.thu", "weekday.fri", "weekday.sat"};
    const bool narrow = ImGui::GetContentRegionAvail().x < 900;
    const int columns = narrow ? 1 : 7;
    if (!ImGui::BeginTable("##agenda", columns, ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_ScrollY))
        return;
    for (int i = 0; i < columns; ++i) ImGui::TableSetupColumn(nullptr, ImGuiTableColumnFlags_WidthStretch);
    if (!narrow) ImGui::TableNextRow();
    for (int i = 0; i < 7; ++i) {
        if (narrow) ImGui::TableNextRow();
        ImGui::TableNextColumn();
        const Date d = start + i;
        const bool today = d == ctx.today;
        ImGui::PushStyleColor(ImGuiCol_Text, today ? ctx.palette.accent : ctx.palette.textDim);
        ImGui::TextUnformatted(
            (std::string(ctx.t(kDayNames[weekdayOf(d)])) + "  " + formatDateShort(d, ctx.lang)).c_str());
        ImGui::PopStyleColor();
        ctx.record("agenda:day:" + formatDate(d));
        if (today) {
            const ImVec2 mn = ImGui::GetItemRectMin(), mx = ImGui::GetItemRectMax();
            ImGui::GetWindowDrawList()->AddLine(ImVec2(mn.x, mx.y + 1), ImVec2(mx.x, mx.y + 1),
                                                ctx.palette.accent, 2.0f);
        }
        ImGui::Separator();
        if (days[std::size_t(i)].empty()) ImGui::TextDisabled("—");
        for (const Activity* a : days[std::size_t(i)]) {
            ImGui::PushID(a->id.c_str());
            const Deal* deal = ctx.doc.findDeal(a->dealId);
            const Customer* cust = ctx.doc.findCustomer(a->customerId);
            const Time t = a->doneAt ? a->doneAt : a->due;
            const bool overdue = !a->doneAt && t < ctx.now;
            ImGui::PushStyleColor(ImGuiCol_Text, a->doneAt ? ctx.palette.textDim
                                                 : overdue ? ctx.palette.overdue
                                                           : ctx.palette.text);
            std::string text = formatClock(t, ctx.utcOffsetMinutes) + " " +
                               ctx.t(kKindKeys[static_cast<int>(a->kind)]) + "\n" + a->subject;
            if (cust) text += "\n" + cust->name;
            ImGui::PushTextWrapPos(0);
            if (ImGui::Selectable(text.c_str(), false))
                ctx.route = deal && !deal->deleted ? "#/deal/" + deal->id
                            : cust                 ? "#/customer/" + cust->id
                                                   : ctx.route;
            ImGui::PopTextWrapPos();
            ImGui::PopStyleColor();
            ctx.record("agenda:activity:" + a->id);
            ImGui::Spacing();
            ImGui::PopID();
        }
    }
    ImGui::EndTable();
}

}  // namespace funnel::ui
