/* The impact report: who completed the item and when, each completer's
 * metric change against matched comparison agents over the same windows,
 * and the estimate with its interval. See include/casereel/impact.h. */
#include "casereel/impact.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "casereel/kpi.h"
#include "casereel/loop_stats.h"
#include "casereel/paths.h"
#include "casereel/points.h"
#include "casereel/store.h"
#include "casereel/tags.h"

#define BOOTSTRAP_REPS 1000 /* the interval's ends move by a few hundredths between seeds */

struct agent {
	int64_t id, team_id;
	int32_t hired;     /* day number; -1 when unknown */
	int32_t completed; /* day of completion (or of the push); INT32_MAX = never */
	size_t slot;       /* 1 + its index among the comparison agents; 0 = not one yet */
	/* the metric's days, read once: prefix sums over [first, first + span) */
	bool loaded;
	int32_t first, span;
	double *sum; /* sum[i] = total of the values of days first .. first + i - 1 */
	int *count;  /* days with data among them */
};

/* The impact_sample being built, with room that grows. */
struct sample_buf {
	double *treated, *control;
	size_t *first, *count, *agent;
	size_t n, entries, cap_entries, n_control;
};

struct impact_ctx {
	const struct impact_query *q;
	struct kpi_metric metric;
	int64_t tag_id;
	struct agent *agents;
	size_t nagents;
	int32_t day_lo, day_hi; /* the days any window reads: the completions' span +- 14 */
	struct sample_buf b;
};

static int32_t day_of(int64_t unix_seconds)
{
	char text[POINTS_DAY_LEN];
	int32_t day = 0;
	points_day((time_t)unix_seconds, text);
	kpi_day_parse(text, &day);
	return day;
}

/* Tenure bands: under 90 days, under a year, under three, longer, unknown. */
static int band(int32_t hired, int32_t at)
{
	if (hired < 0)
		return 4;
	int32_t days = at - hired;
	return days < 90 ? 0 : days < 365 ? 1 : days < 1095 ? 2 : 3;
}

static cr_err load_agents(struct impact_ctx *c)
{
	sqlite3_stmt *st = store_stmt("SELECT count(*) FROM users WHERE role = 'agent'");
	if (!st)
		return CR_EDB;
	size_t max = sqlite3_step(st) == SQLITE_ROW ? (size_t)sqlite3_column_int64(st, 0) : 0;
	store_done(st);
	c->agents = calloc(max ? max : 1, sizeof *c->agents);
	st = store_stmt("SELECT id, coalesce(team_id, 0), hire_date FROM users"
			" WHERE role = 'agent' ORDER BY id");
	if (!c->agents || !st)
		return c->agents ? CR_EDB : CR_ENOMEM;
	while (c->nagents < max && sqlite3_step(st) == SQLITE_ROW) {
		struct agent *a = &c->agents[c->nagents++];
		a->id = sqlite3_column_int64(st, 0);
		a->team_id = sqlite3_column_int64(st, 1);
		if (!kpi_day_parse((const char *)sqlite3_column_text(st, 2), &a->hired))
			a->hired = -1;
		a->completed = INT32_MAX;
	}
	store_done(st);
	return CR_OK;
}

static struct agent *find_agent(struct impact_ctx *c, int64_t id)
{
	size_t lo = 0, hi = c->nagents;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (c->agents[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < c->nagents && c->agents[lo].id == id ? &c->agents[lo] : NULL;
}

/* Marks when each agent completed a clip (not their own). */
static cr_err video_completions(struct impact_ctx *c)
{
	sqlite3_stmt *st = store_stmt("SELECT w.user_id, w.completed_at FROM watches w"
				      " JOIN videos v ON v.id = w.video_id"
				      " WHERE w.video_id = ?1 AND w.completed_at IS NOT NULL"
				      " AND w.user_id <> v.owner_id");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, c->q->id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct agent *a = find_agent(c, sqlite3_column_int64(st, 0));
		if (a)
			a->completed = day_of(sqlite3_column_int64(st, 1));
	}
	store_done(st);
	return CR_OK;
}

/* Path: when each agent completed it. Rule: the day of the push, for
 * agents whose pushed path is complete. */
static cr_err path_completions(struct impact_ctx *c, int64_t path_id, bool by_push)
{
	/* only who finished the first step's clip can have finished the path */
	sqlite3_stmt *st =
		by_push ? store_stmt("SELECT user_id, min(opened_at) FROM pushes"
				     " WHERE rule_id = ?1 GROUP BY user_id")
			: store_stmt("SELECT w.user_id, 0 FROM path_steps s JOIN watches w"
				     " ON w.video_id = s.video_id AND w.completed_at IS NOT NULL"
				     " WHERE s.path_id = ?1 AND s.position = 1");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, by_push ? c->q->id : path_id);
	cr_err e = CR_OK;
	int rc;
	while (!e && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct agent *a = find_agent(c, sqlite3_column_int64(st, 0));
		struct path_progress p;
		if (!a || (e = paths_progress(path_id, a->id, &p)) || !p.completed_at)
			continue;
		a->completed = day_of(by_push ? sqlite3_column_int64(st, 1) : p.completed_at);
	}
	store_done(st);
	return e ? e : rc == SQLITE_DONE ? CR_OK : store_error(rc, "impact completers");
}

