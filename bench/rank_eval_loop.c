/* rank_eval --loop-days N (issue 13, item 7): does the KPI-driven learning
 * loop bring a team's weak-skill service metric back faster than today's
 * ranker and the baselines? #included by bench/rank_eval.c (it uses the
 * world, the behaviour model and the rankers defined there); links the
 * server's own rank.o and loop_stats.o (gap_score).
 *
 * The world is rank_eval's company with its catalogue stretched over
 * days + N days at the same publication rate (clips x (days + N) / days);
 * the naive history covers the first `days`, the loop the last N, in which
 * new clips keep appearing. Each ranker replays the same N days on its own
 * copy of the world (same seed, same random streams: common random numbers).
 *
 * Skill and metric (constants below):
 * - agent a has a latent skill s[a][t] per tag: N(-1, 0.5) on the tags
 *   flagged weak by hand (rank_eval's weak tags), N(0, 0.5) elsewhere.
 * - daily QA per measured tag: clamp(QA_BASE + QA_SLOPE s + N(0, QA_NOISE),
 *   0, 100), target QA_TARGET. QA_BASE 84 (not 75) so that an average
 *   skill meets the target and about 1 measured non-weak tag in 6 sits
 *   below it unflagged; a weak tag starts near 76. Measured tags: the
 *   team's queue tags, the agent's weak tags, the onboarding tags for new
 *   hires. QA_WARMUP days of metric before the loop give the gap its window.
 * - learning: completing a clip raises s on each of its tags by
 *   GAIN sigmoid(q) / (1 + n / GAIN_HALF), n = the agent's earlier loop
 *   completions on that tag (diminishing returns; a clickbait clip teaches
 *   little). Every night every skill decays by DECAY of its distance back
 *   to its start (forgetting).
 * - behaviour is rank_eval's (p_start, p_complete, likes, no restarts);
 *   each day an agent opens the feed with their engagement probability
 *   and sees the top PAGE items of the ranker.
 *
 * --flagged F (default 1): each weak tag is flagged by hand with probability
 * F; the rankers' manual weak skills are the flagged ones, while skill,
 * metric and behaviour follow all of them (an unflagged gap is one no
 * trainer has noticed yet).
 *
 * Rankers:
 * - today: rank_feed with the manual weak tags (weight 1).
 * - gaps: each morning, each measured tag's gap_score() (the server's
 *   function) over the last 14 days (target 80, worst 0, team rank within
 *   the team on the 7-day mean); weak = manual | gap > 0, weight = max(manual
 *   1, gap / 100), as the server builds rank_viewer.
 * - KPI loop: gaps plus a push rule: QA under PUSH_BELOW on PUSH_MIN_DAYS
 *   of the last PUSH_WINDOW days opens a push with a path of the PATH_STEPS
 *   best clips on that tag (Wilson lower bound of completion, as the feed's
 *   quality; not completed by the agent, not their own); the next undone
 *   step is pinned (path_step). The push closes when PUSH_RECOVER days
 *   since it opened are all back at or above PUSH_BELOW.
 * - baselines: newest-first, most-liked, HN gravity (each without the
 *   viewer's completed clips) and random unwatched.
 *
 * Reported per ranker, means over runs: the team mean of the QA of the
 * (agent, weak tag) pairs, flagged or not, on day 0 (the last day before
 * the loop) and later days; the share of those pairs whose last-7-day mean
 * meets the target on day N; the same share over every measured pair whose
 * 7-day mean missed the target on day 0 (flagged or not); the first day the
 * trailing 7-day mean of the run-averaged team mean has recovered half of
 * its day-0 gap to target; completions per agent (on weak tags); pushes. */

#include "casereel/loop_stats.h"

#define QA_TARGET     80.0
#define QA_BASE       84.0 /* QA at skill 0 */
#define QA_SLOPE      8.0  /* QA points per unit of skill */
#define QA_NOISE      5.0  /* daily noise, sd */
#define QA_WARMUP     GAP_WINDOW_DAYS
#define GAIN          0.05 /* skill per completion of a clip of quality logit 0, x2 */
#define GAIN_HALF     15.0 /* the 15th completion on a tag teaches half the first */
#define DECAY         0.01 /* nightly share of the learned skill forgotten */
#define PUSH_BELOW    70.0
#define PUSH_MIN_DAYS 5
#define PUSH_WINDOW   7
#define PUSH_RECOVER  3
#define PATH_STEPS    3
#define NBITS         64

