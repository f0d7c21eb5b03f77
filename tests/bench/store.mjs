// Durable storage in Chromium (wasm + IndexedDB through IDBFS) for the 1k / 10k / 100k-deal demo
// documents (makeDemoDocument, as natively in tests/store/store_bench.cpp):
//   store.load_ms.wasm.<n>     open the app with that store: navigation start to the first frame
//                              (median of several fresh pages; the store.load_ms.<n>)
//   memory.wasm_heap_mb.<n>    the wasm heap after that load
//   store.edit_ms.wasm.<n>     one edit (funnel.command) until IndexedDB has committed it: the frame
//                              that hands it to storage, then syncfs(true), the journal segment,
//                              syncfs(false); median of several edits (the store.edit_ms.<n>)
//   store.save_ms.wasm.<n>     the storage part of that: from the edit reaching storage to committed
//   store.sync_ms.wasm.<n>     IndexedDB's part alone: syncfs(false) of one new small file
// The save is flushed as soon as the edit is recorded, so the 300 ms debounce is not counted.
// Each size gets a fresh browser context (its own IndexedDB). The store is filled once through
// ?benchStore=<n> (an empty store starts with an n-deal demo, saved like any new workspace);
// every measured page then opens it without that parameter, from IndexedDB.
// Prints "name value unit" lines for scripts/bench. FUNNEL_STORE_BENCH_SIZES=1k,10k limits the run.
import { startServer, launchBrowser, openApp } from '../e2e/harness.mjs';

const wanted = (process.env.FUNNEL_STORE_BENCH_SIZES || '1k,10k,100k').split(',');
const SIZES = [['1k', 1000, 5], ['10k', 10000, 5], ['100k', 100000, 3]].filter(([l]) => wanted.includes(l));
const EDITS = 9;
const server = await startServer({ args: ['--quiet'] });
const browser = await launchBrowser();

const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

// Everything this page recorded is durable and no cycle is running.
async function waitIdle(page, timeout = 600000) {
  await page.waitForFunction(() => {
    const s = window.funnelStorage && window.funnelStorage.status();
    return s && s.state === 'saved' && s.pending === 0 && !s.busy && s.seq > 0 && s.saved >= s.recorded;
  }, null, { timeout, polling: 20 });
}

async function open(context, query) {
  const page = await openApp(context, { url: server.url, query, timeoutMs: 600000 });
  page.on('crash', () => console.error('store bench: the page crashed'));
  return page;
}

try {
  for (const [label, deals, loads] of SIZES) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      // Fill the store once.
      let page = await open(context, `?lang=en&benchStore=${deals}`);
      await waitIdle(page);
      await page.close();

      // Load: fresh pages on the stored workspace.
      const loadMs = [];
      let heapMb = 0;
      for (let i = 0; i < loads; i++) {
        page = await open(context, '?lang=en');
        const s = await page.evaluate(() => window.funnel.stats());
        if (s.deals !== deals) throw new Error(`load (${label}): ${s.deals} deals instead of ${deals}`);
        loadMs.push(s.firstFrameMs);
        heapMb = s.heapBytes / 1048576;
        if (i < loads - 1) await page.close();
      }
      console.log(`store.load_ms.wasm.${label} ${median(loadMs).toFixed(0)} ms`);
      console.log(`memory.wasm_heap_mb.${label} ${heapMb.toFixed(1)} MB`);

      // Edit: one field of a deal at a time, each until durable.
      await waitIdle(page);
      const ids = await page.evaluate((n) => {
        const keys = window.funnel.itemKeys().filter((k) => k.startsWith('deal:')).map((k) => k.slice(5));
        return keys.slice(0, n);
      }, EDITS);
      if (!ids.length) throw new Error(`edit (${label}): no deal card drawn`);
      const edits = [];
      const saves = [];
      for (let i = 0; i < EDITS; i++) {
        const t = await page.evaluate(async ({ id, i }) => {
          const before = window.funnelStorage.status().recorded;
          const t0 = performance.now();
          const r = window.funnel.command({ op: 'deal.set', id, field: 'title', value: 'Edited ' + i });
          if (!r.ok) throw new Error(r.error);
          let t1 = 0;
          for (;;) {
            const s = window.funnelStorage.status();
            if (!t1 && s.recorded > before) { t1 = performance.now(); window.funnelStorage.flush(); }
            if (t1 && s.saved >= s.recorded && s.pending === 0) break;
            await new Promise((res) => setTimeout(res, 1));
          }
          const t2 = performance.now();
          return { edit: t2 - t0, save: t2 - t1 };
        }, { id: ids[i % ids.length], i });
        edits.push(t.edit);
        saves.push(t.save);
        await waitIdle(page);
      }
      console.log(`store.edit_ms.wasm.${label} ${median(edits).toFixed(1)} ms`);
      console.log(`store.save_ms.wasm.${label} ${median(saves).toFixed(1)} ms`);

      // IndexedDB's part alone: syncfs of one new 300-byte file next to the n-deal store, under
      // the store's lock.
      const sync = await page.evaluate(() => navigator.locks.request(Module.funnelStore.lockName, async () => {
        const S = Module.funnelStore;
        const out = [];
        for (let i = 0; i < 5; i++) {
          FS.writeFile(S.dir + '/bench-probe', new Uint8Array(300));
          const t0 = performance.now();
          await S.syncfs(false);
          out.push(performance.now() - t0);
          FS.unlink(S.dir + '/bench-probe');
          await S.syncfs(false);
        }
        return out.sort((a, b) => a - b)[2];
      }));
      console.log(`store.sync_ms.wasm.${label} ${sync.toFixed(2)} ms`);
      await page.close();
    } finally {
      await context.close();
    }
  }
} finally {
  await browser.close();
  await server.stop();
}
