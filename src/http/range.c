/* Byte ranges and conditional requests. See include/casereel/range.h. */
#include "casereel/range.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static const char *skip_spaces(const char *p)
{
	while (*p == ' ')
		p++;
	return p;
}

/* Reads decimal digits at *p into *v; false past INT64_MAX (nginx's
 * NGX_MAX_OFF_T_VALUE cut-off). */
static bool read_number(const char **p, int64_t *v)
{
	const int64_t cutoff = INT64_MAX / 10, cutlim = INT64_MAX % 10;
	int64_t n = 0;
	const char *s = *p;
	while (is_digit(*s)) {
		int d = *s++ - '0';
		if (n >= cutoff && (n > cutoff || d > cutlim))
			return false;
		n = n * 10 + d;
	}
	*p = s;
	*v = n;
	return true;
}

/* The loop of nginx's ngx_http_range_parse(), kept in the same shape so the
 * two can be compared line by line. Positions are signed like off_t. */
enum range_result range_parse(const char *header, uint64_t size, struct range_span *out)
{
	if (!header)
		return RANGE_NONE;
	if (strlen(header) < 7 || strncasecmp(header, "bytes=", 6) != 0)
		return RANGE_IGNORE;
	const int64_t len = size > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)size;
	const char *p = header + 6;
	int64_t total = 0, first_start = 0, first_end = 0;
	size_t count = 0;
	for (;;) {
		int64_t start = 0, end = 0;
		bool suffix = false;
		p = skip_spaces(p);
		if (*p != '-') {
			if (!is_digit(*p) || !read_number(&p, &start))
				return RANGE_UNSATISFIABLE;
			p = skip_spaces(p);
			if (*p++ != '-')
				return RANGE_UNSATISFIABLE;
			p = skip_spaces(p);
			if (*p == ',' || *p == '\0') {
				end = len;
				goto found;
			}
		} else {
			suffix = true;
			p++;
		}
		if (!is_digit(*p) || !read_number(&p, &end))
			return RANGE_UNSATISFIABLE;
		p = skip_spaces(p);
		if (*p != ',' && *p != '\0')
			return RANGE_UNSATISFIABLE;
		if (suffix) {
			start = end < len ? len - end : 0;
			end = len - 1;
		}
		end = end >= len ? len : end + 1;
	found:
		if (start < end) {
			if (total > INT64_MAX - (end - start))
				return RANGE_UNSATISFIABLE;
			total += end - start;
			if (count++ == 0) {
				first_start = start;
				first_end = end;
			}
		} else if (start == 0) {
			return RANGE_IGNORE; /* an empty file, or "0-" of one */
		}
		if (*p++ != ',')
			break;
	}
	if (count == 0)
		return RANGE_UNSATISFIABLE;
	if (total > len || count > 1)
		return RANGE_IGNORE; /* overlapping ranges (nginx too) or multipart (nginx: 206) */
	out->start = (uint64_t)first_start;
	out->length = (uint64_t)(first_end - first_start);
	return RANGE_OK;
}

void range_etag(int64_t mtime, uint64_t size, char out[RANGE_ETAG_MAX])
{
	snprintf(out, RANGE_ETAG_MAX, "\"%llx-%llx\"", (unsigned long long)mtime,
		 (unsigned long long)size);
}

static const char *const wdays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
				     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

