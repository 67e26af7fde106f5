// Redaction, trim and poster choice of a clip's media (POST /api/v1/videos/{id}/edits)
// and takedowns, judged with the ffmpeg CLI as an independent tool on the files the
// server publishes: the blurred rectangle loses its fine detail in every rung and the
// poster while the rest keeps it, the muted range is silent, the trim lands within a
// frame, the un-redacted version answers 404 from the request on, the original is gone
// once the redacted version is approved, and a SIGKILL mid-render leaves the old
// version published and the job resumes.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { serverPool, startServer, api, login, expectProblem, runMaintenance, advanceClock, newTranscoder } from './lib/server.mjs';
import { mediaDir } from './lib/media.mjs';
import { ffmpeg } from './lib/ffmpeg.mjs';
import { waitForVideo, publishClip } from './lib/poll.mjs';

const server = serverPool(after);
const W = 854, H = 480, FPS = 30;

/** A clip with fine texture everywhere (testsrc2 under fixed noise) and a loud tone. */
function texturedClip(name, seconds) {
  const out = join(mediaDir, name);
  ffmpeg(['-f', 'lavfi', '-i', `testsrc2=size=${W}x${H}:rate=${FPS}:duration=${seconds},noise=alls=24`,
    '-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${seconds},volume=4`,
    '-c:v', 'libx264', '-preset', 'superfast', '-crf', '16', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-b:a', '128k',
    '-shortest', out]);
  return out;
}

/** One picture of `file` (at `t` s; a still image when t is null) as w x h 8-bit gray. */
function gray(file, t, w, h) {
  const seek = t === null ? [] : ['-ss', String(t)];
  return execFileSync('ffmpeg', ['-v', 'error', ...seek, '-i', file, '-frames:v', '1',
    '-vf', `scale=${w}:${h}:flags=bicubic,format=gray`, '-f', 'rawvideo', '-'], { maxBuffer: 1 << 26 });
}

/** High-frequency energy: mean |Laplacian| over the normalised box [x0,x1) x [y0,y1). */
function hf(px, w, h, [x0, y0, x1, y1]) {
  let sum = 0, n = 0;
  for (let y = Math.max(1, Math.floor(y0 * h)); y < Math.min(h - 1, Math.floor(y1 * h)); y++)
    for (let x = Math.max(1, Math.floor(x0 * w)); x < Math.min(w - 1, Math.floor(x1 * w)); x++) {
      const i = y * w + x;
      sum += Math.abs(4 * px[i] - px[i - 1] - px[i + 1] - px[i - w] - px[i + w]);
      n++;
    }
  return sum / n;
}

/** RMS level (dBFS) of `file`'s audio over [from, to) seconds, by ffmpeg's astats (on stderr). */
function rms(file, from, to) {
  const out = execFileSync('sh', ['-c', `ffmpeg -v info -nostats -i "$0" -vn -af "atrim=start=${from}:end=${to},astats" -f null - 2>&1`, file]).toString();
  const m = [...out.matchAll(/RMS level dB: (-?inf|-?[\d.]+)/g)].pop();
  assert.ok(m, out.slice(-500));
  return m[1].endsWith('inf') ? -Infinity : Number(m[1]);
}

function ffprobeJson(file, args) {
  return JSON.parse(execFileSync('ffprobe', ['-v', 'error', ...args, '-of', 'json', file]).toString());
}

/** Downloads every file of the clip's current version into a directory; returns the paths. */
async function download(s, urls, tag) {
  const files = {};
  for (const [k, name] of [['mp4', '720p.mp4'], ['hls', 'master.m3u8'], ['poster', 'poster.jpg'], ['thumbnail', 'thumb.jpg']]) {
    const r = await fetch(s.url + urls[k]);
    assert.equal(r.status, 200, `${k} of version ${urls.version}`);
    files[name] = join(mediaDir, `${tag}-${name}`);
    writeFileSync(files[name], Buffer.from(await r.arrayBuffer()));
  }
  const base = urls.mp4.replace(/720p\.mp4$/, '');
  for (const name of ['360p.mp4', '720p.m3u8', '360p.m3u8']) {
    const r = await fetch(s.url + base + name);
    assert.equal(r.status, 200, name);
    files[name] = join(mediaDir, `${tag}-${name}`);
    writeFileSync(files[name], Buffer.from(await r.arrayBuffer()));
  }
  return files;
}

