// Funnel — every user-visible string of the views, in en, zh-Hans, zh-Hant and ko.
//
// One table (strings.cpp); views call tr("key"). A unit test walks the table and fails when a
// key lacks a language. Record data (stage names, customer names) is not here: it lives in the
// model, in LocalText where it is per language.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace funnel::ui {

inline constexpr const char* kLanguages[] = {"en", "zh-Hans", "zh-Hant", "ko"};

struct StringEntry {
    const char* key;
    const char* en;
    const char* zhHans;
    const char* zhHant;
    const char* ko;
};

// The whole table, for tests and for the automation API.
const std::vector<StringEntry>& stringTable();

// Text of `key` in `lang` ("en", "zh-Hans", "zh-Hant", "ko"); the key itself when unknown so
// a missing entry is visible instead of blank.
const char* tr(std::string_view key, std::string_view lang);

// Normalises a browser or user language tag to one of kLanguages ("zh-TW" → "zh-Hant", …).
std::string normaliseLanguage(std::string_view tag);

}  // namespace funnel::ui
