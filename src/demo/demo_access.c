/* The demo's access control data: six systems of the demo region whose accounts and grants show
 * every access finding, and the region's staff with 500 000 grants at region scale. */
#include "demo/demo_access.h"
#include "catalog/catalog.h"
#include "demo/demo.h"
#include "demo/demo_access_sql.h"
#include "demo/demo_scale_sql.h"
#include "demo/demo_sql.h"
#include "audit/audit.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/str.h"
#include "db/db.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define ACTOR "cli:demo"
#define DAY   86400

/* A time days from now (negative: ago), as UTC ISO 8601 or, with date_only, YYYY-MM-DD. */
static void days_from_now(int days, bool date_only, char out[CLOCK_ISO_LEN])
{
    clock_format(clock_now() + (int64_t)days * DAY, out);
    if (date_only)
        out[10] = '\0';
}

/* ---- the small demo ---- */

#define MAX_ENTITLEMENTS 4

struct small_system {
    const char *ext, *name, *org, *owner, *admin; /* admin NULL: the owner administers it */
    bool mfa_enforced;
    const char *info_ext, *info_name, *info_org, *info_owner, *personal;
    int k, r, t;
    const char *entitlements[MAX_ENTITLEMENTS]; /* the first is the privileged one */
};

/* clang-format off */
static const struct small_system SYSTEMS[] = {
    /* K3 without enforced MFA: a privileged account without MFA here is a finding. */
    {"NOR-OMSORG", "Omsorgsjournal", "NORRBY", "jonas.hedlund", NULL, false,
     "NOR-INFO-1", "Personakter inom socialtjänsten", "NORRBY", "anna.lindgren", "sensitive", 3, 2, 3,
     {"Systemadministratör", "Handläggare", "Läsbehörighet"}},
    {"NOR-EKONOMI", "Ekonomisystem", "NORRBY", "jonas.hedlund", NULL, true,
     "NOR-INFO-2", "Leverantörsfakturor", "NORRBY", "anna.lindgren", "none", 2, 2, 3,
     {"Systemadministratör", "Attestant", "Registrator", "Läsbehörighet"}},
    {"SOD-SKOLA", "Skolplattform", "SODERAS", "nils.engstrom", NULL, false,
     "SOD-INFO-1", "Elevdokumentation", "SODERAS", "asa.oberg", "personal", 2, 2, 2,
     {"Systemadministratör", "Lärare", "Mentor", "Läsbehörighet"}},
    {"VAS-BYGGLOV", "Bygglovssystem", "VASTERFJALL", "david.nilsson", NULL, false,
     "VAS-INFO-1", "Bygglovsärenden", "VASTERFJALL", "maja.persson", "personal", 1, 2, 2,
     {"Systemadministratör", "Handläggare", "Registrator", "Läsbehörighet"}},
    {"NEN-DRIFT", "Driftövervakning elnät", "NORRBYENERGI", "karl.lindberg", NULL, true,
     "NEN-INFO-1", "Driftdata elnät", "NORRBYENERGI", "lars.westin", "none", 3, 4, 4,
     {"Systemadministratör", "Operatör", "Leverantörssupport"}},
    /* The IT centre's payroll platform, processing Norrby's payroll data. */
    {"ITC-LON", "Lönesystem", "ITC", "anders.holm", "lena.strand", true,
     "NOR-INFO-3", "Löneunderlag", "NORRBY", "anna.lindgren", "personal", 3, 3, 3,
     {"Systemadministratör", "Lönehandläggare", "Chef", "Leverantörssupport"}},
};
/* clang-format on */
#define NSYSTEMS     (sizeof(SYSTEMS) / sizeof(SYSTEMS[0]))
#define S_OMSORG     0
#define S_EKONOMI    1
#define S_SKOLA      2
#define S_BYGGLOV    3
#define S_DRIFT      4
#define S_LON        5
#define NEVER        9999 /* last_login: never */
#define GRANTED_DAYS (-700)
#define R1_START     (-430) /* the review more than a year ago */
#define R1_DONE      (-405)
#define R2_START     (-75) /* the recent one */
#define R2_DONE      (-50)
#define MAX_GRANTS   2

struct small_account {
    int system;
    const char *username, *person; /* person NULL: tied to no person */
    bool shared, privileged, mfa;
    int last_login; /* days ago, or NEVER */
    bool exception; /* a shared account's approved exception */
    const char *grants[MAX_GRANTS];
};

