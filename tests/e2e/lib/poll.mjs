// Waiting for a clip to leave "processing", or for the demo's background
// work; publishing a clip.
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

/** Polls /healthz until a `--demo` server's background work is done: its
 *  demo clips transcoded and published (the feed has them) and the learning
 *  loop's demo world made. Resolves with the demo status
 *  {clips_planned, clips_published, ready}. The timeout grows with the
 *  clips planned (ASan builds transcode slowly). */
export async function waitForDemo(server, { timeoutMs } = {}) {
  const start = Date.now();
  for (;;) {
    const r = await api(server, 'GET', '/healthz');
    const demo = r.json?.demo;
    if (r.status === 200 && demo?.ready) return demo;
    const limit = timeoutMs ?? 30000 + (demo?.clips_planned ?? 0) * 15000;
    if (Date.now() - start > limit)
      throw new Error(`the demo is not ready after ${limit} ms: ${r.body}\n${server.stderr.slice(-2000)}`);
    await sleep(250);
  }
}

/** Polls the feed as `token` until it has at least `count` items; resolves
 *  with them. */
export async function waitForFeed(server, token, count, { timeoutMs = 90000 } = {}) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const r = await api(server, 'GET', '/api/v1/feed?limit=50', { token });
    if (r.status === 200 && r.json.items.length >= count) return r.json.items;
    if (Date.now() > until) throw new Error(`the feed has ${r.json?.items?.length} items, not ${count}: ${r.body.slice(0, 300)}`);
    await sleep(250);
  }
}
