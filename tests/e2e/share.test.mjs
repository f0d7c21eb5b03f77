// Sharing a snapshot of the board, in Chromium with real clicks: the sharer filters the demo
// board, opens Share, downloads the file and copies the link; a fresh profile opens each and
// sees exactly the filtered deals, read-only (a real drag changes nothing, there is no quick add,
// the automation API is refused), while its own store stays empty. A broken link and a broken
// dropped file give the message and change nothing. Screenshots: build/screenshots/share-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile, mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { startServer, launchBrowser, openApp } from './harness.mjs';
import { rectOf, settle, click, drag } from './input.mjs';
import { saveScreenshot, waitInPage } from './pixels.mjs';

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

// Clicks an item that reloads the page and waits for the app of the new page.
async function clickAndReload(page, key) {
  const r = await rectOf(page, key);
  await Promise.all([page.waitForNavigation({ timeout: 30000 }), page.mouse.click(r.x + r.w / 2, r.y + r.h / 2)]);
  await page.waitForFunction(() => window.funnel && window.funnel.ready, null, { timeout: 30000 });
  await page.evaluate(() => window.funnel.ready);
}

const viewport = { width: 1600, height: 900 };

async function freshContext(opts = {}) {
  return browser.newContext({ viewport, ...opts });
}

// IndexedDB databases of the page's origin (IDBFS names each after its mount, /idb/<ns>).
async function databases(page) {
  return page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name));
}

const ids = (list) => list.map((d) => d.id).sort();

// The board's filter, as the test expects it: open or won deals of the default pipeline whose
// title, customer or a contact of that customer contains the search text.
function expectedDeals(doc, search) {
  const q = search.toLowerCase();
  const pipeline = doc.settings.defaultPipeline;
  const stages = new Set(doc.pipelines.find((p) => p.id === pipeline).stages.map((s) => s.id));
  const customers = new Map(doc.customers.map((c) => [c.id, c]));
  return doc.deals.filter((d) => {
    if (d.deleted || d.pipelineId !== pipeline || !stages.has(d.stageId)) return false;
    const status = d.status || 'open';
    if (status !== 'open' && status !== 'won') return false;
    const c = customers.get(d.customerId);
    if (d.title.toLowerCase().includes(q) || (c && c.name.toLowerCase().includes(q))) return true;
    return doc.contacts.some((k) => !k.deleted && (k.customerId === d.customerId || (d.contactIds || []).includes(k.id)) &&
      k.name.toLowerCase().includes(q));
  });
}

// Checks a page showing a snapshot: exactly `expected`, read-only to real input and to the API.
async function assertReadOnlySnapshot(page, expected, what) {
  await rectOf(page, 'banner:snapshot', `${what}: snapshot banner`);
  const doc = await page.evaluate(() => window.funnel.snapshot());
  assert.deepEqual(ids(doc.deals), ids(expected), `${what}: exactly the filtered deals`);
  assert.equal(doc.settings.me ?? '', '', `${what}: no "me" travels`);
  for (const d of expected) await rectOf(page, `deal:${d.id}`, `${what}: card ${d.title}`);
  assert.equal(await page.evaluate(() => window.funnel.itemRect('field:quick-add')), null, `${what}: no quick add`);
  assert.equal(await page.evaluate(() => window.funnel.itemRect('button:new-deal')), null, `${what}: no New deal`);
  // A real drag of the first card two columns to the right.
  const card = expected[0];
  const r = await rectOf(page, `deal:${card.id}`);
  await drag(page, `deal:${card.id}`, { x: r.x + r.w / 2 + 600, y: r.y + 40 });
  const after = await page.evaluate(() => window.funnel.snapshot());
  assert.deepEqual(after, doc, `${what}: a drag changed nothing`);
  const refused = await page.evaluate((id) => window.funnel.command({ op: 'deal.delete', id }), card.id);
  assert.equal(refused.ok, false, `${what}: the API is refused too`);
  assert.deepEqual(await page.evaluate(() => window.funnel.snapshot()), doc, `${what}: still unchanged`);
}

