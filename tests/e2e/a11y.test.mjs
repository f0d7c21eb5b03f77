// Usable by everyone (issue #18), in Chromium: the theme follows the device's light/dark choice
// live unless Settings pins one; zoom and small screens; the screen-reader tree; keyboard only.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, openApp } from './harness.mjs';
import { rectOf, settle, click } from './input.mjs';
import { regionStats, saveScreenshot, waitInPage } from './pixels.mjs';

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

const snapshot = (page) => page.evaluate(() => window.funnel.snapshot());
const luminance = (bg) => (bg[0] + bg[1] + bg[2]) / 3;

// The background as drawn, waited for: the frame after a change lands on a later animation frame.
async function waitBackground(page, dark, what) {
  for (let i = 0; i < 100; i++) {
    await settle(page);
    const { background } = await regionStats(page, { x: 0, y: 0, w: 400, h: 300 });
    if (dark ? luminance(background) < 80 : luminance(background) > 180) return background;
  }
  throw new Error(`background never became ${dark ? 'dark' : 'light'}: ${what}`);
}

// [SECTION] Theme

test('a new funnel follows the device light/dark choice, live, until Settings pins one', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'dark' });
  try {
    const page = await openApp(context, { url: server.url, query: '?lang=zh-Hans' });
    assert.equal((await snapshot(page)).settings.theme, 'system', 'a new document follows the system');
    await waitBackground(page, true, 'dark device');
    await page.emulateMedia({ colorScheme: 'light' });
    await waitBackground(page, false, 'the device switched to light while the page was open');
    await page.emulateMedia({ colorScheme: 'dark' });
    await waitBackground(page, true, 'and back to dark');
    // Pinned to light in Settings: the device's dark no longer applies.
    await page.evaluate(() => window.funnel.open('#/settings'));
    await settle(page);
    await click(page, 'field:settings.theme.light');
    assert.equal((await snapshot(page)).settings.theme, 'light');
    await waitBackground(page, false, 'light chosen in Settings');
    await click(page, 'field:settings.theme.system');
    assert.equal((await snapshot(page)).settings.theme, 'system');
    await waitBackground(page, true, 'back to the system choice');
    await saveScreenshot(page, 'a11y-settings-system-dark-zh-Hans');
  } finally {
    await context.close();
  }
});

test('a stored document without "system" keeps its light or dark choice on a dark device', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'dark' });
  try {
    const page = await openApp(context, { url: server.url, query: '?lang=en' });
    // As an older Funnel stored it: an explicit "light".
    const r = await page.evaluate(() => window.funnel.command({ op: 'settings.set', field: 'theme', value: 'light' }));
    assert.ok(r.ok, JSON.stringify(r));
    await waitBackground(page, false, 'the stored light choice wins over the dark device');
    const bad = await page.evaluate(() => window.funnel.command({ op: 'settings.set', field: 'theme', value: 'sepia' }));
    assert.equal(bad.ok, false);
  } finally {
    await context.close();
  }
});

// [SECTION] Zoom

