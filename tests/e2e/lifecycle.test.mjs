// Starting, running and stopping, as an operator meets them: the server runs
// from any working directory (it finds its seed and web client next to the
// executable), a start that fails leaves no half-made data directory
// behind, while one that was there before is never touched; one process at a
// time owns a data directory; /readyz tells a load balancer when to send
// traffic; a stop drains within --drain-timeout and a cut-off upload keeps
// its bytes, and a second stop signal ends the drain at once; a demo start
// answers while its clips are made.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, runCasereel, api, login, expectProblem, binDir } from './lib/server.mjs';
import { waitForDemo, waitForFeed } from './lib/poll.mjs';

/** Runs `casereel serve args` from `cwd` until it prints its port (then
 *  resolves {port, proc}) or exits (then resolves {code, stderr}). */
function serve(args, cwd) {
  return new Promise((resolve) => {
    const proc = spawn(join(binDir, 'casereel'), ['serve', '--port', '0', '--access-log', '0', ...args],
      { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', stderr = '';
    proc.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on http:\/\/[^:]+:(\d+)/);
      if (m) resolve({ port: Number(m[1]), proc });
    });
    proc.stderr.on('data', (d) => { stderr += d; });
    proc.on('exit', (code) => resolve({ code, stderr }));
  });
}

test('the server starts from any working directory and finds its seed and web client', async () => {
  const elsewhere = mkdtempSync(join(tmpdir(), 'casereel-cwd-'));
  try {
    const s = await serve(['--data', 'data', '--demo', '--demo-clips', '0', '--demo-agents', '0'], elsewhere);
    assert.ok(s.port, `it started: ${s.stderr}`);
    try {
      const url = `http://127.0.0.1:${s.port}`;
      const page = await fetch(`${url}/`);
      assert.equal(page.status, 200);
      assert.match(page.headers.get('content-type'), /text\/html/);
      const login = await fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'agent1', password: 'demo1234' }) });
      assert.equal(login.status, 200, 'the demo seed was found and loaded');
      assert.ok(existsSync(join(elsewhere, 'data', 'casereel.db')), '--data is taken from the working directory');
    } finally {
      s.proc.kill('SIGTERM');
      await new Promise((r) => s.proc.on('exit', r));
    }
  } finally {
    rmSync(elsewhere, { recursive: true, force: true });
  }
});

test('a failed start removes the data directory it made, and never one that was there', async () => {
  const holder = await startServer({ demo: false, args: ['--transcode-workers', '0'] });
  const parent = mkdtempSync(join(tmpdir(), 'casereel-failed-'));
  try {
    // the port is taken: the database was made and seeded before the listen failed
    const fresh = join(parent, 'new');
    const taken = await serve(['--data', fresh, '--demo', '--demo-clips', '0', '--port', String(holder.port)]);
    assert.equal(taken.code, 1);
    assert.match(taken.stderr, /removed .*new, which this failed start had made/);
    assert.equal(existsSync(fresh), false);
    // a seed that is not there
    const noSeed = await serve(['--data', fresh, '--demo', '--seed', join(parent, 'missing.json')]);
    assert.equal(noSeed.code, 1);
    assert.equal(existsSync(fresh), false);
    // an unknown time zone is refused before anything is made
    const zone = await serve(['--data', fresh, '--timezone', 'Mars/Olympus']);
    assert.equal(zone.code, 2);
    assert.equal(existsSync(fresh), false);
    // an existing data directory stays, whatever happens
    const again = await serve(['--data', holder.dir, '--port', String(holder.port)]);
    assert.equal(again.code, 1);
    assert.ok(readdirSync(holder.dir).includes('casereel.db'));
    assert.equal((await api(holder, 'GET', '/healthz')).status, 200);
  } finally {
    rmSync(parent, { recursive: true, force: true });
    await holder.dispose();
  }
});

const casereel = runCasereel;

/** Waits until the server counts `n` requests in flight besides the
 *  scrape that asks. */
