// Funnel — team sync merge (docs/SYNC.md): records flattened to fields keyed by record key,
// per-field versions chosen by stamp, losers kept unless a later writer had seen them.
//
// Index:
//   [SECTION] Keys and flat records
//   [SECTION] Sync state JSON
//   [SECTION] Stamping local changes
//   [SECTION] Merge
//   [SECTION] Conflicts and tombstones
//
// Why the conflict log is a lattice: each field's versions (current value plus logged losers)
// are reduced to those no other version "witnesses". y witnesses x when y.stamp > x.stamp and
// y.base[replica of x] ≥ x.stamp: y's writer had seen x, or a later version of the field by x's
// replica (which was written after x). Stamping keeps bases monotone along "had seen" (a new
// base joins the base of every version it was written over), so witnessing is transitive, and
// keeping the unwitnessed versions of a union is the same whether the union is taken at once or
// in any grouping and order: merge is commutative, associative, idempotent.
#include "core/merge.h"

#include <algorithm>
#include <optional>
#include <cstdio>
#include <set>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>
#include <utility>

namespace funnel {

bool Conflict::operator==(const Conflict& o) const {
    return key == o.key && field == o.field && stamp == o.stamp && base == o.base && value == o.value;
}

// [SECTION] Keys and flat records
//
// A flat record is a JSON object of field -> value: the record's full JSON form without its
// id, with the small nested objects (deal key info and qualification, customer profile)
// spread into "key.budget"-style fields so two people editing different parts do not collide.
// Objections become records of their own ("objection:<dealId>/<id>") so concurrent additions
// to one deal both survive. Settings that belong to the device are not shared.

namespace {
using Flat = std::map<std::string, json>;

const char* const kDeviceSettings[] = {"me", "language", "theme"};
const char* const kSpreadFields[] = {"key", "qualification", "profile"};
constexpr const char* kGoneField = "~gone";

// Ids may hold any character; '/' separates a deal from its objection in keys.
std::string escapeId(const std::string& id) {
    std::string s;
    s.reserve(id.size());
    for (char c : id) {
        if (c == '~') s += "~0";
        else if (c == '/') s += "~1";
        else s += c;
    }
    return s;
}

json spread(json o) {
    for (const char* f : kSpreadFields) {
        auto it = o.find(f);
        if (it == o.end() || !it->is_object()) continue;
        json sub = std::move(*it);
        o.erase(f);
        for (auto s = sub.begin(); s != sub.end(); ++s) o[std::string(f) + "." + s.key()] = std::move(s.value());
    }
    return o;
}

json gather(const json& flat) {
    json o = json::object();
    for (auto it = flat.begin(); it != flat.end(); ++it) {
        const std::string& k = it.key();
        const auto dot = k.find('.');
        bool spreadField = false;
        if (dot != std::string::npos)
            for (const char* f : kSpreadFields)
                if (k.compare(0, dot, f) == 0) spreadField = true;
        if (spreadField) {
            json& sub = o[k.substr(0, dot)];
            if (!sub.is_object()) sub = json::object();
            sub[k.substr(dot + 1)] = it.value();
        } else {
            o[k] = it.value();
        }
    }
    return o;
}

template <class T>
json fieldsOf(const T& r) {
    json o = encodeRecord(r, true);
    o.erase("id");
    return spread(std::move(o));
}

// A change entry's `id` names the record it is about (not the entry): it stays a field.
json changeFields(const Change& c) { return encodeRecord(c, true); }

std::string changeKey(const Change& c) {
    // Changes have no id: the same entry written by two replicas is one record.
    const std::string text = dumpJson(encodeRecord(c, true));
    std::uint64_t h = 0xcbf29ce484222325ull;
    for (unsigned char ch : text) {
        h ^= ch;
        h *= 0x100000001b3ull;
    }
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
    return std::string("change:") + buf;
}

json settingsFields(const Settings& s) {
    json o = encodeRecord(s, true);
    for (const char* f : kDeviceSettings) o.erase(f);
    return o;
}

json docFields(const Document& doc) {
    json o = doc.extra.is_object() ? doc.extra : json::object();
    o.erase(kSyncKey);
    return o;
}

void addDeal(Flat& flat, const Deal& d) {
    json f = fieldsOf(d);
    f.erase("objections");
    const std::string dealKey = escapeId(d.id);
    flat["deal:" + dealKey] = std::move(f);
    for (const Objection& ob : d.objections) flat["objection:" + dealKey + "/" + escapeId(ob.id)] = fieldsOf(ob);
}

// Ids per kind ("deal", "customer", …) left out of a flat form: records both replicas hold
// unchanged, which the merge copies as they are instead of flattening.
using Skip = std::map<std::string, std::unordered_set<std::string>>;

Flat flatten(const Document& doc, const Skip& skip = {}) {
    auto skipped = [&](const char* kind) {
        auto it = skip.find(kind);
        return it == skip.end() ? nullptr : &it->second;
    };
    auto add = [&](Flat& flat, const char* kind, const auto& records) {
        const auto* ids = skipped(kind);
        for (const auto& r : records)
            if (!ids || !ids->count(r.id)) flat[std::string(kind) + ":" + escapeId(r.id)] = fieldsOf(r);
    };
    Flat flat;
    flat["settings"] = settingsFields(doc.settings);
    if (json d = docFields(doc); !d.empty()) flat["doc"] = std::move(d);
    add(flat, "pipeline", doc.pipelines);
    add(flat, "member", doc.members);
    add(flat, "customer", doc.customers);
    add(flat, "contact", doc.contacts);
    const auto* dealIds = skipped("deal");
    for (const auto& r : doc.deals)
        if (!dealIds || !dealIds->count(r.id)) addDeal(flat, r);
    add(flat, "activity", doc.activities);
    const auto* changeKeys = skipped("change");
    for (const auto& r : doc.changes) {
        std::string key = changeKey(r);
        if (!changeKeys || !changeKeys->count(key)) flat[std::move(key)] = changeFields(r);
    }
    return flat;
}

// The order unflatten gives change entries: by time, then key.
std::string changeOrder(const Change& c) {
    return (c.at ? "\"" + formatTime(c.at) + "\"" : std::string("null")) + " " + changeKey(c);
}

// Back to a document; the codec validates every record (remote values included).
bool unflatten(const Flat& flat, const Settings& device, Document& out, std::string& error) {
    json doc = json::object();
    doc["format"] = kFormatName;
    doc["version"] = kFormatVersion;
    json settings = json::object();
    json lists = json::object();
    for (const char* l : {"pipelines", "members", "customers", "contacts", "deals", "activities", "changes"})
        lists[l] = json::array();
    std::vector<std::pair<std::string, json>> changes;
    std::map<std::string, json> objections;  // escaped deal id -> array
    json extra = json::object();
    for (const auto& [key, fields] : flat) {
        if (key == "settings") {
            settings = fields;
            continue;
        }
        if (key == "doc") {
            extra = fields;
            continue;
        }
        const auto colon = key.find(':');
        if (colon == std::string::npos) continue;
        const std::string_view kind = std::string_view(key).substr(0, colon);
        const std::string_view rest = std::string_view(key).substr(colon + 1);
        if (kind == "change") {
            json at = fields.contains("at") ? fields["at"] : json();
            changes.emplace_back(dumpJson(at) + " " + key, gather(fields));
            continue;
        }
        if (kind == "objection") {
            const auto slash = rest.find('/');
            if (slash == std::string_view::npos) continue;
            json o = gather(fields);
            o["id"] = unescapeId(rest.substr(slash + 1));
            json& list = objections[std::string(rest.substr(0, slash))];
            if (!list.is_array()) list = json::array();
            list.push_back(std::move(o));
            continue;
        }
        const char* list = kind == "pipeline"   ? "pipelines"
                           : kind == "member"   ? "members"
                           : kind == "customer" ? "customers"
                           : kind == "contact"  ? "contacts"
                           : kind == "deal"     ? "deals"
                           : kind == "activity" ? "activities"
                                                : nullptr;
        if (!list) continue;  // a kind from a newer Funnel: kept in the flat form only
        json o = gather(fields);
        o["id"] = unescapeId(rest);
        if (kind == "deal") o["objections"] = json::array();
        lists[list].push_back(std::move(o));
    }
    // Objections of deals that are gone stay in the flat form; the rest join their deal.
    json& deals = lists["deals"];
    for (auto& d : deals) {
        auto it = objections.find(escapeId(d["id"].get<std::string>()));
        if (it != objections.end()) d["objections"] = std::move(it->second);
    }
    std::sort(changes.begin(), changes.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    for (auto& [order, c] : changes) lists["changes"].push_back(std::move(c));
    const json deviceFields = encodeRecord(device, true);
    for (const char* f : kDeviceSettings) settings[f] = deviceFields[f];
    doc["settings"] = std::move(settings);
    for (auto it = lists.begin(); it != lists.end(); ++it) doc[it.key()] = std::move(it.value());
    for (auto it = extra.begin(); it != extra.end(); ++it)
        if (!doc.contains(it.key())) doc[it.key()] = it.value();
    DecodeResult r = decodeDocument(doc);
    if (!r.ok) {
        error = "merged document: " + r.error;
        return false;
    }
    out = std::move(r.document);
    return true;
}
}  // namespace

std::string unescapeId(std::string_view s) {
    std::string id;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '~' && i + 1 < s.size()) {
            id += s[i + 1] == '1' ? '/' : '~';
            ++i;
        } else {
            id += s[i];
        }
    }
    return id;
}

