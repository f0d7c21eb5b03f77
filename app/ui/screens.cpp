// Funnel — the deal panel, customers, Today and Settings screens (see screens.h).
//
// Index
// [SECTION] Field widgets: copy the model value, let ImGui edit it, push a *.set when it changed
// [SECTION] Contacts (shared by the deal panel and the customer card)
// [SECTION] Deal panel
// [SECTION] Customers
// [SECTION] Today
// [SECTION] Settings
#include "ui/screens.h"

#include <algorithm>
#include <array>
#include <cstdio>

#include <imgui_internal.h>
#include <misc/cpp/imgui_stdlib.h>

#include "core/metrics.h"
#include "ui/activities.h"
#include "ui/reports.h"
#include "ui/theme.h"
#include "ui/widgets.h"

namespace funnel::ui {

namespace {

constexpr float kLabelWidth = 185.0f;

void pushSet(ViewContext& ctx, const std::string& entity, const Id& id, const char* field, json value) {
    ctx.push({{"op", entity + ".set"}, {"id", id}, {"field", field}, {"value", std::move(value)}});
}

void fieldLabel(ViewContext& ctx, const char* key) {
    ImGui::AlignTextToFramePadding();
    ImGui::TextDisabled("%s", ctx.t(key));
    ctx.rects.label = ctx.t(key);  // names the field recorded next, for screen readers
    ImGui::SameLine(kLabelWidth);
    ImGui::SetNextItemWidth(-1);
}

// A text field bound to a model string: returns true (and the new text) when the user typed.
bool textField(ViewContext& ctx, const char* labelKey, const std::string& fieldId, const std::string& value,
               std::string& out, bool multiline = false) {
    fieldLabel(ctx, labelKey);
    out = value;
    std::string id = "##" + fieldId;
    bool changed = multiline ? ImGui::InputTextMultiline(id.c_str(), &out, ImVec2(-1, ImGui::GetTextLineHeight() * 3.2f))
                             : ImGui::InputText(id.c_str(), &out);
    ctx.record("field:" + fieldId);
    return changed && out != value;
}

// A date field with its label: typed in the user's format or picked in the calendar (widgets.h).
bool dateField(ViewContext& ctx, const char* labelKey, const std::string& fieldId, Date value, json& out) {
    ImGui::AlignTextToFramePadding();
    ImGui::TextDisabled("%s", ctx.t(labelKey));
    ImGui::SameLine(kLabelWidth);
    Date picked = value;
    if (!datePicker(ctx, fieldId, value, picked)) return false;
    out = picked == kNoDate ? json(nullptr) : json(formatDate(picked));
    return true;
}

std::vector<std::string> splitLabels(const std::string& s) {
    std::vector<std::string> out;
    std::string cur;
    auto flush = [&] {
        cur.erase(0, cur.find_first_not_of(' '));
        cur.erase(cur.find_last_not_of(' ') + 1);
        if (!cur.empty() && std::find(out.begin(), out.end(), cur) == out.end()) out.push_back(cur);
        cur.clear();
    };
    for (char c : s) {
        if (c == ',') flush();
        else cur += c;
    }
    flush();
    return out;
}

std::string joinLabels(const std::vector<std::string>& v) {
    std::string s;
    for (const auto& l : v) s += (s.empty() ? "" : ", ") + l;
    return s;
}

const char* kCurrencies[] = {"CNY", "TWD", "HKD", "KRW", "USD", "EUR"};
const char* kRoleKeys[] = {"role.unknown", "role.decisionMaker", "role.user", "role.technicalGatekeeper",
                           "role.financialGatekeeper", "role.purchasing", "role.coach"};
const char* kAttitudeKeys[] = {"attitude.neutral", "attitude.supporter", "attitude.opponent"};
const char* kObjectionKeys[] = {"objection.price",      "objection.function",        "objection.afterSales",
                                "objection.competitor", "objection.resourceSupport", "objection.guarantee",
                                "objection.other"};

// Each language named in itself (the same in every UI language), in kLanguages order.
constexpr const char* kLanguageNames[] = {"English", "简体中文", "繁體中文", "한국어"};

void sectionHeader(ViewContext& ctx, const char* key) {
    ImGui::Spacing();
    ImGui::PushStyleColor(ImGuiCol_Text, ctx.palette.accent);
    ImGui::SeparatorText(ctx.t(key));
    ImGui::PopStyleColor();
}

std::string timeLabel(Time t, const std::string& lang) {
    if (t == 0) return "";
    return formatDateShort(dateFromTime(t), lang);
}

}  // namespace

// [SECTION] Contacts (shared by the deal panel and the customer card)

void Screens::contactRows(ViewContext& ctx, const Id& customerId) {
    int n = 0;
    for (const Contact& ct : ctx.doc.contacts) {
        if (ct.deleted || ct.customerId != customerId) continue;
        ++n;
        ImGui::PushID(ct.id.c_str());
        ImGui::AlignTextToFramePadding();
        ImU32 att = ct.attitude == Attitude::Supporter ? ctx.palette.won
                    : ct.attitude == Attitude::Opponent ? ctx.palette.overdue
                                                        : ctx.palette.textDim;
        ImGui::PushStyleColor(ImGuiCol_Text, att);
        ImGui::TextUnformatted("●");
        ImGui::PopStyleColor();
        ImGui::SameLine();
        // The name opens the contact card (phones, e-mails, messenger ids, notes).
        ImGui::PushStyleColor(ImGuiCol_Text, ctx.palette.accent);
        if (ImGui::Selectable(ct.name.c_str(), false, ImGuiSelectableFlags_None,
                              ImGui::CalcTextSize(ct.name.c_str())))
            ctx.route = "#/contact/" + ct.id;
        ImGui::PopStyleColor();
        ctx.record("contact:" + ct.id, ct.name);
        if (!ct.title.empty()) {
            ImGui::SameLine();
            ImGui::TextDisabled("%s", ct.title.c_str());
        }
        float w = (ImGui::GetContentRegionAvail().x - 8) / 2;
        ImGui::SetNextItemWidth(std::max(w, 120.0f));
        int role = static_cast<int>(ct.role);
        if (ImGui::BeginCombo("##role", ctx.t(kRoleKeys[role]))) {
            for (int r = 0; r < 7; ++r) {
                if (ImGui::Selectable(ctx.t(kRoleKeys[r]), r == role) && r != role)
                    pushSet(ctx, "contact", ct.id, "role", toString(static_cast<BuyingRole>(r)));
                ctx.record(ctx.t(kRoleKeys[r]));
            }
            ImGui::EndCombo();
        }
        ctx.record("field:contact.role:" + ct.id);
        ImGui::SameLine();
        ImGui::SetNextItemWidth(-1);
        int a = static_cast<int>(ct.attitude);
        if (ImGui::BeginCombo("##attitude", ctx.t(kAttitudeKeys[a]))) {
            for (int r = 0; r < 3; ++r)
                if (ImGui::Selectable(ctx.t(kAttitudeKeys[r]), r == a) && r != a)
                    pushSet(ctx, "contact", ct.id, "attitude", toString(static_cast<Attitude>(r)));
            ImGui::EndCombo();
        }
        ctx.record("field:contact.attitude:" + ct.id);
        ImGui::PopID();
    }
    if (n == 0) ImGui::TextDisabled("%s", ctx.t("contacts.empty"));
    ImGui::PushID(customerId.c_str());
    ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x - 80);
    bool enter = ImGui::InputTextWithHint("##new-contact", ctx.t("contacts.new"), &newContactName_,
                                          ImGuiInputTextFlags_EnterReturnsTrue);
    ctx.record("field:new-contact");
    ImGui::SameLine();
    if ((ImGui::Button((std::string(ctx.t("action.add")) + "###add-contact").c_str()) || enter) &&
        newContactName_.find_first_not_of(' ') != std::string::npos) {
        ctx.push({{"op", "contact.create"}, {"customerId", customerId}, {"name", newContactName_}});
        newContactName_.clear();
    }
    ctx.record("button:add-contact");
    ImGui::PopID();
}

