-- Risk management: each organisation's risk matrix, assessments of systems or organisations
-- with their participants, risks with inherent and residual ratings, treatment and acceptance,
-- measures, and the links a rule needs to see significant changes. Dates are YYYY-MM-DD and
-- times UTC ISO 8601 text, computed in C.

-- An organisation's matrix; an organisation without one uses the default (4×4, see src/risk/).
-- Names and bands are JSON arrays: names from level 1 up; bands
-- [{"name": "Låg", "colour": "#2e7d32", "max": 4}, ...] by rising max score.
CREATE TABLE risk_matrix (
    organisation_id INTEGER PRIMARY KEY REFERENCES organisation (id),
    likelihood_names TEXT NOT NULL,
    consequence_names TEXT NOT NULL,
    bands TEXT NOT NULL,
    acceptance_threshold INTEGER NOT NULL CHECK (acceptance_threshold >= 1),
    acceptance_validity TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE risk_assessment (
    id INTEGER PRIMARY KEY,
    organisation_id INTEGER NOT NULL REFERENCES organisation (id),
    title TEXT NOT NULL,
    scope TEXT NOT NULL CHECK (scope IN ('system', 'systems', 'organisation')),
    assessed_on TEXT NOT NULL,
    trigger_kind TEXT NOT NULL CHECK (trigger_kind IN ('yearly', 'significant_change', 'incident',
                                                       'new_information')),
    method TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL CHECK (status IN ('draft', 'in_progress', 'approved')),
    approved_by INTEGER REFERENCES person (id),
    approved_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK (status <> 'approved' OR (approved_by IS NOT NULL AND approved_at IS NOT NULL))
);
CREATE INDEX risk_assessment_organisation ON risk_assessment (organisation_id, assessed_on);

CREATE TABLE risk_assessment_system (
    assessment_id INTEGER NOT NULL REFERENCES risk_assessment (id),
    system_id INTEGER NOT NULL REFERENCES system (id),
    PRIMARY KEY (assessment_id, system_id)
);
CREATE INDEX risk_assessment_system_system ON risk_assessment_system (system_id);

-- Who took part: the system owner and the information owners of the system's information are
-- invited; participated_at records that they did (ITC-ANS-16).
CREATE TABLE risk_participant (
    assessment_id INTEGER NOT NULL REFERENCES risk_assessment (id),
    person_id INTEGER NOT NULL REFERENCES person (id),
    capacity TEXT NOT NULL CHECK (capacity IN ('system_owner', 'information_owner', 'other')),
    participated_at TEXT,
    PRIMARY KEY (assessment_id, person_id)
);

CREATE TABLE risk (
    id INTEGER PRIMARY KEY,
    assessment_id INTEGER NOT NULL REFERENCES risk_assessment (id),
    organisation_id INTEGER NOT NULL REFERENCES organisation (id),
    external_id TEXT UNIQUE,
    title TEXT NOT NULL,
    threat TEXT NOT NULL DEFAULT '',
    vulnerability TEXT NOT NULL DEFAULT '',
    inherent_likelihood INTEGER NOT NULL CHECK (inherent_likelihood BETWEEN 1 AND 5),
    inherent_consequence INTEGER NOT NULL CHECK (inherent_consequence BETWEEN 1 AND 5),
    residual_likelihood INTEGER CHECK (residual_likelihood BETWEEN 1 AND 5),
    residual_consequence INTEGER CHECK (residual_consequence BETWEEN 1 AND 5),
    treatment TEXT CHECK (treatment IN ('reduce', 'accept', 'avoid', 'transfer')),
    owner_id INTEGER NOT NULL REFERENCES person (id),
    accepted_by INTEGER REFERENCES person (id),
    accepted_at TEXT,
    acceptance_expires TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX risk_assessment_risks ON risk (assessment_id);
CREATE INDEX risk_organisation ON risk (organisation_id, id);

CREATE TABLE risk_system (
    risk_id INTEGER NOT NULL REFERENCES risk (id),
    system_id INTEGER NOT NULL REFERENCES system (id),
    PRIMARY KEY (risk_id, system_id)
);
CREATE INDEX risk_system_system ON risk_system (system_id);

CREATE TABLE risk_information (
    risk_id INTEGER NOT NULL REFERENCES risk (id),
    information_id INTEGER NOT NULL REFERENCES information (id),
    PRIMARY KEY (risk_id, information_id)
);

CREATE TABLE risk_measure (
    id INTEGER PRIMARY KEY,
    risk_id INTEGER NOT NULL REFERENCES risk (id),
    title TEXT NOT NULL,
    owner_id INTEGER NOT NULL REFERENCES person (id),
    due TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('planned', 'in_progress', 'done', 'cancelled')),
    done_on TEXT,
    evidence TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK (status <> 'done' OR done_on IS NOT NULL)
);
CREATE INDEX risk_measure_risk ON risk_measure (risk_id);

-- When a system began to process an information asset: a new information type makes a new
-- risk assessment due (MSB). Links made before this migration have none.
ALTER TABLE system_information ADD COLUMN linked_at TEXT;

-- Findings may now be about risks, measures and assessments. The table holds derived data
-- only (the engine rewrites it whole), so it is recreated rather than altered.
DROP TABLE finding;
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
                                                       'person', 'risk', 'risk_measure',
                                                       'risk_assessment', 'account', 'grant')),
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
DELETE FROM engine_state;
