-- Identity and trust: organisations, people, roles, credentials, sessions, API tokens, login
-- throttling and the hash-chained audit log. Times are UTC ISO 8601 text computed in C.

CREATE TABLE organisation (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('it_centre', 'municipality', 'company', 'foundation',
                                       'supplier', 'external')),
    parent_id INTEGER REFERENCES organisation (id),
    org_number TEXT NOT NULL UNIQUE,
    mfa_required INTEGER NOT NULL DEFAULT 1 CHECK (mfa_required IN (0, 1)),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX organisation_parent ON organisation (parent_id);

-- The policies' roles. bit is the role's place in a permission mask (see src/authz/).
CREATE TABLE role (
    id TEXT PRIMARY KEY,
    bit INTEGER NOT NULL UNIQUE,
    name_sv TEXT NOT NULL,
    name_en TEXT NOT NULL
);
INSERT INTO role (id, bit, name_sv, name_en) VALUES
    ('administrator', 1, 'Värnadministratör', 'Värn administrator'),
    ('ciso', 2, 'Informationssäkerhetschef', 'Chief information security officer'),
    ('security_officer', 4, 'IT-säkerhetsansvarig', 'IT security officer'),
    ('system_owner', 8, 'Systemägare', 'System owner'),
    ('information_owner', 16, 'Informationsägare', 'Information owner'),
    ('manager', 32, 'Verksamhetsansvarig chef', 'Manager'),
    ('head_of_administration', 64, 'Förvaltningschef', 'Head of administration'),
    ('dpo', 128, 'Dataskyddsombud', 'Data protection officer'),
    ('committee_member', 256, 'Ledamot (IT-nämnden, kommunstyrelsen)', 'Committee member'),
    ('user', 512, 'Användare', 'User'),
    ('supplier_contact', 1024, 'Leverantörskontakt', 'Supplier contact'),
    ('external_party', 2048, 'Extern part', 'External party');

CREATE TABLE person (
    id INTEGER PRIMARY KEY,
    user_id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    organisation_id INTEGER NOT NULL REFERENCES organisation (id),
    manager_id INTEGER REFERENCES person (id),
    employment_start TEXT,
    employment_end TEXT,
    privileged INTEGER NOT NULL DEFAULT 0 CHECK (privileged IN (0, 1)),
    disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX person_organisation ON person (organisation_id);
CREATE INDEX person_email ON person (email);

CREATE TABLE role_assignment (
    id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES person (id),
    role TEXT NOT NULL REFERENCES role (id),
    organisation_id INTEGER NOT NULL REFERENCES organisation (id),
    created_at TEXT NOT NULL,
    UNIQUE (person_id, role, organisation_id)
);
CREATE INDEX role_assignment_organisation ON role_assignment (organisation_id);

-- A person's login: password (Argon2id, libsodium's encoded form) and TOTP.
CREATE TABLE credential (
    person_id INTEGER PRIMARY KEY REFERENCES person (id),
    password_hash TEXT,
    password_changed_at TEXT,
    totp_secret TEXT,            -- base32; set at enrolment, active once totp_enabled
    totp_enabled INTEGER NOT NULL DEFAULT 0 CHECK (totp_enabled IN (0, 1)),
    totp_last_step INTEGER       -- the last accepted 30 s step: a code is never accepted twice
);

CREATE TABLE recovery_code (
    id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES person (id),
    code_hash TEXT NOT NULL,
    used_at TEXT
);
CREATE INDEX recovery_code_person ON recovery_code (person_id);

CREATE TABLE session (
    id INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE, -- SHA-256 of the cookie value, hex
    person_id INTEGER NOT NULL REFERENCES person (id),
    mfa_passed INTEGER NOT NULL DEFAULT 0 CHECK (mfa_passed IN (0, 1)),
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,        -- the absolute limit
    address TEXT
);
CREATE INDEX session_person ON session (person_id);

CREATE TABLE api_token (
    id INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE, -- SHA-256 of the token, hex
    name TEXT NOT NULL,
    organisation_id INTEGER NOT NULL REFERENCES organisation (id),
    role TEXT NOT NULL REFERENCES role (id),
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at TEXT
);

-- Failed logins, per account ("account:<name>") and per address ("address:<ip>").
CREATE TABLE login_failure (
    key TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    last_failure_at TEXT NOT NULL,
    blocked_until TEXT
);

-- Append-only, hash-chained: hash = SHA-256(prev_hash || canonical JSON of the entry).
CREATE TABLE audit_log (
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,             -- user_id, "token:<id>", "cli:<user>" or "anonymous"
    address TEXT,
    action TEXT NOT NULL,            -- e.g. "person.create", "login.failure", "access.refused"
    object_kind TEXT,
    object_id TEXT,
    organisation_id INTEGER,         -- no foreign key: the log outlives what it describes
    before TEXT,                     -- JSON or NULL
    after TEXT,                      -- JSON or NULL
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_object ON audit_log (object_kind, object_id);
CREATE INDEX audit_log_organisation ON audit_log (organisation_id);
