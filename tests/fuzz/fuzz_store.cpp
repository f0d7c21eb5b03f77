// Funnel — fuzz target: the store's file reader. A valid store (snapshot, head, two journal
// segments) is written once; each input replaces one of its files (the first byte picks which:
// the snapshot, the head, a segment, a new segment after the journal) and the store is loaded.
// Loading never crashes, never deletes a file it could not read, and loads at least the
// snapshot's document whenever the snapshot itself was left alone.
#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/codec.h"
#include "core/command.h"
#include "platform/store.h"

namespace {
constexpr funnel::Time kNow = 1'780'000'000'000;

std::string dir() {
    static const std::string d = [] {
        std::string t = "/tmp/funnel-fuzz-store-" + std::to_string(::getpid());
        return t;
    }();
    return d;
}

void removeAll(const std::string& d) {
    if (DIR* h = ::opendir(d.c_str())) {
        while (dirent* e = ::readdir(h)) {
            const std::string n = e->d_name;
            if (n != "." && n != "..") ::unlink((d + "/" + n).c_str());
        }
        ::closedir(h);
    }
}

std::size_t countFiles(const std::string& d) {
    std::size_t n = 0;
    if (DIR* h = ::opendir(d.c_str())) {
        while (dirent* e = ::readdir(h)) {
            const std::string name = e->d_name;
            if (name != "." && name != ".." && name.find(".tmp") == std::string::npos) ++n;
        }
        ::closedir(h);
    }
    return n;
}

void writeFile(const std::string& path, const std::uint8_t* data, std::size_t size) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) std::abort();
    std::size_t done = 0;
    while (done < size) {
        const ssize_t n = ::write(fd, data + done, size - done);
        if (n <= 0) std::abort();
        done += std::size_t(n);
    }
    ::close(fd);
}

// A fresh valid store: snapshot 1, segments 2 and 3.
void makeStore() {
    removeAll(dir());
    funnel::store::Options o;
    o.fsync = false;
    funnel::store::Store s(dir(), o);
    s.load();
    funnel::Document doc = funnel::makeDefaultDocument(kNow);
    if (!s.reset(doc).empty()) std::abort();
    funnel::CommandContext ctx;
    ctx.now = kNow;
    for (int i = 0; i < 2; ++i) {
        funnel::CommandResult r = funnel::applyCommand(doc, {{"op", "customer.create"}, {"name", "c" + std::to_string(i)}}, ctx);
        if (!r.ok || !s.append({r.applied}).empty()) std::abort();
    }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    makeStore();
    const std::uint8_t which = data[0] % 4;
    const char* names[] = {"snapshot-0000000000000001", "head", "journal-0000000000000002", "journal-0000000000000004"};
    writeFile(dir() + "/" + names[which], data + 1, size - 1);
    const std::size_t before = countFiles(dir());
    funnel::store::Options o;
    o.fsync = false;
    funnel::store::Store s(dir(), o);
    funnel::store::LoadResult r = s.load();
    if (which != 0 && r.kind != funnel::store::LoadResult::Kind::Loaded) std::abort();
    if (countFiles(dir()) < before) std::abort();  // nothing it could not read is deleted
    return 0;
}
