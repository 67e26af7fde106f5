// The media janitor, as an operator sees the disk: the files of failed and
// removed clips go, orphans older than an hour go, and nothing that is still
// used or lies outside the media root is touched. The tests run maintenance
// rounds through the test hook (and move the clock) instead of waiting for
// --maintenance-interval.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startServer, api, login, expectProblem, advanceClock, runMaintenance } from './lib/server.mjs';
import { makeClip } from './lib/media.mjs';
import { waitForVideo } from './lib/poll.mjs';

const HOURS_AGO = (h) => new Date(Date.now() - h * 3600_000);

const servers = [];
async function server({ args = [], env = {}, ...opts } = {}) {
  const s = await startServer({ ...opts, args, env });
  servers.push(s);
  return s;
}
after(() => Promise.all(servers.map((s) => s.dispose())));

const sql = (s, q) => {
  try {
    return execFileSync('sqlite3', ['-cmd', '.timeout 10000', join(s.dir, 'casereel.db'), q], { stdio: ['ignore', 'pipe', 'pipe'] }).toString().trim();
  } catch (e) {
    throw new Error(`sqlite3: ${e.stderr}`);
  }
};

/** Polls `ok()` for up to `ms`; resolves whether it became true. */
async function until(ok, ms = 10000) {
  for (const end = Date.now() + ms; ; await sleep(100)) {
    if (ok()) return true;
    if (Date.now() > end) return false;
  }
}

const clip = () => readFileSync(makeClip('janitor.mp4', { seconds: 2, size: '360x640' }));
async function postClip(s, token, title, body, type = 'video/mp4') {
  const r = await api(s, 'POST', `/api/v1/videos?title=${title}`, { token, body, headers: { 'content-type': type } });
  assert.equal(r.status, 202, r.body);
  return r.json.id;
}
/** The clip's source file, found through the upload that made it. */
const sourceFile = (s, id) => join(s.dir, 'media/incoming', sql(s, `SELECT id FROM uploads WHERE video_id = ${Number(id)}`));
const outputDir = (s, id) => join(s.dir, 'media/v', String(id));
const outputFile = (s, id, name) => join(outputDir(s, id), '1', name); // media version 1
const hex32 = () => randomBytes(16).toString('hex');

test('a failed clip loses its source file but still reads failed with its error', async () => {
  // staged without workers so the source is seen on disk before anything can fail
  const first = await server({ args: ['--transcode-workers', '0'] });
  const t = await login(first, 'agent1');
  const id = await postClip(first, t, 'notes', 'just some notes\n'.repeat(100), 'application/octet-stream');
  const src = sourceFile(first, id);
  assert.ok(existsSync(src), 'the upload is on disk');
  await first.stop();

  const s = await server({ dataDir: first.dir, args: ['--transcode-workers', '1'] });
  const failed = await waitForVideo(s, t, id);
  assert.equal(failed.status, 'failed');
  await runMaintenance(s);
  assert.ok(!existsSync(src), `the failed clip's source is still on disk: ${src}`);
  const v = (await api(s, 'GET', `/api/v1/videos/${id}`, { token: t })).json;
  assert.equal(v.status, 'failed');
  assert.equal(v.error_code, 'not-a-video');
  assert.equal(v.error, failed.error);
  // the database knows the source is gone, so nothing will try to read it again
  assert.equal(sql(s, `SELECT source_path IS NULL AND media_purged_at IS NOT NULL FROM videos WHERE id = ${id}`), '1');
});

