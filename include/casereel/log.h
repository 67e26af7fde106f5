/* Logging to stderr: levels, key/value fields, text or JSON lines, one
 * write() per line so lines from threads (and the transcoder child) never
 * interleave. */
#ifndef CASEREEL_LOG_H
#define CASEREEL_LOG_H

#include <stdbool.h>
#include <stddef.h>

/* In rising order: a line is written when its level is at least the
 * configured one (--log-level). */
enum log_level { LOG_LEVEL_DEBUG, LOG_LEVEL_INFO, LOG_LEVEL_WARN, LOG_LEVEL_ERROR };

/* --log-format: `ts level msg key=value ...`, or one JSON object per line
 * with "ts", "level", "msg" and the fields. */
enum log_format { LOG_FORMAT_TEXT, LOG_FORMAT_JSON };

/* The words of the flags, indexed by the enums above; NULL-terminated. */
extern const char *const log_level_names[];
extern const char *const log_format_names[];

/* One key/value of a line. Keys are the caller's constants ([a-z_]);
 * string values may hold anything (they are escaped). */
enum log_field_kind { LOG_FIELD_STR, LOG_FIELD_INT, LOG_FIELD_BOOL };
struct log_field {
	const char *key;
	enum log_field_kind kind;
	union {
		const char *s; /* NULL: the field is left out */
		long long i;
		bool b;
	};
};
#define LOG_STR(k, v)  ((struct log_field){.key = (k), .kind = LOG_FIELD_STR, .s = (v)})
#define LOG_INT(k, v)  ((struct log_field){.key = (k), .kind = LOG_FIELD_INT, .i = (long long)(v)})
#define LOG_BOOL(k, v) ((struct log_field){.key = (k), .kind = LOG_FIELD_BOOL, .b = (v)})

/* Sets the format and the least level written, for the whole process.
 * Call it at start, before threads log (text and info until then). */
void log_configure(enum log_format format, enum log_level least);

enum log_format log_current_format(void);
enum log_level log_current_level(void);

/* Whether a line at `level` would be written. */
bool log_enabled(enum log_level level);

/* The calling thread's request id, written as "request_id" on every line
 * the thread logs until it is set again; NULL or "" for none. The string
 * is the caller's and must live until then (the HTTP glue sets it around
 * each callback of a request). */
void log_set_request_id(const char *id);

/* Writes one line: the printf-style message, then `n` fields, then the
 * thread's request id. Control bytes and invalid UTF-8 are escaped, so
 * nothing logged can start a line of its own; an overlong line has its
 * strings cut so that it stays one atomic write (at most LOG_LINE_MAX). */
void log_event(enum log_level level, const struct log_field *fields, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Longest line written, newline included: PIPE_BUF, what one write() to a
 * pipe keeps whole. */
#define LOG_LINE_MAX 4096

/* log_event with an array of fields: log_fields(LOG_LEVEL_WARN, f, "...") */
#define log_fields(level, fields, ...)                                                             \
	log_event(level, fields, sizeof(fields) / sizeof((fields)[0]), __VA_ARGS__)

#define log_debug(...) log_event(LOG_LEVEL_DEBUG, NULL, 0, __VA_ARGS__)
#define log_info(...)  log_event(LOG_LEVEL_INFO, NULL, 0, __VA_ARGS__)
#define log_warn(...)  log_event(LOG_LEVEL_WARN, NULL, 0, __VA_ARGS__)
#define log_error(...) log_event(LOG_LEVEL_ERROR, NULL, 0, __VA_ARGS__)

#endif
