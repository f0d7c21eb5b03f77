// start.first_frame_ms: page load to the first frame in headless Chromium, median of 5 loads,
// each in a fresh browser context (no HTTP cache). The app's own figure is used when
// window.funnel.stats() reports firstFrameMs; otherwise the time since navigation start at
// which window.funnel.ready resolved, observed by a script installed before the page's own.
import { startServer, launchBrowser } from '../e2e/harness.mjs';

const RUNS = 5;
const server = await startServer({ args: ['--quiet'] });
const browser = await launchBrowser();

// Attaches to window.funnel.ready as soon as it exists, so the timestamp is taken when the
// promise resolves rather than when this script gets to ask.
const watchReady = () => {
  const poll = () => {
    const f = window.funnel;
    if (f && f.ready && typeof f.ready.then === 'function') {
      f.ready.then(() => { window.__funnelReadyAt = performance.now(); });
      return;
    }
    setTimeout(poll, 2);
  };
  poll();
};

async function loadOnce() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.addInitScript(watchReady);
  const page = await context.newPage();
  await page.goto(server.url + '?lang=en');
  await page.waitForFunction(() => window.__funnelReadyAt !== undefined, null, { timeout: 60000 });
  const ms = await page.evaluate(() => {
    const s = typeof window.funnel.stats === 'function' ? window.funnel.stats() : null;
    return s && typeof s.firstFrameMs === 'number' ? s.firstFrameMs : window.__funnelReadyAt;
  });
  await context.close();
  return ms;
}

try {
  await loadOnce(); // warm-up: funnel-serve compresses each file once and keeps it
  const times = [];
  for (let i = 0; i < RUNS; i++) times.push(await loadOnce());
  times.sort((a, b) => a - b);
  console.log(`start.first_frame_ms ${times[Math.floor(RUNS / 2)].toFixed(1)} ms`);
} finally {
  await browser.close();
  await server.stop();
}
