// Process life: graceful stop (draining) with a request in flight, restart
// keeps data, the first admin made by the `admin create` subcommand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startServer, api, login, expectProblem, binDir } from './lib/server.mjs';

test('SIGTERM drains: /readyz says 503 at once, a request in flight finishes, new ones are still served, exit 0', async () => {
  const s = await startServer();
  assert.equal((await api(s, 'GET', '/readyz')).status, 200);
  const body = JSON.stringify({ username: 'agent1', password: 'demo1234' });
  const sock = net.connect(s.port, '127.0.0.1');
  await new Promise((r) => sock.on('connect', r));
  let reply = '';
  sock.on('data', (d) => { reply += d; });
  const closed = new Promise((r) => sock.on('close', r));
  sock.write(`POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`);
  sock.write(body.slice(0, 10));
  await sleep(300);
  s.proc.kill('SIGTERM');
  await sleep(300);
  assert.equal(s.proc.exitCode, null, 'server must wait for the request in flight');
  // a load balancer's probe, on a new connection, learns to send traffic elsewhere
  const ready = await api(s, 'GET', '/readyz');
  const problem = expectProblem(assert, ready, 503);
  assert.equal(problem.type, `${s.url}/problems/not-ready`);
  assert.match(problem.detail, /draining/);
  assert.equal(ready.headers.get('connection'), 'close', 'keep-alive clients are told to reconnect');
  // liveness stays: the process is not broken, only leaving
  assert.equal((await api(s, 'GET', '/healthz')).status, 200);
  sock.write(body.slice(10));
  const { code } = await s.exited;
  await closed;
  assert.match(reply, /^HTTP\/1\.1 200/);
  assert.match(reply, /"token":"/);
  assert.equal(code, 0);
  const refused = await new Promise((r) => {
    const c = net.connect(s.port, '127.0.0.1');
    c.on('connect', () => { c.destroy(); r(false); });
    c.on('error', () => r(true));
  });
  assert.ok(refused, 'once stopped, nothing listens');
  rmSync(s.dir, { recursive: true, force: true });
});

test('data and sessions survive a restart', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'casereel-e2e-'));
  const a = await startServer({ dataDir: dir });
  const t = await login(a, 'agent1');
  await a.stop('SIGTERM');
  const b = await startServer({ dataDir: dir });
  assert.equal((await api(b, 'GET', '/api/v1/me', { token: t })).status, 200);
  await b.dispose();
  rmSync(dir, { recursive: true, force: true });
});

test('without the demo seed there are no accounts until `admin create`', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'casereel-e2e-'));
  const bare = await startServer({ dataDir: dir, demo: false });
  expectProblem(assert, await api(bare, 'POST', '/api/v1/auth/login', { json: { username: 'admin', password: 'demo1234' } }), 401);
  await bare.stop();
  const weak = spawnSync(join(binDir, 'casereel'), ['admin', 'create', 'boss', '--data', dir], { input: 'short\n' });
  assert.notEqual(weak.status, 0);
  const made = spawnSync(join(binDir, 'casereel'), ['admin', 'create', 'boss', '--data', dir], { input: 'boss-password-1\n' });
  assert.equal(made.status, 0, String(made.stderr));
  const again = spawnSync(join(binDir, 'casereel'), ['admin', 'create', 'boss', '--data', dir], { input: 'boss-password-1\n' });
  assert.notEqual(again.status, 0, 'a taken username is refused');
  const s = await startServer({ dataDir: dir, demo: false });
  const t = await login(s, 'boss', 'boss-password-1');
  const me = await api(s, 'GET', '/api/v1/me', { token: t });
  assert.equal(me.json.role, 'admin');
  await s.dispose();
  rmSync(dir, { recursive: true, force: true });
});

test('bad configuration is refused with a clear message', () => {
  const bad = spawnSync(join(binDir, 'casereel'), ['serve', '--port', 'eighty']);
  assert.equal(bad.status, 2);
  assert.match(String(bad.stderr), /--port/);
  const tz = spawnSync(join(binDir, 'casereel'), ['serve', '--timezone', 'Mars/Olympus', '--data', mkdtempSync(join(tmpdir(), 'cr-'))]);
  assert.equal(tz.status, 2);
  assert.match(String(tz.stderr), /time zone/);
});
