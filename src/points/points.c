/* Earning and spending points. See include/casereel/points.h. */
#include "casereel/points.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casereel/catalog.h"
#include "casereel/clock.h"
#include "casereel/inbox.h"
#include "casereel/ledger.h"
#include "casereel/store.h"
#include "casereel/text.h"
#include "casereel/videos.h"

void points_day(time_t t, char out[POINTS_DAY_LEN])
{
	struct tm tm;
	localtime_r(&t, &tm);
	strftime(out, POINTS_DAY_LEN, "%Y-%m-%d", &tm);
}

void points_prev_day(const char *day, char out[POINTS_DAY_LEN])
{
	/* Noon of the day before, so a DST change never lands on midnight. */
	long y = strtol(day, NULL, 10), m = strtol(day + 5, NULL, 10),
	     d = strtol(day + 8, NULL, 10);
	struct tm tm = {.tm_year = (int)y - 1900,
			.tm_mon = (int)m - 1,
			.tm_mday = (int)d - 1,
			.tm_hour = 12,
			.tm_isdst = -1};
	time_t t = mktime(&tm);
	points_day(t, out);
}

int points_next_streak(const char *last_day, int last_streak, const char *today)
{
	if (!last_day || !*last_day || last_streak < 1)
		return 1;
	char yesterday[POINTS_DAY_LEN];
	points_prev_day(today, yesterday);
	return strcmp(last_day, yesterday) == 0 ? last_streak + 1 : 1;
}

int64_t points_streak_bonus(const json_t *table, int streak)
{
	size_t n = json_array_size(table);
	if (n == 0 || streak < 1)
		return 0;
	size_t i = (size_t)streak - 1 < n ? (size_t)streak - 1 : n - 1;
	return json_integer_value(json_array_get(table, i));
}

/* --- rules ------------------------------------------------------------ */

struct rules {
	json_t *checkin_bonus;
	int64_t learn_points, approve_points, free_tip_points, tip_pair_cap;
};

static cr_err rules_load(struct rules *r)
{
	sqlite3_stmt *st =
		store_stmt("SELECT checkin_bonus, learn_points, approve_points,"
			   " free_tip_points, tip_pair_cap FROM points_rules WHERE id = 1");
	if (!st)
		return CR_EDB;
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		r->checkin_bonus = json_loads((const char *)sqlite3_column_text(st, 0), 0, NULL);
		r->learn_points = sqlite3_column_int64(st, 1);
		r->approve_points = sqlite3_column_int64(st, 2);
		r->free_tip_points = sqlite3_column_int64(st, 3);
		r->tip_pair_cap = sqlite3_column_int64(st, 4);
	}
	store_done(st);
	if (rc != SQLITE_ROW)
		return store_error(rc == SQLITE_DONE ? SQLITE_CORRUPT : rc, "points rules");
	if (!json_is_array(r->checkin_bonus)) {
		json_decref(r->checkin_bonus);
		r->checkin_bonus = json_array();
	}
	return r->checkin_bonus ? CR_OK : CR_ENOMEM;
}

cr_err points_rules_json(json_t **out)
{
	struct rules r = {0};
	cr_err e = rules_load(&r);
	if (e)
		return e;
	*out = json_pack("{s:o, s:I, s:I, s:I, s:I}", "checkin_bonus", r.checkin_bonus,
			 "learn_points", (json_int_t)r.learn_points, "approve_points",
			 (json_int_t)r.approve_points, "free_tip_points",
			 (json_int_t)r.free_tip_points, "tip_pair_cap", (json_int_t)r.tip_pair_cap);
	return *out ? CR_OK : CR_ENOMEM;
}

