// Funnel — the board view (see board.h).
//
// Index
// [SECTION] Matching and derived columns
// [SECTION] Toolbar: pipeline, search, filters, sort
// [SECTION] Columns and cards
// [SECTION] Card actions, keyboard moves
// [SECTION] Dialogs: lost reason, suspend until
#include "ui/board.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

#include <imgui_internal.h>
#include <misc/cpp/imgui_stdlib.h>

#include "core/metrics.h"
#include "ui/theme.h"
#include "ui/widgets.h"

namespace funnel::ui {

namespace {

constexpr float kCardHeight = 98.0f;
constexpr float kCardGap = 8.0f;
constexpr float kColumnWidth = 272.0f;
constexpr float kAccentHeight = 4.0f;   // the stage's colour strip along a column's top
constexpr float kAccentGap = 6.0f;      // between the strip and the stage name
constexpr float kDayMs = 86400000.0f;
const char* kDealPayload = "FUNNEL_DEAL";

// Units of the display currency per unit of `currency`; < 0 when no rate is known.
double rateOf(const Settings& s, const std::string& currency) {
    return convertMoney(s, 1.0, currency, s.displayCurrency).value_or(-1.0);
}

void textTruncated(ImDrawList* dl, ImVec2 pos, float maxX, ImU32 col, const std::string& text) {
    ImGui::PushStyleColor(ImGuiCol_Text, col);
    ImGui::RenderTextEllipsis(dl, pos, ImVec2(maxX, pos.y + ImGui::GetFontSize() + 2), maxX, text.c_str(),
                              text.c_str() + text.size(), nullptr);
    ImGui::PopStyleColor();
}

}  // namespace

// [SECTION] Matching and derived columns
// (which deals pass is core/filter.h: the board and shared snapshots agree on it)

void Board::rebuild(const ViewContext& ctx) {
    const Document& doc = ctx.doc;
    columns_.clear();
    missingRates_.clear();
    customerIndex_.clear();
    memberIndex_.clear();
    nextActivity_.clear();
    for (std::size_t i = 0; i < doc.customers.size(); ++i) customerIndex_[doc.customers[i].id] = i;
    for (std::size_t i = 0; i < doc.members.size(); ++i) memberIndex_[doc.members[i].id] = i;
    for (const Activity& a : doc.activities) {
        if (a.deleted || a.doneAt != 0 || a.dealId.empty() || a.due == 0) continue;
        auto [it, fresh] = nextActivity_.try_emplace(a.dealId, a.due, false);
        if (!fresh && a.due < it->second.first) it->second.first = a.due;
    }
    const Pipeline* p = doc.findPipeline(pipelineId_);
    if (!p) return;
    std::unordered_map<std::string, std::size_t> stageColumn;
    for (const Stage& s : p->stages) {
        stageColumn[s.id] = columns_.size();
        columns_.push_back(Column{&s, {}, 0, 0});
    }
    // A search looks at contacts too: index contact names by customer once, not per deal.
    BoardFilter f = filter_;
    for (std::size_t i = 0; i < doc.deals.size(); ++i) {
        const Deal& d = doc.deals[i];
        if (d.pipelineId != p->id) continue;
        auto col = stageColumn.find(d.stageId);
        if (col == stageColumn.end()) continue;  // a stage that no longer exists: shown nowhere on this board
        if (!dealMatches(doc, d, f)) continue;
        Column& c = columns_[col->second];
        c.deals.push_back(i);
        double r = rateOf(doc.settings, d.currency);
        if (r < 0) {
            if (std::find(missingRates_.begin(), missingRates_.end(), d.currency) == missingRates_.end())
                missingRates_.push_back(d.currency);
            continue;
        }
        c.total += d.value * r;
        c.weighted += d.value * r * doc.probabilityOf(d) / 100.0;
    }
    for (Column& c : columns_) {
        auto& v = c.deals;
        auto byOrder = [&](std::size_t a, std::size_t b) {
            const Deal &x = doc.deals[a], &y = doc.deals[b];
            return x.order != y.order ? x.order < y.order : x.createdAt < y.createdAt;
        };
        switch (sort_) {
            case SortOrder::Manual: std::stable_sort(v.begin(), v.end(), byOrder); break;
            case SortOrder::Value:
                std::stable_sort(v.begin(), v.end(), [&](std::size_t a, std::size_t b) {
                    double ra = rateOf(doc.settings, doc.deals[a].currency), rb = rateOf(doc.settings, doc.deals[b].currency);
                    return doc.deals[a].value * (ra < 0 ? 1 : ra) > doc.deals[b].value * (rb < 0 ? 1 : rb);
                });
                break;
            case SortOrder::ExpectedClose:
                std::stable_sort(v.begin(), v.end(), [&](std::size_t a, std::size_t b) {
                    // Unset dates (kNoDate is the smallest int) go last.
                    Date da = doc.deals[a].expectedClose, db = doc.deals[b].expectedClose;
                    if ((da == kNoDate) != (db == kNoDate)) return db == kNoDate;
                    return da < db;
                });
                break;
            case SortOrder::Updated:
                std::stable_sort(v.begin(), v.end(), [&](std::size_t a, std::size_t b) {
                    return doc.deals[a].updatedAt > doc.deals[b].updatedAt;
                });
                break;
        }
    }
    quickAdd_.resize(columns_.size());
}

// [SECTION] Toolbar: pipeline, search, filters, sort

void Board::showReportDeals(const Id& pipelineId, std::vector<Id> deals, std::string caption) {
    pipelineId_ = pipelineId;
    filter_ = BoardFilter{};
    filter_.status = StatusFilter::All;
    std::sort(deals.begin(), deals.end());
    filter_.deals = std::move(deals);
    searchBuf_.clear();
    reportCaption_ = std::move(caption);
}

void Board::drawToolbar(ViewContext& ctx) {
    const Document& doc = ctx.doc;
    if (pipelineId_.empty() || !doc.findPipeline(pipelineId_)) {
        pipelineId_ = doc.settings.defaultPipeline;
        if (!doc.findPipeline(pipelineId_) && !doc.pipelines.empty()) pipelineId_ = doc.pipelines.front().id;
    }
    if (doc.pipelines.size() > 1) {
        const Pipeline* cur = doc.findPipeline(pipelineId_);
        ImGui::SetNextItemWidth(170);
        if (ImGui::BeginCombo("##pipeline", cur ? cur->name.get(ctx.lang).c_str() : "")) {
            for (const Pipeline& p : doc.pipelines) {
                ImGui::PushID(p.id.c_str());
                if (ImGui::Selectable(p.name.get(ctx.lang).c_str(), p.id == pipelineId_)) pipelineId_ = p.id;
                ImGui::PopID();
            }
            ImGui::EndCombo();
        }
        ctx.record("field:pipeline");
        ImGui::SameLine();
    }

    if (!filter_.deals.empty()) {  // the deals behind a report's figure: say so, offer the whole board
        char chip[320];
        std::snprintf(chip, sizeof chip, ctx.t("reports.drill"), reportCaption_.c_str(),
                      static_cast<int>(filter_.deals.size()));
        ImGui::PushStyleColor(ImGuiCol_Button, ctx.palette.cardSelected);
        if (ImGui::Button((std::string(chip) + "  ×###report-drill").c_str())) {
            filter_ = BoardFilter{};
            reportCaption_.clear();
        }
        ImGui::PopStyleColor();
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", ctx.t("reports.drill_clear"));
        ctx.record("button:report-drill");
        ctx.record(std::string("board:drill=") + chip);
        ImGui::SameLine();
    }

    if (focusSearch_) {
        ImGui::SetKeyboardFocusHere();
        focusSearch_ = false;
    }
    ImGui::SetNextItemWidth(std::clamp(ImGui::GetIO().DisplaySize.x - 260.0f, 120.0f, 240.0f));
    if (ImGui::InputTextWithHint("##search", ctx.t("board.search"), &searchBuf_)) filter_.search = searchBuf_;
    ctx.record("field:search");

    sameLineOrWrap(buttonWidth(ctx.t("board.filter")) + 16);
    bool filtering = !filter_.owner.empty() || filter_.grade >= 0 || !filter_.label.empty() || filter_.source >= 0 ||
                     filter_.status != StatusFilter::Active;
    std::string filterLabel = std::string(ctx.t("board.filter")) + (filtering ? " ●" : "") + "###filter";
    if (ImGui::Button(filterLabel.c_str())) ImGui::OpenPopup("filters");
    ctx.record(ctx.t("board.filter"), "button:filter");
    if (ImGui::BeginPopup("filters")) {
        auto row = [&](const char* key) {
            ImGui::AlignTextToFramePadding();
            ImGui::TextUnformatted(ctx.t(key));
            ImGui::SameLine(110);
            ImGui::SetNextItemWidth(180);
        };
        row("board.owner");
        const Member* owner = doc.findMember(filter_.owner);
        if (ImGui::BeginCombo("##owner", owner ? owner->name.c_str() : ctx.t("board.all"))) {
            if (ImGui::Selectable(ctx.t("board.all"), filter_.owner.empty())) filter_.owner.clear();
            for (const Member& m : doc.members) {
                ImGui::PushID(m.id.c_str());
                if (ImGui::Selectable(m.name.c_str(), m.id == filter_.owner)) filter_.owner = m.id;
                ImGui::PopID();
            }
            ImGui::EndCombo();
        }
        ctx.record("field:filter.owner");
        row("board.grade");
        static const char* kGrades[] = {"A", "B", "C", "D"};
        if (ImGui::BeginCombo("##grade", filter_.grade < 0 ? ctx.t("board.all") : kGrades[filter_.grade])) {
            if (ImGui::Selectable(ctx.t("board.all"), filter_.grade < 0)) filter_.grade = -1;
            for (int g = 0; g < 4; ++g)
                if (ImGui::Selectable(kGrades[g], filter_.grade == g)) filter_.grade = g;
            ImGui::EndCombo();
        }
        ctx.record("field:filter.grade");
        row("board.label");
        if (ImGui::BeginCombo("##label", filter_.label.empty() ? ctx.t("board.all") : filter_.label.c_str())) {
            if (ImGui::Selectable(ctx.t("board.all"), filter_.label.empty())) filter_.label.clear();
            std::vector<std::string> labels;
            for (const Deal& d : doc.deals)
                for (const std::string& l : d.labels)
                    if (std::find(labels.begin(), labels.end(), l) == labels.end()) labels.push_back(l);
            std::sort(labels.begin(), labels.end());
            for (const std::string& l : labels)
                if (ImGui::Selectable(l.c_str(), l == filter_.label)) filter_.label = l;
            ImGui::EndCombo();
        }
        ctx.record("field:filter.label");
        row("board.source");
        if (ImGui::BeginCombo("##source", filter_.source < 0 ? ctx.t("board.all")
                                                            : toString(static_cast<LeadSource>(filter_.source)))) {
            if (ImGui::Selectable(ctx.t("board.all"), filter_.source < 0)) filter_.source = -1;
            for (int s = 0; s <= static_cast<int>(LeadSource::Referral); ++s)
                if (ImGui::Selectable(toString(static_cast<LeadSource>(s)), filter_.source == s)) filter_.source = s;
            ImGui::EndCombo();
        }
        ctx.record("field:filter.source");
        row("board.status");
        static const char* kStatusKeys[] = {"board.all", "status.open", "status.won", "status.lost", "status.suspended",
                                            "board.all"};
        const char* statusNames[] = {"Open + Won", ctx.t("status.open"), ctx.t("status.won"), ctx.t("status.lost"),
                                     ctx.t("status.suspended"), ctx.t("board.all")};
        (void)kStatusKeys;
        std::string active = std::string(ctx.t("status.open")) + " + " + ctx.t("status.won");
        statusNames[0] = active.c_str();
        if (ImGui::BeginCombo("##status", statusNames[static_cast<int>(filter_.status)])) {
            for (int s = 0; s < 6; ++s) {
                if (ImGui::Selectable(statusNames[s], static_cast<int>(filter_.status) == s))
                    filter_.status = static_cast<StatusFilter>(s);
                ctx.record(statusNames[s]);
            }
            ImGui::EndCombo();
        }
        ctx.record("field:filter.status");
        if (ImGui::Button(ctx.t("board.clear_filters"))) {
            std::string keepSearch = filter_.search;
            filter_ = BoardFilter{};
            filter_.search = keepSearch;
        }
        ctx.record("button:clear-filters");
        ImGui::EndPopup();
    }

    sameLineOrWrap(150);
    const char* sortNames[] = {ctx.t("board.sort.manual"), ctx.t("board.sort.value"), ctx.t("board.sort.close"),
                               ctx.t("board.sort.updated")};
    ImGui::SetNextItemWidth(150);
    if (ImGui::BeginCombo("##sort", sortNames[static_cast<int>(sort_)])) {
        for (int s = 0; s < 4; ++s)
            if (ImGui::Selectable(sortNames[s], static_cast<int>(sort_) == s)) sort_ = static_cast<SortOrder>(s);
        ImGui::EndCombo();
    }
    ctx.record("field:sort");
}

// [SECTION] Columns and cards

void Board::draw(ViewContext& ctx, std::uint64_t revision) {
    if (revision != builtRevision_ || pipelineId_ != builtPipeline_ || !(filter_ == builtFilter_) ||
        sort_ != builtSort_) {
        rebuild(ctx);
        builtRevision_ = revision;
        builtPipeline_ = pipelineId_;
        builtFilter_ = filter_;
        builtSort_ = sort_;
    }
    if (columns_.empty()) {
        ImGui::Dummy(ImVec2(0, 40));
        // (A snapshot that could not be opened has no pipeline: its notice says why, not this.)
        if (!ctx.readOnly) ImGui::TextDisabled("%s", ctx.t("board.empty_pipeline"));
        return;
    }
    if (!missingRates_.empty()) {
        std::string list;
        for (const auto& c : missingRates_) list += (list.empty() ? " " : ", ") + c;
        ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(ctx.palette.dueToday), "%s%s", ctx.t("board.missing_rate"),
                           list.c_str());
    }

