// Funnel — the JSON document codec: limits pass, migrations, per-record encode/decode.
//
// Index:
//   [SECTION] Limits (SAX pass)
//   [SECTION] Field readers
//   [SECTION] Field writers
//   [SECTION] Records
//   [SECTION] Document
//   [SECTION] Migrations
#include "core/codec.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <iterator>
#include <optional>
#include <cstdio>
#include <vector>

namespace funnel {

std::string dumpJson(const json& j, int indent) {
    return j.dump(indent, ' ', false, json::error_handler_t::replace);
}

// [SECTION] Limits (SAX pass)

namespace {
class LimitCheck final : public nlohmann::json_sax<json> {
public:
    explicit LimitCheck(const Limits& limits) : limits_(limits) {}
    std::string error;

    bool null() override { return value(); }
    bool boolean(bool) override { return value(); }
    bool number_integer(number_integer_t) override { return value(); }
    bool number_unsigned(number_unsigned_t) override { return value(); }
    bool number_float(number_float_t v, const string_t&) override {
        if (!std::isfinite(v)) return fail("number out of range");
        return value();
    }
    bool string(string_t& s) override {
        if (s.size() > limits_.maxStringLength) return fail(tooLong(s.size()));
        return value();
    }
    bool binary(binary_t&) override { return fail("binary values are not JSON"); }
    bool start_object(std::size_t) override { return open(); }
    bool key(string_t& s) override {
        if (s.size() > limits_.maxStringLength) return fail(tooLong(s.size()));
        return true;
    }
    bool end_object() override { return close(); }
    bool start_array(std::size_t) override { return open(); }
    bool end_array() override { return close(); }
    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& ex) override {
        // nlohmann's message already names the line/column and the reason (including
        // ill-formed UTF-8 and numbers too large for a double).
        std::string what = ex.what();
        const auto pos = what.find("] ");
        return fail("invalid JSON: " + (pos == std::string::npos ? what : what.substr(pos + 2)));
    }

private:
    const Limits& limits_;
    std::vector<std::size_t> counts_;  // elements seen in each open container

    bool fail(const std::string& msg) {
        if (error.empty()) error = msg;
        return false;
    }
    std::string tooLong(std::size_t n) {
        return "string of " + std::to_string(n) + " bytes exceeds the limit of " +
               std::to_string(limits_.maxStringLength);
    }
    bool value() {
        if (!counts_.empty() && ++counts_.back() > limits_.maxRecords)
            return fail("more than " + std::to_string(limits_.maxRecords) + " elements in one array");
        return true;
    }
    bool open() {
        if (!value()) return false;
        if (int(counts_.size()) >= limits_.maxDepth)
            return fail("nesting deeper than " + std::to_string(limits_.maxDepth) + " levels");
        counts_.push_back(0);
        return true;
    }
    bool close() {
        counts_.pop_back();
        return true;
    }
};
}  // namespace

std::string checkLimits(std::string_view text, const Limits& limits) {
    if (text.size() > limits.maxBytes)
        return "document of " + std::to_string(text.size()) + " bytes exceeds the limit of " +
               std::to_string(limits.maxBytes);
    LimitCheck check(limits);
    const bool ok = json::sax_parse(text.begin(), text.end(), &check);
    if (!ok) return check.error.empty() ? std::string("invalid JSON") : check.error;
    return "";
}

// [SECTION] Field readers
//
// Each returns false after recording "<path>.<key>: <problem>" (the first error wins).

namespace {
class Reader {
public:
    explicit Reader(std::string& error) : error_(error) {}

    bool fail(const std::string& path, std::string_view key, std::string_view problem) {
        if (error_.empty()) {
            error_ = path;
            if (!key.empty()) {
                if (!error_.empty()) error_ += '.';
                error_ += key;
            }
            error_ += ": ";
            error_ += problem;
        }
        return false;
    }

    bool str(const json& v, std::string& out, const std::string& p, std::string_view k) {
        if (!v.is_string()) return fail(p, k, "expected a string");
        out = v.get_ref<const std::string&>();
        return true;
    }
    bool id(const json& v, Id& out, const std::string& p, std::string_view k) {
        if (!v.is_string()) return fail(p, k, "expected an id string");
        out = v.get_ref<const std::string&>();
        if (out.size() > 64) return fail(p, k, "id longer than 64 characters");
        return true;
    }
    bool boolean(const json& v, bool& out, const std::string& p, std::string_view k) {
        if (!v.is_boolean()) return fail(p, k, "expected true or false");
        out = v.get<bool>();
        return true;
    }
    bool integer(const json& v, int& out, int lo, int hi, const std::string& p, std::string_view k) {
        if (!v.is_number_integer()) return fail(p, k, "expected an integer");
        const std::int64_t n = v.get<std::int64_t>();
        if (v.is_number_unsigned() && v.get<std::uint64_t>() > std::uint64_t(INT64_MAX))
            return fail(p, k, "integer out of range");
        if (n < lo || n > hi)
            return fail(p, k, "expected an integer from " + std::to_string(lo) + " to " + std::to_string(hi));
        out = int(n);
        return true;
    }
    bool number(const json& v, double& out, bool nonNegative, const std::string& p, std::string_view k) {
        if (!v.is_number()) return fail(p, k, "expected a number");
        out = v.get<double>();
        if (!std::isfinite(out)) return fail(p, k, "expected a finite number");
        if (nonNegative && out < 0) return fail(p, k, "expected a number ≥ 0");
        return true;
    }
    bool time(const json& v, Time& out, const std::string& p, std::string_view k) {
        if (v.is_null()) {
            out = 0;
            return true;
        }
        if (!v.is_string()) return fail(p, k, "expected an ISO-8601 UTC time string or null");
        auto t = parseTime(v.get_ref<const std::string&>());
        if (!t) return fail(p, k, "expected an ISO-8601 time like 2026-01-31T09:30:00.000Z");
        out = *t;
        return true;
    }
    bool date(const json& v, Date& out, const std::string& p, std::string_view k) {
        if (v.is_null()) {
            out = kNoDate;
            return true;
        }
        if (!v.is_string()) return fail(p, k, "expected a date string YYYY-MM-DD or null");
        auto d = parseDate(v.get_ref<const std::string&>());
        if (!d) return fail(p, k, "expected a date like 2026-01-31");
        out = *d;
        return true;
    }
    template <class E>
    bool enumeration(const json& v, E& out, const std::string& p, std::string_view k) {
        if (!v.is_string() || !fromString(v.get_ref<const std::string&>(), out))
            return fail(p, k, "unknown value " + dumpJson(v).substr(0, 80));
        return true;
    }
    bool strings(const json& v, std::vector<std::string>& out, const std::string& p, std::string_view k) {
        if (!v.is_array()) return fail(p, k, "expected an array of strings");
        out.clear();
        out.reserve(v.size());
        for (std::size_t i = 0; i < v.size(); ++i) {
            if (!v[i].is_string()) return fail(p, std::string(k) + "[" + std::to_string(i) + "]", "expected a string");
            out.push_back(v[i].get_ref<const std::string&>());
        }
        return true;
    }
    bool text(const json& v, LocalText& out, const std::string& p, std::string_view k) {
        if (!v.is_object()) return fail(p, k, "expected an object of texts by language");
        out.byLang.clear();
        for (auto it = v.begin(); it != v.end(); ++it) {
            if (!it.value().is_string()) return fail(p, std::string(k) + "." + it.key(), "expected a string");
            out.byLang[it.key()] = it.value().get_ref<const std::string&>();
        }
        return true;
    }
    bool currency(const json& v, std::string& out, const std::string& p, std::string_view k) {
        if (!v.is_string()) return fail(p, k, "expected a currency code");
        const auto& s = v.get_ref<const std::string&>();
        if (!isCurrencyCode(s)) return fail(p, k, "expected a 3-letter currency code like CNY");
        out = s;
        return true;
    }
    static bool isCurrencyCode(const std::string& s) {
        if (s.size() != 3) return false;
        for (char c : s)
            if (c < 'A' || c > 'Z') return false;
        return true;
    }
    bool object(const json& v, const std::string& p, std::string_view k) {
        if (!v.is_object()) return fail(p, k, "expected an object");
        return true;
    }
    bool required(const Id& id, const std::string& p) {
        if (id.empty()) return fail(p, "id", "missing");
        return true;
    }

private:
    std::string& error_;
};

std::string child(const std::string& path, std::string_view key) {
    std::string s = path;
    if (!s.empty()) s += '.';
    s += key;
    return s;
}

std::string indexed(const std::string& path, std::size_t i) {
    return path + "[" + std::to_string(i) + "]";
}
}  // namespace

