// Funnel — the contact card (contact_card.h).
#include "ui/contact_card.h"

#include <algorithm>
#include <cstdio>

#include <misc/cpp/imgui_stdlib.h>

#include "ui/theme.h"

namespace funnel::ui {

namespace {

constexpr float kLabelWidth = 185.0f;

void label(ViewContext& ctx, const char* key) {
    ImGui::AlignTextToFramePadding();
    ImGui::TextDisabled("%s", ctx.t(key));
    ImGui::SameLine(kLabelWidth);
}

void set(ViewContext& ctx, const Id& id, const char* field, json value) {
    ctx.push({{"op", "contact.set"}, {"id", id}, {"field", field}, {"value", std::move(value)}});
}

const char* const kLevelKeys[] = {"level.operational", "level.management", "level.decision"};
const char* const kRoleKeys[] = {"role.unknown",
                                 "role.decisionMaker",
                                 "role.user",
                                 "role.technicalGatekeeper",
                                 "role.financialGatekeeper",
                                 "role.purchasing",
                                 "role.coach"};
const char* const kAttitudeKeys[] = {"attitude.neutral", "attitude.supporter", "attitude.opponent"};
const char* const kServices[] = {"wechat", "kakao", "line"};
const char* const kServiceKeys[] = {"messenger.wechat", "messenger.kakao", "messenger.line"};

// A combo over string keys; returns the index chosen, or -1.
int keyCombo(ViewContext& ctx, const char* id, const char* const* keys, int n, int current) {
    int chosen = -1;
    ImGui::SetNextItemWidth(-1);
    if (ImGui::BeginCombo(id, ctx.t(keys[current]))) {
        for (int i = 0; i < n; ++i) {
            if (ImGui::Selectable(ctx.t(keys[i]), i == current) && i != current) chosen = i;
            ctx.record(std::string("option:") + keys[i]);
        }
        ImGui::EndCombo();
    }
    return chosen;
}

}  // namespace

std::vector<std::string> splitLines(const std::string& s) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= s.size()) {
        std::size_t end = s.find('\n', start);
        if (end == std::string::npos) end = s.size();
        std::string line = s.substr(start, end - start);
        while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t'))
            line.pop_back();
        const std::size_t b = line.find_first_not_of(" \t");
        if (b != std::string::npos) out.push_back(line.substr(b));
        start = end + 1;
    }
    return out;
}

std::string joinLines(const std::vector<std::string>& v) {
    std::string s;
    for (const std::string& x : v) s += (s.empty() ? "" : "\n") + x;
    return s;
}

std::string telUrl(const std::string& phone) {
    std::string digits;
    for (char c : phone)
        if ((c >= '0' && c <= '9') || (c == '+' && digits.empty())) digits += c;
    return digits.find_first_of("0123456789") == std::string::npos ? "" : "tel:" + digits;
}

