// Funnel — hybrid logical clock stamps for team sync (docs/SYNC.md).
//
// A stamp orders every field edit across replicas: wall time in ms, a counter for edits in
// the same millisecond (or while the wall clock lags behind stamps already seen), and the
// replica id that breaks ties. Its text form sorts like the stamp, so stamps compare as
// plain strings, as in Actual Budget's CRDT:
//     "2026-11-28T07:37:39.123Z-0000-0123456789abcdef"
// "0" is the stamp of data that predates sync (less than any real stamp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/model.h"

namespace funnel {

inline constexpr const char* kZeroStamp = "0";
// How far ahead of this device's wall clock a stamp from elsewhere may be (docs/SYNC.md, Limits):
// a team file holding a later one is refused, so one bad clock or a crafted file cannot make
// every later local edit lose, nor run the clock into the year 9999.
inline constexpr Time kMaxStampAhead = 86'400'000;  // one day
// The last wall time a stamp can carry (its text must sort: four-digit years).
inline constexpr Time kMaxStampWall = 253'402'300'799'999;  // 9999-12-31T23:59:59.999Z

struct StampParts {
    Time wall = 0;
    std::uint32_t counter = 0;   // 0..0xffff
    std::string replica;         // 16 lowercase hex digits
};

std::string formatStamp(Time wall, std::uint32_t counter, const std::string& replica);
// Parses a stamp's text; nullopt when malformed. kZeroStamp parses to all zeros.
std::optional<StampParts> parseStamp(std::string_view);
bool isStamp(std::string_view);             // kZeroStamp or a well-formed stamp
bool isReplicaId(std::string_view);         // 16 lowercase hex digits
std::string replicaOf(std::string_view stamp);  // "" for kZeroStamp

// Replica ids of one device's concurrent writers (the browser's open tabs share one store but
// each stamps under its own id: docs/SYNC.md "Several tabs"). Slot 0 is the device's id itself;
// slot k > 0 derives a fixed id from it, so the same few ids come back on every page load and
// the team file's `replicas` map grows only with the most tabs ever open at once.
inline constexpr int kReplicaSlots = 64;  // slots a device can hand out (and fromDevice checks)
std::string slotReplica(const std::string& device, int slot);
// True when `replica` is one of `device`'s slot ids (slot < kReplicaSlots).
bool fromDevice(const std::string& device, std::string_view replica);

// One replica's clock. Never goes backwards: a device whose wall clock is an hour behind
// still stamps its edits after everything it has observed, so they are not lost to older
// edits from devices with fast clocks.
class Clock {
public:
    explicit Clock(std::string replica, std::string last = kZeroStamp);

    // A fresh stamp, greater than every stamp issued or observed before; nullopt (never an
    // invalid stamp) when none is left: the clock has reached the year 9999.
    std::optional<std::string> tick(Time now);
    // Whether tick(now) would give a stamp.
    bool canTick(Time now) const;
    // Takes in a stamp seen from another replica (malformed ones are ignored).
    void observe(std::string_view stamp);

    const std::string& replica() const { return replica_; }
    const std::string& last() const { return last_; }

private:
    std::string replica_;
    std::string last_;
    Time wall_ = 0;
    std::uint32_t counter_ = 0;
};

}  // namespace funnel
