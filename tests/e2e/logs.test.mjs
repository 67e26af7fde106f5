// The server's log: --log-format json gives one JSON object per stderr line
// (the transcoder child's libav messages among them, with their job and
// clip), every answer carries an X-Request-Id that its log lines repeat,
// access lines name the client and the user and cannot be forged or leak a
// media signature, and --log-level error leaves info lines out.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, api, login, binDir, expectProblem } from './lib/server.mjs';
import { makeClip } from './lib/media.mjs';
import { waitForVideo } from './lib/poll.mjs';

let s;

before(async () => {
  s = await startServer({
    accessLog: true,
    args: ['--log-format', 'json', '--trusted-proxies', '127.0.0.1/32', '--transcode-workers', '1'],
  });
});
after(() => s?.dispose());

/** Every stderr line as a JSON object; fails on a line that is not one. */
function lines(srv) {
  return srv.stderr.split('\n').filter((l) => l !== '').map((l) => {
    let j;
    try { j = JSON.parse(l); } catch { assert.fail(`not a JSON line: ${JSON.stringify(l)}`); }
    assert.equal(typeof j, 'object', l);
    assert.match(j.ts, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/, l);
    assert.ok(['debug', 'info', 'warn', 'error'].includes(j.level), l);
    assert.equal(typeof j.msg, 'string', l);
    return j;
  });
}

/** Waits (up to 5 s) until `ok()`: an access line is written after its
 *  answer is sent, and stderr may reach us after the answer does. */
async function until(ok) {
  for (let i = 0; i < 50 && !ok(); i++) await new Promise((r) => setTimeout(r, 100));
}

/** Waits for a log line `pred` accepts; returns it. */
async function logged(srv, pred, what) {
  await until(() => lines(srv).some(pred));
  const hit = lines(srv).find(pred);
  assert.ok(hit, `no log line ${what}:\n${srv.stderr.slice(-3000)}`);
  return hit;
}

const accessFor = (rid) => (j) => j.msg === 'access' && j.request_id === rid;

test('a sane X-Request-Id comes back and is on the access line', async () => {
  const r = await api(s, 'GET', '/healthz', { headers: { 'x-request-id': 'abc-123' } });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('x-request-id'), 'abc-123');
  const line = await logged(s, accessFor('abc-123'), 'for abc-123');
  assert.equal(line.level, 'info');
  assert.equal(line.method, 'GET');
  assert.equal(line.path, '/healthz');
  assert.equal(line.status, 200);
  assert.equal(line.bytes, r.body.length);
  assert.equal(typeof line.duration_us, 'number');
  assert.equal(line.client, '127.0.0.1');
  assert.equal(line.user, 0);
});

test('without one (or with one that is not sane) the server makes one, also on problems', async () => {
  const plain = await api(s, 'GET', '/healthz');
  const made = plain.headers.get('x-request-id');
  assert.match(made, /^[0-9a-f]{32}$/);
  const line = await logged(s, accessFor(made), `for ${made}`);
  assert.equal(line.path, '/healthz');
  // a 404 problem and a refused login carry their own
  const missing = await api(s, 'GET', '/api/v1/no-such-thing', { headers: { 'x-request-id': 'a b' } });
  expectProblem(assert, missing, 404);
  const replaced = missing.headers.get('x-request-id');
  assert.match(replaced, /^[0-9a-f]{32}$/);
  assert.notEqual(replaced, made);
  assert.equal((await logged(s, accessFor(replaced), 'for the 404')).status, 404);
  const long = await api(s, 'GET', '/healthz', { headers: { 'x-request-id': 'x'.repeat(129) } });
  assert.match(long.headers.get('x-request-id'), /^[0-9a-f]{32}$/);
  const max = await api(s, 'GET', '/healthz', { headers: { 'x-request-id': 'Az09._:-'.repeat(16) } });
  assert.equal(max.headers.get('x-request-id'), 'Az09._:-'.repeat(16));
  const denied = await api(s, 'POST', '/api/v1/auth/login', { json: { username: 'agent1', password: 'wrong-one' } });
  expectProblem(assert, denied, 401);
  assert.match(denied.headers.get('x-request-id'), /^[0-9a-f]{32}$/);
});

