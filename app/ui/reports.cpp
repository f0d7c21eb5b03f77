// Funnel — the Reports screen (see reports.h).
//
// Index
// [SECTION] Formatting helpers
// [SECTION] Route, pickers
// [SECTION] Tables (the same numbers as the charts; CSV)
// [SECTION] Cards, hotspots, figures
// [SECTION] Charts
// [SECTION] Settings → Targets
#include "ui/reports.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>

#include <imgui_internal.h>
#include <misc/cpp/imgui_stdlib.h>

#include "core/csv.h"
#include "ui/theme.h"
#include "ui/widgets.h"

namespace funnel::ui {

// [SECTION] Formatting helpers
namespace {

std::string percent(double rate) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.0f%%", rate * 100.0);
    return buf;
}
std::string rawPercent(double rate) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", rate * 100.0);
    return buf;
}
std::string rawMoney(double v) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.2f", v);
    return buf;
}
std::string number(double v, const char* fmt = "%.0f") {
    char buf[48];
    std::snprintf(buf, sizeof buf, fmt, v);
    return buf;
}
std::string printf1(const char* fmt, const std::string& a) {
    char buf[512];
    std::snprintf(buf, sizeof buf, fmt, a.c_str());
    return buf;
}
std::string printf2(const char* fmt, const std::string& a, const std::string& b) {
    char buf[768];
    std::snprintf(buf, sizeof buf, fmt, a.c_str(), b.c_str());
    return buf;
}
// "Won: 7" in tooltips and captions, with the language's own colon ("赢单：7").
std::string labelled(const ViewContext& ctx, const std::string& label, const std::string& value) {
    return printf2(ctx.t("reports.label_value"), label, value);
}

// "2026-06" → "Jun '26", "26年6月", "26년 6월"; "" → "No date".
std::string monthLabel(const std::string& month, const ViewContext& ctx) {
    if (month.size() != 7) return ctx.t("reports.no_date");
    const int y = std::atoi(month.substr(0, 4).c_str()) % 100, m = std::atoi(month.substr(5, 2).c_str());
    static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    char buf[48];
    if (ctx.lang == "ko")
        std::snprintf(buf, sizeof buf, "%02d년 %d월", y, m);
    else if (ctx.lang == "zh-Hans" || ctx.lang == "zh-Hant")
        std::snprintf(buf, sizeof buf, "%02d年%d月", y, m);
    else
        std::snprintf(buf, sizeof buf, "%s '%02d", kMonths[std::clamp(m, 1, 12) - 1], y);
    return buf;
}

std::string memberName(const Document& doc, const Id& id) {
    const Member* m = doc.findMember(id);
    return m ? m->name : id;
}

std::string stageName(const Document& doc, const Id& pipelineId, const Id& stageId, const std::string& lang) {
    if (const Pipeline* p = doc.findPipeline(pipelineId))
        if (const Stage* s = p->findStage(stageId)) return s->name.get(lang);
    return stageId;
}

// A round number ≥ v for an axis: 1, 2 or 5 × 10^k.
double niceCeil(double v) {
    if (v <= 0) return 1;
    const double p = std::pow(10.0, std::floor(std::log10(v)));
    for (double m : {1.0, 2.0, 5.0, 10.0})
        if (m * p >= v) return m * p;
    return 10 * p;
}

ImU32 withAlpha(ImU32 c, int alpha) { return (c & 0x00FFFFFF) | (ImU32(alpha) << 24); }

const char* periodKey(ReportPeriod p) {
    switch (p) {
        case ReportPeriod::ThisMonth: return "reports.this_month";
        case ReportPeriod::LastMonth: return "reports.last_month";
        case ReportPeriod::ThisQuarter: return "reports.this_quarter";
        case ReportPeriod::ThisYear: return "reports.this_year";
        case ReportPeriod::Custom: return "reports.custom";
    }
    return "";
}

void sameLineIfFits(float width) {
    ImGui::SameLine();
    if (ImGui::GetContentRegionAvail().x < width) ImGui::NewLine();
}

}  // namespace

// [SECTION] Route, pickers

void Reports::navigate(ViewContext& ctx, const ReportChoice& c) {
    choice_ = c;
    ctx.route = "#/reports?" + encodeReportQuery(c);
}

