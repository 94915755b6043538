/* All SQL of the engine itself: profiles and their assignments, what evaluation reads and what
 * a refresh writes. Portable SQL; times are computed in C. */
#include "engine/engine_sql.h"
#include "engine/rule.h"
#include "core/err.h"
#include "core/str.h"
#include "db/db.h"

#include <string.h>

static const char SQL_ORGS[] =
    "SELECT id, COALESCE(parent_id, 0), code, name, kind FROM organisation ORDER BY id";
static const char SQL_HOLDERS[] =
    "SELECT ra.organisation_id, ra.role, p.id, p.user_id FROM role_assignment ra"
    " JOIN person p ON p.id = ra.person_id WHERE p.disabled = 0"
    " ORDER BY ra.organisation_id, ra.role, ra.id";
static const char SQL_ASSIGNMENTS[] = "SELECT organisation_id, profile_id FROM organisation_profile"
                                      " ORDER BY profile_id, organisation_id";
static const char SQL_PROFILES_ASSIGNED[] =
    "SELECT id, code, version, body FROM policy_profile"
    " WHERE id IN (SELECT profile_id FROM organisation_profile) ORDER BY code";
static const char SQL_PROFILES_ALL[] =
    "SELECT id, code, version, body FROM policy_profile ORDER BY code";
static const char SQL_PROFILE_BY_CODE[] =
    "SELECT id, code, version, body FROM policy_profile WHERE code = :code";
static const char SQL_LAST_ATTESTATIONS[] =
    "SELECT organisation_id, MAX(attested_at) FROM attestation WHERE obligation = :obligation"
    " GROUP BY organisation_id ORDER BY organisation_id";
static const char SQL_AUDIT_HEAD[] = "SELECT COALESCE(MAX(seq), 0) FROM audit_log";
static const char SQL_STATE_GET[] = "SELECT audit_seq, day FROM engine_state WHERE id = 1";
static const char SQL_STATE_DELETE[] = "DELETE FROM engine_state";
static const char SQL_STATE_INSERT[] =
    "INSERT INTO engine_state (id, audit_seq, day, profiles, evaluated_at, duration_us)"
    " VALUES (1, :seq, :day, '', :at, :us)";
static const char SQL_FINDINGS_DELETE[] = "DELETE FROM finding";
static const char SQL_FINDING_INSERT[] =
    "INSERT INTO finding (organisation_id, profile_code, profile_version, obligation, cite,"
    " section, rule, subject_kind, subject_ref, subject_name, status, due, responsible_id,"
    " evaluated_at) VALUES (:org, :profile, :version, :obligation, :cite, :section, :rule,"
    " :subject_kind, :subject_ref, :subject_name, :status, :due, :responsible, :at)";
static const char SQL_SNAPSHOT_DELETE[] = "DELETE FROM finding_snapshot WHERE day = :day";
static const char SQL_SNAPSHOT_INSERT[] =
    "INSERT INTO finding_snapshot (day, organisation_id, section, status, count)"
    " SELECT :day, organisation_id, section, status, COUNT(*) FROM finding"
    " GROUP BY organisation_id, section, status";
static const char SQL_PROFILE_FIND[] =
    "SELECT id, version, body, builtin FROM policy_profile WHERE code = :code";
static const char SQL_PROFILE_INSERT[] =
    "INSERT INTO policy_profile (code, version, title, body, builtin, created_at, updated_at)"
    " VALUES (:code, :version, :title, :body, :builtin, :at, :at) RETURNING id";
static const char SQL_PROFILE_UPDATE[] =
    "UPDATE policy_profile SET version = :version, title = :title, body = :body,"
    " builtin = :builtin, updated_at = :at WHERE id = :id";
static const char SQL_ASSIGNED[] =
    "SELECT COUNT(*) FROM organisation_profile WHERE organisation_id = :org AND profile_id = :id";
static const char SQL_ASSIGN[] =
    "INSERT INTO organisation_profile (organisation_id, profile_id, assigned_at)"
    " VALUES (:org, :id, :at)";
static const char SQL_ORG_ID[] = "SELECT id FROM organisation WHERE code = :code";

/* Room for one more element of size in *v, doubling in the arena. */
static void *grow(struct arena *a, void *v, size_t n, size_t *cap, size_t size)
{
    if (n < *cap)
        return v;
    size_t ncap = *cap ? *cap * 2 : 64;
    void *nv = arena_alloc(a, ncap * size);
    if (n)
        memcpy(nv, v, n * size);
    *cap = ncap;
    return nv;
}

static const char *dup_col(struct arena *a, struct db_stmt *st, int i)
{
    const char *s = db_col_text(st, i);
    return s ? arena_strdup(a, s) : NULL;
}

