/* An in-memory, read-only picture of every published clip: ranking
 * features and what a feed item shows. Shared by all threads through
 * reference counts. Requests rebuild it after catalog_invalidate()
 * (publish, edit, removal); the housekeeping loop refreshes it when older
 * than CATALOG_MAX_AGE_MS and the database changed since (likes, starts,
 * impressions...), so ranking counters lag writes by about that; an idle
 * server rebuilds it only when a featuring starts or ends, or every
 * CATALOG_IDLE_MAX_MS (ages move on). */
#ifndef CASEREEL_CATALOG_H
#define CASEREEL_CATALOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "casereel/error.h"
#include "casereel/rank.h"

#define CATALOG_MAX_AGE_MS  2000
#define CATALOG_IDLE_MAX_MS (10 * 60 * 1000)

struct catalog_clip {
	struct rank_clip rank; /* features; rank.watched is always false here */
	const char *title;
	const char *tags; /* names, sorted, comma-separated ("" when none) */
	double duration;
	int width, height;
	int64_t published_at;
	const char *creator_name;
	const char *team_name; /* NULL when the creator has no team */
	int starts, likes, comments;
	bool has_quiz;
};

struct catalog {
	size_t n;
	struct catalog_clip *clips; /* sorted by id */
	const char *tag_names[64];  /* by tag bit (tag_id % 64); NULL when unused */
	int64_t built_ms;
	int64_t valid_until; /* unix s: the next featuring's start or end (INT64_MAX: none) */
	uint64_t serial;     /* unique per build: keys caches of what it holds */
	/* private */
	int refs;
	uint64_t version;
};

/* The current catalogue with a reference held; rebuilds it first when
 * stale. NULL (with the reason logged) when it cannot be built. */
struct catalog *catalog_acquire(void);

/* Drops the reference; sets *c to NULL. */
void catalog_release(struct catalog **c);

/* Marks the catalogue stale: the next acquire rebuilds it. */
void catalog_invalidate(void);

/* The clip with `id`, or NULL. */
const struct catalog_clip *catalog_find(const struct catalog *c, int64_t id);

/* Rebuilds the catalogue when older than CATALOG_MAX_AGE_MS and the
 * database changed since the last such rebuild (store_change_mark), when a
 * featuring starts or ends, or when older than CATALOG_IDLE_MAX_MS. Called
 * by the housekeeping loop every second, from that one thread, so
 * requests never wait for it. */
void catalog_refresh(void);

/* Rebuilds the catalogue now, whatever its age, and returns once a
 * catalogue as new as the call is current (waiting for a build in progress).
 * For the test hooks; CR_EDB when it cannot be built. */
cr_err catalog_rebuild(void);

/* Frees the current catalogue at exit. */
void catalog_shutdown(void);

#endif