// [SECTION] Field writers: see the end of the file (records are written through a sink).

// [SECTION] Records

// Each decoder walks the object once; keys it does not know go to `extra`.
#define FUNNEL_FIELD(name, call) \
    else if (k == name) { if (!(call)) return false; }

bool decodeRecord(const json& j, Stage& r, std::string& error, const std::string& p) {
    Reader R(error);
    if (!R.object(j, p, "")) return false;
    for (auto it = j.begin(); it != j.end(); ++it) {
        const std::string& k = it.key();
        const json& v = it.value();
        if (false) {}
        FUNNEL_FIELD("id", R.id(v, r.id, p, k))
        FUNNEL_FIELD("name", R.text(v, r.name, p, k))
        FUNNEL_FIELD("probability", R.integer(v, r.probability, 0, 100, p, k))
        FUNNEL_FIELD("rottingDays", R.integer(v, r.rottingDays, 0, 3650, p, k))
        FUNNEL_FIELD("playbook", R.strings(v, r.playbook, p, k))
        else r.extra[k] = v;
    }
    return R.required(r.id, p);
}


bool decodeRecord(const json& j, Pipeline& r, std::string& error, const std::string& p) {
    Reader R(error);
    if (!R.object(j, p, "")) return false;
    for (auto it = j.begin(); it != j.end(); ++it) {
        const std::string& k = it.key();
        const json& v = it.value();
        if (false) {}
        FUNNEL_FIELD("id", R.id(v, r.id, p, k))
        FUNNEL_FIELD("name", R.text(v, r.name, p, k))
        else if (k == "stages") {
            if (!v.is_array()) return R.fail(p, k, "expected an array");
            r.stages.clear();
            r.stages.reserve(v.size());
            const std::string sp = child(p, "stages");
            for (std::size_t i = 0; i < v.size(); ++i) {
                Stage s;
                if (!decodeRecord(v[i], s, error, indexed(sp, i))) return false;
                r.stages.push_back(std::move(s));
            }
        }
        else r.extra[k] = v;
    }
    return R.required(r.id, p);
}


bool decodeRecord(const json& j, Member& r, std::string& error, const std::string& p) {
    Reader R(error);
    if (!R.object(j, p, "")) return false;
    for (auto it = j.begin(); it != j.end(); ++it) {
        const std::string& k = it.key();
        const json& v = it.value();
        if (false) {}
        FUNNEL_FIELD("id", R.id(v, r.id, p, k))
        FUNNEL_FIELD("name", R.str(v, r.name, p, k))
        FUNNEL_FIELD("initials", R.str(v, r.initials, p, k))
        else if (k == "role") {
            if (!R.str(v, r.role, p, k)) return false;
            if (r.role != "rep" && r.role != "manager") return R.fail(p, k, "expected \"rep\" or \"manager\"");
        }
        else r.extra[k] = v;
    }
    return R.required(r.id, p);
}


namespace {
bool decodeProfile(Reader& R, const json& j, CustomerProfile& r, const std::string& p) {
    if (!R.object(j, p, "")) return false;
    for (auto it = j.begin(); it != j.end(); ++it) {
        const std::string& k = it.key();
        const json& v = it.value();
        if (false) {}
        FUNNEL_FIELD("family", R.str(v, r.family, p, k))
        FUNNEL_FIELD("hobbies", R.str(v, r.hobbies, p, k))
        FUNNEL_FIELD("education", R.str(v, r.education, p, k))
        FUNNEL_FIELD("birthday", R.str(v, r.birthday, p, k))
        FUNNEL_FIELD("title", R.str(v, r.title, p, k))
        FUNNEL_FIELD("achievements", R.str(v, r.achievements, p, k))
        else r.extra[k] = v;
    }
    return true;
}

}  // namespace

bool decodeRecord(const json& j, Customer& r, std::string& error, const std::string& p) {
    Reader R(error);
    if (!R.object(j, p, "")) return false;
    for (auto it = j.begin(); it != j.end(); ++it) {
        const std::string& k = it.key();
        const json& v = it.value();
        if (false) {}
        FUNNEL_FIELD("id", R.id(v, r.id, p, k))
        FUNNEL_FIELD("name", R.str(v, r.name, p, k))
        FUNNEL_FIELD("industry", R.str(v, r.industry, p, k))
        FUNNEL_FIELD("region", R.str(v, r.region, p, k))
        FUNNEL_FIELD("address", R.str(v, r.address, p, k))
        FUNNEL_FIELD("website", R.str(v, r.website, p, k))
        FUNNEL_FIELD("phone", R.str(v, r.phone, p, k))
        FUNNEL_FIELD("size", R.str(v, r.size, p, k))
        FUNNEL_FIELD("grade", R.enumeration(v, r.grade, p, k))
        FUNNEL_FIELD("source", R.enumeration(v, r.source, p, k))
        FUNNEL_FIELD("referredBy", R.id(v, r.referredBy, p, k))
        FUNNEL_FIELD("tags", R.strings(v, r.tags, p, k))
        FUNNEL_FIELD("notes", R.str(v, r.notes, p, k))
        FUNNEL_FIELD("profile", decodeProfile(R, v, r.profile, child(p, k)))
        FUNNEL_FIELD("owner", R.id(v, r.owner, p, k))
        FUNNEL_FIELD("createdAt", R.time(v, r.createdAt, p, k))
        FUNNEL_FIELD("deleted", R.boolean(v, r.deleted, p, k))
        else r.extra[k] = v;
    }
    return R.required(r.id, p);
}


bool decodeRecord(const json& j, Contact& r, std::string& error, const std::string& p) {
    Reader R(error);
    if (!R.object(j, p, "")) return false;
    for (auto it = j.begin(); it != j.end(); ++it) {
        const std::string& k = it.key();
        const json& v = it.value();
        if (false) {}
        FUNNEL_FIELD("id", R.id(v, r.id, p, k))
        FUNNEL_FIELD("customerId", R.id(v, r.customerId, p, k))
        FUNNEL_FIELD("name", R.str(v, r.name, p, k))
        FUNNEL_FIELD("title", R.str(v, r.title, p, k))
        FUNNEL_FIELD("phone", R.str(v, r.phone, p, k))
        FUNNEL_FIELD("email", R.str(v, r.email, p, k))
        FUNNEL_FIELD("messenger", R.str(v, r.messenger, p, k))
        FUNNEL_FIELD("notes", R.str(v, r.notes, p, k))
        FUNNEL_FIELD("level", R.enumeration(v, r.level, p, k))
        FUNNEL_FIELD("role", R.enumeration(v, r.role, p, k))
        FUNNEL_FIELD("attitude", R.enumeration(v, r.attitude, p, k))
        FUNNEL_FIELD("deleted", R.boolean(v, r.deleted, p, k))
        else r.extra[k] = v;
    }
    return R.required(r.id, p);
}


bool decodeRecord(const json& j, Objection& r, std::string& error, const std::string& p) {
    Reader R(error);
    if (!R.object(j, p, "")) return false;
    for (auto it = j.begin(); it != j.end(); ++it) {
        const std::string& k = it.key();
        const json& v = it.value();
        if (false) {}
        FUNNEL_FIELD("id", R.id(v, r.id, p, k))
        FUNNEL_FIELD("category", R.enumeration(v, r.category, p, k))
        FUNNEL_FIELD("text", R.str(v, r.text, p, k))
        FUNNEL_FIELD("resolved", R.boolean(v, r.resolved, p, k))
        else r.extra[k] = v;
    }
    return R.required(r.id, p);
}


