// Funnel — the screens behind the board: the deal card (a panel beside the board), customers,
// Today and Settings. Each reads the document through a ViewContext and pushes commands.
#pragma once

#include <string>

#include "ui/activities.h"
#include "ui/board.h"
#include "ui/contact_card.h"
#include "ui/team_sync.h"
#include "ui/view.h"

namespace funnel::ui {

struct Screens {
    Board board;
    TeamSyncView teamSync;
    ContactCard contactCard;
    ActivityPlanner activities;  // the deal panel's Activities section
    Agenda agenda;
    Toast toast;  // "Contact deleted · Undo", "Copied": drawn over every screen

    void dealPanel(ViewContext& ctx, const Id& dealId, Board& board);
    void customers(ViewContext& ctx, const Id& customerId);
    void today(ViewContext& ctx);
    void settings(ViewContext& ctx);

    // "New deal": creates a deal in the first stage of the board's pipeline and opens it.
    void startNewDeal(ViewContext& ctx);
    bool takeOpenCreated() { return std::exchange(openCreated_, false); }

private:
    void contactRows(ViewContext& ctx, const Id& customerId);
    void customerActions(ViewContext& ctx, const Customer& c);
    void settingsTeam(ViewContext& ctx);
    void settingsRates(ViewContext& ctx);
    void settingsPlaybook(ViewContext& ctx, const Pipeline& p);
    void settingsStageNames(ViewContext& ctx, const Pipeline& p);

    bool openCreated_ = false;
    std::string newContactName_;
    std::string customerPick_;
    std::string newMemberName_;
    std::string newPipelineName_;
    std::string newPlaybookItem_;
    int playbookStage_ = 0;
    std::string customerSearch_;
    int customerGrade_ = -1;
    std::string newObjection_;
    int newObjectionCategory_ = 0;
    std::string newCustomerName_;
    bool askDeleteCustomer_ = false;
    bool askMergeCustomer_ = false;
    std::string mergeSearch_;
    Id mergeFrom_;
};

}  // namespace funnel::ui
