/* A clip's audit trail (table video_audit, owned here): who changed what
 * of a clip and when, as an action name and a JSON detail, for trainers.
 * Captions record their replacements and removals; any module that
 * changes a clip's content (redaction, trims, posters) records through
 * here too, in the transaction that makes the change. */
#ifndef CASEREEL_VIDEO_AUDIT_H
#define CASEREEL_VIDEO_AUDIT_H

#include <jansson.h>
#include <stdint.h>

#include "casereel/error.h"

/* Appends an entry for clip `video_id` at `at` (cr_now()) by user
 * `actor_id` (0: the system): `action` a short dotted name such as
 * "captions.replace", `detail` a JSON object (borrowed; NULL for {}).
 * Must run in the caller's open transaction, so the entry commits or
 * rolls back with the change it records. */
cr_err video_audit_add(int64_t video_id, int64_t at, int64_t actor_id, const char *action,
		       const json_t *detail);

/* Clip `video_id`'s entries, oldest first, as a JSON array of
 * {id, at, actor: {id, display_name} | null, action, detail} (new ref). */
cr_err video_audit_list_json(int64_t video_id, json_t **out);

#endif
