/* User rows, their skill tags and their JSON. See include/casereel/users.h. */
#include "casereel/users.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "casereel/auth.h"
#include "casereel/clock.h"
#include "casereel/store.h"

bool users_username_valid(const char *name)
{
	size_t n = strlen(name);
	if (n < 1 || n > 32 || !isalnum((unsigned char)name[0]))
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];
		if (!isalnum(c) && c != '.' && c != '_' && c != '-')
			return false;
	}
	return true;
}

void users_username_fold(const char *name, char *out, size_t size)
{
	size_t i = 0;
	for (; name[i] && i + 1 < size; i++)
		out[i] = (char)tolower((unsigned char)name[i]);
	out[i] = '\0';
}

static cr_err team_exists(int64_t team_id, struct cr_problem *why)
{
	sqlite3_stmt *st = store_stmt("SELECT 1 FROM teams WHERE id = ?1");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, team_id);
	int rc = sqlite3_step(st);
	store_done(st);
	if (rc == SQLITE_ROW)
		return CR_OK;
	if (rc != SQLITE_DONE)
		return store_error(rc, "team lookup");
	return cr_refuse(why, CR_EINVAL, "invalid-field", "team_id",
			 "team_id: no team with id %lld", (long long)team_id);
}

static cr_err set_tags(int64_t user_id, const char *kind, json_t *names, struct cr_problem *why)
{
	sqlite3_stmt *del = store_stmt("DELETE FROM user_tags WHERE user_id = ?1 AND kind = ?2");
	if (!del)
		return CR_EDB;
	sqlite3_bind_int64(del, 1, user_id);
	sqlite3_bind_text(del, 2, kind, -1, SQLITE_STATIC);
	cr_err e = store_run(del, "clear user tags");
	size_t i;
	json_t *name;
	json_array_foreach(names, i, name)
	{
		if (e)
			return e;
		sqlite3_stmt *ins =
			store_stmt("INSERT OR IGNORE INTO user_tags(user_id, tag_id, kind)"
				   " SELECT ?1, id, ?2 FROM tags WHERE name = ?3");
		if (!ins)
			return CR_EDB;
		sqlite3_bind_int64(ins, 1, user_id);
		sqlite3_bind_text(ins, 2, kind, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 3, json_string_value(name), -1, SQLITE_STATIC);
		int rc = sqlite3_step(ins);
		store_done(ins);
		if (rc != SQLITE_DONE)
			return store_error(rc, "add user tag");
		sqlite3_stmt *chk = store_stmt("SELECT 1 FROM tags WHERE name = ?1");
		if (!chk)
			return CR_EDB;
		sqlite3_bind_text(chk, 1, json_string_value(name), -1, SQLITE_STATIC);
		rc = sqlite3_step(chk);
		store_done(chk);
		if (rc == SQLITE_DONE) {
			const char *field = strcmp(kind, "weak") ? "interests" : "weak_skills";
			return cr_refuse(why, CR_EINVAL, "invalid-field", field,
					 "%s: unknown tag '%s'", field, json_string_value(name));
		}
	}
	return e;
}

static cr_err apply_tags(int64_t id, const struct user_fields *f, struct cr_problem *why)
{
	cr_err e = CR_OK;
	if (f->interests)
		e = set_tags(id, "interest", f->interests, why);
	if (!e && f->weak_skills)
		e = set_tags(id, "weak", f->weak_skills, why);
	return e;
}

/* Runs fn inside a transaction unless the caller already opened one. */
static cr_err in_transaction(cr_err (*fn)(int64_t *, const struct user_fields *,
					  struct cr_problem *),
			     int64_t *id, const struct user_fields *f, struct cr_problem *why)
{
	bool own = sqlite3_get_autocommit(store_db()) != 0;
	cr_err e = own ? store_begin() : CR_OK;
	if (!e)
		e = fn(id, f, why);
	if (own)
		e = store_end(e);
	return e;
}

