/* Skill tags ("refunds", "de-escalation"): the tags table and its JSON
 * shape {id, name, label, labels: {en, zh}, onboarding}. `label` is the
 * English name (kept for older callers; labels.en says the same), labels.zh
 * the Chinese one or null. `onboarding` tags are what new hires are shown
 * first. */
#ifndef CASEREEL_TAGS_H
#define CASEREEL_TAGS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "casereel/error.h"

#define TAG_NAME_MAX  32 /* characters of a slug */
#define TAG_LABEL_MAX 64 /* characters of a label, in either language */

/* A tag's fields for tags_save. NULL keeps the old value on an update. */
struct tag_fields {
	const char *name;
	const char *label;    /* English; a new tag without one is labelled by its name */
	const char *label_zh; /* Chinese; a new tag without one has none */
	bool clear_label_zh;  /* drop the Chinese label (label_zh is then ignored) */
	bool has_onboarding, onboarding;
};

/* The id of the tag called `name`. CR_ENOTFOUND when there is none. */
cr_err tags_id_by_name(const char *name, int64_t *id);

/* Tag `id` as JSON (new reference). CR_ENOTFOUND when there is none. */
cr_err tags_get_json(int64_t id, json_t **out);

/* Every tag by name, as a JSON array (new reference). */
cr_err tags_list_json(json_t **out);

/* The labels of the tag called `name` as {"en": ..., "zh": ... or null}
 * (new reference), for whoever names a skill to people. CR_ENOTFOUND when
 * there is none. */
cr_err tags_labels_json(const char *name, json_t **out);

/* Creates a tag (id 0: f->name required) or updates tag `id`; *saved gets
 * its id. CR_ECONFLICT when another tag has that name, CR_ENOTFOUND for an
 * unknown id. The caller has checked the fields' lengths. */
cr_err tags_save(int64_t id, const struct tag_fields *f, int64_t *saved);

#endif
