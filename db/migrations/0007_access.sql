-- Access control: accounts per system, entitlements and grants, access requests decided by
-- information owners, tasks for system administrators, review campaigns, directory (LDAP)
-- sources and their sync runs, and the person fields that offboarding and role-change reviews
-- need. Dates are YYYY-MM-DD and times UTC ISO 8601 text, computed in C.

-- A person's job title, and when their role or employment last changed significantly (a new
-- title, organisation or manager): reviews of their grants fall due after it (ITC-ATK-6).
ALTER TABLE person ADD COLUMN title TEXT;
ALTER TABLE person ADD COLUMN role_changed_at TEXT;

-- An account in a system. organisation_id is the person's organisation, or the system's for an
-- account tied to no person; every tenant query scopes on it. A shared or generic account needs
-- an approved, time-limited exception (ITC-ATK-1).
CREATE TABLE account (
    id INTEGER PRIMARY KEY,
    system_id INTEGER NOT NULL REFERENCES system (id),
    organisation_id INTEGER NOT NULL REFERENCES organisation (id),
    username TEXT NOT NULL,
    person_id INTEGER REFERENCES person (id),
    shared INTEGER NOT NULL DEFAULT 0 CHECK (shared IN (0, 1)),
    privileged INTEGER NOT NULL DEFAULT 0 CHECK (privileged IN (0, 1)),
    mfa_enrolled INTEGER NOT NULL DEFAULT 0 CHECK (mfa_enrolled IN (0, 1)),
    last_login TEXT,
    status TEXT NOT NULL CHECK (status IN ('active', 'disabled', 'removed')),
    source TEXT NOT NULL CHECK (source IN ('manual', 'csv', 'ldap', 'request')),
    exception_reason TEXT,
    exception_until TEXT,
    exception_approved_by INTEGER REFERENCES person (id),
    exception_approved_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    removed_at TEXT,
    UNIQUE (system_id, username),
    CHECK (status <> 'removed' OR removed_at IS NOT NULL)
);
CREATE INDEX account_person ON account (person_id);
CREATE INDEX account_organisation ON account (organisation_id, system_id);

-- What can be granted within a system (a role, group or permission set there). A directory
-- group mapped to it (directory_group_map) turns membership into grants.
CREATE TABLE entitlement (
    id INTEGER PRIMARY KEY,
    system_id INTEGER NOT NULL REFERENCES system (id),
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    privileged INTEGER NOT NULL DEFAULT 0 CHECK (privileged IN (0, 1)),
    created_at TEXT NOT NULL,
    UNIQUE (system_id, name)
);

-- A request for an entitlement on behalf of a person. Only an information owner of information
-- the system processes decides it (ITC-ANS-17); an approval makes a provisioning task for the
-- system's administrator, whose confirmation creates the grant (access_grant.request_id). organisation_id is the person's.
CREATE TABLE access_request (
    id INTEGER PRIMARY KEY,
    organisation_id INTEGER NOT NULL REFERENCES organisation (id),
    system_id INTEGER NOT NULL REFERENCES system (id),
    entitlement_id INTEGER NOT NULL REFERENCES entitlement (id),
    person_id INTEGER NOT NULL REFERENCES person (id),
    requested_by INTEGER NOT NULL REFERENCES person (id),
    justification TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'provisioned',
                                           'withdrawn')),
    decided_by INTEGER REFERENCES person (id),
    decided_at TEXT,
    decision_comment TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK (status IN ('pending', 'withdrawn') OR (decided_by IS NOT NULL AND decided_at IS NOT NULL))
);
CREATE INDEX access_request_organisation ON access_request (organisation_id, status);
CREATE INDEX access_request_system ON access_request (system_id, status);

-- An entitlement held by an account. organisation_id and system_id repeat the account's so that
-- lists and review campaigns over hundreds of thousands of grants need no join to scope them.
-- A revoked grant stays as the record of its removal.
CREATE TABLE access_grant (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES account (id),
    entitlement_id INTEGER NOT NULL REFERENCES entitlement (id),
    system_id INTEGER NOT NULL REFERENCES system (id),
    organisation_id INTEGER NOT NULL REFERENCES organisation (id),
    granted_at TEXT NOT NULL,
    granted_by INTEGER REFERENCES person (id),
    request_id INTEGER REFERENCES access_request (id),
    source TEXT NOT NULL CHECK (source IN ('manual', 'csv', 'ldap', 'request')),
    revoked_at TEXT,
    revoked_by INTEGER REFERENCES person (id),
    revoke_reason TEXT
);
CREATE UNIQUE INDEX access_grant_active ON access_grant (account_id, entitlement_id)
    WHERE revoked_at IS NULL;
CREATE INDEX access_grant_organisation ON access_grant (organisation_id, system_id);
CREATE INDEX access_grant_system ON access_grant (system_id, revoked_at);

-- A review campaign, started by the IT centre for a set of systems with a due date. Each active
-- grant at the start becomes an item for the responsible information owner, who keeps or
-- revokes it. A system's review is complete when its last item is decided (completed_at).
CREATE TABLE access_review (
    id INTEGER PRIMARY KEY,
    organisation_id INTEGER NOT NULL REFERENCES organisation (id),
    title TEXT NOT NULL,
    due_on TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'completed', 'cancelled')),
    started_by INTEGER REFERENCES person (id),
    started_at TEXT NOT NULL,
    completed_at TEXT,
    last_reminder_at TEXT,
    updated_at TEXT NOT NULL
);
CREATE INDEX access_review_organisation ON access_review (organisation_id, status);

