// Funnel — importing and exporting the team's lists (see import.h).
#include "core/import.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <unordered_map>

#include "core/codec.h"

namespace funnel::importer {

namespace {

struct FieldInfo {
    Field field;
    const char* key;
    const char* names[4];              // en, zh-Hans, zh-Hant, ko: what the export writes
    std::vector<const char*> aliases;  // also recognised on import
};

// Header names per field. The first four are written by the export; all are read.
const std::vector<FieldInfo>& fields() {
    static const std::vector<FieldInfo> table = {
        {Field::None, "none", {"", "", "", ""}, {}},
        {Field::CustomerName,
         "customerName",
         {"Customer", "客户名称", "客戶名稱", "고객명"},
         {"customer name", "company",  "company name", "account",  "account name", "organization",
          "organisation",  "客户",     "公司",         "公司名称", "客户名",       "单位",
          "单位名称",      "企业名称", "客戶",         "公司名稱", "客戶名",       "單位",
          "고객",          "회사",     "회사명",       "거래처",   "업체명",       "고객사"}},
        {Field::CustomerPhone,
         "customerPhone",
         {"Company phone", "公司电话", "公司電話", "회사 전화"},
         {"main phone", "总机", "總機", "대표번호", "대표 전화"}},
        {Field::Industry, "industry", {"Industry", "行业", "行業", "업종"}, {"sector", "산업", "业态"}},
        {Field::Region,
         "region",
         {"Region", "地区", "地區", "지역"},
         {"city", "area", "province", "城市", "区域", "省份", "區域", "縣市", "도시", "시도"}},
        {Field::Address, "address", {"Address", "地址", "地址", "주소"}, {"公司地址", "회사 주소"}},
        {Field::Website,
         "website",
         {"Website", "网站", "網站", "웹사이트"},
         {"url", "web", "官网", "官網", "홈페이지"}},
        {Field::Tags, "tags", {"Tags", "标签", "標籤", "태그"}, {"tag", "标记", "標記"}},
        {Field::Notes,
         "notes",
         {"Notes", "备注", "備註", "메모"},
         {"note", "remarks", "comment", "comments", "说明", "說明", "비고"}},
        {Field::Grade,
         "grade",
         {"Grade", "客户等级", "客戶等級", "고객 등급"},
         {"rating", "等级", "等級", "级别", "級別", "등급"}},
        {Field::Source,
         "source",
         {"Source", "来源", "來源", "유입 경로"},
         {"lead source", "线索来源", "客户来源", "客戶來源", "출처", "유입경로"}},
        {Field::Owner,
         "owner",
         {"Owner", "负责人", "負責人", "영업 담당자"},
         {"sales rep", "rep", "salesperson", "account owner", "销售", "销售员", "业务员", "所属销售", "業務",
          "業務員", "영업담당자", "담당 영업"}},
        {Field::ContactName,
         "contactName",
         {"Contact", "联系人", "聯絡人", "담당자"},
         {"contact name", "contact person", "联系人姓名", "姓名", "聯繫人", "聯絡人姓名", "고객 담당자",
          "담당자명", "이름", "name"}},
        {Field::ContactTitle,
         "contactTitle",
         {"Job title", "职位", "職稱", "직책"},
         {"title", "position", "role", "职务", "職位", "職務", "직위"}},
        {Field::Phone,
         "phone",
         {"Phone", "电话", "電話", "전화"},
         {"mobile", "tel", "telephone", "phone number", "cell", "手机", "手机号", "联系电话", "電話號碼",
          "手機", "聯絡電話", "전화번호", "휴대폰", "핸드폰", "연락처"}},
        {Field::Email,
         "email",
         {"Email", "邮箱", "電子郵件", "이메일"},
         {"e-mail", "mail", "email address", "电子邮件", "电子邮箱", "郵箱", "郵件", "電郵", "메일",
          "전자우편"}},
        {Field::Messenger,
         "messenger",
         {"Messenger", "微信", "LINE", "카카오톡"},
         {"wechat", "kakao", "kakaotalk", "line id", "即时通讯", "通訊軟體", "메신저"}},
        {Field::DealTitle,
         "dealTitle",
         {"Deal", "商机", "商機", "영업 기회"},
         {"deal title", "deal name", "opportunity", "商机名称", "项目", "项目名称", "商機名稱", "案件",
          "專案", "영업기회", "딜", "거래명", "프로젝트"}},
        {Field::DealValue,
         "dealValue",
         {"Value", "金额", "金額", "금액"},
         {"amount", "deal value", "price", "预计金额", "商机金额", "預計金額", "예상 금액", "거래 금액"}},
        {Field::Currency, "currency", {"Currency", "币种", "幣別", "통화"}, {"货币", "貨幣", "幣種", "화폐"}},
        {Field::Stage,
         "stage",
         {"Stage", "阶段", "階段", "단계"},
         {"deal stage", "销售阶段", "商机阶段", "銷售階段", "영업 단계"}},
        {Field::ExpectedClose,
         "expectedClose",
         {"Expected close", "预计成交日期", "預計成交日", "예상 마감일"},
         {"close date", "expected close date", "预计成交", "成交日期", "預計成交日期", "마감일",
          "예상 계약일"}},
        {Field::Labels, "labels", {"Labels", "商机标签", "商機標籤", "딜 라벨"}, {"deal labels", "라벨"}},
        {Field::DealStatus, "dealStatus", {"Status", "状态", "狀態", "상태"}, {}},
        {Field::ActivityKind, "activityKind", {"Kind", "类型", "類型", "유형"}, {}},
        {Field::ActivitySubject, "activitySubject", {"Subject", "主题", "主題", "제목"}, {}},
        {Field::ActivityDue, "activityDue", {"Due", "计划时间", "預定時間", "예정"}, {}},
        {Field::ActivityDone, "activityDone", {"Done", "完成时间", "完成時間", "완료"}, {}},
        {Field::ActivityOutcome, "activityOutcome", {"Outcome", "结果", "結果", "결과"}, {}},
    };
    return table;
}

int langIndex(const std::string& lang) {
    if (lang == "zh-Hans") return 1;
    if (lang == "zh-Hant") return 2;
    if (lang == "ko") return 3;
    return 0;
}

// Header and name comparison: ASCII lowercased; spaces (ASCII and ideographic), _ - . * : ：
// and brackets dropped, so "Customer Name*", "customer_name" and "客户名称：" match.
std::string normalize(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            if (std::isalnum(c))
                out += char(std::tolower(c));
            else if (c == '#' || c == '$' || c == '&' || c == '@')
                out += char(c);
            continue;
        }
        // U+3000 ideographic space, U+FF1A fullwidth colon, U+FF08/U+FF09 fullwidth brackets.
        if (s.substr(i, 3) == "\xE3\x80\x80" || s.substr(i, 3) == "\xEF\xBC\x9A" ||
            s.substr(i, 3) == "\xEF\xBC\x88" || s.substr(i, 3) == "\xEF\xBC\x89") {
            i += 2;
            continue;
        }
        out += char(c);
    }
    return out;
}

