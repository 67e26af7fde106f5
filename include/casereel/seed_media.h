/* The demo's clips: made at first start from the seed's "clips" section
 * (src/demo_clips.c), sent through the same upload → job → transcode path
 * as a phone upload, published, and given likes, comments and watch history
 * from the demo agents, so a fresh `make run` shows a feed that is alive. */
#ifndef CASEREEL_SEED_MEDIA_H
#define CASEREEL_SEED_MEDIA_H

#include <stdatomic.h>

#include "casereel/config.h"
#include "casereel/error.h"

#define SEED_MEDIA_THREADS 2 /* demo sources made at once */

/* When the database has no videos yet, makes the first `count` clips of the
 * seed file at `seed_path` (its users and tags must be loaded already),
 * queues their jobs for the transcode workers (whose waker must be set)
 * and publishes each clip once it is transcoded, adding *published one by
 * one; does nothing (CR_OK) otherwise, or when count <= 0. Blocks until
 * every clip is published or given up, running queued jobs itself
 * meanwhile, so it is meant for a thread of its own while the server
 * answers (src/demo/demo_background.c). `stop` non-zero ends it early: a
 * transcode it runs is cancelled and requeued, and clips not yet published
 * stay as they are. A clip that cannot be made is logged and skipped: the
 * others are still published, and the first error is returned. CR_EINVAL
 * (logged) when the section is malformed or names an unknown creator or
 * tag; nothing is made then. */
cr_err seed_media_load(const struct cr_config *cfg, const char *seed_path, int count,
		       const atomic_int *stop, atomic_int *published);

#endif
