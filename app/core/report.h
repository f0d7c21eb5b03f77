// Funnel — the Reports screen's model: every figure of metrics.h for one choice of period,
// owner and pipeline, with the deal ids behind each number (for drill-down), computed once per
// document revision and choice (ReportCache), never per frame.
//
// The choice travels in the URL hash (docs/REPORTS.md):
//   #/reports?period=month&owner=me&pipeline=p-default
//   period = month | last-month | quarter | year | YYYY-MM-DD..YYYY-MM-DD (custom, both days included)
//   owner  = me | team | <member id>
//   pipeline = <pipeline id> (absent: the default pipeline)
// Relative periods stay relative: a bookmark of "this month" shows the month it is opened in.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/metrics.h"

namespace funnel {

// [SECTION] The choice
enum class ReportPeriod { ThisMonth, LastMonth, ThisQuarter, ThisYear, Custom };

struct ReportChoice {
    ReportPeriod period = ReportPeriod::ThisMonth;
    Date customFrom = kNoDate, customTo = kNoDate;  // both days included (Custom only)
    std::string owner = "me";                       // "me" | "team" | a member id
    Id pipelineId;                                  // "" = the default pipeline
    bool operator==(const ReportChoice&) const = default;
};

// The query after "#/reports?" (fields in a fixed order, defaults left out: "" for the default
// choice); parseReportQuery reads it back. A bad field is an error naming it; the other fields
// still apply (so a half-broken bookmark shows what it can).
std::string encodeReportQuery(const ReportChoice&);
bool parseReportQuery(const std::string& query, ReportChoice& out, std::string& error);

// The period's days [from, to) in the user's calendar, `today` being the user's day.
struct DayRange {
    Date from = kNoDate, to = kNoDate;  // `to` excluded
};
DayRange resolvePeriod(const ReportChoice&, Date today);

// [SECTION] The report
struct IdList {
    std::vector<Id> ids;
};

struct LostReason {
    std::string reason;  // as typed (trimmed); "" = no reason given
    int count = 0;
    double value = 0;  // display currency (deals with a rate)
    std::vector<Id> deals;
};

struct Report {
    // What it was computed for.
    ReportChoice choice;
    DayRange days;
    Id owner;              // resolved member id ("" = the team)
    Id pipelineId;         // resolved
    std::string currency;  // display currency
    MetricsOptions options;

    // Open deals now (not the period): one band per stage.
    FunnelTotals funnel;
    std::vector<std::vector<Id>> funnelDeals;  // per stage, board order
    std::vector<StageConversion> conversion;   // deals created in the period

    // Open deals by expected close month ("" = no date first).
    Forecast forecast;
    std::vector<std::vector<Id>> forecastDeals;  // per forecast.months entry

    // The period.
    Progress progress;
    std::vector<Id> createdDeals, wonDeals, lostDeals;
    Outcomes outcomes;
    std::vector<LostReason> lostReasons;  // most deals first, then most value, then by text
    OutOfFunnel outOfFunnel;              // deals below the threshold (not lost), any time
    std::vector<Id> outOfFunnelDeals;
    Targets targets;                           // rows of the period's months only
    std::vector<std::vector<Id>> targetDeals;  // per targets.rows entry: the won deals behind `achieved`

    // Every currency some figure left out for lack of a rate, sorted.
    std::vector<std::string> missingCurrencies;
};

Report computeReport(const Document&, const ReportChoice&, Time now, int utcOffsetMinutes);

// Recomputes only when the document revision, the choice, the day or the zone changed.
class ReportCache {
public:
    const Report& get(const Document&, std::uint64_t revision, const ReportChoice&, Time now,
                      int utcOffsetMinutes);
    int computations() const { return computations_; }  // for tests: how often it recomputed

private:
    Report report_;
    const Document* doc_ = nullptr;
    std::uint64_t revision_ = UINT64_MAX;
    ReportChoice choice_;
    Date today_ = kNoDate;
    int offset_ = 0;
    int computations_ = 0;
};

}  // namespace funnel
