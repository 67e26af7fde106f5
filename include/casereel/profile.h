/* The agent profile (客服画像): who the agent is, how they learn, how they
 * serve, and their skill gaps computed from service metrics with the
 * evidence for each. Read-only over the tables of other modules. */
#ifndef CASEREEL_PROFILE_H
#define CASEREEL_PROFILE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "casereel/error.h"

/* A skill gap: `score` 0-100 (docs/DESIGN.md), computed from service
 * metrics, or the weight of a weak skill an admin typed in (`manual`). */
struct profile_gap {
	int64_t tag_id;
	int score;
	bool manual;
};

/* The profile of user `user_id` as JSON (new reference) with the sections
 * "user", "learning", "service" and "gaps" (each gap with its tag's
 * `tag_labels` {en, zh}); evidence is structured (codes and numbers), never
 * sentences. CR_ENOTFOUND for no such user. */
cr_err profile_json(int64_t user_id, json_t **out);

/* The computed gaps of user `user_id` (score > 0), at most `max`, largest
 * first, into gaps[0..*n). Manual weak skills are not included. */
cr_err profile_gaps(int64_t user_id, struct profile_gap *gaps, size_t max, size_t *n);

#endif