/* Refuses an employee id that another user (not `self`) already has. */
static cr_err employee_id_free(const struct user_fields *f, int64_t self, struct cr_problem *why)
{
	if (!f->has_employee_id || !f->employee_id || !*f->employee_id)
		return CR_OK;
	sqlite3_stmt *st = store_stmt("SELECT id FROM users WHERE employee_id = ?1 AND id <> ?2");
	if (!st)
		return CR_EDB;
	sqlite3_bind_text(st, 1, f->employee_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, self);
	int rc = sqlite3_step(st);
	store_done(st);
	if (rc == SQLITE_ROW)
		return cr_refuse(why, CR_ECONFLICT, "conflict", "employee_id",
				 "employee id '%s' belongs to another user", f->employee_id);
	return rc == SQLITE_DONE ? CR_OK : store_error(rc, "employee id");
}

static cr_err create_tx(int64_t *id, const struct user_fields *f, struct cr_problem *why)
{
	if (f->has_team && f->team_id) {
		cr_err e = team_exists(f->team_id, why);
		if (e)
			return e;
	}
	cr_err e = employee_id_free(f, 0, why);
	if (e)
		return e;
	char username[33];
	users_username_fold(f->username, username, sizeof username);
	sqlite3_stmt *st = store_stmt(
		"INSERT INTO users(username, display_name, role, team_id, position, hire_date,"
		" password_hash, active, created_at, employee_id, must_change_password)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 1, ?8, nullif(?9, ''), ?10)");
	if (!st)
		return CR_EDB;
	sqlite3_bind_text(st, 1, username, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, f->display_name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, f->role ? f->role : "agent", -1, SQLITE_STATIC);
	if (f->has_team && f->team_id)
		sqlite3_bind_int64(st, 4, f->team_id);
	sqlite3_bind_text(st, 5, f->position ? f->position : "", -1, SQLITE_STATIC);
	if (f->hire_date)
		sqlite3_bind_text(st, 6, f->hire_date, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, f->password_hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 8, cr_now());
	if (f->has_employee_id)
		sqlite3_bind_text(st, 9, f->employee_id, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 10, f->has_must_change && f->must_change_password);
	e = store_run(st, "insert user");
	if (e == CR_ECONFLICT)
		return cr_refuse(why, CR_ECONFLICT, "conflict", "username",
				 "username: '%s' is taken", username);
	if (e)
		return e;
	*id = sqlite3_last_insert_rowid(store_db());
	return apply_tags(*id, f, why);
}

cr_err users_create(const struct user_fields *f, int64_t *id, struct cr_problem *why)
{
	return in_transaction(create_tx, id, f, why);
}

