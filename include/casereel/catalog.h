/* An in-memory picture of every published clip: ranking features, what a
 * feed item shows, and the candidate index over them
 * (include/casereel/candidates.h). Shared by all threads through reference
 * counts; each build is read-only but for the ranking counters, which
 * catalog_count() moves in place as activity commits.
 *
 * What changes it:
 * - catalog_count(): a like, start, completion, tip or impression, in place;
 * - catalog_invalidate_clip() (publish, edit, removal, quiz) and
 *   catalog_invalidate_features() (featuring): the next acquire patches a
 *   copy of the current build (that clip re-read, the featurings re-read),
 *   so a change costs a copy and an index, not a scan of every clip;
 * - catalog_invalidate(): the next acquire rebuilds everything from SQLite;
 * - catalog_refresh(), from the housekeeping loop: a full rebuild at most
 *   every CATALOG_REFRESH_MS while the database changes (names, teams and
 *   any counter the notes missed catch up; the index re-sorts), when a
 *   featuring starts or ends, and every CATALOG_IDLE_MAX_MS (ages move on).
 *   An idle server does nothing. */
#ifndef CASEREEL_CATALOG_H
#define CASEREEL_CATALOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "casereel/error.h"
#include "casereel/rank.h"

#define CATALOG_REFRESH_MS  60000
#define CATALOG_IDLE_MAX_MS (10 * 60 * 1000)

struct catalog_strings;

struct catalog_clip {
	/* features; rank.watched is always false here, and the counters move in
	 * place: read them through catalog_rank_copy() */
	struct rank_clip rank;
	const char *title;
	const char *tags; /* names, sorted, comma-separated ("" when none) */
	const char *creator_name;
	const char *team_name; /* NULL when the creator has no team */
	double duration;
	int width, height;
	int64_t published_at;
	bool has_quiz;
	struct catalog_strings *strings; /* private: owns the four strings */
};

struct cand_index;

struct catalog {
	size_t n;
	struct catalog_clip *clips; /* sorted by id */
	const char *tag_names[64];  /* by tag bit (tag_id % 64); NULL when unused */
	struct cand_index *index;   /* NULL for a small catalogue: rank it whole */
	int64_t built_ms;
	int64_t valid_until; /* unix s: the next featuring's start or end (INT64_MAX: none) */
	uint64_t serial;     /* unique per build: keys caches of what it holds */
	/* private */
	int refs;
	uint64_t seq; /* the invalidations it includes */
};

/* The current catalogue with a reference held, once it includes every
 * invalidation made before the call (patching or rebuilding it first).
 * NULL (with the reason logged) when none can be built. */
struct catalog *catalog_acquire(void);

/* Drops the reference; sets *c to NULL. */
void catalog_release(struct catalog **c);

/* Everything may have changed: the next acquire rebuilds from SQLite. */
void catalog_invalidate(void);

/* Clip `id` changed (published, unpublished, edited, quiz): the next
 * acquire re-reads it, and the featurings. */
void catalog_invalidate_clip(int64_t id);

/* A featuring started or ended: the next acquire re-reads them. */
void catalog_invalidate_features(void);

/* Something a feed snapshot depends on changed without changing the
 * catalogue (an assignment): snapshots ranked before are not reused. */
void catalog_touch(void);

/* Increases with every invalidation and touch: a feed snapshot is reused
 * only under the epoch it was ranked in. */
uint64_t catalog_epoch(void);

enum catalog_counter {
	CATALOG_STARTS,
	CATALOG_COMPLETIONS,
	CATALOG_LIKES,
	CATALOG_TIPS,
	CATALOG_IMPRESSIONS,
};

/* Adds `delta` to a published clip's ranking counter in the current
 * catalogue, after the change committed. Unknown clips are ignored. */
void catalog_count(int64_t id, enum catalog_counter counter, int delta);

/* catalog_count for each of ids[0..n), holding the catalogue's lock once
 * (a second's impressions at a time). */
void catalog_count_each(const int64_t *ids, size_t n, enum catalog_counter counter, int delta);

/* The clip's ranking features as of now: counters read once, age from its
 * publication to `now` (unix s). */
void catalog_rank_copy(const struct catalog_clip *c, int64_t now, struct rank_clip *out);

/* The clip with `id`, or NULL. */
const struct catalog_clip *catalog_find(const struct catalog *c, int64_t id);

/* Rebuilds when due (see the top of this file). Called by the
 * housekeeping loop every second, from that one thread, so requests never
 * wait for it. */
void catalog_refresh(void);

/* Rebuilds the catalogue from SQLite now, and returns once it is current.
 * For the test hooks; CR_EDB when it cannot be built. */
cr_err catalog_rebuild(void);

/* Frees the current catalogue at exit. */
void catalog_shutdown(void);

#endif
