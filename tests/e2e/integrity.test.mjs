// Signals and rewards count people, not events: replays, start spam and a
// creator's own plays leave a clip's views, completions and rank alone; a
// creator's own likes and finishes pay no milestone; a quiz answer and its
// points are one write, so what was acknowledged was paid, once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, renameSync, rmdirSync, rmSync } from 'node:fs';
import { createHmac } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { startServer, api, login, expectProblem, assertNoSanitizerReport, advanceClock, rebuildCatalog } from './lib/server.mjs';
import { makeClip } from './lib/media.mjs';
import { publishClip } from './lib/poll.mjs';

const users = ['agent1', 'agent2', 'agent3', 'agent4', 'agent5', 'agent6', 'agent7', 'agent8', 'trainer1', 'admin'];
let s, tok, clip, replayed;

const sql = (q) => execFileSync('sqlite3', ['-cmd', '.timeout 10000', join(s.dir, 'casereel.db'), q]).toString().trim();

const publish = (user, title) => publishClip(s, { creator: tok[user], trainer: tok.trainer1, clip, title });

const view = (user, id, event, position) =>
  api(s, 'POST', `/api/v1/videos/${id}/views`, { token: tok[user], json: { event, position } });

/** Watches the 2 s clip `id` to its end as `user` (the server's clock moved
 *  on stands for the watching time). */
async function finish(user, id) {
  assert.equal((await view(user, id, 'start', 0)).status, 200);
  await advanceClock(s, 0.6);
  const end = await view(user, id, 'end', 1.9);
  assert.equal(end.status, 200, end.body);
  assert.equal(end.json.completed, true);
}

const history = async (user) => (await api(s, 'GET', '/api/v1/me/points?limit=100', { token: tok[user] })).json;

before(async () => {
  clip = readFileSync(makeClip('integrity.mp4', { seconds: 2, size: '360x640' }));
  s = await startServer({ args: ['--transcode-workers', '2'] });
  tok = Object.fromEntries(await Promise.all(users.map(async (u) => [u, await login(s, u)])));
});
after(() => s.dispose());

test('views and completions count people: replays, start spam and the creator\'s own plays change nothing', async () => {
  const id = replayed = await publish('agent1', 'Replayed clip');
  await Promise.all(['agent1', 'agent2', 'agent3', 'agent4', 'agent5', 'agent6'].map((u) => finish(u, id)));
  // one viewer loops it 20 times; the creator keeps playing it too
  for (let i = 0; i < 20; i++) assert.equal((await view('agent2', id, 'start', 0)).status, 200);
  for (let i = 0; i < 5; i++) assert.equal((await view('agent1', id, 'start', 0)).status, 200);
  await finish('agent2', id);

  const shown = (await api(s, 'GET', `/api/v1/videos/${id}`, { token: tok.agent7 })).json;
  assert.equal(shown.counts.views, 5, 'five people besides the creator watched it');
  const stats = (await api(s, 'GET', `/api/v1/analytics/videos/${id}`, { token: tok.trainer1 })).json;
  assert.deepEqual({ starts: stats.starts, completions: stats.completions }, { starts: 5, completions: 5 });

  // five of five finished it, so the ranker calls it popular (the Wilson bound
  // of completions / starts). The catalogue refreshes its counters every 2 s
  // (here: at once, through the test hook) and a viewer's feed keeps its order
  // for a minute: each look is by a new viewer, none in the creator's team.
  let reason;
  for (const u of ['trainer1', 'admin', 'agent7', 'agent8']) {
    await rebuildCatalog(s);
    const item = (await api(s, 'GET', '/api/v1/feed?limit=50', { token: tok[u] })).json.items.find((i) => i.id === id);
    reason = item.reason_code;
    if (reason === 'popular') break;
  }
  assert.equal(reason, 'popular', 'replays do not sink a clip everyone finished');
});

