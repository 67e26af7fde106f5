/* Transcoding in a child process. See include/casereel/transcode_child.h. */
#include "casereel/transcode_child.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "casereel/edit_spec.h"
#include "casereel/libav_log.h"
#include "casereel/log.h"
#include "casereel/ops_stats.h"

#define REPORT_FD            3
#define CANCEL_SIGNAL        SIGUSR1 /* how the server asks its child to stop */
#define POLL_MS              200
#define HUNG_GRACE_SECONDS   30 /* past its time limit before a child is killed */
#define CANCEL_GRACE_SECONDS 10 /* after a child was asked to stop */

enum report_kind { REPORT_PROGRESS = 1, REPORT_DONE };

/* One record on the pipe, written whole (at most PIPE_BUF bytes is atomic). */
struct report {
	int kind;
	int percent;
	struct tx_result result;
};
_Static_assert(sizeof(struct report) <= PIPE_BUF, "a report must be one atomic pipe write");

/* --- the child ----------------------------------------------------------- */

static atomic_int child_cancel;

static void on_stop_signal(int sig)
{
	(void)sig;
	atomic_store(&child_cancel, 1);
}

static void send_report(const struct report *r)
{
	ssize_t n;
	do
		n = write(REPORT_FD, r, sizeof *r);
	while (n < 0 && errno == EINTR);
}

static void report_progress(void *ctx, int percent)
{
	int *last = ctx;
	if (percent == *last)
		return;
	*last = percent;
	struct report r = {.kind = REPORT_PROGRESS, .percent = percent};
	send_report(&r);
}

/* The index of `word` in a NULL-terminated list, or `fallback`. */
static int word_index(const char *const *words, const char *word, int fallback)
{
	for (int i = 0; words[i]; i++)
		if (!strcmp(words[i], word))
			return i;
	return fallback;
}

/* The server's log format and level, and the job's ids on every line
 * libav writes. */
static void child_logging(char **argv)
{
	enum log_level level = word_index(log_level_names, argv[7], LOG_LEVEL_INFO);
	log_configure(word_index(log_format_names, argv[6], LOG_FORMAT_TEXT), level);
	libav_log_route(level, strtoll(argv[4], NULL, 10), strtoll(argv[5], NULL, 10));
}

int transcode_child_main(int argc, char **argv)
{
	struct tx_options opt = tx_options_default();
	if (argc != 9 || edit_spec_load(argv[8], &opt.edits) < 0) {
		log_error("usage: casereel %s IN OUTDIR TIME_LIMIT JOB CLIP LOG_FORMAT LOG_LEVEL "
			  "EDITS",
			  TRANSCODE_CHILD_COMMAND);
		return 2;
	}
	child_logging(argv);
	/* Stopping is the server's call (it requeues the job), not the
	 * terminal's or the service manager's, which signal every process. */
	struct sigaction stop = {.sa_handler = on_stop_signal};
	sigaction(CANCEL_SIGNAL, &stop, NULL);
	signal(SIGTERM, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN); /* a parent gone makes writes fail, not kill */
	sigset_t cancel;
	sigemptyset(&cancel);
	sigaddset(&cancel, CANCEL_SIGNAL);
	sigprocmask(SIG_UNBLOCK, &cancel, NULL); /* blocked since the fork: now it has a handler */
	opt.time_limit_seconds = strtod(argv[3], NULL);
	int last_percent = -1;
	struct report done = {.kind = REPORT_DONE};
	int rc = tx_transcode(argv[1], argv[2], &opt, report_progress, &last_percent, &child_cancel,
			      &done.result);
	send_report(&done);
	return rc == 0 ? 0 : 1;
}

/* --- the parent ---------------------------------------------------------- */

/* Starts this executable as a child transcoding `in` into `out`, its
 * report pipe on fd 3. -1 when it cannot fork. */
