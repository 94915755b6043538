/* Directory import: validation of sources and their group maps, sync requests and history,
 * the run of one sync (read the directory outside any transaction, then apply the snapshot in
 * one), and the helpers that turn directory values into Värn's. */
#include "access/directory.h"
#include "access/directory_sql.h"
#include "access/workflow_util.h"
#include "catalog/cat_common.h"
#include "catalog/catalog_sql.h"
#include "core/err.h"
#include "core/log.h"
#include "core/str.h"
#include "db/db.h"
#include "engine/rule.h"
#include "org/org_sql.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define ENTITLEMENT_MAX 200
#define CHANGES_PAGE    100
#define SYNCS_PAGE      50

/* ---- cursors: base64url of "<kind>:<n>" ---- */

static int page_limit(const char *limit, int64_t dflt, int *out, struct json_problem *p)
{
    int64_t n = dflt;
    if (wf_given(limit) && str_to_int64(limit, 1, ORG_PAGE_MAX, &n))
        return cat_reject(p, 422, "out_of_range", "limit", "limit är ett heltal från 1 till %d",
                          ORG_PAGE_MAX);
    *out = (int)n;
    return 0;
}

/* ---- pure helpers ---- */

int dir_dn_normalise(const char *dn, char *out, size_t size)
{
    size_t n = 0;
    for (const char *s = dn; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == ' ') {
            /* Spaces next to a separator are not part of the DN's values. */
            const char *t = s;
            while (*t == ' ')
                t++;
            bool before = *t == ',' || *t == '=' || *t == '+' || *t == '\0';
            bool after = n == 0 || out[n - 1] == ',' || out[n - 1] == '=' || out[n - 1] == '+';
            if (before || after) {
                s = t - 1;
                continue;
            }
        }
        if (n + 1 >= size)
            return ERR_TOOBIG;
        out[n++] = (char)tolower(c);
    }
    if (size == 0)
        return ERR_TOOBIG;
    out[n] = '\0';
    return 0;
}

static bool all_digits(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s))
            return false;
    return true;
}

int dir_time_value(const char *value, char out[CLOCK_ISO_LEN])
{
    out[0] = '\0';
    size_t len = strlen(value);
    if (all_digits(value) && len != 14 && len <= 19) {
        /* An AD FILETIME: 100 ns intervals since 1601-01-01; 0 and the largest value mean
         * never. */
        int64_t ft;
        if (str_to_int64(value, 0, INT64_MAX, &ft))
            return ERR_INVALID;
        if (ft == 0 || ft == INT64_MAX)
            return 0;
        int64_t t = ft / 10000000 - 11644473600LL;
        if (t < 0)
            return 0;
        clock_format(t, out);
        return 0;
    }
    /* A generalizedTime YYYYMMDDHHMMSS[.f](Z|±HHMM); only UTC is accepted. */
    if (len < 15 || !isdigit((unsigned char)value[13]))
        return ERR_INVALID;
    for (int i = 0; i < 14; i++)
        if (!isdigit((unsigned char)value[i]))
            return ERR_INVALID;
    const char *z = value + 14;
    if (*z == '.' || *z == ',') {
        z++;
        while (isdigit((unsigned char)*z))
            z++;
    }
    if (strcmp(z, "Z") != 0)
        return ERR_INVALID;
    char iso[CLOCK_ISO_LEN];
    int64_t t;
    str_format(iso, sizeof(iso), "%.4s-%.2s-%.2sT%.2s:%.2s:%.2sZ", value, value + 4, value + 6,
               value + 8, value + 10, value + 12);
    if (clock_parse(iso, &t))
        return ERR_INVALID;
    clock_format(t, out);
    return 0;
}

int dir_bool_value(const char *value, bool *out)
{
    static const char *const yes[] = {"TRUE", "yes", "1", "ja", NULL};
    static const char *const no[] = {"FALSE", "no", "0", "nej", NULL};
    for (int i = 0; yes[i]; i++) {
        if (strcasecmp(value, yes[i]) == 0) {
            *out = true;
            return 0;
        }
        if (strcasecmp(value, no[i]) == 0) {
            *out = false;
            return 0;
        }
    }
    return ERR_INVALID;
}

int dir_disabled_value(const char *attr, const char *value, bool *out)
{
    if (strcasecmp(attr, "userAccountControl") == 0) {
        int64_t uac;
        if (str_to_int64(value, INT32_MIN, UINT32_MAX, &uac))
            return ERR_INVALID;
        *out = ((uint64_t)uac & 0x2u) != 0; /* ACCOUNTDISABLE */
        return 0;
    }
    return dir_bool_value(value, out);
}

/* n, a run of digits at *s ending in unit; false when s does not start so. */
static bool duration_part(const char **s, char unit, int64_t *n)
{
    const char *t = *s;
    int64_t v = 0;
    if (!isdigit((unsigned char)*t))
        return false;
    while (isdigit((unsigned char)*t)) {
        v = v * 10 + (*t - '0');
        if (v > 99999)
            return false;
        t++;
    }
    if (*t != unit)
        return false;
    *n = v;
    *s = t + 1;
    return true;
}

int dir_interval_next(const char *interval, int64_t from, int64_t *next)
{
    struct period per = {0};
    int64_t y = 0, mo = 0, w = 0, d = 0, h = 0, mi = 0, sec = 0;
    const char *s = interval;
    bool any = false;
    if (!s || *s++ != 'P')
        return ERR_INVALID;
    any |= duration_part(&s, 'Y', &y);
    any |= duration_part(&s, 'M', &mo);
    any |= duration_part(&s, 'W', &w);
    any |= duration_part(&s, 'D', &d);
    if (*s == 'T') {
        s++;
        bool t = false;
        t |= duration_part(&s, 'H', &h);
        t |= duration_part(&s, 'M', &mi);
        t |= duration_part(&s, 'S', &sec);
        if (!t)
            return ERR_INVALID;
        any = true;
    }
    if (*s || !any)
        return ERR_INVALID;
    int64_t t = from;
    if (y || mo || w || d) {
        char date[CLOCK_ISO_LEN], later[11];
        int64_t day;
        per.years = (int)y;
        per.months = (int)mo;
        per.days = (int)(w * 7 + d);
        clock_format(from, date);
        date[10] = '\0';
        if (period_add(date, per, later) || clock_parse_date(later, &day))
            return ERR_INVALID;
        t = day + from % 86400;
    }
    t += h * 3600 + mi * 60 + sec;
    if (t - from < DIR_INTERVAL_MINS)
        return ERR_INVALID;
    *next = t;
    return 0;
}

