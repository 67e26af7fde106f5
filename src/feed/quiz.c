/* Quizzes: questions attached to a clip, answers, and the points a correct
 * answer pays. See include/casereel/quiz.h. */
#include "casereel/quiz.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "casereel/catalog.h"
#include "casereel/clock.h"
#include "casereel/ledger.h"
#include "casereel/store.h"
#include "casereel/videos.h"

/* The active questions of clip `id`; answers included for trainers, and
 * the viewer's own earlier answers. NULL when the clip has no quiz. */
json_t *quiz_get_json(int64_t id, const struct cr_user *viewer)
{
	sqlite3_stmt *st =
		store_stmt("SELECT q.id, q.text, q.choices, q.answer, a.choice, a.correct FROM "
			   "quiz_questions q"
			   " LEFT JOIN quiz_answers a ON a.question_id = q.id AND a.user_id = ?2"
			   " WHERE q.video_id = ?1 AND q.active ORDER BY q.position");
	if (!st)
		return NULL;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, viewer->id);
	json_t *questions = json_array();
	while (questions && sqlite3_step(st) == SQLITE_ROW) {
		json_t *q =
			json_pack("{s:I, s:s, s:o}", "id", (json_int_t)sqlite3_column_int64(st, 0),
				  "text", (const char *)sqlite3_column_text(st, 1), "choices",
				  json_loads((const char *)sqlite3_column_text(st, 2), 0, NULL));
		if (q && viewer->role >= CR_ROLE_TRAINER)
			json_object_set_new(q, "answer", json_integer(sqlite3_column_int(st, 3)));
		if (q && sqlite3_column_type(st, 4) != SQLITE_NULL)
			json_object_set_new(q, "your_answer",
					    json_pack("{s:i, s:b}", "choice",
						      sqlite3_column_int(st, 4), "correct",
						      sqlite3_column_int(st, 5)));
		json_array_append_new(questions, q);
	}
	store_done(st);
	if (json_array_size(questions) == 0) {
		json_decref(questions);
		return NULL;
	}
	return json_pack("{s:I, s:o, s:i}", "video_id", (json_int_t)id, "questions", questions,
			 "points_per_correct_answer", QUIZ_POINTS);
}

/* Binds ?1 video, ?2 position, ?3 text, ?4 choices, ?5 answer of `q`. */
static void bind_question(sqlite3_stmt *st, int64_t video_id, size_t position, json_t *q,
			  const char *choices)
{
	sqlite3_bind_int64(st, 1, video_id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)position);
	sqlite3_bind_text(st, 3, json_string_value(json_object_get(q, "text")), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, choices, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, json_integer_value(json_object_get(q, "answer")));
}

/* Puts question `q` at `position` of clip `video_id`'s quiz being saved. A
 * question is identified by its content (text, choices, answer), not its
 * position: one the clip had before comes back with its answers, so saving
 * a quiz again gives nobody a second first answer. */
