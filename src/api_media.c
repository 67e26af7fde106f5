/* Media bytes under signed URLs: /media/v/{id}/{expires}/{sig}/{file}. */
#include "casereel/app.h"

static const struct cr_route routes[] = {
	{"GET", "/media/v/{id}/{expires}/{sig}/{file}", CR_ROLE_NONE, CR_BODY_NONE, NULL, NULL},
};

cr_err api_media_register(struct router *r)
{
	(void)routes;
	return router_add(r, routes, 0);
}
