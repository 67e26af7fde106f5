// The test hooks: absent (404) without --test-hooks, refused at start on an
// address other machines can reach, and with the flag they move the server's
// one clock and run maintenance and catalogue rounds on demand.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serverPool, api, login, expectProblem, binDir, seedPath, advanceClock, runMaintenance, rebuildCatalog } from './lib/server.mjs';

const server = serverPool(after);

const HOOKS = ['/api/v1/test/clock', '/api/v1/test/maintenance', '/api/v1/test/catalog'];

test('without --test-hooks the hooks do not exist', async () => {
  const s = await server({ testHooks: false });
  for (const path of HOOKS) {
    expectProblem(assert, await api(s, 'POST', path, { json: { advance_seconds: 60 } }), 404);
    expectProblem(assert, await api(s, 'GET', path), 404);
  }
  const admin = await login(s, 'admin');
  expectProblem(assert, await api(s, 'POST', HOOKS[0], { token: admin, json: { advance_seconds: 60 } }), 404);
});

/** Runs `casereel serve` to its exit (it must not start); returns {status, stderr}. */
function serveOnce(args, env = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'casereel-e2e-'));
  try {
    const r = spawnSync(join(binDir, 'casereel'), ['serve', '--port', '0', '--data', dir, '--seed', seedPath, ...args],
      { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 15000 });
    return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('--test-hooks is refused unless the server binds a loopback address', () => {
  for (const [args, env] of [
    [['--test-hooks', '--bind', '0.0.0.0'], {}],
    [['--bind', '0.0.0.0'], { CASEREEL_TEST_HOOKS: '1' }],
    [['--test-hooks', '--bind', '::'], {}],
    [['--test-hooks'], { CASEREEL_BIND: '192.0.2.10' }],
  ]) {
    const r = serveOnce(args, env);
    assert.notEqual(r.status, 0, `started with ${args.join(' ')} ${JSON.stringify(env)}`);
    assert.equal(r.signal, null);
    assert.doesNotMatch(r.stdout, /listening/);
    assert.match(r.stderr, /--test-hooks is for tests only and needs a loopback --bind/);
  }
});

test('the clock moves for every reader: a token expires when the clock passes its lifetime', async () => {
  const s = await server({ args: ['--token-ttl', '3600'] });
  const t = await login(s, 'agent1');
  const bad = expectProblem(assert, await api(s, 'POST', '/api/v1/test/clock', { json: { advance_seconds: 'soon' } }), 422);
  assert.equal(bad.field, 'advance_seconds');
  expectProblem(assert, await api(s, 'POST', '/api/v1/test/clock', { json: { advance_seconds: 1, set: 1 } }), 422);
  expectProblem(assert, await api(s, 'POST', '/api/v1/test/clock', { json: {} }), 422);
  // a minute short of the lifetime, then a minute past it: room for a slow machine's real seconds
  const before = Date.now() / 1000;
  const moved = await advanceClock(s, 3540);
  assert.ok(moved.now >= Math.floor(before) + 3540 && moved.now < before + 3540 + 60, JSON.stringify(moved));
  assert.equal((await api(s, 'GET', '/api/v1/me', { token: t })).status, 200);
  await advanceClock(s, 120);
  expectProblem(assert, await api(s, 'GET', '/api/v1/me', { token: t }), 401);
  // set puts the clock at an epoch: back to the real time, the token is valid again
  const back = await api(s, 'POST', '/api/v1/test/clock', { json: { set: Math.floor(Date.now() / 1000) } });
  assert.equal(back.status, 200, back.body);
  assert.ok(Math.abs(back.json.offset_ms) < 5000);
  assert.equal((await api(s, 'GET', '/api/v1/me', { token: t })).status, 200);
});

test('maintenance and catalogue rounds run on demand and answer when done', async () => {
  const s = await server({ args: ['--transcode-workers', '0', '--idempotency-ttl', '60'] });
  const t = await login(s, 'agent2');
  const key = 'clock-test-key-0001';
  const checkin = () => api(s, 'POST', '/api/v1/me/checkin', { token: t, headers: { 'idempotency-key': key } });
  assert.equal((await checkin()).status, 201);
  await runMaintenance(s);
  assert.equal((await checkin()).headers.get('idempotent-replayed'), 'true', 'the key is remembered within its ttl');
  await advanceClock(s, 61);
  await runMaintenance(s);
  assert.match(s.stderr, /forgot 1 idempotency key/);
  expectProblem(assert, await checkin(), 409); // a new check-in now, and today's is done
  await rebuildCatalog(s);
});
