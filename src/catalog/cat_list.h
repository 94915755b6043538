/* What the catalog's lists share beyond a page (cat_common.h): the filter on the caller's
 * reach, worked out once per request, and list items stored with their objects. */
#ifndef VARN_CATALOG_CAT_LIST_H
#define VARN_CATALOG_CAT_LIST_H

#include "authz/authz.h"
#include "catalog/cat_common.h"
#include "core/buf.h"
#include "org/org.h"

#include <stdbool.h>
#include <stdint.h>

struct db;
struct db_stmt;

/* ---- the reach filter ----
 * A list filters on the caller's reach worked out once in C (authz_reach) instead of
 * AUTHZ_SCOPE_CTE, whose temporary b-trees cost as much as a page of rows: as ranges of
 * organisation ids bound as parameters (:r<i>lo, :r<i>hi), with every row also checked in C
 * (cat_page.reach). A reach of more than CAT_REACH_RANGES_MAX runs of ids falls back to the
 * CTE; the command line (who->everything) filters on nothing. */

#define CAT_REACH_RANGES_MAX 8

enum cat_reach_scope { CAT_REACH_EVERYTHING, CAT_REACH_RANGES, CAT_REACH_CTE };

struct cat_reach {
    enum cat_reach_scope scope;
    const struct caller *caller;
    unsigned roles;
    struct authz_reach reach;
    int64_t ranges[CAT_REACH_RANGES_MAX][2];
    size_t nranges;
};

/* Work out who's reach into r, and have pg check every row against it. */
int cat_reach_start(struct db *db, const struct org_actor *who, struct cat_reach *r,
                    struct cat_page *pg);
/* The statement's beginning: AUTHZ_SCOPE_CTE when the scope needs it, else nothing. */
int cat_reach_with(struct buf *b, const struct cat_reach *r);
/* The condition that col (an organisation id column) is in reach. */
int cat_reach_where(struct buf *b, const struct cat_reach *r, const char *col);
int cat_reach_bind(struct db_stmt *st, const struct cat_reach *r);
void cat_reach_end(struct cat_reach *r, struct cat_page *pg);

/* What the catalog lists' statements share, for the table alias a ('s' system, 'i'
 * information) with columns organisation_id, owner_id, external_id and name. The head:
 * AUTHZ_SCOPE_CTE when needed, select, the joins a stored-items select needs for the filters
 * given (organisation o, person ow), WHERE, the reach, and the organisation (code) and owner
 * (user id) filters. The tail, after the list's own filters: the search q (external id or
 * name), the cursor, the order and :limit. */
struct cat_list_filter {
    const char *organisation, *owner, *like; /* NULL: any */
    bool by_name;                            /* order by name, external_id */
    const char *after_key, *after_id;        /* keyset cursor, or NULL */
    int limit;
};
/* The filter's order, search, cursor and limit (one more row than the page) from pg. */
void cat_list_filter_page(struct cat_list_filter *f, const struct cat_page *pg);
int cat_list_sql_head(struct buf *b, const struct cat_reach *r, const char *select, bool stored,
                      char a, const struct cat_list_filter *f);
int cat_list_sql_tail(struct buf *b, char a, const struct cat_list_filter *f);
int cat_list_bind_head(struct db_stmt *st, const struct cat_reach *r,
                       const struct cat_list_filter *f);
int cat_list_bind_tail(struct db_stmt *st, const struct cat_list_filter *f);

/* A list's statement for filter in reach r, from the stored items (stored) or the columns, and
 * its binds. */
typedef int (*cat_list_sql_fn)(struct buf *b, const void *filter, const struct cat_reach *r,
                               bool stored);
typedef int (*cat_list_bind_fn)(struct db_stmt *st, const void *filter, const struct cat_reach *r);
/* Step a list's page into pg: who's reach worked out, the statement made by sql and bound by
 * bind; a written page (pg->out) reads the stored items of kind, a collected one the columns. */
int cat_list_rows(struct db *db, const struct org_actor *who, const struct cat_item_kind *kind,
                  cat_list_sql_fn sql, cat_list_bind_fn bind, const void *filter,
                  struct cat_page *pg);

/* ---- stored list items (db/migrations/0010_list_items.sql) ----
 * A list whose JSON pages are made of items rendered from the columns whenever their object
 * changes and stored with it (a list_item column), so that a page reads one column per row.
 * How one kind of item is rendered and stored: */
struct cat_item_kind {
    const char *one;           /* SELECT of the item's columns for :id; the first is _id */
    const char *batch;         /* the same for the ids after :after, ORDER BY id LIMIT :n */
    const char *batch_missing; /* the same for those whose item is NULL */
    const char *store;         /* UPDATE ... SET list_item = :item WHERE id = :id */
    cat_row_tail_fn tail;      /* members after the columns, or NULL */
    const char *tail_cols[CAT_ROW_TAIL_MAX + 1];
};

/* Render and store the item of object id, or of every object (missing_only: those without
 * one; *count, when given, the number rendered), inside the caller's transaction. */
int cat_item_render(struct db *db, const struct cat_item_kind *kind, int64_t id);
int cat_items_render(struct db *db, const struct cat_item_kind *kind, bool missing_only,
                     int *count);
/* Render the item of object id into out without storing it (a page's row found without). */
int cat_item_write(struct db *db, const struct cat_item_kind *kind, struct buf *out, int64_t id);

#endif