enum loop_ranker { L_TODAY, L_GAPS, L_LOOP, L_NEWEST, L_LIKED, L_HN, L_RANDOM, N_LOOP };

static const char *const loop_name[N_LOOP] = {
	"today: rank_feed, manual weak skills",
	"rank_feed + computed gaps (no push)",
	"KPI loop: gaps + push paths",
	"newest-first, unwatched",
	"most-liked, unwatched",
	"HN gravity, unwatched",
	"random, unwatched",
};

struct push {
	bool open;
	int opened; /* day index */
	int n_path, path[PATH_STEPS];
};

struct loop_result {
	double *curve; /* team mean of weak-tag QA, day 0..N */
	double at_target, all_at_target, completions, weak_completions, pushes;
};

struct loop_sim {
	struct world *w;
	const struct rank_params *params;
	enum loop_ranker ranker;
	int n_days, n_agents;
	double *skill, *skill0; /* agent x bit */
	uint16_t *n_done;       /* agent x bit: loop completions */
	uint64_t *measured;     /* per agent */
	uint64_t *manual;       /* per agent: weak bits flagged by hand */
	uint8_t *below0;        /* agent x bit: 7-day mean under target on day 0 */
	float *qa;              /* day x agent x bit, day 0 = first warm-up day */
	double *mean7;          /* agent x bit, for gaps and team rank */
	float *weight;          /* agent x bit: the viewer's weak weights today */
	uint64_t *weak;         /* per agent: today's weak bits */
	struct push *push;      /* agent x bit */
	struct rank_clip *base, *scratch;
	int *order;
	struct scored_idx *sorted;
	double completions, weak_completions, pushes;
};

#define AT(s, a, b) ((size_t)(a)*NBITS + (size_t)(b))

static float *qa_row(struct loop_sim *s, int day)
{
	return &s->qa[(size_t)day * (size_t)s->n_agents * NBITS];
}

/* Draws one day of QA from today's skills (the same number of draws every
 * day, so every ranker sees the same noise). */
static void measure_day(struct loop_sim *s, struct rng *noise, int day)
{
	float *row = qa_row(s, day);
	for (int a = 0; a < s->n_agents; a++)
		for (int b = 0; b < NBITS; b++) {
			double e = QA_NOISE * rng_normal(noise);
			double v = QA_BASE + QA_SLOPE * s->skill[AT(s, a, b)] + e;
			row[AT(s, a, b)] =
				(s->measured[a] >> b & 1) ? (float)fmin(100, fmax(0, v)) : NAN;
		}
}

/* Mean of the measured days in [from, to) of one (agent, bit). */
static double qa_mean(struct loop_sim *s, int a, int b, int from, int to)
{
	double sum = 0;
	int n = 0;
	for (int d = from; d < to; d++) {
		float v = qa_row(s, d)[AT(s, a, b)];
		if (!isnan(v))
			sum += v, n++;
	}
	return n ? sum / n : NAN;
}

/* This morning's weak bits and weights from the last 14 days (day `today`
 * excluded): the server's gap_score() per measured tag. */
