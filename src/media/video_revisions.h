/* Pending edits of published clips (table video_revisions): an owner's new
 * title, description or tags wait here until a trainer approves them, while
 * the approved text stays live in videos. Private to src/media. */
#ifndef CASEREEL_VIDEO_REVISIONS_H
#define CASEREEL_VIDEO_REVISIONS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "casereel/error.h"

/* A clip's text: what a revision holds and an approval puts live. */
struct revision_text {
	const char *title;
	const char *description;
	json_t *tags; /* array of tag names */
};

/* Records an edit of published clip `id` as its pending revision, numbered
 * `revision` (above every earlier one): the clip's latest text (its pending
 * revision's, else the live one) with each field of `edit` that is not NULL
 * put in. An earlier pending revision is replaced. In the caller's
 * transaction. */
cr_err revisions_propose(int64_t id, int64_t revision, const struct revision_text *edit,
			 int64_t now);

/* The number of clip `id`'s pending revision, 0 when it has none; the
 * highest number any of its revisions has in *highest (may be NULL). */
cr_err revisions_pending(int64_t id, int64_t *pending, int64_t *highest);

/* Marks pending revision `revision` of clip `id` approved or rejected (with
 * `reason`) by `reviewer`; with `approve`, *text (new reference, freed by
 * the caller) is the text to put live. CR_ENOTFOUND when it is not pending.
 * In the caller's transaction. */
cr_err revisions_decide(int64_t id, int64_t revision, int64_t reviewer, bool approve,
			const char *reason, int64_t now, json_t **text);

/* The clip's newest revision that is not live, as {revision, state
 * ("pending" | "rejected"), title, description, tags, created_at,
 * review_reason}, when it is newer than the live text `live_revision`;
 * NULL otherwise. New reference. */
json_t *revisions_edit_json(int64_t id, int64_t live_revision);

#endif
