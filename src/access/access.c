/* Access control's logic: grants to people and revocations for the other access modules,
 * accounts, entitlements and grants for the API, MFA coverage. No SQL and no HTTP here. */
#include "access/access.h"
#include "access/access_sql.h"
#include "access/workflow_util.h"
#include "catalog/cat_common.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/str.h"
#include "db/db.h"

#include <stdlib.h>
#include <string.h>

/* ---- granting and revoking ---- */

int access_grant_to_person(struct db *db, int64_t system_id, int64_t entitlement_id,
                           int64_t person_id, int64_t request_id, int64_t granted_by,
                           const char *now, int64_t *grant_id)
{
    char user_id[USER_ID_MAX + 1];
    int64_t org_id = 0, account = 0, existing = 0;
    bool belongs = false, removed = false;
    *grant_id = 0;
    int rc = access_sql_person(db, person_id, &org_id, user_id);
    if (!rc)
        rc = access_sql_entitlement_of(db, entitlement_id, system_id, &belongs);
    if (!rc && !belongs)
        rc = ERR_NOTFOUND;
    if (!rc)
        rc = access_sql_person_account(db, system_id, person_id, &account, &removed);
    if (!rc && account && removed)
        rc = access_sql_account_revive(db, account, now);
    if (!rc && !account) {
        int64_t taken = 0;
        struct access_account_write w = {.system_id = system_id,
                                         .organisation_id = org_id,
                                         .person_id = person_id,
                                         .username = user_id,
                                         .status = "active",
                                         .source = request_id > 0 ? "request" : "manual"};
        rc = access_sql_account_by_username(db, system_id, user_id, &taken);
        if (!rc && taken)
            rc = ERR_CONFLICT; /* another person's (or nobody's) account has that name */
        if (!rc)
            rc = access_sql_account_insert(db, &w, now);
        account = w.id;
    }
    if (!rc)
        rc = access_sql_active_grant(db, account, entitlement_id, &existing);
    if (!rc && existing) {
        *grant_id = existing;
        return 0;
    }
    if (!rc)
        rc = access_sql_grant_insert(db, account, entitlement_id, request_id, granted_by,
                                     request_id > 0 ? "request" : "manual", now, grant_id);
    return rc;
}

int access_grant_revoke(struct db *db, int64_t grant_id, int64_t revoked_by, const char *reason,
                        const char *now)
{
    if (!reason || !reason[0])
        return ERR_INVALID;
    return access_sql_grant_revoke(db, grant_id, revoked_by, reason, now);
}

int access_grant_object(struct db *db, int64_t grant_id, json_t **out)
{
    json_t *row = NULL;
    int rc = access_sql_grant_by_id(db, grant_id, &row);
    if (rc)
        return rc;
    *out = cat_public(row);
    json_decref(row);
    return *out ? 0 : ERR_NOMEM;
}

/* ---- helpers ---- */

static const char *const STATUSES[] = {"active", "disabled", "removed", NULL};

/* A true/false filter into *out (-1 when absent). */
static int bool_filter(const char *v, const char *name, int *out, struct json_problem *p)
{
    *out = -1;
    if (!wf_given(v))
        return 0;
    if (strcmp(v, "true") == 0 || strcmp(v, "false") == 0) {
        *out = strcmp(v, "true") == 0;
        return 0;
    }
    return cat_reject(p, 422, "invalid_value", name, "%s is true or false", name);
}

/* A positive id filter into *out (0 when absent). */
static int id_filter(const char *v, const char *name, int64_t *out, struct json_problem *p)
{
    *out = 0;
    if (!wf_given(v))
        return 0;
    if (str_to_int64(v, 1, INT64_MAX / 2, out) == 0)
        return 0;
    return cat_reject(p, 422, "invalid_value", name, "%s is an id (a positive whole number)", name);
}

typedef int (*page_fn)(struct db *, const struct org_actor *, const void *filter, json_t *items);

