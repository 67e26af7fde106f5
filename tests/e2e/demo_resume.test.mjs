// An interrupted demo start resumes: a first `--demo` start stopped after
// its first clip is published leaves the rest for the next start, which
// publishes every planned clip exactly once, with the same activity and
// points an uninterrupted start gives, and makes the learning loop's world.
// A completed demo is never touched again, and a demo clip deleted later
// does not come back.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startServer, api, login } from './lib/server.mjs';
import { waitForDemo } from './lib/poll.mjs';

const CLIPS = 3;
const AGENTS = 20;
const opts = (dataDir) => ({ clips: CLIPS, agents: AGENTS, dataDir });
const dirs = [];
const fresh = () => {
  const d = mkdtempSync(join(tmpdir(), 'casereel-resume-'));
  dirs.push(d);
  return d;
};
let reference; // what an uninterrupted demo start makes
let resumedDir;

/** What a user sees of the demo: each clip's counts (by title), the seed
 *  agents' points, the trainer's paths and agent1's first gap. */
async function snapshot(s) {
  const trainer = await login(s, 'trainer1');
  const feed = await api(s, 'GET', '/api/v1/feed?limit=50', { token: await login(s, 'agent2') });
  assert.equal(feed.status, 200, feed.body);
  const clips = Object.fromEntries(feed.json.items.map((it) =>
    [it.title, { likes: it.counts.likes, comments: it.counts.comments, views: it.counts.views }]));
  const points = {};
  for (let i = 1; i <= 8; i++) {
    const r = await api(s, 'GET', '/api/v1/me/points', { token: await login(s, `agent${i}`) });
    assert.equal(r.status, 200, r.body);
    points[`agent${i}`] = r.json.balance;
  }
  const paths = await api(s, 'GET', '/api/v1/paths', { token: trainer });
  assert.equal(paths.status, 200, paths.body);
  const agent1 = await login(s, 'agent1');
  const me = (await api(s, 'GET', '/api/v1/me', { token: agent1 })).json;
  const profile = await api(s, 'GET', `/api/v1/users/${me.id}/profile`, { token: agent1 });
  assert.equal(profile.status, 200, profile.body);
  return {
    clips,
    points,
    paths: paths.json.items.map((p) => `${p.name}: ${p.step_count} steps, ${p.assigned} assigned`).sort(),
    gap: profile.json.gaps[0]?.tag ?? null,
  };
}

before(async () => {
  const s = await startServer(opts(fresh()));
  try {
    const demo = await waitForDemo(s);
    assert.deepEqual(demo, { clips_planned: CLIPS, clips_published: CLIPS, ready: true });
    reference = await snapshot(s);
  } finally {
    await s.dispose();
  }
  assert.equal(Object.keys(reference.clips).length, CLIPS);
  assert.ok(Object.values(reference.clips).some((c) => c.likes > 0 && c.comments > 0), JSON.stringify(reference.clips));
  assert.ok(reference.paths.length >= 3, `the loop world has paths: ${reference.paths}`);
  assert.equal(reference.gap, 'refunds');
});

after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

test('a demo start stopped after its first clip is finished by the next start, exactly once', async () => {
  resumedDir = fresh();
  const first = await startServer(opts(resumedDir));
  let demo;
  for (let i = 0; ; i++) {
    demo = (await api(first, 'GET', '/healthz')).json.demo;
    if (demo.clips_published >= 1) break;
    assert.ok(i < 1200, `no demo clip published after 2 minutes: ${first.stderr.slice(-1500)}`);
    await sleep(100);
  }
  first.proc.kill('SIGTERM');
  assert.equal((await first.exited).code, 0, first.stderr.slice(-1500));
  assert.equal(demo.ready, false, 'stopped before the demo was ready');
  assert.ok(demo.clips_published < CLIPS, `stopped with ${demo.clips_published} of ${CLIPS} published`);

  const second = await startServer(opts(resumedDir));
  try {
    const done = await waitForDemo(second);
    assert.deepEqual(done, { clips_planned: CLIPS, clips_published: CLIPS, ready: true });
    assert.match(second.stderr, /demo: resuming the demo an earlier start began: [12] of 3 clips published/);
    const now = await snapshot(second);
    // each clip once, with the activity (likes, comments, views) and points an uninterrupted start gives
    assert.deepEqual(now, reference);
  } finally {
    await second.dispose();
  }
});

test('a completed demo restarted changes nothing', async () => {
  const s = await startServer(opts(resumedDir));
  try {
    const demo = await waitForDemo(s, { timeoutMs: 10000 });
    assert.deepEqual(demo, { clips_planned: CLIPS, clips_published: CLIPS, ready: true });
    assert.doesNotMatch(s.stderr, /making \d+ demo clips|resuming/);
    assert.deepEqual(await snapshot(s), reference);
  } finally {
    await s.dispose();
  }
});

test('a demo clip deleted after the demo completed does not come back', async () => {
  let s = await startServer(opts(resumedDir));
  try {
    await waitForDemo(s, { timeoutMs: 10000 });
    const trainer = await login(s, 'trainer1');
    const feed = (await api(s, 'GET', '/api/v1/feed?limit=50', { token: trainer })).json.items;
    const gone = feed[0];
    assert.equal((await api(s, 'DELETE', `/api/v1/videos/${gone.id}`, { token: trainer })).status, 204);
    await s.dispose();
    s = await startServer(opts(resumedDir));
    await waitForDemo(s, { timeoutMs: 10000 });
    assert.doesNotMatch(s.stderr, /making \d+ demo clips|resuming/);
    const after = (await api(s, 'GET', '/api/v1/feed?limit=50', { token: trainer })).json.items;
    assert.equal(after.length, CLIPS - 1);
    assert.ok(!after.some((it) => it.title === gone.title), `"${gone.title}" came back`);
  } finally {
    await s.dispose();
  }
});
