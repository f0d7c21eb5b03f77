// Funnel — hybrid logical clock: stamp text form and the per-replica clock.
#include "core/clock.h"

#include <algorithm>

namespace funnel {

namespace {
constexpr std::size_t kTimeLen = 24;                        // "YYYY-MM-DDTHH:MM:SS.mmmZ"
constexpr std::size_t kStampLen = kTimeLen + 1 + 4 + 1 + 16;
constexpr std::uint32_t kMaxCounter = 0xffff;

bool isHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }
}  // namespace

bool isReplicaId(std::string_view s) {
    return s.size() == 16 && std::all_of(s.begin(), s.end(), isHex);
}

std::string formatStamp(Time wall, std::uint32_t counter, const std::string& replica) {
    static const char* digits = "0123456789abcdef";
    std::string s = formatTime(wall);
    s += '-';
    for (int shift = 12; shift >= 0; shift -= 4) s += digits[(counter >> shift) & 0xf];
    s += '-';
    s += replica;
    return s;
}

std::optional<StampParts> parseStamp(std::string_view s) {
    if (s == kZeroStamp) return StampParts{};
    if (s.size() != kStampLen || s[kTimeLen] != '-' || s[kTimeLen + 5] != '-') return std::nullopt;
    // Years before 1970 or after 9999 would not sort as text.
    if (s[0] < '1') return std::nullopt;
    auto t = parseTime(std::string(s.substr(0, kTimeLen)));
    if (!t || *t < 0) return std::nullopt;
    StampParts p;
    p.wall = *t;
    for (std::size_t i = kTimeLen + 1; i < kTimeLen + 5; ++i) {
        if (!isHex(s[i])) return std::nullopt;
        p.counter = p.counter * 16 + std::uint32_t(s[i] <= '9' ? s[i] - '0' : s[i] - 'a' + 10);
    }
    p.replica = std::string(s.substr(kTimeLen + 6));
    if (!isReplicaId(p.replica)) return std::nullopt;
    // The text must be the canonical form, or two spellings of one stamp would sort apart.
    if (formatStamp(p.wall, p.counter, p.replica) != s) return std::nullopt;
    return p;
}

bool isStamp(std::string_view s) { return parseStamp(s).has_value(); }

std::string replicaOf(std::string_view stamp) {
    if (stamp.size() != kStampLen) return "";
    return std::string(stamp.substr(kTimeLen + 6));
}

std::string slotReplica(const std::string& device, int slot) {
    if (slot <= 0) return device;
    // FNV-1a 64 of "<device>/<slot>": stable across builds and platforms.
    std::uint64_t h = 0xcbf29ce484222325ull;
    auto mix = [&h](unsigned char c) {
        h ^= c;
        h *= 0x100000001b3ull;
    };
    for (char c : device) mix(static_cast<unsigned char>(c));
    mix('/');
    for (char c : std::to_string(slot)) mix(static_cast<unsigned char>(c));
    static const char* digits = "0123456789abcdef";
    std::string s(16, '0');
    for (int i = 0; i < 16; ++i) s[std::size_t(i)] = digits[(h >> (60 - 4 * i)) & 0xf];
    return s;
}

bool fromDevice(const std::string& device, std::string_view replica) {
    if (device.empty() || !isReplicaId(replica)) return false;
    for (int k = 0; k < kReplicaSlots; ++k)
        if (slotReplica(device, k) == replica) return true;
    return false;
}

Clock::Clock(std::string replica, std::string last) : replica_(std::move(replica)), last_(kZeroStamp) {
    observe(last);
}

bool Clock::canTick(Time now) const {
    if (now > wall_) return now <= kMaxStampWall;
    return counter_ < kMaxCounter ? wall_ <= kMaxStampWall : wall_ < kMaxStampWall;
}

std::optional<std::string> Clock::tick(Time now) {
    if (!canTick(now)) return std::nullopt;
    if (now > wall_) {
        wall_ = now;
        counter_ = 0;
    } else if (counter_ < kMaxCounter) {
        ++counter_;
    } else {
        // 65536 stamps in one millisecond: borrow the next one rather than repeat a stamp.
        ++wall_;
        counter_ = 0;
    }
    last_ = formatStamp(wall_, counter_, replica_);
    return last_;
}

void Clock::observe(std::string_view stamp) {
    auto p = parseStamp(stamp);
    if (!p) return;
    if (p->wall > wall_ || (p->wall == wall_ && p->counter > counter_)) {
        wall_ = p->wall;
        counter_ = p->counter;
        if (std::string_view(last_) < stamp) last_ = std::string(stamp);
    }
}

}  // namespace funnel
