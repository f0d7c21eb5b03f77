// Funnel — fuzz target: openSnapshot, the decoder of a shared snapshot (a file or the text a
// link inflates to). Never throws; an opened snapshot is a valid document.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/codec.h"
#include "core/snapshot.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    funnel::Limits limits;
    limits.maxBytes = 1 << 20;
    limits.maxStringLength = 1 << 16;
    limits.maxRecords = 1 << 14;
    funnel::OpenedSnapshot s = funnel::openSnapshot(text, limits);
    if (s.error != funnel::SnapshotError::None) return 0;
    const std::string again = funnel::encodeDocumentText(s.document);
    if (!funnel::decodeDocument(std::string_view(again)).ok) std::abort();
    return 0;
}
