/* varn demo: fill a new database with the fictional demo region and say how to log in. */
#include "cli/cli.h"
#include "core/err.h"
#include "db/db.h"
#include "db/migrate.h"
#include "demo/demo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PER_ROLE 2 /* users listed per role in the how-to-log-in block */

static const char *const ROLES[] = {
    "administrator",     "ciso",    "security_officer",       "system_owner",
    "information_owner", "manager", "head_of_administration", "dpo",
    "committee_member",  "user",    "supplier_contact",       "external_party",
};

static bool holds(const struct demo_person *p, const char *role)
{
    for (int i = 0; i < DEMO_ROLES_MAX && p->roles[i]; i++)
        if (strcmp(p->roles[i], role) == 0)
            return true;
    return false;
}

static void print_logins(const struct demo_result *res)
{
    size_t n;
    const struct demo_person *people = demo_people(&n);
    printf("\n"
           "Logga in / How to log in\n"
           "  Öppna Värn i webbläsaren och logga in med ett användar-id nedan.\n"
           "  Open Värn in a browser and log in with a user id below.\n");
    if (res->password[0])
        printf("  Lösenord för alla demoanvändare / password of every demo user: %s\n"
               "  (visas bara nu / shown only now)\n",
               res->password);
    else
        printf("  Lösenord / password: the one in VARN_DEMO_PASSWORD, for every demo user\n");
    printf("  Vid första inloggningen ställer du in tvåstegsverifiering.\n"
           "  At the first login, set up two-step verification.\n"
           "\n"
           "  roll / role              användar-id / user   organisation\n");
    for (size_t r = 0; r < sizeof(ROLES) / sizeof(ROLES[0]); r++) {
        int shown = 0;
        for (size_t i = 0; i < n && shown < PER_ROLE; i++) {
            if (!holds(&people[i], ROLES[r]))
                continue;
            printf("  %-24s %-20s %s\n", ROLES[r], people[i].user_id, people[i].organisation);
            shown++;
        }
    }
}

int cmd_demo(int argc, char **argv, struct app *app)
{
    if (argc > 1)
        return cli_usage_error("demo", "unexpected argument '%s'", argv[1]);
    char msg[512] = "";
    struct db *db;
    struct demo_result res;
    const char *password = getenv("VARN_DEMO_PASSWORD");
    int rc = db_open(app->db_url, 0, &db, msg, sizeof(msg));
    if (rc)
        return cli_fail("%s", msg);
    rc = migrate_check_current(db, varn_migrations, varn_migrations_count, app->db_url, msg,
                               sizeof(msg));
    if (!rc)
        rc = demo_load(db, password && *password ? password : NULL, &res, msg, sizeof(msg));
    db_close(db);
    if (rc)
        return cli_fail("%s", msg);
    if (res.already) {
        printf("The demo region is already in %s: nothing done.\n", app->db_url);
        return CLI_OK;
    }
    printf("Created the demo region in %s: %d organisations, %d people, %d role assignments.\n"
           "Skapade demoregionen: IT-centrum (ITC) med Norrby, Söderås och Västerfjäll kommun,\n"
           "Norrby Energi AB, leverantören Nordsys AB och revisionsbyrån Kvist & Partners.\n",
           app->db_url, res.organisations, res.people, res.roles);
    print_logins(&res);
    return CLI_OK;
}
