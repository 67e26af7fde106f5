/* The points history of a user, one page at a time, with what each line
 * needs for a client to say it. See include/casereel/ledger.h. */
#include "casereel/ledger.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casereel/store.h"
#include "casereel/text.h"

/* Both sides of an account's history come from their own index, newest
 * first, so a page costs O(limit) however long the history is. */
#define HISTORY_SIDE(ACC, OTHER, SIGN)                                                             \
	"SELECT * FROM (SELECT id, " OTHER " AS other, " SIGN "amount AS delta, kind, reason,"     \
	" video_id, order_id, created_at, ref FROM point_transfers WHERE " ACC " = ?1 AND id < ?2" \
	" ORDER BY id DESC LIMIT ?3)"

/* Columns of HISTORY_SQL, in order. */
enum {
	H_ID,
	H_DELTA,
	H_KIND,
	H_REASON,
	H_VIDEO,
	H_ORDER,
	H_CREATED,
	H_REF,
	H_OTHER_KIND,
	H_OTHER_USER,
	H_OTHER_NAME,
	H_VIDEO_TITLE,
	H_STREAK,
	H_ITEM_ID,
	H_ITEM_NAME,
	H_QUANTITY,
	H_GIFT,
	H_GIFT_COUNT,
	H_GIFT_LABEL,
	H_GIFT_LABEL_ZH,
	H_ITEM_LABEL,
	H_ITEM_LABEL_ZH
};

/* The page, with what each kind's line needs beyond `reason`: the clip's
 * title, a check-in's streak (its ref is LEDGER_CHECKIN_REF of ?4), the
 * item and quantity of an order or refund, a tip's gift and count (its ref
 * names the tip: LEDGER_TIP_REF / LEDGER_TIP_FREE_REF). */
/* clang-format off */
#define HISTORY_SQL                                                                                \
	"SELECT h.id, h.delta, h.kind, h.reason, h.video_id, h.order_id, h.created_at, h.ref,"     \
	" a.kind, u.id, u.display_name, v.title, c.streak, i.id, i.name, o.quantity,"              \
	" tp.gift, tp.count, g.label, g.label_zh, " LABEL_EN_SQL("i") ", i.label_zh"               \
	" FROM (" HISTORY_SIDE("from_account", "to_account", "-") " UNION ALL "                    \
	          HISTORY_SIDE("to_account", "from_account", "") ") h"                             \
	" JOIN point_accounts a ON a.id = h.other LEFT JOIN users u ON u.id = a.user_id"           \
	" LEFT JOIN videos v ON v.id = h.video_id"                                                 \
	" LEFT JOIN checkins c ON h.kind = 'checkin' AND c.user_id = ?4"                           \
	"  AND c.day = substr(h.ref, length('checkin:' || ?4 || ':') + 1)"                         \
	" LEFT JOIN shop_orders o ON o.id = h.order_id LEFT JOIN shop_items i ON i.id = o.item_id" \
	" LEFT JOIN tips tp ON h.kind IN ('tip', 'tip_free')"                                      \
	"  AND tp.id = CAST(substr(h.ref, length('tip:') + 1) AS INTEGER)"                         \
	" LEFT JOIN gifts g ON g.name = tp.gift"                                                   \
	" ORDER BY h.id DESC LIMIT ?3"
/* clang-format on */

/* A JSON string of s even when an old row holds broken UTF-8 (a title cut
 * inside a character before titles were cut on character boundaries): the
 * incomplete end is dropped, "" as a last resort. */
static json_t *lenient_string(const unsigned char *s)
{
	json_t *v = json_string(s ? (const char *)s : "");
	if (v)
		return v;
	char buf[512];
	snprintf(buf, sizeof buf, "%s", (const char *)s);
	utf8_trim(buf);
	v = json_string(buf);
	return v ? v : json_string("");
}

/* Reads the counter and count of a LEDGER_MILESTONE_REF. */
static bool milestone_from_ref(const char *ref, char *counter, size_t counter_len,
			       long long *reached)
{
	static const char prefix[] = "milestone:";
	if (!ref || strncmp(ref, prefix, sizeof prefix - 1))
		return false;
	const char *name = strchr(ref + sizeof prefix - 1, ':'); /* past the video id */
	const char *colon = name ? strchr(++name, ':') : NULL;
	if (!colon || colon == name || (size_t)(colon - name) >= counter_len)
		return false;
	char *end;
	errno = 0;
	*reached = strtoll(colon + 1, &end, 10);
	if (errno || *end || *reached < 1)
		return false;
	snprintf(counter, counter_len, "%.*s", (int)(colon - name), name);
	return true;
}

/* Adds the members a client needs to say the line in its own language:
 * video_title, streak, gift + gift_label + gift_labels + count, counter +
 * reached, item (with its labels) + quantity, as far as the row has them. */
