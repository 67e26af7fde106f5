// CSV exports at enterprise scale (issue 18): the analytics exports are read
// a page at a time as the client reads, so every row comes (no cap at 5,000),
// the access log counts the bytes really sent, the export's own limits
// (--export-max-rows, --export-time-limit) cut it so the client notices, a
// client that goes away mid-export costs nothing, and a stop (SIGTERM) ends
// an export in progress within 10 s.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { api, login, serverPool } from './lib/server.mjs';

const server = serverPool(after);
// counting this far in SQL takes minutes: only a limit or a stop ends it
const FOREVER = 10_000_000_000;
const BULK = 6000; // more people than the old export cap of 5,000

const sql = (s, q) => execFileSync('sqlite3', ['-cmd', '.timeout 10000', join(s.dir, 'casereel.db'), q]).toString().trim();
const hook = async (s, count_to) => assert.equal((await api(s, 'POST', '/api/v1/test/export-delay', { json: { count_to } })).status, 200);

/** The JSON log lines on the server's stderr. */
const logLines = (s) => s.stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));

/** The access line of request `rid`, waiting up to 5 s for it. */
async function accessLine(s, rid) {
  for (let i = 0; i < 50; i++) {
    const hit = logLines(s).find((j) => j.msg === 'access' && j.request_id === rid);
    if (hit) return hit;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`no access line for ${rid}:\n${s.stderr.slice(-2000)}`);
}

/** GET `path` over a raw request: resolves {status, bytes, complete} once the
 *  body ended (complete) or broke off (not complete); `onData` sees each piece. */
function download(s, path, token, { rid, onData } = {}) {
  return new Promise((resolve) => {
    const headers = { authorization: `Bearer ${token}`, ...(rid ? { 'x-request-id': rid } : {}) };
    const req = http.get(`${s.url}${path}`, { headers }, (res) => {
      let bytes = 0;
      const chunks = [];
      res.on('data', (d) => { bytes += d.length; chunks.push(d); onData?.(req, bytes); });
      res.on('end', () => resolve({ status: res.statusCode, bytes, complete: res.complete, body: Buffer.concat(chunks).toString() }));
      res.on('error', () => resolve({ status: res.statusCode, bytes, complete: false }));
      res.on('aborted', () => resolve({ status: res.statusCode, bytes, complete: false }));
    });
    req.on('error', (e) => resolve({ status: 0, bytes: 0, complete: false, error: e }));
  });
}

let big, trainer;
before(async () => {
  big = await server({ accessLog: true, args: ['--log-format', 'json', '--transcode-workers', '0'] });
  trainer = await login(big, 'trainer1');
  sql(big, `INSERT INTO users(username, display_name, role, password_hash, created_at)
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${BULK})
    SELECT 'bulk' || i, printf('Bulk %05d', i), 'agent', 'x', 0 FROM n`);
});

test('the people CSV export has every active person, past the old 5,000-row cap, and its access line counts its bytes', async () => {
  const r = await api(big, 'GET', '/api/v1/analytics/users?format=csv', { token: trainer, headers: { 'x-request-id': 'csv-everyone' } });
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^text\/csv/);
  const lines = r.body.split('\r\n');
  assert.equal(lines.pop(), '', 'the last line ends with CRLF');
  assert.match(lines.shift(), /^user_id,display_name,/);
  const active = Number(sql(big, 'SELECT count(*) FROM users WHERE active'));
  assert.ok(active > 5000);
  assert.equal(lines.length, active, 'one line per active person');
  const bulk = lines.map((l) => l.split(',')[1]).filter((n) => n.startsWith('Bulk '));
  assert.equal(new Set(bulk).size, BULK, 'every bulk person once');
  assert.deepEqual([bulk[0], bulk.at(-1)], ['Bulk 00001', `Bulk ${String(BULK).padStart(5, '0')}`], 'by name');
  const line = await accessLine(big, 'csv-everyone');
  assert.equal(line.status, 200);
  assert.equal(line.bytes, Buffer.byteLength(r.body), 'the bytes streamed, not 0');
  assert.equal(line.aborted, false);
});

test('a client that goes away mid-export: the server lets go of it and goes on serving', async () => {
  await hook(big, 200_000); // every page a little slow: the export is still running when the client leaves
  try {
    const got = await download(big, '/api/v1/analytics/users?format=csv', trainer, {
      rid: 'csv-abandoned',
      onData: (req, bytes) => { if (bytes > 1000) req.destroy(); },
    });
    assert.equal(got.complete, false);
    const line = await accessLine(big, 'csv-abandoned');
    assert.equal(line.aborted, true, 'the access line says the answer was not all sent');
    assert.ok(line.bytes > 0 && line.bytes < 300_000, `some bytes went out: ${line.bytes}`);
  } finally {
    await hook(big, 0);
  }
  const again = await api(big, 'GET', '/api/v1/analytics/teams?format=csv', { token: trainer });
  assert.equal(again.status, 200);
  assert.match(again.body, /^team_id,team,/);
});