// [SECTION] Deal panel

void Screens::startNewDeal(ViewContext& ctx) {
    const Pipeline* p = ctx.doc.findPipeline(board.pipelineId());
    if (!p) p = ctx.doc.findPipeline(ctx.doc.settings.defaultPipeline);
    if (!p && !ctx.doc.pipelines.empty()) p = &ctx.doc.pipelines.front();
    if (!p || p->stages.empty()) return;
    json c = {{"op", "deal.create"}, {"title", ctx.t("board.new_deal")}, {"pipelineId", p->id}, {"stageId", p->stages.front().id}};
    if (!ctx.doc.settings.me.empty()) c["owner"] = ctx.doc.settings.me;
    c["currency"] = ctx.doc.settings.displayCurrency;
    ctx.push(std::move(c));
    openCreated_ = true;
}

void Screens::dealPanel(ViewContext& ctx, const Id& dealId, Board& b) {
    const Document& doc = ctx.doc;
    const Deal* d = doc.findDeal(dealId);
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    float w = std::min(480.0f, vp->WorkSize.x);
    ImGui::SetNextWindowPos(ImVec2(vp->WorkPos.x + vp->WorkSize.x - w, vp->WorkPos.y + 48));
    ImGui::SetNextWindowSize(ImVec2(w, vp->WorkSize.y - 48 - ImGui::GetFrameHeight() - 8));
    ImGui::PushStyleColor(ImGuiCol_WindowBg, ctx.palette.card);
    ImGui::PushStyleVar(ImGuiStyleVar_WindowBorderSize, 1.0f);
    ImGui::Begin("##deal-panel", nullptr, ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings);
    {
        ImVec2 wp = ImGui::GetWindowPos(), ws = ImGui::GetWindowSize();
        ctx.rects.record("panel:deal", Rect{wp.x, wp.y, ws.x, ws.y});
        ctx.group("panel:deal", "dialog", d ? d->title : std::string(), Rect{wp.x, wp.y, ws.x, ws.y});
    }
    if (ImGui::Button((std::string("× ") + ctx.t("action.close") + "###close-deal").c_str())) ctx.route = "#/board";
    ctx.record(ctx.t("action.close"), "button:close-deal");
    // A shared snapshot: everything below reads, nothing edits (the workspace refuses changes anyway).
    ImGui::BeginDisabled(ctx.readOnly);
    if (!d || d->deleted) {
        ImGui::TextDisabled("%s", d ? ctx.t("deal.deleted") : "—");
        if (d && ImGui::Button(ctx.t("action.restore"))) ctx.push({{"op", "deal.restore"}, {"id", d->id}});
        ImGui::EndDisabled();
        ImGui::End();
        ImGui::PopStyleVar();
        ImGui::PopStyleColor();
        return;
    }
    const Pipeline* p = doc.findPipeline(d->pipelineId);
    const Stage* stage = p ? p->findStage(d->stageId) : nullptr;
    const Customer* cust = doc.findCustomer(d->customerId);
    std::string s;

    // Title and status actions.
    ImGui::SetNextItemWidth(-1);
    s = d->title;
    ImGui::PushFont(nullptr, ImGui::GetStyle().FontSizeBase * 1.35f);  // the card's title reads as its heading
    if (ImGui::InputText("##deal.title", &s) && s != d->title) pushSet(ctx, "deal", d->id, "title", s);
    ImGui::PopFont();
    ctx.record("field:deal.title");
    ctx.describe("field:deal.title", "textbox", ctx.t("field.title"));
    if (cust) {
        ImGui::TextDisabled("%s", cust->name.c_str());
        ImGui::SameLine();
    }
    ImGui::Text("%s", formatMoney(d->value, d->currency, ctx.lang).c_str());
    const char* statusKey = d->status == DealStatus::Won ? "status.won" : d->status == DealStatus::Lost ? "status.lost"
                            : d->status == DealStatus::Suspended                                    ? "status.suspended"
                                                                                                    : "status.open";
    ImGui::TextDisabled("%s", ctx.t(statusKey));
    if (d->status == DealStatus::Lost && !d->lostReason.empty()) {
        ImGui::SameLine();
        ImGui::TextDisabled("— %s", d->lostReason.c_str());
    }
    if (d->status == DealStatus::Suspended) {
        ImGui::SameLine();
        ImGui::TextDisabled("→ %s", formatDateShort(d->suspendedUntil, ctx.lang).c_str());
    }
    if (d->status == DealStatus::Open) {
        ImGui::PushStyleColor(ImGuiCol_Button, ctx.palette.won);
        ImGui::PushStyleColor(ImGuiCol_Text, ctx.palette.accentText);
        if (ImGui::Button((std::string(ctx.t("deal.win")) + "###win").c_str())) ctx.push({{"op", "deal.win"}, {"id", d->id}});
        ImGui::PopStyleColor(2);
        ctx.record(ctx.t("deal.win"), "button:win");
        ImGui::SameLine();
        if (ImGui::Button((std::string(ctx.t("deal.lose")) + "###lose").c_str())) b.askLose(d->id);
        ctx.record(ctx.t("deal.lose"), "button:lose");
        ImGui::SameLine();
        if (ImGui::Button((std::string(ctx.t("deal.suspend")) + "###suspend").c_str())) b.askSuspend(d->id);
        ctx.record(ctx.t("deal.suspend"), "button:suspend");
    } else {
        if (ImGui::Button((std::string(ctx.t("deal.reopen")) + "###reopen").c_str())) ctx.push({{"op", "deal.reopen"}, {"id", d->id}});
        ctx.record(ctx.t("deal.reopen"), "button:reopen");
    }
    ImGui::SameLine();
    if (ImGui::Button((std::string(ctx.t("action.delete")) + "###delete-deal").c_str())) {
        ctx.push({{"op", "deal.delete"}, {"id", d->id}});
        ctx.route = "#/board";
    }
    ctx.record("button:delete-deal");
    b.drawDialogs(ctx);

    ImGui::BeginChild("##deal-body", ImVec2(0, 0), ImGuiChildFlags_None, ImGuiWindowFlags_NoBackground);
    // Stage.
    fieldLabel(ctx, "field.stage");
    if (ImGui::BeginCombo("##deal.stage", stage ? stage->name.get(ctx.lang).c_str() : "—")) {
        ctx.group("listbox:deal.stage", "listbox", ctx.t("field.stage"));
        if (p)
            for (const Stage& st : p->stages) {
                ImGui::PushID(st.id.c_str());
                if (ImGui::Selectable(st.name.get(ctx.lang).c_str(), st.id == d->stageId) && st.id != d->stageId)
                    ctx.push({{"op", "deal.move"}, {"id", d->id}, {"stageId", st.id}});
                ctx.record("option:stage:" + st.id);
                ctx.describe("option:stage:" + st.id, "option", st.name.get(ctx.lang), "listbox:deal.stage", st.id == d->stageId);
                ImGui::PopID();
            }
        ImGui::EndCombo();
    }
    ctx.record("field:deal.stage");
    // Customer.
    fieldLabel(ctx, "field.customer");
    if (ImGui::BeginCombo("##deal.customer", cust ? cust->name.c_str() : "—", ImGuiComboFlags_HeightLarge)) {
        // Thousands of customers: type to narrow the list, and draw only the visible rows.
        if (ImGui::IsWindowAppearing()) {
            customerPick_.clear();
            ImGui::SetKeyboardFocusHere();
        }
        ImGui::SetNextItemWidth(-1);
        ImGui::InputTextWithHint("##pick", ctx.t("customers.search"), &customerPick_);
        std::vector<const Customer*> rows;
        for (const Customer& c : doc.customers)
            if (!c.deleted && (customerPick_.empty() || c.name.find(customerPick_) != std::string::npos)) rows.push_back(&c);
        ImGuiListClipper clip;
        clip.Begin(static_cast<int>(rows.size()));
        while (clip.Step())
            for (int i = clip.DisplayStart; i < clip.DisplayEnd; ++i) {
                const Customer& c = *rows[i];
                ImGui::PushID(c.id.c_str());
                if (ImGui::Selectable(c.name.c_str(), c.id == d->customerId)) pushSet(ctx, "deal", d->id, "customerId", c.id);
                ctx.record("customer-option:" + c.id, "customer-option:" + c.name);
                ImGui::PopID();
            }
        ImGui::EndCombo();
    }
    ctx.record("field:deal.customer");
    // Value and currency.
    fieldLabel(ctx, "field.value");
    double v = d->value;
    ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x - 90);
    if (ImGui::InputDouble("##deal.value", &v, 0, 0, "%.2f") && v != d->value && v >= 0) pushSet(ctx, "deal", d->id, "value", v);
    ctx.record("field:deal.value");
    ImGui::SameLine();
    ImGui::SetNextItemWidth(-1);
    if (ImGui::BeginCombo("##deal.currency", d->currency.c_str())) {
        for (const char* c : kCurrencies)
            if (ImGui::Selectable(c, d->currency == c) && d->currency != c) pushSet(ctx, "deal", d->id, "currency", c);
        ImGui::EndCombo();
    }
    ctx.record("field:deal.currency");
    // Probability: the stage default unless overridden.
    fieldLabel(ctx, "field.probability");
    int prob = doc.probabilityOf(*d);
    if (ImGui::SliderInt("##deal.probability", &prob, 0, 100, "%d%%") && prob != doc.probabilityOf(*d))
        pushSet(ctx, "deal", d->id, "probability", prob);
    ctx.record("field:deal.probability");
    json date;
    if (dateField(ctx, "field.expected_close", "deal.expectedClose", d->expectedClose, date))
        pushSet(ctx, "deal", d->id, "expectedClose", date);
    // Owner.
    const Member* owner = doc.findMember(d->owner);
    fieldLabel(ctx, "field.owner");
    if (ImGui::BeginCombo("##deal.owner", owner ? owner->name.c_str() : "—")) {
        for (const Member& m : doc.members) {
            ImGui::PushID(m.id.c_str());
            if (ImGui::Selectable(m.name.c_str(), m.id == d->owner)) pushSet(ctx, "deal", d->id, "owner", m.id);
            ImGui::PopID();
        }
        ImGui::EndCombo();
    }
    ctx.record("field:deal.owner");
    if (textField(ctx, "field.labels", "deal.labels", joinLabels(d->labels), s)) {
        json arr = json::array();
        for (auto& l : splitLabels(s)) arr.push_back(l);
        pushSet(ctx, "deal", d->id, "labels", arr);
    }
    if (textField(ctx, "field.next_step", "deal.nextStep", d->nextStep, s)) pushSet(ctx, "deal", d->id, "nextStep", s);
    if (dateField(ctx, "field.next_step_due", "deal.nextStepDue", d->nextStepDue, date))
        pushSet(ctx, "deal", d->id, "nextStepDue", date);

    // Playbook of the current stage.
    if (stage && !stage->playbook.empty()) {
        sectionHeader(ctx, "section.playbook");
        for (const std::string& item : stage->playbook) {
            auto it = d->checklist.find(item);
            bool done = it != d->checklist.end() && it->second;
            ImGui::PushID(item.c_str());
            if (ImGui::Checkbox(item.c_str(), &done))
                ctx.push({{"op", "deal.check"}, {"id", d->id}, {"item", item}, {"done", done}});
            ctx.record("field:playbook:" + item);
            ImGui::PopID();
        }
    }

    // Key information.
    sectionHeader(ctx, "section.key_info");
    struct KeyField { const char* label; const char* name; const std::string KeyInfo::*member; };
    static const KeyField kKeys[] = {{"key.schedule", "schedule", &KeyInfo::schedule},
                                     {"key.budget", "budget", &KeyInfo::budget},
                                     {"key.requirement", "requirement", &KeyInfo::requirement},
                                     {"key.decision", "decisionProcess", &KeyInfo::decisionProcess},
                                     {"key.competition", "competition", &KeyInfo::competition},
                                     {"key.evaluation", "evaluationItems", &KeyInfo::evaluationItems}};
    for (const KeyField& k : kKeys) {
        if (textField(ctx, k.label, std::string("deal.key.") + k.name, d->key.*(k.member), s))
            pushSet(ctx, "deal", d->id, (std::string("key.") + k.name).c_str(),
                    s);  // one field: the others stay
    }

    // Qualification.
    sectionHeader(ctx, "section.qualification");
    struct QualField { const char* label; const char* name; bool Qualification::*member; };
    static const QualField kQual[] = {{"qual.money", "money", &Qualification::money},
                                      {"qual.authority", "authority", &Qualification::authority},
                                      {"qual.need", "need", &Qualification::need},
                                      {"qual.timing", "timing", &Qualification::timing}};
    for (const QualField& q : kQual) {
        bool on = d->qualification.*(q.member);
        ImGui::SameLine(0, 0);
        if (&q != kQual) ImGui::SameLine(0, 16);
        else ImGui::NewLine();
        if (ImGui::Checkbox(ctx.t(q.label), &on))
            pushSet(ctx, "deal", d->id, (std::string("qualification.") + q.name).c_str(), on);
        ctx.record(std::string("field:deal.qualification.") + q.name);
    }

    // Contacts at the customer: buying role and attitude, edited in place.
    if (cust) {
        sectionHeader(ctx, "section.contacts");
        contactRows(ctx, cust->id);
    }

    // Objections.
    sectionHeader(ctx, "section.objections");
    for (const Objection& o : d->objections) {
        ImGui::PushID(o.id.c_str());
        bool resolved = o.resolved;
        if (ImGui::Checkbox("##resolved", &resolved))
            ctx.push({{"op", "deal.objection.set"}, {"dealId", d->id}, {"id", o.id}, {"field", "resolved"}, {"value", resolved}});
        ImGui::SameLine();
        ImGui::TextDisabled("[%s]", ctx.t(kObjectionKeys[static_cast<int>(o.category)]));
        ImGui::SameLine();
        if (o.resolved) ImGui::TextDisabled("%s", o.text.c_str());
        else ImGui::TextWrapped("%s", o.text.c_str());
        ImGui::PopID();
    }
    ImGui::SetNextItemWidth(130);
    if (ImGui::BeginCombo("##objection.category", ctx.t(kObjectionKeys[newObjectionCategory_]))) {
        for (int i = 0; i < 7; ++i)
            if (ImGui::Selectable(ctx.t(kObjectionKeys[i]), i == newObjectionCategory_)) newObjectionCategory_ = i;
        ImGui::EndCombo();
    }
    ImGui::SameLine();
    ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x - 80);
    ImGui::InputText("##objection.text", &newObjection_);
    ctx.record("field:objection.text");
    ImGui::SameLine();
    if (ImGui::Button((std::string(ctx.t("action.add")) + "###add-objection").c_str()) && !newObjection_.empty()) {
        ctx.push({{"op", "deal.objection.add"}, {"dealId", d->id},
                  {"category", toString(static_cast<ObjectionCategory>(newObjectionCategory_))}, {"text", newObjection_}});
        newObjection_.clear();
    }
    ctx.record("button:add-objection");

    // Activities: plan or log one, then the timeline (newest first), each editable in place.
    sectionHeader(ctx, "section.activities");
    activities.draw(ctx, *d, toast);

    // Stage history and change history.
    sectionHeader(ctx, "section.stage_history");
    for (const StageEntry& e : d->stageHistory) {
        const Stage* st = p ? p->findStage(e.stageId) : nullptr;
        ImGui::TextDisabled("%s  %s", timeLabel(e.at, ctx.lang).c_str(), st ? st->name.get(ctx.lang).c_str() : "—");
    }
    sectionHeader(ctx, "section.changes");
    int shown = 0;
    for (auto it = doc.changes.rbegin(); it != doc.changes.rend() && shown < 50; ++it) {
        if (it->id != d->id) continue;
        const Member* m = doc.findMember(it->by);
        ImGui::TextDisabled("%s  %s  %s", timeLabel(it->at, ctx.lang).c_str(), m ? m->name.c_str() : "",
                            it->what.c_str());
        ++shown;
    }
    ImGui::EndChild();
    ctx.record("panel:deal-body");
    ImGui::EndDisabled();
    ImGui::End();
    ImGui::PopStyleVar();
    ImGui::PopStyleColor();
}

