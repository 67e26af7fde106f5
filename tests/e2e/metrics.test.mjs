// Service metrics from the contact center's own systems: the catalogue, CSV
// and JSON imports (all rows or none, every bad row named, replays update),
// integration tokens that can do nothing else, undo, and who sees whose days.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, api, login, expectProblem } from './lib/server.mjs';

let s, admin, trainer, agent1, agent2, ids;
// the server judges "the future" in its own zone: run it in UTC like the dates below
const day = (offset) => new Date(Date.now() + offset * 86400e3).toISOString().slice(0, 10);

before(async () => {
  s = await startServer({ args: ['--timezone', 'UTC'] });
  [admin, trainer, agent1, agent2] = await Promise.all(
    ['admin', 'trainer1', 'agent1', 'agent2'].map((u) => login(s, u)));
  const users = await api(s, 'GET', '/api/v1/users?limit=100', { token: admin });
  ids = Object.fromEntries(users.json.items.map((u) => [u.username, u.id]));
});
after(() => s.dispose());

const csv = (body) => ({ body, headers: { 'content-type': 'text/csv' } });
async function daily(token, query) {
  return api(s, 'GET', `/api/v1/metrics/daily?${query}`, { token });
}

test('the demo catalogue lists the center\'s metrics; admins add and change them', async () => {
  const list = await api(s, 'GET', '/api/v1/metrics', { token: trainer });
  assert.equal(list.status, 200);
  const qa = list.json.items.find((m) => m.name === 'qa_score');
  assert.deepEqual({ ...qa, id: 0 }, { id: 0, name: 'qa_score', label: { en: 'QA score', zh: '质检得分' },
    unit: 'points', direction: 'higher', per_skill: true, target: 80, min: 0, max: 100, tag: null });
  assert.equal(list.json.items.find((m) => m.name === 'aht_seconds').direction, 'lower');
  assert.equal(list.json.items.find((m) => m.name === 'csat').tag, 'empathy');

  const holds = await api(s, 'POST', '/api/v1/metrics', { token: admin, json: {
    name: 'hold_seconds', label: { en: 'Hold time', zh: '保持时长' }, unit: 's', direction: 'lower',
    target: 30, min: 0, max: 600 } });
  assert.equal(holds.status, 201, holds.body);
  assert.equal(holds.json.per_skill, false);
  const changed = await api(s, 'PATCH', `/api/v1/metrics/${holds.json.id}`, { token: admin, json: { target: 45 } });
  assert.equal(changed.json.target, 45);

  const bad = [
    [{ name: 'Bad Name', label: { en: 'x' }, direction: 'higher', target: 1, min: 0, max: 2 }, 'name'],
    [{ name: 'x1', label: { en: 'x' }, direction: 'sideways', target: 1, min: 0, max: 2 }, 'direction'],
    [{ name: 'x2', label: { en: 'x' }, direction: 'higher', target: 9, min: 0, max: 2 }, 'target'],
    [{ name: 'x3', label: { en: 'x' }, direction: 'higher', target: 1, min: 0, max: 2, tag: 'nope' }, 'tag'],
    [{ name: 'x4', label: 'x', direction: 'higher', target: 1, min: 0, max: 2 }, 'label'],
    [{ name: 'x5', label: { en: 'x' }, direction: 'higher', target: '1', min: 0, max: 2 }, 'target'],
  ];
  for (const [json, field] of bad)
    assert.equal(expectProblem(assert, await api(s, 'POST', '/api/v1/metrics', { token: admin, json }), 422).field, field);
  expectProblem(assert, await api(s, 'POST', '/api/v1/metrics', { token: admin, json: {
    name: 'csat', label: { en: 'again' }, direction: 'higher', target: 1, min: 0, max: 2 } }), 409);
  expectProblem(assert, await api(s, 'PATCH', '/api/v1/metrics/9999', { token: admin, json: { target: 1 } }), 404);
  const after = await api(s, 'GET', '/api/v1/metrics', { token: admin });
  assert.equal(after.json.items.length, list.json.items.length + 1);
});

