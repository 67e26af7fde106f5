/* Feed items: what every clip list (feed, tag feed, creator list, search)
 * shows of a published clip, written as JSON text. The fixed part of an item
 * (clip, creator, signed URLs) is rendered once per catalogue build and URL
 * expiry and cached by this module; counts and the viewer's own state are
 * read live, in one query per page, so they are exact. */
#ifndef CASEREEL_FEED_ITEMS_H
#define CASEREEL_FEED_ITEMS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "casereel/catalog.h"
#include "casereel/error.h"
#include "casereel/paths.h"
#include "casereel/text_buf.h"
#include "casereel/user.h"

#define FEED_ITEMS_MAX 64 /* entries per call */

struct feed_entry {
	int64_t id;
	const char *reason; /* why it is shown, in English words; NULL for none */
	bool must_watch;
	const char *reason_code;        /* the same as rank_reason_code(); NULL with reason */
	const char *const *reason_tags; /* the skill tags the reason names */
	size_t n_reason_tags;
	const struct path_next *path; /* the path step it is, or NULL */
	bool has_cue;                 /* a search hit in a caption: "cue_start" */
	int64_t cue_start_ms;
};

/* Appends the JSON array of the items of entries[0..n) (n <=
 * FEED_ITEMS_MAX) for `viewer`, skipping clips no longer published. The
 * ids shown go to shown[] (room for n), their number to *nshown. Media
 * URLs stay valid for at least url_ttl seconds. */
cr_err feed_items_render(const struct catalog *cat, const struct cr_user *viewer,
			 const struct feed_entry *entries, size_t n, long url_ttl,
			 struct text_buf *out, int64_t *shown, size_t *nshown);

/* Frees the cache of rendered items, at exit (after the last render). */
void feed_items_shutdown(void);

#endif
