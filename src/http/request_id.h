/* X-Request-Id: the client's own when it is sane, else a fresh random one;
 * answered on every response and written on every log line of the request.
 * Private to src/http/. */
#ifndef CASEREEL_HTTP_REQUEST_ID_H
#define CASEREEL_HTTP_REQUEST_ID_H

#include <stdbool.h>

#define REQUEST_ID_HEADER "X-Request-Id"
#define REQUEST_ID_MAX    128 /* longest id taken from a client */
#define REQUEST_ID_CHARS  (REQUEST_ID_MAX + 1)

/* True when `s` is 1 to 128 characters of [A-Za-z0-9._:-]: safe in a
 * header and a log line as it is. */
bool request_id_sane(const char *s);

/* Fills `out` with `sent` (the client's header, may be NULL) when it is
 * sane, otherwise with 32 lowercase hex digits from libsodium's random
 * bytes (sodium_init must have run). */
void request_id_pick(const char *sent, char out[REQUEST_ID_CHARS]);

#endif
