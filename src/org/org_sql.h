/* SQL of the org module (org_sql.c): rows in bounded buffers, reads limited to the reach. */
#ifndef VARN_ORG_SQL_H
#define VARN_ORG_SQL_H

#include "org/org.h"

#include <stdbool.h>
#include <stdint.h>

struct db;

struct org_row {
    int64_t id;                          /* 0 until stored */
    char code[ORG_CODE_MAX + 1];         /* unique, upper case */
    char name[ORG_NAME_BYTES];           /* name */
    char kind[16];                       /* one of the six kinds */
    int64_t parent_id;                   /* 0: none */
    char parent_code[ORG_CODE_MAX + 1];  /* "" when none */
    char org_number[ORG_NUMBER_LEN + 1]; /* NNNNNN-NNNN */
    bool mfa_required;                   /* two-step login required */
};

struct person_row {
    int64_t id;                              /* 0 until stored */
    char user_id[USER_ID_MAX + 1];           /* unique */
    char name[ORG_NAME_BYTES];               /* full name */
    char email[EMAIL_MAX + 1];               /* e-mail address */
    int64_t organisation_id;                 /* their organisation */
    char organisation[ORG_CODE_MAX + 1];     /* ... and its code */
    int64_t manager_id;                      /* 0: none */
    char manager_user_id[USER_ID_MAX + 1];   /* "" when none */
    char employment_start[ORG_DATE_LEN + 1]; /* "" when unknown */
    char employment_end[ORG_DATE_LEN + 1];   /* "" when unknown */
    bool privileged;                         /* holds privileged accounts */
    bool disabled;                           /* may not log in */
    char title[PERSON_TITLE_MAX * 4 + 1];    /* "" when none */
    char role_changed_at[32];                /* UTC ISO 8601; "" until a title, organisation
                                              * or manager changes (ITC-ATK-6) */
};

struct role_assignment_row {
    int64_t id;                          /* the assignment */
    int64_t person_id;                   /* who */
    char user_id[USER_ID_MAX + 1];       /* ... their user id */
    char person_name[ORG_NAME_BYTES];    /* ... and name */
    char role[32];                       /* role id */
    int64_t organisation_id;             /* where */
    char organisation[ORG_CODE_MAX + 1]; /* ... its code */
};

struct role_row {
    char id[32];                  /* "ciso" */
    char name_sv[ORG_NAME_BYTES]; /* Swedish name */
    char name_en[ORG_NAME_BYTES]; /* English name */
};

/* List filters, already checked; NULL means any. The *_after fields are the keyset cursor. */
struct org_sql_filter {
    const char *kind;         /* organisations */
    const char *parent;       /* organisations: parent code */
    const char *like;         /* a lower-case LIKE pattern with \ escapes */
    const char *organisation; /* people, role assignments: organisation code */
    const char *person;       /* role assignments: user id */
    const char *role;         /* role assignments: role id */
    const char *after;        /* organisations and people: the last code / user id seen */
    int64_t after_id;         /* role assignments: the last id seen (0: from the start) */
    int limit;                /* rows to return at most */
};

/* Called once per row of a list; a non-zero return stops the list with that result. */
typedef int (*org_sql_each_org)(void *ctx, const struct org_row *row);
typedef int (*org_sql_each_person)(void *ctx, const struct person_row *row);
typedef int (*org_sql_each_assignment)(void *ctx, const struct role_assignment_row *row);
typedef int (*org_sql_each_role)(void *ctx, const struct role_row *row);

/* Organisations. find: in reach by code, else ERR_NOTFOUND. by_id: any, for internal checks. */
int org_sql_org_find(struct db *db, const struct org_actor *who, const char *code,
                     struct org_row *out);
int org_sql_org_by_id(struct db *db, int64_t id, struct org_row *out);
int org_sql_org_list(struct db *db, const struct org_actor *who, const struct org_sql_filter *f,
                     org_sql_each_org each, void *ctx);
int org_sql_org_code_taken(struct db *db, const char *code, bool *taken);
/* The code of another organisation (not code) with this number, or "" in owner. */
int org_sql_org_number_owner(struct db *db, const char *org_number, const char *code,
                             char owner[ORG_CODE_MAX + 1]);
int org_sql_org_insert(struct db *db, struct org_row *r, const char *at);
int org_sql_org_update(struct db *db, const struct org_row *r, const char *at);
/* Is target the organisation from or one above it? */
int org_sql_org_reaches(struct db *db, int64_t from, int64_t target, bool *yes);
/* How many organisations of the municipal kinds sit directly under id. */
int org_sql_org_tree_children(struct db *db, int64_t id, int64_t *count);
/* Does the actor hold the administrator role over organisation org_id? */
int org_sql_admin_over(struct db *db, const struct org_actor *who, int64_t org_id, bool *yes);

/* People. */
int org_sql_person_find(struct db *db, const struct org_actor *who, const char *user_id,
                        struct person_row *out);
int org_sql_person_list(struct db *db, const struct org_actor *who, const struct org_sql_filter *f,
                        org_sql_each_person each, void *ctx);
int org_sql_person_taken(struct db *db, const char *user_id, bool *taken);
int org_sql_person_insert(struct db *db, struct person_row *r, const char *at);
int org_sql_person_update(struct db *db, const struct person_row *r, const char *at);
/* Is target the person from or one of their managers, up the chain? */
int org_sql_person_reaches(struct db *db, int64_t from, int64_t target, bool *yes);
/* Organisations where the person holds the administrator role (count). */
int org_sql_person_admin_roles(struct db *db, int64_t person_id, int64_t *count);

/* Role assignments and roles. */
int org_sql_assignment_find(struct db *db, const struct org_actor *who, int64_t id,
                            struct role_assignment_row *out);
int org_sql_assignment_list(struct db *db, const struct org_actor *who,
                            const struct org_sql_filter *f, org_sql_each_assignment each,
                            void *ctx);
int org_sql_assignment_exists(struct db *db, int64_t person_id, const char *role, int64_t org_id,
                              bool *exists);
int org_sql_assignment_insert(struct db *db, struct role_assignment_row *r, const char *at);
int org_sql_assignment_delete(struct db *db, int64_t id);
/* Administrator assignments of people who are not disabled. */
int org_sql_active_admins(struct db *db, int64_t *count);
int org_sql_role_list(struct db *db, org_sql_each_role each, void *ctx);

#endif
