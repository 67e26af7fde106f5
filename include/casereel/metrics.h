/* Request counters and latency histogram, rendered in Prometheus text
 * format. Lock-free: every counter is an atomic. */
#ifndef CASEREEL_METRICS_H
#define CASEREEL_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "casereel/router.h"

/* Counts one answered request by route and status. route_index is the
 * router index, or ROUTER_MAX_ROUTES for requests that matched no route.
 * Called when the answer is queued, so a client that has read it finds it
 * counted. */
void metrics_count(size_t route_index, unsigned status);

/* Adds one finished request's duration to the latency histogram. */
void metrics_time(uint64_t micros);

/* Renders every metric; returns a malloc'd NUL-terminated text and its
 * length in *len, or NULL on allocation failure. */
char *metrics_render(const struct router *r, size_t *len);

/* Marks the process start for the uptime gauge. */
void metrics_start(void);

#endif