cr_err points_rules_update(const json_t *patch)
{
	char *bonus = NULL;
	json_t *b = json_object_get(patch, "checkin_bonus");
	if (b && !(bonus = json_dumps(b, JSON_COMPACT)))
		return CR_ENOMEM;
	sqlite3_stmt *st = store_stmt(
		"UPDATE points_rules SET checkin_bonus = COALESCE(?1, checkin_bonus),"
		" learn_points = COALESCE(?2, learn_points), approve_points = COALESCE(?3, "
		"approve_points),"
		" free_tip_points = COALESCE(?4, free_tip_points),"
		" tip_pair_cap = COALESCE(?5, tip_pair_cap), updated_at = ?6 WHERE id = 1");
	if (st) {
		static const char *const cols[] = {"learn_points", "approve_points",
						   "free_tip_points", "tip_pair_cap"};
		if (bonus)
			sqlite3_bind_text(st, 1, bonus, -1, SQLITE_TRANSIENT);
		for (int i = 0; i < 4; i++) {
			json_t *v = json_object_get(patch, cols[i]);
			if (json_is_integer(v))
				sqlite3_bind_int64(st, i + 2, json_integer_value(v));
		}
		sqlite3_bind_int64(st, 6, cr_now());
	}
	free(bonus);
	return store_run(st, "update points rules");
}

/* --- check-in --------------------------------------------------------- */

static cr_err last_checkin(int64_t user_id, char day[POINTS_DAY_LEN], int *streak)
{
	day[0] = '\0';
	*streak = 0;
	sqlite3_stmt *st = store_stmt("SELECT day, streak FROM checkins WHERE user_id = ?1"
				      " ORDER BY day DESC LIMIT 1");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, user_id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		snprintf(day, POINTS_DAY_LEN, "%s", (const char *)sqlite3_column_text(st, 0));
		*streak = sqlite3_column_int(st, 1);
	}
	store_done(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? CR_OK : store_error(rc, "last check-in");
}

cr_err points_checkin(int64_t user_id, time_t now, json_t **out, struct cr_problem *why)
{
	char today[POINTS_DAY_LEN], last[POINTS_DAY_LEN], ref[64], reason[64];
	int last_streak;
	points_day(now, today);
	cr_err e = last_checkin(user_id, last, &last_streak);
	if (e)
		return e;
	if (!strcmp(last, today))
		return cr_refuse(why, CR_ECONFLICT, "already-checked-in", NULL,
				 "you checked in today already; come back tomorrow");
	int streak = points_next_streak(last, last_streak, today);
	struct rules r = {0};
	if ((e = rules_load(&r)))
		return e;
	int64_t bonus = points_streak_bonus(r.checkin_bonus, streak);
	json_decref(r.checkin_bonus);
	sqlite3_stmt *st =
		store_stmt("INSERT INTO checkins(user_id, day, streak, points, created_at)"
			   " VALUES (?1, ?2, ?3, ?4, ?5)");
	if (st) {
		sqlite3_bind_int64(st, 1, user_id);
		sqlite3_bind_text(st, 2, today, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 3, streak);
		sqlite3_bind_int64(st, 4, bonus);
		sqlite3_bind_int64(st, 5, (int64_t)now);
	}
	if ((e = store_run(st, "check in")))
		return e;
	snprintf(ref, sizeof ref, LEDGER_CHECKIN_REF, (long long)user_id, today);
	snprintf(reason, sizeof reason, "Daily check-in, day %d of the streak", streak);
	struct ledger_transfer t = {.from = LEDGER_COMPANY,
				    .amount = bonus,
				    .kind = "checkin",
				    .reason = reason,
				    .ref = ref,
				    .actor_id = user_id};
	int64_t balance = 0;
	e = ledger_user_account(user_id, &t.to);
	if (!e && bonus > 0)
		e = ledger_transfer(&t, NULL);
	if (!e)
		e = ledger_balance(t.to, &balance);
	if (e)
		return e;
	*out = json_pack("{s:s, s:i, s:I, s:I}", "day", today, "streak", streak, "points",
			 (json_int_t)bonus, "balance", (json_int_t)balance);
	return *out ? CR_OK : CR_ENOMEM;
}

/* Today and yesterday as seen at `now`. Every /me asks, and mktime and
 * the zone rules cost more than the rest of the streak, so each thread
 * keeps the answer for the last second it was asked about. */
