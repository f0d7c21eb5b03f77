// Funnel — the App: the frame around the screens (top bar, status line), routing, shortcuts,
// and the one place where the frame's queued commands are handed to the workspace.
#include "ui/app.h"

#include <algorithm>
#include <cstdio>

#include <imgui.h>
#include <misc/cpp/imgui_stdlib.h>

#include "core/codec.h"
#include "core/demo.h"
#include "ui/board.h"
#include "ui/composition.h"
#include "ui/reports.h"
#include "ui/screens.h"
#include "ui/theme.h"
#include "ui/view.h"

namespace funnel::ui {

App::App(Workspace& workspace)
    : ws_(workspace), screens_(std::make_unique<Screens>()), reports_(std::make_unique<Reports>()) {
    applyTheme(dark_);
}

App::~App() = default;

void App::setLanguage(const std::string& lang) { lang_ = normaliseLanguage(lang); }

void App::setSaveStatus(SaveStatus s) {
    // "Saved" is said once per save that ends; a failure always.
    if (s.state != saveStatus_.state && s.state == SaveStatus::State::Saved) announcements_.push_back(tr("status.saved", lang_));
    if (s.state == SaveStatus::State::Failed && (saveStatus_.state != s.state || saveStatus_.message != s.message))
        announcements_.push_back(std::string(tr("status.failed", lang_)) + " " + (s.message.empty() ? "" : tr(s.message, lang_)));
    saveStatus_ = std::move(s);
}

void App::setSyncStatus(SyncStatus s) {
    if (!s.errorKey.empty() && s.errorKey != syncStatus_.errorKey) {
        char text[512];
        std::snprintf(text, sizeof text, tr("a11y.sync_failed", lang_), tr(s.errorKey, lang_));
        announcements_.push_back(text);
    }
    syncStatus_ = std::move(s);
}

void App::setDarkTheme(bool dark) {
    dark_ = dark;
    applyTheme(dark_);
}

void App::setClock(Time now, int utcOffsetMinutes) {
    now_ = now;
    utcOffsetMinutes_ = utcOffsetMinutes;
}

void App::setSnapshot(std::optional<SnapshotInfo> info) {
    snapshot_ = std::move(info);
    if (snapshot_) screens_->board.show(snapshot_->pipelineId, snapshot_->filter);
}

void App::open(const std::string& route) {
    route_ = route.empty() ? "#/board" : route;
    if (route_ == "#/settings/sync") screens_->teamSync.scrollToSectionNextFrame();
}

std::string App::routeId(const std::string& prefix) const {
    return route_.rfind(prefix, 0) == 0 ? route_.substr(prefix.size()) : std::string();
}

void App::draw() {
    rects_.clear();
    // The theme follows the document's setting (Settings screen); "system" follows the platform.
    bool wantDark = wantsDark(ws_.document().settings.theme, systemDark_);
    if (wantDark != dark_) setDarkTheme(wantDark);
    const Palette& pal = palette(dark_);
    std::vector<json> commands;
    std::string route = route_;
    std::string switchLanguage;
    ImGui::GetCurrentContext()->TestEngineHookItems = true;  // widgets' labels name their items (view.h)
    ViewContext ctx{ws_.document(), commands, lang_, now_, dateFromTime(now_, utcOffsetMinutes_), rects_, pal, route,
                    switchLanguage, syncStatus_, syncRequests_, utcOffsetMinutes_};
    ctx.readOnly = ws_.readOnly();
    ctx.reducedMotion = reducedMotion_;

    const ImGuiViewport* vp = ImGui::GetMainViewport();
    ImGui::SetNextWindowPos(vp->WorkPos);
    ImGui::SetNextWindowSize(vp->WorkSize);
    ImGuiWindowFlags full = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                            ImGuiWindowFlags_NoBringToFrontOnFocus;
    ImGui::Begin("##funnel", nullptr, full);

    if (demo_) drawDemoBanner(ctx);
    if (snapshot_) drawSnapshotBanner(ctx);
    if (!notice_.empty()) drawNotice(ctx);
    drawTopBar(ctx);
    ImGui::Separator();

    float statusH = ImGui::GetFrameHeight() + 4;
    ImGui::BeginChild("##screen", ImVec2(0, -statusH), ImGuiChildFlags_None, ImGuiWindowFlags_NoBackground);
    if (route_.rfind("#/customer", 0) == 0) screens_->customers(ctx, routeId("#/customer/"));
    else if (route_.rfind("#/contact/", 0) == 0) screens_->contactCard.draw(ctx, routeId("#/contact/"), screens_->toast);
    else if (route_ == "#/today") screens_->today(ctx);
    else if (route_.rfind("#/reports", 0) == 0)
        reports_->draw(ctx, ws_.revision(), route_);
    else if (route_ == "#/agenda") screens_->agenda.draw(ctx);
    else if (route_.rfind("#/settings", 0) == 0) screens_->settings(ctx);
    else {
        screens_->board.draw(ctx, ws_.revision());
        if (std::string id = routeId("#/deal/"); !id.empty()) screens_->dealPanel(ctx, id, screens_->board);
    }
    ImGui::EndChild();
    screens_->toast.draw(ctx);
    if (std::string url = screens_->contactCard.takeOpenUrl(); !url.empty()) {
        pageRequest_ = PageRequest::OpenUrl;  // tel: / mailto: from the contact card
        pageRequestText_ = std::move(url);
    }
    if (auto drill = reports_->takeDrill())
        screens_->board.showReportDeals(drill->pipelineId, std::move(drill->deals), drill->caption);
    if (auto file = reports_->takeDownload()) {
        const bool screenshot = file->bytes.empty();
        requestDownload(std::move(*file), screenshot);
    }
    drawStatusLine(ctx);
    drawHelp(ctx);
    drawShare(ctx);
    ImGui::End();
    drawComposition(composition_, rects_);

    shortcuts(ctx);
    for (json& c : commands) ws_.queue(std::move(c));
    if (route != route_) open(route);
    // The platform sees the language change and keeps it for the session (see web main.cpp).
    if (!switchLanguage.empty()) setLanguage(switchLanguage);
    animating_ = ImGui::GetDragDropPayload() != nullptr || ImGui::IsAnyItemActive() ||
                 (!reducedMotion_ && screens_->teamSync.animating(syncStatus_)) || screens_->toast.visible(now_);
}

// A banner's text wraps on a narrow screen and its buttons follow it or go below; the tint is
// drawn behind whatever height that took (a draw list channel under the content).
namespace {
void beginBanner() {
    ImGui::GetWindowDrawList()->ChannelsSplit(2);
    ImGui::GetWindowDrawList()->ChannelsSetCurrent(1);
    ImGui::BeginGroup();
}
void endBanner(ImVec2 p, ImU32 colour) {
    ImGui::EndGroup();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->ChannelsSetCurrent(0);
    const float right = p.x + ImGui::GetContentRegionAvail().x + 12;
    dl->AddRectFilled(ImVec2(p.x - 12, p.y - 6), ImVec2(right, ImGui::GetItemRectMax().y + 4), tint(colour), 6.0f);
    dl->ChannelsMerge();
}
void bannerText(const char* text) {
    ImGui::AlignTextToFramePadding();
    ImGui::PushTextWrapPos(0.0f);
    ImGui::TextUnformatted(text);
    ImGui::PopTextWrapPos();
}
}  // namespace

void App::drawDemoBanner(ViewContext& ctx) {
    const Palette& pal = ctx.palette;
    ImVec2 p = ImGui::GetCursorScreenPos();
    beginBanner();
    bannerText(ctx.t("demo.banner"));
    ctx.record("banner:demo");
    ctx.describe("banner:demo", "note", ctx.t("demo.banner"));
    sameLineOrWrap(buttonWidth(ctx.t("demo.reset"), true));
    if (ImGui::SmallButton((std::string(ctx.t("demo.reset")) + "###demo-reset").c_str()))
        // One undoable command: the sample as it was, in the UI language.
        ctx.push({{"op", "document.replace"}, {"document", encodeDocument(makeDemoDocument(1, 50, now_, lang_))}});
    ctx.record(ctx.t("demo.reset"), "button:demo-reset");
    sameLineOrWrap(buttonWidth(ctx.t("demo.leave"), true));
    if (ImGui::SmallButton((std::string(ctx.t("demo.leave")) + "###demo-leave").c_str())) pageRequest_ = PageRequest::LeaveDemo;
    ctx.record(ctx.t("demo.leave"), "button:demo-leave");
    endBanner(p, pal.suspended);
    ImGui::Dummy(ImVec2(0, 2));
}

void App::drawSnapshotBanner(ViewContext& ctx) {
    const Palette& pal = ctx.palette;
    ImVec2 p = ImGui::GetCursorScreenPos();
    beginBanner();
    const std::string date = formatDateShort(dateFromTime(snapshot_->createdAt, utcOffsetMinutes_), lang_);
    char text[512];
    if (snapshot_->by.empty()) std::snprintf(text, sizeof text, ctx.t("snapshot.banner_anonymous"), date.c_str());
    else std::snprintf(text, sizeof text, ctx.t("snapshot.banner"), snapshot_->by.c_str(), date.c_str());
    bannerText(text);
    ctx.record("banner:snapshot");
    ctx.describe("banner:snapshot", "note", text);
    sameLineOrWrap(buttonWidth(ctx.t("snapshot.save_copy"), true));
    if (ImGui::SmallButton((std::string(ctx.t("snapshot.save_copy")) + "###snapshot-save").c_str()))
        pageRequest_ = PageRequest::SaveSnapshotCopy;
    ctx.record(ctx.t("snapshot.save_copy"), "button:snapshot-save");
    sameLineOrWrap(buttonWidth(ctx.t("action.close"), true));
    if (ImGui::SmallButton((std::string(ctx.t("action.close")) + "###snapshot-close").c_str())) pageRequest_ = PageRequest::CloseSnapshot;
    ctx.record("button:snapshot-close");
    endBanner(p, pal.accent);
    ImGui::Dummy(ImVec2(0, 2));
}

void App::drawNotice(ViewContext& ctx) {
    const Palette& pal = ctx.palette;
    ImVec2 p = ImGui::GetCursorScreenPos();
    beginBanner();
    bannerText(ctx.t(notice_));
    if (!noticeDetail_.empty() && ImGui::IsItemHovered()) ImGui::SetTooltip("%s", noticeDetail_.c_str());
    ctx.record("banner:notice");
    ctx.describe("banner:notice", "note", ctx.t(notice_));
    sameLineOrWrap(buttonWidth(ctx.t("action.close"), true));
    // In a snapshot view that failed to open there is nothing to go back to but one's own funnel.
    if (ImGui::SmallButton((std::string(ctx.t("action.close")) + "###notice-close").c_str())) {
        if (snapshot_ || ws_.readOnly()) pageRequest_ = PageRequest::CloseSnapshot;
        notice_.clear();
        noticeDetail_.clear();
    }
    ctx.record("button:notice-close");
    endBanner(p, pal.overdue);
    ImGui::Dummy(ImVec2(0, 2));
}

void App::drawShare(ViewContext& ctx) {
    if (shareOpen_) {
        ImGui::OpenPopup("##share");
        shareOpen_ = false;
    }
    ImGui::SetNextWindowPos(ImGui::GetMainViewport()->GetCenter(), ImGuiCond_Appearing, ImVec2(0.5f, 0.5f));
    ImGui::SetNextWindowSize(ImVec2(std::min(460.0f, ImGui::GetMainViewport()->WorkSize.x - 16), 0));
    if (!ImGui::BeginPopupModal("##share", nullptr, ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoResize)) return;
    if (ctx.readOnly) {  // "Open a snapshot…" succeeded: the snapshot is on screen now
        ImGui::CloseCurrentPopup();
        ImGui::EndPopup();
        return;
    }
    {
        ImVec2 wp = ImGui::GetWindowPos(), ws = ImGui::GetWindowSize();
        ctx.rects.record("dialog:share", Rect{wp.x, wp.y, ws.x, ws.y});
        ctx.group("dialog:share", "dialog", ctx.t("share.title"), Rect{wp.x, wp.y, ws.x, ws.y});
    }
    Board& board = screens_->board;
    const Pipeline* pipeline = ctx.doc.findPipeline(board.pipelineId());
    ImGui::PushFont(nullptr, ImGui::GetStyle().FontSizeBase * 1.2f);
    ImGui::TextUnformatted(ctx.t("share.title"));
    ImGui::PopFont();
    ImGui::Separator();
    char summary[512];
    std::snprintf(summary, sizeof summary, ctx.t("share.summary"), shareDeals_,
                  pipeline ? pipeline->name.get(ctx.lang).c_str() : "");
    ImGui::TextWrapped("%s", summary);
    ctx.record("share:summary");
    ImGui::PushTextWrapPos(0);
    ImGui::TextDisabled("%s", ctx.t("share.privacy"));
    ImGui::PopTextWrapPos();
    ImGui::Spacing();
    auto snapshotText = [&] {
        return encodeDocumentText(makeSnapshot(ctx.doc, board.pipelineId(), board.filter(), now_));
    };
    ImGui::PushStyleColor(ImGuiCol_Button, ctx.palette.accent);
    ImGui::PushStyleColor(ImGuiCol_Text, ctx.palette.accentText);
    if (ImGui::Button((std::string(ctx.t("share.download")) + "###share-download").c_str())) {
        requestDownload(
            {"funnel-snapshot-" + formatDate(dateFromTime(now_, utcOffsetMinutes_)) + ".funnel.json",
             "application/json",
             snapshotText(),
             {}});
        shareState_ = ShareState::Downloaded;
    }
    ImGui::PopStyleColor(2);
    ctx.record(ctx.t("share.download"), "button:share-download");
    ImGui::SameLine();
    ImGui::BeginDisabled(shareState_ == ShareState::Working);
    if (ImGui::Button((std::string(ctx.t("share.copy_link")) + "###share-link").c_str())) {
        pageRequest_ = PageRequest::CopySnapshotLink;
        pageRequestText_ = snapshotText();
        shareState_ = ShareState::Working;
    }
    ImGui::EndDisabled();
    ctx.record(ctx.t("share.copy_link"), "button:share-link");
    const char* stateKey = nullptr;
    ImU32 stateColor = ctx.palette.won;
    switch (shareState_) {
        case ShareState::Idle: break;
        case ShareState::Working: stateKey = "share.working"; stateColor = ctx.palette.textDim; break;
        case ShareState::LinkCopied: stateKey = "share.link_copied"; break;
        case ShareState::Downloaded: stateKey = "share.downloaded"; break;
        case ShareState::LinkTooLong: stateKey = "share.link_too_long"; stateColor = ctx.palette.overdue; break;
        case ShareState::LinkFailed: stateKey = "share.link_failed"; stateColor = ctx.palette.overdue; break;
    }
    if (stateKey) {
        ImGui::PushStyleColor(ImGuiCol_Text, stateColor);
        ImGui::PushTextWrapPos(0);
        ImGui::TextUnformatted(ctx.t(stateKey));
        ImGui::PopTextWrapPos();
        ImGui::PopStyleColor();
        ctx.record("share:state");
    }
    ImGui::Separator();
    if (ImGui::Button((std::string(ctx.t("share.open")) + "###share-open").c_str())) pageRequest_ = PageRequest::OpenSnapshotFile;
    ctx.record(ctx.t("share.open"), "button:share-open");
    ImGui::SameLine();
    ImGui::TextDisabled("%s", ctx.t("share.drop_hint"));
    ImGui::Spacing();
    if (ImGui::Button((std::string(ctx.t("action.close")) + "###share-close").c_str(), ImVec2(-1, 0)) ||
        ImGui::IsKeyPressed(ImGuiKey_Escape, false)) {
        ImGui::CloseCurrentPopup();
        shareState_ = ShareState::Idle;
    }
    ctx.record("button:share-close");
    ImGui::EndPopup();
}

void App::drawTopBar(ViewContext& ctx) {
    const Palette& pal = ctx.palette;
    ImGui::PushStyleColor(ImGuiCol_Text, pal.accent);
    ImGui::TextUnformatted(ctx.t("app.name"));
    ImGui::PopStyleColor();
    ImGui::SameLine(0, 18);
    ctx.group("nav", "navigation", ctx.t("a11y.nav"));
    struct Nav { const char* key; const char* route; const char* id; };
    static const Nav kNav[] = {{"nav.board", "#/board", "nav:board"},
                               {"nav.customers", "#/customers", "nav:customers"},
                               {"nav.today", "#/today", "nav:today"},
                               {"nav.reports", "#/reports", "nav:reports"},
                               {"nav.agenda", "#/agenda", "nav:agenda"},
                               {"nav.settings", "#/settings", "nav:settings"}};
    for (const Nav& n : kNav) {
        bool here = route_.rfind(n.route, 0) == 0 || (n.route == std::string("#/board") && route_.rfind("#/deal/", 0) == 0) ||
                    (n.route == std::string("#/customers") &&
                     (route_.rfind("#/customer/", 0) == 0 || route_.rfind("#/contact/", 0) == 0));
        if (&n != kNav) sameLineOrWrap(buttonWidth(ctx.t(n.key)));
        if (here) ImGui::PushStyleColor(ImGuiCol_Button, pal.cardSelected);
        std::string label = std::string(ctx.t(n.key)) + "###" + n.id;
        if (ImGui::Button(label.c_str())) ctx.route = n.route;
        if (here) ImGui::PopStyleColor();
        ctx.record(ctx.t(n.key), n.id);
    }
    // Narrow screens (phones, split windows) put the board's tools on a line of their own.
    if (ImGui::GetContentRegionAvail().x >= 900.0f) ImGui::SameLine(0, 24);
    bool onBoard = route_.rfind("#/board", 0) == 0 || route_.rfind("#/deal/", 0) == 0;
    if (onBoard) {
        screens_->board.drawToolbar(ctx);
        if (ctx.readOnly) return;  // a snapshot is looked at, not shared on or added to
        sameLineOrWrap(buttonWidth(ctx.t("share.button")));
        if (ImGui::Button((std::string(ctx.t("share.button")) + "###share").c_str())) {
            shareOpen_ = true;
            shareState_ = ShareState::Idle;
            // Counted once per opening, not per frame: a big funnel's filter pass is not free.
            shareDeals_ = 0;
            if (const Pipeline* p = ctx.doc.findPipeline(screens_->board.pipelineId())) {
                for (const Deal& d : ctx.doc.deals)
                    if (d.pipelineId == p->id && p->findStage(d.stageId) && dealMatches(ctx.doc, d, screens_->board.filter()))
                        ++shareDeals_;
            }
        }
        ctx.record(ctx.t("share.button"), "button:share");
        sameLineOrWrap(buttonWidth(ctx.t("board.new_deal")));
        ImGui::PushStyleColor(ImGuiCol_Button, pal.accent);
        ImGui::PushStyleColor(ImGuiCol_Text, pal.accentText);
        if (ImGui::Button((std::string(ctx.t("board.new_deal")) + "###new-deal").c_str())) screens_->startNewDeal(ctx);
        ImGui::PopStyleColor(2);
        ctx.record(ctx.t("board.new_deal"), "button:new-deal");
    }
}

void App::drawStatusLine(ViewContext& ctx) {
    const Palette& pal = ctx.palette;
    if (ctx.readOnly) ImGui::BeginDisabled();  // nothing to undo in a snapshot
    ImGui::BeginDisabled(!ws_.canUndo());
    if (ImGui::SmallButton((std::string(ctx.t("action.undo")) + "###undo").c_str())) undoRequested_ = true;
    ImGui::EndDisabled();
    ctx.record(ctx.t("action.undo"), "button:undo");
    ImGui::SameLine();
    ImGui::BeginDisabled(!ws_.canRedo());
    if (ImGui::SmallButton((std::string(ctx.t("action.redo")) + "###redo").c_str())) redoRequested_ = true;
    ImGui::EndDisabled();
    ctx.record(ctx.t("action.redo"), "button:redo");
    if (ctx.readOnly) ImGui::EndDisabled();
    ImGui::SameLine(0, 20);
    switch (saveStatus_.state) {
        case SaveStatus::State::Idle: break;
        case SaveStatus::State::Saving: ImGui::TextDisabled("%s", ctx.t("status.saving")); break;
        case SaveStatus::State::Saved: ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(pal.won), "✓ %s", ctx.t("status.saved")); break;
        case SaveStatus::State::Failed: {
            // The message is a string key from storage when it is one, else shown as given.
            const char* msg = saveStatus_.message.empty() ? "" : ctx.t(saveStatus_.message);
            ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(pal.overdue), "%s %s", ctx.t("status.failed"), msg);
            break;
        }
    }
    ctx.record("status:save");
    if (saveStatus_.state != SaveStatus::State::Idle)
        ctx.describe("status:save", "status",
                     saveStatus_.state == SaveStatus::State::Saved    ? ctx.t("status.saved")
                     : saveStatus_.state == SaveStatus::State::Saving ? ctx.t("status.saving")
                                                                      : ctx.t("status.failed"));
    ImGui::SameLine(0, 20);
    screens_->teamSync.indicator(ctx);
    if (!lastError_.empty() && now_ - lastErrorAt_ < 8000) {
        ImGui::SameLine(0, 20);
        ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(pal.overdue), "%s %s", ctx.t("error.command"), lastError_.c_str());
        ctx.record("status:error");
    }
    ImGui::SameLine(ImGui::GetWindowWidth() - 40);
    if (ImGui::SmallButton("?###help")) helpOpen_ = true;
    ctx.record("button:help");
}

