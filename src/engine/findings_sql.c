/* All SQL of the findings' read side and of attestations (see findings_sql.h). */
#include "engine/findings_sql.h"
#include "authz/authz.h"
#include "catalog/cat_common.h"
#include "core/err.h"
#include "db/db.h"

#define IN_REACH(col) "(:everything = 1 OR " col " IN (SELECT org_id FROM scope))"

const char *const finding_rank_names[FINDING_RANKS] = {"overdue",     "missing",  "due_soon",
                                                       "not_tracked", "excepted", "ok"};

#define RANK                                                                                       \
    "CASE f.status WHEN 'overdue' THEN 0 WHEN 'missing' THEN 1 WHEN 'due_soon' THEN 2"             \
    " WHEN 'not_tracked' THEN 3 WHEN 'excepted' THEN 4 ELSE 5 END"
#define RANK_BIT                                                                                   \
    "CASE f.status WHEN 'overdue' THEN 1 WHEN 'missing' THEN 2 WHEN 'due_soon' THEN 4"             \
    " WHEN 'not_tracked' THEN 8 WHEN 'excepted' THEN 16 ELSE 32 END"
#define DUE_KEY "COALESCE(f.due, '9999-12-31')"

#define FINDING_SELECT                                                                             \
    "SELECT f.id AS \"#id\", f.obligation, f.cite, f.section, o.code AS organisation,"             \
    " f.subject_kind, f.subject_ref, f.subject_name, f.status, f.due, p.user_id AS responsible,"   \
    " f.profile_code AS profile, f.profile_version, f.rule, " RANK " AS _rank"                     \
    " FROM finding f JOIN organisation o ON o.id = f.organisation_id"                              \
    " LEFT JOIN person p ON p.id = f.responsible_id"

#define FINDING_WHERE                                                                              \
    " WHERE " IN_REACH(                                                                            \
        "f.organisation_id") " AND (CAST(:organisation AS TEXT) IS NULL OR o.code = "              \
                             ":organisation)"                                                      \
                             " AND (CAST(:section AS TEXT) IS NULL OR f.section = :section)"       \
                             " AND (:status_mask & " RANK_BIT ") <> 0"                             \
                             " AND (CAST(:responsible AS TEXT) IS NULL OR p.user_id = "            \
                             ":responsible)"                                                       \
                             " AND (:responsible_id = 0 OR f.responsible_id = :responsible_id)"    \
                             " AND (CAST(:due_before AS TEXT) IS NULL OR f.due < :due_before)"     \
                             " AND (CAST(:obligation AS TEXT) IS NULL OR f.obligation = "          \
                             ":obligation)"                                                        \
                             " AND (CAST(:profile AS TEXT) IS NULL OR f.profile_code = :profile)"  \
                             " AND (CAST(:subject_kind AS TEXT) IS NULL OR f.subject_kind = "      \
                             ":subject_kind)"

#define FINDING_ORDER                                                                              \
    " ORDER BY " RANK ", " DUE_KEY ", f.obligation, f.subject_ref, f.id LIMIT :limit"

static const char SQL_FINDING_LIST[] = AUTHZ_SCOPE_CTE FINDING_SELECT FINDING_WHERE FINDING_ORDER;
static const char SQL_FINDING_LIST_AFTER[] = AUTHZ_SCOPE_CTE FINDING_SELECT FINDING_WHERE
    " AND (" RANK ", " DUE_KEY ", f.obligation, f.subject_ref, f.id)"
    " > (:a_rank, :a_due, :a_obligation, :a_subject, :a_id)" FINDING_ORDER;

static const char SQL_SUMMARY[] = AUTHZ_SCOPE_CTE
    "SELECT o.code AS organisation, o.name AS organisation_name,"
    " f.profile_code AS profile, f.section, f.status, count(*) AS \"#count\""
    " FROM finding f JOIN organisation o ON o.id = f.organisation_id"
    " WHERE " IN_REACH(
        "f.organisation_id") " AND (CAST(:organisation AS TEXT) IS NULL OR o.code = :organisation)"
                             " GROUP BY o.code, o.name, f.profile_code, f.section, f.status"
                             " ORDER BY o.code, f.profile_code, f.section, f.status";

static const char SQL_TREND[] = AUTHZ_SCOPE_CTE
    "SELECT s.day, s.status, sum(s.count) AS \"#count\""
    " FROM finding_snapshot s JOIN organisation o ON o.id = s.organisation_id"
    " WHERE " IN_REACH(
        "s.organisation_id") " AND (CAST(:organisation AS TEXT) IS NULL OR o.code = :organisation)"
                             " AND s.day >= :from AND s.day <= :to GROUP BY s.day, s.status ORDER "
                             "BY s.day, s.status";