test('after login the access line has the user id and the client as the trusted proxy names it', async () => {
  const token = await login(s, 'agent2');
  const me = await api(s, 'GET', '/api/v1/me', { token, headers: { 'x-request-id': 'me-1', 'x-forwarded-for': '198.51.100.7' } });
  assert.equal(me.status, 200);
  const line = await logged(s, accessFor('me-1'), 'for me-1');
  assert.equal(line.user, me.json.id);
  assert.ok(line.user > 0);
  assert.equal(line.client, '198.51.100.7');
  assert.equal(line.path, '/api/v1/me');
  // a forbidden call is logged with who tried
  const r = await api(s, 'GET', '/api/v1/users', { token, headers: { 'x-request-id': 'me-2' } });
  expectProblem(assert, r, 403);
  const refused = await logged(s, accessFor('me-2'), 'for me-2');
  assert.deepEqual([refused.status, refused.user, refused.client], [403, me.json.id, '127.0.0.1']);
});

test('a path with a newline or control bytes cannot forge a line', async () => {
  const forged = '{"ts":"2026-01-01T00:00:00.000Z","level":"error","msg":"forged"}';
  const r = await api(s, 'GET', `/api/v1/nothing%0a${encodeURIComponent(forged)}%0d%01%1b[31m`, { headers: { 'x-request-id': 'forge-1' } });
  expectProblem(assert, r, 404);
  const line = await logged(s, accessFor('forge-1'), 'for forge-1');
  assert.ok(line.path.startsWith('/api/v1/nothing\\x0a{\\x22ts\\x22:'), line.path);
  assert.ok(line.path.endsWith('\\x0d\\x01\\x1b[31m'), line.path);
  assert.ok(!lines(s).some((j) => j.msg === 'forged'), 'a forged line');
  assert.ok(!s.stderr.includes('\x1b'), 'a raw escape byte reached the log');
});

