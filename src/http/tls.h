/* HTTPS served by libmicrohttpd itself (GnuTLS): the --tls-cert and --tls-key
 * PEM files, read once at start, turned into daemon options. */
#ifndef CASEREEL_HTTP_TLS_H
#define CASEREEL_HTTP_TLS_H

#include <microhttpd.h>
#include <stddef.h>

#include "casereel/config.h"
#include "casereel/error.h"

struct http_tls {
	char *cert, *key;              /* PEM text, NUL-terminated; NULL when serving HTTP */
	struct MHD_OptionItem opts[3]; /* for MHD_OPTION_ARRAY: cert, key, end */
	unsigned flags;                /* MHD_USE_TLS when serving HTTPS, else 0 */
};

/* Reads the PEM files cfg names (config_load has made sure it names both or
 * neither): both, HTTPS (opts carry them, flags has MHD_USE_TLS); neither,
 * plain HTTP (opts is just the end, flags 0). The memory must outlive the
 * daemon: free it after MHD_stop_daemon. On an error nothing stays allocated
 * and `err` says which file and why: CR_EINVAL for a file that is not PEM or a
 * libmicrohttpd without TLS, CR_EIO when a file cannot be read. */
cr_err http_tls_load(const struct cr_config *cfg, struct http_tls *tls, char *err, size_t err_len);

/* Wipes the private key, frees both texts; safe on a zeroed struct. */
void http_tls_free(struct http_tls *tls);

#endif