namespace {
bool decodeKey(Reader& R, const json& j, KeyInfo& r, const std::string& p) {
    if (!R.object(j, p, "")) return false;
    for (auto it = j.begin(); it != j.end(); ++it) {
        const std::string& k = it.key();
        const json& v = it.value();
        if (false) {}
        FUNNEL_FIELD("schedule", R.str(v, r.schedule, p, k))
        FUNNEL_FIELD("budget", R.str(v, r.budget, p, k))
        FUNNEL_FIELD("requirement", R.str(v, r.requirement, p, k))
        FUNNEL_FIELD("decisionProcess", R.str(v, r.decisionProcess, p, k))
        FUNNEL_FIELD("competition", R.str(v, r.competition, p, k))
        FUNNEL_FIELD("evaluationItems", R.str(v, r.evaluationItems, p, k))
        else r.extra[k] = v;
    }
    return true;
}


bool decodeQualification(Reader& R, const json& j, Qualification& r, const std::string& p) {
    if (!R.object(j, p, "")) return false;
    for (auto it = j.begin(); it != j.end(); ++it) {
        const std::string& k = it.key();
        const json& v = it.value();
        if (false) {}
        FUNNEL_FIELD("money", R.boolean(v, r.money, p, k))
        FUNNEL_FIELD("authority", R.boolean(v, r.authority, p, k))
        FUNNEL_FIELD("need", R.boolean(v, r.need, p, k))
        FUNNEL_FIELD("timing", R.boolean(v, r.timing, p, k))
        FUNNEL_FIELD("notes", R.str(v, r.notes, p, k))
        else r.extra[k] = v;
    }
    return true;
}


bool decodeStageEntry(Reader& R, const json& j, StageEntry& r, const std::string& p) {
    if (!R.object(j, p, "")) return false;
    for (auto it = j.begin(); it != j.end(); ++it) {
        const std::string& k = it.key();
        const json& v = it.value();
        if (false) {}
        FUNNEL_FIELD("stageId", R.id(v, r.stageId, p, k))
        FUNNEL_FIELD("at", R.time(v, r.at, p, k))
        else r.extra[k] = v;
    }
    return true;
}

}  // namespace

bool decodeRecord(const json& j, Deal& r, std::string& error, const std::string& p) {
    Reader R(error);
    if (!R.object(j, p, "")) return false;
    for (auto it = j.begin(); it != j.end(); ++it) {
        const std::string& k = it.key();
        const json& v = it.value();
        if (false) {}
        FUNNEL_FIELD("id", R.id(v, r.id, p, k))
        FUNNEL_FIELD("title", R.str(v, r.title, p, k))
        FUNNEL_FIELD("customerId", R.id(v, r.customerId, p, k))
        FUNNEL_FIELD("pipelineId", R.id(v, r.pipelineId, p, k))
        FUNNEL_FIELD("stageId", R.id(v, r.stageId, p, k))
        FUNNEL_FIELD("value", R.number(v, r.value, true, p, k))
        FUNNEL_FIELD("currency", R.currency(v, r.currency, p, k))
        else if (k == "probability") {
            if (v.is_null()) {
                r.probability.reset();
            } else {
                int n = 0;
                if (!R.integer(v, n, 0, 100, p, k)) return false;
                r.probability = n;
            }
        }
        FUNNEL_FIELD("expectedClose", R.date(v, r.expectedClose, p, k))
        FUNNEL_FIELD("owner", R.id(v, r.owner, p, k))
        FUNNEL_FIELD("status", R.enumeration(v, r.status, p, k))
        FUNNEL_FIELD("lostReason", R.str(v, r.lostReason, p, k))
        FUNNEL_FIELD("suspendedUntil", R.date(v, r.suspendedUntil, p, k))
        FUNNEL_FIELD("closedAt", R.time(v, r.closedAt, p, k))
        FUNNEL_FIELD("labels", R.strings(v, r.labels, p, k))
        FUNNEL_FIELD("nextStep", R.str(v, r.nextStep, p, k))
        FUNNEL_FIELD("nextStepDue", R.date(v, r.nextStepDue, p, k))
        FUNNEL_FIELD("key", decodeKey(R, v, r.key, child(p, k)))
        FUNNEL_FIELD("qualification", decodeQualification(R, v, r.qualification, child(p, k)))
        FUNNEL_FIELD("competitors", R.strings(v, r.competitors, p, k))
        else if (k == "objections") {
            if (!v.is_array()) return R.fail(p, k, "expected an array");
            r.objections.clear();
            const std::string op = child(p, k);
            for (std::size_t i = 0; i < v.size(); ++i) {
                Objection o;
                if (!decodeRecord(v[i], o, error, indexed(op, i))) return false;
                r.objections.push_back(std::move(o));
            }
        }
        else if (k == "stageHistory") {
            if (!v.is_array()) return R.fail(p, k, "expected an array");
            r.stageHistory.clear();
            r.stageHistory.reserve(v.size());
            const std::string hp = child(p, k);
            for (std::size_t i = 0; i < v.size(); ++i) {
                StageEntry e;
                if (!decodeStageEntry(R, v[i], e, indexed(hp, i))) return false;
                r.stageHistory.push_back(std::move(e));
            }
        }
        else if (k == "checklist") {
            if (!v.is_object()) return R.fail(p, k, "expected an object of item → true/false");
            r.checklist.clear();
            for (auto c = v.begin(); c != v.end(); ++c) {
                if (!c.value().is_boolean()) return R.fail(child(p, k), c.key(), "expected true or false");
                r.checklist[c.key()] = c.value().get<bool>();
            }
        }
        FUNNEL_FIELD("contactIds", R.strings(v, r.contactIds, p, k))
        FUNNEL_FIELD("cost", R.number(v, r.cost, true, p, k))
        FUNNEL_FIELD("repurchase", R.boolean(v, r.repurchase, p, k))
        FUNNEL_FIELD("renewal", R.boolean(v, r.renewal, p, k))
        FUNNEL_FIELD("createdAt", R.time(v, r.createdAt, p, k))
        FUNNEL_FIELD("updatedAt", R.time(v, r.updatedAt, p, k))
        FUNNEL_FIELD("lastActivityAt", R.time(v, r.lastActivityAt, p, k))
        FUNNEL_FIELD("order", R.integer(v, r.order, INT32_MIN, INT32_MAX, p, k))
        FUNNEL_FIELD("deleted", R.boolean(v, r.deleted, p, k))
        else r.extra[k] = v;
    }
    return R.required(r.id, p);
}


bool decodeRecord(const json& j, Activity& r, std::string& error, const std::string& p) {
    Reader R(error);
    if (!R.object(j, p, "")) return false;
    for (auto it = j.begin(); it != j.end(); ++it) {
        const std::string& k = it.key();
        const json& v = it.value();
        if (false) {}
        FUNNEL_FIELD("id", R.id(v, r.id, p, k))
        FUNNEL_FIELD("dealId", R.id(v, r.dealId, p, k))
        FUNNEL_FIELD("customerId", R.id(v, r.customerId, p, k))
        FUNNEL_FIELD("kind", R.enumeration(v, r.kind, p, k))
        FUNNEL_FIELD("subject", R.str(v, r.subject, p, k))
        FUNNEL_FIELD("outcome", R.str(v, r.outcome, p, k))
        FUNNEL_FIELD("due", R.time(v, r.due, p, k))
        FUNNEL_FIELD("doneAt", R.time(v, r.doneAt, p, k))
        FUNNEL_FIELD("advanced", R.boolean(v, r.advanced, p, k))
        FUNNEL_FIELD("durationMinutes", R.integer(v, r.durationMinutes, 0, 100000, p, k))
        FUNNEL_FIELD("contactIds", R.strings(v, r.contactIds, p, k))
        FUNNEL_FIELD("notes", R.str(v, r.notes, p, k))
        FUNNEL_FIELD("owner", R.id(v, r.owner, p, k))
        FUNNEL_FIELD("deleted", R.boolean(v, r.deleted, p, k))
        else r.extra[k] = v;
    }
    return R.required(r.id, p);
}


