// Funnel's Dear ImGui configuration (IMGUI_USER_CONFIG). Included by every ImGui source.
#pragma once

#define IMGUI_DISABLE_OBSOLETE_FUNCTIONS
#define IMGUI_DISABLE_DEMO_WINDOWS
#define IMGUI_DISABLE_DEBUG_TOOLS

// A failed ImGui assertion calls funnelImAssertFailed (imgui_assert.cpp beside this file): it aborts in the
// app and throws in the headless UI tests, so misuse fails a test instead of killing it.
void funnelImAssertFailed(const char* expr, const char* file, int line);
#define IM_ASSERT(_EXPR) ((_EXPR) ? (void)0 : funnelImAssertFailed(#_EXPR, __FILE__, __LINE__))
