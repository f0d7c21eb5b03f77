// The app in Chromium, served by funnel-serve: it starts (funnel.ready), draws the board of the
// default pipeline with every stage label where itemRect says, renders stage names in CJK glyphs
// once the CJK face is merged, follows the browser's language, explains itself where WebGL2 is
// missing, is crisp at devicePixelRatio 2, keeps routes in the URL, and rests when idle.
// Screenshots go to build/screenshots/app-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, openApp } from './harness.mjs';
import { regionStats, saveScreenshot, waitInPage } from './pixels.mjs';
import { settle } from './input.mjs';

let server;
let browser;

before(async () => {
  server = await startServer({ args: ['--quiet'] });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

// Each test gets a fresh profile (its own IndexedDB), so the store starts empty and the app
// shows the default document.
async function open(query, { viewport = { width: 1280, height: 800 }, ...ctxOpts } = {}) {
  const context = await browser.newContext({ viewport, ...ctxOpts });
  const page = await openApp(context, { url: server.url, query, viewport });
  page.closeAll = () => context.close();
  return page;
}

const faceFor = { 'en': 'cjk-sc', 'zh-Hans': 'cjk-sc', 'zh-Hant': 'cjk-tc', 'ko': 'cjk-kr' };

async function waitForFace(page, face) {
  await waitInPage(page, (f) => window.funnel.stats().fontsLoaded.includes(f), face, { what: `font ${face}` });
  // The font arrives between frames; let the frame that uses it be drawn.
  await waitInPage(page, () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r(true)))), null);
}

function defaultStages(snapshot) {
  const p = snapshot.pipelines.find((x) => x.id === (snapshot.settings.defaultPipeline || 'p-default')) || snapshot.pipelines[0];
  assert.ok(p && p.stages.length === 7, 'default pipeline with 7 stages');
  return p.stages;
}

test('the board loads, is drawn, and every stage label has ink where itemRect says (en)', async () => {
  const page = await open('?lang=en', { viewport: { width: 2000, height: 800 } });
  try {
    const stats = await page.evaluate(() => window.funnel.stats());
    assert.ok(stats.frames >= 1, 'at least one frame drawn before ready');
    assert.ok(stats.firstFrameMs > 0, 'first frame time reported');
    assert.ok(stats.fontsLoaded.includes('ui-latin'), `Latin UI font loaded (${stats.fontsLoaded})`);
    assert.equal(await page.evaluate(() => document.getElementById('funnel-loading').style.display), 'none', 'loading indicator hidden');
    await saveScreenshot(page, 'app-en');

    const whole = await regionStats(page);
    assert.ok(whole.colours > 20, `canvas shows more than a few colours (${whole.colours})`);
    assert.ok(whole.inkFraction > 0.005, `canvas not blank (ink ${whole.inkFraction})`);

    const stages = defaultStages(await page.evaluate(() => window.funnel.snapshot()));
    for (const stage of stages) {
      const byLabel = await page.evaluate((l) => window.funnel.itemRect(l), stage.name.en);
      const byId = await page.evaluate((l) => window.funnel.itemRect(l), `stage:${stage.id}`);
      assert.ok(byLabel, `itemRect(${stage.name.en}) is drawn`);
      assert.ok(byId, `itemRect(stage:${stage.id}) is drawn`);
      assert.ok(byLabel.w > 4 && byLabel.h > 4 && byLabel.x >= 0 && byLabel.y >= 0, `sane rect for ${stage.name.en}`);
      const s = await regionStats(page, byLabel);
      assert.ok(s.inkFraction > 0.03, `label ${stage.name.en} has ink (${s.inkFraction.toFixed(3)})`);
    }
    assert.equal(await page.evaluate(() => window.funnel.itemRect('no such label anywhere')), null);
    assert.deepEqual(page.funnelErrors, []);
  } finally {
    await page.closeAll();
  }
});