static cr_err place_question(int64_t video_id, size_t position, json_t *q, int64_t by)
{
	char *choices = json_dumps(json_object_get(q, "choices"), JSON_COMPACT);
	sqlite3_stmt *st = store_stmt(
		"UPDATE quiz_questions SET active = 1, position = ?2 WHERE id = (SELECT id FROM"
		" quiz_questions WHERE video_id = ?1 AND NOT active AND text = ?3 AND choices = ?4"
		" AND answer = ?5 ORDER BY id DESC LIMIT 1)");
	if (st && choices)
		bind_question(st, video_id, position, q, choices);
	cr_err e = choices ? store_run(st, "reuse question") : CR_ENOMEM;
	if (!e && sqlite3_changes(store_db()) == 0) {
		st = store_stmt(
			"INSERT INTO quiz_questions(video_id, position, text, choices,"
			" answer, created_by, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
		if (st) {
			bind_question(st, video_id, position, q, choices);
			sqlite3_bind_int64(st, 6, by);
			sqlite3_bind_int64(st, 7, cr_now());
		}
		e = store_run(st, "add question");
	}
	free(choices);
	return e;
}

cr_err quiz_replace(int64_t id, const json_t *questions, int64_t by)
{
	size_t i;
	json_t *q;
	cr_err e = store_begin();
	sqlite3_stmt *st =
		e ? NULL
		  : store_stmt("SELECT 1 FROM videos WHERE id = ?1 AND status IN"
			       " (" VIDEO_SQL_PENDING_REVIEW ", " VIDEO_SQL_PUBLISHED ")");
	if (st) {
		sqlite3_bind_int64(st, 1, id);
		e = sqlite3_step(st) == SQLITE_ROW ? CR_OK : CR_ENOTFOUND;
		store_done(st);
	}
	st = e ? NULL
	       : store_stmt("UPDATE quiz_questions SET active = 0 WHERE video_id = ?1 AND active");
	if (st) {
		sqlite3_bind_int64(st, 1, id);
		e = store_run(st, "replace quiz");
	}
	json_array_foreach(questions, i, q)
	{
		if (!e)
			e = place_question(id, i, q, by);
	}
	e = store_end(e);
	if (!e)
		catalog_invalidate_clip(id); /* feed items say has_quiz */
	return e;
}

cr_err quiz_retire(int64_t id)
{
	sqlite3_stmt *st =
		store_stmt("UPDATE quiz_questions SET active = 0 WHERE video_id = ?1 AND active");
	if (st)
		sqlite3_bind_int64(st, 1, id);
	cr_err e = store_run(st, "delete quiz");
	if (!e && sqlite3_changes(store_db()) == 0)
		return CR_ENOTFOUND;
	if (!e)
		catalog_invalidate_clip(id); /* feed items say has_quiz */
	return e;
}

bool quiz_finished(int64_t video_id, int64_t user_id)
{
	return store_exists("SELECT 1 FROM watches WHERE video_id = ?1 AND user_id = ?2"
			    " AND completed_at IS NOT NULL",
			    video_id, user_id);
}

/* What paying an answer to one question needs to know. */
struct question {
	int64_t id, right, position, owner_id;
};

/* Question `id` of clip `video_id`'s active quiz. CR_ENOTFOUND when the
 * quiz has no such question. */
static cr_err load_question(int64_t video_id, int64_t id, struct question *q)
{
	sqlite3_stmt *st =
		store_stmt("SELECT q.answer, q.position, v.owner_id FROM quiz_questions q"
			   " JOIN videos v ON v.id = q.video_id"
			   " WHERE q.id = ?1 AND q.video_id = ?2 AND q.active");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, video_id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*q = (struct question){.id = id,
				       .right = sqlite3_column_int64(st, 0),
				       .position = sqlite3_column_int64(st, 1),
				       .owner_id = sqlite3_column_int64(st, 2)};
	store_done(st);
	return rc == SQLITE_ROW    ? CR_OK
	       : rc == SQLITE_DONE ? CR_ENOTFOUND
				   : store_error(rc, "quiz question");
}

/* Records `choice` unless the viewer answered before (the first answer
 * counts), and reads back the answer that counts. */
static cr_err record_answer(const struct question *q, int64_t user_id, int64_t choice,
			    int64_t *counted, bool *correct)
{
	sqlite3_stmt *st =
		store_stmt("INSERT OR IGNORE INTO quiz_answers(question_id, user_id, choice,"
			   " correct, created_at) VALUES (?1, ?2, ?3, ?4, ?5)");
	if (st) {
		sqlite3_bind_int64(st, 1, q->id);
		sqlite3_bind_int64(st, 2, user_id);
		sqlite3_bind_int64(st, 3, choice);
		sqlite3_bind_int(st, 4, choice == q->right);
		sqlite3_bind_int64(st, 5, cr_now());
	}
	cr_err e = store_run(st, "answer");
	if (e)
		return e;
	st = store_stmt(
		"SELECT choice, correct FROM quiz_answers WHERE question_id = ?1 AND user_id = ?2");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, q->id);
	sqlite3_bind_int64(st, 2, user_id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*counted = sqlite3_column_int64(st, 0);
		*correct = sqlite3_column_int(st, 1);
	}
	store_done(st);
	return rc == SQLITE_ROW ? CR_OK
				: store_error(rc == SQLITE_DONE ? SQLITE_CORRUPT : rc, "answer");
}

/* Records one answer and pays a correct one once per clip and question
 * position, so a quiz saved again does not pay again. Only agents answering
 * someone else's clip are paid: trainers see the answers, and a creator
 * knows their own. Inside the caller's transaction, so the answer and its
 * points commit together. */
static cr_err answer_one(int64_t video_id, const struct cr_user *viewer, int64_t question,
			 int64_t choice, int64_t *earned, json_t **out)
{
	struct question q = {0};
	int64_t counted = choice;
	bool correct = false, paid = false;
	cr_err e = load_question(video_id, question, &q);
	if (!e)
		e = record_answer(&q, viewer->id, choice, &counted, &correct);
	if (!e && correct && viewer->role == CR_ROLE_AGENT && q.owner_id != viewer->id) {
		char ref[80];
		snprintf(ref, sizeof ref, LEDGER_QUIZ_REF, (long long)video_id,
			 (long long)q.position, (long long)viewer->id);
		e = ledger_reward_in_tx(viewer->id, QUIZ_POINTS, "quiz", "correct quiz answer", ref,
					video_id, &paid);
	}
	if (e)
		return e;
	*earned += paid ? QUIZ_POINTS : 0;
	*out = json_pack("{s:I, s:I, s:b, s:I, s:i}", "question_id", (json_int_t)question, "choice",
			 (json_int_t)counted, "correct", correct, "correct_choice",
			 (json_int_t)q.right, "points", paid ? QUIZ_POINTS : 0);
	return *out ? CR_OK : CR_ENOMEM;
}

cr_err quiz_answer(int64_t video_id, const struct cr_user *viewer, const json_t *answers,
		   size_t *bad, json_t *results, int64_t *earned)
{
	*bad = 0;
	cr_err e = store_begin();
	for (size_t i = 0; !e && i < json_array_size(answers); i++) {
		json_t *a = json_array_get(answers, i), *r = NULL;
		e = answer_one(video_id, viewer,
			       json_integer_value(json_object_get(a, "question_id")),
			       json_integer_value(json_object_get(a, "choice")), earned, &r);
		if (e)
			*bad = i;
		else
			json_array_append_new(results, r);
	}
	return store_end(e);
}
