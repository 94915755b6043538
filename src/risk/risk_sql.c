/* All SQL of risk management; tenant reads start with AUTHZ_SCOPE_CTE. Portable SQL: no date
 * functions (dates are computed in C), INSERT ... ON CONFLICT and RETURNING as PostgreSQL has
 * them. */
#include "risk/risk_sql.h"
#include "authz/authz.h"
#include "catalog/cat_common.h"
#include "core/err.h"
#include "db/db.h"

#define IN_REACH(col) "(:everything = 1 OR " col " IN (SELECT org_id FROM scope))"

/* ---- matrix ---- */

static const char SQL_MATRIX_GET[] =
    "SELECT likelihood_names, consequence_names, bands,"
    " acceptance_threshold AS \"#acceptance_threshold\", acceptance_validity, updated_at"
    " FROM risk_matrix WHERE organisation_id = :org";
static const char SQL_MATRIX_PUT[] =
    "INSERT INTO risk_matrix (organisation_id, likelihood_names, consequence_names, bands,"
    " acceptance_threshold, acceptance_validity, updated_at) VALUES (:org, :ln, :cn, :bands,"
    " :threshold, :validity, :at) ON CONFLICT (organisation_id) DO UPDATE SET"
    " likelihood_names = excluded.likelihood_names,"
    " consequence_names = excluded.consequence_names, bands = excluded.bands,"
    " acceptance_threshold = excluded.acceptance_threshold,"
    " acceptance_validity = excluded.acceptance_validity, updated_at = excluded.updated_at";
static const char SQL_LIKELIHOOD_USED[] =
    "SELECT COALESCE(max(CASE WHEN residual_likelihood > inherent_likelihood"
    " THEN residual_likelihood ELSE inherent_likelihood END), 0) FROM risk"
    " WHERE organisation_id = :org";
static const char SQL_CONSEQUENCE_USED[] =
    "SELECT COALESCE(max(CASE WHEN residual_consequence > inherent_consequence"
    " THEN residual_consequence ELSE inherent_consequence END), 0) FROM risk"
    " WHERE organisation_id = :org";
static const char SQL_HOLDS_ANY[] =
    "WITH RECURSIVE up(id) AS (SELECT CAST(:org AS INTEGER)"
    " UNION SELECT o.parent_id FROM organisation o JOIN up ON o.id = up.id"
    " WHERE o.parent_id IS NOT NULL)"
    " SELECT count(*) FROM role_assignment ra JOIN role r ON r.id = ra.role"
    " JOIN person p ON p.id = ra.person_id"
    " WHERE ra.person_id = :person AND p.disabled = 0 AND (r.bit & :mask) <> 0"
    " AND ra.organisation_id IN (SELECT id FROM up)";

/* ---- assessments ---- */

#define ASSESS_SELECT                                                                              \
    "SELECT a.id AS \"#id\", a.organisation_id AS _organisation_id, o.code AS organisation,"       \
    " a.title, a.scope, a.assessed_on, a.trigger_kind, a.method, a.status,"                        \
    " ap.user_id AS approved_by, a.approved_by AS _approved_by, a.approved_at, a.created_at, "     \
    "a.updated_at"                                                                                 \
    " FROM risk_assessment a JOIN organisation o ON o.id = a.organisation_id"                      \
    " LEFT JOIN person ap ON ap.id = a.approved_by"

static const char SQL_ASSESS_FIND[] =
    AUTHZ_SCOPE_CTE ASSESS_SELECT " WHERE a.id = :id AND " IN_REACH("a.organisation_id");
static const char SQL_ASSESS_BY_ID[] = ASSESS_SELECT " WHERE a.id = :id";
static const char SQL_ASSESS_LIST[] = AUTHZ_SCOPE_CTE ASSESS_SELECT " WHERE " IN_REACH(
    "a.organisation_id") " AND (CAST(:organisation AS TEXT) IS NULL OR o.code = :organisation)"
                         " AND (CAST(:status AS TEXT) IS NULL OR a.status = :status)"
                         " AND (CAST(:trigger_kind AS TEXT) IS NULL OR a.trigger_kind = "
                         ":trigger_kind)"
                         " AND (CAST(:system AS TEXT) IS NULL OR EXISTS (SELECT 1 FROM "
                         "risk_assessment_system ras"
                         "      JOIN system s ON s.id = ras.system_id WHERE ras.assessment_id = "
                         "a.id"
                         "      AND s.external_id = :system))"
                         " AND (CAST(:like AS TEXT) IS NULL OR lower(a.title) LIKE :like ESCAPE "
                         "'\\'"
                         "      OR lower(a.method) LIKE :like ESCAPE '\\')"
                         " AND a.id > :after_id ORDER BY a.id LIMIT :limit";