int esql_orgs(struct db *db, struct arena *a, struct org_entry **out, size_t *n)
{
    struct db_stmt *st;
    size_t cap = 0;
    *out = NULL;
    *n = 0;
    int rc = db_prepare(db, SQL_ORGS, &st);
    if (rc)
        return rc;
    while ((rc = db_step(st)) == DB_ROW) {
        *out = grow(a, *out, *n, &cap, sizeof(**out));
        struct org_entry *o = &(*out)[(*n)++];
        o->id = db_col_int(st, 0);
        o->parent_id = db_col_int(st, 1);
        o->code = dup_col(a, st, 2);
        o->name = dup_col(a, st, 3);
        o->kind_bit = 0;
        for (unsigned k = 0; ORG_KINDS[k]; k++)
            if (strcmp(ORG_KINDS[k], db_col_text(st, 4)) == 0)
                o->kind_bit = 1u << k;
    }
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

int esql_holders(struct db *db, struct arena *a, struct holder **out, size_t *n)
{
    struct db_stmt *st;
    size_t cap = 0;
    *out = NULL;
    *n = 0;
    int rc = db_prepare(db, SQL_HOLDERS, &st);
    if (rc)
        return rc;
    while ((rc = db_step(st)) == DB_ROW) {
        int64_t org = db_col_int(st, 0);
        const char *role = db_col_text(st, 1);
        if (*n && (*out)[*n - 1].organisation_id == org && strcmp((*out)[*n - 1].role, role) == 0)
            continue; /* the first holder answers for the role */
        *out = grow(a, *out, *n, &cap, sizeof(**out));
        struct holder *h = &(*out)[(*n)++];
        h->organisation_id = org;
        h->role = arena_strdup(a, role);
        h->person_id = db_col_int(st, 2);
        h->user_id = dup_col(a, st, 3);
    }
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

int esql_assignments(struct db *db, struct arena *a, struct assignment **out, size_t *n)
{
    struct db_stmt *st;
    size_t cap = 0;
    *out = NULL;
    *n = 0;
    int rc = db_prepare(db, SQL_ASSIGNMENTS, &st);
    if (rc)
        return rc;
    while ((rc = db_step(st)) == DB_ROW) {
        *out = grow(a, *out, *n, &cap, sizeof(**out));
        (*out)[*n].organisation_id = db_col_int(st, 0);
        (*out)[(*n)++].profile_id = db_col_int(st, 1);
    }
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

static void profile_row(struct arena *a, struct db_stmt *st, struct stored_profile *p)
{
    p->id = db_col_int(st, 0);
    p->code = dup_col(a, st, 1);
    p->version = dup_col(a, st, 2);
    p->body = dup_col(a, st, 3);
}

int esql_profiles(struct db *db, struct arena *a, bool all, struct stored_profile **out, size_t *n)
{
    struct db_stmt *st;
    size_t cap = 0;
    *out = NULL;
    *n = 0;
    int rc = db_prepare(db, all ? SQL_PROFILES_ALL : SQL_PROFILES_ASSIGNED, &st);
    if (rc)
        return rc;
    while ((rc = db_step(st)) == DB_ROW) {
        *out = grow(a, *out, *n, &cap, sizeof(**out));
        profile_row(a, st, &(*out)[(*n)++]);
    }
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

int esql_profile_by_code(struct db *db, struct arena *a, const char *code,
                         struct stored_profile *out)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_PROFILE_BY_CODE, &st);
    if (rc)
        return rc;
    rc = db_bind_text(st, ":code", code);
    if (!rc)
        rc = db_step(st);
    if (rc == DB_ROW) {
        profile_row(a, st, out);
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = ERR_NOTFOUND;
    }
    db_finalize(st);
    return rc;
}

int esql_last_attestations(struct db *db, struct arena *a, const char *obligation,
                           struct last_attestation **out, size_t *n)
{
    struct db_stmt *st;
    size_t cap = 0;
    *out = NULL;
    *n = 0;
    int rc = db_prepare(db, SQL_LAST_ATTESTATIONS, &st);
    if (rc)
        return rc;
    rc = db_bind_text(st, ":obligation", obligation);
    while (!rc && (rc = db_step(st)) == DB_ROW) {
        *out = grow(a, *out, *n, &cap, sizeof(**out));
        struct last_attestation *l = &(*out)[(*n)++];
        l->organisation_id = db_col_int(st, 0);
        str_format(l->date, sizeof(l->date), "%.10s", db_col_text(st, 1));
        rc = 0;
    }
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

int esql_audit_head(struct db *db, int64_t *seq)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_AUDIT_HEAD, &st);
    return rc ? rc : db_finish_int(st, 0, seq);
}

int esql_state_get(struct db *db, int64_t *seq, char day[11], bool *found)
{
    struct db_stmt *st;
    *found = false;
    int rc = db_prepare(db, SQL_STATE_GET, &st);
    if (rc)
        return rc;
    rc = db_step(st);
    if (rc == DB_ROW) {
        *seq = db_col_int(st, 0);
        rc = str_copy(day, 11, db_col_text(st, 1));
        *found = true;
    }
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

int esql_state_put(struct db *db, int64_t seq, const char *day, const char *at, int64_t duration_us)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_STATE_DELETE, &st);
    if (!rc)
        rc = db_finish(st, 0);
    if (!rc)
        rc = db_prepare(db, SQL_STATE_INSERT, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":seq", seq);
    if (!rc)
        rc = db_bind_text(st, ":day", day);
    if (!rc)
        rc = db_bind_text(st, ":at", at);
    if (!rc)
        rc = db_bind_int(st, ":us", duration_us);
    return db_finish(st, rc);
}