std::string trim(std::string_view s) {
    std::size_t b = 0, e = s.size();
    while (b < e && (s[b] == ' ' || s[b] == '\t' || s[b] == '\r' || s[b] == '\n')) ++b;
    while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\r' || s[e - 1] == '\n')) --e;
    // An ideographic space at either end too.
    std::string out(s.substr(b, e - b));
    while (out.rfind("\xE3\x80\x80", 0) == 0) out.erase(0, 3);
    while (out.size() >= 3 && out.compare(out.size() - 3, 3, "\xE3\x80\x80") == 0) out.resize(out.size() - 3);
    return out;
}

// A phone number's digits without an international prefix (00), a country code of the four
// markets (+86, +886, +852, +82, +81) or a trunk 0: "+86 10 1234 5678" and "010-1234-5678" match.
std::string digitsOf(std::string_view phone) {
    std::string d;
    for (char c : phone)
        if (c >= '0' && c <= '9') d += c;
    const bool international =
        !phone.empty() && (phone.find('+') != std::string_view::npos || d.rfind("00", 0) == 0);
    if (d.rfind("00", 0) == 0) d.erase(0, 2);
    if (international)
        for (const char* cc : {"886", "852", "86", "82", "81"})
            if (d.rfind(cc, 0) == 0) {
                d.erase(0, std::char_traits<char>::length(cc));
                break;
            }
    while (!d.empty() && d[0] == '0') d.erase(0, 1);
    return d;
}

std::string lowerAscii(std::string s) {
    for (char& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::vector<std::string> splitList(std::string_view s) {
    std::vector<std::string> out;
    std::string cur;
    auto flush = [&] {
        std::string t = trim(cur);
        if (!t.empty() && std::find(out.begin(), out.end(), t) == out.end()) out.push_back(t);
        cur.clear();
    };
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (c == ',' || c == ';' || c == '|' || c == '/') {
            flush();
            continue;
        }
        // 、 (U+3001), ， (U+FF0C), ； (U+FF1B)
        if (s.substr(i, 3) == "\xE3\x80\x81" || s.substr(i, 3) == "\xEF\xBC\x8C" ||
            s.substr(i, 3) == "\xEF\xBC\x9B") {
            flush();
            i += 2;
            continue;
        }
        cur += c;
    }
    flush();
    return out;
}

std::string joinList(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& s : items) {
        if (!out.empty()) out += ", ";
        out += s;
    }
    return out;
}

// "120,000", "1.234,50", "¥86000", "₩5,000,000", "12 500" → a number ≥ 0.
std::optional<double> parseAmount(std::string_view raw) {
    std::string s;
    for (std::size_t i = 0; i < raw.size(); ++i) {
        const char c = raw[i];
        if ((c >= '0' && c <= '9') || c == ',' || c == '.' || c == '-')
            s += c;
        else if (c == ' ' || c == '\'' || static_cast<unsigned char>(c) >= 0x80 || c == '$')
            continue;  // ¥ ₩ 元 원 spaces
        else if (std::isalpha(static_cast<unsigned char>(c)))
            continue;  // CNY, USD
        else
            return std::nullopt;
    }
    if (s.empty()) return std::nullopt;
    if (s.find('-') != std::string::npos) return std::nullopt;
    const std::size_t comma = s.rfind(','), dot = s.rfind('.');
    if (comma != std::string::npos && dot != std::string::npos) {
        const char decimal = comma > dot ? ',' : '.';
        std::string t;
        for (char c : s)
            if (c == decimal)
                t += '.';
            else if (c != ',' && c != '.')
                t += c;
        s = t;
    } else if (comma != std::string::npos) {
        // Thousands when every group after a comma has three digits ("120,000"), else a decimal comma.
        bool thousands = true;
        std::size_t start = 0;
        for (std::size_t p = s.find(','); p != std::string::npos; p = s.find(',', p + 1)) {
            const std::size_t next = s.find(',', p + 1);
            const std::size_t len = (next == std::string::npos ? s.size() : next) - p - 1;
            if (len != 3) thousands = false;
            start = p;
        }
        (void)start;
        std::string t;
        for (char c : s)
            if (c == ',') {
                if (!thousands) t += '.';
            } else {
                t += c;
            }
        s = t;
    } else if (std::count(s.begin(), s.end(), '.') > 1) {  // 1.234.567
        s.erase(std::remove(s.begin(), s.end(), '.'), s.end());
    }
    if (std::count(s.begin(), s.end(), '.') > 1) return std::nullopt;
    char* end = nullptr;
    const double v = std::strtod(s.c_str(), &end);
    if (!end || *end != 0 || !std::isfinite(v) || v < 0) return std::nullopt;
    return v;
}

