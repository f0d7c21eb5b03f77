// Funnel — encodings of imported and exported files (see text_encoding.h).
#include "core/text_encoding.h"

#include <iconv.h>
#include <uchardet.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdint>
#include <vector>

namespace funnel::text {

namespace tables {
struct Astral2 {  // a character beyond the BMP written in two bytes
    std::uint32_t point;
    std::uint16_t code;
};
struct Run4 {  // code points first..last written as consecutive GB 18030 four-byte codes
    std::uint32_t first, last, linear;
};
// Generated at build time from glibc's iconv by make_encoder_tables.py (app/core/CMakeLists.txt).
#include "encoder_tables.inc"
}  // namespace tables

namespace {

struct EncoderTable {
    const std::uint16_t* points;  // sorted BMP code points …
    const std::uint16_t* codes;   // … and their one- or two-byte codes
    std::size_t size;
    const tables::Astral2* astral;  // ends with {0, 0}
    const tables::Run4* runs;       // sorted, ends with {0, 0, 0}
};

template <std::size_t N>
EncoderTable tableOf(const std::uint16_t (&points)[N], const std::uint16_t (&codes)[N],
                     const tables::Astral2* astral, const tables::Run4* runs) {
    return {points, codes, N, astral, runs};
}

const EncoderTable* encoderTable(Encoding e) {
    using namespace tables;
    static const EncoderTable gb18030 = tableOf(kGB18030Points, kGB18030Codes, kGB18030Astral, kGB18030Runs);
    static const EncoderTable big5 = tableOf(kBig5Points, kBig5Codes, kBig5Astral, kBig5Runs);
    static const EncoderTable cp949 = tableOf(kCP949Points, kCP949Codes, kCP949Astral, kCP949Runs);
    switch (e) {
        case Encoding::GB18030: return &gb18030;
        case Encoding::Big5: return &big5;
        case Encoding::CP949: return &cp949;
        default: return nullptr;
    }
}

// The code point of the UTF-8 sequence at `i`, `i` moved past it; nullopt for a malformed
// sequence, `i` moved past its bad bytes.
std::optional<char32_t> nextPoint(std::string_view s, std::size_t& i) {
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    const unsigned char c = p[i];
    std::size_t len = 1;
    char32_t cp = c;
    if (c >= 0xC2 && c <= 0xDF)
        len = 2, cp = c & 0x1F;
    else if (c >= 0xE0 && c <= 0xEF)
        len = 3, cp = c & 0x0F;
    else if (c >= 0xF0 && c <= 0xF4)
        len = 4, cp = c & 0x07;
    else if (c >= 0x80) {
        ++i;
        return std::nullopt;
    }
    if (i + len > s.size()) {
        i = s.size();
        return std::nullopt;
    }
    for (std::size_t k = 1; k < len; ++k) {
        if ((p[i + k] & 0xC0) != 0x80) {
            i += k;
            return std::nullopt;
        }
        cp = (cp << 6) | (p[i + k] & 0x3F);
    }
    i += len;
    if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
        (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
        return std::nullopt;
    return cp;
}

}  // namespace

std::optional<std::string> encodeCharacter(Encoding e, char32_t cp) {
    const EncoderTable* t = encoderTable(e);
    if (!t) return std::nullopt;
    if (cp < 0x80) return std::string(1, char(cp));
    if (cp <= 0xFFFF) {
        const std::uint16_t* end = t->points + t->size;
        const std::uint16_t* at = std::lower_bound(t->points, end, std::uint16_t(cp));
        if (at != end && *at == cp) {
            const std::uint16_t code = t->codes[at - t->points];
            if (code <= 0xFF) return std::string(1, char(code));
            return std::string{char(code >> 8), char(code & 0xFF)};
        }
    } else {
        for (const tables::Astral2* a = t->astral; a->point; ++a)
            if (a->point == cp) return std::string{char(a->code >> 8), char(a->code & 0xFF)};
    }
    for (const tables::Run4* r = t->runs; r->last; ++r) {
        if (cp < r->first) break;
        if (cp > r->last) continue;
        // GB 18030's four-byte codes in order: 81–FE, 30–39, 81–FE, 30–39.
        std::uint32_t n = r->linear + (cp - r->first);
        const char b4 = char(0x30 + n % 10);
        n /= 10;
        const char b3 = char(0x81 + n % 126);
        n /= 126;
        const char b2 = char(0x30 + n % 10);
        n /= 10;
        return std::string{char(0x81 + n), b2, b3, b4};
    }
    return std::nullopt;
}

namespace {

// UTF-8 into GB18030, Big5 or CP949 through the tables (what glibc writes, in both builds: musl's
// iconv in Emscripten 3.1.6 reads these encodings but has no encoder for them).
Encoded encodeWithTable(std::string_view text, Encoding to) {
    Encoded r;
    r.bytes.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        const unsigned char c = static_cast<unsigned char>(text[i]);
        if (c < 0x80) {
            r.bytes += char(c);
            ++i;
            continue;
        }
        const std::optional<char32_t> cp = nextPoint(text, i);
        std::optional<std::string> code = cp ? encodeCharacter(to, *cp) : std::nullopt;
        if (code) {
            r.bytes += *code;
        } else {
            r.bytes += '?';
            ++r.replaced;
        }
    }
    return r;
}

// The name iconv knows the encoding by (glibc and musl both take these).
const char* iconvName(Encoding e) {
    switch (e) {
        case Encoding::Utf8: return "UTF-8";
        case Encoding::Utf16LE: return "UTF-16LE";
        case Encoding::Utf16BE: return "UTF-16BE";
        case Encoding::GB18030: return "GB18030";
        case Encoding::Big5: return "BIG5";
        case Encoding::CP949: return "CP949";
        case Encoding::ShiftJIS: return "SHIFT_JIS";
        case Encoding::Windows1252: return "WINDOWS-1252";
    }
    return "UTF-8";
}

std::string squash(std::string_view s) {
    std::string out;
    for (char c : s)
        if (std::isalnum(static_cast<unsigned char>(c)))
            out += char(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::string_view bomOf(Encoding e) {
    switch (e) {
        case Encoding::Utf8: return "\xEF\xBB\xBF";
        case Encoding::Utf16LE: return "\xFF\xFE";
        case Encoding::Utf16BE: return "\xFE\xFF";
        default: return {};
    }
}

int linesIn(std::string_view utf8) { return int(std::count(utf8.begin(), utf8.end(), '\n')) + 1; }

// The length of the UTF-8 sequence starting with `lead` (1 for a stray byte).
std::size_t sequenceLength(unsigned char lead) {
    if (lead < 0xC0) return 1;
    if (lead < 0xE0) return 2;
    if (lead < 0xF0) return 3;
    return 4;
}

// iconv from `from` to `to` over all of `in`. stopAtBad: give up at the first byte sequence the
// source does not allow (returns false, out holds what came before); otherwise (encoding UTF-8
// into a legacy set) a character the target cannot hold becomes '?'. `cutEnd`: an incomplete
// sequence at the very end is not an error (a sample cut from a bigger file).
bool convert(std::string_view in, const char* from, const char* to, std::string& out, bool stopAtBad,
             std::size_t* replaced = nullptr, bool cutEnd = false) {
    iconv_t cd = iconv_open(to, from);
    if (cd == (iconv_t)-1) return false;
    out.clear();
    out.reserve(in.size() + in.size() / 2 + 16);
    char* src = const_cast<char*>(in.data());
    std::size_t srcLeft = in.size();
    std::vector<char> buf(64 * 1024);
    bool ok = true;
    while (srcLeft > 0) {
        char* dst = buf.data();
        std::size_t dstLeft = buf.size();
        const std::size_t r = iconv(cd, &src, &srcLeft, &dst, &dstLeft);
        out.append(buf.data(), buf.size() - dstLeft);
        if (r != std::size_t(-1)) continue;
        if (errno == E2BIG) continue;
        if (errno == EINVAL && cutEnd) break;
        if (errno == EILSEQ && !stopAtBad && srcLeft > 0) {  // UTF-8 in: skip one character
            const std::size_t n = std::min(sequenceLength(static_cast<unsigned char>(*src)), srcLeft);
            src += n;
            srcLeft -= n;
            out += '?';
            if (replaced) ++*replaced;
            continue;
        }
        ok = false;
        break;
    }
    if (ok) {  // flush a stateful encoder
        char* dst = buf.data();
        std::size_t dstLeft = buf.size();
        iconv(cd, nullptr, nullptr, &dst, &dstLeft);
        out.append(buf.data(), buf.size() - dstLeft);
    }
    iconv_close(cd);
    return ok;
}

bool looksBinary(std::string_view sample) {
    std::size_t control = 0;
    for (char ch : sample) {
        const auto c = static_cast<unsigned char>(ch);
        if (c == 0) return true;
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != 0x1B) ++control;
    }
    return control * 100 > sample.size();  // more than 1% control bytes
}

std::optional<Encoding> fromUchardet(std::string_view charset) {
    const std::string s = squash(charset);
    if (s.empty()) return std::nullopt;
    if (s == "ascii" || s == "utf8") return Encoding::Utf8;
    if (s == "gb18030" || s == "gbk" || s == "gb2312" || s == "hzgb2312") return Encoding::GB18030;
    if (s == "big5" || s == "euctw") return Encoding::Big5;
    if (s == "uhc" || s == "euckr" || s == "cp949") return Encoding::CP949;
    if (s == "shiftjis" || s == "sjis" || s == "cp932") return Encoding::ShiftJIS;
    if (s == "windows1252" || s == "iso88591" || s == "iso885915") return Encoding::Windows1252;
    return std::nullopt;
}

bool decodes(std::string_view sample, Encoding e, bool cut) {
    if (e == Encoding::Utf8) {
        // A sequence cut at the end of a sample is fine.
        std::size_t n = sample.size();
        if (cut) {
            std::size_t back = 0;
            while (back < 4 && back < n && (static_cast<unsigned char>(sample[n - 1 - back]) & 0xC0) == 0x80)
                ++back;
            if (back < n && static_cast<unsigned char>(sample[n - 1 - back]) >= 0xC0) n -= back + 1;
        }
        return validUtf8(sample.substr(0, n));
    }
    std::string out;
    return convert(sample, iconvName(e), "UTF-8", out, true, nullptr, cut);
}

}  // namespace

const char* name(Encoding e) {
    switch (e) {
        case Encoding::Utf8: return "UTF-8";
        case Encoding::Utf16LE: return "UTF-16LE";
        case Encoding::Utf16BE: return "UTF-16BE";
        case Encoding::GB18030: return "GB18030";
        case Encoding::Big5: return "Big5";
        case Encoding::CP949: return "CP949";
        case Encoding::ShiftJIS: return "Shift_JIS";
        case Encoding::Windows1252: return "windows-1252";
    }
    return "UTF-8";
}

std::optional<Encoding> encodingNamed(std::string_view n) {
    const std::string s = squash(n);
    for (Encoding e : kEncodings)
        if (s == squash(name(e))) return e;
    if (s == "utf16") return Encoding::Utf16LE;
    if (s == "latin1" || s == "cp1252" || s == "iso88591") return Encoding::Windows1252;
    return fromUchardet(n);
}

bool validUtf8(std::string_view t, int* badLine) {
    const auto* p = reinterpret_cast<const unsigned char*>(t.data());
    const std::size_t n = t.size();
    int line = 1;
    for (std::size_t i = 0; i < n;) {
        const unsigned char c = p[i];
        if (c < 0x80) {
            if (c == '\n') ++line;
            ++i;
            continue;
        }
        std::size_t len = 0;
        unsigned cp = 0;
        if (c >= 0xC2 && c <= 0xDF)
            len = 2, cp = c & 0x1F;
        else if (c >= 0xE0 && c <= 0xEF)
            len = 3, cp = c & 0x0F;
        else if (c >= 0xF0 && c <= 0xF4)
            len = 4, cp = c & 0x07;
        bool ok = len != 0 && i + len <= n;
        for (std::size_t k = 1; ok && k < len; ++k) {
            if ((p[i + k] & 0xC0) != 0x80) ok = false;
            cp = (cp << 6) | (p[i + k] & 0x3F);
        }
        if (ok && len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ok = false;
        if (ok && len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ok = false;
        if (!ok) {
            if (badLine) *badLine = line;
            return false;
        }
        i += len;
    }
    return true;
}

Detection detect(std::string_view bytes, std::size_t sampleBytes, std::optional<Encoding> hint) {
    Detection d;
    for (Encoding e : {Encoding::Utf8, Encoding::Utf16LE, Encoding::Utf16BE}) {
        const std::string_view bom = bomOf(e);
        if (bytes.substr(0, bom.size()) == bom) {
            d.encoding = e;
            d.bom = true;
            d.empty = bytes.size() == bom.size();
            return d;
        }
    }
    if (bytes.empty()) {
        d.empty = true;
        return d;
    }
    const bool cut = bytes.size() > sampleBytes;
    const std::string_view sample = bytes.substr(0, std::min(bytes.size(), sampleBytes));
    if (looksBinary(sample)) {
        d.binary = true;
        return d;
    }
    std::optional<Encoding> guess;
    if (uchardet_t ud = uchardet_new()) {
        if (uchardet_handle_data(ud, sample.data(), sample.size()) == 0) {
            uchardet_data_end(ud);
            guess = fromUchardet(uchardet_get_charset(ud));
        }
        uchardet_delete(ud);
    }
    // uchardet's answer when the sample decodes in it; else the caller's hint (the legacy
    // encoding of the user's language), else UTF-8, else the first encoding that decodes it.
    std::vector<Encoding> candidates;
    if (guess) candidates.push_back(*guess);
    if (hint) candidates.push_back(*hint);
    for (Encoding e :
         {Encoding::Utf8, Encoding::GB18030, Encoding::Big5, Encoding::CP949, Encoding::ShiftJIS})
        candidates.push_back(e);
    for (Encoding e : candidates) {
        if (e == Encoding::Utf16LE || e == Encoding::Utf16BE) continue;
        if (decodes(sample, e, cut)) {
            d.encoding = e;
            return d;
        }
    }
    // Nothing decodes it whole (mixed encodings): the best guess; decoding will name the line.
    d.encoding = guess ? *guess : hint ? *hint : Encoding::Utf8;
    return d;
}

Decoded toUtf8(std::string_view bytes, Encoding from) {
    Decoded r;
    const std::string_view bom = bomOf(from);
    if (!bom.empty() && bytes.substr(0, bom.size()) == bom) bytes.remove_prefix(bom.size());
    if (from == Encoding::Utf8) {
        if (!validUtf8(bytes, &r.badLine)) return r;
        r.text.assign(bytes);
        r.ok = true;
        return r;
    }
    if (!convert(bytes, iconvName(from), "UTF-8", r.text, true)) {
        r.badLine = linesIn(r.text);
        r.text.clear();
        return r;
    }
    r.ok = true;
    return r;
}

Encoded fromUtf8(std::string_view text, Encoding to, bool bom) {
    Encoded r;
    if (to == Encoding::Utf8) {
        if (bom) r.bytes += bomOf(to);
        r.bytes += text;
        return r;
    }
    if (encoderTable(to)) return encodeWithTable(text, to);  // no byte order mark in these
    std::string out;
    if (!convert(text, "UTF-8", iconvName(to), out, false, &r.replaced)) {
        r.ok = false;
        return r;
    }
    if (bom) r.bytes += bomOf(to);
    r.bytes += out;
    return r;
}

}  // namespace funnel::text