test('a CSV import writes every row; the nightly replay updates instead of doubling', async () => {
  const rows = ['date,username,metric,tag,value'];
  for (let d = 1; d <= 14; d++) rows.push(`${day(-d)},agent1,qa_score,refunds,62`);
  rows.push(`${day(-1)},agent1,csat,,4.6`, `${day(-1)},agent2,aht_seconds,,420`);
  const r = await api(s, 'POST', '/api/v1/metrics/import', { token: admin, ...csv(rows.join('\n') + '\n') });
  assert.equal(r.status, 201, r.body);
  assert.equal(r.json.rows, 16);

  const replay = rows.slice(0, 3).concat([`${day(-1)},agent1,qa_score,refunds,66`]);
  const again = await api(s, 'POST', '/api/v1/metrics/import', { token: admin, ...csv(replay.join('\r\n')) });
  assert.equal(again.status, 201, again.body);
  const qa = await daily(agent1, `metric=qa_score&tag=refunds&from=${day(-30)}`);
  assert.equal(qa.status, 200);
  assert.equal(qa.json.items.length, 14);
  assert.equal(qa.json.items.at(-1).date, day(-1));
  assert.equal(qa.json.items.at(-1).value, 66);
  assert.equal(qa.json.items[0].value, 62);
});

test('rows from other systems match agents by employee_id', async () => {
  const set = await api(s, 'PATCH', `/api/v1/users/${ids.agent4}`, { token: admin, json: { employee_id: 'E-0004' } });
  assert.equal(set.status, 200, set.body);
  assert.equal(set.json.employee_id, 'E-0004');
  const taken = expectProblem(assert, await api(s, 'PATCH', `/api/v1/users/${ids.agent5}`, { token: admin, json: { employee_id: 'E-0004' } }), 409);
  assert.equal(taken.field, 'employee_id');
  const made = await api(s, 'POST', '/api/v1/users/import', { token: admin, ...csv(
    'username,display_name,team,employee_id\nnewhire1,New Hire,Billing,E-9001\n') });
  assert.equal(made.status, 201, made.body);
  const sent = await api(s, 'POST', '/api/v1/metrics/import', { token: admin, ...csv(
    `date,employee_id,metric,value\n${day(-1)},E-0004,csat,4.8\n${day(-1)},E-9001,csat,3.9\n${day(-1)},E-404,csat,4\n`) });
  const bad = expectProblem(assert, sent, 422);
  assert.deepEqual(bad.errors.map((e) => [e.row, e.code, e.field]), [[4, 'unknown-agent', 'employee_id']]);
  const ok = await api(s, 'POST', '/api/v1/metrics/import', { token: admin, ...csv(
    `date,employee_id,metric,value\n${day(-1)},E-0004,csat,4.8\n${day(-1)},E-9001,csat,3.9\n`) });
  assert.equal(ok.status, 201, ok.body);
  assert.equal((await daily(trainer, `user_id=${ids.agent4}&metric=csat`)).json.items.at(-1).value, 4.8);
  const cleared = await api(s, 'PATCH', `/api/v1/users/${ids.agent4}`, { token: admin, json: { employee_id: '' } });
  assert.equal(cleared.json.employee_id, null);
});

