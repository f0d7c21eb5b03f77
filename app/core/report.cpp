// Funnel — the Reports screen's model (report.h): metrics.h's figures for one choice, plus the
// deal ids behind each figure, picked by the same rules metrics.cpp counts by (the unit tests
// check that every id list is as long as the count it stands behind).
#include "core/report.h"

#include <algorithm>
#include <map>
#include <set>
#include <string_view>
#include <unordered_map>

namespace funnel {

// [SECTION] The choice and its query

namespace {
bool plainToken(const std::string& s) {
    if (s.empty() || s.size() > 64) return false;
    return std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' ||
               c == '_' || c == '.';
    });
}

Date firstOfMonth(int y, int m) { return makeDate(y, m, 1); }
Date addMonths(int y, int m, int k) {  // first day of the month k months after (y, m)
    int idx = y * 12 + (m - 1) + k;
    return makeDate(idx / 12, idx % 12 + 1, 1);
}
}  // namespace

std::string encodeReportQuery(const ReportChoice& c) {
    std::string q;
    auto add = [&](const char* k, const std::string& v) {
        if (!q.empty()) q += '&';
        q += k;
        q += '=';
        q += v;
    };
    switch (c.period) {
        case ReportPeriod::ThisMonth: add("period", "month"); break;
        case ReportPeriod::LastMonth: add("period", "last-month"); break;
        case ReportPeriod::ThisQuarter: add("period", "quarter"); break;
        case ReportPeriod::ThisYear: add("period", "year"); break;
        case ReportPeriod::Custom:
            if (c.customFrom != kNoDate && c.customTo != kNoDate)
                add("period", formatDate(c.customFrom) + ".." + formatDate(c.customTo));
            break;
    }
    add("owner", c.owner.empty() ? "me" : c.owner);
    if (!c.pipelineId.empty()) add("pipeline", c.pipelineId);
    return q;
}

bool parseReportQuery(const std::string& query, ReportChoice& out, std::string& error) {
    ReportChoice c;
    error.clear();
    std::size_t at = 0;
    while (at <= query.size()) {
        std::size_t amp = query.find('&', at);
        if (amp == std::string::npos) amp = query.size();
        const std::string part = query.substr(at, amp - at);
        at = amp + 1;
        if (part.empty()) continue;
        const std::size_t eq = part.find('=');
        const std::string key = part.substr(0, eq),
                          value = eq == std::string::npos ? "" : part.substr(eq + 1);
        auto bad = [&] {
            if (error.empty()) error = key;
        };
        if (key == "period") {
            if (value == "month")
                c.period = ReportPeriod::ThisMonth;
            else if (value == "last-month")
                c.period = ReportPeriod::LastMonth;
            else if (value == "quarter")
                c.period = ReportPeriod::ThisQuarter;
            else if (value == "year")
                c.period = ReportPeriod::ThisYear;
            else {
                const std::size_t dots = value.find("..");
                auto from = dots == std::string::npos ? std::nullopt : parseDate(value.substr(0, dots));
                auto to = dots == std::string::npos ? std::nullopt : parseDate(value.substr(dots + 2));
                if (from && to && *from <= *to) {
                    c.period = ReportPeriod::Custom;
                    c.customFrom = *from;
                    c.customTo = *to;
                } else {
                    bad();
                }
            }
        } else if (key == "owner") {
            if (plainToken(value))
                c.owner = value;
            else
                bad();
        } else if (key == "pipeline") {
            if (plainToken(value))
                c.pipelineId = value;
            else
                bad();
        } else {
            bad();
        }
    }
    out = c;
    return error.empty();
}

DayRange resolvePeriod(const ReportChoice& c, Date today) {
    int y = 0, m = 0, d = 0;
    splitDate(today, y, m, d);
    switch (c.period) {
        case ReportPeriod::ThisMonth: return {firstOfMonth(y, m), addMonths(y, m, 1)};
        case ReportPeriod::LastMonth: return {addMonths(y, m, -1), firstOfMonth(y, m)};
        case ReportPeriod::ThisQuarter: {
            const int q = (m - 1) / 3 * 3 + 1;
            return {firstOfMonth(y, q), addMonths(y, q, 3)};
        }
        case ReportPeriod::ThisYear: return {makeDate(y, 1, 1), makeDate(y + 1, 1, 1)};
        case ReportPeriod::Custom:
            if (c.customFrom != kNoDate && c.customTo != kNoDate && c.customFrom <= c.customTo)
                return {c.customFrom, c.customTo + 1};
            return {firstOfMonth(y, m), addMonths(y, m, 1)};
    }
    return {};
}