// 2026-05-01, 2026/5/1, 2026.05.01, 2026年5月1日, 2026년 5월 1일, 20260501.
std::optional<Date> parseLooseDate(std::string_view raw) {
    std::vector<int> nums;
    std::string cur;
    for (char c : raw) {
        if (c >= '0' && c <= '9') {
            cur += c;
        } else if (!cur.empty()) {
            nums.push_back(std::atoi(cur.c_str()));
            cur.clear();
        }
    }
    if (!cur.empty()) {
        if (nums.empty() && cur.size() == 8) {
            nums = {std::atoi(cur.substr(0, 4).c_str()), std::atoi(cur.substr(4, 2).c_str()),
                    std::atoi(cur.substr(6, 2).c_str())};
        } else {
            nums.push_back(std::atoi(cur.c_str()));
        }
    }
    if (nums.size() < 3) return std::nullopt;
    const int y = nums[0], m = nums[1], d = nums[2];
    if (y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1 || d > 31) return std::nullopt;
    const Date date = makeDate(y, m, d);
    int yy, mm, dd;
    splitDate(date, yy, mm, dd);
    if (yy != y || mm != m || dd != d) return std::nullopt;  // 2026-02-30
    return date;
}

std::optional<std::string> parseCurrency(std::string_view raw) {
    const std::string t = trim(raw);
    if (t.empty()) return std::nullopt;
    static const std::map<std::string, std::string> words = {
        {"¥", "CNY"},    {"￥", "CNY"},     {"元", "CNY"},     {"人民币", "CNY"}, {"人民幣", "CNY"},
        {"rmb", "CNY"},  {"₩", "KRW"},      {"원", "KRW"},     {"韩元", "KRW"},   {"韓元", "KRW"},
        {"nt$", "TWD"},  {"新台币", "TWD"}, {"新台幣", "TWD"}, {"台币", "TWD"},   {"台幣", "TWD"},
        {"$", "USD"},    {"us$", "USD"},    {"美元", "USD"},   {"달러", "USD"},   {"€", "EUR"},
        {"欧元", "EUR"}, {"歐元", "EUR"},   {"유로", "EUR"},   {"円", "JPY"},     {"日元", "JPY"},
        {"엔", "JPY"},   {"hk$", "HKD"},    {"港币", "HKD"},   {"港幣", "HKD"}};
    if (auto it = words.find(lowerAscii(t)); it != words.end()) return it->second;
    if (t.size() == 3 &&
        std::all_of(t.begin(), t.end(), [](char c) { return std::isalpha(static_cast<unsigned char>(c)); })) {
        std::string up = t;
        for (char& c : up) c = char(std::toupper(static_cast<unsigned char>(c)));
        return up;
    }
    return std::nullopt;
}

std::optional<Grade> parseGrade(std::string_view raw) {
    // "A", "a", "A级", "A級", "A등급"
    const std::string t = normalize(trim(raw));
    if (t.empty() || (t.size() > 1 && static_cast<unsigned char>(t[1]) < 0x80)) return std::nullopt;
    switch (std::toupper(static_cast<unsigned char>(t[0]))) {
        case 'A': return Grade::A;
        case 'B': return Grade::B;
        case 'C': return Grade::C;
        case 'D': return Grade::D;
    }
    return std::nullopt;
}

LeadSource parseSource(std::string_view raw) {
    const std::string t = normalize(trim(raw));
    LeadSource s;
    if (fromString(t, s)) return s;
    static const std::map<std::string, LeadSource> words = {{"官网", LeadSource::Website},
                                                            {"网站", LeadSource::Website},
                                                            {"官網", LeadSource::Website},
                                                            {"網站", LeadSource::Website},
                                                            {"웹사이트", LeadSource::Website},
                                                            {"홈페이지", LeadSource::Website},
                                                            {"转介绍", LeadSource::Referral},
                                                            {"介绍", LeadSource::Referral},
                                                            {"轉介紹", LeadSource::Referral},
                                                            {"介紹", LeadSource::Referral},
                                                            {"소개", LeadSource::Referral},
                                                            {"추천", LeadSource::Referral},
                                                            {"展会", LeadSource::Exhibition},
                                                            {"展會", LeadSource::Exhibition},
                                                            {"전시회", LeadSource::Exhibition},
                                                            {"电话", LeadSource::Phone},
                                                            {"電話", LeadSource::Phone},
                                                            {"전화", LeadSource::Phone},
                                                            {"邮件", LeadSource::Email},
                                                            {"郵件", LeadSource::Email},
                                                            {"이메일", LeadSource::Email},
                                                            {"广告", LeadSource::Ads},
                                                            {"廣告", LeadSource::Ads},
                                                            {"광고", LeadSource::Ads},
                                                            {"搜索", LeadSource::Search},
                                                            {"搜尋", LeadSource::Search},
                                                            {"검색", LeadSource::Search},
                                                            {"社交媒体", LeadSource::Social},
                                                            {"社群", LeadSource::Social},
                                                            {"sns", LeadSource::Social},
                                                            {"内容", LeadSource::Content},
                                                            {"內容", LeadSource::Content},
                                                            {"콘텐츠", LeadSource::Content},
                                                            {"直邮", LeadSource::DirectMail},
                                                            {"直郵", LeadSource::DirectMail},
                                                            {"dm", LeadSource::DirectMail},
                                                            {"directmail", LeadSource::DirectMail}};
    if (auto it = words.find(t); it != words.end()) return it->second;
    return LeadSource::Unknown;
}

