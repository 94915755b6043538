/* CSV, XLSX and JSON exports of the system and information lists, audited like audit.export. */
#include "catalog/catalog_export.h"
#include "audit/audit.h"
#include "audit/audit_sql.h"
#include "catalog/cat_common.h"
#include "catalog/catalog.h"
#include "classification/classification.h"
#include "core/arena.h"
#include "core/csv.h"
#include "core/err.h"
#include "core/str.h"
#include "http/request.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

struct column {
    const char *member; /* of the list item */
    const char *header; /* Swedish column header */
};

static const struct column system_columns[] = {
    {"external_id", "Externt id"},
    {"name", "Namn"},
    {"organisation", "Organisation"},
    {"system_owner", "Systemägare"},
    {"administrator", "Förvaltare"},
    {"supplier", "Leverantör"},
    {"lifecycle", "Livscykel"},
    {"hosting", "Drift"},
    {"hosting_country", "Land"},
    {"internet_facing", "Exponerat mot internet"},
    {"sso", "Enkel inloggning"},
    {"mfa_enforced", "Flerfaktorsautentisering"},
    {"last_significant_change", "Senaste väsentliga ändring"},
    {"k", "K"},
    {"r", "R"},
    {"t", "T"},
    {"personal_data", "Personuppgifter"},
    {"description", "Beskrivning"},
    {NULL, NULL}};

static const struct column information_columns[] = {{"external_id", "Externt id"},
                                                    {"name", "Namn"},
                                                    {"organisation", "Organisation"},
                                                    {"information_owner", "Informationsägare"},
                                                    {"k", "K"},
                                                    {"r", "R"},
                                                    {"t", "T"},
                                                    {"personal_data", "Personuppgifter"},
                                                    {"secrecy_reference", "Sekretess (OSL)"},
                                                    {"classified_at", "Klassad"},
                                                    {"classified_by", "Klassad av"},
                                                    {"review_due", "Nästa granskning"},
                                                    {"description", "Beskrivning"},
                                                    {NULL, NULL}};

/* The kravlista: a system's requirements as rows (see cat_requirement_rows). */
static const struct column requirement_columns[] = {{"text_sv", "Krav"},  {"aspect_sv", "Aspekt"},
                                                    {"level_sv", "Nivå"}, {"met", "Uppfyllt"},
                                                    {"code", "Kod"},      {NULL, NULL}};

static const struct column finding_columns[] = {{"obligation", "Krav"},
                                                {"cite", "Paragraf"},
                                                {"section", "Avsnitt"},
                                                {"organisation", "Organisation"},
                                                {"subject", "Objekt"},
                                                {"status", "Status"},
                                                {"due", "Senast"},
                                                {"responsible", "Ansvarig"},
                                                {NULL, NULL}};

/* The risk register and the risk assessments (src/risk: rows flattened with Swedish values). */
static const struct column risk_columns[] = {{"id", "Id"},
                                             {"external_id", "Externt id"},
                                             {"organisation", "Organisation"},
                                             {"assessment_title", "Riskbedömning"},
                                             {"title", "Risk"},
                                             {"threat", "Hot"},
                                             {"vulnerability", "Sårbarhet"},
                                             {"systems", "System"},
                                             {"information", "Information"},
                                             {"inherent_likelihood", "Sannolikhet före"},
                                             {"inherent_consequence", "Konsekvens före"},
                                             {"inherent_score", "Riskvärde före"},
                                             {"inherent_band", "Risknivå före"},
                                             {"residual_likelihood", "Sannolikhet efter"},
                                             {"residual_consequence", "Konsekvens efter"},
                                             {"residual_score", "Riskvärde efter"},
                                             {"residual_band", "Risknivå efter"},
                                             {"treatment", "Hantering"},
                                             {"owner", "Riskägare"},
                                             {"accepted_by", "Accepterad av"},
                                             {"accepted_at", "Accepterad"},
                                             {"acceptance_expires", "Acceptansen upphör"},
                                             {NULL, NULL}};