static const char SQL_ASSESS_INSERT[] =
    "INSERT INTO risk_assessment (organisation_id, title, scope, assessed_on, trigger_kind,"
    " method, status, approved_by, approved_at, created_at, updated_at) VALUES (:org, :title,"
    " :scope, :assessed_on, :trigger_kind, :method, :status, :approved_by, :approved_at, :at,"
    " :at) RETURNING id";
static const char SQL_ASSESS_UPDATE[] =
    "UPDATE risk_assessment SET organisation_id = :org, title = :title, scope = :scope,"
    " assessed_on = :assessed_on, trigger_kind = :trigger_kind, method = :method,"
    " status = :status, approved_by = :approved_by, approved_at = :approved_at,"
    " updated_at = :at WHERE id = :id";
static const char SQL_ASSESS_LOOKUP[] =
    "SELECT id FROM risk_assessment WHERE organisation_id = :org AND title = :title"
    " AND assessed_on = :assessed_on ORDER BY id LIMIT 1";
static const char SQL_ASSESS_SYSTEMS[] =
    AUTHZ_SCOPE_CTE "SELECT s.external_id FROM risk_assessment_system ras"
                    " JOIN system s ON s.id = ras.system_id WHERE ras.assessment_id = :id"
                    " AND " IN_REACH("s.organisation_id") " ORDER BY s.external_id";
static const char SQL_ASSESS_SYSTEMS_CLEAR[] =
    "DELETE FROM risk_assessment_system WHERE assessment_id = :id";
static const char SQL_ASSESS_SYSTEM_ADD[] =
    "INSERT INTO risk_assessment_system (assessment_id, system_id) VALUES (:id, :system_id)";
static const char SQL_INVITE_SYSTEM_OWNERS[] =
    "INSERT INTO risk_participant (assessment_id, person_id, capacity)"
    " SELECT DISTINCT ras.assessment_id, s.owner_id, 'system_owner'"
    " FROM risk_assessment_system ras JOIN system s ON s.id = ras.system_id"
    " WHERE ras.assessment_id = :id AND NOT EXISTS (SELECT 1 FROM risk_participant rp"
    "  WHERE rp.assessment_id = ras.assessment_id AND rp.person_id = s.owner_id)";
static const char SQL_INVITE_INFO_OWNERS[] =
    "INSERT INTO risk_participant (assessment_id, person_id, capacity)"
    " SELECT DISTINCT ras.assessment_id, i.owner_id, 'information_owner'"
    " FROM risk_assessment_system ras"
    " JOIN system_information si ON si.system_id = ras.system_id"
    " JOIN information i ON i.id = si.information_id"
    " WHERE ras.assessment_id = :id AND NOT EXISTS (SELECT 1 FROM risk_participant rp"
    "  WHERE rp.assessment_id = ras.assessment_id AND rp.person_id = i.owner_id)";
static const char SQL_PARTICIPANTS[] =
    "SELECT p.user_id, p.name, rp.capacity, rp.participated_at, rp.person_id AS _person_id"
    " FROM risk_participant rp JOIN person p ON p.id = rp.person_id"
    " WHERE rp.assessment_id = :id ORDER BY rp.capacity DESC, p.user_id";
static const char SQL_PARTICIPANT_SET[] =
    "INSERT INTO risk_participant (assessment_id, person_id, capacity, participated_at)"
    " VALUES (:id, :person, 'other', :at) ON CONFLICT (assessment_id, person_id)"
    " DO UPDATE SET participated_at = excluded.participated_at";
