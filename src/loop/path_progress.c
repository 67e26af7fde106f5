/* Each agent's progress on their learning paths, derived from watches and
 * quiz answers: a step is done when its clip is finished and, for a gated
 * step, its quiz passed. See include/casereel/paths.h. */
#include "casereel/paths.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "casereel/clock.h"
#include "casereel/store.h"

struct step_status {
	int64_t video_id;
	bool gate, watched, passed;
	int64_t done_at; /* unix seconds; 0 = not done */
};

/* A gate passes on first answers that were all right, or on a retake. */
static void judge_step(struct step_status *s, sqlite3_stmt *st)
{
	int64_t completed = sqlite3_column_int64(st, 3);
	int64_t questions = sqlite3_column_int64(st, 4), right = sqlite3_column_int64(st, 5);
	int64_t answered_at = sqlite3_column_int64(st, 6), retake_at = sqlite3_column_int64(st, 7);
	s->video_id = sqlite3_column_int64(st, 1);
	s->gate = sqlite3_column_int(st, 2);
	s->watched = sqlite3_column_type(st, 3) != SQLITE_NULL;
	int64_t passed_at = 0;
	if (!s->gate || questions == 0)
		s->passed = true;
	else if (right == questions)
		s->passed = true, passed_at = answered_at;
	else if (retake_at)
		s->passed = true, passed_at = retake_at;
	if (s->watched && s->passed)
		s->done_at = completed > passed_at ? completed : passed_at;
}

/* The steps of `path_id` as `user_id` stands on them, in order. */
static cr_err read_steps(int64_t path_id, int64_t user_id, struct step_status *out, size_t *n)
{
	sqlite3_stmt *st = store_stmt(
		"SELECT s.position, s.video_id, s.quiz_gate, w.completed_at,"
		" (SELECT count(*) FROM quiz_questions q WHERE q.video_id = s.video_id"
		"   AND q.active = 1),"
		" (SELECT count(*) FROM quiz_questions q JOIN quiz_answers a ON a.question_id = "
		"q.id"
		"   AND a.user_id = ?2 AND a.correct = 1 WHERE q.video_id = s.video_id AND "
		"q.active = 1),"
		" (SELECT max(a.created_at) FROM quiz_questions q JOIN quiz_answers a"
		"   ON a.question_id = q.id AND a.user_id = ?2 WHERE q.video_id = s.video_id"
		"   AND q.active = 1),"
		" (SELECT min(g.attempted_at) / 1000 FROM quiz_gate_attempts g WHERE g.user_id = ?2"
		"   AND g.video_id = s.video_id AND g.passed = 1)"
		" FROM path_steps s LEFT JOIN watches w ON w.user_id = ?2 AND w.video_id = "
		"s.video_id"
		" WHERE s.path_id = ?1 ORDER BY s.position");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, path_id);
	sqlite3_bind_int64(st, 2, user_id);
	int rc = SQLITE_DONE;
	*n = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < PATHS_MAX_STEPS) {
		out[*n] = (struct step_status){0};
		judge_step(&out[(*n)++], st);
	}
	store_done(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? CR_OK : store_error(rc, "path progress");
}

static void summarise(const struct step_status *steps, size_t n, struct path_progress *p)
{
	*p = (struct path_progress){.steps = n};
	int64_t last = 0;
	for (size_t i = 0; i < n; i++) {
		if (steps[i].done_at) {
			p->done++;
			last = steps[i].done_at > last ? steps[i].done_at : last;
		} else if (!p->next_position) {
			p->next_position = i + 1;
			p->next_video_id = steps[i].video_id;
			p->next_needs_quiz = steps[i].watched && !steps[i].passed;
		}
	}
	p->completed_at = n && p->done == n ? last : 0;
}

cr_err paths_progress(int64_t path_id, int64_t user_id, struct path_progress *out)
{
	if (!store_exists("SELECT 1 FROM paths WHERE id = ?1", path_id, 0))
		return CR_ENOTFOUND;
	struct step_status steps[PATHS_MAX_STEPS];
	size_t n;
	cr_err e = read_steps(path_id, user_id, steps, &n);
	if (!e)
		summarise(steps, n, out);
	return e;
}

/* Whether a path may still have something to do for user ?1: a step whose
 * clip is unfinished, or a gated step (judged in C). */
#define MAYBE_OPEN                                                                                 \
	"EXISTS (SELECT 1 FROM path_steps s LEFT JOIN watches w ON w.user_id = ?1"                 \
	" AND w.video_id = s.video_id WHERE s.path_id = a.path_id"                                 \
	" AND (s.quiz_gate = 1 OR w.completed_at IS NULL))"

