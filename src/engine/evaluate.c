/* Evaluation: every obligation of every assigned profile, judged at one instant by its rule's
 * set-based query, into findings with the person responsible. */
#include "engine/engine.h"
#include "engine/engine_sql.h"
#include "engine/rule.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/str.h"
#include "db/db.h"

#include <stdlib.h>
#include <string.h>

static const char *const STATUS_NAMES[FINDING_STATUS_COUNT] = {
    "ok", "due_soon", "overdue", "missing", "excepted", "not_tracked"};

const char *finding_status_name(enum finding_status s)
{
    return (unsigned)s < FINDING_STATUS_COUNT ? STATUS_NAMES[s] : "unknown";
}

int finding_status_parse(const char *name, enum finding_status *out)
{
    for (int i = 0; name && i < FINDING_STATUS_COUNT; i++)
        if (strcmp(STATUS_NAMES[i], name) == 0) {
            *out = (enum finding_status)i;
            return 0;
        }
    return ERR_INVALID;
}

struct eval {
    struct db *db;
    struct arena *a;
    int64_t org_filter;
    struct finding_set *out;
    struct org_entry *orgs;
    size_t norgs;
    struct holder *holders;
    size_t nholders;
    struct assignment *assignments;
    size_t nassignments;
};

static const struct org_entry *org_by_id(const struct eval *ev, int64_t id)
{
    size_t lo = 0, hi = ev->norgs;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ev->orgs[mid].id == id)
            return &ev->orgs[mid];
        if (ev->orgs[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static const struct holder *holder_of(const struct eval *ev, int64_t org, const char *role)
{
    size_t lo = 0, hi = ev->nholders;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct holder *h = &ev->holders[mid];
        int cmp =
            h->organisation_id != org ? (h->organisation_id < org ? -1 : 1) : strcmp(h->role, role);
        if (cmp == 0)
            return h;
        if (cmp < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* The person holding role in the organisation, or else in the nearest one above it. */
static const struct holder *responsible_by_role(const struct eval *ev, int64_t org,
                                                const char *role)
{
    for (int depth = 0; org && depth < 32; depth++) { /* a bound, in case of a cycle */
        const struct holder *h = holder_of(ev, org, role);
        if (h)
            return h;
        const struct org_entry *o = org_by_id(ev, org);
        org = o ? o->parent_id : 0;
    }
    return NULL;
}

static struct finding *add_finding(struct rule_ctx *ctx, int64_t org)
{
    struct finding_set *s = ctx->ev->out;
    if (s->n == s->cap) {
        size_t ncap = s->cap ? s->cap * 2 : 1024;
        struct finding *nv = arena_alloc(s->arena, ncap * sizeof(*nv));
        if (s->n)
            memcpy(nv, s->v, s->n * sizeof(*nv));
        s->v = nv;
        s->cap = ncap;
    }
    struct finding *f = &s->v[s->n++];
    const struct org_entry *o = org_by_id(ctx->ev, org);
    memset(f, 0, sizeof(*f));
    f->obligation = ctx->ob->id;
    f->cite = ctx->ob->cite;
    f->section = ctx->ob->section;
    f->rule = ctx->ob->rule->name;
    f->profile = ctx->profile->code;
    f->profile_version = ctx->profile->version;
    f->organisation_id = org;
    f->organisation = o ? o->code : "";
    f->subject_kind = subject_kind_name(ctx->ob->rule->subject);
    return f;
}

static void set_responsible_role(struct rule_ctx *ctx, struct finding *f)
{
    const struct holder *h = ctx->ob->responsible ? responsible_by_role(ctx->ev, f->organisation_id,
                                                                        ctx->ob->responsible)
                                                  : NULL;
    f->responsible_id = h ? h->person_id : 0;
    f->responsible = h ? h->user_id : NULL;
}

int rule_emit(struct rule_ctx *ctx, struct db_stmt *st, enum finding_status status, const char *due)
{
    struct arena *a = ctx->ev->out->arena;
    struct finding *f = add_finding(ctx, db_col_int(st, 0));
    f->subject_ref = arena_strdup(a, db_col_text(st, 1));
    f->subject_name = arena_strdup(a, db_col_text(st, 2));
    f->status = status;
    if (due && str_copy(f->due, sizeof(f->due), due))
        return ERR_INVALID;
    /* the subject's own person (its owner, administrator, ...), or a role's holder */
    int col = rule_person_col(ctx->ob->rule, ctx->ob->responsible);
    if (col < 0) {
        set_responsible_role(ctx, f);
    } else if (!db_col_is_null(st, col)) {
        f->responsible_id = db_col_int(st, col);
        f->responsible = arena_strdup(a, db_col_text(st, col + 1));
    }
    return 0;
}

int rule_emit_as(struct rule_ctx *ctx, struct db_stmt *st, enum subject_kind kind,
                 enum finding_status status, const char *due)
{
    int rc = rule_emit(ctx, st, status, due);
    if (!rc)
        ctx->ev->out->v[ctx->ev->out->n - 1].subject_kind = subject_kind_name(kind);
    return rc;
}

enum finding_status rule_status_by_due(const struct rule_ctx *ctx, const char *due,
                                       struct period warn)
{
    char horizon[11];
    if (strcmp(due, ctx->today) < 0)
        return FINDING_OVERDUE;
    if (period_add(ctx->today, warn, horizon) == 0 && strcmp(due, horizon) <= 0)
        return FINDING_DUE_SOON;
    return FINDING_OK;
}

int rule_emit_person_active(struct rule_ctx *ctx, struct db_stmt *st, int disabled_col, int end_col,
                            struct period warn)
{
    const char *end = db_col_text(st, end_col);
    if (db_col_int(st, disabled_col) || (end && strcmp(end, ctx->today) < 0))
        return rule_emit(ctx, st, FINDING_MISSING, NULL);
    if (!end)
        return rule_emit(ctx, st, FINDING_OK, NULL);
    char due[11];
    int rc = str_copy(due, sizeof(due), end);
    enum finding_status s = rc ? FINDING_OK : rule_status_by_due(ctx, due, warn);
    return rc ? rc : rule_emit(ctx, st, s, s == FINDING_OK ? NULL : due);
}

const char *rule_date_of(const char *s, char out[11])
{
    if (!s || strlen(s) < 10)
        return NULL;
    memcpy(out, s, 10);
    out[10] = '\0';
    return out;
}

int rule_run_max_age(struct rule_ctx *ctx, const char *sql, int col)
{
    struct period max_age, warn;
    struct db_stmt *st;
    int rc = rule_period(ctx, "max_age", &max_age);
    if (!rc)
        rc = rule_period(ctx, "warn", &warn);
    if (!rc)
        rc = rule_prepare(ctx, sql, &st);
    if (rc)
        return rc;
    while ((rc = db_step(st)) == DB_ROW) {
        char last[11], due[11];
        if (!rule_date_of(db_col_text(st, col), last))
            rc = rule_emit(ctx, st, FINDING_MISSING, NULL);
        else if (!(rc = period_add(last, max_age, due)))
            rc = rule_emit(ctx, st, rule_status_by_due(ctx, due, warn), due);
        if (rc)
            break;
    }
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

int rule_run_person_active(struct rule_ctx *ctx, const char *sql)
{
    struct period warn;
    struct db_stmt *st;
    int rc = rule_period(ctx, "warn", &warn);
    if (!rc)
        rc = rule_prepare(ctx, sql, &st);
    if (rc)
        return rc;
    while ((rc = db_step(st)) == DB_ROW &&
           !(rc = rule_emit_person_active(ctx, st, RULE_COL, RULE_COL + 1, warn)))
        ;
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

static const struct param_spec *param_of(const struct rule_ctx *ctx, const char *name)
{
    for (const struct param_spec *p = ctx->ob->rule->params; p && p->name; p++)
        if (strcmp(p->name, name) == 0)
            return p;
    return NULL;
}

const char *rule_string(const struct rule_ctx *ctx, const char *name)
{
    const char *v = json_string_value(json_object_get(ctx->ob->params, name));
    const struct param_spec *p = v ? NULL : param_of(ctx, name);
    return v ? v : p ? p->fallback : NULL;
}

int rule_period(const struct rule_ctx *ctx, const char *name, struct period *out)
{
    const char *v = rule_string(ctx, name);
    return v ? period_parse(v, out) : ERR_INVALID;
}

int rule_prepare(struct rule_ctx *ctx, const char *sql, struct db_stmt **out)
{
    static const struct {
        const char *name;
        unsigned bit;
    } LC[] = {{":lc_planned", LC_PLANNED},
              {":lc_production", LC_PRODUCTION},
              {":lc_decommissioning", LC_DECOMMISSIONING},
              {":lc_retired", LC_RETIRED}};
    struct db_stmt *st;
    int rc = db_prepare(ctx->db, sql, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":profile_id", ctx->profile->id);
    if (!rc)
        rc = db_bind_int(st, ":org", ctx->ev->org_filter);
    /* Only what the query names is bound: a rule without :today must not fail on it. */
    if (!rc && strstr(sql, ":today"))
        rc = db_bind_text(st, ":today", ctx->today);
    for (size_t i = 0; !rc && i < sizeof(LC) / sizeof(LC[0]); i++)
        if (strstr(sql, LC[i].name))
            rc = db_bind_int(st, LC[i].name, (ctx->ob->lifecycles & LC[i].bit) != 0);
    if (rc) {
        db_finalize(st);
        return rc;
    }
    *out = st;
    return 0;
}

/* ---- organisation subjects: the engine's own rules and the ones not tracked yet ---- */

typedef int (*org_fn)(struct rule_ctx *ctx, const struct org_entry *o, void *arg);

/* fn for every organisation that holds the profile, is evaluated and matches where.kind. */
static int each_org(struct rule_ctx *ctx, org_fn fn, void *arg)
{
    const struct eval *ev = ctx->ev;
    int rc = 0;
    for (size_t i = 0; !rc && i < ev->nassignments; i++) {
        const struct assignment *as = &ev->assignments[i];
        if (as->profile_id != ctx->profile->id ||
            (ev->org_filter && as->organisation_id != ev->org_filter))
            continue;
        const struct org_entry *o = org_by_id(ev, as->organisation_id);
        if (o && (!ctx->ob->org_kinds || (ctx->ob->org_kinds & o->kind_bit)))
            rc = fn(ctx, o, arg);
    }
    return rc;
}

static struct finding *org_finding(struct rule_ctx *ctx, const struct org_entry *o,
                                   enum finding_status status)
{
    struct finding *f = add_finding(ctx, o->id);
    f->subject_ref = o->code;
    f->subject_name = o->name;
    f->status = status;
    set_responsible_role(ctx, f);
    return f;
}

static int not_tracked_one(struct rule_ctx *ctx, const struct org_entry *o, void *arg)
{
    (void)arg;
    struct finding *f = org_finding(ctx, o, FINDING_NOT_TRACKED);
    f->subject_kind = "organisation";
    return 0;
}

struct attested {
    struct last_attestation *last;
    size_t n;
    struct period interval, warn;
};

static int attestation_one(struct rule_ctx *ctx, const struct org_entry *o, void *arg)
{
    const struct attested *at = arg;
    const struct last_attestation *last = NULL;
    for (size_t i = 0; i < at->n && !last; i++)
        if (at->last[i].organisation_id == o->id)
            last = &at->last[i];
    if (!last) {
        org_finding(ctx, o, FINDING_MISSING);
        return 0;
    }
    char due[11];
    int rc = period_add(last->date, at->interval, due);
    if (rc)
        return rc;
    struct finding *f = org_finding(ctx, o, rule_status_by_due(ctx, due, at->warn));
    memcpy(f->due, due, sizeof(due));
    return 0;
}

static int eval_attestation(struct rule_ctx *ctx)
{
    struct attested at;
    int rc = rule_period(ctx, "interval", &at.interval);
    if (!rc)
        rc = rule_period(ctx, "warn", &at.warn);
    if (!rc)
        rc = esql_last_attestations(ctx->db, ctx->ev->a, ctx->ob->id, &at.last, &at.n);
    return rc ? rc : each_org(ctx, attestation_one, &at);
}

static const struct param_spec ATTESTATION_PARAMS[] = {
    {"interval", PARAM_PERIOD, true, NULL}, {"warn", PARAM_PERIOD, false, "P30D"}, {NULL}};
static const struct param_spec NO_PARAMS[] = {{NULL}};
static const struct rule_kind INFORMATION = {"information", "engine", SUBJECT_NONE, NO_PARAMS,
                                             NULL};
static const struct rule_kind ATTESTATION = {"attestation", "engine", SUBJECT_ORGANISATION,
                                             ATTESTATION_PARAMS, eval_attestation};
const struct rule_kind *const engine_rule_kinds[] = {&INFORMATION, &ATTESTATION, NULL};

/* ---- the evaluation ---- */

static int evaluate_profile(struct eval *ev, const struct stored_profile *sp, const char *today,
                            char *msg, size_t msglen)
{
    struct profile p;
    char origin[64];
    str_format(origin, sizeof(origin), "profile %s", sp->code);
    int rc = profile_parse(sp->body, origin, ev->a, &p, msg, msglen);
    if (rc)
        return rc;
    p.id = sp->id;
    for (size_t i = 0; !rc && i < p.n; i++) {
        struct rule_ctx ctx = {
            .db = ev->db, .today = today, .profile = &p, .ob = &p.obligations[i], .ev = ev};
        const struct rule_kind *k = ctx.ob->rule;
        if (k->subject == SUBJECT_NONE)
            continue;
        rc = k->evaluate ? k->evaluate(&ctx) : each_org(&ctx, not_tracked_one, NULL);
        if (rc && !msg[0])
            str_format(msg, msglen, "profile %s: obligation %s: rule %s failed: %s", sp->code,
                       ctx.ob->id, k->name, db_errmsg(ev->db));
    }
    return rc;
}

int engine_evaluate(struct db *db, int64_t now, int64_t organisation_id, struct finding_set *out,
                    char *msg, size_t msglen)
{
    struct eval ev = {.db = db, .a = out->arena, .org_filter = organisation_id, .out = out};
    struct stored_profile *profiles = NULL;
    size_t nprofiles = 0;
    char today[CLOCK_ISO_LEN];
    clock_format(now, today);
    today[10] = '\0';
    msg[0] = '\0';
    int rc = esql_orgs(db, ev.a, &ev.orgs, &ev.norgs);
    if (!rc)
        rc = esql_holders(db, ev.a, &ev.holders, &ev.nholders);
    if (!rc)
        rc = esql_assignments(db, ev.a, &ev.assignments, &ev.nassignments);
    if (!rc)
        rc = esql_profiles(db, ev.a, false, &profiles, &nprofiles);
    for (size_t i = 0; !rc && i < nprofiles; i++)
        rc = evaluate_profile(&ev, &profiles[i], today, msg, msglen);
    if (rc && !msg[0])
        str_format(msg, msglen, "cannot evaluate the policies: %s", db_errmsg(db));
    return rc;
}
