/* The points shop. See include/casereel/shop.h. */
#include "casereel/shop.h"

#include <stdio.h>
#include <time.h>

#include "casereel/clock.h"
#include "casereel/ledger.h"
#include "casereel/store.h"

#define ITEM_SELECT                                                                                \
	"SELECT id, name, description, price, stock, active, created_at, " LABEL_EN_SQL(           \
		"i") ", label_zh FROM shop_items i"

static json_t *item_json(sqlite3_stmt *st)
{
	return json_pack(
		"{s:I, s:s, s:o*, s:s, s:I, s:I, s:b, s:I}", "id",
		(json_int_t)sqlite3_column_int64(st, 0), "name",
		(const char *)sqlite3_column_text(st, 1), "labels", store_labels_json(st, 7, 8),
		"description", (const char *)sqlite3_column_text(st, 2), "price",
		(json_int_t)sqlite3_column_int64(st, 3), "stock",
		(json_int_t)sqlite3_column_int64(st, 4), "active", sqlite3_column_int(st, 5),
		"created_at", (json_int_t)sqlite3_column_int64(st, 6));
}

cr_err shop_items_json(bool all, json_t **out)
{
	sqlite3_stmt *st = store_stmt(ITEM_SELECT " WHERE active OR ?1 ORDER BY id");
	if (st)
		sqlite3_bind_int(st, 1, all);
	return store_rows_json(st, item_json, "shop items", out);
}

cr_err shop_item_json(int64_t id, json_t **out)
{
	return store_row_json(ITEM_SELECT " WHERE id = ?1", id, item_json, "shop item", out);
}

/* The refusal for a name another item has. */
static cr_err name_taken(const char *name, struct cr_problem *why)
{
	return cr_refuse(why, CR_EINVAL, "invalid-field", "name",
			 "an item called '%s' exists already", name ? name : "");
}

cr_err shop_item_create(const char *name, const struct cr_labels *labels, const char *description,
			int64_t price, int64_t stock, bool active, int64_t *id,
			struct cr_problem *why)
{
	sqlite3_stmt *st = store_stmt(
		"INSERT INTO shop_items(name, description, price, stock, active, created_at,"
		" updated_at, label, label_zh) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6,"
		" " LABEL_NEW_SQL("?1", "?7") ", " LABEL_ZH_NEW_SQL("?8", "?9") ")");
	if (st) {
		store_bind_labels(st, 7, labels);
		sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, description ? description : "", -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, price);
		sqlite3_bind_int64(st, 4, stock);
		sqlite3_bind_int(st, 5, active);
		sqlite3_bind_int64(st, 6, cr_now());
	}
	cr_err e = store_run(st, "create shop item");
	if (e == CR_ECONFLICT)
		return name_taken(name, why);
	if (!e)
		*id = sqlite3_last_insert_rowid(store_db());
	return e;
}

cr_err shop_item_update(int64_t id, const char *name, const struct cr_labels *labels,
			const char *description, int64_t price, int64_t stock, int active,
			struct cr_problem *why)
{
	sqlite3_stmt *st = store_stmt(
		"UPDATE shop_items SET name = COALESCE(?2, name), "
		"description = COALESCE(?3, description),"
		" price = COALESCE(?4, price), stock = COALESCE(?5, stock), "
		"active = COALESCE(?6, active),"
		" updated_at = ?7," LABELS_SET_SQL("?2", "?8", "?9", "?10") " WHERE id = ?1");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, id);
	store_bind_labels(st, 8, labels);
	if (name)
		sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	if (description)
		sqlite3_bind_text(st, 3, description, -1, SQLITE_STATIC);
	if (price > 0)
		sqlite3_bind_int64(st, 4, price);
	if (stock >= 0)
		sqlite3_bind_int64(st, 5, stock);
	if (active >= 0)
		sqlite3_bind_int(st, 6, active);
	sqlite3_bind_int64(st, 7, cr_now());
	cr_err e = store_run(st, "update shop item");
	if (e == CR_ECONFLICT)
		return name_taken(name, why);
	return !e && sqlite3_changes(store_db()) == 0 ? CR_ENOTFOUND : e;
}