/* The live paths assigned to the agent, one row per path (its most urgent
 * assignment's due date and note when assigned twice): those that may be
 * open first, then earliest due, undated last. ?3: one-clip paths too
 * (while their clip is published); ?4: only those that may be open. */
static sqlite3_stmt *mine_query(int64_t user_id, int64_t team_id, bool with_clips, bool open_only,
				size_t max)
{
	sqlite3_stmt *st = store_stmt(
		"SELECT a.path_id, p.kind = 'clip', CASE p.kind WHEN 'clip' THEN"
		"  (SELECT v.title FROM path_steps s JOIN videos v ON v.id = s.video_id"
		"   WHERE s.path_id = p.id ORDER BY s.position LIMIT 1) ELSE p.name END,"
		" coalesce(min(a.due_at), 0), max(a.source = 'rule'),"
		" (SELECT b.note FROM path_assignments b WHERE b.path_id = a.path_id"
		"   AND b.removed_at IS NULL AND (b.user_id = ?1 OR b.team_id = ?2)"
		"   ORDER BY b.due_at IS NULL, b.due_at, b.id LIMIT 1),"
		" " MAYBE_OPEN " FROM path_assignments a JOIN paths p ON p.id = a.path_id"
		" WHERE a.removed_at IS NULL AND p.archived_at IS NULL"
		" AND (a.user_id = ?1 OR a.team_id = ?2) AND (?3 OR p.kind = 'series')"
		" AND (p.kind = 'series' OR EXISTS (SELECT 1 FROM path_steps s JOIN videos v"
		"   ON v.id = s.video_id WHERE s.path_id = p.id AND v.status = 'published'"
		"   AND v.owner_id <> ?1))" /* nobody must watch their own clip */
		" AND (NOT ?4 OR " MAYBE_OPEN ") GROUP BY a.path_id"
		" ORDER BY 7 DESC, min(a.due_at) IS NULL, min(a.due_at), a.path_id LIMIT ?5");
	if (st) {
		sqlite3_bind_int64(st, 1, user_id);
		sqlite3_bind_int64(st, 2, team_id);
		sqlite3_bind_int(st, 3, with_clips);
		sqlite3_bind_int(st, 4, open_only);
		sqlite3_bind_int64(st, 5, (int64_t)max);
	}
	return st;
}

/* The mine_query rows, copied so that reading each path's steps can use
 * the statement cache. */
struct mine_row {
	int64_t path_id, due_at;
	bool clip, by_rule;
	char *title, *note;
};

static void mine_rows_free(struct mine_row **rows, size_t n)
{
	for (size_t i = 0; *rows && i < n; i++) {
		free((*rows)[i].title);
		free((*rows)[i].note);
	}
	free(*rows);
	*rows = NULL;
}

/* Up to PATHS_MINE_MAX rows into a new *rows (mine_rows_free it), *n. */
static cr_err mine_rows(int64_t user_id, int64_t team_id, bool with_clips, bool open_only,
			struct mine_row **rows, size_t *n)
{
	*n = 0;
	*rows = calloc(PATHS_MINE_MAX, sizeof **rows);
	sqlite3_stmt *st =
		*rows ? mine_query(user_id, team_id, with_clips, open_only, PATHS_MINE_MAX) : NULL;
	if (!st)
		return *rows ? CR_EDB : CR_ENOMEM;
	int rc = SQLITE_DONE;
	bool ok = true;
	while (ok && *n < PATHS_MINE_MAX && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct mine_row *r = &(*rows)[(*n)++];
		const char *title = (const char *)sqlite3_column_text(st, 2);
		const char *note = (const char *)sqlite3_column_text(st, 5);
		*r = (struct mine_row){.path_id = sqlite3_column_int64(st, 0),
				       .clip = sqlite3_column_int(st, 1),
				       .due_at = sqlite3_column_int64(st, 3),
				       .by_rule = sqlite3_column_int(st, 4),
				       .title = strdup(title ? title : ""),
				       .note = strdup(note ? note : "")};
		ok = r->title && r->note;
	}
	store_done(st);
	if (!ok)
		return CR_ENOMEM;
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? CR_OK : store_error(rc, "my paths");
}

static json_t *steps_json(const struct step_status *steps, size_t n)
{
	json_t *arr = json_array();
	for (size_t i = 0; arr && i < n; i++)
		json_array_append_new(arr, json_pack("{s:I, s:I, s:b, s:b, s:b, s:b}", "position",
						     (json_int_t)i + 1, "video_id",
						     (json_int_t)steps[i].video_id, "quiz_gate",
						     steps[i].gate, "watched", steps[i].watched,
						     "quiz_passed", steps[i].passed, "done",
						     steps[i].done_at != 0));
	return arr;
}