/* clang-format off */
static const struct small_account ACCOUNTS[] = {
    {S_OMSORG, "jonas.hedlund", "jonas.hedlund", false, true, false, 3, false, {"Systemadministratör"}},
    {S_OMSORG, "anna.lindgren", "anna.lindgren", false, false, true, 8, false, {"Läsbehörighet"}},
    {S_OMSORG, "linnea.bjork", "linnea.bjork", false, false, false, 2, false, {"Handläggare"}},
    {S_OMSORG, "erik.johansson", "erik.johansson", false, false, false, 1, false, {"Handläggare"}},
    /* Its grant comes from an approved request (add_requests). */
    {S_OMSORG, "mikael.forsberg", "mikael.forsberg", false, false, true, 30, false, {NULL}},
    {S_OMSORG, "omsorg.natt", NULL, true, false, false, 1, false, {"Handläggare"}},
    {S_OMSORG, "svc-integration", NULL, false, false, false, 0, false, {"Läsbehörighet"}},
    {S_EKONOMI, "jonas.hedlund", "jonas.hedlund", false, true, true, 12, false, {"Systemadministratör"}},
    {S_EKONOMI, "anna.lindgren", "anna.lindgren", false, false, true, 4, false, {"Attestant"}},
    {S_EKONOMI, "mikael.forsberg", "mikael.forsberg", false, false, true, 6, false, {"Attestant"}},
    {S_EKONOMI, "eva.sandberg", "eva.sandberg", false, false, true, 60, false, {"Läsbehörighet"}},
    {S_EKONOMI, "erik.johansson", "erik.johansson", false, false, true, 5, false, {"Registrator"}},
    {S_EKONOMI, "linnea.bjork", "linnea.bjork", false, false, true, 20, false, {"Registrator"}},
    {S_SKOLA, "nils.engstrom", "nils.engstrom", false, true, true, 2, false, {"Systemadministratör"}},
    {S_SKOLA, "ahmed.yusuf", "ahmed.yusuf", false, false, true, 1, false, {"Lärare"}},
    {S_SKOLA, "julia.wallin", "julia.wallin", false, false, false, 10, false, {"Lärare", "Mentor"}},
    {S_SKOLA, "asa.oberg", "asa.oberg", false, false, true, 40, false, {"Läsbehörighet"}},
    {S_SKOLA, "vikarie.skola", NULL, true, false, false, 3, true, {"Lärare"}},
    {S_BYGGLOV, "david.nilsson", "david.nilsson", false, true, true, 9, false, {"Systemadministratör"}},
    {S_BYGGLOV, "emma.olsson", "emma.olsson", false, false, true, 2, false, {"Handläggare"}},
    {S_BYGGLOV, "tobias.hansson", "tobias.hansson", false, false, true, 7, false, {"Handläggare"}},
    {S_BYGGLOV, "maja.persson", "maja.persson", false, false, true, 90, false, {"Läsbehörighet"}},
    {S_DRIFT, "karl.lindberg", "karl.lindberg", false, true, true, 1, false, {"Systemadministratör"}},
    {S_DRIFT, "hanna.moller", "hanna.moller", false, false, true, 1, false, {"Operatör"}},
    {S_DRIFT, "lars.westin", "lars.westin", false, false, true, 15, false, {"Operatör"}},
    /* Privileged without MFA, but the system enforces MFA: no finding. */
    {S_DRIFT, "nordsys.support", "peter.sandin", false, true, false, 33, false, {"Leverantörssupport"}},
    {S_LON, "anders.holm", "anders.holm", false, true, true, 5, false, {"Systemadministratör"}},
    {S_LON, "lena.strand", "lena.strand", false, true, true, 1, false, {"Systemadministratör"}},
    {S_LON, "oskar.lund", "oskar.lund", false, true, true, 20, false, {"Systemadministratör"}},
    {S_LON, "sara.aberg", "sara.aberg", false, false, true, 3, false, {"Lönehandläggare"}},
    /* Its grant comes from a request that was rejected (add_requests). */
    {S_LON, "maria.ek", "maria.ek", false, false, true, 11, false, {NULL}},
    {S_LON, "mira.koskinen", "mira.koskinen", false, true, true, 6, false, {"Leverantörssupport"}},
};
/* clang-format on */
#define NACCOUNTS (sizeof(ACCOUNTS) / sizeof(ACCOUNTS[0]))

/* Job titles by the first role a demo person holds; linnea.bjork's role changed recently. */
static const char *const TITLES[][2] = {
    {"head_of_administration", "Förvaltningschef"},
    {"ciso", "Informationssäkerhetschef"},
    {"security_officer", "IT-säkerhetsansvarig"},
    {"manager", "Enhetschef"},
    {"administrator", "Systemadministratör"},
    {"system_owner", "Systemförvaltare"},
    {"information_owner", "Verksamhetschef"},
    {"dpo", "Dataskyddsombud"},
    {"committee_member", "Ledamot i IT-nämnden"},
    {"user", "Handläggare"},
    {"supplier_contact", "Konsult"},
    {"external_party", "Revisor"},
};
#define ROLE_CHANGED      "linnea.bjork"
#define ROLE_CHANGED_DAYS (-12)

struct small_ids {
    int64_t system[NSYSTEMS], sys_org[NSYSTEMS], owner[NSYSTEMS], info_owner[NSYSTEMS];
    int64_t admin[NSYSTEMS]; /* the administrator, else the owner: who provisions and removes */
    int64_t entitlement[NSYSTEMS][MAX_ENTITLEMENTS];
    int64_t account[NACCOUNTS], account_org[NACCOUNTS], person[NACCOUNTS];
    int64_t itc, karin;
};

static int person_and_org(struct db *db, const char *user_id, int64_t *person, int64_t *org)
{
    size_t n;
    const struct demo_person *people = demo_people(&n);
    for (size_t i = 0; i < n; i++)
        if (strcmp(people[i].user_id, user_id) == 0) {
            int rc = demo_sql_person_id(db, user_id, person);
            return rc ? rc : demo_sql_org_id(db, people[i].organisation, org);
        }
    return ERR_NOTFOUND;
}

static int entitlement_of(const struct small_ids *ids, int system, const char *name, int64_t *id)
{
    for (int e = 0; e < MAX_ENTITLEMENTS && SYSTEMS[system].entitlements[e]; e++)
        if (strcmp(SYSTEMS[system].entitlements[e], name) == 0) {
            *id = ids->entitlement[system][e];
            return 0;
        }
    return ERR_NOTFOUND;
}

