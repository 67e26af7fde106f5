/* Request counters and latency histograms, rendered with the operator
 * families in Prometheus text format. Lock-free: every counter is an
 * atomic. */
#ifndef CASEREEL_METRICS_H
#define CASEREEL_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "casereel/config.h"
#include "casereel/router.h"
#include "casereel/text_buf.h"

/* Counts one answered request by route and status. route_index is the
 * router index, or ROUTER_MAX_ROUTES for requests that matched no route.
 * Called when the answer is queued, so a client that has read it finds it
 * counted. */
void metrics_count(size_t route_index, unsigned status);

/* Adds one finished request's duration to the latency histograms, overall
 * and of its route (route_index as for metrics_count). */
void metrics_time(size_t route_index, uint64_t micros);

/* Renders every metric; returns a malloc'd NUL-terminated text and its
 * length in *len, or NULL on allocation failure. `cfg` names the media and
 * database file systems whose free space is reported. */
char *metrics_render(const struct router *r, const struct cr_config *cfg, size_t *len);

/* Appends the operator families (src/http/metrics_ops.c): jobs by state,
 * transcode outcomes and durations, uploads, media bytes, free disk,
 * SQLite contention, the process and the build. `started` is the start
 * time (cr_now seconds). Values the database must give are skipped with
 * the error logged when it does not answer. */
void metrics_ops_render(struct text_buf *b, const struct cr_config *cfg, int64_t started);

/* Marks the process start for the uptime and start-time gauges; call once
 * before the server answers. */
void metrics_start(void);

#endif
