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

double rank_base_score(const struct rank_params *p, const struct rank_clip *c)
{
	double quality = p->quality_prior +
			 rank_wilson_lower(c->completions, c->starts, p->wilson_z) +
			 p->like_weight * log1p(c->likes) + p->tip_weight * log1p(c->tips);
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

struct scored {
	struct rank_clip *clip;
	struct rank_item item;
	bool used;
};

static int by_score_desc(const void *a, const void *b)
{
	const struct scored *x = a, *y = b;
	if (x->item.score != y->item.score)
		return x->item.score < y->item.score ? 1 : -1;
	return x->clip->id < y->clip->id ? 1 : -1; /* newer ids first on ties */
}

static int by_score_ptr(const void *a, const void *b)
{
	return by_score_desc(*(struct scored *const *)a, *(struct scored *const *)b);
}

/* Clips in score order, sorted lazily: the greedy pass below mostly takes
 * from the head, so only a prefix (`sorted` items) is put in order, and
 * grown when a pick reaches its end. */
struct ranked {
	struct scored **v;
	size_t n, sorted;
	size_t from; /* v[0..from) can never be picked again (used or not eligible) */
};

static void swap_ptr(struct scored **a, struct scored **b)
{
	struct scored *t = *a;
	*a = *b;
	*b = t;
}

/* Rearranges v[lo..hi) so that v[lo..target) are its best (in any order):
 * quickselect. by_score_desc is a strict order (clip ids are distinct). */
static void select_best(struct scored **v, size_t lo, size_t hi, size_t target)
{
	while (hi - lo > 1) {
		swap_ptr(&v[lo + (hi - lo) / 2], &v[hi - 1]);
		struct scored *pivot = v[hi - 1];
		size_t store = lo;
		for (size_t i = lo; i < hi - 1; i++)
			if (by_score_desc(v[i], pivot) < 0)
				swap_ptr(&v[i], &v[store++]);
		swap_ptr(&v[store], &v[hi - 1]);
		if (store == target)
			return;
		if (store < target)
			lo = store + 1;
		else
			hi = store;
	}
}

/* The list's i-th best (i < n), sorting more of it first when needed. */
static struct scored *ranked_at(struct ranked *r, size_t i)
{
	if (i >= r->sorted) {
		size_t want = r->sorted * 2 > i + 256 ? r->sorted * 2 : i + 256;
		want = want < r->n ? want : r->n;
		select_best(r->v, r->sorted, r->n, want);
		qsort(r->v + r->sorted, want - r->sorted, sizeof *r->v, by_score_ptr);
		r->sorted = want;
	}
	return r->v[i];
}

/* The best unused clip of `r`, preferring one not by `avoid_creator`;
 * `fallback`: else the best unused one by that creator. */
static struct scored *pick(struct ranked *r, int64_t avoid_creator, bool fallback_ok)
{
	struct scored *fallback = NULL;
	bool settled = true; /* every clip before i is used */
	for (size_t i = r->from; i < r->n; i++) {
		struct scored *c = ranked_at(r, i);
		if (c->used) {
			if (settled)
				r->from = i + 1;
			continue;
		}
		settled = false;
		if (c->clip->creator_id != avoid_creator)
			return c;
		if (!fallback && fallback_ok)
			fallback = c;
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
	struct scored *s = calloc(n ? n : 1, sizeof *s);
	struct scored **v = malloc((n ? n : 1) * 2 * sizeof *v);
	if (!s || !v) {
		free(s);
		free(v);
		return 0;
	}
	struct ranked all = {.v = v}, explore = {.v = v + n};
	for (size_t i = 0; i < n; i++) {
		s[i].clip = &clips[i];
		s[i].item.clip_id = clips[i].id;
		s[i].item.score =
			score_clip(p, viewer, &clips[i], &s[i].item.reason, &s[i].item.reason_tags);
		if (clips[i].must_watch && !clips[i].watched)
			s[i].item.score += 1e6; /* pinned until watched */
		else if (clips[i].path_step)
			s[i].item.score += 5e5; /* next, until the step is done (quiz included) */
		all.v[all.n++] = &s[i];
		if (explorable(p, &clips[i]))
			explore.v[explore.n++] = &s[i];
	}
	size_t count = 0;
	int64_t last_creator = -1;
	while (count < max && count < n) {
		bool exploring = p->explore_every > 0 &&
				 count % (size_t)p->explore_every == (size_t)p->explore_every - 1;
		/* exploring never repeats a creator */
		struct scored *next = exploring ? pick(&explore, last_creator, false) : NULL;
		if (next && next->item.reason == RANK_REASON_RECOMMENDED)
			next->item.reason = RANK_REASON_NEW;
		if (!next)
			next = pick(&all, last_creator, true);
		if (!next)
			break;
		next->used = true;
		out[count++] = next->item;
		last_creator = next->clip->creator_id;
	}
	free(v);
	free(s);
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
