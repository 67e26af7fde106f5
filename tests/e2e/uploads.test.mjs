// Resumable uploads with a real tus client, protocol edge cases, resume
// after a cut connection and after SIGKILL, and the one-shot upload.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tus from 'tus-js-client';
import { serverPool, api, login, expectProblem, advanceClock, childrenOf, newTranscoder } from './lib/server.mjs';
import { makeClip, probe } from './lib/media.mjs';
import { waitForVideo } from './lib/poll.mjs';

let clipPath, clip;
before(() => {
  clipPath = makeClip('upload.mp4', { seconds: 3 });
  clip = readFileSync(clipPath);
  assert.ok(clip.length > 1_000_000, 'the test clip should be big enough to cut in pieces');
});

const server = serverPool(after);

/** 40 s of video: a transcode long enough to be caught in the middle, in a
 *  size that keeps the rest of it short. */
const longClip = () => makeClip('long.mp4', { seconds: 40, size: '360x640', rate: 30 });

const b64 = (s) => Buffer.from(s).toString('base64');
const sha256 = (buf) => createHash('sha256').update(buf).digest('base64');

/** Uploads `data` with tus-js-client; resolves with the upload URL. */
function tusUpload(s, token, data, { uploadUrl, chunkSize = 512 * 1024, metadata = {} } = {}) {
  return new Promise((resolve, reject) => {
    const up = new tus.Upload(data, {
      endpoint: `${s.url}/api/v1/uploads`,
      uploadUrl,
      chunkSize,
      retryDelays: [],
      headers: { Authorization: `Bearer ${token}` },
      metadata: { filename: 'case.mp4', title: 'Calming an angry caller', tags: 'de-escalation,empathy', ...metadata },
      onError: reject,
      onSuccess: () => resolve(up.url),
    });
    up.start();
  });
}

/** Raw tus request with the protocol header set. */
function tusCall(s, method, path, { token, headers = {}, body } = {}) {
  return api(s, method, path, { token, body, headers: { 'Tus-Resumable': '1.0.0', ...headers } });
}

/** Starts a PATCH that sends `part` of a declared `total`, then cuts the connection. */
function cutPatch(s, token, path, offset, part, total, holdMs = 300) {
  return new Promise((resolve) => {
    const req = http.request(`${s.url}${path}`, {
      method: 'PATCH',
      headers: {
        Authorization: `Bearer ${token}`, 'Tus-Resumable': '1.0.0', 'Upload-Offset': String(offset),
        'Content-Type': 'application/offset+octet-stream', 'Content-Length': String(total),
      },
    });
    req.on('error', () => resolve());
    req.write(part, () => setTimeout(() => { req.destroy(); resolve(); }, holdMs));
  });
}

/** Retries `fn` for up to 3 s until `ok(result)`; returns the last result. */
async function eventually(fn, ok, ms = 3000) {
  const until = Date.now() + ms;
  for (;;) {
    const r = await fn();
    if (ok(r) || Date.now() > until) return r;
    await new Promise((res) => setTimeout(res, 50));
  }
}