static void today_and_yesterday(time_t now, char day[POINTS_DAY_LEN],
				char yesterday[POINTS_DAY_LEN])
{
	static _Thread_local struct {
		time_t at;
		char day[POINTS_DAY_LEN], yesterday[POINTS_DAY_LEN];
	} last;
	if (!last.day[0] || last.at != now) {
		points_day(now, last.day);
		points_prev_day(last.day, last.yesterday);
		last.at = now;
	}
	memcpy(day, last.day, POINTS_DAY_LEN);
	memcpy(yesterday, last.yesterday, POINTS_DAY_LEN);
}

cr_err points_streak(int64_t user_id, time_t now, int *streak, bool *today)
{
	char day[POINTS_DAY_LEN], last[POINTS_DAY_LEN], yesterday[POINTS_DAY_LEN];
	int s;
	cr_err e = last_checkin(user_id, last, &s);
	if (e)
		return e;
	today_and_yesterday(now, day, yesterday);
	*today = !strcmp(last, day);
	*streak = *today || !strcmp(last, yesterday) ? s : 0;
	return CR_OK;
}

/* --- learning and creator rewards ------------------------------------- */

static cr_err video_owner(int64_t video_id, int64_t *owner, char *title, size_t title_len)
{
	sqlite3_stmt *st = store_stmt("SELECT owner_id, title FROM videos WHERE id = ?1");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, video_id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*owner = sqlite3_column_int64(st, 0);
		snprintf(title, title_len, "%s", (const char *)sqlite3_column_text(st, 1));
		utf8_trim(title); /* a long title is cut, never inside a character */
	}
	store_done(st);
	return rc == SQLITE_ROW    ? CR_OK
	       : rc == SQLITE_DONE ? CR_ENOTFOUND
				   : store_error(rc, "video owner");
}

struct milestone {
	int64_t count, points;
};

/* A clip counter whose milestones pay its creator. They count other people
 * only, or a creator could farm them on their own clip. */
struct milestone_counter {
	const char *name;       /* in refs and reasons: "likes" or "completions" */
	const char *others_sql; /* ?1 = clip id: people other than its creator */
	const struct milestone *steps;
	size_t n_steps;
};

static const struct milestone completion_steps[] = POINTS_COMPLETION_MILESTONES;
static const struct milestone like_steps[] = POINTS_LIKE_MILESTONES;

/* A clip's completions never count its creator (see watch.h); its likes
 * do (the creator's like shows like anyone's), so that one is taken off. */
static const struct milestone_counter completions_counter = {
	"completions", "SELECT completions FROM videos WHERE id = ?1", completion_steps,
	sizeof completion_steps / sizeof completion_steps[0]};
static const struct milestone_counter likes_counter = {
	"likes",
	"SELECT v.likes - EXISTS (SELECT 1 FROM likes l WHERE l.video_id = v.id"
	" AND l.user_id = v.owner_id) FROM videos v WHERE v.id = ?1",
	like_steps, sizeof like_steps / sizeof like_steps[0]};

/* Pays the creator each milestone of counter `c` the clip has reached, once.
 * Every milestone reached is tried (the ledger's ref keeps it once-only),
 * so two events racing past one never skip it. */
static cr_err reward_milestones(int64_t video_id, int64_t owner, const char *title,
				const struct milestone_counter *c)
{
	sqlite3_stmt *st = store_stmt(c->others_sql);
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, video_id);
	int rc = sqlite3_step(st);
	int64_t done = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	store_done(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_error(rc, c->name);
	cr_err e = CR_OK;
	for (size_t i = 0; !e && i < c->n_steps && done >= c->steps[i].count; i++) {
		char ref[64], reason[160];
		snprintf(ref, sizeof ref, LEDGER_MILESTONE_REF, (long long)video_id, c->name,
			 (long long)c->steps[i].count);
		snprintf(reason, sizeof reason, "\"%s\" reached %lld %s", title,
			 (long long)c->steps[i].count, c->name);
		e = ledger_reward(owner, c->steps[i].points, "milestone", reason, ref, video_id,
				  NULL);
	}
	return e;
}

