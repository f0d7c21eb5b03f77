// Deploying as docs/DEPLOY.md says (issue 6): the web build copied into a sub-folder of a plain
// static host, here a small node server that mounts it at /funnel/ and sends the headers the
// document asks for (wasm MIME type, Cache-Control, a strict CSP with 'wasm-unsafe-eval').
// Asserts the app boots there, its service worker is scoped to the sub-path, the manifest and
// its icons are what they claim, nothing is requested outside /funnel/, and it works offline.
// Also the one-file build (scripts/onefile), for those with no host at all: opened from disk,
// alone in its folder, it shows the board and keeps an edit after reopening.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { launchBrowser, openApp, webRoot, repoRoot, chromiumArgs } from './harness.mjs';

const MOUNT = '/funnel/';
const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.webmanifest': 'application/manifest+json',
  '.json': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
};
// The policy from docs/DEPLOY.md, with the sync URL a team would add to connect-src.
const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; "
  + "img-src 'self' data: blob:; font-src 'self'; connect-src 'self' https://files.example.test; "
  + "worker-src 'self'; manifest-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; "
  + "frame-ancestors 'none'";

let server;
let origin;
let browser;
const requested = [];
let online = true;
const dirs = [];

function send(res, status, headers, body) {
  res.writeHead(status, headers);
  res.end(body);
}

async function handle(req, res) {
  const url = new URL(req.url, 'http://host');
  requested.push(url.pathname);
  if (!online) { req.socket.destroy(); return; }   // the host is gone
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, { Allow: 'GET, HEAD' }, '');
  if (url.pathname === MOUNT.slice(0, -1)) return send(res, 301, { Location: MOUNT + url.search }, '');
  if (!url.pathname.startsWith(MOUNT)) return send(res, 404, {}, 'not here');
  let rel = decodeURIComponent(url.pathname.slice(MOUNT.length));
  if (rel === '' || rel.endsWith('/')) rel += 'index.html';
  const file = path.resolve(webRoot, rel);
  if (!file.startsWith(webRoot + path.sep)) return send(res, 404, {}, 'not here');
  try {
    if (!(await stat(file)).isFile()) return send(res, 404, {}, 'not here');
  } catch {
    return send(res, 404, {}, 'not here');
  }
  const body = await readFile(file);
  const headers = {
    'Content-Type': TYPES[path.extname(file)] || 'application/octet-stream',
    'Content-Length': body.length,
    // File names carry no content hash: revalidate everything (sw.js and version.js above all).
    'Cache-Control': 'no-cache',
    'X-Content-Type-Options': 'nosniff',
  };
  if (headers['Content-Type'].startsWith('text/html')) headers['Content-Security-Policy'] = CSP;
  send(res, 200, headers, req.method === 'HEAD' ? '' : body);
}

