/* All SQL of the audit module. */
#include "audit/audit_sql.h"
#include "core/err.h"
#include "core/str.h"
#include "db/db.h"

static const char SQL_HEAD[] = "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1";
static const char SQL_INSERT[] =
    "INSERT INTO audit_log (seq, at, actor, address, action, object_kind, object_id,"
    " organisation_id, before, after, prev_hash, hash)"
    " VALUES (:seq, :at, :actor, :address, :action, :object_kind, :object_id,"
    " :organisation_id, :before, :after, :prev_hash, :hash)";

int audit_sql_head(struct db *db, int64_t *seq, char hash[AUDIT_HASH_LEN])
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_HEAD, &st);
    if (rc)
        return rc;
    rc = db_step(st);
    if (rc == DB_ROW) {
        *seq = db_col_int(st, 0);
        rc = str_copy(hash, AUDIT_HASH_LEN, db_col_text(st, 1)) ? ERR_DB : 0;
    } else if (rc == DB_DONE) {
        *seq = 0;
        rc = str_copy(hash, AUDIT_HASH_LEN, AUDIT_GENESIS);
    }
    db_finalize(st);
    return rc;
}

int audit_sql_insert(struct db *db, const struct audit_record *r)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_INSERT, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":seq", r->seq);
    if (!rc)
        rc = db_bind_text(st, ":at", r->at);
    if (!rc)
        rc = db_bind_text(st, ":actor", r->actor);
    if (!rc)
        rc = db_bind_text(st, ":address", r->address);
    if (!rc)
        rc = db_bind_text(st, ":action", r->action);
    if (!rc)
        rc = db_bind_text(st, ":object_kind", r->object_kind);
    if (!rc)
        rc = db_bind_text(st, ":object_id", r->object_id);
    if (!rc)
        rc = r->organisation_id ? db_bind_int(st, ":organisation_id", r->organisation_id)
                                : db_bind_null(st, ":organisation_id");
    if (!rc)
        rc = db_bind_text(st, ":before", r->before);
    if (!rc)
        rc = db_bind_text(st, ":after", r->after);
    if (!rc)
        rc = db_bind_text(st, ":prev_hash", r->prev_hash);
    if (!rc)
        rc = db_bind_text(st, ":hash", r->hash);
    if (!rc)
        rc = db_step(st) == DB_DONE ? 0 : ERR_DB;
    db_finalize(st);
    return rc;
}
