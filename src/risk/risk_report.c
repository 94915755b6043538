/* The risk report for IT-nämnden: the figures are gathered per organisation into JSON
 * (risk_report_sql.c), then laid out on A4 pages with pango (wrapped text, tables whose header
 * repeats on each page they continue on) and written as PDF with cairo. The layout runs twice:
 * once to count the pages, once to write "Sida N av M". */
#include "risk/risk_report.h"
#include "audit/audit.h"
#include "audit/audit_sql.h"
#include "catalog/cat_common.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/str.h"
#include "http/request.h"
#include "org/org_http.h"
#include "risk/risk.h"
#include "risk/risk_report_sql.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* ---- the figures ---- */

static int64_t num(json_t *o, const char *key)
{
    return (int64_t)json_integer_value(json_object_get(o, key));
}

static const char *text(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

/* The band of a score: the first whose max reaches it (the last one past them all). */
static const char *band_of(json_t *bands, int64_t score)
{
    size_t i;
    json_t *b;
    const char *last = "–";
    json_array_foreach(bands, i, b)
    {
        last = text(b, "name");
        if (score <= (int64_t)json_integer_value(json_object_get(b, "max")))
            return last;
    }
    return last;
}

static const char *treatment_sv(const char *t)
{
    static const char *const NAMES[][2] = {{"reduce", "Reducera"},
                                           {"accept", "Acceptera"},
                                           {"avoid", "Undvik"},
                                           {"transfer", "Överför"}};
    for (size_t i = 0; t && i < sizeof(NAMES) / sizeof(NAMES[0]); i++)
        if (strcmp(NAMES[i][0], t) == 0)
            return NAMES[i][1];
    return "Ej beslutad";
}

static int year_of(const char *date)
{
    int64_t y = 0;
    char s[5];
    memcpy(s, date, 4);
    s[4] = '\0';
    return str_to_int64(s, 1, 9999, &y) ? 0 : (int)y;
}

/* date minus one year (29 February becomes 28 February). */
static void a_year_before(const char *date, char out[11])
{
    int y = year_of(date);
    if (str_format(out, 11, "%04d%s", y > 1 ? y - 1 : 1, date + 4))
        memcpy(out, date, 11);
    if (strcmp(out + 4, "-02-29") == 0)
        out[9] = '8';
}

/* A risk's row of a table: its residual score (the inherent one without a rating). */
static int64_t score_of(json_t *r, bool residual)
{
    json_t *rl = json_object_get(r, "rl"), *rc = json_object_get(r, "rc");
    if (residual && json_is_integer(rl) && json_is_integer(rc))
        return json_integer_value(rl) * json_integer_value(rc);
    return num(r, "il") * num(r, "ic");
}

static json_t *strings(const char *const *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++)
        json_array_append_new(a, json_string(v[i] ? v[i] : ""));
    return a;
}

static json_t *risk_row(json_t *r, json_t *bands, bool with_system, bool with_treatment)
{
    char score[32], system[300];
    int64_t s = score_of(r, true);
    str_format(score, sizeof(score), "%lld", (long long)s);
    if (num(r, "systems") > 1)
        str_format(system, sizeof(system), "%s (+%lld)", text(r, "system"),
                   (long long)(num(r, "systems") - 1));
    else
        str_copy(system, sizeof(system), num(r, "systems") ? text(r, "system") : "–");
    const char *v[6];
    size_t n = 0;
    v[n++] = text(r, "title");
    if (with_system)
        v[n++] = system;
    v[n++] = score;
    v[n++] = band_of(bands, s);
    v[n++] = text(r, "owner");
    if (with_treatment)
        v[n++] = treatment_sv(json_string_value(json_object_get(r, "treatment")));
    return strings(v, n);
}