static const struct column risk_assessment_columns[] = {{"id", "Id"},
                                                        {"organisation", "Organisation"},
                                                        {"title", "Riskbedömning"},
                                                        {"scope", "Omfattning"},
                                                        {"systems", "System"},
                                                        {"assessed_on", "Datum"},
                                                        {"trigger_kind", "Anledning"},
                                                        {"method", "Metod"},
                                                        {"status", "Status"},
                                                        {"approved_by", "Godkänd av"},
                                                        {"approved_at", "Godkänd"},
                                                        {"risk_count", "Antal risker"},
                                                        {NULL, NULL}};

/* Accounts and grants (src/access: rows flattened with Swedish values). */
static const struct column account_columns[] = {{"id", "Id"},
                                                {"system", "System"},
                                                {"system_name", "Systemnamn"},
                                                {"organisation", "Organisation"},
                                                {"username", "Användarnamn"},
                                                {"person", "Användar-id"},
                                                {"person_name", "Person"},
                                                {"shared", "Delat konto"},
                                                {"privileged", "Privilegierat"},
                                                {"mfa_enrolled", "Flerfaktorsautentisering"},
                                                {"last_login", "Senaste inloggning"},
                                                {"status", "Status"},
                                                {"source", "Källa"},
                                                {"exception_until", "Undantag till"},
                                                {"active_grants", "Aktiva behörigheter"},
                                                {NULL, NULL}};

static const struct column grant_columns[] = {{"id", "Id"},
                                              {"system", "System"},
                                              {"organisation", "Organisation"},
                                              {"username", "Användarnamn"},
                                              {"person", "Användar-id"},
                                              {"entitlement", "Behörighet"},
                                              {"privileged", "Privilegierad"},
                                              {"granted_at", "Tilldelad"},
                                              {"granted_by", "Tilldelad av"},
                                              {"source", "Källa"},
                                              {"active", "Aktiv"},
                                              {"revoked_at", "Återkallad"},
                                              {"revoked_by", "Återkallad av"},
                                              {"revoke_reason", "Skäl"},
                                              {NULL, NULL}};
/* The access workflows (src/access): a review campaign's evidence and the offboarding list. */
static const struct column access_review_item_columns[] = {{"system", "System"},
                                                           {"system_name", "Systemnamn"},
                                                           {"organisation", "Organisation"},
                                                           {"account", "Konto"},
                                                           {"person", "Person"},
                                                           {"person_name", "Namn"},
                                                           {"entitlement", "Behörighet"},
                                                           {"reviewer", "Granskare"},
                                                           {"reviewer_name", "Granskarens namn"},
                                                           {"decision_sv", "Beslut"},
                                                           {"comment", "Kommentar"},
                                                           {"decided_by", "Beslutad av"},
                                                           {"decided_at", "Beslutad"},
                                                           {NULL, NULL}};

static const struct column offboarding_columns[] = {{"user_id", "Användar-id"},
                                                    {"name", "Namn"},
                                                    {"organisation", "Organisation"},
                                                    {"manager", "Chef"},
                                                    {"employment_end", "Slutdatum"},
                                                    {"days_left", "Dagar kvar"},
                                                    {"reason_sv", "Anledning"},
                                                    {"system", "System"},
                                                    {"system_name", "Systemnamn"},
                                                    {"account", "Konto"},
                                                    {"entitlement", "Behörighet"},
                                                    {"administrator", "Förvaltare"},
                                                    {"last_login", "Senaste inloggning"},
                                                    {"incident_sv", "Möjlig incident"},
                                                    {NULL, NULL}};

