/* Descriptions of the shared error codes. */
#include "core/err.h"

const char *err_str(int code)
{
    switch (code) {
    case ERR_OK:
        return "success";
    case ERR_NOMEM:
        return "out of memory";
    case ERR_INVALID:
        return "invalid input";
    case ERR_NOTFOUND:
        return "not found";
    case ERR_CONFLICT:
        return "conflict";
    case ERR_DB:
        return "database error";
    case ERR_IO:
        return "input/output error";
    case ERR_TOOBIG:
        return "size limit exceeded";
    case ERR_BUSY:
        return "database busy";
    case ERR_UNSUPPORTED:
        return "not supported";
    case ERR_SCHEMA:
        return "database schema mismatch";
    case ERR_REJECTED:
        return "request rejected";
    }
    return "unknown error";
}
