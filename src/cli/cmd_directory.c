/* varn directory: list the directory sources, or run a sync in the foreground (for cron and
 * tests) and print its counts. */
#include "access/directory.h"
#include "access/directory_sql.h"
#include "cli/cli.h"
#include "core/err.h"
#include "core/str.h"
#include "db/db.h"
#include "db/migrate.h"

#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int open_db(struct app *app, struct db **db)
{
    char msg[512];
    int rc = db_open(app->db_url, 0, db, msg, sizeof(msg));
    if (!rc)
        rc = migrate_check_current(*db, varn_migrations, varn_migrations_count, app->db_url, msg,
                                   sizeof(msg));
    if (rc) {
        db_close(*db);
        *db = NULL;
        return cli_fail("%s", msg);
    }
    return CLI_OK;
}

static int list(struct app *app)
{
    struct db *db = NULL;
    struct org_actor who = {.everything = true, .actor = "cli"};
    struct json_problem p = {0};
    json_t *out = NULL;
    if (open_db(app, &db))
        return CLI_FAILED;
    int rc = dir_source_list(db, &who, "500", NULL, &out, &p);
    if (rc) {
        db_close(db);
        return cli_fail("cannot list the directory sources: %s", err_str(rc));
    }
    size_t i;
    json_t *s;
    printf("%-6s %-12s %-30s %-40s %s\n", "ID", "ORG", "NAME", "URI", "LAST SYNC");
    json_array_foreach(json_object_get(out, "items"), i, s)
    {
        json_t *last = json_object_get(s, "last_sync"); /* null before the first sync */
        const char *status = json_string_value(json_object_get(last, "status"));
        const char *when = json_string_value(json_object_get(last, "started_at"));
        printf("%-6lld %-12s %-30s %-40s %s %s\n",
               (long long)json_integer_value(json_object_get(s, "id")),
               json_string_value(json_object_get(s, "organisation")),
               json_string_value(json_object_get(s, "name")),
               json_string_value(json_object_get(s, "uri")), status ? status : "-",
               when ? when : "");
    }
    json_decref(out);
    db_close(db);
    return CLI_OK;
}

/* The source named by an id or a name (of organisation org when given). */
static int source_of(struct db *db, const char *key, const char *org, int64_t *id)
{
    int64_t n;
    json_t *row = NULL, *items = json_array();
    if (str_to_int64(key, 1, INT64_MAX / 2, &n) == 0 && !org &&
        dir_sql_source_by_id(db, n, &row) == 0) {
        json_decref(row);
        json_decref(items);
        *id = n;
        return CLI_OK;
    }
    int rc = dir_sql_sources_named(db, key, org, items);
    size_t count = json_array_size(items);
    if (!rc && count == 1)
        *id = json_integer_value(json_object_get(json_array_get(items, 0), "id"));
    json_decref(items);
    if (rc)
        return cli_fail("cannot read the directory sources: %s", err_str(rc));
    if (count == 0)
        return cli_fail("no directory source '%s'%s%s", key, org ? " in " : "", org ? org : "");
    if (count > 1)
        return cli_usage_error("directory",
                               "%zu organisations have a source named '%s'; "
                               "name one with --org CODE",
                               count, key);
    return CLI_OK;
}

/* A running server's worker picked the sync up first: wait for it to finish there. */
static int await_worker(struct db *db, int64_t sync_id, bool *failed, struct access_changes *c,
                        char *error, size_t errlen)
{
    for (int i = 0; i < 10 * 3600; i++) {
        json_t *s = NULL;
        int rc = dir_sql_sync_by_id(db, sync_id, &s);
        if (rc)
            return rc;
        const char *status = json_string_value(json_object_get(s, "status"));
        bool over = status && (strcmp(status, "done") == 0 || strcmp(status, "failed") == 0);
        if (over) {
            *failed = strcmp(status, "failed") == 0;
            const char *e = json_string_value(json_object_get(s, "error"));
            str_copy(error, errlen, *failed && e ? e : "");
            c->accounts_new = (long)json_integer_value(json_object_get(s, "accounts_new"));
            c->accounts_removed = (long)json_integer_value(json_object_get(s, "accounts_removed"));
            c->accounts_changed = (long)json_integer_value(json_object_get(s, "accounts_changed"));
            c->grants_new = (long)json_integer_value(json_object_get(s, "grants_new"));
            c->grants_removed = (long)json_integer_value(json_object_get(s, "grants_removed"));
        }
        json_decref(s);
        if (over)
            return 0;
        struct timespec pause = {0, 100 * 1000 * 1000};
        nanosleep(&pause, NULL);
    }
    return ERR_BUSY;
}