test('a refused import names every bad row and changes nothing', async () => {
  const before = await daily(trainer, `user_id=${ids.agent2}&from=${day(-30)}`);
  const imports = await api(s, 'GET', '/api/v1/metrics/imports', { token: admin });
  const body = ['date,username,metric,tag,value',
    `${day(-2)},agent2,aht_seconds,,300`, // good, but the file is refused
    `${day(-2)},nobody,aht_seconds,,300`,
    `${day(-2)},agent2,talk_time,,300`,
    `${day(-2)},agent2,qa_score,,70`,
    `${day(-2)},agent2,aht_seconds,refunds,300`,
    `${day(-2)},agent2,qa_score,refunds,170`,
    `${day(1)},agent2,aht_seconds,,300`,
    `${day(-2)},agent2,aht_seconds,,3 00`,
    `${day(-2)},agent2,qa_score,chargebacks,70`,
    `2026-02-30,agent2,aht_seconds,,300`,
  ].join('\n');
  const r = expectProblem(assert, await api(s, 'POST', '/api/v1/metrics/import', { token: admin, ...csv(body) }), 422);
  assert.equal(r.type.endsWith('invalid-rows'), true);
  assert.equal(r.error_count, 9);
  assert.deepEqual(r.errors.map((e) => [e.row, e.code, e.field]), [
    [3, 'unknown-agent', 'username'], [4, 'unknown-metric', 'metric'], [5, 'tag-missing', 'tag'],
    [6, 'tag-not-allowed', 'tag'], [7, 'out-of-range', 'value'], [8, 'future-date', 'date'],
    [9, 'bad-number', 'value'], [10, 'unknown-tag', 'tag'], [11, 'bad-date', 'date']]);
  assert.deepEqual((await daily(trainer, `user_id=${ids.agent2}&from=${day(-30)}`)).json, before.json);
  // on record as refused, with who sent it and why
  const after = (await api(s, 'GET', '/api/v1/metrics/imports', { token: admin })).json.items;
  assert.equal(after.length, imports.json.items.length + 1);
  assert.deepEqual([after[0].id, after[0].state, after[0].error_count, after[0].rows, after[0].user_id],
    [r.import_id, 'refused', 9, 0, ids.admin]);

  // a file that is not a metrics file at all
  expectProblem(assert, await api(s, 'POST', '/api/v1/metrics/import', { token: admin, ...csv('a,b\n1,2\n') }), 422);
  expectProblem(assert, await api(s, 'POST', '/api/v1/metrics/import', { token: admin, ...csv('date,username,metric,value\n') }), 422);
  expectProblem(assert, await api(s, 'POST', '/api/v1/metrics/import', { token: admin, ...csv(`date,username,metric,value\n${day(-1)},"agent2,csat,4\n`) }), 422);
  // more than a hundred bad rows: the first hundred listed, all counted
  const many = ['date,username,metric,value'];
  for (let i = 0; i < 150; i++) many.push(`${day(-1)},ghost${i},csat,4`);
  const big = expectProblem(assert, await api(s, 'POST', '/api/v1/metrics/import', { token: admin, ...csv(many.join('\n')) }), 422);
  assert.equal(big.error_count, 150);
  assert.equal(big.errors.length, 100);
});

test('a JSON batch is all or nothing too, and can be undone', async () => {
  const good = { rows: [
    { date: day(-3), username: 'agent2', metric: 'fcr_rate', value: 0.5 },
    { date: day(-2), username: 'agent2', metric: 'fcr_rate', value: 0.6 },
  ] };
  const r = await api(s, 'POST', '/api/v1/metrics/batch', { token: admin, json: good });
  assert.equal(r.status, 201, r.body);
  const bad = { rows: [good.rows[0], { date: day(-1), username: 'agent2', metric: 'fcr_rate', value: '0.7' },
    { date: day(-1), username: 'agent2', metric: 'fcr_rate', value: 2 }, 'not a row'] };
  const refused = expectProblem(assert, await api(s, 'POST', '/api/v1/metrics/batch', { token: admin, json: bad }), 422);
  assert.deepEqual(refused.errors.map((e) => [e.row, e.code]), [[2, 'bad-number'], [3, 'out-of-range'], [4, 'bad-date']]);
  expectProblem(assert, await api(s, 'POST', '/api/v1/metrics/batch', { token: admin, json: { rows: 'x' } }), 422);
  expectProblem(assert, await api(s, 'POST', '/api/v1/metrics/batch', { token: admin, json: { rows: [] } }), 422);

  // a correction, then undoing it brings the first values back
  const fix = await api(s, 'POST', '/api/v1/metrics/batch', { token: admin, json: { rows: [
    { date: day(-2), username: 'agent2', metric: 'fcr_rate', value: 0.9 }] } });
  assert.equal((await daily(agent2, 'metric=fcr_rate')).json.items.at(-1).value, 0.9);
  assert.equal((await api(s, 'POST', `/api/v1/metrics/imports/${fix.json.import_id}/undo`, { token: admin })).status, 204);
  assert.deepEqual((await daily(agent2, 'metric=fcr_rate')).json.items.map((i) => i.value), [0.5, 0.6]);
  expectProblem(assert, await api(s, 'POST', `/api/v1/metrics/imports/${fix.json.import_id}/undo`, { token: admin }), 409);
  const list = await api(s, 'GET', '/api/v1/metrics/imports', { token: admin });
  const rec = list.json.items.find((i) => i.id === fix.json.import_id);
  assert.equal(rec.format, 'json');
  assert.equal(rec.rows, 1);
  assert.equal(rec.user_id, ids.admin);
  assert.match(rec.sha256, /^[0-9a-f]{64}$/);
  assert.ok(rec.undone_at > 0);
});

