/* Hash-chained audit entries: hash = SHA-256(prev_hash "\n" canonical JSON of the entry). */
#include "audit/audit.h"
#include "audit/audit_sql.h"
#include "core/clock.h"
#include "core/err.h"
#include "db/db.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

char *audit_canonical_json(json_t *v)
{
    if (!v)
        return NULL;
    return json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
}

static json_t *text_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

void audit_hash(const struct audit_record *r, char out[AUDIT_HASH_LEN])
{
    /* The entry's fields in one sorted-key JSON object: unambiguous, and the same bytes for
     * the writer and every later verifier. */
    json_t *o = json_pack(
        "{s:I, s:s, s:s, s:o, s:s, s:o, s:o, s:o, s:o, s:o}", "seq", (json_int_t)r->seq, "at",
        r->at, "actor", r->actor, "address", text_or_null(r->address), "action", r->action,
        "object_kind", text_or_null(r->object_kind), "object_id", text_or_null(r->object_id),
        "organisation_id", r->organisation_id ? json_integer(r->organisation_id) : json_null(),
        "before", text_or_null(r->before), "after", text_or_null(r->after));
    char *canon = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(o);
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_state h;
    crypto_hash_sha256_init(&h);
    crypto_hash_sha256_update(&h, (const unsigned char *)r->prev_hash, strlen(r->prev_hash));
    crypto_hash_sha256_update(&h, (const unsigned char *)"\n", 1);
    if (canon)
        crypto_hash_sha256_update(&h, (const unsigned char *)canon, strlen(canon));
    crypto_hash_sha256_final(&h, digest);
    free(canon);
    sodium_bin2hex(out, AUDIT_HASH_LEN, digest, sizeof(digest));
}

int audit_append(struct db *db, const struct audit_event *ev)
{
    char prev[AUDIT_HASH_LEN], hash[AUDIT_HASH_LEN], at[CLOCK_ISO_LEN];
    int64_t seq;
    int rc = audit_sql_head(db, &seq, prev);
    if (rc)
        return rc;
    clock_format(clock_now(), at);
    char *before = audit_canonical_json(ev->before);
    char *after = audit_canonical_json(ev->after);
    struct audit_record r = {
        .seq = seq + 1,
        .at = at,
        .actor = ev->actor ? ev->actor : "anonymous",
        .address = ev->address,
        .action = ev->action,
        .object_kind = ev->object_kind,
        .object_id = ev->object_id,
        .organisation_id = ev->organisation_id,
        .before = before,
        .after = after,
        .prev_hash = prev,
        .hash = hash,
    };
    audit_hash(&r, hash);
    rc = audit_sql_insert(db, &r);
    free(before);
    free(after);
    return rc;
}

int audit_append_alone(struct db *db, const struct audit_event *ev)
{
    int rc = db_begin(db);
    if (rc)
        return rc;
    rc = audit_append(db, ev);
    if (!rc)
        rc = db_commit(db);
    if (rc)
        db_rollback(db);
    return rc;
}
