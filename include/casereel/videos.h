/* Video rows: creation, visibility rules, the
 * transcode outcome, and the video JSON the API returns. */
#ifndef CASEREEL_VIDEOS_H
#define CASEREEL_VIDEOS_H

#include <jansson.h>
#include <stdint.h>

#include "casereel/error.h"
#include "casereel/transcode.h"
#include "casereel/user.h"

#define VIDEO_TITLE_MAX       100
#define VIDEO_DESCRIPTION_MAX 2000
#define VIDEO_TAGS_MAX        8

/* A clip's lifecycle: processing → pending_review → published | rejected;
 * failed; removed (soft delete, by the owner or a trainer). Stored and
 * sent as video_status_name(). */
enum video_status {
	VIDEO_PROCESSING,
	VIDEO_PENDING_REVIEW,
	VIDEO_PUBLISHED,
	VIDEO_REJECTED,
	VIDEO_FAILED,
	VIDEO_REMOVED,
};

/* The same states as SQL literals, written once, for the text of
 * statements: the planner must see the literal itself to use the partial
 * indexes on status (videos_published, videos_unpurged). */
#define VIDEO_SQL_PROCESSING     "'processing'"
#define VIDEO_SQL_PENDING_REVIEW "'pending_review'"
#define VIDEO_SQL_PUBLISHED      "'published'"
#define VIDEO_SQL_REJECTED       "'rejected'"
#define VIDEO_SQL_FAILED         "'failed'"
#define VIDEO_SQL_REMOVED        "'removed'"

/* The status as stored and in the video JSON ("pending_review", ...).
 * Static string; "" for a value outside the enum. */
const char *video_status_name(enum video_status status);

/* The status called `name`. CR_EINVAL for any other string (or NULL). */
cr_err video_status_parse(const char *name, enum video_status *out);

struct video_new {
	int64_t owner_id;
	const char *title;
	const char *description; /* may be NULL */
	const char *filename;    /* as the phone named it; may be NULL */
	json_t *tags;            /* array of existing tag names; may be NULL */
	const char *source_rel;  /* the upload, relative to the media root */
	int64_t source_bytes;
};

/* Inserts the video (status "processing") with its tags. Must run in the
 * caller's transaction, which queues its job too (jobs_enqueue), so an
 * acknowledged upload always has both. CR_EINVAL with `why` (field "tags")
 * for an unknown tag. */
cr_err videos_create(const struct video_new *v, int64_t *video_id, struct cr_problem *why);

/* Checks tag names exist; CR_EINVAL with `why` (field "tags") naming the
 * first unknown one. */
cr_err videos_check_tags(json_t *tags, struct cr_problem *why);

/* The video JSON for `viewer`, with media URLs signed for `url_ttl` seconds
 * once the clip is transcoded, and "revision", the number of its text. Its
 * owner and trainers also get "edit": its newest edit not live, pending or
 * rejected, {revision, state, title, description, tags, created_at,
 * review_reason}, or null. CR_ENOTFOUND when there is no such video or
 * the viewer may not see it (only owners and trainers see unpublished ones). */
cr_err videos_get_json(int64_t id, const struct cr_user *viewer, long url_ttl, json_t **out);

/* The expiry given to media URLs handed out now that must stay valid for
 * `ttl` seconds: rounded up to the hour, so URLs (and CDN cache keys) stay
 * stable for an hour. */
int64_t videos_url_expiry(long ttl);

/* {hls, mp4, poster, thumbnail, version}: signed URLs of the files of the
 * clip's current media version (its number in "version"), valid until
 * `expires`; NULL on a database error. */
json_t *videos_signed_urls_at(int64_t id, int64_t expires);

/* The caller's own videos, newest first (JSON array). */
cr_err videos_list_own_json(int64_t owner_id, long url_ttl, json_t **out);

/* Transcode progress 0..100 (only while processing). */
cr_err videos_set_progress(int64_t id, int percent);

/* Records a finished transcode: "pending_review" with the media facts on
 * success, "failed" with r->error and its tx_error_code() otherwise (the
 * video JSON's error and error_code). A video no longer processing (its
 * owner or a trainer removed it meanwhile) is left as it is. In the
 * caller's transaction. */
