// Funnel — the domain model: the records a sales team keeps (see shared PRODUCT.md).
//
// Plain data, no behaviour beyond lookups. Everything that changes a Document goes through
// applyCommand() in command.h; everything that reads or writes JSON lives in codec.h.
// Ids are stable random strings (10 base-62 characters, ~59.5 bits: they fit the small-string
// buffer of both libstdc++ and wasm32 libc++, so 100k-deal documents hold no heap block per id); times are UTC milliseconds since the epoch,
// calendar dates are days since 1970-01-01 (the user's zone is applied only for display).
// Each record keeps the JSON fields this version does not know in `extra`, so a document
// written by a newer Funnel survives a round trip through an older one.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace funnel {

using json = nlohmann::ordered_json;
using Id = std::string;        // 10 characters [0-9A-Za-z]; "" = none
using Time = std::int64_t;     // UTC milliseconds since 1970-01-01T00:00:00Z; 0 = unset
using Date = std::int32_t;     // days since 1970-01-01; kNoDate = unset
inline constexpr Date kNoDate = INT32_MIN;

// Text in several languages, keyed by "en", "zh-Hans", "zh-Hant", "ko". Lookups fall back to
// "en", then to any language present, so a stage renamed only in Korean still has a name.
struct LocalText {
    std::map<std::string, std::string> byLang;
    const std::string& get(const std::string& lang) const;
    bool operator==(const LocalText&) const = default;
};

// [SECTION] Process: pipelines and stages
struct Stage {
    Id id;
    LocalText name;
    int probability = 0;              // 0..100, default win probability of deals here
    int rottingDays = 0;              // 0 = never rots; else idle days before a deal is flagged
    std::vector<std::string> playbook; // checklist of what to do in this stage
    json extra;  // fields this version does not know (null when none: no allocation per record)
    bool operator==(const Stage&) const = default;
};

struct Pipeline {
    Id id;
    LocalText name;
    std::vector<Stage> stages;        // in board order; the last stage is normally "Won"
    json extra;  // fields this version does not know (null when none: no allocation per record)
    const Stage* findStage(const Id& stageId) const;
    Stage* findStage(const Id& stageId);
    bool operator==(const Pipeline&) const = default;
};

// [SECTION] People
struct Member {                       // a rep or manager of the team
    Id id;
    std::string name;
    std::string initials;             // shown on cards; derived from name when empty
    std::string role = "rep";         // "rep" | "manager"
    json extra;  // fields this version does not know (null when none: no allocation per record)
    bool operator==(const Member&) const = default;
};

enum class Grade { A, B, C, D };      // A = ready to buy; B/C/D = nurture at a cadence

enum class LeadSource {
    Unknown, Website, Content, Social, Search,            // inbound
    Phone, Email, DirectMail, Exhibition, Ads,            // outbound
    Referral                                              // from another customer (referredBy)
};

struct CustomerProfile {              // what the seeds insist a rep remembers
    std::string family, hobbies, education, birthday, title, achievements;
    json extra;  // fields this version does not know (null when none: no allocation per record)
    bool operator==(const CustomerProfile&) const = default;
};

struct Customer {
    Id id;
    std::string name, industry, region, address, website, phone, size;
    Grade grade = Grade::C;
    LeadSource source = LeadSource::Unknown;
    Id referredBy;                    // customer id when source == Referral
    std::vector<std::string> tags;
    std::string notes;
    CustomerProfile profile;
    Id owner;                         // member id
    Time createdAt = 0;
    bool deleted = false;             // soft delete: restorable, hidden from views
    json extra;  // fields this version does not know (null when none: no allocation per record)
    bool operator==(const Customer&) const = default;
};

enum class ContactLevel { Operational, Management, Decision };
enum class BuyingRole { Unknown, DecisionMaker, User, TechnicalGatekeeper, FinancialGatekeeper, Purchasing, Coach };
enum class Attitude { Neutral, Supporter, Opponent };

struct Contact {
    Id id;
    Id customerId;
    // phone, email: one value per line; messenger: one "wechat:<id>", "kakao:<id>" or "line:<id>" per line
    std::string name, title, phone, email, messenger;
    std::string notes;
    ContactLevel level = ContactLevel::Operational;
    BuyingRole role = BuyingRole::Unknown;
    Attitude attitude = Attitude::Neutral;
    bool deleted = false;
    json extra;  // fields this version does not know (null when none: no allocation per record)
    bool operator==(const Contact&) const = default;
};

