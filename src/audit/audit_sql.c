/* All SQL of the audit module. */
#include "audit/audit_sql.h"
#include "authz/authz.h"
#include "core/err.h"
#include "core/str.h"
#include "db/db.h"

#include <stdint.h>

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
    return db_finish(st, rc);
}

static const char SQL_CHAIN[] =
    "SELECT seq, at, actor, address, action, object_kind, object_id, organisation_id, before,"
    " after, prev_hash, hash FROM audit_log ORDER BY seq";

int audit_sql_chain_open(struct db *db, struct db_stmt **st)
{
    return db_prepare(db, SQL_CHAIN, st);
}

/* The columns of SQL_CHAIN (and the first twelve of SQL_SEARCH) into r. */
static void read_record(struct db_stmt *st, struct audit_record *r)
{
    r->seq = db_col_int(st, 0);
    r->at = db_col_text(st, 1);
    r->actor = db_col_text(st, 2);
    r->address = db_col_text(st, 3);
    r->action = db_col_text(st, 4);
    r->object_kind = db_col_text(st, 5);
    r->object_id = db_col_text(st, 6);
    r->organisation_id = db_col_is_null(st, 7) ? 0 : db_col_int(st, 7);
    r->before = db_col_text(st, 8);
    r->after = db_col_text(st, 9);
    r->prev_hash = db_col_text(st, 10);
    r->hash = db_col_text(st, 11);
}

int audit_sql_chain_next(struct db_stmt *st, struct audit_record *r)
{
    int rc = db_step(st);
    if (rc == DB_ROW)
        read_record(st, r);
    return rc;
}

/* Entries in the caller's organisations; entries without one only for administrators.
 * Absent filters are bound as NULL and match everything. */
static const char SQL_SEARCH[] =
    AUTHZ_SCOPE_CTE "SELECT a.seq, a.at, a.actor, a.address, a.action, a.object_kind, a.object_id,"
                    " a.organisation_id, a.before, a.after, a.prev_hash, a.hash, o.code"
                    " FROM audit_log a LEFT JOIN organisation o ON o.id = a.organisation_id"
                    " WHERE (a.organisation_id IN (SELECT org_id FROM scope)"
                    "        OR (a.organisation_id IS NULL AND :see_unowned = 1))"
                    " AND a.seq < :before_seq"
                    " AND (:from IS NULL OR a.at >= :from)"
                    " AND (:to IS NULL OR a.at < :to)"
                    " AND (:actor IS NULL OR a.actor = :actor)"
                    " AND (:action IS NULL OR a.action = :action)"
                    " AND (:object_kind IS NULL OR a.object_kind = :object_kind)"
                    " AND (:object_id IS NULL OR a.object_id = :object_id)"
                    " AND (:organisation IS NULL OR o.code = :organisation)"
                    " ORDER BY a.seq DESC LIMIT :limit";

int audit_sql_search_open(struct db *db, const struct audit_viewer *v, const struct audit_filter *f,
                          struct db_stmt **out)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_SEARCH, &st);
    if (rc)
        return rc;
    rc = authz_bind_scope(st, v->caller, v->roles);
    if (!rc)
        rc = db_bind_int(st, ":see_unowned", v->administrator ? 1 : 0);
    if (!rc)
        rc = db_bind_int(st, ":before_seq", f->before_seq > 0 ? f->before_seq : INT64_MAX);
    if (!rc)
        rc = db_bind_text(st, ":from", f->from);
    if (!rc)
        rc = db_bind_text(st, ":to", f->to);
    if (!rc)
        rc = db_bind_text(st, ":actor", f->actor);
    if (!rc)
        rc = db_bind_text(st, ":action", f->action);
    if (!rc)
        rc = db_bind_text(st, ":object_kind", f->object_kind);
    if (!rc)
        rc = db_bind_text(st, ":object_id", f->object_id);
    if (!rc)
        rc = db_bind_text(st, ":organisation", f->organisation);
    if (!rc)
        rc = db_bind_int(st, ":limit", f->limit);
    if (rc) {
        db_finalize(st);
        return rc;
    }
    *out = st;
    return 0;
}

int audit_sql_search_next(struct db_stmt *st, struct audit_record *r, const char **org_code)
{
    int rc = db_step(st);
    if (rc == DB_ROW) {
        read_record(st, r);
        *org_code = db_col_text(st, 12);
    }
    return rc;
}

static const char SQL_CALLER_ORG[] =
    "SELECT organisation_id FROM api_token WHERE id = :caller_token"
    " UNION ALL SELECT organisation_id FROM person WHERE id = :caller_person";

int audit_sql_caller_org(struct db *db, const struct caller *c, int64_t *org_id)
{
    struct db_stmt *st;
    *org_id = 0;
    int rc = db_prepare(db, SQL_CALLER_ORG, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":caller_token", c->token_id);
    if (!rc)
        rc = db_bind_int(st, ":caller_person", c->person_id);
    if (!rc)
        rc = db_step(st);
    if (rc == DB_ROW)
        *org_id = db_col_int(st, 0);
    db_finalize(st);
    return rc < 0 ? rc : 0;
}
