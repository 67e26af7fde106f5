/* Must-watch: trainers assign a published clip to teams or people with a
 * due date; it is pinned near the top of their feed until watched
 * (src/feed/feed.c), and trainers see who has and hasn't watched. */
#ifndef CASEREEL_ASSIGNMENTS_H
#define CASEREEL_ASSIGNMENTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "casereel/error.h"

#define ASSIGNMENTS_MINE_MAX 100 /* clips assignments_of_user returns at most */

/* Assignment `id` as {id, video {id, title}, target {kind, id, name},
 * due_at, note, created_at, assigned, watched} plus "people" (who it
 * covers, with whether they watched) when with_people; new reference.
 * NULL when there is no such assignment or it cannot be read. */
json_t *assignments_get_json(int64_t id, bool with_people);

/* In one transaction, assigns published clip `video_id` to each team of
 * team_ids and each user of user_ids (JSON arrays of positive ids, either
 * may be NULL), due at `due_at` (unix seconds; 0: no date), with `note`,
 * on behalf of `by`; appends the new assignments' ids to `ids`. When the
 * clip is not published or an id names nothing, nothing is written and
 * *bad names the field ("video_id", "team_ids", "user_ids"); otherwise
 * *bad is NULL. The catalogue is invalidated on success. */
cr_err assignments_create(int64_t video_id, const json_t *team_ids, const json_t *user_ids,
			  int64_t due_at, const char *note, int64_t by, json_t *ids,
			  const char **bad);

/* Ids of assignments below id `before`, newest first: at most `limit`
 * into ids[], their number in *n. */
cr_err assignments_list_ids(int64_t before, long limit, int64_t *ids, size_t *n);

/* The published clips assigned to user `user_id` or their team `team_id`,
 * earliest due first: up to ASSIGNMENTS_MINE_MAX clip ids into ids[] and
 * their earliest due time (0: none) into due[], their number in *n. */
cr_err assignments_of_user(int64_t user_id, int64_t team_id, int64_t *ids, int64_t *due, size_t *n);

#endif
