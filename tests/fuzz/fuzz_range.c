/* libFuzzer harness for src/range.c. The first byte picks the file size,
 * the rest is split on '\n' into Range, If-Range, If-None-Match, If-Match,
 * If-Modified-Since and If-Unmodified-Since. A span must lie inside the file,
 * a plain "bytes=a-b" must agree with strtoull, and an IMF-fixdate that
 * parses must format back to itself (leap seconds aside). */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "casereel/range.h"

static const uint64_t sizes[] = {0, 1, 2, 10, 1000, 1048576, INT64_MAX - 1, INT64_MAX};

static void check_span(const struct range_span *s, uint64_t size)
{
	if (s->length == 0 || s->start >= size || s->length > size - s->start)
		abort();
}

/* "bytes=<a>-<b>" with short digit runs: the answer is easy to know. */
static void check_plain(const char *h, uint64_t size, enum range_result r,
			const struct range_span *s)
{
	if (strncmp(h, "bytes=", 6) != 0)
		return;
	const char *p = h + 6;
	size_t na = strspn(p, "0123456789");
	if (na == 0 || na > 18 || p[na] != '-')
		return;
	size_t nb = strspn(p + na + 1, "0123456789");
	if (nb == 0 || nb > 18 || p[na + 1 + nb] != '\0')
		return;
	uint64_t a = strtoull(p, NULL, 10), b = strtoull(p + na + 1, NULL, 10);
	if (a > b || a >= size) {
		if (r != (size == 0 && a == 0 ? RANGE_IGNORE : RANGE_UNSATISFIABLE))
			abort();
		return;
	}
	uint64_t end = b >= size ? size - 1 : b;
	if (r != RANGE_OK || s->start != a || s->length != end - a + 1)
		abort();
}

static void check_date(const char *s)
{
	int64_t t;
	if (!range_parse_http_date(s, &t))
		return;
	char back[RANGE_DATE_MAX];
	range_http_date(t, back);
	/* the weekday is not checked against the date, so compare after it; a
	 * leap second (:60) reads as the next minute's :00 */
	if (strlen(s) == 29 && s[3] == ',' && strncmp(s + 23, "60", 2) != 0 &&
	    strcmp(back + 3, s + 3) != 0)
		abort();
	int64_t again;
	if (!range_parse_http_date(back, &again) || again != t)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	uint64_t file_size = sizes[data[0] % (sizeof sizes / sizeof sizes[0])];
	char *buf = malloc(size);
	if (!buf)
		return 0;
	memcpy(buf, data + 1, size - 1);
	buf[size - 1] = '\0';
	const char *field[6] = {NULL};
	char *p = buf;
	for (size_t i = 0; i < 6 && p; i++) {
		field[i] = p;
		p = strchr(p, '\n');
		if (p)
			*p++ = '\0';
	}

	struct range_span s = {0, 0};
	enum range_result r = range_parse(field[0], file_size, &s);
	if (r == RANGE_OK)
		check_span(&s, file_size);
	if ((strlen(field[0]) < 7 || strncasecmp(field[0], "bytes=", 6) != 0) && r != RANGE_IGNORE)
		abort();
	check_plain(field[0], file_size, r, &s);
	struct range_span s2 = {0, 0};
	if (range_parse(field[0], file_size, &s2) != r ||
	    (r == RANGE_OK && memcmp(&s, &s2, sizeof s)))
		abort();

	for (size_t i = 1; i < 6; i++)
		if (field[i])
			check_date(field[i]);

	char etag[RANGE_ETAG_MAX];
	range_etag(1700000000, file_size, etag);
	struct range_request rq = {.range = field[0],
				   .if_range = field[1],
				   .if_none_match = field[2],
				   .if_match = field[3],
				   .if_modified_since = field[4],
				   .if_unmodified_since = field[5]};
	struct range_span span = {0, 0};
	unsigned status = range_decide(&rq, etag, 1700000000, file_size, &span);
	if (status == 206)
		check_span(&span, file_size);
	else if (status != 200 && status != 304 && status != 412 && status != 416)
		abort();
	free(buf);
	return 0;
}
