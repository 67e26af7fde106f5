/* casereel: `serve` runs the server; `admin create` makes the first admin. */
#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "casereel/app.h"
#include "casereel/auth.h"
#include "casereel/catalog.h"
#include "casereel/assets.h"
#include "casereel/backup.h"
#include "casereel/clock.h"
#include "casereel/config.h"
#include "casereel/data_lock.h"
#include "casereel/demo_background.h"
#include "casereel/drain_signal.h"
#include "casereel/feed.h"
#include "casereel/feed_items.h"
#include "casereel/http_server.h"
#include "casereel/impressions.h"
#include "casereel/janitor.h"
#include "casereel/libav_log.h"
#include "casereel/import_queue.h"
#include "casereel/jobs.h"
#include "casereel/ledger.h"
#include "casereel/leaderboards.h"
#include "casereel/log.h"
#include "casereel/maintenance.h"
#include "casereel/manpage.h"
#include "casereel/media.h"
#include "casereel/media_sign.h"
#include "casereel/metrics.h"
#include "casereel/passwords.h"
#include "casereel/points.h"
#include "casereel/public_url.h"
#include "casereel/routes_list.h"
#include "casereel/search.h"
#include "casereel/seed.h"
#include "casereel/seed_loop.h"
#include "casereel/seed_media.h"
#include "casereel/store.h"
#include "casereel/transcode_child.h"
#include "casereel/users.h"
#include "casereel/workers.h"

static void usage(void)
{
	fprintf(stderr,
		"usage: casereel serve [--flag value ...]\n"
		"       casereel admin create USERNAME [--data DIR]   (password on stdin)\n"
		"       casereel backup DEST [--data DIR]     (online; then rsync the media tree)\n"
		"       casereel restore SRC [--data DIR]     (into a data directory with no "
		"database)\n"
		"       casereel man                          (the manual page, as roff)\n"
		"       casereel routes                       (the route table: method, path, "
		"role, body)\n"
		"flags (environment variable in the second column):\n");
	config_usage(stderr);
}

/* Loads configuration, sets the time zone, opens and migrates the store;
 * with `lock`, first takes the data directory's lock for the process's
 * lifetime (a second server on it is refused before it touches a file). */
static int open_everything(struct cr_config *cfg, int argc, char **argv, bool lock)
{
	char err[256];
	config_defaults(cfg);
	cr_err e = config_load(cfg, argc, argv, err, sizeof err);
	log_configure(cfg->log_format, cfg->log_level); /* what was read, even on an error */
	if (e) {
		log_error("%s", err);
		return 2;
	}
	assets_locate(cfg);
	/* everything that can be judged before a directory is made, is */
	char zone[PATH_MAX];
	snprintf(zone, sizeof zone, "/usr/share/zoneinfo/%s", cfg->timezone);
	if (strstr(cfg->timezone, "..") || access(zone, R_OK) != 0) {
		log_error("unknown time zone '%s'", cfg->timezone);
		return 2;
	}
	if (passwords_init(cfg, err, sizeof err)) {
		log_error("%s", err);
		return 2;
	}
	if (config_prepare_dirs(cfg, err, sizeof err)) {
		log_error("%s", err);
		return 2;
	}
	int lock_fd = -1; /* held until the process ends */
	cr_err locked = lock ? data_lock_take(cfg->data_dir, &lock_fd, err, sizeof err) : CR_OK;
	if (locked) {
		if (locked == CR_ECONFLICT) /* someone else's directory, however new */
			cfg->data_dir_made = false;
		log_error("%s", err);
		return 1;
	}
	libav_log_route(LOG_LEVEL_ERROR, 0, 0); /* libav* chatter would drown the access log */
	setenv("TZ", cfg->timezone, 1);
	tzset();
	if (auth_init() || store_init(cfg->db_path) || media_prepare(cfg) ||
	    media_sign_init(cfg->data_dir, cfg->media_base_url)) {
		log_error("cannot open the database %s", cfg->db_path);
		return 1;
	}
	int indexed = 0; /* clips from before the search index: a small backlog now */
	if (search_index_missing(SEARCH_INDEX_AT_START, &indexed)) {
		log_error("cannot build the search index");
		return 1;
	}
	if (indexed)
		log_info("search: indexed %d clips", indexed);
	return 0;
}

/* A larger backlog of clips for the search index (an upgrade of a big
 * server) is indexed a batch per housekeeping round, while it serves. */
