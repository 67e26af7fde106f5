// Trainers' feed tools: featuring clips and creators, must-watch assignments,
// and their effect on what agents see.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startServer, api, login, expectProblem, advanceClock } from './lib/server.mjs';
import { makeClip } from './lib/media.mjs';
import { waitForVideo } from './lib/poll.mjs';

let s, tok, clip, ids;
const users = ['agent1', 'agent2', 'agent3', 'agent4', 'agent5', 'agent6', 'trainer1'];

async function publish(user, title, body = clip) {
  const r = await api(s, 'POST', `/api/v1/videos?title=${encodeURIComponent(title)}`,
    { token: tok[user], body, headers: { 'content-type': 'video/mp4' } });
  assert.equal(r.status, 202, r.body);
  const v = await waitForVideo(s, tok[user], r.json.id);
  assert.equal(v.status, 'pending_review', v.error);
  const ok = await api(s, 'POST', `/api/v1/videos/${v.id}/review`, { token: tok.trainer1, json: { decision: 'approve' } });
  assert.equal(ok.status, 200);
  return v.id;
}

before(async () => {
  clip = readFileSync(makeClip('trainer.mp4', { seconds: 2, size: '360x640' }));
  s = await startServer({ args: ['--transcode-workers', '2'] });
  tok = Object.fromEntries(await Promise.all(users.map(async (u) => [u, await login(s, u)])));
  ids = {};
  for (const u of ['agent2', 'agent3', 'agent4', 'agent5', 'agent6']) ids[u] = await publish(u, `Clip by ${u}`);
});
after(() => s.dispose());

const feedFor = async (user) => (await api(s, 'GET', '/api/v1/feed?limit=50', { token: tok[user] })).json.items;

test('trainer endpoints are refused to agents', async () => {
  expectProblem(assert, await api(s, 'POST', '/api/v1/featured', { token: tok.agent1, json: { video_id: ids.agent2 } }), 403);
  expectProblem(assert, await api(s, 'DELETE', '/api/v1/featured/1', { token: tok.agent1 }), 403);
  expectProblem(assert, await api(s, 'POST', '/api/v1/assignments', { token: tok.agent1, json: { video_id: ids.agent2, user_ids: [1] } }), 403);
  expectProblem(assert, await api(s, 'GET', '/api/v1/assignments', { token: tok.agent1 }), 403);
  expectProblem(assert, await api(s, 'GET', '/api/v1/assignments/1', { token: tok.agent1 }), 403);
  expectProblem(assert, await api(s, 'POST', '/api/v1/featured', {}), 401);
});

test('nobody reviews their own clip: an approval pays its creator', async () => {
  const r = await api(s, 'POST', `/api/v1/videos?title=${encodeURIComponent('Trainer demo call')}`,
    { token: tok.trainer1, body: clip, headers: { 'content-type': 'video/mp4' } });
  const v = await waitForVideo(s, tok.trainer1, r.json.id);
  assert.equal(v.status, 'pending_review', v.error);
  const self = expectProblem(assert, await api(s, 'POST', `/api/v1/videos/${v.id}/review`, { token: tok.trainer1, json: { decision: 'approve' } }), 403);
  assert.match(self.type, /own-clip/);
  assert.equal((await api(s, 'GET', `/api/v1/videos/${v.id}`, { token: tok.trainer1 })).json.status, 'pending_review');
  const admin = await login(s, 'admin');
  assert.equal((await api(s, 'POST', `/api/v1/videos/${v.id}/review`, { token: admin, json: { decision: 'approve' } })).json.status, 'published');
});

