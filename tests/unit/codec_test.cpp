// Funnel — unit tests of the document codec: round trip, unknown fields, validation paths,
// limits, migration.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>

#include "core/codec.h"
#include "core/demo.h"

using namespace funnel;

namespace {
// A document with every field away from its default and an unknown field at every level.
Document richDocument() {
    Document doc = makeDefaultDocument(0);
    json x = {{"futureField", {{"nested", {1, 2, 3}}}}};
    doc.extra = {{"teamFile", "https://example.invalid/team.json"}};
    doc.settings.extra = x;
    doc.settings.displayCurrency = "KRW";
    doc.settings.targets["m-me:2026-05"] = 1e6;
    doc.settings.cadenceDays["A"] = 5;
    doc.settings.afterSalesDays = {3, 60};
    doc.settings.outOfFunnelThreshold = 1000.5;
    doc.settings.language = "ko";
    doc.settings.theme = "dark";
    doc.pipelines[0].extra = x;
    doc.pipelines[0].stages[2].extra = x;
    doc.members[0].extra = x;
    doc.members[0].role = "manager";

    Customer c;
    c.id = "c1";
    c.name = "台北遠見科技";
    c.industry = "Retail";
    c.region = "Taipei";
    c.address = "信義路五段7號";
    c.website = "https://example.invalid";
    c.phone = "+886 2 1234 5678";
    c.size = "50-200";
    c.grade = Grade::B;
    c.source = LeadSource::Referral;
    c.referredBy = "c0";
    c.tags = {"vip", "東區"};
    c.notes = "line one\nline two \"quoted\"";
    c.profile = {"two kids", "golf", "NTU", "03-14", "CTO", "launched the app", x};
    c.owner = "m-me";
    c.createdAt = 1'700'000'000'123;
    c.deleted = true;
    c.extra = x;
    doc.customers.push_back(c);

    Contact k;
    k.id = "k1";
    k.customerId = "c1";
    k.name = "김민지";
    k.title = "구매팀장";
    k.phone = "010";
    k.email = "a@b.c";
    k.messenger = "kakao:minji";
    k.level = ContactLevel::Decision;
    k.role = BuyingRole::FinancialGatekeeper;
    k.attitude = Attitude::Opponent;
    k.deleted = true;
    k.extra = x;
    doc.contacts.push_back(k);

    Deal d;
    d.id = "d1";
    d.title = "POS 更新";
    d.customerId = "c1";
    d.pipelineId = "p-default";
    d.stageId = "s-demo";
    d.value = 1234567.89;
    d.currency = "TWD";
    d.probability = 0;  // an explicit 0 is not "unset"
    d.expectedClose = makeDate(2026, 12, 31);
    d.owner = "m-me";
    d.status = DealStatus::Suspended;
    d.lostReason = "n/a";
    d.suspendedUntil = makeDate(2027, 1, 15);
    d.closedAt = 1'700'000'000'000;
    d.labels = {"hot"};
    d.nextStep = "call";
    d.nextStepDue = makeDate(2026, 6, 1);
    d.key = {"Q3", "2M", "POS", "CFO signs", "Vendor X", "price, service", x};
    d.qualification = {true, true, false, true, "no budget yet", x};
    d.competitors = {"Vendor X"};
    d.objections = {Objection{"o1", ObjectionCategory::Guarantee, "warranty?", true, x}};
    d.stageHistory = {StageEntry{"s-lead", 1'600'000'000'000, x}, StageEntry{"s-demo", 1'600'000'100'000, json()}};
    d.checklist = {{"Demo prepared for the right people", true}, {"Next step agreed", false}};
    d.contactIds = {"k1"};
    d.cost = 1000;
    d.repurchase = true;
    d.renewal = true;
    d.createdAt = 1;
    d.updatedAt = 2;
    d.lastActivityAt = 3;
    d.order = -7;
    d.deleted = true;
    d.extra = x;
    doc.deals.push_back(d);

    Activity a;
    a.id = "a1";
    a.dealId = "d1";
    a.customerId = "c1";
    a.kind = ActivityKind::QuoteSent;
    a.subject = "Quote v2";
    a.outcome = "received";
    a.due = 10;
    a.doneAt = 20;
    a.advanced = true;
    a.owner = "m-me";
    a.deleted = true;
    a.extra = x;
    doc.activities.push_back(a);

    doc.changes.push_back(Change{5, "m-me", "deal", "d1", "moved to Solution / demo", x});
    return doc;
}

// A text handed out `size` bytes at a time (the last piece shorter), as a file read in blocks.
class Pieces final : public TextSource {
public:
    Pieces(std::string_view text, std::size_t size, std::size_t hint = 0) : text_(text), size_(size), hint_(hint) {}
    std::string_view next() override {
        std::string_view piece = text_.substr(0, std::min(size_, text_.size()));
        text_.remove_prefix(piece.size());
        return piece;
    }
    std::size_t expectedRecords(std::string_view) const override { return hint_; }

private:
    std::string_view text_;
    std::size_t size_;
    std::size_t hint_;
};

DecodeResult decodePieces(const std::string& text, std::size_t size, const Limits& limits = {}) {
    Pieces pieces(text, size);
    return decodeDocument(pieces, limits);
}

// The error of decoding `text` ("" when it decodes), checking on the way that decoding it in
// pieces of any size says exactly the same (the store reads snapshots that way).
std::string errorOf(const std::string& text, const Limits& limits = {}) {
    DecodeResult r = decodeDocument(text, limits);
    const std::string error = r.ok ? "" : r.error;
    for (std::size_t size : {std::size_t(1), std::size_t(3), std::size_t(64), std::size_t(4096)}) {
        CAPTURE(size);
        DecodeResult p = decodePieces(text, size, limits);
        CHECK(p.ok == r.ok);
        // The size limit is noticed after the piece that crosses it: "document of <so far> bytes".
        if (error.find("exceeds the limit") != std::string::npos) CHECK(p.error.find("exceeds the limit") != std::string::npos);
        else CHECK(p.error == error);
        if (p.ok && r.ok) CHECK(p.document == r.document);
    }
    return error;
}

// The document text with one value replaced, e.g. deals[0].value = "x".
std::string withValue(const Document& doc, const json::json_pointer& ptr, const json& v) {
    json j = encodeDocument(doc);
    j[ptr] = v;
    return dumpJson(j);
}
}  // namespace