/* ---- attributes ---- */

static bool attr_name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n >= DIR_ATTR_MAX)
        return false;
    if (isdigit((unsigned char)s[0])) { /* an OID */
        for (; *s; s++)
            if (!isdigit((unsigned char)*s) && *s != '.')
                return false;
        return true;
    }
    if (!isalpha((unsigned char)s[0]))
        return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '-')
            return false;
    return true;
}

int dir_attrs_parse(json_t *obj, struct dir_attrs *out, struct json_problem *p)
{
    static const struct {
        const char *key;
        size_t off;
    } names[] = {
        {"username", offsetof(struct dir_attrs, username)},
        {"person", offsetof(struct dir_attrs, person)},
        {"disabled", offsetof(struct dir_attrs, disabled)},
        {"last_login", offsetof(struct dir_attrs, last_login)},
        {"member_of", offsetof(struct dir_attrs, member_of)},
        {"mfa", offsetof(struct dir_attrs, mfa)},
    };
    memset(out, 0, sizeof(*out));
    str_copy(out->person_match, sizeof(out->person_match), "user_id");
    if (!json_is_object(obj))
        return cat_reject(p, 422, "invalid_value", "attributes",
                          "attributes är ett objekt som knyter Värns fält till katalogens "
                          "attribut, till exempel {\"username\": \"sAMAccountName\"}");
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v)
    {
        bool known = strcmp(key, "person_match") == 0 || strcmp(key, "start_tls") == 0;
        for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
            known |= strcmp(key, names[i].key) == 0;
        if (!known)
            return cat_reject(p, 422, "unknown_member", "attributes",
                              "attributes.%s är okänt; Värn läser username, person, "
                              "person_match, disabled, last_login, member_of, mfa och start_tls",
                              cat_shown(key));
    }
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        json_t *a = json_object_get(obj, names[i].key);
        if (!a || json_is_null(a))
            continue;
        const char *s = json_string_value(a);
        if (!s || !attr_name_ok(s))
            return cat_reject(p, 422, "invalid_value", "attributes",
                              "attributes.%s ska vara namnet på ett LDAP-attribut (bokstäver, "
                              "siffror och bindestreck, högst %d tecken)",
                              names[i].key, DIR_ATTR_MAX - 1);
        str_copy((char *)out + names[i].off, DIR_ATTR_MAX, s);
    }
    if (!out->username[0])
        return cat_reject(p, 422, "required", "attributes",
                          "attributes.username krävs: attributet som ger kontots användarnamn, "
                          "till exempel sAMAccountName");
    json_t *m = json_object_get(obj, "person_match");
    if (m && !json_is_null(m)) {
        const char *s = json_string_value(m);
        if (!s || (strcmp(s, "user_id") != 0 && strcmp(s, "email") != 0))
            return cat_reject(p, 422, "invalid_value", "attributes",
                              "attributes.person_match är user_id eller email");
        str_copy(out->person_match, sizeof(out->person_match), s);
    }
    json_t *tls = json_object_get(obj, "start_tls");
    if (tls && !json_is_null(tls)) {
        if (!json_is_boolean(tls))
            return cat_reject(p, 422, "invalid_value", "attributes",
                              "attributes.start_tls är true eller false");
        out->start_tls = json_is_true(tls);
    }
    return 0;
}

/* ---- the rows of a snapshot ---- */

static bool has_string(json_t *arr, const char *s)
{
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        const char *t = json_string_value(v);
        if (t && strcmp(t, s) == 0)
            return true;
    }
    return false;
}

long dir_missing_group(json_t *users, json_t *groups, const struct dir_map *maps, size_t nmaps)
{
    for (size_t m = 0; m < nmaps; m++) {
        bool known = json_object_get(groups, maps[m].group_dn) != NULL;
        size_t i;
        json_t *u;
        json_array_foreach(users, i, u)
        {
            if (known)
                break;
            known = has_string(json_object_get(u, "member_of"), maps[m].group_dn);
        }
        if (!known)
            return (long)m;
    }
    return -1;
}

long dir_partial_group(json_t *partial, bool member_of_read, const struct dir_map *maps,
                       size_t nmaps)
{
    for (size_t m = 0; !member_of_read && m < nmaps; m++)
        if (json_object_get(partial, maps[m].group_dn))
            return (long)m;
    return -1;
}

