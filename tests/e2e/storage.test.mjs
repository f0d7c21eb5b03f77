// Durable storage in Chromium (IndexedDB through IDBFS, app/platform/web/persistence.cpp):
// records created through funnel.command survive a reload; a page closed or crashed while saves
// are in flight (≥ 20 times, at random moments) reopens consistent and holding every change that
// had been reported saved; two pages of one origin editing alternately both end with all changes.
// Saved-ness is read from window.funnelStorage.status() (persistence.h): `saved` counts this
// page's commands whose IndexedDB transaction completed, in the order they were recorded.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, openApp } from './harness.mjs';

let server;
let browser;

before(async () => {
  server = await startServer({ args: ['--quiet'] });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const storageStatus = (page) => page.evaluate(() => window.funnelStorage.status());

async function waitFor(page, fn, arg, what, timeout = 15000) {
  try {
    await page.waitForFunction(fn, arg, { timeout, polling: 50 });
  } catch (err) {
    const st = await page.evaluate(() => window.funnelStorage && window.funnelStorage.status()).catch(() => null);
    throw new Error(`${what}: ${err.message}\nstorage: ${JSON.stringify(st)}\n${(page.funnelLog || []).slice(-20).join('\n')}`);
  }
}

// At least `count` of this page's commands are in IndexedDB and nothing is waiting. The count
// matters: a command applied since the last frame is not recorded yet, so "saved" alone could
// describe the state before it.
async function waitSaved(page, what = 'saved', count = 0) {
  await waitFor(page, (n) => {
    const s = window.funnelStorage.status();
    return s.state === 'saved' && s.pending === 0 && s.saved >= s.recorded && s.saved >= n;
  }, count, what);
}

async function open(context) {
  const page = await openApp(context, { url: server.url, query: '?lang=en' });
  await waitFor(page, () => !!window.funnelStorage, null, 'window.funnelStorage installed');
  return page;
}

function customerNames(page) {
  return page.evaluate(() => window.funnel.snapshot().customers.map((c) => c.name));
}

function create(page, name) {
  return page.evaluate((n) => window.funnel.command({ op: 'customer.create', name: n }), name);
}

test('records created through funnel.command are there after a reload', async () => {
  const context = await browser.newContext();
  try {
    const page = await open(context);
    await waitSaved(page, 'the new store is seeded');
    const before = await storageStatus(page);
    assert.equal(before.state, 'saved');
    const names = ['Reload Co', '上海示例贸易有限公司', '한빛 상사'];
    for (const n of names) {
      const r = await create(page, n);
      assert.ok(r.ok, `customer.create ${n}: ${JSON.stringify(r)}`);
    }
    const cust = await page.evaluate(() => window.funnel.snapshot().customers[0].id);
    const deal = await page.evaluate((c) => window.funnel.command({ op: 'deal.create', title: 'Reload deal', customerId: c, value: 1234 }), cust);
    assert.ok(deal.ok, JSON.stringify(deal));
    await waitSaved(page, 'the new records are saved', before.saved + 4);
    const after = await storageStatus(page);
    assert.equal(after.saved - before.saved, 4, `4 commands saved (${JSON.stringify(after)})`);

    await page.reload();
    await page.waitForFunction(() => window.funnel && window.funnel.ready, null, { timeout: 30000 });
    await page.evaluate(() => window.funnel.ready);
    const snap = await page.evaluate(() => window.funnel.snapshot());
    for (const n of names) assert.ok(snap.customers.some((c) => c.name === n), `${n} is back`);
    const d = snap.deals.find((x) => x.title === 'Reload deal');
    assert.ok(d, 'the deal is back');
    assert.equal(d.value, 1234);
    assert.equal((await storageStatus(page)).state !== 'failed', true);
  } finally {
    await context.close();
  }
});

test('a page closed or crashed while saving (25 times) reopens consistent with everything shown as saved', async () => {
  const context = await browser.newContext();
  const made = [];          // every name asked for, in order, across sessions
  const mustHave = new Set();
  let seed = 12345;
  let crashes = 0;
  let killedMidway = 0;     // rounds killed with some changes saved and later ones not yet
  const rand = () => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed / 0x7fffffff; };
  try {
    let page = await open(context);
    await waitSaved(page, 'first open');
    for (let round = 0; round < 25; round++) {
      // The reopened page holds every name that was reported saved, and what it holds of this
      // test's names is a prefix of what was asked for (batches are saved in order).
      const present = new Set(await customerNames(page));
      for (const n of mustHave) assert.ok(present.has(n), `round ${round}: "${n}" was shown as saved but is missing`);
      const ours = made.filter((n) => present.has(n));
      const firstMissing = made.findIndex((n) => !present.has(n));
      if (firstMissing >= 0) {
        assert.ok(made.slice(firstMissing).every((n) => !present.has(n)),
          `round ${round}: saved changes are a prefix (missing ${made[firstMissing]} but later ones present)`);
        made.length = firstMissing;  // lost unsaved changes are not asked of later rounds
      }
      assert.equal(ours.length, made.length);
      const st = await storageStatus(page);
      assert.notEqual(st.state, 'failed', `round ${round}: storage ${JSON.stringify(st)}`);

      // Edit in the page at a steady pace, remembering after each command how many of this
      // session's commands the page reports saved.
      const base = st.recorded;
      const prefix = `kill-${round}-`;
      await page.evaluate(({ prefix, base }) => {
        window.__made = [];
        window.__saved = 0;
        window.__stop = false;
        (async () => {
          for (let i = 0; !window.__stop && i < 400; i++) {
            const name = prefix + i;
            const r = window.funnel.command({ op: 'customer.create', name });
            if (r.ok) window.__made.push(name);
            window.__saved = Math.max(window.__saved, window.funnelStorage.status().saved - base);
            await new Promise((res) => setTimeout(res, 5 + Math.random() * 40));
            window.__saved = Math.max(window.__saved, window.funnelStorage.status().saved - base);
          }
        })();
      }, { prefix, base });

      // Half the rounds kill at a random moment; the other half right after the first save of
      // the session was reported, while later commands are still being written.
      if (round % 2 === 0) {
        await new Promise((r) => setTimeout(r, 500 + rand() * 5500));
      } else {
        await page.waitForFunction(() => window.__saved >= 1, null, { timeout: 20000, polling: 20 }).catch(() => {});
        await new Promise((r) => setTimeout(r, rand() * 800));
      }
      const seen = await page.evaluate((base) => {
        const s = window.funnelStorage.status();
        return { made: window.__made.slice(), saved: Math.max(window.__saved, s.saved - base) };
      }, base);
      // Kill: a renderer crash half the time, an abrupt close the other half. Page.crash never
      // answers (the page is gone), so it is not awaited.
      if (rand() < 0.5) {
        const cdp = await context.newCDPSession(page);
        const crashed = page.waitForEvent('crash', { timeout: 10000 }).catch(() => {});
        cdp.send('Page.crash').catch(() => {});
        await crashed;
        crashes++;
      }
      await page.close({ runBeforeUnload: false }).catch(() => {});

      const savedNames = seen.made.slice(0, Math.min(seen.saved, seen.made.length));
      for (const n of savedNames) mustHave.add(n);
      if (savedNames.length > 0 && savedNames.length < seen.made.length) killedMidway++;
      made.push(...seen.made);
      // Names made after our last look may or may not have been saved; the prefix check covers them.
      page = await open(context);
    }
    const final = new Set(await customerNames(page));
    for (const n of mustHave) assert.ok(final.has(n), `"${n}" missing at the end`);
    // The test means something only if kills landed between saves, with saved changes behind them.
    assert.ok(mustHave.size >= 10, `enough changes were saved before kills (${mustHave.size})`);
    assert.ok(killedMidway >= 3, `kills landed while later changes were unsaved (${killedMidway})`);
    assert.ok(crashes >= 5, `renderer crashes among the kills (${crashes})`);
  } finally {
    await context.close();
  }
});

test('two pages of one origin editing alternately both end with all changes', async () => {
  const context = await browser.newContext();
  try {
    const a = await open(context);
    await waitSaved(a, 'page A seeded');
    const b = await open(context);
    await waitSaved(b, 'page B opened');
    const names = [];
    const count = new Map([[a, (await storageStatus(a)).saved], [b, (await storageStatus(b)).saved]]);
    for (let i = 0; i < 6; i++) {
      for (const [page, tag] of [[a, 'A'], [b, 'B']]) {
        const name = `tab${tag}-${i}`;
        const r = await create(page, name);
        assert.ok(r.ok, JSON.stringify(r));
        names.push(name);
        count.set(page, count.get(page) + 1);
        await waitSaved(page, `${name} saved`, count.get(page));
      }
    }
    for (const [page, tag] of [[a, 'A'], [b, 'B']]) {
      await waitFor(page, (want) => {
        const have = new Set(window.funnel.snapshot().customers.map((c) => c.name));
        return want.every((n) => have.has(n));
      }, names, `page ${tag} sees all ${names.length} changes`, 10000);
    }
    // Each name exactly once in each page: nothing applied twice.
    for (const page of [a, b]) {
      const list = (await customerNames(page)).filter((n) => n.startsWith('tab'));
      assert.equal(list.length, names.length, `no duplicates: ${list.join(', ')}`);
    }
    // And a third page opened afterwards loads all of them from IndexedDB.
    const c = await open(context);
    const have = new Set(await customerNames(c));
    for (const n of names) assert.ok(have.has(n), `a new page loads ${n}`);
  } finally {
    await context.close();
  }
});

test('without IndexedDB the app runs in memory and says storage is unavailable', async () => {
  const context = await browser.newContext();
  await context.addInitScript(() => {
    Object.defineProperty(window, 'indexedDB', { get: () => undefined, configurable: true });
  });
  try {
    const page = await open(context);
    await waitFor(page, () => window.funnelStorage.status().state === 'failed', null, 'failed status');
    const st = await storageStatus(page);
    assert.equal(st.message, 'storage.unavailable');
    const r = await create(page, 'In memory only');
    assert.ok(r.ok, JSON.stringify(r));
    assert.ok((await customerNames(page)).includes('In memory only'));
    assert.deepEqual(page.funnelErrors, [], 'no page errors');
  } finally {
    await context.close();
  }
});

// A context with a switch the test flips (window.__quotaFull): IndexedDB puts fail as they do
// when the origin is over quota. `fullFromTheStart`: full on every load until the page sets
// sessionStorage quotaBack = '1'.
async function contextWithQuotaSwitch({ fullFromTheStart = false } = {}) {
  const context = await browser.newContext();
  await context.addInitScript((full) => {
    if (full && sessionStorage.getItem('quotaBack') !== '1') window.__quotaFull = true;
    const put = IDBObjectStore.prototype.put;
    IDBObjectStore.prototype.put = function (...args) {
      if (window.__quotaFull) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      return put.apply(this, args);
    };
  }, fullFromTheStart);
  return context;
}

test('quota exceeded: the change stays in memory, is retried, and nothing saved is damaged', async () => {
  const context = await contextWithQuotaSwitch();
  try {
    const page = await open(context);
    await waitSaved(page, 'seeded');
    assert.ok((await create(page, 'Saved before')).ok);
    await waitSaved(page, 'first change saved', (await storageStatus(page)).saved + 1);
    const savedBefore = (await storageStatus(page)).saved;

    await page.evaluate(() => { window.__quotaFull = true; });
    assert.ok((await create(page, 'Kept in memory')).ok);
    await waitFor(page, () => window.funnelStorage.status().state === 'failed', null, 'failed status');
    let st = await storageStatus(page);
    assert.equal(st.message, 'storage.full');
    assert.equal(st.saved, savedBefore, 'not counted as saved');
    assert.ok(st.pending >= 1, 'kept in memory');

    // Space comes back: the retry saves it, and a reload shows both changes.
    await page.evaluate(() => { window.__quotaFull = false; });
    await waitSaved(page, 'saved after the retry', savedBefore + 1);
    await page.reload();
    await page.waitForFunction(() => window.funnel && window.funnel.ready, null, { timeout: 30000 });
    await page.evaluate(() => window.funnel.ready);
    const names = await customerNames(page);
    assert.ok(names.includes('Saved before'), 'the earlier change survived');
    assert.ok(names.includes('Kept in memory'), 'the retried change is stored');
    st = await storageStatus(page);
    assert.notEqual(st.state, 'failed');
  } finally {
    await context.close();
  }
});

test('quota exceeded from the first save: the status says so (not "saving"), and the retry stores everything', async () => {
  const context = await contextWithQuotaSwitch({ fullFromTheStart: true });
  try {
    const page = await open(context);
    await waitFor(page, () => window.funnelStorage.status().state === 'failed', null, 'failed status');
    assert.equal((await storageStatus(page)).message, 'storage.full');
    // An edit while the first save waits for its retry: still reported as failed, frame after frame.
    assert.ok((await create(page, 'Made while full')).ok);
    for (let i = 0; i < 5; i++) {
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      const st = await storageStatus(page);
      assert.equal(st.state, 'failed', `frame ${i}: ${JSON.stringify(st)}`);
      assert.equal(st.message, 'storage.full');
    }
    await page.evaluate(() => { window.__quotaFull = false; sessionStorage.setItem('quotaBack', '1'); });
    await waitSaved(page, 'saved after the retry');
    await page.reload();
    await page.waitForFunction(() => window.funnel && window.funnel.ready, null, { timeout: 30000 });
    await page.evaluate(() => window.funnel.ready);
    assert.ok((await customerNames(page)).includes('Made while full'), 'the edit made while full is stored');
  } finally {
    await context.close();
  }
});
