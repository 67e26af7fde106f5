/* Media versions replaced by a newer rendering of their clip, waiting for
 * the janitor (table media_retired, owned here). A version's files stay
 * servable under their own URLs until then: old links keep their bytes,
 * then 404, never new bytes. */
#ifndef CASEREEL_MEDIA_VERSIONS_H
#define CASEREEL_MEDIA_VERSIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "casereel/error.h"

struct media_retired {
	int64_t video_id;
	int64_t version;
};

/* Records that version `version` of clip `video_id` was replaced at `now`
 * (again: no change). In the caller's transaction. */
cr_err media_versions_retire(int64_t video_id, int64_t version, int64_t now);

/* Blocks version `version` of clip `video_id` at once (a redaction replaces
 * it): its files are never served again, and the janitor deletes them as
 * soon as the clip has moved to a newer version. In the caller's
 * transaction. */
cr_err media_versions_block(int64_t video_id, int64_t version, int64_t now);

/* True when that version is blocked (false on a database error). */
bool media_versions_blocked(int64_t video_id, int64_t version);

/* Up to `max` versions retired at `cutoff` or before, and blocked versions
 * no longer current, into out[0..*n). */
cr_err media_versions_due(int64_t cutoff, struct media_retired *out, size_t max, size_t *n);

/* Forgets done[0..n), whose files are gone, in one transaction. */
cr_err media_versions_forget(const struct media_retired *done, size_t n);

#endif