// [SECTION] Customers

void Screens::customers(ViewContext& ctx, const Id& customerId) {
    const Document& doc = ctx.doc;
    ImGui::BeginChild("##customer-list", ImVec2(std::min(360.0f, ImGui::GetContentRegionAvail().x), 0));
    ImGui::SetNextItemWidth(-1);
    ImGui::InputTextWithHint("##customer-search", ctx.t("customers.search"), &customerSearch_);
    ctx.record("field:customer-search");
    static const char* kGrades[] = {"A", "B", "C", "D"};
    if (ImGui::RadioButton(ctx.t("board.all"), customerGrade_ < 0)) customerGrade_ = -1;
    for (int g = 0; g < 4; ++g) {
        ImGui::SameLine();
        if (ImGui::RadioButton(kGrades[g], customerGrade_ == g)) customerGrade_ = g;
    }
    if (!ctx.readOnly) {
        ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x - 70);
        bool enter = ImGui::InputTextWithHint("##new-customer", ctx.t("customers.new"), &newCustomerName_,
                                              ImGuiInputTextFlags_EnterReturnsTrue);
        ctx.record("field:new-customer");
        ImGui::SameLine();
        if ((ImGui::Button((std::string(ctx.t("action.add")) + "###add-customer").c_str()) || enter) && !newCustomerName_.empty()) {
            json c = {{"op", "customer.create"}, {"name", newCustomerName_}};
            if (!doc.settings.me.empty()) c["owner"] = doc.settings.me;
            ctx.push(std::move(c));
            newCustomerName_.clear();
        }
        ctx.record("button:add-customer");
    }
    ImGui::Separator();
    std::string q;
    for (char c : customerSearch_) q += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::vector<std::size_t> rows;
    for (std::size_t i = 0; i < doc.customers.size(); ++i) {
        const Customer& c = doc.customers[i];
        if (c.deleted || (customerGrade_ >= 0 && static_cast<int>(c.grade) != customerGrade_)) continue;
        if (!q.empty()) {
            std::string n;
            for (char ch : c.name) n += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
            if (n.find(q) == std::string::npos) continue;
        }
        rows.push_back(i);
    }
    if (rows.empty()) ImGui::TextDisabled("%s", ctx.t("customers.empty"));
    ImGuiListClipper clip;
    clip.Begin(static_cast<int>(rows.size()));
    while (clip.Step())
        for (int r = clip.DisplayStart; r < clip.DisplayEnd; ++r) {
            const Customer& c = doc.customers[rows[r]];
            ImGui::PushID(c.id.c_str());
            ImGui::PushStyleColor(ImGuiCol_Text, ctx.palette.grade[static_cast<int>(c.grade)]);
            ImGui::TextUnformatted(kGrades[static_cast<int>(c.grade)]);
            ImGui::PopStyleColor();
            ImGui::SameLine();
            if (ImGui::Selectable(c.name.c_str(), c.id == customerId)) ctx.route = "#/customer/" + c.id;
            ctx.record("customer:" + c.id, c.name);
            ImGui::PopID();
        }
    ImGui::EndChild();
    ImGui::SameLine();

    ImGui::BeginChild("##customer-card", ImVec2(0, 0));
    ImGui::BeginDisabled(ctx.readOnly);
    const Customer* c = doc.findCustomer(customerId);
    if (!c || c->deleted) {
        ImGui::TextDisabled("%s", rows.empty() ? ctx.t("customers.empty") : "");
        ImGui::EndDisabled();
        ImGui::EndChild();
        return;
    }
    std::string s;
    if (!ctx.readOnly) customerActions(ctx, *c);
    if (textField(ctx, "customers.name", "customer.name", c->name, s)) pushSet(ctx, "customer", c->id, "name", s);
    fieldLabel(ctx, "board.grade");
    int g = static_cast<int>(c->grade);
    if (ImGui::Combo("##customer.grade", &g, kGrades, 4) && g != static_cast<int>(c->grade))
        pushSet(ctx, "customer", c->id, "grade", kGrades[g]);
    ctx.record("field:customer.grade");
    if (textField(ctx, "customers.industry", "customer.industry", c->industry, s)) pushSet(ctx, "customer", c->id, "industry", s);
    if (textField(ctx, "customers.region", "customer.region", c->region, s)) pushSet(ctx, "customer", c->id, "region", s);
    if (const Customer* ref = doc.findCustomer(c->referredBy)) {
        fieldLabel(ctx, "customers.referred_by");
        if (ImGui::Selectable(ref->name.c_str())) ctx.route = "#/customer/" + ref->id;
    }
    if (textField(ctx, "customers.notes", "customer.notes", c->notes, s, true)) pushSet(ctx, "customer", c->id, "notes", s);

    // Won revenue, the next follow-up by cadence, contacts, deals.
    double won = 0;
    int repurchases = 0;
    for (const Deal& dl : doc.deals)
        if (!dl.deleted && dl.customerId == c->id && dl.status == DealStatus::Won) {
            auto r = dl.currency == doc.settings.displayCurrency ? 1.0
                     : doc.settings.rates.count(dl.currency)     ? doc.settings.rates.at(dl.currency)
                                                                 : 0.0;
            won += dl.value * r;
            repurchases += dl.repurchase ? 1 : 0;
        }
    fieldLabel(ctx, "customers.won_revenue");
    ImGui::Text("%s  (%d)", formatMoney(won, doc.settings.displayCurrency, ctx.lang).c_str(), repurchases);
    // The next follow-up by the grade's cadence.
    MetricsOptions opt;
    opt.now = ctx.now;
    opt.today = ctx.today;
    for (const FollowUpDue& f : attentionLists(doc, opt).followUps)
        if (f.customerId == c->id) {
            fieldLabel(ctx, "customers.next_follow_up");
            ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(f.daysOverdue > 0 ? ctx.palette.overdue : ctx.palette.text), "%s",
                               formatDateShort(f.due, ctx.lang).c_str());
        }
    // Whom this customer referred.
    bool referred = false;
    for (const Customer& other : doc.customers) {
        if (other.deleted || other.referredBy != c->id) continue;
        if (!referred) sectionHeader(ctx, "customers.referred");
        referred = true;
        ImGui::PushID(other.id.c_str());
        if (ImGui::Selectable(other.name.c_str())) ctx.route = "#/customer/" + other.id;
        ImGui::PopID();
    }
    sectionHeader(ctx, "section.contacts");
    contactRows(ctx, c->id);
    sectionHeader(ctx, "section.profile");
    struct ProfileField { const char* label; const char* name; const std::string CustomerProfile::*member; };
    static const ProfileField kProfile[] = {{"profile.title", "title", &CustomerProfile::title},
                                            {"profile.family", "family", &CustomerProfile::family},
                                            {"profile.hobbies", "hobbies", &CustomerProfile::hobbies},
                                            {"profile.education", "education", &CustomerProfile::education},
                                            {"profile.birthday", "birthday", &CustomerProfile::birthday},
                                            {"profile.achievements", "achievements", &CustomerProfile::achievements}};
    for (const ProfileField& pf : kProfile)
        if (textField(ctx, pf.label, std::string("customer.profile.") + pf.name, c->profile.*(pf.member), s))
            pushSet(ctx, "customer", c->id, (std::string("profile.") + pf.name).c_str(), s);
    sectionHeader(ctx, "section.deals");
    for (const Deal& dl : doc.deals) {
        if (dl.deleted || dl.customerId != c->id) continue;
        ImGui::PushID(dl.id.c_str());
        if (ImGui::Selectable((dl.title + "  " + formatMoney(dl.value, dl.currency, ctx.lang)).c_str()))
            ctx.route = "#/deal/" + dl.id;
        ImGui::PopID();
    }
    ImGui::EndDisabled();
    ImGui::EndChild();
}

