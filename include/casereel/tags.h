/* Skill tags ("refunds", "de-escalation"): the tags table and its JSON
 * shape {id, name, label, onboarding}. `onboarding` tags are what new hires
 * are shown first. */
#ifndef CASEREEL_TAGS_H
#define CASEREEL_TAGS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "casereel/error.h"

/* The id of the tag called `name`. CR_ENOTFOUND when there is none. */
cr_err tags_id_by_name(const char *name, int64_t *id);

/* Tag `id` as JSON (new reference). CR_ENOTFOUND when there is none. */
cr_err tags_get_json(int64_t id, json_t **out);

/* Every tag by name, as a JSON array (new reference). */
cr_err tags_list_json(json_t **out);

/* Creates a tag (id 0: name required; label defaults to the name) or
 * updates tag `id` (NULL name or label, or !has_onboarding, keep the old
 * value); *saved gets its id. CR_ECONFLICT when another tag has that name,
 * CR_ENOTFOUND for an unknown id. */
cr_err tags_save(int64_t id, const char *name, const char *label, bool has_onboarding,
		 bool onboarding, int64_t *saved);

#endif