static cr_err update_tx(int64_t *idp, const struct user_fields *f, struct cr_problem *why)
{
	int64_t id = *idp;
	if (f->has_team && f->team_id) {
		cr_err e = team_exists(f->team_id, why);
		if (e)
			return e;
	}
	cr_err taken = employee_id_free(f, id, why);
	if (taken)
		return taken;
	/* ?N IS NULL keeps the column: one statement covers every field mix */
	sqlite3_stmt *st = store_stmt("UPDATE users SET"
				      " display_name = COALESCE(?2, display_name),"
				      " role = COALESCE(?3, role),"
				      " position = COALESCE(?4, position),"
				      " password_hash = COALESCE(?5, password_hash),"
				      " hire_date = CASE WHEN ?6 THEN ?7 ELSE hire_date END,"
				      " team_id = CASE WHEN ?8 THEN NULLIF(?9, 0) ELSE team_id END,"
				      " active = CASE WHEN ?10 THEN ?11 ELSE active END,"
				      " employee_id = CASE WHEN ?12 THEN nullif(?13, '')"
				      "   ELSE employee_id END,"
				      " must_change_password = CASE WHEN ?14 THEN ?15"
				      "   ELSE must_change_password END"
				      " WHERE id = ?1");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, id);
	if (f->display_name)
		sqlite3_bind_text(st, 2, f->display_name, -1, SQLITE_STATIC);
	if (f->role)
		sqlite3_bind_text(st, 3, f->role, -1, SQLITE_STATIC);
	if (f->position)
		sqlite3_bind_text(st, 4, f->position, -1, SQLITE_STATIC);
	if (f->password_hash)
		sqlite3_bind_text(st, 5, f->password_hash, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 6, f->has_hire_date);
	if (f->hire_date)
		sqlite3_bind_text(st, 7, f->hire_date, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 8, f->has_team);
	sqlite3_bind_int64(st, 9, f->team_id);
	sqlite3_bind_int(st, 10, f->has_active);
	sqlite3_bind_int(st, 11, f->active);
	sqlite3_bind_int(st, 12, f->has_employee_id);
	if (f->employee_id)
		sqlite3_bind_text(st, 13, f->employee_id, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 14, f->has_must_change);
	sqlite3_bind_int(st, 15, f->must_change_password);
	cr_err e = store_run(st, "update user");
	if (e)
		return e;
	if (sqlite3_changes(store_db()) == 0)
		return CR_ENOTFOUND;
	if (f->has_active && !f->active)
		e = auth_sessions_revoke_user(id);
	else if (f->password_hash)
		e = auth_sessions_revoke_others(id, f->keep_session);
	return e ? e : apply_tags(id, f, why);
}

cr_err users_update(int64_t id, const struct user_fields *f, struct cr_problem *why)
{
	cr_err e = in_transaction(update_tx, &id, f, why);
	if (!e)
		auth_forget_user(id); /* role, team or state may have changed */
	return e;
}

/* Tag names in the order of tags.name's COLLATE NOCASE (ASCII letters
 * folded, other bytes as they are). */
static int nocase_order(const void *a, const void *b)
{
	const unsigned char *x = (const unsigned char *)json_string_value(*(json_t *const *)a);
	const unsigned char *y = (const unsigned char *)json_string_value(*(json_t *const *)b);
	for (;; x++, y++) {
		int cx = *x < 0x80 ? tolower(*x) : *x, cy = *y < 0x80 ? tolower(*y) : *y;
		if (cx != cy || !cx)
			return cx - cy;
	}
}

/* Moves the names of `v[0..n)` into a new array, sorted by name. */
static json_t *sorted_names(json_t **v, size_t n)
{
	qsort(v, n, sizeof *v, nocase_order);
	json_t *arr = json_array();
	size_t i = 0;
	while (arr && i < n)
		if (json_array_append_new(arr, v[i++])) { /* it took v[i] either way */
			json_decref(arr);
			arr = NULL;
		}
	while (i < n)
		json_decref(v[i++]);
	return arr;
}

/* Appends `name` to the growable list `*v` (`*n` used of `*cap`, on the
 * stack until it outgrows it: `stack`); false when out of memory. */
static bool names_push(json_t ***v, size_t *n, size_t *cap, json_t **stack, json_t *name)
{
	if (!name)
		return false;
	if (*n == *cap) {
		json_t **bigger = malloc(2 * *cap * sizeof *bigger);
		if (!bigger) {
			json_decref(name);
			return false;
		}
		memcpy(bigger, *v, *n * sizeof *bigger);
		if (*v != stack)
			free(*v);
		*v = bigger;
		*cap *= 2;
	}
	(*v)[(*n)++] = name;
	return true;
}

/* The user's interests and weak skills by name, in one query sorted here:
 * the user's tags are few, and a SQL sorter costs more than the query;
 * NULL (out of memory) leaves a list out of the answer. */
