/* Human descriptions of the project-wide result codes, and refusals. */
#include "casereel/error.h"

#include <stdarg.h>
#include <stdio.h>

const char *cr_strerror(cr_err err)
{
	switch (err) {
	case CR_OK: return "ok";
	case CR_ENOMEM: return "out of memory";
	case CR_EINVAL: return "invalid input";
	case CR_ENOTFOUND: return "not found";
	case CR_ECONFLICT: return "conflict";
	case CR_EDB: return "database error";
	case CR_EIO: return "input/output error";
	case CR_EAUTH: return "authentication failed";
	case CR_ETOOBIG: return "too big";
	case CR_ETHROTTLED: return "too many attempts";
	case CR_EFUNDS: return "insufficient points";
	case CR_EFORBIDDEN: return "forbidden";
	case CR_ENOSPACE: return "insufficient storage";
	}
	return "unknown error";
}

cr_err cr_refuse(struct cr_problem *p, cr_err code, const char *type, const char *field,
		 const char *fmt, ...)
{
	if (!p)
		return code;
	p->code = code;
	p->type = type;
	p->field = field;
	va_list ap;
	va_start(ap, fmt);
	if (vsnprintf(p->detail, sizeof p->detail, fmt, ap) < 0)
		p->detail[0] = '\0';
	va_end(ap);
	return code;
}
