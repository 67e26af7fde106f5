/* The learning loop's demo, made at first start after the demo clips:
 * synthetic agents in four teams with 60 days of service metrics, three
 * paths built from the demo clips that some agents finished weeks ago, a
 * planted effect (finishing "Refunds mastery" lifts refunds QA by 8
 * points; the other paths change nothing), a push rule that has fired, and
 * agent1 in a refunds slump with the path in their feed. Seeded, so every
 * first start makes the same world. See include/casereel/seed_loop.h. */
#include "casereel/seed_loop.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casereel/clock.h"
#include "casereel/kpi.h"
#include "casereel/log.h"
#include "casereel/paths.h"
#include "casereel/push_rules.h"
#include "casereel/store.h"
#include "casereel/teams.h"
#include "casereel/users.h"
#include "casereel/watch.h"

#define DAYS         60
#define EFFECT       8.0 /* refunds QA points gained by finishing "Refunds mastery" */
#define PATH_COUNT   3
#define FINISH_SHARE 0.35

static const char *const teams[] = {"Billing", "Technical Support", "Retention", "Night Shift"};
static const char *const skills[] = {"refunds", "billing", "de-escalation"};
/* What each path is about; its clips come from the demo clips with that tag. */
static const struct {
	const char *name, *tag;
} path_specs[PATH_COUNT] = {
	{"Refunds mastery", "refunds"},
	{"Billing basics", "billing"},
	{"Calm calls", "de-escalation"},
};

struct agent {
	int64_t id;
	double qa[3], csat, aht, fcr;
	int32_t finished[PATH_COUNT]; /* day the path was finished; 0 = not */
	bool slump;                   /* a refunds slump in the last ten days */
};

struct world {
	uint64_t rng;
	int32_t today;
	struct agent *agents;
	size_t n;
	int64_t path_ids[PATH_COUNT], refresher_id, trainer_id;
	struct {
		int64_t ids[4];
		double durations[4];
		size_t n;
	} steps[PATH_COUNT];
};

static double uniform(struct world *w)
{
	w->rng ^= w->rng << 13;
	w->rng ^= w->rng >> 7;
	w->rng ^= w->rng << 17;
	return ((double)(w->rng >> 11) + 0.5) / 9007199254740992.0;
}

static double normal(struct world *w, double mean, double sd)
{
	return mean + sd * sqrt(-2 * log(uniform(w))) * cos(2 * M_PI * uniform(w));
}

static double clamp(double v, double lo, double hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

static int64_t user_id_of(const char *username)
{
	int64_t id = 0;
	store_id_by_text("SELECT id FROM users WHERE username = ?1", username, "demo user", &id);
	return id;
}

/* The demo's own agents, then `extra` synthetic ones who cannot log in. */
static cr_err make_agents(struct world *w, int extra)
{
	static const char *const demo[] = {"agent1", "agent2", "agent3", "agent4",
					   "agent5", "agent6", "agent7", "agent8"};
	for (size_t i = 0; i < 8; i++)
		if ((w->agents[w->n].id = user_id_of(demo[i])))
			w->agents[w->n++].slump = i == 0;
	cr_err e = store_begin();
	for (int k = 0; !e && k < extra; k++) {
		char username[32], name[32], hired[11];
		int64_t team;
		snprintf(username, sizeof username, "demo%03d", k + 1);
		snprintf(name, sizeof name, "Demo Agent %03d", k + 1);
		kpi_day_format(w->today - 60 - (int32_t)(uniform(w) * 5 * 365), hired);
		e = teams_id_by_name(teams[k % 4], true, &team);
		struct user_fields f = {.username = username,
					.display_name = name,
					.role = "agent",
					.position = "Agent",
					.password_hash = "!synthetic agent: no login",
					.hire_date = hired,
					.has_hire_date = true,
					.team_id = team,
					.has_team = true,
					.active = true,
					.has_active = true};
		if (!e)
			e = users_create(&f, &w->agents[w->n].id, NULL);
		if (!e)
			w->n++;
	}
	if (e) {
		store_rollback();
		return e;
	}
	return store_commit();
}

static bool used_by_a_path(const struct world *w, int64_t id)
{
	for (size_t p = 0; p < PATH_COUNT; p++)
		for (size_t k = 0; k < w->steps[p].n; k++)
			if (w->steps[p].ids[k] == id)
				return true;
	return false;
}

/* The first published demo clips tagged `tag` (any tag when NULL) that no
 * path uses yet, up to `max`, into ids[] and durations[]. */
static size_t pick_clips(const struct world *w, const char *tag, int64_t *ids, double *durations,
			 size_t max)
{
	sqlite3_stmt *st = store_stmt(
		"SELECT DISTINCT v.id, v.duration FROM videos v"
		" LEFT JOIN video_tags vt ON vt.video_id = v.id LEFT JOIN tags t ON t.id = "
		"vt.tag_id"
		" WHERE (?1 IS NULL OR t.name = ?1) AND v.status = 'published' AND v.duration > 0"
		" ORDER BY v.id");
	size_t n = 0;
	if (!st)
		return 0;
	sqlite3_bind_text(st, 1, tag, -1, SQLITE_STATIC);
	while (n < max && sqlite3_step(st) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);
		if (!used_by_a_path(w, id)) {
			durations[n] = sqlite3_column_double(st, 1);
			ids[n++] = id;
		}
	}
	store_done(st);
	return n;
}

