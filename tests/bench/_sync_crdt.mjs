// Merge time of the same two diverged replicas in two CRDT libraries, for comparison with
// Funnel's merge (tests/bench/sync.sh). Reads the documents _sync_merge --export wrote:
//   node tests/bench/_sync_crdt.mjs DIR 1000 10000 100000
// For each size: the base document goes into a CRDT document once, two replicas are forked from
// it, each applies its own edits (the difference between the base and <n>.a.json / <n>.b.json:
// changed fields, added and removed records), then merging B into A is timed:
//   automerge: Automerge.merge(A, B)                      → sync.merge_ms.automerge.<n>
//   yjs:       Y.applyUpdate(A, encodeStateAsUpdate(B, stateVector(A)))  → sync.merge_ms.yjs.<n>
// Records with an id (deals, customers, …) are maps keyed by id and their fields are map
// entries one level deep (nested objects such as a deal's key are maps too), like Funnel's
// per-field stamps; strings are atomic values (automerge: ImmutableString). Median of 3 runs
// (one for 100k), process CPU ms. Building the replicas is not timed. FUNNEL_BENCH_CRDT_MAX_DEALS
// (default 100000) leaves out larger sizes, FUNNEL_BENCH_CRDT=automerge or yjs one library.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as Automerge from '@automerge/automerge';
import * as Y from 'yjs';

const [dir, ...sizeArgs] = process.argv.slice(2);
const sizes = sizeArgs.length ? sizeArgs.map(Number) : [1000, 10000, 100000];
const only = process.env.FUNNEL_BENCH_CRDT ? process.env.FUNNEL_BENCH_CRDT.split(',') : ['automerge', 'yjs'];

const isRecordList = (v) => Array.isArray(v) && v.length > 0 && v.every((r) => r && typeof r === 'object' && typeof r.id === 'string');
const plainObject = (v) => v && typeof v === 'object' && !Array.isArray(v);
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

// Document JSON → { collections: { deals: { id: record } }, rest: { key: value } }
function shape(doc) {
  const collections = {};
  const rest = {};
  for (const [k, v] of Object.entries(doc)) {
    if (isRecordList(v)) collections[k] = Object.fromEntries(v.map((r) => [r.id, r]));
    else rest[k] = v;
  }
  return { collections, rest };
}

// The edits that turn `base` into `edited`: [{coll, id, op: 'add'|'remove'|'set', field, sub, value}]
function editsBetween(base, edited) {
  const out = [];
  for (const [coll, recs] of Object.entries(edited.collections)) {
    const before = base.collections[coll] || {};
    for (const [id, rec] of Object.entries(recs)) {
      const old = before[id];
      if (!old) { out.push({ coll, id, op: 'add', value: rec }); continue; }
      if (same(old, rec)) continue;
      for (const [field, value] of Object.entries(rec)) {
        if (same(old[field], value)) continue;
        if (plainObject(value) && plainObject(old[field])) {
          for (const [sub, sv] of Object.entries(value)) if (!same(old[field][sub], sv)) out.push({ coll, id, op: 'set', field, sub, value: sv });
        } else {
          out.push({ coll, id, op: 'set', field, value });
        }
      }
    }
    for (const id of Object.keys(before)) if (!recs[id]) out.push({ coll, id, op: 'remove' });
  }
  return out;
}

// Process CPU time (user + system) in ms: a machine shared with builds disturbs it far less than
// wall time, and it is what the native figure measures too.
const cpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// ---- automerge ------------------------------------------------------------------------------
// Strings are ImmutableString: atomic values, last writer wins, as in Funnel (automerge's default
// string is collaborative text, one op per character, which is another data type).
function am(v) {
  if (typeof v === 'string') return new Automerge.ImmutableString(v);
  if (Array.isArray(v)) return v.map(am);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, am(x)]));
  return v;
}

function automergePrepare(base, editsA, editsB) {
  const apply = (doc, edits) => Automerge.change(doc, (d) => {
    for (const e of edits) {
      const c = d.collections[e.coll];
      if (e.op === 'add') c[e.id] = am(e.value);
      else if (e.op === 'remove') delete c[e.id];
      else if (e.sub !== undefined) c[e.id][e.field][e.sub] = am(e.value);
      else c[e.id][e.field] = am(e.value);
    }
  });
  const origin = Automerge.from(am(base), { actor: '0a'.repeat(16) });
  const saved = Automerge.save(origin);
  const a = apply(Automerge.load(saved, { actor: 'aa'.repeat(16) }), editsA);
  const b = apply(Automerge.load(saved, { actor: 'bb'.repeat(16) }), editsB);
  return () => {
    const target = Automerge.clone(a);
    const t0 = cpuMs();
    const merged = Automerge.merge(target, b);
    const ms = cpuMs() - t0;
    return { ms, deals: Object.keys(merged.collections.deals).length };
  };
}

