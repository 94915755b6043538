/* varn backup FILE: a consistent online copy of the database. */
#include "cli/cli.h"
#include "core/err.h"
#include "db/db.h"

#include <stdio.h>

int cmd_backup(int argc, char **argv, struct app *app)
{
    if (argc != 2 || argv[1][0] == '-')
        return cli_usage_error("backup",
                               argc < 2 ? "name the FILE to write" : "expected one FILE, got '%s'",
                               argc < 2 ? "" : argv[argc - 1]);
    char msg[512] = "";
    int rc = db_backup(app->db_url, argv[1], msg, sizeof(msg));
    if (rc)
        return cli_fail("backup failed: %s", msg[0] ? msg : err_str(rc));
    printf("Backed up %s to %s.\n", app->db_url, argv[1]);
    return CLI_OK;
}
