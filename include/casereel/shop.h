/* The points shop: an admin-managed catalogue with stock, and orders that
 * reserve stock and debit points in one transaction. An order is
 * 'reserved' until an admin fulfils it or cancels it (cancel refunds the
 * points and restores the stock); each happens once. */
#ifndef CASEREEL_SHOP_H
#define CASEREEL_SHOP_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "casereel/error.h"
#include "casereel/labels.h"

#define SHOP_NAME_MAX      80
#define SHOP_DESC_MAX      500
#define SHOP_ORDER_MAX_QTY 10

/* Items {id, name, labels: {en, zh}, description, price, stock, active,
 * created_at}, ordered by id; inactive ones only when `all`. */
cr_err shop_items_json(bool all, json_t **out);

/* One item as JSON. CR_ENOTFOUND when absent. */
cr_err shop_item_json(int64_t id, json_t **out);

/* Creates an item (labelled in English by its name unless labels->en);
 * *id gets its id. CR_EINVAL (field "name", in `why`) for a taken name. */
cr_err shop_item_create(const char *name, const struct cr_labels *labels, const char *description,
			int64_t price, int64_t stock, bool active, int64_t *id,
			struct cr_problem *why);

/* Changes the given fields (NULL / negative / absent ones stay; labels as
 * LABELS_SET_SQL). CR_ENOTFOUND when absent, CR_EINVAL (field "name", in
 * `why`) for a taken name. */
cr_err shop_item_update(int64_t id, const char *name, const struct cr_labels *labels,
			const char *description, int64_t price, int64_t stock, int active,
			struct cr_problem *why);

/* Orders `qty` of item `item_id` for `user_id`, inside the caller's
 * transaction: stock goes down only WHERE stock >= qty, and the points move
 * from the user to the shop account. *out is the order. Refusals fill `why`
 * (the caller rolls back what was reserved): CR_EINVAL (no such item on
 * sale, field "item_id"), CR_ECONFLICT ("out-of-stock"), CR_EFUNDS (balance
 * short). */
cr_err shop_order(int64_t user_id, int64_t item_id, int64_t qty, json_t **out,
		  struct cr_problem *why);

/* Fulfils (cancel = false) or cancels an open order, inside the caller's
 * transaction; cancelling refunds the points and restores the stock.
 * CR_ENOTFOUND when absent; CR_ECONFLICT ("order-closed", in `why`) when
 * it was fulfilled or cancelled already. */
cr_err shop_close(int64_t order_id, int64_t by_user, bool cancel, json_t **out,
		  struct cr_problem *why);

/* Orders newest first with id < before (0: newest); of `user_id`, or of
 * everyone when user_id is 0; `status` NULL for any. */
cr_err shop_orders_json(int64_t user_id, const char *status, int64_t before, long limit,
			json_t **out);

#endif
