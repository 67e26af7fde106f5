-- Fills a demo database (made by `casereel serve --demo`) with the scale
-- benchmark's data set (bench/scale.sh): @users users in @teams teams, one
-- in ten a creator, @clips published clips, @watches watch rows (the same
-- number per user, over distinct clips, a third completed, spread over the
-- last 30 days), and in proportion: a like per 5 watches, a tip per user,
-- a ledger transfer per completed watch (learn points), 10 check-ins per user.
-- All users have the demo password's hash. Parameters are sqlite3 CLI
-- parameters (.parameter set @users 100000 ...); deterministic (no random())
-- so runs compare.
PRAGMA journal_mode = WAL;
PRAGMA synchronous = OFF;
PRAGMA cache_size = -400000;
BEGIN;
CREATE TEMP TABLE scale(users INTEGER, clips INTEGER, watches INTEGER, teams INTEGER,
                        per_user INTEGER, now INTEGER, ufirst INTEGER, vfirst INTEGER,
                        tfirst INTEGER);
INSERT INTO scale(users, clips, watches, teams, per_user, now)
VALUES (@users, @clips, @watches, @teams, max(1, @watches / @users), unixepoch());
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < (SELECT teams FROM scale))
INSERT INTO teams(name, created_at) SELECT 'Scale team ' || i, unixepoch() FROM n;
UPDATE scale SET tfirst = (SELECT min(id) FROM teams WHERE name LIKE 'Scale team %');
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < (SELECT users FROM scale) - 1)
INSERT INTO users(username, display_name, role, team_id, position, hire_date, password_hash, created_at)
SELECT 'scale' || i, 'Scale Agent ' || i, 'agent', s.tfirst + (i % s.teams), 'Agent',
       date('2026-11-23', '-' || (i % 1500) || ' days'),
       (SELECT password_hash FROM users WHERE username = 'agent1'), s.now - i
FROM n, scale s;
UPDATE scale SET ufirst = (SELECT min(id) FROM users WHERE username LIKE 'scale%');
INSERT INTO user_tags(user_id, tag_id, kind)
SELECT id, 1 + (id % 8), 'weak' FROM users WHERE username LIKE 'scale%';
INSERT INTO user_tags(user_id, tag_id, kind)
SELECT id, 1 + ((id / 8) % 8), 'interest' FROM users WHERE username LIKE 'scale%';
-- creators: every tenth user owns clips
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < (SELECT clips FROM scale) - 1)
INSERT INTO videos(owner_id, title, description, status, progress, filename, source_path,
                   source_bytes, duration, source_duration, width, height, has_audio,
                   renditions, created_at, updated_at, published_at, starts, completions,
                   likes, comments, impressions)
SELECT s.ufirst + ((i * 7) % max(1, s.users / 10)) * 10,
       'Scale clip ' || i, '', 'published', 100, 'clip.mp4', NULL, 1000000, 60.0, 60.0,
       720, 1280, 1, '[]', s.now - i * 600, s.now - i * 600, s.now - i * 600,
       50, (i * 37) % 50, (i * 13) % 20, i % 7, (i * 11) % 400
FROM n, scale s;
UPDATE scale SET vfirst = (SELECT min(id) FROM videos WHERE title LIKE 'Scale clip %');
INSERT INTO video_tags(video_id, tag_id)
SELECT id, 1 + (id % 8) FROM videos WHERE id >= (SELECT vfirst FROM scale);
INSERT OR IGNORE INTO video_tags(video_id, tag_id)
SELECT id, 1 + ((id / 8) % 8) FROM videos WHERE id >= (SELECT vfirst FROM scale);
-- per_user watch rows per user over distinct clips; a third completed;
-- last_at and completed_at spread over the last 30 days
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n
                        WHERE i < (SELECT users * per_user FROM scale) - 1)
INSERT INTO watches(user_id, video_id, started_at, last_at, position, max_position, watched,
                    session_watched, starts, completed_at)
SELECT s.ufirst + i / s.per_user,
       s.vfirst + ((i / s.per_user) * 17 + (i % s.per_user) * 19) % s.clips,
       (s.now - (i % 30) * 86400) * 1000, (s.now - (i % 30) * 86400) * 1000, 30, 55, 55, 0, 1,
       CASE WHEN i % 3 = 0 THEN s.now - (i % 30) * 86400 END
FROM n, scale s;
-- a like for every fifth watch
INSERT INTO likes(video_id, user_id, created_at)
SELECT video_id, user_id, last_at / 1000 FROM watches
WHERE user_id >= (SELECT ufirst FROM scale) AND (video_id + user_id) % 5 = 0;
-- a tip per user to the creator of a clip they watched (not their own)
INSERT INTO tips(video_id, from_user, to_user, gift, count, amount, free_amount, day, created_at)
SELECT v.id, u.id, v.owner_id, 'flower', 1, 5, 5, date(s.now - (u.id % 30) * 86400, 'unixepoch'),
       s.now - (u.id % 30) * 86400
FROM users u, scale s
JOIN videos v ON v.id = s.vfirst + (u.id * 17) % s.clips
WHERE u.id >= s.ufirst AND v.owner_id <> u.id;
INSERT INTO point_accounts(kind, user_id, balance)
SELECT 'user', id, 0 FROM users WHERE id >= (SELECT ufirst FROM scale);
-- learn points: the ledger transfer of every completed watch (as the API
-- pays them; the server pays missing ones at start)
INSERT INTO point_transfers(from_account, to_account, amount, kind, reason, ref, video_id, created_at)
SELECT 1, a.id, 2, 'learn', 'Finished a clip', 'learn:' || w.video_id || ':' || w.user_id,
       w.video_id, w.completed_at
FROM watches w JOIN point_accounts a ON a.user_id = w.user_id JOIN videos v ON v.id = w.video_id
WHERE w.user_id >= (SELECT ufirst FROM scale) AND w.completed_at IS NOT NULL
  AND v.owner_id <> w.user_id;
-- ten check-ins per user, the last ten days
WITH RECURSIVE d(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM d WHERE k < 9)
INSERT INTO checkins(user_id, day, streak, points, created_at)
SELECT u.id, date(s.now - k * 86400, 'unixepoch'), 10 - k, 5, s.now - k * 86400
FROM users u, d, scale s WHERE u.id >= s.ufirst;
COMMIT;