test('an integration token sends metrics and can do nothing else', async () => {
  const made = await api(s, 'POST', '/api/v1/integration-tokens', { token: admin, json: { name: 'WFM nightly' } });
  assert.equal(made.status, 201, made.body);
  const token = made.json.token;
  assert.match(token, /^cri_[A-Za-z0-9_-]{43}$/);
  const list = await api(s, 'GET', '/api/v1/integration-tokens', { token: admin });
  assert.ok(!list.body.includes(token.slice(4)), 'the list never shows the token again');
  assert.equal(list.json.items[0].scope, 'metrics:write');

  const sent = await api(s, 'POST', '/api/v1/metrics/import', { token, ...csv(`date,username,metric,value\n${day(-1)},agent3,csat,3.9\n`) });
  assert.equal(sent.status, 201, sent.body);
  const rec = (await api(s, 'GET', '/api/v1/metrics/imports', { token: admin })).json.items[0];
  assert.equal(rec.token_id, made.json.id);
  assert.equal(rec.user_id, null);
  assert.equal((await api(s, 'POST', '/api/v1/metrics/batch', { token, json: { rows: [
    { date: day(-1), username: 'agent3', metric: 'csat', value: 4.1 }] } })).status, 201);

  for (const [method, path] of [['GET', '/api/v1/me'], ['GET', '/api/v1/metrics'], ['GET', '/api/v1/users'],
    ['GET', '/api/v1/metrics/daily'], ['GET', '/api/v1/metrics/imports'], ['GET', '/api/v1/feed'],
    ['POST', '/api/v1/integration-tokens'], [`GET`, `/api/v1/users/${ids.agent3}/profile`]])
    expectProblem(assert, await api(s, method, path, { token, json: method === 'POST' ? { name: 'x' } : undefined }), 403);

  assert.equal((await api(s, 'DELETE', `/api/v1/integration-tokens/${made.json.id}`, { token: admin })).status, 204);
  expectProblem(assert, await api(s, 'POST', '/api/v1/metrics/import', { token, ...csv(`date,username,metric,value\n${day(-1)},agent3,csat,4\n`) }), 401);
  expectProblem(assert, await api(s, 'DELETE', `/api/v1/integration-tokens/${made.json.id}`, { token: admin }), 409);
  // a made-up token of the right shape is unknown, not forbidden
  expectProblem(assert, await api(s, 'POST', '/api/v1/metrics/batch', { token: 'cri_' + 'A'.repeat(43), json: { rows: [] } }), 401);
});