int dir_rows_build(json_t *users, json_t *groups, const struct dir_map *maps, size_t nmaps,
                   json_t *person_ids, struct access_row **rows, size_t *nrows)
{
    size_t cap = 0, n = 0, i;
    struct access_row *out = NULL;
    json_t *u, *seen = json_object();
    int rc = seen ? 0 : ERR_NOMEM;
    /* Members per mapped group: a set of the DNs its member values name. */
    json_t *members = json_object();
    if (!members)
        rc = ERR_NOMEM;
    for (size_t m = 0; !rc && m < nmaps; m++) {
        json_t *list = json_object_get(groups, maps[m].group_dn), *set, *v;
        size_t k;
        if (json_object_get(members, maps[m].group_dn))
            continue;
        set = json_object();
        json_array_foreach(list, k, v) json_object_set_new(set, json_string_value(v), json_true());
        if (!set || json_object_set_new(members, maps[m].group_dn, set))
            rc = ERR_NOMEM;
    }
    json_array_foreach(users, i, u)
    {
        if (rc)
            break;
        const char *dn = wf_member(u, "dn"), *username = wf_member(u, "username");
        const char *person = wf_member(u, "person");
        json_t *member_of = json_object_get(u, "member_of");
        if (!dn || !username)
            continue;
        int64_t person_id = person ? json_integer_value(json_object_get(person_ids, person)) : 0;
        for (size_t m = 0; m < nmaps; m++) {
            bool in = json_object_get(json_object_get(members, maps[m].group_dn), dn) ||
                      has_string(member_of, maps[m].group_dn);
            if (!in)
                continue;
            /* One row per (system, username, entitlement), however many groups give it. */
            char key[64 + 2 * DIR_DN_MAX];
            if (str_format(key, sizeof(key), "%lld\n%s\n%s", (long long)maps[m].system_id, username,
                           maps[m].entitlement))
                continue;
            if (json_object_get(seen, key))
                continue;
            json_object_set_new(seen, key, json_true());
            if (n == cap) {
                size_t nc = cap ? cap * 2 : 64;
                struct access_row *g = realloc(out, nc * sizeof(*out));
                if (!g) {
                    rc = ERR_NOMEM;
                    break;
                }
                out = g;
                cap = nc;
            }
            out[n++] = (struct access_row){
                .system_id = maps[m].system_id,
                .username = username,
                .person_id = person_id,
                .entitlement = maps[m].entitlement,
                .mfa_enrolled = json_is_true(json_object_get(u, "mfa")),
                .last_login = wf_member(u, "last_login"),
                .disabled = json_is_true(json_object_get(u, "disabled")),
            };
        }
    }
    json_decref(members);
    json_decref(seen);
    if (rc) {
        free(out);
        return rc;
    }
    *rows = out;
    *nrows = n;
    return 0;
}

/* ---- sources ---- */

static int reject(struct json_problem *p, const char *field, const char *fmt, const char *a)
{
    return cat_reject(p, 422, "invalid_value", field, fmt, a);
}

static bool env_name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n >= DIR_ENV_MAX || !(isupper((unsigned char)s[0]) || s[0] == '_'))
        return false;
    for (; *s; s++)
        if (!isupper((unsigned char)*s) && !isdigit((unsigned char)*s) && *s != '_')
            return false;
    return true;
}

static bool filter_ok(const char *s)
{
    int depth = 0;
    if (s[0] != '(')
        return false;
    for (; *s; s++) {
        if (*s == '(')
            depth++;
        else if (*s == ')' && --depth < 0)
            return false;
    }
    return depth == 0;
}

/* Check the source's fields in next (a body merged over the current source). */
static int source_check(json_t *next, struct dir_attrs *attrs, struct json_problem *p)
{
    const char *uri = wf_member(next, "uri"), *env = wf_member(next, "bind_password_env");
    const char *bind_dn = wf_member(next, "bind_dn"), *interval = wf_member(next, "sync_interval");
    int64_t later;
    if (!uri || !(str_starts_with(uri, "ldap://") || str_starts_with(uri, "ldaps://")))
        return reject(p, "uri",
                      "uri ska börja med ldap:// eller ldaps://, till exempel "
                      "ldaps://dc1.norrby.se%s",
                      "");
    if (env && !env_name_ok(env))
        return reject(p, "bind_password_env",
                      "bind_password_env är namnet på en miljövariabel (A-Z, 0-9 och _)%s", "");
    if (bind_dn && !env)
        return cat_reject(p, 422, "required", "bind_password_env",
                          "bind_password_env krävs med bind_dn: namnet på miljövariabeln som "
                          "håller lösenordet (lösenord lagras aldrig i Värn)");
    if (!filter_ok(wf_member(next, "user_filter")))
        return reject(p, "user_filter",
                      "user_filter är ett LDAP-filter inom parenteser, till exempel "
                      "(&(objectClass=user)(objectCategory=person))%s",
                      "");
    if (!filter_ok(wf_member(next, "group_filter")))
        return reject(p, "group_filter",
                      "group_filter är ett LDAP-filter inom parenteser, till exempel "
                      "(objectClass=group)%s",
                      "");
    if (interval && dir_interval_next(interval, clock_now(), &later))
        return reject(p, "sync_interval",
                      "sync_interval är en ISO 8601-period på minst fem minuter, till exempel "
                      "PT6H eller P1D (inte %s)",
                      cat_shown(interval));
    return dir_attrs_parse(json_object_get(next, "attributes"), attrs, p);
}

