// Not a benchmark (scripts/bench skips files starting with "_"): how the board benches use the
// board in Chromium, shared by board.mjs (figures) and _board_profile.mjs (where the time goes).
// A person scrolls the first column down and back up, then drags its top card across three
// columns and back, dropping it where it was. Every step waits until the app has drawn the
// frame that input caused (polling on timers, so the only animation-frame callbacks in a trace
// are the app's own), and the drive fails when the input visibly changed nothing.

// Opens the board with a demo of n deals held in memory (?bench=<n>: nothing stored).
export async function openBoard(browser, url, n, extraQuery = '') {
  const context = await browser.newContext({ viewport: { width: 1600, height: 900 } });
  const page = await context.newPage();
  page.on('crash', () => console.error(`board bench: the page crashed with ${n} deals`));
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') console.error(m.text()); });
  await page.goto(`${url}?lang=en&bench=${n}${extraQuery}`);
  await page.waitForFunction(() => window.funnel && window.funnel.ready, null, { timeout: 120000 });
  await page.evaluate(() => window.funnel.ready);
  return { context, page };
}

const cards = (page) => page.evaluate(() => window.funnel.itemKeys()
  .filter((k) => k.startsWith('deal:'))
  .map((k) => ({ key: k, ...window.funnel.itemRect(k) })));
const framesDrawn = (page) => page.evaluate(() => window.funnel.stats().frames);
// Resolves once the app has drawn a frame after `before` (a frame count).
const drawnAfter = (page, before) =>
  page.waitForFunction((b) => window.funnel.stats().frames > b, before, { polling: 2, timeout: 20000 });

// The top card of the leftmost column, and the distance between two columns.
export async function firstCard(page) {
  const all = await cards(page);
  if (!all.length) throw new Error('no card drawn on the board');
  const xs = [...new Set(all.map((c) => Math.round(c.x)))].sort((a, b) => a - b);
  if (xs.length < 4) throw new Error(`only ${xs.length} columns of cards visible: cannot drag across three`);
  const left = all.filter((c) => Math.round(c.x) === xs[0]).sort((a, b) => a.y - b.y);
  return { card: left[0], pitch: xs[1] - xs[0] };
}

export async function scrollAndDrag(page) {
  const { card, pitch } = await firstCard(page);
  const inColumn = async () => (await cards(page)).filter((c) => Math.abs(c.x - card.x) < 2).map((c) => c.key).sort().join();
  const step = async (input) => {
    const before = await framesDrawn(page);
    await input();
    await drawnAfter(page, before);
  };

  const top = await inColumn();
  await step(() => page.mouse.move(card.x + card.w / 2, 500));
  for (let i = 0; i < 60; i++) await step(() => page.mouse.wheel(0, 120));
  if ((await inColumn()) === top) throw new Error('scrolling the first column did not change the cards shown');
  for (let i = 0; i < 60; i++) await step(() => page.mouse.wheel(0, -120));

  const from = { x: card.x + card.w / 2, y: card.y + card.h / 2 };
  await step(() => page.mouse.move(from.x, from.y));
  await step(() => page.mouse.down());
  for (let i = 1; i <= 120; i++) {  // (i = 0 would be no move: no event, no frame)
    const t = i <= 60 ? i / 60 : (120 - i) / 60;
    await step(() => page.mouse.move(from.x + t * 3 * pitch, from.y + 40 * t));
  }
  await step(() => page.mouse.up());
  const after = (await cards(page)).find((c) => c.key === card.key);
  if (!after || Math.abs(after.x - card.x) > 2) throw new Error('the dragged card did not come back to its column');
}
