// Funnel — the team sync views (see team_sync.h): Settings → Team sync (the form, what the last
// sync did, the conflicts panel) and the status-line indicator.
//
// Index
// [SECTION] Words: relative times, who wrote a version, record and field names, values
// [SECTION] Indicator
// [SECTION] Settings form
// [SECTION] Shared folder form
// [SECTION] Conflicts panel
#include "ui/team_sync.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>

#include <imgui.h>
#include <misc/cpp/imgui_stdlib.h>

#include "core/clock.h"
#include "core/codec.h"
#include "ui/theme.h"
#include "ui/view.h"

namespace funnel::ui {

namespace {

constexpr float kLabelWidth = 185.0f;
using State = SyncStatus::State;

std::string fmt(const char* pattern, long long n) {
    char buf[160];
    std::snprintf(buf, sizeof buf, pattern, n);
    return buf;
}

// [SECTION] Words

std::string agoText(const ViewContext& ctx, Time t) {
    if (t <= 0) return ctx.t("sync.never");
    const Time d = std::max<Time>(0, ctx.now - t);
    if (d < 60 * 1000) return ctx.t("sync.just_now");
    if (d < 3600 * 1000) return fmt(ctx.t("sync.minutes_ago"), d / 60000);
    if (d < 24 * 3600 * 1000) return fmt(ctx.t("sync.hours_ago"), d / 3600000);
    return formatDateShort(dateFromTime(t), ctx.lang);
}

// Written on this device: by this tab or by another of its tabs (each stamps under its own slot).
bool mine(const SyncStatus& s, const std::string& replica) {
    if (replica.empty()) return false;
    return replica == s.replica || fromDevice(s.deviceReplica, replica);
}

// "this device", "another device (3fa0c1)", or "before sync" for data that predates it.
std::string whoText(const ViewContext& ctx, const std::string& stamp) {
    const std::string replica = replicaOf(stamp);
    if (replica.empty()) return ctx.t("sync.who.before");
    if (mine(ctx.sync, replica)) return ctx.t("sync.who.me");
    return std::string(ctx.t("sync.who.other")) + " (" + replica.substr(0, 6) + ")";
}

std::string whenText(const ViewContext& ctx, const std::string& stamp) {
    auto p = parseStamp(stamp);
    if (!p || p->wall <= 0) return "";
    char hm[16];
    const Time local = p->wall + Time(ctx.utcOffsetMinutes) * 60000;
    const long long minutes = ((local / 60000) % (24 * 60) + 24 * 60) % (24 * 60);
    std::snprintf(hm, sizeof hm, "%02lld:%02lld", minutes / 60, minutes % 60);
    return formatDateShort(dateFromTime(p->wall, ctx.utcOffsetMinutes), ctx.lang) + " " + hm;
}

// "Deal · Pilot for Acme", from a record key of docs/SYNC.md.
std::string recordText(const ViewContext& ctx, const std::string& key) {
    const auto colon = key.find(':');
    const std::string kind = key.substr(0, colon);
    const std::string rest = colon == std::string::npos ? "" : key.substr(colon + 1);
    const Document& doc = ctx.doc;
    std::string name;
    const char* kindKey = "sync.record.other";
    if (kind == "deal") {
        kindKey = "sync.record.deal";
        if (const Deal* d = doc.findDeal(unescapeId(rest))) name = d->title;
    } else if (kind == "objection") {
        kindKey = "sync.record.objection";
        if (const Deal* d = doc.findDeal(unescapeId(rest.substr(0, rest.find('/'))))) name = d->title;
    } else if (kind == "customer") {
        kindKey = "sync.record.customer";
        if (const Customer* c = doc.findCustomer(unescapeId(rest))) name = c->name;
    } else if (kind == "contact") {
        kindKey = "sync.record.contact";
        if (const Contact* c = doc.findContact(unescapeId(rest))) name = c->name;
    } else if (kind == "member") {
        kindKey = "sync.record.member";
        if (const Member* m = doc.findMember(unescapeId(rest))) name = m->name;
    } else if (kind == "pipeline") {
        kindKey = "sync.record.pipeline";
        if (const Pipeline* p = doc.findPipeline(unescapeId(rest))) name = p->name.get(ctx.lang);
    } else if (kind == "activity") {
        kindKey = "sync.record.activity";
        if (const Activity* a = doc.findActivity(unescapeId(rest))) name = a->subject;
    } else if (kind == "settings") {
        kindKey = "nav.settings";
    }
    std::string out = ctx.t(kindKey);
    if (!name.empty()) out += " · " + name;
    return out;
}

std::string fieldText(const ViewContext& ctx, const std::string& field) {
    struct Known {
        const char* field;
        const char* key;
    };
    static const Known kKnown[] = {{"title", "field.title"},
                                   {"value", "field.value"},
                                   {"currency", "field.currency"},
                                   {"stageId", "field.stage"},
                                   {"probability", "field.probability"},
                                   {"expectedClose", "field.expected_close"},
                                   {"owner", "field.owner"},
                                   {"labels", "field.labels"},
                                   {"nextStep", "field.next_step"},
                                   {"nextStepDue", "field.next_step_due"},
                                   {"status", "field.status"},
                                   {"customerId", "field.customer"},
                                   {"~gone", "sync.field.deleted"},
                                   {"name", "sync.field.name"},
                                   {"deleted", "sync.field.deleted"}};
    for (const Known& k : kKnown)
        if (field == k.field) return ctx.t(k.key);
    return field;
}

// A field value in plain words: names for ids it points at, "deleted"/"kept" for removals.
std::string valueText(const ViewContext& ctx, const std::string& field, const json& v) {
    if (v.is_null()) return "—";
    if (field == "~gone")
        return v.is_boolean() && v.get<bool>() ? ctx.t("sync.value.removed") : ctx.t("sync.value.kept");
    if (v.is_string()) {
        const std::string s = v.get<std::string>();
        if (s.empty()) return ctx.t("sync.value.empty");
        if (field == "stageId")
            for (const Pipeline& p : ctx.doc.pipelines)
                for (const Stage& st : p.stages)
                    if (st.id == s) return st.name.get(ctx.lang);
        if (field == "owner")
            if (const Member* m = ctx.doc.findMember(s)) return m->name;
        if (field == "customerId")
            if (const Customer* c = ctx.doc.findCustomer(s)) return c->name;
        return s;
    }
    if (v.is_boolean()) return v.get<bool>() ? ctx.t("sync.value.yes") : ctx.t("sync.value.no");
    if (v.is_number_integer()) return std::to_string(v.get<long long>());
    if (v.is_number()) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%g", v.get<double>());
        return buf;
    }
    if (v.is_array()) {
        std::string out;
        for (const json& e : v) {
            if (!out.empty()) out += ", ";
            out += e.is_string() ? e.get<std::string>() : dumpJson(e);
        }
        return out.empty() ? ctx.t("sync.value.empty") : out;
    }
    return dumpJson(v);
}

void sectionTitle(ViewContext& ctx, const std::string& text) {
    ImGui::Spacing();
    ImGui::PushStyleColor(ImGuiCol_Text, ctx.palette.accent);
    ImGui::SeparatorText(text.c_str());
    ImGui::PopStyleColor();
}

void label(ViewContext& ctx, const char* key) {
    ImGui::AlignTextToFramePadding();
    ImGui::TextDisabled("%s", ctx.t(key));
    ImGui::SameLine(kLabelWidth);
    ImGui::SetNextItemWidth(-1);
}

void spinner(const ViewContext& ctx) {
    const float h = ImGui::GetTextLineHeight();
    const ImVec2 p = ImGui::GetCursorScreenPos();
    const ImVec2 c(p.x + h * 0.5f, p.y + h * 0.5f);
    // With reduced motion the arc stands still (the status text says "syncing" anyway).
    const float a = ctx.reducedMotion ? 0.0f : float(std::fmod(double(ctx.now) / 1000.0 * 6.0, 6.2831853));
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->PathArcTo(c, h * 0.36f, a, a + 4.4f, 16);
    dl->PathStroke(ctx.palette.accent, 0, 2.0f);
    ImGui::Dummy(ImVec2(h, h));
}

std::string intervalText(const ViewContext& ctx, int seconds) {
    if (seconds <= 60) return ctx.t("sync.every_minute");
    if (seconds < 3600) return fmt(ctx.t("sync.every_minutes"), seconds / 60);
    return ctx.t("sync.every_hour");
}

// What the last sync did, in one line: "Synced 2 min ago · 3 in, 1 out".
std::string summaryText(const ViewContext& ctx) {
    const SyncStatus& s = ctx.sync;
    switch (s.state) {
        case State::Off: return ctx.t("sync.off");
        case State::Syncing: return ctx.t("sync.syncing");
        case State::Offline: return ctx.t("sync.offline");
        case State::Waiting: {
            const long long secs = std::max<long long>(1, (s.retryAt - ctx.now + 999) / 1000);
            std::string out = fmt(ctx.t("sync.retrying_in"), secs);
            if (!s.errorKey.empty()) out += " " + std::string(ctx.t(s.errorKey));
            return out;
        }
        case State::Error:
            return std::string(ctx.t("sync.failed")) + " " +
                   ctx.t(s.errorKey.empty() ? "sync.error.unknown" : s.errorKey);
        case State::Idle: break;
    }
    if (s.lastSyncedAt <= 0) return ctx.t("sync.not_yet");
    std::string out = std::string(ctx.t("sync.synced")) + " " + agoText(ctx, s.lastSyncedAt);
    if (s.changesIn > 0 || s.changesOut > 0) {
        char buf[160];
        std::snprintf(buf, sizeof buf, ctx.t("sync.in_out"), s.changesIn, s.changesOut);
        out += std::string(" · ") + buf;
    }
    return out;
}

}  // namespace

