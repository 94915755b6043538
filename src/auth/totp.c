/* TOTP (RFC 6238 with liboath), the enrolment QR code as SVG (libqrencode), recovery codes, and
 * enrolment: a pending secret, then a confirming code that turns it on. */
#include "auth/auth.h"
#include "auth/auth_int.h"
#include "auth/auth_sql.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/str.h"
#include "db/db.h"

#include <liboath/oath.h>
#include <qrencode.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define TOTP_SECRET_BYTES 20
#define QR_QUIET_ZONE     4
#define QR_SVG_MAX        (256 * 1024)

/* No 0/o, 1/i/l: a code read off paper is typed right. */
static const char RECOVERY_ALPHABET[] = "23456789abcdefghjkmnpqrstuvwxyz";

int totp_secret_new(char out[TOTP_SECRET_SIZE])
{
    unsigned char raw[TOTP_SECRET_BYTES];
    char *b32 = NULL;
    size_t len = 0;
    randombytes_buf(raw, sizeof(raw));
    int rc =
        oath_base32_encode((const char *)raw, sizeof(raw), &b32, &len) == OATH_OK ? 0 : ERR_NOMEM;
    sodium_memzero(raw, sizeof(raw));
    if (!rc)
        rc = str_copy(out, TOTP_SECRET_SIZE, b32);
    if (b32) {
        sodium_memzero(b32, len);
        free(b32);
    }
    return rc;
}

int totp_code_raw(const unsigned char *key, size_t keylen, int64_t t, unsigned digits, char *out)
{
    if (digits < 6 || digits > 8 || t < 0)
        return ERR_INVALID;
    int rc = oath_totp_generate((const char *)key, keylen, (time_t)t, TOTP_STEP,
                                OATH_TOTP_DEFAULT_START_TIME, digits, out);
    return rc == OATH_OK ? 0 : ERR_INVALID;
}

static bool six_digits(const char *code)
{
    for (int i = 0; i < TOTP_DIGITS; i++)
        if (code[i] < '0' || code[i] > '9')
            return false;
    return code[TOTP_DIGITS] == '\0';
}

int totp_verify(const char *secret_b32, const char *code, int64_t t, int64_t last_step,
                int64_t *step)
{
    char *key = NULL;
    size_t keylen = 0;
    char expect[TOTP_DIGITS + 1];
    int64_t found = -1;
    int rc = 0;
    if (!six_digits(code) || t < TOTP_STEP)
        return ERR_NOTFOUND;
    if (oath_base32_decode(secret_b32, strlen(secret_b32), &key, &keylen) != OATH_OK || !keylen) {
        rc = ERR_INVALID;
        goto out;
    }
    /* The previous, current and next step (clock drift), but never a step already used. */
    int64_t now_step = t / TOTP_STEP;
    for (int64_t s = now_step - 1; s <= now_step + 1; s++) {
        if (s <= last_step)
            continue;
        rc = totp_code_raw((const unsigned char *)key, keylen, s * TOTP_STEP, TOTP_DIGITS, expect);
        if (rc)
            goto out;
        if (found < 0 && sodium_memcmp(expect, code, TOTP_DIGITS) == 0)
            found = s;
    }
    rc = found >= 0 ? 0 : ERR_NOTFOUND;
    if (!rc)
        *step = found;
out:
    sodium_memzero(expect, sizeof(expect));
    if (key) {
        sodium_memzero(key, keylen);
        free(key);
    }
    return rc;
}

/* RFC 3986 unreserved characters pass; every other byte is %XX. */
static int percent_encode(struct buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    int rc = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p && !rc; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '.' || *p == '_' || *p == '~') {
            rc = buf_append(b, p, 1);
        } else {
            char e[3] = {'%', hex[*p >> 4], hex[*p & 15]};
            rc = buf_append(b, e, 3);
        }
    }
    return rc;
}

