// Funnel's page glue: picks the language, checks that the browser can run the app (WebAssembly,
// WebGL2) and says so plainly when it cannot, loads funnel.js, and defines window.funnel — the
// automation API documented in README.md ("Automation API"), a thin JSON wrapper over the
// funnel_api_* exports in app/platform/web/automation.cpp.
(function () {
  'use strict';

  // [SECTION] Language: ?lang=… first, then the browser's list.
  const LANGS = ['en', 'zh-Hans', 'zh-Hant', 'ko'];
  function mapLanguage(tag) {
    const t = String(tag || '').toLowerCase();
    if (t === 'zh-hant' || t.startsWith('zh-tw') || t.startsWith('zh-hk') || t.startsWith('zh-mo') || t.startsWith('zh-hant')) return 'zh-Hant';
    if (t.startsWith('zh')) return 'zh-Hans';
    if (t.startsWith('ko')) return 'ko';
    if (t.startsWith('en')) return 'en';
    return null;
  }
  function browserLanguage() {
    const list = (navigator.languages && navigator.languages.length) ? navigator.languages : [navigator.language];
    for (const tag of list) {
      const l = mapLanguage(tag);
      if (l) return l;
    }
    return 'en';
  }
  const params = new URLSearchParams(location.search);
  const queryLanguage = LANGS.includes(params.get('lang')) ? params.get('lang') : '';
  const language = queryLanguage || browserLanguage();
  document.documentElement.lang = language;

  const TEXT = {
    'en': {
      loading: 'Loading Funnel…',
      title: 'Funnel cannot start in this browser',
      wasm: 'This browser cannot run WebAssembly, which Funnel needs. Please open Funnel in a current version of Chrome, Edge, Firefox or Safari.',
      webgl2: 'This browser or device has WebGL 2 turned off or does not support it, and Funnel needs it to draw. Please turn on hardware acceleration in the browser settings, or open Funnel in a current version of Chrome, Edge, Firefox or Safari.',
      crash: 'Funnel stopped because of an error. Reloading the page usually helps; your saved data is kept.',
    },
    'zh-Hans': {
      loading: '正在加载 Funnel…',
      title: 'Funnel 无法在此浏览器中运行',
      wasm: '此浏览器不支持 WebAssembly，而 Funnel 需要它。请使用最新版的 Chrome、Edge、Firefox 或 Safari 打开 Funnel。',
      webgl2: '此浏览器或设备关闭了或不支持 WebGL 2，而 Funnel 需要它来绘制界面。请在浏览器设置中开启硬件加速，或使用最新版的 Chrome、Edge、Firefox 或 Safari 打开 Funnel。',
      crash: 'Funnel 因出错而停止。通常重新加载页面即可恢复；已保存的数据不会丢失。',
    },
    'zh-Hant': {
      loading: '正在載入 Funnel…',
      title: 'Funnel 無法在此瀏覽器中執行',
      wasm: '此瀏覽器不支援 WebAssembly，而 Funnel 需要它。請使用最新版的 Chrome、Edge、Firefox 或 Safari 開啟 Funnel。',
      webgl2: '此瀏覽器或裝置關閉了或不支援 WebGL 2，而 Funnel 需要它來繪製畫面。請在瀏覽器設定中開啟硬體加速，或使用最新版的 Chrome、Edge、Firefox 或 Safari 開啟 Funnel。',
      crash: 'Funnel 因發生錯誤而停止。通常重新載入頁面即可恢復；已儲存的資料不會遺失。',
    },
    'ko': {
      loading: 'Funnel 불러오는 중…',
      title: '이 브라우저에서는 Funnel을 실행할 수 없습니다',
      wasm: '이 브라우저는 Funnel에 필요한 WebAssembly를 지원하지 않습니다. 최신 버전의 Chrome, Edge, Firefox 또는 Safari에서 Funnel을 열어 주세요.',
      webgl2: '이 브라우저나 기기에서 Funnel이 화면을 그리는 데 필요한 WebGL 2가 꺼져 있거나 지원되지 않습니다. 브라우저 설정에서 하드웨어 가속을 켜거나, 최신 버전의 Chrome, Edge, Firefox 또는 Safari에서 Funnel을 열어 주세요.',
      crash: '오류로 인해 Funnel이 중지되었습니다. 페이지를 새로 고치면 대개 해결되며, 저장된 데이터는 그대로 남아 있습니다.',
    },
  };
  const text = TEXT[language];
  document.getElementById('funnel-loading-text').textContent = text.loading;

  // [SECTION] What the browser can do. ?simulate=no-webgl2 / no-wasm show the message on a
  // browser that could run the app (for tests and for checking the wording).
  const simulate = params.get('simulate') || '';
  function hasWasm() {
    return simulate !== 'no-wasm' && typeof WebAssembly === 'object' && typeof WebAssembly.instantiate === 'function';
  }
  function hasWebGL2() {
    if (simulate === 'no-webgl2') return false;
    try {
      const c = document.createElement('canvas');
      const gl = c.getContext('webgl2');
      if (!gl) return false;
      const lose = gl.getExtension('WEBGL_lose_context');
      if (lose) lose.loseContext();
      return true;
    } catch (e) {
      return false;
    }
  }

  let failure = null;
  let resolveReady;
  let rejectReady;
  const ready = new Promise((resolve, reject) => { resolveReady = resolve; rejectReady = reject; });
  ready.catch(() => {});   // a failure is shown on the page; no unhandled-rejection noise

  function fail(kind) {
    if (failure) return;
    failure = kind;
    document.getElementById('funnel-loading').style.display = 'none';
    document.getElementById('funnel-message-title').textContent = text.title;
    document.getElementById('funnel-message-text').textContent = text[kind] || text.crash;
    document.getElementById('funnel-message').style.display = 'flex';
    rejectReady(new Error('Funnel cannot start: ' + kind));
  }

  // [SECTION] window.funnel
  function call(name, ret, args) {
    if (!window.Module || !Module.calledRun) throw new Error('funnel: the app is not running yet (await funnel.ready)');
    // Strings go through malloc, not ccall's stack copy: a command may carry a whole document.
    const ptrs = (args || []).map((s) => {
      const n = Module.lengthBytesUTF8(s) + 1;
      const p = Module._malloc(n);
      Module.stringToUTF8(s, p, n);
      return p;
    });
    try {
      return Module.ccall(name, ret, ptrs.map(() => 'number'), ptrs);
    } finally {
      ptrs.forEach((p) => Module._free(p));
    }
  }
  function callJson(name, args) {
    return JSON.parse(call(name, 'string', args));
  }
  // {base64, ...options}: the bytes go to the heap as they are (a list may hold NUL bytes).
  function callWithBytes(name, opts) {
    if (!window.Module || !Module.calledRun) throw new Error('funnel: the app is not running yet (await funnel.ready)');
    const o = Object.assign({}, opts || {});
    const bin = atob(String(o.base64 || ''));
    delete o.base64;
    const p = Module._malloc(bin.length + 1);
    const heap = Module.funnelData.heapU8();
    for (let i = 0; i < bin.length; i++) heap[p + i] = bin.charCodeAt(i);
    try {
      return JSON.parse(Module.ccall(name, 'string', ['number', 'number', 'string'], [p, bin.length, JSON.stringify(o)]));
    } finally {
      Module._free(p);
    }
  }
  // window.funnel.sync.run() promises, answered by the page's sync loop (Module.funnelSyncDone)
  // when the sync that covers them finished.
  const syncWaiters = [];
  function syncDone(upTo, result) {
    for (let i = syncWaiters.length - 1; i >= 0; --i) {
      if (syncWaiters[i].ticket <= upTo) {
        syncWaiters[i].resolve(result);
        syncWaiters.splice(i, 1);
      }
    }
  }
  window.funnel = {
    ready,
    failure: () => failure,
    snapshot: () => callJson('funnel_api_snapshot'),
    command: (obj) => callJson('funnel_api_command', [JSON.stringify(obj)]),
    // Data in and out (app/platform/web/data.cpp): a file's bytes as base64.
    importFile: (opts) => callWithBytes('funnel_api_import_file', opts),
    exportFile: (kind, opts) => callJson('funnel_api_export_file', [String(kind), JSON.stringify(opts || {})]),
    restoreFile: (opts) => callWithBytes('funnel_api_restore_file', opts),
    undo: () => callJson('funnel_api_undo'),
    redo: () => callJson('funnel_api_redo'),
    itemRect: (label) => callJson('funnel_api_item_rect', [String(label)]),
    itemKeys: () => callJson('funnel_api_item_keys'),
    stats: () => callJson('funnel_api_stats'),
    // CPU ms of each frame since the last frameTimes(true); for scripts/bench.
    frameTimes: (reset) => callJson('funnel_api_frame_times', [reset ? '1' : '0']),
    open: (route) => { call('funnel_api_open', null, [String(route)]); },
    setLanguage: (lang) => { call('funnel_api_set_language', null, [String(lang)]); },
    // Team sync of this device (README "Automation API"): setup, run, status, stop.
    sync: {
      setup: (o) => callJson('funnel_api_sync_setup', [JSON.stringify(o || {})]),
      run: () => new Promise((resolve) => {
        const r = callJson('funnel_api_sync_run');
        if (!r.started) resolve(r.result);
        else syncWaiters.push({ ticket: r.ticket, resolve });
      }),
      status: () => callJson('funnel_api_sync_status'),
      stop: () => callJson('funnel_api_sync_stop'),
    },
    language,
  };

  // [SECTION] Start
  if (!hasWasm()) { fail('wasm'); return; }
  if (!hasWebGL2()) { fail('webgl2'); return; }

  const canvas = document.getElementById('canvas');
  canvas.addEventListener('contextmenu', (e) => e.preventDefault());
  window.Module = {
    canvas,
    funnelPage: {
      browserLanguage: browserLanguage(), queryLanguage, hash: location.hash, demo: params.has('demo') ? '1' : '',
      bench: params.get('bench') || '',
      benchStore: params.get('benchStore') || '',
    },
    funnelFirstFrame() {
      document.getElementById('funnel-loading').style.display = 'none';
      resolveReady();
    },
    funnelFail: fail,
    funnelSyncDone: syncDone,
    print: (s) => console.log(s),
    printErr: (s) => console.warn(s),
    onAbort: () => fail('crash'),
  };
  const script = document.createElement('script');
  script.src = 'funnel.js';
  script.onerror = () => fail('crash');
  document.body.appendChild(script);
})();