test('the page allows zoom; browser zoom and pinch zoom re-rasterise at the new density', async () => {
  const context = await browser.newContext({ viewport: { width: 1000, height: 700 }, deviceScaleFactor: 1 });
  try {
    const page = await openApp(context, { url: server.url, query: '?lang=zh-Hans&demo', viewport: { width: 1000, height: 700 } });
    const meta = await page.evaluate(() => document.querySelector('meta[name="viewport"]').content);
    assert.doesNotMatch(meta, /user-scalable\s*=\s*no|maximum-scale\s*=\s*1(\D|$)/, `viewport meta forbids zoom: ${meta}`);
    const backing = () => page.evaluate(() => {
      const c = document.getElementById('canvas');
      return { w: c.width, css: c.getBoundingClientRect().width };
    });
    let b = await backing();
    assert.equal(b.w, Math.round(b.css), 'dpr 1: one device pixel per CSS pixel');
    // Browser zoom (Ctrl +) changes devicePixelRatio: the canvas follows without a reload.
    const cdp = await context.newCDPSession(page);
    await cdp.send('Emulation.setDeviceMetricsOverride', { width: 1000, height: 700, deviceScaleFactor: 2, mobile: false });
    b = await waitInPage(page, () => {
      const c = document.getElementById('canvas');
      return c.width >= 2 * c.getBoundingClientRect().width - 1 ? { w: c.width, css: c.getBoundingClientRect().width } : null;
    }, null, { what: 'the canvas at devicePixelRatio 2' }).catch(async (e) => {
      const state = await page.evaluate(async () => {
        const raf = await Promise.race([new Promise((r) => requestAnimationFrame(() => r(true))), new Promise((r) => setTimeout(() => r(false), 2000))]);
        const f0 = window.funnel.stats().frames;
        Module._funnel_wake();
        await new Promise((r) => setTimeout(r, 1000));
        return { dpr: devicePixelRatio, w: document.getElementById('canvas').width, raf, f0, f1: window.funnel.stats().frames,
          css: document.getElementById('canvas').getBoundingClientRect().width, vis: document.visibilityState };
      });
      throw new Error(`${e.message} (${JSON.stringify(state)})`);
    });
    // Pinch zoom: the visual viewport scales; the canvas's pixels follow it too.
    await cdp.send('Emulation.setPageScaleFactor', { pageScaleFactor: 2 });
    await waitInPage(page, () => {
      const c = document.getElementById('canvas');
      return window.visualViewport.scale >= 1.9 && c.width >= 4 * c.getBoundingClientRect().width - 2;
    }, null, { what: 'the canvas at pinch zoom 2 × dpr 2' });
    await cdp.send('Emulation.setPageScaleFactor', { pageScaleFactor: 1 });
    await waitInPage(page, () => {
      const c = document.getElementById('canvas');
      return window.visualViewport.scale < 1.1 && Math.abs(c.width - 2 * c.getBoundingClientRect().width) <= 2;
    }, null, { what: 'the canvas back at dpr 2 after the pinch' });
    // Last: Playwright's screenshot puts the context's own device metrics back (dpr 1).
    await settle(page);
    await saveScreenshot(page, 'a11y-board-dpr2-zh-Hans');
    await cdp.send('Emulation.clearDeviceMetricsOverride');
    await waitInPage(page, () => {
      const c = document.getElementById('canvas');
      return Math.abs(c.width - c.getBoundingClientRect().width) <= 1;
    }, null, { what: 'back to dpr 1' });

  } finally {
    await context.close();
  }
});

// [SECTION] Small screens