CREATE TABLE access_review_system (
    review_id INTEGER NOT NULL REFERENCES access_review (id),
    system_id INTEGER NOT NULL REFERENCES system (id),
    items INTEGER NOT NULL DEFAULT 0,
    completed_at TEXT,
    PRIMARY KEY (review_id, system_id)
);
CREATE INDEX access_review_system_system ON access_review_system (system_id, completed_at);

CREATE TABLE access_review_item (
    id INTEGER PRIMARY KEY,
    review_id INTEGER NOT NULL REFERENCES access_review (id),
    grant_id INTEGER NOT NULL REFERENCES access_grant (id),
    system_id INTEGER NOT NULL REFERENCES system (id),
    organisation_id INTEGER NOT NULL REFERENCES organisation (id),
    reviewer_id INTEGER REFERENCES person (id),
    decision TEXT CHECK (decision IN ('keep', 'revoke')),
    comment TEXT,
    decided_by INTEGER REFERENCES person (id),
    decided_at TEXT,
    UNIQUE (review_id, grant_id),
    CHECK (decision IS NULL OR (decided_by IS NOT NULL AND decided_at IS NOT NULL)),
    CHECK (decision <> 'revoke' OR comment IS NOT NULL)
);
CREATE INDEX access_review_item_reviewer ON access_review_item (reviewer_id, review_id, decision);
CREATE INDEX access_review_item_review ON access_review_item (review_id, system_id, decision);
CREATE INDEX access_review_item_grant ON access_review_item (grant_id);

-- Work for a system's administrator (or its owner when it has none): provision an approved
-- request, or remove a grant that a review revoked. done_at records the confirmation.
CREATE TABLE access_task (
    id INTEGER PRIMARY KEY,
    organisation_id INTEGER NOT NULL REFERENCES organisation (id),
    system_id INTEGER NOT NULL REFERENCES system (id),
    kind TEXT NOT NULL CHECK (kind IN ('provision', 'revoke')),
    request_id INTEGER REFERENCES access_request (id),
    grant_id INTEGER REFERENCES access_grant (id),
    review_item_id INTEGER REFERENCES access_review_item (id),
    assignee_id INTEGER REFERENCES person (id),
    due_on TEXT NOT NULL,
    created_at TEXT NOT NULL,
    done_at TEXT,
    done_by INTEGER REFERENCES person (id),
    CHECK (kind <> 'provision' OR request_id IS NOT NULL),
    CHECK (kind <> 'revoke' OR grant_id IS NOT NULL)
);
CREATE INDEX access_task_assignee ON access_task (assignee_id, done_at);
CREATE INDEX access_task_organisation ON access_task (organisation_id, done_at);

-- A directory (LDAP or Active Directory) read on a schedule. The bind password is never stored:
-- bind_password_env names the environment variable of the 'varn serve' process that holds it.
-- attributes is a JSON object mapping Värn's fields to directory attributes (see docs/access.md).
CREATE TABLE directory_source (
    id INTEGER PRIMARY KEY,
    organisation_id INTEGER NOT NULL REFERENCES organisation (id),
    name TEXT NOT NULL,
    uri TEXT NOT NULL,
    bind_dn TEXT,
    bind_password_env TEXT,
    base_dn TEXT NOT NULL,
    user_filter TEXT NOT NULL,
    group_filter TEXT NOT NULL,
    attributes TEXT NOT NULL,
    sync_interval TEXT,
    next_sync_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (organisation_id, name)
);

-- Which directory group grants which entitlement.
CREATE TABLE directory_group_map (
    source_id INTEGER NOT NULL REFERENCES directory_source (id),
    group_dn TEXT NOT NULL,
    entitlement_id INTEGER NOT NULL REFERENCES entitlement (id),
    PRIMARY KEY (source_id, group_dn, entitlement_id)
);

-- One run of a sync (or a CSV snapshot import): what was new, removed and changed.
CREATE TABLE directory_sync (
    id INTEGER PRIMARY KEY,
    source_id INTEGER NOT NULL REFERENCES directory_source (id),
    status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
    requested_by TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    error TEXT,
    accounts_new INTEGER NOT NULL DEFAULT 0,
    accounts_removed INTEGER NOT NULL DEFAULT 0,
    accounts_changed INTEGER NOT NULL DEFAULT 0,
    grants_new INTEGER NOT NULL DEFAULT 0,
    grants_removed INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX directory_sync_source ON directory_sync (source_id, started_at);

CREATE TABLE directory_sync_change (
    sync_id INTEGER NOT NULL REFERENCES directory_sync (id),
    change TEXT NOT NULL CHECK (change IN ('new', 'removed', 'changed')),
    object TEXT NOT NULL CHECK (object IN ('account', 'grant')),
    system_id INTEGER NOT NULL REFERENCES system (id),
    username TEXT NOT NULL,
    entitlement TEXT,
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX directory_sync_change_sync ON directory_sync_change (sync_id);