TEST_CASE("round trip is lossless, unknown fields included, at every level") {
    const Document doc = richDocument();
    const std::string text = encodeDocumentText(doc);
    DecodeResult r = decodeDocument(text);
    REQUIRE_MESSAGE(r.ok, r.error);
    CHECK(r.document == doc);
    CHECK(encodeDocumentText(r.document) == text);
    CHECK(text.substr(0, 31) == R"({"format":"funnel","version":1,)");
    // Every unknown field is still in the text.
    std::size_t n = 0;
    for (std::size_t pos = text.find("futureField"); pos != std::string::npos; pos = text.find("futureField", pos + 1)) ++n;
    CHECK(n == 14);
                     // qualification, objection, stage entry, activity, change
    CHECK(text.find("teamFile") != std::string::npos);

    // A document written with keys in another order decodes to the same thing.
    json shuffled = json::parse(text);
    json reversed = json::object();
    std::vector<std::string> keys;
    for (auto it = shuffled.begin(); it != shuffled.end(); ++it) keys.push_back(it.key());
    for (auto k = keys.rbegin(); k != keys.rend(); ++k) reversed[*k] = shuffled[*k];
    DecodeResult r2 = decodeDocument(reversed);
    REQUIRE_MESSAGE(r2.ok, r2.error);
    CHECK(r2.document == doc);
    // As text too: the header now comes last, so nothing can be decoded while streaming.
    DecodeResult r3 = decodeDocument(dumpJson(reversed));
    REQUIRE_MESSAGE(r3.ok, r3.error);
    CHECK(r3.document == doc);
}

TEST_CASE("defaults are left out of records and read back as defaults") {
    Document doc = makeDefaultDocument(0);
    Deal d;
    d.id = "d1";
    d.title = "t";
    doc.deals.push_back(d);
    const json j = encodeDocument(doc);
    const json& dj = j["deals"][0];
    CHECK(dj.size() == 2);  // id and title
    CHECK(dj.contains("id"));
    // Full form (what *.set edits) has every field.
    const json full = encodeRecord(d, true);
    CHECK(full["probability"].is_null());
    CHECK(full["expectedClose"].is_null());
    CHECK(full["currency"] == "CNY");
    DecodeResult r = decodeDocument(dumpJson(j));
    REQUIRE(r.ok);
    CHECK(r.document == doc);
    // The full form decodes to the same record too.
    Deal back;
    std::string err;
    REQUIRE(decodeRecord(full, back, err, "deal"));
    CHECK(back == d);
}

