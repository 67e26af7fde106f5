/* Unit tests for the points ledger (include/casereel/ledger.h): the sum of
 * all balances stays zero under many transfers, concurrent ones from
 * several threads included; a once-only reference pays once; no user
 * balance ever goes below zero. One temp database for the whole group. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "casereel/ledger.h"
#include "casereel/store.h"

#define USERS       6
#define THREADS     4
#define PER_THREAD  150
#define SHARED_REFS 40 /* once-only refs every thread tries to pay */

static char dir[] = "/tmp/casereel-ledger-XXXXXX";
static char db_path[sizeof dir + 32];
static int64_t accounts[USERS];

static int64_t query_int(const char *sql)
{
	sqlite3_stmt *st = NULL;
	assert_int_equal(sqlite3_prepare_v2(store_db(), sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	int64_t v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static int64_t balance_of(int64_t account)
{
	int64_t b = -1;
	assert_int_equal(ledger_balance(account, &b), CR_OK);
	return b;
}

/* Every rule of the header at once: the balances add up to zero, no user
 * or shop account is below zero, and each balance is what its transfers
 * say. */
static void assert_books_balance(void)
{
	assert_int_equal(query_int("SELECT COALESCE(sum(balance), 0) FROM point_accounts"), 0);
	assert_int_equal(query_int("SELECT count(*) FROM point_accounts"
				   " WHERE balance < 0 AND kind <> 'company'"),
			 0);
	assert_int_equal(query_int("SELECT count(*) FROM point_accounts a WHERE a.balance <>"
				   " (SELECT COALESCE(sum(amount), 0) FROM point_transfers WHERE "
				   "to_account = a.id)"
				   " - (SELECT COALESCE(sum(amount), 0) FROM point_transfers"
				   "    WHERE from_account = a.id)"),
			 0);
}

static int group_setup(void **state)
{
	(void)state;
	if (!mkdtemp(dir))
		return -1;
	snprintf(db_path, sizeof db_path, "%s/test.db", dir);
	if (store_init(db_path) != CR_OK)
		return -1;
	for (int i = 0; i < USERS; i++) {
		sqlite3_stmt *st = store_stmt("INSERT INTO users (username, display_name, role,"
					      " password_hash, created_at)"
					      " VALUES ('u' || ?1, 'User', 'agent', 'x', 0)");
		if (!st)
			return -1;
		sqlite3_bind_int(st, 1, i);
		if (store_run(st, "test user") != CR_OK)
			return -1;
		if (store_begin() != CR_OK ||
		    ledger_user_account(sqlite3_last_insert_rowid(store_db()), &accounts[i]) !=
			    CR_OK ||
		    store_commit() != CR_OK)
			return -1;
	}
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	store_close_thread();
	const char *names[] = {"test.db", "test.db-wal", "test.db-shm"};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		char path[sizeof db_path + 8];
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		unlink(path);
	}
	rmdir(dir);
	return 0;
}

/* One transfer in a transaction of its own, as the server makes them. */
static cr_err transfer(int64_t from, int64_t to, int64_t amount, const char *ref)
{
	struct ledger_transfer t = {.from = from,
				    .to = to,
				    .amount = amount,
				    .kind = "tip",
				    .reason = "test",
				    .ref = ref};
	cr_err e = store_begin();
	if (e)
		return e;
	e = ledger_transfer(&t, NULL);
	if (e) {
		store_rollback();
		return e;
	}
	return store_commit();
}

static void test_account_made_once(void **state)
{
	(void)state;
	int64_t user = query_int("SELECT user_id FROM point_accounts WHERE kind = 'user' LIMIT 1");
	int64_t a = 0, b = 0;
	assert_int_equal(store_begin(), CR_OK);
	assert_int_equal(ledger_user_account(user, &a), CR_OK);
	assert_int_equal(ledger_user_account(user, &b), CR_OK);
	assert_int_equal(store_commit(), CR_OK);
	assert_int_equal(a, b);
	assert_int_equal(balance_of(987654), 0); /* unknown account */
}

static void test_reference_pays_once(void **state)
{
	(void)state;
	int64_t user = query_int("SELECT user_id FROM point_accounts WHERE kind = 'user' LIMIT 1");
	int64_t account = 0;
	assert_int_equal(store_begin(), CR_OK);
	assert_int_equal(ledger_user_account(user, &account), CR_OK);
	assert_int_equal(store_commit(), CR_OK);
	int64_t before = balance_of(account);
	int64_t rows = query_int("SELECT count(*) FROM point_transfers");

	bool paid = false;
	assert_int_equal(ledger_reward(user, 10, "learn", "watched", "learn:1:1", 1, &paid), CR_OK);
	assert_true(paid);
	assert_int_equal(ledger_reward(user, 10, "learn", "watched", "learn:1:1", 1, &paid), CR_OK);
	assert_false(paid);
	assert_int_equal(balance_of(account), before + 10);

	/* a plain transfer under a used ref is refused and writes nothing */
	assert_int_equal(transfer(LEDGER_COMPANY, account, 3, "learn:1:1"), CR_ECONFLICT);
	assert_int_equal(balance_of(account), before + 10);
	assert_int_equal(query_int("SELECT count(*) FROM point_transfers"), rows + 1);

	/* inside one transaction too: the second use of the ref pays nothing */
	assert_int_equal(store_begin(), CR_OK);
	assert_int_equal(ledger_reward_in_tx(user, 5, "quiz", "q", "quiz:1:1:1", 1, &paid), CR_OK);
	assert_true(paid);
	assert_int_equal(ledger_reward_in_tx(user, 5, "quiz", "q", "quiz:1:1:1", 1, &paid), CR_OK);
	assert_false(paid);
	assert_int_equal(store_commit(), CR_OK);
	assert_int_equal(balance_of(account), before + 15);
	assert_books_balance();
}

static void test_invalid_transfers(void **state)
{
	(void)state;
	struct ledger_transfer t = {
		.from = LEDGER_COMPANY, .to = accounts[0], .amount = 0, .kind = "tip"};
	assert_int_equal(store_begin(), CR_OK);
	assert_int_equal(ledger_transfer(&t, NULL), CR_EINVAL);
	t.amount = -5;
	assert_int_equal(ledger_transfer(&t, NULL), CR_EINVAL);
	t.amount = 5;
	t.from = t.to;
	assert_int_equal(ledger_transfer(&t, NULL), CR_EINVAL);
	store_rollback();
	assert_books_balance();
}

static void test_no_user_balance_below_zero(void **state)
{
	(void)state;
	int64_t a = accounts[1], b = accounts[2];
	int64_t have = balance_of(a);
	assert_int_equal(transfer(a, b, have + 1, NULL), CR_ETOOBIG);
	assert_int_equal(balance_of(LEDGER_SHOP), 0); /* the shop cannot go below zero either */
	assert_int_equal(transfer(LEDGER_SHOP, b, 1, NULL), CR_ETOOBIG);
	assert_int_equal(balance_of(a), have);
	assert_int_equal(transfer(LEDGER_COMPANY, a, 7, NULL), CR_OK);
	assert_int_equal(transfer(a, b, have + 7, NULL), CR_OK);
	assert_int_equal(balance_of(a), 0);
	assert_int_equal(transfer(a, b, 1, NULL), CR_ETOOBIG);

	/* the database is the backstop: a row that would overdraw is refused
	 * even when written past ledger_transfer() */
	sqlite3_stmt *st =
		store_stmt("INSERT INTO point_transfers(from_account, to_account, amount,"
			   " kind, created_at) VALUES (?1, ?2, 1, 'tip', 0)");
	assert_non_null(st);
	sqlite3_bind_int64(st, 1, a);
	sqlite3_bind_int64(st, 2, b);
	assert_int_not_equal(store_run(st, "overdraw on purpose"), CR_OK);
	assert_int_equal(balance_of(a), 0);
	assert_books_balance();
}

/* A tiny deterministic generator per thread (rand() shares its state). */
static uint32_t next_rand(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

struct worker {
	int index;
	int paid_shared; /* shared refs this thread managed to pay */
	int failures;    /* results other than OK, ETOOBIG and a used ref */
};

/* Random transfers between users, the company minting now and then, and
 * every thread racing for the same once-only refs. */
static void run_transfers(struct worker *w)
{
	uint32_t seed = 2463534242u + (uint32_t)w->index * 7919u;
	for (int i = 0; i < PER_THREAD; i++) {
		uint32_t r = next_rand(&seed);
		int64_t from = r % 5 == 0 ? LEDGER_COMPANY : accounts[r % USERS];
		int64_t to = accounts[(r / USERS + 1 + r % USERS) % USERS];
		if (to == from)
			to = LEDGER_SHOP;
		int64_t amount = 1 + (int64_t)(next_rand(&seed) % 40);
		char ref[32];
		bool shared = i % 3 == 0;
		if (shared)
			snprintf(ref, sizeof ref, "shared:%d", (i / 3) % SHARED_REFS);
		cr_err e = transfer(from, to, amount, shared ? ref : NULL);
		if (e == CR_OK && shared)
			w->paid_shared++;
		else if (e != CR_OK && e != CR_ETOOBIG && !(shared && e == CR_ECONFLICT))
			w->failures++;
	}
}

static void *worker_main(void *arg)
{
	run_transfers(arg);
	return NULL;
}

static void test_many_transfers_keep_the_sum_zero(void **state)
{
	(void)state;
	for (int i = 0; i < USERS; i++)
		assert_int_equal(transfer(LEDGER_COMPANY, accounts[i], 50, NULL), CR_OK);
	struct worker w = {.index = 100};
	run_transfers(&w);
	assert_int_equal(w.failures, 0);
	assert_books_balance();
}

static void test_concurrent_transfers(void **state)
{
	(void)state;
	/* the single-threaded test above already paid some shared refs */
	int64_t paid_before = query_int("SELECT count(*) FROM point_transfers"
					" WHERE ref LIKE 'shared:%'");
	pthread_t threads[THREADS];
	struct worker w[THREADS];
	for (int i = 0; i < THREADS; i++) {
		w[i] = (struct worker){.index = i};
		assert_int_equal(pthread_create(&threads[i], NULL, worker_main, &w[i]), 0);
	}
	int paid = 0;
	for (int i = 0; i < THREADS; i++) {
		assert_int_equal(pthread_join(threads[i], NULL), 0);
		assert_int_equal(w[i].failures, 0);
		paid += w[i].paid_shared;
	}
	/* each ref paid at most once overall, and the count says who paid it */
	int64_t paid_after = query_int("SELECT count(*) FROM point_transfers"
				       " WHERE ref LIKE 'shared:%'");
	assert_true(paid_after <= SHARED_REFS);
	assert_int_equal(paid_after - paid_before, paid);
	assert_int_equal(query_int("SELECT count(*) FROM (SELECT ref FROM point_transfers"
				   " WHERE ref IS NOT NULL GROUP BY ref HAVING count(*) > 1)"),
			 0);
	assert_books_balance();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_account_made_once),
		cmocka_unit_test(test_reference_pays_once),
		cmocka_unit_test(test_invalid_transfers),
		cmocka_unit_test(test_no_user_balance_below_zero),
		cmocka_unit_test(test_many_transfers_keep_the_sum_zero),
		cmocka_unit_test(test_concurrent_transfers),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
