/* Per-thread SQLite connections with cached prepared statements, and the
 * migration runner. See include/casereel/store.h. */
#include "casereel/store.h"

#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "casereel/log.h"
#include "casereel/ops_stats.h"
#include "schema.h"

/* Statements are cached by the address of their SQL literal in a small
 * open-addressing table; the project has far fewer distinct statements. */
#define STMT_SLOTS 512

/* How long a statement waits for another connection's lock. */
#define BUSY_TIMEOUT_MS 10000

/* VM instructions between two looks at the clock (a few microseconds). */
#define PROGRESS_STEPS 1000

struct store_conn {
	sqlite3 *db;
	int busy_ms;         /* the busy handler's budget: BUSY_TIMEOUT_MS, shorter for a probe */
	int64_t deadline_us; /* store_deadline_start's, monotonic; 0 = none */
	bool expired;        /* a statement was stopped by it */
	/* when store_deadline_start armed it (0: not in a request); read by
	 * store_interrupt_requests on other threads */
	_Atomic int64_t armed_us;
	struct store_conn *next; /* in the registry of open connections */
	const char *keys[STMT_SLOTS];
	sqlite3_stmt *stmts[STMT_SLOTS];
};

static char db_path[PATH_MAX];
static pthread_key_t conn_key;
static pthread_once_t key_once = PTHREAD_ONCE_INIT;
static atomic_uint_fast64_t db_errors;
static void (*prepare_hook)(sqlite3 *db, const char *sql);

/* Every open connection, so a stop can interrupt their statements. */
static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static struct store_conn *registry;
/* store_stop_queries: statements of requests begun before stop_called_us
 * that still run at stop_at_us are stopped; 0 = no stop */
static _Atomic int64_t stop_at_us, stop_called_us;

void store_set_prepare_hook(void (*hook)(sqlite3 *db, const char *sql))
{
	prepare_hook = hook;
}

static void unregister(struct store_conn *c)
{
	pthread_mutex_lock(&registry_lock);
	for (struct store_conn **p = &registry; *p; p = &(*p)->next)
		if (*p == c) {
			*p = c->next;
			break;
		}
	pthread_mutex_unlock(&registry_lock);
}

static void conn_free(void *p)
{
	struct store_conn *c = p;
	if (!c)
		return;
	unregister(c); /* before closing: store_interrupt_requests must not see it closed */
	for (size_t i = 0; i < STMT_SLOTS; i++)
		if (c->stmts[i])
			sqlite3_finalize(c->stmts[i]);
	sqlite3_close(c->db);
	free(c);
}

static void make_key(void)
{
	pthread_key_create(&conn_key, conn_free);
}

cr_err store_error(int rc, const char *what)
{
	int primary = rc & 0xff;
	if (primary == SQLITE_OK || primary == SQLITE_DONE || primary == SQLITE_ROW)
		return CR_OK;
	if (primary == SQLITE_CONSTRAINT)
		return CR_ECONFLICT;
	if (primary == SQLITE_BUSY)
		ops_count(OPS_DB_BUSY, 1);
	else if (primary == SQLITE_LOCKED)
		ops_count(OPS_DB_LOCKED, 1);
	atomic_fetch_add(&db_errors, 1);
	log_error("sqlite: %s: %s (%d)", what, sqlite3_errstr(rc), rc);
	return primary == SQLITE_NOMEM ? CR_ENOMEM : CR_EDB;
}

uint64_t store_error_count(void)
{
	return atomic_load(&db_errors);
}

/* sqlite3_busy_timeout's schedule (sqlite3.c, sqliteDefaultBusyCallback),
 * counted: each call is a wait for another connection's lock, which
 * /metrics reports. Gives up (SQLITE_BUSY) once c->busy_ms are spent. */
static int on_busy(void *arg, int count)
{
	static const int delays[] = {1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100};
	static const int totals[] = {0, 1, 3, 8, 18, 33, 53, 78, 103, 128, 178, 228};
	const int n = (int)(sizeof delays / sizeof delays[0]);
	const struct store_conn *c = arg;
	ops_count(OPS_DB_BUSY_WAITS, 1);
	int delay = count < n ? delays[count] : delays[n - 1];
	int prior = count < n ? totals[count] : totals[n - 1] + delay * (count - (n - 1));
	if (prior + delay > c->busy_ms) {
		delay = c->busy_ms - prior;
		if (delay <= 0)
			return 0;
	}
	sqlite3_sleep(delay);
	return 1;
}