void App::drawHelp(ViewContext& ctx) {
    if (helpOpen_) {
        ImGui::OpenPopup("##help");
        helpOpen_ = false;
    }
    ImGui::SetNextWindowPos(ImGui::GetMainViewport()->GetCenter(), ImGuiCond_Appearing, ImVec2(0.5f, 0.5f));
    if (ImGui::BeginPopupModal("##help", nullptr, ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoTitleBar)) {
        ctx.group("dialog:help", "dialog", ctx.t("help.title"));
        ImGui::TextUnformatted(ctx.t("help.title"));
        ImGui::Separator();
        struct Row { const char* keys; const char* what; };
        const Row rows[] = {{"N", "help.new_deal"},           {"Ctrl+F", "help.search"},
                            {"Ctrl+Z / Ctrl+Shift+Z", "help.undo"}, {"Alt+← / Alt+→", "help.move"},
                            {"Alt+↑ / Alt+↓", "help.reorder"},  {"Enter", "help.open"},
                            {"Esc", "help.close"},              {"?", "help.help"}};
        if (ImGui::BeginTable("##keys", 2, ImGuiTableFlags_SizingFixedFit)) {
            for (const Row& r : rows) {
                ImGui::TableNextRow();
                ImGui::TableNextColumn();
                ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(ctx.palette.accent), "%s", r.keys);
                ImGui::TableNextColumn();
                ImGui::TextUnformatted(ctx.t(r.what));
            }
            ImGui::EndTable();
        }
        if (ImGui::Button(ctx.t("action.close"), ImVec2(-1, 0)) || ImGui::IsKeyPressed(ImGuiKey_Escape, false))
            ImGui::CloseCurrentPopup();
        ctx.record("button:help-close");
        ImGui::EndPopup();
    }
}