// Delete (with its deals, contacts and activities, said before it happens) and merge another
// customer into this one. Records "button:customer.delete", "button:customer.merge",
// "dialog:customer.delete", "button:customer.delete-confirm", "dialog:customer.merge",
// "field:customer.merge-search", "merge-option:<id>", "button:customer.merge-confirm".
void Screens::customerActions(ViewContext& ctx, const Customer& c) {
    const Document& doc = ctx.doc;
    auto counts = [&](const Id& id) {
        std::array<int, 3> n{0, 0, 0};
        for (const Deal& d : doc.deals) n[0] += !d.deleted && d.customerId == id;
        for (const Contact& x : doc.contacts) n[1] += !x.deleted && x.customerId == id;
        for (const Activity& x : doc.activities) n[2] += !x.deleted && x.customerId == id;
        return n;
    };
    if (labelledButton(ctx, "customers.merge", "customer.merge")) {
        askMergeCustomer_ = true;
        mergeFrom_.clear();
        mergeSearch_.clear();
        ImGui::OpenPopup("##merge-customer");
    }
    ImGui::SameLine();
    if (labelledButton(ctx, "action.delete", "customer.delete")) {
        askDeleteCustomer_ = true;
        ImGui::OpenPopup("##delete-customer");
    }
    ImGui::SetNextWindowPos(ImGui::GetMainViewport()->GetCenter(), ImGuiCond_Appearing, ImVec2(0.5f, 0.5f));
    ImGui::SetNextWindowSize(ImVec2(440, 0));
    if (ImGui::BeginPopupModal("##delete-customer", nullptr,
                               ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoResize)) {
        {
            ImVec2 wp = ImGui::GetWindowPos(), ws = ImGui::GetWindowSize();
            ctx.rects.record("dialog:customer.delete", Rect{wp.x, wp.y, ws.x, ws.y});
        }
        const auto n = counts(c.id);
        char text[512];
        std::snprintf(text, sizeof text, ctx.t("customers.delete_confirm"), c.name.c_str(), n[0], n[1], n[2]);
        ImGui::TextWrapped("%s", text);
        ctx.record("customer.delete-text");
        ImGui::Spacing();
        if (accentButton(ctx, "action.delete", "customer.delete-confirm", ImVec2(120, 0))) {
            ctx.push({{"op", "customer.delete"}, {"id", c.id}, {"records", true}});
            char msg[256];
            std::snprintf(msg, sizeof msg, ctx.t("customers.deleted_toast"), c.name.c_str());
            toast.show(msg, ctx.now, json{{"op", "customer.restore"}, {"id", c.id}, {"records", true}});
            ctx.route = "#/customers";
            ImGui::CloseCurrentPopup();
        }
        ImGui::SameLine();
        if (labelledButton(ctx, "action.cancel", "customer.delete-cancel", ImVec2(120, 0)) ||
            ImGui::IsKeyPressed(ImGuiKey_Escape, false))
            ImGui::CloseCurrentPopup();
        ImGui::EndPopup();
    }
    ImGui::SetNextWindowPos(ImGui::GetMainViewport()->GetCenter(), ImGuiCond_Appearing, ImVec2(0.5f, 0.5f));
    ImGui::SetNextWindowSize(ImVec2(480, 0));
    if (ImGui::BeginPopupModal("##merge-customer", nullptr,
                               ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoResize)) {
        {
            ImVec2 wp = ImGui::GetWindowPos(), ws = ImGui::GetWindowSize();
            ctx.rects.record("dialog:customer.merge", Rect{wp.x, wp.y, ws.x, ws.y});
        }
        ImGui::TextWrapped("%s", ctx.t("customers.merge_pick"));
        ImGui::SetNextItemWidth(-1);
        if (ImGui::IsWindowAppearing()) ImGui::SetKeyboardFocusHere();
        ImGui::InputTextWithHint("##merge-search", ctx.t("customers.search"), &mergeSearch_);
        ctx.record("field:customer.merge-search");
        ImGui::BeginChild("##merge-list", ImVec2(0, 180), ImGuiChildFlags_Borders);
        std::vector<const Customer*> rows;
        for (const Customer& o : doc.customers)
            if (!o.deleted && o.id != c.id &&
                (mergeSearch_.empty() || o.name.find(mergeSearch_) != std::string::npos))
                rows.push_back(&o);
        ImGuiListClipper clip;
        clip.Begin(int(rows.size()));
        while (clip.Step())
            for (int i = clip.DisplayStart; i < clip.DisplayEnd; ++i) {
                ImGui::PushID(rows[std::size_t(i)]->id.c_str());
                if (ImGui::Selectable(rows[std::size_t(i)]->name.c_str(),
                                      mergeFrom_ == rows[std::size_t(i)]->id))
                    mergeFrom_ = rows[std::size_t(i)]->id;
                ctx.record("merge-option:" + rows[std::size_t(i)]->id,
                           "merge-option:" + rows[std::size_t(i)]->name);
                ImGui::PopID();
            }
        ImGui::EndChild();
        const Customer* from = doc.findCustomer(mergeFrom_);
        if (from) {
            const auto n = counts(from->id);
            char text[768];
            std::snprintf(text, sizeof text, ctx.t("customers.merge_confirm"), from->name.c_str(), n[0], n[1],
                          n[2], c.name.c_str());
            ImGui::TextWrapped("%s", text);
            ctx.record("customer.merge-text");
        }
        ImGui::BeginDisabled(!from);
        if (accentButton(ctx, "customers.merge_button", "customer.merge-confirm", ImVec2(120, 0)) && from) {
            ctx.push({{"op", "customer.merge"}, {"id", c.id}, {"from", from->id}});
            char msg[512];
            std::snprintf(msg, sizeof msg, ctx.t("customers.merged_toast"), from->name.c_str(),
                          c.name.c_str());
            toast.show(msg, ctx.now);
            ImGui::CloseCurrentPopup();
        }
        ImGui::EndDisabled();
        ImGui::SameLine();
        if (labelledButton(ctx, "action.cancel", "customer.merge-cancel", ImVec2(120, 0)) ||
            ImGui::IsKeyPressed(ImGuiKey_Escape, false))
            ImGui::CloseCurrentPopup();
        ImGui::EndPopup();
    }
}

