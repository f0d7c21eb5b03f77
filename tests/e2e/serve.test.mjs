// funnel-serve over real HTTP: MIME types, compression, ETag/304, cache and security headers,
// and refusal of every path that would leave the served root. Runs on a fixture folder so it
// does not depend on the web build.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import zlib from 'node:zlib';
import { spawn, spawnSync } from 'node:child_process';
import net from 'node:net';
import { mkdtempSync, mkdirSync, writeFileSync, symlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, funnelServePath } from './harness.mjs';

let server;
let base;
let dir;
const SECRET = 'secret-outside-the-root';
// Compressible but not trivial: repeated text with a counter.
const js = Array.from({ length: 400 }, (_, i) => `console.log("funnel line ${i}");`).join('\n');
const wasm = Buffer.concat([Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]), Buffer.alloc(8192, 7)]);
const font = Buffer.alloc(4096, 3);

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'funnel-serve-'));
  const root = path.join(dir, 'root');
  mkdirSync(path.join(root, 'fonts'), { recursive: true });
  mkdirSync(path.join(root, 'sub'), { recursive: true });
  writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>Funnel</title>');
  writeFileSync(path.join(root, 'funnel.js'), js);
  writeFileSync(path.join(root, 'funnel.wasm'), wasm);
  writeFileSync(path.join(root, 'sw.js'), js);
  writeFileSync(path.join(root, 'manifest.webmanifest'), '{"name":"Funnel"}');
  writeFileSync(path.join(root, 'data.json'), '{"a":1}');
  writeFileSync(path.join(root, 'fonts', 'cjk-sc.otf'), font);
  writeFileSync(path.join(root, 'fonts', 'ui-latin.ttf'), font);
  writeFileSync(path.join(root, 'icon.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
  writeFileSync(path.join(root, 'icon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  writeFileSync(path.join(root, 'sub', 'index.html'), '<!doctype html><p>sub</p>');
  writeFileSync(path.join(dir, 'secret.txt'), SECRET);
  writeFileSync(path.join(root, '.env'), SECRET);
  mkdirSync(path.join(root, '.git'));
  writeFileSync(path.join(root, '.git', 'config'), SECRET);
  symlinkSync(path.join(dir, 'secret.txt'), path.join(root, 'link-out'));
  symlinkSync(dir, path.join(root, 'dir-out'));
  server = await startServer({ root, args: ['--quiet'] });
  base = new URL(server.url);
});

after(async () => {
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// Raw request: node's http does not normalise the path or decode the body, which is the point.
function get(rawPath, headers = {}, method = 'GET') {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: base.hostname, port: base.port, path: rawPath, method, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('prints its URL on 127.0.0.1', () => {
  assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
});

test('serves index.html for / and for a folder', async () => {
  const root = await get('/');
  assert.equal(root.status, 200);
  assert.equal(root.headers['content-type'], 'text/html; charset=utf-8');
  assert.match(root.body.toString(), /<title>Funnel<\/title>/);
  const sub = await get('/sub/');
  assert.equal(sub.status, 200);
  assert.match(sub.body.toString(), /sub/);
});

test('MIME types', async () => {
  const expected = {
    '/funnel.js': 'text/javascript',
    '/funnel.wasm': 'application/wasm',
    '/manifest.webmanifest': 'application/manifest+json',
    '/data.json': 'application/json',
    '/fonts/cjk-sc.otf': 'font/otf',
    '/fonts/ui-latin.ttf': 'font/ttf',
    '/icon.png': 'image/png',
    '/icon.svg': 'image/svg+xml',
    '/index.html': 'text/html',
  };
  for (const [p, type] of Object.entries(expected)) {
    const res = await get(p);
    assert.equal(res.status, 200, p);
    assert.equal(res.headers['content-type'].split(';')[0], type, p);
  }
});

test('gzip for wasm, js and fonts when accepted, identity otherwise', async () => {
  for (const [p, original] of [['/funnel.wasm', wasm], ['/funnel.js', Buffer.from(js)], ['/fonts/cjk-sc.otf', font]]) {
    const gz = await get(p, { 'Accept-Encoding': 'gzip' });
    assert.equal(gz.headers['content-encoding'], 'gzip', p);
    assert.ok(gz.body.length < original.length, `${p} smaller when gzipped`);
    assert.deepEqual(zlib.gunzipSync(gz.body), original, `${p} gunzips to the file`);
    assert.match(gz.headers.vary ?? '', /Accept-Encoding/i);
    const plain = await get(p);
    assert.equal(plain.headers['content-encoding'], undefined, p);
    assert.deepEqual(plain.body, original, p);
  }
});

test('brotli preferred when accepted, and q=0 is honoured', async () => {
  const br = await get('/funnel.wasm', { 'Accept-Encoding': 'gzip, deflate, br' });
  assert.equal(br.headers['content-encoding'], 'br');
  assert.deepEqual(zlib.brotliDecompressSync(br.body), wasm);
  const noBr = await get('/funnel.wasm', { 'Accept-Encoding': 'br;q=0, gzip' });
  assert.equal(noBr.headers['content-encoding'], 'gzip');
});

test('text/html is compressed once, not twice', async () => {
  const big = await get('/funnel.js', { 'Accept-Encoding': 'gzip' });
  assert.equal(zlib.gunzipSync(big.body).toString(), js);
});

test('ETag revalidation answers 304 with no body, 200 on a stale tag', async () => {
  const first = await get('/funnel.wasm', { 'Accept-Encoding': 'gzip' });
  const etag = first.headers.etag;
  assert.match(etag, /^"[^"]+"$/, 'strong ETag');
  const again = await get('/funnel.wasm', { 'Accept-Encoding': 'gzip', 'If-None-Match': etag });
  assert.equal(again.status, 304);
  assert.equal(again.body.length, 0);
  const stale = await get('/funnel.wasm', { 'Accept-Encoding': 'gzip', 'If-None-Match': '"0000"' });
  assert.equal(stale.status, 200);
  const identity = await get('/funnel.wasm');
  assert.notEqual(identity.headers.etag, etag, 'each coding has its own tag');
});

test('cache and security headers', async () => {
  for (const p of ['/index.html', '/sw.js', '/manifest.webmanifest', '/funnel.wasm']) {
    const res = await get(p);
    assert.match(res.headers['cache-control'], /no-cache/, p);
  }
  const res = await get('/');
  assert.equal(res.headers['x-content-type-options'], 'nosniff');
  assert.match(res.headers['content-security-policy'], /script-src 'self' 'wasm-unsafe-eval'/);
  const missing = await get('/nope');
  assert.equal(missing.headers['x-content-type-options'], 'nosniff', 'error responses too');
});

test('HEAD answers headers without a body', async () => {
  const res = await get('/funnel.wasm', {}, 'HEAD');
  assert.equal(res.status, 200);
  assert.equal(res.headers['content-type'], 'application/wasm');
  assert.equal(res.body.length, 0);
});

test('404 for a missing file', async () => {
  const res = await get('/no-such-file.js');
  assert.equal(res.status, 404);
  assert.ok(!res.body.toString().includes(SECRET));
});

test('refuses paths outside the root', async () => {
  const attempts = [
    '/../secret.txt',
    '/%2e%2e/secret.txt',
    '/%2E%2E/secret.txt',
    '/fonts/../../secret.txt',
    '/fonts/%2e%2e/%2e%2e/secret.txt',
    '/..%2fsecret.txt',
    '/..%5csecret.txt',
    '/link-out',
    '/dir-out/secret.txt',
    '//' + path.join(dir, 'secret.txt'),
    '/%2F' + path.join(dir, 'secret.txt').slice(1),
  ];
  for (const p of attempts) {
    const res = await get(p);
    assert.ok(res.status === 403 || res.status === 404 || res.status === 400, `${p} → ${res.status}`);
    assert.ok(!res.body.toString().includes(SECRET), `${p} leaked the file`);
  }
});

test('fails with a message when the root does not exist', () => {
  const r = spawnSync(funnelServePath(), ['--port', '0', '--root', path.join(tmpdir(), 'no-such-funnel-root')], {
    encoding: 'utf8',
    timeout: 10000,
  });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /does not exist/);
});

// ---- defaults that keep other web pages and other machines out (docs/SYNC.md "funnel-serve's defaults")

test('only loopback Host names are answered unless --allow-host names more (DNS rebinding)', async () => {
  for (const host of [`127.0.0.1:${base.port}`, `localhost:${base.port}`, `[::1]:${base.port}`, 'app.localhost']) {
    assert.equal((await get('/', { Host: host })).status, 200, host);
  }
  for (const host of [`evil.example:${base.port}`, 'evil.example', `127.0.0.1.evil.example:${base.port}`, '192.168.1.20']) {
    const res = await get('/', { Host: host });
    assert.equal(res.status, 421, host);
    assert.ok(!res.body.toString().includes('Funnel</title>'), host);
  }
  const named = await startServer({ root: path.join(dir, 'root'), args: ['--quiet', '--allow-host', 'Funnel.Example.com,other.test'] });
  try {
    const at = new URL(named.url);
    const ask = (host) => new Promise((resolve, reject) => {
      http.get({ host: at.hostname, port: at.port, path: '/', headers: { Host: host } }, (res) => { res.resume(); resolve(res.statusCode); }).on('error', reject);
    });
    assert.equal(await ask('funnel.example.com'), 200);
    assert.equal(await ask('funnel.example.com:443'), 200);
    assert.equal(await ask('other.test'), 200);
    assert.equal(await ask('evil.example'), 421);
  } finally {
    await named.stop();
  }
});

test('dotfiles and dot folders are not served', async () => {
  for (const p of ['/.env', '/.git/config', '/%2egit/config', '/sub/../.env']) {
    const res = await get(p);
    assert.ok(res.status === 404 || res.status === 403, `${p} → ${res.status}`);
    assert.ok(!res.body.toString().includes(SECRET), `${p} leaked the file`);
  }
});

test('refuses --data inside --root (team documents would be plain static files)', () => {
  const root = path.join(dir, 'root');
  for (const data of [path.join(root, 'team'), root]) {
    const r = spawnSync(funnelServePath(), ['--port', '0', '--root', root, '--data', data], { encoding: 'utf8', timeout: 10000 });
    assert.notEqual(r.status, 0, data);
    assert.equal(r.signal, null, `${data}: it must refuse, not start (killed by the timeout)`);
    assert.match(r.stderr, /inside --root/);
  }
});

// Starts funnel-serve with these arguments and resolves to {code, out} once it exits or prints
// its URL (then it is stopped).
function tryStart(args) {
  return new Promise((resolve) => {
    const child = spawn(funnelServePath(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const done = (code) => { clearTimeout(timer); resolve({ code, out }); };
    const timer = setTimeout(() => { child.kill('SIGKILL'); }, 20000);
    child.stdout.on('data', (d) => {
      out += d;
      if (/running at/.test(out)) { child.kill('SIGTERM'); }
    });
    child.stderr.on('data', (d) => { out += d; });
    child.on('exit', (code) => done(/running at/.test(out) ? 'started' : code));
  });
}

test('a non-loopback address needs --tokens (or an explicit --open-without-tokens)', async () => {
  const root = path.join(dir, 'root');
  const data = path.join(dir, 'data-open');
  const refused = await tryStart(['--host', '0.0.0.0', '--port', '0', '--root', root, '--data', data]);
  assert.notEqual(refused.code, 'started', refused.out);
  assert.match(refused.out, /--tokens/);
  writeFileSync(path.join(dir, 'tokens'), 'a-token\n');
  assert.equal((await tryStart(['--host', '0.0.0.0', '--port', '0', '--root', root, '--data', data, '--tokens', path.join(dir, 'tokens')])).code, 'started');
  assert.equal((await tryStart(['--host', '0.0.0.0', '--port', '0', '--root', root, '--data', data, '--open-without-tokens'])).code, 'started');
  assert.equal((await tryStart(['--host', 'localhost', '--port', '0', '--root', root, '--data', data])).code, 'started');
});

test('a header trickled byte by byte is cut off by the header deadline', async () => {
  // Each line comes well within the per-read timeout, so only a deadline for the whole header
  // ends it (default 10 s). The old server kept such a connection, and a thread, for ever.
  const socket = net.connect({ host: base.hostname, port: Number(base.port) });
  await new Promise((resolve, reject) => { socket.once('connect', resolve); socket.once('error', reject); });
  const started = Date.now();
  let closed = false;
  socket.on('close', () => { closed = true; });
  socket.on('error', () => { closed = true; });
  socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n');
  for (let i = 0; i < 40 && !closed; ++i) {
    socket.write(`X-Slow-${i}: x\r\n`);
    await new Promise((r) => setTimeout(r, 1000));
  }
  const seconds = (Date.now() - started) / 1000;
  socket.destroy();
  assert.ok(closed, 'still open after 40 s of trickled header lines');
  assert.ok(seconds >= 9, `cut after ${seconds} s, before the 10 s deadline`);
});