static const struct {
    const char *action, *object_kind, *sheet, *csv_file, *xlsx_file;
    const struct column *cols;
} lists[] = {
    [CAT_LIST_SYSTEMS] = {"systems.export", "system", "Systemkatalog",
                          "attachment; filename=\"systemkatalog.csv\"",
                          "attachment; filename=\"systemkatalog.xlsx\"", system_columns},
    [CAT_LIST_INFORMATION] = {"information.export", "information", "Informationstillgångar",
                              "attachment; filename=\"informationstillgangar.csv\"",
                              "attachment; filename=\"informationstillgangar.xlsx\"",
                              information_columns},
    [CAT_LIST_REQUIREMENTS] = {"requirements.export", "system", "Kravlista",
                               "attachment; filename=\"kravlista.csv\"",
                               "attachment; filename=\"kravlista.xlsx\"", requirement_columns},
    [CAT_LIST_FINDINGS] = {"findings.export", "finding", "Avvikelser",
                           "attachment; filename=\"avvikelser.csv\"",
                           "attachment; filename=\"avvikelser.xlsx\"", finding_columns},
    [CAT_LIST_RISKS] = {"risks.export", "risk", "Riskregister",
                        "attachment; filename=\"riskregister.csv\"",
                        "attachment; filename=\"riskregister.xlsx\"", risk_columns},
    [CAT_LIST_RISK_ASSESSMENTS] = {"risk_assessments.export", "risk_assessment", "Riskbedömningar",
                                   "attachment; filename=\"riskbedomningar.csv\"",
                                   "attachment; filename=\"riskbedomningar.xlsx\"",
                                   risk_assessment_columns},
    [CAT_LIST_ACCOUNTS] = {"accounts.export", "account", "Konton",
                           "attachment; filename=\"konton.csv\"",
                           "attachment; filename=\"konton.xlsx\"", account_columns},
    [CAT_LIST_GRANTS] = {"grants.export", "grant", "Behörigheter",
                         "attachment; filename=\"behorigheter.csv\"",
                         "attachment; filename=\"behorigheter.xlsx\"", grant_columns},
    [CAT_LIST_ACCESS_REVIEW_ITEMS] = {"access_review.export", "access_review",
                                      "Behörighetsgranskning",
                                      "attachment; filename=\"behorighetsgranskning.csv\"",
                                      "attachment; filename=\"behorighetsgranskning.xlsx\"",
                                      access_review_item_columns},
    [CAT_LIST_OFFBOARDING] = {"offboarding.export", "person", "Avslut av behörigheter",
                              "attachment; filename=\"avslut-behorigheter.csv\"",
                              "attachment; filename=\"avslut-behorigheter.xlsx\"",
                              offboarding_columns},
};

static const char *const format_names[] = {"json", "csv", "xlsx"};

int cat_export_format_parse(const char *s, enum cat_format *format)
{
    *format = CAT_FORMAT_JSON;
    for (int f = 0; s && f < 3; f++)
        if (strcmp(s, format_names[f]) == 0) {
            *format = (enum cat_format)f;
            return 0;
        }
    return s ? ERR_INVALID : 0;
}

int cat_export_rows(struct db *db, const struct org_actor *who, enum cat_list list, void *query,
                    json_t **all, struct json_problem *p)
{
    char cursor[1024];
    json_t *page = NULL;
    struct system_list_query *sq = query;
    struct information_list_query *iq = query;
    int rc = 0;
    *all = json_array();
    if (list == CAT_LIST_SYSTEMS) {
        sq->limit = "500";
        sq->cursor = NULL;
    } else {
        iq->limit = "500";
        iq->cursor = NULL;
    }
    for (;;) {
        rc = list == CAT_LIST_SYSTEMS ? system_list(db, who, sq, &page, p)
                                      : information_list(db, who, iq, &page, p);
        if (rc)
            break;
        json_array_extend(*all, json_object_get(page, "items"));
        const char *next = json_string_value(json_object_get(page, "next_cursor"));
        if (json_array_size(*all) > CAT_EXPORT_MAX) {
            rc = ERR_TOOBIG;
            break;
        }
        if (!next || str_copy(cursor, sizeof(cursor), next))
            break;
        if (list == CAT_LIST_SYSTEMS)
            sq->cursor = cursor;
        else
            iq->cursor = cursor;
        json_decref(page);
        page = NULL;
    }
    json_decref(page);
    if (rc) {
        json_decref(*all);
        *all = NULL;
    }
    return rc;
}

