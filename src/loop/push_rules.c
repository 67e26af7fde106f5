/* Push rules: their catalogue and the evaluation pass that fires and
 * qualifies pushes. See include/casereel/push_rules.h. */
#include "casereel/push_rules.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#include "casereel/clock.h"
#include "casereel/kpi.h"
#include "casereel/log.h"
#include "casereel/paths.h"
#include "casereel/store.h"
#include "casereel/tags.h"

/* Agents one rule may fire for in one pass; the rest wait for the next. */
#define FIRE_MAX 4096

/* What a rule's fields must be, beyond their types; CR_OK or a refusal. */
static cr_err check_rule(const struct push_rule_fields *f, struct kpi_metric *m, int64_t *tag,
			 struct cr_problem *why)
{
	cr_err e = kpi_metric_by_name(f->metric, m);
	if (e == CR_ENOTFOUND)
		return cr_refuse(why, CR_EINVAL, "invalid-field", "metric", "no such metric");
	if (!e && f->tag && (e = tags_id_by_name(f->tag, tag)) == CR_ENOTFOUND)
		return cr_refuse(why, CR_EINVAL, "invalid-field", "tag", "no such skill tag");
	if (e)
		return e;
	if (m->per_skill != (*tag != 0))
		return cr_refuse(why, CR_EINVAL, "invalid-field", "tag",
				 m->per_skill ? "%s is per skill: name the tag"
					      : "%s is an overall metric: it takes no tag",
				 m->name);
	if (f->window_days < 1 || f->window_days > 90 || f->min_days < 1 ||
	    f->min_days > f->window_days)
		return cr_refuse(why, CR_EINVAL, "invalid-field", "min_days",
				 "need 1 <= min_days <= window_days <= 90");
	if (f->recover_days < 1 || f->recover_days > 90 || f->due_days < 1 || f->due_days > 365)
		return cr_refuse(why, CR_EINVAL, "invalid-field", "due_days",
				 "need 1 <= recover_days <= 90 and 1 <= due_days <= 365");
	if (!store_exists("SELECT 1 FROM paths WHERE id = ?1 AND archived_at IS NULL", f->path_id,
			  0))
		return cr_refuse(why, CR_EINVAL, "invalid-field", "path_id", "no such live path");
	if (f->team_id && !store_exists("SELECT 1 FROM teams WHERE id = ?1", f->team_id, 0))
		return cr_refuse(why, CR_EINVAL, "invalid-field", "team_id", "no such team");
	return CR_OK;
}

cr_err push_rule_create(const struct push_rule_fields *f, int64_t *id, struct cr_problem *why)
{
	struct kpi_metric m;
	int64_t tag = 0;
	cr_err e = check_rule(f, &m, &tag, why);
	if (e)
		return e;
	sqlite3_stmt *st = store_stmt(
		"INSERT INTO push_rules(name, metric_id, tag_id, threshold, window_days, min_days,"
		" path_id, due_days, recover_days, team_id, created_by, created_at)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, nullif(?10, 0), ?11, ?12)");
	if (st) {
		sqlite3_bind_text(st, 1, f->name, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, m.id);
		sqlite3_bind_int64(st, 3, tag);
		sqlite3_bind_double(st, 4, f->threshold);
		sqlite3_bind_int(st, 5, f->window_days);
		sqlite3_bind_int(st, 6, f->min_days);
		sqlite3_bind_int64(st, 7, f->path_id);
		sqlite3_bind_int(st, 8, f->due_days);
		sqlite3_bind_int(st, 9, f->recover_days);
		sqlite3_bind_int64(st, 10, f->team_id);
		sqlite3_bind_int64(st, 11, f->by);
		sqlite3_bind_int64(st, 12, cr_now());
	}
	e = store_run(st, "create push rule");
	if (!e)
		*id = sqlite3_last_insert_rowid(store_db());
	return e;
}

