/* The caller's own account summary (GET /me): the user's JSON shape plus their
 * points balance and check-in streak, read as one snapshot. */
#ifndef CASEREEL_ME_H
#define CASEREEL_ME_H

#include <jansson.h>
#include <stdint.h>
#include <time.h>

#include "casereel/error.h"

/* users_get_json()'s object for `user_id` with "points", "streak" and
 * "checked_in_today" (as of `now`, unix seconds) added; new reference.
 * CR_ENOTFOUND for an unknown user. */
cr_err me_json(int64_t user_id, time_t now, json_t **out);

#endif