static int sync_now(int argc, char **argv, struct app *app)
{
    const char *key = NULL, *org = NULL;
    bool verbose = false;
    for (int i = 2; i < argc;) {
        const char *value;
        if (strcmp(argv[i], "--verbose") == 0) {
            verbose = true;
            i++;
            continue;
        }
        if (cli_option(argc, argv, &i, "--org", &value)) {
            if (!value)
                return cli_usage_error("directory", "--org needs an organisation code");
            org = value;
            continue;
        }
        if (key)
            return cli_usage_error("directory", "unexpected argument '%s'", argv[i]);
        key = argv[i++];
    }
    if (!key)
        return cli_usage_error("directory", "sync needs the source: NAME or ID");
    char actor[80], error[DIR_ERROR_MAX];
    const struct passwd *pw = getpwuid(getuid());
    if (str_format(actor, sizeof(actor), "cli:%s", pw ? pw->pw_name : "unknown") != 0)
        str_copy(actor, sizeof(actor), "cli:unknown");
    struct db *db = NULL;
    if (open_db(app, &db))
        return CLI_FAILED;
    int64_t source_id = 0, sync_id = 0;
    int out = source_of(db, key, org, &source_id);
    if (out != CLI_OK) {
        db_close(db);
        return out;
    }
    int rc = db_begin(db);
    if (!rc) {
        rc = dir_sync_queue(db, source_id, actor, &sync_id);
        rc = rc ? (db_rollback(db), rc) : db_commit(db);
    }
    if (rc == ERR_CONFLICT) {
        db_close(db);
        return cli_fail("sync %lld of this source is already queued or running",
                        (long long)sync_id);
    }
    bool failed = false;
    struct access_changes c = {0};
    struct dir_sync_stats st = {0};
    if (!rc)
        rc = dir_sync_run(db, sync_id, &failed, &c, &st, error, sizeof(error));
    if (rc == ERR_CONFLICT)
        rc = await_worker(db, sync_id, &failed, &c, error, sizeof(error));
    if (rc) {
        out = cli_fail("sync %lld: %s", (long long)sync_id,
                       rc == ERR_DB ? db_errmsg(db) : err_str(rc));
    } else if (failed) {
        out = cli_fail("sync %lld failed: %s", (long long)sync_id, error);
    } else {
        printf("sync %lld done: accounts %ld new, %ld removed, %ld changed; grants %ld new, %ld "
               "removed\n",
               (long long)sync_id, c.accounts_new, c.accounts_removed, c.accounts_changed,
               c.grants_new, c.grants_removed);
        if (verbose)
            printf("read %zu users and %zu groups in %lld ms; applied %zu rows in %lld ms\n",
                   st.users, st.groups, (long long)st.read_ms, st.rows, (long long)st.apply_ms);
        out = CLI_OK;
    }
    db_close(db);
    return out;
}

int cmd_directory(int argc, char **argv, struct app *app)
{
    if (argc < 2)
        return cli_usage_error("directory", "say what to do: sync or list");
    if (strcmp(argv[1], "list") == 0) {
        if (argc > 2)
            return cli_usage_error("directory", "unexpected argument '%s'", argv[2]);
        return list(app);
    }
    if (strcmp(argv[1], "sync") == 0)
        return sync_now(argc, argv, app);
    return cli_usage_error("directory", "unknown subcommand '%s'; use sync or list", argv[1]);
}
