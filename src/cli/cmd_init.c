/* varn init: create the database or apply its pending migrations. */
#include "cli/cli.h"
#include "catalog/catalog.h"
#include "classification/classification.h"
#include "auth/auth.h"
#include "core/clock.h"
#include "core/str.h"
#include "db/db.h"
#include "db/migrate.h"
#include "engine/engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int cmd_init(int argc, char **argv, struct app *app)
{
    if (argc > 1)
        return cli_usage_error("init", "unexpected argument '%s'", argv[1]);
    char msg[512];
    char now[CLOCK_ISO_LEN];
    struct db *db;
    struct migrate_state before;
    bool existed = access(app->db_url, F_OK) == 0;
    int rc = db_open(app->db_url, DB_OPEN_CREATE, &db, msg, sizeof(msg));
    if (rc)
        return cli_fail("%s", msg);
    int applied = 0;
    clock_format(clock_now(), now);
    bool created_admin = false;
    char generated[32];
    const char *email = getenv("VARN_ADMIN_EMAIL");
    rc = migrate_state(db, varn_migrations, varn_migrations_count, &before);
    if (!rc)
        rc = migrate_apply(db, varn_migrations, varn_migrations_count, now, &applied, msg,
                           sizeof(msg));
    /* Systems and assets stored before their list items were (or by hand) get theirs now. */
    int rendered = 0, rendered_info = 0;
    if (!rc) {
        rc = db_begin(db);
        if (!rc)
            rc = system_items_render(db, true, &rendered);
        if (!rc)
            rc = information_items_render(db, true, &rendered_info);
        if (!rc)
            rc = db_commit(db);
        if (rc) {
            str_format(msg, sizeof(msg), "cannot render the lists' stored items: %s",
                       db_errmsg(db));
            db_rollback(db);
        }
    }
    if (!rc)
        rc = auth_bootstrap(db, email && *email ? email : "admin@localhost",
                            getenv("VARN_ADMIN_PASSWORD"), &created_admin, generated, msg,
                            sizeof(msg));
    /* The built-in policy profiles, kept at this binary's versions; a new IT centre starts
     * under the IT-centrum profile. */
    bool assigned = false;
    if (!rc)
        rc = engine_sync_builtin(db, msg, sizeof(msg));
    if (!rc && created_admin)
        rc = engine_profile_assign(db, "ITC", "itcentrum", "cli:init", &assigned, msg, sizeof(msg));
    db_close(db);
    if (rc)
        return cli_fail("%s", msg);
    int64_t latest = before.latest;
    if (!existed || before.current == 0)
        printf("Created %s (schema version %lld).\n", app->db_url, (long long)latest);
    else if (applied)
        printf("Migrated %s from schema version %lld to %lld (%d migration(s)).\n", app->db_url,
               (long long)before.current, (long long)latest, applied);
    else
        printf("%s is up to date (schema version %lld).\n", app->db_url, (long long)latest);
    if (rendered || rendered_info)
        printf("Rendered the list items of %d system(s) and %d information asset(s).\n", rendered,
               rendered_info);
    if (created_admin) {
        printf(
            "Created the organisation ITC (IT-centrum) and its administrator: user id 'admin'.\n");
        if (generated[0])
            printf("The administrator's password, shown only now: %s\n", generated);
        printf("At the first login, set up two-step verification with an authenticator app.\n");
    }
    return CLI_OK;
}
