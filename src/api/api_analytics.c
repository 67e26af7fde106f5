/* Learning analytics for trainers (src/feed/analytics.c), each list also
 * as a CSV export (?format=csv). */
#include "casereel/analytics.h"
#include "casereel/app.h"
#include "casereel/clock.h"
#include "casereel/report.h"
#include "casereel/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PAGE_DEFAULT 100
/* a team's row reads each member (a page of 100 teams of 500 people took
 * 200 ms in bench/scale.sh): 50 a page by default */
#define TEAMS_PAGE_DEFAULT 50
#define PAGE_MAX           500

/* Local midnight starting "YYYY-MM-DD" plus `days`, unix s; false when the
 * date is not one. */
static bool day_start(const char *date, int days, int64_t *out)
{
	struct tm tm = {0};
	if (!date_is_valid(date) ||
	    sscanf(date, "%d-%d-%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday) != 3)
		return false;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	tm.tm_mday += days;
	tm.tm_isdst = -1;
	*out = (int64_t)mktime(&tm);
	return true;
}

/* sort, order, from, to, limit and cursor of a sorted list into *p; on a
 * bad one answers 422 (400 for the cursor) and returns false. */
static bool page_query(struct cr_request *req, struct cr_response *res, struct analytics_page *p)
{
	const char *sort = http_query(req, "sort"), *order = http_query(req, "order");
	const char *from = http_query(req, "from"), *to = http_query(req, "to");
	const char *cursor = http_query(req, "cursor");
	*p = (struct analytics_page){.sort = ANALYTICS_SORTS};
	for (int i = 0; i < ANALYTICS_SORTS; i++)
		if (!sort || !strcmp(sort, analytics_sort_names[i])) {
			p->sort = (enum analytics_sort)i;
			break;
		}
	if (p->sort == ANALYTICS_SORTS) {
		http_invalid_field(
			res, "sort",
			"sort is created, starts, completions, completion_rate or likes");
		return false;
	}
	if (order && strcmp(order, "desc") && strcmp(order, "asc")) {
		http_invalid_field(res, "order", "order is desc or asc");
		return false;
	}
	p->ascending = order && !strcmp(order, "asc");
	if ((from && !day_start(from, 0, &p->from)) || (to && !day_start(to, 1, &p->to))) {
		http_invalid_field(res, from && !day_start(from, 0, &p->from) ? "from" : "to",
				   "from and to are dates, YYYY-MM-DD");
		return false;
	}
	if (!http_query_long(req, res, "limit", PAGE_DEFAULT, 1, PAGE_MAX, &p->limit))
		return false;
	if (cursor && analytics_cursor_parse(cursor, p)) {
		http_problem(res, 400, "invalid-cursor",
			     "the cursor is malformed or belongs to another sort or order");
		return false;
	}
	return true;
}

/* A sorted page's sort, order and next_cursor (new reference). */
static json_t *page_meta(const struct analytics_page *p, const char *next)
{
	return json_pack("{s:s, s:s, s:o}", "sort", analytics_sort_names[p->sort], "order",
			 p->ascending ? "asc" : "desc", "next_cursor",
			 next[0] ? json_string(next) : json_null());
}

/* True when the query asks for the CSV export. */
static bool wants_csv(struct cr_request *req)
{
	const char *format = http_query(req, "format");
	return format && !strcmp(format, "csv");
}

/* Answers the CSV export of what `made` (from analytics_export_*) reads. */
static void export(struct cr_request *req, struct cr_response *res, cr_err made,
		   const struct report_pager *pager, const char *const *columns, size_t ncols)
{
	if (made)
		http_error(res, made, "analytics");
	else
		report_export(req, res, pager, columns, ncols);
}

/* The clip list a page at a time; the CSV export has every clip of the
 * list's sort and window. */
static void clips(struct cr_request *req, struct cr_response *res)
{
	json_t *rows;
	struct report_pager pager;
	struct analytics_page p;
	char next[ANALYTICS_CURSOR_MAX];
	if (!page_query(req, res, &p))
		return;
	if (wants_csv(req)) {
		export(req, res, analytics_export_clips(&p, &pager), &pager, analytics_clip_columns,
		       ANALYTICS_CLIP_NCOLS);
		return;
	}
	if (analytics_clips_page(&p, &rows, next)) {
		http_error(res, CR_EDB, "analytics");
		return;
	}
	report_answer(req, res, rows, analytics_clip_columns, ANALYTICS_CLIP_NCOLS,
		      page_meta(&p, next));
}

static void clip_detail(struct cr_request *req, struct cr_response *res)
{
	int64_t id;
	if (!http_path_id(req, res, 0, "video", &id))
		return;
	json_t *j;
	cr_err e = analytics_clip_json(id, &j);
	if (e)
		http_error(res, e, e == CR_ENOTFOUND ? "transcoded video" : "analytics");
	else
		http_json(res, 200, j);
}

/* The id in a by-name list's cursor (the last row's id; 0 without one)
 * into *after; on a malformed one answers 400 and returns false. */
static bool id_cursor(struct cr_request *req, struct cr_response *res, int64_t *after)
{
	const char *cursor = http_query(req, "cursor");
	char *end = NULL;
	long long id = cursor ? strtoll(cursor, &end, 10) : 0;
	if (cursor && (end == cursor || *end || id < 1)) {
		http_problem(res, 400, "invalid-cursor", "the cursor is malformed");
		return false;
	}
	*after = id;
	return true;
}

/* {"next_cursor"} of a by-name page whose last row is `next` (0: the end). */
static json_t *id_cursor_meta(int64_t next)
{
	char s[24];
	snprintf(s, sizeof s, "%lld", (long long)next);
	return json_pack("{s:o}", "next_cursor", next ? json_string(s) : json_null());
}

/* The people list a page at a time: by name (the cursor is the last row's
 * user id) unless a sort, order or window is asked for, then in the clip
 * list's orders with its cursors; the CSV export has everyone, by name. */
static void people(struct cr_request *req, struct cr_response *res)
{
	long team, limit;
	if (!http_query_long(req, res, "team_id", 0, 0, INT64_MAX, &team) ||
	    !http_query_long(req, res, "limit", PAGE_DEFAULT, 1, PAGE_MAX, &limit))
		return;
	json_t *rows;
	bool sorted = http_query(req, "sort") || http_query(req, "order") ||
		      http_query(req, "from") || http_query(req, "to");
	struct analytics_page p;
	if (sorted && !page_query(req, res, &p))
		return;
	if (wants_csv(req)) {
		struct report_pager pager;
		export(req, res, analytics_export_people(team, sorted ? &p : NULL, &pager), &pager,
		       analytics_person_columns, ANALYTICS_PERSON_NCOLS);
		return;
	}
	if (sorted) {
		char next[ANALYTICS_CURSOR_MAX];
		if (analytics_people_page(&p, team, &rows, next)) {
			http_error(res, CR_EDB, "analytics");
			return;
		}
		report_answer(req, res, rows, analytics_person_columns, ANALYTICS_PERSON_NCOLS,
			      page_meta(&p, next));
		return;
	}
	int64_t after, next = 0;
	if (!id_cursor(req, res, &after))
		return;
	if (analytics_people(team, after, limit, &rows, &next)) {
		http_error(res, CR_EDB, "analytics");
		return;
	}
	report_answer(req, res, rows, analytics_person_columns, ANALYTICS_PERSON_NCOLS,
		      id_cursor_meta(next));
}

static void person(struct cr_request *req, struct cr_response *res)
{
	int64_t id;
	if (!http_path_id(req, res, 0, "user", &id))
		return;
	json_t *one;
	cr_err e = analytics_person_json(id, &one);
	if (e)
		http_error(res, e, e == CR_ENOTFOUND ? "user" : "analytics");
	else
		http_json(res, 200, one);
}

/* The teams a page at a time, by name (the cursor is the last row's team
 * id); the CSV export has every team. */
static void teams(struct cr_request *req, struct cr_response *res)
{
	long limit;
	int64_t after, next = 0;
	if (!http_query_long(req, res, "limit", TEAMS_PAGE_DEFAULT, 1, PAGE_MAX, &limit) ||
	    !id_cursor(req, res, &after))
		return;
	if (wants_csv(req)) {
		struct report_pager pager;
		export(req, res, analytics_export_teams(&pager), &pager, analytics_team_columns,
		       ANALYTICS_TEAM_NCOLS);
		return;
	}
	json_t *rows;
	if (analytics_teams(after, limit, &rows, &next)) {
		http_error(res, CR_EDB, "analytics");
		return;
	}
	report_answer(req, res, rows, analytics_team_columns, ANALYTICS_TEAM_NCOLS,
		      id_cursor_meta(next));
}

static const struct cr_route routes[] = {
	{"GET", "/api/v1/analytics/videos", CR_ROLE_TRAINER, CR_BODY_NONE, clips, NULL},
	{"GET", "/api/v1/analytics/videos/{id}", CR_ROLE_TRAINER, CR_BODY_NONE, clip_detail, NULL},
	{"GET", "/api/v1/analytics/users", CR_ROLE_TRAINER, CR_BODY_NONE, people, NULL},
	{"GET", "/api/v1/analytics/users/{id}", CR_ROLE_TRAINER, CR_BODY_NONE, person, NULL},
	{"GET", "/api/v1/analytics/teams", CR_ROLE_TRAINER, CR_BODY_NONE, teams, NULL},
};

cr_err api_analytics_register(struct router *r)
{
	return router_add(r, routes, sizeof routes / sizeof routes[0]);
}