bool decodeRecord(const json& j, Change& r, std::string& error, const std::string& p) {
    Reader R(error);
    if (!R.object(j, p, "")) return false;
    for (auto it = j.begin(); it != j.end(); ++it) {
        const std::string& k = it.key();
        const json& v = it.value();
        if (false) {}
        FUNNEL_FIELD("at", R.time(v, r.at, p, k))
        FUNNEL_FIELD("by", R.id(v, r.by, p, k))
        FUNNEL_FIELD("entity", R.str(v, r.entity, p, k))
        FUNNEL_FIELD("id", R.id(v, r.id, p, k))
        FUNNEL_FIELD("what", R.str(v, r.what, p, k))
        else r.extra[k] = v;
    }
    return true;
}


bool decodeRecord(const json& j, Settings& r, std::string& error, const std::string& p) {
    Reader R(error);
    if (!R.object(j, p, "")) return false;
    for (auto it = j.begin(); it != j.end(); ++it) {
        const std::string& k = it.key();
        const json& v = it.value();
        if (false) {}
        FUNNEL_FIELD("displayCurrency", R.currency(v, r.displayCurrency, p, k))
        else if (k == "rates" || k == "targets") {
            if (!v.is_object()) return R.fail(p, k, "expected an object of numbers");
            auto& m = k == "rates" ? r.rates : r.targets;
            m.clear();
            for (auto e = v.begin(); e != v.end(); ++e) {
                double x = 0;
                if (!R.number(e.value(), x, true, child(p, k), e.key())) return false;
                if (k == "rates") {
                    if (!Reader::isCurrencyCode(e.key()))
                        return R.fail(child(p, k), e.key(), "expected a 3-letter currency code");
                    if (x <= 0) return R.fail(child(p, k), e.key(), "expected a rate > 0");
                }
                m[e.key()] = x;
            }
        }
        else if (k == "cadenceDays") {
            if (!v.is_object()) return R.fail(p, k, "expected an object of day counts by grade");
            r.cadenceDays.clear();
            for (auto e = v.begin(); e != v.end(); ++e) {
                int n = 0;
                if (!R.integer(e.value(), n, 1, 3650, child(p, k), e.key())) return false;
                r.cadenceDays[e.key()] = n;
            }
        }
        else if (k == "afterSalesDays") {
            if (!v.is_array()) return R.fail(p, k, "expected an array of day counts");
            r.afterSalesDays.clear();
            for (std::size_t i = 0; i < v.size(); ++i) {
                int n = 0;
                if (!R.integer(v[i], n, 0, 3650, p, std::string(k) + "[" + std::to_string(i) + "]")) return false;
                r.afterSalesDays.push_back(n);
            }
        }
        FUNNEL_FIELD("outOfFunnelThreshold", R.number(v, r.outOfFunnelThreshold, true, p, k))
        FUNNEL_FIELD("me", R.id(v, r.me, p, k))
        FUNNEL_FIELD("defaultPipeline", R.id(v, r.defaultPipeline, p, k))
        FUNNEL_FIELD("language", R.str(v, r.language, p, k))
        else if (k == "theme") {
            if (!R.str(v, r.theme, p, k)) return false;
            if (r.theme != "light" && r.theme != "dark" && r.theme != "system")
                return R.fail(p, k, "expected \"light\", \"dark\" or \"system\"");
        }
        else r.extra[k] = v;
    }
    return true;
}


#undef FUNNEL_FIELD

// [SECTION] Document

namespace {

template <class T>
bool decodeList(const json& v, std::vector<T>& out, std::string& error, const std::string& name) {
    if (!v.is_array()) {
        error = name + ": expected an array";
        return false;
    }
    out.clear();
    out.reserve(v.size());
    for (std::size_t i = 0; i < v.size(); ++i) {
        T r;
        if (!decodeRecord(v[i], r, error, indexed(name, i))) return false;
        out.push_back(std::move(r));
    }
    return true;
}
}  // namespace



namespace {
// Decodes a document already at kFormatVersion.
bool decodeCurrent(const json& j, Document& doc, std::string& error) {
    for (auto it = j.begin(); it != j.end(); ++it) {
        const std::string& k = it.key();
        const json& v = it.value();
        bool ok = true;
        if (k == "format" || k == "version") continue;
        else if (k == "settings") ok = decodeRecord(v, doc.settings, error, "settings");
        else if (k == "pipelines") ok = decodeList(v, doc.pipelines, error, k);
        else if (k == "members") ok = decodeList(v, doc.members, error, k);
        else if (k == "customers") ok = decodeList(v, doc.customers, error, k);
        else if (k == "contacts") ok = decodeList(v, doc.contacts, error, k);
        else if (k == "deals") ok = decodeList(v, doc.deals, error, k);
        else if (k == "activities") ok = decodeList(v, doc.activities, error, k);
        else if (k == "changes") ok = decodeList(v, doc.changes, error, k);
        else doc.extra[k] = v;
        if (!ok) return false;
    }
    return true;
}

// Version of a parsed document: the header's, or 0 for the header-less early format.
bool readVersion(const json& j, int& version, std::string& error) {
    if (!j.is_object()) {
        error = "document: expected a JSON object";
        return false;
    }
    auto f = j.find("format");
    auto v = j.find("version");
    if (f == j.end() && v == j.end()) {
        version = 0;
        return true;
    }
    if (f == j.end() || !f->is_string() || f->get_ref<const std::string&>() != kFormatName) {
        error = "format: expected \"funnel\"";
        return false;
    }
    if (v == j.end() || !v->is_number_integer() || v->get<std::int64_t>() < 0) {
        error = "version: expected a whole number";
        return false;
    }
    if (v->get<std::int64_t>() > kFormatVersion) {
        error = "version: " + std::to_string(v->get<std::int64_t>()) +
                " is newer than this Funnel understands (" + std::to_string(kFormatVersion) + ")";
        return false;
    }
    version = int(v->get<std::int64_t>());
    return true;
}
}  // namespace

DecodeResult decodeDocument(const json& j) {
    DecodeResult r;
    int version = 0;
    if (!readVersion(j, version, r.error)) return r;
    r.migratedFrom = version;
    if (version < kFormatVersion) {
        json migrated = j;
        r.error = migrateDocument(migrated, version);
        if (!r.error.empty()) return r;
        if (!decodeCurrent(migrated, r.document, r.error)) return r;
    } else if (!decodeCurrent(j, r.document, r.error)) {
        return r;
    }
    r.ok = true;
    return r;
}

namespace {
// Decodes the record lists while the text is parsed: each deal (customer, …) becomes a small
// DOM, is decoded and dropped, so a 100k-deal document never exists as one DOM (several times
// its size in memory). Lists are streamed only once a current header has been read (the
// encoder writes it first); anything else — settings, unknown fields, documents needing a
// migration — is kept in `rest` and decoded as before.
class StreamingDecoder final : public nlohmann::json_sax<json> {
public:
    StreamingDecoder(Document& doc, const Limits& limits, const TextSource* source = nullptr)
        : check(limits), doc_(doc), limits_(limits), source_(source) {}
    LimitCheck check;
    std::string error;                 // a record's validation error (parsing stopped)
    json rest = json::object();        // top-level values not streamed, in document order
    bool headerCurrent = false;