/* Three paths of up to two clips on their skill, and a one-clip "Refunds
 * refresher" (on a clip none of them uses) for the push rule. */
static cr_err make_paths(struct world *w)
{
	for (size_t p = 0; p < PATH_COUNT; p++) {
		w->steps[p].n =
			pick_clips(w, path_specs[p].tag, w->steps[p].ids, w->steps[p].durations, 2);
		if (!w->steps[p].n)
			continue;
		struct path_step_in steps[4];
		for (size_t k = 0; k < w->steps[p].n; k++)
			steps[k] = (struct path_step_in){w->steps[p].ids[k], false};
		cr_err e = paths_create(path_specs[p].name, "", steps, w->steps[p].n, w->trainer_id,
					&w->path_ids[p], NULL);
		if (e)
			return e;
	}
	int64_t clip;
	double duration;
	if (!pick_clips(w, "refunds", &clip, &duration, 1) &&
	    !pick_clips(w, NULL, &clip, &duration, 1))
		return CR_OK;
	struct path_step_in refresher = {clip, false};
	return paths_create("Refunds refresher", "", &refresher, 1, w->trainer_id, &w->refresher_id,
			    NULL);
}

/* The paths' clips have been out for 50 days in this story (the demo clips
 * are published over the last few), so weeks-old completions fit. */
static cr_err backdate_path_clips(struct world *w)
{
	cr_err e = CR_OK;
	for (size_t p = 0; !e && p < PATH_COUNT; p++)
		for (size_t k = 0; !e && k < w->steps[p].n; k++) {
			sqlite3_stmt *st = store_stmt("UPDATE videos SET published_at ="
						      " min(published_at, ?2) WHERE id = ?1");
			if (st) {
				sqlite3_bind_int64(st, 1, w->steps[p].ids[k]);
				sqlite3_bind_int64(st, 2, ((int64_t)w->today - 50) * 86400);
			}
			e = store_run(st, "demo loop clip");
		}
	return e;
}

/* Who finished which path, and when: a share of the synthetic agents, 20
 * to 40 days ago, each clip of the path watched to its end that day. */
static cr_err finish_paths(struct world *w)
{
	cr_err e = backdate_path_clips(w);
	for (size_t i = 8; !e && i < w->n; i++)
		for (size_t p = 0; !e && p < PATH_COUNT; p++) {
			if (!w->path_ids[p] || uniform(w) >= FINISH_SHARE)
				continue;
			int32_t day = w->today - 20 - (int32_t)(uniform(w) * 20);
			w->agents[i].finished[p] = day;
			for (size_t k = 0; !e && k < w->steps[p].n; k++) {
				int64_t at =
					((int64_t)day * 86400 + 36000 + (int64_t)k * 600) * 1000;
				double dur = w->steps[p].durations[k];
				json_t *state = NULL;
				e = watch_apply(w->steps[p].ids[k], w->agents[i].id, WATCH_START, 0,
						at, &state, NULL);
				json_decref(state);
				state = NULL;
				if (!e)
					e = watch_apply(
						w->steps[p].ids[k], w->agents[i].id, WATCH_END, dur,
						at + (int64_t)(dur * 1000) + 250, &state, NULL);
				json_decref(state);
			}
		}
	return e;
}

static cr_err add_row(struct kpi_import *imp, size_t *row, const char *username, int32_t day,
		      const char *metric, const char *tag, double value)
{
	char date[11];
	kpi_day_format(day, date);
	struct kpi_row r = {.row = ++*row,
			    .date = date,
			    .username = username,
			    .metric = metric,
			    .tag = tag,
			    .number = value,
			    .has_number = true};
	return kpi_import_row(imp, &r);
}

/* One agent's 60 days: levels with daily noise, the planted effect after
 * "Refunds mastery", agent1's recent slump. */
