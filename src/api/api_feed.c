/* The ranked personal feed, plus plain lists of published clips: by tag,
 * by creator, and title/tag search. */
#include <stdio.h>
#include <string.h>

#include "casereel/app.h"
#include "casereel/feed.h"
#include "casereel/feed_items.h"
#include "casereel/fields.h"
#include "casereel/store.h"

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

struct filter {
	const char *tag;   /* clips with this tag */
	int64_t owner_id;  /* clips by this creator */
	const char *query; /* title contains, or tag equals */
};

/* Newest first, keyset-paged by id (`before`). */
static void list_published(struct cr_request *req, struct cr_response *res, const struct filter *f)
{
	long limit, before;
	if (!http_query_long(req, res, "limit", 20, 1, 50, &limit) ||
	    !http_query_long(req, res, "before", INT64_MAX, 1, INT64_MAX, &before))
		return;
	char like[200] = "";
	if (f->query) { /* escape LIKE's wildcards: the words are literal */
		size_t n = 0;
		like[n++] = '%';
		for (const char *p = f->query; *p && n + 3 < sizeof like; p++) {
			if (*p == '%' || *p == '_' || *p == '\\')
				like[n++] = '\\';
			like[n++] = *p;
		}
		like[n++] = '%';
		like[n] = '\0';
	}
	sqlite3_stmt *st = store_stmt(
		"SELECT v.id FROM videos v WHERE v.status = 'published' AND v.id < ?1"
		" AND (?2 IS NULL OR EXISTS (SELECT 1 FROM video_tags vt JOIN tags t ON t.id = "
		"vt.tag_id"
		"   WHERE vt.video_id = v.id AND t.name = ?2))"
		" AND (?3 = 0 OR v.owner_id = ?3)"
		" AND (?4 IS NULL OR v.title LIKE ?4 ESCAPE '\\' OR EXISTS (SELECT 1 FROM "
		"video_tags vt"
		"   JOIN tags t ON t.id = vt.tag_id WHERE vt.video_id = v.id AND t.name = ?5))"
		" ORDER BY v.id DESC LIMIT ?6");
	if (!st) {
		http_error(res, CR_EDB, "clip list");
		return;
	}
	sqlite3_bind_int64(st, 1, before);
	sqlite3_bind_text(st, 2, f->tag, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, f->owner_id);
	if (f->query) {
		sqlite3_bind_text(st, 4, like, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, f->query, -1, SQLITE_STATIC);
	}
	sqlite3_bind_int64(st, 6, limit);
	struct feed_entry entries[50];
	size_t n = 0;
	while (n < (size_t)limit && sqlite3_step(st) == SQLITE_ROW)
		entries[n++] = (struct feed_entry){.id = sqlite3_column_int64(st, 0)};
	store_done(st);
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
	struct filter f = {.tag = req->params[0]};
	list_published(req, res, &f);
}

static void by_creator(struct cr_request *req, struct cr_response *res)
{
	struct filter f = {0};
	if (http_path_id(req, res, 0, "user", &f.owner_id))
		list_published(req, res, &f);
}

static void search(struct cr_request *req, struct cr_response *res)
{
	struct filter f = {.query = http_query(req, "q")};
	if (!f.query || !*f.query || utf8_length(f.query) > 100) {
		http_invalid_field(res, "q", "q must be 1 to 100 characters");
		return;
	}
	list_published(req, res, &f);
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
