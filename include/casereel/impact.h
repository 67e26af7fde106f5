/* Impact (学习效果评估): did finishing a clip, a path or a pushed path move
 * a service metric? Difference in differences: each completer's change of
 * the metric's mean from the 14 days before their completion (or push) to
 * the 14 days after, against agents of the same team and tenure band who
 * had not completed it, over the same calendar windows. Read-only. */
#ifndef CASEREEL_IMPACT_H
#define CASEREEL_IMPACT_H

#include <jansson.h>
#include <stdint.h>

#include "casereel/error.h"

#define IMPACT_WINDOW_DAYS 14
#define IMPACT_MIN_N       20 /* per group, below which there is no number */
#define IMPACT_MIN_DAYS    3  /* days with data each side of a window, per agent */
#define IMPACT_SEED        20261206u

enum impact_kind { IMPACT_VIDEO, IMPACT_PATH, IMPACT_RULE };

struct impact_query {
	enum impact_kind kind;
	int64_t id;
	const char *metric; /* metric name */
	const char *tag;    /* for per-skill metrics; NULL otherwise */
	size_t min_n;       /* 0 = IMPACT_MIN_N */
};

/* The report as JSON (new reference): the item, the metric, n of each
 * group, each group's mean change, the difference and its 95% interval
 * (seeded bootstrap: the same data give the same interval), `enough`
 * (false below min_n: the numbers are then null), and `pairs`, one per
 * completer, for export. CR_ENOTFOUND for an unknown item; CR_EINVAL with
 * `why` naming the field for an unknown metric or tag, or a tag that does
 * not suit the metric. */
cr_err impact_report(const struct impact_query *q, json_t **out, struct cr_problem *why);

#endif
