/* Teams (business units): the teams table and its JSON shape
 * {id, name, labels: {en, zh}, members} (members: active users in the
 * team; labels.en is the name unless an admin gave another). */
#ifndef CASEREEL_TEAMS_H
#define CASEREEL_TEAMS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "casereel/error.h"
#include "casereel/labels.h"

/* The id of the team named `name`, creating it when `create` is set.
 * CR_ENOTFOUND when absent and not created. */
cr_err teams_id_by_name(const char *name, bool create, int64_t *id);

/* Team `id` as JSON (new reference). CR_ENOTFOUND when there is none. */
cr_err teams_get_json(int64_t id, json_t **out);

/* Every team by name, as a JSON array (new reference). */
cr_err teams_list_json(json_t **out);

/* Creates a team (id 0: name required) or renames or relabels team `id`
 * (NULL name keeps it; labels as LABELS_SET_SQL); *saved gets its id.
 * CR_ECONFLICT when another team has that name, CR_ENOTFOUND for an
 * unknown id. */
cr_err teams_save(int64_t id, const char *name, const struct cr_labels *labels, int64_t *saved);

/* Every team's labels, for every employee: [{id, name, labels}] by name
 * (new reference). */
cr_err teams_labels_json(json_t **out);

#endif
