/* RFC 4180 CSV reading in place. See include/casereel/csv.h. */
#include "casereel/csv.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

void csv_init(struct csv *c, char *buf, size_t len)
{
	c->p = buf;
	c->end = buf + len;
	c->line = c->record_line = 1;
	if (len >= 3 && !memcmp(buf, "\xEF\xBB\xBF", 3))
		c->p += 3;
}

void csv_continue(struct csv *c, char *buf, size_t len)
{
	c->p = buf;
	c->end = buf + len;
}

/* Where a scan stands in a record: the states of RFC 4180's grammar. */
enum { FIELD_START, IN_PLAIN, IN_QUOTED, AFTER_QUOTE };

size_t csv_records_end(const char *buf, size_t len)
{
	size_t last = 0;
	int s = FIELD_START;
	for (size_t i = 0; i < len; i++) {
		char ch = buf[i];
		if (s == IN_QUOTED) {
			if (ch == '"')
				s = AFTER_QUOTE;
		} else if (ch == '\n') {
			s = FIELD_START;
			last = i + 1;
		} else if (ch == ',') {
			s = FIELD_START;
		} else if (ch == '"' && (s == FIELD_START || s == AFTER_QUOTE)) {
			s = IN_QUOTED; /* an opening quote, or the second of a doubled one */
		} else {
			s = IN_PLAIN;
		}
	}
	return last;
}

static bool at_eol(const struct csv *c)
{
	return c->p == c->end || *c->p == '\n' ||
	       (*c->p == '\r' && c->p + 1 < c->end && c->p[1] == '\n');
}

static void skip_eol(struct csv *c)
{
	if (c->p < c->end && *c->p == '\r')
		c->p++;
	if (c->p < c->end && *c->p == '\n') {
		c->p++;
		c->line++;
	}
}

/* Reads a quoted field starting at the opening quote; unquotes in place. */
static char *quoted_field(struct csv *c, char *err, size_t err_len)
{
	char *out = c->p, *start = c->p;
	c->p++;
	for (;;) {
		if (c->p == c->end) {
			snprintf(err, err_len, "unclosed quote");
			return NULL;
		}
		if (*c->p == '"') {
			if (c->p + 1 < c->end && c->p[1] == '"') {
				*out++ = '"';
				c->p += 2;
				continue;
			}
			c->p++;
			break;
		}
		if (*c->p == '\n')
			c->line++;
		*out++ = *c->p++;
	}
	if (c->p != c->end && *c->p != ',' && !at_eol(c)) {
		snprintf(err, err_len, "text after a closing quote");
		return NULL;
	}
	*out = '\0'; /* out < c->p: the closing quote's byte at least is free */
	return start;
}

static char *plain_field(struct csv *c)
{
	char *start = c->p;
	while (c->p < c->end && *c->p != ',' && !at_eol(c))
		c->p++;
	return start;
}

int csv_next(struct csv *c, char **fields, size_t max_fields, size_t *n, char *err, size_t err_len)
{
	while (c->p < c->end && at_eol(c))
		skip_eol(c);
	*n = 0;
	if (c->p >= c->end)
		return 0;
	c->record_line = c->line;
	for (;;) {
		if (*n == max_fields) {
			snprintf(err, err_len, "more than %zu fields", max_fields);
			return -1;
		}
		char *f = *c->p == '"' ? quoted_field(c, err, err_len) : plain_field(c);
		if (!f)
			return -1;
		fields[(*n)++] = f;
		if (c->p < c->end && *c->p == ',') {
			*c->p++ = '\0';
			continue;
		}
		char *terminator = c->p;
		skip_eol(c);
		if (terminator < c->end)
			*terminator = '\0';
		/* so c->line names the line where the next record starts */
		while (c->p < c->end && at_eol(c))
			skip_eol(c);
		return 1;
	}
}
