/* The offboarding list (ITC-ATK-9, ITC-ATK-10): people whose employment ends within the notice
 * period or has ended, or whose role changed since their grants were last reviewed, with every
 * grant to remove; a login after the end date is flagged as a possible incident. */
#include "access/workflow.h"
#include "access/offboarding_sql.h"
#include "access/workflow_util.h"
#include "catalog/cat_common.h"
#include "engine/rule.h"
#include "org/org_sql.h"
#include "core/err.h"
#include "core/str.h"
#include "db/db.h"

#include <string.h>

/* The cutoff date of org_id: today + the notice of its policy profiles' access_offboarding
 * obligation (the longest when several), else WORKFLOW_NOTICE_DAYS. From cache, an object
 * keyed by organisation id, filled from profiles on first use. */
static const char *org_cutoff(json_t *cache, json_t *profiles, int64_t org_id, const char *today,
                              const char *fallback)
{
    char key[24], best[ORG_DATE_LEN + 1];
    wf_id_text(org_id, key);
    const char *hit = wf_member(cache, key);
    if (hit)
        return hit;
    str_copy(best, sizeof(best), fallback);
    for (size_t i = 0; i < json_array_size(profiles); i++) {
        json_t *pr = json_array_get(profiles, i);
        if (wf_hidden(pr, "_organisation_id") != org_id)
            continue;
        json_t *doc = json_loads(wf_member(pr, "body"), 0, NULL);
        json_t *obs = json_object_get(doc, "obligations");
        for (size_t k = 0; k < json_array_size(obs); k++) {
            json_t *ob = json_array_get(obs, k);
            const char *rule = wf_member(ob, "rule");
            const char *notice = wf_member(json_object_get(ob, "params"), "notice");
            struct period per;
            char cut[11];
            if (rule && strcmp(rule, "access_offboarding") == 0 && notice &&
                period_parse(notice, &per) == 0 && period_add(today, per, cut) == 0 &&
                strcmp(cut, best) > 0)
                str_copy(best, sizeof(best), cut);
        }
        json_decref(doc);
    }
    json_object_set_new(cache, key, json_string(best));
    return wf_member(cache, key);
}

/* Group rows (one per grant) into people, dropping the grants of a person that qualify only
 * through their own organisation's (shorter) notice. */
static json_t *group(json_t *rows, json_t *profiles, const char *today, const char *fixed,
                     const char *fallback)
{
    json_t *items = json_array(), *cache = json_object(), *cur = NULL;
    int64_t cur_person = 0;
    for (size_t i = 0; i < json_array_size(rows); i++) {
        json_t *r = json_array_get(rows, i);
        const char *end = wf_member(r, "employment_end");
        const char *cut =
            fixed ? fixed
                  : org_cutoff(cache, profiles, wf_hidden(r, "_organisation_id"), today, fallback);
        bool leaving = end && strcmp(end, cut) <= 0;
        if (!leaving && !json_is_true(json_object_get(r, "role_change")))
            continue;
        if (!cur || wf_hidden(r, "_person_id") != cur_person) {
            cur_person = wf_hidden(r, "_person_id");
            cur = json_object();
            static const char *const copy[] = {
                "user_id",      "name",           "organisation",    "manager",
                "manager_name", "employment_end", "role_changed_at", NULL};
            for (size_t k = 0; copy[k]; k++)
                json_object_set(cur, copy[k], json_object_get(r, copy[k]));
            json_object_set_new(cur, "days_left",
                                end ? json_integer(wf_days_between(today, end)) : json_null());
            json_object_set_new(cur, "reason",
                                json_string(leaving ? "employment_end" : "role_change"));
            json_object_set_new(cur, "possible_incident", json_false());
            json_object_set_new(cur, "grants", json_array());
            json_array_append_new(items, cur);
        }
        const char *login = wf_member(r, "last_login");
        /* A login on a day after the last day of employment that has passed. */
        bool after = end && login && strcmp(end, today) < 0 && strlen(login) >= ORG_DATE_LEN &&
                     strncmp(login, end, ORG_DATE_LEN) > 0;
        json_t *g = json_pack("{s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:b}", "grant",
                              json_object_get(r, "grant"), "system", json_object_get(r, "system"),
                              "system_name", json_object_get(r, "system_name"), "account",
                              json_object_get(r, "account"), "entitlement",
                              json_object_get(r, "entitlement"), "administrator",
                              json_object_get(r, "administrator"), "last_login",
                              json_object_get(r, "last_login"), "login_after_end", after);
        json_array_append_new(json_object_get(cur, "grants"), g);
        if (after)
            json_object_set_new(cur, "possible_incident", json_true());
    }
    json_decref(cache);
    return items;
}