bool plausibleSyncUrl(const std::string& url) {
    std::string rest;
    if (url.rfind("https://", 0) == 0)
        rest = url.substr(8);
    else if (url.rfind("http://", 0) == 0)
        rest = url.substr(7);
    else
        return false;
    if (rest.empty() || rest[0] == '/' || rest[0] == ':') return false;
    for (char c : url)
        if (static_cast<unsigned char>(c) <= ' ') return false;
    return true;
}

bool plainHttpToOtherHost(const std::string& url) {
    if (url.size() < 7) return false;
    std::string scheme = url.substr(0, 7);
    for (char& c : scheme) c = char(std::tolower(static_cast<unsigned char>(c)));
    if (scheme != "http://") return false;
    std::string host = url.substr(7, url.find_first_of("/?#", 7) - 7);
    if (const auto at = host.rfind('@'); at != std::string::npos) host.erase(0, at + 1);
    if (!host.empty() && host[0] == '[')
        host = host.substr(0, host.find(']') + 1);
    else
        host = host.substr(0, host.find(':'));
    for (char& c : host) c = char(std::tolower(static_cast<unsigned char>(c)));
    if (!host.empty() && host.back() == '.') host.pop_back();
    if (host.empty()) return false;  // not an address yet: the form's own check says so
    const auto endsWith = [&](const std::string& suffix) {
        return host.size() >= suffix.size() &&
               host.compare(host.size() - suffix.size(), suffix.size(), suffix) == 0;
    };
    if (host == "localhost" || endsWith(".localhost") || host == "[::1]") return false;
    // 127.0.0.0/8: four dot-separated numbers starting with 127.
    if (host.rfind("127.", 0) == 0 && host.find_first_not_of("0123456789.") == std::string::npos &&
        std::count(host.begin(), host.end(), '.') == 3)
        return false;
    return true;
}

