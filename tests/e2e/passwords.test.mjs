// Passwords set from now on pass a dictionary and a length; a password an
// admin set (or the CSV import generated) is changed by its user before
// anything else; changing one's own needs the old one and ends every other
// session. Existing passwords, the demo's included, keep logging in.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, api, login, expectProblem, problemSlug } from './lib/server.mjs';

let s, admin;
before(async () => {
  s = await startServer();
  admin = await login(s, 'admin');
});
after(() => s.dispose());

const csv = (body) => api(s, 'POST', '/api/v1/users/import', { token: admin, body, headers: { 'content-type': 'text/csv' } });
const change = (token, old_password, new_password) =>
  api(s, 'POST', '/api/v1/me/password', { token, json: { old_password, new_password } });

test('new passwords are refused when short or guessable; the demo logins still work', async () => {
  assert.ok(await login(s, 'agent1', 'demo1234'), 'existing passwords are not re-checked at login');
  for (const password of ['demo1234', 'password1', 'password123', 'qwertyuiop1', '1234567890', 'kX9#mP2v']) {
    const p = expectProblem(assert, await api(s, 'POST', '/api/v1/users', { token: admin, json: { username: 'weakling1', display_name: 'W', password } }), 422);
    assert.equal(problemSlug(p), 'weak-password', password);
    assert.equal(p.field, 'password');
  }
  const own = expectProblem(assert, await api(s, 'POST', '/api/v1/users', { token: admin, json: { username: 'weakling1', display_name: 'W', password: 'weakling1weakling1' } }), 422);
  assert.equal(own.field, 'password', 'a password based on the username is refused');
  expectProblem(assert, await api(s, 'POST', '/api/v1/auth/login', { json: { username: 'weakling1', password: 'password123' } }), 401);
  // an admin's reset and an import's given passwords are new passwords too
  const agent2 = (await api(s, 'GET', '/api/v1/me', { token: await login(s, 'agent2') })).json;
  assert.equal(expectProblem(assert, await api(s, 'PATCH', `/api/v1/users/${agent2.id}`, { token: admin, json: { password: 'sunshine12' } }), 422).field, 'password');
  assert.ok(await login(s, 'agent2'), 'a refused reset changes nothing');
  const bad = expectProblem(assert, await csv('username,display_name,password\nok.row,OK,violet-ferry-42-lamp\nweak.row,Weak,password123\n'), 422);
  assert.deepEqual(bad.errors.map((e) => `${e.line}:${e.field}`), ['3:password']);
  expectProblem(assert, await api(s, 'POST', '/api/v1/auth/login', { json: { username: 'ok.row', password: 'violet-ferry-42-lamp' } }), 401);
});

test('changing one\'s own password needs the old one, passes the policy and ends every other session', async () => {
  const here = await login(s, 'agent3');
  const phone = await login(s, 'agent3');
  const wrong = expectProblem(assert, await change(here, 'not-my-password', 'violet-ferry-42-lamp'), 403);
  assert.equal(problemSlug(wrong), 'bad-credentials');
  assert.equal(wrong.field, 'old_password');
  const missing = expectProblem(assert, await api(s, 'POST', '/api/v1/me/password', { token: here, json: { new_password: 'violet-ferry-42-lamp' } }), 422);
  assert.equal(missing.field, 'old_password');
  const weak = expectProblem(assert, await change(here, 'demo1234', 'password123'), 422);
  assert.equal(weak.field, 'new_password');
  // nothing refused changed anything: both sessions and the old password still work
  assert.equal((await api(s, 'GET', '/api/v1/me', { token: phone })).status, 200);
  assert.equal((await change(here, 'demo1234', 'violet-ferry-42-lamp')).status, 204);
  assert.equal((await api(s, 'GET', '/api/v1/feed', { token: here })).status, 200, 'the session that changed it stays');
  expectProblem(assert, await api(s, 'GET', '/api/v1/me', { token: phone }), 401);
  expectProblem(assert, await api(s, 'POST', '/api/v1/auth/login', { json: { username: 'agent3', password: 'demo1234' } }), 401);
  assert.ok(await login(s, 'agent3', 'violet-ferry-42-lamp'));
});

