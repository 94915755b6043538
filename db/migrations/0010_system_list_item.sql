-- A system's item in GET /api/v1/systems, rendered as JSON text when the system changes and
-- stored with it (src/catalog/catalog_sql.c, cat_sql_system_render), so that a page of the list
-- reads one column per row instead of 22 and four joined rows. The columns stay the truth:
-- every write of a system renders its item in the same transaction, `varn init` renders those
-- missing after a migration, and a missing item is rendered on the fly when read.
ALTER TABLE system ADD COLUMN list_item TEXT;
