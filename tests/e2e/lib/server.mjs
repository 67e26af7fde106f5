// Starts the real casereel binary on an ephemeral port with its own data
// directory, and offers small helpers to drive it over HTTP.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkAnswer } from './openapi.mjs';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, '../../..');
export const binDir = process.env.CASEREEL_BIN || join(repoRoot, 'bin');
export const seedPath = join(repoRoot, 'seeds/demo.json');

/** Starts `casereel serve` and resolves once it prints its port. With
 *  `demo`, `clips` demo clips are made in the background after that (the
 *  server answers at once): await waitForDemo (lib/poll.mjs) before relying
 *  on them. The server has its test hooks (advanceClock, runMaintenance,
 *  rebuildCatalog) unless `testHooks` is false. The access log is off unless `accessLog`
 *  or CASEREEL_ACCESS_LOG is set. */
export async function startServer({ demo = true, clips = 0, agents = 0, args = [], env = {}, dataDir, testHooks = true, accessLog = false } = {}) {
  const dir = dataDir || mkdtempSync(join(tmpdir(), 'casereel-e2e-'));
  const argv = ['serve', '--port', '0', '--data', dir, '--seed', seedPath, '--web', join(repoRoot, 'build/web'), ...(process.env.CASEREEL_ACCESS_LOG || accessLog ? [] : ['--access-log', '0']), ...(testHooks ? ['--test-hooks'] : []), ...args];
  if (demo) argv.push('--demo', '--demo-clips', String(clips), '--demo-agents', String(agents));
  const proc = spawn(join(binDir, 'casereel'), argv, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  const exited = new Promise((res) => proc.on('exit', (code, signal) => res({ code, signal })));
  let scheme = 'http';
  const port = await new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`server did not start:\n${stderr}`)), 20000);
    proc.stdout.on('data', (d) => {
      stdout += d;
      const m = stdout.match(/listening on (https?):\/\/[^:]+:(\d+)/);
      if (m) { clearTimeout(timer); scheme = m[1]; res(Number(m[2])); }
    });
    exited.then(({ code }) => { clearTimeout(timer); rej(new Error(`server exited ${code}:\n${stderr}`)); });
  });
  const server = {
    port, dir, proc, exited,
    url: `${scheme}://127.0.0.1:${port}`, // https with --tls-cert/--tls-key
    get stderr() { return stderr; },
    get stdout() { return stdout; },
    /** Sends `signal` and waits for the process to end. */
    async stop(signal = 'SIGTERM') {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      return exited;
    },
    /** Stops the server gracefully (SIGKILL after 10 s), removes its data
     *  directory, and fails if a sanitizer reported anything. */
    async dispose() {
      const timer = setTimeout(() => proc.kill('SIGKILL'), 10000);
      const { code, signal } = await server.stop('SIGTERM');
      clearTimeout(timer);
      if (!dataDir) rmSync(dir, { recursive: true, force: true });
      assertNoSanitizerReport(stderr);
      // a SIGTERM must be caught and end in an orderly exit, not kill the process
      if (signal === 'SIGTERM' || (signal === null && code !== 0))
        throw new Error(`server did not stop cleanly (code ${code}, signal ${signal})\n${stderr.slice(-2000)}`);
    },
  };
  return server;
}

/** Throws when a sanitizer (ASan, LSan, UBSan) reported on `stderr`. */
export function assertNoSanitizerReport(stderr) {
  // ThreadSanitizer reports a race as a WARNING (and with halt_on_error=1 then exits)
  const m = stderr.match(/(ERROR: \w+Sanitizer|WARNING: ThreadSanitizer|runtime error:)[^\n]*/);
  if (m) throw new Error(`sanitizer report from the server: ${m[0]}\n${stderr.slice(-4000)}`);
}

/** One HTTP call; returns {status, headers, body, json}. Throws when the
 *  answer does not match docs/openapi.yaml (lib/openapi.mjs). */
