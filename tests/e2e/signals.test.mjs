// Honest signals: a viewer has one watch session, so clips played side by
// side earn what one earns; an impression counts a viewer once per clip and
// day; a quiz saved again gives nobody a second first answer.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startServer, api, login, advanceClock, rebuildCatalog } from './lib/server.mjs';
import { makeClip } from './lib/media.mjs';
import { publishClip } from './lib/poll.mjs';

const creators = ['agent2', 'agent3', 'agent4', 'agent5', 'agent6', 'agent7'];
const users = ['agent1', 'agent8', ...creators, 'trainer1'];
let s, tok, ids;

before(async () => {
  const clip = readFileSync(makeClip('signals.mp4', { seconds: 20, size: '180x320' }));
  s = await startServer({ args: ['--transcode-workers', '2'] });
  tok = Object.fromEntries(await Promise.all(users.map(async (u) => [u, await login(s, u)])));
  ids = await Promise.all(creators.map((u) => publishClip(s, { creator: tok[u], trainer: tok.trainer1, clip, title: `Case by ${u}` })));
});
after(() => s.dispose());

const view = (user, id, event, position) =>
  api(s, 'POST', `/api/v1/videos/${id}/views`, { token: tok[user], json: { event, position } });
const balance = async (user) => (await api(s, 'GET', '/api/v1/me/points?limit=1', { token: tok[user] })).json.balance;

test('six clips started at once earn what the one playing earns', async () => {
  const learn = (await api(s, 'GET', '/api/v1/points/rules', { token: tok.agent1 })).json.learn_points;
  const before = await balance('agent1');
  for (const id of ids) assert.equal((await view('agent1', id, 'start', 0)).status, 200);
  await advanceClock(s, 30); // 30 s pass: enough to watch one 20 s clip, not six
  const ends = [];
  for (const id of ids) ends.push(await view('agent1', id, 'end', 19.9));
  // each start ended the session before: only the clip started last was playing
  assert.deepEqual(ends.map((r) => r.status), [422, 422, 422, 422, 422, 200]);
  assert.equal(ends[5].json.newly_completed, true);
  assert.match(ends[0].json.detail, /another clip was started/);
  assert.equal(await balance('agent1'), before + learn, 'learning points for one finished clip');
  // starting a clip again opens a new session for it
  assert.equal((await view('agent1', ids[0], 'start', 0)).status, 200);
  await advanceClock(s, 21);
  assert.equal((await view('agent1', ids[0], 'end', 19.9)).json.completed, true);
});

test('hopping from clip to clip earns no fresh slack: credit is bounded by wall time across clips', async () => {
  // each hop claims the 2 s of jitter slack a single event is allowed; with
  // the clock standing (a few requests take well under a second), the time
  // budget across clips lets the first claim through and not the six
  let accepted = 0;
  for (const id of ids) {
    assert.equal((await view('agent8', id, 'start', 0)).status, 200);
    if ((await view('agent8', id, 'progress', 2)).status === 200) accepted++;
  }
  assert.ok(accepted >= 1 && accepted <= 3, `${accepted} of 6 hops credited`);
});

test('an impression counts a viewer once per clip and day, not once per reload', async () => {
  const impressions = async () => (await api(s, 'GET', `/api/v1/analytics/videos/${ids[2]}`, { token: tok.trainer1 })).json.impressions;
  const shown = async () => {
    const r = await api(s, 'GET', '/api/v1/feed?limit=50', { token: tok.agent8 });
    assert.ok(r.json.items.some((v) => v.id === ids[2]));
    await rebuildCatalog(s); // writes the buffered impressions
  };
  const start = await impressions();
  for (let i = 0; i < 5; i++) await shown();
  assert.equal(await impressions(), start + 1);
  await advanceClock(s, 24 * 3600);
  await shown();
  await shown();
  assert.equal(await impressions(), start + 2, 'a new day counts again, once');
});

test('a quiz saved again gives no second chance to a question answered wrongly', async () => {
  const id = ids[3];
  const questions = [
    { text: 'Who may hear the card number?', choices: ['Anyone on the call', 'Only the card holder'], answer: 1 },
    { text: 'When do you refund?', choices: ['Before checking', 'After checking the order'], answer: 1 },
  ];
  const put = (qs) => api(s, 'PUT', `/api/v1/videos/${id}/quiz`, { token: tok.trainer1, json: { questions: qs } });
  assert.equal((await put(questions)).status, 200);
  assert.equal((await view('agent8', id, 'start', 0)).status, 200);
  await advanceClock(s, 21);
  assert.equal((await view('agent8', id, 'end', 19.9)).json.completed, true);
  const quiz = (await api(s, 'GET', `/api/v1/videos/${id}/quiz`, { token: tok.agent8 })).json;
  const wrong = await api(s, 'POST', `/api/v1/videos/${id}/quiz/answers`, { token: tok.agent8,
    json: { answers: [{ question_id: quiz.questions[0].id, choice: 0 }] } });
  assert.equal(wrong.json.results[0].correct, false);

  // the trainer saves the quiz again, in another order: the same questions
  const saved = (await put([questions[1], questions[0]])).json;
  const again = (await api(s, 'GET', `/api/v1/videos/${id}/quiz`, { token: tok.agent8 })).json;
  const card = again.questions.find((q) => q.text === questions[0].text);
  assert.equal(card.id, quiz.questions[0].id, 'a question keeps its id when its content is unchanged');
  assert.deepEqual(card.your_answer, { choice: 0, correct: false });
  assert.equal(saved.questions[0].text, questions[1].text);
  const before = await balance('agent8');
  const retry = await api(s, 'POST', `/api/v1/videos/${id}/quiz/answers`, { token: tok.agent8,
    json: { answers: [{ question_id: card.id, choice: 1 }] } });
  assert.equal(retry.status, 200, retry.body);
  assert.deepEqual({ choice: retry.json.results[0].choice, correct: retry.json.results[0].correct }, { choice: 0, correct: false });
  assert.equal(retry.json.points_earned, 0);
  assert.equal(await balance('agent8'), before);

  // a question whose content changed is a new question
  const changed = (await put([{ ...questions[0], text: 'Who may hear the full card number?' }])).json;
  assert.notEqual(changed.questions[0].id, quiz.questions[0].id);
  assert.equal(changed.questions[0].your_answer, undefined);
});
