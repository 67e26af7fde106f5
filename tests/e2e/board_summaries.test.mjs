// The leaderboards and the team report read summaries kept as activity
// happens (per person and day, per person for all time); whatever the
// activity was, their answers are what summing the activity itself gives.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { startServer, api, login, advanceClock } from './lib/server.mjs';

let s, trainer;
const sql = (q) => execFileSync('sqlite3', ['-cmd', '.timeout 10000', join(s.dir, 'casereel.db'), q]).toString().trim();
const rows = (q) => { const out = execFileSync('sqlite3', ['-json', '-cmd', '.timeout 10000', join(s.dir, 'casereel.db'), q]).toString().trim(); return out ? JSON.parse(out) : []; };

// What the boards were before the summaries: a week's activity summed as it is.
const creatorsDirect = (since, sort) => rows(`
  WITH c AS (SELECT v.owner_id AS uid, count(*) AS n FROM watches w JOIN videos v ON v.id = w.video_id
     WHERE w.completed_at >= ${since} GROUP BY v.owner_id),
   l AS (SELECT v.owner_id AS uid, count(*) AS n FROM likes x JOIN videos v ON v.id = x.video_id
     WHERE x.created_at >= ${since} GROUP BY v.owner_id),
   p AS (SELECT to_user AS uid, sum(amount) AS n FROM tips WHERE created_at >= ${since} GROUP BY to_user)
  SELECT u.id AS user_id, COALESCE(c.n, 0) AS completions, COALESCE(l.n, 0) AS likes,
   COALESCE(p.n, 0) AS tips_received FROM users u LEFT JOIN c ON c.uid = u.id LEFT JOIN l ON l.uid = u.id
   LEFT JOIN p ON p.uid = u.id
  WHERE u.active AND EXISTS (SELECT 1 FROM videos v WHERE v.owner_id = u.id AND v.status = 'published')
  ORDER BY ${sort === 'tips' ? 'tips_received' : sort} DESC, u.id LIMIT 20`);
const learnersDirect = (since, sort) => rows(`
  WITH p AS (SELECT a.user_id AS uid, sum(x.amount) AS n FROM point_transfers x
     JOIN point_accounts a ON a.id = x.to_account WHERE x.created_at >= ${since} AND x.from_account <> 2
     GROUP BY a.user_id),
   m AS (SELECT user_id AS uid, sum(watched) / 60.0 AS n FROM watches WHERE last_at >= ${since} * 1000
     GROUP BY user_id)
  SELECT u.id AS user_id, COALESCE(p.n, 0) AS points_earned, COALESCE(m.n, 0) AS minutes_watched
  FROM users u LEFT JOIN p ON p.uid = u.id LEFT JOIN m ON m.uid = u.id WHERE u.active
  ORDER BY ${sort === 'minutes' ? 'minutes_watched' : 'points_earned'} DESC, u.id LIMIT 20`);

before(async () => {
  s = await startServer();
  trainer = await login(s, 'trainer1');
  // history every 5 hours over 12 days (never within 30 minutes of the
  // week's start, so the request's second does not matter), written as any
  // writer would; some of it then changes: watches go on, likes are taken back
  const now = Math.floor(Date.now() / 1000);
  const agents = rows("SELECT id FROM users WHERE role = 'agent' ORDER BY id").map((r) => r.id);
  assert.ok(agents.length >= 6);
  const creators = agents.slice(0, 4);
  let q = 'BEGIN;';
  for (const [i, owner] of creators.entries())
    for (let k = 0; k < 3; k++)
      q += `INSERT INTO videos(owner_id, title, description, status, progress, filename, source_bytes, duration,
              source_duration, width, height, has_audio, renditions, created_at, updated_at, published_at)
            VALUES (${owner}, 'Board clip ${i}.${k}', '', 'published', 100, 'c.mp4', 1, 60, 60, 720, 1280, 1, '[]',
              ${now - 20 * 86400}, ${now - 20 * 86400}, ${now - 20 * 86400});`;
  q += `INSERT OR IGNORE INTO point_accounts(kind, user_id) SELECT 'user', id FROM users;
        INSERT INTO point_transfers(from_account, to_account, amount, kind, created_at)
        VALUES (1, 2, 1000000, 'grant', ${now - 30 * 86400});`; // the shop can refund
  q += 'COMMIT;';
  sql(q);
  const clips = rows("SELECT id FROM videos WHERE title LIKE 'Board clip %' ORDER BY id").map((r) => r.id);
  q = 'BEGIN;';
  let n = 0;
  for (const viewer of agents)
    for (const clipId of clips) {
      n++;
      const at = now - ((n * 5) % 290) * 3600 - 1800;
      const done = n % 3 ? at : 'NULL';
      q += `INSERT OR IGNORE INTO watches(user_id, video_id, started_at, last_at, position, max_position, watched,
              session_watched, starts, completed_at, first_at)
            VALUES (${viewer}, ${clipId}, ${at * 1000}, ${at * 1000}, 30, 55, ${(n % 7) * 8.5}, 0, 1, ${done}, ${at * 1000});`;
      if (n % 2) q += `INSERT OR IGNORE INTO likes(video_id, user_id, created_at) VALUES (${clipId}, ${viewer}, ${at});`;
      if (n % 5 === 0)
        q += `INSERT INTO tips(video_id, from_user, to_user, gift, count, amount, free_amount, day, created_at)
              SELECT ${clipId}, ${viewer}, owner_id, 'flower', 1, ${n % 9 + 1}, 0, date(${at}, 'unixepoch'), ${at}
              FROM videos WHERE id = ${clipId} AND owner_id <> ${viewer};`;
      q += `INSERT INTO point_transfers(from_account, to_account, amount, kind, created_at)
            SELECT ${n % 4 ? 1 : 2}, id, ${n % 11 + 1}, 'learn', ${at} FROM point_accounts WHERE user_id = ${viewer};`;
    }
  // check-ins: a streak per day, the latest one counts
  for (const [i, agent] of agents.entries())
    for (let k = 0; k <= i % 5; k++)
      q += `INSERT INTO checkins(user_id, day, streak, points, created_at)
            VALUES (${agent}, date(${now - (i % 5 - k) * 86400}, 'unixepoch'), ${k + 1 + (i % 3)}, 1, ${now});`;
  q += 'COMMIT;';
  sql(q);
  sql(`BEGIN;
       UPDATE watches SET last_at = last_at + 3 * 86400000, watched = watched + 12.25,
         completed_at = COALESCE(completed_at, last_at / 1000 + 3 * 86400)
         WHERE video_id IN (${clips.join(',')}) AND (user_id + video_id) % 4 = 0 AND last_at / 1000 < ${now - 4 * 86400};
       DELETE FROM likes WHERE video_id IN (${clips.join(',')}) AND (user_id + video_id) % 3 = 0;
       COMMIT;`);
});
after(() => s.dispose());

