/* The demo region: fictional organisations and people, created in one audited transaction. */
#include "demo/demo.h"
#include "demo/demo_access.h"
#include "demo/demo_sql.h"
#include "audit/audit.h"
#include "auth/auth.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/str.h"
#include "db/db.h"

#include <sodium.h>
#include <string.h>

#define ACTOR "cli:demo"
#define DAY   86400

struct demo_org {
    const char *code;
    const char *name;
    const char *kind;
    const char *parent; /* code of the parent */
    const char *org_number;
};

/* Below the IT centre that 'varn init' created. The organisationsnummer are Luhn-valid: 212000-
 * is the series of Swedish municipalities, 556 that of limited companies. */
static const struct demo_org ORGS[] = {
    {"NORRBY", "Norrby kommun", "municipality", "ITC", "212000-0316"},
    {"SODERAS", "Söderås kommun", "municipality", "ITC", "212000-0498"},
    {"VASTERFJALL", "Västerfjäll kommun", "municipality", "ITC", "212000-0563"},
    {"NORRBYENERGI", "Norrby Energi AB", "company", "NORRBY", "556610-2710"},
    {"NORDSYS", "Nordsys AB", "supplier", "ITC", "556733-1185"},
    {"KVIST", "Kvist & Partners Revision AB", "external", "ITC", "556812-3458"},
    /* A municipality under its own policy (the Östersund profile), served by the IT centre. */
    {"OSTERSUND", "Östersunds kommun", "municipality", "ITC", "212000-2411"},
};
#define NORGS (sizeof(ORGS) / sizeof(ORGS[0]))

#define PAST (-45) /* left the organisation 45 days ago */
#define SOON 10    /* leaves in ten days: within the IT centre profile's notice (P14D) */

