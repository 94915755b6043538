/* SQL of the audit module (audit_sql.c). */
#ifndef VARN_AUDIT_SQL_H
#define VARN_AUDIT_SQL_H

#include "audit/audit.h"

struct db;

/* The last entry's seq and hash (0 and AUDIT_GENESIS for an empty log). */
int audit_sql_head(struct db *db, int64_t *seq, char hash[AUDIT_HASH_LEN]);
int audit_sql_insert(struct db *db, const struct audit_record *r);

#endif