// [SECTION] Indicator

void TeamSyncView::indicator(ViewContext& ctx) {
    const SyncStatus& s = ctx.sync;
    const Palette& pal = ctx.palette;
    ImU32 colour = pal.textDim;
    std::string text = summaryText(ctx);
    if (s.state == State::Idle && s.lastSyncedAt > 0) {
        colour = pal.won;
        text = "✓ " + text;
    }
    if (s.state == State::Error || s.state == State::Waiting) colour = pal.overdue;
    if (s.state == State::Offline) colour = pal.dueToday;
    if (s.state == State::Off) text = ctx.t("sync.off_short");
    if (s.pendingOut && s.state != State::Off && s.state != State::Syncing)
        text += std::string(" · ") + ctx.t("sync.pending");
    if (s.state == State::Syncing) {
        spinner(ctx);
        ImGui::SameLine(0, 4);
    }
    ImGui::PushStyleColor(ImGuiCol_Text, colour);
    ImGui::PushStyleColor(ImGuiCol_Button, 0);
    const bool open = ImGui::SmallButton((text + "###sync-status").c_str());
    ImGui::PopStyleColor(2);
    ctx.record(text, "status:sync");
    if (ImGui::IsItemHovered() && !s.errorDetail.empty()) ImGui::SetTooltip("%s", s.errorDetail.c_str());
    if (!s.conflicts.empty()) {
        ImGui::SameLine(0, 8);
        ImGui::PushStyleColor(ImGuiCol_Text, pal.overdue);
        ImGui::PushStyleColor(ImGuiCol_Button, 0);
        const std::string c = s.conflicts.size() == 1
                                  ? std::string(ctx.t("sync.conflicts_one"))
                                  : fmt(ctx.t("sync.conflicts_count"), static_cast<long long>(s.conflicts.size()));
        if (ImGui::SmallButton(("⚠ " + c + "###sync-conflicts").c_str())) {
            ctx.route = "#/settings/sync";
            scrollTo_ = true;
        }
        ImGui::PopStyleColor(2);
        ctx.record("⚠ " + c, "status:sync-conflicts");
    }
    if (open) {
        ctx.route = "#/settings/sync";
        scrollTo_ = true;
    }
}

