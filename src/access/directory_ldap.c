/* Every libldap call of Värn: connect with timeouts, bind, and read users and groups with
 * paged searches, turning LDAP errors into Swedish sentences a CISO can act on. */
#define LDAP_DEPRECATED 0
#include "access/directory.h"
#include "core/err.h"
#include "core/str.h"

#include <ldap.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Why an LDAP call failed, in Swedish, naming what to check. */
static int ldap_problem(int lrc, const struct dir_conn *c, const char *what, char *msg,
                        size_t msglen)
{
    switch (lrc) {
    case LDAP_INVALID_CREDENTIALS:
        str_format(msg, msglen,
                   "katalogen nekade inloggningen som %s: fel användare eller lösenord (LDAP %d)",
                   c->bind_dn ? c->bind_dn : "anonym", lrc);
        break;
    case LDAP_SERVER_DOWN:
    case LDAP_CONNECT_ERROR:
        str_format(msg, msglen, "kan inte nå katalogservern %s (%s, LDAP %d)", c->uri, what, lrc);
        break;
    case LDAP_TIMEOUT:
    case LDAP_TIMELIMIT_EXCEEDED:
        str_format(msg, msglen, "katalogservern %s svarade inte inom %d sekunder (%s)", c->uri,
                   c->timeout, what);
        break;
    case LDAP_SIZELIMIT_EXCEEDED:
        str_format(msg, msglen,
                   "katalogen gav inte alla poster (%s): dess storleksgräns nåddes och den "
                   "sidindelade sökningen gick inte igenom (LDAP %d)",
                   what, lrc);
        break;
    case LDAP_ADMINLIMIT_EXCEEDED:
        str_format(msg, msglen,
                   "katalogen tillåter inte sidor om %d poster för detta konto (%s); höj dess "
                   "gräns för sidindelade sökningar (i AD: MaxPageSize) (LDAP %d)",
                   DIR_PAGE_SIZE, what, lrc);
        break;
    case LDAP_NO_SUCH_OBJECT:
        str_format(msg, msglen, "bas-DN %s finns inte i katalogen (LDAP %d)", c->base_dn, lrc);
        break;
    case LDAP_FILTER_ERROR:
        str_format(msg, msglen, "filtret för %s är inte ett giltigt LDAP-filter (LDAP %d)", what,
                   lrc);
        break;
    case LDAP_INSUFFICIENT_ACCESS:
    case LDAP_STRONG_AUTH_REQUIRED:
    case LDAP_CONFIDENTIALITY_REQUIRED:
        str_format(msg, msglen,
                   "katalogen vägrade %s: kontot saknar behörighet eller servern "
                   "kräver krypterad förbindelse (LDAP %d: %s)",
                   what, lrc, ldap_err2string(lrc));
        break;
    default:
        str_format(msg, msglen, "katalogen svarade med fel vid %s: %s (LDAP %d)", what,
                   ldap_err2string(lrc), lrc);
    }
    return ERR_IO;
}

struct reader {
    LDAP *ld;
    const struct dir_conn *c;
    json_t *users, *groups, *partial;
    char *msg;
    size_t msglen;
};

static int too_many(struct reader *r, const char *what, long max)
{
    str_format(r->msg, r->msglen,
               "katalogen gav fler än %ld %s; dela upp källan med ett snävare "
               "filter",
               max, what);
    return ERR_TOOBIG;
}

/* The first value of attr in entry e, or NULL (free with ldap_value_free_len). */
static struct berval **values(LDAP *ld, LDAPMessage *e, const char *attr)
{
    if (!attr || !*attr)
        return NULL;
    return ldap_get_values_len(ld, e, attr);
}

/* A value as a NUL-terminated copy in out; ERR_TOOBIG when it does not fit or holds a NUL. */
static int value_text(const struct berval *v, char *out, size_t size)
{
    if (v->bv_len >= size || memchr(v->bv_val, '\0', v->bv_len))
        return ERR_TOOBIG;
    memcpy(out, v->bv_val, v->bv_len);
    out[v->bv_len] = '\0';
    return 0;
}