static int account_of(int system, const char *username)
{
    for (size_t a = 0; a < NACCOUNTS; a++)
        if (ACCOUNTS[a].system == system && strcmp(ACCOUNTS[a].username, username) == 0)
            return (int)a;
    return -1;
}

static int add_titles(struct db *db)
{
    size_t n;
    const struct demo_person *people = demo_people(&n);
    char changed[CLOCK_ISO_LEN];
    days_from_now(ROLE_CHANGED_DAYS, false, changed);
    int rc = 0;
    for (size_t i = 0; !rc && i < n; i++) {
        const char *title = NULL;
        int64_t id = 0;
        bool moved = strcmp(people[i].user_id, ROLE_CHANGED) == 0;
        for (size_t t = 0; !title && t < sizeof(TITLES) / sizeof(TITLES[0]); t++)
            if (strcmp(TITLES[t][0], people[i].roles[0]) == 0)
                title = TITLES[t][1];
        rc = demo_sql_person_id(db, people[i].user_id, &id);
        if (!rc)
            rc =
                demo_sql_person_title(db, id, moved ? "Controller" : title, moved ? changed : NULL);
    }
    return rc;
}

static int add_systems(struct db *db, struct small_ids *ids, const char *at,
                       struct demo_access_counts *out)
{
    char due[CLOCK_ISO_LEN], eos[CLOCK_ISO_LEN], cpe[96];
    int rc = 0;
    days_from_now(200, true, due);
    days_from_now(800, true, eos);
    for (size_t s = 0; !rc && s < NSYSTEMS; s++) {
        const struct small_system *d = &SYSTEMS[s];
        int64_t info_org = 0, info_id = 0, admin = 0;
        rc = person_and_org(db, d->owner, &ids->owner[s], &ids->sys_org[s]);
        if (!rc)
            rc = person_and_org(db, d->info_owner, &ids->info_owner[s], &info_org);
        if (!rc && d->admin)
            rc = demo_sql_person_id(db, d->admin, &admin);
        struct demo_system_row row = {.external_id = d->ext,
                                      .name = d->name,
                                      .description = "Demosystem med behörigheter",
                                      .lifecycle = "production",
                                      .hosting = "it_centre",
                                      .organisation_id = ids->sys_org[s],
                                      .owner_id = ids->owner[s],
                                      .sso = true,
                                      .mfa_enforced = d->mfa_enforced};
        if (!rc)
            rc = demo_sql_system_insert(db, &row, at, &ids->system[s]);
        if (!rc && admin)
            rc = demo_sql_system_admin(db, ids->system[s], admin);
        ids->admin[s] = admin ? admin : ids->owner[s];
        out->systems += !rc;
        struct demo_info_row info = {.external_id = d->info_ext,
                                     .name = d->info_name,
                                     .description = "Demoinformation",
                                     .personal_data = d->personal,
                                     .review_due = due,
                                     .organisation_id = info_org,
                                     .owner_id = ids->info_owner[s],
                                     .k = d->k,
                                     .r = d->r,
                                     .t = d->t};
        if (!rc)
            rc = demo_sql_info_insert(db, &info, ACTOR, at, &info_id);
        out->information += !rc;
        if (!rc)
            rc = demo_sql_link_insert(db, ids->system[s], info_id);
        str_format(cpe, sizeof(cpe), "cpe:2.3:a:nordsys:demo_%zu:4.2:*:*:*:*:*:*:*", s + 1);
        struct demo_component_row comp = {.system_id = ids->system[s],
                                          .kind = "software",
                                          .name = d->name,
                                          .vendor = "Nordsys",
                                          .product = d->name,
                                          .version = "4.2",
                                          .cpe = cpe,
                                          .licence_count = -1,
                                          .licences_in_use = -1,
                                          .licence_cost = -1,
                                          .end_of_support = eos};
        if (!rc)
            rc = demo_sql_component_insert(db, &comp, at);
        for (int e = 0; !rc && e < MAX_ENTITLEMENTS && d->entitlements[e]; e++) {
            bool privileged = e == 0 || strcmp(d->entitlements[e], "Leverantörssupport") == 0;
            rc = demo_sql_entitlement_insert(db, ids->system[s], d->entitlements[e], "", privileged,
                                             at, &ids->entitlement[s][e]);
            out->entitlements += !rc;
        }
    }
    if (!rc)
        rc = demo_sql_levels_recompute(db);
    return rc ? rc : system_items_render(db, false, NULL);
}