    bool null() override { return check.null() && value([&](Dom& d) { return d.null(); }); }
    bool boolean(bool v) override { return check.boolean(v) && value([&](Dom& d) { return d.boolean(v); }); }
    bool number_integer(number_integer_t v) override {
        return check.number_integer(v) && value([&](Dom& d) { return d.number_integer(v); });
    }
    bool number_unsigned(number_unsigned_t v) override {
        return check.number_unsigned(v) && value([&](Dom& d) { return d.number_unsigned(v); });
    }
    bool number_float(number_float_t v, const string_t& s) override {
        return check.number_float(v, s) && value([&](Dom& d) { return d.number_float(v, s); });
    }
    bool string(string_t& v) override { return check.string(v) && value([&](Dom& d) { return d.string(v); }); }
    bool binary(binary_t& v) override { return check.binary(v); }
    bool key(string_t& v) override {
        if (!check.key(v)) return false;
        if (sub_) return sub_->key(v);
        topKey_ = v;
        return true;
    }
    bool start_object(std::size_t n) override {
        if (!check.start_object(n)) return false;
        if (sub_) return open([&](Dom& d) { return d.start_object(n); });
        if (depth_ == 0) {
            depth_ = 1;
            return true;
        }
        if (depth_ == 2) {  // a record of the streamed list
            element_ = json();
            sub_.emplace(element_, false);
            subDepth_ = 1;
            return sub_->start_object(n);
        }
        return capture([&](Dom& d) { return d.start_object(n); }, true);
    }
    bool start_array(std::size_t n) override {
        if (!check.start_array(n)) return false;
        if (sub_) return open([&](Dom& d) { return d.start_array(n); });
        if (depth_ == 0) return fail("document: expected a JSON object");
        if (depth_ == 1 && headerCurrent && isList(topKey_) && !rest.contains(topKey_) && !streamed(topKey_)) {
            list_ = topKey_;
            index_ = 0;
            depth_ = 2;
            return true;
        }
        if (depth_ == 2) return fail(indexed(list_, index_) + ": expected an object");
        return capture([&](Dom& d) { return d.start_array(n); }, true);
    }
    bool end_object() override {
        if (!check.end_object()) return false;
        if (sub_) return close([&](Dom& d) { return d.end_object(); });
        depth_ = 0;  // the document
        return true;
    }
    bool end_array() override {
        if (!check.end_array()) return false;
        if (sub_) return close([&](Dom& d) { return d.end_array(); });
        streamedLists_.push_back(list_);  // the streamed list ends
        depth_ = 1;
        return true;
    }
    bool parse_error(std::size_t pos, const std::string& token, const nlohmann::detail::exception& ex) override {
        return check.parse_error(pos, token, ex);
    }

private:
    using Dom = nlohmann::detail::json_sax_dom_parser<json>;
    Document& doc_;
    const Limits& limits_;
    const TextSource* source_;         // for the record counts it may know
    int depth_ = 0;                    // 0 outside, 1 in the document, 2 in a streamed list
    std::string topKey_, list_;
    std::size_t index_ = 0;
    std::vector<std::string> streamedLists_;
    std::optional<Dom> sub_;           // the value being captured
    int subDepth_ = 0;
    json element_;

    bool fail(const std::string& msg) {
        if (error.empty()) error = msg;
        return false;
    }
    static bool isList(const std::string& k) {
        return k == "pipelines" || k == "members" || k == "customers" || k == "contacts" || k == "deals" ||
               k == "activities" || k == "changes";
    }
    bool streamed(const std::string& k) const {
        return std::find(streamedLists_.begin(), streamedLists_.end(), k) != streamedLists_.end();
    }
    // A scalar: inside a capture, or a whole top-level value, or (wrongly) a list element.
    template <class F>
    bool value(F&& f) {
        if (sub_) return f(*sub_);
        if (depth_ == 2) return fail(indexed(list_, index_) + ": expected an object");
        if (depth_ == 0) return fail("document: expected a JSON object");
        return capture(f, false);
    }
    template <class F>
    bool capture(F&& f, bool opens) {
        json& slot = rest[topKey_];
        slot = json();
        sub_.emplace(slot, false);
        const bool ok = f(*sub_);
        if (opens) {
            subDepth_ = 1;
            return ok;
        }
        sub_.reset();
        noteHeader();
        return ok;
    }
    template <class F>
    bool open(F&& f) {
        ++subDepth_;
        return f(*sub_);
    }
    template <class F>
    bool close(F&& f) {
        if (!f(*sub_)) return false;
        if (--subDepth_ > 0) return true;
        sub_.reset();
        if (depth_ == 2) return finishElement();
        noteHeader();
        return true;
    }
    void noteHeader() {
        auto f = rest.find("format");
        auto v = rest.find("version");
        headerCurrent = f != rest.end() && v != rest.end() && f->is_string() && *f == kFormatName &&
                        v->is_number_integer() && v->get<std::int64_t>() == kFormatVersion;
    }
    template <class T>
    bool decodeInto(std::vector<T>& list) {
        if (index_ == 0) {
            list.clear();
            if (source_) list.reserve(std::min(source_->expectedRecords(list_), limits_.maxRecords));
        }
        T r;
        if (!decodeRecord(element_, r, error, indexed(list_, index_))) return false;
        list.push_back(std::move(r));
        return true;
    }
    bool finishElement() {
        bool ok = false;
        if (list_ == "pipelines") ok = decodeInto(doc_.pipelines);
        else if (list_ == "members") ok = decodeInto(doc_.members);
        else if (list_ == "customers") ok = decodeInto(doc_.customers);
        else if (list_ == "contacts") ok = decodeInto(doc_.contacts);
        else if (list_ == "deals") ok = decodeInto(doc_.deals);
        else if (list_ == "activities") ok = decodeInto(doc_.activities);
        else if (list_ == "changes") ok = decodeInto(doc_.changes);
        element_ = json();
        ++index_;
        return ok;
    }
};

// Hands a TextSource to nlohmann's parser one character at a time (an input iterator: the
// lexer never looks back), counting the bytes against Limits::maxBytes.
class SourceReader {
public:
    SourceReader(TextSource& source, std::size_t maxBytes) : source_(source), maxBytes_(maxBytes) {}
    std::size_t bytes = 0;
    bool tooBig = false;

    std::string_view next() {
        if (tooBig) return {};
        std::string_view piece = source_.next();
        bytes += piece.size();
        if (bytes > maxBytes_) {
            tooBig = true;
            return {};
        }
        return piece;
    }

private:
    TextSource& source_;
    std::size_t maxBytes_;
};

class SourceIterator {
public:
    using iterator_category = std::input_iterator_tag;
    using value_type = char;
    using difference_type = std::ptrdiff_t;
    using pointer = const char*;
    using reference = const char&;

    SourceIterator() = default;  // the end
    explicit SourceIterator(SourceReader& reader) : reader_(&reader) { fill(); }
    reference operator*() const { return *at_; }
    SourceIterator& operator++() {
        if (++at_ == end_) fill();
        return *this;
    }
    bool operator==(const SourceIterator& o) const { return (at_ == end_) == (o.at_ == o.end_); }
    bool operator!=(const SourceIterator& o) const { return !(*this == o); }

private:
    SourceReader* reader_ = nullptr;
    const char* at_ = nullptr;
    const char* end_ = nullptr;

    void fill() {
        std::string_view piece;
        while (piece.empty()) {  // an empty piece is only ever the end
            piece = reader_->next();
            if (piece.empty()) break;
        }
        at_ = piece.data();
        end_ = at_ + piece.size();
    }
};

// One text, one piece.
class WholeText final : public TextSource {
public:
    explicit WholeText(std::string_view text) : text_(text) {}
    std::string_view next() override {
        std::string_view piece = text_;
        text_ = {};
        return piece;
    }

private:
    std::string_view text_;
};

std::string tooBigError(std::size_t bytes, const Limits& limits) {
    return "document of " + std::to_string(bytes) + " bytes exceeds the limit of " + std::to_string(limits.maxBytes);
}
}  // namespace

