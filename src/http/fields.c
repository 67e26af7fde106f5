/* Validated reads of JSON body fields. See include/casereel/fields.h. */
#include "casereel/fields.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

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

/* The string field `name`, NUL-free: *v NULL when absent (after answering
 * when it is required: then false). */
static bool string_value(struct cr_request *req, struct cr_response *res, const char *name,
			 bool required, json_t **v, bool *present)
{
	*v = lookup(req, name, present);
	if (!*v)
		return missing(res, name, required);
	if (!json_is_string(*v)) {
		http_invalid_field(res, name, "%s must be a string", name);
		return false;
	}
	if (strlen(json_string_value(*v)) != json_string_length(*v)) {
		http_invalid_field(res, name, "%s must not contain NUL characters", name);
		return false;
	}
	return true;
}

static bool length_within(struct cr_response *res, const char *name, const char *s,
			  size_t min_chars, size_t max_chars)
{
	size_t n = utf8_length(s);
	if (n >= min_chars && n <= max_chars)
		return true;
	http_invalid_field(res, name, "%s must be %zu to %zu characters long", name, min_chars,
			   max_chars);
	return false;
}

bool field_string(struct cr_request *req, struct cr_response *res, const char *name, bool required,
		  size_t min_chars, size_t max_chars, const char **out, bool *present)
{
	json_t *v = NULL;
	if (!string_value(req, res, name, required, &v, present) || !v)
		return v == NULL && !required;
	if (!length_within(res, name, json_string_value(v), min_chars, max_chars))
		return false;
	*out = json_string_value(v);
	return true;
}

bool field_text(struct cr_request *req, struct cr_response *res, const char *name, bool required,
		size_t min_chars, size_t max_chars, const char **out, bool *present)
{
	json_t *v = NULL;
	if (!string_value(req, res, name, required, &v, present) || !v)
		return v == NULL && !required;
	char *nfc = NULL;
	struct cr_problem why = {0};
	cr_err e = text_person(json_string_value(v), name, &nfc, &why);
	if (e) {
		http_fail(res, e, &why, name);
		return false;
	}
	bool ok = length_within(res, name, nfc, min_chars, max_chars);
	/* the normalised text replaces what was sent, so *out borrows from
	 * req->json like every other field */
	if (ok && json_object_set_new(req->json, name, json_string(nfc)) != 0) {
		http_error(res, CR_ENOMEM, name);
		ok = false;
	}
	free(nfc);
	if (ok)
		*out = json_string_value(json_object_get(req->json, name));
	return ok;
}

/* One label of `labels` (key "en" or "zh"): person-typed text of
 * 1..LABEL_MAX characters, normalised in place; *out borrows it. */
static bool label_value(struct cr_response *res, json_t *labels, const char *key, const char *where,
			const char **out)
{
	json_t *v = json_object_get(labels, key);
	char *nfc = NULL;
	struct cr_problem why = {0};
	bool ok = json_is_string(v) && strlen(json_string_value(v)) == json_string_length(v) &&
		  text_person(json_string_value(v), where, &nfc, &why) == CR_OK;
	size_t n = ok ? utf8_length(nfc) : 0;
	ok = ok && n >= 1 && n <= LABEL_MAX &&
	     json_object_set_new(labels, key, json_string(nfc)) == 0;
	free(nfc);
	if (!ok) {
		http_invalid_field(res, where, "%s.%s must be 1 to %d characters of text%s", where,
				   key, LABEL_MAX, strcmp(key, "zh") == 0 ? ", or null" : "");
		return false;
	}
	*out = json_string_value(json_object_get(labels, key));
	return true;
}

bool field_labels(struct cr_response *res, json_t *obj, const char *where, struct cr_labels *out)
{
	json_t *labels = json_object_get(obj, "labels"), *v;
	const char *key;
	if (!labels)
		return true;
	if (!json_is_object(labels)) {
		http_invalid_field(res, where, "%s must be {\"en\": ..., \"zh\": ...}", where);
		return false;
	}
	json_object_foreach(labels, key, v)
	{
		bool en = strcmp(key, "en") == 0, zh = strcmp(key, "zh") == 0;
		const char *text;
		if (!en && !zh) {
			http_invalid_field(res, where, "%s takes en and zh only, not '%s'", where,
					   key);
			return false;
		}
		if (zh && json_is_null(v)) {
			out->clear_zh = true;
			continue;
		}
		if (!label_value(res, labels, key, where, &text))
			return false;
		if (en && out->en && strcmp(out->en, text) != 0) {
			http_invalid_field(res, where, "label and %s.en differ; send one", where);
			return false;
		}
		*(en ? &out->en : &out->zh) = text;
	}
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
