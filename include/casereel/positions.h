/* Positions ("Agent", "Team lead"): the job titles users.position holds,
 * each with labels in the two UI languages. JSON shape {id, name,
 * labels: {en, zh}}; labels.en is the name unless an admin gave another.
 * A user's new position text adds its row (a trigger); renaming a
 * position renames it on its users. */
#ifndef CASEREEL_POSITIONS_H
#define CASEREEL_POSITIONS_H

#include <jansson.h>
#include <stdint.h>

#include "casereel/error.h"
#include "casereel/labels.h"

#define POSITION_NAME_MAX 64 /* characters, as users.position */

/* Every position by name, as a JSON array (new reference). */
cr_err positions_list_json(json_t **out);

/* Position `id` as JSON (new reference). CR_ENOTFOUND when there is none. */
cr_err positions_get_json(int64_t id, json_t **out);

/* Creates a position (id 0: name required) or renames or relabels
 * position `id` (NULL name keeps it) with its users; *saved gets its id.
 * CR_ECONFLICT when another position has that name, CR_ENOTFOUND for an
 * unknown id. The caller has checked the fields. */
cr_err positions_save(int64_t id, const char *name, const struct cr_labels *labels, int64_t *saved);

/* Deletes position `id`. CR_ECONFLICT while a user holds it,
 * CR_ENOTFOUND for an unknown id. */
cr_err positions_delete(int64_t id);

#endif