TEST_CASE("validation errors name the path") {
    Document doc = makeDefaultDocument(0);
    for (int i = 0; i < 13; ++i) {
        Deal d;
        d.id = "d" + std::to_string(i);
        doc.deals.push_back(d);
    }
    Customer c;
    c.id = "c1";
    doc.customers.push_back(c);
    using P = json::json_pointer;
    struct Case {
        const char* pointer;
        json value;
        const char* error;
    };
    const Case cases[] = {
        {"/deals/12/value", "12", "deals[12].value: expected a number"},
        {"/deals/12/value", -1, "deals[12].value: expected a number ≥ 0"},
        {"/deals/3/probability", 101, "deals[3].probability: expected an integer from 0 to 100"},
        {"/deals/3/probability", 1.5, "deals[3].probability: expected an integer"},
        {"/deals/3/currency", "usd", "deals[3].currency: expected a 3-letter currency code"},
        {"/deals/3/status", "maybe", "deals[3].status: unknown value \"maybe\""},
        {"/deals/3/expectedClose", "2026-13-01", "deals[3].expectedClose: expected a date"},
        {"/deals/3/createdAt", 12345, "deals[3].createdAt: expected an ISO-8601 UTC time string or null"},
        {"/deals/3/labels", {"a", 2}, "deals[3].labels[1]: expected a string"},
        {"/deals/3/key", {{"budget", 5}}, "deals[3].key.budget: expected a string"},
        {"/deals/3/qualification", {{"money", "yes"}}, "deals[3].qualification.money: expected true or false"},
        {"/deals/3/stageHistory", {{{"stageId", "s"}, {"at", "bad"}}}, "deals[3].stageHistory[0].at: expected an ISO-8601 time"},
        {"/deals/3/objections", {{{"id", "o"}, {"category", "mood"}}}, "deals[3].objections[0].category: unknown value"},
        {"/deals/3/checklist", {{"item", 1}}, "deals[3].checklist.item: expected true or false"},
        {"/deals/3/id", 7, "deals[3].id: expected an id string"},
        {"/deals/4", {{"title", "no id"}}, "deals[4].id: missing"},
        {"/deals/5", "deal", "deals[5]: expected an object"},
        {"/deals", {{"id", "x"}}, "deals: expected an array"},
        {"/customers/0/grade", "E", "customers[0].grade: unknown value"},
        {"/customers/0/profile/hobbies", 1, "customers[0].profile.hobbies: expected a string"},
        {"/pipelines/0/stages/2/probability", -1, "pipelines[0].stages[2].probability: expected an integer from 0 to 100"},
        {"/pipelines/0/stages/2/name", "Needs", "pipelines[0].stages[2].name: expected an object of texts by language"},
        {"/members/0/role", "boss", "members[0].role: expected \"rep\" or \"manager\""},
        {"/settings/rates/USD", 0, "settings.rates.USD: expected a rate > 0"},
        {"/settings/rates/dollars", 1, "settings.rates.dollars: expected a 3-letter currency code"},
        {"/settings/cadenceDays/A", 0, "settings.cadenceDays.A: expected an integer from 1 to 3650"},
        {"/settings/theme", "pink", "settings.theme: expected \"light\", \"dark\" or \"system\""},
        {"/version", 2, "version: 2 is newer than this Funnel understands (1)"},
        {"/format", "other", "format: expected \"funnel\""},
    };
    for (const Case& k : cases) {
        CAPTURE(k.pointer);
        const std::string err = errorOf(withValue(doc, P(k.pointer), k.value));
        CHECK_MESSAGE(err.rfind(k.error, 0) == 0, err);
    }
    CHECK(errorOf("[1,2]") == "document: expected a JSON object");
}

