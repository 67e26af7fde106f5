// tus 1.0 conformance beyond the happy path: sha1 next to sha256 checksums,
// X-HTTP-Method-Override, Tus-Resumable on every answer (the glue's refusals
// too), and a PATCH aborted mid-body resumed at once by tus-js-client.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { Readable } from 'node:stream';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tus from 'tus-js-client';
import { serverPool, api, login, expectProblem } from './lib/server.mjs';
import { makeClip } from './lib/media.mjs';

let clip;
before(() => {
  clip = readFileSync(makeClip('tus.mp4', { seconds: 3 }));
  assert.ok(clip.length > 1_000_000, 'the test clip should be big enough to cut in pieces');
});

const server = serverPool(after);

const b64 = (s) => Buffer.from(s).toString('base64');
const digest = (alg, buf) => createHash(alg).update(buf).digest('base64');
const octets = { 'Content-Type': 'application/offset+octet-stream' };

/** Raw tus request with the protocol header set. */
function tusCall(s, method, path, { token, headers = {}, body } = {}) {
  return api(s, method, path, { token, body, headers: { 'Tus-Resumable': '1.0.0', ...headers } });
}

async function createUpload(s, token, length) {
  const r = await tusCall(s, 'POST', '/api/v1/uploads', { token, headers: { 'Upload-Length': String(length), 'Upload-Metadata': `filename ${b64('a.mp4')}` } });
  assert.equal(r.status, 201, r.body);
  return new URL(r.headers.get('location'), s.url).pathname;
}

async function offsetOf(s, token, path) {
  const r = await tusCall(s, 'HEAD', path, { token });
  assert.equal(r.status, 200);
  return Number(r.headers.get('upload-offset'));
}

/** The bytes the server holds for upload `path`. */
const fileOf = (s, path) => readFileSync(join(s.dir, 'media/incoming', path.split('/').pop()));

/** Asserts a HEAD's answer (which has no body) is `status` with Tus-Resumable. */
function tusHead(r, status) {
  assert.equal(r.status, status);
  assert.equal(r.headers.get('tus-resumable'), '1.0.0', `Tus-Resumable on the HEAD's ${status}`);
}

/** Asserts `r` is a problem of `status` that says Tus-Resumable; returns its body. */
function tusProblem(r, status) {
  const p = expectProblem(assert, r, status);
  assert.equal(r.headers.get('tus-resumable'), '1.0.0', `Tus-Resumable on the ${status}`);
  return p;
}

