/* The caller's inbox: what happened to their clips and learning (see
 * include/casereel/inbox.h), newest first, and marking it read. */
#include "casereel/app.h"
#include "casereel/fields.h"
#include "casereel/inbox.h"

#define PAGE_MAX 100

static void list_inbox(struct cr_request *req, struct cr_response *res)
{
	long limit, before;
	if (!http_query_long(req, res, "limit", 20, 1, PAGE_MAX, &limit) ||
	    !http_query_long(req, res, "before", 0, 0, INT64_MAX, &before))
		return;
	json_t *items = NULL;
	int64_t unread = 0;
	cr_err e = inbox_list_json(req->user.id, before, limit, &items, &unread);
	if (e) {
		http_error(res, e, "inbox");
		return;
	}
	size_t n = json_array_size(items);
	json_t *next =
		(long)n == limit ? json_object_get(json_array_get(items, n - 1), "id") : NULL;
	http_json(res, 200,
		  json_pack("{s:o, s:O?, s:I}", "items", items, "next_before", next, "unread",
			    (json_int_t)unread));
}

static void mark_read(struct cr_request *req, struct cr_response *res)
{
	int64_t up_to = 0, unread = 0;
	if (!field_int(req, res, "up_to", false, 1, INT64_MAX, false, &up_to, NULL))
		return;
	cr_err e = inbox_mark_read(req->user.id, up_to, &unread);
	if (e)
		http_error(res, e, "inbox");
	else
		http_json(res, 200, json_pack("{s:I}", "unread", (json_int_t)unread));
}

static const struct cr_route routes[] = {
	{"GET", "/api/v1/me/inbox", CR_ROLE_AGENT, CR_BODY_NONE, list_inbox, NULL},
	{"POST", "/api/v1/me/inbox/read", CR_ROLE_AGENT, CR_BODY_JSON, mark_read, NULL},
};

cr_err api_inbox_register(struct router *r)
{
	return router_add(r, routes, sizeof routes / sizeof routes[0]);
}