/* Reads the agent's days of the metric once, as prefix sums. */
static cr_err load_series(const struct impact_ctx *c, struct agent *a)
{
	sqlite3_stmt *st = store_stmt("SELECT day, value FROM metric_values"
				      " WHERE user_id = ?1 AND metric_id = ?2 AND tag_id = ?3"
				      " AND day BETWEEN ?4 AND ?5 ORDER BY day");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, a->id);
	sqlite3_bind_int64(st, 2, c->metric.id);
	sqlite3_bind_int64(st, 3, c->tag_id);
	sqlite3_bind_int(st, 4, c->day_lo);
	sqlite3_bind_int(st, 5, c->day_hi);
	a->loaded = true;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int32_t day = sqlite3_column_int(st, 0);
		if (!a->sum) { /* the first row sets the start; the span grows as needed */
			a->first = day;
			a->span = 0;
		}
		int32_t at = day - a->first + 1;
		if (at >= a->span) {
			int32_t span = at + 64;
			double *sum = realloc(a->sum, (size_t)span * sizeof *sum);
			int *count = sum ? realloc(a->count, (size_t)span * sizeof *count) : NULL;
			if (sum)
				a->sum = sum;
			if (!count) {
				store_done(st);
				return CR_ENOMEM;
			}
			a->count = count;
			for (int32_t k = a->span ? a->span : 0; k < span; k++) {
				a->sum[k] = k ? a->sum[k - 1] : 0;
				a->count[k] = k ? a->count[k - 1] : 0;
			}
			a->span = span;
		}
		double v = sqlite3_column_double(st, 1);
		for (int32_t k = at; k < a->span; k++) { /* rows come in day order: a short tail */
			a->sum[k] += v;
			a->count[k]++;
		}
	}
	store_done(st);
	return rc == SQLITE_DONE ? CR_OK : store_error(rc, "impact series");
}

/* Total and count of the agent's values over days [from, to]. */
static void window(const struct agent *a, int32_t from, int32_t to, double *total, int *days)
{
	int32_t lo = from - a->first, hi = to - a->first + 1; /* prefix indices */
	lo = lo < 0 ? 0 : lo > a->span - 1 ? a->span - 1 : lo;
	hi = hi < 0 ? 0 : hi > a->span - 1 ? a->span - 1 : hi;
	*total = a->sum[hi] - a->sum[lo];
	*days = a->count[hi] - a->count[lo];
}

/* The change of the agent's mean across `day`: the 14 days after less the
 * 14 days before (the day itself in neither); NAN with fewer than
 * IMPACT_MIN_DAYS days of data on either side (or when reading failed). */
static double change_across(const struct impact_ctx *c, struct agent *a, int32_t day)
{
	if (!a->loaded && load_series(c, a) != CR_OK)
		return NAN;
	if (!a->sum)
		return NAN;
	double before, after;
	int nb, na;
	window(a, day - IMPACT_WINDOW_DAYS, day - 1, &before, &nb);
	window(a, day + 1, day + IMPACT_WINDOW_DAYS, &after, &na);
	if (nb < IMPACT_MIN_DAYS || na < IMPACT_MIN_DAYS)
		return NAN;
	return after / na - before / nb;
}