// ---- yjs ----------------------------------------------------------------------------------
function toY(value) {
  if (!plainObject(value)) return value;
  const m = new Y.Map();
  for (const [k, v] of Object.entries(value)) m.set(k, v);  // one level of maps; deeper values are plain
  return m;
}

function yjsPrepare(base, editsA, editsB) {
  const origin = new Y.Doc();
  origin.clientID = 1;
  origin.transact(() => {
    for (const [coll, recs] of Object.entries(base.collections)) {
      const c = origin.getMap(coll);
      for (const [id, rec] of Object.entries(recs)) {
        const r = new Y.Map();
        c.set(id, r);
        for (const [f, v] of Object.entries(rec)) r.set(f, toY(v));
      }
    }
    const rest = origin.getMap('rest');
    for (const [k, v] of Object.entries(base.rest)) rest.set(k, v);
  });
  const fork = (clientID, update, edits) => {
    const d = new Y.Doc();
    d.clientID = clientID;
    Y.applyUpdate(d, update);
    d.transact(() => {
      for (const e of edits) {
        const c = d.getMap(e.coll);
        if (e.op === 'add') {
          const r = new Y.Map();
          c.set(e.id, r);
          for (const [f, v] of Object.entries(e.value)) r.set(f, toY(v));
        } else if (e.op === 'remove') c.delete(e.id);
        else if (e.sub !== undefined) c.get(e.id).get(e.field).set(e.sub, e.value);
        else c.get(e.id).set(e.field, toY(e.value));
      }
    });
    return d;
  };
  const snapshot = Y.encodeStateAsUpdate(origin);
  let copies = 0;
  const aUpdate = Y.encodeStateAsUpdate(fork(2, snapshot, editsA));
  const b = fork(3, snapshot, editsB);
  return () => {
    const a = fork(100 + ++copies, aUpdate, []);
    const t0 = cpuMs();
    Y.applyUpdate(a, Y.encodeStateAsUpdate(b, Y.encodeStateVector(a)));
    const ms = cpuMs() - t0;
    return { ms, deals: a.getMap('deals').size };
  };
}

for (const n of sizes) {
  const load = (which) => shape(JSON.parse(readFileSync(path.join(dir, `${n}.${which}.json`), 'utf8')));
  const base = load('base');
  const A = load('a');
  const B = load('b');
  const editsA = editsBetween(base, A);
  const editsB = editsBetween(base, B);
  // Both replicas keep their own additions and lose both removals: the deal count every merge must reach.
  const expected = Object.keys(base.collections.deals).length
    + editsA.filter((e) => e.op === 'add' && e.coll === 'deals').length + editsB.filter((e) => e.op === 'add' && e.coll === 'deals').length
    - editsA.filter((e) => e.op === 'remove' && e.coll === 'deals').length - editsB.filter((e) => e.op === 'remove' && e.coll === 'deals').length;
  const runs = n >= 100000 ? 1 : 3;
  if (n > Number(process.env.FUNNEL_BENCH_CRDT_MAX_DEALS || 100000)) { console.error(`  ${n} deals: left out (FUNNEL_BENCH_CRDT_MAX_DEALS)`); continue; }
  for (const [name, prepare] of [['automerge', automergePrepare], ['yjs', yjsPrepare]]) {
    if (!only.includes(name)) continue;
    const b0 = cpuMs();
    const run = prepare(base, editsA, editsB);
    const setup = cpuMs() - b0;
    const ms = [];
    for (let r = 0; r < runs; ++r) {
      const res = run();
      if (res.deals !== expected) {
        console.error(`${name} ${n}: merged document has ${res.deals} deals, expected ${expected}`);
        process.exit(1);
      }
      ms.push(res.ms);
    }
    console.log(`sync.merge_ms.${name}.${n} ${median(ms).toFixed(1)} ms`);
    console.error(`  ${name} ${n} deals: ${editsA.length}+${editsB.length} edits, building the replicas took ${(setup / 1000).toFixed(1)} s CPU`);
  }
}
