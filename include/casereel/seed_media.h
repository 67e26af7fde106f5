/* The demo's clips: made at the first start (or finished by the next one,
 * when that was stopped) from the seed's "clips" section
 * (src/demo_clips.c), sent through the same upload → job → transcode path
 * as a phone upload, published, and given likes, comments and watch history
 * from the demo agents, so a fresh `make run` shows a feed that is alive. */
#ifndef CASEREEL_SEED_MEDIA_H
#define CASEREEL_SEED_MEDIA_H

#include <stdatomic.h>

#include "casereel/config.h"
#include "casereel/error.h"

#define SEED_MEDIA_THREADS 2 /* demo sources made at once */

/* Makes the first `count` clips of the seed file at `seed_path` (its users
 * and tags must be loaded already) when the database has no videos yet, or
 * finishes what an earlier start of the demo began (its progress is
 * recorded in the database, src/demo/demo_progress.h: the plan it recorded
 * wins over `count` and is stored in *planned; the clips it made are
 * reused, the ones it published are never published again, the missing
 * ones are made). Does nothing (CR_OK) when count <= 0, when the recorded
 * demo is complete (*planned and *published then say what it made), or
 * when videos exist that no demo start recorded. Queues the clips' jobs
 * for the transcode workers (whose waker must be set) and publishes each
 * clip with its activity once it is transcoded, adding *published one by
 * one. Blocks until every clip is published or given up, running queued
 * jobs itself meanwhile, so it is meant for a thread of its own while the
 * server answers (src/demo/demo_background.c). `stop` non-zero ends it
 * early: a transcode it runs is cancelled and requeued, and clips not yet
 * published stay as they are, for the next start to finish. A clip that
 * cannot be made is logged and skipped: the others are still published,
 * and the first error is returned. CR_EINVAL (logged) when the section is
 * malformed or names an unknown creator or tag; nothing is made then. */
cr_err seed_media_load(const struct cr_config *cfg, const char *seed_path, int count,
		       const atomic_int *stop, atomic_int *planned, atomic_int *published);

#endif