cr_err points_reward_likes(int64_t video_id)
{
	int64_t owner = 0;
	char title[96];
	cr_err e = video_owner(video_id, &owner, title, sizeof title);
	return e ? e : reward_milestones(video_id, owner, title, &likes_counter);
}

cr_err points_reward_completion(int64_t video_id, int64_t viewer_id, int64_t *earned)
{
	int64_t owner = 0;
	bool paid = false;
	*earned = 0;
	char title[96], ref[64], reason[160];
	struct rules r = {0};
	cr_err e = video_owner(video_id, &owner, title, sizeof title);
	if (!e)
		e = rules_load(&r);
	json_decref(r.checkin_bonus);
	if (e || owner == viewer_id)
		return e;
	snprintf(ref, sizeof ref, "learn:%lld:%lld", (long long)video_id, (long long)viewer_id);
	snprintf(reason, sizeof reason, "Watched \"%s\"", title);
	e = ledger_reward(viewer_id, r.learn_points, "learn", reason, ref, video_id, &paid);
	if (!e && paid)
		*earned = r.learn_points;
	if (!e)
		e = reward_milestones(video_id, owner, title, &completions_counter);
	return e;
}

cr_err points_reward_approval(int64_t video_id)
{
	int64_t owner = 0;
	char title[96], ref[64], reason[160];
	struct rules r = {0};
	cr_err e = video_owner(video_id, &owner, title, sizeof title);
	if (!e)
		e = rules_load(&r);
	json_decref(r.checkin_bonus);
	if (e || r.approve_points <= 0)
		return e;
	snprintf(ref, sizeof ref, "approved:%lld", (long long)video_id);
	snprintf(reason, sizeof reason, "Clip \"%s\" approved", title);
	/* approved before: paid once */
	return ledger_reward_in_tx(owner, r.approve_points, "approved", reason, ref, video_id,
				   NULL);
}

/* --- gifts and tips ---------------------------------------------------- */

static json_t *gift_json(sqlite3_stmt *st)
{
	return json_pack(
		"{s:s, s:s, s:o*, s:I, s:b}", "name", (const char *)sqlite3_column_text(st, 0),
		"label", (const char *)sqlite3_column_text(st, 1), "labels",
		store_labels_json(st, 1, 4), "points", (json_int_t)sqlite3_column_int64(st, 2),
		"active", sqlite3_column_int(st, 3));
}

cr_err points_gifts_json(bool active_only, json_t **out)
{
	sqlite3_stmt *st = store_stmt("SELECT name, label, points, active, label_zh FROM gifts"
				      " WHERE active OR NOT ?1 ORDER BY points, name");
	if (st)
		sqlite3_bind_int(st, 1, active_only);
	return store_rows_json(st, gift_json, "gifts", out);
}

/* Creates or updates one gift; CR_ENOTFOUND for a new one without label.
 * (The name stands in for a missing label only so that NOT NULL holds
 * until the upsert keeps the old label.) */
static cr_err gift_put(const struct points_gift *g)
{
	sqlite3_stmt *st = store_stmt(
		"INSERT INTO gifts(name, label, points, active, label_zh)"
		" SELECT ?1, COALESCE(?2, ?1), ?3, ?4, CASE WHEN ?5 THEN NULL ELSE ?6 END"
		"  WHERE ?2 IS NOT NULL OR EXISTS (SELECT 1 FROM gifts WHERE name = ?1)"
		" ON CONFLICT (name) DO UPDATE SET label = COALESCE(?2, label), points = ?3,"
		" active = ?4, label_zh = CASE WHEN ?5 THEN NULL ELSE COALESCE(?6, label_zh) END");
	if (!st)
		return CR_EDB;
	sqlite3_bind_text(st, 1, g->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, g->labels.en, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, g->points);
	sqlite3_bind_int(st, 4, g->active);
	sqlite3_bind_int(st, 5, g->labels.clear_zh);
	sqlite3_bind_text(st, 6, g->labels.zh, -1, SQLITE_STATIC);
	cr_err e = store_run(st, "put gift");
	return !e && sqlite3_changes(store_db()) == 0 ? CR_ENOTFOUND : e;
}