void Reports::pickers(ViewContext& ctx, const Report& r) {
    const Document& doc = ctx.doc;
    const float narrow = ImGui::GetIO().DisplaySize.x < 700.0f;
    // Period.
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted(ctx.t("reports.period"));
    ImGui::SameLine();
    ImGui::SetNextItemWidth(narrow ? 150.0f : 170.0f);
    if (ImGui::BeginCombo("##report-period", ctx.t(periodKey(choice_.period)))) {
        for (ReportPeriod p : {ReportPeriod::ThisMonth, ReportPeriod::LastMonth, ReportPeriod::ThisQuarter,
                               ReportPeriod::ThisYear, ReportPeriod::Custom}) {
            if (ImGui::Selectable(ctx.t(periodKey(p)), p == choice_.period) && p != choice_.period) {
                ReportChoice c = choice_;
                c.period = p;
                if (p == ReportPeriod::Custom) {  // start from the range shown now
                    c.customFrom = r.days.from;
                    c.customTo = r.days.to - 1;
                }
                navigate(ctx, c);
            }
            ctx.record(std::string("period:") + periodKey(p));
        }
        ImGui::EndCombo();
    }
    ctx.record("field:report.period");
    if (choice_.period == ReportPeriod::Custom) {
        // The first and last day, each with the date picker (typed in the user's format or picked).
        for (int i = 0; i < 2; ++i) {
            sameLineIfFits(170);
            const Date value = i == 0 ? choice_.customFrom : choice_.customTo;
            Date picked = value;
            if (datePicker(ctx, i == 0 ? "report.from" : "report.to", value, picked, false, 150.0f) && picked != kNoDate) {
                ReportChoice c = choice_;
                (i == 0 ? c.customFrom : c.customTo) = picked;
                if (c.customFrom <= c.customTo) {
                    customError_.clear();
                    navigate(ctx, c);
                } else {
                    customError_ = ctx.t("reports.bad_dates");
                }
            }
        }
    }
    // Owner.
    sameLineIfFits(220);
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted(ctx.t("reports.owner"));
    ImGui::SameLine();
    std::string ownerLabel = choice_.owner == "team" ? ctx.t("reports.team")
                             : choice_.owner == "me" ? ctx.t("reports.me")
                                                     : memberName(doc, choice_.owner);
    ImGui::SetNextItemWidth(narrow ? 140.0f : 160.0f);
    if (ImGui::BeginCombo("##report-owner", ownerLabel.c_str())) {
        auto option = [&](const std::string& value, const std::string& label) {
            ImGui::PushID(value.c_str());
            if (ImGui::Selectable(label.c_str(), value == choice_.owner) && value != choice_.owner) {
                ReportChoice c = choice_;
                c.owner = value;
                navigate(ctx, c);
            }
            ctx.record("owner:" + value);
            ImGui::PopID();
        };
        option("me", ctx.t("reports.me"));
        option("team", ctx.t("reports.team"));
        for (const Member& m : doc.members) option(m.id, m.name);
        ImGui::EndCombo();
    }
    ctx.record("field:report.owner");
    // Pipeline.
    if (doc.pipelines.size() > 1) {
        sameLineIfFits(200);
        const Pipeline* cur = doc.findPipeline(r.pipelineId);
        ImGui::SetNextItemWidth(160);
        if (ImGui::BeginCombo("##report-pipeline", cur ? cur->name.get(ctx.lang).c_str() : "")) {
            for (const Pipeline& p : doc.pipelines) {
                ImGui::PushID(p.id.c_str());
                if (ImGui::Selectable(p.name.get(ctx.lang).c_str(), p.id == r.pipelineId) &&
                    p.id != r.pipelineId) {
                    ReportChoice c = choice_;
                    c.pipelineId = p.id;
                    navigate(ctx, c);
                }
                ctx.record("pipeline:" + p.id);
                ImGui::PopID();
            }
            ImGui::EndCombo();
        }
        ctx.record("field:report.pipeline");
    }
    // The screen as a PNG.
    sameLineIfFits(140);
    if (ImGui::Button((std::string(ctx.t("reports.png")) + "###report-png").c_str())) {
        const ImGuiWindow* w = ImGui::GetCurrentWindowRead();
        download_ = App::FileDownload{"funnel-report-" + formatDate(ctx.today) + ".png", "image/png", "",
                                      Rect{w->Pos.x, w->Pos.y, w->Size.x, w->Size.y}};
    }
    ctx.record(ctx.t("reports.png"), "button:report-png");

    // What the period is, in days.
    char range[160];
    std::snprintf(range, sizeof range, "%s – %s", formatDate(r.days.from).c_str(),
                  formatDate(r.days.to - 1).c_str());
    ImGui::TextDisabled("%s", range);
    ctx.record("figure:report.range=" + std::string(range));
    if (!customError_.empty()) {
        ImGui::SameLine();
        ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(ctx.palette.overdue), "%s", customError_.c_str());
        ctx.record("report:error");
    }
    if (!routeError_.empty()) {
        ImGui::PushStyleColor(ImGuiCol_Text, ctx.palette.overdue);
        ImGui::TextWrapped("%s", printf1(ctx.t("reports.bad_link"), routeError_).c_str());
        ImGui::PopStyleColor();
        ctx.record("report:bad-link");
    }
}

// [SECTION] Tables (the same numbers as the charts; CSV)

void Reports::buildTables(const ViewContext& ctx, const Report& r) {
    const Document& doc = ctx.doc;
    const std::string& cur = r.currency;
    auto money = [&](double v) { return Cell{formatMoney(v, cur, ctx.lang), rawMoney(v)}; };
    auto count = [&](int n) { return Cell{std::to_string(n), std::to_string(n)}; };
    auto text = [&](const std::string& s) { return Cell{s, s}; };
    auto rate = [&](double x) { return Cell{percent(x), rawPercent(x)}; };
    const std::string inCur = " (" + cur + ")";
    tables_.clear();
    funnelAll_.clear();  // every deal of the funnel's bands (the out-of-funnel chart's other bar)
    for (const auto& ids : r.funnelDeals) funnelAll_.insert(funnelAll_.end(), ids.begin(), ids.end());

    Table funnel{"funnel",
                 {ctx.t("reports.stage"), ctx.t("reports.deals"), ctx.t("reports.value") + inCur,
                  ctx.t("reports.weighted") + inCur, std::string(ctx.t("reports.to_next")) + " (%)"},
                 {}};
    for (std::size_t i = 0; i < r.funnel.stages.size(); ++i) {
        const StageTotals& s = r.funnel.stages[i];
        funnel.rows.push_back({text(stageName(doc, r.pipelineId, s.stageId, ctx.lang)), count(s.count),
                               money(s.value), money(s.weighted),
                               i < r.conversion.size() ? rate(r.conversion[i].rate) : text("")});
    }
    tables_.push_back(std::move(funnel));

    Table forecast{"forecast",
                   {ctx.t("reports.close_month"), ctx.t("reports.deals"), ctx.t("reports.value") + inCur,
                    ctx.t("reports.weighted") + inCur},
                   {}};
    for (const ForecastMonth& m : r.forecast.months)
        forecast.rows.push_back(
            {Cell{monthLabel(m.month, ctx), m.month}, count(m.count), money(m.value), money(m.weighted)});
    tables_.push_back(std::move(forecast));

    Table progress{"progress", {ctx.t("reports.what"), ctx.t("reports.deals")}, {}};
    progress.rows = {{text(ctx.t("reports.created")), count(r.progress.created)},
                     {text(ctx.t("reports.forward")), count(r.progress.forward)},
                     {text(ctx.t("reports.backward")), count(r.progress.backward)},
                     {text(ctx.t("reports.won")), count(r.progress.won)},
                     {text(ctx.t("reports.lost")), count(r.progress.lost)},
                     {text(ctx.t("reports.advanced")), count(r.progress.advancedActivities)}};
    if (const Pipeline* p = doc.findPipeline(r.pipelineId))
        for (const Stage& s : p->stages) {
            auto it = r.progress.entered.find(s.id);
            progress.rows.push_back({text(printf1(ctx.t("reports.entered"), s.name.get(ctx.lang))),
                                     count(it == r.progress.entered.end() ? 0 : it->second)});
        }
    tables_.push_back(std::move(progress));

    const Outcomes& o = r.outcomes;
    Table outcomes{"outcomes", {ctx.t("reports.what"), ctx.t("reports.figure")}, {}};
    outcomes.rows = {
        {text(ctx.t("reports.won")), count(o.won)},
        {text(ctx.t("reports.lost")), count(o.lost)},
        {text(std::string(ctx.t("reports.win_rate")) + " (%)"), rate(o.winRate)},
        {text(ctx.t("reports.won_value") + inCur), money(o.wonValue)},
        {text(ctx.t("reports.avg_won") + inCur), money(o.averageWon)},
        {text(ctx.t("reports.avg_cycle")),
         Cell{number(o.averageCycleDays, ctx.t("reports.days")), number(o.averageCycleDays, "%.1f")}},
        {text(std::string(ctx.t("reports.repurchase")) + " (%)"), rate(o.repurchaseRate)},
        {text(std::string(ctx.t("reports.renewal")) + " (%)"), rate(o.renewalRate)},
        {text(std::string(ctx.t("reports.cost_rate")) + " (%)"), rate(o.costRate)}};
    tables_.push_back(std::move(outcomes));

    Table lost{"lost", {ctx.t("reports.reason"), ctx.t("reports.deals"), ctx.t("reports.value") + inCur}, {}};
    for (const LostReason& lr : r.lostReasons)
        lost.rows.push_back({text(lr.reason.empty() ? ctx.t("reports.no_reason") : lr.reason),
                             count(lr.count), money(lr.value)});
    tables_.push_back(std::move(lost));

    Table oof{"out-of-funnel",
              {ctx.t("reports.what"), ctx.t("reports.deals"), ctx.t("reports.value") + inCur,
               ctx.t("reports.won"), ctx.t("reports.won_value") + inCur},
              {}};
    double funnelWon = 0;
    int funnelWonCount = 0;
    if (!r.funnel.stages.empty() && !r.funnelDeals.empty()) {  // won deals standing in the won stage
        const Pipeline* p = doc.findPipeline(r.pipelineId);
        if (p && !p->stages.empty() && p->stages.back().probability == 100) {
            funnelWon = r.funnel.stages.back().value;
            funnelWonCount = r.funnel.stages.back().count;
        }
    }
    oof.rows = {
        {text(ctx.t("reports.in_funnel")), count(r.funnel.count), money(r.funnel.value),
         count(funnelWonCount), money(funnelWon)},
        {text(printf1(ctx.t("reports.out_of_funnel"), formatMoney(r.outOfFunnel.threshold, cur, ctx.lang))),
         count(r.outOfFunnel.count), money(r.outOfFunnel.value), count(r.outOfFunnel.wonCount),
         money(r.outOfFunnel.wonValue)}};
    tables_.push_back(std::move(oof));

    Table targets{"targets",
                  {ctx.t("reports.member"), ctx.t("reports.month"), ctx.t("reports.target") + inCur,
                   ctx.t("reports.achieved") + inCur, std::string(ctx.t("reports.rate")) + " (%)"},
                  {}};
    for (const TargetAchievement& t : r.targets.rows)
        targets.rows.push_back({text(memberName(doc, t.member)), Cell{monthLabel(t.month, ctx), t.month},
                                money(t.target), money(t.achieved), rate(t.rate)});
    tables_.push_back(std::move(targets));
}

