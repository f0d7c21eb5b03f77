// Funnel — the demo document generator (demo.h): a believable team's funnel in four languages.
//
// Index:
//   [SECTION] Random numbers (portable)
//   [SECTION] Names and words by language
//   [SECTION] The generator
#include "core/demo.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <vector>

namespace funnel {

// [SECTION] Random numbers (portable)

namespace {
class Dice {
public:
    explicit Dice(std::uint64_t seed) : state_(seed * 0x9E3779B97F4A7C15ull + 0x632BE59BD9B4E019ull) {}
    std::uint64_t next() {  // splitmix64
        std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    int below(int n) { return n <= 0 ? 0 : int(next() % std::uint64_t(n)); }
    int between(int lo, int hi) { return lo + below(hi - lo + 1); }  // inclusive
    double unit() { return double(next() >> 11) * (1.0 / 9007199254740992.0); }
    bool chance(double p) { return unit() < p; }
    template <class T, std::size_t N>
    const T& pick(const std::array<T, N>& a) { return a[std::size_t(below(int(N)))]; }
    template <class T>
    const T& pick(const std::vector<T>& v) { return v[std::size_t(below(int(v.size())))]; }
    // An index drawn with the given weights.
    template <std::size_t N>
    int weighted(const std::array<int, N>& w) {
        int total = 0;
        for (int x : w) total += x;
        int r = below(total);
        for (std::size_t i = 0; i < N; ++i) {
            if (r < w[i]) return int(i);
            r -= w[i];
        }
        return int(N) - 1;
    }
    Id id() { return idFromBits(next()); }

private:
    std::uint64_t state_;
};

// [SECTION] Names and words by language

using Words = std::vector<const char*>;

struct Language {
    const char* code;
    Words surnames, givenNames;      // people: surname + given (CJK) or given + " " + surname (en)
    bool givenFirst;
    Words companyPlaces, companyCores, companySuffixes;
    Words industries, regions, titles;
    Words products;                  // deal titles: "<product>" or "<company short> <product>"
    Words labels, lostReasons, objections, nextSteps, subjects, outcomes;
    std::vector<std::pair<const char*, int>> currencies;  // currency, weight
    const char* messenger;           // "wechat", "line", "kakao", ""
};

const std::vector<Language>& languages() {
    static const std::vector<Language> all = {
        {"zh-Hans",
         {"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "林", "高", "罗"},
         {"伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛", "明", "超", "秀英", "建华", "志强", "海燕", "晓东"},
         false,
         {"上海", "北京", "深圳", "杭州", "广州", "成都", "苏州", "南京", "武汉", "西安"},
         {"明远", "华信", "恒达", "瑞丰", "博远", "鼎盛", "汇通", "天成", "中科", "新创", "启明", "嘉禾"},
         {"科技有限公司", "贸易有限公司", "制造有限公司", "医疗器械有限公司", "信息技术有限公司", "物流有限公司"},
         {"制造业", "零售", "医疗", "物流", "教育", "金融", "软件"},
         {"华东", "华北", "华南", "西南", "华中"},
         {"采购经理", "IT总监", "财务总监", "总经理", "运营主管", "工程师"},
         {"ERP 升级", "CRM 部署", "年度维护合同", "设备采购", "仓储系统", "培训服务", "云服务器扩容", "数据平台"},
         {"重点", "战略", "续约", "渠道", "紧急"},
         {"价格太高", "选择了竞争对手", "预算取消", "项目延期", "需求不匹配"},
         {"价格比竞争对手高 15%", "担心售后响应速度", "需要更多功能定制", "付款条件要求 90 天", "希望提供试用"},
         {"安排技术演示", "发送正式报价", "约见财务总监", "准备合同草案", "电话跟进"},
         {"初次拜访", "电话沟通需求", "产品演示", "报价说明会", "商务宴请", "售后回访"},
         {"客户同意安排演示", "见到了决策人", "需要内部讨论", "要求修改报价", "反馈积极"},
         {{"CNY", 85}, {"USD", 10}, {"HKD", 5}},
         "wechat"},
        {"zh-Hant",
         {"陳", "林", "黃", "張", "李", "王", "吳", "劉", "蔡", "楊", "許", "鄭", "謝", "郭", "洪"},
         {"志明", "淑芬", "雅婷", "怡君", "家豪", "俊傑", "美玲", "冠宇", "宗翰", "詩涵", "承恩", "佳穎"},
         false,
         {"台北", "新竹", "台中", "高雄", "桃園", "香港", "九龍"},
         {"遠見", "鼎新", "永盛", "華通", "恆信", "德昌", "宏遠", "瑞光", "聯成", "正興"},
         {"科技股份有限公司", "貿易有限公司", "國際有限公司", "實業股份有限公司", "資訊有限公司"},
         {"半導體", "零售", "醫療", "物流", "餐飲", "金融", "軟體"},
         {"北區", "中區", "南區", "香港"},
         {"採購經理", "資訊長", "財務長", "總經理", "廠長", "專案經理"},
         {"ERP 導入", "POS 更新", "年度維護合約", "設備採購", "倉儲系統", "教育訓練", "雲端遷移"},
         {"重點", "策略", "續約", "通路"},
         {"價格太高", "選擇競爭對手", "預算刪減", "專案延後"},
         {"價格比對手高", "擔心售後服務", "需要客製功能", "希望延長保固"},
         {"安排產品展示", "寄送正式報價", "拜訪財務長", "準備合約"},
         {"初次拜訪", "電話需求訪談", "產品展示", "報價說明", "節慶送禮", "售後回訪"},
         {"客戶同意試用", "見到決策者", "需要內部評估", "要求降價"},
         {{"TWD", 70}, {"HKD", 20}, {"USD", 10}},
         "line"},
        {"ko",
         {"김", "이", "박", "최", "정", "강", "조", "윤", "장", "임", "한", "오"},
         {"민준", "서연", "지훈", "수빈", "도윤", "하은", "현우", "지민", "예준", "서윤", "준호", "유진"},
         false,
         {"(주)", "", "", ""},
         {"한빛", "대성", "미래", "새솔", "푸른", "동방", "한결", "누리", "세움", "다온", "아람", "가온"},
         {"테크", "산업", "물산", "정보통신", "바이오", "로지스", "전자"},
         {"제조", "유통", "의료", "물류", "교육", "금융", "소프트웨어"},
         {"서울", "경기", "부산", "대구", "인천", "대전"},
         {"구매팀장", "IT팀장", "재무이사", "대표이사", "공장장", "선임연구원"},
         {"ERP 도입", "CRM 구축", "연간 유지보수 계약", "장비 구매", "물류 시스템", "교육 서비스", "클라우드 전환"},
         {"중요", "전략", "갱신", "파트너"},
         {"가격이 높음", "경쟁사 선택", "예산 삭감", "프로젝트 연기"},
         {"경쟁사보다 가격이 높음", "A/S 대응 속도 우려", "맞춤 기능 필요", "결제 조건 협의 필요"},
         {"기술 시연 일정 잡기", "정식 견적 발송", "재무이사 미팅", "계약서 초안 준비"},
         {"첫 방문", "요구사항 통화", "제품 시연", "견적 설명", "명절 선물", "사후 관리 방문"},
         {"시연 일정 합의", "결정권자 면담", "내부 검토 필요", "견적 조정 요청"},
         {{"KRW", 85}, {"USD", 15}},
         "kakao"},
        {"en",
         {"Smith", "Johnson", "Brown", "Miller", "Davis", "Wilson", "Taylor", "Clark", "Lewis", "Walker", "Hall", "Young"},
         {"James", "Emma", "Oliver", "Sophia", "Liam", "Ava", "Noah", "Mia", "Lucas", "Grace", "Daniel", "Chloe"},
         true,
         {"Northwind", "Blue Harbor", "Summit", "Brightline", "Cedar", "Ironwood", "Redstone", "Silverlake", "Oakridge", "Meridian"},
         {"Systems", "Logistics", "Foods", "Medical", "Retail", "Manufacturing", "Labs", "Energy"},
         {"Inc.", "Ltd.", "GmbH", "LLC", "plc"},
         {"Manufacturing", "Retail", "Healthcare", "Logistics", "Education", "Finance", "Software"},
         {"West", "East", "Central", "EMEA", "North"},
         {"Procurement Manager", "CIO", "CFO", "CEO", "Plant Manager", "Operations Lead"},
         {"ERP rollout", "CRM deployment", "Annual maintenance", "Equipment purchase", "Warehouse system", "Training package", "Cloud migration"},
         {"hot", "strategic", "renewal", "partner"},
         {"Price too high", "Chose a competitor", "Budget cut", "Project postponed"},
         {"15% above the competitor", "Worried about support response", "Needs custom features", "Wants 90-day payment terms"},
         {"Book a technical demo", "Send the formal quote", "Meet the CFO", "Draft the contract"},
         {"First visit", "Discovery call", "Product demo", "Quote walkthrough", "Holiday card", "After-sales check-in"},
         {"Agreed to a demo", "Met the decision maker", "Needs internal review", "Asked for a better price"},
         {{"USD", 60}, {"EUR", 40}},
         ""},
    };
    return all;
}

const Language& languageFor(const std::string& code, Dice& dice) {
    const auto& all = languages();
    for (const Language& l : all)
        if (code == l.code) return l;
    return all[std::size_t(dice.below(int(all.size())))];  // "" (or unknown): a mixed team
}

std::string personName(const Language& l, Dice& dice) {
    const std::string surname = dice.pick(l.surnames), given = dice.pick(l.givenNames);
    return l.givenFirst ? given + " " + surname : surname + given;
}

std::string companyName(const Language& l, Dice& dice) {
    const std::string place = dice.pick(l.companyPlaces), core = dice.pick(l.companyCores), suffix = dice.pick(l.companySuffixes);
    if (std::string(l.code) == "en") return place + " " + core + " " + suffix;
    return place + core + suffix;
}

// US dollars per unit, for realistic values and the rate table.
double usdPerUnit(const std::string& c) {
    if (c == "CNY") return 0.14;
    if (c == "TWD") return 0.031;
    if (c == "HKD") return 0.128;
    if (c == "KRW") return 0.00072;
    if (c == "EUR") return 1.08;
    return 1.0;
}

const char* displayCurrencyFor(const std::string& lang) {
    if (lang == "zh-Hant") return "TWD";
    if (lang == "ko") return "KRW";
    if (lang == "en") return "USD";
    return "CNY";
}

std::string pickCurrency(const Language& l, Dice& dice) {
    int total = 0;
    for (const auto& [c, w] : l.currencies) total += w;
    int r = dice.below(total);
    for (const auto& [c, w] : l.currencies) {
        if (r < w) return c;
        r -= w;
    }
    return l.currencies.front().first;
}

// A deal size: log-uniform between 2k and 400k USD, rounded the way people quote.
double dealValue(const std::string& currency, Dice& dice) {
    const double usd = 2000.0 * std::pow(200.0, dice.unit());
    const double local = usd / usdPerUnit(currency);
    const double step = currency == "KRW" ? 100000.0 : currency == "TWD" ? 1000.0 : 100.0;
    return std::max(step, std::round(local / step) * step);
}

std::string initialsOf(const std::string& name, bool latin) {
    if (latin) {
        std::string out;
        out += name[0];
        const auto sp = name.find(' ');
        if (sp != std::string::npos) out += name[sp + 1];
        return out;
    }
    // The given name's first character (one UTF-8 sequence of three bytes for CJK and Hangul).
    return name.size() >= 6 ? name.substr(3, 3) : name.substr(0, 3);
}
}  // namespace

// [SECTION] The generator

Document makeDemoDocument(std::uint32_t seed, int dealCount, Time now, const std::string& lang) {
    Dice dice(seed);
    Document doc = makeDefaultDocument(now, "p-default", lang);
    dealCount = std::max(0, dealCount);
    const Pipeline& pipeline = doc.pipelines[0];
    const int stageCount = int(pipeline.stages.size());
    const Date today = dateFromTime(now);
    auto dayTime = [&](int daysAgo, int hour) { return timeFromDate(today - daysAgo) + Time(hour) * 3600000 + Time(dice.below(60)) * 60000; };

    // Settings: the display currency of the language, rates for every demo currency.
    Settings& st = doc.settings;
    st.displayCurrency = displayCurrencyFor(lang);
    st.rates.clear();
    for (const char* c : {"CNY", "TWD", "HKD", "KRW", "USD", "EUR"}) st.rates[c] = usdPerUnit(c) / usdPerUnit(st.displayCurrency);
    st.outOfFunnelThreshold = std::round(1500.0 / usdPerUnit(st.displayCurrency));

    // Team: a manager and reps, about one rep per 12 deals (3 to 20). Member "m-me" is a rep.
    const int reps = std::clamp(dealCount / 12, 3, 20);
    doc.members.clear();
    for (int i = 0; i <= reps; ++i) {
        const Language& l = languageFor(lang, dice);
        Member m;
        m.id = i == 0 ? Id("m-me") : dice.id();
        m.name = personName(l, dice);
        m.initials = initialsOf(m.name, l.givenFirst);
        m.role = i == reps ? "manager" : "rep";
        doc.members.push_back(m);
    }
    auto rep = [&]() -> const Id& { return doc.members[std::size_t(dice.below(reps))].id; };

    // Customers and their contacts.
    const int customerCount = std::max(8, dealCount * 3 / 5);
    std::vector<const Language*> customerLang;
    std::vector<std::vector<Id>> contactsOf(static_cast<std::size_t>(customerCount));
    doc.customers.reserve(std::size_t(customerCount));
    doc.contacts.reserve(std::size_t(customerCount) * 2);
    static const std::array<int, 4> gradeWeights = {15, 30, 35, 20};
    static const std::array<int, 7> roleWeights = {25, 20, 15, 15, 15, 5, 5};  // unknown … coach
    for (int i = 0; i < customerCount; ++i) {
        const Language& l = languageFor(lang, dice);
        customerLang.push_back(&l);
        Customer c;
        c.id = dice.id();
        c.name = companyName(l, dice);
        c.industry = dice.pick(l.industries);
        c.region = dice.pick(l.regions);
        c.grade = Grade(dice.weighted(gradeWeights));
        c.source = LeadSource(dice.between(1, int(LeadSource::Referral)));
        if (c.source == LeadSource::Referral) {
            if (i > 0) c.referredBy = doc.customers[std::size_t(dice.below(i))].id;
            else c.source = LeadSource::Exhibition;
        }
        c.owner = rep();
        c.size = dice.pick(std::array<const char*, 4>{"1-50", "50-200", "200-1000", "1000+"});
        c.createdAt = dayTime(dice.between(60, 420), dice.between(8, 18));
        if (dice.chance(0.3)) c.tags = {dice.pick(l.labels)};
        doc.customers.push_back(std::move(c));
        const int contacts = dice.between(1, 3);
        for (int k = 0; k < contacts; ++k) {
            Contact p;
            p.id = dice.id();
            p.customerId = doc.customers.back().id;
            p.name = personName(l, dice);
            p.title = dice.pick(l.titles);
            p.level = ContactLevel(dice.below(3));
            p.role = BuyingRole(dice.weighted(roleWeights));
            if (k == 0 && contacts > 1) p.role = BuyingRole::DecisionMaker;
            p.attitude = Attitude(dice.weighted(std::array<int, 3>{50, 35, 15}));
            if (*l.messenger) p.messenger = std::string(l.messenger) + ":" + p.id.substr(0, 8);
            p.email = p.id.substr(0, 6) + "@example.com";
            contactsOf[std::size_t(i)].push_back(p.id);
            doc.contacts.push_back(std::move(p));
        }
    }

    // Deals.
    static const std::array<int, 6> openStageWeights = {25, 20, 16, 14, 13, 12};
    static const std::array<int, 4> statusWeights = {70, 15, 10, 5};  // open, won, lost, suspended
    std::vector<int> columnOrder(std::size_t(stageCount), 0);
    doc.deals.reserve(std::size_t(dealCount));
    doc.activities.reserve(std::size_t(dealCount) * 3);
    const bool withChanges = dealCount <= 1000;
    for (int i = 0; i < dealCount; ++i) {
        const int ci = dice.below(customerCount);
        const Customer& customer = doc.customers[std::size_t(ci)];
        const Language& l = *customerLang[std::size_t(ci)];
        Deal d;
        d.id = dice.id();
        d.title = dice.pick(l.products);
        d.customerId = customer.id;
        d.pipelineId = pipeline.id;
        d.owner = dice.chance(0.8) ? customer.owner : rep();
        d.currency = pickCurrency(l, dice);
        d.value = dealValue(d.currency, dice);
        d.status = DealStatus(dice.weighted(statusWeights));
        if (i >= 1 && i <= 3) d.status = DealStatus(i);  // even a small demo shows won, lost and suspended
        const int ageDays = dice.between(3, 240);
        d.createdAt = std::max(customer.createdAt, dayTime(ageDays, dice.between(8, 19)));
        const int stage = d.status == DealStatus::Won ? stageCount - 1 : dice.weighted(openStageWeights);
        d.stageId = pipeline.stages[std::size_t(stage)].id;

        // Stage history: forward through the stages (sometimes skipping one, sometimes one step
        // back), spread between creation and a few days ago.
        const Time span = std::max<Time>(now - d.createdAt - kMsPerDay, kMsPerDay);
        Time t = d.createdAt;
        int at = (stage > 0 && dice.chance(0.2)) ? 1 : 0;  // some leads arrive qualified
        d.stageHistory.push_back(StageEntry{pipeline.stages[std::size_t(at)].id, t});
        while (at < stage) {
            at = std::min(stage, at + (dice.chance(0.15) ? 2 : 1));
            t += std::max<Time>(3600000, Time(dice.unit() * double(span) / (stage + 1)));
            d.stageHistory.push_back(StageEntry{pipeline.stages[std::size_t(at)].id, t});
            if (at < stage && at > 0 && dice.chance(0.06)) {  // a step back, then forward again
                t += 3600000 * dice.between(2, 48);
                d.stageHistory.push_back(StageEntry{pipeline.stages[std::size_t(at - 1)].id, t});
                t += 3600000 * dice.between(2, 48);
                d.stageHistory.push_back(StageEntry{pipeline.stages[std::size_t(at)].id, t});
            }
        }
        t = std::min(t, now - 3600000);
        if (d.status == DealStatus::Won || d.status == DealStatus::Lost) d.closedAt = std::max(t, d.stageHistory.back().at);
        if (d.status == DealStatus::Lost) d.lostReason = dice.pick(l.lostReasons);
        if (d.status == DealStatus::Suspended) d.suspendedUntil = today + dice.between(-20, 60);
        if (d.status == DealStatus::Open || d.status == DealStatus::Suspended) {
            d.expectedClose = today + dice.between(-10, 120);
            if (dice.chance(0.5)) {
                d.nextStep = dice.pick(l.nextSteps);
                d.nextStepDue = today + dice.between(-5, 14);
            }
        } else {
            d.expectedClose = dateFromTime(d.closedAt);
        }
        if (dice.chance(0.1)) d.probability = dice.between(1, 19) * 5;
        if (dice.chance(0.25)) d.labels = {dice.pick(l.labels)};
        if (stage >= 1) {
            d.qualification.money = dice.chance(0.8);
            d.qualification.authority = dice.chance(0.6);
            d.qualification.need = dice.chance(0.9);
            d.qualification.timing = dice.chance(0.5);
        }
        if (stage >= 2) {
            d.key.budget = std::to_string(int(d.value * 1.1)) + " " + d.currency;
            d.key.decisionProcess = dice.pick(l.titles);
        }
        if (stage >= 4 && dice.chance(0.4)) {
            const int n = dice.between(1, 2);
            for (int k = 0; k < n; ++k)
                d.objections.push_back(Objection{dice.id(), ObjectionCategory(dice.below(7)), dice.pick(l.objections),
                                                 d.status == DealStatus::Won || dice.chance(0.4)});
        }
        const auto& cs = contactsOf[std::size_t(ci)];
        for (const Id& c : cs)
            if (dice.chance(0.6)) d.contactIds.push_back(c);
        if (d.status == DealStatus::Won) {
            d.cost = std::round(d.value * (0.3 + 0.4 * dice.unit()));
            d.repurchase = dice.chance(0.15);
            d.renewal = dice.chance(0.1);
        }
        d.order = (++columnOrder[std::size_t(stage)]) * 1024;

        // Activities: a few done along the way; open deals often have the next one planned
        // (some of them already overdue).
        const int done = dice.between(d.status == DealStatus::Open ? 0 : 1, 3);
        for (int k = 0; k < done; ++k) {
            Activity a;
            a.id = dice.id();
            a.dealId = d.id;
            a.customerId = d.customerId;
            a.kind = ActivityKind(dice.below(9));
            a.subject = dice.pick(l.subjects);
            a.owner = d.owner;
            a.doneAt = d.createdAt + Time(dice.unit() * double(std::max<Time>(std::min(now, d.closedAt ? d.closedAt : now) - d.createdAt, 1)));
            a.advanced = dice.chance(0.3);
            if (dice.chance(0.5)) a.outcome = dice.pick(l.outcomes);
            d.lastActivityAt = std::max(d.lastActivityAt, a.doneAt);
            doc.activities.push_back(std::move(a));
        }
        if (d.status == DealStatus::Won && dice.chance(0.5)) {
            Activity a;
            a.id = dice.id();
            a.dealId = d.id;
            a.customerId = d.customerId;
            a.kind = ActivityKind::AfterSales;
            a.subject = l.subjects.back();
            a.owner = d.owner;
            a.doneAt = std::min(now - 3600000, d.closedAt + 7 * kMsPerDay);
            doc.activities.push_back(std::move(a));
        }
        if (d.status == DealStatus::Open && dice.chance(0.6)) {
            Activity a;
            a.id = dice.id();
            a.dealId = d.id;
            a.customerId = d.customerId;
            a.kind = ActivityKind(dice.below(9));
            a.subject = dice.pick(l.subjects);
            a.owner = d.owner;
            a.due = dayTime(-dice.between(-4, 10), dice.between(9, 17));  // from 4 days ago to 10 ahead
            doc.activities.push_back(std::move(a));
        }
        d.updatedAt = std::max({d.createdAt, d.stageHistory.back().at, d.closedAt, d.lastActivityAt});

        if (withChanges) {
            const std::string who = d.owner;
            doc.changes.push_back(Change{d.createdAt, who, "deal", d.id, "created deal " + d.title, json()});
            for (std::size_t k = 1; k < d.stageHistory.size(); ++k) {
                const Stage* s = pipeline.findStage(d.stageHistory[k].stageId);
                doc.changes.push_back(Change{d.stageHistory[k].at, who, "deal", d.id, "moved to " + s->name.get("en"), json()});
            }
            if (d.status == DealStatus::Won) doc.changes.push_back(Change{d.closedAt, who, "deal", d.id, "won", json()});
            if (d.status == DealStatus::Lost)
                doc.changes.push_back(Change{d.closedAt, who, "deal", d.id, "lost: " + d.lostReason, json()});
        }
        doc.deals.push_back(std::move(d));
    }
    if (withChanges)
        std::stable_sort(doc.changes.begin(), doc.changes.end(), [](const Change& a, const Change& b) { return a.at < b.at; });

    // Monthly targets for each rep: this month and the two before, near their usual won value.
    int y, m, dd;
    splitDate(today, y, m, dd);
    const double monthly = std::max(1.0, double(dealCount)) / reps * 0.15 * 40000.0 / usdPerUnit(st.displayCurrency);
    for (int i = 0; i < reps; ++i)
        for (int back = 0; back < 3; ++back) {
            int mm = m - back, yy = y;
            if (mm <= 0) {
                mm += 12;
                yy -= 1;
            }
            char key[64];
            std::snprintf(key, sizeof key, "%s:%04d-%02d", doc.members[std::size_t(i)].id.c_str(), yy, mm);
            st.targets[key] = std::round(monthly * (0.8 + 0.4 * dice.unit()) / 1000.0) * 1000.0;
        }
    return doc;
}

}  // namespace funnel
