// Funnel — the shared-folder transport in the browser (see folder.h).
#include "platform/web/folder.h"

#include <emscripten.h>

#include "core/codec.h"
#include "platform/web/sync.h"

namespace funnel::web::folder {

namespace {

// clang-format off
EM_JS(void, js_folder_init, (const char* nsPtr), {
  var F = Module.funnelFolder || (Module.funnelFolder = {});
  F.ns = UTF8ToString(nsPtr);
  F.handle = null;
  F.str = function(s) { var n = lengthBytesUTF8(s) + 1; var p = _malloc(n); stringToUTF8(s, p, n); return p; };
  F.supported = function() { return typeof window.showDirectoryPicker === 'function'; };
  F.db = function() {
    return new Promise(function(resolve, reject) {
      var r = indexedDB.open('funnel-folder:' + F.ns, 1);
      r.onupgradeneeded = function() { r.result.createObjectStore('handles'); };
      r.onsuccess = function() { resolve(r.result); };
      r.onerror = function() { reject(r.error); };
    });
  };
  F.get = function() {
    return F.db().then(function(db) {
      return new Promise(function(resolve) {
        var q = db.transaction('handles').objectStore('handles').get('team');
        q.onsuccess = function() { resolve(q.result || null); };
        q.onerror = function() { resolve(null); };
      });
    });
  };
  F.put = function(value) {
    return F.db().then(function(db) {
      return new Promise(function(resolve, reject) {
        var tx = db.transaction('handles', 'readwrite');
        try { tx.objectStore('handles').put(value, 'team'); } catch (e) { reject(e); return; }
        tx.oncomplete = function() { resolve(); };
        tx.onerror = function() { reject(tx.error); };
      });
    });
  };
  F.store = function(h) {
    return F.put(h).catch(function(e) {
      // A test's stand-in handle cannot be cloned: remember its name (folder.h).
      if (window.funnelTestFolders && window.funnelTestFolders[h.name] === h) return F.put({ testFolder: h.name });
      console.warn('funnel folder: the handle is kept for this session only', e);
    });
  };
  F.granted = false;
  F.report = function() {
    var h = F.handle;
    var p = h && h.queryPermission ? h.queryPermission({ mode: 'readwrite' }) : Promise.resolve('none');
    return p.catch(function() { return 'denied'; }).then(function(state) {
      F.granted = state === 'granted';
      var n = F.str(h ? String(h.name) : "");
      Module['_funnel_folder_state'](n, F.supported() ? 1 : 0, F.granted ? 1 : 0);
      _free(n);
    });
  };
  F.get().then(function(v) {
    if (v && v.testFolder) v = window.funnelTestFolders ? window.funnelTestFolders[v.testFolder] || null : null;
    F.handle = v;
  }).catch(function(e) { console.warn('funnel folder: reading the stored folder', e); })
    .then(function() { return F.report(); });
});

EM_JS(int, js_folder_supported, (), { return typeof window.showDirectoryPicker === 'function' ? 1 : 0; });

EM_JS(void, js_folder_pick, (), {
  var F = Module.funnelFolder;
  if (!F.supported()) return;
  window.showDirectoryPicker({ id: 'funnel-team', mode: 'readwrite' }).then(function(h) {
    F.handle = h;
    return F.store(h);
  }).catch(function(e) { console.warn('funnel folder: no folder picked', e); })
    .then(function() { return F.report(); });
});

EM_JS(void, js_folder_grant, (), {
  var F = Module.funnelFolder;
  if (!F.handle || !F.handle.requestPermission) return;
  F.handle.requestPermission({ mode: 'readwrite' }).catch(function(e) { console.warn('funnel folder: permission', e); })
    .then(function() { return F.report(); });
});

// Kinds as FolderResponse::Kind: 0 Ok, 1 NotFound, 2 Denied, 3 Changed, 4 Failed.
EM_JS(void, js_folder_op, (int id, int op, const char* namePtr, const char* bodyPtr, double expectSize, double expectModified), {
  var F = Module.funnelFolder;
  var name = UTF8ToString(namePtr);
  var body = op === 2 ? UTF8ToString(bodyPtr) : "";
  var answer = function(kind, text, files, size, modified, error) {
    var b = F.str(text || ""), f = F.str(files || "[]"), e = F.str(error || "");
    Module['_funnel_folder_answer'](id, kind, b, f, size, modified, e);
    _free(b); _free(f); _free(e);
  };
  var kindOf = function(err) {
    var n = err && err.name;
    if (n === 'NotFoundError') return 1;
    if (n === 'NotAllowedError' || n === 'SecurityError') return 2;
    return 4;
  };
  var h = F.handle;
  if (!h) { answer(2, "", "", 0, 0, "no folder chosen"); return; }
  Promise.resolve(h.queryPermission({ mode: 'readwrite' })).then(function(state) {
    if (state !== 'granted') {
      F.report();
      var e = new Error('the browser wants permission again (' + state + ')'); e.name = 'NotAllowedError'; throw e;
    }
    if (op === 0) {  // List
      var files = [], it = h.values();
      var next = function() {
        return it.next().then(function(r) {
          if (r.done) return;
          if (r.value.kind !== 'file') return next();
          return r.value.getFile().then(function(f) {
            files.push({ name: r.value.name, size: f.size, modified: f.lastModified });
          }, function() {}).then(next);
        });
      };
      return next().then(function() { answer(0, "", JSON.stringify({ files: files, listedAt: Date.now() }), 0, 0, ""); });
    }
    if (op === 1) {  // Read
      return h.getFileHandle(name).then(function(fh) { return fh.getFile(); }).then(function(f) {
        return f.text().then(function(text) { answer(0, text, "", f.size, f.lastModified, ""); });
      });
    }
    if (op === 2) {  // Write: a temporary file in the folder, swapped in by close()
      return h.getFileHandle(name, { create: true }).then(function(fh) { return fh.createWritable({ keepExistingData: false }); })
        .then(function(w) { return w.write(body).then(function() { return w.close(); }); })
        .then(function() { answer(0, "", "", 0, 0, ""); });
    }
    // Remove, only while unchanged
    return h.getFileHandle(name).then(function(fh) { return fh.getFile(); }).then(function(f) {
      if (f.size !== expectSize || f.lastModified !== expectModified) { answer(3, "", "", 0, 0, ""); return; }
      return h.removeEntry(name).then(function() { answer(0, "", "", 0, 0, ""); });
    });
  }).catch(function(err) {
    answer(kindOf(err), "", "", 0, 0, (err && err.name ? err.name + ': ' : "") + (err && err.message ? err.message : String(err)));
  });
});
// clang-format on

}  // namespace

void init(const std::string& ns) { js_folder_init(ns.c_str()); }
bool supported() { return js_folder_supported() != 0; }
void pick() { js_folder_pick(); }
void grant() { js_folder_grant(); }

void perform(int id, const FolderRequest& r) {
    js_folder_op(id, int(r.op), r.name.c_str(), r.body.c_str(), double(r.expect.size), double(r.expect.modified));
}

}  // namespace funnel::web::folder

