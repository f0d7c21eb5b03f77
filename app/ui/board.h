// Funnel — the board: a column per stage of the current pipeline, deal cards, drag and drop,
// quick add, filters, search and sort. Also the won / lost / suspend dialogs reachable from a card.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/filter.h"
#include "ui/view.h"

namespace funnel::ui {

enum class SortOrder { Manual, Value, ExpectedClose, Updated };

class Board {
public:
    void draw(ViewContext& ctx, std::uint64_t revision);
    Id& pipelineId() { return pipelineId_; }
    BoardFilter& filter() { return filter_; }
    // Shows `pipelineId` with `filter`, search field included (a shared snapshot's view).
    void show(const Id& pipelineId, const BoardFilter& filter) {
        pipelineId_ = pipelineId;
        filter_ = filter;
        searchBuf_ = filter.search;
    }
    // Shows exactly `deals` (the ones behind a report figure) of `pipelineId`, whatever their
    // status; a chip in the toolbar names them (`caption`) and goes back to the whole board.
    void showReportDeals(const Id& pipelineId, std::vector<Id> deals, std::string caption);
    SortOrder& sort() { return sort_; }
    const Id& selectedDeal() const { return selected_; }
    // Asks for a dialog on a deal (from the deal panel too): "lose" or "suspend".
    void askLose(const Id& deal) { dialog_ = Dialog::Lose; dialogDeal_ = deal; dialogOpened_ = false; }
    void askSuspend(const Id& deal) { dialog_ = Dialog::Suspend; dialogDeal_ = deal; dialogOpened_ = false; }
    void drawDialogs(ViewContext& ctx);
    void focusSearch() { focusSearch_ = true; }
    void drawToolbar(ViewContext& ctx);

private:
    struct Column {
        const Stage* stage = nullptr;
        std::vector<std::size_t> deals;   // indexes into doc.deals, in display order
        double total = 0, weighted = 0;
    };
    void rebuild(const ViewContext& ctx);
    void drawColumn(ViewContext& ctx, Column& col, int stageIndex, float width, float height);
    void drawCard(ViewContext& ctx, const Deal& deal, const Column& col, int stageIndex, float width);
    void cardMenu(ViewContext& ctx, const Deal& deal, int stageIndex);
    void keyboardMoves(ViewContext& ctx);

    Id pipelineId_;
    BoardFilter filter_;
    SortOrder sort_ = SortOrder::Manual;
    Id selected_;
    int phoneStage_ = 0;                  // the one column shown on narrow screens

    // Derived from the document; rebuilt when the revision, pipeline, filter or sort change.
    std::vector<Column> columns_;
    std::vector<std::string> missingRates_;
    std::uint64_t builtRevision_ = UINT64_MAX;
    Id builtPipeline_;
    BoardFilter builtFilter_;
    SortOrder builtSort_ = SortOrder::Manual;
    std::string builtLang_;
    std::unordered_map<std::string, std::size_t> customerIndex_;
    std::unordered_map<std::string, std::size_t> memberIndex_;
    std::unordered_map<std::string, std::pair<Time, bool>> nextActivity_;  // deal id → (due, overdue)

    enum class Dialog { None, Lose, Suspend } dialog_ = Dialog::None;
    Id dialogDeal_;
    bool dialogOpened_ = false;
    std::string dialogText_;
    std::string dialogError_;
    std::vector<std::string> quickAdd_;   // per column
    std::string searchBuf_;
    bool focusSearch_ = false;
    std::string reportCaption_;  // what filter_.deals are (a report's figure)
};

}  // namespace funnel::ui
