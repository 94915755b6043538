-- Foundation: the migration history itself. Each later capability adds its own numbered file;
-- a file is never changed once released, only followed by a new one.
CREATE TABLE schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at TEXT NOT NULL
);