static struct store_conn *thread_conn(void);

static int64_t mono_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Whether c's budget or a stop (of work armed before it) has passed. */
static bool past_deadline(const struct store_conn *c)
{
	if (!c->deadline_us)
		return false; /* not a request's: no budget, and a stop leaves it alone */
	int64_t stop = atomic_load_explicit(&stop_at_us, memory_order_relaxed);
	int64_t now = mono_us();
	bool stopped = stop && now >= stop &&
		       atomic_load_explicit(&c->armed_us, memory_order_relaxed) <
			       atomic_load_explicit(&stop_called_us, memory_order_relaxed);
	return now >= c->deadline_us || stopped;
}

/* SQLite's progress handler: non-zero stops the running statement
 * (SQLITE_INTERRUPT) once the thread's deadline or a stop has passed. */
static int on_progress(void *arg)
{
	struct store_conn *c = arg;
	if (past_deadline(c)) {
		c->expired = true;
		return 1;
	}
	return 0;
}

void store_deadline_start(int ms)
{
	struct store_conn *c = thread_conn();
	if (!c)
		return;
	int64_t now = mono_us();
	/* no budget (ms <= 0) is a budget far away: the request still counts */
	c->deadline_us = now + (ms > 0 ? (int64_t)ms * 1000 : INT64_MAX / 2);
	c->expired = false;
	atomic_store(&c->armed_us, now);
}

bool store_deadline_end(void)
{
	pthread_once(&key_once, make_key);
	struct store_conn *c = pthread_getspecific(conn_key);
	if (!c)
		return false;
	bool expired = c->expired;
	c->deadline_us = 0;
	c->expired = false;
	atomic_store(&c->armed_us, 0);
	return expired;
}

int64_t store_deadline_pause(void)
{
	pthread_once(&key_once, make_key);
	struct store_conn *c = pthread_getspecific(conn_key);
	if (!c)
		return 0;
	int64_t paused = c->deadline_us;
	c->deadline_us = 0;
	return paused;
}

void store_deadline_resume(int64_t paused)
{
	pthread_once(&key_once, make_key);
	struct store_conn *c = pthread_getspecific(conn_key);
	if (c)
		c->deadline_us = paused;
}

void store_stop_queries(int grace_ms)
{
	int64_t now = mono_us();
	atomic_store(&stop_called_us, grace_ms >= 0 ? now : 0);
	atomic_store(&stop_at_us, grace_ms >= 0 ? now + (int64_t)grace_ms * 1000 : 0);
}

void store_interrupt_requests(void)
{
	pthread_mutex_lock(&registry_lock);
	for (struct store_conn *c = registry; c; c = c->next)
		if (atomic_load(&c->armed_us))
			sqlite3_interrupt(c->db); /* after the request ended: harmless */
	pthread_mutex_unlock(&registry_lock);
}

static sqlite3 *open_connection(const char *path)
{
	sqlite3 *db = NULL;
	int rc = sqlite3_open_v2(
		path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		store_error(rc, "open");
		sqlite3_close(db);
		return NULL;
	}
	sqlite3_extended_result_codes(db, 1);
	/* the PRAGMAs below read the database: a connection opened while another
	 * one holds a lock waits like any statement (conn_new then sets the real
	 * busy handler), instead of failing at once */
	sqlite3_busy_timeout(db, BUSY_TIMEOUT_MS);
	/* synchronous=FULL: an acknowledged write (upload, point) survives power loss. */
	rc = sqlite3_exec(db,
			  "PRAGMA journal_mode=WAL;"
			  "PRAGMA synchronous=FULL;"
			  "PRAGMA foreign_keys=ON;"
			  "PRAGMA temp_store=MEMORY;",
			  NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		store_error(rc, "configure connection");
		sqlite3_close(db);
		return NULL;
	}
	return db;
}

