/* varn audit verify: check the audit log's hash chain, optionally against a noted head. */
#include "cli/cli.h"
#include "audit/audit.h"
#include "core/err.h"
#include "core/str.h"
#include "db/db.h"

#include <stdio.h>
#include <string.h>

int cmd_audit(int argc, char **argv, struct app *app)
{
    const char *anchor = NULL;
    if (argc < 2 || strcmp(argv[1], "verify") != 0)
        return cli_usage_error("audit", "expected 'varn audit verify [--head HASH]'");
    for (int i = 2; i < argc;) {
        const char *value;
        if (!cli_option(argc, argv, &i, "--head", &value))
            return cli_usage_error("audit", "unexpected argument '%s'", argv[i]);
        if (!value || !*value)
            return cli_usage_error("audit", "--head needs a HASH (64 hex digits)");
        if (anchor)
            return cli_usage_error("audit", "--head may be given only once");
        if (!audit_hash_valid(value))
            return cli_usage_error("audit",
                                   "--head '%.80s' is not a hash: expected 64 lower-case hex "
                                   "digits, as GET /api/v1/audit/head gives",
                                   value);
        anchor = value;
    }

    char msg[512];
    struct db *db;
    struct audit_verify_result res;
    int rc = db_open(app->db_url, DB_OPEN_READONLY, &db, msg, sizeof(msg));
    if (rc)
        return cli_fail("%s", msg);
    rc = audit_verify(db, anchor, &res);
    if (rc && rc != ERR_INVALID)
        str_format(msg, sizeof(msg), "cannot read the audit log: %s", db_errmsg(db));
    db_close(db);
    if (rc == ERR_INVALID)
        return cli_fail("audit log broken: %s", res.problem);
    if (rc)
        return cli_fail("%s", msg);
    printf("audit log intact: %lld entries, head %lld %s\n", (long long)res.entries,
           (long long)res.head_seq, res.head_hash);
    if (anchor)
        printf("head %s is entry %lld; the chain extends it\n", anchor, (long long)res.anchor_seq);
    return CLI_OK;
}