// [SECTION] Deals
enum class DealStatus { Open, Won, Lost, Suspended };

enum class ObjectionCategory { Price, Function, AfterSales, Competitor, ResourceSupport, Guarantee, Other };

struct Objection {
    Id id;
    ObjectionCategory category = ObjectionCategory::Other;
    std::string text;
    bool resolved = false;
    json extra;  // fields this version does not know (null when none: no allocation per record)
    bool operator==(const Objection&) const = default;
};

struct KeyInfo {                      // the key information the seeds list
    std::string schedule, budget, requirement, decisionProcess, competition, evaluationItems;
    json extra;  // fields this version does not know (null when none: no allocation per record)
    bool operator==(const KeyInfo&) const = default;
};

struct Qualification {                // MAN / BANT
    bool money = false, authority = false, need = false, timing = false;
    std::string notes;
    json extra;  // fields this version does not know (null when none: no allocation per record)
    bool operator==(const Qualification&) const = default;
};

struct StageEntry {                   // the deal entered `stageId` at `at`
    Id stageId;
    Time at = 0;
    json extra;  // fields this version does not know (null when none: no allocation per record)
    bool operator==(const StageEntry&) const = default;
};

struct Deal {
    Id id;
    std::string title;
    Id customerId;
    Id pipelineId, stageId;
    double value = 0;                 // in `currency`
    std::string currency = "CNY";     // ISO 4217
    std::optional<int> probability;   // overrides the stage default when set (0..100)
    Date expectedClose = kNoDate;
    Id owner;                         // member id
    DealStatus status = DealStatus::Open;
    std::string lostReason;
    Date suspendedUntil = kNoDate;    // revisit date of a suspended deal
    Time closedAt = 0;                // when won or lost
    std::vector<std::string> labels;
    std::string nextStep;
    Date nextStepDue = kNoDate;
    KeyInfo key;
    Qualification qualification;
    std::vector<std::string> competitors;
    std::vector<Objection> objections;
    std::vector<StageEntry> stageHistory;   // oldest first; back moves are recorded too
    std::map<std::string, bool> checklist;  // playbook item text -> done, for the current stage
    std::vector<Id> contactIds;             // contacts involved in this deal
    double cost = 0;                        // order cost, for the cost-rate KPI
    bool repurchase = false;                // a repeat order from an existing customer
    bool renewal = false;                   // a renewal of an earlier contract
    Time createdAt = 0, updatedAt = 0;
    Time lastActivityAt = 0;                // last done activity (for rotting)
    int order = 0;                          // position within its column (ascending)
    bool deleted = false;
    json extra;  // fields this version does not know (null when none: no allocation per record)
    bool operator==(const Deal&) const = default;
};

// [SECTION] Activities
enum class ActivityKind { Call, Visit, Meeting, Email, Message, Demo, QuoteSent, Gift, Event, AfterSales };

struct Activity {
    Id id;
    Id dealId;                        // may be empty for a customer-level activity
    Id customerId;
    ActivityKind kind = ActivityKind::Call;
    std::string subject, outcome;
    Time due = 0;                     // planned for
    Time doneAt = 0;                  // 0 = still planned
    bool advanced = false;            // the customer acted: demo agreed, meeting with a higher KP, …
    int durationMinutes = 0;          // a meeting's or visit's length; 0 = not said
    std::vector<Id> contactIds;       // the customer's people it is with
    std::string notes;                // what to prepare or bring (the outcome is what happened)
    Id owner;
    bool deleted = false;
    json extra;  // fields this version does not know (null when none: no allocation per record)
    bool operator==(const Activity&) const = default;
};

// [SECTION] Change history (per record: who, when, what)
struct Change {
    Time at = 0;
    Id by;                            // member id ("" = unknown)
    std::string entity;               // "deal" | "customer" | "contact" | "activity" | …
    Id id;
    std::string what;                 // human-readable description from the command
    json extra;  // fields this version does not know (null when none: no allocation per record)
    bool operator==(const Change&) const = default;
};