static const char SQL_RISK_COUNT[] = "SELECT count(*) FROM risk WHERE assessment_id = :id";

/* ---- risks ---- */

#define RISK_SCORE                                                                                 \
    "COALESCE(r.residual_likelihood * r.residual_consequence,"                                     \
    " r.inherent_likelihood * r.inherent_consequence)"

#define RISK_SELECT                                                                                \
    "SELECT r.id AS \"#id\", r.external_id, r.assessment_id AS \"#assessment\","                   \
    " a.title AS assessment_title, r.organisation_id AS _organisation_id,"                         \
    " r.assessment_id AS _assessment_id, o.code AS organisation, r.title, r.threat,"               \
    " r.vulnerability, r.inherent_likelihood AS \"#inherent_likelihood\","                         \
    " r.inherent_consequence AS \"#inherent_consequence\","                                        \
    " r.residual_likelihood AS \"#residual_likelihood\","                                          \
    " r.residual_consequence AS \"#residual_consequence\", r.treatment,"                           \
    " ow.user_id AS owner, r.owner_id AS _owner_id, ac.user_id AS accepted_by, r.accepted_by AS "  \
    "_accepted_by,"                                                                                \
    " r.accepted_at,"                                                                              \
    " r.acceptance_expires, r.created_at, r.updated_at, " RISK_SCORE " AS _score"                  \
    " FROM risk r JOIN risk_assessment a ON a.id = r.assessment_id"                                \
    " JOIN organisation o ON o.id = r.organisation_id JOIN person ow ON ow.id = r.owner_id"        \
    " LEFT JOIN person ac ON ac.id = r.accepted_by"

#define RISK_WHERE                                                                                 \
    " WHERE " IN_REACH(                                                                            \
        "r.organisation_id") " AND (CAST(:organisation AS TEXT) IS NULL OR o.code = "              \
                             ":organisation)"                                                      \
                             " AND (:assessment = 0 OR r.assessment_id = :assessment)"             \
                             " AND (CAST(:treatment AS TEXT) IS NULL OR r.treatment = :treatment)" \
                             " AND (CAST(:owner AS TEXT) IS NULL OR ow.user_id = :owner)"          \
                             " AND (CAST(:system AS TEXT) IS NULL OR EXISTS (SELECT 1 FROM "       \
                             "risk_system rs"                                                      \
                             "      JOIN system s ON s.id = rs.system_id WHERE rs.risk_id = r.id"  \
                             "      AND s.external_id = :system))"                                 \
                             " AND " RISK_SCORE " BETWEEN :score_min AND :score_max"               \
                             " AND (CAST(:like AS TEXT) IS NULL OR lower(r.title) LIKE :like "     \
                             "ESCAPE '\\'"                                                         \
                             "      OR lower(r.threat) LIKE :like ESCAPE '\\'"                     \
                             "      OR lower(COALESCE(r.external_id, '')) LIKE :like ESCAPE '\\')"

static const char SQL_RISK_FIND[] =
    AUTHZ_SCOPE_CTE RISK_SELECT " WHERE r.id = :id AND " IN_REACH("r.organisation_id");
static const char SQL_RISK_FIND_EXTERNAL[] =
    AUTHZ_SCOPE_CTE RISK_SELECT " WHERE r.external_id = :ext AND " IN_REACH("r.organisation_id");
static const char SQL_RISK_BY_ID[] = RISK_SELECT " WHERE r.id = :id";
static const char SQL_RISK_TAKEN[] = "SELECT count(*) FROM risk WHERE external_id = :ext";
static const char SQL_RISK_LIST_BY_ID[] =
    AUTHZ_SCOPE_CTE RISK_SELECT RISK_WHERE " AND r.id > :after_id ORDER BY r.id LIMIT :limit";
static const char SQL_RISK_LIST_BY_SCORE[] = AUTHZ_SCOPE_CTE RISK_SELECT RISK_WHERE
    " AND (" RISK_SCORE " < :after_score OR (" RISK_SCORE " = :after_score AND r.id > :after_id))"
    " ORDER BY " RISK_SCORE " DESC, r.id LIMIT :limit";
