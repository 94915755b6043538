-- The item of a system in GET /api/v1/systems, and of an information asset in
-- GET /api/v1/information, rendered as JSON text when the object changes and stored with it
-- (src/catalog/cat_list.c), so that a page of a list reads one column per row instead of some
-- twenty and the joined rows. The columns stay the truth: every write renders the item in the
-- same transaction, `varn init` renders those missing after a migration, and an item found
-- missing is rendered when read.
ALTER TABLE system ADD COLUMN list_item TEXT;
ALTER TABLE information ADD COLUMN list_item TEXT;