/** POSTs with Expect: 100-continue, sending the body only if invited. */
function expectContinue(s, token, path, body, type) {
  return new Promise((resolve, reject) => {
    let sent = false;
    const req = http.request(`${s.url}${path}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': type, 'Content-Length': String(body.length), Expect: '100-continue' },
    });
    req.on('continue', () => { sent = true; req.end(body); });
    req.on('response', (res) => {
      let text = '';
      res.on('data', (d) => { text += d; });
      res.on('end', () => { resolve({ status: res.statusCode, sent, json: JSON.parse(text || 'null') }); req.destroy(); });
    });
    req.on('error', reject);
    req.flushHeaders();
  });
}

async function createUpload(s, token, length, metadata = `filename ${b64('a.mp4')}`) {
  const r = await tusCall(s, 'POST', '/api/v1/uploads', { token, headers: { 'Upload-Length': String(length), 'Upload-Metadata': metadata } });
  assert.equal(r.status, 201, r.body);
  return new URL(r.headers.get('location'), s.url).pathname;
}

async function offsetOf(s, token, path) {
  const r = await tusCall(s, 'HEAD', path, { token });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('cache-control'), 'no-store');
  return Number(r.headers.get('upload-offset'));
}

test('tus-js-client uploads a clip in chunks; it becomes a transcoded video', async () => {
  const s = await server({ args: ['--transcode-workers', '1'] });
  const t = await login(s, 'agent1');
  const url = await tusUpload(s, t, clip);
  const info = await api(s, 'GET', new URL(url).pathname, { token: t });
  assert.equal(info.json.offset, clip.length);
  const id = info.json.video.id;
  assert.equal(info.json.video.title, 'Calming an angry caller');
  assert.deepEqual(info.json.video.tags, ['de-escalation', 'empathy']);
  // the source on disk is byte-identical to what the phone sent
  assert.equal(sha256(readFileSync(join(s.dir, 'media/incoming', url.split('/').pop()))), sha256(clip));
  const v = await waitForVideo(s, t, id);
  assert.equal(v.status, 'pending_review', v.error);
  assert.equal(v.progress, 100);
  assert.equal(v.width, 720);
  assert.equal(v.height, 1280);
  assert.equal(v.has_audio, true);
  assert.ok(Math.abs(v.duration - 3) < 0.2, `duration ${v.duration}`);
  const out = join(s.dir, 'media/v', String(id), '1'); // media version 1
  const p = probe(join(out, '720p.mp4'));
  assert.equal(p.streams.find((x) => x.codec_type === 'video').codec_name, 'h264');
  assert.equal(p.streams.find((x) => x.codec_type === 'audio').sample_rate, '48000');
  const master = readFileSync(join(out, 'master.m3u8'), 'utf8');
  assert.equal(master.match(/#EXT-X-STREAM-INF:.*BANDWIDTH=\d+.*RESOLUTION=\d+x\d+/g).length, 2);
  for (const k of ['hls', 'mp4', 'poster', 'thumbnail']) assert.match(v.urls[k], /^\/media\/v\/\d+\/1\/\d+\/[\w-]{22}\//);
});

test('a cut connection keeps the bytes that arrived; the client resumes from there', async () => {
  const s = await server({ args: ['--transcode-workers', '0'] });
  const t = await login(s, 'agent2');
  const path = await createUpload(s, t, clip.length);
  await cutPatch(s, t, path, 0, clip.subarray(0, 700_000), clip.length);
  // the server learns of the cut a moment later; a client retries its HEAD
  const kept = await eventually(() => offsetOf(s, t, path), (o) => o > 0);
  assert.ok(kept > 0 && kept <= 700_000, `kept ${kept}`);
  const url = await tusUpload(s, t, clip, { uploadUrl: `${s.url}${path}` });
  const info = await api(s, 'GET', new URL(url).pathname, { token: t });
  assert.equal(info.json.offset, clip.length);
  assert.ok(info.json.video.id > 0);
  assert.equal(sha256(readFileSync(join(s.dir, 'media/incoming', path.split('/').pop()))), sha256(clip));
});

test('after SIGKILL mid-upload the server restarts and the client resumes', async () => {
  const first = await server({ args: ['--transcode-workers', '0'] });
  const t = await login(first, 'agent3');
  const path = await createUpload(first, t, clip.length);
  const half = 1_000_000;
  const r = await tusCall(first, 'PATCH', path, { token: t, body: clip.subarray(0, half), headers: { 'Upload-Offset': '0', 'Content-Type': 'application/offset+octet-stream' } });
  assert.equal(r.status, 204);
  assert.equal(r.headers.get('upload-offset'), String(half));
  // a second PATCH is in flight when the process dies
  const inflight = cutPatch(first, t, path, half, clip.subarray(half, half + 400_000), clip.length - half);
  await new Promise((res) => setTimeout(res, 100));
  await first.stop('SIGKILL');
  await inflight;
  const again = await server({ dataDir: first.dir, args: ['--port', String(first.port), '--transcode-workers', '1'] });
  const offset = await offsetOf(again, t, path);
  assert.ok(offset >= half, `acknowledged bytes survive (offset ${offset})`);
  const url = await tusUpload(again, t, clip, { uploadUrl: `${again.url}${path}` });
  const info = await api(again, 'GET', new URL(url).pathname, { token: t });
  assert.equal(sha256(readFileSync(join(again.dir, 'media/incoming', path.split('/').pop()))), sha256(clip));
  const v = await waitForVideo(again, t, info.json.video.id);
  assert.equal(v.status, 'pending_review', v.error);
});

/** One PATCH on a connection of its own (so on any of the server's threads). */
function freshPatch(s, token, path, offset, body) {
  return new Promise((resolve, reject) => {
    const req = http.request(`${s.url}${path}`, {
      method: 'PATCH', agent: false,
      headers: {
        Authorization: `Bearer ${token}`, 'Tus-Resumable': '1.0.0', 'Upload-Offset': String(offset),
        'Content-Type': 'application/offset+octet-stream', 'Content-Length': String(body.length),
      },
    }, (res) => { res.resume(); res.on('end', () => resolve(res)); });
    req.on('error', reject);
    req.end(body);
  });
}

test('an acknowledged PATCH has let go of the upload: the next one, at once, is never locked out', async () => {
  const s = await server({ args: ['--transcode-workers', '0', '--upload-queue-max', '8'] });
  const t = await login(s, 'agent6');
  // eight uploads side by side (more than one person may have in flight by
  // default) keep every server thread busy, which widens the gap between an
  // answer going out and its request's clean-up
  await Promise.all(Array.from({ length: 8 }, async () => {
    const path = await createUpload(s, t, 60);
    for (let offset = 0; offset < 60; offset++) {
      const r = await freshPatch(s, t, path, offset, Buffer.from([offset]));
      assert.equal(r.statusCode, 204, `PATCH at ${offset}`);
      assert.equal(r.headers['upload-offset'], String(offset + 1));
    }
  }));
});

test('tus protocol errors: version, offset, type, checksum, lock, ownership, termination', async () => {
  const s = await server({ args: ['--transcode-workers', '0', '--upload-max', '5000000'] });
  const t = await login(s, 'agent4');
  const other = await login(s, 'agent5');
  const opts = await api(s, 'OPTIONS', '/api/v1/uploads');
  assert.equal(opts.status, 204);
  assert.equal(opts.headers.get('tus-version'), '1.0.0');
  assert.match(opts.headers.get('tus-extension'), /creation-with-upload/);
  assert.equal(opts.headers.get('tus-checksum-algorithm'), 'sha1,sha256');
  // no protocol header
  const noVersion = await api(s, 'POST', '/api/v1/uploads', { token: t, headers: { 'Upload-Length': '10' } });
  expectProblem(assert, noVersion, 412);
  assert.equal(noVersion.headers.get('tus-version'), '1.0.0');
  expectProblem(assert, await tusCall(s, 'POST', '/api/v1/uploads', { token: t, headers: { 'Upload-Length': '6000000' } }), 413);
  expectProblem(assert, await tusCall(s, 'POST', '/api/v1/uploads', { token: t, headers: { 'Upload-Length': '-1' } }), 400);
  assert.match(expectProblem(assert, await tusCall(s, 'POST', '/api/v1/uploads', { token: t, headers: { 'Upload-Length': '0' } }), 400).type, /empty-upload$/);
  expectProblem(assert, await tusCall(s, 'POST', '/api/v1/uploads', { token: t, headers: { 'Upload-Length': '10', 'Upload-Metadata': 'title !!notbase64' } }), 400);
  const badTag = await tusCall(s, 'POST', '/api/v1/uploads', { token: t, headers: { 'Upload-Length': '10', 'Upload-Metadata': `tags ${b64('no-such-tag')}` } });
  const tagProblem = expectProblem(assert, badTag, 422);
  assert.match(tagProblem.detail, /no-such-tag/);
  assert.equal(tagProblem.field, 'tags', 'the metadata entry at fault, not the header');
  const longTitle = await tusCall(s, 'POST', '/api/v1/uploads', { token: t, headers: { 'Upload-Length': '10', 'Upload-Metadata': `title ${b64('x'.repeat(101))}` } });
  assert.equal(expectProblem(assert, longTitle, 422).field, 'title');
  expectProblem(assert, await tusCall(s, 'POST', '/api/v1/uploads', { headers: { 'Upload-Length': '10' } }), 401);

  const path = await createUpload(s, t, 100);
  const patch = (body, headers, token = t) => tusCall(s, 'PATCH', path, { token, body, headers: { 'Content-Type': 'application/offset+octet-stream', ...headers } });
  expectProblem(assert, await patch('x', { 'Upload-Offset': '5' }), 409);
  expectProblem(assert, await tusCall(s, 'PATCH', path, { token: t, body: 'x', headers: { 'Upload-Offset': '0', 'Content-Type': 'text/plain' } }), 415);
  expectProblem(assert, await patch('x', { 'Upload-Offset': '0' }, other), 404);
  assert.equal((await tusCall(s, 'HEAD', path, { token: other })).status, 404);
  // checksums: a mismatch changes nothing, a match is accepted, unknown algorithms are 400
  const part = Buffer.alloc(40, 7);
  const mismatch = await patch(part, { 'Upload-Offset': '0', 'Upload-Checksum': `sha256 ${sha256(Buffer.alloc(40, 8))}` });
  assert.equal(mismatch.status, 460);
  assert.equal(await offsetOf(s, t, path), 0);
  expectProblem(assert, await patch(part, { 'Upload-Offset': '0', 'Upload-Checksum': `md5 ${b64('x')}` }), 400);
  const ok = await patch(part, { 'Upload-Offset': '0', 'Upload-Checksum': `sha256 ${sha256(part)}` });
  assert.equal(ok.status, 204);
  assert.equal(ok.headers.get('upload-offset'), '40');
  assert.ok(ok.headers.get('upload-expires'));
  // more than the declared length
  expectProblem(assert, await patch(Buffer.alloc(100), { 'Upload-Offset': '40' }), 413);
  assert.equal(await offsetOf(s, t, path), 40);
  // a PATCH holding the upload locks out a second one
  // (probed with a wrong offset: unlocked that is a 409 and writes nothing, so
  // the probe can be retried until the holder's PATCH has reached the server)
  const holder = cutPatch(s, t, path, 40, Buffer.alloc(10), 60, 1500);
  const probe = await eventually(() => patch(Buffer.alloc(10), { 'Upload-Offset': '0' }), (r) => r.status === 423);
  expectProblem(assert, probe, 423);
  expectProblem(assert, await patch(Buffer.alloc(10), { 'Upload-Offset': '40' }), 423);
  await holder;
  // termination (once the server has noticed the cut PATCH and let go of the lock)
  expectProblem(assert, await tusCall(s, 'DELETE', path, { token: other }), 404);
  const del = await eventually(() => tusCall(s, 'DELETE', path, { token: t }), (r) => r.status !== 423);
  assert.equal(del.status, 204);
  assert.equal((await tusCall(s, 'HEAD', path, { token: t })).status, 404);
});

test('creation-with-upload, expiry of unfinished uploads', async () => {
  const s = await server({ args: ['--transcode-workers', '0', '--upload-expiry', '1'] });
  const t = await login(s, 'agent6');
  const r = await tusCall(s, 'POST', '/api/v1/uploads', { token: t, body: Buffer.alloc(30, 1), headers: { 'Upload-Length': '100', 'Content-Type': 'application/offset+octet-stream' } });
  assert.equal(r.status, 201);
  assert.equal(r.headers.get('upload-offset'), '30');
  const path = new URL(r.headers.get('location'), s.url).pathname;
  await advanceClock(s, 2);
  const late = await tusCall(s, 'PATCH', path, { token: t, body: Buffer.alloc(10), headers: { 'Upload-Offset': '30', 'Content-Type': 'application/offset+octet-stream' } });
  expectProblem(assert, late, 410);
  assert.equal((await tusCall(s, 'HEAD', path, { token: t })).status, 410); // HEAD: no body
});

test('a creation refused mid-body leaves no upload behind to eat the quota', async () => {
  const s = await server({ args: ['--transcode-workers', '0', '--upload-daily-quota', '2'] });
  const t = await login(s, 'agent4');
  const wrong = createHash('sha256').update('something else').digest('base64');
  for (let i = 0; i < 3; i++) {
    const r = await tusCall(s, 'POST', '/api/v1/uploads', { token: t, body: Buffer.alloc(30, 1),
      headers: { 'Upload-Length': '100', 'Content-Type': 'application/offset+octet-stream', 'Upload-Checksum': `sha256 ${wrong}` } });
    assert.equal(r.status, 460);
    assert.equal(r.headers.get('location'), null, 'no URL to resume: so no upload either');
  }
  // the refused attempts did not use up today's two uploads
  const ok = await eventually(() => tusCall(s, 'POST', '/api/v1/uploads', { token: t, headers: { 'Upload-Length': '100' } }), (r) => r.status !== 429);
  assert.equal(ok.status, 201, ok.body);
});

test('the daily quota holds when many uploads start at once, on either path', async () => {
  const s = await server({ args: ['--transcode-workers', '0', '--upload-daily-quota', '3'] });
  const t = await login(s, 'agent5');
  const length = { 'Upload-Length': String(clip.length) };
  const creations = await Promise.all(Array.from({ length: 12 }, () =>
    tusCall(s, 'POST', '/api/v1/uploads', { token: t, headers: length })));
  const created = creations.filter((r) => r.status === 201);
  assert.equal(created.length, 3, creations.map((r) => r.status).join(' '));
  for (const r of creations.filter((r) => r.status !== 201)) {
    assert.match(expectProblem(assert, r, 429).type, /upload-quota$/);
  }
  // three open uploads fill the day: one-shots are refused as well
  const shots = await Promise.all(Array.from({ length: 4 }, () =>
    api(s, 'POST', '/api/v1/videos?title=more', { token: t, body: clip, headers: { 'content-type': 'video/mp4' } })));
  assert.deepEqual(shots.map((r) => r.status), [429, 429, 429, 429]);
  // finishing the three gives three clips, no more
  for (const r of created) {
    const path = new URL(r.headers.get('location'), s.url).pathname;
    const done = await tusCall(s, 'PATCH', path, { token: t, body: clip,
      headers: { 'Upload-Offset': '0', 'Content-Type': 'application/offset+octet-stream' } });
    assert.equal(done.status, 204, done.body);
  }
  const mine = await api(s, 'GET', '/api/v1/me/videos', { token: t });
  assert.equal(mine.json.items.length, 3);
  expectProblem(assert, await api(s, 'POST', '/api/v1/videos', { token: t, body: clip, headers: { 'content-type': 'video/mp4' } }), 429);
});

test('a one-shot upload holds its quota slot while the body streams, and frees it when cut off', async () => {
  // (a short connection timeout: the slot must come back when the connection ends, however
  // the server learns of it)
  const s = await server({ args: ['--transcode-workers', '0', '--upload-daily-quota', '1', '--connection-timeout', '5'] });
  const t = await login(s, 'agent6');
  // Expect: 100-continue: the server has taken the upload (and its slot) when it invites the body
  const slow = http.request(`${s.url}/api/v1/videos?title=slow`, { method: 'POST',
    headers: { Authorization: `Bearer ${t}`, 'Content-Type': 'video/mp4', 'Content-Length': String(clip.length),
      Expect: '100-continue' } });
  slow.on('error', () => {});
  await new Promise((resolve) => slow.on('continue', () => slow.write(clip.subarray(0, 100_000), resolve)));
  const create = () => tusCall(s, 'POST', '/api/v1/uploads', { token: t, headers: { 'Upload-Length': '100' } });
  expectProblem(assert, await create(), 429);
  slow.destroy();
  const ok = await eventually(create, (r) => r.status !== 429, 10000);
  assert.equal(ok.status, 201, `${ok.body}\nserver log:\n${s.stderr.slice(-3000)}`);
});

test('a PATCH whose connection goes silent frees the upload after --upload-idle-timeout, keeping what arrived', async () => {
  const s = await server({ args: ['--transcode-workers', '0', '--upload-idle-timeout', '2'] });
  const t = await login(s, 'agent3');
  const created = await tusCall(s, 'POST', '/api/v1/uploads', { token: t, headers: { 'Upload-Length': String(clip.length) } });
  const path = new URL(created.headers.get('location'), s.url).pathname;
  // a phone that switched networks: headers and 200 kB, then silence, and the socket never closes
  const { hostname, port } = new URL(s.url);
  const phone = net.connect(Number(port), hostname);
  phone.on('error', () => {});
  phone.write(`PATCH ${path} HTTP/1.1\r\nHost: ${hostname}\r\nAuthorization: Bearer ${t}\r\n` +
    `Tus-Resumable: 1.0.0\r\nUpload-Offset: 0\r\nContent-Type: application/offset+octet-stream\r\n` +
    `Content-Length: ${clip.length}\r\n\r\n`);
  phone.write(clip.subarray(0, 200_000));
  const patch = (offset, body) => tusCall(s, 'PATCH', path, { token: t, body,
    headers: { 'Upload-Offset': String(offset), 'Content-Type': 'application/offset+octet-stream' } });
  // (probed at a wrong offset, so a probe that gets in first changes nothing: 409)
  expectProblem(assert, await eventually(() => patch(1, Buffer.alloc(10)), (r) => r.status === 423), 423);
  // the retry of a real client (tus-js-client waits 0, 1, 3 and 5 s) finds it free, at the bytes that arrived
  const since = Date.now();
  const head = await eventually(() => tusCall(s, 'HEAD', path, { token: t }),
    (r) => r.headers.get('upload-offset') === '200000', 8000);
  assert.equal(head.headers.get('upload-offset'), '200000');
  assert.ok(Date.now() - since < 6000, `freed after ${Date.now() - since} ms`);
  const rest = await patch(200_000, clip.subarray(200_000));
  assert.equal(rest.status, 204, rest.body);
  assert.equal(rest.headers.get('tus-resumable'), '1.0.0', 'once, not repeated');
  phone.destroy();
});

test('one-shot upload streams the raw body and answers 202 with the video', async () => {
  const s = await server({ args: ['--transcode-workers', '1', '--upload-daily-quota', '2', '--upload-max', '4000000'] });
  const t = await login(s, 'agent7');
  const r = await api(s, 'POST', '/api/v1/videos?title=Refund%20rule&tags=refunds', { token: t, body: clip, headers: { 'content-type': 'video/mp4' } });
  assert.equal(r.status, 202, r.body);
  assert.equal(r.json.status, 'processing');
  assert.equal(r.headers.get('location'), `/api/v1/videos/${r.json.id}`);
  assert.deepEqual(r.json.tags, ['refunds']);
  expectProblem(assert, await api(s, 'POST', '/api/v1/videos', { token: t, body: 'hello', headers: { 'content-type': 'text/plain' } }), 415);
  expectProblem(assert, await api(s, 'POST', '/api/v1/videos', { token: t, body: Buffer.alloc(0), headers: { 'content-type': 'video/mp4' } }), 400);
  // too big: refused on the headers alone, before the body is sent
  const big = await expectContinue(s, t, '/api/v1/videos', Buffer.alloc(4_100_000), 'video/mp4');
  assert.equal(big.status, 413);
  assert.equal(big.sent, false);
  const badTag = expectProblem(assert, await api(s, 'POST', '/api/v1/videos?tags=nope', { token: t, body: clip, headers: { 'content-type': 'video/mp4' } }), 422);
  assert.equal(badTag.field, 'tags');
  const longTitle = expectProblem(assert, await api(s, 'POST', `/api/v1/videos?title=${'x'.repeat(101)}`, { token: t, body: clip, headers: { 'content-type': 'video/mp4' } }), 422);
  assert.equal(longTitle.field, 'title');
  // someone else cannot see a clip that is not published; a trainer can
  const other = await login(s, 'agent8');
  expectProblem(assert, await api(s, 'GET', `/api/v1/videos/${r.json.id}`, { token: other }), 404);
  const trainer = await login(s, 'trainer1');
  assert.equal((await api(s, 'GET', `/api/v1/videos/${r.json.id}`, { token: trainer })).status, 200);
  const v = await waitForVideo(s, t, r.json.id);
  assert.equal(v.status, 'pending_review', v.error);
  // a text file fails with a readable error, and the worker lives on
  const txt = await api(s, 'POST', '/api/v1/videos?title=notes', { token: t, body: 'just some notes\n'.repeat(100), headers: { 'content-type': 'application/octet-stream' } });
  assert.equal(txt.status, 202);
  const failed = await waitForVideo(s, t, txt.json.id);
  assert.equal(failed.status, 'failed');
  assert.match(failed.error, /unsupported|damaged|not a video/i);
  assert.equal(failed.error_code, 'not-a-video');
  assert.equal(failed.urls, null);
  assert.equal(v.error_code, null, 'only a failed clip has an error code');
  // the daily quota counts today's uploads
  expectProblem(assert, await api(s, 'POST', '/api/v1/videos', { token: t, body: clip, headers: { 'content-type': 'video/mp4' } }), 429);
  const mine = await api(s, 'GET', '/api/v1/me/videos', { token: t });
  assert.deepEqual(mine.json.items.map((x) => x.status), ['failed', 'pending_review']);
});

test('a failed transcode says why as a stable error_code next to the English error', async () => {
  const s = await server({ args: ['--transcode-workers', '1'] });
  const t = await login(s, 'agent2');
  const upload = async (title, body) => {
    const r = await api(s, 'POST', `/api/v1/videos?title=${title}`, { token: t, body, headers: { 'content-type': 'application/octet-stream' } });
    assert.equal(r.status, 202, r.body);
    return r.json.id;
  };
  const audio = await upload('sound', readFileSync(makeClip('audio-only.m4a', { seconds: 1, args: ['-vn'] })));
  const playlist = await upload('list', '#EXTM3U\n#EXTINF:2,\nhttp://example.com/a.ts\n');
  const want = { [audio]: ['audio-only', /audio-only/], [playlist]: ['playlist', /playlist/] };
  for (const [id, [code, text]] of Object.entries(want)) {
    const v = await waitForVideo(s, t, Number(id));
    assert.equal(v.status, 'failed');
    assert.equal(v.error_code, code);
    assert.match(v.error, text);
  }
  const mine = (await api(s, 'GET', '/api/v1/me/videos', { token: t })).json.items;
  assert.deepEqual(mine.map((v) => v.error_code), ['playlist', 'audio-only']);
});

test('a clip removed while it waits for a worker stays removed', async () => {
  const first = await server({ args: ['--transcode-workers', '0'] });
  const t = await login(first, 'agent2');
  const post = (title) => api(first, 'POST', `/api/v1/videos?title=${title}`, { token: t, body: clip, headers: { 'content-type': 'video/mp4' } });
  const gone = (await post('regretted')).json.id;
  const kept = (await post('kept')).json.id;
  assert.equal((await api(first, 'DELETE', `/api/v1/videos/${gone}`, { token: t })).status, 204);
  await first.stop();
  const again = await server({ dataDir: first.dir, args: ['--transcode-workers', '1'] });
  const t2 = await login(again, 'agent2');
  assert.equal((await waitForVideo(again, t2, kept)).status, 'pending_review');
  expectProblem(assert, await api(again, 'GET', `/api/v1/videos/${gone}`, { token: t2 }), 404);
  const mine = (await api(again, 'GET', '/api/v1/me/videos', { token: t2 })).json.items.map((v) => v.title);
  assert.ok(!mine.includes('regretted'), mine.join());
});

test('an upload whose last PATCH cannot become a video is not reported complete', async () => {
  const s = await server({ args: ['--transcode-workers', '0'] });
  const t = await login(s, 'agent5');
  const admin = await login(s, 'admin');
  const path = await createUpload(s, t, clip.length, `filename ${b64('a.mp4')},tags ${b64('empathy')}`);
  // the tag is renamed while the phone is still uploading
  const tag = (await api(s, 'GET', '/api/v1/tags', { token: admin })).json.items.find((x) => x.name === 'empathy');
  assert.equal((await api(s, 'PATCH', `/api/v1/tags/${tag.id}`, { token: admin, json: { name: 'empathy-skills' } })).status, 200);
  const r = await tusCall(s, 'PATCH', path, { token: t, body: clip, headers: { 'Upload-Offset': '0', 'Content-Type': 'application/offset+octet-stream' } });
  assert.equal(r.status, 422, r.body);
  assert.equal(await offsetOf(s, t, path), 0, 'HEAD does not claim the upload is complete');
});

test('a transcode that crashes takes down its own process, not the server', async () => {
  const long = readFileSync(longClip());
  const s = await server({ args: ['--transcode-workers', '1'] });
  const t = await login(s, 'agent2');
  const r = await api(s, 'POST', '/api/v1/videos?title=crash', { token: t, body: long, headers: { 'content-type': 'video/mp4' } });
  assert.equal(r.status, 202);
  // a file that trips a decoder every time: each attempt's transcoder aborts
  const seen = new Set();
  for (let attempt = 1; attempt <= 3; attempt++)
    process.kill(await newTranscoder(s, seen), 'SIGABRT');
  const v = await waitForVideo(s, t, r.json.id);
  assert.equal(v.status, 'failed');
  assert.equal(v.error_code, 'unsupported');
  assert.equal(s.stderr.match(/transcoder died of signal 6/g).length, 3);
  assert.match(s.stderr, /without a result \(attempt 1 of 3\), trying again/);
  // and an operator sees it at /metrics: three crashed children, two retries, one failure
  const m = (await api(s, 'GET', '/metrics')).body;
  assert.match(m, /^casereel_transcode_children_killed_total\{reason="crash"\} 3$/m);
  assert.match(m, /^casereel_transcode_retries_total 2$/m);
  assert.match(m, /^casereel_transcode_failures_total\{error_code="unsupported"\} 1$/m);
  // the server lives on: it answers, and the next clip transcodes as usual
  assert.equal((await api(s, 'GET', '/healthz')).status, 200);
  const next = await api(s, 'POST', '/api/v1/videos?title=fine', { token: t, body: clip, headers: { 'content-type': 'video/mp4' } });
  assert.equal((await waitForVideo(s, t, next.json.id)).status, 'pending_review');
  assert.deepEqual(childrenOf(s.proc.pid), [], 'no transcoder left behind');
});

test('a stop signal sent to every process (as systemd does) requeues the clip, it does not fail it', async () => {
  const long = readFileSync(longClip());
  const first = await server({ args: ['--transcode-workers', '1'] });
  const t = await login(first, 'agent3');
  const r = await api(first, 'POST', '/api/v1/videos?title=stopped', { token: t, body: long, headers: { 'content-type': 'video/mp4' } });
  assert.equal(r.status, 202);
  const child = await newTranscoder(first, new Set());
  process.kill(child, 'SIGTERM');
  process.kill(child, 'SIGINT');
  await first.stop('SIGTERM');
  assert.match(first.stderr, /interrupted by shutdown, requeued/);
  const again = await server({ dataDir: first.dir, args: ['--transcode-workers', '1'] });
  const v = await waitForVideo(again, t, r.json.id, { timeoutMs: 120000 });
  assert.equal(v.status, 'pending_review', v.error);
});

test('SIGKILL during a transcode: the job is claimed again after restart and finishes', async () => {
  const long = readFileSync(longClip());
  const first = await server({ args: ['--transcode-workers', '1'] });
  const t = await login(first, 'agent1');
  const r = await api(first, 'POST', '/api/v1/videos?title=long', { token: t, body: long, headers: { 'content-type': 'video/mp4' } });
  assert.equal(r.status, 202);
  await waitForVideo(first, t, r.json.id, { done: (v) => v.progress > 0 || v.status !== 'processing' });
  await first.stop('SIGKILL');
  const again = await server({ dataDir: first.dir, args: ['--transcode-workers', '1'] });
  const v = await waitForVideo(again, t, r.json.id, { timeoutMs: 120000 });
  assert.equal(v.status, 'pending_review', v.error);
  assert.ok(Math.abs(v.duration - 40) < 0.5, `duration ${v.duration}`);
  assert.match(again.stderr, /requeued 1 transcode job/);
});