static const char SQL_RISK_INSERT[] =
    "INSERT INTO risk (assessment_id, organisation_id, external_id, title, threat, vulnerability,"
    " inherent_likelihood, inherent_consequence, residual_likelihood, residual_consequence,"
    " treatment, owner_id, accepted_by, accepted_at, acceptance_expires, created_at, updated_at)"
    " VALUES (:assessment, :org, :ext, :title, :threat, :vulnerability, :il, :ic, :rl, :rc,"
    " :treatment, :owner, :accepted_by, :accepted_at, :expires, :at, :at) RETURNING id";
static const char SQL_RISK_UPDATE[] =
    "UPDATE risk SET assessment_id = :assessment, organisation_id = :org, external_id = :ext,"
    " title = :title, threat = :threat, vulnerability = :vulnerability,"
    " inherent_likelihood = :il, inherent_consequence = :ic, residual_likelihood = :rl,"
    " residual_consequence = :rc, treatment = :treatment, owner_id = :owner,"
    " accepted_by = :accepted_by, accepted_at = :accepted_at, acceptance_expires = :expires,"
    " updated_at = :at WHERE id = :id";
/* :everything is bound with every scope; the command line never runs this. */
static const char SQL_RISK_SYSTEMS[] =
    "SELECT s.external_id, s.organisation_id FROM risk_system rs"
    " JOIN system s ON s.id = rs.system_id WHERE rs.risk_id = :id ORDER BY s.external_id";
static const char SQL_RISK_INFO[] =
    "SELECT i.external_id, i.organisation_id FROM risk_information ri"
    " JOIN information i ON i.id = ri.information_id WHERE ri.risk_id = :id"
    " ORDER BY i.external_id";
static const char SQL_RISK_SYSTEMS_CLEAR[] = "DELETE FROM risk_system WHERE risk_id = :id";
static const char SQL_RISK_INFO_CLEAR[] = "DELETE FROM risk_information WHERE risk_id = :id";
static const char SQL_RISK_SYSTEM_ADD[] =
    "INSERT INTO risk_system (risk_id, system_id) VALUES (:id, :other)";
static const char SQL_RISK_INFO_ADD[] =
    "INSERT INTO risk_information (risk_id, information_id) VALUES (:id, :other)";

/* ---- measures ---- */

#define MEASURE_SELECT                                                                             \
    "SELECT m.id AS \"#id\", m.risk_id AS \"#risk\", m.title, ow.user_id AS owner,"                \
    " m.owner_id AS _owner_id, m.due, m.status, m.done_on, m.evidence, m.created_at,"              \
    " m.updated_at FROM risk_measure m JOIN person ow ON ow.id = m.owner_id"

static const char SQL_MEASURES[] = MEASURE_SELECT " WHERE m.risk_id = :risk ORDER BY m.due, m.id";
static const char SQL_MEASURE_FIND[] = MEASURE_SELECT " WHERE m.risk_id = :risk AND m.id = :id";
static const char SQL_MEASURE_INSERT[] =
    "INSERT INTO risk_measure (risk_id, title, owner_id, due, status, done_on, evidence,"
    " created_at, updated_at) VALUES (:risk, :title, :owner, :due, :status, :done_on,"
    " :evidence, :at, :at) RETURNING id";
static const char SQL_MEASURE_UPDATE[] =
    "UPDATE risk_measure SET title = :title, owner_id = :owner, due = :due, status = :status,"
    " done_on = :done_on, evidence = :evidence, updated_at = :at WHERE id = :id AND risk_id = "
    ":risk";

/* ---- matrix ---- */

int risk_sql_matrix_get(struct db *db, int64_t org_id, json_t **out)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_MATRIX_GET, &st);
    if (rc)
        return rc;
    return cat_one_row(st, db_bind_int(st, ":org", org_id), out);
}

int risk_sql_matrix_put(struct db *db, int64_t org_id, const char *likelihood_names,
                        const char *consequence_names, const char *bands, int64_t threshold,
                        const char *validity, const char *at)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_MATRIX_PUT, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":org", org_id);
    if (!rc)
        rc = db_bind_text(st, ":ln", likelihood_names);
    if (!rc)
        rc = db_bind_text(st, ":cn", consequence_names);
    if (!rc)
        rc = db_bind_text(st, ":bands", bands);
    if (!rc)
        rc = db_bind_int(st, ":threshold", threshold);
    if (!rc)
        rc = db_bind_text(st, ":validity", validity);
    if (!rc)
        rc = db_bind_text(st, ":at", at);
    return db_finish(st, rc);
}