test('Upload-Checksum may be sha1 or sha256; a mismatch is 460 "Checksum Mismatch" and keeps nothing', async () => {
  const s = await server({ args: ['--transcode-workers', '0'] });
  const t = await login(s, 'agent1');
  const opts = await api(s, 'OPTIONS', '/api/v1/uploads');
  assert.deepEqual(opts.headers.get('tus-checksum-algorithm').split(','), ['sha1', 'sha256']);
  assert.match(opts.headers.get('tus-extension'), /(^|,)checksum(,|$)/);

  const path = await createUpload(s, t, 100);
  const patch = (offset, body, checksum) => tusCall(s, 'PATCH', path, { token: t, body,
    headers: { ...octets, 'Upload-Offset': String(offset), 'Upload-Checksum': checksum } });
  const first = Buffer.alloc(40, 1), second = Buffer.alloc(30, 2), third = Buffer.alloc(30, 3);

  // sha1 of other bytes: refused, with the problem's own title, and the offset stays
  const bad = await patch(0, first, `sha1 ${digest('sha1', second)}`);
  const p = tusProblem(bad, 460);
  assert.equal(p.title, 'Checksum Mismatch');
  assert.match(p.type, /checksum-mismatch$/);
  assert.equal(await offsetOf(s, t, path), 0);

  // sha1 of these bytes: kept
  const ok = await patch(0, first, `sha1 ${digest('sha1', first)}`);
  assert.equal(ok.status, 204, ok.body);
  assert.equal(ok.headers.get('upload-offset'), '40');
  // sha256 still works, on the next PATCH of the same upload
  const ok256 = await patch(40, second, `sha256 ${digest('sha256', second)}`);
  assert.equal(ok256.status, 204, ok256.body);
  assert.equal(ok256.headers.get('upload-offset'), '70');
  // a sha256 digest sent as sha1 (wrong size) and an algorithm we do not know: 400, nothing kept
  assert.match(tusProblem(await patch(70, third, `sha1 ${digest('sha256', third)}`), 400).type, /bad-checksum$/);
  const md5 = tusProblem(await patch(70, third, `md5 ${digest('md5', third)}`), 400);
  assert.match(md5.detail, /sha1,sha256/);
  assert.equal(await offsetOf(s, t, path), 70);
  assert.deepEqual(fileOf(s, path), Buffer.concat([first, second]));

  // creation-with-upload checks a sha1 too
  const created = await tusCall(s, 'POST', '/api/v1/uploads', { token: t, body: first,
    headers: { ...octets, 'Upload-Length': '100', 'Upload-Checksum': `sha1 ${digest('sha1', first)}` } });
  assert.equal(created.status, 201, created.body);
  assert.equal(created.headers.get('upload-offset'), '40');
  const refused = await tusCall(s, 'POST', '/api/v1/uploads', { token: t, body: first,
    headers: { ...octets, 'Upload-Length': '100', 'Upload-Checksum': `sha1 ${digest('sha1', second)}` } });
  assert.equal(tusProblem(refused, 460).title, 'Checksum Mismatch');
  assert.equal(refused.headers.get('location'), null);

  // tus-js-client with a whole clip, each chunk checked against its sha1
  const url = await new Promise((resolve, reject) => {
    const up = new tus.Upload(clip, {
      endpoint: `${s.url}/api/v1/uploads`, chunkSize: 1024 * 1024, retryDelays: [],
      headers: { Authorization: `Bearer ${t}` }, metadata: { filename: 'c.mp4' },
      onBeforeRequest: (req) => {
        if (req.getMethod() !== 'PATCH') return;
        const offset = Number(req.getHeader('Upload-Offset'));
        req.setHeader('Upload-Checksum', `sha1 ${digest('sha1', clip.subarray(offset, offset + 1024 * 1024))}`);
      },
      onError: reject, onSuccess: () => resolve(up.url),
    });
    up.start();
  });
  assert.equal(digest('sha256', fileOf(s, new URL(url).pathname)), digest('sha256', clip));
});