const Reports::Table* Reports::table(const std::string& id) const {
    for (const Table& t : tables_)
        if (t.id == id) return &t;
    return nullptr;
}

void Reports::drawTable(ViewContext& ctx, const Table& t) {
    if (!ImGui::BeginTable(
            ("##table-" + t.id).c_str(), int(t.headers.size()),
            ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerH | ImGuiTableFlags_SizingStretchProp))
        return;
    for (std::size_t c = 0; c < t.headers.size(); ++c)
        ImGui::TableSetupColumn(t.headers[c].c_str(), ImGuiTableColumnFlags_WidthStretch,
                                c == 0 ? 2.0f : 1.0f);
    ImGui::TableHeadersRow();
    for (std::size_t r = 0; r < t.rows.size(); ++r) {
        ImGui::TableNextRow();
        for (std::size_t c = 0; c < t.rows[r].size(); ++c) {
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(t.rows[r][c].shown.c_str());
            ctx.record("cell:" + t.id + ":" + std::to_string(r) + ":" + std::to_string(c) + "=" +
                       t.rows[r][c].shown);
        }
    }
    ImGui::EndTable();
}

// [SECTION] Cards, hotspots, figures

bool Reports::beginCard(ViewContext& ctx, const char* id, const char* titleKey, float width, bool& visible) {
    ImGui::PushStyleColor(ImGuiCol_ChildBg, ctx.palette.surface);
    // False when the card is scrolled out of view: it keeps its last height (ImGui does not
    // re-measure a clipped auto-resizing child) and nothing of it is built or drawn this frame.
    visible = ImGui::BeginChild(id, ImVec2(width, 0), ImGuiChildFlags_Borders | ImGuiChildFlags_AutoResizeY,
                                ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoScrollWithMouse);
    ImGui::PopStyleColor();
    if (!visible) return false;
    ImGui::PushStyleColor(ImGuiCol_Text, ctx.palette.text);
    ImGui::PushTextWrapPos(0);
    ImGui::PushFont(nullptr, ImGui::GetStyle().FontSizeBase * 1.1f);
    ImGui::TextUnformatted(ctx.t(titleKey));
    ImGui::PopFont();
    ImGui::PopTextWrapPos();
    ImGui::PopStyleColor();
    ctx.record(std::string("heading:") + id);
    const bool shown = tableShown_.count(id) > 0;
    if (ImGui::SmallButton(
            (std::string(ctx.t(shown ? "reports.show_chart" : "reports.show_table")) + "###toggle-" + id)
                .c_str())) {
        if (shown)
            tableShown_.erase(id);
        else
            tableShown_.insert(id);
    }
    ctx.record(std::string("button:report-table:") + id);
    ImGui::SameLine();
    if (ImGui::SmallButton((std::string(ctx.t("reports.csv")) + "###csv-" + id).c_str())) {
        if (const Table* t = table(id)) {
            csv::Writer w(csv::WriteOptions{',', true});
            w.row(t->headers);
            for (const auto& row : t->rows) {
                std::vector<std::string> fields;
                for (const Cell& c : row) fields.push_back(c.raw);
                w.row(fields);
            }
            const std::string name = "funnel-report-" + std::string(id) + "-" +
                                     formatDate(shown_->days.from) + "_" + formatDate(shown_->days.to - 1) +
                                     ".csv";
            download_ = App::FileDownload{name, "text/csv;charset=utf-8", w.take(), {}};
        }
    }
    ctx.record(std::string("button:report-csv:") + id);
    ImGui::Spacing();
    return shown;
}

void Reports::endCard(ViewContext& ctx, const char* id, const std::vector<std::string>& missing,
                      bool visible) {
    if (visible && !missing.empty()) {
        std::string list;
        for (const std::string& c : missing)
            list += (list.empty() ? "" : ctx.t("reports.list_separator")) + c;
        ImGui::PushStyleColor(ImGuiCol_Text, ctx.palette.dueToday);
        ImGui::PushTextWrapPos(0);
        ImGui::TextUnformatted(printf1(ctx.t("reports.missing"), list).c_str());
        ImGui::PopTextWrapPos();
        ImGui::PopStyleColor();
        ctx.record(std::string("missing:") + id + "=" + list);
    }
    ImGui::EndChild();
    ctx.record(std::string("chart:") + id);  // the whole card
}