bool plausibleEmail(std::string_view e) {
    const std::size_t at = e.find('@');
    return at != std::string_view::npos && at > 0 && at + 1 < e.size() &&
           e.find('@', at + 1) == std::string_view::npos && e.find(' ') == std::string_view::npos;
}

template <typename T>
json snapshotEntry(const char* entity, const T& record) {
    json e = json::object();
    e["entity"] = entity;
    e["id"] = record.id;
    e["record"] = encodeRecord(record, false);
    return e;
}

}  // namespace

// ---- fields -------------------------------------------------------------------------------------

const char* fieldKey(Field f) {
    for (const auto& info : fields())
        if (info.field == f) return info.key;
    return "none";
}

std::optional<Field> fieldFromKey(std::string_view key) {
    for (const auto& info : fields())
        if (key == info.key) return info.field;
    return std::nullopt;
}

std::string headerName(Field f, const std::string& lang) {
    for (const auto& info : fields())
        if (info.field == f) return info.names[langIndex(lang)];
    return "";
}

Field fieldForHeader(std::string_view header) {
    static const std::unordered_map<std::string, Field> byName = [] {
        std::unordered_map<std::string, Field> m;
        for (const auto& info : fields()) {
            if (info.field == Field::None) continue;
            for (const char* n : info.names) m.emplace(normalize(n), info.field);
            for (const char* n : info.aliases) m.emplace(normalize(n), info.field);
            m.emplace(normalize(info.key), info.field);
        }
        return m;
    }();
    const std::string n = normalize(trim(header));
    if (n.empty()) return Field::None;
    if (auto it = byName.find(n); it != byName.end()) return it->second;
    return Field::None;
}

const char* fileErrorKey(FileError e) {
    switch (e) {
        case FileError::None: return "";
        case FileError::Empty: return "import.error.empty";
        case FileError::Binary: return "import.error.binary";
        case FileError::TooBig: return "import.error.tooBig";
        case FileError::TooManyRows: return "import.error.tooManyRows";
        case FileError::BadEncoding: return "import.error.badEncoding";
        case FileError::UnterminatedQuote: return "import.error.unterminatedQuote";
        case FileError::NoHeader: return "import.error.noHeader";
        case FileError::NoNameColumn: return "import.error.noNameColumn";
    }
    return "";
}

const char* reasonKey(Reason r) {
    switch (r) {
        case Reason::None: return "";
        case Reason::NoName: return "import.reason.noName";
        case Reason::TooManyFields: return "import.reason.tooManyFields";
        case Reason::BadValue: return "import.reason.badValue";
        case Reason::BadDate: return "import.reason.badDate";
        case Reason::UnknownStage: return "import.reason.unknownStage";
        case Reason::UnknownOwner: return "import.reason.unknownOwner";
        case Reason::BadEmail: return "import.reason.badEmail";
        case Reason::BadCurrency: return "import.reason.badCurrency";
        case Reason::Duplicate: return "import.reason.duplicate";
    }
    return "";
}

const char* duplicatesKey(Duplicates d) {
    switch (d) {
        case Duplicates::Merge: return "merge";
        case Duplicates::Skip: return "skip";
        case Duplicates::Create: return "create";
    }
    return "merge";
}

std::optional<Duplicates> duplicatesFromKey(std::string_view k) {
    for (Duplicates d : {Duplicates::Merge, Duplicates::Skip, Duplicates::Create})
        if (k == duplicatesKey(d)) return d;
    return std::nullopt;
}

std::optional<text::Encoding> legacyEncodingFor(const std::string& lang) {
    if (lang == "zh-Hans") return text::Encoding::GB18030;
    if (lang == "zh-Hant") return text::Encoding::Big5;
    if (lang == "ko") return text::Encoding::CP949;
    return std::nullopt;
}

// ---- prepare ------------------------------------------------------------------------------------