test('a creator\'s own likes and finishes pay no milestone; other people\'s do, once', async () => {
  const id = await publish('agent8', 'Milestone clip');
  const milestones = async () => (await history('agent8')).items.filter((i) => i.kind === 'milestone' && i.video_id === id)
    .map((i) => [i.counter, i.reached, i.amount]).sort();
  const like = (token) => api(s, 'PUT', `/api/v1/videos/${id}/like`, { token });

  // ten likes, but only nine people besides the creator: no 10-like milestone
  assert.equal((await like(tok.agent8)).status, 200);
  const others = users.filter((u) => u !== 'agent8');
  const liked = await Promise.all(others.map((u) => like(tok[u])));
  assert.ok(liked.every((r) => r.status === 200));
  assert.equal((await api(s, 'GET', `/api/v1/videos/${id}`, { token: tok.agent8 })).json.counts.likes, 10);
  // five finishes, but the creator's is one of them: no 5-completion milestone
  await finish('agent8', id);
  await Promise.all(['agent1', 'agent2', 'agent3', 'agent4'].map((u) => finish(u, id)));
  assert.deepEqual(await milestones(), [], 'the creator\'s own like and finish count for nothing');

  // the tenth other person's like and the fifth other person's finish pay, once each
  const csv = 'username,display_name,password\nfan10,Fan Ten,fan10-password';
  assert.equal((await api(s, 'POST', '/api/v1/users/import', { token: tok.admin, body: csv, headers: { 'content-type': 'text/csv' } })).status, 201);
  const fan = await login(s, 'fan10', 'fan10-password');
  assert.equal((await like(fan)).status, 200);
  await finish('agent5', id);
  await Promise.all([like(fan), like(tok.agent8), finish('agent6', id)]);
  assert.deepEqual(await milestones(), [['completions', 5, 10], ['likes', 10, 5]]);
});

test('a quiz answer and its points are one write: a failed payment acknowledges nothing; the retry pays once', async () => {
  const id = await publish('agent7', 'Quiz clip');
  const put = await api(s, 'PUT', `/api/v1/videos/${id}/quiz`, { token: tok.trainer1, json: { questions: [
    { text: 'How long does a refund take?', choices: ['1 day', '14 days'], answer: 1 },
    { text: 'Who approves goodwill credit?', choices: ['Any agent', 'Team lead'], answer: 1 },
  ] } });
  assert.equal(put.status, 200, put.body);
  const [q1, q2] = put.json.questions.map((q) => q.id);
  await finish('agent3', id);
  const answers = [{ question_id: q1, choice: 1 }, { question_id: q2, choice: 0 }];
  const answer = () => api(s, 'POST', `/api/v1/videos/${id}/quiz/answers`, { token: tok.agent3, json: { answers } });
  const quizPayments = async () => (await history('agent3')).items.filter((i) => i.kind === 'quiz' && i.video_id === id);
  const before = (await history('agent3')).balance;

  // the ledger fails quiz payments for a while: a trigger whose SQL errors
  // (integer overflow) stands in for a full disk or an I/O error
  sql(`CREATE TRIGGER quiz_payments_fail BEFORE INSERT ON point_transfers WHEN NEW.kind = 'quiz'
       BEGIN SELECT abs(-9223372036854775807 - 1); END`);
  let failed;
  try {
    failed = await answer();
  } finally {
    sql('DROP TRIGGER quiz_payments_fail');
  }
  // an answer said to be right is paid; one that could not be paid was not taken
  if (failed.status === 200)
    assert.equal((await quizPayments()).length, 1, `answer acknowledged as right but never paid: ${failed.body}`);
  expectProblem(assert, failed, 500);
  const quiz = (await api(s, 'GET', `/api/v1/videos/${id}/quiz`, { token: tok.agent3 })).json;
  assert.ok(quiz.questions.every((q) => !('your_answer' in q)), 'nothing was kept: the quiz is open again');

  const ok = await answer();
  assert.equal(ok.status, 200, ok.body);
  assert.deepEqual(ok.json.results.map((r) => [r.correct, r.points]), [[true, 3], [false, 0]]);
  assert.equal(ok.json.points_earned, 3);
  const again = await answer();
  assert.equal(again.status, 200, again.body);
  assert.deepEqual(again.json.results.map((r) => [r.correct, r.points]), [[true, 0], [false, 0]]);
  assert.equal((await history('agent3')).balance - before, 3);
  assert.equal((await quizPayments()).length, 1);
});

