-- The policy engine: loaded policy profiles, which organisations they apply to, attestations
-- of duties that need a person's word, the findings of the last evaluation and a daily
-- snapshot of their counts. Times are UTC ISO 8601 text and dates YYYY-MM-DD, computed in C.

CREATE TABLE policy_profile (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    version TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    builtin INTEGER NOT NULL DEFAULT 0 CHECK (builtin IN (0, 1)),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE organisation_profile (
    organisation_id INTEGER NOT NULL REFERENCES organisation (id),
    profile_id INTEGER NOT NULL REFERENCES policy_profile (id),
    assigned_at TEXT NOT NULL,
    PRIMARY KEY (organisation_id, profile_id)
);
CREATE INDEX organisation_profile_profile ON organisation_profile (profile_id);

-- A person's word that a duty is met, with evidence: a reference (diarienummer, link) and/or
-- an attached file (base64, bounded by the route).
CREATE TABLE attestation (
    id INTEGER PRIMARY KEY,
    organisation_id INTEGER NOT NULL REFERENCES organisation (id),
    obligation TEXT NOT NULL,
    attested_by TEXT NOT NULL,
    person_id INTEGER REFERENCES person (id),
    attested_at TEXT NOT NULL,
    statement TEXT NOT NULL,
    evidence_reference TEXT,
    evidence_name TEXT,
    evidence_type TEXT,
    evidence_data TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX attestation_obligation ON attestation (obligation, organisation_id, attested_at);

-- The findings of the last evaluation, replaced as a whole by each refresh.
CREATE TABLE finding (
    id INTEGER PRIMARY KEY,
    organisation_id INTEGER NOT NULL REFERENCES organisation (id),
    profile_code TEXT NOT NULL,
    profile_version TEXT NOT NULL,
    obligation TEXT NOT NULL,
    cite TEXT NOT NULL,
    section TEXT NOT NULL,
    rule TEXT NOT NULL,
    subject_kind TEXT NOT NULL CHECK (subject_kind IN ('organisation', 'system', 'information',
                                                       'person')),
    subject_ref TEXT NOT NULL,
    subject_name TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('ok', 'due_soon', 'overdue', 'missing', 'excepted',
                                           'not_tracked')),
    due TEXT,
    responsible_id INTEGER REFERENCES person (id),
    evaluated_at TEXT NOT NULL
);
CREATE INDEX finding_organisation ON finding (organisation_id, status);
CREATE INDEX finding_responsible ON finding (responsible_id, due);
CREATE INDEX finding_obligation ON finding (obligation, organisation_id);

CREATE TABLE finding_snapshot (
    day TEXT NOT NULL,
    organisation_id INTEGER NOT NULL REFERENCES organisation (id),
    section TEXT NOT NULL,
    status TEXT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (day, organisation_id, section, status)
);

-- What the findings were computed from: the audit head, the day and the profiles' versions
-- (one row). A refresh is due when any of them moved.
CREATE TABLE engine_state (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    audit_seq INTEGER NOT NULL,
    day TEXT NOT NULL,
    profiles TEXT NOT NULL,
    evaluated_at TEXT NOT NULL,
    duration_us INTEGER NOT NULL
);
