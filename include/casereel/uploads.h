/* Resumable (tus) uploads in progress: their rows, the files their bytes
 * land in, per-upload locks, and turning a finished upload into a video. */
#ifndef CASEREEL_UPLOADS_H
#define CASEREEL_UPLOADS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "casereel/config.h"
#include "casereel/error.h"
#include "casereel/upload_locks.h"

struct upload {
	char id[33];
	int64_t owner_id;
	int64_t length; /* Upload-Length */
	int64_t offset; /* bytes acknowledged (fsync'd) */
	int64_t created_at;
	int64_t expires_at;
	int64_t video_id;   /* 0 until complete */
	json_t *metadata;   /* decoded Upload-Metadata (owned) */
	char *raw_metadata; /* as sent (owned, may be NULL) */
};

/* Frees what `u` owns. */
void uploads_clear(struct upload *u);

/* Creates u's empty, durable file and inserts its row (new random u->id)
 * when its owner stays within cfg's limits, counting u->length as declared:
 * CR_ETHROTTLED ("upload-quota": today's clips and open uploads reach
 * upload_daily_quota; "upload-byte-quota": today's clips' bytes, open
 * uploads' lengths and this one would pass upload_user_bytes;
 * "upload-queue-full": open uploads and clips awaiting transcoding reach
 * upload_queue_max) with *retry_at, the unix time worth trying again; or
 * CR_ENOSPACE when the media file system would keep less than
 * min_free_disk free; CR_ETOOBIG when u->length alone passes
 * upload_user_bytes. A refusal leaves nothing behind. The checks and the
 * insert share one write transaction, so parallel creations cannot all pass. */
cr_err uploads_create(const struct cr_config *cfg, struct upload *u, int64_t *retry_at,
		      struct cr_problem *why);

/* Loads upload `id`. CR_ENOTFOUND when absent or owned by someone else. */
cr_err uploads_get(const char *id, int64_t owner_id, struct upload *u);

/* Records a new acknowledged offset (the bytes are already fsync'd). */
cr_err uploads_set_offset(const char *id, int64_t offset);

/* Deletes the row and its file (termination). */
cr_err uploads_delete(const struct cr_config *cfg, const char *id);

/* Creates the video and its job from a complete upload of u->length bytes,
 * in one transaction with marking the upload done, then wakes a transcode
 * worker (jobs_wake). CR_EINVAL with `why` for bad metadata. */
cr_err uploads_complete(struct upload *u, int64_t *video_id, struct cr_problem *why);

/* *open = unfinished uploads the server holds now (not complete, not
 * expired), of every user: for /metrics. */
cr_err uploads_count_open(int64_t *open);

/* Deletes expired unfinished uploads and their files; *removed counts them. */
cr_err uploads_expire(const struct cr_config *cfg, int *removed);

#endif
