// Funnel — importing the team's lists (CSV/TSV in any encoding) and exporting them again.
//
// An import goes: bytes → prepareImport (size limit, binary/empty check, encoding detection and
// conversion, CSV reading, a guessed mapping of the header to fields) → planImport (each row
// checked, matched against existing customers and the rows before it, turned into records) →
// ONE command (`snapshot.restore` with every record created or merged), so one undo removes the
// whole import. Nothing here changes the document: the caller performs the command.
//
// Headers are matched by name in the four languages (客户名称/客戶名稱/고객명/Customer, 联系人/
// 聯絡人/담당자, 电话/電話/전화, …); the export writes the same names in the user's language, so
// an export imports back as it was. Row problems come back as reason codes with the offending
// value, for the UI to say in the user's language.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/csv.h"
#include "core/model.h"
#include "core/text_encoding.h"

namespace funnel::importer {

// A field a column can fill. Phone goes to the row's contact when a contact column is mapped,
// else to the customer; Owner is the customer's and the deal's (a member, by name).
enum class Field {
    None,  // not imported (kept in the customer's extra fields when keepUnmapped)
    CustomerName,
    CustomerPhone,
    Industry,
    Region,
    Address,
    Website,
    Tags,
    Notes,
    Grade,
    Source,
    Owner,
    ContactName,
    ContactTitle,
    Phone,
    Email,
    Messenger,
    DealTitle,
    DealValue,
    Currency,
    Stage,
    ExpectedClose,
    Labels,
    DealStatus,
    ActivityKind,
    ActivitySubject,
    ActivityDue,
    ActivityDone,
    ActivityOutcome,
};
inline constexpr int kFieldCount = int(Field::ActivityOutcome) + 1;

const char* fieldKey(Field);  // "customerName", … (window.funnel, tests)
std::optional<Field> fieldFromKey(std::string_view);
// The column name the export writes for `field` in `lang` (en, zh-Hans, zh-Hant, ko).
std::string headerName(Field, const std::string& lang);
// The field a header names, in any of the four languages; None when nothing fits.
Field fieldForHeader(std::string_view header);

// Limits: bigger files are refused before being read whole (the caller checks the size first).
inline constexpr std::size_t kMaxImportBytes = std::size_t(64) << 20;  // 64 MB
inline constexpr std::size_t kMaxImportRows = 200'000;

enum class FileError {
    None,
    Empty,
    Binary,
    TooBig,             // detail: the limit in MB
    TooManyRows,        // detail: the limit
    BadEncoding,        // line: where bytes the encoding does not allow start (mixed encodings)
    UnterminatedQuote,  // line
    NoHeader,
    NoNameColumn,  // neither a customer nor a contact name column is mapped
};
const char* fileErrorKey(FileError);  // "import.error.binary", …

struct Prepared {
    FileError error = FileError::None;
    int errorLine = 0;
    std::string errorDetail;
    text::Encoding encoding = text::Encoding::Utf8;
    bool bom = false;
    char delimiter = ',';
    std::vector<std::string> header;
    std::vector<csv::Record> rows;  // every record after the header
    std::vector<csv::Problem> problems;
    std::vector<Field> mapping;  // per column, guessed from the header
    bool ok() const { return error == FileError::None; }
};

// `encoding`: the user's choice, else detected (`hint`: the legacy encoding of the UI language).
Prepared prepareImport(std::string_view bytes, std::optional<text::Encoding> encoding = std::nullopt,
                       std::optional<text::Encoding> hint = std::nullopt);
// The legacy encoding a user of `lang` most likely has files in (zh-Hans → GB18030, …).
std::optional<text::Encoding> legacyEncodingFor(const std::string& lang);

enum class Duplicates { Merge, Skip, Create };
const char* duplicatesKey(Duplicates);
std::optional<Duplicates> duplicatesFromKey(std::string_view);

struct Options {
    std::vector<Field> mapping;  // per column (empty: the guessed one)
    Duplicates duplicates = Duplicates::Merge;
    bool keepUnmapped = false;  // unmapped columns go to customer.extra["importedFields"]
    Id pipelineId;              // for deals; "" = the default pipeline
    std::string fileName;       // named in the change history
};

enum class Outcome { Created, Merged, Skipped, Rejected };

enum class Reason {
    None,
    NoName,         // neither a customer nor a contact name
    TooManyFields,  // detail: "<fields>/<header fields>"
    BadValue,       // detail: the value
    BadDate,        // detail: the value
    UnknownStage,   // detail: the name
    UnknownOwner,   // detail: the name
    BadEmail,       // detail: the value
    BadCurrency,    // detail: the value
    Duplicate,      // (Skipped) detail: the existing customer's name
};
const char* reasonKey(Reason);  // "import.reason.noName", …

struct RowResult {
    int line = 0;
    Outcome outcome = Outcome::Created;
    Reason reason = Reason::None;
    std::string detail;
    Id customerId;            // created or merged into
    std::string duplicateOf;  // the name of the customer it matches, if any
};

struct Plan {
    json command;  // snapshot.restore: perform it (null when nothing to do)
    std::vector<RowResult> rows;
    int created = 0, merged = 0, skipped = 0, rejected = 0;
    int customers = 0, contacts = 0, deals = 0;  // records written (new or changed)
};

// Checks every row and builds the records; `now` and `me` stamp what is created.
Plan planImport(const Document& doc, const Prepared& file, const Options& options, Time now, const Id& me);

// ---- export -------------------------------------------------------------------------------------

enum class ExportKind { Customers, Contacts, Deals, Activities };
const char* exportKindKey(ExportKind);  // "customers", "contacts", "deals", "activities"
std::optional<ExportKind> exportKindFromKey(std::string_view);

struct ExportOptions {
    std::string lang = "en";  // column names and stage names
    text::Encoding encoding = text::Encoding::Utf8;
    bool bom = true;                           // UTF-8 only: Excel needs it to show CJK right
    const std::vector<Id>* dealIds = nullptr;  // Deals: only these (the board's filter); null = all
};

struct Exported {
    std::string bytes;
    std::string fileName;      // "customers.csv", …
    std::size_t replaced = 0;  // characters the encoding cannot hold, written as '?'
    int records = 0;
    bool ok = true;  // false: the encoding cannot be written here (text::Encoded::ok)
};
// UTF-8 CSV text of one list (the column names fieldForHeader reads back).
std::string exportText(const Document& doc, ExportKind kind, const std::string& lang,
                       const std::vector<Id>* dealIds = nullptr, int* records = nullptr);
Exported exportCsv(const Document& doc, ExportKind kind, const ExportOptions& options);

// Contacts as vCard 3.0 (UTF-8): FN, ORG (the customer), TITLE, TEL, EMAIL.
std::string exportVCard(const Document& doc);

}  // namespace funnel::importer
