/* Project-wide result codes, and the problem value a refusal travels in
 * from the domain up to the response. 0 is success; functions return one of
 * these and hand results back through out-parameters. */
#ifndef CASEREEL_ERROR_H
#define CASEREEL_ERROR_H

#include <stdbool.h>

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
	CR_EFUNDS,     /* a points balance is short of what is asked */
	CR_EFORBIDDEN, /* the caller may not do this to this thing */
	CR_ENOSPACE,   /* the server's disk is too full to take this */
} cr_err;

/* A short static English description of `err`. Never NULL. */
const char *cr_strerror(cr_err err);

/* Why a domain call refused: what kind of failure (code, which picks the
 * HTTP status), a stable slug for clients (type), the input at fault
 * (field) and words for a person (detail). A function that can refuse
 * takes one as its last out-parameter (NULL when the caller does not care)
 * and fills it only when it returns that code; a caller that sees a code
 * the problem does not carry answers the code's default. */
struct cr_problem {
	cr_err code;        /* CR_OK until a refusal fills it */
	const char *type;   /* slug ("insufficient-points"), static; NULL: the code's default */
	const char *field;  /* the offending input field, static or field_buf; NULL for none */
	char detail[256];   /* for a person; "" for the code's default */
	char field_buf[64]; /* a field name made at run time ("regions[1].w") */
};

/* Fills `p` (when not NULL) with a refusal and returns `code`, so a domain
 * function can `return cr_refuse(why, CR_EINVAL, "invalid-field", "title",
 * "...")`. `type` and `field` must be static strings (or NULL). */
cr_err cr_refuse(struct cr_problem *p, cr_err code, const char *type, const char *field,
		 const char *detail_fmt, ...) __attribute__((format(printf, 5, 6)));

/* Whether `p` explains a failure with code `err`: it is not NULL and a
 * refusal filled it with that very code. Inline, so that code which only
 * reads problems (the HTTP layer, fuzz harnesses) needs no error.c. */
static inline bool cr_problem_explains(const struct cr_problem *p, cr_err err)
{
	return p && err != CR_OK && p->code == err;
}

#endif
