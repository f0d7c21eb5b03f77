// Funnel — model.h's lookups, the default document, ids, calendar arithmetic and enum names.
#include "core/model.h"

#include <array>
#include <cmath>
#include <cstdio>
#include <random>

namespace funnel {

// [SECTION] Lookups

const std::string& LocalText::get(const std::string& lang) const {
    static const std::string empty;
    auto it = byLang.find(lang);
    if (it != byLang.end() && !it->second.empty()) return it->second;
    it = byLang.find("en");
    if (it != byLang.end() && !it->second.empty()) return it->second;
    for (const auto& [l, text] : byLang)
        if (!text.empty()) return text;
    return empty;
}

template <class Records>
static auto findById(Records& records, const Id& id) -> decltype(&records[0]) {
    if (id.empty()) return nullptr;
    for (auto& r : records)
        if (r.id == id) return &r;
    return nullptr;
}

const Stage* Pipeline::findStage(const Id& stageId) const { return findById(stages, stageId); }
Stage* Pipeline::findStage(const Id& stageId) { return findById(stages, stageId); }

const Pipeline* Document::findPipeline(const Id& id) const { return findById(pipelines, id); }
const Customer* Document::findCustomer(const Id& id) const { return findById(customers, id); }
const Contact* Document::findContact(const Id& id) const { return findById(contacts, id); }
const Deal* Document::findDeal(const Id& id) const { return findById(deals, id); }
const Activity* Document::findActivity(const Id& id) const { return findById(activities, id); }
const Member* Document::findMember(const Id& id) const { return findById(members, id); }
Pipeline* Document::findPipeline(const Id& id) { return findById(pipelines, id); }
Customer* Document::findCustomer(const Id& id) { return findById(customers, id); }
Contact* Document::findContact(const Id& id) { return findById(contacts, id); }
Deal* Document::findDeal(const Id& id) { return findById(deals, id); }
Activity* Document::findActivity(const Id& id) { return findById(activities, id); }
Member* Document::findMember(const Id& id) { return findById(members, id); }

int Document::probabilityOf(const Deal& deal) const {
    if (deal.probability) return *deal.probability;
    if (const Pipeline* p = findPipeline(deal.pipelineId))
        if (const Stage* s = p->findStage(deal.stageId)) return s->probability;
    return 0;
}

// [SECTION] The default document

namespace {
struct DefaultStage {
    const char* key;
    const char* en;
    const char* zhHans;
    const char* zhHant;
    const char* ko;
    int probability;
    int rottingDays;
    std::vector<std::array<const char*, 4>> playbook;  // each item in en, zh-Hans, zh-Hant, ko
};

const std::vector<DefaultStage>& defaultStages() {
    static const std::vector<DefaultStage> stages = {
        {"lead", "Lead", "线索", "線索", "리드", 5, 30,
         {{"Note how the lead was found (referral, event, call, inbound)", "记录线索来源（转介绍、活动、电话、主动咨询）",
           "記錄線索來源（轉介紹、活動、電話、主動諮詢）", "리드 발굴 경로 기록 (소개, 행사, 전화, 문의)"},
          {"Find a contact person", "找到联系人", "找到聯絡人", "담당자 찾기"}}},
        {"qualified", "Qualified", "已确认", "已確認", "자격 확인", 10, 21,
         {{"First contact made", "已首次接触", "已首次接觸", "첫 연락 완료"},
          {"Money: budget exists", "资金：有预算", "資金：有預算", "예산: 예산 확보됨"},
          {"Authority: decision maker known", "权限：已知决策人", "權限：已知決策人", "권한: 의사결정자 파악"},
          {"Need: pain point confirmed", "需求：痛点已确认", "需求：痛點已確認", "니즈: 문제점 확인"},
          {"Timing: purchase window known", "时机：已知采购时间", "時機：已知採購時間", "시기: 구매 시점 파악"}}},
        {"needs", "Needs analysis", "需求分析", "需求分析", "요구 분석", 20, 14,
         {{"Ask open questions about pain points", "就痛点提开放式问题", "就痛點提開放式問題", "문제점에 대해 열린 질문하기"},
          {"Budget and decision process known", "已了解预算和决策流程", "已了解預算和決策流程", "예산과 의사결정 절차 파악"},
          {"Key evaluation items listed", "已列出关键评估项", "已列出關鍵評估項", "핵심 평가 항목 정리"}}},
        {"demo", "Solution / demo", "方案演示", "方案演示", "솔루션 시연", 40, 14,
         {{"Demo prepared for the right people", "为合适的人准备演示", "為合適的人準備演示", "적합한 참석자를 위한 시연 준비"},
          {"Key person (KP) identified", "已识别关键人（KP）", "已識別關鍵人（KP）", "핵심 인물(KP) 파악"},
          {"Next step agreed", "已约定下一步", "已約定下一步", "다음 단계 합의"}}},
        {"proposal", "Proposal / quote", "报价", "報價", "제안", 60, 10,
         {{"Tailored proposal written", "已撰写定制方案", "已撰寫客製方案", "맞춤 제안서 작성"},
          {"Formal quote sent", "已发送正式报价", "已發送正式報價", "정식 견적 발송"},
          {"Quote walked through with the KP", "已与关键人逐项讲解报价", "已與關鍵人逐項講解報價", "KP와 견적 검토 완료"}}},
        {"negotiation", "Negotiation", "商务谈判", "商務談判", "협상", 80, 7,
         {{"Objections listed and answered", "异议已列出并回应", "異議已列出並回應", "이의 사항 정리 및 답변"},
          {"Price and payment terms agreed", "价格和付款条件已谈妥", "價格和付款條件已談妥", "가격 및 지불 조건 합의"},
          {"Delivery date agreed", "交付日期已确定", "交付日期已確定", "납기일 합의"}}},
        {"won", "Won", "赢单", "贏單", "수주", 100, 0,
         {{"Contract signed", "合同已签", "合約已簽", "계약 체결"},
          {"Order handed over", "订单已交接", "訂單已交接", "주문 인계"},
          {"After-sales follow-ups scheduled", "已安排售后回访", "已安排售後回訪", "사후 관리 일정 수립"}}},
    };
    return stages;
}
}  // namespace

Document makeDefaultDocument(Time now, const Id& pipelineId, const std::string& lang) {
    Document doc;
    Pipeline p;
    p.id = pipelineId;
    p.name.byLang = {{"en", "Sales"}, {"zh-Hans", "销售"}, {"zh-Hant", "銷售"}, {"ko", "영업"}};
    // Stage ids derive from the pipeline id so a second default pipeline never collides.
    const std::string prefix = pipelineId == "p-default" ? "s-" : pipelineId + "-";
    for (const DefaultStage& d : defaultStages()) {
        Stage s;
        s.id = prefix + d.key;
        s.name.byLang = {{"en", d.en}, {"zh-Hans", d.zhHans}, {"zh-Hant", d.zhHant}, {"ko", d.ko}};
        s.probability = d.probability;
        s.rottingDays = d.rottingDays;
        // The checklist is the user's own text (items are keyed by it): written once, in the
        // language the funnel was started in.
        const std::size_t column = lang == "zh-Hans" ? 1 : lang == "zh-Hant" ? 2 : lang == "ko" ? 3 : 0;
        for (const auto& item : d.playbook) s.playbook.push_back(item[column]);
        p.stages.push_back(std::move(s));
    }
    doc.pipelines.push_back(std::move(p));

    Member me;
    me.id = "m-me";
    me.name = "Me";
    me.initials = "ME";
    doc.members.push_back(me);

    doc.settings.me = me.id;
    doc.settings.defaultPipeline = pipelineId;
    doc.settings.theme = "system";  // a new funnel follows the device's light/dark choice
    // Approximate, editable starting rates in CNY so a new team's totals are not empty.
    doc.settings.rates = {{"CNY", 1.0},  {"USD", 7.1},  {"EUR", 7.7},
                          {"HKD", 0.91}, {"TWD", 0.22}, {"KRW", 0.0052}};
    (void)now;  // nothing in the default document is timestamped yet
    return doc;
}

void useCurrencyOf(Settings& settings, const std::string& lang) {
    // Approximate CNY per unit (the default document's starting rates).
    const std::map<std::string, double> cnyPerUnit = {{"CNY", 1.0},  {"USD", 7.1},  {"EUR", 7.7},
                                                      {"HKD", 0.91}, {"TWD", 0.22}, {"KRW", 0.0052}};
    const std::string display = lang == "ko" ? "KRW" : lang == "zh-Hant" ? "TWD" : lang == "en" ? "USD" : "CNY";
    settings.displayCurrency = display;
    settings.rates.clear();
    for (const auto& [c, r] : cnyPerUnit) {
        const double v = r / cnyPerUnit.at(display);
        const double scale = std::pow(10.0, 3 - std::floor(std::log10(v)));  // four significant digits
        settings.rates[c] = std::round(v * scale) / scale;
    }
}

// [SECTION] Ids

Id newId() {
    static std::mt19937_64 gen{[] {
        std::random_device rd;
        return (std::uint64_t(rd()) << 32) ^ rd();
    }()};
    return idFromBits(gen());
}

Id idFromBits(std::uint64_t bits) {
    static const char kDigits[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    char buf[10];
    for (char& c : buf) {
        c = kDigits[bits % 62];
        bits /= 62;
    }
    return Id(buf, sizeof buf);
}

// [SECTION] Dates and times (Howard Hinnant's civil-calendar algorithms)

Date makeDate(int y, int m, int d) {
    y -= m <= 2;
    const int era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<int>(doe) - 719468;
}

void splitDate(Date z, int& year, int& month, int& day) {
    z += 719468;
    const int era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
    month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
    year = static_cast<int>(yoe) + era * 400 + (month <= 2);
}

static std::int64_t floorDiv(std::int64_t a, std::int64_t b) {
    std::int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
    return q;
}

Date dateFromTime(Time t, int utcOffsetMinutes) {
    return static_cast<Date>(floorDiv(t + std::int64_t(utcOffsetMinutes) * 60000, kMsPerDay));
}

Time timeFromDate(Date d, int utcOffsetMinutes) {
    return Time(d) * kMsPerDay - std::int64_t(utcOffsetMinutes) * 60000;
}

std::string formatDate(Date d) {
    if (d == kNoDate) return "";
    int y, m, day;
    splitDate(d, y, m, day);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, day);
    return buf;
}

namespace {
// Reads exactly n digits at s[pos]; false if any is not a digit.
bool digits(const std::string& s, std::size_t pos, int n, int& out) {
    if (pos + n > s.size()) return false;
    out = 0;
    for (int i = 0; i < n; ++i) {
        char c = s[pos + i];
        if (c < '0' || c > '9') return false;
        out = out * 10 + (c - '0');
    }
    return true;
}

int daysInMonth(int y, int m) {
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

bool parseYmd(const std::string& s, int& y, int& m, int& d) {
    if (s.size() < 10 || s[4] != '-' || s[7] != '-') return false;
    if (!digits(s, 0, 4, y) || !digits(s, 5, 2, m) || !digits(s, 8, 2, d)) return false;
    return m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m);
}
}  // namespace

std::optional<Date> parseDate(const std::string& s) {
    int y, m, d;
    if (s.size() != 10 || !parseYmd(s, y, m, d)) return std::nullopt;
    return makeDate(y, m, d);
}

std::string formatTime(Time t) {
    const Date d = dateFromTime(t);
    const std::int64_t msOfDay = t - Time(d) * kMsPerDay;
    int y, m, day;
    splitDate(d, y, m, day);
    char buf[48];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", y, m, day,
                  int(msOfDay / 3600000), int(msOfDay / 60000 % 60), int(msOfDay / 1000 % 60),
                  int(msOfDay % 1000));
    return buf;
}

