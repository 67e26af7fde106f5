/* Project-wide result codes. 0 is success; functions return one of these and
 * hand results back through out-parameters. */
#ifndef CASEREEL_ERROR_H
#define CASEREEL_ERROR_H

typedef enum cr_err {
	CR_OK = 0,
	CR_ENOMEM,     /* allocation failed */
	CR_EINVAL,     /* caller passed something malformed */
	CR_ENOTFOUND,  /* the thing asked for does not exist */
	CR_ECONFLICT,  /* unique constraint or state conflict */
	CR_EDB,        /* SQLite failed; details were logged */
	CR_EIO,        /* file system or socket failure */
	CR_EAUTH,      /* bad credentials or token */
	CR_ETOOBIG,    /* input over a hard limit */
	CR_ETHROTTLED, /* caller must slow down */
} cr_err;

/* A short static English description of `err`. Never NULL. */
const char *cr_strerror(cr_err err);

#endif
