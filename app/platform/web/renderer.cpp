// The WebGL2 renderer (see renderer.h).
#include "platform/web/renderer.h"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>

#include <GLES3/gl3.h>

namespace funnel::web {
namespace {

struct Renderer {
    GLuint program = 0;
    GLint projection = -1;
    GLint texture = -1;
    GLuint vertexArray = 0;
    GLuint vertices = 0, indices = 0;
    ImVector<ImDrawVert> vtx;   // the frame's vertices and indices, all lists one after another
    ImVector<ImDrawIdx> idx;
};

Renderer& renderer() {
    static Renderer r;
    return r;
}

constexpr const char* kVertexShader = R"(#version 300 es
precision highp float;
layout (location = 0) in vec2 Position;
layout (location = 1) in vec2 UV;
layout (location = 2) in vec4 Color;
uniform mat4 ProjMtx;
out vec2 Frag_UV;
out vec4 Frag_Color;
void main() {
    Frag_UV = UV;
    Frag_Color = Color;
    gl_Position = ProjMtx * vec4(Position.xy, 0, 1);
}
)";

constexpr const char* kFragmentShader = R"(#version 300 es
precision mediump float;
uniform sampler2D Texture;
in vec2 Frag_UV;
in vec4 Frag_Color;
layout (location = 0) out vec4 Out_Color;
void main() {
    Out_Color = Frag_Color * texture(Texture, Frag_UV.st);
}
)";

GLuint compile(GLenum kind, const char* source) {
    GLuint shader = glCreateShader(kind);
    glShaderSource(shader, 1, &source, nullptr);
    glCompileShader(shader);
    GLint ok = 0;
    glGetShaderiv(shader, GL_COMPILE_STATUS, &ok);
    if (!ok) {
        char log[512] = {};
        glGetShaderInfoLog(shader, sizeof log, nullptr, log);
        std::fprintf(stderr, "renderer: shader does not compile: %s\n", log);
        glDeleteShader(shader);
        return 0;
    }
    return shader;
}

void updateTexture(ImTextureData* tex) {
    if (tex->Status == ImTextureStatus_WantCreate) {
        IM_ASSERT(tex->Format == ImTextureFormat_RGBA32);
        GLuint id = 0;
        glGenTextures(1, &id);
        glBindTexture(GL_TEXTURE_2D, id);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
        glPixelStorei(GL_UNPACK_ROW_LENGTH, 0);
        glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA, tex->Width, tex->Height, 0, GL_RGBA, GL_UNSIGNED_BYTE, tex->GetPixels());
        tex->SetTexID(static_cast<ImTextureID>(id));
        tex->SetStatus(ImTextureStatus_OK);
    } else if (tex->Status == ImTextureStatus_WantUpdates) {
        // Only regions never drawn from before are written (ImGui's guarantee): no stall.
        glBindTexture(GL_TEXTURE_2D, static_cast<GLuint>(tex->TexID));
        glPixelStorei(GL_UNPACK_ROW_LENGTH, tex->Width);
        for (const ImTextureRect& r : tex->Updates)
            glTexSubImage2D(GL_TEXTURE_2D, 0, r.x, r.y, r.w, r.h, GL_RGBA, GL_UNSIGNED_BYTE, tex->GetPixelsAt(r.x, r.y));
        glPixelStorei(GL_UNPACK_ROW_LENGTH, 0);
        tex->SetStatus(ImTextureStatus_OK);
    } else if (tex->Status == ImTextureStatus_WantDestroy && tex->UnusedFrames > 0) {
        const GLuint id = static_cast<GLuint>(tex->TexID);
        glDeleteTextures(1, &id);
        tex->SetTexID(ImTextureID_Invalid);
        tex->SetStatus(ImTextureStatus_Destroyed);
    }
}

// The vertex layout, starting `firstVertex` vertices into the vertex buffer: WebGL2 has no
// base-vertex draw, so a draw command's VtxOffset moves the attribute pointers instead.
void pointAttributes(std::size_t firstVertex) {
    const std::size_t base = firstVertex * sizeof(ImDrawVert);
    auto at = [&](std::size_t field) { return reinterpret_cast<const void*>(base + field); };
    glVertexAttribPointer(0, 2, GL_FLOAT, GL_FALSE, sizeof(ImDrawVert), at(offsetof(ImDrawVert, pos)));
    glVertexAttribPointer(1, 2, GL_FLOAT, GL_FALSE, sizeof(ImDrawVert), at(offsetof(ImDrawVert, uv)));
    glVertexAttribPointer(2, 4, GL_UNSIGNED_BYTE, GL_TRUE, sizeof(ImDrawVert), at(offsetof(ImDrawVert, col)));
}

