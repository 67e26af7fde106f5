/* The trainer's clip list a page at a time: keyset paging in one of
 * several orders, and its cursors ("<sort>.<a|d>.<key>~<id>", opaque to
 * clients). See include/casereel/analytics.h. */
#include "casereel/analytics.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casereel/report_rows.h"
#include "casereel/store.h"
#include "casereel/videos.h"

const char *const analytics_sort_names[ANALYTICS_SORTS] = {"created", "starts", "completions",
							   "completion_rate", "likes"};

cr_err analytics_cursor_parse(const char *cursor, struct analytics_page *p)
{
	char sort[24], dir;
	long long id;
	int used = 0;
	if (strlen(cursor) >= ANALYTICS_CURSOR_MAX ||
	    sscanf(cursor, "%23[a-z_].%c.%n", sort, &dir, &used) != 2 || !used ||
	    strcmp(sort, analytics_sort_names[p->sort]) || dir != (p->ascending ? 'a' : 'd'))
		return CR_EINVAL;
	char *end;
	errno = 0;
	double key = strtod(cursor + used, &end);
	if (errno || end == cursor + used || *end != '~' || !isfinite(key) ||
	    sscanf(end + 1, "%lld%n", &id, &used) != 1 || end[1 + used] || id < 1)
		return CR_EINVAL;
	p->after = true;
	p->after_key = key;
	p->after_id = id;
	return CR_OK;
}

void analytics_cursor_format(const struct analytics_page *p, double key, int64_t id,
			     char next[ANALYTICS_CURSOR_MAX])
{
	snprintf(next, ANALYTICS_CURSOR_MAX, "%s.%c.%.17g~%lld", analytics_sort_names[p->sort],
		 p->ascending ? 'a' : 'd', key, (long long)id);
}

/* The sort key of a row of the list, as the SQL computes it. */
static double row_key(json_t *row, enum analytics_sort sort)
{
	double starts = (double)json_integer_value(json_object_get(row, "starts"));
	double completions = (double)json_integer_value(json_object_get(row, "completions"));
	switch (sort) {
	case ANALYTICS_BY_STARTS: return starts;
	case ANALYTICS_BY_COMPLETIONS: return completions;
	case ANALYTICS_BY_COMPLETION_RATE: return completions * 1.0 / (starts > 1 ? starts : 1);
	case ANALYTICS_BY_LIKES: return (double)json_integer_value(json_object_get(row, "likes"));
	default: return (double)json_integer_value(json_object_get(row, "published_at"));
	}
}

/* ?1 sort, ?2 direction (1 descending, -1 ascending), ?3/?4 published_at
 * window, ?5 after a row (0/1), ?6/?7 its key and id, ?8 rows. The page is
 * chosen from the clips' own columns first; the per-clip figures are read
 * for its rows only. */
static const char page_sql[] =
	"WITH k AS (SELECT id, CASE ?1 WHEN 1 THEN starts WHEN 2 THEN completions"
	"   WHEN 3 THEN completions * 1.0 / max(starts, 1) WHEN 4 THEN likes"
	"   ELSE published_at END AS key FROM videos"
	"   WHERE status = " VIDEO_SQL_PUBLISHED " AND published_at >= ?3 AND published_at < ?4),"
	" page AS (SELECT id, key FROM k WHERE ?5 = 0 OR (key * ?2, id * ?2) < (?6 * ?2, ?7 * ?2)"
	"   ORDER BY key * ?2 DESC, id * ?2 DESC LIMIT ?8)"
	"SELECT v.id, v.title, u.display_name, v.published_at, v.impressions, v.starts,"
	" (SELECT count(*) FROM watches w WHERE w.video_id = v.id),"
	" v.completions,"
	" (SELECT round(100.0 * avg(min(w.max_position / v.duration, 1.0)), 1) FROM watches w"
	"   WHERE w.video_id = v.id AND v.duration > 0),"
	" v.likes, v.comments, v.tips,"
	" (SELECT count(*) FROM quiz_questions q WHERE q.video_id = v.id AND q.active = 1)"
	" FROM page CROSS JOIN videos v ON v.id = page.id JOIN users u ON u.id = v.owner_id"
	" ORDER BY page.key * ?2 DESC, page.id * ?2 DESC";

cr_err analytics_clips_page(const struct analytics_page *p, json_t **rows,
			    char next[ANALYTICS_CURSOR_MAX])
{
	next[0] = '\0';
	sqlite3_stmt *st = store_stmt(page_sql);
	if (!st)
		return CR_EDB;
	int dir = p->ascending ? -1 : 1;
	sqlite3_bind_int(st, 1, (int)p->sort);
	sqlite3_bind_int(st, 2, dir);
	sqlite3_bind_int64(st, 3, p->from);
	sqlite3_bind_int64(st, 4, p->to > 0 ? p->to : INT64_MAX);
	sqlite3_bind_int(st, 5, p->after);
	sqlite3_bind_double(st, 6, p->after_key);
	sqlite3_bind_int64(st, 7, p->after_id);
	sqlite3_bind_int64(st, 8, p->limit + 1); /* one more says whether a next page exists */
	*rows = report_rows(st, analytics_clip_columns, ANALYTICS_CLIP_NCOLS, (size_t)p->limit + 1);
	store_done(st);
	if (!*rows)
		return CR_ENOMEM;
	if (json_array_size(*rows) > (size_t)p->limit) {
		json_array_remove(*rows, json_array_size(*rows) - 1);
		json_t *last = json_array_get(*rows, json_array_size(*rows) - 1);
		analytics_cursor_format(p, row_key(last, p->sort),
					json_integer_value(json_object_get(last, "video_id")),
					next);
	}
	return CR_OK;
}
