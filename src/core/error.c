/* Human descriptions of the project-wide result codes. */
#include "casereel/error.h"

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
	}
	return "unknown error";
}
