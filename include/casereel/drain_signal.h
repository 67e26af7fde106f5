/* A second stop signal while the server drains ends the drain at once: the
 * operator who presses Ctrl-C twice does not wait out --drain-timeout. */
#ifndef CASEREEL_DRAIN_SIGNAL_H
#define CASEREEL_DRAIN_SIGNAL_H

#include <signal.h>

#include "casereel/error.h"

/* Starts a detached thread that waits for one more of the signals in
 * `stop` (which every thread must have blocked, as serve() does), then logs
 * it and calls drain_cut() (drain.h). Call once the first stop signal was
 * taken, just before the drain. CR_ENOMEM when the thread cannot start (the
 * drain then runs to its end or its timeout, as before). */
cr_err drain_signal_watch(const sigset_t *stop);

#endif