char *totp_uri(const char *secret_b32, const char *account)
{
    static const char issuer[] = "Värn";
    struct buf b;
    buf_init(&b, 2048);
    int rc = buf_append_str(&b, "otpauth://totp/");
    if (!rc)
        rc = percent_encode(&b, issuer);
    if (!rc)
        rc = buf_append_str(&b, ":");
    if (!rc)
        rc = percent_encode(&b, account);
    if (!rc)
        rc = buf_append_str(&b, "?secret=");
    if (!rc)
        rc = buf_append_str(&b, secret_b32);
    if (!rc)
        rc = buf_append_str(&b, "&issuer=");
    if (!rc)
        rc = percent_encode(&b, issuer);
    if (!rc)
        rc = buf_printf(&b, "&algorithm=SHA1&digits=%d&period=%d", TOTP_DIGITS, TOTP_STEP);
    if (rc) {
        if (b.data)
            sodium_memzero(b.data, b.len);
        buf_release(&b);
        return NULL;
    }
    return buf_detach(&b, NULL);
}

char *qr_svg(const char *text)
{
    QRcode *qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (!qr)
        return NULL;
    int w = qr->width, size = w + 2 * QR_QUIET_ZONE;
    struct buf b;
    buf_init(&b, QR_SVG_MAX);
    /* A white square under everything keeps the quiet zone light on a dark page. */
    int rc = buf_printf(&b,
                        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
                        "width=\"%d\" height=\"%d\" shape-rendering=\"crispEdges\" role=\"img\" "
                        "aria-label=\"QR code\"><rect width=\"%d\" height=\"%d\" "
                        "fill=\"#ffffff\"/><path fill=\"#000000\" d=\"",
                        size, size, size * 4, size * 4, size, size);
    for (int y = 0; y < w && !rc; y++) {
        for (int x = 0; x < w && !rc;) {
            if (!(qr->data[y * w + x] & 1)) {
                x++;
                continue;
            }
            int run = 1;
            while (x + run < w && (qr->data[y * w + x + run] & 1))
                run++;
            rc = buf_printf(&b, "M%d %dh%dv1h-%dz", x + QR_QUIET_ZONE, y + QR_QUIET_ZONE, run, run);
            x += run;
        }
    }
    if (!rc)
        rc = buf_append_str(&b, "\"/></svg>");
    QRcode_free(qr);
    if (rc) {
        buf_release(&b);
        return NULL;
    }
    return buf_detach(&b, NULL);
}

void recovery_code_new(char out[RECOVERY_CODE_SIZE])
{
    for (int i = 0; i < 9; i++)
        out[i] =
            i == 4 ? '-' : RECOVERY_ALPHABET[randombytes_uniform(sizeof(RECOVERY_ALPHABET) - 1)];
    out[9] = '\0';
}

int recovery_code_normalise(const char *in, char out[RECOVERY_CODE_SIZE])
{
    int n = 0;
    for (const char *p = in; *p; p++) {
        char c = *p;
        if (c == ' ' || c == '-')
            continue;
        if (c >= 'A' && c <= 'Z')
            c = (char)(c + 32);
        if (!strchr(RECOVERY_ALPHABET, c) || n >= 8)
            return ERR_INVALID;
        out[n < 4 ? n : n + 1] = c;
        n++;
    }
    if (n != 8)
        return ERR_INVALID;
    out[4] = '-';
    out[9] = '\0';
    return 0;
}

static void refuse(struct auth_result *out, const char *code, const char *why)
{
    out->outcome = AUTH_REFUSED;
    out->code = code;
    out->why = why;
}

int mfa_enrol_begin(struct db *db, const struct caller *c, char secret[TOTP_SECRET_SIZE],
                    char **uri, char **svg, struct auth_result *out)
{
    int64_t org_id = 0, ignored;
    memset(out, 0, sizeof(*out));
    *uri = *svg = NULL;
    int rc = totp_secret_new(secret);
    if (!rc)
        rc = auth_sql_person_find(db, c->actor, &ignored, &org_id);
    if (!rc)
        rc = db_begin(db);
    if (rc)
        goto out;
    rc = auth_sql_totp_pending(db, c->person_id, secret);
    if (rc == ERR_CONFLICT) {
        /* Nothing changed: the commit below only ends the transaction. */
        refuse(out, "mfa_already_enabled",
               "two-step verification is already set up; an administrator can reset it");
        rc = 0;
    } else if (!rc) {
        rc = auth_audit(db, c, NULL, "mfa.enrol_begin", c->actor, org_id, NULL);
    }
    if (!rc)
        rc = db_commit(db);
    if (rc)
        db_rollback(db);
    if (!rc && out->outcome == AUTH_OK) {
        *uri = totp_uri(secret, c->actor);
        *svg = *uri ? qr_svg(*uri) : NULL;
        if (!*uri || !*svg)
            rc = ERR_NOMEM;
    }
out:
    if (rc || out->outcome != AUTH_OK) {
        sodium_memzero(secret, TOTP_SECRET_SIZE);
        if (*uri)
            sodium_memzero(*uri, strlen(*uri));
        free(*uri);
        free(*svg);
        *uri = *svg = NULL;
    }
    return rc;
}