// [SECTION] Settings form

void TeamSyncView::settingsSection(ViewContext& ctx) {
    const SyncStatus& s = ctx.sync;
    // The form starts from what the platform holds, and follows it when it changes from
    // elsewhere (window.funnel.sync.setup, Stop, another start of the app).
    if (!formLoaded_ || loadedConfigured_ != s.configured() || !(loaded_ == s.settings)) {
        draft_ = s.settings;
        loaded_ = s.settings;
        loadedConfigured_ = s.configured();
        formLoaded_ = true;
        secret_.clear();
    }
    sectionTitle(ctx, ctx.t("sync.title"));
    if (scrollTo_) {
        ImGui::SetScrollHereY(0.0f);
        scrollTo_ = false;
    }
    ctx.record("section:sync");
    ImGui::PushTextWrapPos(0);
    ImGui::TextDisabled("%s", ctx.t("sync.intro"));
    ImGui::PopTextWrapPos();
    form(ctx);
    conflicts(ctx);
}

void TeamSyncView::form(ViewContext& ctx) {
    const SyncStatus& s = ctx.sync;
    using Auth = SyncSettings::Auth;

    // Where the team file is: a server, or a shared folder (docs/SYNC.md §8).
    label(ctx, "folder.where");
    using Where = SyncSettings::Where;
    if (ImGui::RadioButton((std::string(ctx.t("folder.where.server")) + "###sync-where-server").c_str(),
                           draft_.where == Where::Server))
        draft_.where = Where::Server;
    ctx.record(ctx.t("folder.where.server"), "field:sync.where.server");
    ImGui::SameLine();
    if (ImGui::RadioButton((std::string(ctx.t("folder.where.folder")) + "###sync-where-folder").c_str(),
                           draft_.where == Where::Folder))
        draft_.where = Where::Folder;
    ctx.record(ctx.t("folder.where.folder"), "field:sync.where.folder");
    if (draft_.where == Where::Folder) {
        folderForm(ctx);
        statusLines(ctx);
        return;
    }

    label(ctx, "sync.url");
    ImGui::InputTextWithHint("##sync.url", "https://…/team.json", &draft_.url);
    ctx.record("field:sync.url");
    if (plainHttpToOtherHost(draft_.url)) {
        ImGui::PushStyleColor(ImGuiCol_Text, ctx.palette.dueToday);
        ImGui::PushTextWrapPos(0);
        ImGui::TextUnformatted(ctx.t("sync.warn.plain_http"));
        ImGui::PopTextWrapPos();
        ImGui::PopStyleColor();
        ctx.record("sync:plain-http-warning");
    }

    label(ctx, "sync.auth");
    struct Choice {
        Auth auth;
        const char* key;
        const char* id;
    };
    const Choice kChoices[] = {{Auth::None, "sync.auth.none", "field:sync.auth.none"},
                               {Auth::Basic, "sync.auth.basic", "field:sync.auth.basic"},
                               {Auth::Bearer, "sync.auth.token", "field:sync.auth.token"}};
    for (const Choice& c : kChoices) {
        if (ImGui::RadioButton((std::string(ctx.t(c.key)) + "###" + c.id).c_str(), draft_.auth == c.auth))
            draft_.auth = c.auth;
        ctx.record(ctx.t(c.key), c.id);
        ImGui::SameLine();
    }
    ImGui::NewLine();
    const bool heldSecret = s.hasSecret && s.settings.auth == draft_.auth;
    const char* secretHint = heldSecret ? ctx.t("sync.secret_kept") : "";
    if (draft_.auth == Auth::Basic) {
        label(ctx, "sync.user");
        ImGui::InputText("##sync.user", &draft_.user);
        ctx.record("field:sync.user");
        label(ctx, "sync.password");
        ImGui::InputTextWithHint("##sync.password", secretHint, &secret_, ImGuiInputTextFlags_Password);
        ctx.record("field:sync.password");
    } else if (draft_.auth == Auth::Bearer) {
        label(ctx, "sync.token");
        ImGui::InputTextWithHint("##sync.token", secretHint, &secret_, ImGuiInputTextFlags_Password);
        ctx.record("field:sync.token");
    }

    label(ctx, "sync.interval");
    if (ImGui::BeginCombo("##sync.interval", intervalText(ctx, draft_.intervalS).c_str())) {
        for (int secs : kSyncIntervals) {
            if (ImGui::Selectable(intervalText(ctx, secs).c_str(), draft_.intervalS == secs))
                draft_.intervalS = secs;
            ctx.record("interval:" + std::to_string(secs));
        }
        ImGui::EndCombo();
    }
    ctx.record("field:sync.interval");

    if (draft_.auth != Auth::None) {
        ImGui::Dummy(ImVec2(kLabelWidth - ImGui::GetStyle().ItemSpacing.x, 0));
        ImGui::SameLine();
        ImGui::Checkbox((std::string(ctx.t("sync.remember")) + "###sync-remember").c_str(), &draft_.remember);
        ctx.record(ctx.t("sync.remember"), "field:sync.remember");
        ImGui::Dummy(ImVec2(kLabelWidth - ImGui::GetStyle().ItemSpacing.x, 0));
        ImGui::SameLine();
        ImGui::PushTextWrapPos(0);
        ImGui::TextDisabled("%s", ctx.t(draft_.remember ? "sync.remember_on" : "sync.remember_off"));
        ImGui::PopTextWrapPos();
    }

    // Start / save: checked here so the user gets plain words before anything is sent.
    auto submit = [&] {
        formError_.clear();
        if (!plausibleSyncUrl(draft_.url))
            formError_ = "sync.error.url";
        else if (draft_.auth == Auth::Basic && draft_.user.empty())
            formError_ = "sync.error.user_missing";
        else if (draft_.auth != Auth::None && secret_.empty() && !heldSecret)
            formError_ = "sync.error.secret_missing";
        if (!formError_.empty()) return;
        SyncRequest r;
        r.kind = SyncRequest::Kind::Configure;
        r.settings = draft_;
        r.settings.folder.clear();
        if (draft_.auth == Auth::None) r.settings.remember = false;
        if (draft_.auth != Auth::Basic) r.settings.user.clear();
        r.secret = secret_;
        r.keepSecret = secret_.empty() && draft_.auth != Auth::None;
        ctx.syncRequests.push_back(std::move(r));
        secret_.clear();
    };

    ImGui::Spacing();
    actions(ctx, s.configured(), !(draft_ == s.settings) || !secret_.empty(), submit);

    statusLines(ctx);
}

