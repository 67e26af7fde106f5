/* Per-user token buckets for writes (comments, likes, watch events,
 * check-ins, tips, orders, password changes): a bounded, sharded table that
 * many HTTP threads share. Memory never grows; see src/http/rate_limit.c. */
#ifndef CASEREEL_RATE_LIMIT_H
#define CASEREEL_RATE_LIMIT_H

#include <stdint.h>

#include "casereel/config.h"

struct rate_limits;

/* An empty table; NULL on allocation failure. Free with rate_limits_free. */
struct rate_limits *rate_limits_new(void);
void rate_limits_free(struct rate_limits **rl);

/* Spends one of user `user_id`'s `kind` writes at `now_ms` (cr_now_ms())
 * under `rate`. Returns 0 when the write may go ahead, else the whole
 * seconds (at least 1) until it may: nothing is spent then. A 0/0 rate
 * always allows. */
int rate_limits_take(struct rate_limits *rl, int64_t user_id, enum cr_rate_kind kind,
		     struct cr_rate rate, int64_t now_ms);

#endif