/* One organisation's section of the report as JSON: summary, top, overdue and changes. */
static int org_figures(struct db *db, json_t *org, const char *today, const char *since,
                       json_t **out)
{
    int64_t id = num(org, "id");
    char from[11];
    a_year_before(today, from);
    json_t *matrix = json_array(), *assessed = json_array(), *risks = json_array();
    json_t *overdue = json_array(), *done = json_array();
    int rc = rr_sql_matrix(db, id, matrix);
    if (!rc)
        rc = rr_sql_assessments(db, id, from, today, assessed);
    if (!rc)
        rc = rr_sql_risks(db, id, risks);
    if (!rc)
        rc = rr_sql_overdue(db, id, today, RISK_REPORT_ROWS_MAX, overdue);
    if (!rc)
        rc = rr_sql_done(db, id, since, RISK_REPORT_ROWS_MAX, done);
    /* the organisation's bands and threshold, or the default matrix's */
    json_t *bands = NULL, *fallback = risk_matrix_default();
    int64_t threshold = json_integer_value(json_object_get(fallback, "acceptance_threshold"));
    if (!rc && json_array_size(matrix)) {
        const char *text_bands =
            json_string_value(json_object_get(json_array_get(matrix, 0), "bands"));
        bands = text_bands ? json_loads(text_bands, 0, NULL) : NULL;
        threshold = num(json_array_get(matrix, 0), "acceptance_threshold");
    }
    if (!rc && (!json_is_array(bands) || json_array_size(bands) == 0)) {
        json_decref(bands);
        bands = json_incref(json_object_get(fallback, "bands"));
    }
    if (!rc && !bands)
        rc = ERR_NOMEM;
    json_decref(fallback);
    json_t *per_band = json_array(), *top = json_array(), *created = json_array();
    json_t *changed = json_array(), *overdue_rows = json_array(), *done_rows = json_array();
    int64_t unrated = 0;
    size_t i;
    json_t *b, *r;
    json_array_foreach(rc ? NULL : bands, i, b)
    {
        json_array_append_new(per_band, json_pack("{s:s, s:s, s:I, s:I}", "name", text(b, "name"),
                                                  "colour", text(b, "colour"), "inherent",
                                                  (json_int_t)0, "residual", (json_int_t)0));
    }
    json_array_foreach(rc ? NULL : risks, i, r)
    {
        const char *name = band_of(bands, score_of(r, false));
        json_t *row;
        size_t j;
        json_array_foreach(per_band, j, row)
        {
            if (strcmp(text(row, "name"), name) == 0)
                json_object_set_new(row, "inherent", json_integer(num(row, "inherent") + 1));
        }
        if (json_is_integer(json_object_get(r, "rl")) &&
            json_is_integer(json_object_get(r, "rc"))) {
            name = band_of(bands, score_of(r, true));
            json_array_foreach(per_band, j, row)
            {
                if (strcmp(text(row, "name"), name) == 0)
                    json_object_set_new(row, "residual", json_integer(num(row, "residual") + 1));
            }
        } else {
            unrated++;
        }
        if (i < RISK_REPORT_TOP)
            json_array_append_new(top, risk_row(r, bands, true, true));
        if (strcmp(text(r, "created_at"), since) >= 0 &&
            json_array_size(created) < RISK_REPORT_ROWS_MAX)
            json_array_append_new(created, risk_row(r, bands, false, true));
        else if (strcmp(text(r, "updated_at"), since) >= 0 &&
                 json_array_size(changed) < RISK_REPORT_ROWS_MAX)
            json_array_append_new(changed, risk_row(r, bands, false, true));
    }
    json_array_foreach(rc ? NULL : overdue, i, r)
    {
        const char *v[] = {text(r, "title"), text(r, "risk"), text(r, "owner"), text(r, "due")};
        json_array_append_new(overdue_rows, strings(v, 4));
    }
    json_array_foreach(rc ? NULL : done, i, r)
    {
        const char *v[] = {text(r, "title"), text(r, "risk"), text(r, "owner"), text(r, "done_on")};
        json_array_append_new(done_rows, strings(v, 4));
    }
    json_t *a = json_array_get(assessed, 0);
    if (!rc)
        *out =
            json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:o, s:I, s:o, s:o, s:o, s:o, s:o}", "code",
                      text(org, "code"), "name", text(org, "name"), "assessments",
                      (json_int_t)num(a, "total"), "approved", (json_int_t)num(a, "approved"),
                      "risks", (json_int_t)json_array_size(risks), "unrated", (json_int_t)unrated,
                      "bands", per_band, "threshold", (json_int_t)threshold, "top", top, "overdue",
                      overdue_rows, "created", created, "changed", changed, "done", done_rows);
    else {
        json_decref(per_band);
        json_decref(top);
        json_decref(overdue_rows);
        json_decref(created);
        json_decref(changed);
        json_decref(done_rows);
    }
    if (!rc && !*out)
        rc = ERR_NOMEM;
    json_decref(matrix);
    json_decref(assessed);
    json_decref(risks);
    json_decref(overdue);
    json_decref(done);
    json_decref(bands);
    return rc;
}