#define ORDER_SELECT                                                                               \
	"SELECT o.id, o.user_id, o.item_id, i.name, o.quantity, o.price, o.total, o.status,"       \
	" o.created_at, o.closed_at, u.display_name, " LABEL_EN_SQL(                               \
		"i") ", i.label_zh"                                                                \
		     " FROM shop_orders o"                                                         \
		     " JOIN shop_items i ON i.id = o.item_id JOIN users u ON u.id = o.user_id"

static json_t *order_json(sqlite3_stmt *st)
{
	json_t *o = json_pack("{s:I, s:{s:I, s:s}, s:{s:I, s:s, s:o*}, s:I, s:I, s:I, s:s, s:I}",
			      "id", (json_int_t)sqlite3_column_int64(st, 0), "user", "id",
			      (json_int_t)sqlite3_column_int64(st, 1), "display_name",
			      (const char *)sqlite3_column_text(st, 10), "item", "id",
			      (json_int_t)sqlite3_column_int64(st, 2), "name",
			      (const char *)sqlite3_column_text(st, 3), "labels",
			      store_labels_json(st, 11, 12), "quantity",
			      (json_int_t)sqlite3_column_int64(st, 4), "price",
			      (json_int_t)sqlite3_column_int64(st, 5), "total",
			      (json_int_t)sqlite3_column_int64(st, 6), "status",
			      (const char *)sqlite3_column_text(st, 7), "created_at",
			      (json_int_t)sqlite3_column_int64(st, 8));
	if (o && sqlite3_column_type(st, 9) != SQLITE_NULL)
		json_object_set_new(o, "closed_at", json_integer(sqlite3_column_int64(st, 9)));
	return o;
}

static cr_err order_get(int64_t id, json_t **out)
{
	return store_row_json(ORDER_SELECT " WHERE o.id = ?1", id, order_json, "order", out);
}

/* Takes `qty` from the stock only if that many are left. */
static cr_err reserve(int64_t item_id, int64_t qty, int64_t *price, int64_t *left, bool *ok)
{
	sqlite3_stmt *st = store_stmt("UPDATE shop_items SET stock = stock - ?2 WHERE id = ?1"
				      " AND active AND stock >= ?2 RETURNING price");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, item_id);
	sqlite3_bind_int64(st, 2, qty);
	int rc = sqlite3_step(st);
	*ok = rc == SQLITE_ROW;
	if (*ok)
		*price = sqlite3_column_int64(st, 0);
	store_done(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_error(rc, "reserve stock");
	if (*ok)
		return CR_OK;
	st = store_stmt("SELECT stock FROM shop_items WHERE id = ?1 AND active");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, item_id);
	rc = sqlite3_step(st);
	*left = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
	store_done(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? CR_OK : store_error(rc, "stock");
}

cr_err shop_order(int64_t user_id, int64_t item_id, int64_t qty, json_t **out,
		  struct cr_problem *why)
{
	int64_t price = 0, left = 0, account = 0, balance = 0;
	bool ok = false;
	cr_err e = reserve(item_id, qty, &price, &left, &ok);
	if (e)
		return e;
	if (!ok && left < 0)
		return cr_refuse(why, CR_EINVAL, "invalid-field", "item_id",
				 "no such item on sale");
	if (!ok)
		return cr_refuse(why, CR_ECONFLICT, "out-of-stock", NULL, "only %lld left",
				 (long long)left);
	e = ledger_user_account(user_id, &account);
	if (!e)
		e = ledger_balance(account, &balance);
	if (e)
		return e;
	if (balance < price * qty) /* the caller rolls the reservation back */
		return cr_refuse(why, CR_EFUNDS, "insufficient-points", NULL,
				 "this order costs %lld points; you have %lld",
				 (long long)(price * qty), (long long)balance);
	sqlite3_stmt *st =
		store_stmt("INSERT INTO shop_orders(user_id, item_id, quantity, price, total,"
			   " status, created_at) VALUES (?1, ?2, ?3, ?4, ?5, 'reserved', ?6)");
	if (st) {
		sqlite3_bind_int64(st, 1, user_id);
		sqlite3_bind_int64(st, 2, item_id);
		sqlite3_bind_int64(st, 3, qty);
		sqlite3_bind_int64(st, 4, price);
		sqlite3_bind_int64(st, 5, price * qty);
		sqlite3_bind_int64(st, 6, cr_now());
	}
	if ((e = store_run(st, "order")))
		return e;
	int64_t order_id = sqlite3_last_insert_rowid(store_db());
	char ref[48], reason[64];
	snprintf(ref, sizeof ref, "order:%lld", (long long)order_id);
	snprintf(reason, sizeof reason, "Shop order %lld", (long long)order_id);
	struct ledger_transfer t = {.from = account,
				    .to = LEDGER_SHOP,
				    .amount = price * qty,
				    .kind = "order",
				    .reason = reason,
				    .ref = ref,
				    .actor_id = user_id,
				    .order_id = order_id};
	e = ledger_transfer(&t, NULL);
	return e ? e : order_get(order_id, out);
}

