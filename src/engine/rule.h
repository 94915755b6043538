/* What a module needs to register rule kinds with the engine: the rule kind, its parameters,
 * the profile's obligations, and helpers that turn one set-based query into findings. */
#ifndef VARN_ENGINE_RULE_H
#define VARN_ENGINE_RULE_H

#include "engine/engine.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct db;
struct db_stmt;
struct eval;

enum subject_kind {
    SUBJECT_NONE,         /* information rows: nothing to judge */
    SUBJECT_ORGANISATION, /* the organisation itself */
    SUBJECT_SYSTEM,
    SUBJECT_INFORMATION,
    SUBJECT_RISK,            /* a risk of a risk assessment */
    SUBJECT_RISK_MEASURE,    /* a measure that treats a risk */
    SUBJECT_RISK_ASSESSMENT, /* a risk assessment */
    SUBJECT_ACCOUNT,         /* an account in a system (access control) */
    SUBJECT_PERSON,          /* a person, by user id */
    SUBJECT_GRANT,           /* an entitlement granted to an account */
};
const char *subject_kind_name(enum subject_kind k);

/* An ISO 8601 period PnYnMnWnD (weeks are kept as days). */
struct period {
    int years, months, days;
};
/* 0, or ERR_INVALID for anything but PnYnMnWnD with at least one part (each at most 9999). */
int period_parse(const char *s, struct period *out);
/* date (YYYY-MM-DD) + p into out; a day past the month's end after adding years and months
 * becomes its last day (2024-01-31 + P1M = 2024-02-29). ERR_INVALID for a bad date. */
int period_add(const char *date, struct period p, char out[11]);

enum param_type { PARAM_PERIOD, PARAM_STRING };

struct param_spec {
    const char *name;
    enum param_type type;
    bool required;
    const char *fallback; /* the value when not given (NULL: none) */
};

struct rule_ctx;
typedef int (*rule_eval_fn)(struct rule_ctx *ctx);

struct rule_kind {
    const char *name;                /* as profiles name it */
    const char *module;              /* the module that evaluates it */
    enum subject_kind subject;       /* what each finding is about */
    const struct param_spec *params; /* terminated by {NULL} */
    rule_eval_fn evaluate;           /* NULL: the module does not exist yet (not_tracked) */
};

/* Lifecycle bits for where.lifecycle; organisation kind bits for where.kind. */
enum {
    LC_PLANNED = 1 << 0,
    LC_PRODUCTION = 1 << 1,
    LC_DECOMMISSIONING = 1 << 2,
    LC_RETIRED = 1 << 3,
};

struct obligation {
    const char *id, *cite, *section, *kind, *text;
    const char *responsible;      /* role id, subject keyword, or NULL */
    const char *responsible_text; /* as the policy words it, or NULL */
    const struct rule_kind *rule;
    json_t *params;      /* the object from the profile (borrowed) */
    unsigned lifecycles; /* LC_* bits the rule applies to */
    unsigned org_kinds;  /* bits of organisation kinds (index in ORG_KINDS), 0: all */
};

struct profile {
    int64_t id; /* in policy_profile; 0 when not loaded */
    const char *code, *version, *title;
    json_t *root; /* released with the arena the profile was parsed into */
    struct obligation *obligations;
    size_t n;
};

/* The registry: every rule kind of every module; NULL for an unknown name. */
const struct rule_kind *rule_kind_find(const char *name);

/* Parse and validate a profile (docs/policy-profiles.md) into p, with its strings in a.
 * origin names the file or profile in messages; msg names the obligation and the field. */
int profile_parse(const char *text, const char *origin, struct arena *a, struct profile *p,
                  char *msg, size_t msglen);

/* The organisation kinds in their bit order. */
extern const char *const ORG_KINDS[];

struct rule_ctx {
    struct db *db;
    const char *today; /* YYYY-MM-DD of the instant evaluated */
    const struct profile *profile;
    const struct obligation *ob;
    struct eval *ev; /* the evaluation in progress (engine-internal) */
};

/* The obligation's parameter name as a period (its fallback when absent). */
int rule_period(const struct rule_ctx *ctx, const char *name, struct period *out);
/* The obligation's parameter name as text (its fallback when absent; NULL when none). */
const char *rule_string(const struct rule_ctx *ctx, const char *name);

