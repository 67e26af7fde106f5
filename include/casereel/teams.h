/* Teams (business units): the teams table and its JSON shape
 * {id, name, members} (members: active users in the team). */
#ifndef CASEREEL_TEAMS_H
#define CASEREEL_TEAMS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "casereel/error.h"

/* The id of the team named `name`, creating it when `create` is set.
 * CR_ENOTFOUND when absent and not created. */
cr_err teams_id_by_name(const char *name, bool create, int64_t *id);

/* Team `id` as JSON (new reference). CR_ENOTFOUND when there is none. */
cr_err teams_get_json(int64_t id, json_t **out);

/* Every team by name, as a JSON array (new reference). */
cr_err teams_list_json(json_t **out);

/* Creates a team (id 0) or renames team `id`; *saved gets its id.
 * CR_ECONFLICT when another team has that name, CR_ENOTFOUND for an
 * unknown id. */
cr_err teams_save(int64_t id, const char *name, int64_t *saved);

#endif
