/* varn demo: fill a new database with the fictional demo region and say how to log in. */
#include "cli/cli.h"
#include "core/err.h"
#include "db/db.h"
#include "db/migrate.h"
#include "demo/demo.h"
#include "engine/engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

/* --scale region (or --scale=region): true; no argument: false; else a usage error. */
static int parse_scale(int argc, char **argv, bool *region)
{
    *region = false;
    if (argc == 1)
        return 0;
    if (argc == 2 && strcmp(argv[1], "--scale=region") == 0) {
        *region = true;
        return 0;
    }
    if (argc == 3 && strcmp(argv[1], "--scale") == 0 && strcmp(argv[2], "region") == 0) {
        *region = true;
        return 0;
    }
    if (strncmp(argv[1], "--scale", 7) == 0)
        return cli_usage_error("demo", "the only scale is region: varn demo --scale region");
    return cli_usage_error("demo", "unexpected argument '%s'", argv[1]);
}

static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int add_scale(struct db *db, const char *url)
{
    struct demo_scale_result res;
    char msg[512] = "";
    double start = seconds_now();
    int rc = demo_scale_region(db, &res, msg, sizeof(msg));
    double took = seconds_now() - start;
    if (rc)
        return cli_fail("%s", msg);
    if (res.already) {
        printf("The region-scale catalog is already in %s: nothing done.\n", url);
        return CLI_OK;
    }
    printf("Added the region-scale catalog to %s in %.2f s: %d systems, %d components, %d "
           "information assets, %d links; levels recomputed; %d risk assessments, %d risks, %d "
           "measures; %d people with %d accounts and %d grants.\n"
           "Lade till regionens katalog och klassning.\n",
           url, took, res.systems, res.components, res.information, res.links, res.risk_assessments,
           res.risks, res.risk_measures, res.people, res.accounts, res.grants);
    return CLI_OK;
}

/* The IT centre and its members under the IT-centrum profile, Östersund under its own. */
static int assign_profiles(struct db *db, char *msg, size_t msglen)
{
    static const char *const ASSIGN[][2] = {
        {"ITC", "itcentrum"},         {"NORRBY", "itcentrum"},       {"SODERAS", "itcentrum"},
        {"VASTERFJALL", "itcentrum"}, {"NORRBYENERGI", "itcentrum"}, {"OSTERSUND", "ostersund"},
    };
    bool added;
    int rc = engine_sync_builtin(db, msg, msglen);
    for (size_t i = 0; !rc && i < sizeof(ASSIGN) / sizeof(ASSIGN[0]); i++)
        rc = engine_profile_assign(db, ASSIGN[i][0], ASSIGN[i][1], "cli:demo", &added, msg, msglen);
    return rc;
}

int cmd_demo(int argc, char **argv, struct app *app)
{
    bool region;
    int rc = parse_scale(argc, argv, &region);
    if (rc)
        return rc;
    char msg[512] = "";
    struct db *db;
    struct demo_result res;
    const char *password = getenv("VARN_DEMO_PASSWORD");
    rc = db_open(app->db_url, DB_OPEN_BULK, &db, msg, sizeof(msg));
    if (rc)
        return cli_fail("%s", msg);
    rc = migrate_check_current(db, varn_migrations, varn_migrations_count, app->db_url, msg,
                               sizeof(msg));
    if (!rc)
        rc = demo_load(db, password && *password ? password : NULL, &res, msg, sizeof(msg));
    if (!rc)
        rc = assign_profiles(db, msg, sizeof(msg));
    if (rc) {
        db_close(db);
        return cli_fail("%s", msg);
    }
    if (res.already) {
        printf("The demo region is already in %s: nothing done.\n", app->db_url);
    } else {
        printf("Created the demo region in %s: %d organisations, %d people, %d role "
               "assignments; %d systems with %d accounts and %d grants.\n"
               "Skapade demoregionen: IT-centrum (ITC) med Norrby, Söderås och Västerfjäll "
               "kommun,\n"
               "Norrby Energi AB, leverantören Nordsys AB och revisionsbyrån Kvist & Partners\n"
               "under IT-centrums säkerhetspolicy, och Östersunds kommun under sin egen.\n",
               app->db_url, res.organisations, res.people, res.roles, res.systems, res.accounts,
               res.grants);
        print_logins(&res);
    }
    rc = region ? add_scale(db, app->db_url) : CLI_OK;
    db_close(db);
    return rc;
}