test('a featured creator gets the badge and the boost; ending it removes both', async () => {
  const me = (u) => api(s, 'GET', '/api/v1/me', { token: tok[u] }).then((r) => r.json.id);
  const bad = expectProblem(assert, await api(s, 'POST', '/api/v1/featured', { token: tok.trainer1, json: { video_id: ids.agent2, user_id: 3 } }), 422);
  assert.equal(bad.field, 'video_id');
  expectProblem(assert, await api(s, 'POST', '/api/v1/featured', { token: tok.trainer1, json: { user_id: 999999 } }), 422);
  expectProblem(assert, await api(s, 'POST', '/api/v1/featured', { token: tok.trainer1, json: { user_id: 5, days: 365 } }), 422);
  const f = await api(s, 'POST', '/api/v1/featured', { token: tok.trainer1, json: { user_id: await me('agent6'), days: 7, note: 'Best de-escalation this month' } });
  assert.equal(f.status, 201, f.body);
  assert.equal(f.json.kind, 'creator');
  assert.equal(f.json.note, 'Best de-escalation this month');
  const listed = await api(s, 'GET', '/api/v1/featured', { token: tok.agent1 });
  assert.ok(listed.json.items.some((x) => x.id === f.json.id));
  const feed = await feedFor('agent1');
  assert.equal(feed[0].id, ids.agent6, 'the featured creator leads the feed');
  assert.equal(feed[0].creator.featured, true);
  assert.equal(feed[0].reason, 'featured by trainer');
  assert.ok(feed.filter((i) => i.creator.featured).every((i) => i.creator.display_name === 'Huang Min'));
  assert.equal((await api(s, 'DELETE', `/api/v1/featured/${f.json.id}`, { token: tok.trainer1 })).status, 204);
  expectProblem(assert, await api(s, 'DELETE', `/api/v1/featured/${f.json.id}`, { token: tok.trainer1 }), 404);
  const after = await feedFor('agent1');
  assert.ok(after.every((i) => !i.creator.featured));
  // a featured clip
  const fc = await api(s, 'POST', '/api/v1/featured', { token: tok.trainer1, json: { video_id: ids.agent3 } });
  assert.equal(fc.status, 201);
  const withClip = await feedFor('agent5');
  assert.equal(withClip[0].id, ids.agent3);
  assert.equal(withClip[0].featured, true);
  // a featured clip its owner deletes leaves the featured list (its title may be what they regretted)
  const gone = await publish('agent5', 'Featured, then deleted');
  assert.equal((await api(s, 'POST', '/api/v1/featured', { token: tok.trainer1, json: { video_id: gone } })).status, 201);
  const titles = async () => (await api(s, 'GET', '/api/v1/featured', { token: tok.agent1 })).json.items.map((i) => i.video?.title);
  assert.ok((await titles()).includes('Featured, then deleted'));
  assert.equal((await api(s, 'DELETE', `/api/v1/videos/${gone}`, { token: tok.agent5 })).status, 204);
  assert.ok(!(await titles()).includes('Featured, then deleted'));
});