/* The confirmation inside its transaction. A refusal changes nothing; a wrong code is counted
 * and audited, and that is committed like a success. */
static int confirm_tx(struct db *db, const struct caller *c, const char *code, int64_t org_id,
                      const char *key, struct auth_credential_row *cred,
                      char codes[RECOVERY_CODES][RECOVERY_CODE_SIZE], struct auth_result *out)
{
    int64_t now = clock_now(), step = 0, failures = 0, blocked = 0, session_id = 0;
    char hash[65];
    bool blocked_now = false;
    int rc = throttle_gate(db, c, key, org_id, now, "mfa.blocked", out, &blocked_now);
    if (rc || blocked_now)
        return rc;
    rc = auth_sql_credential(db, c->person_id, cred);
    if (rc)
        return rc;
    if (cred->enabled) {
        refuse(out, "mfa_already_enabled", "two-step verification is already set up");
        return 0;
    }
    if (!cred->secret[0]) {
        refuse(out, "mfa_not_started", "start the set-up with POST /api/v1/me/mfa first");
        return 0;
    }
    rc = totp_verify(cred->secret, code, now, -1, &step);
    if (rc == ERR_NOTFOUND) {
        out->outcome = AUTH_INVALID;
        rc = throttle_fail(db, key, &THROTTLE_ACCOUNT, now, &failures, &blocked);
        if (!rc)
            rc = auth_audit(db, c, NULL, "mfa.enrol_failure", c->actor, org_id,
                            json_pack("{s:I}", "failures", (json_int_t)failures));
        return rc;
    }
    if (!rc)
        rc = auth_sql_totp_enable(db, c->person_id, cred->secret, step);
    if (!rc)
        rc = auth_sql_recovery_delete(db, c->person_id);
    for (int i = 0; i < RECOVERY_CODES && !rc; i++) {
        recovery_code_new(codes[i]);
        auth_sha256_hex(codes[i], hash);
        rc = auth_sql_recovery_insert(db, c->person_id, hash);
    }
    if (!rc)
        rc = throttle_clear(db, key);
    if (!rc)
        rc = session_rotate(db, c, now, out->token, &session_id);
    if (!rc)
        rc =
            auth_audit(db, c, NULL, "mfa.enrol", c->actor, org_id,
                       json_pack("{s:s, s:i}", "method", "totp", "recovery_codes", RECOVERY_CODES));
    return rc;
}

int mfa_enrol_confirm(struct db *db, const struct caller *c, const char *code,
                      char codes[RECOVERY_CODES][RECOVERY_CODE_SIZE], struct auth_result *out)
{
    struct auth_credential_row cred;
    char key[AUTH_KEY_SIZE];
    int64_t org_id = 0, ignored;
    memset(out, 0, sizeof(*out));
    memset(&cred, 0, sizeof(cred));
    int rc = auth_account_key(c->actor, key);
    if (!rc)
        rc = auth_sql_person_find(db, c->actor, &ignored, &org_id);
    if (!rc)
        rc = db_begin(db);
    if (rc)
        goto out;
    rc = confirm_tx(db, c, code, org_id, key, &cred, codes, out);
    if (!rc)
        rc = db_commit(db);
    if (rc)
        db_rollback(db);
out:
    sodium_memzero(&cred, sizeof(cred));
    if (rc || out->outcome != AUTH_OK) {
        sodium_memzero(codes, RECOVERY_CODES * RECOVERY_CODE_SIZE);
        sodium_memzero(out->token, sizeof(out->token));
    }
    return rc;
}