static int org_int(struct db *db, const char *sql, int64_t org_id, int64_t *out)
{
    struct db_stmt *st;
    int rc = db_prepare(db, sql, &st);
    if (rc)
        return rc;
    return db_finish_int(st, db_bind_int(st, ":org", org_id), out);
}

int risk_sql_levels_used(struct db *db, int64_t org_id, int64_t *likelihood, int64_t *consequence)
{
    int rc = org_int(db, SQL_LIKELIHOOD_USED, org_id, likelihood);
    if (!rc)
        rc = org_int(db, SQL_CONSEQUENCE_USED, org_id, consequence);
    return rc;
}

int risk_sql_holds_any(struct db *db, int64_t person_id, unsigned mask, int64_t org_id, bool *yes)
{
    struct db_stmt *st;
    int64_t n = 0;
    int rc = db_prepare(db, SQL_HOLDS_ANY, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":org", org_id);
    if (!rc)
        rc = db_bind_int(st, ":person", person_id);
    if (!rc)
        rc = db_bind_int(st, ":mask", (int64_t)mask);
    rc = db_finish_int(st, rc, &n);
    *yes = n > 0;
    return rc;
}

/* ---- assessments ---- */

int risk_sql_assessment_find(struct db *db, const struct org_actor *who, int64_t id, json_t **out)
{
    return cat_row_scoped(db, SQL_ASSESS_FIND, who, ":id", id, NULL, out);
}

int risk_sql_assessment_by_id(struct db *db, int64_t id, json_t **out)
{
    return cat_row_by_id(db, SQL_ASSESS_BY_ID, id, out);
}

int risk_sql_assessment_list(struct db *db, const struct org_actor *who,
                             const struct assessment_filter *f, json_t *items)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_ASSESS_LIST, &st);
    if (rc)
        return rc;
    rc = cat_bind_scope(st, who);
    if (!rc)
        rc = db_bind_text(st, ":organisation", f->organisation);
    if (!rc)
        rc = db_bind_text(st, ":status", f->status);
    if (!rc)
        rc = db_bind_text(st, ":trigger_kind", f->trigger_kind);
    if (!rc)
        rc = db_bind_text(st, ":system", f->system);
    if (!rc)
        rc = db_bind_text(st, ":like", f->like);
    if (!rc)
        rc = db_bind_int(st, ":after_id", f->after_id);
    if (!rc)
        rc = db_bind_int(st, ":limit", f->limit);
    return cat_all_rows(st, rc, items);
}

static int bind_assessment(struct db_stmt *st, const struct assessment_write *w, const char *at)
{
    int rc = db_bind_int(st, ":org", w->organisation_id);
    if (!rc)
        rc = db_bind_text(st, ":title", w->title);
    if (!rc)
        rc = db_bind_text(st, ":scope", w->scope);
    if (!rc)
        rc = db_bind_text(st, ":assessed_on", w->assessed_on);
    if (!rc)
        rc = db_bind_text(st, ":trigger_kind", w->trigger_kind);
    if (!rc)
        rc = db_bind_text(st, ":method", w->method ? w->method : "");
    if (!rc)
        rc = db_bind_text(st, ":status", w->status);
    if (!rc)
        rc = w->approved_by ? db_bind_int(st, ":approved_by", w->approved_by)
                            : db_bind_null(st, ":approved_by");
    if (!rc)
        rc = db_bind_text(st, ":approved_at", w->approved_at);
    if (!rc)
        rc = db_bind_text(st, ":at", at);
    return rc;
}

int risk_sql_assessment_insert(struct db *db, struct assessment_write *w, const char *at)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_ASSESS_INSERT, &st);
    if (rc)
        return rc;
    return db_finish_int(st, bind_assessment(st, w, at), &w->id);
}

