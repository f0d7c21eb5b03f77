// Funnel — the headless frame loop (see headless_app.h).
#include "headless_app.h"

namespace funnel::test {

HeadlessApp::HeadlessApp(Document doc, const std::string& lang, ImVec2 displaySize, Time now)
    : ctx_(ImGui::CreateContext()), ws_(std::move(doc)), app_(ws_) {
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;
    io.LogFilename = nullptr;
    io.DisplaySize = displaySize;
    io.DeltaTime = 1.0f / 60.0f;
    io.BackendFlags |= ImGuiBackendFlags_RendererHasTextures;
    io.Fonts->AddFontDefault();
    app_.setLanguage(lang);
    app_.setClock(now, 0);
}

HeadlessApp::~HeadlessApp() { ImGui::DestroyContext(ctx_); }

void HeadlessApp::frame(Time now) {
    app_.setClock(now, 0);
    ImGui::NewFrame();
    app_.draw();
    ImGui::Render();
    for (ImTextureData* tex : ImGui::GetPlatformIO().Textures) {
        if (tex->Status == ImTextureStatus_WantCreate || tex->Status == ImTextureStatus_WantUpdates) {
            tex->SetTexID(static_cast<ImTextureID>(1));
            tex->SetStatus(ImTextureStatus_OK);
        } else if (tex->Status == ImTextureStatus_WantDestroy && tex->UnusedFrames > 0) {
            tex->SetTexID(ImTextureID_Invalid);
            tex->SetStatus(ImTextureStatus_Destroyed);
        }
    }
    CommandContext cc;
    cc.now = now;
    cc.actor = ws_.document().settings.me;
    app_.applyFrame(cc);
}

}  // namespace funnel::test
