// Funnel — numbers, money and dates formatted for the UI language.
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "ui/view.h"

namespace funnel::ui {

namespace {

const char* symbolOf(const std::string& currency, const std::string& lang) {
    if (currency == "CNY") return lang == "zh-Hans" ? "¥" : "CN¥";
    if (currency == "TWD") return "NT$";
    if (currency == "HKD") return "HK$";
    if (currency == "KRW") return "₩";
    if (currency == "USD") return lang == "en" ? "$" : "US$";
    if (currency == "EUR") return "€";
    if (currency == "JPY") return "JP¥";
    return nullptr;
}

int decimalsOf(const std::string& currency) { return (currency == "KRW" || currency == "JPY") ? 0 : 2; }

std::string grouped(double amount, int decimals, bool keepZeroCents = false) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, std::fabs(amount));
    std::string s = buf;
    size_t dot = s.find('.');
    size_t intEnd = dot == std::string::npos ? s.size() : dot;
    std::string out;
    for (size_t i = 0; i < intEnd; ++i) {
        if (i > 0 && (intEnd - i) % 3 == 0) out += ',';
        out += s[i];
    }
    if (dot != std::string::npos) {
        // Drop ".00": whole amounts read better on cards.
        std::string frac = s.substr(dot);
        if (keepZeroCents || frac.find_first_not_of(".0") != std::string::npos) out += frac;
    }
    return (amount < 0 ? "-" : "") + out;
}

std::string withSymbol(const std::string& number, const std::string& currency, const std::string& lang) {
    if (const char* sym = symbolOf(currency, lang)) return std::string(sym) + number;
    return number + " " + currency;
}

}  // namespace

std::string formatMoney(double amount, const std::string& currency, const std::string& lang) {
    return withSymbol(grouped(amount, decimalsOf(currency)), currency, lang);
}

std::vector<std::string> formatMoneyAlike(const std::vector<double>& amounts, const std::string& currency,
                                          const std::string& lang) {
    const int decimals = decimalsOf(currency);
    bool cents = false;
    for (double a : amounts) cents = cents || grouped(a, decimals).find('.') != std::string::npos;
    std::vector<std::string> out;
    for (double a : amounts) out.push_back(withSymbol(grouped(a, decimals, cents), currency, lang));
    return out;
}

std::string formatMoneyCompact(double amount, const std::string& currency, const std::string& lang) {
    double a = std::fabs(amount);
    char buf[64];
    if (lang == "en") {
        if (a >= 1e9) std::snprintf(buf, sizeof buf, "%.1fB", amount / 1e9);
        else if (a >= 1e6) std::snprintf(buf, sizeof buf, "%.1fM", amount / 1e6);
        else if (a >= 1e4) std::snprintf(buf, sizeof buf, "%.0fK", amount / 1e3);
        else return formatMoney(amount, currency, lang);
    } else {
        // CJK languages count in 万/萬/만 (10^4) and 亿/億/억 (10^8).
        const char* wan = lang == "ko" ? "만" : (lang == "zh-Hant" ? "萬" : "万");
        const char* yi = lang == "ko" ? "억" : (lang == "zh-Hant" ? "億" : "亿");
        if (a >= 1e8) std::snprintf(buf, sizeof buf, "%.2f%s", amount / 1e8, yi);
        else if (a >= 1e7)
            std::snprintf(buf, sizeof buf, "%.0f%s", amount / 1e4, wan);  // 1250万, not 1250.3万
        else if (a >= 1e4) std::snprintf(buf, sizeof buf, "%.1f%s", amount / 1e4, wan);
        else return formatMoney(amount, currency, lang);
    }
    return withSymbol(buf, currency, lang);
}

std::string formatDateShort(Date d, const std::string& lang) {
    if (d == kNoDate) return "";
    std::string iso = formatDate(d);  // YYYY-MM-DD
    int y = 0, m = 0, day = 0;
    if (std::sscanf(iso.c_str(), "%d-%d-%d", &y, &m, &day) != 3) return iso;
    static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    char buf[48];
    if (lang == "ko") std::snprintf(buf, sizeof buf, "%d월 %d일", m, day);
    else if (lang == "zh-Hans" || lang == "zh-Hant") std::snprintf(buf, sizeof buf, "%d月%d日", m, day);
    else std::snprintf(buf, sizeof buf, "%s %d", kMonths[(m - 1) % 12], day);
    return buf;
}

std::string formatClock(Time t, int utcOffsetMinutes) {
    constexpr Time kDay = 24LL * 3600 * 1000;
    const Time local = t + Time(utcOffsetMinutes) * 60000;
    const Time inDay = ((local % kDay) + kDay) % kDay;
    char buf[16];
    std::snprintf(buf, sizeof buf, "%02d:%02d", int(inDay / 3600000), int(inDay / 60000 % 60));
    return buf;
}

std::string initialsOf(const std::string& name) {
    // Latin names → first letters of the first two words; CJK names → the first character.
    std::string out;
    bool atWordStart = true;
    for (size_t i = 0; i < name.size() && out.size() < 2;) {
        unsigned char c = static_cast<unsigned char>(name[i]);
        size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : 4;
        if (c >= 0x80) return name.substr(i, len);  // CJK: one character says enough
        if (c == ' ') atWordStart = true;
        else if (atWordStart) {
            out += static_cast<char>(std::toupper(c));
            atWordStart = false;
        }
        i += len;
    }
    return out;
}

}  // namespace funnel::ui
