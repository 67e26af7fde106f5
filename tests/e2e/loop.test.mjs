// The learning loop end to end: a trainer builds a path with a quiz gate,
// the agent's feed serves its steps in order, a failed gate is retaken after
// watching again; a push rule fires on imported service results, stays open
// after the clips are done, flags the overdue and closes once the metric is
// back; a switched-off rule fires for nobody until it is switched on again;
// impact reports say "not enough data" honestly; and each endpoint refuses
// the roles that must not use it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, api, login, expectProblem, advanceClock, runMaintenance } from './lib/server.mjs';
import { waitForDemo } from './lib/poll.mjs';

let s, tok, ids, clips;
const day = (offset) => new Date(Date.now() + offset * 86400e3).toISOString().slice(0, 10);

before(async () => {
  s = await startServer({ clips: 4, args: ['--timezone', 'UTC', '--rule-hour', '0'] });
  await waitForDemo(s);
  const names = ['admin', 'trainer1', 'agent1', 'agent2', 'agent3'];
  tok = Object.fromEntries(await Promise.all(names.map(async (u) => [u, await login(s, u)])));
  const users = await api(s, 'GET', '/api/v1/users?limit=100', { token: tok.admin });
  ids = Object.fromEntries(users.json.items.map((u) => [u.username, u.id]));
  // agent1 learns from the paths below: the clips are other people's (nobody is shown their own)
  const feed = await api(s, 'GET', '/api/v1/feed?limit=10', { token: tok.trainer1 });
  clips = feed.json.items.filter((i) => i.creator.id !== ids.agent1)
    .map((i) => ({ id: i.id, duration: i.duration })).sort((a, b) => a.id - b.id);
  assert.equal(clips.length, 3);
});
after(() => s.dispose());

const feedOf = async (user) => (await api(s, 'GET', '/api/v1/feed?limit=10', { token: tok[user] })).json.items;
const myPaths = async (user) => (await api(s, 'GET', '/api/v1/me/paths', { token: tok[user] })).json.items;

/** Watches `clip` to its end as `user`; the clock moved on stands for the watching. */
async function watch(user, clip) {
  const ev = (event, position) => api(s, 'POST', `/api/v1/videos/${clip.id}/views`, { token: tok[user], json: { event, position } });
  assert.equal((await ev('start', 0)).status, 200);
  await advanceClock(s, clip.duration);
  const end = await ev('end', clip.duration * 0.97);
  assert.equal(end.status, 200, end.body);
}

let pathId, quiz;
test('a trainer builds a path of published clips with a quiz gate and assigns it', async () => {
  const [a, b] = clips;
  const put = await api(s, 'PUT', `/api/v1/videos/${b.id}/quiz`, { token: tok.trainer1, json: { questions: [
    { text: 'Refunds take?', choices: ['1 day', '14 days'], answer: 1 },
    { text: 'Who approves?', choices: ['Team lead', 'Anyone'], answer: 0 }] } });
  assert.equal(put.status, 200, put.body);
  quiz = put.json.questions.map((q) => ({ id: q.id, answer: q.answer }));

  const bad = [
    [{ name: 'x', steps: [] }, 'steps'],
    [{ name: 'x', steps: [{ video_id: a.id }, { video_id: 99999 }] }, 'steps'],
    [{ name: 'x', steps: [{ video_id: a.id }, { video_id: a.id }] }, 'steps'],
    [{ name: 'x', steps: [{ video_id: a.id, quiz_gate: 'yes' }] }, 'steps'],
    [{ steps: [{ video_id: a.id }] }, 'name'],
  ];
  for (const [json, field] of bad)
    assert.equal(expectProblem(assert, await api(s, 'POST', '/api/v1/paths', { token: tok.trainer1, json }), 422).field, field);
  const made = await api(s, 'POST', '/api/v1/paths', { token: tok.trainer1, json: {
    name: 'Refunds mastery', description: 'two clips and a quiz',
    steps: [{ video_id: a.id }, { video_id: b.id, quiz_gate: true }] } });
  assert.equal(made.status, 201, made.body);
  pathId = made.json.id;
  assert.deepEqual(made.json.steps.map((st) => [st.position, st.video_id, st.quiz_gate, st.quiz_questions]),
    [[1, a.id, false, 0], [2, b.id, true, 2]]);

  expectProblem(assert, await api(s, 'POST', `/api/v1/paths/${pathId}/assignments`, { token: tok.trainer1, json: { user_ids: [99999] } }), 422);
  expectProblem(assert, await api(s, 'POST', `/api/v1/paths/${pathId}/assignments`, { token: tok.trainer1, json: {} }), 422);
  const assigned = await api(s, 'POST', `/api/v1/paths/${pathId}/assignments`, { token: tok.trainer1,
    json: { user_ids: [ids.agent1], due_date: day(7) } });
  assert.equal(assigned.status, 201, assigned.body);
  const list = await api(s, 'GET', `/api/v1/paths/${pathId}/assignments`, { token: tok.trainer1 });
  assert.deepEqual(list.json.items.map((x) => [x.user_id, x.source]), [[ids.agent1, 'trainer']]);
  assert.equal((await myPaths('agent2')).length, 0, 'only the assigned agent has it');
});