int risk_sql_assessment_update(struct db *db, const struct assessment_write *w, const char *at)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_ASSESS_UPDATE, &st);
    if (rc)
        return rc;
    rc = bind_assessment(st, w, at);
    if (!rc)
        rc = db_bind_int(st, ":id", w->id);
    return db_finish(st, rc);
}

int risk_sql_assessment_lookup(struct db *db, int64_t org_id, const char *title,
                               const char *assessed_on, int64_t *id)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_ASSESS_LOOKUP, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":org", org_id);
    if (!rc)
        rc = db_bind_text(st, ":title", title);
    if (!rc)
        rc = db_bind_text(st, ":assessed_on", assessed_on);
    rc = db_finish_int(st, rc, id);
    if (rc == ERR_NOTFOUND) {
        *id = 0;
        rc = 0;
    }
    return rc;
}

/* The first column of every row, as strings, into values. */
static int strings(struct db_stmt *st, int rc, json_t *values)
{
    while (!rc && (rc = db_step(st)) == DB_ROW) {
        const char *s = db_col_text(st, 0);
        rc = s && json_array_append_new(values, json_string(s)) == 0 ? 0 : ERR_NOMEM;
    }
    db_finalize(st);
    return rc == DB_DONE ? 0 : rc;
}

static int scoped_strings(struct db *db, const char *sql, const struct org_actor *who, int64_t id,
                          json_t *values)
{
    struct db_stmt *st;
    int rc = db_prepare(db, sql, &st);
    if (rc)
        return rc;
    rc = cat_bind_scope(st, who);
    if (!rc)
        rc = db_bind_int(st, ":id", id);
    return strings(st, rc, values);
}

int risk_sql_assessment_systems(struct db *db, const struct org_actor *who, int64_t id,
                                json_t *values)
{
    return scoped_strings(db, SQL_ASSESS_SYSTEMS, who, id, values);
}

static int exec_id(struct db *db, const char *sql, int64_t id)
{
    struct db_stmt *st;
    int rc = db_prepare(db, sql, &st);
    if (rc)
        return rc;
    return db_finish(st, db_bind_int(st, ":id", id));
}

static int pairs_set(struct db *db, const char *clear, const char *add, const char *other,
                     int64_t id, const int64_t *ids, size_t n)
{
    int rc = exec_id(db, clear, id);
    for (size_t i = 0; !rc && i < n; i++) {
        struct db_stmt *st;
        rc = db_prepare(db, add, &st);
        if (rc)
            break;
        rc = db_bind_int(st, ":id", id);
        if (!rc)
            rc = db_bind_int(st, other, ids[i]);
        rc = db_finish(st, rc);
    }
    return rc;
}

int risk_sql_assessment_systems_set(struct db *db, int64_t id, const int64_t *ids, size_t n)
{
    return pairs_set(db, SQL_ASSESS_SYSTEMS_CLEAR, SQL_ASSESS_SYSTEM_ADD, ":system_id", id, ids, n);
}

int risk_sql_invite(struct db *db, int64_t id)
{
    int rc = exec_id(db, SQL_INVITE_SYSTEM_OWNERS, id);
    if (!rc)
        rc = exec_id(db, SQL_INVITE_INFO_OWNERS, id);
    return rc;
}

int risk_sql_participants(struct db *db, int64_t id, json_t *items)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_PARTICIPANTS, &st);
    if (rc)
        return rc;
    return cat_all_rows(st, db_bind_int(st, ":id", id), items);
}

int risk_sql_participant_set(struct db *db, int64_t id, int64_t person_id, const char *at)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_PARTICIPANT_SET, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":id", id);
    if (!rc)
        rc = db_bind_int(st, ":person", person_id);
    if (!rc)
        rc = db_bind_text(st, ":at", at);
    return db_finish(st, rc);
}

int risk_sql_risk_count(struct db *db, int64_t assessment_id, int64_t *n)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_RISK_COUNT, &st);
    if (rc)
        return rc;
    return db_finish_int(st, db_bind_int(st, ":id", assessment_id), n);
}

/* ---- risks ---- */

int risk_sql_risk_find(struct db *db, const struct org_actor *who, int64_t id, json_t **out)
{
    return cat_row_scoped(db, SQL_RISK_FIND, who, ":id", id, NULL, out);
}

