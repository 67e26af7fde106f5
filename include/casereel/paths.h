/* Learning paths (路径规划): ordered series of published clips, each step
 * optionally gated by the clip's quiz, assigned to people or teams by a
 * trainer or a push rule, with a due date. A must-watch clip is a path too:
 * a one-clip path (kind "clip"), so an agent's assignments are one list.
 * Progress is derived from what the agent watched and answered, so it cannot
 * drift from it. The tables paths, path_steps, path_assignments and
 * quiz_gate_attempts belong to this module. */
#ifndef CASEREEL_PATHS_H
#define CASEREEL_PATHS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "casereel/error.h"

#define PATHS_MAX_STEPS 50
#define PATHS_NAME_MAX  80

struct path_step_in {
	int64_t video_id;
	bool quiz_gate;
};

/* Creates a path of steps[0..n) (1 <= n <= PATHS_MAX_STEPS) made by `by`.
 * CR_EINVAL with `why` (field "steps") naming a step whose clip is not
 * published or repeats an earlier step. */
cr_err paths_create(const char *name, const char *description, const struct path_step_in *steps,
		    size_t n, int64_t by, int64_t *id, struct cr_problem *why);

/* Changes the name and description (NULL = unchanged) and, when steps is
 * not NULL, replaces the steps as paths_create checks them. CR_ENOTFOUND;
 * CR_ECONFLICT with `why` for new steps on a one-clip path. */
cr_err paths_update(int64_t id, const char *name, const char *description,
		    const struct path_step_in *steps, size_t n, struct cr_problem *why);

/* Archives path `id`: it can no longer be assigned, and its assignments
 * leave the agents' feeds. CR_ENOTFOUND; CR_ECONFLICT when archived already. */
cr_err paths_archive(int64_t id);

/* Path `id` with its kind, steps (clip titles, gates) and how many
 * assignments it has, as JSON (new reference). CR_ENOTFOUND. */
cr_err paths_json(int64_t id, json_t **out);

/* Every path of kind `kind` ("series", "clip"; NULL: both), newest first,
 * as a JSON array of {id, name, description, kind, step_count, archived,
 * assigned (count)} (new reference). */
cr_err paths_list_json(const char *kind, json_t **out);

struct path_assign {
	int64_t path_id;
	int64_t user_id; /* exactly one of user_id and team_id */
	int64_t team_id;
	int64_t due_at; /* unix seconds; 0 = none */
	bool by_rule;   /* source "rule" (push_id names the push) or "trainer" */
	int64_t push_id;
	int64_t by;       /* the trainer; 0 for a rule */
	const char *note; /* for the agent; NULL = none */
};

/* Assigns a path; *id is the assignment. CR_ENOTFOUND for no such path,
 * user or team; CR_ECONFLICT when the path is archived. */
cr_err paths_assign(const struct path_assign *a, int64_t *id);

/* Assigns path `path_id` to each team in team_ids and each person in
 * user_ids (JSON arrays of ids, either may be NULL), due at `due_at`, with
 * `note` (NULL = none), by trainer `by`, all or none; `made` (an array) gets
 * the assignment ids. CR_ENOTFOUND for no such path, CR_EINVAL with `why`
 * (field "team_ids" or "user_ids") for an unknown team or inactive person,
 * CR_ECONFLICT with `why` when the path is archived. */
cr_err paths_assign_many(int64_t path_id, json_t *team_ids, json_t *user_ids, int64_t due_at,
			 const char *note, int64_t by, json_t *made, struct cr_problem *why);

/* Must-watch: assigns published clip `video_id` as its one-clip path (the
 * clip's live one, or a new one named after the clip and made by `by`) to
 * each team in team_ids and each person in user_ids, as paths_assign_many
 * does, all or none. CR_EINVAL with `why` (field "video_id") when the clip
 * is not published, or as paths_assign_many refuses. */