static int add_accounts(struct db *db, struct small_ids *ids, const char *at,
                        struct demo_access_counts *out)
{
    char login[CLOCK_ISO_LEN], granted[CLOCK_ISO_LEN], until[CLOCK_ISO_LEN];
    int rc = 0;
    days_from_now(GRANTED_DAYS, false, granted);
    days_from_now(120, true, until);
    for (size_t a = 0; !rc && a < NACCOUNTS; a++) {
        const struct small_account *d = &ACCOUNTS[a];
        ids->account_org[a] = ids->sys_org[d->system];
        if (d->person)
            rc = person_and_org(db, d->person, &ids->person[a], &ids->account_org[a]);
        if (d->last_login != NEVER)
            clock_format(clock_now() - (int64_t)d->last_login * DAY - 3600 * (int64_t)(a % 9),
                         login);
        struct demo_account_row row = {
            .system_id = ids->system[d->system],
            .organisation_id = ids->account_org[a],
            .person_id = ids->person[a],
            .username = d->username,
            .status = "active",
            .source = "csv",
            .last_login = d->last_login == NEVER ? NULL : login,
            .exception_reason =
                d->exception ? "Vikariepoolen saknar egna konton; personliga konton införs" : NULL,
            .exception_until = until,
            .exception_approved_by = ids->owner[d->system],
            .shared = d->shared,
            .privileged = d->privileged,
            .mfa_enrolled = d->mfa};
        if (!rc)
            rc = demo_sql_account_insert(db, &row, at, &ids->account[a]);
        out->accounts += !rc;
        for (int g = 0; !rc && g < MAX_GRANTS && d->grants[g]; g++) {
            struct demo_grant_row gr = {.account_id = ids->account[a],
                                        .system_id = ids->system[d->system],
                                        .organisation_id = ids->account_org[a],
                                        .granted_at = granted,
                                        .source = "csv"};
            int64_t id;
            rc = entitlement_of(ids, d->system, d->grants[g], &gr.entitlement_id);
            if (!rc)
                rc = demo_sql_grant_insert(db, &gr, &id);
            out->grants += !rc;
        }
    }
    return rc;
}

/* A request decided (or not) days ago, by decider (NULL: the system's information owner); *id
 * gets it. */
static int request(struct db *db, const struct small_ids *ids, int system, const char *who,
                   const char *entitlement, const char *status, int created_days, int decided_days,
                   const char *decider, const char *justification, const char *comment, int64_t *id)
{
    char created[CLOCK_ISO_LEN], decided[CLOCK_ISO_LEN];
    struct demo_request_row r = {.system_id = ids->system[system],
                                 .justification = justification,
                                 .status = status,
                                 .created_at = created,
                                 .decision_comment = comment};
    days_from_now(created_days, false, created);
    days_from_now(decided_days, false, decided);
    int rc = 0;
    if (strcmp(status, "pending") != 0) {
        r.decided_by = ids->info_owner[system];
        r.decided_at = decided;
        if (decider)
            rc = demo_sql_person_id(db, decider, &r.decided_by);
    }
    if (!rc)
        rc = person_and_org(db, who, &r.person_id, &r.organisation_id);
    r.requested_by = r.person_id;
    if (!rc)
        rc = entitlement_of(ids, system, entitlement, &r.entitlement_id);
    return rc ? rc : demo_sql_request_insert(db, &r, id);
}

/* A request decided two days after created_days ago by the system's information owner, with
 * the grant that names it made by the system's administrator (its owner when it has none)
 * three days later: after an approval through a provisioning task, done; after a rejection by
 * hand, which is a finding. */
static int granted_request(struct db *db, const struct small_ids *ids, int system, const char *who,
                           const char *entitlement, int created_days, const char *status,
                           const char *justification, const char *comment,
                           struct demo_access_counts *out)
{
    char granted[CLOCK_ISO_LEN], due[CLOCK_ISO_LEN];
    int64_t id = 0, grant = 0;
    int a = account_of(system, who);
    bool approved = strcmp(status, "provisioned") == 0;
    int rc = request(db, ids, system, who, entitlement, status, created_days, created_days + 2,
                     NULL, justification, comment, &id);
    out->requests += !rc;
    days_from_now(created_days + 5, false, granted);
    days_from_now(created_days + 7, true, due);
    if (!rc && approved) {
        rc = demo_sql_task_insert(db, ids->sys_org[system], ids->system[system], "provision", id, 0,
                                  0, ids->admin[system], due, granted, granted);
        out->tasks += !rc;
    }
    struct demo_grant_row g = {.account_id = ids->account[a],
                               .system_id = ids->system[system],
                               .organisation_id = ids->account_org[a],
                               .granted_at = granted,
                               .granted_by = ids->admin[system],
                               .request_id = id,
                               .source = "request"};
    if (!rc)
        rc = entitlement_of(ids, system, entitlement, &g.entitlement_id);
    if (!rc)
        rc = demo_sql_grant_insert(db, &g, &grant);
    out->grants += !rc;
    return rc;
}

static int add_requests(struct db *db, struct small_ids *ids, struct demo_access_counts *out)
{
    char created[CLOCK_ISO_LEN], due[CLOCK_ISO_LEN];
    int64_t id = 0;
    /* Pending for ten days with anna.lindgren, the information owner of the economy system's
     * invoices: due within the 14 days of the request approval rule. */
    int rc = request(db, ids, S_EKONOMI, "linnea.bjork", "Attestant", "pending", -10, 0, NULL,
                     "Ny roll som controller: attesterar förvaltningens fakturor", NULL, &id);
    out->requests += !rc;
    if (!rc)
        rc = granted_request(db, ids, S_OMSORG, "mikael.forsberg", "Läsbehörighet", -210,
                             "provisioned", "Uppföljning av enhetens ärenden", "Godkänd", out);
    /* Rejected by the payroll data's owner, and granted all the same: a finding (ITC-ANS-17). */
    if (!rc)
        rc = granted_request(db, ids, S_LON, "maria.ek", "Chef", -200, "rejected",
                             "Attesterar lön för enhetens medarbetare",
                             "Chefsbehörighet ges först efter chefsutbildningen", out);
    if (!rc)
        rc = request(db, ids, S_OMSORG, "erik.johansson", "Systemadministratör", "rejected", -31,
                     -30, NULL, "Vill kunna lägga upp nya brukare själv",
                     "Handläggare behöver inte administratörsbehörighet", &id);
    out->requests += !rc;
    /* Approved yesterday; the provisioning task is still open. */
    if (!rc)
        rc = request(db, ids, S_SKOLA, "ahmed.yusuf", "Mentor", "approved", -3, -1, NULL,
                     "Mentor för klass 8B från nästa termin", "Godkänd", &id);
    out->requests += !rc;
    days_from_now(-1, false, created);
    days_from_now(5, true, due);
    if (!rc)
        rc = demo_sql_task_insert(db, ids->sys_org[S_SKOLA], ids->system[S_SKOLA], "provision", id,
                                  0, 0, ids->admin[S_SKOLA], due, created, NULL);
    out->tasks += !rc;
    return rc;
}

