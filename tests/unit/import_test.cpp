// Funnel — unit tests of the import (core/import.h): the fixture lists become the same records,
// duplicates merge/skip/create, bad rows are rejected with their line and reason, bad files
// change nothing, and every export imports back as it was, in every encoding offered.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/command.h"
#include "core/import.h"

using namespace funnel;
using namespace funnel::importer;

namespace {
std::string readFixture(const std::string& name) {
    std::ifstream in(std::string(FUNNEL_FIXTURES_DIR) + "/" + name, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

constexpr Time kNow = 1'780'000'000'000;

// A document with members whose names the fixtures use as owners.
Document team() {
    Document doc = makeDefaultDocument(kNow);
    for (const char* name :
         {"王芳", "赵磊", "孙丽", "林美玲", "黃俊傑", "蔡依林", "이지은", "정우성", "한가인"}) {
        Member m;
        m.id = newId();
        m.name = name;
        doc.members.push_back(m);
    }
    return doc;
}

// Prepares, plans and performs an import; returns the plan.
Plan run(Document& doc, History& history, std::string_view bytes, Options options = {}) {
    const Prepared p = prepareImport(bytes);
    REQUIRE_MESSAGE(p.ok(), fileErrorKey(p.error));
    Plan plan = planImport(doc, p, options, kNow, doc.settings.me);
    if (!plan.command.is_null()) {
        CommandResult r = history.perform(doc, plan.command, {kNow, doc.settings.me});
        REQUIRE_MESSAGE(r.ok, r.error);
    }
    return plan;
}

const Customer* customerNamed(const Document& doc, const std::string& name) {
    for (const Customer& c : doc.customers)
        if (!c.deleted && c.name == name) return &c;
    return nullptr;
}

const char* stageName(const Document& doc, const Deal& d, const char* lang) {
    return doc.findPipeline(d.pipelineId)->findStage(d.stageId)->name.get(lang).c_str();
}
}  // namespace

TEST_CASE("header names in four languages map to fields") {
    CHECK(fieldForHeader("客户名称") == Field::CustomerName);
    CHECK(fieldForHeader("公司") == Field::CustomerName);
    CHECK(fieldForHeader("客戶名稱") == Field::CustomerName);
    CHECK(fieldForHeader("고객명") == Field::CustomerName);
    CHECK(fieldForHeader("회사") == Field::CustomerName);
    CHECK(fieldForHeader("Customer Name*") == Field::CustomerName);
    CHECK(fieldForHeader("联系人") == Field::ContactName);
    CHECK(fieldForHeader("聯絡人") == Field::ContactName);
    CHECK(fieldForHeader("담당자") == Field::ContactName);
    CHECK(fieldForHeader("电话") == Field::Phone);
    CHECK(fieldForHeader("電話") == Field::Phone);
    CHECK(fieldForHeader("전화") == Field::Phone);
    CHECK(fieldForHeader("邮箱") == Field::Email);
    CHECK(fieldForHeader("이메일") == Field::Email);
    CHECK(fieldForHeader("金额") == Field::DealValue);
    CHECK(fieldForHeader("金額") == Field::DealValue);
    CHECK(fieldForHeader("금액") == Field::DealValue);
    CHECK(fieldForHeader("阶段") == Field::Stage);
    CHECK(fieldForHeader("階段") == Field::Stage);
    CHECK(fieldForHeader("단계") == Field::Stage);
    CHECK(fieldForHeader("负责人") == Field::Owner);
    CHECK(fieldForHeader("負責人") == Field::Owner);
    CHECK(fieldForHeader("영업 담당자") == Field::Owner);
    CHECK(fieldForHeader(" 客户名称： ") == Field::CustomerName);
    CHECK(fieldForHeader("favourite colour") == Field::None);
    for (int i = 1; i < kFieldCount; ++i)
        for (const char* lang : {"en", "zh-Hans", "zh-Hant", "ko"}) {
            CAPTURE(lang);
            CAPTURE(i);
            CHECK(fieldForHeader(headerName(Field(i), lang)) == Field(i));
        }
}

TEST_CASE("GBK, Big5 and CP949 lists become customers, contacts and deals with the right names") {
    struct Case {
        const char* file;
        text::Encoding encoding;
        const char* firstCustomer;
        const char* firstContact;
        const char* stageLang;
        const char* firstStage;
        const char* owner;
    };
    for (const Case& c :
         {Case{"gbk.csv", text::Encoding::GB18030, "北京华信科技有限公司", "张伟", "zh-Hans", "线索", "王芳"},
          Case{"big5.csv", text::Encoding::Big5, "台北宏達電子股份有限公司", "陳志明", "zh-Hant", "線索",
               "林美玲"},
          Case{"cp949.csv", text::Encoding::CP949, "삼성물산 주식회사", "김민수", "ko", "리드", "이지은"},
          Case{"utf16le_bom.txt", text::Encoding::Utf16LE, "삼성물산 주식회사", "김민수", "ko", "리드",
               "이지은"}}) {
        CAPTURE(c.file);
        Document doc = team();
        History history;
        const std::string bytes = readFixture(c.file);
        const Prepared p = prepareImport(bytes);
        REQUIRE(p.ok());
        CHECK(p.encoding == c.encoding);
        CHECK(p.mapping[0] == Field::CustomerName);
        CHECK(p.mapping[1] == Field::ContactName);
        CHECK(p.mapping[5] == Field::Stage);
        CHECK(p.mapping[6] == Field::Owner);
        const std::size_t before = doc.customers.size();
        const Plan plan = run(doc, history, bytes);
        CHECK(plan.rejected == 0);
        CHECK(plan.created == int(p.rows.size()));
        CHECK(doc.customers.size() == before + p.rows.size());
        const Customer* cu = customerNamed(doc, c.firstCustomer);
        REQUIRE(cu);
        const Member* owner = doc.findMember(cu->owner);
        REQUIRE(owner);
        CHECK(owner->name == c.owner);
        bool contact = false;
        for (const Contact& k : doc.contacts) contact |= k.customerId == cu->id && k.name == c.firstContact;
        CHECK(contact);
        bool deal = false;
        for (const Deal& d : doc.deals)
            if (d.customerId == cu->id) {
                deal = true;
                CHECK(std::string(stageName(doc, d, c.stageLang)) == c.firstStage);
                CHECK(d.value > 0);
            }
        CHECK(deal);
        // One undo removes the whole import.
        REQUIRE(history.undo(doc, {kNow, doc.settings.me}).ok);
        CHECK(doc.customers.size() == before);
        CHECK(doc.deals.empty());
        CHECK(doc.contacts.empty());
    }
}

TEST_CASE("duplicates: merge, skip or create, shown per row") {
    const std::string list =
        "Customer,Contact,Phone,Email\n"
        "Acme,Ann,+86 10 1234 5678,ann@acme.cn\n"  // line 2: new
        "ACME,Bob,,bob@acme.cn\n"                  // line 3: same name as line 2
        "Globex,Carl,010-1234-5678,\n"             // line 4: same phone as line 2 (digits)
        "Initech,Dana,,ann@acme.cn\n"              // line 5: same e-mail as line 2
        "Existing Ltd,Eve,,\n";                    // line 6: an existing customer
    for (Duplicates mode : {Duplicates::Merge, Duplicates::Skip, Duplicates::Create}) {
        CAPTURE(duplicatesKey(mode));
        Document doc = team();
        Customer ex;
        ex.id = newId();
        ex.name = "Existing Ltd";
        doc.customers.push_back(ex);
        History history;
        Options o;
        o.duplicates = mode;
        const Plan plan = run(doc, history, list, o);
        REQUIRE(plan.rows.size() == 5);
        CHECK(plan.rows[0].outcome == Outcome::Created);
        CHECK(plan.rows[0].duplicateOf.empty());
        for (int i = 1; i < 5; ++i) {
            CAPTURE(i);
            CHECK(plan.rows[i].line == i + 2);
            CHECK(plan.rows[i].duplicateOf == (i == 4 ? "Existing Ltd" : "Acme"));
        }
        if (mode == Duplicates::Merge) {
            CHECK(plan.created == 1);
            CHECK(plan.merged == 4);
            CHECK(doc.customers.size() == 2);
            int acmeContacts = 0;
            for (const Contact& k : doc.contacts) acmeContacts += k.customerId == plan.rows[0].customerId;
            CHECK(acmeContacts == 3);  // Ann, Bob, Carl; Dana shares Ann's e-mail: the same person
        } else if (mode == Duplicates::Skip) {
            CHECK(plan.created == 1);
            CHECK(plan.skipped == 4);
            CHECK(plan.rows[1].reason == Reason::Duplicate);
            CHECK(doc.customers.size() == 2);
            CHECK(doc.contacts.size() == 1);
        } else {
            CHECK(plan.created == 5);
            CHECK(doc.customers.size() == 6);
        }
    }
}

TEST_CASE("rejected rows name their line and reason; the others are imported") {
    const std::string list =
        "客户名称,金额,阶段,负责人,预计成交日期,邮箱\n"
        "甲公司,100,线索,,,\n"                      // 2 ok
        ",200,线索,,,\n"                            // 3 no name
        "乙公司,abc,线索,,,\n"                      // 4 bad value
        "丙公司,300,不存在,,,\n"                    // 5 unknown stage
        "丁公司,300,线索,某人,,\n"                  // 6 unknown owner
        "戊公司,300,线索,,2026-02-30,\n"            // 7 bad date
        "己公司,1,线索,,,,多余\n"                   // 8 too many fields
        "庚公司,\"1,200\",线索,,2026/7/1,a@b.cn\n"  // 9 ok
        "辛公司,1,线索,,,not-an-email\n";           // 10 bad e-mail
    Document doc = team();
    History history;
    const Prepared p = prepareImport(list);
    REQUIRE(p.ok());
    REQUIRE(p.problems.size() == 1);  // the long row, seen by the reader
    const Plan plan = run(doc, history, list);
    CHECK(plan.created == 2);
    CHECK(plan.rejected == 7);
    std::vector<std::pair<int, Reason>> got;
    for (const RowResult& r : plan.rows)
        if (r.outcome == Outcome::Rejected) got.push_back({r.line, r.reason});
    const std::vector<std::pair<int, Reason>> want = {{3, Reason::NoName},       {4, Reason::BadValue},
                                                      {5, Reason::UnknownStage}, {6, Reason::UnknownOwner},
                                                      {7, Reason::BadDate},      {8, Reason::TooManyFields},
                                                      {10, Reason::BadEmail}};
    CHECK(got == want);
    const Customer* g = customerNamed(doc, "庚公司");
    REQUIRE(g);
    for (const Deal& d : doc.deals)
        if (d.customerId == g->id) {
            CHECK(d.value == 1200);
            CHECK(formatDate(d.expectedClose) == "2026-07-01");
        }
}

TEST_CASE("bad files are refused with a reason and plan nothing") {
    CHECK(prepareImport("").error == FileError::Empty);
    CHECK(prepareImport("\xEF\xBB\xBF").error == FileError::Empty);
    CHECK(prepareImport(std::string("PK\x03\x04\x14\0\0\0\0\0", 10)).error == FileError::Binary);
    const Prepared q = prepareImport("name,note\nA,\"open\nB,x\n");
    CHECK(q.error == FileError::UnterminatedQuote);
    CHECK(q.errorLine == 2);
    const Prepared mixed = prepareImport(readFixture("mixed.csv"));
    CHECK(mixed.error == FileError::BadEncoding);
    CHECK(mixed.errorLine > 1);
    std::string big(kMaxImportBytes + 1, 'a');
    const Prepared tooBig = prepareImport(big);
    CHECK(tooBig.error == FileError::TooBig);
    CHECK(tooBig.errorDetail == "64");
    std::string many = "name\n";
    for (std::size_t i = 0; i < kMaxImportRows + 5; ++i) many += "x\n";
    const Prepared tooMany = prepareImport(many);
    CHECK(tooMany.error == FileError::TooManyRows);
    CHECK(tooMany.errorDetail == std::to_string(kMaxImportRows));
}

TEST_CASE("a changed mapping and kept unmapped columns") {
    const std::string list = "Firma,Ansprechpartner,Lieblingsfarbe\nMüller GmbH,Jürgen,blau\n";
    Document doc = team();
    History history;
    const Prepared p = prepareImport(list);
    REQUIRE(p.ok());
    CHECK(p.mapping == std::vector<Field>{Field::None, Field::None, Field::None});
    Options o;
    o.mapping = {Field::CustomerName, Field::ContactName, Field::None};
    o.keepUnmapped = true;
    run(doc, history, list, o);
    const Customer* c = customerNamed(doc, "Müller GmbH");
    REQUIRE(c);
    CHECK(c->extra["importedFields"]["Lieblingsfarbe"] == "blau");
    REQUIRE(doc.contacts.size() == 1);
    CHECK(doc.contacts[0].name == "Jürgen");
}

TEST_CASE("round trip: export → import gives back the same data in every encoding offered") {
    Document src = team();
    History h0;
    CHECK(run(src, h0, readFixture("gbk.csv")).rejected == 0);
    CHECK(run(src, h0, readFixture("big5.csv")).rejected == 0);
    // Quotes, commas, newlines and a tag list survive too.
    src.customers[0].notes = "第一行\n第二行, \"引号\"";
    src.customers[0].tags = {"重点", "VIP"};
    src.customers[0].grade = Grade::A;
    src.customers[0].source = LeadSource::Referral;
    for (const char* lang : {"zh-Hans", "en", "ko"})
        for (text::Encoding enc : {text::Encoding::Utf8, text::Encoding::GB18030}) {
            CAPTURE(lang);
            CAPTURE(text::name(enc));
            Document dst = team();
            dst.members = src.members;
            History h;
            for (ExportKind kind : {ExportKind::Customers, ExportKind::Contacts, ExportKind::Deals}) {
                ExportOptions eo;
                eo.lang = lang;
                eo.encoding = enc;
                const Exported e = exportCsv(src, kind, eo);
                CHECK(e.replaced == 0);
                const Prepared p = prepareImport(e.bytes);
                REQUIRE(p.ok());
                CHECK(p.encoding == enc);
                Options o;
                o.mapping = p.mapping;
                for (Field& f : o.mapping)
                    if (f == Field::DealStatus) f = Field::None;
                const Plan plan = run(dst, h, e.bytes, o);
                CHECK(plan.rejected == 0);
            }
            REQUIRE(dst.customers.size() == src.customers.size());
            for (std::size_t i = 0; i < src.customers.size(); ++i) {
                const Customer& a = src.customers[i];
                const Customer* b = customerNamed(dst, a.name);
                REQUIRE(b);
                CHECK(b->notes == a.notes);
                CHECK(b->tags == a.tags);
                CHECK((b->grade == a.grade));
                CHECK((b->source == a.source));
                CHECK(b->owner == a.owner);
                CHECK(b->phone == a.phone);
            }
            CHECK(dst.contacts.size() == src.contacts.size());
            REQUIRE(dst.deals.size() == src.deals.size());
            for (std::size_t i = 0; i < src.deals.size(); ++i) {
                const Deal& a = src.deals[i];
                const Deal& b = dst.deals[i];
                CHECK(b.title == a.title);
                CHECK(b.value == a.value);
                CHECK(b.currency == a.currency);
                CHECK(b.stageId == a.stageId);
                CHECK(b.owner == a.owner);
                CHECK(dst.findCustomer(b.customerId)->name == src.findCustomer(a.customerId)->name);
            }
        }
}

TEST_CASE("export: Big5 and CP949 for old Excel, the board's filter, vCard") {
    Document src = team();
    History h;
    CHECK(run(src, h, readFixture("big5.csv")).rejected == 0);
    ExportOptions eo;
    eo.lang = "zh-Hant";
    eo.encoding = text::Encoding::Big5;
    const Exported big5 = exportCsv(src, ExportKind::Customers, eo);
    CHECK(big5.replaced == 0);
    CHECK(big5.bytes.rfind("\xEF\xBB\xBF", 0) == std::string::npos);
    const Prepared back = prepareImport(big5.bytes);
    REQUIRE(back.ok());
    CHECK(back.encoding == text::Encoding::Big5);
    bool found = false;
    for (const auto& row : back.rows) found |= row.fields[0] == "台北宏達電子股份有限公司";
    CHECK(found);

    ExportOptions utf8;
    const Exported u = exportCsv(src, ExportKind::Customers, utf8);
    CHECK(u.bytes.rfind("\xEF\xBB\xBF", 0) == 0);  // BOM by default

    REQUIRE(src.deals.size() == 6);
    const std::vector<Id> only = {src.deals[1].id};
    ExportOptions f;
    f.dealIds = &only;
    const Exported deals = exportCsv(src, ExportKind::Deals, f);
    CHECK(deals.records == 1);
    CHECK(deals.bytes.find(src.deals[1].title) != std::string::npos);
    CHECK(deals.bytes.find(src.deals[0].title) == std::string::npos);

    const std::string vcf = exportVCard(src);
    CHECK(vcf.find("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:陳志明\r\n") != std::string::npos);
    CHECK(vcf.find("ORG:台北宏達電子股份有限公司\r\n") != std::string::npos);
}
