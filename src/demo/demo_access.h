/* The demo's access control data (demo_access.c): a small, hand-made set in which every access
 * finding shows, for varn demo, and the region's 30 000 staff with their accounts and grants
 * for varn demo --scale region. */
#ifndef VARN_DEMO_ACCESS_H
#define VARN_DEMO_ACCESS_H

#include <stddef.h>
#include <stdint.h>

struct db;

struct demo_access_counts {
    int systems, information, accounts, entitlements, grants, requests, reviews, tasks;
};

/* Six systems of the demo region with their classified information, accounts, entitlements,
 * grants, access requests, two completed review campaigns and tasks, and the demo people's
 * titles. Inside the caller's transaction, after the demo people; writes one audit entry
 * "demo.access" with the counts. at is the creation time. */
int demo_access_load(struct db *db, const char *at, struct demo_access_counts *out, char *msg,
                     size_t msglen);

/* The region's staff (product.md §7): DEMO_SCALE_PEOPLE people without logins or roles,
 * their accounts on the region-scale systems and DEMO_SCALE_GRANTS grants. systems[i]
 * belongs to orgs[i % norgs]; orgs[0] is the IT centre, whose systems also serve the other
 * organisations. Inside the caller's transaction; the caller audits the counts. */
#define DEMO_SCALE_PEOPLE 30000
#define DEMO_SCALE_GRANTS 500000

struct demo_access_scale_counts {
    int people, accounts, entitlements, grants;
};

int demo_access_scale(struct db *db, const int64_t *systems, int nsystems, const int64_t *orgs,
                      int norgs, const char *at, struct demo_access_scale_counts *out, char *msg,
                      size_t msglen);

#endif
