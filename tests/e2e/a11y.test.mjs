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
