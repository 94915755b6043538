/* Password hashing with Argon2id and the password rules (length, not a common password). */
#include "auth/auth.h"
#include "core/err.h"

#include <liboath/oath.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

/* src/auth/common-passwords.txt, lower-cased and sorted by bytes at build time. */
extern const char *const auth_common_passwords[];
extern const size_t auth_common_passwords_count;

/* An Argon2id hash with the same parameters as password_hash() of a random password that was
 * thrown away: verifying anything against it fails and costs what a real verification costs.
 * (A unit test checks that its parameters still match password_hash's.) */
static const char DUMMY_HASH[PASSWORD_HASH_SIZE] =
    "$argon2id$v=19$m=19456,t=2,p=1$p/nwYGhazjCn2UO3Wy+qlA$"
    "Fy6cbmDRe34tnfaOGCbSPBzU8iOT/a4dTrBkddkT1lA";

/* OWASP's minimum for Argon2id: 19 MiB, two passes, one lane (libsodium uses one lane). */
#define ARGON2_MEMORY (19u * 1024u * 1024u)
#define ARGON2_PASSES 2u

int auth_init(void)
{
    if (sodium_init() < 0)
        return ERR_UNSUPPORTED;
    return oath_init() == OATH_OK ? 0 : ERR_UNSUPPORTED;
}

int password_hash(const char *password, char out[PASSWORD_HASH_SIZE])
{
    if (crypto_pwhash_str_alg(out, password, strlen(password), ARGON2_PASSES, ARGON2_MEMORY,
                              crypto_pwhash_ALG_ARGON2ID13) != 0)
        return ERR_NOMEM;
    return 0;
}

bool password_verify(const char *hash, const char *password)
{
    return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

void password_verify_dummy(const char *password)
{
    /* Always fails: nobody knows the password behind DUMMY_HASH. */
    volatile int rc = crypto_pwhash_str_verify(DUMMY_HASH, password, strlen(password));
    (void)rc;
}

void password_generate(char out[32])
{
    static const char alphabet[] = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    for (int i = 0; i < 20; i++)
        out[i] = alphabet[randombytes_uniform(sizeof(alphabet) - 1)];
    out[20] = '\0';
}

int auth_lower(const char *s, char *out, size_t outlen)
{
    size_t n = strlen(s);
    if (n >= outlen) {
        if (outlen)
            out[0] = '\0';
        return ERR_TOOBIG;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 'A' && c <= 'Z') {
            c = (unsigned char)(c + 32);
        } else if (c == 0xC3 && i + 1 < n) {
            /* U+00C0..U+00DE except U+00D7 (the multiplication sign): À..Þ -> à..þ. */
            unsigned char d = (unsigned char)s[i + 1];
            out[i++] = (char)c;
            c = (d >= 0x80 && d <= 0x9E && d != 0x97) ? (unsigned char)(d + 0x20) : d;
        }
        out[i] = (char)c;
    }
    out[n] = '\0';
    return 0;
}

static int compare_word(const void *key, const void *elem)
{
    return strcmp(key, *(const char *const *)elem);
}

bool password_is_common(const char *password)
{
    char lower[PASSWORD_MAX_BYTES + 1];
    if (auth_lower(password, lower, sizeof(lower)) != 0)
        return false; /* longer than any listed word */
    bool found = bsearch(lower, auth_common_passwords, auth_common_passwords_count,
                         sizeof(auth_common_passwords[0]), compare_word) != NULL;
    sodium_memzero(lower, sizeof(lower));
    return found;
}

void auth_sha256_hex(const char *s, char out[65])
{
    unsigned char d[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(d, (const unsigned char *)s, strlen(s));
    sodium_bin2hex(out, 65, d, sizeof(d));
}

/* Characters, not bytes, so that "åäö" counts as three. */
static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    return n;
}

int password_acceptable(const char *password, const char **why)
{
    if (utf8_chars(password) < PASSWORD_MIN_CHARS) {
        *why = "the password must be at least 12 characters long";
        return ERR_INVALID;
    }
    if (strlen(password) > PASSWORD_MAX_BYTES) {
        *why = "the password must be at most 1024 bytes long";
        return ERR_INVALID;
    }
    if (password_is_common(password)) {
        *why = "the password is on the list of common passwords; choose another";
        return ERR_INVALID;
    }
    return 0;
}
