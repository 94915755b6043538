/* varn token create | list | revoke: API tokens for integrations. */
#include "cli/cli.h"
#include "auth/auth.h"
#include "core/err.h"
#include "core/str.h"
#include "db/db.h"

#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void cli_actor(char out[80])
{
    const struct passwd *pw = getpwuid(getuid());
    if (str_format(out, 80, "cli:%s", pw ? pw->pw_name : "unknown") != 0)
        str_copy(out, 80, "cli:unknown");
}

static int token_create_cmd(int argc, char **argv, struct db *db)
{
    const char *org = NULL, *role = NULL, *name = "API token";
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
    int64_t id;
    cli_actor(actor);
    if (token_create(db, org, role, name, actor, token, &id, msg, sizeof(msg)) != 0)
        return cli_fail("%s", msg);
    printf("%s\n", token);
    fprintf(stderr, "API token %lld for role %s in %s. It is shown only now; store it safely.\n",
            (long long)id, role, org);
    return CLI_OK;
}

static const char *or_dash(json_t *v)
{
    return json_is_string(v) ? json_string_value(v) : "-";
}

static int token_list_cmd(int argc, char **argv, struct db *db)
{
    if (argc > 2)
        return cli_usage_error("token", "unexpected argument '%s'", argv[2]);
    json_t *items;
    if (token_list(db, NULL, 0, &items) != 0)
        return cli_fail("cannot list the tokens: %s", db_errmsg(db));
    printf("%-5s %-12s %-18s %-20s %-20s %s\n", "ID", "ORGANISATION", "ROLE", "LAST USED",
           "REVOKED", "NAME");
    size_t i;
    json_t *t;
    json_array_foreach(items, i, t)
    {
        printf("%-5lld %-12s %-18s %-20s %-20s %s\n",
               (long long)json_integer_value(json_object_get(t, "id")),
               or_dash(json_object_get(t, "organisation")), or_dash(json_object_get(t, "role")),
               or_dash(json_object_get(t, "last_used_at")),
               or_dash(json_object_get(t, "revoked_at")), or_dash(json_object_get(t, "name")));
    }
    json_decref(items);
    return CLI_OK;
}

static int token_revoke_cmd(int argc, char **argv, struct db *db)
{
    int64_t id;
    if (argc != 3 || str_to_int64(argv[2], 1, INT64_MAX, &id) != 0)
        return cli_usage_error("token", "expected 'varn token revoke ID' with the token's number "
                                        "from 'varn token list'");
    char actor[80];
    cli_actor(actor);
    int rc = token_revoke(db, NULL, 0, id, actor, NULL);
    if (rc)
        return cli_fail(rc == ERR_NOTFOUND ? "there is no API token %s"
                                           : "cannot revoke API token %s",
                        argv[2]);
    printf("API token %lld is revoked.\n", (long long)id);
    return CLI_OK;
}

int cmd_token(int argc, char **argv, struct app *app)
{
    static const struct {
        const char *name;
        int (*run)(int, char **, struct db *);
    } subs[] = {
        {"create", token_create_cmd}, {"list", token_list_cmd}, {"revoke", token_revoke_cmd}};
    if (argc < 2)
        return cli_usage_error("token", "expected create, list or revoke");
    for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
        if (strcmp(argv[1], subs[i].name) != 0)
            continue;
        char msg[512] = "";
        struct db *db;
        if (db_open(app->db_url, 0, &db, msg, sizeof(msg)) != 0)
            return cli_fail("%s", msg);
        int rc = subs[i].run(argc, argv, db);
        db_close(db);
        return rc;
    }
    return cli_usage_error("token", "'%s' is not create, list or revoke", argv[1]);
}
