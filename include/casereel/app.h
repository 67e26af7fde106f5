/* The application: configuration plus the shared services handlers use,
 * and the registration of every API resource's routes. */
#ifndef CASEREEL_APP_H
#define CASEREEL_APP_H

#include "casereel/config.h"
#include "casereel/error.h"
#include "casereel/rate_limit.h"
#include "casereel/router.h"
#include "casereel/throttle.h"
#include "casereel/uploads.h"

struct import_queue;

struct cr_app {
	const struct cr_config *cfg;
	struct router router;
	struct throttle *login_by_account; /* failed logins per username */
	struct throttle *login_by_ip;      /* failed logins per client address */
	struct rate_limits *rates;         /* per-user write budgets (route extras' rate) */
	struct import_queue *imports;      /* set by main once started; NULL: imports wait */
};

/* Registers every route and creates the shared services. `cfg` must outlive
 * the app. On failure everything made so far is freed. */
cr_err app_init(struct cr_app *app, const struct cr_config *cfg);

/* Frees what app_init made. */
void app_free(struct cr_app *app);

/* Route tables, one per API resource file (src/api_*.c). */
cr_err api_auth_register(struct router *r);
cr_err api_password_register(struct router *r);
cr_err api_users_register(struct router *r);
cr_err api_user_import_register(struct router *r);
cr_err api_teams_register(struct router *r);
cr_err api_positions_register(struct router *r);
cr_err api_tags_register(struct router *r);
cr_err api_metrics_register(struct router *r);
cr_err api_metric_imports_register(struct router *r);
cr_err api_profile_register(struct router *r);
cr_err api_integration_tokens_register(struct router *r);
cr_err api_paths_register(struct router *r);
cr_err api_push_rules_register(struct router *r);
cr_err api_impact_register(struct router *r);
cr_err api_ops_register(struct router *r);
cr_err api_openapi_register(struct router *r);
cr_err api_problems_register(struct router *r);
cr_err api_uploads_register(struct router *r);
/* Creates the caller's upload `u` (u->length, u->metadata set; row and empty
 * file) within the caller's upload limits and the disk's free space, for
 * both the tus and the one-shot upload (see uploads_create). Answers 429
 * with Retry-After, 413, 507 or 500 and returns false when it cannot. */
bool api_uploads_create(struct cr_request *req, struct cr_response *res, struct upload *u);
cr_err api_videos_register(struct router *r);
cr_err api_captions_register(struct router *r);
cr_err api_media_register(struct router *r);
cr_err api_renders_register(struct router *r);
cr_err api_edits_register(struct router *r);
cr_err api_review_register(struct router *r);
cr_err api_feed_register(struct router *r);
cr_err api_social_register(struct router *r);
cr_err api_watch_register(struct router *r);
cr_err api_points_register(struct router *r);
cr_err api_featured_register(struct router *r);
cr_err api_assignments_register(struct router *r);
cr_err api_inbox_register(struct router *r);
cr_err api_limits_register(struct router *r);
cr_err api_leaderboards_register(struct router *r);
cr_err api_analytics_register(struct router *r);
cr_err api_quiz_register(struct router *r);
cr_err api_web_register(struct router *r);
cr_err api_shop_register(struct router *r);
/* Only with --test-hooks: /api/v1/test/ (clock, maintenance, catalog). */
cr_err api_test_hooks_register(struct router *r);

#endif
