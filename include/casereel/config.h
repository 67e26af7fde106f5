/* Server configuration: defaults, then environment (CASEREEL_*), then flags. */
#ifndef CASEREEL_CONFIG_H
#define CASEREEL_CONFIG_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "casereel/error.h"

/* The writes each user has a budget for (--rate-*), checked by the HTTP
 * layer before a route's handler runs (src/http/rate_limit.c). */
enum cr_rate_kind {
	CR_RATE_NONE = 0,
	CR_RATE_COMMENTS,
	CR_RATE_LIKES,
	CR_RATE_VIEWS, /* watch events: start, progress heartbeats, seek, end */
	CR_RATE_CHECKINS,
	CR_RATE_TIPS,
	CR_RATE_ORDERS,
	CR_RATE_PASSWORD, /* changing one's own password (each try checks the old one) */
	CR_RATE_KINDS
};

/* A token bucket: `burst` writes at once, refilled at `per_minute`.
 * 0/0 means no limit. */
struct cr_rate {
	int burst;
	int per_minute;
};

/* Bytes of --public-url, its NUL included. */
#define CR_PUBLIC_URL_MAX 256

struct cr_config {
	char bind[64];             /* listen address, IPv4 or IPv6 literal */
	int port;                  /* 0 picks a free port, printed at start */
	char data_dir[PATH_MAX];   /* database lives here */
	char media_dir[PATH_MAX];  /* media root; default <data_dir>/media */
	char db_path[PATH_MAX];    /* derived: <data_dir>/casereel.db */
	bool data_dir_made;        /* this start made data_dir: failing, it goes */
	char timezone[64];         /* IANA name used for calendar-day boundaries */
	int http_threads;          /* libmicrohttpd worker threads; 0 = one per core */
	int transcode_workers;     /* transcode worker threads */
	int per_ip_connections;    /* concurrent connections allowed per peer address */
	int connection_timeout;    /* seconds a body or an answer may stall */
	int header_timeout;        /* seconds to send a request head, however it trickles */
	char trusted_proxies[512]; /* CIDRs whose forwarding headers name the client */
	char tls_cert[PATH_MAX];   /* PEM certificate (chain) to serve HTTPS with; "" for HTTP */
	char tls_key[PATH_MAX];    /* its PEM private key; given with tls_cert or not at all */
	char metrics_token[128];   /* bearer token for GET /metrics; empty: open */
	char cors_origins[1024];   /* comma-separated origins the API answers cross-origin */
	char media_base_url[128];  /* scheme://host[:port] signed media URLs start with; "" */
	int upload_idle_timeout;   /* the same, for a resumable upload's body */
	long json_body_max;        /* bytes; larger JSON bodies get 413 */
	long import_body_max;      /* bytes; larger user CSVs and metrics batches get 413 */
	long metrics_csv_max;      /* bytes; larger metrics CSV imports get 413 */
	long import_sync_max;      /* bytes; larger metrics CSVs are imported in the background */
	long token_ttl;            /* seconds a login token stays valid */
	int login_max_failures;    /* attempts per account within login_window before backoff */
	int login_max_failures_ip; /* failures per client address before its wrong ones get 429 */
	int login_window;          /* seconds */
	int login_backoff_max;     /* seconds: the longest a login answer is held */
	long pwhash_opslimit;      /* argon2id passes */
	long pwhash_memlimit;      /* argon2id memory in bytes */
	char password_dict[PATH_MAX]; /* cracklib dictionary new passwords are checked against */
	struct cr_rate rates[CR_RATE_KINDS]; /* per-user write budgets; [CR_RATE_NONE] unused */
	long long upload_max;                /* bytes; larger uploads get 413 */
	int upload_daily_quota;              /* uploads per user per calendar day */
	long long upload_bytes;   /* per user: open uploads + today's clips (0: no limit) */
	int upload_queue_max;     /* per user: open uploads + clips awaiting transcoding */
	long long min_free_disk;  /* bytes the media file system keeps free */
	long upload_expiry;       /* seconds an unfinished tus upload is kept */
	long idempotency_ttl;     /* seconds a points write's Idempotency-Key is remembered */
	bool keep_source;         /* keep the original upload after transcoding */
	long purge_after;         /* seconds a removed or failed clip's files are kept */
	long source_retention;    /* seconds an original is kept at most, 0 = no bound */
	int maintenance_interval; /* seconds between maintenance rounds */
	int transcode_time_limit; /* seconds one transcode may take */
	int drain_timeout;        /* seconds a stop waits for requests in flight */
	int query_timeout;        /* seconds an API request's SQL may take (0: no limit) */
	int query_timeout_long;   /* the same for imports, the impact report, CSV exports */
	int export_time_limit;    /* seconds a streamed CSV export may take, all in (0: none) */
	long export_max_rows;     /* rows a streamed CSV export may send (0: no limit) */
	bool demo;                /* load the demo seed into a new database */
	char seed_path[PATH_MAX]; /* the demo seed file */
	char web_dir[PATH_MAX];   /* the web client's static files, served at / */
	int demo_clips;           /* demo clips made at first start (0: none) */
	int rule_hour;            /* local hour of the daily push-rule pass */
	int demo_agents;          /* synthetic agents for the learning loop's demo (0: none) */
	bool access_log;          /* one line per request on stderr */
	int log_format;           /* enum log_format (casereel/log.h) */
	int log_level;            /* enum log_level: the least level written */
	bool test_hooks;          /* tests only: /api/v1/test/ routes (loopback binds only) */
	char public_url[CR_PUBLIC_URL_MAX]; /* how clients reach us ("https://host"); "": as
					       listened */
};

/* Fills `cfg` with the built-in defaults. */
void config_defaults(struct cr_config *cfg);

/* Applies CASEREEL_* environment variables, then command-line flags
 * (argv[0] is skipped). On CR_EINVAL `err` says which setting is wrong,
 * e.g. --test-hooks with a --bind that is not a loopback address. */
cr_err config_load(struct cr_config *cfg, int argc, char **argv, char *err, size_t err_len);

/* Derives paths (db_path, default media_dir) and creates the directories.
 * On failure `err` says which path could not be made. */
cr_err config_prepare_dirs(struct cr_config *cfg, char *err, size_t err_len);

/* Prints the flags with their environment names and defaults to `out`. */
void config_usage(void *out);

/* One setting as documentation shows it (src/core/manpage.c). */
struct config_option {
	const char *flag; /* without the leading -- */
	const char *env;  /* CASEREEL_* */
	const char *help;
	bool is_bool;         /* given alone, the flag means 1 */
	char value[PATH_MAX]; /* its value in the cfg asked about, as a flag takes it */
};

/* Fills `out` with setting number `i` (in --help order) and its value in
 * `cfg` (config_defaults for the defaults); false past the last one. */
bool config_option_at(size_t i, const struct cr_config *cfg, struct config_option *out);

#endif
