// Nightly metrics files of a whole center: streamed to disk instead of held
// in memory, run in the background when large (202, then a status to poll),
// every import on record with its outcome, and an acknowledged import that
// survives the server being killed mid-run.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, api, login, expectProblem } from './lib/server.mjs';

const day = (offset) => new Date(Date.now() + offset * 86400e3).toISOString().slice(0, 10);
const csv = (body, headers = {}) => ({ body, headers: { 'content-type': 'text/csv', ...headers } });
const async = { prefer: 'respond-async' };
const SKILLS = ['refunds', 'billing', 'empathy', 'retention'];

/** A nightly export: every agent, `days` days, QA per skill plus CSAT and
 *  handle time, `repeat` times over (a replay updates, it never doubles). */
function nightlyFile(agents, days, { repeat = 1, qa = (a, d) => 60 + ((a * 7 + d) % 40) } = {}) {
  const lines = ['date,username,metric,tag,value'];
  for (let r = 0; r < repeat; r++)
    for (let a = 0; a < agents.length; a++)
      for (let d = 1; d <= days; d++) {
        for (const tag of SKILLS) lines.push(`${day(-d)},${agents[a]},qa_score,${tag},${qa(a, d)}`);
        lines.push(`${day(-d)},${agents[a]},csat,,4.${d % 10}`, `${day(-d)},${agents[a]},aht_seconds,,${300 + d}`);
      }
  return { body: lines.join('\n') + '\n', rows: lines.length - 1 };
}

/** Polls an import's status until it has ended. */
async function settled(s, token, id, timeoutMs = 120000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const r = await api(s, 'GET', `/api/v1/metrics/imports/${id}`, { token });
    assert.equal(r.status, 200, r.body);
    if (!['queued', 'checking', 'applying'].includes(r.json.state)) return r.json;
    if (Date.now() > until) throw new Error(`import ${id} still ${r.json.state}`);
    await new Promise((res) => setTimeout(res, 100));
  }
}

let s, admin, agent1, agents;
before(async () => {
  s = await startServer({ agents: 120, args: ['--timezone', 'UTC', '--metrics-csv-max', String(12 << 20)] });
  [admin, agent1] = await Promise.all(['admin', 'agent1'].map((u) => login(s, u)));
  const users = await api(s, 'GET', '/api/v1/users?limit=200', { token: admin });
  agents = users.json.items.filter((u) => u.role === 'agent').map((u) => u.username);
});
after(() => s.dispose());

test('a file over the answer-at-once size runs in the background and is followed to done', async () => {
  const file = nightlyFile(agents, 60);
  assert.ok(file.body.length > 1 << 20, 'the file is over the 1 MiB default');
  const sent = await api(s, 'POST', '/api/v1/metrics/import', { token: admin, ...csv(file.body) });
  assert.equal(sent.status, 202, sent.body);
  assert.equal(sent.headers.get('location'), `/api/v1/metrics/imports/${sent.json.import_id}`);
  assert.ok(['queued', 'checking', 'applying'].includes(sent.json.state));
  assert.equal(sent.json.bytes, Buffer.byteLength(file.body));

  const done = await settled(s, admin, sent.json.import_id);
  assert.equal(done.state, 'done', JSON.stringify(done));
  assert.equal(done.rows, file.rows);
  assert.ok(done.finished_at >= done.started_at && done.started_at >= done.created_at);
  const qa = await api(s, 'GET', `/api/v1/metrics/daily?metric=qa_score&tag=billing&from=${day(-60)}`, { token: agent1 });
  const a = agents.indexOf('agent1');
  assert.deepEqual(qa.json.items.map((i) => i.value), Array.from({ length: 60 }, (_, k) => 60 + ((a * 7 + 60 - k) % 40)));
  assert.deepEqual(readdirSync(join(s.dir, 'imports')), [], 'the file goes once it is imported');
});

test('a client may ask for the background with Prefer: respond-async; a refusal is kept on record', async () => {
  const good = await api(s, 'POST', '/api/v1/metrics/import', { token: admin,
    ...csv(`date,username,metric,value\n${day(-1)},agent2,csat,4.4\n`, async) });
  assert.equal(good.status, 202, good.body);
  assert.equal(good.headers.get('preference-applied'), 'respond-async');
  assert.equal((await settled(s, admin, good.json.import_id)).state, 'done');

  const lines = ['date,username,metric,value', `${day(-1)},agent2,csat,4.1`];
  for (let i = 0; i < 130; i++) lines.push(`${day(-1)},ghost${i},csat,4`);
  const bad = await api(s, 'POST', '/api/v1/metrics/import', { token: admin, ...csv(lines.join('\n'), async) });
  assert.equal(bad.status, 202);
  const refused = await settled(s, admin, bad.json.import_id);
  assert.equal(refused.state, 'refused');
  assert.equal(refused.problem.type.endsWith('invalid-rows'), true);
  assert.equal(refused.error_count, 130);
  assert.equal(refused.errors.length, 100);
  assert.deepEqual(refused.errors[0], { row: 3, code: 'unknown-agent', field: 'username', detail: 'no such agent' });
  const csat = await api(s, 'GET', `/api/v1/metrics/daily?user_id=${(await api(s, 'GET', '/api/v1/me', { token: admin })).json.id}&metric=csat`, { token: admin });
  assert.equal(csat.status, 200);
  const agent2 = await login(s, 'agent2');
  assert.equal((await api(s, 'GET', '/api/v1/metrics/daily?metric=csat', { token: agent2 })).json.items.at(-1).value, 4.4,
    'the refused file changed nothing');
  expectProblem(assert, await api(s, 'POST', `/api/v1/metrics/imports/${bad.json.import_id}/undo`, { token: admin }), 409);

  const header = await api(s, 'POST', '/api/v1/metrics/import', { token: admin, ...csv('when,who,what\n1,2,3\n', async) });
  const unusable = await settled(s, admin, header.json.import_id);
  assert.equal(unusable.state, 'refused');
  assert.match(unusable.problem.type, /invalid-csv$/);
  assert.match(unusable.problem.detail, /column 'when'/);

  const list = (await api(s, 'GET', '/api/v1/metrics/imports', { token: admin })).json.items;
  assert.deepEqual(list.slice(0, 3).map((i) => [i.id, i.state]),
    [[header.json.import_id, 'refused'], [bad.json.import_id, 'refused'], [good.json.import_id, 'done']]);
  assert.equal(list[1].errors, undefined, 'the list leaves the bad rows to the status');
});