test('the feed serves the next step first; a failed gate is retaken after watching again', async () => {
  const [a, b] = clips;
  let mine = await myPaths('agent1');
  assert.deepEqual([mine[0].name, mine[0].step_count, mine[0].next_position, mine[0].overdue], ['Refunds mastery', 2, 1, false]);
  let top = (await feedOf('agent1'))[0];
  assert.deepEqual([top.id, top.reason_code, top.path], [a.id, 'path', { id: pathId, position: 1, steps: 2 }]);

  await watch('agent1', a);
  await advanceClock(s, 61); // past the feed's one-minute snapshot
  mine = await myPaths('agent1');
  assert.equal(mine[0].next_position, 2);
  top = (await feedOf('agent1'))[0];
  assert.deepEqual([top.id, top.reason_code, top.path.position], [b.id, 'path', 2]);

  // watched, but the first answers get one question wrong: the gate stays shut
  await watch('agent1', b);
  const first = await api(s, 'POST', `/api/v1/videos/${b.id}/quiz/answers`, { token: tok.agent1,
    json: { answers: [{ question_id: quiz[0].id, choice: quiz[0].answer }, { question_id: quiz[1].id, choice: 1 - quiz[1].answer }] } });
  assert.equal(first.status, 200, first.body);
  mine = await myPaths('agent1');
  assert.deepEqual([mine[0].steps_done, mine[0].next_position, mine[0].next_needs_quiz], [1, 2, true]);

  const right = { answers: quiz.map((q) => ({ question_id: q.id, choice: q.answer })) };
  const retake = (json) => api(s, 'POST', `/api/v1/paths/${pathId}/steps/2/quiz`, { token: tok.agent1, json });
  expectProblem(assert, await retake(right), 409); // watch it again first
  await advanceClock(s, 5);
  await watch('agent1', b);
  expectProblem(assert, await retake({ answers: [{ question_id: quiz[0].id, choice: 0 }] }), 422); // every question once
  const before = (await api(s, 'GET', '/api/v1/me/points', { token: tok.agent1 })).json.balance;
  const passed = await retake(right);
  assert.equal(passed.status, 200, passed.body);
  assert.deepEqual(passed.json, { passed: true, questions: 2, right: 2 });
  assert.equal((await api(s, 'GET', '/api/v1/me/points', { token: tok.agent1 })).json.balance, before, 'retakes pay nothing');
  expectProblem(assert, await retake(right), 409); // passed already
  expectProblem(assert, await api(s, 'POST', `/api/v1/paths/${pathId}/steps/1/quiz`, { token: tok.agent1, json: right }), 404);

  mine = await myPaths('agent1');
  assert.equal(mine[0].steps_done, 2);
  assert.ok(mine[0].completed_at > 0);
  await advanceClock(s, 61);
  const after = await feedOf('agent1');
  assert.ok(after.length > 0, 'the feed still has clips');
  assert.ok(!after.some((i) => i.reason_code === 'path'), 'a finished path leaves the feed');
});

