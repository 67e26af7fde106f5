/* The demo's clips: made at first start from the seed's "clips" section
 * (src/demo_clips.c), sent through the same upload → job → transcode path
 * as a phone upload, published, and given likes, comments and watch history
 * from the demo agents, so a fresh `make run` shows a feed that is alive. */
#ifndef CASEREEL_SEED_MEDIA_H
#define CASEREEL_SEED_MEDIA_H

#include "casereel/config.h"
#include "casereel/error.h"

#define SEED_MEDIA_THREADS 2 /* clips made and transcoded at once */

/* When the database has no videos yet, makes the first `count` clips of the
 * seed file at `seed_path` (its users and tags must be loaded already) and
 * publishes them; does nothing (CR_OK) otherwise, or when count <= 0.
 * Runs before the server starts its workers; blocks until done, logging one
 * progress line per clip. A clip that cannot be made is logged and skipped:
 * the others are still published, and the first error is returned.
 * CR_EINVAL (logged) when the section is malformed or names an unknown
 * creator or tag; nothing is made then. */
cr_err seed_media_load(const struct cr_config *cfg, const char *seed_path, int count);

#endif
