/* Growable text buffer. See include/casereel/text_buf.h. */
#include "casereel/text_buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Makes room for `more` bytes plus a NUL, within the maximum. */
static bool reserve(struct text_buf *b, size_t more)
{
	if (b->err)
		return false;
	size_t max = b->max ? b->max : TB_MAX_DEFAULT;
	if (b->len > max || more > max - b->len) {
		b->err = CR_ETOOBIG;
		return false;
	}
	if (b->len + more + 1 <= b->cap)
		return true;
	size_t cap = b->cap ? b->cap : 1024;
	while (cap < b->len + more + 1)
		cap *= 2;
	if (cap > max + 1)
		cap = max + 1;
	char *d = realloc(b->data, cap);
	if (!d) {
		b->err = CR_ENOMEM;
		return false;
	}
	b->data = d;
	b->cap = cap;
	return true;
}

void tb_append_grow(struct text_buf *b, const char *s, size_t n)
{
	if (!reserve(b, n))
		return;
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void tb_int(struct text_buf *b, long long v)
{
	char digits[24], *p = digits + sizeof digits;
	unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
	do
		*--p = (char)('0' + u % 10);
	while (u /= 10);
	if (v < 0)
		*--p = '-';
	tb_append(b, p, (size_t)(digits + sizeof digits - p));
}

void tb_printf(struct text_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char small[256];
	int n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->err = CR_ENOMEM;
		return;
	}
	if ((size_t)n < sizeof small) {
		tb_append(b, small, (size_t)n);
		return;
	}
	if (!reserve(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void tb_json_string(struct text_buf *b, const char *s)
{
	if (!s) {
		tb_append(b, "null", 4);
		return;
	}
	tb_append(b, "\"", 1);
	const char *run = s; /* bytes that need no escape are copied in runs */
	for (const char *p = s;; p++) {
		unsigned char c = (unsigned char)*p;
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		tb_append(b, run, (size_t)(p - run));
		if (!c)
			break;
		char esc[8];
		switch (c) {
		case '"': tb_append(b, "\\\"", 2); break;
		case '\\': tb_append(b, "\\\\", 2); break;
		case '\n': tb_append(b, "\\n", 2); break;
		case '\r': tb_append(b, "\\r", 2); break;
		case '\t': tb_append(b, "\\t", 2); break;
		default: snprintf(esc, sizeof esc, "\\u%04x", c); tb_append(b, esc, 6);
		}
		run = p + 1;
	}
	tb_append(b, "\"", 1);
}

char *tb_take(struct text_buf *b, size_t *len)
{
	if (reserve(b, 0))
		b->data[b->len] = '\0';
	char *d = b->err ? NULL : b->data;
	if (!d)
		free(b->data);
	if (len)
		*len = d ? b->len : 0;
	*b = (struct text_buf){.max = b->max};
	return d;
}

void tb_free(struct text_buf *b)
{
	free(b->data);
	*b = (struct text_buf){.max = b->max};
}