void setUpState(const ImDrawData* data, int fbWidth, int fbHeight) {
    Renderer& r = renderer();
    glEnable(GL_BLEND);
    glBlendEquation(GL_FUNC_ADD);
    glBlendFuncSeparate(GL_SRC_ALPHA, GL_ONE_MINUS_SRC_ALPHA, GL_ONE, GL_ONE_MINUS_SRC_ALPHA);
    glDisable(GL_CULL_FACE);
    glDisable(GL_DEPTH_TEST);
    glDisable(GL_STENCIL_TEST);
    glEnable(GL_SCISSOR_TEST);
    glViewport(0, 0, fbWidth, fbHeight);
    const float L = data->DisplayPos.x, R = data->DisplayPos.x + data->DisplaySize.x;
    const float T = data->DisplayPos.y, B = data->DisplayPos.y + data->DisplaySize.y;
    const float ortho[4][4] = {
        {2.0f / (R - L), 0.0f, 0.0f, 0.0f},
        {0.0f, 2.0f / (T - B), 0.0f, 0.0f},
        {0.0f, 0.0f, -1.0f, 0.0f},
        {(R + L) / (L - R), (T + B) / (B - T), 0.0f, 1.0f},
    };
    glUseProgram(r.program);
    glUniform1i(r.texture, 0);
    glUniformMatrix4fv(r.projection, 1, GL_FALSE, &ortho[0][0]);
    glActiveTexture(GL_TEXTURE0);
    glBindVertexArray(r.vertexArray);
    glBindBuffer(GL_ARRAY_BUFFER, r.vertices);
}

}  // namespace

bool startRenderer() {
    Renderer& r = renderer();
    const GLuint vs = compile(GL_VERTEX_SHADER, kVertexShader);
    const GLuint fs = compile(GL_FRAGMENT_SHADER, kFragmentShader);
    if (!vs || !fs) return false;
    r.program = glCreateProgram();
    glAttachShader(r.program, vs);
    glAttachShader(r.program, fs);
    glLinkProgram(r.program);
    glDeleteShader(vs);
    glDeleteShader(fs);
    GLint linked = 0;
    glGetProgramiv(r.program, GL_LINK_STATUS, &linked);
    if (!linked) {
        std::fprintf(stderr, "renderer: shader program does not link\n");
        return false;
    }
    r.projection = glGetUniformLocation(r.program, "ProjMtx");
    r.texture = glGetUniformLocation(r.program, "Texture");

    // One vertex array for the page's life: the element buffer binding is part of it.
    glGenVertexArrays(1, &r.vertexArray);
    glGenBuffers(1, &r.vertices);
    glGenBuffers(1, &r.indices);
    glBindVertexArray(r.vertexArray);
    glBindBuffer(GL_ARRAY_BUFFER, r.vertices);
    glBindBuffer(GL_ELEMENT_ARRAY_BUFFER, r.indices);
    for (GLuint i = 0; i < 3; ++i) glEnableVertexAttribArray(i);
    glPixelStorei(GL_UNPACK_ALIGNMENT, 1);

    GLint maxTexture = 0;
    glGetIntegerv(GL_MAX_TEXTURE_SIZE, &maxTexture);
    ImGuiIO& io = ImGui::GetIO();
    io.BackendRendererName = "funnel_webgl2";
    io.BackendFlags |= ImGuiBackendFlags_RendererHasVtxOffset | ImGuiBackendFlags_RendererHasTextures;
    ImGuiPlatformIO& pio = ImGui::GetPlatformIO();
    pio.Renderer_TextureMaxWidth = pio.Renderer_TextureMaxHeight = maxTexture;
    return true;
}

