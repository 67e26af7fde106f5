// Admin endpoints: users, teams, tags, bulk CSV import, and who may call them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, api, login, expectProblem } from './lib/server.mjs';

let s, admin, trainer, agent;
before(async () => {
  s = await startServer();
  [admin, trainer, agent] = await Promise.all([login(s, 'admin'), login(s, 'trainer1'), login(s, 'agent1')]);
});
after(() => s.dispose());

const adminEndpoints = [
  ['GET', '/api/v1/users'],
  ['POST', '/api/v1/users', { username: 'x1', display_name: 'X', password: 'violet-ferry-42-lamp' }],
  ['GET', '/api/v1/users/1'],
  ['PATCH', '/api/v1/users/1', { display_name: 'Hacked' }],
  ['POST', '/api/v1/users/import', 'username,display_name\nx2,X\n', 'text/csv'],
  ['GET', '/api/v1/teams'],
  ['POST', '/api/v1/teams', { name: 'Rogue' }],
  ['PATCH', '/api/v1/teams/1', { name: 'Rogue' }],
  ['POST', '/api/v1/tags', { name: 'rogue' }],
  ['PATCH', '/api/v1/tags/1', { label: 'Rogue' }],
];

function call(method, path, body, type, token) {
  if (typeof body === 'string') return api(s, method, path, { token, body, headers: { 'content-type': type } });
  return api(s, method, path, { token, json: body });
}

test('every admin endpoint is 401 anonymous, 403 for agents and trainers; trainers may read the tags', async () => {
  for (const [method, path, body, type] of adminEndpoints) {
    expectProblem(assert, await call(method, path, body, type, undefined), 401);
    expectProblem(assert, await call(method, path, body, type, agent), 403);
    expectProblem(assert, await call(method, path, body, type, trainer), 403);
  }
  // every employee reads the tags (the upload form's picker); only admins change them
  expectProblem(assert, await api(s, 'GET', '/api/v1/tags'), 401);
  assert.equal((await api(s, 'GET', '/api/v1/tags', { token: agent })).status, 200);
  assert.equal((await api(s, 'GET', '/api/v1/tags', { token: trainer })).status, 200);
  // nothing changed
  const users = await api(s, 'GET', '/api/v1/users/1', { token: admin });
  assert.notEqual(users.json.display_name, 'Hacked');
  const teams = await api(s, 'GET', '/api/v1/teams', { token: admin });
  assert.ok(!teams.json.items.some((t) => t.name === 'Rogue'));
});

test('admin creates a team, a tag and a user who can then log in', async () => {
  const team = await api(s, 'POST', '/api/v1/teams', { token: admin, json: { name: 'Night Shift' } });
  assert.equal(team.status, 201);
  expectProblem(assert, await api(s, 'POST', '/api/v1/teams', { token: admin, json: { name: 'night shift' } }), 409);
  const tag = await api(s, 'POST', '/api/v1/tags', { token: admin, json: { name: 'chargebacks', label: 'Chargebacks', onboarding: true } });
  assert.equal(tag.status, 201);
  assert.deepEqual({ ...tag.json, id: 0 }, { id: 0, name: 'chargebacks', label: 'Chargebacks', labels: { en: 'Chargebacks', zh: null }, onboarding: true });
  const u = await api(s, 'POST', '/api/v1/users', {
    token: admin,
    json: { username: 'Night.Owl', display_name: '夜猫子 Owl', password: 'owl-password', role: 'agent',
      team_id: team.json.id, position: 'Agent', hire_date: '2026-11-20', weak_skills: ['chargebacks'], interests: ['refunds'] },
  });
  assert.equal(u.status, 201, u.body);
  assert.equal(u.headers.get('location'), `/api/v1/users/${u.json.id}`);
  assert.equal(u.json.username, 'night.owl');
  assert.equal(u.json.display_name, '夜猫子 Owl');
  assert.equal(u.json.team.name, 'Night Shift');
  assert.deepEqual(u.json.weak_skills, ['chargebacks']);
  const t = await login(s, 'night.owl', 'owl-password');
  assert.equal((await api(s, 'GET', '/api/v1/me', { token: t })).json.hire_date, '2026-11-20');
  const dup = await api(s, 'POST', '/api/v1/users', { token: admin, json: { username: 'NIGHT.OWL', display_name: 'x', password: 'violet-ferry-42-lamp' } });
  expectProblem(assert, dup, 409);
});

