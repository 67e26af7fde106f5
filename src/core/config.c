/* Configuration: a table of settings, each reachable as a --flag and a
 * CASEREEL_* environment variable, parsed with strict number checks. */
#include "casereel/config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "casereel/log.h"
#include "casereel/origin.h"

enum opt_kind { OPT_STR, OPT_INT, OPT_LONG, OPT_LLONG, OPT_BOOL, OPT_RATE, OPT_CHOICE };

struct opt {
	const char *flag; /* without the leading -- */
	const char *env;
	enum opt_kind kind;
	size_t offset;
	size_t size; /* buffer size for OPT_STR */
	long min, max;
	const char *help;
	const char *const *words; /* OPT_CHOICE: the int field holds the word's index */
};

#define STR(f, e, field, h)                                                                        \
	{                                                                                          \
		f, e, OPT_STR, offsetof(struct cr_config, field),                                  \
			sizeof(((struct cr_config *)0)->field), 0, 0, h, NULL                      \
	}
#define INT(f, e, field, lo, hi, h)                                                                \
	{                                                                                          \
		f, e, OPT_INT, offsetof(struct cr_config, field), 0, lo, hi, h, NULL               \
	}
#define LNG(f, e, field, lo, hi, h)                                                                \
	{                                                                                          \
		f, e, OPT_LONG, offsetof(struct cr_config, field), 0, lo, hi, h, NULL              \
	}
#define LLNG(f, e, field, lo, hi, h)                                                               \
	{                                                                                          \
		f, e, OPT_LLONG, offsetof(struct cr_config, field), 0, lo, hi, h, NULL             \
	}
#define BOOL(f, e, field, h)                                                                       \
	{                                                                                          \
		f, e, OPT_BOOL, offsetof(struct cr_config, field), 0, 0, 1, h, NULL                \
	}

#define CHOICE(f, e, field, w, h)                                                                  \
	{                                                                                          \
		f, e, OPT_CHOICE, offsetof(struct cr_config, field), 0, 0, 0, h, w                 \
	}

/* "BURST/PER_MINUTE" into a struct cr_rate, each part from 0 to `max`. */
#define RATE(f, e, kind, h)                                                                        \
	{                                                                                          \
		f, e, OPT_RATE, offsetof(struct cr_config, rates[kind]), 0, 0, 100000, h, NULL     \
	}