DecodeResult decodeDocument(TextSource& text, const Limits& limits) {
    DecodeResult r;
    SourceReader reader(text, limits.maxBytes);
    StreamingDecoder sax(r.document, limits, &text);
    if (!json::sax_parse(SourceIterator(reader), SourceIterator(), &sax)) {
        r.error = reader.tooBig              ? tooBigError(reader.bytes, limits)
                  : !sax.error.empty()       ? sax.error
                  : !sax.check.error.empty() ? sax.check.error
                                             : std::string("invalid JSON");
        r.document = Document{};
        return r;
    }
    if (!sax.headerCurrent) {
        // No current header: nothing was streamed; migrate or refuse the whole document.
        r.document = Document{};
        return decodeDocument(sax.rest);
    }
    if (!decodeCurrent(sax.rest, r.document, r.error)) {
        r.document = Document{};
        return r;
    }
    r.ok = true;
    return r;
}

DecodeResult decodeDocument(std::string_view text, const Limits& limits) {
    if (text.size() > limits.maxBytes) {
        DecodeResult r;
        r.error = tooBigError(text.size(), limits);
        return r;
    }
    WholeText whole(text);
    return decodeDocument(whole, limits);
}

DecodeResult decodeDocument(const std::string& text, const Limits& limits) {
    return decodeDocument(std::string_view(text), limits);
}

DecodeResult decodeDocument(const char* text, const Limits& limits) {
    return decodeDocument(std::string_view(text ? text : ""), limits);
}

// [SECTION] Migrations
//
// Version 0 (the prototype's files): no header; deals carried `amount` instead of `value`,
// `stage` instead of `stageId` and `closeDate` instead of `expectedClose`, and times as epoch
// milliseconds. Each step rewrites only what changed and leaves unknown fields alone.

namespace {
void renameField(json& o, const char* from, const char* to) {
    auto it = o.find(from);
    if (it == o.end()) return;
    if (o.find(to) == o.end()) o[to] = *it;
    o.erase(from);
}

std::string migrate0to1(json& doc) {
    static const char* timeFields[] = {"createdAt", "updatedAt", "lastActivityAt", "closedAt", "due", "doneAt", "at"};
    auto fixTimes = [](json& rec) {
        for (const char* f : timeFields) {
            auto it = rec.find(f);
            if (it != rec.end() && it->is_number_integer()) *it = it->get<std::int64_t>() ? json(formatTime(it->get<std::int64_t>())) : json(nullptr);
        }
    };
    for (const char* list : {"customers", "contacts", "deals", "activities", "changes"}) {
        auto it = doc.find(list);
        if (it == doc.end() || !it->is_array()) continue;
        for (std::size_t i = 0; i < it->size(); ++i) {
            json& rec = (*it)[i];
            if (!rec.is_object()) return std::string(list) + "[" + std::to_string(i) + "]: expected an object";
            fixTimes(rec);
            if (std::string(list) == "deals") {
                renameField(rec, "amount", "value");
                renameField(rec, "stage", "stageId");
                renameField(rec, "closeDate", "expectedClose");
                if (auto h = rec.find("stageHistory"); h != rec.end() && h->is_array())
                    for (auto& e : *h)
                        if (e.is_object()) fixTimes(e);
            }
        }
    }
    // The header goes first, as the current encoder writes it.
    json out = json::object();
    out["format"] = kFormatName;
    out["version"] = 1;
    for (auto it = doc.begin(); it != doc.end(); ++it) out[it.key()] = std::move(it.value());
    doc = std::move(out);
    return "";
}
}  // namespace

std::string migrateDocument(json& doc, int& fromVersion) {
    if (!doc.is_object()) return "document: expected a JSON object";
    if (fromVersion == 0) {
        std::string e = migrate0to1(doc);
        if (!e.empty()) return e;
        fromVersion = 1;
    }
    if (fromVersion != kFormatVersion) return "version: no migration from " + std::to_string(fromVersion);
    return "";
}

// [SECTION] Writers
//
// One writer per record, over two sinks: JsonSink builds a json value (records for commands,
// the journal and sync), TextSink appends JSON text directly, so a whole document is written
// without a DOM in between (10× faster and far less memory at 100k deals). Both produce what
// dump() of the json form would: same key order, same number and string formatting.

namespace {
class JsonSink {
public:
    json result() { return std::move(root_); }
    void beginObject() { open(json::object()); }
    void beginArray() { open(json::array()); }
    void end() { stack_.pop_back(); }
    void key(std::string_view k) { key_.assign(k.data(), k.size()); }
    void string(const std::string& v) { slot() = v; }
    void number(double v) { slot() = v; }
    void integer(std::int64_t v) { slot() = v; }
    void boolean(bool v) { slot() = v; }
    void null() { slot() = nullptr; }
    void raw(const json& v) { slot() = v; }

private:
    json root_;
    std::vector<json*> stack_;  // a parent is never written while a child is open
    std::string key_;
    json& slot() {
        if (stack_.empty()) return root_;
        json& top = *stack_.back();
        if (top.is_array()) {
            top.push_back(nullptr);
            return top.back();
        }
        return top[key_];
    }
    void open(json v) {
        json& s = slot();
        s = std::move(v);
        stack_.push_back(&s);
    }
};

// Strict UTF-8 check (no overlongs, no surrogates), as nlohmann's parser applies.
bool validUtf8(std::string_view s) {
    std::size_t i = 0;
    const std::size_t n = s.size();
    while (i < n) {
        const unsigned char c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            ++i;
            continue;
        }
        int len = 0;
        unsigned lo = 0x80, hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF) len = 2;
        else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            if (c == 0xE0) lo = 0xA0;
            if (c == 0xED) hi = 0x9F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            if (c == 0xF0) lo = 0x90;
            if (c == 0xF4) hi = 0x8F;
        } else {
            return false;
        }
        if (i + std::size_t(len) > n) return false;
        const unsigned char c1 = static_cast<unsigned char>(s[i + 1]);
        if (c1 < lo || c1 > hi) return false;
        for (int k = 2; k < len; ++k) {
            const unsigned char ck = static_cast<unsigned char>(s[i + std::size_t(k)]);
            if (ck < 0x80 || ck > 0xBF) return false;
        }
        i += std::size_t(len);
    }
    return true;
}

class TextSink {
public:
    explicit TextSink(std::string& out) : out_(out) {}
    // Hands the text out whenever it has grown past `pieceBytes` at the end of a value.
    TextSink(std::string& out, std::size_t pieceBytes, const std::function<void(std::string&&)>* take)
        : out_(out), pieceBytes_(pieceBytes), take_(take) {}
    void beginObject() {
        comma();
        out_ += '{';
        open_.push_back('}');
        first_.push_back(true);
    }
    void beginArray() {
        comma();
        out_ += '[';
        open_.push_back(']');
        first_.push_back(true);
    }
    void end() {
        out_ += open_.back();
        open_.pop_back();
        first_.pop_back();
        if (take_ && out_.size() >= pieceBytes_) cut();
    }
    // Hands out every whole piece of exactly pieceBytes (what the store's parts are), keeping
    // the rest; flush() also the rest, at the end.
    void cut() {
        while (out_.size() >= pieceBytes_) {
            std::string piece = std::move(out_);
            out_ = std::string();
            out_.reserve(pieceBytes_ + (pieceBytes_ >> 4));
            out_.append(piece, pieceBytes_, std::string::npos);
            piece.resize(pieceBytes_);
            (*take_)(std::move(piece));
        }
    }
    void flush() {
        cut();
        if (out_.empty()) return;
        (*take_)(std::move(out_));
        out_ = std::string();
    }
    void key(std::string_view k) {
        if (!first_.back()) out_ += ',';
        first_.back() = false;
        quoted(k);
        out_ += ':';
        afterKey_ = true;
    }
    void string(const std::string& v) {
        comma();
        quoted(v);
    }
    void number(double v) {
        comma();
        if (!std::isfinite(v)) {
            out_ += "null";  // what dump() writes; the model never holds one
            return;
        }
        char buf[64];
        char* e = nlohmann::detail::to_chars(buf, buf + sizeof buf, v);
        out_.append(buf, std::size_t(e - buf));
    }
    void integer(std::int64_t v) {
        comma();
        out_ += std::to_string(v);
    }
    void boolean(bool v) {
        comma();
        out_ += v ? "true" : "false";
    }
    void null() {
        comma();
        out_ += "null";
    }
    void raw(const json& v) {
        comma();
        out_ += dumpJson(v);
    }

private:
    std::string& out_;
    std::size_t pieceBytes_ = 0;
    const std::function<void(std::string&&)>* take_ = nullptr;
    std::vector<char> open_;
    std::vector<bool> first_;
    bool afterKey_ = false;

