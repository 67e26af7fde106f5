/* Requests in flight and the server's draining state. On a stop signal the
 * server drains: /readyz answers 503 at once so a load balancer moves new
 * traffic away, answers carry "Connection: close", new connections are
 * still served, and the stop waits until nothing is in flight (or the
 * drain timeout passes) before it closes what is left. */
#ifndef CASEREEL_DRAIN_H
#define CASEREEL_DRAIN_H

#include <stdbool.h>

/* A request began (its head arrived) / ended (its completion ran). Atomic:
 * safe from every HTTP thread. */
void drain_request_begin(void);
void drain_request_end(void);

/* A long streamed answer (a CSV export) began / was released: a drain
 * gives those only a grace (drain_wait), not its whole timeout, then
 * closes them. Atomic. */
void drain_long_begin(void);
void drain_long_end(void);

/* Requests begun and not yet ended. */
int drain_in_flight(void);

/* Enters the draining state (there is no way back: the process stops). */
void drain_start(void);

/* True once drain_start ran. */
bool drain_active(void);

/* Ends the drain now: a drain_wait under way (or to come) returns at once,
 * leaving what is in flight to be closed. Atomic: safe from any thread (the
 * second stop signal's watcher, include/casereel/drain_signal.h). */
void drain_cut(void);

/* True once drain_cut ran. */
bool drain_was_cut(void);

/* Waits until no request is in flight, `timeout_ms` passed, drain_cut ran
 * or, after `long_grace_ms`, only long streamed answers are left, whichever
 * comes first; returns how many are still in flight. */
int drain_wait(int timeout_ms, int long_grace_ms);

#endif