static const struct opt options[] = {
	STR("bind", "CASEREEL_BIND", bind, "listen address"),
	INT("port", "CASEREEL_PORT", port, 0, 65535, "listen port (0 picks a free one)"),
	STR("data", "CASEREEL_DATA", data_dir, "data directory (database, default media root)"),
	STR("media", "CASEREEL_MEDIA", media_dir, "media root (default DATA/media)"),
	STR("timezone", "CASEREEL_TIMEZONE", timezone, "IANA time zone for day boundaries"),
	INT("http-threads", "CASEREEL_HTTP_THREADS", http_threads, 0, 256,
	    "HTTP worker threads (0: 4 per core, at least 8)"),
	INT("transcode-workers", "CASEREEL_TRANSCODE_WORKERS", transcode_workers, 0, 64,
	    "transcode worker threads"),
	INT("per-ip-connections", "CASEREEL_PER_IP_CONNECTIONS", per_ip_connections, 1, 100000,
	    "connections per peer address (a whole floor behind one NAT shares it)"),
	INT("connection-timeout", "CASEREEL_CONNECTION_TIMEOUT", connection_timeout, 1, 3600,
	    "seconds a request's body or answer may stall (s)"),
	INT("header-timeout", "CASEREEL_HEADER_TIMEOUT", header_timeout, 1, 600,
	    "seconds a connection has to send a whole request head, from its opening or its "
	    "previous request's end; trickled bytes do not extend it (s)"),
	STR("trusted-proxies", "CASEREEL_TRUSTED_PROXIES", trusted_proxies,
	    "comma-separated CIDRs of proxies whose X-Forwarded-For / Forwarded name the client"),
	STR("tls-cert", "CASEREEL_TLS_CERT", tls_cert,
	    "PEM certificate (chain) file: serve HTTPS itself (with --tls-key)"),
	STR("tls-key", "CASEREEL_TLS_KEY", tls_key, "PEM private key file for --tls-cert"),
	STR("metrics-token", "CASEREEL_METRICS_TOKEN", metrics_token,
	    "bearer token GET /metrics needs (empty: open)"),
	STR("cors-origins", "CASEREEL_CORS_ORIGINS", cors_origins,
	    "comma-separated origins (https://app.example.com) the API and uploads answer "
	    "cross-origin (empty: none; media answers every origin)"),
	STR("media-base-url", "CASEREEL_MEDIA_BASE_URL", media_base_url,
	    "origin signed media URLs point at, e.g. a CDN: https://cdn.example.com (empty: "
	    "this server, relative URLs)"),
	LNG("json-body-max", "CASEREEL_JSON_BODY_MAX", json_body_max, 1024, 16L << 20,
	    "largest JSON body (bytes)"),
	LNG("import-body-max", "CASEREEL_IMPORT_BODY_MAX", import_body_max, 1024, 64L << 20,
	    "largest user CSV or JSON metrics batch (bytes)"),
	LNG("metrics-csv-max", "CASEREEL_METRICS_CSV_MAX", metrics_csv_max, 1024, 4L << 30,
	    "largest metrics CSV import, streamed to disk (bytes)"),
	LNG("import-sync-max", "CASEREEL_IMPORT_SYNC_MAX", import_sync_max, 0, 4L << 30,
	    "metrics CSVs above this run in the background (bytes)"),
	LNG("token-ttl", "CASEREEL_TOKEN_TTL", token_ttl, 1, 365L * 86400,
	    "login token lifetime (s)"),
	INT("login-max-failures", "CASEREEL_LOGIN_MAX_FAILURES", login_max_failures, 1, 1000,
	    "login attempts per account per window answered without backoff"),
	INT("login-max-failures-ip", "CASEREEL_LOGIN_MAX_FAILURES_IP", login_max_failures_ip, 1,
	    100000, "failed logins per client address per window before its wrong ones get 429"),
	INT("login-window", "CASEREEL_LOGIN_WINDOW", login_window, 1, 86400,
	    "login throttling window (s)"),
	INT("login-backoff-max", "CASEREEL_LOGIN_BACKOFF_MAX", login_backoff_max, 1, 60,
	    "longest a throttled login's answer is held (s)"),
	LNG("pwhash-opslimit", "CASEREEL_PWHASH_OPSLIMIT", pwhash_opslimit, 1, 64,
	    "argon2id passes"),
	LNG("pwhash-memlimit", "CASEREEL_PWHASH_MEMLIMIT", pwhash_memlimit, 8192, 1L << 30,
	    "argon2id memory (bytes)"),
	STR("password-dict", "CASEREEL_PASSWORD_DICT", password_dict,
	    "cracklib dictionary (without .pwd) that new passwords are checked against"),
	RATE("rate-comments", "CASEREEL_RATE_COMMENTS", CR_RATE_COMMENTS,
	     "comments per user: BURST/PER_MINUTE (0/0: no limit)"),
	RATE("rate-likes", "CASEREEL_RATE_LIKES", CR_RATE_LIKES,
	     "likes and unlikes per user: BURST/PER_MINUTE"),
	RATE("rate-views", "CASEREEL_RATE_VIEWS", CR_RATE_VIEWS,
	     "watch events per user: BURST/PER_MINUTE"),
	RATE("rate-checkins", "CASEREEL_RATE_CHECKINS", CR_RATE_CHECKINS,
	     "check-in requests per user: BURST/PER_MINUTE"),
	RATE("rate-tips", "CASEREEL_RATE_TIPS", CR_RATE_TIPS, "tips per user: BURST/PER_MINUTE"),
	RATE("rate-orders", "CASEREEL_RATE_ORDERS", CR_RATE_ORDERS,
	     "shop orders per user: BURST/PER_MINUTE"),
	RATE("rate-password", "CASEREEL_RATE_PASSWORD", CR_RATE_PASSWORD,
	     "own password changes (and wrong old passwords) per user: BURST/PER_MINUTE"),
	LLNG("upload-max", "CASEREEL_UPLOAD_MAX", upload_max, 1024, 64L << 30,
	     "largest upload (bytes)"),
	INT("upload-daily-quota", "CASEREEL_UPLOAD_DAILY_QUOTA", upload_daily_quota, 0, 100000,
	    "uploads per user per day"),
	LLNG("upload-user-bytes", "CASEREEL_UPLOAD_USER_BYTES", upload_bytes, 0, 1L << 50,
	     "bytes per user across open uploads and today's clips (0: no limit)"),
	INT("upload-queue-max", "CASEREEL_UPLOAD_QUEUE_MAX", upload_queue_max, 0, 100000,
	    "per user: open uploads plus clips waiting for or in transcoding (0: no limit)"),
	LLNG("min-free-disk", "CASEREEL_MIN_FREE_DISK", min_free_disk, 0, 1L << 50,
	     "bytes the media file system keeps free: an upload that would eat into them is "
	     "refused with 507"),
	INT("upload-idle-timeout", "CASEREEL_UPLOAD_IDLE_TIMEOUT", upload_idle_timeout, 1, 3600,
	    "seconds a resumable upload's body may stall before the server keeps what arrived and "
	    "lets the client resume (s)"),
	LNG("upload-expiry", "CASEREEL_UPLOAD_EXPIRY", upload_expiry, 1, 30L * 86400,
	    "unfinished upload lifetime (s)"),
	LNG("idempotency-ttl", "CASEREEL_IDEMPOTENCY_TTL", idempotency_ttl, 1, 365L * 86400,
	    "how long points writes' Idempotency-Keys are remembered (s)"),
	BOOL("keep-source", "CASEREEL_KEEP_SOURCE", keep_source,
	     "keep originals after transcoding (0/1)"),
	LNG("source-retention", "CASEREEL_SOURCE_RETENTION", source_retention, 0, 3650L * 86400,
	    "seconds an original upload (un-redacted) is kept at most, whatever --keep-source says "
	    "(0: no bound); an approved redaction deletes it at once"),
	LNG("purge-after", "CASEREEL_PURGE_AFTER", purge_after, 0, 365L * 86400,
	    "seconds a removed or failed clip's files stay on disk (0: next maintenance round)"),
	INT("maintenance-interval", "CASEREEL_MAINTENANCE_INTERVAL", maintenance_interval, 1, 86400,
	    "seconds between maintenance rounds (expiry sweeps, media janitor)"),
	INT("transcode-time-limit", "CASEREEL_TRANSCODE_TIME_LIMIT", transcode_time_limit, 1, 86400,
	    "seconds per transcode"),
	INT("drain-timeout", "CASEREEL_DRAIN_TIMEOUT", drain_timeout, 0, 3600,
	    "seconds a stop (SIGTERM) drains: /readyz answers 503, requests in flight finish "
	    "and new ones are still served, until none is in flight; then the rest are closed"),
	INT("query-timeout", "CASEREEL_QUERY_TIMEOUT", query_timeout, 0, 3600,
	    "seconds an API request's database work may take: then it is stopped, rolled back "
	    "and answered 503 query-timeout (0: no limit)"),
	INT("query-timeout-long", "CASEREEL_QUERY_TIMEOUT_LONG", query_timeout_long, 0, 86400,
	    "the same for imports, the impact report and CSV exports (s)"),
	INT("export-time-limit", "CASEREEL_EXPORT_TIME_LIMIT", export_time_limit, 0, 86400,
	    "seconds an analytics CSV export may take, reading and sending (0: no limit); past "
	    "it, or past --export-max-rows, the download is cut without its final chunk"),
	LNG("export-max-rows", "CASEREEL_EXPORT_MAX_ROWS", export_max_rows, 0, 1000000000L,
	    "rows an analytics CSV export may send (0: no limit)"),
	BOOL("demo", "CASEREEL_DEMO", demo, "load the demo seed into a new database"),
	STR("seed", "CASEREEL_SEED", seed_path, "demo seed file"),
	STR("web", "CASEREEL_WEB", web_dir,
	    "web client directory served at / (as built by make: build/web)"),
	INT("demo-clips", "CASEREEL_DEMO_CLIPS", demo_clips, 0, 100,
	    "demo clips made at first start with --demo"),
	INT("rule-hour", "CASEREEL_RULE_HOUR", rule_hour, 0, 23,
	    "local hour (--timezone) from which the daily push-rule pass runs"),
	INT("demo-agents", "CASEREEL_DEMO_AGENTS", demo_agents, 0, 10000,
	    "synthetic agents with 60 days of service metrics at first start (0: none)"),
	BOOL("access-log", "CASEREEL_ACCESS_LOG", access_log, "log one line per request (0/1)"),
	CHOICE("log-format", "CASEREEL_LOG_FORMAT", log_format, log_format_names,
	       "stderr lines: text (ts level msg key=value) or json (one object per line)"),
	CHOICE("log-level", "CASEREEL_LOG_LEVEL", log_level, log_level_names,
	       "least level logged: debug, info, warn or error"),
	STR("public-url", "CASEREEL_PUBLIC_URL", public_url,
	    "how clients reach the server, the prefix of problem types (default http://BIND:PORT)"),
	BOOL("test-hooks", "CASEREEL_TEST_HOOKS", test_hooks,
	     "test only; loopback only: /api/v1/test/ routes that move the clock and run "
	     "maintenance or catalogue rounds at once (0/1)"),
};

