// Drives the native sync client `funnel-sync` (one process per action list) for the sync
// integration tests and benchmarks:
//   funnel-sync --store DIR --url URL [--token T | --user NAME:PASSWORD] [--replica HEX16]
//               [--skew-ms N] [--timeout-ms N] [--max-attempts N] [--seed N] ACTION...
//   ACTION: command '<json>' | sync | dump | conflicts
//   sync exit codes: 0 synced and confirmed, 3 gave up, 4 remote refused as bad, 1 other;
//   one JSON line {"ok","attempts","in","out","etag","error"}.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { repoRoot, buildPrefix } from './harness.mjs';

function findIn(dir, name, depth = 4) {
  if (depth < 0 || !existsSync(dir)) return null;
  for (const e of readdirSync(dir)) {
    const p = path.join(dir, e);
    if (e === name && statSync(p).isFile()) return p;
  }
  for (const e of readdirSync(dir)) {
    const p = path.join(dir, e);
    if (statSync(p).isDirectory() && !e.startsWith('CMakeFiles')) {
      const found = findIn(p, name, depth - 1);
      if (found) return found;
    }
  }
  return null;
}

let cached;
// The funnel-sync binary: FUNNEL_SYNC, or the one in the native build tree; null when not built.
export function funnelSyncPath() {
  if (cached !== undefined) return cached;
  if (process.env.FUNNEL_SYNC) return (cached = process.env.FUNNEL_SYNC);
  cached = findIn(path.resolve(repoRoot, `${buildPrefix}native/app`), 'funnel-sync');
  return cached;
}

// Runs funnel-sync once. opts: {store, url, token, user, replica, skewMs, timeoutMs, maxAttempts,
// seed}; actions: ['sync'] or ['command', json] …  Resolves {code, stdout, stderr, lines}.
export function runFunnelSync(opts, actions, { timeoutMs = 120000 } = {}) {
  const bin = funnelSyncPath();
  if (!bin) throw new Error('funnel-sync not found: scripts/build native');
  const args = ['--store', opts.store, '--url', opts.url];
  if (opts.token) args.push('--token', opts.token);
  if (opts.user) args.push('--user', opts.user);
  if (opts.replica) args.push('--replica', opts.replica);
  if (opts.skewMs !== undefined) args.push('--skew-ms', String(opts.skewMs));
  if (opts.timeoutMs !== undefined) args.push('--timeout-ms', String(opts.timeoutMs));
  if (opts.maxAttempts !== undefined) args.push('--max-attempts', String(opts.maxAttempts));
  if (opts.seed !== undefined) args.push('--seed', String(opts.seed));
  for (const a of actions) args.push(typeof a === 'string' ? a : JSON.stringify(a));
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => { child.kill('SIGKILL'); }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: signal ? `signal ${signal}` : code, stdout, stderr, lines: stdout.split('\n').filter(Boolean) });
    });
  });
}

// One replica: a local store folder plus the options every call shares.
export class Replica {
  constructor(name, opts) {
    this.name = name;
    this.opts = opts;
  }

  run(actions, extra = {}) { return runFunnelSync({ ...this.opts, ...extra }, actions); }

  async command(cmd) {
    const r = await this.run(['command', JSON.stringify(cmd)]);
    if (r.code !== 0) throw new Error(`${this.name}: command ${JSON.stringify(cmd)} failed (${r.code}): ${r.stderr}${r.stdout}`);
    return r;
  }

  // {code, report: the JSON line, …}
  async sync(extra = {}) {
    const r = await this.run(['sync'], extra);
    const line = r.lines.reverse().find((l) => l.startsWith('{'));
    let report = null;
    try { report = line ? JSON.parse(line) : null; } catch { report = null; }
    return { ...r, report };
  }

  async dump() {
    const r = await this.run(['dump']);
    if (r.code !== 0) throw new Error(`${this.name}: dump failed (${r.code}): ${r.stderr}`);
    return r.stdout;
  }

  async conflicts() {
    const r = await this.run(['conflicts']);
    if (r.code !== 0) throw new Error(`${this.name}: conflicts failed (${r.code}): ${r.stderr}`);
    return JSON.parse(r.stdout);
  }
}
