// Funnel — fuzz target: the document codec on untrusted text, whole and in pieces.
// The first byte picks how the text is handed over: as one string, or through a TextSource in
// pieces of 1..64 bytes (the store's block reader), so a split inside a UTF-8 sequence, a
// number or an escape is exercised too. A document that decodes must encode and decode again
// to the same document.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/codec.h"

namespace {
class Pieces final : public funnel::TextSource {
public:
    Pieces(std::string_view text, std::size_t piece) : text_(text), piece_(piece) {}
    std::string_view next() override {
        const std::string_view out = text_.substr(0, piece_);
        text_.remove_prefix(out.size());
        return out;
    }

private:
    std::string_view text_;
    std::size_t piece_;
};

funnel::Limits smallLimits() {
    funnel::Limits l;
    l.maxBytes = 1 << 20;
    l.maxStringLength = 1 << 16;
    l.maxRecords = 1 << 14;
    return l;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::uint8_t mode = data[0];
    const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
    const funnel::Limits limits = smallLimits();
    funnel::DecodeResult r;
    if (mode & 1) {
        Pieces p(text, 1 + (mode >> 2) % 64);
        r = funnel::decodeDocument(p, limits);
    } else {
        r = funnel::decodeDocument(text, limits);
    }
    if (!r.ok) return 0;
    const std::string again = funnel::encodeDocumentText(r.document);
    funnel::DecodeResult back = funnel::decodeDocument(std::string_view(again));
    if (!back.ok || !(back.document == r.document)) std::abort();  // a round trip must hold
    return 0;
}