test('must-watch is a one-clip path: the agent has one list of clips and paths, overdue first, then by due date, undated last', async () => {
  const [a, b, c] = clips;
  // a new agent, who has watched nothing yet (and whose first password needs no change here)
  const made = await api(s, 'POST', '/api/v1/users', { token: tok.admin, json: { username: 'newhire', display_name: 'New Hire', password: 'new-hire-lantern-42', role: 'agent', must_change_password: false } });
  assert.equal(made.status, 201, made.body);
  ids.newhire = made.json.id;
  tok.newhire = await login(s, 'newhire', 'new-hire-lantern-42');
  const mustWatch = async (clip, due, note) => {
    const r = await api(s, 'POST', '/api/v1/assignments', { token: tok.trainer1,
      json: { video_id: clip.id, user_ids: [ids.newhire], ...(due ? { due_date: due } : {}), ...(note ? { note } : {}) } });
    assert.equal(r.status, 201, r.body);
    return r.json.items[0];
  };
  const late = await mustWatch(b, day(-1));
  const soon = await mustWatch(c, day(3), 'before the audit');
  const series = await api(s, 'POST', '/api/v1/paths', { token: tok.trainer1, json: { name: 'Billing basics', steps: [{ video_id: a.id }, { video_id: b.id }] } });
  assert.equal((await api(s, 'POST', `/api/v1/paths/${series.json.id}/assignments`, { token: tok.trainer1,
    json: { user_ids: [ids.newhire], due_date: day(10) } })).status, 201);
  const undated = await mustWatch(a);
  // each must-watch is a real path of kind "clip": one step, its clip, kept out of the trainers' path list
  const clipPath = (await api(s, 'GET', `/api/v1/paths/${soon.path_id}`, { token: tok.trainer1 })).json;
  assert.deepEqual([clipPath.kind, clipPath.name, clipPath.steps.map((st) => st.video_id)], ['clip', soon.video.title, [c.id]]);
  assert.ok(!(await api(s, 'GET', '/api/v1/paths', { token: tok.trainer1 })).json.items.some((p) => p.kind === 'clip'));
  assert.ok((await api(s, 'GET', '/api/v1/paths?kind=clip', { token: tok.trainer1 })).json.items.some((p) => p.id === soon.path_id));
  assert.equal(expectProblem(assert, await api(s, 'PATCH', `/api/v1/paths/${soon.path_id}`, { token: tok.trainer1,
    json: { steps: [{ video_id: a.id }, { video_id: c.id }] } }), 409).field, 'steps');

  const list = async (user) => (await api(s, 'GET', '/api/v1/me/assignments', { token: tok[user] })).json.items;
  let mine = await list('newhire');
  assert.deepEqual(mine.map((i) => [i.kind, i.path_id, i.overdue, i.steps_done, i.step_count, i.state]), [
    ['clip', late.path_id, true, 0, 1, 'not_started'],
    ['clip', soon.path_id, false, 0, 1, 'not_started'],
    ['series', series.json.id, false, 0, 2, 'not_started'],
    ['clip', undated.path_id, false, 0, 1, 'not_started']]);
  const [, due] = mine;
  assert.deepEqual([due.title, due.note, due.due_at, due.next], [soon.video.title, 'before the audit', soon.due_at,
    { video_id: c.id, position: 1, title: soon.video.title, needs_quiz: false }]);
  assert.equal(mine[2].title, 'Billing basics');
  assert.equal(mine[2].next.video_id, a.id);
  assert.equal(mine[3].due_at, null);

  // in the feed, the must-watch clips lead as must-watch; the path's next step (also a must-watch) comes once
  const feed = await feedOf('newhire');
  const pinned = feed.filter((i) => i.reason_code === 'must-watch');
  assert.deepEqual(pinned.map((i) => i.id).sort(), [a.id, b.id, c.id]);
  assert.ok(pinned.every((i) => i.must_watch && i.path.steps === 1), JSON.stringify(pinned.map((i) => i.path)));
  assert.deepEqual(feed.slice(0, 3).map((i) => i.reason_code), ['must-watch', 'must-watch', 'must-watch']);
  assert.equal(new Set(feed.map((i) => i.id)).size, feed.length, 'no clip twice');

  // watching the clips moves the list: a finished must-watch is 1/1 and complete, after the unfinished
  await watch('newhire', c);
  await watch('newhire', a);
  mine = await list('newhire');
  assert.deepEqual(mine.map((i) => [i.path_id, i.steps_done, i.state, i.next?.position ?? null]), [
    [late.path_id, 0, 'not_started', 1],
    [series.json.id, 1, 'in_progress', 2],
    [soon.path_id, 1, 'complete', null],
    [undated.path_id, 1, 'complete', null]]);
  assert.ok(mine[2].completed_at > 0);
  const detail = (await api(s, 'GET', `/api/v1/assignments/${soon.id}`, { token: tok.trainer1 })).json;
  assert.deepEqual(detail.people.map((p) => [p.id, p.watched]), [[ids.newhire, true]]);

  // nobody else's list shows them, and the trainers' views are theirs alone
  assert.ok(!(await list('agent2')).some((i) => [late, soon, undated].some((x) => x.path_id === i.path_id)));
  expectProblem(assert, await api(s, 'GET', '/api/v1/me/assignments'), 401);
  for (const path of ['/api/v1/assignments', `/api/v1/assignments/${soon.id}`, `/api/v1/paths/${soon.path_id}/assignments`])
    expectProblem(assert, await api(s, 'GET', path, { token: tok.newhire }), 403);
});

