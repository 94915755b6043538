/* varn serve: check the database, then run the HTTP server until SIGTERM/SIGINT. */
#include "cli/cli.h"
#include "access/directory.h"
#include "db/db.h"
#include "db/migrate.h"
#include "engine/engine.h"
#include "http/routes.h"
#include "http/server.h"

#include <stdlib.h>

#define REFRESH_SECONDS 5

int cmd_serve(int argc, char **argv, struct app *app)
{
    const char *listen = getenv("VARN_LISTEN");
    for (int i = 1; i < argc;) {
        const char *value;
        if (cli_option(argc, argv, &i, "--listen", &value)) {
            if (!value)
                return cli_usage_error("serve", "--listen needs ADDRESS:PORT");
            listen = value;
            continue;
        }
        return cli_usage_error("serve", "unexpected argument '%s'", argv[i]);
    }
    if (!listen || !*listen)
        listen = "127.0.0.1:8080";
    if (server_listen_valid(listen) != 0)
        return cli_usage_error("serve", "--listen '%s' is not ADDRESS:PORT such as 127.0.0.1:8080",
                               listen);

    char msg[512];
    struct db *db;
    int rc = db_open(app->db_url, 0, &db, msg, sizeof(msg));
    if (rc)
        return cli_fail("%s", msg);
    rc = migrate_check_current(db, varn_migrations, varn_migrations_count, app->db_url, msg,
                               sizeof(msg));
    db_close(db);
    if (rc)
        return cli_fail("%s", msg);

    struct server_config cfg = {
        .db_url = app->db_url,
        .listen = listen,
        .routes = varn_routes,
        .nroutes = varn_routes_count,
    };
    /* Findings follow changes and the date without waiting for a reader. */
    struct engine_refresher *refresher = NULL;
    if (engine_refresher_start(app->db_url, REFRESH_SECONDS, &refresher) != 0)
        return cli_fail("cannot start the findings refresher");
    /* Directory syncs run on their own thread, never on the HTTP workers. */
    struct dir_worker *directory = NULL;
    if (dir_worker_start(app->db_url, &directory) != 0) {
        engine_refresher_stop(refresher);
        return cli_fail("cannot start the directory sync worker");
    }
    rc = server_run(&cfg);
    dir_worker_stop(directory);
    engine_refresher_stop(refresher);
    return rc == 0 ? CLI_OK : CLI_FAILED;
}
