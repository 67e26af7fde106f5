/* CPU-bound handlers off the HTTP threads: a queue and a few workers. A
 * rush of logins (argon2id, tens of milliseconds of CPU each) then waits
 * its turn in this queue, parked, instead of holding every HTTP thread
 * while feed pages wait for one. See offload.h and http_offload in
 * include/casereel/http.h. */
#include "offload.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "casereel/http.h"

#define OFFLOAD_MAX_WORKERS 64

struct job {
	struct cr_request *req;
	struct cr_response *res;
	http_offload_fn fn;
	struct job *next;
};

static struct {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t threads[OFFLOAD_MAX_WORKERS];
	unsigned n;
	bool running, stopping;
	struct job *head, **tail;
} O = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

/* Runs the job and sends (or holds) its answer. */
static void run_job(struct job *j)
{
	unsigned hold_ms = j->fn(j->req, j->res);
	if (!hold_ms || !http_hold(j->req, hold_ms))
		http_resume(j->req);
	free(j);
}

static void *worker(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&O.mu);
	for (;;) {
		while (!O.head && !O.stopping)
			pthread_cond_wait(&O.cv, &O.mu);
		struct job *j = O.head;
		if (!j)
			break; /* stopping, and nothing left */
		O.head = j->next;
		if (!O.head)
			O.tail = &O.head;
		pthread_mutex_unlock(&O.mu);
		run_job(j);
		pthread_mutex_lock(&O.mu);
	}
	pthread_mutex_unlock(&O.mu);
	return NULL;
}

cr_err offload_start(unsigned n)
{
	n = n < 1 ? 1 : n > OFFLOAD_MAX_WORKERS ? OFFLOAD_MAX_WORKERS : n;
	pthread_mutex_lock(&O.mu);
	O.head = NULL;
	O.tail = &O.head;
	O.stopping = false;
	O.n = 0;
	while (O.n < n && !pthread_create(&O.threads[O.n], NULL, worker, NULL))
		O.n++;
	O.running = O.n > 0;
	pthread_mutex_unlock(&O.mu);
	return O.n ? CR_OK : CR_ENOMEM;
}

void offload_stop(void)
{
	pthread_mutex_lock(&O.mu);
	if (!O.running) {
		pthread_mutex_unlock(&O.mu);
		return;
	}
	O.stopping = true;
	struct job *left = O.head;
	O.head = NULL;
	O.tail = &O.head;
	pthread_cond_broadcast(&O.cv);
	pthread_mutex_unlock(&O.mu);
	while (left) {
		struct job *j = left;
		left = j->next;
		http_problem(j->res, 503, "unavailable", "the server is stopping; try again");
		http_resume(j->req);
		free(j);
	}
	for (unsigned i = 0; i < O.n; i++)
		pthread_join(O.threads[i], NULL);
	pthread_mutex_lock(&O.mu);
	O.running = false;
	O.n = 0;
	pthread_mutex_unlock(&O.mu);
}

void http_offload(struct cr_request *req, struct cr_response *res, http_offload_fn fn)
{
	struct job *j = malloc(sizeof *j);
	pthread_mutex_lock(&O.mu);
	bool queue = j && O.running && !O.stopping;
	if (queue) {
		*j = (struct job){req, res, fn, NULL};
		http_defer(req);
		*O.tail = j;
		O.tail = &j->next;
		pthread_cond_signal(&O.cv);
	}
	pthread_mutex_unlock(&O.mu);
	if (queue)
		return;
	free(j); /* no workers: on this thread, as any handler */
	http_hold(req, fn(req, res));
}
