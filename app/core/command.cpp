// Funnel — applyCommand(): every op of command.h, validated before anything changes, and the
// undo History.
//
// Undo is data: before an op changes a record it snapshots it (touch()), and the inverse of
// every command is one `snapshot.restore` putting those snapshots back and removing the change
// entries the command added. Undo after do is therefore exactly the document before, whatever
// the op; tests check that for every op.
//
// Index:
//   [SECTION] The application of one command (Apply)
//   [SECTION] Validation shared by create and set
//   [SECTION] Generic create / set / delete
//   [SECTION] Deals
//   [SECTION] Activities
//   [SECTION] Pipelines, stages, members, settings, document
//   [SECTION] Dispatch
//   [SECTION] History
#include "core/command.h"

#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "core/codec.h"

namespace funnel {

// [SECTION] The application of one command (Apply)

namespace {

std::string shortText(const json& v) {
    std::string s = v.is_string() ? v.get<std::string>() : dumpJson(v);
    if (s.size() > 60) {
        std::size_t cut = 57;
        while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;  // UTF-8 boundary
        s = s.substr(0, cut) + "…";
    }
    return s;
}

std::string trimmed(const std::string& s) {
    const auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) return "";
    const auto e = s.find_last_not_of(" \t\r\n");
    return s.substr(b, e - b + 1);
}

template <class T>
std::vector<T>& listOf(Document& doc);
template <> std::vector<Customer>& listOf(Document& d) { return d.customers; }
template <> std::vector<Contact>& listOf(Document& d) { return d.contacts; }
template <> std::vector<Deal>& listOf(Document& d) { return d.deals; }
template <> std::vector<Activity>& listOf(Document& d) { return d.activities; }
template <> std::vector<Member>& listOf(Document& d) { return d.members; }
template <> std::vector<Pipeline>& listOf(Document& d) { return d.pipelines; }

template <class T>
long indexOf(const std::vector<T>& list, const Id& id) {
    if (id.empty()) return -1;
    for (std::size_t i = 0; i < list.size(); ++i)
        if (list[i].id == id) return long(i);
    return -1;
}

class Apply {
public:
    Apply(Document& d, const json& c) : doc(d), cmd(c), applied(c) {}

    Document& doc;
    const json& cmd;
    json applied;
    Time at = 0;
    Id by;
    CommandResult res;
    std::string op;

    bool fail(const std::string& msg) {
        res.error = msg;
        return false;
    }

    // [Arguments]
    const json* arg(const char* key) const {
        auto it = cmd.find(key);
        return it == cmd.end() ? nullptr : &*it;
    }
    bool needString(const char* key, std::string& out, bool allowEmpty = false) {
        const json* v = arg(key);
        if (!v) return fail(op + ": " + key + ": missing");
        if (!v->is_string()) return fail(op + ": " + key + ": expected a string");
        out = v->get<std::string>();
        if (!allowEmpty && trimmed(out).empty()) return fail(op + ": " + key + ": must not be empty");
        return true;
    }
    bool optString(const char* key, std::string& out) {
        const json* v = arg(key);
        if (!v) return true;
        if (!v->is_string()) return fail(op + ": " + key + ": expected a string");
        out = v->get<std::string>();
        return true;
    }
    bool optIndex(const char* key, std::optional<long>& out) {
        const json* v = arg(key);
        if (!v || v->is_null()) return true;
        if (!v->is_number_integer() || v->get<std::int64_t>() < 0 || v->get<std::int64_t>() > 100'000'000)
            return fail(op + ": " + key + ": expected an integer ≥ 0");
        out = long(v->get<std::int64_t>());
        return true;
    }
    // An id for a new record: the command's, else a fresh one written into `applied`.
    bool newRecordId(Id& out, const char* key = "id") {
        const json* v = arg(key);
        if (v) {
            if (!v->is_string() || v->get<std::string>().empty() || v->get<std::string>().size() > 64)
                return fail(op + ": " + key + ": expected a non-empty id string");
            out = v->get<std::string>();
        } else {
            out = newId();
            applied[key] = out;
        }
        return true;
    }

    // [Snapshots] Records are snapshotted once, before their first change in this command.
    void touch(const std::string& entity, const Id& id) {
        const std::string key = entity + '\n' + id;
        if (!touched_.insert(key).second) return;
        json snap = json::object();
        snap["entity"] = entity;
        snap["id"] = id;
        long index = -1;
        json record = nullptr;
        if (present_ && entity != "settings" && !(*present_)[entity].count(id)) record = nullptr;
        else if (entity == "customer") record = snapshotOf(doc.customers, id, index);
        else if (entity == "contact") record = snapshotOf(doc.contacts, id, index);
        else if (entity == "deal") record = snapshotOf(doc.deals, id, index);
        else if (entity == "activity") record = snapshotOf(doc.activities, id, index);
        else if (entity == "member") record = snapshotOf(doc.members, id, index);
        else if (entity == "pipeline") record = snapshotOf(doc.pipelines, id, index);
        else if (entity == "settings") record = encodeRecord(doc.settings);
        snap["index"] = index;
        snap["record"] = std::move(record);
        snapshots_.push_back(std::move(snap));
    }

    void addChange(const std::string& entity, const Id& id, const std::string& what) {
        Change c;
        c.at = at;
        c.by = by;
        c.entity = entity;
        c.id = id;
        c.what = what;
        changesAdded_.push_back(encodeRecord(c));
        doc.changes.push_back(std::move(c));
    }

    // The inverse: put the snapshots back, take the added change entries out (and put back the
    // ones a restore took out).
    json inverse(const json& changesRemoved) const {
        json inv = json::object();
        inv["op"] = "snapshot.restore";
        inv["records"] = snapshots_;
        inv["removeChanges"] = changesAdded_;
        inv["addChanges"] = changesRemoved;
        return inv;
    }

    std::vector<json> snapshots_;
    std::vector<json> changesAdded_;
    // While snapshot.restore puts many records back (an import, its undo): the ids each list
    // holds, kept up to date, so that a record not there is not looked for in the whole list.
    std::unordered_map<std::string, std::unordered_set<Id>>* present_ = nullptr;

private:
    std::set<std::string> touched_;

