/* The feed ranker, a pure function of clip and viewer features (no I/O), so
 * the server and bench/rank_eval run the very same code.
 *
 * score = relevance x quality x freshness x boosts (../shared/DESIGN.md),
 * then a greedy pass that keeps one slot in `explore_every` for clips with
 * few impressions and never puts the same creator twice in a row. */
#ifndef CASEREEL_RANK_H
#define CASEREEL_RANK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Why a clip is in the feed; rank_reason_text() gives the words,
 * rank_reason_code() a stable code. */
enum rank_reason {
	RANK_REASON_MUST_WATCH,
	RANK_REASON_FEATURED,
	RANK_REASON_WEAK_SKILL,
	RANK_REASON_TEAM,
	RANK_REASON_ONBOARDING,
	RANK_REASON_POPULAR,
	RANK_REASON_NEW,
	RANK_REASON_INTEREST,
	RANK_REASON_RECOMMENDED,
	RANK_REASON_PATH, /* the next step of a learning path assigned to the viewer */
};

struct rank_params {
	double gravity;          /* freshness = (age_hours + 2)^-gravity */
	double wilson_z;         /* confidence of the completion-rate bound */
	double like_weight;      /* quality += like_weight * ln(1 + likes) */
	double tip_weight;       /* quality += tip_weight * ln(1 + tips) */
	double quality_prior;    /* added so unseen clips are not worth zero */
	double weak_skill_boost; /* relevance += per matching weak skill */
	double interest_boost;   /* relevance += when an interest matches */
	double team_boost;       /* relevance += creator in the viewer's team */
	double onboarding_boost; /* relevance += onboarding tag, for new hires */
	double featured_boost;   /* multiplier for a featured clip */
	double featured_creator_boost;
	double watched_penalty;      /* multiplier for clips the viewer completed */
	int explore_every;           /* one slot in N goes to a little-seen clip */
	int explore_max_impressions; /* "little-seen" means fewer than this */
	double team_new_hours;       /* "new in your team" within this age */
	double popular_hours;        /* "popular this week" within this age */
};

struct rank_clip {
	int64_t id;
	int64_t creator_id;
	int64_t creator_team;
	double age_hours; /* since publication */
	uint32_t starts, completions, likes, tips, impressions;
	uint64_t tags; /* bit (tag_id % 64) per skill tag */
	bool featured, creator_featured, must_watch;
	bool path_step;      /* the next step of one of the viewer's learning paths */
	bool watched;        /* the viewer completed it */
	uint64_t onboarding; /* tags that are onboarding tags */
	double quality;      /* rank_quality() of the counters under the params ranked with,
			      * when the caller keeps it up to date; 0: computed from them */
};

struct rank_viewer {
	int64_t id;
	int64_t team_id;
	uint64_t weak;         /* tag bits the viewer is weak in */
	float weak_weight[64]; /* per weak bit: the larger of a manual weak skill (1) and the
				* computed gap / 100; 0 reads as 1 */
	uint64_t interests;
	bool new_hire; /* tenure under the onboarding period */
};

struct rank_item {
	int64_t clip_id;
	enum rank_reason reason;
	uint64_t reason_tags; /* for RANK_REASON_WEAK_SKILL / INTEREST: matching bits */
	double score;
};

/* The tuned defaults; measure with bench/rank_eval before changing them. */
struct rank_params rank_params_default(void);

/* Ranks `n` clips for `viewer` into out[0..max) and returns how many were
 * written (min(n, max)). `clips` is reordered (scratch). */
size_t rank_feed(const struct rank_params *p, const struct rank_viewer *viewer,
		 struct rank_clip *clips, size_t n, struct rank_item *out, size_t max);

/* The part of a clip's score that is the same for every viewer: quality x
 * freshness x the featuring boosts (relevance and the watched penalty only
 * multiply it). Candidate generation orders clips by it. */
double rank_base_score(const struct rank_params *p, const struct rank_clip *c);

/* The clip's quality from its counters (a prior, its completion rate's
 * Wilson lower bound, its likes and tips): the part of rank_base_score()
 * that moves only when a counter does. */
double rank_quality(const struct rank_params *p, const struct rank_clip *c);

/* Lower bound of the Wilson score interval for `pos` successes in `n`. */
double rank_wilson_lower(double pos, double n, double z);

/* Short English text for a reason ("featured by trainer"). */
const char *rank_reason_text(enum rank_reason r);

/* A stable code for the reason ("must-watch", "featured", "weak-skill",
 * "team", "onboarding", "popular", "new", "interest", "recommended"), so
 * clients can say it in their own language. */
const char *rank_reason_code(enum rank_reason r);

#endif
