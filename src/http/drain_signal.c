/* The second stop signal's watcher. See include/casereel/drain_signal.h. */
#include "casereel/drain_signal.h"

#include <pthread.h>
#include <stdlib.h>

#include "casereel/drain.h"
#include "casereel/log.h"

static sigset_t watched; /* written before the thread starts, then only read */

static void *watch(void *arg)
{
	(void)arg;
	int sig = 0;
	if (sigwait(&watched, &sig) == 0) {
		log_warn("signal %d again: cutting the drain short (%d request(s) in flight "
			 "are closed now)",
			 sig, drain_in_flight());
		drain_cut();
	}
	return NULL;
}

cr_err drain_signal_watch(const sigset_t *stop)
{
	pthread_t t;
	watched = *stop;
	if (pthread_create(&t, NULL, watch, NULL) != 0) {
		log_warn("cannot watch for a second stop signal: the drain runs to its end");
		return CR_ENOMEM;
	}
	pthread_detach(t);
	return CR_OK;
}
