// The Reports screen in Chromium on the ?demo document: en and 简体中文, light and dark, a
// 390×844 phone (screenshots into build/screenshots/reports-*.png, the lower cards scrolled into
// view too; the demo banner's buttons on the phone's screen); a table's CSV download (UTF-8 with BOM, the rows the screen shows) and the screen as
// a PNG; a reload keeps the period and owner; a click on a funnel band opens the board filtered to
// that stage's deals.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
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

const keys = (page) => page.evaluate(() => window.funnel.itemKeys());
// The text after "<prefix>=" of the recorded key starting so.
async function figure(page, prefix) {
  const k = (await keys(page)).find((x) => x.startsWith(prefix + '='));
  return k ? k.slice(prefix.length + 1) : null;
}

// Wheels over the cards until they scroll no further (the last card, targets, in view); returns
// the targets card's rectangle.
async function scrollToEnd(page) {
  const first = await rectOf(page, 'chart:funnel');
  await page.mouse.move(first.x + first.w / 2, first.y + Math.min(first.h, 200) / 2);
  let last = null;
  for (let i = 0; i < 60; i++) {
    // Cards scrolled out of view record no rectangle; one partly in view, its visible part.
    const r = await page.evaluate(() => window.funnel.itemRect('chart:targets'));
    if (r && last && last.y === r.y && last.h === r.h) return r;  // at the end
    last = r;
    const before = await page.evaluate(() => window.funnel.stats().frames);
    await page.mouse.wheel(0, 240);
    await waitInPage(page, (b) => window.funnel.stats().frames > b + 2, before, { what: 'frames after a wheel' });
  }
  throw new Error('the Reports cards did not scroll to their end');
}

// Wheels the cards down over `over` until the item `key` records a rectangle (is in view).
async function wheelUntil(page, key, over) {
  await page.mouse.move(over.x + over.w / 2, over.y + Math.min(over.h, 200) / 2);
  for (let i = 0; i < 20; i++) {
    const r = await page.evaluate((k) => window.funnel.itemRect(k), key);
    if (r) return r;
    const before = await page.evaluate(() => window.funnel.stats().frames);
    await page.mouse.wheel(0, 120);
    await waitInPage(page, (b) => window.funnel.stats().frames > b + 2, before, { what: 'frames after a wheel' });
  }
  throw new Error(`${key} did not come into view`);
}

// Wheels the cards back to their top (the funnel's heading in view and still).
async function scrollToTop(page) {
  let last = null;
  for (let i = 0; i < 60; i++) {
    const r = await page.evaluate(() => window.funnel.itemRect('heading:funnel'));
    if (r && last && last.y === r.y) return r;
    last = r;
    const before = await page.evaluate(() => window.funnel.stats().frames);
    await page.mouse.wheel(0, -480);
    await waitInPage(page, (b) => window.funnel.stats().frames > b + 2, before, { what: 'frames after a wheel' });
  }
  throw new Error('the Reports cards did not scroll back to their top');
}

async function openReports(page, query) {
  await page.evaluate((q) => window.funnel.open(q), query);
  await settle(page);
  await rectOf(page, 'chart:funnel');
}

