/* Error codes shared by every module: 0 is success, a negative enum err value is a failure. */
#ifndef VARN_CORE_ERR_H
#define VARN_CORE_ERR_H

enum err {
    ERR_OK = 0,
    ERR_NOMEM = -1,       /* allocation failed (normally aborts instead) */
    ERR_INVALID = -2,     /* input rejected by validation */
    ERR_NOTFOUND = -3,    /* no such object, or not visible to the caller */
    ERR_CONFLICT = -4,    /* object exists or state forbids the change */
    ERR_DB = -5,          /* database failure */
    ERR_IO = -6,          /* file or socket failure */
    ERR_TOOBIG = -7,      /* a bounded buffer or limit was exceeded */
    ERR_BUSY = -8,        /* database locked beyond the busy timeout: retry later */
    ERR_UNSUPPORTED = -9, /* not available in this build or for this database */
    ERR_SCHEMA = -10,     /* database schema is newer than, or behind, this binary */
    ERR_REJECTED = -11,   /* a problem was recorded on the request; send it */
};

/* A short English description of an error code, for logs and CLI messages. */
const char *err_str(int code);

#endif