json_t *cat_requirement_rows(json_t *requirements)
{
    static const char *const aspects[][2] = {{"k", "Konfidentialitet"},
                                             {"r", "Riktighet"},
                                             {"t", "Tillgänglighet"},
                                             {"personal_data", "Personuppgifter"}};
    json_t *rows = json_array(), *items = json_object_get(requirements, "items");
    for (size_t i = 0; i < json_array_size(items); i++) {
        json_t *it = json_array_get(items, i);
        const char *aspect = json_string_value(json_object_get(it, "aspect"));
        int level = (int)json_integer_value(json_object_get(it, "min_level"));
        const char *aspect_sv = aspect ? aspect : "";
        char level_sv[96];
        for (size_t a = 0; aspect && a < sizeof(aspects) / sizeof(aspects[0]); a++)
            if (strcmp(aspect, aspects[a][0]) == 0)
                aspect_sv = aspects[a][1];
        if (aspect && strcmp(aspect, "personal_data") == 0)
            str_copy(level_sv, sizeof(level_sv),
                     level >= 2 ? "Känsliga personuppgifter" : "Personuppgifter");
        else
            str_format(level_sv, sizeof(level_sv), "%d (%s)", level, cat_level_name_sv(level));
        json_t *met = json_object_get(it, "met");
        json_array_append_new(
            rows, json_pack("{s:O, s:s, s:s, s:O, s:O}", "text_sv", json_object_get(it, "text_sv"),
                            "aspect_sv", aspect_sv, "level_sv", level_sv, "met",
                            met ? met : json_null(), "code", json_object_get(it, "code")));
    }
    return rows;
}

/* A member as the text of a cell. */
static const char *cell_text(json_t *v, char *tmp, size_t size)
{
    if (json_is_string(v))
        return json_string_value(v);
    if (json_is_integer(v) && str_format(tmp, size, "%lld", (long long)json_integer_value(v)) == 0)
        return tmp;
    if (json_is_boolean(v))
        return json_is_true(v) ? "ja" : "nej";
    return "";
}

static int build_csv(struct buf *csv, const struct column *cols, json_t *items)
{
    char tmp[32];
    int rc = buf_append_str(csv, "\xEF\xBB\xBF");
    for (size_t c = 0; !rc && cols[c].member; c++)
        rc = csv_write_cell(csv, cols[c].header, cols[c + 1].member ? ';' : '\n');
    for (size_t i = 0; !rc && i < json_array_size(items); i++) {
        json_t *item = json_array_get(items, i);
        for (size_t c = 0; !rc && cols[c].member; c++)
            rc = csv_write_cell(csv,
                                cell_text(json_object_get(item, cols[c].member), tmp, sizeof(tmp)),
                                cols[c + 1].member ? ';' : '\n');
    }
    return rc;
}

/* The workbook is built in a temporary file (libxlsxwriter writes files), read back into out
 * and removed. */