    template <class T>
    json snapshotOf(const std::vector<T>& list, const Id& id, long& index) {
        index = indexOf(list, id);
        return index < 0 ? json(nullptr) : encodeRecord(list[std::size_t(index)]);
    }
};

// [SECTION] Validation shared by create and set

bool checkMember(Apply& a, const Id& id, const char* field) {
    if (!id.empty() && !a.doc.findMember(id)) return a.fail(std::string(field) + ": member " + id + ": unknown id");
    return true;
}

bool validate(Apply& a, const Customer& c, const Customer* before) {
    (void)before;
    if (trimmed(c.name).empty()) return a.fail("name: must not be empty");
    if (!c.referredBy.empty()) {
        if (c.referredBy == c.id) return a.fail("referredBy: a customer cannot refer itself");
        if (!a.doc.findCustomer(c.referredBy)) return a.fail("referredBy: customer " + c.referredBy + ": unknown id");
    }
    return checkMember(a, c.owner, "owner");
}

bool validate(Apply& a, const Contact& c, const Contact* before) {
    (void)before;
    if (trimmed(c.name).empty()) return a.fail("name: must not be empty");
    if (!a.doc.findCustomer(c.customerId)) return a.fail("customerId: customer " + c.customerId + ": unknown id");
    return true;
}

bool validate(Apply& a, const Deal& d, const Deal* before) {
    if (trimmed(d.title).empty()) return a.fail("title: must not be empty");
    // A deal may start without a customer (quick add on the board); a named one must exist.
    if (!d.customerId.empty() && !a.doc.findCustomer(d.customerId))
        return a.fail("customerId: customer " + d.customerId + ": unknown id");
    if (!checkMember(a, d.owner, "owner")) return false;
    if (!before || before->contactIds != d.contactIds)
        for (const Id& c : d.contactIds)
            if (!a.doc.findContact(c)) return a.fail("contactIds: contact " + c + ": unknown id");
    return true;
}

bool validate(Apply& a, const Activity& x, const Activity* before) {
    (void)before;
    if (x.dealId.empty() && x.customerId.empty()) return a.fail("activity: needs a dealId or a customerId");
    if (!x.dealId.empty() && !a.doc.findDeal(x.dealId)) return a.fail("dealId: deal " + x.dealId + ": unknown id");
    if (!x.customerId.empty() && !a.doc.findCustomer(x.customerId))
        return a.fail("customerId: customer " + x.customerId + ": unknown id");
    if (!before || before->contactIds != x.contactIds)
        for (const Id& c : x.contactIds)
            if (!a.doc.findContact(c)) return a.fail("contactIds: contact " + c + ": unknown id");
    return checkMember(a, x.owner, "owner");
}

bool validate(Apply& a, const Member& m, const Member* before) {
    (void)before;
    if (trimmed(m.name).empty()) return a.fail("name: must not be empty");
    return true;
}

bool validate(Apply& a, const Pipeline& p, const Pipeline* before) {
    (void)before;
    if (p.name.get("en").empty()) return a.fail("name: must not be empty");
    std::set<Id> ids;
    for (const Stage& s : p.stages)
        if (!ids.insert(s.id).second) return a.fail("stages: duplicate stage id " + s.id);
    return true;
}

bool validateStage(Apply& a, const Stage& s) {
    if (s.name.get("en").empty()) return a.fail("name: must not be empty");
    return true;
}

// Initials for cards: first letters of the first two words, or the first character (a whole
// UTF-8 sequence) for names without spaces, as CJK names are usually written.
std::string initialsOf(const std::string& name) {
    auto firstChar = [](const std::string& s, std::size_t pos) {
        std::size_t n = 1;
        const unsigned char c = static_cast<unsigned char>(s[pos]);
        if (c >= 0xF0) n = 4;
        else if (c >= 0xE0) n = 3;
        else if (c >= 0xC0) n = 2;
        return s.substr(pos, n);
    };
    const std::string t = trimmed(name);
    if (t.empty()) return "";
    std::string out = firstChar(t, 0);
    const auto space = t.find(' ');
    if (space != std::string::npos && space + 1 < t.size()) out += firstChar(t, space + 1);
    for (char& c : out)
        if (c >= 'a' && c <= 'z') c = char(c - 'a' + 'A');
    return out;
}

// [SECTION] Generic create / set / delete

const std::set<std::string> kCommandKeys = {"op", "at", "by"};

// Builds a record from the command's own fields, e.g. {"op":"customer.create","name":"…"}.
template <class T>
bool recordFromCommand(Apply& a, const char* entity, T& out) {
    Id id;
    if (!a.newRecordId(id)) return false;
    json rec = json::object();
    for (auto it = a.cmd.begin(); it != a.cmd.end(); ++it)
        if (!kCommandKeys.count(it.key())) rec[it.key()] = it.value();
    rec["id"] = id;
    std::string error;
    if (!decodeRecord(rec, out, error, "")) return a.fail(error);
    if (!out.extra.empty()) return a.fail(a.op + ": unknown field \"" + out.extra.begin().key() + "\"");
    if (indexOf(listOf<T>(a.doc), id) >= 0) return a.fail(std::string(entity) + " " + id + ": id already exists");
    return true;
}

template <class T>
void insertRecord(Apply& a, const char* entity, T record) {
    a.touch(entity, record.id);
    a.res.result = json{{"id", record.id}};
    listOf<T>(a.doc).push_back(std::move(record));
}

template <class T>
T* findRecord(Apply& a, const char* entity, const char* key = "id") {
    Id id;
    if (!a.needString(key, id)) return nullptr;
    const long i = indexOf(listOf<T>(a.doc), id);
    if (i < 0) {
        a.fail(std::string(entity) + " " + id + ": unknown id");
        return nullptr;
    }
    return &listOf<T>(a.doc)[std::size_t(i)];
}

// One path for every field: the record's full JSON form with the field replaced, decoded and
// validated like a record read from a file.
// A plain string is accepted for a LocalText field (name) and stored as its "en" text.
json normalizedValue(Apply& a, const json& j, const std::string& field, const json& value) {
    if (!value.is_string() || !j[field].is_object() || field != "name") return value;
    json text = json{{"en", value}};
    a.applied["value"] = text;
    return text;
}

// How a new field value reads in the change history; a name reads as its English text so the
// entry is the same whether the command carried a string or the normalized object.
std::string describeValue(const std::string& field, const json& value) {
    if (field == "name" && value.is_object() && value.contains("en")) return shortText(value["en"]);
    return shortText(value);
}

template <class T>
bool setField(Apply& a, const char* entity, const std::set<std::string>& readOnly,
              const std::function<void(T&)>& after = {}) {
    T* rec = findRecord<T>(a, entity);
    if (!rec) return false;
    std::string field;
    if (!a.needString("field", field)) return false;
    const json* value = a.arg("value");
    if (!value) return a.fail(a.op + ": value: missing");
    json j = encodeRecord(*rec, true);
    // A dotted path ("key.budget") sets one field of a nested object and keeps its others,
    // including those a newer Funnel wrote (kept in the nested record's `extra`).
    const std::string top = field.substr(0, field.find('.'));
    if (top == "id" || readOnly.count(top) || j.find(top) == j.end())
        return a.fail(a.op + ": field \"" + field + "\" cannot be set (unknown or changed by its own command)");
    json* slot = &j[top];
    for (std::size_t at = top.size(); at < field.size();) {
        const std::size_t end = std::min(field.find('.', at + 1), field.size());
        const std::string part = field.substr(at + 1, end - at - 1);
        if (!slot->is_object() || part.empty() || slot->find(part) == slot->end())
            return a.fail(a.op + ": field \"" + field + "\": unknown");
        slot = &(*slot)[part];
        at = end;
    }
    *slot = top == field ? normalizedValue(a, j, field, *value) : *value;
    const std::string shown = describeValue(field, *slot);
    T updated;
    std::string error;
    if (!decodeRecord(j, updated, error, "")) return a.fail(error);
    if (!validate(a, updated, rec)) return false;
    a.touch(entity, rec->id);
    if (after) after(updated);
    *rec = std::move(updated);
    a.res.description = "set " + field + " to " + shown;
    a.addChange(entity, rec->id, a.res.description);
    return true;
}

template <class T>
bool setDeleted(Apply& a, const char* entity, bool deleted) {
    T* rec = findRecord<T>(a, entity);
    if (!rec) return false;
    if (rec->deleted == deleted)
        return a.fail(std::string(entity) + " " + rec->id + (deleted ? ": already deleted" : ": not deleted"));
    a.touch(entity, rec->id);
    rec->deleted = deleted;
    if constexpr (std::is_same_v<T, Deal>) rec->updatedAt = a.at;
    a.res.description = deleted ? "deleted" : "restored";
    a.addChange(entity, rec->id, a.res.description);
    return true;
}

// [SECTION] Deals

const Stage* wonStageOf(const Pipeline& p) {
    if (p.stages.empty() || p.stages.back().probability != 100) return nullptr;
    return &p.stages.back();
}

// Puts `deal` at `index` among the other live deals of its column, giving it an `order`
// between its neighbours; the column is renumbered only when there is no room between them.
void placeInColumn(Apply& a, Deal& deal, std::optional<long> index) {
    std::vector<Deal*> column;
    for (Deal& d : a.doc.deals)
        if (&d != &deal && !d.deleted && d.pipelineId == deal.pipelineId && d.stageId == deal.stageId)
            column.push_back(&d);
    std::sort(column.begin(), column.end(), [](const Deal* x, const Deal* y) {
        return x->order != y->order ? x->order < y->order : x->id < y->id;
    });
    const long n = long(column.size());
    const long at = std::clamp<long>(index.value_or(n), 0, n);
    constexpr std::int64_t kGap = 1024;
    const std::int64_t prev = at > 0 ? column[at - 1]->order : (n > 0 ? std::int64_t(column[0]->order) - 2 * kGap : 0);
    const std::int64_t next = at < n ? column[at]->order : prev + 2 * kGap;
    const std::int64_t mid = prev + (next - prev) / 2;
    if (next - prev >= 2 && mid > INT32_MIN / 2 && mid < INT32_MAX / 2) {
        deal.order = int(mid);
        return;
    }
    column.insert(column.begin() + at, &deal);
    for (std::size_t i = 0; i < column.size(); ++i) {
        a.touch("deal", column[i]->id);
        column[i]->order = int((std::int64_t(i) + 1) * kGap);
    }
}

void enterStage(Apply& a, Deal& deal, const Stage& stage) {
    deal.stageId = stage.id;
    deal.stageHistory.push_back(StageEntry{stage.id, a.at});
    deal.checklist.clear();  // the checklist belongs to the stage the deal is in
}

bool dealCreate(Apply& a) {
    Deal d;
    if (!recordFromCommand(a, "deal", d)) return false;
    if (d.pipelineId.empty()) {
        d.pipelineId = a.doc.settings.defaultPipeline;
        if (!a.doc.findPipeline(d.pipelineId) && !a.doc.pipelines.empty()) d.pipelineId = a.doc.pipelines.front().id;
        a.applied["pipelineId"] = d.pipelineId;
    }
    const Pipeline* p = a.doc.findPipeline(d.pipelineId);
    if (!p) return a.fail("pipelineId: pipeline " + d.pipelineId + ": unknown id");
    if (p->stages.empty()) return a.fail("pipelineId: pipeline " + d.pipelineId + " has no stages");
    if (d.stageId.empty()) {
        d.stageId = p->stages.front().id;
        a.applied["stageId"] = d.stageId;
    }
    const Stage* s = p->findStage(d.stageId);
    if (!s) return a.fail("stageId: stage " + d.stageId + " is not in pipeline " + d.pipelineId);
    if (d.owner.empty() && !a.cmd.contains("owner") && a.doc.findMember(a.by)) d.owner = a.by;
    if (d.status != DealStatus::Open || !d.stageHistory.empty() || d.closedAt || d.deleted)
        return a.fail("deal.create: status, history and deletion are set by their own commands");
    if (!validate(a, d, nullptr)) return false;
    d.createdAt = d.createdAt ? d.createdAt : a.at;
    d.updatedAt = a.at;
    d.stageHistory.push_back(StageEntry{d.stageId, a.at});
    if (!a.cmd.contains("order")) placeInColumn(a, d, std::nullopt);
    if (s == wonStageOf(*p)) {
        d.status = DealStatus::Won;
        d.closedAt = a.at;
    }
    a.res.description = "created deal " + shortText(d.title);
    const Id id = d.id;
    insertRecord(a, "deal", std::move(d));
    a.addChange("deal", id, a.res.description);
    return true;
}

bool dealSet(Apply& a) {
    static const std::set<std::string> readOnly = {"pipelineId", "stageId", "status",    "stageHistory",
                                                   "closedAt",   "deleted", "createdAt", "updatedAt",
                                                   "objections", "order",   "lastActivityAt"};
    const Time at = a.at;
    return setField<Deal>(a, "deal", readOnly, [at](Deal& d) { d.updatedAt = at; });
}

bool dealMove(Apply& a) {
    Deal* d = findRecord<Deal>(a, "deal");
    if (!d) return false;
    Id stageId;
    if (!a.needString("stageId", stageId)) return false;
    std::optional<long> index;
    if (!a.optIndex("index", index)) return false;
    if (d->deleted) return a.fail("deal " + d->id + ": deleted");
    const Pipeline* p = a.doc.findPipeline(d->pipelineId);
    const Stage* s = p ? p->findStage(stageId) : nullptr;
    if (!s) {
        for (const Pipeline& other : a.doc.pipelines)
            if (other.findStage(stageId))
                return a.fail("stageId: stage " + stageId + " belongs to another pipeline (" + other.id + ")");
        return a.fail("stageId: stage " + stageId + ": unknown id");
    }
    a.touch("deal", d->id);
    const bool changesStage = d->stageId != stageId;
    if (changesStage) {
        enterStage(a, *d, *s);
        if (s == wonStageOf(*p) && d->status != DealStatus::Won) {
            d->status = DealStatus::Won;
            d->closedAt = a.at;
            d->suspendedUntil = kNoDate;
        } else if (s != wonStageOf(*p) && d->status == DealStatus::Won) {
            d->status = DealStatus::Open;
            d->closedAt = 0;
        }
    }
    placeInColumn(a, *d, index);
    d->updatedAt = a.at;
    a.res.description = changesStage ? "moved to " + s->name.get("en") : "reordered in " + s->name.get("en");
    a.addChange("deal", d->id, a.res.description);
    return true;
}

bool dealReorder(Apply& a) {
    Deal* d = findRecord<Deal>(a, "deal");
    if (!d) return false;
    std::optional<long> index;
    if (!a.optIndex("index", index)) return false;
    if (!index) return a.fail("deal.reorder: index: missing");
    if (d->deleted) return a.fail("deal " + d->id + ": deleted");
    a.touch("deal", d->id);
    placeInColumn(a, *d, index);
    d->updatedAt = a.at;
    a.res.description = "reordered";
    a.addChange("deal", d->id, a.res.description);
    return true;
}

bool dealWin(Apply& a) {
    Deal* d = findRecord<Deal>(a, "deal");
    if (!d) return false;
    if (d->status == DealStatus::Won) return a.fail("deal " + d->id + ": already won");
    if (d->deleted) return a.fail("deal " + d->id + ": deleted");
    a.touch("deal", d->id);
    if (const Pipeline* p = a.doc.findPipeline(d->pipelineId))
        if (const Stage* won = wonStageOf(*p); won && d->stageId != won->id) {
            enterStage(a, *d, *won);
            placeInColumn(a, *d, std::nullopt);
        }
    d->status = DealStatus::Won;
    d->closedAt = a.at;
    d->suspendedUntil = kNoDate;
    d->updatedAt = a.at;
    a.res.description = "won";
    a.addChange("deal", d->id, a.res.description);
    return true;
}

bool dealLose(Apply& a) {
    Deal* d = findRecord<Deal>(a, "deal");
    if (!d) return false;
    std::string reason;
    if (!a.needString("reason", reason)) return false;
    if (d->status == DealStatus::Lost) return a.fail("deal " + d->id + ": already lost");
    if (d->deleted) return a.fail("deal " + d->id + ": deleted");
    a.touch("deal", d->id);
    d->status = DealStatus::Lost;
    d->lostReason = reason;
    d->closedAt = a.at;
    d->suspendedUntil = kNoDate;
    d->updatedAt = a.at;
    a.res.description = "lost: " + shortText(reason);
    a.addChange("deal", d->id, a.res.description);
    return true;
}

bool dealSuspend(Apply& a) {
    Deal* d = findRecord<Deal>(a, "deal");
    if (!d) return false;
    std::string until;
    if (!a.needString("until", until)) return false;
    auto date = parseDate(until);
    if (!date) return a.fail("until: expected a date like 2026-01-31");
    if (d->status == DealStatus::Won || d->status == DealStatus::Lost)
        return a.fail("deal " + d->id + ": closed deals cannot be suspended (reopen first)");
    if (d->deleted) return a.fail("deal " + d->id + ": deleted");
    a.touch("deal", d->id);
    d->status = DealStatus::Suspended;
    d->suspendedUntil = *date;
    d->updatedAt = a.at;
    a.res.description = "suspended until " + until;
    a.addChange("deal", d->id, a.res.description);
    return true;
}

bool dealReopen(Apply& a) {
    Deal* d = findRecord<Deal>(a, "deal");
    if (!d) return false;
    if (d->status == DealStatus::Open) return a.fail("deal " + d->id + ": already open");
    a.touch("deal", d->id);
    // A deal reopened from the Won column goes back to the last stage it was in before.
    if (const Pipeline* p = a.doc.findPipeline(d->pipelineId))
        if (const Stage* won = wonStageOf(*p); won && d->stageId == won->id) {
            const Stage* back = nullptr;
            for (auto it = d->stageHistory.rbegin(); it != d->stageHistory.rend() && !back; ++it)
                if (it->stageId != won->id) back = p->findStage(it->stageId);
            if (!back && p->stages.size() > 1) back = &p->stages[p->stages.size() - 2];
            if (back) {
                enterStage(a, *d, *back);
                placeInColumn(a, *d, std::nullopt);
            }
        }
    d->status = DealStatus::Open;
    d->closedAt = 0;
    d->suspendedUntil = kNoDate;
    d->updatedAt = a.at;
    a.res.description = "reopened";
    a.addChange("deal", d->id, a.res.description);
    return true;
}

bool dealCheck(Apply& a) {
    Deal* d = findRecord<Deal>(a, "deal");
    if (!d) return false;
    std::string item;
    if (!a.needString("item", item)) return false;
    const json* done = a.arg("done");
    if (!done || !done->is_boolean()) return a.fail("deal.check: done: expected true or false");
    a.touch("deal", d->id);
    d->checklist[item] = done->get<bool>();
    d->updatedAt = a.at;
    a.res.description = (done->get<bool>() ? "checked " : "unchecked ") + shortText(item);
    a.addChange("deal", d->id, a.res.description);
    return true;
}

bool objectionAdd(Apply& a) {
    Deal* d = findRecord<Deal>(a, "deal", "dealId");
    if (!d) return false;
    Id id;
    if (!a.newRecordId(id)) return false;
    json rec = json::object();
    rec["id"] = id;
    for (const char* k : {"category", "text", "resolved"})
        if (const json* v = a.arg(k)) rec[k] = *v;
    Objection o;
    std::string error;
    if (!decodeRecord(rec, o, error, "")) return a.fail(error);
    if (trimmed(o.text).empty()) return a.fail("text: must not be empty");
    for (const Objection& existing : d->objections)
        if (existing.id == id) return a.fail("objection " + id + ": id already exists");
    a.touch("deal", d->id);
    d->objections.push_back(o);
    d->updatedAt = a.at;
    a.res.result = json{{"id", id}};
    a.res.description = std::string("objection (") + toString(o.category) + "): " + shortText(o.text);
    a.addChange("deal", d->id, a.res.description);
    return true;
}

Objection* findObjection(Apply& a, Deal& d) {
    Id id;
    if (!a.needString("id", id)) return nullptr;
    for (Objection& o : d.objections)
        if (o.id == id) return &o;
    a.fail("objection " + id + ": unknown id");
    return nullptr;
}

bool objectionSet(Apply& a) {
    Deal* d = findRecord<Deal>(a, "deal", "dealId");
    if (!d) return false;
    Objection* o = findObjection(a, *d);
    if (!o) return false;
    std::string field;
    if (!a.needString("field", field)) return false;
    const json* value = a.arg("value");
    if (!value) return a.fail(a.op + ": value: missing");
    json j = encodeRecord(*o, true);
    if (field == "id" || j.find(field) == j.end()) return a.fail(a.op + ": field \"" + field + "\" cannot be set");
    j[field] = *value;
    Objection updated;
    std::string error;
    if (!decodeRecord(j, updated, error, "")) return a.fail(error);
    if (trimmed(updated.text).empty()) return a.fail("text: must not be empty");
    a.touch("deal", d->id);
    *o = std::move(updated);
    d->updatedAt = a.at;
    a.res.description = "objection " + field + " set to " + shortText(*value);
    a.addChange("deal", d->id, a.res.description);
    return true;
}

bool objectionRemove(Apply& a) {
    Deal* d = findRecord<Deal>(a, "deal", "dealId");
    if (!d) return false;
    Objection* o = findObjection(a, *d);
    if (!o) return false;
    a.touch("deal", d->id);
    a.res.description = "objection removed: " + shortText(o->text);
    d->objections.erase(d->objections.begin() + (o - d->objections.data()));
    d->updatedAt = a.at;
    a.addChange("deal", d->id, a.res.description);
    return true;
}

// [SECTION] Activities

// A done activity is the deal's latest sign of life (rotting is measured from it).
void noteActivity(Apply& a, const Activity& x) {
    if (x.doneAt == 0 || x.deleted || x.dealId.empty()) return;
    Deal* d = a.doc.findDeal(x.dealId);
    if (!d || d->lastActivityAt >= x.doneAt) return;
    a.touch("deal", d->id);
    d->lastActivityAt = x.doneAt;
}

bool activityCreate(Apply& a) {
    Activity x;
    if (!recordFromCommand(a, "activity", x)) return false;
    if (x.customerId.empty() && !x.dealId.empty())
        if (const Deal* d = a.doc.findDeal(x.dealId)) {
            x.customerId = d->customerId;
            a.applied["customerId"] = x.customerId;
        }
    if (x.owner.empty() && !a.cmd.contains("owner") && a.doc.findMember(a.by)) x.owner = a.by;
    if (x.due == 0 && x.doneAt == 0) x.due = a.at;
    if (!validate(a, x, nullptr)) return false;
    a.res.description = std::string(x.doneAt ? "logged " : "planned ") + toString(x.kind) + ": " + shortText(x.subject);
    noteActivity(a, x);
    const Id id = x.id;
    insertRecord(a, "activity", std::move(x));
    a.addChange("activity", id, a.res.description);
    return true;
}

bool activitySet(Apply& a) {
    Apply* ap = &a;
    return setField<Activity>(a, "activity", {"deleted"}, [ap](Activity& x) { noteActivity(*ap, x); });
}

// [SECTION] Customers: delete with their records, merge

// customer.delete / .restore {id, records?}: with `records: true` the customer's deals, contacts
// and activities go (or come back) with it; the result counts them.
bool customerDeleted(Apply& a, bool deleted) {
    const json* withRecords = a.arg("records");
    if (withRecords && !withRecords->is_boolean()) return a.fail(a.op + ": records: expected true or false");
    Customer* c = findRecord<Customer>(a, "customer");
    if (!c) return false;
    if (c->deleted == deleted)
        return a.fail("customer " + c->id + (deleted ? ": already deleted" : ": not deleted"));
    const Id id = c->id;
    a.touch("customer", id);
    c->deleted = deleted;
    int deals = 0, contacts = 0, activities = 0;
    if (withRecords && withRecords->get<bool>()) {
        for (Deal& d : a.doc.deals)
            if (d.customerId == id && d.deleted != deleted) {
                a.touch("deal", d.id);
                d.deleted = deleted;
                d.updatedAt = a.at;
                ++deals;
            }
        for (Contact& ct : a.doc.contacts)
            if (ct.customerId == id && ct.deleted != deleted) {
                a.touch("contact", ct.id);
                ct.deleted = deleted;
                ++contacts;
            }
        for (Activity& x : a.doc.activities)
            if (x.customerId == id && x.deleted != deleted) {
                a.touch("activity", x.id);
                x.deleted = deleted;
                ++activities;
            }
    }
    a.res.result = json{{"deals", deals}, {"contacts", contacts}, {"activities", activities}};
    a.res.description = std::string(deleted ? "deleted" : "restored");
    if (deals + contacts + activities)
        a.res.description += " with " + std::to_string(deals) + " deals, " + std::to_string(contacts) + " contacts, " +
                             std::to_string(activities) + " activities";
    a.addChange("customer", id, a.res.description);
    return true;
}

// customer.merge {id, from}: `from`'s deals, contacts and activities (and the customers it
// referred) move to `id`; `id`'s empty fields take `from`'s values, tags are joined, notes
// appended; `from` is deleted (restorable). One command, so one undo.
bool customerMerge(Apply& a) {
    Customer* into = findRecord<Customer>(a, "customer");
    if (!into) return false;
    Id fromId;
    if (!a.needString("from", fromId)) return false;
    if (fromId == into->id) return a.fail("customer.merge: from: a customer cannot be merged into itself");
    const long fi = indexOf(a.doc.customers, fromId);
    if (fi < 0) return a.fail("customer " + fromId + ": unknown id");
    const Customer& from = a.doc.customers[std::size_t(fi)];
    if (into->deleted) return a.fail("customer " + into->id + ": deleted");
    if (from.deleted) return a.fail("customer " + fromId + ": deleted");
    const Id intoId = into->id;
    a.touch("customer", intoId);
    a.touch("customer", fromId);
    Customer merged = *into;
    auto fill = [](std::string& to, const std::string& v) {
        if (trimmed(to).empty()) to = v;
    };
    fill(merged.industry, from.industry);
    fill(merged.region, from.region);
    fill(merged.address, from.address);
    fill(merged.website, from.website);
    fill(merged.phone, from.phone);
    fill(merged.size, from.size);
    fill(merged.profile.family, from.profile.family);
    fill(merged.profile.hobbies, from.profile.hobbies);
    fill(merged.profile.education, from.profile.education);
    fill(merged.profile.birthday, from.profile.birthday);
    fill(merged.profile.title, from.profile.title);
    fill(merged.profile.achievements, from.profile.achievements);
    if (!trimmed(from.notes).empty() && from.notes != merged.notes)
        merged.notes = trimmed(merged.notes).empty() ? from.notes : merged.notes + "\n" + from.notes;
    for (const std::string& t : from.tags)
        if (std::find(merged.tags.begin(), merged.tags.end(), t) == merged.tags.end()) merged.tags.push_back(t);
    if (merged.owner.empty()) merged.owner = from.owner;
    if (merged.source == LeadSource::Unknown) {
        merged.source = from.source;
        if (merged.referredBy.empty() && from.referredBy != intoId) merged.referredBy = from.referredBy;
    }
    if (merged.referredBy == fromId) merged.referredBy.clear();
    if (merged.createdAt == 0 || (from.createdAt && from.createdAt < merged.createdAt)) merged.createdAt = from.createdAt;
    int deals = 0, contacts = 0, activities = 0;
    for (Deal& d : a.doc.deals)
        if (d.customerId == fromId) {
            a.touch("deal", d.id);
            d.customerId = intoId;
            d.updatedAt = a.at;
            ++deals;
        }
    for (Contact& ct : a.doc.contacts)
        if (ct.customerId == fromId) {
            a.touch("contact", ct.id);
            ct.customerId = intoId;
            ++contacts;
        }
    for (Activity& x : a.doc.activities)
        if (x.customerId == fromId) {
            a.touch("activity", x.id);
            x.customerId = intoId;
            ++activities;
        }
    for (Customer& other : a.doc.customers)
        if (other.referredBy == fromId && other.id != fromId && other.id != intoId) {
            a.touch("customer", other.id);
            other.referredBy = intoId;
        }
    Customer& gone = a.doc.customers[std::size_t(indexOf(a.doc.customers, fromId))];
    const std::string fromName = gone.name;
    gone.deleted = true;
    *a.doc.findCustomer(intoId) = std::move(merged);
    a.res.result = json{{"id", intoId}, {"deals", deals}, {"contacts", contacts}, {"activities", activities}};
    a.res.description = "merged customer " + shortText(fromName) + " into this one";
    a.addChange("customer", fromId, "merged into customer " + intoId);
    a.addChange("customer", intoId, a.res.description);
    return true;
}

bool activityComplete(Apply& a) {
    Activity* x = findRecord<Activity>(a, "activity");
    if (!x) return false;
    std::string outcome = x->outcome;
    if (!a.optString("outcome", outcome)) return false;
    const json* adv = a.arg("advanced");
    if (adv && !adv->is_boolean()) return a.fail("activity.complete: advanced: expected true or false");
    if (x->doneAt) return a.fail("activity " + x->id + ": already done");
    if (x->deleted) return a.fail("activity " + x->id + ": deleted");
    a.touch("activity", x->id);
    x->doneAt = a.at;
    x->outcome = outcome;
    if (adv) x->advanced = adv->get<bool>();
    noteActivity(a, *x);
    a.res.description = std::string("completed ") + toString(x->kind) + ": " + shortText(x->subject);
    a.addChange("activity", x->id, a.res.description);
    return true;
}

// [SECTION] Pipelines, stages, members, settings, document

bool pipelineCreate(Apply& a) {
    Id id;
    if (!a.newRecordId(id)) return false;
    json rec = json::object();
    rec["id"] = id;
    const json* name = a.arg("name");
    if (!name) return a.fail("pipeline.create: name: missing");
    rec["name"] = name->is_string() ? json{{"en", *name}} : *name;
    rec["stages"] = json::array();
    if (const json* stages = a.arg("stages")) {
        if (!stages->is_array()) return a.fail("stages: expected an array");
        for (std::size_t i = 0; i < stages->size(); ++i) {
            json s = (*stages)[i];
            if (!s.is_object()) return a.fail("stages[" + std::to_string(i) + "]: expected an object");
            if (!s.contains("id")) {
                s["id"] = newId();
                a.applied["stages"][i]["id"] = s["id"];
            }
            if (s.contains("name") && s["name"].is_string()) s["name"] = json{{"en", s["name"]}};
            rec["stages"].push_back(std::move(s));
        }
    }
    for (auto it = a.cmd.begin(); it != a.cmd.end(); ++it)
        if (!kCommandKeys.count(it.key()) && it.key() != "id" && it.key() != "name" && it.key() != "stages")
            return a.fail("pipeline.create: unknown field \"" + it.key() + "\"");
    Pipeline p;
    std::string error;
    if (!decodeRecord(rec, p, error, "")) return a.fail(error);
    if (!validate(a, p, nullptr)) return false;
    for (const Stage& s : p.stages)
        if (!validateStage(a, s)) return false;
    if (a.doc.findPipeline(id)) return a.fail("pipeline " + id + ": id already exists");
    a.res.description = "created pipeline " + p.name.get("en");
    insertRecord(a, "pipeline", std::move(p));
    a.addChange("pipeline", id, a.res.description);
    return true;
}

bool pipelineSet(Apply& a) { return setField<Pipeline>(a, "pipeline", {"stages"}); }

long liveDealsIn(const Document& doc, const Id& pipelineId, const Id* stageId) {
    long n = 0;
    for (const Deal& d : doc.deals)
        if (!d.deleted && d.pipelineId == pipelineId && (!stageId || d.stageId == *stageId)) ++n;
    return n;
}

bool pipelineDelete(Apply& a) {
    Pipeline* p = findRecord<Pipeline>(a, "pipeline");
    if (!p) return false;
    if (a.doc.pipelines.size() == 1) return a.fail("pipeline " + p->id + ": the last pipeline cannot be deleted");
    if (const long n = liveDealsIn(a.doc, p->id, nullptr))
        return a.fail("pipeline " + p->id + ": holds " + std::to_string(n) + " deals; move or delete them first");
    const Id id = p->id;
    a.touch("pipeline", id);
    a.res.description = "deleted pipeline " + p->name.get("en");
    a.doc.pipelines.erase(a.doc.pipelines.begin() + indexOf(a.doc.pipelines, id));
    if (a.doc.settings.defaultPipeline == id) {
        a.touch("settings", "");
        a.doc.settings.defaultPipeline = a.doc.pipelines.front().id;
    }
    a.addChange("pipeline", id, a.res.description);
    return true;
}

// The pipeline holding stage `id` (the command may name it with pipelineId).
Pipeline* pipelineOfStage(Apply& a, Id& stageId, Stage*& stage) {
    if (!a.needString("id", stageId)) return nullptr;
    std::string pipelineId;
    if (!a.optString("pipelineId", pipelineId)) return nullptr;
    for (Pipeline& p : a.doc.pipelines) {
        if (!pipelineId.empty() && p.id != pipelineId) continue;
        if (Stage* s = p.findStage(stageId)) {
            stage = s;
            return &p;
        }
    }
    a.fail("stage " + stageId + ": unknown id");
    return nullptr;
}

bool stageCreate(Apply& a) {
    Pipeline* p = findRecord<Pipeline>(a, "pipeline", "pipelineId");
    if (!p) return false;
    Id id;
    if (!a.newRecordId(id)) return false;
    std::optional<long> index;
    if (!a.optIndex("index", index)) return false;
    json rec = json::object();
    rec["id"] = id;
    for (auto it = a.cmd.begin(); it != a.cmd.end(); ++it) {
        const std::string& k = it.key();
        if (kCommandKeys.count(k) || k == "id" || k == "pipelineId" || k == "index") continue;
        rec[k] = (k == "name" && it.value().is_string()) ? json{{"en", it.value()}} : it.value();
    }
    Stage s;
    std::string error;
    if (!decodeRecord(rec, s, error, "")) return a.fail(error);
    if (!s.extra.empty()) return a.fail("stage.create: unknown field \"" + s.extra.begin().key() + "\"");
    if (!validateStage(a, s)) return false;
    for (const Pipeline& other : a.doc.pipelines)
        if (other.findStage(id)) return a.fail("stage " + id + ": id already exists");
    a.touch("pipeline", p->id);
    const long at = std::clamp<long>(index.value_or(long(p->stages.size())), 0, long(p->stages.size()));
    a.res.description = "added stage " + s.name.get("en");
    p->stages.insert(p->stages.begin() + at, std::move(s));
    a.res.result = json{{"id", id}};
    a.addChange("pipeline", p->id, a.res.description);
    return true;
}

bool stageSet(Apply& a) {
    Id stageId;
    Stage* s = nullptr;
    Pipeline* p = pipelineOfStage(a, stageId, s);
    if (!p) return false;
    std::string field;
    if (!a.needString("field", field)) return false;
    const json* value = a.arg("value");
    if (!value) return a.fail("stage.set: value: missing");
    json j = encodeRecord(*s, true);
    if (field == "id" || j.find(field) == j.end()) return a.fail("stage.set: field \"" + field + "\" cannot be set");
    j[field] = normalizedValue(a, j, field, *value);
    Stage updated;
    std::string error;
    if (!decodeRecord(j, updated, error, "")) return a.fail(error);
    if (!validateStage(a, updated)) return false;
    a.touch("pipeline", p->id);
    *s = std::move(updated);
    a.res.description = "stage " + s->name.get("en") + ": set " + field + " to " + describeValue(field, j[field]);
    a.addChange("pipeline", p->id, a.res.description);
    return true;
}

bool stageMove(Apply& a) {
    Id stageId;
    Stage* s = nullptr;
    Pipeline* p = pipelineOfStage(a, stageId, s);
    if (!p) return false;
    std::optional<long> index;
    if (!a.optIndex("index", index)) return false;
    if (!index) return a.fail("stage.move: index: missing");
    a.touch("pipeline", p->id);
    const long from = long(s - p->stages.data());
    Stage moved = std::move(*s);
    p->stages.erase(p->stages.begin() + from);
    const long to = std::clamp<long>(*index, 0, long(p->stages.size()));
    a.res.description = "moved stage " + moved.name.get("en") + " to position " + std::to_string(to + 1);
    p->stages.insert(p->stages.begin() + to, std::move(moved));
    a.addChange("pipeline", p->id, a.res.description);
    return true;
}

bool stageDelete(Apply& a) {
    Id stageId;
    Stage* s = nullptr;
    Pipeline* p = pipelineOfStage(a, stageId, s);
    if (!p) return false;
    std::string moveTo;
    if (!a.optString("moveTo", moveTo)) return false;
    const long n = liveDealsIn(a.doc, p->id, &stageId);
    const Stage* target = nullptr;
    if (!moveTo.empty()) {
        target = p->findStage(moveTo);
        if (!target || moveTo == stageId) return a.fail("moveTo: stage " + moveTo + " is not another stage of pipeline " + p->id);
    } else if (n > 0) {
        return a.fail("stage " + stageId + ": holds " + std::to_string(n) + " deals; give moveTo");
    }
    a.touch("pipeline", p->id);
    if (target) {
        const Stage targetCopy = *target;  // the stage vector changes below
        for (Deal& d : a.doc.deals)
            if (!d.deleted && d.pipelineId == p->id && d.stageId == stageId) {
                a.touch("deal", d.id);
                enterStage(a, d, targetCopy);
                d.updatedAt = a.at;
            }
    }
    a.res.description = "deleted stage " + s->name.get("en");
    p->stages.erase(p->stages.begin() + (s - p->stages.data()));
    a.addChange("pipeline", p->id, a.res.description);
    return true;
}

bool memberCreate(Apply& a) {
    Member m;
    if (!recordFromCommand(a, "member", m)) return false;
    if (!validate(a, m, nullptr)) return false;
    if (m.initials.empty()) {
        m.initials = initialsOf(m.name);
        a.applied["initials"] = m.initials;
    }
    a.res.description = "added member " + m.name;
    const Id id = m.id;
    insertRecord(a, "member", std::move(m));
    a.addChange("member", id, a.res.description);
    return true;
}

bool memberDelete(Apply& a) {
    Member* m = findRecord<Member>(a, "member");
    if (!m) return false;
    if (m->id == a.doc.settings.me) return a.fail("member " + m->id + ": this device's user cannot be deleted");
    const Id id = m->id;
    a.touch("member", id);
    a.res.description = "removed member " + m->name;
    a.doc.members.erase(a.doc.members.begin() + indexOf(a.doc.members, id));
    a.addChange("member", id, a.res.description);
    return true;
}

bool settingsSet(Apply& a) {
    std::string field;
    if (!a.needString("field", field)) return false;
    const json* value = a.arg("value");
    if (!value) return a.fail("settings.set: value: missing");
    json j = encodeRecord(a.doc.settings, true);
    if (j.find(field) == j.end()) return a.fail("settings.set: field \"" + field + "\": unknown");
    j[field] = *value;
    Settings updated;
    std::string error;
    if (!decodeRecord(j, updated, error, "settings")) return a.fail(error);
    if (!updated.me.empty() && !a.doc.findMember(updated.me)) return a.fail("settings.me: member " + updated.me + ": unknown id");
    if (!updated.defaultPipeline.empty() && !a.doc.findPipeline(updated.defaultPipeline))
        return a.fail("settings.defaultPipeline: pipeline " + updated.defaultPipeline + ": unknown id");
    a.touch("settings", "");
    a.doc.settings = std::move(updated);
    a.res.description = "set " + field + " to " + shortText(*value);
    a.addChange("settings", "", a.res.description);
    return true;
}

// [SECTION] Snapshot restore (the inverse of every command) and document.replace

bool removeChangeEntry(Document& doc, const Change& c) {
    for (auto it = doc.changes.rbegin(); it != doc.changes.rend(); ++it)
        if (*it == c) {
            doc.changes.erase(std::next(it).base());
            return true;
        }
    return false;
}

// With dryRun only validates, so that a bad snapshot is refused before anything changes.
template <class T>
bool restoreInto(Apply& a, std::vector<T>& list, const json& snap, const std::string& path, bool dryRun) {
    const Id id = snap.value("id", "");
    const json& record = snap["record"];
    std::unordered_set<Id>* present =
        a.present_ ? &(*a.present_)[snap["entity"].get<std::string>()] : nullptr;
    const auto find = [&] { return present && !present->count(id) ? -1 : indexOf(list, id); };
    if (record.is_null()) {
        if (dryRun) return true;
        const long at = find();
        if (at >= 0) list.erase(list.begin() + at);
        if (present) present->erase(id);
        return true;
    }
    T r;
    std::string error;
    if (!decodeRecord(record, r, error, path)) return a.fail(error);
    if (r.id != id) return a.fail(path + ".id: does not match the snapshot");
    if (dryRun) return true;
    const long at = find();
    if (at >= 0) {
        list[std::size_t(at)] = std::move(r);
    } else {
        const long index = snap.value("index", long(list.size()));
        list.insert(list.begin() + std::clamp<long>(index, 0, long(list.size())), std::move(r));
        if (present) present->insert(id);
    }
    return true;
}

bool snapshotRestore(Apply& a) {
    const json* records = a.arg("records");
    const json* remove = a.arg("removeChanges");
    const json* add = a.arg("addChanges");
    if (!records || !records->is_array()) return a.fail("snapshot.restore: records: expected an array");
    if (remove && !remove->is_array()) return a.fail("snapshot.restore: removeChanges: expected an array");
    if (add && !add->is_array()) return a.fail("snapshot.restore: addChanges: expected an array");
    static const std::set<std::string> entities = {"customer", "contact", "deal", "activity", "member", "pipeline", "settings"};
    // Validate everything first, so a bad snapshot changes nothing.
    std::vector<std::size_t> order;
    for (std::size_t i = 0; i < records->size(); ++i) {
        const json& s = (*records)[i];
        if (!s.is_object() || !s.contains("entity") || !s["entity"].is_string() || !entities.count(s["entity"].get<std::string>()) ||
            !s.contains("id") || !s["id"].is_string() || !s.contains("record") ||
            (s.contains("index") && !s["index"].is_number_integer()))
            return a.fail("snapshot.restore: records[" + std::to_string(i) + "]: malformed");
        order.push_back(i);
    }
    std::vector<Change> toRemove, toAdd;
    for (auto [list, out] : {std::pair{remove, &toRemove}, std::pair{add, &toAdd}}) {
        if (!list) continue;
        for (std::size_t i = 0; i < list->size(); ++i) {
            Change c;
            std::string error;
            if (!decodeRecord((*list)[i], c, error, "changes[" + std::to_string(i) + "]")) return a.fail(error);
            out->push_back(std::move(c));
        }
    }
    // Re-insertions go in ascending index so each lands where it was.
    std::stable_sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) {
        return (*records)[x].value("index", -1L) < (*records)[y].value("index", -1L);
    });
    // Many records (an import or its undo): the ids of each list in a hash set, so that each
    // record is not looked for in the whole list (quadratic for 100k rows); a few: plain scans.
    std::unordered_map<std::string, std::unordered_set<Id>> present;
    struct Forget {
        Apply& a;
        ~Forget() { a.present_ = nullptr; }
    } forget{a};
    if (records->size() > 256) {
        const auto ids = [&](const char* entity, const auto& list) {
            std::unordered_set<Id>& set = present[entity];
            set.reserve(list.size() + records->size());
            for (const auto& r : list) set.insert(r.id);
        };
        ids("customer", a.doc.customers);
        ids("contact", a.doc.contacts);
        ids("deal", a.doc.deals);
        ids("activity", a.doc.activities);
        ids("member", a.doc.members);
        ids("pipeline", a.doc.pipelines);
        a.present_ = &present;
    }
    for (const bool dryRun : {true, false}) {
        for (std::size_t i : order) {
            const json& s = (*records)[i];
            const std::string entity = s["entity"].get<std::string>();
            if (!dryRun) a.touch(entity, s["id"].get<std::string>());
            bool ok = true;
            const std::string path = "records[" + std::to_string(i) + "].record";
            if (entity == "customer") ok = restoreInto(a, a.doc.customers, s, path, dryRun);
            else if (entity == "contact") ok = restoreInto(a, a.doc.contacts, s, path, dryRun);
            else if (entity == "deal") ok = restoreInto(a, a.doc.deals, s, path, dryRun);
            else if (entity == "activity") ok = restoreInto(a, a.doc.activities, s, path, dryRun);
            else if (entity == "member") ok = restoreInto(a, a.doc.members, s, path, dryRun);
            else if (entity == "pipeline") ok = restoreInto(a, a.doc.pipelines, s, path, dryRun);
            else if (entity == "settings") {
                Settings st;
                std::string error;
                if (!decodeRecord(s["record"], st, error, path)) return a.fail(error);
                if (!dryRun) a.doc.settings = std::move(st);
            }
            if (!ok) return false;
        }
    }
    json removed = json::array();
    for (const Change& c : toRemove)
        if (removeChangeEntry(a.doc, c)) removed.push_back(encodeRecord(c));
    for (Change& c : toAdd) {
        a.changesAdded_.push_back(encodeRecord(c));
        a.doc.changes.push_back(std::move(c));
    }
    a.res.description = "restored " + std::to_string(records->size()) + " records";
    a.res.inverse = a.inverse(removed);
    return true;
}

