/* All SQL of the region-scale demo catalog: statements are prepared once (the connection's
 * cache) and rebound per row; levels are recomputed with one UPDATE per aspect. */
#include "demo/demo_scale_sql.h"
#include "core/err.h"
#include "db/db.h"

static const char SQL_SYSTEM_EXISTS[] = "SELECT count(*) FROM system WHERE external_id = :ext";
static const char SQL_SYSTEM_INSERT[] =
    "INSERT INTO system (external_id, name, description, organisation_id, owner_id,"
    " supplier_id, lifecycle, hosting, hosting_country, internet_facing, sso, mfa_enforced,"
    " last_significant_change, created_at, updated_at)"
    " VALUES (:ext, :name, :description, :org, :owner, :supplier, :lifecycle, :hosting,"
    " :country, :internet, :sso, :mfa, :changed, :at, :at) RETURNING id";
static const char SQL_COMPONENT_INSERT[] =
    "INSERT INTO component (system_id, kind, name, vendor, product, version, cpe,"
    " licence_count, licences_in_use, licence_expiry, licence_cost, end_of_support, created_at,"
    " updated_at) VALUES (:system_id, :kind, :name, :vendor, :product, :version, :cpe,"
    " :count, :in_use, :expiry, :cost, :eos, :at, :at)";
static const char SQL_INFO_INSERT[] =
    "INSERT INTO information (external_id, name, description, organisation_id, owner_id, k, r,"
    " t, personal_data, classified_at, classified_by, review_due, created_at, updated_at)"
    " VALUES (:ext, :name, :description, :org, :owner, :k, :r, :t, :personal, :at, :by, :due,"
    " :at, :at) RETURNING id";
static const char SQL_LINK_INSERT[] =
    "INSERT OR IGNORE INTO system_information (system_id, information_id) VALUES (:s, :i)";

/* The inherited level of one aspect (the highest of the linked information) or the raise by
 * hand when that is higher; the same rule as classification.c's levels_refresh. */
#define LEVEL_UPDATE(col, aspect)                                                                  \
    "UPDATE system SET " col " = max("                                                             \
    " coalesce((SELECT max(i." aspect ") FROM system_information si"                               \
    "  JOIN information i ON i.id = si.information_id WHERE si.system_id = system.id), 0),"        \
    " coalesce((SELECT x.level FROM system_level_raise x"                                          \
    "  WHERE x.system_id = system.id AND x.aspect = '" aspect "'), 0))"

static const char *const SQL_LEVELS[] = {
    LEVEL_UPDATE("level_k", "k"),
    LEVEL_UPDATE("level_r", "r"),
    LEVEL_UPDATE("level_t", "t"),
    "UPDATE system SET personal_level = coalesce((SELECT max(CASE i.personal_data"
    " WHEN 'sensitive' THEN 2 WHEN 'personal' THEN 1 ELSE 0 END) FROM system_information si"
    " JOIN information i ON i.id = si.information_id WHERE si.system_id = system.id), 0),"
    " level_max = max(level_k, level_r, level_t)",
};

static int bind_opt_int(struct db_stmt *st, const char *name, int64_t v)
{
    return v < 0 ? db_bind_null(st, name) : db_bind_int(st, name, v);
}

int demo_sql_system_exists(struct db *db, const char *external_id, bool *yes)
{
    struct db_stmt *st;
    int64_t n = 0;
    int rc = db_prepare(db, SQL_SYSTEM_EXISTS, &st);
    if (rc)
        return rc;
    rc = db_finish_int(st, db_bind_text(st, ":ext", external_id), &n);
    *yes = n > 0;
    return rc;
}