static void compute_gaps(struct loop_sim *s, int today)
{
	const struct agent *ag = s->w->agents;
	for (int a = 0; a < s->n_agents; a++)
		for (int b = 0; b < NBITS; b++)
			s->mean7[AT(s, a, b)] = qa_mean(s, a, b, today - 7, today);
	for (int a = 0; a < s->n_agents; a++) {
		s->weak[a] = s->manual[a];
		for (int b = 0; b < NBITS; b++) {
			s->weight[AT(s, a, b)] = (s->manual[a] >> b & 1) ? 1.0f : 0.0f;
			if (!(s->measured[a] >> b & 1))
				continue;
			double values[GAP_WINDOW_DAYS], better = 0, peers = 0;
			for (int d = 0; d < GAP_WINDOW_DAYS; d++)
				values[d] = qa_row(s, today - GAP_WINDOW_DAYS + d)[AT(s, a, b)];
			for (int o = 0; o < s->n_agents; o++) {
				double m = s->mean7[AT(s, o, b)];
				if (o == a || ag[o].team != ag[a].team || isnan(m))
					continue;
				peers++;
				better += m > s->mean7[AT(s, a, b)];
			}
			struct gap_series gs = {.target = QA_TARGET,
						.worst = 0,
						.values = values,
						.nvalues = GAP_WINDOW_DAYS,
						.mean7 = s->mean7[AT(s, a, b)],
						.ndays7 = 7,
						.team_better = peers ? better / peers : 0};
			struct gap_parts gp;
			if (!gap_score(&gs, &gp) || gp.score == 0)
				continue;
			s->weak[a] |= 1ULL << b;
			s->weight[AT(s, a, b)] = fmaxf(s->weight[AT(s, a, b)], gp.score / 100.0f);
		}
	}
}

/* The PATH_STEPS best clips on `bit` for agent a among the first `avail`. */
static int pick_path(struct loop_sim *s, int a, int bit, int avail, int *path)
{
	const struct world *w = s->w;
	int n = 0;
	double best[PATH_STEPS];
	for (int i = 0; i < avail; i++) {
		const struct clip *x = &w->clips[i];
		if (!(x->tags >> bit & 1) || completed(w, a, i) ||
		    w->creators[x->creator].agent == a)
			continue;
		double q = rank_wilson_lower(x->completions, x->starts, 1.28);
		int k = n < PATH_STEPS ? n++ : PATH_STEPS;
		while (k > 0 && best[k - 1] < q) {
			if (k < PATH_STEPS)
				best[k] = best[k - 1], path[k] = path[k - 1];
			k--;
		}
		if (k < PATH_STEPS)
			best[k] = q, path[k] = i;
	}
	return n;
}

/* The daily push pass: close recovered pushes, open new ones. */
static void push_pass(struct loop_sim *s, int today, int avail)
{
	for (int a = 0; a < s->n_agents; a++)
		for (int b = 0; b < NBITS; b++) {
			struct push *p = &s->push[AT(s, a, b)];
			if (!(s->measured[a] >> b & 1))
				continue;
			if (p->open) {
				bool ok = today - p->opened >= PUSH_RECOVER;
				for (int d = today - PUSH_RECOVER; ok && d < today; d++)
					ok = qa_row(s, d)[AT(s, a, b)] >= PUSH_BELOW;
				p->open = !ok;
				continue;
			}
			int low = 0;
			for (int d = today - PUSH_WINDOW; d < today; d++)
				low += qa_row(s, d)[AT(s, a, b)] < PUSH_BELOW;
			if (low < PUSH_MIN_DAYS)
				continue;
			p->n_path = pick_path(s, a, b, avail, p->path);
			p->open = p->n_path > 0;
			p->opened = today;
			s->pushes += p->open;
		}
}

static void learn(struct loop_sim *s, int a, const struct clip *x)
{
	s->completions++;
	s->weak_completions += (x->tags & s->w->agents[a].weak) != 0;
	for (uint64_t bits = x->tags; bits; bits &= bits - 1) {
		size_t k = AT(s, a, __builtin_ctzll(bits));
		s->skill[k] += GAIN * sigmoid(x->q) / (1 + s->n_done[k] / GAIN_HALF);
		s->n_done[k]++;
	}
}

/* Today's daily order of the first `avail` clips for a global baseline. */
static void daily_order(struct loop_sim *s, int avail, double t)
{
	for (int i = 0; i < avail; i++) {
		const struct clip *x = &s->w->clips[i];
		s->sorted[i].idx = i;
		s->sorted[i].score = s->ranker == L_NEWEST ? x->pub
				     : s->ranker == L_LIKED
					     ? x->likes
					     : (x->likes + 1) / pow(t - x->pub + 2, 1.8);
	}
	qsort(s->sorted, (size_t)avail, sizeof *s->sorted, by_score_desc);
	for (int i = 0; i < avail; i++)
		s->order[i] = s->sorted[i].idx;
}

