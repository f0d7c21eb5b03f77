// Offline and updates, end to end (issue 6): the service worker (web/sw.js, registered by
// web/sw-register.js) must bring the app and its data back with the network gone, and must
// offer a new deployment without losing data. Each test serves its own copy of the web build
// with funnel-serve, so it can stop the server (really offline, not only emulated) or put a
// changed build in place.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync, appendFileSync, rmSync, existsSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, launchBrowser, openApp, webRoot, repoRoot } from './harness.mjs';

let browser;
const dirs = [];

before(async () => {
  if (!existsSync(path.join(webRoot, 'version.js'))) {
    throw new Error(`${webRoot}/version.js missing: build with scripts/build web (it stamps the build)`);
  }
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function copyOfBuild() {
  const dir = mkdtempSync(path.join(tmpdir(), 'funnel-offline-'));
  dirs.push(dir);
  cpSync(webRoot, dir, { recursive: true });
  return dir;
}

// What the stamp says about a folder: the id the service worker will use for it.
function stampedBuild(dir) {
  const text = readFileSync(path.join(dir, 'version.js'), 'utf8');
  const m = text.match(/id: "([0-9a-f]{16})"/);
  assert.ok(m, `no build id in ${dir}/version.js`);
  for (const f of ['index.html', 'funnel.js', 'funnel.wasm', 'sw.js']) {
    assert.ok(text.includes(`"${f}": "`), `${dir}/version.js does not cover ${f}`);
  }
  return m[1];
}

// A new deployment: different bytes in funnel.js, stamped again like scripts/build does.
function deployChange(dir) {
  appendFileSync(path.join(dir, 'funnel.js'), `\n// deployment ${Date.now()}\n`);
  const r = spawnSync('cmake', [`-DFUNNEL_WEB_OUT=${dir}`, '-P', path.join(repoRoot, 'scripts/stamp-build.cmake')], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
}

async function waitForOfflineReady(page) {
  const build = await page.evaluate(() => window.funnel.offline.ready);
  assert.equal(await page.evaluate(() => !!navigator.serviceWorker.controller), true, 'page not controlled by the service worker');
  return build;
}

// Creates a customer and a deal through the automation API and waits until storage says all of
// it is durable (window.funnelStorage, app/platform/web/persistence.h).
async function createDeal(page, title) {
  const id = await page.evaluate((t) => {
    const c = window.funnel.command({ op: 'customer.create', name: 'Offline Customer' });
    if (!c.ok) throw new Error(c.error);
    const d = window.funnel.command({ op: 'deal.create', title: t, customerId: c.result.id, value: 1234 });
    if (!d.ok) throw new Error(d.error);
    return d.result.id;
  }, title);
  await page.waitForFunction(() => {
    const s = window.funnelStorage && window.funnelStorage.status();
    return s && s.recorded >= 2 && s.saved >= s.recorded;
  }, null, { timeout: 15000 });
  return id;
}

function dealTitles(snapshot) {
  return (snapshot.deals || []).filter((d) => !d.deleted).map((d) => d.title);
}

test('with the network gone, a reload brings back the board and the data saved before', async () => {
  const dir = copyOfBuild();
  const server = await startServer({ root: dir, args: ['--quiet'] });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const page = await openApp(context, { url: server.url });
    const build = await waitForOfflineReady(page);
    assert.equal(build, stampedBuild(dir));
    const title = `Offline deal ${Date.now()}`;
    await createDeal(page, title);
    const fontsOnline = (await page.evaluate(() => window.funnel.stats())).fontsLoaded;

    // Offline for real: the emulation and no server behind it.
    await context.setOffline(true);
    await server.stop();
    await page.reload();
    await page.waitForFunction(() => window.funnel && window.funnel.ready, null, { timeout: 30000 });
    await page.evaluate(() => window.funnel.ready);
    assert.equal(await page.evaluate(() => navigator.onLine), false);

    assert.ok(dealTitles(await page.evaluate(() => window.funnel.snapshot())).includes(title), 'deal lost offline');
    await page.waitForFunction(() => window.funnel.itemRect('Lead') !== null, null, { timeout: 10000 });
    const rect = await page.evaluate(() => window.funnel.itemRect('Lead'));
    assert.ok(rect.w > 0 && rect.h > 0, 'stage label not drawn');
    await page.waitForFunction((t) => window.funnel.itemRect(t) !== null, title, { timeout: 10000 });
    // Every face the online page had (the CJK one arrives after the first frame) came from the cache.
    await page.waitForFunction((want) => want.every((f) => window.funnel.stats().fontsLoaded.includes(f)), fontsOnline, { timeout: 10000 });
    assert.equal(await page.evaluate(() => window.funnel.offline.build), build);
  } finally {
    await context.close();
    await server.stop();
  }
});

test('a new deployment is offered, applied by Reload, and keeps the data', async () => {
  const dir = copyOfBuild();
  const server = await startServer({ root: dir, args: ['--quiet'] });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const page = await openApp(context, { url: server.url, query: '?lang=ko' });
    const first = await waitForOfflineReady(page);
    const title = `배포 전 거래 ${Date.now()}`;
    await createDeal(page, title);
    assert.equal(await page.evaluate(() => window.funnel.updateReady), false);
    assert.equal(await page.locator('#funnel-update').count(), 0);

    deployChange(dir);
    const second = stampedBuild(dir);
    assert.notEqual(second, first);
    assert.equal(await page.evaluate(() => window.funnel.checkForUpdate()), true);
    await page.waitForFunction(() => window.funnel.updateReady === true, null, { timeout: 20000 });
    // The old build keeps running until the person chooses to reload.
    assert.equal(await page.evaluate(() => window.funnel.offline.build), first);
    const banner = page.locator('#funnel-update');
    await banner.waitFor({ state: 'visible' });
    assert.match(await banner.textContent(), /새 버전/);

    await Promise.all([
      page.waitForNavigation({ timeout: 20000 }),
      page.locator('#funnel-update-reload').click(),
    ]);
    await page.waitForFunction(() => window.funnel && window.funnel.ready, null, { timeout: 30000 });
    await page.evaluate(() => window.funnel.ready);
    assert.equal(await page.evaluate(() => window.funnel.offline.ready), second);
    assert.equal(await page.evaluate(() => window.funnel.updateReady), false);
    assert.ok(dealTitles(await page.evaluate(() => window.funnel.snapshot())).includes(title), 'deal lost by the update');
    // Only the new build's cache is left.
    const caches = await page.evaluate(() => caches.keys());
    assert.deepEqual(caches.filter((c) => c.startsWith('funnel-')), [`funnel-${second}`]);

    // And the new build itself works offline.
    await context.setOffline(true);
    await server.stop();
    await page.reload();
    await page.waitForFunction(() => window.funnel && window.funnel.ready, null, { timeout: 30000 });
    await page.evaluate(() => window.funnel.ready);
    assert.equal(await page.evaluate(() => window.funnel.offline.build), second);
    assert.ok(dealTitles(await page.evaluate(() => window.funnel.snapshot())).includes(title));
  } finally {
    await context.close();
    await server.stop();
  }
});

// Polls across navigations (the page may load twice) until the page runs `build`.
async function waitForBuild(page, build, timeoutMs = 60000) {
  const deadline = Date.now() + timeoutMs;
  let seen = null;
  while (Date.now() < deadline) {
    try {
      seen = await page.evaluate(() => (window.funnel && window.funnel.offline ? window.funnel.offline.build : null));
      if (seen === build) {
        await page.evaluate(() => window.funnel.ready);
        return;
      }
    } catch (e) {
      // navigating: ask again
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`page still runs build ${seen}, expected ${build}`);
}

// Was skipped as flaky: it was an app bug. The page asked the waiting worker to skipWaiting()
// while it was loading its files through the active one, which Chromium then never found idle,
// so the new build never took over. The active worker now hands over on the navigation itself
// (web/sw.js handOver()).
test('a plain reload also applies a waiting deployment, with the data', async () => {
  const dir = copyOfBuild();
  const server = await startServer({ root: dir, args: ['--quiet'] });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const page = await openApp(context, { url: server.url, query: '?lang=zh-Hans' });
    const first = await waitForOfflineReady(page);
    const title = `更新前的商机 ${Date.now()}`;
    await createDeal(page, title);
    deployChange(dir);
    const second = stampedBuild(dir);
    await page.evaluate(() => window.funnel.checkForUpdate());
    await page.waitForFunction(() => window.funnel.updateReady === true, null, { timeout: 20000 });
    assert.match(await page.locator('#funnel-update').textContent(), /新版本/);
    assert.equal(await page.evaluate(() => window.funnel.offline.build), first);
    await page.reload();
    await waitForBuild(page, second);
    assert.equal(await page.evaluate(() => window.funnel.updateReady), false);
    assert.ok(dealTitles(await page.evaluate(() => window.funnel.snapshot())).includes(title), 'deal lost by the update');
  } finally {
    await context.close();
    await server.stop();
  }
});

// Asks the browser for the new sw.js now and resolves to where its install ended: 'installed'
// (waiting), 'redundant' (refused), or 'none' (no new version seen).
async function updateOutcome(page) {
  return page.evaluate(async () => {
    const reg = await navigator.serviceWorker.getRegistration();
    await reg.update();
    const w = reg.installing || reg.waiting;
    if (!w) return 'none';
    const done = () => w.state === 'installed' || w.state === 'activated' || w.state === 'redundant';
    if (done()) return w.state;
    return new Promise((resolve) => w.addEventListener('statechange', () => { if (done()) resolve(w.state); }));
  });
}

test('a half-uploaded deployment (new stamp, old funnel.js) is refused; the old build stays until the upload is whole', async () => {
  const dir = copyOfBuild();
  const server = await startServer({ root: dir, args: ['--quiet'] });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const page = await openApp(context, { url: server.url });
    const first = await waitForOfflineReady(page);
    const title = `Before the upload ${Date.now()}`;
    await createDeal(page, title);
    // The new version.js (and sw.js) are on the server, the new funnel.js not yet.
    const oldJs = readFileSync(path.join(dir, 'funnel.js'));
    deployChange(dir);
    const second = stampedBuild(dir);
    const newJs = readFileSync(path.join(dir, 'funnel.js'));
    writeFileSync(path.join(dir, 'funnel.js'), oldJs);
    assert.equal(await updateOutcome(page), 'redundant', 'the install must refuse bytes that are not the stamped build');
    assert.equal(await page.evaluate(() => window.funnel.updateReady), false);
    const names = await page.evaluate(() => caches.keys());
    assert.ok(names.includes(`funnel-${first}`), `the old build's cache is kept: ${names}`);
    // Reloading keeps running the old build, with the data.
    await page.reload();
    await page.waitForFunction(() => window.funnel && window.funnel.ready, null, { timeout: 30000 });
    assert.equal(await page.evaluate(() => window.funnel.offline.ready), first);
    assert.ok(dealTitles(await page.evaluate(() => window.funnel.snapshot())).includes(title));
    // The upload completes: now the new build installs.
    writeFileSync(path.join(dir, 'funnel.js'), newJs);
    assert.equal(await updateOutcome(page), 'installed');
    await page.waitForFunction(() => window.funnel.updateReady === true, null, { timeout: 20000 });
    const cached = await page.evaluate(async (name) => {
      const res = await (await caches.open(name)).match(new URL('funnel.js', location.href).href);
      return res ? res.text() : null;
    }, `funnel-${second}`);
    assert.equal(cached, newJs.toString('utf8'), 'the new cache holds the new funnel.js');
  } finally {
    await context.close();
    await server.stop();
  }
});