cr_err push_rule_set_active(int64_t id, bool active)
{
	sqlite3_stmt *st = store_stmt("UPDATE push_rules SET active = ?2 WHERE id = ?1");
	if (st) {
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int(st, 2, active);
	}
	cr_err e = store_run(st, "push rule");
	return e ? e : sqlite3_changes(store_db()) ? CR_OK : CR_ENOTFOUND;
}

/* --- evaluation ------------------------------------------------------------ */

struct rule {
	int64_t id, metric_id, tag_id, path_id, team_id;
	double threshold;
	bool lower_is_better;
	bool active; /* off: fires for nobody, but its open pushes still qualify */
	int window_days, min_days, due_days, recover_days;
};

struct firing {
	int64_t user_id;
	int bad_days;
	int32_t last_day;
};

/* The SQL for "on the wrong side of ?thr" given ?lower (1 when lower is better). */
#define WRONG_SIDE "((?6 AND v.value > ?5) OR (NOT ?6 AND v.value < ?5))"

/* Agents the rule fires for today, without an open push of it. */
static cr_err find_firings(const struct rule *r, int32_t today, struct firing *out, size_t *n)
{
	sqlite3_stmt *st = store_stmt(
		"SELECT v.user_id, sum(" WRONG_SIDE "), max(v.day) FROM metric_values v"
		" JOIN users u ON u.id = v.user_id AND u.active = 1 AND u.role = 'agent'"
		" AND (?7 = 0 OR u.team_id = ?7)"
		" WHERE v.metric_id = ?1 AND v.tag_id = ?2 AND v.day > ?3 AND v.day <= ?4"
		" GROUP BY v.user_id HAVING sum(" WRONG_SIDE ") >= ?8"
		" AND NOT EXISTS (SELECT 1 FROM pushes p WHERE p.rule_id = ?9"
		"   AND p.user_id = v.user_id AND p.state = 'open')");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, r->metric_id);
	sqlite3_bind_int64(st, 2, r->tag_id);
	sqlite3_bind_int(st, 3, today - r->window_days);
	sqlite3_bind_int(st, 4, today);
	sqlite3_bind_double(st, 5, r->threshold);
	sqlite3_bind_int(st, 6, r->lower_is_better);
	sqlite3_bind_int64(st, 7, r->team_id);
	sqlite3_bind_int(st, 8, r->min_days);
	sqlite3_bind_int64(st, 9, r->id);
	int rc = SQLITE_DONE;
	*n = 0;
	while (*n < FIRE_MAX && (rc = sqlite3_step(st)) == SQLITE_ROW)
		out[(*n)++] = (struct firing){.user_id = sqlite3_column_int64(st, 0),
					      .bad_days = sqlite3_column_int(st, 1),
					      .last_day = sqlite3_column_int(st, 2)};
	store_done(st);
	return *n == FIRE_MAX || rc == SQLITE_DONE ? CR_OK : store_error(rc, "push rule firings");
}

static cr_err value_on(const struct rule *r, int64_t user_id, int32_t day, double *value)
{
	sqlite3_stmt *st = store_stmt("SELECT value FROM metric_values WHERE user_id = ?1"
				      " AND metric_id = ?2 AND tag_id = ?3 AND day = ?4");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, user_id);
	sqlite3_bind_int64(st, 2, r->metric_id);
	sqlite3_bind_int64(st, 3, r->tag_id);
	sqlite3_bind_int(st, 4, day);
	int rc = sqlite3_step(st);
	*value = rc == SQLITE_ROW ? sqlite3_column_double(st, 0) : 0;
	store_done(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? CR_OK : store_error(rc, "push value");
}

