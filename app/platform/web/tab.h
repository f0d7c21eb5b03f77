// Funnel in a browser tab: the one running instance the html5 callbacks, the automation API
// (window.funnel) and the frame loop share. Only app/platform/web includes this.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/workspace.h"
#include "ui/app.h"

namespace funnel::web {

struct FrameStats {
    std::uint64_t frames = 0;   // frames drawn since start
    double lastFrameMs = 0;     // CPU time of the last frame (NewFrame .. GL submit)
    double firstFrameMs = 0;    // page navigation start to the end of the first frame
    std::vector<float> recentMs;// CPU ms of the frames since the last funnel.frameTimes(true)
};

struct Tab {
    Workspace workspace;
    ui::App app{workspace};
    FrameStats stats;
    bool started = false;       // first frame drawn (window.funnel.ready resolved)
    bool documentLoaded = false;// storage answered: the document is the user's (or the default)
    std::string storageError;   // user-facing key when storage is unavailable ("" = fine)
};

Tab& tab();

// Ask for frames: draws `frames` more frames (at least), one per animation frame. Input,
// fonts arriving, API calls and storage news call this; nothing draws otherwise.
void wake(int frames = 3);

// Draws one frame now, inside the current event handler (if the app is running). Copy and cut
// use it so ImGui has put the selection on the clipboard before the DOM copy event asks.
void drawNow();

// Hands what the workspace applied since the last call (edits, merges) to storage now, also
// outside a frame (a sync's merge in a hidden tab, which gets no animation frames).
void persistUnsaved();

// The context commands run with: now and this device's member.
CommandContext commandContext();

// UI language chosen by ?lang= or window.funnel.setLanguage; "" = the document's or the browser's.
void setLanguageOverride(const std::string& lang);

}  // namespace funnel::web
