/* libav*'s messages through the logging API. See casereel/libav_log.h. */
#include "casereel/libav_log.h"

#include <libavutil/log.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Set once before libav runs on other threads; read by its callbacks. */
static int route_least = AV_LOG_WARNING;
static int64_t route_job, route_clip;

/* A message as libav sends it, possibly in pieces, until its newline. */
struct pending {
	char text[1024];
	size_t len;
	char component[32];
	int level; /* the most severe of the pieces */
};
static _Thread_local struct pending pending;

static void flush(struct pending *p)
{
	while (p->len && (p->text[p->len - 1] == '\n' || p->text[p->len - 1] == '\r' ||
			  p->text[p->len - 1] == ' '))
		p->len--;
	p->text[p->len] = '\0';
	if (p->len) {
		struct log_field f[4] = {
			LOG_STR("source", "libav"),
			LOG_STR("component", p->component[0] ? p->component : NULL)};
		size_t n = 2;
		if (route_job)
			f[n++] = LOG_INT("job", route_job);
		if (route_clip)
			f[n++] = LOG_INT("clip", route_clip);
		log_event(p->level <= AV_LOG_ERROR ? LOG_LEVEL_ERROR : LOG_LEVEL_WARN, f, n, "%s",
			  p->text);
	}
	p->len = 0;
	p->component[0] = '\0';
}

static void on_av_log(void *avcl, int level, const char *fmt, va_list vl)
{
	level &= 0xff; /* the bits above are a colour */
	if (level > route_least)
		return;
	struct pending *p = &pending;
	if (p->len == 0) {
		const AVClass *cls = avcl ? *(const AVClass **)avcl : NULL;
		const char *name = cls && cls->item_name ? cls->item_name(avcl) : NULL;
		/* a context without a name calls itself "NULL" */
		snprintf(p->component, sizeof p->component, "%s",
			 name && strcmp(name, "NULL") ? name : "");
		p->level = level;
	} else if (level < p->level) {
		p->level = level;
	}
	size_t room = sizeof p->text - p->len;
	int n = vsnprintf(p->text + p->len, room, fmt, vl);
	if (n > 0)
		p->len += (size_t)n < room ? (size_t)n : room - 1;
	if (p->len && (p->text[p->len - 1] == '\n' || p->len == sizeof p->text - 1))
		flush(p);
}

void libav_log_route(enum log_level least, int64_t job_id, int64_t clip_id)
{
	route_least = least >= LOG_LEVEL_ERROR ? AV_LOG_ERROR : AV_LOG_WARNING;
	route_job = job_id;
	route_clip = clip_id;
	av_log_set_level(route_least);
	av_log_set_callback(on_av_log);
}
