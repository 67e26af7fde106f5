/* Login, logout and the caller's own profile. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "casereel/app.h"
#include "casereel/auth.h"
#include "casereel/clock.h"
#include "casereel/fields.h"
#include "casereel/points.h"
#include "casereel/store.h"
#include "casereel/users.h"

/* Refuses with 429 while the account or the client address is throttled. */
static bool login_allowed(struct cr_request *req, struct cr_response *res, const char *username)
{
	const struct cr_config *cfg = req->cfg;
	int64_t now = cr_now();
	int wait = 0;
	if (throttle_blocked(req->app->login_by_account, username, now, cfg->login_window,
			     cfg->login_max_failures, &wait) ||
	    throttle_blocked(req->app->login_by_ip, req->client_ip, now, cfg->login_window,
			     cfg->login_max_failures_ip, &wait)) {
		http_header(res, "Retry-After", "%d", wait > 0 ? wait : 1);
		http_problem(res, 429, "too-many-attempts",
			     "too many failed logins; try again in %d seconds",
			     wait > 0 ? wait : 1);
		return false;
	}
	return true;
}

static void login(struct cr_request *req, struct cr_response *res)
{
	const char *username, *password;
	char key[80]; /* the account's throttle key: "Agent3" gets no tries of its own */
	if (!field_string(req, res, "username", true, 1, 64, &username, NULL) ||
	    !field_string(req, res, "password", true, 1, 1024, &password, NULL))
		return;
	users_username_fold(username, key, sizeof key);
	if (!login_allowed(req, res, key))
		return;
	struct cr_user user;
	cr_err e = auth_check_password(req->cfg, username, password, &user);
	if (e == CR_EAUTH) {
		int64_t now = cr_now();
		throttle_fail(req->app->login_by_account, key, now, req->cfg->login_window);
		throttle_fail(req->app->login_by_ip, req->client_ip, now, req->cfg->login_window);
		http_problem(res, 401, "bad-credentials", "wrong username or password");
		return;
	}
	char token[AUTH_TOKEN_CHARS];
	int64_t expires_at = 0;
	if (!e)
		e = auth_session_create(req->cfg, user.id, token, &expires_at);
	json_t *me = NULL;
	if (!e)
		e = users_get_json(user.id, &me);
	if (e) {
		http_error(res, e, "login");
		return;
	}
	throttle_clear(req->app->login_by_account, key);
	http_json(res, 200,
		  json_pack("{s:s, s:s, s:I, s:o}", "token", token, "token_type", "Bearer",
			    "expires_at", (json_int_t)expires_at, "user", me));
}

static void logout(struct cr_request *req, struct cr_response *res)
{
	cr_err e = auth_session_revoke(req->token);
	if (e)
		http_error(res, e, "logout");
	else
		http_no_content(res);
}

/* The user's points; 0 for one who never earned (no account is made here). */
static cr_err balance_of(int64_t user_id, int64_t *balance)
{
	sqlite3_stmt *st = store_stmt("SELECT balance FROM point_accounts WHERE user_id = ?1");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, user_id);
	int rc = sqlite3_step(st);
	*balance = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	store_done(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? CR_OK : store_error(rc, "balance");
}

static void me(struct cr_request *req, struct cr_response *res)
{
	json_t *j = NULL;
	int streak = 0;
	bool today = false;
	int64_t balance = 0;
	bool read = store_read_begin();
	cr_err e = users_get_json(req->user.id, &j);
	if (!e)
		e = points_streak(req->user.id, cr_now(), &streak, &today);
	if (!e)
		e = balance_of(req->user.id, &balance);
	store_read_end(read);
	if (e) {
		json_decref(j);
		http_error(res, e, "user");
		return;
	}
	json_object_set_new(j, "points", json_integer(balance));
	json_object_set_new(j, "streak", json_integer(streak));
	json_object_set_new(j, "checked_in_today", json_boolean(today));
	http_json(res, 200, j);
}

static const struct cr_route routes[] = {
	{"POST", "/api/v1/auth/login", CR_ROLE_NONE, CR_BODY_JSON, login, NULL},
	{"POST", "/api/v1/auth/logout", CR_ROLE_AGENT, CR_BODY_NONE, logout, NULL},
	{"GET", "/api/v1/me", CR_ROLE_AGENT, CR_BODY_NONE, me, NULL},
};

cr_err api_auth_register(struct router *r)
{
	return router_add(r, routes, sizeof routes / sizeof routes[0]);
}
