/* The service half of the agent profile: one line per metric and tag the
 * agent has data for in the last 30 days, with its means, trend, team
 * standing and gap. Private to src/loop/. */
#ifndef CASEREEL_PROFILE_SERVICE_H
#define CASEREEL_PROFILE_SERVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "casereel/error.h"
#include "casereel/kpi.h"
#include "casereel/loop_stats.h"

#define SERVICE_MAX_LINES 64
#define SERVICE_DAYS      30

struct service_line {
	struct kpi_metric metric;
	int64_t tag_id;     /* the row's tag; 0 for an overall metric */
	int64_t gap_tag_id; /* the skill the line speaks for; 0 = none (overall score) */
	char tag[KPI_NAME_MAX + 1];
	char gap_tag[KPI_NAME_MAX + 1];
	double last_value;
	int32_t last_day;
	double sum7, sum30;
	size_t n7, n30;
	double window[GAP_WINDOW_DAYS]; /* values of the last 14 days with data */
	size_t nwindow;
	double trend_per_week; /* least-squares slope over 30 days, per 7 days */
	size_t team_n;         /* team members with a 7-day mean, the agent included */
	double team_better;    /* share of the others with a better 7-day mean */
	bool judged;           /* gap_score had enough data */
	struct gap_parts gap;
	size_t days_below; /* days below target in the window */
};

/* Fills lines[0..*n) for user `user_id` of team `team_id` (0 = none) as of
 * day `today`, at most SERVICE_MAX_LINES, ordered by metric and tag. */
cr_err service_collect(int64_t user_id, int64_t team_id, int32_t today, struct service_line *lines,
		       size_t *n);

#endif
