// Funnel — the page side of sharing snapshots (see share.h).
#include "platform/web/share.h"

#include <emscripten.h>

namespace funnel::web {

namespace {

// Shared helpers on Module.funnelShare: base64url, deflate-raw, and handing bytes to C++.
EM_JS(void, funnel_share_install_js, (double maxBytes), {
    if (Module.funnelShare) return;
    const give = function(bytes, code) {
        const n = bytes ? bytes.length : 0;
        const p = Module._malloc(n + 1);
        if (n) HEAPU8.set(bytes, p);
        Module._funnel_snapshot_arrived(p, n, code);
        Module._free(p);
    };
    const share = {
        // No regular expressions here: EM_JS text goes through the C preprocessor.
        toBase64Url: function(bytes) {
            let bin = "";
            for (let i = 0; i < bytes.length; i += 0x8000)
                bin += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
            let b64 = btoa(bin).split("+").join("-").split("/").join("_");
            while (b64.length && b64.charAt(b64.length - 1) === "=") b64 = b64.slice(0, -1);
            return b64;
        },
        fromBase64Url: function(s) {
            const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
            for (let i = 0; i < s.length; i++)
                if (alphabet.indexOf(s.charAt(i)) < 0) throw new Error("not base64url");
            const bin = atob(s.split("-").join("+").split("_").join("/"));
            const out = new Uint8Array(bin.length);
            for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
            return out;
        },
        deflate: async function(bytes) {
            const stream = new Blob([bytes]).stream().pipeThrough(new CompressionStream("deflate-raw"));
            return new Uint8Array(await new Response(stream).arrayBuffer());
        },
        // Inflates, refusing more than `max` bytes (a small link must not become gigabytes).
        inflate: async function(bytes, max) {
            const reader = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate-raw")).getReader();
            const chunks = [];
            let total = 0;
            for (;;) {
                const r = await reader.read();
                if (r.done) break;
                total += r.value.length;
                if (total > max) {
                    reader.cancel().catch(function() {});
                    const e = new Error("too large");
                    e.tooLarge = true;
                    throw e;
                }
                chunks.push(r.value);
            }
            const out = new Uint8Array(total);
            let at = 0;
            for (const c of chunks) { out.set(c, at); at += c.length; }
            return out;
        },
        readFile: function(file) {
            if (!file) return;
            if (file.size > maxBytes) { give(null, 1); return; }
            file.arrayBuffer().then(function(buf) { give(new Uint8Array(buf), 0); }, function() { give(null, 2); });
        },
        give: give,
        maxBytes: maxBytes,
    };
    Module.funnelShare = share;
    // Dropping a file anywhere on the page opens it as a snapshot.
    document.addEventListener("dragover", function(e) {
        if (e.dataTransfer && Array.prototype.indexOf.call(e.dataTransfer.types || [], "Files") >= 0) {
            e.preventDefault();
            e.dataTransfer.dropEffect = "copy";
        }
    });
    document.addEventListener("drop", function(e) {
        if (!e.dataTransfer || !e.dataTransfer.files || !e.dataTransfer.files.length) return;
        e.preventDefault();
        share.readFile(e.dataTransfer.files[0]);
    });
});

EM_JS(int, funnel_share_has_link_js, (), {
    return location.hash.indexOf("#/snapshot/") === 0 ? 1 : 0;
});

EM_JS(void, funnel_share_read_link_js, (double maxBytes), {
    const share = Module.funnelShare;
    const data = location.hash.slice("#/snapshot/".length);
    (async function() {
        let packed;
        try { packed = share.fromBase64Url(decodeURIComponent(data)); } catch (e) { share.give(null, 2); return; }
        // Compressed data can be at most about 1000 times smaller than what it inflates to.
        if (packed.length === 0) { share.give(null, 2); return; }
        try {
            share.give(await share.inflate(packed, maxBytes), 0);
        } catch (e) {
            share.give(null, e && e.tooLarge ? 1 : 2);
        }
    })();
});

// The bytes are copied out of the heap as they are (a CSV's BOM included); window.funnelLastDownload
// keeps {name, mime, size} of the last one for tests.
EM_JS(void, funnel_download_js, (const char* bytes, double size, const char* mime, const char* name), {
    const data = HEAPU8.slice(bytes, bytes + size);
    const fileName = UTF8ToString(name);
    const type = UTF8ToString(mime);
    const blob = new Blob([data], { type: type });
    window.funnelLastDownload = { name: fileName, mime: type, size: size };
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = fileName;
    a.style.display = "none";
    document.body.appendChild(a);
    a.click();
    setTimeout(function() { URL.revokeObjectURL(a.href); a.remove(); }, 30000);
});

// Called right after the frame was drawn, before the browser presents it: the WebGL canvas still
// holds the picture, so it can be copied into a 2D canvas and encoded.
EM_JS(void, funnel_screenshot_js, (const char* name, double x, double y, double w, double h), {
    const canvas = document.getElementById("canvas") || document.querySelector("canvas");
    const fileName = UTF8ToString(name);
    if (!canvas) return;
    const scale = canvas.width / Math.max(1, canvas.clientWidth || canvas.width);
    const sx = Math.max(0, Math.round(x * scale)), sy = Math.max(0, Math.round(y * scale));
    const sw = Math.max(1, Math.min(canvas.width - sx, Math.round(w * scale)));
    const sh = Math.max(1, Math.min(canvas.height - sy, Math.round(h * scale)));
    const out = document.createElement("canvas");
    out.width = sw;
    out.height = sh;
    out.getContext("2d").drawImage(canvas, sx, sy, sw, sh, 0, 0, sw, sh);
    out.toBlob(function(blob) {
        if (!blob) return;
        window.funnelLastDownload = { name: fileName, mime: "image/png", size: blob.size, width: sw, height: sh };
        const a = document.createElement("a");
        a.href = URL.createObjectURL(blob);
        a.download = fileName;
        a.style.display = "none";
        document.body.appendChild(a);
        a.click();
        setTimeout(function() { URL.revokeObjectURL(a.href); a.remove(); }, 30000);
    }, "image/png");
});

EM_JS(void, funnel_share_link_js, (const char* text, double maxLength), {
    const share = Module.funnelShare;
    const bytes = new TextEncoder().encode(UTF8ToString(text));
    (async function() {
        let state = 4;  // LinkFailed
        try {
            const packed = await share.deflate(bytes);
            // The app's address without ?demo, ?lang=…: the recipient sees it in their own language.
            const base = location.origin + location.pathname;
            const link = base + "#/snapshot/" + share.toBase64Url(packed);
            window.funnelShareLink = link;
            if (link.length > maxLength) {
                state = 3;  // LinkTooLong
            } else {
                try {
                    await navigator.clipboard.writeText(link);
                    state = 2;  // LinkCopied
                } catch (e) {
                    state = 4;
                }
            }
        } catch (e) {
            state = 4;
        }
        Module._funnel_share_link_done(state);
    })();
});

EM_JS(void, funnel_share_pick_js, (), {
    const input = document.createElement("input");
    input.type = "file";
    input.accept = ".json,application/json";
    input.style.display = "none";
    input.addEventListener("change", function() {
        Module.funnelShare.readFile(input.files && input.files[0]);
        input.remove();
    });
    document.body.appendChild(input);
    input.click();
});

EM_JS(void, funnel_share_leave_js, (), {
    const u = new URL(location.href);
    u.hash = "";
    history.replaceState(null, "", u.href);
    location.reload();
});

}  // namespace

void installSnapshotDrop(std::size_t maxBytes) { funnel_share_install_js(static_cast<double>(maxBytes)); }
bool pageHasSnapshotLink() { return funnel_share_has_link_js() != 0; }
void readSnapshotLink(std::size_t maxBytes) { funnel_share_read_link_js(static_cast<double>(maxBytes)); }

void downloadFile(const std::string& name, const std::string& mime, const std::string& bytes) {
    funnel_download_js(bytes.data(), static_cast<double>(bytes.size()), mime.c_str(), name.c_str());
}

void downloadScreenshot(const std::string& name, float x, float y, float w, float h) {
    funnel_screenshot_js(name.c_str(), x, y, w, h);
}

void copySnapshotLink(const std::string& text) { funnel_share_link_js(text.c_str(), static_cast<double>(kMaxLinkLength)); }
void pickSnapshotFile() { funnel_share_pick_js(); }
void leaveSnapshot() { funnel_share_leave_js(); }

}  // namespace funnel::web

extern "C" {

EMSCRIPTEN_KEEPALIVE void funnel_snapshot_arrived(const char* data, int size, int code) {
    const auto arrival = static_cast<funnel::web::Arrival>(code);
    funnel::web::openSnapshotBytes(std::string_view(data, size > 0 ? static_cast<std::size_t>(size) : 0), arrival);
}

EMSCRIPTEN_KEEPALIVE void funnel_share_link_done(int state) { funnel::web::shareLinkDone(state); }

}  // extern "C"
