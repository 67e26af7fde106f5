/* Origin syntax and origin lists. See include/casereel/origin.h. */
#include "casereel/origin.h"

#include <stdio.h>
#include <string.h>

/* [a-z0-9-] labels joined by dots, or an IPv4 literal (the same shape). */
static bool host_name_valid(const char *s, size_t len)
{
	if (len == 0 || len > 253 || s[0] == '.' || s[len - 1] == '.')
		return false;
	size_t label = 0;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c == '.') {
			if (label == 0 || s[i - 1] == '-')
				return false;
			label = 0;
		} else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
			   (c == '-' && label > 0)) {
			if (++label > 63)
				return false;
		} else {
			return false;
		}
	}
	return s[len - 1] != '-';
}

/* "[" hex digits, colons and dots "]" (an IPv6 literal, lower case). */
static bool host_v6_valid(const char *s, size_t len)
{
	if (len < 4 || s[0] != '[' || s[len - 1] != ']')
		return false;
	return strspn(s + 1, "0123456789abcdef:.") == len - 2 && memchr(s, ':', len);
}

/* A decimal port 1-65535 without a leading zero; *port gets it. */
static bool port_valid(const char *s, size_t len, long *port)
{
	if (len == 0 || len > 5 || s[0] == '0' || strspn(s, "0123456789") < len)
		return false;
	long v = 0;
	for (size_t i = 0; i < len; i++)
		v = v * 10 + (s[i] - '0');
	*port = v;
	return v <= 65535;
}

bool origin_valid(const char *s, size_t len)
{
	size_t scheme = len >= 8 && !strncmp(s, "https://", 8)  ? 8
			: len >= 7 && !strncmp(s, "http://", 7) ? 7
								: 0;
	if (!scheme)
		return false;
	const char *host = s + scheme;
	size_t rest = len - scheme;
	/* the port's colon is the last one after an IPv6 literal's bracket */
	const char *bracket = memchr(host, ']', rest);
	const char *from = bracket ? bracket : host;
	const char *colon = memchr(from, ':', rest - (size_t)(from - host));
	size_t host_len = colon ? (size_t)(colon - host) : rest;
	bool host_ok =
		host[0] == '[' ? host_v6_valid(host, host_len) : host_name_valid(host, host_len);
	if (!host_ok)
		return false;
	if (!colon)
		return true;
	long port = 0;
	if (!port_valid(colon + 1, rest - host_len - 1, &port))
		return false;
	return port != (scheme == 8 ? 443 : 80); /* browsers leave the default out */
}

/* Calls fn on each trimmed item of a comma-separated list until it
 * returns true; true when one did. */
static bool each_item(const char *list, bool (*fn)(const char *item, size_t len, void *ctx),
		      void *ctx)
{
	for (const char *p = list; *list; p++) { /* "a," has an empty second item */
		size_t len = strcspn(p, ",");
		const char *item = p;
		size_t n = len;
		while (n && *item == ' ') {
			item++;
			n--;
		}
		while (n && item[n - 1] == ' ')
			n--;
		if (fn(item, n, ctx))
			return true;
		p += len;
		if (!*p)
			return false;
	}
	return false;
}

static bool same(const char *item, size_t len, void *ctx)
{
	const char *origin = ctx;
	return strlen(origin) == len && !memcmp(item, origin, len);
}

bool origin_listed(const char *list, const char *origin)
{
	return origin && *origin && each_item(list, same, (void *)origin);
}

struct bad_item {
	char *err;
	size_t err_len;
};

static bool report_bad(const char *item, size_t len, void *ctx)
{
	struct bad_item *b = ctx;
	if (len == 1 && item[0] == '*') {
		snprintf(b->err, b->err_len,
			 "--cors-origins: '*' is not allowed: the API carries bearer tokens, so "
			 "name each origin of its web clients (media answers every origin anyway)");
		return true;
	}
	if (origin_valid(item, len))
		return false;
	snprintf(b->err, b->err_len,
		 "--cors-origins: '%.*s' is not an origin: expected scheme://host[:port] as a "
		 "browser sends it (http or https, lower case, no path or trailing slash, no "
		 "default port), comma-separated",
		 (int)(len > 200 ? 200 : len), item);
	return true;
}

cr_err origin_check_settings(const char *cors_list, const char *media_base, char *err,
			     size_t err_len)
{
	struct bad_item b = {err, err_len};
	if (each_item(cors_list, report_bad, &b))
		return CR_EINVAL;
	if (*media_base && !origin_valid(media_base, strlen(media_base))) {
		snprintf(err, err_len,
			 "--media-base-url: '%s' is not an origin: expected scheme://host[:port] "
			 "(e.g. https://cdn.example.com; lower case, no path or trailing slash)",
			 media_base);
		return CR_EINVAL;
	}
	return CR_OK;
}