void config_defaults(struct cr_config *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	snprintf(cfg->bind, sizeof cfg->bind, "127.0.0.1");
	cfg->port = 8080;
	snprintf(cfg->data_dir, sizeof cfg->data_dir, "data");
	snprintf(cfg->timezone, sizeof cfg->timezone, "Asia/Shanghai");
	snprintf(cfg->seed_path, sizeof cfg->seed_path, "seeds/demo.json");
	snprintf(cfg->web_dir, sizeof cfg->web_dir, "build/web"); /* made by make */
	cfg->demo_clips = 12;
	cfg->demo_agents = 120;
	cfg->rule_hour = 6;
	cfg->transcode_workers = 1;
	/* a floor of 300-500 phones behind one NAT at 2-3 connections each;
	 * connections that send no request are cut by the header deadline */
	cfg->per_ip_connections = 1024;
	cfg->connection_timeout = 60;
	cfg->header_timeout = 10;
	cfg->json_body_max = 64 * 1024;
	cfg->import_body_max = 2L << 20;
	cfg->metrics_csv_max = 64L << 20;
	cfg->import_sync_max = 1L << 20;
	cfg->token_ttl = 7L * 86400;
	cfg->login_max_failures = 5;
	cfg->login_max_failures_ip = 50;
	cfg->login_window = 900;
	cfg->login_backoff_max = 4;
	/* OWASP's argon2id floor: 19 MiB, 2 passes — ~25 ms here, so a bulk
	 * import of hundreds of users stays in seconds. */
	cfg->pwhash_opslimit = 2;
	cfg->pwhash_memlimit = 19L << 20;
	/* Debian's cracklib-runtime builds it from /usr/share/dict */
	snprintf(cfg->password_dict, sizeof cfg->password_dict,
		 "/var/cache/cracklib/cracklib_dict");
	/* Room for normal use: a player sends a heartbeat every 5 s and a start
	 * per swipe; bursts cover a fast scroll or a retrying phone. What they
	 * stop is a script: 300 comments or 1,000 check-ins a second. */
	cfg->rates[CR_RATE_COMMENTS] = (struct cr_rate){20, 10};
	cfg->rates[CR_RATE_LIKES] = (struct cr_rate){60, 60};
	cfg->rates[CR_RATE_VIEWS] = (struct cr_rate){120, 60};
	cfg->rates[CR_RATE_CHECKINS] = (struct cr_rate){60, 6};
	cfg->rates[CR_RATE_TIPS] = (struct cr_rate){60, 30};
	cfg->rates[CR_RATE_ORDERS] = (struct cr_rate){60, 10};
	cfg->rates[CR_RATE_PASSWORD] = (struct cr_rate){5, 1};
	cfg->access_log = true;
	cfg->log_format = LOG_FORMAT_TEXT;
	cfg->log_level = LOG_LEVEL_INFO;
	cfg->upload_max = 2LL << 30;
	cfg->upload_daily_quota = 20;
	/* Two largest uploads a day, or a day of ordinary phone clips; a floor
	 * of 500 agents can then reserve at most 2 TB, and min_free_disk stops
	 * them well before the disk fills. */
	cfg->upload_bytes = 4LL << 30;
	cfg->upload_queue_max = 5;
	cfg->min_free_disk = 1LL << 30;
	cfg->upload_expiry = 86400;
	/* Below tus-js-client's default retry budget (0+1+3+5 s), so a phone
	 * that lost its connection mid-PATCH finds its upload free again. */
	cfg->upload_idle_timeout = 5;
	cfg->idempotency_ttl = 7 * 86400;
	cfg->keep_source = true;
	cfg->purge_after = 0;
	cfg->source_retention = 0;
	cfg->maintenance_interval = 60;
	cfg->transcode_time_limit = 900;
	cfg->drain_timeout = 30;
	cfg->query_timeout = 2;
	cfg->query_timeout_long = 60;
	/* a 100,000-person export is read in well under a minute */
	cfg->export_time_limit = 900;
	cfg->export_max_rows = 1000000;
}