test('invalid user fields are 422 naming the field, and change nothing', async () => {
  const cases = [
    [{ username: 'bad name', display_name: 'x', password: 'violet-ferry-42-lamp' }, 'username'],
    [{ username: 'ok1', display_name: '', password: 'violet-ferry-42-lamp' }, 'display_name'],
    [{ username: 'ok1', display_name: 'x', password: 'short' }, 'password'],
    [{ username: 'ok1', display_name: 'x', password: 'violet-ferry-42-lamp', role: 'overlord' }, 'role'],
    [{ username: 'ok1', display_name: 'x', password: 'violet-ferry-42-lamp', team_id: 99999 }, 'team_id'],
    [{ username: 'ok1', display_name: 'x', password: 'violet-ferry-42-lamp', hire_date: '2023-02-29' }, 'hire_date'],
    [{ username: 'ok1', display_name: 'x', password: 'violet-ferry-42-lamp', weak_skills: ['no-such-tag'] }, 'weak_skills'],
    [{ username: 'ok1', display_name: 'x', password: 'violet-ferry-42-lamp', interests: 'refunds' }, 'interests'],
    [{ username: 42, display_name: 'x', password: 'violet-ferry-42-lamp' }, 'username'],
  ];
  for (const [body, field] of cases) {
    const p = expectProblem(assert, await api(s, 'POST', '/api/v1/users', { token: admin, json: body }), 422);
    assert.equal(p.field, field, JSON.stringify(body));
  }
  expectProblem(assert, await api(s, 'POST', '/api/v1/auth/login', { json: { username: 'ok1', password: 'violet-ferry-42-lamp' } }), 401);
});

test('SQL-looking input is stored and returned verbatim', async () => {
  const evil = "Robert'); DROP TABLE users;--";
  const team = await api(s, 'POST', '/api/v1/teams', { token: admin, json: { name: "x' OR '1'='1" } });
  assert.equal(team.status, 201);
  assert.equal(team.json.name, "x' OR '1'='1");
  const u = await api(s, 'POST', '/api/v1/users', { token: admin, json: { username: 'bobby', display_name: evil, password: 'violet-ferry-42-lamp', position: '"; DELETE FROM sessions; --' } });
  assert.equal(u.status, 201, u.body);
  const got = await api(s, 'GET', `/api/v1/users/${u.json.id}`, { token: admin });
  assert.equal(got.json.display_name, evil);
  assert.equal(got.json.position, '"; DELETE FROM sessions; --');
  assert.equal((await api(s, 'GET', '/api/v1/me', { token: agent })).status, 200);
  const list = await api(s, 'GET', '/api/v1/users?limit=200', { token: admin });
  assert.ok(list.json.items.length >= 10);
});

test('users list pages by id with next_after', async () => {
  const seen = [];
  let after = 0;
  for (;;) {
    const r = await api(s, 'GET', `/api/v1/users?limit=3&after=${after}`, { token: admin });
    assert.equal(r.status, 200);
    seen.push(...r.json.items.map((u) => u.id));
    if (r.json.next_after === null) break;
    after = r.json.next_after;
  }
  assert.equal(new Set(seen).size, seen.length);
  assert.deepEqual(seen, [...seen].sort((a, b) => a - b));
  assert.ok(seen.length >= 10);
  const p = expectProblem(assert, await api(s, 'GET', '/api/v1/users?limit=0', { token: admin }), 422);
  assert.equal(p.field, 'limit');
});