// [SECTION] Computing a report

Report computeReport(const Document& doc, const ReportChoice& choice, Time now, int utcOffsetMinutes) {
    Report r;
    r.choice = choice;
    const Date today = dateFromTime(now, utcOffsetMinutes);
    r.days = resolvePeriod(choice, today);
    if (choice.owner == "team")
        r.owner.clear();
    else if (choice.owner == "me" || choice.owner.empty())
        r.owner = doc.settings.me;
    else
        r.owner = choice.owner;
    r.pipelineId = choice.pipelineId;
    if (r.pipelineId.empty() || !doc.findPipeline(r.pipelineId)) {
        r.pipelineId = doc.settings.defaultPipeline;
        if (!doc.findPipeline(r.pipelineId) && !doc.pipelines.empty())
            r.pipelineId = doc.pipelines.front().id;
    }
    r.currency = doc.settings.displayCurrency;

    MetricsOptions& o = r.options;
    o.now = now;
    o.today = today;
    o.utcOffsetMinutes = utcOffsetMinutes;
    o.pipelineId = r.pipelineId;
    o.owner = r.owner;
    o.from = timeFromDate(r.days.from, utcOffsetMinutes);
    o.to = timeFromDate(r.days.to, utcOffsetMinutes);

    r.funnel = funnelTotals(doc, o);
    r.conversion = stageConversion(doc, o);
    r.forecast = forecastByMonth(doc, o);
    r.progress = progressInPeriod(doc, o);
    r.outcomes = outcomes(doc, o);
    r.outOfFunnel = outOfFunnelSales(doc, o);
    Targets all = targetAchievement(doc, o);
    const std::string firstMonth = formatDate(r.days.from).substr(0, 7);
    const std::string lastMonth = formatDate(r.days.to - 1).substr(0, 7);
    r.targets.missingCurrencies = all.missingCurrencies;
    for (TargetAchievement& t : all.rows)
        if (t.month >= firstMonth && t.month <= lastMonth) r.targets.rows.push_back(std::move(t));

    // The deal ids behind the figures, by metrics.cpp's rules.
    const Pipeline* p = doc.findPipeline(r.pipelineId);
    std::unordered_map<Id, std::size_t> stageIndex;
    if (p)
        for (std::size_t i = 0; i < p->stages.size(); ++i) stageIndex[p->stages[i].id] = i;
    const bool wonLast = p && !p->stages.empty() && p->stages.back().probability == 100;
    r.funnelDeals.assign(p ? p->stages.size() : 0, {});
    // Forecast months by monthNumber (-1: no date; a deal's month found without formatting it).
    std::unordered_map<int, std::size_t> monthIndex;
    for (std::size_t i = 0; i < r.forecast.months.size(); ++i)
        monthIndex[r.forecast.months[i].month.empty() ? -1 : monthNumber(r.forecast.months[i].month)] = i;
    r.forecastDeals.assign(r.forecast.months.size(), {});
    for (std::size_t i = 0; i < r.forecast.months.size(); ++i)
        r.forecastDeals[i].reserve(std::size_t(r.forecast.months[i].count));
    std::map<std::pair<std::string_view, int>, std::size_t> targetIndex;  // (member, monthNumber)
    for (std::size_t i = 0; i < r.targets.rows.size(); ++i)
        targetIndex[{r.targets.rows[i].member, monthNumber(r.targets.rows[i].month)}] = i;
    r.targetDeals.assign(r.targets.rows.size(), {});
    // The id lists as long as the counts they stand behind: reserved, not grown.
    for (std::size_t i = 0; i < r.funnelDeals.size() && i < r.funnel.stages.size(); ++i)
        r.funnelDeals[i].reserve(std::size_t(r.funnel.stages[i].count));
    r.createdDeals.reserve(std::size_t(r.progress.created));
    r.wonDeals.reserve(std::size_t(r.progress.won));
    r.lostDeals.reserve(std::size_t(r.progress.lost));

    const Settings& st = doc.settings;
    const double threshold = st.outOfFunnelThreshold > 0 ? st.outOfFunnelThreshold : 0;
    auto inPeriod = [&](Time t) { return t != 0 && t >= o.from && t < o.to; };
    std::map<std::string, LostReason> reasons;
    for (const Deal& d : doc.deals) {
        if (d.deleted) continue;
        const std::optional<double> v = convertMoney(st, d.value, d.currency, r.currency);
        // Targets count won deals of every pipeline (metrics.h: targetAchievement).
        if (d.status == DealStatus::Won && d.closedAt && v && !targetIndex.empty()) {
            auto it = targetIndex.find({d.owner, monthNumber(dateFromTime(d.closedAt, utcOffsetMinutes))});
            if (it != targetIndex.end()) r.targetDeals[it->second].push_back(d.id);
        }
        if (!p || d.pipelineId != p->id || (!r.owner.empty() && d.owner != r.owner)) continue;
        const bool outOfFunnel = threshold > 0 && d.value > 0 && v && *v < threshold;
        const auto stage = stageIndex.find(d.stageId);
        if (!outOfFunnel && stage != stageIndex.end() &&
            (d.status == DealStatus::Open ||
             (d.status == DealStatus::Won && wonLast && stage->second + 1 == p->stages.size())))
            r.funnelDeals[stage->second].push_back(d.id);
        if (!outOfFunnel && d.status == DealStatus::Open) {
            auto it = monthIndex.find(d.expectedClose == kNoDate ? -1 : monthNumber(d.expectedClose));
            if (it != monthIndex.end()) r.forecastDeals[it->second].push_back(d.id);
        }
        if (outOfFunnel && d.status != DealStatus::Lost) r.outOfFunnelDeals.push_back(d.id);
        if (inPeriod(d.createdAt)) r.createdDeals.push_back(d.id);
        if (inPeriod(d.closedAt)) {
            if (d.status == DealStatus::Won) r.wonDeals.push_back(d.id);
            if (d.status == DealStatus::Lost) {
                r.lostDeals.push_back(d.id);
                std::string text = d.lostReason;
                const auto b = text.find_first_not_of(" \t\r\n"), e = text.find_last_not_of(" \t\r\n");
                text = b == std::string::npos ? "" : text.substr(b, e - b + 1);
                LostReason& lr = reasons[text];
                lr.reason = text;
                lr.count++;
                if (v) lr.value += *v;
                lr.deals.push_back(d.id);
            }
        }
    }
    for (auto& [k, lr] : reasons) r.lostReasons.push_back(std::move(lr));
    std::stable_sort(r.lostReasons.begin(), r.lostReasons.end(),
                     [](const LostReason& a, const LostReason& b) {
                         if (a.count != b.count) return a.count > b.count;
                         return a.value > b.value;
                     });

    std::set<std::string> missing;
    for (const auto* list :
         {&r.funnel.missingCurrencies, &r.forecast.missingCurrencies, &r.outcomes.missingCurrencies,
          &r.outOfFunnel.missingCurrencies, &r.targets.missingCurrencies})
        missing.insert(list->begin(), list->end());
    r.missingCurrencies.assign(missing.begin(), missing.end());
    return r;
}

const Report& ReportCache::get(const Document& doc, std::uint64_t revision, const ReportChoice& choice,
                               Time now, int utcOffsetMinutes) {
    const Date today = dateFromTime(now, utcOffsetMinutes);
    if (&doc != doc_ || revision != revision_ || !(choice == choice_) || today != today_ ||
        utcOffsetMinutes != offset_) {
        report_ = computeReport(doc, choice, now, utcOffsetMinutes);
        doc_ = &doc;
        revision_ = revision;
        choice_ = choice;
        today_ = today;
        offset_ = utcOffsetMinutes;
        computations_++;
    }
    return report_;
}

}  // namespace funnel
