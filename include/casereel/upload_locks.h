/* One writer per upload at a time, and what a request that finds an upload
 * held does about a writer whose client has already hung up: a phone that
 * aborts a PATCH and resumes at once must not find its own dead PATCH in
 * the way, nor read an offset that PATCH is about to move. */
#ifndef CASEREEL_UPLOAD_LOCKS_H
#define CASEREEL_UPLOAD_LOCKS_H

#include <stdbool.h>

/* The request taking a lock, so that another can tell whether its client
 * is still there and, if not, have it let go without waiting for its own
 * thread to notice (which libmicrohttpd may do only at the idle timeout). */
struct upload_holder {
	int client_fd; /* the socket of the holder's client; -1: none, never gone */
	/* Called with the lock table's mutex held, so while the lock is held:
	 * takes hold of the holder's state when none of its own code runs right
	 * now, true then; false when it does (try again). Never blocks. */
	bool (*try_pause)(void *arg);
	/* Called after try_pause, without the table's mutex: keeps what the
	 * holder's client sent that can be kept, lets go of the lock
	 * (uploads_unlock), marks the holder as done and gives back what
	 * try_pause took. */
	void (*settle)(void *arg);
	void *arg;
};

/* In-process exclusive lock on upload `id` so two writers never
 * interleave; false when another request holds it (or over 1024 uploads
 * are locked at once). uploads_unlock lets go; unlocking an upload that is
 * not locked does nothing. */
bool uploads_lock(const char *id);
void uploads_unlock(const char *id);

/* uploads_lock on behalf of `holder` (copied; NULL: none), after
 * uploads_settle(id, wait_ms). */
bool uploads_lock_as(const char *id, const struct upload_holder *holder, int wait_ms);

/* When upload `id` is held by a request whose client has hung up (its
 * connection is ending but the request has not let go yet), makes it let
 * go at once, keeping what it can, waiting up to `wait_ms` milliseconds
 * for a moment when none of its code runs. After it, a read of the upload
 * sees the offset that request kept. Does nothing when the upload is free
 * or its holder's client is still there. True when there was such a holder
 * (read the upload again). */
bool uploads_settle(const char *id, int wait_ms);

#endif