static const char SQL_PROFILES[] =
    "SELECT code, version, title, builtin AS \"?builtin\", updated_at, body FROM policy_profile"
    " ORDER BY code";
static const char SQL_PROFILE_ORGS[] =
    AUTHZ_SCOPE_CTE "SELECT p.code AS profile, o.code AS organisation"
                    " FROM organisation_profile op JOIN policy_profile p ON p.id = op.profile_id"
                    " JOIN organisation o ON o.id = op.organisation_id"
                    " WHERE " IN_REACH("op.organisation_id") " ORDER BY p.code, o.code";
static const char SQL_PROFILE[] =
    "SELECT code, version, title, builtin AS \"?builtin\", updated_at, body FROM policy_profile"
    " WHERE code = :code";
static const char SQL_OBLIGATION_COUNTS[] =
    AUTHZ_SCOPE_CTE "SELECT f.obligation, f.status, count(*) AS \"#count\" FROM finding f"
                    " WHERE " IN_REACH("f.organisation_id") " AND f.profile_code = :profile"
                                                            " GROUP BY f.obligation, f.status";

/* ---- attestations ---- */

static const char SQL_ATT_ORG[] =
    AUTHZ_SCOPE_CTE "SELECT o.id AS _id, o.parent_id AS _parent_id FROM organisation o"
                    " WHERE o.code = :code AND " IN_REACH("o.id");
static const char SQL_ATT_ORG_PROFILES[] =
    "SELECT p.code, p.body FROM organisation_profile op"
    " JOIN policy_profile p ON p.id = op.profile_id WHERE op.organisation_id = :org"
    " ORDER BY p.code";
static const char SQL_ATT_HOLDS[] =
    "SELECT count(*) FROM role_assignment ra JOIN role r ON r.id = ra.role"
    " JOIN person p ON p.id = ra.person_id"
    " WHERE ra.person_id = :person AND p.disabled = 0 AND (r.bit & :roles) <> 0"
    " AND (ra.organisation_id = :org OR ra.organisation_id = :parent)";
static const char SQL_ATT_TOKEN_HOLDS[] =
    "SELECT count(*) FROM api_token t JOIN role r ON r.id = t.role"
    " WHERE t.id = :token AND t.revoked_at IS NULL AND (r.bit & :roles) <> 0"
    " AND (t.organisation_id = :org OR t.organisation_id = :parent)";
static const char SQL_ATT_ADMIN_OVER[] =
    AUTHZ_SCOPE_CTE "SELECT count(*) FROM scope WHERE org_id = :org AND :everything >= 0";
static const char SQL_ATT_INSERT[] =
    "INSERT INTO attestation (organisation_id, obligation, attested_by, person_id, attested_at,"
    " statement, evidence_reference, evidence_name, evidence_type, evidence_data, created_at)"
    " VALUES (:org, :obligation, :attested_by, :person_id, :at, :statement,"
    " :evidence_reference, :evidence_name, :evidence_type, :evidence_data, :at) RETURNING id";

#define ATT_SELECT                                                                                 \
    "SELECT a.id AS \"#id\", o.code AS organisation, a.obligation, a.attested_by,"                 \
    " a.attested_at, a.statement, a.evidence_reference, a.evidence_name, a.evidence_type"          \
    " FROM attestation a JOIN organisation o ON o.id = a.organisation_id"
#define ATT_WHERE                                                                                  \
    " WHERE " IN_REACH("a.organisation_id") " AND (CAST(:organisation AS TEXT) IS NULL OR o.code " \
                                            "= :organisation)"                                     \
                                            " AND (CAST(:obligation AS TEXT) IS NULL OR "          \
                                            "a.obligation = :obligation)"
#define ATT_ORDER " ORDER BY a.attested_at DESC, a.id DESC LIMIT :limit"

static const char SQL_ATT_GET[] =
    AUTHZ_SCOPE_CTE ATT_SELECT " WHERE a.id = :id AND " IN_REACH("a.organisation_id");
static const char SQL_ATT_LIST[] = AUTHZ_SCOPE_CTE ATT_SELECT ATT_WHERE ATT_ORDER;
static const char SQL_ATT_LIST_AFTER[] =
    AUTHZ_SCOPE_CTE ATT_SELECT ATT_WHERE " AND (a.attested_at, a.id) < (:a_at, :a_id)" ATT_ORDER;
static const char SQL_ATT_EVIDENCE[] =
    AUTHZ_SCOPE_CTE "SELECT a.evidence_name AS name, a.evidence_type AS content_type,"
                    " a.evidence_data AS data FROM attestation a"
                    " WHERE a.id = :id AND a.evidence_data IS NOT NULL"
                    " AND " IN_REACH("a.organisation_id");

/* ---- findings ---- */

