/* SQL of the offboarding list (offboarding_sql.c). */
#ifndef VARN_ACCESS_OFFBOARDING_SQL_H
#define VARN_ACCESS_OFFBOARDING_SQL_H

#include "org/org.h"

#include <jansson.h>
#include <stdint.h>

struct db;

struct offboarding_filter {
    const char *cutoff;       /* employment_end on or before it */
    const char *organisation; /* code; NULL: any */
    int64_t manager;          /* person; 0: any */
    int64_t administrator;    /* person administering the systems; 0: any */
};
/* One row per active grant of a person in reach whose end date is on or before the cutoff or
 * whose role changed after the grant's last review (else its grant date), by end date, person,
 * system: {user_id, name, organisation, manager, manager_name, employment_end,
 * role_changed_at, ?role_change, #grant, system, system_name, account, entitlement,
 * administrator, last_login} plus hidden _person_id, _organisation_id. */
int offboarding_sql_rows(struct db *db, const struct org_actor *who,
                         const struct offboarding_filter *f, json_t *rows);
/* {_organisation_id, body} of every organisation's assigned policy profiles. */
int offboarding_sql_profiles(struct db *db, json_t *rows);

#endif