/* Pages of rows by id (every row up to ACCESS_EXPORT_MAX when all), each shaped by shape. */
static int id_pages(struct db *db, const struct org_actor *who, void *filter, int64_t *after_id,
                    int *limit, bool all, char kind, page_fn fn, json_t *(*shape)(json_t *),
                    json_t **out)
{
    json_t *items = json_array(), *rows = json_array(), *next = json_null();
    int page = all ? 500 : *limit, rc = 0;
    *limit = all ? 500 : page + 1; /* one more tells whether a next page exists */
    for (;;) {
        json_array_clear(rows);
        rc = fn(db, who, filter, rows);
        size_t n = json_array_size(rows);
        for (size_t i = 0; !rc && i < n && i < (size_t)page; i++) {
            json_t *o = shape(json_array_get(rows, i));
            rc = o && json_array_append_new(items, o) == 0 ? 0 : ERR_NOMEM;
        }
        if (rc || !all || n < (size_t)*limit)
            break;
        if (json_array_size(items) > ACCESS_EXPORT_MAX) {
            rc = ERR_TOOBIG;
            break;
        }
        *after_id = wf_hidden(json_array_get(rows, n - 1), "id");
    }
    if (!rc && !all && json_array_size(rows) > (size_t)page) {
        char cursor[WF_CURSOR_MAX];
        wf_cursor_make(kind, wf_hidden(json_array_get(rows, (size_t)page - 1), "id"), cursor);
        json_decref(next);
        next = json_string(cursor);
    }
    json_decref(rows);
    if (rc) {
        json_decref(items);
        json_decref(next);
        return rc;
    }
    *out = json_pack("{s:o, s:o}", "items", items, "next_cursor", next);
    return *out ? 0 : ERR_NOMEM;
}

/* ---- accounts ---- */

/* The API object of an account row: the exception as an object, whether it holds today. */
static json_t *account_object(json_t *row)
{
    char day[ORG_DATE_LEN + 1];
    json_t *o = cat_public(row);
    if (!o)
        return NULL;
    const char *reason = wf_member(o, "x_reason"), *until = wf_member(o, "x_until");
    wf_today(day);
    json_t *ex = reason ? json_pack("{s:s, s:s?, s:s?, s:s?}", "reason", reason, "until", until,
                                    "approved_by", wf_member(o, "x_approved_by"), "approved_at",
                                    wf_member(o, "x_approved_at"))
                        : json_null();
    bool valid = reason && until && strcmp(until, day) >= 0;
    json_object_set_new(o, "exception", ex);
    json_object_set_new(o, "exception_valid", json_boolean(valid));
    json_object_del(o, "x_reason");
    json_object_del(o, "x_until");
    json_object_del(o, "x_approved_by");
    json_object_del(o, "x_approved_at");
    return o;
}

static int account_page(struct db *db, const struct org_actor *who, const void *f, json_t *items)
{
    return access_sql_account_list(db, who, f, items);
}

int access_account_list(struct db *db, const struct org_actor *who,
                        const struct access_account_query *q, bool all, json_t **out,
                        struct json_problem *p)
{
    struct access_account_filter f = {0};
    char like[2 * ORG_FILTER_MAX + 3];
    const char *text = NULL;
    int rc = wf_page_limit(q->limit, &f.limit, p);
    if (!rc && wf_given(q->cursor) && !all)
        rc = wf_cursor_read(q->cursor, 'C', &f.after_id, p);
    if (!rc)
        rc = cat_filter(q->organisation, "organisation", &f.organisation, p);
    if (!rc)
        rc = cat_filter(q->system, "system", &f.system, p);
    if (!rc)
        rc = cat_filter(q->person, "person", &f.person, p);
    if (!rc)
        rc = cat_filter(q->status, "status", &f.status, p);
    if (!rc && f.status && !wf_one_of(f.status, STATUSES))
        rc = cat_reject(p, 422, "invalid_value", "status", "status is active, disabled or removed");
    if (!rc)
        rc = bool_filter(q->shared, "shared", &f.shared, p);
    if (!rc)
        rc = bool_filter(q->privileged, "privileged", &f.privileged, p);
    if (!rc)
        rc = bool_filter(q->mfa, "mfa", &f.mfa, p);
    if (!rc)
        rc = bool_filter(q->unowned, "unowned", &f.unowned, p);
    if (!rc)
        rc = cat_filter(q->q, "q", &text, p);
    if (!rc && text) {
        rc = db_like_pattern(text, like, sizeof(like));
        f.like = like;
    }
    if (rc)
        return rc;
    return id_pages(db, who, &f, &f.after_id, &f.limit, all, 'C', account_page, account_object,
                    out);
}