test('must-watch clips are pinned until watched; trainers see who has watched', async () => {
  const agent1 = (await api(s, 'GET', '/api/v1/me', { token: tok.agent1 })).json;
  const billing = agent1.team.id;
  const clip4 = readFileSync(makeClip('must.mp4', { seconds: 3, size: '360x640' }));
  const must = await publish('agent4', 'Mandatory: new refund policy', clip4);
  expectProblem(assert, await api(s, 'POST', '/api/v1/assignments', { token: tok.trainer1, json: { video_id: must } }), 422);
  expectProblem(assert, await api(s, 'POST', '/api/v1/assignments', { token: tok.trainer1, json: { video_id: 999999, team_ids: [billing] } }), 422);
  expectProblem(assert, await api(s, 'POST', '/api/v1/assignments', { token: tok.trainer1, json: { video_id: must, team_ids: [424242] } }), 422);
  const a = await api(s, 'POST', '/api/v1/assignments', { token: tok.trainer1, json: { video_id: must, team_ids: [billing], due_date: '2026-12-31', note: 'Before the audit' } });
  assert.equal(a.status, 201, a.body);
  const assignment = a.json.items[0];
  assert.equal(assignment.target.kind, 'team');
  assert.equal(assignment.watched, 0);
  assert.ok(assignment.assigned >= 3, 'every Billing agent is covered');
  // pinned at the top of a Billing agent's feed, marked must-watch
  const feed = await feedFor('agent1');
  assert.equal(feed[0].id, must);
  assert.equal(feed[0].must_watch, true);
  assert.match(feed[0].reason, /must watch/);
  assert.equal(feed[0].reason_code, 'must-watch');
  assert.deepEqual(feed[0].reason_tags, []);
  // not in another team's feed as must-watch
  const other = (await feedFor('agent4')).find((i) => i.id === must);
  assert.ok(!other || !other.must_watch);
  // the agent's one list of assignments holds it as a one-clip path
  const mine = async () => (await api(s, 'GET', '/api/v1/me/assignments', { token: tok.agent1 })).json.items;
  const [item] = await mine();
  assert.deepEqual([item.kind, item.path_id, item.title, item.note, item.next.video_id, item.steps_done, item.step_count, item.state],
    ['clip', assignment.path_id, 'Mandatory: new refund policy', 'Before the audit', must, 0, 1, 'not_started']);
  assert.ok(item.due_at > Date.now() / 1000);
  // watch it for real (the clock, moved on, stands for the watching time)
  const ev = (event, position) => api(s, 'POST', `/api/v1/videos/${must}/views`, { token: tok.agent1, json: { event, position } });
  assert.equal((await ev('start', 0)).status, 200);
  await advanceClock(s, 1.5);
  const done = await ev('end', 2.95);
  assert.equal(done.json.completed, true, done.body);
  assert.deepEqual((await mine()).map((i) => [i.path_id, i.steps_done, i.state, i.next]), [[assignment.path_id, 1, 'complete', null]]);
  const detail = await api(s, 'GET', `/api/v1/assignments/${assignment.id}`, { token: tok.trainer1 });
  const row = detail.json.people.find((p) => p.id === agent1.id);
  assert.equal(row.watched, true);
  assert.equal(detail.json.watched, 1);
  assert.ok(detail.json.people.some((p) => !p.watched), 'trainers see who has not watched');
  // watched: no longer pinned on the next reload
  const reloaded = await feedFor('agent1');
  assert.notEqual(reloaded[0].id, must);
  assert.equal(reloaded.find((i) => i.id === must).must_watch, false);

  // taken back (agent5, of another team): gone from the trainers' list and from the must-watch of those who had not watched
  const agent5 = (await api(s, 'GET', '/api/v1/me', { token: tok.agent5 })).json;
  const again = await api(s, 'POST', '/api/v1/assignments', { token: tok.trainer1, json: { video_id: must, user_ids: [agent5.id] } });
  assert.equal(again.status, 201, again.body);
  const second = again.json.items[0];
  assert.equal((await feedFor('agent5'))[0].id, must, 'pinned for agent5');
  expectProblem(assert, await api(s, 'DELETE', `/api/v1/assignments/${second.id}`, { token: tok.agent5 }), 403);
  assert.equal((await api(s, 'DELETE', `/api/v1/assignments/${second.id}`, { token: tok.trainer1 })).status, 204);
  expectProblem(assert, await api(s, 'DELETE', `/api/v1/assignments/${second.id}`, { token: tok.trainer1 }), 404);
  expectProblem(assert, await api(s, 'GET', `/api/v1/assignments/${second.id}`, { token: tok.trainer1 }), 404);
  const listed = (await api(s, 'GET', '/api/v1/assignments', { token: tok.trainer1 })).json.items.map((x) => x.id);
  assert.ok(!listed.includes(second.id) && listed.includes(assignment.id));
  assert.ok(!(await api(s, 'GET', '/api/v1/me/assignments', { token: tok.agent5 })).json.items.some((i) => i.path_id === second.path_id));
  const after = (await feedFor('agent5')).find((i) => i.id === must);
  assert.ok(!after || !after.must_watch, 'no longer pinned as must-watch');
});

