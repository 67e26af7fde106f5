/* Unit tests for src/store.c: migrations, connection settings, the
 * statement cache, error mapping and transactions. store_init may run once
 * per process, so the whole group shares one database in a temp dir. */
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
#include <time.h>
#include <unistd.h>

#include "store/schema.h"
#include "casereel/ops_stats.h"
#include "casereel/store.h"

static char dir[] = "/tmp/casereel-store-XXXXXX";
static char db_path[sizeof dir + 32];

static int group_setup(void **state)
{
	(void)state;
	if (!mkdtemp(dir))
		return -1;
	snprintf(db_path, sizeof db_path, "%s/test.db", dir);
	return store_init(db_path) == CR_OK ? 0 : -1;
}

static void remove_in_dir(const char *name)
{
	char path[sizeof db_path + 8];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	unlink(path);
}

static int group_teardown(void **state)
{
	(void)state;
	store_close_thread();
	remove_in_dir("test.db");
	remove_in_dir("test.db-wal");
	remove_in_dir("test.db-shm");
	rmdir(dir);
	return 0;
}

static int clean_tables(void **state)
{
	(void)state;
	store_rollback();
	return store_exec("DELETE FROM users; DELETE FROM teams;") == CR_OK ? 0 : -1;
}

/* The first column of the first row of `sql` as text, copied into out. */
static void query_text(const char *sql, char *out, size_t size)
{
	sqlite3_stmt *st = NULL;
	assert_int_equal(sqlite3_prepare_v2(store_db(), sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	snprintf(out, size, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
}

static int64_t query_int(const char *sql)
{
	char text[32];
	query_text(sql, text, sizeof text);
	return strtoll(text, NULL, 10);
}

static int insert_team(const char *name)
{
	static const char sql[] = "INSERT INTO teams (name, created_at) VALUES (?1, 0)";
	sqlite3_stmt *st = store_stmt(sql);
	assert_non_null(st);
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	store_done(st);
	return rc;
}

static void migrations_are_applied(void **state)
{
	(void)state;
	assert_true(schema_migration_count > 0);
	assert_int_equal(store_schema_version(), (int)schema_migration_count);
	assert_int_equal(query_int("SELECT count(*) FROM sqlite_master WHERE type = 'table'"
				   " AND name IN ('users', 'teams', 'tags', 'sessions')"),
			 4);
}

static void journal_mode_is_wal(void **state)
{
	(void)state;
	char mode[16];
	query_text("PRAGMA journal_mode", mode, sizeof mode);
	assert_string_equal(mode, "wal");
}

static void foreign_keys_are_on(void **state)
{
	(void)state;
	assert_int_equal(query_int("PRAGMA foreign_keys"), 1);
}

struct thread_check {
	char journal_mode[16];
	int64_t foreign_keys;
	cr_err begin;     /* store_begin while the main thread held the write lock */
	double waited_ms; /* ... and how long it waited for it */
	int version;
	int64_t shared_teams; /* rows named 'shared' this thread can see */
	bool own_connection;
	sqlite3 *main_db;
};

static void *check_thread_connection(void *p)
{
	struct thread_check *c = p;
	sqlite3 *db = store_db();
	c->own_connection = db && db != c->main_db;
	if (db) {
		sqlite3_stmt *st = NULL;
		if (sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL) == SQLITE_OK &&
		    sqlite3_step(st) == SQLITE_ROW)
			snprintf(c->journal_mode, sizeof c->journal_mode, "%s",
				 (const char *)sqlite3_column_text(st, 0));
		sqlite3_finalize(st);
		sqlite3_prepare_v2(db, "PRAGMA foreign_keys", -1, &st, NULL);
		if (sqlite3_step(st) == SQLITE_ROW)
			c->foreign_keys = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
		struct timespec t0, t1;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		c->begin = store_begin();
		clock_gettime(CLOCK_MONOTONIC, &t1);
		store_rollback();
		c->waited_ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
			       (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
		sqlite3_prepare_v2(db, "SELECT count(*) FROM teams WHERE name = 'shared'", -1, &st,
				   NULL);
		if (sqlite3_step(st) == SQLITE_ROW)
			c->shared_teams = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
		c->version = store_schema_version();
	}
	return NULL; /* the thread-exit destructor closes the connection */
}

static void other_threads_get_configured_connections(void **state)
{
	(void)state;
	struct thread_check c = {.main_db = store_db(), .version = -1, .begin = CR_EDB};
	pthread_t th;
	uint64_t waits = ops_counter_value(OPS_DB_BUSY_WAITS);
	/* the thread's write waits for this one (its busy handler) instead of failing */
	assert_int_equal(store_begin(), CR_OK);
	assert_int_equal(pthread_create(&th, NULL, check_thread_connection, &c), 0);
	usleep(300 * 1000); /* ample for the thread to reach its store_begin */
	store_rollback();
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_true(c.own_connection);
	assert_string_equal(c.journal_mode, "wal");
	assert_int_equal(c.foreign_keys, 1);
	assert_int_equal(c.begin, CR_OK);
	assert_true(c.waited_ms > 0);
	assert_true(ops_counter_value(OPS_DB_BUSY_WAITS) > waits);
	assert_int_equal(c.version, (int)schema_migration_count);
}

static void stmt_is_cached_per_literal(void **state)
{
	(void)state;
	static const char sql_a[] = "SELECT ?1";
	static const char sql_b[] = "SELECT ?1";
	sqlite3_stmt *a1 = store_stmt(sql_a);
	assert_non_null(a1);
	sqlite3_stmt *a2 = store_stmt(sql_a);
	assert_ptr_equal(a1, a2);
	/* the cache is keyed by address: equal text elsewhere is another entry */
	sqlite3_stmt *b = store_stmt(sql_b);
	assert_non_null(b);
	assert_ptr_not_equal(a1, b);
	store_done(b);
}

static void cached_stmt_comes_back_reset_and_unbound(void **state)
{
	(void)state;
	static const char sql[] = "SELECT ?1";
	sqlite3_stmt *st = store_stmt(sql);
	assert_non_null(st);
	assert_int_equal(sqlite3_bind_int(st, 1, 5), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(st, 0), 5);
	/* asked for again mid-row: reset, and the binding is gone */
	st = store_stmt(sql);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_type(st, 0), SQLITE_NULL);
	store_done(st);
	store_done(NULL); /* safe */
}

static void bad_sql_gives_null_and_counts_an_error(void **state)
{
	(void)state;
	static const char sql[] = "SELEKT nonsense";
	uint64_t before = store_error_count();
	assert_null(store_stmt(sql));
	assert_int_equal(store_error_count(), before + 1);
	assert_null(store_stmt(sql)); /* a failure is not cached */
}

static void unique_violation_is_conflict(void **state)
{
	(void)state;
	assert_int_equal(insert_team("Support"), SQLITE_DONE);
	uint64_t before = store_error_count();
	int rc = insert_team("support"); /* COLLATE NOCASE */
	assert_int_equal(rc & 0xff, SQLITE_CONSTRAINT);
	assert_int_equal(store_error(rc, "insert team"), CR_ECONFLICT);
	/* a client's conflict is not a database failure */
	assert_int_equal(store_error_count(), before);
}

static void foreign_key_violation_is_conflict(void **state)
{
	(void)state;
	static const char sql[] =
		"INSERT INTO users (username, display_name, role, team_id,"
		" password_hash, created_at) VALUES ('u', 'U', 'agent', 999, 'x', 0)";
	sqlite3_stmt *st = store_stmt(sql);
	assert_non_null(st);
	int rc = sqlite3_step(st);
	store_done(st);
	assert_int_equal(rc, SQLITE_CONSTRAINT_FOREIGNKEY);
	assert_int_equal(store_error(rc, "insert user"), CR_ECONFLICT);
}

static void error_codes_map(void **state)
{
	(void)state;
	assert_int_equal(store_error(SQLITE_OK, "x"), CR_OK);
	assert_int_equal(store_error(SQLITE_DONE, "x"), CR_OK);
	assert_int_equal(store_error(SQLITE_ROW, "x"), CR_OK);
	assert_int_equal(store_error(SQLITE_CONSTRAINT_NOTNULL, "x"), CR_ECONFLICT);
	uint64_t before = store_error_count();
	assert_int_equal(store_error(SQLITE_NOMEM, "x"), CR_ENOMEM);
	assert_int_equal(store_error(SQLITE_IOERR_READ, "x"), CR_EDB);
	assert_int_equal(store_error(SQLITE_BUSY, "x"), CR_EDB);
	assert_int_equal(store_error_count(), before + 3);
}

static void exec_runs_several_statements(void **state)
{
	(void)state;
	assert_int_equal(store_exec("INSERT INTO teams (name, created_at) VALUES ('a', 0);"
				    "INSERT INTO teams (name, created_at) VALUES ('b', 0);"),
			 CR_OK);
	assert_int_equal(query_int("SELECT count(*) FROM teams"), 2);
	assert_int_equal(store_exec("INSERT INTO teams (name, created_at) VALUES ('A', 0)"),
			 CR_ECONFLICT);
	assert_int_equal(store_exec("NOT SQL"), CR_EDB);
}

static void rollback_discards(void **state)
{
	(void)state;
	assert_int_equal(store_begin(), CR_OK);
	assert_int_equal(sqlite3_get_autocommit(store_db()), 0);
	assert_int_equal(insert_team("gone"), SQLITE_DONE);
	store_rollback();
	assert_int_equal(sqlite3_get_autocommit(store_db()), 1);
	assert_int_equal(query_int("SELECT count(*) FROM teams"), 0);
}

static void commit_keeps(void **state)
{
	(void)state;
	assert_int_equal(store_begin(), CR_OK);
	assert_int_equal(insert_team("kept"), SQLITE_DONE);
	assert_int_equal(store_commit(), CR_OK);
	assert_int_equal(sqlite3_get_autocommit(store_db()), 1);
	assert_int_equal(query_int("SELECT count(*) FROM teams WHERE name = 'kept'"), 1);
}

static void end_commits_on_success_and_rolls_back_on_error(void **state)
{
	(void)state;
	assert_int_equal(store_begin(), CR_OK);
	assert_int_equal(insert_team("ended"), SQLITE_DONE);
	assert_int_equal(store_end(CR_OK), CR_OK);
	assert_int_equal(sqlite3_get_autocommit(store_db()), 1);
	assert_int_equal(query_int("SELECT count(*) FROM teams WHERE name = 'ended'"), 1);
	assert_int_equal(store_begin(), CR_OK);
	assert_int_equal(insert_team("refused"), SQLITE_DONE);
	assert_int_equal(store_end(CR_ECONFLICT), CR_ECONFLICT); /* the work's result comes back */
	assert_int_equal(sqlite3_get_autocommit(store_db()), 1);
	assert_int_equal(query_int("SELECT count(*) FROM teams WHERE name = 'refused'"), 0);
}

static void misuse_of_transactions(void **state)
{
	(void)state;
	store_rollback(); /* outside a transaction: nothing happens */
	assert_int_equal(store_commit(), CR_EDB);
	assert_int_equal(store_begin(), CR_OK);
	assert_int_equal(store_begin(), CR_EDB); /* no nesting */
	assert_int_equal(sqlite3_get_autocommit(store_db()), 0);
	store_rollback();
	assert_int_equal(sqlite3_get_autocommit(store_db()), 1);
}

static void writes_are_visible_to_other_threads(void **state)
{
	(void)state;
	assert_int_equal(insert_team("shared"), SQLITE_DONE);
	struct thread_check c = {.main_db = store_db(), .version = -1};
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, check_thread_connection, &c), 0);
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_true(c.own_connection);
	assert_int_equal(c.shared_teams, 1);
}

