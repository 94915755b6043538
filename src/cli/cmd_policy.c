/* varn policy: check a policy profile file, load it, and assign profiles to organisations. */
#include "cli/cli.h"
#include "core/buf.h"
#include "core/err.h"
#include "db/db.h"
#include "db/migrate.h"
#include "engine/engine.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROFILE_MAX (4 * 1024 * 1024)

/* The whole file into b (bounded); 0, or a sentence in msg. */
static int read_file(const char *path, struct buf *b, char *msg, size_t msglen)
{
    int rc = buf_read_file(b, path);
    if (rc == ERR_TOOBIG)
        snprintf(msg, msglen, "%s is larger than 4 MiB", path);
    else if (rc)
        snprintf(msg, msglen, "cannot read %s: %s", path, strerror(errno));
    return rc;
}

static int open_current(struct app *app, struct db **db, char *msg, size_t msglen)
{
    int rc = db_open(app->db_url, 0, db, msg, msglen);
    if (!rc)
        rc = migrate_check_current(*db, varn_migrations, varn_migrations_count, app->db_url, msg,
                                   msglen);
    return rc;
}

static int validate_or_import(const char *path, bool import, struct app *app)
{
    char msg[512] = "", code[33];
    struct buf file;
    buf_init(&file, PROFILE_MAX);
    if (read_file(path, &file, msg, sizeof(msg))) {
        buf_release(&file);
        return cli_fail("%s", msg);
    }
    const char *text = buf_str(&file);
    struct db *db = NULL;
    int rc = engine_profile_validate(text, path, msg, sizeof(msg));
    if (!rc && import)
        rc = open_current(app, &db, msg, sizeof(msg));
    if (!rc && import)
        rc = engine_profile_import(db, text, path, "cli:policy", code, msg, sizeof(msg));
    db_close(db);
    buf_release(&file);
    if (rc)
        return cli_fail("%s", msg[0] ? msg : err_str(rc));
    if (import)
        printf("Loaded the profile '%s' from %s.\n", code, path);
    else
        printf("%s is a valid policy profile.\n", path);
    return CLI_OK;
}

int cmd_policy(int argc, char **argv, struct app *app)
{
    if (argc < 2)
        return cli_usage_error("policy", "say what to do: validate, import or assign");
    if (strcmp(argv[1], "validate") == 0 || strcmp(argv[1], "import") == 0) {
        if (argc != 3)
            return cli_usage_error("policy", "%s needs exactly one FILE", argv[1]);
        return validate_or_import(argv[2], strcmp(argv[1], "import") == 0, app);
    }
    if (strcmp(argv[1], "assign") != 0)
        return cli_usage_error("policy", "unknown action '%s'", argv[1]);
    const char *org = NULL, *profile = NULL, *value;
    for (int i = 2; i < argc;) {
        if (cli_option(argc, argv, &i, "--org", &value)) {
            if (!value || !*value)
                return cli_usage_error("policy", "--org needs an organisation code");
            org = value;
            continue;
        }
        if (profile || argv[i][0] == '-')
            return cli_usage_error("policy", "unexpected argument '%s'", argv[i]);
        profile = argv[i++];
    }
    if (!org || !profile)
        return cli_usage_error("policy", "assign needs --org CODE and a PROFILE");
    char msg[512] = "";
    struct db *db = NULL;
    bool added = false;
    int rc = open_current(app, &db, msg, sizeof(msg));
    if (!rc)
        rc = engine_profile_assign(db, org, profile, "cli:policy", &added, msg, sizeof(msg));
    db_close(db);
    if (rc)
        return cli_fail("%s", msg[0] ? msg : err_str(rc));
    printf(added ? "%s now follows the profile '%s'.\n" : "%s already follows the profile '%s'.\n",
           org, profile);
    return CLI_OK;
}
