/* The workers behind http_offload (include/casereel/http.h). Private to
 * src/http/. */
#ifndef CASEREEL_HTTP_OFFLOAD_H
#define CASEREEL_HTTP_OFFLOAD_H

#include "casereel/error.h"

/* Starts `n` workers (at least 1). */
cr_err offload_start(unsigned n);

/* Answers the jobs not started 503, waits for the running ones, and stops
 * the workers. Before timers_stop(): a finished job may hold its answer. */
void offload_stop(void);

#endif
