/* Benchmark helper: append N entries to a database's audit log through the real append path
 * (audit_append: head lookup, canonical JSON, SHA-256, insert), 10 000 per transaction. */
#include "audit/audit.h"
#include "core/err.h"
#include "core/str.h"
#include "db/db.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>

#define BATCH 10000

static const char *const ACTIONS[] = {"person.update", "system.update", "login.success",
                                      "information.classify", "access_review.complete"};
static const char *const KINDS[] = {"person", "system", "person", "information", "access_review"};

int main(int argc, char **argv)
{
    int64_t n = 0;
    if (argc != 3 || str_to_int64(argv[2], 1, 100000000, &n) != 0) {
        fprintf(stderr, "usage: audit_fill DB N\n");
        return 2;
    }
    if (sodium_init() < 0)
        return 1;
    char msg[512];
    struct db *db;
    int rc = db_open(argv[1], 0, &db, msg, sizeof(msg));
    if (rc) {
        fprintf(stderr, "%s\n", msg);
        return 1;
    }
    for (int64_t i = 0; !rc && i < n; i++) {
        if (i % BATCH == 0)
            rc = db_begin(db);
        char actor[32], object[32];
        str_format(actor, sizeof(actor), "user%03lld", (long long)(i % 400));
        str_format(object, sizeof(object), "obj-%lld", (long long)(i % 5000));
        json_t *before = json_pack("{s:s, s:i}", "name", "Exempelsystem", "k", (int)(i % 5));
        json_t *after = json_pack("{s:s, s:i}", "name", "Exempelsystem", "k", (int)((i + 1) % 5));
        struct audit_event ev = {.actor = actor,
                                 .address = "192.0.2.10",
                                 .action = ACTIONS[i % 5],
                                 .object_kind = KINDS[i % 5],
                                 .object_id = object,
                                 .organisation_id = 1 + i % 3,
                                 .before = before,
                                 .after = after};
        if (!rc)
            rc = audit_append(db, &ev);
        json_decref(before);
        json_decref(after);
        if (!rc && (i % BATCH == BATCH - 1 || i == n - 1))
            rc = db_commit(db);
    }
    if (rc) {
        fprintf(stderr, "append failed: %s (%s)\n", err_str(rc), db_errmsg(db));
        db_rollback(db);
    }
    db_close(db);
    return rc ? 1 : 0;
}