test('a password an admin set must be changed at first login; until then only /me, logout and the change answer', async () => {
  const made = await api(s, 'POST', '/api/v1/users', { token: admin, json: { username: 'newbie', display_name: 'New Bie', password: 'given-by-admin-7' } });
  assert.equal(made.status, 201, made.body);
  assert.equal(made.json.must_change_password, true);
  const t = await login(s, 'newbie', 'given-by-admin-7');
  const me = await api(s, 'GET', '/api/v1/me', { token: t });
  assert.equal(me.status, 200);
  assert.equal(me.json.must_change_password, true);
  for (const [method, path] of [['GET', '/api/v1/feed'], ['GET', '/api/v1/me/points'], ['POST', '/api/v1/me/checkin'], ['GET', '/api/v1/me/assignments']]) {
    const p = expectProblem(assert, await api(s, method, path, { token: t, headers: { 'idempotency-key': 'k-newbie-1' } }), 403);
    assert.equal(problemSlug(p), 'password-change-required', `${method} ${path}`);
  }
  assert.equal((await change(t, 'given-by-admin-7', 'violet-ferry-42-lamp')).status, 204);
  assert.equal((await api(s, 'GET', '/api/v1/me', { token: t })).json.must_change_password, false);
  assert.equal((await api(s, 'GET', '/api/v1/feed', { token: t })).status, 200);
  // an admin's reset asks again, and ends the user's sessions
  const reset = await api(s, 'PATCH', `/api/v1/users/${made.json.id}`, { token: admin, json: { password: 'second-reset-9x' } });
  assert.equal(reset.json.must_change_password, true);
  expectProblem(assert, await api(s, 'GET', '/api/v1/feed', { token: t }), 401);
  const t2 = await login(s, 'newbie', 'second-reset-9x');
  assert.equal(problemSlug(expectProblem(assert, await api(s, 'GET', '/api/v1/feed', { token: t2 }), 403)), 'password-change-required');
  assert.equal((await api(s, 'POST', '/api/v1/auth/logout', { token: t2 })).status, 204);
  // an admin may say a password they set needs no change
  const kept = await api(s, 'POST', '/api/v1/users', { token: admin, json: { username: 'kiosk', display_name: 'Kiosk', password: 'kiosk-lobby-screen-3', must_change_password: false } });
  assert.equal(kept.json.must_change_password, false);
  assert.equal((await api(s, 'GET', '/api/v1/feed', { token: await login(s, 'kiosk', 'kiosk-lobby-screen-3') })).status, 200);
});

test('a CSV import\'s generated passwords must be changed at first login; given ones need not', async () => {
  const r = await csv('username,display_name,password\ngen.one,Gen One,\ngiven.one,Given One,violet-ferry-42-lamp\n');
  assert.equal(r.status, 201, r.body);
  const [gen] = r.json.users;
  const tg = await login(s, 'gen.one', gen.initial_password);
  assert.equal((await api(s, 'GET', '/api/v1/me', { token: tg })).json.must_change_password, true);
  assert.equal(problemSlug(expectProblem(assert, await api(s, 'GET', '/api/v1/feed', { token: tg }), 403)), 'password-change-required');
  const same = expectProblem(assert, await change(tg, gen.initial_password, gen.initial_password), 422);
  assert.equal(same.field, 'new_password');
  assert.equal((await change(tg, gen.initial_password, 'my-own-choice-81')).status, 204);
  assert.equal((await api(s, 'GET', '/api/v1/feed', { token: tg })).status, 200);
  const tk = await login(s, 'given.one', 'violet-ferry-42-lamp');
  assert.equal((await api(s, 'GET', '/api/v1/feed', { token: tk })).status, 200);
});

test('guessing the old password through a stolen session runs into a budget', async () => {
  const t = await login(s, 'agent4');
  for (let i = 0; i < 5; i++) expectProblem(assert, await change(t, `guess-${i}`, 'violet-ferry-42-lamp'), 403);
  const r = await change(t, 'demo1234', 'violet-ferry-42-lamp');
  expectProblem(assert, r, 429);
  assert.ok(Number(r.headers.get('retry-after')) >= 1);
  assert.ok(await login(s, 'agent4', 'demo1234'), 'the refused change changed nothing');
});
