// The Apache harness (tests/e2e/apache.mjs) is a real httpd with the habits issue #7 lists, checked
// by hand-made HTTP before any sync client relies on it:
//   default FileETag: the tag is weak (W/) right after a write, so a conditional PUT gets 412;
//   FileETag Digest:  a strong tag, base64 SHA-1 of the bytes, at once;
//   a successful PUT carries no ETag; racing PUTs with the same If-Match can both get 2xx;
//   Basic auth on everything but the CORS preflight, which exposes ETag.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { readFileSync } from 'node:fs';
import { startApache } from './apache.mjs';
import { httpRequest } from './harness.mjs';

const ORIGIN = 'https://app.example.test';
let plain;   // default FileETag
let digest;  // FileETag Digest

const request = httpRequest;

const auth = (a, headers = {}) => ({ Authorization: a.authorization, ...headers });
const ok = (status) => status >= 200 && status < 300;
const doc = (title) => JSON.stringify({ format: 'funnel', version: 1, deals: [{ id: 'd1', title }] });
const sha1Tag = (text) => `"${crypto.createHash('sha1').update(text).digest('base64')}"`;

before(async () => {
  [plain, digest] = await Promise.all([
    startApache({ fileETag: 'default', origin: ORIGIN }),
    startApache({ fileETag: 'digest', origin: ORIGIN }),
  ]);
});

after(async () => {
  await Promise.all([plain?.stop(), digest?.stop()]);
});

test('default FileETag: weak tag right after a write, so a conditional PUT gets 412 until it turns strong', async () => {
  const url = plain.fileUrl('weak.json');
  const v1 = doc('v1');
  const created = await request(url, { method: 'PUT', headers: auth(plain, { 'If-None-Match': '*' }), body: v1 });
  assert.equal(created.status, 201);
  assert.equal(created.headers.etag, undefined, 'a successful PUT carries no ETag');
  const got = await request(url, { headers: auth(plain) });
  assert.equal(got.status, 200);
  assert.equal(got.body, v1);
  assert.match(got.headers.etag, /^W\/"[0-9a-f]+-[0-9a-f]+"$/, 'weak within a second of the write');
  const refused = await request(url, { method: 'PUT', headers: auth(plain, { 'If-Match': got.headers.etag }), body: doc('v2') });
  assert.equal(refused.status, 412);
  assert.equal(readFileSync(plain.filePath('weak.json'), 'utf8'), v1);
  // The same file, once its mtime is a second old, gets the strong "size-mtime" tag.
  const deadline = Date.now() + 10000;
  let tag = got.headers.etag;
  while (tag.startsWith('W/') && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    tag = (await request(url, { method: 'HEAD', headers: auth(plain) })).headers.etag;
  }
  assert.equal(tag, got.headers.etag.slice(2), 'the strong tag is the weak one without W/');
  assert.equal(tag.split('-')[0], `"${Buffer.byteLength(v1).toString(16)}`, 'MTime Size: the size in hex');
  const v2 = doc('v2');
  const replaced = await request(url, { method: 'PUT', headers: auth(plain, { 'If-Match': tag }), body: v2 });
  assert.ok(ok(replaced.status), `status ${replaced.status}`);
  assert.equal(replaced.headers.etag, undefined);
  assert.equal(readFileSync(plain.filePath('weak.json'), 'utf8'), v2);
});

test('FileETag Digest: strong SHA-1 tag at once; preconditions honoured; no ETag on PUT', async () => {
  const url = digest.fileUrl('strong.json');
  assert.equal((await request(url, { headers: auth(digest) })).status, 404);
  const v1 = doc('v1');
  const created = await request(url, { method: 'PUT', headers: auth(digest, { 'If-None-Match': '*' }), body: v1 });
  assert.equal(created.status, 201);
  assert.equal(created.headers.etag, undefined);
  const again = await request(url, { method: 'PUT', headers: auth(digest, { 'If-None-Match': '*' }), body: doc('again') });
  assert.equal(again.status, 412, 'If-None-Match: * on an existing file');
  const got = await request(url, { headers: auth(digest) });
  assert.equal(got.headers.etag, sha1Tag(v1), 'strong, base64 SHA-1 of the bytes, right after the write');
  assert.equal((await request(url, { method: 'HEAD', headers: auth(digest) })).headers.etag, sha1Tag(v1));
  const stale = await request(url, { method: 'PUT', headers: auth(digest, { 'If-Match': sha1Tag('something else') }), body: doc('stale') });
  assert.equal(stale.status, 412);
  const weak = await request(url, { method: 'PUT', headers: auth(digest, { 'If-Match': `W/${got.headers.etag}` }), body: doc('weak') });
  assert.equal(weak.status, 412, 'If-Match compares strongly');
  const v2 = doc('v2');
  const replaced = await request(url, { method: 'PUT', headers: auth(digest, { 'If-Match': got.headers.etag }), body: v2 });
  assert.equal(replaced.status, 204);
  assert.equal(replaced.headers.etag, undefined, 'a successful PUT carries no ETag: GET again');
  assert.equal(readFileSync(digest.filePath('strong.json'), 'utf8'), v2);
  assert.equal((await request(url, { headers: auth(digest) })).headers.etag, sha1Tag(v2));
});

