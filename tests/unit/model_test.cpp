// Funnel — unit tests of model.h: lookups, the default document, ids, dates, enum names.
#include <doctest/doctest.h>

#include <set>

#include "core/model.h"

using namespace funnel;

TEST_CASE("default document has the seven stages of PRODUCT.md in four languages") {
    const Document doc = makeDefaultDocument(1000);
    REQUIRE(doc.pipelines.size() == 1);
    const Pipeline& p = doc.pipelines[0];
    CHECK(p.id == "p-default");
    REQUIRE(p.stages.size() == 7);
    const int probs[] = {5, 10, 20, 40, 60, 80, 100};
    const char* en[] = {"Lead", "Qualified", "Needs analysis", "Solution / demo", "Proposal / quote", "Negotiation", "Won"};
    const char* zh[] = {"线索", "已确认", "需求分析", "方案演示", "报价", "商务谈判", "赢单"};
    const char* ko[] = {"리드", "자격 확인", "요구 분석", "솔루션 시연", "제안", "협상", "수주"};
    std::set<Id> ids;
    for (int i = 0; i < 7; ++i) {
        const Stage& s = p.stages[i];
        CHECK(s.probability == probs[i]);
        CHECK(s.name.get("en") == en[i]);
        CHECK(s.name.get("zh-Hans") == zh[i]);
        CHECK(s.name.get("ko") == ko[i]);
        CHECK_FALSE(s.name.get("zh-Hant").empty());
        CHECK_FALSE(s.playbook.empty());
        ids.insert(s.id);
    }
    CHECK(ids.size() == 7);
    CHECK(p.stages[6].name.get("zh-Hant") == "贏單");
    REQUIRE(doc.members.size() == 1);
    CHECK(doc.settings.me == doc.members[0].id);
    CHECK(doc.settings.defaultPipeline == "p-default");
    CHECK(doc.settings.rates.at("CNY") == 1.0);

    // A second default pipeline gets stage ids of its own.
    const Document other = makeDefaultDocument(0, "p-smb");
    CHECK(other.pipelines[0].stages[0].id != p.stages[0].id);
}

TEST_CASE("LocalText falls back to en, then to any language present") {
    LocalText t;
    CHECK(t.get("ko").empty());
    t.byLang["ko"] = "리드";
    CHECK(t.get("en") == "리드");
    CHECK(t.get("zh-Hans") == "리드");
    t.byLang["en"] = "Lead";
    CHECK(t.get("zh-Hans") == "Lead");
    CHECK(t.get("ko") == "리드");
    t.byLang["zh-Hans"] = "";
    CHECK(t.get("zh-Hans") == "Lead");
}

TEST_CASE("lookups and probabilityOf") {
    Document doc = makeDefaultDocument(0);
    Deal d;
    d.id = "d1";
    d.pipelineId = "p-default";
    d.stageId = doc.pipelines[0].stages[3].id;
    doc.deals.push_back(d);
    CHECK(doc.findDeal("d1") != nullptr);
    CHECK(doc.findDeal("nope") == nullptr);
    CHECK(doc.findDeal("") == nullptr);
    CHECK(doc.probabilityOf(doc.deals[0]) == 40);
    doc.deals[0].probability = 55;
    CHECK(doc.probabilityOf(doc.deals[0]) == 55);
    doc.deals[0].probability.reset();
    doc.deals[0].stageId = "deleted-stage";
    CHECK(doc.probabilityOf(doc.deals[0]) == 0);
    CHECK(doc.findPipeline("p-default")->findStage(doc.pipelines[0].stages[0].id)->probability == 5);
    CHECK(doc.findMember("m-me") != nullptr);
}

