/* Operator counters. See include/casereel/ops_stats.h. */
#include "casereel/ops_stats.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

static atomic_uint_fast64_t counters[OPS_COUNTERS];

static pthread_mutex_t failures_mu = PTHREAD_MUTEX_INITIALIZER;
static struct ops_failure failures[OPS_FAILURE_CODES];
static size_t nfailures;

/* A 1-3 minute phone clip transcodes in tens of seconds to a few minutes
 * on one core; the time limit (default 900 s) bounds the top. */
static const double transcode_le[] = {1, 2.5, 5, 10, 20, 30, 45, 60, 90, 120, 180, 300, 600, 900};
struct histogram ops_transcode_seconds = {
	.le = transcode_le,
	.n = sizeof transcode_le / sizeof transcode_le[0],
};

void ops_count(enum ops_counter c, uint64_t n)
{
	if (c < OPS_COUNTERS)
		atomic_fetch_add_explicit(&counters[c], n, memory_order_relaxed);
}

uint64_t ops_counter_value(enum ops_counter c)
{
	return c < OPS_COUNTERS ? atomic_load_explicit(&counters[c], memory_order_relaxed) : 0;
}

void ops_transcode_failed(const char *error_code)
{
	const char *code = error_code && *error_code ? error_code : "internal";
	pthread_mutex_lock(&failures_mu);
	size_t i = 0;
	while (i < nfailures && strcmp(failures[i].code, code) != 0)
		i++;
	if (i == nfailures && nfailures < OPS_FAILURE_CODES - 1)
		snprintf(failures[nfailures++].code, OPS_CODE_CHARS, "%s", code);
	else if (i == nfailures) { /* the last slot gathers the codes past the table */
		i = OPS_FAILURE_CODES - 1;
		snprintf(failures[i].code, OPS_CODE_CHARS, "other");
		nfailures = OPS_FAILURE_CODES;
	}
	failures[i].count++;
	pthread_mutex_unlock(&failures_mu);
}

size_t ops_transcode_failures(struct ops_failure *out, size_t max)
{
	pthread_mutex_lock(&failures_mu);
	size_t n = nfailures < max ? nfailures : max;
	memcpy(out, failures, n * sizeof *out);
	pthread_mutex_unlock(&failures_mu);
	return n;
}
