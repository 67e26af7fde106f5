/* Signed media URLs: /media/v/<id>/<expires>/<sig>/<file>. The signature (a
 * truncated HMAC-SHA256 under a server secret) covers the video id and the
 * expiry, so one prefix unlocks every file of that clip until it expires and
 * relative references inside HLS playlists stay valid. */
#ifndef CASEREEL_MEDIA_SIGN_H
#define CASEREEL_MEDIA_SIGN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "casereel/error.h"

#define MEDIA_SIG_CHARS 23 /* 16 bytes as unpadded base64url, + NUL */

/* Loads the secret from <data_dir>/media.key, creating it (0600) on first
 * start. Call once before signing. */
cr_err media_sign_init(const char *data_dir);

/* Writes "/media/v/<id>/<expires>/<sig>/<file>" into out. */
cr_err media_sign_url(int64_t video_id, int64_t expires_at, const char *file, char *out,
		      size_t size);

/* True when `sig` is the valid signature of (video_id, expires_at); constant
 * time. Expiry is the caller's check. */
bool media_sign_check(int64_t video_id, int64_t expires_at, const char *sig);

#endif
