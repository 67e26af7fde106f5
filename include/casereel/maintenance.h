/* The maintenance round: expiry sweeps and the media janitor, run by the
 * main loop every --maintenance-interval seconds (and by the test hooks). */
#ifndef CASEREEL_MAINTENANCE_H
#define CASEREEL_MAINTENANCE_H

#include <stdbool.h>

#include "casereel/config.h"

/* One round at cr_now(): expired uploads, feed snapshots and idempotency keys
 * go, then the media janitor deletes the files of removed and failed clips
 * (and, with `strays`, files and directories nothing names). Rounds never
 * overlap: a second caller waits for the round in progress, then runs its
 * own. What it did is logged; failures are logged and skipped. */
void maintenance_round(const struct cr_config *cfg, bool strays);

#endif
