// Funnel — sharing a snapshot of the board in the browser: the file download, the link
// (deflate-raw + base64url in the URL hash, `#/snapshot/<data>`), the file picker and drag and
// drop. What a snapshot holds and how it is checked is core/snapshot.h; what the page does with
// an opened one (read-only, in memory, never the visitor's store) is main.cpp.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace funnel::web {

// Longest link offered; a bigger board is shared as a file (the dialog says so).
inline constexpr std::size_t kMaxLinkLength = 1'500'000;

// Listens for files dropped onto the page.
void installSnapshotDrop(std::size_t maxBytes);
// True when the page was opened with #/snapshot/<data>.
bool pageHasSnapshotLink();
// Decodes the page's #/snapshot/ link (async): inflated bytes, or an error code, arrive at
// openSnapshotBytes(). Inflating stops past maxBytes.
void readSnapshotLink(std::size_t maxBytes);
// Offers `bytes` as a download named `name` of type `mime` (a snapshot, a report's CSV, …).
void downloadFile(const std::string& name, const std::string& mime, const std::string& bytes);
// Offers the canvas region (x, y, w, h in CSS pixels, as drawn in this frame) as a PNG download.
void downloadScreenshot(const std::string& name, float x, float y, float w, float h);
// Makes the link (async) and puts it on the clipboard; the outcome (a ui::App::ShareState)
// arrives at shareLinkDone(). window.funnelShareLink keeps the last link made.
void copySnapshotLink(const std::string& text);
// Opens the browser's file picker (needs the user's click, which this frame still has).
void pickSnapshotFile();
// Reloads the page without its hash: the visitor's own funnel.
void leaveSnapshot();

// [SECTION] Implemented by main.cpp: what arrives from the page.
enum class Arrival { Bytes = 0, TooLarge = 1, Damaged = 2 };
void openSnapshotBytes(std::string_view bytes, Arrival arrival);
void shareLinkDone(int shareState);

}  // namespace funnel::web
