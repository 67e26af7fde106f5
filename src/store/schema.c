/* Schema migrations, oldest first. See schema.h. */
#include "schema.h"

const char *const schema_migrations[] = {
	/* 1: accounts, teams, skill tags, login sessions */
	"CREATE TABLE teams ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE COLLATE NOCASE,"
	"  created_at INTEGER NOT NULL);"
	"CREATE TABLE tags ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE COLLATE NOCASE,"
	"  label TEXT NOT NULL,"
	"  onboarding INTEGER NOT NULL DEFAULT 0 CHECK (onboarding IN (0, 1)),"
	"  created_at INTEGER NOT NULL);"
	"CREATE TABLE users ("
	"  id INTEGER PRIMARY KEY,"
	"  username TEXT NOT NULL UNIQUE COLLATE NOCASE,"
	"  display_name TEXT NOT NULL,"
	"  role TEXT NOT NULL CHECK (role IN ('agent', 'trainer', 'admin')),"
	"  team_id INTEGER REFERENCES teams(id),"
	"  position TEXT NOT NULL DEFAULT '',"
	"  hire_date TEXT,"
	"  password_hash TEXT NOT NULL,"
	"  active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),"
	"  created_at INTEGER NOT NULL);"
	"CREATE INDEX users_team ON users(team_id);"
	/* kind: 'interest' (wants to learn) or 'weak' (trainer-assessed gap) */
	"CREATE TABLE user_tags ("
	"  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  tag_id INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,"
	"  kind TEXT NOT NULL CHECK (kind IN ('interest', 'weak')),"
	"  PRIMARY KEY (user_id, kind, tag_id)) WITHOUT ROWID;"
	/* only a hash of each bearer token is stored */
	"CREATE TABLE sessions ("
	"  token_hash BLOB PRIMARY KEY,"
	"  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  created_at INTEGER NOT NULL,"
	"  expires_at INTEGER NOT NULL) WITHOUT ROWID;"
	"CREATE INDEX sessions_user ON sessions(user_id);",

	/* 2: videos, their transcode jobs, and resumable uploads in progress */
	"CREATE TABLE videos ("
	"  id INTEGER PRIMARY KEY,"
	"  owner_id INTEGER NOT NULL REFERENCES users(id),"
	"  title TEXT NOT NULL,"
	"  description TEXT NOT NULL DEFAULT '',"
	"  status TEXT NOT NULL CHECK (status IN ('processing', 'pending_review', 'published',"
	"    'rejected', 'failed', 'removed')),"
	"  progress INTEGER NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),"
	"  error TEXT,"
	"  filename TEXT NOT NULL DEFAULT '',"
	"  source_path TEXT," /* relative to the media root; NULL once deleted */
	"  source_bytes INTEGER NOT NULL,"
	"  duration REAL,"
	"  source_duration REAL,"
	"  trimmed INTEGER NOT NULL DEFAULT 0,"
	"  width INTEGER,"
	"  height INTEGER,"
	"  has_audio INTEGER,"
	"  renditions TEXT," /* JSON array from the transcoder */
	"  created_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL);"
	"CREATE INDEX videos_owner ON videos(owner_id, created_at);"
	"CREATE INDEX videos_status ON videos(status, created_at);"
	"CREATE TABLE video_tags ("
	"  video_id INTEGER NOT NULL REFERENCES videos(id) ON DELETE CASCADE,"
	"  tag_id INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,"
	"  PRIMARY KEY (video_id, tag_id)) WITHOUT ROWID;"
	"CREATE INDEX video_tags_tag ON video_tags(tag_id);"
	"CREATE TABLE jobs ("
	"  id INTEGER PRIMARY KEY,"
	"  video_id INTEGER NOT NULL UNIQUE REFERENCES videos(id) ON DELETE CASCADE,"
	"  state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed')),"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  claimed_at INTEGER,"
	"  finished_at INTEGER,"
	"  created_at INTEGER NOT NULL);"
	"CREATE INDEX jobs_state ON jobs(state, id);"
	"CREATE TABLE uploads ("
	"  id TEXT PRIMARY KEY,"
	"  owner_id INTEGER NOT NULL REFERENCES users(id),"
	"  length INTEGER NOT NULL,"
	"  offset INTEGER NOT NULL DEFAULT 0,"
	"  metadata TEXT NOT NULL DEFAULT '{}'," /* decoded Upload-Metadata, JSON */
	"  raw_metadata TEXT,"                   /* as the client sent it, echoed on HEAD */
	"  video_id INTEGER REFERENCES videos(id),"
	"  created_at INTEGER NOT NULL,"
	"  expires_at INTEGER NOT NULL) WITHOUT ROWID;"
	"CREATE INDEX uploads_expiry ON uploads(expires_at) WHERE video_id IS NULL;",

	/* 3: review, the feed's signals (starts, completions, likes, comments,
	 * impressions) and per-viewer feed snapshots */
	"ALTER TABLE videos ADD COLUMN published_at INTEGER;"
	"ALTER TABLE videos ADD COLUMN reviewed_by INTEGER REFERENCES users(id);"
	"ALTER TABLE videos ADD COLUMN review_reason TEXT;"
	"ALTER TABLE videos ADD COLUMN starts INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE videos ADD COLUMN completions INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE videos ADD COLUMN likes INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE videos ADD COLUMN comments INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE videos ADD COLUMN impressions INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE videos ADD COLUMN watch_seconds REAL NOT NULL DEFAULT 0;"
	"CREATE INDEX videos_published ON videos(published_at) WHERE status = 'published';"
	"CREATE TABLE likes ("
	"  video_id INTEGER NOT NULL REFERENCES videos(id) ON DELETE CASCADE,"
	"  user_id INTEGER NOT NULL REFERENCES users(id),"
	"  created_at INTEGER NOT NULL,"
	"  PRIMARY KEY (video_id, user_id)) WITHOUT ROWID;"
	"CREATE INDEX likes_user ON likes(user_id, video_id);"
	"CREATE TABLE comments ("
	"  id INTEGER PRIMARY KEY,"
	"  video_id INTEGER NOT NULL REFERENCES videos(id) ON DELETE CASCADE,"
	"  user_id INTEGER NOT NULL REFERENCES users(id),"
	"  body TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  removed_by INTEGER REFERENCES users(id));"
	"CREATE INDEX comments_video ON comments(video_id, id);"
	/* one row per viewer and clip: the watch so far */
	"CREATE TABLE watches ("
	"  user_id INTEGER NOT NULL REFERENCES users(id),"
	"  video_id INTEGER NOT NULL REFERENCES videos(id) ON DELETE CASCADE,"
	"  started_at INTEGER NOT NULL," /* this viewing session, server clock (ms) */
	"  last_at INTEGER NOT NULL,"    /* last accepted event (ms) */
	"  position REAL NOT NULL DEFAULT 0,"
	"  max_position REAL NOT NULL DEFAULT 0,"
	"  watched REAL NOT NULL DEFAULT 0," /* credited seconds, all sessions */
	"  session_watched REAL NOT NULL DEFAULT 0,"
	"  starts INTEGER NOT NULL DEFAULT 0,"
	"  completed_at INTEGER,"
	"  PRIMARY KEY (user_id, video_id)) WITHOUT ROWID;"
	"CREATE INDEX watches_video ON watches(video_id);"
	"CREATE TABLE impressions ("
	"  user_id INTEGER NOT NULL REFERENCES users(id),"
	"  video_id INTEGER NOT NULL REFERENCES videos(id) ON DELETE CASCADE,"
	"  count INTEGER NOT NULL,"
	"  last_at INTEGER NOT NULL,"
	"  PRIMARY KEY (user_id, video_id)) WITHOUT ROWID;"
	"CREATE TABLE feed_snapshots ("
	"  id TEXT PRIMARY KEY,"
	"  user_id INTEGER NOT NULL REFERENCES users(id),"
	"  created_at INTEGER NOT NULL,"
	"  items TEXT NOT NULL) WITHOUT ROWID;" /* include/casereel/snapshot_items.h */
	"CREATE INDEX feed_snapshots_age ON feed_snapshots(created_at);",
	/* 4: the points ledger (accounts, append-only transfers, idempotency
	 * keys), earning rules, check-ins, gifts and tips, the shop */
	"CREATE TABLE point_accounts ("
	"  id INTEGER PRIMARY KEY,"
	"  kind TEXT NOT NULL CHECK (kind IN ('company', 'shop', 'user')),"
	"  user_id INTEGER UNIQUE REFERENCES users(id),"
	"  balance INTEGER NOT NULL DEFAULT 0,"
	"  CHECK (balance >= 0 OR kind = 'company')," /* only the company mints */
	"  CHECK ((kind = 'user') = (user_id IS NOT NULL)));"
	"INSERT INTO point_accounts(id, kind, balance) VALUES (1, 'company', 0), (2, 'shop', 0);"
	"CREATE TABLE point_transfers ("
	"  id INTEGER PRIMARY KEY,"
	"  from_account INTEGER NOT NULL REFERENCES point_accounts(id),"
	"  to_account INTEGER NOT NULL REFERENCES point_accounts(id),"
	"  amount INTEGER NOT NULL CHECK (amount > 0),"
	"  kind TEXT NOT NULL,"
	"  reason TEXT NOT NULL DEFAULT '',"
	"  ref TEXT UNIQUE," /* once-only rules: 'learn:<video>:<user>' */
	"  actor_id INTEGER,"
	"  video_id INTEGER,"
	"  order_id INTEGER,"
	"  created_at INTEGER NOT NULL,"
	"  CHECK (from_account <> to_account));"
	"CREATE INDEX point_transfers_from ON point_transfers(from_account, id);"
	"CREATE INDEX point_transfers_to ON point_transfers(to_account, id);"
	/* balances move with the row that explains them, in the same statement */
	"CREATE TRIGGER point_transfers_post AFTER INSERT ON point_transfers BEGIN"
	"  UPDATE point_accounts SET balance = balance - NEW.amount WHERE id = NEW.from_account;"
	"  UPDATE point_accounts SET balance = balance + NEW.amount WHERE id = NEW.to_account;"
	" END;"
	"CREATE TRIGGER point_transfers_no_update BEFORE UPDATE ON point_transfers BEGIN"
	"  SELECT RAISE(ABORT, 'point transfers are append-only');"
	" END;"
	"CREATE TRIGGER point_transfers_no_delete BEFORE DELETE ON point_transfers BEGIN"
	"  SELECT RAISE(ABORT, 'point transfers are append-only');"
	" END;"
	"CREATE TRIGGER point_accounts_no_delete BEFORE DELETE ON point_accounts BEGIN"
	"  SELECT RAISE(ABORT, 'point accounts are never deleted');"
	" END;"
	/* the first answer to each (user, Idempotency-Key), stored with the write */
	"CREATE TABLE idempotency_keys ("
	"  user_id INTEGER NOT NULL REFERENCES users(id),"
	"  key TEXT NOT NULL,"
	"  request_hash BLOB NOT NULL,"
	"  status INTEGER NOT NULL,"
	"  problem INTEGER NOT NULL DEFAULT 0,"
	"  body TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  PRIMARY KEY (user_id, key)) WITHOUT ROWID;"
	"CREATE TABLE points_rules ("
	"  id INTEGER PRIMARY KEY CHECK (id = 1),"
	"  checkin_bonus TEXT NOT NULL DEFAULT '[5,6,7,8,9,10,12]'," /* points per streak day */
	"  learn_points INTEGER NOT NULL DEFAULT 2 CHECK (learn_points >= 0),"
	"  approve_points INTEGER NOT NULL DEFAULT 20 CHECK (approve_points >= 0),"
	"  free_tip_points INTEGER NOT NULL DEFAULT 10 CHECK (free_tip_points >= 0),"
	"  tip_pair_cap INTEGER NOT NULL DEFAULT 100 CHECK (tip_pair_cap >= 0),"
	"  updated_at INTEGER);"
	"INSERT INTO points_rules(id) VALUES (1);"
	"CREATE TABLE checkins ("
	"  user_id INTEGER NOT NULL REFERENCES users(id),"
	"  day TEXT NOT NULL," /* local calendar day in the configured zone */
	"  streak INTEGER NOT NULL CHECK (streak >= 1),"
	"  points INTEGER NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  PRIMARY KEY (user_id, day)) WITHOUT ROWID;"
	"CREATE TABLE gifts ("
	"  name TEXT PRIMARY KEY,"
	"  label TEXT NOT NULL,"
	"  points INTEGER NOT NULL CHECK (points > 0),"
	"  active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))) WITHOUT ROWID;"
	"INSERT INTO gifts(name, label, points) VALUES ('thanks', 'Thanks', 1),"
	"  ('flower', 'Flower', 5), ('yacht', 'Yacht', 50);"
	"CREATE TABLE tips ("
	"  id INTEGER PRIMARY KEY,"
	"  video_id INTEGER NOT NULL,"
	"  from_user INTEGER NOT NULL REFERENCES users(id),"
	"  to_user INTEGER NOT NULL REFERENCES users(id),"
	"  gift TEXT NOT NULL,"
	"  count INTEGER NOT NULL CHECK (count > 0),"
	"  amount INTEGER NOT NULL CHECK (amount > 0),"
	"  free_amount INTEGER NOT NULL CHECK (free_amount BETWEEN 0 AND amount),"
	"  day TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  CHECK (from_user <> to_user));"
	"CREATE INDEX tips_from ON tips(from_user, day, to_user);"
	"CREATE INDEX tips_to ON tips(to_user);"
	"ALTER TABLE videos ADD COLUMN tips INTEGER NOT NULL DEFAULT 0;" /* points tipped */
	"CREATE TABLE shop_items ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE COLLATE NOCASE,"
	"  description TEXT NOT NULL DEFAULT '',"
	"  price INTEGER NOT NULL CHECK (price > 0),"
	"  stock INTEGER NOT NULL CHECK (stock >= 0),"
	"  active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),"
	"  created_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL);"
	"CREATE TABLE shop_orders ("
	"  id INTEGER PRIMARY KEY,"
	"  user_id INTEGER NOT NULL REFERENCES users(id),"
	"  item_id INTEGER NOT NULL REFERENCES shop_items(id),"
	"  quantity INTEGER NOT NULL CHECK (quantity > 0),"
	"  price INTEGER NOT NULL,"
	"  total INTEGER NOT NULL CHECK (total > 0),"
	"  status TEXT NOT NULL CHECK (status IN ('reserved', 'fulfilled', 'cancelled')),"
	"  created_at INTEGER NOT NULL,"
	"  closed_at INTEGER,"
	"  closed_by INTEGER REFERENCES users(id));"
	"CREATE INDEX shop_orders_user ON shop_orders(user_id, id);"
	"CREATE INDEX shop_orders_status ON shop_orders(status, id);",

	/* 5: trainers' tools — featured clips and creators for a period, and
	 * must-watch assignments of a clip to a team or a person */
	"CREATE TABLE features ("
	"  id INTEGER PRIMARY KEY,"
	"  video_id INTEGER REFERENCES videos(id),"
	"  user_id INTEGER REFERENCES users(id),"
	"  note TEXT NOT NULL DEFAULT '',"
	"  starts_at INTEGER NOT NULL,"
	"  ends_at INTEGER NOT NULL,"
	"  created_by INTEGER NOT NULL REFERENCES users(id),"
	"  created_at INTEGER NOT NULL,"
	"  CHECK ((video_id IS NULL) <> (user_id IS NULL)),"
	"  CHECK (ends_at > starts_at));"
	"CREATE INDEX features_active ON features(ends_at);"
	"CREATE TABLE assignments ("
	"  id INTEGER PRIMARY KEY,"
	"  video_id INTEGER NOT NULL REFERENCES videos(id),"
	"  team_id INTEGER REFERENCES teams(id),"
	"  user_id INTEGER REFERENCES users(id),"
	"  due_at INTEGER,"
	"  note TEXT NOT NULL DEFAULT '',"
	"  created_by INTEGER NOT NULL REFERENCES users(id),"
	"  created_at INTEGER NOT NULL,"
	"  CHECK ((team_id IS NULL) <> (user_id IS NULL)));"
	"CREATE INDEX assignments_user ON assignments(user_id);"
	"CREATE INDEX assignments_team ON assignments(team_id);"
	"CREATE INDEX assignments_video ON assignments(video_id);",

	/* 6: per viewer, day and creator tip totals, so the free allowance and
	 * the pair cap are one-row reads however many tips a day brings */
	"CREATE TABLE tip_daily ("
	"  from_user INTEGER NOT NULL REFERENCES users(id),"
	"  day TEXT NOT NULL,"
	"  to_user INTEGER NOT NULL REFERENCES users(id),"
	"  amount INTEGER NOT NULL DEFAULT 0,"
	"  free_amount INTEGER NOT NULL DEFAULT 0,"
	"  PRIMARY KEY (from_user, day, to_user)) WITHOUT ROWID;"
	"CREATE INDEX tip_daily_to ON tip_daily(to_user);"
	"INSERT INTO tip_daily SELECT from_user, day, to_user, SUM(amount), SUM(free_amount)"
	"  FROM tips GROUP BY from_user, day, to_user;",

	/* 7: quizzes: 1-3 multiple-choice questions on a clip, answered once per
	 * viewer after watching; replaced questions are kept inactive so old
	 * answers still count in the analytics */
	"CREATE TABLE quiz_questions ("
	"  id INTEGER PRIMARY KEY,"
	"  video_id INTEGER NOT NULL REFERENCES videos(id) ON DELETE CASCADE,"
	"  position INTEGER NOT NULL,"
	"  text TEXT NOT NULL,"
	"  choices TEXT NOT NULL," /* JSON array of strings */
	"  answer INTEGER NOT NULL CHECK (answer >= 0),"
	"  active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),"
	"  created_by INTEGER NOT NULL REFERENCES users(id),"
	"  created_at INTEGER NOT NULL);"
	"CREATE INDEX quiz_questions_video ON quiz_questions(video_id, active, position);"
	"CREATE TABLE quiz_answers ("
	"  question_id INTEGER NOT NULL REFERENCES quiz_questions(id),"
	"  user_id INTEGER NOT NULL REFERENCES users(id),"
	"  choice INTEGER NOT NULL,"
	"  correct INTEGER NOT NULL CHECK (correct IN (0, 1)),"
	"  created_at INTEGER NOT NULL,"
	"  PRIMARY KEY (question_id, user_id)) WITHOUT ROWID;"
	"CREATE INDEX quiz_answers_user ON quiz_answers(user_id);",
	/* 8: idempotency keys are forgotten after --idempotency-ttl */
	"CREATE INDEX idempotency_keys_created ON idempotency_keys(created_at);",

	/* 9: why a clip failed as a stable code (tx_error_code) that clients
	 * say in their own language; older failures get one from their text */
	"ALTER TABLE videos ADD COLUMN error_code TEXT;"
	"UPDATE videos SET error_code = CASE error"
	"  WHEN 'no video stream found' THEN 'no-video'"
	"  WHEN 'audio-only file' THEN 'audio-only'"
	"  WHEN 'playlists are not accepted' THEN 'playlist'"
	"  WHEN 'resolution above 8K' THEN 'too-large'"
	"  WHEN 'time limit exceeded' THEN 'time-limit'"
	"  WHEN 'the file is truncated or damaged' THEN 'truncated'"
	"  WHEN 'this is a text file, not a video' THEN 'not-a-video'"
	"  WHEN 'cannot read the uploaded file' THEN 'io'"
	"  WHEN 'could not store the transcoded files' THEN 'io'"
	"  WHEN 'cannot write the output files' THEN 'io'"
	"  WHEN 'cannot write the playlists' THEN 'io'"
	"  WHEN 'cannot write the poster' THEN 'io'"
	"  WHEN 'output directory is not writable' THEN 'io'"
	"  WHEN 'output path too long' THEN 'io'"
	"  WHEN 'cannot read the upload or write the output' THEN 'io'"
	"  WHEN 'cancelled' THEN 'cancelled'"
	"  WHEN 'unsupported or damaged file' THEN 'unsupported'"
	"  WHEN 'the file is empty' THEN 'unsupported'"
	"  WHEN 'unsupported video codec' THEN 'unsupported'"
	"  WHEN 'too many streams in the file' THEN 'unsupported'"
	"  WHEN 'the video track cannot be decoded' THEN 'unsupported'"
	"  WHEN 'the audio track cannot be decoded' THEN 'unsupported'"
	"  WHEN 'no picture could be decoded' THEN 'unsupported'"
	"  ELSE 'internal' END"
	" WHERE status = 'failed';",

	/* 10: when the viewer first started the clip (ms), so the watch-rate
	 * check spans every session: a new start no longer gives a fresh
	 * allowance. Older rows get the latest start less the least time their
	 * credited seconds can have taken. */
	"ALTER TABLE watches ADD COLUMN first_at INTEGER;"
	"UPDATE watches SET first_at = started_at - CAST(watched * 1000 / 2.0 AS INTEGER);",

	/* 11: a clip's starts and completions count people, not events: each
	 * viewer once, never the creator, so replays and start spam no longer
	 * sink its completion rate. Older counters are recounted from the
	 * watches (one row per viewer and clip). */
	"UPDATE videos SET"
	"  starts = (SELECT count(*) FROM watches w"
	"    WHERE w.video_id = videos.id AND w.user_id <> videos.owner_id),"
	"  completions = (SELECT count(*) FROM watches w"
	"    WHERE w.video_id = videos.id AND w.user_id <> videos.owner_id"
	"    AND w.completed_at IS NOT NULL);",

	/* 12: the media janitor. media_purged_at: when a removed or failed
	 * clip's files were deleted (NULL while some may remain); the partial
	 * index holds only the clips still to purge, so a round with nothing to
	 * do reads no rows. videos_source: whether a video names a file in
	 * incoming/, asked of every old file when looking for orphans. */
	"ALTER TABLE videos ADD COLUMN media_purged_at INTEGER;"
	"CREATE INDEX videos_unpurged ON videos(updated_at)"
	"  WHERE status IN ('removed', 'failed') AND media_purged_at IS NULL;"
	"CREATE INDEX videos_source ON videos(source_path) WHERE source_path IS NOT NULL;",

	/* 13: the daily upload quota counts a user's open uploads inside the
	 * write transaction that adds one: an index, so it never scans. */
	"CREATE INDEX uploads_open_owner ON uploads(owner_id, created_at) WHERE video_id IS NULL;",

	/* 14: the learning loop's service metrics. `metrics` is the catalogue
	 * (per skill: rows carry a tag; overall: no tag, optionally reflecting
	 * one skill). `metric_values` holds one value per agent, metric, tag
	 * (0 = overall) and calendar day (days since 1970-01-01 in the server's
	 * time zone), keyed for per-agent range reads; a replayed row updates
	 * it. The trigger keeps what an import overwrote, so it can be undone
	 * (undo, rare, scans for its import's rows: no index on import_id, which
	 * would cost every import a third more writes).
	 * Integration tokens (stored hashed) may only write metrics. */
	"ALTER TABLE users ADD COLUMN employee_id TEXT;"
	"CREATE UNIQUE INDEX users_employee ON users(employee_id) WHERE employee_id IS NOT NULL;"
	"CREATE TABLE metrics ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE,"
	"  label_en TEXT NOT NULL,"
	"  label_zh TEXT NOT NULL,"
	"  unit TEXT NOT NULL DEFAULT '',"
	"  direction TEXT NOT NULL CHECK (direction IN ('higher', 'lower')),"
	"  per_skill INTEGER NOT NULL DEFAULT 0 CHECK (per_skill IN (0, 1)),"
	"  tag_id INTEGER REFERENCES tags(id),"
	"  target REAL NOT NULL,"
	"  min_value REAL NOT NULL,"
	"  max_value REAL NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  CHECK (min_value < max_value AND target BETWEEN min_value AND max_value),"
	"  CHECK (per_skill = 0 OR tag_id IS NULL));"
	"CREATE TABLE integration_tokens ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL,"
	"  token_hash BLOB NOT NULL UNIQUE,"
	"  scope TEXT NOT NULL CHECK (scope IN ('metrics:write')),"
	"  created_by INTEGER NOT NULL REFERENCES users(id),"
	"  created_at INTEGER NOT NULL,"
	"  last_used_at INTEGER,"
	"  revoked_at INTEGER);"
	"CREATE TABLE metric_imports ("
	"  id INTEGER PRIMARY KEY,"
	"  user_id INTEGER REFERENCES users(id),"
	"  token_id INTEGER REFERENCES integration_tokens(id),"
	"  format TEXT NOT NULL CHECK (format IN ('csv', 'json')),"
	"  rows INTEGER NOT NULL,"
	"  sha256 TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  undone_at INTEGER,"
	"  undone_by INTEGER REFERENCES users(id));"
	"CREATE TABLE metric_values ("
	"  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  metric_id INTEGER NOT NULL REFERENCES metrics(id),"
	"  tag_id INTEGER NOT NULL DEFAULT 0,"
	"  day INTEGER NOT NULL,"
	"  value REAL NOT NULL,"
	"  import_id INTEGER NOT NULL,"
	"  PRIMARY KEY (user_id, metric_id, tag_id, day)) WITHOUT ROWID;"
	"CREATE INDEX metric_values_metric_day ON metric_values(metric_id, tag_id, day);"
	"CREATE TABLE metric_overwrites ("
	"  import_id INTEGER NOT NULL,"
	"  user_id INTEGER NOT NULL,"
	"  metric_id INTEGER NOT NULL,"
	"  tag_id INTEGER NOT NULL,"
	"  day INTEGER NOT NULL,"
	"  old_value REAL NOT NULL,"
	"  old_import_id INTEGER NOT NULL,"
	"  PRIMARY KEY (import_id, user_id, metric_id, tag_id, day)) WITHOUT ROWID;"
	"CREATE TRIGGER metric_values_overwrite BEFORE UPDATE OF value ON metric_values"
	"  WHEN new.import_id <> old.import_id BEGIN"
	"  INSERT OR IGNORE INTO metric_overwrites VALUES (new.import_id, old.user_id,"
	"    old.metric_id, old.tag_id, old.day, old.value, old.import_id);"
	"  END;",

	/* 15: learning paths. A path is an ordered series of published clips,
	 * each step optionally gated by the clip's own quiz. Assignments go to
	 * a person or a team, by a trainer or by a push rule, with a due date.
	 * Progress is derived from watches and quiz answers; a gate failed on
	 * the first answers may be retaken after watching the clip again (the
	 * attempts are kept here, the first answers stay what quiz analytics
	 * and points count). */
	"CREATE TABLE paths ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL,"
	"  description TEXT NOT NULL DEFAULT '',"
	"  created_by INTEGER NOT NULL REFERENCES users(id),"
	"  created_at INTEGER NOT NULL,"
	"  archived_at INTEGER);"
	"CREATE TABLE path_steps ("
	"  path_id INTEGER NOT NULL REFERENCES paths(id) ON DELETE CASCADE,"
	"  position INTEGER NOT NULL CHECK (position >= 1),"
	"  video_id INTEGER NOT NULL REFERENCES videos(id),"
	"  quiz_gate INTEGER NOT NULL DEFAULT 0 CHECK (quiz_gate IN (0, 1)),"
	"  PRIMARY KEY (path_id, position)) WITHOUT ROWID;"
	"CREATE INDEX path_steps_video ON path_steps(video_id);"
	"CREATE TABLE path_assignments ("
	"  id INTEGER PRIMARY KEY,"
	"  path_id INTEGER NOT NULL REFERENCES paths(id),"
	"  user_id INTEGER REFERENCES users(id),"
	"  team_id INTEGER REFERENCES teams(id),"
	"  due_at INTEGER,"
	"  source TEXT NOT NULL CHECK (source IN ('trainer', 'rule')),"
	"  push_id INTEGER,"
	"  created_by INTEGER REFERENCES users(id),"
	"  created_at INTEGER NOT NULL,"
	"  removed_at INTEGER,"
	"  CHECK ((user_id IS NULL) <> (team_id IS NULL)));"
	"CREATE INDEX path_assignments_user ON path_assignments(user_id) WHERE user_id IS NOT NULL;"
	"CREATE INDEX path_assignments_team ON path_assignments(team_id) WHERE team_id IS NOT NULL;"
	"CREATE INDEX path_assignments_path ON path_assignments(path_id);"
	"CREATE TABLE quiz_gate_attempts ("
	"  user_id INTEGER NOT NULL REFERENCES users(id),"
	"  video_id INTEGER NOT NULL REFERENCES videos(id) ON DELETE CASCADE,"
	"  attempted_at INTEGER NOT NULL," /* ms */
	"  passed INTEGER NOT NULL CHECK (passed IN (0, 1)),"
	"  PRIMARY KEY (user_id, video_id, attempted_at)) WITHOUT ROWID;",

	/* 16: push rules. A rule watches one metric (and tag) for agents whose
	 * values sit on the wrong side of a threshold on at least min_days of
	 * the days with data in the last window_days, and assigns a path due
	 * in due_days. Each firing is a push, open until the agent's last
	 * recover_days days with data are all back on the right side; one open
	 * push per rule and agent. */
	"CREATE TABLE push_rules ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL,"
	"  metric_id INTEGER NOT NULL REFERENCES metrics(id),"
	"  tag_id INTEGER NOT NULL DEFAULT 0,"
	"  threshold REAL NOT NULL,"
	"  window_days INTEGER NOT NULL CHECK (window_days BETWEEN 1 AND 90),"
	"  min_days INTEGER NOT NULL CHECK (min_days BETWEEN 1 AND window_days),"
	"  path_id INTEGER NOT NULL REFERENCES paths(id),"
	"  due_days INTEGER NOT NULL CHECK (due_days BETWEEN 1 AND 365),"
	"  recover_days INTEGER NOT NULL CHECK (recover_days BETWEEN 1 AND 90),"
	"  team_id INTEGER REFERENCES teams(id),"
	"  active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),"
	"  created_by INTEGER NOT NULL REFERENCES users(id),"
	"  created_at INTEGER NOT NULL);"
	"CREATE TABLE pushes ("
	"  id INTEGER PRIMARY KEY,"
	"  rule_id INTEGER NOT NULL REFERENCES push_rules(id),"
	"  user_id INTEGER NOT NULL REFERENCES users(id),"
	"  assignment_id INTEGER REFERENCES path_assignments(id),"
	"  state TEXT NOT NULL CHECK (state IN ('open', 'qualified', 'closed')),"
	"  trigger_value REAL NOT NULL,"
	"  trigger_day INTEGER NOT NULL,"
	"  bad_days INTEGER NOT NULL,"
	"  opened_at INTEGER NOT NULL,"
	"  due_at INTEGER NOT NULL,"
	"  closed_at INTEGER);"
	"CREATE UNIQUE INDEX pushes_open ON pushes(rule_id, user_id) WHERE state = 'open';"
	"CREATE INDEX pushes_rule ON pushes(rule_id, opened_at);",

	/* 17: must-watch becomes a one-clip path. paths.kind says 'series' (a
	 * trainer's path) or 'clip' (one step, made by assigning a must-watch
	 * clip), so trainers' path lists need not list the clips; assignments
	 * keep their note. Every old assignment becomes a path assignment of
	 * its clip's path (one path per clip, made by whoever assigned it
	 * first), with the same target, due date, note, creator and time.
	 * Completion is the clip's watch, so what people finished stays done.
	 * The old table goes: one mechanism. */
	"ALTER TABLE paths ADD COLUMN kind TEXT NOT NULL DEFAULT 'series'"
	"  CHECK (kind IN ('series', 'clip'));"
	"ALTER TABLE path_assignments ADD COLUMN note TEXT NOT NULL DEFAULT '';"
	"CREATE TEMP TABLE clip_paths AS SELECT video_id, min(id) AS first_id,"
	"  (SELECT coalesce(max(id), 0) FROM main.paths)"
	"    + row_number() OVER (ORDER BY min(id)) AS path_id"
	"  FROM main.assignments GROUP BY video_id;"
	"INSERT INTO main.paths(id, name, description, created_by, created_at, kind)"
	"  SELECT c.path_id, v.title, '', a.created_by, a.created_at, 'clip' FROM clip_paths c"
	"  JOIN main.assignments a ON a.id = c.first_id JOIN main.videos v ON v.id = c.video_id;"
	"INSERT INTO main.path_steps(path_id, position, video_id, quiz_gate)"
	"  SELECT path_id, 1, video_id, 0 FROM clip_paths;"
	"INSERT INTO main.path_assignments(path_id, user_id, team_id, due_at, source, created_by,"
	"  created_at, note) SELECT c.path_id, a.user_id, a.team_id, a.due_at, 'trainer',"
	"  a.created_by, a.created_at, a.note FROM main.assignments a"
	"  JOIN clip_paths c ON c.video_id = a.video_id ORDER BY a.id;"
	"DROP TABLE clip_paths;"
	"DROP TABLE main.assignments;",

	/* 18: metrics imports run in the background. A received import is
	 * queued, then checked (no lock), then written a chunk at a time; a
	 * refused or failed one stays on record with why (its first bad rows as
	 * JSON). Imports from before were all written: 'done'. */
	"ALTER TABLE metric_imports ADD COLUMN state TEXT NOT NULL DEFAULT 'done'"
	"  CHECK (state IN ('queued', 'checking', 'applying', 'done', 'refused', 'failed'));"
	"ALTER TABLE metric_imports ADD COLUMN bytes INTEGER;"
	"ALTER TABLE metric_imports ADD COLUMN error_count INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE metric_imports ADD COLUMN errors TEXT;"
	"ALTER TABLE metric_imports ADD COLUMN problem_type TEXT;"
	"ALTER TABLE metric_imports ADD COLUMN problem_detail TEXT;"
	"ALTER TABLE metric_imports ADD COLUMN started_at INTEGER;"
	"ALTER TABLE metric_imports ADD COLUMN finished_at INTEGER;"
	"CREATE INDEX metric_imports_unfinished ON metric_imports(state)"
	"  WHERE state IN ('queued', 'checking', 'applying');",

	/* 19: a skill tag's Chinese name beside its (English) label, so the web
	 * client names a skill gap in either language; NULL until an admin
	 * gives one. */
	"ALTER TABLE tags ADD COLUMN label_zh TEXT;",

	/* 20: transcode turns go round the uploaders. Each claim takes the next
	 * turn number; the next job claimed is the oldest of the uploader whose
	 * last turn is the longest ago, so one person's many clips never hold
	 * the workers while a colleague's clip waits. */
	"ALTER TABLE jobs ADD COLUMN turn INTEGER;"
	"CREATE INDEX jobs_turn ON jobs(turn) WHERE turn IS NOT NULL;",

	/* 21: content that cannot change behind review, and honest signals.
	 * videos.revision numbers the clip's text (title, description, tags):
	 * an edit while pending review counts it up, so an approval names the
	 * text it saw. An edit to a published clip waits in video_revisions
	 * (tags as a JSON array of names) until a trainer approves it; the live
	 * text stays in videos. One watch session per viewer (watch_sessions):
	 * the clip playing since when, and up to when the viewer's credited
	 * seconds, across every clip, have used up wall time. */
	"ALTER TABLE videos ADD COLUMN revision INTEGER NOT NULL DEFAULT 1;"
	"CREATE TABLE video_revisions ("
	"  video_id INTEGER NOT NULL REFERENCES videos(id) ON DELETE CASCADE,"
	"  revision INTEGER NOT NULL,"
	"  title TEXT NOT NULL,"
	"  description TEXT NOT NULL,"
	"  tags TEXT NOT NULL,"
	"  state TEXT NOT NULL DEFAULT 'pending'"
	"    CHECK (state IN ('pending', 'approved', 'rejected', 'replaced')),"
	"  created_at INTEGER NOT NULL,"
	"  reviewed_by INTEGER REFERENCES users(id),"
	"  reviewed_at INTEGER,"
	"  review_reason TEXT,"
	"  PRIMARY KEY (video_id, revision)) WITHOUT ROWID;"
	"CREATE UNIQUE INDEX video_revisions_pending ON video_revisions(video_id)"
	"  WHERE state = 'pending';"
	"CREATE TABLE watch_sessions ("
	"  user_id INTEGER PRIMARY KEY REFERENCES users(id),"
	"  video_id INTEGER NOT NULL,"
	"  since_ms INTEGER NOT NULL,"
	"  spent_until_ms INTEGER NOT NULL);",

	/* 22: a password someone else set (an admin, or generated by the CSV
	 * import) must be changed by its user before anything else. Existing
	 * accounts keep theirs. */
	"ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0"
	"  CHECK (must_change_password IN (0, 1));",

	/* 23: versioned media. A clip's files live in v/<id>/<media_version>/
	 * and any change of them is a new version, so a signed URL (and a CDN's
	 * copy of it) never serves other bytes than it first did. A job writes
	 * the version it names (a first transcode 1, a new rendering the next).
	 * Replaced versions wait in media_retired until the janitor deletes
	 * their files --purge-after later. Existing clips are version 1; their
	 * files move into v/<id>/1/ at start (media_layout_upgrade). */
	"ALTER TABLE videos ADD COLUMN media_version INTEGER NOT NULL DEFAULT 1;"
	"ALTER TABLE jobs ADD COLUMN media_version INTEGER NOT NULL DEFAULT 1;"
	"CREATE TABLE media_retired ("
	"  video_id INTEGER NOT NULL REFERENCES videos(id) ON DELETE CASCADE,"
	"  version INTEGER NOT NULL,"
	"  retired_at INTEGER NOT NULL,"
	"  PRIMARY KEY (video_id, version)) WITHOUT ROWID;"
	"CREATE INDEX media_retired_at ON media_retired(retired_at);",

	/* 24: the demo's progress (src/demo/demo_progress.c), so a start that
	 * was stopped half-way is finished by the next one: the plan, the
	 * video made for each seed clip and whether the demo published it with
	 * its activity, and when the whole demo was done (then it is never
	 * touched again). No foreign key: a clip deleted later stays deleted. */
	"CREATE TABLE demo_state ("
	"  id INTEGER PRIMARY KEY CHECK (id = 1),"
	"  clips_planned INTEGER NOT NULL CHECK (clips_planned >= 0),"
	"  completed_at INTEGER);"
	"CREATE TABLE demo_clips ("
	"  seed_index INTEGER PRIMARY KEY CHECK (seed_index >= 0),"
	"  video_id INTEGER NOT NULL,"
	"  published INTEGER NOT NULL DEFAULT 0 CHECK (published IN (0, 1)));",

	/* 25: captions, the clips' audit trail and search. video_captions holds
	 * each clip's captions per language as normalised WebVTT, the source
	 * of truth every rendering serves them from (src/media/captions.c);
	 * video_caption_revs numbers a clip's captions, a number its caption
	 * URLs carry, so a change is a new URL. video_audit records who
	 * changed what of a clip (src/media/video_audit.c). The search tables
	 * (src/feed/search.c) index every clip's live text by video id: one
	 * with the trigram tokenizer (substrings of 3 characters or more, any
	 * script), one with words (porter unicode61) where Chinese is written
	 * as overlapping bigrams, so 2-character terms match; whether a clip
	 * is published is asked of videos at query time. Start-up indexes the
	 * clips not indexed yet (all of them after this migration). The cue
	 * tables hold each caption cue with its start, rowid = video id * 4096
	 * + the cue's number, so a hit in a caption says where it is. */
	"CREATE TABLE video_captions ("
	"  video_id INTEGER NOT NULL REFERENCES videos(id) ON DELETE CASCADE,"
	"  lang TEXT NOT NULL CHECK (lang IN ('zh', 'en')),"
	"  vtt TEXT NOT NULL,"
	"  cues INTEGER NOT NULL CHECK (cues > 0),"
	"  updated_at INTEGER NOT NULL,"
	"  updated_by INTEGER NOT NULL REFERENCES users(id),"
	"  PRIMARY KEY (video_id, lang)) WITHOUT ROWID;"
	"CREATE TABLE video_caption_revs ("
	"  video_id INTEGER PRIMARY KEY REFERENCES videos(id) ON DELETE CASCADE,"
	"  rev INTEGER NOT NULL CHECK (rev > 0));"
	"CREATE TABLE video_audit ("
	"  id INTEGER PRIMARY KEY,"
	"  video_id INTEGER NOT NULL REFERENCES videos(id) ON DELETE CASCADE,"
	"  at INTEGER NOT NULL,"
	"  actor_id INTEGER REFERENCES users(id),"
	"  action TEXT NOT NULL,"
	"  detail TEXT NOT NULL DEFAULT '{}');"
	"CREATE INDEX video_audit_video ON video_audit(video_id, id);"
	"CREATE VIRTUAL TABLE search_tri USING fts5(title, tags, description, captions,"
	"  tokenize = 'trigram');"
	"CREATE VIRTUAL TABLE search_words USING fts5(title, tags, description, captions,"
	"  tokenize = 'porter unicode61 remove_diacritics 2');"
	"CREATE VIRTUAL TABLE search_cue_tri USING fts5(text, start_ms UNINDEXED,"
	"  tokenize = 'trigram');"
	"CREATE VIRTUAL TABLE search_cue_words USING fts5(text, start_ms UNINDEXED,"
	"  tokenize = 'porter unicode61 remove_diacritics 2');",

	/* 26: edits of a clip's media (src/media/video_edits.c): who asked for what
	 * and when (the request as asked, on the clip as shown), what was rendered
	 * from which input (the source or, once it is gone, the top rendition) into
	 * which media version, and takedowns with their reason. A version replaced
	 * by a redaction is blocked at once: its URLs answer 404 from the request
	 * on, and the janitor deletes it as soon as it is no longer current. */
	"CREATE TABLE video_edits ("
	"  id INTEGER PRIMARY KEY,"
	"  video_id INTEGER NOT NULL REFERENCES videos(id) ON DELETE CASCADE,"
	"  user_id INTEGER NOT NULL REFERENCES users(id),"
	"  created_at INTEGER NOT NULL,"
	"  kind TEXT NOT NULL CHECK (kind IN ('edit', 'takedown')),"
	"  spec TEXT NOT NULL,"
	"  redaction INTEGER NOT NULL DEFAULT 0 CHECK (redaction IN (0, 1)),"
	"  render TEXT,"
	"  input TEXT CHECK (input IN ('source', 'rendition')),"
	"  input_path TEXT,"
	"  from_version INTEGER NOT NULL,"
	"  media_version INTEGER,"
	"  state TEXT NOT NULL CHECK (state IN ('rendering', 'done', 'failed', 'published',"
	"    'recorded')),"
	"  progress INTEGER NOT NULL DEFAULT 0,"
	"  error TEXT,"
	"  finished_at INTEGER);"
	"CREATE INDEX video_edits_video ON video_edits(video_id, id);"
	"ALTER TABLE media_retired ADD COLUMN blocked INTEGER NOT NULL DEFAULT 0"
	"  CHECK (blocked IN (0, 1));",

	/* 27: plans for 100k users, 100k clips and 5M watches (issue 18,
	 * bench/scale.sh). The boards and the unpaid-credit pass read
	 * activity by time (completions, likes, tips, ledger rows since a
	 * date) instead of every user's history; a clip's watches carry how
	 * far each viewer got, so the analytics average reads the index only;
	 * creators are found by status without visiting their clips. */
	"CREATE INDEX watches_completed ON watches(completed_at, video_id)"
	"  WHERE completed_at IS NOT NULL;"
	"DROP INDEX watches_video;"
	"CREATE INDEX watches_video ON watches(video_id, max_position);"
	"CREATE INDEX likes_created ON likes(created_at, video_id);"
	"CREATE INDEX tips_created ON tips(created_at, to_user, amount);"
	"CREATE INDEX point_transfers_created ON point_transfers(created_at, to_account,"
	"  from_account, amount);"
	"CREATE INDEX videos_status_owner ON videos(status, owner_id);",

	/* 28: the in-app inbox (src/accounts/inbox.c): what happened to a
	 * person's clips and learning, newest first per person, with the
	 * unread ones indexed apart for the badge. `detail` is a JSON object
	 * (the reason, the gift, the path and its due date, ...). */
	"CREATE TABLE inbox ("
	"  id INTEGER PRIMARY KEY,"
	"  user_id INTEGER NOT NULL REFERENCES users(id),"
	"  kind TEXT NOT NULL CHECK (kind IN ('approved', 'rejected', 'edit_approved',"
	"    'edit_rejected', 'featured', 'creator_featured', 'tip', 'assigned', 'pushed')),"
	"  video_id INTEGER REFERENCES videos(id) ON DELETE SET NULL,"
	"  actor_id INTEGER REFERENCES users(id),"
	"  detail TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(detail)),"
	"  created_at INTEGER NOT NULL,"
	"  read_at INTEGER);"
	"CREATE INDEX inbox_user ON inbox(user_id, id);"
	"CREATE INDEX inbox_unread ON inbox(user_id) WHERE read_at IS NULL;",
	/* 29: the boards' and the team report's summaries, kept as activity
	 * happens (issue 18: 500,000 completions a week cannot be summed per
	 * request). Per creator and UTC day (unix s / 86400): completions of
	 * their clips, likes of them, tip points received; per learner and
	 * day: points earned (not shop refunds) and credited seconds of the
	 * watch rows last touched that day; per learner for all time: clips
	 * started, completed, credited seconds, likes given, last activity.
	 * Triggers keep them in the statement that changes the activity, so
	 * every writer (the API, the demo, imports) is counted; filled here
	 * from history. A board sums a week's rows per person plus the raw
	 * activity of the period's first, partial day. */
	"CREATE TABLE creator_days ("
	"  day INTEGER NOT NULL, user_id INTEGER NOT NULL,"
	"  completions INTEGER NOT NULL DEFAULT 0, likes INTEGER NOT NULL DEFAULT 0,"
	"  tips INTEGER NOT NULL DEFAULT 0,"
	"  PRIMARY KEY (day, user_id)) WITHOUT ROWID;"
	"CREATE TABLE learner_days ("
	"  user_id INTEGER NOT NULL, day INTEGER NOT NULL,"
	"  points INTEGER NOT NULL DEFAULT 0, watched REAL NOT NULL DEFAULT 0,"
	"  PRIMARY KEY (user_id, day)) WITHOUT ROWID;"
	"CREATE TABLE learner_totals ("
	"  user_id INTEGER PRIMARY KEY, starts INTEGER NOT NULL DEFAULT 0,"
	"  completions INTEGER NOT NULL DEFAULT 0, watched REAL NOT NULL DEFAULT 0,"
	"  likes INTEGER NOT NULL DEFAULT 0, last_at INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX watches_last ON watches(last_at, user_id, watched);"
	"INSERT INTO creator_days(day, user_id, completions, likes, tips)"
	" SELECT day, uid, sum(c), sum(l), sum(t) FROM ("
	"  SELECT v.owner_id AS uid, w.completed_at / 86400 AS day, 1 AS c, 0 AS l, 0 AS t"
	"   FROM watches w CROSS JOIN videos v ON v.id = w.video_id"
	"   WHERE w.completed_at IS NOT NULL"
	"  UNION ALL SELECT v.owner_id, x.created_at / 86400, 0, 1, 0 FROM likes x"
	"   CROSS JOIN videos v ON v.id = x.video_id"
	"  UNION ALL SELECT to_user, created_at / 86400, 0, 0, amount FROM tips)"
	" GROUP BY day, uid;"
	"INSERT INTO learner_days(user_id, day, points, watched)"
	" SELECT uid, day, sum(p), sum(w) FROM ("
	"  SELECT user_id AS uid, last_at / 86400000 AS day, 0 AS p, watched AS w FROM watches"
	"  UNION ALL SELECT a.user_id, x.created_at / 86400, x.amount, 0 FROM point_transfers x"
	"   CROSS JOIN point_accounts a ON a.id = x.to_account"
	"   WHERE x.from_account <> 2 AND a.user_id IS NOT NULL)"
	" GROUP BY uid, day;"
	"INSERT INTO learner_totals(user_id, starts, completions, watched, last_at)"
	" SELECT user_id, count(*), count(completed_at), sum(watched), max(last_at) FROM watches"
	" GROUP BY user_id;"
	"INSERT INTO learner_totals(user_id, likes) SELECT user_id, count(*) FROM likes WHERE 1"
	" GROUP BY user_id ON CONFLICT (user_id) DO UPDATE SET likes = excluded.likes;"
	/* creator_days: +n to (owner of clip, day) */
	"CREATE TRIGGER watches_done_in AFTER INSERT ON watches WHEN NEW.completed_at IS NOT NULL"
	" BEGIN"
	"  INSERT INTO creator_days(day, user_id, completions)"
	"   SELECT NEW.completed_at / 86400, owner_id, 1 FROM videos WHERE id = NEW.video_id"
	"   ON CONFLICT DO UPDATE SET completions = completions + 1;"
	" END;"
	"CREATE TRIGGER watches_done_up AFTER UPDATE OF completed_at ON watches"
	" WHEN OLD.completed_at IS NOT NEW.completed_at BEGIN"
	"  UPDATE creator_days SET completions = completions - 1"
	"   WHERE OLD.completed_at IS NOT NULL AND day = OLD.completed_at / 86400"
	"   AND user_id = (SELECT owner_id FROM videos WHERE id = OLD.video_id);"
	"  INSERT INTO creator_days(day, user_id, completions)"
	"   SELECT NEW.completed_at / 86400, owner_id, 1 FROM videos"
	"   WHERE id = NEW.video_id AND NEW.completed_at IS NOT NULL"
	"   ON CONFLICT DO UPDATE SET completions = completions + 1;"
	" END;"
	"CREATE TRIGGER watches_done_out AFTER DELETE ON watches WHEN OLD.completed_at IS NOT NULL"
	" BEGIN"
	"  UPDATE creator_days SET completions = completions - 1"
	"   WHERE day = OLD.completed_at / 86400"
	"   AND user_id = (SELECT owner_id FROM videos WHERE id = OLD.video_id);"
	" END;"
	"CREATE TRIGGER likes_in AFTER INSERT ON likes BEGIN"
	"  INSERT INTO creator_days(day, user_id, likes)"
	"   SELECT NEW.created_at / 86400, owner_id, 1 FROM videos WHERE id = NEW.video_id"
	"   ON CONFLICT DO UPDATE SET likes = likes + 1;"
	"  INSERT INTO learner_totals(user_id, likes) VALUES (NEW.user_id, 1)"
	"   ON CONFLICT DO UPDATE SET likes = likes + 1;"
	" END;"
	"CREATE TRIGGER likes_out AFTER DELETE ON likes BEGIN"
	"  UPDATE creator_days SET likes = likes - 1 WHERE day = OLD.created_at / 86400"
	"   AND user_id = (SELECT owner_id FROM videos WHERE id = OLD.video_id);"
	"  UPDATE learner_totals SET likes = likes - 1 WHERE user_id = OLD.user_id;"
	" END;"
	"CREATE TRIGGER tips_in AFTER INSERT ON tips BEGIN"
	"  INSERT INTO creator_days(day, user_id, tips)"
	"   VALUES (NEW.created_at / 86400, NEW.to_user, NEW.amount)"
	"   ON CONFLICT DO UPDATE SET tips = tips + NEW.amount;"
	" END;"
	"CREATE TRIGGER tips_out AFTER DELETE ON tips BEGIN"
	"  UPDATE creator_days SET tips = tips - OLD.amount"
	"   WHERE day = OLD.created_at / 86400 AND user_id = OLD.to_user;"
	" END;"
	/* learner_days and learner_totals (transfers are append-only) */
	"CREATE TRIGGER point_transfers_earned AFTER INSERT ON point_transfers"
	" WHEN NEW.from_account <> 2 BEGIN"
	"  INSERT INTO learner_days(user_id, day, points)"
	"   SELECT user_id, NEW.created_at / 86400, NEW.amount FROM point_accounts"
	"   WHERE id = NEW.to_account AND user_id IS NOT NULL"
	"   ON CONFLICT DO UPDATE SET points = points + NEW.amount;"
	" END;"
	"CREATE TRIGGER watches_learner_in AFTER INSERT ON watches BEGIN"
	"  INSERT INTO learner_days(user_id, day, watched)"
	"   VALUES (NEW.user_id, NEW.last_at / 86400000, NEW.watched)"
	"   ON CONFLICT DO UPDATE SET watched = watched + NEW.watched;"
	"  INSERT INTO learner_totals(user_id, starts, completions, watched, last_at)"
	"   VALUES (NEW.user_id, 1, NEW.completed_at IS NOT NULL, NEW.watched, NEW.last_at)"
	"   ON CONFLICT DO UPDATE SET starts = starts + 1,"
	"   completions = completions + (NEW.completed_at IS NOT NULL),"
	"   watched = watched + NEW.watched, last_at = max(last_at, NEW.last_at);"
	" END;"
	"CREATE TRIGGER watches_learner_up AFTER UPDATE OF last_at, watched, completed_at ON "
	"watches"
	" BEGIN"
	"  UPDATE learner_days SET watched = watched - OLD.watched"
	"   WHERE user_id = OLD.user_id AND day = OLD.last_at / 86400000;"
	"  INSERT INTO learner_days(user_id, day, watched)"
	"   VALUES (NEW.user_id, NEW.last_at / 86400000, NEW.watched)"
	"   ON CONFLICT DO UPDATE SET watched = watched + NEW.watched;"
	"  UPDATE learner_totals SET watched = watched - OLD.watched + NEW.watched,"
	"   completions = completions - (OLD.completed_at IS NOT NULL)"
	"   + (NEW.completed_at IS NOT NULL), last_at = max(last_at, NEW.last_at)"
	"   WHERE user_id = NEW.user_id;"
	" END;"
	"CREATE TRIGGER watches_learner_out AFTER DELETE ON watches BEGIN"
	"  UPDATE learner_days SET watched = watched - OLD.watched"
	"   WHERE user_id = OLD.user_id AND day = OLD.last_at / 86400000;"
	"  UPDATE learner_totals SET starts = starts - 1, watched = watched - OLD.watched,"
	"   completions = completions - (OLD.completed_at IS NOT NULL) WHERE user_id = OLD.user_id;"
	" END;",
	/* 30: who is active per team, from an index alone: the team report and
	 * the teams list counted members by reading every user row (240 ms at
	 * 100k users; 5 ms from this index) */
	"CREATE INDEX users_team_active ON users(team_id, active);"
	"DROP INDEX users_team;",
	/* 31: the people list's orders as index walks (issue 18): learner_totals
	 * gets a row for every user, kept by a trigger, and an index per sort
	 * key; users one by creation */
	"INSERT INTO learner_totals(user_id) SELECT id FROM users WHERE 1"
	" ON CONFLICT (user_id) DO NOTHING;"
	"CREATE TRIGGER users_learner_totals AFTER INSERT ON users BEGIN"
	"  INSERT INTO learner_totals(user_id) VALUES (NEW.id) ON CONFLICT DO NOTHING;"
	" END;"
	"CREATE INDEX learner_totals_starts ON learner_totals(starts);"
	"CREATE INDEX learner_totals_completions ON learner_totals(completions);"
	"CREATE INDEX learner_totals_rate ON learner_totals(completions * 1.0 / max(starts, 1));"
	"CREATE INDEX learner_totals_likes ON learner_totals(likes);"
	"CREATE INDEX users_created ON users(created_at);",
	/* 32: data in the UI language (issue 16): gifts, shop items, teams and
	 * positions carry an English label and a Chinese one beside their name,
	 * like tags (gifts had the English one). For shop items, teams and
	 * positions an empty English label means "the name", so a rename shows.
	 * A position is still the text users.position holds; the positions
	 * table names each one, filled from the users and kept so by triggers
	 * (a new text adds a row; renaming a position renames it on its users). */
	"ALTER TABLE gifts ADD COLUMN label_zh TEXT;"
	"ALTER TABLE shop_items ADD COLUMN label TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE shop_items ADD COLUMN label_zh TEXT;"
	"ALTER TABLE teams ADD COLUMN label TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE teams ADD COLUMN label_zh TEXT;"
	"CREATE TABLE positions ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE,"
	"  label TEXT NOT NULL DEFAULT '',"
	"  label_zh TEXT);"
	"INSERT INTO positions(name) SELECT DISTINCT position FROM users"
	" WHERE position <> '' ORDER BY position;"
	"CREATE TRIGGER users_position_in AFTER INSERT ON users WHEN NEW.position <> '' BEGIN"
	"  INSERT INTO positions(name) VALUES (NEW.position) ON CONFLICT DO NOTHING;"
	" END;"
	"CREATE TRIGGER users_position_up AFTER UPDATE OF position ON users"
	" WHEN NEW.position <> '' BEGIN"
	"  INSERT INTO positions(name) VALUES (NEW.position) ON CONFLICT DO NOTHING;"
	" END;"
	"CREATE TRIGGER positions_rename AFTER UPDATE OF name ON positions"
	" WHEN NEW.name <> OLD.name BEGIN"
	"  UPDATE users SET position = NEW.name WHERE position = OLD.name;"
	" END;",
	/* 33: the learners board as an index walk (issue 18): per person, the
	 * points and seconds of the whole UTC days of a week and of a month
	 * (those from `day` - 6 and `day` - 29 on), of all time, and the
	 * latest check-in's streak. Triggers keep them with learner_days and
	 * checkins; the server moves every row's `day` to today after midnight
	 * (learner_windows_day holds the day all rows are at, and the day a
	 * new row starts at). Summing a week of learner_days per person took
	 * 450 ms at 100k people. */
	"CREATE TABLE learner_windows_day (one INTEGER PRIMARY KEY CHECK (one = 1),"
	"  day INTEGER NOT NULL);"
	"INSERT INTO learner_windows_day VALUES (1, unixepoch() / 86400);"
	"CREATE TABLE learner_windows ("
	"  user_id INTEGER PRIMARY KEY, day INTEGER NOT NULL,"
	"  week_points INTEGER NOT NULL DEFAULT 0, week_watched REAL NOT NULL DEFAULT 0,"
	"  month_points INTEGER NOT NULL DEFAULT 0, month_watched REAL NOT NULL DEFAULT 0,"
	"  all_points INTEGER NOT NULL DEFAULT 0, all_watched REAL NOT NULL DEFAULT 0,"
	"  streak INTEGER NOT NULL DEFAULT 0, streak_day TEXT NOT NULL DEFAULT '');"
	"INSERT INTO learner_windows(user_id, day, week_points, week_watched, month_points,"
	"  month_watched, all_points, all_watched)"
	" SELECT d.user_id, w.day, coalesce(sum(d.points) FILTER (WHERE d.day >= w.day - 6), 0),"
	"  total(d.watched) FILTER (WHERE d.day >= w.day - 6),"
	"  coalesce(sum(d.points) FILTER (WHERE d.day >= w.day - 29), 0),"
	"  total(d.watched) FILTER (WHERE d.day >= w.day - 29), sum(d.points), total(d.watched)"
	" FROM learner_days d CROSS JOIN learner_windows_day w GROUP BY d.user_id;"
	"INSERT INTO learner_windows(user_id, day, streak, streak_day)"
	" SELECT c.user_id, w.day, c.streak, c.day FROM checkins c CROSS JOIN learner_windows_day w"
	" WHERE c.day = (SELECT max(x.day) FROM checkins x WHERE x.user_id = c.user_id)"
	" ON CONFLICT (user_id) DO UPDATE SET streak = excluded.streak,"
	"  streak_day = excluded.streak_day;"
	/* NEW's day counts in a window when it is within it */
	"CREATE TRIGGER learner_days_windows_in AFTER INSERT ON learner_days BEGIN"
	"  INSERT INTO learner_windows(user_id, day, week_points, week_watched, month_points,"
	"   month_watched, all_points, all_watched)"
	"   SELECT NEW.user_id, w.day, (NEW.day >= w.day - 6) * NEW.points,"
	"    (NEW.day >= w.day - 6) * NEW.watched, (NEW.day >= w.day - 29) * NEW.points,"
	"    (NEW.day >= w.day - 29) * NEW.watched, NEW.points, NEW.watched"
	"   FROM learner_windows_day w WHERE 1"
	"   ON CONFLICT (user_id) DO UPDATE SET"
	"    week_points = week_points + (NEW.day >= day - 6) * NEW.points,"
	"    week_watched = week_watched + (NEW.day >= day - 6) * NEW.watched,"
	"    month_points = month_points + (NEW.day >= day - 29) * NEW.points,"
	"    month_watched = month_watched + (NEW.day >= day - 29) * NEW.watched,"
	"    all_points = all_points + NEW.points, all_watched = all_watched + NEW.watched;"
	" END;"
	"CREATE TRIGGER learner_days_windows_up AFTER UPDATE ON learner_days BEGIN"
	"  UPDATE learner_windows SET"
	"   week_points = week_points + (NEW.day >= day - 6) * NEW.points"
	"    - (OLD.day >= day - 6) * OLD.points,"
	"   week_watched = week_watched + (NEW.day >= day - 6) * NEW.watched"
	"    - (OLD.day >= day - 6) * OLD.watched,"
	"   month_points = month_points + (NEW.day >= day - 29) * NEW.points"
	"    - (OLD.day >= day - 29) * OLD.points,"
	"   month_watched = month_watched + (NEW.day >= day - 29) * NEW.watched"
	"    - (OLD.day >= day - 29) * OLD.watched,"
	"   all_points = all_points + NEW.points - OLD.points,"
	"   all_watched = all_watched + NEW.watched - OLD.watched"
	"   WHERE user_id = NEW.user_id;"
	" END;"
	"CREATE TRIGGER learner_days_windows_out AFTER DELETE ON learner_days BEGIN"
	"  UPDATE learner_windows SET"
	"   week_points = week_points - (OLD.day >= day - 6) * OLD.points,"
	"   week_watched = week_watched - (OLD.day >= day - 6) * OLD.watched,"
	"   month_points = month_points - (OLD.day >= day - 29) * OLD.points,"
	"   month_watched = month_watched - (OLD.day >= day - 29) * OLD.watched,"
	"   all_points = all_points - OLD.points, all_watched = all_watched - OLD.watched"
	"   WHERE user_id = OLD.user_id;"
	" END;"
	"CREATE TRIGGER checkins_windows AFTER INSERT ON checkins BEGIN"
	"  INSERT INTO learner_windows(user_id, day, streak, streak_day)"
	"   SELECT NEW.user_id, w.day, NEW.streak, NEW.day FROM learner_windows_day w WHERE 1"
	"   ON CONFLICT (user_id) DO UPDATE SET streak = excluded.streak,"
	"    streak_day = excluded.streak_day WHERE excluded.streak_day >= streak_day;"
	" END;"
	/* with the rowid, each orders as the board does: key descending, then id */
	"CREATE INDEX learner_windows_week_points ON learner_windows(week_points DESC);"
	"CREATE INDEX learner_windows_week_watched ON learner_windows(week_watched DESC);"
	"CREATE INDEX learner_windows_month_points ON learner_windows(month_points DESC);"
	"CREATE INDEX learner_windows_month_watched ON learner_windows(month_watched DESC);"
	"CREATE INDEX learner_windows_all_points ON learner_windows(all_points DESC);"
	"CREATE INDEX learner_windows_all_watched ON learner_windows(all_watched DESC);"
	"CREATE INDEX learner_windows_streak ON learner_windows(streak DESC);",
};

const size_t schema_migration_count = sizeof schema_migrations / sizeof schema_migrations[0];
