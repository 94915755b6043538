/* Hash-chained audit entries: hash = SHA-256(prev_hash "\n" canonical JSON of the entry). */
#include "audit/audit.h"
#include "audit/audit_sql.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/xalloc.h"
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

int audit_hash(const struct audit_record *r, char out[AUDIT_HASH_LEN])
{
    /* The entry's fields in one sorted-key JSON object: unambiguous, and the same bytes for
     * the writer and every later verifier. jansson refuses text that is not UTF-8: such an
     * entry has no canonical form, and its hash must not pretend to cover it. */
    json_t *o = json_pack(
        "{s:I, s:s, s:s, s:o, s:s, s:o, s:o, s:o, s:o, s:o}", "seq", (json_int_t)r->seq, "at",
        r->at, "actor", r->actor, "address", text_or_null(r->address), "action", r->action,
        "object_kind", text_or_null(r->object_kind), "object_id", text_or_null(r->object_id),
        "organisation_id", r->organisation_id ? json_integer(r->organisation_id) : json_null(),
        "before", text_or_null(r->before), "after", text_or_null(r->after));
    char *canon = o ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(o);
    if (!canon) {
        out[0] = '\0';
        return ERR_INVALID;
    }
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_state h;
    crypto_hash_sha256_init(&h);
    crypto_hash_sha256_update(&h, (const unsigned char *)r->prev_hash, strlen(r->prev_hash));
    crypto_hash_sha256_update(&h, (const unsigned char *)"\n", 1);
    crypto_hash_sha256_update(&h, (const unsigned char *)canon, strlen(canon));
    crypto_hash_sha256_final(&h, digest);
    free(canon);
    sodium_bin2hex(out, AUDIT_HASH_LEN, digest, sizeof(digest));
    return 0;
}

/* The length of the valid UTF-8 sequence at p (the same rules as jansson's: no overlong
 * forms, no surrogates, nothing past U+10FFFF), or 0. */
static size_t utf8_sequence(const unsigned char *p)
{
    unsigned char lo = 0x80, hi = 0xBF;
    size_t n;
    if (p[0] < 0x80)
        return 1;
    if (p[0] >= 0xC2 && p[0] <= 0xDF)
        n = 2;
    else if (p[0] >= 0xE0 && p[0] <= 0xEF)
        n = 3;
    else if (p[0] >= 0xF0 && p[0] <= 0xF4)
        n = 4;
    else
        return 0;
    if (p[0] == 0xE0)
        lo = 0xA0;
    else if (p[0] == 0xED)
        hi = 0x9F;
    else if (p[0] == 0xF0)
        lo = 0x90;
    else if (p[0] == 0xF4)
        hi = 0x8F;
    if (p[1] < lo || p[1] > hi)
        return 0;
    for (size_t i = 2; i < n; i++)
        if (p[i] < 0x80 || p[i] > 0xBF)
            return 0;
    return n;
}

/* s itself when it is valid UTF-8; else a copy (in *copy, free() it) with each invalid byte
 * replaced by U+FFFD. What an attacker sends (a path, an address) is recorded, never dropped. */
static const char *as_utf8(const char *s, char **copy)
{
    *copy = NULL;
    if (!s)
        return NULL;
    const unsigned char *p = (const unsigned char *)s;
    size_t n, bad = 0;
    for (; *p; p += n ? n : 1) {
        n = utf8_sequence(p);
        bad += !n;
    }
    if (!bad)
        return s;
    char *out = xmalloc(strlen(s) * 3 + 1); /* each byte becomes at most three */
    char *w = out;
    for (p = (const unsigned char *)s; *p; p += n ? n : 1) {
        n = utf8_sequence(p);
        if (n) {
            memcpy(w, p, n);
            w += n;
        } else {
            memcpy(w, "\xEF\xBF\xBD", 3);
            w += 3;
        }
    }
    *w = '\0';
    *copy = out;
    return out;
}

int audit_append(struct db *db, const struct audit_event *ev)
{
    char prev[AUDIT_HASH_LEN], hash[AUDIT_HASH_LEN], at[CLOCK_ISO_LEN];
    char *copies[5] = {NULL};
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
        .actor = as_utf8(ev->actor ? ev->actor : "anonymous", &copies[0]),
        .address = as_utf8(ev->address, &copies[1]),
        .action = as_utf8(ev->action, &copies[2]),
        .object_kind = as_utf8(ev->object_kind, &copies[3]),
        .object_id = as_utf8(ev->object_id, &copies[4]),
        .organisation_id = ev->organisation_id,
        .before = before,
        .after = after,
        .prev_hash = prev,
        .hash = hash,
    };
    /* Fail closed: an entry that cannot be hashed is not written, nor what it records. */
    rc = (ev->before && !before) || (ev->after && !after) ? ERR_INVALID : audit_hash(&r, hash);
    if (!rc)
        rc = audit_sql_insert(db, &r);
    for (size_t i = 0; i < sizeof(copies) / sizeof(copies[0]); i++)
        free(copies[i]);
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
