/* Leaderboards for trainers: top creators (completions, likes, tips
 * received) and top learners (points earned, minutes watched, streak),
 * over a week, a month or all time, company-wide or per team. */
#ifndef CASEREEL_LEADERBOARDS_H
#define CASEREEL_LEADERBOARDS_H

#include <jansson.h>
#include <stdint.h>

#include "casereel/error.h"

#define LEADERBOARD_TOP_N 20

struct leaderboard {
	const char *name;       /* "creators", "learners" */
	const char *sorts[3];   /* what it can be sorted by; the first is the default */
	const char *columns[6]; /* output names of its six columns */
};

/* The board called `name`, or NULL. */
const struct leaderboard *leaderboard_find(const char *name);

/* The top LEADERBOARD_TOP_N rows of board `b` over `period` ("week": the
 * last 7 x 24 hours, "month": 30 x 24, "all"), in team `team_id` (0:
 * everyone), by `sort` (one of b->sorts): *rows is an array of objects
 * keyed by b->columns. CR_EDB when the board cannot be read. */
cr_err leaderboard_rows(const struct leaderboard *b, const char *period, int64_t team_id,
			const char *sort, json_t **rows);

/* Moves a batch of the learners' window sums to today, once the day has
 * changed (the housekeeping loop calls it each round; until every row is
 * moved, the learners board sums learner_days per person). One thread. */
cr_err leaderboards_roll(void);

#endif
