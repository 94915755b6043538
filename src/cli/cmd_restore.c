/* varn restore FILE: verify a backup (file, schema, audit chain), then replace the live
 * database with it atomically. */
#include "cli/cli.h"
#include "audit/audit.h"
#include "core/err.h"
#include "core/str.h"
#include "db/db.h"
#include "db/migrate.h"

#include <stdio.h>

/* integrity_check cannot see edited rows; the audit chain can. A backup from before the audit
 * log existed has nothing to check. */
static int check_audit_chain(const char *file, char *msg, size_t len)
{
    struct db *db;
    struct audit_verify_result res;
    bool has_log = false;
    int rc = db_open(file, DB_OPEN_READONLY, &db, msg, len);
    if (rc)
        return rc;
    rc = db_table_exists(db, "audit_log", &has_log);
    if (!rc && has_log) {
        rc = audit_verify(db, NULL, &res);
        if (rc == ERR_INVALID)
            str_format(msg, len, "the backup's audit log is broken: %s", res.problem);
        else if (rc)
            str_format(msg, len, "cannot read the backup's audit log: %s", db_errmsg(db));
    }
    db_close(db);
    return rc;
}

int cmd_restore(int argc, char **argv, struct app *app)
{
    if (argc != 2 || argv[1][0] == '-')
        return cli_usage_error(
            "restore", argc < 2 ? "name the backup FILE to restore" : "expected one FILE, got '%s'",
            argc < 2 ? "" : argv[argc - 1]);
    char msg[512] = "";
    int64_t schema = 0;
    int64_t latest = varn_migrations_count ? varn_migrations[varn_migrations_count - 1].version : 0;
    /* The file first (a Värn database, sound, not newer), then its audit chain, then the copy,
     * which checks the file once more as it reads it. */
    int rc = db_verify_file(argv[1], latest, &schema, msg, sizeof(msg));
    if (!rc)
        rc = check_audit_chain(argv[1], msg, sizeof(msg));
    if (!rc)
        rc = db_restore(app->db_url, argv[1], latest, &schema, msg, sizeof(msg));
    if (rc)
        return cli_fail("restore refused, %s is unchanged: %s", app->db_url,
                        msg[0] ? msg : err_str(rc));
    printf("Restored %s from %s (schema version %lld).\n", app->db_url, argv[1], (long long)schema);
    if (schema < latest)
        printf("The backup is from an older version: run 'varn init --db %s' to migrate it.\n",
               app->db_url);
    return CLI_OK;
}