// What the last sync did, and the error in plain words with its detail.
void TeamSyncView::statusLines(ViewContext& ctx) {
    const SyncStatus& s = ctx.sync;
    const Palette& pal = ctx.palette;
    if (s.configured()) {
        ImGui::Spacing();
        if (s.state == State::Syncing) {
            spinner(ctx);
            ImGui::SameLine(0, 4);
        }
        const bool bad = s.state == State::Error || s.state == State::Waiting;
        ImGui::PushStyleColor(ImGuiCol_Text, bad ? pal.overdue : pal.text);
        ImGui::PushTextWrapPos(0);
        ImGui::TextUnformatted(summaryText(ctx).c_str());
        ImGui::PopTextWrapPos();
        ImGui::PopStyleColor();
        ctx.record("sync:summary");
        if (!s.errorDetail.empty() && (bad || s.state == State::Offline)) {
            ImGui::PushTextWrapPos(0);
            ImGui::TextDisabled("%s", s.errorDetail.c_str());
            ImGui::PopTextWrapPos();
            ctx.record("sync:detail");
        }
        if (s.pendingOut) {
            const bool folder = s.settings.where == SyncSettings::Where::Folder;
            ImGui::TextDisabled("%s", ctx.t(folder ? "sync.pending_long_folder" : "sync.pending_long"));
        }
    }
}