Prepared prepareImport(std::string_view bytes, std::optional<text::Encoding> encoding,
                       std::optional<text::Encoding> hint) {
    Prepared p;
    if (bytes.size() > kMaxImportBytes) {
        p.error = FileError::TooBig;
        p.errorDetail = std::to_string(kMaxImportBytes >> 20);
        return p;
    }
    const text::Detection d = text::detect(bytes, std::size_t(1) << 20, hint);
    if (d.empty) {
        p.error = FileError::Empty;
        return p;
    }
    if (d.binary && !encoding) {
        p.error = FileError::Binary;
        return p;
    }
    p.encoding = encoding ? *encoding : d.encoding;
    p.bom = d.bom;
    text::Decoded u = text::toUtf8(bytes, p.encoding);
    if (!u.ok) {
        p.error = FileError::BadEncoding;
        p.errorLine = u.badLine;
        p.errorDetail = text::name(p.encoding);
        return p;
    }
    // Limit the rows before keeping them all: count record ends cheaply first.
    if (std::size_t(std::count(u.text.begin(), u.text.end(), '\n')) > kMaxImportRows + 1) {
        // Quoted newlines count too, so count records properly before refusing.
        csv::Reader counter(u.text, csv::detectDelimiter(u.text));
        csv::Record r;
        std::vector<csv::Problem> ignored;
        std::size_t n = 0;
        while (counter.next(r, ignored))
            if (++n > kMaxImportRows + 1) break;
        if (n > kMaxImportRows + 1) {
            p.error = FileError::TooManyRows;
            p.errorDetail = std::to_string(kMaxImportRows);
            return p;
        }
    }
    csv::Table t = csv::read(u.text);
    u.text.clear();
    u.text.shrink_to_fit();
    p.delimiter = t.delimiter;
    p.problems = std::move(t.problems);
    for (const csv::Problem& pr : p.problems)
        if (pr.kind == csv::ProblemKind::UnterminatedQuote) {
            p.error = FileError::UnterminatedQuote;
            p.errorLine = pr.line;
            return p;
        }
    if (t.records.empty()) {
        p.error = FileError::Empty;
        return p;
    }
    for (std::string& h : t.records[0].fields) p.header.push_back(trim(h));
    if (std::all_of(p.header.begin(), p.header.end(), [](const std::string& h) { return h.empty(); })) {
        p.error = FileError::NoHeader;
        return p;
    }
    p.rows.assign(std::make_move_iterator(t.records.begin() + 1), std::make_move_iterator(t.records.end()));
    std::set<Field> used;
    for (const std::string& h : p.header) {
        Field f = fieldForHeader(h);
        if (f != Field::None && used.count(f)) f = Field::None;  // a second column of the same field
        if (f != Field::None) used.insert(f);
        p.mapping.push_back(f);
    }
    return p;
}

// ---- plan ---------------------------------------------------------------------------------------

namespace {

struct Row {
    std::string values[kFieldCount];
    bool has[kFieldCount] = {};
    const std::string& operator[](Field f) const { return values[int(f)]; }
    bool filled(Field f) const { return has[int(f)] && !values[int(f)].empty(); }
};

// Where a customer stands in the plan: existing (index into doc.customers) or new.
struct Target {
    Customer customer;
    bool isNew = false;
    bool changed = false;
};

class Planner {
public:
    Planner(const Document& doc, const Options& options, Time now, const Id& me)
        : doc_(doc), options_(options), now_(now), me_(me) {
        for (std::size_t i = 0; i < doc.customers.size(); ++i) {
            const Customer& c = doc.customers[i];
            if (c.deleted) continue;
            index(c.id, c.name, c.phone, "");
        }
        for (const Contact& c : doc.contacts) {
            if (c.deleted) continue;
            const Customer* owner = doc.findCustomer(c.customerId);
            if (!owner || owner->deleted) continue;
            index(c.customerId, "", c.phone, c.email);
        }
        pipeline_ =
            doc.findPipeline(options.pipelineId.empty() ? doc.settings.defaultPipeline : options.pipelineId);
        if (!pipeline_ && !doc.pipelines.empty()) pipeline_ = &doc.pipelines.front();
        for (const Member& m : doc.members) members_.emplace(normalize(m.name), m.id);
        for (const Member& m : doc.members) members_.emplace(normalize(m.initials), m.id);
        if (pipeline_)
            for (const Deal& d : doc.deals)
                if (d.pipelineId == pipeline_->id)
                    orders_[d.stageId] = std::max(orders_[d.stageId], d.order + 1);
    }

