/* The analytics lists as pagers for their CSV exports: each page is the
 * next keyset page of the list's own paging. See
 * include/casereel/analytics.h. */
#include "casereel/analytics.h"

#include <stdlib.h>

/* Where an export is in its list. */
struct export_state {
	enum { BY_CLIP, BY_PERSON, BY_TEAM } list;
	bool done;
	int64_t team_id;            /* people: 0 = everyone */
	bool sorted;                /* people: in page's sort, not by name */
	int64_t after_id;           /* people by name, teams: the last row's id (0: none yet) */
	struct analytics_page page; /* clips, sorted people: the sort, after the last row */
};

/* The next keyset page of a sorted list (clips, or people when sorted). */
static cr_err next_sorted(struct export_state *s, size_t max, json_t **rows)
{
	char next[ANALYTICS_CURSOR_MAX];
	s->page.limit = (long)max;
	cr_err e = s->list == BY_CLIP ? analytics_clips_page(&s->page, rows, next)
				      : analytics_people_page(&s->page, s->team_id, rows, next);
	if (!e)
		s->done = !next[0] || analytics_cursor_parse(next, &s->page);
	return e;
}

static cr_err next_page(void *state, size_t max, json_t **rows)
{
	struct export_state *s = state;
	int64_t next_id = 0;
	cr_err e;
	if (s->done) {
		*rows = json_array();
		return *rows ? CR_OK : CR_ENOMEM;
	}
	if (s->list == BY_CLIP || s->sorted)
		return next_sorted(s, max, rows);
	switch (s->list) {
	case BY_PERSON:
		e = analytics_people(s->team_id, s->after_id, (long)max, rows, &next_id);
		break;
	default: e = analytics_teams(s->after_id, (long)max, rows, &next_id); break;
	}
	s->after_id = next_id;
	s->done = !next_id;
	return e;
}

static cr_err pager(struct export_state init, struct report_pager *out)
{
	struct export_state *s = malloc(sizeof *s);
	if (!s)
		return CR_ENOMEM;
	*s = init;
	*out = (struct report_pager){.next = next_page, .release = free, .state = s};
	return CR_OK;
}

cr_err analytics_export_clips(const struct analytics_page *p, struct report_pager *out)
{
	return pager((struct export_state){.list = BY_CLIP, .page = *p}, out);
}

cr_err analytics_export_people(int64_t team_id, const struct analytics_page *p,
			       struct report_pager *out)
{
	return pager((struct export_state){.list = BY_PERSON,
					   .team_id = team_id,
					   .sorted = p != NULL,
					   .page = p ? *p : (struct analytics_page){0}},
		     out);
}

cr_err analytics_export_teams(struct report_pager *out)
{
	return pager((struct export_state){.list = BY_TEAM}, out);
}
