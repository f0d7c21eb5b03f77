// Funnel — unit tests of a rep's records (issues #12.5 and #13): setting one nested field by
// path keeps the fields a newer Funnel wrote; deleting a customer with its records; merging two
// customers. Each undoes to the exact document.
#include <doctest/doctest.h>

#include "core/codec.h"
#include "core/command.h"

using namespace funnel;

namespace {
const Time kT0 = 1'780'000'000'000;  // 2026-05-28

struct Two {
    Document doc = makeDefaultDocument(kT0);
    Id a, b, contactB, dealA, dealB, activityB, referred;
    json run(const json& cmd) {
        CommandResult r = applyCommand(doc, cmd, CommandContext{kT0, "m-me"});
        REQUIRE_MESSAGE(r.ok, r.error);
        return r.result;
    }
    Two() {
        a = run({{"op", "customer.create"}, {"name", "Acme"}, {"tags", {"retail"}}})["id"];
        b = run({{"op", "customer.create"},
                 {"name", "ACME Ltd."},
                 {"industry", "Logistics"},
                 {"phone", "+82 2 555 0100"},
                 {"notes", "Imported from the old CRM"},
                 {"tags", {"retail", "import"}}})["id"];
        referred = run(
            {{"op", "customer.create"}, {"name", "Beta"}, {"source", "referral"}, {"referredBy", b}})["id"];
        contactB = run({{"op", "contact.create"}, {"customerId", b}, {"name", "Kim"}})["id"];
        dealA = run({{"op", "deal.create"}, {"title", "Scanners"}, {"customerId", a}})["id"];
        dealB = run({{"op", "deal.create"},
                     {"title", "Printers"},
                     {"customerId", b},
                     {"contactIds", {contactB}}})["id"];
        activityB = run({{"op", "activity.create"},
                         {"dealId", dealB},
                         {"kind", "visit"},
                         {"subject", "Site visit"}})["id"];
    }
};

std::string text(const Document& d) { return encodeDocumentText(d); }

// A document as a newer Funnel would write it: a field this version does not know inside `key`.
Document withNewerNestedFields(const Document& doc) {
    json j = encodeDocument(doc);
    j["deals"][0]["key"] = {{"budget", "¥1M"}, {"fundingSource", "capex 2027"}};
    j["deals"][0]["qualification"] = {{"money", true}, {"procurementScore", 7}};
    j["customers"][0]["profile"] = {{"hobbies", "golf"}, {"wechatMoments", "likes travel posts"}};
    DecodeResult r = decodeDocument(dumpJson(j));
    REQUIRE_MESSAGE(r.ok, r.error);
    return r.document;
}
}  // namespace

TEST_CASE("*.set with a path sets one nested field and keeps the others, including unknown ones") {
    Two t;
    Document doc = withNewerNestedFields(t.doc);
    const Id deal = doc.deals[0].id, customer = doc.customers[0].id;
    REQUIRE(doc.deals[0].key.extra.contains("fundingSource"));
    const std::string before = text(doc);

    CommandContext cc{kT0 + 1000, "m-me"};
    CommandResult r = applyCommand(
        doc, {{"op", "deal.set"}, {"id", deal}, {"field", "key.requirement"}, {"value", "200 scanners"}}, cc);
    REQUIRE_MESSAGE(r.ok, r.error);
    CHECK(doc.deals[0].key.requirement == "200 scanners");
    CHECK(doc.deals[0].key.budget == "¥1M");
    CHECK(doc.deals[0].key.extra["fundingSource"] == "capex 2027");
    r = applyCommand(
        doc, {{"op", "deal.set"}, {"id", deal}, {"field", "qualification.need"}, {"value", true}}, cc);
    REQUIRE_MESSAGE(r.ok, r.error);
    CHECK(doc.deals[0].qualification.need);
    CHECK(doc.deals[0].qualification.money);
    CHECK(doc.deals[0].qualification.extra["procurementScore"] == 7);
    r = applyCommand(
        doc, {{"op", "customer.set"}, {"id", customer}, {"field", "profile.family"}, {"value", "two kids"}},
        cc);
    REQUIRE_MESSAGE(r.ok, r.error);
    CHECK(doc.customers[0].profile.hobbies == "golf");
    CHECK(doc.customers[0].profile.extra["wechatMoments"] == "likes travel posts");
    // The document still says what the newer Funnel wrote.
    const std::string after = text(doc);
    CHECK(after.find("capex 2027") != std::string::npos);
    CHECK(after.find("procurementScore") != std::string::npos);
    CHECK(after.find("likes travel posts") != std::string::npos);

    // Bad paths are refused and change nothing; the value is validated like a file's.
    const std::string now = text(doc);
    for (const char* field : {"key.nope", "key.", "title.x", "key.budget.x", "stageId.x", "status"}) {
        CommandResult bad =
            applyCommand(doc, {{"op", "deal.set"}, {"id", deal}, {"field", field}, {"value", "x"}}, cc);
        CHECK_MESSAGE(!bad.ok, field);
    }
    CHECK_FALSE(
        applyCommand(
            doc, {{"op", "deal.set"}, {"id", deal}, {"field", "qualification.need"}, {"value", "yes"}}, cc)
            .ok);
    CHECK(text(doc) == now);

    // Undo, one command at a time, gives back the exact document.
    History h;
    Document d2 = withNewerNestedFields(t.doc);
    REQUIRE(
        h.perform(d2, {{"op", "deal.set"}, {"id", deal}, {"field", "key.budget"}, {"value", "¥2M"}}, cc).ok);
    REQUIRE(h.undo(d2, cc).ok);
    CHECK(text(d2) == before);
}