/* "BURST/PER_MINUTE": both 0 (no limit) or both from 1 to o->max. */
static cr_err set_rate(struct cr_rate *rate, const struct opt *o, const char *val, char *err,
		       size_t err_len)
{
	char *slash = NULL, *end = NULL;
	errno = 0;
	long burst = strtol(val, &slash, 10);
	long per_minute = slash != val && *slash == '/' ? strtol(slash + 1, &end, 10) : -1;
	if (errno || !end || end == slash + 1 || *end || burst < o->min || burst > o->max ||
	    per_minute < o->min || per_minute > o->max || (burst == 0) != (per_minute == 0)) {
		snprintf(err, err_len,
			 "--%s: expected BURST/PER_MINUTE, both from 1 to %ld (or 0/0: no limit), "
			 "got '%s'",
			 o->flag, o->max, val);
		return CR_EINVAL;
	}
	*rate = (struct cr_rate){(int)burst, (int)per_minute};
	return CR_OK;
}

/* One of o->words, stored as its index. */
static cr_err set_choice(int *field, const struct opt *o, const char *val, char *err,
			 size_t err_len)
{
	size_t i = 0;
	for (; o->words[i]; i++)
		if (!strcmp(val, o->words[i])) {
			*field = (int)i;
			return CR_OK;
		}
	int n = snprintf(err, err_len, "--%s: expected", o->flag);
	for (size_t k = 0; k < i && n > 0 && (size_t)n < err_len; k++)
		n += snprintf(err + n, err_len - (size_t)n, "%s %s",
			      k ? (k + 1 < i ? "," : " or") : "", o->words[k]);
	if (n > 0 && (size_t)n < err_len)
		snprintf(err + n, err_len - (size_t)n, ", got '%s'", val);
	return CR_EINVAL;
}

