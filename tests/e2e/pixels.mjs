// Pixel checks on real screenshots for the end-to-end tests: how much "ink" (pixels unlike the
// background) a region holds. Decoded in the page (createImageBitmap), so no PNG library is needed.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './harness.mjs';

export const screenshotDir = path.join(repoRoot, 'build', 'screenshots');

export async function saveScreenshot(page, name, opts = {}) {
  mkdirSync(screenshotDir, { recursive: true });
  const file = path.join(screenshotDir, `${name}.png`);
  await page.screenshot({ path: file, ...opts });
  return file;
}

// Statistics of a region (CSS px; {x,y,w,h}) of the page as shown, or of the whole viewport:
//   background: the most common colour, inkFraction: share of pixels far from it,
//   colours: number of distinct colours, width/height in device pixels, inkColumns: share of
//   pixel columns holding ink (glyphs spread ink across a label; a '?' box leaves gaps).
export async function regionStats(page, rect) {
  const clip = rect ? { x: rect.x, y: rect.y, width: rect.w ?? rect.width, height: rect.h ?? rect.height } : undefined;
  const png = await page.screenshot(clip ? { clip } : {});
  return page.evaluate(async (b64) => {
    const bytes = Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0));
    const bmp = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
    const off = new OffscreenCanvas(bmp.width, bmp.height);
    const ctx = off.getContext('2d');
    ctx.drawImage(bmp, 0, 0);
    const d = ctx.getImageData(0, 0, bmp.width, bmp.height).data;
    const counts = new Map();
    for (let i = 0; i < d.length; i += 4) {
      const key = (d[i] << 16) | (d[i + 1] << 8) | d[i + 2];
      counts.set(key, (counts.get(key) || 0) + 1);
    }
    let bg = 0;
    let best = -1;
    for (const [k, n] of counts) if (n > best) { best = n; bg = k; }
    const br = bg >> 16, bgG = (bg >> 8) & 255, bb = bg & 255;
    let ink = 0;
    const cols = new Uint8Array(bmp.width);
    for (let i = 0, p = 0; i < d.length; i += 4, p++) {
      const dist = Math.abs(d[i] - br) + Math.abs(d[i + 1] - bgG) + Math.abs(d[i + 2] - bb);
      if (dist > 60) { ink++; cols[p % bmp.width] = 1; }
    }
    const inkCols = cols.reduce((a, b) => a + b, 0);
    return {
      background: [br, bgG, bb],
      inkFraction: ink / (d.length / 4),
      inkColumns: inkCols / bmp.width,
      colours: counts.size,
      width: bmp.width,
      height: bmp.height,
    };
  }, png.toString('base64'));
}

// Polls fn in the page until it returns a truthy value (then returns it) or the time is up.
export async function waitInPage(page, fn, arg, { timeout = 20000, what = 'condition' } = {}) {
  try {
    const handle = await page.waitForFunction(fn, arg, { timeout, polling: 50 });
    return handle.jsonValue();
  } catch (err) {
    throw new Error(`timed out waiting for ${what}: ${err.message}`);
  }
}
