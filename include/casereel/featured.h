/* Featuring ("make stars"): trainers feature a clip or a creator for a
 * period with a note; featured clips and creators get the feed boost and a
 * badge (src/feed/catalog.c reads the active ones). A feature's JSON is
 * {id, kind ("clip"|"creator"), video {id, title}|null, creator {id,
 * display_name}, note, starts_at, ends_at}. */
#ifndef CASEREEL_FEATURED_H
#define CASEREEL_FEATURED_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "casereel/error.h"

/* True when video_id > 0 names a published clip or user_id > 0 an active
 * user. */
bool featured_target_exists(int64_t video_id, int64_t user_id);

/* Features clip `video_id` or creator `user_id` (the other one 0) from now
 * for `days` days with `note`, on behalf of trainer `by`; *out gets the
 * feature (new reference). The catalogue is invalidated. */
cr_err featured_add(int64_t video_id, int64_t user_id, const char *note, int64_t days, int64_t by,
		    json_t **out);

/* The active features, newest first (at most 100), whose clip is still
 * published and creator still active: a JSON array (new reference). */
cr_err featured_list_json(json_t **out);

/* Ends active feature `id` now. CR_ENOTFOUND when there is no such
 * active feature. */
cr_err featured_end(int64_t id);

#endif