static cr_err set_value(struct cr_config *cfg, const struct opt *o, const char *val, char *err,
			size_t err_len)
{
	char *field = (char *)cfg + o->offset;
	if (o->kind == OPT_STR) {
		int n = snprintf(field, o->size, "%s", val);
		if (n < 0 || (size_t)n >= o->size) {
			snprintf(err, err_len, "--%s: value too long", o->flag);
			return CR_EINVAL;
		}
		return CR_OK;
	}
	if (o->kind == OPT_BOOL) {
		if (!strcmp(val, "1") || !strcmp(val, "true") || !strcmp(val, "yes")) {
			*(bool *)field = true;
		} else if (!strcmp(val, "0") || !strcmp(val, "false") || !strcmp(val, "no")) {
			*(bool *)field = false;
		} else {
			snprintf(err, err_len, "--%s: expected 0 or 1, got '%s'", o->flag, val);
			return CR_EINVAL;
		}
		return CR_OK;
	}
	if (o->kind == OPT_RATE)
		return set_rate((struct cr_rate *)field, o, val, err, err_len);
	if (o->kind == OPT_CHOICE)
		return set_choice((int *)field, o, val, err, err_len);
	char *end = NULL;
	errno = 0;
	long v = strtol(val, &end, 10);
	if (errno || end == val || *end || v < o->min || v > o->max) {
		snprintf(err, err_len, "--%s: expected a whole number from %ld to %ld, got '%s'",
			 o->flag, o->min, o->max, val);
		return CR_EINVAL;
	}
	if (o->kind == OPT_INT)
		*(int *)field = (int)v;
	else if (o->kind == OPT_LLONG)
		*(long long *)field = v;
	else
		*(long *)field = v;
	return CR_OK;
}

