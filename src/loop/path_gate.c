/* Retaking the quiz that gates a path step: allowed after watching the clip
 * to the end again, graded on every question, paying nothing. See
 * include/casereel/paths.h. */
#include "casereel/paths.h"

#include "casereel/store.h"

#define GATE_MAX_QUESTIONS 20

struct question {
	int64_t id, right;
	bool answered;
};

/* The gated step's clip, and whether the step is gated at all. */
static cr_err gated_clip(int64_t path_id, size_t position, int64_t *video_id)
{
	sqlite3_stmt *st = store_stmt("SELECT video_id FROM path_steps WHERE path_id = ?1"
				      " AND position = ?2 AND quiz_gate = 1");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, path_id);
	sqlite3_bind_int64(st, 2, (int64_t)position);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*video_id = sqlite3_column_int64(st, 0);
	store_done(st);
	return rc == SQLITE_ROW    ? CR_OK
	       : rc == SQLITE_DONE ? CR_ENOTFOUND
				   : store_error(rc, "gate");
}

/* A retake needs the clip watched to its end (the last viewing event at
 * 90% or more) after the last attempt or the first answers (kept to the
 * second, hence the second added), and a gate not passed yet. */
static cr_err may_retake(int64_t user_id, int64_t video_id)
{
	sqlite3_stmt *st =
		store_stmt("SELECT w.completed_at IS NOT NULL AND w.position >= 0.9 * v.duration,"
			   " w.last_at,"
			   " max(coalesce((SELECT max(attempted_at) FROM quiz_gate_attempts g"
			   "   WHERE g.user_id = ?1 AND g.video_id = ?2), 0),"
			   "   coalesce((SELECT (max(a.created_at) + 1) * 1000 FROM quiz_answers a"
			   "   JOIN quiz_questions q ON q.id = a.question_id"
			   "   WHERE a.user_id = ?1 AND q.video_id = ?2), 0)),"
			   " EXISTS (SELECT 1 FROM quiz_gate_attempts g WHERE g.user_id = ?1"
			   "   AND g.video_id = ?2 AND g.passed = 1)"
			   " FROM watches w JOIN videos v ON v.id = w.video_id"
			   " WHERE w.user_id = ?1 AND w.video_id = ?2");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, user_id);
	sqlite3_bind_int64(st, 2, video_id);
	int rc = sqlite3_step(st);
	bool ok = rc == SQLITE_ROW && sqlite3_column_int(st, 0) &&
		  sqlite3_column_int64(st, 1) > sqlite3_column_int64(st, 2) &&
		  !sqlite3_column_int(st, 3);
	store_done(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_error(rc, "gate retake");
	return ok ? CR_OK : CR_ECONFLICT;
}

static cr_err load_questions(int64_t video_id, struct question *q, size_t *n)
{
	sqlite3_stmt *st = store_stmt("SELECT id, answer FROM quiz_questions"
				      " WHERE video_id = ?1 AND active = 1 ORDER BY position");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, video_id);
	*n = 0;
	while (*n < GATE_MAX_QUESTIONS && sqlite3_step(st) == SQLITE_ROW)
		q[(*n)++] = (struct question){sqlite3_column_int64(st, 0),
					      sqlite3_column_int64(st, 1), false};
	store_done(st);
	return *n ? CR_OK : CR_ENOTFOUND;
}

/* Grades `answers` against q[0..n): each question named exactly once. */
static cr_err grade(json_t *answers, struct question *q, size_t n, size_t *right)
{
	size_t i;
	json_t *a;
	*right = 0;
	if (!json_is_array(answers) || json_array_size(answers) != n)
		return CR_EINVAL;
	json_array_foreach(answers, i, a)
	{
		json_int_t id = json_integer_value(json_object_get(a, "question_id"));
		json_t *choice = json_object_get(a, "choice");
		size_t k = 0;
		while (k < n && q[k].id != id)
			k++;
		if (k == n || q[k].answered || !json_is_integer(choice))
			return CR_EINVAL;
		q[k].answered = true;
		*right += json_integer_value(choice) == q[k].right;
	}
	return CR_OK;
}

cr_err paths_gate_retake(int64_t path_id, size_t position, int64_t user_id, json_t *answers,
			 int64_t now_ms, struct gate_result *out, struct cr_problem *why)
{
	struct question q[GATE_MAX_QUESTIONS];
	int64_t video_id = 0;
	size_t n = 0;
	*out = (struct gate_result){0};
	cr_err e = store_begin();
	if (e)
		return e;
	e = gated_clip(path_id, position, &video_id);
	if (!e)
		e = load_questions(video_id, q, &n);
	if (!e && (e = grade(answers, q, n, &out->right)))
		cr_refuse(why, e, "invalid-field", "answers",
			  "answers must name each of the quiz's %zu questions once:"
			  " [{\"question_id\": id, \"choice\": index}]",
			  n);
	if (!e && (e = may_retake(user_id, video_id)) == CR_ECONFLICT)
		cr_refuse(why, e, "watch-again", NULL,
			  "watch the clip to the end again before retaking its quiz");
	sqlite3_stmt *st = e ? NULL
			     : store_stmt("INSERT INTO quiz_gate_attempts(user_id, video_id,"
					  " attempted_at, passed) VALUES (?1, ?2, ?3, ?4)");
	out->questions = n;
	out->passed = !e && out->right == n;
	if (st) {
		sqlite3_bind_int64(st, 1, user_id);
		sqlite3_bind_int64(st, 2, video_id);
		sqlite3_bind_int64(st, 3, now_ms);
		sqlite3_bind_int(st, 4, out->passed);
	}
	if (!e)
		e = store_run(st, "gate attempt");
	if (e) {
		store_rollback();
		return e;
	}
	return store_commit();
}
