/* SQL of the region-scale demo catalog (demo_scale_sql.c): bulk inserts and set-based levels. */
#ifndef VARN_DEMO_SCALE_SQL_H
#define VARN_DEMO_SCALE_SQL_H

#include <stdbool.h>
#include <stdint.h>

struct db;

struct demo_system_row {
    const char *external_id, *name, *description, *lifecycle, *hosting, *hosting_country;
    const char *last_significant_change;            /* NULL: none */
    int64_t organisation_id, owner_id, supplier_id; /* supplier 0: none */
    bool internet_facing, sso, mfa_enforced;
};

struct demo_component_row {
    int64_t system_id;
    const char *kind, *name, *vendor, *product, *version, *cpe; /* NULL: none */
    int64_t licence_count, licences_in_use, licence_cost;       /* < 0: none */
    const char *licence_expiry, *end_of_support;                /* NULL: none */
};

struct demo_info_row {
    const char *external_id, *name, *description, *personal_data, *review_due;
    int64_t organisation_id, owner_id;
    int k, r, t;
};

/* Does a system with this external id exist? */
int demo_sql_system_exists(struct db *db, const char *external_id, bool *yes);
int demo_sql_system_insert(struct db *db, const struct demo_system_row *s, const char *at,
                           int64_t *id);
int demo_sql_component_insert(struct db *db, const struct demo_component_row *c, const char *at);
int demo_sql_info_insert(struct db *db, const struct demo_info_row *i, const char *by,
                         const char *at, int64_t *id);
/* The link; an existing one is left as it is. */
int demo_sql_link_insert(struct db *db, int64_t system_id, int64_t info_id);
/* Every system's K, R, T (the highest of its information's, or a raise above that), personal
 * data and highest level, set-based: one UPDATE per aspect over all systems. */
int demo_sql_levels_recompute(struct db *db);

#endif
