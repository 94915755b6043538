/* Interim, until the access module's snapshot apply lands from access-core: refuse, so that
 * a directory sync fails cleanly instead of linking nothing. Deleted at that merge. */
#include "access/access_snapshot.h"
#include "core/err.h"

int access_snapshot_apply(struct db *db, const int64_t *system_ids, size_t nsystems,
                          const struct access_row *rows, size_t nrows, const char *source,
                          int64_t sync_id, const char *actor, const char *now,
                          struct access_changes *out)
{
    (void)db, (void)system_ids, (void)nsystems, (void)rows, (void)nrows, (void)source;
    (void)sync_id, (void)actor, (void)now, (void)out;
    return ERR_UNSUPPORTED;
}
