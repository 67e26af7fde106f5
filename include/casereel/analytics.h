/* Learning analytics for trainers: per clip (funnel, average watch, a
 * 10-bucket retention curve, how many questions its quiz has), per person
 * (the learning profile) and per team. Lists are rows of report_rows(),
 * keyed by the matching *_columns. */
#ifndef CASEREEL_ANALYTICS_H
#define CASEREEL_ANALYTICS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "casereel/error.h"
#include "casereel/report_rows.h"

#define ANALYTICS_CLIP_NCOLS   13
#define ANALYTICS_PERSON_NCOLS 10
#define ANALYTICS_TEAM_NCOLS   8

extern const char *const analytics_clip_columns[ANALYTICS_CLIP_NCOLS];
extern const char *const analytics_person_columns[ANALYTICS_PERSON_NCOLS];
extern const char *const analytics_team_columns[ANALYTICS_TEAM_NCOLS];

/* The clip list's orders. */
enum analytics_sort {
	ANALYTICS_BY_CREATED, /* published_at */
	ANALYTICS_BY_STARTS,
	ANALYTICS_BY_COMPLETIONS,
	ANALYTICS_BY_COMPLETION_RATE, /* completions / max(starts, 1) */
	ANALYTICS_BY_LIKES,
	ANALYTICS_SORTS
};
extern const char *const analytics_sort_names[ANALYTICS_SORTS];

#define ANALYTICS_CURSOR_MAX 96

/* One page of the clip list: keyset paging (rows after the cursor's sort
 * key and id), never OFFSET. */
struct analytics_page {
	enum analytics_sort sort;
	bool ascending;
	int64_t from,
		to; /* window [from, to), unix s (clips: published; people: activity); 0: open */
	long limit;
	bool after; /* continue after (after_key, after_id) */
	double after_key;
	int64_t after_id;
};

/* Reads `cursor` (from analytics_clips_page) into p's after_* fields.
 * CR_EINVAL when it is malformed or was made for another sort or order. */
cr_err analytics_cursor_parse(const char *cursor, struct analytics_page *p);

/* The cursor of the page after the row (key, id) in p's sort and order
 * into `next` (the form analytics_cursor_parse reads). */
void analytics_cursor_format(const struct analytics_page *p, double key, int64_t id,
			     char next[ANALYTICS_CURSOR_MAX]);

/* One page of published clips in p's order: *rows, and in `next` the
 * cursor of the following page ("" when this is the last). */
cr_err analytics_clips_page(const struct analytics_page *p, json_t **rows,
			    char next[ANALYTICS_CURSOR_MAX]);

/* One clip's funnel, retention curve and quiz accuracy (new reference;
 * NULL when out of memory). CR_ENOTFOUND unless it is published, pending
 * review or rejected. */
cr_err analytics_clip_json(int64_t id, json_t **out);

/* The learning profiles of the active users of team `team_id` (0: all), by
 * name then id, `limit` of them (<= 0: up to 5,000) after the user
 * `after_id` (0: from the first): *rows, and *next_id the last row's id when
 * more follow (0 otherwise). */
cr_err analytics_people(int64_t team_id, int64_t after_id, long limit, json_t **rows,
			int64_t *next_id);

/* One page of the active people of team `team_id` (0: all) in p's order:
 * starts, completions, completion_rate and likes are learner_totals' (all
 * time; a walk of its indexes) unless p has a window, when they count the
 * window's activity (clips first started, completions, likes given in it)
 * and only people active in it are listed; created is the account's
 * creation. *rows are learning profiles; `next` the following page's
 * cursor ("" at the end). */
cr_err analytics_people_page(const struct analytics_page *p, int64_t team_id, json_t **rows,
			     char next[ANALYTICS_CURSOR_MAX]);

/* One user's learning profile (new reference). CR_ENOTFOUND for an
 * unknown user. */
cr_err analytics_person_row(int64_t id, json_t **out);

/* One user's learning profile with quiz_accuracy (new reference).
 * CR_ENOTFOUND for an unknown user. */
cr_err analytics_person_json(int64_t id, json_t **out);

/* The teams' activity by name, `limit` of them (<= 0: up to 5,000) after
 * the team `after_id` (0: from the first): *rows, and *next_id the last
 * row's id when more follow (0 otherwise). */
cr_err analytics_teams(int64_t after_id, long limit, json_t **rows, int64_t *next_id);

/* The CSV exports' pagers (report_export): the published clips in p's
 * sort, order and window (from its cursor on, if any), the active people of
 * team `team_id` (0: all) by name, or in p's sort and window when p is not
 * NULL, every team by name. CR_ENOMEM when out of memory. */
cr_err analytics_export_clips(const struct analytics_page *p, struct report_pager *out);
cr_err analytics_export_people(int64_t team_id, const struct analytics_page *p,
			       struct report_pager *out);
cr_err analytics_export_teams(struct report_pager *out);

#endif
