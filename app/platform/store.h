// Funnel — the durable store: one workspace kept as files in one directory, so that saving an
// edit costs the same with 100k deals as with 1k. Plain POSIX file I/O: natively it is a folder
// on disk; in the browser it is an IDBFS mount that web/persistence.cpp syncs to IndexedDB.
//
// Layout of the directory (every file starts with a one-line JSON header carrying its length and
// CRC-32, so a torn or truncated file is detected and ignored, never half-read):
//   snapshot-<seq>   the encoded document after every journal segment up to and including <seq>
//                    (its first Options::snapshotPartBytes; the rest, if any, in
//                    snapshot-<seq>.part-1, -2, …, written before it and named in its header;
//                    the header also counts each list's records, so loading allocates each once).
//                    Snapshots are written a part at a time as they are encoded and decoded while
//                    they are read, 64 KB at a time: a 100k-deal document is never one string.
//   journal-<seq>    the applied commands of one save batch, seq = 1, 2, 3, … without gaps
//   head             names the current snapshot (a hint: a missing or torn head falls back to
//                    the newest valid snapshot)
// <seq> is written with 16 digits so that names sort like numbers.
//
// Load = snapshot → replay journal-(seq+1), journal-(seq+2), … stopping at the first missing or
// invalid segment; an invalid one and those after it are moved aside ("aside-journal-…"), never
// deleted, and a store holding a newer Funnel's files is opened read-only. Documents are stored with their team sync state (Workspace::storedDocument():
// "sync" section); journal entries carry stamp patches and sync.merge entries, replayed by
// replayStoredEntry() beside the document, so the loaded document comes back with its state. Compaction writes a new snapshot, then head, then deletes what the new
// snapshot makes redundant — in that order, so a process killed between any two steps reopens to
// the same document. Each file is written to a temporary name, flushed and renamed into place.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/model.h"

namespace funnel::store {

struct Options {
    std::size_t compactSegments = 256;       // compact once this many segments follow the snapshot…
    std::size_t compactMinBytes = 64 * 1024; // …or once they hold more than max(this, snapshot size)
    // Segments that were superseded by the previous snapshot are kept until the next compaction,
    // so that another tab lagging a little behind can still catch up from the journal.
    // A snapshot bigger than this is written as several files (IndexedDB refuses a record of more
    // than ~128 MB in Chromium, and IDBFS keeps each file as one record; a 100k-deal document is
    // ~140 MB). Each part is framed and checked like any file.
    std::size_t snapshotPartBytes = std::size_t(16) << 20;
    bool fsync = true;                       // flush files and directory natively (tests may skip it)
    std::string writer;                      // id of this writer (a tab, a process), kept in segments
    // Tests: called before each durable step ("segment.write", "segment.rename", "snapshot.write",
    // "snapshot.rename", "head.write", "head.rename", "prune"); returning true simulates a kill right
    // there (a ".write" step leaves a torn temporary file behind). The Store is unusable afterwards.
    std::function<bool(const std::string& step)> crashAt;
};

// One save batch as read back from the journal.
struct Segment {
    std::uint64_t seq = 0;
    std::string writer;
    std::string batch;                   // the writer's id for this batch (see append)
    std::vector<json> commands;
};

struct LoadResult {
    enum class Kind { Empty, Loaded, Failed } kind = Kind::Empty;
    std::optional<Document> document;    // set when Loaded
    std::string error;                   // when Failed: what is wrong (for logs; the UI shows a key)
    std::vector<std::string> warnings;   // torn segments ignored, unreadable snapshots skipped, …
    std::uint64_t seq = 0;               // last journal segment included
    std::size_t replayed = 0;            // segments replayed on top of the snapshot
    // Files this load could not use and moved aside (kept as "aside-<name>", see asideFiles()):
    // a segment that fails its checksum or its replay and every segment after it, snapshots past
    // the end of the journal. The store never deletes a file it could not read.
    std::vector<std::string> aside;
    // Files written by a newer Funnel are present: the store was loaded as far as this build can
    // read it and nothing on disk is touched (every write is refused) until that build opens it.
    bool readOnly = false;
};

// Result of reading what other writers added since our last look.
struct Catchup {
    std::vector<Segment> segments;       // new segments in order (may include our own writer id)
    // The journal we would need was compacted away: the caller must take `document` (the store's
    // current state) instead of the segments. Rare: another writer compacted twice meanwhile.
    std::optional<Document> document;
    std::vector<std::string> warnings;
    std::vector<std::string> aside;      // unreadable segments moved aside (named as asideFiles() does)
};

struct Stats {
    std::uint64_t seq = 0;               // last segment written or read
    std::uint64_t snapshotSeq = 0;       // seq of the snapshot the journal follows
    std::size_t snapshotBytes = 0;
    std::size_t segments = 0;            // segments after the snapshot
    std::size_t journalBytes = 0;        // their total size
};

class Store {
public:
    explicit Store(std::string dir, Options options = {});

