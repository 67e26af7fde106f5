/* Background timers of the HTTP server: one thread that releases held
 * answers when they are due and cuts connections that trickle their
 * request head. libmicrohttpd's own timeout restarts at every byte, so a
 * client sending one header byte a second would otherwise never be cut;
 * this deadline counts from the connection's opening (or its previous
 * request's end) whatever arrives. See timers.h. */
#include "timers.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

#include "casereel/http.h"

#define TICK_MS 250

struct held {
	struct cr_request *req;
	uint64_t due_us;
	struct held *next;
};

struct hdl_conn {
	int fd;
	bool armed;
	uint64_t since_us;
	struct hdl_conn *prev, *next;
};

static struct {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t thread;
	bool running, stopping;
	uint64_t header_timeout_us;
	struct held *held; /* by due time */
	struct hdl_conn *conns;
} T = {.mu = PTHREAD_MUTEX_INITIALIZER};

uint64_t timers_mono_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* Shuts down sockets whose head is overdue. A socket with bytes the server
 * has not read yet is spared: its thread is busy (logins under load), and
 * the client is not the slow one; a trickler's bytes are read as they come.
 * Called with the lock held: a connection's fd is closed only after
 * timers_forget, which needs the lock, so it cannot be another's yet. */
static void cut_late_heads(uint64_t now)
{
	for (struct hdl_conn *c = T.conns; c; c = c->next) {
		char byte;
		if (!c->armed || now - c->since_us <= T.header_timeout_us ||
		    recv(c->fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT) > 0)
			continue;
		shutdown(c->fd, SHUT_RDWR);
		c->armed = false;
	}
}

/* Sends the answers of a list of held requests and frees the list. */
static void release(struct held *h)
{
	while (h) {
		struct held *next = h->next;
		http_resume(h->req);
		free(h);
		h = next;
	}
}

static void *run(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&T.mu);
	while (!T.stopping) {
		uint64_t now = timers_mono_us();
		struct held *due = T.held, **tail = &due;
		while (*tail && (*tail)->due_us <= now)
			tail = &(*tail)->next;
		T.held = *tail; /* the rest is not due yet */
		*tail = NULL;
		cut_late_heads(now);
		/* resumed without the lock: libmicrohttpd takes its own */
		pthread_mutex_unlock(&T.mu);
		release(due);
		pthread_mutex_lock(&T.mu);
		uint64_t wake = now + TICK_MS * 1000u;
		if (T.held && T.held->due_us < wake)
			wake = T.held->due_us;
		struct timespec ts = {.tv_sec = (time_t)(wake / 1000000u),
				      .tv_nsec = (long)(wake % 1000000u) * 1000};
		pthread_cond_timedwait(&T.cv, &T.mu, &ts);
	}
	pthread_mutex_unlock(&T.mu);
	return NULL;
}

cr_err timers_start(unsigned header_timeout_s)
{
	pthread_condattr_t attr;
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&T.cv, &attr);
	pthread_condattr_destroy(&attr);
	T.header_timeout_us = (uint64_t)header_timeout_s * 1000000u;
	T.stopping = false;
	if (pthread_create(&T.thread, NULL, run, NULL)) {
		pthread_cond_destroy(&T.cv);
		return CR_ENOMEM;
	}
	T.running = true;
	return CR_OK;
}

void timers_stop(void)
{
	if (!T.running)
		return;
	pthread_mutex_lock(&T.mu);
	T.stopping = true;
	pthread_cond_signal(&T.cv);
	pthread_mutex_unlock(&T.mu);
	pthread_join(T.thread, NULL);
	pthread_mutex_lock(&T.mu);
	T.running = false;
	struct held *left = T.held;
	T.held = NULL;
	pthread_mutex_unlock(&T.mu);
	release(left);
	pthread_cond_destroy(&T.cv);
}

bool http_hold(struct cr_request *req, unsigned ms)
{
	if (!ms)
		return false;
	struct held *h = malloc(sizeof *h);
	if (!h)
		return false; /* answered at once: better than not at all */
	h->req = req;
	h->due_us = timers_mono_us() + (uint64_t)ms * 1000u;
	pthread_mutex_lock(&T.mu);
	if (!T.running || T.stopping) {
		pthread_mutex_unlock(&T.mu);
		free(h);
		return false;
	}
	http_defer(req);
	struct held **p = &T.held;
	while (*p && (*p)->due_us <= h->due_us)
		p = &(*p)->next;
	h->next = *p;
	*p = h;
	pthread_cond_signal(&T.cv);
	pthread_mutex_unlock(&T.mu);
	return true;
}

struct hdl_conn *timers_watch(int fd)
{
	struct hdl_conn *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->fd = fd;
	c->armed = true;
	c->since_us = timers_mono_us();
	pthread_mutex_lock(&T.mu);
	c->next = T.conns;
	if (T.conns)
		T.conns->prev = c;
	T.conns = c;
	pthread_mutex_unlock(&T.mu);
	return c;
}

void timers_head_arrived(struct hdl_conn *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&T.mu);
	c->armed = false;
	pthread_mutex_unlock(&T.mu);
}

void timers_request_done(struct hdl_conn *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&T.mu);
	c->armed = true;
	c->since_us = timers_mono_us();
	pthread_mutex_unlock(&T.mu);
}

void timers_forget(struct hdl_conn **cp)
{
	struct hdl_conn *c = *cp;
	if (!c)
		return;
	pthread_mutex_lock(&T.mu);
	if (c->prev)
		c->prev->next = c->next;
	else
		T.conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	pthread_mutex_unlock(&T.mu);
	free(c);
	*cp = NULL;
}