test('leaderboards and analytics reflect real watching, as JSON and CSV', async () => {
  const me1 = (await api(s, 'GET', '/api/v1/me', { token: tok.agent1 })).json;
  const clip5 = readFileSync(makeClip('analytics.mp4', { seconds: 3, size: '360x640' }));
  const id = await publish('agent5', 'Analytics clip', clip5);
  await api(s, 'PUT', `/api/v1/videos/${id}/like`, { token: tok.agent1 });
  await api(s, 'PUT', `/api/v1/videos/${id}/like`, { token: tok.agent2 });
  // agent1 watches all of it, agent2 a third
  const ev = (u, event, position) => api(s, 'POST', `/api/v1/videos/${id}/views`, { token: tok[u], json: { event, position } });
  await ev('agent1', 'start', 0);
  await ev('agent2', 'start', 0);
  await advanceClock(s, 1.5);
  assert.equal((await ev('agent1', 'end', 2.95)).json.completed, true);
  assert.equal((await ev('agent2', 'progress', 1.0)).json.completed, false);

  for (const path of ['/api/v1/leaderboards/creators', '/api/v1/analytics/videos', `/api/v1/analytics/videos/${id}`, '/api/v1/analytics/users', '/api/v1/analytics/teams'])
    expectProblem(assert, await api(s, 'GET', path, { token: tok.agent1 }), 403);

  const creators = await api(s, 'GET', '/api/v1/leaderboards/creators?period=week&sort=likes', { token: tok.trainer1 });
  assert.equal(creators.status, 200, creators.body);
  assert.equal(creators.json.items[0].display_name, 'Liu Yang', 'agent5 has the most likes this week');
  assert.equal(creators.json.items[0].likes, 2);
  expectProblem(assert, await api(s, 'GET', '/api/v1/leaderboards/creators?period=decade', { token: tok.trainer1 }), 422);
  expectProblem(assert, await api(s, 'GET', '/api/v1/leaderboards/villains', { token: tok.trainer1 }), 404);
  const learners = await api(s, 'GET', `/api/v1/leaderboards/learners?sort=minutes&team_id=${me1.team.id}`, { token: tok.trainer1 });
  assert.equal(learners.json.items[0].user_id, me1.id);
  assert.ok(learners.json.items[0].minutes_watched > 0);
  assert.ok(learners.json.items.every((r) => r.team === 'Billing'));

  const detail = await api(s, 'GET', `/api/v1/analytics/videos/${id}`, { token: tok.trainer1 });
  assert.equal(detail.json.starts, 2);
  assert.equal(detail.json.completions, 1);
  assert.equal(detail.json.viewers, 2);
  assert.equal(detail.json.retention.length, 10);
  assert.equal(detail.json.retention[0], 1);
  assert.equal(detail.json.retention[9], 0.5, 'one of two viewers reached the last tenth');
  for (let b = 1; b < 10; b++) assert.ok(detail.json.retention[b] <= detail.json.retention[b - 1]);
  assert.ok(detail.json.average_watch_percent > 50 && detail.json.average_watch_percent < 100);

  const csv = await api(s, 'GET', '/api/v1/analytics/videos?format=csv', { token: tok.trainer1 });
  assert.equal(csv.status, 200);
  assert.match(csv.headers.get('content-type'), /^text\/csv/);
  const lines = csv.body.trim().split('\r\n');
  assert.equal(lines[0], 'video_id,title,creator,published_at,impressions,starts,viewers,completions,average_watch_percent,likes,comments,tips,quiz_questions');
  assert.ok(lines.some((l) => l.startsWith(`${id},Analytics clip,Liu Yang,`)));

  const person = await api(s, 'GET', `/api/v1/analytics/users/${me1.id}`, { token: tok.trainer1 });
  assert.ok(person.json.completions >= 2, 'the must-watch clip and this one');
  assert.ok(person.json.activity_score > 0);
  const teams = await api(s, 'GET', '/api/v1/analytics/teams', { token: tok.trainer1 });
  const billing = teams.json.items.find((t) => t.team === 'Billing');
  assert.ok(billing.completions >= 2 && billing.active_last_7_days >= 1);
  const teamCsv = await api(s, 'GET', '/api/v1/analytics/teams?format=csv', { token: tok.trainer1 });
  assert.match(teamCsv.body, /^team_id,team,members,/);
  expectProblem(assert, await api(s, 'GET', '/api/v1/analytics/teams?format=xml', { token: tok.trainer1 }), 422);
});

