/* Gap scores and impact estimates. See include/casereel/loop_stats.h. */
#include "casereel/loop_stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

bool gap_below_target(double value, double target, bool lower_is_better)
{
	return lower_is_better ? value > target : value < target;
}

static double clamp01(double x)
{
	return x < 0 ? 0 : x > 1 ? 1 : x;
}

bool gap_score(const struct gap_series *s, struct gap_parts *out)
{
	memset(out, 0, sizeof *out);
	if (s->nvalues < GAP_MIN_DAYS || s->ndays7 == 0)
		return false;
	if (!gap_below_target(s->mean7, s->target, s->lower_is_better))
		return true;
	double span = fabs(s->target - s->worst);
	out->shortfall = span > 0 ? clamp01(fabs(s->target - s->mean7) / span) : 1;
	size_t below = 0;
	for (size_t i = 0; i < s->nvalues; i++)
		below += gap_below_target(s->values[i], s->target, s->lower_is_better);
	out->persist = (double)below / (double)s->nvalues;
	out->rank = clamp01(s->team_better);
	out->score =
		(int)lround(100.0 * (0.5 * out->shortfall + 0.3 * out->persist + 0.2 * out->rank));
	return true;
}

/* xorshift64*: small, fast and reproducible across machines. */
static uint64_t next_random(uint64_t *state)
{
	uint64_t x = *state;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545F4914F6CDD1DULL;
}

static int compare_doubles(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* The q-quantile of sorted `v` by linear interpolation. */
static double quantile(const double *v, size_t n, double q)
{
	double pos = q * (double)(n - 1);
	size_t lo = (size_t)floor(pos);
	size_t hi = lo + 1 < n ? lo + 1 : lo;
	return v[lo] + (v[hi] - v[lo]) * (pos - (double)lo);
}

cr_err impact_estimate(const struct impact_pair *pairs, size_t n, size_t n_control, size_t min_n,
		       uint64_t seed, unsigned reps, struct impact_estimate *out)
{
	memset(out, 0, sizeof *out);
	if (reps < 100)
		return CR_EINVAL;
	double sum_t = 0, sum_c = 0;
	for (size_t i = 0; i < n; i++) {
		if (!isfinite(pairs[i].treated_change) || !isfinite(pairs[i].control_change))
			return CR_EINVAL;
		sum_t += pairs[i].treated_change;
		sum_c += pairs[i].control_change;
	}
	out->n_treated = n;
	out->n_control = n_control;
	if (n == 0)
		return CR_OK;
	out->treated_change = sum_t / (double)n;
	out->control_change = sum_c / (double)n;
	out->difference = out->treated_change - out->control_change;
	out->enough = n >= min_n && n_control >= min_n && n >= 2;
	if (!out->enough)
		return CR_OK;

	double *means = malloc(reps * sizeof *means);
	if (!means)
		return CR_ENOMEM;
	uint64_t state = seed ? seed : 0x9E3779B97F4A7C15ULL;
	for (unsigned r = 0; r < reps; r++) {
		double sum = 0;
		for (size_t k = 0; k < n; k++) {
			const struct impact_pair *p = &pairs[next_random(&state) % n];
			sum += p->treated_change - p->control_change;
		}
		means[r] = sum / (double)n;
	}
	qsort(means, reps, sizeof *means, compare_doubles);
	out->ci_low = quantile(means, reps, 0.025);
	out->ci_high = quantile(means, reps, 0.975);
	free(means);
	return CR_OK;
}