/* The account in reach as its object (hidden ids kept in *row when asked). */
static int account_find(struct db *db, const struct org_actor *who, const char *id, json_t **row)
{
    int64_t n;
    int rc = wf_path_id(id, &n);
    if (!rc)
        rc = access_sql_account_find(db, who, n, row);
    return rc;
}

int access_account_get(struct db *db, const struct org_actor *who, const char *id, json_t **out)
{
    json_t *row = NULL;
    int rc = account_find(db, who, id, &row);
    if (rc)
        return rc;
    *out = account_object(row);
    json_decref(row);
    return *out ? 0 : ERR_NOMEM;
}

/* A last_login value: null, or a date or an ISO 8601 time with a zone, stored as UTC. */
static int last_login_value(json_t *v, char out[CLOCK_ISO_LEN], const char **value,
                            struct json_problem *p)
{
    int64_t t;
    *value = NULL;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_string(v) || clock_parse(json_string_value(v), &t))
        return cat_reject(p, 422, "invalid_value", "last_login",
                          "last_login is a date YYYY-MM-DD or a time YYYY-MM-DDTHH:MM:SSZ");
    clock_format(t, out);
    *value = out;
    return 0;
}

/* The person a body names (member "person", a user id) in reach: its id and organisation. */
static int person_of(struct db *db, const struct org_actor *who, const char *user_id, int64_t *id,
                     int64_t *org_id, struct json_problem *p)
{
    json_t *row = NULL;
    int rc = access_sql_person_find(db, who, user_id, &row);
    if (rc == ERR_NOTFOUND)
        return cat_unknown_person(p, "person", user_id);
    if (rc)
        return rc;
    *id = wf_hidden(row, "_id");
    *org_id = wf_hidden(row, "_organisation_id");
    json_decref(row);
    return 0;
}

static int system_of(struct db *db, const struct org_actor *who, const char *external_id,
                     int64_t *id, int64_t *org_id, struct json_problem *p)
{
    json_t *row = NULL;
    int rc = access_sql_system_find(db, who, external_id, &row);
    if (rc == ERR_NOTFOUND)
        return cat_reject(p, 422, "unknown_system", "system",
                          "no system has external id '%s' in your reach", cat_shown(external_id));
    if (rc)
        return rc;
    *id = wf_hidden(row, "_id");
    *org_id = wf_hidden(row, "_organisation_id");
    json_decref(row);
    return 0;
}

static int account_after(struct db *db, int64_t id, json_t **out)
{
    json_t *row = NULL;
    int rc = access_sql_account_by_id(db, id, &row);
    if (rc)
        return rc;
    *out = account_object(row);
    json_decref(row);
    return *out ? 0 : ERR_NOMEM;
}

