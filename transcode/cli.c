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
	"                          [--time-limit S] [--threads N] [--parallel N]\n"
	"                          [--trim START:END] [--region X,Y,W,H,FROM,TO[,STYLE]]...\n"
	"                          [--mute FROM:TO]... [--bleep FROM:TO]... [--poster-time T]\n"
	"                          IN OUTDIR\n"
	"--parallel N runs N jobs at once on threads of this process into OUTDIR/job0..\n"
	"Edits (seconds of the input; END 0 = its end): X,Y,W,H are 0..1 of the upright\n"
	"picture, STYLE blur (default), pixelate or box.\n";

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

/* "A:B" with 0 <= A and B >= 0. */
static int parse_range(const char *s, double *a, double *b)
{
	char tail;
	return sscanf(s, "%lf:%lf%c", a, b, &tail) == 2 && *a >= 0 && *b >= 0 ? 0 : -1;
}

/* "X,Y,W,H,FROM,TO[,STYLE]" */
static int parse_region(const char *s, struct tx_region *r)
{
	char style[16] = "blur";
	int n = sscanf(s, "%lf,%lf,%lf,%lf,%lf,%lf,%15s", &r->x, &r->y, &r->w, &r->h, &r->from,
		       &r->to, style);
	if (n < 6)
		return -1;
	static const char *const styles[] = {"blur", "pixelate", "box"};
	for (int i = 0; i < 3; i++)
		if (!strcmp(style, styles[i])) {
			r->style = (enum tx_region_style)i;
			return r->w > 0 && r->h > 0 && r->x >= 0 && r->y >= 0 && r->x + r->w <= 1 &&
					       r->y + r->h <= 1 && r->to > r->from
				       ? 0
				       : -1;
		}
	return -1;
}

/* One edit flag at argv[*i] (its value next); 1 when it is not an edit flag,
 * -1 for a bad value. */
static int parse_edit(int argc, char **argv, int *i, struct tx_edits *e)
{
	const char *flag = argv[*i], *val = *i + 1 < argc ? argv[*i + 1] : NULL;
	double a, b;
	int ret = 1;
	if (!strcmp(flag, "--trim"))
		ret = val && parse_range(val, &e->trim_start, &e->trim_end) == 0 ? 0 : -1;
	else if (!strcmp(flag, "--region"))
		ret = val && e->n_regions < TX_MAX_REGIONS &&
				      parse_region(val, &e->regions[e->n_regions]) == 0
			      ? (e->n_regions++, 0)
			      : -1;
	else if (!strcmp(flag, "--mute") || !strcmp(flag, "--bleep"))
		ret = val && e->n_audio < TX_MAX_AUDIO_EDITS && parse_range(val, &a, &b) == 0 &&
				      b > a
			      ? (e->audio[e->n_audio++] =
					 (struct tx_audio_edit){a, b, flag[2] == 'b'},
				 0)
			      : -1;
	else if (!strcmp(flag, "--poster-time"))
		ret = val && parse_double(val, &e->poster_time) == 0 ? 0 : -1;
	if (ret == 0)
		(*i)++;
	return ret;
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
		int edit = parse_edit(argc, argv, &i, &opt.edits);
		if (edit < 0) {
			fputs(USAGE, stderr);
			return 2;
		}
		if (edit == 0)
			continue;
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
