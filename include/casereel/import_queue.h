/* The background runner of metrics imports too large to answer at once:
 * one thread takes queued imports oldest first, reads each from its file
 * <data>/imports/<id>.csv, runs it (kpi_import_run) and deletes the file.
 * Imports a stopped server left unfinished run again at the next start. */
#ifndef CASEREEL_IMPORT_QUEUE_H
#define CASEREEL_IMPORT_QUEUE_H

#include <stddef.h>
#include <stdint.h>

#include "casereel/config.h"
#include "casereel/error.h"

struct import_queue;

/* Where import `id`'s file lives; with id 0, the folder (made if missing).
 * CR_EIO when the folder cannot be made or the path does not fit. */
cr_err import_queue_path(const struct cr_config *cfg, int64_t id, char *out, size_t size);

/* Requeues what a stopped server left, removes files of bodies that never
 * finished arriving, and starts the thread. */
cr_err import_queue_start(const struct cr_config *cfg, struct import_queue **out);

/* Wakes the thread: an import was queued. Safe on NULL (the import then
 * waits for the next start). */
void import_queue_wake(struct import_queue *q);

/* Stops the import running now (it goes back to the queue, what it wrote
 * taken back), joins the thread and frees the queue; safe on NULL. */
void import_queue_stop(struct import_queue **q);

#endif
