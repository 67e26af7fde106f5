// Login, tokens, logout, expiry and brute-force throttling.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { serverPool, api, login, expectProblem, advanceClock, problemSlug } from './lib/server.mjs';

const server = serverPool(after);

test('agent logs in and reads their own profile', async () => {
  const s = await server();
  const r = await api(s, 'POST', '/api/v1/auth/login', { json: { username: 'agent1', password: 'demo1234' } });
  assert.equal(r.status, 200);
  assert.equal(r.json.token_type, 'Bearer');
  assert.match(r.json.token, /^[A-Za-z0-9_-]{43}$/);
  assert.ok(r.json.expires_at > Date.now() / 1000);
  const me = await api(s, 'GET', '/api/v1/me', { token: r.json.token });
  assert.equal(me.status, 200);
  assert.equal(me.json.username, 'agent1');
  assert.equal(me.json.role, 'agent');
  assert.equal(me.json.team.name, 'Billing');
  assert.deepEqual(me.json.weak_skills, ['compliance']);
  assert.equal(me.json.password_hash, undefined);
  assert.equal(me.json.points, 0);
  assert.equal(me.json.streak, 0);
  assert.equal(me.json.checked_in_today, false);
  // usernames are case-insensitive
  assert.ok(await login(s, 'AGENT1'));
});

test('wrong password and unknown user get the same 401', async () => {
  const s = await server();
  const bad = expectProblem(assert, await api(s, 'POST', '/api/v1/auth/login', { json: { username: 'agent1', password: 'nope-nope' } }), 401);
  const unknown = expectProblem(assert, await api(s, 'POST', '/api/v1/auth/login', { json: { username: 'ghost', password: 'demo1234' } }), 401);
  assert.equal(bad.detail, unknown.detail);
  const missing = expectProblem(assert, await api(s, 'POST', '/api/v1/auth/login', { json: { username: 'agent1' } }), 422);
  assert.equal(missing.field, 'password');
});

test('requests without a valid token are 401', async () => {
  const s = await server();
  const none = await api(s, 'GET', '/api/v1/me');
  expectProblem(assert, none, 401);
  assert.match(none.headers.get('www-authenticate'), /^Bearer/);
  expectProblem(assert, await api(s, 'GET', '/api/v1/me', { token: 'x'.repeat(43) }), 401);
  expectProblem(assert, await api(s, 'GET', '/api/v1/me', { headers: { authorization: 'Basic YWdlbnQxOmRlbW8xMjM0' } }), 401);
});

test('logout revokes only that token', async () => {
  const s = await server();
  const t1 = await login(s, 'agent2');
  const t2 = await login(s, 'agent2');
  assert.notEqual(t1, t2);
  assert.equal((await api(s, 'POST', '/api/v1/auth/logout', { token: t1 })).status, 204);
  expectProblem(assert, await api(s, 'GET', '/api/v1/me', { token: t1 }), 401);
  assert.equal((await api(s, 'GET', '/api/v1/me', { token: t2 })).status, 200);
});

test('tokens expire after the configured lifetime', async () => {
  // a minute, moved on by the test clock: a slow (sanitized) login never eats into it
  const s = await server({ args: ['--token-ttl', '60'] });
  const t = await login(s, 'agent3');
  assert.equal((await api(s, 'GET', '/api/v1/me', { token: t })).status, 200);
  await advanceClock(s, 61);
  expectProblem(assert, await api(s, 'GET', '/api/v1/me', { token: t }), 401);
});

const attempt = (s, username, password, headers) => api(s, 'POST', '/api/v1/auth/login', { json: { username, password }, headers });

/** Runs `fn` and resolves with its result and the seconds it took. */
async function timed(fn) {
  const t0 = performance.now();
  const r = await fn();
  return { r, seconds: (performance.now() - t0) / 1000 };
}