/* ---- the pages ---- */

#define PAGE_W   595.276 /* A4 in points */
#define PAGE_H   841.89
#define MARGIN   56.0
#define FOOTER   24.0
#define CELL_PAD 3.0
#define BOTTOM   (PAGE_H - MARGIN - FOOTER)

struct pdf {
    cairo_surface_t *surface;
    cairo_t *cr;
    PangoFontMap *fonts; /* the report's own, released with it */
    PangoContext *pc;
    struct buf *out;
    bool write_failed;
    double y;
    int page;          /* the current page, from 1 */
    int pages;         /* the total, on the second pass; 0 on the first */
    const char *today; /* for the footer */
};

static cairo_status_t write_out(void *closure, const unsigned char *data, unsigned int len)
{
    struct pdf *p = closure;
    if (buf_append(p->out, data, len)) {
        p->write_failed = true;
        return CAIRO_STATUS_WRITE_ERROR;
    }
    return CAIRO_STATUS_SUCCESS;
}

enum style { BODY, SMALL, BOLD, SMALL_BOLD, H1, H2, H3, ITALIC };

static PangoLayout *layout(struct pdf *p, enum style st, const char *s, double width)
{
    static const char *const FONTS[] = {"DejaVu Sans 10",      "DejaVu Sans 8.5",
                                        "DejaVu Sans Bold 10", "DejaVu Sans Bold 8.5",
                                        "DejaVu Sans Bold 20", "DejaVu Sans Bold 15",
                                        "DejaVu Sans Bold 12", "DejaVu Sans Oblique 10"};
    PangoLayout *l = pango_layout_new(p->pc);
    PangoFontDescription *fd = pango_font_description_from_string(FONTS[st]);
    pango_layout_set_font_description(l, fd);
    pango_font_description_free(fd);
    pango_layout_set_width(l, pango_units_from_double(width));
    pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
    pango_layout_set_text(l, s, -1);
    return l;
}

static double height_of(PangoLayout *l)
{
    int w, h;
    pango_layout_get_size(l, &w, &h);
    return pango_units_to_double(h);
}

static void draw(struct pdf *p, PangoLayout *l, double x, double y)
{
    cairo_move_to(p->cr, x, y);
    pango_cairo_show_layout(p->cr, l);
}

static void footer(struct pdf *p)
{
    char left[96], right[48];
    str_format(left, sizeof(left), "Riskrapport till IT-nämnden, %s", p->today);
    if (p->pages)
        str_format(right, sizeof(right), "Sida %d av %d", p->page, p->pages);
    else
        str_format(right, sizeof(right), "Sida %d", p->page);
    cairo_set_source_rgb(p->cr, 0.35, 0.35, 0.35);
    PangoLayout *l = layout(p, SMALL, left, PAGE_W - 2 * MARGIN);
    draw(p, l, MARGIN, PAGE_H - MARGIN);
    g_object_unref(l);
    l = layout(p, SMALL, right, PAGE_W - 2 * MARGIN);
    pango_layout_set_alignment(l, PANGO_ALIGN_RIGHT);
    draw(p, l, MARGIN, PAGE_H - MARGIN);
    g_object_unref(l);
    cairo_set_source_rgb(p->cr, 0, 0, 0);
}

static void new_page(struct pdf *p)
{
    footer(p);
    cairo_show_page(p->cr);
    p->page++;
    p->y = MARGIN;
}