TEST_CASE("newId is 10 base-62 characters, fits the small-string buffer, and does not repeat") {
    std::set<Id> seen;
    for (int i = 0; i < 1000; ++i) {
        Id id = newId();
        REQUIRE(id.size() == 10);
        for (char c : id) CHECK(((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')));
        // No heap block: the characters live inside the string object itself.
        const char* data = id.data();
        const char* self = reinterpret_cast<const char*>(&id);
        CHECK((data >= self && data < self + sizeof(Id)));
        seen.insert(id);
    }
    CHECK(seen.size() == 1000);
    CHECK(idFromBits(0) == "0000000000");
    CHECK(idFromBits(61) == "z000000000");
    CHECK(idFromBits(62) == "0100000000");
}

TEST_CASE("dates and times") {
    CHECK(makeDate(1970, 1, 1) == 0);
    CHECK(makeDate(2000, 3, 1) == 11017);
    CHECK(formatDate(makeDate(2024, 2, 29)) == "2024-02-29");
    CHECK(formatDate(-1) == "1969-12-31");
    CHECK(formatDate(kNoDate).empty());
    CHECK(parseDate("2024-02-29") == makeDate(2024, 2, 29));
    CHECK_FALSE(parseDate("2023-02-29"));
    CHECK_FALSE(parseDate("2023-13-01"));
    CHECK_FALSE(parseDate("2023-1-01"));
    CHECK_FALSE(parseDate("2023-01-01x"));
    int y, m, d;
    for (Date day : {-800000, -1, 0, 59, 10957, 20000, 2932896}) {
        splitDate(day, y, m, d);
        CHECK(makeDate(y, m, d) == day);
    }

    const Time t = parseTime("2026-11-28T07:05:43.123Z").value();
    CHECK(formatTime(t) == "2026-11-28T07:05:43.123Z");
    CHECK(parseTime("2026-11-28T08:05:43.123+01:00") == t);
    CHECK(parseTime("2026-11-28T07:05:43Z") == t - 123);
    CHECK(parseTime("2026-11-28T07:05:43.1239Z") == t);
    CHECK(formatTime(0) == "1970-01-01T00:00:00.000Z");
    CHECK(formatTime(-1) == "1969-12-31T23:59:59.999Z");
    CHECK(parseTime(formatTime(-1)) == -1);
    CHECK_FALSE(parseTime("2026-11-28 07:05:43Z"));
    CHECK_FALSE(parseTime("2026-11-28T07:05:43"));
    CHECK_FALSE(parseTime("2026-11-28T25:05:43Z"));
    CHECK_FALSE(parseTime("2026-11-28T07:05:43.Z"));

    // The user's zone moves the calendar day: 23:30 UTC is the next day in Seoul (+9h).
    const Time late = parseTime("2026-01-31T23:30:00Z").value();
    CHECK(dateFromTime(late) == makeDate(2026, 1, 31));
    CHECK(dateFromTime(late, 9 * 60) == makeDate(2026, 2, 1));
    CHECK(dateFromTime(parseTime("2026-01-31T01:00:00Z").value(), -5 * 60) == makeDate(2026, 1, 30));
    CHECK(timeFromDate(makeDate(2026, 2, 1), 9 * 60) == parseTime("2026-01-31T15:00:00Z"));
}

TEST_CASE("enum names round trip and reject unknown names") {
    for (int i = 0; i <= int(ActivityKind::AfterSales); ++i) {
        ActivityKind k{};
        REQUIRE(fromString(toString(ActivityKind(i)), k));
        CHECK(int(k) == i);
    }
    for (int i = 0; i <= int(BuyingRole::Coach); ++i) {
        BuyingRole r{};
        REQUIRE(fromString(toString(BuyingRole(i)), r));
        CHECK(int(r) == i);
    }
    for (int i = 0; i <= int(LeadSource::Referral); ++i) {
        LeadSource s{};
        REQUIRE(fromString(toString(LeadSource(i)), s));
        CHECK(int(s) == i);
    }
    CHECK(std::string(toString(DealStatus::Suspended)) == "suspended");
    CHECK(std::string(toString(Grade::A)) == "A");
    CHECK(std::string(toString(ObjectionCategory::AfterSales)) == "afterSales");
    Grade g = Grade::C;
    CHECK_FALSE(fromString("E", g));
    CHECK((g == Grade::C));  // double parentheses: funnel::toString would hijack doctest's printing
    DealStatus st{};
    CHECK_FALSE(fromString("Won", st));
}

TEST_CASE("the default pipeline's playbooks are written in the language the funnel starts in") {
    const Document en = makeDefaultDocument(0);
    const Document zh = makeDefaultDocument(0, "p-default", "zh-Hans");
    const Document tw = makeDefaultDocument(0, "p-default", "zh-Hant");
    const Document ko = makeDefaultDocument(0, "p-default", "ko");
    const Document other = makeDefaultDocument(0, "p-default", "fr");
    REQUIRE(en.pipelines.front().stages.size() == zh.pipelines.front().stages.size());
    for (std::size_t i = 0; i < en.pipelines.front().stages.size(); ++i) {
        const auto& e = en.pipelines.front().stages[i].playbook;
        CAPTURE(i);
        REQUIRE_FALSE(e.empty());
        CHECK(other.pipelines.front().stages[i].playbook == e);
        for (const Document* d : {&zh, &tw, &ko}) {
            const auto& p = d->pipelines.front().stages[i].playbook;
            REQUIRE(p.size() == e.size());
            for (std::size_t k = 0; k < p.size(); ++k) {
                CHECK_FALSE(p[k].empty());
                CHECK(p[k] != e[k]);
            }
        }
    }
    CHECK(zh.pipelines.front().stages[1].playbook.front() == "已首次接触");
}
