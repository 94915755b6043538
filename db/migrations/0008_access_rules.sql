-- Indexes for access control's rules in the policy engine (src/access/access_rules.c), so that
-- each rule reads only the grants and accounts it judges instead of all of a region's 500 000
-- grants and 200 000 accounts: the active grants of an entitlement (privileged ones: least
-- privilege, MFA), the active grants that came from a request (ITC-ANS-17), and the privileged
-- accounts of a system (MFA).
CREATE INDEX access_grant_entitlement ON access_grant (entitlement_id) WHERE revoked_at IS NULL;
CREATE INDEX access_grant_request ON access_grant (request_id)
    WHERE source = 'request' AND revoked_at IS NULL;
CREATE INDEX account_privileged ON account (system_id) WHERE privileged = 1;
