/* The demo's slow part on a thread of its own, so a `--demo` server answers
 * at once: the demo clips through the real pipeline (each published as it
 * is ready, so the feed fills while people look), then the learning loop's
 * demo world, which is built from them. */
#ifndef CASEREEL_DEMO_BACKGROUND_H
#define CASEREEL_DEMO_BACKGROUND_H

#include <stdbool.h>

#include "casereel/config.h"
#include "casereel/error.h"

struct demo_background;

/* Starts the thread making cfg->demo_clips clips from cfg->seed_path, then
 * the loop's world for cfg->demo_agents agents (seed_media_load, then
 * seed_loop_load). Call once the transcode workers run. `cfg` must outlive
 * the thread. CR_ENOMEM when it cannot start (nothing is made then). */
cr_err demo_background_start(const struct cr_config *cfg, struct demo_background **out);

/* Asks the thread to stop (a transcode it runs is cancelled and requeued),
 * waits for it and frees it; sets *bg to NULL. Safe on NULL. */
void demo_background_stop(struct demo_background **bg);

/* What the demo has made so far, for /healthz. */
struct demo_status {
	int clips_planned;   /* cfg->demo_clips, or what the first start planned */
	int clips_published; /* published so far, by this start or an earlier one */
	bool ready;          /* nothing is left to make (no clips asked, or all done) */
};

/* Fills `out` for a server started with `cfg`. Safe from any thread. */
void demo_background_status(const struct cr_config *cfg, struct demo_status *out);

#endif