// Ink of each stage label with the CJK font blocked (fallback glyphs) and with it merged.
async function stageLabelInk(lang, { blockCjk }) {
  const context = await browser.newContext({ viewport: { width: 2000, height: 800 } });
  if (blockCjk) await context.route(/\/fonts\/cjk-/, (route) => route.abort());
  const page = await openApp(context, { url: server.url, query: `?lang=${lang}`, viewport: { width: 2000, height: 800 } });
  try {
    if (!blockCjk) await waitForFace(page, faceFor[lang]);
    else await page.evaluate(() => new Promise((r) => setTimeout(r, 300)));
    const fonts = await page.evaluate(() => window.funnel.stats().fontsLoaded);
    assert.equal(fonts.includes(faceFor[lang]), !blockCjk, `fonts: ${fonts}`);
    await saveScreenshot(page, `app-${lang}${blockCjk ? '-no-cjk' : ''}`);
    const stages = defaultStages(await page.evaluate(() => window.funnel.snapshot()));
    const out = [];
    for (const stage of stages) {
      const rect = await page.evaluate((id) => window.funnel.itemRect(`stage:${id}`), stage.id);
      assert.ok(rect, `stage:${stage.id} drawn in ${lang}`);
      const byName = await page.evaluate((l) => window.funnel.itemRect(l), stage.name[lang]);
      assert.ok(byName, `itemRect(${stage.name[lang]}) drawn in ${lang}`);
      out.push({ name: stage.name[lang], rect, ...(await regionStats(page, rect)) });
    }
    return out;
  } finally {
    await context.close();
  }
}

// Glyph advance per character of a label, against the line height: CJK glyphs are full-width
// (about one em); the fallback glyph ImGui draws for a missing character ('?') is about half.
function advancePerChar(label) {
  const chars = [...label.name].filter((c) => c.trim() !== '').length;
  const spaces = [...label.name].length - chars;
  return (label.rect.w - spaces * 4) / chars;
}

for (const lang of ['zh-Hans', 'zh-Hant', 'ko']) {
  test(`stage names render in CJK glyphs with ?lang=${lang}`, async () => {
    const real = await stageLabelInk(lang, { blockCjk: false });
    const fallback = await stageLabelInk(lang, { blockCjk: true });
    for (let i = 0; i < real.length; i++) {
      const r = real[i];
      const f = fallback[i];
      assert.ok(r.inkFraction > 0.08, `${lang} ${r.name}: the label has ink (${r.inkFraction.toFixed(3)})`);
      assert.ok(advancePerChar(r) >= 0.7 * r.rect.h, `${lang} ${r.name}: full-width glyphs (${advancePerChar(r).toFixed(1)} px/char)`);
      // The same check on the board drawn without the CJK font must fail: the test can tell
      // real glyphs from fallback marks.
      assert.ok(advancePerChar(f) < 0.55 * f.rect.h, `${lang} ${f.name} without CJK font: fallback glyphs (${advancePerChar(f).toFixed(1)} px/char)`);
    }
  });
}

test('switching language at runtime switches the merged CJK face', async () => {
  const page = await open('?lang=zh-Hans');
  try {
    await waitForFace(page, 'cjk-sc');
    await page.evaluate(() => window.funnel.setLanguage('ko'));
    await waitForFace(page, 'cjk-kr');
    const stats = await page.evaluate(() => window.funnel.stats());
    assert.equal(stats.language, 'ko');
    assert.ok(!stats.fontsLoaded.includes('cjk-sc'), `only one CJK face merged (${stats.fontsLoaded})`);
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'ko');
    const rect = await page.evaluate(() => window.funnel.itemRect('리드'));
    assert.ok(rect, 'Korean stage label drawn');
    assert.ok((await regionStats(page, rect)).inkFraction > 0.08);
    await saveScreenshot(page, 'app-switched-ko');
  } finally {
    await page.closeAll();
  }
});

