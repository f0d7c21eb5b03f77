// funnel-serve's team sync endpoint over real HTTP: strong ETags, create/replace preconditions,
// racing writers with the same If-Match (exactly one wins each round), validation before
// anything is replaced, size limit, tokens, CORS preflight, refused names, kept versions.
// Runs on a fixture folder, so it needs only the native build.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import net from 'node:net';
import zlib from 'node:zlib';
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, readdirSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import http from 'node:http';
import { startServer, httpRequest } from './harness.mjs';

const TOKEN = 'team-token-1';
const ORIGIN = 'https://app.example.test';
const MAX = 200000;
const KEEP = 3;
let server;
let dir;
let data;

function request(method, urlPath, { headers = {}, body, token = TOKEN } = {}) {
  const h = { ...headers };
  if (token) h.Authorization = `Bearer ${token}`;
  return httpRequest(new URL(urlPath, server.url), { method, headers: h, body });
}

const doc = (title) => JSON.stringify({ format: 'funnel', version: 1, deals: [{ id: 'd1', title }] });
const sha = (text) => `"sha256-${crypto.createHash('sha256').update(text).digest('hex')}"`;

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'funnel-sync-'));
  mkdirSync(path.join(dir, 'root'));
  writeFileSync(path.join(dir, 'root', 'index.html'), '<!doctype html><title>Funnel</title>');
  writeFileSync(path.join(dir, 'tokens'), `# team tokens\n${TOKEN}\n\nsecond-token\n`);
  data = path.join(dir, 'data');
  server = await startServer({
    root: path.join(dir, 'root'),
    args: ['--quiet', '--data', data, '--tokens', path.join(dir, 'tokens'), '--cors', ORIGIN,
      '--sync-max-bytes', String(MAX), '--sync-versions', String(KEEP)],
  });
});