int offboarding_list(struct db *db, const struct org_actor *who, const struct offboarding_query *q,
                     json_t **out, struct json_problem *p)
{
    struct offboarding_filter f = {0};
    char today[ORG_DATE_LEN + 1], fixed[ORG_DATE_LEN + 1], fallback[ORG_DATE_LEN + 1];
    char widest[ORG_DATE_LEN + 1];
    int64_t days = -1, me = wf_caller_person(who);
    json_t *rows = json_array(), *profiles = json_array();
    wf_today(today);
    int rc = 0;
    if (wf_given(q->notice) && str_to_int64(q->notice, 0, 366, &days))
        rc = cat_reject(p, 422, "out_of_range", "notice",
                        "notice är antal dagar före anställningens slut, 0 till 366");
    if (!rc)
        rc = cat_filter(q->organisation, "organisation", &f.organisation, p);
    static const char *const me_only[] = {"me", NULL};
    if (!rc && wf_given(q->manager) && !wf_one_of(q->manager, me_only))
        rc = cat_reject(p, 422, "invalid_value", "manager", "manager kan bara vara me");
    if (!rc && wf_given(q->administrator) && !wf_one_of(q->administrator, me_only))
        rc = cat_reject(p, 422, "invalid_value", "administrator", "administrator kan bara vara me");
    if (rc)
        goto done;
    /* A token is no one's manager or administrator: -1 matches nobody. */
    f.manager = wf_given(q->manager) ? (me ? me : -1) : 0;
    f.administrator = wf_given(q->administrator) ? (me ? me : -1) : 0;
    rc = wf_days_after(today, WORKFLOW_NOTICE_DAYS, fallback);
    if (!rc && days >= 0)
        rc = wf_days_after(today, (int)days, fixed);
    if (!rc && days < 0)
        rc = offboarding_sql_profiles(db, profiles);
    if (rc)
        goto done;
    /* The query takes the widest cutoff; each organisation's own is applied after. */
    str_copy(widest, sizeof(widest), days >= 0 ? fixed : fallback);
    if (days < 0) {
        json_t *cache = json_object();
        for (size_t i = 0; i < json_array_size(profiles); i++) {
            const char *c = org_cutoff(cache, profiles,
                                       wf_hidden(json_array_get(profiles, i), "_organisation_id"),
                                       today, fallback);
            if (strcmp(c, widest) > 0)
                str_copy(widest, sizeof(widest), c);
        }
        json_decref(cache);
    }
    f.cutoff = widest;
    rc = offboarding_sql_rows(db, who, &f, rows);
    if (!rc) {
        json_t *items = group(rows, profiles, today, days >= 0 ? fixed : NULL, fallback);
        *out = json_pack("{s:o, s:o}", "items", items, "notice_days",
                         days >= 0 ? json_integer(days) : json_null());
    }
done:
    json_decref(rows);
    json_decref(profiles);
    return rc;
}

json_t *offboarding_rows(json_t *items)
{
    json_t *rows = json_array();
    for (size_t i = 0; i < json_array_size(items); i++) {
        json_t *person = json_array_get(items, i), *grants = json_object_get(person, "grants");
        const char *reason = wf_member(person, "reason");
        for (size_t k = 0; k < json_array_size(grants); k++) {
            json_t *g = json_array_get(grants, k);
            json_t *r = json_pack(
                "{s:O, s:O, s:O, s:O, s:O, s:O, s:s, s:O, s:O, s:O, s:O, s:O, s:O, s:s}", "user_id",
                json_object_get(person, "user_id"), "name", json_object_get(person, "name"),
                "organisation", json_object_get(person, "organisation"), "manager",
                json_object_get(person, "manager"), "employment_end",
                json_object_get(person, "employment_end"), "days_left",
                json_object_get(person, "days_left"), "reason_sv",
                reason && strcmp(reason, "employment_end") == 0 ? "Anställningen upphör"
                                                                : "Ändrad roll",
                "system", json_object_get(g, "system"), "system_name",
                json_object_get(g, "system_name"), "account", json_object_get(g, "account"),
                "entitlement", json_object_get(g, "entitlement"), "administrator",
                json_object_get(g, "administrator"), "last_login", json_object_get(g, "last_login"),
                "incident_sv",
                json_is_true(json_object_get(g, "login_after_end")) ? "Möjlig incident" : "");
            json_array_append_new(rows, r);
        }
    }
    return rows;
}