test('the language follows the browser when there is no ?lang=', async () => {
  for (const [locale, want] of [['zh-TW', 'zh-Hant'], ['zh-CN', 'zh-Hans'], ['ko-KR', 'ko'], ['de-DE', 'en']]) {
    const page = await open('', { locale });
    try {
      assert.equal(await page.evaluate(() => window.funnel.stats().language), want, locale);
    } finally {
      await page.closeAll();
    }
  }
});

test('without WebGL2 the page says so in the browser language, and ready rejects', async () => {
  for (const [lang, words] of [['en', /WebGL 2/], ['zh-Hans', /WebGL 2.*硬件加速/], ['ko', /WebGL 2/]]) {
    const context = await browser.newContext();
    const page = await context.newPage();
    try {
      await page.goto(new URL(`?lang=${lang}&simulate=no-webgl2`, server.url).href);
      const outcome = await page.evaluate(() => window.funnel.ready.then(() => 'resolved', (e) => String(e)));
      assert.match(outcome, /webgl2/);
      const msg = page.locator('#funnel-message');
      assert.ok(await msg.isVisible(), 'message visible');
      assert.match(await msg.innerText(), words);
      assert.equal(await page.evaluate(() => typeof window.Module), 'undefined', 'the app was not loaded');
      if (lang === 'zh-Hans') await saveScreenshot(page, 'app-no-webgl2-zh-Hans');
    } finally {
      await context.close();
    }
  }
});

test('crisp at devicePixelRatio 2: the backbuffer is CSS size × 2 and itemRect stays in CSS px', async () => {
  const page = await open('?lang=zh-Hans', { viewport: { width: 900, height: 600 }, deviceScaleFactor: 2 });
  try {
    await waitForFace(page, 'cjk-sc');
    const size = await page.evaluate(() => {
      const c = document.getElementById('canvas');
      return { w: c.width, h: c.height, cw: c.clientWidth, ch: c.clientHeight };
    });
    assert.equal(size.w, size.cw * 2);
    assert.equal(size.h, size.ch * 2);
    const rect = await page.evaluate(() => window.funnel.itemRect('线索'));
    assert.ok(rect && rect.x < 900 && rect.y < 600 && rect.h < 40, `rect in CSS px: ${JSON.stringify(rect)}`);
    const s = await regionStats(page, rect);
    assert.equal(s.width, Math.round(rect.w * 2) || s.width, 'screenshot at device pixels');
    assert.ok(s.inkFraction > 0.08, `label ink at dpr 2 (${s.inkFraction})`);
    await saveScreenshot(page, 'app-dpr2-zh-Hans');
  } finally {
    await page.closeAll();
  }
});

test('the canvas follows a window resize', async () => {
  const page = await open('?lang=en', { viewport: { width: 1000, height: 700 } });
  try {
    await page.setViewportSize({ width: 390, height: 844 });
    await waitInPage(page, () => document.getElementById('canvas').width === 390, null, { what: 'canvas resized' });
    await saveScreenshot(page, 'app-phone-390');
    const s = await regionStats(page);
    assert.ok(s.inkFraction > 0.005, 'phone-sized board is drawn');
  } finally {
    await page.closeAll();
  }
});

// The app writes the hash a frame after its route changes, and the browser tells of that write
// (hashchange) later still. A route chosen in between must stay: the late echo of the old hash is
// not a user's navigation.
test('the echo of the app\'s own hash change does not take it back', async () => {
  const page = await open('?lang=en');
  try {
    await page.evaluate(() => window.funnel.open('#/customers'));
    await waitInPage(page, () => location.hash === '#/customers', null, { what: 'hash #/customers' });
    await settle(page);
    // The user moves on, and the echo of the app's write of #/customers arrives only now.
    await page.evaluate(() => {
      window.funnel.open('#/today');
      window.dispatchEvent(new HashChangeEvent('hashchange'));
    });
    await waitInPage(page, () => location.hash === '#/today' && window.funnel.stats().route === '#/today', null, { what: 'the app on #/today, its hash written' });
    await settle(page);
    assert.equal(await page.evaluate(() => window.funnel.stats().route), '#/today');
    assert.equal(await page.evaluate(() => location.hash), '#/today');
  } finally {
    await page.closeAll();
  }
});