static int account_create_apply(struct db *db, const struct org_actor *who, json_t *body,
                                json_t **out, struct json_problem *p)
{
    char at[CLOCK_ISO_LEN], login[CLOCK_ISO_LEN], idt[24];
    const char *username = wf_member(body, "username"), *person = wf_member(body, "person");
    const char *status = wf_member(body, "status");
    int64_t system_org = 0, taken = 0;
    struct access_account_write w = {.status = status ? status : "active", .source = "manual"};
    wf_now(at);
    int rc = system_of(db, who, wf_member(body, "system"), &w.system_id, &system_org, p);
    w.organisation_id = system_org;
    if (!rc && person)
        rc = person_of(db, who, person, &w.person_id, &w.organisation_id, p);
    if (!rc && !wf_one_of(w.status, STATUSES))
        rc = cat_reject(p, 422, "invalid_value", "status", "status is active or disabled");
    if (!rc && strcmp(w.status, "removed") == 0)
        rc = cat_reject(p, 422, "invalid_value", "status",
                        "a new account is active or disabled, not removed");
    if (!rc)
        rc = last_login_value(json_object_get(body, "last_login"), login, &w.last_login, p);
    if (!rc)
        rc = access_sql_account_by_username(db, w.system_id, username, &taken);
    if (!rc && taken)
        rc = cat_reject(p, 409, "duplicate", "username",
                        "the system already has an account named '%s'", cat_shown(username));
    if (rc)
        return rc;
    w.username = username;
    w.shared = json_is_true(json_object_get(body, "shared"));
    w.privileged = json_is_true(json_object_get(body, "privileged"));
    w.mfa_enrolled = json_is_true(json_object_get(body, "mfa_enrolled"));
    rc = access_sql_account_insert(db, &w, at);
    if (!rc)
        rc = account_after(db, w.id, out);
    wf_id_text(w.id, idt);
    if (!rc)
        rc = cat_audit(db, who, "account.create", "account", idt, w.organisation_id, NULL, *out);
    return rc;
}

int access_account_create(struct db *db, const struct org_actor *who, json_t *body, json_t **out,
                          struct json_problem *p)
{
    *out = NULL;
    int rc = db_begin(db);
    if (rc)
        return rc;
    return cat_finish(db, account_create_apply(db, who, body, out, p), out);
}

static bool flag_of(json_t *body, const char *name, bool was)
{
    json_t *v = json_object_get(body, name);
    return v ? json_is_true(v) : was;
}

static int account_update_apply(struct db *db, const struct org_actor *who, const char *id,
                                json_t *body, json_t **out, bool *unchanged, struct json_problem *p)
{
    char at[CLOCK_ISO_LEN], login[CLOCK_ISO_LEN], idt[24];
    json_t *row = NULL, *before = NULL;
    int rc = account_find(db, who, id, &row);
    if (rc)
        return rc;
    struct access_account_write w = {
        .id = wf_hidden(row, "id"),
        .system_id = wf_hidden(row, "_system_id"),
        .organisation_id = wf_hidden(row, "_organisation_id"),
        .person_id = wf_hidden(row, "_person_id"),
        .last_login = wf_member(row, "last_login"),
        .status = wf_member(row, "status"),
        .shared = json_is_true(json_object_get(row, "shared")),
        .privileged = json_is_true(json_object_get(row, "privileged")),
        .mfa_enrolled = json_is_true(json_object_get(row, "mfa_enrolled")),
    };
    json_t *pv = json_object_get(body, "person"), *st = json_object_get(body, "status");
    wf_now(at);
    if (pv && json_is_null(pv)) {
        /* tied to no person: the system's organisation, which must be in reach */
        json_t *sys = NULL;
        rc = access_sql_system_find(db, who, wf_member(row, "system"), &sys);
        if (rc == ERR_NOTFOUND)
            rc = cat_reject(p, 422, "invalid_value", "person",
                            "the system's organisation is not in your reach; name a person");
        w.person_id = 0;
        w.organisation_id = wf_hidden(sys, "_organisation_id");
        json_decref(sys);
    } else if (pv && json_is_string(pv) &&
               (!wf_member(row, "person") ||
                strcmp(wf_member(row, "person"), json_string_value(pv)))) {
        rc = person_of(db, who, json_string_value(pv), &w.person_id, &w.organisation_id, p);
    }
    if (!rc && st && !wf_one_of(json_string_value(st), STATUSES))
        rc = cat_reject(p, 422, "invalid_value", "status", "status is active, disabled or removed");
    if (!rc && st)
        w.status = json_string_value(st);
    if (!rc && json_object_get(body, "last_login"))
        rc = last_login_value(json_object_get(body, "last_login"), login, &w.last_login, p);
    w.shared = flag_of(body, "shared", w.shared);
    w.privileged = flag_of(body, "privileged", w.privileged);
    w.mfa_enrolled = flag_of(body, "mfa_enrolled", w.mfa_enrolled);
    if (!rc)
        before = account_object(row);
    if (!rc)
        rc = access_sql_account_update(db, &w, at);
    if (!rc && strcmp(w.status, "removed") == 0)
        rc = access_sql_account_grants_revoke(db, w.id, wf_caller_person(who),
                                              "Kontot är borttaget", at);
    if (!rc)
        rc = account_after(db, w.id, out);
    /* A PATCH that sends back what is there writes nothing (the caller rolls back). */
    *unchanged = !rc && before && json_equal(before, *out);
    wf_id_text(w.id, idt);
    if (!rc && !*unchanged)
        rc = cat_audit(db, who, "account.update", "account", idt, w.organisation_id, before, *out);
    json_decref(before);
    json_decref(row);
    return rc;
}

