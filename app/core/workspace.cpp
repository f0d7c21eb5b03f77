// Funnel — the Workspace: the open document, its undo history, the frame's queued commands and
// the applied commands storage has not taken yet.
#include "core/workspace.h"

namespace funnel {

Workspace::Workspace() : doc_(makeDefaultDocument(0)) {}

Workspace::Workspace(Document doc) : doc_(std::move(doc)) {}

std::vector<CommandResult> Workspace::applyQueued(const CommandContext& ctx) {
    std::vector<json> queued;
    queued.swap(queued_);  // commands queued while applying wait for the next frame
    std::vector<CommandResult> results;
    results.reserve(queued.size());
    for (const json& c : queued) results.push_back(perform(c, ctx));
    return results;
}

CommandResult Workspace::perform(const json& command, const CommandContext& ctx) {
    CommandResult r = history_.perform(doc_, command, ctx);
    if (r.ok) {
        unsaved_.push_back(r.applied);
        ++revision_;
    }
    return r;
}

CommandResult Workspace::undo(const CommandContext& ctx) {
    CommandResult r = history_.undo(doc_, ctx);
    if (r.ok) {
        unsaved_.push_back(r.applied);
        ++revision_;
    }
    return r;
}

CommandResult Workspace::redo(const CommandContext& ctx) {
    CommandResult r = history_.redo(doc_, ctx);
    if (r.ok) {
        unsaved_.push_back(r.applied);
        ++revision_;
    }
    return r;
}

CommandResult Workspace::applyExternal(const json& command, const CommandContext& ctx) {
    CommandResult r = applyCommand(doc_, command, ctx);
    if (r.ok) {
        history_.breakCoalescing();
        ++revision_;
    }
    return r;
}

void Workspace::reset(Document doc) {
    doc_ = std::move(doc);
    history_.clear();
    queued_.clear();
    unsaved_.clear();
    ++revision_;
}

std::vector<json> Workspace::takeUnsaved() {
    std::vector<json> out;
    out.swap(unsaved_);
    return out;
}

}  // namespace funnel