test('routes live in the URL: open() sets the hash, back/forward move between screens, the title follows', async () => {
  const page = await open('?lang=en');
  try {
    for (const route of ['#/customers', '#/today', '#/settings']) {
      await page.evaluate((r) => window.funnel.open(r), route);
      await waitInPage(page, (r) => location.hash === r, route, { what: `hash ${route}` });
    }
    // Back and forward from the page (as the browser's buttons do). Not page.goBack(): it reads
    // the browser process's history list, which can still lack the newest hash entry the page
    // just made, and then goes back one entry too far.
    await page.evaluate(() => history.back());
    await waitInPage(page, () => window.funnel.stats().route === '#/today', null, { what: 'back to #/today' });
    await page.evaluate(() => history.back());
    await waitInPage(page, () => window.funnel.stats().route === '#/customers', null, { what: 'back to #/customers' });
    await page.evaluate(() => history.forward());
    await waitInPage(page, () => window.funnel.stats().route === '#/today', null, { what: 'forward to #/today' });
    // The page title follows the screen, and a record's link lands on that record.
    await waitInPage(page, () => document.title === 'Today · Funnel', null, { what: 'title of #/today' });
    const { result } = await page.evaluate(() => window.funnel.command({ op: 'deal.create', title: 'Linked deal', pipelineId: 'p-default', stageId: 's-lead' }));
    await waitInPage(page, () => window.funnelStorage.status().recorded > 0 && window.funnelStorage.status().saved === window.funnelStorage.status().recorded && window.funnelStorage.status().state === 'saved', null, { what: 'deal saved' });
    // A new page load (another query string), not just a hash change.
    await page.goto(new URL(`?lang=en&from=link#/deal/${result.id}`, server.url).href);
    await page.waitForFunction(() => window.funnel && window.funnel.ready, null, { timeout: 30000 });
    await page.evaluate(() => window.funnel.ready);
    await waitInPage(page, (id) => window.funnel.stats().route === `#/deal/${id}`, result.id, { what: 'deal route after load' });
    await waitInPage(page, () => document.title === 'Linked deal · Funnel', null, { what: 'title of the deal' });
  } finally {
    await page.closeAll();
  }
});

test('idle: no frames are drawn over 5 quiet seconds, and input wakes the loop', async () => {
  const page = await open('?lang=en');
  try {
    await waitForFace(page, 'cjk-sc');
    // Settle: storage saved the seed document and the last wake-up frames are drawn.
    await waitInPage(page, () => !window.funnelStorage || ['saved', 'idle'].includes(window.funnelStorage.status().state), null, { what: 'storage settled' });
    let previous = -1;
    await waitInPage(page, () => new Promise((r) => {
      const a = window.funnel.stats().frames;
      setTimeout(() => r(window.funnel.stats().frames === a), 300);
    }), null, { what: 'frames to stop' });
    previous = await page.evaluate(() => window.funnel.stats().frames);
    await page.evaluate(() => new Promise((r) => setTimeout(r, 5000)));
    const idle = await page.evaluate(() => window.funnel.stats().frames);
    assert.ok(idle - previous <= 2, `frames during 5 idle seconds: ${idle - previous}`);

    await page.mouse.move(200, 200);
    await page.mouse.move(220, 210);
    await waitInPage(page, (n) => window.funnel.stats().frames > n, idle, { what: 'frames after input' });
  } finally {
    await page.closeAll();
  }
});

