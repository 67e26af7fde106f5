/* Unit tests for the SQL time budget (store_deadline_start/_end, the
 * progress handler in src/store/store.c) and for stopping other threads'
 * requests' statements (store_stop_queries, store_interrupt_requests), and
 * for connections of their own (store_conn_*, a CSV export's). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "casereel/store.h"
#include "../test_db.h"

/* Counting this far takes minutes: only a budget or a stop ends it. */
#define FOREVER 10000000000LL

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int group_setup(void **state)
{
	(void)state;
	return test_db_open(NULL);
}

static int group_teardown(void **state)
{
	(void)state;
	return test_db_close();
}

static void test_within_budget_nothing_is_stopped(void **state)
{
	(void)state;
	int64_t n = 0;
	store_deadline_start(5000);
	assert_int_equal(store_count_to(100000, &n), CR_OK);
	assert_int_equal(n, 100000);
	assert_false(store_deadline_end());
}

static void test_past_the_budget_the_statement_stops(void **state)
{
	(void)state;
	int64_t n = 0;
	double t0 = now_s();
	store_deadline_start(200);
	assert_int_not_equal(store_count_to(FOREVER, &n), CR_OK);
	double took = now_s() - t0;
	assert_true(took >= 0.19 && took < 2.0);
	/* later statements under the spent budget stop too */
	assert_int_not_equal(store_count_to(FOREVER, &n), CR_OK);
	assert_true(store_deadline_end());
	/* the budget is over: the connection works as before */
	assert_int_equal(store_count_to(10, &n), CR_OK);
	assert_int_equal(n, 10);
	assert_false(store_deadline_end());
}

static int64_t teams_named(const char *name)
{
	int64_t id = 0;
	return store_id_by_text("SELECT count(*) FROM teams WHERE name = ?1", name, "team", &id) ==
			       CR_OK
		       ? id
		       : -1;
}

static void test_a_stopped_request_changes_nothing(void **state)
{
	(void)state;
	int64_t n = 0;
	assert_int_equal(store_begin(), CR_OK);
	assert_int_equal(store_exec("INSERT INTO teams(name, created_at) VALUES ('Late', 0)"),
			 CR_OK);
	store_deadline_start(100);
	cr_err e = store_count_to(FOREVER, &n);
	assert_true(store_deadline_end());
	assert_int_equal(store_end(e), e);
	assert_int_equal(teams_named("Late"), 0);
}

static atomic_bool counted, armed;

/* A request with no budget of its own counting forever. */
static void *count_forever(void *arg)
{
	cr_err *e = arg;
	int64_t n = 0;
	store_deadline_start(0);
	atomic_store(&armed, true);
	*e = store_count_to(FOREVER, &n);
	store_deadline_end();
	store_close_thread();
	atomic_store(&counted, true);
	return NULL;
}

/* Another thread's request, with no budget of its own, is stopped by a
 * stop's grace, then by an interrupt; a request begun after the stop and
 * work outside requests are not. */
static void test_a_stop_ends_other_threads_statements(void **state)
{
	(void)state;
	pthread_t t;
	cr_err e = CR_OK;
	struct timespec tick = {0, 5 * 1000 * 1000};
	atomic_store(&armed, false);
	assert_int_equal(pthread_create(&t, NULL, count_forever, &e), 0);
	while (!atomic_load(&armed))
		nanosleep(&tick, NULL);
	double t0 = now_s();
	store_stop_queries(300);
	pthread_join(t, NULL);
	assert_int_not_equal(e, CR_OK);
	assert_true(now_s() - t0 < 3.0);
	struct timespec past = {0, 400 * 1000 * 1000};
	nanosleep(&past, NULL); /* the grace is over */
	int64_t n = 0;
	assert_int_equal(store_count_to(200000, &n), CR_OK); /* outside a request */
	store_deadline_start(60000);
	assert_int_equal(store_count_to(200000, &n), CR_OK); /* begun after the stop */
	assert_false(store_deadline_end());
	store_stop_queries(-1);

	/* an interrupt when the thread is not in its statement yet does
	 * nothing: interrupt until it has ended */
	e = CR_OK;
	atomic_store(&counted, false);
	assert_int_equal(pthread_create(&t, NULL, count_forever, &e), 0);
	struct timespec pause = {0, 20 * 1000 * 1000};
	t0 = now_s();
	while (!atomic_load(&counted) && now_s() - t0 < 5.0) {
		store_interrupt_requests();
		nanosleep(&pause, NULL);
	}
	pthread_join(t, NULL);
	assert_int_not_equal(e, CR_OK);
	assert_true(now_s() - t0 < 5.0);
	/* this thread's connection is unharmed */
	assert_int_equal(store_count_to(3, &n), CR_OK);
}

/* A connection of its own (an export's): entered, store_stmt runs on it
 * under its own budget while the thread's connection keeps its state;
 * left, the thread's connection is back. */
static void test_an_own_connection_has_its_own_budget(void **state)
{
	(void)state;
	int64_t n = 0;
	assert_int_equal(store_begin(), CR_OK); /* the thread's, left open across the entry */
	assert_int_equal(store_exec("INSERT INTO teams(name, created_at) VALUES ('Mine', 0)"),
			 CR_OK);
	struct store_conn *own = store_conn_open(200);
	assert_non_null(own);
	struct store_conn *prev = store_conn_enter(own);
	assert_false(store_conn_stopped(own));
	assert_int_equal(teams_named("Mine"), 0); /* not the thread's transaction */
	double t0 = now_s();
	assert_int_not_equal(store_count_to(FOREVER, &n), CR_OK);
	double took = now_s() - t0;
	assert_true(took >= 0.19 && took < 2.0);
	assert_true(store_conn_stopped(own));
	store_conn_leave(prev);
	assert_int_equal(teams_named("Mine"), 1); /* the thread's own again */
	store_rollback();
	assert_int_equal(store_count_to(1000, &n), CR_OK); /* no budget spent here */
	store_conn_close(&own);
	assert_null(own);
}

/* A stop reaches an own connection opened before it, between statements
 * too (store_conn_stopped), once the grace is over. */
static void test_a_stop_reaches_an_own_connection(void **state)
{
	(void)state;
	int64_t n = 0;
	struct store_conn *own = store_conn_open(0);
	assert_non_null(own);
	struct timespec tick = {0, 2 * 1000 * 1000};
	nanosleep(&tick, NULL); /* opened strictly before the stop */
	store_stop_queries(100);
	struct store_conn *prev = store_conn_enter(own);
	assert_false(store_conn_stopped(own)); /* within the grace */
	assert_int_not_equal(store_count_to(FOREVER, &n), CR_OK);
	assert_true(store_conn_stopped(own));
	store_conn_leave(prev);
	store_stop_queries(-1);
	store_conn_close(&own);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_within_budget_nothing_is_stopped),
		cmocka_unit_test(test_past_the_budget_the_statement_stops),
		cmocka_unit_test(test_a_stopped_request_changes_nothing),
		cmocka_unit_test(test_a_stop_ends_other_threads_statements),
		cmocka_unit_test(test_an_own_connection_has_its_own_budget),
		cmocka_unit_test(test_a_stop_reaches_an_own_connection),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