static void index_search_backlog(void)
{
	static bool behind = true, said;
	int n = 0;
	if (!behind)
		return;
	if (search_index_missing(SEARCH_INDEX_PER_ROUND, &n))
		log_warn("search: cannot index the backlog yet");
	else if (n && !said)
		log_info("search: indexing clips from before the index in the background");
	said |= n > 0;
	behind = n == SEARCH_INDEX_PER_ROUND;
	if (!behind && said)
		log_info("search: the index holds every clip");
}

/* Sleeps until a stop signal, doing periodic housekeeping in between
 * (the first round at once: the catalogue's first build, so the first feed
 * page need not wait for all of it, and strays a crash left); returns the
 * signal. */
static int wait_for_stop(const struct cr_config *cfg, const sigset_t *stop)
{
	for (unsigned tick = 0;; tick++) {
		catalog_refresh();
		bool strays = tick % JANITOR_STRAY_SCAN_SECONDS == 0;
		if (strays || tick % (unsigned)cfg->maintenance_interval == 0)
			maintenance_round(cfg, strays);
		struct timespec wait = {.tv_sec = 1};
		int sig = sigtimedwait(stop, NULL, &wait);
		if (sig > 0)
			return sig;
		impressions_flush();
		feed_flush_snapshots();
		index_search_backlog();
		if (leaderboards_roll())
			log_warn("the learners board's windows could not be moved to today yet");
	}
}

/* The job queue's waker: a queued job wakes an idle transcode worker. */
static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	return remove(path) != 0 && errno != ENOENT;
}

/* A start that failed leaves nothing behind: the data directory goes again
 * when this very start made it (never one that was there before). */
static int failed_start(const struct cr_config *cfg, int rc)
{
	store_close_thread();
	if (cfg->data_dir_made && nftw(cfg->data_dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS) == 0)
		log_warn("removed %s, which this failed start had made", cfg->data_dir);
	return rc;
}

static void wake_workers(void *pool)
{
	workers_notify(pool);
}

static int serve(int argc, char **argv)
{
	/* Block the stop signals before any thread starts (the demo seed, the
	 * ledger's writer, the pools) so that only sigwait below sees them. */
	sigset_t stop;
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	signal(SIGPIPE, SIG_IGN);

	struct cr_config cfg;
	int rc = open_everything(&cfg, argc, argv, true);
	if (rc)
		return failed_start(&cfg, rc);
	if (cfg.demo && seed_load(&cfg, cfg.seed_path)) {
		log_error("could not load the demo seed %s", cfg.seed_path);
		return failed_start(&cfg, 1);
	}
	/* with clips, the loop's world comes after them, in the background */
	if (cfg.demo && cfg.demo_clips <= 0 && seed_loop_load(cfg.demo_agents))
		log_warn("the learning loop's demo could not be made");
	int credits = 0;
	if (points_pay_missing_credits(cr_now() - 7 * 86400, &credits) == CR_OK && credits)
		log_info("paid %d learning credit(s) an earlier run left unpaid", credits);

	struct cr_app app;
	struct http_server *srv = NULL;
	int port = 0;
	metrics_start();
	struct workers *workers = NULL;
	struct import_queue *imports = NULL;
	bool started = !app_init(&app, &cfg) && !workers_start(&cfg, &workers) &&
		       !import_queue_start(&cfg, &imports);
	app.imports = imports;
	if (started) /* uploads wake the pool through the job queue, never directly */
		jobs_set_waker(wake_workers, workers);
	if (!started || http_server_start(&app, &srv, &port)) {
		jobs_set_waker(NULL, NULL);
		import_queue_stop(&imports);
		workers_stop(&workers);
		app_free(&app);
		return failed_start(&cfg, 1);
	}
	struct demo_background *demo = NULL;
	if (cfg.demo && cfg.demo_clips > 0 && !demo_background_start(&cfg, &demo))
		log_info("demo: making up to %d clips in the background; the feed fills as they "
			 "are published",
			 cfg.demo_clips);
	public_url_apply(&cfg, port);
	printf("casereel listening on %s://%s:%d\n", cfg.tls_cert[0] ? "https" : "http", cfg.bind,
	       port);
	if (cfg.demo)
		printf("demo logins (password demo1234): admin, trainer1, agent1 .. agent8\n");
	fflush(stdout);
	log_info("serving; data in %s, media in %s, time zone %s", cfg.data_dir, cfg.media_dir,
		 cfg.timezone);
	if (cfg.test_hooks)
		log_warn("test hooks are on (/api/v1/test/): the clock can be moved; for tests "
			 "only");

	int sig = wait_for_stop(&cfg, &stop);
	log_info("signal %d: draining (up to %d s; a second signal ends it now), then stopping",
		 sig, cfg.drain_timeout);
	drain_signal_watch(&stop);
	http_server_stop(&srv, cfg.drain_timeout * 1000);
	demo_background_stop(&demo);
	import_queue_stop(&imports);
	jobs_set_waker(NULL, NULL);
	workers_stop(&workers);
	impressions_flush();
	feed_flush_snapshots();
	feed_shutdown();
	catalog_shutdown();
	feed_items_shutdown();
	app_free(&app);
	store_close_thread();
	log_info("stopped");
	return 0;
}