test('share the filtered board as a file and a link; each opens read-only in a fresh profile', async () => {
  const sharerContext = await freshContext({ permissions: ['clipboard-read', 'clipboard-write'] });
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'funnel-share-'));
  let expected;
  let file;
  let link;
  try {
    // [SECTION] The sharer: the demo, searched down to one customer's deals.
    const page = await openApp(sharerContext, { url: server.url, query: '?demo&lang=en', viewport });
    const doc = await page.evaluate(() => window.funnel.snapshot());
    const open = doc.deals.filter((d) => !d.deleted && (d.status || 'open') === 'open');
    const customer = doc.customers.find((c) => c.id === open[0].customerId);
    const search = customer.name.split(/\s+/)[0];
    expected = expectedDeals(doc, search);
    assert.ok(expected.length >= 1 && expected.length < doc.deals.length / 2, `the search cuts the board (${expected.length})`);
    await click(page, 'field:search');
    await page.keyboard.type(search);
    await settle(page);
    await click(page, 'button:share');
    await rectOf(page, 'dialog:share');
    await saveScreenshot(page, 'share-dialog');

    const [download] = await Promise.all([page.waitForEvent('download'), click(page, 'button:share-download')]);
    assert.match(download.suggestedFilename(), /^funnel-snapshot-\d{4}-\d\d-\d\d\.funnel\.json$/);
    file = path.join(tmp, download.suggestedFilename());
    await download.saveAs(file);
    const shared = JSON.parse(await readFile(file, 'utf8'));
    assert.equal(shared.format, 'funnel');
    assert.equal(shared.snapshot.readOnly, true);
    assert.equal(shared.snapshot.filter.search, search);
    assert.deepEqual(ids(shared.deals), ids(expected), 'the file holds exactly the filtered deals');
    assert.equal(shared.sync, undefined, 'no sync state');

    await click(page, 'button:share-link');
    link = await waitInPage(page, () => window.funnelShareLink, null, { what: 'the link' });
    await rectOf(page, 'share:state');
    assert.match(link, /#\/snapshot\/[A-Za-z0-9_-]+$/);
    assert.ok(!link.includes('demo') && !link.includes('lang='), 'the link carries no ?demo or ?lang');
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), link, 'the link is on the clipboard');
    await click(page, 'button:share-close');
  } finally {
    await sharerContext.close();
  }

  // [SECTION] The link in a fresh profile: read-only, in memory, the real store never opened.
  {
    const context = await freshContext();
    try {
      const page = await context.newPage();
      await page.goto(link);
      await page.waitForFunction(() => window.funnel && window.funnel.ready, null, { timeout: 30000 });
      await page.evaluate(() => window.funnel.ready);
      await assertReadOnlySnapshot(page, expected, 'link');
      await saveScreenshot(page, 'share-readonly-link');
      assert.deepEqual((await databases(page)).filter((n) => n.includes('main')), [], 'the link did not open the real store');
      // Save a copy: the blank profile's own funnel becomes the snapshot's data, editable.
      await clickAndReload(page, 'button:snapshot-save');
      assert.ok(!(await page.evaluate(() => location.hash)).startsWith('#/snapshot/'), 'the link left the address');
      const own = await page.evaluate(() => window.funnel.snapshot());
      assert.deepEqual(ids(own.deals), ids(expected), 'the saved copy is the visitor\'s funnel now');
      assert.equal(own.snapshot, undefined, 'without the header');
      const moved = await page.evaluate((id) => window.funnel.command({ op: 'deal.delete', id }), expected[0].id);
      assert.equal(moved.ok, true, 'and editable');
    } finally {
      await context.close();
    }
  }

  // [SECTION] The file in a fresh profile: Share → Open a snapshot…; Close → the own (empty) funnel.
  {
    const context = await freshContext();
    try {
      const page = await openApp(context, { url: server.url, query: '?lang=en', viewport });
      await click(page, 'button:share');
      const [chooser] = await Promise.all([page.waitForEvent('filechooser'), click(page, 'button:share-open')]);
      await chooser.setFiles(file);
      await assertReadOnlySnapshot(page, expected, 'file');
      await saveScreenshot(page, 'share-readonly-file');
      // A card opens in the panel, its fields disabled: typing into the title changes nothing.
      const before = await page.evaluate(() => window.funnel.snapshot());
      await click(page, `deal:${expected[0].id}`);
      await click(page, 'field:deal.title');
      await page.keyboard.type('changed');
      await page.keyboard.press('Enter');
      await settle(page);
      assert.deepEqual(await page.evaluate(() => window.funnel.snapshot()), before, 'the deal panel edits nothing');
      await saveScreenshot(page, 'share-readonly-panel');
      await click(page, 'button:close-deal');
      await clickAndReload(page, 'button:snapshot-close');
      assert.equal(await page.evaluate(() => window.funnel.itemRect('banner:snapshot')), null, 'back to the own funnel');
      const own = await page.evaluate(() => window.funnel.snapshot());
      assert.equal(own.deals.length, 0, 'the visitor\'s own store stayed empty');
    } finally {
      await context.close();
    }
  }
});

