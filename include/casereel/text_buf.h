/* A growable text buffer for writing JSON by hand on hot paths (the feed),
 * where building a jansson tree and dumping it costs more than the rest of
 * the request. It never holds more than its hard maximum. A failed append
 * (no memory, or past the maximum) sets `err`; later appends are ignored
 * and tb_take() returns NULL, so callers check once at the end. */
#ifndef CASEREEL_TEXT_BUF_H
#define CASEREEL_TEXT_BUF_H

#include <stddef.h>
#include <string.h>

#include "casereel/error.h"

/* The maximum of a buffer that sets none: far above any page we write. */
#define TB_MAX_DEFAULT ((size_t)16 << 20)

struct text_buf {
	char *data;
	size_t len, cap;
	size_t max; /* hard maximum of len in bytes; 0 means TB_MAX_DEFAULT */
	cr_err err; /* CR_ENOMEM or CR_ETOOBIG after a failed append, else CR_OK */
};

/* tb_append when the bytes and a NUL do not fit yet (or err is set):
 * grows the buffer within its maximum. For tb_append only. */
void tb_append_grow(struct text_buf *b, const char *s, size_t n);

/* Appends n bytes of s; all of them or, past the maximum, none (then
 * err = CR_ETOOBIG). Inline while they fit: the JSON writers append a few
 * bytes at a time. */
static inline void tb_append(struct text_buf *b, const char *s, size_t n)
{
	if (b->err || b->len >= b->cap || n >= b->cap - b->len) {
		tb_append_grow(b, s, n);
		return;
	}
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

/* Appends the NUL-terminated s. */
static inline void tb_puts(struct text_buf *b, const char *s)
{
	tb_append(b, s, strlen(s));
}

/* Appends v in decimal, as printf's %lld writes it. */
void tb_int(struct text_buf *b, long long v);

/* Appends printf-formatted text. */
void tb_printf(struct text_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Appends s as a JSON string literal (quoted, escaped; UTF-8 passed
 * through), or `null` when s is NULL. */
void tb_json_string(struct text_buf *b, const char *s);

/* Hands over the NUL-terminated text (caller frees) and its length; NULL
 * when an append failed (read b->err first). Leaves b empty (its maximum
 * stays). */
char *tb_take(struct text_buf *b, size_t *len);

/* Frees the text; leaves b empty (its maximum stays). */
void tb_free(struct text_buf *b);

#endif
