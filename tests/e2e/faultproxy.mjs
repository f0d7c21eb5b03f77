// A fault-injecting HTTP proxy for the sync tests: sits between a sync client and the server
// (funnel-serve or Apache) and, request by request, passes it through or breaks it.
//
//   const p = await startFaultProxy({ target: 'http://127.0.0.1:1234/' });
//   client → p.url + 'sync/team.json'   (the path and query go through unchanged)
//   p.faults = ({ method, path, n }) => action | null     (n counts requests from 0; null = pass)
//   p.queue({ method: 'PUT', action: { status: 412 } }, …)   one fault per matching request, in order
//   p.log   [{ n, method, path, action, status }]   what each request met and what the client got
//   await p.stop()
//
// Actions (objects, or the bare string for those without options):
//   'pass'                          forward unchanged
//   { status: 500 }                 answer this status (plain text body) without asking the server;
//                                   { status: 412 } is a lost race as the client sees it
//   { before: async () => {} }      run a hook first (e.g. another writer changes the file), then forward:
//                                   a real 412 race against the real server
//   'hang'                          never answer (the client's timeout fires); the server is not asked
//   'hang-after'                    forward (a PUT lands!), then never answer: 2xx is not proof either way
//   'reset'                         close the connection without answering
//   'truncate'                      forward, send the status and headers with the full Content-Length,
//                                   then half the body, then close
//   { body, etag, status = 200 }    answer with this body instead (a corrupted or foreign document)
import http from 'node:http';

const hopByHop = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer']);

function cleanHeaders(headers) {
  const out = {};
  for (const [k, v] of Object.entries(headers)) if (!hopByHop.has(k.toLowerCase())) out[k] = v;
  return out;
}

function forward(target, req, body) {
  const url = new URL(req.url.replace(/^\//, ''), target);
  const headers = cleanHeaders(req.headers);
  headers.host = url.host;
  if (body.length || req.method === 'PUT') headers['content-length'] = String(body.length);
  return new Promise((resolve, reject) => {
    const up = http.request(url, { method: req.method, headers, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: cleanHeaders(res.headers), body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    up.on('error', reject);
    up.end(body);
  });
}

export async function startFaultProxy({ target, host = '127.0.0.1' }) {
  const sockets = new Set();
  const hung = new Set();
  const rules = [];
  let n = 0;
  const proxy = {
    url: '',
    log: [],
    faults: null,
    // Faults for the next requests that match (method and/or a path substring), each used once.
    queue(...items) {
      for (const it of items) rules.push({ method: it.method, path: it.path, action: it.action, times: it.times ?? 1 });
    },
    clear() { rules.length = 0; proxy.faults = null; },
    count(pred = () => true) { return proxy.log.filter(pred).length; },
    async stop() {
      for (const res of hung) res.destroy();
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };

  const pick = (info) => {
    const i = rules.findIndex((r) => (!r.method || r.method === info.method) && (!r.path || info.path.includes(r.path)));
    if (i >= 0) {
      const r = rules[i];
      if (--r.times <= 0) rules.splice(i, 1);
      return r.action;
    }
    return proxy.faults ? proxy.faults(info) : null;
  };

  const server = http.createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const body = Buffer.concat(chunks);
    const info = { n: n++, method: req.method, path: req.url, headers: req.headers, body };
    let action = pick(info) || 'pass';
    const entry = { n: info.n, method: req.method, path: req.url, action: typeof action === 'string' ? action : Object.keys(action).join('+'), status: null };
    proxy.log.push(entry);
    try {
      if (typeof action === 'object' && action.before) {
        await action.before(info);
        action = 'pass';
      }
      if (action === 'hang') { hung.add(res.socket); return; }
      if (action === 'reset') { req.socket.destroy(); entry.status = 'reset'; return; }
      if (typeof action === 'object' && action.body !== undefined) {
        const b = Buffer.from(action.body);
        const h = { 'content-type': 'application/json', 'content-length': b.length };
        if (action.etag) h.etag = action.etag;
        res.writeHead(action.status ?? 200, h);
        res.end(req.method === 'HEAD' ? undefined : b);
        entry.status = action.status ?? 200;
        return;
      }
      if (typeof action === 'object' && action.status) {
        const b = Buffer.from(`injected ${action.status}\n`);
        res.writeHead(action.status, { 'content-type': 'text/plain', 'content-length': b.length });
        res.end(b);
        entry.status = action.status;
        return;
      }
      const up = await forward(proxy.target, req, body);
      entry.upstream = up.status;
      if (action === 'hang-after') { hung.add(res.socket); return; }
      if (action === 'truncate' && up.body.length > 1) {
        res.writeHead(up.status, { ...up.headers, 'content-length': up.body.length });
        res.write(up.body.subarray(0, Math.floor(up.body.length / 2)));
        entry.status = `${up.status} truncated`;
        setTimeout(() => req.socket.destroy(), 20);
        return;
      }
      res.writeHead(up.status, up.headers);
      res.end(up.body);
      entry.status = up.status;
    } catch (err) {
      entry.status = `proxy error: ${err.message}`;
      if (!res.headersSent) { res.writeHead(502, { 'content-type': 'text/plain' }); res.end(`proxy: ${err.message}\n`); }
      else res.destroy();
    }
  });
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => { sockets.delete(s); hung.delete(s); }); });
  await new Promise((resolve) => server.listen(0, host, resolve));
  proxy.target = target.endsWith('/') ? target : `${target}/`;
  proxy.url = `http://${host}:${server.address().port}/`;
  return proxy;
}