static void describe(json_t *it, sqlite3_stmt *st)
{
	const char *kind = (const char *)sqlite3_column_text(st, H_KIND);
	const char *ref = (const char *)sqlite3_column_text(st, H_REF);
	if (sqlite3_column_type(st, H_VIDEO_TITLE) != SQLITE_NULL)
		json_object_set_new(it, "video_title",
				    lenient_string(sqlite3_column_text(st, H_VIDEO_TITLE)));
	if (sqlite3_column_type(st, H_STREAK) != SQLITE_NULL)
		json_object_set_new(it, "streak", json_integer(sqlite3_column_int64(st, H_STREAK)));
	if (sqlite3_column_type(st, H_ITEM_ID) != SQLITE_NULL) {
		json_object_set_new(
			it, "item",
			json_pack("{s:I, s:s, s:o*}", "id",
				  (json_int_t)sqlite3_column_int64(st, H_ITEM_ID), "name",
				  (const char *)sqlite3_column_text(st, H_ITEM_NAME), "labels",
				  store_labels_json(st, H_ITEM_LABEL, H_ITEM_LABEL_ZH)));
		json_object_set_new(it, "quantity",
				    json_integer(sqlite3_column_int64(st, H_QUANTITY)));
	}
	if (sqlite3_column_type(st, H_GIFT) != SQLITE_NULL) {
		json_object_set_new(it, "gift",
				    json_string((const char *)sqlite3_column_text(st, H_GIFT)));
		json_object_set_new(it, "count",
				    json_integer(sqlite3_column_int64(st, H_GIFT_COUNT)));
		if (sqlite3_column_type(st, H_GIFT_LABEL) != SQLITE_NULL) {
			json_object_set_new(it, "gift_label",
					    lenient_string(sqlite3_column_text(st, H_GIFT_LABEL)));
			json_object_set_new(it, "gift_labels",
					    store_labels_json(st, H_GIFT_LABEL, H_GIFT_LABEL_ZH));
		}
	}
	long long n;
	char counter[16];
	if (!strcmp(kind, "milestone") && milestone_from_ref(ref, counter, sizeof counter, &n)) {
		json_object_set_new(it, "counter", json_string(counter));
		json_object_set_new(it, "reached", json_integer(n));
	}
}

static json_t *history_item(sqlite3_stmt *st)
{
	json_t *cp =
		json_pack("{s:s}", "type", (const char *)sqlite3_column_text(st, H_OTHER_KIND));
	if (cp && sqlite3_column_type(st, H_OTHER_USER) != SQLITE_NULL) {
		json_object_set_new(cp, "user_id",
				    json_integer(sqlite3_column_int64(st, H_OTHER_USER)));
		json_object_set_new(
			cp, "display_name",
			json_string((const char *)sqlite3_column_text(st, H_OTHER_NAME)));
	}
	json_t *it = json_pack("{s:I, s:I, s:s, s:o, s:o*, s:I}", "id",
			       (json_int_t)sqlite3_column_int64(st, H_ID), "amount",
			       (json_int_t)sqlite3_column_int64(st, H_DELTA), "kind",
			       (const char *)sqlite3_column_text(st, H_KIND), "reason",
			       lenient_string(sqlite3_column_text(st, H_REASON)), "counterparty",
			       cp, "created_at", (json_int_t)sqlite3_column_int64(st, H_CREATED));
	if (!it)
		return NULL;
	if (sqlite3_column_type(st, H_VIDEO) != SQLITE_NULL)
		json_object_set_new(it, "video_id",
				    json_integer(sqlite3_column_int64(st, H_VIDEO)));
	if (sqlite3_column_type(st, H_ORDER) != SQLITE_NULL)
		json_object_set_new(it, "order_id",
				    json_integer(sqlite3_column_int64(st, H_ORDER)));
	describe(it, st);
	return it;
}

cr_err ledger_history_json(int64_t user_id, int64_t before, long limit, json_t **out)
{
	int64_t account = 0, balance = 0;
	sqlite3_stmt *st = store_stmt("SELECT id, balance FROM point_accounts WHERE user_id = ?1");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, user_id);
	if (sqlite3_step(st) == SQLITE_ROW) {
		account = sqlite3_column_int64(st, 0);
		balance = sqlite3_column_int64(st, 1);
	}
	store_done(st);
	st = store_stmt(HISTORY_SQL);
	json_t *items = json_array();
	if (!st || !items) {
		json_decref(items);
		return CR_EDB;
	}
	sqlite3_bind_int64(st, 1, account);
	sqlite3_bind_int64(st, 2, before > 0 ? before : INT64_MAX);
	sqlite3_bind_int64(st, 3, limit);
	sqlite3_bind_int64(st, 4, user_id);
	int rc;
	int64_t last = 0;
	long rows = 0; /* rows read, not items made: a row that fails to render must not end the
			  paging */
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		last = sqlite3_column_int64(st, H_ID);
		rows++;
		json_array_append_new(items, history_item(st));
	}
	store_done(st);
	if (rc != SQLITE_DONE) {
		json_decref(items);
		return store_error(rc, "points history");
	}
	bool more = rows == limit;
	*out = json_pack("{s:I, s:o, s:o}", "balance", (json_int_t)balance, "items", items,
			 "next_before", more ? json_integer(last) : json_null());
	return *out ? CR_OK : CR_ENOMEM;
}
