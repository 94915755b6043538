/* The audit chain's verifier: streams the log in seq order and names the first bad entry. */
#include "audit/audit.h"
#include "audit/audit_sql.h"
#include "core/err.h"
#include "core/str.h"
#include "db/db.h"

#include <string.h>

bool audit_hash_valid(const char *s)
{
    size_t n = 0;
    for (; s[n]; n++)
        if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f')))
            return false;
    return n == AUDIT_HASH_LEN - 1;
}

static const char *text(const char *s)
{
    return s ? s : "";
}

/* One entry against the one before it (prev_seq 0: the start of the chain). Returns 0, or
 * ERR_INVALID with the problem in out. The checks run in the order that names the cause
 * best: a missing or repeated seq first, then the link to the previous entry (a moved or
 * inserted entry breaks it even when its own hash is intact), then the entry's own hash (an
 * edited field), then time. */
static int check_entry(const struct audit_record *r, int64_t prev_seq, const char *prev_hash,
                       const char *prev_at, struct audit_verify_result *out)
{
    char hash[AUDIT_HASH_LEN];
    int64_t want = prev_seq + 1;
    if (r->seq > want) {
        str_format(out->problem, sizeof(out->problem), "entry %lld is missing", (long long)want);
        return ERR_INVALID;
    }
    if (r->seq < want) {
        if (r->seq == prev_seq && prev_seq > 0)
            str_format(out->problem, sizeof(out->problem), "entry %lld appears more than once",
                       (long long)r->seq);
        else
            str_format(out->problem, sizeof(out->problem),
                       "entry %lld is outside the chain, which starts at entry 1",
                       (long long)r->seq);
        return ERR_INVALID;
    }
    if (strcmp(text(r->prev_hash), prev_hash) != 0) {
        if (prev_seq == 0)
            str_format(out->problem, sizeof(out->problem),
                       "entry 1 does not start the chain: an entry was inserted before it");
        else
            str_format(out->problem, sizeof(out->problem),
                       "entry %lld does not follow entry %lld: the chain was reordered or an "
                       "entry inserted",
                       (long long)r->seq, (long long)prev_seq);
        return ERR_INVALID;
    }
    /* NULL in a NOT NULL column can only come from tampering; hash it as "" so that the
     * recomputation fails instead of the verifier. */
    struct audit_record c = *r;
    c.at = text(r->at);
    c.actor = text(r->actor);
    c.action = text(r->action);
    if (audit_hash(&c, hash) != 0 || strcmp(hash, text(r->hash)) != 0) {
        str_format(out->problem, sizeof(out->problem),
                   "entry %lld was altered: its hash does not match its contents",
                   (long long)r->seq);
        return ERR_INVALID;
    }
    if (strcmp(c.at, prev_at) < 0) {
        str_format(out->problem, sizeof(out->problem),
                   "entry %lld is dated %s, before entry %lld (%s): the chain was reordered or "
                   "its times altered",
                   (long long)r->seq, c.at, (long long)prev_seq, prev_at);
        return ERR_INVALID;
    }
    return 0;
}

int audit_verify(struct db *db, const char *anchor, struct audit_verify_result *out)
{
    /* Only the previous entry is kept: a chain of any length runs in constant memory. */
    char prev_at[64] = "";
    struct db_stmt *st = NULL;
    struct audit_record r;
    memset(out, 0, sizeof(*out));
    str_copy(out->head_hash, sizeof(out->head_hash), AUDIT_GENESIS);
    int rc = audit_sql_chain_open(db, &st);
    if (rc)
        goto out;
    while ((rc = audit_sql_chain_next(st, &r)) == DB_ROW) {
        rc = check_entry(&r, out->head_seq, out->head_hash, prev_at, out);
        if (rc)
            goto out;
        /* Sound: it becomes the previous entry. Its hash is 64 hex digits, as it recomputed. */
        out->entries++;
        out->head_seq = r.seq;
        str_copy(out->head_hash, sizeof(out->head_hash), r.hash);
        if (str_copy(prev_at, sizeof(prev_at), text(r.at)) != 0) {
            str_format(out->problem, sizeof(out->problem),
                       "entry %lld has a time that is not an ISO 8601 instant", (long long)r.seq);
            rc = ERR_INVALID;
            goto out;
        }
        if (anchor && !out->anchor_seq && strcmp(anchor, r.hash) == 0)
            out->anchor_seq = r.seq;
    }
    if (rc < 0)
        goto out;
    rc = 0;
    if (anchor && !out->anchor_seq) {
        str_format(out->problem, sizeof(out->problem),
                   "the chain was cut short or rewritten since head %s", anchor);
        rc = ERR_INVALID;
    }
out:
    db_finalize(st);
    return rc;
}
