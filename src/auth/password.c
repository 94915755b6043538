/* Password hashing with Argon2id and the password rules (length, not a common password). */
#include "auth/auth.h"
#include "core/err.h"

#include <sodium.h>
#include <string.h>

/* OWASP's minimum for Argon2id: 19 MiB, two passes, one lane (libsodium uses one lane). */
#define ARGON2_MEMORY (19u * 1024u * 1024u)
#define ARGON2_PASSES 2u

int auth_init(void)
{
    return sodium_init() < 0 ? ERR_UNSUPPORTED : 0;
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
    return 0;
}