cr_err points_gifts_put_in_tx(const struct points_gift *gifts, size_t n, struct cr_problem *why)
{
	cr_err e = CR_OK;
	for (size_t i = 0; !e && i < n; i++)
		if ((e = gift_put(&gifts[i])) == CR_ENOTFOUND)
			e = cr_refuse(why, CR_EINVAL, "invalid-field", "gifts",
				      "gift %zu ('%s') is new and needs a label", i, gifts[i].name);
	return e;
}

cr_err points_gifts_put(const struct points_gift *gifts, size_t n, struct cr_problem *why)
{
	cr_err e = store_begin();
	return e ? e : store_end(points_gifts_put_in_tx(gifts, n, why));
}

/* One aggregate over today's tips of a viewer, optionally to one creator. */
static cr_err tip_sum(const char *sql, int64_t from, const char *day, int64_t to, int64_t *sum)
{
	sqlite3_stmt *st = store_stmt(sql);
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, from);
	sqlite3_bind_text(st, 2, day, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, to);
	int rc = sqlite3_step(st);
	*sum = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	store_done(st);
	return rc == SQLITE_ROW ? CR_OK : store_error(rc, "tip totals");
}

#define FREE_USED_SQL                                                                              \
	"SELECT COALESCE(SUM(free_amount), 0) FROM tip_daily WHERE from_user = ?1 AND day = ?2"    \
	" AND ?3 = 0"
#define PAIR_SUM_SQL                                                                               \
	"SELECT COALESCE(SUM(amount), 0) FROM tip_daily WHERE from_user = ?1 AND day = ?2 AND "    \
	"to_user = ?3"

static cr_err gift_points(const char *gift, int64_t *points)
{
	sqlite3_stmt *st = store_stmt("SELECT points FROM gifts WHERE name = ?1 AND active");
	if (!st)
		return CR_EDB;
	sqlite3_bind_text(st, 1, gift, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	*points = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	store_done(st);
	return rc == SQLITE_ROW    ? CR_OK
	       : rc == SQLITE_DONE ? CR_ENOTFOUND
				   : store_error(rc, "gift");
}

static cr_err published_owner(int64_t video_id, int64_t *owner)
{
	sqlite3_stmt *st = store_stmt(
		"SELECT owner_id FROM videos WHERE id = ?1 AND status = " VIDEO_SQL_PUBLISHED);
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, video_id);
	int rc = sqlite3_step(st);
	*owner = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	store_done(st);
	return rc == SQLITE_ROW    ? CR_OK
	       : rc == SQLITE_DONE ? CR_ENOTFOUND
				   : store_error(rc, "video");
}

/* A tip on its way in: what was asked, then what tip_check made of it. */
struct tip_plan {
	int64_t video_id, viewer;
	const char *gift;
	int64_t count;
	const char *day;   /* the viewer's calendar day, "YYYY-MM-DD" */
	int64_t owner;     /* out: the clip's creator */
	int64_t amount;    /* out: points in all */
	int64_t free_part; /* out: the share today's free allowance pays */
};

/* Checks a tip against the rules; splits it into free and paid points.
 * A refusal fills `why` and writes nothing. */
