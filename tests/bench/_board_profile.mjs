// Not a benchmark (scripts/bench skips files starting with "_"): the board bench's scroll and
// drag under Chromium's sampling profiler, printing where the main thread's time goes, by
// function (self time). Relink with --profiling-funcs to see wasm function names.
//   node tests/bench/_board_profile.mjs [deals]
import { startServer, launchBrowser } from '../e2e/harness.mjs';
import { openBoard, scrollAndDrag } from './_board_drive.mjs';

const n = Number(process.argv[2] || 10000);
const server = await startServer({ args: ['--quiet'] });
const browser = await launchBrowser();
try {
  const { context, page } = await openBoard(browser, server.url, n);
  await page.evaluate(() => window.funnel.frameTimes(true));
  const cdp = await context.newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
  await cdp.send('Profiler.start');
  await scrollAndDrag(page);
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