cr_err shop_close(int64_t order_id, int64_t by_user, bool cancel, json_t **out,
		  struct cr_problem *why)
{
	sqlite3_stmt *st =
		store_stmt("UPDATE shop_orders SET status = ?2, closed_at = ?3, closed_by = ?4"
			   " WHERE id = ?1 AND status = 'reserved'"
			   " RETURNING user_id, item_id, quantity, total");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, order_id);
	sqlite3_bind_text(st, 2, cancel ? "cancelled" : "fulfilled", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, cr_now());
	sqlite3_bind_int64(st, 4, by_user);
	int64_t user = 0, item = 0, qty = 0, total = 0;
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		user = sqlite3_column_int64(st, 0);
		item = sqlite3_column_int64(st, 1);
		qty = sqlite3_column_int64(st, 2);
		total = sqlite3_column_int64(st, 3);
	}
	store_done(st);
	if (rc == SQLITE_DONE) {
		cr_err e = order_get(order_id, out);
		json_decref(*out);
		*out = NULL;
		if (e == CR_OK)
			e = cr_refuse(why, CR_ECONFLICT, "order-closed", NULL,
				      "the order was fulfilled or cancelled already");
		return e;
	}
	if (rc != SQLITE_ROW)
		return store_error(rc, "close order");
	cr_err e = CR_OK;
	if (cancel) {
		st = store_stmt("UPDATE shop_items SET stock = stock + ?2 WHERE id = ?1");
		if (st) {
			sqlite3_bind_int64(st, 1, item);
			sqlite3_bind_int64(st, 2, qty);
		}
		e = store_run(st, "restore stock");
		char ref[48], reason[64];
		snprintf(ref, sizeof ref, "refund:%lld", (long long)order_id);
		snprintf(reason, sizeof reason, "Refund of shop order %lld", (long long)order_id);
		struct ledger_transfer t = {.from = LEDGER_SHOP,
					    .amount = total,
					    .kind = "refund",
					    .reason = reason,
					    .ref = ref,
					    .actor_id = by_user,
					    .order_id = order_id};
		if (!e)
			e = ledger_user_account(user, &t.to);
		if (!e)
			e = ledger_transfer(&t, NULL);
	}
	return e ? e : order_get(order_id, out);
}

cr_err shop_orders_json(int64_t user_id, const char *status, int64_t before, long limit,
			json_t **out)
{
	sqlite3_stmt *st =
		store_stmt(ORDER_SELECT " WHERE (?1 = 0 OR o.user_id = ?1)"
					" AND (?2 IS NULL OR o.status = ?2) AND o.id < ?3"
					" ORDER BY o.id DESC LIMIT ?4");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, user_id);
	if (status)
		sqlite3_bind_text(st, 2, status, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, before > 0 ? before : INT64_MAX);
	sqlite3_bind_int64(st, 4, limit);
	return store_rows_json(st, order_json, "orders", out);
}
