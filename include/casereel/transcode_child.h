/* Transcoding in a child process. The server's workers run each job in a
 * fresh copy of this executable (`casereel transcode-job`), which runs the
 * in-process pipeline (transcode/) and reports over a pipe. A file that
 * crashes, hangs or exhausts the decoder then takes down that child only,
 * never the server with its uploads, sessions and ledger. */
#ifndef CASEREEL_TRANSCODE_CHILD_H
#define CASEREEL_TRANSCODE_CHILD_H

#include <stdatomic.h>
#include <stdint.h>

#include "casereel/transcode.h"

/* The subcommand the child runs as. */
#define TRANSCODE_CHILD_COMMAND "transcode-job"

/* transcode_in_child()'s answer when the child ended without a result. */
#define TRANSCODE_CHILD_LOST 1

/* tx_transcode()'s contract, run in a child: progress comes from the
 * child, a non-zero *cancel asks it to stop (TX_ERR_CANCELLED), and it is
 * killed past its time limit (TX_ERR_TIME_LIMIT). Returns 0 or -1 like
 * tx_transcode, or TRANSCODE_CHILD_LOST when the child ended without a
 * result: a crash in a decoder, the OOM killer, a failure to start. Worth
 * another attempt then; out says what to record if there is none
 * (TX_ERR_UNSUPPORTED for a child killed by a signal: the file could not
 * be read safely; else TX_ERR_INTERNAL). Files left in out_dir stay. Only
 * opt->time_limit_seconds and opt->edits are passed on; the child uses the
 * defaults for the rest. The child runs in its own process group and ignores the
 * terminal's and the service manager's stop signals: the server stops it.
 * It logs in the server's format and level (casereel/log.h), libav's
 * warnings and errors with `job_id` and `clip_id` as "job" and "clip". */
int transcode_in_child(const char *input_path, const char *out_dir, const struct tx_options *opt,
		       int64_t job_id, int64_t clip_id, tx_progress_fn progress, void *progress_ctx,
		       const atomic_int *cancel, struct tx_result *out);

/* The child's side: `casereel transcode-job IN OUTDIR TIME_LIMIT JOB CLIP
 * LOG_FORMAT LOG_LEVEL EDITS` (EDITS: edit_spec.h's JSON), with its report
 * pipe on file descriptor 3.
 * Returns the exit status. */
int transcode_child_main(int argc, char **argv);

#endif
