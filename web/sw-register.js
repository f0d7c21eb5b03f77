// Registers Funnel's service worker (web/sw.js) and tells the person when a new deployment is
// ready: a small banner, in the page's language, whose Reload button waits for pending saves,
// lets the new build take over and reloads. A plain reload of the page does the same.
// Adds to window.funnel (for tests and the app):
//   funnel.updateReady        true once a new build is installed and waiting
//   funnel.applyUpdate()      what the banner's Reload button does
//   funnel.checkForUpdate()   asks the browser to look for a new sw.js now
//   funnel.offline            {supported, controlled, build, ready} — `ready` resolves with the
//                             build id once this page is controlled and its files are cached
(function () {
  'use strict';

  const TEXT = {
    'en': { ready: 'A new version of Funnel is ready.', reload: 'Reload', close: 'Later' },
    'zh-Hans': { ready: 'Funnel 新版本已就绪。', reload: '重新加载', close: '稍后' },
    'zh-Hant': { ready: 'Funnel 新版本已就緒。', reload: '重新載入', close: '稍後' },
    'ko': { ready: 'Funnel 새 버전이 준비되었습니다.', reload: '새로 고침', close: '나중에' },
  };
  const api = window.funnel || (window.funnel = {});
  const sw = navigator.serviceWorker;
  // A page opened from disk (the one-file build) has no service worker to register.
  const supported = !!sw && window.isSecureContext && location.protocol !== 'file:';
  let resolveReady;
  const offline = {
    supported,
    controlled: supported && !!sw.controller,
    build: null,
    ready: new Promise((resolve) => { resolveReady = resolve; }),
  };
  api.offline = offline;
  let updateReady = false;
  let registration = null;
  let applying = false;
  Object.defineProperty(api, 'updateReady', { get: () => updateReady, configurable: true });
  api.checkForUpdate = () => (registration ? registration.update().then(() => true, () => false) : Promise.resolve(false));
  api.applyUpdate = applyUpdate;
  if (!supported) return;

  function ask(worker, msg) {
    return new Promise((resolve) => {
      const channel = new MessageChannel();
      channel.port1.onmessage = (e) => resolve(e.data);
      worker.postMessage(msg, [channel.port2]);
    });
  }

  // [SECTION] The banner
  function language() {
    const l = api.language || document.documentElement.lang;
    return TEXT[l] ? l : 'en';
  }
  function showBanner() {
    if (document.getElementById('funnel-update')) return;
    const t = TEXT[language()];
    const bar = document.createElement('div');
    bar.id = 'funnel-update';
    bar.setAttribute('role', 'status');
    bar.style.cssText = 'position:fixed;left:50%;bottom:16px;transform:translateX(-50%);z-index:20;display:flex;'
      + 'gap:12px;align-items:center;padding:10px 14px;border-radius:8px;background:#1f2328;color:#fff;'
      + 'font:14px system-ui,-apple-system,"Segoe UI","Noto Sans","Noto Sans CJK SC",sans-serif;'
      + 'box-shadow:0 4px 16px rgba(0,0,0,.25);max-width:calc(100vw - 32px);box-sizing:border-box';
    const msg = document.createElement('span');
    msg.textContent = t.ready;
    const reload = document.createElement('button');
    reload.id = 'funnel-update-reload';
    reload.textContent = t.reload;
    reload.style.cssText = 'font:inherit;padding:6px 12px;border:0;border-radius:6px;background:#3b6fd8;color:#fff;cursor:pointer';
    reload.addEventListener('click', () => { reload.disabled = true; applyUpdate(); });
    const later = document.createElement('button');
    later.textContent = t.close;
    later.style.cssText = 'font:inherit;padding:6px 8px;border:0;background:none;color:#c9d1d9;cursor:pointer';
    later.addEventListener('click', () => bar.remove());
    bar.append(msg, reload, later);
    document.body.appendChild(bar);
  }

  function markReady() {
    if (updateReady) return;
    updateReady = true;
    showBanner();
    window.dispatchEvent(new CustomEvent('funnel-update-ready'));
  }

  // [SECTION] Applying an update
  // Waits (briefly) until every change of this page is durable, so the reload cannot drop the
  // last edits; the stored document itself is migrated by the new build when it loads it.
  async function storageSettled(timeoutMs) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const s = window.funnelStorage && window.funnelStorage.status ? window.funnelStorage.status() : null;
      if (!s || s.saved >= s.recorded || Date.now() > deadline) return;
      if (window.Module && Module._funnel_flush_now) Module._funnel_flush_now();
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async function applyUpdate() {
    if (applying) return;
    applying = true;
    await storageSettled(3000);
    const waiting = registration && registration.waiting;
    if (!waiting) {
      location.reload();   // another tab already switched the worker: this page only needs a load
      return;
    }
    sw.addEventListener('controllerchange', () => location.reload());
    waiting.postMessage({ type: 'skip-waiting' });
  }

  // [SECTION] Registration
  async function whenControlled() {
    if (!sw.controller) await new Promise((r) => sw.addEventListener('controllerchange', r, { once: true }));
    offline.controlled = true;
    // What this page fetched before a worker controlled it (the first visit: the CJK font) is
    // handed to the worker to cache, so the next load works offline too.
    // A font still downloading at this point was not seen by the worker either: it is handed over
    // when its download ends.
    const isFont = (u) => /\/fonts\/[^/?#]+$/.test(u);
    if (typeof PerformanceObserver === 'function') {
      new PerformanceObserver((list) => {
        const late = list.getEntries().map((e) => e.name).filter(isFont);
        if (late.length && sw.controller) sw.controller.postMessage({ type: 'cache', urls: late });
      }).observe({ type: 'resource' });
    }
    const urls = performance.getEntriesByType('resource').map((e) => e.name).filter(isFont);
    await ask(sw.controller, { type: 'cache', urls });
    const info = await ask(sw.controller, { type: 'build' });
    offline.build = info.build;
    resolveReady(info.build);
  }

  let wasControlled = !!sw.controller;
  sw.addEventListener('controllerchange', () => {
    // Another tab applied an update: this page runs the old build until it reloads.
    if (wasControlled && !applying) markReady();
    wasControlled = true;
  });

  function watch(reg) {
    registration = reg;
    // A new build was already waiting when this page loaded: the person reloaded (or came back)
    // after it was offered, which is the agreement to switch, and nothing has been edited in
    // this load yet. One more load brings it in.
    if (reg.waiting && sw.controller) {
      markReady();
      applyUpdate();
    }
    reg.addEventListener('updatefound', () => {
      const w = reg.installing;
      if (!w) return;
      w.addEventListener('statechange', () => {
        if (w.state === 'installed' && sw.controller) markReady();
      });
    });
    // Long-lived tabs look for a new deployment when they come back to the front.
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') reg.update().catch(() => {});
    });
  }

  // updateViaCache 'none': sw.js and its version.js always come from the server, never from
  // the HTTP cache, so a deployment is seen on the next load.
  sw.register('sw.js', { updateViaCache: 'none' }).then((reg) => {
    watch(reg);
    return whenControlled();
  }).catch((err) => {
    console.warn('funnel: offline support unavailable: ' + err);
  });
})();