/* Prepare a rule's query and bind what every rule query may use: :profile_id, :org (the
 * organisation evaluated, or 0 for all), :today, and :lc_planned, :lc_production,
 * :lc_decommissioning, :lc_retired (1 when the obligation applies to that lifecycle). */
int rule_prepare(struct rule_ctx *ctx, const char *sql, struct db_stmt **out);

/* Add a finding for the current row of a rule query whose first seven columns are those of
 * the subject's RULE_*_COLUMNS. due is YYYY-MM-DD or NULL. */
int rule_emit(struct rule_ctx *ctx, struct db_stmt *st, enum finding_status status,
              const char *due);

/* rule_emit for a row about another kind of subject than the rule's own (a system rule's
 * accounts, an organisation where nothing failed): the finding's subject kind is kind. The
 * row's columns are laid out as for the rule's subject, so responsible resolves the same. */
int rule_emit_as(struct rule_ctx *ctx, struct db_stmt *st, enum subject_kind kind,
                 enum finding_status status, const char *due);

/* ok, due_soon (today + warn reaches due) or overdue (due before today). */
enum finding_status rule_status_by_due(const struct rule_ctx *ctx, const char *due,
                                       struct period warn);

/* For a query whose columns disabled_col and end_col are a person's disabled flag and
 * employment end: missing when they are disabled or have left, due_soon (due: their last
 * day) when they leave within warn, else ok. Emits the finding. */
int rule_emit_person_active(struct rule_ctx *ctx, struct db_stmt *st, int disabled_col, int end_col,
                            struct period warn);

/* The date (YYYY-MM-DD) a column's text begins with, into out; NULL when there is none. */
const char *rule_date_of(const char *s, char out[11]);

/* A whole "done at most max_age ago" rule: the date in sql's column col plus the obligation's
 * max_age is each row's due date (warn applies); a row without that date is missing. */
int rule_run_max_age(struct rule_ctx *ctx, const char *sql, int col);

/* A whole "is the owner still here" rule: sql's columns after the standard ones are the
 * owner's disabled flag and employment end; the obligation's warn parameter applies. */
int rule_run_person_active(struct rule_ctx *ctx, const char *sql);

/* The columns rule_emit reads, and the subjects a rule query ranges over: those of the
 * organisations that hold the profile, the organisation evaluated, and the lifecycles the
 * obligation applies to. Compose: "SELECT " RULE_SYSTEM_COLUMNS ", more" RULE_SYSTEM_FROM
 * " LEFT JOIN ..." RULE_SYSTEM_WHERE " AND ...". */
#define RULE_SYSTEM_COLUMNS                                                                        \
    "s.organisation_id, s.external_id, s.name, s.owner_id, po.user_id, s.administrator_id,"        \
    " pa.user_id"
#define RULE_SYSTEM_FROM                                                                           \
    " FROM system s JOIN person po ON po.id = s.owner_id"                                          \
    " LEFT JOIN person pa ON pa.id = s.administrator_id"
#define RULE_SYSTEM_WHERE                                                                          \
    " WHERE s.organisation_id IN"                                                                  \
    " (SELECT organisation_id FROM organisation_profile WHERE profile_id = :profile_id)"           \
    " AND (:org = 0 OR s.organisation_id = :org)"                                                  \
    " AND ((s.lifecycle = 'planned' AND :lc_planned = 1)"                                          \
    " OR (s.lifecycle = 'production' AND :lc_production = 1)"                                      \
    " OR (s.lifecycle = 'decommissioning' AND :lc_decommissioning = 1)"                            \
    " OR (s.lifecycle = 'retired' AND :lc_retired = 1))"

#define RULE_INFORMATION_COLUMNS                                                                   \
    "i.organisation_id, i.external_id, i.name, i.owner_id, po.user_id, NULL, NULL"
#define RULE_INFORMATION_FROM " FROM information i JOIN person po ON po.id = i.owner_id"
#define RULE_INFORMATION_WHERE                                                                     \
    " WHERE i.organisation_id IN"                                                                  \
    " (SELECT organisation_id FROM organisation_profile WHERE profile_id = :profile_id)"           \
    " AND (:org = 0 OR i.organisation_id = :org)"

