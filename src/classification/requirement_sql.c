/* All SQL of the requirement rules; tenant reads start with AUTHZ_SCOPE_CTE. Portable: no
 * date functions, named parameters only. */
#include "classification/requirement_sql.h"
#include "catalog/cat_common.h"
#include "core/err.h"
#include "db/db.h"

#define IN_REACH(col) "(:everything = 1 OR " col " IN (SELECT org_id FROM scope))"

#define RULE_COLUMNS                                                                               \
    "r.id AS \"#id\", o.code AS organisation, r.organisation_id AS _organisation_id,"              \
    " r.aspect, r.min_level AS \"#min_level\", r.code, r.text_sv, r.text_en,"                      \
    " r.applies_to_planned AS \"?applies_to_planned\""
#define RULE_FROM " FROM requirement_rule r LEFT JOIN organisation o ON o.id = r.organisation_id"
#define RULE_ORDER                                                                                 \
    " ORDER BY CASE WHEN r.organisation_id IS NULL THEN 0 ELSE 1 END, o.code,"                     \
    " r.aspect, r.min_level, r.code, r.id"

/* org is in reach (checked before); the rules of those above it apply to its systems, so they
 * are shown even where the caller reaches no further up. */
static const char SQL_RULES_OF_ORG[] =
    "WITH RECURSIVE up(id) AS (SELECT CAST(:org AS INTEGER)"
    " UNION SELECT o.parent_id FROM organisation o JOIN up ON o.id = up.id"
    " WHERE o.parent_id IS NOT NULL)"
    " SELECT " RULE_COLUMNS ","
    " CASE WHEN r.organisation_id IS NULL THEN 'default'"
    " WHEN r.organisation_id = :org THEN 'organisation' ELSE 'inherited' END AS source" RULE_FROM
    " WHERE r.organisation_id IS NULL OR r.organisation_id IN (SELECT id FROM up)" RULE_ORDER;
static const char SQL_RULES_IN_REACH[] =
    AUTHZ_SCOPE_CTE "SELECT " RULE_COLUMNS ","
                    " CASE WHEN r.organisation_id IS NULL THEN 'default' ELSE 'organisation' END "
                    "AS source" RULE_FROM
                    " WHERE r.organisation_id IS NULL OR " IN_REACH("r.organisation_id") RULE_ORDER;
static const char SQL_RULE_FIND[] = AUTHZ_SCOPE_CTE
    "SELECT " RULE_COLUMNS ","
    " CASE WHEN r.organisation_id IS NULL THEN 'default' ELSE 'organisation' END AS "
    "source" RULE_FROM
    " WHERE r.id = :id AND (r.organisation_id IS NULL OR " IN_REACH("r.organisation_id") ")";
static const char SQL_CODE_TAKEN[] =
    "WITH RECURSIVE up(id) AS (SELECT CAST(:org AS INTEGER)"
    " UNION SELECT o.parent_id FROM organisation o JOIN up ON o.id = up.id"
    " WHERE o.parent_id IS NOT NULL),"
    " down(id) AS (SELECT CAST(:org AS INTEGER)"
    " UNION SELECT o.id FROM organisation o JOIN down ON o.parent_id = down.id)"
    " SELECT count(*) FROM requirement_rule WHERE code = :code AND id <> :exclude"
    " AND (organisation_id IS NULL OR organisation_id IN (SELECT id FROM up)"
    "      OR organisation_id IN (SELECT id FROM down))";
static const char SQL_RULE_INSERT[] =
    "INSERT INTO requirement_rule (organisation_id, aspect, min_level, code, text_sv, text_en,"
    " applies_to_planned) VALUES (:organisation_id, :aspect, :min_level, :code, :text_sv,"
    " :text_en, :applies_to_planned) RETURNING id";
static const char SQL_RULE_UPDATE[] =
    "UPDATE requirement_rule SET aspect = :aspect, min_level = :min_level, code = :code,"
    " text_sv = :text_sv, text_en = :text_en, applies_to_planned = :applies_to_planned"
    " WHERE id = :id AND organisation_id IS NOT NULL";
static const char SQL_RULE_DELETE[] =
    "DELETE FROM requirement_rule WHERE id = :id AND organisation_id IS NOT NULL";

int req_sql_rule_list(struct db *db, const struct org_actor *who, int64_t org_id, json_t *items)
{
    struct db_stmt *st;
    int rc = db_prepare(db, org_id > 0 ? SQL_RULES_OF_ORG : SQL_RULES_IN_REACH, &st);
    if (rc)
        return rc;
    rc = org_id > 0 ? db_bind_int(st, ":org", org_id) : cat_bind_scope(st, who);
    return cat_all_rows(st, rc, items);
}

int req_sql_rule_find(struct db *db, const struct org_actor *who, int64_t id, json_t **out)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_RULE_FIND, &st);
    if (rc)
        return rc;
    rc = cat_bind_scope(st, who);
    if (!rc)
        rc = db_bind_int(st, ":id", id);
    return cat_one_row(st, rc, out);
}

int req_sql_code_taken(struct db *db, int64_t org_id, const char *code, int64_t exclude_id,
                       bool *taken)
{
    struct db_stmt *st;
    int64_t n = 0;
    int rc = db_prepare(db, SQL_CODE_TAKEN, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":org", org_id);
    if (!rc)
        rc = db_bind_text(st, ":code", code);
    if (!rc)
        rc = db_bind_int(st, ":exclude", exclude_id);
    rc = db_finish_int(st, rc, &n);
    *taken = n > 0;
    return rc;
}

static int bind_rule(struct db_stmt *st, const struct rule_write *w)
{
    int rc = db_bind_text(st, ":aspect", w->aspect);
    if (!rc)
        rc = db_bind_int(st, ":min_level", w->min_level);
    if (!rc)
        rc = db_bind_text(st, ":code", w->code);
    if (!rc)
        rc = db_bind_text(st, ":text_sv", w->text_sv);
    if (!rc)
        rc = db_bind_text(st, ":text_en", w->text_en);
    if (!rc)
        rc = db_bind_int(st, ":applies_to_planned", w->applies_to_planned ? 1 : 0);
    return rc;
}

int req_sql_rule_insert(struct db *db, struct rule_write *w)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_RULE_INSERT, &st);
    if (rc)
        return rc;
    rc = bind_rule(st, w);
    if (!rc)
        rc = db_bind_int(st, ":organisation_id", w->organisation_id);
    return db_finish_int(st, rc, &w->id);
}

int req_sql_rule_update(struct db *db, const struct rule_write *w)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_RULE_UPDATE, &st);
    if (rc)
        return rc;
    rc = bind_rule(st, w);
    if (!rc)
        rc = db_bind_int(st, ":id", w->id);
    return db_finish(st, rc);
}

int req_sql_rule_delete(struct db *db, int64_t id)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_RULE_DELETE, &st);
    if (rc)
        return rc;
    return db_finish(st, db_bind_int(st, ":id", id));
}
