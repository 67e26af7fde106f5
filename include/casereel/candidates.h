/* Candidate generation before ranking (issue 18): at enterprise size the
 * ranker scores a few thousand clips per viewer, not the whole catalogue.
 * An index, built once per catalogue, orders clips by the part of their
 * score that is the same for everyone (rank_base_score) within each source
 * a viewer can draw on: each skill tag, each creator team, featured clips,
 * onboarding clips, little-seen clips (for the explore slots), the newest,
 * and everything. A viewer's candidates are the best of the sources that
 * fit them, in proportions, topped up from everything. Pure functions (no
 * I/O), so the server and bench/rank_eval run the very same code. */
#ifndef CASEREEL_CANDIDATES_H
#define CASEREEL_CANDIDATES_H

#include <stddef.h>
#include <stdint.h>

#include "casereel/rank.h"

/* Catalogues of up to this many clips are ranked whole: no index. */
#define CAND_RANK_ALL 2000

/* Candidates are at most this share of the catalogue (and at least
 * CAND_RANK_ALL). */
#define CAND_SHARE 0.05

struct cand_index;

/* Indexes `n` clips read `stride` bytes apart from `clips` (so a rank_clip
 * embedded in a larger record can be indexed in place), by their base
 * score under `p`. Positions in the index are 0..n-1 in that order. NULL
 * when out of memory or when n <= CAND_RANK_ALL (rank them all). */
struct cand_index *cand_index_build(const struct rank_params *p, const struct rank_clip *clips,
				    size_t stride, size_t n);

/* Frees the index; NULL is fine. */
void cand_index_free(struct cand_index *x);

/* How many candidates cand_select writes at most for an index over n clips. */
size_t cand_budget(size_t n);

/* Writes the positions of the viewer's candidates to out[] (room for
 * cand_budget(n)) in increasing order, without duplicates, and returns how
 * many. The caller adds what must never be missed (path steps, must-watch
 * clips) itself. 0 when out of memory. */
size_t cand_select(const struct cand_index *x, const struct rank_viewer *viewer, uint32_t *out);

#endif