    void comma() {
        if (afterKey_) {
            afterKey_ = false;
            return;
        }
        if (!first_.empty()) {
            if (!first_.back()) out_ += ',';
            first_.back() = false;
        }
    }
    // Escaped as dump() escapes (ensure_ascii off): quotes, backslash, control characters.
    void quoted(std::string_view s) {
        if (!validUtf8(s)) {
            out_ += dumpJson(json(std::string(s)));
            return;
        }
        out_ += '"';
        for (char ch : s) {
            const unsigned char c = static_cast<unsigned char>(ch);
            switch (c) {
                case '"': out_ += "\\\""; break;
                case '\\': out_ += "\\\\"; break;
                case '\b': out_ += "\\b"; break;
                case '\f': out_ += "\\f"; break;
                case '\n': out_ += "\\n"; break;
                case '\r': out_ += "\\r"; break;
                case '\t': out_ += "\\t"; break;
                default:
                    if (c < 0x20) {
                        char buf[8];
                        std::snprintf(buf, sizeof buf, "\\u%04x", unsigned(c));
                        out_ += buf;
                    } else {
                        out_ += ch;
                    }
            }
        }
        out_ += '"';
    }
};

// Field helpers: a field at its default is left out unless `full`.
template <class S>
class Writer {
public:
    Writer(S& s, bool full) : s_(s), full_(full) {}
    S& sink() { return s_; }
    bool full() const { return full_; }
    void id(const char* k, const std::string& v) {
        s_.key(k);
        s_.string(v);
    }
    void str(const char* k, const std::string& v, const char* def = "") {
        if (full_ || v != def) {
            s_.key(k);
            s_.string(v);
        }
    }
    void boolean(const char* k, bool v) {
        if (full_ || v) {
            s_.key(k);
            s_.boolean(v);
        }
    }
    void integer(const char* k, int v, bool always = false) {
        if (full_ || always || v != 0) {
            s_.key(k);
            s_.integer(v);
        }
    }
    void number(const char* k, double v) {
        if (full_ || v != 0) {
            s_.key(k);
            s_.number(v);
        }
    }
    void time(const char* k, Time t) {
        if (t != 0) {
            s_.key(k);
            s_.string(formatTime(t));
        } else if (full_) {
            s_.key(k);
            s_.null();
        }
    }
    void date(const char* k, Date d) {
        if (d != kNoDate) {
            s_.key(k);
            s_.string(formatDate(d));
        } else if (full_) {
            s_.key(k);
            s_.null();
        }
    }
    void strings(const char* k, const std::vector<std::string>& v) {
        if (!full_ && v.empty()) return;
        s_.key(k);
        s_.beginArray();
        for (const std::string& x : v) s_.string(x);
        s_.end();
    }
    void text(const char* k, const LocalText& t) {
        s_.key(k);
        s_.beginObject();
        for (const auto& [lang, x] : t.byLang) {
            s_.key(lang);
            s_.string(x);
        }
        s_.end();
    }
    template <class E>
    void enumeration(const char* k, E v, E def) {
        if (full_ || v != def) {
            s_.key(k);
            s_.string(toString(v));
        }
    }
    void extra(const json& e) {
        if (!e.is_object()) return;
        for (auto it = e.begin(); it != e.end(); ++it) {
            s_.key(it.key());
            s_.raw(it.value());
        }
    }

private:
    S& s_;
    bool full_;
};

bool isDefault(const CustomerProfile& p) {
    return p.family.empty() && p.hobbies.empty() && p.education.empty() && p.birthday.empty() && p.title.empty() &&
           p.achievements.empty() && p.extra.empty();
}
bool isDefault(const KeyInfo& k) {
    return k.schedule.empty() && k.budget.empty() && k.requirement.empty() && k.decisionProcess.empty() &&
           k.competition.empty() && k.evaluationItems.empty() && k.extra.empty();
}
bool isDefault(const Qualification& q) {
    return !q.money && !q.authority && !q.need && !q.timing && q.notes.empty() && q.extra.empty();
}

template <class S>
void write(S& s, const Stage& r, bool full) {
    s.beginObject();
    Writer<S> W(s, full);
    W.id("id", r.id);
    W.text("name", r.name);
    W.integer("probability", r.probability, true);
    W.integer("rottingDays", r.rottingDays);
    W.strings("playbook", r.playbook);
    W.extra(r.extra);
    s.end();
}

template <class S>
void write(S& s, const Pipeline& r, bool full) {
    s.beginObject();
    Writer<S> W(s, full);
    W.id("id", r.id);
    W.text("name", r.name);
    s.key("stages");
    s.beginArray();
    for (const Stage& st : r.stages) write(s, st, full);
    s.end();
    W.extra(r.extra);
    s.end();
}

template <class S>
void write(S& s, const Member& r, bool full) {
    s.beginObject();
    Writer<S> W(s, full);
    W.id("id", r.id);
    W.str("name", r.name);
    W.str("initials", r.initials);
    W.str("role", r.role, "rep");
    W.extra(r.extra);
    s.end();
}

template <class S>
void write(S& s, const Customer& r, bool full) {
    s.beginObject();
    Writer<S> W(s, full);
    W.id("id", r.id);
    W.str("name", r.name);
    W.str("industry", r.industry);
    W.str("region", r.region);
    W.str("address", r.address);
    W.str("website", r.website);
    W.str("phone", r.phone);
    W.str("size", r.size);
    W.enumeration("grade", r.grade, Grade::C);
    W.enumeration("source", r.source, LeadSource::Unknown);
    W.str("referredBy", r.referredBy);
    W.strings("tags", r.tags);
    W.str("notes", r.notes);
    if (full || !isDefault(r.profile)) {
        s.key("profile");
        s.beginObject();
        const CustomerProfile& p = r.profile;
        W.str("family", p.family);
        W.str("hobbies", p.hobbies);
        W.str("education", p.education);
        W.str("birthday", p.birthday);
        W.str("title", p.title);
        W.str("achievements", p.achievements);
        W.extra(p.extra);
        s.end();
    }
    W.str("owner", r.owner);
    W.time("createdAt", r.createdAt);
    W.boolean("deleted", r.deleted);
    W.extra(r.extra);
    s.end();
}

template <class S>
void write(S& s, const Contact& r, bool full) {
    s.beginObject();
    Writer<S> W(s, full);
    W.id("id", r.id);
    W.str("customerId", r.customerId);
    W.str("name", r.name);
    W.str("title", r.title);
    W.str("phone", r.phone);
    W.str("email", r.email);
    W.str("messenger", r.messenger);
    W.str("notes", r.notes);
    W.enumeration("level", r.level, ContactLevel::Operational);
    W.enumeration("role", r.role, BuyingRole::Unknown);
    W.enumeration("attitude", r.attitude, Attitude::Neutral);
    W.boolean("deleted", r.deleted);
    W.extra(r.extra);
    s.end();
}

template <class S>
void write(S& s, const Objection& r, bool full) {
    s.beginObject();
    Writer<S> W(s, full);
    W.id("id", r.id);
    W.enumeration("category", r.category, ObjectionCategory::Other);
    W.str("text", r.text);
    W.boolean("resolved", r.resolved);
    W.extra(r.extra);
    s.end();
}

