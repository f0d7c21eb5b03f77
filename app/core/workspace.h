// Funnel — a Workspace is the open document with its undo history and the commands waiting to
// be applied or saved. Views queue commands during a frame; the platform calls
// applyQueued() once after the UI pass, then hands takeUnsaved() to storage.
#pragma once

#include <functional>
#include <vector>

#include "command.h"
#include "model.h"

namespace funnel {

class Workspace {
public:
    Workspace();
    explicit Workspace(Document doc);

    const Document& document() const { return doc_; }

    // Views call this; nothing changes until applyQueued().
    void queue(json command) { queued_.push_back(std::move(command)); }
    // Applies the queued commands in order through the history (undoable). Returns the results.
    std::vector<CommandResult> applyQueued(const CommandContext& ctx);

    // Immediate forms for the automation API and tests.
    CommandResult perform(const json& command, const CommandContext& ctx);
    CommandResult undo(const CommandContext& ctx);
    CommandResult redo(const CommandContext& ctx);
    bool canUndo() const { return history_.canUndo(); }
    bool canRedo() const { return history_.canRedo(); }
    void breakCoalescing() { history_.breakCoalescing(); }

    // Applies a command that does not enter the undo history (replaying a journal, another tab's
    // change, a merge). It is not added to the unsaved list either.
    CommandResult applyExternal(const json& command, const CommandContext& ctx);
    // Replaces the whole document (load, import of a verified file); clears the history.
    void reset(Document doc);

    // Applied commands not yet handed to storage, oldest first; emptied by the call.
    std::vector<json> takeUnsaved();
    bool hasUnsaved() const { return !unsaved_.empty(); }
    // Grows by one on every change; views cache derived data (indexes, totals) per revision.
    std::uint64_t revision() const { return revision_; }

private:
    Document doc_;
    History history_;
    std::vector<json> queued_;
    std::vector<json> unsaved_;
    std::uint64_t revision_ = 0;
};

}  // namespace funnel