    ImVec2 avail = ImGui::GetContentRegionAvail();
    bool narrow = ImGui::GetIO().DisplaySize.x < 700.0f;
    if (narrow) {
        // Phones: one stage at a time, chosen with tabs.
        phoneStage_ = std::clamp(phoneStage_, 0, static_cast<int>(columns_.size()) - 1);
        if (ImGui::BeginTabBar("##stages", ImGuiTabBarFlags_FittingPolicyScroll)) {
            for (int i = 0; i < static_cast<int>(columns_.size()); ++i) {
                std::string label = columns_[i].stage->name.get(ctx.lang) + "###tab-" + columns_[i].stage->id;
                if (ImGui::BeginTabItem(label.c_str())) {
                    phoneStage_ = i;
                    ImGui::EndTabItem();
                }
            }
            ImGui::EndTabBar();
        }
        avail = ImGui::GetContentRegionAvail();
        drawColumn(ctx, columns_[phoneStage_], phoneStage_, avail.x, avail.y);
    } else {
        ImGui::BeginChild("##columns", avail, ImGuiChildFlags_None,
                          ImGuiWindowFlags_HorizontalScrollbar | ImGuiWindowFlags_NoBackground);
        float h = ImGui::GetContentRegionAvail().y;
        for (int i = 0; i < static_cast<int>(columns_.size()); ++i) {
            if (i > 0) ImGui::SameLine(0, 10);
            drawColumn(ctx, columns_[i], i, kColumnWidth, h);
        }
        ImGui::EndChild();
    }
    keyboardMoves(ctx);
    drawDialogs(ctx);
}

