/* Line-atomic logging to stderr: the level filter, the thread's request
 * id, the time stamp and the one write per line. See casereel/log.h. */
#include "casereel/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "casereel/clock.h"
#include "casereel/text.h"
#include "log_line.h"

/* Set at start, read by every thread: relaxed atomics keep the sanitizers'
 * judgement simple at no cost. */
static atomic_int cur_format = LOG_FORMAT_TEXT;
static atomic_int cur_level = LOG_LEVEL_INFO;

static _Thread_local const char *thread_request_id;

/* The message's longest form; longer ones are cut. */
#define MSG_MAX 2048

void log_configure(enum log_format format, enum log_level least)
{
	atomic_store_explicit(&cur_format, format == LOG_FORMAT_JSON, memory_order_relaxed);
	atomic_store_explicit(&cur_level,
			      least < LOG_LEVEL_DEBUG   ? LOG_LEVEL_DEBUG
			      : least > LOG_LEVEL_ERROR ? LOG_LEVEL_ERROR
							: least,
			      memory_order_relaxed);
}

enum log_format log_current_format(void)
{
	return (enum log_format)atomic_load_explicit(&cur_format, memory_order_relaxed);
}

enum log_level log_current_level(void)
{
	return (enum log_level)atomic_load_explicit(&cur_level, memory_order_relaxed);
}

bool log_enabled(enum log_level level)
{
	return (int)level >= atomic_load_explicit(&cur_level, memory_order_relaxed);
}

void log_set_request_id(const char *id)
{
	thread_request_id = id;
}

/* "2026-01-31T23:59:59.123Z" from the one clock. */
static void timestamp(char *out, size_t size)
{
	long long ms = cr_now_ms();
	time_t secs = (time_t)(ms / 1000);
	struct tm tm;
	gmtime_r(&secs, &tm);
	size_t n = strftime(out, size, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + n, size - n, ".%03dZ", (int)(ms % 1000));
}

/* The whole line in one write(): lines up to PIPE_BUF reach a pipe whole,
 * whoever else writes to it. */
static void write_line(const char *line, size_t len)
{
	while (len > 0) {
		ssize_t w = write(STDERR_FILENO, line, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return; /* nothing useful to do if stderr is gone */
		line += w;
		len -= (size_t)w;
	}
}

void log_event(enum log_level level, const struct log_field *fields, size_t n, const char *fmt, ...)
{
	if (!log_enabled(level))
		return;
	int saved_errno = errno; /* callers log strerror(errno) and then look at errno */
	char msg[MSG_MAX], ts[40];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	utf8_trim(msg); /* a cut may have split a character */
	timestamp(ts, sizeof ts);
	struct log_line l = {.ts = ts,
			     .level = level,
			     .msg = msg,
			     .fields = fields,
			     .n = n,
			     .request_id = thread_request_id};
	char line[LOG_LINE_MAX];
	enum log_format format = log_current_format();
	/* Cut the strings harder until the line fits: escaping may grow them. */
	for (size_t cut = MSG_MAX; cut >= 16; cut /= 4) {
		size_t len = log_line_format(format, &l, cut, line, sizeof line);
		if (len) {
			write_line(line, len);
			break;
		}
	}
	errno = saved_errno;
}
