/* varn report risk: the risk report for IT-nämnden as a PDF file. */
#include "cli/cli.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/str.h"
#include "db/db.h"
#include "db/migrate.h"
#include "risk/risk_report.h"

#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Write data to path through a temporary file beside it, so that a failure leaves no half
 * report behind. */
static int write_file(const char *path, const void *data, size_t len, char *msg, size_t msglen)
{
    char tmp[4096];
    if (str_format(tmp, sizeof(tmp), "%s.tmp", path)) {
        str_copy(msg, msglen, "the output path is too long");
        return ERR_INVALID;
    }
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        str_format(msg, msglen, "cannot create %s", tmp);
        return ERR_IO;
    }
    bool ok = fwrite(data, 1, len, f) == len;
    ok = fclose(f) == 0 && ok;
    if (!ok || rename(tmp, path) != 0) {
        unlink(tmp);
        str_format(msg, msglen, "cannot write %s", path);
        return ERR_IO;
    }
    return 0;
}

int cmd_report(int argc, char **argv, struct app *app)
{
    const char *value, *output = NULL;
    struct risk_report_query q = {0};
    if (argc < 2)
        return cli_usage_error("report", "say which report: risk");
    if (strcmp(argv[1], "risk") != 0)
        return cli_usage_error("report", "there is no report '%s'; use risk", argv[1]);
    for (int i = 2; i < argc;) {
        if (cli_option(argc, argv, &i, "--org", &value)) {
            if (!value || !*value)
                return cli_usage_error("report", "--org needs an organisation code");
            q.organisation = value;
            continue;
        }
        if (cli_option(argc, argv, &i, "--since", &value)) {
            if (!value || !*value)
                return cli_usage_error("report", "--since needs a date YYYY-MM-DD");
            q.since = value;
            continue;
        }
        if (cli_option(argc, argv, &i, "--output", &value)) {
            if (!value || !*value)
                return cli_usage_error("report", "--output needs a file name");
            output = value;
            continue;
        }
        return cli_usage_error("report", "unexpected argument '%s'", argv[i]);
    }
    if (!output)
        return cli_usage_error("report", "say where to write the PDF: --output FILE.pdf");

    char msg[512] = "", actor[80], since[11] = "";
    const struct passwd *pw = getpwuid(getuid());
    if (str_format(actor, sizeof(actor), "cli:%s", pw ? pw->pw_name : "unknown") != 0)
        str_copy(actor, sizeof(actor), "cli:unknown");
    struct org_actor who = {.everything = true, .actor = actor};
    struct json_problem p = {0};
    struct db *db = NULL;
    struct buf pdf;
    buf_init(&pdf, RISK_REPORT_BYTES);
    int rc = db_open(app->db_url, 0, &db, msg, sizeof(msg));
    if (!rc)
        rc = migrate_check_current(db, varn_migrations, varn_migrations_count, app->db_url, msg,
                                   sizeof(msg));
    if (!rc)
        rc = risk_report_build(db, &who, &q, clock_now(), &pdf, since, &p);
    if (!rc)
        rc = write_file(output, pdf.data, pdf.len, msg, sizeof(msg));
    if (!rc)
        rc = risk_report_record(db, &who, 0, &q, since);
    if (rc == ERR_REJECTED)
        str_copy(msg, sizeof(msg), p.detail);
    else if (rc == ERR_TOOBIG)
        str_copy(msg, sizeof(msg), "the report would be larger than 32 MiB; use --org");
    else if (rc && !msg[0])
        str_format(msg, sizeof(msg), "the report failed: %s", db ? db_errmsg(db) : err_str(rc));
    buf_release(&pdf);
    db_close(db);
    return rc ? cli_fail("%s", msg) : CLI_OK;
}
