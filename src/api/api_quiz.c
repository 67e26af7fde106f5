/* Quizzes over HTTP: trainers put and retire a clip's quiz, viewers read
 * and answer it. The rules and the points live in src/feed/quiz.c. */
#include "casereel/app.h"
#include "casereel/fields.h"
#include "casereel/quiz.h"
#include "casereel/social.h"

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
	cr_err e = quiz_replace(id, questions, req->user.id);
	if (e) {
		http_error(res, e, "transcoded video");
		return;
	}
	http_json(res, 200, quiz_get_json(id, &req->user));
}

static void get_quiz(struct cr_request *req, struct cr_response *res)
{
	int64_t id;
	if (!http_path_id(req, res, 0, "video", &id))
		return;
	bool visible = req->user.role >= CR_ROLE_TRAINER || social_video_published(id);
	json_t *quiz = visible ? quiz_get_json(id, &req->user) : NULL;
	if (quiz)
		http_json(res, 200, quiz);
	else
		http_problem(res, 404, "not-found", "this clip has no quiz");
}

static void delete_quiz(struct cr_request *req, struct cr_response *res)
{
	int64_t id;
	if (!http_path_id(req, res, 0, "video", &id))
		return;
	cr_err e = quiz_retire(id);
	if (e == CR_ENOTFOUND) {
		http_problem(res, 404, "not-found", "this clip has no quiz");
		return;
	}
	if (e) {
		http_error(res, e, "quiz");
		return;
	}
	http_no_content(res);
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
	if (!quiz_finished(id, req->user.id)) {
		http_problem(res, 409, "not-watched", "finish the clip before answering its quiz");
		return;
	}
	json_t *results = json_array();
	int64_t earned = 0;
	cr_err e = results ? quiz_answer(id, &req->user, answers, &i, results, &earned) : CR_ENOMEM;
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