// [SECTION] Today

void Screens::today(ViewContext& ctx) {
    MetricsOptions opt;
    opt.now = ctx.now;
    opt.today = ctx.today;
    Attention att = attentionLists(ctx.doc, opt);
    bool any = false;
    // One titled list per kind of attention; each row opens the card behind it.
    auto section = [&](const char* key, std::size_t n, ImU32 color) {
        if (n == 0) return false;
        any = true;
        ImGui::Spacing();
        ImGui::PushStyleColor(ImGuiCol_Text, color);
        ImGui::SeparatorText((std::string(ctx.t(key)) + "  " + std::to_string(n)).c_str());
        ImGui::PopStyleColor();
        return true;
    };
    // One row: its text opens `route`; recorded as "today:<key>:<id>".
    float actionsWidth = 0;  // room kept right of the row for an activity's actions
    auto row = [&](const char* key, const Id& id, const std::string& text, const std::string& route) {
        ImGui::PushID(key);
        ImGui::PushID(id.c_str());
        const float w =
            actionsWidth > 0 ? std::max(120.0f, ImGui::GetContentRegionAvail().x - actionsWidth) : 0.0f;
        if (ImGui::Selectable(text.c_str(), false, ImGuiSelectableFlags_None, ImVec2(w, 0)))
            ctx.route = route;
        ctx.record(std::string("today:") + key + ":" + id);
        ImGui::PopID();
        ImGui::PopID();
    };
    auto dealLine = [&](const Deal& d, const std::string& detail) {
        const Customer* c = ctx.doc.findCustomer(d.customerId);
        return d.title + (c ? "  ·  " + c->name : std::string()) + (detail.empty() ? "" : "  ·  " + detail);
    };
    auto dealRow = [&](const char* key, const Id& dealId, const std::string& detail) {
        const Deal* d = ctx.doc.findDeal(dealId);
        if (!d) return false;
        row(key, dealId, dealLine(*d, detail), "#/deal/" + dealId);
        return true;
    };
    auto days = [&](int n) {
        char buf[32];
        std::snprintf(buf, sizeof buf, ctx.t("unit.days"), n);
        return std::string(buf);
    };

    // A planned activity opens its deal, or its customer when it belongs to no deal.
    auto activityRow = [&](const char* key, const Id& activityId, bool withDate) {
        const Activity* a = ctx.doc.findActivity(activityId);
        if (!a) return;
        const std::string when = withDate ? formatDateShort(dateFromTime(a->due, ctx.utcOffsetMinutes), ctx.lang) + " " : "";
        const std::string detail = a->subject + "  " + when + formatClock(a->due, ctx.utcOffsetMinutes);
        actionsWidth = ctx.readOnly ? 0.0f : 430.0f;
        const bool onDeal = dealRow(key, a->dealId, detail);
        actionsWidth = 0;
        if (!onDeal) {
            const Customer* c = ctx.doc.findCustomer(a->customerId);
            if (!c) return;
            actionsWidth = ctx.readOnly ? 0.0f : 430.0f;
            row(key, a->id, c->name + "  ·  " + detail, "#/customer/" + c->id);
            actionsWidth = 0;
        }
        if (!ctx.readOnly) activityRowActions(ctx, *a);  // complete, +1 day, +1 week, pick a date
    };

    // A deal's next step (its text and date), for deals with no planned activity.
    auto nextStepRow = [&](const char* key, const Id& dealId, bool withDate) {
        const Deal* d = ctx.doc.findDeal(dealId);
        if (!d) return;
        std::string detail = d->nextStep.empty() ? std::string(ctx.t("field.next_step")) : d->nextStep;
        if (withDate) detail += "  " + formatDateShort(d->nextStepDue, ctx.lang);
        row(key, dealId, dealLine(*d, detail), "#/deal/" + dealId);
    };

    if (section("today.overdue", att.overdueActivities.size() + att.overdueNextSteps.size(), ctx.palette.overdue)) {
        for (const Id& aid : att.overdueActivities) activityRow("overdue", aid, true);
        for (const Id& id : att.overdueNextSteps) nextStepRow("overdue-step", id, true);
    }
    if (section("today.due", att.dueTodayActivities.size() + att.dueTodayNextSteps.size(), ctx.palette.dueToday)) {
        for (const Id& aid : att.dueTodayActivities) activityRow("due", aid, false);
        for (const Id& id : att.dueTodayNextSteps) nextStepRow("due-step", id, false);
    }
    std::size_t followUps = att.followUps.size();
    if (section("today.customers", followUps, ctx.palette.dueToday))
        for (const FollowUpDue& f : att.followUps) {
            const Customer* c = ctx.doc.findCustomer(f.customerId);
            if (!c) continue;
            ImGui::PushID(f.customerId.c_str());
            ImU32 col = f.daysOverdue > 0 ? ctx.palette.overdue : ctx.palette.text;
            ImGui::PushStyleColor(ImGuiCol_Text, col);
            std::string text = c->name + "  ·  " + toString(c->grade) + "  ·  " + formatDateShort(f.due, ctx.lang) +
                               (f.daysOverdue > 0 ? "  (+" + days(f.daysOverdue) + ")" : "");
            if (ImGui::Selectable(text.c_str())) ctx.route = "#/customer/" + c->id;
            ImGui::PopStyleColor();
            ctx.record("today:follow-up:" + c->id);
            ImGui::PopID();
        }
    if (section("today.after_sales", att.afterSales.size(), ctx.palette.won))
        for (const AfterSalesDue& a : att.afterSales) dealRow("after-sales", a.dealId, formatDateShort(a.due, ctx.lang));
    if (section("today.rotting", att.rotting.size(), ctx.palette.idle))
        for (const RottingDeal& r : att.rotting) dealRow("rotting", r.dealId, ctx.t("board.rotting") + std::string(" ") + days(r.idleDays));
    if (section("today.revisit", att.suspendedDue.size(), ctx.palette.suspended))
        for (const Id& id : att.suspendedDue) dealRow("revisit", id, "");
    if (!any) {
        ImGui::Dummy(ImVec2(0, 20));
        ImGui::TextDisabled("%s", ctx.t("today.empty"));
    }
}

