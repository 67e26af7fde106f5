// Waiting for a clip to leave "processing"; publishing one.
import { setTimeout as sleep } from 'node:timers/promises';
import assert from 'node:assert/strict';
import { api } from './server.mjs';

/** Polls GET /api/v1/videos/{id} until `done(video)` or the timeout. */
export async function waitForVideo(server, token, id, { timeoutMs = 60000, done = (v) => v.status !== 'processing' } = {}) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const r = await api(server, 'GET', `/api/v1/videos/${id}`, { token });
    if (r.status === 200 && done(r.json)) return r.json;
    if (Date.now() > until) throw new Error(`video ${id} still ${r.json?.status} (${r.json?.progress}%)`);
    await sleep(150);
  }
}

/** Uploads `clip` as the creator (token), waits for its transcode and has a
 *  trainer approve it; resolves with the published clip's id. */
export async function publishClip(server, { creator, trainer, clip, title }) {
  const r = await api(server, 'POST', `/api/v1/videos?title=${encodeURIComponent(title)}`,
    { token: creator, body: clip, headers: { 'content-type': 'video/mp4' } });
  assert.equal(r.status, 202, r.body);
  const v = await waitForVideo(server, creator, r.json.id);
  assert.equal(v.status, 'pending_review', v.error);
  const ok = await api(server, 'POST', `/api/v1/videos/${v.id}/review`, { token: trainer, json: { decision: 'approve' } });
  assert.equal(ok.status, 200, ok.body);
  return v.id;
}
