// Funnel — the App: routes to the screens and draws them (stub until the views land).
#include "ui/app.h"

#include <imgui.h>

namespace funnel::ui {

App::App(Workspace& workspace) : ws_(workspace) {}

void App::setLanguage(const std::string& lang) {
    lang_ = (lang == "zh-Hans" || lang == "zh-Hant" || lang == "ko") ? lang : "en";
}

void App::setDarkTheme(bool dark) { dark_ = dark; }

void App::open(const std::string& route) { route_ = route; }

void App::draw() {
    rects_.clear();
    ImGui::Begin("Board");
    ImGui::TextUnformatted("Funnel");
    ImGui::End();
}

}  // namespace funnel::ui
