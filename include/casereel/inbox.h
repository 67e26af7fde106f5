/* casereel inbox: what happened to a person's clips and learning, for them
 * to read in the app: a clip approved or rejected (with the trainer's
 * reason), an edit decided, a clip or its creator featured, a tip received,
 * a must-watch clip or learning path assigned by a trainer or pushed by a
 * rule. Each entry names its clip where it has one. The module owns the
 * `inbox` table; the events' own modules call it inside their transaction,
 * so an entry exists exactly when its event does. */
#ifndef CASEREEL_INBOX_H
#define CASEREEL_INBOX_H

#include <jansson.h>
#include <stdint.h>

#include "casereel/error.h"

/* What an entry says happened ("approved", "rejected", ...). */
enum inbox_kind {
	INBOX_APPROVED,         /* a clip went live */
	INBOX_REJECTED,         /* a clip was rejected; detail.reason */
	INBOX_EDIT_APPROVED,    /* an edit of a live clip went live */
	INBOX_EDIT_REJECTED,    /* an edit was rejected; detail.reason */
	INBOX_FEATURED,         /* a clip was featured; detail.note, detail.until */
	INBOX_CREATOR_FEATURED, /* its owner was featured; detail.note, detail.until */
	INBOX_TIP,              /* a tip on a clip; detail.gift, detail.count, detail.points */
};

/* Adds an entry for the owner of clip `video_id`, by `actor_id` (0: none),
 * with `detail` (an object, or NULL for {}; borrowed). Call inside the
 * event's transaction. */
cr_err inbox_add_for_owner(int64_t video_id, enum inbox_kind kind, int64_t actor_id,
			   json_t *detail);

/* Adds an entry for person `user_id` (nothing about a clip). */
cr_err inbox_add_for_user(int64_t user_id, enum inbox_kind kind, int64_t actor_id, json_t *detail);

/* Adds "assigned" (a trainer's) or "pushed" (a rule's) entries for path
 * assignment `assignment_id`: one for its person, or one for each active
 * member of its team but a one-clip path's creator (nobody must watch
 * their own clip). A one-clip path's entries name the clip. Call inside
 * the assignment's transaction. */
cr_err inbox_add_assignment(int64_t assignment_id);

/* A page of `user_id`'s entries, newest first, older than entry `before`
 * (0: from the newest); *unread counts all their unread ones. Each item:
 * {id, kind, created_at, read, video {id, title, status} | null,
 *  actor {id, display_name} | null, detail {...}}. */
cr_err inbox_list_json(int64_t user_id, int64_t before, long limit, json_t **items,
		       int64_t *unread);

/* Marks `user_id`'s entries up to id `up_to` (0: all) read; *unread gets
 * what stays unread. */
cr_err inbox_mark_read(int64_t user_id, int64_t up_to, int64_t *unread);

#endif
