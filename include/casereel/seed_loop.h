/* The learning loop's demo (src/demo/seed_loop.c): synthetic agents with
 * 60 days of service metrics, paths from the demo clips with a planted
 * effect, a push rule that has fired, agent1 in a refunds slump. */
#ifndef CASEREEL_SEED_LOOP_H
#define CASEREEL_SEED_LOOP_H

#include "casereel/error.h"

/* At first start (no metric values yet, the demo catalogue loaded): adds
 * `agents` synthetic agents and the loop's demo world; nothing when
 * agents <= 0. Runs after the demo clips are published; paths need them
 * and are left out when there are none. */
cr_err seed_loop_load(int agents);

#endif