int access_account_update(struct db *db, const struct org_actor *who, const char *id, json_t *body,
                          json_t **out, struct json_problem *p)
{
    bool unchanged = false;
    *out = NULL;
    int rc = db_begin(db);
    if (rc)
        return rc;
    rc = account_update_apply(db, who, id, body, out, &unchanged, p);
    if (!rc && unchanged) {
        db_rollback(db);
        return 0;
    }
    return cat_finish(db, rc, out);
}

static int exception_apply(struct db *db, const struct org_actor *who, const char *id, json_t *body,
                           json_t **out, struct json_problem *p)
{
    char at[CLOCK_ISO_LEN], day[ORG_DATE_LEN + 1], idt[24];
    json_t *row = NULL, *before = NULL;
    const char *reason = wf_member(body, "reason"), *until = wf_member(body, "until");
    int rc = account_find(db, who, id, &row);
    if (rc)
        return rc;
    wf_now(at);
    wf_today(day);
    if (!json_is_true(json_object_get(row, "shared")))
        rc = cat_reject(p, 409, "not_shared", NULL,
                        "only a shared or generic account needs an exception; this one is "
                        "personal");
    else if (strcmp(until, day) <= 0)
        rc = cat_reject(p, 422, "invalid_value", "until",
                        "until is a date after today: an exception is time-limited");
    if (!rc)
        before = account_object(row);
    if (!rc)
        rc = access_sql_account_exception(db, wf_hidden(row, "id"), reason, until,
                                          wf_caller_person(who), at);
    if (!rc)
        rc = account_after(db, wf_hidden(row, "id"), out);
    wf_id_text(wf_hidden(row, "id"), idt);
    if (!rc)
        rc = cat_audit(db, who, "account.exception", "account", idt,
                       wf_hidden(row, "_organisation_id"), before, *out);
    json_decref(before);
    json_decref(row);
    return rc;
}

int access_account_exception(struct db *db, const struct org_actor *who, const char *id,
                             json_t *body, json_t **out, struct json_problem *p)
{
    *out = NULL;
    int rc = db_begin(db);
    if (rc)
        return rc;
    return cat_finish(db, exception_apply(db, who, id, body, out, p), out);
}

/* ---- entitlements ---- */

/* The system in reach (404 otherwise, as for a missing one): id and organisation. */
static int system_at(struct db *db, const struct org_actor *who, const char *external_id,
                     int64_t *id, int64_t *org_id)
{
    json_t *row = NULL;
    int rc = external_id ? access_sql_system_find(db, who, external_id, &row) : ERR_NOTFOUND;
    if (rc)
        return rc;
    *id = wf_hidden(row, "_id");
    *org_id = wf_hidden(row, "_organisation_id");
    json_decref(row);
    return 0;
}

int access_entitlement_list(struct db *db, const struct org_actor *who, const char *system,
                            json_t **out)
{
    int64_t id = 0, org = 0;
    int rc = system_at(db, who, system, &id, &org);
    if (rc)
        return rc;
    json_t *items = json_array();
    rc = access_sql_entitlement_list(db, id, items);
    if (rc) {
        json_decref(items);
        return rc;
    }
    *out = json_pack("{s:o, s:n}", "items", items, "next_cursor");
    return *out ? 0 : ERR_NOMEM;
}