// [SECTION] Sync state JSON

std::string baseKey(std::string_view stamp) {
    return stamp == kZeroStamp ? std::string(kZeroStamp) : replicaOf(stamp);
}

bool witnesses(const std::string& stamp, const VersionVector& base, const std::string& seen) {
    if (!(stamp > seen)) return false;
    auto it = base.find(baseKey(seen));
    return it != base.end() && it->second >= seen;
}

json encodeBase(const VersionVector& base) {
    if (base.empty()) return json();
    json o = json::object();
    for (const auto& [replica, stamp] : base) o[replica] = stamp;
    return o;
}

bool decodeBase(const json& j, VersionVector& base, std::string& error) {
    base.clear();
    if (j.is_string()) {
        // Funnel before version vectors wrote one stamp: the newest it had seen of the field.
        // Read as having seen that stamp's replica up to it (what it surely had seen).
        const std::string s = j.get<std::string>();
        if (s.empty()) return true;
        if (!isStamp(s)) return error = "malformed stamp", false;
        base[baseKey(s)] = s;
        return true;
    }
    if (!j.is_object()) return error = "expected {replica: stamp}", false;
    if (j.size() > kMaxBaseEntries) return error = "too many replicas", false;
    for (auto it = j.begin(); it != j.end(); ++it) {
        const std::string& key = it.key();
        if (!it.value().is_string()) return error = "expected a stamp string", false;
        const std::string s = it.value().get<std::string>();
        if (key == kZeroStamp ? s != kZeroStamp : !isReplicaId(key)) return error = "bad replica id", false;
        if (!isStamp(s) || baseKey(s) != key) return error = "malformed stamp", false;
        base[key] = s;
    }
    return true;
}

bool isBookkeepingField(std::string_view key, std::string_view field) {
    return key.substr(0, 5) == "deal:" && (field == "updatedAt" || field == "lastActivityAt");
}