/* Resolve groups [{group_dn, system, entitlement}] and store them as the source's map. */
static int groups_apply(struct db *db, const struct org_actor *who, int64_t source_id,
                        json_t *groups, const char *at, struct json_problem *p)
{
    size_t i;
    json_t *g;
    if (!json_is_array(groups) || json_array_size(groups) > DIR_GROUPS_MAX)
        return cat_reject(p, 422, "invalid_value", "groups",
                          "groups är en lista med högst %d grupper", DIR_GROUPS_MAX);
    int rc = dir_sql_groups_clear(db, source_id);
    json_array_foreach(groups, i, g)
    {
        const char *dn = wf_member(g, "group_dn"), *sys = wf_member(g, "system");
        const char *ent = wf_member(g, "entitlement");
        char norm[DIR_DN_MAX + 1];
        json_t *row = NULL;
        int64_t ent_id = 0;
        if (rc)
            break;
        if (!json_is_object(g) || !dn || !*dn || strlen(dn) > DIR_DN_MAX ||
            dir_dn_normalise(dn, norm, sizeof(norm)) || !strchr(norm, '='))
            return cat_reject(p, 422, "invalid_value", "groups",
                              "groups[%zu].group_dn ska vara gruppens DN, till exempel "
                              "CN=Ekonomi,OU=Groups,DC=norrby,DC=se",
                              i);
        if (!sys)
            return cat_reject(p, 422, "required", "groups",
                              "groups[%zu].system krävs: systemets external_id", i);
        if (!ent || !*ent || strlen(ent) > ENTITLEMENT_MAX || strchr(ent, '\n'))
            return cat_reject(p, 422, "invalid_value", "groups",
                              "groups[%zu].entitlement krävs: behörighetens namn i systemet "
                              "(högst %d tecken, en rad)",
                              i, ENTITLEMENT_MAX);
        rc = cat_sql_system_find(db, who, sys, &row);
        if (rc == ERR_NOTFOUND)
            return cat_reject(p, 422, "unknown_system", "groups",
                              "groups[%zu].system: systemet %s finns inte", i, cat_shown(sys));
        bool created = false;
        if (!rc)
            rc = dir_sql_entitlement_ensure(db, wf_hidden(row, "_id"), ent, at, &ent_id, &created);
        if (!rc && created) {
            /* The map names an entitlement the system did not have: it is made, and audited
             * as one made by hand would be. */
            char idt[24];
            json_t *after =
                json_pack("{s:I, s:s, s:s, s:s, s:b}", "id", (json_int_t)ent_id, "system", sys,
                          "name", ent, "description", "", "privileged", 0);
            wf_id_text(ent_id, idt);
            rc = cat_audit(db, who, "entitlement.create", "entitlement", idt,
                           wf_hidden(row, "_organisation_id"), NULL, after);
            json_decref(after);
        }
        json_decref(row);
        if (!rc)
            rc = dir_sql_group_add(db, source_id, norm, ent_id);
    }
    return rc;
}

static json_t *sync_public(json_t *row)
{
    return row ? cat_public(row) : json_null();
}

/* The source with its group map and last sync, as the API shows it. */
static int source_full(struct db *db, int64_t id, json_t **out)
{
    json_t *row = NULL, *groups = json_array(), *attrs;
    int64_t last = 0;
    int rc = dir_sql_source_by_id(db, id, &row);
    if (!rc)
        rc = dir_sql_groups(db, id, groups);
    if (!rc)
        rc = dir_sql_sync_last(db, id, &last);
    json_t *sync = NULL;
    if (!rc && last)
        rc = dir_sql_sync_by_id(db, last, &sync);
    if (rc) {
        json_decref(row);
        json_decref(groups);
        json_decref(sync);
        return rc;
    }
    attrs = json_loads(wf_member(row, "attributes"), 0, NULL);
    json_object_set_new(row, "attributes", attrs ? attrs : json_object());
    size_t i;
    json_t *g, *pub = json_array();
    json_array_foreach(groups, i, g) json_array_append_new(pub, cat_public(g));
    json_decref(groups);
    json_object_set_new(row, "groups", pub);
    json_object_set_new(row, "last_sync", sync_public(sync));
    json_decref(sync);
    *out = row;
    return 0;
}

static const char *const SOURCE_TEXT[] = {
    "name",         "uri",           "bind_dn", "bind_password_env", "base_dn", "user_filter",
    "group_filter", "sync_interval", NULL};

static int source_apply(struct db *db, const struct org_actor *who, json_t *in, json_t *cur,
                        json_t **out, struct json_problem *p)
{
    char at[CLOCK_ISO_LEN], next_at[CLOCK_ISO_LEN], idt[24];
    struct dir_source_write w = {0};
    struct dir_attrs attrs;
    struct org_row org = {0};
    json_t *next = cur ? json_deep_copy(cur) : json_object(), *before = NULL, *full = NULL;
    char *attr_text = NULL;
    bool taken = false;
    int rc = 0;
    wf_now(at);
    json_object_update(next, in);
    if (!cur) {
        const char *code = wf_member(in, "organisation");
        char norm[ORG_CODE_MAX + 1];
        const char *why;
        if (!code || org_code_normalise(code, norm, &why))
            rc = cat_unknown_org(p, "organisation", code);
        if (!rc) {
            rc = org_sql_org_find(db, who, norm, &org);
            if (rc == ERR_NOTFOUND)
                rc = cat_unknown_org(p, "organisation", norm);
        }
        w.organisation_id = org.id;
    } else {
        w.id = wf_hidden(cur, "id");
        w.organisation_id = wf_hidden(cur, "_organisation_id");
    }
    if (!rc)
        rc = source_check(next, &attrs, p);
    w.name = wf_member(next, "name");
    w.uri = wf_member(next, "uri");
    w.bind_dn = wf_member(next, "bind_dn");
    w.bind_password_env = wf_member(next, "bind_password_env");
    w.base_dn = wf_member(next, "base_dn");
    w.user_filter = wf_member(next, "user_filter");
    w.group_filter = wf_member(next, "group_filter");
    w.sync_interval = wf_member(next, "sync_interval");
    w.next_sync_at = wf_member(next, "next_sync_at");
    if (!rc)
        rc = dir_sql_source_taken(db, w.organisation_id, w.name, w.id, &taken);
    if (!rc && taken)
        rc = cat_reject(p, 409, "duplicate", "name",
                        "organisationen har redan en katalogkälla som heter %s", cat_shown(w.name));
    /* A new or changed interval starts counting now; the first sync is asked for by hand. */
    json_t *iv = json_object_get(in, "sync_interval");
    if (!rc && (iv || !cur)) {
        int64_t t;
        w.next_sync_at = NULL;
        if (w.sync_interval && dir_interval_next(w.sync_interval, clock_now(), &t) == 0) {
            clock_format(t, next_at);
            w.next_sync_at = next_at;
        }
    }
    if (!rc) {
        attr_text = json_dumps(json_object_get(next, "attributes"), JSON_COMPACT | JSON_SORT_KEYS);
        w.attributes = attr_text;
        rc = attr_text ? 0 : ERR_NOMEM;
    }
    if (!rc && cur) {
        before = json_deep_copy(cur);
        json_object_del(before, "last_sync");
        json_t *pb = cat_public(before);
        json_decref(before);
        before = pb;
    }
    if (!rc)
        rc = cur ? dir_sql_source_update(db, &w, at) : dir_sql_source_insert(db, &w, at);
    if (!rc && json_object_get(in, "groups"))
        rc = groups_apply(db, who, w.id, json_object_get(in, "groups"), at, p);
    if (!rc)
        rc = source_full(db, w.id, &full);
    if (!rc) {
        *out = cat_public(full);
        wf_id_text(w.id, idt);
        json_t *after = json_deep_copy(*out);
        json_object_del(after, "last_sync");
        rc = cat_audit(db, who, cur ? "directory_source.update" : "directory_source.create",
                       "directory_source", idt, w.organisation_id, before, after);
        json_decref(after);
    }
    free(attr_text);
    json_decref(next);
    json_decref(before);
    json_decref(full);
    return rc;
}