test('quizzes: trainers attach questions; viewers answer once after watching; correct answers pay once', async () => {
  const clip6 = readFileSync(makeClip('quiz.mp4', { seconds: 3, size: '360x640' }));
  const id = await publish('agent6', 'Quiz clip', clip6);
  const quiz = { questions: [
    { text: 'How many days does a refund take?', choices: ['1', '3', '14'], answer: 2 },
    { text: 'Who approves goodwill credit?', choices: ['Any agent', 'Team lead'], answer: 1 },
  ] };
  expectProblem(assert, await api(s, 'PUT', `/api/v1/videos/${id}/quiz`, { token: tok.agent1, json: quiz }), 403);
  const bad = expectProblem(assert, await api(s, 'PUT', `/api/v1/videos/${id}/quiz`, { token: tok.trainer1, json: { questions: [{ text: 'x', choices: ['only one'], answer: 0 }] } }), 422);
  assert.equal(bad.field, 'questions');
  expectProblem(assert, await api(s, 'PUT', `/api/v1/videos/${id}/quiz`, { token: tok.trainer1, json: { questions: [...quiz.questions, ...quiz.questions] } }), 422);
  const put = await api(s, 'PUT', `/api/v1/videos/${id}/quiz`, { token: tok.trainer1, json: quiz });
  assert.equal(put.status, 200, put.body);
  assert.equal(put.json.questions[0].answer, 2, 'trainers see the answers');
  const seen = await api(s, 'GET', `/api/v1/videos/${id}/quiz`, { token: tok.agent3 });
  assert.equal(seen.json.questions.length, 2);
  assert.ok(seen.json.questions.every((q) => !('answer' in q)), 'viewers do not');
  const [q1, q2] = seen.json.questions.map((q) => q.id);
  assert.equal((await feedFor('agent3')).find((i) => i.id === id).has_quiz, true);
  const answer = (body) => api(s, 'POST', `/api/v1/videos/${id}/quiz/answers`, { token: tok.agent3, json: body });
  const answers = { answers: [{ question_id: q1, choice: 2 }, { question_id: q2, choice: 0 }] };
  expectProblem(assert, await answer(answers), 409); // not watched yet
  const ev = (event, position) => api(s, 'POST', `/api/v1/videos/${id}/views`, { token: tok.agent3, json: { event, position } });
  await ev('start', 0);
  await advanceClock(s, 1.5);
  assert.equal((await ev('end', 2.95)).json.completed, true);
  const before = (await api(s, 'GET', '/api/v1/me/points', { token: tok.agent3 })).json.balance;
  const r = await answer(answers);
  assert.equal(r.status, 200, r.body);
  assert.deepEqual(r.json.results.map((x) => [x.correct, x.points]), [[true, 3], [false, 0]]);
  assert.equal(r.json.points_earned, 3);
  // a second try neither changes the answer nor pays again
  const again = await answer({ answers: [{ question_id: q2, choice: 1 }, { question_id: q1, choice: 2 }] });
  assert.deepEqual(again.json.results.map((x) => [x.correct, x.points]), [[false, 0], [true, 0]]);
  const mine = (await api(s, 'GET', '/api/v1/me/points', { token: tok.agent3 })).json;
  assert.equal(mine.balance - before, 3);
  // the history line names the clip, for clients that say it in their own language
  const paid = mine.items.filter((i) => i.kind === 'quiz');
  assert.deepEqual(paid.map((i) => [i.amount, i.video_id, i.video_title, i.reason]), [[3, id, 'Quiz clip', 'correct quiz answer']]);
  expectProblem(assert, await answer({ answers: [{ question_id: 999999, choice: 0 }] }), 422);
  // the same quiz saved again keeps its questions (a question is its content):
  // the first answer stands, and a clip's question pays a viewer once
  const resaved = (await api(s, 'PUT', `/api/v1/videos/${id}/quiz`, { token: tok.trainer1, json: quiz })).json.questions;
  assert.deepEqual(resaved.map((q) => q.id), [q1, q2]);
  const onResaved = await answer({ answers: [{ question_id: resaved[0].id, choice: 2 }] });
  assert.deepEqual(onResaved.json.results.map((x) => [x.correct, x.points]), [[true, 0]]);
  // the creator knows their clip's answers and the trainer sees them: neither is paid
  const watchAs = (who, event, position) => api(s, 'POST', `/api/v1/videos/${id}/views`, { token: tok[who], json: { event, position } });
  await Promise.all(['agent6', 'trainer1'].map((who) => watchAs(who, 'start', 0)));
  await advanceClock(s, 1.5);
  for (const who of ['agent6', 'trainer1']) {
    assert.equal((await watchAs(who, 'end', 2.95)).json.completed, true);
    const own = await api(s, 'POST', `/api/v1/videos/${id}/quiz/answers`, { token: tok[who], json: { answers: [{ question_id: resaved[0].id, choice: 2 }] } });
    assert.deepEqual([own.status, own.json.points_earned], [200, 0], who);
  }
  assert.equal((await api(s, 'GET', '/api/v1/me/points', { token: tok.agent3 })).json.balance - before, 3);
  const stats = await api(s, 'GET', `/api/v1/analytics/videos/${id}`, { token: tok.trainer1 });
  assert.equal(stats.json.quiz_accuracy, 0.75); // 3 of the 4 answers above are right
  // retiring the quiz: trainers only; viewers no longer get it; the answers still count
  expectProblem(assert, await api(s, 'DELETE', `/api/v1/videos/${id}/quiz`, { token: tok.agent1 }), 403);
  assert.equal((await api(s, 'DELETE', `/api/v1/videos/${id}/quiz`, { token: tok.trainer1 })).status, 204);
  expectProblem(assert, await api(s, 'DELETE', `/api/v1/videos/${id}/quiz`, { token: tok.trainer1 }), 404);
  expectProblem(assert, await api(s, 'GET', `/api/v1/videos/${id}/quiz`, { token: tok.agent3 }), 404);
  assert.equal((await feedFor('agent3')).find((i) => i.id === id).has_quiz, false);
  assert.equal((await api(s, 'GET', `/api/v1/analytics/videos/${id}`, { token: tok.trainer1 })).json.quiz_accuracy, 0.75);
});

