// Team sync through a shared folder (docs/SYNC.md §8), end to end in Chromium: two browser
// profiles (contexts: each its own IndexedDB) and a funnel-sync process share one real folder on
// disk and converge with nothing lost; permission loss is shown and recovered with one click;
// a browser without the File System Access API says so and offers the server.
//
// The folder picker cannot be driven headless, so each page gets a test-only stand-in: an init
// script replaces window.showDirectoryPicker with one that returns a FileSystemDirectoryHandle-
// like object (kind, name, queryPermission/requestPermission, values(), getFileHandle, removeEntry;
// file handles with getFile() and createWritable()) backed by a small loopback server over the
// real folder, which writes a temporary file in the folder and renames it over the target (the
// swap createWritable().close() does). It is registered in window.funnelTestFolders so the app
// can find it again after a reload (platform/web/folder.h). Like Chromium, the stand-in grants
// requestPermission() only during a user's click (navigator.userActivation).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import http from 'node:http';
import fs from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, launchBrowser, openApp } from './harness.mjs';
import { funnelSyncPath } from './syncclient.mjs';
import { saveScreenshot, waitInPage } from './pixels.mjs';

let server;
let browser;
let folderServer;
let work;
let shared;
const viewport = { width: 1280, height: 860 };

// The loopback server over the real folder: list, read (size and time of the file read),
// write (temporary file + rename), remove.
function startFolderServer(dir) {
  const srv = http.createServer((req, res) => {
    const u = new URL(req.url, 'http://x');
    const name = u.searchParams.get('name') || '';
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Access-Control-Allow-Methods', 'GET, PUT, DELETE');
    res.setHeader('Access-Control-Expose-Headers', 'X-Size, X-Modified');
    if (req.method === 'OPTIONS') return res.end();
    if (name.includes('/') || name.includes('\\') || name === '..') { res.statusCode = 400; return res.end(); }
    const file = path.join(dir, name);
    try {
      if (u.pathname === '/list') {
        const files = fs.readdirSync(dir).flatMap((n) => {
          const st = fs.statSync(path.join(dir, n), { throwIfNoEntry: false });
          return st && st.isFile() ? [{ name: n, size: st.size, modified: Math.floor(st.mtimeMs) }] : [];
        });
        res.setHeader('Content-Type', 'application/json');
        return res.end(JSON.stringify(files));
      }
      if (u.pathname === '/read') {
        let fd;
        try { fd = fs.openSync(file, 'r'); } catch { res.statusCode = 404; return res.end(); }
        const st = fs.fstatSync(fd);
        const body = fs.readFileSync(fd);
        fs.closeSync(fd);
        res.setHeader('X-Size', String(st.size));
        res.setHeader('X-Modified', String(Math.floor(st.mtimeMs)));
        return res.end(body);
      }
      if (u.pathname === '/write' && req.method === 'PUT') {
        const chunks = [];
        req.on('data', (c) => chunks.push(c));
        req.on('end', () => {
          const temp = path.join(dir, `.${name}.${process.pid}-${Math.random().toString(16).slice(2)}.tmp`);
          fs.writeFileSync(temp, Buffer.concat(chunks));
          fs.renameSync(temp, file);
          res.end();
        });
        return;
      }
      if (u.pathname === '/remove' && req.method === 'DELETE') {
        try { fs.unlinkSync(file); } catch { res.statusCode = 404; }
        return res.end();
      }
      res.statusCode = 404;
      res.end();
    } catch (e) {
      res.statusCode = 500;
      res.end(String(e));
    }
  });
  return new Promise((resolve) => srv.listen(0, '127.0.0.1', () => resolve({
    url: `http://127.0.0.1:${srv.address().port}`,
    stop: () => new Promise((r) => srv.close(r)),
  })));
}