test('a broken link and a broken dropped file give the message and change nothing', async () => {
  // A real compressed snapshot cut short, and data that is not base64url at all.
  const whole = zlib.deflateRawSync(Buffer.from(JSON.stringify({ format: 'funnel', version: 1, deals: [], pad: 'x'.repeat(5000) })));
  const cut = whole.subarray(0, Math.floor(whole.length / 2)).toString('base64url');
  for (const data of [cut, 'not*base64!']) {
    const context = await freshContext();
    try {
      const page = await context.newPage();
      await page.goto(new URL(`?lang=ko#/snapshot/${data}`, server.url).href);
      await page.waitForFunction(() => window.funnel && window.funnel.ready, null, { timeout: 30000 });
      await rectOf(page, 'banner:notice', 'the message');
      const doc = await page.evaluate(() => window.funnel.snapshot());
      assert.equal(doc.deals.length, 0);
      assert.equal(await page.evaluate(() => window.funnel.itemRect('banner:snapshot')), null, 'no snapshot shown');
      assert.deepEqual((await databases(page)).filter((n) => n.includes('main')), [], 'the real store untouched');
      if (data === cut) {
        await waitInPage(page, () => window.funnel.stats().fontsLoaded.includes('cjk-kr'), null, { what: 'the Korean face' });
        await settle(page);
        await saveScreenshot(page, 'share-broken-link-ko');
      }
    } finally {
      await context.close();
    }
  }
  // A file dropped on the page: truncated JSON, then another program's JSON.
  const context = await freshContext();
  try {
    const page = await openApp(context, { url: server.url, query: '?lang=zh-Hans', viewport });
    const before = await page.evaluate(() => window.funnel.snapshot());
    for (const text of ['{"format":"funnel","version":1,"snapshot":{"createdAt":"2026', '{"name":"something else"}']) {
      const transfer = await page.evaluateHandle((t) => {
        const dt = new DataTransfer();
        dt.items.add(new File([t], 'broken.funnel.json', { type: 'application/json' }));
        return dt;
      }, text);
      await page.dispatchEvent('#canvas', 'dragover', { dataTransfer: transfer });
      await page.dispatchEvent('#canvas', 'drop', { dataTransfer: transfer });
      await rectOf(page, 'banner:notice', 'the message');
      assert.equal(await page.evaluate(() => window.funnel.itemRect('banner:snapshot')), null, 'no snapshot shown');
      assert.deepEqual(await page.evaluate(() => window.funnel.snapshot()), before, 'nothing changed');
      const ok = await page.evaluate(() => window.funnel.command({ op: 'customer.create', name: 'Still editable' }));
      assert.equal(ok.ok, true, 'the own funnel is still editable');
      await page.evaluate(() => window.funnel.undo());
      await click(page, 'button:notice-close');
    }
    await saveScreenshot(page, 'share-after-broken-file');
  } finally {
    await context.close();
  }
});

