// gzip (zlib) and brotli bodies for funnel-serve, plus Accept-Encoding negotiation.
#include "encoding.h"

#include <brotli/encode.h>
#include <zlib.h>

#include <cctype>
#include <cstdlib>

namespace funnel::serve {
namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

}  // namespace

Coding preferredCoding(std::string_view acceptEncoding) {
    bool gzip = false;
    bool brotli = false;
    const std::string value = lower(acceptEncoding);
    std::string_view rest = value;
    while (!rest.empty()) {
        const auto comma = rest.find(',');
        std::string_view item = trim(rest.substr(0, comma));
        rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
        double q = 1.0;
        if (const auto semi = item.find(';'); semi != std::string_view::npos) {
            std::string_view params = trim(item.substr(semi + 1));
            item = trim(item.substr(0, semi));
            if (params.substr(0, 2) == "q=") q = std::strtod(std::string(params.substr(2)).c_str(), nullptr);
        }
        if (q <= 0.0) continue;
        if (item == "br") brotli = true;
        if (item == "gzip" || item == "x-gzip") gzip = true;
    }
    if (brotli) return Coding::Brotli;
    if (gzip) return Coding::Gzip;
    return Coding::Identity;
}

std::string_view codingName(Coding coding) {
    switch (coding) {
        case Coding::Gzip: return "gzip";
        case Coding::Brotli: return "br";
        case Coding::Identity: break;
    }
    return "";
}

std::optional<std::string> encode(std::string_view body, Coding coding) {
    if (coding == Coding::Brotli) {
        std::string out(BrotliEncoderMaxCompressedSize(body.size()), '\0');
        size_t outSize = out.size();
        // Quality 5: about gzip's speed with smaller output. Quality 9 took 16 s on a 3 MB CJK
        // font here, which every fresh server (each e2e test) would pay on first request.
        if (!BrotliEncoderCompress(5, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_GENERIC, body.size(),
                                   reinterpret_cast<const uint8_t*>(body.data()), &outSize,
                                   reinterpret_cast<uint8_t*>(out.data()))) {
            return std::nullopt;
        }
        out.resize(outSize);
        return out;
    }
    if (coding == Coding::Gzip) {
        z_stream zs{};
        // windowBits 15 + 16 asks zlib for a gzip wrapper instead of a raw zlib stream.
        if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
            return std::nullopt;
        }
        std::string out(deflateBound(&zs, static_cast<uLong>(body.size())), '\0');
        zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(body.data()));
        zs.avail_in = static_cast<uInt>(body.size());
        zs.next_out = reinterpret_cast<Bytef*>(out.data());
        zs.avail_out = static_cast<uInt>(out.size());
        const int rc = deflate(&zs, Z_FINISH);
        out.resize(zs.total_out);
        deflateEnd(&zs);
        if (rc != Z_STREAM_END) return std::nullopt;
        return out;
    }
    return std::string(body);
}

}  // namespace funnel::serve