bool documentReplace(Apply& a) {
    const json* d = a.arg("document");
    const json* t = a.arg("text");
    DecodeResult decoded;
    if (d) decoded = decodeDocument(*d);
    else if (t && t->is_string()) decoded = decodeDocument(t->get_ref<const std::string&>());
    else return a.fail("document.replace: document: missing (or text: the document as a string)");
    if (!decoded.ok) return a.fail("document: " + decoded.error);
    // The old document is kept as text: one string instead of millions of json nodes when an
    // import replaces 100k deals.
    json inv = json::object();
    inv["op"] = "document.replace";
    inv["text"] = encodeDocumentText(a.doc);
    inv["record"] = false;
    a.doc = std::move(decoded.document);
    a.res.description = "replaced the document";
    const json* record = a.arg("record");
    if (!record || !record->is_boolean() || record->get<bool>()) a.addChange("document", "", a.res.description);
    a.res.inverse = std::move(inv);
    return true;
}

// [SECTION] Dispatch

using OpFn = bool (*)(Apply&);

const std::unordered_map<std::string, OpFn>& ops() {
    static const std::unordered_map<std::string, OpFn> table = {
        {"customer.create", [](Apply& a) {
             Customer c;
             if (!recordFromCommand(a, "customer", c)) return false;
             if (c.owner.empty() && !a.cmd.contains("owner") && a.doc.findMember(a.by)) c.owner = a.by;
             if (!c.createdAt) c.createdAt = a.at;
             if (!validate(a, c, nullptr)) return false;
             if (c.deleted) return a.fail("customer.create: deleted: use customer.delete");
             a.res.description = "created customer " + shortText(c.name);
             const Id id = c.id;
             insertRecord(a, "customer", std::move(c));
             a.addChange("customer", id, a.res.description);
             return true;
         }},
        {"customer.set", [](Apply& a) { return setField<Customer>(a, "customer", {"deleted", "createdAt"}); }},
        {"customer.delete", [](Apply& a) { return customerDeleted(a, true); }},
        {"customer.restore", [](Apply& a) { return customerDeleted(a, false); }},
        {"customer.merge", customerMerge},
        {"contact.create", [](Apply& a) {
             Contact c;
             if (!recordFromCommand(a, "contact", c)) return false;
             if (!validate(a, c, nullptr)) return false;
             if (c.deleted) return a.fail("contact.create: deleted: use contact.delete");
             a.res.description = "added contact " + shortText(c.name);
             const Id id = c.id;
             insertRecord(a, "contact", std::move(c));
             a.addChange("contact", id, a.res.description);
             return true;
         }},
        {"contact.set", [](Apply& a) { return setField<Contact>(a, "contact", {"deleted"}); }},
        {"contact.delete", [](Apply& a) { return setDeleted<Contact>(a, "contact", true); }},
        {"contact.restore", [](Apply& a) { return setDeleted<Contact>(a, "contact", false); }},
        {"deal.create", dealCreate},
        {"deal.set", dealSet},
        {"deal.move", dealMove},
        {"deal.reorder", dealReorder},
        {"deal.win", dealWin},
        {"deal.lose", dealLose},
        {"deal.suspend", dealSuspend},
        {"deal.reopen", dealReopen},
        {"deal.check", dealCheck},
        {"deal.delete", [](Apply& a) { return setDeleted<Deal>(a, "deal", true); }},
        {"deal.restore", [](Apply& a) { return setDeleted<Deal>(a, "deal", false); }},
        {"deal.objection.add", objectionAdd},
        {"deal.objection.set", objectionSet},
        {"deal.objection.remove", objectionRemove},
        {"activity.create", activityCreate},
        {"activity.set", activitySet},
        {"activity.complete", activityComplete},
        {"activity.delete", [](Apply& a) { return setDeleted<Activity>(a, "activity", true); }},
        {"activity.restore", [](Apply& a) { return setDeleted<Activity>(a, "activity", false); }},
        {"pipeline.create", pipelineCreate},
        {"pipeline.set", pipelineSet},
        {"pipeline.delete", pipelineDelete},
        {"stage.create", stageCreate},
        {"stage.set", stageSet},
        {"stage.move", stageMove},
        {"stage.delete", stageDelete},
        {"member.create", memberCreate},
        {"member.set", [](Apply& a) { return setField<Member>(a, "member", {}); }},
        {"member.delete", memberDelete},
        {"settings.set", settingsSet},
        {"document.replace", documentReplace},
        {"snapshot.restore", snapshotRestore},
    };
    return table;
}

}  // namespace

