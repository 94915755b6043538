/* Shared plumbing of the catalog and classification modules: problems, transactions, audit,
 * rows as JSON, keyset pages with opaque cursors, and the K/R/T level names. */
#ifndef VARN_CATALOG_CAT_COMMON_H
#define VARN_CATALOG_CAT_COMMON_H

#include "core/buf.h"
#include "org/org.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct db;
struct db_stmt;
struct cat_item_kind;

#define CAT_EXTERNAL_ID_MAX 64   /* bytes of an external_id: A-Z a-z 0-9 . _ - */
#define CAT_TEXT_MAX        4000 /* characters of a description */
#define CAT_CURSOR_KEY_MAX  (ORG_NAME_BYTES + CAT_EXTERNAL_ID_MAX + 2)

/* Fill p and return ERR_REJECTED. */
int cat_reject(struct json_problem *p, int status, const char *code, const char *field,
               const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* A value quoted back in a message: short printable ASCII, else "(this value)". */
const char *cat_shown(const char *s);
int cat_unknown_org(struct json_problem *p, const char *field, const char *code);
int cat_unknown_person(struct json_problem *p, const char *field, const char *user_id);

/* 1-64 of A-Z a-z 0-9 . _ -. */
int cat_external_id_check(const char *s, const char **why);

/* The Swedish name of a level 0-4 on the municipal scale (domain.md §1.2). */
const char *cat_level_name_sv(int level);

/* Commit after success, roll back after anything else; *out is dropped when nothing stuck. */
int cat_finish(struct db *db, int rc, json_t **out);
int cat_audit(struct db *db, const struct org_actor *who, const char *action,
              const char *object_kind, const char *object_id, int64_t org_id, json_t *before,
              json_t *after);

/* Bind :caller_* and :everything for a statement starting with AUTHZ_SCOPE_CTE. */
int cat_bind_scope(struct db_stmt *st, const struct org_actor *who);
/* The current row as an object keyed by column name. A column named "#x" is the integer x,
 * "?x" the boolean x, "_x" the hidden integer _x (ids for the logic, never sent); others are
 * text; SQL NULL is null. (The written path also knows "=x": the whole item, already JSON.) */
json_t *cat_row_json(struct db_stmt *st);
/* A copy of obj without its hidden members (those whose names begin with '_'). */
json_t *cat_public(json_t *obj);
/* Step st and give one row as JSON; no row is ERR_NOTFOUND. Finalizes st. */
int cat_one_row(struct db_stmt *st, int rc, json_t **out);
/* One row of sql bound with :id, as JSON (ERR_NOTFOUND without one). */
int cat_row_by_id(struct db *db, const char *sql, int64_t id, json_t **out);
/* One row of sql, which starts with AUTHZ_SCOPE_CTE (bound as cat_bind_scope), with the
 * parameter name bound to text, or to id when text is NULL. */
int cat_row_scoped(struct db *db, const char *sql, const struct org_actor *who, const char *name,
                   int64_t id, const char *text, json_t **out);
/* Step st to its end, appending each row as JSON to items. Finalizes st. */
int cat_all_rows(struct db_stmt *st, int rc, json_t *items);

/* ---- list pages ---- */

/* The most bytes of a list page written as JSON text (500 rows of long descriptions fit). */
#define CAT_PAGE_BYTES_MAX (32u << 20)

#define CAT_ROW_COLS_MAX 48   /* columns of a row on the written path */
#define CAT_ROW_KEYS_MAX 1024 /* bytes of their names as JSON keys */
#define CAT_ROW_TAIL_MAX 4    /* columns a tail reads */

/* Members written after a row's columns on the written path (",\"level_name_sv\":...", with
 * the leading comma), from the same statement row; cols[i] is the index of the column named
 * tail_cols[i] (-1 when there is none). */
typedef int (*cat_row_tail_fn)(struct buf *b, struct db_stmt *st, const int *cols);

/* How the written path writes a row, worked out from the column names at the first row. */
struct cat_row_plan {
    int ncols;                                /* 0 until the first row */
    char type[CAT_ROW_COLS_MAX];              /* 0 hidden, 's' text, '#' integer, '?' bool */
    int item_col;                             /* "=item": the row is this JSON text, or -1 */
    int row_id_col;                           /* _id (to render a missing item), or -1 */
    unsigned short key_off[CAT_ROW_COLS_MAX]; /* where its ,"name": starts in keys */
    unsigned short key_len[CAT_ROW_COLS_MAX]; /* its length (no comma for the first) */
    char keys[CAT_ROW_KEYS_MAX];
    int tail[CAT_ROW_TAIL_MAX]; /* indexes of the tail's columns */
    int sort_col, id_col;       /* the cursor's columns ("_name" will do for "name"), or -1 */
    int org_col;                /* _organisation_id, or -1 */
};

struct cat_page {
    char kind;                              /* the cursor's resource letter */
    const char *sort;                       /* "external_id" or "name" (the ordering member) */
    int limit;                              /* items per page */
    bool has_after;                         /* a cursor was given */
    char after_key[CAT_CURSOR_KEY_MAX];     /* the sort value of the last item seen */
    char after_id[CAT_EXTERNAL_ID_MAX + 1]; /* its external_id (the tie-breaker) */
    char like[2 * ORG_FILTER_MAX + 3];      /* from q, or "" */
    json_t *items;                          /* collected, one more than limit at most */
    /* The written path: when out is set before cat_page_start, the rows are written as JSON
     * text into out as they are stepped ({"items":[...],"next_cursor":...}, the same bytes as
     * the collected path gives through resp_json) and items stays NULL. */
    struct buf *out;
    /* When set, a row is kept only when its _organisation_id is in reach: the check in C
     * behind a statement that already filters on the reach (see cat_sql_system_list). */
    const struct authz_reach *reach;
    cat_row_tail_fn tail;                        /* optional, the written path only */
    const char *tail_cols[CAT_ROW_TAIL_MAX + 1]; /* the columns it reads, NULL-terminated */
    /* A row whose "=item" is NULL (stored before items were, or by hand) is rendered from its
     * _id as item_kind says (cat_list.h); without a kind such a row fails the page. */
    struct db *item_db;
    const struct cat_item_kind *item_kind;
    struct cat_row_plan plan; /* filled at the first row */
    int rows;                 /* rows stepped, one more than limit at most */
    char last_key[CAT_CURSOR_KEY_MAX + CAT_EXTERNAL_ID_MAX + 8]; /* the last item's sort value */
    char last_id[CAT_EXTERNAL_ID_MAX + 1];                       /* and external_id */
    bool last_ok;                                                /* both were present and fitted */
};

/* Check limit, cursor, sort and q; sort NULL or "" is external_id. */
int cat_page_start(struct cat_page *pg, const char *limit, const char *cursor, const char *sort,
                   const char *q, struct json_problem *p);
/* Step st (finalized here) into the page: collected into items, or written into out. */
int cat_page_rows(struct cat_page *pg, struct db_stmt *st, int rc);
/* {"items", "next_cursor"} in *out, the hidden members dropped; frees the items on error. */
int cat_page_end(struct cat_page *pg, int rc, json_t **out);
/* Write the current row of st into pg->out as the written path does (the plan made from st's
 * columns at the first call); for rendering items to store. */
int cat_row_write(struct cat_page *pg, struct db_stmt *st);
/* The written path's end: closes the items and writes next_cursor into pg->out. */
int cat_page_end_written(struct cat_page *pg, int rc);
/* The index of the column named name in the current statement, or -1. */
int cat_col_index(struct db_stmt *st, const char *name);
/* A filter value: NULL when absent or empty; longer than ORG_FILTER_MAX is refused. */
int cat_filter(const char *value, const char *name, const char **out, struct json_problem *p);
/* An optional level filter 0-4 into *out (-1 when absent). */
int cat_level_filter(const char *value, const char *name, int64_t *out, struct json_problem *p);

#endif
