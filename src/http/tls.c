/* HTTPS for the server itself: reads the certificate and key PEM files at
 * start and hands them to libmicrohttpd. See tls.h. */
#include "tls.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PEM_MAX (1L << 20) /* a certificate chain is a few kB */

/* The whole file as a NUL-terminated string, at most PEM_MAX bytes. */
static cr_err read_pem(const char *flag, const char *path, char **out, char *err, size_t err_len)
{
	char *buf = NULL;
	cr_err rc = CR_EIO;
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, err_len, "--%s %s: %s", flag, path, strerror(errno));
		return CR_EIO;
	}
	if (!(buf = malloc(PEM_MAX + 1))) {
		rc = CR_ENOMEM;
		goto out;
	}
	size_t n = fread(buf, 1, PEM_MAX + 1, f);
	if (ferror(f)) {
		snprintf(err, err_len, "--%s %s: cannot read it", flag, path);
		goto out;
	}
	buf[n > PEM_MAX ? PEM_MAX : n] = '\0';
	if (n > PEM_MAX || !strstr(buf, "-----BEGIN ")) {
		snprintf(err, err_len, "--%s %s: not a PEM file (-----BEGIN ... -----)", flag,
			 path);
		rc = CR_EINVAL;
		goto out;
	}
	*out = buf;
	buf = NULL;
	rc = CR_OK;
out:
	if (buf) {
		sodium_memzero(buf, PEM_MAX + 1);
		free(buf);
	}
	fclose(f);
	return rc;
}

cr_err http_tls_load(const struct cr_config *cfg, struct http_tls *tls, char *err, size_t err_len)
{
	memset(tls, 0, sizeof *tls);
	tls->opts[0].option = MHD_OPTION_END;
	if (!cfg->tls_cert[0])
		return CR_OK; /* config_load saw to both or neither */
	if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
		snprintf(err, err_len, "this libmicrohttpd was built without TLS");
		return CR_EINVAL;
	}
	cr_err rc = read_pem("tls-cert", cfg->tls_cert, &tls->cert, err, err_len);
	if (!rc)
		rc = read_pem("tls-key", cfg->tls_key, &tls->key, err, err_len);
	if (rc) {
		http_tls_free(tls);
		return rc;
	}
	tls->opts[0] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_CERT, 0, tls->cert};
	tls->opts[1] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_KEY, 0, tls->key};
	tls->opts[2] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};
	tls->flags = MHD_USE_TLS;
	return CR_OK;
}

void http_tls_free(struct http_tls *tls)
{
	if (tls->key) {
		sodium_memzero(tls->key, strlen(tls->key));
		free(tls->key);
	}
	free(tls->cert);
	memset(tls, 0, sizeof *tls);
	tls->opts[0].option = MHD_OPTION_END;
}
