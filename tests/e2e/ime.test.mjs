// Typing through input methods and the clipboard into the board's quick-add field, driven by
// Chromium's DevTools protocol (Input.imeSetComposition / Input.insertText fire real
// composition and input events on the focused text agent). Each test asserts on the model
// (funnel.snapshot) and that the new deal was saved to IndexedDB.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, openApp } from './harness.mjs';
import { saveScreenshot, waitInPage } from './pixels.mjs';

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

async function open(query = '?lang=zh-Hans', contextOpts = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...contextOpts });
  const page = await openApp(context, { url: server.url, query });
  page.closeAll = () => context.close();
  page.cdp = await context.newCDPSession(page);
  return page;
}

// Clicks the quick-add field of the first stage and waits until the text agent has the focus.
async function focusQuickAdd(page, stageId = 's-lead') {
  const rect = await waitInPage(page, (id) => window.funnel.itemRect(`field:quick-add:${id}`), stageId, { what: 'quick-add field' });
  await page.mouse.click(rect.x + rect.w / 2, rect.y + rect.h / 2);
  await waitInPage(page, () => document.activeElement && document.activeElement.id === 'funnel-text-agent', null, { what: 'text agent focused' });
  return rect;
}

// The composing text is drawn inside the field at the caret (ui/composition.h): the app records
// it as "ime:composing" once a frame has shown it.
async function compose(page, steps) {
  for (const text of steps) {
    await page.cdp.send('Input.imeSetComposition', { text, selectionStart: text.length, selectionEnd: text.length });
    await waitInPage(page, () => window.funnel.itemRect('ime:composing') !== null, null, { what: `"${text}" drawn at the caret` });
  }
}

async function commit(page, text) {
  await page.cdp.send('Input.insertText', { text });
  await waitInPage(page, () => window.funnel.itemRect('ime:composing') === null, null, { what: 'composition gone after commit' });
}

function dealsTitled(page, title) {
  return page.evaluate((t) => window.funnel.snapshot().deals.filter((d) => d.title === t && !d.deleted), title);
}

async function expectSavedDeal(page, title, stageId = 's-lead') {
  await waitInPage(page, (t) => window.funnel.snapshot().deals.some((d) => d.title === t), title, { what: `deal "${title}"` });
  const deals = await dealsTitled(page, title);
  assert.equal(deals.length, 1, `exactly one deal titled ${title}`);
  assert.equal(deals[0].stageId, stageId);
  // Nothing else was created: no duplicate commits, no stray characters.
  const all = await page.evaluate(() => window.funnel.snapshot().deals.map((d) => d.title));
  assert.deepEqual(all, [title]);
  await waitInPage(page, () => {
    const s = window.funnelStorage && window.funnelStorage.status();
    return s && s.state === 'saved' && s.saved === s.recorded && s.recorded > 0;
  }, null, { what: 'saved to IndexedDB' });
}

test('pinyin: "ni hao" composed, 你好 committed once', async () => {
  const page = await open('?lang=zh-Hans');
  try {
    await focusQuickAdd(page);
    await compose(page, ['n', 'ni', 'ni h', 'ni ha', 'ni hao']);
    await saveScreenshot(page, 'ime-pinyin-composing');
    await commit(page, '你好');
    await page.keyboard.press('Enter');
    await expectSavedDeal(page, '你好');
    await saveScreenshot(page, 'ime-pinyin-done');
  } finally {
    await page.closeAll();
  }
});

test('zhuyin: ㄓㄨㄥ ㄨㄣˊ composed syllable by syllable, 中文 committed once', async () => {
  const page = await open('?lang=zh-Hant');
  try {
    await focusQuickAdd(page);
    await compose(page, ['ㄓ', 'ㄓㄨ', 'ㄓㄨㄥ', '中', '中ㄨ', '中ㄨㄣ', '中ㄨㄣˊ', '中文']);
    await commit(page, '中文');
    await page.keyboard.press('Enter');
    await expectSavedDeal(page, '中文');
  } finally {
    await page.closeAll();
  }
});

test('hangul: 한국 typed jamo by jamo, each syllable committed once', async () => {
  const page = await open('?lang=ko');
  try {
    await focusQuickAdd(page);
    // Korean IMEs commit a syllable when the next one starts.
    await compose(page, ['ㅎ', '하', '한']);
    await commit(page, '한');
    await compose(page, ['ㄱ', '구', '국']);
    await saveScreenshot(page, 'ime-hangul-composing');
    await commit(page, '국');
    await page.keyboard.press('Enter');
    await expectSavedDeal(page, '한국');
  } finally {
    await page.closeAll();
  }
});

