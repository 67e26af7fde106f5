// Writes others see or that the server keeps a row for (comments, likes,
// watch events, check-ins, tips, orders) come out of a per-user budget: a
// script's burst is cut off with 429 + Retry-After and stores nothing past
// the budget, while a floor of people scrolling, liking and commenting at
// human speed is never refused. The server's clock is moved, never waited on.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { startServer, api, login, expectProblem, advanceClock, problemSlug } from './lib/server.mjs';
import { makeClip } from './lib/media.mjs';
import { publishClip } from './lib/poll.mjs';

const users = ['agent1', 'agent2', 'agent3', 'agent4', 'agent5', 'agent6', 'agent7', 'agent8', 'trainer1', 'admin'];
let s, tok, clip;

const sql = (server, q) => execFileSync('sqlite3', ['-cmd', '.timeout 10000', join(server.dir, 'casereel.db'), q]).toString().trim();
/** Sends `n` requests made by `send(i)` from 50 connections at once (a
 *  phone script, not a connection flood); resolves with every answer and
 *  the wall-clock milliseconds the burst took (`out.ms`). */
async function burst(n, send) {
  const out = [];
  let next = 0;
  const t0 = Date.now();
  await Promise.all(Array.from({ length: 50 }, async () => {
    while (next < n) { const i = next++; out[i] = await send(i); }
  }));
  out.ms = Date.now() - t0;
  return out;
}

/** Asserts a burst got exactly its budget through: `burst` at once plus what
 *  refilled at `perMinute` while it ran (the clock runs on meanwhile); the
 *  rest are 429. Returns how many went through. */
function expectBudget(answers, burstSize, perMinute) {
  const passed = answers.filter((r) => r.status !== 429).length;
  const refilled = Math.ceil((answers.ms / 60000) * perMinute) + 1;
  assert.ok(passed >= burstSize && passed <= burstSize + refilled,
    `${passed} of ${answers.length} went through in ${answers.ms} ms; the budget is ${burstSize} + ${perMinute}/min`);
  return passed;
}
const statuses = (rs) => rs.reduce((m, r) => ({ ...m, [r.status]: (m[r.status] || 0) + 1 }), {});

before(async () => {
  s = await startServer({ args: ['--transcode-workers', '1'] });
  tok = Object.fromEntries(await Promise.all(users.map(async (u) => [u, await login(s, u)])));
  clip = await publishClip(s, { creator: tok.agent1, trainer: tok.trainer1, clip: readFileSync(makeClip('rate.mp4', { seconds: 2, size: '360x640' })), title: 'Rate limits' });
});
after(() => s.dispose());

test('a burst of 300 comments: the budget of 20 is stored, the rest get 429 with Retry-After and store nothing', async () => {
  const sent = await burst(300, (i) =>
    api(s, 'POST', `/api/v1/videos/${clip}/comments`, { token: tok.agent2, json: { body: `spam ${i}` } }));
  const passed = expectBudget(sent, 20, 10);
  assert.deepEqual(statuses(sent), { 201: passed, 429: 300 - passed });
  for (const r of sent.filter((x) => x.status === 429)) {
    const p = expectProblem(assert, r, 429);
    assert.equal(problemSlug(p), 'throttled');
    assert.ok(Number(r.headers.get('retry-after')) >= 1, 'every 429 says when to come back');
  }
  assert.equal(sql(s, `SELECT COUNT(*) FROM comments c JOIN users u ON u.id = c.user_id WHERE u.username = 'agent2'`), String(passed));
  // the budget refills at 10 a minute: one more after 6 s, not two
  const wait = Number(sent.find((x) => x.status === 429).headers.get('retry-after'));
  await advanceClock(s, wait);
  assert.equal((await api(s, 'POST', `/api/v1/videos/${clip}/comments`, { token: tok.agent2, json: { body: 'later' } })).status, 201);
  expectProblem(assert, await api(s, 'POST', `/api/v1/videos/${clip}/comments`, { token: tok.agent2, json: { body: 'again' } }), 429);
  // another person's budget is their own
  assert.equal((await api(s, 'POST', `/api/v1/videos/${clip}/comments`, { token: tok.agent3, json: { body: 'hello' } })).status, 201);
});

test('480 watch events at once: a fast scroll\'s worth pass, the rest are 429', async () => {
  const sent = await burst(480, () =>
    api(s, 'POST', `/api/v1/videos/${clip}/views`, { token: tok.agent4, json: { event: 'start', position: 0 } }));
  expectBudget(sent, 120, 60);
  assert.ok(sent.filter((r) => r.status === 429).every((r) => Number(r.headers.get('retry-after')) >= 1));
});

