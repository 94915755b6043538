/* Organisations, people and role assignments: the contracts the API and the import share. */
#ifndef VARN_ORG_ORG_H
#define VARN_ORG_ORG_H

#include "authz/authz.h"
#include "core/json_body.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct db;

#define ORG_CODE_MIN     2
#define ORG_CODE_MAX     20  /* characters (ASCII) of an organisation code */
#define ORG_NAME_MAX     200 /* characters of a name (organisation or person) */
#define ORG_NAME_BYTES   (ORG_NAME_MAX * 4 + 1)
#define ORG_NUMBER_LEN   11 /* NNNNNN-NNNN */
#define USER_ID_MAX      64
#define EMAIL_MAX        254
#define ORG_DATE_LEN     10 /* YYYY-MM-DD */
#define ORG_PAGE_DEFAULT 50
#define ORG_PAGE_MAX     500
#define ORG_FILTER_MAX   200 /* bytes of a filter value in a query string */
#define PERSON_TITLE_MAX 200 /* characters of a job title */

/* ---- field checks ----
 * Each returns 0, or ERR_INVALID with *why a sentence for people (static storage). */

/* 2-20 of A-Z 0-9 _ -; lower-case letters are accepted and upper-cased into out. */
int org_code_normalise(const char *in, char out[ORG_CODE_MAX + 1], const char **why);
/* A Swedish organisationsnummer, NNNNNN-NNNN or ten digits: third digit at least 2 (a
 * personnummer has a month there), Luhn check digit. out gets the dashed form. */
int org_number_normalise(const char *in, char out[ORG_NUMBER_LEN + 1], const char **why);
/* it_centre, municipality, company, foundation, supplier or external. */
int org_kind_check(const char *kind, const char **why);
/* 1-200 characters, one line, not only spaces: organisation and person names. */
int org_name_check(const char *name, const char **why);
/* 1-64 of ASCII letters, digits and . _ - @. */
int person_user_id_check(const char *user_id, const char **why);
/* At most 254 bytes, exactly one @ with something before it, a dot inside the domain, no
 * spaces or control characters. */
int person_email_check(const char *email, const char **why);
/* A real calendar date YYYY-MM-DD. */
int org_date_check(const char *date, const char **why);
/* true/false, ja/nej, in any case. */
int org_bool_parse(const char *s, bool *out, const char **why);

/* ---- who acts ---- */

struct org_actor {
    const struct caller *caller; /* the HTTP caller; NULL on the command line */
    unsigned roles;              /* the roles the route admits: the scope's :caller_roles */
    bool everything;             /* the command line: every organisation is in reach */
    const char *actor;           /* for the audit log: user_id, "token:<id>", "cli:<user>" */
    const char *address;         /* for the audit log: the client address, or NULL */
};

/* ---- what a write gives ---- */

enum org_field_bits {
    ORG_F_CODE = 1 << 0,
    ORG_F_NAME = 1 << 1,
    ORG_F_KIND = 1 << 2,
    ORG_F_PARENT = 1 << 3,
    ORG_F_NUMBER = 1 << 4,
    ORG_F_MFA = 1 << 5,
};

struct org_input {
    unsigned set;            /* ORG_F_* of the fields given */
    const char *code;        /* the key; only compared on update (it is immutable) */
    const char *name;        /* organisation name */
    const char *kind;        /* one of the six kinds */
    const char *parent_code; /* NULL: no parent (a root; the command line only) */
    const char *org_number;  /* organisationsnummer, with or without the dash */
    bool mfa_required;       /* people of this organisation must use two-step login */
};

enum person_field_bits {
    PERSON_F_USER_ID = 1 << 0,
    PERSON_F_NAME = 1 << 1,
    PERSON_F_EMAIL = 1 << 2,
    PERSON_F_ORG = 1 << 3,
    PERSON_F_MANAGER = 1 << 4,
    PERSON_F_START = 1 << 5,
    PERSON_F_END = 1 << 6,
    PERSON_F_PRIVILEGED = 1 << 7,
    PERSON_F_DISABLED = 1 << 8,
    PERSON_F_TITLE = 1 << 9,
};

struct person_input {
    unsigned set;                 /* PERSON_F_* of the fields given */
    const char *user_id;          /* the key; only compared on update (it is immutable) */
    const char *name;             /* full name */
    const char *email;            /* e-mail address */
    const char *organisation;     /* organisation code */
    const char *manager_user_id;  /* NULL: no manager */
    const char *employment_start; /* YYYY-MM-DD or NULL */
    const char *employment_end;   /* YYYY-MM-DD or NULL; not before the start */
    bool privileged;              /* holds privileged accounts */
    bool disabled;                /* may not log in; their roles give no access */
    const char *title;            /* job title; NULL or "": none */
};

enum org_mode {
    ORG_CREATE, /* a new object; an existing key is 409 duplicate */
    ORG_UPDATE, /* the object named by key, in reach; otherwise ERR_NOTFOUND */
    ORG_UPSERT, /* by the input's key: update it when it exists, else create it */
};

enum org_outcome {
    ORG_CREATED,
    ORG_UPDATED,
    ORG_UNCHANGED, /* every given value was already so: nothing written, nothing audited */
};

/* ---- writes ----
 * The *_save functions run inside the caller's transaction (the import puts a whole file in
 * one); the others open and commit their own. All of them check references against the
 * actor's reach: an organisation, manager or person outside it is refused exactly like one
 * that does not exist (422 naming the field). A value that is not changing is not checked
 * again, so that a client can send back what it read. Every change appends its audit entry
 * with the object before and after.
 *
 * Results: 0 with *out the object's representation (a new reference; out may be NULL) and
 * *outcome; ERR_NOTFOUND for an update of an object out of reach; ERR_REJECTED with p filled
 * (422 with a field, 409 "duplicate", 403 "forbidden_role"); or a database error. */