test('X-HTTP-Method-Override: a POST is served as the PATCH, HEAD or DELETE it names, with the same checks', async () => {
  const s = await server({ args: ['--transcode-workers', '0'] });
  const t = await login(s, 'agent2');
  const other = await login(s, 'agent3');
  const path = await createUpload(s, t, clip.length);
  const as = (method, { token = t, headers = {}, body } = {}) => tusCall(s, 'POST', path, { token, body,
    headers: { 'X-HTTP-Method-Override': method, ...headers } });

  // PATCH through a POST: the body streams to the upload as a PATCH's would
  const half = 1_500_000;
  const first = await as('PATCH', { body: clip.subarray(0, half), headers: { ...octets, 'Upload-Offset': '0' } });
  assert.equal(first.status, 204, first.body);
  assert.equal(first.headers.get('upload-offset'), String(half));
  assert.equal(first.headers.get('tus-resumable'), '1.0.0');
  assert.equal(first.headers.get('location'), null, 'not taken for a creation');
  // HEAD through a POST
  const head = await as('HEAD');
  assert.equal(head.status, 200);
  assert.equal(head.headers.get('upload-offset'), String(half));
  assert.equal(head.headers.get('upload-length'), String(clip.length));
  // the PATCH's checks hold: someone else's upload, no login, a wrong offset, a wrong type
  tusProblem(await as('PATCH', { token: other, body: 'x', headers: { ...octets, 'Upload-Offset': String(half) } }), 404);
  tusProblem(await as('PATCH', { token: null, body: 'x', headers: { ...octets, 'Upload-Offset': String(half) } }), 401);
  tusProblem(await as('PATCH', { body: 'x', headers: { ...octets, 'Upload-Offset': '0' } }), 409);
  tusProblem(await as('PATCH', { body: 'x', headers: { 'Content-Type': 'text/plain', 'Upload-Offset': String(half) } }), 415);
  tusProblem(await as('DELETE', { token: other }), 404);
  // a method the path does not have is a 405, as if sent plainly
  const put = tusProblem(await as('PUT', { body: 'x' }), 405);
  assert.match(put.detail, /PUT/);
  assert.equal(await offsetOf(s, t, path), half, 'nothing refused moved the offset');
  // the rest through a POST too: the upload completes and becomes a video
  const rest = await as('PATCH', { body: clip.subarray(half), headers: { ...octets, 'Upload-Offset': String(half) } });
  assert.equal(rest.status, 204, rest.body);
  assert.ok(Number(rest.headers.get('casereel-video-id')) > 0);
  assert.equal(digest('sha256', fileOf(s, path)), digest('sha256', clip));

  // DELETE through a POST terminates an upload
  const doomed = await createUpload(s, t, 100);
  const del = await tusCall(s, 'POST', doomed, { token: t, headers: { 'X-HTTP-Method-Override': 'DELETE' } });
  assert.equal(del.status, 204, del.body);
  tusHead(await tusCall(s, 'HEAD', doomed, { token: t }), 404);
  // on the creation URL a POST naming PATCH is no creation: 405
  const odd = tusProblem(await tusCall(s, 'POST', '/api/v1/uploads', { token: t,
    headers: { 'X-HTTP-Method-Override': 'PATCH', 'Upload-Length': '10' } }), 405);
  assert.match(odd.detail, /PATCH/);
  // tus-js-client's own switch for it: every PATCH goes as a POST
  const methods = new Set();
  const url = await new Promise((resolve, reject) => {
    const up = new tus.Upload(clip, {
      endpoint: `${s.url}/api/v1/uploads`, chunkSize: 1024 * 1024, retryDelays: [], overridePatchMethod: true,
      headers: { Authorization: `Bearer ${t}` }, metadata: { filename: 'o.mp4' },
      onBeforeRequest: (req) => methods.add(`${req.getMethod()} ${req.getHeader('X-HTTP-Method-Override') ?? ''}`.trim()),
      onError: reject, onSuccess: () => resolve(up.url),
    });
    up.start();
  });
  assert.deepEqual([...methods].sort(), ['POST', 'POST PATCH']);
  assert.equal(digest('sha256', fileOf(s, new URL(url).pathname)), digest('sha256', clip));
  // only tus routes honour it: a login stays a login
  const loginAsDelete = await api(s, 'POST', '/api/v1/auth/login', { json: { username: 'agent2', password: 'demo1234' },
    headers: { 'X-HTTP-Method-Override': 'DELETE' } });
  assert.equal(loginAsDelete.status, 200, loginAsDelete.body);
});