test('who may do what with metrics', async () => {
  const adminOnly = [['POST', '/api/v1/metrics', {}], ['PATCH', '/api/v1/metrics/1', {}],
    ['POST', '/api/v1/metrics/batch', { rows: [] }], ['GET', '/api/v1/metrics/imports'],
    ['POST', '/api/v1/metrics/imports/1/undo'], ['GET', '/api/v1/integration-tokens'],
    ['POST', '/api/v1/integration-tokens', { name: 'x' }], ['DELETE', '/api/v1/integration-tokens/1']];
  for (const [method, path, json] of adminOnly) {
    expectProblem(assert, await api(s, method, path, { json }), 401);
    expectProblem(assert, await api(s, method, path, { token: agent1, json }), 403);
    expectProblem(assert, await api(s, method, path, { token: trainer, json }), 403);
  }
  expectProblem(assert, await api(s, 'POST', '/api/v1/metrics/import', { token: trainer, ...csv('date\n') }), 403);
  expectProblem(assert, await api(s, 'GET', '/api/v1/metrics', { token: agent1 }), 403);

  // agents see their own days only; trainers see anyone's
  assert.equal((await daily(agent1, '')).json.user_id, ids.agent1);
  expectProblem(assert, await daily(agent1, `user_id=${ids.agent2}`), 403);
  assert.equal((await daily(trainer, `user_id=${ids.agent2}`)).status, 200);
  expectProblem(assert, await daily(agent1, `from=${day(-1)}&to=${day(-3)}`), 422);
  expectProblem(assert, await daily(agent1, `from=${day(-500)}`), 422);
  expectProblem(assert, await daily(agent1, 'from=yesterday'), 422);
  expectProblem(assert, await daily(agent1, 'metric=nope'), 422);
});

test('the agent profile shows service features and a computed gap with its evidence', async () => {
  const me = await api(s, 'GET', `/api/v1/users/${ids.agent1}/profile`, { token: agent1 });
  assert.equal(me.status, 200, me.body);
  assert.equal(me.json.user.username, 'agent1');
  assert.ok(me.json.user.tenure_days > 365);
  const qa = me.json.service.find((l) => l.metric === 'qa_score' && l.tag === 'refunds');
  // the last 7 days with data are yesterday (66, the replay) and five days of 62
  assert.equal(qa.days_7d, 6);
  assert.equal(qa.mean_7d, 62.667);
  assert.equal(qa.days_30d, 14);
  assert.equal(qa.last.value, 66);
  assert.ok(qa.trend_per_week > 0, 'the last day rose');
  const refunds = me.json.gaps.find((g) => g.tag === 'refunds');
  assert.equal(refunds.source, 'computed');
  assert.ok(refunds.score > 40, JSON.stringify(refunds));
  const ev = refunds.evidence[0];
  // the 14-day window is today and the 13 days before it: 13 of them have data, all below
  assert.deepEqual([ev.code.startsWith('below-target'), ev.metric, ev.tag, ev.target, ev.days, ev.window_days],
    [true, 'qa_score', 'refunds', 80, 13, 14]);
  // CSAT 4.6 is above its 4.2 target: no gap for the skill it speaks for
  assert.ok(!me.json.gaps.some((g) => g.tag === 'empathy'));
  // the weak skill an admin typed in stays, marked manual
  assert.equal(me.json.gaps.find((g) => g.tag === 'compliance').source, 'manual');
  assert.equal(typeof me.json.learning.minutes_watched, 'number');

  assert.equal((await api(s, 'GET', `/api/v1/users/${ids.agent1}/profile`, { token: trainer })).status, 200);
  assert.equal((await api(s, 'GET', `/api/v1/users/${ids.agent1}/profile`, { token: admin })).status, 200);
  expectProblem(assert, await api(s, 'GET', `/api/v1/users/${ids.agent1}/profile`, { token: agent2 }), 403);
  expectProblem(assert, await api(s, 'GET', `/api/v1/users/${ids.agent1}/profile`), 401);
  expectProblem(assert, await api(s, 'GET', '/api/v1/users/99999/profile', { token: trainer }), 404);
});

