/* varn token create: a new API token for an integration, printed once. */
#include "cli/cli.h"
#include "auth/auth.h"
#include "core/str.h"
#include "db/db.h"

#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int cmd_token(int argc, char **argv, struct app *app)
{
    const char *org = NULL, *role = NULL, *name = "API token";
    if (argc < 2 || strcmp(argv[1], "create") != 0)
        return cli_usage_error("token", "expected 'varn token create --org CODE --role ROLE'");
    for (int i = 2; i < argc;) {
        const char **slot = NULL;
        const char *value;
        if (cli_option(argc, argv, &i, "--org", &value))
            slot = &org;
        else if (cli_option(argc, argv, &i, "--role", &value))
            slot = &role;
        else if (cli_option(argc, argv, &i, "--name", &value))
            slot = &name;
        else
            return cli_usage_error("token", "unexpected argument '%s'", argv[i]);
        if (!value || !*value)
            return cli_usage_error("token", "%s needs a value", argv[i - 1]);
        *slot = value;
    }
    if (!org || !role)
        return cli_usage_error("token", "both --org CODE and --role ROLE are required");

    char msg[512] = "", token[TOKEN_SIZE], actor[80];
    const struct passwd *pw = getpwuid(getuid());
    if (str_format(actor, sizeof(actor), "cli:%s", pw ? pw->pw_name : "unknown") != 0)
        str_copy(actor, sizeof(actor), "cli:unknown");
    struct db *db;
    int64_t id;
    int rc = db_open(app->db_url, 0, &db, msg, sizeof(msg));
    if (rc)
        return cli_fail("%s", msg);
    rc = token_create(db, org, role, name, actor, token, &id, msg, sizeof(msg));
    db_close(db);
    if (rc)
        return cli_fail("%s", msg);
    printf("%s\n", token);
    fprintf(stderr, "API token %lld for role %s in %s. It is shown only now; store it safely.\n",
            (long long)id, role, org);
    return CLI_OK;
}
