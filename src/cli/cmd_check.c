/* varn check: evaluate the policies now (or at VARN_NOW) and print the findings as a table per
 * policy section or as JSON; the exit code says whether all is met. */
#include "cli/cli.h"
#include "core/clock.h"
#include "core/err.h"
#include "db/db.h"
#include "db/migrate.h"
#include "engine/engine.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

enum { EXIT_DUE_SOON = 1, EXIT_OVERDUE = 2, EXIT_EVALUATION_FAILED = 3 };

static int exit_code_of(const size_t counts[FINDING_STATUS_COUNT])
{
    if (counts[FINDING_OVERDUE] || counts[FINDING_MISSING])
        return EXIT_OVERDUE;
    return counts[FINDING_DUE_SOON] ? EXIT_DUE_SOON : CLI_OK;
}

static json_t *finding_json(const struct finding *f)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:{s:s, s:s, s:s}, s:s, s:s?, s:s?, s:s, s:s, s:s}",
                     "obligation", f->obligation, "cite", f->cite, "section", f->section,
                     "organisation", f->organisation, "subject", "kind", f->subject_kind, "id",
                     f->subject_ref, "name", f->subject_name, "status",
                     finding_status_name(f->status), "due", f->due[0] ? f->due : NULL,
                     "responsible", f->responsible, "profile", f->profile, "profile_version",
                     f->profile_version, "rule", f->rule);
}

static int print_json(const struct finding_set *set, int64_t now,
                      const size_t counts[FINDING_STATUS_COUNT])
{
    char at[CLOCK_ISO_LEN];
    clock_format(now, at);
    json_t *items = json_array(), *summary = json_object(), *by_org = json_object();
    for (size_t i = 0; i < set->n; i++) {
        const struct finding *f = &set->v[i];
        json_array_append_new(items, finding_json(f));
        json_t *org = json_object_get(by_org, f->organisation);
        if (!org) {
            org = json_object();
            json_object_set_new(by_org, f->organisation, org);
        }
        const char *s = finding_status_name(f->status);
        json_object_set_new(org, s, json_integer(json_integer_value(json_object_get(org, s)) + 1));
    }
    json_object_set_new(summary, "total", json_integer((json_int_t)set->n));
    for (int s = 0; s < FINDING_STATUS_COUNT; s++)
        json_object_set_new(summary, finding_status_name((enum finding_status)s),
                            json_integer((json_int_t)counts[s]));
    json_object_set_new(summary, "by_organisation", by_org);
    json_t *doc = json_pack("{s:s, s:o, s:o}", "now", at, "findings", items, "summary", summary);
    int rc = json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_ENSURE_ASCII) == 0 ? 0 : ERR_IO;
    json_decref(doc);
    return rc || fputc('\n', stdout) == EOF ? ERR_IO : 0;
}

static const char *const STATUS_TEXT[FINDING_STATUS_COUNT] = {"ok",      "due soon", "OVERDUE",
                                                              "MISSING", "excepted", "not tracked"};

/* One block per profile and section, in the order evaluation met them (document order): the
 * counts, then every finding that is not ok. */
static void print_text(const struct finding_set *set, int64_t now,
                       const size_t counts[FINDING_STATUS_COUNT])
{
    char at[CLOCK_ISO_LEN];
    clock_format(now, at);
    printf("Policy check at %s: %zu findings\n", at, set->n);
    for (size_t i = 0; i < set->n; i++) {
        const struct finding *head = &set->v[i];
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = strcmp(set->v[j].section, head->section) == 0 &&
                   strcmp(set->v[j].profile, head->profile) == 0;
        if (seen)
            continue;
        size_t c[FINDING_STATUS_COUNT] = {0};
        for (size_t j = i; j < set->n; j++)
            if (strcmp(set->v[j].section, head->section) == 0 &&
                strcmp(set->v[j].profile, head->profile) == 0)
                c[set->v[j].status]++;
        printf("\n%s (%s):", head->section, head->profile);
        for (int s = 0; s < FINDING_STATUS_COUNT; s++)
            if (c[s])
                printf(" %zu %s", c[s], STATUS_TEXT[s]);
        printf("\n");
        for (size_t j = i; j < set->n; j++) {
            const struct finding *f = &set->v[j];
            if (f->status == FINDING_OK || strcmp(f->section, head->section) != 0 ||
                strcmp(f->profile, head->profile) != 0)
                continue;
            printf("  %-11s %-12s %-14s %-12s %-28.28s due %-10s %s\n", STATUS_TEXT[f->status],
                   f->obligation, f->cite + (strncmp(f->cite, "§ ", 3) == 0 ? 3 : 0),
                   f->organisation, f->subject_ref, f->due[0] ? f->due : "-",
                   f->responsible ? f->responsible : "(nobody holds the role)");
        }
    }
    printf("\nTotal: %zu ok, %zu due soon, %zu overdue, %zu missing, %zu excepted, %zu not "
           "tracked\n",
           counts[FINDING_OK], counts[FINDING_DUE_SOON], counts[FINDING_OVERDUE],
           counts[FINDING_MISSING], counts[FINDING_EXCEPTED], counts[FINDING_NOT_TRACKED]);
}

int cmd_check(int argc, char **argv, struct app *app)
{
    const char *format = "text", *org = NULL, *value;
    for (int i = 1; i < argc;) {
        if (cli_option(argc, argv, &i, "--format", &value)) {
            if (!value || (strcmp(value, "text") != 0 && strcmp(value, "json") != 0))
                return cli_usage_error("check", "--format is text or json");
            format = value;
            continue;
        }
        if (cli_option(argc, argv, &i, "--org", &value)) {
            if (!value || !*value)
                return cli_usage_error("check", "--org needs an organisation code");
            org = value;
            continue;
        }
        return cli_usage_error("check", "unexpected argument '%s'", argv[i]);
    }
    char msg[512] = "";
    struct db *db = NULL;
    struct arena a;
    struct finding_set set = {.arena = &a};
    int64_t org_id = 0, now = clock_now();
    arena_init(&a);
    int rc = db_open(app->db_url, 0, &db, msg, sizeof(msg));
    if (!rc)
        rc = migrate_check_current(db, varn_migrations, varn_migrations_count, app->db_url, msg,
                                   sizeof(msg));
    if (!rc && org && (rc = engine_organisation_id(db, org, &org_id)) == ERR_NOTFOUND)
        snprintf(msg, sizeof(msg), "there is no organisation '%s'", org);
    if (!rc)
        rc = engine_evaluate(db, now, org_id, &set, msg, sizeof(msg));
    size_t counts[FINDING_STATUS_COUNT] = {0};
    for (size_t i = 0; !rc && i < set.n; i++)
        counts[set.v[i].status]++;
    if (!rc && strcmp(format, "json") == 0)
        rc = print_json(&set, now, counts);
    else if (!rc)
        print_text(&set, now, counts);
    db_close(db);
    arena_release(&a);
    if (rc) {
        /* Not 1: that means "due soon" here; a script must never read a failure as a pass. */
        cli_fail("%s", msg[0] ? msg : err_str(rc));
        return EXIT_EVALUATION_FAILED;
    }
    return exit_code_of(counts);
}
