/* The catalog lists' reach filter and stored list items (see cat_list.h). */
#include "catalog/cat_list.h"
#include "core/err.h"
#include "core/json_write.h"
#include "core/str.h"
#include "db/db.h"

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
