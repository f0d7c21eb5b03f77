// Funnel — the Reports screen (#/reports): what the funnel tells a manager (core/report.h),
// drawn with ImGui's draw list — the funnel, the forecast, progress, outcomes and lost reasons,
// out-of-funnel sales, targets — each chart with a heading in words, a table toggle with the same
// numbers and a CSV download; the screen as a PNG. A click on a band, bar, reason or member asks
// for the board filtered to exactly the deals behind it (takeDrill()).
//
// The choice (period, owner, pipeline) lives in the route: "#/reports?period=month&owner=me"
// (docs/REPORTS.md); changing it in the pickers navigates, so the URL hash follows.
//
// Every figure drawn is recorded as an item key "figure:<chart>.<what>[:<id>]=<text as drawn>"
// (and without "=<text>" for its place), every clickable bar as "bar:<chart>:<id>"; a tooltip
// shown records "tooltip:<chart>:<id>=<text>". Tests and window.funnel.itemKeys() read them.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/report.h"
#include "ui/view.h"

namespace funnel::ui {

class Reports {
public:
    // Draws the screen for `route` ("#/reports" or "#/reports?<query>").
    void draw(ViewContext& ctx, std::uint64_t revision, const std::string& route);

    // A click asked for these deals on the board (then the route is "#/board").
    struct Drill {
        Id pipelineId;
        std::vector<Id> deals;
        std::string caption;  // what they are, in the UI language ("Lost: price")
    };
    std::optional<Drill> takeDrill() { return std::exchange(drill_, std::nullopt); }
    // A download asked for: a CSV (bytes set) or the screen as a PNG (region set, bytes empty).
    std::optional<App::FileDownload> takeDownload() { return std::exchange(download_, std::nullopt); }

    const Report* lastReport() const { return shown_; }  // for tests
    int computations() const { return cache_.computations(); }

private:
    struct Cell {
        std::string shown;  // as the table shows it
        std::string raw;    // as the CSV holds it (plain numbers)
    };
    struct Table {
        std::string id;                    // "funnel", "forecast", …
        std::vector<std::string> headers;  // in the UI language
        std::vector<std::vector<Cell>> rows;
    };

    void pickers(ViewContext& ctx, const Report& r);
    void navigate(ViewContext& ctx, const ReportChoice& c);
    void buildTables(const ViewContext& ctx, const Report& r);
    const Table* table(const std::string& id) const;
    // Returns whether the card shows its table; `visible` false when it is scrolled out of view.
    bool beginCard(ViewContext& ctx, const char* id, const char* titleKey, float width, bool& visible);
    void endCard(ViewContext& ctx, const char* id, const std::vector<std::string>& missing, bool visible);
    void drawTable(ViewContext& ctx, const Table& t);

    void funnelChart(ViewContext& ctx, const Report& r);
    void forecastChart(ViewContext& ctx, const Report& r);
    void progressChart(ViewContext& ctx, const Report& r);
    void outcomesChart(ViewContext& ctx, const Report& r);
    void lostChart(ViewContext& ctx, const Report& r);
    void outOfFunnelChart(ViewContext& ctx, const Report& r);
    void targetsChart(ViewContext& ctx, const Report& r);

    // A hover/click target over [min, max]: tooltip with `tip`; a click drills into `deals`.
    void hotspot(ViewContext& ctx, const std::string& id, ImVec2 min, ImVec2 max, const std::string& tip,
                 const std::vector<Id>* deals, const std::string& caption);
    // Draws `text` and records "figure:<key>=<text>" and "figure:<key>".
    void figure(ViewContext& ctx, ImDrawList* dl, ImVec2 pos, ImU32 color, const std::string& text,
                const std::string& key);

    ReportCache cache_;
    const Report* shown_ = nullptr;
    std::string route_;
    ReportChoice choice_;
    std::string routeError_;  // a field of the link that could not be read
    int builtComputation_ = -1;
    std::string builtLang_;
    std::vector<Table> tables_;
    std::vector<Id> funnelAll_;
    std::set<std::string> tableShown_;  // charts whose table is shown
    bool funnelByValue_ = false;
    std::string customError_;  // a custom range whose first day is after its last
    std::optional<Drill> drill_;
    std::optional<App::FileDownload> download_;
};

// Settings → Targets: a table of members × the months of one year, one target each (display
// currency); called from Screens::settings.
void settingsTargets(ViewContext& ctx);

}  // namespace funnel::ui
