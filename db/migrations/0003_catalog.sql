-- System catalog and information classification: systems, components, information assets with
-- K/R/T, the links between them, raised levels and the requirement rules derived from levels.
-- Times are UTC ISO 8601 text and dates YYYY-MM-DD, computed in C.

CREATE TABLE system (
    id INTEGER PRIMARY KEY,
    external_id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    organisation_id INTEGER NOT NULL REFERENCES organisation (id),
    owner_id INTEGER NOT NULL REFERENCES person (id),
    administrator_id INTEGER REFERENCES person (id),
    supplier_id INTEGER REFERENCES organisation (id),
    lifecycle TEXT NOT NULL CHECK (lifecycle IN ('planned', 'production', 'decommissioning',
                                                 'retired')),
    hosting TEXT NOT NULL CHECK (hosting IN ('own', 'it_centre', 'supplier', 'cloud')),
    hosting_country TEXT,
    internet_facing INTEGER NOT NULL DEFAULT 0 CHECK (internet_facing IN (0, 1)),
    sso INTEGER NOT NULL DEFAULT 0 CHECK (sso IN (0, 1)),
    mfa_enforced INTEGER NOT NULL DEFAULT 0 CHECK (mfa_enforced IN (0, 1)),
    last_significant_change TEXT,
    -- The protection levels in force (max of inherited and raised), kept by the C code
    -- whenever a link, a classification or a raise changes, so that lists filter and sort on them.
    level_k INTEGER NOT NULL DEFAULT 0 CHECK (level_k BETWEEN 0 AND 4),
    level_r INTEGER NOT NULL DEFAULT 0 CHECK (level_r BETWEEN 0 AND 4),
    level_t INTEGER NOT NULL DEFAULT 0 CHECK (level_t BETWEEN 0 AND 4),
    level_max INTEGER NOT NULL DEFAULT 0 CHECK (level_max BETWEEN 0 AND 4),
    personal_level INTEGER NOT NULL DEFAULT 0 CHECK (personal_level BETWEEN 0 AND 2),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK (hosting <> 'cloud' OR hosting_country IS NOT NULL)
);
CREATE INDEX system_organisation ON system (organisation_id);
CREATE INDEX system_owner ON system (owner_id);
CREATE INDEX system_name ON system (name, external_id);

CREATE TABLE system_user_org (
    system_id INTEGER NOT NULL REFERENCES system (id),
    organisation_id INTEGER NOT NULL REFERENCES organisation (id),
    PRIMARY KEY (system_id, organisation_id)
);

CREATE TABLE system_dependency (
    system_id INTEGER NOT NULL REFERENCES system (id),
    depends_on_id INTEGER NOT NULL REFERENCES system (id),
    PRIMARY KEY (system_id, depends_on_id),
    CHECK (system_id <> depends_on_id)
);

