// Waiting for a clip to leave "processing".
import { setTimeout as sleep } from 'node:timers/promises';
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