static size_t loop_page(struct loop_sim *s, struct rng *r, int a, int avail, int *top)
{
	const struct world *w = s->w;
	size_t got = 0;
	if (s->ranker == L_RANDOM) {
		for (int tries = 0; got < PAGE && tries < 20 * PAGE; tries++) {
			int i = rng_below(r, avail);
			bool dup = completed(w, a, i);
			for (size_t k = 0; k < got; k++)
				dup |= top[k] == i;
			if (!dup)
				top[got++] = i;
		}
		return got;
	}
	if (s->ranker >= L_NEWEST) {
		for (int k = 0; k < avail && got < PAGE; k++)
			if (!completed(w, a, s->order[k]))
				top[got++] = s->order[k];
		return got;
	}
	const struct agent *ag = &w->agents[a];
	struct rank_viewer rv = {.id = a + 1,
				 .team_id = ag->team + 1,
				 .weak = s->manual[a],
				 .interests = ag->interests,
				 .new_hire = ag->new_hire};
	if (s->ranker != L_TODAY) {
		rv.weak = s->weak[a];
		for (int b = 0; b < NBITS; b++)
			rv.weak_weight[b] = s->weight[AT(s, a, b)];
	}
	memcpy(s->scratch, s->base, (size_t)avail * sizeof *s->scratch);
	for (int i = 0; i < avail; i++)
		s->scratch[i].watched = completed(w, a, i);
	if (s->ranker == L_LOOP)
		for (int b = 0; b < NBITS; b++) {
			const struct push *p = &s->push[AT(s, a, b)];
			for (int k = 0; p->open && k < p->n_path; k++)
				if (!completed(w, a, p->path[k])) {
					s->scratch[p->path[k]].path_step = true;
					break;
				}
		}
	struct rank_item items[PAGE];
	size_t n = rank_feed(s->params, &rv, s->scratch, (size_t)avail, items, PAGE);
	for (size_t k = 0; k < n; k++)
		top[k] = (int)(items[k].clip_id - 1);
	return n;
}

static void loop_free(struct loop_sim *s)
{
	free(s->skill), free(s->skill0), free(s->n_done), free(s->measured), free(s->qa);
	free(s->manual), free(s->below0);
	free(s->mean7), free(s->weight), free(s->weak), free(s->push), free(s->base);
	free(s->scratch), free(s->order), free(s->sorted);
}