    void row(const csv::Record& rec, const std::vector<Field>& mapping,
             const std::vector<std::string>& header, std::size_t headerSize, Plan& plan) {
        RowResult res;
        res.line = rec.line;
        auto reject = [&](Reason r, std::string detail) {
            res.outcome = Outcome::Rejected;
            res.reason = r;
            res.detail = std::move(detail);
            ++plan.rejected;
            plan.rows.push_back(std::move(res));
        };
        if (rec.fields.size() > headerSize) {
            return reject(Reason::TooManyFields,
                          std::to_string(rec.fields.size()) + "/" + std::to_string(headerSize));
        }
        Row r;
        json unmapped = json::object();
        for (std::size_t i = 0; i < rec.fields.size() && i < mapping.size(); ++i) {
            const Field f = mapping[i];
            std::string v = trim(rec.fields[i]);
            if (f == Field::None || int(f) >= int(Field::DealStatus)) {
                if (options_.keepUnmapped && !v.empty() && i < header.size() && !header[i].empty())
                    unmapped[header[i]] = v;
                continue;
            }
            if (r.has[int(f)] && !r.values[int(f)].empty()) continue;
            r.values[int(f)] = std::move(v);
            r.has[int(f)] = true;
        }
        if (std::all_of(rec.fields.begin(), rec.fields.end(),
                        [](const std::string& s) { return trim(s).empty(); }))
            return;  // a row of empty cells: nothing to say
        std::string name = r[Field::CustomerName];
        const bool hasContact = r.filled(Field::ContactName);
        if (name.empty() && hasContact) name = r[Field::ContactName];  // a person as the customer
        if (name.empty()) return reject(Reason::NoName, "");

        // Values that must parse.
        std::optional<double> value;
        if (r.filled(Field::DealValue)) {
            value = parseAmount(r[Field::DealValue]);
            if (!value) return reject(Reason::BadValue, r[Field::DealValue]);
        }
        Date close = kNoDate;
        if (r.filled(Field::ExpectedClose)) {
            auto d = parseLooseDate(r[Field::ExpectedClose]);
            if (!d) return reject(Reason::BadDate, r[Field::ExpectedClose]);
            close = *d;
        }
        std::string currency = doc_.settings.displayCurrency;
        if (r.filled(Field::Currency)) {
            auto c = parseCurrency(r[Field::Currency]);
            if (!c) return reject(Reason::BadCurrency, r[Field::Currency]);
            currency = *c;
        }
        Id owner;
        if (r.filled(Field::Owner)) {
            auto it = members_.find(normalize(r[Field::Owner]));
            if (it == members_.end()) return reject(Reason::UnknownOwner, r[Field::Owner]);
            owner = it->second;
        }
        if (r.filled(Field::Email) && !plausibleEmail(r[Field::Email]))
            return reject(Reason::BadEmail, r[Field::Email]);
        const bool wantsDeal =
            r.filled(Field::DealTitle) || r.filled(Field::DealValue) || r.filled(Field::Stage);
        const Stage* stage = nullptr;
        if (wantsDeal) {
            if (!pipeline_ || pipeline_->stages.empty()) return reject(Reason::UnknownStage, r[Field::Stage]);
            if (r.filled(Field::Stage)) {
                const std::string want = normalize(r[Field::Stage]);
                for (const Stage& s : pipeline_->stages) {
                    if (normalize(s.id) == want) stage = &s;
                    for (const auto& [lang, text] : s.name.byLang)
                        if (normalize(text) == want) stage = &s;
                    if (stage) break;
                }
                if (!stage) return reject(Reason::UnknownStage, r[Field::Stage]);
            } else {
                stage = &pipeline_->stages.front();
            }
        }

        // Duplicates: same name, phone or e-mail as an existing customer or an earlier row.
        const std::string phone = r[Field::Phone].empty() ? r[Field::CustomerPhone] : r[Field::Phone];
        Id match = find(name, phone, r[Field::Email]);
        if (!match.empty()) {
            const Customer* existing = doc_.findCustomer(match);
            auto it = targets_.find(match);
            res.duplicateOf = it != targets_.end() ? it->second.customer.name
                              : existing           ? existing->name
                                                   : name;
        }
        if (!match.empty() && options_.duplicates == Duplicates::Skip) {
            res.outcome = Outcome::Skipped;
            res.reason = Reason::Duplicate;
            res.detail = res.duplicateOf;
            res.customerId = match;
            ++plan.skipped;
            plan.rows.push_back(std::move(res));
            return;
        }
        const bool merge = !match.empty() && options_.duplicates == Duplicates::Merge;
        Target& t = merge ? target(match) : newTarget();
        Customer& c = t.customer;
        auto fill = [&](std::string& field, Field f) {
            if (r.filled(f) && field.empty()) {
                field = r[f];
                t.changed = true;
            }
        };
        if (c.name.empty()) c.name = name;
        fill(c.industry, Field::Industry);
        fill(c.region, Field::Region);
        fill(c.address, Field::Address);
        fill(c.website, Field::Website);
        fill(c.notes, Field::Notes);
        fill(c.phone, Field::CustomerPhone);
        if (!hasContact) fill(c.phone, Field::Phone);
        if (r.filled(Field::Tags))
            for (const std::string& tag : splitList(r[Field::Tags]))
                if (std::find(c.tags.begin(), c.tags.end(), tag) == c.tags.end()) {
                    c.tags.push_back(tag);
                    t.changed = true;
                }
        if (r.filled(Field::Grade) && (t.isNew || !merge)) {
            if (auto g = parseGrade(r[Field::Grade])) c.grade = *g;
        }
        if (r.filled(Field::Source) && c.source == LeadSource::Unknown) {
            c.source = parseSource(r[Field::Source]);
            if (c.source != LeadSource::Unknown) t.changed = true;
        }
        if (c.owner.empty()) {
            c.owner = owner.empty() ? me_ : owner;
            if (!c.owner.empty()) t.changed = true;
        }
        if (!unmapped.empty()) {
            if (!c.extra.is_object()) c.extra = json::object();
            json& kept = c.extra["importedFields"];
            if (!kept.is_object()) kept = json::object();
            for (auto& [k, v] : unmapped.items())
                if (!kept.contains(k)) kept[k] = v;
            t.changed = true;
        }
        index(c.id, c.name, c.phone, "");

        // The row's contact, unless the customer already has one of that name, phone or e-mail.
        if (hasContact || (r.filled(Field::Email))) {
            Contact person;
            person.name = hasContact ? r[Field::ContactName] : r[Field::Email];
            person.title = r[Field::ContactTitle];
            person.phone = hasContact ? r[Field::Phone] : "";
            person.email = r[Field::Email];
            person.messenger = r[Field::Messenger];
            if (!knownContact(c.id, person)) {
                person.id = newId();
                person.customerId = c.id;
                contacts_.push_back(person);
                contactsOf_[c.id].push_back(contacts_.size() - 1);
                index(c.id, "", person.phone, person.email);
                ++plan.contacts;
            }
        }
        if (wantsDeal) {
            Deal d;
            d.id = newId();
            d.title = r.filled(Field::DealTitle) ? r[Field::DealTitle] : c.name;
            d.customerId = c.id;
            d.pipelineId = pipeline_->id;
            d.stageId = stage->id;
            d.value = value.value_or(0);
            d.currency = currency;
            d.expectedClose = close;
            d.owner = owner.empty() ? (c.owner.empty() ? me_ : c.owner) : owner;
            if (r.filled(Field::Labels)) d.labels = splitList(r[Field::Labels]);
            d.createdAt = d.updatedAt = now_;
            d.stageHistory = {StageEntry{stage->id, now_, json()}};
            d.order = orders_[stage->id]++;
            deals_.push_back(std::move(d));
            ++plan.deals;
        }
        res.customerId = c.id;
        res.outcome = merge ? Outcome::Merged : Outcome::Created;
        if (merge)
            ++plan.merged;
        else
            ++plan.created;
        plan.rows.push_back(std::move(res));
    }