/* The source id_s in reach, full, or ERR_NOTFOUND. */
static int source_find(struct db *db, const struct org_actor *who, const char *id_s, json_t **out)
{
    int64_t id;
    json_t *row = NULL;
    int rc = wf_path_id(id_s, &id);
    if (!rc)
        rc = dir_sql_source_find(db, who, id, &row);
    if (!rc)
        rc = source_full(db, id, out);
    json_decref(row);
    return rc;
}

int dir_source_create(struct db *db, const struct org_actor *who, json_t *body, json_t **out,
                      struct json_problem *p)
{
    *out = NULL;
    if (!json_object_get(body, "attributes"))
        return cat_reject(p, 422, "required", "attributes",
                          "attributes krävs, till exempel {\"username\": \"sAMAccountName\"}");
    for (int i = 0; SOURCE_TEXT[i]; i++)
        if (json_is_null(json_object_get(body, SOURCE_TEXT[i])))
            json_object_del(body, SOURCE_TEXT[i]);
    int rc = db_begin(db);
    if (rc)
        return rc;
    return cat_finish(db, source_apply(db, who, body, NULL, out, p), out);
}

int dir_source_update(struct db *db, const struct org_actor *who, const char *id, json_t *body,
                      json_t **out, struct json_problem *p)
{
    *out = NULL;
    /* Members set to null are cleared: they must be absent from the merged object. */
    const char *key;
    json_t *v;
    void *tmp;
    json_t *clean = json_object();
    json_object_foreach_safe(body, tmp, key, v)
    {
        if (!json_is_null(v))
            json_object_set(clean, key, v);
    }
    int rc = db_begin(db);
    if (rc) {
        json_decref(clean);
        return rc;
    }
    json_t *cur = NULL;
    int64_t nid;
    rc = wf_path_id(id, &nid);
    if (!rc)
        rc = source_find(db, who, id, &cur);
    if (!rc) {
        json_object_foreach(body, key, v) if (json_is_null(v)) json_object_del(cur, key);
        if (json_is_null(json_object_get(body, "sync_interval")))
            json_object_del(cur, "next_sync_at"); /* no interval, no schedule */
        rc = source_apply(db, who, clean, cur, out, p);
    }
    json_decref(cur);
    json_decref(clean);
    return cat_finish(db, rc, out);
}

int dir_source_groups_put(struct db *db, const struct org_actor *who, const char *id, json_t *body,
                          json_t **out, struct json_problem *p)
{
    json_t *in = json_pack("{s:O}", "groups", json_object_get(body, "groups"));
    *out = NULL;
    int rc = db_begin(db);
    if (rc) {
        json_decref(in);
        return rc;
    }
    json_t *cur = NULL;
    rc = source_find(db, who, id, &cur);
    if (!rc)
        rc = source_apply(db, who, in, cur, out, p);
    json_decref(cur);
    json_decref(in);
    return cat_finish(db, rc, out);
}

int dir_source_get(struct db *db, const struct org_actor *who, const char *id, json_t **out)
{
    json_t *full = NULL;
    int rc = source_find(db, who, id, &full);
    if (!rc)
        *out = cat_public(full);
    json_decref(full);
    return rc;
}

int dir_source_list(struct db *db, const struct org_actor *who, const char *limit,
                    const char *cursor, json_t **out, struct json_problem *p)
{
    int page;
    int64_t after = 0;
    int rc = page_limit(limit, ORG_PAGE_DEFAULT, &page, p);
    if (!rc && wf_given(cursor))
        rc = wf_cursor_read(cursor, 'D', &after, p);
    if (rc)
        return rc;
    json_t *rows = json_array(), *items = json_array(), *next = json_null();
    rc = dir_sql_source_list(db, who, after, page + 1, rows);
    size_t n = json_array_size(rows);
    for (size_t i = 0; !rc && i < n && i < (size_t)page; i++) {
        json_t *full = NULL;
        rc = source_full(db, wf_hidden(json_array_get(rows, i), "id"), &full);
        if (!rc)
            json_array_append_new(items, cat_public(full));
        json_decref(full);
    }
    if (!rc && n > (size_t)page) {
        char c[WF_CURSOR_MAX];
        wf_cursor_make('D', wf_hidden(json_array_get(rows, (size_t)page - 1), "id"), c);
        next = json_string(c);
    }
    json_decref(rows);
    if (rc) {
        json_decref(items);
        json_decref(next);
        return rc;
    }
    *out = json_pack("{s:o, s:o}", "items", items, "next_cursor", next);
    return 0;
}

/* ---- syncs ---- */

int dir_sync_queue(struct db *db, int64_t source_id, const char *actor, int64_t *sync_id)
{
    char at[CLOCK_ISO_LEN];
    int64_t active = 0;
    wf_now(at);
    int rc = dir_sql_sync_active(db, source_id, &active);
    if (!rc && active) {
        *sync_id = active;
        return ERR_CONFLICT;
    }
    if (!rc)
        rc = dir_sql_sync_insert(db, source_id, actor, at, sync_id);
    return rc;
}

