// Funnel's service worker: keeps the app (page, script, wasm, fonts, icons) in a cache named
// after the build so it opens with no network, and hands over to a new deployment only when the
// page asks for it (web/sw-register.js), so nobody is trapped on an old version or switched
// over in the middle of an edit. It never touches IndexedDB: the workspace lives there and an
// update must not lose it. It answers only the app's own files: non-GET requests, other origins
// and any other URL (a team sync file on this origin included) go to the network untouched.
'use strict';

// [SECTION] Build
// version.js is written at build time (scripts/stamp-build.cmake): self.FUNNEL_BUILD =
// {id, files: {path: digest}}. Browsers compare imported scripts byte for byte when they check
// for an update, so a new build id is what makes a new deployment visible. Without it (a copy
// of web/ that was never built) everything still works, under the fixed id "dev".
try {
  importScripts('version.js');
} catch (e) {
  // unstamped: see above
}
const BUILD = self.FUNNEL_BUILD || { id: 'dev', files: {} };
const PREFIX = 'funnel-';
const CACHE = PREFIX + BUILD.id;
const DIGEST_HEADER = 'x-funnel-digest';
// A navigation waits this long for the network before the cached page is used: on a
// connection that is up but not answering ("lie-fi") the app must still open.
const NAVIGATION_TIMEOUT_MS = 4000;

// The app's own files, relative to the scope. The CJK fonts are 2–3 MB each and a visitor needs
// at most one or two: they are cached when first fetched (and carried over to the next build
// when unchanged), not up front.
const SHELL = [
  'index.html',
  'funnel-shell.js',
  'funnel.js',
  'funnel.wasm',
  'sw-register.js',
  'manifest.webmanifest',
  'fonts/ui-latin.ttf',
  'icons/icon.svg',
  'icons/icon-192.png',
  'icons/icon-512.png',
  'icons/icon-maskable-512.png',
];
const ON_FIRST_USE = /^fonts\/[A-Za-z0-9_.-]+\.(otf|ttf)$/;

function scope() {
  return self.registration.scope;   // ends with "/": the folder the app is served from
}
function keyOf(path) {
  return new URL(path, scope()).href;
}
// The scope-relative path of a URL when it names one of the app's files, else null.
function appPath(url) {
  if (url.origin !== self.location.origin || url.search || !url.href.startsWith(scope())) return null;
  const path = url.href.slice(scope().length).split('#')[0];
  if (SHELL.includes(path) || ON_FIRST_USE.test(path)) return path;
  return null;
}

// The stamp's digest of bytes: the first 16 hex digits of their SHA-256 (stamp-build.cmake).
async function digestOf(buffer) {
  const bytes = new Uint8Array(await crypto.subtle.digest('SHA-256', buffer));
  let hex = '';
  for (const b of bytes.subarray(0, 8)) hex += b.toString(16).padStart(2, '0');
  return hex;
}

// Reads the response and checks its bytes against the stamp's digest for `path`:
// {response (a copy that remembers the digest, so the next build can reuse it without a
// download when the file did not change), matches}. A deployment caught half-uploaded (a new
// version.js beside an old funnel.wasm) does not match and must never be cached as this build.
async function verified(res, path) {
  const digest = BUILD.files[path];
  const body = await res.arrayBuffer();
  const matches = !digest || (await digestOf(body)) === digest;
  const headers = new Headers(res.headers);
  if (digest && matches) headers.set(DIGEST_HEADER, digest);
  return { matches, response: new Response(body, { status: res.status, statusText: res.statusText, headers }) };
}

async function fromOlderBuild(key, digest) {
  if (!digest) return null;
  for (const name of await caches.keys()) {
    if (!name.startsWith(PREFIX) || name === CACHE) continue;
    const hit = await (await caches.open(name)).match(key);
    if (hit && hit.headers.get(DIGEST_HEADER) === digest) return hit;
  }
  return null;
}

// [SECTION] Install: fill this build's cache. Any failure (a file missing, or not the bytes the
// stamp names) fails the install, and the old build keeps running; a half-filled cache is never
// used.
async function precache() {
  const cache = await caches.open(CACHE);
  await Promise.all(SHELL.map(async (path) => {
    const key = keyOf(path);
    if (await cache.match(key)) return;
    const digest = BUILD.files[path];
    const old = await fromOlderBuild(key, digest);
    if (old) {
      await cache.put(key, old);
      return;
    }
    // "reload" bypasses the HTTP cache, so the bytes belong to this deployment.
    const res = await fetch(new Request(key, { cache: 'reload' }));
    if (!res.ok) throw new Error(`sw: ${path}: HTTP ${res.status}`);
    const checked = await verified(res, path);
    if (!checked.matches) throw new Error(`sw: ${path}: not the bytes of build ${BUILD.id} (a deployment in progress?)`);
    await cache.put(key, checked.response);
  }));
  // Fonts fetched on first use by the previous build come along when they did not change.
  for (const [path, digest] of Object.entries(BUILD.files)) {
    if (!ON_FIRST_USE.test(path) || SHELL.includes(path)) continue;
    const old = await fromOlderBuild(keyOf(path), digest);
    if (old) await cache.put(keyOf(path), old);
  }
}

