/* `casereel routes`: prints the registered route table. See
 * include/casereel/routes_list.h. */
#include "casereel/routes_list.h"

#include "casereel/app.h"
#include "casereel/user.h"

int routes_list_print(FILE *out)
{
	static const char *const bodies[] = {
		[CR_BODY_NONE] = "none",
		[CR_BODY_JSON] = "json",
		[CR_BODY_CSV] = "csv",
		[CR_BODY_STREAM] = "stream",
	};
	struct cr_config cfg;
	config_defaults(&cfg); /* without --test-hooks: the test routes stay out */
	struct cr_app app;
	if (app_init(&app, &cfg))
		return 1;
	for (size_t i = 0; i < app.router.count; i++) {
		const struct cr_route *rt = app.router.routes[i];
		fprintf(out, "%s %s %s %s\n", rt->method, rt->pattern, user_role_name(rt->min_role),
			bodies[rt->body]);
	}
	app_free(&app);
	return 0;
}
