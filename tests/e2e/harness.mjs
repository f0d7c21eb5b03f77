// End-to-end harness: starts funnel-serve on a free loopback port, launches Debian's Chromium
// through playwright-core, and opens the app once window.funnel.ready has resolved.
// Used by every tests/e2e/*.test.mjs and by scripts/bench; node's test runner drives them.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

// scripts/build puts its trees under FUNNEL_BUILD_PREFIX (default "build/"): <prefix>native,
// <prefix>web. FUNNEL_SERVE names another funnel-serve binary (e.g. an ASan build).
export const buildPrefix = process.env.FUNNEL_BUILD_PREFIX || 'build/';
export const webRoot = path.resolve(repoRoot, process.env.FUNNEL_WEB_OUT || `${buildPrefix}web`);
const serveCandidates = [
  process.env.FUNNEL_SERVE,
  path.resolve(repoRoot, `${buildPrefix}native/app/platform/serve/funnel-serve`),
  path.resolve(repoRoot, `${buildPrefix}asan/app/platform/serve/funnel-serve`),
].filter(Boolean);

export function funnelServePath() {
  const found = serveCandidates.find((p) => existsSync(p));
  if (!found) {
    throw new Error(`funnel-serve not found (looked in ${serveCandidates.join(', ')}): run scripts/build native`);
  }
  return found;
}

let lastServerUrl = null;

// Spawns funnel-serve with --port 0 and reads the URL it prints, so parallel test files never
// race for a port. Resolves to {url, stop(), output()} once the server answers a request.
export async function startServer({ root = webRoot, port = 0, host = '127.0.0.1', args = [], timeoutMs = 15000 } = {}) {
  const rootAbs = path.resolve(repoRoot, root);
  const bin = funnelServePath();
  const child = spawn(bin, ['--host', host, '--port', String(port), '--root', rootAbs, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d) => { out += d; });
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`funnel-serve did not start within ${timeoutMs} ms:\n${out}`)), timeoutMs);
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/running at (http:\/\/\S+?\/)(\s|$)/);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`funnel-serve exited with ${code}:\n${out}`)); });
  });
  child.removeAllListeners('exit');
  await waitForHttp(url, timeoutMs);
  lastServerUrl = url;
  const exited = new Promise((resolve) => child.on('exit', resolve));
  return {
    url,
    output: () => out,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

// node:http rather than fetch: works whether or not node runs with --no-experimental-fetch.
async function waitForHttp(url, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await new Promise((resolve, reject) => {
        const req = http.request(url, { method: 'HEAD' }, (res) => { res.resume(); res.on('end', resolve); });
        req.on('error', reject);
        req.end();
      });
      return;
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`no answer from ${url}: ${err.message}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

// Flags checked here: headless Chromium 156 gets WebGL2 from SwiftShader through ANGLE;
// the rest keep it quiet and off the network.
// One HTTP request on a fresh connection (racing writers must really be concurrent), with the
// whole body as text: {status, headers, body}.
export function httpRequest(url, { method = 'GET', headers = {}, body } = {}) {
  const h = { ...headers };
  if (body !== undefined) h['Content-Length'] = Buffer.byteLength(body);
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers: h, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

export const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--use-gl=angle',
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-default-apps',
  '--no-first-run',
  '--disable-quic',
];

export async function launchBrowser(opts = {}) {
  const { args = [], ...rest } = opts;
  return chromium.launch({
    executablePath: process.env.FUNNEL_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [...chromiumArgs, ...args],
    ...rest,
  });
}

// Opens the app in a new page of `target` (a Browser or a BrowserContext) and waits for
// window.funnel.ready (resolved after the first frame). page.funnelErrors collects page errors
// and console errors so a test can assert there were none.
export async function openApp(target, { url = lastServerUrl, query = '?lang=en', path: urlPath = '/', viewport = { width: 1280, height: 800 }, timeoutMs = 30000 } = {}) {
  if (!url) throw new Error('openApp: no server url (call startServer first or pass {url})');
  const page = await target.newPage(target.newContext ? { viewport } : undefined);
  if (!target.newContext && viewport) await page.setViewportSize(viewport);
  const errors = [];
  const log = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    log.push(`[${m.type()}] ${m.text()}`);
    if (m.type() === 'error') errors.push(m.text());
  });
  page.funnelErrors = errors;
  page.funnelLog = log;
  await page.goto(new URL(urlPath.replace(/^\//, '') + query, url).href);
  try {
    await page.waitForFunction(() => window.funnel && window.funnel.ready, null, { timeout: timeoutMs });
    await page.evaluate(() => window.funnel.ready);
  } catch (err) {
    throw new Error(`window.funnel.ready did not resolve: ${err.message}\nconsole:\n${log.join('\n')}`);
  }
  return page;
}

// True when the pixels of a rectangle (CSS px, {x,y,w,h} or {x,y,width,height}) of the page as
// shown are not all one colour. Uses a real screenshot, so it sees what a person would see
// even when the WebGL canvas does not preserve its drawing buffer; decoded in the page.
export async function regionHasInk(page, rect) {
  const r = { x: rect.x, y: rect.y, width: rect.w ?? rect.width, height: rect.h ?? rect.height };
  const png = await page.screenshot({ clip: r });
  return page.evaluate(async (b64) => {
    const bytes = Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0));
    const bmp = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
    const off = new OffscreenCanvas(bmp.width, bmp.height);
    const ctx = off.getContext('2d');
    ctx.drawImage(bmp, 0, 0);
    const d = ctx.getImageData(0, 0, bmp.width, bmp.height).data;
    for (let i = 4; i < d.length; i += 4) {
      if (d[i] !== d[0] || d[i + 1] !== d[1] || d[i + 2] !== d[2]) return true;
    }
    return false;
  }, png.toString('base64'));
}