/* The DN values of attr as normalised strings appended to arr. */
static int dn_values(struct reader *r, LDAPMessage *e, const char *attr, json_t *arr)
{
    struct berval **vals = values(r->ld, e, attr);
    char raw[DIR_DN_MAX + 1], norm[DIR_DN_MAX + 1];
    int rc = 0;
    for (size_t i = 0; vals && vals[i] && !rc; i++) {
        if (json_array_size(arr) >= DIR_MEMBERS_MAX) {
            rc = too_many(r, "värden i ett attribut", DIR_MEMBERS_MAX);
            break;
        }
        if (value_text(vals[i], raw, sizeof(raw)) || dir_dn_normalise(raw, norm, sizeof(norm)))
            continue; /* a DN longer than any Värn maps cannot match a mapped group */
        rc = json_array_append_new(arr, json_string(norm)) ? ERR_NOMEM : 0;
    }
    ldap_value_free_len(vals);
    return rc;
}

/* A single-valued text attribute into obj[key] (null when absent). */
static int text_value(struct reader *r, LDAPMessage *e, const char *attr, json_t *obj,
                      const char *key, char *buf, size_t size)
{
    struct berval **vals = values(r->ld, e, attr);
    json_t *v = json_null();
    buf[0] = '\0';
    if (vals && vals[0] && value_text(vals[0], buf, size) == 0) {
        json_t *s = json_string(buf); /* NULL for a value that is not UTF-8 */
        if (s) {
            json_decref(v);
            v = s;
        }
    }
    ldap_value_free_len(vals);
    return json_object_set_new(obj, key, v) ? ERR_NOMEM : 0;
}

static int user_entry(struct reader *r, LDAPMessage *e)
{
    const struct dir_attrs *a = r->c->attrs;
    char *dn = ldap_get_dn(r->ld, e), norm[DIR_DN_MAX + 1], buf[1024];
    char at[CLOCK_ISO_LEN] = "";
    bool disabled = false, mfa = false;
    int rc = 0;
    if (json_array_size(r->users) >= DIR_USERS_MAX) {
        ldap_memfree(dn);
        return too_many(r, "användare", DIR_USERS_MAX);
    }
    if (!dn || dir_dn_normalise(dn, norm, sizeof(norm))) {
        ldap_memfree(dn);
        return 0; /* an entry without a usable DN cannot be matched to groups */
    }
    ldap_memfree(dn);
    json_t *u = json_pack("{s:s, s:b, s:b, s:n, s:[]}", "dn", norm, "disabled", 0, "mfa", 0,
                          "last_login", "member_of");
    if (!u)
        return ERR_NOMEM;
    rc = text_value(r, e, a->username, u, "username", buf, sizeof(buf));
    if (!rc)
        rc = text_value(r, e, a->person, u, "person", buf, sizeof(buf));
    if (!rc && a->disabled[0]) {
        rc = text_value(r, e, a->disabled, u, "_disabled", buf, sizeof(buf));
        if (!rc && buf[0] && dir_disabled_value(a->disabled, buf, &disabled) == 0)
            json_object_set_new(u, "disabled", json_boolean(disabled));
    }
    if (!rc && a->mfa[0]) {
        rc = text_value(r, e, a->mfa, u, "_mfa", buf, sizeof(buf));
        if (!rc && buf[0] && dir_bool_value(buf, &mfa) == 0)
            json_object_set_new(u, "mfa", json_boolean(mfa));
    }
    if (!rc && a->last_login[0]) {
        rc = text_value(r, e, a->last_login, u, "_last_login", buf, sizeof(buf));
        if (!rc && buf[0] && dir_time_value(buf, at) == 0 && at[0])
            json_object_set_new(u, "last_login", json_string(at));
    }
    if (!rc && a->member_of[0])
        rc = dn_values(r, e, a->member_of, json_object_get(u, "member_of"));
    /* Entries without a username (computers, contacts a broad filter catches) are skipped. */
    if (!rc && json_is_string(json_object_get(u, "username")))
        rc = json_array_append(r->users, u) ? ERR_NOMEM : 0;
    json_decref(u);
    return rc;
}