/* One ranker over N days of world `w` (fresh from world_make); 0 on success. */
static int loop_run(struct world *w, const struct config *c, enum loop_ranker ranker, uint64_t seed,
		    struct loop_result *out)
{
	const struct config *cw = w->cfg;
	int na = cw->agents, nc = cw->clips, days = QA_WARMUP + c->loop_days;
	size_t cells = (size_t)na * NBITS;
	struct loop_sim s = {.w = w, .params = &c->params, .ranker = ranker, .n_agents = na};
	s.n_days = c->loop_days;
	s.skill = calloc(cells, sizeof *s.skill);
	s.skill0 = calloc(cells, sizeof *s.skill0);
	s.n_done = calloc(cells, sizeof *s.n_done);
	s.measured = calloc((size_t)na, sizeof *s.measured);
	s.manual = calloc((size_t)na, sizeof *s.manual);
	s.below0 = calloc(cells, 1);
	s.qa = calloc(cells * (size_t)days, sizeof *s.qa);
	s.mean7 = calloc(cells, sizeof *s.mean7);
	s.weight = calloc(cells, sizeof *s.weight);
	s.weak = calloc((size_t)na, sizeof *s.weak);
	s.push = calloc(cells, sizeof *s.push);
	s.base = calloc((size_t)nc, sizeof *s.base);
	s.scratch = calloc((size_t)nc, sizeof *s.scratch);
	s.order = calloc((size_t)nc, sizeof *s.order);
	s.sorted = calloc((size_t)nc, sizeof *s.sorted);
	if (!s.skill || !s.skill0 || !s.manual || !s.below0 || !s.n_done || !s.measured || !s.qa ||
	    !s.mean7 || !s.weight || !s.weak || !s.push || !s.base || !s.scratch || !s.order ||
	    !s.sorted) {
		loop_free(&s);
		return -1;
	}
	uint64_t k = 0x100000000ULL;
	struct rng skills = {seed * 4 + 1 + k}, noise = {seed * 4 + 1 + 2 * k},
		   behave = {seed * 4 + 1 + 3 * k};
	uint64_t onboarding = tag_bit(1) | tag_bit(2) | tag_bit(3);
	for (int a = 0; a < na; a++) {
		const struct agent *ag = &w->agents[a];
		s.measured[a] = ag->weak | (ag->new_hire ? onboarding : 0);
		for (int q = 0; q < QUEUE_TAGS; q++)
			s.measured[a] |= w->team_tags[ag->team * QUEUE_TAGS + q];
		for (int b = 0; b < NBITS; b++)
			s.skill[AT(&s, a, b)] = s.skill0[AT(&s, a, b)] =
				((ag->weak >> b & 1) ? -1 : 0) + 0.5 * rng_normal(&skills);
		for (uint64_t bits = ag->weak; bits; bits &= bits - 1)
			if (rng_unit(&skills) < c->flagged)
				s.manual[a] |= bits & -bits;
	}
	for (int d = 0; d < QA_WARMUP; d++)
		measure_day(&s, &noise, d);
	for (int a = 0; a < na; a++)
		for (int b = 0; b < NBITS; b++)
			s.below0[AT(&s, a, b)] =
				qa_mean(&s, a, b, QA_WARMUP - 7, QA_WARMUP) < QA_TARGET;
	int avail = 0;
	for (int day = QA_WARMUP; day < days; day++) {
		double t = -c->loop_days * 24.0 + (day - QA_WARMUP) * 24 + 12;
		while (avail < nc && w->clips[avail].pub < t)
			avail++;
		if (ranker == L_GAPS || ranker == L_LOOP)
			compute_gaps(&s, day);
		if (ranker == L_LOOP)
			push_pass(&s, day, avail);
		if (ranker >= L_NEWEST && ranker != L_RANDOM)
			daily_order(&s, avail, t);
		base_features(w, s.base);
		for (int i = 0; i < avail; i++)
			s.base[i].age_hours = t - w->clips[i].pub;
		for (int a = 0; a < na; a++) {
			if (rng_unit(&behave) >= w->agents[a].engagement)
				continue;
			int top[PAGE];
			size_t n = loop_page(&s, &behave, a, avail, top);
			for (size_t i = 0; i < n; i++) {
				struct clip *x = &w->clips[top[i]];
				bool before = completed(w, a, top[i]);
				interact(w, &behave, a, x, t - x->pub);
				if (!before && completed(w, a, top[i]))
					learn(&s, a, x);
			}
		}
		measure_day(&s, &noise, day);
		for (size_t i = 0; i < cells; i++)
			s.skill[i] += DECAY * (s.skill0[i] - s.skill[i]);
	}
	double hit = 0, pairs = 0;
	for (int d = QA_WARMUP - 1; d < days; d++) {
		double sum = 0, n = 0;
		for (int a = 0; a < na; a++)
			for (uint64_t bits = w->agents[a].weak; bits; bits &= bits - 1)
				sum += qa_row(&s, d)[AT(&s, a, __builtin_ctzll(bits))], n++;
		out->curve[d - QA_WARMUP + 1] += n ? sum / n : 0;
	}
	for (int a = 0; a < na; a++)
		for (uint64_t bits = w->agents[a].weak; bits; bits &= bits - 1) {
			pairs++;
			hit += qa_mean(&s, a, __builtin_ctzll(bits), days - 7, days) >= QA_TARGET;
		}
	out->at_target += pairs ? hit / pairs : 0;
	hit = pairs = 0;
	for (size_t i = 0; i < cells; i++)
		if (s.below0[i]) {
			pairs++;
			hit += qa_mean(&s, (int)(i / NBITS), (int)(i % NBITS), days - 7, days) >=
			       QA_TARGET;
		}
	out->all_at_target += pairs ? hit / pairs : 0;
	out->completions += s.completions / na;
	out->weak_completions += s.weak_completions / na;
	out->pushes += 100 * s.pushes / na;
	loop_free(&s);
	return 0;
}