namespace {
void joinBase(VersionVector& into, const VersionVector& other) {
    for (const auto& [replica, stamp] : other) {
        std::string& have = into[replica];
        if (have < stamp) have = stamp;
    }
}

void joinSeen(VersionVector& into, const std::string& stamp) {
    std::string& have = into[baseKey(stamp)];
    if (have < stamp) have = stamp;
}

bool conflictLess(const Conflict& a, const Conflict& b) {
    if (a.key != b.key) return a.key < b.key;
    if (a.field != b.field) return a.field < b.field;
    if (a.stamp != b.stamp) return a.stamp < b.stamp;
    const std::string da = dumpJson(a.value), db = dumpJson(b.value);
    if (da != db) return da < db;
    return a.base < b.base;
}

// Field order differs between a record removed here (codec order) and one merged (by name).
json sortedFields(const json& fields) {
    std::map<std::string, const json*> byName;
    for (auto it = fields.begin(); it != fields.end(); ++it) byName[it.key()] = &it.value();
    json o = json::object();
    for (const auto& [name, v] : byName) o[name] = *v;
    return o;
}

bool sameFields(const json& a, const json& b) {
    if (a.size() != b.size()) return false;
    for (auto it = a.begin(); it != a.end(); ++it) {
        auto o = b.find(it.key());
        if (o == b.end() || *o != it.value()) return false;
    }
    return true;
}

// Sorts the log into canonical order and drops duplicates; each value is dumped once (not once
// per comparison), so the cost is O(n log n) comparisons of short keys plus the log's size.
void canonicalise(std::vector<Conflict>& log) {
    if (std::is_sorted(log.begin(), log.end(), [](const Conflict& a, const Conflict& b) {
            return a.key != b.key ? a.key < b.key : a.field != b.field ? a.field < b.field : a.stamp < b.stamp;
        })) {
        // Already in order by key, field and stamp: only runs of equal stamps need a closer look.
        bool ties = false;
        for (std::size_t i = 1; i < log.size() && !ties; ++i)
            ties = log[i].key == log[i - 1].key && log[i].field == log[i - 1].field && log[i].stamp == log[i - 1].stamp;
        if (!ties) return;
    }
    std::vector<std::pair<std::string, std::size_t>> dumps;
    dumps.reserve(log.size());
    for (std::size_t i = 0; i < log.size(); ++i) dumps.emplace_back(dumpJson(log[i].value), i);
    std::vector<std::size_t> order(log.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    auto less = [&](std::size_t x, std::size_t y) {
        const Conflict &a = log[x], &b = log[y];
        if (a.key != b.key) return a.key < b.key;
        if (a.field != b.field) return a.field < b.field;
        if (a.stamp != b.stamp) return a.stamp < b.stamp;
        if (dumps[x].first != dumps[y].first) return dumps[x].first < dumps[y].first;
        return a.base < b.base;
    };
    std::sort(order.begin(), order.end(), less);
    std::vector<Conflict> out;
    out.reserve(log.size());
    for (std::size_t k = 0; k < order.size(); ++k) {
        if (k > 0 && !less(order[k - 1], order[k])) continue;  // equal to the previous one
        out.push_back(std::move(log[order[k]]));
    }
    log = std::move(out);
}

// The entries of one key (and field, when given) in a canonical log: a contiguous range.
std::pair<std::vector<Conflict>::const_iterator, std::vector<Conflict>::const_iterator> logged(
    const std::vector<Conflict>& log, const std::string& key, const std::string* field = nullptr) {
    auto lo = std::lower_bound(log.begin(), log.end(), 0, [&](const Conflict& c, int) {
        return c.key != key ? c.key < key : field && c.field < *field;
    });
    auto hi = std::upper_bound(lo, log.end(), 0, [&](int, const Conflict& c) {
        return c.key != key ? key < c.key : field && *field < c.field;
    });
    return {lo, hi};
}

// A removal (or a decision to keep one) saw every version of the record held where it was made,
// logged ones included: its base covers the record's creation, each field's stamp and each logged
// version, so an edit it had not seen, older or newer, is told apart from one it replaced
// (editedAfterRemoval).
void joinRecordSeen(VersionVector& into, const RecordStamps& rs, const std::vector<Conflict>& log,
                    const std::string& key) {
    joinSeen(into, rs.created);
    for (const auto& [f, fs] : rs.fields)
        if (f != kGoneField) joinSeen(into, fs.stamp);
    auto [lo, hi] = logged(log, key);
    for (auto it = lo; it != hi; ++it)
        if (it->field != kGoneField) joinSeen(into, it->stamp);
}
}  // namespace

json encodeGoneMark(const GoneMark& m) {
    if (m.heard.empty()) return formatTime(m.since);
    return json::array({formatTime(m.since), m.heard});
}

json encodeGoneSince(const std::map<std::string, GoneMark>& since) {
    json o = json::object();
    for (const auto& [key, m] : since) o[key] = encodeGoneMark(m);
    return o;
}

bool decodeGoneSince(const json& j, std::map<std::string, GoneMark>& since, std::string& error) {
    since.clear();
    if (!j.is_object()) return error = "goneSince: expected an object", false;
    for (auto it = j.begin(); it != j.end(); ++it) {
        const json& v = it.value();
        const bool pair = v.is_array() && v.size() == 2 && v[1].is_string() && isStamp(v[1].get_ref<const std::string&>());
        const json& time = pair ? v[0] : v;
        std::optional<Time> t = time.is_string() ? parseTime(time.get<std::string>()) : std::nullopt;
        if (!t) return error = "goneSince." + it.key() + ": expected a time, or a time and a stamp", false;
        since[it.key()] = GoneMark{*t, pair ? v[1].get<std::string>() : std::string()};
    }
    return true;
}

json encodeSyncState(const SyncState& s) {
    json o = json::object();
    json replicas = json::object();
    for (const auto& [r, stamp] : s.replicas) replicas[r] = stamp;
    o["replicas"] = std::move(replicas);
    json records = json::object();
    for (const auto& [key, rs] : s.records) {
        if (rs.created == kZeroStamp && rs.fields.empty()) continue;
        json r = json::object();
        if (rs.created != kZeroStamp) r["c"] = rs.created;
        if (!rs.fields.empty()) {
            json f = json::object();
            for (const auto& [name, fs] : rs.fields) {
                json a = json::array({fs.stamp});
                if (!fs.base.empty()) a.push_back(encodeBase(fs.base));
                f[name] = std::move(a);
            }
            r["f"] = std::move(f);
        }
        records[key] = std::move(r);
    }
    o["records"] = std::move(records);
    json gone = json::object();
    for (const auto& [key, fields] : s.gone) gone[key] = sortedFields(fields);
    o["gone"] = std::move(gone);
    json log = json::array();
    for (const Conflict& c : s.conflicts) {
        json e = json::object();
        e["key"] = c.key;
        e["field"] = c.field;
        e["value"] = c.value;
        e["stamp"] = c.stamp;
        if (!c.base.empty()) e["base"] = encodeBase(c.base);
        log.push_back(std::move(e));
    }
    o["conflicts"] = std::move(log);
    return o;
}

bool decodeSyncState(const json& j, SyncState& s, std::string& error) {
    s = SyncState{};
    auto fail = [&](const std::string& msg) {
        error = std::string(kSyncKey) + "." + msg;
        return false;
    };
    if (!j.is_object()) return fail("expected an object");
    auto stampAt = [&](const json& v, std::string& out, bool allowEmpty, const std::string& path) {
        if (!v.is_string()) return fail(path + ": expected a stamp string");
        out = v.get<std::string>();
        if (allowEmpty && out.empty()) return true;
        if (!isStamp(out)) return fail(path + ": malformed stamp");
        return true;
    };
    if (auto it = j.find("replicas"); it != j.end()) {
        if (!it->is_object()) return fail("replicas: expected an object");
        for (auto r = it->begin(); r != it->end(); ++r) {
            if (!isReplicaId(r.key())) return fail("replicas: bad replica id");
            if (!stampAt(r.value(), s.replicas[r.key()], false, "replicas." + r.key())) return false;
        }
    }
    if (auto it = j.find("records"); it != j.end()) {
        if (!it->is_object()) return fail("records: expected an object");
        for (auto r = it->begin(); r != it->end(); ++r) {
            const std::string path = "records." + r.key();
            if (!r.value().is_object()) return fail(path + ": expected an object");
            RecordStamps rs;
            if (auto c = r.value().find("c"); c != r.value().end())
                if (!stampAt(*c, rs.created, false, path + ".c")) return false;
            if (auto f = r.value().find("f"); f != r.value().end()) {
                if (!f->is_object()) return fail(path + ".f: expected an object");
                for (auto e = f->begin(); e != f->end(); ++e) {
                    const json& a = e.value();
                    if (!a.is_array() || a.empty() || a.size() > 2) return fail(path + ".f." + e.key() + ": expected [stamp, base]");
                    FieldStamp fs;
                    if (!stampAt(a[0], fs.stamp, false, path + ".f." + e.key())) return false;
                    std::string why;
                    if (a.size() == 2 && !decodeBase(a[1], fs.base, why)) return fail(path + ".f." + e.key() + ": base: " + why);
                    rs.fields[e.key()] = fs;
                }
            }
            s.records[r.key()] = std::move(rs);
        }
    }
    if (auto it = j.find("gone"); it != j.end()) {
        if (!it->is_object()) return fail("gone: expected an object");
        for (auto g = it->begin(); g != it->end(); ++g) {
            if (!g.value().is_object()) return fail("gone." + g.key() + ": expected an object");
            s.gone[g.key()] = g.value();
        }
    }
    if (auto it = j.find("conflicts"); it != j.end()) {
        if (!it->is_array()) return fail("conflicts: expected an array");
        for (std::size_t i = 0; i < it->size(); ++i) {
            const json& e = (*it)[i];
            const std::string path = "conflicts[" + std::to_string(i) + "]";
            if (!e.is_object() || !e.contains("key") || !e["key"].is_string() || !e.contains("field") ||
                !e["field"].is_string() || !e.contains("value"))
                return fail(path + ": expected {key, field, value, stamp}");
            Conflict c;
            c.key = e["key"].get<std::string>();
            c.field = e["field"].get<std::string>();
            c.value = e["value"];
            if (!e.contains("stamp") || !stampAt(e["stamp"], c.stamp, false, path + ".stamp")) return false;
            std::string why;
            if (e.contains("base") && !decodeBase(e["base"], c.base, why)) return fail(path + ".base: " + why);
            // Older Funnel logged bookkeeping fields (updatedAt, …) as conflicts; they are not.
            if (isBookkeepingField(c.key, c.field)) continue;
            s.conflicts.push_back(std::move(c));
        }
        canonicalise(s.conflicts);  // untrusted order must not change the canonical bytes
    }
    return true;
}

bool splitSync(Document& doc, SyncState& state, std::string& error) {
    state = SyncState{};
    if (!doc.extra.is_object()) return true;
    auto it = doc.extra.find(kSyncKey);
    if (it == doc.extra.end()) return true;
    if (!decodeSyncState(*it, state, error)) return false;
    doc.extra.erase(kSyncKey);
    if (doc.extra.empty()) doc.extra = json();  // "no unknown fields" is null, as a decoded document has it
    return true;
}

Document joinSync(Document doc, const SyncState& state) {
    if (!doc.extra.is_object()) doc.extra = json::object();
    doc.extra[kSyncKey] = encodeSyncState(state);
    return doc;
}



std::string canonicalText(const Document& doc, const SyncState& state) {
    // Records in merge order (by id; changes by time), so a replica that appended records
    // locally and one that received them by merge write the same bytes.
    Document canonical;
    std::string error;
    if (!unflatten(flatten(doc), doc.settings, canonical, error)) canonical = doc;
    return encodeDocumentText(joinSync(std::move(canonical), state));
}

// [SECTION] Stamping local changes

namespace {
FieldStamp effective(const SyncState& s, const std::string& key, const std::string& field) {
    auto r = s.records.find(key);
    if (r == s.records.end()) return FieldStamp{};
    auto f = r->second.fields.find(field);
    if (f != r->second.fields.end()) return f->second;
    return FieldStamp{r->second.created, {}};
}

bool hasLogged(const SyncState& s, const std::string& key, const std::string& field) {
    auto [lo, hi] = logged(s.conflicts, key, &field);
    return lo != hi;
}

void stampField(SyncState& s, const std::string& key, const std::string& field, const std::string& stamp,
                const json* replaced) {
    FieldStamp now;
    now.stamp = stamp;
    const FieldStamp old = effective(s, key, field);
    if (!isBookkeepingField(key, field) && hasLogged(s, key, field)) {
        // The writer has not settled the logged losers: the new base joins what the current and
        // logged versions had seen, but not those versions themselves, so it witnesses none of
        // them: they stay, and the value replaced joins them (as a merge would log it).
        now.base = old.base;
        auto [lo, hi] = logged(s.conflicts, key, &field);
        for (auto it = lo; it != hi; ++it) joinBase(now.base, it->base);
        // Inserted in place (the log stays canonical without sorting all of it).
        Conflict c{key, field, replaced ? *replaced : json(), old.stamp, old.base};
        const auto at = std::upper_bound(s.conflicts.cbegin(), s.conflicts.cend(), c, conflictLess);
        if (at == s.conflicts.cbegin() || !(*std::prev(at) == c)) s.conflicts.insert(at, std::move(c));
    } else {
        // Written over the current version: it saw that version and everything that one saw.
        now.base = old.base;
        joinSeen(now.base, old.stamp);
    }
    s.records[key].fields[field] = now;
}

const json* fieldOf(const json* fields, const std::string& name) {
    if (!fields) return nullptr;
    auto it = fields->find(name);
    return it == fields->end() ? nullptr : &*it;
}

void stampRecord(SyncState& s, const std::string& key, const json* before, const json* after,
                 const std::string& stamp) {
    static const json kTrue = true, kFalse = false;
    if (after && !before) {
        auto gone = s.gone.find(key);
        if (gone == s.gone.end()) {
            // A new record: every field carries the creation stamp.
            RecordStamps rs;
            rs.created = stamp;
            s.records[key] = std::move(rs);
            return;
        }
        const json old = std::move(gone->second);
        s.gone.erase(gone);
        stampField(s, key, kGoneField, stamp, &kTrue);
        for (auto it = after->begin(); it != after->end(); ++it) {
            const json* b = fieldOf(&old, it.key());
            if (!b || *b != it.value()) stampField(s, key, it.key(), stamp, b);
        }
        return;
    }
    if (before && !after) {
        s.gone[key] = *before;
        stampField(s, key, kGoneField, stamp, &kFalse);
        RecordStamps& rs = s.records[key];
        joinRecordSeen(rs.fields[kGoneField].base, rs, s.conflicts, key);
        return;
    }
    if (!before || !after) return;
    for (auto it = after->begin(); it != after->end(); ++it) {
        const json* b = fieldOf(before, it.key());
        if (!b || *b != it.value()) stampField(s, key, it.key(), stamp, b);
    }
    for (auto it = before->begin(); it != before->end(); ++it)
        if (!after->contains(it.key())) stampField(s, key, it.key(), stamp, &it.value());
}

// Flat records of the records that differ between two documents (by id, struct compare first
// so a one-field edit of a 100k-deal document encodes only that deal).
template <class T, class Add>
void diffList(const std::vector<T>& before, const std::vector<T>& after, Flat& b, Flat& a, Add add) {
    std::unordered_map<std::string, const T*> index;
    index.reserve(before.size());
    for (const T& r : before) index[r.id] = &r;
    for (const T& r : after) {
        auto it = index.find(r.id);
        if (it != index.end()) {
            if (!(*it->second == r)) {
                add(b, *it->second);
                add(a, r);
            }
            index.erase(it);
        } else {
            add(a, r);
        }
    }
    for (const auto& [id, r] : index) add(b, *r);
}

// Stamps every record whose flat form differs between b and a with one clock tick.
bool stampFlat(SyncState& state, Clock& clock, const Flat& b, const Flat& a, Time now, std::vector<std::string>* touched) {
    std::set<std::string> keys;
    for (const auto& [k, v] : b) keys.insert(k);
    for (const auto& [k, v] : a) keys.insert(k);
    std::vector<std::pair<const std::string*, std::pair<const json*, const json*>>> changed;
    for (const std::string& key : keys) {
        auto x = b.find(key);
        auto y = a.find(key);
        const json* bx = x == b.end() ? nullptr : &x->second;
        const json* ay = y == a.end() ? nullptr : &y->second;
        if (bx && ay && *bx == *ay) continue;
        changed.push_back({&key, {bx, ay}});
    }
    if (changed.empty()) return true;
    // The new stamp must come after every version it replaces, whatever the clock has observed
    // so far (a version merged but not yet acknowledged would otherwise beat this later edit).
    for (const auto& [key, sides] : changed) {
        auto r = state.records.find(*key);
        if (r == state.records.end()) continue;
        clock.observe(r->second.created);
        for (const auto& [field, fs] : r->second.fields) clock.observe(fs.stamp);
    }
    const std::optional<std::string> stamp = clock.tick(now);
    if (!stamp) return false;  // no stamp left (year 9999): nothing stamped, the caller refuses
    for (const auto& [key, sides] : changed) {
        stampRecord(state, *key, sides.first, sides.second, *stamp);
        if (touched) touched->push_back(*key);
    }
    state.replicas[clock.replica()] = clock.last();
    return true;
}
}  // namespace

bool stampChange(SyncState& state, Clock& clock, const Document& before, const Document& after, Time now) {
    Flat b, a;
    if (!(before.settings == after.settings)) {
        b["settings"] = settingsFields(before.settings);
        a["settings"] = settingsFields(after.settings);
    }
    {
        json x = docFields(before), y = docFields(after);
        if (x != y) {
            if (!x.empty()) b["doc"] = std::move(x);
            if (!y.empty()) a["doc"] = std::move(y);
        }
    }
    auto addSimple = [](const char* kind) {
        return [kind](Flat& f, const auto& r) { f[std::string(kind) + ":" + escapeId(r.id)] = fieldsOf(r); };
    };
    diffList(before.pipelines, after.pipelines, b, a, addSimple("pipeline"));
    diffList(before.members, after.members, b, a, addSimple("member"));
    diffList(before.customers, after.customers, b, a, addSimple("customer"));
    diffList(before.contacts, after.contacts, b, a, addSimple("contact"));
    diffList(before.deals, after.deals, b, a, [](Flat& f, const Deal& d) { addDeal(f, d); });
    diffList(before.activities, after.activities, b, a, addSimple("activity"));
    if (before.changes != after.changes) {
        for (const auto& c : before.changes) b[changeKey(c)] = changeFields(c);
        for (const auto& c : after.changes) a[changeKey(c)] = changeFields(c);
    }
    return stampFlat(state, clock, b, a, now, nullptr);
}

// [SECTION] Merge

namespace {
struct Version {
    json value;
    std::string stamp;
    VersionVector base;
    std::string dump;
};

bool newer(const Version& a, const Version& b) {  // a after b in the total order
    return a.stamp != b.stamp ? a.stamp > b.stamp : a.dump > b.dump;
}

// Bookkeeping fields: a after b when its time is later, then by stamp, value text and base.
bool bookkeepingAfter(const Version& a, const Version& b) {
    auto rank = [](const json& v) { return v.is_string() ? 2 : v.is_number() ? 1 : 0; };
    const int ra = rank(a.value), rb = rank(b.value);
    if (ra != rb) return ra > rb;
    if (ra == 2 && a.value != b.value) return a.value.get<std::string>() > b.value.get<std::string>();
    if (ra == 1 && a.value != b.value) return a.value.get<double>() > b.value.get<double>();
    if (a.stamp != b.stamp) return a.stamp > b.stamp;
    if (a.dump != b.dump) return a.dump > b.dump;
    return a.base > b.base;
}

// The unwitnessed versions of one field, newest first (the first is the current value).
std::vector<Version> reduce(std::vector<Version> vs) {
    std::sort(vs.begin(), vs.end(), [](const Version& a, const Version& b) {
        if (a.stamp != b.stamp || a.dump != b.dump) return newer(a, b);
        return a.base > b.base;
    });
    // One sweep, newest first: `seen` joins the bases of every version with a larger stamp than
    // the current one, so x is witnessed (some y has y.stamp > x.stamp and y.base[replica of x]
    // >= x.stamp) exactly when seen[replica of x] >= x.stamp. Linear in the versions and their
    // bases (after the sort), where comparing every pair was quadratic.
    VersionVector seen;
    std::vector<std::size_t> keep;
    std::size_t group = 0;  // first version of the current run of equal stamps
    for (std::size_t i = 0; i < vs.size(); ++i) {
        if (vs[i].stamp != vs[group].stamp) {
            for (; group < i; ++group) joinBase(seen, vs[group].base);
        }
        if (i > 0 && vs[i].stamp == vs[i - 1].stamp && vs[i].dump == vs[i - 1].dump) continue;  // same version
        auto it = seen.find(baseKey(vs[i].stamp));
        const bool witnessed = it != seen.end() && it->second >= vs[i].stamp;
        if (!witnessed) keep.push_back(i);
    }
    std::vector<Version> out;
    for (std::size_t i : keep) out.push_back(std::move(vs[i]));
    return out;
}

using FieldLog = std::map<std::string, std::vector<const Conflict*>>;  // field -> its logged losers

struct Side {
    const Flat& alive;
    const SyncState& state;
    std::map<std::string, FieldLog> log;  // key -> field -> logged losers (indexed once)

