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

#include <cmath>
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

// [SECTION] Field writers

namespace {
class Writer {
public:
    Writer(json& o, bool full) : o_(o), full_(full) {}
    void str(const char* k, const std::string& v, const char* def = "") {
        if (full_ || v != def) o_[k] = v;
    }
    void boolean(const char* k, bool v) {
        if (full_ || v) o_[k] = v;
    }
    void integer(const char* k, int v, int def = 0) {
        if (full_ || v != def) o_[k] = v;
    }
    void number(const char* k, double v) {
        if (full_ || v != 0) o_[k] = v;
    }
    void time(const char* k, Time t) {
        if (t != 0) o_[k] = formatTime(t);
        else if (full_) o_[k] = nullptr;
    }
    void date(const char* k, Date d) {
        if (d != kNoDate) o_[k] = formatDate(d);
        else if (full_) o_[k] = nullptr;
    }
    void strings(const char* k, const std::vector<std::string>& v) {
        if (full_ || !v.empty()) o_[k] = v;
    }
    void text(const char* k, const LocalText& t) {
        json o = json::object();
        for (const auto& [lang, s] : t.byLang) o[lang] = s;
        o_[k] = std::move(o);
    }
    template <class E>
    void enumeration(const char* k, E v, E def) {
        if (full_ || v != def) o_[k] = toString(v);
    }
    void sub(const char* k, json sub) {
        if (full_ || !sub.empty()) o_[k] = std::move(sub);
    }
    void extra(const json& e) {
        if (!e.is_object()) return;
        for (auto it = e.begin(); it != e.end(); ++it) o_[it.key()] = it.value();
    }

private:
    json& o_;
    bool full_;
};
}  // namespace

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