// Accepts "YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)"; the fraction is truncated to ms.
std::optional<Time> parseTime(const std::string& s) {
    int y, mo, d, h, mi, sec;
    if (!parseYmd(s, y, mo, d) || s.size() < 20 || (s[10] != 'T' && s[10] != 't')) return std::nullopt;
    if (!digits(s, 11, 2, h) || s[13] != ':' || !digits(s, 14, 2, mi) || s[16] != ':' ||
        !digits(s, 17, 2, sec))
        return std::nullopt;
    if (h > 23 || mi > 59 || sec > 60) return std::nullopt;
    std::size_t pos = 19;
    int ms = 0;
    if (pos < s.size() && s[pos] == '.') {
        ++pos;
        int n = 0;
        while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
            if (n < 3) ms = ms * 10 + (s[pos] - '0');
            ++n;
            ++pos;
        }
        if (n == 0) return std::nullopt;
        for (; n < 3; ++n) ms *= 10;
    }
    int offset = 0;
    if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
        ++pos;
    } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
        int oh, om;
        if (!digits(s, pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
            !digits(s, pos + 4, 2, om) || oh > 23 || om > 59)
            return std::nullopt;
        offset = (oh * 60 + om) * (s[pos] == '-' ? -1 : 1);
        pos += 6;
    } else {
        return std::nullopt;
    }
    if (pos != s.size()) return std::nullopt;
    return Time(makeDate(y, mo, d)) * kMsPerDay + (h * 3600LL + mi * 60LL + sec) * 1000 + ms -
           offset * 60000LL;
}