    void finish(Plan& plan) {
        json records = json::array();
        for (const Id& id : order_) {
            const Target& t = targets_[id];
            if (t.isNew || t.changed) {
                records.push_back(snapshotEntry("customer", t.customer));
                ++plan.customers;
            }
        }
        for (const Contact& c : contacts_) records.push_back(snapshotEntry("contact", c));
        for (const Deal& d : deals_) records.push_back(snapshotEntry("deal", d));
        if (records.empty()) return;
        Change ch;
        ch.at = now_;
        ch.by = me_;
        ch.entity = "import";
        ch.what = "imported " + (options_.fileName.empty() ? std::string("a list") : options_.fileName) +
                  ": " + std::to_string(plan.created) + " created, " + std::to_string(plan.merged) +
                  " merged, " + std::to_string(plan.skipped) + " skipped, " + std::to_string(plan.rejected) +
                  " rejected";
        plan.command = json::object();
        plan.command["op"] = "snapshot.restore";
        plan.command["records"] = std::move(records);
        plan.command["addChanges"] = json::array({encodeRecord(ch)});
    }

private:
    void index(const Id& id, const std::string& name, const std::string& phone, const std::string& email) {
        if (!name.empty()) byName_.emplace(normalize(name), id);
        if (const std::string d = digitsOf(phone); d.size() >= 5) byPhone_.emplace(d, id);
        if (!email.empty()) byEmail_.emplace(lowerAscii(trim(email)), id);
    }

    Id find(const std::string& name, const std::string& phone, const std::string& email) const {
        if (auto it = byName_.find(normalize(name)); it != byName_.end()) return it->second;
        if (const std::string d = digitsOf(phone); d.size() >= 5)
            if (auto it = byPhone_.find(d); it != byPhone_.end()) return it->second;
        if (!email.empty())
            if (auto it = byEmail_.find(lowerAscii(trim(email))); it != byEmail_.end()) return it->second;
        return "";
    }

    bool knownContact(const Id& customerId, const Contact& p) const {
        auto same = [&](const Contact& c) {
            return (!p.name.empty() && normalize(c.name) == normalize(p.name)) ||
                   (!p.email.empty() && lowerAscii(c.email) == lowerAscii(p.email));
        };
        if (auto it = contactsOf_.find(customerId); it != contactsOf_.end())
            for (std::size_t i : it->second)
                if (same(contacts_[i])) return true;
        for (const Contact& c : doc_.contacts)
            if (!c.deleted && c.customerId == customerId && same(c)) return true;
        return false;
    }

    Target& target(const Id& id) {
        auto it = targets_.find(id);
        if (it != targets_.end()) return it->second;
        Target t;
        if (const Customer* c = doc_.findCustomer(id)) t.customer = *c;
        order_.push_back(id);
        return targets_.emplace(id, std::move(t)).first->second;
    }

    Target& newTarget() {
        Target t;
        t.isNew = true;
        t.customer.id = newId();
        t.customer.createdAt = now_;
        const Id id = t.customer.id;
        order_.push_back(id);
        return targets_.emplace(id, std::move(t)).first->second;
    }

    const Document& doc_;
    const Options& options_;
    Time now_;
    Id me_;
    const Pipeline* pipeline_ = nullptr;
    std::unordered_map<std::string, Id> byName_, byPhone_, byEmail_, members_;
    std::unordered_map<Id, Target> targets_;
    std::vector<Id> order_;
    std::vector<Contact> contacts_;
    std::unordered_map<Id, std::vector<std::size_t>> contactsOf_;
    std::vector<Deal> deals_;
    std::map<Id, int> orders_;
};

}  // namespace

Plan planImport(const Document& doc, const Prepared& file, const Options& options, Time now, const Id& me) {
    Plan plan;
    const std::vector<Field>& mapping = options.mapping.empty() ? file.mapping : options.mapping;
    Planner planner(doc, options, now, me);
    plan.rows.reserve(file.rows.size());
    for (const csv::Record& rec : file.rows) planner.row(rec, mapping, file.header, file.header.size(), plan);
    planner.finish(plan);
    return plan;
}

// ---- export -------------------------------------------------------------------------------------

const char* exportKindKey(ExportKind k) {
    switch (k) {
        case ExportKind::Customers: return "customers";
        case ExportKind::Contacts: return "contacts";
        case ExportKind::Deals: return "deals";
        case ExportKind::Activities: return "activities";
    }
    return "customers";
}

std::optional<ExportKind> exportKindFromKey(std::string_view k) {
    for (ExportKind e :
         {ExportKind::Customers, ExportKind::Contacts, ExportKind::Deals, ExportKind::Activities})
        if (k == exportKindKey(e)) return e;
    return std::nullopt;
}