test('a record longer than the reader\'s block, and a file over the limit, are refused', async () => {
  const long = await api(s, 'POST', '/api/v1/metrics/import', { token: admin,
    ...csv(`date,username,metric,value\n${day(-1)},agent3,csat,4\n${day(-1)},"${'x'.repeat(1100000)}",csat,4\n`) });
  assert.equal(long.status, 202, long.body);
  const refused = await settled(s, admin, long.json.import_id);
  assert.equal(refused.state, 'refused');
  assert.match(refused.problem.detail, /line 3: a record is longer than 1048576 bytes/);

  const big = 'date,username,metric,value\n' + `${day(-1)},agent3,csat,4.0\n`.repeat(500000);
  assert.ok(big.length > 12 << 20);
  expectProblem(assert, await api(s, 'POST', '/api/v1/metrics/import', { token: admin, ...csv(big) }), 413);
  expectProblem(assert, await api(s, 'POST', '/api/v1/metrics/import', { token: admin, body: 'a,b\n', headers: { 'content-type': 'text/plain' } }), 415);
  expectProblem(assert, await api(s, 'POST', '/api/v1/metrics/import', { token: admin, ...csv('') }), 422);
  assert.deepEqual(readdirSync(join(s.dir, 'imports')), [], 'refused bodies leave no file behind');
});

test('an integration token follows its own imports and no one else\'s', async () => {
  const made = await api(s, 'POST', '/api/v1/integration-tokens', { token: admin, json: { name: 'WFM' } });
  const token = made.json.token;
  const mine = await api(s, 'POST', '/api/v1/metrics/import', { token, ...csv(`date,username,metric,value\n${day(-1)},agent4,csat,3.8\n`, async) });
  assert.equal(mine.status, 202);
  const status = await settled(s, token, mine.json.import_id);
  assert.equal(status.token_id, made.json.id);
  const theirs = await api(s, 'POST', '/api/v1/metrics/import', { token: admin, ...csv(`date,username,metric,value\n${day(-1)},agent4,csat,3.9\n`) });
  assert.equal(theirs.status, 201, theirs.body);
  expectProblem(assert, await api(s, 'GET', `/api/v1/metrics/imports/${theirs.json.import_id}`, { token }), 404);
  expectProblem(assert, await api(s, 'GET', `/api/v1/metrics/imports/${mine.json.import_id}`, { token: agent1 }), 403);
  expectProblem(assert, await api(s, 'GET', '/api/v1/metrics/imports/99999', { token: admin }), 404);
});

test('an acknowledged import survives the server being killed while it runs', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'casereel-import-crash-'));
  try {
    let one = await startServer({ dataDir: dir, args: ['--timezone', 'UTC', '--metrics-csv-max', String(64 << 20)] });
    const token = await login(one, 'admin');
    const names = ['agent1', 'agent2', 'agent3', 'agent4', 'agent5', 'agent6', 'agent7', 'agent8'];
    const file = nightlyFile(names, 365, { repeat: 6, qa: (a, d) => 50 + ((a + d) % 50) });
    const sent = await api(one, 'POST', '/api/v1/metrics/import', { token, ...csv(file.body) });
    assert.equal(sent.status, 202, sent.body);
    await one.stop('SIGKILL');

    const two = await startServer({ dataDir: dir, args: ['--timezone', 'UTC'] });
    try {
      const admin2 = await login(two, 'admin');
      const done = await settled(two, admin2, sent.json.import_id);
      assert.equal(done.state, 'done', JSON.stringify(done));
      assert.equal(done.rows, file.rows);
      const agent = await login(two, 'agent3');
      const qa = await api(two, 'GET', `/api/v1/metrics/daily?metric=qa_score&tag=retention&from=${day(-365)}`, { token: agent });
      assert.equal(qa.json.items.length, 365, 'every day once, however often the file repeats it');
      assert.equal(qa.json.items.at(-1).value, 50 + ((2 + 1) % 50));
    } finally {
      await two.dispose();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
