/* The feed ranker. See include/casereel/rank.h. */
#include "casereel/rank.h"

#include <math.h>
#include <stdlib.h>

struct rank_params rank_params_default(void)
{
	return (struct rank_params){
		/* 0.6, not DESIGN's first guess of 1.2: bench/rank_eval showed 1.2
		 * makes the feed nearly newest-first (NDCG@10 0.418 -> 0.589,
		 * weak-skill share 32% -> 53%; bench/RESULTS.md) */
		.gravity = 0.6,
		.wilson_z = 1.28,
		.like_weight = 0.04,
		.tip_weight = 0.06,
		.quality_prior = 0.15,
		.weak_skill_boost = 1.5,
		.interest_boost = 0.5,
		.team_boost = 0.4,
		.onboarding_boost = 1.0,
		.featured_boost = 2.0,
		.featured_creator_boost = 1.4,
		.watched_penalty = 0.05,
		.explore_every = 5,
		.explore_max_impressions = 30,
		.team_new_hours = 72,
		.popular_hours = 168,
	};
}

double rank_wilson_lower(double pos, double n, double z)
{
	if (n <= 0)
		return 0;
	if (pos > n)
		pos = n;
	double p = pos / n, z2 = z * z;
	double centre = p + z2 / (2 * n);
	double margin = z * sqrt(p * (1 - p) / n + z2 / (4 * n * n));
	return (centre - margin) / (1 + z2 / n);
}

/* The weights of the weak skills in `bits`: a manual weak skill counts 1,
 * a computed gap its score / 100, whichever is larger. */
static double weak_weight(const struct rank_viewer *v, uint64_t bits)
{
	double sum = 0;
	for (; bits; bits &= bits - 1) {
		float w = v->weak_weight[__builtin_ctzll(bits)];
		sum += w > 0 ? w : 1;
	}
	return sum;
}

double rank_quality(const struct rank_params *p, const struct rank_clip *c)
{
	return p->quality_prior + rank_wilson_lower(c->completions, c->starts, p->wilson_z) +
	       p->like_weight * log1p(c->likes) + p->tip_weight * log1p(c->tips);
}

double rank_base_score(const struct rank_params *p, const struct rank_clip *c)
{
	double quality = c->quality > 0 ? c->quality : rank_quality(p, c);
	double freshness = pow(c->age_hours + 2, -p->gravity);
	return quality * freshness * (c->featured ? p->featured_boost : 1) *
	       (c->creator_featured ? p->featured_creator_boost : 1);
}

/* Scores one clip and says which factor put it there. */
static double score_clip(const struct rank_params *p, const struct rank_viewer *v,
			 const struct rank_clip *c, enum rank_reason *reason, uint64_t *reason_tags)
{
	uint64_t weak = c->tags & v->weak, interest = c->tags & v->interests;
	bool team = v->team_id && c->creator_team == v->team_id;
	bool onboarding = v->new_hire && (c->tags & c->onboarding);
	double relevance = 1 + p->weak_skill_boost * weak_weight(v, weak) +
			   (interest ? p->interest_boost : 0) + (team ? p->team_boost : 0) +
			   (onboarding ? p->onboarding_boost : 0);
	*reason_tags = 0;
	if (c->must_watch && !c->watched)
		*reason = RANK_REASON_MUST_WATCH;
	else if (c->path_step)
		*reason = RANK_REASON_PATH;
	else if (c->featured || c->creator_featured)
		*reason = RANK_REASON_FEATURED;
	else if (weak)
		*reason = RANK_REASON_WEAK_SKILL, *reason_tags = weak;
	else if (team && c->age_hours < p->team_new_hours)
		*reason = RANK_REASON_TEAM;
	else if (onboarding)
		*reason = RANK_REASON_ONBOARDING;
	else if (c->age_hours < p->popular_hours && c->starts >= 5 &&
		 rank_wilson_lower(c->completions, c->starts, p->wilson_z) > 0.4)
		*reason = RANK_REASON_POPULAR;
	else if (interest)
		*reason = RANK_REASON_INTEREST, *reason_tags = interest;
	else
		*reason = RANK_REASON_RECOMMENDED;
	return relevance * rank_base_score(p, c) * (c->watched ? p->watched_penalty : 1);
}