void Reports::hotspot(ViewContext& ctx, const std::string& id, ImVec2 min, ImVec2 max, const std::string& tip,
                      const std::vector<Id>* deals, const std::string& caption) {
    const ImVec2 back = ImGui::GetCursorScreenPos();
    ImGui::SetCursorScreenPos(min);
    ImGui::InvisibleButton(("##hot-" + id).c_str(),
                           ImVec2(std::max(1.0f, max.x - min.x), std::max(1.0f, max.y - min.y)));
    ctx.record("bar:" + id);
    const bool canDrill = deals && !deals->empty();
    if (ImGui::IsItemHovered()) {
        ImGui::GetWindowDrawList()->AddRect(min, max, ctx.palette.accent, 4.0f, 0, 2.0f);
        if (canDrill) ImGui::SetMouseCursor(ImGuiMouseCursor_Hand);
        ImGui::BeginTooltip();
        ImGui::TextUnformatted(tip.c_str());
        ctx.record("tooltip:" + id + "=" + tip);
        if (canDrill) ImGui::TextDisabled("%s", ctx.t("reports.click_hint"));
        ImGui::EndTooltip();
    }
    if (ImGui::IsItemClicked() && canDrill) {
        drill_ = Drill{shown_ ? shown_->pipelineId : Id(), *deals, caption};
        ctx.route = "#/board";
    }
    ImGui::SetCursorScreenPos(back);
}

void Reports::figure(ViewContext& ctx, ImDrawList* dl, ImVec2 pos, ImU32 color, const std::string& text,
                     const std::string& key) {
    dl->AddText(pos, color, text.c_str());
    const ImVec2 size = ImGui::CalcTextSize(text.c_str());
    const ImRect clip = ImGui::GetCurrentWindowRead()->ClipRect;
    ImRect r(pos, ImVec2(pos.x + size.x, pos.y + size.y));
    r.ClipWithFull(clip);
    if (r.GetWidth() < 1 || r.GetHeight() < 1) return;
    ctx.rects.record("figure:" + key + "=" + text, Rect{r.Min.x, r.Min.y, r.GetWidth(), r.GetHeight()});
    ctx.rects.record("figure:" + key, Rect{r.Min.x, r.Min.y, r.GetWidth(), r.GetHeight()});
}

// [SECTION] Charts

namespace {
void emptyState(ViewContext& ctx, const char* key, const char* buttonKey = nullptr,
                const char* route = nullptr, const char* id = nullptr) {
    ImGui::PushTextWrapPos(0);
    ImGui::TextDisabled("%s", ctx.t(key));
    ImGui::PopTextWrapPos();
    ctx.record(std::string("empty:") + key);
    if (buttonKey && route) {
        if (ImGui::SmallButton((std::string(ctx.t(buttonKey)) + "###" + id).c_str())) ctx.route = route;
        ctx.record(std::string("button:") + id);
    }
}
}  // namespace

void Reports::funnelChart(ViewContext& ctx, const Report& r) {
    const Palette& pal = ctx.palette;
    const std::string& cur = r.currency;
    const std::vector<StageTotals>& stages = r.funnel.stages;
    if (r.funnel.count == 0) {
        emptyState(ctx, "reports.empty.funnel", "reports.go_board", "#/board", "empty-go-board");
        return;
    }
    if (ImGui::RadioButton(ctx.t("reports.by_count"), !funnelByValue_)) funnelByValue_ = false;
    ctx.record("button:funnel-by-count");
    ImGui::SameLine();
    if (ImGui::RadioButton((ctx.t("reports.by_value") + std::string(" (") + cur + ")").c_str(),
                           funnelByValue_))
        funnelByValue_ = true;
    ctx.record("button:funnel-by-value");

    ImDrawList* dl = ImGui::GetWindowDrawList();
    const float fs = ImGui::GetFontSize();
    const ImVec2 o = ImGui::GetCursorScreenPos();
    const float W = ImGui::GetContentRegionAvail().x;
    const float bandMax = std::max(80.0f, W * 0.42f);
    const float textX = o.x + bandMax + 12;
    const float rowH = fs * 2 + 10, gapH = fs + 6;
    double maxX = 0;
    for (const StageTotals& s : stages) maxX = std::max(maxX, funnelByValue_ ? s.value : double(s.count));
    float y = o.y;
    for (std::size_t i = 0; i < stages.size(); ++i) {
        const StageTotals& s = stages[i];
        const std::string name = stageName(ctx.doc, r.pipelineId, s.stageId, ctx.lang);
        const double x = funnelByValue_ ? s.value : double(s.count);
        const float w = maxX > 0 ? std::max(4.0f, float(bandMax * x / maxX)) : 4.0f;
        const float cx = o.x + bandMax / 2;
        const ImU32 col = pal.stage[i % 8];
        dl->AddRectFilled(ImVec2(cx - w / 2, y + 2), ImVec2(cx + w / 2, y + rowH - 2), col, 4.0f);
        dl->AddText(ImVec2(textX, y + 2), pal.text, name.c_str());
        const std::string countText = std::to_string(s.count);
        figure(ctx, dl, ImVec2(textX, y + fs + 5), pal.text, countText, "funnel.count:" + s.stageId);
        float tx = textX + ImGui::CalcTextSize(countText.c_str()).x;
        const std::string dot = " · ";
        dl->AddText(ImVec2(tx, y + fs + 5), pal.textDim, dot.c_str());
        tx += ImGui::CalcTextSize(dot.c_str()).x;
        const std::string valueText = formatMoneyCompact(s.value, cur, ctx.lang);
        figure(ctx, dl, ImVec2(tx, y + fs + 5), pal.text, valueText, "funnel.value:" + s.stageId);
        tx += ImGui::CalcTextSize(valueText.c_str()).x;
        const std::string weightedText = " · " + std::string(ctx.t("reports.weighted_short")) + " " +
                                         formatMoneyCompact(s.weighted, cur, ctx.lang);
        dl->AddText(ImVec2(tx, y + fs + 5), pal.textDim, weightedText.c_str());
        // One figure a line: no punctuation between them that reads wrong in CJK.
        std::string tip = name + "\n" + printf1(ctx.t("reports.n_deals"), std::to_string(s.count)) + " · " +
                          formatMoney(s.value, cur, ctx.lang) + "\n" + ctx.t("reports.weighted") + " " +
                          formatMoney(s.weighted, cur, ctx.lang);
        if (i < r.conversion.size() && r.conversion[i].reachedFrom > 0)
            tip += "\n" + printf1(ctx.t("reports.conversion_tip"), percent(r.conversion[i].rate));
        hotspot(ctx, "funnel:" + s.stageId, ImVec2(o.x, y), ImVec2(o.x + W, y + rowH), tip, &r.funnelDeals[i],
                name);
        y += rowH;
        if (i + 1 < stages.size()) {
            // The share of deals (created in the period) that went on to the next stage.
            if (i < r.conversion.size() && r.conversion[i].reachedFrom > 0) {
                const std::string conv = "↓ " + percent(r.conversion[i].rate);
                const float cw = ImGui::CalcTextSize(conv.c_str()).x;
                figure(ctx, dl, ImVec2(cx - cw / 2, y + 2), pal.textDim, conv,
                       "funnel.conversion:" + s.stageId);
            }
            y += gapH;
        }
    }
    ImGui::SetCursorScreenPos(o);
    ImGui::Dummy(ImVec2(W, y - o.y + 4));
    ImGui::PushTextWrapPos(0);
    ImGui::TextDisabled("%s",
                        ctx.t(funnelByValue_ ? "reports.funnel_axis_value" : "reports.funnel_axis_count"));
    ImGui::PopTextWrapPos();
    char total[256];
    const std::vector<std::string> amounts =
        formatMoneyAlike({r.funnel.value, r.funnel.weighted}, cur, ctx.lang);
    std::snprintf(total, sizeof total, ctx.t("reports.funnel_total"), r.funnel.count, amounts[0].c_str(),
                  amounts[1].c_str());
    ImGui::TextUnformatted(total);
    ctx.record(std::string("figure:funnel.total=") + total);
}

