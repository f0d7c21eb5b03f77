// Funnel — the manager's numbers (metrics.h): one pass over the records per metric.
#include "core/metrics.h"

#include <algorithm>
#include <cstdint>
#include <set>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

namespace funnel {

std::optional<double> convertMoney(const Settings& s, double amount, const std::string& currency, const std::string& to) {
    if (currency == to) return amount;
    // Rates are relative to settings.displayCurrency, which is 1 by definition.
    auto rateOf = [&](const std::string& c) -> std::optional<double> {
        if (c == s.displayCurrency) return 1.0;
        auto it = s.rates.find(c);
        if (it == s.rates.end() || !(it->second > 0)) return std::nullopt;
        return it->second;
    };
    const auto from = rateOf(currency), target = rateOf(to);
    if (!from || !target) return std::nullopt;
    return amount * *from / *target;
}

int monthNumber(const std::string& m) {
    if (m.size() != 7 || m[4] != '-') return -1;
    for (std::size_t i : {0, 1, 2, 3, 5, 6})
        if (m[i] < '0' || m[i] > '9') return -1;
    const int y = (m[0] - '0') * 1000 + (m[1] - '0') * 100 + (m[2] - '0') * 10 + (m[3] - '0');
    const int mo = (m[5] - '0') * 10 + (m[6] - '0');
    return mo >= 1 && mo <= 12 ? y * 12 + mo - 1 : -1;
}

int monthNumber(Date d) {
    int y = 0, mo = 0, day = 0;
    splitDate(d, y, mo, day);
    return y * 12 + mo - 1;
}

std::string monthOf(Time t, int utcOffsetMinutes) { return formatDate(dateFromTime(t, utcOffsetMinutes)).substr(0, 7); }

namespace {
// What every metric needs: the chosen pipeline with a stage index, the currency, the filters.
class Scope {
public:
    Scope(const Document& d, const MetricsOptions& o) : doc(d), opt(o) {
        currency = o.displayCurrency.empty() ? d.settings.displayCurrency : o.displayCurrency;
        today = o.today != kNoDate ? o.today : dateFromTime(o.now, o.utcOffsetMinutes);
        Id pid = o.pipelineId.empty() ? d.settings.defaultPipeline : o.pipelineId;
        pipeline = d.findPipeline(pid);
        if (!pipeline && o.pipelineId.empty() && !d.pipelines.empty()) pipeline = &d.pipelines.front();
        if (pipeline)
            for (std::size_t i = 0; i < pipeline->stages.size(); ++i) stageIndex[pipeline->stages[i].id] = long(i);
        if (d.settings.outOfFunnelThreshold > 0)
            threshold = convertMoney(d.settings, d.settings.outOfFunnelThreshold, d.settings.displayCurrency, currency).value_or(0);
    }

    const Document& doc;
    const MetricsOptions& opt;
    std::string currency;
    Date today;
    const Pipeline* pipeline = nullptr;
    std::unordered_map<Id, long> stageIndex;
    double threshold = 0;
    std::set<std::string> missing;

