// Funnel — the demo funnel (the `?demo` link) and the benchmark documents.
//
// A deterministic generator: the same seed, size, time and language give the same document
// on every platform (its own random numbers, no std:: distributions, whose results differ
// between libstdc++ and Emscripten's libc++).
#pragma once

#include <cstdint>
#include <string>

#include "core/model.h"

namespace funnel {

// A realistic team: members, customers with contacts and buying roles, `dealCount` deals spread
// over the default pipeline's stages (some won, lost, suspended) with stage history, activities
// done and planned (some overdue), objections, labels, targets and currency rates.
// `lang` ("en", "zh-Hans", "zh-Hant", "ko") picks names, companies and currencies; "" mixes all
// four. `now` anchors every date (deals were created in the months before it).
Document makeDemoDocument(std::uint32_t seed, int dealCount, Time now, const std::string& lang);

}  // namespace funnel