test('every tus answer says Tus-Resumable: the glue refusals and problems included', async () => {
  const s = await server({ args: ['--transcode-workers', '0', '--upload-max', '5000000'] });
  const admin = await login(s, 'admin');
  const t = await login(s, 'agent4');
  const other = await login(s, 'agent5');
  const path = await createUpload(s, t, 100);
  const patch = (headers, { token = t, body = 'x' } = {}) => tusCall(s, 'PATCH', path, { token, body, headers: { ...octets, ...headers } });

  tusProblem(await patch({ 'Upload-Offset': '0' }, { token: null }), 401);
  tusProblem(await patch({ 'Upload-Offset': '0' }, { token: 'not-a-token' }), 401);
  // a user who must change their password first is refused by the glue: 403
  const made = await api(s, 'POST', '/api/v1/users', { token: admin, json: { username: 'newbie', display_name: 'New Bie', password: 'given-by-admin-7' } });
  assert.equal(made.status, 201, made.body);
  const newbie = await login(s, 'newbie', 'given-by-admin-7');
  assert.match(tusProblem(await tusCall(s, 'POST', '/api/v1/uploads', { token: newbie, headers: { 'Upload-Length': '10' } }), 403).type, /password-change-required$/);
  tusHead(await tusCall(s, 'HEAD', path, { token: other }), 404);
  tusProblem(await patch({ 'Upload-Offset': '0' }, { token: other }), 404);
  tusHead(await tusCall(s, 'HEAD', '/api/v1/uploads/0123456789abcdef0123456789abcdef', { token: t }), 404);
  tusHead(await tusCall(s, 'HEAD', path, { token: null }), 401);
  // a method a tus route lacks: 405 naming the ones it has
  const put = await tusCall(s, 'PUT', path, { token: t, body: 'x' });
  tusProblem(put, 405);
  assert.deepEqual(put.headers.get('allow').split(', ').sort(), ['DELETE', 'GET', 'HEAD', 'PATCH']);
  const creationPut = await tusCall(s, 'PUT', '/api/v1/uploads', { token: t, body: 'x' });
  tusProblem(creationPut, 405);
  assert.deepEqual(creationPut.headers.get('allow').split(', ').sort(), ['OPTIONS', 'POST']);
  tusProblem(await patch({ 'Upload-Offset': '5' }), 409);
  const noVersion = await api(s, 'PATCH', path, { token: t, body: 'x', headers: { ...octets, 'Upload-Offset': '0' } });
  tusProblem(noVersion, 412);
  tusProblem(await tusCall(s, 'POST', '/api/v1/uploads', { token: t, headers: { 'Upload-Length': '6000000' } }), 413);
  tusProblem(await patch({ 'Upload-Offset': '0' }, { body: Buffer.alloc(101) }), 413);
  tusProblem(await tusCall(s, 'PATCH', path, { token: t, body: 'x', headers: { 'Content-Type': 'text/plain', 'Upload-Offset': '0' } }), 415);
  tusProblem(await patch({ 'Upload-Offset': '0', 'Upload-Checksum': `sha1 ${digest('sha1', 'y')}` }), 460);
  tusProblem(await patch({ 'Upload-Offset': 'zero' }), 400);
  // 423: a live PATCH holds the upload (its client is still sending)
  const holder = http.request(`${s.url}${path}`, { method: 'PATCH', headers: { Authorization: `Bearer ${t}`,
    'Tus-Resumable': '1.0.0', ...octets, 'Upload-Offset': '0', 'Content-Length': '60' } });
  holder.on('error', () => {});
  holder.write(Buffer.alloc(10));
  // (probed at a wrong offset: before the holder's PATCH gets in that is a 409 and writes nothing)
  let locked;
  for (let i = 0; i < 60 && locked?.status !== 423; i++) locked = await patch({ 'Upload-Offset': '1' });
  tusProblem(locked, 423);
  tusProblem(await tusCall(s, 'DELETE', path, { token: t }), 423);
  holder.end(Buffer.alloc(50));
  // and the successes say it once
  const done = await new Promise((resolve) => holder.on('response', resolve));
  assert.equal(done.statusCode, 204);
  assert.equal(done.headers['tus-resumable'], '1.0.0');
  const head = await tusCall(s, 'HEAD', path, { token: t });
  assert.equal(head.headers.get('tus-resumable'), '1.0.0', 'once, not repeated');
  assert.equal((await api(s, 'OPTIONS', '/api/v1/uploads')).headers.get('tus-resumable'), '1.0.0');
  // other routes do not say it
  assert.equal((await api(s, 'GET', '/api/v1/me', { token: t })).headers.get('tus-resumable'), null);
});

/** Sends `part` of a PATCH declared `total` bytes long and cuts the
 *  connection once the server has written the part to the upload's file
 *  (it answers nothing before the end of the body). */
function cutPatch(s, token, path, offset, part, total) {
  return new Promise((resolve, reject) => {
    const req = http.request(`${s.url}${path}`, {
      method: 'PATCH', agent: false,
      headers: { Authorization: `Bearer ${token}`, 'Tus-Resumable': '1.0.0', ...octets,
        'Upload-Offset': String(offset), 'Content-Length': String(total) },
    });
    req.on('error', () => {});
    const until = Date.now() + 10000;
    const cutWhenWritten = () => {
      if (fileOf(s, path).length >= offset + part.length) { req.destroy(); resolve(); }
      else if (Date.now() > until) reject(new Error(`the server wrote ${fileOf(s, path).length} bytes`));
      else setTimeout(cutWhenWritten, 10);
    };
    req.write(part, cutWhenWritten);
  });
}

