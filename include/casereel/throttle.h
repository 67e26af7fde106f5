/* Counting failures per key (account name, client IP) in a fixed window,
 * in a bounded table: old entries are overwritten, memory never grows. */
#ifndef CASEREEL_THROTTLE_H
#define CASEREEL_THROTTLE_H

#include <stdbool.h>
#include <stdint.h>

struct throttle;

/* A table of `slots` entries; NULL on allocation failure. */
struct throttle *throttle_new(unsigned slots);
void throttle_free(struct throttle **t);

/* True when `key` already has `max` failures in the window that started
 * less than `window` seconds before `now`; *retry_after is set to the
 * seconds left in that window. */
bool throttle_blocked(struct throttle *t, const char *key, int64_t now, int window, int max,
		      int *retry_after);

/* Records one failure for `key` at `now`. */
void throttle_fail(struct throttle *t, const char *key, int64_t now, int window);

/* Forgets `key` (after a successful login). */
void throttle_clear(struct throttle *t, const char *key);

#endif