for (const lang of ['en', 'zh-Hans']) {
  test(`#/reports on the demo (${lang}), light and dark: headings, figures, ink`, async () => {
    const viewport = { width: 1400, height: 1000 };
    const context = await browser.newContext({ viewport });
    try {
      const page = await openApp(context, { url: server.url, query: `?lang=${lang}&demo`, viewport });
      if (lang !== 'en')
        await waitInPage(page, () => window.funnel.stats().fontsLoaded.some((f) => f.startsWith('cjk')), null, { what: 'CJK font' });
      for (const theme of ['light', 'dark']) {
        await page.evaluate(() => window.funnel.open('#/settings'));
        await settle(page);
        await click(page, `field:settings.theme.${theme}`);
        await openReports(page, '#/reports?period=year&owner=team');
        assert.equal(await page.evaluate(() => window.funnel.stats().route), '#/reports?period=year&owner=team');
        const file = `reports-${theme}-${lang}`;
        await saveScreenshot(page, file);
        const whole = await regionStats(page);
        assert.ok(whole.colours > 30 && whole.inkFraction > 0.02, `${file}: not blank`);
        const lum = (whole.background[0] + whole.background[1] + whole.background[2]) / 3;
        assert.ok(theme === 'dark' ? lum < 80 : lum > 180, `${file}: background fits the ${theme} theme`);
        for (const chart of ['funnel', 'forecast', 'progress', 'outcomes']) {
          const r = await rectOf(page, `chart:${chart}`);
          const s = await regionStats(page, { x: r.x, y: r.y, w: r.w, h: Math.min(r.h, viewport.height - r.y) });
          assert.ok(s.inkFraction > 0.02 && s.colours > 8, `${file}: ${chart} is drawn`);
        }
        const heading = await rectOf(page, 'heading:funnel');
        assert.ok((await regionStats(page, heading)).inkColumns > 0.2, `${file}: the funnel's heading has glyphs`);
        // The figures are those of the document: the created count is a number, the win rate a percentage.
        assert.match(await figure(page, 'figure:progress.created'), /^\d+$/);
        assert.match(await figure(page, 'figure:outcomes.win_rate'), /^\d+%$/);
        // The lower cards (lost reasons, out-of-funnel sales, targets), scrolled into view.
        await scrollToEnd(page);
        await saveScreenshot(page, `${file}-lower`);
        for (const chart of ['lost', 'out-of-funnel', 'targets']) {
          const r = await rectOf(page, `chart:${chart}`);
          const top = Math.max(r.y, 0);
          const s = await regionStats(page, { x: r.x, y: top, w: r.w, h: Math.min(r.y + r.h, viewport.height) - top });
          assert.ok(s.inkFraction > 0.02 && s.colours > 8, `${file}: ${chart} is drawn`);
        }
        await scrollToTop(page);
      }
    } finally {
      await context.close();
    }
  });
}