int org_save(struct db *db, const struct org_actor *who, enum org_mode mode, const char *key,
             const struct org_input *in, json_t **out, enum org_outcome *outcome,
             struct json_problem *p);
int person_save(struct db *db, const struct org_actor *who, enum org_mode mode, const char *key,
                const struct person_input *in, json_t **out, enum org_outcome *outcome,
                struct json_problem *p);

int org_create(struct db *db, const struct org_actor *who, const struct org_input *in, json_t **out,
               struct json_problem *p);
int org_update(struct db *db, const struct org_actor *who, const char *code,
               const struct org_input *in, json_t **out, struct json_problem *p);
int person_create(struct db *db, const struct org_actor *who, const struct person_input *in,
                  json_t **out, struct json_problem *p);
int person_update(struct db *db, const struct org_actor *who, const char *user_id,
                  const struct person_input *in, json_t **out, struct json_problem *p);
/* Give user_id the role in organisation. Only an administrator over that organisation may
 * give the administrator role (403 forbidden_role). */
int role_assignment_create(struct db *db, const struct org_actor *who, const char *user_id,
                           const char *role, const char *organisation, json_t **out,
                           struct json_problem *p);
/* Remove assignment id (ERR_NOTFOUND out of reach). Removing an administrator assignment
 * needs an administrator (403 forbidden_role), and the last one is kept (409
 * last_administrator). */
int role_assignment_delete(struct db *db, const struct org_actor *who, const char *id,
                           struct json_problem *p);

/* ---- reads ---- */

/* A list request's query string; NULL or "" means not given. */
struct org_list_query {
    const char *limit;        /* 1-500, default 50 */
    const char *cursor;       /* next_cursor of the previous page */
    const char *kind;         /* organisations: of this kind */
    const char *parent;       /* organisations: directly under this code */
    const char *q;            /* organisations, people: a piece of code/user id, name, e-mail */
    const char *organisation; /* people, role assignments: of this organisation code */
    const char *person;       /* role assignments: of this user id */
    const char *role;         /* role assignments: of this role id */
};

/* {"items": [...], "next_cursor": null or an opaque string}, in reach only, ordered by code,
 * user id and id. ERR_REJECTED with p for a bad limit, cursor, kind or role. */
int org_list(struct db *db, const struct org_actor *who, const struct org_list_query *q,
             json_t **out, struct json_problem *p);
int person_list(struct db *db, const struct org_actor *who, const struct org_list_query *q,
                json_t **out, struct json_problem *p);
int role_assignment_list(struct db *db, const struct org_actor *who, const struct org_list_query *q,
                         json_t **out, struct json_problem *p);
/* {"items": [{"id", "name_sv", "name_en"}], "next_cursor": null}: the twelve roles. */
int role_list(struct db *db, json_t **out);

/* One object in reach, or ERR_NOTFOUND (missing and out of reach alike). */
int org_get(struct db *db, const struct org_actor *who, const char *code, json_t **out);
int person_get(struct db *db, const struct org_actor *who, const char *user_id, json_t **out);

/* ---- import (org_import.c) ---- */

enum import_kind {
    IMPORT_ORGANISATIONS,
    IMPORT_PEOPLE,
};

#define IMPORT_MESSAGES_MAX 100

/* One kept problem taken apart, for callers that show it as a table (the HTTP import). */
struct import_problem {
    long line;    /* the line of the file */
    char *column; /* the column it is about, or NULL */
    char *reason; /* the reason, as in the message */
};

struct import_report {
    int rows;                            /* data rows read (blank rows are skipped) */
    int created;                         /* rows that made a new object */
    int updated;                         /* rows that changed an existing one */
    int errors;                          /* problems found, all of them */
    int nmessages;                       /* the first IMPORT_MESSAGES_MAX of them, in messages */
    char *messages[IMPORT_MESSAGES_MAX]; /* "FILE:LINE: column 'x': reason" */
    struct import_problem problems[IMPORT_MESSAGES_MAX]; /* the same messages taken apart */
};

/* Whose import: reach, roles and audit actor. The command line imports as everything; the
 * HTTP import as its caller, so that a row naming an organisation out of reach is refused
 * exactly like one naming an unknown organisation. dry_run checks and applies every row as
 * usual, then rolls the transaction back: the report tells what would have happened. */
struct import_options {
    const struct org_actor *who; /* NULL: the command line (everything in reach) */
    bool dry_run;                /* roll back instead of committing */
};

/* Import a CSV file (data[0..len), its name in file for messages) of organisations or people
 * in one transaction: every row is checked; when any is bad, nothing is applied and
 * ERR_INVALID returned with the problems in rep. Rows update existing objects by code or user
 * id and may refer to parents or managers later in the file. Each change is audited as actor. */
int org_import(struct db *db, enum import_kind kind, const char *actor, const char *file,
               const char *data, size_t len, struct import_report *rep);
/* org_import as opt->who (actor is then ignored), committing only without opt->dry_run. */
int org_import_with(struct db *db, enum import_kind kind, const struct import_options *opt,
                    const char *actor, const char *file, const char *data, size_t len,
                    struct import_report *rep);
void import_report_release(struct import_report *rep);
/* Count a problem of file's line (about column, or NULL) in rep and keep it while fewer than
 * IMPORT_MESSAGES_MAX are kept: "FILE:LINE: column 'x': reason", and taken apart. */
void import_report_vproblem(struct import_report *rep, const char *file, long line,
                            const char *column, const char *fmt, va_list ap)
    __attribute__((format(printf, 5, 0)));

#endif
