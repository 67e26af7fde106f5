/* Benchmark of the learning loop's server code on a generated contact
 * center (bench/metrics.sh runs it and the peer): CSV ingest through the
 * very functions POST /api/v1/metrics/import uses (parse, check, upsert,
 * one durable commit), agent profile latency, one full push-rule pass, and
 * impact reports for 20 paths. Prints one line per figure:
 *   name value unit
 * Flags: --agents N (2000) --days D (90) --dir DIR (required, emptied).
 * Every agent gets 8 series a day: qa_score on 4 skills, csat, aht_seconds,
 * fcr_rate, compliance_misses. Seeded: the same flags make the same data. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "casereel/csv.h"
#include "casereel/impact.h"
#include "casereel/kpi.h"
#include "casereel/paths.h"
#include "casereel/profile.h"
#include "casereel/push_rules.h"
#include "casereel/store.h"

#define SKILLS      4
#define PATHS       20
#define PROFILE_RUN 1000

static const char *const skills[SKILLS] = {"refunds", "billing", "de-escalation", "retention"};

static uint64_t rng = 0x2545F4914F6CDD1DULL;
static double uniform(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return ((double)(rng >> 11) + 0.5) / 9007199254740992.0;
}

static double seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void must(cr_err e, const char *what)
{
	if (e) {
		fprintf(stderr, "loop_bench: %s: %s\n", what, cr_strerror(e));
		exit(1);
	}
}

/* Teams of 40, agents hired over five years, the catalogue, 20 clips. */
static void make_company(int agents)
{
	must(store_exec("BEGIN"), "begin");
	for (int t = 0; t < SKILLS; t++) {
		char sql[160];
		snprintf(sql, sizeof sql,
			 "INSERT INTO tags(name, label, created_at) VALUES ('%s', '%s', 0)",
			 skills[t], skills[t]);
		must(store_exec(sql), "tag");
	}
	must(store_exec(
		     "INSERT INTO users(id, username, display_name, role, password_hash,"
		     " created_at) VALUES (1, 'boss', 'Boss', 'admin', 'x', 0);"
		     "INSERT INTO metrics(name, label_en, label_zh, direction, per_skill, target,"
		     " min_value, max_value, created_at) VALUES"
		     " ('qa_score', 'QA', 'QA', 'higher', 1, 80, 0, 100, 0),"
		     " ('csat', 'CSAT', 'CSAT', 'higher', 0, 4.2, 1, 5, 0),"
		     " ('aht_seconds', 'AHT', 'AHT', 'lower', 0, 360, 0, 3600, 0),"
		     " ('fcr_rate', 'FCR', 'FCR', 'higher', 0, 0.75, 0, 1, 0),"
		     " ('compliance_misses', 'CM', 'CM', 'lower', 0, 0, 0, 50, 0)"),
	     "catalogue");
	sqlite3_stmt *team =
		store_stmt("INSERT INTO teams(id, name, created_at) VALUES (?1, ?2, 0)");
	sqlite3_stmt *user = store_stmt(
		"INSERT INTO users(id, username, display_name, role, team_id, password_hash,"
		" created_at, hire_date) VALUES (?1, ?2, ?2, 'agent', ?3, 'x', 0,"
		" date('now', '-' || ?4 || ' days'))");
	for (int a = 0; a < agents; a++) {
		char name[32];
		if (a % 40 == 0) {
			snprintf(name, sizeof name, "team %d", a / 40 + 1);
			sqlite3_bind_int(team, 1, a / 40 + 1);
			sqlite3_bind_text(team, 2, name, -1, SQLITE_TRANSIENT);
			must(store_run(team, "team"), "team");
		}
		snprintf(name, sizeof name, "a%05d", a + 2);
		sqlite3_bind_int(user, 1, a + 2);
		sqlite3_bind_text(user, 2, name, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(user, 3, a / 40 + 1);
		sqlite3_bind_int(user, 4, (int)(uniform() * 1800));
		must(store_run(user, "agent"), "agent");
	}
	sqlite3_stmt *video = store_stmt("INSERT INTO videos(id, owner_id, title, status, duration,"
					 " source_bytes, created_at, updated_at)"
					 " VALUES (?1, 1, ?2, 'published', 60, 1, 0, 0)");
	for (int v = 1; v <= PATHS; v++) {
		char title[32];
		snprintf(title, sizeof title, "clip %d", v);
		sqlite3_bind_int(video, 1, v);
		sqlite3_bind_text(video, 2, title, -1, SQLITE_TRANSIENT);
		must(store_run(video, "video"), "video");
	}
	must(store_exec("COMMIT"), "commit");
}

/* The nightly exports as one CSV text: date,username,metric,tag,value. */
static char *make_csv(int agents, int days, size_t *len, size_t *rows)
{
	size_t cap = (size_t)agents * days * 8 * 48 + 64, n = 0;
	char *buf = malloc(cap);
	n += (size_t)snprintf(buf, cap, "date,username,metric,tag,value\n");
	int32_t today = kpi_today();
	*rows = 0;
	for (int a = 0; a < agents; a++) {
		double level = 70 + uniform() * 20;
		for (int d = days; d >= 1; d--) {
			char date[11];
			kpi_day_format(today - d, date);
			for (int s = 0; s < SKILLS; s++)
				n += (size_t)snprintf(
					buf + n, cap - n, "%s,a%05d,qa_score,%s,%.1f\n", date,
					a + 2, skills[s], fmin(100, level + uniform() * 10 - 5));
			n += (size_t)snprintf(
				buf + n, cap - n,
				"%s,a%05d,csat,,%.2f\n%s,a%05d,aht_seconds,,%d\n"
				"%s,a%05d,fcr_rate,,%.3f\n%s,a%05d,compliance_misses,,%d\n",
				date, a + 2, 3.5 + uniform() * 1.5, date, a + 2,
				250 + (int)(uniform() * 300), date, a + 2, 0.6 + uniform() * 0.3,
				date, a + 2, uniform() < 0.1);
			*rows += 8;
		}
	}
	*len = n;
	return buf;
}

/* The import handler's work, without HTTP: parse, check and upsert every
 * row, then one durable commit. */
static void ingest(char *csv, size_t len, size_t rows)
{
	struct kpi_source src = {.user_id = 1, .format = "csv", .sha256 = "bench"};
	struct kpi_import *imp;
	struct csv c;
	char *f[6], err[96];
	size_t n;
	double t0 = seconds();
	csv_init(&c, csv, len);
	csv_next(&c, f, 6, &n, err, sizeof err); /* the header */
	must(kpi_import_begin(&src, &imp), "import begin");
	size_t line = 1;
	while (csv_next(&c, f, 6, &n, err, sizeof err) == 1) {
		struct kpi_row r = {.row = ++line,
				    .date = f[0],
				    .username = f[1],
				    .metric = f[2],
				    .tag = f[3],
				    .value_text = f[4]};
		must(kpi_import_row(imp, &r), "import row");
	}
	json_t *out;
	must(kpi_import_finish(&imp, false, &out), "import finish");
	double dt = seconds() - t0;
	json_decref(out);
	printf("ingest_rows %zu rows\n", rows);
	printf("ingest_seconds %.3f s\n", dt);
	printf("ingest_rate %.0f rows/s\n", (double)rows / dt);
}

static int by_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static void profiles(int agents)
{
	double ms[PROFILE_RUN];
	for (int i = 0; i < PROFILE_RUN; i++) {
		int64_t id = 2 + (int64_t)(uniform() * agents);
		json_t *p;
		double t0 = seconds();
		must(profile_json(id, &p), "profile");
		ms[i] = (seconds() - t0) * 1000;
		json_decref(p);
	}
	qsort(ms, PROFILE_RUN, sizeof ms[0], by_double);
	printf("profile_p50 %.2f ms\n", ms[PROFILE_RUN / 2]);
	printf("profile_p99 %.2f ms\n", ms[PROFILE_RUN * 99 / 100]);
}

/* 20 one-clip paths, each finished by a fifth of the agents 20-40 days
 * ago; a rule per skill on top. */
static void make_paths_and_rules(int agents)
{
	int32_t today = kpi_today();
	for (int p = 1; p <= PATHS; p++) {
		struct path_step_in step = {p, false};
		int64_t id;
		must(paths_create("bench path", NULL, &step, 1, 1, &id, NULL), "path");
	}
	must(store_exec("BEGIN"), "begin");
	sqlite3_stmt *w = store_stmt("INSERT INTO watches(user_id, video_id, started_at, last_at,"
				     " completed_at, first_at) VALUES (?1, ?2, 0, 0, ?3, 0)");
	for (int p = 1; p <= PATHS; p++) {
		for (int a = 0; a < agents; a++) {
			if (uniform() >= 0.2)
				continue;
			sqlite3_bind_int(w, 1, a + 2);
			sqlite3_bind_int(w, 2, p);
			sqlite3_bind_int64(w, 3,
					   ((int64_t)today - 20 - (int)(uniform() * 20)) * 86400);
			must(store_run(w, "watch"), "watch");
		}
	}
	must(store_exec("COMMIT"), "commit");
	for (int s = 0; s < SKILLS; s++) {
		struct push_rule_fields f = {.name = "bench rule",
					     .metric = "qa_score",
					     .tag = skills[s],
					     .threshold = 72,
					     .window_days = 7,
					     .min_days = 5,
					     .path_id = s + 1,
					     .due_days = 7,
					     .recover_days = 3,
					     .by = 1};
		int64_t id;
		must(push_rule_create(&f, &id, NULL), "rule");
	}
}

static void rule_pass(void)
{
	struct push_pass pass;
	double t0 = seconds();
	must(push_rules_evaluate(kpi_today(), &pass), "rule pass");
	printf("rule_pass %.3f s\n", seconds() - t0);
	printf("rule_pass_fired %zu pushes\n", pass.fired);
}

static void impacts(void)
{
	double t0 = seconds();
	for (int p = 1; p <= PATHS; p++) {
		struct impact_query q = {.kind = IMPACT_PATH,
					 .id = p,
					 .metric = "qa_score",
					 .tag = skills[p % SKILLS]};
		json_t *r;
		must(impact_report(&q, &r, NULL), "impact");
		json_decref(r);
	}
	printf("impact_20_paths %.3f s\n", seconds() - t0);
}

int main(int argc, char **argv)
{
	int agents = 2000, days = 90;
	const char *dir = NULL;
	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--agents"))
			agents = (int)strtol(argv[i + 1], NULL, 10);
		else if (!strcmp(argv[i], "--days"))
			days = (int)strtol(argv[i + 1], NULL, 10);
		else if (!strcmp(argv[i], "--dir"))
			dir = argv[i + 1];
	}
	if (!dir || agents < 40 || days < 30) {
		fprintf(stderr, "usage: loop_bench --dir DIR [--agents N>=40] [--days D>=30]\n");
		return 2;
	}
	char path[4096];
	snprintf(path, sizeof path, "%s/bench.db", dir);
	setenv("TZ", "UTC", 1);
	must(store_init(path), "open");
	make_company(agents);
	size_t len, rows;
	char *csv = make_csv(agents, days, &len, &rows);
	/* the same bytes for the peer (sqlite3's own .import) */
	snprintf(path, sizeof path, "%s/metrics.csv", dir);
	FILE *f = fopen(path, "w");
	if (!f || fwrite(csv, 1, len, f) != len || fclose(f)) {
		fprintf(stderr, "loop_bench: cannot write %s\n", path);
		return 1;
	}
	ingest(csv, len, rows);
	free(csv);
	profiles(agents);
	make_paths_and_rules(agents);
	rule_pass();
	impacts();
	store_close_thread();
	return 0;
}
