/* Quizzes: a trainer attaches 1-3 multiple-choice questions to a clip;
 * viewers answer once after finishing it; each correct answer pays
 * QUIZ_POINTS once (the ledger's unique ref keeps that true under retries),
 * in the transaction that records it: an answer is never kept unpaid. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "casereel/app.h"
#include "casereel/catalog.h"
#include "casereel/clock.h"
#include "casereel/fields.h"
#include "casereel/ledger.h"
#include "casereel/social.h"
#include "casereel/store.h"

#define QUIZ_MAX_QUESTIONS 3
#define QUIZ_POINTS        3

/* The active questions of clip `id`; answers included for trainers, and
 * the viewer's own earlier answers. NULL when the clip has no quiz. */
static json_t *quiz_json(int64_t id, const struct cr_user *viewer)
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

static bool question_ok(struct cr_response *res, size_t i, json_t *q)
{
	json_t *text = json_object_get(q, "text"), *choices = json_object_get(q, "choices");
	json_t *answer = json_object_get(q, "answer");
	bool ok = json_is_string(text) && utf8_length(json_string_value(text)) >= 1 &&
		  utf8_length(json_string_value(text)) <= 300 && json_is_array(choices) &&
		  json_array_size(choices) >= 2 && json_array_size(choices) <= 5 &&
		  json_is_integer(answer) && json_integer_value(answer) >= 0 &&
		  (size_t)json_integer_value(answer) < json_array_size(choices);
	size_t c;
	json_t *choice;
	json_array_foreach(choices, c, choice)
	{
		ok = ok && json_is_string(choice) && utf8_length(json_string_value(choice)) >= 1 &&
		     utf8_length(json_string_value(choice)) <= 120;
	}
	if (!ok)
		http_invalid_field(
			res, "questions",
			"questions[%zu] needs text (1-300), 2-5 choices (1-120 characters) and "
			"the index of the right answer",
			i);
	return ok;
}

static cr_err insert_question(int64_t video_id, size_t position, json_t *q, int64_t by)
{
	char *choices = json_dumps(json_object_get(q, "choices"), JSON_COMPACT);
	sqlite3_stmt *st =
		store_stmt("INSERT INTO quiz_questions(video_id, position, text, choices,"
			   " answer, created_by, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
	if (st && choices) {
		sqlite3_bind_int64(st, 1, video_id);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)position);
		sqlite3_bind_text(st, 3, json_string_value(json_object_get(q, "text")), -1,
				  SQLITE_STATIC);
		sqlite3_bind_text(st, 4, choices, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 5, json_integer_value(json_object_get(q, "answer")));
		sqlite3_bind_int64(st, 6, by);
		sqlite3_bind_int64(st, 7, cr_now());
	}
	cr_err e = choices ? store_run(st, "add question") : CR_ENOMEM;
	free(choices);
	return e;
}

static void put_quiz(struct cr_request *req, struct cr_response *res)
{
	int64_t id;
	json_t *questions = json_object_get(req->json, "questions");
	if (!http_path_id(req, res, 0, "video", &id))
		return;
	if (!json_is_array(questions) || json_array_size(questions) < 1 ||
	    json_array_size(questions) > QUIZ_MAX_QUESTIONS) {
		http_invalid_field(res, "questions", "a quiz has 1 to %d questions",
				   QUIZ_MAX_QUESTIONS);
		return;
	}
	size_t i;
	json_t *q;
	json_array_foreach(questions, i, q)
	{
		if (!question_ok(res, i, q))
			return;
	}
	cr_err e = store_begin();
	sqlite3_stmt *st = e ? NULL
			     : store_stmt("SELECT 1 FROM videos WHERE id = ?1 AND status IN"
					  " ('pending_review', 'published')");
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
			e = insert_question(id, i, q, req->user.id);
	}
	e = e ? (store_rollback(), e) : store_commit();
	if (e) {
		http_error(res, e, "transcoded video");
		return;
	}
	catalog_invalidate(); /* feed items say has_quiz */
	http_json(res, 200, quiz_json(id, &req->user));
}

