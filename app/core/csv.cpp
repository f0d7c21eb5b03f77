// Funnel — CSV writing and reading (see csv.h).
#include "core/csv.h"

#include <algorithm>
#include <array>

namespace funnel::csv {

std::string quoteField(std::string_view field, char delimiter) {
    const bool quote = field.find_first_of(std::string_view("\"\r\n", 3)) != std::string_view::npos ||
                       field.find(delimiter) != std::string_view::npos ||
                       (!field.empty() && (field.front() == ' ' || field.back() == ' '));
    if (!quote) return std::string(field);
    std::string out;
    out.reserve(field.size() + 2);
    out += '"';
    for (char c : field) {
        if (c == '"') out += '"';
        out += c;
    }
    out += '"';
    return out;
}

Writer::Writer(WriteOptions options) : options_(options) {
    if (options_.bom) text_ += kUtf8Bom;
}

void Writer::field(std::string_view f, bool first) {
    if (!first) text_ += options_.delimiter;
    text_ += quoteField(f, options_.delimiter);
}

void Writer::row(const std::vector<std::string>& fields) {
    for (std::size_t i = 0; i < fields.size(); ++i) field(fields[i], i == 0);
    text_ += "\r\n";
}

void Writer::row(std::initializer_list<std::string_view> fields) {
    bool first = true;
    for (std::string_view f : fields) {
        field(f, first);
        first = false;
    }
    text_ += "\r\n";
}

std::string write(const std::vector<std::vector<std::string>>& rows, WriteOptions options) {
    Writer w(options);
    for (const auto& r : rows) w.row(r);
    return w.take();
}

// ---- reading -----------------------------------------------------------------------------------

bool Table::fatal() const {
    return std::any_of(problems.begin(), problems.end(),
                       [](const Problem& p) { return p.kind == ProblemKind::UnterminatedQuote; });
}

Reader::Reader(std::string_view text, char delimiter) : text_(text), delimiter_(delimiter) {
    if (text_.substr(0, kUtf8Bom.size()) == kUtf8Bom) pos_ = kUtf8Bom.size();
}

bool Reader::next(Record& record, std::vector<Problem>& problems) {
    record.fields.clear();
    const std::size_t n = text_.size();
    // Skip empty lines between records.
    while (pos_ < n && (text_[pos_] == '\n' || text_[pos_] == '\r')) {
        if (text_[pos_] == '\r' && pos_ + 1 < n && text_[pos_ + 1] == '\n') ++pos_;
        ++pos_;
        ++line_;
    }
    if (pos_ >= n) return false;
    record.line = line_;
    std::string field;
    for (;;) {
        // One field starting at pos_.
        field.clear();
        if (pos_ < n && text_[pos_] == '"') {
            ++pos_;
            bool closed = false;
            while (pos_ < n) {
                const std::size_t q = text_.find('"', pos_);
                const std::size_t end = q == std::string_view::npos ? n : q;
                for (std::size_t i = pos_; i < end; ++i) {  // count the lines a quoted field spans
                    if (text_[i] == '\n' || (text_[i] == '\r' && (i + 1 >= n || text_[i + 1] != '\n')))
                        ++line_;
                }
                field.append(text_.substr(pos_, end - pos_));
                pos_ = end;
                if (q == std::string_view::npos) break;
                if (q + 1 < n && text_[q + 1] == '"') {  // doubled quote
                    field += '"';
                    pos_ = q + 2;
                    continue;
                }
                pos_ = q + 1;
                closed = true;
                break;
            }
            if (!closed) {
                problems.push_back({ProblemKind::UnterminatedQuote, record.line, 0});
                record.fields.push_back(std::move(field));
                pos_ = n;
                return true;
            }
            // Text between the closing quote and the delimiter is kept (as Excel does).
        }
        while (pos_ < n) {
            const char c = text_[pos_];
            if (c == delimiter_ || c == '\n' || c == '\r') break;
            field += c;
            ++pos_;
        }
        record.fields.push_back(field);
        if (pos_ >= n) return true;
        const char c = text_[pos_];
        if (c == delimiter_) {
            ++pos_;
            if (pos_ >= n) {  // a delimiter at the very end: one more empty field
                record.fields.emplace_back();
                return true;
            }
            continue;
        }
        // End of record.
        if (c == '\r' && pos_ + 1 < n && text_[pos_ + 1] == '\n') ++pos_;
        ++pos_;
        ++line_;
        return true;
    }
}

char detectDelimiter(std::string_view text) {
    constexpr std::size_t kSample = 64 * 1024;
    constexpr int kRecords = 30;
    const bool cut = text.size() > kSample;
    if (cut) text = text.substr(0, kSample);
    char best = ',';
    long bestScore = 0;
    for (char d : std::array<char, 4>{',', ';', '\t', '|'}) {
        Reader reader(text, d);
        Record rec;
        std::vector<Problem> problems;
        std::vector<std::size_t> counts;
        while ((int)counts.size() < kRecords && reader.next(rec, problems)) {
            if (cut && reader.offset() >= text.size()) break;  // maybe a record cut in two
            counts.push_back(rec.fields.size());
        }
        if (counts.empty() || counts[0] < 2) continue;
        long same = 0;
        for (std::size_t c : counts) same += c == counts[0] ? 1 : 0;
        // Consistency first, then the number of columns.
        const long score = same * 1000 + long(std::min<std::size_t>(counts[0], 999));
        if (score > bestScore) {
            bestScore = score;
            best = d;
        }
    }
    return best;
}

Table read(std::string_view text, ReadOptions options) {
    Table table;
    table.delimiter = options.delimiter ? options.delimiter : detectDelimiter(text);
    Reader reader(text, table.delimiter);
    Record rec;
    while (reader.next(rec, table.problems)) {
        if (options.maxRecords && table.records.size() >= options.maxRecords) {
            table.truncated = true;
            break;
        }
        if (!table.records.empty() && rec.fields.size() > table.records[0].fields.size())
            table.problems.push_back({ProblemKind::TooManyFields, rec.line, int(rec.fields.size())});
        table.records.push_back(rec);
    }
    return table;
}

}  // namespace funnel::csv