static bool is_bool_word(const char *s)
{
	static const char *const words[] = {"0", "1", "true", "false", "yes", "no"};
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		if (!strcmp(s, words[i]))
			return true;
	return false;
}

static const struct opt *find_flag(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof options / sizeof options[0]; i++)
		if (strlen(options[i].flag) == len && !strncmp(options[i].flag, name, len))
			return &options[i];
	return NULL;
}

/* 127.0.0.0/8, ::1 or an IPv4-mapped 127.x address: reachable from this
 * machine only. */
static bool bind_is_loopback(const char *bind)
{
	unsigned char a[16];
	if (inet_pton(AF_INET, bind, a) == 1)
		return a[0] == 127;
	if (inet_pton(AF_INET6, bind, a) != 1)
		return false;
	static const unsigned char loop6[16] = {[15] = 1};
	static const unsigned char mapped[12] = {[10] = 0xff, [11] = 0xff};
	return !memcmp(a, loop6, 16) || (!memcmp(a, mapped, 12) && a[12] == 127);
}

/* --public-url: "http(s)://host[:port][/prefix]" without query or fragment;
 * a trailing '/' is dropped (in place) so "<url>/problems/x" reads well. */
static cr_err public_url_check(char *url, char *err, size_t err_len)
{
	size_t n = strlen(url);
	while (n && url[n - 1] == '/')
		url[--n] = '\0';
	if (!n)
		return CR_OK;
	const char *host = !strncmp(url, "https://", 8)  ? url + 8
			   : !strncmp(url, "http://", 7) ? url + 7
							 : NULL;
	bool ok = host && *host && *host != '/';
	for (const char *p = url; ok && *p; p++)
		ok = *p > ' ' && *p < 0x7f && *p != '?' && *p != '#' && *p != '"' && *p != '<' &&
		     *p != '>' && *p != '\\';
	if (ok)
		return CR_OK;
	snprintf(err, err_len,
		 "--public-url must be http://HOST[:PORT][/PREFIX] or https://..., without query, "
		 "fragment or spaces, not '%s'",
		 url);
	return CR_EINVAL;
}

/* Settings that are wrong together rather than one by one. */
static cr_err check_combination(const struct cr_config *cfg, char *err, size_t err_len)
{
	/* the hooks move the clock and run maintenance for anyone who can reach
	 * them, with no login: never on an address other machines can reach */
	if (cfg->test_hooks && !bind_is_loopback(cfg->bind)) {
		snprintf(err, err_len,
			 "--test-hooks is for tests only and needs a loopback --bind "
			 "(127.0.0.1 or ::1), not '%s'",
			 cfg->bind);
		return CR_EINVAL;
	}
	if (!cfg->tls_cert[0] != !cfg->tls_key[0]) {
		snprintf(err, err_len,
			 "--tls-cert and --tls-key go together (CASEREEL_TLS_CERT, "
			 "CASEREEL_TLS_KEY): give both to serve HTTPS, or neither for HTTP");
		return CR_EINVAL;
	}
	return origin_check_settings(cfg->cors_origins, cfg->media_base_url, err, err_len);
}

