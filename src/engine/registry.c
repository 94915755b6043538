/* The rule registry: every module's rule kinds in one list, and the rules whose module Värn
 * does not have yet, known by name and parameters so that profiles can name them. */
#include "engine/rule.h"

#include <string.h>

static const struct param_spec MAX_AGE[] = {
    {"max_age", PARAM_PERIOD, true, NULL}, {"warn", PARAM_PERIOD, false, "P30D"}, {NULL}};
static const struct param_spec INTERVAL[] = {
    {"interval", PARAM_PERIOD, true, NULL}, {"warn", PARAM_PERIOD, false, "P30D"}, {NULL}};
static const struct param_spec DEADLINE[] = {
    {"deadline", PARAM_PERIOD, true, NULL}, {"warn", PARAM_PERIOD, false, "P30D"}, {NULL}};
static const struct param_spec DEADLINE_ONLY[] = {{"deadline", PARAM_PERIOD, true, NULL}, {NULL}};
static const struct param_spec NONE[] = {{NULL}};

#define PLANNED(n, m, s, p) static const struct rule_kind n = {#n, m, s, p, NULL}
PLANNED(incident_reporting, "incident", SUBJECT_ORGANISATION, DEADLINE_ONLY);
PLANNED(incident_escalation, "incident", SUBJECT_ORGANISATION, NONE);
PLANNED(restore_test_max_age, "continuity", SUBJECT_SYSTEM, MAX_AGE);
PLANNED(patch_deadline, "vulnerability", SUBJECT_ORGANISATION, DEADLINE);
PLANNED(training_completion, "training", SUBJECT_ORGANISATION, INTERVAL);
PLANNED(compliance_review, "compliance", SUBJECT_ORGANISATION, INTERVAL);
PLANNED(policy_revision, "documents", SUBJECT_ORGANISATION, INTERVAL);

/* Rules of modules not built yet: each yields not_tracked until its module replaces the entry
 * here with one that has an evaluator. */
const struct rule_kind *const planned_rule_kinds[] = {
    &incident_reporting,  &incident_escalation, &restore_test_max_age, &patch_deadline,
    &training_completion, &compliance_review,   &policy_revision,      NULL,
};

static const struct rule_kind *const *const MODULES[] = {
    engine_rule_kinds, catalog_rule_kinds, classification_rule_kinds,
    risk_rule_kinds,   access_rule_kinds,  planned_rule_kinds,
};
#define NMODULES (sizeof(MODULES) / sizeof(MODULES[0]))

const struct rule_kind *rule_kind_find(const char *name)
{
    for (size_t m = 0; name && m < NMODULES; m++)
        for (size_t i = 0; MODULES[m][i]; i++)
            if (strcmp(MODULES[m][i]->name, name) == 0)
                return MODULES[m][i];
    return NULL;
}

int rule_subject_person_col(enum subject_kind subject, const char *r)
{
    static const struct {
        enum subject_kind subject;
        const char *keyword;
        int col;
    } KEYWORDS[] = {
        {SUBJECT_SYSTEM, "system_owner", 3},
        {SUBJECT_SYSTEM, "system_administrator", 5},
        {SUBJECT_INFORMATION, "information_owner", 3},
        {SUBJECT_RISK, "risk_owner", 3},
        {SUBJECT_RISK_MEASURE, "measure_owner", 3},
        {SUBJECT_RISK_MEASURE, "risk_owner", 5},
        {SUBJECT_RISK_ASSESSMENT, "information_owner", 3},
        {SUBJECT_RISK_ASSESSMENT, "system_owner", 5},
        /* access control (src/access/access_rules.c lays the columns out) */
        {SUBJECT_ACCOUNT, "system_owner", 3},
        {SUBJECT_ACCOUNT, "system_administrator", 5},
        {SUBJECT_PERSON, "manager", 3},
        {SUBJECT_GRANT, "information_owner", 3},
        {SUBJECT_GRANT, "manager", 5},
    };
    for (size_t i = 0; r && i < sizeof(KEYWORDS) / sizeof(KEYWORDS[0]); i++)
        if (KEYWORDS[i].subject == subject && strcmp(KEYWORDS[i].keyword, r) == 0)
            return KEYWORDS[i].col;
    return -1;
}

int rule_person_col(const struct rule_kind *k, const char *r)
{
    /* access_review_max_age is about a system, but the information owners review its grants */
    if (k && r && strcmp(k->name, "access_review_max_age") == 0 &&
        strcmp(r, "information_owner") == 0)
        return RULE_COL;
    return k ? rule_subject_person_col(k->subject, r) : -1;
}

const char *subject_kind_name(enum subject_kind k)
{
    switch (k) {
    case SUBJECT_ORGANISATION:
        return "organisation";
    case SUBJECT_SYSTEM:
        return "system";
    case SUBJECT_INFORMATION:
        return "information";
    case SUBJECT_RISK:
        return "risk";
    case SUBJECT_RISK_MEASURE:
        return "risk_measure";
    case SUBJECT_RISK_ASSESSMENT:
        return "risk_assessment";
    case SUBJECT_ACCOUNT:
        return "account";
    case SUBJECT_PERSON:
        return "person";
    case SUBJECT_GRANT:
        return "grant";
    case SUBJECT_NONE:
        break;
    }
    return "none";
}
