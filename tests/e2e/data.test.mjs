// Data in and out in Chromium: a GBK list dropped on the page in Simplified Chinese and a CP949
// one in Korean become customers with the right names (and one undo removes each import);
// window.funnel.importFile's preview and report; a backup downloaded (exportFile('backup',
// {download: true}), the browser's download saved to disk) and restored into a fresh profile gives
// the same funnel.snapshot(), also after that profile reopens; a damaged backup changes nothing.
// The lists are written here by Python's codecs (tests/unit/fixtures/make_fixtures.py).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFile, mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, launchBrowser, openApp } from './harness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
let server;
let browser;
let fixtures;

before(async () => {
  fixtures = await mkdtemp(path.join(os.tmpdir(), 'funnel-data-'));
  execFileSync('/usr/bin/python3', [path.join(here, '../unit/fixtures/make_fixtures.py'), fixtures]);
  server = await startServer({ args: ['--quiet'] });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const viewport = { width: 1400, height: 900 };

async function waitFor(page, fn, arg, what) {
  try {
    await page.waitForFunction(fn, arg, { timeout: 60000, polling: 100 });
  } catch (e) {
    throw new Error(`timed out waiting for ${what}: ${e.message}`);
  }
}

async function drop(page, name, bytes) {
  const transfer = await page.evaluateHandle(({ name, b64 }) => {
    const bin = atob(b64);
    const arr = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) arr[i] = bin.charCodeAt(i);
    const dt = new DataTransfer();
    dt.items.add(new File([arr], name, { type: 'text/csv' }));
    return dt;
  }, { name, b64: bytes.toString('base64') });
  await page.dispatchEvent('#canvas', 'dragover', { dataTransfer: transfer });
  await page.dispatchEvent('#canvas', 'drop', { dataTransfer: transfer });
}

const names = (doc) => doc.customers.filter((c) => !c.deleted).map((c) => c.name).sort();

// exportFile('customers', {encoding}) in a legacy encoding: the bytes glibc's iconv writes for the
// UTF-8 export (Emscripten's musl cannot write these encodings; the wasm build writes them through
// tables generated from glibc's iconv), which the browser's own decoder reads as that text and
// importFile reads back in that encoding.
async function checkLegacyExport(page, encoding, glibcName, decoderLabel) {
  const utf8 = await page.evaluate(() => window.funnel.exportFile('customers', { bom: false }));
  const out = await page.evaluate((e) => window.funnel.exportFile('customers', { encoding: e }), encoding);
  assert.equal(out.ok, true, `${encoding}: ${out.error}`);
  assert.equal(out.name, 'customers.csv');
  assert.equal(out.replaced, 0, `${encoding}: every character written`);
  const text = Buffer.from(utf8.base64, 'base64');
  const bytes = Buffer.from(out.base64, 'base64');
  assert.ok(bytes.length > 0);
  assert.deepEqual(bytes, execFileSync('iconv', ['-f', 'UTF-8', '-t', glibcName], { input: text }), `${encoding}: glibc's bytes`);
  assert.equal(new TextDecoder(decoderLabel).decode(bytes), text.toString('utf8'));
  const back = await page.evaluate((b64) => window.funnel.importFile({ base64: b64, preview: true }), out.base64);
  assert.equal(back.encoding, encoding);
  return back;
}

for (const [lang, file, first, contact] of [
  ['zh-Hans', 'gbk.csv', '北京华信科技有限公司', '张伟'],
  ['ko', 'cp949.csv', '삼성물산 주식회사', '김민수'],
]) {
  test(`a ${file} list dropped on ?lang=${lang} becomes customers with the right names`, async () => {
    const context = await browser.newContext({ viewport });
    try {
      const page = await openApp(context, { url: server.url, query: `?lang=${lang}`, viewport });
      const bytes = await readFile(path.join(fixtures, file));
      const expected = JSON.parse(await readFile(path.join(fixtures, 'expected.json'), 'utf8'))[file];
      const want = expected.rows.slice(1).map((r) => r[0]).sort();
      // The preview names the encoding and the mapping, and changes nothing.
      const preview = await page.evaluate((b64) => window.funnel.importFile({ base64: b64, preview: true }), bytes.toString('base64'));
      assert.equal(preview.ok, true);
      assert.equal(preview.preview, true);
      assert.equal(preview.encoding, file === 'gbk.csv' ? 'GB18030' : 'CP949');
      assert.deepEqual(preview.mapping.slice(0, 2), ['customerName', 'contactName']);
      assert.equal(preview.rows[0][0], first);
      assert.deepEqual(names(await page.evaluate(() => window.funnel.snapshot())), []);
      // Members named in the list's owner column, so no row is rejected.
      for (const row of expected.rows.slice(1)) {
        const owner = row[6];
        const doc = await page.evaluate(() => window.funnel.snapshot());
        if (owner && !doc.members.some((m) => m.name === owner))
          assert.equal((await page.evaluate((n) => window.funnel.command({ op: 'member.create', name: n }), owner)).ok, true);
      }
      await drop(page, file, bytes);
      await waitFor(page, (n) => window.funnel.snapshot().customers.length >= n, want.length, 'the imported customers');
      const doc = await page.evaluate(() => window.funnel.snapshot());
      assert.deepEqual(names(doc), want);
      assert.ok(doc.contacts.some((c) => c.name === contact), 'the contact came along');
      assert.equal(doc.deals.length, want.length, 'one deal per row');
      assert.ok(await page.evaluate(() => window.funnel.itemRect('banner:notice')), 'the report is shown');
      // Exported again in the list's own encoding for old Excel: the same names come back.
      const [encoding, glibcName, label] = file === 'gbk.csv' ? ['GB18030', 'GB18030', 'gb18030'] : ['CP949', 'CP949', 'euc-kr'];
      const back = await checkLegacyExport(page, encoding, glibcName, label);
      assert.deepEqual(back.rows.map((r) => r[0]).sort(), want);
      // One undo removes the whole import.
      assert.equal((await page.evaluate(() => window.funnel.undo())).ok, true);
      const after = await page.evaluate(() => window.funnel.snapshot());
      assert.deepEqual(names(after), []);
      assert.equal(after.deals.length, 0);
    } finally {
      await context.close();
    }
  });
}

test('importFile reports rejected rows with line and reason in the user language; bad files change nothing', async () => {
  const context = await browser.newContext({ viewport });
  try {
    const page = await openApp(context, { url: server.url, query: '?lang=zh-Hans', viewport });
    const list = '客户名称,金额\n甲公司,100\n乙公司,abc\n';
    const r = await page.evaluate((b64) => window.funnel.importFile({ base64: b64, name: 'x.csv' }), Buffer.from(list).toString('base64'));
    assert.equal(r.ok, true);
    assert.equal(r.created, 1);
    assert.deepEqual(r.rejected.map((x) => x.line), [3]);
    assert.match(r.rejected[0].reason, /金额“abc”不是数字/);
    const before = await page.evaluate(() => window.funnel.snapshot());
    for (const [bytes, error] of [
      [Buffer.alloc(0), 'import.error.empty'],
      [Buffer.from([0x50, 0x4b, 3, 4, 0, 0, 0, 0]), 'import.error.binary'],
      [Buffer.from('a,b\n1,"open\n'), 'import.error.unterminatedQuote'],
      [await readFile(path.join(fixtures, 'mixed.csv')), 'import.error.badEncoding'],
    ]) {
      const out = await page.evaluate((b64) => window.funnel.importFile({ base64: b64 }), bytes.toString('base64'));
      assert.equal(out.ok, false);
      assert.equal(out.error, error);
      assert.ok(out.message.length > 0);
    }
    assert.deepEqual(await page.evaluate(() => window.funnel.snapshot()), before, 'nothing changed');
  } finally {
    await context.close();
  }
});

test('a backup restored into a fresh profile gives the same snapshot; a damaged one changes nothing', async () => {
  const a = await browser.newContext({ viewport });
  const b = await browser.newContext({ viewport });
  try {
    const page = await openApp(a, { url: server.url, query: '?lang=zh-Hant', viewport });
    const bytes = await readFile(path.join(fixtures, 'big5.csv'));
    const imported = await page.evaluate((b64) => window.funnel.importFile({ base64: b64, mapping: ['customerName', 'contactName', 'phone', 'email', 'dealValue', 'stage', 'none'] }), bytes.toString('base64'));
    assert.equal(imported.ok, true);
    assert.equal(imported.rejected.length, 0);
    const original = await page.evaluate(() => window.funnel.snapshot());
    // The backup as the browser downloads it: a file on disk, the same bytes exportFile returns.
    const [download, backup] = await Promise.all([
      page.waitForEvent('download', { timeout: 60000 }),
      page.evaluate(() => window.funnel.exportFile('backup', { download: true })),
    ]);
    assert.equal(backup.ok, true);
    assert.match(backup.name, /\.funnel\.json$/);
    assert.equal(download.suggestedFilename(), backup.name);
    const saved = path.join(fixtures, download.suggestedFilename());
    await download.saveAs(saved);
    const file = await readFile(saved);
    assert.deepEqual(file, Buffer.from(backup.base64, 'base64'), 'the download holds exactly the exported bytes');
    // Other exports: CSV with a BOM by default, Big5 on request, vCard.
    const csv = Buffer.from((await page.evaluate(() => window.funnel.exportFile('customers'))).base64, 'base64');
    assert.deepEqual([...csv.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    // Big5 and GB18030 on request: glibc's bytes, read back as the same names.
    const want = names(original);
    for (const [encoding, label] of [['Big5', 'big5'], ['GB18030', 'gb18030']]) {
      const back = await checkLegacyExport(page, encoding, encoding.toUpperCase(), label);
      assert.deepEqual(back.rows.map((r) => r[0]).sort(), want);
    }
    // A character Big5 cannot hold is written as '?' and counted.
    assert.equal((await page.evaluate(() => window.funnel.command({ op: 'customer.create', name: '한국 商社' }))).ok, true);
    const lossy = await page.evaluate(() => window.funnel.exportFile('customers', { encoding: 'Big5' }));
    assert.equal(lossy.ok, true);
    assert.equal(lossy.replaced, 2);
    assert.ok(Buffer.from(lossy.base64, 'base64').includes(Buffer.from('?? \xb0\xd3\xaa\xc0', 'latin1')), 'the rest of the name is written');
    assert.equal((await page.evaluate(() => window.funnel.undo())).ok, true);
    const vcf = Buffer.from((await page.evaluate(() => window.funnel.exportFile('vcard'))).base64, 'base64').toString('utf8');
    assert.match(vcf, /FN:陳志明/);

    const fresh = await openApp(b, { url: server.url, query: '?lang=zh-Hant', viewport });
    const empty = await fresh.evaluate(() => window.funnel.snapshot());
    const damaged = file.subarray(0, 200).toString('base64');
    const refused = await fresh.evaluate((b64) => window.funnel.restoreFile({ base64: b64 }), damaged);
    assert.equal(refused.ok, false);
    assert.deepEqual(await fresh.evaluate(() => window.funnel.snapshot()), empty, 'a damaged file changes nothing');
    const holds = await fresh.evaluate((b64) => window.funnel.restoreFile({ base64: b64, inspect: true }), file.toString('base64'));
    assert.deepEqual([holds.customers, holds.deals], [6, 6]);
    assert.deepEqual(await fresh.evaluate(() => window.funnel.snapshot()), empty, 'inspecting changes nothing');
    const restored = await fresh.evaluate((b64) => window.funnel.restoreFile({ base64: b64 }), file.toString('base64'));
    assert.equal(restored.ok, true);
    const copy = await fresh.evaluate(() => window.funnel.snapshot());
    // The restore is recorded as one change; everything else is the same.
    const strip = (d) => ({ ...d, changes: undefined });
    assert.deepEqual(strip(copy), strip(original));
    // One undo puts the fresh profile back; redo restores again.
    assert.equal((await fresh.evaluate(() => window.funnel.undo())).ok, true);
    assert.deepEqual(strip(await fresh.evaluate(() => window.funnel.snapshot())), strip(empty));
    assert.equal((await fresh.evaluate(() => window.funnel.redo())).ok, true);
    assert.deepEqual(strip(await fresh.evaluate(() => window.funnel.snapshot())), strip(original));
    // The restored workspace is the profile's stored one: a new page of it opens with it.
    await waitFor(fresh, () => {
      const s = window.funnelStorage && window.funnelStorage.status();
      return s && s.recorded > 0 && s.saved === s.recorded && s.state === 'saved';
    }, null, 'the restored workspace saved');
    await fresh.close();
    const reopened = await openApp(b, { url: server.url, query: '?lang=zh-Hant', viewport });
    assert.deepEqual(strip(await reopened.evaluate(() => window.funnel.snapshot())), strip(original));
  } finally {
    await a.close();
    await b.close();
  }
});