// [SECTION] Settings

void Screens::settingsPlaybook(ViewContext& ctx, const Pipeline& p) {
    if (p.stages.empty()) return;
    sectionHeader(ctx, "settings.playbook");
    playbookStage_ = std::clamp(playbookStage_, 0, static_cast<int>(p.stages.size()) - 1);
    const Stage& stg = p.stages[playbookStage_];
    ImGui::SetNextItemWidth(240);
    if (ImGui::BeginCombo("##playbook-stage", stg.name.get(ctx.lang).c_str())) {
        for (int i = 0; i < static_cast<int>(p.stages.size()); ++i)
            if (ImGui::Selectable(p.stages[i].name.get(ctx.lang).c_str(), i == playbookStage_)) playbookStage_ = i;
        ImGui::EndCombo();
    }
    ctx.record("field:playbook-stage");
    auto setPlaybook = [&](const std::vector<std::string>& items) {
        json arr = json::array();
        for (const auto& it : items) arr.push_back(it);
        ctx.push({{"op", "stage.set"}, {"pipelineId", p.id}, {"id", stg.id}, {"field", "playbook"}, {"value", arr}});
    };
    for (std::size_t i = 0; i < stg.playbook.size(); ++i) {
        ImGui::PushID(static_cast<int>(i));
        ImGui::Bullet();
        ImGui::TextUnformatted(stg.playbook[i].c_str());
        ImGui::SameLine();
        if (ImGui::SmallButton("×")) {
            std::vector<std::string> items = stg.playbook;
            items.erase(items.begin() + static_cast<std::ptrdiff_t>(i));
            setPlaybook(items);
        }
        ImGui::PopID();
    }
    ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x - 80);
    bool enter = ImGui::InputTextWithHint("##new-playbook", ctx.t("settings.new_playbook_item"), &newPlaybookItem_,
                                          ImGuiInputTextFlags_EnterReturnsTrue);
    ctx.record("field:new-playbook-item");
    ImGui::SameLine();
    if ((ImGui::Button((std::string(ctx.t("action.add")) + "###add-playbook").c_str()) || enter) &&
        newPlaybookItem_.find_first_not_of(' ') != std::string::npos) {
        std::vector<std::string> items = stg.playbook;
        items.push_back(newPlaybookItem_);
        setPlaybook(items);
        newPlaybookItem_.clear();
    }
    ctx.record("button:add-playbook-item");
}