// [SECTION] Settings
struct Settings {
    std::string displayCurrency = "CNY";
    std::map<std::string, double> rates;             // units of displayCurrency per 1 unit of key
    std::map<std::string, int> cadenceDays = {{"A", 7}, {"B", 14}, {"C", 30}, {"D", 90}};
    std::vector<int> afterSalesDays = {7, 30, 90};   // follow-ups scheduled when a deal is won
    double outOfFunnelThreshold = 0;                 // deals below this (display currency) are kept out
    Id me;                                           // member id of this device's user
    Id defaultPipeline;
    std::string language;                            // "" = from the browser
    std::string theme = "light";                     // "light" | "dark" | "system" (new documents)
    std::map<std::string, double> targets;           // "<memberId>:<YYYY-MM>" -> target value
    json extra;  // fields this version does not know (null when none: no allocation per record)
    bool operator==(const Settings&) const = default;
};

// [SECTION] The document
inline constexpr const char* kFormatName = "funnel";
inline constexpr int kFormatVersion = 1;

struct Document {
    Settings settings;
    std::vector<Pipeline> pipelines;
    std::vector<Member> members;
    std::vector<Customer> customers;
    std::vector<Contact> contacts;
    std::vector<Deal> deals;
    std::vector<Activity> activities;
    std::vector<Change> changes;
    json extra;                       // unknown top-level fields (null when none)

    // Lookups by id (linear in the size of the collection is fine for single lookups; views
    // that need many lookups build their own index for the frame).
    const Pipeline* findPipeline(const Id&) const;
    const Customer* findCustomer(const Id&) const;
    const Contact* findContact(const Id&) const;
    const Deal* findDeal(const Id&) const;
    const Activity* findActivity(const Id&) const;
    const Member* findMember(const Id&) const;
    Pipeline* findPipeline(const Id&);
    Customer* findCustomer(const Id&);
    Contact* findContact(const Id&);
    Deal* findDeal(const Id&);
    Activity* findActivity(const Id&);
    Member* findMember(const Id&);

    // Effective probability of a deal: its override, else its stage's default, else 0.
    int probabilityOf(const Deal&) const;
    bool operator==(const Document&) const = default;
};

// A new document holding the default pipeline of PRODUCT.md (7 stages with names in the four
// languages and default probabilities), one member ("me") and default settings.
// The playbook checklists are written in `lang` (en, zh-Hans, zh-Hant, ko; others: en).
Document makeDefaultDocument(Time now, const Id& pipelineId = "p-default", const std::string& lang = "en");

// First start: the display currency of the language (ko → KRW, zh-Hant → TWD, zh-Hans → CNY,
// en → USD) and approximate starting rates in it; changeable in Settings like any setting.
void useCurrencyOf(Settings& settings, const std::string& lang);

// Random 10-character base-62 id from a process-wide generator (seeded from std::random_device).
Id idFromBits(std::uint64_t bits);  // the same spelling for a given 64-bit value (demo data)
Id newId();

// Dates and times
Date dateFromTime(Time t, int utcOffsetMinutes = 0);
Time timeFromDate(Date d, int utcOffsetMinutes = 0);   // local midnight of `d`, as UTC
Date makeDate(int year, int month, int day);           // proleptic Gregorian, month 1..12
void splitDate(Date d, int& year, int& month, int& day);
inline constexpr Time kMsPerDay = 86'400'000;
std::string formatDate(Date d);                 // "YYYY-MM-DD"
std::optional<Date> parseDate(const std::string&);
std::string formatTime(Time t);                 // "YYYY-MM-DDTHH:MM:SS.mmmZ"
std::optional<Time> parseTime(const std::string&);

// Enum names as they appear in JSON ("A", "referral", "decisionMaker", "won", …).
const char* toString(Grade);
const char* toString(LeadSource);
const char* toString(ContactLevel);
const char* toString(BuyingRole);
const char* toString(Attitude);
const char* toString(DealStatus);
const char* toString(ObjectionCategory);
const char* toString(ActivityKind);
bool fromString(const std::string&, Grade&);
bool fromString(const std::string&, LeadSource&);
bool fromString(const std::string&, ContactLevel&);
bool fromString(const std::string&, BuyingRole&);
bool fromString(const std::string&, Attitude&);
bool fromString(const std::string&, DealStatus&);
bool fromString(const std::string&, ObjectionCategory&);
bool fromString(const std::string&, ActivityKind&);

}  // namespace funnel
