/* Watch events: the server keeps, per viewer and clip, the position, the
 * credited watch time and completion, and refuses progress that could not
 * have happened in the wall-clock time since the last event. A viewer has
 * one watch session: starting a clip ends the one before (its clip earns
 * nothing after that start), and the credited seconds over all clips are
 * bounded by wall time, so six clips played at once earn what one earns.
 * A clip's starts and completions (the ranker's quality signal) count
 * people: each viewer once, never the clip's creator. */
#ifndef CASEREEL_WATCH_H
#define CASEREEL_WATCH_H

#include <jansson.h>
#include <stdint.h>

#include "casereel/error.h"

#define WATCH_MAX_RATE      2.0 /* fastest playback speed the players offer */
#define WATCH_SLACK_SECONDS 2.0 /* network and timer jitter */
#define WATCH_COMPLETE      0.9 /* share of the clip that counts as finished */

enum watch_event { WATCH_START, WATCH_PROGRESS, WATCH_SEEK, WATCH_END };

/* Applies one event at `position` seconds for `user_id` on published clip
 * `video_id`, at server time now_ms. *out is the viewer's state afterwards
 * (new reference). CR_ENOTFOUND when the clip is not published; CR_EINVAL
 * with `why` (field "position") for impossible progress, a position outside the clip, or an
 * event before start. Nothing changes on error. */
cr_err watch_apply(int64_t video_id, int64_t user_id, enum watch_event ev, double position,
		   int64_t now_ms, json_t **out, struct cr_problem *why);

#endif
