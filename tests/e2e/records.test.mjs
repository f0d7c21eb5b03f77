// A rep's records (issue #13) with real mouse and keyboard in Chromium, on a simulated clock
// (Playwright's clock: Date moves on from the time set, timers run as usual): a contact with a
// phone number and an e-mail address on a new customer, the tel: link opened, a visit planned
// for next Tuesday 10:00 through the date picker, reload, then on that Tuesday the visit is in
// Today and in the agenda. Then the contact card, the picker and the agenda in en, zh-Hant and
// ko, light and dark, screenshotted into build/screenshots/records-*.png and checked for ink.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, openApp } from './harness.mjs';
import { rectOf, settle, click, scrollTo, typeInto } from './input.mjs';
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
const route = (page) => page.evaluate(() => window.funnel.stats().route);

async function waitSaved(page) {
  await waitInPage(page, () => {
    const s = window.funnelStorage && window.funnelStorage.status();
    return s && s.state === 'saved' && s.saved >= s.recorded;
  }, null, { what: 'everything saved', timeout: 30000 });
}

// Links the page opens from the canvas go through an <a> it clicks: record their addresses
// (the browser itself would hand tel: to the phone app, which a headless browser has not).
async function recordOpenedLinks(context) {
  await context.addInitScript(() => {
    window.__openedLinks = [];
    const click = HTMLAnchorElement.prototype.click;
    HTMLAnchorElement.prototype.click = function () {
      window.__openedLinks.push(this.href);
      if (!/^tel:|^mailto:/.test(this.href)) return click.call(this);
    };
  });
}

test('a contact with phone and e-mail, the tel: link, a visit next Tuesday 10:00 through the picker; reload; Today and agenda on that day', async () => {
  const viewport = { width: 1400, height: 850 };
  const context = await browser.newContext({ viewport, timezoneId: 'UTC' });
  // Thursday 3 December 2026, 09:00 UTC; the clock then runs on.
  await context.clock.install({ time: new Date('2026-12-03T09:00:00Z') });
  await context.clock.resume();
  await recordOpenedLinks(context);
  try {
    let page = await openApp(context, { url: server.url, query: '?lang=en', viewport });

    // A customer, then a contact on its card, then the contact card.
    await click(page, 'nav:customers');
    await typeInto(page, 'field:new-customer', 'Hanil Precision');
    await page.keyboard.press('Enter');
    await settle(page);
    const customer = (await snapshot(page)).customers.find((c) => c.name === 'Hanil Precision');
    assert.ok(customer, 'customer created');
    await click(page, `customer:${customer.id}`);
    await typeInto(page, 'field:new-contact', 'Park Ji-hoon');
    await page.keyboard.press('Enter');
    await settle(page);
    const contact = (await snapshot(page)).contacts.find((c) => c.name === 'Park Ji-hoon');
    assert.ok(contact, 'contact created');
    await click(page, `contact:${contact.id}`);
    await waitInPage(page, (id) => window.funnel.stats().route === `#/contact/${id}`, contact.id, { what: 'the contact card' });
    await typeInto(page, 'field:contact.new-phone', '+82 10-2345-6789');
    await page.keyboard.press('Enter');
    await settle(page);
    await typeInto(page, 'field:contact.new-email', 'jihoon@hanil.kr');
    await page.keyboard.press('Enter');
    await settle(page);
    let c = (await snapshot(page)).contacts.find((x) => x.id === contact.id);
    assert.equal(c.phone, '+82 10-2345-6789');
    assert.equal(c.email, 'jihoon@hanil.kr');

    // "Call" opens tel: as a link does.
    await click(page, 'button:contact.call:0');
    await waitInPage(page, () => window.__openedLinks.includes('tel:+821023456789'), null, { what: 'the tel: link opened' });

    // A deal for the customer, from the board.
    await click(page, 'nav:board');
    await click(page, 'button:new-deal');
    await click(page, 'field:deal.title');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('Spindle retrofit');
    await page.keyboard.press('Enter');
    await settle(page);
    await click(page, 'field:deal.customer');
    await click(page, `customer-option:${customer.id}`);
    const deal = (await snapshot(page)).deals.find((d) => d.title === 'Spindle retrofit');
    assert.equal(deal.customerId, customer.id);

    // Plan a visit: next Tuesday (8 December) from the calendar, 10:00 typed.
    await scrollTo(page, 'panel:deal-body', 'field:activity.done');
    await click(page, 'field:activity.done');
    await scrollTo(page, 'panel:deal-body', 'button:log-activity');
    await click(page, 'field:activity.kind');
    await click(page, 'option:kind.visit');
    await typeInto(page, 'field:activity.subject', 'Plant visit');
    await click(page, 'button:plan.date.calendar');
    await saveScreenshot(page, 'records-flow-picker');
    await click(page, 'picker:day:2026-12-08');
    await click(page, 'field:plan.time');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('10:00');
    await page.keyboard.press('Enter');
    await settle(page);
    await click(page, `field:plan.contact:${contact.id}`);
    await click(page, 'button:log-activity');
    let visit = (await snapshot(page)).activities.find((a) => a.subject === 'Plant visit');
    assert.ok(visit, 'the visit was planned');
    assert.equal(visit.kind, 'visit');
    assert.equal(visit.due, '2026-12-08T10:00:00.000Z');
    assert.deepEqual(visit.contactIds, [contact.id]);

    await waitSaved(page);
    // Tuesday 8 December, 08:30: reload, the visit is due today and in the agenda.
    await page.clock.setSystemTime(new Date('2026-12-08T08:30:00Z'));
    await page.reload();
    await page.waitForFunction(() => window.funnel && window.funnel.ready, null, { timeout: 30000 });
    await page.evaluate(() => window.funnel.ready);
    visit = (await snapshot(page)).activities.find((a) => a.subject === 'Plant visit');
    assert.equal(visit.due, '2026-12-08T10:00:00.000Z', 'the visit after reload');
    c = (await snapshot(page)).contacts.find((x) => x.id === contact.id);
    assert.equal(c.phone, '+82 10-2345-6789', 'the phone number after reload');
    await click(page, 'nav:today');
    await rectOf(page, `today:due:${deal.id}`, 'the visit in Today, due today');
    await rectOf(page, `today:+1d:${visit.id}`, 'its reschedule actions');
    await saveScreenshot(page, 'records-flow-today');
    await click(page, 'nav:agenda');
    assert.equal(await route(page), '#/agenda');
    const day = await rectOf(page, 'agenda:day:2026-12-08');
    const item = await rectOf(page, `agenda:activity:${visit.id}`);
    assert.ok(item.x >= day.x - 2 && item.x < day.x + day.w, 'the visit stands in Tuesday\'s column');
    await saveScreenshot(page, 'records-flow-agenda');
    await click(page, `agenda:activity:${visit.id}`);
    assert.equal(await route(page), `#/deal/${deal.id}`, 'the agenda opens the deal');
  } finally {
    await context.close();
  }
});

