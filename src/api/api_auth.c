/* Login, logout and the caller's own profile. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "casereel/app.h"
#include "casereel/auth.h"
#include "casereel/clock.h"
#include "casereel/fields.h"
#include "casereel/me.h"
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

static void me(struct cr_request *req, struct cr_response *res)
{
	json_t *j;
	cr_err e = me_json(req->user.id, cr_now(), &j);
	if (e)
		http_error(res, e, "user");
	else
		http_json(res, 200, j);
}

static const struct cr_route routes[] = {
	{"POST", "/api/v1/auth/login", CR_ROLE_NONE, CR_BODY_JSON, login, NULL},
};

/* Open before a required password change: the client reads /me to learn it
 * must ask for one, and anyone may leave. */
static const struct cr_route session_routes[] = {
	{"POST", "/api/v1/auth/logout", CR_ROLE_AGENT, CR_BODY_NONE, logout, NULL},
	{"GET", "/api/v1/me", CR_ROLE_AGENT, CR_BODY_NONE, me, NULL},
};
static const struct cr_route_extra session_extra = {.before_password_change = true};

cr_err api_auth_register(struct router *r)
{
	cr_err e = router_add(r, routes, sizeof routes / sizeof routes[0]);
	return e ? e
		 : router_add_extra(r, session_routes,
				    sizeof session_routes / sizeof session_routes[0],
				    &session_extra);
}