static cr_err tip_check(struct tip_plan *t, struct cr_problem *why)
{
	int64_t points = 0, used = 0, pair = 0, balance = 0, account = 0;
	struct rules r = {0};
	cr_err e = published_owner(t->video_id, &t->owner);
	if (e == CR_ENOTFOUND)
		return cr_refuse(why, CR_ENOTFOUND, "not-found", NULL, "no such published video");
	if (!e && (e = gift_points(t->gift, &points)) == CR_ENOTFOUND)
		return cr_refuse(why, CR_EINVAL, "invalid-field", "gift",
				 "no gift called '%s'; see GET /api/v1/gifts", t->gift);
	if (e)
		return e;
	if (t->owner == t->viewer)
		return cr_refuse(why, CR_EFORBIDDEN, "self-tip", NULL,
				 "tips are for other people's clips");
	t->amount = points * t->count;
	if ((e = rules_load(&r)))
		return e;
	json_decref(r.checkin_bonus);
	e = tip_sum(PAIR_SUM_SQL, t->viewer, t->day, t->owner, &pair);
	if (!e && pair + t->amount > r.tip_pair_cap)
		return cr_refuse(
			why, CR_ETHROTTLED, "tip-cap", NULL,
			"you can tip one creator at most %lld points a day; %lld left today",
			(long long)r.tip_pair_cap,
			(long long)(r.tip_pair_cap > pair ? r.tip_pair_cap - pair : 0));
	if (!e)
		e = tip_sum(FREE_USED_SQL, t->viewer, t->day, 0, &used);
	int64_t left = r.free_tip_points > used ? r.free_tip_points - used : 0;
	t->free_part = left < t->amount ? left : t->amount;
	if (!e)
		e = ledger_user_account(t->viewer, &account);
	if (!e)
		e = ledger_balance(account, &balance);
	if (!e && balance < t->amount - t->free_part)
		return cr_refuse(
			why, CR_EFUNDS, "insufficient-points", NULL,
			"this tip costs %lld points beyond today's free allowance; you have %lld",
			(long long)(t->amount - t->free_part), (long long)balance);
	return e;
}

cr_err points_tip(int64_t video_id, int64_t viewer_id, const char *gift, int64_t count, time_t now,
		  json_t **out, struct cr_problem *why)
{
	char day[POINTS_DAY_LEN], reason[128];
	int64_t tip_id = 0, total = 0, from_acc = 0, to_acc = 0;
	points_day(now, day);
	struct tip_plan plan = {.video_id = video_id,
				.viewer = viewer_id,
				.gift = gift,
				.count = count,
				.day = day};
	cr_err e = tip_check(&plan, why);
	if (e)
		return e;
	int64_t owner = plan.owner, amount = plan.amount, free_part = plan.free_part;
	sqlite3_stmt *st = store_stmt("INSERT INTO tips(video_id, from_user, to_user, gift, count,"
				      " amount, free_amount, day, created_at)"
				      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
	if (st) {
		sqlite3_bind_int64(st, 1, video_id);
		sqlite3_bind_int64(st, 2, viewer_id);
		sqlite3_bind_int64(st, 3, owner);
		sqlite3_bind_text(st, 4, gift, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 5, count);
		sqlite3_bind_int64(st, 6, amount);
		sqlite3_bind_int64(st, 7, free_part);
		sqlite3_bind_text(st, 8, day, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 9, (int64_t)now);
	}
	if ((e = store_run(st, "tip")))
		return e;
	tip_id = sqlite3_last_insert_rowid(store_db());
	st = store_stmt(
		"INSERT INTO tip_daily(from_user, day, to_user, amount, free_amount)"
		" VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (from_user, day, to_user) DO UPDATE"
		" SET amount = amount + excluded.amount,"
		" free_amount = free_amount + excluded.free_amount");
	if (st) {
		sqlite3_bind_int64(st, 1, viewer_id);
		sqlite3_bind_text(st, 2, day, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, owner);
		sqlite3_bind_int64(st, 4, amount);
		sqlite3_bind_int64(st, 5, free_part);
	}
	if ((e = store_run(st, "daily tip totals")))
		return e;
	char ref[48], free_ref[48], free_reason[sizeof reason + 32];
	snprintf(ref, sizeof ref, LEDGER_TIP_REF, (long long)tip_id);
	snprintf(free_ref, sizeof free_ref, LEDGER_TIP_FREE_REF, (long long)tip_id);
	snprintf(reason, sizeof reason, "Tip: %lld x %s", (long long)count, gift);
	snprintf(free_reason, sizeof free_reason, "%s (daily free allowance)", reason);
	e = ledger_user_account(viewer_id, &from_acc);
	if (!e)
		e = ledger_user_account(owner, &to_acc);
	struct ledger_transfer t = {
		.to = to_acc, .reason = reason, .actor_id = viewer_id, .video_id = video_id};
	if (!e && free_part > 0) {
		t.from = LEDGER_COMPANY;
		t.amount = free_part;
		t.kind = "tip_free";
		t.ref = free_ref;
		t.reason = free_reason;
		e = ledger_transfer(&t, NULL);
	}
	if (!e && amount > free_part) {
		t.from = from_acc;
		t.reason = reason;
		t.amount = amount - free_part;
		t.kind = "tip";
		t.ref = ref;
		e = ledger_transfer(&t, NULL);
	}
	if (e)
		return e;
	json_t *detail = json_pack("{s:s, s:I, s:I}", "gift", gift, "count", (json_int_t)count,
				   "points", (json_int_t)amount);
	e = inbox_add_for_owner(video_id, INBOX_TIP, viewer_id, detail);
	json_decref(detail);
	if (e)
		return e;
	st = store_stmt("UPDATE videos SET tips = tips + ?2 WHERE id = ?1 RETURNING tips");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, video_id);
	sqlite3_bind_int64(st, 2, amount);
	int rc = sqlite3_step(st);
	total = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	store_done(st);
	if (rc != SQLITE_ROW)
		return store_error(rc, "video tips");
	/* in the ledger's batch, committed right after: the ranker's count
	 * (a rare failed batch over-counts until the catalogue's next refresh) */
	catalog_count(video_id, CATALOG_TIPS, (int)amount);
	int64_t balance = 0;
	if ((e = ledger_balance(from_acc, &balance)))
		return e;
	*out = json_pack("{s:I, s:I, s:s, s:I, s:I, s:I, s:I, s:I, s:I}", "id", (json_int_t)tip_id,
			 "video_id", (json_int_t)video_id, "gift", gift, "count", (json_int_t)count,
			 "amount", (json_int_t)amount, "free", (json_int_t)free_part, "paid",
			 (json_int_t)(amount - free_part), "video_tips", (json_int_t)total,
			 "balance", (json_int_t)balance);
	return *out ? CR_OK : CR_ENOMEM;
}