// [SECTION] Enum names

namespace {
template <class E, std::size_t N>
bool lookupName(const std::array<const char*, N>& names, const std::string& s, E& out) {
    for (std::size_t i = 0; i < N; ++i)
        if (s == names[i]) {
            out = static_cast<E>(i);
            return true;
        }
    return false;
}

template <class E, std::size_t N>
const char* nameOf(const std::array<const char*, N>& names, E e) {
    const auto i = static_cast<std::size_t>(e);
    return i < N ? names[i] : "";
}

constexpr std::array<const char*, 4> kGrades = {"A", "B", "C", "D"};
constexpr std::array<const char*, 11> kSources = {"unknown", "website",    "content",    "social",
                                                  "search",  "phone",      "email",      "directMail",
                                                  "exhibition", "ads",     "referral"};
constexpr std::array<const char*, 3> kLevels = {"operational", "management", "decision"};
constexpr std::array<const char*, 7> kRoles = {"unknown",    "decisionMaker", "user",
                                               "technicalGatekeeper", "financialGatekeeper",
                                               "purchasing", "coach"};
constexpr std::array<const char*, 3> kAttitudes = {"neutral", "supporter", "opponent"};
constexpr std::array<const char*, 4> kStatuses = {"open", "won", "lost", "suspended"};
constexpr std::array<const char*, 7> kObjections = {"price",           "function",  "afterSales", "competitor",
                                                    "resourceSupport", "guarantee", "other"};
constexpr std::array<const char*, 10> kKinds = {"call", "visit",     "meeting", "email", "message",
                                                "demo", "quoteSent", "gift",    "event", "afterSales"};
}  // namespace

