// Funnel — commands: the one way a Document changes.
//
// A command is a JSON object {"op": "...", ...} — the same form the automation API
// (window.funnel.command), the undo stack and the storage journal use. applyCommand()
// validates it against the document and either changes nothing and returns an error, or
// applies it and returns:
//   - `applied`: the command made deterministic (generated ids and timestamps filled in),
//     so replaying it on the same document gives the same result (the journal stores this);
//   - `inverse`: a command that undoes it;
//   - `description`: a short English description for the change history.
//
// Ops (see docs/FORMAT.md for every field):
//   customer.create {fields…}            customer.set {id, field, value}   customer.delete / customer.restore {id, records?}
//   customer.merge  {id, from}           (from's deals, contacts, activities move to id; from is deleted)
//   contact.create  {customerId, …}      contact.set  {id, field, value}   contact.delete / contact.restore {id}
//   deal.create     {title, customerId, pipelineId?, stageId?, value?, currency?, …}
//   deal.set        {id, field, value}   (every *.set: `field` may be a path into a nested object, "key.budget")
//     deal.move {id, stageId, index?}   deal.reorder {id, index}
//   deal.win {id}   deal.lose {id, reason}   deal.suspend {id, until}   deal.reopen {id}
//   deal.delete / deal.restore {id}
//   deal.objection.add {dealId, category, text} / .set {dealId, id, field, value} / .remove {dealId, id}
//   activity.create {dealId?, customerId?, kind, subject, due?, doneAt?, advanced?}
//   activity.set {id, field, value}   activity.complete {id, outcome?, advanced?}   activity.delete / activity.restore {id}
//   pipeline.create / pipeline.set / pipeline.delete, stage.create / stage.set / stage.move / stage.delete
//   member.create / member.set / member.delete, settings.set {field, value}
//   document.replace {document}  (import; undoable like any other command)
#pragma once

#include <string>

#include "model.h"

namespace funnel {

// Who and when a command runs; ids are drawn from `newId` unless the command names them.
struct CommandContext {
    Time now = 0;
    Id actor;                 // member id recorded in the change history
};

struct CommandResult {
    bool ok = false;
    std::string error;        // "deal 1a2b…: unknown id", "value: expected a number ≥ 0", …
    json applied;             // deterministic form of the command (ids, times filled in)
    json inverse;             // undoes `applied`
    json result;              // what the caller may want back, e.g. {"id": "…"} of a created record
    std::string description;  // for the change history, e.g. "moved to Proposal"
};

CommandResult applyCommand(Document& doc, const json& command, const CommandContext& ctx);

// Undo/redo stack. Consecutive `*.set` commands on the same record and field within
// `coalesceMs` are one step (typing into a field); a drag is one command when it drops.
class History {
public:
    explicit History(Time coalesceMs = 2000) : coalesceMs_(coalesceMs) {}

    // Apply and record. Commands replayed from a merge or a journal go through applyCommand()
    // directly and never enter the history.
    CommandResult perform(Document& doc, const json& command, const CommandContext& ctx);
    CommandResult undo(Document& doc, const CommandContext& ctx);
    CommandResult redo(Document& doc, const CommandContext& ctx);
    bool canUndo() const { return !undo_.empty(); }
    bool canRedo() const { return !redo_.empty(); }
    // Ends the current coalescing run (e.g. when a text field loses focus).
    void breakCoalescing() { lastCoalesceKey_.clear(); }
    void clear();

private:
    struct Step { json applied, inverse; std::string description; };
    std::vector<Step> undo_, redo_;
    Time coalesceMs_;
    std::string lastCoalesceKey_;
    Time lastCoalesceAt_ = 0;
};

}  // namespace funnel