// The stand-in handle (runs in the page before the app).
function installFolder({ base, folderName, pickerNeedsClick }) {
  let permission = 'granted';
  window.__folderTest = { setPermission(p) { permission = p; }, requestsWithoutClick: 0, requestsWithClick: 0 };
  const call = async (method, p, body) => {
    const r = await fetch(base + p, { method, body });
    if (r.status === 404) { const e = new Error(`not found: ${p}`); e.name = 'NotFoundError'; throw e; }
    if (!r.ok) throw new Error(`folder server: HTTP ${r.status}`);
    return r;
  };
  const fileHandle = (name) => ({
    kind: 'file',
    name,
    async getFile() {
      const r = await call('GET', `/read?name=${encodeURIComponent(name)}`);
      const bytes = await r.arrayBuffer();
      return new File([bytes], name, { lastModified: Number(r.headers.get('X-Modified')) });
    },
    async createWritable() {
      const parts = [];
      return {
        async write(d) { parts.push(d); },
        async close() { await call('PUT', `/write?name=${encodeURIComponent(name)}`, new Blob(parts)); },
      };
    },
  });
  const dir = {
    kind: 'directory',
    name: folderName,
    async queryPermission() { return permission; },
    async requestPermission() {
      // Chromium grants only during a user's click (transient activation).
      if (!navigator.userActivation.isActive) { window.__folderTest.requestsWithoutClick++; return permission; }
      window.__folderTest.requestsWithClick++;
      permission = 'granted';
      return permission;
    },
    values() {
      let list = null;
      let i = 0;
      return {
        async next() {
          if (!list) list = await (await call('GET', '/list')).json();
          if (i >= list.length) return { done: true, value: undefined };
          return { done: false, value: fileHandle(list[i++].name) };
        },
      };
    },
    async getFileHandle(name, opts) {
      if (!(opts && opts.create)) {
        const list = await (await call('GET', '/list')).json();
        if (!list.some((f) => f.name === name)) { const e = new Error(`no ${name}`); e.name = 'NotFoundError'; throw e; }
      }
      return fileHandle(name);
    },
    async removeEntry(name) { await call('DELETE', `/remove?name=${encodeURIComponent(name)}`); },
  };
  window.funnelTestFolders = { [folderName]: dir };
  window.showDirectoryPicker = async () => {
    if (pickerNeedsClick && !navigator.userActivation.isActive) { const e = new Error('needs a click'); e.name = 'SecurityError'; throw e; }
    return dir;
  };
}

before(async () => {
  work = fs.mkdtempSync(path.join(tmpdir(), 'funnel-sync-folder-'));
  shared = path.join(work, 'shared');
  fs.mkdirSync(shared);
  server = await startServer({ args: ['--quiet'] });
  folderServer = await startFolderServer(shared);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  await folderServer?.stop();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

async function profile(query, folder) {
  const context = await browser.newContext({ viewport });
  if (folder) await context.addInitScript(installFolder, folder);
  else await context.addInitScript(() => { delete window.showDirectoryPicker; window.showDirectoryPicker = undefined; });
  const page = await openApp(context, { url: server.url, query, viewport });
  page.context_ = context;
  return page;
}

async function settle(page) {
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => requestAnimationFrame(r)))));
}
const rectOf = (page, key) => waitInPage(page, (k) => window.funnel.itemRect(k), key, { what: `item ${key}`, timeout: 60000 });
async function click(page, key) {
  const r = await rectOf(page, key);
  await page.mouse.click(r.x + r.w / 2, r.y + r.h / 2);
  await settle(page);
}
const status = (page) => page.evaluate(() => window.funnel.sync.status());
const run = (page) => page.evaluate(() => window.funnel.sync.run());
const titles = (page) => page.evaluate(() => window.funnel.snapshot().deals.filter((d) => !d.deleted).map((d) => d.title).sort());
function createDeal(page, title) {
  return page.evaluate((t) => {
    const doc = window.funnel.snapshot();
    const p = doc.pipelines.find((x) => x.id === doc.settings.defaultPipeline) || doc.pipelines[0];
    return window.funnel.command({ op: 'deal.create', title: t, pipelineId: p.id, stageId: p.stages[0].id });
  }, title);
}
async function until(page, fn, arg, what) {
  return waitInPage(page, fn, arg, { what, timeout: 90000 });
}

// funnel-sync on the same real folder.
function native(actions) {
  const bin = funnelSyncPath();
  assert.ok(bin, 'funnel-sync is built (scripts/build native)');
  const args = ['--store', path.join(work, 'native'), '--folder', shared, '--replica', '00000000000000ee', '--backoff-ms', '50',
    '--max-attempts', '20', ...actions.map((a) => (typeof a === 'string' ? a : JSON.stringify(a)))];
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out, err }));
  });
}
async function nativeSync() {
  const r = await native(['sync']);
  assert.equal(r.code, 0, `funnel-sync: ${r.out}${r.err}`);
}
async function nativeTitles() {
  const r = await native(['dump']);
  assert.equal(r.code, 0, r.err);
  return JSON.parse(r.out).deals.filter((d) => !d.deleted).map((d) => d.title).sort();
}

async function syncOk(page, what) {
  const r = await run(page);
  assert.equal(r.ok, true, `${what}: ${JSON.stringify(r)} ${JSON.stringify(await status(page))}`);
  return r;
}