/* Room for h more points on this page, or a new page. */
static void room(struct pdf *p, double h)
{
    if (p->y + h > BOTTOM && p->y > MARGIN)
        new_page(p);
}

/* A paragraph: wrapped to the text width, then space after it. */
static void para(struct pdf *p, enum style st, const char *s, double after)
{
    PangoLayout *l = layout(p, st, s, PAGE_W - 2 * MARGIN);
    double h = height_of(l);
    room(p, st == BOLD || (st >= H1 && st <= H3) ? h + 40 : h); /* headings keep lines */
    draw(p, l, MARGIN, p->y);
    g_object_unref(l);
    p->y += h + after;
}

struct column {
    const char *title;
    double share; /* of the text width */
};

static double row_height(struct pdf *p, const struct column *cols, size_t n, json_t *cells,
                         enum style st, PangoLayout **ls)
{
    double h = 0;
    for (size_t c = 0; c < n; c++) {
        const char *s = cells ? json_string_value(json_array_get(cells, c)) : cols[c].title;
        ls[c] = layout(p, st, s ? s : "", cols[c].share * (PAGE_W - 2 * MARGIN) - 2 * CELL_PAD);
        double ch = height_of(ls[c]);
        h = ch > h ? ch : h;
    }
    return h + 2 * CELL_PAD;
}

static void draw_row(struct pdf *p, const struct column *cols, size_t n, PangoLayout **ls, double h,
                     bool header, const char *colour)
{
    double x = MARGIN, w = PAGE_W - 2 * MARGIN;
    if (header) {
        cairo_set_source_rgb(p->cr, 0.88, 0.90, 0.93);
        cairo_rectangle(p->cr, MARGIN, p->y, w, h);
        cairo_fill(p->cr);
        cairo_set_source_rgb(p->cr, 0, 0, 0);
    }
    for (size_t c = 0; c < n; c++) {
        double indent = 0;
        unsigned rgb;
        if (c == 0 && colour && strlen(colour) == 7 && sscanf(colour, "#%6x", &rgb) == 1) {
            /* the band's colour as a small square before its name */
            cairo_set_source_rgb(p->cr, (rgb >> 16) / 255.0, ((rgb >> 8) & 0xff) / 255.0,
                                 (rgb & 0xff) / 255.0);
            cairo_rectangle(p->cr, x + CELL_PAD, p->y + CELL_PAD + 1.5, 7, 7);
            cairo_fill(p->cr);
            cairo_set_source_rgb(p->cr, 0, 0, 0);
            indent = 11;
        }
        draw(p, ls[c], x + CELL_PAD + indent, p->y + CELL_PAD);
        g_object_unref(ls[c]);
        x += cols[c].share * w;
    }
    cairo_set_source_rgb(p->cr, 0.75, 0.75, 0.75);
    cairo_set_line_width(p->cr, 0.5);
    cairo_move_to(p->cr, MARGIN, p->y + h);
    cairo_line_to(p->cr, MARGIN + w, p->y + h);
    cairo_stroke(p->cr);
    cairo_set_source_rgb(p->cr, 0, 0, 0);
    p->y += h;
}

/* A table of rows (arrays of strings); its header starts it and every page it continues on.
 * colours: NULL, or per row "#rrggbb" (or null) shown as a square before the first cell. */
static void table(struct pdf *p, const struct column *cols, size_t n, json_t *rows, json_t *colours,
                  const char *empty)
{
    PangoLayout *ls[8], *hs[8];
    if (json_array_size(rows) == 0) {
        para(p, ITALIC, empty, 10);
        return;
    }
    double hh = row_height(p, cols, n, NULL, SMALL_BOLD, hs);
    json_t *first = json_array_get(rows, 0);
    double h = row_height(p, cols, n, first, SMALL, ls);
    for (size_t c = 0; c < n; c++)
        g_object_unref(ls[c]);
    room(p, hh + h);
    draw_row(p, cols, n, hs, hh, true, NULL);
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row)
    {
        h = row_height(p, cols, n, row, SMALL, ls);
        if (p->y + h > BOTTOM) {
            new_page(p);
            hh = row_height(p, cols, n, NULL, SMALL_BOLD, hs);
            draw_row(p, cols, n, hs, hh, true, NULL);
        }
        draw_row(p, cols, n, ls, h, false, json_string_value(json_array_get(colours, i)));
    }
    p->y += 12;
}

