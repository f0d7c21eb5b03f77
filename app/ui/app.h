// Funnel — the application's views as one object the platform drives each frame.
//
// The platform owns the ImGui context, fonts and backends; each frame it calls
//   app.setClock(now, offset); ImGui::NewFrame(); app.draw(); ImGui::Render(); app.applyFrame(ctx);
// draw() reads the workspace's document and only queues commands on it; applyFrame() applies
// them (and the undo/redo asked for in the frame) through the workspace.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/snapshot.h"
#include "core/workspace.h"
#include "ui/team_sync.h"

namespace funnel::ui {

struct Rect {
    float x = 0, y = 0, w = 0, h = 0;
    bool operator==(const Rect&) const = default;
};

// What an item is to assistive technology: an ARIA role, its accessible name in the UI language
// and the group it belongs to ("" = the top). The web platform mirrors each frame's nodes into a
// hidden DOM tree (app/platform/web/semantics.h); ViewContext::describe/group record them.
struct SemanticNode {
    std::string id;       // the item's stable key ("deal:<id>", "button:share", "column:<stageId>")
    std::string role;     // navigation, list, listitem, button, textbox, radio, option, listbox, dialog, status, note
    std::string name;
    std::string parent;   // id of the group node ("" = top level)
    Rect rect;            // empty for a group drawn as no single item
    unsigned itemId = 0, windowId = 0;  // ImGui's ids: a focus moved in the tree moves ImGui's there
    int checked = -1;     // radio, checkbox, option: 0 or 1
    bool operator==(const SemanticNode&) const = default;
};

// Screen rectangles (in ImGui display coordinates) of the items drawn in the last frame, under
// their visible label and under their stable id ("deal:<id>", "stage:<id>", "button:new-deal",
// "field:deal.title", …). Used by window.funnel.itemRect() and the headless UI test driver.
class ItemRects {
public:
    void clear() {
        rects_.clear();
        nodes_.clear();
        label.clear();
    }
    void record(const std::string& key, Rect r) { rects_[key] = r; }
    void describe(SemanticNode n) { nodes_.push_back(std::move(n)); }
    // The frame's semantic nodes in the order drawn (= reading and Tab order).
    const std::vector<SemanticNode>& nodes() const { return nodes_; }
    std::string label;    // the text of the last field label, named on the next field recorded
    std::optional<Rect> find(const std::string& key) const {
        auto it = rects_.find(key);
        if (it == rects_.end()) return std::nullopt;
        return it->second;
    }
    const std::unordered_map<std::string, Rect>& all() const { return rects_; }

private:
    std::unordered_map<std::string, Rect> rects_;
    std::vector<SemanticNode> nodes_;
};

// How storage is doing, shown in the status bar ("Saving…", "Saved", "Not saved: …").
struct SaveStatus {
    enum class State { Idle, Saving, Saved, Failed } state = State::Idle;
    std::string message;      // user-language text for Failed
};

struct ViewContext;
struct Screens;
class Reports;

class App {
public:
    explicit App(Workspace& workspace);
    ~App();
    App(const App&) = delete;
    App& operator=(const App&) = delete;

    // Language of the UI: "en", "zh-Hans", "zh-Hant" or "ko" (anything else → "en").
    void setLanguage(const std::string& lang);
    const std::string& language() const { return lang_; }
    void setDarkTheme(bool dark);
    // The platform's colour scheme (prefers-color-scheme), followed when settings.theme is "system".
    void setSystemDark(bool dark) { systemDark_ = dark; }
    // prefers-reduced-motion: spinners stand still, nothing animates by itself.
    void setReducedMotion(bool reduce) { reducedMotion_ = reduce; }
    bool dark() const { return dark_; }
    void setSaveStatus(SaveStatus s);
    // Team sync as the platform's engine reports it (team_sync.h), and what the views asked of it
    // in the last frame (set up, sync now, stop, resolve a conflict), oldest first.
    void setSyncStatus(SyncStatus s);
    const SyncStatus& syncStatus() const { return syncStatus_; }
    std::vector<SyncRequest> takeSyncRequests() { return std::exchange(syncRequests_, {}); }
    // The text an input method is composing in the active field ("" = none): drawn inside the
    // field at the caret, the rest of the line pushed right (ui/composition.h).
    void setComposition(std::string text) { composition_ = std::move(text); }
    // The time the frame is drawn at, and the user's zone (for "today", overdue, idle days).
    void setClock(Time now, int utcOffsetMinutes);
    // A demo (?demo): a banner says so and offers to reset the sample or start one's own funnel.
    void setDemo(bool demo) { demo_ = demo; }
    // What the views asked of the page that the app cannot do itself; read once per frame.
    // CopySnapshotLink carries the snapshot's text in pageRequestText(); DownloadFile offers
    // pageRequestFile() as a download (a shared snapshot, a report's CSV); DownloadScreenshot
    // asks for a PNG of the canvas region pageRequestFile().region, named pageRequestFile().name.
    enum class PageRequest {
        None,
        LeaveDemo,
        DownloadFile,
        DownloadScreenshot,
        CopySnapshotLink,
        OpenSnapshotFile,  // the Share dialog
        SaveSnapshotCopy,
        CloseSnapshot,  // the read-only snapshot's banner
        OpenUrl         // a tel: / mailto: link (pageRequestText)
    };
    struct FileDownload {
        std::string name;   // file name offered, e.g. "funnel-snapshot-2026-05-20.funnel.json"
        std::string mime;   // e.g. "application/json", "text/csv;charset=utf-8"
        std::string bytes;  // the file's content
        Rect region;        // DownloadScreenshot: the part of the screen (display coordinates)
    };
    PageRequest takePageRequest() { return std::exchange(pageRequest_, PageRequest::None); }
    const std::string& pageRequestText() const { return pageRequestText_; }
    const FileDownload& pageRequestFile() const { return pageRequestFile_; }
    // A view asks for a download (a file, or a screenshot when `bytes` is empty and region set).
    void requestDownload(FileDownload f, bool screenshot = false) {
        pageRequestFile_ = std::move(f);
        pageRequest_ = screenshot ? PageRequest::DownloadScreenshot : PageRequest::DownloadFile;
    }

