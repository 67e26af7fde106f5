/* Likes and comments on published clips. Counters on the video row change
 * in the same transaction as the like/comment rows, so they stay exact
 * under any number of concurrent writers. */
#ifndef CASEREEL_SOCIAL_H
#define CASEREEL_SOCIAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "casereel/error.h"
#include "casereel/user.h"

#define COMMENT_MAX_CHARS 500

/* Likes (like = true) or unlikes a published clip; idempotent. *likes gets
 * the new count. CR_ENOTFOUND when the clip is not published. */
cr_err social_set_like(int64_t video_id, int64_t user_id, bool like, int64_t *likes);

/* Adds a comment to a published clip; *out is its JSON (new reference). */
cr_err social_add_comment(int64_t video_id, const struct cr_user *author, const char *body,
			  json_t **out);

/* A page of a published clip's comments, newest first (or oldest first),
 * continuing after comment `after` in that order (0: from the start).
 * Removed comments are left out. */
cr_err social_list_comments(int64_t video_id, bool newest_first, int64_t after, long limit,
			    json_t **out);

/* Deletes a comment: its author may, trainers may delete any.
 * CR_ENOTFOUND when absent, already removed or not allowed. */
cr_err social_remove_comment(int64_t comment_id, const struct cr_user *by);

/* True when clip `video_id` is published. */
bool social_video_published(int64_t video_id);

#endif
