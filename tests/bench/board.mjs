// board.frame_p50_ms.wasm.<n> / board.frame_p95_ms.wasm.<n>: the board's frame CPU time in
// headless Chromium while a person scrolls a column and drags a card across three columns and
// back (tests/bench/_board_drive.mjs), with a demo of n deals held in memory; and
// board.wasm_heap_mb.<n>, the wasm heap once that document is made and drawn (the issue's
// memory.wasm_heap_mb.<n>, the heap after opening a stored document, comes from store.mjs).
//
// CPU time is the main thread's time in each of the app's animation-frame callbacks, from a
// Chromium trace (FireAnimationFrame's thread duration): on this 2-core machine the wall time
// of a frame also holds the time the thread waited for a core, which is printed beside it as
// board.frame_wall_p95_ms.wasm.<n> (the app's own performance.now() from NewFrame to GL submit).
import { startServer, launchBrowser } from '../e2e/harness.mjs';
import { openBoard, scrollAndDrag } from './_board_drive.mjs';

const all = [['1k', 1000], ['10k', 10000], ['100k', 100000]];
const sizes = process.argv.length > 2 ? all.filter(([n]) => process.argv.includes(n)) : all;
const server = await startServer({ args: ['--quiet'] });
const browser = await launchBrowser();

const pct = (v, p) => {
  const s = [...v].sort((a, b) => a - b);
  return s[Math.floor(p * (s.length - 1))];
};

try {
  for (const [name, n] of sizes) {
    const { context, page } = await openBoard(browser, server.url, n);
    await page.evaluate(() => window.funnel.frameTimes(true));
    await browser.startTracing(page, { categories: ['devtools.timeline'] });
    await scrollAndDrag(page);
    const trace = JSON.parse((await browser.stopTracing()).toString());
    const wall = await page.evaluate(() => window.funnel.frameTimes(true));
    const heap = (await page.evaluate(() => window.funnel.stats())).heapBytes;

    const cpu = trace.traceEvents
      .filter((e) => e.name === 'FireAnimationFrame' && e.ph === 'X' && typeof e.tdur === 'number')
      .map((e) => e.tdur / 1000);
    if (wall.length < 200) throw new Error(`only ${wall.length} frames drawn with ${n} deals`);
    // Every animation frame the trace saw is one the app drew (the drive polls on timers).
    if (Math.abs(cpu.length - wall.length) > 2) throw new Error(`the trace has ${cpu.length} animation frames, the app drew ${wall.length}`);
    console.log(`board.frame_p50_ms.wasm.${name} ${pct(cpu, 0.5).toFixed(3)} ms`);
    console.log(`board.frame_p95_ms.wasm.${name} ${pct(cpu, 0.95).toFixed(3)} ms`);
    console.log(`board.frame_wall_p95_ms.wasm.${name} ${pct(wall, 0.95).toFixed(3)} ms`);
    console.log(`board.wasm_heap_mb.${name} ${(heap / 1048576).toFixed(1)} MB`);
    await context.close();
  }
} finally {
  await browser.close();
  await server.stop();
}
