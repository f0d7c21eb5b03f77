// A rep's records (issue #13) with real mouse and keyboard in Chromium, on a simulated clock
// (Playwright's clock: Date moves on from the time set, timers run as usual): a contact with a
// phone number and an e-mail address on a new customer, a visit planned for next Tuesday 10:00
// through the date picker with that contact, reload, then on that Tuesday the visit is in Today
// and in the agenda; last, "Call" and a middle click on "Write" are seen by the browser as
// tel: and mailto: requests. Then the contact card, the picker and the agenda in en, zh-Hant and
// ko, light and dark, screenshotted into build/screenshots/records-*.png and checked for ink.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, openApp } from './harness.mjs';
import { rectOf, settle, click, scrollTo, steadyRectOf } from './input.mjs';
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

async function press(page, key, button = 'left') {
  const r = await steadyRectOf(page, key);
  await page.mouse.click(r.x + r.w / 2, r.y + r.h / 2, { button });
  await settle(page);
}

async function typeIn(page, key, text) {
  await press(page, key);
  await page.keyboard.type(text);
  await settle(page);
}

// Waits until the document holds a record of `kind` (customers, contacts, deals, activities)
// whose `field` equals `value` (and `id` when given); returns it.
function recordWhere(page, kind, field, value, id, what) {
  return waitInPage(page, (a) => {
    const r = window.funnel.snapshot()[a.kind].find((x) => (!a.id || x.id === a.id) && x[a.field] === a.value);
    return r || null;
  }, { kind, field, value, id }, { what: what || `${kind}.${field} = ${value}`, timeout: 30000 });
}

