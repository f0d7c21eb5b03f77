// Funnel — app/core stays pure: no header or source there includes ImGui or Emscripten.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {
namespace fs = std::filesystem;

// The include directives of a file that name a UI or browser dependency.
std::vector<std::string> forbiddenIncludes(const std::string& source) {
    std::vector<std::string> found;
    std::istringstream in(source);
    std::string line;
    while (std::getline(in, line)) {
        const auto hash = line.find_first_not_of(" \t");
        if (hash == std::string::npos || line[hash] != '#') continue;
        if (line.find("include", hash) == std::string::npos) continue;
        for (const char* bad : {"imgui", "emscripten", "GLFW", "SDL", "html5.h"})
            if (line.find(bad) != std::string::npos) {
                found.push_back(line);
                break;
            }
    }
    return found;
}

fs::path coreDir() {
    return fs::path(FUNNEL_SOURCE_DIR) / "app" / "core";
}
}  // namespace

TEST_CASE("the include scanner finds what it must") {
    CHECK(forbiddenIncludes("#include <imgui.h>\n").size() == 1);
    CHECK(forbiddenIncludes("  #  include \"emscripten/html5.h\"\n").size() == 1);
    CHECK(forbiddenIncludes("#include <nlohmann/json.hpp>\n#include \"core/model.h\"\n").empty());
    CHECK(forbiddenIncludes("// imgui is not used here\n").empty());
}

TEST_CASE("no file in app/core includes ImGui or Emscripten") {
    const fs::path dir = coreDir();
    REQUIRE_MESSAGE(fs::exists(dir / "model.h"), dir.string());
    int files = 0;
    for (const auto& entry : fs::directory_iterator(dir)) {
        const std::string ext = entry.path().extension().string();
        if (ext != ".h" && ext != ".cpp") continue;
        std::ifstream in(entry.path());
        std::stringstream text;
        text << in.rdbuf();
        CAPTURE(entry.path().string());
        CHECK(forbiddenIncludes(text.str()).empty());
        ++files;
    }
    CHECK(files >= 8);  // model, command, workspace, codec, metrics, demo (.h and .cpp)
}
