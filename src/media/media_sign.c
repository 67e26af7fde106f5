/* HMAC-signed media URL prefixes. See include/casereel/media_sign.h. */
#include "casereel/media_sign.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "casereel/log.h"

static unsigned char key[crypto_auth_hmacsha256_KEYBYTES];
static char base[256]; /* --media-base-url, "" for relative URLs */

static cr_err read_key(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? CR_ENOTFOUND : CR_EIO;
	ssize_t n = read(fd, key, sizeof key);
	close(fd);
	return n == (ssize_t)sizeof key ? CR_OK : CR_EIO;
}

cr_err media_sign_init(const char *data_dir, const char *base_url)
{
	char path[PATH_MAX];
	if ((size_t)snprintf(base, sizeof base, "%s", base_url) >= sizeof base)
		return CR_EINVAL;
	int len = snprintf(path, sizeof path, "%s/media.key", data_dir);
	if (len < 0 || (size_t)len >= sizeof path)
		return CR_EINVAL;
	cr_err e = read_key(path);
	if (e != CR_ENOTFOUND)
		return e;
	crypto_auth_hmacsha256_keygen(key);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return errno == EEXIST ? read_key(path) : CR_EIO; /* lost a race: use theirs */
	bool ok = write(fd, key, sizeof key) == (ssize_t)sizeof key && fsync(fd) == 0;
	close(fd);
	if (!ok)
		log_error("cannot write %s", path);
	return ok ? CR_OK : CR_EIO;
}

/* The signature of `msg` (its first n bytes) as base64url. */
static void sign(const char *msg, int n, char out[MEDIA_SIG_CHARS])
{
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256(mac, (const unsigned char *)msg, (unsigned long long)n, key);
	sodium_bin2base64(out, MEDIA_SIG_CHARS, mac, 16, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

/* "v2/<id>/<version>/<expires>"; version 0 signs the unversioned form
 * "v1/<id>/<expires>" of the URLs from before versions. */
static void sign_url(int64_t video_id, int64_t version, int64_t expires_at,
		     char out[MEDIA_SIG_CHARS])
{
	char msg[96];
	int n = version ? snprintf(msg, sizeof msg, "v2/%lld/%lld/%lld", (long long)video_id,
				   (long long)version, (long long)expires_at)
			: snprintf(msg, sizeof msg, "v1/%lld/%lld", (long long)video_id,
				   (long long)expires_at);
	sign(msg, n, out);
}

cr_err media_sign_url(int64_t video_id, int64_t version, int64_t expires_at, const char *file,
		      char *out, size_t size)
{
	char sig[MEDIA_SIG_CHARS];
	if (version < 1)
		return CR_EINVAL;
	sign_url(video_id, version, expires_at, sig);
	int n = snprintf(out, size, "%s/media/v/%lld/%lld/%lld/%s/%s", base, (long long)video_id,
			 (long long)version, (long long)expires_at, sig, file);
	return n < 0 || (size_t)n >= size ? CR_EINVAL : CR_OK;
}

static bool check(int64_t video_id, int64_t version, int64_t expires_at, const char *sig)
{
	char want[MEDIA_SIG_CHARS];
	sign_url(video_id, version, expires_at, want);
	return strlen(sig) == MEDIA_SIG_CHARS - 1 &&
	       sodium_memcmp(want, sig, MEDIA_SIG_CHARS - 1) == 0;
}

bool media_sign_check(int64_t video_id, int64_t version, int64_t expires_at, const char *sig)
{
	return version >= 1 && check(video_id, version, expires_at, sig);
}

bool media_sign_check_unversioned(int64_t video_id, int64_t expires_at, const char *sig)
{
	return check(video_id, 0, expires_at, sig);
}