void Board::drawColumn(ViewContext& ctx, Column& col, int stageIndex, float width, float height) {
    const Palette& pal = ctx.palette;
    const Stage& stage = *col.stage;
    ImGui::PushID(stage.id.c_str());
    ImGui::PushStyleColor(ImGuiCol_ChildBg, pal.surface);
    ImGui::BeginChild("##column", ImVec2(width, height), ImGuiChildFlags_None, ImGuiWindowFlags_NoScrollbar);
    ImDrawList* dl = ImGui::GetWindowDrawList();

    // Header: accent strip, stage name, count, totals.
    ImVec2 wp = ImGui::GetWindowPos();
    ImU32 accent = pal.stage[stageIndex % 8];
    dl->AddRectFilled(wp, ImVec2(wp.x + width, wp.y + kAccentHeight), accent, 8.0f, ImDrawFlags_RoundCornersTop);
    // The child has no padding (no border): without this the name's line box starts under the strip.
    ImGui::SetCursorPosY(kAccentHeight + kAccentGap);
    const std::string& name = stage.name.get(ctx.lang);
    ImGui::TextUnformatted(name.c_str());
    ctx.record(name, "stage:" + stage.id);
    ImGui::SameLine();
    ImGui::TextDisabled("%d", static_cast<int>(col.deals.size()));
    ImGui::SameLine(width - 60);
    ImGui::TextDisabled("%d%%", stage.probability);
    const std::string& cur = ctx.doc.settings.displayCurrency;
    ImGui::Text("%s", formatMoneyCompact(col.total, cur, ctx.lang).c_str());
    ctx.record("stage-total:" + stage.id);
    ImGui::SameLine();
    ImGui::TextDisabled("· %s %s", ctx.t("board.weighted"), formatMoneyCompact(col.weighted, cur, ctx.lang).c_str());
    char listName[512];
    std::snprintf(listName, sizeof listName, ctx.t("a11y.column"), name.c_str(), static_cast<int>(col.deals.size()),
                  formatMoneyCompact(col.total, cur, ctx.lang).c_str());
    ctx.group("column:" + stage.id, "list", listName, Rect{wp.x, wp.y, width, height});

    // Quick add (not in a shared snapshot, which is read-only).
    if (!ctx.readOnly) {
        std::string& buf = quickAdd_[stageIndex];
        ImGui::SetNextItemWidth(-1);
        if (ImGui::InputTextWithHint("##quick", ctx.t("board.quick_add"), &buf, ImGuiInputTextFlags_EnterReturnsTrue)) {
            std::string title = buf;
            title.erase(0, title.find_first_not_of(" \t"));
            title.erase(title.find_last_not_of(" \t") + 1);
            if (!title.empty()) {
                json c = {{"op", "deal.create"}, {"title", title}, {"pipelineId", pipelineId_}, {"stageId", stage.id}};
                if (!ctx.doc.settings.me.empty()) c["owner"] = ctx.doc.settings.me;
                ctx.push(std::move(c));
            }
            buf.clear();
            ImGui::SetKeyboardFocusHere(-1);  // stay in the field for the next deal
        }
        ctx.record("field:quick-add:" + stage.id);
        ctx.describe("field:quick-add:" + stage.id, "textbox", std::string(ctx.t("board.quick_add")) + " · " + name);
        if (stageIndex == 0) ctx.record("field:quick-add");
    }

    // Cards, clipped to what is visible.
    ImGui::BeginChild("##cards", ImVec2(0, 0), ImGuiChildFlags_None, ImGuiWindowFlags_None);
    ImVec2 listOrigin = ImGui::GetCursorScreenPos();
    float cardW = ImGui::GetContentRegionAvail().x;
    if (col.deals.empty()) {
        ImGui::Dummy(ImVec2(0, 8));
        ImGui::TextDisabled("%s", filter_ == BoardFilter{} ? ctx.t("board.empty_column") : ctx.t("board.no_match"));
    }
    ImGuiListClipper clipper;
    clipper.Begin(static_cast<int>(col.deals.size()), kCardHeight + kCardGap);
    while (clipper.Step())
        for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i)
            drawCard(ctx, ctx.doc.deals[col.deals[i]], col, stageIndex, cardW);
    // Room to drop below the last card.
    ImGui::Dummy(ImVec2(cardW, std::max(40.0f, ImGui::GetContentRegionAvail().y)));

    // Drop target: the whole list; the insertion index comes from the pointer's height.
    ImRect target(ImGui::GetWindowPos(), ImVec2(ImGui::GetWindowPos().x + ImGui::GetWindowSize().x,
                                                ImGui::GetWindowPos().y + ImGui::GetWindowSize().y));
    if (!ctx.readOnly && ImGui::BeginDragDropTargetCustom(target, ImGui::GetID("##drop"))) {
        float y = ImGui::GetIO().MousePos.y - listOrigin.y;
        int index = std::clamp(static_cast<int>((y + kCardGap / 2) / (kCardHeight + kCardGap)), 0,
                               static_cast<int>(col.deals.size()));
        float lineY = listOrigin.y + index * (kCardHeight + kCardGap) - kCardGap / 2;
        ImGui::GetWindowDrawList()->AddLine(ImVec2(listOrigin.x, lineY), ImVec2(listOrigin.x + cardW, lineY), pal.accent,
                                            3.0f);
        if (const ImGuiPayload* pl = ImGui::AcceptDragDropPayload(kDealPayload, ImGuiDragDropFlags_AcceptNoDrawDefaultRect)) {
            std::string id(static_cast<const char*>(pl->Data), static_cast<std::size_t>(pl->DataSize));
            const Deal* d = ctx.doc.findDeal(id);
            if (d) {
                // Index among the column as shown; moving down within a column skips the card itself.
                int current = -1;
                for (int k = 0; k < static_cast<int>(col.deals.size()); ++k)
                    if (ctx.doc.deals[col.deals[k]].id == id) current = k;
                if (current >= 0 && current < index) --index;
                if (!(current == index && d->stageId == stage.id))
                    ctx.push({{"op", "deal.move"}, {"id", id}, {"stageId", stage.id}, {"index", index}});
            }
        }
        ImGui::EndDragDropTarget();
    }
    ImGui::EndChild();
    ImGui::EndChild();
    ImGui::PopStyleColor();
    ImGui::PopID();
}

