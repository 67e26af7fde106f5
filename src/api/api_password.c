/* The caller's own password change: the one write (with logout and GET
 * /api/v1/me) open to a user who must change their password first. */
#include "casereel/app.h"
#include "casereel/fields.h"
#include "casereel/passwords.h"

static void change_password(struct cr_request *req, struct cr_response *res)
{
	const char *old_password, *new_password;
	if (!field_string(req, res, "old_password", true, 1, 1024, &old_password, NULL) ||
	    !field_string(req, res, "new_password", true, 1, 1024, &new_password, NULL))
		return;
	struct cr_problem why = {0};
	cr_err e = passwords_change(req->cfg, &req->user, req->token, old_password, new_password,
				    &why);
	if (e)
		http_fail(res, e, &why, "password");
	else
		http_no_content(res);
}

static const struct cr_route routes[] = {
	{"POST", "/api/v1/me/password", CR_ROLE_AGENT, CR_BODY_JSON, change_password, NULL},
};

/* Each try costs an argon2id hash and checks the old password: a budget
 * keeps a stolen session from guessing it. */
static const struct cr_route_extra extra = {.rate = CR_RATE_PASSWORD,
					    .before_password_change = true};

cr_err api_password_register(struct router *r)
{
	return router_add_extra(r, routes, sizeof routes / sizeof routes[0], &extra);
}
