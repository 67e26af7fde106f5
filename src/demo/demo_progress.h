/* The demo's progress in the database (tables demo_state and demo_clips,
 * which this module alone writes): what a first `--demo` start planned,
 * which video it made for each seed clip, which of them it published with
 * their activity, and whether the whole demo is done. A later start reads
 * it to finish an interrupted demo, and to leave a finished one alone. */
#ifndef CASEREEL_DEMO_PROGRESS_H
#define CASEREEL_DEMO_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

#include "casereel/error.h"

enum demo_stage {
	DEMO_FRESH,   /* nothing recorded and no videos: make the demo */
	DEMO_RESUME,  /* a plan recorded, not completed: finish it */
	DEMO_DONE,    /* completed: never touched again */
	DEMO_FOREIGN, /* nothing recorded, but videos exist (made before this
		       * table, or by people): no demo clips are made */
};

/* Where the demo stands; *planned receives the recorded plan (0 unless
 * DEMO_RESUME or DEMO_DONE). CR_EDB on a database error. */
cr_err demo_progress_read(enum demo_stage *stage, int *planned);

/* Records the plan of `planned` clips, unless one is recorded. Call inside
 * the transaction that creates the first clips, so the plan and its
 * videos exist together or not at all. */
cr_err demo_progress_plan(int planned);

/* Records that seed clip `seed_index` is video `video_id` (same
 * transaction as the video's creation). */
cr_err demo_progress_add_clip(int seed_index, int64_t video_id);

/* For each recorded clip with seed_index < n: video_ids[i] receives its
 * video and published[i] whether the demo published it; entries with no
 * record are left as they are. */
cr_err demo_progress_clips(int64_t *video_ids, bool *published, int n);

/* *count receives how many recorded clips the demo published. */
cr_err demo_progress_published_count(int *count);

/* Records that the demo published seed clip `seed_index` with its
 * activity: a later start never publishes it again. */
cr_err demo_progress_published(int seed_index);

/* Records that the whole demo (clips and the loop's world) is made, at
 * `now`; nothing when no plan is recorded. */
cr_err demo_progress_complete(int64_t now);

#endif
