/* The agent profile as JSON: explicit, learning and service features, and
 * skill gaps with their evidence. See include/casereel/profile.h. */
#include "casereel/profile.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "casereel/paths.h"
#include "casereel/users.h"
#include "casereel/store.h"
#include "casereel/tags.h"
#include "profile_service.h"

/* A team's bottom fifth: evidence says so when the agent is in it. */
#define BOTTOM_PERCENTILE 20

/* The live paths the agent has not finished: {path_id, name, steps_done,
 * step_count, due_at, overdue}. */
static json_t *paths_in_progress(int64_t user_id, int64_t team_id)
{
	json_t *mine, *out = json_array(), *p;
	if (!out || paths_mine_json(user_id, team_id, false, &mine) != CR_OK)
		return out;
	size_t i;
	json_array_foreach(mine, i, p)
	{
		if (!json_is_null(json_object_get(p, "completed_at")))
			continue;
		json_t *brief = json_object();
		static const char *const keys[] = {"path_id",    "name",   "steps_done",
						   "step_count", "due_at", "overdue"};
		for (size_t k = 0; brief && k < sizeof keys / sizeof keys[0]; k++)
			json_object_set(brief, keys[k], json_object_get(p, keys[k]));
		json_array_append_new(out, brief);
	}
	json_decref(mine);
	return out;
}

static json_t *learning_json(int64_t user_id, int64_t team_id, int32_t today)
{
	json_t *quiz = json_array();
	sqlite3_stmt *st = store_stmt(
		"SELECT t.name, count(*), sum(a.correct) FROM quiz_answers a"
		" JOIN quiz_questions q ON q.id = a.question_id"
		" JOIN video_tags vt ON vt.video_id = q.video_id JOIN tags t ON t.id = vt.tag_id"
		" WHERE a.user_id = ?1 GROUP BY t.name ORDER BY t.name");
	if (!st || !quiz) {
		json_decref(quiz);
		return NULL;
	}
	sqlite3_bind_int64(st, 1, user_id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		int64_t answered = sqlite3_column_int64(st, 1), right = sqlite3_column_int64(st, 2);
		json_array_append_new(quiz, json_pack("{s:s, s:I, s:I, s:f}", "tag",
						      (const char *)sqlite3_column_text(st, 0),
						      "answered", (json_int_t)answered, "correct",
						      (json_int_t)right, "accuracy",
						      round(1000.0 * right / answered) / 1000));
	}
	store_done(st);

	double seconds = 0;
	int64_t started = 0, completed = 0, streak = 0, active_days = 0;
	st = store_stmt("SELECT coalesce(sum(watched), 0), count(*), count(completed_at)"
			" FROM watches WHERE user_id = ?1");
	if (st) {
		sqlite3_bind_int64(st, 1, user_id);
		if (sqlite3_step(st) == SQLITE_ROW) {
			seconds = sqlite3_column_double(st, 0);
			started = sqlite3_column_int64(st, 1);
			completed = sqlite3_column_int64(st, 2);
		}
		store_done(st);
	}
	/* the streak lives while its last check-in is today or yesterday */
	char since[11], yesterday[11];
	kpi_day_format(today - 29, since);
	kpi_day_format(today - 1, yesterday);
	st = store_stmt("SELECT (SELECT streak FROM checkins WHERE user_id = ?1 AND day >= ?3"
			"  ORDER BY day DESC LIMIT 1),"
			" (SELECT count(*) FROM checkins WHERE user_id = ?1 AND day >= ?2)");
	if (st) {
		sqlite3_bind_int64(st, 1, user_id);
		sqlite3_bind_text(st, 2, since, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, yesterday, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW) {
			streak = sqlite3_column_int64(st, 0);
			active_days = sqlite3_column_int64(st, 1);
		}
		store_done(st);
	}
	return json_pack("{s:f, s:I, s:I, s:o, s:I, s:I, s:o*}", "minutes_watched",
			 round(seconds / 6.0) / 10, "clips_started", (json_int_t)started,
			 "completions", (json_int_t)completed, "quiz", quiz, "streak",
			 (json_int_t)streak, "activity_score",
			 (json_int_t)lround(100.0 * (double)active_days / 30), "paths_in_progress",
			 paths_in_progress(user_id, team_id));
}

static json_t *number_or_null(bool have, double v)
{
	return have ? json_real(round(v * 1000) / 1000) : json_null();
}

