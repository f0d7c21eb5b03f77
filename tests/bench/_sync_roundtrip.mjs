// sync.roundtrip_ms.10k: one full sync of funnel-sync against funnel-serve with a 10k-deal team
// file — GET, validate, merge (the other replica's edit comes in), PUT with If-Match, GET to
// confirm — as the wall time of the `funnel-sync … sync` process (opening its local store
// included). Median of 3. Run by tests/bench/sync.sh; needs the native build (funnel-serve,
// funnel-sync) and the data _sync_merge --export wrote (<prefix>bench-sync/data/10000.base.json).
import { mkdtempSync, mkdirSync, rmSync, copyFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoRoot, buildPrefix, startServer } from '../e2e/harness.mjs';
import { funnelSyncPath, Replica } from '../e2e/syncclient.mjs';

const base = path.resolve(repoRoot, `${buildPrefix}bench-sync/data/10000.base.json`);
if (!funnelSyncPath()) {
  console.error('sync bench: funnel-sync is not built (scripts/build native): no sync.roundtrip_ms figure');
  process.exit(1);
}
if (!existsSync(base)) {
  console.error(`sync bench: ${base} missing (tests/bench/sync.sh writes it)`);
  process.exit(1);
}

const dir = mkdtempSync(path.join(tmpdir(), 'funnel-roundtrip-'));
let server;
try {
  mkdirSync(path.join(dir, 'root'));
  mkdirSync(path.join(dir, 'data'));
  copyFileSync(base, path.join(dir, 'data', 'team.json'));  // a team file that predates sync
  server = await startServer({ root: path.join(dir, 'root'), args: ['--quiet', '--data', path.join(dir, 'data')] });
  const url = `${server.url}sync/team.json`;
  const a = new Replica('a', { store: path.join(dir, 'a'), url, replica: 'aaaaaaaaaaaaaaaa', timeoutMs: 60000 });
  const b = new Replica('b', { store: path.join(dir, 'b'), url, replica: 'bbbbbbbbbbbbbbbb', timeoutMs: 60000 });
  for (const r of [a, b]) {
    const s = await r.sync();
    if (s.code !== 0) throw new Error(`${r.name}: first sync failed: ${s.stdout}${s.stderr}`);
  }
  const firstDeal = JSON.parse((await a.dump()).trim().split('\n')[0]);
  const dealId = (firstDeal.deals || firstDeal.document?.deals)[0].id;
  const ms = [];
  for (let run = 0; run < 3; ++run) {
    await b.command({ op: 'deal.set', id: dealId, field: 'title', value: `b run ${run}` });
    if ((await b.sync()).code !== 0) throw new Error('b: sync failed');
    await a.command({ op: 'deal.set', id: dealId, field: 'value', value: 1000 + run });
    const t0 = performance.now();
    const s = await a.sync();
    const t1 = performance.now();
    if (s.code !== 0 || !(s.report?.in > 0) || !(s.report?.out > 0)) throw new Error(`a: sync did not merge in and out: ${s.stdout}${s.stderr}`);
    ms.push(t1 - t0);
  }
  ms.sort((x, y) => x - y);
  console.log(`sync.roundtrip_ms.10k ${ms[1].toFixed(1)} ms`);
  console.error(`  roundtrip 10k: runs ${ms.map((x) => x.toFixed(0)).join(', ')} ms`);
} finally {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
}