test('a removed clip loses its source and its output; a published clip keeps both', async () => {
  const s = await server({ args: ['--transcode-workers', '1'] });
  const t = await login(s, 'agent2');
  const trainer = await login(s, 'trainer1');
  const body = clip();
  const [gone, kept] = await Promise.all([postClip(s, t, 'regretted', body), postClip(s, t, 'keeper', body)]);
  const [goneV, keptV] = await Promise.all([waitForVideo(s, t, gone), waitForVideo(s, t, kept)]);
  for (const v of [goneV, keptV]) assert.equal(v.status, 'pending_review', v.error);
  assert.equal((await api(s, 'POST', `/api/v1/videos/${kept}/review`, { token: trainer, json: { decision: 'approve' } })).status, 200);
  const goneFiles = [sourceFile(s, gone), outputFile(s, gone, '720p.mp4')];
  const keptFiles = [sourceFile(s, kept), outputFile(s, kept, '720p.mp4'), outputFile(s, kept, 'master.m3u8')];
  for (const f of [...goneFiles, ...keptFiles]) assert.ok(existsSync(f), `${f} should exist before the removal`);

  assert.equal((await api(s, 'DELETE', `/api/v1/videos/${gone}`, { token: t })).status, 204);
  await runMaintenance(s);
  assert.ok(goneFiles.every((f) => !existsSync(f)), `files of the removed clip remain: ${goneFiles.filter(existsSync)}`);
  assert.ok(!existsSync(outputDir(s, gone)), 'the removed clip\'s output directory remains');
  expectProblem(assert, await api(s, 'GET', goneV.urls.mp4), 404);
  assert.equal(sql(s, `SELECT source_path IS NULL FROM videos WHERE id = ${gone}`), '1');

  await runMaintenance(s); // more rounds go by: the published clip is left alone
  await runMaintenance(s);
  for (const f of keptFiles) assert.ok(existsSync(f), `${f} of a published clip was deleted`);
  assert.equal((await api(s, 'GET', keptV.urls.mp4, { headers: { range: 'bytes=0-0' } })).status, 206);
});

test('a clip removed while a worker transcodes it: the transcode is left alone, then its files go', async () => {
  const s = await server({ args: ['--transcode-workers', '1'] });
  const t = await login(s, 'agent3');
  const long = readFileSync(makeClip('janitor-long.mp4', { seconds: 10 }));
  const id = await postClip(s, t, 'long', long);
  const src = sourceFile(s, id);
  await waitForVideo(s, t, id, { done: (v) => v.progress > 0 || v.status !== 'processing' });
  assert.equal((await api(s, 'DELETE', `/api/v1/videos/${id}`, { token: t })).status, 204);
  assert.equal(sql(s, `SELECT state FROM jobs WHERE video_id = ${id}`), 'running', 'the removal should land mid-transcode');
  // rounds pass while the worker writes into v/<id>.tmp; it must finish undisturbed
  let ended = false;
  for (const end = Date.now() + 60000; !ended && Date.now() < end; await sleep(100)) {
    await runMaintenance(s);
    ended = new RegExp(`video ${id}: (ready|failed)`).test(s.stderr);
  }
  assert.ok(ended, 'the transcode did not end');
  assert.match(s.stderr, new RegExp(`video ${id}: ready`), 'the janitor broke a running transcode');
  // the job's row leaves 'running' when the worker is done with the files
  assert.ok(await until(() => sql(s, `SELECT state FROM jobs WHERE video_id = ${id}`) !== 'running'), 'the job is still running');
  await runMaintenance(s);
  assert.ok(![src, outputDir(s, id), `${outputDir(s, id)}.tmp`].some(existsSync),
    'the files of a clip removed mid-transcode remain after its transcode ended');
});

