/* Integration tokens: named, long-lived bearer tokens that another system
 * (the contact center's reporting) uses to send service metrics, and that
 * can do nothing else. Shown once at creation, stored as a hash, revocable.
 * The integration_tokens table belongs to this module. */
#ifndef CASEREEL_INTEGRATION_TOKENS_H
#define CASEREEL_INTEGRATION_TOKENS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "casereel/error.h"

/* Every integration token starts with this, so a bearer token is looked up
 * in one table only. */
#define INTEGRATION_TOKEN_PREFIX "cri_"
#define INTEGRATION_TOKEN_CHARS  48 /* prefix + 43 base64url characters + NUL */
/* The one permission a token can hold today. */
#define INTEGRATION_SCOPE_METRICS "metrics:write"

/* Whether `token` has the integration tokens' shape (not whether it is valid). */
bool integration_token_shaped(const char *token);

/* Creates a token called `name` for `scope` on behalf of admin `by`: *id and
 * the token itself (to show once) are filled. */
cr_err integration_token_create(const char *name, const char *scope, int64_t by, int64_t *id,
				char token[INTEGRATION_TOKEN_CHARS]);

/* The live token `token` with scope `scope`: *id is its id. CR_EAUTH when it
 * is unknown, revoked or lacks the scope. */
cr_err integration_token_check(const char *token, const char *scope, int64_t *id);

/* Every token, newest first, as a JSON array of {id, name, scope,
 * created_at, created_by, last_used_at, revoked_at} (never the token). */
cr_err integration_tokens_json(json_t **out);

/* Token `id` as listed above; CR_ENOTFOUND when absent. */
cr_err integration_token_json(int64_t id, json_t **out);

/* Revokes token `id` at once. CR_ENOTFOUND when there is none, CR_ECONFLICT
 * when it was revoked already. */
cr_err integration_token_revoke(int64_t id);

#endif
