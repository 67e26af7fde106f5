/* The learning loop's arithmetic, free of SQL and HTTP: the skill-gap score
 * of one agent on one metric, and the difference-in-differences estimate of
 * a learning item's impact with its bootstrap interval. docs/DESIGN.md ("The
 * learning loop") gives the formulas. */
#ifndef CASEREEL_LOOP_STATS_H
#define CASEREEL_LOOP_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "casereel/error.h"

/* Days with data a gap needs in its 14-day window. */
#define GAP_MIN_DAYS    3
#define GAP_WINDOW_DAYS 14

/* One agent's recent values of one metric (and tag). */
struct gap_series {
	double target;
	double worst;         /* the valid range's bad end: its minimum when higher is better */
	bool lower_is_better; /* e.g. handle time: "below target" then means above it */
	const double *values; /* days with data in the last GAP_WINDOW_DAYS, any order */
	size_t nvalues;
	double mean7;       /* mean of the days with data among the last 7 */
	size_t ndays7;      /* how many days that mean has; 0 = none */
	double team_better; /* share of the team with a better 7-day mean, 0..1 */
};

/* What a gap score is made of, for evidence and tests. */
struct gap_parts {
	double shortfall; /* 0..1: how far the 7-day mean misses the target, as a share
			   * of the distance from the target to the worst end */
	double persist;   /* 0..1: share of the window's days with data below target */
	double rank;      /* 0..1: team_better */
	int score;        /* 0..100 */
};

/* Whether `value` misses `target` in the metric's direction. */
bool gap_below_target(double value, double target, bool lower_is_better);

/* The gap score of `s` in *out (docs/DESIGN.md): 0 when the 7-day mean meets
 * the target. Returns false, leaving *out zeroed, when there are fewer than
 * GAP_MIN_DAYS days with data or no day in the last 7: not enough to judge. */
bool gap_score(const struct gap_series *s, struct gap_parts *out);

/* What the impact estimate is computed from. Completer i changed by
 * treated_change[i] across its completion; its comparison agents' changes
 * over the same calendar windows are control_change[first[i] ..
 * first[i] + count[i]), each naming which of the n_control comparison
 * agents it is in control_agent[] (an agent compared with many completers
 * appears once per completer). */
struct impact_sample {
	size_t n_treated;
	const double *treated_change;
	const size_t *first, *count;
	const double *control_change;
	const size_t *control_agent;
	size_t n_control;
};

struct impact_estimate {
	size_t n_treated;       /* completers with a comparison */
	size_t n_control;       /* distinct comparison agents */
	double treated_change;  /* mean of the completers' changes */
	double control_change;  /* mean over completers of their comparisons' mean change */
	double difference;      /* treated_change - control_change */
	double ci_low, ci_high; /* 95% bootstrap interval of the difference */
	bool enough;            /* both groups reach min_n; else only the counts are meaningful */
};

/* Difference in differences with a percentile bootstrap over agents: each
 * of `reps` resamples draws completers and comparison agents with
 * replacement (from `seed`: the same input and seed always give the same
 * interval). Every completer needs count[i] >= 1. CR_EINVAL for reps < 100,
 * a completer without comparisons or a NaN/inf input; CR_ENOMEM. Below
 * min_n in either group, *out has the counts and enough = false. */
cr_err impact_estimate(const struct impact_sample *s, size_t min_n, uint64_t seed, unsigned reps,
		       struct impact_estimate *out);

#endif
