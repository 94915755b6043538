/* varn restore FILE: verify a backup, then replace the live database with it atomically. */
#include "cli/cli.h"
#include "core/err.h"
#include "db/db.h"
#include "db/migrate.h"

#include <stdio.h>

int cmd_restore(int argc, char **argv, struct app *app)
{
    if (argc != 2 || argv[1][0] == '-')
        return cli_usage_error(
            "restore", argc < 2 ? "name the backup FILE to restore" : "expected one FILE, got '%s'",
            argc < 2 ? "" : argv[argc - 1]);
    char msg[512] = "";
    int64_t schema = 0;
    int64_t latest = varn_migrations_count ? varn_migrations[varn_migrations_count - 1].version : 0;
    int rc = db_restore(app->db_url, argv[1], latest, &schema, msg, sizeof(msg));
    if (rc)
        return cli_fail("restore refused, %s is unchanged: %s", app->db_url,
                        msg[0] ? msg : err_str(rc));
    printf("Restored %s from %s (schema version %lld).\n", app->db_url, argv[1], (long long)schema);
    if (schema < latest)
        printf("The backup is from an older version: run 'varn init --db %s' to migrate it.\n",
               app->db_url);
    return CLI_OK;
}
