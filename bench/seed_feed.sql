-- Fills a demo database (made by `casereel serve --demo`) with the feed
-- benchmark's catalogue: 2,000 users, 10,000 published clips and
-- 1,000,000 watch events, all with the demo password's hash.
-- Used by bench/http.sh; deterministic (no random()) so runs compare.
PRAGMA journal_mode = WAL;
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
INSERT INTO users(username, display_name, role, team_id, position, hire_date, password_hash, created_at)
SELECT 'bench' || i, 'Bench Agent ' || i, 'agent', 1 + (i % 4), 'Agent',
       date('2026-11-23', '-' || (i % 1500) || ' days'),
       (SELECT password_hash FROM users WHERE username = 'agent1'), unixepoch()
FROM n;
INSERT INTO user_tags(user_id, tag_id, kind)
SELECT id, 1 + (id % 8), 'weak' FROM users WHERE username LIKE 'bench%';
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000)
INSERT INTO videos(owner_id, title, description, status, progress, filename, source_path,
                   source_bytes, duration, source_duration, width, height, has_audio,
                   renditions, created_at, updated_at, published_at, starts, completions,
                   likes, comments, impressions)
SELECT (SELECT min(id) FROM users WHERE username LIKE 'bench%') + (i * 7) % 2000,
       'Bench clip ' || i, '', 'published', 100, 'clip.mp4', NULL, 1000000, 60.0, 60.0,
       720, 1280, 1, '[]', unixepoch() - i * 250, unixepoch() - i * 250, unixepoch() - i * 250,
       100, (i * 37) % 100, (i * 13) % 50, i % 7, (i * 11) % 400
FROM n;
INSERT INTO video_tags(video_id, tag_id)
SELECT id, 1 + (id % 8) FROM videos WHERE title LIKE 'Bench clip %';
INSERT OR IGNORE INTO video_tags(video_id, tag_id)
SELECT id, 1 + ((id / 8) % 8) FROM videos WHERE title LIKE 'Bench clip %';
-- 1,000,000 watch rows: 500 per user over distinct clips
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 999999),
     u AS (SELECT min(id) AS first FROM users WHERE username LIKE 'bench%'),
     v AS (SELECT min(id) AS first FROM videos WHERE title LIKE 'Bench clip %')
INSERT INTO watches(user_id, video_id, started_at, last_at, position, max_position, watched,
                    session_watched, starts, completed_at)
SELECT u.first + i / 500, v.first + ((i / 500) * 17 + (i % 500) * 19) % 10000,
       0, 0, 30, 55, 55, 0, 1, CASE WHEN i % 3 = 0 THEN unixepoch() END
FROM n, u, v;
COMMIT;