static int group_entry(struct reader *r, LDAPMessage *e)
{
    char *dn = ldap_get_dn(r->ld, e), norm[DIR_DN_MAX + 1];
    int rc = 0;
    if (!dn || dir_dn_normalise(dn, norm, sizeof(norm))) {
        ldap_memfree(dn);
        return 0;
    }
    ldap_memfree(dn);
    json_t *members = json_array();
    if (!members)
        return ERR_NOMEM;
    rc = dn_values(r, e, "member", members);
    /* AD gives a group with more members than its MaxValRange (1 500) as member;range=0-1499
     * and no member: keep what came, and note the group as partial. */
    BerElement *ber = NULL;
    for (char *a = ldap_first_attribute(r->ld, e, &ber); a && !rc;
         a = ldap_next_attribute(r->ld, e, ber)) {
        if (strncasecmp(a, "member;range=", 13) == 0) {
            rc = dn_values(r, e, a, members);
            if (!rc)
                rc = json_object_set_new(r->partial, norm, json_true()) ? ERR_NOMEM : 0;
        }
        ldap_memfree(a);
    }
    ber_free(ber, 0);
    if (!rc)
        rc = json_object_set(r->groups, norm, members) ? ERR_NOMEM : 0;
    json_decref(members);
    return rc;
}

typedef int (*entry_fn)(struct reader *r, LDAPMessage *e);

/* A paged subtree search of base_dn; each entry to fn. */
static int search(struct reader *r, const char *filter, char **attrs, const char *what, entry_fn fn)
{
    struct berval cookie = {0, NULL};
    int rc = 0;
    do {
        LDAPControl *page = NULL, *ctrls[2] = {NULL, NULL}, **rctrls = NULL;
        LDAPMessage *res = NULL;
        struct timeval tv = {r->c->timeout, 0};
        int lrc = ldap_create_page_control(r->ld, DIR_PAGE_SIZE, cookie.bv_val ? &cookie : NULL, 0,
                                           &page);
        ber_memfree(cookie.bv_val);
        cookie.bv_val = NULL;
        cookie.bv_len = 0;
        if (lrc != LDAP_SUCCESS)
            return ldap_problem(lrc, r->c, what, r->msg, r->msglen);
        ctrls[0] = page;
        lrc = ldap_search_ext_s(r->ld, r->c->base_dn, LDAP_SCOPE_SUBTREE, filter, attrs, 0, ctrls,
                                NULL, &tv, 0, &res);
        ldap_control_free(page);
        if (lrc != LDAP_SUCCESS) {
            ldap_msgfree(res);
            return ldap_problem(lrc, r->c, what, r->msg, r->msglen);
        }
        for (LDAPMessage *e = ldap_first_entry(r->ld, res); e && !rc; e = ldap_next_entry(r->ld, e))
            rc = fn(r, e);
        int err = LDAP_SUCCESS;
        if (!rc &&
            ldap_parse_result(r->ld, res, &err, NULL, NULL, NULL, &rctrls, 0) != LDAP_SUCCESS)
            err = LDAP_DECODING_ERROR;
        if (!rc && err != LDAP_SUCCESS)
            rc = ldap_problem(err, r->c, what, r->msg, r->msglen);
        LDAPControl *pr =
            rctrls ? ldap_control_find(LDAP_CONTROL_PAGEDRESULTS, rctrls, NULL) : NULL;
        ber_int_t count = 0;
        if (!rc && pr &&
            ldap_parse_pageresponse_control(r->ld, pr, &count, &cookie) != LDAP_SUCCESS)
            rc = ldap_problem(LDAP_DECODING_ERROR, r->c, what, r->msg, r->msglen);
        ldap_controls_free(rctrls);
        ldap_msgfree(res);
    } while (!rc && cookie.bv_val && cookie.bv_len > 0);
    ber_memfree(cookie.bv_val);
    return rc;
}