/* clang-format off */
static const struct demo_person PEOPLE[] = {
    /* IT-centrum: the region's security function, operations and the joint IT committee. */
    {"per.nystrom", "Per Nyström", "per.nystrom@itcentrum.example", "ITC", NULL, "2012-08-15", 0, false, {"head_of_administration"}},
    {"karin.lindqvist", "Karin Lindqvist", "karin.lindqvist@itcentrum.example", "ITC", "per.nystrom", "2016-01-11", 0, false, {"ciso"}},
    {"johan.berg", "Johan Berg", "johan.berg@itcentrum.example", "ITC", "karin.lindqvist", "2018-04-03", 0, true, {"security_officer"}},
    {"elin.sjoberg", "Elin Sjöberg", "elin.sjoberg@itcentrum.example", "ITC", "karin.lindqvist", "2021-09-01", 0, true, {"security_officer"}},
    {"maria.ek", "Maria Ek", "maria.ek@itcentrum.example", "ITC", "per.nystrom", "2014-02-01", 0, false, {"manager"}},
    {"lena.strand", "Lena Strand", "lena.strand@itcentrum.example", "ITC", "maria.ek", "2019-03-18", 0, true, {"administrator"}},
    {"anders.holm", "Anders Holm", "anders.holm@itcentrum.example", "ITC", "maria.ek", "2011-05-02", 0, true, {"system_owner"}},
    {"sara.aberg", "Sara Åberg", "sara.aberg@itcentrum.example", "ITC", "maria.ek", "2020-10-05", 0, true, {"user"}},
    {"oskar.lund", "Oskar Lund", "oskar.lund@itcentrum.example", "ITC", "maria.ek", "2017-06-12", PAST, true, {"user"}},
    {"goran.wikstrom", "Göran Wikström", "goran.wikstrom@itcentrum.example", "ITC", NULL, "2023-01-01", 0, false, {"committee_member"}},
    /* Norrby kommun */
    {"eva.sandberg", "Eva Sandberg", "eva.sandberg@norrby.example", "NORRBY", NULL, "2015-03-01", 0, false, {"head_of_administration"}},
    {"mikael.forsberg", "Mikael Forsberg", "mikael.forsberg@norrby.example", "NORRBY", "eva.sandberg", "2013-09-16", 0, false, {"manager"}},
    {"anna.lindgren", "Anna Lindgren", "anna.lindgren@norrby.example", "NORRBY", "eva.sandberg", "2010-01-04", 0, false, {"information_owner", "manager"}},
    {"jonas.hedlund", "Jonas Hedlund", "jonas.hedlund@norrby.example", "NORRBY", "mikael.forsberg", "2018-08-20", 0, true, {"system_owner"}},
    {"fatima.haddad", "Fatima Haddad", "fatima.haddad@norrby.example", "NORRBY", "eva.sandberg", "2020-02-03", 0, false, {"dpo"}},
    {"bertil.nordin", "Bertil Nordin", "bertil.nordin@norrby.example", "NORRBY", NULL, "2022-10-15", 0, false, {"committee_member"}},
    {"linnea.bjork", "Linnéa Björk", "linnea.bjork@norrby.example", "NORRBY", "mikael.forsberg", "2021-04-12", 0, false, {"user"}},
    {"erik.johansson", "Erik Johansson", "erik.johansson@norrby.example", "NORRBY", "mikael.forsberg", "2019-11-04", SOON, false, {"user"}},
    /* Söderås kommun */
    {"helena.dahl", "Helena Dahl", "helena.dahl@soderas.example", "SODERAS", NULL, "2017-05-02", 0, false, {"head_of_administration"}},
    {"patrik.sundqvist", "Patrik Sundqvist", "patrik.sundqvist@soderas.example", "SODERAS", "helena.dahl", "2012-03-19", 0, false, {"manager"}},
    {"asa.oberg", "Åsa Öberg", "asa.oberg@soderas.example", "SODERAS", "helena.dahl", "2016-08-08", 0, false, {"information_owner"}},
    {"nils.engstrom", "Nils Engström", "nils.engstrom@soderas.example", "SODERAS", "patrik.sundqvist", "2014-06-02", 0, true, {"system_owner"}},
    {"ingrid.falk", "Ingrid Falk", "ingrid.falk@soderas.example", "SODERAS", "helena.dahl", "2019-01-14", 0, false, {"dpo"}},
    {"rolf.hagberg", "Rolf Hagberg", "rolf.hagberg@soderas.example", "SODERAS", NULL, "2022-10-15", 0, false, {"committee_member"}},
    {"ahmed.yusuf", "Ahmed Yusuf", "ahmed.yusuf@soderas.example", "SODERAS", "patrik.sundqvist", "2021-09-27", 0, false, {"user"}},
    {"julia.wallin", "Julia Wallin", "julia.wallin@soderas.example", "SODERAS", "patrik.sundqvist", "2018-02-05", PAST, false, {"user"}},
    /* Västerfjäll kommun */
    {"camilla.norberg", "Camilla Norberg", "camilla.norberg@vasterfjall.example", "VASTERFJALL", NULL, "2018-11-01", 0, false, {"head_of_administration"}},
    {"stefan.lundgren", "Stefan Lundgren", "stefan.lundgren@vasterfjall.example", "VASTERFJALL", "camilla.norberg", "2015-04-13", 0, false, {"manager"}},
    {"maja.persson", "Maja Persson", "maja.persson@vasterfjall.example", "VASTERFJALL", "camilla.norberg", "2020-06-01", 0, false, {"information_owner"}},
    {"david.nilsson", "David Nilsson", "david.nilsson@vasterfjall.example", "VASTERFJALL", "stefan.lundgren", "2016-10-03", 0, true, {"system_owner"}},
    {"sofia.kallstrom", "Sofia Källström", "sofia.kallstrom@vasterfjall.example", "VASTERFJALL", "camilla.norberg", "2021-01-18", 0, false, {"dpo"}},
    {"kjell.eriksson", "Kjell Eriksson", "kjell.eriksson@vasterfjall.example", "VASTERFJALL", NULL, "2022-10-15", 0, false, {"committee_member"}},
    {"emma.olsson", "Emma Olsson", "emma.olsson@vasterfjall.example", "VASTERFJALL", "stefan.lundgren", "2022-03-07", SOON, false, {"user"}},
    {"tobias.hansson", "Tobias Hansson", "tobias.hansson@vasterfjall.example", "VASTERFJALL", "stefan.lundgren", "2017-08-21", 0, true, {"user"}},
    /* Norrby Energi AB, the municipality's company */
    {"lars.westin", "Lars Westin", "lars.westin@norrbyenergi.example", "NORRBYENERGI", NULL, "2013-01-07", 0, false, {"manager", "information_owner"}},
    {"karl.lindberg", "Karl Lindberg", "karl.lindberg@norrbyenergi.example", "NORRBYENERGI", "lars.westin", "2015-09-14", 0, true, {"system_owner"}},
    {"hanna.moller", "Hanna Möller", "hanna.moller@norrbyenergi.example", "NORRBYENERGI", "lars.westin", "2023-02-01", 0, false, {"user"}},
    /* Nordsys AB, a supplier, and an external auditor */
    {"peter.sandin", "Peter Sandin", "peter.sandin@nordsys.example", "NORDSYS", NULL, "2019-05-06", 0, true, {"supplier_contact"}},
    {"mira.koskinen", "Mira Koskinen", "mira.koskinen@nordsys.example", "NORDSYS", "peter.sandin", "2022-04-19", SOON, false, {"supplier_contact"}},
    {"ulf.kvist", "Ulf Kvist", "ulf.kvist@kvist.example", "KVIST", NULL, "2024-01-08", 0, false, {"external_party"}},
    /* Östersunds kommun */
    {"ingela.stromberg", "Ingela Strömberg", "ingela.stromberg@ostersund.example", "OSTERSUND", NULL, "2016-02-01", 0, false, {"head_of_administration"}},
    {"henrik.jonsson", "Henrik Jonsson", "henrik.jonsson@ostersund.example", "OSTERSUND", "ingela.stromberg", "2019-09-02", 0, false, {"security_officer", "manager"}},
    {"gunilla.ostlund", "Gunilla Östlund", "gunilla.ostlund@ostersund.example", "OSTERSUND", NULL, "2022-10-15", 0, false, {"committee_member"}},
    {"mats.edlund", "Mats Edlund", "mats.edlund@ostersund.example", "OSTERSUND", "henrik.jonsson", "2015-05-18", 0, true, {"system_owner", "information_owner"}},
};
/* clang-format on */
#define NPEOPLE (sizeof(PEOPLE) / sizeof(PEOPLE[0]))