// [SECTION] The contact card, the picker and the agenda in three languages, light and dark

for (const lang of ['en', 'zh-Hant', 'ko']) {
  test(`contact card, date picker and agenda in ${lang}, light and dark`, async () => {
    const viewport = { width: 1400, height: 850 };
    const context = await browser.newContext({ viewport });
    try {
      const page = await openApp(context, { url: server.url, query: `?lang=${lang}&demo`, viewport });
      if (lang !== 'en')
        await waitInPage(page, () => window.funnel.stats().fontsLoaded.some((f) => f.startsWith('cjk')), null, { what: 'CJK font' });
      const doc = await snapshot(page);
      const contact = doc.contacts.find((x) => x.phone && x.messenger) || doc.contacts[0];
      const deal = doc.deals.find((d) => (d.status || 'open') === 'open');
      for (const theme of ['light', 'dark']) {
        await page.evaluate(() => window.funnel.open('#/settings'));
        await settle(page);
        await click(page, `field:settings.theme.${theme}`);
        const shots = [
          ['contact', `#/contact/${contact.id}`, 'field:contact.name', null],
          ['picker', `#/deal/${deal.id}`, 'picker:deal.expectedClose', 'button:deal.expectedClose.calendar'],
          ['agenda', '#/agenda', 'agenda:range', null],
        ];
        for (const [name, r, key, opener] of shots) {
          await page.evaluate((x) => window.funnel.open(x), r);
          await settle(page);
          if (opener) await click(page, opener);
          const rect = await rectOf(page, key);
          const file = `records-${name}-${theme}-${lang}`;
          await saveScreenshot(page, file);
          const whole = await regionStats(page);
          assert.ok(whole.colours > 30 && whole.inkFraction > 0.01, `${file}: not blank`);
          const bg = whole.background;
          const lum = (bg[0] + bg[1] + bg[2]) / 3;
          assert.ok(theme === 'dark' ? lum < 80 : lum > 180, `${file}: background fits the ${theme} theme (${bg})`);
          assert.ok((await regionStats(page, rect)).inkFraction > 0.01, `${file}: ${key} has ink`);
          if (opener) await page.keyboard.press('Escape');
        }
      }
    } finally {
      await context.close();
    }
  });
}