    Side(const Flat& a, const SyncState& s) : alive(a), state(s) {
        for (const Conflict& c : s.conflicts) log[c.key][c.field].push_back(&c);
    }
    // The record's fields (alive or tombstoned) and whether it is gone; false when unknown.
    bool find(const std::string& key, const json*& fields, bool& gone) const {
        if (auto it = alive.find(key); it != alive.end()) {
            fields = &it->second;
            gone = false;
            return true;
        }
        if (auto it = state.gone.find(key); it != state.gone.end()) {
            fields = &it->second;
            gone = true;
            return true;
        }
        return false;
    }
    const RecordStamps* stamps(const std::string& key) const {
        auto it = state.records.find(key);
        return it == state.records.end() ? nullptr : &it->second;
    }
};

const RecordStamps& stampsOr(const RecordStamps* r) {
    static const RecordStamps kNone;
    return r ? *r : kNone;
}

FieldStamp fieldStamp(const RecordStamps& r, const std::string& field) {
    auto f = r.fields.find(field);
    return f != r.fields.end() ? f->second : FieldStamp{r.created, {}};
}

struct Merged {
    Flat alive;
    SyncState state;
    int changedIn = 0, changedOut = 0;
};

// Merges one record known to both sides.
void mergeRecord(const std::string& key, const Side& A, const Side& B, Merged& m) {
    const json *fa = nullptr, *fb = nullptr;
    bool goneA = false, goneB = false;
    A.find(key, fa, goneA);
    B.find(key, fb, goneB);
    const RecordStamps& sa = stampsOr(A.stamps(key));
    const RecordStamps& sb = stampsOr(B.stamps(key));
    auto la = A.log.find(key);
    auto lb = B.log.find(key);
    const bool logged = la != A.log.end() || lb != B.log.end();
    if (!logged && goneA == goneB && sa == sb && sameFields(*fa, *fb)) {
        (goneA ? m.state.gone[key] : m.alive[key]) = *fa;
        if (!(sa == RecordStamps{})) m.state.records[key] = sa;
        return;
    }
    std::vector<std::string> names;
    for (auto it = fa->begin(); it != fa->end(); ++it) names.push_back(it.key());
    for (auto it = fb->begin(); it != fb->end(); ++it) names.push_back(it.key());
    names.push_back(kGoneField);
    for (const auto* l : {la != A.log.end() ? &la->second : nullptr, lb != B.log.end() ? &lb->second : nullptr})
        if (l)
            for (const auto& [field, list] : *l) names.push_back(field);
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());

