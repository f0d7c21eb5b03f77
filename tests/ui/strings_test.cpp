// Funnel — the string table is complete in every language, with no duplicate keys.
#include <doctest/doctest.h>

#include <set>
#include <string>

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
