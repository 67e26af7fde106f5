/* Integration tokens, kept by admins: create (the token is shown once),
 * list (never the token), revoke. */
#include <string.h>

#include "casereel/app.h"
#include "casereel/fields.h"
#include "casereel/integration_tokens.h"

static void list_tokens(struct cr_request *req, struct cr_response *res)
{
	(void)req;
	json_t *items;
	cr_err e = integration_tokens_json(&items);
	if (e)
		http_error(res, e, "integration token list");
	else
		http_json(res, 200, json_pack("{s:o}", "items", items));
}

static void create_token(struct cr_request *req, struct cr_response *res)
{
	const char *name, *scope = INTEGRATION_SCOPE_METRICS;
	if (!field_text(req, res, "name", true, 1, 64, &name, NULL) ||
	    !field_string(req, res, "scope", false, 1, 32, &scope, NULL))
		return;
	if (strcmp(scope, INTEGRATION_SCOPE_METRICS) != 0) {
		http_invalid_field(res, "scope", "the only scope is \"%s\"",
				   INTEGRATION_SCOPE_METRICS);
		return;
	}
	char token[INTEGRATION_TOKEN_CHARS];
	int64_t id;
	json_t *body = NULL;
	cr_err e = integration_token_create(name, scope, req->user.id, &id, token);
	if (!e)
		e = integration_token_json(id, &body);
	if (e) {
		http_error(res, e, "integration token");
		return;
	}
	json_object_set_new(body, "token", json_string(token));
	http_json(res, 201, body);
}

static void revoke_token(struct cr_request *req, struct cr_response *res)
{
	int64_t id;
	if (!http_path_id(req, res, 0, "integration token", &id))
		return;
	cr_err e = integration_token_revoke(id);
	if (e == CR_ECONFLICT)
		http_problem(res, 409, "already-revoked",
			     "integration token %lld was revoked already", (long long)id);
	else if (e)
		http_error(res, e, "integration token");
	else
		http_no_content(res);
}

static const struct cr_route routes[] = {
	{"GET", "/api/v1/integration-tokens", CR_ROLE_ADMIN, CR_BODY_NONE, list_tokens, NULL},
	{"POST", "/api/v1/integration-tokens", CR_ROLE_ADMIN, CR_BODY_JSON, create_token, NULL},
	{"DELETE", "/api/v1/integration-tokens/{id}", CR_ROLE_ADMIN, CR_BODY_NONE, revoke_token,
	 NULL},
};

cr_err api_integration_tokens_register(struct router *r)
{
	return router_add(r, routes, sizeof routes / sizeof routes[0]);
}
