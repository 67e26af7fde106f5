/* A lock-free histogram with fixed bucket bounds: observations are atomic
 * adds (no lock on the hot path), reads are a consistent-enough snapshot
 * for a scrape. Used for request latency and transcode durations. */
#ifndef CASEREEL_HISTOGRAM_H
#define CASEREEL_HISTOGRAM_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#define HISTOGRAM_MAX_BUCKETS 16

struct histogram {
	const double *le; /* upper bounds in seconds, ascending; static */
	size_t n;         /* how many (at most HISTOGRAM_MAX_BUCKETS) */
	atomic_uint_fast64_t counts[HISTOGRAM_MAX_BUCKETS + 1]; /* the last is +Inf */
	atomic_uint_fast64_t sum_us;
};

/* A histogram's state at one read: cumulative counts per bound (as the
 * Prometheus _bucket lines want them), the count and the sum in seconds. */
struct histogram_read {
	uint64_t cumulative[HISTOGRAM_MAX_BUCKETS + 1];
	uint64_t count;
	double sum;
};

/* Counts one observation of `micros` microseconds. Safe from any thread. */
void histogram_observe(struct histogram *h, uint64_t micros);

/* Reads `h` into `out`. */
void histogram_read(const struct histogram *h, struct histogram_read *out);

#endif
