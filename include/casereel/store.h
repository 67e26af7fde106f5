/* SQLite store: one connection per thread (WAL, foreign keys, busy timeout),
 * a per-connection cache of prepared statements, numbered migrations. */
#ifndef CASEREEL_STORE_H
#define CASEREEL_STORE_H

#include <jansson.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "casereel/error.h"
#include "casereel/labels.h"

/* Opens the database at `path` (created if missing), applies every pending
 * migration and remembers `path` for the per-thread connections. Call once
 * at start, before any thread uses store_db(). */
cr_err store_init(const char *path);

/* Marks this thread's SQL as a request's, with a time budget
 * (--query-timeout): from now on, a statement still running `ms` later is
 * stopped (SQLITE_INTERRUPT: its write, and an explicit transaction it is
 * in, are rolled back), and so is every later one until
 * store_deadline_end. ms <= 0: no budget (a stop still applies). The
 * clock is looked at every 1,000 VM steps, so only statements that long
 * can be stopped. */
void store_deadline_start(int ms);

/* Ends this thread's request: true when its budget (or a stop,
 * store_stop_queries) stopped a statement since store_deadline_start (the
 * caller's answer is then a timeout, whatever the code under it made of
 * the error). */
bool store_deadline_end(void);

/* Lifts this thread's request budget for work done on behalf of every
 * request (the shared catalogue's build, which one request's budget must
 * not cut short for all); returns what store_deadline_resume puts back. */
int64_t store_deadline_pause(void);
void store_deadline_resume(int64_t paused);

/* A stop: the SQL of requests begun before this call (store_deadline_start)
 * that still runs `grace_ms` from now is stopped; requests begun after it,
 * and threads outside requests (workers), are left alone. -1 ends it. */
void store_stop_queries(int grace_ms);

/* A connection of the caller's own rather than the thread's, for work
 * that spans several callbacks of one request (a CSV export read as the
 * client reads: include/casereel/report.h). It is armed as a request is at
 * open: its statements stop once `budget_ms` from now passed (<= 0: no
 * limit) or a stop (store_stop_queries, store_interrupt_requests) reaches
 * it. Its statements are its own (not the thread's cache); nothing holds a
 * transaction between two uses. NULL when it cannot open. Not safe from
 * two threads at once. */
struct store_conn;
struct store_conn *store_conn_open(int budget_ms);

/* Closes *c (finalizing its statements) and sets it to NULL; c must not be
 * entered on any thread. */
void store_conn_close(struct store_conn **c);

/* True once c's budget or a stop has passed, or stopped one of its
 * statements: what it read last may be cut short. */
bool store_conn_stopped(const struct store_conn *c);

/* Makes c the calling thread's connection, for store_stmt() and the rest,
 * until store_conn_leave(the returned value) on the same thread, before
 * the callback returns. */
struct store_conn *store_conn_enter(struct store_conn *c);
void store_conn_leave(struct store_conn *prev);

/* sqlite3_interrupt on every connection in a request (the registry of
 * per-thread connections): their running statements stop now; workers'
 * writes are left to finish. Safe from any thread. */
void store_interrupt_requests(void);

/* A number that differs from this thread's previous call's after anything
 * was committed to the database in between, by any connection (0 when the
 * connection cannot be opened). */
uint64_t store_change_mark(void);

/* Counts from 1 to n in SQL (a recursive CTE): a query as slow as asked,
 * for the test hooks and the deadline's tests. */
cr_err store_count_to(int64_t n, int64_t *count);

/* Keeps the planner's statistics current: nothing on a small database
 * that has none, a sampled first ANALYZE once it is large (10 MB), then
 * PRAGMA optimize (only the tables whose size changed much). Run after the
 * migrations and by every maintenance round. */
cr_err store_optimize(void);

/* The calling thread's connection, opened on first use and closed when the
 * thread exits (or by store_shutdown for the main thread). NULL if it could
 * not be opened; the reason was logged. */
sqlite3 *store_db(void);

/* A cached prepared statement for `sql` on this thread's connection, reset
 * and with bindings cleared. `sql` must be a string literal (or otherwise
 * live for the whole run): the cache is keyed by its address. Do not
 * finalize it; call store_done() when finished with the rows. NULL on error. */
sqlite3_stmt *store_stmt(const char *sql);

/* For tests (tests/unit/store/test_plans.c): `hook` is called with every
 * statement store_stmt prepares, once per connection, before it runs.
 * NULL removes it. Set it before other threads use the store. */
void store_set_prepare_hook(void (*hook)(sqlite3 *db, const char *sql));

/* Steps `stmt` (from store_stmt, bindings done) once, resets it and maps
 * the result with store_error: the one-liner for INSERT/UPDATE/DELETE.
 * A NULL stmt (store_stmt failed) gives CR_EDB. */
