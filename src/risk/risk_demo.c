/* The region-scale demo's risk management (varn demo --scale region): assessments of the demo
 * systems with participants, risks with measures and acceptances, generated deterministically. */
#include "risk/risk.h"
#include "risk/risk_sql.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/str.h"

#include <string.h>

#define DAY              86400
#define DEMO_ASSESSMENTS 6000
#define DEMO_RISKS       40000

static const char *const THREATS[] = {"Obehörig åtkomst",
                                      "Utpressningsvirus",
                                      "Nätfiske",
                                      "Avbrott hos leverantör",
                                      "Felaktig behörighet",
                                      "Dataläckage",
                                      "Strömavbrott",
                                      "Sårbarhet i mjukvara",
                                      "Misstag vid hantering",
                                      "Förlorad krypteringsnyckel"};
static const char *const VULNS[] = {"Saknad flerfaktorsautentisering",
                                    "Ej uppdaterat system",
                                    "Svag loggning",
                                    "Otestad återläsning",
                                    "Delade konton",
                                    "Ingen avtalad tillgänglighet"};
static const char *const TRIGGERS[] = {"yearly", "yearly", "significant_change", "incident",
                                       "new_information"};
static const char *const STATUSES[] = {"approved", "approved", "in_progress", "draft"};
static const char *const TREATMENTS[] = {"reduce", "reduce", "accept", "avoid", "transfer"};

static uint32_t next_rand(uint64_t *state)
{
    *state = *state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(*state >> 33);
}

static void day_from_today(int days, char out[CLOCK_ISO_LEN])
{
    clock_format(clock_now() + (int64_t)days * DAY, out);
    out[10] = '\0';
}

static int add_risks(struct db *db, const struct assessment_write *a, int64_t system_id, int first,
                     int n, uint64_t *rnd, const char *at, struct risk_demo_result *out)
{
    char ext[24], title[160], accepted[CLOCK_ISO_LEN], expires[CLOCK_ISO_LEN];
    char due[CLOCK_ISO_LEN], done[CLOCK_ISO_LEN];
    int rc = 0;
    for (int i = 0; !rc && i < n; i++) {
        uint32_t r = next_rand(rnd);
        struct risk_write w = {0};
        str_format(ext, sizeof(ext), "R-RISK-%05d", first + i + 1);
        str_format(title, sizeof(title), "%s via %s", THREATS[r % 10], VULNS[(r / 10) % 6]);
        w.assessment_id = a->id;
        w.organisation_id = a->organisation_id;
        w.owner_id = a->approved_by;
        w.external_id = ext;
        w.title = title;
        w.threat = THREATS[r % 10];
        w.vulnerability = VULNS[(r / 10) % 6];
        w.il = 1 + (r >> 8) % 4;
        w.ic = 1 + (r >> 10) % 4;
        w.rl = w.il > 1 && (r >> 12) % 3 ? w.il - 1 : w.il;
        w.rc = w.ic;
        w.treatment = TREATMENTS[(r >> 14) % 5];
        if (strcmp(w.treatment, "accept") == 0) {
            /* Most acceptances hold for months; some run out within a month, some have. */
            int left =
                (r >> 17) % 4 == 0 ? (int)((r >> 19) % 30) - 10 : 60 + (int)((r >> 19) % 300);
            clock_format(clock_now() + (int64_t)(left - 365) * DAY, accepted);
            day_from_today(left, expires);
            w.accepted_by = a->approved_by;
            w.accepted_at = accepted;
            w.acceptance_expires = expires;
        }
        rc = risk_sql_risk_insert(db, &w, at);
        if (!rc)
            rc = risk_sql_risk_links_set(db, w.id, false, &system_id, 1);
        out->risks += !rc;
        if (!rc && strcmp(w.treatment, "reduce") == 0) {
            struct measure_write m = {.risk_id = w.id, .owner_id = a->approved_by};
            int state = (int)((r >> 22) % 4);
            day_from_today((int)((r >> 24) % 240) - 60, due);
            m.title = (r >> 21) % 2 ? "Inför flerfaktorsautentisering" : "Uppdatera och härda";
            m.due = due;
            m.status = state == 0 ? "done" : state == 1 ? "in_progress" : "planned";
            if (state == 0) {
                day_from_today(-(int)((r >> 26) % 30) - 1, done);
                m.done_on = done;
                m.evidence = "Ärende i förvaltningens ärendesystem";
            }
            rc = risk_sql_measure_insert(db, &m, at);
            out->measures += !rc;
        }
    }
    return rc;
}

int risk_demo_scale(struct db *db, const int64_t *systems, int nsystems, const int64_t *orgs,
                    const int64_t *owners, int norgs, struct risk_demo_result *out)
{
    char at[CLOCK_ISO_LEN], on[CLOCK_ISO_LEN], approved[CLOCK_ISO_LEN], title[160];
    uint64_t rnd = 20260606;
    int rc = 0, made = 0;
    memset(out, 0, sizeof(*out));
    clock_format(clock_now(), at);
    for (int a = 0; !rc && a < DEMO_ASSESSMENTS; a++) {
        uint32_t r = next_rand(&rnd);
        int s = (int)((uint32_t)a * 7919u % (uint32_t)nsystems), o = s % norgs;
        struct assessment_write w = {0};
        int days = -(int)(r % 900);
        day_from_today(days, on);
        clock_format(clock_now() + (int64_t)(days + 14) * DAY, approved);
        str_format(title, sizeof(title), "Riskbedömning %d", a + 1);
        w.organisation_id = orgs[o];
        w.title = title;
        w.scope = "system";
        w.assessed_on = on;
        w.trigger_kind = TRIGGERS[(r >> 10) % 5];
        w.method = "Workshop med system- och informationsägare";
        w.status = days + 14 > 0 ? "in_progress" : STATUSES[(r >> 13) % 4];
        w.approved_at = strcmp(w.status, "approved") == 0 ? approved : NULL;
        w.approved_by = w.approved_at ? owners[o] : 0;
        rc = risk_sql_assessment_insert(db, &w, at);
        if (!rc)
            rc = risk_sql_assessment_systems_set(db, w.id, &systems[s], 1);
        if (!rc)
            rc = risk_sql_invite(db, w.id);
        bool took_part = (r >> 16) % 3 != 0;
        if (!rc && took_part)
            rc = risk_sql_participant_set(db, w.id, owners[o], at);
        out->assessments += !rc;
        out->participants += !rc && took_part;
        int n = (a + 1) * DEMO_RISKS / DEMO_ASSESSMENTS - a * DEMO_RISKS / DEMO_ASSESSMENTS;
        w.approved_by = owners[o]; /* the risks' owner */
        if (!rc)
            rc = add_risks(db, &w, systems[s], made, n, &rnd, at, out);
        made += n;
    }
    return rc;
}
