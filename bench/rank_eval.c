/* Offline evaluation of the feed ranker (issue 4, item 5): simulates a
 * company, then scores src/rank.c's rank_feed() against baselines on what
 * each viewer would complete next. `make rank-eval`; `--help` for flags.
 *
 * The simulated company (all randomness from one seeded splitmix64, so a
 * seed gives the same numbers on every run):
 * - teams, each with 3 "queue" skill tags (the topics its calls are about);
 *   tags 1..3 are onboarding tags.
 * - agents: a team, ~15% new hires, 1-3 weak skill tags (new hires often an
 *   onboarding tag, else often a queue tag of their team, else any tag),
 *   0-2 interest tags, and an engagement (chance of a feed session a day).
 * - creators: a share of the tenured agents, with a latent skill ~ N(0,1),
 *   an activity (lognormal) and 2-3 specialty tags their clips are about.
 * - clips: published uniformly over the last `days` days (ids grow with
 *   publication time, as in the server); 1-2 tags from the creator's
 *   specialties; hidden true quality logit q = -0.2 + 0.7 skill + N(0,0.7)
 *   and click appeal a = 0.3 q + N(0,0.5). 3% are clickbait: q ~ -2.2, but
 *   +1.5 appeal and 30% of those who start one like it anyway.
 *
 * Behaviour of viewer v shown clip c of age h hours (used both for the
 * history and for the truth):
 *   P(start)    = sigmoid(-0.8 + a_c + R 0.5 [c's tags meet v's weak or interests])
 *   P(complete | start) = sigmoid(q_c + R (1.0 [weak match] + 0.4 [interest match]
 *                 + 0.2 [same team] + 0.6 [new hire and onboarding tag])
 *                 - S h / 720)
 * R is --relevance (default 1): a viewer working on a topic opens and
 * finishes clips about it more often; R = 0 removes every relevance effect
 * from behaviour (history and truth alike) to test robustness. S is
 * --staleness (default 0.5): procedures drift, so a month-old clip is a
 * little less useful; how much is a guess, hence the flag.
 *
 * History, up to "now": each day every agent opens the feed with probability
 * = engagement and is shown 8 clips by a naive feed (each slot: 40% recency-
 * weighted, 40% likes-weighted, 20% uniform, among clips already published).
 * Shown = impression. Starts and completions are drawn as above; a viewer
 * never restarts a clip they completed. A completer likes the clip with
 * probability 0.15 (1 + 0.3 ln(1 + likes so far)), capped at 0.5
 * (popularity bias); a quitter with 0.01; tips are rare (0.03 x completion
 * probability). After the history, trainers feature ~2% of clips (chosen
 * among the truly best 15%) and 2 creators (skill plus noise).
 *
 * Features handed to the rankers come only from that history (starts,
 * completions, likes, tips, impressions, age at "now", tags, team, featured,
 * whether this viewer completed the clip). Must-watch is not simulated.
 *
 * Truth, the held-out future: the gain of clip c for viewer v is the
 * probability that v completes c if it is in v's feed during the next
 * `future` days: P(start) x P(complete | start) at age h + future/2, and 0
 * when v already completed c or made it (no new learning either way).
 * Using the exact probability instead of sampled completions removes
 * sampling noise from the metrics.
 *
 * Metrics, per viewer over the top 10 then averaged over all agents:
 * NDCG@10 (gain as above, ideal = the viewer's 10 best clips), expected
 * completions in the top 10 (sum of gains), weak-skill share (items whose
 * tags meet the viewer's weak tags), clickbait share, mean age in days,
 * catalogue coverage
 * (distinct clips in anyone's top 10 / catalogue) and the longest run of
 * one creator (mean and max over viewers). --runs N repeats with seeds
 * seed..seed+N-1 and reports means (NDCG also its spread over runs).
 *
 * Baselines: newest-first; most-liked; HN gravity, score =
 * (likes + 1) / (age_hours + 2)^1.8; random (a floor). Rows marked
 * "unwatched" are the same baselines with the viewer's completed clips
 * removed, so that ours is not credited merely for sinking watched clips. */
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "casereel/candidates.h"
#include "casereel/rank.h"

#define TOP           10
#define PAGE          8 /* clips the naive historical feed shows a session */
#define N_ONBOARDING  3 /* tags 1..N_ONBOARDING are onboarding tags */
#define QUEUE_TAGS    3 /* skill tags per team */
#define MAX_SPECIALTY 3

struct config {
	uint64_t seed;
	int runs, teams, agents, clips, tags, days, future_days;
	int loop_days; /* --loop-days (bench/rank_eval_loop.c); 0 = the ranking table */
	double creator_share, relevance, staleness;
	double flagged; /* --flagged: share of weak tags flagged by hand (loop mode) */
	struct rank_params params;
	bool params_changed;
};

struct rng {
	uint64_t s;
};

struct agent {
	int team;
	bool new_hire;
	double engagement;
	uint64_t weak, interests;
};