static int entitlement_create_apply(struct db *db, const struct org_actor *who, const char *system,
                                    json_t *body, json_t **out, struct json_problem *p)
{
    char at[CLOCK_ISO_LEN], idt[24];
    int64_t sys = 0, org = 0, id = 0;
    json_t *dup = NULL;
    const char *name = wf_member(body, "name");
    int rc = system_at(db, who, system, &sys, &org);
    if (rc)
        return rc;
    wf_now(at);
    rc = access_sql_entitlement_find(db, sys, 0, name, &dup);
    json_decref(dup);
    if (rc == 0)
        return cat_reject(p, 409, "duplicate", "name", "the system already has '%s'",
                          cat_shown(name));
    if (rc != ERR_NOTFOUND)
        return rc;
    rc = access_sql_entitlement_insert(db, sys, name, wf_member(body, "description"),
                                       json_is_true(json_object_get(body, "privileged")), at, &id);
    if (!rc)
        rc = access_sql_entitlement_find(db, sys, id, NULL, out);
    wf_id_text(id, idt);
    if (!rc)
        rc = cat_audit(db, who, "entitlement.create", "entitlement", idt, org, NULL, *out);
    return rc;
}

int access_entitlement_create(struct db *db, const struct org_actor *who, const char *system,
                              json_t *body, json_t **out, struct json_problem *p)
{
    *out = NULL;
    int rc = db_begin(db);
    if (rc)
        return rc;
    return cat_finish(db, entitlement_create_apply(db, who, system, body, out, p), out);
}

/* ---- grants ---- */

static json_t *grant_object(json_t *row)
{
    return cat_public(row);
}

static int grant_page(struct db *db, const struct org_actor *who, const void *f, json_t *items)
{
    return access_sql_grant_list(db, who, f, items);
}

int access_grant_list(struct db *db, const struct org_actor *who,
                      const struct access_grant_query *q, bool all, json_t **out,
                      struct json_problem *p)
{
    struct access_grant_filter f = {0};
    int rc = wf_page_limit(q->limit, &f.limit, p);
    if (!rc && wf_given(q->cursor) && !all)
        rc = wf_cursor_read(q->cursor, 'G', &f.after_id, p);
    if (!rc)
        rc = cat_filter(q->organisation, "organisation", &f.organisation, p);
    if (!rc)
        rc = cat_filter(q->system, "system", &f.system, p);
    if (!rc)
        rc = cat_filter(q->person, "person", &f.person, p);
    if (!rc)
        rc = id_filter(q->account, "account", &f.account, p);
    if (!rc)
        rc = id_filter(q->entitlement, "entitlement", &f.entitlement, p);
    if (!rc)
        rc = bool_filter(q->active, "active", &f.active, p);
    if (rc)
        return rc;
    return id_pages(db, who, &f, &f.after_id, &f.limit, all, 'G', grant_page, grant_object, out);
}

int access_grant_get(struct db *db, const struct org_actor *who, const char *id, json_t **out)
{
    int64_t n;
    json_t *row = NULL;
    int rc = wf_path_id(id, &n);
    if (!rc)
        rc = access_sql_grant_find(db, who, n, &row);
    if (rc)
        return rc;
    *out = cat_public(row);
    json_decref(row);
    return *out ? 0 : ERR_NOMEM;
}

