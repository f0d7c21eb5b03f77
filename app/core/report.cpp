// Funnel — the Reports screen's model (report.h): metrics.h's figures for one choice, plus the
// deal ids behind each figure, picked by the same rules metrics.cpp counts by (the unit tests
// check that every id list is as long as the count it stands behind).
#include "core/report.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <deque>
#include <optional>
#include <string_view>
#include <unordered_map>

namespace funnel {

// [SECTION] The choice and its query

namespace {
bool plainToken(const std::string& s) {
    if (s.empty() || s.size() > 64) return false;
    return std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' ||
               c == '_' || c == '.';
    });
}

Date firstOfMonth(int y, int m) { return makeDate(y, m, 1); }
Date addMonths(int y, int m, int k) {  // first day of the month k months after (y, m)
    int idx = y * 12 + (m - 1) + k;
    return makeDate(idx / 12, idx % 12 + 1, 1);
}
}  // namespace

std::string encodeReportQuery(const ReportChoice& c) {
    std::string q;
    auto add = [&](const char* k, const std::string& v) {
        if (!q.empty()) q += '&';
        q += k;
        q += '=';
        q += v;
    };
    switch (c.period) {
        case ReportPeriod::ThisMonth: add("period", "month"); break;
        case ReportPeriod::LastMonth: add("period", "last-month"); break;
        case ReportPeriod::ThisQuarter: add("period", "quarter"); break;
        case ReportPeriod::ThisYear: add("period", "year"); break;
        case ReportPeriod::Custom:
            if (c.customFrom != kNoDate && c.customTo != kNoDate)
                add("period", formatDate(c.customFrom) + ".." + formatDate(c.customTo));
            break;
    }
    add("owner", c.owner.empty() ? "me" : c.owner);
    if (!c.pipelineId.empty()) add("pipeline", c.pipelineId);
    return q;
}

bool parseReportQuery(const std::string& query, ReportChoice& out, std::string& error) {
    ReportChoice c;
    error.clear();
    std::size_t at = 0;
    while (at <= query.size()) {
        std::size_t amp = query.find('&', at);
        if (amp == std::string::npos) amp = query.size();
        const std::string part = query.substr(at, amp - at);
        at = amp + 1;
        if (part.empty()) continue;
        const std::size_t eq = part.find('=');
        const std::string key = part.substr(0, eq),
                          value = eq == std::string::npos ? "" : part.substr(eq + 1);
        auto bad = [&] {
            if (error.empty()) error = key;
        };
        if (key == "period") {
            if (value == "month")
                c.period = ReportPeriod::ThisMonth;
            else if (value == "last-month")
                c.period = ReportPeriod::LastMonth;
            else if (value == "quarter")
                c.period = ReportPeriod::ThisQuarter;
            else if (value == "year")
                c.period = ReportPeriod::ThisYear;
            else {
                const std::size_t dots = value.find("..");
                auto from = dots == std::string::npos ? std::nullopt : parseDate(value.substr(0, dots));
                auto to = dots == std::string::npos ? std::nullopt : parseDate(value.substr(dots + 2));
                if (from && to && *from <= *to) {
                    c.period = ReportPeriod::Custom;
                    c.customFrom = *from;
                    c.customTo = *to;
                } else {
                    bad();
                }
            }
        } else if (key == "owner") {
            if (plainToken(value))
                c.owner = value;
            else
                bad();
        } else if (key == "pipeline") {
            if (plainToken(value))
                c.pipelineId = value;
            else
                bad();
        } else {
            bad();
        }
    }
    out = c;
    return error.empty();
}

DayRange resolvePeriod(const ReportChoice& c, Date today) {
    int y = 0, m = 0, d = 0;
    splitDate(today, y, m, d);
    switch (c.period) {
        case ReportPeriod::ThisMonth: return {firstOfMonth(y, m), addMonths(y, m, 1)};
        case ReportPeriod::LastMonth: return {addMonths(y, m, -1), firstOfMonth(y, m)};
        case ReportPeriod::ThisQuarter: {
            const int q = (m - 1) / 3 * 3 + 1;
            return {firstOfMonth(y, q), addMonths(y, q, 3)};
        }
        case ReportPeriod::ThisYear: return {makeDate(y, 1, 1), makeDate(y + 1, 1, 1)};
        case ReportPeriod::Custom:
            if (c.customFrom != kNoDate && c.customTo != kNoDate && c.customFrom <= c.customTo)
                return {c.customFrom, c.customTo + 1};
            return {firstOfMonth(y, m), addMonths(y, m, 1)};
    }
    return {};
}

