/* The operator families of /metrics: the transcode queue and its outcomes,
 * uploads and media bytes, free disk, SQLite lock contention, the process
 * (standard process_* names) and the build. Counters come from ops_stats
 * (bumped where the event happens); queue depths, disk and process figures
 * are read at scrape time. */
#include "casereel/metrics.h"

#include <dirent.h>
#include <libavutil/avutil.h>
#include <sqlite3.h>
#include <stdio.h>
#include <sys/resource.h>
#include <unistd.h>

#include "casereel/disk.h"
#include "casereel/jobs.h"
#include "casereel/ops_stats.h"
#include "casereel/uploads.h"
#include "casereel/version.h"
#include "metrics_text.h"

static void counter(struct text_buf *b, const char *name, const char *help, enum ops_counter c)
{
	metrics_family(b, name, "counter", help);
	tb_printf(b, "%s %llu\n", name, (unsigned long long)ops_counter_value(c));
}

static void render_transcodes(struct text_buf *b)
{
	int64_t jobs[JOB_STATES];
	metrics_family(b, "casereel_transcode_jobs", "gauge",
		       "Transcode jobs by state; queued is the queue depth.");
	if (jobs_count_by_state(jobs) == CR_OK)
		for (int s = 0; s < JOB_STATES; s++)
			tb_printf(b, "casereel_transcode_jobs{state=\"%s\"} %lld\n",
				  jobs_state_name((enum job_state)s), (long long)jobs[s]);
	metrics_family(b, "casereel_transcode_duration_seconds", "histogram",
		       "Time a transcode job took, of jobs that ended done or failed.");
	metrics_histogram(b, "casereel_transcode_duration_seconds", "", &ops_transcode_seconds);
	struct ops_failure failed[OPS_FAILURE_CODES];
	size_t n = ops_transcode_failures(failed, OPS_FAILURE_CODES);
	metrics_family(b, "casereel_transcode_failures_total", "counter",
		       "Transcode jobs that failed, by the error code their clip shows.");
	for (size_t i = 0; i < n; i++) {
		tb_puts(b, "casereel_transcode_failures_total{error_code=");
		metrics_label_value(b, failed[i].code);
		tb_printf(b, "} %llu\n", (unsigned long long)failed[i].count);
	}
	counter(b, "casereel_transcode_retries_total",
		"Jobs queued again because their transcoder died without a result.",
		OPS_TRANSCODE_RETRIES);
	static const struct {
		const char *reason;
		enum ops_counter c;
	} killed[] = {
		{"time_limit", OPS_CHILD_TIME_LIMIT},
		{"crash", OPS_CHILD_CRASH},
		{"stop_ignored", OPS_CHILD_STOP_IGNORED},
	};
	metrics_family(b, "casereel_transcode_children_killed_total", "counter",
		       "Transcoder child processes that ended by a signal: killed past their "
		       "time limit, crashed, or killed after ignoring a stop.");
	for (size_t i = 0; i < sizeof killed / sizeof killed[0]; i++)
		tb_printf(b, "casereel_transcode_children_killed_total{reason=\"%s\"} %llu\n",
			  killed[i].reason, (unsigned long long)ops_counter_value(killed[i].c));
}

static void render_bytes(struct text_buf *b, const struct cr_config *cfg)
{
	counter(b, "casereel_upload_received_bytes_total",
		"Upload body bytes written to disk (resumable and one-shot).", OPS_UPLOAD_BYTES);
	int64_t open = 0;
	metrics_family(b, "casereel_uploads_open", "gauge",
		       "Unfinished uploads the server holds (not complete, not expired).");
	if (uploads_count_open(&open) == CR_OK)
		tb_printf(b, "casereel_uploads_open %lld\n", (long long)open);
	counter(b, "casereel_media_served_bytes_total",
		"Media file bytes answered with 200 or 206 under signed URLs.", OPS_MEDIA_BYTES);
	uint64_t media = 0, db = 0;
	metrics_family(b, "casereel_disk_free_bytes", "gauge",
		       "Bytes available on the file system of the media root or the database.");
	if (disk_free_bytes(cfg->media_dir, &media) == CR_OK)
		tb_printf(b, "casereel_disk_free_bytes{fs=\"media\"} %llu\n",
			  (unsigned long long)media);
	if (disk_free_bytes(cfg->data_dir, &db) == CR_OK)
		tb_printf(b, "casereel_disk_free_bytes{fs=\"database\"} %llu\n",
			  (unsigned long long)db);
	metrics_family(b, "casereel_disk_min_free_bytes", "gauge",
		       "Bytes the media file system keeps free (--min-free-disk): uploads that "
		       "would eat into them are refused, and /readyz fails below it.");
	tb_printf(b, "casereel_disk_min_free_bytes %lld\n", cfg->min_free_disk);
}