static void org_pages(struct pdf *p, json_t *o, const char *since)
{
    static const struct column BANDS[] = {
        {"Nivå", 0.4}, {"Inneboende risk", 0.3}, {"Kvarvarande risk", 0.3}};
    static const struct column TOP[] = {{"Risk", 0.30}, {"System", 0.18}, {"Värde", 0.08},
                                        {"Nivå", 0.10}, {"Ägare", 0.18},  {"Behandling", 0.16}};
    static const struct column MEASURES[] = {
        {"Åtgärd", 0.32}, {"Risk", 0.30}, {"Ansvarig", 0.22}, {"Senast", 0.16}};
    static const struct column DONE[] = {
        {"Åtgärd", 0.32}, {"Risk", 0.30}, {"Ansvarig", 0.22}, {"Genomförd", 0.16}};
    static const struct column RISKS[] = {
        {"Risk", 0.38}, {"Värde", 0.1}, {"Nivå", 0.12}, {"Ägare", 0.22}, {"Behandling", 0.18}};
    char line[512];
    str_format(line, sizeof(line), "%s (%s)", text(o, "name"), text(o, "code"));
    para(p, H2, line, 8);

    para(p, H3, "Sammanfattning", 4);
    int64_t total = num(o, "assessments"), approved = num(o, "approved");
    str_format(line, sizeof(line), "Riskbedömningar de senaste 12 månaderna: %lld",
               (long long)total);
    para(p, BODY, line, 2);
    if (total)
        str_format(line, sizeof(line), "Andel godkända riskbedömningar: %lld %% (%lld av %lld)",
                   (long long)((approved * 100 + total / 2) / total), (long long)approved,
                   (long long)total);
    else
        str_copy(line, sizeof(line), "Andel godkända riskbedömningar: –");
    para(p, BODY, line, 2);
    str_format(line, sizeof(line), "Risker: %lld, acceptansnivå: riskvärde %lld",
               (long long)num(o, "risks"), (long long)num(o, "threshold"));
    para(p, BODY, line, 6);
    json_t *rows = json_array(), *colours = json_array(), *b;
    size_t i;
    json_array_foreach(json_object_get(o, "bands"), i, b)
    {
        json_array_append_new(colours, json_string(text(b, "colour")));
        char in[24], res[24];
        str_format(in, sizeof(in), "%lld", (long long)num(b, "inherent"));
        str_format(res, sizeof(res), "%lld", (long long)num(b, "residual"));
        const char *v[] = {text(b, "name"), in, res};
        json_array_append_new(rows, strings(v, 3));
    }
    if (num(o, "unrated")) {
        char res[24];
        str_format(res, sizeof(res), "%lld", (long long)num(o, "unrated"));
        const char *v[] = {"Ej bedömd", "–", res};
        json_array_append_new(rows, strings(v, 3));
    }
    table(p, BANDS, 3, rows, colours, "Inga risker.");
    json_decref(colours);
    json_decref(rows);

    para(p, H3, "De 10 högsta kvarvarande riskerna", 4);
    table(p, TOP, 6, json_object_get(o, "top"), NULL, "Inga risker.");
    para(p, H3, "Försenade åtgärder", 4);
    table(p, MEASURES, 4, json_object_get(o, "overdue"), NULL, "Inga försenade åtgärder.");

    para(p, H3, "Förändringar sedan förra rapporten", 4);
    str_format(line, sizeof(line),
               "Sedan %s: nya risker %zu, ändrade risker %zu, genomförda åtgärder %zu.", since,
               json_array_size(json_object_get(o, "created")),
               json_array_size(json_object_get(o, "changed")),
               json_array_size(json_object_get(o, "done")));
    para(p, BODY, line, 6);
    para(p, BOLD, "Nya risker", 3);
    table(p, RISKS, 5, json_object_get(o, "created"), NULL, "Inga nya risker.");
    para(p, BOLD, "Ändrade risker", 3);
    table(p, RISKS, 5, json_object_get(o, "changed"), NULL, "Inga ändrade risker.");
    para(p, BOLD, "Genomförda åtgärder", 3);
    table(p, DONE, 4, json_object_get(o, "done"), NULL, "Inga genomförda åtgärder.");
}

