// The screen-reader tree: Funnel draws into one canvas, so each frame's semantic nodes (the
// items the views recorded with an ARIA role and a name, ui::SemanticNode) are mirrored into a
// visually hidden DOM tree over the canvas (#funnel-a11y), which the browser exposes to
// assistive technology. It is updated by diff, only when the frame's nodes changed; an idle
// page draws no frames and so costs nothing. Focus follows ImGui's focus while a screen reader
// is in the tree, and back: focusing a node focuses the item; activating it clicks the item.
// Outcomes ("moved to Proposal", "saved", "sync failed: …") are spoken by a live region.
#pragma once

#include <string>
#include <vector>

#include "ui/app.h"

namespace funnel::web {

// Creates the hidden tree and the live region (once, at startup). ?a11y=0 leaves them out
// (the benchmark's baseline).
void installSemantics(bool enabled);
bool semanticsEnabled();

// Before App::draw, inside the frame: moves ImGui's focus to a node focused in the tree.
void semanticsBeforeDraw();
// After the frame: sends what changed since the last frame's nodes, moves the tree's focus
// after ImGui's, and speaks the announcements. `scale` turns ImGui's coordinates into CSS px.
void semanticsAfterDraw(const ui::ItemRects& items, const std::vector<std::string>& announcements, float scale);

// Counters for window.funnel.a11y(): updates sent, nodes in the tree.
struct SemanticsStats {
    int updates = 0;
    int nodes = 0;
};
SemanticsStats semanticsStats();

}  // namespace funnel::web