test('skill tags carry an English and a Chinese label; the profile names each gap\'s skill in both', async () => {
  const tagsAs = async (token) => (await api(s, 'GET', '/api/v1/tags', { token })).json.items;
  // everyone reads the tags with both labels (the upload picker, rules and impact by tag)
  const refunds = (await tagsAs(trainer)).find((x) => x.name === 'refunds');
  assert.deepEqual([refunds.label, refunds.labels], ['Refunds & returns', { en: 'Refunds & returns', zh: '退款与退货' }]);
  assert.deepEqual((await tagsAs(agent1)).find((x) => x.name === 'refunds').labels, refunds.labels);
  expectProblem(assert, await api(s, 'POST', '/api/v1/tags', { token: trainer, json: { name: 'x' } }), 403);
  expectProblem(assert, await api(s, 'PATCH', `/api/v1/tags/${refunds.id}`, { token: trainer, json: { labels: { zh: 'x' } } }), 403);

  const tag = (json) => api(s, 'POST', '/api/v1/tags', { token: admin, json });
  const edit = (id, json) => api(s, 'PATCH', `/api/v1/tags/${id}`, { token: admin, json });
  const both = await tag({ name: 'upsell', labels: { en: 'Upselling', zh: '追加销售' } });
  assert.equal(both.status, 201, both.body);
  assert.deepEqual([both.json.label, both.json.labels], ['Upselling', { en: 'Upselling', zh: '追加销售' }]);
  const plain = await tag({ name: 'warranty', label: 'Warranty claims' });
  assert.deepEqual([plain.json.label, plain.json.labels], ['Warranty claims', { en: 'Warranty claims', zh: null }]);

  // an update changes what it names and keeps the rest; zh null drops the Chinese label
  let r = await edit(plain.json.id, { labels: { zh: '保修'.repeat(32) } }); // 64 characters, the most
  assert.equal(r.status, 200, r.body);
  assert.deepEqual(r.json.labels, { en: 'Warranty claims', zh: '保修'.repeat(32) });
  r = await edit(plain.json.id, { label: 'Warranty' });
  assert.deepEqual(r.json.labels, { en: 'Warranty', zh: '保修'.repeat(32) });
  r = await edit(plain.json.id, { labels: { en: 'Warranty cases', zh: '保修' } });
  assert.deepEqual([r.json.label, r.json.labels], ['Warranty cases', { en: 'Warranty cases', zh: '保修' }]);
  r = await edit(plain.json.id, { labels: { zh: null } });
  assert.deepEqual(r.json.labels, { en: 'Warranty cases', zh: null });

  // refusals name the field and change nothing
  const bad = [
    { labels: { zh: '长'.repeat(65) } }, { labels: { zh: '' } }, { labels: { en: 'x'.repeat(65) } },
    { labels: { en: null } }, { labels: { zh: 5 } }, { labels: 'Warranty' }, { labels: { fr: 'Garantie' } },
    { label: 'Warranty', labels: { en: 'Guarantees' } },
  ];
  for (const json of bad) {
    assert.equal(expectProblem(assert, await edit(plain.json.id, json), 422).field, 'labels', JSON.stringify(json));
    assert.equal(expectProblem(assert, await tag({ name: 'nope', ...json }), 422).field, 'labels', JSON.stringify(json));
  }
  const now = (await tagsAs(admin)).find((x) => x.id === plain.json.id);
  assert.deepEqual(now.labels, { en: 'Warranty cases', zh: null });
  assert.ok(!(await tagsAs(admin)).some((x) => x.name === 'nope'));
  expectProblem(assert, await edit(99999, { labels: { zh: '无' } }), 404);

  // the profile: each gap (computed or manual) with its skill's labels, as they are now
  const gaps = async () => (await api(s, 'GET', `/api/v1/users/${ids.agent1}/profile`, { token: agent1 })).json.gaps;
  let mine = await gaps();
  assert.deepEqual(mine.find((g) => g.tag === 'refunds').tag_labels, { en: 'Refunds & returns', zh: '退款与退货' });
  assert.deepEqual(mine.find((g) => g.tag === 'compliance').tag_labels, { en: 'Compliance & privacy', zh: '合规与隐私' });
  assert.equal((await edit(refunds.id, { labels: { zh: '退款' } })).status, 200);
  mine = await gaps();
  assert.deepEqual(mine.find((g) => g.tag === 'refunds').tag_labels, { en: 'Refunds & returns', zh: '退款' });
  assert.equal((await edit(refunds.id, { labels: { zh: '退款与退货' } })).status, 200);
});
