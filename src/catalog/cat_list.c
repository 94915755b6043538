/* The catalog lists' reach filter and stored list items (see cat_list.h). */
#include "catalog/cat_list.h"
#include "core/err.h"
#include "core/json_write.h"
#include "core/str.h"
#include "db/db.h"

#include <string.h>

/* ---- the reach filter ---- */

int cat_reach_start(struct db *db, const struct org_actor *who, struct cat_reach *r,
                    struct cat_page *pg)
{
    static const struct caller nobody = {.kind = CALLER_ANONYMOUS};
    *r = (struct cat_reach){.scope = CAT_REACH_EVERYTHING, .roles = who->roles};
    /* The command line is nobody: its "mine" is empty, as the scope's :caller_person 0. */
    r->caller = who->caller && !who->everything ? who->caller : &nobody;
    if (who->everything)
        return 0;
    int rc = authz_reach(db, r->caller, who->roles, &r->reach);
    r->nranges = authz_reach_ranges(&r->reach, r->ranges, CAT_REACH_RANGES_MAX);
    r->scope = r->nranges <= CAT_REACH_RANGES_MAX ? CAT_REACH_RANGES : CAT_REACH_CTE;
    pg->reach = &r->reach;
    return rc;
}

int cat_reach_with(struct buf *b, const struct cat_reach *r)
{
    return r->scope == CAT_REACH_CTE ? buf_append_str(b, AUTHZ_SCOPE_CTE) : 0;
}

int cat_reach_where(struct buf *b, const struct cat_reach *r, const char *col)
{
    if (r->scope == CAT_REACH_EVERYTHING)
        return buf_append_str(b, "1 = 1");
    if (r->scope == CAT_REACH_CTE)
        return buf_printf(b, "%s IN (SELECT org_id FROM scope)", col);
    if (r->nranges == 0)
        return buf_append_str(b, "1 = 0");
    /* Unary plus: a test on the value, not a reason to read by the organisation index (the
     * page is read in its order, external_id or name, and stops at the limit). */
    int rc = 0;
    for (size_t i = 0; !rc && i < r->nranges; i++)
        rc = buf_printf(b, "%s+%s BETWEEN :r%zulo AND :r%zuhi%s", i ? " OR " : "(", col, i, i,
                        i + 1 == r->nranges ? ")" : "");
    return rc;
}

int cat_reach_bind(struct db_stmt *st, const struct cat_reach *r)
{
    char name[16];
    int rc = r->scope == CAT_REACH_CTE ? authz_bind_scope(st, r->caller, r->roles) : 0;
    for (size_t i = 0; !rc && r->scope == CAT_REACH_RANGES && i < r->nranges; i++) {
        rc = str_format(name, sizeof(name), ":r%zulo", i);
        if (!rc)
            rc = db_bind_int(st, name, r->ranges[i][0]);
        if (!rc)
            rc = str_format(name, sizeof(name), ":r%zuhi", i);
        if (!rc)
            rc = db_bind_int(st, name, r->ranges[i][1]);
    }
    return rc;
}

void cat_reach_end(struct cat_reach *r, struct cat_page *pg)
{
    pg->reach = NULL;
    authz_reach_release(&r->reach);
}

#define LIST_SQL_MAX 4096

void cat_list_filter_page(struct cat_list_filter *f, const struct cat_page *pg)
{
    f->by_name = pg->sort && strcmp(pg->sort, "name") == 0;
    f->like = pg->like[0] ? pg->like : NULL;
    f->after_key = pg->has_after ? pg->after_key : NULL;
    f->after_id = pg->has_after ? pg->after_id : NULL;
    f->limit = pg->limit + 1;
}

int cat_list_sql_head(struct buf *b, const struct cat_reach *r, const char *select, bool stored,
                      char a, const struct cat_list_filter *f)
{
    char col[24];
    int rc = cat_reach_with(b, r);
    if (!rc)
        rc = buf_append_str(b, select);
    if (!rc && stored && f->organisation)
        rc = buf_printf(b, " JOIN organisation o ON o.id = %c.organisation_id", a);
    if (!rc && stored && f->owner)
        rc = buf_printf(b, " JOIN person ow ON ow.id = %c.owner_id", a);
    if (!rc)
        rc = buf_append_str(b, " WHERE ");
    if (!rc)
        rc = str_format(col, sizeof(col), "%c.organisation_id", a);
    if (!rc)
        rc = cat_reach_where(b, r, col);
    if (!rc && f->organisation)
        rc = buf_append_str(b, " AND o.code = :organisation");
    if (!rc && f->owner)
        rc = buf_append_str(b, " AND ow.user_id = :owner");
    return rc;
}

int cat_list_sql_tail(struct buf *b, char a, const struct cat_list_filter *f)
{
    int rc = 0;
    if (f->like)
        rc = buf_printf(b,
                        " AND (lower(%c.external_id) LIKE :like ESCAPE '\\'"
                        " OR lower(%c.name) LIKE :like ESCAPE '\\')",
                        a, a);
    if (!rc && f->after_key && f->by_name)
        rc = buf_printf(b, " AND (%c.name, %c.external_id) > (:after_key, :after_id)", a, a);
    else if (!rc && f->after_key)
        rc = buf_printf(b, " AND %c.external_id > :after_id", a);
    if (!rc && f->by_name)
        rc = buf_printf(b, " ORDER BY %c.name, %c.external_id LIMIT :limit", a, a);
    else if (!rc)
        rc = buf_printf(b, " ORDER BY %c.external_id LIMIT :limit", a);
    return rc;
}

