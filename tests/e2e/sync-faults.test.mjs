// Faults between a native sync client (funnel-sync) and the server, injected by the proxy of
// tests/e2e/faultproxy.mjs, in front of funnel-serve and of a real Apache (FileETag Digest):
// 412 races (injected and real), 500s, timeouts, a PUT that lands but is never answered,
// truncated bodies, and a corrupted or foreign JSON on the server. Each time: the outcome is
// reported (exit code and the JSON line's error), the local data is untouched or holds all its
// edits, and the file on the server is never overwritten with garbage (its bytes are checked).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, readFileSync, renameSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer } from './harness.mjs';
import { startApache, apacheAvailable } from './apache.mjs';
import { startFaultProxy } from './faultproxy.mjs';
import { funnelSyncPath, Replica } from './syncclient.mjs';
import { parseDump, dealsOf } from './syncmodel.mjs';

const skip = funnelSyncPath() ? false : 'funnel-sync is not built (scripts/build native)';
const TOKEN = 'fault-token';
let dir;
let serve;
let apache;
const proxies = [];

before(async () => {
  if (skip) return;
  dir = mkdtempSync(path.join(tmpdir(), 'funnel-faults-'));
  mkdirSync(path.join(dir, 'root'));
  writeFileSync(path.join(dir, 'root', 'index.html'), '<!doctype html><title>Funnel</title>');
  writeFileSync(path.join(dir, 'tokens'), `${TOKEN}\n`);
  serve = await startServer({ root: path.join(dir, 'root'), args: ['--quiet', '--data', path.join(dir, 'data'), '--tokens', path.join(dir, 'tokens')] });
  if (apacheAvailable()) apache = await startApache({ fileETag: 'digest' });
});

