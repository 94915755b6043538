/* varn demo: a fictional region (an IT centre, three municipalities, a municipal company, a
 * supplier and an external party) with people holding every role, to try Värn with. */
#ifndef VARN_DEMO_DEMO_H
#define VARN_DEMO_DEMO_H

#include <stdbool.h>
#include <stddef.h>

struct db;

#define DEMO_ROLES_MAX 3

/* One fictional person of the demo region. */
struct demo_person {
    const char *user_id;               /* also the login name */
    const char *name;                  /* Swedish, fictional */
    const char *email;                 /* @<organisation>.example */
    const char *organisation;          /* the code of the organisation they work for */
    const char *manager;               /* the user id of their manager, or NULL */
    const char *employment_start;      /* YYYY-MM-DD */
    int employment_end;                /* 0: none; < 0: that many days ago; > 0: from now */
    bool privileged;                   /* holds privileged (administrative) access */
    const char *roles[DEMO_ROLES_MAX]; /* role ids, in their organisation; NULL-terminated */
};

/* The demo people, in the order they are created (managers before their staff). */
const struct demo_person *demo_people(size_t *n);

struct demo_result {
    bool already;                  /* the demo region was there already: nothing was done */
    int organisations;             /* organisations created */
    int people;                    /* people created */
    int roles;                     /* role assignments created */
    int systems, accounts, grants; /* access control data (demo_access.c) */
    char password[32];             /* the generated password, or "" when one was given */
};

/* Create the demo region in one transaction, recorded in the audit log as "cli:demo". Every
 * person gets a login with password (or, when NULL, a generated one copied to
 * out->password). Needs the IT centre ITC that 'varn init' creates. Does nothing (and sets
 * out->already) when every demo organisation exists; ERR_CONFLICT when only some do. msg
 * gets a sentence on failure. */
int demo_load(struct db *db, const char *password, struct demo_result *out, char *msg,
              size_t msglen);

/* The catalog and classification at region scale (product.md §7). */
#define DEMO_SCALE_SYSTEMS     2000
#define DEMO_SCALE_INFORMATION 4000

struct demo_scale_result {
    bool already;    /* the region-scale catalog was there already: nothing was done */
    int systems;     /* systems created */
    int components;  /* components created (one to three per system) */
    int information; /* information assets created */
    int links;       /* system-information links created (one to three per asset) */
    int risk_assessments, risks, risk_measures; /* risk management (src/risk/risk_demo.c) */
    int people, accounts, entitlements, grants; /* the staff and their access (demo_access.c) */
};

/* Add DEMO_SCALE_SYSTEMS systems with components and DEMO_SCALE_INFORMATION classified
 * information assets, each processed by one to three systems, to the demo region, owned by the
 * demo people holding system_owner and information_owner; then set every system's levels from
 * its information. One transaction, recorded in the audit log as one "demo.scale" entry by
 * "cli:demo" with the counts. The data is generated deterministically (the same on every
 * database). Needs the demo region (ERR_NOTFOUND with msg otherwise); does nothing (and sets
 * out->already) when its first system exists. */
int demo_scale_region(struct db *db, struct demo_scale_result *out, char *msg, size_t msglen);

#endif
