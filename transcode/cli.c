/* casereel-transcode IN OUTDIR: runs the transcode library once and prints the
 * result as one JSON object on stdout. Exit 0 on success, 1 on failure, 2 on usage. */
#include <casereel/transcode.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>

#include <jansson.h>
#include <libavutil/log.h>

static const char USAGE[] =
	"usage: casereel-transcode [--no-fast-path] [--preset NAME] [--max-seconds S]\n"
	"                          [--time-limit S] [--threads N] [--parallel N] IN OUTDIR\n"
	"--parallel N runs N jobs at once on threads of this process into OUTDIR/job0..\n";

#define MAX_PARALLEL 8

struct job {
	pthread_t thread;
	const char *in;
	char out[4096];
	const struct tx_options *opt;
	struct tx_result res;
	int rc;
};

static void *run_job(void *arg)
{
	struct job *j = arg;
	j->rc = tx_transcode(j->in, j->out, j->opt, NULL, NULL, NULL, &j->res);
	return NULL;
}

/* Runs n jobs concurrently (exercises the library's thread safety). */
static int run_parallel(const char *in, const char *out_dir, const struct tx_options *opt, int n,
			struct job *jobs)
{
	for (int i = 0; i < n; i++) {
		jobs[i].in = in;
		jobs[i].opt = opt;
		int len = snprintf(jobs[i].out, sizeof jobs[i].out, "%s/job%d", out_dir, i);
		if (len < 0 || (size_t)len >= sizeof jobs[i].out ||
		    (mkdir(jobs[i].out, 0755) != 0 && errno != EEXIST))
			return -1;
	}
	int started = 0;
	for (; started < n; started++)
		if (pthread_create(&jobs[started].thread, NULL, run_job, &jobs[started]) != 0)
			break;
	for (int i = 0; i < started; i++)
		pthread_join(jobs[i].thread, NULL);
	return started == n ? 0 : -1;
}

static const char *code_name(enum tx_error c)
{
	static const char *const names[] = {"ok",         "invalid_arg", "io",       "unsupported",
					    "no_video",   "audio_only",  "playlist", "too_large",
					    "time_limit", "cancelled",   "internal"};
	return (unsigned)c < sizeof names / sizeof *names ? names[c] : "unknown";
}

static int parse_double(const char *s, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || *end || v < 0)
		return -1;
	*out = v;
	return 0;
}

static json_t *result_json(const struct tx_result *r)
{
	json_t *rends = json_array();
	bool any_fast = false;
	for (int i = 0; i < r->n_renditions; i++) {
		const struct tx_rendition *d = &r->renditions[i];
		any_fast = any_fast || d->fast_path;
		json_array_append_new(rends,
				      json_pack("{s:s, s:s, s:s, s:i, s:i, s:b, s:I, s:I}", "name",
						d->name, "mp4", d->mp4, "playlist", d->playlist,
						"width", d->width, "height", d->height, "fast_path",
						d->fast_path, "bandwidth", (json_int_t)d->bandwidth,
						"avg_bandwidth", (json_int_t)d->avg_bandwidth));
	}
	json_t *o = json_pack(
		"{s:b, s:s, s:s, s:f, s:f, s:b, s:i, s:i, s:b, s:b, s:f, s:f, s:b, s:o}", "ok",
		r->code == TX_OK, "code", code_name(r->code), "error", r->error, "duration",
		r->duration, "source_duration", r->source_duration, "trimmed", r->trimmed, "width",
		r->width, "height", r->height, "has_audio", r->has_audio, "audio_copied",
		r->audio_copied, "loudness_in", r->loudness_in, "gain_db", r->gain_db, "fast_path",
		any_fast, "renditions", rends);
	if (o && r->code == TX_OK)
		json_object_set_new(o, "files",
				    json_pack("{s:s, s:s, s:s}", "master", "master.m3u8", "poster",
					      "poster.jpg", "thumbnail", "thumb.jpg"));
	return o;
}

int main(int argc, char **argv)
{
	struct tx_options opt = tx_options_default();
	int parallel = 0;
	int i = 1;
	for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
		double v;
		if (strcmp(argv[i], "--no-fast-path") == 0) {
			opt.allow_fast_path = false;
		} else if (strcmp(argv[i], "--preset") == 0 && i + 1 < argc) {
			opt.x264_preset = argv[++i];
		} else if (strcmp(argv[i], "--max-seconds") == 0 && i + 1 < argc &&
			   parse_double(argv[i + 1], &v) == 0 && v > 0) {
			opt.max_output_seconds = v;
			i++;
		} else if (strcmp(argv[i], "--time-limit") == 0 && i + 1 < argc &&
			   parse_double(argv[i + 1], &v) == 0) {
			opt.time_limit_seconds = v;
			i++;
		} else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc &&
			   parse_double(argv[i + 1], &v) == 0 && v <= 64) {
			opt.threads = (int)v;
			i++;
		} else if (strcmp(argv[i], "--parallel") == 0 && i + 1 < argc &&
			   parse_double(argv[i + 1], &v) == 0 && v >= 1 && v <= MAX_PARALLEL) {
			parallel = (int)v;
			i++;
		} else {
			fputs(USAGE, stderr);
			return 2;
		}
	}
	if (argc - i != 2) {
		fputs(USAGE, stderr);
		return 2;
	}
	av_log_set_level(getenv("CASEREEL_AV_LOG") ? AV_LOG_INFO : AV_LOG_ERROR);

	struct tx_result res;
	int rc;
	json_t *j;
	if (parallel > 0) {
		static struct job jobs[MAX_PARALLEL];
		rc = run_parallel(argv[i], argv[i + 1], &opt, parallel, jobs);
		json_t *all = json_array();
		for (int k = 0; k < parallel; k++) {
			rc = rc < 0 || jobs[k].rc < 0 ? -1 : 0;
			json_array_append_new(all, result_json(&jobs[k].res));
		}
		j = json_pack("{s:b, s:o}", "ok", rc == 0, "jobs", all);
	} else {
		rc = tx_transcode(argv[i], argv[i + 1], &opt, NULL, NULL, NULL, &res);
		j = result_json(&res);
	}
	if (!j || json_dumpf(j, stdout, JSON_COMPACT) < 0)
		rc = -1;
	fputc('\n', stdout);
	json_decref(j);
	return rc == 0 ? 0 : 1;
}
