/* varn export systems|information: the catalog lists as CSV, XLSX or JSON on standard output. */
#include "catalog/catalog.h"
#include "catalog/catalog_export.h"
#include "classification/classification.h"
#include "cli/cli.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/str.h"
#include "db/db.h"
#include "db/migrate.h"

#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int cmd_export(int argc, char **argv, struct app *app)
{
    const char *format_name = NULL, *org = NULL, *value;
    enum cat_format format;
    enum cat_list list;
    if (argc < 2)
        return cli_usage_error("export", "say what to export: systems or information");
    if (strcmp(argv[1], "systems") == 0)
        list = CAT_LIST_SYSTEMS;
    else if (strcmp(argv[1], "information") == 0)
        list = CAT_LIST_INFORMATION;
    else
        return cli_usage_error("export", "'%s' cannot be exported; use systems or information",
                               argv[1]);
    for (int i = 2; i < argc;) {
        if (cli_option(argc, argv, &i, "--format", &value)) {
            format_name = value;
            continue;
        }
        if (cli_option(argc, argv, &i, "--org", &value)) {
            if (!value || !*value)
                return cli_usage_error("export", "--org needs an organisation code");
            org = value;
            continue;
        }
        return cli_usage_error("export", "unexpected argument '%s'", argv[i]);
    }
    if (cat_export_format_parse(format_name ? format_name : "csv", &format))
        return cli_usage_error("export", "--format is csv, xlsx or json");
    if (format == CAT_FORMAT_XLSX && isatty(STDOUT_FILENO))
        return cli_usage_error("export", "XLSX is binary: redirect it to a file (> file.xlsx)");

    char msg[512] = "", actor[80];
    const struct passwd *pw = getpwuid(getuid());
    if (str_format(actor, sizeof(actor), "cli:%s", pw ? pw->pw_name : "unknown") != 0)
        str_copy(actor, sizeof(actor), "cli:unknown");
    struct org_actor who = {.everything = true, .actor = actor};
    struct system_list_query sq = {.organisation = org};
    struct information_list_query iq = {.organisation = org};
    struct json_problem p = {0};
    struct db *db = NULL;
    struct buf out;
    json_t *all = NULL, *filter = org ? json_pack("{s:s}", "organisation", org) : json_object();
    buf_init(&out, CAT_EXPORT_BYTES);
    int rc = db_open(app->db_url, 0, &db, msg, sizeof(msg));
    if (!rc)
        rc = migrate_check_current(db, varn_migrations, varn_migrations_count, app->db_url, msg,
                                   sizeof(msg));
    if (!rc)
        rc = cat_export_rows(db, &who, list, list == CAT_LIST_SYSTEMS ? (void *)&sq : (void *)&iq,
                             &all, &p);
    if (!rc)
        rc = cat_export_build(list, format, all, &out);
    if (!rc)
        rc = cat_export_record(db, actor, NULL, 0, list, format, filter, json_array_size(all));
    if (!rc && (fwrite(out.data, 1, out.len, stdout) != out.len || fflush(stdout) != 0)) {
        rc = ERR_IO;
        str_copy(msg, sizeof(msg), "cannot write the export to standard output");
    }
    if (rc == ERR_REJECTED)
        str_copy(msg, sizeof(msg), p.detail);
    else if (rc == ERR_TOOBIG)
        str_format(msg, sizeof(msg), "the export would hold more than %d rows; use --org",
                   CAT_EXPORT_MAX);
    else if (rc && !msg[0])
        str_format(msg, sizeof(msg), "the export failed: %s", db ? db_errmsg(db) : err_str(rc));
    json_decref(all);
    json_decref(filter);
    buf_release(&out);
    db_close(db);
    return rc ? cli_fail("%s", msg) : CLI_OK;
}
