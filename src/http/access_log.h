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

/* Logs one request: method, path (both cleaned), client address, status,
 * bytes sent and duration. */
void access_log_write(const char *method, const char *path, const char *client, unsigned status,
		      size_t bytes, uint64_t us, bool aborted);

#endif
