/* The metrics import thread. See include/casereel/import_queue.h. */
#include "casereel/import_queue.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "casereel/kpi_imports.h"
#include "casereel/log.h"
#include "casereel/store.h"

/* A missed wake-up costs at most this long. */
#define IDLE_POLL_SECONDS 30

struct import_queue {
	const struct cr_config *cfg;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool woken, stopping;
	atomic_int cancel; /* read between rows by the running import */
};

cr_err import_queue_path(const struct cr_config *cfg, int64_t id, char *out, size_t size)
{
	int n = id ? snprintf(out, size, "%s/imports/%lld.csv", cfg->data_dir, (long long)id)
		   : snprintf(out, size, "%s/imports", cfg->data_dir);
	if (n < 0 || (size_t)n >= size)
		return CR_EIO;
	if (!id && mkdir(out, 0750) != 0 && errno != EEXIST) {
		log_error("mkdir %s: %s", out, strerror(errno));
		return CR_EIO;
	}
	return CR_OK;
}

/* Runs import `id` from its file, which goes once the import has ended.
 * False when the import is still queued (stopped, or the database failed). */
static bool run_one(struct import_queue *q, int64_t id)
{
	char path[PATH_MAX];
	struct kpi_rows *rows = NULL;
	struct cr_problem why = {0};
	json_t *status = NULL;
	cr_err e = import_queue_path(q->cfg, id, path, sizeof path);
	if (!e && (e = kpi_rows_open_csv(path, &rows, &why)) == CR_OK)
		e = kpi_import_run(id, rows, &q->cancel, &status, &why);
	else if (kpi_import_unreadable(id, e, &why) == CR_OK)
		kpi_import_status_json(id, &status);
	kpi_rows_close(&rows);
	const char *state = json_string_value(json_object_get(status, "state"));
	bool ended = state && strcmp(state, "queued") != 0;
	log_info("metrics import %lld: %s (%s)", (long long)id, state ? state : "unknown",
		 !e              ? "ok"
		 : why.detail[0] ? why.detail
				 : cr_strerror(e));
	if (ended)
		unlink(path);
	json_decref(status);
	return ended;
}

static void *import_thread(void *arg)
{
	struct import_queue *q = arg;
	for (;;) {
		int64_t id = 0;
		bool more = kpi_import_next_queued(&id) == CR_OK && run_one(q, id);
		pthread_mutex_lock(&q->lock);
		if (!q->stopping && !more && !q->woken) {
			struct timespec until;
			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_sec += IDLE_POLL_SECONDS;
			pthread_cond_timedwait(&q->wake, &q->lock, &until);
		}
		q->woken = false;
		bool stop = q->stopping;
		pthread_mutex_unlock(&q->lock);
		if (stop)
			break;
	}
	store_close_thread();
	return NULL;
}

/* Removes bodies that never finished arriving (a crash mid-upload). */
static void remove_incoming(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *ent;
	char path[PATH_MAX];
	while (d && (ent = readdir(d)))
		if (strncmp(ent->d_name, "incoming-", 9) == 0 &&
		    snprintf(path, sizeof path, "%s/%s", dir, ent->d_name) < (int)sizeof path)
			unlink(path);
	if (d)
		closedir(d);
}

cr_err import_queue_start(const struct cr_config *cfg, struct import_queue **out)
{
	char dir[PATH_MAX];
	*out = NULL;
	cr_err e = import_queue_path(cfg, 0, dir, sizeof dir);
	if (!e)
		e = kpi_imports_requeue();
	if (e)
		return e;
	remove_incoming(dir);
	struct import_queue *q = calloc(1, sizeof *q);
	if (!q)
		return CR_ENOMEM;
	q->cfg = cfg;
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->wake, NULL);
	if (pthread_create(&q->thread, NULL, import_thread, q) != 0) {
		pthread_cond_destroy(&q->wake);
		pthread_mutex_destroy(&q->lock);
		free(q);
		return CR_ENOMEM;
	}
	*out = q;
	return CR_OK;
}

void import_queue_wake(struct import_queue *q)
{
	if (!q)
		return;
	pthread_mutex_lock(&q->lock);
	q->woken = true;
	pthread_cond_signal(&q->wake);
	pthread_mutex_unlock(&q->lock);
}

void import_queue_stop(struct import_queue **qp)
{
	struct import_queue *q = *qp;
	if (!q)
		return;
	pthread_mutex_lock(&q->lock);
	q->stopping = true;
	atomic_store(&q->cancel, 1);
	pthread_cond_signal(&q->wake);
	pthread_mutex_unlock(&q->lock);
	pthread_join(q->thread, NULL);
	pthread_cond_destroy(&q->wake);
	pthread_mutex_destroy(&q->lock);
	free(q);
	*qp = NULL;
}