static pid_t spawn_child(const char *in, const char *out, double time_limit, int64_t job_id,
			 int64_t clip_id, const char *edits, int report_w)
{
	char limit[32], job[24], clip[24];
	snprintf(limit, sizeof limit, "%.3f", time_limit);
	snprintf(job, sizeof job, "%lld", (long long)job_id);
	snprintf(clip, sizeof clip, "%lld", (long long)clip_id);
	char *const args[] = {"casereel",
			      TRANSCODE_CHILD_COMMAND,
			      (char *)in,
			      (char *)out,
			      limit,
			      job,
			      clip,
			      (char *)log_format_names[log_current_format()],
			      (char *)log_level_names[log_current_level()],
			      (char *)edits,
			      NULL};
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	/* The child of a threaded process: only async-signal-safe calls until exec. */
	if (report_w == REPORT_FD ? fcntl(REPORT_FD, F_SETFD, 0) != 0
				  : dup2(report_w, REPORT_FD) < 0)
		_exit(127);
	if (close_range(REPORT_FD + 1, ~0U, 0) != 0)
		for (int fd = REPORT_FD + 1; fd < 65536; fd++)
			close(fd);
	setpgid(0, 0); /* out of the terminal's foreground group: Ctrl-C is for the server */
	/* Stop signals already pending (the server blocks them) or sent before
	 * the child's main runs must not kill it: ignore them from here on, and
	 * hold the cancel signal until transcode_child_main has its handler. */
	struct sigaction ignore = {.sa_handler = SIG_IGN};
	sigaction(SIGTERM, &ignore, NULL);
	sigaction(SIGINT, &ignore, NULL);
	sigaction(SIGHUP, &ignore, NULL);
	sigset_t held;
	sigemptyset(&held);
	sigaddset(&held, CANCEL_SIGNAL);
	sigprocmask(SIG_SETMASK, &held, NULL);
	prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive the server */
	if (getppid() != parent)
		_exit(127);
	execv("/proc/self/exe", args);
	_exit(127);
}

static double seconds_since(const struct timespec *start)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

/* The result comes from the process that parsed a hostile file: keep its
 * counts and strings inside their arrays before anyone reads them. */
static void make_sane(struct tx_result *r)
{
	const int max = (int)(sizeof r->renditions / sizeof r->renditions[0]);
	if (r->code < TX_OK || r->code > TX_ERR_INTERNAL)
		r->code = TX_ERR_INTERNAL;
	r->error[sizeof r->error - 1] = '\0';
	if (r->n_renditions < 0 || r->n_renditions > max)
		r->n_renditions = 0;
	for (int i = 0; i < max; i++) {
		struct tx_rendition *t = &r->renditions[i];
		t->name[sizeof t->name - 1] = '\0';
		t->mp4[sizeof t->mp4 - 1] = '\0';
		t->playlist[sizeof t->playlist - 1] = '\0';
	}
}

/* What the parent saw of its child. */
struct watch {
	bool got_result;
	bool asked_to_stop;
	double asked_at;
	bool killed_for_time;
};

/* Reads the child's reports until it exits, asking it to stop on *cancel
 * and killing it when it overstays its time limit or that request. */
