// Funnel — which deals a board shows: the owner / grade / label / source / status filters and
// the search text. The board draws with it and a shared snapshot (snapshot.h) is cut with it, so
// both agree on what "the filtered board" is.
#pragma once

#include <string>
#include <vector>

#include "core/model.h"

namespace funnel {

enum class StatusFilter { Active, Open, Won, Lost, Suspended, All };

struct BoardFilter {
    Id owner;           // "" = everyone
    int grade = -1;     // -1 = any, else Grade index
    std::string label;  // "" = any
    int source = -1;    // -1 = any, else LeadSource index
    StatusFilter status = StatusFilter::Active;
    std::string search;  // matches deal title, customer and contact names (any language)
    std::vector<Id> deals;  // sorted; when not empty only these deals pass (a report's drill-down)
    bool operator==(const BoardFilter&) const = default;
};

// Does `deal` pass `filter`? (search is matched case-insensitively for Latin text.) Deleted
// deals never pass. The pipeline is not part of the filter: a board shows one pipeline.
bool dealMatches(const Document& doc, const Deal& deal, const BoardFilter& filter);

// JSON form of a filter (the snapshot header records it): only the fields that filter anything,
// {"status": "active"} for the default. decodeFilter accepts what encodeFilter writes and
// returns false (with an error naming the field) for anything else.
const char* toString(StatusFilter);
json encodeFilter(const BoardFilter&);
bool decodeFilter(const json&, BoardFilter&, std::string& error);

}  // namespace funnel