before(async () => {
  assert.ok(existsSync(path.join(webRoot, 'funnel.wasm')), `no web build in ${webRoot}: run scripts/build web`);
  server = http.createServer((req, res) => { handle(req, res).catch((e) => send(res, 500, {}, String(e))); });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${server.address().port}`;
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  server?.closeAllConnections();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve()));
});

test('boots under a sub-path with the documented headers, scoped there, and works offline', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    requested.length = 0;
    online = true;
    // Without the trailing slash: the host redirects, as GitHub Pages does.
    const page = await openApp(context, { url: origin, path: '/funnel', query: '?lang=en' });
    assert.equal(new URL(page.url()).pathname, MOUNT);
    await page.waitForFunction(() => window.funnel.itemRect('Lead') !== null, null, { timeout: 10000 });
    const build = await page.evaluate(() => window.funnel.offline.ready);
    assert.match(build, /^[0-9a-f]{16}$/);
    const reg = await page.evaluate(async () => {
      const r = await navigator.serviceWorker.getRegistration();
      return { scope: r.scope, script: r.active.scriptURL };
    });
    assert.equal(reg.scope, origin + MOUNT);
    assert.equal(reg.script, origin + MOUNT + 'sw.js');
    const outside = requested.filter((p) => p !== '/funnel' && !p.startsWith(MOUNT));
    assert.deepEqual(outside, [], 'requests outside the sub-path');
    // A CSP violation or a failed load shows up as a console error.
    assert.deepEqual(page.funnelErrors, []);

    online = false;
    await context.setOffline(true);
    await page.reload();
    await page.waitForFunction(() => window.funnel && window.funnel.ready, null, { timeout: 30000 });
    await page.evaluate(() => window.funnel.ready);
    await page.waitForFunction(() => window.funnel.itemRect('Lead') !== null, null, { timeout: 10000 });
  } finally {
    online = true;
    await context.close();
  }
});

test('the manifest names the app, starts in its folder, and its icons are PNGs of the stated sizes', async () => {
  // A profile on disk: Chromium never offers to install from an incognito (default) context.
  const profile = mkdtempSync(path.join(tmpdir(), 'funnel-profile-'));
  dirs.push(profile);
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.FUNNEL_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: chromiumArgs,
    viewport: { width: 1280, height: 800 },
  });
  try {
    online = true;
    const page = await openApp(context, { url: origin, path: MOUNT, query: '?lang=en' });
    const href = await page.evaluate(() => document.querySelector('link[rel="manifest"]').href);
    assert.equal(href, origin + MOUNT + 'manifest.webmanifest');
    const got = await page.evaluate(async (u) => {
      const r = await fetch(u, { cache: 'no-store' });
      return { type: r.headers.get('content-type'), text: await r.text() };
    }, href);
    assert.match(got.type, /^application\/manifest\+json/);
    const m = JSON.parse(got.text);
    assert.equal(m.name, 'Funnel');
    assert.ok(m.short_name && m.short_name.length <= 12, 'short_name missing or too long for a home screen');
    assert.equal(m.display, 'standalone');
    assert.equal(new URL(m.start_url, href).href, origin + MOUNT);
    assert.equal(new URL(m.scope, href).href, origin + MOUNT);
    assert.match(m.theme_color, /^#[0-9a-f]{6}$/i);
    assert.match(m.background_color, /^#[0-9a-f]{6}$/i);
    const theme = await page.evaluate(() => document.querySelector('meta[name="theme-color"]').content);
    assert.equal(theme.toLowerCase(), m.theme_color.toLowerCase());

    // Chromium's own verdict: the manifest parses without errors and the app is installable
    // (manifest + icons + a service worker controlling the page).
    await page.evaluate(() => window.funnel.offline.ready);
    const cdp = await context.newCDPSession(page);
    const parsed = await cdp.send('Page.getAppManifest');
    assert.deepEqual(parsed.errors, [], 'manifest errors');
    const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
    assert.deepEqual(installabilityErrors, [], 'not installable');

    const pngs = m.icons.filter((i) => i.type === 'image/png');
    const sizes = (purpose) => pngs.filter((i) => (i.purpose || 'any').split(' ').includes(purpose)).map((i) => i.sizes);
    assert.ok(sizes('any').includes('192x192'), 'no 192 px icon');
    assert.ok(sizes('any').includes('512x512'), 'no 512 px icon');
    assert.ok(sizes('maskable').length > 0, 'no maskable icon');
    for (const icon of m.icons) {
      const url = new URL(icon.src, href).href;
      assert.ok(url.startsWith(origin + MOUNT), `${icon.src} outside the app folder`);
      const r = await page.evaluate(async (u) => {
        const res = await fetch(u, { cache: 'no-store' });
        const b = new Uint8Array(await res.arrayBuffer());
        return { status: res.status, type: res.headers.get('content-type'), head: Array.from(b.slice(0, 32)), text: new TextDecoder().decode(b.slice(0, 200)) };
      }, url);
      assert.equal(r.status, 200, url);
      assert.equal(r.type, icon.type, url);
      if (icon.type === 'image/png') {
        assert.deepEqual(r.head.slice(0, 8), [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], `${url} is not a PNG`);
        const be32 = (o) => ((r.head[o] << 24) | (r.head[o + 1] << 16) | (r.head[o + 2] << 8) | r.head[o + 3]) >>> 0;
        assert.equal(`${be32(16)}x${be32(20)}`, icon.sizes, `${url} size`);
      } else {
        assert.match(r.text, /<svg/);
      }
    }
  } finally {
    await context.close();
  }
});

test('the one-file build opened from disk shows the board and keeps an edit after reopening', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'funnel-onefile-'));
  dirs.push(dir);
  const file = path.join(dir, 'funnel.html');
  const r = spawnSync(process.execPath, [path.join(repoRoot, 'scripts/onefile'), webRoot, file], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.ok(statSync(file).size > 1 << 20, 'one-file build suspiciously small');

  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const fetched = [];
    context.on('request', (req) => fetched.push(req.url()));
    const url = pathToFileURL(file).href;
    let page = await openApp(context, { url, path: '', query: '?lang=en' });
    await page.waitForFunction(() => window.funnel.itemRect('Lead') !== null, null, { timeout: 10000 });
    const title = `On disk ${Date.now()}`;
    await page.evaluate((t) => {
      const c = window.funnel.command({ op: 'customer.create', name: 'Disk Customer' });
      if (!c.ok) throw new Error(c.error);
      const d = window.funnel.command({ op: 'deal.create', title: t, customerId: c.result.id });
      if (!d.ok) throw new Error(d.error);
    }, title);
    await page.waitForFunction(() => {
      const s = window.funnelStorage && window.funnelStorage.status();
      return s && s.recorded >= 2 && s.saved >= s.recorded;
    }, null, { timeout: 15000 });
    assert.deepEqual(page.funnelErrors, []);
    await page.close();

    page = await openApp(context, { url, path: '', query: '?lang=en' });
    const titles = await page.evaluate(() => window.funnel.snapshot().deals.filter((d) => !d.deleted).map((d) => d.title));
    assert.ok(titles.includes(title), 'edit lost after reopening');
    await page.waitForFunction((t) => window.funnel.itemRect(t) !== null, title, { timeout: 10000 });
    // Everything came from the file itself (and data: URLs), fonts included.
    assert.deepEqual(fetched.filter((u) => !u.startsWith('file:') && !u.startsWith('data:')), []);
    assert.ok((await page.evaluate(() => window.funnel.stats().fontsLoaded)).includes('ui-latin'));
  } finally {
    await context.close();
  }
});