test('past the failures allowed, an account backs off: wrong passwords get 429 with Retry-After, the right one still logs in', async () => {
  const s = await server({ args: ['--login-max-failures', '3', '--login-window', '60', '--login-backoff-max', '2'] });
  // usernames match in any case, and so do their failures
  for (const username of ['agent4', 'Agent4', 'AGENT4'])
    expectProblem(assert, await attempt(s, username, `guess-${username}`), 401);
  const wrong = await timed(() => attempt(s, 'aGeNt4', 'guess'));
  expectProblem(assert, wrong.r, 429);
  assert.equal(problemSlug(wrong.r.json), 'too-many-attempts');
  const wait = Number(wrong.r.headers.get('retry-after'));
  assert.ok(wait >= 1 && wait <= 2, `Retry-After ${wait}`);
  // the answer itself was held back, so guesses cannot go faster than the backoff
  assert.ok(wrong.seconds >= 0.9, `a throttled guess was answered in ${wrong.seconds} s`);
  // the owner is delayed by at most --login-backoff-max, never refused
  const right = await timed(() => attempt(s, 'agent4', 'demo1234'));
  assert.equal(right.r.status, 200, right.r.body);
  assert.ok(right.seconds < 2 + 10, `the right password took ${right.seconds} s`);
  // ... and a success starts the account over
  expectProblem(assert, await attempt(s, 'agent4', 'again-wrong'), 401);
  // other accounts are not affected
  assert.ok(await login(s, 'agent5'));
});

test('20 parallel wrong logins on one account get no more immediate verdicts than the limit', async () => {
  const s = await server({ args: ['--login-max-failures', '5', '--login-window', '600', '--login-backoff-max', '1'] });
  const all = await Promise.all(Array.from({ length: 20 }, (_, i) => attempt(s, 'agent7', `parallel-guess-${i}`)));
  const statuses = all.map((r) => r.status);
  assert.equal(statuses.filter((x) => x === 401).length, 5, `statuses: ${statuses}`);
  for (const r of all.filter((x) => x.status !== 401)) {
    expectProblem(assert, r, 429);
    assert.ok(Number(r.headers.get('retry-after')) >= 1);
  }
  // unknown names are counted the same way: no telling them apart by the throttle
  const ghosts = await Promise.all(Array.from({ length: 8 }, () => attempt(s, 'no-such-user', 'x')));
  assert.deepEqual(ghosts.map((r) => r.status).sort(), [401, 401, 401, 401, 401, 429, 429, 429]);
});

test('an address past its failure budget gets 429 for wrong passwords, never for a right one', async () => {
  const s = await server({ args: ['--login-max-failures-ip', '4', '--login-window', '60', '--login-backoff-max', '1'] });
  for (let i = 0; i < 4; i++)
    expectProblem(assert, await attempt(s, `agent${i + 1}`, 'wrong-password'), 401);
  // over the budget: the next wrong password (even on a fresh account) and unknown names are throttled
  expectProblem(assert, await attempt(s, 'agent6', 'wrong-password'), 429);
  expectProblem(assert, await attempt(s, 'nobody-here', 'wrong-password'), 429);
  // right passwords from the same address go through, again and again
  for (const u of ['agent8', 'admin', 'agent1', 'trainer1'])
    assert.equal((await attempt(s, u, 'demo1234')).status, 200, u);
});

test('a deactivated user loses their sessions and cannot log in', async () => {
  const s = await server();
  const admin = await login(s, 'admin');
  const t = await login(s, 'agent6');
  const me = await api(s, 'GET', '/api/v1/me', { token: t });
  const r = await api(s, 'PATCH', `/api/v1/users/${me.json.id}`, { token: admin, json: { active: false } });
  assert.equal(r.status, 200);
  assert.equal(r.json.active, false);
  expectProblem(assert, await api(s, 'GET', '/api/v1/me', { token: t }), 401);
  expectProblem(assert, await api(s, 'POST', '/api/v1/auth/login', { json: { username: 'agent6', password: 'demo1234' } }), 401);
});

test('changing a password revokes old sessions; the new one works', async () => {
  const s = await server();
  const admin = await login(s, 'admin');
  const t = await login(s, 'agent7');
  const id = (await api(s, 'GET', '/api/v1/me', { token: t })).json.id;
  assert.equal((await api(s, 'PATCH', `/api/v1/users/${id}`, { token: admin, json: { password: 'n3w-secret!' } })).status, 200);
  expectProblem(assert, await api(s, 'GET', '/api/v1/me', { token: t }), 401);
  assert.ok(await login(s, 'agent7', 'n3w-secret!'));
  expectProblem(assert, await api(s, 'POST', '/api/v1/auth/login', { json: { username: 'agent7', password: 'demo1234' } }), 401);
});