void App::shortcuts(ViewContext& ctx) {
    ImGuiIO& io = ImGui::GetIO();
    bool mod = io.KeyCtrl || io.KeySuper;
    bool typing = io.WantTextInput;
    const bool readOnly = ws_.readOnly();
    // Ctrl/Cmd+Z undoes the model unless a text field is active (the field undoes its own typing).
    if (!readOnly && !typing && mod && !io.KeyShift && ImGui::IsKeyPressed(ImGuiKey_Z, false)) undoRequested_ = true;
    if (!readOnly && !typing && mod && ((io.KeyShift && ImGui::IsKeyPressed(ImGuiKey_Z, false)) || ImGui::IsKeyPressed(ImGuiKey_Y, false)))
        redoRequested_ = true;
    if (mod && ImGui::IsKeyPressed(ImGuiKey_F, false)) {
        ctx.route = route_.rfind("#/deal/", 0) == 0 ? route_ : "#/board";
        screens_->board.focusSearch();
    }
    if (!readOnly && !typing && !mod && ImGui::IsKeyPressed(ImGuiKey_N, false)) screens_->startNewDeal(ctx);
    if (!typing && ((io.KeyShift && ImGui::IsKeyPressed(ImGuiKey_Slash, false)) || ImGui::IsKeyPressed(ImGuiKey_F1, false)))
        helpOpen_ = true;
    if (!typing && ImGui::IsKeyPressed(ImGuiKey_Escape, false) && route_.rfind("#/deal/", 0) == 0 &&
        !ImGui::IsPopupOpen("", ImGuiPopupFlags_AnyPopupId))
        ctx.route = "#/board";
}

