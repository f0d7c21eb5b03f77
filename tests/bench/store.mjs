// Durable storage in Chromium (wasm + IndexedDB through IDBFS) for 1k / 10k / 100k deals:
//   store.edit_ms.<n>         one edit until IndexedDB has committed it (median of 5; the save is
//                             flushed as soon as the edit is recorded, so the 300 ms debounce is
//                             not counted)
//   store.sync_ms.<n>         IndexedDB's part of it: syncfs(false) of one new small file
//   store.load_ms.<n>         open the app with that store: navigation start to the first frame
//   memory.wasm_heap_mb.<n>   size of the wasm heap after that load
// Each size gets a fresh browser context (its own IndexedDB); the document is put in with one
// batch of deal.create commands through funnel.command. Prints "name value unit" lines for scripts/bench.
import { startServer, launchBrowser, openApp } from '../e2e/harness.mjs';

// FUNNEL_STORE_BENCH_SIZES=1k,10k limits the run (the 100k document takes minutes to build here).
const wanted = (process.env.FUNNEL_STORE_BENCH_SIZES || '1k,10k,100k').split(',');
const SIZES = [['1k', 1000], ['10k', 10000], ['100k', 100000]].filter(([l]) => wanted.includes(l));
const server = await startServer({ args: ['--quiet'] });
const browser = await launchBrowser();


async function waitSaved(page, count, timeout = 600000) {
  await page.waitForFunction((n) => {
    const s = window.funnelStorage.status();
    return s.state === 'saved' && s.pending === 0 && s.saved >= n;
  }, count, { timeout, polling: 20 });
}

async function open(context) {
  const page = await openApp(context, { url: server.url, query: '?lang=en', timeoutMs: 600000 });
  await page.waitForFunction(() => !!window.funnelStorage, null, { timeout: 60000 });
  return page;
}

try {
  for (const [label, deals] of SIZES) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      let page = await open(context);
      await waitSaved(page, 0);
      // Built with deal.create commands (one frame, so one journal segment, later compacted):
      // document.replace would pass the whole document through one ccall string on the stack.
      const put = await page.evaluate(({ deals }) => {
        const doc = window.funnel.snapshot();
        const p = doc.pipelines[0];
        const customers = [];
        for (let i = 0; i < 100; i++) {
          const r = window.funnel.command({ op: 'customer.create', name: '客户 ' + i });
          if (!r.ok) return r;
          customers.push(r.result.id);
        }
        const ids = [];
        for (let i = 0; i < deals; i++) {
          const r = window.funnel.command({ op: 'deal.create', title: '거래 ' + i, customerId: customers[i % 100],
            pipelineId: p.id, stageId: p.stages[i % (p.stages.length - 1)].id, value: 1000 + i });
          if (!r.ok) return r;
          if (i === 1 || i === Math.floor(deals / 2) || i === deals - 1) ids.push(r.result.id);
        }
        return { ok: true, ids };
      }, { deals });
      if (!put.ok) throw new Error(`building ${label}: ${put.error}`);
      const afterPut = (await page.evaluate(() => window.funnelStorage.status())).recorded;
      await waitSaved(page, afterPut);

      const ids = put.ids;
      const times = [];
      for (let i = 0; i < 5; i++) {
        const ms = await page.evaluate(async ({ id, i }) => {
          const before = window.funnelStorage.status().recorded;
          const t0 = performance.now();
          const r = window.funnel.command({ op: 'deal.set', id, field: 'title', value: 'Edited ' + i });
          if (!r.ok) throw new Error(r.error);
          let flushed = false;
          for (;;) {
            const s = window.funnelStorage.status();
            if (!flushed && s.recorded > before) { window.funnelStorage.flush(); flushed = true; }
            if (s.recorded > before && s.saved >= s.recorded && s.pending === 0) break;
            await new Promise((res) => setTimeout(res, 1));
          }
          return performance.now() - t0;
        }, { id: ids[i % ids.length], i });
        times.push(ms);
      }
      times.sort((a, b) => a - b);
      console.log(`store.edit_ms.${label} ${times[2].toFixed(1)} ms`);
      // IndexedDB's part alone: syncfs of one new 300-byte file next to the n-deal store, under
      // the store's lock (edit_ms above also waits for frames, which are slow in SwiftShader).
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
      console.log(`store.sync_ms.${label} ${sync.toFixed(2)} ms`);

      await page.close();
      page = await open(context);
      const load = await page.evaluate(() => {
        const s = window.funnel.stats();
        const mem = window.funnelStorage.status().heapBytes || 0;
        return { first: s.firstFrameMs, heap: mem / (1 << 20), deals: window.funnel.snapshot().deals.length };
      });
      if (load.deals !== deals) throw new Error(`reload (${label}): ${load.deals} deals instead of ${deals}`);
      console.log(`store.load_ms.${label} ${load.first.toFixed(0)} ms`);
      if (load.heap > 0) console.log(`memory.wasm_heap_mb.${label} ${load.heap.toFixed(1)} MB`);
    } finally {
      await context.close();
    }
  }
} finally {
  await browser.close();
  await server.stop();
}
