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
import { startServer, launchBrowser, openApp } from './harness.mjs';
import { saveScreenshot, waitInPage } from './pixels.mjs';
import { steadyRectOf } from './input.mjs';

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
  const r = await steadyRectOf(page, key);
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