// [SECTION] Computing a report
//
// One pass over the deals (and one over the activities) gives every figure and every id list.
// The figures are metrics.h's, by the same rules as its functions; each of those walks the whole
// document on its own, and seven walks of 100k deals with their stage histories, plus one more
// for the ids, took ~90 ms. Here what a deal needs is worked out once: its currency's rate, its
// stage's index, whether it is in scope, in the period, below the threshold. tests/unit
// (report_test.cpp, "the single pass gives metrics.h's numbers") checks both give the same
// numbers, to the last bit, on a varied generated document.

namespace {
// An id's bytes (up to 16) and its length, in two integers: equal keys are equal ids for ids of
// up to 16 bytes (all of Funnel's: ten characters, stage ids like "s-negotiation", currency
// codes); longer ones are compared in full after their keys. Stage ids are compared for every
// deal and every stage entry, currencies for every deal: two integer compares instead of a call
// to memcmp each. The bytes are read in overlapping 8- or 4-byte loads (which ones depends only
// on the length, so the same id always gives the same key).
struct IdKey {
    std::uint64_t head = 0, tail = 0;
    std::size_t size = 0;
    IdKey() = default;
    explicit IdKey(std::string_view s) : size(s.size()) {
        const char* p = s.data();
        const std::size_t n = s.size();
        if (n >= 8) {
            head = load<std::uint64_t>(p);
            tail = load<std::uint64_t>(p + (n < 16 ? n : 16) - 8);
        } else if (n >= 4) {
            head = load<std::uint32_t>(p) | std::uint64_t(load<std::uint32_t>(p + n - 4)) << 32;
        } else if (n > 0) {
            head = std::uint64_t(std::uint8_t(p[0])) | std::uint64_t(std::uint8_t(p[n / 2])) << 8 |
                   std::uint64_t(std::uint8_t(p[n - 1])) << 16;
        }
    }
    bool operator==(const IdKey& o) const { return head == o.head && tail == o.tail && size == o.size; }
    std::uint64_t hash() const {  // murmur3's finaliser over both halves
        std::uint64_t h = head ^ (tail * 0x9E3779B97F4A7C15ull) ^ size;
        h ^= h >> 33;
        h *= 0xFF51AFD7ED558CCDull;
        h ^= h >> 33;
        h *= 0xC4CEB9FE1A85EC53ull;
        return h ^ (h >> 33);
    }

private:
    template <typename T>
    static T load(const char* p) {
        T v;
        std::memcpy(&v, p, sizeof v);
        return v;
    }
};

// Whether `a` (key ka) and `b` (key kb) are the same id.
bool sameId(const IdKey& ka, std::string_view a, const IdKey& kb, std::string_view b) {
    return ka == kb && (ka.size <= 16 || a == b);
}

// Figures a currency without a rate was left out of (CurrencyRate::missingIn).
enum : unsigned { kInFunnel = 1, kInForecast = 2, kInOutcomes = 4, kInOutOfFunnel = 8, kInTargets = 16 };

// A currency seen on a deal, with its rate looked up once (metrics.cpp: convertMoney's rules).
struct CurrencyRate {
    IdKey key;
    std::string_view code;
    bool isDisplay = false;      // the display currency: amounts as they are
    std::optional<double> rate;  // units of settings.displayCurrency per unit
    unsigned missingIn = 0;
};

class Rates {
public:
    Rates(const Settings& s, const std::string& display) : settings_(s), display_(display) {
        target_ = rateOf(display);
    }
    // The deal's currency (found once per deal).
    CurrencyRate& of(const std::string& code) {
        const IdKey k(code);
        for (CurrencyRate& c : seen_)
            if (sameId(c.key, c.code, k, code)) return c;
        CurrencyRate c;
        c.key = k;
        c.code = code;
        c.isDisplay = code == display_;
        c.rate = rateOf(code);
        seen_.push_back(c);
        return seen_.back();
    }
    std::optional<double> convert(const CurrencyRate& c, double amount) const {
        if (c.isDisplay) return amount;
        if (!c.rate || !target_) return std::nullopt;
        return amount * *c.rate / *target_;
    }
    // The currencies left out of the figure `bit`, sorted.
    std::vector<std::string> missing(unsigned bit) const {
        std::vector<std::string> out;
        for (const CurrencyRate& c : seen_)
            if (c.missingIn & bit) out.emplace_back(c.code);
        std::sort(out.begin(), out.end());
        return out;
    }

private:
    std::optional<double> rateOf(const std::string& c) const {
        if (c == settings_.displayCurrency) return 1.0;
        auto it = settings_.rates.find(c);
        if (it == settings_.rates.end() || !(it->second > 0)) return std::nullopt;
        return it->second;
    }
    const Settings& settings_;
    const std::string& display_;
    std::optional<double> target_;
    std::deque<CurrencyRate> seen_;  // a handful; references stay valid
};

// The pipeline's stages by key; from the back, so a stage id listed twice gives its last index,
// as metrics.cpp's lookups do.
class Stages {
public:
    explicit Stages(const Pipeline* p) {
        if (!p) return;
        for (const Stage& s : p->stages) {
            keys_.emplace_back(s.id);
            ids_.emplace_back(s.id);
        }
    }
    long indexOf(const std::string& id) const {
        const IdKey k(id);
        for (std::size_t i = keys_.size(); i-- > 0;)
            if (sameId(keys_[i], ids_[i], k, id)) return long(i);
        return -1;
    }

private:
    std::vector<IdKey> keys_;
    std::vector<std::string_view> ids_;
};

// Advanced activities done in the period, counted per deal id (metrics.cpp progressInPeriod):
// open addressing on the id's key, one 24-byte slot per entry (a lookup per deal in scope: one
// cache line, no string hashed or compared).
class AdvancedByDeal {
public:
    explicit AdvancedByDeal(const std::vector<const Activity*>& advanced) {
        if (advanced.empty()) return;
        std::size_t slots = 16;
        while (slots < advanced.size() * 2) slots *= 2;
        mask_ = slots - 1;
        slots_.assign(slots, Slot{});
        for (const Activity* a : advanced) {
            const IdKey k(a->dealId);
            Slot& s = slots_[find(k, a->dealId)];
            if (!s.count) {
                s.head = k.head;
                s.tail = k.tail;
                s.size = std::uint32_t(k.size);
                if (k.size > 16) longIds_.emplace_back(std::size_t(&s - slots_.data()), a->dealId);
            }
            s.count++;
        }
    }
    // The activities of the deal `id`, the first time it is asked for; 0 after (a deal id seen
    // twice counts its activities once).
    int take(const std::string& id) {
        if (slots_.empty()) return 0;
        Slot& s = slots_[find(IdKey(id), id)];
        if (s.count <= 0) return 0;
        const int n = s.count;
        s.count = -1;  // counted (probing goes on past it)
        return n;
    }

private:
    struct Slot {
        std::uint64_t head = 0, tail = 0;
        std::uint32_t size = 0;
        std::int32_t count = 0;  // activities; 0 empty; -1 counted already
    };
    bool matches(const Slot& s, const IdKey& k, std::string_view id) const {
        if (s.head != k.head || s.tail != k.tail || s.size != k.size) return false;
        if (k.size <= 16) return true;
        const std::size_t at = std::size_t(&s - slots_.data());
        for (const auto& [slot, text] : longIds_)
            if (slot == at) return text == id;
        return false;
    }
    std::size_t find(const IdKey& k, std::string_view id) const {
        std::size_t i = std::size_t(k.hash()) & mask_;
        while (slots_[i].count && !matches(slots_[i], k, id)) i = (i + 1) & mask_;
        return i;
    }
    std::size_t mask_ = 0;
    std::vector<Slot> slots_;
    std::vector<std::pair<std::size_t, std::string_view>> longIds_;  // ids over 16 bytes (none of Funnel's)
};

std::string_view trimmed(std::string_view s) {
    const auto b = s.find_first_not_of(" \t\r\n"), e = s.find_last_not_of(" \t\r\n");
    return b == std::string_view::npos ? std::string_view() : s.substr(b, e - b + 1);
}
}  // namespace