static bool add_control(struct sample_buf *b, struct agent *who, double change)
{
	if (b->entries == b->cap_entries) {
		size_t cap = b->cap_entries ? 2 * b->cap_entries : 1024;
		double *control = realloc(b->control, cap * sizeof *control);
		if (control)
			b->control = control;
		size_t *agent = realloc(b->agent, cap * sizeof *agent);
		if (agent)
			b->agent = agent;
		if (!control || !agent)
			return false;
		b->cap_entries = cap;
	}
	if (!who->slot)
		who->slot = ++b->n_control;
	b->control[b->entries] = change;
	b->agent[b->entries++] = who->slot - 1;
	return true;
}

/* Adds completer `a` to the sample with every comparison agent that has
 * data on both sides of the same windows: same team, same tenure band, not
 * a completer by the end of the window. Skipped (false) when `a` lacks
 * data or has nobody to compare with. CR_ENOMEM in *e. */
static bool add_completer(struct impact_ctx *c, struct agent *a, cr_err *e)
{
	struct sample_buf *b = &c->b;
	int32_t d = a->completed;
	double mine = change_across(c, a, d);
	if (!isfinite(mine))
		return false;
	size_t first = b->entries;
	for (size_t j = 0; j < c->nagents; j++) {
		struct agent *other = &c->agents[j];
		if (other == a || other->team_id != a->team_id ||
		    band(other->hired, d) != band(a->hired, d) ||
		    other->completed <= d + IMPACT_WINDOW_DAYS)
			continue;
		double change = change_across(c, other, d);
		if (isfinite(change) && !add_control(b, other, change)) {
			*e = CR_ENOMEM;
			return false;
		}
	}
	if (b->entries == first)
		return false;
	b->treated[b->n] = mine;
	b->first[b->n] = first;
	b->count[b->n++] = b->entries - first;
	return true;
}

/* Completer i's comparisons' mean change, for the export. */
static double comparison_mean(const struct sample_buf *b, size_t i)
{
	double sum = 0;
	for (size_t k = b->first[i]; k < b->first[i] + b->count[i]; k++)
		sum += b->control[k];
	return sum / (double)b->count[i];
}

/* The item's name, and which path a path or rule item follows. */
static cr_err describe_item(const struct impact_query *q, char *name, size_t size, int64_t *path_id)
{
	static const char *const sql[] = {
		[IMPACT_VIDEO] = "SELECT title, 0 FROM videos WHERE id = ?1",
		[IMPACT_PATH] = "SELECT name, id FROM paths WHERE id = ?1",
		[IMPACT_RULE] = "SELECT name, path_id FROM push_rules WHERE id = ?1",
	};
	sqlite3_stmt *st = store_stmt(sql[q->kind]);
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, q->id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		snprintf(name, size, "%s", (const char *)sqlite3_column_text(st, 0));
		*path_id = sqlite3_column_int64(st, 1);
	}
	store_done(st);
	return rc == SQLITE_ROW    ? CR_OK
	       : rc == SQLITE_DONE ? CR_ENOTFOUND
				   : store_error(rc, "impact");
}

static cr_err resolve_metric(struct impact_ctx *c, struct cr_problem *why)
{
	cr_err e = kpi_metric_by_name(c->q->metric, &c->metric);
	c->tag_id = 0;
	if (e == CR_ENOTFOUND)
		return cr_refuse(why, CR_EINVAL, "invalid-field", "metric", "no such metric");
	if (!e && c->q->tag && (e = tags_id_by_name(c->q->tag, &c->tag_id)) == CR_ENOTFOUND)
		return cr_refuse(why, CR_EINVAL, "invalid-field", "tag", "no such skill tag");
	if (!e && c->metric.per_skill != (c->tag_id != 0))
		e = cr_refuse(why, CR_EINVAL, "invalid-field", "tag",
			      c->metric.per_skill ? "%s is per skill: name the tag"
						  : "%s is an overall metric: it takes no tag",
			      c->metric.name);
	return e;
}

static json_t *number_or_null(bool enough, double v)
{
	return enough && isfinite(v) ? json_real(round(v * 1000) / 1000) : json_null();
}