self.addEventListener('install', (event) => {
  // No skipWaiting here: a new build waits until the page says "reload" (see sw-register.js).
  event.waitUntil(precache());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith(PREFIX) && name !== CACHE) await caches.delete(name);
    }
    // The first visit becomes controlled at once, so it works offline without a second load.
    await self.clients.claim();
  })());
});

// [SECTION] Fetch
async function cacheFirst(request, path) {
  const cache = await caches.open(CACHE);
  const key = keyOf(path);
  const hit = await cache.match(key);
  if (hit) return hit;
  const res = await fetch(request);
  if (res.status !== 200) return res;
  // Served either way; cached only when it is this build's file.
  const checked = await verified(res, path);
  if (checked.matches) await cache.put(key, checked.response.clone());
  return checked.response;
}

// A new build is waiting and the app is being opened (a reload, or a new tab): that is the
// agreement to switch (sw-register.js). The switch must happen before the page loads: Chromium
// activates a waiting worker only once the active one has no events in flight, and a page that
// asked for skipWaiting() while loading its script, wasm and fonts through this worker kept it
// busy (and restarted it) so the new build never took over — a plain reload did not update.
// So this worker hands over first and answers with a blank page that loads again in a second,
// under the new build. Bounded: if the new build has not taken over within HANDOVER_MS of the
// first attempt, pages are served by this build again (the banner still offers the update).
const HANDOVER_MS = 10000;
let handoverSince = 0;
async function handOver() {
  const waiting = self.registration.waiting;
  if (!waiting || waiting.state !== 'installed') return null;
  const now = Date.now();
  if (!handoverSince) handoverSince = now;
  if (now - handoverSince > HANDOVER_MS) return null;
  waiting.postMessage({ type: 'skip-waiting' });
  return new Response('<!doctype html><meta charset="utf-8"><meta http-equiv="refresh" content="1">'
    + '<meta name="color-scheme" content="light dark"><title>Funnel</title>', {
    headers: { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' },
  });
}

// The network first, so a new deployment's page is seen (and the browser checks sw.js); the
// cached page when the network fails, does not answer in time, or answers with a server error
// (a 502 from a proxy whose backend is down must not replace a working app). The fetched page
// is not stored: the cached one must stay the one that matches this build's script and wasm.
async function navigate(request) {
  const handover = await handOver();
  if (handover) return handover;
  const network = fetch(request);
  const timeout = new Promise((resolve) => setTimeout(resolve, NAVIGATION_TIMEOUT_MS, null));
  let failed = null;
  try {
    const res = await Promise.race([network, timeout]);
    if (res && res.status < 500) return res;
    failed = res;
  } catch (e) {
    // offline: the cached page below
  }
  const cached = await caches.match(keyOf('index.html'), { cacheName: CACHE });
  if (cached) return cached;
  return failed || network;   // nothing cached yet: whatever the network finally says
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || !url.href.startsWith(scope())) return;
  if (request.mode === 'navigate') {
    event.respondWith(navigate(request));
    return;
  }
  const path = appPath(url);
  if (path) event.respondWith(cacheFirst(request, path));
});

// [SECTION] Messages from the page
//   {type: 'skip-waiting'}      the person chose to reload into this (waiting) build
//   {type: 'build'}             → {build, cache}
//   {type: 'cache', urls: […]}  cache these app files now (fetched before this worker controlled
//                               the page, e.g. the CJK font on the first visit) → {cached: n}
self.addEventListener('message', (event) => {
  const msg = event.data || {};
  const reply = (data) => { if (event.ports[0]) event.ports[0].postMessage(data); };
  if (msg.type === 'skip-waiting') {
    event.waitUntil(self.skipWaiting());
  } else if (msg.type === 'build') {
    reply({ build: BUILD.id, cache: CACHE });
  } else if (msg.type === 'cache' && Array.isArray(msg.urls)) {
    event.waitUntil((async () => {
      let cached = 0;
      for (const u of msg.urls) {
        let url;
        try { url = new URL(String(u), scope()); } catch (e) { continue; }
        const path = appPath(url);
        if (!path) continue;
        try {
          const res = await cacheFirst(new Request(url.href), path);
          if (res.ok) cached++;
        } catch (e) {
          // offline again: it will be cached on its next use
        }
      }
      reply({ cached });
    })());
  }
});