void Board::drawCard(ViewContext& ctx, const Deal& deal, const Column& col, int stageIndex, float width) {
    (void)col;
    const Palette& pal = ctx.palette;
    ImGui::PushID(deal.id.c_str());
    ImVec2 p = ImGui::GetCursorScreenPos();
    ImVec2 size(width, kCardHeight);
    // The "…" menu button is submitted before the card so it owns the hover over its corner (a
    // card with AllowOverlap would only become hoverable a frame late, losing quick clicks); it is
    // drawn after the card's background, below.
    const ImVec2 moreMin(p.x + size.x - 12 - 26, p.y + size.y - 26), moreSize(26, 20);
    bool moreHovered = false;
    if (!ctx.readOnly) {  // a shared snapshot has no card actions: no menu, no drag
        ImGui::SetCursorScreenPos(moreMin);
        if (ImGui::InvisibleButton("##more", moreSize)) ImGui::OpenPopup("##menu");
        moreHovered = ImGui::IsItemHovered();
        ctx.record("button:deal-menu:" + deal.id);
    }
    ImGui::SetCursorScreenPos(p);
    // A click (press and release on the card, no drag) opens it; the press alone selects it.
    const bool clicked = ImGui::InvisibleButton("##card", size, ImGuiButtonFlags_MouseButtonLeft);
    bool hovered = ImGui::IsItemHovered();
    ctx.record("deal:" + deal.id, deal.title);
    const ImGuiID cardItem = ImGui::GetItemID();
    if (ImGui::IsItemActivated()) selected_ = deal.id;
    if (clicked && !ImGui::IsMouseDragPastThreshold(ImGuiMouseButton_Left)) ctx.route = "#/deal/" + deal.id;
    if (!ctx.readOnly && ImGui::BeginDragDropSource(ImGuiDragDropFlags_None)) {
        ImGui::SetDragDropPayload(kDealPayload, deal.id.data(), deal.id.size());
        ImGui::TextUnformatted(deal.title.c_str());
        ImGui::TextDisabled("%s", formatMoney(deal.value, deal.currency, ctx.lang).c_str());
        ImGui::EndDragDropSource();
    }
    if (!ctx.readOnly && ImGui::BeginPopupContextItem("##menu")) {
        cardMenu(ctx, deal, stageIndex);
        ImGui::EndPopup();
    }

    ImDrawList* dl = ImGui::GetWindowDrawList();
    bool selected = selected_ == deal.id;
    ImU32 bg = selected ? pal.cardSelected : hovered ? pal.cardHover : pal.card;
    dl->AddRectFilled(p, ImVec2(p.x + size.x, p.y + size.y), bg, 8.0f);
    dl->AddRect(p, ImVec2(p.x + size.x, p.y + size.y), selected ? pal.accent : pal.border, 8.0f, 0, selected ? 2.0f : 1.0f);
    ImU32 statusColor = deal.status == DealStatus::Won      ? pal.won
                        : deal.status == DealStatus::Lost   ? pal.lost
                        : deal.status == DealStatus::Suspended ? pal.suspended
                                                            : pal.stage[stageIndex % 8];
    dl->AddRectFilled(p, ImVec2(p.x + 4, p.y + size.y), statusColor, 8.0f, ImDrawFlags_RoundCornersLeft);

    const float pad = 12.0f, line = ImGui::GetFontSize() + 5.0f;
    float right = p.x + size.x - pad;

    // Row 1: title … grade badge.
    const Customer* customer = nullptr;
    if (auto it = customerIndex_.find(deal.customerId); it != customerIndex_.end() && it->second < ctx.doc.customers.size())
        customer = &ctx.doc.customers[it->second];
    float badge = 0;
    if (customer) {
        static const char* kGrades[] = {"A", "B", "C", "D"};
        int g = static_cast<int>(customer->grade);
        ImVec2 c(right - 8, p.y + 8 + ImGui::GetFontSize() / 2);
        dl->AddCircleFilled(c, 9.0f, pal.grade[g]);
        ImVec2 ts = ImGui::CalcTextSize(kGrades[g]);
        dl->AddText(ImVec2(c.x - ts.x / 2, c.y - ts.y / 2), pal.accentText, kGrades[g]);
        badge = 24;
    }
    textTruncated(dl, ImVec2(p.x + pad, p.y + 8), right - badge, pal.text, deal.title);
    // Row 2: customer.
    if (customer) textTruncated(dl, ImVec2(p.x + pad, p.y + 8 + line), right, pal.textDim, customer->name);
    // Row 3: value … owner initials.
    std::string value = formatMoney(deal.value, deal.currency, ctx.lang);
    dl->AddText(ImVec2(p.x + pad, p.y + 8 + 2 * line), pal.text, value.c_str());
    if (auto it = memberIndex_.find(deal.owner); it != memberIndex_.end() && it->second < ctx.doc.members.size()) {
        const Member& m = ctx.doc.members[it->second];
        std::string ini = m.initials.empty() ? initialsOf(m.name) : m.initials;
        ImVec2 c(right - 10, p.y + 8 + 2 * line + ImGui::GetFontSize() / 2);
        dl->AddCircleFilled(c, 11.0f, pal.label);
        ImVec2 ts = ImGui::CalcTextSize(ini.c_str());
        dl->AddText(ImVec2(c.x - ts.x / 2, c.y - ts.y / 2), pal.text, ini.c_str());
    }
    // Row 4: next activity (overdue / today / none), idle marker, labels.
    float x = p.x + pad, y = p.y + 8 + 3 * line;
    std::string next;
    ImU32 nextColor = pal.textDim;
    if (deal.status == DealStatus::Open) {
        auto it = nextActivity_.find(deal.id);
        Time due = it != nextActivity_.end() ? it->second.first : 0;
        Date dueDate = due ? dateFromTime(due, ctx.utcOffsetMinutes) : deal.nextStepDue;
        if (dueDate != kNoDate) {
            if (dueDate < ctx.today) {
                next = std::string("● ") + ctx.t("board.overdue") + " " + formatDateShort(dueDate, ctx.lang);
                nextColor = pal.overdue;
            } else if (dueDate == ctx.today) {
                next = std::string("● ") + ctx.t("board.due_today");
                nextColor = pal.dueToday;
            } else {
                next = "○ " + formatDateShort(dueDate, ctx.lang);
            }
        } else {
            next = std::string("○ ") + ctx.t("board.no_activity");
        }
    } else if (deal.status == DealStatus::Suspended) {
        next = std::string(ctx.t("status.suspended")) + " → " + formatDateShort(deal.suspendedUntil, ctx.lang);
        nextColor = pal.suspended;
    } else {
        next = ctx.t(deal.status == DealStatus::Won ? "status.won" : "status.lost");
        nextColor = deal.status == DealStatus::Won ? pal.won : pal.lost;
    }
    dl->AddText(ImVec2(x, y), nextColor, next.c_str());
    // For screen readers: "deal, customer, value, stage, overdue …".
    ctx.describe("deal:" + deal.id, "listitem",
                 deal.title + ", " + (customer ? customer->name + ", " : std::string()) + value + ", " +
                     col.stage->name.get(ctx.lang) + ", " + next,
                 "column:" + col.stage->id, -1, cardItem);
    x += ImGui::CalcTextSize(next.c_str()).x + 8;
    if (deal.status == DealStatus::Open && col.stage->rottingDays > 0) {
        Time since = deal.lastActivityAt;
        if (!deal.stageHistory.empty()) since = std::max(since, deal.stageHistory.back().at);
        if (since == 0) since = deal.createdAt;
        int idleDays = static_cast<int>(static_cast<float>(ctx.now - since) / kDayMs);
        if (idleDays > col.stage->rottingDays) {
            char days[32], buf[64];
            std::snprintf(days, sizeof days, ctx.t("unit.days"), idleDays);
            std::snprintf(buf, sizeof buf, "%s %s", ctx.t("board.rotting"), days);
            ImVec2 ts = ImGui::CalcTextSize(buf);
            dl->AddRectFilled(ImVec2(x - 3, y - 1), ImVec2(x + ts.x + 3, y + ts.y + 1), (pal.idle & 0x00FFFFFF) | 0x30000000, 4);
            dl->AddText(ImVec2(x, y), pal.idle, buf);
            x += ts.x + 10;
        }
    }
    for (const std::string& l : deal.labels) {
        ImVec2 ts = ImGui::CalcTextSize(l.c_str());
        if (x + ts.x + 6 > right - 30) break;  // leave the "…" corner free
        dl->AddRectFilled(ImVec2(x - 3, y - 1), ImVec2(x + ts.x + 3, y + ts.y + 1), pal.label, 4);
        dl->AddText(ImVec2(x, y), pal.text, l.c_str());
        x += ts.x + 10;
    }

    // The "…" menu button: every action reachable without hover or right click (touch).
    if (!ctx.readOnly) {
        dl->AddRectFilled(moreMin, ImVec2(moreMin.x + moreSize.x, moreMin.y + moreSize.y),
                          moreHovered ? pal.cardSelected : pal.surface, 4.0f);
        ImVec2 dots = ImGui::CalcTextSize("...");
        dl->AddText(ImVec2(moreMin.x + (moreSize.x - dots.x) / 2, moreMin.y + (moreSize.y - dots.y) / 2 - 3), pal.text, "...");
    }
    ImGui::SetCursorScreenPos(ImVec2(p.x, p.y + size.y + kCardGap));
    ImGui::Dummy(ImVec2(0, 0));
    ImGui::SetCursorScreenPos(ImVec2(p.x, p.y + size.y + kCardGap));
    ImGui::PopID();
}