CommandResult applyCommand(Document& doc, const json& command, const CommandContext& ctx) {
    if (!command.is_object()) {
        CommandResult r;
        r.error = "command: expected a JSON object";
        return r;
    }
    auto opIt = command.find("op");
    if (opIt == command.end() || !opIt->is_string()) {
        CommandResult r;
        r.error = "command: op: expected a string";
        return r;
    }
    const std::string op = opIt->get<std::string>();
    const auto& table = ops();
    auto fn = table.find(op);
    if (fn == table.end()) {
        CommandResult r;
        r.error = "command: unknown op \"" + op + "\"";
        return r;
    }

    // Every op validates before its first change, so it runs in place on doc.
    Apply a(doc, command);
    a.op = op;
    a.at = ctx.now;
    a.by = ctx.actor;
    if (const json* t = a.arg("at")) {
        std::optional<Time> parsed = t->is_string() ? parseTime(t->get<std::string>()) : std::nullopt;
        if (!parsed) {
            a.res.error = "at: expected an ISO-8601 time";
            return a.res;
        }
        a.at = *parsed;
    } else {
        a.applied["at"] = formatTime(a.at);
    }
    if (const json* b = a.arg("by")) {
        if (!b->is_string()) {
            a.res.error = "by: expected a member id string";
            return a.res;
        }
        a.by = b->get<std::string>();
    } else {
        a.applied["by"] = a.by;
    }

    if (!fn->second(a)) {
        a.res.ok = false;
        return a.res;
    }
    a.res.ok = true;
    a.res.applied = std::move(a.applied);
    if (a.res.inverse.is_null()) a.res.inverse = a.inverse(json::array());
    return a.res;
}

