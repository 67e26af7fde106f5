/* Operator counters that the store, media and HTTP layers bump where they
 * see the event (atomics: nothing on a hot path takes a lock) and /metrics
 * renders: upload and media bytes, transcode outcomes and durations, SQLite
 * lock contention. No HTTP types, so domain and store code may include it. */
#ifndef CASEREEL_OPS_STATS_H
#define CASEREEL_OPS_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "casereel/histogram.h"

enum ops_counter {
	OPS_UPLOAD_BYTES,       /* upload body bytes written to disk (tus and one-shot) */
	OPS_MEDIA_BYTES,        /* media file bytes answered with 200 or 206 */
	OPS_TRANSCODE_RETRIES,  /* jobs queued again after their transcoder died */
	OPS_CHILD_TIME_LIMIT,   /* transcoder children killed past their time limit */
	OPS_CHILD_CRASH,        /* transcoder children that died of a signal themselves */
	OPS_CHILD_STOP_IGNORED, /* children killed after ignoring a stop request */
	OPS_DB_BUSY,            /* SQLITE_BUSY results seen by the store */
	OPS_DB_LOCKED,          /* SQLITE_LOCKED results seen by the store */
	OPS_DB_BUSY_WAITS,      /* busy-handler calls: a connection waited for a lock */
	OPS_COUNTERS
};

/* Adds `n` to counter `c`. Safe from any thread. */
void ops_count(enum ops_counter c, uint64_t n);

/* The current value of counter `c`. */
uint64_t ops_counter_value(enum ops_counter c);

/* Counts one failed transcode under its error code slug ("unsupported",
 * "time-limit", ... as videos.error_code has it). Failures are rare, so
 * this takes a lock; past OPS_FAILURE_CODES distinct slugs they count as
 * "other". */
void ops_transcode_failed(const char *error_code);

#define OPS_FAILURE_CODES 24
#define OPS_CODE_CHARS    32

struct ops_failure {
	char code[OPS_CODE_CHARS];
	uint64_t count;
};

/* Copies up to `max` failure counts (slug and count) into `out`; returns
 * how many. */
size_t ops_transcode_failures(struct ops_failure *out, size_t max);

/* The transcode durations, in seconds, of jobs that reached an outcome
 * (done or failed; not those a shutdown interrupted). Buckets suit 1-3
 * minute clips. */
extern struct histogram ops_transcode_seconds;

#endif