static cr_err agent_days(struct world *w, struct kpi_import *imp, size_t *row,
			 const struct agent *a)
{
	char username[64];
	sqlite3_stmt *st = store_stmt("SELECT username FROM users WHERE id = ?1");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, a->id);
	snprintf(username, sizeof username, "%s",
		 sqlite3_step(st) == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : "");
	store_done(st);
	cr_err e = CR_OK;
	for (int32_t d = w->today - DAYS; !e && d < w->today; d++) {
		for (size_t t = 0; !e && t < 3; t++) {
			double v = a->qa[t] + normal(w, 0, 5);
			if (t == 0 && a->finished[0] && d > a->finished[0])
				v += EFFECT;
			if (t == 0 && a->slump && d >= w->today - 10)
				v = 60 + normal(w, 0, 3);
			e = add_row(imp, row, username, d, "qa_score", skills[t], clamp(v, 0, 100));
		}
		if (!e)
			e = add_row(imp, row, username, d, "csat", NULL,
				    clamp(a->csat + normal(w, 0, 0.3), 1, 5));
		if (!e)
			e = add_row(imp, row, username, d, "aht_seconds", NULL,
				    clamp(round(a->aht + normal(w, 0, 40)), 60, 3600));
		if (!e)
			e = add_row(imp, row, username, d, "fcr_rate", NULL,
				    clamp(a->fcr + normal(w, 0, 0.05), 0, 1));
		if (!e)
			e = add_row(imp, row, username, d, "compliance_misses", NULL,
				    fmax(0, round(normal(w, 0.2, 0.6))));
	}
	return e;
}

static cr_err import_metrics(struct world *w, int64_t admin)
{
	struct kpi_source src = {.user_id = admin, .format = "json", .sha256 = "demo"};
	struct kpi_import *imp;
	cr_err e = kpi_import_begin(&src, &imp);
	if (e)
		return e;
	size_t row = 0;
	for (size_t i = 0; !e && i < w->n; i++) {
		struct agent *a = &w->agents[i];
		for (size_t t = 0; t < 3; t++)
			a->qa[t] = normal(w, 76, 6);
		a->csat = normal(w, 4.3, 0.25);
		a->aht = normal(w, 380, 50);
		a->fcr = normal(w, 0.74, 0.06);
		e = agent_days(w, imp, &row, a);
	}
	json_t *out = NULL;
	cr_err end = kpi_import_finish(&imp, e != CR_OK, &out);
	json_decref(out);
	return e ? e : end;
}

/* The rule that catches a refunds slump, evaluated once; agent1 also has
 * "Refunds mastery" assigned by the trainer, due in a week. */
static cr_err make_rule(struct world *w)
{
	if (!w->refresher_id)
		return CR_OK;
	struct push_rule_fields f = {.name = "Refunds QA under 70",
				     .metric = "qa_score",
				     .tag = "refunds",
				     .threshold = 70,
				     .window_days = 7,
				     .min_days = 5,
				     .path_id = w->refresher_id,
				     .due_days = 7,
				     .recover_days = 3,
				     .by = w->trainer_id};
	int64_t rule;
	struct push_pass pass;
	int64_t assignment;
	struct path_assign a = {.path_id = w->path_ids[0],
				.user_id = w->agents[0].id,
				.due_at = cr_now() + 7 * 86400,
				.by = w->trainer_id};
	cr_err e = push_rule_create(&f, &rule, NULL);
	if (!e)
		e = push_rules_evaluate(w->today, &pass);
	if (!e && w->agents[0].slump)
		e = paths_assign(&a, &assignment);
	if (!e)
		log_info("demo loop: rule fired for %zu agents", pass.fired);
	return e;
}

cr_err seed_loop_load(int agents)
{
	if (agents <= 0 || store_exists("SELECT 1 FROM metric_values LIMIT 1", 0, 0) ||
	    !store_exists("SELECT 1 FROM metrics WHERE name = 'qa_score'", 0, 0))
		return CR_OK;
	struct world w = {
		.rng = 0x5EEDC0FFEEULL, .today = kpi_today(), .trainer_id = user_id_of("trainer1")};
	int64_t admin = user_id_of("admin");
	w.agents = calloc((size_t)agents + 8, sizeof *w.agents);
	if (!w.agents)
		return CR_ENOMEM;
	cr_err e = make_agents(&w, agents);
	if (!e && w.trainer_id)
		e = make_paths(&w);
	if (!e)
		e = finish_paths(&w);
	if (!e)
		e = import_metrics(&w, admin);
	if (!e)
		e = make_rule(&w);
	if (e)
		log_error("demo loop: %s", cr_strerror(e));
	else
		log_info("demo loop: %zu agents with %d days of service metrics", w.n, DAYS);
	free(w.agents);
	return e;
}
