/* Watch state and cheating checks. See include/casereel/watch.h. */
#include "casereel/watch.h"

#include <stdbool.h>
#include <stdio.h>

#include "casereel/catalog.h"
#include "casereel/store.h"
#include "casereel/videos.h"

struct watch_row {
	bool exists;
	int64_t first_at, started_at, last_at;
	double position, max_position, watched, session_watched;
	bool completed;
};

/* The viewer's one watch session: the clip playing and since when, and the
 * time up to which the viewer's credited seconds, over every clip, have used
 * up wall time (at WATCH_MAX_RATE): credit is bounded by wall time across
 * clips, so hopping between clips earns no fresh slack. */
struct session {
	bool exists;
	int64_t video_id, since_ms, spent_until_ms;
};

/* What an event is measured against: the clip's length and its creator. */
struct clip_facts {
	double duration;
	int64_t owner_id;
};

static cr_err load(int64_t video_id, int64_t user_id, struct clip_facts *clip, struct watch_row *w)
{
	sqlite3_stmt *st = store_stmt(
		"SELECT v.duration, w.started_at, w.last_at, w.position, w.max_position, w.watched,"
		" w.session_watched, w.completed_at IS NOT NULL, w.user_id IS NOT NULL, w.first_at,"
		" v.owner_id FROM videos v"
		" LEFT JOIN watches w ON w.video_id = v.id AND w.user_id = ?2"
		" WHERE v.id = ?1 AND v.status = " VIDEO_SQL_PUBLISHED);
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, video_id);
	sqlite3_bind_int64(st, 2, user_id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		clip->duration = sqlite3_column_double(st, 0);
		w->started_at = sqlite3_column_int64(st, 1);
		w->last_at = sqlite3_column_int64(st, 2);
		w->position = sqlite3_column_double(st, 3);
		w->max_position = sqlite3_column_double(st, 4);
		w->watched = sqlite3_column_double(st, 5);
		w->session_watched = sqlite3_column_double(st, 6);
		w->completed = sqlite3_column_int(st, 7);
		w->exists = sqlite3_column_int(st, 8);
		w->first_at = sqlite3_column_int64(st, 9);
		clip->owner_id = sqlite3_column_int64(st, 10);
	}
	store_done(st);
	if (rc == SQLITE_DONE)
		return CR_ENOTFOUND;
	return rc == SQLITE_ROW ? CR_OK : store_error(rc, "load watch");
}

static cr_err load_session(int64_t user_id, struct session *s)
{
	sqlite3_stmt *st = store_stmt("SELECT video_id, since_ms, spent_until_ms FROM"
				      " watch_sessions WHERE user_id = ?1");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, user_id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*s = (struct session){true, sqlite3_column_int64(st, 0),
				      sqlite3_column_int64(st, 1), sqlite3_column_int64(st, 2)};
	store_done(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? CR_OK : store_error(rc, "watch session");
}

static cr_err save_session(int64_t user_id, const struct session *s)
{
	sqlite3_stmt *st = store_stmt(
		"INSERT INTO watch_sessions(user_id, video_id, since_ms, spent_until_ms)"
		" VALUES (?1, ?2, ?3, ?4) ON CONFLICT (user_id) DO UPDATE SET video_id = ?2,"
		" since_ms = ?3, spent_until_ms = ?4");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, user_id);
	sqlite3_bind_int64(st, 2, s->video_id);
	sqlite3_bind_int64(st, 3, s->since_ms);
	sqlite3_bind_int64(st, 4, s->spent_until_ms);
	return store_run(st, "save watch session");
}

/* Seconds of video one can have watched in the time since from_ms. */
static double watchable(int64_t from_ms, int64_t now_ms)
{
	return (double)(now_ms - from_ms) / 1000.0 * WATCH_MAX_RATE + WATCH_SLACK_SECONDS;
}

/* Checks and credits a progress event at `until_ms` (now, or when another
 * start ended this clip's session); CR_EINVAL with `why` when impossible:
 * more video than time allows since the last event, since this session's
 * start, since the viewer first started the clip (so starting again and
 * again earns no fresh slack), or since the viewer's credit over every clip
 * last used up wall time. */
static cr_err advance(struct watch_row *w, struct session *s, double position, int64_t until_ms,
		      bool ended, double *credit, struct cr_problem *why)
{
	double since_last = (double)(until_ms - w->last_at) / 1000.0;
	double step_s = position - w->position;
	int64_t from = s->spent_until_ms > w->started_at ? s->spent_until_ms : w->started_at;
	*credit = step_s > 0 ? step_s : 0;
	if (step_s > watchable(w->last_at, until_ms) ||
	    w->session_watched + *credit > watchable(w->started_at, until_ms) ||
	    w->watched + *credit > watchable(w->first_at, until_ms) ||
	    *credit > watchable(from, until_ms)) {
		if (ended)
			return cr_refuse(why, CR_EINVAL, "invalid-field", "position",
					 "another clip was started: this one earns no more "
					 "watching time until it is started again");
		return cr_refuse(
			why, CR_EINVAL, "invalid-field", "position",
			"impossible progress: %.1f s of video in %.1f s; send a seek event "
			"after seeking",
			step_s, since_last);
	}
	w->watched += *credit;
	w->session_watched += *credit;
	if (*credit > 0)
		s->spent_until_ms = from + (int64_t)(*credit * 1000.0 / WATCH_MAX_RATE);
	return CR_OK;
}