/* A clip's place in a ranking: its score and id (the order), and its
 * index in the clips and items arrays. Kept small and contiguous so that
 * selecting and sorting thousands of candidates stays in cache. */
struct key {
	double score;
	int64_t id;
	uint32_t at;
};

/* Higher scores first; on ties, newer (larger) ids first. A strict order:
 * clip ids are distinct. */
static bool before(const struct key *x, const struct key *y)
{
	return x->score != y->score ? x->score > y->score : x->id > y->id;
}

/* Clips in rank order, sorted lazily: the greedy pass below mostly takes
 * from the head, so only a prefix (`sorted` keys) is put in order, and
 * grown when a pick reaches its end. */
struct ranked {
	struct key *v;
	size_t n, sorted;
	size_t from; /* v[0..from) can never be picked again (used or not eligible) */
};

static void swap_keys(struct key *a, struct key *b)
{
	struct key t = *a;
	*a = *b;
	*b = t;
}

/* Partitions v[lo..hi) (hi - lo >= 2) around its middle key: returns its
 * final place p, with the better keys before it and the worse after. */
static size_t partition(struct key *v, size_t lo, size_t hi)
{
	swap_keys(&v[lo + (hi - lo) / 2], &v[hi - 1]);
	struct key pivot = v[hi - 1];
	size_t store = lo;
	for (size_t i = lo; i < hi - 1; i++)
		if (before(&v[i], &pivot))
			swap_keys(&v[i], &v[store++]);
	swap_keys(&v[store], &v[hi - 1]);
	return store;
}

/* Rearranges v[lo..hi) so that v[lo..target) are its best (in any order):
 * quickselect. */
static void select_best(struct key *v, size_t lo, size_t hi, size_t target)
{
	while (hi - lo > 1) {
		size_t p = partition(v, lo, hi);
		if (p == target)
			return;
		if (p < target)
			lo = p + 1;
		else
			hi = p;
	}
}

/* Puts v[lo..hi) in rank order: quicksort (recursing into the smaller
 * side), insertion sort for short runs. */
static void sort_keys(struct key *v, size_t lo, size_t hi)
{
	while (hi - lo > 16) {
		size_t p = partition(v, lo, hi);
		if (p - lo < hi - p) {
			sort_keys(v, lo, p);
			lo = p + 1;
		} else {
			sort_keys(v, p + 1, hi);
			hi = p;
		}
	}
	for (size_t i = lo + 1; i < hi; i++) {
		struct key k = v[i];
		size_t j = i;
		for (; j > lo && before(&k, &v[j - 1]); j--)
			v[j] = v[j - 1];
		v[j] = k;
	}
}

/* The list's i-th best (i < n), sorting more of it first when needed. */
static const struct key *ranked_at(struct ranked *r, size_t i)
{
	if (i >= r->sorted) {
		size_t want = r->sorted * 2 > i + 256 ? r->sorted * 2 : i + 256;
		want = want < r->n ? want : r->n;
		select_best(r->v, r->sorted, r->n, want);
		sort_keys(r->v, r->sorted, want);
		r->sorted = want;
	}
	return &r->v[i];
}

/* A ranking in progress over clips[0..n): which clips are taken. */
struct ranking {
	const struct rank_clip *clips;
	bool *used;
};

/* The index of the best unused clip of `r`, preferring one not by
 * `avoid_creator`; `fallback_ok`: else the best unused one by that
 * creator. -1 when there is none. */
static int64_t pick(const struct ranking *g, struct ranked *r, int64_t avoid_creator,
		    bool fallback_ok)
{
	int64_t fallback = -1;
	bool settled = true; /* every clip before i is used */
	for (size_t i = r->from; i < r->n; i++) {
		uint32_t at = ranked_at(r, i)->at;
		if (g->used[at]) {
			if (settled)
				r->from = i + 1;
			continue;
		}
		settled = false;
		if (g->clips[at].creator_id != avoid_creator)
			return at;
		if (fallback < 0 && fallback_ok)
			fallback = at;
	}
	return fallback;
}