CREATE TABLE component (
    id INTEGER PRIMARY KEY,
    system_id INTEGER NOT NULL REFERENCES system (id),
    kind TEXT NOT NULL CHECK (kind IN ('hardware', 'software', 'licence')),
    name TEXT NOT NULL,
    vendor TEXT,
    product TEXT,
    version TEXT,
    cpe TEXT,
    licence_count INTEGER CHECK (licence_count >= 0),
    licences_in_use INTEGER CHECK (licences_in_use >= 0),
    licence_expiry TEXT,
    licence_cost INTEGER CHECK (licence_cost >= 0),
    end_of_support TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX component_system ON component (system_id);

CREATE TABLE information (
    id INTEGER PRIMARY KEY,
    external_id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    organisation_id INTEGER NOT NULL REFERENCES organisation (id),
    owner_id INTEGER NOT NULL REFERENCES person (id),
    k INTEGER NOT NULL CHECK (k BETWEEN 0 AND 4),
    r INTEGER NOT NULL CHECK (r BETWEEN 0 AND 4),
    t INTEGER NOT NULL CHECK (t BETWEEN 0 AND 4),
    personal_data TEXT NOT NULL DEFAULT 'none'
        CHECK (personal_data IN ('none', 'personal', 'sensitive')),
    secrecy_reference TEXT,
    classified_at TEXT NOT NULL,
    classified_by TEXT NOT NULL,
    review_due TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX information_organisation ON information (organisation_id);
CREATE INDEX information_owner ON information (owner_id);
CREATE INDEX information_name ON information (name, external_id);

CREATE TABLE system_information (
    system_id INTEGER NOT NULL REFERENCES system (id),
    information_id INTEGER NOT NULL REFERENCES information (id),
    PRIMARY KEY (system_id, information_id)
);
CREATE INDEX system_information_info ON system_information (information_id);

-- A level raised by hand above the inherited one; one per system and aspect (the audit log
-- keeps the earlier ones).
CREATE TABLE system_level_raise (
    system_id INTEGER NOT NULL REFERENCES system (id),
    aspect TEXT NOT NULL CHECK (aspect IN ('k', 'r', 't')),
    level INTEGER NOT NULL CHECK (level BETWEEN 0 AND 4),
    reason TEXT NOT NULL CHECK (reason IN ('accumulation', 'aggregation', 'integration', 'other')),
    note TEXT,
    raised_by TEXT NOT NULL,
    raised_at TEXT NOT NULL,
    PRIMARY KEY (system_id, aspect)
);

-- Requirements that follow from levels. organisation_id NULL: the default set for everyone;
-- otherwise an organisation's own rules, which apply to its systems and those below it.
-- aspect personal_data: min_level 1 personal data, 2 sensitive (GDPR art. 9).
CREATE TABLE requirement_rule (
    id INTEGER PRIMARY KEY,
    organisation_id INTEGER REFERENCES organisation (id),
    aspect TEXT NOT NULL CHECK (aspect IN ('k', 'r', 't', 'personal_data')),
    min_level INTEGER NOT NULL CHECK (min_level BETWEEN 0 AND 4),
    code TEXT NOT NULL,
    text_sv TEXT NOT NULL,
    text_en TEXT NOT NULL,
    applies_to_planned INTEGER NOT NULL DEFAULT 1 CHECK (applies_to_planned IN (0, 1))
);
CREATE INDEX requirement_rule_org ON requirement_rule (organisation_id);

INSERT INTO requirement_rule (organisation_id, aspect, min_level, code, text_sv, text_en,
                              applies_to_planned) VALUES
    (NULL, 'k', 2, 'access_review', 'Behörigheter granskas minst en gång per år',
     'Access rights are reviewed at least yearly', 1),
    (NULL, 'k', 3, 'mfa', 'Inloggning kräver flerfaktorsautentisering (MFA)',
     'Logging in requires multi-factor authentication (MFA)', 1),
    (NULL, 'k', 3, 'encryption', 'Informationen krypteras vid överföring och lagring',
     'The information is encrypted in transit and at rest', 1),
    (NULL, 'r', 2, 'input_validation', 'Indata kontrolleras så att felaktig information upptäcks',
     'Input is validated so that incorrect information is detected', 1),
    (NULL, 'r', 3, 'change_log', 'Ändringar av informationen loggas spårbart',
     'Changes to the information are logged traceably', 1),
    (NULL, 't', 2, 'backup', 'Informationen säkerhetskopieras regelbundet',
     'The information is backed up regularly', 1),
    (NULL, 't', 3, 'restore_test', 'Återläsning från säkerhetskopia testas minst en gång per år',
     'Restoring from backup is tested at least yearly', 0),
    (NULL, 't', 3, 'rto', 'Längsta tillåtna avbrottstid (RTO) är dokumenterad',
     'The recovery time objective (RTO) is documented', 1),
    (NULL, 'personal_data', 1, 'processing_record',
     'Behandlingen finns i registerförteckningen (GDPR art. 30)',
     'The processing is in the record of processing activities (GDPR art. 30)', 1),
    (NULL, 'personal_data', 2, 'dpia', 'En konsekvensbedömning (DPIA) är gjord',
     'A data protection impact assessment (DPIA) is done', 1);
