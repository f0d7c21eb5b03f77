// Several tabs of one browser (one context: one IndexedDB, one store) and team sync: each live
// tab stamps under its own replica id (a Web Lock slot, docs/SYNC.md "Several tabs"), slot ids are
// reused after a tab closes, and a concurrent edit of one deal field in two tabs ends, after a
// team sync through funnel-serve, as one current value and the other in the conflict log — in
// both tabs and in the team file. Also without Web Locks (the BroadcastChannel fallback).
// Screenshot: build/screenshots/sync-tabs-conflicts-en.png (both sides "this device").
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, launchBrowser, openApp } from './harness.mjs';
import { saveScreenshot, waitInPage } from './pixels.mjs';

let server;
let browser;
let dir;
const viewport = { width: 1280, height: 860 };

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'funnel-sync-tabs-'));
  server = await startServer({ args: ['--quiet', '--data', dir] });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const status = (page) => page.evaluate(() => window.funnel.sync.status());
const snapshot = (page) => page.evaluate(() => window.funnel.snapshot());
const replicaOf = (stamp) => stamp.slice(-16);

async function syncOk(page, what) {
  const r = await page.evaluate(() => window.funnel.sync.run());
  assert.equal(r.ok, true, `${what}: ${JSON.stringify(r)}`);
}

function setTitle(page, id, title) {
  return page.evaluate(([i, t]) => window.funnel.command({ op: 'deal.set', id: i, field: 'title', value: t }), [id, title]);
}

// Both tabs have saved everything and applied each other's saves.
async function quiet(pages) {
  for (const p of pages) {
    await waitInPage(p, () => {
      const s = window.funnelStorage.status();
      return s.state === 'saved' && s.pending === 0 && s.incoming === 0;
    }, null, { what: 'storage saved' });
  }
}

async function settle(page) {
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => requestAnimationFrame(r)))));
}