static int build_xlsx(struct buf *out, const char *sheet, const struct column *cols, json_t *items)
{
    char path[256], tmp[32], cell[CAT_EXPORT_CELL_MAX + 2];
    const char *dir = getenv("TMPDIR");
    if (str_format(path, sizeof(path), "%s/varn-export-XXXXXX", dir && *dir ? dir : "/tmp"))
        return ERR_IO;
    int fd = mkstemp(path);
    if (fd < 0)
        return ERR_IO;
    close(fd);
    lxw_workbook_options opt = {.constant_memory = LXW_TRUE, .tmpdir = NULL};
    lxw_workbook *wb = workbook_new_opt(path, &opt);
    lxw_worksheet *ws = wb ? workbook_add_worksheet(wb, sheet) : NULL;
    lxw_format *bold = wb ? workbook_add_format(wb) : NULL;
    int rc = ws && bold ? 0 : ERR_NOMEM;
    if (!rc)
        format_set_bold(bold);
    for (lxw_col_t c = 0; !rc && cols[c].member; c++) {
        size_t width = strlen(cols[c].header) + 4;
        worksheet_set_column(ws, c, c, (double)(width < 14 ? 14 : width), NULL);
        if (worksheet_write_string(ws, 0, c, cols[c].header, bold) != LXW_NO_ERROR)
            rc = ERR_IO;
    }
    for (size_t i = 0; !rc && i < json_array_size(items); i++) {
        json_t *item = json_array_get(items, i);
        lxw_row_t row = (lxw_row_t)(i + 1);
        for (lxw_col_t c = 0; !rc && cols[c].member; c++) {
            json_t *v = json_object_get(item, cols[c].member);
            lxw_error e;
            if (json_is_integer(v)) {
                e = worksheet_write_number(ws, row, c, (double)json_integer_value(v), NULL);
            } else {
                const char *s = cell_text(v, tmp, sizeof(tmp));
                if (csv_formula_like(s) && str_format(cell, sizeof(cell), "'%s", s) == 0)
                    s = cell;
                e = *s ? worksheet_write_string(ws, row, c, s, NULL) : LXW_NO_ERROR;
            }
            if (e != LXW_NO_ERROR)
                rc = ERR_IO;
        }
    }
    if (wb && workbook_close(wb) != LXW_NO_ERROR && !rc)
        rc = ERR_IO;
    if (!rc)
        rc = buf_read_file(out, path);
    unlink(path);
    return rc;
}

int cat_export_build(enum cat_list list, enum cat_format format, json_t *items, struct buf *out)
{
    if (json_array_size(items) > CAT_EXPORT_MAX)
        return ERR_TOOBIG;
    if (format == CAT_FORMAT_CSV)
        return build_csv(out, lists[list].cols, items);
    if (format == CAT_FORMAT_XLSX)
        return build_xlsx(out, lists[list].sheet, lists[list].cols, items);
    json_t *doc = json_pack("{s:O}", "items", items);
    char *text = doc ? json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
    int rc = text ? buf_append_str(out, text) : ERR_NOMEM;
    if (!rc)
        rc = buf_append_str(out, "\n");
    free(text);
    json_decref(doc);
    return rc;
}

int cat_export_record(struct db *db, const char *actor, const char *address, int64_t org_id,
                      enum cat_list list, enum cat_format format, json_t *filter, size_t rows)
{
    return cat_export_record_object(db, actor, address, org_id, list, format, filter, rows, NULL);
}

int cat_export_record_object(struct db *db, const char *actor, const char *address, int64_t org_id,
                             enum cat_list list, enum cat_format format, json_t *filter,
                             size_t rows, const char *object_id)
{
    json_t *after = json_pack("{s:s, s:O?, s:I}", "format", format_names[format], "filter", filter,
                              "rows", (json_int_t)rows);
    struct audit_event ev = {.actor = actor,
                             .address = address,
                             .action = lists[list].action,
                             .object_kind = lists[list].object_kind,
                             .object_id = object_id,
                             .organisation_id = org_id,
                             .after = after};
    int rc = after ? audit_append_alone(db, &ev) : ERR_NOMEM;
    json_decref(after);
    return rc;
}

/* ---- HTTP ---- */

int cat_export_format(struct req *req, enum cat_format *format)
{
    if (cat_export_format_parse(req_query(req, "format"), format))
        return req_problem(req, 422, "invalid_value", "format", "format must be json, csv or xlsx");
    return 0;
}

int cat_list_start(struct req *req, const char *const *params, struct db **db,
                   enum cat_format *format)
{
    int rc = req_query_known(req, params);
    if (!rc)
        rc = cat_export_format(req, format);
    return rc ? rc : req_db(req, db);
}

static void free_ptr(void *p)
{
    free(p);
}

static const char *attachment(struct req *req, const char *fixed, const char *name, const char *ext)
{
    return name ? arena_printf(&req->arena, "attachment; filename=\"%s.%s\"", name, ext) : fixed;
}

