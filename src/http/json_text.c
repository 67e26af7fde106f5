/* Compact JSON text of a jansson value, byte for byte what jansson 2.14's
 * json_dumps(JSON_COMPACT) writes. See include/casereel/json_text.h. */
#include "casereel/json_text.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistr.h>

#include "casereel/text_buf.h"

/* jansson's escapes: the two mandatory ones, the short forms it knows and
 * \u00XX (upper-case hex) for the other control characters. UTF-8 passes
 * through, after the check jansson makes while it writes. */
static void put_string(struct text_buf *b, const char *s, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	bool wide = false;
	const char *run = s, *end = s + len;
	tb_append(b, "\"", 1);
	for (const char *p = s; p < end; p++) {
		unsigned char c = (unsigned char)*p;
		wide |= c >= 0x80;
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		tb_append(b, run, (size_t)(p - run));
		run = p + 1;
		char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
		switch (c) {
		case '"': tb_append(b, "\\\"", 2); break;
		case '\\': tb_append(b, "\\\\", 2); break;
		case '\b': tb_append(b, "\\b", 2); break;
		case '\f': tb_append(b, "\\f", 2); break;
		case '\n': tb_append(b, "\\n", 2); break;
		case '\r': tb_append(b, "\\r", 2); break;
		case '\t': tb_append(b, "\\t", 2); break;
		default: tb_append(b, esc, sizeof esc);
		}
	}
	tb_append(b, run, (size_t)(end - run));
	tb_append(b, "\"", 1);
	if (wide && !b->err && u8_check((const uint8_t *)s, len))
		b->err = CR_EINVAL;
}

/* jansson's jsonp_dtostr with its default precision: %.17g, always with a
 * dot or an exponent, the exponent without "+" and leading zeros. */
static void put_real(struct text_buf *b, double d)
{
	char buf[40];
	int n = snprintf(buf, sizeof buf - 2, "%.17g", d);
	if (n < 0 || (size_t)n >= sizeof buf - 2) {
		b->err = CR_EINVAL;
		return;
	}
	size_t len = (size_t)n;
	if (!strchr(buf, '.') && !strchr(buf, 'e')) {
		memcpy(buf + len, ".0", 3);
		len += 2;
	}
	char *start = strchr(buf, 'e');
	if (start) {
		start++;
		char *digits = start + 1;
		if (*start == '-')
			start++;
		while (*digits == '0')
			digits++;
		if (digits != start) {
			memmove(start, digits, len - (size_t)(digits - buf) + 1);
			len -= (size_t)(digits - start);
		}
	}
	tb_append(b, buf, len);
}

static void put_value(struct text_buf *b, const json_t *v, int depth)
{
	if (depth > JSON_TEXT_MAX_DEPTH) {
		b->err = CR_EINVAL;
		return;
	}
	switch (json_typeof(v)) {
	case JSON_NULL: tb_append(b, "null", 4); break;
	case JSON_TRUE: tb_append(b, "true", 4); break;
	case JSON_FALSE: tb_append(b, "false", 5); break;
	case JSON_INTEGER: tb_int(b, json_integer_value(v)); break;
	case JSON_REAL: put_real(b, json_real_value(v)); break;
	case JSON_STRING: put_string(b, json_string_value(v), json_string_length(v)); break;
	case JSON_ARRAY:
		tb_append(b, "[", 1);
		for (size_t i = 0, n = json_array_size(v); i < n && !b->err; i++) {
			if (i)
				tb_append(b, ",", 1);
			put_value(b, json_array_get(v, i), depth + 1);
		}
		tb_append(b, "]", 1);
		break;
	case JSON_OBJECT:
		tb_append(b, "{", 1);
		/* insertion order, as jansson 2.14 dumps without JSON_SORT_KEYS */
		for (void *it = json_object_iter((json_t *)v), *first = it; it && !b->err;
		     it = json_object_iter_next((json_t *)v, it)) {
			if (it != first)
				tb_append(b, ",", 1);
			put_string(b, json_object_iter_key(it), json_object_iter_key_len(it));
			tb_append(b, ":", 1);
			put_value(b, json_object_iter_value(it), depth + 1);
		}
		tb_append(b, "}", 1);
		break;
	}
}

char *json_text(const json_t *v, size_t *len)
{
	if (!json_is_object(v) && !json_is_array(v))
		return NULL;
	struct text_buf b = {0};
	put_value(&b, v, 0);
	return tb_take(&b, len);
}