test('the clip analytics count the active questions of each clip\'s quiz', async () => {
  const id = ids.agent2;
  const count = async (v) => {
    const r = await api(s, 'GET', '/api/v1/analytics/videos', { token: tok.trainer1 });
    assert.equal(r.status, 200, r.body);
    return r.json.items.find((i) => i.video_id === v).quiz_questions;
  };
  const put = (questions) => api(s, 'PUT', `/api/v1/videos/${id}/quiz`, { token: tok.trainer1, json: { questions } });
  const q = (text) => ({ text, choices: ['yes', 'no'], answer: 0 });
  assert.equal(await count(id), 0, 'no quiz yet');
  assert.equal((await put([q('One?'), q('Two?'), q('Three?')])).status, 200);
  assert.equal(await count(id), 3);
  assert.equal(await count(ids.agent3), 0, 'other clips keep theirs');
  // a replaced quiz counts only its new questions, not the retired ones
  assert.equal((await put([q('Only one?')])).status, 200);
  assert.equal(await count(id), 1);
  const csv = (await api(s, 'GET', '/api/v1/analytics/videos?format=csv', { token: tok.trainer1 })).body;
  assert.ok(csv.split('\r\n').some((l) => l.startsWith(`${id},`) && l.endsWith(',1')), csv);
  assert.equal((await api(s, 'DELETE', `/api/v1/videos/${id}/quiz`, { token: tok.trainer1 })).status, 204);
  assert.equal(await count(id), 0, 'a deleted quiz counts nothing');
  expectProblem(assert, await api(s, 'GET', '/api/v1/analytics/videos', { token: tok.agent1 }), 403);
});

