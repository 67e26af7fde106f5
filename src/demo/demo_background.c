/* The demo's clips and learning-loop world, made on a thread of its own
 * after the server listens. See include/casereel/demo_background.h. */
#include "casereel/demo_background.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "casereel/clock.h"
#include "casereel/log.h"
#include "casereel/seed_loop.h"
#include "casereel/seed_media.h"
#include "demo_progress.h"

struct demo_background {
	const struct cr_config *cfg;
	pthread_t thread;
	atomic_int stop;
};

/* One demo per process: /healthz reads these without a handle. */
static atomic_int planned = -1; /* -1: as configured */
static atomic_int published;
static atomic_bool finished;

static void *demo_main(void *arg)
{
	struct demo_background *bg = arg;
	const struct cr_config *cfg = bg->cfg;
	cr_err clips = seed_media_load(cfg, cfg->seed_path, cfg->demo_clips, &bg->stop, &planned,
				       &published);
	if (clips)
		log_warn("some demo clips could not be made; the demo feed is shorter");
	/* the loop's paths are made of the clips: it comes after them (and its
	 * own guard makes it once, however many starts it takes) */
	cr_err loop = atomic_load(&bg->stop) ? CR_OK : seed_loop_load(cfg->demo_agents);
	if (loop)
		log_warn("the learning loop's demo could not be made");
	if (!atomic_load(&bg->stop)) {
		/* a clip that could not be made stays unmade; a database that
		 * failed us gets another try at the next start */
		if (!loop && clips != CR_EDB && clips != CR_ENOMEM &&
		    demo_progress_complete(cr_now()))
			log_warn("demo: cannot record it complete; the next start looks again");
		atomic_store(&finished, true);
		log_info("demo: ready");
	}
	return NULL; /* the thread's store connection closes with it */
}

cr_err demo_background_start(const struct cr_config *cfg, struct demo_background **out)
{
	struct demo_background *bg = calloc(1, sizeof *bg);
	if (!bg)
		return CR_ENOMEM;
	bg->cfg = cfg;
	if (pthread_create(&bg->thread, NULL, demo_main, bg) != 0) {
		free(bg);
		log_error("cannot start the demo's thread: no demo clips");
		return CR_ENOMEM;
	}
	*out = bg;
	return CR_OK;
}

void demo_background_stop(struct demo_background **bgp)
{
	struct demo_background *bg = *bgp;
	if (!bg)
		return;
	atomic_store(&bg->stop, 1);
	pthread_join(bg->thread, NULL);
	free(bg);
	*bgp = NULL;
}

void demo_background_status(const struct cr_config *cfg, struct demo_status *out)
{
	int recorded = atomic_load(&planned);
	out->clips_planned = !cfg->demo || cfg->demo_clips <= 0 ? 0
			     : recorded >= 0                    ? recorded
								: cfg->demo_clips;
	out->clips_published = atomic_load(&published);
	out->ready = out->clips_planned == 0 || atomic_load(&finished);
}
