/* The ranked personal feed, plus plain lists of published clips: by tag,
 * by creator, and search (see casereel/search.h). */
#include <stdio.h>
#include <string.h>

#include "casereel/app.h"
#include "casereel/feed.h"
#include "casereel/feed_items.h"
#include "casereel/fields.h"
#include "casereel/search.h"

#define URL_TTL 3600

/* Answers with the JSON text in `out`, or a 500 when writing it failed. */
static void send_text(struct cr_response *res, struct text_buf *out, const char *what)
{
	size_t len;
	cr_err e = out->err;
	char *text = tb_take(out, &len);
	if (text)
		http_text(res, 200, "application/json", text, len);
	else
		http_error(res, e ? e : CR_ENOMEM, what);
}

static void feed(struct cr_request *req, struct cr_response *res)
{
	long limit;
	if (!http_query_long(req, res, "limit", 10, 1, 50, &limit))
		return;
	const char *cursor = http_query(req, "cursor");
	struct text_buf out = {0};
	cr_err e = feed_page(&req->user, cursor && *cursor ? cursor : NULL, limit, URL_TTL, &out);
	if (e == CR_EINVAL)
		http_problem(res, 400, "invalid-cursor",
			     "the cursor is invalid or expired; reload the feed");
	else if (e)
		http_error(res, e, "feed");
	else
		send_text(res, &out, "feed");
	tb_free(&out);
}

/* Newest first, keyset-paged by id (`before`). */
static void list_published(struct cr_request *req, struct cr_response *res,
			   const struct feed_filter *f)
{
	long limit, before;
	if (!http_query_long(req, res, "limit", 20, 1, 50, &limit) ||
	    !http_query_long(req, res, "before", INT64_MAX, 1, INT64_MAX, &before))
		return;
	int64_t ids[50];
	size_t n;
	if (feed_list_published(f, before, limit, ids, &n)) {
		http_error(res, CR_EDB, "clip list");
		return;
	}
	struct feed_entry entries[50];
	for (size_t i = 0; i < n; i++)
		entries[i] = (struct feed_entry){.id = ids[i]};
	struct catalog *cat = catalog_acquire();
	struct text_buf out = {0};
	int64_t shown[50];
	size_t nshown;
	tb_puts(&out, "{\"items\":");
	cr_err e =
		cat ? feed_items_render(cat, &req->user, entries, n, URL_TTL, &out, shown, &nshown)
		    : CR_EDB;
	catalog_release(&cat);
	if ((long)n == limit)
		tb_printf(&out, ",\"next_before\":%lld}", (long long)entries[n - 1].id);
	else
		tb_puts(&out, ",\"next_before\":null}");
	if (e)
		http_error(res, e, "clip list");
	else
		send_text(res, &out, "clip list");
	tb_free(&out);
}

static void by_tag(struct cr_request *req, struct cr_response *res)
{
	struct feed_filter f = {.tag = req->params[0]};
	list_published(req, res, &f);
}

static void by_creator(struct cr_request *req, struct cr_response *res)
{
	struct feed_filter f = {0};
	if (http_path_id(req, res, 0, "user", &f.owner_id))
		list_published(req, res, &f);
}

/* Ranked by relevance, paged by offset. */
static void search(struct cr_request *req, struct cr_response *res)
{
	long limit, offset;
	if (!http_query_long(req, res, "limit", 20, 1, 50, &limit) ||
	    !http_query_long(req, res, "offset", 0, 0, 1000, &offset))
		return;
	struct search_hit hits[50];
	size_t n;
	bool more;
	struct cr_problem why = {0};
	cr_err e = search_query(http_query(req, "q"), offset, (size_t)limit, hits, &n, &more, &why);
	if (e) {
		http_fail(res, e, &why, "search");
		return;
	}
	struct feed_entry entries[50];
	for (size_t i = 0; i < n; i++)
		entries[i] = (struct feed_entry){.id = hits[i].video_id,
						 .has_cue = hits[i].cue_start_ms >= 0,
						 .cue_start_ms = hits[i].cue_start_ms};
	struct catalog *cat = catalog_acquire();
	struct text_buf out = {0};
	int64_t shown[50];
	size_t nshown;
	tb_puts(&out, "{\"items\":");
	e = cat ? feed_items_render(cat, &req->user, entries, n, URL_TTL, &out, shown, &nshown)
		: CR_EDB;
	catalog_release(&cat);
	if (more)
		tb_printf(&out, ",\"next_offset\":%ld}", offset + limit);
	else
		tb_puts(&out, ",\"next_offset\":null}");
	if (e)
		http_error(res, e, "search");
	else
		send_text(res, &out, "search");
	tb_free(&out);
}

static const struct cr_route routes[] = {
	{"GET", "/api/v1/feed", CR_ROLE_AGENT, CR_BODY_NONE, feed, NULL},
	{"GET", "/api/v1/feed/tags/{tag}", CR_ROLE_AGENT, CR_BODY_NONE, by_tag, NULL},
	{"GET", "/api/v1/users/{id}/videos", CR_ROLE_AGENT, CR_BODY_NONE, by_creator, NULL},
	{"GET", "/api/v1/search", CR_ROLE_AGENT, CR_BODY_NONE, search, NULL},
};

cr_err api_feed_register(struct router *r)
{
	return router_add(r, routes, sizeof routes / sizeof routes[0]);
}