static int request_apply(struct db *db, const struct org_actor *who, const char *id_s, json_t **out,
                         struct json_problem *p)
{
    json_t *row = NULL, *sync = NULL;
    int64_t id, sync_id = 0;
    char idt[24];
    int rc = wf_path_id(id_s, &id);
    if (!rc)
        rc = dir_sql_source_find(db, who, id, &row);
    if (!rc) {
        rc = dir_sync_queue(db, id, who->actor, &sync_id);
        if (rc == ERR_CONFLICT)
            rc = cat_reject(p, 409, "sync_in_progress", NULL,
                            "en synkronisering av källan pågår redan (id %lld); vänta tills den "
                            "är klar",
                            (long long)sync_id);
    }
    if (!rc)
        rc = dir_sql_sync_by_id(db, sync_id, &sync);
    if (!rc) {
        *out = cat_public(sync);
        wf_id_text(sync_id, idt);
        rc = cat_audit(db, who, "directory_sync.request", "directory_sync", idt,
                       wf_hidden(row, "_organisation_id"), NULL, *out);
    }
    json_decref(row);
    json_decref(sync);
    return rc;
}

int dir_sync_request(struct db *db, const struct org_actor *who, const char *id, json_t **out,
                     struct json_problem *p)
{
    *out = NULL;
    int rc = db_begin(db);
    if (rc)
        return rc;
    rc = cat_finish(db, request_apply(db, who, id, out, p), out);
    if (!rc)
        dir_worker_wake();
    return rc;
}

int dir_sync_list(struct db *db, const struct org_actor *who, const char *id_s, const char *limit,
                  const char *cursor, json_t **out, struct json_problem *p)
{
    int page;
    int64_t id, before = 0;
    json_t *row = NULL;
    int rc = wf_path_id(id_s, &id);
    if (!rc)
        rc = dir_sql_source_find(db, who, id, &row);
    json_decref(row);
    if (!rc)
        rc = page_limit(limit, SYNCS_PAGE, &page, p);
    if (!rc && wf_given(cursor))
        rc = wf_cursor_read(cursor, 'S', &before, p);
    if (rc)
        return rc;
    json_t *rows = json_array(), *items = json_array(), *next = json_null();
    rc = dir_sql_sync_list(db, id, before, page + 1, rows);
    size_t n = json_array_size(rows);
    for (size_t i = 0; !rc && i < n && i < (size_t)page; i++)
        json_array_append_new(items, cat_public(json_array_get(rows, i)));
    if (!rc && n > (size_t)page) {
        char c[WF_CURSOR_MAX];
        wf_cursor_make('S', wf_hidden(json_array_get(rows, (size_t)page - 1), "id"), c);
        next = json_string(c);
    }
    json_decref(rows);
    if (rc) {
        json_decref(items);
        json_decref(next);
        return rc;
    }
    *out = json_pack("{s:o, s:o}", "items", items, "next_cursor", next);
    return 0;
}

int dir_sync_get(struct db *db, const struct org_actor *who, const char *id_s, const char *sync_s,
                 const char *change, const char *limit, const char *cursor, json_t **out,
                 struct json_problem *p)
{
    int page;
    int64_t id, sync_id, offset = 0;
    json_t *row = NULL, *sync = NULL;
    int rc = wf_path_id(id_s, &id);
    if (!rc)
        rc = wf_path_id(sync_s, &sync_id);
    if (!rc)
        rc = dir_sql_source_find(db, who, id, &row);
    json_decref(row);
    if (!rc)
        rc = dir_sql_sync_by_id(db, sync_id, &sync);
    if (!rc && wf_hidden(sync, "_source_id") != id)
        rc = ERR_NOTFOUND;
    if (!rc)
        rc = page_limit(limit, CHANGES_PAGE, &page, p);
    if (!rc && wf_given(change) && strcmp(change, "new") != 0 && strcmp(change, "removed") != 0 &&
        strcmp(change, "changed") != 0)
        rc = cat_reject(p, 422, "invalid_value", "change", "change är new, removed eller changed");
    if (!rc && wf_given(cursor))
        rc = wf_cursor_read(cursor, 'C', &offset, p);
    json_t *rows = json_array(), *next = json_null();
    if (!rc)
        rc = dir_sql_changes(db, sync_id, wf_given(change) ? change : NULL, offset, page + 1, rows);
    if (!rc && json_array_size(rows) > (size_t)page) {
        char c[WF_CURSOR_MAX];
        json_array_remove(rows, (size_t)page);
        wf_cursor_make('C', offset + page, c);
        next = json_string(c);
    }
    if (rc) {
        json_decref(sync);
        json_decref(rows);
        json_decref(next);
        return rc;
    }
    *out = cat_public(sync);
    json_decref(sync);
    json_object_set_new(*out, "changes",
                        json_pack("{s:o, s:o}", "items", rows, "next_cursor", next));
    return 0;
}

/* ---- running a sync ---- */

static int directory_timeout(void)
{
    const char *s = getenv("VARN_DIRECTORY_TIMEOUT");
    int64_t n;
    if (s && *s && str_to_int64(s, 1, 600, &n) == 0)
        return (int)n;
    if (s && *s)
        log_msg("warn", "VARN_DIRECTORY_TIMEOUT '%s' is not 1 to 600 seconds: using %d", s,
                DIR_TIMEOUT);
    return DIR_TIMEOUT;
}

/* Read and map the directory of source src; rows into *rows (strings borrowed from *users
 * and *maps_json). A Swedish error in msg on failure. */