/* Opens a push and its path assignment, inside the caller's transaction. */
static cr_err open_push(const struct rule *r, const struct firing *f)
{
	double value;
	int64_t now = cr_now(), due = now + (int64_t)r->due_days * 86400, push_id, assignment;
	cr_err e = value_on(r, f->user_id, f->last_day, &value);
	sqlite3_stmt *st =
		e ? NULL
		  : store_stmt("INSERT INTO pushes(rule_id, user_id, state, trigger_value,"
			       " trigger_day, bad_days, opened_at, due_at)"
			       " VALUES (?1, ?2, 'open', ?3, ?4, ?5, ?6, ?7)");
	if (st) {
		sqlite3_bind_int64(st, 1, r->id);
		sqlite3_bind_int64(st, 2, f->user_id);
		sqlite3_bind_double(st, 3, value);
		sqlite3_bind_int(st, 4, f->last_day);
		sqlite3_bind_int(st, 5, f->bad_days);
		sqlite3_bind_int64(st, 6, now);
		sqlite3_bind_int64(st, 7, due);
	}
	if (!e)
		e = store_run(st, "open push");
	if (e)
		return e;
	push_id = sqlite3_last_insert_rowid(store_db());
	struct path_assign a = {.path_id = r->path_id,
				.user_id = f->user_id,
				.due_at = due,
				.by_rule = true,
				.push_id = push_id};
	e = paths_assign(&a, &assignment);
	st = e ? NULL : store_stmt("UPDATE pushes SET assignment_id = ?2 WHERE id = ?1");
	if (st) {
		sqlite3_bind_int64(st, 1, push_id);
		sqlite3_bind_int64(st, 2, assignment);
	}
	return e ? e : store_run(st, "push assignment");
}

/* Whether the agent's last recover_days days with data since the push (up
 * to today) all sit on the right side. */
static cr_err recovered(const struct rule *r, int64_t user_id, int32_t since, int32_t today,
			bool *yes)
{
	sqlite3_stmt *st =
		store_stmt("SELECT count(*), coalesce(sum(" WRONG_SIDE
			   "), 0) FROM (SELECT value FROM metric_values"
			   " WHERE user_id = ?1 AND metric_id = ?2 AND tag_id = ?3 AND day > ?4"
			   " ORDER BY day DESC LIMIT ?7) v");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, user_id);
	sqlite3_bind_int64(st, 2, r->metric_id);
	sqlite3_bind_int64(st, 3, r->tag_id);
	sqlite3_bind_int(st, 4, since);
	sqlite3_bind_double(st, 5, r->threshold);
	sqlite3_bind_int(st, 6, r->lower_is_better);
	sqlite3_bind_int(st, 7, r->recover_days);
	sqlite3_bind_int(st, 8, today);
	int rc = sqlite3_step(st);
	*yes = rc == SQLITE_ROW && sqlite3_column_int(st, 0) == r->recover_days &&
	       sqlite3_column_int(st, 1) == 0;
	store_done(st);
	return rc == SQLITE_ROW ? CR_OK : store_error(rc, "push recovery");
}

/* Open pushes one rule qualifies per pass; the rest wait for the next. */
#define OPEN_MAX 256

struct open_push {
	int64_t id, user_id, assignment;
	int32_t since;
};

/* Closes as qualified the open pushes of `r` whose agent recovered; their
 * path leaves the agent's feed. */
static cr_err qualify(const struct rule *r, int32_t today, size_t *qualified)
{
	sqlite3_stmt *st = store_stmt("SELECT id, user_id, trigger_day, coalesce(assignment_id, 0)"
				      " FROM pushes WHERE rule_id = ?1 AND state = 'open'");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, r->id);
	struct open_push open[OPEN_MAX];
	size_t n = 0;
	while (n < OPEN_MAX && sqlite3_step(st) == SQLITE_ROW)
		open[n++] = (struct open_push){.id = sqlite3_column_int64(st, 0),
					       .user_id = sqlite3_column_int64(st, 1),
					       .since = sqlite3_column_int(st, 2),
					       .assignment = sqlite3_column_int64(st, 3)};
	store_done(st);
	cr_err e = CR_OK;
	for (size_t i = 0; !e && i < n; i++) {
		bool yes;
		e = recovered(r, open[i].user_id, open[i].since, today, &yes);
		if (e || !yes)
			continue;
		st = store_stmt(
			"UPDATE pushes SET state = 'qualified', closed_at = ?2 WHERE id = ?1");
		if (st) {
			sqlite3_bind_int64(st, 1, open[i].id);
			sqlite3_bind_int64(st, 2, cr_now());
		}
		e = store_run(st, "qualify push");
		if (!e && open[i].assignment && paths_unassign(open[i].assignment) == CR_EDB)
			e = CR_EDB;
		*qualified += !e;
	}
	return e;
}

