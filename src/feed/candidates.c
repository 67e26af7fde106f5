/* Candidate generation before ranking. See include/casereel/candidates.h. */
#include "casereel/candidates.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Positions of clips, best base score first. */
struct source {
	uint32_t *pos;
	size_t n;
};

struct cand_index {
	size_t n;
	struct source all, featured, onboarding, little_seen, recent;
	struct source tag[64];
	size_t nteams;
	int64_t *team_ids;   /* ascending */
	struct source *team; /* team[i] holds team_ids[i]'s clips */
	uint32_t *storage;   /* behind every source but `all` and `recent` */
	uint32_t *order, *by_age;
};

/* Shares of a viewer's budget per source; what is left comes from `all`. */
#define SHARE_FEATURED    0.05
#define SHARE_WEAK        0.40
#define SHARE_INTEREST    0.10
#define SHARE_TEAM        0.10
#define SHARE_ONBOARDING  0.05
#define SHARE_LITTLE_SEEN 0.10
#define SHARE_RECENT      0.05

struct keyed {
	double key;
	uint32_t pos;
};

static int by_key_desc(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	if (x->key != y->key)
		return x->key < y->key ? 1 : -1;
	return (x->pos < y->pos) - (x->pos > y->pos); /* later (newer) positions first */
}

static int by_int64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static const struct rank_clip *at(const struct rank_clip *clips, size_t stride, size_t i)
{
	return (const struct rank_clip *)(const void *)((const char *)clips + i * stride);
}

/* Positions 0..n-1 sorted by key, descending. */
static uint32_t *sorted_positions(struct keyed *k, size_t n)
{
	uint32_t *out = malloc((n ? n : 1) * sizeof *out);
	if (!out)
		return NULL;
	qsort(k, n, sizeof *k, by_key_desc);
	for (size_t i = 0; i < n; i++)
		out[i] = k[i].pos;
	return out;
}

static size_t team_slot(const struct cand_index *x, int64_t team)
{
	const int64_t *t = bsearch(&team, x->team_ids, x->nteams, sizeof team, by_int64);
	return t ? (size_t)(t - x->team_ids) : x->nteams;
}

/* The distinct creator teams (0 included: no team), ascending. */
static bool collect_teams(struct cand_index *x, const struct rank_clip *clips, size_t stride)
{
	x->team_ids = malloc(x->n * sizeof *x->team_ids);
	if (!x->team_ids)
		return false;
	for (size_t i = 0; i < x->n; i++)
		x->team_ids[i] = at(clips, stride, i)->creator_team;
	qsort(x->team_ids, x->n, sizeof *x->team_ids, by_int64);
	size_t k = 0;
	for (size_t i = 0; i < x->n; i++)
		if (!k || x->team_ids[k - 1] != x->team_ids[i])
			x->team_ids[k++] = x->team_ids[i];
	x->nteams = k;
	x->team = calloc(k ? k : 1, sizeof *x->team);
	return x->team != NULL;
}

/* The sources a clip belongs to besides `all` and `recent`, as pointers to
 * their entries in x (at most 64 tags + 4). */
static size_t sources_of(struct cand_index *x, const struct rank_params *p,
			 const struct rank_clip *c, struct source **out)
{
	size_t k = 0;
	if (c->featured || c->creator_featured)
		out[k++] = &x->featured;
	if (c->tags & c->onboarding)
		out[k++] = &x->onboarding;
	if (c->impressions < (uint32_t)p->explore_max_impressions)
		out[k++] = &x->little_seen;
	for (uint64_t t = c->tags; t; t &= t - 1)
		out[k++] = &x->tag[__builtin_ctzll(t)];
	out[k++] = &x->team[team_slot(x, c->creator_team)];
	return k;
}

/* Fills every per-kind source from `order` (best first), so each keeps
 * that order: one pass to count, one to place. */
static bool fill_sources(struct cand_index *x, const struct rank_params *p,
			 const struct rank_clip *clips, size_t stride)
{
	struct source *mine[68];
	size_t total = 0;
	for (size_t i = 0; i < x->n; i++) {
		size_t k = sources_of(x, p, at(clips, stride, i), mine);
		for (size_t j = 0; j < k; j++)
			mine[j]->n++;
		total += k;
	}
	x->storage = malloc((total ? total : 1) * sizeof *x->storage);
	if (!x->storage)
		return false;
	/* each source's room, then the sizes count up again as it fills */
	struct source *all_sources[4 + 64];
	size_t ns = 0;
	all_sources[ns++] = &x->featured;
	all_sources[ns++] = &x->onboarding;
	all_sources[ns++] = &x->little_seen;
	for (int b = 0; b < 64; b++)
		all_sources[ns++] = &x->tag[b];
	size_t off = 0;
	for (size_t s = 0; s < ns + x->nteams; s++) {
		struct source *src = s < ns ? all_sources[s] : &x->team[s - ns];
		src->pos = x->storage + off;
		off += src->n;
		src->n = 0;
	}
	for (size_t i = 0; i < x->n; i++) {
		uint32_t pos = x->order[i];
		size_t k = sources_of(x, p, at(clips, stride, pos), mine);
		for (size_t j = 0; j < k; j++)
			mine[j]->pos[mine[j]->n++] = pos;
	}
	return true;
}