static json_t *line_json(const struct service_line *l)
{
	char last_day[11];
	kpi_day_format(l->last_day, last_day);
	int percentile = l->team_n > 1 ? (int)lround(100 * (1 - l->team_better)) : -1;
	json_t *j = json_pack(
		"{s:s, s:o, s:f, s:s, s:{s:s, s:f}, s:o, s:o, s:I, s:I, s:f, s:o, s:I}", "metric",
		l->metric.name, "tag", *l->tag ? json_string(l->tag) : json_null(), "target",
		l->metric.target, "direction", l->metric.lower_is_better ? "lower" : "higher",
		"last", "date", last_day, "value", l->last_value, "mean_7d",
		number_or_null(l->n7, l->sum7 / (double)(l->n7 ? l->n7 : 1)), "mean_30d",
		number_or_null(l->n30, l->sum30 / (double)(l->n30 ? l->n30 : 1)), "days_7d",
		(json_int_t)l->n7, "days_30d", (json_int_t)l->n30, "trend_per_week",
		round(l->trend_per_week * 1000) / 1000, "team_percentile",
		percentile < 0 ? json_null() : json_integer(percentile), "score",
		(json_int_t)(l->judged ? l->gap.score : 0));
	if (j && !l->gap_tag_id)
		json_object_set_new(j, "overall", json_true());
	return j;
}

/* What a line says about its skill: below target over how many days, and
 * the team's bottom fifth when it is there. */
static json_t *evidence_json(const struct service_line *l)
{
	int percentile = l->team_n > 1 ? (int)lround(100 * (1 - l->team_better)) : -1;
	const char *code = percentile >= 0 && percentile <= BOTTOM_PERCENTILE
				   ? "below-target-team-bottom"
				   : "below-target";
	return json_pack("{s:s, s:s, s:o, s:f, s:f, s:o, s:I, s:I}", "code", code, "metric",
			 l->metric.name, "tag", *l->tag ? json_string(l->tag) : json_null(),
			 "value", round(1000 * l->sum7 / (double)l->n7) / 1000, "target",
			 l->metric.target, "percentile",
			 percentile < 0 ? json_null() : json_integer(percentile), "days",
			 (json_int_t)l->days_below, "window_days", (json_int_t)GAP_WINDOW_DAYS);
}

static int by_score_desc(const void *a, const void *b)
{
	json_int_t sa = json_integer_value(json_object_get(*(json_t *const *)a, "score"));
	json_int_t sb = json_integer_value(json_object_get(*(json_t *const *)b, "score"));
	return (sb > sa) - (sb < sa);
}

static bool has_string(json_t *array, const char *s)
{
	size_t i;
	json_t *v;
	json_array_foreach(array, i, v)
	{
		if (strcmp(json_string_value(v), s) == 0)
			return true;
	}
	return false;
}

/* One gap per skill: the largest score of its lines, every line as evidence,
 * then the manual weak skills no metric spoke for; each with its tag's
 * labels {en, zh} (null for a tag that is gone). */
static json_t *gaps_json(const struct service_line *lines, size_t n, json_t *manual)
{
	json_t *by_tag = json_object(), *out = json_array();
	for (size_t i = 0; by_tag && i < n; i++) {
		const struct service_line *l = &lines[i];
		if (!l->gap_tag_id || !l->judged || l->gap.score <= 0)
			continue;
		json_t *g = json_object_get(by_tag, l->gap_tag);
		if (!g) {
			g = json_pack("{s:s, s:I, s:s, s:[]}", "tag", l->gap_tag, "score",
				      (json_int_t)0, "source", "computed", "evidence");
			json_object_set_new(by_tag, l->gap_tag, g);
		}
		if (json_integer_value(json_object_get(g, "score")) < l->gap.score)
			json_object_set_new(g, "score", json_integer(l->gap.score));
		json_array_append_new(json_object_get(g, "evidence"), evidence_json(l));
	}
	const char *tag;
	json_t *g;
	json_object_foreach(by_tag, tag, g)
	{
		json_object_set_new(g, "manual", json_boolean(has_string(manual, tag)));
		json_array_append(out, g);
	}
	size_t i;
	json_t *name;
	json_array_foreach(manual, i, name)
	{
		if (!json_object_get(by_tag, json_string_value(name)))
			json_array_append_new(out, json_pack("{s:O, s:n, s:s, s:[], s:b}", "tag",
							     name, "score", "source", "manual",
							     "evidence", "manual", 1));
	}
	json_decref(by_tag);
	/* each skill's names, so the client says it in either language */
	json_array_foreach(out, i, g)
	{
		json_t *labels;
		if (tags_labels_json(json_string_value(json_object_get(g, "tag")), &labels))
			labels = json_null();
		json_object_set_new(g, "tag_labels", labels);
	}
	/* computed gaps largest first; the manual ones, scoreless, after them */
	if (out && json_array_size(out) > 1) {
		size_t count = json_array_size(out);
		json_t **items = malloc(count * sizeof *items);
		for (size_t k = 0; items && k < count; k++)
			items[k] = json_incref(json_array_get(out, k));
		if (items) {
			qsort(items, count, sizeof *items, by_score_desc);
			json_array_clear(out);
			for (size_t k = 0; k < count; k++)
				json_array_append_new(out, items[k]);
			free(items);
		}
	}
	return out;
}