test('strays: an orphan upload file and a dead scratch directory older than an hour go; fresh or owned files stay', async () => {
  const first = await server({ args: ['--transcode-workers', '1'] });
  const t = await login(first, 'agent4');
  const done = await postClip(first, t, 'done', clip());
  assert.equal((await waitForVideo(first, t, done)).status, 'pending_review');
  // an unfinished tus upload: its row owns its file however old the file is
  const created = await api(first, 'POST', '/api/v1/uploads', { token: t, headers: { 'Tus-Resumable': '1.0.0', 'Upload-Length': '1000' } });
  assert.equal(created.status, 201, created.body);
  const tusPath = new URL(created.headers.get('location'), first.url).pathname;
  await first.stop();

  const incoming = join(first.dir, 'media/incoming');
  const oldOrphan = join(incoming, hex32());
  const freshOrphan = join(incoming, hex32());
  const notOurs = join(incoming, 'operator-notes.txt');
  const tusFile = join(incoming, tusPath.split('/').pop());
  const scratch = `${outputDir(first, done)}.tmp`; // as a transcode that died leaves it
  writeFileSync(oldOrphan, 'left by a crash');
  writeFileSync(freshOrphan, 'row about to commit');
  writeFileSync(notOurs, 'not a name the server makes');
  mkdirSync(scratch);
  writeFileSync(join(scratch, '720p.mp4'), 'half written');
  for (const f of [oldOrphan, notOurs, tusFile, scratch]) utimesSync(f, HOURS_AGO(2), HOURS_AGO(2));

  const s = await server({ dataDir: first.dir, args: ['--transcode-workers', '0'] });
  const scanned = await until(() => /janitor: removed \d+ stray/.test(s.stderr));
  assert.ok(!existsSync(oldOrphan), 'an orphan file older than an hour is still on disk');
  assert.ok(!existsSync(scratch), 'a dead scratch directory is still on disk');
  assert.ok(scanned, 'no stray scan at start');
  assert.ok(existsSync(freshOrphan), 'a fresh file was taken for an orphan');
  assert.ok(existsSync(notOurs), 'a file with a name the server never makes was deleted');
  assert.ok(existsSync(tusFile), 'an open upload\'s file was deleted');
  assert.ok(existsSync(outputFile(s, done, '720p.mp4')), 'the finished output was touched');
  assert.match(s.stderr, /janitor: removed 2 stray/);
  const head = await api(s, 'HEAD', tusPath, { token: t, headers: { 'Tus-Resumable': '1.0.0' } });
  assert.equal(head.status, 200);
});

test('paths from the database or symlinks never lead out of the media root', async () => {
  const s = await server({ args: ['--transcode-workers', '0'] });
  const t = await login(s, 'agent5');
  const id = await postClip(s, t, 'tampered', clip());
  const outside = mkdtempSync(join(tmpdir(), 'casereel-outside-'));
  writeFileSync(join(outside, 'keep.txt'), 'not the server\'s');
  symlinkSync(outside, outputDir(s, id)); // v/<id> leads elsewhere
  sql(s, `UPDATE videos SET source_path = '../casereel.db' WHERE id = ${id}`);
  assert.equal((await api(s, 'DELETE', `/api/v1/videos/${id}`, { token: t })).status, 204);
  await runMaintenance(s);
  const purged = sql(s, `SELECT count(*) FROM pragma_table_info('videos') WHERE name = 'media_purged_at'`) === '1' &&
    sql(s, `SELECT media_purged_at IS NOT NULL FROM videos WHERE id = ${id}`) === '1';
  assert.ok(existsSync(join(outside, 'keep.txt')), 'a file outside the media root was deleted through a symlink');
  rmSync(outside, { recursive: true });
  assert.ok(purged, 'the clip was never purged');
  assert.ok(!existsSync(outputDir(s, id)), 'the symlink itself stays in the media root');
  assert.ok(existsSync(join(s.dir, 'casereel.db')));
  assert.equal(sql(s, `SELECT source_path FROM videos WHERE id = ${id}`), '../casereel.db', 'a path never deleted is not forgotten');
  assert.equal((await api(s, 'GET', '/healthz')).status, 200);
});

test('--purge-after keeps a failed clip\'s source that long after its last change', async () => {
  const s = await server({ args: ['--transcode-workers', '1'], env: { CASEREEL_PURGE_AFTER: '3600' } });
  const t = await login(s, 'agent6');
  const id = await postClip(s, t, 'list', '#EXTM3U\n#EXTINF:2,\nhttp://example.com/a.ts\n', 'application/octet-stream');
  assert.equal((await waitForVideo(s, t, id)).status, 'failed');
  const src = sourceFile(s, id);
  await runMaintenance(s);
  await advanceClock(s, 3500);
  await runMaintenance(s);
  assert.ok(existsSync(src), 'the source went before --purge-after');
  await advanceClock(s, 101);
  await runMaintenance(s);
  assert.ok(!existsSync(src), 'the source stayed after --purge-after');
});