static cr_err evaluate_rule(const struct rule *r, int32_t today, struct push_pass *pass)
{
	struct firing *fired = malloc(FIRE_MAX * sizeof *fired);
	size_t n = 0;
	cr_err e = fired ? store_begin() : CR_ENOMEM;
	if (e)
		goto out;
	if (r->active)
		e = find_firings(r, today, fired, &n);
	for (size_t i = 0; !e && i < n; i++)
		e = open_push(r, &fired[i]);
	size_t qualified = 0;
	if (!e)
		e = qualify(r, today, &qualified);
	if (e) {
		store_rollback();
	} else if (!(e = store_commit())) {
		pass->fired += n;
		pass->qualified += qualified;
	}
out:
	free(fired);
	return e;
}

/* The day the daily pass last ran (days since 1970), for this process. */
static _Atomic int32_t daily_done;

cr_err push_rules_daily(int hour, struct push_pass *out, bool *ran)
{
	*out = (struct push_pass){0};
	*ran = false;
	time_t now = (time_t)cr_now();
	struct tm local;
	localtime_r(&now, &local);
	int32_t today = kpi_today(), last = atomic_load(&daily_done);
	if (local.tm_hour < hour || last == today ||
	    !atomic_compare_exchange_strong(&daily_done, &last, today))
		return CR_OK;
	*ran = true;
	return push_rules_evaluate(today, out);
}

cr_err push_rules_evaluate(int32_t today, struct push_pass *out)
{
	*out = (struct push_pass){0};
	sqlite3_stmt *st = store_stmt(
		"SELECT r.id, r.metric_id, r.tag_id, r.path_id, coalesce(r.team_id, 0), "
		"r.threshold,"
		" m.direction = 'lower', r.window_days, r.min_days, r.due_days, r.recover_days,"
		" r.active FROM push_rules r JOIN metrics m ON m.id = r.metric_id"
		" WHERE r.active = 1 OR EXISTS (SELECT 1 FROM pushes p"
		"  WHERE p.rule_id = r.id AND p.state = 'open')"
		" ORDER BY r.active DESC, r.id");
	if (!st)
		return CR_EDB;
	struct rule rules[128];
	size_t n = 0;
	while (n < 128 && sqlite3_step(st) == SQLITE_ROW)
		rules[n++] = (struct rule){.id = sqlite3_column_int64(st, 0),
					   .metric_id = sqlite3_column_int64(st, 1),
					   .tag_id = sqlite3_column_int64(st, 2),
					   .path_id = sqlite3_column_int64(st, 3),
					   .team_id = sqlite3_column_int64(st, 4),
					   .threshold = sqlite3_column_double(st, 5),
					   .lower_is_better = sqlite3_column_int(st, 6),
					   .window_days = sqlite3_column_int(st, 7),
					   .min_days = sqlite3_column_int(st, 8),
					   .due_days = sqlite3_column_int(st, 9),
					   .recover_days = sqlite3_column_int(st, 10),
					   .active = sqlite3_column_int(st, 11)};
	store_done(st);
	cr_err first = CR_OK;
	for (size_t i = 0; i < n; i++) {
		out->rules += rules[i].active;
		cr_err e = evaluate_rule(&rules[i], today, out);
		if (e) {
			log_error("push rule %lld: %s", (long long)rules[i].id, cr_strerror(e));
			first = first ? first : e;
		}
	}
	return first;
}