/** A version's files belong together: every playlist's byte ranges reach the end of its MP4's media. */
function assertWhole(files) {
  const master = readFileSync(files['master.m3u8'], 'utf8');
  for (const rung of ['720p', '360p']) {
    assert.match(master, new RegExp(`${rung}\\.m3u8`));
    const size = readFileSync(files[`${rung}.mp4`]).length;
    const pl = readFileSync(files[`${rung}.m3u8`], 'utf8');
    let end = 0;
    for (const [, len, at] of pl.matchAll(/BYTERANGE:?"?(\d+)@(\d+)/g)) end = Math.max(end, Number(len) + Number(at));
    // the last fragment ends where the MP4's index (mfra) begins
    assert.ok(end <= size && size - end < 1024, `${rung}: playlist to ${end}, MP4 of ${size} bytes`);
  }
}

const sql = (s, q) => execFileSync('sqlite3', ['-cmd', '.timeout 10000', join(s.dir, 'casereel.db'), q]).toString().trim();

const REGION = { x: 0.25, y: 0.25, w: 0.5, h: 0.5 };
const INSIDE = [0.3, 0.3, 0.7, 0.7];  // well inside the region
const OUTSIDE = [0.02, 0.02, 0.2, 0.2]; // the picture's corner, never covered

test('a trainer redacts a published clip: off at once, old URLs 404, blurred in every rung and the poster, muted, trimmed to the frame; approval republishes and deletes the original', async () => {
  const src = texturedClip('redact-src.mp4', 4);
  const s = await server({ args: ['--transcode-workers', '1'] });
  const [agent, trainer] = [await login(s, 'agent1'), await login(s, 'trainer1')];
  const id = await publishClip(s, { creator: agent, trainer, clip: readFileSync(src), title: 'Refund call' });
  const before = (await api(s, 'GET', `/api/v1/videos/${id}`, { token: agent })).json;
  assert.equal(before.urls.version, 1);
  const source = join(s.dir, 'media', sql(s, `SELECT source_path FROM videos WHERE id = ${id}`));
  assert.ok(existsSync(source), 'the original is kept (--keep-source)');

  // captions said over the clip: the trim must carry them along
  const cues = await api(s, 'PUT', `/api/v1/videos/${id}/captions/en`, { token: trainer, json: { cues: [
    { start: 0.1, end: 0.4, text: 'cut away' }, { start: 1.0, end: 2.0, text: 'the refund rule' }, { start: 3.2, end: 3.9, text: 'goodbye' }] } });
  assert.equal(cues.status, 200, cues.body);

  const spec = { trim: { start: 0.5, end: 3.5 }, regions: [{ ...REGION, from: 0, to: 4, style: 'blur' }],
    audio: [{ from: 1.5, to: 2.5, mode: 'mute' }], poster_time: 2.0 };
  const r = await api(s, 'POST', `/api/v1/videos/${id}/edits`, { token: trainer, json: spec });
  assert.equal(r.status, 202, r.body);
  assert.deepEqual([r.json.kind, r.json.state, r.json.redaction, r.json.input, r.json.media_version], ['edit', 'rendering', true, 'source', 2]);
  // from the request on: off the feed, and the un-redacted version is never served again
  for (const k of ['mp4', 'hls', 'poster', 'thumbnail']) expectProblem(assert, await api(s, 'GET', before.urls[k]), 404);
  const taken = (await api(s, 'GET', `/api/v1/videos/${id}`, { token: trainer })).json;
  assert.equal(taken.status, 'pending_review');
  assert.equal(taken.urls, null);
  expectProblem(assert, await api(s, 'GET', `/api/v1/videos/${id}`, { token: await login(s, 'agent2') }), 404);
  // nothing to approve until the redacted version is rendered
  expectProblem(assert, await api(s, 'POST', `/api/v1/videos/${id}/review`, { token: trainer, json: { decision: 'approve' } }), 409);

  const done = await waitForVideo(s, agent, id, { done: (v) => v.media_edit?.state === 'done' });
  // the captions moved with the trim: what was cut away is gone, the rest starts 0.5 s earlier
  const moved = (await api(s, 'GET', `/api/v1/videos/${id}/captions/en`, { token: trainer })).json.cues;
  assert.deepEqual(moved.map((c) => [c.start, c.end, c.text]), [[0.5, 1.5, 'the refund rule'], [2.7, 3, 'goodbye']]);
  const actions = (await api(s, 'GET', `/api/v1/videos/${id}/audit`, { token: trainer })).json.items.map((e) => e.action);
  assert.ok(actions.includes('media.redact') && actions.includes('captions.trim'), JSON.stringify(actions));
  assert.equal(done.status, 'pending_review');
  assert.equal(done.urls.version, 2);
  assert.equal(done.media_edit.progress, 100);
  const ok = await api(s, 'POST', `/api/v1/videos/${id}/review`, { token: trainer, json: { decision: 'approve' } });
  assert.equal(ok.status, 200, ok.body);
  assert.equal(ok.json.status, 'published');
  assert.equal(ok.json.urls.version, 2);
  // the original is gone once the redacted version is published
  assert.ok(!existsSync(source), 'the un-redacted original is deleted');
  assert.equal(sql(s, `SELECT source_path IS NULL FROM videos WHERE id = ${id}`), '1');
  for (const k of ['mp4', 'hls', 'poster']) expectProblem(assert, await api(s, 'GET', before.urls[k]), 404);
  await runMaintenance(s);
  assert.ok(!existsSync(join(s.dir, 'media/v', String(id), '1')), 'the un-redacted version is deleted');

  // the trail: who asked what and when, with the rectangles and ranges as asked
  const trail = await api(s, 'GET', `/api/v1/videos/${id}/edits`, { token: agent });
  assert.equal(trail.status, 200);
  assert.equal(trail.json.items.length, 1);
  const e = trail.json.items[0];
  assert.equal(e.by.display_name.length > 0, true);
  assert.equal(e.state, 'published');
  assert.deepEqual(e.spec.regions[0], { ...REGION, from: 0, to: 4, style: 'blur' });
  assert.deepEqual(e.spec.audio, [{ from: 1.5, to: 2.5, mode: 'mute' }]);
  assert.deepEqual(e.spec.trim, { start: 0.5, end: 3.5 });
  expectProblem(assert, await api(s, 'GET', `/api/v1/videos/${id}/edits`, { token: await login(s, 'agent2') }), 404);

  const f = await download(s, ok.json.urls, `redacted-${id}`);
  // with the original gone, the next redaction renders from the top rendition and says so
  const corner = { x: 0, y: 0, w: 0.3, h: 0.3 }; // touching the picture's edges
  const again = await api(s, 'POST', `/api/v1/videos/${id}/edits`, { token: trainer,
    json: { audio: [{ from: 0, to: 0.5, mode: 'bleep' }], regions: [{ ...corner, from: 0, to: 3 }] } });
  assert.equal(again.status, 202, again.body);
  assert.equal(again.json.input, 'rendition');
  const v3 = await waitForVideo(s, trainer, id, { done: (v) => v.media_edit?.state === 'done' });
  assert.equal(v3.urls.version, 3);
  const f3 = await download(s, v3.urls, `bleeped-${id}`);
  // a redaction whose rendering failed is asked for again, never dropped by a plain rendering
  sql(s, `UPDATE video_edits SET state = 'failed' WHERE id = (SELECT max(id) FROM video_edits WHERE video_id = ${id})`);
  const plain = expectProblem(assert, await api(s, 'POST', `/api/v1/videos/${id}/renders`, { token: trainer }), 409);
  assert.match(plain.type, /\/problems\/redaction-failed$/);
  sql(s, `UPDATE video_edits SET state = 'done' WHERE id = (SELECT max(id) FROM video_edits WHERE video_id = ${id})`);
  // judged once every answer is in (ffmpeg holds the event loop)
  assertWhole(f);
  // trims land within one frame: 3.0 s long, its first picture the source's at 0.5 s
  for (const rung of ['720p.mp4', '360p.mp4']) {
    const v = ffprobeJson(f[rung], ['-select_streams', 'v', '-count_frames', '-show_entries', 'stream=nb_read_frames,duration']).streams[0];
    assert.ok(Math.abs(Number(v.duration) - 3.0) <= 1 / FPS + 1e-3, `${rung}: ${v.duration} s`);
    assert.ok(Math.abs(Number(v.nb_read_frames) - 3.0 * FPS) <= 1, `${rung}: ${v.nb_read_frames} frames`);
  }
  const first = gray(f['720p.mp4'], 0, W, H);
  const diff = (a, b) => { let d = 0; for (let i = 0; i < W * Math.floor(H * 0.2); i++) d += Math.abs(a[i] - b[i]); return d; };
  const nearest = [12, 13, 14, 15, 16, 17, 18].map((n) => [n, diff(first, gray(src, (n - 0.25) / FPS, W, H))])
    .sort((a, b) => a[1] - b[1])[0][0];
  assert.ok(Math.abs(nearest - 15) <= 1, `the first frame is the source's frame ${nearest}, not 15 (0.5 s)`);

  // every rung and the poster: the region's detail is gone (<= 10% of the source's), the rest keeps it
  const srcPx = (w, h) => gray(src, 2.5 - 0.25 / FPS, w, h); // output 2.0 s = source 2.5 s
  for (const [name, w, h, t] of [['720p.mp4', W, H, 2.0], ['360p.mp4', 640, 360, 2.0], ['poster.jpg', W, H, null]]) {
    const out = gray(f[name], t, w, h), orig = srcPx(w, h);
    const [inOut, inSrc] = [hf(out, w, h, INSIDE), hf(orig, w, h, INSIDE)];
    const [outOut, outSrc] = [hf(out, w, h, OUTSIDE), hf(orig, w, h, OUTSIDE)];
    assert.ok(inOut <= 0.1 * inSrc, `${name}: the region keeps ${(100 * inOut / inSrc).toFixed(1)}% of its detail`);
    assert.ok(outOut >= 0.5 * outSrc, `${name}: the rest lost its detail (${outOut.toFixed(2)} vs ${outSrc.toFixed(2)})`);
  }
  // the muted range (1.5-2.5 s of the clip as shown, 1.0-2.0 s after the trim) is silent, the rest is not
  for (const rung of ['720p.mp4', '360p.mp4']) {
    assert.ok(rms(f[rung], 1.02, 1.98) < -60, `${rung}: the muted range is not silent`);
    assert.ok(rms(f[rung], 0.1, 0.9) > -40, `${rung}: the sound before it is gone`);
    assert.ok(rms(f[rung], 2.1, 2.9) > -40, `${rung}: the sound after it is gone`);
  }

  const tone = execFileSync('sh', ['-c', 'ffmpeg -v error -i "$0" -t 0.45 -ac 1 -f s16le -ar 48000 - ', f3['720p.mp4']]);
  // a 1 kHz tone crosses zero about 2000 times a second
  let crossings = 0;
  for (let i = 2; i < tone.length - 1; i += 2) if ((tone.readInt16LE(i) >= 0) !== (tone.readInt16LE(i - 2) >= 0)) crossings++;
  assert.ok(Math.abs(crossings / (tone.length / 2 / 48000) - 2000) < 100, `${crossings} crossings: no 1 kHz bleep`);
  // earlier redactions stay: the region is still blurred; and so is the corner now
  const still = gray(f3['720p.mp4'], 2.0, W, H);
  assert.ok(hf(still, W, H, INSIDE) <= 0.1 * hf(srcPx(W, H), W, H, INSIDE));
  const CORNER = [0.01, 0.01, 0.29, 0.29];
  assert.ok(hf(still, W, H, CORNER) <= 0.1 * hf(srcPx(W, H), W, H, CORNER), 'the corner region keeps its detail');
});

test('bad edits and the wrong people change nothing', async () => {
  const clip = readFileSync(texturedClip('bad-src.mp4', 2));
  const s = await server({ args: ['--transcode-workers', '1'] });
  const [agent, other, trainer] = [await login(s, 'agent3'), await login(s, 'agent4'), await login(s, 'trainer1')];
  const id = await publishClip(s, { creator: agent, trainer, clip, title: 'Bad edits' });
  const edit = (token, json) => api(s, 'POST', `/api/v1/videos/${id}/edits`, { token, json });
  const region = { ...REGION, from: 0, to: 1 };
  const cases = [
    [{ trim: { start: 0.5, end: 9 } }, 'trim.end'],
    [{ trim: { start: 1.0, end: 1.2 } }, 'trim.end'],
    [{ regions: [region, { ...region, w: 0 }] }, 'regions[1].w'],
    [{ regions: [{ ...region, x: 0.8, w: 0.5 }] }, 'regions[0].w'],
    [{ regions: [{ ...region, y: 1.2 }] }, 'regions[0].y'],
    [{ regions: [{ ...region, from: 1.5, to: 1 }] }, 'regions[0].to'],
    [{ regions: [{ ...region, style: 'smudge' }] }, 'regions[0].style'],
    [{ regions: Array(17).fill(region) }, 'regions'],
    [{ audio: [{ from: -1, to: 1 }] }, 'audio[0].from'],
    [{ audio: [{ from: 0, to: 1, mode: 'loud' }] }, 'audio[0].mode'],
    [{ poster_time: 5 }, 'poster_time'],
    [{ trim: { start: 0.5, end: 1.5 }, poster_time: 1.8 }, 'poster_time'],
    [{ crop: true }, 'crop'],
  ];
  for (const [json, field] of cases) {
    const r = await edit(trainer, json);
    expectProblem(assert, r, 422);
    assert.equal(r.json.field, field, JSON.stringify(json));
  }
  expectProblem(assert, await edit(trainer, {}), 422);
  // the creator may not edit a published clip; another agent may not see it as theirs
  expectProblem(assert, await edit(agent, { poster_time: 1 }), 409);
  expectProblem(assert, await edit(other, { poster_time: 1 }), 404);
  expectProblem(assert, await api(s, 'POST', `/api/v1/videos/${id}/takedown`, { token: agent, json: { reason: 'x' } }), 403);
  expectProblem(assert, await api(s, 'POST', '/api/v1/videos/999999/edits', { token: trainer, json: { poster_time: 1 } }), 404);
  const v = (await api(s, 'GET', `/api/v1/videos/${id}`, { token: agent })).json;
  assert.deepEqual([v.status, v.urls.version, v.media_edit], ['published', 1, null]);
  assert.deepEqual((await api(s, 'GET', `/api/v1/videos/${id}/edits`, { token: trainer })).json.items, []);
  assert.equal(sql(s, `SELECT count(*) FROM jobs WHERE video_id = ${id} AND state <> 'done'`), '0');

  // a takedown: off the feed at once, reason recorded; the creator may then edit and it waits for review
  const down = await api(s, 'POST', `/api/v1/videos/${id}/takedown`, { token: trainer, json: { reason: 'a customer phone number at 0:01' } });
  assert.equal(down.status, 200, down.body);
  assert.deepEqual([down.json.kind, down.json.spec], ['takedown', { reason: 'a customer phone number at 0:01' }]);
  assert.equal((await api(s, 'GET', `/api/v1/videos/${id}`, { token: agent })).json.status, 'pending_review');
  expectProblem(assert, await api(s, 'POST', `/api/v1/videos/${id}/takedown`, { token: trainer, json: { reason: 'again' } }), 409);
  const own = await edit(agent, { regions: [region] });
  assert.equal(own.status, 202, own.body);
  expectProblem(assert, await edit(agent, { poster_time: 1 }), 409); // one rendering at a time
});

test('a SIGKILL mid-render leaves the old version published; the job resumes after restart and the swap is whole', async () => {
  const clip = readFileSync(texturedClip('kill-src.mp4', 12)); // before the server: ffmpeg holds the event loop
  const s = await startServer({ args: ['--transcode-workers', '1'] });
  const [agent, trainer] = [await login(s, 'agent5'), await login(s, 'trainer1')];
  const id = await publishClip(s, { creator: agent, trainer, clip, title: 'Long call' });
  const v1 = (await api(s, 'GET', `/api/v1/videos/${id}`, { token: agent })).json;
  const old = await download(s, v1.urls, `kill-v1-${id}`);

  // a new poster: not a redaction, so the clip stays published while it renders
  const r = await api(s, 'POST', `/api/v1/videos/${id}/edits`, { token: trainer, json: { poster_time: 9.5 } });
  assert.equal(r.status, 202, r.body);
  assert.equal(r.json.redaction, false);
  await newTranscoder(s, new Set());
  const during = (await api(s, 'GET', `/api/v1/videos/${id}`, { token: agent })).json;
  assert.deepEqual([during.status, during.urls.version], ['published', 1]);
  assertWhole(await download(s, during.urls, `kill-during-${id}`));
  await s.stop('SIGKILL');

  // restarted: still version 1, whole; the durable job resumes and the new version goes live in one step
  const s2 = await server({ dataDir: s.dir, args: ['--transcode-workers', '1'] });
  const t2 = await login(s2, 'agent5');
  const seen = [];
  const v2 = await waitForVideo(s2, t2, id, {
    timeoutMs: 120000,
    done: (v) => { seen.push(v.urls.version); return v.media_edit?.state === 'done'; },
  });
  assert.deepEqual([...new Set(seen)].filter((n) => n !== 1 && n !== 2), []);
  assert.equal(v2.status, 'published');
  assert.equal(v2.urls.version, 2);
  const f = await download(s2, v2.urls, `kill-v2-${id}`);
  assertWhole(f);
  assert.ok(!readFileSync(f['poster.jpg']).equals(readFileSync(old['poster.jpg'])), 'the new version has the chosen poster');
  // the poster is the frame at 9.5 s
  const poster = gray(f['poster.jpg'], null, W, H);
  const at = (t) => { const p = gray(f['720p.mp4'], t, W, H); let d = 0; for (let i = 0; i < p.length; i++) d += Math.abs(p[i] - poster[i]); return d / p.length; };
  assert.ok(at(9.5) < at(4.0), 'the poster shows the chosen time');
  assert.match(s2.stderr, /requeued 1 transcode job/);
});

test('--source-retention deletes every original when it runs out; a redaction then renders from the top rendition and says so', async () => {
  const clip = readFileSync(texturedClip('kept-src.mp4', 2));
  const s = await server({ args: ['--transcode-workers', '1', '--source-retention', '3600'] });
  const [agent, trainer] = [await login(s, 'agent6'), await login(s, 'trainer1')];
  const id = await publishClip(s, { creator: agent, trainer, clip, title: 'Kept a while' });
  const source = join(s.dir, 'media', sql(s, `SELECT source_path FROM videos WHERE id = ${id}`));
  await runMaintenance(s);
  assert.ok(existsSync(source), 'kept within its retention');
  await advanceClock(s, 3601);
  await runMaintenance(s);
  assert.ok(!existsSync(source), 'deleted once its retention ran out');
  assert.equal(sql(s, `SELECT source_path IS NULL FROM videos WHERE id = ${id}`), '1');
  // a plain re-render has nothing to read; an edit reads the published rendition
  expectProblem(assert, await api(s, 'POST', `/api/v1/videos/${id}/renders`, { token: trainer }), 409);
  const r = await api(s, 'POST', `/api/v1/videos/${id}/edits`, { token: trainer, json: { regions: [{ ...REGION, from: 0, to: 2, style: 'pixelate' }] } });
  assert.equal(r.status, 202, r.body);
  assert.equal(r.json.input, 'rendition');
  const v = await waitForVideo(s, trainer, id, { done: (x) => x.media_edit?.state !== 'rendering' });
  assert.equal(v.media_edit.state, 'done');
  assert.deepEqual([v.status, v.urls.version], ['pending_review', 2]);
});
