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

/* Requests begun and not yet ended. */
int drain_in_flight(void);

/* Enters the draining state (there is no way back: the process stops). */
void drain_start(void);

/* True once drain_start ran. */
bool drain_active(void);

/* Waits until no request is in flight or `timeout_ms` passed, whichever
 * comes first; returns how many are still in flight. */
int drain_wait(int timeout_ms);

#endif
