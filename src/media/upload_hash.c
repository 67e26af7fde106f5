/* The digest choice of upload bodies: sha256 from libsodium, sha1 from
 * libavutil. See include/casereel/upload_hash.h. */
#include "casereel/upload_hash.h"

#include <libavutil/mem.h>
#include <libavutil/sha.h>
#include <string.h>

cr_err upload_hash_start(struct upload_hash *h, enum upload_hash_alg alg)
{
	memset(h, 0, sizeof *h);
	if (alg == UPLOAD_HASH_SHA256) {
		crypto_hash_sha256_init(&h->sha256);
	} else if (alg == UPLOAD_HASH_SHA1) {
		h->sha1 = av_sha_alloc();
		if (!h->sha1 || av_sha_init(h->sha1, 160) < 0) {
			upload_hash_end(h);
			return CR_ENOMEM;
		}
	}
	h->alg = alg;
	return CR_OK;
}

void upload_hash_update(struct upload_hash *h, const void *data, size_t len)
{
	if (h->alg == UPLOAD_HASH_SHA256)
		crypto_hash_sha256_update(&h->sha256, data, len);
	else if (h->alg == UPLOAD_HASH_SHA1)
		av_sha_update(h->sha1, data, len);
}

bool upload_hash_final(struct upload_hash *h, unsigned char out[UPLOAD_HASH_MAX])
{
	if (h->alg == UPLOAD_HASH_SHA256)
		crypto_hash_sha256_final(&h->sha256, out);
	else if (h->alg == UPLOAD_HASH_SHA1)
		av_sha_final(h->sha1, out);
	bool had = h->alg != UPLOAD_HASH_NONE;
	upload_hash_end(h);
	return had;
}

void upload_hash_end(struct upload_hash *h)
{
	av_freep(&h->sha1);
	h->alg = UPLOAD_HASH_NONE;
}