test('the users list finds people by part of their username or display name, in any letter case', async () => {
  const byName = await api(s, 'GET', `/api/v1/users?q=${encodeURIComponent('zhang w')}`, { token: admin });
  assert.equal(byName.status, 200);
  assert.deepEqual(byName.json.items.map((u) => u.username), ['agent3']);
  const byLogin = await api(s, 'GET', '/api/v1/users?q=AGENT&limit=2', { token: admin });
  assert.equal(byLogin.json.items.length, 2);
  assert.ok(byLogin.json.items.every((u) => u.username.startsWith('agent')));
  // the search pages like the plain list
  const next = await api(s, 'GET', `/api/v1/users?q=agent&limit=2&after=${byLogin.json.next_after}`, { token: admin });
  assert.ok(next.json.items.every((u) => u.username.startsWith('agent') && u.id > byLogin.json.next_after));
  assert.deepEqual((await api(s, 'GET', '/api/v1/users?q=nobody-like-this', { token: admin })).json.items, []);
  const p = expectProblem(assert, await api(s, 'GET', `/api/v1/users?q=${'x'.repeat(65)}`, { token: admin }), 422);
  assert.equal(p.field, 'q');
});

test('PATCH changes only the given fields; unknown ids are 404; admins cannot demote themselves', async () => {
  const me = (await api(s, 'GET', '/api/v1/me', { token: agent })).json;
  const r = await api(s, 'PATCH', `/api/v1/users/${me.id}`, { token: admin, json: { position: 'Team lead', weak_skills: ['refunds', 'empathy'] } });
  assert.equal(r.status, 200, r.body);
  assert.equal(r.json.position, 'Team lead');
  assert.equal(r.json.display_name, me.display_name);
  assert.deepEqual(r.json.weak_skills, ['empathy', 'refunds']);
  assert.deepEqual(r.json.interests, me.interests);
  expectProblem(assert, await api(s, 'PATCH', '/api/v1/users/987654', { token: admin, json: { position: 'x' } }), 404);
  expectProblem(assert, await api(s, 'GET', '/api/v1/users/abc', { token: admin }), 404);
  const adminId = (await api(s, 'GET', '/api/v1/me', { token: admin })).json.id;
  expectProblem(assert, await api(s, 'PATCH', `/api/v1/users/${adminId}`, { token: admin, json: { role: 'agent' } }), 409);
});

test('CSV import creates every row, generating passwords where none is given', async () => {
  const csv = 'username,display_name,role,team,position,hire_date,password,interests,weak_skills\r\n' +
    'csv1,"Doe, Jane",agent,Onboarding Wave 7,Agent,2026-11-01,first-pass1,refunds,de-escalation;compliance\r\n' +
    'csv2,"Quote ""Q"" Person",trainer,Onboarding Wave 7,,,,,\r\n' +
    'csv3,张三,,,,,,,\r\n';
  const r = await api(s, 'POST', '/api/v1/users/import', { token: admin, body: csv, headers: { 'content-type': 'text/csv' } });
  assert.equal(r.status, 201, r.body);
  assert.equal(r.json.created, 3);
  const [u1, u2, u3] = r.json.users;
  assert.equal(u1.initial_password, undefined);
  assert.match(u2.initial_password, /^[A-Za-z0-9]{12}$/);
  const t1 = await login(s, 'csv1', 'first-pass1');
  const me1 = (await api(s, 'GET', '/api/v1/me', { token: t1 })).json;
  assert.equal(me1.display_name, 'Doe, Jane');
  assert.equal(me1.team.name, 'Onboarding Wave 7');
  assert.deepEqual(me1.weak_skills, ['compliance', 'de-escalation']);
  const t2 = await login(s, 'csv2', u2.initial_password);
  const me2 = (await api(s, 'GET', '/api/v1/me', { token: t2 })).json;
  assert.equal(me2.display_name, 'Quote "Q" Person');
  assert.equal(me2.role, 'trainer');
  const me3 = (await api(s, 'GET', '/api/v1/me', { token: await login(s, 'csv3', u3.initial_password) })).json;
  assert.equal(me3.display_name, '张三');
  assert.equal(me3.role, 'agent');
});

