// Replaceable handler for failed ImGui assertions (IM_ASSERT in imconfig_funnel.h).
#pragma once

namespace funnel::ui {
using AssertHandler = void (*)(const char* expr, const char* file, int line);
void setAssertHandler(AssertHandler handler);  // nullptr restores print + abort
}  // namespace funnel::ui

void funnelImAssertFailed(const char* expr, const char* file, int line);