void Reports::forecastChart(ViewContext& ctx, const Report& r) {
    const Palette& pal = ctx.palette;
    const std::string& cur = r.currency;
    if (r.forecast.months.empty()) {
        emptyState(ctx, "reports.empty.forecast", "reports.go_board", "#/board", "empty-forecast-board");
        return;
    }
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const float fs = ImGui::GetFontSize();
    const ImVec2 o = ImGui::GetCursorScreenPos();
    const float W = ImGui::GetContentRegionAvail().x;
    double maxV = 0;
    for (const ForecastMonth& m : r.forecast.months) maxV = std::max(maxV, m.value);
    const double top = niceCeil(maxV);
    // Axis labels in the display currency.
    float axisW = 0;
    for (double f : {0.0, 0.5, 1.0})
        axisW = std::max(axisW, ImGui::CalcTextSize(formatMoneyCompact(top * f, cur, ctx.lang).c_str()).x);
    axisW += 8;
    const float H = 150, plotX = o.x + axisW, plotW = std::max(40.0f, W - axisW), plotTop = o.y + fs / 2,
                plotBottom = plotTop + H;
    for (double f : {0.0, 0.5, 1.0}) {
        const float yy = plotBottom - float(f) * H;
        dl->AddLine(ImVec2(plotX, yy), ImVec2(plotX + plotW, yy), withAlpha(pal.border, 0xA0));
        const std::string label = formatMoneyCompact(top * f, cur, ctx.lang);
        figure(ctx, dl, ImVec2(o.x, yy - fs / 2), pal.textDim, label, "forecast.axis:" + number(f * 100));
    }
    const std::size_t n = r.forecast.months.size();
    const float groupW = plotW / float(n);
    const float barW = std::clamp(groupW * 0.32f, 3.0f, 28.0f);
    const bool everyLabel = groupW >= ImGui::CalcTextSize("Mmm '00").x + 4;
    for (std::size_t i = 0; i < n; ++i) {
        const ForecastMonth& m = r.forecast.months[i];
        const float gx = plotX + groupW * float(i), cx = gx + groupW / 2;
        const float hv = float(m.value / top) * H, hw = float(m.weighted / top) * H;
        const ImU32 valueCol = m.month.empty() ? withAlpha(pal.suspended, 0x90) : withAlpha(pal.accent, 0x70);
        const ImU32 weightedCol = m.month.empty() ? pal.suspended : pal.accent;
        dl->AddRectFilled(ImVec2(cx - barW - 1, plotBottom - hv), ImVec2(cx - 1, plotBottom), valueCol, 2.0f);
        dl->AddRectFilled(ImVec2(cx + 1, plotBottom - hw), ImVec2(cx + barW + 1, plotBottom), weightedCol,
                          2.0f);
        const std::string label = monthLabel(m.month, ctx);
        if (everyLabel || i % 2 == 0 || m.month.empty()) {
            const float lw = ImGui::CalcTextSize(label.c_str()).x;
            dl->AddText(ImVec2(cx - lw / 2, plotBottom + 4), pal.textDim, label.c_str());
        }
        const std::string key = m.month.empty() ? "none" : m.month;
        const std::string tip = label + "\n" + printf1(ctx.t("reports.n_deals"), std::to_string(m.count)) +
                                "\n" + ctx.t("reports.value") + " " + formatMoney(m.value, cur, ctx.lang) +
                                "\n" + ctx.t("reports.weighted") + " " +
                                formatMoney(m.weighted, cur, ctx.lang);
        hotspot(ctx, "forecast:" + key, ImVec2(gx, plotTop), ImVec2(gx + groupW, plotBottom + fs + 4), tip,
                &r.forecastDeals[i], label);
    }
    ImGui::SetCursorScreenPos(o);
    ImGui::Dummy(ImVec2(W, H + fs * 2 + 10));
    // Legend.
    auto swatch = [&](ImU32 c, const char* key) {
        const ImVec2 p = ImGui::GetCursorScreenPos();
        dl->AddRectFilled(ImVec2(p.x, p.y + fs * 0.25f), ImVec2(p.x + fs * 0.7f, p.y + fs * 0.95f), c, 2.0f);
        ImGui::Dummy(ImVec2(fs * 0.8f, fs));
        ImGui::SameLine();
        ImGui::TextDisabled("%s", ctx.t(key));
        ImGui::SameLine(0, 14);
    };
    swatch(withAlpha(pal.accent, 0x70), "reports.value");
    swatch(pal.accent, "reports.weighted");
    swatch(pal.suspended, "reports.no_date");
    ImGui::NewLine();
}

namespace {
struct BarRow {
    std::string key;  // figure key / hotspot id suffix
    std::string label;
    double value = 0;  // bar length
    std::string text;  // drawn at the bar's end
    ImU32 color = 0;
    const std::vector<Id>* deals = nullptr;
};
}  // namespace

