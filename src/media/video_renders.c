/* New renderings of a clip's media (after a transcoder change, and for
 * edits of the pictures such as redaction or burnt-in captions): each is a
 * new media version, made while the current one serves, put live in one
 * step when done. See videos_render in include/casereel/videos.h. */
#include <string.h>

#include "casereel/jobs.h"
#include "casereel/store.h"
#include "casereel/video_edits.h"
#include "casereel/videos.h"

/* Queues the rendering in the open transaction. */
static cr_err queue(int64_t id, int64_t *version, struct cr_problem *why)
{
	sqlite3_stmt *st =
		store_stmt("SELECT status, media_version, source_path IS NOT NULL"
			   " FROM videos WHERE id = ?1 AND status <> " VIDEO_SQL_REMOVED);
	if (st)
		sqlite3_bind_int64(st, 1, id);
	cr_err e = store_step_one(st, "clip to render");
	enum video_status status = VIDEO_REMOVED;
	bool source = false;
	if (!e) {
		video_status_parse((const char *)sqlite3_column_text(st, 0), &status);
		*version = sqlite3_column_int64(st, 1) + 1;
		source = sqlite3_column_int(st, 2);
	}
	store_done(st);
	if (e)
		return e;
	if (!videos_status_has_media(status))
		return cr_refuse(why, CR_ECONFLICT, "no-media", NULL,
				 "only a published clip or one pending review can be rendered "
				 "again; this one is %s",
				 video_status_name(status));
	bool failed = false;
	if ((e = video_edits_failed_redaction(id, &failed)))
		return e;
	if (failed)
		return cr_refuse(
			why, CR_ECONFLICT, "redaction-failed", NULL,
			"this clip's last redaction did not render; ask for it again "
			"(POST /api/v1/videos/%lld/edits): a plain rendering would leave it out",
			(long long)id);
	if (!source)
		return cr_refuse(why, CR_ECONFLICT, "source-gone", NULL,
				 "the original upload of this clip is no longer kept "
				 "(--keep-source 0), so it cannot be rendered again");
	e = jobs_enqueue_render(id, *version);
	if (e == CR_ECONFLICT)
		return cr_refuse(why, CR_ECONFLICT, "render-pending", NULL,
				 "this clip is being transcoded already; wait for it to finish");
	return e;
}

cr_err videos_render(int64_t id, int64_t *version, struct cr_problem *why)
{
	cr_err e = store_begin();
	if (e)
		return e;
	e = store_end(queue(id, version, why));
	if (!e)
		jobs_wake();
	return e;
}