/* A completed campaign over two systems, started and decided days ago. revoke_account >= 0:
 * that account's grant of revoke_entitlement was revoked in it (with its removal task). */
static int review(struct db *db, const struct small_ids *ids, const char *title, int start,
                  int decided, int s1, int s2, int revoke_account, const char *revoke_entitlement,
                  struct demo_access_counts *out)
{
    char started[CLOCK_ISO_LEN], done[CLOCK_ISO_LEN], due[CLOCK_ISO_LEN], granted[CLOCK_ISO_LEN];
    int64_t id = 0, grant = 0;
    days_from_now(start, false, started);
    days_from_now(decided, false, done);
    days_from_now(decided + 5, true, due);
    days_from_now(GRANTED_DAYS, false, granted);
    int rc = 0;
    if (revoke_account >= 0) {
        const struct small_account *d = &ACCOUNTS[revoke_account];
        struct demo_grant_row g = {.account_id = ids->account[revoke_account],
                                   .system_id = ids->system[d->system],
                                   .organisation_id = ids->account_org[revoke_account],
                                   .granted_at = granted,
                                   .source = "csv",
                                   .revoked_at = done,
                                   .revoked_by = ids->info_owner[d->system],
                                   .revoke_reason = "Behövs inte längre i tjänsten"};
        rc = entitlement_of(ids, d->system, revoke_entitlement, &g.entitlement_id);
        if (!rc)
            rc = demo_sql_grant_insert(db, &g, &grant);
        out->grants += !rc;
    }
    if (!rc)
        rc = demo_sql_review_insert(db, ids->itc, title, due, "completed", ids->karin, started,
                                    done, &id);
    out->reviews += !rc;
    if (!rc)
        rc = demo_sql_review_system_done(db, id, ids->system[s1], ids->info_owner[s1], started,
                                         done);
    if (!rc)
        rc = demo_sql_review_system_done(db, id, ids->system[s2], ids->info_owner[s2], started,
                                         done);
    if (!rc && grant) {
        int s = ACCOUNTS[revoke_account].system;
        rc = demo_sql_task_insert(db, ids->sys_org[s], ids->system[s], "revoke", 0, grant, id,
                                  ids->admin[s], due, done, done);
        out->tasks += !rc;
    }
    return rc;
}

static int audit_counts(struct db *db, int64_t org, const char *object_id, json_t *after)
{
    struct audit_event ev = {.actor = ACTOR,
                             .action = "demo.access",
                             .object_kind = "demo",
                             .object_id = object_id,
                             .organisation_id = org,
                             .after = after};
    int rc = after ? audit_append(db, &ev) : ERR_NOMEM;
    json_decref(after);
    return rc;
}

int demo_access_load(struct db *db, const char *at, struct demo_access_counts *out, char *msg,
                     size_t msglen)
{
    struct small_ids ids;
    memset(&ids, 0, sizeof(ids));
    memset(out, 0, sizeof(*out));
    int64_t karin_org = 0;
    int rc = demo_sql_org_id(db, "ITC", &ids.itc);
    if (!rc)
        rc = person_and_org(db, "karin.lindqvist", &ids.karin, &karin_org);
    if (!rc)
        rc = add_titles(db);
    if (!rc)
        rc = add_systems(db, &ids, at, out);
    if (!rc)
        rc = add_accounts(db, &ids, at, out);
    if (!rc)
        rc = add_requests(db, &ids, out);
    /* Skola and bygglov were reviewed more than a year ago, drift and lön recently; omsorg
     * and ekonomi never. */
    if (!rc)
        rc = review(db, &ids, "Behörighetsgranskning skola och bygglov", R1_START, R1_DONE, S_SKOLA,
                    S_BYGGLOV, account_of(S_BYGGLOV, "tobias.hansson"), "Registrator", out);
    if (!rc)
        rc = review(db, &ids, "Behörighetsgranskning drift och lön", R2_START, R2_DONE, S_DRIFT,
                    S_LON, -1, NULL, out);
    if (!rc)
        rc = audit_counts(db, ids.itc, "access",
                          json_pack("{s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i}", "systems",
                                    out->systems, "information", out->information, "accounts",
                                    out->accounts, "entitlements", out->entitlements, "grants",
                                    out->grants, "requests", out->requests, "reviews", out->reviews,
                                    "tasks", out->tasks));
    if (rc && !msg[0])
        str_format(msg, msglen, "cannot create the demo's access data: %s", db_errmsg(db));
    return rc;
}

/* ---- the region's staff at scale ---- */

#define UNOWNED    300 /* service and shared accounts, tied to no person */
#define SCALE_ENTS 6   /* entitlements per system; the first is privileged */

