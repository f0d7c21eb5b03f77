// Funnel — making and opening shared snapshots (see snapshot.h).
#include "core/snapshot.h"

#include <algorithm>
#include <unordered_set>

namespace funnel {

namespace {

using IdSet = std::unordered_set<std::string>;

bool has(const IdSet& s, const Id& id) { return !id.empty() && s.count(id) > 0; }

// `{ "format" : "funnel"` at the start, whitespace allowed (docs/FORMAT.md: the object begins
// with the header).
bool beginsWithFunnelHeader(std::string_view t) {
    std::size_t i = 0;
    auto ws = [&] {
        while (i < t.size() && (t[i] == ' ' || t[i] == '\t' || t[i] == '\r' || t[i] == '\n')) ++i;
    };
    auto word = [&](std::string_view w) {
        ws();
        if (t.substr(i, w.size()) != w) return false;
        i += w.size();
        return true;
    };
    if (t.substr(0, 3) == "\xEF\xBB\xBF") i = 3;  // a byte-order mark some editors add
    return word("{") && word("\"format\"") && word(":") && word("\"funnel\"");
}

}  // namespace

Document makeSnapshot(const Document& doc, const Id& pipelineId, const BoardFilter& filter, Time now) {
    Document out;
    out.pipelines.clear();
    out.members.clear();
    out.settings = Settings{};
    out.settings.displayCurrency = doc.settings.displayCurrency;
    out.settings.rates = doc.settings.rates;
    out.settings.defaultPipeline = pipelineId;

    const Pipeline* pipeline = doc.findPipeline(pipelineId);
    IdSet deals, customers, contacts, activities, members;
    if (pipeline) {
        out.pipelines.push_back(*pipeline);
        IdSet stages;
        for (const Stage& s : pipeline->stages) stages.insert(s.id);
        for (const Deal& d : doc.deals) {
            // What the board shows: this pipeline, a stage that exists, the filter.
            if (d.pipelineId != pipeline->id || !has(stages, d.stageId) || !dealMatches(doc, d, filter))
                continue;
            out.deals.push_back(d);
            deals.insert(d.id);
            if (!d.customerId.empty()) customers.insert(d.customerId);
        }
    }
    for (const Customer& c : doc.customers)
        if (has(customers, c.id)) out.customers.push_back(c);
    IdSet dealContacts;
    for (const Deal& d : out.deals) dealContacts.insert(d.contactIds.begin(), d.contactIds.end());
    for (const Contact& c : doc.contacts)
        if (!c.deleted && (has(customers, c.customerId) || has(dealContacts, c.id))) {
            out.contacts.push_back(c);
            contacts.insert(c.id);
        }
    for (const Activity& a : doc.activities)
        if (!a.deleted && has(deals, a.dealId)) {
            out.activities.push_back(a);
            activities.insert(a.id);
        }
    // References to records left out would dangle: drop them.
    for (Customer& c : out.customers)
        if (!has(customers, c.referredBy)) c.referredBy.clear();
    for (Deal& d : out.deals)
        d.contactIds.erase(std::remove_if(d.contactIds.begin(), d.contactIds.end(),
                                          [&](const Id& id) { return !has(contacts, id); }),
                           d.contactIds.end());
    for (const Change& ch : doc.changes) {
        const IdSet* set = ch.entity == "deal"       ? &deals
                           : ch.entity == "customer" ? &customers
                           : ch.entity == "contact"  ? &contacts
                           : ch.entity == "activity" ? &activities
                                                     : nullptr;
        if (set && has(*set, ch.id)) out.changes.push_back(ch);
    }
    for (const Deal& d : out.deals) members.insert(d.owner);
    for (const Customer& c : out.customers) members.insert(c.owner);
    for (const Activity& a : out.activities) members.insert(a.owner);
    for (const Change& ch : out.changes) members.insert(ch.by);
    for (const Member& m : doc.members)
        if (has(members, m.id)) out.members.push_back(m);

    SnapshotInfo info;
    info.createdAt = now;
    if (const Member* me = doc.findMember(doc.settings.me)) info.by = me->name;
    info.pipelineId = pipelineId;
    info.filter = filter;
    info.deals = static_cast<int>(out.deals.size());
    out.extra = json::object();
    out.extra["snapshot"] = encodeSnapshotInfo(info);
    return out;
}

const char* messageKey(SnapshotError e) {
    switch (e) {
        case SnapshotError::None: return "";
        case SnapshotError::TooLarge: return "snapshot.error.too_large";
        case SnapshotError::Damaged: return "snapshot.error.damaged";
        case SnapshotError::NotSnapshot: return "snapshot.error.not_snapshot";
        case SnapshotError::Invalid: return "snapshot.error.invalid";
    }
    return "snapshot.error.invalid";
}

json encodeSnapshotInfo(const SnapshotInfo& info) {
    json j = json::object();
    j["createdAt"] = formatTime(info.createdAt);
    j["by"] = info.by;
    j["pipeline"] = info.pipelineId;
    j["filter"] = encodeFilter(info.filter);
    j["deals"] = info.deals;
    j["readOnly"] = true;
    return j;
}

bool decodeSnapshotInfo(const json& j, SnapshotInfo& info, std::string& error) {
    info = SnapshotInfo{};
    if (!j.is_object()) {
        error = "snapshot: expected an object";
        return false;
    }
    auto text = [&](const char* key, std::string& out) {
        auto it = j.find(key);
        if (it == j.end() || !it->is_string()) {
            error = std::string("snapshot.") + key + ": expected a string";
            return false;
        }
        out = it->get<std::string>();
        return true;
    };
    std::string created;
    if (!text("createdAt", created) || !text("by", info.by) || !text("pipeline", info.pipelineId))
        return false;
    auto t = parseTime(created);
    if (!t) {
        error = "snapshot.createdAt: expected a time";
        return false;
    }
    info.createdAt = *t;
    auto ro = j.find("readOnly");
    if (ro == j.end() || !ro->is_boolean() || !ro->get<bool>()) {
        error = "snapshot.readOnly: expected true";
        return false;
    }
    auto d = j.find("deals");
    if (d != j.end()) {
        if (!d->is_number_integer() || d->get<long long>() < 0 || d->get<long long>() > 100000000) {
            error = "snapshot.deals: expected a count";
            return false;
        }
        info.deals = d->get<int>();
    }
    auto f = j.find("filter");
    if (f != j.end() && !decodeFilter(*f, info.filter, error)) {
        error = "snapshot." + error;
        return false;
    }
    return true;
}

OpenedSnapshot openSnapshot(std::string_view text, const Limits& limits) {
    OpenedSnapshot out;
    auto fail = [&](SnapshotError e, std::string detail) {
        out.error = e;
        out.detail = std::move(detail);
        out.document = Document{};
        out.info = SnapshotInfo{};
        return out;
    };
    if (text.find_first_not_of(" \t\r\n") == std::string_view::npos)
        return fail(SnapshotError::Damaged, "empty");
    if (text.size() > limits.maxBytes) return fail(SnapshotError::TooLarge, checkLimits(text, limits));
    if (std::string e = checkLimits(text, limits); !e.empty())
        return fail(e.rfind("invalid JSON", 0) == 0 ? SnapshotError::Damaged : SnapshotError::TooLarge, e);
    // A snapshot is an object whose first fields are the Funnel header: anything else is foreign,
    // whatever a version-0 migration would make of it.
    if (!beginsWithFunnelHeader(text)) return fail(SnapshotError::NotSnapshot, "no Funnel header");
    DecodeResult r = decodeDocument(text, limits);
    if (!r.ok)
        return fail(r.error.rfind("invalid JSON", 0) == 0 ? SnapshotError::Damaged : SnapshotError::Invalid,
                    r.error);
    if (!r.document.extra.is_object() || !r.document.extra.contains("snapshot"))
        return fail(SnapshotError::NotSnapshot, "no snapshot header");
    std::string error;
    if (!decodeSnapshotInfo(r.document.extra["snapshot"], out.info, error))
        return fail(SnapshotError::Invalid, error);
    out.document = std::move(r.document);
    out.document.extra.erase("snapshot");
    if (out.document.extra.empty()) out.document.extra = json();
    return out;
}

Document ownCopyOf(const Document& opened, const SnapshotInfo& info) {
    Document d = opened;
    if (d.extra.is_object()) {
        d.extra.erase("snapshot");
        if (d.extra.empty()) d.extra = json();
    }
    if (d.findPipeline(info.pipelineId)) d.settings.defaultPipeline = info.pipelineId;
    return d;
}

bool isBlank(const Document& d) {
    return d.customers.empty() && d.contacts.empty() && d.deals.empty() && d.activities.empty();
}

}  // namespace funnel
