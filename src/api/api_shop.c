/* The points shop: catalogue (admin writes), orders (agents), fulfilment
 * and cancellation (admin). Order writes need an Idempotency-Key. */
#include <string.h>

#include "casereel/app.h"
#include "casereel/fields.h"
#include "casereel/idempotency.h"
#include "casereel/ledger.h"
#include "casereel/shop.h"

#define MAX_PRICE 10000000
#define MAX_STOCK 1000000

static void list_items(struct cr_request *req, struct cr_response *res)
{
	json_t *items = NULL;
	bool all = req->user.role >= CR_ROLE_ADMIN && http_query_present(req, "all");
	cr_err e = shop_items_json(all, &items);
	if (e)
		http_error(res, e, "shop items");
	else
		http_json(res, 200, json_pack("{s:o}", "items", items));
}

/* Answers with item `id` after a create or update that returned `e`. */
static void answer_item(struct cr_response *res, cr_err e, const struct cr_problem *why, int64_t id,
			unsigned status)
{
	json_t *item = NULL;
	if (!e)
		e = shop_item_json(id, &item);
	if (e)
		http_fail(res, e, why, "shop item");
	else
		http_json(res, status, item);
}

static void create_item(struct cr_request *req, struct cr_response *res)
{
	const char *name, *desc = NULL;
	int64_t price, stock, id;
	bool active = true;
	struct cr_labels labels = {0};
	if (!field_text(req, res, "name", true, 1, SHOP_NAME_MAX, &name, NULL) ||
	    !field_labels(res, req->json, "labels", &labels) ||
	    !field_text(req, res, "description", false, 0, SHOP_DESC_MAX, &desc, NULL) ||
	    !field_int(req, res, "price", true, 1, MAX_PRICE, false, &price, NULL) ||
	    !field_int(req, res, "stock", true, 0, MAX_STOCK, false, &stock, NULL) ||
	    !field_bool(req, res, "active", false, &active, NULL))
		return;
	struct cr_problem why = {0};
	cr_err e = shop_item_create(name, &labels, desc, price, stock, active, &id, &why);
	answer_item(res, e, &why, id, 201);
}

static void update_item(struct cr_request *req, struct cr_response *res)
{
	const char *name = NULL, *desc = NULL;
	int64_t id, price = 0, stock = -1;
	bool active = true, has_active = false;
	struct cr_labels labels = {0};
	if (!http_path_id(req, res, 0, "shop item", &id) ||
	    !field_text(req, res, "name", false, 1, SHOP_NAME_MAX, &name, NULL) ||
	    !field_labels(res, req->json, "labels", &labels) ||
	    !field_text(req, res, "description", false, 0, SHOP_DESC_MAX, &desc, NULL) ||
	    !field_int(req, res, "price", false, 1, MAX_PRICE, false, &price, NULL) ||
	    !field_int(req, res, "stock", false, 0, MAX_STOCK, false, &stock, NULL) ||
	    !field_bool(req, res, "active", false, &active, &has_active))
		return;
	struct cr_problem why = {0};
	cr_err e = shop_item_update(id, name, &labels, desc, price, stock, has_active ? active : -1,
				    &why);
	answer_item(res, e, &why, id, 200);
}

static void order_inner(struct cr_request *req, struct cr_response *res)
{
	int64_t item, qty = 1;
	if (!field_int(req, res, "item_id", true, 1, INT64_MAX, false, &item, NULL) ||
	    !field_int(req, res, "quantity", false, 1, SHOP_ORDER_MAX_QTY, false, &qty, NULL))
		return;
	struct cr_problem why = {0};
	json_t *order = NULL;
	cr_err e = shop_order(req->user.id, item, qty, &order, &why);
	if (e)
		http_fail(res, e, &why, "order");
	else
		http_json(res, 201, order);
}

static void order(struct cr_request *req, struct cr_response *res)
{
	http_idempotent(req, res, order_inner);
}

static void close_order(struct cr_request *req, struct cr_response *res, bool cancel)
{
	int64_t id;
	if (!http_path_id(req, res, 0, "order", &id))
		return;
	struct cr_problem why = {0};
	json_t *out = NULL;
	cr_err e = shop_close(id, req->user.id, cancel, &out, &why);
	if (e)
		http_fail(res, e, &why, "order");
	else
		http_json(res, 200, out);
}

static void fulfil_inner(struct cr_request *req, struct cr_response *res)
{
	close_order(req, res, false);
}

static void cancel_inner(struct cr_request *req, struct cr_response *res)
{
	close_order(req, res, true);
}

static void fulfil(struct cr_request *req, struct cr_response *res)
{
	http_idempotent(req, res, fulfil_inner);
}

static void cancel(struct cr_request *req, struct cr_response *res)
{
	http_idempotent(req, res, cancel_inner);
}

static void list_orders(struct cr_request *req, struct cr_response *res, int64_t user_id)
{
	long limit, before;
	const char *status = http_query(req, "status");
	if (!http_query_long(req, res, "limit", 20, 1, 100, &limit) ||
	    !http_query_long(req, res, "before", 0, 0, INT64_MAX, &before))
		return;
	if (status && strcmp(status, "reserved") && strcmp(status, "fulfilled") &&
	    strcmp(status, "cancelled")) {
		http_problem(res, 422, "invalid-field",
			     "status must be reserved, fulfilled or cancelled");
		return;
	}
	json_t *items = NULL;
	cr_err e = shop_orders_json(user_id, status, before, limit, &items);
	if (e) {
		http_error(res, e, "orders");
		return;
	}
	size_t n = json_array_size(items);
	json_t *next =
		(long)n == limit ? json_object_get(json_array_get(items, n - 1), "id") : NULL;
	http_json(res, 200, json_pack("{s:o, s:O?}", "items", items, "next_before", next));
}

static void my_orders(struct cr_request *req, struct cr_response *res)
{
	list_orders(req, res, req->user.id);
}

static void all_orders(struct cr_request *req, struct cr_response *res)
{
	list_orders(req, res, 0);
}

static const struct cr_route routes[] = {
	{"GET", "/api/v1/shop/items", CR_ROLE_AGENT, CR_BODY_NONE, list_items, NULL},
	{"POST", "/api/v1/shop/items", CR_ROLE_ADMIN, CR_BODY_JSON, create_item, NULL},
	{"PATCH", "/api/v1/shop/items/{id}", CR_ROLE_ADMIN, CR_BODY_JSON, update_item, NULL},
	{"GET", "/api/v1/shop/orders", CR_ROLE_ADMIN, CR_BODY_NONE, all_orders, NULL},
	{"POST", "/api/v1/shop/orders/{id}/fulfil", CR_ROLE_ADMIN, CR_BODY_NONE, fulfil, NULL},
	{"POST", "/api/v1/shop/orders/{id}/cancel", CR_ROLE_ADMIN, CR_BODY_NONE, cancel, NULL},
	{"GET", "/api/v1/me/orders", CR_ROLE_AGENT, CR_BODY_NONE, my_orders, NULL},
};

/* Each order keeps an idempotency row: within the caller's budget. */
static const struct cr_route order_routes[] = {
	{"POST", "/api/v1/shop/orders", CR_ROLE_AGENT, CR_BODY_JSON, order, NULL},
};
static const struct cr_route_extra order_budget = {.rate = CR_RATE_ORDERS};

cr_err api_shop_register(struct router *r)
{
	cr_err e = router_add(r, routes, sizeof routes / sizeof routes[0]);
	return e ? e
		 : router_add_extra(r, order_routes, sizeof order_routes / sizeof order_routes[0],
				    &order_budget);
}
