/* varn demo --scale region: a deterministic catalog and classification at region scale. */
#include "demo/demo.h"
#include "catalog/catalog.h"
#include "classification/classification.h"
#include "demo/demo_access.h"
#include "demo/demo_scale_sql.h"
#include "demo/demo_sql.h"
#include "audit/audit.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/str.h"
#include "db/db.h"
#include "risk/risk.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define ACTOR "cli:demo"
#define DAY   86400

/* The organisations that own systems, with the demo person holding system_owner there and the
 * one holding information_owner (NULL: the IT centre classifies no information of its own). */
struct scale_org {
    const char *code, *system_owner, *information_owner;
};

static const struct scale_org ORGS[] = {
    {"ITC", "anders.holm", NULL},
    {"NORRBY", "jonas.hedlund", "anna.lindgren"},
    {"SODERAS", "nils.engstrom", "asa.oberg"},
    {"VASTERFJALL", "david.nilsson", "maja.persson"},
    {"NORRBYENERGI", "karl.lindberg", "lars.westin"},
};
#define NORGS 5

static const char *const SYSTEM_WORDS[] = {
    "Ekonomi", "Lön",       "Ärende",   "Skol",    "Omsorg",  "Bygglov",   "Kart",
    "Vatten",  "Bibliotek", "Personal", "Arkiv",   "Journal", "Fastighet", "Parkering",
    "Avfall",  "Växel",     "Intranät", "Bokning", "Diarie",  "Fordon"};
static const char *const SYSTEM_KINDS[] = {"system",    "portal", "tjänst",  "register",
                                           "plattform", "app",    "databas", "integration"};
static const char *const INFO_WORDS[] = {"Elevuppgifter",
                                         "Personalakter",
                                         "Bygglovsärenden",
                                         "Leverantörsfakturor",
                                         "Journalanteckningar",
                                         "Kartdata",
                                         "Mätvärden",
                                         "Besöksloggar",
                                         "Avtal",
                                         "Protokoll",
                                         "Ansökningar",
                                         "Beslut",
                                         "Löneunderlag",
                                         "Kontaktuppgifter",
                                         "Ritningar",
                                         "Driftdata"};

/* A small deterministic generator (a 64-bit LCG, high bits): the same region every time. */
static uint32_t next_rand(uint64_t *state)
{
    *state = *state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(*state >> 33);
}

static void date_from_today(int days, char out[CLOCK_ISO_LEN])
{
    clock_format(clock_now() + (int64_t)days * DAY, out);
    out[10] = '\0';
}

struct scale_ids {
    int64_t org[NORGS], system_owner[NORGS], information_owner[NORGS], supplier;
    int64_t *systems; /* DEMO_SCALE_SYSTEMS ids, system i of organisation i % NORGS */
};

static int resolve(struct db *db, struct scale_ids *ids, char *msg, size_t msglen)
{
    int rc = demo_sql_org_id(db, "NORDSYS", &ids->supplier);
    for (int i = 0; !rc && i < NORGS; i++) {
        rc = demo_sql_org_id(db, ORGS[i].code, &ids->org[i]);
        if (!rc)
            rc = demo_sql_person_id(db, ORGS[i].system_owner, &ids->system_owner[i]);
        ids->information_owner[i] = 0;
        if (!rc && ORGS[i].information_owner)
            rc = demo_sql_person_id(db, ORGS[i].information_owner, &ids->information_owner[i]);
    }
    if (rc == ERR_NOTFOUND)
        str_format(msg, msglen, "the demo region is not in this database: run 'varn demo' first");
    return rc;
}

