/* Validating a new clip's metadata. See include/casereel/upload_meta.h. */
#include "casereel/upload_meta.h"

#include <stdlib.h>
#include <string.h>

#include "casereel/text.h"

static const char *meta_string(json_t *meta, const char *key)
{
	const char *s = json_string_value(json_object_get(meta, key));
	return s && *s ? s : NULL;
}

/* meta[key] as text a person typed (see text_person), normalised in place;
 * *out NULL when absent or empty. */
static cr_err meta_text(json_t *meta, const char *key, const char **out, struct cr_problem *why)
{
	const char *s = meta_string(meta, key);
	char *nfc = NULL;
	*out = NULL;
	if (!s)
		return CR_OK;
	cr_err e = text_person(s, key, &nfc, why);
	if (!e && json_object_set_new(meta, key, json_string(nfc)) != 0)
		e = CR_ENOMEM;
	free(nfc);
	if (!e)
		*out = meta_string(meta, key);
	return e;
}

/* "a, b,c" → ["a","b","c"] (trimmed, empty items skipped). */
static cr_err split_tags(const char *s, json_t *out, struct cr_problem *why)
{
	while (s && *s) {
		size_t len = strcspn(s, ",");
		const char *p = s;
		size_t n = len;
		while (n && *p == ' ')
			p++, n--;
		while (n && p[n - 1] == ' ')
			n--;
		if (n > 32)
			return cr_refuse(why, CR_EINVAL, "invalid-field", "tags",
					 "tags: a tag name is at most 32 characters");
		if (n)
			json_array_append_new(out, json_stringn(p, n));
		s += len + (s[len] == ',');
	}
	if (json_array_size(out) > VIDEO_TAGS_MAX)
		return cr_refuse(why, CR_EINVAL, "invalid-field", "tags", "tags: at most %d tags",
				 VIDEO_TAGS_MAX);
	return CR_OK;
}

cr_err upload_meta_read(json_t *meta, struct video_new *v, json_t **tags_out,
			struct cr_problem *why)
{
	static char untitled[] = "Untitled clip";
	*tags_out = json_array();
	if (!*tags_out)
		return CR_ENOMEM;
	v->tags = *tags_out;
	cr_err e = meta_text(meta, "filename", &v->filename, why);
	if (!e)
		e = meta_text(meta, "title", &v->title, why);
	if (!e)
		e = meta_text(meta, "description", &v->description, why);
	if (e)
		return e;
	if (v->filename && utf8_length(v->filename) > 255)
		return cr_refuse(why, CR_EINVAL, "invalid-field", "filename",
				 "filename: at most 255 characters");
	if (v->title && utf8_length(v->title) > VIDEO_TITLE_MAX)
		return cr_refuse(why, CR_EINVAL, "invalid-field", "title",
				 "title: at most %d characters", VIDEO_TITLE_MAX);
	if (v->description && utf8_length(v->description) > VIDEO_DESCRIPTION_MAX)
		return cr_refuse(why, CR_EINVAL, "invalid-field", "description",
				 "description: at most %d characters", VIDEO_DESCRIPTION_MAX);
	if (!v->title)
		v->title = v->filename ? v->filename : untitled;
	e = split_tags(meta_string(meta, "tags"), *tags_out, why);
	return e ? e : videos_check_tags(*tags_out, why);
}