/* A new registered connection (NULL when it cannot open). */
static struct store_conn *conn_new(void)
{
	struct store_conn *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->db = open_connection(db_path);
	if (!c->db) {
		free(c);
		return NULL;
	}
	c->busy_ms = BUSY_TIMEOUT_MS;
	sqlite3_busy_handler(c->db, on_busy, c);
	sqlite3_progress_handler(c->db, PROGRESS_STEPS, on_progress, c);
	pthread_mutex_lock(&registry_lock);
	c->next = registry;
	registry = c;
	pthread_mutex_unlock(&registry_lock);
	return c;
}

static struct store_conn *thread_conn(void)
{
	pthread_once(&key_once, make_key);
	struct store_conn *c = pthread_getspecific(conn_key);
	if (c)
		return c;
	c = conn_new();
	if (c)
		pthread_setspecific(conn_key, c);
	return c;
}

struct store_conn *store_conn_open(int budget_ms)
{
	struct store_conn *c = conn_new();
	if (!c)
		return NULL;
	int64_t now = mono_us();
	c->deadline_us = now + (budget_ms > 0 ? (int64_t)budget_ms * 1000 : INT64_MAX / 2);
	atomic_store(&c->armed_us, now);
	return c;
}

void store_conn_close(struct store_conn **cp)
{
	conn_free(*cp);
	*cp = NULL;
}

bool store_conn_stopped(const struct store_conn *c)
{
	return c->expired || past_deadline(c);
}

struct store_conn *store_conn_enter(struct store_conn *sc)
{
	pthread_once(&key_once, make_key);
	struct store_conn *prev = pthread_getspecific(conn_key);
	pthread_setspecific(conn_key, sc);
	return prev;
}

void store_conn_leave(struct store_conn *prev)
{
	pthread_setspecific(conn_key, prev);
}

sqlite3 *store_db(void)
{
	struct store_conn *c = thread_conn();
	return c ? c->db : NULL;
}

void store_close_thread(void)
{
	pthread_once(&key_once, make_key);
	struct store_conn *c = pthread_getspecific(conn_key);
	pthread_setspecific(conn_key, NULL);
	conn_free(c);
}

sqlite3_stmt *store_stmt(const char *sql)
{
	struct store_conn *c = thread_conn();
	if (!c)
		return NULL;
	size_t h = ((uintptr_t)sql >> 3) % STMT_SLOTS;
	for (size_t probe = 0; probe < STMT_SLOTS; probe++) {
		size_t i = (h + probe) % STMT_SLOTS;
		if (c->keys[i] == sql) {
			sqlite3_reset(c->stmts[i]);
			sqlite3_clear_bindings(c->stmts[i]);
			return c->stmts[i];
		}
		if (!c->keys[i]) {
			sqlite3_stmt *st = NULL;
			int rc = sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st,
						    NULL);
			if (rc != SQLITE_OK) {
				log_error("sqlite prepare: %s in: %.120s", sqlite3_errmsg(c->db),
					  sql);
				store_error(rc, "prepare");
				return NULL;
			}
			c->keys[i] = sql;
			c->stmts[i] = st;
			if (prepare_hook)
				prepare_hook(c->db, sql);
			return st;
		}
	}
	log_error("statement cache full");
	return NULL;
}

cr_err store_run(sqlite3_stmt *stmt, const char *what)
{
	if (!stmt)
		return CR_EDB;
	int rc = sqlite3_step(stmt);
	sqlite3_reset(stmt);
	return store_error(rc, what);
}

cr_err store_run_save(sqlite3_stmt *stmt, int64_t id, const char *what, int64_t *saved)
{
	cr_err e = store_run(stmt, what);
	if (!e && id && sqlite3_changes(store_db()) == 0)
		e = CR_ENOTFOUND;
	if (!e)
		*saved = id ? id : sqlite3_last_insert_rowid(store_db());
	return e;
}

bool store_exists(const char *sql, int64_t a, int64_t b)
{
	sqlite3_stmt *st = store_stmt(sql);
	if (!st)
		return false;
	sqlite3_bind_int64(st, 1, a);
	if (sqlite3_bind_parameter_count(st) >= 2)
		sqlite3_bind_int64(st, 2, b);
	bool found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_reset(st);
	return found;
}