cr_err store_run(sqlite3_stmt *stmt, const char *what);

/* store_run for a save: an INSERT when `id` is 0, else an UPDATE of row
 * `id` (CR_ENOTFOUND when it touched no row). *saved = the row's id. */
cr_err store_run_save(sqlite3_stmt *stmt, int64_t id, const char *what, int64_t *saved);

/* Whether the cached query `sql`, with ?1 = a and ?2 = b (when it has a
 * second parameter), gives a row. False on a database error too. */
bool store_exists(const char *sql, int64_t a, int64_t b);

/* Runs the cached query `sql` with ?1 = `text`: *id = the first column of
 * its first row. CR_ENOTFOUND when there is no row (or text is NULL),
 * CR_EDB (logged as `what`) on a database failure. */
cr_err store_id_by_text(const char *sql, const char *text, const char *what, int64_t *id);

/* Column `col` of the current row as a JSON integer, or JSON null when it is
 * SQL NULL (new reference). */
json_t *store_column_int_json(sqlite3_stmt *st, int col);

/* Column `col` of the current row as a JSON string, or JSON null when it is
 * SQL NULL (new reference). */
json_t *store_column_text_json(sqlite3_stmt *st, int col);

/* Columns `en` (text) and `zh` (text or NULL) of the current row as
 * {"en": ..., "zh": ... or null} (new reference; NULL without memory):
 * a row's labels in the two UI languages (see labels.h). */
json_t *store_labels_json(sqlite3_stmt *st, int en, int zh);

/* Binds l->en, l->zh and l->clear_zh to parameters first, first + 1 and
 * first + 2 (see LABELS_SET_SQL); `l` must outlive the statement's step. */
void store_bind_labels(sqlite3_stmt *st, int first, const struct cr_labels *l);

/* Runs `sql` with ?1 = id: *out = row_json() of its first row.
 * CR_ENOTFOUND when there is no row, CR_EDB when the statement cannot be
 * prepared, CR_ENOMEM when row_json fails; step errors are logged as `what`. */
cr_err store_row_json(const char *sql, int64_t id, json_t *(*row_json)(sqlite3_stmt *),
		      const char *what, json_t **out);

/* Steps the bound statement `stmt` once: CR_OK with its first row current
 * (read it, then store_done), CR_ENOTFOUND when there is no row, CR_EDB for
 * a NULL stmt or a step error (logged as `what`). */
cr_err store_step_one(sqlite3_stmt *stmt, const char *what);

/* Steps the bound statement `stmt` to the end, appending row_json(stmt) for
 * every row to a new JSON array in *out, then resets it. CR_EDB for a NULL
 * stmt; on a step error nothing is returned (the error is logged as `what`). */
cr_err store_rows_json(sqlite3_stmt *stmt, json_t *(*row_json)(sqlite3_stmt *), const char *what,
		       json_t **out);

/* Resets `stmt` so its locks are released; safe on NULL. */
void store_done(sqlite3_stmt *stmt);

/* Transaction helpers on this thread's connection. store_begin takes the
 * write lock up front (BEGIN IMMEDIATE) so writers queue on the busy timeout
 * instead of failing half-way. */
cr_err store_begin(void);
cr_err store_commit(void);
void store_rollback(void);

/* Ends the transaction store_begin opened, by the work's result `e`:
 * commits when e is CR_OK (and returns the commit's result), rolls back
 * and returns e otherwise. `return store_end(e);` closes a transaction. */
cr_err store_end(cr_err e);

/* A read transaction around several SELECTs: one WAL snapshot and one file
 * lock instead of one per statement. Returns whether it began one (not when
 * a transaction is already open); pass that to store_read_end. Only for
 * code that does not write. */
bool store_read_begin(void);
void store_read_end(bool began);

/* Runs `sql` (no parameters, may hold several statements). */
cr_err store_exec(const char *sql);

/* Maps a sqlite result code to a cr_err (constraint → CR_ECONFLICT, ...)
 * and counts/logs real database failures. */
cr_err store_error(int rc, const char *what);

/* Number of database errors seen since start (for /metrics). */
uint64_t store_error_count(void);

/* Closes the calling thread's connection (used by the main thread at exit). */
void store_close_thread(void);

/* True when the database answers a query (the health check). */
bool store_reachable(void);

/* True when this thread's connection can take the database's write lock
 * within `timeout_ms` (BEGIN IMMEDIATE, then ROLLBACK: nothing is
 * written): the readiness probe. False inside an open transaction. */
bool store_writable(int timeout_ms);

/* The schema version after migrations (PRAGMA user_version). */
int store_schema_version(void);

#endif