void range_http_date(int64_t t, char out[RANGE_DATE_MAX])
{
	struct tm tm;
	time_t tt = (time_t)t;
	if (!gmtime_r(&tt, &tm) || tm.tm_year + 1900 > 9999 || tm.tm_year + 1900 < 0) {
		snprintf(out, RANGE_DATE_MAX, "Thu, 01 Jan 1970 00:00:00 GMT");
		return;
	}
	/* by hand: strftime's %a and %b follow the locale */
	snprintf(out, RANGE_DATE_MAX, "%s, %02d %s %04d %02d:%02d:%02d GMT", wdays[tm.tm_wday],
		 tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
		 tm.tm_sec);
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil), so parsing needs neither timegm nor TZ. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* Exactly `n` digits. */
static bool fixed_digits(const char **p, int n, int *v)
{
	int x = 0;
	for (int i = 0; i < n; i++) {
		if (!is_digit((*p)[i]))
			return false;
		x = x * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*v = x;
	return true;
}

static bool month_name(const char **p, int *mon)
{
	for (int i = 0; i < 12; i++)
		if (!strncmp(*p, months[i], 3)) {
			*p += 3;
			*mon = i + 1;
			return true;
		}
	return false;
}

/* "HH:MM:SS" */
static bool clock_time(const char **p, int *h, int *m, int *s)
{
	return fixed_digits(p, 2, h) && *(*p)++ == ':' && fixed_digits(p, 2, m) && *(*p)++ == ':' &&
	       fixed_digits(p, 2, s);
}

static bool lit(const char **p, const char *s)
{
	size_t n = strlen(s);
	if (strncmp(*p, s, n))
		return false;
	*p += n;
	return true;
}

bool range_parse_http_date(const char *s, int64_t *out)
{
	if (!s)
		return false;
	const char *p = s;
	size_t wlen = 0;
	while ((p[wlen] >= 'A' && p[wlen] <= 'Z') || (p[wlen] >= 'a' && p[wlen] <= 'z'))
		wlen++;
	if (wlen < 3 || wlen > 9)
		return false;
	p += wlen;
	int day, mon, year, h, m, sec;
	if (wlen == 3 && lit(&p, ", ")) { /* IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT */
		if (!fixed_digits(&p, 2, &day) || !lit(&p, " ") || !month_name(&p, &mon) ||
		    !lit(&p, " ") || !fixed_digits(&p, 4, &year) || !lit(&p, " ") ||
		    !clock_time(&p, &h, &m, &sec) || !lit(&p, " GMT"))
			return false;
	} else if (wlen > 3 && lit(&p, ", ")) { /* RFC 850: Sunday, 06-Nov-94 08:49:37 GMT */
		if (!fixed_digits(&p, 2, &day) || !lit(&p, "-") || !month_name(&p, &mon) ||
		    !lit(&p, "-") || !fixed_digits(&p, 2, &year) || !lit(&p, " ") ||
		    !clock_time(&p, &h, &m, &sec) || !lit(&p, " GMT"))
			return false;
		year += year < 70 ? 2000 : 1900;
	} else if (wlen == 3 && lit(&p, " ")) { /* asctime: Sun Nov  6 08:49:37 1994 */
		if (!month_name(&p, &mon) || !lit(&p, " "))
			return false;
		if (*p == ' ') {
			p++;
			if (!fixed_digits(&p, 1, &day))
				return false;
		} else if (!fixed_digits(&p, 2, &day)) {
			return false;
		}
		if (!lit(&p, " ") || !clock_time(&p, &h, &m, &sec) || !lit(&p, " ") ||
		    !fixed_digits(&p, 4, &year))
			return false;
	} else {
		return false;
	}
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
	if (*p || day < 1 || day > mdays[mon - 1] || (mon == 2 && day == 29 && !leap) || h > 23 ||
	    m > 59 || sec > 60)
		return false;
	*out = days_from_civil(year, mon, day) * 86400 + h * 3600 + m * 60 + sec;
	return true;
}

static const char *skip_ows_commas(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == ',')
		p++;
	return p;
}

/* True when `list` ("*" or #entity-tag) holds `etag`. Weak comparison
 * (If-None-Match) ignores W/; strong comparison (If-Match) never matches a
 * weak tag. A malformed list matches nothing from the bad element on. */
static bool etag_list_match(const char *list, const char *etag, bool weak)
{
	const char *p = skip_ows_commas(list);
	if (*p == '*')
		return *skip_ows_commas(p + 1) == '\0';
	size_t want = strlen(etag);
	while (*(p = skip_ows_commas(p))) {
		bool is_weak = p[0] == 'W' && p[1] == '/';
		if (is_weak)
			p += 2;
		if (*p != '"')
			return false;
		const char *q = strchr(p + 1, '"');
		if (!q)
			return false;
		size_t n = (size_t)(q + 1 - p);
		if ((weak || !is_weak) && n == want && !memcmp(p, etag, n))
			return true;
		p = q + 1;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p && *p != ',')
			return false;
	}
	return false;
}

/* If-Range needs a strong validator that matches exactly. */
static bool if_range_holds(const char *v, const char *etag, int64_t mtime)
{
	int64_t t;
	if (v[0] == '"')
		return !strcmp(v, etag);
	if (v[0] == 'W' && v[1] == '/')
		return false;
	return range_parse_http_date(v, &t) && t == mtime;
}

unsigned range_decide(const struct range_request *rq, const char *etag, int64_t mtime,
		      uint64_t size, struct range_span *span)
{
	int64_t t;
	if (rq->if_match) {
		if (!etag_list_match(rq->if_match, etag, false))
			return 412;
	} else if (rq->if_unmodified_since && range_parse_http_date(rq->if_unmodified_since, &t) &&
		   mtime > t) {
		return 412;
	}
	if (rq->if_none_match) {
		if (etag_list_match(rq->if_none_match, etag, true))
			return 304;
	} else if (rq->if_modified_since && range_parse_http_date(rq->if_modified_since, &t) &&
		   mtime <= t) {
		return 304;
	}
	if (rq->range && rq->if_range && !if_range_holds(rq->if_range, etag, mtime))
		return 200;
	switch (range_parse(rq->range, size, span)) {
	case RANGE_OK: return 206;
	case RANGE_UNSATISFIABLE: return 416;
	default: return 200;
	}
}