// Phone numbers (field "phone") or e-mail addresses ("email"): one row each — the value, a
// button that opens it (tel: / mailto:, also on a middle click), × to remove — and a row to
// add one.
void ContactCard::valueRows(ViewContext& ctx, const Contact& c, const char* field, const std::string& value,
                            Toast& toast) {
    (void)toast;
    const bool phone = std::string(field) == "phone";
    std::vector<std::string> values = splitLines(value);
    ImGui::PushID(field);
    const float button = ImGui::CalcTextSize(ctx.t(phone ? "contact.call" : "contact.write")).x +
                         ImGui::GetStyle().FramePadding.x * 2 + ImGui::GetFrameHeight() + 16;
    for (std::size_t i = 0; i < values.size(); ++i) {
        ImGui::PushID(int(i));
        if (i > 0) ImGui::SetCursorPosX(kLabelWidth);
        std::string text = values[i];
        ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x - button);
        if (ImGui::InputText("##value", &text) && text != values[i] &&
            text.find_first_not_of(" \t") != std::string::npos) {
            std::vector<std::string> next = values;
            next[i] = text;
            set(ctx, c.id, field, joinLines(next));
        }
        ctx.record("field:contact." + std::string(field) + ":" + std::to_string(i));
        ImGui::SameLine();
        const std::string url = phone ? telUrl(values[i]) : "mailto:" + values[i];
        ImGui::BeginDisabled(url.empty());
        const std::string id = std::string("contact.") + (phone ? "call" : "write") + ":" + std::to_string(i);
        const bool open = labelledButton(ctx, phone ? "contact.call" : "contact.write", id);
        const bool middle = ImGui::IsItemHovered() && ImGui::IsMouseReleased(ImGuiMouseButton_Middle);
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", url.c_str());
        ImGui::EndDisabled();
        if ((open || middle) && !url.empty()) openUrl_ = url;
        ImGui::SameLine();
        if (ImGui::SmallButton("×")) {
            std::vector<std::string> next = values;
            next.erase(next.begin() + long(i));
            set(ctx, c.id, field, joinLines(next));
        }
        ctx.record("button:contact.remove-" + std::string(field) + ":" + std::to_string(i));
        ImGui::PopID();
    }
    std::string& add = newValue_[phone ? 0 : 1];
    if (!values.empty()) ImGui::SetCursorPosX(kLabelWidth);
    ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x - button);
    const bool enter =
        ImGui::InputTextWithHint("##new", ctx.t(phone ? "contact.new_phone" : "contact.new_email"), &add,
                                 ImGuiInputTextFlags_EnterReturnsTrue);
    ctx.record("field:contact.new-" + std::string(field));
    ImGui::SameLine();
    if ((labelledButton(ctx, "action.add", "contact.add-" + std::string(field)) || enter) &&
        add.find_first_not_of(" \t") != std::string::npos) {
        for (const std::string& v : splitLines(add)) values.push_back(v);
        set(ctx, c.id, field, joinLines(values));
        add.clear();
    }
    ImGui::PopID();
}

// Messenger ids: "service:id" one per line; the id copies to the clipboard with a toast.
void ContactCard::messengerRows(ViewContext& ctx, const Contact& c, Toast& toast) {
    std::vector<std::string> values = splitLines(c.messenger);
    ImGui::PushID("messenger");
    const float button = ImGui::CalcTextSize(ctx.t("contact.copy")).x + ImGui::GetStyle().FramePadding.x * 2 +
                         ImGui::GetFrameHeight() + 16;
    const float serviceW = 120;
    for (std::size_t i = 0; i < values.size(); ++i) {
        ImGui::PushID(int(i));
        if (i > 0) ImGui::SetCursorPosX(kLabelWidth);
        const std::size_t colon = values[i].find(':');
        const std::string service = colon == std::string::npos ? "" : values[i].substr(0, colon);
        const std::string id = colon == std::string::npos ? values[i] : values[i].substr(colon + 1);
        int kind = -1;
        for (int k = 0; k < 3; ++k)
            if (service == kServices[k]) kind = k;
        ImGui::SetNextItemWidth(serviceW);
        if (ImGui::BeginCombo("##service", kind < 0 ? service.c_str() : ctx.t(kServiceKeys[kind]))) {
            for (int k = 0; k < 3; ++k)
                if (ImGui::Selectable(ctx.t(kServiceKeys[k]), k == kind) && k != kind) {
                    std::vector<std::string> next = values;
                    next[i] = std::string(kServices[k]) + ":" + id;
                    set(ctx, c.id, "messenger", joinLines(next));
                }
            ImGui::EndCombo();
        }
        ctx.record("field:contact.messenger-service:" + std::to_string(i));
        ImGui::SameLine();
        std::string text = id;
        ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x - button);
        if (ImGui::InputText("##id", &text) && text != id &&
            text.find_first_not_of(" \t") != std::string::npos) {
            std::vector<std::string> next = values;
            next[i] = (service.empty() ? std::string() : service + ":") + text;
            set(ctx, c.id, "messenger", joinLines(next));
        }
        ctx.record("field:contact.messenger:" + std::to_string(i));
        ImGui::SameLine();
        if (labelledButton(ctx, "contact.copy", "contact.copy:" + std::to_string(i))) {
            ImGui::SetClipboardText(id.c_str());
            char msg[256];
            std::snprintf(msg, sizeof msg, ctx.t("contact.copied"), id.c_str());
            toast.show(msg, ctx.now);
        }
        ImGui::SameLine();
        if (ImGui::SmallButton("×")) {
            std::vector<std::string> next = values;
            next.erase(next.begin() + long(i));
            set(ctx, c.id, "messenger", joinLines(next));
        }
        ctx.record("button:contact.remove-messenger:" + std::to_string(i));
        ImGui::PopID();
    }
    if (!values.empty()) ImGui::SetCursorPosX(kLabelWidth);
    ImGui::SetNextItemWidth(serviceW);
    if (ImGui::BeginCombo("##new-service", ctx.t(kServiceKeys[newMessengerKind_]))) {
        for (int k = 0; k < 3; ++k) {
            if (ImGui::Selectable(ctx.t(kServiceKeys[k]), k == newMessengerKind_)) newMessengerKind_ = k;
            ctx.record(std::string("option:") + kServiceKeys[k]);
        }
        ImGui::EndCombo();
    }
    ctx.record("field:contact.new-messenger-service");
    ImGui::SameLine();
    ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x - button);
    const bool enter = ImGui::InputTextWithHint("##new", ctx.t("contact.new_messenger"), &newMessengerId_,
                                                ImGuiInputTextFlags_EnterReturnsTrue);
    ctx.record("field:contact.new-messenger");
    ImGui::SameLine();
    if ((labelledButton(ctx, "action.add", "contact.add-messenger") || enter) &&
        newMessengerId_.find_first_not_of(" \t") != std::string::npos) {
        values.push_back(std::string(kServices[newMessengerKind_]) + ":" +
                         splitLines(newMessengerId_).front());
        set(ctx, c.id, "messenger", joinLines(values));
        newMessengerId_.clear();
    }
    ImGui::PopID();
}

