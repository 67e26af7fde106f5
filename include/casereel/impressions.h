/* Impressions ("this viewer was shown this clip") are ranking signals, so
 * they are buffered in memory and written in one transaction per second
 * instead of costing each feed request a durable commit. At most the last
 * second's impressions are lost if the process is killed. A clip's
 * impressions count each viewer once per calendar day (in the configured
 * time zone), however often they reload the feed. */
#ifndef CASEREEL_IMPRESSIONS_H
#define CASEREEL_IMPRESSIONS_H

#include <stddef.h>
#include <stdint.h>

#include "casereel/error.h"

#define IMPRESSIONS_BUFFER 65536 /* pending pairs; more are dropped and counted */

/* Queues that `viewer_id` was shown clips ids[0..n). */
void impressions_add(int64_t viewer_id, const int64_t *ids, size_t n);

/* Writes everything queued (called every second and at shutdown). */
cr_err impressions_flush(void);

/* Impressions dropped because the buffer was full, since start. */
uint64_t impressions_dropped(void);

#endif
