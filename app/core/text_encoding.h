// Funnel — the encodings of imported and exported files, and conversion to and from UTF-8.
//
// Detection is uchardet's (Debian's source package, built by app/core/CMakeLists.txt for both
// builds), after the byte order marks; reading is the C library's iconv (glibc natively, musl in
// Emscripten — both read GB18030, Big5, CP949 and Shift_JIS); writing GB18030, Big5 and CP949 goes
// through tables generated at build time from glibc's iconv (make_encoder_tables.py), because
// musl cannot write them. Nothing here throws: a conversion that meets bytes the encoding does
// not allow says on which line.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace funnel::text {

enum class Encoding { Utf8, Utf16LE, Utf16BE, GB18030, Big5, CP949, ShiftJIS, Windows1252 };
inline constexpr Encoding kEncodings[] = {Encoding::Utf8,     Encoding::Utf16LE,    Encoding::Utf16BE,
                                          Encoding::GB18030,  Encoding::Big5,       Encoding::CP949,
                                          Encoding::ShiftJIS, Encoding::Windows1252};

// The stable name ("UTF-8", "UTF-16LE", "GB18030", "Big5", "CP949", "Shift_JIS", "windows-1252"),
// as shown in the preview and taken by `window.funnel.importFile({encoding})`.
const char* name(Encoding);
// By name, case and punctuation ignored, with the usual aliases (gbk, gb2312, euc-kr, sjis, …).
std::optional<Encoding> encodingNamed(std::string_view);

struct Detection {
    Encoding encoding = Encoding::Utf8;
    bool bom = false;     // the text starts with that encoding's byte order mark
    bool binary = false;  // not text at all (NUL bytes outside UTF-16, control bytes)
    bool empty = false;   // nothing (or only a byte order mark)
};

// Looks at up to the first `sampleBytes` of the file: a byte order mark, else uchardet's answer
// when the sample decodes in it, else `hint` (the legacy encoding of the user's language), else
// the first of UTF-8, GB18030, Big5, CP949, Shift_JIS that decodes it.
Detection detect(std::string_view bytes, std::size_t sampleBytes = std::size_t(1) << 20,
                 std::optional<Encoding> hint = std::nullopt);

struct Decoded {
    bool ok = false;
    std::string text;  // UTF-8, without a byte order mark
    int badLine = 0;   // !ok: the first line holding bytes the encoding does not allow (1-based)
};
// The bytes in `from` as UTF-8 (a byte order mark of that encoding is dropped).
Decoded toUtf8(std::string_view bytes, Encoding from);

struct Encoded {
    bool ok = true;  // false: this C library's iconv cannot write `to` (musl in Emscripten 3.1.6
                     // has no encoder for Shift_JIS; GB18030, Big5 and CP949 go through tables)
    std::string bytes;
    std::size_t replaced = 0;  // characters the encoding cannot hold, written as '?'
};
// UTF-8 text in `to`; `bom` adds the byte order mark for UTF-8 / UTF-16. GB18030, Big5 and CP949
// are written through tables generated at build time from glibc's iconv (make_encoder_tables.py),
// the same bytes natively and in the browser, whose musl iconv reads them but cannot write them.
Encoded fromUtf8(std::string_view text, Encoding to, bool bom = false);
// One character in GB18030, Big5 or CP949 by those tables; nullopt when the encoding cannot hold
// it (or `e` is not one of the three).
std::optional<std::string> encodeCharacter(Encoding e, char32_t cp);

// Whether `text` is well-formed UTF-8; when not, the line of the first bad byte.
bool validUtf8(std::string_view text, int* badLine = nullptr);

}  // namespace funnel::text