// Horizontal bars: label | bar | figure, one row each; `max` sets the scale.
static void barRows(
    ViewContext& ctx, const std::string& chart, const std::vector<BarRow>& rows, double max,
    const std::function<void(const BarRow&, ImVec2, ImVec2)>& hot,
    const std::function<void(ImDrawList*, ImVec2, ImU32, const std::string&, const std::string&)>& fig) {
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const float fs = ImGui::GetFontSize();
    const ImVec2 o = ImGui::GetCursorScreenPos();
    const float W = ImGui::GetContentRegionAvail().x;
    const bool narrow = W < 420;
    const float labelW = narrow ? W : std::min(W * 0.38f, 220.0f);
    const float rowH = narrow ? fs * 2 + 10 : fs + 10;
    float y = o.y;
    for (const BarRow& row : rows) {
        ImGui::PushClipRect(ImVec2(o.x, y), ImVec2(o.x + labelW - 6, y + rowH), true);
        dl->AddText(ImVec2(o.x, y + 4), ctx.palette.text, row.label.c_str());
        ImGui::PopClipRect();
        const float bx = narrow ? o.x : o.x + labelW, by = narrow ? y + fs + 6 : y + 4;
        const float textW = ImGui::CalcTextSize(row.text.c_str()).x;
        const float barMax = std::max(20.0f, (narrow ? W : W - labelW) - textW - 10);
        const float bw = max > 0 ? float(row.value / max) * barMax : 0;
        dl->AddRectFilled(ImVec2(bx, by), ImVec2(bx + std::max(bw, 2.0f), by + fs), row.color, 3.0f);
        fig(dl, ImVec2(bx + std::max(bw, 2.0f) + 6, by), ctx.palette.text, row.text, chart + "." + row.key);
        hot(row, ImVec2(o.x, y), ImVec2(o.x + W, y + rowH));
        y += rowH;
    }
    ImGui::SetCursorScreenPos(o);
    ImGui::Dummy(ImVec2(W, y - o.y + 2));
}

void Reports::progressChart(ViewContext& ctx, const Report& r) {
    const Palette& pal = ctx.palette;
    const Progress& p = r.progress;
    std::vector<BarRow> rows = {
        {"created", ctx.t("reports.created"), double(p.created), std::to_string(p.created), pal.accent,
         &r.createdDeals},
        {"forward", ctx.t("reports.forward"), double(p.forward), std::to_string(p.forward),
         withAlpha(pal.won, 0xB0), nullptr},
        {"backward", ctx.t("reports.backward"), double(p.backward), std::to_string(p.backward), pal.dueToday,
         nullptr},
        {"won", ctx.t("reports.won"), double(p.won), std::to_string(p.won), pal.won, &r.wonDeals},
        {"lost", ctx.t("reports.lost"), double(p.lost), std::to_string(p.lost), pal.lost, &r.lostDeals},
        {"advanced", ctx.t("reports.advanced"), double(p.advancedActivities),
         std::to_string(p.advancedActivities), pal.suspended, nullptr}};
    if (const Pipeline* pl = ctx.doc.findPipeline(r.pipelineId))
        for (std::size_t i = 0; i < pl->stages.size(); ++i) {
            auto it = p.entered.find(pl->stages[i].id);
            const int n = it == p.entered.end() ? 0 : it->second;
            rows.push_back({"entered:" + pl->stages[i].id,
                            printf1(ctx.t("reports.entered"), pl->stages[i].name.get(ctx.lang)), double(n),
                            std::to_string(n), withAlpha(pal.stage[i % 8], 0xC0), nullptr});
        }
    double max = 0;
    for (const BarRow& row : rows) max = std::max(max, row.value);
    if (max == 0) {
        emptyState(ctx, "reports.empty.progress");
        return;
    }
    barRows(
        ctx, "progress", rows, max,
        [&](const BarRow& row, ImVec2 a, ImVec2 b) {
            hotspot(ctx, "progress:" + row.key, a, b, labelled(ctx, row.label, row.text), row.deals,
                    row.label);
        },
        [&](ImDrawList* dl, ImVec2 pos, ImU32 c, const std::string& text, const std::string& key) {
            figure(ctx, dl, pos, c, text, key);
        });
}

void Reports::outcomesChart(ViewContext& ctx, const Report& r) {
    const Palette& pal = ctx.palette;
    const Outcomes& o = r.outcomes;
    if (o.won + o.lost == 0) {
        emptyState(ctx, "reports.empty.outcomes", "reports.go_board", "#/board", "empty-outcomes-board");
        return;
    }
    struct Tile {
        const char* key;
        const char* label;
        std::string text;
        const std::vector<Id>* deals;
    };
    const std::string& cur = r.currency;
    const std::vector<Tile> tiles = {
        {"win_rate", "reports.win_rate", percent(o.winRate), nullptr},
        {"won", "reports.won", std::to_string(o.won), &r.wonDeals},
        {"lost", "reports.lost", std::to_string(o.lost), &r.lostDeals},
        {"average_won", "reports.avg_won", formatMoney(o.averageWon, cur, ctx.lang), &r.wonDeals},
        {"cycle", "reports.avg_cycle", number(o.averageCycleDays, ctx.t("reports.days")), nullptr},
        {"repurchase", "reports.repurchase", percent(o.repurchaseRate), nullptr},
        {"renewal", "reports.renewal", percent(o.renewalRate), nullptr},
        {"cost_rate", "reports.cost_rate", percent(o.costRate), nullptr}};
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const float fs = ImGui::GetFontSize();
    const ImVec2 origin = ImGui::GetCursorScreenPos();
    const float W = ImGui::GetContentRegionAvail().x;
    const int perRow = W >= 520 ? 4 : 2;
    const float tileW = (W - 8.0f * float(perRow - 1)) / float(perRow), tileH = fs * 3.2f;
    float bottom = origin.y;
    for (std::size_t i = 0; i < tiles.size(); ++i) {
        const Tile& t = tiles[i];
        const ImVec2 a(origin.x + float(int(i) % perRow) * (tileW + 8),
                       origin.y + float(int(i) / perRow) * (tileH + 8));
        const ImVec2 b(a.x + tileW, a.y + tileH);
        dl->AddRectFilled(a, b, pal.card, 6.0f);
        ImGui::PushClipRect(a, b, true);
        dl->AddText(ImVec2(a.x + 8, a.y + 6), pal.textDim, ctx.t(t.label));
        ImGui::PushFont(nullptr, ImGui::GetStyle().FontSizeBase * 1.35f);
        const ImU32 col = std::string(t.key) == "won"    ? pal.won
                          : std::string(t.key) == "lost" ? pal.lost
                                                         : pal.text;
        figure(ctx, dl, ImVec2(a.x + 8, a.y + fs + 10), col, t.text, std::string("outcomes.") + t.key);
        ImGui::PopFont();
        ImGui::PopClipRect();
        hotspot(ctx, std::string("outcomes:") + t.key, a, b, labelled(ctx, ctx.t(t.label), t.text), t.deals,
                ctx.t(t.label));
        bottom = b.y;
    }
    ImGui::SetCursorScreenPos(origin);
    ImGui::Dummy(ImVec2(W, bottom - origin.y + 4));
}