// [SECTION] Shared folder form

void TeamSyncView::folderForm(ViewContext& ctx) {
    const SyncStatus& s = ctx.sync;
    const Palette& pal = ctx.palette;
    auto wrapped = [](const char* text) {
        ImGui::PushTextWrapPos(0);
        ImGui::TextDisabled("%s", text);
        ImGui::PopTextWrapPos();
    };
    if (!s.folderSupported) {
        // Firefox, Safari, phones: no File System Access API. Say so, offer the server.
        ImGui::PushStyleColor(ImGuiCol_Text, pal.overdue);
        ImGui::PushTextWrapPos(0);
        ImGui::TextUnformatted(ctx.t("folder.unsupported"));
        ImGui::PopTextWrapPos();
        ImGui::PopStyleColor();
        ctx.record("sync:folder-unsupported");
        if (ImGui::Button((std::string(ctx.t("folder.use_server")) + "###sync-use-server").c_str()))
            draft_.where = SyncSettings::Where::Server;
        ctx.record(ctx.t("folder.use_server"), "button:sync.folder.use_server");
        return;
    }
    wrapped(ctx.t("folder.intro"));
    label(ctx, "folder.folder");
    ImGui::TextUnformatted(s.pickedFolder.empty() ? ctx.t("folder.none") : s.pickedFolder.c_str());
    ctx.record("sync:folder-name");
    ImGui::SameLine();
    if (ImGui::Button((std::string(ctx.t(s.pickedFolder.empty() ? "folder.choose" : "folder.change")) +
                       "###sync-folder-choose")
                          .c_str()))
        ctx.syncRequests.push_back(SyncRequest{SyncRequest::Kind::PickFolder, {}, {}, false, {}, {}, {}});
    ctx.record(ctx.t("folder.choose"), "button:sync.folder.choose");
    if (!s.pickedFolder.empty() && s.folderNeedsPermission) {
        ImGui::PushStyleColor(ImGuiCol_Text, pal.overdue);
        ImGui::PushTextWrapPos(0);
        ImGui::TextUnformatted(ctx.t("folder.permission_explained"));
        ImGui::PopTextWrapPos();
        ImGui::PopStyleColor();
        ImGui::PushStyleColor(ImGuiCol_Button, pal.accent);
        ImGui::PushStyleColor(ImGuiCol_ButtonHovered, pal.accent);
        ImGui::PushStyleColor(ImGuiCol_Text, pal.accentText);
        if (ImGui::Button((std::string(ctx.t("folder.allow")) + "###sync-folder-allow").c_str()))
            ctx.syncRequests.push_back(SyncRequest{SyncRequest::Kind::GrantFolder, {}, {}, false, {}, {}, {}});
        ImGui::PopStyleColor(3);
        ctx.record(ctx.t("folder.allow"), "button:sync.folder.allow");
    }

    label(ctx, "sync.interval");
    if (ImGui::BeginCombo("##sync.interval", intervalText(ctx, draft_.intervalS).c_str())) {
        for (int secs : kSyncIntervals) {
            if (ImGui::Selectable(intervalText(ctx, secs).c_str(), draft_.intervalS == secs)) draft_.intervalS = secs;
            ctx.record("interval:" + std::to_string(secs));
        }
        ImGui::EndCombo();
    }
    ctx.record("field:sync.interval");

    auto submit = [&] {
        formError_.clear();
        if (s.pickedFolder.empty()) {
            formError_ = "folder.error.none";
            return;
        }
        SyncRequest r;
        r.kind = SyncRequest::Kind::Configure;
        r.settings = SyncSettings{};
        r.settings.where = SyncSettings::Where::Folder;
        r.settings.folder = s.pickedFolder;
        r.settings.intervalS = draft_.intervalS;
        ctx.syncRequests.push_back(std::move(r));
    };
    ImGui::Spacing();
    const bool configuredHere = s.configured() && s.settings.where == SyncSettings::Where::Folder;
    actions(ctx, configuredHere,
            !(draft_.intervalS == s.settings.intervalS && s.settings.folder == s.pickedFolder), submit);
}