/* Lay the report out into out; the number of pages into *pages. */
static int render(json_t *report, const char *today, const char *since, int pages_total,
                  struct buf *out, int *pages)
{
    struct pdf p = {.out = out, .page = 1, .pages = pages_total, .today = today, .y = MARGIN};
    p.surface = cairo_pdf_surface_create_for_stream(write_out, &p, PAGE_W, PAGE_H);
    cairo_pdf_surface_set_metadata(p.surface, CAIRO_PDF_METADATA_TITLE,
                                   "Riskrapport till IT-nämnden");
    cairo_pdf_surface_set_metadata(p.surface, CAIRO_PDF_METADATA_CREATOR, "Värn");
    p.cr = cairo_create(p.surface);
    if (cairo_status(p.cr) != CAIRO_STATUS_SUCCESS) {
        cairo_destroy(p.cr);
        cairo_surface_destroy(p.surface);
        return ERR_NOMEM;
    }
    /* A font map of the report's own rather than the thread's default, which a server thread
     * would keep for good; points are points (pango's default of 96 dpi draws 10 pt as 13.3). */
    p.fonts = pango_cairo_font_map_new();
    pango_cairo_font_map_set_resolution(PANGO_CAIRO_FONT_MAP(p.fonts), 72);
    p.pc = pango_font_map_create_context(p.fonts);
    pango_cairo_update_context(p.cr, p.pc);
    char line[128];
    para(&p, H1, "Riskrapport till IT-nämnden", 6);
    str_format(line, sizeof(line), "Datum: %s", today);
    para(&p, BODY, line, 2);
    str_format(line, sizeof(line), "Förändringar räknas från: %s", since);
    para(&p, BODY, line, 14);
    size_t i;
    json_t *o;
    if (json_array_size(report) == 0)
        para(&p, ITALIC, "Inga organisationer med riskbedömningar.", 0);
    json_array_foreach(report, i, o)
    {
        if (i)
            p.y += 14;
        org_pages(&p, o, since);
    }
    footer(&p);
    *pages = p.page;
    g_object_unref(p.pc);
    g_object_unref(p.fonts);
    cairo_destroy(p.cr);
    cairo_surface_finish(p.surface);
    cairo_status_t status = cairo_surface_status(p.surface);
    cairo_surface_destroy(p.surface);
    if (p.write_failed)
        return ERR_TOOBIG;
    return status == CAIRO_STATUS_SUCCESS ? 0 : ERR_IO;
}

/* ---- the report ---- */

static int since_of(struct db *db, const struct risk_report_query *q, const char *today,
                    int64_t now, char since[11], struct json_problem *p)
{
    int64_t t;
    if (q->since) {
        if (strlen(q->since) != 10 || clock_parse_date(q->since, &t))
            return cat_reject(p, 422, "invalid_date", "since",
                              "since must be a real date written YYYY-MM-DD");
        if (strcmp(q->since, today) > 0)
            return cat_reject(p, 422, "out_of_range", "since", "since cannot be after today (%s)",
                              today);
        return str_copy(since, 11, q->since);
    }
    json_t *rows = json_array();
    int rc =
        rows ? rr_sql_last_report(db, q->organisation ? q->organisation : "*", rows) : ERR_NOMEM;
    const char *at = json_string_value(json_object_get(json_array_get(rows, 0), "at"));
    if (!rc && at && strlen(at) >= 10) {
        memcpy(since, at, 10);
        since[10] = '\0';
    } else if (!rc) {
        char iso[CLOCK_ISO_LEN];
        clock_format(now - 90 * 86400LL, iso);
        memcpy(since, iso, 10);
        since[10] = '\0';
    }
    json_decref(rows);
    return rc;
}