TEST_CASE("customer.merge moves deals, contacts, activities and referrals; one undo puts everything back") {
    Two t;
    const std::string before = text(t.doc);
    History h;
    CommandContext cc{kT0 + 5000, "m-me"};
    CommandResult r = h.perform(t.doc, {{"op", "customer.merge"}, {"id", t.a}, {"from", t.b}}, cc);
    REQUIRE_MESSAGE(r.ok, r.error);
    CHECK(r.result["deals"] == 1);
    CHECK(r.result["contacts"] == 1);
    CHECK(r.result["activities"] == 1);
    const Customer& a = *t.doc.findCustomer(t.a);
    CHECK(t.doc.findCustomer(t.b)->deleted);
    CHECK_FALSE(a.deleted);
    CHECK(t.doc.findDeal(t.dealB)->customerId == t.a);
    CHECK(t.doc.findDeal(t.dealA)->customerId == t.a);
    CHECK(t.doc.findContact(t.contactB)->customerId == t.a);
    CHECK(t.doc.findActivity(t.activityB)->customerId == t.a);
    CHECK(t.doc.findCustomer(t.referred)->referredBy == t.a);
    // Empty fields take the other's values; tags are joined once; notes kept.
    CHECK(a.name == "Acme");
    CHECK(a.industry == "Logistics");
    CHECK(a.phone == "+82 2 555 0100");
    CHECK(a.notes == "Imported from the old CRM");
    CHECK(a.tags == std::vector<std::string>{"retail", "import"});
    // The change history says so on both.
    int entries = 0;
    for (const Change& c : t.doc.changes)
        if ((c.id == t.a || c.id == t.b) && c.what.find("merged") != std::string::npos) ++entries;
    CHECK(entries == 2);

    REQUIRE(h.undo(t.doc, cc).ok);
    CHECK(text(t.doc) == before);
    REQUIRE(h.redo(t.doc, cc).ok);
    CHECK(t.doc.findDeal(t.dealB)->customerId == t.a);

    // Refused: into itself, an unknown or deleted customer.
    const std::string now = text(t.doc);
    CHECK_FALSE(applyCommand(t.doc, {{"op", "customer.merge"}, {"id", t.a}, {"from", t.a}}, cc).ok);
    CHECK_FALSE(applyCommand(t.doc, {{"op", "customer.merge"}, {"id", t.a}, {"from", "nope"}}, cc).ok);
    CHECK_FALSE(applyCommand(t.doc, {{"op", "customer.merge"}, {"id", t.a}, {"from", t.b}}, cc)
                    .ok);  // b is deleted now
    CHECK_FALSE(applyCommand(t.doc, {{"op", "customer.merge"}, {"id", t.a}}, cc).ok);
    CHECK(text(t.doc) == now);
}

TEST_CASE("customer.delete with its records, restore with them, undo exact") {
    Two t;
    const std::string before = text(t.doc);
    History h;
    CommandContext cc{kT0 + 5000, "m-me"};
    // Without `records` only the customer goes, as before.
    CommandResult r = h.perform(t.doc, {{"op", "customer.delete"}, {"id", t.b}}, cc);
    REQUIRE_MESSAGE(r.ok, r.error);
    CHECK_FALSE(t.doc.findDeal(t.dealB)->deleted);
    REQUIRE(h.undo(t.doc, cc).ok);
    CHECK(text(t.doc) == before);

    r = h.perform(t.doc, {{"op", "customer.delete"}, {"id", t.b}, {"records", true}}, cc);
    REQUIRE_MESSAGE(r.ok, r.error);
    CHECK(r.result == json{{"deals", 1}, {"contacts", 1}, {"activities", 1}});
    CHECK(t.doc.findCustomer(t.b)->deleted);
    CHECK(t.doc.findDeal(t.dealB)->deleted);
    CHECK(t.doc.findContact(t.contactB)->deleted);
    CHECK(t.doc.findActivity(t.activityB)->deleted);
    CHECK_FALSE(t.doc.findDeal(t.dealA)->deleted);
    REQUIRE(h.undo(t.doc, cc).ok);
    CHECK(text(t.doc) == before);

    REQUIRE(h.redo(t.doc, cc).ok);
    r = h.perform(t.doc, {{"op", "customer.restore"}, {"id", t.b}, {"records", true}}, cc);
    REQUIRE_MESSAGE(r.ok, r.error);
    CHECK_FALSE(t.doc.findDeal(t.dealB)->deleted);
    CHECK_FALSE(t.doc.findContact(t.contactB)->deleted);
    CHECK_FALSE(t.doc.findActivity(t.activityB)->deleted);
    CHECK_FALSE(applyCommand(t.doc, {{"op", "customer.delete"}, {"id", t.b}, {"records", "yes"}}, cc).ok);
}

TEST_CASE("first start: the display currency and rates follow the language") {
    for (auto [lang, cur] : {std::pair{"ko", "KRW"}, {"zh-Hant", "TWD"}, {"zh-Hans", "CNY"}, {"en", "USD"}}) {
        Document doc = makeDefaultDocument(kT0, "p-default", lang);
        useCurrencyOf(doc.settings, lang);
        CHECK(doc.settings.displayCurrency == cur);
        CHECK(doc.settings.rates.at(cur) == doctest::Approx(1.0));
        // A dollar is worth about 1 400 won, about 7 yuan, about 32 NT$.
        const double usd = doc.settings.rates.at("USD");
        if (std::string(cur) == "KRW") CHECK(usd == doctest::Approx(1365).epsilon(0.01));
        if (std::string(cur) == "CNY") CHECK(usd == doctest::Approx(7.1));
        if (std::string(cur) == "TWD") CHECK(usd == doctest::Approx(32.27).epsilon(0.01));
    }
}