/* Whether an explore slot may show the clip: little-seen, not watched by
 * the viewer, not already pinned as a must-watch or path step. */
static bool explorable(const struct rank_params *p, const struct rank_clip *c)
{
	return !c->watched && c->impressions < (uint32_t)p->explore_max_impressions &&
	       !c->must_watch && !c->path_step;
}

size_t rank_feed(const struct rank_params *p, const struct rank_viewer *viewer,
		 struct rank_clip *clips, size_t n, struct rank_item *out, size_t max)
{
	size_t cap = n ? n : 1;
	struct rank_item *items = malloc(cap * sizeof *items);
	struct key *keys = malloc(cap * 2 * sizeof *keys);
	bool *used = calloc(cap, sizeof *used);
	if (!items || !keys || !used) {
		free(items);
		free(keys);
		free(used);
		return 0;
	}
	struct ranked all = {.v = keys}, explore = {.v = keys + n};
	for (size_t i = 0; i < n; i++) {
		struct rank_item *it = &items[i];
		it->clip_id = clips[i].id;
		it->score = score_clip(p, viewer, &clips[i], &it->reason, &it->reason_tags);
		if (clips[i].must_watch && !clips[i].watched)
			it->score += 1e6; /* pinned until watched */
		else if (clips[i].path_step)
			it->score += 5e5; /* next, until the step is done (quiz included) */
		struct key k = {it->score, clips[i].id, (uint32_t)i};
		all.v[all.n++] = k;
		if (explorable(p, &clips[i]))
			explore.v[explore.n++] = k;
	}
	struct ranking g = {clips, used};
	size_t count = 0;
	int64_t last_creator = -1;
	while (count < max && count < n) {
		bool exploring = p->explore_every > 0 &&
				 count % (size_t)p->explore_every == (size_t)p->explore_every - 1;
		/* exploring never repeats a creator */
		int64_t next = exploring ? pick(&g, &explore, last_creator, false) : -1;
		if (next >= 0 && items[next].reason == RANK_REASON_RECOMMENDED)
			items[next].reason = RANK_REASON_NEW;
		if (next < 0)
			next = pick(&g, &all, last_creator, true);
		if (next < 0)
			break;
		used[next] = true;
		out[count++] = items[next];
		last_creator = clips[next].creator_id;
	}
	free(used);
	free(keys);
	free(items);
	return count;
}

const char *rank_reason_text(enum rank_reason r)
{
	switch (r) {
	case RANK_REASON_MUST_WATCH: return "must watch: assigned by your trainer";
	case RANK_REASON_FEATURED: return "featured by trainer";
	case RANK_REASON_WEAK_SKILL: return "you're working on";
	case RANK_REASON_TEAM: return "new in your team";
	case RANK_REASON_ONBOARDING: return "for new hires";
	case RANK_REASON_POPULAR: return "popular this week";
	case RANK_REASON_NEW: return "new clip";
	case RANK_REASON_INTEREST: return "because you follow";
	case RANK_REASON_RECOMMENDED: return "recommended";
	case RANK_REASON_PATH: return "next step of your learning path";
	}
	return "recommended";
}

const char *rank_reason_code(enum rank_reason r)
{
	switch (r) {
	case RANK_REASON_MUST_WATCH: return "must-watch";
	case RANK_REASON_FEATURED: return "featured";
	case RANK_REASON_WEAK_SKILL: return "weak-skill";
	case RANK_REASON_TEAM: return "team";
	case RANK_REASON_ONBOARDING: return "onboarding";
	case RANK_REASON_POPULAR: return "popular";
	case RANK_REASON_NEW: return "new";
	case RANK_REASON_INTEREST: return "interest";
	case RANK_REASON_RECOMMENDED: return "recommended";
	case RANK_REASON_PATH: return "path";
	}
	return "recommended";
}