// The form's action row (Start, or Save / Sync now / Stop once this transport is set up) and the
// form's error: the same for the server and the folder forms.
void TeamSyncView::actions(ViewContext& ctx, bool configured, bool changed, const std::function<void()>& submit) {
    const SyncStatus& s = ctx.sync;
    const Palette& pal = ctx.palette;
    if (!configured) {
        ImGui::PushStyleColor(ImGuiCol_Button, pal.accent);
        ImGui::PushStyleColor(ImGuiCol_Text, pal.accentText);
        if (ImGui::Button((std::string(ctx.t("sync.start")) + "###sync-start").c_str())) submit();
        ImGui::PopStyleColor(2);
        ctx.record(ctx.t("sync.start"), "button:sync.start");
    } else {
        ImGui::BeginDisabled(!changed);
        if (ImGui::Button((std::string(ctx.t("sync.save")) + "###sync-save").c_str())) submit();
        ImGui::EndDisabled();
        ctx.record(ctx.t("sync.save"), "button:sync.save");
        ImGui::SameLine();
        ImGui::BeginDisabled(s.state == State::Syncing);
        ImGui::PushStyleColor(ImGuiCol_Button, pal.accent);
        ImGui::PushStyleColor(ImGuiCol_Text, pal.accentText);
        if (ImGui::Button((std::string(ctx.t("sync.now")) + "###sync-now").c_str()))
            ctx.syncRequests.push_back(SyncRequest{SyncRequest::Kind::SyncNow, {}, {}, false, {}, {}, {}});
        ImGui::PopStyleColor(2);
        ImGui::EndDisabled();
        ctx.record(ctx.t("sync.now"), "button:sync.now");
        ImGui::SameLine();
        if (ImGui::Button((std::string(ctx.t("sync.stop")) + "###sync-stop").c_str())) {
            ctx.syncRequests.push_back(SyncRequest{SyncRequest::Kind::Stop, {}, {}, false, {}, {}, {}});
            formError_.clear();
        }
        ctx.record(ctx.t("sync.stop"), "button:sync.stop");
    }
    if (!formError_.empty()) {
        ImGui::PushStyleColor(ImGuiCol_Text, pal.overdue);
        ImGui::PushTextWrapPos(0);
        ImGui::TextUnformatted(ctx.t(formError_));
        ImGui::PopTextWrapPos();
        ImGui::PopStyleColor();
        ctx.record("sync:form-error");
    }
}

// [SECTION] Conflicts panel

