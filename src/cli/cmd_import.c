/* varn import KIND FILE: organisations, people, systems, components, information, risks,
 * accounts, grants or an SBOM. */
#include "cli/cli.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/str.h"
#include "db/db.h"
#include "db/migrate.h"
#include "org/org.h"
#include "catalog/catalog.h"
#include "risk/risk.h"
#include "access/access.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define IMPORT_FILE_MAX (256 * 1024 * 1024) /* a nation's people fit with room to spare */

/* The whole file into b (bounded); 0, or a sentence in msg. */
static int read_file(const char *path, struct buf *b, char *msg, size_t msglen)
{
    int rc = buf_read_file(b, path);
    if (rc == ERR_TOOBIG)
        str_format(msg, msglen, "'%s' is larger than %d MiB", path, IMPORT_FILE_MAX >> 20);
    else if (rc)
        str_format(msg, msglen, "cannot read '%s': %s", path, strerror(errno));
    return rc;
}

int cmd_import(int argc, char **argv, struct app *app)
{
    static const char kinds_list[] =
        "organisations, people, systems, components, information, risks, accounts, grants or sbom";
    if (argc < 2)
        return cli_usage_error("import", "say what to import: %s", kinds_list);
    enum import_kind kind = IMPORT_ORGANISATIONS;
    const char *catalog_kind = NULL, *system = NULL;
    bool risks = strcmp(argv[1], "risks") == 0;
    /* Access control (src/access): a snapshot of accounts or grants, --system optional. */
    bool accounts = strcmp(argv[1], "accounts") == 0, grants = strcmp(argv[1], "grants") == 0;
    if (strcmp(argv[1], "organisations") == 0)
        kind = IMPORT_ORGANISATIONS;
    else if (strcmp(argv[1], "people") == 0)
        kind = IMPORT_PEOPLE;
    else if (risks || accounts || grants)
        catalog_kind = NULL;
    else if (strcmp(argv[1], "systems") == 0 || strcmp(argv[1], "components") == 0 ||
             strcmp(argv[1], "information") == 0 || strcmp(argv[1], "sbom") == 0)
        catalog_kind = argv[1];
    else
        return cli_usage_error("import", "'%s' cannot be imported; use %s", argv[1], kinds_list);
    if ((catalog_kind && strcmp(catalog_kind, "sbom") == 0) || accounts || grants) {
        for (int i = 2; i + 1 < argc; i++)
            if (strcmp(argv[i], "--system") == 0) {
                system = argv[i + 1];
                for (int j = i; j + 2 <= argc; j++)
                    argv[j] = argv[j + 2];
                argc -= 2;
                break;
            }
        if (!system && !accounts && !grants)
            return cli_usage_error("import", "an SBOM needs --system EXTERNAL_ID");
    }
    if (argc < 3)
        return cli_usage_error("import", "FILE is missing: the file to import");
    if (argc > 3)
        return cli_usage_error("import", "unexpected argument '%s'", argv[3]);
    const char *file = argv[2];

    char msg[512] = "", actor[80];
    const struct passwd *pw = getpwuid(getuid());
    if (str_format(actor, sizeof(actor), "cli:%s", pw ? pw->pw_name : "unknown") != 0)
        str_copy(actor, sizeof(actor), "cli:unknown");
    struct buf data;
    buf_init(&data, IMPORT_FILE_MAX);
    struct db *db = NULL;
    struct import_report rep = {0};
    struct access_changes changes = {0};
    int rc = read_file(file, &data, msg, sizeof(msg));
    if (!rc)
        rc = db_open(app->db_url, DB_OPEN_BULK, &db, msg, sizeof(msg));
    if (!rc)
        rc = migrate_check_current(db, varn_migrations, varn_migrations_count, app->db_url, msg,
                                   sizeof(msg));
    if (!rc && (accounts || grants))
        rc = access_import(db, accounts ? ACCESS_IMPORT_ACCOUNTS : ACCESS_IMPORT_GRANTS, NULL,
                           actor, system, file, buf_str(&data), data.len, &rep, &changes);
    else if (!rc && risks)
        rc = risk_import(db, NULL, actor, file, buf_str(&data), data.len, &rep);
    else if (!rc && catalog_kind)
        rc = catalog_import(db, catalog_kind, system, actor, file, buf_str(&data), data.len, &rep);
    else if (!rc)
        rc = org_import(db, kind, actor, file, buf_str(&data), data.len, &rep);
    if (rc == ERR_INVALID && rep.errors) {
        for (int i = 0; i < rep.nmessages; i++)
            fprintf(stderr, "%s\n", rep.messages[i]);
        if (rep.errors > rep.nmessages)
            fprintf(stderr, "and %d more\n", rep.errors - rep.nmessages);
        str_format(msg, sizeof(msg), "nothing was imported: %d problem%s in '%s'", rep.errors,
                   rep.errors == 1 ? "" : "s", file);
    } else if (rc && !msg[0]) {
        str_format(msg, sizeof(msg), "the import failed: %s", db ? db_errmsg(db) : err_str(rc));
    }
    if (!rc && (accounts || grants))
        printf("Imported %d rows: accounts %ld new, %ld removed, %ld changed; grants %ld new, %ld "
               "revoked\n",
               rep.rows, changes.accounts_new, changes.accounts_removed, changes.accounts_changed,
               changes.grants_new, changes.grants_removed);
    else if (!rc)
        printf("Imported %d %s (%d new, %d updated)\n", rep.rows,
               risks          ? "risks"
               : catalog_kind ? (strcmp(catalog_kind, "sbom") == 0 ? "components" : catalog_kind)
               : kind == IMPORT_ORGANISATIONS ? "organisations"
                                              : "people",
               rep.created, rep.updated);
    import_report_release(&rep);
    db_close(db);
    buf_release(&data);
    return rc ? cli_fail("%s", msg) : CLI_OK;
}
