/* HTTP byte ranges and conditional requests for static files (RFC 9110
 * §13–14), pure functions over header strings so they can be unit-tested and
 * fuzzed. Range parsing follows nginx's static module byte for byte, because
 * nginx is what a CDN or a player would otherwise be talking to. */
#ifndef CASEREEL_RANGE_H
#define CASEREEL_RANGE_H

#include <stdbool.h>
#include <stdint.h>

/* A file size or byte position never exceeds INT64_MAX (an off_t). */
struct range_span {
	uint64_t start;
	uint64_t length; /* > 0 */
};

enum range_result {
	RANGE_NONE,          /* no Range header */
	RANGE_OK,            /* exactly one satisfiable range: answer 206 with *out */
	RANGE_UNSATISFIABLE, /* answer 416; Content-Range gives the size */
	RANGE_IGNORE,        /* answer 200 with the whole file */
};

/* Parses a Range header value against a file of `size` bytes, as nginx
 * does: a unit other than "bytes=" is ignored; a syntax error after
 * "bytes=" (or an overflowing number) is unsatisfiable, as are
 * first-byte-positions at or past the end and "-0"; ends past the file are
 * clamped; ranges that cannot be satisfied are dropped from a list. When
 * more than one range survives we answer 200 with the whole file (allowed by
 * RFC 9110 §14.2) instead of nginx's multipart/byteranges, which sendfile of
 * one span cannot produce. `header` may be NULL (RANGE_NONE). `out` is
 * written only for RANGE_OK. */
enum range_result range_parse(const char *header, uint64_t size, struct range_span *out);

#define RANGE_ETAG_MAX 40 /* "\"" 16 hex "-" 16 hex "\"" + NUL, rounded up */
#define RANGE_DATE_MAX 32 /* "Sun, 06 Nov 1994 08:49:37 GMT" + NUL */

/* The strong entity tag nginx gives a static file: "hex(mtime)-hex(size)",
 * quotes included. */
void range_etag(int64_t mtime, uint64_t size, char out[RANGE_ETAG_MAX]);

/* Formats `t` (unix seconds) as an IMF-fixdate. */
void range_http_date(int64_t t, char out[RANGE_DATE_MAX]);

/* Parses an HTTP-date in any of the three forms recipients must accept
 * (IMF-fixdate, RFC 850, asctime). False for anything else. */
bool range_parse_http_date(const char *s, int64_t *out);

/* The request's conditional and range headers; any may be NULL. */
struct range_request {
	const char *if_match;
	const char *if_unmodified_since;
	const char *if_none_match;
	const char *if_modified_since;
	const char *if_range;
	const char *range;
};

/* Decides the answer for a GET/HEAD of a file with `etag` (as made by
 * range_etag), modification time `mtime` and `size`, evaluating the
 * preconditions in RFC 9110 §13.2.2 order. Returns the status: 200 (whole
 * file), 206 (*span is set), 304, 412 or 416. If-Range must match exactly
 * (the strong ETag, or the exact Last-Modified date) for Range to count. */
unsigned range_decide(const struct range_request *rq, const char *etag, int64_t mtime,
		      uint64_t size, struct range_span *span);

#endif