static const char *const SCALE_ENTITLEMENTS[SCALE_ENTS] = {
    "Administratör", "Läsbehörighet", "Handläggare", "Registrator", "Attestant", "Rapportuttag"};

/* A first or last name and its ASCII form for the user id. */
struct name {
    const char *name, *ascii;
};

/* clang-format off */
static const struct name FIRST[] = {
    {"Anna", "anna"}, {"Eva", "eva"}, {"Maria", "maria"}, {"Karin", "karin"}, {"Sara", "sara"},
    {"Lena", "lena"}, {"Kerstin", "kerstin"}, {"Emma", "emma"}, {"Ingrid", "ingrid"},
    {"Marie", "marie"}, {"Malin", "malin"}, {"Jenny", "jenny"}, {"Hanna", "hanna"},
    {"Linnéa", "linnea"}, {"Elin", "elin"}, {"Sofia", "sofia"}, {"Åsa", "asa"}, {"Ida", "ida"},
    {"Maja", "maja"}, {"Fatima", "fatima"}, {"Amira", "amira"}, {"Elsa", "elsa"},
    {"Ebba", "ebba"}, {"Ulla", "ulla"}, {"Birgitta", "birgitta"}, {"Lars", "lars"},
    {"Mikael", "mikael"}, {"Anders", "anders"}, {"Johan", "johan"}, {"Erik", "erik"},
    {"Per", "per"}, {"Karl", "karl"}, {"Peter", "peter"}, {"Thomas", "thomas"}, {"Jan", "jan"},
    {"Daniel", "daniel"}, {"Fredrik", "fredrik"}, {"Hans", "hans"}, {"Andreas", "andreas"},
    {"Stefan", "stefan"}, {"Mattias", "mattias"}, {"Jonas", "jonas"}, {"Oskar", "oskar"},
    {"Göran", "goran"}, {"Björn", "bjorn"}, {"Mohammed", "mohammed"}, {"Ali", "ali"},
    {"Nils", "nils"}, {"Olof", "olof"}, {"Emil", "emil"}, {"Viktor", "viktor"},
};
static const struct name LAST[] = {
    {"Andersson", "andersson"}, {"Johansson", "johansson"}, {"Karlsson", "karlsson"},
    {"Nilsson", "nilsson"}, {"Eriksson", "eriksson"}, {"Larsson", "larsson"},
    {"Olsson", "olsson"}, {"Persson", "persson"}, {"Svensson", "svensson"},
    {"Gustafsson", "gustafsson"}, {"Pettersson", "pettersson"}, {"Jonsson", "jonsson"},
    {"Jansson", "jansson"}, {"Hansson", "hansson"}, {"Bengtsson", "bengtsson"},
    {"Jönsson", "joensson"}, {"Lindberg", "lindberg"}, {"Jakobsson", "jakobsson"},
    {"Magnusson", "magnusson"}, {"Olofsson", "olofsson"}, {"Lindström", "lindstrom"},
    {"Lindqvist", "lindqvist"}, {"Lindgren", "lindgren"}, {"Berg", "berg"},
    {"Axelsson", "axelsson"}, {"Bergström", "bergstrom"}, {"Lundberg", "lundberg"},
    {"Lundgren", "lundgren"}, {"Lundqvist", "lundqvist"}, {"Mattsson", "mattsson"},
    {"Berglund", "berglund"}, {"Fredriksson", "fredriksson"}, {"Sandberg", "sandberg"},
    {"Henriksson", "henriksson"}, {"Forsberg", "forsberg"}, {"Sjöberg", "sjoberg"},
    {"Wallin", "wallin"}, {"Engström", "engstrom"}, {"Eklund", "eklund"},
    {"Danielsson", "danielsson"}, {"Håkansson", "hakansson"}, {"Lundin", "lundin"},
    {"Björk", "bjork"}, {"Bergman", "bergman"}, {"Gunnarsson", "gunnarsson"}, {"Holm", "holm"},
    {"Samuelsson", "samuelsson"}, {"Fransson", "fransson"}, {"Wikström", "wikstrom"},
    {"Isaksson", "isaksson"}, {"Nyström", "nystrom"}, {"Holmberg", "holmberg"},
    {"Arvidsson", "arvidsson"}, {"Löfgren", "lofgren"}, {"Söderberg", "soderberg"},
    {"Nyberg", "nyberg"}, {"Blomqvist", "blomqvist"}, {"Claesson", "claesson"},
    {"Nordström", "nordstrom"}, {"Mårtensson", "martensson"}, {"Lundström", "lundstrom"},
    {"Hosseini", "hosseini"}, {"Yilmaz", "yilmaz"}, {"Nordin", "nordin"}, {"Öberg", "oberg"},
    {"Åberg", "aberg"}, {"Strand", "strand"}, {"Falk", "falk"}, {"Ek", "ek"}, {"Dahl", "dahl"},
};
/* clang-format on */
#define NFIRST (sizeof(FIRST) / sizeof(FIRST[0]))
#define NLAST  (sizeof(LAST) / sizeof(LAST[0]))

static const char *const STAFF_TITLES[] = {
    "Handläggare",   "Socialsekreterare",   "Lärare",        "Undersköterska",      "Ekonom",
    "Administratör", "Bygglovshandläggare", "Sjuksköterska", "Förskollärare",       "Registrator",
    "Drifttekniker", "Systemförvaltare",    "Controller",    "Personalhandläggare", "Ingenjör"};
#define NSTAFF_TITLES (sizeof(STAFF_TITLES) / sizeof(STAFF_TITLES[0]))