struct creator {
	int agent;
	double skill, activity;
	uint64_t specialty[MAX_SPECIALTY];
	int n_specialty;
	bool featured;
};

struct clip {
	int creator;
	double pub;       /* hours relative to now, negative */
	double q, appeal; /* hidden */
	bool clickbait, featured;
	uint64_t tags;
	uint32_t starts, completions, likes, tips, impressions;
};

enum { ST_COMPLETED = 1, ST_LIKED = 2 };

struct world {
	const struct config *cfg;
	struct agent *agents;
	struct creator *creators;
	int n_creators;
	struct clip *clips;
	uint8_t *state; /* agents x clips */
	uint64_t *team_tags;
};

/* --- randomness -------------------------------------------------------- */

static uint64_t rng_next(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static double rng_unit(struct rng *r)
{
	return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

static int rng_below(struct rng *r, int n)
{
	return (int)(rng_unit(r) * n);
}

static double rng_normal(struct rng *r)
{
	double u = rng_unit(r), v = rng_unit(r);
	return sqrt(-2 * log(u + 1e-300)) * cos(2 * M_PI * v);
}

static double sigmoid(double x)
{
	return 1 / (1 + exp(-x));
}

static uint64_t tag_bit(int tag)
{
	return 1ULL << (tag % 64);
}

/* --- the company ------------------------------------------------------- */

static int any_tag(const struct config *c, struct rng *r)
{
	return 1 + rng_below(r, c->tags);
}

static int skill_tag(const struct config *c, struct rng *r) /* not onboarding */
{
	return N_ONBOARDING + 1 + rng_below(r, c->tags - N_ONBOARDING);
}

static void make_agents(struct world *w, struct rng *r)
{
	const struct config *c = w->cfg;
	for (int t = 0; t < c->teams; t++)
		for (int k = 0; k < QUEUE_TAGS; k++)
			w->team_tags[t * QUEUE_TAGS + k] = tag_bit(skill_tag(c, r));
	for (int i = 0; i < c->agents; i++) {
		struct agent *a = &w->agents[i];
		a->team = rng_below(r, c->teams);
		a->new_hire = rng_unit(r) < 0.15;
		a->engagement = 0.2 + 0.7 * rng_unit(r);
		int n_weak = 1 + rng_below(r, 3);
		for (int k = 0; k < n_weak; k++) {
			if (a->new_hire && rng_unit(r) < 0.5)
				a->weak |= tag_bit(1 + rng_below(r, N_ONBOARDING));
			else if (rng_unit(r) < 0.5)
				a->weak |= w->team_tags[a->team * QUEUE_TAGS +
							rng_below(r, QUEUE_TAGS)];
			else
				a->weak |= tag_bit(any_tag(c, r));
		}
		int n_int = rng_below(r, 3);
		for (int k = 0; k < n_int; k++)
			a->interests |= rng_unit(r) < 0.5 ? w->team_tags[a->team * QUEUE_TAGS +
									 rng_below(r, QUEUE_TAGS)]
							  : tag_bit(skill_tag(c, r));
	}
}

static void make_creators(struct world *w, struct rng *r)
{
	const struct config *c = w->cfg;
	for (int i = 0; i < c->agents; i++) {
		if (w->agents[i].new_hire || rng_unit(r) >= c->creator_share)
			continue;
		struct creator *k = &w->creators[w->n_creators++];
		k->agent = i;
		k->skill = rng_normal(r);
		k->activity = exp(rng_normal(r));
		k->n_specialty = 2 + rng_below(r, 2);
		for (int s = 0; s < k->n_specialty; s++) {
			double u = rng_unit(r);
			int team = w->agents[i].team;
			k->specialty[s] =
				u < 0.15 ? tag_bit(1 + rng_below(r, N_ONBOARDING))
				: u < 0.70
					? w->team_tags[team * QUEUE_TAGS + rng_below(r, QUEUE_TAGS)]
					: tag_bit(skill_tag(c, r));
		}
	}
}

static int by_pub(const void *a, const void *b)
{
	const struct clip *x = a, *y = b;
	return (x->pub > y->pub) - (x->pub < y->pub);
}

static void make_clips(struct world *w, struct rng *r)
{
	const struct config *c = w->cfg;
	double total = 0;
	for (int k = 0; k < w->n_creators; k++)
		total += w->creators[k].activity;
	for (int i = 0; i < c->clips; i++) {
		struct clip *x = &w->clips[i];
		double u = rng_unit(r) * total;
		int k = 0;
		while (k < w->n_creators - 1 && (u -= w->creators[k].activity) > 0)
			k++;
		const struct creator *cr = &w->creators[k];
		x->creator = k;
		x->pub = -c->days * 24.0 * rng_unit(r);
		x->tags = cr->specialty[rng_below(r, cr->n_specialty)];
		if (rng_unit(r) < 0.5)
			x->tags |= cr->specialty[rng_below(r, cr->n_specialty)];
		x->q = -0.2 + 0.7 * cr->skill + 0.7 * rng_normal(r);
		x->appeal = 0.3 * x->q + 0.5 * rng_normal(r);
		if (rng_unit(r) < 0.03) {
			x->clickbait = true;
			x->q = -2.2 + 0.3 * rng_normal(r);
			x->appeal += 1.5;
		}
	}
	qsort(w->clips, (size_t)c->clips, sizeof *w->clips, by_pub);
}

/* --- behaviour ----------------------------------------------------------- */

static double p_start(const struct world *w, int v, const struct clip *x)
{
	const struct agent *a = &w->agents[v];
	double rel = (x->tags & (a->weak | a->interests)) ? 0.5 : 0;
	return sigmoid(-0.8 + x->appeal + w->cfg->relevance * rel);
}

static double p_complete(const struct world *w, int v, const struct clip *x, double age_h)
{
	const struct agent *a = &w->agents[v];
	bool team = w->agents[w->creators[x->creator].agent].team == a->team;
	bool onboarding = a->new_hire && (x->tags & (tag_bit(1) | tag_bit(2) | tag_bit(3)));
	double rel = ((x->tags & a->weak) ? 1.0 : 0) + ((x->tags & a->interests) ? 0.4 : 0) +
		     (team ? 0.2 : 0) + (onboarding ? 0.6 : 0);
	return sigmoid(x->q + w->cfg->relevance * rel - w->cfg->staleness * age_h / 720);
}

static void interact(struct world *w, struct rng *r, int v, struct clip *x, double age_h)
{
	uint8_t *st = &w->state[(size_t)v * (size_t)w->cfg->clips + (size_t)(x - w->clips)];
	x->impressions++;
	if ((*st & ST_COMPLETED) || rng_unit(r) >= p_start(w, v, x))
		return;
	x->starts++;
	double pc = p_complete(w, v, x, age_h), like;
	if (rng_unit(r) < pc) {
		x->completions++;
		*st |= ST_COMPLETED;
		like = fmin(0.5, 0.15 * (1 + 0.3 * log1p(x->likes)));
		if (rng_unit(r) < 0.03 * pc)
			x->tips++;
	} else {
		like = 0.01;
	}
	if (x->clickbait)
		like = 0.3;
	if (!(*st & ST_LIKED) && rng_unit(r) < like) {
		x->likes++;
		*st |= ST_LIKED;
	}
}

static int draw(struct rng *r, const double *cum, int n)
{
	double u = rng_unit(r) * cum[n - 1];
	int lo = 0, hi = n - 1;
	while (lo < hi) {
		int mid = (lo + hi) / 2;
		if (cum[mid] < u)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* One naive-feed page per session and day, from clips published before it.
 * A world built for --loop-days spans days + loop_days; its history stops
 * where the loop starts. */
static void simulate_history(struct world *w, struct rng *r, double *cum_new, double *cum_pop)
{
	const struct config *c = w->cfg;
	int avail = 0;
	for (int d = 0; d < c->days - c->loop_days; d++) {
		double t = -c->days * 24.0 + d * 24 + 12;
		while (avail < c->clips && w->clips[avail].pub < t)
			avail++;
		if (avail < PAGE)
			continue;
		for (int i = 0; i < avail; i++) {
			double age = t - w->clips[i].pub;
			cum_new[i] = (i ? cum_new[i - 1] : 0) + 1 / (age + 2);
			cum_pop[i] = (i ? cum_pop[i - 1] : 0) + w->clips[i].likes + 1;
		}
		for (int v = 0; v < c->agents; v++) {
			if (rng_unit(r) >= w->agents[v].engagement)
				continue;
			int page[PAGE], n = 0;
			for (int tries = 0; n < PAGE && tries < 4 * PAGE; tries++) {
				double u = rng_unit(r);
				int i = u < 0.4   ? draw(r, cum_new, avail)
					: u < 0.8 ? draw(r, cum_pop, avail)
						  : rng_below(r, avail);
				bool dup = false;
				for (int k = 0; k < n; k++)
					dup |= page[k] == i;
				if (!dup)
					page[n++] = i;
			}
			for (int k = 0; k < n; k++)
				interact(w, r, v, &w->clips[page[k]], t - w->clips[page[k]].pub);
		}
	}
}

static int by_double_desc(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x < y) - (x > y);
}

static void feature_by_trainers(struct world *w, struct rng *r)
{
	const struct config *c = w->cfg;
	double *q = malloc((size_t)c->clips * sizeof *q);
	if (q) { /* trainers spot some of the truly best 15% */
		for (int i = 0; i < c->clips; i++)
			q[i] = w->clips[i].q;
		qsort(q, (size_t)c->clips, sizeof *q, by_double_desc);
		double cut = q[(int)(0.15 * c->clips)];
		for (int i = 0; i < c->clips; i++)
			w->clips[i].featured = w->clips[i].q >= cut && rng_unit(r) < 0.13;
		free(q);
	}
	for (int pickn = 0; pickn < 2 && w->n_creators > 2; pickn++) {
		int best = -1;
		double best_s = -1e9;
		for (int k = 0; k < w->n_creators; k++) {
			double s = w->creators[k].skill + 0.5 * rng_normal(r);
			if (!w->creators[k].featured && s > best_s)
				best = k, best_s = s;
		}
		w->creators[best].featured = true;
	}
}

static void world_free(struct world *w)
{
	free(w->agents);
	free(w->creators);
	free(w->clips);
	free(w->state);
	free(w->team_tags);
	memset(w, 0, sizeof *w);
}

/* Builds the company and its history for `seed`; 0 on success. */
static int world_make(struct world *w, const struct config *c, uint64_t seed)
{
	int rc = -1;
	double *cum_new = NULL, *cum_pop = NULL;
	memset(w, 0, sizeof *w);
	w->cfg = c;
	w->agents = calloc((size_t)c->agents, sizeof *w->agents);
	w->creators = calloc((size_t)c->agents, sizeof *w->creators);
	w->clips = calloc((size_t)c->clips, sizeof *w->clips);
	w->state = calloc((size_t)c->agents * (size_t)c->clips, 1);
	w->team_tags = calloc((size_t)c->teams * QUEUE_TAGS, sizeof *w->team_tags);
	cum_new = malloc((size_t)c->clips * sizeof *cum_new);
	cum_pop = malloc((size_t)c->clips * sizeof *cum_pop);
	if (!w->agents || !w->creators || !w->clips || !w->state || !w->team_tags || !cum_new ||
	    !cum_pop)
		goto out;
	struct rng company = {seed * 4 + 1}, history = {seed * 4 + 2};
	make_agents(w, &company);
	make_creators(w, &company);
	if (w->n_creators < 3) {
		fprintf(stderr, "rank_eval: too few creators; raise --agents or --creator-share\n");
		goto out;
	}
	make_clips(w, &company);
	simulate_history(w, &history, cum_new, cum_pop);
	feature_by_trainers(w, &company);
	rc = 0;
out:
	free(cum_new);
	free(cum_pop);
	if (rc)
		world_free(w);
	return rc;
}

/* --- rankers and metrics ------------------------------------------------ */

enum ranker {
	R_OURS,
	R_CAND,
	R_NEWEST,
	R_LIKED,
	R_HN,
	R_RANDOM,
	R_NEWEST_U,
	R_LIKED_U,
	R_HN_U,
	N_RANKERS
};

static const char *const ranker_name[N_RANKERS] = {
	"casereel rank_feed",
	"rank_feed over candidates",
	"newest-first",
	"most-liked",
	"HN gravity",
	"random",
	"newest-first, unwatched",
	"most-liked, unwatched",
	"HN gravity, unwatched",
};

struct metrics {
	double ndcg, gain, weak, spam, age, coverage, run_mean, run_max;
};

struct scored_idx {
	double score;
	int idx;
};

struct eval {
	const struct world *w;
	const struct rank_params *params;
	struct rank_clip *base, *scratch;
	struct cand_index *index; /* NULL: the world is small enough to rank whole */
	uint32_t *cand;
	double cand_sum;   /* candidates per viewer, summed */
	double seconds[2]; /* CPU time of R_OURS and R_CAND */
	int *order[3];     /* global orders: newest, most liked, HN gravity */
	double *gain;      /* of every clip for the viewer being scored */
	uint8_t *covered;  /* clip x ranker */
	struct rng rng;
};

static int by_score_desc(const void *a, const void *b)
{
	const struct scored_idx *x = a, *y = b;
	if (x->score != y->score)
		return x->score < y->score ? 1 : -1;
	return y->idx - x->idx; /* newer first on ties */
}

static int global_order(const struct world *w, int kind, int *order)
{
	int n = w->cfg->clips;
	struct scored_idx *s = malloc((size_t)n * sizeof *s);
	if (!s)
		return -1;
	for (int i = 0; i < n; i++) {
		const struct clip *x = &w->clips[i];
		s[i].idx = i;
		s[i].score = kind == 0   ? x->pub
			     : kind == 1 ? x->likes
					 : (x->likes + 1) / pow(-x->pub + 2, 1.8);
	}
	qsort(s, (size_t)n, sizeof *s, by_score_desc);
	for (int i = 0; i < n; i++)
		order[i] = s[i].idx;
	free(s);
	return 0;
}

static void base_features(const struct world *w, struct rank_clip *base)
{
	uint64_t onboarding = tag_bit(1) | tag_bit(2) | tag_bit(3);
	for (int i = 0; i < w->cfg->clips; i++) {
		const struct clip *x = &w->clips[i];
		const struct creator *cr = &w->creators[x->creator];
		base[i] = (struct rank_clip){
			.id = i + 1,
			.creator_id = cr->agent + 1,
			.creator_team = w->agents[cr->agent].team + 1,
			.age_hours = -x->pub,
			.starts = x->starts,
			.completions = x->completions,
			.likes = x->likes,
			.tips = x->tips,
			.impressions = x->impressions,
			.tags = x->tags,
			.featured = x->featured,
			.creator_featured = cr->featured,
			.onboarding = x->tags & onboarding,
		};
	}
}

static bool completed(const struct world *w, int v, int i)
{
	return w->state[(size_t)v * (size_t)w->cfg->clips + (size_t)i] & ST_COMPLETED;
}

static size_t rank_ours(struct eval *e, int v, int *top)
{
	const struct world *w = e->w;
	const struct agent *a = &w->agents[v];
	struct rank_item items[TOP];
	memcpy(e->scratch, e->base, (size_t)w->cfg->clips * sizeof *e->scratch);
	for (int i = 0; i < w->cfg->clips; i++)
		e->scratch[i].watched = completed(w, v, i);
	struct rank_viewer rv = {.id = v + 1,
				 .team_id = a->team + 1,
				 .weak = a->weak,
				 .interests = a->interests,
				 .new_hire = a->new_hire};
	size_t n = rank_feed(e->params, &rv, e->scratch, (size_t)w->cfg->clips, items, TOP);
	for (size_t k = 0; k < n; k++)
		top[k] = (int)(items[k].clip_id - 1);
	return n;
}

/* rank_feed over the viewer's candidates (include/casereel/candidates.h),
 * as the server ranks a large catalogue. */
static size_t rank_candidates(struct eval *e, int v, int *top)
{
	const struct world *w = e->w;
	const struct agent *a = &w->agents[v];
	struct rank_viewer rv = {.id = v + 1,
				 .team_id = a->team + 1,
				 .weak = a->weak,
				 .interests = a->interests,
				 .new_hire = a->new_hire};
	if (!e->index) { /* a small catalogue is ranked whole */
		e->cand_sum += (double)w->cfg->clips;
		return rank_ours(e, v, top);
	}
	size_t k = cand_select(e->index, &rv, e->cand);
	for (size_t i = 0; i < k; i++) {
		e->scratch[i] = e->base[e->cand[i]];
		e->scratch[i].watched = completed(w, v, (int)e->cand[i]);
	}
	e->cand_sum += (double)k;
	struct rank_item items[TOP];
	size_t n = rank_feed(e->params, &rv, e->scratch, k, items, TOP);
	for (size_t i = 0; i < n; i++)
		top[i] = (int)(items[i].clip_id - 1);
	return n;
}

static size_t rank_random(struct eval *e, int *top)
{
	int n = e->w->cfg->clips;
	size_t got = 0;
	while (got < TOP && got < (size_t)n) {
		int i = rng_below(&e->rng, n);
		bool dup = false;
		for (size_t k = 0; k < got; k++)
			dup |= top[k] == i;
		if (!dup)
			top[got++] = i;
	}
	return got;
}

static size_t rank_global(struct eval *e, int v, const int *order, bool skip_watched, int *top)
{
	size_t got = 0;
	for (int k = 0; k < e->w->cfg->clips && got < TOP; k++)
		if (!skip_watched || !completed(e->w, v, order[k]))
			top[got++] = order[k];
	return got;
}

static size_t rank_with(struct eval *e, enum ranker r, int v, int *top)
{
	switch (r) {
	case R_OURS: return rank_ours(e, v, top);
	case R_CAND: return rank_candidates(e, v, top);
	case R_RANDOM: return rank_random(e, top);
	case R_NEWEST:
	case R_LIKED:
	case R_HN: return rank_global(e, v, e->order[r - R_NEWEST], false, top);
	case R_NEWEST_U:
	case R_LIKED_U:
	case R_HN_U: return rank_global(e, v, e->order[r - R_NEWEST_U], true, top);
	case N_RANKERS: break;
	}
	return 0;
}

/* The truth for viewer v (file header) and its ideal DCG@10. */
static double viewer_gains(struct eval *e, int v)
{
	const struct world *w = e->w;
	double best[TOP] = {0}, shift = w->cfg->future_days * 12.0, idcg = 0;
	for (int i = 0; i < w->cfg->clips; i++) {
		const struct clip *x = &w->clips[i];
		double g = 0;
		if (!completed(w, v, i) && w->creators[x->creator].agent != v)
			g = p_start(w, v, x) * p_complete(w, v, x, -x->pub + shift);
		e->gain[i] = g;
		for (int k = TOP - 1; k >= 0 && g > best[k]; k--) {
			if (k < TOP - 1)
				best[k + 1] = best[k];
			best[k] = g;
		}
	}
	for (int k = 0; k < TOP; k++)
		idcg += best[k] / log2(k + 2.0);
	return idcg;
}

static void score_top(struct eval *e, enum ranker r, int v, const int *top, size_t n, double idcg,
		      struct metrics *m)
{
	const struct world *w = e->w;
	double dcg = 0, gain = 0, weak = 0, spam = 0, age = 0;
	int run = 0, longest = 0, last = -1;
	for (size_t k = 0; k < n; k++) {
		const struct clip *x = &w->clips[top[k]];
		dcg += e->gain[top[k]] / log2((double)k + 2);
		gain += e->gain[top[k]];
		weak += (x->tags & w->agents[v].weak) != 0;
		spam += x->clickbait;
		age -= x->pub / 24;
		run = x->creator == last ? run + 1 : 1;
		last = x->creator;
		longest = run > longest ? run : longest;
		e->covered[(size_t)top[k] * N_RANKERS + r] = 1;
	}
	m->ndcg += idcg > 0 ? dcg / idcg : 0;
	m->gain += gain;
	m->weak += n ? weak / (double)n : 0;
	m->spam += n ? spam / (double)n : 0;
	m->age += n ? age / (double)n : 0;
	m->run_mean += longest;
	m->run_max = fmax(m->run_max, longest);
}

/* What ranking over candidates cost and kept, over every run. */
static struct {
	double viewers, candidates, seconds[2];
} cand_report;

/* Scores every ranker on one world; m[] receives per-viewer means. */
static int evaluate(const struct world *w, const struct rank_params *p, uint64_t seed,
		    struct metrics *m)
{
	int rc = -1, n = w->cfg->clips;
	struct eval e = {.w = w, .params = p, .rng = {seed * 4 + 3}};
	e.base = malloc((size_t)n * sizeof *e.base);
	e.scratch = malloc((size_t)n * sizeof *e.scratch);
	e.gain = malloc((size_t)n * sizeof *e.gain);
	e.covered = calloc((size_t)n * N_RANKERS, 1);
	for (int k = 0; k < 3; k++)
		e.order[k] = malloc((size_t)n * sizeof *e.order[k]);
	if (!e.base || !e.scratch || !e.gain || !e.covered || !e.order[0] || !e.order[1] ||
	    !e.order[2])
		goto out;
	for (int k = 0; k < 3; k++)
		if (global_order(w, k, e.order[k]))
			goto out;
	base_features(w, e.base);
	e.index = cand_index_build(p, e.base, sizeof *e.base, (size_t)n);
	e.cand = malloc(cand_budget((size_t)n) * sizeof *e.cand);
	if (!e.cand || (!e.index && (size_t)n > CAND_RANK_ALL))
		goto out;
	memset(m, 0, N_RANKERS * sizeof *m);
	for (int v = 0; v < w->cfg->agents; v++) {
		double idcg = viewer_gains(&e, v);
		for (int r = 0; r < N_RANKERS; r++) {
			int top[TOP];
			clock_t t0 = clock();
			size_t got = rank_with(&e, (enum ranker)r, v, top);
			if (r <= R_CAND)
				e.seconds[r] += (double)(clock() - t0) / CLOCKS_PER_SEC;
			score_top(&e, (enum ranker)r, v, top, got, idcg, &m[r]);
		}
	}
	for (int r = 0; r < N_RANKERS; r++) {
		double a = w->cfg->agents, covered = 0;
		for (int i = 0; i < n; i++)
			covered += e.covered[(size_t)i * N_RANKERS + r];
		m[r].ndcg /= a, m[r].gain /= a, m[r].weak /= a, m[r].spam /= a, m[r].age /= a;
		m[r].run_mean /= a;
		m[r].coverage = covered / n;
	}
	cand_report.viewers += w->cfg->agents;
	cand_report.candidates += e.cand_sum;
	cand_report.seconds[0] += e.seconds[0];
	cand_report.seconds[1] += e.seconds[1];
	rc = 0;
out:
	free(e.base);
	free(e.scratch);
	free(e.gain);
	free(e.covered);
	free(e.cand);
	cand_index_free(e.index);
	for (int k = 0; k < 3; k++)
		free(e.order[k]);
	return rc;
}

/* --- report ---------------------------------------------------------------- */

static void print_world(const struct world *w)
{
	const struct config *c = w->cfg;
	double imp = 0, starts = 0, compl = 0, likes = 0, spam = 0, feat = 0, hires = 0;
	for (int i = 0; i < c->clips; i++) {
		const struct clip *x = &w->clips[i];
		imp += x->impressions, starts += x->starts, compl += x->completions;
		likes += x->likes, spam += x->clickbait, feat += x->featured;
	}
	for (int v = 0; v < c->agents; v++)
		hires += w->agents[v].new_hire;
	printf("World (seed %llu): %d teams, %d agents (%.0f new hires), %d creators, %d clips"
	       " over %d days (%.0f clickbait, %.0f featured); history: %.0f impressions,"
	       " %.0f starts, %.0f completions (%.0f%% of starts), %.0f likes.\n\n",
	       (unsigned long long)c->seed, c->teams, c->agents, hires, w->n_creators, c->clips,
	       c->days, spam, feat, imp, starts, compl, starts ? 100 * compl / starts : 0, likes);
}

static void print_table(const struct config *c, const struct metrics *sum, const double *ndcg_sq,
			int (*wins)[2])
{
	double n = c->runs;
	printf("| ranker | NDCG@10 | E[completions] in top 10 | weak-skill share | clickbait share"
	       " | mean age (days) | coverage | same-creator run mean / max |\n");
	printf("|---|---|---|---|---|---|---|---|\n");
	for (int r = 0; r < N_RANKERS; r++) {
		const struct metrics *m = &sum[r];
		double mean = m->ndcg / n, sd = sqrt(fmax(0, ndcg_sq[r] / n - mean * mean));
		printf("| %s%s | %.3f ± %.3f | %.2f | %.1f%% | %.1f%% | %.1f | %.1f%% | %.2f / "
		       "%.0f |\n",
		       ranker_name[r], r == R_OURS && c->params_changed ? " (-p overrides)" : "",
		       mean, sd, m->gain / n, 100 * m->weak / n, 100 * m->spam / n, m->age / n,
		       100 * m->coverage / n, m->run_mean / n, m->run_max);
	}
	printf("\nNDCG@10 ± is the spread (sd) over %d run(s); other columns are means over runs,"
	       " run max is the max.\n\n",
	       c->runs);
	bool all[2] = {true, true}; /* the baselines issue 4 names; their unwatched variants */
	for (int r = R_NEWEST; r < N_RANKERS; r++) {
		if (r == R_RANDOM)
			continue;
		bool win = wins[r][0] == c->runs && wins[r][1] == c->runs;
		all[r > R_RANDOM] &= win;
		printf("- vs %s: NDCG@10 better in %d/%d runs (%.3f vs %.3f), weak-skill share "
		       "better"
		       " in %d/%d (%.1f%% vs %.1f%%): %s\n",
		       ranker_name[r], wins[r][0], c->runs, sum[R_OURS].ndcg / n, sum[r].ndcg / n,
		       wins[r][1], c->runs, 100 * sum[R_OURS].weak / n, 100 * sum[r].weak / n,
		       win ? "beats" : "does NOT beat");
	}
	double dn = (sum[R_CAND].ndcg - sum[R_OURS].ndcg) / n,
	       dw = (sum[R_CAND].weak - sum[R_OURS].weak) / n;
	printf("\nCandidates (issue 18): %.0f per viewer of %d clips (%.1f%%), ranking %.3f ms"
	       " per viewer vs %.3f ms for every clip; NDCG@10 %+.4f, weak-skill share %+.4f"
	       " vs ranking every clip: %s\n",
	       cand_report.candidates / fmax(1, cand_report.viewers), c->clips,
	       100 * cand_report.candidates / fmax(1, cand_report.viewers) / c->clips,
	       1000 * cand_report.seconds[1] / fmax(1, cand_report.viewers),
	       1000 * cand_report.seconds[0] / fmax(1, cand_report.viewers), dn, dw,
	       fabs(dn) <= 0.01 && fabs(dw) <= 0.01 ? "within 0.01" : "NOT within 0.01");
	printf("\nVerdict: ours %s newest-first, most-liked and HN gravity on both NDCG@10 and"
	       " weak-skill share in every run.\n",
	       all[0] ? "beats" : "does NOT beat");
	printf("Stricter (baselines without the viewer's completed clips): ours %s all three in"
	       " every run.\n",
	       all[1] ? "beats" : "does NOT beat");
}

/* The --loop-days mode: kept in its own file for length, compiled as part of
 * this one because it runs on the world, behaviour and baselines above. */
#include "rank_eval_loop.c"

/* --- flags ----------------------------------------------------------------- */

struct param_field {
	const char *name;
	size_t off;
	bool is_int;
};

#define PD(f)                                                                                      \
	{                                                                                          \
#f, offsetof(struct rank_params, f), false                                         \
	}
#define PI(f)                                                                                      \
	{                                                                                          \
#f, offsetof(struct rank_params, f), true                                          \
	}
static const struct param_field param_fields[] = {
	PD(gravity),
	PD(wilson_z),
	PD(like_weight),
	PD(tip_weight),
	PD(quality_prior),
	PD(weak_skill_boost),
	PD(interest_boost),
	PD(team_boost),
	PD(onboarding_boost),
	PD(featured_boost),
	PD(featured_creator_boost),
	PD(watched_penalty),
	PI(explore_every),
	PI(explore_max_impressions),
	PD(team_new_hours),
	PD(popular_hours),
};

static int set_param(struct rank_params *p, const char *arg)
{
	const char *eq = strchr(arg, '=');
	if (!eq)
		return -1;
	for (size_t i = 0; i < sizeof param_fields / sizeof *param_fields; i++) {
		const struct param_field *f = &param_fields[i];
		if (strlen(f->name) != (size_t)(eq - arg) ||
		    strncmp(f->name, arg, (size_t)(eq - arg)))
			continue;
		char *end;
		double val = strtod(eq + 1, &end);
		if (end == eq + 1 || *end || !isfinite(val))
			return -1;
		if (f->is_int)
			*(int *)(void *)((char *)p + f->off) = (int)val;
		else
			*(double *)(void *)((char *)p + f->off) = val;
		return 0;
	}
	return -1;
}

static void usage(FILE *to)
{
	fprintf(to, "usage: rank_eval [--seed N] [--runs N] [--teams N] [--agents N] [--clips N]\n"
		    "                 [--tags N] [--days N] [--future-days N] [--creator-share F]\n"
		    "                 [--relevance F] [--staleness F] [-p rank_param=value]...\n"
		    "                 [--loop-days N [--flagged F]]\n"
		    "Simulates a company and scores the feed ranker against baselines;\n"
		    "the model is described at the top of bench/rank_eval.c. --loop-days N\n"
		    "instead simulates N days of a service metric that follows skill under\n"
		    "each ranker (bench/rank_eval_loop.c). Parameters for -p:\n");
	for (size_t i = 0; i < sizeof param_fields / sizeof *param_fields; i++)
		fprintf(to, " %s", param_fields[i].name);
	fprintf(to, "\n");
}

static int parse_num(const char *s, double lo, double hi, double *out)
{
	char *end;
	double v = s ? strtod(s, &end) : NAN;
	if (!s || end == s || *end || !(v >= lo && v <= hi))
		return -1;
	*out = v;
	return 0;
}

static int parse_args(int argc, char **argv, struct config *c)
{
	struct {
		const char *flag;
		double lo, hi;
		int *i;
		double *d;
	} num[] = {
		{"--runs", 1, 100, &c->runs, NULL},
		{"--teams", 1, 64, &c->teams, NULL},
		{"--agents", 10, 100000, &c->agents, NULL},
		{"--clips", TOP, 200000, &c->clips, NULL},
		{"--tags", N_ONBOARDING + 2, 64, &c->tags, NULL},
		{"--days", 1, 365, &c->days, NULL},
		{"--future-days", 0, 365, &c->future_days, NULL},
		{"--creator-share", 0.01, 1, NULL, &c->creator_share},
		{"--relevance", 0, 10, NULL, &c->relevance},
		{"--staleness", 0, 20, NULL, &c->staleness},
		{"--loop-days", 1, 365, &c->loop_days, NULL},
		{"--flagged", 0, 1, NULL, &c->flagged},
	};
	for (int a = 1; a < argc; a++) {
		const char *val = a + 1 < argc ? argv[a + 1] : NULL;
		double v;
		if (!strcmp(argv[a], "--help") || !strcmp(argv[a], "-h")) {
			usage(stdout);
			exit(0);
		}
		if (!strcmp(argv[a], "--seed")) {
			if (parse_num(val, 0, 1e15, &v))
				return -1;
			c->seed = (uint64_t)v;
			a++;
			continue;
		}
		if (!strcmp(argv[a], "-p")) {
			if (!val || set_param(&c->params, val))
				return -1;
			c->params_changed = true;
			a++;
			continue;
		}
		size_t k = 0;
		while (k < sizeof num / sizeof *num && strcmp(argv[a], num[k].flag))
			k++;
		if (k == sizeof num / sizeof *num || parse_num(val, num[k].lo, num[k].hi, &v))
			return -1;
		if (num[k].i)
			*num[k].i = (int)v;
		else
			*num[k].d = v;
		a++;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct config c = {
		.seed = 1,
		.runs = 20,
		.teams = 8,
		.agents = 400,
		.clips = 900,
		.tags = 24,
		.days = 30,
		.future_days = 7,
		.creator_share = 0.15,
		.relevance = 1,
		.staleness = 0.5,
		.flagged = 1,
		.params = rank_params_default(),
	};
	if (parse_args(argc, argv, &c)) {
		usage(stderr);
		return 2;
	}
	if (c.loop_days)
		return loop_main(&c);
	struct metrics sum[N_RANKERS] = {0}, m[N_RANKERS];
	double ndcg_sq[N_RANKERS] = {0};
	int wins[N_RANKERS][2] = {{0}};
	clock_t t0 = clock();
	for (int run = 0; run < c.runs; run++) {
		struct world w;
		uint64_t seed = c.seed + (uint64_t)run;
		if (world_make(&w, &c, seed))
			return 1;
		if (run == 0)
			print_world(&w);
		int rc = evaluate(&w, &c.params, seed, m);
		world_free(&w);
		if (rc) {
			fprintf(stderr, "rank_eval: out of memory\n");
			return 1;
		}
		for (int r = 0; r < N_RANKERS; r++) {
			sum[r].ndcg += m[r].ndcg, sum[r].gain += m[r].gain,
				sum[r].weak += m[r].weak;
			sum[r].spam += m[r].spam, sum[r].age += m[r].age,
				sum[r].coverage += m[r].coverage;
			sum[r].run_mean += m[r].run_mean;
			sum[r].run_max = fmax(sum[r].run_max, m[r].run_max);
			ndcg_sq[r] += m[r].ndcg * m[r].ndcg;
			wins[r][0] += m[R_OURS].ndcg > m[r].ndcg;
			wins[r][1] += m[R_OURS].weak > m[r].weak;
		}
	}
	print_table(&c, sum, ndcg_sq, wins);
	fprintf(stderr, "rank_eval: %d run(s) in %.1f s CPU\n", c.runs,
		(double)(clock() - t0) / CLOCKS_PER_SEC);
	return 0;
}
