/* Leaderboards for trainers: top creators (completions, likes, tips
 * received) and top learners (points earned, minutes watched, streak),
 * since a point in time, company-wide or per team. */
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

/* The top LEADERBOARD_TOP_N rows of board `b` counting what happened since
 * `since` (unix seconds), in team `team_id` (0: everyone), by `sort` (one
 * of b->sorts): *rows is an array of objects keyed by b->columns (NULL when
 * out of memory). CR_EDB when the board cannot be read. */
cr_err leaderboard_rows(const struct leaderboard *b, int64_t since, int64_t team_id,
			const char *sort, json_t **rows);

#endif