static void get_quiz(struct cr_request *req, struct cr_response *res)
{
	int64_t id;
	if (!http_path_id(req, res, 0, "video", &id))
		return;
	bool visible = req->user.role >= CR_ROLE_TRAINER || social_video_published(id);
	json_t *quiz = visible ? quiz_json(id, &req->user) : NULL;
	if (quiz)
		http_json(res, 200, quiz);
	else
		http_problem(res, 404, "not-found", "this clip has no quiz");
}

/* Retires the clip's quiz: its questions go inactive (earlier answers still
 * count in the analytics) and viewers no longer get it. */
static void delete_quiz(struct cr_request *req, struct cr_response *res)
{
	int64_t id;
	if (!http_path_id(req, res, 0, "video", &id))
		return;
	sqlite3_stmt *st =
		store_stmt("UPDATE quiz_questions SET active = 0 WHERE video_id = ?1 AND active");
	if (st)
		sqlite3_bind_int64(st, 1, id);
	cr_err e = store_run(st, "delete quiz");
	if (!e && sqlite3_changes(store_db()) == 0) {
		http_problem(res, 404, "not-found", "this clip has no quiz");
		return;
	}
	if (e) {
		http_error(res, e, "quiz");
		return;
	}
	catalog_invalidate(); /* feed items say has_quiz */
	http_no_content(res);
}

static bool finished(int64_t video_id, int64_t user_id)
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

/* Answers every entry of `answers` in one transaction: all are recorded and
 * paid, or none (*bad gets the index of an entry naming no question). */
static cr_err answer_all(int64_t video_id, const struct cr_user *viewer, const json_t *answers,
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
	return e ? (store_rollback(), e) : store_commit();
}

static void answer_quiz(struct cr_request *req, struct cr_response *res)
{
	int64_t id;
	json_t *answers = json_object_get(req->json, "answers");
	if (!http_path_id(req, res, 0, "video", &id))
		return;
	if (!json_is_array(answers) || json_array_size(answers) < 1 ||
	    json_array_size(answers) > QUIZ_MAX_QUESTIONS) {
		http_invalid_field(res, "answers", "answers is a list of {question_id, choice}");
		return;
	}
	size_t i;
	json_t *a;
	json_array_foreach(answers, i, a)
	{
		if (!json_is_integer(json_object_get(a, "question_id")) ||
		    !json_is_integer(json_object_get(a, "choice"))) {
			http_invalid_field(res, "answers",
					   "answers[%zu] needs an integer question_id and choice",
					   i);
			return;
		}
	}
	if (!finished(id, req->user.id)) {
		http_problem(res, 409, "not-watched", "finish the clip before answering its quiz");
		return;
	}
	json_t *results = json_array();
	int64_t earned = 0;
	cr_err e = results ? answer_all(id, &req->user, answers, &i, results, &earned) : CR_ENOMEM;
	if (e == CR_ENOTFOUND)
		http_invalid_field(res, "answers",
				   "answers[%zu] names no question of this clip's quiz", i);
	else if (e)
		http_error(res, e, "quiz answer");
	if (e) {
		json_decref(results);
		return;
	}
	http_json(res, 200,
		  json_pack("{s:o, s:I}", "results", results, "points_earned", (json_int_t)earned));
}

static const struct cr_route routes[] = {
	{"PUT", "/api/v1/videos/{id}/quiz", CR_ROLE_TRAINER, CR_BODY_JSON, put_quiz, NULL},
	{"GET", "/api/v1/videos/{id}/quiz", CR_ROLE_AGENT, CR_BODY_NONE, get_quiz, NULL},
	{"DELETE", "/api/v1/videos/{id}/quiz", CR_ROLE_TRAINER, CR_BODY_NONE, delete_quiz, NULL},
	{"POST", "/api/v1/videos/{id}/quiz/answers", CR_ROLE_AGENT, CR_BODY_JSON, answer_quiz,
	 NULL},
};

cr_err api_quiz_register(struct router *r)
{
	return router_add(r, routes, sizeof routes / sizeof routes[0]);
}
