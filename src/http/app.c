/* Wires the API resources into one router. See include/casereel/app.h. */
#include "casereel/app.h"

#include <string.h>

#include "casereel/log.h"

typedef cr_err (*register_fn)(struct router *r);

static const struct {
	const char *name;
	register_fn fn;
} resources[] = {
	{"ops", api_ops_register},
	{"API description", api_openapi_register},
	{"problem pages", api_problems_register},
	{"auth", api_auth_register},
	{"password", api_password_register},
	{"user import", api_user_import_register},
	{"users", api_users_register},
	{"teams", api_teams_register},
	{"positions", api_positions_register},
	{"tags", api_tags_register},
	{"uploads", api_uploads_register},
	{"videos", api_videos_register},
	{"captions and audit", api_captions_register},
	{"media", api_media_register},
	{"media renderings", api_renders_register},
	{"media edits", api_edits_register},
	{"review", api_review_register},
	{"feed", api_feed_register},
	{"likes and comments", api_social_register},
	{"watch", api_watch_register},
	{"points", api_points_register},
	{"featured", api_featured_register},
	{"assignments", api_assignments_register},
	{"inbox", api_inbox_register},
	{"limits", api_limits_register},
	{"leaderboards", api_leaderboards_register},
	{"analytics", api_analytics_register},
	{"quizzes", api_quiz_register},
	{"web client", api_web_register},
	{"shop", api_shop_register},
	{"service metrics", api_metrics_register},
	{"metrics imports", api_metric_imports_register},
	{"agent profiles", api_profile_register},
	{"integration tokens", api_integration_tokens_register},
	{"learning paths", api_paths_register},
	{"push rules", api_push_rules_register},
	{"impact", api_impact_register},
};

cr_err app_init(struct cr_app *app, const struct cr_config *cfg)
{
	memset(app, 0, sizeof *app);
	app->cfg = cfg;
	for (size_t i = 0; i < sizeof resources / sizeof resources[0]; i++) {
		cr_err e = resources[i].fn(&app->router);
		if (e) {
			log_error("registering %s routes: %s", resources[i].name, cr_strerror(e));
			return e;
		}
	}
	/* the hooks exist only when asked for: without the flag they are a 404 */
	if (cfg->test_hooks) {
		cr_err e = api_test_hooks_register(&app->router);
		if (e) {
			log_error("registering test hook routes: %s", cr_strerror(e));
			return e;
		}
	}
	app->login_by_account = throttle_new(16384);
	app->login_by_ip = throttle_new(4096);
	app->rates = rate_limits_new();
	if (!app->login_by_account || !app->login_by_ip || !app->rates) {
		app_free(app);
		return CR_ENOMEM;
	}
	return CR_OK;
}

void app_free(struct cr_app *app)
{
	throttle_free(&app->login_by_account);
	throttle_free(&app->login_by_ip);
	rate_limits_free(&app->rates);
}