int risk_sql_risk_by_id(struct db *db, int64_t id, json_t **out)
{
    return cat_row_by_id(db, SQL_RISK_BY_ID, id, out);
}

int risk_sql_risk_find_external(struct db *db, const struct org_actor *who, const char *ext,
                                json_t **out)
{
    return cat_row_scoped(db, SQL_RISK_FIND_EXTERNAL, who, ":ext", 0, ext, out);
}

int risk_sql_risk_taken(struct db *db, const char *ext, bool *taken)
{
    struct db_stmt *st;
    int64_t n = 0;
    int rc = db_prepare(db, SQL_RISK_TAKEN, &st);
    if (rc)
        return rc;
    rc = db_finish_int(st, db_bind_text(st, ":ext", ext), &n);
    *taken = n > 0;
    return rc;
}

int risk_sql_risk_list(struct db *db, const struct org_actor *who, const struct risk_filter *f,
                       json_t *items)
{
    struct db_stmt *st;
    int rc = db_prepare(db, f->by_score ? SQL_RISK_LIST_BY_SCORE : SQL_RISK_LIST_BY_ID, &st);
    if (rc)
        return rc;
    rc = cat_bind_scope(st, who);
    if (!rc)
        rc = db_bind_text(st, ":organisation", f->organisation);
    if (!rc)
        rc = db_bind_int(st, ":assessment", f->assessment);
    if (!rc)
        rc = db_bind_text(st, ":treatment", f->treatment);
    if (!rc)
        rc = db_bind_text(st, ":owner", f->owner);
    if (!rc)
        rc = db_bind_text(st, ":system", f->system);
    if (!rc)
        rc = db_bind_int(st, ":score_min", f->score_min);
    if (!rc)
        rc = db_bind_int(st, ":score_max", f->score_max);
    if (!rc)
        rc = db_bind_text(st, ":like", f->like);
    if (!rc && f->by_score)
        rc = db_bind_int(st, ":after_score", f->after_score);
    if (!rc)
        rc = db_bind_int(st, ":after_id", f->after_id);
    if (!rc)
        rc = db_bind_int(st, ":limit", f->limit);
    return cat_all_rows(st, rc, items);
}

static int bind_opt_int(struct db_stmt *st, const char *name, int64_t v)
{
    return v ? db_bind_int(st, name, v) : db_bind_null(st, name);
}

static int bind_risk(struct db_stmt *st, const struct risk_write *w, const char *at)
{
    int rc = db_bind_int(st, ":assessment", w->assessment_id);
    if (!rc)
        rc = db_bind_int(st, ":org", w->organisation_id);
    if (!rc)
        rc = db_bind_text(st, ":ext", w->external_id);
    if (!rc)
        rc = db_bind_text(st, ":title", w->title);
    if (!rc)
        rc = db_bind_text(st, ":threat", w->threat ? w->threat : "");
    if (!rc)
        rc = db_bind_text(st, ":vulnerability", w->vulnerability ? w->vulnerability : "");
    if (!rc)
        rc = db_bind_int(st, ":il", w->il);
    if (!rc)
        rc = db_bind_int(st, ":ic", w->ic);
    if (!rc)
        rc = bind_opt_int(st, ":rl", w->rl);
    if (!rc)
        rc = bind_opt_int(st, ":rc", w->rc);
    if (!rc)
        rc = db_bind_text(st, ":treatment", w->treatment);
    if (!rc)
        rc = db_bind_int(st, ":owner", w->owner_id);
    if (!rc)
        rc = bind_opt_int(st, ":accepted_by", w->accepted_by);
    if (!rc)
        rc = db_bind_text(st, ":accepted_at", w->accepted_at);
    if (!rc)
        rc = db_bind_text(st, ":expires", w->acceptance_expires);
    if (!rc)
        rc = db_bind_text(st, ":at", at);
    return rc;
}

int risk_sql_risk_insert(struct db *db, struct risk_write *w, const char *at)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_RISK_INSERT, &st);
    if (rc)
        return rc;
    return db_finish_int(st, bind_risk(st, w, at), &w->id);
}