test('FileETag Digest: racing PUTs with the same If-Match can both get 2xx (the file is still one whole body)', async (t) => {
  const url = digest.fileUrl('race.json');
  const K = 6;
  const M = 50;
  await request(url, { method: 'PUT', headers: auth(digest, { 'If-None-Match': '*' }), body: doc('start') });
  let etag = (await request(url, { method: 'HEAD', headers: auth(digest) })).headers.etag;
  let roundsWithSeveralWinners = 0;
  let rounds = 0;
  for (; rounds < M; ++rounds) {
    const bodies = Array.from({ length: K }, (_, k) => doc(`round ${rounds} client ${k} ${'x'.repeat(4000)}`));
    const results = await Promise.all(bodies.map((body) => request(url, { method: 'PUT', headers: auth(digest, { 'If-Match': etag }), body })));
    for (const r of results) assert.ok(ok(r.status) || r.status === 412, `status ${r.status}`);
    const winners = results.filter((r) => ok(r.status)).length;
    assert.ok(winners >= 1, `round ${rounds}: nobody won`);
    if (winners > 1) ++roundsWithSeveralWinners;
    const now = await request(url, { headers: auth(digest) });
    assert.ok(bodies.includes(now.body), `round ${rounds}: the stored file is not one of the bodies written`);
    assert.equal(readFileSync(digest.filePath('race.json'), 'utf8'), now.body);
    etag = now.headers.etag;
    if (roundsWithSeveralWinners >= 3) { ++rounds; break; }
  }
  t.diagnostic(`${roundsWithSeveralWinners} of ${rounds} rounds had more than one 2xx among ${K} racing PUTs`);
  assert.ok(roundsWithSeveralWinners >= 1, 'mod_dav let only one writer win every round: the habit the sync client guards against was not seen');
});

test('Basic auth on everything but the preflight; CORS headers expose ETag', async () => {
  const url = digest.fileUrl('strong.json');
  const anonymous = await request(url);
  assert.equal(anonymous.status, 401);
  assert.match(anonymous.headers['www-authenticate'], /^Basic /);
  assert.equal(anonymous.headers['access-control-allow-origin'], ORIGIN, 'the app can read the 401 cross-origin');
  const wrong = `Basic ${Buffer.from(`${digest.user}:nope`).toString('base64')}`;
  assert.equal((await request(url, { headers: { Authorization: wrong } })).status, 401);
  assert.equal((await request(url, { method: 'PUT', headers: { 'If-Match': '"x"' }, body: doc('anon') })).status, 401);
  const pre = await request(url, {
    method: 'OPTIONS',
    headers: { Origin: ORIGIN, 'Access-Control-Request-Method': 'PUT', 'Access-Control-Request-Headers': 'authorization, if-match, content-type' },
  });
  assert.equal(pre.status, 200, 'preflight passes without credentials');
  assert.equal(pre.headers['access-control-allow-origin'], ORIGIN);
  assert.match(pre.headers['access-control-allow-methods'], /\bPUT\b/);
  for (const h of ['if-match', 'if-none-match', 'authorization', 'content-type']) {
    assert.ok(pre.headers['access-control-allow-headers'].toLowerCase().includes(h), h);
  }
  const got = await request(url, { headers: auth(digest, { Origin: ORIGIN }) });
  assert.equal(got.status, 200);
  assert.equal(got.headers['access-control-expose-headers'], 'ETag');
  assert.equal(got.headers['cache-control'], 'no-store');
});