test('hangul as one running composition (ㅎ 하 한 한ㄱ 한구 한국) commits 한국 once', async () => {
  const page = await open('?lang=ko');
  try {
    await focusQuickAdd(page);
    await compose(page, ['ㅎ', '하', '한', '한ㄱ', '한구', '한국']);
    await commit(page, '한국');
    await page.keyboard.press('Enter');
    await expectSavedDeal(page, '한국');
  } finally {
    await page.closeAll();
  }
});

test('composing between "AB" and "CD" keeps "CD" visible, pushed right', async () => {
  const page = await open('?lang=ko');
  try {
    const field = await focusQuickAdd(page);
    await page.keyboard.type('ABCD');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    await compose(page, ['ㅎ', '하', '한', '한ㄱ', '한구', '한국']);
    const [composing, after] = await page.evaluate(() => [window.funnel.itemRect('ime:composing'), window.funnel.itemRect('ime:after')]);
    assert.ok(after, 'the text after the caret is drawn while composing');
    assert.ok(after.x >= composing.x + composing.w - 1, `"CD" (x ${after.x}) starts after the composing text (ends ${composing.x + composing.w})`);
    assert.ok(composing.x > field.x && after.x + after.w <= field.x + field.w + 1, 'both inside the field');
    await saveScreenshot(page, 'ime-hangul-mid-text');
    await commit(page, '한국');
    await page.keyboard.press('Enter');
    await expectSavedDeal(page, 'AB한국CD');
  } finally {
    await page.closeAll();
  }
});

test('Enter during a composition is held until the composition ends', async () => {
  const page = await open('?lang=ko');
  try {
    await focusQuickAdd(page);
    await compose(page, ['ㅎ', '하', '한']);
    // Windows' Korean IME: Enter arrives (not marked composing) before compositionend.
    await page.evaluate(() => {
      const ta = document.getElementById('funnel-text-agent');
      ta.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', code: 'Enter', keyCode: 13, bubbles: true }));
      ta.dispatchEvent(new KeyboardEvent('keyup', { key: 'Enter', code: 'Enter', keyCode: 13, bubbles: true }));
    });
    assert.deepEqual(await dealsTitled(page, '한'), [], 'nothing submitted before the syllable is committed');
    await commit(page, '한');
    await expectSavedDeal(page, '한');
  } finally {
    await page.closeAll();
  }
});

test('a click elsewhere mid-composition keeps the composed text', async () => {
  const page = await open('?lang=zh-Hans');
  try {
    await focusQuickAdd(page);
    await compose(page, ['ni', '你']);
    // Clicking the next column's field commits the composition into the first field first.
    const other = await page.evaluate(() => window.funnel.itemRect('field:quick-add:s-qualified'));
    await page.mouse.click(other.x + other.w / 2, other.y + other.h / 2);
    const first = await page.evaluate(() => window.funnel.itemRect('field:quick-add:s-lead'));
    await page.mouse.click(first.x + first.w / 2, first.y + first.h / 2);
    await waitInPage(page, () => document.activeElement && document.activeElement.id === 'funnel-text-agent', null, { what: 'text agent focused again' });
    await page.keyboard.press('Enter');
    await expectSavedDeal(page, '你');
  } finally {
    await page.closeAll();
  }
});

test('plain typing and Backspace reach the field exactly once', async () => {
  const page = await open('?lang=en');
  try {
    await focusQuickAdd(page);
    await page.keyboard.type('Acme Corpx');
    await page.keyboard.press('Backspace');
    await page.keyboard.press('Enter');
    await expectSavedDeal(page, 'Acme Corp');
  } finally {
    await page.closeAll();
  }
});