TEST_CASE("limits reject rather than crash") {
    const std::string ok = encodeDocumentText(makeDefaultDocument(0));
    CHECK(errorOf(ok).empty());

    Limits small;
    small.maxBytes = ok.size() - 1;
    CHECK(errorOf(ok, small).find("exceeds the limit") != std::string::npos);

    // Nesting far deeper than any stack would survive in nlohmann's recursive copy / dump.
    std::string deep = R"({"format":"funnel","version":1,"extra":)" + std::string(200000, '[') + std::string(200000, ']') + "}";
    CHECK(errorOf(deep).find("nesting deeper than 64") != std::string::npos);
    std::string deepObj = R"({"format":"funnel","version":1,"x":)";
    for (int i = 0; i < 70; ++i) deepObj += R"({"a":)";
    deepObj += "1" + std::string(70, '}') + "}";
    CHECK(errorOf(deepObj).find("nesting deeper") != std::string::npos);
    // 60 levels of unknown data are fine (and kept).
    std::string fine = R"({"format":"funnel","version":1,"x":)" + std::string(60, '[') + std::string(60, ']') + "}";
    DecodeResult r = decodeDocument(fine);
    REQUIRE_MESSAGE(r.ok, r.error);
    CHECK(r.document.extra.contains("x"));

    Limits strings;
    strings.maxStringLength = 100;
    CHECK(errorOf(R"({"format":"funnel","version":1,"x":")" + std::string(101, 'a') + "\"}", strings).find("string of 101 bytes") != std::string::npos);
    CHECK(errorOf(R"({"format":"funnel","version":1,")" + std::string(101, 'k') + "\":1}", strings).find("string of 101 bytes") != std::string::npos);
    CHECK(errorOf(R"({"format":"funnel","version":1,"x":")" + std::string(100, 'a') + "\"}", strings).empty());

    Limits records;
    records.maxRecords = 3;
    CHECK(errorOf(R"({"format":"funnel","version":1,"deals":[{"id":"a"},{"id":"b"},{"id":"c"},{"id":"d"}]})", records).find("more than 3 elements") != std::string::npos);
    CHECK(errorOf(R"({"format":"funnel","version":1,"deals":[{"id":"a"},{"id":"b"},{"id":"c"}]})", records).empty());

    // Invalid UTF-8 inside a string, an overlong encoding, a lone surrogate escape.
    CHECK(errorOf("{\"format\":\"funnel\",\"version\":1,\"x\":\"\xff\"}").find("invalid JSON") == 0);
    CHECK(errorOf("{\"format\":\"funnel\",\"version\":1,\"x\":\"\xc0\xaf\"}").find("invalid JSON") == 0);
    CHECK(errorOf(R"({"format":"funnel","version":1,"x":"\ud800"})").find("invalid JSON") == 0);
    // Numbers that do not fit a double, and non-JSON literals.
    CHECK(errorOf(R"({"format":"funnel","version":1,"x":1e999})").find("invalid JSON") == 0);
    CHECK(errorOf(R"({"format":"funnel","version":1,"x":NaN})").find("invalid JSON") == 0);
    CHECK(errorOf(R"({"format":"funnel","version":1,"x":-Infinity})").find("invalid JSON") == 0);
    // Truncated and empty text.
    CHECK_FALSE(errorOf(ok.substr(0, ok.size() / 2)).empty());
    CHECK_FALSE(errorOf("").empty());
    CHECK(checkLimits(ok).empty());
}

TEST_CASE("decoding in pieces gives the document the whole text and the DOM give") {
    for (int deals : {0, 10, 300, 3000}) {
        CAPTURE(deals);
        const Document doc = deals ? makeDemoDocument(7, deals, 1764288000000, "") : richDocument();
        const std::string text = encodeDocumentText(doc);
        DecodeResult whole = decodeDocument(text);
        REQUIRE_MESSAGE(whole.ok, whole.error);
        CHECK(whole.document == doc);
        DecodeResult dom = decodeDocument(json::parse(text));
        REQUIRE_MESSAGE(dom.ok, dom.error);
        CHECK(dom.document == doc);
        for (std::size_t size : {std::size_t(1), std::size_t(5), std::size_t(1000), std::size_t(65536)}) {
            if (size < 5 && deals > 300) continue;  // a byte at a time is slow and proves nothing more
            CAPTURE(size);
            DecodeResult p = decodePieces(text, size);
            REQUIRE_MESSAGE(p.ok, p.error);
            CHECK(p.document == doc);
        }
        // A record count hint, right, too small or too big, changes nothing but the allocation.
        for (std::size_t hint : {std::size_t(0), std::size_t(1), doc.deals.size(), std::size_t(100000)}) {
            CAPTURE(hint);
            Pieces pieces(text, 4096, hint);
            DecodeResult p = decodeDocument(pieces);
            REQUIRE_MESSAGE(p.ok, p.error);
            CHECK(p.document == doc);
            if (!doc.deals.empty() && hint >= doc.deals.size()) CHECK(p.document.deals.capacity() == std::max(hint, doc.deals.size()));
        }
    }
    // An older document (no header: migrated as a whole) comes through pieces as well.
    const std::string v0 = R"({"deals":[{"id":"d1","amount":5,"stage":"s-lead","createdAt":1000}]})";
    DecodeResult p = decodePieces(v0, 2);
    REQUIRE_MESSAGE(p.ok, p.error);
    CHECK(p.migratedFrom == 0);
    REQUIRE(p.document.deals.size() == 1);
    CHECK(p.document.deals[0].value == 5);
    // Empty pieces only ever end the text: a truncated document is an error, not a hang.
    const std::string ok = encodeDocumentText(richDocument());
    CHECK_FALSE(decodePieces(ok.substr(0, ok.size() - 1), 7).ok);
    // The size limit holds however the text is cut.
    Limits small;
    small.maxBytes = ok.size() - 1;
    for (std::size_t size : {std::size_t(1), std::size_t(100), ok.size()}) {
        DecodeResult r = decodePieces(ok, size, small);
        CHECK_FALSE(r.ok);
        CHECK(r.error.find("exceeds the limit of " + std::to_string(small.maxBytes)) != std::string::npos);
    }
}

