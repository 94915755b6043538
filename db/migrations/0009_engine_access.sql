-- Indexes for the policy engine's access rules (src/access/access_rules.c) at region scale:
-- each covers exactly the few rows a rule reads, so that it no longer walks every account or
-- person of an organisation. Partial indexes; PostgreSQL has them too.

-- ITC-ATK-1: the accounts tied to no person, or shared (a few hundred of a region's 200 000).
CREATE INDEX account_identity ON account (organisation_id) WHERE shared = 1 OR person_id IS NULL;

-- ITC-ATK-9: the people whose employment ends (offboarding, logins after the last day).
CREATE INDEX person_employment_end ON person (organisation_id, employment_end)
    WHERE employment_end IS NOT NULL;

-- ITC-ATK-6: the people whose role changed.
CREATE INDEX person_role_changed ON person (organisation_id) WHERE role_changed_at IS NOT NULL;