void TeamSyncView::conflicts(ViewContext& ctx) {
    const SyncStatus& s = ctx.sync;
    if (!s.configured() && s.conflicts.empty()) return;
    sectionTitle(ctx, fmt(ctx.t("sync.conflicts_title"), static_cast<long long>(s.conflicts.size())) +
                          "###sync-conflicts-title");
    ctx.record("section:sync-conflicts");
    if (s.conflicts.empty()) {
        ImGui::TextDisabled("%s", ctx.t("sync.no_conflicts"));
        ctx.record(ctx.t("sync.no_conflicts"));
        editing_ = -1;
        return;
    }
    ImGui::PushTextWrapPos(0);
    ImGui::TextDisabled("%s", ctx.t("sync.conflicts_intro"));
    ImGui::PopTextWrapPos();
    if (editing_ >= int(s.conflicts.size())) editing_ = -1;
    for (int i = 0; i < int(s.conflicts.size()); ++i) {
        const ConflictChoice& c = s.conflicts[size_t(i)];
        const Conflict& other = c.logged;
        const std::string stable = other.key + ":" + other.field;
        ImGui::PushID(i);
        ImGui::Spacing();
        ImGui::Separator();
        const std::string title = recordText(ctx, other.key) + " — " + fieldText(ctx, other.field);
        ImGui::TextUnformatted(title.c_str());
        ctx.record(title);
        ctx.record("conflict:" + std::to_string(i), "conflict:" + stable);

        const bool currentMine = mine(ctx.sync, replicaOf(c.currentStamp));
        const bool otherMine = mine(ctx.sync, replicaOf(other.stamp));
        if (ImGui::BeginTable("##versions", 3, ImGuiTableFlags_SizingStretchProp | ImGuiTableFlags_RowBg)) {
            ImGui::TableSetupColumn("", ImGuiTableColumnFlags_WidthFixed, 120);
            ImGui::TableSetupColumn("", ImGuiTableColumnFlags_WidthStretch, 3);
            ImGui::TableSetupColumn("", ImGuiTableColumnFlags_WidthStretch, 2);
            auto row = [&](const char* key, const json& value, const std::string& stamp, const char* id) {
                ImGui::TableNextRow();
                ImGui::TableNextColumn();
                ImGui::TextDisabled("%s", ctx.t(key));
                ImGui::TableNextColumn();
                ImGui::PushTextWrapPos(0);
                ImGui::TextUnformatted(valueText(ctx, other.field, value).c_str());
                ImGui::PopTextWrapPos();
                ctx.record(std::string(id) + std::to_string(i), std::string(id) + stable);
                ImGui::TableNextColumn();
                ImGui::PushTextWrapPos(0);
                const std::string when = whenText(ctx, stamp);
                ImGui::TextDisabled("%s", (whoText(ctx, stamp) + (when.empty() ? "" : ", " + when)).c_str());
                ImGui::PopTextWrapPos();
            };
            row("sync.current", c.current, c.currentStamp, "conflict.current:");
            row("sync.other", other.value, other.stamp, "conflict.other:");
            ImGui::EndTable();
        }
        // Mine / theirs when one side is this device's; otherwise "keep current" / "use other".
        const char* keepKey = currentMine && !otherMine   ? "sync.keep_mine"
                              : otherMine && !currentMine ? "sync.keep_theirs"
                                                          : "sync.keep_current";
        const char* useKey = otherMine && !currentMine   ? "sync.keep_mine"
                             : currentMine && !otherMine ? "sync.keep_theirs"
                                                         : "sync.use_other";
        auto resolve = [&](json value) {
            SyncRequest r;
            r.kind = SyncRequest::Kind::Resolve;
            r.key = other.key;
            r.field = other.field;
            r.value = std::move(value);
            ctx.syncRequests.push_back(std::move(r));
            editing_ = -1;
        };
        if (ImGui::SmallButton((std::string(ctx.t(keepKey)) + "###keep").c_str())) resolve(c.current);
        ctx.record(ctx.t(keepKey));
        ctx.record("button:conflict.keep-current:" + std::to_string(i),
                   "button:conflict.keep-current:" + stable);
        ImGui::SameLine();
        if (ImGui::SmallButton((std::string(ctx.t(useKey)) + "###use").c_str())) resolve(other.value);
        ctx.record(ctx.t(useKey));
        ctx.record("button:conflict.use-other:" + std::to_string(i), "button:conflict.use-other:" + stable);
        // Hand edits for text and numbers; other kinds (lists, removals) pick one side.
        const bool editable = (c.current.is_string() || c.current.is_number()) && other.field != "~gone";
        if (editable) {
            ImGui::SameLine();
            if (ImGui::SmallButton((std::string(ctx.t("sync.edit")) + "###edit").c_str())) {
                editing_ = i;
                editText_ = c.current.is_string() ? c.current.get<std::string>()
                                                  : valueText(ctx, other.field, c.current);
            }
            ctx.record("button:conflict.edit:" + std::to_string(i), "button:conflict.edit:" + stable);
        }
        if (editing_ == i) {
            ImGui::SetNextItemWidth(std::min(420.0f, ImGui::GetContentRegionAvail().x - 180));
            ImGui::InputText("##edit-value", &editText_);
            ctx.record("field:conflict.edit:" + std::to_string(i), "field:conflict.edit:" + stable);
            ImGui::SameLine();
            bool valid = true;
            json value = editText_;
            if (c.current.is_number()) {
                char* end = nullptr;
                const double d = std::strtod(editText_.c_str(), &end);
                valid = !editText_.empty() && end && *end == '\0' && std::isfinite(d);
                value = c.current.is_number_integer() && d == std::floor(d) ? json(static_cast<long long>(d))
                                                                            : json(d);
            }
            ImGui::BeginDisabled(!valid);
            if (ImGui::SmallButton((std::string(ctx.t("sync.use_edit")) + "###use-edit").c_str()))
                resolve(value);
            ImGui::EndDisabled();
            ctx.record("button:conflict.save:" + std::to_string(i), "button:conflict.save:" + stable);
            ImGui::SameLine();
            if (ImGui::SmallButton((std::string(ctx.t("action.cancel")) + "###cancel-edit").c_str()))
                editing_ = -1;
        }
        ImGui::PopID();
    }
}

}  // namespace funnel::ui
