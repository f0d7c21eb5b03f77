// ImGui's test-engine item hooks (IMGUI_ENABLE_TEST_ENGINE in imconfig_funnel.h), used only to
// keep the label of the last labelled widget: the screen-reader tree names a recorded button or
// field by it (ViewContext::record). Enabled per frame by App::draw (TestEngineHookItems).
#include <cstring>

#include "imgui.h"
#include "imgui_internal.h"

namespace {
ImGuiID g_id = 0;
ImGuiItemStatusFlags g_status = 0;
char g_label[256] = "";
}  // namespace

void ImGuiTestEngineHook_ItemAdd(ImGuiContext*, ImGuiID, const ImRect&, const ImGuiLastItemData*) {}

void ImGuiTestEngineHook_ItemInfo(ImGuiContext*, ImGuiID id, const char* label, ImGuiItemStatusFlags status) {
    if (!label) return;
    // "Text###id" and "Text##id" show "Text".
    const char* end = std::strstr(label, "##");
    std::size_t n = end ? static_cast<std::size_t>(end - label) : std::strlen(label);
    if (n >= sizeof g_label) n = sizeof g_label - 1;
    std::memcpy(g_label, label, n);
    g_label[n] = '\0';
    g_id = id;
    g_status = status;
}

void ImGuiTestEngineHook_Log(ImGuiContext*, const char*, ...) {}

const char* ImGuiTestEngine_FindItemDebugLabel(ImGuiContext*, ImGuiID) { return nullptr; }

const char* funnelItemLabel(unsigned int id, int* status) {
    if (id == 0 || id != g_id) return nullptr;
    if (status) *status = g_status;
    return g_label;
}
