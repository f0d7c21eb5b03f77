// Touch on a phone-sized page (touch emulation, Input.dispatchTouchEvent): a tap focuses a field,
// a swipe scrolls a column, a long press picks a card up and drops it on the next stage.
// Screenshot: build/screenshots/touch-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, openApp } from './harness.mjs';
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

async function open(viewport = { width: 390, height: 844 }, deviceScaleFactor = 2) {
  // A big canvas at dpr 2 is slow on SwiftShader: the tablet-sized test runs at dpr 1.
  const context = await browser.newContext({ viewport, hasTouch: true, isMobile: true, deviceScaleFactor });
  const page = await openApp(context, { url: server.url, query: '?lang=en', viewport });
  page.closeAll = () => context.close();
  page.cdp = await context.newCDPSession(page);
  return page;
}

function touch(page, type, points) {
  return page.cdp.send('Input.dispatchTouchEvent', { type, touchPoints: points.map(([x, y]) => ({ x, y, id: 1 })) });
}

// Moves the finger in small steps, one animation frame apart, as a real finger reports.
async function slide(page, from, to, steps = 12) {
  for (let i = 1; i <= steps; i++) {
    const x = from[0] + ((to[0] - from[0]) * i) / steps;
    const y = from[1] + ((to[1] - from[1]) * i) / steps;
    await touch(page, 'touchMove', [[x, y]]);
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r())));
  }
}

function createDeals(page, n, stageId = 's-lead') {
  return page.evaluate(({ count, stage }) => {
    const ids = [];
    for (let i = 0; i < count; i++) {
      const r = window.funnel.command({ op: 'deal.create', title: `Deal ${i + 1}`, pipelineId: 'p-default', stageId: stage });
      if (!r.ok) throw new Error(r.error);
      ids.push(r.result.id);
    }
    return ids;
  }, { count: n, stage: stageId });
}

test('a tap on a field focuses the text agent (the on-screen keyboard opens)', async () => {
  const page = await open();
  try {
    const rect = await waitInPage(page, () => window.funnel.itemRect('field:quick-add:s-lead'), null, { what: 'quick-add field' });
    await page.touchscreen.tap(rect.x + rect.w / 2, rect.y + rect.h / 2);
    await waitInPage(page, () => document.activeElement && document.activeElement.id === 'funnel-text-agent', null, { what: 'text agent focused by a tap' });
    await page.keyboard.type('Tap deal');
    await page.keyboard.press('Enter');
    await waitInPage(page, () => window.funnel.snapshot().deals.some((d) => d.title === 'Tap deal'), null, { what: 'deal from a tapped field' });
    await saveScreenshot(page, 'touch-phone');
  } finally {
    await page.closeAll();
  }
});

test('a swipe scrolls the column under the finger and moves no card', async () => {
  const page = await open();
  try {
    const ids = await createDeals(page, 20);
    const first = await waitInPage(page, (id) => window.funnel.itemRect(`deal:${id}`), ids[0], { what: 'first card drawn' });
    const start = [first.x + first.w / 2, 600];
    await touch(page, 'touchStart', [start]);
    await slide(page, start, [start[0], 250]);
    await touch(page, 'touchEnd', []);
    await waitInPage(page, ({ id, y }) => {
      const r = window.funnel.itemRect(`deal:${id}`);
      return r === null || r.y < y - 100;
    }, { id: ids[0], y: first.y }, { what: 'column scrolled up' });
    const stages = await page.evaluate(() => window.funnel.snapshot().deals.map((d) => d.stageId));
    assert.ok(stages.every((s) => s === 's-lead'), 'a swipe drags nothing');
  } finally {
    await page.closeAll();
  }
});

test('a long press picks a card up; dropping it on the next stage moves the deal', async () => {
  const page = await open({ width: 1024, height: 700 }, 1);
  try {
    const [id] = await createDeals(page, 1);
    const card = await waitInPage(page, (i) => window.funnel.itemRect(`deal:${i}`), id, { what: 'card drawn' });
    const target = await page.evaluate(() => window.funnel.itemRect('stage:s-qualified'));
    assert.ok(target, 'next stage drawn');
    const from = [card.x + card.w / 2, card.y + card.h / 2];
    const to = [target.x + 40, card.y + card.h / 2];
    await touch(page, 'touchStart', [from]);
    // The long press is the gesture itself: hold still past the threshold (400 ms).
    await page.evaluate(() => new Promise((r) => setTimeout(r, 700)));
    await slide(page, from, to, 16);
    await touch(page, 'touchEnd', []);
    await waitInPage(page, (i) => window.funnel.snapshot().deals.find((d) => d.id === i).stageId === 's-qualified', id, { what: 'deal moved to Qualified' });
  } finally {
    await page.closeAll();
  }
});
