// Real input for the e2e tests: the mouse and keyboard a person uses, aimed at the items the
// views report through window.funnel.itemRect (stable keys such as "deal:<id>", "button:share").
import { waitInPage } from './pixels.mjs';

// Waits until a frame has drawn `key` and returns its rectangle (CSS px).
export async function rectOf(page, key, what = key) {
  return waitInPage(page, (k) => window.funnel.itemRect(k), key, { what: `item ${what}` });
}

// The frame after an input event is drawn on the next animation frames.
export async function settle(page) {
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => requestAnimationFrame(r)))));
}

// Where `key` stands once two frames agree: a screen that scrolls to its section a frame after
// it opens (Settings → Team sync) moves its items after the frame that recorded them.
export async function steadyRectOf(page, key) {
  let r = await rectOf(page, key);
  for (let i = 0; i < 30; i++) {
    await settle(page);
    const again = await rectOf(page, key);
    if (again.x === r.x && again.y === r.y && again.w === r.w && again.h === r.h) return again;
    r = again;
  }
  throw new Error(`${key} kept moving`);
}

export async function click(page, key) {
  const r = await steadyRectOf(page, key);
  await page.mouse.click(r.x + r.w / 2, r.y + r.h / 2);
  await settle(page);
}

// Presses on `fromKey` and moves to the point `to` in twelve steps, then lets go.
export async function drag(page, fromKey, to) {
  const r = await rectOf(page, fromKey);
  const from = { x: r.x + r.w / 2, y: r.y + r.h / 2 };
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  for (let i = 1; i <= 12; i++) {
    await page.mouse.move(from.x + ((to.x - from.x) * i) / 12, from.y + ((to.y - from.y) * i) / 12);
    await settle(page);
  }
  await page.mouse.up();
  await settle(page);
}

// Scrolls the wheel over `areaKey` until `key` is drawn (as a person scrolls a long card).
export async function scrollTo(page, areaKey, key) {
  const area = await rectOf(page, areaKey);
  await page.mouse.move(area.x + area.w / 2, area.y + area.h / 2);
  for (let i = 0; i < 40; i++) {
    const r = await page.evaluate((k) => window.funnel.itemRect(k), key);
    if (r && r.h >= 10) return r;
    await page.mouse.wheel(0, 120);
    await settle(page);
  }
  throw new Error(`${key} did not come into view while scrolling ${areaKey}`);
}

export async function typeInto(page, key, text) {
  await click(page, key);
  await page.keyboard.type(text);
  await settle(page);
}