export async function api(server, method, path, { token, json, body, headers = {} } = {}) {
  const h = { ...headers };
  if (token) h.authorization = `Bearer ${token}`;
  let payload = body;
  if (json !== undefined) {
    payload = JSON.stringify(json);
    h['content-type'] ??= 'application/json';
  }
  const res = await fetch(server.url + path, { method, headers: h, body: payload });
  const text = await res.text();
  let parsed;
  try { parsed = text ? JSON.parse(text) : undefined; } catch { parsed = undefined; }
  // every answer is held against docs/openapi.yaml (the test hooks are not in it)
  if (!path.startsWith('/api/v1/test/'))
    checkAnswer(repoRoot, method, path, res.status, res.headers.get('content-type'), parsed, h);
  return { status: res.status, headers: res.headers, body: text, json: parsed };
}

/** Calls a test hook; throws unless it answers 200; returns its JSON. */
async function hook(server, path, json) {
  const r = await api(server, 'POST', `/api/v1/test/${path}`, { json });
  if (r.status !== 200) throw new Error(`test hook ${path}: ${r.status} ${r.body}`);
  return r.json;
}

/** Moves the server's clock on by `seconds` (fractions allowed) instead of
 *  waiting for them to pass; resolves with {now, now_ms, offset_ms}. */
export const advanceClock = (server, seconds) => hook(server, 'clock', { advance_seconds: seconds });

/** Runs one maintenance round (expiry sweeps, media janitor) now; resolves
 *  when it is done. */
export const runMaintenance = (server) => hook(server, 'maintenance');

/** Rebuilds the feed catalogue now (fresh counters for the ranker);
 *  resolves when it is done. */
export const rebuildCatalog = (server) => hook(server, 'catalog');

/** Logs in and returns the bearer token (throws on failure). */
export async function login(server, username, password = 'demo1234') {
  const r = await api(server, 'POST', '/api/v1/auth/login', { json: { username, password } });
  if (r.status !== 200) throw new Error(`login ${username}: ${r.status} ${r.body}`);
  return r.json.token;
}

/** The slug of problem `p`'s type, after checking the type is absolute:
 *  "<public url>/problems/<slug>" (the public URL defaults to the address
 *  the server listens on). */
export function problemSlug(p) {
  const m = /^https?:\/\/[^/]+(?:\/[^?#]*)?\/problems\/([a-z0-9-]+)$/.exec(p?.type ?? '');
  if (!m) throw new Error(`problem type ${JSON.stringify(p?.type)} is not <public url>/problems/<slug>`);
  return m[1];
}

/** Asserts `r` is an RFC 9457 problem with `status`; returns its body. */
export function expectProblem(assert, r, status) {
  assert.equal(r.status, status, `expected ${status}, got ${r.status}: ${r.body}`);
  assert.match(r.headers.get('content-type') || '', /^application\/problem\+json/);
  for (const k of ['type', 'title', 'status', 'detail']) assert.ok(k in r.json, `problem lacks ${k}`);
  assert.equal(r.json.status, status);
  return r.json;
}

/** A test file's own servers: `const server = serverPool(after)`, then
 *  `await server(opts)` starts one (startServer's options) that is disposed
 *  when the file's tests are done. */
export function serverPool(after) {
  const servers = [];
  after(() => Promise.all(servers.map((s) => s.dispose())));
  return async (opts) => {
    const s = await startServer(opts);
    servers.push(s);
    return s;
  };
}

/** Runs `casereel args...` to its end; resolves with {code, stdout, stderr}. */
export function runCasereel(args) {
  return new Promise((resolve) => {
    const p = spawn(join(binDir, 'casereel'), args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    p.stdout.on('data', (d) => { stdout += d; });
    p.stderr.on('data', (d) => { stderr += d; });
    p.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Process ids whose parent is `pid` (from /proc, as ps would). */
export function childrenOf(pid) {
  return readdirSync('/proc').filter((d) => /^\d+$/.test(d)).filter((d) => {
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid;
    } catch { return false; } // gone meanwhile
  }).map(Number);
}

/** Waits for a transcoder process of server `s` that is not in `seen`; adds it. */
export async function newTranscoder(s, seen) {
  const until = Date.now() + 30000;
  for (;;) {
    const pid = childrenOf(s.proc.pid).find((p) => !seen.has(p));
    if (pid) { seen.add(pid); return pid; }
    if (Date.now() > until) throw new Error('no transcoder process started');
    await new Promise((res) => setTimeout(res, 20));
  }
}