static int grant_create_apply(struct db *db, const struct org_actor *who, json_t *body,
                              json_t **out, struct json_problem *p)
{
    char at[CLOCK_ISO_LEN], idt[24];
    json_t *account = NULL, *ent = NULL;
    int64_t entitlement = json_integer_value(json_object_get(body, "entitlement"));
    int64_t account_id = json_integer_value(json_object_get(body, "account"));
    int64_t system_id = 0, org = 0, grant = 0, existing = 0, person_id = 0;
    const char *system = wf_member(body, "system"), *person = wf_member(body, "person");
    int rc = 0;
    wf_now(at);
    if (account_id && (system || person))
        return cat_reject(p, 422, "invalid_value", "account",
                          "name the account, or the system and the person, not both");
    if (!account_id && !(system && person))
        return cat_reject(p, 422, "missing_field", system ? "person" : "system",
                          "name the account, or the system and the person");
    if (account_id) {
        rc = access_sql_account_find(db, who, account_id, &account);
        if (rc == ERR_NOTFOUND)
            return cat_reject(p, 422, "unknown_account", "account",
                              "no account has id %lld in your reach", (long long)account_id);
        if (rc)
            return rc;
        system_id = wf_hidden(account, "_system_id");
        org = wf_hidden(account, "_organisation_id");
        if (strcmp(wf_member(account, "status"), "removed") == 0)
            rc = cat_reject(p, 409, "account_removed", "account",
                            "the account is removed; make it active first");
    } else {
        rc = system_of(db, who, system, &system_id, &org, p);
        if (!rc)
            rc = person_of(db, who, person, &person_id, &org, p);
    }
    if (!rc) {
        rc = access_sql_entitlement_find(db, system_id, entitlement, NULL, &ent);
        if (rc == ERR_NOTFOUND)
            rc = cat_reject(p, 422, "unknown_entitlement", "entitlement",
                            "the system has no entitlement with id %lld", (long long)entitlement);
    }
    if (!rc && account) {
        rc = access_sql_active_grant(db, account_id, entitlement, &existing);
    } else if (!rc) {
        int64_t acct = 0;
        bool removed = false;
        rc = access_sql_person_account(db, system_id, person_id, &acct, &removed);
        if (!rc && acct && !removed)
            rc = access_sql_active_grant(db, acct, entitlement, &existing);
    }
    if (!rc && existing)
        rc = cat_reject(p, 409, "duplicate", "entitlement",
                        "the account already holds this entitlement (grant %lld)",
                        (long long)existing);
    if (!rc && account)
        rc = access_sql_grant_insert(db, account_id, entitlement, 0, wf_caller_person(who),
                                     "manual", at, &grant);
    else if (!rc)
        rc = access_grant_to_person(db, system_id, entitlement, person_id, 0, wf_caller_person(who),
                                    at, &grant);
    if (rc == ERR_CONFLICT)
        rc = cat_reject(p, 409, "username_taken", "person",
                        "the system has an account named as the person's user id that is not "
                        "theirs; grant on that account instead");
    if (!rc)
        rc = access_grant_object(db, grant, out);
    wf_id_text(grant, idt);
    /* the grant's organisation is the account's: the person's, or the system's */
    if (!rc)
        rc = cat_audit(db, who, "grant.create", "grant", idt, org, NULL, *out);
    json_decref(account);
    json_decref(ent);
    return rc;
}

int access_grant_create(struct db *db, const struct org_actor *who, json_t *body, json_t **out,
                        struct json_problem *p)
{
    *out = NULL;
    int rc = db_begin(db);
    if (rc)
        return rc;
    return cat_finish(db, grant_create_apply(db, who, body, out, p), out);
}

static int grant_revoke_apply(struct db *db, const struct org_actor *who, const char *id,
                              json_t *body, json_t **out, struct json_problem *p)
{
    char at[CLOCK_ISO_LEN];
    int64_t n;
    json_t *row = NULL, *before = NULL;
    int rc = wf_path_id(id, &n);
    if (!rc)
        rc = access_sql_grant_find(db, who, n, &row);
    if (rc)
        return rc;
    wf_now(at);
    int64_t org = wf_hidden(row, "_organisation_id");
    before = cat_public(row);
    rc = access_grant_revoke(db, n, wf_caller_person(who), wf_member(body, "reason"), at);
    if (rc == ERR_CONFLICT)
        rc = cat_reject(p, 409, "already_revoked", NULL, "the grant was revoked at %s",
                        wf_member(row, "revoked_at") ? wf_member(row, "revoked_at") : "?");
    if (!rc)
        rc = access_grant_object(db, n, out);
    if (!rc)
        rc = cat_audit(db, who, "grant.revoke", "grant", id, org, before, *out);
    json_decref(before);
    json_decref(row);
    return rc;
}

