// What people type: stored in NFC, refused when only white space or when it
// hides characters (bidi overrides and isolates, zero-width ones), in JSON
// fields and in an upload's metadata alike; and CSV exports never start a
// cell with something a spreadsheet would run.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, api, login, expectProblem } from './lib/server.mjs';

let s, admin, trainer, agent;
before(async () => {
  s = await startServer({ args: ['--transcode-workers', '0'] });
  [admin, trainer, agent] = await Promise.all([login(s, 'admin'), login(s, 'trainer1'), login(s, 'agent1')]);
});
after(() => s.dispose());

const RLO = '\u202E', ZWSP = '\u200B', BOM = '\uFEFF', ISOLATE = '\u2066';
const b64 = (v) => Buffer.from(v).toString('base64');

/** A 422 that names `field` and changed nothing. */
function expectInvalid(r, field) {
  const p = expectProblem(assert, r, 422);
  assert.match(p.type, /\/invalid-field$/);
  assert.equal(p.field, field, r.body);
}

test('names and titles are stored in NFC: a decomposed é and Hangul jamo compose', async () => {
  const team = await api(s, 'POST', '/api/v1/teams', { token: admin, json: { name: 'Cafe\u0301 \u1100\u1161' } });
  assert.equal(team.status, 201, team.body);
  assert.equal(team.json.name, 'Caf\u00E9 \uAC00');
  // the composed spelling is the same team
  expectProblem(assert, await api(s, 'POST', '/api/v1/teams', { token: admin, json: { name: 'Caf\u00E9 \uAC00' } }), 409);
  const item = await api(s, 'POST', '/api/v1/shop/items', { token: admin,
    json: { name: 'Cre\u0300me bru\u0302le\u0301e', description: 'Cafe\u0301', price: 10, stock: 1 } });
  assert.equal(item.status, 201, item.body);
  assert.equal(item.json.name, 'Cr\u00E8me br\u00FBl\u00E9e');
});

test('white-space-only text and hidden characters are refused, naming the field', async () => {
  expectInvalid(await api(s, 'POST', '/api/v1/teams', { token: admin, json: { name: ' \t\u3000' } }), 'name');
  expectInvalid(await api(s, 'POST', '/api/v1/teams', { token: admin, json: { name: `Night${ZWSP}Shift` } }), 'name');
  const me = (await api(s, 'GET', '/api/v1/me', { token: agent })).json;
  const id = me.id ?? me.user?.id;
  expectInvalid(await api(s, 'PATCH', `/api/v1/users/${id}`, { token: admin, json: { display_name: `Ann${RLO}nimdA` } }), 'display_name');
  expectInvalid(await api(s, 'POST', '/api/v1/paths', { token: trainer, json: { name: `${ISOLATE}Refunds`, steps: [] } }), 'name');
  expectInvalid(await api(s, 'POST', '/api/v1/shop/items', { token: admin, json: { name: `${BOM}Mug`, price: 10, stock: 1 } }), 'name');
  const teams = (await api(s, 'GET', '/api/v1/teams', { token: admin })).json;
  const names = JSON.stringify(teams);
  assert.ok(!names.includes(ZWSP) && !names.includes('\u3000'), 'nothing was stored');
  // an emoji sequence keeps its joiner
  const family = '\u{1F468}\u200D\u{1F469}\u200D\u{1F467} Family line';
  const ok = await api(s, 'POST', '/api/v1/teams', { token: admin, json: { name: family } });
  assert.equal(ok.status, 201, ok.body);
  assert.equal(ok.json.name, family);
});

test('the CSV user import checks names the same way: NFC, and a hidden character names its row', async () => {
  const csv = (body) => ({ body, headers: { 'content-type': 'text/csv' } });
  const bad = expectProblem(assert, await api(s, 'POST', '/api/v1/users/import', { token: admin,
    ...csv(`username,display_name,team\nnfc1,Jose\u0301,Day\nrlo1,Ann${RLO}nimdA,Day\nblank1,Ok, \u3000\n`) }), 422);
  assert.deepEqual(bad.errors.map((e) => [e.line ?? e.row, e.field]), [[3, 'display_name'], [4, 'team']]);
  const ok = await api(s, 'POST', '/api/v1/users/import', { token: admin, ...csv('username,display_name,team\nnfc1,Jose\u0301,Cafe\u0301\n') });
  assert.equal(ok.status, 201, ok.body);
  const users = (await api(s, 'GET', '/api/v1/users?limit=200', { token: admin })).json.items;
  const made = users.find((u) => u.username === 'nfc1');
  assert.equal(made.display_name, 'Jos\u00E9');
});

test('an upload\'s title is checked the same way, on the tus and the one-shot path', async () => {
  const tus = await api(s, 'POST', '/api/v1/uploads', { token: agent, headers: { 'Tus-Resumable': '1.0.0',
    'Upload-Length': '1000', 'Upload-Metadata': `title ${b64(`invoice${RLO}txt.exe`)}` } });
  expectInvalid(tus, 'title');
  const shot = await api(s, 'POST', `/api/v1/videos?title=${encodeURIComponent('   ')}`, { token: agent,
    body: Buffer.alloc(100, 1), headers: { 'content-type': 'video/mp4' } });
  expectInvalid(shot, 'title');
  assert.equal((await api(s, 'GET', '/api/v1/me/videos', { token: agent })).json.items.length, 0);
});

test('CSV exports quote a cell that starts with = + - @, TAB, CR or LF', async () => {
  for (const name of ['\t=1+2 tab', '\r@SUM(1) cr', '\n-3 lf', '=HYPERLINK("x") eq'])
    assert.equal((await api(s, 'POST', '/api/v1/teams', { token: admin, json: { name } })).status, 201, name);
  const csv = await api(s, 'GET', '/api/v1/analytics/teams?format=csv', { token: trainer });
  assert.equal(csv.status, 200);
  for (const cell of ['\'\t=1+2 tab', '"\'\r@SUM(1) cr"', '"\'\n-3 lf"', '"\'=HYPERLINK(""x"") eq"'])
    assert.ok(csv.body.includes(`,${cell},`), `${JSON.stringify(cell)} in ${JSON.stringify(csv.body)}`);
});