/* The viewer's own row: position, credited time, sessions, completion. */
static cr_err save_watch(int64_t video_id, int64_t user_id, const struct watch_row *w, bool start,
			 bool newly_completed, int64_t now_ms)
{
	sqlite3_stmt *st = store_stmt(
		"INSERT INTO watches(user_id, video_id, started_at, last_at, position, "
		"max_position,"
		" watched, session_watched, starts, completed_at, first_at) VALUES (?1, ?2, ?3, "
		"?4, ?5,"
		" ?6, ?7, ?8, ?9, CASE WHEN ?10 THEN ?4 / 1000 END, ?3)"
		" ON CONFLICT (user_id, video_id) DO UPDATE SET started_at = ?3, last_at = ?4,"
		" position = ?5, max_position = ?6, watched = ?7, session_watched = ?8,"
		" starts = starts + ?9, completed_at = COALESCE(completed_at, CASE WHEN ?10 THEN "
		"?4 / 1000 END)");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, user_id);
	sqlite3_bind_int64(st, 2, video_id);
	sqlite3_bind_int64(st, 3, w->started_at);
	sqlite3_bind_int64(st, 4, now_ms);
	sqlite3_bind_double(st, 5, w->position);
	sqlite3_bind_double(st, 6, w->max_position);
	sqlite3_bind_double(st, 7, w->watched);
	sqlite3_bind_double(st, 8, w->session_watched);
	sqlite3_bind_int(st, 9, start);
	sqlite3_bind_int(st, 10, newly_completed);
	return store_run(st, "save watch");
}

/* The clip's counters. Its starts and completions are the ranker's quality
 * signal, so they count people: a viewer's first start and first
 * completion. Watch time counts every credited second. */
static cr_err count_watch(int64_t video_id, bool first_start, bool first_completion, double credit)
{
	sqlite3_stmt *st = store_stmt("UPDATE videos SET starts = starts + ?2,"
				      " completions = completions + ?3,"
				      " watch_seconds = watch_seconds + ?4 WHERE id = ?1");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, video_id);
	sqlite3_bind_int(st, 2, first_start);
	sqlite3_bind_int(st, 3, first_completion);
	sqlite3_bind_double(st, 4, credit);
	return store_run(st, "count watch");
}

cr_err watch_apply(int64_t video_id, int64_t user_id, enum watch_event ev, double position,
		   int64_t now_ms, json_t **out, struct cr_problem *why)
{
	double credit = 0;
	struct clip_facts clip = {0};
	struct watch_row w = {0};
	struct session sess = {0};
	cr_err e = store_begin();
	if (!e)
		e = load(video_id, user_id, &clip, &w);
	if (!e)
		e = load_session(user_id, &sess);
	if (!e && !sess.exists) /* a watch begun before sessions were kept */
		sess = (struct session){true, video_id, w.started_at, 0};
	/* credit never puts the budget more than the slack ahead of the clock;
	 * further ahead, the clock was set back (or the demo writes history):
	 * the budget starts again from now */
	if (sess.spent_until_ms > now_ms + (int64_t)(WATCH_SLACK_SECONDS * 1000 / WATCH_MAX_RATE))
		sess.spent_until_ms = now_ms;
	if (!e && (position < 0 || position > clip.duration + 1))
		e = cr_refuse(why, CR_EINVAL, "invalid-field", "position",
			      "position must be between 0 and the clip's %.1f s", clip.duration);
	if (!e && ev != WATCH_START && !w.exists)
		e = cr_refuse(why, CR_EINVAL, "invalid-field", "position",
			      "send a start event first");
	/* one session per viewer: a start ends the one before, whose clip
	 * earns only up to then */
	bool ended = sess.video_id != video_id;
	if (!e && ev == WATCH_START) {
		w.started_at = w.last_at = now_ms;
		w.session_watched = 0;
		sess.video_id = video_id;
		sess.since_ms = now_ms;
	} else if (!e && (ev == WATCH_PROGRESS || ev == WATCH_END)) {
		e = advance(&w, &sess, position,
			    ended && sess.since_ms < now_ms ? sess.since_ms : now_ms, ended,
			    &credit, why);
	}
	bool newly = false;
	if (!e) {
		w.position = position;
		if (position > w.max_position)
			w.max_position = position;
		newly = !w.completed && clip.duration > 0 &&
			w.watched >= WATCH_COMPLETE * clip.duration &&
			w.max_position >= WATCH_COMPLETE * clip.duration;
		e = save_watch(video_id, user_id, &w, ev == WATCH_START, newly, now_ms);
	}
	if (!e)
		e = save_session(user_id, &sess);
	bool counted = clip.owner_id != user_id; /* a creator's own plays are no signal */
	bool first_start = counted && ev == WATCH_START && !w.exists;
	if (!e)
		e = count_watch(video_id, first_start, counted && newly, credit);
	e = store_end(e);
	if (!e && first_start)
		catalog_count(video_id, CATALOG_STARTS, 1);
	if (!e && counted && newly)
		catalog_count(video_id, CATALOG_COMPLETIONS, 1);
	if (!e)
		*out = json_pack("{s:f, s:f, s:f, s:b, s:b}", "position", w.position,
				 "max_position", w.max_position, "watched", w.watched, "completed",
				 w.completed || newly, "newly_completed", newly);
	return e;
}