int cat_export_send(struct req *req, struct resp *resp, struct db *db, enum cat_list list,
                    enum cat_format format, json_t *items, json_t *filter, const char *object_id,
                    const char *name)
{
    struct buf file;
    int64_t org_id = 0;
    buf_init(&file, CAT_EXPORT_BYTES);
    int rc = cat_export_build(list, format, items, &file);
    if (!rc && strcmp(req->method, "HEAD") != 0) {
        rc = audit_sql_caller_org(db, &req->caller, &org_id);
        if (!rc)
            rc = cat_export_record_object(db, req->caller.actor, req->caller.address, org_id, list,
                                          format, filter, json_array_size(items), object_id);
    }
    if (!rc) {
        size_t len;
        char *body = buf_detach(&file, &len);
        arena_defer(&req->arena, free_ptr, body);
        resp->status = 200;
        resp->content_type =
            format == CAT_FORMAT_XLSX
                ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                : "text/csv; charset=utf-8";
        resp->disposition = format == CAT_FORMAT_XLSX
                                ? attachment(req, lists[list].xlsx_file, name, "xlsx")
                                : attachment(req, lists[list].csv_file, name, "csv");
        resp->body = body;
        resp->len = len;
    }
    buf_release(&file);
    return rc;
}

int cat_export_rows_send(struct req *req, struct resp *resp, struct db *db, enum cat_list list,
                         enum cat_format format, json_t *rows, const char *const *params,
                         const char *object_id)
{
    json_t *filter = json_object();
    int rc = filter ? 0 : ERR_NOMEM;
    for (size_t i = 0; !rc && params[i]; i++) {
        const char *v = req_query(req, params[i]);
        if (v && *v && strcmp(params[i], "format") != 0 && strcmp(params[i], "limit") != 0 &&
            strcmp(params[i], "cursor") != 0)
            json_object_set_new(filter, params[i], json_string(v));
    }
    if (!rc && json_array_size(rows) > CAT_EXPORT_MAX)
        rc = ERR_TOOBIG;
    if (!rc)
        rc = cat_export_send(req, resp, db, list, format, rows, filter, object_id, NULL);
    json_decref(rows);
    json_decref(filter);
    return rc;
}

int cat_export_fail(struct req *req, int rc, const struct json_problem *p)
{
    if (rc == ERR_TOOBIG)
        return req_problem(req, 422, "too_many_rows", NULL,
                           "the export would hold more than %d rows; narrow the filter",
                           CAT_EXPORT_MAX);
    return req_fail(req, rc, p);
}

int cat_list_answer(struct req *req, struct resp *resp, struct db *db, int rc, json_t *out,
                    const struct json_problem *p, enum cat_format format, enum cat_list list,
                    json_t *(*rows)(json_t *items), const char *const *params,
                    const char *object_id)
{
    if (rc) {
        json_decref(out);
        return cat_export_fail(req, rc, p);
    }
    if (format == CAT_FORMAT_JSON)
        return resp_json(req, resp, 200, out);
    json_t *flat = rows(json_object_get(out, "items"));
    json_decref(out);
    return cat_export_fail(
        req, cat_export_rows_send(req, resp, db, list, format, flat, params, object_id), p);
}

/* The export is built in a bounded buffer and recorded in the audit log before a byte of it
 * leaves, as the audit export is: an export that cannot be recorded is not sent. */
int cat_export_respond(struct req *req, struct resp *resp, struct db *db,
                       const struct org_actor *who, enum cat_list list, enum cat_format format,
                       void *query, const char *const *params)
{
    struct json_problem p = {0};
    json_t *all = NULL;
    int rc = cat_export_rows(db, who, list, query, &all, &p);
    if (!rc)
        rc = cat_export_rows_send(req, resp, db, list, format, all, params, NULL);
    else
        json_decref(all);
    return cat_export_fail(req, rc, &p);
}
