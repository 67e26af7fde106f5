/* Signed media URLs: /media/v/<id>/<version>/<expires>/<sig>/<file>. The
 * signature (a truncated HMAC-SHA256 under a server secret) covers the
 * video id, its media version and the expiry, so one prefix unlocks every
 * file of one version of a clip until it expires, relative references
 * inside HLS playlists stay valid, and a URL never names other bytes than
 * the ones it first served (a new rendering is a new version). With
 * --media-base-url the URLs are absolute, on that origin (a CDN). */
#ifndef CASEREEL_MEDIA_SIGN_H
#define CASEREEL_MEDIA_SIGN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "casereel/error.h"

#define MEDIA_SIG_CHARS 23 /* 16 bytes as unpadded base64url, + NUL */

/* Loads the secret from <data_dir>/media.key, creating it (0600) on first
 * start, and keeps `base_url` ("" or an origin such as
 * https://cdn.example.com, checked by the configuration) for the URLs.
 * Call once before signing. */
cr_err media_sign_init(const char *data_dir, const char *base_url);

/* Writes "<base>/media/v/<id>/<version>/<expires>/<sig>/<file>" into out. */
cr_err media_sign_url(int64_t video_id, int64_t version, int64_t expires_at, const char *file,
		      char *out, size_t size);

/* True when `sig` is the valid signature of (video_id, version,
 * expires_at); constant time. Expiry is the caller's check. */
bool media_sign_check(int64_t video_id, int64_t version, int64_t expires_at, const char *sig);

/* The same for a URL made before media versions
 * (/media/v/<id>/<expires>/<sig>/<file>, signing the id and expiry), which
 * names version 1: links handed out before an upgrade keep working until
 * they expire. */
bool media_sign_check_unversioned(int64_t video_id, int64_t expires_at, const char *sig);

#endif