static int connect_bind(LDAP **out, const struct dir_conn *c, char *msg, size_t msglen)
{
    LDAP *ld = NULL;
    int version = LDAP_VERSION3, lrc = ldap_initialize(&ld, c->uri);
    struct timeval tv = {c->timeout, 0};
    if (lrc != LDAP_SUCCESS) {
        str_format(msg, msglen, "adressen %s är inte en giltig LDAP-adress (LDAP %d)", c->uri, lrc);
        return ERR_INVALID;
    }
    /* Every operation is bounded: a directory that accepts but never answers must end the sync
     * with an error, not hold the worker for ever. */
    if (ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &version) != LDAP_OPT_SUCCESS ||
        ldap_set_option(ld, LDAP_OPT_NETWORK_TIMEOUT, &tv) != LDAP_OPT_SUCCESS ||
        ldap_set_option(ld, LDAP_OPT_TIMEOUT, &tv) != LDAP_OPT_SUCCESS ||
        ldap_set_option(ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF) != LDAP_OPT_SUCCESS) {
        ldap_unbind_ext_s(ld, NULL, NULL);
        str_format(msg, msglen, "kan inte ställa in LDAP-förbindelsen till %s", c->uri);
        return ERR_IO;
    }
    if (c->attrs->start_tls) {
        lrc = ldap_start_tls_s(ld, NULL, NULL);
        if (lrc != LDAP_SUCCESS) {
            ldap_problem(lrc, c, "StartTLS", msg, msglen);
            ldap_unbind_ext_s(ld, NULL, NULL);
            return ERR_IO;
        }
    }
    /* libldap takes a mutable berval: bind with a copy of the password, wiped after. */
    char password[DIR_PASSWORD_MAX];
    struct berval cred = {0, NULL};
    if (c->password) {
        if (str_copy(password, sizeof(password), c->password)) {
            ldap_unbind_ext_s(ld, NULL, NULL);
            str_format(msg, msglen, "lösenordet är längre än %d tecken", DIR_PASSWORD_MAX - 1);
            return ERR_TOOBIG;
        }
        cred.bv_val = password;
        cred.bv_len = strlen(password);
    }
    lrc = ldap_sasl_bind_s(ld, c->bind_dn, LDAP_SASL_SIMPLE, &cred, NULL, NULL, NULL);
    sodium_memzero(password, sizeof(password));
    if (lrc != LDAP_SUCCESS) {
        ldap_problem(lrc, c, "inloggningen", msg, msglen);
        ldap_unbind_ext_s(ld, NULL, NULL);
        return ERR_IO;
    }
    *out = ld;
    return 0;
}

int dir_ldap_read(const struct dir_conn *c, json_t **users, json_t **groups, json_t **partial,
                  char *msg, size_t msglen)
{
    const struct dir_attrs *a = c->attrs;
    /* libldap takes mutable attribute lists: copies of the names. */
    char copies[6][DIR_ATTR_MAX], member[] = "member";
    char *uattrs[7], *gattrs[] = {member, NULL};
    int n = 0;
    const char *names[] = {a->username,   a->person,    a->disabled,
                           a->last_login, a->member_of, a->mfa};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (names[i][0] && str_copy(copies[n], DIR_ATTR_MAX, names[i]) == 0) {
            uattrs[n] = copies[n];
            n++;
        }
    uattrs[n] = NULL;
    struct reader r = {.c = c, .msg = msg, .msglen = msglen};
    *users = *groups = *partial = NULL;
    int rc = connect_bind(&r.ld, c, msg, msglen);
    if (rc)
        return rc;
    r.users = json_array();
    r.groups = json_object();
    r.partial = json_object();
    if (!r.users || !r.groups || !r.partial)
        rc = ERR_NOMEM;
    if (!rc)
        rc = search(&r, c->user_filter, uattrs, "sökningen efter användare", user_entry);
    if (!rc)
        rc = search(&r, c->group_filter, gattrs, "sökningen efter grupper", group_entry);
    ldap_unbind_ext_s(r.ld, NULL, NULL);
    if (rc) {
        json_decref(r.users);
        json_decref(r.groups);
        json_decref(r.partial);
        if (!msg[0])
            str_format(msg, msglen, "läsningen av katalogen misslyckades: %s", err_str(rc));
        return rc;
    }
    *users = r.users;
    *groups = r.groups;
    *partial = r.partial;
    return 0;
}
