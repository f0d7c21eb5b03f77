// Funnel — data in and out in the browser (see data.cpp): lists dropped on the page are imported,
// files of any kind offered as downloads, and window.funnel.importFile / exportFile / restoreFile.
#pragma once

#include <string>

namespace funnel::web {

// Listens for lists (.csv .tsv .txt) dropped on the page; runs before the snapshot drop handler
// and leaves other files to it.
void installDataDrop();
// Offers `bytes` as a download named `name`.
void downloadFile(const std::string& name, const std::string& mime, const std::string& bytes);

}  // namespace funnel::web
