// Funnel — data in and out in the browser (see data.cpp): lists dropped on the page are imported,
// and window.funnel.importFile / exportFile / restoreFile.
#pragma once

namespace funnel::web {

// Listens for lists (.csv .tsv .txt) dropped on the page; runs before the snapshot drop handler
// and leaves other files to it.
void installDataDrop();

}  // namespace funnel::web
