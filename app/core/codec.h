// Funnel — the JSON document format (docs/FORMAT.md): encode, validate, decode, migrate.
//
// Decoding never throws and never trusts its input: the text is first checked against Limits
// by a SAX pass (nlohmann's DOM copy and dump() recurse, so deep nesting must be refused
// before a DOM exists), then parsed, migrated to the current version and validated field by
// field. Errors name the path of the offending value: "deals[12].value: expected a number".
// Fields this version does not know are kept in each record's `extra`, so
// encode(decode(x)) == x for any document this or a newer Funnel wrote.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "core/model.h"

namespace funnel {

struct Limits {
    std::size_t maxBytes = std::size_t(256) << 20;         // whole text
    int maxDepth = 64;                                      // nested arrays/objects
    std::size_t maxStringLength = std::size_t(1) << 20;     // any string or key, in bytes
    std::size_t maxRecords = 2'000'000;                     // elements of any one array
};

struct DecodeResult {
    bool ok = false;
    std::string error;        // "" when ok
    Document document;
    int migratedFrom = kFormatVersion;  // version of the input before migration
};

// The whole document. Record fields at their default value are left out (a 100k-deal document
// stays small); settings are always written in full.
json encodeDocument(const Document&);
std::string encodeDocumentText(const Document&);       // compact, UTF-8
// The same with `extra` written in place of doc.extra (the store's and the team file's
// "sync" section, without copying a 100k-deal document to add it).
std::string encodeDocumentText(const Document&, const json& extra);
// The same text handed to `take` in pieces of `pieceBytes` (the last shorter), so that a big
// document is never one string in memory: the store writes each piece as a file of its own.
void encodeDocumentText(const Document&, const json& extra, std::size_t pieceBytes,
                        const std::function<void(std::string&&)>& take);
DecodeResult decodeDocument(std::string_view text, const Limits& limits = {});
// Text that arrives in pieces (a file read a block at a time, a snapshot's parts one after the
// other), so that a big document is decoded without ever being one string in memory. The
// decoder is the same as for one text: the limits pass runs on the pieces as they come, each
// record of a list is decoded from its own small DOM and dropped.
class TextSource {
public:
    virtual ~TextSource() = default;
    // The next piece, valid until the next call; empty only at the end (or when the source
    // failed: it keeps the reason itself).
    virtual std::string_view next() = 0;
    // How many records the list `name` ("deals", "activities", …) holds, when the source knows
    // (the store notes it beside a snapshot): its vector is then allocated once at its size
    // instead of growing by doubling (which holds the old and the new buffer at once). A hint
    // only: 0 = unknown, and it never goes beyond Limits::maxRecords.
    virtual std::size_t expectedRecords(std::string_view /*name*/) const { return 0; }
};
DecodeResult decodeDocument(TextSource& text, const Limits& limits = {});
DecodeResult decodeDocument(const json&);               // already parsed (no limits pass)
// Text overloads so a std::string never converts to json (which would skip the limits).
DecodeResult decodeDocument(const std::string& text, const Limits& limits = {});
DecodeResult decodeDocument(const char* text, const Limits& limits = {});

// Checks text against the limits without building a DOM. "" when within them.
std::string checkLimits(std::string_view text, const Limits& limits = {});

// Brings an older document (json form) to kFormatVersion in place; "" or an error.
std::string migrateDocument(json& doc, int& fromVersion);

// One record in the same JSON form the document uses (commands, the journal and sync reuse
// it). `full` writes every field, defaults included (what *.set edits). decodeRecord fills a
// default-constructed record, validates every field and names `path` in errors.
json encodeRecord(const Stage&, bool full = false);
json encodeRecord(const Pipeline&, bool full = false);
json encodeRecord(const Member&, bool full = false);
json encodeRecord(const Customer&, bool full = false);
json encodeRecord(const Contact&, bool full = false);
json encodeRecord(const Objection&, bool full = false);
json encodeRecord(const Deal&, bool full = false);
json encodeRecord(const Activity&, bool full = false);
json encodeRecord(const Change&, bool full = false);
json encodeRecord(const Settings&, bool full = true);
bool decodeRecord(const json&, Stage&, std::string& error, const std::string& path);
bool decodeRecord(const json&, Pipeline&, std::string& error, const std::string& path);
bool decodeRecord(const json&, Member&, std::string& error, const std::string& path);
bool decodeRecord(const json&, Customer&, std::string& error, const std::string& path);
bool decodeRecord(const json&, Contact&, std::string& error, const std::string& path);
bool decodeRecord(const json&, Objection&, std::string& error, const std::string& path);
bool decodeRecord(const json&, Deal&, std::string& error, const std::string& path);
bool decodeRecord(const json&, Activity&, std::string& error, const std::string& path);
bool decodeRecord(const json&, Change&, std::string& error, const std::string& path);
bool decodeRecord(const json&, Settings&, std::string& error, const std::string& path);

// dump() that cannot throw: invalid UTF-8 (which decode never lets in) is replaced.
std::string dumpJson(const json&, int indent = -1);

}  // namespace funnel