const struct demo_person *demo_people(size_t *n)
{
    *n = NPEOPLE;
    return PEOPLE;
}

/* 20 characters from an alphabet without look-alikes: about 115 bits. */
static void generate_password(char out[32])
{
    static const char alphabet[] = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    for (int i = 0; i < 20; i++)
        out[i] = alphabet[randombytes_uniform(sizeof(alphabet) - 1)];
    out[20] = '\0';
}

/* How many of the demo organisations exist, and the code of one that does. */
static int count_existing(struct db *db, int *n, const char **one)
{
    int64_t id;
    *n = 0;
    for (size_t i = 0; i < NORGS; i++) {
        int rc = demo_sql_org_id(db, ORGS[i].code, &id);
        if (rc == ERR_NOTFOUND)
            continue;
        if (rc)
            return rc;
        (*n)++;
        *one = ORGS[i].code;
    }
    return 0;
}

static int create_org(struct db *db, const struct demo_org *o, const char *at, char *msg,
                      size_t msglen)
{
    int64_t parent = 0, id = 0;
    int rc = demo_sql_org_id(db, o->parent, &parent);
    if (rc == ERR_NOTFOUND)
        str_format(msg, msglen, "there is no organisation %s: run 'varn init' first", o->parent);
    if (!rc)
        rc = demo_sql_org_insert(db, o->code, o->name, o->kind, parent, o->org_number, at, &id);
    if (rc == ERR_CONFLICT)
        str_format(msg, msglen, "organisation %s (%s) clashes with an existing one", o->code,
                   o->org_number);
    if (rc)
        return rc;
    json_t *after = json_pack("{s:s, s:s, s:s, s:s, s:s}", "code", o->code, "name", o->name, "kind",
                              o->kind, "parent", o->parent, "org_number", o->org_number);
    struct audit_event ev = {.actor = ACTOR,
                             .action = "organisation.create",
                             .object_kind = "organisation",
                             .object_id = o->code,
                             .organisation_id = id,
                             .after = after};
    rc = audit_append(db, &ev);
    json_decref(after);
    return rc;
}

/* A date days from today, as YYYY-MM-DD. */
static void date_from_today(int days, char out[CLOCK_ISO_LEN])
{
    clock_format(clock_now() + (int64_t)days * DAY, out);
    out[10] = '\0';
}

