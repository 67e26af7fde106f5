/* Unit tests for src/loop/loop_stats.c: the gap score on fixtures with known
 * numbers, and the impact estimator on generated agents with a planted
 * effect, with none, and below the minimum n. Every generator is seeded, so
 * a run is the same on every machine. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>

#include "casereel/loop_stats.h"

static void test_gap_known_numbers(void **state)
{
	(void)state;
	double v[14];
	for (int i = 0; i < 14; i++)
		v[i] = 62;
	struct gap_series s = {.target = 80,
			       .worst = 0,
			       .values = v,
			       .nvalues = 14,
			       .mean7 = 62,
			       .ndays7 = 7,
			       .team_better = 0.8};
	struct gap_parts g;
	assert_true(gap_score(&s, &g));
	assert_true(fabs(g.shortfall - 0.225) < 1e-9);
	assert_true(fabs(g.persist - 1.0) < 1e-9);
	assert_int_equal(g.score, 57); /* 100 x (0.5 x 0.225 + 0.3 x 1 + 0.2 x 0.8) */

	/* a better week: the target is met, so no gap whatever the history */
	s.mean7 = 81;
	assert_true(gap_score(&s, &g));
	assert_int_equal(g.score, 0);
}

static void test_gap_lower_is_better(void **state)
{
	(void)state;
	/* handle time: 360 s target, 1200 s the worst; half the days above */
	double v[] = {300, 450, 320, 460, 310, 470};
	struct gap_series s = {.target = 360,
			       .worst = 1200,
			       .lower_is_better = true,
			       .values = v,
			       .nvalues = 6,
			       .mean7 = 450,
			       .ndays7 = 4,
			       .team_better = 0.5};
	struct gap_parts g;
	assert_true(gap_score(&s, &g));
	assert_true(fabs(g.shortfall - 90.0 / 840.0) < 1e-9);
	assert_true(fabs(g.persist - 0.5) < 1e-9);
	assert_int_equal(g.score, (int)lround(100 * (0.5 * 90.0 / 840 + 0.15 + 0.1)));
	assert_true(gap_below_target(361, 360, true));
	assert_false(gap_below_target(361, 360, false));
}

static void test_gap_needs_data(void **state)
{
	(void)state;
	double v[] = {10, 20};
	struct gap_series s = {
		.target = 80, .worst = 0, .values = v, .nvalues = 2, .mean7 = 15, .ndays7 = 2};
	struct gap_parts g;
	assert_false(gap_score(&s, &g)); /* two days are not enough to call it a gap */
	assert_int_equal(g.score, 0);
	double w[] = {10, 20, 30};
	s.values = w;
	s.nvalues = 3;
	s.ndays7 = 0; /* nothing in the last week */
	assert_false(gap_score(&s, &g));
}

/* A seeded normal generator (Box-Muller over a 64-bit LCG). */
static uint64_t lcg = 1;
static double uniform(void)
{
	lcg = lcg * 6364136223846793005ULL + 1442695040888963407ULL;
	return ((double)(lcg >> 11) + 0.5) / 9007199254740992.0;
}
static double normal(double mean, double sd)
{
	return mean + sd * sqrt(-2 * log(uniform())) * cos(2 * M_PI * uniform());
}

/* One agent's mean change over 14 days before and after, with a level, a
 * shared trend, daily noise and `effect` added after. */
static double agent_change(double effect)
{
	double level = normal(70, 8), before = 0, after = 0;
	for (int d = 0; d < 14; d++) {
		before += level + normal(0, 6);
		after += level + 1.0 /* the floor's trend */ + effect + normal(0, 6);
	}
	return (after - before) / 14;
}

#define MAX_T 64
#define MAX_C 160

/* n completers, all compared with the same nc agents over the same windows
 * (as when everyone finished on one day). */
struct world {
	double treated[MAX_T];
	size_t first[MAX_T], count[MAX_T];
	double control[MAX_T * MAX_C];
	size_t agent[MAX_T * MAX_C];
	struct impact_sample s;
};

static void make_world(struct world *w, size_t n, size_t nc, double effect, uint64_t seed)
{
	double change[MAX_C];
	lcg = seed;
	for (size_t j = 0; j < nc; j++)
		change[j] = agent_change(0);
	for (size_t i = 0; i < n; i++) {
		w->treated[i] = agent_change(effect);
		w->first[i] = i * nc;
		w->count[i] = nc;
		for (size_t j = 0; j < nc; j++) {
			w->control[i * nc + j] = change[j];
			w->agent[i * nc + j] = j;
		}
	}
	w->s = (struct impact_sample){.n_treated = n,
				      .treated_change = w->treated,
				      .first = w->first,
				      .count = w->count,
				      .control_change = w->control,
				      .control_agent = w->agent,
				      .n_control = nc};
}

