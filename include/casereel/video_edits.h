/* Edits of a clip's media and takedowns, with their audit trail (table
 * video_edits, owned here). An edit (trim, blur regions, muted or bleeped
 * ranges, poster time) is rendered as the clip's next media version by the
 * transcode workers, from the kept source, or from the current version's
 * top rendition once the source is gone. A redaction (anything but a poster
 * time alone) blocks the version it replaces at once and sends the clip to
 * review: a published one leaves the feed until a trainer approves the
 * redacted version. */
#ifndef CASEREEL_VIDEO_EDITS_H
#define CASEREEL_VIDEO_EDITS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "casereel/error.h"
#include "casereel/transcode.h"
#include "casereel/user.h"

/* Asks for the edit `body` (edit_spec.h) of clip `id` by `by`: its creator
 * while it is pending review or rejected, a trainer in any state with media.
 * Queues the rendering and answers *out (the edit record, new reference).
 * CR_ENOTFOUND (absent, removed, or not theirs); CR_EINVAL with `why` for a
 * bad spec; CR_ECONFLICT with `why`: "not-editable" (the creator, once
 * published), "no-media" (nothing rendered to edit), "render-pending" (a
 * transcode of it is queued or running). Opens its own transaction; wakes
 * the workers. */
cr_err video_edits_request(int64_t id, const struct cr_user *by, const json_t *body, json_t **out,
			   struct cr_problem *why);

/* A trainer takes published clip `id` off the feed at once (back to review),
 * recording `reason`. CR_ENOTFOUND; CR_ECONFLICT with `why` ("not-published").
 * Opens its own transaction. */
cr_err video_edits_takedown(int64_t id, const struct cr_user *by, const char *reason, json_t **out,
			    struct cr_problem *why);

/* The trail of clip `id`, oldest first, for its creator and trainers (JSON
 * array, new reference). CR_ENOTFOUND for anyone else. */
cr_err video_edits_list_json(int64_t id, const struct cr_user *viewer, json_t **out);

/* The clip's newest edit as {id, state, progress, input, media_version,
 * redaction}, or JSON null (new reference). */
json_t *video_edits_latest_json(int64_t id);

/* What the rendering of clip `video_id` as media version `version` applies:
 * the edit made for that version, else (a plain new rendering) the newest
 * rendered edit made from the source, else none. *edits gets the spec in
 * the input's times; input_rel the media-relative path to read (the
 * source's `source_rel` unless the edit reads a rendition, then
 * *from_rendition). */
cr_err video_edits_for_job(int64_t video_id, int64_t version, const char *source_rel,
			   struct tx_edits *edits, char *input_rel, size_t size,
			   bool *from_rendition);

/* Progress of the edit rendering `version` of the clip (0..99). */
cr_err video_edits_progress(int64_t video_id, int64_t version, int percent);

/* The rendering of `version` ended: its edit is "done" or "failed" (with
 * `error`). In the caller's transaction. */
cr_err video_edits_finish(int64_t video_id, int64_t version, bool ok, const char *error);

/* *blocking: clip `id` cannot be approved yet: an edit of it renders, or
 * its current version is blocked (a redaction that failed). */
cr_err video_edits_blocking(int64_t id, bool *blocking);

/* *failed: clip `id`'s newest media edit is a redaction whose rendering
 * failed; a plain rendering would leave the redaction out, so it must be
 * asked for again. */
cr_err video_edits_failed_redaction(int64_t id, bool *failed);

/* Clip `id` was approved on media version `version`: an edit that made it
 * is "published". In the caller's transaction. */
cr_err video_edits_published(int64_t id, int64_t version);

#endif