    RecordStamps out;
    out.created = std::max(sa.created, sb.created);
    json fields = json::object();
    bool gone = false;
    for (const std::string& name : names) {
        auto valueOf = [&](const json* f, bool g) -> json {
            if (name == kGoneField) return g;
            auto it = f->find(name);
            return it == f->end() ? json() : *it;
        };
        Version va{valueOf(fa, goneA), "", {}, ""}, vb{valueOf(fb, goneB), "", {}, ""};
        const FieldStamp ta = fieldStamp(sa, name), tb = fieldStamp(sb, name);
        va.stamp = ta.stamp;
        va.base = ta.base;
        vb.stamp = tb.stamp;
        vb.base = tb.base;
        std::vector<Version> vs;
        bool anyLogged = false;
        if (isBookkeepingField(key, name)) {
            // The latest time wins (then the later stamp), nothing is logged: a max is a join.
            va.dump = dumpJson(va.value);
            vb.dump = dumpJson(vb.value);
            Version win = bookkeepingAfter(vb, va) ? std::move(vb) : std::move(va);
            if (!(win.stamp == out.created && win.base.empty())) out.fields[name] = FieldStamp{win.stamp, win.base};
            if (!win.value.is_null() || fa->contains(name) || fb->contains(name)) fields[name] = std::move(win.value);
            continue;
        }
        for (const auto* l : {la != A.log.end() ? &la->second : nullptr, lb != B.log.end() ? &lb->second : nullptr})
            if (l)
                if (auto f = l->find(name); f != l->end())
                    for (const Conflict* c : f->second) {
                        vs.push_back(Version{c->value, c->stamp, c->base, dumpJson(c->value)});
                        anyLogged = true;
                    }
        Version win;
        if (!anyLogged && ta == tb && va.value == vb.value) {
            win = std::move(va);
        } else {
            va.dump = dumpJson(va.value);
            vb.dump = dumpJson(vb.value);
            vs.push_back(std::move(va));
            vs.push_back(std::move(vb));
            std::vector<Version> kept = reduce(std::move(vs));
            win = std::move(kept.front());
            for (std::size_t i = 1; i < kept.size(); ++i)
                m.state.conflicts.push_back(Conflict{key, name, std::move(kept[i].value), kept[i].stamp, kept[i].base});
        }
        if (!(win.stamp == out.created && win.base.empty())) out.fields[name] = FieldStamp{win.stamp, win.base};
        if (name == kGoneField) gone = win.value.is_boolean() && win.value.get<bool>();
        else if (!win.value.is_null() || fa->contains(name) || fb->contains(name)) fields[name] = std::move(win.value);
    }
    if (goneA != gone || !sameFields(*fa, fields)) ++m.changedIn;
    if (goneB != gone || !sameFields(*fb, fields)) ++m.changedOut;
    (gone ? m.state.gone[key] : m.alive[key]) = std::move(fields);
    if (!(out == RecordStamps{})) m.state.records[key] = std::move(out);
}

// A record only one side knows: taken whole, with its logged losers.
void takeRecord(const std::string& key, const Side& from, Merged& m, bool fromLocal) {
    const json* f = nullptr;
    bool gone = false;
    from.find(key, f, gone);
    (gone ? m.state.gone[key] : m.alive[key]) = *f;
    if (const RecordStamps* rs = from.stamps(key)) m.state.records[key] = *rs;
    if (auto l = from.log.find(key); l != from.log.end())
        for (const auto& [field, list] : l->second)
            for (const Conflict* c : list) m.state.conflicts.push_back(*c);
    ++(fromLocal ? m.changedOut : m.changedIn);
}

Merged mergeFlat(const Flat& aliveA, const SyncState& A0, const Flat& aliveB, const SyncState& B0) {
    const Side A(aliveA, A0), B(aliveB, B0);
    std::set<std::string> keys;
    for (const auto* s : {&A, &B}) {
        for (const auto& [k, v] : s->alive) keys.insert(k);
        for (const auto& [k, v] : s->state.gone) keys.insert(k);
        for (const auto& [k, v] : s->log) keys.insert(k);
    }
    Merged m;
    for (const std::string& key : keys) {
        const json* f = nullptr;
        bool g = false;
        const bool inA = A.find(key, f, g), inB = B.find(key, f, g);
        if (inA && inB) mergeRecord(key, A, B, m);
        else if (inA) takeRecord(key, A, m, true);
        else if (inB) takeRecord(key, B, m, false);
    }
    for (const auto* s : {&A0, &B0})
        for (const auto& [r, stamp] : s->replicas) {
            std::string& have = m.state.replicas[r];
            if (have < stamp) have = stamp;
        }
    canonicalise(m.state.conflicts);
    return m;
}
}  // namespace

