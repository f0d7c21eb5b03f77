// Funnel — encodings of imported and exported files (see text_encoding.h).
#include "core/text_encoding.h"

#include <iconv.h>
#include <uchardet.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <vector>

namespace funnel::text {

namespace {

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
