// Team sync in the browser, end to end: two browser contexts (two devices, each its own
// IndexedDB) and funnel-serve's /sync/ endpoint. One device is set up through the real Settings
// UI (clicks and typing), the other through window.funnel.sync; both edit offline, sync, and see
// each other's edits; a concurrent edit of one field shows in the conflicts panel and "Keep
// theirs" resolves it on both; a broken team file on the server is reported, kept aside, and
// leaves the local data and the server file alone. Screenshots (build/screenshots/sync-*.png) of
// the settings, the status line and the conflicts panel in en and zh-Hans.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import http from 'node:http';
import { startServer, launchBrowser, openApp } from './harness.mjs';
import { saveScreenshot, waitInPage } from './pixels.mjs';

let server;
let browser;
let dir;
const viewport = { width: 1280, height: 860 };

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'funnel-sync-ui-'));
  server = await startServer({ args: ['--quiet', '--data', dir] });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function device(query = '?lang=en') {
  const context = await browser.newContext({ viewport });
  const page = await openApp(context, { url: server.url, query, viewport });
  page.context_ = context;
  return page;
}

async function settle(page) {
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => requestAnimationFrame(r)))));
}

async function rectOf(page, key) {
  return waitInPage(page, (k) => window.funnel.itemRect(k), key, { what: `item ${key}` });
}

async function click(page, key) {
  const r = await rectOf(page, key);
  await page.mouse.click(r.x + r.w / 2, r.y + r.h / 2);
  await settle(page);
}

const status = (page) => page.evaluate(() => window.funnel.sync.status());
const run = (page) => page.evaluate(() => window.funnel.sync.run());
const snapshot = (page) => page.evaluate(() => window.funnel.snapshot());
const dealByTitle = (doc, title) => doc.deals.find((d) => d.title === title);

function createDeal(page, title) {
  return page.evaluate((t) => {
    const doc = window.funnel.snapshot();
    const p = doc.pipelines.find((x) => x.id === doc.settings.defaultPipeline) || doc.pipelines[0];
    return window.funnel.command({ op: 'deal.create', title: t, pipelineId: p.id, stageId: p.stages[0].id });
  }, title);
}

async function syncOk(page, what) {
  const r = await run(page);
  assert.equal(r.ok, true, `${what}: ${JSON.stringify(r)}`);
  return r;
}