static json_t *title_json(sqlite3_stmt *st)
{
	return store_column_text_json(st, 0);
}

/* {video_id, position, title, needs_quiz} of the next step, or null. */
static json_t *next_json(const struct mine_row *r, const struct path_progress *p)
{
	json_t *title = NULL;
	if (!p->next_video_id)
		return json_null();
	if (r->clip)
		title = json_string(r->title);
	else if (store_row_json("SELECT title FROM videos WHERE id = ?1", p->next_video_id,
				title_json, "step title", &title))
		title = json_null();
	return json_pack("{s:I, s:I, s:o, s:b}", "video_id", (json_int_t)p->next_video_id,
			 "position", (json_int_t)p->next_position, "title", title, "needs_quiz",
			 p->next_needs_quiz);
}

static const char *state_of(const struct step_status *steps, size_t n,
			    const struct path_progress *p)
{
	if (p->completed_at)
		return "complete";
	for (size_t i = 0; i < n; i++)
		if (steps[i].watched || steps[i].done_at)
			return "in_progress";
	return "not_started";
}

/* One item of paths_mine_json. */
static json_t *mine_item(const struct mine_row *r, const struct step_status *steps, size_t n,
			 const struct path_progress *p, int64_t now)
{
	json_t *item = json_pack("{s:I, s:s, s:s, s:s, s:s, s:o, s:b, s:s, s:s}", "path_id",
				 (json_int_t)r->path_id, "kind", r->clip ? "clip" : "series",
				 "title", r->title, "name", r->title, "note", r->note, "due_at",
				 r->due_at ? json_integer(r->due_at) : json_null(), "overdue",
				 r->due_at && r->due_at < now && !p->completed_at, "source",
				 r->by_rule ? "rule" : "trainer", "state", state_of(steps, n, p));
	json_t *more = json_pack("{s:I, s:I, s:o, s:I, s:b, s:o, s:o}", "steps_done",
				 (json_int_t)p->done, "step_count", (json_int_t)p->steps, "next",
				 next_json(r, p), "next_position", (json_int_t)p->next_position,
				 "next_needs_quiz", p->next_needs_quiz, "completed_at",
				 p->completed_at ? json_integer(p->completed_at) : json_null(),
				 "steps", steps_json(steps, n));
	if (!item || !more || json_object_update(item, more)) {
		json_decref(item);
		item = NULL;
	}
	json_decref(more);
	return item;
}

cr_err paths_mine_json(int64_t user_id, int64_t team_id, bool with_clips, json_t **out)
{
	struct mine_row *rows = NULL;
	struct step_status steps[PATHS_MAX_STEPS];
	size_t n = 0, nsteps;
	cr_err e = mine_rows(user_id, team_id, with_clips, false, &rows, &n);
	json_t *open = e ? NULL : json_array(), *done = e ? NULL : json_array();
	int64_t now = cr_now();
	if (!e && (!open || !done))
		e = CR_ENOMEM;
	for (size_t i = 0; !e && i < n; i++) {
		struct path_progress p;
		e = read_steps(rows[i].path_id, user_id, steps, &nsteps);
		if (e)
			break;
		summarise(steps, nsteps, &p);
		json_t *item = mine_item(&rows[i], steps, nsteps, &p, now);
		/* the rows come by due date: unfinished ones keep that order, and
		 * the overdue among them, due earliest, lead */
		if (!item || json_array_append_new(p.completed_at ? done : open, item))
			e = CR_ENOMEM;
	}
	mine_rows_free(&rows, n);
	if (!e && json_array_extend(open, done))
		e = CR_ENOMEM;
	json_decref(done);
	*out = e ? NULL : open;
	if (e)
		json_decref(open);
	return e;
}

cr_err paths_next_steps(int64_t user_id, int64_t team_id, struct path_next *next, size_t max,
			size_t *n)
{
	struct mine_row *rows = NULL;
	struct step_status steps[PATHS_MAX_STEPS];
	size_t nrows = 0, nsteps;
	*n = 0;
	cr_err e = mine_rows(user_id, team_id, true, true, &rows, &nrows);
	for (size_t i = 0; !e && i < nrows && *n < max; i++) {
		struct path_progress p;
		e = read_steps(rows[i].path_id, user_id, steps, &nsteps);
		if (e)
			break;
		summarise(steps, nsteps, &p);
		if (p.next_video_id)
			next[(*n)++] = (struct path_next){.path_id = rows[i].path_id,
							  .video_id = p.next_video_id,
							  .position = p.next_position,
							  .steps = p.steps,
							  .due_at = rows[i].due_at,
							  .clip = rows[i].clip};
	}
	mine_rows_free(&rows, nrows);
	return e;
}