async function inFlight(s, n) {
  for (let i = 0; ; i++) {
    const m = await api(s, 'GET', '/metrics');
    if (Number((m.body.match(/^casereel_http_requests_in_flight (\d+)$/m) || [])[1]) >= n + 1) return;
    assert.ok(i < 200, `never ${n} request(s) in flight`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Sends `head` and the first part of a body on a raw connection and leaves
 *  it there; resolves {sock, reply(), closed}. */
async function stuckRequest(port, head, partial) {
  const sock = net.connect(port, '127.0.0.1');
  await new Promise((r) => sock.on('connect', r));
  let reply = '';
  sock.on('data', (d) => { reply += d; });
  sock.on('error', () => {});
  const closed = new Promise((r) => sock.on('close', r));
  sock.write(head);
  sock.write(partial);
  return { sock, reply: () => reply, closed };
}

test('/readyz: 200 when the server can take traffic, 503 naming the check when the media disk is too full', async () => {
  const s = await startServer({ demo: false, args: ['--transcode-workers', '0'] });
  const full = await startServer({ demo: false, args: ['--transcode-workers', '0', '--min-free-disk', String(2 ** 50)] });
  try {
    const ok = await api(s, 'GET', '/readyz');
    assert.equal(ok.status, 200, ok.body);
    assert.equal(ok.json.status, 'ready');
    const p = expectProblem(assert, await api(full, 'GET', '/readyz'), 503);
    assert.equal(p.type, `${full.url}/problems/not-ready`);
    assert.match(p.detail, /media disk has \d+ bytes free, not above --min-free-disk 1125899906842624/);
    assert.doesNotMatch(p.detail, /draining|database/);
    // liveness is another question: the process is fine
    assert.equal((await api(full, 'GET', '/healthz')).status, 200);
  } finally {
    await Promise.all([s.dispose(), full.dispose()]);
  }
});

test('--drain-timeout: a stop closes a stuck request once the drain time is up, and exits 0', async () => {
  const s = await startServer({ demo: true, args: ['--drain-timeout', '1', '--transcode-workers', '0'] });
  const body = JSON.stringify({ username: 'agent1', password: 'demo1234' });
  const stuck = await stuckRequest(s.port, `POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`, body.slice(0, 5));
  await inFlight(s, 1);
  const t0 = Date.now();
  s.proc.kill('SIGTERM');
  const { code } = await s.exited;
  const seconds = (Date.now() - t0) / 1000;
  await stuck.closed;
  assert.equal(code, 0);
  assert.ok(seconds >= 0.9 && seconds < 8, `stopped after ${seconds} s with a 1 s drain timeout`);
  assert.equal(stuck.reply(), '', 'the stuck request got no answer: it was cut off');
  assert.match(s.stderr, /drain timeout: closing 1 request\(s\) still in flight/);
  rmSync(s.dir, { recursive: true, force: true });
});

/** Starts a 200,000-byte tus upload as agent1 and sends 60,000 bytes of
 *  `fill` in a PATCH that then stalls; resolves once the server's own count
 *  says those bytes are on its disk. */
async function uploadHeldMidway(s, fill) {
  const token = await login(s, 'agent1');
  const tus = { 'Tus-Resumable': '1.0.0' };
  const made = await api(s, 'POST', '/api/v1/uploads', { token, headers: { ...tus, 'Upload-Length': '200000' } });
  assert.equal(made.status, 201, made.body);
  const where = made.headers.get('location');
  const sent = Buffer.alloc(60000, fill);
  const stuck = await stuckRequest(s.port, `PATCH ${where} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nTus-Resumable: 1.0.0\r\nUpload-Offset: 0\r\nContent-Type: application/offset+octet-stream\r\nContent-Length: 200000\r\n\r\n`, sent);
  for (let i = 0; ; i++) {
    const m = await api(s, 'GET', '/metrics');
    if (Number((m.body.match(/^casereel_upload_received_bytes_total (\d+)$/m) || [])[1]) >= sent.length) break;
    assert.ok(i < 200, 'the bytes never arrived');
    await new Promise((r) => setTimeout(r, 25));
  }
  return { token, tus, where, sent, stuck };
}

test('an upload cut off by the drain timeout keeps the bytes it had: the client resumes from there', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'casereel-drain-'));
  const args = ['--drain-timeout', '1', '--transcode-workers', '0'];
  try {
    const s = await startServer({ dataDir: dir, args });
    const { token, tus, where, sent, stuck } = await uploadHeldMidway(s, 7);
    s.proc.kill('SIGTERM');
    assert.equal((await s.exited).code, 0);
    await stuck.closed;
    const again = await startServer({ dataDir: dir, args });
    try {
      const head = await api(again, 'HEAD', where, { token, headers: tus });
      assert.equal(head.status, 200);
      assert.equal(head.headers.get('upload-offset'), String(sent.length));
    } finally {
      await again.dispose();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a second stop signal cuts the drain short: exit 0 at once, the cut upload keeps its bytes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'casereel-twice-'));
  const args = ['--drain-timeout', '30', '--transcode-workers', '0'];
  try {
    const s = await startServer({ dataDir: dir, args });
    const { token, tus, where, sent, stuck } = await uploadHeldMidway(s, 9);
    s.proc.kill('SIGTERM');
    // the first signal drains: the stuck upload holds the server up
    for (let i = 0; !/draining/.test(s.stderr); i++) {
      assert.ok(i < 200, 'the first signal never started the drain');
      await new Promise((r) => setTimeout(r, 25));
    }
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(s.proc.exitCode, null, 'one signal waits for the request in flight');
    const t0 = Date.now();
    s.proc.kill('SIGTERM');
    const { code } = await s.exited;
    const seconds = (Date.now() - t0) / 1000;
    await stuck.closed;
    assert.equal(code, 0);
    assert.ok(seconds < 1.5, `stopped ${seconds} s after the second signal (drain timeout 30 s)`);
    assert.match(s.stderr, /signal 15 again: cutting the drain short/);
    assert.match(s.stderr, /drain cut short: closing 1 request\(s\) still in flight/);
    assert.equal(stuck.reply(), '', 'the cut upload got no answer');
    const again = await startServer({ dataDir: dir, args });
    try {
      const head = await api(again, 'HEAD', where, { token, headers: tus });
      assert.equal(head.status, 200);
      assert.equal(head.headers.get('upload-offset'), String(sent.length));
    } finally {
      await again.dispose();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('one server per data directory: a second is refused at start, and restore refuses it while served', async () => {
  const holder = await startServer({ args: ['--transcode-workers', '0'] });
  const work = mkdtempSync(join(tmpdir(), 'casereel-lock-'));
  try {
    const before = readdirSync(holder.dir).sort();
    const second = await serve(['--data', holder.dir, '--demo', '--demo-clips', '0']);
    assert.equal(second.code, 1);
    assert.match(second.stderr, new RegExp(`${holder.dir} is in use by another casereel process \\(pid ${holder.proc.pid}\\)`));
    assert.doesNotMatch(second.stderr, /removed/);
    assert.deepEqual(readdirSync(holder.dir).sort(), before, 'the refused start touched nothing');
    assert.equal((await api(holder, 'GET', '/readyz')).status, 200, 'the first server serves on');

    // an online backup is fine; restoring it over the served directory is not
    const dest = join(work, 'backup');
    const backup = await casereel(['backup', dest, '--data', holder.dir]);
    assert.equal(backup.code, 0, backup.stderr);
    const restore = await casereel(['restore', dest, '--data', holder.dir]);
    assert.equal(restore.code, 2);
    assert.match(restore.stderr, new RegExp(`a casereel server is running on ${holder.dir}`));
    assert.equal((await login(holder, 'agent1')).length > 0, true);

    // once it stops, the directory is free again (its database still blocks a restore)
    await holder.stop();
    const later = await casereel(['restore', dest, '--data', holder.dir]);
    assert.equal(later.code, 2);
    assert.match(later.stderr, /already holds a database/);
    const next = await startServer({ dataDir: holder.dir, demo: false, args: ['--transcode-workers', '0'] });
    await next.dispose();
  } finally {
    await holder.dispose();
    rmSync(work, { recursive: true, force: true });
  }
});

test('a demo start answers at once and its clips fill the feed as they are published', async () => {
  const s = await startServer({ clips: 2, args: ['--transcode-workers', '1'] });
  try {
    const health = await api(s, 'GET', '/healthz');
    assert.equal(health.status, 200);
    assert.equal(health.json.demo.ready, false);
    assert.equal(health.json.demo.clips_planned, 2);
    const page = await fetch(`${s.url}/`);
    assert.equal(page.status, 200, 'the web client answers');
    const token = await login(s, 'agent3'); // who made neither demo clip (nobody is shown their own)
    const feed = await api(s, 'GET', '/api/v1/feed?limit=10', { token });
    assert.equal(feed.status, 200);
    const still = await api(s, 'GET', '/healthz');
    assert.equal(still.json.demo.clips_published, 0, 'all of that came before a clip was published');
    assert.equal(feed.json.items.length, 0);
    const items = await waitForFeed(s, token, 2);
    assert.equal(items.length, 2);
    for (const it of items) assert.ok(it.urls?.hls && it.duration > 0);
    const demo = await waitForDemo(s);
    assert.deepEqual(demo, { clips_planned: 2, clips_published: 2, ready: true });
    assert.match(s.stderr, /demo: making up to 2 clips in the background/);
  } finally {
    await s.dispose();
  }
});
