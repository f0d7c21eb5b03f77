// Funnel — a shared snapshot: the board as one person sees it (a pipeline, cut by the board's
// filter), packed as an ordinary Funnel document that another person opens read-only.
//
// The snapshot holds the matching deals of that pipeline with their customers, the customers'
// contacts, the deals' activities and objections, the members all of these name, the pipeline
// and its stages, the display currency and rates, and the change history of exactly those
// records — nothing else: no other pipeline's deals, no "me", no sync state, no targets.
// Its top-level "snapshot" header says when, by whom and with what filter (docs/FORMAT.md,
// "Snapshots"). Opening one goes through the same Limits as any import.
#pragma once

#include <string>
#include <string_view>

#include "core/codec.h"
#include "core/filter.h"
#include "core/model.h"

namespace funnel {

struct SnapshotInfo {
    Time createdAt = 0;
    std::string by;  // the sharer's member name ("" = unknown)
    Id pipelineId;
    BoardFilter filter;
    int deals = 0;  // how many deals were shared
    bool operator==(const SnapshotInfo&) const = default;
};

// The snapshot of `pipelineId` filtered by `filter`, made at `now` by the document's "me".
// The header is in the result's `extra["snapshot"]`, so encodeDocumentText() writes it.
Document makeSnapshot(const Document& doc, const Id& pipelineId, const BoardFilter& filter, Time now);

enum class SnapshotError {
    None,
    TooLarge,     // over Limits::maxBytes (or another limit: depth, string length, array size)
    Damaged,      // not JSON, cut short, not UTF-8, not decompressible
    NotSnapshot,  // JSON, but not a Funnel snapshot (a plain backup, another program's file)
    Invalid,      // a snapshot whose content does not pass validation (or a newer version)
};
// String-table key of each error ("snapshot.error.damaged", …) for the views.
const char* messageKey(SnapshotError);

struct OpenedSnapshot {
    SnapshotError error = SnapshotError::None;
    std::string detail;  // the decoder's message (English, names the field) for the curious
    Document document;   // header removed from extra; valid only without error
    SnapshotInfo info;
};

// Checks and decodes a snapshot file's text. Never throws; nothing is kept on error.
OpenedSnapshot openSnapshot(std::string_view text, const Limits& limits = {});

// The header as JSON and back (decode returns false with `error` set).
json encodeSnapshotInfo(const SnapshotInfo&);
bool decodeSnapshotInfo(const json&, SnapshotInfo&, std::string& error);

// "Save a copy as my funnel": an opened snapshot as a document of one's own — the header gone,
// the shared pipeline the default.
Document ownCopyOf(const Document& opened, const SnapshotInfo& info);

// A store holding only what a new visitor gets (no customers, contacts, deals, activities):
// the one a saved copy may replace without losing anything.
bool isBlank(const Document&);

}  // namespace funnel