/* Where the staff work: 30 000 people in all. */
struct staff_org {
    const char *code, *domain;
    int people;
};
static const struct staff_org STAFF_ORGS[] = {
    {"ITC", "itcentrum.example", 800},
    {"NORRBY", "norrby.example", 9000},
    {"SODERAS", "soderas.example", 7500},
    {"VASTERFJALL", "vasterfjall.example", 6500},
    {"NORRBYENERGI", "norrbyenergi.example", 1200},
    {"OSTERSUND", "ostersund.example", 5000},
};
#define NSTAFF_ORGS (sizeof(STAFF_ORGS) / sizeof(STAFF_ORGS[0]))

/* The same deterministic generator as demo_scale.c: the same staff every time. */
static uint32_t next_rand(uint64_t *state)
{
    *state = *state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(*state >> 33);
}

struct scale_state {
    const int64_t *systems, *orgs;
    int nsystems, norgs, per_org;
    int (*seen)[NLAST]; /* people so far per first and last name: the user id's number */
    int64_t first_person, approver; /* the first staff id; who approved the exceptions */
    uint64_t rnd;
    const char *at;
    struct demo_access_scale_counts *out;
};

static int scale_entitlements(struct db *db, struct scale_state *s)
{
    int rc = 0;
    for (int i = 0; !rc && i < s->nsystems; i++)
        for (int e = 0; !rc && e < SCALE_ENTS; e++) {
            int64_t id;
            rc = demo_sql_entitlement_insert(db, s->systems[i], SCALE_ENTITLEMENTS[e], "", e == 0,
                                             s->at, &id);
            s->out->entitlements += !rc;
        }
    return rc;
}

/* The staff, organisation by organisation, every fifteenth a manager of those after them; their
 * ids must run on without gaps for the set-based accounts. */
static int scale_people(struct db *db, struct scale_state *s, char *msg, size_t msglen)
{
    char user_id[40], name[80], email[96], start[CLOCK_ISO_LEN], end[CLOCK_ISO_LEN];
    char changed[CLOCK_ISO_LEN];
    int rc = 0, k = 0;
    for (size_t o = 0; !rc && o < NSTAFF_ORGS; o++) {
        const struct staff_org *so = &STAFF_ORGS[o];
        int64_t org = 0, manager = 0;
        rc = demo_sql_org_id(db, so->code, &org);
        if (rc == ERR_NOTFOUND)
            str_format(msg, msglen, "there is no organisation %s: run 'varn demo' first", so->code);
        for (int p = 0; !rc && p < so->people; p++, k++) {
            uint32_t r = next_rand(&s->rnd), r2 = next_rand(&s->rnd);
            const struct name *f = &FIRST[r % NFIRST], *l = &LAST[(r >> 8) % NLAST];
            int n = ++s->seen[r % NFIRST][(r >> 8) % NLAST], ends = (int)((r >> 16) % 100);
            bool leads = p % 15 == 0;
            int64_t id = 0;
            rc = str_format(user_id, sizeof(user_id), "%s.%s%d", f->ascii, l->ascii, n);
            str_format(name, sizeof(name), "%s %s", f->name, l->name);
            str_format(email, sizeof(email), "%s@%s", user_id, so->domain);
            str_format(start, sizeof(start), "%d-%02d-%02d", 1990 + (int)(r2 % 35),
                       1 + (int)((r2 >> 8) % 12), 1 + (int)((r2 >> 12) % 28));
            /* 2 in 100 left up to half a year ago, 3 leave within two months. */
            if (ends < 5)
                days_from_now(ends < 2 ? -1 - (int)((r2 >> 16) % 180) : 1 + (int)((r2 >> 16) % 60),
                              true, end);
            if ((r2 >> 24) % 150 == 0)
                days_from_now(-1 - (int)((r >> 24) % 60), false, changed);
            struct demo_person_row row = {.user_id = user_id,
                                          .name = name,
                                          .email = email,
                                          .employment_start = start,
                                          .employment_end = ends < 5 ? end : NULL,
                                          .title = leads ? "Enhetschef"
                                                         : STAFF_TITLES[(r2 >> 4) % NSTAFF_TITLES],
                                          .role_changed_at = (r2 >> 24) % 150 == 0 ? changed : NULL,
                                          .organisation_id = org,
                                          .manager_id = leads ? 0 : manager,
                                          .privileged = k % 50 == 7};
            if (!rc)
                rc = demo_sql_staff_insert(db, &row, s->at, &id);
            s->out->people += !rc;
            if (!rc && k == 0)
                s->first_person = id;
            if (!rc && id != s->first_person + k) {
                str_format(msg, msglen, "the region's staff did not get consecutive ids");
                rc = ERR_DB;
            }
            if (leads)
                manager = id;
        }
    }
    return rc;
}

/* Service and shared accounts tied to no person, on systems spread over the region: a third
 * of the shared ones have an approved exception, a tenth of all are privileged (without MFA).
 * *first gets the first one's id. */