test('two tabs: own replica ids, slots reused, a concurrent edit ends current + logged after a team sync', async () => {
  const url = new URL('sync/tabs.json', server.url).href;
  const context = await browser.newContext({ viewport });
  try {
    const one = await openApp(context, { url: server.url, viewport });
    const two = await openApp(context, { url: server.url, viewport });
    const s1 = await status(one), s2 = await status(two);
    assert.notEqual(s1.replica, s2.replica, 'two live tabs never stamp under one id');
    assert.equal(s1.device, s2.device, 'one device');
    assert.deepEqual([s1.slot, s2.slot].sort(), [0, 1]);
    assert.equal(s1.replica, s1.device, 'slot 0 stamps under the device id');

    // Set up in tab one; tab two hears of it (device settings + BroadcastChannel).
    assert.deepEqual(await one.evaluate((u) => window.funnel.sync.setup({ url: u, intervalS: 3600 }), url), { ok: true });
    await syncOk(one, 'tab one: first sync');
    await waitInPage(two, () => window.funnel.sync.status().configured, null, { what: 'tab two configured' });

    const created = await one.evaluate(() => {
      const doc = window.funnel.snapshot();
      const p = doc.pipelines.find((x) => x.id === doc.settings.defaultPipeline) || doc.pipelines[0];
      return window.funnel.command({ op: 'deal.create', title: 'Shared deal', pipelineId: p.id, stageId: p.stages[0].id });
    });
    assert.equal(created.ok, true, JSON.stringify(created));
    const id = (await snapshot(one)).deals.find((d) => d.title === 'Shared deal').id;
    await waitInPage(two, (i) => window.funnel.snapshot().deals.some((d) => d.id === i), id, { what: 'tab two has the deal' });

    // The same field in both tabs before either has seen the other's save.
    const [r1, r2] = await Promise.all([setTitle(one, id, 'Title from tab one'), setTitle(two, id, 'Title from tab two')]);
    assert.equal(r1.ok, true);
    assert.equal(r2.ok, true);
    await quiet([one, two]);
    // Already before any team sync the tabs agree: the one whose edit is later merged the
    // other's (its title logged) and stored the merge.
    for (const page of [one, two]) {
      await waitInPage(page, (i) => {
        const t = window.funnel.snapshot().deals.find((d) => d.id === i).title;
        const open = window.funnel.sync.status().conflicts.filter((c) => c.field === 'title');
        return open.length === 1 && open[0].value !== t ? t : null;
      }, id, { what: 'the tabs merged each other\'s edit' });
    }
    assert.equal((await snapshot(one)).deals.find((d) => d.id === id).title, (await snapshot(two)).deals.find((d) => d.id === id).title);

    await syncOk(one, 'tab one sends');
    await syncOk(two, 'tab two merges');
    await syncOk(one, 'tab one confirms');
    await quiet([one, two]);

    const team = JSON.parse(readFileSync(path.join(dir, 'tabs.json'), 'utf8'));
    const current = team.deals.find((d) => d.id === id).title;
    assert.ok(['Title from tab one', 'Title from tab two'].includes(current), current);
    const loser = current === 'Title from tab one' ? 'Title from tab two' : 'Title from tab one';
    const logged = team.sync.conflicts.filter((c) => c.key === `deal:${id}` && c.field === 'title');
    assert.deepEqual(logged.map((c) => c.value), [loser], `the team file logs the other title: ${JSON.stringify(logged)}`);
    // Written by the two tabs, each under its own id; both ids listed, nothing more from this device.
    const loserTab = loser === 'Title from tab one' ? s1 : s2, winnerTab = loserTab === s1 ? s2 : s1;
    assert.equal(replicaOf(logged[0].stamp), loserTab.replica);
    assert.deepEqual(Object.keys(team.sync.replicas).sort(), [s1.replica, s2.replica].sort());

    for (const [name, page] of [['one', one], ['two', two]]) {
      assert.equal((await snapshot(page)).deals.find((d) => d.id === id).title, current, `tab ${name}: current title`);
      const open = (await status(page)).conflicts.filter((c) => c.field === 'title');
      assert.equal(open.length, 1, `tab ${name}: ${JSON.stringify(open)}`);
      assert.equal(open[0].value, loser);
      assert.equal(replicaOf(open[0].stamp), loserTab.replica);
      assert.equal(replicaOf(open[0].currentStamp), winnerTab.replica);
    }

    // The conflicts panel: both versions come from this device (two of its tabs).
    await one.evaluate(() => window.funnel.open('#/board'));
    await settle(one);
    const r = await waitInPage(one, () => window.funnel.itemRect('status:sync-conflicts'), null, { what: 'conflicts link' });
    await one.mouse.click(r.x + r.w / 2, r.y + r.h / 2);
    await settle(one);
    await waitInPage(one, (k) => window.funnel.itemRect(k), `conflict:deal:${id}:title`, { what: 'conflict row' });
    await settle(one);
    await saveScreenshot(one, 'sync-tabs-conflicts-en');

    // Tab two closes: its slot is free again, and the next tab stamps under the same id.
    await two.close();
    const three = await openApp(context, { url: server.url, viewport });
    const s3 = await status(three);
    assert.equal(s3.slot, s2.slot);
    assert.equal(s3.replica, s2.replica, 'a closed tab\'s slot id comes back');
    // The first GET of a team file that does not exist yet is a 404 in the console, nothing else.
    const errors = [...one.funnelErrors, ...three.funnelErrors].filter((e) => !/status of 404/.test(e));
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('without Web Locks the tabs still pick different slots (BroadcastChannel)', async () => {
  const context = await browser.newContext({ viewport });
  await context.addInitScript(() => {
    Object.defineProperty(Navigator.prototype, 'locks', { get() { return undefined; }, configurable: true });
  });
  try {
    const one = await openApp(context, { url: server.url, viewport });
    const two = await openApp(context, { url: server.url, viewport });
    assert.equal(await one.evaluate(() => navigator.locks), undefined);
    const s1 = await status(one), s2 = await status(two);
    assert.notEqual(s1.replica, s2.replica);
    assert.deepEqual([s1.slot, s2.slot].sort(), [0, 1]);
    await two.close();
    const three = await openApp(context, { url: server.url, viewport });
    assert.equal((await status(three)).slot, s2.slot, 'the free slot is taken again');
  } finally {
    await context.close();
  }
});