test('an export past --export-max-rows or --export-time-limit is cut so the client sees a broken download', async () => {
  const s = await server({ accessLog: true, args: ['--log-format', 'json', '--transcode-workers', '0', '--export-max-rows', '5', '--export-time-limit', '2'] });
  const token = await login(s, 'trainer1');
  const people = await download(s, '/api/v1/analytics/users?format=csv', token, { rid: 'csv-rows' });
  assert.equal(people.status, 200);
  assert.equal(people.complete, false, 'more people than --export-max-rows: the body breaks off');
  assert.ok(logLines(s).some((j) => j.level === 'warn' && /export-max-rows/.test(j.msg)), s.stderr.slice(-1500));
  // within the row limit (no clip is published): the whole export
  const clips = await download(s, '/api/v1/analytics/videos?format=csv', token);
  assert.equal(clips.complete, true);
  assert.match(clips.body, /^video_id,title,[^\r]*\r\n$/);
  await hook(s, FOREVER);
  const t0 = Date.now();
  const slow = await download(s, '/api/v1/analytics/teams?format=csv', token);
  const took = Date.now() - t0;
  assert.equal(slow.complete, false, 'past --export-time-limit: the body breaks off');
  assert.ok(took >= 1500 && took < 8000, `cut after its 2 s, not ${took} ms`);
  await hook(s, 0);
  assert.equal((await api(s, 'GET', '/api/v1/analytics/teams?format=csv', { token })).status, 200);
});

test('SIGTERM during a slow export stops the server within 10 s', async () => {
  // budgets far beyond the test: only the stop can end the export
  const s = await server({ args: ['--transcode-workers', '0', '--query-timeout-long', '600', '--export-time-limit', '0'] });
  const token = await login(s, 'trainer1');
  await hook(s, FOREVER);
  const pending = download(s, '/api/v1/analytics/users?format=csv', token);
  await new Promise((r) => setTimeout(r, 800));
  assert.equal(s.proc.exitCode, null);
  const t0 = Date.now();
  const { code, signal } = await s.stop('SIGTERM');
  const took = Date.now() - t0;
  assert.ok(took < 10_000, `stopped in ${took} ms`);
  assert.equal(code, 0, `an orderly exit (signal ${signal})\n${s.stderr.slice(-1500)}`);
  assert.equal((await pending).complete, false, 'the export was cut, not passed off as whole');
});

test('SIGTERM while a client has stopped reading an export stops the server within 10 s', async () => {
  // a long drain: without an export's own grace the stop would wait for this client
  const s = await server({ args: ['--transcode-workers', '0', '--drain-timeout', '120', '--export-time-limit', '0'] });
  const token = await login(s, 'trainer1');
  // tens of megabytes of CSV: more than the sockets on both ends can hold
  sql(s, `INSERT INTO users(username, display_name, role, password_hash, created_at)
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)
    SELECT 'wide' || i, printf('Wide %05d ', i) || hex(zeroblob(5000)), 'agent', 'x', 0 FROM n`);
  let paused = null;
  const pending = new Promise((resolve) => {
    const req = http.get(`${s.url}/api/v1/analytics/users?format=csv`, { headers: { authorization: `Bearer ${token}` } }, (res) => {
      res.once('data', () => { res.pause(); paused = res; });
      res.on('error', () => {});
      res.on('close', () => resolve(res.complete));
    });
    req.on('error', () => resolve(false));
  });
  for (let i = 0; i < 200 && !paused; i++) await new Promise((r) => setTimeout(r, 50));
  assert.ok(paused, 'the export began');
  await new Promise((r) => setTimeout(r, 1000)); // the server's socket fills up
  const t0 = Date.now();
  const { code, signal } = await s.stop('SIGTERM');
  const took = Date.now() - t0;
  assert.ok(took < 10_000, `stopped in ${took} ms`);
  assert.equal(code, 0, `an orderly exit (signal ${signal})\n${s.stderr.slice(-1500)}`);
  assert.match(s.stderr, /closing 1 request\(s\) still in flight/, 'the stalled export was still in flight');
  paused.resume(); // what the sockets held, then the cut
  assert.equal(await pending, false, 'the export was cut, not passed off as whole');
});