test('at 360×740 every screen fits: the demo banner wraps, Share and New deal are reachable, every item inside', async () => {
  const wide = await browser.newContext({ viewport: { width: 1400, height: 850 } });
  const small = await browser.newContext({ viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, hasTouch: true, isMobile: true });
  try {
    // Widths compared once the CJK font is in (before, the fallback's glyphs are narrower).
    const cjk = (p) => waitInPage(p, () => window.funnel.stats().fontsLoaded.some((f) => f.startsWith('cjk')), null, { what: 'CJK font' });
    const big = await openApp(wide, { url: server.url, query: '?lang=zh-Hans&demo', viewport: { width: 1400, height: 850 } });
    await cjk(big);
    await settle(big);
    const full = {};
    for (const key of ['button:share', 'button:new-deal', 'button:demo-leave', 'button:demo-reset']) full[key] = await rectOf(big, key);
    const page = await openApp(small, { url: server.url, query: '?lang=zh-Hans&demo', viewport: { width: 360, height: 740 } });
    await cjk(page);
    await settle(page);
    for (const key of Object.keys(full)) {
      const r = await rectOf(page, key);
      assert.ok(r.x >= 0 && r.x + r.w <= 360 + 0.5, `${key} inside the width: ${JSON.stringify(r)}`);
      assert.ok(r.w >= full[key].w - 1, `${key} whole, not cut (${r.w} of ${full[key].w} px)`);
    }
    const banner = await rectOf(page, 'banner:demo');
    assert.ok(banner.x + banner.w <= 360.5 && banner.h > 30, `the banner wraps onto lines (${JSON.stringify(banner)})`);
    const doc = await snapshot(page);
    const deal = doc.deals[0];
    const routes = [['board', '#/board'], ['deal', `#/deal/${deal.id}`], ['customers', '#/customers'],
      ['customer', `#/customer/${doc.customers[0].id}`], ['contact', `#/contact/${doc.contacts[0].id}`], ['today', '#/today'],
      ['agenda', '#/agenda'], ['reports', '#/reports'], ['settings', '#/settings'], ['settings-sync', '#/settings/sync']];
    for (const [name, route] of routes) {
      await page.evaluate((r) => window.funnel.open(r), route);
      await settle(page);
      await settle(page);
      const items = await page.evaluate(() => window.funnel.itemKeys().map((k) => [k, window.funnel.itemRect(k)]));
      assert.ok(items.length > 5, `${name}: items drawn`);
      for (const [k, r] of items) {
        assert.ok(r.x >= -0.5 && r.y >= -0.5 && r.x + r.w <= 360.5 && r.y + r.h <= 740.5, `${name}: ${k} inside 360×740: ${JSON.stringify(r)}`);
      }
      for (const nav of ['nav:board', 'nav:customers', 'nav:today', 'nav:reports', 'nav:agenda', 'nav:settings']) await rectOf(page, nav);
      await saveScreenshot(page, `a11y-360-${name}-zh-Hans`);
    }
  } finally {
    await wide.close();
    await small.close();
  }
});

// [SECTION] The screen-reader tree

async function axNodes(page) {
  const cdp = await page.context().newCDPSession(page);
  const { nodes } = await cdp.send('Accessibility.getFullAXTree');
  await cdp.detach();
  return nodes.filter((n) => !n.ignored).map((n) => ({ role: n.role?.value, name: n.name?.value || '' }));
}

for (const lang of ['en', 'zh-Hans']) {
  test(`the accessibility tree exposes the board's columns and cards (${lang})`, async () => {
    const context = await browser.newContext({ viewport: { width: 1400, height: 850 } });
    try {
      const page = await openApp(context, { url: server.url, query: `?lang=${lang}&demo`, viewport: { width: 1400, height: 850 } });
      const doc = await snapshot(page);
      const stages = doc.pipelines[0].stages;
      const shown = await page.evaluate(() => window.funnel.itemKeys().filter((k) => k.startsWith('deal:')));
      assert.ok(shown.length > 3, 'cards drawn');
      const deal = doc.deals.find((d) => d.id === shown[0].slice(5));
      const customer = doc.customers.find((c) => c.id === deal.customerId);
      const stage = stages.find((s) => s.id === deal.stageId);
      const ax = await waitFor(async () => {
        const n = await axNodes(page);
        return n.some((x) => x.role === 'listitem' && x.name.startsWith(deal.title)) ? n : null;
      }, 'the card in the accessibility tree');
      const lists = ax.filter((n) => n.role === 'list');
      for (const s of stages.slice(0, 3)) {
        assert.ok(lists.some((l) => l.name.startsWith(s.name[lang] || s.name.en)), `a list named after ${s.name[lang]}: ${lists.map((l) => l.name)}`);
      }
      // Titles repeat in the demo: the card is the node the tree holds for this deal's id.
      const label = await page.evaluate((id) => document.querySelector(`#funnel-a11y [data-id="deal:${id}"]`)?.getAttribute('aria-label'), deal.id);
      const card = ax.find((n) => n.role === 'listitem' && n.name === label);
      assert.ok(card && card.name.startsWith(deal.title), `the card of ${deal.id} in the accessibility tree: ${label}`);
      assert.ok(card.name.includes(customer.name), `card names its customer: ${card.name}`);
      assert.ok(card.name.includes(stage.name[lang] || stage.name.en), `card names its stage: ${card.name}`);
      const nav = ax.find((n) => n.role === 'navigation');
      assert.ok(nav, 'a navigation landmark');
      const settingsName = lang === 'en' ? 'Settings' : '设置';
      assert.ok(ax.some((n) => n.role === 'button' && n.name === settingsName), `a button named ${settingsName}`);
      assert.ok(ax.some((n) => n.role === 'textbox'), 'text boxes (search, quick add)');
    } finally {
      await context.close();
    }
  });
}