// [SECTION] Card actions, keyboard moves

void Board::cardMenu(ViewContext& ctx, const Deal& deal, int stageIndex) {
    const Pipeline* p = ctx.doc.findPipeline(deal.pipelineId);
    int n = p ? static_cast<int>(p->stages.size()) : 0;
    if (ImGui::MenuItem(ctx.t("action.open"))) ctx.route = "#/deal/" + deal.id;
    ctx.record("menu:open");
    if (deal.status == DealStatus::Open) {
        if (ImGui::MenuItem(ctx.t("deal.move_next"), nullptr, false, stageIndex + 1 < n))
            ctx.push({{"op", "deal.move"}, {"id", deal.id}, {"stageId", p->stages[stageIndex + 1].id}});
        ctx.record("menu:next-stage");
        if (ImGui::MenuItem(ctx.t("deal.move_prev"), nullptr, false, stageIndex > 0))
            ctx.push({{"op", "deal.move"}, {"id", deal.id}, {"stageId", p->stages[stageIndex - 1].id}});
        ctx.record("menu:prev-stage");
        ImGui::Separator();
        if (ImGui::MenuItem(ctx.t("deal.win"))) ctx.push({{"op", "deal.win"}, {"id", deal.id}});
        ctx.record("menu:win");
        if (ImGui::MenuItem(ctx.t("deal.lose"))) askLose(deal.id);
        ctx.record("menu:lose");
        if (ImGui::MenuItem(ctx.t("deal.suspend"))) askSuspend(deal.id);
        ctx.record("menu:suspend");
    } else {
        if (ImGui::MenuItem(ctx.t("deal.reopen"))) ctx.push({{"op", "deal.reopen"}, {"id", deal.id}});
        ctx.record("menu:reopen");
    }
    ImGui::Separator();
    if (ImGui::MenuItem(ctx.t("action.delete"))) ctx.push({{"op", "deal.delete"}, {"id", deal.id}});
    ctx.record("menu:delete");
}