static struct world w;

static void test_impact_finds_planted_effect(void **state)
{
	(void)state;
	/* one world like the demo's: 34 completers, 120 comparison agents */
	struct impact_estimate e;
	make_world(&w, 34, 120, 7.0, 1);
	assert_int_equal(impact_estimate(&w.s, 20, 42, 2000, &e), CR_OK);
	assert_true(e.enough);
	assert_true(e.ci_low <= 7.0 && 7.0 <= e.ci_high);
	assert_true(e.ci_low > 0); /* the interval excludes no effect */
	assert_true(fabs(e.difference - (e.treated_change - e.control_change)) < 1e-9);
	assert_true(e.treated_change > e.control_change + 5);

	/* over many worlds the interval holds the planted effect about 95% of
	 * the time and never takes in zero */
	int covered = 0;
	for (uint64_t seed = 1; seed <= 100; seed++) {
		make_world(&w, 34, 40, 7.0, seed);
		assert_int_equal(impact_estimate(&w.s, 20, seed, 1000, &e), CR_OK);
		covered += e.ci_low <= 7.0 && 7.0 <= e.ci_high;
		assert_true(e.ci_low > 0);
	}
	print_message("planted effect covered in %d of 100 worlds\n", covered);
	assert_in_range(covered, 88, 100);
}

static void test_impact_no_effect_contains_zero(void **state)
{
	(void)state;
	struct impact_estimate e;
	make_world(&w, 40, 30, 0.0, 100);
	assert_int_equal(impact_estimate(&w.s, 20, 42, 2000, &e), CR_OK);
	assert_true(e.enough);
	assert_true(e.ci_low <= 0 && 0 <= e.ci_high);

	/* a false alarm in at most a few worlds of a hundred, even when the
	 * comparison group is small and shared by every completer */
	int contains_zero = 0;
	for (uint64_t seed = 100; seed < 200; seed++) {
		make_world(&w, 40, 20, 0.0, seed);
		assert_int_equal(impact_estimate(&w.s, 20, seed, 1000, &e), CR_OK);
		contains_zero += e.ci_low <= 0 && 0 <= e.ci_high;
	}
	print_message("no effect: zero inside the interval in %d of 100 worlds\n", contains_zero);
	assert_in_range(contains_zero, 88, 100);
}

static void test_impact_reproducible_and_guarded(void **state)
{
	(void)state;
	struct impact_estimate a, b;
	make_world(&w, 25, 30, 2.0, 7);
	assert_int_equal(impact_estimate(&w.s, 20, 99, 1000, &a), CR_OK);
	assert_int_equal(impact_estimate(&w.s, 20, 99, 1000, &b), CR_OK);
	assert_true(a.ci_low == b.ci_low && a.ci_high == b.ci_high);

	/* below the minimum n in either group: counts only */
	make_world(&w, 19, 30, 2.0, 7);
	assert_int_equal(impact_estimate(&w.s, 20, 99, 1000, &a), CR_OK);
	assert_false(a.enough);
	assert_int_equal(a.n_treated, 19);
	make_world(&w, 25, 19, 2.0, 7);
	assert_int_equal(impact_estimate(&w.s, 20, 99, 1000, &a), CR_OK);
	assert_false(a.enough);
	assert_int_equal(a.n_control, 19);
	make_world(&w, 0, 19, 2.0, 7);
	assert_int_equal(impact_estimate(&w.s, 20, 99, 1000, &a), CR_OK);
	assert_false(a.enough);

	make_world(&w, 25, 30, 2.0, 7);
	w.control[3] = NAN;
	assert_int_equal(impact_estimate(&w.s, 20, 99, 1000, &a), CR_EINVAL);
	make_world(&w, 25, 30, 2.0, 7);
	w.count[4] = 0; /* a completer with nobody to compare with */
	assert_int_equal(impact_estimate(&w.s, 20, 99, 1000, &a), CR_EINVAL);
	make_world(&w, 25, 30, 2.0, 7);
	assert_int_equal(impact_estimate(&w.s, 2, 99, 10, &a), CR_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gap_known_numbers),
		cmocka_unit_test(test_gap_lower_is_better),
		cmocka_unit_test(test_gap_needs_data),
		cmocka_unit_test(test_impact_finds_planted_effect),
		cmocka_unit_test(test_impact_no_effect_contains_zero),
		cmocka_unit_test(test_impact_reproducible_and_guarded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
