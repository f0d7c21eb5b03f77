// The fault proxy (tests/e2e/faultproxy.mjs) really breaks what it says it breaks, in front of a
// real Apache: injected statuses, a real 412 race, hangs, resets, truncated bodies, substituted
// bodies — and passes everything else through byte for byte.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { startApache } from './apache.mjs';
import { startFaultProxy } from './faultproxy.mjs';

let apache;
let proxy;

function request(url, { method = 'GET', headers = {}, body, timeoutMs = 5000 } = {}) {
  const h = { Authorization: apache.authorization, ...headers };
  if (body !== undefined) h['Content-Length'] = Buffer.byteLength(body);
  return new Promise((resolve) => {
    const req = http.request(url, { method, headers: h, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (err) => resolve({ error: err.code || err.message, status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('aborted', () => resolve({ error: 'aborted', status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.setTimeout(timeoutMs, () => { req.destroy(new Error('timeout')); });
    req.on('error', (err) => resolve({ error: err.message === 'timeout' ? 'timeout' : (err.code || err.message) }));
    if (body !== undefined) req.write(body);
    req.end();
  });
}

const doc = (title) => JSON.stringify({ format: 'funnel', version: 1, deals: [{ id: 'd1', title }] });

before(async () => {
  apache = await startApache({ fileETag: 'digest' });
  proxy = await startFaultProxy({ target: `http://127.0.0.1:${apache.port}/` });
  const r = await request(apache.fileUrl('p.json'), { method: 'PUT', headers: { 'If-None-Match': '*' }, body: doc('v1') });
  assert.equal(r.status, 201);
});

after(async () => {
  await proxy?.stop();
  await apache?.stop();
});

const via = (name) => `${proxy.url}team/${name}`;

test('passes requests through unchanged', async () => {
  const direct = await request(apache.fileUrl('p.json'));
  const proxied = await request(via('p.json'));
  assert.equal(proxied.status, 200);
  assert.equal(proxied.body, direct.body);
  assert.equal(proxied.headers.etag, direct.headers.etag);
  assert.equal((await request(via('p.json'), { headers: { Authorization: 'Basic eDp5' } })).status, 401);
});

test('injected statuses and a real 412 race', async () => {
  const etag = (await request(via('p.json'))).headers.etag;
  proxy.queue({ method: 'PUT', action: { status: 500 } }, { method: 'GET', action: { status: 503 } });
  assert.equal((await request(via('p.json'), { method: 'PUT', headers: { 'If-Match': etag }, body: doc('lost') })).status, 500);
  assert.equal((await request(via('p.json'))).status, 503);
  assert.equal(readFileSync(apache.filePath('p.json'), 'utf8'), doc('v1'), 'an injected 500 never reached the server');
  // Another writer sneaks in between the client's GET and its PUT: the server itself answers 412.
  proxy.queue({
    method: 'PUT',
    action: { before: () => request(apache.fileUrl('p.json'), { method: 'PUT', headers: { 'If-Match': etag }, body: doc('interloper') }) },
  });
  const raced = await request(via('p.json'), { method: 'PUT', headers: { 'If-Match': etag }, body: doc('mine') });
  assert.equal(raced.status, 412);
  assert.equal(readFileSync(apache.filePath('p.json'), 'utf8'), doc('interloper'));
  assert.equal(proxy.log.at(-1).upstream, 412);
});

test('hang, hang after the write landed, reset, truncated body, substituted body', async () => {
  proxy.queue({ method: 'GET', action: 'hang' });
  assert.equal((await request(via('p.json'), { timeoutMs: 300 })).error, 'timeout');

  const etag = (await request(via('p.json'))).headers.etag;
  proxy.queue({ method: 'PUT', action: 'hang-after' });
  const landed = await request(via('p.json'), { method: 'PUT', headers: { 'If-Match': etag }, body: doc('landed'), timeoutMs: 1000 });
  assert.equal(landed.error, 'timeout');
  assert.equal(readFileSync(apache.filePath('p.json'), 'utf8'), doc('landed'), 'the write landed though the client saw no answer');

  proxy.queue({ method: 'GET', action: 'reset' });
  assert.ok((await request(via('p.json'))).error, 'reset is an error');

  proxy.queue({ method: 'GET', action: 'truncate' });
  const cut = await request(via('p.json'));
  assert.ok(cut.error, 'a truncated body is an error for the client');
  assert.ok(cut.body.length < doc('landed').length);

  proxy.queue({ method: 'GET', action: { body: '{"format":"something-else"}', etag: '"forged"' } });
  const foreign = await request(via('p.json'));
  assert.equal(foreign.status, 200);
  assert.equal(foreign.body, '{"format":"something-else"}');
  assert.equal(foreign.headers.etag, '"forged"');
  assert.equal((await request(via('p.json'))).body, doc('landed'), 'faults are used once');
});
