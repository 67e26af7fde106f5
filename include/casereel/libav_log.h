/* libav*'s own messages (decoders, demuxers, x264) routed through the one
 * logging API (casereel/log.h) instead of raw lines on stderr. */
#ifndef CASEREEL_LIBAV_LOG_H
#define CASEREEL_LIBAV_LOG_H

#include <stdint.h>

#include "casereel/log.h"

/* From now on, in this process, every libav message at `least` or above
 * (never below warn: debug and info count as warn) is one log line at warn
 * or error: the message, "source": "libav", "component" (the codec or
 * format that spoke), and "job" and "clip" when non-zero. A message libav
 * sends in pieces is joined into one line per thread. Call before libav
 * runs on other threads. */
void libav_log_route(enum log_level least, int64_t job_id, int64_t clip_id);

#endif