test('a push rule fires on imported results, tracks until the metric recovers, flags the overdue', async () => {
  const made = await api(s, 'POST', '/api/v1/paths', { token: tok.trainer1, json: { name: 'Refunds refresher', steps: [{ video_id: clips[2].id }] } });
  const rule = await api(s, 'POST', '/api/v1/push-rules', { token: tok.trainer1, json: {
    name: 'refunds QA under 70', metric: 'qa_score', tag: 'refunds', threshold: 70,
    window_days: 7, min_days: 5, path_id: made.json.id, due_days: 1, recover_days: 2 } });
  assert.equal(rule.status, 201, rule.body);
  for (const [json, field] of [[{ ...rule.json, name: 'x', metric: 'qa_score', tag: undefined, path_id: made.json.id, threshold: 1 }, 'tag'],
    [{ name: 'x', metric: 'qa_score', tag: 'refunds', threshold: 1, path_id: made.json.id, window_days: 3, min_days: 5 }, 'min_days'],
    [{ name: 'x', metric: 'nope', threshold: 1, path_id: made.json.id }, 'metric'],
    [{ name: 'x', metric: 'csat', threshold: 'low', path_id: made.json.id }, 'threshold']])
    assert.equal(expectProblem(assert, await api(s, 'POST', '/api/v1/push-rules', { token: tok.trainer1, json }), 422).field, field);

  // agent2 under 70 on 5 of the last 7 days (today included); agent3 only on 4
  const rows = ['date,username,metric,tag,value'];
  [62, 65, 75, 61, 64, 80, 63].forEach((v, i) => rows.push(`${day(i - 6)},agent2,qa_score,refunds,${v}`));
  [62, 65, 75, 71, 64, 80, 63].forEach((v, i) => rows.push(`${day(i - 6)},agent3,qa_score,refunds,${v}`));
  const imported = await api(s, 'POST', '/api/v1/metrics/import', { token: tok.admin, body: rows.join('\n'), headers: { 'content-type': 'text/csv' } });
  assert.equal(imported.status, 201, imported.body);

  let history = (await api(s, 'GET', `/api/v1/push-rules/${rule.json.id}`, { token: tok.trainer1 })).json;
  assert.deepEqual(history.history.map((p) => [p.user_id, p.state, p.trigger_value, p.bad_days]), [[ids.agent2, 'open', 63, 5]]);
  assert.equal((await myPaths('agent2'))[0].source, 'rule');
  const again = await api(s, 'POST', '/api/v1/push-rules/evaluate', { token: tok.trainer1 });
  assert.equal(again.json.fired, 0, 'one open push per rule and agent');

  // the clip watched, the push stays open; a day past due it is flagged
  await watch('agent2', clips[2]);
  await advanceClock(s, 2 * 86400);
  history = (await api(s, 'GET', `/api/v1/push-rules/${rule.json.id}`, { token: tok.trainer1 })).json;
  assert.deepEqual([history.history[0].state, history.history[0].overdue, history.history[0].path.steps_done], ['open', true, 1]);
  assert.equal(history.pushes.overdue, 1);

  // two days back above 70 (the server's today has moved on two days) close it as qualified
  const good = ['date,username,metric,tag,value', `${day(1)},agent2,qa_score,refunds,74`, `${day(2)},agent2,qa_score,refunds,78`];
  assert.equal((await api(s, 'POST', '/api/v1/metrics/import', { token: tok.admin, body: good.join('\n'), headers: { 'content-type': 'text/csv' } })).status, 201);
  history = (await api(s, 'GET', `/api/v1/push-rules/${rule.json.id}`, { token: tok.trainer1 })).json;
  assert.deepEqual([history.history[0].state, history.history[0].overdue], ['qualified', false]);
  assert.deepEqual(history.pushes, { open: 0, qualified: 1, overdue: 0 });
  assert.equal((await myPaths('agent2')).length, 0);

  const off = await api(s, 'PATCH', `/api/v1/push-rules/${rule.json.id}`, { token: tok.trainer1, json: { active: false } });
  assert.equal(off.json.active, false);
});

