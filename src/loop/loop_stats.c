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

/* Completer i's comparison mean, each comparison agent weighted by how
 * often the resample drew it (all 1 for the estimate itself); NAN when the
 * resample drew none of them. */
static double control_mean(const struct impact_sample *s, size_t i, const unsigned *weight)
{
	double sum = 0, w = 0;
	for (size_t k = s->first[i]; k < s->first[i] + s->count[i]; k++) {
		double wk = weight ? weight[s->control_agent[k]] : 1;
		sum += wk * s->control_change[k];
		w += wk;
	}
	return w > 0 ? sum / w : NAN;
}

static bool sample_valid(const struct impact_sample *s)
{
	for (size_t i = 0; i < s->n_treated; i++) {
		if (!isfinite(s->treated_change[i]) || s->count[i] == 0)
			return false;
		for (size_t k = s->first[i]; k < s->first[i] + s->count[i]; k++)
			if (!isfinite(s->control_change[k]) || s->control_agent[k] >= s->n_control)
				return false;
	}
	return true;
}

/* One bootstrap replicate of the difference; NAN if it drew no usable pair. */
static double replicate(const struct impact_sample *s, unsigned *weight, uint64_t *state)
{
	memset(weight, 0, s->n_control * sizeof *weight);
	for (size_t k = 0; k < s->n_control; k++)
		weight[next_random(state) % s->n_control]++;
	double sum = 0;
	size_t used = 0;
	for (size_t k = 0; k < s->n_treated; k++) {
		size_t i = next_random(state) % s->n_treated;
		double c = control_mean(s, i, weight);
		if (isfinite(c)) {
			sum += s->treated_change[i] - c;
			used++;
		}
	}
	return used ? sum / (double)used : NAN;
}

cr_err impact_estimate(const struct impact_sample *s, size_t min_n, uint64_t seed, unsigned reps,
		       struct impact_estimate *out)
{
	memset(out, 0, sizeof *out);
	if (reps < 100 || !sample_valid(s))
		return CR_EINVAL;
	size_t n = s->n_treated;
	out->n_treated = n;
	out->n_control = s->n_control;
	if (n == 0)
		return CR_OK;
	double sum_t = 0, sum_c = 0;
	for (size_t i = 0; i < n; i++) {
		sum_t += s->treated_change[i];
		sum_c += control_mean(s, i, NULL);
	}
	out->treated_change = sum_t / (double)n;
	out->control_change = sum_c / (double)n;
	out->difference = out->treated_change - out->control_change;
	out->enough = n >= min_n && s->n_control >= min_n && n >= 2;
	if (!out->enough)
		return CR_OK;

	double *diffs = malloc(reps * sizeof *diffs);
	unsigned *weight = malloc(s->n_control * sizeof *weight);
	if (!diffs || !weight) {
		free(diffs);
		free(weight);
		return CR_ENOMEM;
	}
	uint64_t state = seed ? seed : 0x9E3779B97F4A7C15ULL;
	size_t got = 0;
	for (unsigned r = 0; r < reps; r++) {
		double d = replicate(s, weight, &state);
		if (isfinite(d))
			diffs[got++] = d;
	}
	qsort(diffs, got, sizeof *diffs, compare_doubles);
	out->ci_low = got ? quantile(diffs, got, 0.025) : NAN;
	out->ci_high = got ? quantile(diffs, got, 0.975) : NAN;
	free(diffs);
	free(weight);
	return CR_OK;
}
