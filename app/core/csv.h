// Funnel — CSV (RFC 4180) writing and reading, on UTF-8 text.
//
// Writing: fields that hold the delimiter, a quote, CR or LF, or start/end with a space are
// quoted, quotes doubled; records end with CRLF (what Excel writes and RFC 4180 asks). An
// optional UTF-8 byte order mark makes Excel open CJK text right.
//
// Reading: the delimiter (`,` `;` tab `|`) is detected from the first records unless given;
// quoted fields may hold delimiters, doubled quotes and newlines. Problems never throw: an
// unterminated quote or a record longer than the header is reported with the line number
// (1-based, counted in the text's physical lines) where the record starts. Encodings are the
// caller's business (core/text_encoding.h turns the file's bytes into UTF-8 first).
#pragma once

#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace funnel::csv {

inline constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

struct WriteOptions {
    char delimiter = ',';
    bool bom = false;  // start the text with the UTF-8 byte order mark
};

// One field as it appears in a record: quoted when it must be.
std::string quoteField(std::string_view field, char delimiter = ',');

// Builds a CSV text one record at a time.
class Writer {
public:
    explicit Writer(WriteOptions options = {});
    void row(const std::vector<std::string>& fields);
    void row(std::initializer_list<std::string_view> fields);
    const std::string& text() const { return text_; }
    std::string take() { return std::move(text_); }

private:
    void field(std::string_view f, bool first);
    WriteOptions options_;
    std::string text_;
};

std::string write(const std::vector<std::vector<std::string>>& rows, WriteOptions options = {});

// ---- reading -----------------------------------------------------------------------------------

enum class ProblemKind {
    UnterminatedQuote,  // a quoted field runs to the end of the text
    TooManyFields,      // a record has more fields than the header
};

struct Problem {
    ProblemKind kind;
    int line = 0;    // where the record starts (1-based)
    int fields = 0;  // TooManyFields: how many the record has
};

struct Record {
    std::vector<std::string> fields;
    int line = 0;  // where the record starts (1-based)
};

struct ReadOptions {
    char delimiter = 0;          // 0 = detect
    std::size_t maxRecords = 0;  // 0 = all; else stop after this many (a preview)
};

struct Table {
    char delimiter = ',';
    std::vector<Record> records;    // the header is records[0] when the file has one
    std::vector<Problem> problems;  // in the order met
    bool truncated = false;         // stopped at maxRecords before the end
    bool fatal() const;             // an unterminated quote: the rest of the file is unreadable
};

// The delimiter that splits the first records (outside quotes) into the same number of fields
// most consistently; ',' when nothing says otherwise.
char detectDelimiter(std::string_view text);

// Reads the whole text (a leading UTF-8 BOM is skipped). Empty lines between records are
// skipped. Records longer than the first one are reported (TooManyFields) and kept; shorter
// ones are kept as they are (Excel leaves trailing empty fields out).
Table read(std::string_view text, ReadOptions options = {});

// Reading a record at a time (an import in pieces): `offset` moves past each record read.
class Reader {
public:
    Reader(std::string_view text, char delimiter);
    // false at the end of the text. A problem met in the record is appended to `problems`.
    bool next(Record& record, std::vector<Problem>& problems);
    std::size_t offset() const { return pos_; }
    int line() const { return line_; }

private:
    std::string_view text_;
    char delimiter_;
    std::size_t pos_ = 0;
    int line_ = 1;
};

}  // namespace funnel::csv