static int create_person(struct db *db, const struct demo_person *p, const char *hash,
                         const char *at, int *roles, char *msg, size_t msglen)
{
    int64_t org = 0, manager = 0, id = 0;
    char end[CLOCK_ISO_LEN];
    if (p->employment_end)
        date_from_today(p->employment_end, end);
    int rc = demo_sql_org_id(db, p->organisation, &org);
    if (!rc && p->manager)
        rc = demo_sql_person_id(db, p->manager, &manager);
    if (!rc)
        rc = demo_sql_person_insert(db, p->user_id, p->name, p->email, org, manager,
                                    p->employment_start, p->employment_end ? end : NULL,
                                    p->privileged, at, &id);
    if (rc == ERR_CONFLICT)
        str_format(msg, msglen, "a person with user id '%s' exists already", p->user_id);
    if (!rc)
        rc = demo_sql_credential_insert(db, id, hash, at);
    json_t *role_list = json_array();
    for (int i = 0; !rc && i < DEMO_ROLES_MAX && p->roles[i]; i++) {
        rc = demo_sql_role_insert(db, id, p->roles[i], org, at);
        json_array_append_new(role_list, json_string(p->roles[i]));
        (*roles)++;
    }
    if (!rc) {
        json_t *after = json_pack(
            "{s:s, s:s, s:s, s:s, s:s?, s:s, s:s?, s:b, s:O}", "user_id", p->user_id, "name",
            p->name, "email", p->email, "organisation", p->organisation, "manager", p->manager,
            "employment_start", p->employment_start, "employment_end",
            p->employment_end ? end : NULL, "privileged", p->privileged, "roles", role_list);
        struct audit_event ev = {.actor = ACTOR,
                                 .action = "person.create",
                                 .object_kind = "person",
                                 .object_id = p->user_id,
                                 .organisation_id = org,
                                 .after = after};
        rc = audit_append(db, &ev);
        json_decref(after);
    }
    json_decref(role_list);
    return rc;
}

/* Everything of the region, inside the caller's transaction. */
static int create_region(struct db *db, const char *hash, struct demo_result *out, char *msg,
                         size_t msglen)
{
    char at[CLOCK_ISO_LEN];
    int rc = 0;
    clock_format(clock_now(), at);
    for (size_t i = 0; !rc && i < NORGS; i++) {
        rc = create_org(db, &ORGS[i], at, msg, msglen);
        out->organisations += !rc;
    }
    for (size_t i = 0; !rc && i < NPEOPLE; i++) {
        rc = create_person(db, &PEOPLE[i], hash, at, &out->roles, msg, msglen);
        out->people += !rc;
    }
    /* Systems with accounts and grants in which every access finding shows. */
    struct demo_access_counts access;
    if (!rc)
        rc = demo_access_load(db, at, &access, msg, msglen);
    if (!rc) {
        out->systems = access.systems;
        out->accounts = access.accounts;
        out->grants = access.grants;
    }
    return rc;
}

int demo_load(struct db *db, const char *password, struct demo_result *out, char *msg,
              size_t msglen)
{
    char hash[PASSWORD_HASH_SIZE] = "";
    const char *why = NULL, *one = NULL;
    int existing = 0;
    memset(out, 0, sizeof(*out));
    msg[0] = '\0';
    if (password && password_acceptable(password, &why) != 0) {
        str_format(msg, msglen, "VARN_DEMO_PASSWORD is not acceptable: %s", why);
        return ERR_INVALID;
    }
    if (!password) {
        generate_password(out->password);
        password = out->password;
    }
    /* Every demo person has the same password, so it is hashed once and the one encoded
     * string (Argon2id with its own random salt) is stored for all of them. Hashing it per
     * person would give each a different salt but take some 40 times as long (each hash
     * costs 19 MiB and two passes on purpose) and protect nothing: anyone who knows the demo
     * password can log in as every demo user anyway. A person who sets a new password gets
     * a hash of their own. */
    int rc = password_hash(password, hash);
    if (rc)
        goto out;
    rc = db_begin(db);
    if (rc)
        goto out;
    rc = count_existing(db, &existing, &one);
    if (!rc && existing == (int)NORGS) {
        out->already = true;
        out->password[0] = '\0';
    } else if (!rc && existing > 0) {
        str_format(msg, msglen,
                   "organisation %s exists but the rest of the demo region does not; the demo "
                   "is only for a new database",
                   one);
        rc = ERR_CONFLICT;
    } else if (!rc) {
        rc = create_region(db, hash, out, msg, msglen);
    }
    if (!rc)
        rc = db_commit(db);
    if (rc)
        db_rollback(db);
out:
    sodium_memzero(hash, sizeof(hash));
    if (rc) {
        memset(out, 0, sizeof(*out));
        if (!msg[0])
            str_format(msg, msglen, "cannot create the demo region: %s", db_errmsg(db));
    }
    return rc;
}