test('two devices: set up in Settings, edit offline, sync, resolve a conflict, survive a broken team file', async () => {
  const url = new URL('sync/team.json', server.url).href;
  const a = await device();
  const b = await device();
  try {
    // [A] Set up through the Settings UI: the status line leads there.
    await click(a, 'status:sync');
    assert.equal((await a.evaluate(() => window.funnel.stats())).route, '#/settings/sync');
    await click(a, 'field:sync.url');
    await a.keyboard.type(url);
    await settle(a);
    await click(a, 'button:sync.start');
    await waitInPage(a, () => {
      const s = window.funnel.sync.status();
      return s.configured && s.state === 'idle' && s.lastSyncedAt > 0;
    }, null, { what: 'A synced after setup' });
    const sa = await status(a);
    assert.equal(sa.url, url);
    assert.equal(sa.auth, 'none');
    // Device-local: not in the document shared with the team, not in localStorage.
    assert.ok(!JSON.stringify(await snapshot(a)).includes('sync/team.json'), 'URL not in the document');
    assert.equal(await a.evaluate(() => localStorage.length), 0, 'nothing in localStorage');
    const teamFile = path.join(dir, 'team.json');
    assert.ok(readFileSync(teamFile, 'utf8').includes('"sync"'), 'A created the team file');
    await saveScreenshot(a, 'sync-settings-en');

    // [B] Set up through window.funnel.sync.
    assert.deepEqual(await b.evaluate((u) => window.funnel.sync.setup({ url: u, intervalS: 3600 }), url), { ok: true });
    await syncOk(b, 'B first sync');
    await syncOk(a, 'A pulls B');

    // Both edit offline.
    await a.context_.setOffline(true);
    await b.context_.setOffline(true);
    assert.equal((await createDeal(a, 'Offline deal from A')).ok, true);
    assert.equal((await createDeal(b, 'Offline deal from B')).ok, true);
    const offlineRun = await run(a);
    assert.equal(offlineRun.ok, false);
    assert.equal(offlineRun.offline, true);
    await waitInPage(a, () => window.funnel.sync.status().state === 'offline', null, { what: 'A says offline' });
    assert.ok((await a.evaluate(() => window.funnel.itemKeys())).some((k) => k.startsWith('Offline: your changes are kept')),
      'the status line says offline in plain words');
    await a.context_.setOffline(false);
    await b.context_.setOffline(false);
    await syncOk(a, 'A after reconnect');
    await syncOk(b, 'B after reconnect');
    await syncOk(a, 'A pulls B');
    for (const [name, page] of [['A', a], ['B', b]]) {
      const doc = await snapshot(page);
      assert.ok(dealByTitle(doc, 'Offline deal from A'), `${name} has A's offline deal`);
      assert.ok(dealByTitle(doc, 'Offline deal from B'), `${name} has B's offline deal`);
    }
    const synced = await status(a);
    assert.equal(synced.pendingOut, false, 'nothing waiting after a confirmed sync');
    await saveScreenshot(a, 'sync-status-en', { clip: { x: 0, y: viewport.height - 40, width: viewport.width, height: 40 } });

    // A concurrent edit of one field: B's later edit wins, A's value is a logged conflict.
    const id = dealByTitle(await snapshot(a), 'Offline deal from A').id;
    assert.equal((await a.evaluate((i) => window.funnel.command({ op: 'deal.set', id: i, field: 'title', value: 'Title from A' }), id)).ok, true);
    await new Promise((r) => setTimeout(r, 20));
    assert.equal((await b.evaluate((i) => window.funnel.command({ op: 'deal.set', id: i, field: 'title', value: 'Title from B' }), id)).ok, true);
    await syncOk(b, 'B sends its title');
    await syncOk(a, 'A merges');
    await syncOk(b, 'B merges');
    const ca = await status(a);
    assert.equal(ca.conflicts.length, 1, `A shows one conflict: ${JSON.stringify(ca.conflicts)}`);
    assert.equal(ca.conflicts[0].field, 'title');
    assert.equal((await status(b)).conflicts.length, 1, 'B shows it too');
    const titleA = (await snapshot(a)).deals.find((d) => d.id === id).title;
    assert.equal(titleA, (await snapshot(b)).deals.find((d) => d.id === id).title, 'both show the same current title');

    // [A] The conflicts panel, reached from the status line; "Keep theirs" keeps B's title.
    await a.evaluate(() => window.funnel.open('#/board'));
    await settle(a);
    await click(a, 'status:sync-conflicts');
    await rectOf(a, `conflict:deal:${id}:title`);
    await settle(a);
    await saveScreenshot(a, 'sync-conflicts-en');
    await click(a, 'Keep theirs');
    await waitInPage(a, () => window.funnel.sync.status().conflicts.length === 0, null, { what: 'conflict resolved on A' });
    await syncOk(a, 'A sends the resolution');
    await syncOk(b, 'B merges the resolution');
    for (const [name, page] of [['A', a], ['B', b]]) {
      assert.equal((await snapshot(page)).deals.find((d) => d.id === id).title, 'Title from B', `${name} keeps B's title`);
      assert.equal((await status(page)).conflicts.length, 0, `${name} has no open conflict`);
    }

    // zh-Hans: the same screens in Chinese (a fresh conflict for the panel).
    await a.evaluate((i) => window.funnel.command({ op: 'deal.set', id: i, field: 'value', value: 1000 }), id);
    await new Promise((r) => setTimeout(r, 20));
    await b.evaluate((i) => window.funnel.command({ op: 'deal.set', id: i, field: 'value', value: 2000 }), id);
    await syncOk(b, 'B value');
    await syncOk(a, 'A value');
    await a.evaluate(() => window.funnel.setLanguage('zh-Hans'));
    await waitInPage(a, () => window.funnel.stats().fontsLoaded.includes('cjk-sc'), null, { what: 'CJK face' });
    await a.evaluate(() => window.funnel.open('#/settings/sync'));
    await settle(a);
    await rectOf(a, `conflict:deal:${id}:value`);
    await settle(a);
    await saveScreenshot(a, 'sync-conflicts-zh-Hans');
    await a.evaluate(() => window.funnel.open('#/board'));
    await settle(a);
    await saveScreenshot(a, 'sync-status-zh-Hans', { clip: { x: 0, y: viewport.height - 40, width: viewport.width, height: 40 } });
    await a.evaluate(() => window.funnel.setLanguage('en'));

    // A broken team file on the server: refused, kept aside, local data and server file untouched.
    const before = await snapshot(a);
    const garbage = '{"format":"funnel","deals":[{"id":"x","title":';
    writeFileSync(teamFile, garbage);
    const bad = await run(a);
    assert.equal(bad.ok, false);
    assert.equal(bad.error, 'sync.error.bad_remote');
    assert.ok(bad.backup && bad.backup.startsWith('rejected-'), `kept as a backup: ${JSON.stringify(bad)}`);
    assert.deepEqual(await snapshot(a), before, 'local data untouched');
    assert.equal(readFileSync(teamFile, 'utf8'), garbage, 'the server file was not overwritten');
    const se = await status(a);
    assert.equal(se.state, 'error');
    await settle(a);
    assert.ok((await a.evaluate(() => window.funnel.itemKeys())).some((k) => k.startsWith('Not synced: The team file on the server is damaged')),
      'the status line says what is wrong in plain words');
    await a.evaluate(() => window.funnel.open('#/settings/sync'));
    await settle(a);
    await saveScreenshot(a, 'sync-error-en');
    // The protocol's own answers (404 before the team file exists, 412 when another device
    // wrote first) are logged by Chromium as failed loads; anything else is an error.
    const real = (errors) => errors.filter((e) => !/status of (404|412) /.test(e));
    assert.deepEqual(real(a.funnelErrors), []);
    assert.deepEqual(real(b.funnelErrors), []);
  } finally {
    await a.context_.close();
    await b.context_.close();
  }
});