static int add_components(struct db *db, int i, int64_t system_id, uint64_t *rnd, const char *at,
                          int *count)
{
    char name[64], product[32], version[16], cpe[128], expiry[CLOCK_ISO_LEN], eos[CLOCK_ISO_LEN];
    int n = 1 + (int)(next_rand(rnd) % 3), rc = 0;
    str_format(product, sizeof(product), "produkt_%d", i % 97);
    str_format(version, sizeof(version), "%d.%d", 1 + i % 9, i % 13);
    str_format(cpe, sizeof(cpe), "cpe:2.3:a:nordsys:%s:%s:*:*:*:*:*:*:*", product, version);
    date_from_today(30 + (int)(next_rand(rnd) % 900), eos);
    date_from_today((int)(next_rand(rnd) % 500) - 20, expiry);
    for (int c = 0; !rc && c < n; c++) {
        struct demo_component_row row = {
            .system_id = system_id, .licence_count = -1, .licences_in_use = -1, .licence_cost = -1};
        if (c == 0) {
            str_format(name, sizeof(name), "Nordsys %s", product);
            row.kind = "software";
            row.vendor = "Nordsys";
            row.product = product;
            row.version = version;
            row.cpe = cpe;
            row.end_of_support = eos;
        } else if (c == 1) {
            str_format(name, sizeof(name), "Server srv-%04d", i + 1);
            row.kind = "hardware";
            row.end_of_support = eos;
        } else {
            str_format(name, sizeof(name), "Licenser %s", product);
            row.kind = "licence";
            row.licence_count = 10 + (int64_t)(next_rand(rnd) % 500);
            row.licences_in_use = row.licence_count - (int64_t)(next_rand(rnd) % 10);
            row.licence_cost = 1000 * (int64_t)(1 + next_rand(rnd) % 200);
            row.licence_expiry = expiry;
        }
        row.name = name;
        rc = demo_sql_component_insert(db, &row, at);
        *count += !rc;
    }
    return rc;
}

static int add_systems(struct db *db, struct scale_ids *ids, uint64_t *rnd, const char *at,
                       struct demo_scale_result *out)
{
    static const char *const lifecycles[] = {
        "production", "production", "production", "production",      "production",
        "production", "production", "planned",    "decommissioning", "retired"};
    static const char *const hostings[] = {"own", "it_centre", "it_centre", "supplier", "cloud"};
    char ext[24], name[80], description[160], changed[CLOCK_ISO_LEN];
    int rc = 0;
    for (int i = 0; !rc && i < DEMO_SCALE_SYSTEMS; i++) {
        int o = i % NORGS;
        uint32_t r = next_rand(rnd);
        struct demo_system_row s = {0};
        str_format(ext, sizeof(ext), "R-SYS-%04d", i + 1);
        str_format(name, sizeof(name), "%s%s %d", SYSTEM_WORDS[r % 20], SYSTEM_KINDS[(r / 20) % 8],
                   i + 1);
        str_format(description, sizeof(description), "Demosystem %d i %s", i + 1, ORGS[o].code);
        date_from_today(-(int)(next_rand(rnd) % 1500), changed);
        s.external_id = ext;
        s.name = name;
        s.description = description;
        s.organisation_id = ids->org[o];
        s.owner_id = ids->system_owner[o];
        s.supplier_id = r % 3 == 0 ? ids->supplier : 0;
        s.lifecycle = lifecycles[(r >> 8) % 10];
        s.hosting = hostings[(r >> 12) % 5];
        s.hosting_country = strcmp(s.hosting, "cloud") == 0 ? ((r >> 16) % 4 ? "SE" : "IE") : NULL;
        s.internet_facing = (r >> 18) % 4 == 0;
        s.sso = (r >> 20) % 3 != 0;
        s.mfa_enforced = (r >> 22) % 2 == 0;
        s.last_significant_change = (r >> 24) % 5 ? changed : NULL;
        rc = demo_sql_system_insert(db, &s, at, &ids->systems[i]);
        out->systems += !rc;
        if (!rc)
            rc = add_components(db, i, ids->systems[i], rnd, at, &out->components);
    }
    return rc;
}

/* A level 0-4, most often 1 or 2. */
static int level(uint32_t r)
{
    static const int levels[] = {0, 1, 1, 1, 2, 2, 2, 3, 3, 4};
    return levels[r % 10];
}

