/* Reading Accept-Encoding. See src/http/accept_encoding.h. */
#include "accept_encoding.h"

#include <stddef.h>
#include <strings.h>

#define Q_ABSENT (-1)

static bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

/* A qvalue ("0", "0.5", "1.000") in thousandths, or -1 when malformed.
 * Advances *p past it. */
static int parse_q(const char **p)
{
	const char *s = *p;
	if (*s != '0' && *s != '1')
		return -1;
	int q = (*s++ - '0') * 1000;
	if (*s == '.') {
		s++;
		int scale = 100;
		for (int i = 0; i < 3 && *s >= '0' && *s <= '9'; i++, s++, scale /= 10)
			q += (*s - '0') * scale;
	}
	*p = s;
	return q > 1000 ? -1 : q;
}

/* Reads one list member's parameters, from just after its coding to the
 * next ',' or the end; returns its q (1000 when none), or -1 when
 * malformed. */
static int member_q(const char **p)
{
	const char *s = *p;
	int q = 1000;
	bool bad = false;
	while (*s && *s != ',') {
		while (is_space(*s))
			s++;
		if (*s == ',' || !*s)
			break;
		if (*s != ';') {
			bad = true;
			s++;
			continue;
		}
		s++;
		while (is_space(*s))
			s++;
		if ((*s == 'q' || *s == 'Q') && s[1] == '=') {
			s += 2;
			q = parse_q(&s);
			bad |= q < 0;
		} else {
			while (*s && *s != ',' && *s != ';')
				s++;
		}
	}
	*p = s;
	return bad ? -1 : q;
}

/* Folds one more q for a coding: an explicit refusal (0 or malformed) wins. */
static void fold(int *have, int q)
{
	if (q <= 0)
		*have = 0;
	else if (*have == Q_ABSENT)
		*have = q;
}

bool accept_encoding_gzip(const char *value)
{
	int gzip = Q_ABSENT, star = Q_ABSENT;
	const char *p = value ? value : "";
	while (*p) {
		while (is_space(*p) || *p == ',')
			p++;
		if (!*p)
			break;
		const char *tok = p;
		while (*p && *p != ',' && *p != ';' && !is_space(*p))
			p++;
		size_t len = (size_t)(p - tok);
		int q = member_q(&p);
		if ((len == 4 && !strncasecmp(tok, "gzip", 4)) ||
		    (len == 6 && !strncasecmp(tok, "x-gzip", 6)))
			fold(&gzip, q);
		else if (len == 1 && *tok == '*')
			fold(&star, q);
	}
	return gzip != Q_ABSENT ? gzip > 0 : star > 0;
}