test('a quiz request with a bad answer keeps none of it: 422, nothing recorded, nothing paid', async () => {
  const id = await publish('agent6', 'Quiz clip two');
  const put = await api(s, 'PUT', `/api/v1/videos/${id}/quiz`, { token: tok.trainer1, json: { questions: [
    { text: 'Which form starts a chargeback?', choices: ['CB-1', 'CB-9'], answer: 0 },
  ] } });
  assert.equal(put.status, 200, put.body);
  const q = put.json.questions[0].id;
  await finish('agent5', id);
  const answer = (answers) => api(s, 'POST', `/api/v1/videos/${id}/quiz/answers`, { token: tok.agent5, json: { answers } });
  const before = (await history('agent5')).balance;
  const bad = expectProblem(assert, await answer([{ question_id: q, choice: 0 }, { question_id: 999999, choice: 0 }]), 422);
  assert.equal(bad.field, 'answers');
  assert.equal(expectProblem(assert, await answer([{ question_id: q, choice: 'CB-1' }]), 422).field, 'answers');
  assert.equal((await history('agent5')).balance, before, 'a refused request pays nothing');
  const quiz = (await api(s, 'GET', `/api/v1/videos/${id}/quiz`, { token: tok.agent5 })).json;
  assert.ok(!('your_answer' in quiz.questions[0]), 'a refused request records no answer');
  // the corrected request is the first answer
  const ok = await answer([{ question_id: q, choice: 0 }]);
  assert.deepEqual([ok.status, ok.json.points_earned], [200, 3]);
  assert.equal((await history('agent5')).balance - before, 3);
});