/* A risk: its owner is the subject's person (responsible "risk_owner"). The reference is the
 * risk's id, as the API names it. */
#define RULE_RISK_COLUMNS                                                                          \
    "r.organisation_id, CAST(r.id AS TEXT), r.title, r.owner_id, po.user_id, NULL, NULL"
#define RULE_RISK_FROM " FROM risk r JOIN person po ON po.id = r.owner_id"
#define RULE_RISK_WHERE                                                                            \
    " WHERE r.organisation_id IN"                                                                  \
    " (SELECT organisation_id FROM organisation_profile WHERE profile_id = :profile_id)"           \
    " AND (:org = 0 OR r.organisation_id = :org)"

/* A measure, in its risk's organisation: the measure's owner ("measure_owner") in columns 3
 * and 4, the risk's owner ("risk_owner") in 5 and 6. */
#define RULE_RISK_MEASURE_COLUMNS                                                                  \
    "r.organisation_id, CAST(m.id AS TEXT), m.title, m.owner_id, pm.user_id, r.owner_id,"          \
    " po.user_id"
#define RULE_RISK_MEASURE_FROM                                                                     \
    " FROM risk_measure m JOIN risk r ON r.id = m.risk_id"                                         \
    " JOIN person pm ON pm.id = m.owner_id JOIN person po ON po.id = r.owner_id"
#define RULE_RISK_MEASURE_WHERE RULE_RISK_WHERE

/* An assessment: in columns 3 and 4 an invited information owner ("information_owner"; one who
 * has not taken part when there is one), in 5 and 6 an invited system owner ("system_owner").
 * io.absent counts the invited information owners who have not taken part. */
#define RULE_RISK_ASSESSMENT_COLUMNS                                                               \
    "a.organisation_id, CAST(a.id AS TEXT), a.title, io.person_id, pi.user_id, so.person_id,"      \
    " ps.user_id"
#define RULE_RISK_ASSESSMENT_FROM                                                                  \
    " FROM risk_assessment a LEFT JOIN (SELECT assessment_id,"                                     \
    " COALESCE(MIN(CASE WHEN participated_at IS NULL THEN person_id END), MIN(person_id))"         \
    " AS person_id, SUM(CASE WHEN participated_at IS NULL THEN 1 ELSE 0 END) AS absent"            \
    " FROM risk_participant WHERE capacity = 'information_owner' GROUP BY assessment_id) io"       \
    " ON io.assessment_id = a.id LEFT JOIN person pi ON pi.id = io.person_id"                      \
    " LEFT JOIN (SELECT assessment_id, MIN(person_id) AS person_id FROM risk_participant"          \
    " WHERE capacity = 'system_owner' GROUP BY assessment_id) so ON so.assessment_id = a.id"       \
    " LEFT JOIN person ps ON ps.id = so.person_id"
#define RULE_RISK_ASSESSMENT_WHERE                                                                 \
    " WHERE a.organisation_id IN"                                                                  \
    " (SELECT organisation_id FROM organisation_profile WHERE profile_id = :profile_id)"           \
    " AND (:org = 0 OR a.organisation_id = :org)"

/* The column of a rule query that names the subject's own person for the responsible keyword
 * (system_owner, information_owner, risk_owner, ...), or -1 when r is not one for subject. */
int rule_subject_person_col(enum subject_kind subject, const char *r);
/* The same for a rule kind: a few rules name a person of their own after the standard columns
 * (access_review_max_age: the information owner), else the subject's column; -1 for a role. */
int rule_person_col(const struct rule_kind *k, const char *r);

/* The first column a rule adds after the standard ones. */
#define RULE_COL 7

/* Each module's rule kinds, collected by the registry. */
extern const struct rule_kind *const engine_rule_kinds[];
extern const struct rule_kind *const catalog_rule_kinds[];
extern const struct rule_kind *const classification_rule_kinds[];
extern const struct rule_kind *const risk_rule_kinds[];
extern const struct rule_kind *const access_rule_kinds[];
extern const struct rule_kind *const planned_rule_kinds[];

#endif
