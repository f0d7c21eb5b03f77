// Funnel — unit tests of the CSV writer and reader (core/csv.h).
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "core/csv.h"

using namespace funnel;
using Rows = std::vector<std::vector<std::string>>;

namespace {
Rows fieldsOf(const csv::Table& t) {
    Rows rows;
    for (const auto& r : t.records) rows.push_back(r.fields);
    return rows;
}
}  // namespace

TEST_CASE("csv writer: RFC 4180 quoting and CRLF records") {
    CHECK(csv::quoteField("plain") == "plain");
    CHECK(csv::quoteField("a,b") == "\"a,b\"");
    CHECK(csv::quoteField("say \"hi\"") == "\"say \"\"hi\"\"\"");
    CHECK(csv::quoteField("two\nlines") == "\"two\nlines\"");
    CHECK(csv::quoteField("cr\rhere") == "\"cr\rhere\"");
    CHECK(csv::quoteField(" padded") == "\" padded\"");
    CHECK(csv::quoteField("a;b", ';') == "\"a;b\"");
    CHECK(csv::quoteField("a;b", ',') == "a;b");
    CHECK(csv::quoteField("") == "");

    const std::string text = csv::write({{"名称", "金额"}, {"上海\"光明\"", "1,5"}, {"a\nb", ""}});
    CHECK(text == "名称,金额\r\n\"上海\"\"光明\"\"\",\"1,5\"\r\n\"a\nb\",\r\n");
}

TEST_CASE("csv writer: BOM option and other delimiters") {
    csv::Writer w({';', true});
    w.row({"x;y", "z"});
    CHECK(w.text() == "\xEF\xBB\xBF\"x;y\";z\r\n");
    csv::Writer plain;
    plain.row(std::vector<std::string>{"1"});
    CHECK(plain.text().rfind("\xEF\xBB\xBF", 0) == std::string::npos);
}

TEST_CASE("csv: what the writer writes the reader reads back") {
    const Rows rows = {{"客户名称", "电话", "备注"},
                       {"北京\"华信\"", "010-1234", "line1\nline2\r\nline3"},
                       {"고객, 주식회사", "", " spaced "},
                       {"", "", ""}};
    for (char d : {',', ';', '\t', '|'}) {
        for (bool bom : {false, true}) {
            CAPTURE(d);
            CAPTURE(bom);
            const std::string text = csv::write(rows, {d, bom});
            const csv::Table t = csv::read(text);
            CHECK(t.delimiter == d);
            CHECK(t.problems.empty());
            CHECK(fieldsOf(t) == rows);
        }
    }
}

TEST_CASE("csv reader: quoted newlines keep the line numbers right") {
    const std::string text = "name,note\nA,\"one\ntwo\nthree\"\nB,x\r\nC,\"y\"\"q\"\n";
    const csv::Table t = csv::read(text);
    REQUIRE(t.records.size() == 4);
    CHECK(t.records[1].fields[1] == "one\ntwo\nthree");
    CHECK(t.records[1].line == 2);
    CHECK(t.records[2].line == 5);
    CHECK(t.records[3].line == 6);
    CHECK(t.records[3].fields[1] == "y\"q");
}

TEST_CASE("csv reader: delimiter detection") {
    CHECK(csv::detectDelimiter("a;b;c\n1;2,5;3\n4;5;6\n") == ';');
    CHECK(csv::detectDelimiter("a,b,c\n1,2,3\n") == ',');
    CHECK(csv::detectDelimiter("a\tb\n1\t2\n") == '\t');
    CHECK(csv::detectDelimiter("a|b|c\n1|2|3\n") == '|');
    // Commas inside quotes do not count.
    CHECK(csv::detectDelimiter("\"a,b\";c\n\"1,2\";3\n") == ';');
    // European decimals: 1,5 in every row would split on ',' inconsistently with the header.
    CHECK(csv::detectDelimiter("name;value\nA;1,5\nB;2\nC;3,25\n") == ';');
    CHECK(csv::detectDelimiter("single column\nx\n") == ',');
    CHECK(csv::detectDelimiter("") == ',');
}

TEST_CASE("csv reader: an unterminated quote is reported at the record's first line") {
    const csv::Table t = csv::read("a,b\n1,2\n3,\"open\n4,5\n6,7\n");
    CHECK(t.fatal());
    REQUIRE(t.problems.size() == 1);
    CHECK(t.problems[0].kind == csv::ProblemKind::UnterminatedQuote);
    CHECK(t.problems[0].line == 3);
}

TEST_CASE("csv reader: rows longer than the header are reported with their line") {
    const csv::Table t = csv::read("a,b\n1,2\n1,2,3\n\n1\n1,2,3,4\n");
    CHECK_FALSE(t.fatal());
    REQUIRE(t.problems.size() == 2);
    CHECK(t.problems[0].kind == csv::ProblemKind::TooManyFields);
    CHECK(t.problems[0].line == 3);
    CHECK(t.problems[0].fields == 3);
    CHECK(t.problems[1].line == 6);
    CHECK(t.problems[1].fields == 4);
    // Short rows and the empty line are not problems; the empty line is skipped.
    CHECK(t.records.size() == 5);
    CHECK(t.records[3].fields == std::vector<std::string>{"1"});
    CHECK(t.records[3].line == 5);
}

TEST_CASE("csv reader: endings, BOM, trailing delimiter, preview limit") {
    const csv::Table t = csv::read("\xEF\xBB\xBFx,y\r1,\r2,3");
    REQUIRE(t.records.size() == 3);
    CHECK(t.records[0].fields[0] == "x");
    CHECK(t.records[1].fields == std::vector<std::string>{"1", ""});
    CHECK(t.records[2].line == 3);
    CHECK(t.records[2].fields == std::vector<std::string>{"2", "3"});

    const csv::Table p = csv::read("h\n1\n2\n3\n4\n", {',', 2});
    CHECK(p.records.size() == 2);
    CHECK(p.truncated);
    CHECK_FALSE(csv::read("h\n1\n", {',', 2}).truncated);
}