static void follow_child(pid_t pid, int report_r, double time_limit, tx_progress_fn progress,
			 void *progress_ctx, const atomic_int *cancel, struct tx_result *out,
			 struct watch *w)
{
	struct timespec start;
	clock_gettime(CLOCK_MONOTONIC, &start);
	bool killed = false;
	for (;;) {
		struct pollfd p = {.fd = report_r, .events = POLLIN};
		if (poll(&p, 1, POLL_MS) > 0) {
			struct report r;
			ssize_t got = read(report_r, &r, sizeof r);
			if (got == 0 || (got < 0 && errno != EINTR))
				break; /* the child exited (or the pipe broke) */
			if (got == (ssize_t)sizeof r && r.kind == REPORT_PROGRESS && progress)
				progress(progress_ctx, r.percent);
			if (got == (ssize_t)sizeof r && r.kind == REPORT_DONE) {
				*out = r.result;
				make_sane(out);
				w->got_result = true;
			}
		}
		double elapsed = seconds_since(&start);
		if (!w->asked_to_stop && cancel && atomic_load(cancel)) {
			kill(pid, CANCEL_SIGNAL);
			w->asked_to_stop = true;
			w->asked_at = elapsed;
		}
		bool overstayed = time_limit > 0 && elapsed > time_limit + HUNG_GRACE_SECONDS;
		bool ignored_stop =
			w->asked_to_stop && elapsed > w->asked_at + CANCEL_GRACE_SECONDS;
		if (!killed && (overstayed || ignored_stop)) {
			kill(pid, SIGKILL);
			killed = true;
			w->killed_for_time = !w->asked_to_stop;
			ops_count(w->killed_for_time ? OPS_CHILD_TIME_LIMIT
						     : OPS_CHILD_STOP_IGNORED,
				  1);
		}
	}
}

/* Fills `out` as a failure with `code`'s own words; -1. */
static int failed(struct tx_result *out, enum tx_error code)
{
	out->code = code;
	snprintf(out->error, sizeof out->error, "%s", tx_error_string(code));
	return -1;
}

int transcode_in_child(const char *input_path, const char *out_dir, const struct tx_options *opt,
		       int64_t job_id, int64_t clip_id, tx_progress_fn progress, void *progress_ctx,
		       const atomic_int *cancel, struct tx_result *out)
{
	memset(out, 0, sizeof *out);
	struct tx_options o = opt ? *opt : tx_options_default();
	json_t *spec = edit_spec_json(&o.edits); /* made before the fork: exec takes text */
	char *edits = spec ? json_dumps(spec, JSON_COMPACT) : NULL;
	json_decref(spec);
	int fds[2];
	if (!edits || pipe2(fds, O_CLOEXEC) != 0) {
		log_error("transcoder pipe: %s", strerror(errno));
		free(edits);
		failed(out, TX_ERR_INTERNAL);
		return TRANSCODE_CHILD_LOST;
	}
	double time_limit = o.time_limit_seconds;
	pid_t pid = spawn_child(input_path, out_dir, time_limit, job_id, clip_id, edits, fds[1]);
	free(edits);
	close(fds[1]);
	if (pid < 0) {
		log_error("cannot start a transcoder: %s", strerror(errno));
		close(fds[0]);
		failed(out, TX_ERR_INTERNAL);
		return TRANSCODE_CHILD_LOST;
	}
	struct watch w = {0};
	follow_child(pid, fds[0], time_limit, progress, progress_ctx, cancel, out, &w);
	close(fds[0]);
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (w.got_result && !(out->code == TX_ERR_CANCELLED && !w.asked_to_stop))
		return out->code == TX_OK ? 0 : -1;
	if (w.asked_to_stop)
		return failed(out, TX_ERR_CANCELLED);
	if (w.killed_for_time)
		return failed(out, TX_ERR_TIME_LIMIT);
	struct log_field ids[] = {LOG_INT("job", job_id), LOG_INT("clip", clip_id)};
	if (!WIFSIGNALED(status)) {
		log_fields(LOG_LEVEL_ERROR, ids,
			   "the transcoder exited with status %d and no result on %s",
			   WEXITSTATUS(status), input_path);
		failed(out, TX_ERR_INTERNAL);
		return TRANSCODE_CHILD_LOST;
	}
	ops_count(OPS_CHILD_CRASH, 1);
	log_fields(LOG_LEVEL_ERROR, ids, "the transcoder died of signal %d (%s) on %s",
		   WTERMSIG(status), strsignal(WTERMSIG(status)), input_path);
	failed(out, TX_ERR_UNSUPPORTED);
	return TRANSCODE_CHILD_LOST;
}
