/* The personal feed: ranks published clips for a viewer (src/rank.c over
 * src/catalog.c), keeps the order in a per-viewer snapshot so pages never
 * repeat or skip while scores move, records impressions (src/impressions.c),
 * and shapes feed items. */
#ifndef CASEREEL_FEED_H
#define CASEREEL_FEED_H

#include <jansson.h>
#include <stdint.h>

#include "casereel/error.h"
#include "casereel/http.h"

#define FEED_SNAPSHOT_MAX 500  /* clips kept per snapshot */
#define FEED_SNAPSHOT_TTL 3600 /* seconds a cursor stays valid */
#define FEED_CURSOR_CHARS 64

/* One page of the viewer's feed. With cursor NULL a fresh snapshot is
 * ranked; otherwise the page continues that snapshot. *items is a new JSON
 * array; next_cursor is "" at the end. CR_EINVAL for a cursor that is
 * malformed, expired or someone else's. */
cr_err feed_page(const struct cr_user *viewer, const char *cursor, long limit, long url_ttl,
		 json_t **items, char next_cursor[FEED_CURSOR_CHARS]);

/* The feed item JSON of published clip `video_id` for `viewer`: the clip
 * with signed URLs, creator, counts, the viewer's own state and `reason`
 * (may be NULL). NULL when the clip is not published. */
json_t *feed_item_json(int64_t video_id, const struct cr_user *viewer, const char *reason,
		       long url_ttl);

/* Drops the viewer's cached order so the next reload re-ranks (after they
 * finish a clip: watched clips sink). Cursors keep working. */
void feed_forget_viewer(int64_t user_id);

/* Frees the cached snapshots at exit. */
void feed_shutdown(void);

/* Deletes snapshots older than FEED_SNAPSHOT_TTL. */
cr_err feed_expire_snapshots(void);

#endif