// Every stage's name in all four languages, side by side. An empty field falls back to the
// English name (shown as its hint); clearing the only name a stage has is not applied.
void Screens::settingsStageNames(ViewContext& ctx, const Pipeline& p) {
    if (p.stages.empty()) return;
    sectionHeader(ctx, "settings.stage_names");
    ImGui::TextDisabled("%s", ctx.t("settings.stage_names_hint"));
    if (!ImGui::BeginTable("##stage-names", 4, ImGuiTableFlags_SizingStretchSame | ImGuiTableFlags_RowBg)) return;
    for (const char* name : kLanguageNames) ImGui::TableSetupColumn(name);
    ImGui::TableHeadersRow();
    std::string text;
    for (const Stage& stg : p.stages) {
        ImGui::PushID(stg.id.c_str());
        ImGui::TableNextRow();
        for (int i = 0; i < 4; ++i) {
            const std::string lang = kLanguages[i];
            ImGui::TableNextColumn();
            ImGui::PushID(i);
            auto it = stg.name.byLang.find(lang);
            text = it == stg.name.byLang.end() ? std::string() : it->second;
            ImGui::SetNextItemWidth(-1);
            if (ImGui::InputTextWithHint("##name", stg.name.get(lang).c_str(), &text)) {
                json names = json::object();
                bool any = false;
                for (const auto& [l, n] : stg.name.byLang) {
                    if (l == lang || n.empty()) continue;
                    names[l] = n;
                    any = true;
                }
                if (text.find_first_not_of(" \t") != std::string::npos) {
                    names[lang] = text;
                    any = true;
                }
                if (any)
                    ctx.push({{"op", "stage.set"}, {"pipelineId", p.id}, {"id", stg.id}, {"field", "name"}, {"value", names}});
            }
            ctx.record("field:stage.name." + lang + ":" + stg.id);
            ImGui::PopID();
        }
        ImGui::PopID();
    }
    ImGui::EndTable();
}

void Screens::settingsTeam(ViewContext& ctx) {
    sectionHeader(ctx, "settings.team");
    std::string s;
    for (const Member& m : ctx.doc.members) {
        ImGui::PushID(m.id.c_str());
        s = m.name;
        ImGui::SetNextItemWidth(260);
        if (ImGui::InputText("##name", &s) && s != m.name && !s.empty()) pushSet(ctx, "member", m.id, "name", s);
        ctx.record("field:member.name:" + m.id);
        ImGui::SameLine();
        bool manager = m.role == "manager";
        if (ImGui::Checkbox(ctx.t("settings.manager"), &manager))
            pushSet(ctx, "member", m.id, "role", manager ? "manager" : "rep");
        if (m.id == ctx.doc.settings.me) {
            ImGui::SameLine();
            ImGui::TextDisabled("(%s)", ctx.t("settings.me"));
        }
        ImGui::PopID();
    }
    ImGui::SetNextItemWidth(260);
    bool enter = ImGui::InputTextWithHint("##new-member", ctx.t("settings.new_member"), &newMemberName_,
                                          ImGuiInputTextFlags_EnterReturnsTrue);
    ctx.record("field:new-member");
    ImGui::SameLine();
    if ((ImGui::Button((std::string(ctx.t("action.add")) + "###add-member").c_str()) || enter) &&
        newMemberName_.find_first_not_of(' ') != std::string::npos) {
        ctx.push({{"op", "member.create"}, {"name", newMemberName_}});
        newMemberName_.clear();
    }
    ctx.record("button:add-member");
}

void Screens::settingsRates(ViewContext& ctx) {
    const Settings& st = ctx.doc.settings;
    sectionHeader(ctx, "settings.rates");
    ImGui::TextDisabled("%s (%s)", ctx.t("settings.rate_hint"), st.displayCurrency.c_str());
    for (const char* c : kCurrencies) {
        if (st.displayCurrency == c) continue;
        ImGui::PushID(c);
        ImGui::AlignTextToFramePadding();
        ImGui::TextUnformatted(c);
        ImGui::SameLine(60);
        auto it = st.rates.find(c);
        double r = it == st.rates.end() ? 0.0 : it->second;
        ImGui::SetNextItemWidth(160);
        if (ImGui::InputDouble("##rate", &r, 0, 0, "%.6g") && r > 0 && (it == st.rates.end() || r != it->second)) {
            json rates = json::object();
            for (const auto& [k, v] : st.rates) rates[k] = v;
            rates[c] = r;
            ctx.push({{"op", "settings.set"}, {"field", "rates"}, {"value", rates}});
        }
        ctx.record(std::string("field:rate:") + c);
        ImGui::PopID();
    }
}

