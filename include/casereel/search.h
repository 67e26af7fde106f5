/* Search over clips (tables search_tri, search_words, search_cue_tri,
 * search_cue_words, owned here): SQLite FTS5 over each clip's live title,
 * tags (names and labels), description and caption text. The trigram
 * tables match substrings of 3 characters or more in any script; the
 * word tables (porter unicode61) match English words and, with Chinese
 * written as overlapping bigrams on both sides, Chinese terms of 2
 * characters or more. The index holds every clip; whether a clip is
 * published is asked of videos when searching, so publishing, rejecting
 * and removing need no index change, while a change of text or captions
 * calls search_index_video. */
#ifndef CASEREEL_SEARCH_H
#define CASEREEL_SEARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "casereel/error.h"

#define SEARCH_QUERY_MAX       100 /* characters */
#define SEARCH_TERMS_MAX       8
#define SEARCH_INDEX_AT_START  1000 /* a backlog this small is indexed before serving */
#define SEARCH_INDEX_PER_ROUND 200  /* then a batch per housekeeping round (1 s) */

/* (Re)indexes clip `video_id` from its row, tags and captions as they are
 * now. Runs in the caller's transaction, after its change. */
cr_err search_index_video(int64_t video_id);

/* Indexes up to `max` clips not in the index yet (after migration 25, all
 * of them), oldest first, in one transaction; *indexed is how many. At
 * start for a small backlog, then a batch per housekeeping round: an
 * upgraded server with 100,000 clips answers at once and its search
 * catches up within minutes. */
cr_err search_index_missing(size_t max, int *indexed);

/* `text` with every run of CJK characters written as its overlapping
 * bigrams ("退款处理" → " 退款 款处 处理 ") and the rest as it is, into out
 * (NUL-terminated, cut at a character to fit `size`). */
void search_cjk_bigrams(const char *text, char *out, size_t size);

struct search_hit {
	int64_t video_id;
	int64_t cue_start_ms; /* where a caption matched, or -1 when the text did */
};

/* Published clips matching every whitespace-separated term of `q`, best
 * first (bm25, weights title 10 > tags 5 > description 2 > captions 1),
 * skipping `offset`; up to `max` into hits[0..*n), *more when there are
 * further hits. A hit found only in captions has the start of the first
 * matching cue. CR_EINVAL with `why` (field "q") for an empty query, one
 * over SEARCH_QUERY_MAX characters or SEARCH_TERMS_MAX terms. */
cr_err search_query(const char *q, long offset, size_t max, struct search_hit *hits, size_t *n,
		    bool *more, struct cr_problem *why);

#endif
