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

/* The login throttle. Every attempt is counted before its password is
 * checked, so parallel guesses cannot slip under a limit. Past
 * --login-max-failures attempts in the window, an account's answers (right
 * or wrong) are held back 1, 2, 4 ... seconds up to --login-backoff-max, and
 * wrong ones answer 429: guessing slows down, the owner still gets in. An
 * address past --login-max-failures-ip failures gets 429 for its wrong
 * passwords and unknown names, held just as long; a right password for an
 * existing account never counts against it nor waits for it, so a floor
 * behind one NAT keeps logging in while one of its phones sprays. */
struct login_budget {
	int hold_ms;  /* the account's backoff for this attempt */
	bool ip_over; /* the address has used up its budget of failures */
};

static struct login_budget login_take(struct cr_request *req, const char *key)
{
	const struct cr_config *cfg = req->cfg;
	int64_t now = cr_now();
	int by_account = throttle_take(req->app->login_by_account, key, now, cfg->login_window);
	int by_ip = throttle_take(req->app->login_by_ip, req->client_ip, now, cfg->login_window);
	return (struct login_budget){
		.hold_ms = throttle_backoff_ms(by_account, cfg->login_max_failures,
					       cfg->login_backoff_max * 1000),
		.ip_over = by_ip > cfg->login_max_failures_ip,
	};
}

/* Refuses a wrong password; returns how long to hold the answer (ms). */
static unsigned login_refuse(struct cr_request *req, struct cr_response *res, struct login_budget b)
{
	int hold_ms = b.ip_over ? req->cfg->login_backoff_max * 1000 : b.hold_ms;
	if (!hold_ms) {
		http_problem(res, 401, "bad-credentials", "wrong username or password");
		return 0;
	}
	int wait = (hold_ms + 999) / 1000;
	http_header(res, "Retry-After", "%d", wait);
	http_problem(res, 429, "too-many-attempts",
		     "too many failed logins; try again in %d seconds", wait);
	return (unsigned)hold_ms;
}

/* The login itself, on an offload worker (argon2id is the CPU-heavy part
 * of a morning rush); returns how long to hold the answer (ms). */
static unsigned login_run(struct cr_request *req, struct cr_response *res)
{
	const char *username, *password;
	char key[80]; /* the account's throttle key: "Agent3" gets no tries of its own */
	if (!field_string(req, res, "username", true, 1, 64, &username, NULL) ||
	    !field_string(req, res, "password", true, 1, 1024, &password, NULL))
		return 0;
	users_username_fold(username, key, sizeof key);
	struct login_budget budget = login_take(req, key);
	struct cr_user user;
	cr_err e = auth_check_password(req->cfg, username, password, &user);
	if (e == CR_EAUTH)
		return login_refuse(req, res, budget);
	throttle_give_back(req->app->login_by_ip, req->client_ip, cr_now(), req->cfg->login_window);
	char token[AUTH_TOKEN_CHARS];
	int64_t expires_at = 0;
	if (!e)
		e = auth_session_create(req->cfg, user.id, token, &expires_at);
	json_t *me = NULL;
	if (!e)
		e = users_get_json(user.id, &me);
	if (e) {
		http_error(res, e, "login");
		return 0;
	}
	throttle_clear(req->app->login_by_account, key);
	http_json(res, 200,
		  json_pack("{s:s, s:s, s:I, s:o}", "token", token, "token_type", "Bearer",
			    "expires_at", (json_int_t)expires_at, "user", me));
	return (unsigned)budget.hold_ms;
}

static void login(struct cr_request *req, struct cr_response *res)
{
	http_offload(req, res, login_run);
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