test('the clip analytics page with cursors in the order asked, and refuse a cursor of another order', async () => {
  const list = (q) => api(s, 'GET', `/api/v1/analytics/videos?${q}`, { token: tok.trainer1 });
  const all = (await list('limit=500')).json;
  assert.ok(all.items.length >= 5, 'the clips published before');
  assert.equal(all.next_cursor, null);
  assert.deepEqual([all.sort, all.order], ['created', 'desc']);
  for (let i = 1; i < all.items.length; i++)
    assert.ok(all.items[i - 1].published_at >= all.items[i].published_at, 'newest first');
  // two at a time, by starts ascending: every clip once, in order, then the end
  const seen = [];
  let cursor = null;
  do {
    const page = await list(`sort=starts&order=asc&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    assert.equal(page.status, 200, page.body);
    assert.ok(page.json.items.length <= 2);
    seen.push(...page.json.items);
    cursor = page.json.next_cursor;
    if (cursor) expectProblem(assert, await list(`sort=likes&order=asc&cursor=${encodeURIComponent(cursor)}`), 400);
  } while (cursor);
  assert.deepEqual(seen.map((c) => c.video_id).sort(), all.items.map((c) => c.video_id).sort());
  for (let i = 1; i < seen.length; i++) {
    const [a, b] = [seen[i - 1], seen[i]];
    assert.ok(a.starts < b.starts || (a.starts === b.starts && a.video_id < b.video_id), 'ascending starts, then id');
  }
  // a day window: today holds every clip, a day long past none
  const today = new Date(all.items[0].published_at * 1000).toISOString().slice(0, 10);
  assert.ok((await list('from=2020-01-01&to=2020-01-02')).json.items.length === 0);
  assert.ok((await list(`from=2020-01-01&to=2099-12-31`)).json.items.length === all.items.length, today);
  for (const bad of ['sort=views', 'order=up', 'from=2026-02-30', 'limit=0', 'limit=501'])
    expectProblem(assert, await list(bad), 422);
  expectProblem(assert, await list('cursor=nonsense'), 400);
  // the CSV export still has every clip
  const csv = await api(s, 'GET', '/api/v1/analytics/videos?format=csv', { token: tok.trainer1 });
  assert.equal(csv.body.trim().split('\n').length, all.items.length + 1);
});

test('the people analytics page by name with cursors', async () => {
  const list = (q) => api(s, 'GET', `/api/v1/analytics/users?${q}`, { token: tok.trainer1 });
  const all = (await list('limit=500')).json;
  assert.equal(all.next_cursor, null);
  const seen = [];
  let cursor = null;
  do {
    const page = (await list(`limit=3${cursor ? `&cursor=${cursor}` : ''}`)).json;
    assert.ok(page.items.length <= 3);
    seen.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor);
  assert.deepEqual(seen.map((p) => p.user_id), all.items.map((p) => p.user_id), 'the same people in the same order');
  for (const bad of ['cursor=x', 'cursor=0'])
    expectProblem(assert, await list(bad), 400);
  expectProblem(assert, await list('limit=0'), 422);
});