int fnd_sql_list(struct db *db, const struct org_actor *who, const struct finding_filter *f,
                 json_t *items)
{
    struct db_stmt *st;
    int rc = db_prepare(db, f->has_after ? SQL_FINDING_LIST_AFTER : SQL_FINDING_LIST, &st);
    if (rc)
        return rc;
    rc = cat_bind_scope(st, who);
    if (!rc)
        rc = db_bind_text(st, ":organisation", f->organisation);
    if (!rc)
        rc = db_bind_text(st, ":section", f->section);
    if (!rc) {
        /* The mask's bits follow finding_rank_names, which is RANK_BIT's order. */
        rc = db_bind_int(st, ":status_mask", (int64_t)f->status_mask);
    }
    if (!rc)
        rc = db_bind_text(st, ":responsible", f->responsible);
    if (!rc)
        rc = db_bind_int(st, ":responsible_id", f->responsible_id);
    if (!rc)
        rc = db_bind_text(st, ":due_before", f->due_before);
    if (!rc)
        rc = db_bind_text(st, ":obligation", f->obligation);
    if (!rc)
        rc = db_bind_text(st, ":profile", f->profile);
    if (!rc)
        rc = db_bind_text(st, ":subject_kind", f->subject_kind);
    if (!rc && f->has_after) {
        rc = db_bind_int(st, ":a_rank", f->after_rank);
        if (!rc)
            rc = db_bind_text(st, ":a_due", f->after_due);
        if (!rc)
            rc = db_bind_text(st, ":a_obligation", f->after_obligation);
        if (!rc)
            rc = db_bind_text(st, ":a_subject", f->after_subject);
        if (!rc)
            rc = db_bind_int(st, ":a_id", f->after_id);
    }
    if (!rc)
        rc = db_bind_int(st, ":limit", f->limit);
    return cat_all_rows(st, rc, items);
}

static int scoped_rows(struct db *db, const struct org_actor *who, const char *sql,
                       const char *organisation, json_t *rows)
{
    struct db_stmt *st;
    int rc = db_prepare(db, sql, &st);
    if (rc)
        return rc;
    rc = cat_bind_scope(st, who);
    if (!rc)
        rc = db_bind_text(st, ":organisation", organisation);
    return cat_all_rows(st, rc, rows);
}

int fnd_sql_summary(struct db *db, const struct org_actor *who, const char *organisation,
                    json_t *rows)
{
    return scoped_rows(db, who, SQL_SUMMARY, organisation, rows);
}

int fnd_sql_trend(struct db *db, const struct org_actor *who, const char *organisation,
                  const char *from, const char *to, json_t *rows)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_TREND, &st);
    if (rc)
        return rc;
    rc = cat_bind_scope(st, who);
    if (!rc)
        rc = db_bind_text(st, ":organisation", organisation);
    if (!rc)
        rc = db_bind_text(st, ":from", from);
    if (!rc)
        rc = db_bind_text(st, ":to", to);
    return cat_all_rows(st, rc, rows);
}

int fnd_sql_profiles(struct db *db, json_t *rows)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_PROFILES, &st);
    if (rc)
        return rc;
    return cat_all_rows(st, 0, rows);
}

int fnd_sql_profile_orgs(struct db *db, const struct org_actor *who, json_t *rows)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_PROFILE_ORGS, &st);
    if (rc)
        return rc;
    return cat_all_rows(st, cat_bind_scope(st, who), rows);
}

int fnd_sql_profile(struct db *db, const char *code, json_t **out)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_PROFILE, &st);
    if (rc)
        return rc;
    return cat_one_row(st, db_bind_text(st, ":code", code), out);
}

int fnd_sql_obligation_counts(struct db *db, const struct org_actor *who, const char *profile,
                              json_t *rows)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_OBLIGATION_COUNTS, &st);
    if (rc)
        return rc;
    rc = cat_bind_scope(st, who);
    if (!rc)
        rc = db_bind_text(st, ":profile", profile);
    return cat_all_rows(st, rc, rows);
}

/* ---- attestations ---- */

int att_sql_org(struct db *db, const struct org_actor *who, const char *code, int64_t *id,
                int64_t *parent_id)
{
    struct db_stmt *st;
    json_t *row = NULL;
    int rc = db_prepare(db, SQL_ATT_ORG, &st);
    if (rc)
        return rc;
    rc = cat_bind_scope(st, who);
    if (!rc)
        rc = db_bind_text(st, ":code", code);
    rc = cat_one_row(st, rc, &row);
    if (!rc) {
        *id = json_integer_value(json_object_get(row, "_id"));
        *parent_id = json_integer_value(json_object_get(row, "_parent_id"));
    }
    json_decref(row);
    return rc;
}