    const std::string& dir() const { return dir_; }

    // Reads the stored document. Creates the directory if missing. Removes leftovers of an
    // interrupted write (temporary files, torn segments past the end of the journal) so the
    // next append cannot be confused with them. Never throws; problems come back as values.
    LoadResult load();

    // Starts the store over with `doc` as its content (a new workspace, demo data, or recovery):
    // writes a snapshot at the next seq, then head, then prunes the older files.
    std::string reset(const Document& doc);

    // Appends one save batch as the next journal segment. Returns "" or an error. `batch` is kept
    // in the segment so a writer that lost the answer of a sync can recognise its own batch.
    std::string append(const std::vector<json>& commands, const std::string& batch = "");

    // Reads segments other writers appended after the last one this Store knows of (run it after
    // the directory was refreshed from IndexedDB, before append()).
    Catchup catchUp();

    // True when the journal has grown enough that compact() is worth its cost.
    bool wantsCompaction() const;
    // Writes `doc` as the new snapshot: `doc` must be the document after segment seq() (the live
    // document with nothing unsaved). Returns "" or an error.
    std::string compact(const Document& doc);
    // Same with the document already encoded (encodeDocumentText), e.g. encoded earlier while
    // idle; `atSeq` is the seq the text corresponds to; refused ("stale") if the journal moved on.
    // `records` (recordCounts() of the document) is noted beside the snapshot so that loading
    // it allocates each list once; optional.
    std::string compactEncoded(const std::string& encoded, std::uint64_t atSeq, const json& records = json());
    // Same with the text in pieces (encodeDocumentText(…, options().snapshotPartBytes, …)): no
    // string of the whole text is needed.
    std::string compactPieces(const std::vector<std::string>& pieces, std::uint64_t atSeq, const json& records = json());
    const Options& options() const { return options_; }

    // Where the store stood, to go back there when the writes since could not be made durable
    // (the directory is then refreshed from IndexedDB, which drops them).
    struct Mark {
        Stats stats;
        std::uint64_t previousSnapshotSeq = 0;
    };
    Mark mark() const { return {stats_, previousSnapshotSeq_}; }
    void rewind(const Mark& m) { stats_ = m.stats; previousSnapshotSeq_ = m.previousSnapshotSeq; }

    std::uint64_t seq() const { return stats_.seq; }
    const Stats& stats() const { return stats_; }

    // Files of a newer Funnel were found by load() or catchUp(): every write is refused.
    bool readOnly() const { return readOnly_; }
    static constexpr const char* kReadOnlyError = "read-only: this store holds files of a newer Funnel";
    // The files moved aside ("aside-journal-…", "aside-snapshot-…"), oldest name first, for the
    // platform to name in its status and offer for export; never deleted by the store.
    std::vector<std::string> asideFiles() const;

private:
    std::string writeSnapshot(std::uint64_t seq, const std::vector<std::string_view>& pieces, const json& records);
    // Encodes `doc` straight into the snapshot's files, a part at a time; `bytes` = its size.
    std::string writeSnapshot(std::uint64_t seq, const Document& doc, std::size_t& bytes);
    std::string writeSnapshotFile(std::uint64_t seq, std::string_view first, std::size_t parts, std::size_t total,
                                  const json& records);
    std::string writePart(std::uint64_t seq, std::size_t part, std::string_view body);
    std::string finishCompaction(std::uint64_t atSeq, std::size_t bytes);
    // `exclusive`: never replaces an existing file of that name (journal segments): fails instead.
    std::string writeFile(const std::string& name, const std::string& header, std::string_view body,
                          const char* step, bool exclusive = false);
    // Renames `name` to "aside-<name>" (with a number when taken); "" when it could not.
    std::string moveAside(const std::string& name);
    std::string prune();
    bool crash(const std::string& step);
    std::optional<Segment> readSegment(std::uint64_t seq, std::string& why) const;

    std::string dir_;
    Options options_;
    Stats stats_;
    std::uint64_t previousSnapshotSeq_ = 0;  // journal up to here may be deleted at the next prune
    bool dead_ = false;
    bool readOnly_ = false;
};

// [SECTION] The file format, exposed for tests and tools

std::uint32_t crc32(std::string_view bytes);
// {"deals": n, "activities": n, …}: the size of each list of `doc`, kept in a snapshot's header.
json recordCounts(const Document& doc);
std::string snapshotName(std::uint64_t seq);
std::string snapshotPartName(std::uint64_t seq, std::size_t part);
std::string segmentName(std::uint64_t seq);

}  // namespace funnel::store