struct cand_index *cand_index_build(const struct rank_params *p, const struct rank_clip *clips,
				    size_t stride, size_t n)
{
	if (n <= CAND_RANK_ALL || n > UINT32_MAX)
		return NULL;
	struct cand_index *x = calloc(1, sizeof *x);
	struct keyed *k = malloc(n * sizeof *k);
	bool ok = x && k;
	if (ok) {
		x->n = n;
		for (size_t i = 0; i < n; i++)
			k[i] = (struct keyed){rank_base_score(p, at(clips, stride, i)),
					      (uint32_t)i};
		ok = (x->order = sorted_positions(k, n)) != NULL;
	}
	if (ok) {
		for (size_t i = 0; i < n; i++)
			k[i] = (struct keyed){-at(clips, stride, i)->age_hours, (uint32_t)i};
		ok = (x->by_age = sorted_positions(k, n)) != NULL;
	}
	free(k);
	ok = ok && collect_teams(x, clips, stride) && fill_sources(x, p, clips, stride);
	if (!ok) {
		cand_index_free(x);
		return NULL;
	}
	x->all = (struct source){x->order, n};
	x->recent = (struct source){x->by_age, n};
	return x;
}

void cand_index_free(struct cand_index *x)
{
	if (!x)
		return;
	free(x->order);
	free(x->by_age);
	free(x->team_ids);
	free(x->team);
	free(x->storage);
	free(x);
}

size_t cand_budget(size_t n)
{
	size_t b = (size_t)((double)n * CAND_SHARE);
	b = b > CAND_RANK_ALL ? b : CAND_RANK_ALL;
	return b < n ? b : n;
}

/* A selection in progress: a bit per position, and how many are set. */
struct picked {
	uint64_t *bits;
	size_t count, budget;
};

/* Adds up to `quota` new positions from the head of `src`. */
static void take(struct picked *s, const struct source *src, size_t quota)
{
	size_t added = 0;
	for (size_t i = 0; i < src->n && added < quota && s->count < s->budget; i++) {
		uint32_t pos = src->pos[i];
		uint64_t bit = 1ULL << (pos % 64);
		if (s->bits[pos / 64] & bit)
			continue;
		s->bits[pos / 64] |= bit;
		s->count++;
		added++;
	}
}

/* Takes `share` of the budget from the tag sources of `tags`, evenly. */
static void take_tags(struct picked *s, const struct cand_index *x, uint64_t tags, double share)
{
	int k = __builtin_popcountll(tags);
	for (; tags; tags &= tags - 1)
		take(s, &x->tag[__builtin_ctzll(tags)], (size_t)((double)s->budget * share / k));
}

size_t cand_select(const struct cand_index *x, const struct rank_viewer *v, uint32_t *out)
{
	struct picked s = {.bits = calloc((x->n + 63) / 64, sizeof(uint64_t)),
			   .budget = cand_budget(x->n)};
	if (!s.bits)
		return 0;
	double b = (double)s.budget;
	take(&s, &x->featured, (size_t)(b * SHARE_FEATURED));
	take_tags(&s, x, v->weak, SHARE_WEAK);
	take_tags(&s, x, v->interests, SHARE_INTEREST);
	size_t team = v->team_id ? team_slot(x, v->team_id) : x->nteams;
	if (team < x->nteams)
		take(&s, &x->team[team], (size_t)(b * SHARE_TEAM));
	if (v->new_hire)
		take(&s, &x->onboarding, (size_t)(b * SHARE_ONBOARDING));
	take(&s, &x->little_seen, (size_t)(b * SHARE_LITTLE_SEEN));
	take(&s, &x->recent, (size_t)(b * SHARE_RECENT));
	take(&s, &x->all, s.budget);
	size_t k = 0;
	for (size_t w = 0; w < (x->n + 63) / 64; w++)
		for (uint64_t bits = s.bits[w]; bits; bits &= bits - 1)
			out[k++] = (uint32_t)(w * 64 + (size_t)__builtin_ctzll(bits));
	free(s.bits);
	return k;
}