test('window.funnel: command, undo and redo go through the workspace; bad input is an error value', async () => {
  const page = await open('?lang=en');
  try {
    const created = await page.evaluate(() => window.funnel.command({ op: 'deal.create', title: 'API deal', pipelineId: 'p-default', stageId: 's-lead' }));
    assert.equal(created.ok, true, JSON.stringify(created));
    const id = created.result.id;
    assert.ok(id);
    const has = () => page.evaluate((i) => window.funnel.snapshot().deals.some((d) => d.id === i && !d.deleted), id);
    assert.equal(await has(), true);
    assert.equal((await page.evaluate(() => window.funnel.undo())).ok, true);
    assert.equal(await has(), false);
    assert.equal((await page.evaluate(() => window.funnel.redo())).ok, true);
    assert.equal(await has(), true);
    const bad = await page.evaluate(() => window.funnel.command({ op: 'deal.move', id: 'nope', stageId: 's-won' }));
    assert.equal(bad.ok, false);
    assert.ok(bad.error.length > 0);
    // The card is drawn in the next frames.
    await waitInPage(page, (i) => window.funnel.itemRect(`deal:${i}`) !== null, id, { what: 'card drawn' });
    const stats = await page.evaluate(() => window.funnel.stats());
    assert.ok(stats.heapBytes > 1 << 20 && stats.lastFrameMs >= 0);
  } finally {
    await page.closeAll();
  }
});

test('keys the browser owns are left to it; keys the app uses are not passed on', async () => {
  const page = await open('?lang=en');
  try {
    const prevented = await page.evaluate(() => {
      const keys = {
        'F5': { key: 'F5', code: 'F5' },
        'Ctrl+R': { key: 'r', code: 'KeyR', ctrlKey: true },
        'Ctrl+L': { key: 'l', code: 'KeyL', ctrlKey: true },
        'Ctrl+T': { key: 't', code: 'KeyT', ctrlKey: true },
        'F12': { key: 'F12', code: 'F12' },
        'Ctrl+Shift+I': { key: 'I', code: 'KeyI', ctrlKey: true, shiftKey: true },
        'Tab': { key: 'Tab', code: 'Tab' },
        'Escape': { key: 'Escape', code: 'Escape' },
        'Ctrl+Z': { key: 'z', code: 'KeyZ', ctrlKey: true },
        'ArrowDown': { key: 'ArrowDown', code: 'ArrowDown' },
      };
      const out = {};
      for (const [name, init] of Object.entries(keys)) {
        const ev = new KeyboardEvent('keydown', { ...init, bubbles: true, cancelable: true });
        document.body.dispatchEvent(ev);
        document.body.dispatchEvent(new KeyboardEvent('keyup', { ...init, bubbles: true, cancelable: true }));
        out[name] = ev.defaultPrevented;
      }
      return out;
    });
    for (const k of ['F5', 'Ctrl+R', 'Ctrl+L', 'Ctrl+T', 'F12', 'Ctrl+Shift+I']) assert.equal(prevented[k], false, `${k} left to the browser`);
    for (const k of ['Tab', 'Escape', 'Ctrl+Z', 'ArrowDown']) assert.equal(prevented[k], true, `${k} kept by the app`);
  } finally {
    await page.closeAll();
  }
});

test('?demo opens a sample funnel in its own store and leaves the real one alone', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const demo = await openApp(context, { url: server.url, query: '?demo&lang=zh-Hans' });
    const snap = await demo.evaluate(() => window.funnel.snapshot());
    assert.ok(snap.deals.length >= 40, `demo deals: ${snap.deals.length}`);
    await waitForFace(demo, 'cjk-sc');
    await saveScreenshot(demo, 'app-demo-zh-Hans');
    await waitInPage(demo, () => window.funnelStorage.status().state === 'saved', null, { what: 'demo saved' });
    await demo.close();
    const real = await openApp(context, { url: server.url, query: '?lang=en' });
    assert.equal(await real.evaluate(() => window.funnel.snapshot().deals.length), 0, 'the main store has no demo deals');
  } finally {
    await context.close();
  }
});