async function waitFor(fn, what, timeoutMs = 20000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('a screen-reader walk opens a deal, changes its stage and hears it; the tree costs no frames while idle', async () => {
  const context = await browser.newContext({ viewport: { width: 1400, height: 850 } });
  try {
    const page = await openApp(context, { url: server.url, query: '?lang=en&demo', viewport: { width: 1400, height: 850 } });
    const doc = await snapshot(page);
    const stages = doc.pipelines[0].stages;
    const deal = doc.deals.find((d) => d.stageId === stages[0].id && (!d.status || d.status === 'open'));
    await rectOf(page, `deal:${deal.id}`);
    const node = (id) => `#funnel-a11y [data-id="${id}"]`;
    await page.waitForSelector(node(`deal:${deal.id}`), { state: 'attached' });
    // Focus moves to the card (a screen reader's "next item" lands on it), then "activate".
    await page.focus(node(`deal:${deal.id}`));
    await page.$eval(node(`deal:${deal.id}`), (el) => el.click());
    await waitInPage(page, (id) => window.funnel.stats().route === `#/deal/${id}`, deal.id, { what: 'the deal to open' });
    await page.waitForSelector(node('field:deal.stage'), { state: 'attached' });
    await page.focus(node('field:deal.stage'));
    await page.$eval(node('field:deal.stage'), (el) => el.click());
    const target = stages[3];
    await page.waitForSelector(node(`option:stage:${target.id}`), { state: 'attached' });
    await page.$eval(node(`option:stage:${target.id}`), (el) => el.click());
    await waitInPage(page, ([id, s]) => window.funnel.snapshot().deals.find((d) => d.id === id).stageId === s,
      [deal.id, target.id], { what: 'the deal in the new stage' });
    const said = await waitInPage(page, (t) => {
      const live = document.getElementById('funnel-announce');
      return live && live.textContent.includes(t) ? live.textContent : null;
    }, target.name.en, { what: 'the live region to announce the move' });
    assert.match(said, new RegExp(`Moved to ${target.name.en}`));
    const ax = await axNodes(page);
    assert.ok(ax.some((n) => n.role === 'status' && n.name.includes(`Moved to ${target.name.en}`)) ||
      ax.some((n) => n.name.includes(`Moved to ${target.name.en}`)), 'the announcement is in the accessibility tree');
    assert.ok(ax.some((n) => n.role === 'dialog' && n.name === deal.title), 'the open deal is a dialog named by its title');

    // Idle with the tree present: no frames are drawn.
    await waitFor(async () => {
      const a = await page.evaluate(() => window.funnel.stats().frames);
      await new Promise((r) => setTimeout(r, 300));
      return a === (await page.evaluate(() => window.funnel.stats().frames));
    }, 'the page to settle');
    const f0 = await page.evaluate(() => window.funnel.stats().frames);
    const n0 = await page.evaluate(() => document.querySelectorAll('#funnel-a11y [data-id]').length);
    await new Promise((r) => setTimeout(r, 1500));   // observing idleness takes a span of time
    assert.equal(await page.evaluate(() => window.funnel.stats().frames), f0, 'no frames while idle');
    assert.ok(n0 > 20, `the tree is there (${n0} nodes)`);
  } finally {
    await context.close();
  }
});
