/* Per-upload writer locks, and letting go of a writer whose client hung up.
 * See include/casereel/upload_locks.h. */
#include "casereel/upload_locks.h"

#include <poll.h>
#include <sys/ioctl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* Uploads with a writer right now. Few at once: a small array. */
#define MAX_LOCKED 1024

/* While a holder runs its own code, look again this often. */
#define RETRY_NS (5 * 1000000L)

struct lock {
	char id[33];   /* "" when the slot is free */
	uint64_t gen;  /* which taking of the lock this is */
	bool settling; /* another request is making the holder let go */
	struct upload_holder holder;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t released; /* on CLOCK_MONOTONIC, set up once */
static pthread_once_t released_once = PTHREAD_ONCE_INIT;
static struct lock locks[MAX_LOCKED];
static uint64_t next_gen;

static void released_init(void)
{
	pthread_condattr_t attr;
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&released, &attr);
	pthread_condattr_destroy(&attr);
}

/* The slot of upload `id`, or NULL. Called with mu held. */
static struct lock *find(const char *id)
{
	for (size_t i = 0; i < MAX_LOCKED; i++)
		if (locks[i].id[0] && !strcmp(locks[i].id, id))
			return &locks[i];
	return NULL;
}

/* Frees a slot and wakes whoever waits for it. Called with mu held. */
static void forget(struct lock *l)
{
	memset(l, 0, sizeof *l);
	pthread_cond_broadcast(&released);
}

/* Whether the peer of socket `fd` has closed or reset its side: its FIN
 * shows as POLLRDHUP even while sent bytes wait unread before it. */
static bool client_gone(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLRDHUP};
	return fd >= 0 && poll(&p, 1, 0) == 1 &&
	       (p.revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL));
}

/* Whether bytes the client sent before hanging up still wait in socket
 * `fd`: the holder's thread is about to write them, so let it. */
static bool unread_bytes(int fd)
{
	int n = 0;
	return ioctl(fd, FIONREAD, &n) == 0 && n > 0;
}

static struct timespec mono_after(long ns)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	t.tv_sec += ns / 1000000000L;
	t.tv_nsec += ns % 1000000000L;
	if (t.tv_nsec >= 1000000000L) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000L;
	}
	return t;
}

static bool before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

bool uploads_settle(const char *id, int wait_ms)
{
	pthread_once(&released_once, released_init);
	struct timespec until = mono_after((long)wait_ms * 1000000L);
	bool gone = false, last = false;
	pthread_mutex_lock(&mu);
	for (;;) {
		struct lock *l = find(id);
		if (!l || (!l->settling && !client_gone(l->holder.client_fd)))
			break;
		gone = true;
		/* The slot exists, so its holder has not let go and its state is
		 * alive; try_pause keeps it so once the mutex is let go. Bytes
		 * still on their way to it are waited for, but not past the end. */
		if (!l->settling && (last || !unread_bytes(l->holder.client_fd)) &&
		    l->holder.try_pause && l->holder.try_pause(l->holder.arg)) {
			struct upload_holder h = l->holder;
			uint64_t gen = l->gen;
			l->settling = true;
			pthread_mutex_unlock(&mu);
			h.settle(h.arg);
			pthread_mutex_lock(&mu);
			if ((l = find(id)) && l->gen == gen)
				forget(l); /* a settle that did not unlock */
			break;
		}
		/* Its own code runs (it may be noticing the end itself), bytes
		 * are still coming to it, or another request settles it: look
		 * again in a moment. */
		if (last)
			break;
		struct timespec next = mono_after(RETRY_NS);
		if (!before(&next, &until))
			next = until;
		pthread_cond_timedwait(&released, &mu, &next);
		struct timespec now = mono_after(0);
		last = !before(&now, &until); /* one more look, then settle or give up */
	}
	pthread_mutex_unlock(&mu);
	return gone;
}

bool uploads_lock_as(const char *id, const struct upload_holder *holder, int wait_ms)
{
	uploads_settle(id, wait_ms);
	bool ok = false;
	pthread_mutex_lock(&mu);
	struct lock *free_slot = NULL;
	for (size_t i = 0; i < MAX_LOCKED && !free_slot; i++)
		if (!locks[i].id[0])
			free_slot = &locks[i];
	if (!find(id) && free_slot) {
		snprintf(free_slot->id, sizeof free_slot->id, "%s", id);
		free_slot->gen = ++next_gen;
		free_slot->settling = false;
		free_slot->holder = holder ? *holder : (struct upload_holder){.client_fd = -1};
		ok = true;
	}
	pthread_mutex_unlock(&mu);
	return ok;
}

bool uploads_lock(const char *id)
{
	return uploads_lock_as(id, NULL, 0);
}

void uploads_unlock(const char *id)
{
	pthread_once(&released_once, released_init);
	pthread_mutex_lock(&mu);
	struct lock *l = find(id);
	if (l)
		forget(l);
	pthread_mutex_unlock(&mu);
}
