/* A clip's captions (tables video_captions and video_caption_revs, owned
 * here): one normalised WebVTT per language (zh, en) in the database, the
 * source of truth every media version serves them from, so a new
 * rendering keeps them. They are served under the clip's signed URLs as
 * files made from the database when asked: c<rev>.m3u8 (the version's HLS
 * master with a SUBTITLES group), c<rev><lang>.m3u8 (a subtitle playlist
 * of one segment) and c<rev><lang>.vtt, where <rev> counts every caption
 * change of the clip, so changed bytes always have a new URL. */
#ifndef CASEREEL_CAPTIONS_H
#define CASEREEL_CAPTIONS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "casereel/captions_parse.h"
#include "casereel/config.h"
#include "casereel/error.h"
#include "casereel/user.h"

/* True for a caption language: "zh" or "en". */
bool captions_lang_valid(const char *lang);

/* Replaces clip `video_id`'s `lang` captions with a WebVTT or SRT file
 * (`body`, `len` bytes) or, when `cues` is not NULL, the editor's cue list
 * (captions_from_json), checked against the clip's duration, and records
 * it in the audit trail ("captions.put": lang, cues, replaced) and the
 * search index, in one transaction. Allowed to trainers on any clip and to
 * its creator while it is pending review or rejected. *out is the
 * captions_get_json answer. CR_ENOTFOUND (no clip, or not theirs and
 * unpublished); CR_EFORBIDDEN with `why` ("captions-locked" for the
 * creator of a clip in another state, "forbidden" for a published clip of
 * someone else); CR_EINVAL with `why` ("invalid-captions"). */
cr_err captions_put(int64_t video_id, const char *lang, const struct cr_user *by, const char *body,
		    size_t len, const json_t *cues, json_t **out, struct cr_problem *why);

/* Removes them, with the same rights, audit ("captions.delete": lang,
 * cues) and index update. CR_ENOTFOUND when there are none. */
cr_err captions_delete(int64_t video_id, const char *lang, const struct cr_user *by,
		       struct cr_problem *why);

/* {lang, cues: [{start, end, text}], updated_at, updated_by: {id,
 * display_name}} for a viewer who may see the clip (agents: published or
 * their own; trainers: any). CR_ENOTFOUND otherwise or when there are none. */
cr_err captions_get_json(int64_t video_id, const char *lang, const struct cr_user *viewer,
			 json_t **out);

/* Sets "captions" in the clip's media URL object `urls` to [{lang, url}]
 * (signed URLs under `prefix`, the version's signed directory) and, when
 * there are captions, "hls" to the master with their SUBTITLES group. */
void captions_add_urls(json_t *urls, int64_t video_id, const char *prefix);

/* When `name` is a caption file name (c<rev>.m3u8, c<rev><lang>.m3u8,
 * c<rev><lang>.vtt): true, with *body (malloc'ed, *len bytes) and *type
 * its bytes and content type, made from the database and version
 * `version`'s master playlist; *body NULL means 404 (another revision, no
 * such language, no master) and *e says whether that was an error. */
bool captions_media_file(const struct cr_config *cfg, int64_t video_id, int64_t version,
			 const char *name, char **body, size_t *len, const char **type, cr_err *e);

/* Fits clip `video_id`'s captions to a cut that keeps [cut_start_ms,
 * cut_end_ms) of its current timeline (captions_trim), audited as
 * "captions.trim" by `actor_id` (0: the system); a language left without
 * cues is removed. For a re-render that trims the clip; in the caller's
 * transaction. */
cr_err captions_trim_clip(int64_t video_id, int64_t actor_id, int64_t cut_start_ms,
			  int64_t cut_end_ms);

#endif
