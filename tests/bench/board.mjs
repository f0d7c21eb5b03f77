// board.frame_p50_ms.wasm.<n> / board.frame_p95_ms.wasm.<n>: the board's frame CPU time in
// headless Chromium while a person scrolls a column and drags a card across three columns and
// back, with a demo of n deals held in memory (?bench=<n>: nothing stored); and
// board.wasm_heap_mb.<n>, the wasm heap once that document is made and drawn (the issue's
// memory.wasm_heap_mb.<n>, the heap after opening a stored document, comes from store.mjs).
// Frame times come from the app itself (window.funnel.frameTimes: NewFrame .. GL submit).
import { startServer, launchBrowser } from '../e2e/harness.mjs';

const all = [['1k', 1000], ['10k', 10000], ['100k', 100000]];
const sizes = process.argv.length > 2 ? all.filter(([n]) => process.argv.includes(n)) : all;
const server = await startServer({ args: ['--quiet'] });
const browser = await launchBrowser();

const pct = (v, p) => {
  const s = [...v].sort((a, b) => a - b);
  return s[Math.floor(p * (s.length - 1))];
};
const frames = (page) => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));

try {
  for (const [name, n] of sizes) {
    const context = await browser.newContext({ viewport: { width: 1600, height: 900 } });
    const page = await context.newPage();
    page.on('crash', () => console.error(`board bench: the page crashed with ${n} deals`));
    page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') console.error(m.text()); });
    await page.goto(`${server.url}?lang=en&bench=${n}`);
    await page.waitForFunction(() => window.funnel && window.funnel.ready, null, { timeout: 120000 });
    await page.evaluate(() => window.funnel.ready);
    const card = await page.evaluate(() => {
      const keys = window.funnel.itemKeys().filter((k) => k.startsWith('deal:'));
      return keys.length ? window.funnel.itemRect(keys[0]) : null;
    });
    if (!card) throw new Error(`no card drawn with ${n} deals`);
    await page.evaluate(() => window.funnel.frameTimes(true));

    // Scroll the second column down, then back up.
    await page.mouse.move(card.x + card.w + 140, 500);
    for (let i = 0; i < 120; i++) {
      await page.mouse.wheel(0, i < 60 ? 120 : -120);
      await frames(page);
    }
    // Drag the first card across three columns and back, dropping it where it was.
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

    const times = await page.evaluate(() => window.funnel.frameTimes(true));
    const heap = (await page.evaluate(() => window.funnel.stats())).heapBytes;
    if (times.length < 100) throw new Error(`only ${times.length} frames drawn with ${n} deals`);
    console.log(`board.frame_p50_ms.wasm.${name} ${pct(times, 0.5).toFixed(3)} ms`);
    console.log(`board.frame_p95_ms.wasm.${name} ${pct(times, 0.95).toFixed(3)} ms`);
    console.log(`board.wasm_heap_mb.${name} ${(heap / 1048576).toFixed(1)} MB`);
    await context.close();
  }
} finally {
  await browser.close();
  await server.stop();
}