const char* toString(Grade e) { return nameOf(kGrades, e); }
const char* toString(LeadSource e) { return nameOf(kSources, e); }
const char* toString(ContactLevel e) { return nameOf(kLevels, e); }
const char* toString(BuyingRole e) { return nameOf(kRoles, e); }
const char* toString(Attitude e) { return nameOf(kAttitudes, e); }
const char* toString(DealStatus e) { return nameOf(kStatuses, e); }
const char* toString(ObjectionCategory e) { return nameOf(kObjections, e); }
const char* toString(ActivityKind e) { return nameOf(kKinds, e); }
bool fromString(const std::string& s, Grade& e) { return lookupName(kGrades, s, e); }
bool fromString(const std::string& s, LeadSource& e) { return lookupName(kSources, s, e); }
bool fromString(const std::string& s, ContactLevel& e) { return lookupName(kLevels, s, e); }
bool fromString(const std::string& s, BuyingRole& e) { return lookupName(kRoles, s, e); }
bool fromString(const std::string& s, Attitude& e) { return lookupName(kAttitudes, s, e); }
bool fromString(const std::string& s, DealStatus& e) { return lookupName(kStatuses, s, e); }
bool fromString(const std::string& s, ObjectionCategory& e) { return lookupName(kObjections, s, e); }
bool fromString(const std::string& s, ActivityKind& e) { return lookupName(kKinds, s, e); }

}  // namespace funnel
