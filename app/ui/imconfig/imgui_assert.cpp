// Where a failed IM_ASSERT lands (see imconfig_funnel.h). Headless UI tests replace the
// handler so a misuse of ImGui fails the test with its expression and place.
#include <cstdio>
#include <cstdlib>

#include "assert_handler.h"

namespace {
funnel::ui::AssertHandler g_handler = nullptr;
}

void funnel::ui::setAssertHandler(AssertHandler h) { g_handler = h; }

void funnelImAssertFailed(const char* expr, const char* file, int line) {
    if (g_handler) {
        g_handler(expr, file, line);
        return;
    }
    std::fprintf(stderr, "ImGui assertion failed: %s (%s:%d)\n", expr, file, line);
    std::abort();
}