static int sync_read(struct db *db, json_t *src, json_t **users, json_t **groups_out,
                     json_t **map_rows, struct dir_map **maps, size_t *nmaps, json_t **people,
                     char *msg, size_t msglen)
{
    struct dir_attrs attrs;
    struct json_problem p = {0};
    json_t *attr_json = json_loads(wf_member(src, "attributes"), 0, NULL);
    int rc = dir_attrs_parse(attr_json, &attrs, &p);
    json_decref(attr_json);
    if (rc) {
        str_format(msg, msglen, "källans attribut är ogiltiga: %s", p.detail);
        return ERR_INVALID;
    }
    const char *env = wf_member(src, "bind_password_env"), *password = NULL;
    if (env) {
        password = getenv(env);
        if (!password) {
            str_format(msg, msglen,
                       "miljövariabeln %s med lösenordet för %s är inte satt för varn-processen",
                       env, wf_member(src, "bind_dn") ? wf_member(src, "bind_dn") : "inloggningen");
            return ERR_INVALID;
        }
    }
    *map_rows = json_array();
    rc = dir_sql_groups(db, wf_hidden(src, "id"), *map_rows);
    if (!rc && json_array_size(*map_rows) == 0) {
        str_format(msg, msglen,
                   "källan har inga grupper kopplade till behörigheter; lägg till "
                   "dem i groups");
        return ERR_INVALID;
    }
    if (rc)
        return rc;
    size_t n = json_array_size(*map_rows), i;
    json_t *g;
    *maps = calloc(n, sizeof(**maps));
    if (!*maps)
        return ERR_NOMEM;
    json_array_foreach(*map_rows, i, g)
    {
        (*maps)[i] = (struct dir_map){.group_dn = wf_member(g, "group_dn"),
                                      .system_id = wf_hidden(g, "_system_id"),
                                      .entitlement = wf_member(g, "entitlement")};
    }
    *nmaps = n;
    struct dir_conn c = {
        .uri = wf_member(src, "uri"),
        .bind_dn = wf_member(src, "bind_dn"),
        .password = password,
        .base_dn = wf_member(src, "base_dn"),
        .user_filter = wf_member(src, "user_filter"),
        .group_filter = wf_member(src, "group_filter"),
        .attrs = &attrs,
        .timeout = directory_timeout(),
    };
    json_t *partial = NULL;
    rc = dir_ldap_read(&c, users, groups_out, &partial, msg, msglen);
    if (rc)
        return rc;
    long cut = dir_partial_group(partial, attrs.member_of[0] != '\0', *maps, *nmaps);
    json_decref(partial);
    if (cut >= 0) {
        str_format(msg, msglen,
                   "gruppen %s har fler medlemmar än katalogen ger i ett svar (member;range); "
                   "ange member_of (memberOf) i källans attribut så att medlemskapen läses från "
                   "användarna",
                   (*maps)[cut].group_dn);
        return ERR_TOOBIG;
    }
    *people = json_object();
    bool by_email = strcmp(attrs.person_match, "email") == 0;
    rc = dir_sql_people(db, wf_hidden(src, "_organisation_id"), by_email, *people);
    if (!rc) {
        /* Match case-blind: user ids are lower case, and e-mail addresses are compared so. */
        json_t *u;
        json_array_foreach(*users, i, u)
        {
            const char *v = wf_member(u, "person");
            char low[320];
            if (!v || str_copy(low, sizeof(low), v))
                continue;
            for (char *s = low; *s; s++)
                *s = (char)tolower((unsigned char)*s);
            json_object_set_new(u, "person", json_string(low));
        }
    }
    return rc;
}

static int record_failure(struct db *db, int64_t sync_id, json_t *src, const char *actor,
                          const char *error)
{
    char at[CLOCK_ISO_LEN], idt[24];
    struct org_actor who = {.everything = true, .actor = actor};
    wf_now(at);
    wf_id_text(sync_id, idt);
    int rc = db_begin(db);
    if (rc)
        return rc;
    rc = dir_sql_sync_failed(db, sync_id, at, error);
    if (!rc) {
        json_t *after = json_pack("{s:s, s:s}", "status", "failed", "error", error);
        rc = cat_audit(db, &who, "directory_sync.fail", "directory_sync", idt,
                       src ? wf_hidden(src, "_organisation_id") : 0, NULL, after);
        json_decref(after);
    }
    return rc ? (db_rollback(db), rc) : db_commit(db);
}

static int apply_rows(struct db *db, int64_t sync_id, json_t *src, const char *actor,
                      const struct dir_map *maps, size_t nmaps, const struct access_row *rows,
                      size_t nrows, struct access_changes *counts)
{
    char at[CLOCK_ISO_LEN], idt[24];
    int64_t *systems = calloc(nmaps ? nmaps : 1, sizeof(*systems));
    size_t ns = 0;
    if (!systems)
        return ERR_NOMEM;
    for (size_t i = 0; i < nmaps; i++) {
        bool dup = false;
        for (size_t j = 0; j < ns; j++)
            dup |= systems[j] == maps[i].system_id;
        if (!dup)
            systems[ns++] = maps[i].system_id;
    }
    struct org_actor who = {.everything = true, .actor = actor};
    wf_now(at);
    wf_id_text(sync_id, idt);
    int rc = db_begin(db);
    if (!rc) {
        rc =
            access_snapshot_apply(db, systems, ns, rows, nrows, "ldap", sync_id, actor, at, counts);
        if (!rc)
            rc = dir_sql_sync_done(db, sync_id, at, counts->accounts_new, counts->accounts_removed,
                                   counts->accounts_changed, counts->grants_new,
                                   counts->grants_removed);
        if (!rc) {
            json_t *after = json_pack("{s:s, s:I, s:I, s:I, s:I, s:I}", "status", "done",
                                      "accounts_new", (json_int_t)counts->accounts_new,
                                      "accounts_removed", (json_int_t)counts->accounts_removed,
                                      "accounts_changed", (json_int_t)counts->accounts_changed,
                                      "grants_new", (json_int_t)counts->grants_new,
                                      "grants_removed", (json_int_t)counts->grants_removed);
            rc = cat_audit(db, &who, "directory_sync.done", "directory_sync", idt,
                           wf_hidden(src, "_organisation_id"), NULL, after);
            json_decref(after);
        }
        rc = rc ? (db_rollback(db), rc) : db_commit(db);
    }
    free(systems);
    return rc;
}