static int admin_create(int argc, char **argv)
{
	if (argc < 1 || argv[0][0] == '-') {
		usage();
		return 2;
	}
	const char *username = argv[0];
	struct cr_config cfg;
	/* argv[0] (the username) is skipped; a running server may hold the lock */
	int rc = open_everything(&cfg, argc, argv, false);
	if (rc)
		return rc;
	char password[256];
	if (isatty(STDIN_FILENO))
		fprintf(stderr, "password for %s: ", username);
	if (!fgets(password, sizeof password, stdin)) {
		log_error("no password given on stdin");
		return 2;
	}
	password[strcspn(password, "\r\n")] = '\0';
	struct cr_problem why = {0};
	if (!users_username_valid(username)) {
		log_error("'%s' is not a valid username", username);
		return 2;
	}
	if (passwords_check(&cfg, password, username, "password", &why)) {
		log_error("%s", why.detail[0] ? why.detail : "cannot check the password");
		return 2;
	}
	char hash[AUTH_HASH_CHARS];
	struct user_fields f = {.username = username,
				.display_name = username,
				.role = "admin",
				.password_hash = hash};
	int64_t id = 0;
	cr_err e = auth_hash_password(&cfg, password, hash);
	if (!e)
		e = users_create(&f, &id, &why);
	store_close_thread();
	if (e) {
		log_error("%s %s", cr_strerror(e), cr_problem_explains(&why, e) ? why.detail : "");
		return 1;
	}
	printf("created admin %s (id %lld)\n", username, (long long)id);
	return 0;
}

/* backup DEST / restore SRC: argv[0] is the directory, the flags follow. */
static int backup_command(bool restore, int argc, char **argv)
{
	if (argc < 1 || argv[0][0] == '-') {
		usage();
		return 2;
	}
	struct cr_config cfg;
	struct backup_report rep;
	char err[PATH_MAX + 256];
	config_defaults(&cfg);
	cr_err loaded = config_load(&cfg, argc, argv, err, sizeof err);
	log_configure(cfg.log_format, cfg.log_level);
	if (loaded || config_prepare_dirs(&cfg, err, sizeof err)) {
		log_error("%s", err);
		return 2;
	}
	cr_err e = restore ? backup_restore(&cfg, argv[0], &rep, err, sizeof err)
			   : backup_make(&cfg, argv[0], &rep, err, sizeof err);
	if (e) {
		log_error("%s", err);
		return e == CR_ECONFLICT || e == CR_ENOTFOUND ? 2 : 1;
	}
	if (restore)
		printf("restored %s into %s: database %lld bytes (schema %d); %lld of %lld media "
		       "files are missing: rsync -a %s/media/ %s/\n",
		       argv[0], cfg.data_dir, rep.db_bytes, rep.schema_version, rep.media_missing,
		       rep.media_files, argv[0], cfg.media_dir);
	else
		printf("backed up %s into %s: database %lld bytes (schema %d), media key, manifest "
		       "of %lld media files (%lld bytes); now copy the media: rsync -a %s/ "
		       "%s/media/\n",
		       cfg.data_dir, argv[0], rep.db_bytes, rep.schema_version, rep.media_files,
		       rep.media_bytes, cfg.media_dir, argv[0]);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], TRANSCODE_CHILD_COMMAND))
		return transcode_child_main(argc - 1, argv + 1);
	if (argc == 2 && !strcmp(argv[1], "man")) /* the build's build/casereel.1 */
		return manpage_write(stdout);
	if (argc >= 2 && !strcmp(argv[1], "serve"))
		return serve(argc - 1, argv + 1);
	if (argc >= 3 && !strcmp(argv[1], "admin") && !strcmp(argv[2], "create"))
		return admin_create(argc - 3, argv + 3);
	if (argc == 2 && !strcmp(argv[1], "routes"))
		return routes_list_print(stdout);
	if (argc >= 2 && (!strcmp(argv[1], "backup") || !strcmp(argv[1], "restore")))
		return backup_command(!strcmp(argv[1], "restore"), argc - 2, argv + 2);
	usage();
	return argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) ? 0 : 2;
}