test('the creators board is the week\'s completions, likes and tips of each creator\'s clips, by every sort', async () => {
  for (const sort of ['completions', 'likes', 'tips']) {
    const r = await api(s, 'GET', `/api/v1/leaderboards/creators?period=week&sort=${sort}`, { token: trainer });
    assert.equal(r.status, 200, r.body);
    const want = creatorsDirect(Math.floor(Date.now() / 1000) - 7 * 86400, sort);
    assert.ok(want.some((w) => w.completions > 0 && w.likes > 0 && w.tips_received > 0));
    assert.deepEqual(r.json.items.map(({ user_id, completions, likes, tips_received }) => ({ user_id, completions, likes, tips_received })), want, sort);
  }
});

test('the learners board is the week\'s points (not refunds) and minutes of each person, by every sort', async () => {
  for (const period of ['week', 'month', 'all'])
    for (const sort of ['points', 'minutes']) {
      const r = await api(s, 'GET', `/api/v1/leaderboards/learners?period=${period}&sort=${sort}`, { token: trainer });
      assert.equal(r.status, 200, r.body);
      const days = { week: 7, month: 30, all: null }[period];
      const want = learnersDirect(days ? Math.floor(Date.now() / 1000) - days * 86400 : 0, sort);
      assert.ok(want[0].points_earned > 0 && want[0].minutes_watched > 0);
      const got = r.json.items.map(({ user_id, points_earned, minutes_watched }) => ({ user_id, points_earned, minutes_watched }));
      assert.deepEqual(got.map((g) => [g.user_id, g.points_earned]), want.map((w) => [w.user_id, w.points_earned]), `${period} ${sort}`);
      for (const [i, g] of got.entries()) assert.ok(Math.abs(g.minutes_watched - want[i].minutes_watched) < 1e-9, `${period} ${sort} minutes`);
    }
});

const streaksDirect = () => rows(`
  SELECT u.id AS user_id, COALESCE((SELECT c.streak FROM checkins c WHERE c.user_id = u.id ORDER BY c.day DESC LIMIT 1), 0) AS streak
  FROM users u WHERE u.active ORDER BY streak DESC, u.id LIMIT 20`);

test('the learners board by streak is each person\'s latest check-in streak', async () => {
  const want = streaksDirect();
  assert.ok(want[0].streak >= 5);
  for (const period of ['week', 'all']) {
    const r = await api(s, 'GET', `/api/v1/leaderboards/learners?period=${period}&sort=streak`, { token: trainer });
    assert.equal(r.status, 200, r.body);
    assert.deepEqual(r.json.items.map(({ user_id, streak }) => ({ user_id, streak })), want, period);
  }
});

test('after midnight the boards stay the same sums, before and after the per-person windows move to the new day', async () => {
  const day = () => Number(sql('SELECT day FROM learner_windows_day'));
  const before = day();
  assert.equal(before, Math.floor(Date.now() / 86400000));
  const check = async (label) => {
    const at = Math.floor(Date.now() / 1000) + 2 * 86400; // the server's clock, moved below
    for (const period of ['week', 'month'])
      for (const sort of ['points', 'minutes']) {
        const r = await api(s, 'GET', `/api/v1/leaderboards/learners?period=${period}&sort=${sort}`, { token: trainer });
        assert.equal(r.status, 200, r.body);
        const want = learnersDirect(at - { week: 7, month: 30 }[period] * 86400, sort);
        assert.deepEqual(r.json.items.map((g) => [g.user_id, g.points_earned]), want.map((w) => [w.user_id, w.points_earned]), `${label} ${period} ${sort}`);
      }
  };
  await advanceClock(s, 2 * 86400);
  await check('windows a day behind');
  // the housekeeping loop moves every person's windows to the server's today
  const deadline = Date.now() + 15000;
  while (day() !== before + 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  assert.equal(day(), before + 2);
  await check('windows moved');
});

test('the team report counts every member\'s watching of all time', async () => {
  const r = await api(s, 'GET', '/api/v1/analytics/teams', { token: trainer });
  assert.equal(r.status, 200, r.body);
  const want = rows(`SELECT u.team_id AS team_id, count(w.completed_at) AS completions,
      round(sum(w.watched) / 60.0, 1) AS minutes FROM watches w JOIN users u ON u.id = w.user_id
      GROUP BY u.team_id`);
  assert.ok(want.length > 0);
  for (const w of want) {
    const team = r.json.items.find((t) => t.team_id === w.team_id);
    assert.deepEqual({ completions: team.completions, minutes: team.minutes_watched }, { completions: w.completions, minutes: w.minutes });
  }
});