static int add_information(struct db *db, struct scale_ids *ids, uint64_t *rnd, const char *at,
                           struct demo_scale_result *out)
{
    static const char *const personal[] = {"none", "none", "personal", "personal", "sensitive"};
    char ext[24], name[96], description[160], due[CLOCK_ISO_LEN];
    const int per_org = DEMO_SCALE_SYSTEMS / NORGS;
    int rc = 0;
    for (int j = 0; !rc && j < DEMO_SCALE_INFORMATION; j++) {
        int o = 1 + j % (NORGS - 1); /* the organisations with an information owner */
        uint32_t r = next_rand(rnd);
        int64_t info_id = 0;
        struct demo_info_row row = {0};
        str_format(ext, sizeof(ext), "R-INFO-%04d", j + 1);
        str_format(name, sizeof(name), "%s %d", INFO_WORDS[r % 16], j + 1);
        str_format(description, sizeof(description), "Demoinformation %d i %s", j + 1,
                   ORGS[o].code);
        date_from_today((int)(next_rand(rnd) % 400) - 35, due);
        row.external_id = ext;
        row.name = name;
        row.description = description;
        row.organisation_id = ids->org[o];
        row.owner_id = ids->information_owner[o];
        row.k = level(r >> 4);
        row.r = level(r >> 8);
        row.t = level(r >> 12);
        row.personal_data = personal[(r >> 16) % 5];
        row.review_due = due;
        rc = demo_sql_info_insert(db, &row, ACTOR, at, &info_id);
        out->information += !rc;
        /* One to three systems of its own organisation; a third link often goes to one of
         * the IT centre's shared platforms. */
        int n = 1 + (int)((r >> 20) % 3), base = (int)(next_rand(rnd) % per_org);
        for (int l = 0; !rc && l < n; l++) {
            int k = (base + l * 137) % per_org;
            int sys = k * NORGS + (l == 2 && (r >> 24) % 2 ? 0 : o);
            rc = demo_sql_link_insert(db, ids->systems[sys], info_id);
            out->links += !rc;
        }
    }
    return rc;
}

static int scale(struct db *db, struct demo_scale_result *out, char *msg, size_t msglen)
{
    struct scale_ids ids = {0};
    char at[CLOCK_ISO_LEN];
    uint64_t rnd = 20260101;
    bool exists = false;
    int rc = resolve(db, &ids, msg, msglen);
    if (!rc)
        rc = demo_sql_system_exists(db, "R-SYS-0001", &exists);
    if (!rc && exists) {
        out->already = true;
        return 0;
    }
    ids.systems = rc ? NULL : calloc(DEMO_SCALE_SYSTEMS, sizeof(*ids.systems));
    if (!rc && !ids.systems)
        rc = ERR_NOMEM;
    clock_format(clock_now(), at);
    if (!rc)
        rc = add_systems(db, &ids, &rnd, at, out);
    if (!rc)
        rc = add_information(db, &ids, &rnd, at, out);
    if (!rc)
        rc = demo_sql_levels_recompute(db);
    if (!rc)
        rc = system_items_render(db, false, NULL); /* after the levels: the list shows them */
    if (!rc)
        rc = information_items_render(db, false, NULL);
    /* Risk management (src/risk): assessments of these systems, risks, measures. */
    struct risk_demo_result risks = {0};
    if (!rc)
        rc = risk_demo_scale(db, ids.systems, DEMO_SCALE_SYSTEMS, ids.org, ids.system_owner, NORGS,
                             &risks);
    out->risk_assessments = risks.assessments;
    out->risks = risks.risks;
    out->risk_measures = risks.measures;
    /* Access control (demo_access.c): the region's staff, their accounts and grants. */
    struct demo_access_scale_counts access = {0};
    if (!rc)
        rc = demo_access_scale(db, ids.systems, DEMO_SCALE_SYSTEMS, ids.org, NORGS, at, &access,
                               msg, msglen);
    out->people = access.people;
    out->accounts = access.accounts;
    out->entitlements = access.entitlements;
    out->grants = access.grants;
    free(ids.systems);
    if (!rc) {
        json_t *after = json_pack(
            "{s:s, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i}", "scale", "region",
            "systems", out->systems, "components", out->components, "information", out->information,
            "links", out->links, "risk_assessments", out->risk_assessments, "risks", out->risks,
            "risk_measures", out->risk_measures, "people", out->people, "accounts", out->accounts,
            "entitlements", out->entitlements, "grants", out->grants);
        struct audit_event ev = {.actor = ACTOR,
                                 .action = "demo.scale",
                                 .object_kind = "demo",
                                 .object_id = "region",
                                 .organisation_id = ids.org[0],
                                 .after = after};
        rc = after ? audit_append(db, &ev) : ERR_NOMEM;
        json_decref(after);
    }
    return rc;
}

int demo_scale_region(struct db *db, struct demo_scale_result *out, char *msg, size_t msglen)
{
    memset(out, 0, sizeof(*out));
    msg[0] = '\0';
    int rc = db_begin(db);
    if (!rc)
        rc = scale(db, out, msg, msglen);
    if (!rc)
        rc = db_commit(db);
    if (rc) {
        db_rollback(db);
        memset(out, 0, sizeof(*out));
        if (!msg[0])
            str_format(msg, msglen, "cannot add the region-scale catalog: %s", db_errmsg(db));
    }
    return rc;
}