bool App::takeUndoRequest() { return std::exchange(undoRequested_, false); }
bool App::takeRedoRequest() { return std::exchange(redoRequested_, false); }

std::vector<CommandResult> App::applyFrame(const CommandContext& cc) {
    // Undo/redo from the UI run after the frame like any command, in the order asked.
    std::vector<CommandResult> results = ws_.applyQueued(cc);
    if (ws_.readOnly()) undoRequested_ = redoRequested_ = false;
    if (takeUndoRequest()) results.push_back(ws_.undo(cc));
    if (takeRedoRequest()) results.push_back(ws_.redo(cc));
    for (const CommandResult& r : results) {
        if (!r.ok) {
            lastError_ = r.error;
            lastErrorAt_ = now_;
        }
        // Outcomes a screen reader says: where a deal went, won, lost.
        if (r.ok) {
            const std::string op = r.applied.value("op", "");
            if (op == "deal.move") {
                const Deal* d = ws_.document().findDeal(r.applied.value("id", ""));
                const Pipeline* p = d ? ws_.document().findPipeline(d->pipelineId) : nullptr;
                const Stage* s = p ? p->findStage(d->stageId) : nullptr;
                char text[512];
                std::snprintf(text, sizeof text, tr("a11y.moved_to", lang_), s ? s->name.get(lang_).c_str() : "");
                announcements_.push_back(text);
            } else if (op == "deal.win" || op == "deal.lose" || op == "deal.suspend") {
                announcements_.push_back(tr(op == "deal.win" ? "status.won" : op == "deal.lose" ? "status.lost" : "status.suspended", lang_));
            }
        }
        // A freshly created deal opens in the panel, ready to be filled in.
        if (r.ok && r.applied.value("op", "") == "deal.create" && screens_->takeOpenCreated())
            open("#/deal/" + r.result.value("id", ""));
    }
    return results;
}

}  // namespace funnel::ui