void Reports::lostChart(ViewContext& ctx, const Report& r) {
    if (r.lostReasons.empty()) {
        emptyState(ctx, "reports.empty.lost");
        return;
    }
    std::vector<BarRow> rows;
    double max = 0;
    for (std::size_t i = 0; i < r.lostReasons.size(); ++i) {
        const LostReason& lr = r.lostReasons[i];
        rows.push_back({std::to_string(i), lr.reason.empty() ? ctx.t("reports.no_reason") : lr.reason,
                        double(lr.count),
                        std::to_string(lr.count) + " · " + formatMoneyCompact(lr.value, r.currency, ctx.lang),
                        ctx.palette.lost, &lr.deals});
        max = std::max(max, double(lr.count));
    }
    barRows(
        ctx, "lost", rows, max,
        [&](const BarRow& row, ImVec2 a, ImVec2 b) {
            const LostReason& lr = r.lostReasons[std::size_t(std::atoi(row.key.c_str()))];
            hotspot(ctx, "lost:" + row.key, a, b,
                    labelled(ctx, row.label,
                             printf2(ctx.t("reports.count_and_value"),
                                     printf1(ctx.t("reports.n_deals"), std::to_string(lr.count)),
                                     formatMoney(lr.value, r.currency, ctx.lang))),
                    row.deals, labelled(ctx, ctx.t("reports.lost"), row.label));
        },
        [&](ImDrawList* dl, ImVec2 pos, ImU32 c, const std::string& text, const std::string& key) {
            figure(ctx, dl, pos, c, text, key);
        });
    ImGui::TextDisabled("%s", ctx.t("reports.lost_axis"));
}

void Reports::outOfFunnelChart(ViewContext& ctx, const Report& r) {
    const std::string& cur = r.currency;
    if (r.outOfFunnel.threshold <= 0) {
        emptyState(ctx, "reports.empty.oof", "reports.go_settings", "#/settings", "empty-oof-settings");
        return;
    }
    const std::string oofLabel =
        printf1(ctx.t("reports.out_of_funnel"), formatMoney(r.outOfFunnel.threshold, cur, ctx.lang));
    std::vector<BarRow> rows = {{"funnel", ctx.t("reports.in_funnel"), r.funnel.value,
                                 printf1(ctx.t("reports.n_deals"), std::to_string(r.funnel.count)) + " · " +
                                     formatMoneyCompact(r.funnel.value, cur, ctx.lang),
                                 ctx.palette.accent, &funnelAll_},
                                {"out", oofLabel, r.outOfFunnel.value,
                                 printf1(ctx.t("reports.n_deals"), std::to_string(r.outOfFunnel.count)) +
                                     " · " + formatMoneyCompact(r.outOfFunnel.value, cur, ctx.lang),
                                 ctx.palette.suspended, &r.outOfFunnelDeals}};
    barRows(
        ctx, "oof", rows, std::max(r.funnel.value, r.outOfFunnel.value),
        [&](const BarRow& row, ImVec2 a, ImVec2 b) {
            std::string tip = labelled(ctx, row.label, row.text);
            if (row.key == "out")
                tip += "\n" + std::string(ctx.t("reports.won")) + " " +
                       std::to_string(r.outOfFunnel.wonCount) + " · " +
                       formatMoney(r.outOfFunnel.wonValue, cur, ctx.lang);
            hotspot(ctx, "oof:" + row.key, a, b, tip, row.deals, row.label);
        },
        [&](ImDrawList* dl, ImVec2 pos, ImU32 c, const std::string& text, const std::string& key) {
            figure(ctx, dl, pos, c, text, key);
        });
    ImGui::TextDisabled("%s", printf1(ctx.t("reports.value_axis"), cur).c_str());
}

void Reports::targetsChart(ViewContext& ctx, const Report& r) {
    const Palette& pal = ctx.palette;
    const std::string& cur = r.currency;
    if (r.targets.rows.empty()) {
        emptyState(ctx, "reports.empty.targets", "reports.go_settings", "#/settings",
                   "empty-targets-settings");
        return;
    }
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const float fs = ImGui::GetFontSize();
    const ImVec2 o = ImGui::GetCursorScreenPos();
    const float W = ImGui::GetContentRegionAvail().x;
    const float rowH = fs * 2 + 14;
    float y = o.y;
    for (std::size_t i = 0; i < r.targets.rows.size(); ++i) {
        const TargetAchievement& t = r.targets.rows[i];
        const std::string who = memberName(ctx.doc, t.member) + " · " + monthLabel(t.month, ctx);
        dl->AddText(ImVec2(o.x, y + 2), pal.text, who.c_str());
        const std::string key = t.member + ":" + t.month;
        const std::string rateText = percent(t.rate);
        const std::string amounts =
            formatMoney(t.achieved, cur, ctx.lang) + " / " + formatMoney(t.target, cur, ctx.lang);
        const float rw = ImGui::CalcTextSize(rateText.c_str()).x;
        figure(ctx, dl, ImVec2(o.x + W - rw, y + 2), t.rate >= 1.0 ? pal.won : pal.text, rateText,
               "targets.rate:" + key);
        const float by = y + fs + 6, bh = fs * 0.7f;
        // Achieved / target beside the rate when the row has room, else under the bar (phones).
        const float aw = ImGui::CalcTextSize(amounts.c_str()).x;
        const bool besideRate = ImGui::CalcTextSize(who.c_str()).x + aw + rw + 2 * fs <= W;
        const ImVec2 ap = besideRate ? ImVec2(o.x + W - rw - fs - aw, y + 2) : ImVec2(o.x, by + bh + 3);
        figure(ctx, dl, ap, pal.textDim, amounts, "targets.amounts:" + key);
        const float thisRowH = besideRate ? rowH : rowH + fs + 2;
        dl->AddRectFilled(ImVec2(o.x, by), ImVec2(o.x + W, by + bh), withAlpha(pal.border, 0xC0), 3.0f);
        const float fill = float(std::clamp(t.rate, 0.0, 1.0)) * W;
        // Green from 100 %: the target is met.
        if (fill > 0)
            dl->AddRectFilled(ImVec2(o.x, by), ImVec2(o.x + fill, by + bh),
                              t.rate >= 1.0 ? pal.won : pal.accent, 3.0f);
        const std::string tip = who + "\n" + ctx.t("reports.achieved") + " " +
                                formatMoney(t.achieved, cur, ctx.lang) + "\n" + ctx.t("reports.target") +
                                " " + formatMoney(t.target, cur, ctx.lang) + "\n" + rateText;
        hotspot(ctx, "targets:" + key, ImVec2(o.x, y), ImVec2(o.x + W, y + thisRowH), tip, &r.targetDeals[i],
                who);
        y += thisRowH;
    }
    ImGui::SetCursorScreenPos(o);
    ImGui::Dummy(ImVec2(W, y - o.y));
    ImGui::TextDisabled("%s", printf1(ctx.t("reports.value_axis"), cur).c_str());
}

