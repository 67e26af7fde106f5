/* Unit tests for candidate generation (src/feed/candidates.c): a viewer's
 * candidates stay within the budget, come in id order once each, hold the
 * best clips of the viewer's weak skills, team and featurings, and give the
 * same top of the feed as ranking every clip. Synthetic catalogues from a
 * fixed seed; no database. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "casereel/candidates.h"
#include "casereel/rank.h"

#define N_CLIPS 40000
#define N_TEAMS 50
#define N_TAGS  48

static uint64_t seed = 42;

static uint32_t next_rand(void)
{
	seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
	return (uint32_t)(seed >> 33);
}

/* n clips over a year, ids in publication order, counters skewed so a few
 * are popular; every 500th clip featured. */
static struct rank_clip *make_world(size_t n)
{
	struct rank_clip *c = calloc(n, sizeof *c);
	assert_non_null(c);
	for (size_t i = 0; i < n; i++) {
		uint32_t starts = next_rand() % 50;
		starts = starts * starts * starts / 500;
		c[i] = (struct rank_clip){
			.id = (int64_t)i + 1,
			.creator_id = 1000 + next_rand() % 3000,
			.creator_team = 1 + next_rand() % N_TEAMS,
			.age_hours = (double)(n - i) * 8760.0 / (double)n,
			.starts = starts,
			.completions = starts ? next_rand() % (starts + 1) : 0,
			.likes = starts ? next_rand() % (starts / 3 + 1) : 0,
			.impressions = starts * 3 + next_rand() % 40,
			.tags = 1ULL << (next_rand() % N_TAGS) | 1ULL << (next_rand() % N_TAGS),
			.featured = i % 500 == 0,
			.onboarding = 1ULL << 1,
		};
	}
	return c;
}

static const struct rank_viewer viewer = {
	.id = 7,
	.team_id = 3,
	.weak = 1ULL << 5 | 1ULL << 9,
	.interests = 1ULL << 12,
};

static bool holds(const uint32_t *pos, size_t n, uint32_t want)
{
	for (size_t i = 0; i < n; i++)
		if (pos[i] == want)
			return true;
	return false;
}

static void test_small_catalogue_is_ranked_whole(void **state)
{
	(void)state;
	struct rank_params p = rank_params_default();
	struct rank_clip *c = make_world(CAND_RANK_ALL);
	assert_null(cand_index_build(&p, c, sizeof *c, CAND_RANK_ALL));
	free(c);
}

static void test_within_budget_in_order_once_each(void **state)
{
	(void)state;
	struct rank_params p = rank_params_default();
	struct rank_clip *c = make_world(N_CLIPS);
	struct cand_index *x = cand_index_build(&p, c, sizeof *c, N_CLIPS);
	assert_non_null(x);
	size_t budget = cand_budget(N_CLIPS);
	assert_int_equal(budget, N_CLIPS * CAND_SHARE);
	uint32_t *pos = malloc(budget * sizeof *pos);
	size_t k = cand_select(x, &viewer, pos);
	assert_int_equal(k, budget); /* topped up from everything */
	for (size_t i = 1; i < k; i++)
		assert_true(pos[i - 1] < pos[i]);
	assert_true(pos[k - 1] < N_CLIPS);
	free(pos);
	cand_index_free(x);
	free(c);
}

/* The n best clips (by base score) that pass `keep`. */
static size_t best_of(const struct rank_params *p, const struct rank_clip *c,
		      bool (*keep)(const struct rank_clip *), uint32_t *out, size_t n)
{
	size_t got = 0;
	double *score = calloc(n, sizeof *score);
	for (size_t i = 0; i < N_CLIPS; i++) {
		if (!keep(&c[i]))
			continue;
		double s = rank_base_score(p, &c[i]);
		size_t at = got < n ? got++ : n;
		while (at > 0 && score[at - 1] < s) {
			if (at < n)
				score[at] = score[at - 1], out[at] = out[at - 1];
			at--;
		}
		if (at < n)
			score[at] = s, out[at] = (uint32_t)i;
	}
	free(score);
	return got;
}

static bool weak_match(const struct rank_clip *c)
{
	return c->tags & viewer.weak;
}

static bool team_match(const struct rank_clip *c)
{
	return c->creator_team == viewer.team_id;
}

static bool featured(const struct rank_clip *c)
{
	return c->featured;
}

static void test_holds_best_of_weak_skills_team_and_featured(void **state)
{
	(void)state;
	struct rank_params p = rank_params_default();
	struct rank_clip *c = make_world(N_CLIPS);
	struct cand_index *x = cand_index_build(&p, c, sizeof *c, N_CLIPS);
	uint32_t *pos = malloc(cand_budget(N_CLIPS) * sizeof *pos);
	size_t k = cand_select(x, &viewer, pos);
	/* deep enough into each kind that the best by base score overall (the
	 * newest, mostly) would not hold them */
	uint32_t best[300];
	bool (*kinds[])(const struct rank_clip *) = {weak_match, team_match, featured};
	size_t depth[] = {300, 150, 300};
	for (size_t kind = 0; kind < 3; kind++) {
		size_t n = best_of(&p, c, kinds[kind], best, depth[kind]);
		assert_true(n >= 50);
		for (size_t i = 0; i < n; i++)
			assert_true(holds(pos, k, best[i]));
	}
	free(pos);
	cand_index_free(x);
	free(c);
}

/* The top of the feed from candidates is the top from every clip. */
static void test_same_top_as_ranking_every_clip(void **state)
{
	(void)state;
	struct rank_params p = rank_params_default();
	struct rank_clip *c = make_world(N_CLIPS);
	struct cand_index *x = cand_index_build(&p, c, sizeof *c, N_CLIPS);
	uint32_t *pos = malloc(cand_budget(N_CLIPS) * sizeof *pos);
	struct rank_clip *scratch = malloc(N_CLIPS * sizeof *scratch);
	struct rank_item all[20], cand[20];
	for (int v = 0; v < 20; v++) {
		struct rank_viewer rv = {.id = 7,
					 .team_id = 1 + v % N_TEAMS,
					 .weak = 1ULL << (v % N_TAGS),
					 .interests = 1ULL << ((v * 7) % N_TAGS),
					 .new_hire = v % 5 == 0};
		memcpy(scratch, c, N_CLIPS * sizeof *scratch);
		size_t na = rank_feed(&p, &rv, scratch, N_CLIPS, all, 20);
		size_t k = cand_select(x, &rv, pos);
		for (size_t i = 0; i < k; i++)
			scratch[i] = c[pos[i]];
		size_t nc = rank_feed(&p, &rv, scratch, k, cand, 20);
		assert_int_equal(na, nc);
		for (size_t i = 0; i < na; i++)
			assert_int_equal(all[i].clip_id, cand[i].clip_id);
	}
	free(scratch);
	free(pos);
	cand_index_free(x);
	free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_small_catalogue_is_ranked_whole),
		cmocka_unit_test(test_within_budget_in_order_once_each),
		cmocka_unit_test(test_holds_best_of_weak_skills_team_and_featured),
		cmocka_unit_test(test_same_top_as_ranking_every_clip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