test('a switched-off rule fires for nobody, after an import or on demand; switched on, it fires', async () => {
  const made = await api(s, 'POST', '/api/v1/paths', { token: tok.trainer1, json: { name: 'Compliance refresher', steps: [{ video_id: clips[0].id }] } });
  const rule = await api(s, 'POST', '/api/v1/push-rules', { token: tok.trainer1, json: {
    name: 'compliance QA under 50', metric: 'qa_score', tag: 'compliance', threshold: 50,
    window_days: 7, min_days: 4, path_id: made.json.id, due_days: 7, recover_days: 2 } });
  assert.equal(rule.status, 201, rule.body);
  assert.equal(rule.json.active, true, 'a new rule is on');
  const patch = (json) => api(s, 'PATCH', `/api/v1/push-rules/${rule.json.id}`, { token: tok.trainer1, json });
  const off = await patch({ active: false });
  assert.equal(off.status, 200, off.body);
  assert.equal(off.json.active, false);
  assert.equal((await api(s, 'GET', '/api/v1/push-rules', { token: tok.trainer1 })).json.items.find((r) => r.id === rule.json.id).active, false);
  for (const json of [{ active: 'no' }, { active: null }, {}])
    assert.equal(expectProblem(assert, await patch(json), 422).field, 'active');
  expectProblem(assert, await api(s, 'PATCH', '/api/v1/push-rules/99999', { token: tok.trainer1, json: { active: true } }), 404);

  // agent2 far under 50 on four days: the import's pass and a pass on demand leave the rule alone
  const rows = ['date,username,metric,tag,value', ...[-3, -2, -1, 0].map((d) => `${day(d)},agent2,qa_score,compliance,30`)];
  assert.equal((await api(s, 'POST', '/api/v1/metrics/import', { token: tok.admin, body: rows.join('\n'), headers: { 'content-type': 'text/csv' } })).status, 201);
  const history = async () => (await api(s, 'GET', `/api/v1/push-rules/${rule.json.id}`, { token: tok.trainer1 })).json;
  assert.equal((await api(s, 'POST', '/api/v1/push-rules/evaluate', { token: tok.trainer1 })).status, 200);
  assert.deepEqual((await history()).history, [], 'a switched-off rule does not fire');
  assert.ok(!(await myPaths('agent2')).some((p) => p.path_id === made.json.id));

  const on = await patch({ active: true });
  assert.equal(on.json.active, true);
  const pass = await api(s, 'POST', '/api/v1/push-rules/evaluate', { token: tok.trainer1 });
  assert.ok(pass.json.fired >= 1, pass.body);
  assert.deepEqual((await history()).history.map((p) => [p.user_id, p.state, p.trigger_value]), [[ids.agent2, 'open', 30]]);
  assert.ok((await myPaths('agent2')).some((p) => p.path_id === made.json.id && p.source === 'rule'));
  await patch({ active: false }); // the tests below count their own rule's pushes
});

test('the daily pass evaluates rules written after the data came in', async () => {
  // the server's clock is days ahead by now: these days are its recent past
  const rows = ['date,username,metric,tag,value', ...[-2, -1, 0, 1, 2].map((d) => `${day(d)},agent3,qa_score,billing,55`)];
  assert.equal((await api(s, 'POST', '/api/v1/metrics/import', { token: tok.admin, body: rows.join('\n'), headers: { 'content-type': 'text/csv' } })).status, 201);
  const made = await api(s, 'POST', '/api/v1/paths', { token: tok.trainer1, json: { name: 'Billing refresher', steps: [{ video_id: clips[1].id }] } });
  const rule = await api(s, 'POST', '/api/v1/push-rules', { token: tok.trainer1, json: {
    name: 'billing QA under 60', metric: 'qa_score', tag: 'billing', threshold: 60,
    window_days: 7, min_days: 4, path_id: made.json.id, due_days: 7, recover_days: 2 } });
  assert.equal(rule.status, 201, rule.body);
  const history = async () => (await api(s, 'GET', `/api/v1/push-rules/${rule.json.id}`, { token: tok.trainer1 })).json.history;
  assert.equal((await history()).length, 0, 'nothing evaluates a new rule until the next pass');
  await advanceClock(s, 86400); // a new day: the maintenance round runs the day's pass once
  await runMaintenance(s);
  assert.deepEqual((await history()).map((p) => [p.user_id, p.state]), [[ids.agent3, 'open']]);
  assert.match(s.stderr, /daily push-rule pass: \d+ rule\(s\), 1 fired/);
});

