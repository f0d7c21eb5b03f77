// a11y.frame_p95_ms.wasm.<n>: the board's frame CPU time (p95) with the screen-reader tree
// (app/platform/web/semantics.*) kept up to date, during the same scroll and drag as
// board.frame_p95_ms (tests/bench/_board_drive.mjs); a11y.base_frame_p95_ms.wasm.<n> is the same
// drive in the same run with the tree left out (?a11y=0), and a11y.overhead_pct.wasm.<n> the
// difference in per cent (issue #18 allows 10). Alternating runs, 2 of each, medians: the
// machine's load moves both alike.
import { startServer, launchBrowser } from '../e2e/harness.mjs';
import { openBoard, scrollAndDrag } from './_board_drive.mjs';

const all = [['10k', 10000]];
const sizes = process.argv.length > 2 ? all.filter(([n]) => process.argv.includes(n)) : all;
const server = await startServer({ args: ['--quiet'] });
const browser = await launchBrowser();

const pct = (v, p) => {
  const s = [...v].sort((a, b) => a - b);
  return s[Math.floor(p * (s.length - 1))];
};
const median = (v) => pct(v, 0.5);

async function p95(n, query) {
  const { context, page } = await openBoard(browser, server.url, n, query);
  await page.evaluate(() => window.funnel.frameTimes(true));
  await browser.startTracing(page, { categories: ['devtools.timeline'] });
  await scrollAndDrag(page);
  const trace = JSON.parse((await browser.stopTracing()).toString());
  const nodes = await page.evaluate(() => document.querySelectorAll('#funnel-a11y [data-id]').length);
  await context.close();
  const cpu = trace.traceEvents
    .filter((e) => e.name === 'FireAnimationFrame' && e.ph === 'X' && typeof e.tdur === 'number')
    .map((e) => e.tdur / 1000);
  if (cpu.length < 200) throw new Error(`only ${cpu.length} frames drawn with ${n} deals`);
  return { p95: pct(cpu, 0.95), nodes };
}

try {
  for (const [name, n] of sizes) {
    const base = [], tree = [];
    for (let i = 0; i < 2; i++) {
      base.push((await p95(n, '&a11y=0')).p95);
      const t = await p95(n, '');
      if (t.nodes < 20) throw new Error(`the tree holds only ${t.nodes} nodes`);
      tree.push(t.p95);
    }
    const b = median(base), t = median(tree);
    console.log(`a11y.frame_p95_ms.wasm.${name} ${t.toFixed(3)} ms`);
    console.log(`a11y.base_frame_p95_ms.wasm.${name} ${b.toFixed(3)} ms`);
    console.log(`a11y.overhead_pct.wasm.${name} ${(((t - b) / b) * 100).toFixed(1)} %`);
  }
} finally {
  await browser.close();
  await server.stop();
}