MergeResult merge(const Document& local, const SyncState& localState, const Document& remote,
                  const SyncState& remoteState) {
    MergeResult r;
    // Most records are the same on both sides: those (equal struct, equal stamps, no logged
    // losers) skip the flat form and are copied; only the rest are merged field by field.
    Skip skip;
    Document same;
    std::map<std::string, RecordStamps> sameStamps;
    auto loggedKeys = [](const SyncState& st) {
        std::unordered_set<std::string> keys;
        for (const Conflict& c : st.conflicts) keys.insert(c.key);
        return keys;
    };
    const auto logA = loggedKeys(localState), logB = loggedKeys(remoteState);
    auto unchanged = [&](const std::string& key) {
        if (logA.count(key) || logB.count(key) || localState.gone.count(key) || remoteState.gone.count(key)) return false;
        auto a = localState.records.find(key);
        auto b = remoteState.records.find(key);
        const bool hasA = a != localState.records.end(), hasB = b != remoteState.records.end();
        if (hasA != hasB || (hasA && !(a->second == b->second))) return false;
        if (hasA) sameStamps[key] = a->second;
        return true;
    };
    auto collect = [&](const char* kind, const auto& mine, const auto& theirs, auto& out) {
        std::unordered_map<std::string, const std::decay_t<decltype(mine[0])>*> index;
        index.reserve(theirs.size());
        for (const auto& t : theirs) index.emplace(t.id, &t);
        auto& ids = skip[kind];
        for (const auto& m0 : mine) {
            auto it = index.find(m0.id);
            if (it == index.end() || !(*it->second == m0)) continue;
            if (!unchanged(std::string(kind) + ":" + escapeId(m0.id))) continue;
            if constexpr (std::is_same_v<std::decay_t<decltype(m0)>, Deal>) {
                const std::string dealKey = escapeId(m0.id);
                bool ok = true;
                for (const Objection& ob : m0.objections) ok = ok && unchanged("objection:" + dealKey + "/" + escapeId(ob.id));
                if (!ok) continue;
            }
            ids.insert(m0.id);
            out.push_back(m0);
        }
    };
    collect("pipeline", local.pipelines, remote.pipelines, same.pipelines);
    collect("member", local.members, remote.members, same.members);
    collect("customer", local.customers, remote.customers, same.customers);
    collect("contact", local.contacts, remote.contacts, same.contacts);
    collect("deal", local.deals, remote.deals, same.deals);
    collect("activity", local.activities, remote.activities, same.activities);
    {
        // Change entries are keyed by content: equal keys on both sides are the same entry.
        std::unordered_set<std::string> theirs;
        theirs.reserve(remote.changes.size());
        for (const Change& c : remote.changes) theirs.insert(changeKey(c));
        auto& keys = skip["change"];
        for (const Change& c : local.changes) {
            std::string key = changeKey(c);
            if (theirs.count(key) && unchanged(key)) {
                keys.insert(std::move(key));
                same.changes.push_back(c);
            }
        }
    }

    Merged m = mergeFlat(flatten(local, skip), localState, flatten(remote, skip), remoteState);
    if (!unflatten(m.alive, local.settings, r.doc, r.error)) return r;
    auto combine = [](auto& merged, auto& copied) {
        for (auto& x : copied) merged.push_back(std::move(x));
        std::sort(merged.begin(), merged.end(), [](const auto& x, const auto& y) { return escapeId(x.id) < escapeId(y.id); });
    };
    for (Deal& d : same.deals)
        std::sort(d.objections.begin(), d.objections.end(),
                  [](const Objection& x, const Objection& y) { return escapeId(x.id) < escapeId(y.id); });
    combine(r.doc.pipelines, same.pipelines);
    combine(r.doc.members, same.members);
    combine(r.doc.customers, same.customers);
    combine(r.doc.contacts, same.contacts);
    combine(r.doc.deals, same.deals);
    combine(r.doc.activities, same.activities);
    if (!same.changes.empty()) {
        for (Change& c : same.changes) r.doc.changes.push_back(std::move(c));
        std::vector<std::pair<std::string, Change>> ordered;
        ordered.reserve(r.doc.changes.size());
        for (Change& c : r.doc.changes) ordered.emplace_back(changeOrder(c), std::move(c));
        std::sort(ordered.begin(), ordered.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
        r.doc.changes.clear();
        for (auto& [order, c] : ordered) r.doc.changes.push_back(std::move(c));
    }
    for (auto& [key, rs] : sameStamps) m.state.records[key] = std::move(rs);
    m.state.goneSince = localState.goneSince;  // device-local: purgeTombstones updates it
    r.state = std::move(m.state);
    r.changedIn = m.changedIn;
    r.changedOut = m.changedOut;
    std::set<std::pair<std::string, std::string>> had;  // (key/field/stamp, value)
    for (const Conflict& c : localState.conflicts) had.emplace(c.key + "\n" + c.field + "\n" + c.stamp, dumpJson(c.value));
    for (const Conflict& c : r.state.conflicts)
        if (!had.count({c.key + "\n" + c.field + "\n" + c.stamp, dumpJson(c.value)})) r.newConflicts.push_back(c);
    r.ok = true;
    return r;
}

bool checkRemoteState(const SyncState& s, Time now, std::string& error) {
    auto fail = [&](const std::string& msg) {
        error = std::string(kSyncKey) + "." + msg;
        return false;
    };
    if (s.replicas.size() > kMaxReplicas)
        return fail("replicas: " + std::to_string(s.replicas.size()) + " replicas exceed the limit of " + std::to_string(kMaxReplicas));
    if (s.gone.size() > kMaxGone)
        return fail("gone: " + std::to_string(s.gone.size()) + " tombstones exceed the limit of " + std::to_string(kMaxGone));
    if (s.conflicts.size() > kMaxConflicts)
        return fail("conflicts: " + std::to_string(s.conflicts.size()) + " entries exceed the limit of " + std::to_string(kMaxConflicts));
    for (const auto& [r, stamp] : s.replicas) {
        // The newest stamp it issued *or merged*: it may be another replica's.
        auto p = parseStamp(stamp);
        if (!p) return fail("replicas." + r + ": malformed stamp");
        if (now >= 0 && p->wall > now + kMaxStampAhead)
            return fail("replicas." + r + ": stamp " + stamp + " is more than a day ahead of this device's clock");
    }
    // Issued by a listed replica, not after what that replica's entry says it had issued.
    auto issued = [&](const std::string& stamp) {
        if (stamp == kZeroStamp) return true;
        auto it = s.replicas.find(replicaOf(stamp));
        return it != s.replicas.end() && it->second >= stamp;
    };
    auto checkBase = [&](const VersionVector& base, const std::string& stamp, const std::string& path) {
        for (const auto& [r, seen] : base) {
            if (!issued(seen)) return fail(path + ": base stamp " + seen + " is not one its replica issued");
            if (seen != kZeroStamp && !(seen < stamp)) return fail(path + ": base " + seen + " is not older than its version");
        }
        return true;
    };
    for (const auto& [key, rs] : s.records) {
        if (!issued(rs.created)) return fail("records." + key + ".c: stamp " + rs.created + " is not one its replica issued");
        for (const auto& [field, fs] : rs.fields) {
            const std::string path = "records." + key + ".f." + field;
            if (!issued(fs.stamp)) return fail(path + ": stamp " + fs.stamp + " is not one its replica issued");
            if (!checkBase(fs.base, fs.stamp, path)) return false;
        }
    }
    std::size_t run = 0;
    for (std::size_t i = 0; i < s.conflicts.size(); ++i) {
        const Conflict& c = s.conflicts[i];
        const std::string path = "conflicts[" + std::to_string(i) + "]";
        if (!issued(c.stamp)) return fail(path + ": stamp " + c.stamp + " is not one its replica issued");
        if (!checkBase(c.base, c.stamp, path)) return false;
        // The log is in canonical order (decodeSyncState sorts it): one field's entries are adjacent.
        run = i > 0 && s.conflicts[i - 1].key == c.key && s.conflicts[i - 1].field == c.field ? run + 1 : 1;
        if (run > kMaxConflictsPerField)
            return fail(path + ": more than " + std::to_string(kMaxConflictsPerField) + " logged versions of " + c.key + "." + c.field);
    }
    return true;
}

MergeResult mergeRemoteText(const Document& local, const SyncState& localState, std::string_view remoteText,
                            const Limits& limits, Time now) {
    MergeResult r;
    DecodeResult d = decodeDocument(remoteText, limits);
    if (!d.ok || d.migratedFrom == 0) {
        // Version 0 (no "format"/"version") predates sync: any other JSON object would decode as one.
        r.error = "the team file is not a Funnel document: " + (d.ok ? std::string("format: expected \"funnel\"") : d.error);
        return r;
    }
    SyncState remoteState;
    std::string error;
    if (!splitSync(d.document, remoteState, error) || !checkRemoteState(remoteState, now, error)) {
        r.error = "the team file's sync data is damaged: " + error;
        return r;
    }
    r = merge(local, localState, d.document, remoteState);
    if (!r.ok) r.error = "the team file cannot be merged: " + r.error;
    return r;
}

// [SECTION] Conflicts and tombstones

std::vector<ConflictChoice> conflictChoices(const Document& doc, const SyncState& state) {
    std::vector<ConflictChoice> out;
    if (state.conflicts.empty() && state.gone.empty()) return out;
    const Flat flat = flatten(doc);
    for (const Conflict& c : state.conflicts) {
        json current;
        if (c.field == kGoneField) {
            current = state.gone.count(c.key) > 0;
        } else if (auto it = flat.find(c.key); it != flat.end()) {
            current = it->second.contains(c.field) ? it->second[c.field] : json();
        } else if (auto g = state.gone.find(c.key); g != state.gone.end()) {
            current = g->second.contains(c.field) ? g->second[c.field] : json();
        }
        if (current != c.value) out.push_back(ConflictChoice{c, std::move(current), effective(state, c.key, c.field).stamp});
    }
    // A removed record edited by someone who had not seen the removal: restore it or keep it removed.
    std::set<std::string> listed;
    for (const ConflictChoice& c : out)
        if (c.logged.field == kGoneField) listed.insert(c.logged.key);
    for (const auto& [key, fields] : state.gone) {
        if (!editedAfterRemoval(state, key) || listed.count(key)) continue;
        const RecordStamps& rs = state.records.at(key);
        std::string newest = rs.created;
        for (const auto& [f, fs] : rs.fields)
            if (f != kGoneField && fs.stamp > newest) newest = fs.stamp;
        out.push_back(ConflictChoice{Conflict{key, kGoneField, json(false), newest, {}}, json(true),
                                     effective(state, key, kGoneField).stamp});
    }
    return out;
}

bool editedAfterRemoval(const SyncState& state, const std::string& key) {
    auto r = state.records.find(key);
    if (r == state.records.end() || !state.gone.count(key)) return false;
    // Edited by someone who had not seen the removal, or edited before it by someone whose edit
    // the remover had not seen: either way the removal did not knowingly replace that version.
    const FieldStamp removed = effective(state, key, kGoneField);
    auto unseen = [&](const std::string& stamp) {
        return stamp > removed.stamp || (stamp != kZeroStamp && !witnesses(removed.stamp, removed.base, stamp));
    };
    if (unseen(r->second.created)) return true;
    for (const auto& [f, fs] : r->second.fields)
        if (f != kGoneField && unseen(fs.stamp)) return true;
    auto [lo, hi] = logged(state.conflicts, key);
    for (auto it = lo; it != hi; ++it)
        if (it->field != kGoneField && unseen(it->stamp)) return true;
    return false;
}

std::vector<Conflict> openConflicts(const Document& doc, const SyncState& state) {
    std::vector<Conflict> out;
    for (ConflictChoice& c : conflictChoices(doc, state)) out.push_back(std::move(c.logged));
    return out;
}

bool resolveConflict(Document& doc, SyncState& state, Clock& clock, const std::string& key, const std::string& field,
                     const json& value, Time now) {
    Flat flat = flatten(doc);
    // The new base covers the current and every logged version of the field, and what they saw.
    const FieldStamp current = effective(state, key, field);
    VersionVector base = current.base;
    joinSeen(base, current.stamp);
    std::string top = current.stamp;
    for (const Conflict& c : state.conflicts)
        if (c.key == key && c.field == field) {
            joinBase(base, c.base);
            joinSeen(base, c.stamp);
            if (c.stamp > top) top = c.stamp;
        }
    clock.observe(top);
    if (field == kGoneField)  // deciding about a removal comes after every edit of the record
        if (auto r = state.records.find(key); r != state.records.end()) {
            clock.observe(r->second.created);
            for (const auto& [f, fs] : r->second.fields) clock.observe(fs.stamp);
            joinRecordSeen(base, r->second, state.conflicts, key);
        }
    const std::optional<std::string> ticked = clock.tick(now);
    if (!ticked) return false;
    const std::string stamp = *ticked;
    if (field == kGoneField) {
        const bool wantGone = value.is_boolean() && value.get<bool>();
        const bool isGone = state.gone.count(key) > 0;
        if (!isGone && flat.find(key) == flat.end()) return false;
        if (wantGone && !isGone) {
            state.gone[key] = flat[key];
            flat.erase(key);
        } else if (!wantGone && isGone) {
            flat[key] = state.gone[key];
            state.gone.erase(key);
        }
    } else {
        json* fields = nullptr;
        if (auto it = flat.find(key); it != flat.end()) fields = &it->second;
        else if (auto g = state.gone.find(key); g != state.gone.end()) fields = &g->second;
        if (!fields) return false;
        (*fields)[field] = value;
    }
    Document next;
    std::string error;
    if (!unflatten(flat, doc.settings, next, error)) return false;
    doc = std::move(next);
    state.records[key].fields[field] = FieldStamp{stamp, std::move(base)};
    state.conflicts.erase(std::remove_if(state.conflicts.begin(), state.conflicts.end(),
                                         [&](const Conflict& c) { return c.key == key && c.field == field; }),
                          state.conflicts.end());
    state.replicas[clock.replica()] = clock.last();
    return true;
}

void acknowledge(SyncState& state, Clock& clock) {
    for (const auto& [r, stamp] : state.replicas) clock.observe(stamp);
    state.replicas[clock.replica()] = clock.last();
}

int purgeTombstones(SyncState& state, Time now, const std::string& me) {
    for (auto it = state.goneSince.begin(); it != state.goneSince.end();)
        it = state.gone.count(it->first) ? std::next(it) : state.goneSince.erase(it);
    std::string newest;  // the newest entry of any replica this device knows of now
    for (const auto& [r, stamp] : state.replicas) newest = std::max(newest, stamp);
    int purged = 0;
    for (auto it = state.gone.begin(); it != state.gone.end();) {
        // Counted from when this device first held it: a tombstone's stamp says when someone
        // removed the record, not when the others learned of it (GoneMark).
        const auto [mark, fresh] = state.goneSince.emplace(it->first, GoneMark{now, newest});
        if (mark->second.heard.empty()) mark->second.heard = newest;
        const FieldStamp fs = effective(state, it->first, kGoneField);
        // A change to the tombstone since (a decision about it, an edit, a logged version) must
        // reach everyone too before it goes: the mark moves past it.
        std::string touched = fs.stamp;
        if (auto r = state.records.find(it->first); r != state.records.end()) {
            touched = std::max(touched, r->second.created);
            for (const auto& [f, stamp] : r->second.fields) touched = std::max(touched, stamp.stamp);
        }
        auto [lo, hi] = logged(state.conflicts, it->first);
        for (auto c = lo; c != hi; ++c) touched = std::max(touched, c->stamp);
        if (touched > mark->second.heard) mark->second.heard = std::max(newest, touched);
        bool seenByAll = !state.replicas.empty();
        for (const auto& [r, stamp] : state.replicas)
            seenByAll = seenByAll && (r == me || (stamp >= fs.stamp && stamp > mark->second.heard));
        if (!fresh && mark->second.since + kTombstoneRetention < now && seenByAll && !editedAfterRemoval(state, it->first)) {
            const std::string key = it->first;
            state.goneSince.erase(key);
            state.records.erase(key);
            state.conflicts.erase(std::remove_if(state.conflicts.begin(), state.conflicts.end(),
                                                 [&](const Conflict& c) { return c.key == key; }),
                                  state.conflicts.end());
            it = state.gone.erase(it);
            ++purged;
        } else {
            ++it;
        }
    }
    return purged;
}

// [SECTION] Journaling: stamps and merges

namespace {
// Finds records of `list` by id: a scan for a few lookups, an index once there are many.
template <class T>
class Lookup {
public:
    explicit Lookup(const std::vector<T>& list) : list_(list) {}
    // `hint`: where the record was before the command (the snapshot's index); most commands
    // leave it there, so the scan is skipped.
    const T* find(const Id& id, long hint) {
        if (hint >= 0 && std::size_t(hint) < list_.size() && list_[std::size_t(hint)].id == id) return &list_[std::size_t(hint)];
        return find(id);
    }
    const T* find(const Id& id) {
        if (++lookups_ > 8 && index_.empty() && !list_.empty()) {
            index_.reserve(list_.size());
            for (const T& r : list_) index_.emplace(r.id, &r);
        }
        if (!index_.empty()) {
            auto it = index_.find(id);
            return it == index_.end() ? nullptr : it->second;
        }
        for (const T& r : list_)
            if (r.id == id) return &r;
        return nullptr;
    }

private:
    const std::vector<T>& list_;
    std::unordered_map<std::string, const T*> index_;
    int lookups_ = 0;
};

template <class T, class Add>
void addTouched(Flat& b, Flat& a, const json& snap, Lookup<T>& after, const Id& id, Add add) {
    static const json kNull;
    const json& before = snap.contains("record") ? snap["record"] : kNull;
    if (before.is_object()) {
        T r;
        std::string error;
        if (decodeRecord(before, r, error, "")) add(b, r);
    }
    const json& index = snap.contains("index") ? snap["index"] : kNull;
    if (const T* r = after.find(id, index.is_number_integer() ? index.get<long>() : -1)) add(a, *r);
}
}  // namespace

bool stampCommand(SyncState& state, Clock& clock, const Document& after, const json& inverse, Time now,
                  std::vector<std::string>& keys) {
    if (!inverse.is_object() || inverse.value("op", std::string()) != "snapshot.restore") return false;
    Flat b, a;
    Lookup<Pipeline> pipelines(after.pipelines);
    Lookup<Member> members(after.members);
    Lookup<Customer> customers(after.customers);
    Lookup<Contact> contacts(after.contacts);
    Lookup<Deal> deals(after.deals);
    Lookup<Activity> activities(after.activities);
    auto simple = [](const char* kind) {
        return [kind](Flat& f, const auto& r) { f[std::string(kind) + ":" + escapeId(r.id)] = fieldsOf(r); };
    };
    if (auto rs = inverse.find("records"); rs != inverse.end() && rs->is_array()) {
        for (const json& snap : *rs) {
            if (!snap.is_object()) continue;
            const std::string entity = snap.value("entity", std::string());
            const Id id = snap.value("id", std::string());
            if (entity == "customer") addTouched(b, a, snap, customers, id, simple("customer"));
            else if (entity == "contact") addTouched(b, a, snap, contacts, id, simple("contact"));
            else if (entity == "deal") addTouched(b, a, snap, deals, id, [](Flat& f, const Deal& d) { addDeal(f, d); });
            else if (entity == "activity") addTouched(b, a, snap, activities, id, simple("activity"));
            else if (entity == "member") addTouched(b, a, snap, members, id, simple("member"));
            else if (entity == "pipeline") addTouched(b, a, snap, pipelines, id, simple("pipeline"));
            else if (entity == "settings") {
                static const json kNull;
                const json& before = snap.contains("record") ? snap["record"] : kNull;
                Settings st;
                std::string error;
                if (before.is_object() && decodeRecord(before, st, error, "")) b["settings"] = settingsFields(st);
                a["settings"] = settingsFields(after.settings);
            }
        }
    }
    // removeChanges are the entries the command added, addChanges the ones it took out.
    for (const auto& [name, side] : {std::pair<const char*, Flat*>{"removeChanges", &a}, {"addChanges", &b}}) {
        auto list = inverse.find(name);
        if (list == inverse.end() || !list->is_array()) continue;
        for (const json& e : *list) {
            Change c;
            std::string error;
            if (decodeRecord(e, c, error, "")) (*side)[changeKey(c)] = changeFields(c);
        }
    }
    return stampFlat(state, clock, b, a, now, &keys);
}

namespace {
json encodeRecordStamps(const RecordStamps& rs) {
    SyncState one;
    one.records["k"] = rs;
    json e = encodeSyncState(one)["records"];
    return e.contains("k") ? e["k"] : json::object();
}

json encodeConflicts(const std::vector<Conflict>& list) {
    SyncState one;
    one.conflicts = list;
    return encodeSyncState(one)["conflicts"];
}

// Conflicts grouped by key (the log is in canonical order, so each group is contiguous).
std::map<std::string, std::vector<Conflict>> conflictsByKey(const std::vector<Conflict>& log) {
    std::map<std::string, std::vector<Conflict>> out;
    for (const Conflict& c : log) out[c.key].push_back(c);
    return out;
}
}  // namespace

json statePatch(const SyncState& state, const std::vector<std::string>& keys, const std::vector<std::string>& replicas) {
    json p = json::object();
    json records = json::object(), gone = json::object(), conflicts = json::object(), reps = json::object();
    for (const std::string& key : keys) {
        auto r = state.records.find(key);
        records[key] = r == state.records.end() ? json() : encodeRecordStamps(r->second);
        auto g = state.gone.find(key);
        gone[key] = g == state.gone.end() ? json() : sortedFields(g->second);
        auto [lo, hi] = logged(state.conflicts, key);
        conflicts[key] = encodeConflicts(std::vector<Conflict>(lo, hi));
    }
    for (const std::string& id : replicas)
        if (auto it = state.replicas.find(id); it != state.replicas.end()) reps[id] = it->second;
    if (!records.empty()) p["records"] = std::move(records);
    if (!gone.empty()) p["gone"] = std::move(gone);
    if (!conflicts.empty()) p["conflicts"] = std::move(conflicts);
    if (!reps.empty()) p["replicas"] = std::move(reps);
    return p;
}

json diffState(const SyncState& from, const SyncState& to) {
    json p = json::object();
    json records = json::object(), gone = json::object(), conflicts = json::object(), reps = json::object();
    for (const auto& [key, rs] : to.records) {
        auto it = from.records.find(key);
        if (it == from.records.end() || !(it->second == rs)) records[key] = encodeRecordStamps(rs);
    }
    for (const auto& [key, rs] : from.records)
        if (!to.records.count(key)) records[key] = json();
    for (const auto& [key, fields] : to.gone) {
        auto it = from.gone.find(key);
        if (it == from.gone.end() || !sameFields(it->second, fields)) gone[key] = sortedFields(fields);
    }
    for (const auto& [key, fields] : from.gone)
        if (!to.gone.count(key)) gone[key] = json();
    if (from.conflicts != to.conflicts) {
        auto a = conflictsByKey(from.conflicts), b = conflictsByKey(to.conflicts);
        for (const auto& [key, list] : b) {
            auto it = a.find(key);
            if (it == a.end() || it->second != list) conflicts[key] = encodeConflicts(list);
        }
        for (const auto& [key, list] : a)
            if (!b.count(key)) conflicts[key] = json::array();
    }
    for (const auto& [id, stamp] : to.replicas) {
        auto it = from.replicas.find(id);
        if (it == from.replicas.end() || it->second != stamp) reps[id] = stamp;
    }
    if (from.goneSince != to.goneSince) {
        json since = json::object();
        for (const auto& [key, mark] : to.goneSince) {
            auto it = from.goneSince.find(key);
            if (it == from.goneSince.end() || it->second != mark) since[key] = encodeGoneMark(mark);
        }
        for (const auto& [key, t] : from.goneSince)
            if (!to.goneSince.count(key)) since[key] = json();
        p["goneSince"] = std::move(since);
    }
    if (!records.empty()) p["records"] = std::move(records);
    if (!gone.empty()) p["gone"] = std::move(gone);
    if (!conflicts.empty()) p["conflicts"] = std::move(conflicts);
    if (!reps.empty()) p["replicas"] = std::move(reps);
    return p;
}

bool applyStatePatch(SyncState& state, const json& patch, std::string& error) {
    if (!patch.is_object()) {
        error = "sync patch: expected an object";
        return false;
    }
    // Validate the new parts with the state decoder, then splice them in.
    json parts = json::object();
    json records = json::object(), gone = json::object(), log = json::array();
    std::vector<std::string> dropRecords, dropGone, replaceLogs;
    auto member = [&](const char* name) -> const json* {
        auto it = patch.find(name);
        if (it == patch.end()) return nullptr;
        return &*it;
    };
    if (const json* r = member("records")) {
        if (!r->is_object()) return error = "sync patch: records: expected an object", false;
        for (auto it = r->begin(); it != r->end(); ++it)
            if (it.value().is_null()) dropRecords.push_back(it.key());
            else records[it.key()] = it.value();
    }
    if (const json* g = member("gone")) {
        if (!g->is_object()) return error = "sync patch: gone: expected an object", false;
        for (auto it = g->begin(); it != g->end(); ++it)
            if (it.value().is_null()) dropGone.push_back(it.key());
            else gone[it.key()] = it.value();
    }
    if (const json* c = member("conflicts")) {
        if (!c->is_object()) return error = "sync patch: conflicts: expected an object", false;
        for (auto it = c->begin(); it != c->end(); ++it) {
            if (!it.value().is_array()) return error = "sync patch: conflicts." + it.key() + ": expected an array", false;
            replaceLogs.push_back(it.key());
            for (const json& e : it.value()) {
                if (!e.is_object() || e.value("key", std::string()) != it.key())
                    return error = "sync patch: conflicts." + it.key() + ": entry of another key", false;
                log.push_back(e);
            }
        }
    }
    parts["records"] = std::move(records);
    parts["gone"] = std::move(gone);
    parts["conflicts"] = std::move(log);
    if (const json* r = member("replicas")) parts["replicas"] = *r;
    SyncState add;
    if (!decodeSyncState(parts, add, error)) return false;
    std::map<std::string, GoneMark> since;
    std::vector<std::string> dropSince;
    if (const json* g = member("goneSince")) {
        if (!g->is_object()) return error = "sync patch: goneSince: expected an object", false;
        json set = json::object();
        for (auto it = g->begin(); it != g->end(); ++it)
            if (it.value().is_null()) dropSince.push_back(it.key());
            else set[it.key()] = it.value();
        if (!decodeGoneSince(set, since, error)) return error = "sync patch: " + error, false;
    }
    for (const std::string& k : dropSince) state.goneSince.erase(k);
    for (const auto& [k, t] : since) state.goneSince[k] = t;
    for (const std::string& k : dropRecords) state.records.erase(k);
    for (auto& [k, rs] : add.records) state.records[k] = std::move(rs);
    for (const std::string& k : dropGone) state.gone.erase(k);
    for (auto& [k, f] : add.gone) state.gone[k] = std::move(f);
    if (!replaceLogs.empty()) {
        const std::set<std::string> keys(replaceLogs.begin(), replaceLogs.end());
        state.conflicts.erase(std::remove_if(state.conflicts.begin(), state.conflicts.end(),
                                             [&](const Conflict& c) { return keys.count(c.key) > 0; }),
                              state.conflicts.end());
        for (Conflict& c : add.conflicts) state.conflicts.push_back(std::move(c));
        canonicalise(state.conflicts);
    }
    for (auto& [id, stamp] : add.replicas) state.replicas[id] = std::move(stamp);
    return true;
}

namespace {
template <class T>
void diffRecords(const char* name, const std::vector<T>& from, const std::vector<T>& to, json& upsert, json& remove) {
    std::unordered_map<std::string, const T*> index;
    index.reserve(from.size());
    for (const T& r : from) index.emplace(r.id, &r);
    json up = json::array(), rm = json::array();
    for (const T& r : to) {
        auto it = index.find(r.id);
        if (it == index.end() || !(*it->second == r)) up.push_back(encodeRecord(r));
        if (it != index.end()) index.erase(it);
    }
    // What is left is gone; listed in `from` order so the patch does not depend on hashing.
    for (const T& r : from)
        if (index.count(r.id)) rm.push_back(r.id);
    if (!up.empty()) upsert[name] = std::move(up);
    if (!rm.empty()) remove[name] = std::move(rm);
}

// The records a patch puts into one list, decoded (so that a bad entry changes nothing), and
// the ids it takes out.
template <class T>
struct ListPatch {
    std::vector<T> upsert;
    std::unordered_set<std::string> remove;
    bool any = false;
};

template <class T>
bool decodeListPatch(const char* name, const json& patch, ListPatch<T>& out, std::string& error) {
    const json* up = nullptr;
    const json* rm = nullptr;
    if (auto u = patch.find("upsert"); u != patch.end() && u->is_object())
        if (auto it = u->find(name); it != u->end()) up = &*it;
    if (auto r = patch.find("remove"); r != patch.end() && r->is_object())
        if (auto it = r->find(name); it != r->end()) rm = &*it;
    if ((up && !up->is_array()) || (rm && !rm->is_array())) {
        error = std::string("sync.merge: ") + name + ": expected an array";
        return false;
    }
    out.any = up || rm;
    if (up) {
        out.upsert.reserve(up->size());
        for (std::size_t i = 0; i < up->size(); ++i) {
            T r;
            if (!decodeRecord((*up)[i], r, error, std::string("sync.merge.") + name + "[" + std::to_string(i) + "]")) return false;
            out.upsert.push_back(std::move(r));
        }
    }
    if (rm)
        for (const json& id : *rm)
            if (id.is_string()) out.remove.insert(id.get<std::string>());
    return true;
}

template <class T>
void applyListPatch(std::vector<T>& list, ListPatch<T>& p) {
    if (!p.any) return;
    std::unordered_map<std::string, std::size_t> index;
    index.reserve(list.size());
    for (std::size_t i = 0; i < list.size(); ++i) index.emplace(list[i].id, i);
    for (T& r : p.upsert) {
        auto it = index.find(r.id);
        if (it != index.end()) {
            list[it->second] = std::move(r);
        } else {
            index.emplace(r.id, list.size());
            list.push_back(std::move(r));
        }
    }
    if (!p.remove.empty())
        list.erase(std::remove_if(list.begin(), list.end(), [&](const T& r) { return p.remove.count(r.id) > 0; }), list.end());
}
}  // namespace

json diffDocument(const Document& from, const Document& to) {
    json p = json::object();
    json upsert = json::object(), remove = json::object();
    diffRecords("pipelines", from.pipelines, to.pipelines, upsert, remove);
    diffRecords("members", from.members, to.members, upsert, remove);
    diffRecords("customers", from.customers, to.customers, upsert, remove);
    diffRecords("contacts", from.contacts, to.contacts, upsert, remove);
    diffRecords("deals", from.deals, to.deals, upsert, remove);
    diffRecords("activities", from.activities, to.activities, upsert, remove);
    if (!upsert.empty()) p["upsert"] = std::move(upsert);
    if (!remove.empty()) p["remove"] = std::move(remove);
    if (!(from.settings == to.settings)) p["settings"] = encodeRecord(to.settings, true);
    if (from.extra != to.extra) p["extra"] = to.extra;
    if (from.changes != to.changes) {
        std::unordered_map<std::string, int> have;
        for (const Change& c : from.changes) ++have[changeKey(c)];
        json add = json::array(), rm = json::array();
        for (const Change& c : to.changes) {
            auto it = have.find(changeKey(c));
            if (it != have.end() && it->second > 0) --it->second;
            else add.push_back(encodeRecord(c));
        }
        for (const Change& c : from.changes) {
            auto it = have.find(changeKey(c));
            if (it != have.end() && it->second > 0) {
                --it->second;
                rm.push_back(encodeRecord(c));
            }
        }
        if (!add.empty()) p["addChanges"] = std::move(add);
        if (!rm.empty()) p["removeChanges"] = std::move(rm);
    }
    return p;
}

bool applyDocumentPatch(Document& doc, const json& patch, std::string& error) {
    if (!patch.is_object()) {
        error = "sync.merge: expected an object";
        return false;
    }
    // Decode everything first so a bad entry changes nothing.
    std::optional<Settings> settings;
    if (auto s = patch.find("settings"); s != patch.end()) {
        Settings st;
        if (!decodeRecord(*s, st, error, "sync.merge.settings")) return false;
        settings = std::move(st);
    }
    std::vector<Change> add, remove;
    for (const auto& [name, out] : {std::pair<const char*, std::vector<Change>*>{"addChanges", &add}, {"removeChanges", &remove}}) {
        auto list = patch.find(name);
        if (list == patch.end()) continue;
        if (!list->is_array()) return error = std::string("sync.merge.") + name + ": expected an array", false;
        for (std::size_t i = 0; i < list->size(); ++i) {
            Change c;
            if (!decodeRecord((*list)[i], c, error, std::string("sync.merge.") + name + "[" + std::to_string(i) + "]")) return false;
            out->push_back(std::move(c));
        }
    }
    ListPatch<Pipeline> pipelines;
    ListPatch<Member> members;
    ListPatch<Customer> customers;
    ListPatch<Contact> contacts;
    ListPatch<Deal> deals;
    ListPatch<Activity> activities;
    if (!decodeListPatch("pipelines", patch, pipelines, error) || !decodeListPatch("members", patch, members, error) ||
        !decodeListPatch("customers", patch, customers, error) || !decodeListPatch("contacts", patch, contacts, error) ||
        !decodeListPatch("deals", patch, deals, error) || !decodeListPatch("activities", patch, activities, error))
        return false;
    applyListPatch(doc.pipelines, pipelines);
    applyListPatch(doc.members, members);
    applyListPatch(doc.customers, customers);
    applyListPatch(doc.contacts, contacts);
    applyListPatch(doc.deals, deals);
    applyListPatch(doc.activities, activities);
    if (settings) doc.settings = std::move(*settings);
    if (auto e = patch.find("extra"); e != patch.end()) doc.extra = *e;
    for (const Change& c : remove)
        for (auto it = doc.changes.begin(); it != doc.changes.end(); ++it)
            if (*it == c) {
                doc.changes.erase(it);
                break;
            }
    for (Change& c : add) doc.changes.push_back(std::move(c));
    return true;
}

}  // namespace funnel