int risk_report_build(struct db *db, const struct org_actor *who, const struct risk_report_query *q,
                      int64_t now, struct buf *out, char since_used[11], struct json_problem *p)
{
    char today[CLOCK_ISO_LEN], org[ORG_CODE_MAX + 1];
    const char *code = NULL, *why;
    clock_format(now, today);
    today[10] = '\0';
    int rc = cat_filter(q->organisation, "organisation", &code, p);
    if (!rc && code)
        code = org_code_normalise(code, org, &why) ? "" : org;
    struct risk_report_query normal = {.organisation = code, .since = q->since};
    if (!rc)
        rc = since_of(db, &normal, today, now, since_used, p);
    json_t *orgs = json_array(), *report = json_array(), *o;
    if (!rc)
        rc = orgs && report ? rr_sql_orgs(db, who, code, orgs) : ERR_NOMEM;
    if (!rc && code && json_array_size(orgs) == 0)
        rc = cat_reject(p, 404, "not_found", "organisation",
                        "there is no organisation '%s' in your reach", cat_shown(q->organisation));
    size_t i;
    json_array_foreach(rc ? NULL : orgs, i, o)
    {
        json_t *figures = NULL;
        rc = org_figures(db, o, today, since_used, &figures);
        if (rc)
            break;
        json_array_append_new(report, figures);
    }
    int pages = 0;
    if (!rc) {
        struct buf first;
        buf_init(&first, RISK_REPORT_BYTES);
        rc = render(report, today, since_used, 0, &first, &pages);
        buf_release(&first);
    }
    if (!rc)
        rc = render(report, today, since_used, pages, out, &pages);
    json_decref(orgs);
    json_decref(report);
    return rc;
}

int risk_report_record(struct db *db, const struct org_actor *who, int64_t org_id,
                       const struct risk_report_query *q, const char *since)
{
    char org[ORG_CODE_MAX + 1];
    const char *why, *code = q->organisation && *q->organisation ? q->organisation : NULL;
    if (code)
        code = org_code_normalise(code, org, &why) ? q->organisation : org;
    json_t *after = json_pack("{s:s, s:{s:s?, s:s?}, s:s}", "format", "pdf", "filter",
                              "organisation", code, "since", q->since, "since", since);
    struct audit_event ev = {.actor = who->actor,
                             .address = who->address,
                             .action = "risk_report.export",
                             .object_kind = "risk_report",
                             .object_id = code ? code : "*",
                             .organisation_id = org_id,
                             .after = after};
    int rc = after ? audit_append_alone(db, &ev) : ERR_NOMEM;
    json_decref(after);
    return rc;
}

/* ---- HTTP ---- */

static void free_ptr(void *ptr)
{
    free(ptr);
}

int h_risk_report(struct req *req, struct resp *resp)
{
    static const char *const params[] = {"organisation", "since", NULL};
    struct org_actor who = org_actor_of(req);
    struct risk_report_query q = {.organisation = req_query(req, "organisation"),
                                  .since = req_query(req, "since")};
    struct json_problem p = {0};
    struct db *db = NULL;
    struct buf pdf;
    char since[11] = "";
    int64_t org_id = 0;
    buf_init(&pdf, RISK_REPORT_BYTES);
    int rc = req_query_db(req, params, &db);
    if (!rc)
        rc = risk_report_build(db, &who, &q, clock_now(), &pdf, since, &p);
    if (!rc && strcmp(req->method, "HEAD") != 0) {
        rc = audit_sql_caller_org(db, &req->caller, &org_id);
        if (!rc)
            rc = risk_report_record(db, &who, org_id, &q, since);
    }
    if (!rc) {
        char iso[CLOCK_ISO_LEN];
        size_t len;
        clock_format(clock_now(), iso);
        iso[10] = '\0';
        char *body = buf_detach(&pdf, &len);
        arena_defer(&req->arena, free_ptr, body);
        resp->status = 200;
        resp->content_type = "application/pdf";
        resp->disposition =
            arena_printf(&req->arena, "attachment; filename=\"riskrapport-%s.pdf\"", iso);
        resp->body = body;
        resp->len = len;
    }
    buf_release(&pdf);
    return rc ? req_fail(req, rc, &p) : 0;
}