/* The agent's team id, from the user JSON ("team": {"id", ...} or null). */
static int64_t team_of(json_t *user)
{
	return json_integer_value(json_object_get(json_object_get(user, "team"), "id"));
}

cr_err profile_json(int64_t user_id, json_t **out)
{
	*out = NULL;
	json_t *user;
	cr_err e = users_get_json(user_id, &user);
	if (e)
		return e;
	int32_t today = kpi_today(), hired;
	const char *hire = json_string_value(json_object_get(user, "hire_date"));
	json_object_set_new(user, "tenure_days",
			    hire && kpi_day_parse(hire, &hired) ? json_integer(today - hired)
								: json_null());
	struct service_line *lines = malloc(SERVICE_MAX_LINES * sizeof *lines);
	size_t n = 0;
	bool began = store_read_begin();
	e = lines ? service_collect(user_id, team_of(user), today, lines, &n) : CR_ENOMEM;
	json_t *learning = e ? NULL : learning_json(user_id, team_of(user), today);
	store_read_end(began);
	json_t *service = json_array();
	for (size_t i = 0; !e && service && i < n; i++)
		json_array_append_new(service, line_json(&lines[i]));
	json_t *gaps = e ? NULL : gaps_json(lines, n, json_object_get(user, "weak_skills"));
	free(lines);
	if (!e && !(*out = json_pack("{s:O, s:o*, s:o*, s:o*}", "user", user, "learning", learning,
				     "service", service, "gaps", gaps)))
		e = CR_ENOMEM;
	if (e) {
		json_decref(learning);
		json_decref(service);
		json_decref(gaps);
	}
	json_decref(user);
	return e;
}

cr_err profile_gaps(int64_t user_id, struct profile_gap *gaps, size_t max, size_t *n)
{
	*n = 0;
	sqlite3_stmt *st = store_stmt("SELECT coalesce(team_id, 0) FROM users WHERE id = ?1");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, user_id);
	int rc = sqlite3_step(st);
	int64_t team_id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	store_done(st);
	if (rc != SQLITE_ROW)
		return rc == SQLITE_DONE ? CR_ENOTFOUND : store_error(rc, "profile gaps");
	struct service_line *lines = malloc(SERVICE_MAX_LINES * sizeof *lines);
	if (!lines)
		return CR_ENOMEM;
	size_t nlines = 0;
	cr_err e = service_collect(user_id, team_id, kpi_today(), lines, &nlines);
	for (size_t i = 0; !e && i < nlines; i++) {
		const struct service_line *l = &lines[i];
		if (!l->gap_tag_id || !l->judged || l->gap.score <= 0)
			continue;
		size_t k = 0;
		while (k < *n && gaps[k].tag_id != l->gap_tag_id)
			k++;
		if (k == *n) {
			if (*n == max)
				continue;
			gaps[(*n)++] = (struct profile_gap){.tag_id = l->gap_tag_id};
		}
		if (gaps[k].score < l->gap.score)
			gaps[k].score = l->gap.score;
	}
	free(lines);
	for (size_t i = 1; i < *n; i++) /* largest first; a handful of skills */
		for (size_t k = i; k > 0 && gaps[k].score > gaps[k - 1].score; k--) {
			struct profile_gap t = gaps[k];
			gaps[k] = gaps[k - 1];
			gaps[k - 1] = t;
		}
	return e;
}