test('an upgrade recounts the views and completions older versions counted per event', async () => {
  // what the old counting left on the replayed clip: every start, the creator's finish
  const { dir } = s;
  await s.stop();
  assertNoSanitizerReport(s.stderr);
  // and the schema as version 10 left it (12 added the janitor's column and indexes, 13 an index,
  // 14-16 the learning loop's tables and users.employee_id, 17 turned the must-watch
  // assignments table into one-clip paths, 18 the import states (in metric_imports), 19
  // tags.label_zh, 20 the transcode turns, 21
  // clip revisions and watch sessions, 22 users.must_change_password, 23 media versions,
  // 24 the demo's progress, 25 captions, the clips' audit trail and the search index, 26 media
  // edits and blocked versions, 27 (issue 18) indexes for large databases, 28 the inbox, 29 the
  // boards' summaries kept by triggers, 30 the people list's sort indexes, 32 labels in both languages;
  // before 23 a clip's files were right in media/v/<id>/)
  const mediaV = join(dir, 'media/v');
  const mp4 = readFileSync(join(mediaV, String(replayed), '1/720p.mp4'));
  for (const id of readdirSync(mediaV).filter((n) => /^\d+$/.test(n))) {
    for (const f of readdirSync(join(mediaV, id, '1'))) renameSync(join(mediaV, id, '1', f), join(mediaV, id, f));
    rmdirSync(join(mediaV, id, '1'));
  }
  sql(`UPDATE videos SET starts = 32, completions = 6 WHERE id = ${replayed};
       CREATE TABLE assignments (id INTEGER PRIMARY KEY, video_id INTEGER NOT NULL REFERENCES videos(id),
         team_id INTEGER REFERENCES teams(id), user_id INTEGER REFERENCES users(id), due_at INTEGER,
         note TEXT NOT NULL DEFAULT '', created_by INTEGER NOT NULL REFERENCES users(id),
         created_at INTEGER NOT NULL, CHECK ((team_id IS NULL) <> (user_id IS NULL)));
       DROP INDEX videos_unpurged; DROP INDEX videos_source; ALTER TABLE videos DROP COLUMN media_purged_at;
       DROP INDEX uploads_open_owner; DROP INDEX jobs_turn; ALTER TABLE jobs DROP COLUMN turn;
       DROP TABLE pushes; DROP TABLE push_rules; DROP TABLE quiz_gate_attempts; DROP TABLE path_assignments;
       DROP TABLE path_steps; DROP TABLE paths; DROP TABLE metric_overwrites; DROP TABLE metric_values;
       DROP TABLE metric_imports; DROP TABLE integration_tokens; DROP TABLE metrics;
       DROP INDEX users_employee; ALTER TABLE users DROP COLUMN employee_id;
       ALTER TABLE tags DROP COLUMN label_zh;
       DROP TABLE video_revisions; DROP TABLE watch_sessions; ALTER TABLE videos DROP COLUMN revision;
       ALTER TABLE users DROP COLUMN must_change_password;
       DROP TABLE media_retired; ALTER TABLE videos DROP COLUMN media_version; ALTER TABLE jobs DROP COLUMN media_version;
       DROP TABLE demo_state; DROP TABLE demo_clips; DROP TABLE inbox;
       DROP TABLE video_captions; DROP TABLE video_caption_revs; DROP TABLE video_audit;
       DROP TABLE search_tri; DROP TABLE search_words; DROP TABLE search_cue_tri; DROP TABLE search_cue_words;
       DROP INDEX watches_completed; DROP INDEX likes_created; DROP INDEX tips_created;
       DROP INDEX point_transfers_created; DROP INDEX videos_status_owner;
       DROP INDEX watches_video; CREATE INDEX watches_video ON watches(video_id);
       DROP TABLE video_edits;
       DROP TABLE creator_days; DROP TABLE learner_days; DROP TABLE learner_totals;
       DROP INDEX watches_last; DROP TRIGGER watches_done_in; DROP TRIGGER watches_done_up;
       DROP TRIGGER watches_done_out; DROP TRIGGER likes_in; DROP TRIGGER likes_out; DROP TRIGGER tips_in;
       DROP TRIGGER tips_out; DROP TRIGGER point_transfers_earned; DROP TRIGGER watches_learner_in;
       DROP TRIGGER watches_learner_up; DROP TRIGGER watches_learner_out;
       DROP INDEX users_team_active; CREATE INDEX users_team ON users(team_id);
       DROP TRIGGER users_learner_totals; DROP INDEX users_created;
       DROP TRIGGER users_position_in; DROP TRIGGER users_position_up; DROP TABLE positions;
       ALTER TABLE gifts DROP COLUMN label_zh; ALTER TABLE shop_items DROP COLUMN label;
       ALTER TABLE shop_items DROP COLUMN label_zh; ALTER TABLE teams DROP COLUMN label;
       ALTER TABLE teams DROP COLUMN label_zh;
       DROP TRIGGER checkins_windows;
       DROP TABLE learner_windows; DROP TABLE learner_windows_day;
       PRAGMA user_version = 10`);
  s = await startServer({ dataDir: dir, args: ['--transcode-workers', '0'] });
  s.dispose = ((dispose) => async () => { await dispose(); rmSync(dir, { recursive: true, force: true }); })(s.dispose);
  assert.equal((await api(s, 'GET', `/api/v1/videos/${replayed}`, { token: tok.agent7 })).json.counts.views, 5);
  const stats = (await api(s, 'GET', `/api/v1/analytics/videos/${replayed}`, { token: tok.trainer1 })).json;
  assert.deepEqual({ starts: stats.starts, completions: stats.completions }, { starts: 5, completions: 5 });

  // the clips are media version 1, their files moved there, served under versioned URLs
  const v = (await api(s, 'GET', `/api/v1/videos/${replayed}`, { token: tok.agent7 })).json;
  assert.equal(v.urls.version, 1);
  assert.match(v.urls.mp4, new RegExp(`^/media/v/${replayed}/1/`));
  // clips from before the search index were indexed at start
  const found = await api(s, 'GET', `/api/v1/search?q=${encodeURIComponent(v.title)}&limit=50`, { token: tok.agent7 });
  assert.ok(found.json.items.some((i) => i.id === replayed), `search for "${v.title}"`);
  const served = await fetch(s.url + v.urls.mp4);
  assert.equal(served.status, 200);
  assert.ok(Buffer.from(await served.arrayBuffer()).equals(mp4), 'the moved file is served');
  assert.ok(readFileSync(join(mediaV, String(replayed), '1/720p.mp4')).equals(mp4));
  // and a link the old release handed out (no version in it) still plays version 1
  const expires = Math.floor(Date.now() / 1000) + 3600;
  const sig = createHmac('sha256', readFileSync(join(dir, 'media.key'))).update(`v1/${replayed}/${expires}`).digest()
    .subarray(0, 16).toString('base64url');
  const old = await fetch(`${s.url}/media/v/${replayed}/${expires}/${sig}/720p.mp4`);
  assert.equal(old.status, 200);
  assert.ok(Buffer.from(await old.arrayBuffer()).equals(mp4));
});
