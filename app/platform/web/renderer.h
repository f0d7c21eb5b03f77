// ImGui's draw data → WebGL2: our own small renderer instead of ImGui's OpenGL3 backend.
//
// The stock backend backs up and restores the GL state around every frame with glGetIntegerv;
// in Chromium seven of those reads (blend functions and equations, scissor box, active texture)
// are synchronous round trips to the GPU process, 0.1 ms or more each on this machine, and they
// wait for the previous frame's drawing: most of the wasm frame time. This renderer owns the
// context, so it keeps no backup and reads nothing back; it also keeps one vertex array and one
// pair of buffers for the page's life instead of a new vertex array and buffer storage per
// draw list per frame.
#pragma once

#include <imgui.h>

namespace funnel::web {

// Compiles the shaders and creates the buffers in the current WebGL2 context; declares to ImGui
// that textures and vertex offsets are handled here. False (with a console message) on failure.
bool startRenderer();

// Creates, updates and destroys the textures ImGui asks for, clears the framebuffer of
// `fbWidth` × `fbHeight` device pixels to `background` and draws `data` into it.
void render(ImDrawData* data, int fbWidth, int fbHeight, ImVec4 background);

}  // namespace funnel::web