    // [SECTION] Shared snapshots (core/snapshot.h)
    // Viewing a snapshot: a banner says who shared it and when; the platform also makes the
    // workspace read-only (the one place edits are refused) and keeps it out of storage.
    // The board then shows the shared pipeline with the sharer's filter.
    void setSnapshot(std::optional<SnapshotInfo> info);
    bool viewingSnapshot() const { return snapshot_.has_value(); }
    // How the Share dialog's last action went (the link is made asynchronously by the page).
    enum class ShareState { Idle, Working, LinkCopied, LinkTooLong, LinkFailed, Downloaded };
    void setShareState(ShareState s) { shareState_ = s; }
    ShareState shareState() const { return shareState_; }
    // A message about opening or saving a snapshot (a string key), shown until closed.
    void setNotice(std::string key, std::string detail = {}) {
        notice_ = std::move(key);
        noticeDetail_ = std::move(detail);
    }
    const std::string& notice() const { return notice_; }

    // Routes: "#/board", "#/board/<pipelineId>", "#/deal/<id>", "#/customers", "#/customer/<id>",
    // "#/contact/<id>", "#/today", "#/agenda", "#/reports[?period=…&owner=…&pipeline=…]"
    // (docs/REPORTS.md), "#/settings", "#/settings/sync" (scrolled to Team sync). Unknown routes
    // open the board.
    void open(const std::string& route);
    const std::string& route() const { return route_; }

    // Draws every window of the current route. Call between NewFrame() and Render().
    void draw();
    // After Render(): applies the frame's commands, then any undo/redo asked for. The results
    // of failed commands are kept in lastError() for the status line.
    std::vector<CommandResult> applyFrame(const CommandContext& ctx);
    const std::string& lastError() const { return lastError_; }

    const ItemRects& itemRects() const { return rects_; }
    Reports& reports() { return *reports_; }  // the Reports screen (tests)
    // What a screen reader should say about the last frames' outcomes ("Moved to Proposal",
    // "Saved", "Sync failed: …"), oldest first, in the UI language.
    std::vector<std::string> takeAnnouncements() { return std::exchange(announcements_, {}); }
    // True while something animates (drag in flight, toast fading): keep drawing frames.
    bool animating() const { return animating_; }

private:
    void drawTopBar(ViewContext& ctx);
    void drawStatusLine(ViewContext& ctx);
    void shortcuts(ViewContext& ctx);
    void drawHelp(ViewContext& ctx);
    void drawDemoBanner(ViewContext& ctx);
    void drawSnapshotBanner(ViewContext& ctx);
    void drawNotice(ViewContext& ctx);
    void drawShare(ViewContext& ctx);
    bool takeUndoRequest();
    bool takeRedoRequest();
    std::string routeId(const std::string& prefix) const;

    Workspace& ws_;
    std::unique_ptr<Screens> screens_;
    std::unique_ptr<Reports> reports_;
    std::string lang_ = "en";
    std::string route_ = "#/board";
    bool dark_ = false;
    bool systemDark_ = false;
    bool reducedMotion_ = false;
    bool animating_ = false;
    bool undoRequested_ = false, redoRequested_ = false;
    Time now_ = 0;
    int utcOffsetMinutes_ = 0;
    std::string lastError_;
    Time lastErrorAt_ = 0;
    bool helpOpen_ = false;
    bool demo_ = false;
    PageRequest pageRequest_ = PageRequest::None;
    std::string pageRequestText_;
    FileDownload pageRequestFile_;
    std::optional<SnapshotInfo> snapshot_;
    ShareState shareState_ = ShareState::Idle;
    bool shareOpen_ = false;
    int shareDeals_ = 0;                 // deals the Share dialog would share (counted when it opens)
    std::string notice_, noticeDetail_;
    SaveStatus saveStatus_;
    std::string composition_;
    SyncStatus syncStatus_;
    std::vector<SyncRequest> syncRequests_;
    ItemRects rects_;
    std::vector<std::string> announcements_;
};

}  // namespace funnel::ui