// [SECTION] Hostile servers (issue #12): bodies over the limit, refused files kept as backups,
// allocations that fail. A small server of the test's own (CORS open, strong ETags) serves them.

// Starts a server whose handler(req, res) answers /…; resolves to {url(path), close(), log}.
async function hostileServer(handler) {
  const log = { bytesSent: 0, closedEarly: 0 };
  const srv = http.createServer((req, res) => {
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Access-Control-Allow-Headers', 'If-Match, If-None-Match, Content-Type, Authorization');
    res.setHeader('Access-Control-Allow-Methods', 'GET, HEAD, PUT, OPTIONS');
    res.setHeader('Access-Control-Expose-Headers', 'ETag');
    res.setHeader('Cache-Control', 'no-store');
    if (req.method === 'OPTIONS') { res.writeHead(204); res.end(); return; }
    res.on('close', () => { if (!res.writableFinished) log.closedEarly += 1; });
    handler(req, res, log);
  });
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address();
  return {
    url: (p) => `http://127.0.0.1:${port}${p}`,
    log,
    close: () => new Promise((r) => { srv.closeAllConnections?.(); srv.close(r); }),
  };
}

// Writes `chunk` until `total` bytes went out or the client went away.
function stream(res, log, chunk, total) {
  let sent = 0;
  const more = () => {
    while (sent < total) {
      sent += chunk.length;
      log.bytesSent += chunk.length;
      if (!res.write(chunk)) { res.once('drain', more); return; }
    }
    res.end();
  };
  res.on('close', () => { sent = total; });
  more();
}

test('a team file over the size limit is not read: the body streams through a byte cap', async () => {
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  const hostile = await hostileServer((req, res, log) => {
    if (req.url.startsWith('/endless')) {
      // No Content-Length: only counting the bytes as they come can stop it.
      res.writeHead(200, { 'Content-Type': 'application/json', ETag: '"endless-1"' });
      stream(res, log, chunk, 48 << 20);
    } else if (req.url.startsWith('/declared')) {
      // Announces more than the codec's document limit (256 MB), then trickles.
      res.writeHead(200, { 'Content-Type': 'application/json', ETag: '"declared-1"', 'Content-Length': String(300 << 20) });
      res.write(chunk);
      setTimeout(() => res.destroy(), 3000);
    } else {
      res.writeHead(404); res.end();
    }
  });
  const page = await device();
  try {
    const before = await snapshot(page);
    assert.deepEqual(await page.evaluate((u) => window.funnel.sync.setup({ url: u, intervalS: 3600, maxBytes: 1 << 20 }), hostile.url('/endless.json')), { ok: true });
    const endless = await run(page);
    assert.equal(endless.ok, false);
    assert.equal(endless.error, 'sync.error.too_large', JSON.stringify(endless));
    assert.ok(hostile.log.bytesSent < 16 << 20, `stopped reading early (${hostile.log.bytesSent} bytes sent)`);
    assert.equal((await status(page)).state, 'error');
    await settle(page);
    assert.ok((await page.evaluate(() => window.funnel.itemKeys())).some((k) => k.includes('larger than Funnel can open')),
      'the status line says so in plain words');

    // The default cap is the codec's document limit: a Content-Length over it is refused at once.
    assert.deepEqual(await page.evaluate((u) => window.funnel.sync.setup({ url: u, intervalS: 3600 }), hostile.url('/declared.json')), { ok: true });
    const declared = await run(page);
    assert.equal(declared.error, 'sync.error.too_large', JSON.stringify(declared));
    assert.deepEqual(await snapshot(page), before, 'local data untouched');
  } finally {
    await page.context_.close();
    await hostile.close();
  }
});