    // Live deals of the chosen pipeline and owner.
    bool inScope(const Deal& d) const {
        return pipeline && !d.deleted && d.pipelineId == pipeline->id && (opt.owner.empty() || d.owner == opt.owner);
    }
    bool inPeriod(Time t) const { return t != 0 && (opt.from == 0 || t >= opt.from) && (opt.to == 0 || t < opt.to); }
    long indexOf(const Id& stageId) const {
        // A pipeline has a handful of stages: comparing ids beats hashing them (called for every
        // deal and stage entry by several metrics).
        // From the back: with a stage id twice, the last one, as stageIndex holds it.
        if (pipeline && pipeline->stages.size() <= 16) {
            for (std::size_t i = pipeline->stages.size(); i-- > 0;)
                if (pipeline->stages[i].id == stageId) return long(i);
            return -1;
        }
        auto it = stageIndex.find(stageId);
        return it == stageIndex.end() ? -1 : it->second;
    }
    const Stage* stageOf(const Deal& d) const {
        const long i = indexOf(d.stageId);
        return i < 0 ? nullptr : &pipeline->stages[std::size_t(i)];
    }
    int probability(const Deal& d) const {
        if (d.probability) return *d.probability;
        const Stage* s = stageOf(d);
        return s ? s->probability : 0;
    }
    std::optional<double> money(double amount, const std::string& c) {
        auto v = convert(amount, c);
        if (!v) missing.insert(c);
        return v;
    }
    // convertMoney(doc.settings, amount, c, currency) with each currency's rate looked up once
    // (every metric converts every deal; the map lookups were a good part of a report).
    std::optional<double> convert(double amount, const std::string& c) const {
        if (c == currency) return amount;
        const std::optional<double> from = rateOf(c), target = rateOf(currency);
        if (!from || !target) return std::nullopt;
        return amount * *from / *target;
    }
    std::optional<double> value(const Deal& d) { return money(d.value, d.currency); }
    // Below the threshold (in a known currency): kept out of the funnel. A value of 0 means
    // "not known yet" (a fresh lead), not a small order.
    bool outOfFunnel(const Deal& d) const {
        if (threshold <= 0 || d.value <= 0) return false;
        auto v = convert(d.value, d.currency);
        return v && *v < threshold;
    }
    bool wonStage(const Deal& d) const {
        return pipeline && !pipeline->stages.empty() && pipeline->stages.back().probability == 100 &&
               d.stageId == pipeline->stages.back().id;
    }
    std::vector<std::string> missingList() const { return {missing.begin(), missing.end()}; }

private:
    // The rate of `c` relative to settings.displayCurrency, as convertMoney reads it.
    std::optional<double> rateOf(const std::string& c) const {
        for (const auto& [code, rate] : rates)
            if (code == c) return rate;
        std::optional<double> rate;
        if (c == doc.settings.displayCurrency) {
            rate = 1.0;
        } else if (auto it = doc.settings.rates.find(c); it != doc.settings.rates.end() && it->second > 0) {
            rate = it->second;
        }
        rates.emplace_back(c, rate);
        return rate;
    }
    mutable std::vector<std::pair<std::string, std::optional<double>>> rates;  // the few currencies seen
};

int daysBetween(Date from, Date to) { return int(to - from); }
}  // namespace

FunnelTotals funnelTotals(const Document& doc, const MetricsOptions& opt) {
    Scope s(doc, opt);
    FunnelTotals t;
    if (!s.pipeline) return t;
    for (const Stage& st : s.pipeline->stages) t.stages.push_back(StageTotals{st.id});
    for (const Deal& d : doc.deals) {
        if (!s.inScope(d)) continue;
        if (!(d.status == DealStatus::Open || (d.status == DealStatus::Won && s.wonStage(d)))) continue;
        if (!opt.includeOutOfFunnel && s.outOfFunnel(d)) continue;
        const long i = s.indexOf(d.stageId);
        StageTotals& bucket = i < 0 ? t.unknownStage : t.stages[std::size_t(i)];
        bucket.count++;
        t.count++;
        if (auto v = s.value(d)) {
            const double w = *v * s.probability(d) / 100.0;
            bucket.value += *v;
            bucket.weighted += w;
            t.value += *v;
            t.weighted += w;
        }
    }
    t.missingCurrencies = s.missingList();
    return t;
}

Forecast forecastByMonth(const Document& doc, const MetricsOptions& opt) {
    Scope s(doc, opt);
    // Keyed year * 12 + month - 1 (-1: no date), which sorts as the "YYYY-MM" names do; each
    // month named once, not once per deal.
    std::map<int, ForecastMonth> months;
    for (const Deal& d : doc.deals) {
        if (!s.inScope(d) || d.status != DealStatus::Open) continue;
        if (!opt.includeOutOfFunnel && s.outOfFunnel(d)) continue;
        const int key = d.expectedClose == kNoDate ? -1 : monthNumber(d.expectedClose);
        ForecastMonth& m = months[key];
        if (m.count == 0 && key >= 0) m.month = formatDate(d.expectedClose).substr(0, 7);
        m.count++;
        if (auto v = s.value(d)) {
            m.value += *v;
            m.weighted += *v * s.probability(d) / 100.0;
        }
    }
    Forecast f;
    for (auto& [k, m] : months) f.months.push_back(m);
    f.missingCurrencies = s.missingList();
    return f;
}

Progress progressInPeriod(const Document& doc, const MetricsOptions& opt) {
    Scope s(doc, opt);
    Progress p;
    // Advanced activities done in the period, counted per deal id in an open-addressing table
    // (one block of memory, no node per id); a hash map of every deal in scope cost most of a
    // 100k-deal report.
    std::vector<const Activity*> advanced;
    for (const Activity& a : doc.activities)
        if (!a.deleted && a.advanced && s.inPeriod(a.doneAt) && !a.dealId.empty()) advanced.push_back(&a);
    std::size_t slots = 16;
    while (slots < advanced.size() * 2) slots *= 2;
    struct Slot {  // 8 bytes, so the table stays in cache: the id's hash bits, then its deal id
        std::uint32_t tag = 0;
        std::int32_t count = 0;  // activities; 0 empty; -1 counted already
    };
    std::vector<Slot> advancedOf(advanced.empty() ? 0 : slots);
    std::vector<std::string_view> slotId(advancedOf.size());
    const std::hash<std::string_view> hashId;
    auto slotOf = [&](std::string_view id) -> std::size_t {
        const std::size_t h = hashId(id);
        const auto tag =
            std::uint32_t((std::uint64_t(h) >> 32) ^ std::uint64_t(h));  // size_t is 32 bits in wasm
        std::size_t i = h & (slots - 1);
        while (advancedOf[i].count && (advancedOf[i].tag != tag || slotId[i] != id))
            i = (i + 1) & (slots - 1);
        advancedOf[i].tag = tag;
        return i;
    };
    for (const Activity* a : advanced) {
        const std::size_t i = slotOf(a->dealId);
        slotId[i] = a->dealId;
        advancedOf[i].count++;
    }
    // Entries per stage: by index for the pipeline's stages, in a short list for other ids; put in
    // p.entered at the end.
    std::vector<int> enteredStage(s.pipeline ? s.pipeline->stages.size() : 0, 0);
    std::vector<std::pair<const Id*, int>> entered;
    auto enter = [&](const Id& stageId) {
        for (auto& [id, n] : entered)
            if (*id == stageId) {
                ++n;
                return;
            }
        entered.emplace_back(&stageId, 1);
    };
    for (const Deal& d : doc.deals) {
        if (!s.inScope(d)) continue;
        if (!advanced.empty()) {
            // Taken once counted: a deal id seen twice still counts its activities once.
            Slot& slot = advancedOf[slotOf(d.id)];
            if (slot.count > 0) {
                p.advancedActivities += slot.count;
                slot.count = -1;  // counted (probing goes on past it)
            }
        }
        if (s.inPeriod(d.createdAt)) p.created++;
        long prevIndex = -2;  // the previous entry's stage index when looked up (-2: not)
        for (std::size_t i = 0; i < d.stageHistory.size(); ++i) {
            const StageEntry& e = d.stageHistory[i];
            if (!s.inPeriod(e.at)) {
                prevIndex = -2;
                continue;
            }
            const long to = s.indexOf(e.stageId);
            if (to >= 0)
                enteredStage[std::size_t(to)]++;
            else
                enter(e.stageId);
            const long from =
                prevIndex != -2 || i == 0 ? prevIndex : s.indexOf(d.stageHistory[i - 1].stageId);
            prevIndex = to;
            if (i == 0) continue;  // the first entry is the creation, not a move
            p.moves++;
            if (from >= 0 && to >= 0) {
                if (to > from) p.forward++;
                else if (to < from) p.backward++;
            }
        }
        if (s.inPeriod(d.closedAt)) {
            if (d.status == DealStatus::Won) p.won++;
            if (d.status == DealStatus::Lost) p.lost++;
        }
    }
    for (std::size_t k = 0; k < enteredStage.size(); ++k)
        if (enteredStage[k]) p.entered[s.pipeline->stages[k].id] += enteredStage[k];
    for (const auto& [id, n] : entered) p.entered[*id] += n;
    return p;
}

OutOfFunnel outOfFunnelSales(const Document& doc, const MetricsOptions& opt) {
    Scope s(doc, opt);
    OutOfFunnel o;
    o.threshold = s.threshold;
    for (const Deal& d : doc.deals) {
        if (!s.inScope(d) || d.status == DealStatus::Lost) continue;
        const auto v = s.value(d);  // records a missing rate: such a deal cannot be judged
        if (!v || !s.outOfFunnel(d)) continue;
        o.count++;
        o.value += *v;
        if (d.status == DealStatus::Won) {
            o.wonCount++;
            o.wonValue += *v;
        }
    }
    o.missingCurrencies = s.missingList();
    return o;
}

std::vector<StageConversion> stageConversion(const Document& doc, const MetricsOptions& opt) {
    Scope s(doc, opt);
    std::vector<StageConversion> out;
    if (!s.pipeline || s.pipeline->stages.size() < 2) return out;
    const std::size_t n = s.pipeline->stages.size();
    std::vector<int> reached(n, 0);
    for (const Deal& d : doc.deals) {
        if (!s.inScope(d)) continue;
        if ((opt.from || opt.to) && !s.inPeriod(d.createdAt)) continue;
        long furthest = s.indexOf(d.stageId);
        for (const StageEntry& e : d.stageHistory) {
            if (furthest == long(n) - 1) break;  // no entry can go further
            furthest = std::max(furthest, s.indexOf(e.stageId));
        }
        if (d.status == DealStatus::Won && s.pipeline->stages.back().probability == 100) furthest = long(n) - 1;
        for (long k = 0; k <= furthest; ++k) reached[std::size_t(k)]++;
    }
    for (std::size_t k = 0; k + 1 < n; ++k) {
        StageConversion c{s.pipeline->stages[k].id, s.pipeline->stages[k + 1].id, reached[k], reached[k + 1], 0};
        c.rate = c.reachedFrom ? double(c.reachedTo) / c.reachedFrom : 0;
        out.push_back(c);
    }
    return out;
}

Outcomes outcomes(const Document& doc, const MetricsOptions& opt) {
    Scope s(doc, opt);
    Outcomes o;
    int valued = 0, cycles = 0, repurchases = 0, renewals = 0;
    double cycleDays = 0, cost = 0, costedRevenue = 0;
    for (const Deal& d : doc.deals) {
        if (!s.inScope(d) || !s.inPeriod(d.closedAt)) continue;
        if (d.status == DealStatus::Lost) {
            o.lost++;
            continue;
        }
        if (d.status != DealStatus::Won) continue;
        o.won++;
        repurchases += d.repurchase;
        renewals += d.renewal;
        if (d.createdAt && d.closedAt >= d.createdAt) {
            cycleDays += double(d.closedAt - d.createdAt) / double(kMsPerDay);
            cycles++;
        }
        if (auto v = s.value(d)) {
            o.wonValue += *v;
            valued++;
            if (auto c = s.money(d.cost, d.currency)) {
                cost += *c;
                costedRevenue += *v;
            }
        }
    }
    if (o.won + o.lost) o.winRate = double(o.won) / (o.won + o.lost);
    if (valued) o.averageWon = o.wonValue / valued;
    if (cycles) o.averageCycleDays = cycleDays / cycles;
    if (o.won) {
        o.repurchaseRate = double(repurchases) / o.won;
        o.renewalRate = double(renewals) / o.won;
    }
    if (costedRevenue > 0) o.costRate = cost / costedRevenue;
    o.missingCurrencies = s.missingList();
    return o;
}

Targets targetAchievement(const Document& doc, const MetricsOptions& opt) {
    Scope s(doc, opt);
    Targets t;
    // Won value per (owner, year * 12 + month - 1): a number per deal, not a formatted month.
    std::map<std::pair<std::string_view, int>, double> achieved;
    for (const Deal& d : doc.deals) {
        if (d.deleted || d.status != DealStatus::Won || !d.closedAt) continue;
        if (auto v = s.value(d))
            achieved[{d.owner, monthNumber(dateFromTime(d.closedAt, opt.utcOffsetMinutes))}] += *v;
    }
    for (const auto& [key, target] : doc.settings.targets) {
        const auto colon = key.rfind(':');
        if (colon == std::string::npos) continue;
        TargetAchievement row;
        row.member = key.substr(0, colon);
        row.month = key.substr(colon + 1);
        if (!opt.owner.empty() && row.member != opt.owner) continue;
        row.target = convertMoney(doc.settings, target, doc.settings.displayCurrency, s.currency).value_or(target);
        const int month = monthNumber(row.month);
        auto it = month < 0 ? achieved.end() : achieved.find({row.member, month});
        row.achieved = it == achieved.end() ? 0 : it->second;
        row.rate = row.target > 0 ? row.achieved / row.target : 0;
        t.rows.push_back(row);
    }
    t.missingCurrencies = s.missingList();
    return t;
}

Attention attentionLists(const Document& doc, const MetricsOptions& opt) {
    Scope s(doc, opt);
    Attention out;
    const int off = opt.utcOffsetMinutes;
    const bool allOwners = opt.owner.empty();

    // One pass over activities: last done per customer, planned ahead per customer, after-sales
    // done per deal, overdue planned activities.
    std::unordered_map<Id, Time> lastDone;
    std::unordered_map<Id, bool> plannedAhead;
    std::unordered_map<Id, int> afterSalesDone;
    std::unordered_set<Id> dealsWithPlan;  // deals with a planned activity: their card shows that, not the next step
    std::vector<const Activity*> overdue, dueToday;
    for (const Activity& a : doc.activities) {
        if (a.deleted) continue;
        if (a.doneAt) {
            Time& t = lastDone[a.customerId];
            t = std::max(t, a.doneAt);
            if (a.kind == ActivityKind::AfterSales && !a.dealId.empty()) afterSalesDone[a.dealId]++;
        } else if (a.due) {
            if (!a.dealId.empty()) dealsWithPlan.insert(a.dealId);
            const bool mine = allOwners || a.owner == opt.owner;
            if (a.due >= opt.now) {
                plannedAhead[a.customerId] = true;
                if (mine && dateFromTime(a.due, off) == s.today) dueToday.push_back(&a);
            } else if (mine) {
                overdue.push_back(&a);
            }
        }
    }
    auto byDue = [](const Activity* x, const Activity* y) { return x->due != y->due ? x->due < y->due : x->id < y->id; };
    std::sort(overdue.begin(), overdue.end(), byDue);
    for (const Activity* a : overdue) out.overdueActivities.push_back(a->id);
    std::sort(dueToday.begin(), dueToday.end(), byDue);
    for (const Activity* a : dueToday) out.dueTodayActivities.push_back(a->id);

    for (const Customer& c : doc.customers) {
        if (c.deleted || (!allOwners && c.owner != opt.owner)) continue;
        if (plannedAhead.count(c.id)) continue;  // the next touch is already planned
        auto it = lastDone.find(c.id);
        const Time base = std::max(it == lastDone.end() ? Time(0) : it->second, c.createdAt);
        if (!base) continue;
        auto cadence = doc.settings.cadenceDays.find(toString(c.grade));
        if (cadence == doc.settings.cadenceDays.end()) continue;
        const Date due = dateFromTime(base, off) + cadence->second;
        if (due <= s.today) out.followUps.push_back(FollowUpDue{c.id, due, daysBetween(due, s.today)});
    }
    std::stable_sort(out.followUps.begin(), out.followUps.end(),
                     [](const FollowUpDue& x, const FollowUpDue& y) { return x.daysOverdue > y.daysOverdue; });

    // Stages of every pipeline, for rotting limits.
    std::unordered_map<std::string, int> rottingOf;
    for (const Pipeline& p : doc.pipelines)
        for (const Stage& st : p.stages) rottingOf[p.id + '\n' + st.id] = st.rottingDays;

    std::vector<std::pair<Date, Id>> lateSteps;
    for (const Deal& d : doc.deals) {
        if (d.deleted || (!allOwners && d.owner != opt.owner)) continue;
        if (d.status == DealStatus::Won && d.closedAt) {
            const int done = afterSalesDone.count(d.id) ? afterSalesDone[d.id] : 0;
            if (done < int(doc.settings.afterSalesDays.size())) {
                const Date due = dateFromTime(d.closedAt, off) + doc.settings.afterSalesDays[std::size_t(done)];
                if (due <= s.today) out.afterSales.push_back(AfterSalesDue{d.id, done, due, daysBetween(due, s.today)});
            }
        } else if (d.status == DealStatus::Open) {
            if (d.nextStepDue != kNoDate && d.nextStepDue <= s.today && !dealsWithPlan.count(d.id)) {
                if (d.nextStepDue < s.today) lateSteps.emplace_back(d.nextStepDue, d.id);
                else out.dueTodayNextSteps.push_back(d.id);
            }
            auto r = rottingOf.find(d.pipelineId + '\n' + d.stageId);
            if (r != rottingOf.end() && r->second > 0) {
                Time last = std::max(d.lastActivityAt, d.createdAt);
                if (!d.stageHistory.empty()) last = std::max(last, d.stageHistory.back().at);
                if (last) {
                    const int idle = daysBetween(dateFromTime(last, off), s.today);
                    if (idle > r->second) out.rotting.push_back(RottingDeal{d.id, idle, r->second});
                }
            }
        } else if (d.status == DealStatus::Suspended && d.suspendedUntil != kNoDate && d.suspendedUntil <= s.today) {
            out.suspendedDue.push_back(d.id);
        }
    }
    std::sort(lateSteps.begin(), lateSteps.end());
    for (auto& [due, id] : lateSteps) out.overdueNextSteps.push_back(std::move(id));
    std::stable_sort(out.afterSales.begin(), out.afterSales.end(),
                     [](const AfterSalesDue& x, const AfterSalesDue& y) { return x.daysOverdue > y.daysOverdue; });
    std::stable_sort(out.rotting.begin(), out.rotting.end(),
                     [](const RottingDeal& x, const RottingDeal& y) { return x.idleDays > y.idleDays; });
    return out;
}

}  // namespace funnel