for (const threads of [0, 1]) {
  const where = threads ? 'on a one-thread server' : 'on a default server';
  test(`right after a cut PATCH, HEAD gives the kept offset and the next PATCH or DELETE gets in (${where})`, async () => {
    const s = await server({ args: ['--transcode-workers', '0', '--http-threads', String(threads)] });
    const t = await login(s, 'agent6');
    const path = await createUpload(s, t, clip.length);
    await cutPatch(s, t, path, 0, clip.subarray(0, 600_000), clip.length);
    // no waiting, no retry: the first HEAD already knows, and every byte written counts
    const kept = await offsetOf(s, t, path);
    assert.equal(kept, 600_000);
    const rest = await tusCall(s, 'PATCH', path, { token: t, body: clip.subarray(kept), headers: { ...octets, 'Upload-Offset': String(kept) } });
    assert.equal(rest.status, 204, rest.body);
    assert.equal(digest('sha256', fileOf(s, path)), digest('sha256', clip));

    const doomed = await createUpload(s, t, clip.length);
    await cutPatch(s, t, doomed, 0, clip.subarray(0, 300_000), clip.length);
    const del = await tusCall(s, 'DELETE', doomed, { token: t });
    assert.equal(del.status, 204, del.body);
  });
}

/** tus-js-client's file reader, but each chunk trickles out in 64 KiB pieces
 *  every 20 ms, as from a phone on a slow network: a PATCH is still mid-body
 *  when the test aborts it. */
const tricklingReader = {
  openFile: (input) => Promise.resolve({
    size: input.length,
    close() {},
    slice(start, end) {
      end = Math.min(end, input.length);
      async function* pieces() {
        for (let o = start; o < end; o += 65536) {
          await new Promise((r) => setTimeout(r, 20));
          yield input.subarray(o, Math.min(o + 65536, end));
        }
      }
      const value = Object.assign(Readable.from(pieces(), { objectMode: false }), { size: end - start });
      return Promise.resolve({ value, done: end >= input.length });
    },
  }),
};

for (const threads of [0, 1]) {
  const where = threads ? 'on a one-thread server' : 'on a default server';
  test(`tus-js-client abort() mid-PATCH then start() resumes at once with retryDelays [0, 1000, 3000] (${where})`, async () => {
    const s = await server({ args: ['--transcode-workers', '0', '--http-threads', String(threads)] });
    const t = await login(s, 'agent7');
    const afterAbort = [];
    let sentAtAbort = 0;
    const url = await new Promise((resolve, reject) => {
      const up = new tus.Upload(clip, {
        endpoint: `${s.url}/api/v1/uploads`, chunkSize: Infinity, fileReader: tricklingReader,
        retryDelays: [0, 1000, 3000],
        headers: { Authorization: `Bearer ${t}` }, metadata: { filename: 'aborted.mp4' },
        onAfterResponse: (req, res) => {
          if (sentAtAbort) afterAbort.push({ method: req.getMethod(), status: res.getStatus(), offset: res.getHeader('Upload-Offset') });
        },
        onProgress: (sent) => {
          if (sentAtAbort || sent < 700_000) return;
          sentAtAbort = sent;
          up.abort().then(() => up.start());
        },
        onError: reject,
        onSuccess: () => resolve(up.url),
      });
      up.start();
    });
    const path = new URL(url).pathname;
    const heads = afterAbort.filter((r) => r.method === 'HEAD');
    assert.ok(heads.length > 0, JSON.stringify(afterAbort));
    // the first HEAD after the abort already reports the bytes the aborted PATCH got in
    const kept = Number(heads[0].offset);
    assert.ok(kept > 0 && kept <= sentAtAbort, `kept ${kept} of ${sentAtAbort}: ${JSON.stringify(afterAbort)}`);
    const info = await api(s, 'GET', path, { token: t });
    assert.equal(info.json.offset, clip.length);
    assert.ok(info.json.video.id > 0);
    assert.equal(digest('sha256', fileOf(s, path)), digest('sha256', clip));
  });
}