test('a CSV import with any bad row imports nothing and lists the problems', async () => {
  const before = (await api(s, 'GET', '/api/v1/users?limit=200', { token: admin })).json.items.length;
  const csv = 'username,display_name,role,hire_date\n' +
    'good1,Good One,agent,2026-01-02\n' +
    'bad one,Bad,agent,\n' +
    'good2,Good Two,wizard,2026-13-01\n' +
    'good1,Again,agent,\n';
  const r = await api(s, 'POST', '/api/v1/users/import', { token: admin, body: csv, headers: { 'content-type': 'text/csv' } });
  const p = expectProblem(assert, r, 422);
  const fields = p.errors.map((e) => `${e.line}:${e.field}`);
  assert.deepEqual(fields, ['3:username', '4:role', '4:hire_date', '5:username']);
  // a row that clashes with an existing user rolls back the whole file
  const clash = await api(s, 'POST', '/api/v1/users/import', { token: admin, body: 'username,display_name\nfresh1,F\nagent2,Dup\n', headers: { 'content-type': 'text/csv' } });
  // the row the database refused is named like the rows checked before, with its reason's type
  assert.deepEqual(expectProblem(assert, clash, 409).errors.map((e) => `${e.line}:${e.field}:${e.type}`), ['3:username:conflict']);
  const weak = await api(s, 'POST', '/api/v1/users/import', { token: admin, body: 'username,display_name,password\nweak1,W,password\n', headers: { 'content-type': 'text/csv' } });
  assert.deepEqual(expectProblem(assert, weak, 422).errors.map((e) => `${e.line}:${e.field}:${e.type}`), ['2:password:weak-password']);
  const unknownColumn = await api(s, 'POST', '/api/v1/users/import', { token: admin, body: 'username,display_name,shoe_size\nx,y,42\n', headers: { 'content-type': 'text/csv' } });
  expectProblem(assert, unknownColumn, 422);
  expectProblem(assert, await api(s, 'POST', '/api/v1/users/import', { token: admin, body: 'a,b', headers: { 'content-type': 'application/json' } }), 415);
  // a Latin-1 file: its bytes are not UTF-8 text, and neither the row nor the header may pass
  const latin1 = Buffer.concat([Buffer.from('username,display_name,team\nmallory,Mal'), Buffer.from([0xff, 0xfe]), Buffer.from('ory,Billing\n')]);
  const bad = expectProblem(assert, await api(s, 'POST', '/api/v1/users/import', { token: admin, body: latin1, headers: { 'content-type': 'text/csv' } }), 422);
  assert.deepEqual(bad.errors.map((e) => `${e.line}:${e.field}`), ['2:display_name']);
  const badHeader = Buffer.concat([Buffer.from('username,display_'), Buffer.from([0xff]), Buffer.from('name\nx,y\n')]);
  const h = expectProblem(assert, await api(s, 'POST', '/api/v1/users/import', { token: admin, body: badHeader, headers: { 'content-type': 'text/csv' } }), 422);
  assert.match(h.detail, /display_\?name/);
  const afterCount = (await api(s, 'GET', '/api/v1/users?limit=200', { token: admin })).json.items.length;
  assert.equal(afterCount, before);
  expectProblem(assert, await api(s, 'POST', '/api/v1/auth/login', { json: { username: 'fresh1', password: 'x'.repeat(12) } }), 401);
});

test('many phones at once: concurrent creates and profile reads all succeed', async () => {
  const creates = Array.from({ length: 20 }, (_, i) => api(s, 'POST', '/api/v1/users', {
    token: admin, json: { username: `burst${i}`, display_name: `Burst ${i}`, password: 'burst-pass' },
  }));
  const reads = Array.from({ length: 100 }, () => api(s, 'GET', '/api/v1/me', { token: agent }));
  const results = await Promise.all([...creates, ...reads]);
  assert.deepEqual(results.slice(0, 20).map((r) => r.status), Array(20).fill(201));
  assert.deepEqual(results.slice(20).map((r) => r.status), Array(100).fill(200));
  const ids = new Set(results.slice(0, 20).map((r) => r.json.id));
  assert.equal(ids.size, 20);
});