test('a contact with phone and e-mail, the tel: link, a visit next Tuesday 10:00 through the picker; reload; Today and agenda on that day', async () => {
  const viewport = { width: 1400, height: 850 };
  const context = await browser.newContext({ viewport, timezoneId: 'UTC' });
  // Thursday 3 December 2026, 09:00 UTC; the clock then runs on.
  await context.clock.install({ time: new Date('2026-12-03T09:00:00Z') });
  await context.clock.resume();
  // The page opens tel: and mailto: through a link it clicks; the browser reports it as a
  // request (headless Chromium has no phone app to hand it to, and the page stays).
  const requested = [];
  context.on('request', (r) => requested.push(r.url()));
  let page;
  try {
    page = await openApp(context, { url: server.url, query: '?lang=en', viewport });

    // A customer, then a contact on its card, then the contact card.
    await press(page, 'nav:customers');
    await typeIn(page, 'field:new-customer', 'Hanil Precision');
    await page.keyboard.press('Enter');
    const customer = await recordWhere(page, 'customers', 'name', 'Hanil Precision');
    await press(page, `customer:${customer.id}`);
    await typeIn(page, 'field:new-contact', 'Park Ji-hoon');
    await page.keyboard.press('Enter');
    const contact = await recordWhere(page, 'contacts', 'name', 'Park Ji-hoon');
    await press(page, `contact:${contact.id}`);
    await waitInPage(page, (id) => window.funnel.stats().route === `#/contact/${id}`, contact.id, { what: 'the contact card' });
    await typeIn(page, 'field:contact.new-phone', '+82 10-2345-6789');
    await page.keyboard.press('Enter');
    await recordWhere(page, 'contacts', 'phone', '+82 10-2345-6789', contact.id);
    await typeIn(page, 'field:contact.new-email', 'jihoon@hanil.kr');
    await page.keyboard.press('Enter');
    let c = await recordWhere(page, 'contacts', 'email', 'jihoon@hanil.kr', contact.id);
    assert.equal(c.phone, '+82 10-2345-6789');

    // A deal for the customer, from the board.
    await press(page, 'nav:board');
    await press(page, 'button:new-deal');
    await press(page, 'field:deal.title');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('Spindle retrofit');
    await page.keyboard.press('Enter');
    let deal = await recordWhere(page, 'deals', 'title', 'Spindle retrofit');
    await press(page, 'field:deal.customer');
    await press(page, `customer-option:${customer.id}`);
    deal = await recordWhere(page, 'deals', 'customerId', customer.id, deal.id, 'the deal\'s customer');

    // Plan a visit: next Tuesday (8 December) from the calendar, 10:00 typed.
    await scrollTo(page, 'panel:deal-body', 'field:activity.done');
    await press(page, 'field:activity.done');
    await scrollTo(page, 'panel:deal-body', 'button:log-activity');
    await press(page, 'field:activity.kind');
    await press(page, 'option:kind.visit');
    await typeIn(page, 'field:activity.subject', 'Plant visit');
    await press(page, 'button:plan.date.calendar');
    await rectOf(page, 'picker:day:2026-12-08', 'the calendar open on December').catch(async (err) => {
      // What was on screen, and what the app recorded, when the calendar did not open.
      await saveScreenshot(page, 'records-flow-no-calendar');
      const keys = await page.evaluate(() => window.funnel.itemKeys().filter((k) => /picker|plan\.|activity\./.test(k)));
      const button = await page.evaluate(() => window.funnel.itemRect('button:plan.date.calendar'));
      throw new Error(`${err.message}; calendar button at ${JSON.stringify(button)}; items: ${keys.join(' ')}`);
    });
    await saveScreenshot(page, 'records-flow-picker');
    await press(page, 'picker:day:2026-12-08');
    await press(page, 'field:plan.time');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('10:00');
    await page.keyboard.press('Enter');
    await settle(page);
    await press(page, `field:plan.contact:${contact.id}`);
    await press(page, 'button:log-activity');
    let visit = await recordWhere(page, 'activities', 'subject', 'Plant visit');
    assert.equal(visit.kind, 'visit');
    assert.equal(visit.due, '2026-12-08T10:00:00.000Z');
    assert.equal(visit.dealId, deal.id);
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
    assert.equal(c.email, 'jihoon@hanil.kr', 'the e-mail address after reload');
    await press(page, 'nav:today');
    await rectOf(page, `today:due:${deal.id}`, 'the visit in Today, due today');
    await rectOf(page, `today:+1d:${visit.id}`, 'its reschedule actions');
    await saveScreenshot(page, 'records-flow-today');
    await press(page, 'nav:agenda');
    assert.equal(await route(page), '#/agenda');
    const day = await rectOf(page, 'agenda:day:2026-12-08');
    const next = await rectOf(page, 'agenda:day:2026-12-09');
    const item = await rectOf(page, `agenda:activity:${visit.id}`);
    const middle = item.x + item.w / 2;
    assert.ok(middle > day.x - 8 && middle < next.x && item.y > day.y,
      `the visit stands in Tuesday's column (item ${JSON.stringify(item)}, Tuesday ${JSON.stringify(day)}, Wednesday ${JSON.stringify(next)})`);
    await saveScreenshot(page, 'records-flow-agenda');
    await press(page, `agenda:activity:${visit.id}`);
    await waitInPage(page, (id) => window.funnel.stats().route === `#/deal/${id}`, deal.id, { what: 'the agenda opens the deal' });
    // Back on the contact card: "Call" opens tel: as a link does; a middle click on "Write"
    // opens mailto: too. Last, because headless Chromium keeps such a navigation pending (no
    // phone app answers) and then loses later clicks, even after a reload.
    await press(page, 'nav:customers');
    await press(page, `customer:${customer.id}`);
    await press(page, `contact:${contact.id}`);
    await waitInPage(page, (id) => window.funnel.stats().route === `#/contact/${id}`, contact.id, { what: 'the contact card again' });
    await press(page, 'button:contact.call:0');
    for (let i = 0; i < 100 && !requested.includes('tel:+821023456789'); i++) await settle(page);
    assert.ok(requested.includes('tel:+821023456789'), `tel: requested (seen: ${requested.filter((u) => !u.startsWith('http')).join(', ')})`);
    await press(page, 'button:contact.write:0', 'middle');
    for (let i = 0; i < 100 && !requested.includes('mailto:jihoon@hanil.kr'); i++) await settle(page);
    assert.ok(requested.includes('mailto:jihoon@hanil.kr'), 'mailto: requested by a middle click');
    assert.match(await route(page), /^#\/contact\//, 'the page stayed');

  } catch (err) {
    if (page) await saveScreenshot(page, 'records-flow-failure').catch(() => {});
    throw err;
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