test('a burst of check-ins keeps an idempotency row only for those within the budget', async () => {
  const keys = () => Number(sql(s, 'SELECT COUNT(*) FROM idempotency_keys'));
  const before = keys();
  const sent = await burst(200, () =>
    api(s, 'POST', '/api/v1/me/checkin', { token: tok.agent5, headers: { 'idempotency-key': randomUUID() } }));
  const passed = expectBudget(sent, 60, 6);
  assert.ok(keys() - before <= passed, `${keys() - before} keys kept for ${passed} check-ins let through`);
});

test('tips, orders and likes have budgets too', async () => {
  const like = (method) => api(s, method, `/api/v1/videos/${clip}/like`, { token: tok.agent6 });
  const likes = await burst(100, (i) => like(i % 2 ? 'DELETE' : 'PUT'));
  expectBudget(likes, 60, 60);
  const tips = await burst(80, () =>
    api(s, 'POST', `/api/v1/videos/${clip}/tips`, { token: tok.agent7, json: { gift: 'thanks' }, headers: { 'idempotency-key': randomUUID() } }));
  expectBudget(tips, 60, 30);
  const orders = await burst(80, () =>
    api(s, 'POST', '/api/v1/shop/orders', { token: tok.agent8, json: { item_id: 999999 }, headers: { 'idempotency-key': randomUUID() } }));
  expectBudget(orders, 60, 10);
});

test('a floor at human speed is never limited: heartbeats, swipes, likes, comments, tips from ten people at once', async () => {
  const people = ['agent1', 'agent2', 'agent3', 'agent4', 'agent5', 'agent6', 'agent7', 'agent8', 'trainer1', 'admin'];
  await advanceClock(s, 3600); // everyone's budget is full again, as after an hour of nothing
  const answers = [];
  const act = async (u, step) => {
    const t = tok[u];
    const calls = [api(s, 'POST', `/api/v1/videos/${clip}/views`, { token: t, json: { event: step % 6 ? 'progress' : 'start', position: (step % 6) * 5 } })];
    if (step % 2 === 0) calls.push(api(s, 'PUT', `/api/v1/videos/${clip}/like`, { token: t }));
    if (step % 2 === 1) calls.push(api(s, 'DELETE', `/api/v1/videos/${clip}/like`, { token: t }));
    if (step % 6 === 3) calls.push(api(s, 'POST', `/api/v1/videos/${clip}/comments`, { token: t, json: { body: `step ${step}` } }));
    if (step % 12 === 5) calls.push(api(s, 'POST', `/api/v1/videos/${clip}/tips`, { token: t, json: { gift: 'thanks' }, headers: { 'idempotency-key': randomUUID() } }));
    answers.push(...await Promise.all(calls));
  };
  // a fast swipe through 30 clips' starts, then ten minutes of watching, one step per 5 s
  answers.push(...await burst(300, (i) =>
    api(s, 'POST', `/api/v1/videos/${clip}/views`, { token: tok[people[i % 10]], json: { event: 'start', position: 0 } })));
  for (let step = 0; step < 120; step++) {
    await Promise.all(people.map((u) => act(u, step)));
    await advanceClock(s, 5);
  }
  assert.equal(answers.filter((r) => r.status === 429).length, 0);
  assert.equal(answers.length, 3000);
});

test('budgets are flags: --rate-checkins 3/60 allows three at once, 0/0 none at all', async () => {
  const tight = await startServer({ args: ['--transcode-workers', '0', '--rate-checkins', '3/60'] });
  const open = await startServer({ args: ['--transcode-workers', '0', '--rate-checkins', '0/0'] });
  try {
    const checkins = async (server) => {
      const t = await login(server, 'agent1');
      return burst(100, () =>
        api(server, 'POST', '/api/v1/me/checkin', { token: t, headers: { 'idempotency-key': randomUUID() } }));
    };
    const tightAnswers = await checkins(tight);
    expectBudget(tightAnswers, 3, 60);
    assert.equal((await checkins(open)).filter((r) => r.status === 429).length, 0);
  } finally {
    await tight.dispose();
    await open.dispose();
  }
  const bad = await startServer({ args: ['--rate-tips', '5'] }).catch((e) => e);
  assert.match(String(bad.message), /--rate-tips: expected BURST\/PER_MINUTE/);
});