void Reports::draw(ViewContext& ctx, std::uint64_t revision, const std::string& route) {
    if (route != route_) {
        route_ = route;
        const std::size_t q = route.find('?');
        parseReportQuery(q == std::string::npos ? "" : route.substr(q + 1), choice_, routeError_);
        customError_.clear();
    }
    const Report& r = cache_.get(ctx.doc, revision, choice_, ctx.now, ctx.utcOffsetMinutes);
    shown_ = &r;
    if (cache_.computations() != builtComputation_ || ctx.lang != builtLang_) {
        buildTables(ctx, r);
        builtComputation_ = cache_.computations();
        builtLang_ = ctx.lang;
    }
    pickers(ctx, r);
    ImGui::Spacing();

    ImGui::BeginChild("##report-cards", ImVec2(0, 0), ImGuiChildFlags_None, ImGuiWindowFlags_NoBackground);
    const float W = ImGui::GetContentRegionAvail().x;
    const bool twoColumns = W >= 880.0f;  // phones and narrow windows: one column
    const float gap = 12.0f;
    const float cardW = twoColumns ? std::floor((W - gap) / 2) : W;
    struct Card {
        const char* id;
        const char* title;
        void (Reports::*draw)(ViewContext&, const Report&);
        const std::vector<std::string>* missing;
    };
    const Card cards[] = {
        {"funnel", "reports.funnel_title", &Reports::funnelChart, &r.funnel.missingCurrencies},
        {"forecast", "reports.forecast_title", &Reports::forecastChart, &r.forecast.missingCurrencies},
        {"progress", "reports.progress_title", &Reports::progressChart, nullptr},
        {"outcomes", "reports.outcomes_title", &Reports::outcomesChart, &r.outcomes.missingCurrencies},
        {"lost", "reports.lost_title", &Reports::lostChart, &r.outcomes.missingCurrencies},
        {"out-of-funnel", "reports.oof_title", &Reports::outOfFunnelChart, &r.outOfFunnel.missingCurrencies},
        {"targets", "reports.targets_title", &Reports::targetsChart, &r.targets.missingCurrencies},
    };
    static const std::vector<std::string> kNone;
    int column = 0;
    for (const Card& c : cards) {
        if (twoColumns && column == 1) ImGui::SameLine(0, gap);
        ImGui::PushID(c.id);
        bool visible = true;
        const bool asTable = beginCard(ctx, c.id, c.title, cardW, visible);
        if (!visible) {
            // scrolled out of view: nothing to build
        } else if (asTable) {
            if (const Table* t = table(c.id)) drawTable(ctx, *t);
        } else {
            (this->*c.draw)(ctx, r);
        }
        endCard(ctx, c.id, c.missing ? *c.missing : kNone, visible);
        ImGui::PopID();
        column = twoColumns ? 1 - column : 0;
        if (column == 0) ImGui::Dummy(ImVec2(0, gap / 2));
    }
    ImGui::EndChild();
}

// [SECTION] Settings → Targets

void settingsTargets(ViewContext& ctx) {
    const Document& doc = ctx.doc;
    const Settings& st = doc.settings;
    ImGui::Spacing();
    ImGui::PushStyleColor(ImGuiCol_Text, ctx.palette.accent);
    ImGui::SeparatorText(ctx.t("settings.targets"));
    ImGui::PopStyleColor();
    ctx.record("section:settings.targets");
    ImGui::PushTextWrapPos(0);
    ImGui::TextDisabled("%s", printf1(ctx.t("settings.targets_hint"), st.displayCurrency).c_str());
    ImGui::PopTextWrapPos();
    // The year shown, kept in ImGui's state storage (no document field: it is only where one looks).
    ImGuiStorage* storage = ImGui::GetStateStorage();
    const ImGuiID yearId = ImGui::GetID("##targets-year");
    int y = 0, m = 0, d = 0;
    splitDate(ctx.today, y, m, d);
    int year = storage->GetInt(yearId, y);
    if (ImGui::ArrowButton("##targets-prev", ImGuiDir_Left)) storage->SetInt(yearId, --year);
    ctx.record("button:targets-prev");
    ImGui::SameLine();
    ImGui::AlignTextToFramePadding();
    ImGui::Text("%d", year);
    ctx.record("targets:year=" + std::to_string(year));
    ImGui::SameLine();
    if (ImGui::ArrowButton("##targets-next", ImGuiDir_Right)) storage->SetInt(yearId, ++year);
    ctx.record("button:targets-next");
    if (doc.members.empty()) return;
    const int columns = int(doc.members.size()) + 1;
    if (!ImGui::BeginTable(
            "##targets", columns,
            ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingStretchSame | ImGuiTableFlags_BordersInnerH))
        return;
    ImGui::TableSetupColumn(ctx.t("reports.month"));
    for (const Member& mem : doc.members) ImGui::TableSetupColumn(mem.name.c_str());
    ImGui::TableHeadersRow();
    for (int month = 1; month <= 12; ++month) {
        char key[32];  // room for any int year (GCC -O1 checks the bound)
        std::snprintf(key, sizeof key, "%04d-%02d", year, month);
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        ImGui::AlignTextToFramePadding();
        ImGui::TextUnformatted(monthLabel(key, ctx).c_str());
        for (const Member& mem : doc.members) {
            ImGui::TableNextColumn();
            const std::string k = mem.id + ":" + key;
            auto it = st.targets.find(k);
            double v = it == st.targets.end() ? 0 : it->second;
            ImGui::PushID(k.c_str());
            ImGui::SetNextItemWidth(-1);
            if (ImGui::InputDouble("##target", &v, 0, 0, "%.0f") && v >= 0 &&
                v != (it == st.targets.end() ? 0 : it->second)) {
                json targets = json::object();
                for (const auto& [tk, tv] : st.targets) targets[tk] = tv;
                if (v > 0)
                    targets[k] = v;
                else
                    targets.erase(k);
                ctx.push({{"op", "settings.set"}, {"field", "targets"}, {"value", targets}});
            }
            ctx.record("field:target:" + k);
            ImGui::PopID();
        }
    }
    ImGui::EndTable();
}

}  // namespace funnel::ui
