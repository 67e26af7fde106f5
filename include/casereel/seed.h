/* The demo seed: teams, skill tags and users from seeds/demo.json. */
#ifndef CASEREEL_SEED_H
#define CASEREEL_SEED_H

#include "casereel/config.h"
#include "casereel/error.h"

/* Loads the seed file at `path` into the database when it has no users yet;
 * does nothing (CR_OK) otherwise, so restarts keep what users changed.
 * CR_EINVAL when the file is malformed, with the reason logged. */
cr_err seed_load(const struct cr_config *cfg, const char *path);

#endif
