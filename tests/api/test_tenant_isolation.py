#!/usr/bin/env python3
"""Tenant isolation, generated from the API document: for every route that needs a role, every
role, holding it in one municipality (NORRBY), asks for another municipality's (SODERAS) objects.
A foreign object must be indistinguishable from a missing one (404, same body), lists and
aggregates must not contain the other's canary names, roles the matrix does not admit get 403,
and nothing changes. A new route with a path parameter this suite has no canary for fails here
until one is added below."""
import csv
import io
import os
import re
import sys
import sqlite3
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from varn_harness import (SOURCE_ROOT, Server, Suite, check, db_digest, eq, main, run_varn,
                          sql_rows)

suite = Suite()
test = suite.test

ROLES = ["administrator", "ciso", "security_officer", "system_owner", "information_owner",
         "manager", "head_of_administration", "dpo", "committee_member", "user",
         "supplier_contact", "external_party"]
CANARY = "CANARY"
state = {}


def srv():
    if "srv" not in state:
        state["srv"] = Server().start()
    return state["srv"]


def token(org, role):
    r = run_varn("token", "create", "--org", org, "--role", role, "--name", "isolation test",
                 db=srv().db)
    eq(r.returncode, 0, "token create %s %s (%s)" % (org, role, r.stderr))
    return r.stdout.strip()


def call(method, path, tok, body=None):
    headers = {"Authorization": "Bearer " + tok}
    if body is None and method in ("POST", "PUT", "PATCH"):
        body = {}
    return srv().request(method, path, body=body, headers=headers)


def must(status, expected, what):
    eq(status, expected, what)