cr_err paths_assign_clip(int64_t video_id, json_t *team_ids, json_t *user_ids, int64_t due_at,
			 const char *note, int64_t by, json_t *made, struct cr_problem *why);

/* Must-watch assignment `id` (a live assignment of a one-clip path) as
 * {id, path_id, video {id, title}, target {kind, id, name}, due_at, note,
 * created_at, assigned, watched}: the active people it covers and how many
 * finished the clip; with_people adds "people" [{id, display_name, team,
 * watched}], who has not watched first. CR_ENOTFOUND. */
cr_err paths_clip_assignment_json(int64_t id, bool with_people, json_t **out);

/* Ids of the live must-watch assignments (of one-clip paths not archived)
 * below id `before`, newest first: at most `limit` into ids[], their number
 * in *n. */
cr_err paths_clip_assignment_ids(int64_t before, long limit, int64_t *ids, size_t *n);

/* Removes assignment `id`. CR_ENOTFOUND when absent or removed already. */
cr_err paths_unassign(int64_t id);

/* The live assignments of path `id` as a JSON array (new reference). */
cr_err paths_assignments_json(int64_t path_id, json_t **out);

/* One agent's progress on one path. */
struct path_progress {
	size_t steps, done;
	size_t next_position;  /* 1-based; 0 when complete */
	int64_t next_video_id; /* 0 when complete */
	bool next_needs_quiz;  /* the next step's clip is watched; its gate is not passed */
	int64_t completed_at;  /* unix seconds when the last step was done; 0 = not complete */
};

/* Progress of `user_id` on path `path_id`. CR_ENOTFOUND for no such path. */
cr_err paths_progress(int64_t path_id, int64_t user_id, struct path_progress *out);

#define PATHS_MINE_MAX 100 /* paths an agent's list holds at most */

/* The live paths assigned to `user_id` (directly or through team
 * `team_id`), one item per path, as a JSON array (new reference): {path_id,
 * kind ("series" or "clip"), title (a clip path's: its clip's), name (the
 * same), note, due_at (the most urgent assignment's; null: none), overdue,
 * source ("trainer" or "rule"), state ("not_started", "in_progress",
 * "complete"), steps_done, step_count, next {video_id, position, title,
 * needs_quiz} or null, next_position and next_needs_quiz (the same, flat),
 * completed_at, steps [{position, video_id, quiz_gate, watched,
 * quiz_passed, done}]}. Unfinished first: overdue, then by due date, then
 * undated; finished after them. One-clip paths only with_clips, and only
 * while their clip is published. What the agent's Me page lists. */
cr_err paths_mine_json(int64_t user_id, int64_t team_id, bool with_clips, json_t **out);

/* The next step of each live path assigned to the agent. */
struct path_next {
	int64_t path_id;
	int64_t video_id;
	size_t position, steps;
	int64_t due_at;
	bool clip; /* a one-clip path: a must-watch */
};

/* Fills next[0..*n) (at most max, earliest due first) for the feed, from
 * one-clip paths (must-watch) and series alike. */
cr_err paths_next_steps(int64_t user_id, int64_t team_id, struct path_next *next, size_t max,
			size_t *n);

/* What a retake of a gated step's quiz came to. */
struct gate_result {
	bool passed;
	size_t questions, right;
};

/* A retake of the quiz gating step `position` of path `path_id` by
 * `user_id`: `answers` is a JSON array of {"question_id", "choice"} naming
 * each of the clip's quiz questions once. Retakes pay nothing and leave the
 * first answers (what quiz analytics count) as they were. CR_ENOTFOUND for
 * no such path, step or gate; CR_EINVAL with `why` (field "answers") when
 * the answers do not name each question once; CR_ECONFLICT with `why` when
 * the agent has not finished watching the clip since the last attempt (or
 * already passed the gate). */
cr_err paths_gate_retake(int64_t path_id, size_t position, int64_t user_id, json_t *answers,
			 int64_t now_ms, struct gate_result *out, struct cr_problem *why);

#endif
