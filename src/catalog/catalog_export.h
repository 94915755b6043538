/* Spreadsheet exports of the catalog and classification lists (CSV as the audit export). */
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

/* Is this a request for an export (?format=csv)? 0 with *csv set, or a 422 problem response
 * for a format other than json or csv. */
int cat_export_format(struct req *req, int *csv);

/* Answer with items as a CSV attachment (BOM, semicolons, CRLF, the Swedish headers of cols,
 * formula-like cells neutralised; true/false as ja/nej) named filename, after recording the
 * export in the audit log (action, object_kind, the query's filters and the row count) in a
 * transaction of its own. More than CAT_EXPORT_MAX items is a 422 too_many_rows. */
int cat_export_csv(struct req *req, struct resp *resp, struct db *db, const char *action,
                   const char *object_kind, const char *filename,
                   const struct cat_export_column *cols, json_t *items,
                   const char *const *filter_params);

#endif