test('clipboard: copy out of a field and paste CJK text into one', async () => {
  const page = await open('?lang=zh-Hans', { permissions: ['clipboard-read', 'clipboard-write'] });
  try {
    await focusQuickAdd(page);
    // Paste: the DOM paste event carries the text (as Ctrl+V or the context menu produce it).
    await page.evaluate(() => {
      const dt = new DataTransfer();
      dt.setData('text/plain', '上海客户');
      document.getElementById('funnel-text-agent').dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
    });
    await page.keyboard.type(' 2');
    // Copy: select all in the field and Ctrl+C puts it on the system clipboard.
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Control+C');
    await waitInPage(page, () => navigator.clipboard.readText().then((t) => t === '上海客户 2'), null, { what: 'clipboard holds the field text' });
    await page.keyboard.press('Enter');
    await expectSavedDeal(page, '上海客户 2');

    // Ctrl+V with the system clipboard: Chromium fires the paste event itself.
    await page.evaluate(() => navigator.clipboard.writeText('한국 고객'));
    await focusQuickAdd(page, 's-qualified');
    await page.keyboard.press('Control+V');
    await page.keyboard.press('Enter');
    await waitInPage(page, () => window.funnel.snapshot().deals.some((d) => d.title === '한국 고객'), null, { what: 'pasted deal' });
    assert.equal((await dealsTitled(page, '한국 고객')).length, 1);
  } finally {
    await page.closeAll();
  }
});

// Ctrl+A then Ctrl+C typed faster than the page draws (a busy page, a quick hand): the copy must
// still hold the whole selection. Frames are held back while the keys are sent, so no frame runs
// between them except those the Ctrl+C itself asks for.
test('Ctrl+A, Ctrl+C with no frame between them copies the selection', async () => {
  const page = await open('?lang=en');
  try {
    await page.evaluate(() => { navigator.clipboard.writeText = () => Promise.resolve(); });
    await focusQuickAdd(page, 's-lead');
    await page.keyboard.type('Quick hands');
    await waitInPage(page, () => window.funnel.itemRect('field:quick-add:s-lead') !== null, null, { what: 'the typed field' });
    // Hold every frame the app asks for; the frame already asked for runs first.
    await page.evaluate(() => new Promise((resolve) => {
      window.heldFrames = [];
      window.realRequestAnimationFrame = window.requestAnimationFrame;
      window.requestAnimationFrame = (cb) => { window.heldFrames.push(cb); return window.heldFrames.length; };
      window.realRequestAnimationFrame(() => window.realRequestAnimationFrame(resolve));
    }));
    const framesBefore = await page.evaluate(() => window.funnel.stats().frames);
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Control+C');
    // No frame ran between the keys other than the ones the copy drew itself.
    const framesAfterA = await page.evaluate(() => window.funnel.stats().frames);
    await page.evaluate(() => {
      window.requestAnimationFrame = window.realRequestAnimationFrame;
      for (const cb of window.heldFrames.splice(0)) window.requestAnimationFrame(cb);
    });
    await page.keyboard.press('Escape');
    await focusQuickAdd(page, 's-qualified');
    await page.keyboard.press('Control+V');
    await page.keyboard.press('Enter');
    await waitInPage(page, () => window.funnel.snapshot().deals.some((d) => d.stageId === 's-qualified' && d.title === 'Quick hands'), null, { what: 'the pasted deal in Qualified' });
    assert.ok(framesAfterA > framesBefore, 'the copy drew frames of its own');
  } finally {
    await page.closeAll();
  }
});

test('copy and paste by keyboard work without clipboard permissions (DOM copy/paste events)', async () => {
  const page = await open('?lang=zh-Hans');
  try {
    // Only the DOM copy event path is left: the async clipboard API does nothing here.
    await page.evaluate(() => { navigator.clipboard.writeText = () => Promise.resolve(); });
    await focusQuickAdd(page, 's-lead');
    await page.keyboard.type('Copy ');
    await page.cdp.send('Input.imeSetComposition', { text: 'kehu', selectionStart: 4, selectionEnd: 4 });
    await page.cdp.send('Input.insertText', { text: '客户' });
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Control+C');
    await page.keyboard.press('Enter');
    await waitInPage(page, () => window.funnel.snapshot().deals.some((d) => d.title === 'Copy 客户'), null, { what: 'first deal' });
    await focusQuickAdd(page, 's-qualified');
    await page.keyboard.press('Control+V');
    await page.keyboard.press('Enter');
    await waitInPage(page, () => window.funnel.snapshot().deals.some((d) => d.title === 'Copy 客户' && d.stageId === 's-qualified'), null, { what: 'pasted deal in Qualified' });
    const titles = await page.evaluate(() => window.funnel.snapshot().deals.map((d) => d.title));
    assert.deepEqual(titles.sort(), ['Copy 客户', 'Copy 客户']);
  } finally {
    await page.closeAll();
  }
});
