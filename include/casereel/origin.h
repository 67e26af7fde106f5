/* Web origins (scheme://host[:port]) as settings: --cors-origins names the
 * origins the API answers cross-origin, --media-base-url the origin signed
 * media URLs point at (a CDN). Pure string checks, no I/O. */
#ifndef CASEREEL_ORIGIN_H
#define CASEREEL_ORIGIN_H

#include <stdbool.h>
#include <stddef.h>

#include "casereel/error.h"

/* Whether s[0..len) is an origin as a browser serializes it in an Origin
 * header: "http" or "https", "://", a lower-case host name, IPv4 or
 * bracketed IPv6 literal, and a port (1-65535, not the scheme's default)
 * only when it is not the default; no path, query or trailing slash. */
bool origin_valid(const char *s, size_t len);

/* Whether `origin` is one of the comma-separated origins of `list`
 * (spaces around commas allowed); exact, case-sensitive comparison. */
bool origin_listed(const char *list, const char *origin);

/* Checks the settings at start: every item of `cors_list` is an origin
 * ("*" is refused: the API carries bearer tokens, so it names its client
 * origins), and `media_base` is "" or an origin. CR_EINVAL with `err`
 * naming the flag and the bad item. */
cr_err origin_check_settings(const char *cors_list, const char *media_base, char *err,
			     size_t err_len);

#endif