cr_err points_tip_summary(int64_t user_id, time_t now, int64_t *free_left, int64_t *tips_given,
			  int64_t *tips_received)
{
	char day[POINTS_DAY_LEN];
	int64_t used = 0;
	struct rules r = {0};
	points_day(now, day);
	cr_err e = rules_load(&r);
	json_decref(r.checkin_bonus);
	if (!e)
		e = tip_sum(FREE_USED_SQL, user_id, day, 0, &used);
	if (!e)
		e = tip_sum("SELECT COALESCE(SUM(amount), 0) FROM tip_daily WHERE from_user = ?1"
			    " AND ?2 IS NOT NULL AND ?3 = 0",
			    user_id, day, 0, tips_given);
	if (!e)
		e = tip_sum("SELECT COALESCE(SUM(amount), 0) FROM tip_daily WHERE to_user = ?1"
			    " AND ?2 IS NOT NULL AND ?3 = 0",
			    user_id, day, 0, tips_received);
	*free_left = r.free_tip_points > used ? r.free_tip_points - used : 0;
	return e;
}

cr_err points_pay_missing_credits(int64_t since, int *paid)
{
	struct pending {
		int64_t video, viewer;
	} todo[256];
	size_t n = 0;
	*paid = 0;
	sqlite3_stmt *st = store_stmt(
		"SELECT w.video_id, w.user_id FROM watches w JOIN videos v ON v.id = w.video_id"
		" WHERE w.completed_at >= ?1 AND v.owner_id <> w.user_id AND NOT EXISTS ("
		"   SELECT 1 FROM point_transfers t WHERE t.ref = 'learn:' || w.video_id || ':' || "
		"w.user_id)"
		" LIMIT 256");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, since);
	while (n < 256 && sqlite3_step(st) == SQLITE_ROW)
		todo[n++] =
			(struct pending){sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1)};
	store_done(st);
	cr_err e = CR_OK;
	for (size_t i = 0; i < n && !e; i++) {
		int64_t earned = 0;
		e = points_reward_completion(todo[i].video, todo[i].viewer, &earned);
		*paid += earned > 0;
	}
	return e;
}
