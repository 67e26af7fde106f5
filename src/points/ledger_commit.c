/* Group commit of points writes: one writer thread, one transaction and one
 * fsync per batch. See include/casereel/ledger.h. */
#include "casereel/ledger.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "casereel/log.h"
#include "casereel/store.h"

/* With synchronous=FULL every COMMIT waits for an fsync (~5 ms here), so
 * one transaction per request caps the ledger near 200 writes/s. Instead,
 * points writes queue up for one writer thread, which takes the whole
 * queue, runs each write (in its own savepoint) inside one BEGIN IMMEDIATE
 * transaction, commits once, and then tells each write's owner, whose
 * request was parked meanwhile, so a waiting write holds no HTTP thread.
 * Nobody's answer leaves before the commit that made it durable, and a
 * request's writes and its key row still commit together. */

#define BATCH_MAX 256

/* One queued write. */
struct commit_req {
	const struct ledger_write_ops *ops;
	void *ctx;
	struct commit_req *next;
};

static pthread_mutex_t batch_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t work_cv = PTHREAD_COND_INITIALIZER; /* the queue has writes */
static struct commit_req *queue_head, **queue_tail = &queue_head;
static pthread_once_t writer_once = PTHREAD_ONCE_INIT;
static bool writer_running;

static cr_err savepoint(const char *sql)
{
	return store_run(store_stmt(sql), "savepoint");
}

cr_err ledger_savepoint_begin(void)
{
	return savepoint("SAVEPOINT points_job");
}

cr_err ledger_savepoint_rollback(void)
{
	return savepoint("ROLLBACK TO points_job");
}

cr_err ledger_savepoint_release(void)
{
	return savepoint("RELEASE points_job");
}

/* Runs `batch` (linked by next, NULL-terminated) as one transaction. */
static void run_batch(struct commit_req *batch)
{
	cr_err e = store_begin();
	bool lost = false; /* SQLite rolled the whole transaction back */
	for (struct commit_req *w = batch; w; w = w->next) {
		if (e || lost) {
			w->ops->failed(w->ctx, e ? e : CR_EDB);
			continue;
		}
		w->ops->run(w->ctx);
		lost = sqlite3_get_autocommit(store_db()) != 0;
	}
	if (!e && !lost)
		e = store_commit();
	if (e || lost) {
		store_rollback();
		/* Replays too: one may have read a key row of this batch. */
		for (struct commit_req *w = batch; w; w = w->next)
			w->ops->failed(w->ctx, e ? e : CR_EDB);
	}
}

/* Tells each write of the batch it is over and frees the batch. */
static void finish_batch(struct commit_req *batch)
{
	for (struct commit_req *w = batch, *next; w; w = next) {
		next = w->next;
		w->ops->done(w->ctx);
		free(w);
	}
}

/* The writer: one thread, one connection whose page cache stays warm
 * (a commit from another connection would flush it), batching whatever
 * queued up while the previous batch was being made durable. */
static void *writer_main(void *arg)
{
	(void)arg;
	for (;;) {
		pthread_mutex_lock(&batch_mu);
		while (!queue_head)
			pthread_cond_wait(&work_cv, &batch_mu);
		struct commit_req *batch = queue_head, *last = batch;
		for (int n = 1; n < BATCH_MAX && last->next; n++)
			last = last->next;
		queue_head = last->next;
		if (!queue_head)
			queue_tail = &queue_head;
		last->next = NULL;
		pthread_mutex_unlock(&batch_mu);
		run_batch(batch);
		finish_batch(batch);
	}
	return NULL;
}

static void writer_start(void)
{
	pthread_t t;
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	writer_running = pthread_create(&t, &attr, writer_main, NULL) == 0;
	pthread_attr_destroy(&attr);
	if (!writer_running)
		log_error("ledger writer thread: not started; points writes commit one by one");
}

cr_err ledger_commit_submit(const struct ledger_write_ops *ops, void *ctx)
{
	struct commit_req *w = calloc(1, sizeof *w);
	if (!w)
		return CR_ENOMEM;
	w->ops = ops;
	w->ctx = ctx;
	pthread_once(&writer_once, writer_start);
	if (!writer_running) {
		run_batch(w);
		finish_batch(w);
		return CR_OK;
	}
	ops->queued(ctx);
	pthread_mutex_lock(&batch_mu);
	*queue_tail = w;
	queue_tail = &w->next;
	pthread_cond_signal(&work_cv);
	pthread_mutex_unlock(&batch_mu);
	return CR_OK;
}
