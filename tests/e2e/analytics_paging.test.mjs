// The trainer's analytics lists page through any size of organisation: the
// people list in the clip list's orders (all-time totals, or counted on the
// days asked for), a page at a time with cursors, each page what ordering
// everyone at once would give.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { startServer, api, login } from './lib/server.mjs';

let s, trainer;
const db = () => join(s.dir, 'casereel.db');
const sql = (q) => execFileSync('sqlite3', ['-cmd', '.timeout 10000', db(), q]).toString().trim();
const rows = (q) => { const out = execFileSync('sqlite3', ['-json', '-cmd', '.timeout 10000', db(), q]).toString().trim(); return out ? JSON.parse(out) : []; };
// days as the server counts them: in its default zone, Asia/Shanghai (UTC+8, no daylight
// saving), whatever this machine's zone is
const ZONE = 'Asia/Shanghai';
const day = (t) => new Intl.DateTimeFormat('en-CA', { timeZone: ZONE, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(t * 1000));
const now = Math.floor(Date.now() / 1000);
const DAYS = 86400;

// Everyone active, ordered as the list promises, computed from the activity itself.
const direct = (sort, order, from, to) => {
  const w = (col, scale = 1) => (from === undefined ? '1' : `${col} >= ${from * scale} AND ${col} < ${to * scale}`);
  const key = { starts: 's', completions: 'c', likes: 'l', completion_rate: 'c * 1.0 / max(s, 1)', created: 'created_at' }[sort];
  const dir = order === 'asc' ? 'ASC' : 'DESC';
  return rows(`
    WITH a AS (SELECT u.id, u.created_at,
      (SELECT count(*) FROM watches x WHERE x.user_id = u.id AND ${w('x.first_at', 1000)}) AS s,
      (SELECT count(*) FROM watches x WHERE x.user_id = u.id AND x.completed_at IS NOT NULL AND ${w('x.completed_at')}) AS c,
      (SELECT count(*) FROM likes x WHERE x.user_id = u.id AND ${w('x.created_at')}) AS l
      FROM users u WHERE u.active)
    SELECT id FROM a ${from === undefined ? '' : 'WHERE s + c + l > 0'}
    ORDER BY ${key} ${dir}, id ${dir}`).map((r) => r.id);
};

// Every page of the list, following next_cursor.
async function walk(query, limit) {
  const ids = [];
  let cursor = null, pages = 0;
  do {
    const r = await api(s, 'GET', `/api/v1/analytics/users?${query}&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { token: trainer });
    assert.equal(r.status, 200, r.body);
    assert.ok(r.json.items.length <= limit);
    ids.push(...r.json.items.map((i) => i.user_id));
    cursor = r.json.next_cursor;
    assert.ok(++pages < 500);
  } while (cursor);
  return ids;
}

before(async () => {
  s = await startServer();
  trainer = await login(s, 'trainer1');
  // people added after the summaries existed, with activity spread over 20 days
  let q = 'BEGIN;';
  for (let i = 0; i < 40; i++)
    q += `INSERT INTO users(username, display_name, role, password_hash, created_at)
          VALUES ('pager${i}', 'Pager ${i % 7}', 'agent', 'x', ${now - (i % 9) * DAYS});`;
  q += `INSERT INTO videos(owner_id, title, description, status, progress, filename, source_bytes, duration,
          source_duration, width, height, has_audio, renditions, created_at, updated_at, published_at)
        SELECT users.id, 'Pager clip ' || k.value, '', 'published', 100, 'c.mp4', 1, 60, 60, 720, 1280, 1, '[]',
          ${now - 30 * DAYS}, ${now - 30 * DAYS}, ${now - 30 * DAYS}
        FROM users, json_each('[1,2,3,4,5,6]') k WHERE username = 'trainer1';`;
  q += 'COMMIT;';
  sql(q);
  const people = rows("SELECT id FROM users WHERE username LIKE 'pager%' ORDER BY id").map((r) => r.id);
  const clips = rows("SELECT id FROM videos WHERE title LIKE 'Pager clip %' ORDER BY id").map((r) => r.id);
  q = 'BEGIN;';
  let n = 0;
  for (const [p, user] of people.entries())
    for (const clip of clips.slice(0, p % 7)) {
      n++;
      const at = now - ((n * 7) % 20) * DAYS - 3600;
      q += `INSERT INTO watches(user_id, video_id, started_at, last_at, watched, starts, completed_at, first_at)
            VALUES (${user}, ${clip}, ${at * 1000}, ${at * 1000}, 20, 1, ${n % 3 ? at + 60 : 'NULL'}, ${at * 1000});`;
      if (n % 2) q += `INSERT INTO likes(video_id, user_id, created_at) VALUES (${clip}, ${user}, ${at});`;
    }
  q += `UPDATE users SET active = 0 WHERE username = 'pager5';
        DELETE FROM likes WHERE user_id = ${people[13]} AND video_id = (SELECT min(video_id) FROM likes WHERE user_id = ${people[13]});
        COMMIT;`;
  sql(q);
});
after(() => s.dispose());

for (const sort of ['starts', 'completions', 'completion_rate', 'likes', 'created'])
  for (const order of ['desc', 'asc'])
    test(`the people list by ${sort} ${order} pages through everyone active in that order`, async () => {
      const want = direct(sort, order);
      assert.ok(want.length > 40);
      assert.deepEqual(await walk(`sort=${sort}&order=${order}`, 7), want);
    });

test('with from and to the people list counts only those days and lists only who was active on them', async () => {
  const from = now - 10 * DAYS, to = now - 3 * DAYS;
  const fromDay = day(from), toDay = day(to);
  // the window in seconds, as the server reads the days (midnights in its zone)
  const start = Math.floor(new Date(`${fromDay}T00:00:00+08:00`).getTime() / 1000);
  const end = Math.floor(new Date(`${toDay}T00:00:00+08:00`).getTime() / 1000) + DAYS;
  for (const sort of ['starts', 'completions', 'likes']) {
    const want = direct(sort, 'desc', start, end);
    assert.ok(want.length > 5 && want.length < direct(sort, 'desc').length);
    assert.deepEqual(await walk(`sort=${sort}&from=${fromDay}&to=${toDay}`, 4), want, sort);
  }
});

test('a page answers the sort and order it is in, and its rows are full learning profiles', async () => {
  const r = await api(s, 'GET', '/api/v1/analytics/users?sort=likes&limit=2', { token: trainer });
  assert.equal(r.status, 200);
  assert.equal(r.json.sort, 'likes');
  assert.equal(r.json.order, 'desc');
  assert.equal(r.json.items.length, 2);
  const top = rows(`SELECT count(*) AS n FROM watches WHERE user_id = ${r.json.items[0].user_id}`)[0].n;
  assert.equal(r.json.items[0].clips_started, top);
});

test("a cursor from one order is refused in another, and unknown sorts and orders are named", async () => {
  const first = await api(s, 'GET', '/api/v1/analytics/users?sort=starts&limit=2', { token: trainer });
  const cursor = encodeURIComponent(first.json.next_cursor);
  const other = await api(s, 'GET', `/api/v1/analytics/users?sort=likes&limit=2&cursor=${cursor}`, { token: trainer });
  assert.equal(other.status, 400);
  assert.match(other.json.type, /invalid-cursor/);
  const asc = await api(s, 'GET', `/api/v1/analytics/users?sort=starts&order=asc&cursor=${cursor}`, { token: trainer });
  assert.equal(asc.status, 400);
  for (const [q, field] of [['sort=name', 'sort'], ['order=up', 'order'], ['from=2026-13-01', 'from']]) {
    const bad = await api(s, 'GET', `/api/v1/analytics/users?${q}`, { token: trainer });
    assert.equal(bad.status, 422, q);
    assert.match(bad.body, new RegExp(field));
  }
});

test('without a sort the people list is still by name, and the CSV export still has everyone', async () => {
  const names = (await walk('team_id=0', 9)).length;
  assert.equal(names, direct('created', 'desc').length);
  const csv = await api(s, 'GET', '/api/v1/analytics/users?format=csv&sort=likes', { token: trainer });
  assert.equal(csv.status, 200);
  assert.equal(csv.body.trim().split('\n').length, names + 1);
});

test('the team report pages by name, each team once, with the figures of the whole report', async () => {
  sql(`INSERT INTO teams(name, created_at) SELECT 'Paged team ' || value, 0 FROM json_each('[1,2,3,4,5,6,7,8,9,10,11]');
       UPDATE users SET team_id = (SELECT id FROM teams WHERE name = 'Paged team 3') WHERE username LIKE 'pager1%';`);
  const all = rows('SELECT id FROM teams ORDER BY name COLLATE NOCASE').map((r) => r.id);
  const items = [];
  let cursor = null;
  do {
    const r = await api(s, 'GET', `/api/v1/analytics/teams?limit=4${cursor ? `&cursor=${cursor}` : ''}`, { token: trainer });
    assert.equal(r.status, 200, r.body);
    assert.ok(r.json.items.length <= 4);
    items.push(...r.json.items);
    cursor = r.json.next_cursor;
  } while (cursor);
  assert.deepEqual(items.map((t) => t.team_id), all);
  const paged = items.find((t) => t.team === 'Paged team 3');
  const want = rows(`SELECT count(*) AS n FROM users u JOIN teams t ON t.id = u.team_id WHERE t.name = 'Paged team 3' AND u.active`)[0].n;
  assert.ok(want > 3);
  assert.equal(paged.members, want);
  const done = rows(`SELECT count(*) AS n FROM watches w JOIN users u ON u.id = w.user_id JOIN teams t ON t.id = u.team_id
                     WHERE t.name = 'Paged team 3' AND w.completed_at IS NOT NULL`)[0].n;
  assert.equal(paged.completions, done);
  const csv = await api(s, 'GET', '/api/v1/analytics/teams?format=csv&limit=1', { token: trainer });
  assert.equal(csv.body.trim().split('\n').length, all.length + 1);
  assert.equal((await api(s, 'GET', '/api/v1/analytics/teams?cursor=x', { token: trainer })).status, 400);
});

test('a CSV export of thousands of people arrives whole, as it is written, with its header once', async () => {
  sql(`INSERT INTO users(username, display_name, role, password_hash, created_at)
       SELECT 'bulk' || value, 'Bulk, "person" ' || value, 'agent', 'x', ${now} FROM generate_series(1, 4000);`);
  const r = await fetch(`${s.url}/api/v1/analytics/users?format=csv`, { headers: { authorization: `Bearer ${trainer}` } });
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^text\/csv/);
  assert.equal(r.headers.get('content-length'), null); // sent as made, not measured first
  const text = await r.text();
  assert.ok(text.endsWith('\r\n'));
  // parse: fields may be quoted, with doubled quotes and commas inside
  const lines = text.slice(0, -2).split('\r\n').map((line) => [...line.matchAll(/("(?:[^"]|"")*"|[^,]*)(?:,|$)/g)]
    .map((m) => m[1]).slice(0, 10));
  const header = 'user_id,display_name,team,minutes_watched,clips_started,completions,streak,points_earned,skills_covered,activity_score';
  assert.equal(lines[0].join(','), header);
  assert.equal(lines.filter((l) => l.join(',') === header).length, 1);
  const active = rows('SELECT id FROM users WHERE active ORDER BY id').map((u) => String(u.id));
  assert.ok(active.length > 4000);
  assert.deepEqual(lines.slice(1).map((l) => l[0]).sort(), active.sort());
  assert.ok(lines.slice(1).every((l) => l.length === 10));
  assert.ok(lines.some((l) => l[1] === '"Bulk, ""person"" 17"'));
});

test('a CSV export keeps the list it was asked from: its sort, order and days', async () => {
  const csvIds = async (path) => {
    const r = await api(s, 'GET', path, { token: trainer });
    assert.equal(r.status, 200, r.body);
    return r.body.trim().split('\r\n').slice(1).map((line) => Number(line.split(',')[0]));
  };
  const from = day(now - 10 * DAYS), to = day(now - 3 * DAYS);
  const people = `sort=likes&order=asc&from=${from}&to=${to}`;
  const want = await walk(people, 500);
  assert.ok(want.length > 5);
  assert.deepEqual(await csvIds(`/api/v1/analytics/users?format=csv&${people}`), want);
  const clips = await api(s, 'GET', '/api/v1/analytics/videos?sort=starts&order=asc&limit=500', { token: trainer });
  const byStarts = clips.json.items.map((c) => c.video_id);
  assert.ok(byStarts.length >= 6);
  assert.notDeepEqual(byStarts, [...byStarts].sort((a, b) => b - a), 'starts order is not newest first');
  assert.deepEqual(await csvIds('/api/v1/analytics/videos?format=csv&sort=starts&order=asc'), byStarts);
  // the clips were published 30 days ago: a window of the last week has none of them
  assert.deepEqual(await csvIds(`/api/v1/analytics/videos?format=csv&from=${day(now - 7 * DAYS)}`), []);
});
