// The web build's fonts (assets/fonts/make_fonts.py): each CJK face covers GB2312, Big5 level 1
// and all Hangul syllables with its own regional glyph forms, the Latin font covers Latin-1
// and currency signs, none is CFF2/variable/WOFF2; and funnel-serve sends them as fonts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { repoRoot, webRoot, startServer } from './harness.mjs';

const fontsDir = path.join(webRoot, 'fonts');

test('built fonts pass the recipe check', () => {
  const r = spawnSync('/usr/bin/python3', [path.join(repoRoot, 'assets/fonts/make_fonts.py'), '--check', fontsDir], {
    encoding: 'utf8',
    timeout: 120000,
  });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  for (const face of ['cjk-sc', 'cjk-tc', 'cjk-kr']) {
    assert.match(r.stdout, new RegExp(`${face}: GB2312 hanzi: 6763/6763`));
    assert.match(r.stdout, new RegExp(`${face}: Big5 level 1: 5401/5401`));
    assert.match(r.stdout, new RegExp(`${face}: Hangul syllables: 11172/11172`));
  }
  assert.match(r.stdout, /cjk-sc vs cjk-tc: U\+9AA8 different glyph/);
});

test('funnel-serve sends the four fonts with font MIME types', async () => {
  const server = await startServer({ args: ['--quiet'] });
  try {
    for (const [file, type] of [['ui-latin.ttf', 'font/ttf'], ['cjk-sc.otf', 'font/otf'], ['cjk-tc.otf', 'font/otf'], ['cjk-kr.otf', 'font/otf']]) {
      const res = await new Promise((resolve, reject) => {
        http.request(new URL(`fonts/${file}`, server.url), { method: 'HEAD' }, resolve).on('error', reject).end();
      });
      res.resume();
      assert.equal(res.statusCode, 200, file);
      assert.equal(res.headers['content-type'], type, file);
    }
  } finally {
    await server.stop();
  }
});
