/* Upload bytes to disk. See include/casereel/upload_sink.h. */
#include "casereel/upload_sink.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "casereel/log.h"
#include "casereel/media.h"

void upload_sink_init(struct upload_sink *s)
{
	memset(s, 0, sizeof *s);
	s->fd = -1;
}

cr_err upload_sink_open(struct upload_sink *s, const struct cr_config *cfg, const char *upload_id,
			int64_t offset, int64_t limit, bool hash)
{
	char path[PATH_MAX];
	upload_sink_init(s);
	cr_err e = media_upload_path(cfg, upload_id, path, sizeof path);
	if (e)
		return e;
	s->fd = open(path, O_WRONLY | O_CLOEXEC);
	if (s->fd < 0 || ftruncate(s->fd, offset) != 0 ||
	    lseek(s->fd, offset, SEEK_SET) != offset) {
		log_error("upload %s: open at %lld: %s", upload_id, (long long)offset,
			  strerror(errno));
		upload_sink_close(s);
		return CR_EIO;
	}
	upload_sink_adopt(s, s->fd, limit, hash);
	s->offset = offset;
	return CR_OK;
}

void upload_sink_adopt(struct upload_sink *s, int fd, int64_t limit, bool hash)
{
	s->fd = fd;
	s->offset = 0;
	s->limit = limit;
	s->hashing = hash;
	if (hash)
		crypto_hash_sha256_init(&s->sha);
}

cr_err upload_sink_write(struct upload_sink *s, const void *data, size_t len)
{
	if (s->fd < 0)
		return CR_EIO;
	if (s->offset > s->limit || len > (uint64_t)(s->limit - s->offset))
		return CR_ETOOBIG;
	cr_err e = media_write_all(s->fd, data, len);
	if (e)
		return e;
	if (s->hashing)
		crypto_hash_sha256_update(&s->sha, data, len);
	s->offset += (int64_t)len;
	return CR_OK;
}

cr_err upload_sink_sync(struct upload_sink *s)
{
	if (s->fd < 0 || fsync(s->fd) != 0)
		return CR_EIO;
	return CR_OK;
}

bool upload_sink_digest(struct upload_sink *s, unsigned char out[32])
{
	if (!s->hashing)
		return false;
	s->hashing = false;
	crypto_hash_sha256_final(&s->sha, out);
	return true;
}

bool upload_sink_digest_is(struct upload_sink *s, const unsigned char want[32])
{
	unsigned char got[crypto_hash_sha256_BYTES];
	return upload_sink_digest(s, got) && sodium_memcmp(got, want, sizeof got) == 0;
}

void upload_sink_close(struct upload_sink *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}