TEST_CASE("migration from version 0 (no header, amount, stage, closeDate, epoch-ms times)") {
    const std::string v0 = R"({
      "settings": {"displayCurrency": "CNY"},
      "pipelines": [{"id": "p1", "name": {"en": "Sales"}, "stages": [{"id": "s1", "name": {"en": "Lead"}, "probability": 5}]}],
      "customers": [{"id": "c1", "name": "Acme", "createdAt": 1700000000000}],
      "deals": [{"id": "d1", "title": "Old deal", "customerId": "c1", "pipelineId": "p1", "stage": "s1",
                 "amount": 5000, "closeDate": "2024-03-01", "createdAt": 1700000000000,
                 "stageHistory": [{"stageId": "s1", "at": 1700000000000}], "legacyFlag": true}]
    })";
    DecodeResult r = decodeDocument(v0);
    REQUIRE_MESSAGE(r.ok, r.error);
    CHECK(r.migratedFrom == 0);
    REQUIRE(r.document.deals.size() == 1);
    const Deal& d = r.document.deals[0];
    CHECK(d.value == 5000);
    CHECK(d.stageId == "s1");
    CHECK(d.expectedClose == makeDate(2024, 3, 1));
    CHECK(d.createdAt == 1'700'000'000'000);
    CHECK(d.stageHistory.at(0).at == 1'700'000'000'000);
    CHECK(d.extra == json{{"legacyFlag", true}});
    CHECK(r.document.customers[0].createdAt == 1'700'000'000'000);
    // Written back, it is a version 1 document that decodes to the same thing.
    const std::string v1 = encodeDocumentText(r.document);
    CHECK(v1.find(R"("version":1)") != std::string::npos);
    CHECK(v1.find("amount") == std::string::npos);
    DecodeResult again = decodeDocument(v1);
    REQUIRE(again.ok);
    CHECK(again.migratedFrom == 1);
    CHECK(again.document == r.document);
    // A broken v0 document still reports the path.
    CHECK(errorOf(R"({"deals":[{"id":"d1","amount":"lots"}]})") == "deals[0].value: expected a number");
}

TEST_CASE("per-record codec is what the commands and sync use") {
    Deal d;
    d.id = "d9";
    d.value = 10;
    const json j = encodeRecord(d);
    CHECK(j == json{{"id", "d9"}, {"value", 10.0}});
    Deal back;
    std::string err;
    CHECK(decodeRecord(j, back, err, "deal"));
    CHECK(back == d);
    CHECK_FALSE(decodeRecord(json{{"id", "d9"}, {"value", true}}, back, err, "deal"));
    CHECK(err == "deal.value: expected a number");
    Settings s;
    err.clear();
    CHECK_FALSE(decodeRecord(json{{"afterSalesDays", {7, -1}}}, s, err, "settings"));
    CHECK(err == "settings.afterSalesDays[1]: expected an integer from 0 to 3650");
}

TEST_CASE("the text encoder writes exactly what dump() of the json form writes") {
    Document doc = richDocument();
    doc.deals[0].title = std::string("tab\tquote\" back\\ nl\n cr\r bell\x07 del\x7f ") + "\xe4\xb8\xad";
    doc.deals[0].value = 0.1;
    doc.deals[0].cost = 1e20;
    doc.settings.rates["KRW"] = 0.00072;
    doc.settings.rates["USD"] = 1.0 / 3.0;
    doc.customers[0].notes = "broken \xff utf-8";  // only C++ code can put this here
    doc.extra["nested"] = json::parse(R"({"a":[1,2.5,-3,true,null,{"b":"\u0001"}]})");
    CHECK(encodeDocumentText(doc) == dumpJson(encodeDocument(doc)));
    const Document demo = makeDefaultDocument(0);
    CHECK(encodeDocumentText(demo) == dumpJson(encodeDocument(demo)));
    // The replaced byte comes back as U+FFFD and the text is valid JSON.
    DecodeResult r = decodeDocument(encodeDocumentText(doc));
    REQUIRE_MESSAGE(r.ok, r.error);
    CHECK(r.document.customers[0].notes == "broken \xef\xbf\xbd utf-8");
    CHECK(r.document.deals[0].title == doc.deals[0].title);
    CHECK(r.document.deals[0].value == 0.1);
}