int risk_sql_risk_update(struct db *db, const struct risk_write *w, const char *at)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_RISK_UPDATE, &st);
    if (rc)
        return rc;
    rc = bind_risk(st, w, at);
    if (!rc)
        rc = db_bind_int(st, ":id", w->id);
    return db_finish(st, rc);
}

int risk_sql_reach(struct db *db, const struct org_actor *who, json_t **out)
{
    static const struct caller nobody = {.kind = CALLER_ANONYMOUS};
    struct authz_reach reach;
    *out = NULL;
    if (who->everything)
        return 0;
    int rc = authz_reach(db, who->caller ? who->caller : &nobody, who->roles, &reach);
    if (rc)
        return rc;
    json_t *orgs = json_array();
    for (size_t i = 0; !rc && i < reach.n; i++)
        rc = json_array_append_new(orgs, json_integer(reach.ids[i])) ? ERR_NOMEM : 0;
    authz_reach_release(&reach);
    if (rc) {
        json_decref(orgs);
        return rc;
    }
    *out = orgs;
    return 0;
}

static bool in_reach(const json_t *reach, int64_t org)
{
    size_t i;
    json_t *v;
    if (!reach)
        return true;
    json_array_foreach(reach, i, v)
    {
        if (json_integer_value(v) == org)
            return true;
    }
    return false;
}

int risk_sql_risk_links(struct db *db, const json_t *reach, int64_t id, bool information,
                        json_t *values)
{
    struct db_stmt *st;
    int rc = db_prepare(db, information ? SQL_RISK_INFO : SQL_RISK_SYSTEMS, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":id", id);
    while (!rc && (rc = db_step(st)) == DB_ROW) {
        if (!in_reach(reach, db_col_int(st, 1)))
            continue;
        rc = json_array_append_new(values, json_string(db_col_text(st, 0))) ? ERR_NOMEM : 0;
    }
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

int risk_sql_risk_links_set(struct db *db, int64_t id, bool information, const int64_t *ids,
                            size_t n)
{
    return information
               ? pairs_set(db, SQL_RISK_INFO_CLEAR, SQL_RISK_INFO_ADD, ":other", id, ids, n)
               : pairs_set(db, SQL_RISK_SYSTEMS_CLEAR, SQL_RISK_SYSTEM_ADD, ":other", id, ids, n);
}

/* ---- measures ---- */

int risk_sql_measures(struct db *db, int64_t risk_id, json_t *items)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_MEASURES, &st);
    if (rc)
        return rc;
    return cat_all_rows(st, db_bind_int(st, ":risk", risk_id), items);
}

int risk_sql_measure_find(struct db *db, int64_t risk_id, int64_t id, json_t **out)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_MEASURE_FIND, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":risk", risk_id);
    if (!rc)
        rc = db_bind_int(st, ":id", id);
    return cat_one_row(st, rc, out);
}

static int bind_measure(struct db_stmt *st, const struct measure_write *w, const char *at)
{
    int rc = db_bind_int(st, ":risk", w->risk_id);
    if (!rc)
        rc = db_bind_text(st, ":title", w->title);
    if (!rc)
        rc = db_bind_int(st, ":owner", w->owner_id);
    if (!rc)
        rc = db_bind_text(st, ":due", w->due);
    if (!rc)
        rc = db_bind_text(st, ":status", w->status);
    if (!rc)
        rc = db_bind_text(st, ":done_on", w->done_on);
    if (!rc)
        rc = db_bind_text(st, ":evidence", w->evidence);
    if (!rc)
        rc = db_bind_text(st, ":at", at);
    return rc;
}

int risk_sql_measure_insert(struct db *db, struct measure_write *w, const char *at)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_MEASURE_INSERT, &st);
    if (rc)
        return rc;
    return db_finish_int(st, bind_measure(st, w, at), &w->id);
}

int risk_sql_measure_update(struct db *db, const struct measure_write *w, const char *at)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_MEASURE_UPDATE, &st);
    if (rc)
        return rc;
    rc = bind_measure(st, w, at);
    if (!rc)
        rc = db_bind_int(st, ":id", w->id);
    return db_finish(st, rc);
}
