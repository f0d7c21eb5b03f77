// reports.frame_p95_ms.wasm.10k (and p50): the Reports screen's frame CPU time in headless
// Chromium with a 10k-deal demo held in memory (?bench=10000), while a person moves the mouse
// over the funnel's bands and the forecast's bars (a tooltip each), toggles the funnel between
// count and value and switches the period (each switch computes a new report in that frame).
// CPU time as board.mjs measures it: the main thread's time in each animation-frame callback,
// from a Chromium trace. The target is the board's board.frame_p95_ms.wasm.10k or less.
import { startServer, launchBrowser } from '../e2e/harness.mjs';

const all = [['10k', 10000]];
const sizes = process.argv.length > 2 ? all.filter(([n]) => process.argv.includes(n)) : all;
const server = await startServer({ args: ['--quiet'] });
const browser = await launchBrowser();

const pct = (v, p) => {
  const s = [...v].sort((a, b) => a - b);
  return s[Math.floor(p * (s.length - 1))];
};
const framesDrawn = (page) => page.evaluate(() => window.funnel.stats().frames);
const rect = (page, key) => page.evaluate((k) => window.funnel.itemRect(k), key);

try {
  for (const [name, n] of sizes) {
    const context = await browser.newContext({ viewport: { width: 1600, height: 900 } });
    const page = await context.newPage();
    page.on('crash', () => console.error(`reports bench: the page crashed with ${n} deals`));
    await page.goto(`${server.url}?lang=en&bench=${n}#/reports?period=year&owner=team`);
    await page.waitForFunction(() => window.funnel && window.funnel.ready, null, { timeout: 120000 });
    await page.evaluate(() => window.funnel.ready);
    await page.waitForFunction(() => window.funnel.itemRect('chart:forecast'), null, { timeout: 60000, polling: 50 });
    const step = async (input) => {
      const before = await framesDrawn(page);
      await input();
      await page.waitForFunction((b) => window.funnel.stats().frames > b, before, { polling: 2, timeout: 20000 });
    };
    const funnel = await rect(page, 'chart:funnel');
    const forecast = await rect(page, 'chart:forecast');
    if (!funnel || !forecast) throw new Error('the Reports screen did not draw its charts');

    await page.evaluate(() => window.funnel.frameTimes(true));
    await browser.startTracing(page, { categories: ['devtools.timeline'] });
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i <= 60; i++) {
        await step(() => page.mouse.move(funnel.x + funnel.w * 0.3, funnel.y + 60 + (i / 60) * (funnel.h - 80)));
      }
      for (let i = 0; i <= 60; i++) {
        await step(() => page.mouse.move(forecast.x + 20 + (i / 60) * (forecast.w - 40), forecast.y + forecast.h * 0.5));
      }
      const byValue = await rect(page, round === 0 ? 'button:funnel-by-value' : 'button:funnel-by-count');
      if (byValue) {
        await step(() => page.mouse.click(byValue.x + byValue.w / 2, byValue.y + byValue.h / 2));
      }
      await step(() => page.evaluate((q) => window.funnel.open(q), round === 0 ? '#/reports?period=quarter&owner=team' : '#/reports?period=year&owner=team'));
    }
    const trace = JSON.parse((await browser.stopTracing()).toString());
    const wall = await page.evaluate(() => window.funnel.frameTimes(true));
    const cpu = trace.traceEvents
      .filter((e) => e.name === 'FireAnimationFrame' && e.ph === 'X' && typeof e.tdur === 'number')
      .map((e) => e.tdur / 1000);
    if (wall.length < 200) throw new Error(`only ${wall.length} frames drawn with ${n} deals`);
    console.log(`reports.frame_p50_ms.wasm.${name} ${pct(cpu, 0.5).toFixed(3)} ms`);
    console.log(`reports.frame_p95_ms.wasm.${name} ${pct(cpu, 0.95).toFixed(3)} ms`);
    await context.close();
  }
} finally {
  await browser.close();
  await server.stop();
}