cr_err store_id_by_text(const char *sql, const char *text, const char *what, int64_t *id)
{
	if (!text)
		return CR_ENOTFOUND;
	sqlite3_stmt *st = store_stmt(sql);
	if (!st)
		return CR_EDB;
	sqlite3_bind_text(st, 1, text, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? CR_OK : rc == SQLITE_DONE ? CR_ENOTFOUND : store_error(rc, what);
}

cr_err store_step_one(sqlite3_stmt *stmt, const char *what)
{
	if (!stmt)
		return CR_EDB;
	int rc = sqlite3_step(stmt);
	return rc == SQLITE_ROW ? CR_OK : rc == SQLITE_DONE ? CR_ENOTFOUND : store_error(rc, what);
}

cr_err store_row_json(const char *sql, int64_t id, json_t *(*row_json)(sqlite3_stmt *),
		      const char *what, json_t **out)
{
	*out = NULL;
	sqlite3_stmt *stmt = store_stmt(sql);
	if (!stmt)
		return CR_EDB;
	sqlite3_bind_int64(stmt, 1, id);
	int rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		*out = row_json(stmt);
	sqlite3_reset(stmt);
	if (rc == SQLITE_ROW)
		return *out ? CR_OK : CR_ENOMEM;
	return rc == SQLITE_DONE ? CR_ENOTFOUND : store_error(rc, what);
}

cr_err store_rows_json(sqlite3_stmt *stmt, json_t *(*row_json)(sqlite3_stmt *), const char *what,
		       json_t **out)
{
	json_t *rows = stmt ? json_array() : NULL;
	if (!rows)
		return stmt ? CR_ENOMEM : CR_EDB;
	int rc;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		json_array_append_new(rows, row_json(stmt));
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE) {
		json_decref(rows);
		return store_error(rc, what);
	}
	*out = rows;
	return CR_OK;
}

void store_done(sqlite3_stmt *stmt)
{
	if (stmt)
		sqlite3_reset(stmt);
}

cr_err store_exec(const char *sql)
{
	sqlite3 *db = store_db();
	if (!db)
		return CR_EDB;
	char *msg = NULL;
	int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK && msg)
		log_error("sqlite exec: %s", msg);
	sqlite3_free(msg);
	return store_error(rc, "exec");
}

/* Runs a fixed transaction statement from the statement cache: parsed once
 * per connection, not at every transaction as sqlite3_exec would. */
static cr_err run_cached(const char *sql)
{
	return store_run(store_stmt(sql), sql);
}

cr_err store_begin(void)
{
	return run_cached("BEGIN IMMEDIATE");
}

bool store_read_begin(void)
{
	sqlite3 *db = store_db();
	return db && sqlite3_get_autocommit(db) && run_cached("BEGIN") == CR_OK;
}

void store_read_end(bool began)
{
	if (began)
		store_rollback(); /* nothing was written: ending the snapshot is enough */
}

cr_err store_commit(void)
{
	cr_err e = run_cached("COMMIT");
	if (e)
		store_rollback();
	return e;
}

void store_rollback(void)
{
	sqlite3 *db = store_db();
	if (db && !sqlite3_get_autocommit(db) && run_cached("ROLLBACK"))
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL); /* the cache failed us: parse it */
}

uint64_t store_change_mark(void)
{
	struct store_conn *c = thread_conn();
	sqlite3_stmt *st = c ? store_stmt("PRAGMA data_version") : NULL;
	if (!st)
		return 0;
	uint64_t v = sqlite3_step(st) == SQLITE_ROW ? (uint64_t)sqlite3_column_int64(st, 0) : 0;
	store_done(st);
	/* data_version counts other connections' commits, total_changes this one's rows */
	return v + (uint64_t)sqlite3_total_changes64(c->db);
}

cr_err store_count_to(int64_t n, int64_t *count)
{
	sqlite3_stmt *st = store_stmt("WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1"
				      " FROM c WHERE i < ?1) SELECT count(*) FROM c");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, n);
	cr_err e = store_step_one(st, "count");
	if (!e)
		*count = sqlite3_column_int64(st, 0);
	store_done(st);
	return e;
}

bool store_reachable(void)
{
	sqlite3_stmt *st = store_stmt("SELECT count(*) FROM sqlite_master");
	int rc = st ? sqlite3_step(st) : SQLITE_ERROR;
	store_done(st);
	return rc == SQLITE_ROW;
}

