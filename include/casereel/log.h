/* Logging to stderr, one write() per line so lines from threads never interleave. */
#ifndef CASEREEL_LOG_H
#define CASEREEL_LOG_H

/* printf-style message prefixed with an ISO-8601 UTC time and `level`. */
void log_msg(const char *level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_info(...)  log_msg("info", __VA_ARGS__)
#define log_warn(...)  log_msg("warn", __VA_ARGS__)
#define log_error(...) log_msg("error", __VA_ARGS__)

#endif
