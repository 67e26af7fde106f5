/* Counting login attempts per key (account name, client address) in a
 * fixed window, in a bounded table: old entries are overwritten, memory
 * never grows. Attempts are counted before their password is checked, so
 * parallel attempts cannot all slip in under the limit. */
#ifndef CASEREEL_THROTTLE_H
#define CASEREEL_THROTTLE_H

#include <stdbool.h>
#include <stdint.h>

struct throttle;

/* A table of `slots` entries; NULL on allocation failure. */
struct throttle *throttle_new(unsigned slots);
void throttle_free(struct throttle **t);

/* Counts one attempt for `key` at `now` (seconds) and returns the count in
 * its window, this attempt included. The window starts at the first attempt
 * and lasts `window` seconds. Check and count are one step: of N parallel
 * callers, each gets a different count. */
int throttle_take(struct throttle *t, const char *key, int64_t now, int window);

/* Takes back one attempt counted by throttle_take (it turned out to be no
 * failure); nothing when the window has ended meanwhile. */
void throttle_give_back(struct throttle *t, const char *key, int64_t now, int window);

/* The exponential backoff for the attempt numbered `count`: 0 up to
 * `free_attempts`, then 1 s, 2 s, 4 s ... capped at `cap_ms`, in ms. */
int throttle_backoff_ms(int count, int free_attempts, int cap_ms);

/* Forgets `key` (an account after a successful login). */
void throttle_clear(struct throttle *t, const char *key);

#endif