void Board::keyboardMoves(ViewContext& ctx) {
    // Alt+←/→ moves the selected card between stages, Alt+↑/↓ within its column, Enter opens it.
    const Deal* d = ctx.doc.findDeal(selected_);
    if (!d || d->deleted || ImGui::GetIO().WantTextInput || ImGui::IsPopupOpen("", ImGuiPopupFlags_AnyPopupId)) return;
    const Pipeline* p = ctx.doc.findPipeline(d->pipelineId);
    if (!p) return;
    int si = -1;
    for (int i = 0; i < static_cast<int>(p->stages.size()); ++i)
        if (p->stages[i].id == d->stageId) si = i;
    if (si < 0) return;
    bool alt = ImGui::GetIO().KeyAlt && !ctx.readOnly;  // moves edit; Enter only opens
    if (alt && ImGui::IsKeyPressed(ImGuiKey_RightArrow) && si + 1 < static_cast<int>(p->stages.size()))
        ctx.push({{"op", "deal.move"}, {"id", d->id}, {"stageId", p->stages[si + 1].id}});
    if (alt && ImGui::IsKeyPressed(ImGuiKey_LeftArrow) && si > 0)
        ctx.push({{"op", "deal.move"}, {"id", d->id}, {"stageId", p->stages[si - 1].id}});
    if (alt && (ImGui::IsKeyPressed(ImGuiKey_UpArrow) || ImGui::IsKeyPressed(ImGuiKey_DownArrow))) {
        for (const Column& c : columns_) {
            if (c.stage->id != d->stageId) continue;
            for (int k = 0; k < static_cast<int>(c.deals.size()); ++k) {
                if (ctx.doc.deals[c.deals[k]].id != d->id) continue;
                int to = ImGui::IsKeyPressed(ImGuiKey_UpArrow) ? k - 1 : k + 1;
                if (to >= 0 && to < static_cast<int>(c.deals.size()))
                    ctx.push({{"op", "deal.reorder"}, {"id", d->id}, {"index", to}});
            }
        }
    }
    if (!alt && ImGui::IsKeyPressed(ImGuiKey_Enter) && !ImGui::IsAnyItemActive()) ctx.route = "#/deal/" + d->id;
}

