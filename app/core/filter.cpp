// Funnel — the board's deal filter (see filter.h).
#include "core/filter.h"

#include <algorithm>
#include <cctype>

namespace funnel {

namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

bool contains(const std::string& haystack, const std::string& needleLower) {
    return lower(haystack).find(needleLower) != std::string::npos;
}

bool statusPasses(DealStatus st, StatusFilter f) {
    switch (f) {
        case StatusFilter::Active: return st == DealStatus::Open || st == DealStatus::Won;
        case StatusFilter::Open: return st == DealStatus::Open;
        case StatusFilter::Won: return st == DealStatus::Won;
        case StatusFilter::Lost: return st == DealStatus::Lost;
        case StatusFilter::Suspended: return st == DealStatus::Suspended;
        case StatusFilter::All: return true;
    }
    return true;
}

constexpr StatusFilter kStatuses[] = {StatusFilter::Active, StatusFilter::Open,      StatusFilter::Won,
                                      StatusFilter::Lost,   StatusFilter::Suspended, StatusFilter::All};

}  // namespace

bool dealMatches(const Document& doc, const Deal& deal, const BoardFilter& f) {
    if (deal.deleted || !statusPasses(deal.status, f.status)) return false;
    if (!f.owner.empty() && deal.owner != f.owner) return false;
    if (!f.deals.empty() && !std::binary_search(f.deals.begin(), f.deals.end(), deal.id)) return false;
    if (!f.label.empty() && std::find(deal.labels.begin(), deal.labels.end(), f.label) == deal.labels.end())
        return false;
    const Customer* customer =
        (f.grade >= 0 || f.source >= 0 || !f.search.empty()) ? doc.findCustomer(deal.customerId) : nullptr;
    if (f.grade >= 0 && (!customer || static_cast<int>(customer->grade) != f.grade)) return false;
    if (f.source >= 0 && (!customer || static_cast<int>(customer->source) != f.source)) return false;
    if (!f.search.empty()) {
        std::string q = lower(f.search);
        if (contains(deal.title, q)) return true;
        if (customer && contains(customer->name, q)) return true;
        for (const Contact& c : doc.contacts)
            if (!c.deleted &&
                (c.customerId == deal.customerId ||
                 std::find(deal.contactIds.begin(), deal.contactIds.end(), c.id) != deal.contactIds.end()) &&
                contains(c.name, q))
                return true;
        return false;
    }
    return true;
}

const char* toString(StatusFilter s) {
    switch (s) {
        case StatusFilter::Active: return "active";
        case StatusFilter::Open: return "open";
        case StatusFilter::Won: return "won";
        case StatusFilter::Lost: return "lost";
        case StatusFilter::Suspended: return "suspended";
        case StatusFilter::All: return "all";
    }
    return "active";
}

json encodeFilter(const BoardFilter& f) {
    json j = json::object();
    if (!f.owner.empty()) j["owner"] = f.owner;
    if (f.grade >= 0) j["grade"] = toString(static_cast<Grade>(f.grade));
    if (!f.label.empty()) j["label"] = f.label;
    if (f.source >= 0) j["source"] = toString(static_cast<LeadSource>(f.source));
    j["status"] = toString(f.status);
    if (!f.search.empty()) j["search"] = f.search;
    if (!f.deals.empty()) j["deals"] = f.deals;
    return j;
}

bool decodeFilter(const json& j, BoardFilter& f, std::string& error) {
    f = BoardFilter{};
    if (!j.is_object()) {
        error = "filter: expected an object";
        return false;
    }
    for (auto item = j.begin(); item != j.end(); ++item) {
        // Not a structured binding: clang 14 (em++ 3.1.6) cannot capture one in a lambda.
        const std::string& k = item.key();
        const json& v = item.value();
        auto text = [&](std::string& out) {
            if (!v.is_string()) {
                error = "filter." + k + ": expected a string";
                return false;
            }
            out = v.get<std::string>();
            return true;
        };
        std::string s;
        if (k == "owner") {
            if (!text(f.owner)) return false;
        } else if (k == "label") {
            if (!text(f.label)) return false;
        } else if (k == "search") {
            if (!text(f.search)) return false;
        } else if (k == "grade") {
            Grade g;
            if (!text(s)) return false;
            if (!fromString(s, g)) {
                error = "filter.grade: unknown value \"" + s + "\"";
                return false;
            }
            f.grade = static_cast<int>(g);
        } else if (k == "source") {
            LeadSource src;
            if (!text(s)) return false;
            if (!fromString(s, src)) {
                error = "filter.source: unknown value \"" + s + "\"";
                return false;
            }
            f.source = static_cast<int>(src);
        } else if (k == "deals") {
            if (!v.is_array()) {
                error = "filter.deals: expected an array of deal ids";
                return false;
            }
            for (const json& id : v) {
                if (!id.is_string()) {
                    error = "filter.deals: expected an array of deal ids";
                    return false;
                }
                f.deals.push_back(id.get<std::string>());
            }
            std::sort(f.deals.begin(), f.deals.end());
        } else if (k == "status") {
            if (!text(s)) return false;
            auto it = std::find_if(std::begin(kStatuses), std::end(kStatuses),
                                   [&](StatusFilter x) { return s == toString(x); });
            if (it == std::end(kStatuses)) {
                error = "filter.status: unknown value \"" + s + "\"";
                return false;
            }
            f.status = *it;
        }  // unknown keys: a newer Funnel's filter; ignored
    }
    return true;
}

}  // namespace funnel