/* The readiness probe: it takes the write lock when it is free, gives up
 * within its budget while another connection writes (and the waits show in
 * the busy-handler count), and never probes inside a transaction. */
static void writable_probe_waits_its_budget_and_counts_the_waits(void **state)
{
	(void)state;
	assert_true(store_writable(200));
	assert_int_equal(sqlite3_get_autocommit(store_db()), 1); /* nothing left open */
	sqlite3 *other = NULL;
	assert_int_equal(sqlite3_open(db_path, &other), SQLITE_OK);
	assert_int_equal(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
	uint64_t waits = ops_counter_value(OPS_DB_BUSY_WAITS);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_false(store_writable(100));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	assert_true(ms >= 90 && ms < 2000);
	assert_true(ops_counter_value(OPS_DB_BUSY_WAITS) > waits);
	/* once the other side lets go, the probe succeeds again */
	sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL);
	assert_true(store_writable(100));
	assert_int_equal(store_begin(), CR_OK);
	assert_false(store_writable(100)); /* inside a transaction */
	store_rollback();
	sqlite3_close(other);
}

static void busy_and_locked_results_are_counted(void **state)
{
	(void)state;
	uint64_t busy = ops_counter_value(OPS_DB_BUSY);
	uint64_t locked = ops_counter_value(OPS_DB_LOCKED);
	assert_int_equal(store_error(SQLITE_BUSY, "test"), CR_EDB);
	assert_int_equal(store_error(SQLITE_BUSY_SNAPSHOT, "test"), CR_EDB);
	assert_int_equal(store_error(SQLITE_LOCKED, "test"), CR_EDB);
	assert_int_equal(store_error(SQLITE_IOERR, "test"), CR_EDB);
	assert_int_equal(ops_counter_value(OPS_DB_BUSY), busy + 2);
	assert_int_equal(ops_counter_value(OPS_DB_LOCKED), locked + 1);
}

#define T(fn) cmocka_unit_test_setup(fn, clean_tables)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(migrations_are_applied),
		T(journal_mode_is_wal),
		T(foreign_keys_are_on),
		T(other_threads_get_configured_connections),
		T(stmt_is_cached_per_literal),
		T(cached_stmt_comes_back_reset_and_unbound),
		T(bad_sql_gives_null_and_counts_an_error),
		T(unique_violation_is_conflict),
		T(foreign_key_violation_is_conflict),
		T(error_codes_map),
		T(exec_runs_several_statements),
		T(rollback_discards),
		T(commit_keeps),
		T(end_commits_on_success_and_rolls_back_on_error),
		T(misuse_of_transactions),
		T(writes_are_visible_to_other_threads),
		T(writable_probe_waits_its_budget_and_counts_the_waits),
		T(busy_and_locked_results_are_counted),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