static int scale_unowned(struct db *db, struct scale_state *s, int64_t *first)
{
    char username[32], until[CLOCK_ISO_LEN], login[CLOCK_ISO_LEN];
    int rc = 0;
    days_from_now(90, true, until);
    for (int u = 0; !rc && u < UNOWNED; u++) {
        int sys = (u * 613 + 11) % s->nsystems;
        bool shared = u % 3 != 0;
        int64_t id = 0;
        str_format(username, sizeof(username), shared ? "gemensam-%03d" : "svc-%03d", u + 1);
        clock_format(clock_now() - (int64_t)(next_rand(&s->rnd) % (30 * DAY)), login);
        struct demo_account_row a = {
            .system_id = s->systems[sys],
            .organisation_id = s->orgs[sys % s->norgs],
            .username = username,
            .status = "active",
            .source = "csv",
            .last_login = login,
            .exception_reason = shared && u % 3 == 2 ? "Gemensam skärm i receptionen" : NULL,
            .exception_until = until,
            .exception_approved_by = s->approver,
            .shared = shared,
            .privileged = u % 10 == 0};
        rc = demo_sql_account_insert(db, &a, s->at, &id);
        s->out->accounts += !rc;
        if (!rc && u == 0)
            *first = id;
    }
    return rc;
}

/* The staff's accounts, set-based (demo_sql_scale_accounts), after the unowned ones; the ids
 * of all must run on from first without gaps for the set-based grants. */
static int scale_staff_accounts(struct db *db, struct scale_state *s, int64_t first, int64_t *total,
                                char *msg, size_t msglen)
{
    struct demo_scale_accounts w = {.first_person = s->first_person,
                                    .people = DEMO_SCALE_PEOPLE,
                                    .first_system = s->systems[0],
                                    .per_org = s->per_org,
                                    .at = s->at};
    char logins[8][CLOCK_ISO_LEN], recent[CLOCK_ISO_LEN], today[CLOCK_ISO_LEN];
    int64_t last = 0, count = 0;
    for (int i = 0; i < s->nsystems; i++)
        if (s->systems[i] != s->systems[0] + i) {
            str_format(msg, msglen, "the region's systems did not get consecutive ids");
            return ERR_DB;
        }
    for (int j = 0; j < DEMO_SCALE_ORGS; j++)
        w.orgs[j] = s->orgs[j];
    /* Last logins within the last three months. */
    for (int i = 0; i < 8; i++) {
        clock_format(clock_now() - (int64_t)(1 + i * 11) * DAY - 3600 * (int64_t)(i + 1),
                     logins[i]);
        w.logins[i] = logins[i];
    }
    clock_format(clock_now() - 3 * 3600, recent);
    days_from_now(0, true, today);
    w.recent = recent;
    w.today = today;
    int rc = demo_sql_scale_accounts(db, &w);
    if (!rc)
        rc = demo_sql_account_span(db, first, &last, &count);
    if (!rc && last - first + 1 != count) {
        str_format(msg, msglen, "the region's accounts did not get consecutive ids");
        rc = ERR_DB;
    }
    s->out->accounts = rc ? 0 : (int)count;
    *total = count;
    return rc;
}

/* The grants, set-based: two per person account, one per unowned account, and a third for
 * the even-numbered person accounts from the one where exactly enough remain to make the
 * region's DEMO_SCALE_GRANTS. */
static int scale_grants(struct db *db, struct scale_state *s, int64_t first, int64_t total)
{
    static const int days[8] = {45, 130, 300, 520, 800, 1100, 1500, 2100};
    char times[8][CLOCK_ISO_LEN];
    const char *granted[8];
    int64_t person_accounts = total - UNOWNED;
    int64_t thirds = DEMO_SCALE_GRANTS - UNOWNED - 2 * person_accounts;
    /* Unowned accounts are d < UNOWNED; the thirds take every other one of the last 2 * thirds
     * person accounts. */
    int64_t third_from = UNOWNED + person_accounts - 2 * thirds;
    for (int i = 0; i < 8; i++) {
        clock_format(clock_now() - (int64_t)days[i] * DAY - 3600 * (int64_t)(7 + i), times[i]);
        granted[i] = times[i];
    }
    if (thirds < 0 || third_from % 2)
        return ERR_INVALID;
    int64_t before = 0, after = 0;
    int rc = demo_sql_count_grants(db, &before);
    if (!rc)
        rc = demo_sql_scale_grants(db, first, total, third_from, granted);
    if (!rc)
        rc = demo_sql_count_grants(db, &after);
    s->out->grants = (int)(after - before);
    return rc;
}

int demo_access_scale(struct db *db, const int64_t *systems, int nsystems, const int64_t *orgs,
                      int norgs, const char *at, struct demo_access_scale_counts *out, char *msg,
                      size_t msglen)
{
    struct scale_state s = {.systems = systems,
                            .orgs = orgs,
                            .nsystems = nsystems,
                            .norgs = norgs,
                            .per_org = nsystems / norgs,
                            .rnd = 20261123,
                            .at = at,
                            .out = out};
    int64_t first = 0, total = 0;
    memset(out, 0, sizeof(*out));
    if (norgs != DEMO_SCALE_ORGS || nsystems % norgs)
        return ERR_INVALID;
    s.seen = calloc(NFIRST, sizeof(*s.seen));
    int rc = s.seen ? 0 : ERR_NOMEM;
    if (!rc)
        rc = demo_sql_person_id(db, "karin.lindqvist", &s.approver);
    if (!rc)
        rc = scale_entitlements(db, &s);
    if (!rc)
        rc = scale_people(db, &s, msg, msglen);
    if (!rc)
        rc = scale_unowned(db, &s, &first);
    if (!rc)
        rc = scale_staff_accounts(db, &s, first, &total, msg, msglen);
    if (!rc)
        rc = scale_grants(db, &s, first, total);
    free(s.seen);
    return rc;
}
