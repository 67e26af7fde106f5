// Disk as a shared resource: the media disk keeps its free reserve (507), each
// person has a byte quota across open uploads and today's clips, and a cap on
// clips in flight (uploading or waiting for transcoding), on the tus and the
// one-shot path alike. Refusals change nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startServer, api, login, expectProblem } from './lib/server.mjs';
import { makeClip } from './lib/media.mjs';

let clip;
before(() => {
  clip = readFileSync(makeClip('disk.mp4', { seconds: 2 }));
});

const servers = [];
async function server(args) {
  const s = await startServer({ args: ['--transcode-workers', '0', ...args] });
  servers.push(s);
  return s;
}
after(() => Promise.all(servers.map((s) => s.dispose())));

const tusCreate = (s, token, length) => api(s, 'POST', '/api/v1/uploads', {
  token, headers: { 'Tus-Resumable': '1.0.0', 'Upload-Length': String(length) } });
const oneShot = (s, token, body) => api(s, 'POST', '/api/v1/videos?title=case', {
  token, body, headers: { 'content-type': 'video/mp4' } });
const myClips = async (s, token) => (await api(s, 'GET', '/api/v1/me/videos', { token })).json.items.length;

/** A 429 of `type` that says when to come back. */
function expectThrottled(r, type) {
  assert.match(expectProblem(assert, r, 429).type, new RegExp(`/${type}$`));
  assert.ok(Number(r.headers.get('retry-after')) > 0, `Retry-After: ${r.headers.get('retry-after')}`);
}

test('below --min-free-disk the media disk takes no new upload: 507 on either path, nothing kept', async () => {
  const s = await server(['--min-free-disk', String(2 ** 50)]); // 1 PiB: more than this disk has
  const t = await login(s, 'agent1');
  for (const r of [await tusCreate(s, t, 1000), await oneShot(s, t, clip)]) {
    const p = expectProblem(assert, r, 507);
    assert.match(p.type, /\/insufficient-storage$/);
    assert.equal(p.title, 'Insufficient Storage');
    assert.equal(r.headers.get('location'), null);
  }
  assert.equal(await myClips(s, t), 0);
});

test('a person\'s bytes: open uploads and today\'s clips count, a refusal keeps nothing, a cancel gives bytes back', async () => {
  const s = await server(['--upload-user-bytes', String(2 * clip.length + 100)]);
  const t = await login(s, 'agent2');
  const open = await tusCreate(s, t, clip.length);
  assert.equal(open.status, 201, open.body);
  assert.equal((await oneShot(s, t, clip)).status, 202); // today's clip: 2 × clip.length used
  expectThrottled(await tusCreate(s, t, 101), 'upload-byte-quota');
  expectThrottled(await oneShot(s, t, clip), 'upload-byte-quota');
  assert.equal(await myClips(s, t), 1);
  // one clip larger than the whole quota can never fit: 413
  const agent3 = await login(s, 'agent3');
  assert.match(expectProblem(assert, await tusCreate(s, agent3, 2 * clip.length + 101), 413).type, /too-large$/);
  // someone else's bytes are their own
  assert.equal((await tusCreate(s, agent3, clip.length)).status, 201);
  // cancelling the open upload gives its bytes back
  const del = await api(s, 'DELETE', new URL(open.headers.get('location'), s.url).pathname,
    { token: t, headers: { 'Tus-Resumable': '1.0.0' } });
  assert.equal(del.status, 204);
  assert.equal((await tusCreate(s, t, clip.length)).status, 201);
});

test('at most --upload-queue-max clips in flight per person: waiting clips and open uploads count', async () => {
  const s = await server(['--upload-queue-max', '2']);
  const t = await login(s, 'agent4');
  assert.equal((await oneShot(s, t, clip)).status, 202); // waits for a worker (none run)
  assert.equal((await tusCreate(s, t, 1000)).status, 201); // still uploading
  expectThrottled(await tusCreate(s, t, 1000), 'upload-queue-full');
  expectThrottled(await oneShot(s, t, clip), 'upload-queue-full');
  assert.equal(await myClips(s, t), 1);
  // a colleague's clip is not held up by this one's queue
  assert.equal((await oneShot(s, await login(s, 'agent5'), clip)).status, 202);
});