test('a board too big for a link says so; Save a copy refuses to overwrite a funnel with data', async () => {
  // 10 000 deals in memory (?bench): the compressed link is far over 1.5 million characters.
  const context = await freshContext({ permissions: ['clipboard-read', 'clipboard-write'] });
  try {
    const page = await openApp(context, { url: server.url, query: '?bench=10000&lang=en', viewport });
    await page.evaluate(() => navigator.clipboard.writeText('before'));
    await click(page, 'button:share');
    await click(page, 'button:share-link');
    const length = await waitInPage(page, () => window.funnelShareLink && window.funnelShareLink.length, null, { what: 'the link', timeout: 60000 });
    assert.ok(length > 1500000, `the link would be ${length} characters`);
    await rectOf(page, 'share:state');
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), 'before', 'no oversized link on the clipboard');
    await saveScreenshot(page, 'share-too-long');
  } finally {
    await context.close();
  }

  // A visitor with a funnel of their own opens a snapshot file and asks to save a copy.
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'funnel-share-'));
  const sharer = await freshContext();
  let file;
  try {
    const page = await openApp(sharer, { url: server.url, query: '?demo&lang=en', viewport });
    await click(page, 'button:share');
    const [download] = await Promise.all([page.waitForEvent('download'), click(page, 'button:share-download')]);
    file = path.join(tmp, download.suggestedFilename());
    await download.saveAs(file);
  } finally {
    await sharer.close();
  }
  const visitor = await freshContext();
  try {
    const page = await openApp(visitor, { url: server.url, query: '?lang=en', viewport });
    const made = await page.evaluate(() => window.funnel.command({ op: 'customer.create', name: 'My own customer' }));
    assert.equal(made.ok, true);
    await waitInPage(page, () => window.funnelStorage.status().state === 'saved', null, { what: 'own data saved' });
    const own = await page.evaluate(() => window.funnel.snapshot());
    await click(page, 'button:share');
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), click(page, 'button:share-open')]);
    await chooser.setFiles(file);
    await rectOf(page, 'banner:snapshot');
    await click(page, 'button:snapshot-save');
    await rectOf(page, 'banner:notice', 'the refusal');
    await saveScreenshot(page, 'share-not-blank');
    await clickAndReload(page, 'button:snapshot-close');
    assert.deepEqual(await page.evaluate(() => window.funnel.snapshot()), own, 'the own funnel is as it was');
  } finally {
    await visitor.close();
  }
});

test('a link inflates to at most 32 MB (kMaxLinkBytes): a crafted link cannot make a visitor\'s tab inflate 256 MB', async () => {
  // A real link from the app, its JSON then padded with 40 MB of spaces (still valid JSON):
  // ~50 KB of link. The old cap was the codec's whole document limit, 256 MB, and opened it.
  const sharer = await freshContext();
  let link;
  try {
    const page = await openApp(sharer, { url: server.url, query: '?demo&lang=en', viewport });
    await click(page, 'button:share');
    await rectOf(page, 'dialog:share');
    await click(page, 'button:share-link');
    link = await waitInPage(page, () => window.funnelShareLink, null, { what: 'the link' });
  } finally {
    await sharer.close();
  }
  const [base, data] = link.split('#/snapshot/');
  const json = zlib.inflateRawSync(Buffer.from(data, 'base64url')).toString('utf8');
  const bomb = zlib.deflateRawSync(Buffer.from(json + ' '.repeat(40 << 20)), { level: 9 }).toString('base64url');
  assert.ok(bomb.length < 200000, `a small link (${bomb.length} characters)`);
  const context = await freshContext();
  try {
    const page = await context.newPage();
    await page.goto(`${base}?lang=en#/snapshot/${bomb}`);
    await page.waitForFunction(() => window.funnel && window.funnel.ready, null, { timeout: 30000 });
    await rectOf(page, 'banner:notice', 'the message');
    assert.equal(await page.evaluate(() => window.funnel.itemRect('banner:snapshot')), null, 'not opened');
    assert.deepEqual((await databases(page)).filter((n) => n.includes('main')), [], 'the real store untouched');
  } finally {
    await context.close();
  }
});
