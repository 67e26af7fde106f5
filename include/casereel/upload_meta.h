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
 * then to "Untitled clip". Title, description and file name are text a
 * person typed: normalised to NFC in `meta` itself, refused when only white
 * space or holding hidden characters (text_person). CR_EINVAL with `why`
 * naming the field ("title", "description", "filename" or "tags") for a bad
 * field or unknown tag. */
cr_err upload_meta_read(json_t *meta, struct video_new *v, json_t **tags_out,
			struct cr_problem *why);

#endif