test('a server error on navigation opens the cached app, not the error page', async () => {
  const dir = copyOfBuild();
  const server = await startServer({ root: dir, args: ['--quiet'] });
  // A reverse proxy in front of funnel-serve, as in a real deployment; `broken` plays its
  // backend going down (every answer a 502).
  const backend = new URL(server.url);
  let broken = false;
  const proxy = http.createServer((req, res) => {
    if (broken) {
      res.writeHead(502, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end('<!doctype html><title>502</title><h1>Bad Gateway</h1>');
      return;
    }
    const up = http.request({ host: backend.hostname, port: backend.port, path: req.url, method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode, r.headers);
      r.pipe(res);
    });
    up.on('error', () => { res.writeHead(502); res.end(); });
    req.pipe(up);
  });
  await new Promise((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${proxy.address().port}/`;
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const page = await openApp(context, { url });
    const build = await waitForOfflineReady(page);
    const title = `Before the outage ${Date.now()}`;
    await createDeal(page, title);
    broken = true;
    await page.reload();
    await page.waitForFunction(() => window.funnel && window.funnel.ready, null, { timeout: 30000 });
    await page.evaluate(() => window.funnel.ready);
    assert.equal(await page.evaluate(() => window.funnel.offline.build), build);
    assert.ok(dealTitles(await page.evaluate(() => window.funnel.snapshot())).includes(title), 'the data is there');
  } finally {
    await context.close();
    await server.stop();
    await new Promise((r) => { proxy.closeAllConnections?.(); proxy.close(r); });
  }
});

test('the service worker leaves other requests alone: POST and files that are not the app', async () => {
  const dir = copyOfBuild();
  const server = await startServer({ root: dir, args: ['--quiet'] });
  const context = await browser.newContext();
  let stopped = false;
  try {
    const page = await openApp(context, { url: server.url });
    await waitForOfflineReady(page);
    await context.setOffline(true);
    // Requests the worker passes through are not always covered by setOffline in Chromium: stop
    // the server too, so "went to the network" reliably reads as a failure.
    await server.stop();
    stopped = true;
    // Not an app file: must not be answered from the cache (it was never fetched, and a team
    // sync file must always be read fresh from the network).
    const unknown = await page.evaluate(() => fetch('team.json').then((r) => `status ${r.status}`, (e) => `failed ${e.name}`));
    assert.match(unknown, /^failed/);
    const post = await page.evaluate(() => fetch('funnel.js', { method: 'POST', body: 'x' }).then((r) => `status ${r.status}`, (e) => `failed ${e.name}`));
    assert.match(post, /^failed/);
    // An app file is answered from the cache with the network gone.
    const wasm = await page.evaluate(() => fetch('funnel.wasm').then((r) => `${r.status} ${r.headers.get('content-type')}`));
    assert.equal(wasm, '200 application/wasm');
  } finally {
    await context.close();
    if (!stopped) await server.stop();
  }
});
