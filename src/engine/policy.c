/* Loading policy profiles into the database and assigning them to organisations: from a file,
 * or the ones built into the binary (policies/ in the source tree). Each change is audited. */
#include "engine/engine.h"
#include "engine/engine_sql.h"
#include "engine/rule.h"
#include "audit/audit.h"
#include "core/clock.h"
#include "core/embedded.h"
#include "core/err.h"
#include "core/str.h"
#include "db/db.h"

#include <string.h>

extern const struct embedded_file varn_policies[];
extern const size_t varn_policies_count;

int engine_profile_validate(const char *text, const char *origin, char *msg, size_t msglen)
{
    struct arena a;
    struct profile p;
    arena_init(&a);
    int rc = profile_parse(text, origin, &a, &p, msg, msglen);
    arena_release(&a);
    return rc;
}

/* Inside the caller's transaction. */
static int import_one(struct db *db, const char *text, const char *origin, const char *actor,
                      bool builtin, char code_out[33], char *msg, size_t msglen)
{
    struct arena a;
    struct profile p;
    char at[CLOCK_ISO_LEN];
    int64_t id = 0;
    bool changed = false;
    arena_init(&a);
    clock_format(clock_now(), at);
    int rc = profile_parse(text, origin, &a, &p, msg, msglen);
    if (!rc)
        rc = str_copy(code_out, 33, p.code);
    if (!rc)
        rc = esql_profile_put(db, p.code, p.version, p.title, text, builtin, at, &id, &changed);
    if (!rc && changed) {
        json_t *after = json_pack("{s:s, s:s, s:s, s:i}", "code", p.code, "version", p.version,
                                  "title", p.title, "obligations", (int)p.n);
        struct audit_event ev = {.actor = actor,
                                 .action = "policy_profile.load",
                                 .object_kind = "policy_profile",
                                 .object_id = p.code,
                                 .after = after};
        rc = audit_append(db, &ev);
        json_decref(after);
    }
    if (rc && !msg[0])
        str_format(msg, msglen, "%s: cannot load the profile: %s", origin, db_errmsg(db));
    arena_release(&a);
    return rc;
}

int engine_profile_import(struct db *db, const char *text, const char *origin, const char *actor,
                          char code_out[33], char *msg, size_t msglen)
{
    msg[0] = '\0';
    int rc = db_begin(db);
    if (!rc)
        rc = import_one(db, text, origin, actor, false, code_out, msg, msglen);
    if (!rc)
        rc = db_commit(db);
    if (rc)
        db_rollback(db);
    return rc;
}

int engine_profile_assign(struct db *db, const char *org_code, const char *profile_code,
                          const char *actor, bool *added, char *msg, size_t msglen)
{
    struct arena a;
    struct stored_profile sp;
    char at[CLOCK_ISO_LEN];
    int64_t org = 0;
    arena_init(&a);
    clock_format(clock_now(), at);
    msg[0] = '\0';
    int rc = db_begin(db);
    if (!rc && (rc = esql_org_id(db, org_code, &org)) == ERR_NOTFOUND)
        str_format(msg, msglen, "there is no organisation '%s'", org_code);
    if (!rc && (rc = esql_profile_by_code(db, &a, profile_code, &sp)) == ERR_NOTFOUND)
        str_format(msg, msglen, "there is no profile '%s' (load it with varn policy import)",
                   profile_code);
    if (!rc)
        rc = esql_profile_assign(db, org, sp.id, at, added);
    if (!rc && *added) {
        json_t *after = json_pack("{s:s, s:s}", "organisation", org_code, "profile", profile_code);
        struct audit_event ev = {.actor = actor,
                                 .action = "policy_profile.assign",
                                 .object_kind = "organisation",
                                 .object_id = org_code,
                                 .organisation_id = org,
                                 .after = after};
        rc = audit_append(db, &ev);
        json_decref(after);
    }
    if (!rc)
        rc = db_commit(db);
    if (rc) {
        db_rollback(db);
        if (!msg[0])
            str_format(msg, msglen, "cannot assign the profile: %s", db_errmsg(db));
    }
    arena_release(&a);
    return rc;
}

int engine_sync_builtin(struct db *db, char *msg, size_t msglen)
{
    msg[0] = '\0';
    int rc = db_begin(db);
    for (size_t i = 0; !rc && i < varn_policies_count; i++) {
        char code[33];
        rc = import_one(db, varn_policies[i].data, varn_policies[i].name, "system", true, code, msg,
                        msglen);
    }
    if (!rc)
        rc = db_commit(db);
    if (rc)
        db_rollback(db);
    return rc;
}

int engine_organisation_id(struct db *db, const char *code, int64_t *id)
{
    return esql_org_id(db, code, id);
}