extern "C" {
EMSCRIPTEN_KEEPALIVE void funnel_folder_state(const char* name, int supported, int granted) {
    funnel::web::teamLink().folderState(name ? name : "", supported != 0, granted != 0);
}
EMSCRIPTEN_KEEPALIVE void funnel_folder_answer(int id, int kind, const char* body, const char* files, double size,
                                               double modified, const char* error) {
    using funnel::FolderResponse;
    FolderResponse r;
    r.kind = FolderResponse::Kind(kind);
    r.body = body ? body : "";
    r.error = error ? error : "";
    r.file.size = std::int64_t(size);
    r.file.modified = std::int64_t(modified);
    const funnel::json j = funnel::json::parse(files ? files : "", nullptr, false);
    if (j.is_object()) {
        if (j.contains("listedAt") && j["listedAt"].is_number()) r.listedAt = j["listedAt"].get<std::int64_t>();
        if (j.contains("files") && j["files"].is_array())
            for (const funnel::json& f : j["files"]) {
                if (!f.is_object() || !f.contains("name") || !f["name"].is_string()) continue;
                funnel::FolderFile ff;
                ff.name = f["name"].get<std::string>();
                ff.size = f.contains("size") && f["size"].is_number() ? f["size"].get<std::int64_t>() : -1;
                ff.modified = f.contains("modified") && f["modified"].is_number() ? f["modified"].get<std::int64_t>() : 0;
                r.files.push_back(std::move(ff));
            }
    }
    funnel::web::teamLink().folderAnswered(id, r);
}
}