// rejected-*.json files in the page's device folders, straight from IndexedDB (IDBFS keeps one
// database per mount, its files under their paths in the FILE_DATA store).
async function backupsOnDisk(page) {
  return page.evaluate(async () => {
    const names = (await indexedDB.databases()).map((d) => d.name).filter((n) => n.includes('funnel-device'));
    const found = [];
    for (const name of names) {
      const db = await new Promise((resolve, reject) => { const r = indexedDB.open(name); r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error); });
      if (db.objectStoreNames.contains('FILE_DATA')) {
        const keys = await new Promise((resolve, reject) => {
          const r = db.transaction('FILE_DATA').objectStore('FILE_DATA').getAllKeys();
          r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error);
        });
        for (const k of keys) if (String(k).includes('/rejected-')) found.push(String(k).split('/').pop());
      }
      db.close();
    }
    return found.sort();
  });
}

test('refused team files kept as backups are pruned on disk, across reloads too', async () => {
  const hostile = await hostileServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json', ETag: '"broken-1"' });
    res.end('{"format":"funnel","version":1,"deals":[{"id":"x","title":');
  });
  const page = await device();
  try {
    assert.deepEqual(await page.evaluate((u) => window.funnel.sync.setup({ url: u, intervalS: 3600, remember: false }), hostile.url('/team.json')), { ok: true });
    const refuseTimes = async (n) => {
      for (let i = 0; i < n; ++i) {
        const r = await run(page);
        assert.equal(r.error, 'sync.error.bad_remote', JSON.stringify(r));
      }
    };
    await refuseTimes(4);
    // Each backup is written to IndexedDB asynchronously: let the four reach the disk first.
    for (let i = 0; i < 200 && (await backupsOnDisk(page)).length < 4; ++i) await settle(page);
    assert.equal((await backupsOnDisk(page)).length, 4, 'four backups on disk before the reload');
    await page.reload();
    await page.waitForFunction(() => window.funnel && window.funnel.ready, null, { timeout: 30000 });
    await page.evaluate(() => window.funnel.ready);
    await waitInPage(page, () => window.funnel.sync.status().configured, null, { what: 'sync settings read after the reload' });
    await refuseTimes(4);
    // The commit of the device folder is asynchronous: wait until the disk shows the newest one.
    const newest = (await status(page)).backups.at(-1);
    const onDisk = await waitInPage(page, (n) => {
      const names = window.funnel.sync.status().backups;
      return names.includes(n) ? names : null;
    }, newest, { what: 'the newest backup listed' });
    let disk = [];
    for (let i = 0; i < 100; ++i) {
      disk = await backupsOnDisk(page);
      if (disk.includes(newest) && disk.length <= 5) break;
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(r)));
    }
    assert.ok(disk.includes(newest), `the newest backup is on disk: ${disk}`);
    assert.equal(disk.length, 5, `the newest five of eight kept on disk: ${disk}`);
    assert.deepEqual(onDisk.slice().sort(), disk, 'the status lists what is on disk');
  } finally {
    await page.context_.close();
    await hostile.close();
  }
});

test('allocations that fail are reported, never written over address 0', async () => {
  const team = JSON.stringify({ format: 'funnel', version: 1, deals: [], notes: 'n'.repeat(300000) });
  const hostile = await hostileServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json', ETag: '"big-1"' });
    res.end(team);
  });
  const page = await device();
  try {
    const before = await snapshot(page);
    // window.funnel's calls (funnel-shell.js): a clear error, no call with a null argument.
    const api = await page.evaluate(() => {
      const real = Module._malloc;
      Module._malloc = () => 0;
      try {
        window.funnel.command({ op: 'customer.create', name: 'Never' });
        return 'no error';
      } catch (e) {
        return String(e.message);
      } finally {
        Module._malloc = real;
      }
    });
    assert.match(api, /not enough memory/);
    // The sync glue (EM_JS): no memory for the answer's body → reported, nothing merged.
    assert.deepEqual(await page.evaluate((u) => window.funnel.sync.setup({ url: u, intervalS: 3600 }), hostile.url('/team.json')), { ok: true });
    const r = await page.evaluate(async () => {
      const real = window._malloc;
      window._malloc = (n) => (n > 100000 ? 0 : real(n));
      try {
        return await window.funnel.sync.run();
      } finally {
        window._malloc = real;
      }
    });
    assert.equal(r.ok, false);
    assert.equal(r.error, 'sync.error.too_large', JSON.stringify(r));
    assert.deepEqual(await snapshot(page), before, 'nothing changed');
    const ok = await page.evaluate(() => window.funnel.command({ op: 'customer.create', name: 'Still fine' }));
    assert.equal(ok.ok, true, 'the app still works');
    assert.deepEqual(page.funnelErrors.filter((e) => !/status of (404|412) /.test(e)), []);
  } finally {
    await page.context_.close();
    await hostile.close();
  }
});