def world():
    """Two municipalities under the IT centre, a canary person and role assignment in SODERAS,
    and a token for every role at NORRBY."""
    if "tokens" in state:
        return state
    admin = token("ITC", "administrator")
    state["admin"] = admin
    for code, name, number in (("NORRBY", "Norrby kommun", "212000-0142"),
                               ("SODERAS", CANARY + " Söderås kommun", "212000-0159")):
        st, _, b = call("POST", "/api/v1/organisations", admin,
                        {"code": code, "name": name, "kind": "municipality",
                         "parent_code": "ITC", "org_number": number})
        must(st, 201, "create %s: %r" % (code, b[:300]))
    for uid, name, org in (("norrby.anna", "Anna Norrby", "NORRBY"),
                           ("canary.soderas", CANARY + " Sara Söderås", "SODERAS")):
        st, _, b = call("POST", "/api/v1/people", admin,
                        {"user_id": uid, "name": name, "email": uid + "@example.org",
                         "organisation": org})
        must(st, 201, "create %s: %r" % (uid, b[:300]))
    st, _, b = call("POST", "/api/v1/role-assignments", admin,
                    {"user_id": "canary.soderas", "role": "user", "organisation": "SODERAS"})
    must(st, 201, "assign canary role: %r" % b[:300])
    import json
    state["canary_ra"] = str(json.loads(b)["id"])
    for role in ("system_owner", "information_owner"):
        st, _, b = call("POST", "/api/v1/role-assignments", admin,
                        {"user_id": "canary.soderas", "role": role, "organisation": "SODERAS"})
        must(st, 201, "assign canary %s: %r" % (role, b[:300]))
    # The catalog's canaries: a system with a component, an information asset, a link.
    for path, body in (
            ("/api/v1/systems", {"external_id": "CANARY-SYS", "name": CANARY + " system",
                                 "organisation": "SODERAS", "system_owner": "canary.soderas"}),
            ("/api/v1/systems/CANARY-SYS/components", {"kind": "software",
                                                       "name": CANARY + " component"}),
            ("/api/v1/information", {"external_id": "CANARY-INFO", "name": CANARY + " info",
                                     "organisation": "SODERAS",
                                     "information_owner": "canary.soderas",
                                     "k": 3, "r": 2, "t": 1})):
        st, _, b = call("POST", path, admin, body)
        must(st, 201, "create %s: %r" % (path, b[:300]))
        if path.endswith("components"):
            state["canary_component"] = str(json.loads(b)["id"])
    st, _, b = call("PUT", "/api/v1/systems/CANARY-SYS/information/CANARY-INFO", admin)
    must(st, 204, "link the canaries: %r" % b[:300])
    # A second canary system that the first depends on, SODERAS using the first, and a canary
    # supplier under SODERAS with a contract.
    st, _, b = call("POST", "/api/v1/systems", admin,
                    {"external_id": "CANARY-SYS2", "name": CANARY + " system 2",
                     "organisation": "SODERAS", "system_owner": "canary.soderas"})
    must(st, 201, "create CANARY-SYS2: %r" % b[:300])
    st, _, b = call("POST", "/api/v1/organisations", admin,
                    {"code": "SODLEV", "name": CANARY + " supplier", "kind": "supplier",
                     "parent_code": "SODERAS", "org_number": "556677-8899"})
    must(st, 201, "create SODLEV: %r" % b[:300])
    for method, path, body in (
            ("PUT", "/api/v1/systems/CANARY-SYS/users/SODERAS", None),
            ("PUT", "/api/v1/systems/CANARY-SYS/dependencies/CANARY-SYS2", None),
            ("PUT", "/api/v1/organisations/SODLEV/contract", {"contract_reference": CANARY})):
        st, _, b = call(method, path, admin, body)
        must(st, 200 if "contract" in path else 204, "%s %s: %r" % (method, path, b[:300]))
    # The engine's canaries: SODERAS under the itcentrum profile, and an attestation of it with
    # a file (its CISO's duty, attested by the administrator).
    r = run_varn("policy", "assign", "--org", "SODERAS", "itcentrum", db=srv().db)
    eq(r.returncode, 0, "policy assign SODERAS (%s)" % r.stderr)
    import base64
    st, _, b = call("POST", "/api/v1/attestations", admin,
                    {"organisation": "SODERAS", "obligation": "ITC-SYF-1",
                     "statement": CANARY + " statement", "evidence_reference": CANARY,
                     "attachment": {"name": "canary.txt", "content_type": "text/plain",
                                    "data_base64": base64.b64encode(CANARY.encode()).decode()}})
    must(st, 201, "attest for SODERAS: %r" % b[:300])
    state["canary_attestation"] = str(json.loads(b)["id"])
    # A canary finding of the policy engine (written straight into the table, as the engine
    # would): aggregates such as GET /metrics must not count it for NORRBY.
    ids = dict(sql_rows(srv().db, "SELECT code, id FROM organisation"))
    import sqlite3
    con = sqlite3.connect(srv().db, timeout=30)
    try:
        con.execute("INSERT INTO finding (organisation_id, profile_code, profile_version,"
                    " obligation, cite, section, rule, subject_kind, subject_ref, subject_name,"
                    " status, evaluated_at) VALUES (?, 'p', '1', 'o', 'c', ?, 'r',"
                    " 'organisation', 'SODERAS', ?, 'overdue', '2026-11-22T08:00:00Z')",
                    (ids["SODERAS"], CANARY + " section", CANARY + " subject"))
        con.commit()
    finally:
        con.close()
    # Requirement rules (catforms): a canary rule of SODERAS's own.
    st, _, b = call("POST", "/api/v1/requirement-rules", admin,
                    {"organisation": "SODERAS", "aspect": "k", "min_level": 1,
                     "code": "canary_rule", "text_sv": CANARY + " krav",
                     "text_en": CANARY + " requirement"})
    must(st, 201, "create the canary rule: %r" % b[:300])
    state["canary_rule"] = str(json.loads(b)["id"])
    # Risk management's canaries: a SODERAS assessment of the canary system, a risk in it and a
    # measure of the risk.
    st, _, b = call("POST", "/api/v1/risk-assessments", admin,
                    {"organisation": "SODERAS", "title": CANARY + " assessment",
                     "scope": "system", "systems": ["CANARY-SYS"], "assessed_on": "2026-01-15",
                     "trigger_kind": "yearly", "method": CANARY})
    must(st, 201, "create the canary assessment: %r" % b[:300])
    state["canary_assessment"] = str(json.loads(b)["id"])
    st, _, b = call("POST", "/api/v1/risks", admin,
                    {"assessment": int(state["canary_assessment"]), "title": CANARY + " risk",
                     "threat": CANARY, "systems": ["CANARY-SYS"], "information": ["CANARY-INFO"],
                     "inherent_likelihood": 3, "inherent_consequence": 3,
                     "owner": "canary.soderas", "external_id": "CANARY-RISK"})
    must(st, 201, "create the canary risk: %r" % b[:300])
    state["canary_risk"] = str(json.loads(b)["id"])
    st, _, b = call("POST", "/api/v1/risks/%s/measures" % state["canary_risk"], admin,
                    {"title": CANARY + " measure", "owner": "canary.soderas",
                     "due": "2026-12-31"})
    must(st, 201, "create the canary measure: %r" % b[:300])
    state["canary_measure"] = str(json.loads(b)["id"])
    # Access control's canaries: an entitlement of the canary system, the canary person's
    # account on it and a grant.
    st, _, b = call("POST", "/api/v1/systems/CANARY-SYS/entitlements", admin,
                    {"name": CANARY + " role"})
    must(st, 201, "create the canary entitlement: %r" % b[:300])
    state["canary_entitlement"] = json.loads(b)["id"]
    st, _, b = call("POST", "/api/v1/accounts", admin,
                    {"system": "CANARY-SYS", "username": CANARY + ".acct",
                     "person": "canary.soderas", "shared": True})
    must(st, 201, "create the canary account: %r" % b[:300])
    state["canary_account"] = str(json.loads(b)["id"])
    st, _, b = call("POST", "/api/v1/grants", admin,
                    {"account": int(state["canary_account"]),
                     "entitlement": state["canary_entitlement"]})
    must(st, 201, "create the canary grant: %r" % b[:300])
    state["canary_grant"] = str(json.loads(b)["id"])
    # The access workflows' canaries (src/access): a request for the canary entitlement, a
    # provisioning task for it (written straight into the tables: a token cannot ask, and only
    # the canary person could approve), and a review campaign with one item, the canary grant.
    con = sqlite3.connect(srv().db, timeout=30)
    try:
        sys_id, sod = con.execute("SELECT id, organisation_id FROM system"
                                  " WHERE external_id = 'CANARY-SYS'").fetchone()
        pid = con.execute("SELECT id FROM person WHERE user_id = 'canary.soderas'").fetchone()[0]
        at = "2026-11-22T08:00:00Z"
        ent = state["canary_entitlement"]
        # A role change after the grant: the canary is on SODERAS's offboarding list.
        import datetime
        later = (datetime.datetime.now(datetime.timezone.utc)
                 + datetime.timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        con.execute("UPDATE person SET role_changed_at = ? WHERE id = ?", (later, pid))
        state["canary_request"] = str(con.execute(
            "INSERT INTO access_request (organisation_id, system_id, entitlement_id, person_id,"
            " requested_by, justification, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?,"
            " ?, 'pending', ?, ?)", (sod, sys_id, ent, pid, pid, CANARY, at, at)).lastrowid)
        state["canary_task"] = str(con.execute(
            "INSERT INTO access_task (organisation_id, system_id, kind, request_id, assignee_id,"
            " due_on, created_at) VALUES (?, ?, 'provision', ?, ?, '2026-12-01', ?)",
            (sod, sys_id, int(state["canary_request"]), pid, at)).lastrowid)
        con.commit()
    finally:
        con.close()
    st, _, b = call("POST", "/api/v1/access-reviews", admin,
                    {"title": CANARY + " review", "due_on": "2099-01-01",
                     "systems": ["CANARY-SYS"]})
    must(st, 201, "create the canary review: %r" % b[:300])
    state["canary_review"] = str(json.loads(b)["id"])
    st, _, b = call("GET", "/api/v1/access-reviews/%s/items" % state["canary_review"], admin)
    must(st, 200, "the canary review's items: %r" % b[:300])
    state["canary_review_item"] = str(json.loads(b)["items"][0]["id"])
    # The directory import's canaries: a SODERAS source mapping a group to the canary system,
    # and one sync of it, waited for (it fails at once: nothing listens on port 1), so that no
    # background change lands during the checks below.
    st, _, b = call("POST", "/api/v1/directory-sources", admin, DIRECTORY_SOURCE)
    must(st, 201, "create the canary directory source: %r" % b[:300])
    state["canary_directory"] = str(json.loads(b)["id"])
    st, _, b = call("POST", "/api/v1/directory-sources/%s/sync" % state["canary_directory"],
                    admin, {})
    must(st, 202, "queue the canary sync: %r" % b[:300])
    state["canary_sync"] = str(json.loads(b)["id"])
    import time
    for _ in range(200):
        st, _, b = call("GET", "/api/v1/directory-sources/%s/syncs/%s"
                        % (state["canary_directory"], state["canary_sync"]), admin)
        if json.loads(b)["status"] == "failed":
            break
        time.sleep(0.05)
    else:
        raise AssertionError("the canary sync did not finish: %r" % b[:300])
    state["tokens"] = {role: token("NORRBY", role) for role in ROLES}
    r = run_varn("token", "create", "--org", "SODERAS", "--role", "user", "--name",
                 CANARY + " token", db=srv().db)
    eq(r.returncode, 0, "SODERAS token (%s)" % r.stderr)
    state["canary_token"] = re.search(r"API token (\d+)", r.stderr).group(1)
    return state


def canaries(path=""):
    """SODERAS's objects for the path parameters of path: {external_id} is the canary
    information asset under /information/ and the canary system under /systems/."""
    w = world()
    info = path.startswith("/api/v1/information/")
    return {"code": "SODLEV" if path.endswith("/contract") else "SODERAS",
            "user_id": "canary.soderas", "id": w["canary_ra"],
            "external_id": "CANARY-INFO" if info else "CANARY-SYS",
            "component_id": w["canary_component"], "info_external_id": "CANARY-INFO",
            "dep_external_id": "CANARY-SYS2", "/api/v1/api-tokens/{id}": w["canary_token"],
            "/api/v1/attestations/{id}": w["canary_attestation"],
            "/api/v1/policies/{code}": "itcentrum",
            "/api/v1/imports/{kind}": "systems",
            "/api/v1/requirement-rules/{id}": w["canary_rule"],
            "/api/v1/risk-assessments/{id}": w["canary_assessment"],
            "/api/v1/risks/{id}": w["canary_risk"], "measure_id": w["canary_measure"],
            "/api/v1/accounts/{id}": w["canary_account"],
            "/api/v1/grants/{id}": w["canary_grant"],
            "/api/v1/access-requests/{id}": w["canary_request"],
            "/api/v1/access-tasks/{id}": w["canary_task"],
            "/api/v1/access-reviews/{id}": w["canary_review"],
            "item_id": w["canary_review_item"],
            "/api/v1/directory-sources/{id}": w["canary_directory"],
            "sync_id": w["canary_sync"]}


MISSING = {"code": "NOSUCHORG", "user_id": "no.such.person", "id": "987654321",
           "external_id": "NO-SUCH-OBJECT", "component_id": "987654321",
           "info_external_id": "NO-SUCH-INFO", "dep_external_id": "NO-SUCH-SYSTEM",
           "/api/v1/api-tokens/{id}": "987654321", "/api/v1/attestations/{id}": "987654321",
           "/api/v1/policies/{code}": "nosuch",
           "/api/v1/imports/{kind}": "systems",
           "/api/v1/requirement-rules/{id}": "987654321",
           "/api/v1/risk-assessments/{id}": "987654321", "/api/v1/risks/{id}": "987654321",
           "measure_id": "987654321",
           "/api/v1/accounts/{id}": "987654321", "/api/v1/grants/{id}": "987654321",
           "/api/v1/access-requests/{id}": "987654321",
           "/api/v1/access-tasks/{id}": "987654321", "/api/v1/access-reviews/{id}": "987654321",
           "item_id": "987654321",
           "/api/v1/directory-sources/{id}": "987654321", "sync_id": "987654321"}

# A directory source of SODERAS (the canary) or, with organisation NORRBY, of the tests.
DIRECTORY_SOURCE = {"organisation": "SODERAS", "name": CANARY + " AD", "uri": "ldap://127.0.0.1:1",
                    "base_dn": "dc=soderas,dc=example", "user_filter": "(objectClass=user)",
                    "group_filter": "(objectClass=group)",
                    "attributes": {"username": "sAMAccountName"},
                    "groups": [{"group_dn": "cn=canary,dc=soderas,dc=example",
                                "system": "CANARY-SYS", "entitlement": CANARY + " grant"}]}

# Routes whose path parameter names no object (the kind of an import): the loop over detail
# routes checks only that roles outside the matrix get 403; what their bodies name is checked
# by a test of their own below (IMPORT_FILES).
NOT_OBJECTS = {("POST", "/api/v1/imports/{kind}")}

# CSV files for POST /api/v1/imports/{kind} naming SODERAS's objects (FOREIGN) or missing ones.
IMPORT_FILES = {
    "organisations": "code,name,kind,parent_code,org_number\nNEWCO,New AB,company,{org},"
                     "559300-1117\n",
    "people": "user_id,name,email,organisation,manager_user_id,employment_start,employment_end,"
              "privileged\nnew.person,New,new@example.org,{org},,,,\n",
    "systems": "external_id,name,organisation,system_owner,lifecycle,internet_facing,"
               "mfa_enforced,last_significant_change\nNEW-SYS,New,{org},canary.soderas,"
               "production,,,\n",
    "components": "system_external_id,kind,name,vendor,product,version,cpe,licence_count,"
                  "licences_in_use,licence_expiry,end_of_support\n{system},software,New,,,,,,,,\n",
    "information": "external_id,name,organisation,information_owner,k,r,t,personal_data,"
                   "classified_at,systems\nNEW-INFO,New,{org},canary.soderas,1,1,1,none,,"
                   "{system}\n",
    "risks": "external_id,assessment_title,organisation,assessed_on,title,threat,vulnerability,"
             "systems,inherent_likelihood,inherent_consequence,residual_likelihood,"
             "residual_consequence,treatment,owner\nNEW-RISK,New,{org},2026-01-15,New,,,"
             "{system},1,1,,,,canary.soderas\n",
    "accounts": "system,username,user_id,shared,privileged,mfa_enrolled,last_login,status\n"
                "{system},new.acct,,,,,,\n",
    "grants": "system,username,user_id,shared,privileged,mfa_enrolled,last_login,status,"
              "entitlement,granted_at\n{system},new.acct,,,,,,,Läsare,\n",
}
FOREIGN = {"org": "SODERAS", "system": "CANARY-SYS"}
MISSING_REFS = {"org": "NOSUCHORG", "system": "NO-SUCH-OBJECT"}

# Paths whose parameter names something shared by every organisation (a policy profile is the
# policy's text, not a tenant's record): readable from NORRBY, but what it counts is NORRBY's.
SHARED = {("GET", "/api/v1/policies/{code}")}


# Bodies that pass a route's field table, so that the request reaches the object lookup (a
# body refused by the table is refused alike for foreign and missing objects, proving nothing).
BODIES = {
    ("POST", "/api/v1/systems/{external_id}/components"): {"kind": "hardware", "name": "x"},
    ("POST", "/api/v1/systems/{external_id}/raises"): {"aspect": "k", "level": 4,
                                                       "reason": "accumulation"},
    ("PUT", "/api/v1/organisations/{code}/contract"): {"contract_reference": "x"},
    ("PATCH", "/api/v1/requirement-rules/{id}"): {"text_sv": "x"},
    ("POST", "/api/v1/requirement-rules"): {"organisation": "NORRBY", "aspect": "k",
                                            "min_level": 1, "code": "isolation",
                                            "text_sv": "x", "text_en": "x"},
    ("PUT", "/api/v1/organisations/{code}/risk-matrix"): {
        "likelihood_names": ["a", "b", "c"], "consequence_names": ["a", "b", "c"],
        "bands": [{"name": "x", "colour": "#000000", "max": 9}], "acceptance_threshold": 4,
        "acceptance_validity": "P1Y"},
    ("PATCH", "/api/v1/risk-assessments/{id}"): {"title": "x"},
    ("PUT", "/api/v1/risk-assessments/{id}/participants/{user_id}"): {"participated": True},
    ("PATCH", "/api/v1/risks/{id}"): {"title": "x"},
    ("POST", "/api/v1/risks/{id}/measures"): {"title": "x", "owner": "norrby.anna",
                                              "due": "2026-12-31"},
    ("PATCH", "/api/v1/risks/{id}/measures/{measure_id}"): {"title": "x"},
    ("POST", "/api/v1/risks"): {"title": "x", "inherent_likelihood": 1,
                                "inherent_consequence": 1, "owner": "norrby.anna"},
    ("PATCH", "/api/v1/directory-sources/{id}"): {"name": "x"},
    ("PUT", "/api/v1/directory-sources/{id}/groups"): {"groups": []},
    ("POST", "/api/v1/risk-assessments"): {"title": "x", "scope": "system",
                                           "assessed_on": "2026-01-15",
                                           "trigger_kind": "yearly"},
    ("PATCH", "/api/v1/accounts/{id}"): {"mfa_enrolled": True},
    ("PUT", "/api/v1/accounts/{id}/exception"): {"reason": "x", "until": "2099-12-31"},
    ("POST", "/api/v1/systems/{external_id}/entitlements"): {"name": "x"},
    ("POST", "/api/v1/grants/{id}/revoke"): {"reason": "x"},
    ("POST", "/api/v1/accounts"): {"system": "AC-NORRBY", "username": "x"},
    ("POST", "/api/v1/grants"): {"entitlement": 1},
    ("POST", "/api/v1/access-requests/{id}/decision"): {"decision": "approve"},
    ("POST", "/api/v1/access-reviews/{id}/items/{item_id}"): {"decision": "keep"},
    ("POST", "/api/v1/access-reviews"): {"title": "x", "due_on": "2099-01-01",
                                         "systems": ["NORRBY-NONE"]},
    ("POST", "/api/v1/access-requests"): {"system": "NORRBY-NONE", "entitlement": "x",
                                          "justification": "x", "person": "norrby.anna"},
}


def fill(pattern, values):
    def sub(m):
        name = m.group(1)
        key = pattern[:m.end()] if pattern[:m.end()] in values else name
        check(key in values, "no canary for path parameter {%s} in %s: add one to this suite"
              % (name, pattern))
        return values[key]
    return re.sub(r"\{([^}]+)\}", sub, pattern)


def role_routes():
    import json
    st, _, b = srv().request("GET", "/api/v1/openapi.json")
    must(st, 200, "openapi")
    doc = json.loads(b)
    out = []
    for path, item in sorted(doc["paths"].items()):
        for method, op in sorted(item.items()):
            if op.get("x-varn-access") == "roles":
                out.append((method.upper(), path, set(op.get("x-varn-roles", []))))
    return out


def shape(body):
    """A problem body without what differs per request."""
    import json
    try:
        o = json.loads(body)
    except ValueError:
        return body
    for k in ("request_id", "instance"):
        o.pop(k, None)
    return o


def tenant_tables_digest():
    """Everything but the audit log, which legitimately records the refusals, and the engine's
    stored findings, which a read refreshes after the audit log moved."""
    rows = sql_rows(srv().db, "SELECT name FROM sqlite_master WHERE type = 'table'"
                    " AND name NOT IN ('audit_log', 'api_token', 'session', 'login_failure',"
                    " 'finding', 'finding_snapshot', 'engine_state')"
                    " ORDER BY name")
    parts = []
    for (t,) in rows:
        parts.append((t, sql_rows(srv().db, 'SELECT * FROM "%s" ORDER BY 1' % t)))
    return repr(parts)


@test("every route of the API document has a row in the permission matrix, and no other rows")
def _():
    import json
    st, _, b = srv().request("GET", "/api/v1/openapi.json")
    doc = json.loads(b)
    documented = {(m.upper(), p) for p, item in doc["paths"].items() for m in item}
    rows = set()
    for rel in ("src/authz/permissions.csv", "tests/fixtures/permissions.csv"):
        with open(os.path.join(SOURCE_ROOT, rel), encoding="utf-8") as f:
            rows |= {(r["method"], r["pattern"]) for r in csv.DictReader(f)}
    eq(rows, documented, "matrix rows vs routes")


@test("the canaries are real: an administrator of the IT centre sees SODERAS's objects")
def _():
    w = world()
    for method, path, roles in role_routes():
        if method != "GET" or "{" not in path:
            continue
        st, _, b = call("GET", fill(path, canaries(path)), w["admin"])
        must(st, 200, "admin GET %s (%r)" % (fill(path, canaries(path)), b[:200]))
    st, _, b = call("GET", "/api/v1/people", w["admin"])
    check(CANARY.encode() in b, "the admin's people list lacks the canary")


@test("no role at NORRBY can read, change or delete SODERAS's objects: 404 like a missing one")
def _():
    w = world()
    before = tenant_tables_digest()
    checked = 0
    for method, path, roles in role_routes():
        if "{" not in path:
            continue
        for role, tok in w["tokens"].items():
            foreign = fill(path, canaries(path))
            body = BODIES.get((method, path))
            st, _, b = call(method, foreign, tok, body)
            if role not in roles:
                must(st, 403, "%s %s as %s (not in the matrix): %r" % (method, foreign, role, b[:200]))
                continue
            if (method, path) in SHARED:
                must(st, 200, "%s %s as %s (shared): %r" % (method, foreign, role, b[:200]))
                check(CANARY.encode() not in b and b"SODERAS" not in b,
                      "%s %s as %s leaks SODERAS: %r" % (method, foreign, role, b[:400]))
                continue
            if (method, path) in NOT_OBJECTS:
                continue
            st_missing, _, b_missing = call(method, fill(path, MISSING), tok, body)
            must(st, 404, "%s %s as %s: %r" % (method, foreign, role, b[:200]))
            must(st_missing, 404, "%s of a missing object as %s" % (method, role))
            eq(shape(b), shape(b_missing), "%s %s as %s: foreign vs missing body" % (method, path, role))
            checked += 1
    check(checked > 0, "no detail route was checked")
    eq(tenant_tables_digest(), before, "tenant data after the attempts")


@test("no list or aggregate seen from NORRBY contains SODERAS's canary names")
def _():
    w = world()
    checked = 0
    for method, path, roles in role_routes():
        if method != "GET" or "{" in path:
            continue
        for role, tok in w["tokens"].items():
            st, _, b = call("GET", path, tok)
            if role not in roles:
                must(st, 403, "GET %s as %s (not in the matrix)" % (path, role))
                continue
            must(st, 200, "GET %s as %s: %r" % (path, role, b[:200]))
            check(CANARY.encode() not in b, "GET %s as %s leaks a canary: %r" % (path, role, b[:400]))
            check(b"SODERAS" not in b, "GET %s as %s leaks SODERAS: %r" % (path, role, b[:400]))
            checked += 1
    check(checked > 0, "no list was checked")


@test("the CSV and XLSX exports of the catalog and findings lists seen from NORRBY contain no canary")
def _():
    w = world()
    checked = 0
    for method, path, roles in role_routes():
        if method != "GET" or path not in ("/api/v1/systems", "/api/v1/information",
                                           "/api/v1/findings", "/api/v1/risks",
                                           "/api/v1/risk-assessments", "/api/v1/accounts",
                                           "/api/v1/grants", "/api/v1/offboarding"):
            continue
        for role, tok in w["tokens"].items():
            if role not in roles:
                continue
            st, h, b = call("GET", path + "?format=csv", tok)
            must(st, 200, "GET %s?format=csv as %s: %r" % (path, role, b[:200]))
            check(b.startswith(b"\xef\xbb\xbf"), "GET %s?format=csv is CSV" % path)
            check(CANARY.encode() not in b, "GET %s?format=csv as %s leaks a canary: %r"
                  % (path, role, b[:400]))
            check(b"SODERAS" not in b and b"CANARY" not in b,
                  "GET %s?format=csv as %s leaks SODERAS: %r" % (path, role, b[:400]))
            st, h, b = call("GET", path + "?format=xlsx", tok)
            must(st, 200, "GET %s?format=xlsx as %s: %r" % (path, role, b[:200]))
            with zipfile.ZipFile(io.BytesIO(b)) as z:
                text = b"".join(z.read(n) for n in z.namelist())
            check(CANARY.encode() not in text and b"SODERAS" not in text,
                  "GET %s?format=xlsx as %s leaks a canary" % (path, role))
            checked += 1
    check(checked >= 3, "every export checked (%d)" % checked)


@test("a refused call is recorded in the audit log as access.refused")
def _():
    w = world()
    rows = sql_rows(srv().db, "SELECT count(*) FROM audit_log WHERE action = 'access.refused'")
    check(rows[0][0] > 0, "no access.refused entries after the refusals above")


@test("writes naming SODERAS are refused exactly like writes naming an unknown organisation")
def _():
    w = world()
    tok = w["tokens"]["ciso"]
    before = tenant_tables_digest()
    results = []
    for org in ("SODERAS", "NOSUCHORG"):
        st, _, b = call("POST", "/api/v1/people", tok,
                        {"user_id": "x.%s" % org.lower(), "name": "X", "email": "x@example.org",
                         "organisation": org})
        results.append((st, shape(b)))
    eq(results[0][0], results[1][0], "status for a foreign vs an unknown organisation")
    check(results[0][0] in (404, 422), "status %d" % results[0][0])
    r0, r1 = dict(results[0][1]), dict(results[1][1])
    for r in (r0, r1):
        r["detail"] = re.sub(r"SODERAS|NOSUCHORG", "CODE", r.get("detail", ""))
    eq(r0, r1, "problem for a foreign vs an unknown organisation")
    eq(tenant_tables_digest(), before, "tenant data")


@test("an attestation naming SODERAS is refused exactly like one naming an unknown organisation")
def _():
    w = world()
    tok = w["tokens"]["ciso"]
    before = tenant_tables_digest()
    results = []
    for org in ("SODERAS", "NOSUCHORG"):
        st, _, b = call("POST", "/api/v1/attestations", tok,
                        {"organisation": org, "obligation": "ITC-SYF-1", "statement": "x"})
        p = shape(b)
        p["detail"] = re.sub(r"SODERAS|NOSUCHORG", "CODE", p.get("detail", ""))
        results.append((st, p))
    eq(results[0], results[1], "a foreign vs an unknown organisation")
    eq(results[0][0], 422, "status")
    eq(tenant_tables_digest(), before, "tenant data")


@test("imports naming SODERAS's organisations and systems are refused like missing ones")
def _():
    w = world()
    before = tenant_tables_digest()
    (_, path, roles), = [r for r in role_routes() if r[:2] == ("POST", "/api/v1/imports/{kind}")]
    checked = 0
    for role, tok in sorted(w["tokens"].items()):
        for kind, template in sorted(IMPORT_FILES.items()):
            seen = []
            for refs in (FOREIGN, MISSING_REFS):
                data = template.format(**refs).encode()
                st, _, b = srv().request("POST", "/api/v1/imports/" + kind, data,
                                         {"Authorization": "Bearer " + tok,
                                          "Content-Type": "text/csv"})
                if role not in roles:
                    must(st, 403, "import %s as %s (not in the matrix)" % (kind, role))
                check(st in (403, 422), "import %s as %s naming %s: %d %r"
                      % (kind, role, refs["org"], st, b[:300]))
                text = b.decode()
                for name in refs.values():
                    text = text.replace(name, "REF")  # the file's own references echoed
                check(CANARY not in text, "import %s as %s leaks a canary: %r"
                      % (kind, role, text[:400]))
                seen.append((st, shape(text.encode())))
            eq(seen[0], seen[1], "import %s as %s: foreign vs missing" % (kind, role))
            checked += seen[0][0] == 422
    check(checked > 0, "no import reached the rows")
    eq(tenant_tables_digest(), before, "tenant data after the imports")


@test("a requirement rule naming SODERAS is refused like one naming an unknown organisation")
def _():
    w = world()
    before = tenant_tables_digest()
    results = []
    for org in ("SODERAS", "NOSUCHORG"):
        b = dict(BODIES[("POST", "/api/v1/requirement-rules")], organisation=org)
        st, _, resp = call("POST", "/api/v1/requirement-rules", w["tokens"]["ciso"], b)
        r = shape(resp)
        r["detail"] = re.sub(r"SODERAS|NOSUCHORG", "CODE", r.get("detail", ""))
        results.append((st, r))
        st, _, resp = call("GET", "/api/v1/requirement-rules?organisation=" + org,
                           w["tokens"]["ciso"])
        r = shape(resp)
        r["detail"] = re.sub(r"SODERAS|NOSUCHORG", "CODE", r.get("detail", ""))
        results.append((st, r))
    eq(results[0], results[2], "POST: foreign vs unknown organisation")
    eq(results[1], results[3], "GET: foreign vs unknown organisation")
    eq((results[0][0], results[1][0]), (422, 422), "statuses")
    eq(tenant_tables_digest(), before, "tenant data")


@test("risk writes naming SODERAS's assessment, organisation or systems are refused like missing ones")
def _():
    w = world()
    tok = w["tokens"]["ciso"]
    before = tenant_tables_digest()
    cases = [("/api/v1/risks", "assessment", int(w["canary_assessment"]), 987654321),
             ("/api/v1/risks", "systems", ["CANARY-SYS"], ["NO-SUCH-OBJECT"]),
             ("/api/v1/risks", "information", ["CANARY-INFO"], ["NO-SUCH-INFO"]),
             ("/api/v1/risks", "owner", "canary.soderas", "no.such.person"),
             ("/api/v1/risk-assessments", "organisation", "SODERAS", "NOSUCHORG"),
             ("/api/v1/risk-assessments", "systems", ["CANARY-SYS"], ["NO-SUCH-OBJECT"])]
    # A NORRBY assessment for the risks to go into.
    st, _, b = call("POST", "/api/v1/risk-assessments", w["admin"],
                    {"organisation": "NORRBY", "title": "Norrby", "scope": "organisation",
                     "assessed_on": "2026-01-15", "trigger_kind": "yearly"})
    must(st, 201, "a NORRBY assessment: %r" % b[:200])
    import json
    norrby = json.loads(b)["id"]
    before = tenant_tables_digest()
    for path, field, foreign, missing in cases:
        seen = []
        for value in (foreign, missing):
            body = dict(BODIES[("POST", path)])
            if path == "/api/v1/risks":
                body["assessment"] = norrby
            else:
                body["organisation"] = "NORRBY"
                body["scope"] = "systems"
            body[field] = value
            st, _, resp = call("POST", path, tok, body)
            r = shape(resp)
            r["detail"] = re.sub(r"SODERAS|NOSUCHORG|CANARY-SYS|NO-SUCH-OBJECT|CANARY-INFO|"
                                 r"NO-SUCH-INFO|canary\.soderas|no\.such\.person|\d+", "REF",
                                 r.get("detail", ""))
            seen.append((st, r))
        eq(seen[0], seen[1], "POST %s naming %s: foreign vs missing" % (path, field))
        eq(seen[0][0], 422, "POST %s naming %s: status" % (path, field))
        eq(seen[0][1].get("field"), field, "POST %s: the field named" % path)
    eq(tenant_tables_digest(), before, "tenant data")


@test("access writes naming SODERAS's systems, people, accounts or entitlements are refused like "
      "missing ones")
def _():
    w = world()
    tok = w["tokens"]["ciso"]
    st, _, b = call("POST", "/api/v1/role-assignments", w["admin"],
                    {"user_id": "norrby.anna", "role": "system_owner", "organisation": "NORRBY"})
    must(st, 201, "norrby.anna owns systems: %r" % b[:200])
    st, _, b = call("POST", "/api/v1/systems", w["admin"],
                    {"external_id": "AC-NORRBY", "name": "Norrby access", "organisation": "NORRBY",
                     "system_owner": "norrby.anna"})
    must(st, 201, "a NORRBY system: %r" % b[:200])
    before = tenant_tables_digest()
    cases = [("/api/v1/accounts", "system", "CANARY-SYS", "NO-SUCH-OBJECT", {}),
             ("/api/v1/accounts", "person", "canary.soderas", "no.such.person", {}),
             ("/api/v1/grants", "account", int(w["canary_account"]), 987654321, {}),
             ("/api/v1/grants", "system", "CANARY-SYS", "NO-SUCH-OBJECT",
              {"person": "norrby.anna"}),
             ("/api/v1/grants", "person", "canary.soderas", "no.such.person",
              {"system": "AC-NORRBY"})]
    for path, field, foreign, missing, extra in cases:
        seen = []
        for value in (foreign, missing):
            body = dict(BODIES[("POST", path)], **extra)
            body[field] = value
            st, _, resp = call("POST", path, tok, body)
            r = shape(resp)
            r["detail"] = re.sub(r"CANARY-SYS|NO-SUCH-OBJECT|canary\.soderas|no\.such\.person|"
                                 r"\d+", "REF", r.get("detail", ""))
            check(CANARY not in repr(r), "POST %s leaks a canary: %r" % (path, r))
            seen.append((st, r))
        eq(seen[0], seen[1], "POST %s naming %s: foreign vs missing" % (path, field))
        eq(seen[0][0], 422, "POST %s naming %s: status" % (path, field))
        eq(seen[0][1].get("field"), field, "POST %s: the field named" % path)
@test("access workflow writes naming SODERAS's systems are refused like missing ones")
def _():
    w = world()
    tok = w["tokens"]["ciso"]
    before = tenant_tables_digest()
    seen = []
    for system in ("CANARY-SYS", "NO-SUCH-OBJECT"):
        body = dict(BODIES[("POST", "/api/v1/access-reviews")], systems=[system])
        st, _, resp = call("POST", "/api/v1/access-reviews", tok, body)
        r = shape(resp)
        r["detail"] = re.sub(r"CANARY-SYS|NO-SUCH-OBJECT", "REF", r.get("detail", ""))
        seen.append((st, r))
    eq(seen[0], seen[1], "POST access-reviews: foreign vs missing system")
    eq((seen[0][0], seen[0][1].get("field")), (422, "systems"), "422 naming systems")
    st, _, b = call("GET", "/api/v1/offboarding", w["admin"])
    check(b"canary.soderas" in b, "the canary is on the IT centre's offboarding list: %r" % b[:300])
    for role in ("ciso", "manager", "system_owner"):
        st, _, b = call("GET", "/api/v1/offboarding?notice=366&organisation=SODERAS",
                        w["tokens"][role])
        eq(st, 200, "offboarding as %s" % role)
        check(b"canary" not in b, "offboarding as %s leaks a canary" % role)
    eq(tenant_tables_digest(), before, "tenant data")


@test("directory sources naming SODERAS or its systems are refused like missing ones")
def _():
    w = world()
    tok = w["tokens"]["security_officer"]
    before = tenant_tables_digest()
    cases = [("organisation", "SODERAS", "NOSUCHORG"),
             ("groups", [{"group_dn": "cn=x,dc=x", "system": "CANARY-SYS", "entitlement": "x"}],
              [{"group_dn": "cn=x,dc=x", "system": "NO-SUCH-OBJECT", "entitlement": "x"}])]
    for field, foreign, missing in cases:
        seen = []
        for value in (foreign, missing):
            body = dict(DIRECTORY_SOURCE, organisation="NORRBY", name="Norrby AD")
            body[field] = value
            st, _, resp = call("POST", "/api/v1/directory-sources", tok, body)
            r = shape(resp)
            r["detail"] = re.sub(r"SODERAS|NOSUCHORG|CANARY-SYS|NO-SUCH-OBJECT", "REF",
                                 r.get("detail", ""))
            seen.append((st, r))
        eq(seen[0], seen[1], "POST naming %s: foreign vs missing" % field)
        eq(seen[0][0], 422, "POST naming %s: status" % field)
        eq(seen[0][1].get("field"), field, "the field named")
    eq(tenant_tables_digest(), before, "tenant data")


@test("a ciso of the IT centre reaches both municipalities below it")
def _():
    world()
    tok = token("ITC", "ciso")
    st, _, b = call("GET", "/api/v1/people/canary.soderas", tok)
    must(st, 200, "ITC ciso reads a SODERAS person")
    st, _, b = call("GET", "/api/v1/people/norrby.anna", tok)
    must(st, 200, "ITC ciso reads a NORRBY person")


@test("the server stops cleanly")
def _():
    eq(srv().stop(), 0, "exit code")


if __name__ == "__main__":
    main(suite)
