/* Earning and spending points: the rules (admin-editable), daily check-in
 * with streaks, learning and creator rewards, the gift catalogue and tips.
 * Everything moves points through the ledger (casereel/ledger.h). */
#ifndef CASEREEL_POINTS_H
#define CASEREEL_POINTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "casereel/error.h"
#include "casereel/labels.h"

#define POINTS_STREAK_MAX_DAYS 30 /* entries in the check-in bonus table */
#define POINTS_DAY_LEN         11 /* "YYYY-MM-DD" + NUL */

/* The calendar day of `t` in the process time zone (TZ is set from the
 * configured timezone at start), and the day before it. */
void points_day(time_t t, char out[POINTS_DAY_LEN]);
void points_prev_day(const char *day, char out[POINTS_DAY_LEN]);

/* The streak after checking in on `today` when the last check-in was on
 * `last_day` (NULL or "" for never) with streak `last_streak`. */
int points_next_streak(const char *last_day, int last_streak, const char *today);

/* The bonus for streak day `streak` (1-based) from `table` (a JSON array of
 * positive integers): days past the table's end get its last entry. */
int64_t points_streak_bonus(const json_t *table, int streak);

/* The rules as JSON (new reference):
 * {checkin_bonus: [..], learn_points, approve_points, free_tip_points, tip_pair_cap}. */
cr_err points_rules_json(json_t **out);

/* Updates the rules given in `patch` (validated by the caller). */
cr_err points_rules_update(const json_t *patch);

/* Checks user `user_id` in for the day of `now`; must run inside the
 * caller's transaction. CR_ECONFLICT ("already-checked-in", in `why`) when
 * already checked in that day. *out is {day, streak, points, balance}. */
cr_err points_checkin(int64_t user_id, time_t now, json_t **out, struct cr_problem *why);

/* The streak as of `now` (0 when the last check-in was before yesterday)
 * and whether the user checked in today. */
cr_err points_streak(int64_t user_id, time_t now, int *streak, bool *today);

/* Creator rewards when this many people other than the creator have
 * finished a clip: {count, points}. */
#define POINTS_COMPLETION_MILESTONES                                                               \
	{                                                                                          \
		{5, 10}, {25, 25},                                                                 \
		{                                                                                  \
			100, 50                                                                    \
		}                                                                                  \
	}

/* Pays learning credits a crash left unpaid: completions since `since`
 * (the watch commits before its credit) with no credit in the ledger.
 * Called at start; *paid counts the credits paid now. */
cr_err points_pay_missing_credits(int64_t since, int *paid);

/* Creator rewards when this many people other than the creator like a
 * clip: {count, points}. */
#define POINTS_LIKE_MILESTONES                                                                     \
	{                                                                                          \
		{10, 5}, {50, 15},                                                                 \
		{                                                                                  \
			200, 40                                                                    \
		}                                                                                  \
	}

/* Pays the creator of clip `video_id` each like milestone it has reached,
 * counting other people's likes only, once (the ledger's unique refs hold
 * that). Opens its own transactions. */
cr_err points_reward_likes(int64_t video_id);

/* Learning credit for the first completion of a clip: pays the viewer
 * once per clip (the ledger's unique ref holds it), never for one's own
 * clip, and pays the creator each completion milestone reached, once.
 * Opens its own transactions. *earned gets the viewer's points paid now
 * (0 when paid before or not eligible). */
cr_err points_reward_completion(int64_t video_id, int64_t viewer_id, int64_t *earned);

/* Creator reward for an approved clip, once per clip; must run inside the
 * caller's transaction (the approval's). */
cr_err points_reward_approval(int64_t video_id);

/* Gift catalogue, ordered for display: [{name, label, labels: {en, zh},
 * points, active}] (label is the English name, as labels.en). */
cr_err points_gifts_json(bool active_only, json_t **out);

/* One gift of a catalogue update: labels.en required for a new gift (an
 * update without it keeps the old one); labels.zh NULL keeps the old
 * Chinese label unless clear_zh. */
struct points_gift {
	const char *name;
	struct cr_labels labels;
	int64_t points;
	bool active;
};

/* Creates or updates each of the `n` gifts (validated), all or none, in
 * one transaction. CR_EINVAL (field "gifts") for a new gift without an
 * English label. */
cr_err points_gifts_put(const struct points_gift *gifts, size_t n, struct cr_problem *why);

/* points_gifts_put inside the caller's transaction (the demo seed's). */
cr_err points_gifts_put_in_tx(const struct points_gift *gifts, size_t n, struct cr_problem *why);

/* Tips `count` × `gift` on clip `video_id` from `viewer_id`; inside the
 * caller's transaction. The day's free allowance (company-funded) is used
 * first, the rest comes from the viewer's balance. *out is the tip receipt.
 * Refusals fill `why` and write nothing: CR_ENOTFOUND (clip not
 * published), CR_EINVAL (unknown or retired gift, field "gift"),
 * CR_EFORBIDDEN ("self-tip": one's own clip), CR_ETHROTTLED ("tip-cap": the
 * day's cap for this viewer → creator pair), CR_EFUNDS (balance short). */
cr_err points_tip(int64_t video_id, int64_t viewer_id, const char *gift, int64_t count, time_t now,
		  json_t **out, struct cr_problem *why);

/* Today's free tip allowance left for `viewer_id`, and points tipped and
 * received by the user in total. */
cr_err points_tip_summary(int64_t user_id, time_t now, int64_t *free_left, int64_t *tips_given,
			  int64_t *tips_received);

#endif
