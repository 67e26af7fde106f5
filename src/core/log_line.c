/* Formatting one log line, text or JSON. See log_line.h. */
#include "log_line.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casereel/text.h"

const char *const log_level_names[] = {"debug", "info", "warn", "error", NULL};
const char *const log_format_names[] = {"text", "json", NULL};

/* A fixed buffer that refuses, once, what does not fit. */
struct out {
	char *p;
	size_t len, size;
	bool full;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (o->full || n >= o->size - o->len) {
		o->full = true;
		return;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
}

static void put_str(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

/* \n, \r, \t or \xNN for a byte that may not appear as itself. */
static void put_byte_escape(struct out *o, unsigned char c)
{
	static const char hex[] = "0123456789abcdef";
	char e[4] = {'\\', 'x', hex[c >> 4], hex[c & 15]};
	if (c == '\n' || c == '\r' || c == '\t') {
		e[1] = c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
		put(o, e, 2);
		return;
	}
	put(o, e, 4);
}

static bool is_control(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

/* Appends at most `cut` bytes of s (never half a UTF-8 sequence), control
 * bytes, DEL and invalid UTF-8 escaped; inside quotes " and \ too. */
static void put_escaped(struct out *o, const char *s, size_t cut, bool quoted)
{
	size_t used = 0;
	while (*s && used < cut) {
		unsigned char c = (unsigned char)*s;
		size_t n = utf8_char_len(s);
		if (n == 0 || is_control(c)) {
			put_byte_escape(o, c);
			n = 1;
		} else if (quoted && (c == '"' || c == '\\')) {
			char e[2] = {'\\', (char)c};
			put(o, e, 2);
		} else if (used + n <= cut) {
			put(o, s, n);
		}
		used += n;
		s += n;
	}
}

/* Whether a text value must be quoted to be read back as one value. */
static bool needs_quotes(const char *s)
{
	if (!*s)
		return true;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c <= ' ' || c == 0x7f || c == '"' || c == '=')
			return true;
		size_t n = utf8_char_len(s);
		if (n == 0)
			return true;
		s += n - 1;
	}
	return false;
}

static void put_text_value(struct out *o, const char *key, const char *s, size_t cut)
{
	put(o, " ", 1);
	put_str(o, key);
	put(o, "=", 1);
	bool quoted = needs_quotes(s);
	if (quoted)
		put(o, "\"", 1);
	put_escaped(o, s, cut, quoted);
	if (quoted)
		put(o, "\"", 1);
}

static void format_text(const struct log_line *l, size_t cut, struct out *o)
{
	put_str(o, l->ts);
	put(o, " ", 1);
	put_str(o, log_level_names[l->level]);
	put(o, " ", 1);
	put_escaped(o, l->msg, cut, false);
	for (size_t i = 0; i < l->n; i++) {
		const struct log_field *f = &l->fields[i];
		char num[24];
		if (f->kind == LOG_FIELD_STR && !f->s)
			continue;
		if (f->kind == LOG_FIELD_STR) {
			put_text_value(o, f->key, f->s, cut);
			continue;
		}
		if (f->kind == LOG_FIELD_INT)
			snprintf(num, sizeof num, "%lld", f->i);
		else
			snprintf(num, sizeof num, "%s", f->b ? "true" : "false");
		put_text_value(o, f->key, num, cut);
	}
	if (l->request_id && *l->request_id)
		put_text_value(o, "request_id", l->request_id, cut);
}

/* A JSON string of at most `cut` bytes of s, invalid UTF-8 bytes spelled
 * \xNN (jansson takes valid UTF-8 only). NULL when out of memory. */
static json_t *json_text(const char *s, size_t cut)
{
	size_t len = strlen(s), cap = (len < cut ? len : cut) * 4 + 1;
	char *buf = malloc(cap);
	if (!buf)
		return NULL;
	struct out o = {.p = buf, .size = cap};
	size_t used = 0;
	while (*s && used < cut) {
		size_t n = utf8_char_len(s);
		if (n == 0) {
			put_byte_escape(&o, (unsigned char)*s);
			n = 1;
		} else if (used + n <= cut) {
			put(&o, s, n);
		}
		used += n;
		s += n;
	}
	buf[o.len] = '\0';
	json_t *j = json_string(buf);
	free(buf);
	return j;
}

/* Adds key: value unless the key is taken (the line's own keys come first). */
static void add_unique(json_t *obj, const char *key, json_t *value)
{
	if (value && !json_object_get(obj, key))
		json_object_set_new(obj, key, value);
	else
		json_decref(value);
}

static void format_json(const struct log_line *l, size_t cut, struct out *o)
{
	json_t *obj = json_object();
	if (!obj) {
		o->full = true;
		return;
	}
	add_unique(obj, "ts", json_string(l->ts));
	add_unique(obj, "level", json_string(log_level_names[l->level]));
	add_unique(obj, "msg", json_text(l->msg, cut));
	for (size_t i = 0; i < l->n; i++) {
		const struct log_field *f = &l->fields[i];
		if (f->kind == LOG_FIELD_STR && f->s)
			add_unique(obj, f->key, json_text(f->s, cut));
		else if (f->kind == LOG_FIELD_INT)
			add_unique(obj, f->key, json_integer(f->i));
		else if (f->kind == LOG_FIELD_BOOL)
			add_unique(obj, f->key, json_boolean(f->b));
	}
	if (l->request_id && *l->request_id)
		add_unique(obj, "request_id", json_text(l->request_id, cut));
	size_t n = json_dumpb(obj, o->p, o->size, JSON_COMPACT);
	json_decref(obj);
	if (n == 0 || n >= o->size)
		o->full = true;
	else
		o->len = n;
}

size_t log_line_format(enum log_format format, const struct log_line *l, size_t cut, char *out,
		       size_t size)
{
	if (size < 2)
		return 0;
	struct out o = {.p = out, .size = size - 1}; /* room for the newline */
	if (format == LOG_FORMAT_JSON)
		format_json(l, cut, &o);
	else
		format_text(l, cut, &o);
	if (o.full) {
		out[0] = '\0';
		return 0;
	}
	out[o.len++] = '\n';
	out[o.len] = '\0';
	return o.len;
}
