/* Quizzes: a trainer attaches 1-3 multiple-choice questions to a clip;
 * viewers answer once after finishing it; each correct answer pays
 * QUIZ_POINTS once (the ledger's unique ref keeps that true under retries),
 * in the transaction that records it: an answer is never kept unpaid. */
#ifndef CASEREEL_QUIZ_H
#define CASEREEL_QUIZ_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "casereel/error.h"
#include "casereel/user.h"

#define QUIZ_MAX_QUESTIONS 3
#define QUIZ_POINTS        3

/* The active questions of clip `id` as {video_id, questions,
 * points_per_correct_answer}: answers included for trainers, and the
 * viewer's own earlier answers. NULL when the clip has no quiz. */
json_t *quiz_get_json(int64_t id, const struct cr_user *viewer);

/* Replaces clip `id`'s quiz with `questions` (a validated array of {text,
 * choices, answer}) set by trainer `by`, in one transaction; earlier
 * questions go inactive. A question is its content: one the clip had
 * before (same text, choices and answer) comes back with the same id and
 * its earlier answers, wherever it now stands. CR_ENOTFOUND unless the clip is pending review or
 * published. */
cr_err quiz_replace(int64_t id, const json_t *questions, int64_t by);

/* Retires the clip's quiz: its questions go inactive (earlier answers still
 * count in the analytics) and viewers no longer get it. CR_ENOTFOUND when
 * it has no quiz. */
cr_err quiz_retire(int64_t id);

/* True when user `user_id` finished clip `video_id` (may answer its quiz). */
bool quiz_finished(int64_t video_id, int64_t user_id);

/* Answers every entry {question_id, choice} of `answers` in one
 * transaction: all are recorded and paid, or none. Appends one result per
 * answer to `results` and adds the points paid to *earned. CR_ENOTFOUND
 * with *bad the index of an entry naming no question of the quiz. */
cr_err quiz_answer(int64_t video_id, const struct cr_user *viewer, const json_t *answers,
		   size_t *bad, json_t *results, int64_t *earned);

#endif
