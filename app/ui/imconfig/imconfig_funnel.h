// Funnel's Dear ImGui configuration (IMGUI_USER_CONFIG). Included by every ImGui source.
#pragma once

#define IMGUI_DISABLE_OBSOLETE_FUNCTIONS
#define IMGUI_DISABLE_DEMO_WINDOWS
#define IMGUI_DISABLE_DEBUG_TOOLS

// A failed ImGui assertion calls funnelImAssertFailed (imgui_assert.cpp beside this file): it aborts in the
// app and throws in the headless UI tests, so misuse fails a test instead of killing it.
void funnelImAssertFailed(const char* expr, const char* file, int line);
#define IM_ASSERT(_EXPR) ((_EXPR) ? (void)0 : funnelImAssertFailed(#_EXPR, __FILE__, __LINE__))

// Not the ImGui test engine: its item hooks (ItemInfo) give each widget's label, which names the
// item in the screen-reader tree (item_labels.cpp beside this file; ViewContext::record).
#define IMGUI_ENABLE_TEST_ENGINE
// The visible part of the label of the widget `id` drawn last ("Share" of "Share###share"), or
// nullptr when the last labelled widget was another one; `status` gets its ImGuiItemStatusFlags
// as the widget told them (Checkable, Checked for a checkbox or radio).
const char* funnelItemLabel(unsigned int id, int* status = nullptr);