Report computeReport(const Document& doc, const ReportChoice& choice, Time now, int utcOffsetMinutes) {
    Report r;
    r.choice = choice;
    const Date today = dateFromTime(now, utcOffsetMinutes);
    r.days = resolvePeriod(choice, today);
    if (choice.owner == "team")
        r.owner.clear();
    else if (choice.owner == "me" || choice.owner.empty())
        r.owner = doc.settings.me;
    else
        r.owner = choice.owner;
    r.pipelineId = choice.pipelineId;
    if (r.pipelineId.empty() || !doc.findPipeline(r.pipelineId)) {
        r.pipelineId = doc.settings.defaultPipeline;
        if (!doc.findPipeline(r.pipelineId) && !doc.pipelines.empty())
            r.pipelineId = doc.pipelines.front().id;
    }
    r.currency = doc.settings.displayCurrency;

    MetricsOptions& o = r.options;
    o.now = now;
    o.today = today;
    o.utcOffsetMinutes = utcOffsetMinutes;
    o.pipelineId = r.pipelineId;
    o.owner = r.owner;
    o.from = timeFromDate(r.days.from, utcOffsetMinutes);
    o.to = timeFromDate(r.days.to, utcOffsetMinutes);

    const Settings& st = doc.settings;
    Rates rates(st, r.currency);
    // The pipeline as metrics.cpp's Scope finds it.
    const Pipeline* p = doc.findPipeline(o.pipelineId.empty() ? st.defaultPipeline : o.pipelineId);
    if (!p && o.pipelineId.empty() && !doc.pipelines.empty()) p = &doc.pipelines.front();
    const Stages stages(p);
    const std::size_t n = p ? p->stages.size() : 0;
    const bool wonLast = n > 0 && p->stages.back().probability == 100;
    const double threshold =
        st.outOfFunnelThreshold > 0
            ? convertMoney(st, st.outOfFunnelThreshold, st.displayCurrency, r.currency).value_or(0)
            : 0;
    const IdKey pipelineKey(p ? std::string_view(p->id) : std::string_view()), ownerKey(r.owner);
    const bool allOwners = r.owner.empty();
    auto inPeriod = [&](Time t) { return t != 0 && (o.from == 0 || t >= o.from) && (o.to == 0 || t < o.to); };
    const bool periodBounded = o.from || o.to;

    // Targets: settings.targets' rows of the owner (all members for the team) in the period's
    // months; the won value per row is summed in the pass.
    {
        const std::string firstMonth = formatDate(r.days.from).substr(0, 7);
        const std::string lastMonth = formatDate(r.days.to - 1).substr(0, 7);
        for (const auto& [key, target] : st.targets) {
            const auto colon = key.rfind(':');
            if (colon == std::string::npos) continue;
            TargetAchievement row;
            row.member = key.substr(0, colon);
            row.month = key.substr(colon + 1);
            if (!allOwners && row.member != r.owner) continue;
            if (!(row.month >= firstMonth && row.month <= lastMonth)) continue;
            row.target = convertMoney(st, target, st.displayCurrency, r.currency).value_or(target);
            r.targets.rows.push_back(std::move(row));
        }
    }
    struct TargetRef {
        int month;  // monthNumber
        IdKey member;
        std::size_t row;
    };
    std::vector<TargetRef> targetRefs;  // by month
    for (std::size_t i = 0; i < r.targets.rows.size(); ++i) {
        const int m = monthNumber(r.targets.rows[i].month);
        if (m >= 0) targetRefs.push_back({m, IdKey(r.targets.rows[i].member), i});
    }
    std::stable_sort(targetRefs.begin(), targetRefs.end(),
                     [](const TargetRef& a, const TargetRef& b) { return a.month < b.month; });
    // The deals behind each figure, as indices into doc.deals while counting (4 bytes, not a
    // 32-byte id copied and moved as the lists grow); made ids once their lengths are known.
    using DealList = std::vector<std::uint32_t>;
    std::vector<DealList> targetDeals(r.targets.rows.size());

    // Advanced activities done in the period, by deal.
    std::vector<const Activity*> advanced;
    for (const Activity& a : doc.activities)
        if (!a.deleted && a.advanced && inPeriod(a.doneAt) && !a.dealId.empty()) advanced.push_back(&a);
    AdvancedByDeal advancedOf(advanced);

    FunnelTotals& funnel = r.funnel;
    if (p)
        for (const Stage& s : p->stages) funnel.stages.push_back(StageTotals{s.id});
    std::vector<DealList> funnelDeals(n);
    DealList createdDeals, wonDeals, lostDeals, outOfFunnelDeals;
    // Forecast months by monthNumber (-1: no date), in the order first seen; sorted at the end.
    struct MonthSlot {
        int key;
        Date first;  // the first deal's date: the month's name
        ForecastMonth totals;
        DealList deals;
    };
    std::vector<MonthSlot> months;
    std::unordered_map<int, std::size_t> monthSlot;
    int lastMonthKey = INT32_MIN;
    std::size_t lastMonthSlot = 0;
    Progress& progress = r.progress;
    std::vector<int> enteredStage(n, 0);
    std::vector<std::pair<std::string_view, int>> enteredOther;  // ids not of the pipeline
    std::vector<int> reached(n, 0);
    Outcomes& out = r.outcomes;
    int valued = 0, cycles = 0, repurchases = 0, renewals = 0;
    double cycleDays = 0, cost = 0, costedRevenue = 0;
    OutOfFunnel& oof = r.outOfFunnel;
    oof.threshold = threshold;
    struct Reason {
        std::string_view text;
        LostReason totals;
        DealList deals;
    };
    std::vector<Reason> reasons;

    for (std::uint32_t at = 0; at < doc.deals.size(); ++at) {
        const Deal& d = doc.deals[at];
        if (d.deleted) continue;
        CurrencyRate& cur = rates.of(d.currency);
        const std::optional<double> v = rates.convert(cur, d.value);
        const bool won = d.status == DealStatus::Won, lost = d.status == DealStatus::Lost,
                   open = d.status == DealStatus::Open;

        // Targets count won deals of every pipeline and owner (metrics.h: targetAchievement).
        if (won && d.closedAt) {
            if (!v) {
                cur.missingIn |= kInTargets;
            } else if (!targetRefs.empty()) {
                const int m = monthNumber(dateFromTime(d.closedAt, utcOffsetMinutes));
                auto it = std::lower_bound(targetRefs.begin(), targetRefs.end(), m,
                                           [](const TargetRef& t, int month) { return t.month < month; });
                if (it != targetRefs.end() && it->month == m) {
                    const IdKey owner(d.owner);
                    for (; it != targetRefs.end() && it->month == m; ++it) {
                        TargetAchievement& row = r.targets.rows[it->row];
                        if (!sameId(it->member, row.member, owner, d.owner)) continue;
                        row.achieved += *v;
                        targetDeals[it->row].push_back(at);
                        break;
                    }
                }
            }
        }

        // Live deals of the chosen pipeline and owner.
        if (!p || !sameId(IdKey(d.pipelineId), d.pipelineId, pipelineKey, p->id)) continue;
        if (!allOwners && !sameId(IdKey(d.owner), d.owner, ownerKey, r.owner)) continue;
        const bool belowThreshold = threshold > 0 && d.value > 0 && v && *v < threshold;
        const long stage = stages.indexOf(d.stageId);
        const int probability =
            d.probability ? *d.probability : (stage >= 0 ? p->stages[std::size_t(stage)].probability : 0);

        // The funnel: open deals, and won ones standing in the won (last) stage.
        if ((open || (won && wonLast && stage == long(n) - 1)) && !belowThreshold) {
            StageTotals& bucket = stage < 0 ? funnel.unknownStage : funnel.stages[std::size_t(stage)];
            bucket.count++;
            funnel.count++;
            if (v) {
                const double w = *v * probability / 100.0;
                bucket.value += *v;
                bucket.weighted += w;
                funnel.value += *v;
                funnel.weighted += w;
            } else {
                cur.missingIn |= kInFunnel;
            }
            if (stage >= 0) funnelDeals[std::size_t(stage)].push_back(at);
        }

        // The forecast: open deals by expected close month.
        if (open && !belowThreshold) {
            const int key = d.expectedClose == kNoDate ? -1 : monthNumber(d.expectedClose);
            if (key != lastMonthKey) {
                auto [it, added] = monthSlot.try_emplace(key, months.size());
                if (added) months.push_back(MonthSlot{key, d.expectedClose, {}, {}});
                lastMonthKey = key;
                lastMonthSlot = it->second;
            }
            MonthSlot& m = months[lastMonthSlot];
            m.totals.count++;
            if (v) {
                m.totals.value += *v;
                m.totals.weighted += *v * probability / 100.0;
            } else {
                cur.missingIn |= kInForecast;
            }
            m.deals.push_back(at);
        }

        // Out-of-funnel sales: not lost, below the threshold (a deal without a rate cannot be judged).
        if (!lost) {
            if (!v) {
                cur.missingIn |= kInOutOfFunnel;
            } else if (belowThreshold) {
                oof.count++;
                oof.value += *v;
                if (won) {
                    oof.wonCount++;
                    oof.wonValue += *v;
                }
                outOfFunnelDeals.push_back(at);
            }
        }

        // Progress and conversion: one walk of the stage history.
        progress.advancedActivities += advancedOf.take(d.id);
        const bool created = inPeriod(d.createdAt);
        if (created) {
            progress.created++;
            createdDeals.push_back(at);
        }
        // Conversion counts deals created in the period: the furthest stage each reached.
        const bool converts = n >= 2 && (!periodBounded || created);
        long furthest = stage;
        long prevIndex = -2;  // the previous entry's stage index when looked up (-2: not)
        for (std::size_t i = 0; i < d.stageHistory.size(); ++i) {
            const StageEntry& e = d.stageHistory[i];
            long index = -2;
            if (inPeriod(e.at)) {
                index = stages.indexOf(e.stageId);
                if (index >= 0)
                    enteredStage[std::size_t(index)]++;
                else {
                    auto it = std::find_if(enteredOther.begin(), enteredOther.end(),
                                           [&](const auto& x) { return x.first == e.stageId; });
                    if (it == enteredOther.end())
                        enteredOther.emplace_back(e.stageId, 1);
                    else
                        it->second++;
                }
                if (i > 0) {  // the first entry is the creation, not a move
                    const long from =
                        prevIndex != -2 ? prevIndex : stages.indexOf(d.stageHistory[i - 1].stageId);
                    progress.moves++;
                    if (from >= 0 && index >= 0) {
                        if (index > from)
                            progress.forward++;
                        else if (index < from)
                            progress.backward++;
                    }
                }
            }
            if (converts && furthest != long(n) - 1) {
                if (index == -2) index = stages.indexOf(e.stageId);
                furthest = std::max(furthest, index);
            }
            prevIndex = index;
        }
        if (converts) {
            if (won && wonLast) furthest = long(n) - 1;
            for (long k = 0; k <= furthest; ++k) reached[std::size_t(k)]++;
        }

        // Closed in the period: progress, outcomes, lost reasons.
        if (inPeriod(d.closedAt)) {
            if (won) {
                progress.won++;
                wonDeals.push_back(at);
                out.won++;
                repurchases += d.repurchase;
                renewals += d.renewal;
                if (d.createdAt && d.closedAt >= d.createdAt) {
                    cycleDays += double(d.closedAt - d.createdAt) / double(kMsPerDay);
                    cycles++;
                }
                if (v) {
                    out.wonValue += *v;
                    valued++;
                    if (auto c = rates.convert(cur, d.cost)) {
                        cost += *c;
                        costedRevenue += *v;
                    }
                } else {
                    cur.missingIn |= kInOutcomes;
                }
            } else if (lost) {
                progress.lost++;
                lostDeals.push_back(at);
                out.lost++;
                const std::string_view text = trimmed(d.lostReason);
                auto it = std::find_if(reasons.begin(), reasons.end(),
                                       [&](const Reason& x) { return x.text == text; });
                if (it == reasons.end()) {
                    reasons.push_back(Reason{text, {}});
                    it = reasons.end() - 1;
                    it->totals.reason = std::string(text);
                }
                it->totals.count++;
                if (v) it->totals.value += *v;
                it->deals.push_back(at);
            }
        }
    }

    auto ids = [&](const DealList& list) {
        std::vector<Id> v;
        v.reserve(list.size());
        for (std::uint32_t i : list) v.push_back(doc.deals[i].id);
        return v;
    };
    for (const DealList& list : funnelDeals) r.funnelDeals.push_back(ids(list));
    for (const DealList& list : targetDeals) r.targetDeals.push_back(ids(list));
    r.createdDeals = ids(createdDeals);
    r.wonDeals = ids(wonDeals);
    r.lostDeals = ids(lostDeals);
    r.outOfFunnelDeals = ids(outOfFunnelDeals);

    // The funnel's and the others' missing currencies.
    funnel.missingCurrencies = rates.missing(kInFunnel);
    r.forecast.missingCurrencies = rates.missing(kInForecast);
    out.missingCurrencies = rates.missing(kInOutcomes);
    oof.missingCurrencies = rates.missing(kInOutOfFunnel);
    r.targets.missingCurrencies = rates.missing(kInTargets);
    r.missingCurrencies = rates.missing(kInFunnel | kInForecast | kInOutcomes | kInOutOfFunnel | kInTargets);

    // Conversion between adjacent stages.
    for (std::size_t k = 0; k + 1 < n; ++k) {
        StageConversion c{p->stages[k].id, p->stages[k + 1].id, reached[k], reached[k + 1], 0};
        c.rate = c.reachedFrom ? double(c.reachedTo) / c.reachedFrom : 0;
        r.conversion.push_back(c);
    }

    // Forecast months ascending ("" first).
    std::sort(months.begin(), months.end(),
              [](const MonthSlot& a, const MonthSlot& b) { return a.key < b.key; });
    for (MonthSlot& m : months) {
        if (m.key >= 0) m.totals.month = formatDate(m.first).substr(0, 7);
        r.forecast.months.push_back(std::move(m.totals));
        r.forecastDeals.push_back(ids(m.deals));
    }

    // Stages entered: the pipeline's by index, then other ids.
    for (std::size_t k = 0; k < n; ++k)
        if (enteredStage[k]) progress.entered[p->stages[k].id] += enteredStage[k];
    for (const auto& [id, count] : enteredOther) progress.entered[Id(id)] += count;

    // Outcomes' rates.
    if (out.won + out.lost) out.winRate = double(out.won) / (out.won + out.lost);
    if (valued) out.averageWon = out.wonValue / valued;
    if (cycles) out.averageCycleDays = cycleDays / cycles;
    if (out.won) {
        out.repurchaseRate = double(repurchases) / out.won;
        out.renewalRate = double(renewals) / out.won;
    }
    if (costedRevenue > 0) out.costRate = cost / costedRevenue;

    for (TargetAchievement& row : r.targets.rows) row.rate = row.target > 0 ? row.achieved / row.target : 0;

    // Lost reasons: most deals first, then most value, then by text.
    std::sort(reasons.begin(), reasons.end(),
              [](const Reason& a, const Reason& b) { return a.text < b.text; });
    for (Reason& x : reasons) {
        x.totals.deals = ids(x.deals);
        r.lostReasons.push_back(std::move(x.totals));
    }
    std::stable_sort(r.lostReasons.begin(), r.lostReasons.end(),
                     [](const LostReason& a, const LostReason& b) {
                         if (a.count != b.count) return a.count > b.count;
                         return a.value > b.value;
                     });
    return r;
}

const Report& ReportCache::get(const Document& doc, std::uint64_t revision, const ReportChoice& choice,
                               Time now, int utcOffsetMinutes) {
    const Date today = dateFromTime(now, utcOffsetMinutes);
    if (&doc != doc_ || revision != revision_ || !(choice == choice_) || today != today_ ||
        utcOffsetMinutes != offset_) {
        report_ = computeReport(doc, choice, now, utcOffsetMinutes);
        doc_ = &doc;
        revision_ = revision;
        choice_ = choice;
        today_ = today;
        offset_ = utcOffsetMinutes;
        computations_++;
    }
    return report_;
}

}  // namespace funnel
