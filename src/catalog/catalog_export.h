/* Spreadsheet exports (CSV as the audit export, XLSX) of the catalog and classification lists. */
#ifndef VARN_CATALOG_CATALOG_EXPORT_H
#define VARN_CATALOG_CATALOG_EXPORT_H

#include <jansson.h>

struct req;
struct resp;
struct db;

#define CAT_EXPORT_MAX 20000 /* rows one export may hold */

struct cat_export_column {
    const char *member; /* of the list item */
    const char *header; /* Swedish column header */
};

#define CAT_EXPORT_CELL_MAX 4100 /* bytes of one cell (a description of 4 000 characters) */

enum { CAT_FORMAT_JSON, CAT_FORMAT_CSV, CAT_FORMAT_XLSX };

struct cat_export_names {
    const char *action;           /* "systems.export" */
    const char *object_kind;      /* "system" */
    const char *sheet;            /* the XLSX sheet's Swedish name */
    const char *disposition_csv;  /* Content-Disposition of the CSV */
    const char *disposition_xlsx; /* and of the XLSX */
};

/* ?format=json|csv|xlsx into *format (absent: json); 0, or a 422 problem response. */
int cat_export_format(struct req *req, int *format);

/* Answer with items as a CSV (BOM, semicolons, CRLF, the Swedish headers of cols, formula-like
 * cells neutralised, true/false as ja/nej) or XLSX attachment (a bold header row, column
 * widths, dates as text, formula-like text with a leading apostrophe), after recording the
 * export in the audit log (names->action, the format, the query's filters and the row count)
 * in a transaction of its own. More than CAT_EXPORT_MAX items is a 422 too_many_rows. */
int cat_export(struct req *req, struct resp *resp, struct db *db, int format,
               const struct cat_export_names *names, const struct cat_export_column *cols,
               json_t *items, const char *const *filter_params);

#endif