after(async () => {
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('create once, then strong ETag on GET and HEAD', async () => {
  const body = doc('first');
  const created = await request('PUT', '/sync/create.json', { headers: { 'If-None-Match': '*' }, body });
  assert.equal(created.status, 201);
  assert.equal(created.headers.etag, sha(body));
  const again = await request('PUT', '/sync/create.json', { headers: { 'If-None-Match': '*' }, body: doc('second') });
  assert.equal(again.status, 412);
  const got = await request('GET', '/sync/create.json');
  assert.equal(got.status, 200);
  assert.equal(got.body, body);
  assert.equal(got.headers.etag, sha(body));
  assert.match(got.headers.etag, /^"sha256-[0-9a-f]{64}"$/);  // strong: no W/
  assert.equal(got.headers['cache-control'], 'no-store');
  const head = await request('HEAD', '/sync/create.json');
  assert.equal(head.status, 200);
  assert.equal(head.headers.etag, sha(body));
  assert.equal(head.body, '');
  const notModified = await request('GET', '/sync/create.json', { headers: { 'If-None-Match': sha(body) } });
  assert.equal(notModified.status, 304);
  assert.equal((await request('GET', '/sync/missing.json')).status, 404);
});

test('replace needs the current ETag; a blind PUT is refused', async () => {
  const v1 = doc('v1');
  const r1 = await request('PUT', '/sync/replace.json', { headers: { 'If-None-Match': '*' }, body: v1 });
  assert.equal(r1.status, 201);
  assert.equal((await request('PUT', '/sync/replace.json', { body: doc('blind') })).status, 428);
  assert.equal((await request('PUT', '/sync/replace.json', { headers: { 'If-Match': '"sha256-00"' }, body: doc('stale') })).status, 412);
  assert.equal((await request('PUT', '/sync/replace.json', { headers: { 'If-Match': `W/${r1.headers.etag}` }, body: doc('weak') })).status, 412);
  assert.equal((await request('PUT', '/sync/nothing-here.json', { headers: { 'If-Match': r1.headers.etag }, body: doc('x') })).status, 412);
  const v2 = doc('v2');
  const r2 = await request('PUT', '/sync/replace.json', { headers: { 'If-Match': r1.headers.etag }, body: v2 });
  assert.ok(r2.status >= 200 && r2.status < 300, `status ${r2.status}`);
  assert.equal(r2.headers.etag, sha(v2));
  assert.equal((await request('GET', '/sync/replace.json')).body, v2);
});

test('racing writers with the same If-Match: exactly one wins each round', async () => {
  const K = 6;
  const M = 15;
  let etag = (await request('PUT', '/sync/race.json', { headers: { 'If-None-Match': '*' }, body: doc('start') })).headers.etag;
  for (let round = 0; round < M; ++round) {
    const bodies = Array.from({ length: K }, (_, k) => doc(`round ${round} client ${k}`));
    const results = await Promise.all(bodies.map((body) => request('PUT', '/sync/race.json', { headers: { 'If-Match': etag }, body })));
    const winners = results.map((r, k) => ({ r, k })).filter(({ r }) => r.status >= 200 && r.status < 300);
    assert.equal(winners.length, 1, `round ${round}: ${results.map((r) => r.status).join(',')}`);
    for (const r of results) if (r !== winners[0].r) assert.equal(r.status, 412);
    const now = await request('GET', '/sync/race.json');
    assert.equal(now.body, bodies[winners[0].k]);  // the winner's write is what is stored
    assert.equal(now.headers.etag, winners[0].r.headers.etag);
    etag = now.headers.etag;
  }
});

test('a body that is not a Funnel document never replaces the stored one', async () => {
  const good = doc('good');
  const put = await request('PUT', '/sync/guard.json', { headers: { 'If-None-Match': '*' }, body: good });
  const etag = put.headers.etag;
  const bad = [
    '{"format":"funnel","version":1,"deals":[',                          // truncated
    '{"format":"something-else"}',                                       // foreign JSON
    '{"format":"funnel","version":1,"deals":[{"title":"no id"}]}',       // invalid record
    '['.repeat(5000) + ']'.repeat(5000),                                 // too deep
    '{"format":"funnel","version":1,"sync":{"replicas":{"zz":"then"}}}',  // damaged sync data
  ];
  for (const body of bad) {
    const r = await request('PUT', '/sync/guard.json', { headers: { 'If-Match': etag }, body });
    assert.equal(r.status, 422, `${body.slice(0, 40)} → ${r.status} ${r.body}`);
    assert.ok(r.body.length > 10);  // says why
  }
  const big = JSON.stringify({ format: 'funnel', version: 1, notes: 'x'.repeat(MAX) });
  assert.equal((await request('PUT', '/sync/guard.json', { headers: { 'If-Match': etag }, body: big })).status, 413);
  const after = await request('GET', '/sync/guard.json');
  assert.equal(after.body, good);
  assert.equal(after.headers.etag, etag);
  assert.equal(readFileSync(path.join(data, 'guard.json'), 'utf8'), good);
});

test('tokens are required, preflights pass without them, CORS only for the configured origin', async () => {
  assert.equal((await request('GET', '/sync/create.json', { token: null })).status, 401);
  assert.equal((await request('GET', '/sync/create.json', { token: 'wrong' })).status, 401);
  assert.equal((await request('PUT', '/sync/create.json', { token: null, headers: { 'If-None-Match': '*' }, body: doc('x') })).status, 401);
  assert.equal((await request('GET', '/sync/create.json', { token: 'second-token' })).status, 200);
  const pre = await request('OPTIONS', '/sync/create.json', {
    token: null,
    headers: { Origin: ORIGIN, 'Access-Control-Request-Method': 'PUT', 'Access-Control-Request-Headers': 'if-match, authorization' },
  });
  assert.equal(pre.status, 204);
  assert.equal(pre.headers['access-control-allow-origin'], ORIGIN);
  assert.match(pre.headers['access-control-allow-methods'], /PUT/);
  assert.match(pre.headers['access-control-allow-headers'], /If-Match/);
  assert.match(pre.headers['access-control-allow-headers'], /Authorization/);
  const got = await request('GET', '/sync/create.json', { headers: { Origin: ORIGIN } });
  assert.equal(got.headers['access-control-expose-headers'], 'ETag');
  const other = await request('GET', '/sync/create.json', { headers: { Origin: 'https://evil.example.test' } });
  assert.equal(other.headers['access-control-allow-origin'], undefined);
});

test('names that could leave the folder are refused', async () => {
  const names = ['/sync/..%2F..%2Fescape.json', '/sync/a.b.json', `/sync/${'x'.repeat(65)}.json`, '/sync/sub/x.json',
    '/sync/.json', '/sync/%2e%2e.json', '/sync/x.txt', '/sync/x%00.json'];
  for (const name of names) {
    const put = await request('PUT', name, { headers: { 'If-None-Match': '*' }, body: doc('escape') });
    assert.equal(put.status, 404, `${name} → ${put.status}`);
    assert.equal((await request('GET', name)).status, 404, name);
  }
  assert.equal(existsSync(path.join(dir, 'escape.json')), false);
  assert.equal(existsSync(path.join(path.dirname(dir), 'escape.json')), false);
  assert.deepEqual(readdirSync(data).filter((f) => !f.startsWith('.') && !/^[A-Za-z0-9_-]+\.json(\.\d+)?$/.test(f)), []);
});

test('the last versions are kept for recovery', async () => {
  const bodies = Array.from({ length: KEEP + 3 }, (_, i) => doc(`version ${i}`));
  let etag = (await request('PUT', '/sync/history.json', { headers: { 'If-None-Match': '*' }, body: bodies[0] })).headers.etag;
  for (const body of bodies.slice(1)) {
    const r = await request('PUT', '/sync/history.json', { headers: { 'If-Match': etag }, body });
    assert.ok(r.status < 300);
    etag = r.headers.etag;
  }
  const kept = readdirSync(data).filter((f) => f.startsWith('history.json.')).sort((a, b) => Number(a.split('.').pop()) - Number(b.split('.').pop()));
  assert.equal(kept.length, KEEP);
  // The newest kept version is the one replaced last; the oldest ones were dropped.
  const keptBodies = kept.map((f) => readFileSync(path.join(data, f), 'utf8'));
  assert.deepEqual(keptBodies, bodies.slice(bodies.length - 1 - KEEP, bodies.length - 1));
  assert.equal(readFileSync(path.join(data, 'history.json'), 'utf8'), bodies.at(-1));
});

test('an unauthorised PUT is refused once its header is read, before its body is', async () => {
  // The header announces 8 MB and no byte of it is sent: the answer must come anyway. The old
  // server read (waited for) the whole body first and then timed out without a 401.
  const at = new URL(server.url);
  const socket = net.connect({ host: at.hostname, port: Number(at.port) });
  let reply = '';
  socket.setEncoding('utf8');
  socket.on('data', (d) => { reply += d; });
  const ended = new Promise((resolve) => { socket.on('close', resolve); socket.on('error', resolve); });
  socket.write(`PUT /sync/create.json HTTP/1.1\r\nHost: ${at.host}\r\nIf-Match: "x"\r\nContent-Type: application/json\r\nContent-Length: ${8 << 20}\r\n\r\n`);
  await Promise.race([ended, new Promise((r) => setTimeout(r, 30000))]);
  socket.destroy();
  assert.match(reply, /^HTTP\/1\.1 401 /, `got: ${reply.slice(0, 80) || '(nothing)'}`);
  assert.match(reply, /Connection: close/i);
});

test('the auth scheme is matched case-insensitively', async () => {
  for (const scheme of ['bearer', 'BEARER', 'Bearer ']) {
    const res = await request('GET', '/sync/create.json', { token: null, headers: { Authorization: `${scheme} ${TOKEN}` } });
    assert.equal(res.status, 200, scheme);
  }
  assert.equal((await request('GET', '/sync/create.json', { token: null, headers: { Authorization: `Basic ${TOKEN}` } })).status, 401);
  assert.equal((await request('GET', '/sync/create.json', { token: null, headers: { Authorization: `Bearer${TOKEN}` } })).status, 401);
});

test('If-Match: * is a blind overwrite and gets 428 like no precondition', async () => {
  const body = doc('star');
  await request('PUT', '/sync/star.json', { headers: { 'If-None-Match': '*' }, body });
  for (const ifMatch of ['*', ' * ']) {
    const res = await request('PUT', '/sync/star.json', { headers: { 'If-Match': ifMatch }, body: doc('blind star') });
    assert.equal(res.status, 428, `If-Match: ${ifMatch}`);
  }
  assert.equal((await request('GET', '/sync/star.json')).body, body);
});

test('a sync body is compressed once per version, not on every GET', async () => {
  const v1 = JSON.stringify({ format: 'funnel', version: 1, deals: Array.from({ length: 200 }, (_, i) => ({ id: `d${i}`, title: `Deal number ${i}` })) });
  const put = await request('PUT', '/sync/gzip.json', { headers: { 'If-None-Match': '*' }, body: v1 });
  const fetchGz = (encoding) => new Promise((resolve, reject) => {
    const req = http.get(new URL('/sync/gzip.json', server.url), { headers: { Authorization: `Bearer ${TOKEN}`, 'Accept-Encoding': encoding }, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
  });
  const first = await fetchGz('gzip');
  assert.equal(first.headers['content-encoding'], 'gzip');
  assert.equal(zlib.gunzipSync(first.body).toString(), v1);
  assert.equal(first.headers.etag, put.headers.etag);
  assert.equal(first.headers['x-funnel-encoded'], undefined);
  const second = await fetchGz('gzip');
  assert.equal(second.headers['x-funnel-encoded'], 'cached', 'the second GET reuses the first one\'s gzip');
  assert.deepEqual(second.body, first.body);
  const br = await fetchGz('br');
  assert.equal(zlib.brotliDecompressSync(br.body).toString(), v1);
  // A new version is compressed anew.
  const v2 = v1.replace('Deal number 7"', 'Deal number seven"');
  await request('PUT', '/sync/gzip.json', { headers: { 'If-Match': put.headers.etag }, body: v2 });
  const third = await fetchGz('gzip');
  assert.equal(third.headers['x-funnel-encoded'], undefined);
  assert.equal(zlib.gunzipSync(third.body).toString(), v2);
});

test('caps on documents and bytes; temporary files of a crashed write are swept on start', async () => {
  const capped = path.join(dir, 'capped');
  mkdirSync(capped);
  const stale = path.join(capped, '.team.json.tmp-4242-1');
  writeFileSync(stale, '{"half":');
  writeFileSync(path.join(capped, 'team.json'), doc('kept'));
  const small = await startServer({
    root: path.join(dir, 'root'),
    args: ['--quiet', '--data', capped, '--sync-max-docs', '2', '--sync-max-total-bytes', '2000', '--sync-versions', '0'],
  });
  try {
    assert.equal(existsSync(stale), false, 'the temporary file is gone');
    assert.equal(readFileSync(path.join(capped, 'team.json'), 'utf8'), doc('kept'), 'the document is not');
    const put = (name, body, headers = { 'If-None-Match': '*' }) => httpRequest(new URL(`/sync/${name}.json`, small.url), { method: 'PUT', headers, body });
    assert.equal((await put('second', doc('two'))).status, 201);
    const third = await put('third', doc('three'));
    assert.equal(third.status, 507, 'a third document is over --sync-max-docs');
    assert.match(third.body, /limit/);
    assert.equal(existsSync(path.join(capped, 'third.json')), false);
    const got = await httpRequest(new URL('/sync/second.json', small.url));
    const big = JSON.stringify({ format: 'funnel', version: 1, notes: 'x'.repeat(1900) });
    const over = await put('second', big, { 'If-Match': got.headers.etag });
    assert.equal(over.status, 507, 'over --sync-max-total-bytes');
    assert.equal((await httpRequest(new URL('/sync/second.json', small.url))).body, doc('two'));
  } finally {
    await small.stop();
  }
});