static int bind_finding(struct db_stmt *st, const struct finding *f, const char *at)
{
    int rc = db_bind_int(st, ":org", f->organisation_id);
    if (!rc)
        rc = db_bind_text(st, ":profile", f->profile);
    if (!rc)
        rc = db_bind_text(st, ":version", f->profile_version);
    if (!rc)
        rc = db_bind_text(st, ":obligation", f->obligation);
    if (!rc)
        rc = db_bind_text(st, ":cite", f->cite);
    if (!rc)
        rc = db_bind_text(st, ":section", f->section);
    if (!rc)
        rc = db_bind_text(st, ":rule", f->rule);
    if (!rc)
        rc = db_bind_text(st, ":subject_kind", f->subject_kind);
    if (!rc)
        rc = db_bind_text(st, ":subject_ref", f->subject_ref);
    if (!rc)
        rc = db_bind_text(st, ":subject_name", f->subject_name);
    if (!rc)
        rc = db_bind_text(st, ":status", finding_status_name(f->status));
    if (!rc)
        rc = db_bind_text(st, ":due", f->due[0] ? f->due : NULL);
    if (!rc)
        rc = f->responsible_id ? db_bind_int(st, ":responsible", f->responsible_id)
                               : db_bind_null(st, ":responsible");
    if (!rc)
        rc = db_bind_text(st, ":at", at);
    return rc;
}

int esql_findings_replace(struct db *db, const struct finding_set *set, const char *at)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_FINDINGS_DELETE, &st);
    if (!rc)
        rc = db_finish(st, 0);
    for (size_t i = 0; !rc && i < set->n; i++) {
        rc = db_prepare(db, SQL_FINDING_INSERT, &st);
        if (!rc)
            rc = db_finish(st, bind_finding(st, &set->v[i], at));
    }
    return rc;
}

int esql_snapshot(struct db *db, const char *day)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_SNAPSHOT_DELETE, &st);
    if (!rc)
        rc = db_finish(st, db_bind_text(st, ":day", day));
    if (!rc)
        rc = db_prepare(db, SQL_SNAPSHOT_INSERT, &st);
    if (!rc)
        rc = db_finish(st, db_bind_text(st, ":day", day));
    return rc;
}

int esql_profile_put(struct db *db, const char *code, const char *version, const char *title,
                     const char *body, bool builtin, const char *at, int64_t *id, bool *changed)
{
    struct db_stmt *st;
    *changed = false;
    int rc = db_prepare(db, SQL_PROFILE_FIND, &st);
    if (rc)
        return rc;
    rc = db_bind_text(st, ":code", code);
    bool exists = false, same = false;
    if (!rc && (rc = db_step(st)) == DB_ROW) {
        exists = true;
        *id = db_col_int(st, 0);
        same = strcmp(db_col_text(st, 1), version) == 0 && strcmp(db_col_text(st, 2), body) == 0;
        /* An organisation's own profile under a built-in code is never overwritten by the
         * built-in one (init and demo load those on every run). */
        same |= builtin && !db_col_int(st, 3);
        rc = 0;
    }
    db_finalize(st);
    if (rc < 0 || same)
        return rc < 0 ? rc : 0;
    rc = db_prepare(db, exists ? SQL_PROFILE_UPDATE : SQL_PROFILE_INSERT, &st);
    if (rc)
        return rc;
    rc = exists ? db_bind_int(st, ":id", *id) : db_bind_text(st, ":code", code);
    if (!rc)
        rc = db_bind_text(st, ":version", version);
    if (!rc)
        rc = db_bind_text(st, ":title", title);
    if (!rc)
        rc = db_bind_text(st, ":body", body);
    if (!rc)
        rc = db_bind_int(st, ":builtin", builtin);
    if (!rc)
        rc = db_bind_text(st, ":at", at);
    rc = exists ? db_finish(st, rc) : db_finish_int(st, rc, id);
    *changed = rc == 0;
    return rc;
}

int esql_profile_assign(struct db *db, int64_t organisation_id, int64_t profile_id, const char *at,
                        bool *added)
{
    struct db_stmt *st;
    int64_t count = 0;
    *added = false;
    int rc = db_prepare(db, SQL_ASSIGNED, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":org", organisation_id);
    if (!rc)
        rc = db_bind_int(st, ":id", profile_id);
    rc = db_finish_int(st, rc, &count);
    if (rc || count)
        return rc;
    rc = db_prepare(db, SQL_ASSIGN, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":org", organisation_id);
    if (!rc)
        rc = db_bind_int(st, ":id", profile_id);
    if (!rc)
        rc = db_bind_text(st, ":at", at);
    rc = db_finish(st, rc);
    *added = rc == 0;
    return rc;
}

int esql_org_id(struct db *db, const char *code, int64_t *id)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_ORG_ID, &st);
    if (rc)
        return rc;
    return db_finish_int(st, db_bind_text(st, ":code", code), id);
}
