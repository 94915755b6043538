/* The one route table: every HTTP route of Värn is listed here, in the order it is matched.
 * A capability adds its rows here and nowhere else. */
#include "http/routes.h"
#include "auth/auth_http.h"
#include "http/health.h"
#include "http/metrics.h"
#include "audit/audit_http.h"
#include "org/org_http.h"
#include "catalog/catalog_http.h"
#include "classification/classification_http.h"
#include "catalog/import_http.h"
#include "classification/requirement_http.h"
#include "engine/findings_http.h"
#include "risk/risk_http.h"
#include "access/access_http.h"
#include "risk/risk_report.h"

#ifdef VARN_TEST_FIXTURES
#include "fixture_routes.h"
#endif

#define KiB 1024

const struct route varn_routes[] = {
    {"GET", "/healthz", h_healthz, 0, ACCESS_PUBLIC, NULL, "The process is up"},
    {"GET", "/readyz", h_readyz, 0, ACCESS_PUBLIC, NULL, "The database answers"},
    {"GET", "/api/v1/openapi.json", h_openapi, 0, ACCESS_PUBLIC, NULL,
     "This document: OpenAPI 3.1 for every route"},
    /* Prometheus: request metrics and findings counts; an API token (docs/api.md#metrics). */
    {"GET", "/metrics", h_metrics, 0, ACCESS_ROLES, NULL,
     "Prometheus metrics (text format 0.0.4): requests, durations, findings in reach"},
    {"GET", "/api/v1/audit", h_audit_search, 0, ACCESS_ROLES, NULL,
     "Search the audit log (newest first, filtered, paginated) or export it as CSV"},
    {"GET", "/api/v1/audit/head", h_audit_head, 0, ACCESS_ROLES, NULL,
     "The audit chain's last seq and hash, to anchor outside Värn"},
    {"GET", "/api/v1/roles", h_roles_list, 0, ACCESS_ROLES, NULL, "The roles people can hold"},
    {"GET", "/api/v1/organisations", h_org_list, 0, ACCESS_ROLES, NULL,
     "Organisations in reach; filters kind, parent (code), q; limit and cursor"},
    {"POST", "/api/v1/organisations", h_org_create, 4 * KiB, ACCESS_ROLES, org_create_fields,
     "Create an organisation under one in reach"},
    {"GET", "/api/v1/organisations/{code}", h_org_get, 0, ACCESS_ROLES, NULL, "One organisation"},
    {"PATCH", "/api/v1/organisations/{code}", h_org_update, 4 * KiB, ACCESS_ROLES,
     org_update_fields, "Change an organisation (its code is immutable)"},
    {"GET", "/api/v1/organisations/{code}/contract", h_contract_get, 0, ACCESS_ROLES, NULL,
     "A supplier's contract: reference and end date (nulls when none is recorded)"},
    {"PUT", "/api/v1/organisations/{code}/contract", h_contract_put, 1 * KiB, ACCESS_ROLES,
     contract_fields, "Record a supplier's contract reference and end date"},
    {"GET", "/api/v1/people", h_person_list, 0, ACCESS_ROLES, NULL,
     "People in reach; filters organisation (code), q; limit and cursor"},
    {"POST", "/api/v1/people", h_person_create, 4 * KiB, ACCESS_ROLES, person_create_fields,
     "Create a person in an organisation in reach"},
    {"GET", "/api/v1/people/{user_id}", h_person_get, 0, ACCESS_ROLES, NULL, "One person"},
    {"PATCH", "/api/v1/people/{user_id}", h_person_update, 4 * KiB, ACCESS_ROLES,
     person_update_fields, "Change a person (the user id is immutable), or disable them"},
    {"GET", "/api/v1/role-assignments", h_assignment_list, 0, ACCESS_ROLES, NULL,
     "Role assignments in reach; filters person (user id), organisation (code), role"},
    {"POST", "/api/v1/role-assignments", h_assignment_create, 4 * KiB, ACCESS_ROLES,
     assignment_create_fields, "Give a person a role in an organisation"},
    {"DELETE", "/api/v1/role-assignments/{id}", h_assignment_delete, 0, ACCESS_ROLES, NULL,
     "Take a role assignment away"},
    {"GET", "/api/v1/systems", h_system_list, 0, ACCESS_ROLES, NULL,
     "Systems in reach; filters organisation, owner, lifecycle, level, personal_data, q; sort; "
     "format=csv|xlsx exports every matching row"},
    {"POST", "/api/v1/systems", h_system_create, 16 * KiB, ACCESS_ROLES, system_create_fields,
     "Add a system to the catalog"},
    {"GET", "/api/v1/systems/{external_id}", h_system_get, 0, ACCESS_ROLES, NULL,
     "One system with its protection levels"},
    {"PATCH", "/api/v1/systems/{external_id}", h_system_update, 16 * KiB, ACCESS_ROLES,
     system_update_fields, "Change a system (its external id is immutable)"},
    {"GET", "/api/v1/systems/{external_id}/components", h_component_list, 0, ACCESS_ROLES, NULL,
     "The hardware, software and licences of a system"},
    {"POST", "/api/v1/systems/{external_id}/components", h_component_create, 4 * KiB, ACCESS_ROLES,
     component_create_fields, "Add a component to a system"},
    {"PATCH", "/api/v1/systems/{external_id}/components/{component_id}", h_component_update,
     4 * KiB, ACCESS_ROLES, component_update_fields, "Change a component"},
    {"DELETE", "/api/v1/systems/{external_id}/components/{component_id}", h_component_delete, 0,
     ACCESS_ROLES, NULL, "Remove a component"},
    {"PUT", "/api/v1/systems/{external_id}/users/{code}", h_system_user_add, 64, ACCESS_ROLES,
     relation_fields, "The organisation uses the system (listed in the system as users)"},
    {"DELETE", "/api/v1/systems/{external_id}/users/{code}", h_system_user_remove, 0, ACCESS_ROLES,
     NULL, "The organisation no longer uses the system"},
    {"PUT", "/api/v1/systems/{external_id}/dependencies/{dep_external_id}", h_system_dependency_add,
     64, ACCESS_ROLES, relation_fields,
     "The system depends on another system in reach (never on itself)"},
    {"DELETE", "/api/v1/systems/{external_id}/dependencies/{dep_external_id}",
     h_system_dependency_remove, 0, ACCESS_ROLES, NULL, "The system no longer depends on it"},
    {"PUT", "/api/v1/systems/{external_id}/information/{info_external_id}", h_information_link, 64,
     ACCESS_ROLES, link_fields, "The system processes this information (its levels follow)"},
    {"DELETE", "/api/v1/systems/{external_id}/information/{info_external_id}", h_information_unlink,
     0, ACCESS_ROLES, NULL, "The system no longer processes it"},
    {"GET", "/api/v1/systems/{external_id}/protection", h_system_protection, 0, ACCESS_ROLES, NULL,
     "K, R and T of a system: inherited, which asset drives each, raises by hand"},
    {"POST", "/api/v1/systems/{external_id}/raises", h_system_raise, 2 * KiB, ACCESS_ROLES,
     raise_fields, "Raise K, R or T by hand with a reason (never below the inherited level)"},
    {"GET", "/api/v1/systems/{external_id}/requirements", h_system_requirements, 0, ACCESS_ROLES,
     NULL, "The requirements at the system's levels, met or not; for planned: the kravlista"},
    {"GET", "/api/v1/information", h_information_list, 0, ACCESS_ROLES, NULL,
     "Information assets in reach; filters organisation, owner, k, r, t, personal_data, "
     "review_due_before, q; sort; format=csv|xlsx exports every matching row"},
    {"POST", "/api/v1/information", h_information_create, 16 * KiB, ACCESS_ROLES,
     information_create_fields, "Register and classify an information asset"},
    {"GET", "/api/v1/information/{external_id}", h_information_get, 0, ACCESS_ROLES, NULL,
     "One information asset"},
    {"PATCH", "/api/v1/information/{external_id}", h_information_update, 16 * KiB, ACCESS_ROLES,
     information_update_fields, "Change or reclassify an information asset (k, r, t)"},
    /* CSV import over HTTP (the upload helper's block) */
    {"POST", "/api/v1/imports/{kind}", h_import, IMPORT_HTTP_BODY_MAX, ACCESS_ROLES, ROUTE_CSV_BODY,
     "Import a CSV file (text/csv) of organisations, people, systems, components, information, "
     "risks, accounts or grants, all rows or none; dry_run=true checks only"},
    /* Requirement rules (catforms): the default set read-only, organisations' own rules. */
    {"GET", "/api/v1/requirement-rules", h_requirement_rule_list, 0, ACCESS_ROLES, NULL,
     "Requirement rules: the defaults and those of an organisation (organisation=CODE) and the "
     "ones above it, or of every organisation in reach; each with its source"},
    {"POST", "/api/v1/requirement-rules", h_requirement_rule_create, 4 * KiB, ACCESS_ROLES,
     requirement_rule_create_fields, "Add an organisation's own requirement rule"},
    {"PATCH", "/api/v1/requirement-rules/{id}", h_requirement_rule_update, 4 * KiB, ACCESS_ROLES,
     requirement_rule_update_fields,
     "Change an organisation's own rule (the defaults are read-only)"},
    {"DELETE", "/api/v1/requirement-rules/{id}", h_requirement_rule_delete, 0, ACCESS_ROLES, NULL,
     "Delete an organisation's own rule (the defaults are read-only)"},
    /* Access control (src/access): accounts, entitlements, grants, MFA coverage. */
    {"GET", "/api/v1/accounts", h_account_list, 0, ACCESS_ROLES, NULL,
     "Accounts in systems, in reach; filters organisation, system, person, q, shared, "
     "privileged, mfa, status, unowned; format=csv|xlsx exports every matching row"},
    {"POST", "/api/v1/accounts", h_account_create, 4 * KiB, ACCESS_ROLES,
     access_account_create_fields, "Register an account in a system"},
    {"GET", "/api/v1/accounts/{id}", h_account_get, 0, ACCESS_ROLES, NULL,
     "One account with its exception and count of active grants"},
    {"PATCH", "/api/v1/accounts/{id}", h_account_update, 4 * KiB, ACCESS_ROLES,
     access_account_update_fields, "Change an account; status removed revokes its grants"},
    {"PUT", "/api/v1/accounts/{id}/exception", h_account_exception, 8 * KiB, ACCESS_ROLES,
     access_exception_fields, "Approve a shared account's time-limited exception (reason, until)"},
    {"GET", "/api/v1/systems/{external_id}/entitlements", h_entitlement_list, 0, ACCESS_ROLES, NULL,
     "The entitlements (roles, groups) of a system with their active grants"},
    {"POST", "/api/v1/systems/{external_id}/entitlements", h_entitlement_create, 8 * KiB,
     ACCESS_ROLES, access_entitlement_fields, "Add an entitlement to a system"},
    {"GET", "/api/v1/grants", h_grant_list, 0, ACCESS_ROLES, NULL,
     "Grants in reach; filters organisation, system, person, account, entitlement, active; "
     "format=csv|xlsx exports every matching row"},
    {"POST", "/api/v1/grants", h_grant_create, 4 * KiB, ACCESS_ROLES, access_grant_create_fields,
     "Grant an entitlement by hand: to an account, or to a person on a system"},
    {"GET", "/api/v1/grants/{id}", h_grant_get, 0, ACCESS_ROLES, NULL, "One grant"},
    {"POST", "/api/v1/grants/{id}/revoke", h_grant_revoke, 8 * KiB, ACCESS_ROLES,
     access_revoke_fields, "Revoke a grant, with a reason"},
    {"GET", "/api/v1/access/mfa-coverage", h_mfa_coverage, 0, ACCESS_ROLES, NULL,
     "MFA coverage of active accounts per organisation and per system (organisation, system)"},
    /* Risk management (src/risk): matrices, assessments, risks, acceptance, measures. */
    {"GET", "/api/v1/organisations/{code}/risk-matrix", h_risk_matrix_get, 0, ACCESS_ROLES, NULL,
     "The risk matrix in force: the organisation's own or the default 4x4"},
    {"PUT", "/api/v1/organisations/{code}/risk-matrix", h_risk_matrix_put, 4 * KiB, ACCESS_ROLES,
     risk_matrix_fields, "Set the organisation's risk matrix: level names, bands, threshold"},
    {"GET", "/api/v1/risk-assessments", h_risk_assessment_list, 0, ACCESS_ROLES, NULL,
     "Risk assessments in reach; filters organisation, system, status, trigger_kind, q; "
     "format=csv|xlsx exports every matching row"},
    {"POST", "/api/v1/risk-assessments", h_risk_assessment_create, 16 * KiB, ACCESS_ROLES,
     risk_assessment_create_fields,
     "Start a risk assessment; the owners of its systems and their information are invited"},
    {"GET", "/api/v1/risk-assessments/{id}", h_risk_assessment_get, 0, ACCESS_ROLES, NULL,
     "One risk assessment with its systems and participants"},
    {"PATCH", "/api/v1/risk-assessments/{id}", h_risk_assessment_update, 16 * KiB, ACCESS_ROLES,
     risk_assessment_update_fields, "Change a risk assessment or its status (approve it)"},
    {"PUT", "/api/v1/risk-assessments/{id}/participants/{user_id}", h_risk_participation, 64,
     ACCESS_ROLES, risk_participation_fields, "Record that a person took part in the assessment"},
    {"GET", "/api/v1/risks", h_risk_list, 0, ACCESS_ROLES, NULL,
     "Risks in reach; filters organisation, assessment, system, treatment, band, owner, q; "
     "sort id or residual_score; format=csv|xlsx exports the risk register"},
    {"POST", "/api/v1/risks", h_risk_create, 16 * KiB, ACCESS_ROLES, risk_create_fields,
     "Add a risk to an assessment, rated on the organisation's matrix"},
    {"GET", "/api/v1/risks/{id}", h_risk_get, 0, ACCESS_ROLES, NULL,
     "One risk with its scores and bands"},
    {"PATCH", "/api/v1/risks/{id}", h_risk_update, 16 * KiB, ACCESS_ROLES, risk_update_fields,
     "Change a risk; a new residual rating withdraws its acceptance"},
    {"POST", "/api/v1/risks/{id}/acceptance", h_risk_accept, 64, ACCESS_ROLES,
     risk_acceptance_fields,
     "Accept the residual risk (above the threshold: CISO, head of administration, "
     "administrator); it expires after the matrix's validity"},
    {"GET", "/api/v1/risks/{id}/measures", h_risk_measure_list, 0, ACCESS_ROLES, NULL,
     "The measures (åtgärder) of a risk"},
    {"POST", "/api/v1/risks/{id}/measures", h_risk_measure_create, 8 * KiB, ACCESS_ROLES,
     risk_measure_create_fields, "Add a measure to a risk"},
    {"PATCH", "/api/v1/risks/{id}/measures/{measure_id}", h_risk_measure_update, 8 * KiB,
     ACCESS_ROLES, risk_measure_update_fields, "Change a measure; done needs done_on"},
    {"GET", "/api/v1/my/systems", h_my_systems, 0, ACCESS_ROLES, NULL,
     "Systems the logged-in person owns or administers (empty for tokens)"},
    {"GET", "/api/v1/my/information", h_my_information, 0, ACCESS_ROLES, NULL,
     "Information assets the logged-in person owns (empty for tokens)"},
    {"GET", "/api/v1/findings", h_findings_list, 0, ACCESS_ROLES, NULL,
     "Findings in reach, most urgent first; filters organisation, section, status (comma "
     "list), responsible (user id or me), due_before, obligation, profile, subject_kind; "
     "format=csv|xlsx exports every matching row"},
    {"GET", "/api/v1/findings/summary", h_findings_summary, 0, ACCESS_ROLES, NULL,
     "Counts per status and share met per organisation and policy section, and the region's"},
    {"GET", "/api/v1/findings/trend", h_findings_trend, 0, ACCESS_ROLES, NULL,
     "Counts per status and day from the daily snapshots (days, default 90)"},
    {"GET", "/api/v1/risk-report", h_risk_report, 0, ACCESS_ROLES, NULL,
     "The risk report for IT-nämnden as PDF (organisation, since); recorded as an export"},
    {"GET", "/api/v1/policies", h_policies_list, 0, ACCESS_ROLES, NULL,
     "The loaded policy profiles and the organisations in reach that have each"},
    {"GET", "/api/v1/policies/{code}", h_policy_get, 0, ACCESS_ROLES, NULL,
     "One policy profile: its sections and every obligation with its counts in reach"},
    {"GET", "/api/v1/attestations", h_attestation_list, 0, ACCESS_ROLES, NULL,
     "Attestations in reach, newest first; filters organisation, obligation"},
    {"POST", "/api/v1/attestations", h_attestation_create, ATTESTATION_BODY_MAX, ACCESS_ROLES,
     attestation_fields,
     "Attest that a duty is met (the obligation's responsible person or an administrator)"},
    {"GET", "/api/v1/attestations/{id}/evidence", h_attestation_evidence, 0, ACCESS_ROLES, NULL,
     "Download the file attached to an attestation"},
    {"POST", "/api/v1/session", h_session_create, 4 * KiB, ACCESS_PUBLIC, auth_login_fields,
     "Log in with a user id or e-mail address and a password; sets the session cookie"},
    {"DELETE", "/api/v1/session", h_session_delete, 0, ACCESS_LOGIN, NULL,
     "Log out: end this session and clear its cookie"},
    {"POST", "/api/v1/session/mfa", h_session_mfa, 1 * KiB, ACCESS_LOGIN, auth_code_fields,
     "The second step of a login: a TOTP code or a recovery code; renews the cookie"},
    {"GET", "/api/v1/me", h_me, 0, ACCESS_LOGIN, NULL,
     "Who is logged in: person, MFA state, roles and the organisations they reach"},
    {"POST", "/api/v1/me/mfa", h_me_mfa, 0, ACCESS_LOGIN, NULL,
     "Start setting up TOTP: a new secret, its otpauth URI and QR code (SVG)"},
    {"POST", "/api/v1/me/mfa/confirm", h_me_mfa_confirm, 1 * KiB, ACCESS_LOGIN, auth_code_fields,
     "Finish setting up TOTP with a code from the app; returns 10 recovery codes"},
    {"GET", "/api/v1/api-tokens", h_token_list, 0, ACCESS_ROLES, NULL,
     "API tokens in reach: name, organisation, role, created, last used, revoked"},
    {"DELETE", "/api/v1/api-tokens/{id}", h_token_revoke, 0, ACCESS_ROLES, NULL,
     "Revoke an API token: it stops working at once"},
    {"POST", "/api/v1/me/password", h_me_password, 4 * KiB, ACCESS_LOGIN, auth_password_fields,
     "Change the own password (after MFA); ends every other session"},
#ifdef VARN_TEST_FIXTURES
    FIXTURE_ROUTES
#endif
};

const size_t varn_routes_count = sizeof(varn_routes) / sizeof(varn_routes[0]);