void Screens::settings(ViewContext& ctx) {
    const Document& doc = ctx.doc;
    const Settings& st = doc.settings;
    ImGui::BeginChild("##settings", ImVec2(std::min(720.0f, ImGui::GetContentRegionAvail().x), 0));
    ImGui::BeginDisabled(ctx.readOnly);
    fieldLabel(ctx, "settings.theme");
    for (const char* theme : {"system", "light", "dark"}) {  // "system" follows the device
        if (ImGui::RadioButton(ctx.t(std::string("settings.") + theme), st.theme == theme) && st.theme != theme)
            ctx.push({{"op", "settings.set"}, {"field", "theme"}, {"value", theme}});
        ctx.record(std::string("field:settings.theme.") + theme);
        ctx.describe(std::string("field:settings.theme.") + theme, "radio",
                     std::string(ctx.t("settings.theme")) + ": " + ctx.t(std::string("settings.") + theme), {}, st.theme == theme);
        if (std::string_view(theme) != "dark") ImGui::SameLine();
    }
    fieldLabel(ctx, "settings.language");
    int li = 0;
    for (int i = 0; i < 4; ++i)
        if (ctx.lang == kLanguages[i]) li = i;
    if (ImGui::BeginCombo("##settings.language", kLanguageNames[li])) {
        for (int i = 0; i < 4; ++i) {
            if (ImGui::Selectable(kLanguageNames[i], i == li) && i != li) {
                // Kept in the document (the next visit opens in it) and applied to this session now.
                ctx.push({{"op", "settings.set"}, {"field", "language"}, {"value", kLanguages[i]}});
                ctx.switchLanguage = kLanguages[i];
            }
            ctx.record(std::string("language:") + kLanguages[i]);
        }
        ImGui::EndCombo();
    }
    ctx.record("field:settings.language");
    fieldLabel(ctx, "settings.display_currency");
    if (ImGui::BeginCombo("##settings.currency", st.displayCurrency.c_str())) {
        for (const char* c : kCurrencies)
            if (ImGui::Selectable(c, st.displayCurrency == c) && st.displayCurrency != c)
                ctx.push({{"op", "settings.set"}, {"field", "displayCurrency"}, {"value", c}});
        ImGui::EndCombo();
    }
    ctx.record("field:settings.currency");
    fieldLabel(ctx, "settings.threshold");
    double th = st.outOfFunnelThreshold;
    if (ImGui::InputDouble("##settings.threshold", &th, 0, 0, "%.0f") && th >= 0 && th != st.outOfFunnelThreshold)
        ctx.push({{"op", "settings.set"}, {"field", "outOfFunnelThreshold"}, {"value", th}});
    fieldLabel(ctx, "settings.me");
    const Member* me = doc.findMember(st.me);
    if (ImGui::BeginCombo("##settings.me", me ? me->name.c_str() : "—")) {
        for (const Member& m : doc.members) {
            ImGui::PushID(m.id.c_str());
            if (ImGui::Selectable(m.name.c_str(), m.id == st.me)) ctx.push({{"op", "settings.set"}, {"field", "me"}, {"value", m.id}});
            ImGui::PopID();
        }
        ImGui::EndCombo();
    }

    // Team sync: this device's link to the team file (device-local) and the conflicts panel.
    teamSync.settingsSection(ctx);

    // Stages of the board's pipeline: name in the UI language (all four below), probability, idle days.
    const Pipeline* p = doc.findPipeline(board.pipelineId());
    if (!p && !doc.pipelines.empty()) p = &doc.pipelines.front();
    sectionHeader(ctx, "settings.stages");
    if (p) {
        if (ImGui::BeginTable("##stages", 4, ImGuiTableFlags_SizingStretchProp | ImGuiTableFlags_RowBg)) {
            ImGui::TableSetupColumn(ctx.t("settings.stage_name"), ImGuiTableColumnFlags_WidthStretch, 3);
            ImGui::TableSetupColumn(ctx.t("field.probability"), ImGuiTableColumnFlags_WidthStretch, 1.2f);
            ImGui::TableSetupColumn(ctx.t("settings.rotting_days"), ImGuiTableColumnFlags_WidthStretch, 1.2f);
            ImGui::TableSetupColumn("", ImGuiTableColumnFlags_WidthFixed, 90);
            ImGui::TableHeadersRow();
            for (const Stage& stg : p->stages) {
                ImGui::PushID(stg.id.c_str());
                ImGui::TableNextRow();
                ImGui::TableNextColumn();
                std::string name = stg.name.get(ctx.lang);
                ImGui::SetNextItemWidth(-1);
                if (ImGui::InputText("##name", &name) && !name.empty()) {
                    json names = json::object();
                    for (const auto& [l, n] : stg.name.byLang) names[l] = n;
                    names[ctx.lang] = name;
                    ctx.push({{"op", "stage.set"}, {"pipelineId", p->id}, {"id", stg.id}, {"field", "name"}, {"value", names}});
                }
                ctx.record("field:stage.name:" + stg.id);
                ImGui::TableNextColumn();
                int prob = stg.probability;
                ImGui::SetNextItemWidth(-1);
                if (ImGui::SliderInt("##prob", &prob, 0, 100, "%d%%") && prob != stg.probability)
                    ctx.push({{"op", "stage.set"}, {"pipelineId", p->id}, {"id", stg.id}, {"field", "probability"}, {"value", prob}});
                ctx.record("field:stage.probability:" + stg.id);
                ImGui::TableNextColumn();
                int rot = stg.rottingDays;
                ImGui::SetNextItemWidth(-1);
                if (ImGui::InputInt("##rot", &rot, 0) && rot >= 0 && rot != stg.rottingDays)
                    ctx.push({{"op", "stage.set"}, {"pipelineId", p->id}, {"id", stg.id}, {"field", "rottingDays"}, {"value", rot}});
                ImGui::TableNextColumn();
                // Reorder: one place up or down (the board's columns follow).
                const long at = long(&stg - p->stages.data());
                ImGui::BeginDisabled(at == 0);
                if (ImGui::SmallButton("↑"))
                    ctx.push({{"op", "stage.move"}, {"pipelineId", p->id}, {"id", stg.id}, {"index", at - 1}});
                ImGui::EndDisabled();
                ctx.record("button:stage.up:" + stg.id);
                ImGui::SameLine(0, 2);
                ImGui::BeginDisabled(at + 1 == long(p->stages.size()));
                if (ImGui::SmallButton("↓"))
                    ctx.push({{"op", "stage.move"}, {"pipelineId", p->id}, {"id", stg.id}, {"index", at + 1}});
                ImGui::EndDisabled();
                ctx.record("button:stage.down:" + stg.id);
                ImGui::SameLine(0, 6);
                if (ImGui::SmallButton("×")) ctx.push({{"op", "stage.delete"}, {"pipelineId", p->id}, {"id", stg.id}});
                ctx.record("button:stage.delete:" + stg.id);
                ImGui::PopID();
            }
            ImGui::EndTable();
        }
        if (ImGui::Button((std::string(ctx.t("settings.add_stage")) + "###add-stage").c_str()))
            ctx.push({{"op", "stage.create"}, {"pipelineId", p->id}, {"name", {{ctx.lang, ctx.t("settings.stage_name")}}},
                      {"probability", 50}});
        ctx.record("button:add-stage");
    }

    if (p) settingsStageNames(ctx, *p);
    if (p) settingsPlaybook(ctx, *p);

    // Pipelines: switch the one being edited (and shown on the board), or add one.
    sectionHeader(ctx, "settings.pipelines");
    for (const Pipeline& pl : doc.pipelines) {
        ImGui::PushID(pl.id.c_str());
        if (ImGui::RadioButton(pl.name.get(ctx.lang).c_str(), p && pl.id == p->id)) board.pipelineId() = pl.id;
        ctx.record("pipeline:" + pl.id, pl.name.get(ctx.lang));
        ImGui::SameLine();
        ImGui::PopID();
    }
    ImGui::NewLine();
    ImGui::SetNextItemWidth(260);
    bool enterPipeline = ImGui::InputTextWithHint("##new-pipeline", ctx.t("settings.new_pipeline"), &newPipelineName_,
                                                  ImGuiInputTextFlags_EnterReturnsTrue);
    ctx.record("field:new-pipeline");
    ImGui::SameLine();
    if ((ImGui::Button((std::string(ctx.t("action.add")) + "###add-pipeline").c_str()) || enterPipeline) &&
        newPipelineName_.find_first_not_of(' ') != std::string::npos) {
        // A new pipeline starts with the default stages' names, to rename as the team likes.
        json stages = json::array();
        if (const Pipeline* def = doc.findPipeline(st.defaultPipeline))
            for (const Stage& stg : def->stages) {
                json names = json::object();
                for (const auto& [l, n] : stg.name.byLang) names[l] = n;
                stages.push_back({{"name", names}, {"probability", stg.probability}, {"rottingDays", stg.rottingDays}});
            }
        ctx.push({{"op", "pipeline.create"}, {"name", {{ctx.lang, newPipelineName_}}}, {"stages", stages}});
        newPipelineName_.clear();
    }
    ctx.record("button:add-pipeline");

    settingsTeam(ctx);
    settingsRates(ctx);
    settingsTargets(ctx);

    sectionHeader(ctx, "settings.cadence");
    static const char* kGrades[] = {"A", "B", "C", "D"};
    for (const char* g : kGrades) {
        auto it = st.cadenceDays.find(g);
        int days = it == st.cadenceDays.end() ? 0 : it->second;
        ImGui::PushID(g);
        ImGui::AlignTextToFramePadding();
        ImGui::TextUnformatted(g);
        ImGui::SameLine(40);
        ImGui::SetNextItemWidth(120);
        if (ImGui::InputInt("##cadence", &days, 1) && days > 0 && days != (it == st.cadenceDays.end() ? 0 : it->second)) {
            json cad = json::object();
            for (const auto& [k, val] : st.cadenceDays) cad[k] = val;
            cad[g] = days;
            ctx.push({{"op", "settings.set"}, {"field", "cadenceDays"}, {"value", cad}});
        }
        ImGui::PopID();
    }
    ImGui::EndDisabled();
    ImGui::EndChild();
}

}  // namespace funnel::ui