static int64_t monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int dir_sync_run(struct db *db, int64_t sync_id, bool *failed, struct access_changes *counts,
                 struct dir_sync_stats *stats, char *error, size_t errlen)
{
    struct dir_sync_stats st = {0};
    char at[CLOCK_ISO_LEN], actor[128] = "directory";
    json_t *sync = NULL, *src = NULL, *users = NULL, *groups = NULL, *map_rows = NULL;
    json_t *people = NULL;
    struct dir_map *maps = NULL;
    struct access_row *rows = NULL;
    size_t nmaps = 0, nrows = 0;
    bool claimed = false;
    memset(counts, 0, sizeof(*counts));
    *failed = false;
    error[0] = '\0';
    wf_now(at);
    int rc = db_begin(db);
    if (!rc) {
        rc = dir_sql_sync_claim(db, sync_id, at, &claimed);
        rc = rc ? (db_rollback(db), rc) : db_commit(db);
    }
    if (!rc && !claimed)
        return ERR_CONFLICT; /* another runner has it, or it is not queued */
    if (!rc)
        rc = dir_sql_sync_by_id(db, sync_id, &sync);
    if (!rc)
        rc = dir_sql_source_by_id(db, wf_hidden(sync, "_source_id"), &src);
    if (!rc && wf_member(sync, "requested_by"))
        str_copy(actor, sizeof(actor), wf_member(sync, "requested_by"));
    if (rc) {
        /* Claimed but unreadable: end it as failed rather than leave it running. */
        str_format(error, errlen, "synkroniseringen kunde inte läsas: %s", err_str(rc));
        *failed = true;
        rc = record_failure(db, sync_id, src, actor, error);
        goto out;
    }
    /* The directory is read with no transaction open: a slow directory holds no lock. */
    int64_t t0 = monotonic_ms();
    int read_rc =
        sync_read(db, src, &users, &groups, &map_rows, &maps, &nmaps, &people, error, errlen);
    int64_t t1 = monotonic_ms();
    long missing = read_rc ? -1 : dir_missing_group(users, groups, maps, nmaps);
    if (missing >= 0) {
        str_format(error, errlen,
                   "gruppen %s finns inte i katalogen under %s (eller matchas inte av "
                   "group_filter); rätta eller ta bort den i källans grupper",
                   maps[missing].group_dn, wf_member(src, "base_dn"));
        read_rc = ERR_NOTFOUND;
    }
    if (!read_rc && json_array_size(users) == 0) {
        /* An empty answer is far more often a wrong filter, base or permission than a directory
         * with nobody in it; taken as the truth it would remove every account it maps. */
        str_format(error, errlen,
                   "katalogen gav inga användare under %s med user_filter %s; inget ändrades",
                   wf_member(src, "base_dn"), wf_member(src, "user_filter"));
        read_rc = ERR_NOTFOUND;
    }
    if (!read_rc)
        read_rc = dir_rows_build(users, groups, maps, nmaps, people, &rows, &nrows);
    if (!read_rc)
        read_rc = apply_rows(db, sync_id, src, actor, maps, nmaps, rows, nrows, counts);
    st = (struct dir_sync_stats){.users = json_array_size(users),
                                 .groups = json_object_size(groups),
                                 .rows = nrows,
                                 .read_ms = t1 - t0,
                                 .apply_ms = monotonic_ms() - t1};
    if (read_rc) {
        if (!error[0])
            str_format(error, errlen, "synkroniseringen kunde inte sparas: %s",
                       read_rc == ERR_DB && db_errmsg(db) ? db_errmsg(db) : err_str(read_rc));
        memset(counts, 0, sizeof(*counts));
        *failed = true;
        rc = record_failure(db, sync_id, src, actor, error);
    }
out:
    if (stats)
        *stats = st;
    free(rows);
    free(maps);
    json_decref(people);
    json_decref(map_rows);
    json_decref(users);
    json_decref(groups);
    json_decref(src);
    json_decref(sync);
    return rc;
}

int dir_sync_next(struct db *db, int64_t *sync_id)
{
    return dir_sql_sync_next(db, sync_id);
}

int dir_schedule(struct db *db, int64_t now)
{
    char at[CLOCK_ISO_LEN], next_at[CLOCK_ISO_LEN];
    json_t *due = json_array(), *s;
    size_t i;
    clock_format(now, at);
    int rc = dir_sql_sources_due(db, at, due);
    json_array_foreach(due, i, s)
    {
        int64_t next, sync_id;
        if (rc)
            break;
        if (dir_interval_next(wf_member(s, "sync_interval"), now, &next))
            next = now + 86400; /* an interval this version cannot read: once a day */
        clock_format(next, next_at);
        rc = db_begin(db);
        if (rc)
            break;
        rc = dir_sql_source_next_set(db, wf_hidden(s, "id"), next_at);
        if (!rc) {
            rc = dir_sync_queue(db, wf_hidden(s, "id"), "schedule", &sync_id);
            if (rc == ERR_CONFLICT)
                rc = 0; /* one is on its way already */
        }
        rc = rc ? (db_rollback(db), rc) : db_commit(db);
    }
    json_decref(due);
    return rc;
}

int dir_recover(struct db *db)
{
    char at[CLOCK_ISO_LEN];
    wf_now(at);
    int rc = db_begin(db);
    if (rc)
        return rc;
    rc = dir_sql_sync_recover(db, at, "synkroniseringen avbröts: Värn stoppades medan den pågick");
    return rc ? (db_rollback(db), rc) : db_commit(db);
}