int demo_sql_system_insert(struct db *db, const struct demo_system_row *s, const char *at,
                           int64_t *id)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_SYSTEM_INSERT, &st);
    if (rc)
        return rc;
    rc = db_bind_text(st, ":ext", s->external_id);
    if (!rc)
        rc = db_bind_text(st, ":name", s->name);
    if (!rc)
        rc = db_bind_text(st, ":description", s->description);
    if (!rc)
        rc = db_bind_int(st, ":org", s->organisation_id);
    if (!rc)
        rc = db_bind_int(st, ":owner", s->owner_id);
    if (!rc)
        rc = s->supplier_id ? db_bind_int(st, ":supplier", s->supplier_id)
                            : db_bind_null(st, ":supplier");
    if (!rc)
        rc = db_bind_text(st, ":lifecycle", s->lifecycle);
    if (!rc)
        rc = db_bind_text(st, ":hosting", s->hosting);
    if (!rc)
        rc = db_bind_text(st, ":country", s->hosting_country);
    if (!rc)
        rc = db_bind_int(st, ":internet", s->internet_facing);
    if (!rc)
        rc = db_bind_int(st, ":sso", s->sso);
    if (!rc)
        rc = db_bind_int(st, ":mfa", s->mfa_enforced);
    if (!rc)
        rc = db_bind_text(st, ":changed", s->last_significant_change);
    if (!rc)
        rc = db_bind_text(st, ":at", at);
    return db_finish_int(st, rc, id);
}

int demo_sql_component_insert(struct db *db, const struct demo_component_row *c, const char *at)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_COMPONENT_INSERT, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":system_id", c->system_id);
    if (!rc)
        rc = db_bind_text(st, ":kind", c->kind);
    if (!rc)
        rc = db_bind_text(st, ":name", c->name);
    if (!rc)
        rc = db_bind_text(st, ":vendor", c->vendor);
    if (!rc)
        rc = db_bind_text(st, ":product", c->product);
    if (!rc)
        rc = db_bind_text(st, ":version", c->version);
    if (!rc)
        rc = db_bind_text(st, ":cpe", c->cpe);
    if (!rc)
        rc = bind_opt_int(st, ":count", c->licence_count);
    if (!rc)
        rc = bind_opt_int(st, ":in_use", c->licences_in_use);
    if (!rc)
        rc = db_bind_text(st, ":expiry", c->licence_expiry);
    if (!rc)
        rc = bind_opt_int(st, ":cost", c->licence_cost);
    if (!rc)
        rc = db_bind_text(st, ":eos", c->end_of_support);
    if (!rc)
        rc = db_bind_text(st, ":at", at);
    return db_finish(st, rc);
}

int demo_sql_info_insert(struct db *db, const struct demo_info_row *i, const char *by,
                         const char *at, int64_t *id)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_INFO_INSERT, &st);
    if (rc)
        return rc;
    rc = db_bind_text(st, ":ext", i->external_id);
    if (!rc)
        rc = db_bind_text(st, ":name", i->name);
    if (!rc)
        rc = db_bind_text(st, ":description", i->description);
    if (!rc)
        rc = db_bind_int(st, ":org", i->organisation_id);
    if (!rc)
        rc = db_bind_int(st, ":owner", i->owner_id);
    if (!rc)
        rc = db_bind_int(st, ":k", i->k);
    if (!rc)
        rc = db_bind_int(st, ":r", i->r);
    if (!rc)
        rc = db_bind_int(st, ":t", i->t);
    if (!rc)
        rc = db_bind_text(st, ":personal", i->personal_data);
    if (!rc)
        rc = db_bind_text(st, ":by", by);
    if (!rc)
        rc = db_bind_text(st, ":due", i->review_due);
    if (!rc)
        rc = db_bind_text(st, ":at", at);
    return db_finish_int(st, rc, id);
}

int demo_sql_link_insert(struct db *db, int64_t system_id, int64_t info_id)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_LINK_INSERT, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":s", system_id);
    if (!rc)
        rc = db_bind_int(st, ":i", info_id);
    return db_finish(st, rc);
}

int demo_sql_levels_recompute(struct db *db)
{
    int rc = 0;
    for (size_t i = 0; !rc && i < sizeof(SQL_LEVELS) / sizeof(SQL_LEVELS[0]); i++) {
        struct db_stmt *st;
        rc = db_prepare(db, SQL_LEVELS[i], &st);
        if (!rc)
            rc = db_finish(st, 0);
    }
    return rc;
}
