/* Media bytes under signed URLs:
 * /media/v/{id}/{version}/{expires}/{sig}/{file}, and the unversioned form
 * (version 1) of links handed out before media versions. The signature is
 * the authorisation; the file path is built only from the parsed id and
 * version and a whitelisted name. A version's files never change, so
 * published media is cacheable (immutable) by anyone until the link
 * expires; media not published (a trainer's preview) is never stored.
 * Status codes and headers follow what nginx's static module answers for
 * the same file (see casereel/range.h), and the bytes go out with sendfile.
 * Caption files (casereel/captions.h) are made from the database. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "casereel/app.h"
#include "casereel/captions.h"
#include "casereel/clock.h"
#include "casereel/files.h"
#include "casereel/log.h"
#include "casereel/media.h"
#include "casereel/media_sign.h"
#include "casereel/ops_stats.h"
#include "casereel/range.h"
#include "casereel/videos.h"

#define MEDIA_NAME_MAX 32

static const struct {
	const char *ext;
	const char *type;
} media_types[] = {
	{"m3u8", "application/vnd.apple.mpegurl"},
	{"mp4", "video/mp4"},
	{"m4s", "video/iso.segment"},
	{"jpg", "image/jpeg"},
	{"vtt", "text/vtt; charset=utf-8"},
};

/* A canonical positive decimal: digits only, no leading zero, ≤ INT64_MAX,
 * so each resource has exactly one URL (and one CDN cache key). */
static bool parse_positive(const char *s, int64_t *out)
{
	if (!s || *s < '1' || *s > '9')
		return false;
	int64_t v = 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > (INT64_MAX - (*s - '0')) / 10)
			return false;
		v = v * 10 + (*s - '0');
	}
	*out = v;
	return true;
}

/* The content type of a name made of [a-z0-9]+ "." <known extension>, or
 * NULL for anything else (slashes, dots, dot-files, upper case, ...). */
static const char *whitelisted_type(const char *name)
{
	size_t len = strnlen(name, MEDIA_NAME_MAX + 1);
	size_t base = strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789");
	if (len > MEDIA_NAME_MAX || base == 0 || name[base] != '.')
		return NULL;
	for (size_t i = 0; i < sizeof media_types / sizeof media_types[0]; i++)
		if (!strcmp(name + base + 1, media_types[i].ext))
			return media_types[i].type;
	return NULL;
}

/* Opens <media>/v/<id>/<version>/<name> as a regular file, never following
 * a symlink. Returns the fd, or -1 with *err CR_ENOTFOUND or CR_EIO. */
static int open_media(const struct cr_config *cfg, int64_t id, int64_t version, const char *name,
		      struct stat *st, cr_err *err)
{
	char dir[PATH_MAX], path[PATH_MAX];
	*err = CR_EIO;
	if (media_video_dir(cfg, id, version, dir, sizeof dir))
		return -1;
	int n = snprintf(path, sizeof path, "%s/%s", dir, name);
	if (n < 0 || (size_t)n >= sizeof path)
		return -1;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT || errno == ENOTDIR || errno == ELOOP)
			*err = CR_ENOTFOUND;
		else
			log_error("open %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode)) {
		*err = CR_ENOTFOUND;
		close(fd);
		return -1;
	}
	return fd;
}

/* What a media URL names. */
struct media_url {
	int64_t id, version, expires;
	const char *sig, *file;
};

/* Reads the path parameters: 5 for a versioned URL, 4 for one from before
 * versions (version 1). False when the id or version is not canonical. */
static bool parse_url(const struct cr_request *req, struct media_url *u)
{
	bool versioned = req->nparams == 5;
	u->version = 1;
	u->sig = req->params[versioned ? 3 : 2];
	u->file = req->params[versioned ? 4 : 3];
	return parse_positive(req->params[0], &u->id) &&
	       (!versioned || parse_positive(req->params[1], &u->version));
}

/* Checks the URL: id, version, signature, expiry, file name. Returns the
 * file's content type, or NULL after answering 403/404. */
static const char *check_url(struct cr_request *req, struct cr_response *res, time_t now,
			     struct media_url *u)
{
	if ((req->nparams != 4 && req->nparams != 5) || !parse_url(req, u)) {
		http_problem(res, 404, "not-found", "no such video");
		return NULL;
	}
	bool signed_ok =
		parse_positive(req->params[req->nparams - 3], &u->expires) &&
		(req->nparams == 5 ? media_sign_check(u->id, u->version, u->expires, u->sig)
				   : media_sign_check_unversioned(u->id, u->expires, u->sig));
	if (!signed_ok) {
		http_problem(res, 403, "invalid-signature",
			     "this media link is not valid; ask the API for a new one");
		return NULL;
	}
	if (u->expires < (int64_t)now) {
		http_problem(res, 403, "expired",
			     "this media link has expired; ask the API for a new one");
		return NULL;
	}
	const char *type = whitelisted_type(u->file);
	if (!type)
		http_problem(res, 404, "not-found", "no such media file");
	return type;
}

static void get_media(struct cr_request *req, struct cr_response *res)
{
	struct media_url u;
	time_t now = cr_now();
	const char *type = check_url(req, res, now, &u);
	if (!type)
		return;
	/* a rejected or removed clip's links stop working before they expire */
	bool published = false;
	cr_err e = videos_media_servable(u.id, u.version, &published);
	if (e == CR_ENOTFOUND) {
		http_problem(res, 404, "not-found", "no such video");
		return;
	}
	if (e) {
		http_problem(res, 503, "unavailable", "the database is not answering; try again");
		return;
	}
	/* a version's files never change, so a cache may keep published media
	 * until the URL itself expires; a preview awaiting review is kept by
	 * nobody, so a rejection leaves no copy behind */
	char cache[64];
	if (published)
		snprintf(cache, sizeof cache, "public, max-age=%lld, immutable",
			 (long long)(u.expires - (int64_t)now));
	else
		snprintf(cache, sizeof cache, "private, no-store");
	char *body;
	size_t len;
	if (captions_media_file(req->cfg, u.id, u.version, u.file, &body, &len, &type, &e)) {
		if (body) { /* its name names its revision: as immutable as a file */
			http_text(res, 200, type, body, len);
			http_header(res, "Cache-Control", "%s", cache);
		} else if (e)
			http_problem(res, 503, "unavailable",
				     "the database is not answering; try again");
		else
			http_problem(res, 404, "not-found", "no such media file");
		return;
	}
	struct stat st;
	int fd = open_media(req->cfg, u.id, u.version, u.file, &st, &e);
	if (fd < 0 && e == CR_ENOTFOUND)
		http_problem(res, 404, "not-found", "no such media file");
	else if (fd < 0)
		http_problem(res, 500, "internal", "the media file could not be opened");
	if (fd < 0)
		return;
	files_answer(req, res, fd, &st, type, cache);
	if (res->status == 200 || res->status == 206)
		ops_count(OPS_MEDIA_BYTES, res->file_length);
}

static const struct cr_route routes[] = {
	{"GET", "/media/v/{id}/{version}/{expires}/{sig}/{file}", CR_ROLE_NONE, CR_BODY_NONE,
	 get_media, NULL},
	{"GET", "/media/v/{id}/{expires}/{sig}/{file}", CR_ROLE_NONE, CR_BODY_NONE, get_media,
	 NULL},
};

cr_err api_media_register(struct router *r)
{
	return router_add(r, routes, sizeof routes / sizeof routes[0]);
}
