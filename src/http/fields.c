/* Validated reads of JSON body fields. See include/casereel/fields.h. */
#include "casereel/fields.h"

#include <string.h>
#include <time.h>

size_t utf8_length(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

size_t utf8_trim(char *s)
{
	size_t len = strlen(s), i = len, cont = 0;
	while (i > 0 && cont < 3 && ((unsigned char)s[i - 1] & 0xC0) == 0x80)
		i--, cont++;
	if (i == 0)
		return len;
	unsigned char lead = (unsigned char)s[i - 1];
	size_t need = (lead & 0xE0) == 0xC0   ? 2
		      : (lead & 0xF0) == 0xE0 ? 3
		      : (lead & 0xF8) == 0xF0 ? 4
					      : 1;
	if (lead < 0xC0 || cont + 1 >= need)
		return len;
	s[i - 1] = '\0';
	return i - 1;
}

/* Bytes in the well-formed UTF-8 sequence at s (no overlong forms, no
 * surrogates, at most U+10FFFF), or 0 when s does not start one. */
static size_t utf8_sequence(const unsigned char *s)
{
	static const unsigned min_of[5] = {0, 0, 0x80, 0x800, 0x10000};
	unsigned c = s[0], cp;
	size_t n;
	if (c < 0x80)
		return 1;
	if ((c & 0xE0) == 0xC0)
		n = 2, cp = c & 0x1F;
	else if ((c & 0xF0) == 0xE0)
		n = 3, cp = c & 0x0F;
	else if ((c & 0xF8) == 0xF0)
		n = 4, cp = c & 0x07;
	else
		return 0;
	for (size_t i = 1; i < n; i++) { /* a NUL is no continuation byte: stops here */
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3F);
	}
	if (cp < min_of[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return n;
}

bool utf8_valid(const char *s)
{
	while (*s) {
		size_t n = utf8_sequence((const unsigned char *)s);
		if (!n)
			return false;
		s += n;
	}
	return true;
}

void utf8_scrub(char *s)
{
	while (*s) {
		size_t n = utf8_sequence((const unsigned char *)s);
		if (!n) {
			*s = '?';
			n = 1;
		}
		s += n;
	}
}

static json_t *lookup(struct cr_request *req, const char *name, bool *present)
{
	json_t *v = req->json ? json_object_get(req->json, name) : NULL;
	if (present)
		*present = v != NULL;
	return v;
}

static bool missing(struct cr_response *res, const char *name, bool required)
{
	if (required)
		http_invalid_field(res, name, "%s is required", name);
	return !required;
}

bool field_string(struct cr_request *req, struct cr_response *res, const char *name, bool required,
		  size_t min_chars, size_t max_chars, const char **out, bool *present)
{
	json_t *v = lookup(req, name, present);
	if (!v)
		return missing(res, name, required);
	if (!json_is_string(v)) {
		http_invalid_field(res, name, "%s must be a string", name);
		return false;
	}
	const char *s = json_string_value(v);
	if (strlen(s) != json_string_length(v)) {
		http_invalid_field(res, name, "%s must not contain NUL characters", name);
		return false;
	}
	size_t n = utf8_length(s);
	if (n < min_chars || n > max_chars) {
		http_invalid_field(res, name, "%s must be %zu to %zu characters long", name,
				   min_chars, max_chars);
		return false;
	}
	*out = s;
	return true;
}

bool field_int(struct cr_request *req, struct cr_response *res, const char *name, bool required,
	       int64_t min, int64_t max, bool allow_null, int64_t *out, bool *present)
{
	json_t *v = lookup(req, name, present);
	if (!v)
		return missing(res, name, required);
	if (allow_null && json_is_null(v)) {
		*out = 0;
		return true;
	}
	if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max) {
		http_invalid_field(res, name, "%s must be a whole number from %lld to %lld", name,
				   (long long)min, (long long)max);
		return false;
	}
	*out = json_integer_value(v);
	return true;
}

bool field_bool(struct cr_request *req, struct cr_response *res, const char *name, bool required,
		bool *out, bool *present)
{
	json_t *v = lookup(req, name, present);
	if (!v)
		return missing(res, name, required);
	if (!json_is_boolean(v)) {
		http_invalid_field(res, name, "%s must be true or false", name);
		return false;
	}
	*out = json_is_true(v);
	return true;
}

bool field_string_array(struct cr_request *req, struct cr_response *res, const char *name,
			size_t max_items, size_t max_chars, json_t **out)
{
	json_t *v = lookup(req, name, NULL);
	if (!v) {
		*out = NULL;
		return true;
	}
	if (!json_is_array(v) || json_array_size(v) > max_items) {
		http_invalid_field(res, name, "%s must be a list of at most %zu names", name,
				   max_items);
		return false;
	}
	size_t i;
	json_t *item;
	json_array_foreach(v, i, item)
	{
		if (!json_is_string(item) || json_string_length(item) == 0 ||
		    utf8_length(json_string_value(item)) > max_chars) {
			http_invalid_field(res, name,
					   "%s[%zu] must be a name of 1 to %zu characters", name, i,
					   max_chars);
			return false;
		}
	}
	*out = v;
	return true;
}

static bool is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

bool date_is_valid(const char *s)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return false;
	int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	int m = (s[5] - '0') * 10 + (s[6] - '0');
	int d = (s[8] - '0') * 10 + (s[9] - '0');
	if (y < 1900 || m < 1 || m > 12 || d < 1)
		return false;
	int max = days[m - 1] + (m == 2 && is_leap(y));
	return d <= max;
}

bool field_date(struct cr_request *req, struct cr_response *res, const char *name, const char **out,
		bool *present)
{
	json_t *v = lookup(req, name, present);
	if (!v)
		return true;
	if (json_is_null(v)) {
		*out = NULL;
		return true;
	}
	if (!json_is_string(v) || !date_is_valid(json_string_value(v))) {
		http_invalid_field(res, name, "%s must be a date like 2024-03-31", name);
		return false;
	}
	*out = json_string_value(v);
	return true;
}

bool field_id_array(struct cr_request *req, struct cr_response *res, const char *name,
		    size_t max_items, json_t **out)
{
	json_t *v = json_object_get(req->json, name), *x;
	*out = v;
	if (!v)
		return true;
	size_t i;
	bool ok = json_is_array(v) && json_array_size(v) <= max_items;
	json_array_foreach(v, i, x) ok = ok && json_is_integer(x) && json_integer_value(x) > 0;
	if (!ok)
		http_invalid_field(res, name, "%s must be a list of at most %zu ids", name,
				   max_items);
	return ok;
}

int64_t date_end_of_day(const char *date)
{
	struct tm tm = {.tm_isdst = -1, .tm_hour = 23, .tm_min = 59, .tm_sec = 59};
	strptime(date, "%Y-%m-%d", &tm);
	return (int64_t)mktime(&tm);
}
