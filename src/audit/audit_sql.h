/* SQL of the audit module (audit_sql.c). */
#ifndef VARN_AUDIT_SQL_H
#define VARN_AUDIT_SQL_H

#include "audit/audit.h"

struct caller;
struct db;
struct db_stmt;

/* The last entry's seq and hash (0 and AUDIT_GENESIS for an empty log). */
int audit_sql_head(struct db *db, int64_t *seq, char hash[AUDIT_HASH_LEN]);
int audit_sql_insert(struct db *db, const struct audit_record *r);

/* The whole chain in seq order, read one row at a time: open, then next until DB_DONE, then
 * db_finalize. next fills r with pointers valid until the following step. */
int audit_sql_chain_open(struct db *db, struct db_stmt **st);
int audit_sql_chain_next(struct db_stmt *st, struct audit_record *r);

/* A search, newest first, limited to what the viewer may see; rows as audit_sql_chain_next
 * gives them, with the organisation's code (or NULL) in *org_code. */
int audit_sql_search_open(struct db *db, const struct audit_viewer *v, const struct audit_filter *f,
                          struct db_stmt **st);
int audit_sql_search_next(struct db_stmt *st, struct audit_record *r, const char **org_code);

/* The organisation of a token's or a person's caller (0 when neither has one). */
int audit_sql_caller_org(struct db *db, const struct caller *c, int64_t *org_id);

#endif
