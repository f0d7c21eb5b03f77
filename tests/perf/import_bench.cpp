// Funnel — how fast a big customer list comes in (core/import.h), as a drop on the page does it:
// the file's bytes → prepareImport (encoding detected, converted, CSV read, header mapped) →
// planImport (every row checked, duplicates looked for, records built) → the one command
// performed on the document (History::perform, so one undo removes it).
//   import.csv_rows_s.<where>.<n>  rows imported per CPU second (n rows, GB18030 as Excel on
//                                  Simplified Chinese Windows saves it; median of the runs)
//   import.peak_mb.wasm.<n>        (wasm) the WebAssembly memory after the import: it never
//                                  shrinks, so this is the most the import needed at once, with
//                                  the file's bytes and the imported document
// <where> is "native" (g++) or "wasm" (the same file built by em++ and run by node:
// tests/bench/import.sh). CPU time of the process, not the wall clock (a shared machine).
//   funnel_import_bench [10k 100k]
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#ifdef __EMSCRIPTEN__
#include <emscripten.h>
#include <emscripten/heap.h>
#endif

#include "core/command.h"
#include "core/import.h"

using namespace funnel;

namespace {

#ifdef __EMSCRIPTEN__
constexpr const char* kWhere = "wasm";
// clang-format off
EM_JS(double, cpuSeconds, (), {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
});
// clang-format on
#else
constexpr const char* kWhere = "native";
double cpuSeconds() {
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return double(t.tv_sec) + double(t.tv_nsec) / 1e9;
}
#endif

constexpr Time kNow = 1764288000000;

struct Size {
    const char* name;
    int rows;
    int runs;
};

const char* const kOwners[] = {"王芳", "赵磊", "孙丽"};

Document team() {
    Document doc = makeDefaultDocument(kNow);
    for (const char* name : kOwners) {
        Member m;
        m.id = newId();
        m.name = name;
        doc.members.push_back(m);
    }
    return doc;
}

// A list of `rows` distinct customers with a contact and a deal each, in GB18030.
std::string makeList(int rows) {
    static const char* const kCities[] = {"北京", "上海", "深圳", "杭州", "成都", "广州", "武汉", "南京"};
    static const char* const kTrades[] = {"华信科技", "光明乳业", "腾达电子", "天府软件", "白云医药", "长江通信"};
    static const char* const kPeople[] = {"张伟", "李娜", "刘洋", "陈静", "杨帆", "黄磊", "周杰"};
    static const char* const kStages[] = {"线索", "需求分析", "报价", "商务谈判"};
    std::string text = "客户名称,联系人,电话,邮箱,金额,阶段,负责人\r\n";
    char line[512];
    for (int i = 0; i < rows; ++i) {
        std::snprintf(line, sizeof line, "%s%s有限公司%06d,%s%d,010-%08d,c%d@example.cn,%d,%s,%s\r\n",
                      kCities[i % 8], kTrades[(i / 8) % 6], i, kPeople[i % 7], i, 60000000 + i, i,
                      10000 + (i * 37) % 500000, kStages[i % 4], kOwners[i % 3]);
        text += line;
    }
    return text::fromUtf8(text, text::Encoding::GB18030).bytes;
}

bool run(const Size& size) {
    const std::string bytes = makeList(size.rows);
    std::vector<double> seconds;
    for (int i = 0; i < size.runs; ++i) {
        Document doc = team();
        History history;
        const double t0 = cpuSeconds();
        const importer::Prepared file = importer::prepareImport(bytes, std::nullopt, text::Encoding::GB18030);
        if (!file.ok()) {
            std::fprintf(stderr, "import bench: %s\n", importer::fileErrorKey(file.error));
            return false;
        }
        const importer::Plan plan = importer::planImport(doc, file, importer::Options{}, kNow, doc.settings.me);
        const CommandResult r = history.perform(doc, plan.command, {kNow, doc.settings.me});
        const double t1 = cpuSeconds();
        if (!r.ok || plan.created != size.rows || file.encoding != text::Encoding::GB18030 ||
            int(doc.customers.size()) != size.rows || int(doc.deals.size()) != size.rows) {
            std::fprintf(stderr, "import bench: %s: %d created, %d rejected, %zu customers (%s)\n", size.name,
                         plan.created, plan.rejected, doc.customers.size(), r.error.c_str());
            return false;
        }
        seconds.push_back(t1 - t0);
    }
    std::sort(seconds.begin(), seconds.end());
    std::printf("import.csv_rows_s.%s.%s %.0f rows/s\n", kWhere, size.name,
                double(size.rows) / seconds[seconds.size() / 2]);
#ifdef __EMSCRIPTEN__
    std::printf("import.peak_mb.%s.%s %.1f MB\n", kWhere, size.name, double(emscripten_get_heap_size()) / 1048576.0);
#endif
    std::fflush(stdout);
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    const Size sizes[] = {{"10k", 10000, 5}, {"100k", 100000, 1}};
    bool ok = true;
    for (const Size& s : sizes) {
        bool wanted = argc < 2;
        for (int i = 1; i < argc; ++i) wanted |= std::strcmp(argv[i], s.name) == 0;
        if (wanted) ok &= run(s);
    }
    return ok ? 0 : 1;
}
