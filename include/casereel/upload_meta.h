/* Title, description and tags of a new clip, from tus Upload-Metadata or
 * the one-shot upload's query string, validated the same way for both. */
#ifndef CASEREEL_UPLOAD_META_H
#define CASEREEL_UPLOAD_META_H

#include <jansson.h>

#include "casereel/error.h"
#include "casereel/videos.h"

/* Fills v->title, v->description, v->filename and v->tags from `meta` (an
 * object of strings: title, description, filename, tags = "a,b"). The
 * strings borrow from `meta`; *tags_out is a new array the caller frees
 * (v->tags points to it). A missing title falls back to the file name,
 * then to "Untitled clip". CR_EINVAL with `why`
 * ("title: ...") for a bad field or unknown tag. */
cr_err upload_meta_read(json_t *meta, struct video_new *v, json_t **tags_out, char *why,
			size_t why_len);

/* The field a `why` from upload_meta_read() or videos_create() is about
 * ("title", "description", "filename" or "tags", the prefix before its
 * colon), for an invalid-field problem; `fallback` when it names none.
 * Static strings. */
const char *upload_meta_field(const char *why, const char *fallback);

#endif