test('impact reports say "not enough data" below the minimum n, and export CSV', async () => {
  const q = `/api/v1/impact?path_id=${pathId}&metric=qa_score&tag=refunds`;
  const r = await api(s, 'GET', q, { token: tok.trainer1 });
  assert.equal(r.status, 200, r.body);
  assert.deepEqual(r.json.item, { kind: 'path', id: pathId, name: 'Refunds mastery' });
  assert.equal(r.json.estimate.enough, false);
  assert.equal(r.json.estimate.min_n, 20);
  assert.equal(r.json.estimate.difference, null);
  const csv = await api(s, 'GET', `${q}&format=csv`, { token: tok.trainer1 });
  assert.match(csv.headers.get('content-type'), /^text\/csv/);
  assert.equal(csv.body.split('\r\n')[0], 'user_id,date,treated_change,control_change,comparisons');
  for (const bad of ['/api/v1/impact?metric=qa_score&tag=refunds', `/api/v1/impact?path_id=${pathId}&video_id=1&metric=csat`,
    `/api/v1/impact?path_id=${pathId}`, `/api/v1/impact?path_id=${pathId}&metric=qa_score`])
    expectProblem(assert, await api(s, 'GET', bad, { token: tok.trainer1 }), 422);
  assert.equal(expectProblem(assert, await api(s, 'GET', `/api/v1/impact?path_id=${pathId}&metric=nope`, { token: tok.trainer1 }), 422).field, 'metric');
  expectProblem(assert, await api(s, 'GET', `/api/v1/impact?rule_id=99999&metric=csat`, { token: tok.trainer1 }), 404);
  assert.equal((await api(s, 'GET', `/api/v1/impact?video_id=${clips[0].id}&metric=csat`, { token: tok.trainer1 })).status, 200);
});

test('agents cannot build, assign, read rules or impact; they see only their own paths', async () => {
  const trainerOnly = [['GET', '/api/v1/paths'], ['POST', '/api/v1/paths', { name: 'x', steps: [] }],
    ['GET', `/api/v1/paths/${pathId}`], ['PATCH', `/api/v1/paths/${pathId}`, { name: 'x' }],
    ['POST', `/api/v1/paths/${pathId}/archive`], ['GET', `/api/v1/paths/${pathId}/assignments`],
    ['POST', `/api/v1/paths/${pathId}/assignments`, { user_ids: [1] }], ['DELETE', '/api/v1/path-assignments/1'],
    ['GET', '/api/v1/push-rules'], ['POST', '/api/v1/push-rules', {}], ['GET', '/api/v1/push-rules/1'],
    ['PATCH', '/api/v1/push-rules/1', { active: true }], ['POST', '/api/v1/push-rules/evaluate'],
    ['GET', `/api/v1/impact?path_id=${pathId}&metric=csat`]];
  for (const [method, path, json] of trainerOnly) {
    expectProblem(assert, await api(s, method, path, { json }), 401);
    expectProblem(assert, await api(s, method, path, { token: tok.agent1, json }), 403);
  }
  // archiving takes the path off every list it was on
  const archived = await api(s, 'POST', `/api/v1/paths/${pathId}/archive`, { token: tok.trainer1 });
  assert.equal(archived.json.archived, true);
  expectProblem(assert, await api(s, 'POST', `/api/v1/paths/${pathId}/archive`, { token: tok.trainer1 }), 409);
  expectProblem(assert, await api(s, 'POST', `/api/v1/paths/${pathId}/assignments`, { token: tok.trainer1, json: { user_ids: [ids.agent3] } }), 409);
  assert.equal((await myPaths('agent1')).length, 0);
});