void ContactCard::draw(ViewContext& ctx, const Id& contactId, Toast& toast) {
    const Document& doc = ctx.doc;
    const Contact* c = doc.findContact(contactId);
    if (shown_ != contactId) {
        shown_ = contactId;
        newValue_[0].clear();
        newValue_[1].clear();
        newMessengerId_.clear();
        // The messenger a new id most likely belongs to: KakaoTalk in Korea, LINE in Taiwan
        // and Hong Kong, WeChat otherwise.
        newMessengerKind_ = ctx.lang == "ko" ? 1 : ctx.lang == "zh-Hant" ? 2 : 0;
    }
    ImGui::BeginChild("##contact-card", ImVec2(std::min(760.0f, ImGui::GetContentRegionAvail().x), 0));
    {
        ImVec2 wp = ImGui::GetWindowPos(), ws = ImGui::GetWindowSize();
        ctx.rects.record("panel:contact", Rect{wp.x, wp.y, ws.x, ws.y});
    }
    if (!c) {
        ImGui::TextDisabled("%s", ctx.t("contact.unknown"));
        ctx.record("contact:unknown");
        ImGui::EndChild();
        return;
    }
    const Customer* cust = doc.findCustomer(c->customerId);
    if (cust) {
        if (ImGui::SmallButton(("← " + cust->name + "###contact-customer").c_str()))
            ctx.route = "#/customer/" + cust->id;
        ctx.record("button:contact-customer");
    }
    ImGui::BeginDisabled(ctx.readOnly);
    if (c->deleted) {
        ImGui::TextDisabled("%s", ctx.t("contact.was_deleted"));
        ctx.record("contact:deleted");
        if (labelledButton(ctx, "action.restore", "contact.restore"))
            ctx.push({{"op", "contact.restore"}, {"id", c->id}});
        ImGui::EndDisabled();
        ImGui::EndChild();
        return;
    }
    // Name as the heading, editable in place (renaming is typing).
    std::string s = c->name;
    ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x - 110);
    ImGui::PushFont(nullptr, ImGui::GetStyle().FontSizeBase * 1.35f);
    if (ImGui::InputText("##contact.name", &s) && s != c->name &&
        s.find_first_not_of(" \t") != std::string::npos)
        set(ctx, c->id, "name", s);
    ImGui::PopFont();
    ctx.record("field:contact.name");
    ImGui::SameLine();
    if (labelledButton(ctx, "action.delete", "contact.delete")) {
        ctx.push({{"op", "contact.delete"}, {"id", c->id}});
        char msg[256];
        std::snprintf(msg, sizeof msg, ctx.t("contact.deleted_toast"), c->name.c_str());
        toast.show(msg, ctx.now, json{{"op", "contact.restore"}, {"id", c->id}});
        if (cust) ctx.route = "#/customer/" + cust->id;
    }

    label(ctx, "profile.title");
    s = c->title;
    ImGui::SetNextItemWidth(-1);
    if (ImGui::InputText("##contact.title", &s) && s != c->title) set(ctx, c->id, "title", s);
    ctx.record("field:contact.title");
    label(ctx, "contact.level");
    if (int i = keyCombo(ctx, "##contact.level", kLevelKeys, 3, int(c->level)); i >= 0)
        set(ctx, c->id, "level", toString(static_cast<ContactLevel>(i)));
    ctx.record("field:contact.level");
    label(ctx, "contact.role");
    if (int i = keyCombo(ctx, "##contact.role", kRoleKeys, 7, int(c->role)); i >= 0)
        set(ctx, c->id, "role", toString(static_cast<BuyingRole>(i)));
    ctx.record("field:contact.role");
    label(ctx, "contact.attitude");
    if (int i = keyCombo(ctx, "##contact.attitude", kAttitudeKeys, 3, int(c->attitude)); i >= 0)
        set(ctx, c->id, "attitude", toString(static_cast<Attitude>(i)));
    ctx.record("field:contact.attitude");

    ImGui::Spacing();
    label(ctx, "contact.phones");
    valueRows(ctx, *c, "phone", c->phone, toast);
    label(ctx, "contact.emails");
    valueRows(ctx, *c, "email", c->email, toast);
    label(ctx, "contact.messengers");
    messengerRows(ctx, *c, toast);
    label(ctx, "customers.notes");
    s = c->notes;
    if (ImGui::InputTextMultiline("##contact.notes", &s, ImVec2(-1, ImGui::GetTextLineHeight() * 4)) &&
        s != c->notes)
        set(ctx, c->id, "notes", s);
    ctx.record("field:contact.notes");

    // The deals they are part of, and the activities with them.
    ImGui::Spacing();
    ImGui::PushStyleColor(ImGuiCol_Text, ctx.palette.accent);
    ImGui::SeparatorText(ctx.t("section.deals"));
    ImGui::PopStyleColor();
    int n = 0;
    for (const Deal& d : doc.deals) {
        if (d.deleted || std::find(d.contactIds.begin(), d.contactIds.end(), c->id) == d.contactIds.end())
            continue;
        ImGui::PushID(d.id.c_str());
        if (ImGui::Selectable((d.title + "  " + formatMoney(d.value, d.currency, ctx.lang)).c_str()))
            ctx.route = "#/deal/" + d.id;
        ctx.record("contact-deal:" + d.id);
        ImGui::PopID();
        ++n;
    }
    if (n == 0) ImGui::TextDisabled("—");
    ImGui::PushStyleColor(ImGuiCol_Text, ctx.palette.accent);
    ImGui::SeparatorText(ctx.t("section.activities"));
    ImGui::PopStyleColor();
    n = 0;
    for (const Activity& a : doc.activities) {
        if (a.deleted || std::find(a.contactIds.begin(), a.contactIds.end(), c->id) == a.contactIds.end())
            continue;
        const Time t = a.doneAt ? a.doneAt : a.due;
        ImGui::PushID(a.id.c_str());
        const std::string text = formatDateShort(dateFromTime(t, ctx.utcOffsetMinutes), ctx.lang) + " " +
                                 formatClock(t, ctx.utcOffsetMinutes) + "  " + a.subject;
        if (a.doneAt)
            ImGui::TextDisabled("%s", text.c_str());
        else
            ImGui::TextUnformatted(text.c_str());
        ctx.record("contact-activity:" + a.id);
        ImGui::PopID();
        ++n;
    }
    if (n == 0) ImGui::TextDisabled("—");
    ImGui::EndDisabled();
    ImGui::EndChild();
}

}  // namespace funnel::ui
