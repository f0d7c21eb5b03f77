// Funnel — what the funnel tells a manager (PRODUCT.md): pure functions over a Document.
//
// Money is converted to one display currency with settings.rates. A currency without a rate
// is never counted as 1:1: the deal is left out of money totals (it still counts as a deal)
// and its currency is listed in `missingCurrencies`, so the view can say what is missing.
// Each function is one pass over the records (plus an index where it needs lookups), so the
// views can call them per revision on 100k deals.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/model.h"

namespace funnel {

struct MetricsOptions {
    Time now = 0;
    Date today = kNoDate;            // the user's calendar day; kNoDate = from now and utcOffsetMinutes
    int utcOffsetMinutes = 0;        // the user's zone, for months and days
    std::string displayCurrency;     // "" = settings.displayCurrency
    Id pipelineId;                   // "" = settings.defaultPipeline, else the first pipeline
    Id owner;                        // "" = the whole team
    Time from = 0, to = 0;           // period [from, to) for progress and outcomes; 0 = unbounded
    bool includeOutOfFunnel = false; // count deals below settings.outOfFunnelThreshold in the funnel
};

// Converts `amount` in `currency` to `to` through settings.rates (units of
// settings.displayCurrency per unit). nullopt when a rate is missing.
std::optional<double> convertMoney(const Settings&, double amount, const std::string& currency, const std::string& to);

// [SECTION] The funnel: per stage count, value, weighted value
struct StageTotals {
    Id stageId;
    int count = 0;
    double value = 0;                // in the display currency
    double weighted = 0;             // value × probability / 100
};

struct FunnelTotals {
    std::vector<StageTotals> stages;          // in board order
    StageTotals unknownStage;                 // live deals whose stage no longer exists
    int count = 0;
    double value = 0, weighted = 0;
    std::vector<std::string> missingCurrencies;
};

// Open deals of the pipeline, and won deals standing in the won (last) stage; lost and
// suspended deals are off the board's totals. Out-of-funnel deals only if asked.
FunnelTotals funnelTotals(const Document&, const MetricsOptions&);

// [SECTION] Forecast by expected close month (open deals, weighted)
struct ForecastMonth {
    std::string month;               // "YYYY-MM"; "" = no expected close date
    int count = 0;
    double value = 0, weighted = 0;
};
struct Forecast {
    std::vector<ForecastMonth> months;        // ascending, "" first
    std::vector<std::string> missingCurrencies;
};
Forecast forecastByMonth(const Document&, const MetricsOptions&);

// [SECTION] Progress: movement between stages in the period
struct Progress {
    int created = 0;                 // deals created in the period
    int moves = 0;                   // stage changes in the period
    int forward = 0, backward = 0;   // by board order
    int won = 0, lost = 0;           // closed in the period
    int advancedActivities = 0;      // done activities where the customer acted
    std::map<Id, int> entered;       // stage id -> deals that entered it in the period
};
Progress progressInPeriod(const Document&, const MetricsOptions&);

// [SECTION] Out-of-funnel sales (seed 001): orders below settings.outOfFunnelThreshold
struct OutOfFunnel {
    double threshold = 0;            // in the display currency
    int count = 0, wonCount = 0;
    double value = 0, wonValue = 0;
    std::vector<std::string> missingCurrencies;
};
OutOfFunnel outOfFunnelSales(const Document&, const MetricsOptions&);

// [SECTION] Conversion between stages, from the stage history
struct StageConversion {
    Id fromStage, toStage;
    int reachedFrom = 0;             // deals that reached `fromStage` (or a later stage)
    int reachedTo = 0;               // of those, the ones that reached `toStage` or later
    double rate = 0;                 // reachedTo / reachedFrom; 0 when reachedFrom is 0
};
// One entry per adjacent pair of the pipeline's stages. A deal counts as having reached every
// stage up to the furthest it ever entered (skipped stages included).
std::vector<StageConversion> stageConversion(const Document&, const MetricsOptions&);

// [SECTION] Outcomes and KPIs (seed 004), over deals closed in the period
struct Outcomes {
    int won = 0, lost = 0;
    double winRate = 0;              // won / (won + lost)
    double wonValue = 0;             // display currency
    double averageWon = 0;           // wonValue / won deals with a known rate
    double averageCycleDays = 0;     // created → won, in days
    double repurchaseRate = 0;       // share of won deals that are repeat orders
    double renewalRate = 0;          // share of won deals that are renewals
    double costRate = 0;             // order cost / revenue of the won deals
    std::vector<std::string> missingCurrencies;
};
Outcomes outcomes(const Document&, const MetricsOptions&);

struct TargetAchievement {
    Id member;
    std::string month;               // "YYYY-MM"
    double target = 0, achieved = 0; // display currency
    double rate = 0;                 // achieved / target
};
struct Targets {
    std::vector<TargetAchievement> rows;      // in settings.targets key order
    std::vector<std::string> missingCurrencies;
};
// Won value per member and month (closedAt, in the user's zone) against settings.targets.
Targets targetAchievement(const Document&, const MetricsOptions&);

// [SECTION] Attention lists
struct FollowUpDue {
    Id customerId;
    Date due = kNoDate;              // last done activity (or creation) + grade cadence
    int daysOverdue = 0;             // 0 = due today
};
struct AfterSalesDue {
    Id dealId;
    int step = 0;                    // index into settings.afterSalesDays
    Date due = kNoDate;
    int daysOverdue = 0;
};
struct RottingDeal {
    Id dealId;
    int idleDays = 0;                // since the last activity or stage change
    int rottingDays = 0;             // the stage's limit
};
struct Attention {
    std::vector<FollowUpDue> followUps;       // most overdue first
    std::vector<Id> overdueActivities;        // planned, not done, due before now
    std::vector<Id> dueTodayActivities;       // planned, not done, due from now to the end of today
    // Open deals with no planned activity whose "next step" date has come (as their cards show).
    std::vector<Id> overdueNextSteps;         // the date is past; oldest first
    std::vector<Id> dueTodayNextSteps;        // the date is today
    std::vector<AfterSalesDue> afterSales;    // most overdue first
    std::vector<RottingDeal> rotting;         // most idle first
    std::vector<Id> suspendedDue;             // suspended deals whose revisit date has come
};
// Over all pipelines (filtered by owner when set); deleted records never appear.
Attention attentionLists(const Document&, const MetricsOptions&);

// "YYYY-MM" of a time in the user's zone.
std::string monthOf(Time t, int utcOffsetMinutes = 0);
// A month as one number, year * 12 + month - 1, which orders as the "YYYY-MM" names do: of a
// date, or of a name ("YYYY-MM"; -1 when it is not one).
int monthNumber(Date);
int monthNumber(const std::string& yyyyMm);

}  // namespace funnel