cr_err config_load(struct cr_config *cfg, int argc, char **argv, char *err, size_t err_len)
{
	for (size_t i = 0; i < sizeof options / sizeof options[0]; i++) {
		const char *v = getenv(options[i].env);
		if (v && *v) {
			cr_err e = set_value(cfg, &options[i], v, err, err_len);
			if (e)
				return e;
		}
	}
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strncmp(a, "--", 2) != 0) {
			snprintf(err, err_len, "unexpected argument '%s'", a);
			return CR_EINVAL;
		}
		a += 2;
		const char *eq = strchr(a, '=');
		const struct opt *o = find_flag(a, eq ? (size_t)(eq - a) : strlen(a));
		if (!o) {
			snprintf(err, err_len, "unknown flag '%s'", argv[i]);
			return CR_EINVAL;
		}
		const char *val = eq ? eq + 1 : NULL;
		if (!val && o->kind == OPT_BOOL)
			val = i + 1 < argc && is_bool_word(argv[i + 1]) ? argv[++i] : "1";
		if (!val) {
			if (i + 1 >= argc) {
				snprintf(err, err_len, "--%s needs a value", o->flag);
				return CR_EINVAL;
			}
			val = argv[++i];
		}
		cr_err e = set_value(cfg, o, val, err, err_len);
		if (e)
			return e;
	}
	cr_err e = check_combination(cfg, err, err_len);
	return e ? e : public_url_check(cfg->public_url, err, err_len);
}

static cr_err make_dir(const char *path, char *err, size_t err_len)
{
	if (mkdir(path, 0750) == 0 || errno == EEXIST)
		return CR_OK;
	snprintf(err, err_len, "cannot create directory %s: %s", path, strerror(errno));
	return CR_EIO;
}

cr_err config_prepare_dirs(struct cr_config *cfg, char *err, size_t err_len)
{
	/* made by this very mkdir, not merely missing a moment ago: of two
	 * starts racing on a new directory only one made it */
	cfg->data_dir_made = mkdir(cfg->data_dir, 0750) == 0;
	cr_err e = cfg->data_dir_made ? CR_OK : make_dir(cfg->data_dir, err, err_len);
	if (e)
		return e;
	if (!cfg->media_dir[0]) {
		int n = snprintf(cfg->media_dir, sizeof cfg->media_dir, "%s/media", cfg->data_dir);
		if (n < 0 || (size_t)n >= sizeof cfg->media_dir) {
			snprintf(err, err_len, "data directory path too long");
			return CR_EINVAL;
		}
	}
	int n = snprintf(cfg->db_path, sizeof cfg->db_path, "%s/casereel.db", cfg->data_dir);
	if (n < 0 || (size_t)n >= sizeof cfg->db_path) {
		snprintf(err, err_len, "data directory path too long");
		return CR_EINVAL;
	}
	return make_dir(cfg->media_dir, err, err_len);
}

void config_usage(void *out)
{
	FILE *f = out;
	for (size_t i = 0; i < sizeof options / sizeof options[0]; i++)
		fprintf(f, "  --%-22s %-32s %s\n", options[i].flag, options[i].env,
			options[i].help);
}

bool config_option_at(size_t i, const struct cr_config *cfg, struct config_option *out)
{
	if (i >= sizeof options / sizeof options[0])
		return false;
	const struct opt *o = &options[i];
	const char *field = (const char *)cfg + o->offset;
	*out = (struct config_option){.flag = o->flag, .env = o->env, .help = o->help};
	out->is_bool = o->kind == OPT_BOOL;
	size_t n = sizeof out->value;
	switch (o->kind) {
	case OPT_STR: snprintf(out->value, n, "%s", field); break;
	case OPT_INT: snprintf(out->value, n, "%d", *(const int *)field); break;
	case OPT_LONG: snprintf(out->value, n, "%ld", *(const long *)field); break;
	case OPT_LLONG: snprintf(out->value, n, "%lld", *(const long long *)field); break;
	case OPT_BOOL: snprintf(out->value, n, "%d", *(const bool *)field); break;
	case OPT_RATE: {
		const struct cr_rate *r = (const struct cr_rate *)field;
		snprintf(out->value, n, "%d/%d", r->burst, r->per_minute);
		break;
	}
	case OPT_CHOICE: snprintf(out->value, n, "%s", o->words[*(const int *)field]); break;
	}
	return true;
}