cr_err videos_record_transcode(int64_t id, const struct tx_result *r, bool ok);

/* Forgets the source path after the original was deleted. */
cr_err videos_clear_source(int64_t id);

/* Records that every file of a removed or failed clip is gone (the media
 * janitor deleted them at `now`); with `source_deleted` its source path is
 * forgotten too, so nothing tries to read it again. A clip in any other
 * state is left as it is. In the caller's transaction. */
cr_err videos_record_purge(int64_t id, bool source_deleted, int64_t now);

/* True for the states whose media may be served and linked: published, and
 * pending_review (the trainers' preview). */
bool videos_status_has_media(enum video_status status);

/* CR_OK when media version `version` of clip `id` may be served: the clip exists, its media may be
 * served (videos_status_has_media), with *published true when it is published (its media may be
 * cached by anyone), CR_ENOTFOUND when not, CR_EDB. */
cr_err videos_media_servable(int64_t id, int64_t version, bool *published);

/* Sends published or rejected clip `id` (back) to review, as pending review,
 * at `now`: off the feed at once. In the caller's transaction. */
cr_err videos_send_to_review(int64_t id, int64_t now);

/* Queues a new rendering of published or pending clip `id` from its kept
 * original, as the next media version (*version): the current one serves
 * until it is done, then waits for the janitor (media_versions). CR_ENOTFOUND;
 * CR_ECONFLICT with `why` when the clip has no media ("no-media"), its
 * original is gone ("source-gone") or a transcode of it is queued or
 * running ("render-pending"). Opens its own transaction; wakes the workers. */
cr_err videos_render(int64_t id, int64_t *version, struct cr_problem *why);

/* Records a finished rendering of clip `id` as media version `version`:
 * with `ok`, its media facts and the version go live and the version it
 * replaces is retired (a clip no longer servable, or on a newer version
 * already, retires this one instead); otherwise the clip keeps its version.
 * In the caller's transaction. */
cr_err videos_record_render(int64_t id, int64_t version, const struct tx_result *r, bool ok);

/* True when clip `id` exists and user `user_id` uploaded it. */
bool videos_owned_by(int64_t id, int64_t user_id);

/* Decides what is pending review on clip `id`: a clip pending review is
 * published (paying its creator) or rejected (with `reason`); a published
 * clip's pending edit goes live or is rejected (with `reason`; the live text
 * stays). `revision` names the text decided on (the video JSON's
 * "revision"); 0 takes whatever is pending. CR_ENOTFOUND; CR_ECONFLICT
 * with `why` when nothing is pending ("not-pending") or the text changed
 * since `revision` ("revision-changed"). */
cr_err videos_review(int64_t id, int64_t reviewer_id, bool approve, const char *reason,
		     int64_t revision, struct cr_problem *why);

/* What waits for review, by clip id after `after`: clips pending review
 * and published clips' pending edits (JSON array, new ref). Each item is
 * the video JSON with "review_kind" ("clip" | "edit") and the text an
 * approval puts live; an edit's item has the live text in "live". The
 * viewer's own clips are left out: nobody reviews their own work. */
cr_err videos_review_queue_json(const struct cr_user *viewer, int64_t after, long limit,
				long url_ttl, json_t **out);

/* Changes title/description/tags (NULL = unchanged) of a clip owned by
 * owner_id. A published clip's live text stays: the edit becomes its
 * pending revision (replacing an earlier one) and *waits is true. Any
 * other clip's text changes in place and its revision number moves on.
 * CR_ENOTFOUND when absent, removed or not theirs; CR_EINVAL with `why`
 * (field "tags") for an unknown tag. */
cr_err videos_edit(int64_t id, int64_t owner_id, const char *title, const char *description,
		   json_t *tags, bool *waits, struct cr_problem *why);

/* Marks a clip removed. Owners remove their own, trainers any.
 * CR_ENOTFOUND when absent/already removed or not allowed. */
cr_err videos_remove(int64_t id, const struct cr_user *by);
#endif