static json_t *estimate_json(const struct impact_estimate *e, size_t min_n)
{
	return json_pack("{s:I, s:I, s:I, s:b, s:o, s:o, s:o, s:o, s:o}", "n_treated",
			 (json_int_t)e->n_treated, "n_control", (json_int_t)e->n_control, "min_n",
			 (json_int_t)min_n, "enough", e->enough, "treated_change",
			 number_or_null(e->enough, e->treated_change), "control_change",
			 number_or_null(e->enough, e->control_change), "difference",
			 number_or_null(e->enough, e->difference), "ci_low",
			 number_or_null(e->enough, e->ci_low), "ci_high",
			 number_or_null(e->enough, e->ci_high));
}

cr_err impact_report(const struct impact_query *q, json_t **out, struct cr_problem *why)
{
	static const char *const kinds[] = {"video", "path", "rule"};
	struct impact_ctx c = {.q = q};
	json_t *rows = NULL;
	char name[512];
	int64_t path_id = 0;
	size_t min_n = q->min_n ? q->min_n : IMPACT_MIN_N;
	*out = NULL;
	bool began = store_read_begin();
	cr_err e = describe_item(q, name, sizeof name, &path_id);
	if (!e)
		e = resolve_metric(&c, why);
	if (!e)
		e = load_agents(&c);
	if (!e)
		e = q->kind == IMPACT_VIDEO ? video_completions(&c)
					    : path_completions(&c, path_id, q->kind == IMPACT_RULE);
	size_t cap = c.nagents ? c.nagents : 1;
	if (!e) {
		c.b.treated = malloc(cap * sizeof *c.b.treated);
		c.b.first = malloc(cap * sizeof *c.b.first);
		c.b.count = malloc(cap * sizeof *c.b.count);
		rows = json_array();
		if (!c.b.treated || !c.b.first || !c.b.count || !rows)
			e = CR_ENOMEM;
	}
	int32_t today = kpi_today();
	c.day_lo = INT32_MAX, c.day_hi = INT32_MIN;
	for (size_t i = 0; i < c.nagents; i++)
		if (c.agents[i].completed != INT32_MAX) {
			int32_t d = c.agents[i].completed;
			c.day_lo = d - IMPACT_WINDOW_DAYS < c.day_lo ? d - IMPACT_WINDOW_DAYS
								     : c.day_lo;
			c.day_hi = d + IMPACT_WINDOW_DAYS > c.day_hi ? d + IMPACT_WINDOW_DAYS
								     : c.day_hi;
		}
	for (size_t i = 0; !e && i < c.nagents; i++) {
		struct agent *a = &c.agents[i];
		if (a->completed == INT32_MAX || a->completed + IMPACT_WINDOW_DAYS > today ||
		    !add_completer(&c, a, &e))
			continue;
		char day[11];
		kpi_day_format(a->completed, day);
		json_array_append_new(
			rows, json_pack("{s:I, s:s, s:f, s:f, s:I}", "user_id", (json_int_t)a->id,
					"date", day, "treated_change", c.b.treated[c.b.n - 1],
					"control_change", comparison_mean(&c.b, c.b.n - 1),
					"comparisons", (json_int_t)c.b.count[c.b.n - 1]));
	}
	store_read_end(began);
	struct impact_sample sample = {.n_treated = c.b.n,
				       .treated_change = c.b.treated,
				       .first = c.b.first,
				       .count = c.b.count,
				       .control_change = c.b.control,
				       .control_agent = c.b.agent,
				       .n_control = c.b.n_control};
	struct impact_estimate est;
	if (!e)
		e = impact_estimate(&sample, min_n, IMPACT_SEED, BOOTSTRAP_REPS, &est);
	if (!e) {
		*out = json_pack("{s:{s:s, s:I, s:s}, s:s, s:o, s:i, s:o, s:o}", "item", "kind",
				 kinds[q->kind], "id", (json_int_t)q->id, "name", name, "metric",
				 c.metric.name, "tag", q->tag ? json_string(q->tag) : json_null(),
				 "window_days", IMPACT_WINDOW_DAYS, "estimate",
				 estimate_json(&est, min_n), "pairs", rows);
		rows = NULL;
		e = *out ? CR_OK : CR_ENOMEM;
	}
	json_decref(rows);
	free(c.b.treated);
	free(c.b.first);
	free(c.b.count);
	free(c.b.control);
	free(c.b.agent);
	for (size_t i = 0; c.agents && i < c.nagents; i++) {
		free(c.agents[i].sum);
		free(c.agents[i].count);
	}
	free(c.agents);
	return e;
}
