/* A growable text buffer for writing JSON by hand on hot paths (the feed),
 * where building a jansson tree and dumping it costs more than the rest of
 * the request. An allocation failure sets `failed`; later appends are
 * ignored and tb_take() returns NULL, so callers check once at the end. */
#ifndef CASEREEL_TEXT_BUF_H
#define CASEREEL_TEXT_BUF_H

#include <stdbool.h>
#include <stddef.h>

struct text_buf {
	char *data;
	size_t len, cap;
	bool failed;
};

/* Appends n bytes of s. */
void tb_append(struct text_buf *b, const char *s, size_t n);

/* Appends the NUL-terminated s. */
void tb_puts(struct text_buf *b, const char *s);

/* Appends printf-formatted text. */
void tb_printf(struct text_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Appends s as a JSON string literal (quoted, escaped; UTF-8 passed
 * through), or `null` when s is NULL. */
void tb_json_string(struct text_buf *b, const char *s);

/* Hands over the NUL-terminated text (caller frees) and its length; NULL
 * when an append failed. Leaves b empty. */
char *tb_take(struct text_buf *b, size_t *len);

/* Frees the text; leaves b empty. */
void tb_free(struct text_buf *b);

#endif