// [SECTION] History

namespace {
// "deal.set\n<id>\n<field>" for the ops whose consecutive runs are one undo step.
std::string coalesceKey(const json& applied) {
    const std::string op = applied.value("op", "");
    if (op.size() < 4 || op.compare(op.size() - 4, 4, ".set") != 0) return "";
    std::string key = op;
    for (const char* k : {"dealId", "id", "field"}) {
        key += '\n';
        if (auto it = applied.find(k); it != applied.end() && it->is_string()) key += it->get<std::string>();
    }
    return key;
}
}  // namespace

CommandResult History::perform(Document& doc, const json& command, const CommandContext& ctx) {
    CommandResult r = applyCommand(doc, command, ctx);
    if (!r.ok) return r;
    redo_.clear();
    const std::string key = coalesceKey(r.applied);
    if (!key.empty() && key == lastCoalesceKey_ && !undo_.empty() && ctx.now - lastCoalesceAt_ <= coalesceMs_) {
        // Keep the first snapshot (the state before the run); collect every change entry.
        Step& top = undo_.back();
        for (const json& c : r.inverse["removeChanges"]) top.inverse["removeChanges"].push_back(c);
        top.applied = r.applied;
        top.description = r.description;
    } else {
        undo_.push_back(Step{r.applied, r.inverse, r.description});
    }
    lastCoalesceKey_ = key;
    lastCoalesceAt_ = ctx.now;
    return r;
}

CommandResult History::undo(Document& doc, const CommandContext& ctx) {
    if (undo_.empty()) {
        CommandResult r;
        r.error = "nothing to undo";
        return r;
    }
    Step step = undo_.back();
    CommandResult r = applyCommand(doc, step.inverse, ctx);
    if (!r.ok) return r;
    undo_.pop_back();
    r.description = "undo: " + step.description;
    redo_.push_back(std::move(step));
    lastCoalesceKey_.clear();
    return r;
}

CommandResult History::redo(Document& doc, const CommandContext& ctx) {
    if (redo_.empty()) {
        CommandResult r;
        r.error = "nothing to redo";
        return r;
    }
    Step step = redo_.back();
    CommandResult r = applyCommand(doc, step.applied, ctx);
    if (!r.ok) return r;
    redo_.pop_back();
    step.inverse = r.inverse;
    r.description = "redo: " + step.description;
    undo_.push_back(std::move(step));
    lastCoalesceKey_.clear();
    return r;
}

void History::clear() {
    undo_.clear();
    redo_.clear();
    lastCoalesceKey_.clear();
    lastCoalesceAt_ = 0;
}

}  // namespace funnel