template <class S>
void write(S& s, const Deal& r, bool full) {
    s.beginObject();
    Writer<S> W(s, full);
    W.id("id", r.id);
    W.str("title", r.title);
    W.str("customerId", r.customerId);
    W.str("pipelineId", r.pipelineId);
    W.str("stageId", r.stageId);
    W.number("value", r.value);
    W.str("currency", r.currency, "CNY");
    if (r.probability) {
        s.key("probability");
        s.integer(*r.probability);
    } else if (full) {
        s.key("probability");
        s.null();
    }
    W.date("expectedClose", r.expectedClose);
    W.str("owner", r.owner);
    W.enumeration("status", r.status, DealStatus::Open);
    W.str("lostReason", r.lostReason);
    W.date("suspendedUntil", r.suspendedUntil);
    W.time("closedAt", r.closedAt);
    W.strings("labels", r.labels);
    W.str("nextStep", r.nextStep);
    W.date("nextStepDue", r.nextStepDue);
    if (full || !isDefault(r.key)) {
        s.key("key");
        s.beginObject();
        const KeyInfo& k = r.key;
        W.str("schedule", k.schedule);
        W.str("budget", k.budget);
        W.str("requirement", k.requirement);
        W.str("decisionProcess", k.decisionProcess);
        W.str("competition", k.competition);
        W.str("evaluationItems", k.evaluationItems);
        W.extra(k.extra);
        s.end();
    }
    if (full || !isDefault(r.qualification)) {
        s.key("qualification");
        s.beginObject();
        const Qualification& q = r.qualification;
        W.boolean("money", q.money);
        W.boolean("authority", q.authority);
        W.boolean("need", q.need);
        W.boolean("timing", q.timing);
        W.str("notes", q.notes);
        W.extra(q.extra);
        s.end();
    }
    W.strings("competitors", r.competitors);
    if (full || !r.objections.empty()) {
        s.key("objections");
        s.beginArray();
        for (const Objection& o : r.objections) write(s, o, full);
        s.end();
    }
    if (full || !r.stageHistory.empty()) {
        s.key("stageHistory");
        s.beginArray();
        for (const StageEntry& e : r.stageHistory) {
            s.beginObject();
            s.key("stageId");
            s.string(e.stageId);
            s.key("at");
            if (e.at) s.string(formatTime(e.at));
            else s.null();
            W.extra(e.extra);
            s.end();
        }
        s.end();
    }
    if (full || !r.checklist.empty()) {
        s.key("checklist");
        s.beginObject();
        for (const auto& [item, done] : r.checklist) {
            s.key(item);
            s.boolean(done);
        }
        s.end();
    }
    W.strings("contactIds", r.contactIds);
    W.number("cost", r.cost);
    W.boolean("repurchase", r.repurchase);
    W.boolean("renewal", r.renewal);
    W.time("createdAt", r.createdAt);
    W.time("updatedAt", r.updatedAt);
    W.time("lastActivityAt", r.lastActivityAt);
    W.integer("order", r.order);
    W.boolean("deleted", r.deleted);
    W.extra(r.extra);
    s.end();
}

template <class S>
void write(S& s, const Activity& r, bool full) {
    s.beginObject();
    Writer<S> W(s, full);
    W.id("id", r.id);
    W.str("dealId", r.dealId);
    W.str("customerId", r.customerId);
    W.enumeration("kind", r.kind, ActivityKind::Call);
    W.str("subject", r.subject);
    W.str("outcome", r.outcome);
    W.time("due", r.due);
    W.time("doneAt", r.doneAt);
    W.boolean("advanced", r.advanced);
    W.integer("durationMinutes", r.durationMinutes);
    W.strings("contactIds", r.contactIds);
    W.str("notes", r.notes);
    W.str("owner", r.owner);
    W.boolean("deleted", r.deleted);
    W.extra(r.extra);
    s.end();
}

template <class S>
void write(S& s, const Change& r, bool full) {
    s.beginObject();
    Writer<S> W(s, full);
    W.time("at", r.at);
    W.str("by", r.by);
    W.str("entity", r.entity);
    W.str("id", r.id);
    W.str("what", r.what);
    W.extra(r.extra);
    s.end();
}

// Settings are small and read by people: always every field.
template <class S>
void write(S& s, const Settings& r, bool) {
    s.beginObject();
    Writer<S> W(s, true);
    W.str("displayCurrency", r.displayCurrency);
    s.key("rates");
    s.beginObject();
    for (const auto& [c, x] : r.rates) {
        s.key(c);
        s.number(x);
    }
    s.end();
    s.key("cadenceDays");
    s.beginObject();
    for (const auto& [g, n] : r.cadenceDays) {
        s.key(g);
        s.integer(n);
    }
    s.end();
    s.key("afterSalesDays");
    s.beginArray();
    for (int n : r.afterSalesDays) s.integer(n);
    s.end();
    W.number("outOfFunnelThreshold", r.outOfFunnelThreshold);
    W.str("me", r.me);
    W.str("defaultPipeline", r.defaultPipeline);
    W.str("language", r.language);
    W.str("theme", r.theme);
    s.key("targets");
    s.beginObject();
    for (const auto& [k, x] : r.targets) {
        s.key(k);
        s.number(x);
    }
    s.end();
    W.extra(r.extra);
    s.end();
}

template <class S, class T>
void writeList(S& s, const char* name, const std::vector<T>& records) {
    s.key(name);
    s.beginArray();
    for (const T& r : records) write(s, r, false);
    s.end();
}

template <class S>
void writeDocument(S& s, const Document& doc, const json& extra) {
    s.beginObject();
    s.key("format");
    s.string(kFormatName);
    s.key("version");
    s.integer(kFormatVersion);
    s.key("settings");
    write(s, doc.settings, true);
    writeList(s, "pipelines", doc.pipelines);
    writeList(s, "members", doc.members);
    writeList(s, "customers", doc.customers);
    writeList(s, "contacts", doc.contacts);
    writeList(s, "deals", doc.deals);
    writeList(s, "activities", doc.activities);
    writeList(s, "changes", doc.changes);
    Writer<S>(s, false).extra(extra);
    s.end();
}

template <class T>
json encodeWith(const T& r, bool full) {
    JsonSink s;
    write(s, r, full);
    return s.result();
}
}  // namespace

json encodeRecord(const Stage& r, bool full) { return encodeWith(r, full); }
json encodeRecord(const Pipeline& r, bool full) { return encodeWith(r, full); }
json encodeRecord(const Member& r, bool full) { return encodeWith(r, full); }
json encodeRecord(const Customer& r, bool full) { return encodeWith(r, full); }
json encodeRecord(const Contact& r, bool full) { return encodeWith(r, full); }
json encodeRecord(const Objection& r, bool full) { return encodeWith(r, full); }
json encodeRecord(const Deal& r, bool full) { return encodeWith(r, full); }
json encodeRecord(const Activity& r, bool full) { return encodeWith(r, full); }
json encodeRecord(const Change& r, bool full) { return encodeWith(r, full); }
json encodeRecord(const Settings& r, bool full) { return encodeWith(r, full); }

json encodeDocument(const Document& doc) {
    JsonSink s;
    writeDocument(s, doc, doc.extra);
    return s.result();
}

std::string encodeDocumentText(const Document& doc) { return encodeDocumentText(doc, doc.extra); }

std::string encodeDocumentText(const Document& doc, const json& extra) {
    // Sized to the demo's records: a string that outgrows its reserve holds both buffers while
    // it moves (3× the text at the peak).
    std::string out;
    out.reserve(256 + doc.deals.size() * 800 + doc.activities.size() * 250 + doc.customers.size() * 250 +
                doc.contacts.size() * 150 + doc.changes.size() * 150);
    TextSink s(out);
    writeDocument(s, doc, extra);
    return out;
}

void encodeDocumentText(const Document& doc, const json& extra, std::size_t pieceBytes,
                        const std::function<void(std::string&&)>& take) {
    pieceBytes = std::max<std::size_t>(pieceBytes, 1);
    std::string out;
    out.reserve(pieceBytes + (pieceBytes >> 4));
    TextSink s(out, pieceBytes, &take);
    writeDocument(s, doc, extra);
    s.flush();
}

}  // namespace funnel