json encodeRecord(const Stage& r, bool full) {
    json o = json::object();
    Writer W(o, full);
    W.str("id", r.id, "\x01");
    W.text("name", r.name);
    W.integer("probability", r.probability, -1);
    W.integer("rottingDays", r.rottingDays);
    W.strings("playbook", r.playbook);
    W.extra(r.extra);
    return o;
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

json encodeRecord(const Pipeline& r, bool full) {
    json o = json::object();
    Writer W(o, full);
    W.str("id", r.id, "\x01");
    W.text("name", r.name);
    json stages = json::array();
    for (const Stage& s : r.stages) stages.push_back(encodeRecord(s, full));
    o["stages"] = std::move(stages);
    W.extra(r.extra);
    return o;
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

json encodeRecord(const Member& r, bool full) {
    json o = json::object();
    Writer W(o, full);
    W.str("id", r.id, "\x01");
    W.str("name", r.name);
    W.str("initials", r.initials);
    W.str("role", r.role, "rep");
    W.extra(r.extra);
    return o;
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

json encodeProfile(const CustomerProfile& r, bool full) {
    json o = json::object();
    Writer W(o, full);
    W.str("family", r.family);
    W.str("hobbies", r.hobbies);
    W.str("education", r.education);
    W.str("birthday", r.birthday);
    W.str("title", r.title);
    W.str("achievements", r.achievements);
    W.extra(r.extra);
    return o;
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

json encodeRecord(const Customer& r, bool full) {
    json o = json::object();
    Writer W(o, full);
    W.str("id", r.id, "\x01");
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
    W.sub("profile", encodeProfile(r.profile, full));
    W.str("owner", r.owner);
    W.time("createdAt", r.createdAt);
    W.boolean("deleted", r.deleted);
    W.extra(r.extra);
    return o;
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
        FUNNEL_FIELD("level", R.enumeration(v, r.level, p, k))
        FUNNEL_FIELD("role", R.enumeration(v, r.role, p, k))
        FUNNEL_FIELD("attitude", R.enumeration(v, r.attitude, p, k))
        FUNNEL_FIELD("deleted", R.boolean(v, r.deleted, p, k))
        else r.extra[k] = v;
    }
    return R.required(r.id, p);
}

json encodeRecord(const Contact& r, bool full) {
    json o = json::object();
    Writer W(o, full);
    W.str("id", r.id, "\x01");
    W.str("customerId", r.customerId);
    W.str("name", r.name);
    W.str("title", r.title);
    W.str("phone", r.phone);
    W.str("email", r.email);
    W.str("messenger", r.messenger);
    W.enumeration("level", r.level, ContactLevel::Operational);
    W.enumeration("role", r.role, BuyingRole::Unknown);
    W.enumeration("attitude", r.attitude, Attitude::Neutral);
    W.boolean("deleted", r.deleted);
    W.extra(r.extra);
    return o;
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

json encodeRecord(const Objection& r, bool full) {
    json o = json::object();
    Writer W(o, full);
    W.str("id", r.id, "\x01");
    W.enumeration("category", r.category, ObjectionCategory::Other);
    W.str("text", r.text);
    W.boolean("resolved", r.resolved);
    W.extra(r.extra);
    return o;
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

json encodeKey(const KeyInfo& r, bool full) {
    json o = json::object();
    Writer W(o, full);
    W.str("schedule", r.schedule);
    W.str("budget", r.budget);
    W.str("requirement", r.requirement);
    W.str("decisionProcess", r.decisionProcess);
    W.str("competition", r.competition);
    W.str("evaluationItems", r.evaluationItems);
    W.extra(r.extra);
    return o;
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

json encodeQualification(const Qualification& r, bool full) {
    json o = json::object();
    Writer W(o, full);
    W.boolean("money", r.money);
    W.boolean("authority", r.authority);
    W.boolean("need", r.need);
    W.boolean("timing", r.timing);
    W.str("notes", r.notes);
    W.extra(r.extra);
    return o;
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

json encodeStageEntry(const StageEntry& r) {
    json o = json::object();
    o["stageId"] = r.stageId;
    o["at"] = r.at ? json(formatTime(r.at)) : json(nullptr);
    Writer(o, false).extra(r.extra);
    return o;
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

json encodeRecord(const Deal& r, bool full) {
    json o = json::object();
    Writer W(o, full);
    W.str("id", r.id, "\x01");
    W.str("title", r.title);
    W.str("customerId", r.customerId);
    W.str("pipelineId", r.pipelineId);
    W.str("stageId", r.stageId);
    W.number("value", r.value);
    W.str("currency", r.currency, "CNY");
    if (r.probability) o["probability"] = *r.probability;
    else if (full) o["probability"] = nullptr;
    W.date("expectedClose", r.expectedClose);
    W.str("owner", r.owner);
    W.enumeration("status", r.status, DealStatus::Open);
    W.str("lostReason", r.lostReason);
    W.date("suspendedUntil", r.suspendedUntil);
    W.time("closedAt", r.closedAt);
    W.strings("labels", r.labels);
    W.str("nextStep", r.nextStep);
    W.date("nextStepDue", r.nextStepDue);
    W.sub("key", encodeKey(r.key, full));
    W.sub("qualification", encodeQualification(r.qualification, full));
    W.strings("competitors", r.competitors);
    if (full || !r.objections.empty()) {
        json a = json::array();
        for (const Objection& ob : r.objections) a.push_back(encodeRecord(ob, full));
        o["objections"] = std::move(a);
    }
    if (full || !r.stageHistory.empty()) {
        json a = json::array();
        for (const StageEntry& e : r.stageHistory) a.push_back(encodeStageEntry(e));
        o["stageHistory"] = std::move(a);
    }
    if (full || !r.checklist.empty()) {
        json c = json::object();
        for (const auto& [item, done] : r.checklist) c[item] = done;
        o["checklist"] = std::move(c);
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
    return o;
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
        FUNNEL_FIELD("owner", R.id(v, r.owner, p, k))
        FUNNEL_FIELD("deleted", R.boolean(v, r.deleted, p, k))
        else r.extra[k] = v;
    }
    return R.required(r.id, p);
}

json encodeRecord(const Activity& r, bool full) {
    json o = json::object();
    Writer W(o, full);
    W.str("id", r.id, "\x01");
    W.str("dealId", r.dealId);
    W.str("customerId", r.customerId);
    W.enumeration("kind", r.kind, ActivityKind::Call);
    W.str("subject", r.subject);
    W.str("outcome", r.outcome);
    W.time("due", r.due);
    W.time("doneAt", r.doneAt);
    W.boolean("advanced", r.advanced);
    W.str("owner", r.owner);
    W.boolean("deleted", r.deleted);
    W.extra(r.extra);
    return o;
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

json encodeRecord(const Change& r, bool full) {
    json o = json::object();
    Writer W(o, full);
    W.time("at", r.at);
    W.str("by", r.by);
    W.str("entity", r.entity);
    W.str("id", r.id);
    W.str("what", r.what);
    W.extra(r.extra);
    return o;
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
            if (r.theme != "light" && r.theme != "dark") return R.fail(p, k, "expected \"light\" or \"dark\"");
        }
        else r.extra[k] = v;
    }
    return true;
}

json encodeRecord(const Settings& r, bool full) {
    json o = json::object();
    Writer W(o, full);
    o["displayCurrency"] = r.displayCurrency;
    json rates = json::object();
    for (const auto& [c, x] : r.rates) rates[c] = x;
    o["rates"] = std::move(rates);
    json cadence = json::object();
    for (const auto& [g, n] : r.cadenceDays) cadence[g] = n;
    o["cadenceDays"] = std::move(cadence);
    o["afterSalesDays"] = r.afterSalesDays;
    o["outOfFunnelThreshold"] = r.outOfFunnelThreshold;
    o["me"] = r.me;
    o["defaultPipeline"] = r.defaultPipeline;
    o["language"] = r.language;
    o["theme"] = r.theme;
    json targets = json::object();
    for (const auto& [key, x] : r.targets) targets[key] = x;
    o["targets"] = std::move(targets);
    W.extra(r.extra);
    return o;
}

#undef FUNNEL_FIELD

// [SECTION] Document

namespace {
template <class T>
json encodeList(const std::vector<T>& records) {
    json a = json::array();
    for (const T& r : records) a.push_back(encodeRecord(r));
    return a;
}

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

json encodeDocument(const Document& doc) {
    json o = json::object();
    o["format"] = kFormatName;
    o["version"] = kFormatVersion;
    o["settings"] = encodeRecord(doc.settings);
    o["pipelines"] = encodeList(doc.pipelines);
    o["members"] = encodeList(doc.members);
    o["customers"] = encodeList(doc.customers);
    o["contacts"] = encodeList(doc.contacts);
    o["deals"] = encodeList(doc.deals);
    o["activities"] = encodeList(doc.activities);
    o["changes"] = encodeList(doc.changes);
    Writer(o, false).extra(doc.extra);
    return o;
}

std::string encodeDocumentText(const Document& doc) { return dumpJson(encodeDocument(doc)); }

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

DecodeResult decodeDocument(std::string_view text, const Limits& limits) {
    DecodeResult r;
    r.error = checkLimits(text, limits);
    if (!r.error.empty()) return r;
    json j = json::parse(text.begin(), text.end(), nullptr, false);
    if (j.is_discarded()) {
        r.error = "invalid JSON";
        return r;
    }
    return decodeDocument(j);
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

}  // namespace funnel