int att_sql_org_profiles(struct db *db, int64_t org_id, json_t *rows)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_ATT_ORG_PROFILES, &st);
    if (rc)
        return rc;
    return cat_all_rows(st, db_bind_int(st, ":org", org_id), rows);
}

int att_sql_holds(struct db *db, const struct org_actor *who, unsigned roles, int64_t org_id,
                  int64_t parent_id, bool *holds)
{
    struct db_stmt *st;
    int64_t n = 0;
    const struct caller *c = who->caller;
    *holds = false;
    if (!c || (c->kind == CALLER_SESSION && !c->person_id) ||
        (c->kind == CALLER_TOKEN && !c->token_id) || c->kind == CALLER_ANONYMOUS)
        return 0;
    bool token = c->kind == CALLER_TOKEN;
    int rc = db_prepare(db, token ? SQL_ATT_TOKEN_HOLDS : SQL_ATT_HOLDS, &st);
    if (rc)
        return rc;
    rc = token ? db_bind_int(st, ":token", c->token_id) : db_bind_int(st, ":person", c->person_id);
    if (!rc)
        rc = db_bind_int(st, ":roles", roles);
    if (!rc)
        rc = db_bind_int(st, ":org", org_id);
    if (!rc)
        rc = db_bind_int(st, ":parent", parent_id ? parent_id : -1);
    rc = db_finish_int(st, rc, &n);
    *holds = !rc && n > 0;
    return rc;
}

int att_sql_admin_over(struct db *db, const struct org_actor *who, int64_t org_id, bool *admin)
{
    struct db_stmt *st;
    int64_t n = 0;
    struct org_actor as_admin = *who;
    as_admin.roles = ROLE_ADMINISTRATOR;
    *admin = false;
    if (who->everything) {
        *admin = true;
        return 0;
    }
    int rc = db_prepare(db, SQL_ATT_ADMIN_OVER, &st);
    if (rc)
        return rc;
    rc = cat_bind_scope(st, &as_admin);
    if (!rc)
        rc = db_bind_int(st, ":org", org_id);
    rc = db_finish_int(st, rc, &n);
    *admin = !rc && n > 0;
    return rc;
}

int att_sql_insert(struct db *db, const struct attestation_write *w, int64_t *id)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_ATT_INSERT, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":org", w->organisation_id);
    if (!rc)
        rc = db_bind_text(st, ":obligation", w->obligation);
    if (!rc)
        rc = db_bind_text(st, ":attested_by", w->attested_by);
    if (!rc)
        rc = w->person_id ? db_bind_int(st, ":person_id", w->person_id)
                          : db_bind_null(st, ":person_id");
    if (!rc)
        rc = db_bind_text(st, ":at", w->at);
    if (!rc)
        rc = db_bind_text(st, ":statement", w->statement);
    if (!rc)
        rc = db_bind_text(st, ":evidence_reference", w->evidence_reference);
    if (!rc)
        rc = db_bind_text(st, ":evidence_name", w->evidence_name);
    if (!rc)
        rc = db_bind_text(st, ":evidence_type", w->evidence_type);
    if (!rc)
        rc = db_bind_text(st, ":evidence_data", w->evidence_data);
    return db_finish_int(st, rc, id);
}

int att_sql_get(struct db *db, const struct org_actor *who, int64_t id, json_t **out)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_ATT_GET, &st);
    if (rc)
        return rc;
    rc = cat_bind_scope(st, who);
    if (!rc)
        rc = db_bind_int(st, ":id", id);
    return cat_one_row(st, rc, out);
}

int att_sql_list(struct db *db, const struct org_actor *who, const struct attestation_filter *f,
                 json_t *items)
{
    struct db_stmt *st;
    int rc = db_prepare(db, f->has_after ? SQL_ATT_LIST_AFTER : SQL_ATT_LIST, &st);
    if (rc)
        return rc;
    rc = cat_bind_scope(st, who);
    if (!rc)
        rc = db_bind_text(st, ":organisation", f->organisation);
    if (!rc)
        rc = db_bind_text(st, ":obligation", f->obligation);
    if (!rc && f->has_after) {
        rc = db_bind_text(st, ":a_at", f->after_at);
        if (!rc)
            rc = db_bind_int(st, ":a_id", f->after_id);
    }
    if (!rc)
        rc = db_bind_int(st, ":limit", f->limit);
    return cat_all_rows(st, rc, items);
}

int att_sql_evidence(struct db *db, const struct org_actor *who, int64_t id, json_t **out)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_ATT_EVIDENCE, &st);
    if (rc)
        return rc;
    rc = cat_bind_scope(st, who);
    if (!rc)
        rc = db_bind_int(st, ":id", id);
    return cat_one_row(st, rc, out);
}