test('two browser profiles and funnel-sync share one real folder; permission loss shown and recovered', async () => {
  const first = await native(['command', { op: 'deal.create', id: 'n1', title: 'From the NAS job' }, 'sync']);
  assert.equal(first.code, 0, first.out + first.err);
  assert.ok(fs.existsSync(path.join(shared, 'team.json')));

  const a = await profile('?lang=zh-Hans', { base: folderServer.url, folderName: 'Team Drive', pickerNeedsClick: true });
  const b = await profile('?lang=en', { base: folderServer.url, folderName: 'Team Drive', pickerNeedsClick: false });
  try {
    // [A] Settings → Team sync → A shared folder → Choose folder… → Start, all with the mouse.
    await click(a, 'status:sync');
    await click(a, 'field:sync.where.folder');
    await click(a, 'button:sync.folder.choose');
    await until(a, () => window.funnel.sync.status().folder === 'Team Drive', null, 'A: the folder is picked');
    await saveScreenshot(a, 'sync-folder-settings-zh-Hans');
    await click(a, 'button:sync.start');
    await until(a, () => window.funnel.sync.status().lastSyncedAt > 0, null, 'A: first sync');
    assert.equal((await status(a)).where, 'folder');
    assert.ok((await titles(a)).includes('From the NAS job'));

    // [B] window.funnel.sync.setup({folder: true}).
    assert.deepEqual(await b.evaluate(() => window.funnel.sync.setup({ folder: true, intervalS: 3600 })), { ok: true });
    await until(b, () => window.funnel.sync.status().configured, null, 'B: set up');
    await syncOk(b, 'B first');
    assert.ok((await titles(b)).includes('From the NAS job'));

    // Everybody edits, then all three sync at the same moment, twice over.
    for (let round = 0; round < 3; round++) {
      await createDeal(a, `A ${round}`);
      await createDeal(b, `B ${round}`);
      const n = await native(['command', { op: 'deal.create', id: `n-${round}`, title: `Native ${round}` }]);
      assert.equal(n.code, 0, n.err);
      const [ra, rb, rn] = await Promise.all([run(a), run(b), native(['sync'])]);
      // A lost race is retried inside the sync: each one ends confirmed.
      assert.equal(ra.ok, true, JSON.stringify(ra));
      assert.equal(rb.ok, true, JSON.stringify(rb));
      assert.equal(rn.code, 0, rn.out + rn.err);
    }
    // In turns until nobody has news.
    for (let pass = 0; pass < 2; pass++) {
      await syncOk(a, 'A');
      await syncOk(b, 'B');
      await nativeSync();
    }
    const expected = ['From the NAS job', ...[0, 1, 2].flatMap((r) => [`A ${r}`, `B ${r}`, `Native ${r}`])].sort();
    const ta = await titles(a);
    for (const t of expected) assert.ok(ta.includes(t), `A lacks ${t}`);
    assert.deepEqual(await titles(b), ta);
    assert.deepEqual(await nativeTitles(), ta);
    assert.ok(!fs.readdirSync(shared).some((n) => n.endsWith('.tmp')), 'no temporary file left behind');

    // Permission loss: the browser wants a click again. Edits wait locally, the page says so.
    await a.evaluate(() => window.__folderTest.setPermission('prompt'));
    await createDeal(a, 'While not allowed');
    const denied = await run(a);
    assert.equal(denied.ok, false);
    assert.equal(denied.error, 'sync.error.permission');
    const st = await status(a);
    assert.equal(st.folderPermission, false);
    assert.equal(st.state, 'error');
    assert.equal(st.pendingOut, true);
    await rectOf(a, 'button:sync.folder.allow');
    await saveScreenshot(a, 'sync-folder-permission-zh-Hans');
    // A request without a click is not enough (as in Chromium); the button's click is.
    await click(a, 'button:sync.folder.allow');
    await until(a, () => window.funnel.sync.status().folderPermission === true, null, 'A: permission back');
    assert.ok(await a.evaluate(() => window.__folderTest.requestsWithClick) >= 1);
    await until(a, () => { const s = window.funnel.sync.status(); return s.state === 'idle' && !s.pendingOut; }, null, 'A: the waiting edit went out');
    await nativeSync();
    assert.ok((await nativeTitles()).includes('While not allowed'));

    // A reload keeps the folder (the handle is in IndexedDB, device-local).
    await a.reload();
    await a.waitForFunction(() => window.funnel && window.funnel.ready, null, { timeout: 60000 });
    await until(a, () => window.funnel.sync.status().folder === 'Team Drive' && window.funnel.sync.status().configured, null, 'A: folder after reload');
    await syncOk(a, 'A after reload');

    // Dark theme, English: the folder form as a person sees it.
    await b.evaluate(() => window.funnel.command({ op: 'settings.set', field: 'theme', value: 'dark' }));
    await click(b, 'status:sync');
    await saveScreenshot(b, 'sync-folder-settings-dark-en');
    assert.deepEqual(a.funnelErrors, []);
    assert.deepEqual(b.funnelErrors, []);
  } finally {
    await a.context_.close();
    await b.context_.close();
  }
});

test('a browser without the File System Access API says so and offers the server', async () => {
  const c = await profile('?lang=en', null);
  try {
    await click(c, 'status:sync');
    await click(c, 'field:sync.where.folder');
    await rectOf(c, 'sync:folder-unsupported');
    await saveScreenshot(c, 'sync-folder-unsupported-en');
    const r = await c.evaluate(() => window.funnel.sync.setup({ folder: true }));
    assert.equal(r.ok, false);
    assert.match(r.error, /File System Access/);
    await click(c, 'button:sync.folder.use_server');
    await rectOf(c, 'field:sync.url');
    assert.equal((await status(c)).configured, false);
  } finally {
    await c.context_.close();
  }
});
