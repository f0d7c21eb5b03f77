// Small helpers shared by the sync integration tests: a seeded random source and readers of a
// replica's dump / the team file (a Funnel document whose "sync" section holds the state).

// mulberry32: uniform in [0, 1), the same sequence for the same seed.
export function random(seed) {
  let a = (seed >>> 0) || 0x9e3779b9;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// A dump is one JSON value, or JSON lines (the document first); returns the document object
// with its "sync" section (state) when there is one.
export function parseDump(text) {
  const t = text.trim();
  try {
    return normalise(JSON.parse(t));
  } catch {
    const values = t.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
    return normalise(Object.assign({}, ...values));
  }
}

function normalise(v) {
  if (v && v.document && typeof v.document === 'object') {
    const doc = { ...v.document };
    if (v.state && !doc.sync) doc.sync = v.state;
    if (v.sync && !doc.sync) doc.sync = v.sync;
    return doc;
  }
  return v;
}

export function dealsOf(doc) {
  return new Map((doc.deals || []).map((d) => [d.id, d]));
}

export function conflictsOf(doc) {
  return (doc.sync && doc.sync.conflicts) || doc.conflicts || [];
}