static void render_sqlite(struct text_buf *b)
{
	counter(b, "casereel_db_busy_total", "SQLITE_BUSY results: a lock not had in time.",
		OPS_DB_BUSY);
	counter(b, "casereel_db_locked_total",
		"SQLITE_LOCKED results: a conflict on one connection.", OPS_DB_LOCKED);
	counter(b, "casereel_db_busy_waits_total",
		"Busy-handler calls: a statement waited for another connection's lock.",
		OPS_DB_BUSY_WAITS);
}

/* -1 when /proc cannot tell. */
static long long open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		return -1;
	long long n = 0;
	for (struct dirent *e; (e = readdir(d));)
		n += e->d_name[0] != '.';
	closedir(d);
	return n - 1; /* the directory's own descriptor */
}

static long long resident_bytes(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	long long size = 0, resident = -1;
	if (f && fscanf(f, "%lld %lld", &size, &resident) != 2)
		resident = -1;
	if (f)
		fclose(f);
	return resident < 0 ? -1 : resident * sysconf(_SC_PAGESIZE);
}

static void render_process(struct text_buf *b, int64_t started)
{
	long long rss = resident_bytes(), fds = open_fds();
	struct rlimit lim;
	struct rusage ru;
	metrics_family(b, "process_resident_memory_bytes", "gauge",
		       "Resident memory size in bytes.");
	if (rss >= 0)
		tb_printf(b, "process_resident_memory_bytes %lld\n", rss);
	metrics_family(b, "process_open_fds", "gauge", "Number of open file descriptors.");
	if (fds >= 0)
		tb_printf(b, "process_open_fds %lld\n", fds);
	metrics_family(b, "process_max_fds", "gauge", "Maximum number of open file descriptors.");
	if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur != RLIM_INFINITY)
		tb_printf(b, "process_max_fds %llu\n", (unsigned long long)lim.rlim_cur);
	metrics_family(b, "process_cpu_seconds_total", "counter",
		       "User and system CPU time spent in seconds (transcoder children apart).");
	if (getrusage(RUSAGE_SELF, &ru) == 0)
		tb_printf(b, "process_cpu_seconds_total %.3f\n",
			  (double)ru.ru_utime.tv_sec + (double)ru.ru_stime.tv_sec +
				  (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6);
	metrics_family(b, "process_start_time_seconds", "gauge",
		       "Start time of the process since unix epoch in seconds.");
	tb_printf(b, "process_start_time_seconds %lld\n", (long long)started);
}

static void render_build(struct text_buf *b)
{
	metrics_family(b, "casereel_build_info", "gauge",
		       "Always 1: the casereel version and the FFmpeg and SQLite it runs with.");
	tb_puts(b, "casereel_build_info{version=");
	metrics_label_value(b, CASEREEL_VERSION);
	tb_puts(b, ",ffmpeg=");
	metrics_label_value(b, av_version_info());
	tb_puts(b, ",sqlite=");
	metrics_label_value(b, sqlite3_libversion());
	tb_puts(b, "} 1\n");
}

void metrics_ops_render(struct text_buf *b, const struct cr_config *cfg, int64_t started)
{
	render_transcodes(b);
	render_bytes(b, cfg);
	render_sqlite(b);
	render_process(b, started);
	render_build(b);
}