after(async () => {
  for (const p of proxies) await p.stop();
  await serve?.stop();
  await apache?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// A backend behind its own proxy: direct and proxied URLs of one team file.
async function setup(kind, name) {
  let direct;
  let auth;
  let file;
  let origin;
  if (kind === 'funnel-serve') {
    origin = serve.url;
    direct = `${serve.url}sync/${name}.json`;
    auth = { token: TOKEN };
    file = path.join(dir, 'data', `${name}.json`);
  } else {
    origin = `http://127.0.0.1:${apache.port}/`;
    direct = apache.fileUrl(`${name}.json`);
    auth = { user: `${apache.user}:${apache.password}` };
    file = apache.filePath(`${name}.json`);
  }
  const proxy = await startFaultProxy({ target: origin });
  proxies.push(proxy);
  const viaProxy = proxy.url + new URL(direct).pathname.slice(1);
  const common = { ...auth, timeoutMs: 800, maxAttempts: 3 };
  const a = new Replica('a', { store: path.join(dir, `${kind}-${name}-a`), url: direct, replica: 'aaaaaaaaaaaaaaa1', ...common });
  const b = new Replica('b', { store: path.join(dir, `${kind}-${name}-b`), url: viaProxy, replica: 'bbbbbbbbbbbbbbb2', ...common });
  await a.command({ op: 'pipeline.create', id: 'p1', name: 'Sales', stages: [{ id: 's1', name: 'Lead' }] });
  await a.command({ op: 'customer.create', id: 'c1', name: 'Acme' });
  await a.command({ op: 'deal.create', id: 'd1', title: 'first', customerId: 'c1', pipelineId: 'p1', value: 10 });
  assert.equal((await a.sync()).code, 0);
  const joined = await b.sync();
  assert.equal(joined.code, 0, joined.stdout + joined.stderr);
  return { a, b, proxy, file };
}

const bytes = (file) => readFileSync(file);
// Replaces the server's file the way an editor would (new inode): funnel-serve's kept versions
// are hard links to earlier documents and must not change with it.
function replaceFile(file, text) {
  writeFileSync(`${file}.new`, text);
  renameSync(`${file}.new`, file);
}
const titleIn = async (replica, id = 'd1') => dealsOf(parseDump(await replica.dump())).get(id)?.title;

for (const kind of ['funnel-serve', 'apache']) {
  const opts = { skip: skip || (kind === 'apache' && !apacheAvailable() && 'apache2 not installed (scripts/setup)') };

  test(`${kind}: 500s and timeouts → gave up, reported, local and server untouched`, opts, async () => {
    const { b, proxy, file } = await setup(kind, 'down');
    await b.command({ op: 'deal.set', id: 'd1', field: 'title', value: 'edited offline' });
    const dumpBefore = await b.dump();
    const serverBefore = bytes(file);
    for (const action of [{ status: 500 }, 'hang', 'reset']) {
      proxy.faults = () => action;
      const r = await b.sync();
      assert.equal(r.code, 3, `${JSON.stringify(action)}: exit ${r.code} ${r.stdout}`);
      assert.equal(r.report.ok, false);
      assert.ok(r.report.error, `${JSON.stringify(action)}: no error reported`);
      assert.equal(await b.dump(), dumpBefore, 'local data changed');
      assert.deepEqual(bytes(file), serverBefore, 'server file changed');
    }
    proxy.clear();
    const r = await b.sync();
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(dealsOf(parseDump(bytes(file).toString('utf8'))).get('d1').title, 'edited offline');
  });

  test(`${kind}: 412s (injected and a real race) → retried, both edits kept`, opts, async () => {
    const { a, b, proxy, file } = await setup(kind, 'race');
    await b.command({ op: 'deal.set', id: 'd1', field: 'value', value: 22 });
    proxy.queue({ method: 'PUT', action: { status: 412 }, times: 2 });
    let r = await b.sync({ maxAttempts: 6 });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.ok(r.report.attempts >= 3, `attempts ${r.report.attempts}`);
    // Another replica writes between b's GET and b's PUT: the server answers 412 itself.
    await b.command({ op: 'deal.set', id: 'd1', field: 'title', value: 'b title' });
    proxy.queue({
      method: 'PUT',
      action: { before: async () => {
        await a.command({ op: 'deal.create', id: 'd2', title: 'from a', customerId: 'c1', pipelineId: 'p1' });
        assert.equal((await a.sync()).code, 0);
      } },
    });
    r = await b.sync({ maxAttempts: 6 });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.ok(proxy.log.some((l) => l.method === 'PUT' && l.upstream === 412), 'the race did not happen');
    const server = dealsOf(parseDump(bytes(file).toString('utf8')));
    assert.equal(server.get('d1').title, 'b title');
    assert.equal(server.get('d1').value, 22);
    assert.equal(server.get('d2')?.title, 'from a');
  });

  test(`${kind}: a PUT that lands unanswered is confirmed by the next GET`, opts, async () => {
    const { b, proxy, file } = await setup(kind, 'unanswered');
    await b.command({ op: 'deal.set', id: 'd1', field: 'title', value: 'landed' });
    proxy.queue({ method: 'PUT', action: 'hang-after' });
    const r = await b.sync({ maxAttempts: 5 });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(dealsOf(parseDump(bytes(file).toString('utf8'))).get('d1').title, 'landed');
  });

  test(`${kind}: truncated bodies → not merged, server untouched`, opts, async () => {
    const { a, b, proxy, file } = await setup(kind, 'truncated');
    await a.command({ op: 'deal.set', id: 'd1', field: 'title', value: 'from a' });
    assert.equal((await a.sync()).code, 0);
    await b.command({ op: 'deal.create', id: 'd3', title: 'from b', customerId: 'c1', pipelineId: 'p1' });
    const dumpBefore = await b.dump();
    const serverBefore = bytes(file);
    proxy.faults = ({ method }) => (method === 'GET' ? 'truncate' : null);
    const r = await b.sync();
    assert.notEqual(r.code, 0);
    assert.equal(r.report.ok, false);
    assert.ok(r.report.error);
    assert.equal(await b.dump(), dumpBefore, 'a truncated body was merged');
    assert.deepEqual(bytes(file), serverBefore, 'server file changed');
    assert.equal(proxy.count((l) => l.method === 'PUT'), 0, 'a PUT followed a truncated GET');
    proxy.clear();
    assert.equal((await b.sync()).code, 0);
    assert.equal(await titleIn(b), 'from a');
    assert.equal(await titleIn(b, 'd3'), 'from b');
  });

  test(`${kind}: a corrupted or foreign JSON on the server → refused, never overwritten`, opts, async () => {
    const { b, proxy, file } = await setup(kind, 'garbage');
    await b.command({ op: 'deal.set', id: 'd1', field: 'title', value: 'mine' });
    const good = bytes(file);
    const dumpBefore = await b.dump();
    const garbage = [
      '{"format":"funnel","version":1,"deals":[{"id":"d1","title":"cut here',   // corrupted (cut off)
      '{"name":"not-funnel","version":"1.0.0","dependencies":{}}',               // foreign JSON
      '{"format":"funnel","version":1,"deals":[{"id":"d1","title":"x","value":"NaN?"}]}',  // invalid field
    ];
    for (const text of garbage) {
      replaceFile(file, text);
      const r = await b.sync();
      assert.equal(r.code, 4, `${text.slice(0, 30)}: exit ${r.code} ${r.stdout}`);
      assert.equal(r.report.ok, false);
      assert.ok(r.report.error);
      assert.equal(readFileSync(file, 'utf8'), text, 'the bad file was overwritten');
      assert.equal(await b.dump(), dumpBefore, 'local data changed');
      const kept = readdirSync(b.opts.store).filter((f) => /^rejected-.*\.json$/.test(f));
      assert.ok(kept.some((f) => readFileSync(path.join(b.opts.store, f), 'utf8') === text), 'the refused file was not kept as a backup');
    }
    // Through the proxy only: the client sees a foreign body (with a plausible strong ETag).
    replaceFile(file, good);
    proxy.queue({ method: 'GET', action: { body: '[1,2,3]', etag: '"forged"' } });
    const r = await b.sync();
    assert.equal(r.code, 4, r.stdout);
    assert.equal(proxy.count((l) => l.method === 'PUT'), 0);
    assert.deepEqual(bytes(file), good);
    assert.equal(await b.dump(), dumpBefore);
    assert.equal((await b.sync()).code, 0);
    assert.equal(dealsOf(parseDump(bytes(file).toString('utf8'))).get('d1').title, 'mine');
  });
}