test('a 390×844 phone stacks the charts in one column', async () => {
  const viewport = { width: 390, height: 844 };
  const context = await browser.newContext({ viewport, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  try {
    const page = await openApp(context, { url: server.url, query: '?lang=zh-Hans&demo', viewport });
    await waitInPage(page, () => window.funnel.stats().fontsLoaded.some((f) => f.startsWith('cjk')), null, { what: 'CJK font' });
    await openReports(page, '#/reports?period=year&owner=team');
    await saveScreenshot(page, 'reports-phone-zh-Hans');
    const a = await rectOf(page, 'chart:funnel');
    // The forecast's card starts below the first screen or at its foot (the demo banner wraps to
    // three lines on a phone): wheel until it is in view.
    const b = await wheelUntil(page, 'chart:forecast', a);
    assert.ok(Math.abs(a.x - b.x) < 1 && b.y > a.y, 'forecast below the funnel, same column');
    assert.ok(a.x >= 0 && a.x + a.w <= 390 + 1, 'the funnel fits the phone');
    const whole = await regionStats(page);
    assert.ok(whole.colours > 30 && whole.inkFraction > 0.02, 'the phone screen is not blank');
    // The demo banner's buttons are on the screen (its text wraps, the buttons below it), and drawn.
    for (const key of ['button:demo-reset', 'button:demo-leave']) {
      const r = await rectOf(page, key);
      assert.ok(r.x >= 0 && r.x + r.w <= 390 + 1 && r.y + r.h <= 844, `${key} on the phone's screen`);
      assert.ok((await regionStats(page, r)).inkColumns > 0.2, `${key} has its label`);
    }
    // Further down, each card one above the other, none wider than the phone.
    await scrollToEnd(page);
    await saveScreenshot(page, 'reports-phone-zh-Hans-lower');
    let above = null;
    for (const chart of ['lost', 'out-of-funnel', 'targets']) {
      const r = await page.evaluate((k) => window.funnel.itemRect(k), `chart:${chart}`);
      if (!r) continue;  // scrolled past
      assert.ok(Math.abs(r.x - a.x) < 1 && r.x + r.w <= 390 + 1, `${chart}: in the one column`);
      if (above) assert.ok(r.y >= above.y + above.h - 1, `${chart}: below the card before it`);
      above = r;
    }
    assert.ok(above, 'the targets card in view at the end');
  } finally {
    await context.close();
  }
});

test('a table as CSV (BOM, the rows shown), the screen as PNG, a reload keeps period and owner, a band opens the board', async () => {
  const viewport = { width: 1400, height: 1000 };
  const context = await browser.newContext({ viewport, acceptDownloads: true });
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'funnel-reports-'));
  try {
    const page = await openApp(context, { url: server.url, query: '?lang=zh-Hans&demo', viewport });
    await waitInPage(page, () => window.funnel.stats().fontsLoaded.some((f) => f.startsWith('cjk')), null, { what: 'CJK font' });
    await openReports(page, '#/reports');
    const doc = await page.evaluate(() => window.funnel.snapshot());
    // The pickers, as a person uses them: last month, then one member.
    await click(page, 'field:report.period');
    await click(page, 'period:reports.last_month');
    const member = doc.members.find((m) => m.id !== doc.settings.me) || doc.members[0];
    await click(page, 'field:report.owner');
    await click(page, `owner:${member.id}`);
    await waitInPage(page, (id) => location.hash === `#/reports?period=last-month&owner=${id}`, member.id, { what: 'the hash to follow' });
    const created = await figure(page, 'figure:progress.created');
    const range = await figure(page, 'figure:report.range');

    await page.reload();
    await page.waitForFunction(() => window.funnel && window.funnel.ready, null, { timeout: 30000 });
    await page.evaluate(() => window.funnel.ready);
    await rectOf(page, 'chart:funnel');
    assert.equal(await page.evaluate(() => window.funnel.stats().route), `#/reports?period=last-month&owner=${member.id}`);
    assert.equal(await figure(page, 'figure:report.range'), range, 'the same period after a reload');
    assert.equal(await figure(page, 'figure:progress.created'), created, 'the same figures after a reload');

    // The funnel table as CSV: the team this year.
    await openReports(page, '#/reports?period=year&owner=team');
    const [download] = await Promise.all([page.waitForEvent('download'), click(page, 'button:report-csv:funnel')]);
    assert.match(download.suggestedFilename(), /^funnel-report-funnel-\d{4}-01-01_\d{4}-12-31\.csv$/);
    const file = path.join(tmp, download.suggestedFilename());
    await download.saveAs(file);
    const bytes = readFileSync(file);
    assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 BOM first');
    const lines = bytes.subarray(3).toString('utf8').split('\r\n').filter((l) => l.length);
    const stages = doc.pipelines.find((p) => p.id === doc.settings.defaultPipeline).stages;
    assert.equal(lines.length, stages.length + 1, 'a header and a row per stage');
    assert.ok(lines[0].startsWith('阶段,'), `the header is in the UI language: ${lines[0]}`);
    for (let i = 0; i < stages.length; i++) {
      const cells = lines[i + 1].split(',');
      assert.equal(cells[0], stages[i].name['zh-Hans']);
      assert.equal(cells[1], await figure(page, `figure:funnel.count:${stages[i].id}`), `${stages[i].id}: the count drawn`);
    }

    // The screen as a PNG: a real image of the Reports region (signature, size in the header),
    // not blank (many colours in its pixels).
    const [shot] = await Promise.all([page.waitForEvent('download', { timeout: 60000 }), click(page, 'button:report-png')]);
    assert.match(shot.suggestedFilename(), /^funnel-report-\d{4}-\d{2}-\d{2}\.png$/);
    const png = path.join(tmp, shot.suggestedFilename());
    await shot.saveAs(png);
    const img = readFileSync(png);
    assert.deepEqual([...img.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG signature');
    const width = img.readUInt32BE(16), height = img.readUInt32BE(20);
    assert.ok(width >= 600 && width <= viewport.width * 2 && height >= 400, `the PNG is the screen's region: ${width}×${height}`);
    const colours = await page.evaluate(async (b64) => {
      const bmp = await createImageBitmap(new Blob([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], { type: 'image/png' }));
      const c = new OffscreenCanvas(bmp.width, bmp.height);
      const g = c.getContext('2d');
      g.drawImage(bmp, 0, 0);
      const d = g.getImageData(0, 0, bmp.width, bmp.height).data;
      const seen = new Set();
      for (let i = 0; i < d.length; i += 4 * 7) seen.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
      return seen.size;
    }, img.toString('base64'));
    assert.ok(colours > 30, `the PNG holds the charts, not a blank canvas (${colours} colours)`);

    // A band with deals opens the board showing just those.
    let band = null;
    for (const s of stages) if (Number(await figure(page, `figure:funnel.count:${s.id}`)) > 0) { band = s; break; }
    assert.ok(band, 'some stage has deals');
    const count = Number(await figure(page, `figure:funnel.count:${band.id}`));
    await click(page, `bar:funnel:${band.id}`);
    await waitInPage(page, () => window.funnel.stats().route === '#/board', null, { what: 'the board' });
    await rectOf(page, 'button:report-drill');
    const chip = await figure(page, 'board:drill');
    assert.ok(chip.includes(String(count)), `the chip names ${count} deals: ${chip}`);
    await saveScreenshot(page, 'reports-drill-zh-Hans');
  } finally {
    await context.close();
    rmSync(tmp, { recursive: true, force: true });
  }
});
