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
			int64_t offset, int64_t limit, enum upload_hash_alg hash)
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
	e = upload_sink_adopt(s, s->fd, limit, hash);
	if (e) {
		upload_sink_close(s);
		return e;
	}
	s->offset = offset;
	return CR_OK;
}

cr_err upload_sink_adopt(struct upload_sink *s, int fd, int64_t limit, enum upload_hash_alg hash)
{
	s->fd = fd;
	s->offset = 0;
	s->limit = limit;
	return upload_hash_start(&s->hash, hash);
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
	upload_hash_update(&s->hash, data, len);
	s->offset += (int64_t)len;
	return CR_OK;
}

cr_err upload_sink_sync(struct upload_sink *s)
{
	if (s->fd < 0 || fsync(s->fd) != 0)
		return CR_EIO;
	return CR_OK;
}

bool upload_sink_digest(struct upload_sink *s, unsigned char out[UPLOAD_HASH_MAX])
{
	return upload_hash_final(&s->hash, out);
}

bool upload_sink_digest_is(struct upload_sink *s, const unsigned char want[UPLOAD_HASH_MAX])
{
	unsigned char got[UPLOAD_HASH_MAX];
	size_t n = upload_hash_size(s->hash.alg);
	return upload_sink_digest(s, got) && sodium_memcmp(got, want, n) == 0;
}

void upload_sink_close(struct upload_sink *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	upload_hash_end(&s->hash);
}