test('a signed media URL is logged without its signature; media answers carry the request id too', async () => {
  const token = await login(s, 'agent3');
  const clip = readFileSync(makeClip('logs-ok.mp4', { seconds: 1, size: '320x240', rate: 15 }));
  const up = await api(s, 'POST', '/api/v1/videos?title=logged', { token, body: clip, headers: { 'content-type': 'video/mp4' } });
  assert.equal(up.status, 202, up.body);
  const v = await waitForVideo(s, token, up.json.id);
  assert.equal(v.status, 'pending_review', v.error);
  const sig = v.urls.mp4.match(/^\/media\/v\/\d+\/\d+\/\d+\/([^/]+)\//)[1];
  assert.ok(sig.length >= 16);
  const media = await fetch(s.url + v.urls.mp4, { headers: { 'x-request-id': 'media-1', range: 'bytes=0-99' } });
  assert.equal(media.status, 206);
  await media.arrayBuffer();
  assert.equal(media.headers.get('x-request-id'), 'media-1');
  const line = await logged(s, accessFor('media-1'), 'for media-1');
  assert.equal(line.status, 206);
  assert.equal(line.path, v.urls.mp4.replace(sig, '-'));
  // a forged signature is refused, and not logged either
  const bad = await api(s, 'GET', `/media/v/${v.id}/9999999999/SeCrEtSiGnAtUrE0123456/master.m3u8`, { headers: { 'x-request-id': 'media-2' } });
  assert.ok(bad.status >= 400);
  assert.equal(bad.headers.get('x-request-id'), 'media-2');
  assert.equal((await logged(s, accessFor('media-2'), 'for media-2')).path, `/media/v/${v.id}/9999999999/-/master.m3u8`);
  assert.ok(!s.stderr.includes(sig), 'a media signature was logged');
  assert.ok(!s.stderr.includes('SeCrEtSiGnAtUrE'), 'a media signature was logged');
});

test("the transcoder's libav warnings are JSON lines with their job and clip, never raw", async () => {
  const token = await login(s, 'agent4');
  // moov first, then cut: the demuxer and decoder complain about the lost half
  const whole = readFileSync(makeClip('logs-cut.mp4', { seconds: 2, size: '320x240', rate: 15, args: ['-movflags', '+faststart'] }));
  const up = await api(s, 'POST', '/api/v1/videos?title=cut', { token, body: whole.subarray(0, Math.floor(whole.length * 0.6)), headers: { 'content-type': 'video/mp4', 'x-request-id': 'upload-cut' } });
  assert.equal(up.status, 202, up.body);
  await waitForVideo(s, token, up.json.id);
  const clipId = up.json.id;
  await logged(s, (j) => j.clip === clipId && /^video \d+: (ready|failed)/.test(j.msg), 'for the end of the job');
  const all = lines(s); // every line, the child's included, is JSON
  const libav = all.filter((j) => j.source === 'libav' && j.clip === clipId);
  assert.ok(libav.length > 0, `no libav line for clip ${clipId}:\n${s.stderr.slice(-3000)}`);
  const started = all.find((j) => j.clip === clipId && /^transcoding video/.test(j.msg));
  assert.ok(started, 'the worker logs the job it starts');
  for (const j of libav) {
    assert.ok(['warn', 'error'].includes(j.level), JSON.stringify(j)); // nothing below warning
    assert.equal(j.job, started.job);
    assert.ok(Number.isInteger(j.job) && j.job > 0);
    assert.ok(!j.msg.endsWith('\n'));
  }
  assert.ok(libav.some((j) => /partial file|corrupt|invalid|error/i.test(j.msg)), JSON.stringify(libav));
  assert.ok(!all.some((j) => j.source === 'libav' && j.level === 'info'));
  // and the upload's own access line kept the client's id
  assert.equal((await logged(s, accessFor('upload-cut'), 'for the upload')).status, 202);
});

test('info lines are logged at the default level', () => {
  const all = lines(s);
  assert.ok(all.some((j) => j.level === 'info' && /^applied schema migration/.test(j.msg)));
  assert.ok(all.some((j) => j.level === 'info' && j.msg === 'access'));
});

test('--log-level error (or CASEREEL_LOG_LEVEL) leaves info and warn lines out', async (t) => {
  const quiet = await startServer({ accessLog: true, args: ['--log-format', 'json', '--log-level', 'error'] });
  t.after(() => quiet.dispose());
  const r = await api(quiet, 'GET', '/healthz');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('x-request-id'), /^[0-9a-f]{32}$/);
  await login(quiet, 'agent1');
  await new Promise((res) => setTimeout(res, 300)); // access lines follow the answer
  assert.deepEqual(lines(quiet).filter((j) => j.level !== 'error'), []);
  assert.match(quiet.stdout, /listening on http:\/\//); // stdout is not a log

  // an error still comes through: a start that fails at its bind
  const dir = mkdtempSync(join(tmpdir(), 'casereel-logs-'));
  try {
    const failed = spawnSync(join(binDir, 'casereel'), ['serve', '--port', '0', '--bind', '999.0.0.1', '--data', join(dir, 'd'), '--log-format', 'json'],
      { encoding: 'utf8', env: { ...process.env, CASEREEL_LOG_LEVEL: 'error' }, timeout: 30000 });
    assert.equal(failed.status, 1, failed.stderr);
    const got = failed.stderr.split('\n').filter(Boolean).map((l) => JSON.parse(l));
    assert.ok(got.some((j) => j.level === 'error' && /--bind 999\.0\.0\.1/.test(j.msg)), failed.stderr);
    assert.deepEqual(got.filter((j) => j.level !== 'error'), [], 'info lines (migrations) were written');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a bad --log-format or --log-level stops the server at start with the words it takes', () => {
  for (const [flag, value, words] of [['--log-format', 'xml', 'text or json'], ['--log-level', 'loud', 'debug, info, warn or error']]) {
    const dir = mkdtempSync(join(tmpdir(), 'casereel-logs-'));
    try {
      const r = spawnSync(join(binDir, 'casereel'), ['serve', '--port', '0', '--data', join(dir, 'd'), flag, value], { encoding: 'utf8', timeout: 30000 });
      assert.equal(r.status, 2, r.stderr);
      assert.ok(r.stderr.includes(`${flag}: expected ${words}, got '${value}'`), r.stderr);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
});

test('text lines are "ts level msg key=value"; a warning logged while serving a request carries its id', async (t) => {
  // 1 PiB kept free: more than this disk has, so every upload is refused with a warning
  const txt = await startServer({ accessLog: true, args: ['--min-free-disk', String(2 ** 50)] });
  t.after(() => txt.dispose());
  await api(txt, 'GET', '/api/v1/with%20space', { headers: { 'x-request-id': 'text-1' } });
  const re = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z info access method=GET path=\/api\/v1\/with\\x20space status=404 bytes=\d+ duration_us=\d+ client=127\.0\.0\.1 user=0 aborted=false request_id=text-1$/m;
  await until(() => re.test(txt.stderr));
  assert.match(txt.stderr, re);
  assert.match(txt.stderr, /^\S+Z info serving; data in /m);
  const token = await login(txt, 'agent1');
  const r = await api(txt, 'POST', '/api/v1/videos?title=full', { token, body: Buffer.alloc(2000), headers: { 'content-type': 'video/mp4', 'x-request-id': 'disk-1' } });
  expectProblem(assert, r, 507);
  assert.equal(r.headers.get('x-request-id'), 'disk-1');
  const warned = /^\S+Z warn media disk: \d+ bytes free, keeping \d+: upload of 2000 bytes refused request_id=disk-1$/m;
  await until(() => warned.test(txt.stderr));
  assert.match(txt.stderr, warned);
});
