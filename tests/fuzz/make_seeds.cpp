// Funnel — writes the fuzz targets' seed corpora: fuzz_seeds <dir> makes <dir>/<target>/seed-*.
// Seeds are made here, by this code: demo documents and their pieces, team files with sync
// state (conflicts, tombstones, bases), every command op on a demo document, a snapshot, a
// store's files, and JSON edge cases in the manner of JSONTestSuite (accepted, refused and
// implementation-defined inputs), written out below rather than copied from anywhere.
#include <sys/stat.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/codec.h"
#include "core/command.h"
#include "core/demo.h"
#include "core/import.h"
#include "core/merge.h"
#include "core/snapshot.h"
#include "platform/store.h"

using namespace funnel;

namespace {
constexpr Time kNow = 1'780'000'000'000;

void put(const std::string& dir, const std::string& name, const std::string& bytes) {
    ::mkdir(dir.c_str(), 0755);
    std::ofstream(dir + "/" + name, std::ios::binary) << bytes;
}

// JSON edge cases: structure, numbers, strings, UTF-8, depth.
std::vector<std::string> jsonCases() {
    std::vector<std::string> c = {
        "", " ", "{}", "[]", "null", "true", "0", "-0", "1e309", "-1e309", "1E-400", "0.0000001",
        "123456789012345678901234567890", "[1,]", "[,1]", "{\"a\":1,}", "{\"a\" 1}", "{'a':1}", "[1 2]",
        "\"\\u0000\"", "\"\\ud800\"", "\"\\udc00\\ud800\"", "\"\\uD834\\uDD1E\"", "\"\xff\"", "\"\xc0\x80\"",
        "\"\xed\xa0\x80\"", "\"\xf4\x90\x80\x80\"", "\"a\tb\"", "\"\\x41\"", "[\"\\", "{\"a\":", "[[[[[[[[[[",
        "{\"a\":1,\"a\":2}", "\xef\xbb\xbf{}", "[1]x", "NaN", "[Infinity]", "[-]", "[.5]", "[01]", "[1.]",
        "{\"format\":\"funnel\",\"version\":1}", "{\"format\":\"funnel\",\"version\":99}",
        "{\"format\":\"funnel\",\"version\":1,\"deals\":[{}]}",
        "{\"format\":\"funnel\",\"version\":1,\"deals\":[{\"id\":\"d\",\"value\":-1}]}",
        "{\"format\":\"funnel\",\"version\":1,\"sync\":{\"replicas\":{\"00000000000000aa\":\"9999-12-31T23:59:59.999Z-ffff-00000000000000aa\"}}}",
        "{\"format\":\"funnel\",\"version\":1,\"sync\":{\"conflicts\":[{\"key\":\"deal:x\",\"field\":\"title\",\"value\":1,\"stamp\":\"0\"}]}}",
        "{\"deals\":[{\"amount\":5,\"stage\":\"s\",\"createdAt\":0}]}",
    };
    c.push_back(std::string(70, '[') + std::string(70, ']'));
    c.push_back("[" + std::string(5000, '1') + "]");
    return c;
}

std::string teamFile() {
    Document base = makeDemoDocument(11, 5, kNow, "zh-Hans");
    Document a = base, b = base;
    SyncState sa, sb;
    Clock ca("00000000000000aa"), cb("00000000000000bb");
    Document before = a;
    a.deals[0].title = "A";
    a.deals.pop_back();
    stampChange(sa, ca, before, a, kNow);
    before = b;
    b.deals[0].title = "B";
    b.deals[1].key.budget = "lots";
    stampChange(sb, cb, before, b, kNow + 5);
    MergeResult m = merge(a, sa, b, sb);
    acknowledge(m.state, ca);
    return encodeDocumentText(joinSync(m.doc, m.state));
}

std::vector<json> commands(const Document& d) {
    const std::string deal = d.deals.empty() ? "x" : d.deals[0].id;
    const std::string cust = d.customers.empty() ? "x" : d.customers[0].id;
    return {
        {{"op", "deal.set"}, {"id", deal}, {"field", "title"}, {"value", "新しい"}},
        {{"op", "deal.set"}, {"id", deal}, {"field", "key"}, {"value", {{"budget", "1"}}}},
        {{"op", "deal.move"}, {"id", deal}, {"stageId", "s-demo"}, {"index", 0}},
        {{"op", "deal.win"}, {"id", deal}},
        {{"op", "deal.lose"}, {"id", deal}, {"reason", "price"}},
        {{"op", "deal.delete"}, {"id", deal}},
        {{"op", "deal.create"}, {"title", "t"}, {"customerId", cust}},
        {{"op", "deal.objection.add"}, {"dealId", deal}, {"text", "too dear"}},
        {{"op", "customer.create"}, {"name", "고객"}},
        {{"op", "activity.create"}, {"kind", "call"}, {"subject", "s"}, {"dealId", deal}},
        {{"op", "stage.create"}, {"pipelineId", "p-default"}, {"name", "x"}},
        {{"op", "settings.set"}, {"field", "displayCurrency"}, {"value", "USD"}},
        {{"op", "document.replace"}, {"text", "{\"format\":\"funnel\",\"version\":1}"}},
        {{"op", "snapshot.restore"}, {"records", json::array()}},
        {{"op", "nothing"}},
    };
}
}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: fuzz_seeds <corpus dir>\n");
        return 2;
    }
    const std::string out = argv[1];
    ::mkdir(out.c_str(), 0755);
    const std::vector<std::string> cases = jsonCases();
    const Document demo = makeDemoDocument(3, 8, kNow, "");
    const std::string demoText = encodeDocumentText(demo);
    const std::string team = teamFile();

    // codec: first byte = how the text is handed over (whole / pieces of various sizes).
    int n = 0;
    for (const std::string& t : cases) put(out + "/codec", "seed-" + std::to_string(n++), std::string(1, '\0') + t);
    for (char mode : {'\0', '\x01', '\x05', '\x7d'}) {
        put(out + "/codec", "seed-" + std::to_string(n++), std::string(1, mode) + demoText);
        put(out + "/codec", "seed-" + std::to_string(n++), std::string(1, mode) + team);
    }
    // merge: team files.
    n = 0;
    for (const std::string& t : cases) put(out + "/merge", "seed-" + std::to_string(n++), t);
    put(out + "/merge", "seed-team", team);
    put(out + "/merge", "seed-demo", demoText);
    // command: every op, and the edge cases.
    n = 0;
    for (const json& c : commands(demo)) put(out + "/command", "seed-" + std::to_string(n++), dumpJson(c));
    for (const std::string& t : cases) put(out + "/command", "seed-" + std::to_string(n++), t);
    // snapshot.
    n = 0;
    for (const std::string& t : cases) put(out + "/snapshot", "seed-" + std::to_string(n++), t);
    {
        SnapshotInfo info;
        info.createdAt = kNow;
        info.pipelineId = "p-default";
        info.deals = int(demo.deals.size());
        json extra = json::object();
        extra["snapshot"] = encodeSnapshotInfo(info);
        put(out + "/snapshot", "seed-snapshot", encodeDocumentText(demo, extra));
    }
    // store: first byte picks the file replaced (0 snapshot, 1 head, 2 segment, 3 a new segment).
    {
        const std::string dir = out + "/.store-seed";
        store::Options o;
        o.fsync = false;
        store::Store s(dir, o);
        s.load();
        Document doc = makeDefaultDocument(kNow);
        s.reset(doc);
        CommandContext ctx;
        ctx.now = kNow;
        CommandResult r = applyCommand(doc, {{"op", "customer.create"}, {"name", "c"}}, ctx);
        s.append({r.applied});
        auto read = [&](const std::string& name) {
            std::ifstream in(dir + "/" + name, std::ios::binary);
            return std::string(std::istreambuf_iterator<char>(in), {});
        };
        put(out + "/store", "seed-snapshot", std::string(1, '\0') + read(store::snapshotName(1)));
        put(out + "/store", "seed-head", std::string(1, '\x01') + read("head"));
        put(out + "/store", "seed-segment", std::string(1, '\x02') + read(store::segmentName(2)));
        put(out + "/store", "seed-next", std::string(1, '\x03') + read(store::segmentName(2)));
        n = 0;
        for (const std::string& t : cases) {
            const int i = n++;
            put(out + "/store", "seed-" + std::to_string(i), std::string(1, char(i % 4)) + t);
        }
    }
    // import: first byte = the encoding chosen (0 = detect); demo lists in each encoding, and
    // the shapes the reader must handle (quoted newlines, ; | tab, a BOM, ragged rows).
    {
        namespace imp = importer;
        n = 0;
        for (imp::ExportKind kind : {imp::ExportKind::Customers, imp::ExportKind::Contacts, imp::ExportKind::Deals,
                                     imp::ExportKind::Activities})
            for (const char* lang : {"en", "zh-Hans", "zh-Hant", "ko"}) {
                imp::ExportOptions o;
                o.lang = lang;
                put(out + "/import", "seed-" + std::to_string(n++), std::string(1, '\0') + imp::exportCsv(demo, kind, o).bytes);
            }
        for (const char* t : {"name,phone\n\"A, \"\"B\"\"\",1\n\"multi\nline\",2\n", "Name;Email\nX;x@y.z\n",
                              "customer|contact\nA|B\nC\n", "\xEF\xBB\xBF\xE5\xAE\xA2\xE6\x88\xB7\tphone\nA\t1\n",
                              "name\n\"unterminated\n", "\xBF\xCD\xBB\xA7,phone\n\xD5\xC5,1\n"})
            put(out + "/import", "seed-" + std::to_string(n++), std::string(1, '\0') + t);
    }
    return 0;
}
