/* Each agent's progress on their learning paths, derived from watches and
 * quiz answers: a step is done when its clip is finished and, for a gated
 * step, its quiz passed. See include/casereel/paths.h. */
#include "casereel/paths.h"

#include <stdio.h>
#include <stdlib.h>
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

/* The live paths assigned to the agent, one row per path (its earliest due
 * date when assigned twice), earliest due first. */
static sqlite3_stmt *mine_query(int64_t user_id, int64_t team_id)
{
	sqlite3_stmt *st = store_stmt(
		"SELECT a.path_id, p.name, min(coalesce(a.due_at, 0)), max(a.source = 'rule'),"
		" (SELECT count(*) FROM path_steps s WHERE s.path_id = a.path_id)"
		" FROM path_assignments a JOIN paths p ON p.id = a.path_id"
		" WHERE a.removed_at IS NULL AND p.archived_at IS NULL"
		" AND (a.user_id = ?1 OR a.team_id = ?2) GROUP BY a.path_id"
		" ORDER BY min(coalesce(a.due_at, 9000000000000)), a.path_id");
	if (st) {
		sqlite3_bind_int64(st, 1, user_id);
		sqlite3_bind_int64(st, 2, team_id);
	}
	return st;
}

/* The mine_query rows as (path id, due) pairs, copied so that reading each
 * path's steps can use the statement cache. */
struct mine_row {
	int64_t path_id, due_at;
	bool by_rule;
	char name[PATHS_NAME_MAX * 4 + 1];
};

static cr_err mine_rows(int64_t user_id, int64_t team_id, struct mine_row *rows, size_t max,
			size_t *n)
{
	sqlite3_stmt *st = mine_query(user_id, team_id);
	if (!st)
		return CR_EDB;
	int rc = SQLITE_DONE;
	*n = 0;
	while (*n < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct mine_row *r = &rows[(*n)++];
		r->path_id = sqlite3_column_int64(st, 0);
		snprintf(r->name, sizeof r->name, "%s", (const char *)sqlite3_column_text(st, 1));
		r->due_at = sqlite3_column_int64(st, 2);
		r->by_rule = sqlite3_column_int(st, 3);
	}
	store_done(st);
	return *n == max || rc == SQLITE_DONE ? CR_OK : store_error(rc, "my paths");
}

#define MINE_MAX 32

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

cr_err paths_mine_json(int64_t user_id, int64_t team_id, json_t **out)
{
	struct mine_row *rows = malloc(MINE_MAX * sizeof *rows);
	struct step_status steps[PATHS_MAX_STEPS];
	size_t n = 0, nsteps;
	cr_err e = rows ? mine_rows(user_id, team_id, rows, MINE_MAX, &n) : CR_ENOMEM;
	*out = e ? NULL : json_array();
	int64_t now = cr_now();
	for (size_t i = 0; !e && *out && i < n; i++) {
		struct path_progress p;
		e = read_steps(rows[i].path_id, user_id, steps, &nsteps);
		if (e)
			break;
		summarise(steps, nsteps, &p);
		json_array_append_new(
			*out,
			json_pack("{s:I, s:s, s:o, s:b, s:s, s:I, s:I, s:I, s:b, s:o, s:o}",
				  "path_id", (json_int_t)rows[i].path_id, "name", rows[i].name,
				  "due_at",
				  rows[i].due_at ? json_integer(rows[i].due_at) : json_null(),
				  "overdue",
				  rows[i].due_at && rows[i].due_at < now && !p.completed_at,
				  "source", rows[i].by_rule ? "rule" : "trainer", "steps_done",
				  (json_int_t)p.done, "step_count", (json_int_t)p.steps,
				  "next_position", (json_int_t)p.next_position, "next_needs_quiz",
				  p.next_needs_quiz, "completed_at",
				  p.completed_at ? json_integer(p.completed_at) : json_null(),
				  "steps", steps_json(steps, nsteps)));
	}
	free(rows);
	if (e || !*out) {
		json_decref(*out);
		*out = NULL;
		return e ? e : CR_ENOMEM;
	}
	return CR_OK;
}

cr_err paths_next_steps(int64_t user_id, int64_t team_id, struct path_next *next, size_t max,
			size_t *n)
{
	struct mine_row *rows = malloc(MINE_MAX * sizeof *rows);
	struct step_status steps[PATHS_MAX_STEPS];
	size_t nrows = 0, nsteps;
	*n = 0;
	cr_err e = rows ? mine_rows(user_id, team_id, rows, MINE_MAX, &nrows) : CR_ENOMEM;
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
							  .due_at = rows[i].due_at};
	}
	free(rows);
	return e;
}
