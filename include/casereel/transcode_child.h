/* Transcoding in a child process. The server's workers run each job in a
 * fresh copy of this executable (`casereel transcode-job`), which runs the
 * in-process pipeline (transcode/) and reports over a pipe. A file that
 * crashes, hangs or exhausts the decoder then takes down that child only,
 * never the server with its uploads, sessions and ledger. */
#ifndef CASEREEL_TRANSCODE_CHILD_H
#define CASEREEL_TRANSCODE_CHILD_H

#include <stdatomic.h>

#include "casereel/transcode.h"

/* The subcommand the child runs as. */
#define TRANSCODE_CHILD_COMMAND "transcode-job"

/* tx_transcode()'s contract, run in a child: progress comes from the
 * child, a non-zero *cancel asks it to stop (TX_ERR_CANCELLED), and it is
 * killed past its time limit (TX_ERR_TIME_LIMIT). A child killed by a
 * signal without a result (a crash in a decoder, the OOM killer) gives
 * TX_ERR_UNSUPPORTED: the file could not be read safely; one that could
 * not start gives TX_ERR_INTERNAL. Files it left in out_dir stay. Only
 * opt->time_limit_seconds is passed on; the child uses the defaults for
 * the rest. */
int transcode_in_child(const char *input_path, const char *out_dir, const struct tx_options *opt,
		       tx_progress_fn progress, void *progress_ctx, const atomic_int *cancel,
		       struct tx_result *out);

/* The child's side: `casereel transcode-job IN OUTDIR TIME_LIMIT`, with
 * its report pipe on file descriptor 3. Returns the exit status. */
int transcode_child_main(int argc, char **argv);

#endif