// [SECTION] Dialogs: lost reason, suspend until

void Board::drawDialogs(ViewContext& ctx) {
    if (dialog_ == Dialog::None) return;
    const char* popup = dialog_ == Dialog::Lose ? "##lose" : "##suspend";
    if (!dialogOpened_) {
        ImGui::OpenPopup(popup);
        dialogOpened_ = true;
        dialogError_.clear();
        dialogText_ = dialog_ == Dialog::Lose ? "" : formatDate(ctx.today + 30);
    }
    ImGui::SetNextWindowPos(ImGui::GetMainViewport()->GetCenter(), ImGuiCond_Appearing, ImVec2(0.5f, 0.5f));
    ImGui::SetNextWindowSize(ImVec2(360, 0));
    bool open = true;
    if (ImGui::BeginPopupModal(popup, &open, ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoResize)) {
        const Deal* d = ctx.doc.findDeal(dialogDeal_);
        ImGui::TextUnformatted(d ? d->title.c_str() : "");
        ImGui::Spacing();
        ImGui::TextUnformatted(ctx.t(dialog_ == Dialog::Lose ? "deal.lost_reason" : "deal.suspend_until"));
        if (ImGui::IsWindowAppearing()) ImGui::SetKeyboardFocusHere();
        bool enter = false;
        if (dialog_ == Dialog::Lose) {
            ImGui::SetNextItemWidth(-1);
            enter = ImGui::InputText("##dialog-text", &dialogText_, ImGuiInputTextFlags_EnterReturnsTrue);
            ctx.record("field:lost-reason");
        } else {  // the revisit date: typed in the user's format or picked (widgets.h)
            Date until = parseDate(dialogText_).value_or(kNoDate);
            if (datePicker(ctx, "suspend-until", until, until, false)) dialogText_ = formatDate(until);
        }
        if (!dialogError_.empty()) ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(ctx.palette.overdue), "%s", dialogError_.c_str());
        ImGui::Spacing();
        bool ok = ImGui::Button(ctx.t("action.ok"), ImVec2(100, 0)) || enter;
        ctx.record(ctx.t("action.ok"), "button:dialog-ok");
        ImGui::SameLine();
        bool cancel = ImGui::Button(ctx.t("action.cancel"), ImVec2(100, 0)) || ImGui::IsKeyPressed(ImGuiKey_Escape);
        ctx.record(ctx.t("action.cancel"), "button:dialog-cancel");
        if (ok && d) {
            if (dialog_ == Dialog::Lose) {
                if (dialogText_.find_first_not_of(" \t") == std::string::npos) dialogError_ = ctx.t("deal.lost_reason_required");
                else {
                    ctx.push({{"op", "deal.lose"}, {"id", d->id}, {"reason", dialogText_}});
                    cancel = true;
                }
            } else {
                if (auto date = parseDate(dialogText_)) {
                    ctx.push({{"op", "deal.suspend"}, {"id", d->id}, {"until", formatDate(*date)}});
                    cancel = true;
                } else {
                    dialogError_ = ctx.t("deal.bad_date");
                }
            }
        }
        if (cancel || !d) {
            ImGui::CloseCurrentPopup();
            dialog_ = Dialog::None;
        }
        ImGui::EndPopup();
    }
    if (!open) dialog_ = Dialog::None;
}

}  // namespace funnel::ui