int cat_list_bind_head(struct db_stmt *st, const struct cat_reach *r,
                       const struct cat_list_filter *f)
{
    int rc = cat_reach_bind(st, r);
    if (!rc && f->organisation)
        rc = db_bind_text(st, ":organisation", f->organisation);
    if (!rc && f->owner)
        rc = db_bind_text(st, ":owner", f->owner);
    return rc;
}

int cat_list_bind_tail(struct db_stmt *st, const struct cat_list_filter *f)
{
    int rc = f->like ? db_bind_text(st, ":like", f->like) : 0;
    if (!rc && f->after_key && f->by_name)
        rc = db_bind_text(st, ":after_key", f->after_key);
    if (!rc && f->after_key)
        rc = db_bind_text(st, ":after_id", f->after_id);
    if (!rc)
        rc = db_bind_int(st, ":limit", f->limit);
    return rc;
}

int cat_list_rows(struct db *db, const struct org_actor *who, const struct cat_item_kind *kind,
                  cat_list_sql_fn sql, cat_list_bind_fn bind, const void *filter,
                  struct cat_page *pg)
{
    struct cat_reach reach;
    struct db_stmt *st = NULL;
    struct buf text;
    bool stored = pg->out != NULL;
    buf_init(&text, LIST_SQL_MAX);
    int rc = cat_reach_start(db, who, &reach, pg);
    if (stored) {
        pg->item_db = db;
        pg->item_kind = kind;
    }
    if (!rc)
        rc = sql(&text, filter, &reach, stored);
    if (!rc)
        rc = db_prepare(db, buf_str(&text), &st);
    if (!rc)
        rc = cat_page_rows(pg, st, bind(st, filter, &reach));
    cat_reach_end(&reach, pg);
    buf_release(&text);
    return rc;
}

/* ---- stored list items ---- */

#define ITEM_BATCH 256 /* items rendered, then stored, at a time */

static void item_page(struct cat_page *pg, const struct cat_item_kind *kind, struct buf *out)
{
    *pg = (struct cat_page){.out = out, .tail = kind->tail};
    for (int i = 0; i < CAT_ROW_TAIL_MAX && kind->tail_cols[i]; i++)
        pg->tail_cols[i] = kind->tail_cols[i];
}

int cat_item_write(struct db *db, const struct cat_item_kind *kind, struct buf *out, int64_t id)
{
    struct db_stmt *st;
    struct cat_page pg;
    int rc = db_prepare(db, kind->one, &st);
    if (rc)
        return rc;
    item_page(&pg, kind, out);
    rc = db_bind_int(st, ":id", id);
    if (!rc)
        rc = db_step(st) == DB_ROW ? cat_row_write(&pg, st) : ERR_DB;
    db_finalize(st);
    return rc;
}

static int item_store(struct db *db, const struct cat_item_kind *kind, int64_t id, const char *item)
{
    struct db_stmt *st;
    int rc = db_prepare(db, kind->store, &st);
    if (rc)
        return rc;
    rc = db_bind_text(st, ":item", item);
    if (!rc)
        rc = db_bind_int(st, ":id", id);
    return db_finish(st, rc);
}

int cat_item_render(struct db *db, const struct cat_item_kind *kind, int64_t id)
{
    struct buf item;
    buf_init(&item, CAT_PAGE_BYTES_MAX);
    int rc = cat_item_write(db, kind, &item, id);
    if (!rc)
        rc = item_store(db, kind, id, buf_str(&item));
    buf_release(&item);
    return rc;
}

int cat_items_render(struct db *db, const struct cat_item_kind *kind, bool missing_only, int *count)
{
    int64_t ids[ITEM_BATCH], after = 0;
    size_t ends[ITEM_BATCH];
    struct buf items;
    int rc = 0, n = ITEM_BATCH;
    buf_init(&items, CAT_PAGE_BYTES_MAX);
    if (count)
        *count = 0;
    /* A batch is rendered, then stored: no UPDATE of the table under a SELECT still stepping. */
    while (!rc && n == ITEM_BATCH) {
        struct db_stmt *st;
        struct cat_page pg;
        n = 0;
        buf_reset(&items);
        item_page(&pg, kind, &items);
        rc = db_prepare(db, missing_only ? kind->batch_missing : kind->batch, &st);
        if (rc)
            break;
        rc = db_bind_int(st, ":after", after);
        if (!rc)
            rc = db_bind_int(st, ":n", ITEM_BATCH);
        while (!rc && (rc = db_step(st)) == DB_ROW) {
            ids[n] = db_col_int(st, 0);
            rc = cat_row_write(&pg, st);
            if (!rc)
                rc = jw_put(&items, "", 1); /* each item ends with its NUL */
            ends[n++] = items.len;
        }
        db_finalize(st);
        for (int i = 0; !rc && i < n; i++)
            rc = item_store(db, kind, ids[i], buf_str(&items) + (i ? ends[i - 1] : 0));
        after = n ? ids[n - 1] : after;
        if (count)
            *count += rc ? 0 : n;
    }
    buf_release(&items);
    return rc;
}
