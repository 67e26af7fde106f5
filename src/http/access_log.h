/* The access log: one line per request, safe to read whatever the client
 * sent. Private to src/http/. */
#ifndef CASEREEL_ACCESS_LOG_H
#define CASEREEL_ACCESS_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Copies `path` into `out` (always NUL-terminated, cut to fit) as it may
 * appear in a log: control bytes, DEL, backslash, double quote and space as
 * \xNN, so a %0a in a request cannot forge a line; the signature of a signed
 * media URL (/media/v/<id>/<version>/<expires>/<sig>/..., or the same
 * without the version) replaced by "-", so the log cannot fetch a clip. */
void access_log_clean(const char *path, char *out, size_t size);

/* What one request's line says. */
struct access_entry {
	const char *method, *path; /* as sent: cleaned by access_log_write */
	const char *client;        /* resolved through the trusted proxies */
	unsigned status;           /* 499 when the client went away first */
	size_t bytes;              /* body bytes of the answer */
	uint64_t us;               /* from the request's first byte to its end */
	long long user_id;         /* 0: not logged in */
	bool aborted;              /* the answer was not sent whole */
};

/* Logs one request at info level as "access" with the fields method, path
 * (both cleaned), status, bytes, duration_us, client, user and aborted;
 * the request id comes from the thread (log_set_request_id). */
void access_log_write(const struct access_entry *e);

#endif