bool store_writable(int timeout_ms)
{
	struct store_conn *c = thread_conn();
	if (!c || !sqlite3_get_autocommit(c->db))
		return false;
	/* BEGIN IMMEDIATE takes the write lock (and fails on a read-only or
	 * full-of-errors file) without writing a page; ROLLBACK gives it back */
	c->busy_ms = timeout_ms;
	bool ok = sqlite3_exec(c->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK;
	c->busy_ms = BUSY_TIMEOUT_MS;
	if (ok)
		sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
	return ok;
}

cr_err store_end(cr_err e)
{
	if (e == CR_OK)
		return store_commit();
	store_rollback();
	return e;
}

int store_schema_version(void)
{
	sqlite3_stmt *st = store_stmt("PRAGMA user_version");
	int v = -1;
	if (st && sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	store_done(st);
	return v;
}

static cr_err migrate(void)
{
	int version = store_schema_version();
	if (version < 0)
		return CR_EDB;
	if ((size_t)version > schema_migration_count) {
		log_error("database schema %d is newer than this binary (%zu)", version,
			  schema_migration_count);
		return CR_EDB;
	}
	for (size_t i = (size_t)version; i < schema_migration_count; i++) {
		char bump[64];
		snprintf(bump, sizeof bump, "PRAGMA user_version=%zu", i + 1);
		cr_err e = store_begin();
		if (!e)
			e = store_exec(schema_migrations[i]);
		if (!e)
			e = store_exec(bump);
		if (!e)
			e = store_commit();
		if (e) {
			store_rollback();
			log_error("migration %zu failed", i + 1);
			return e;
		}
		log_info("applied schema migration %zu", i + 1);
	}
	return CR_OK;
}

/* Statistics for the query planner. A database that has never had them
 * and is still small gets none: statistics of a tiny database would lead
 * the plans astray once it grows (the plans are written to be right
 * without any). From STATS_MIN_PAGES on, a first ANALYZE, sampled
 * (analysis_limit), gathers them; after that PRAGMA optimize refreshes
 * only the tables whose size changed a lot since. */
#define STATS_MIN_PAGES 2560 /* 10 MB at 4 KB pages */

cr_err store_optimize(void)
{
	sqlite3_stmt *st =
		store_stmt("SELECT (SELECT count(*) FROM sqlite_master WHERE name ="
			   " 'sqlite_stat1'), (SELECT page_count FROM pragma_page_count)");
	if (!st)
		return CR_EDB;
	int rc = sqlite3_step(st);
	bool have_stats = rc == SQLITE_ROW && sqlite3_column_int(st, 0) > 0;
	int64_t pages = rc == SQLITE_ROW ? sqlite3_column_int64(st, 1) : 0;
	store_done(st);
	if (rc != SQLITE_ROW)
		return store_error(rc, "optimize");
	if (!have_stats && pages < STATS_MIN_PAGES)
		return CR_OK;
	return store_exec(have_stats ? "PRAGMA analysis_limit=1000; PRAGMA optimize=0x10002;"
				     : "PRAGMA analysis_limit=1000; ANALYZE;");
}

cr_err store_init(const char *path)
{
	/* no global malloc statistics: they serialise every thread on one mutex */
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	int n = snprintf(db_path, sizeof db_path, "%s", path);
	if (n < 0 || (size_t)n >= sizeof db_path)
		return CR_EINVAL;
	if (!store_db())
		return CR_EDB;
	cr_err e = migrate();
	return e ? e : store_optimize();
}

json_t *store_column_int_json(sqlite3_stmt *st, int col)
{
	return sqlite3_column_type(st, col) == SQLITE_NULL
		       ? json_null()
		       : json_integer(sqlite3_column_int64(st, col));
}

json_t *store_column_text_json(sqlite3_stmt *st, int col)
{
	return sqlite3_column_type(st, col) == SQLITE_NULL
		       ? json_null()
		       : json_string((const char *)sqlite3_column_text(st, col));
}

json_t *store_labels_json(sqlite3_stmt *st, int en, int zh)
{
	json_t *labels = json_pack("{s:s}", "en", (const char *)sqlite3_column_text(st, en));
	if (labels)
		json_object_set_new(labels, "zh", store_column_text_json(st, zh));
	return labels;
}

void store_bind_labels(sqlite3_stmt *st, int first, const struct cr_labels *l)
{
	sqlite3_bind_text(st, first, l->en, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, first + 1, l->zh, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, first + 2, l->clear_zh);
}