int access_grant_revoke_by(struct db *db, const struct org_actor *who, const char *id, json_t *body,
                           json_t **out, struct json_problem *p)
{
    *out = NULL;
    int rc = db_begin(db);
    if (rc)
        return rc;
    return cat_finish(db, grant_revoke_apply(db, who, id, body, out, p), out);
}

/* ---- exports ---- */

static const char *status_sv(const char *s)
{
    if (!s)
        return "";
    return strcmp(s, "active") == 0     ? "Aktivt"
           : strcmp(s, "disabled") == 0 ? "Inaktiverat"
           : strcmp(s, "removed") == 0  ? "Borttaget"
                                        : s;
}

static const char *source_sv(const char *s)
{
    if (!s)
        return "";
    return strcmp(s, "manual") == 0    ? "Manuellt"
           : strcmp(s, "csv") == 0     ? "CSV-import"
           : strcmp(s, "ldap") == 0    ? "Katalog (LDAP)"
           : strcmp(s, "request") == 0 ? "Beställning"
                                       : s;
}

json_t *access_account_rows(json_t *items)
{
    json_t *rows = json_array();
    for (size_t i = 0; i < json_array_size(items); i++) {
        json_t *it = json_array_get(items, i), *row = json_deep_copy(it);
        json_t *ex = json_object_get(it, "exception");
        json_object_set_new(row, "status", json_string(status_sv(wf_member(it, "status"))));
        json_object_set_new(row, "source", json_string(source_sv(wf_member(it, "source"))));
        json_object_set(row, "exception_until",
                        json_is_object(ex) ? json_object_get(ex, "until") : json_null());
        json_object_del(row, "exception");
        json_array_append_new(rows, row);
    }
    return rows;
}

json_t *access_grant_rows(json_t *items)
{
    json_t *rows = json_array();
    for (size_t i = 0; i < json_array_size(items); i++) {
        json_t *it = json_array_get(items, i), *row = json_deep_copy(it);
        json_object_set_new(row, "source", json_string(source_sv(wf_member(it, "source"))));
        json_array_append_new(rows, row);
    }
    return rows;
}

/* ---- MFA coverage ---- */

/* with / of as a share rounded to three decimals, or null for none. */
static json_t *share(json_t *o, const char *with, const char *of)
{
    int64_t n = wf_hidden(o, of), k = wf_hidden(o, with);
    if (n <= 0)
        return json_null();
    return json_real((double)(k * 1000 / n) / 1000.0);
}

static void add_shares(json_t *items)
{
    for (size_t i = 0; i < json_array_size(items); i++) {
        json_t *o = json_array_get(items, i);
        json_object_set_new(o, "mfa_share", share(o, "with_mfa", "accounts"));
        json_object_set_new(o, "privileged_mfa_share",
                            share(o, "privileged_with_mfa", "privileged"));
    }
}

int access_mfa_coverage(struct db *db, const struct org_actor *who, const char *organisation,
                        const char *system, json_t **out, struct json_problem *p)
{
    const char *org = NULL, *sys = NULL;
    int rc = cat_filter(organisation, "organisation", &org, p);
    if (!rc)
        rc = cat_filter(system, "system", &sys, p);
    if (rc)
        return rc;
    json_t *orgs = json_array(), *systems = json_array();
    rc = access_sql_mfa_by_org(db, who, org, sys, orgs);
    if (!rc)
        rc = access_sql_mfa_by_system(db, who, org, sys, systems);
    if (rc) {
        json_decref(orgs);
        json_decref(systems);
        return rc;
    }
    add_shares(orgs);
    add_shares(systems);
    *out = json_pack("{s:o, s:o}", "organisations", orgs, "systems", systems);
    return *out ? 0 : ERR_NOMEM;
}
