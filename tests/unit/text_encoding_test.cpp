// Funnel — unit tests of encoding detection and conversion (core/text_encoding.h) on fixture files
// that tests/unit/fixtures/make_fixtures.py writes with Python's codecs: what Excel on Chinese,
// Taiwanese, Korean and Japanese Windows saves, UTF-16 "Unicode text", UTF-8 with and without BOM.
#include <doctest/doctest.h>
#include <iconv.h>

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/csv.h"
#include "core/text_encoding.h"

using namespace funnel;
using nlohmann::json;

namespace {
std::string readFixture(const std::string& name) {
    std::ifstream in(std::string(FUNNEL_FIXTURES_DIR) + "/" + name, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

json expected() { return json::parse(readFixture("expected.json")); }
}  // namespace

TEST_CASE("every fixture: detected encoding, decoded, read back as the same records") {
    const json all = expected();
    REQUIRE(all.size() >= 10);
    for (const auto& [file, want] : all.items()) {
        CAPTURE(file);
        const std::string bytes = readFixture(file);
        REQUIRE(!bytes.empty());
        const text::Detection d = text::detect(bytes);
        CHECK_FALSE(d.binary);
        CHECK_FALSE(d.empty);
        CHECK(std::string(text::name(d.encoding)) == want["encoding"].get<std::string>());
        const text::Decoded u = text::toUtf8(bytes, d.encoding);
        REQUIRE(u.ok);
        CHECK(text::validUtf8(u.text));
        CHECK(u.text.rfind("\xEF\xBB\xBF", 0) == std::string::npos);
        const csv::Table t = csv::read(u.text);
        CHECK(std::string(1, t.delimiter) == want["delimiter"].get<std::string>());
        CHECK(t.problems.empty());
        std::vector<std::vector<std::string>> rows;
        for (const auto& r : t.records) rows.push_back(r.fields);
        CHECK(rows == want["rows"].get<std::vector<std::vector<std::string>>>());
    }
}

TEST_CASE("CP949-only syllables (not in EUC-KR) come through") {
    const std::string bytes = readFixture("cp949.csv");
    const text::Decoded u = text::toUtf8(bytes, text::detect(bytes).encoding);
    REQUIRE(u.ok);
    CHECK(u.text.find("강똠이") != std::string::npos);
}

TEST_CASE("a file mixing UTF-8 and GBK is refused with the line where the other encoding starts") {
    const std::string bytes = readFixture("mixed.csv");
    const text::Detection d = text::detect(bytes);
    CHECK_FALSE(d.binary);
    // Whatever the guess, decoding the whole file in it fails at a line of the other half.
    const text::Decoded u = text::toUtf8(bytes, d.encoding);
    CHECK_FALSE(u.ok);
    const text::Decoded asUtf8 = text::toUtf8(bytes, text::Encoding::Utf8);
    CHECK_FALSE(asUtf8.ok);
    CHECK(asUtf8.badLine == 5);
}

TEST_CASE("binary and empty files are told apart from text") {
    CHECK(text::detect("").empty);
    CHECK(text::detect("\xEF\xBB\xBF").empty);
    CHECK(text::detect(std::string("PK\x03\x04\x14\x00\x00\x00", 8)).binary);
    CHECK(text::detect(std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16)).binary);
    CHECK_FALSE(text::detect("a,b\n1,2\n").binary);
    CHECK(text::detect("a,b\n1,2\n").encoding == text::Encoding::Utf8);
}

TEST_CASE("the user's language breaks a tie uchardet cannot") {
    // Two characters are too little for uchardet; GBK bytes of 张伟 decode in GB18030 and Big5.
    const std::string gbk = "\xD5\xC5\xCE\xB0";
    CHECK(text::detect(gbk, 1 << 20, text::Encoding::GB18030).encoding == text::Encoding::GB18030);
}

TEST_CASE("UTF-8 out to each legacy encoding and back") {
    struct Case {
        text::Encoding e;
        std::string s;
    };
    for (const Case& c : {Case{text::Encoding::GB18030, "北京华信科技有限公司,张伟,备注\r\n"},
                          Case{text::Encoding::Big5, "台北宏達電子股份有限公司,陳志明\r\n"},
                          Case{text::Encoding::CP949, "삼성물산 주식회사,김민수,강똠이\r\n"},
                          Case{text::Encoding::ShiftJIS, "株式会社東京商事,山田太郎\r\n"},
                          Case{text::Encoding::Utf16LE, "混合 text 한국어\r\n"}}) {
        CAPTURE(text::name(c.e));
        const text::Encoded out = text::fromUtf8(c.s, c.e);
        CHECK(out.replaced == 0);
        CHECK(out.bytes != c.s);
        const text::Decoded back = text::toUtf8(out.bytes, c.e);
        REQUIRE(back.ok);
        CHECK(back.text == c.s);
    }
    // GB18030 holds all of Unicode, Big5 has no Hangul.
    CHECK(text::fromUtf8("한국", text::Encoding::GB18030).replaced == 0);
    const text::Encoded big5 = text::fromUtf8("A한국B", text::Encoding::Big5);
    CHECK(big5.replaced == 2);
    CHECK(big5.bytes == "A??B");
    CHECK(text::fromUtf8("x", text::Encoding::Utf8, true).bytes == "\xEF\xBB\xBFx");
}

// The tables the browser writes GB18030, Big5 and CP949 with (musl's iconv in Emscripten 3.1.6
// cannot) against this machine's glibc iconv, character by character over all of Unicode: the
// same bytes for every character glibc writes, nothing for those it cannot, and glibc reads our
// bytes back as the same character.
TEST_CASE("GB18030, Big5 and CP949 written through the tables: the bytes glibc writes, for every character") {
    struct Case {
        text::Encoding e;
        const char* glibc;
        int atLeast;  // characters beyond ASCII the encoding holds (a floor, so an empty table fails)
    };
    for (const Case& c :
         {Case{text::Encoding::GB18030, "GB18030", 1'000'000}, Case{text::Encoding::Big5, "BIG5", 13'000},
          Case{text::Encoding::CP949, "CP949", 17'000}}) {
        const std::string glibcName = c.glibc;
        CAPTURE(glibcName);
        iconv_t out = iconv_open(c.glibc, "UTF-32LE");
        iconv_t in = iconv_open("UTF-32LE", c.glibc);
        REQUIRE(out != (iconv_t)-1);
        REQUIRE(in != (iconv_t)-1);
        auto run = [](iconv_t cd, std::string_view from, std::string& to) {
            iconv(cd, nullptr, nullptr, nullptr, nullptr);
            char* src = const_cast<char*>(from.data());
            std::size_t srcLeft = from.size();
            char buf[16];
            char* dst = buf;
            std::size_t dstLeft = sizeof buf;
            const bool ok = iconv(cd, &src, &srcLeft, &dst, &dstLeft) != std::size_t(-1) && srcLeft == 0;
            to.assign(buf, sizeof buf - dstLeft);
            return ok;
        };
        int held = 0, differ = 0, missing = 0, extra = 0, unread = 0;
        std::string firstProblem, glibcBytes, back;
        for (char32_t cp = 0; cp <= 0x10FFFF; ++cp) {
            if (cp >= 0xD800 && cp <= 0xDFFF) continue;
            const char32_t le[1] = {cp};  // UTF-32LE on this (little-endian) machine
            // glibc drops Unicode's tag characters (U+E0000…) it cannot write, writing nothing: the
            // tables write '?' for them as for any other character the encoding lacks.
            const bool glibcWrites =
                run(out, std::string_view(reinterpret_cast<const char*>(le), 4), glibcBytes) &&
                !glibcBytes.empty();
            const std::optional<std::string> ours = text::encodeCharacter(c.e, cp);
            std::string problem;
            if (glibcWrites && !ours) {
                ++missing;
                problem = "not in the table";
            } else if (!glibcWrites && ours) {
                ++extra;
                problem = "glibc cannot write it";
            } else if (ours && *ours != glibcBytes) {
                ++differ;
                problem = "other bytes than glibc's";
            } else if (ours) {
                if (cp >= 0x80) ++held;
                if (!run(in, *ours, back) || back != std::string_view(reinterpret_cast<const char*>(le), 4)) {
                    ++unread;
                    problem = "glibc reads it back as another character";
                }
            }
            if (!problem.empty() && firstProblem.empty()) {
                char at[16];
                std::snprintf(at, sizeof at, "U+%04X: ", unsigned(cp));
                firstProblem = at + problem;
            }
        }
        iconv_close(out);
        iconv_close(in);
        CAPTURE(firstProblem);
        CHECK(missing == 0);
        CHECK(extra == 0);
        CHECK(differ == 0);
        CHECK(unread == 0);
        CHECK(held >= c.atLeast);
    }
    // Not one of the three: no table.
    CHECK_FALSE(text::encodeCharacter(text::Encoding::ShiftJIS, U'日'));
}

TEST_CASE("the tables in text: ASCII as it is, each character's code, '?' for what the encoding lacks") {
    CHECK(text::fromUtf8("A北京", text::Encoding::GB18030).bytes == "A\xB1\xB1\xBE\xA9");
    CHECK(text::fromUtf8("\xE2\x82\xAC", text::Encoding::GB18030).bytes == "\xA2\xE3");  // €
    CHECK(text::fromUtf8("\xF0\x9F\x98\x80", text::Encoding::GB18030).bytes ==
          "\x94\x39\xFC\x36");  // U+1F600, four bytes
    CHECK(text::fromUtf8("\xC2\x80", text::Encoding::GB18030).bytes ==
          "\x81\x30\x81\x30");  // the first four-byte code
    CHECK(text::fromUtf8("台北", text::Encoding::Big5).bytes == "\xA5\x78\xA5\x5F");
    CHECK(text::fromUtf8("똠", text::Encoding::CP949).bytes == "\x8C\x63");  // CP949 only, not EUC-KR
    const text::Encoded bad = text::fromUtf8(
        "a\xFF"
        "b\xE4\xB8",
        text::Encoding::CP949);  // broken UTF-8
    CHECK(bad.bytes == "a?b?");
    CHECK(bad.replaced == 2);
}

TEST_CASE("encoding names and aliases") {
    CHECK(text::encodingNamed("gbk") == text::Encoding::GB18030);
    CHECK(text::encodingNamed("GB2312") == text::Encoding::GB18030);
    CHECK(text::encodingNamed("euc-kr") == text::Encoding::CP949);
    CHECK(text::encodingNamed("big5") == text::Encoding::Big5);
    CHECK(text::encodingNamed("utf-16le") == text::Encoding::Utf16LE);
    CHECK(text::encodingNamed("sjis") == text::Encoding::ShiftJIS);
    CHECK(text::encodingNamed("shift_jis") == text::Encoding::ShiftJIS);
    CHECK_FALSE(text::encodingNamed("klingon").has_value());
    for (text::Encoding e : text::kEncodings) CHECK(text::encodingNamed(text::name(e)) == e);
}

TEST_CASE("validUtf8 names the first bad line") {
    int line = 0;
    CHECK(text::validUtf8("a\nb\n\xE4\xB8\xAD"));
    CHECK_FALSE(text::validUtf8("a\nb\n\xC0\x80", &line));
    CHECK(line == 3);
    CHECK_FALSE(text::validUtf8("\xED\xA0\x80"));  // a surrogate
    CHECK_FALSE(text::validUtf8("\xE4\xB8"));      // cut
}
