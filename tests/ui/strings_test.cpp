// Funnel — the string table is complete in every language, with no duplicate keys, the same
// printf placeholders in every language, and every key the code asks for.
#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "ui/strings.h"

using namespace funnel::ui;

TEST_CASE("every string has a non-empty text in en, zh-Hans, zh-Hant and ko") {
    std::set<std::string> keys;
    for (const StringEntry& e : stringTable()) {
        CAPTURE(e.key);
        CHECK(keys.insert(e.key).second);
        for (const char* text : {e.en, e.zhHans, e.zhHant, e.ko}) {
            REQUIRE(text != nullptr);
            CHECK(std::string(text).size() > 0);
        }
    }
    CHECK(keys.size() > 100);
}

TEST_CASE("tr looks up by language and shows unknown keys as themselves") {
    CHECK(std::string(tr("nav.board", "en")) == "Board");
    CHECK(std::string(tr("nav.board", "zh-Hans")) == "看板");
    CHECK(std::string(tr("nav.customers", "zh-Hant")) == "客戶");
    CHECK(std::string(tr("nav.today", "ko")) == "오늘");
    CHECK(std::string(tr("no.such.key", "ko")) == "no.such.key");
}

TEST_CASE("browser language tags map to the four UI languages") {
    CHECK(normaliseLanguage("zh-CN") == "zh-Hans");
    CHECK(normaliseLanguage("zh") == "zh-Hans");
    CHECK(normaliseLanguage("zh-TW") == "zh-Hant");
    CHECK(normaliseLanguage("zh-HK") == "zh-Hant");
    CHECK(normaliseLanguage("zh-Hant-TW") == "zh-Hant");
    CHECK(normaliseLanguage("ko-KR") == "ko");
    CHECK(normaliseLanguage("en-GB") == "en");
    CHECK(normaliseLanguage("fr") == "en");
}

TEST_CASE("every status key the browser storage can report has a text") {
    for (const char* key : {"storage.unavailable", "storage.full", "storage.failed", "storage.corrupt"})
        for (const char* lang : kLanguages) {
            CAPTURE(key);
            CHECK(std::string(tr(key, lang)) != key);
        }
}

// [SECTION] Keys used in the code exist; placeholders agree across languages
namespace {
namespace fs = std::filesystem;

// The printf conversions of a text as "<argument>:<conversion>" ("1:%s", "2:%d", "1:%.1f", …),
// sorted: a translation may reorder its arguments with %2$s, but must use the same ones.
std::vector<std::string> conversions(const std::string& text) {
    std::vector<std::string> out;
    int ordinal = 0;
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '%') continue;
        if (i + 1 < text.size() && text[i + 1] == '%') {
            ++i;
            continue;
        }
        size_t j = i + 1;
        int position = 0;
        size_t digits = j;
        while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
        if (digits > j && digits < text.size() && text[digits] == '$') {
            position = std::stoi(text.substr(j, digits - j));
            j = digits + 1;
        } else {
            position = ++ordinal;
        }
        const size_t specStart = j;
        while (j < text.size() && std::strchr("0123456789.-+ #lhz*", text[j])) ++j;
        if (j < text.size())
            out.push_back(std::to_string(position) + ":%" + text.substr(specStart, j - specStart + 1));
        i = j;
    }
    std::sort(out.begin(), out.end());
    return out;
}

// The literal keys of the calls t("…") and tr("…") in a source text: dotted lower-case names
// ("deal.win"). A plain scan rather than std::regex, which GCC 12 warns about under -O1 + ASan.
void collectKeys(const std::string& s, std::set<std::string>& keys) {
    auto identChar = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
    for (size_t at = s.find("(\"", 0); at != std::string::npos; at = s.find("(\"", at + 1)) {
        size_t name = at;
        while (name > 0 && identChar(s[name - 1])) --name;
        const std::string fn = s.substr(name, at - name);
        if (fn != "t" && fn != "tr") continue;
        size_t end = at + 2;
        while (end < s.size() &&
               (std::islower(static_cast<unsigned char>(s[end])) ||
                std::isdigit(static_cast<unsigned char>(s[end])) || s[end] == '_' || s[end] == '.'))
            ++end;
        if (end >= s.size() || s[end] != '"') continue;
        const std::string key = s.substr(at + 2, end - at - 2);
        if (key.empty() || !(std::islower(static_cast<unsigned char>(key[0])) || key[0] == '_')) continue;
        if (key.find('.') == std::string::npos || key.back() == '.') continue;
        keys.insert(key);
    }
}

// Every literal key passed to t("…") or tr("…") in the views and the web platform layer.
std::set<std::string> keysUsedInCode() {
    const fs::path app = fs::path(FUNNEL_SOURCE_DIR) / "app";
    std::set<std::string> keys;
    for (const char* sub : {"ui", "platform/web"}) {
        if (!fs::exists(app / sub)) continue;
        for (const auto& entry : fs::recursive_directory_iterator(app / sub)) {
            const std::string ext = entry.path().extension().string();
            if (ext != ".cpp" && ext != ".h") continue;
            std::ifstream in(entry.path());
            std::stringstream text;
            text << in.rdbuf();
            collectKeys(text.str(), keys);
        }
    }
    return keys;
}
}  // namespace

TEST_CASE("the placeholder scanner reads printf conversions") {
    CHECK(conversions("%d of %s (100%%)") == std::vector<std::string>{"1:%d", "2:%s"});
    CHECK(conversions("%.1f%% · %lld") == std::vector<std::string>{"1:%.1f", "2:%lld"});
    CHECK(conversions("%2$s: %1$d") == conversions("%d in %s"));
    CHECK(conversions("%2$d: %1$s") != conversions("%d in %s"));
    CHECK(conversions("no placeholders").empty());
}

TEST_CASE("the key scanner finds t(\"…\") and tr(\"…\") keys only") {
    std::set<std::string> keys;
    collectKeys(
        "ctx.t(\"deal.win\"); tr(\"nav.board\", lang); at(\"not.this\"); t(\"Plain\"); t(\"nodot\"); "
        "t(name);",
        keys);
    CHECK(keys == std::set<std::string>{"deal.win", "nav.board"});
}

TEST_CASE("every language has the same printf placeholders") {
    for (const StringEntry& e : stringTable()) {
        const std::string key = e.key, ko = e.ko;
        CAPTURE(key);
        CAPTURE(ko);
        const auto en = conversions(e.en);
        CHECK(conversions(e.zhHans) == en);
        CHECK(conversions(e.zhHant) == en);
        CHECK(conversions(e.ko) == en);
    }
}

TEST_CASE("every string key the code asks for is in the table") {
    std::set<std::string> known;
    for (const StringEntry& e : stringTable()) known.insert(e.key);
    const std::set<std::string> used = keysUsedInCode();
    CHECK(used.size() > 100);  // the scanner found the views' keys
    for (const std::string& key : used) {
        CAPTURE(key);
        CHECK(known.count(key) == 1);
    }
}
