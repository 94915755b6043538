/* varn user add | passwd | reset-mfa: people's accounts from the command line. */
#include "cli/cli.h"
#include "auth/auth.h"
#include "core/str.h"
#include "db/db.h"

#include <pwd.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define MAX_ROLES 16

static void cli_actor(char actor[80])
{
    const struct passwd *pw = getpwuid(getuid());
    if (str_format(actor, 80, "cli:%s", pw ? pw->pw_name : "unknown") != 0)
        str_copy(actor, 80, "cli:unknown");
}

/* One line of standard input as the password, without its line end. */
static int read_password(char *out, size_t outlen)
{
    if (!fgets(out, (int)outlen, stdin))
        return cli_fail("no password on standard input");
    size_t n = strlen(out);
    bool line_end = n > 0 && out[n - 1] == '\n';
    if (!line_end && !feof(stdin)) {
        sodium_memzero(out, outlen);
        return cli_fail("the password on standard input is longer than %d bytes",
                        PASSWORD_MAX_BYTES);
    }
    while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == '\r'))
        out[--n] = '\0';
    if (n == 0)
        return cli_fail("no password on standard input");
    return CLI_OK;
}

/* The password from standard input, or a generated one that is printed once. */
static int new_password(bool from_stdin, char *out, size_t outlen, bool *generated)
{
    *generated = !from_stdin;
    if (from_stdin)
        return read_password(out, outlen);
    password_generate(out);
    return CLI_OK;
}

static int open_db(struct app *app, struct db **db)
{
    char msg[512] = "";
    if (db_open(app->db_url, 0, db, msg, sizeof(msg)) != 0)
        return cli_fail("%s", msg);
    return CLI_OK;
}

static int user_add(int argc, char **argv, struct app *app)
{
    const char *user_id = NULL, *name = NULL, *email = NULL, *org = NULL;
    const char *roles[MAX_ROLES];
    int nroles = 0;
    bool from_stdin = false;
    for (int i = 2; i < argc;) {
        const char *value = NULL, **slot = NULL;
        if (strcmp(argv[i], "--password-stdin") == 0) {
            from_stdin = true;
            i++;
            continue;
        }
        if (cli_option(argc, argv, &i, "--name", &value))
            slot = &name;
        else if (cli_option(argc, argv, &i, "--email", &value))
            slot = &email;
        else if (cli_option(argc, argv, &i, "--org", &value))
            slot = &org;
        else if (cli_option(argc, argv, &i, "--role", &value)) {
            if (nroles >= MAX_ROLES)
                return cli_usage_error("user", "at most %d roles", MAX_ROLES);
            slot = &roles[nroles++];
        } else if (argv[i][0] != '-' && !user_id) {
            user_id = argv[i++];
            continue;
        } else {
            return cli_usage_error("user", "unexpected argument '%s'", argv[i]);
        }
        if (!value || !*value)
            return cli_usage_error("user", "%s needs a value", argv[i - 1]);
        *slot = value;
    }
    if (!user_id)
        return cli_usage_error("user", "user add needs a USER_ID");
    if (!name || !email || !org)
        return cli_usage_error("user", "user add needs --name NAME, --email EMAIL and --org CODE");
    if (nroles == 0)
        roles[nroles++] = "user";

    char password[PASSWORD_MAX_BYTES + 2], msg[512] = "", actor[80];
    bool generated = false;
    struct db *db;
    int rc = new_password(from_stdin, password, sizeof(password), &generated);
    if (rc)
        return rc;
    cli_actor(actor);
    rc = open_db(app, &db);
    if (!rc) {
        rc = account_add(db, actor, user_id, name, email, org, roles, nroles, password, msg,
                         sizeof(msg)) == 0
                 ? CLI_OK
                 : cli_fail("%s", msg);
        db_close(db);
    }
    if (rc == CLI_OK) {
        if (generated)
            printf("%s\n", password);
        fprintf(stderr, "Added %s to %s.%s\n", user_id, org,
                generated ? " The password above is shown only now; hand it over safely." : "");
    }
    sodium_memzero(password, sizeof(password));
    return rc;
}

static int user_passwd(int argc, char **argv, struct app *app)
{
    const char *user_id = NULL;
    bool from_stdin = false;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--password-stdin") == 0)
            from_stdin = true;
        else if (argv[i][0] != '-' && !user_id)
            user_id = argv[i];
        else
            return cli_usage_error("user", "unexpected argument '%s'", argv[i]);
    }
    if (!user_id)
        return cli_usage_error("user", "user passwd needs a USER_ID");

    char password[PASSWORD_MAX_BYTES + 2], msg[512] = "", actor[80];
    bool generated = false;
    struct db *db;
    int rc = new_password(from_stdin, password, sizeof(password), &generated);
    if (rc)
        return rc;
    cli_actor(actor);
    rc = open_db(app, &db);
    if (!rc) {
        rc = account_set_password(db, actor, user_id, password, msg, sizeof(msg)) == 0
                 ? CLI_OK
                 : cli_fail("%s", msg);
        db_close(db);
    }
    if (rc == CLI_OK) {
        if (generated)
            printf("%s\n", password);
        fprintf(stderr, "New password for %s; their sessions have ended.%s\n", user_id,
                generated ? " The password above is shown only now." : "");
    }
    sodium_memzero(password, sizeof(password));
    return rc;
}

static int user_reset_mfa(int argc, char **argv, struct app *app)
{
    if (argc < 3)
        return cli_usage_error("user", "user reset-mfa needs a USER_ID");
    if (argc > 3 || argv[2][0] == '-')
        return cli_usage_error("user", "unexpected argument '%s'", argv[argc > 3 ? 3 : 2]);
    char msg[512] = "", actor[80];
    struct db *db;
    cli_actor(actor);
    int rc = open_db(app, &db);
    if (rc)
        return rc;
    rc =
        account_reset_mfa(db, actor, argv[2], msg, sizeof(msg)) == 0 ? CLI_OK : cli_fail("%s", msg);
    db_close(db);
    if (rc == CLI_OK)
        fprintf(stderr,
                "Two-step verification of %s is reset and their sessions have ended; they set it "
                "up again at their next login.\n",
                argv[2]);
    return rc;
}

int cmd_user(int argc, char **argv, struct app *app)
{
    if (argc < 2)
        return cli_usage_error("user", "expected 'add', 'passwd' or 'reset-mfa'");
    if (strcmp(argv[1], "add") == 0)
        return user_add(argc, argv, app);
    if (strcmp(argv[1], "passwd") == 0)
        return user_passwd(argc, argv, app);
    if (strcmp(argv[1], "reset-mfa") == 0)
        return user_reset_mfa(argc, argv, app);
    return cli_usage_error("user", "'%s' is not one of add, passwd, reset-mfa", argv[1]);
}