static void tag_names(int64_t id, json_t **interests, json_t **weak)
{
	*interests = *weak = NULL;
	sqlite3_stmt *st = store_stmt("SELECT ut.kind = 'weak', t.name FROM user_tags ut"
				      " JOIN tags t ON t.id = ut.tag_id"
				      " WHERE ut.user_id = ?1 ORDER BY ut.kind");
	if (!st)
		return;
	sqlite3_bind_int64(st, 1, id);
	json_t *stack[64], **names = stack;
	size_t n = 0, cap = sizeof stack / sizeof stack[0], n_interests = 0;
	bool ok = true;
	while (ok && sqlite3_step(st) == SQLITE_ROW) {
		n_interests += !sqlite3_column_int(st, 0); /* interests come first */
		ok = names_push(&names, &n, &cap, stack,
				json_string((const char *)sqlite3_column_text(st, 1)));
	}
	store_done(st);
	if (ok) {
		*interests = sorted_names(names, n_interests);
		*weak = sorted_names(names + n_interests, n - n_interests);
	} else {
		for (size_t i = 0; i < n; i++)
			json_decref(names[i]);
	}
	if (names != stack)
		free(names);
}

#define USER_COLUMNS                                                                               \
	"SELECT u.id, u.username, u.display_name, u.role, u.team_id, t.name, u.position,"          \
	" u.hire_date, u.active, u.created_at, u.employee_id, u.must_change_password"              \
	" FROM users u"                                                                            \
	" LEFT JOIN teams t ON t.id = u.team_id"

static json_t *row_to_json(sqlite3_stmt *st)
{
	int64_t id = sqlite3_column_int64(st, 0);
	json_t *team =
		sqlite3_column_type(st, 4) == SQLITE_NULL
			? json_null()
			: json_pack("{s:I, s:s}", "id", (json_int_t)sqlite3_column_int64(st, 4),
				    "name", (const char *)sqlite3_column_text(st, 5));
	json_t *interests, *weak;
	tag_names(id, &interests, &weak); /* "o*": a NULL leaves its member out */
	return json_pack("{s:I, s:s, s:s, s:s, s:o, s:s, s:o, s:b, s:I, s:o*, s:o*, s:o*, s:b}",
			 "id", (json_int_t)id, "username", (const char *)sqlite3_column_text(st, 1),
			 "display_name", (const char *)sqlite3_column_text(st, 2), "role",
			 (const char *)sqlite3_column_text(st, 3), "team", team, "position",
			 (const char *)sqlite3_column_text(st, 6), "hire_date",
			 store_column_text_json(st, 7), "active", sqlite3_column_int(st, 8),
			 "created_at", (json_int_t)sqlite3_column_int64(st, 9), "interests",
			 interests, "weak_skills", weak, "employee_id",
			 store_column_text_json(st, 10), "must_change_password",
			 sqlite3_column_int(st, 11));
}

cr_err users_get_json(int64_t id, json_t **out)
{
	sqlite3_stmt *st = store_stmt(USER_COLUMNS " WHERE u.id = ?1");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, id);
	int rc = sqlite3_step(st);
	/* the row must be read before tag_names() reuses other statements */
	*out = rc == SQLITE_ROW ? row_to_json(st) : NULL;
	store_done(st);
	if (rc == SQLITE_DONE)
		return CR_ENOTFOUND;
	if (rc != SQLITE_ROW)
		return store_error(rc, "get user");
	return *out ? CR_OK : CR_ENOMEM;
}

cr_err users_list_json(int64_t after, long limit, int64_t team_id, const char *q, json_t **out)
{
	sqlite3_stmt *st =
		store_stmt(USER_COLUMNS " WHERE u.id > ?1 AND (?2 = 0 OR u.team_id = ?2)"
					" AND (?4 = '' OR instr(lower(u.username), lower(?4)) > 0"
					" OR instr(lower(u.display_name), lower(?4)) > 0)"
					" ORDER BY u.id LIMIT ?3");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, after);
	sqlite3_bind_int64(st, 2, team_id);
	sqlite3_bind_int64(st, 3, limit);
	sqlite3_bind_text(st, 4, q ? q : "", -1, SQLITE_TRANSIENT);
	return store_rows_json(st, row_to_json, "list users", out);
}