std::string exportText(const Document& doc, ExportKind kind, const std::string& lang,
                       const std::vector<Id>* dealIds, int* records) {
    csv::Writer w;
    auto header = [&](std::initializer_list<Field> fs) {
        std::vector<std::string> h;
        for (Field f : fs) h.push_back(headerName(f, lang));
        w.row(h);
    };
    std::unordered_map<Id, const Customer*> customers;
    for (const Customer& c : doc.customers) customers.emplace(c.id, &c);
    auto customerName = [&](const Id& id) -> std::string {
        auto it = customers.find(id);
        return it == customers.end() ? std::string() : it->second->name;
    };
    auto memberName = [&](const Id& id) -> std::string {
        const Member* m = doc.findMember(id);
        return m ? m->name : std::string();
    };
    int n = 0;
    switch (kind) {
        case ExportKind::Customers:
            header({Field::CustomerName, Field::Industry, Field::Region, Field::Address, Field::Website,
                    Field::CustomerPhone, Field::Grade, Field::Source, Field::Tags, Field::Notes,
                    Field::Owner});
            for (const Customer& c : doc.customers) {
                if (c.deleted) continue;
                w.row({c.name, c.industry, c.region, c.address, c.website, c.phone, toString(c.grade),
                       c.source == LeadSource::Unknown ? "" : toString(c.source), joinList(c.tags), c.notes,
                       memberName(c.owner)});
                ++n;
            }
            break;
        case ExportKind::Contacts:
            header({Field::CustomerName, Field::ContactName, Field::ContactTitle, Field::Phone, Field::Email,
                    Field::Messenger});
            for (const Contact& c : doc.contacts) {
                if (c.deleted) continue;
                w.row({customerName(c.customerId), c.name, c.title, c.phone, c.email, c.messenger});
                ++n;
            }
            break;
        case ExportKind::Deals: {
            header({Field::DealTitle, Field::CustomerName, Field::DealValue, Field::Currency, Field::Stage,
                    Field::Owner, Field::ExpectedClose, Field::Labels, Field::DealStatus});
            std::set<Id> only;
            if (dealIds) only.insert(dealIds->begin(), dealIds->end());
            for (const Deal& d : doc.deals) {
                if (d.deleted || (dealIds && !only.count(d.id))) continue;
                const Pipeline* p = doc.findPipeline(d.pipelineId);
                const Stage* s = p ? p->findStage(d.stageId) : nullptr;
                char value[64];
                std::snprintf(value, sizeof value, "%.15g", d.value);
                w.row({d.title, customerName(d.customerId), value, d.currency,
                       s ? s->name.get(lang) : d.stageId, memberName(d.owner),
                       d.expectedClose == kNoDate ? "" : formatDate(d.expectedClose), joinList(d.labels),
                       toString(d.status)});
                ++n;
            }
            break;
        }
        case ExportKind::Activities: {
            header({Field::CustomerName, Field::DealTitle, Field::ActivityKind, Field::ActivitySubject,
                    Field::ActivityDue, Field::ActivityDone, Field::ActivityOutcome, Field::Owner});
            for (const Activity& a : doc.activities) {
                if (a.deleted) continue;
                const Deal* d = a.dealId.empty() ? nullptr : doc.findDeal(a.dealId);
                w.row({customerName(a.customerId.empty() && d ? d->customerId : a.customerId),
                       d ? d->title : "", toString(a.kind), a.subject, a.due ? formatTime(a.due) : "",
                       a.doneAt ? formatTime(a.doneAt) : "", a.outcome, memberName(a.owner)});
                ++n;
            }
            break;
        }
    }
    if (records) *records = n;
    return w.take();
}

Exported exportCsv(const Document& doc, ExportKind kind, const ExportOptions& options) {
    Exported out;
    const std::string text = exportText(doc, kind, options.lang, options.dealIds, &out.records);
    text::Encoded e =
        text::fromUtf8(text, options.encoding, options.bom && options.encoding == text::Encoding::Utf8);
    out.ok = e.ok;
    out.bytes = std::move(e.bytes);
    out.replaced = e.replaced;
    out.fileName = std::string(exportKindKey(kind)) + ".csv";
    return out;
}

namespace {
std::string vcardEscape(std::string_view s) {
    std::string out;
    for (char c : s) {
        if (c == '\\' || c == ',' || c == ';') out += '\\';
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        if (c == '\r') continue;
        out += c;
    }
    return out;
}
}  // namespace

std::string exportVCard(const Document& doc) {
    std::string out;
    for (const Contact& c : doc.contacts) {
        if (c.deleted) continue;
        const Customer* org = doc.findCustomer(c.customerId);
        out += "BEGIN:VCARD\r\nVERSION:3.0\r\n";
        out += "FN:" + vcardEscape(c.name) + "\r\n";
        out += "N:" + vcardEscape(c.name) + ";;;;\r\n";
        if (org) out += "ORG:" + vcardEscape(org->name) + "\r\n";
        if (!c.title.empty()) out += "TITLE:" + vcardEscape(c.title) + "\r\n";
        if (!c.phone.empty()) out += "TEL;TYPE=WORK,VOICE:" + vcardEscape(c.phone) + "\r\n";
        if (!c.email.empty()) out += "EMAIL;TYPE=INTERNET:" + vcardEscape(c.email) + "\r\n";
        out += "END:VCARD\r\n";
    }
    return out;
}

}  // namespace funnel::importer
