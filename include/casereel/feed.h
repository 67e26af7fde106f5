/* The personal feed: ranks published clips for a viewer (src/rank.c over
 * src/catalog.c), keeps the order in a per-viewer snapshot so pages never
 * repeat or skip while scores move, and records impressions
 * (src/impressions.c). */
#ifndef CASEREEL_FEED_H
#define CASEREEL_FEED_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "casereel/error.h"
#include "casereel/text_buf.h"
#include "casereel/user.h"

#define FEED_SNAPSHOT_MAX 500  /* clips kept per snapshot */
#define FEED_SNAPSHOT_TTL 3600 /* seconds a cursor stays valid */

/* Writes one page of the viewer's feed to `out` as the JSON object
 * {"items": [...], "next_cursor": "..." | null}. With cursor NULL a fresh
 * snapshot is ranked (or a recent one reused); otherwise the page
 * continues that snapshot. CR_EINVAL for a cursor that is malformed,
 * expired or someone else's. Items are rendered by src/feed_items.c. */
cr_err feed_page(const struct cr_user *viewer, const char *cursor, long limit, long url_ttl,
		 struct text_buf *out);

/* What a plain list of published clips keeps (src/feed/feed_lists.c); the
 * members given (non-NULL, non-zero) all apply. */
struct feed_filter {
	const char *tag;  /* clips with this tag */
	int64_t owner_id; /* clips by this creator */
};

/* Ids of the published clips that pass `f`, newest first, below id
 * `before`: at most `limit` into ids[], their number in *n. CR_EDB when
 * the list cannot be read. */
cr_err feed_list_published(const struct feed_filter *f, int64_t before, long limit, int64_t *ids,
			   size_t *n);

/* Drops the viewer's cached order so the next reload re-ranks (after they
 * finish a clip: watched clips sink). Cursors keep working. */
void feed_forget_viewer(int64_t user_id);

/* Writes the snapshots ranked since the last call to SQLite, in one
 * transaction (the housekeeping loop, every second, and at exit); they
 * stay queued when it fails. Until then cursors find them in the queue. */
cr_err feed_flush_snapshots(void);

/* Frees the cached snapshots at exit. */
void feed_shutdown(void);

/* Deletes snapshots older than FEED_SNAPSHOT_TTL. */
cr_err feed_expire_snapshots(void);

#endif
