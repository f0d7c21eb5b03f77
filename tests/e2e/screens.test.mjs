// The product a rep uses, driven in Chromium with real mouse and keyboard events only (no
// funnel.command): create a customer and a deal, drag the deal across two stages, log an
// activity, reload → all present. Then every screen in light and dark, in English and 简体中文,
// screenshotted into build/screenshots/screen-*.png and checked for ink where the views say
// their items are.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, openApp } from './harness.mjs';
import { rectOf, settle, click, drag, scrollTo, typeInto } from './input.mjs';
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

async function waitSaved(page) {
  await waitInPage(page, () => {
    const s = window.funnelStorage && window.funnelStorage.status();
    return s && s.state === 'saved' && s.saved >= s.recorded;
  }, null, { what: 'everything saved' });
}

const snapshot = (page) => page.evaluate(() => window.funnel.snapshot());

// [SECTION] The rep's flow

test('create a customer and a deal, drag it across two stages, log an activity, reload: all there', async () => {
  const context = await browser.newContext({ viewport: { width: 1400, height: 850 } });
  try {
    let page = await openApp(context, { url: server.url, query: '?lang=en', viewport: { width: 1400, height: 850 } });
    const stages = (await snapshot(page)).pipelines[0].stages;

    // A customer, from the Customers screen.
    await click(page, 'nav:customers');
    await typeInto(page, 'field:new-customer', 'Hanil Precision');
    await page.keyboard.press('Enter');
    await settle(page);
    let doc = await snapshot(page);
    const customer = doc.customers.find((c) => c.name === 'Hanil Precision');
    assert.ok(customer, 'the customer was created by typing its name and Enter');

    // A deal, from the board's "New deal": it opens in the panel, ready to be named.
    await click(page, 'nav:board');
    await click(page, 'button:new-deal');
    await click(page, 'field:deal.title');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('Spindle retrofit');
    await page.keyboard.press('Enter');
    await settle(page);
    await click(page, 'field:deal.customer');
    await click(page, `customer-option:${customer.id}`);
    doc = await snapshot(page);
    const deal = doc.deals.find((d) => d.title === 'Spindle retrofit');
    assert.ok(deal, 'the deal was named by typing');
    assert.equal(deal.customerId, customer.id, 'the customer was picked from the list');
    assert.equal(deal.stageId, stages[0].id);

    // Across two stages by dragging the card.
    await click(page, 'button:close-deal');
    for (const target of [stages[1], stages[2]]) {
      const col = await rectOf(page, `stage:${target.id}`);
      await drag(page, `deal:${deal.id}`, { x: col.x + 60, y: col.y + 220 });
      doc = await snapshot(page);
      assert.equal(doc.deals.find((d) => d.id === deal.id).stageId, target.id, `dragged into ${target.name.en}`);
    }

    // An activity, logged from the card.
    await click(page, `deal:${deal.id}`);
    await saveScreenshot(page, 'screen-flow-deal-opened');
    await waitInPage(page, (id) => window.funnel.stats().route === `#/deal/${id}`, deal.id, { what: 'the deal card to open' });
    await scrollTo(page, 'panel:deal-body', 'button:log-activity');
    await typeInto(page, 'field:activity.subject', 'Visited the plant');
    await click(page, 'button:log-activity');
    doc = await snapshot(page);
    assert.ok(doc.activities.some((a) => a.dealId === deal.id && a.subject === 'Visited the plant'), 'activity logged');
    await saveScreenshot(page, 'screen-flow-before-reload');

    await waitSaved(page);
    await page.reload();
    await page.waitForFunction(() => window.funnel && window.funnel.ready, null, { timeout: 30000 });
    await page.evaluate(() => window.funnel.ready);
    doc = await snapshot(page);
    assert.ok(doc.customers.some((c) => c.id === customer.id && c.name === 'Hanil Precision'), 'customer after reload');
    const after = doc.deals.find((d) => d.id === deal.id);
    assert.ok(after, 'deal after reload');
    assert.equal(after.stageId, stages[2].id, 'deal still in the third stage');
    assert.equal(after.customerId, customer.id);
    assert.ok(doc.activities.some((a) => a.dealId === deal.id && a.subject === 'Visited the plant'), 'activity after reload');
    // The board shows it where it was left.
    const card = await rectOf(page, `deal:${deal.id}`);
    const col = await rectOf(page, `stage:${stages[2].id}`);
    assert.ok(card.x >= col.x - 20 && card.x < col.x + col.w + 300, 'the card stands in the third column');
  } finally {
    await context.close();
  }
});

// [SECTION] Every screen, light and dark, English and Chinese

for (const lang of ['en', 'zh-Hans']) {
  test(`every screen in light and dark (${lang}), with ink where the views put their items`, async () => {
    const context = await browser.newContext({ viewport: { width: 1400, height: 850 } });
    try {
      const page = await openApp(context, { url: server.url, query: `?lang=${lang}&demo`, viewport: { width: 1400, height: 850 } });
      await waitInPage(page, () => window.funnel.stats().fontsLoaded.some((f) => f.startsWith('cjk')), null, { what: 'CJK font' });
      const doc = await snapshot(page);
      assert.ok(doc.deals.length >= 20, `the demo has deals (${doc.deals.length})`);
      const deal = doc.deals.find((d) => d.status === 'open' || !d.status) || doc.deals[0];
      const customer = doc.customers[0];
      const routes = [
        ['board', '#/board', 'nav:board'],
        ['deal', `#/deal/${deal.id}`, 'field:deal.title'],
        ['customers', '#/customers', 'field:customer-search'],
        ['customer', `#/customer/${customer.id}`, 'field:customer.name'],
        ['today', '#/today', 'nav:today'],
        ['settings', '#/settings', 'field:settings.language'],
      ];
      for (const theme of ['light', 'dark']) {
        // The theme is switched the way a person does it: Settings, the radio button.
        await page.evaluate(() => window.funnel.open('#/settings'));
        await settle(page);
        await click(page, `field:settings.theme.${theme}`);
        assert.equal((await snapshot(page)).settings.theme, theme);
        for (const [name, route, key] of routes) {
          await page.evaluate((r) => window.funnel.open(r), route);
          await settle(page);
          const r = await rectOf(page, key);
          const file = `screen-${name}-${theme}-${lang}`;
          await saveScreenshot(page, file);
          const whole = await regionStats(page);
          assert.ok(whole.colours > 30 && whole.inkFraction > 0.01, `${file}: not blank (${whole.colours} colours)`);
          const bg = whole.background;
          const lum = (bg[0] + bg[1] + bg[2]) / 3;
          assert.ok(theme === 'dark' ? lum < 80 : lum > 180, `${file}: background fits the ${theme} theme (${bg})`);
          const item = await regionStats(page, r);
          assert.ok(item.inkFraction > 0.01, `${file}: ${key} has ink`);
        }
      }
    } finally {
      await context.close();
    }
  });
}