static void loop_print(const struct config *c, struct loop_result *res)
{
	int n = c->loop_days, marks[4] = {0, n / 4, n / 2, n};
	double runs = c->runs;
	printf("| ranker |");
	for (int m = 0; m < 4; m++)
		printf(" weak-tag QA day %d |", marks[m]);
	printf(" weak pairs at target, day %d | days to half the gap | all pairs below target on"
	       " day 0 at target, day %d | completions / agent (on weak tags) | pushes / 100"
	       " agents |\n",
	       n, n);
	printf("|---|---|---|---|---|---|---|---|---|---|\n");
	for (int r = 0; r < N_LOOP; r++) {
		const struct loop_result *x = &res[r];
		printf("| %s%s |", loop_name[r],
		       r <= L_LOOP && c->params_changed ? " (-p overrides)" : "");
		for (int m = 0; m < 4; m++)
			printf(" %.1f |", x->curve[marks[m]] / runs);
		double start = x->curve[0] / runs, half = start + (QA_TARGET - start) / 2;
		int day = -1;
		for (int d = 1; d <= n && day < 0; d++) { /* trailing 7-day mean */
			double sum = 0;
			int from = d > 7 ? d - 6 : 1;
			for (int k = from; k <= d; k++)
				sum += x->curve[k] / runs;
			if (sum / (d - from + 1) >= half)
				day = d;
		}
		printf(" %.1f%% |", 100 * x->at_target / runs);
		if (day >= 0)
			printf(" %d |", day);
		else
			printf(" > %d |", n);
		printf(" %.1f%% |", 100 * x->all_at_target / runs);
		printf(" %.1f (%.1f) | %.1f |\n", x->completions / runs, x->weak_completions / runs,
		       x->pushes / runs);
	}
	printf("\nWeak tags flagged by hand: %.0f%%. QA: clamp(%.0f + %.0f skill + N(0, %.0f),"
	       " 0, 100), target %.0f; weak-tag QA = team mean over (agent, weak tag) pairs"
	       " (flagged or not), means over %d run(s); days to half the gap: the first"
	       " day the trailing 7-day mean of the run-averaged curve is halfway from day 0"
	       " to target.\n\n",
	       100 * c->flagged, QA_BASE, QA_SLOPE, QA_NOISE, QA_TARGET, c->runs);
}

static int loop_main(const struct config *c)
{
	struct config cw = *c;
	cw.days = c->days + c->loop_days;
	cw.clips = (int)((double)c->clips * cw.days / c->days);
	struct loop_result res[N_LOOP] = {0};
	int rc = 1;
	for (int r = 0; r < N_LOOP; r++)
		if (!(res[r].curve = calloc((size_t)c->loop_days + 1, sizeof *res[r].curve)))
			goto out;
	clock_t t0 = clock();
	for (int run = 0; run < c->runs; run++) {
		uint64_t seed = c->seed + (uint64_t)run;
		for (int r = 0; r < N_LOOP; r++) {
			struct world w;
			if (world_make(&w, &cw, seed))
				goto out;
			if (run == 0 && r == 0)
				printf("Loop world (seed %llu): %d agents, %d clips over %d days, "
				       "the"
				       " last %d simulated day by day; %d creators.\n\n",
				       (unsigned long long)seed, cw.agents, cw.clips, cw.days,
				       c->loop_days, w.n_creators);
			int err = loop_run(&w, c, (enum loop_ranker)r, seed, &res[r]);
			world_free(&w);
			if (err) {
				fprintf(stderr, "rank_eval: out of memory\n");
				goto out;
			}
		}
	}
	loop_print(c, res);
	fprintf(stderr, "rank_eval: %d loop run(s) of %d days in %.1f s CPU\n", c->runs,
		c->loop_days, (double)(clock() - t0) / CLOCKS_PER_SEC);
	rc = 0;
out:
	for (int r = 0; r < N_LOOP; r++)
		free(res[r].curve);
	return rc;
}
