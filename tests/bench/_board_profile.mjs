// Not a benchmark (scripts/bench skips files starting with "_"): the board bench's scroll and
// drag under Chromium's sampling profiler, printing where the main thread's time goes, by
// function (self time). Relink with --profiling-funcs to see wasm function names.
//   node tests/bench/_board_profile.mjs [deals]
import { startServer, launchBrowser } from '../e2e/harness.mjs';

const n = Number(process.argv[2] || 10000);
const server = await startServer({ args: ['--quiet'] });
const browser = await launchBrowser();
const frames = (page) => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
try {
  const context = await browser.newContext({ viewport: { width: 1600, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${server.url}?lang=en&bench=${n}`);
  await page.waitForFunction(() => window.funnel && window.funnel.ready, null, { timeout: 120000 });
  await page.evaluate(() => window.funnel.ready);
  const card = await page.evaluate(() => window.funnel.itemRect(window.funnel.itemKeys().filter((k) => k.startsWith('deal:'))[0]));
  await page.evaluate(() => window.funnel.frameTimes(true));
  const cdp = await context.newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
  await cdp.send('Profiler.start');
  await page.mouse.move(card.x + card.w + 140, 500);
  for (let i = 0; i < 120; i++) { await page.mouse.wheel(0, i < 60 ? 120 : -120); await frames(page); }
  const from = { x: card.x + card.w / 2, y: card.y + card.h / 2 };
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  for (let i = 0; i <= 120; i++) {
    const t = i <= 60 ? i / 60 : (120 - i) / 60;
    await page.mouse.move(from.x + t * 3 * 282, from.y + 40 * t);
    await frames(page);
  }
  await page.mouse.up();
  await frames(page);
  const { profile } = await cdp.send('Profiler.stop');
  const times = await page.evaluate(() => window.funnel.frameTimes(true));
  const s = [...times].sort((a, b) => a - b);
  console.log(`frames ${times.length} p50 ${s[Math.floor(0.5 * (s.length - 1))].toFixed(3)} p95 ${s[Math.floor(0.95 * (s.length - 1))].toFixed(3)}`);
  // Self time per node, from the sample deltas.
  const byId = new Map(profile.nodes.map((nd) => [nd.id, nd]));
  const self = new Map();
  profile.samples.forEach((id, i) => {
    const nd = byId.get(id);
    const key = `${nd.callFrame.functionName || '(anon)'} ${nd.callFrame.url.split('/').pop()}:${nd.callFrame.lineNumber}`;
    self.set(key, (self.get(key) || 0) + (profile.timeDeltas[i] || 0));
  });
  // Inclusive time of the frame function and its children by name.
  const parent = new Map();
  for (const nd of profile.nodes) for (const c of nd.children || []) parent.set(c, nd.id);
  const incl = new Map();
  profile.samples.forEach((id, i) => {
    const seen = new Set();
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
      const name = byId.get(cur).callFrame.functionName || '(anon)';
      if (seen.has(name)) continue;
      seen.add(name);
      incl.set(name, (incl.get(name) || 0) + (profile.timeDeltas[i] || 0));
    }
  });
  const total = profile.endTime - profile.startTime;
  console.log(`profile ${(total / 1000).toFixed(0)} ms`);
  console.log('--- self (ms)');
  for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 45)) console.log((v / 1000).toFixed(1).padStart(8), k);
  console.log('--- inclusive (ms)');
  for (const [k, v] of [...incl].sort((a, b) => b[1] - a[1]).slice(0, 60)) console.log((v / 1000).toFixed(1).padStart(8), k);
  await context.close();
} finally {
  await browser.close();
  await server.stop();
}