void render(ImDrawData* data, int fbWidth, int fbHeight, ImVec4 background) {
    Renderer& r = renderer();
    if (data->Textures)
        for (ImTextureData* tex : *data->Textures)
            if (tex->Status != ImTextureStatus_OK) updateTexture(tex);
    glDisable(GL_SCISSOR_TEST);   // the whole framebuffer, whatever the last frame's clip was
    glViewport(0, 0, fbWidth, fbHeight);
    glClearColor(background.x, background.y, background.z, 1.0f);
    glClear(GL_COLOR_BUFFER_BIT);
    if (fbWidth <= 0 || fbHeight <= 0 || data->CmdListsCount == 0) return;
    setUpState(data, fbWidth, fbHeight);

    // All lists go into one vertex and one index buffer, uploaded with one call each (fresh
    // storage: nothing waits for the previous frame's draws). When every index fits, indices are
    // rebased to the whole buffer so the vertex layout is set once; otherwise (more than 65536
    // vertices with 16-bit indices) each list and VtxOffset points the attributes anew.
    const bool rebase = sizeof(ImDrawIdx) == 4 || data->TotalVtxCount <= 0x10000;
    r.vtx.resize(0);
    r.idx.resize(0);
    r.vtx.reserve(data->TotalVtxCount);
    r.idx.reserve(data->TotalIdxCount);
    for (const ImDrawList* list : data->CmdLists) {
        const std::size_t listVertex = std::size_t(r.vtx.Size);
        r.vtx.resize(r.vtx.Size + list->VtxBuffer.Size);
        std::memcpy(r.vtx.Data + listVertex, list->VtxBuffer.Data, std::size_t(list->VtxBuffer.Size) * sizeof(ImDrawVert));
        if (!rebase) {
            const int at = r.idx.Size;
            r.idx.resize(r.idx.Size + list->IdxBuffer.Size);
            std::memcpy(r.idx.Data + at, list->IdxBuffer.Data, std::size_t(list->IdxBuffer.Size) * sizeof(ImDrawIdx));
            continue;
        }
        for (const ImDrawCmd& cmd : list->CmdBuffer) {
            if (cmd.UserCallback) continue;
            const std::size_t base = listVertex + cmd.VtxOffset;
            const ImDrawIdx* from = list->IdxBuffer.Data + cmd.IdxOffset;
            const int at = r.idx.Size;
            r.idx.resize(r.idx.Size + int(cmd.ElemCount));
            ImDrawIdx* to = r.idx.Data + at;
            for (unsigned k = 0; k < cmd.ElemCount; ++k) to[k] = static_cast<ImDrawIdx>(from[k] + base);
        }
    }
    glBufferData(GL_ARRAY_BUFFER, GLsizeiptr(r.vtx.size_in_bytes()), r.vtx.Data, GL_STREAM_DRAW);
    glBufferData(GL_ELEMENT_ARRAY_BUFFER, GLsizeiptr(r.idx.size_in_bytes()), r.idx.Data, GL_STREAM_DRAW);

    const ImVec2 clipOff = data->DisplayPos, clipScale = data->FramebufferScale;
    std::size_t listVertex = 0, listIndex = 0;   // where the current list starts in the buffers (not rebased)
    std::size_t nextIndex = 0;                   // where the next command's indices are (rebased)
    std::size_t pointedAt = SIZE_MAX;            // first vertex the attributes point at now
    for (const ImDrawList* list : data->CmdLists) {
        for (const ImDrawCmd& cmd : list->CmdBuffer) {
            if (cmd.UserCallback) {
                if (cmd.UserCallback == ImDrawCallback_ResetRenderState) {
                    setUpState(data, fbWidth, fbHeight);
                    pointedAt = SIZE_MAX;
                } else {
                    cmd.UserCallback(list, &cmd);
                }
                continue;
            }
            const std::size_t first = rebase ? nextIndex : listIndex + cmd.IdxOffset;
            nextIndex += cmd.ElemCount;
            const ImVec2 clipMin((cmd.ClipRect.x - clipOff.x) * clipScale.x, (cmd.ClipRect.y - clipOff.y) * clipScale.y);
            const ImVec2 clipMax((cmd.ClipRect.z - clipOff.x) * clipScale.x, (cmd.ClipRect.w - clipOff.y) * clipScale.y);
            if (clipMax.x <= clipMin.x || clipMax.y <= clipMin.y) continue;
            const std::size_t vertex = rebase ? 0 : listVertex + cmd.VtxOffset;
            if (vertex != pointedAt) {
                pointedAt = vertex;
                pointAttributes(vertex);
            }
            glScissor(int(clipMin.x), int(float(fbHeight) - clipMax.y), int(clipMax.x - clipMin.x), int(clipMax.y - clipMin.y));
            glBindTexture(GL_TEXTURE_2D, static_cast<GLuint>(cmd.GetTexID()));
            glDrawElements(GL_TRIANGLES, GLsizei(cmd.ElemCount), sizeof(ImDrawIdx) == 2 ? GL_UNSIGNED_SHORT : GL_UNSIGNED_INT,
                           reinterpret_cast<const void*>(first * sizeof(ImDrawIdx)));
        }
        listVertex += std::size_t(list->VtxBuffer.Size);
        listIndex += std::size_t(list->IdxBuffer.Size);
    }
}

}  // namespace funnel::web
