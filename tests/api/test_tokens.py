#!/usr/bin/env python3
"""API tokens: created once, used, listed with their last use, revoked from the command line or
the API, and refused at once afterwards; only administrators manage them, within their reach."""
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from varn_harness import Server, Suite, check, contains, eq, main, run_varn, sql_rows

suite = Suite()
test = suite.test
state = {}


def srv():
    if "srv" not in state:
        state["srv"] = Server().start()
    return state["srv"]


def create(org, role, name="test"):
    r = run_varn("token", "create", "--org", org, "--role", role, "--name", name, db=srv().db)
    eq(r.returncode, 0, "token create (%s)" % r.stderr)
    return r.stdout.strip(), re.search(r"API token (\d+)", r.stderr).group(1)


def as_token(tok, method, path):
    return srv().request(method, path, headers={"Authorization": "Bearer " + tok})


def audit(action, object_id):
    return sql_rows(srv().db, "SELECT actor FROM audit_log WHERE action = ? AND object_id = ?",
                    (action, object_id))


def norrby():
    """A municipality under ITC, and an administrator token there."""
    if "norrby" not in state:
        admin, _ = create("ITC", "administrator", "setup")
        st, _, b = srv().request("POST", "/api/v1/organisations", body={
            "code": "NORRBY", "name": "Norrby kommun", "kind": "municipality",
            "parent_code": "ITC", "org_number": "212000-0142"},
            headers={"Authorization": "Bearer " + admin})
        eq(st, 201, "create NORRBY: %r" % b[:200])
        state["norrby"] = create("NORRBY", "administrator", "norrby admin")
    return state["norrby"]


@test("a new token is 256 random bits after its prefix and works at once")
def _():
    tok, _ = create("ITC", "ciso")
    check(re.fullmatch(r"varn_[A-Za-z0-9_-]{43}", tok), "token format %r" % tok)
    st, _, _ = as_token(tok, "GET", "/api/v1/roles")
    eq(st, 200, "GET /roles with the token")


@test("varn token list shows the token with its organisation, role and last use, never the token")
def _():
    tok, tid = create("ITC", "security_officer", "SIEM export")
    as_token(tok, "GET", "/api/v1/roles")
    r = run_varn("token", "list", db=srv().db)
    eq(r.returncode, 0, "exit code")
    line = [l for l in r.stdout.splitlines() if l.split()[:1] == [tid]]
    eq(len(line), 1, "rows for token %s in %r" % (tid, r.stdout))
    for word in ("ITC", "security_officer", "SIEM export"):
        contains(line[0], word, "list row")
    check(re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", line[0]), "no last use in %r" % line[0])
    check(tok not in r.stdout, "the token itself is listed")


@test("varn token revoke: the token is refused at once with 401 invalid_token, and it is audited")
def _():
    tok, tid = create("ITC", "ciso", "to revoke")
    eq(as_token(tok, "GET", "/api/v1/roles")[0], 200, "before")
    r = run_varn("token", "revoke", tid, db=srv().db)
    eq(r.returncode, 0, "exit code (%s)" % r.stderr)
    st, _, b = as_token(tok, "GET", "/api/v1/roles")
    eq(st, 401, "after revoking")
    eq(json.loads(b)["code"], "invalid_token", "code")
    eq(len(audit("api_token.revoke", tid)), 1, "audit entries")
    check(audit("api_token.revoke", tid)[0][0].startswith("cli:"), "actor")


@test("varn token revoke of an unknown number fails with exit 1; a malformed one is a usage error")
def _():
    r = run_varn("token", "revoke", "999999", db=srv().db)
    eq(r.returncode, 1, "unknown")
    contains(r.stderr, "999999", "message")
    eq(run_varn("token", "revoke", "abc", db=srv().db).returncode, 2, "malformed")
    eq(run_varn("token", "frobnicate", db=srv().db).returncode, 2, "unknown subcommand")


@test("an administrator revokes a token through the API: 204, then the token is refused")
def _():
    admin, _ = create("ITC", "administrator", "api admin")
    tok, tid = create("ITC", "user", "victim")
    st, _, b = as_token(admin, "GET", "/api/v1/api-tokens")
    eq(st, 200, "list")
    listed = {str(t["id"]): t for t in json.loads(b)["items"]}
    check(tid in listed and listed[tid]["revoked_at"] is None, "token %s listed live" % tid)
    st, _, _ = srv().request("DELETE", "/api/v1/api-tokens/" + tid,
                             headers={"Authorization": "Bearer " + admin})
    eq(st, 204, "revoke")
    eq(as_token(tok, "GET", "/api/v1/roles")[0], 401, "the revoked token")
    st, _, b = as_token(admin, "GET", "/api/v1/api-tokens")
    revoked = [t for t in json.loads(b)["items"] if str(t["id"]) == tid][0]
    check(revoked["revoked_at"], "revoked_at set")
    st, _, _ = srv().request("DELETE", "/api/v1/api-tokens/" + tid,
                             headers={"Authorization": "Bearer " + admin})
    eq(st, 204, "revoking again changes nothing")
    eq(len(audit("api_token.revoke", tid)), 1, "one audit entry")


@test("a NORRBY administrator neither sees nor revokes the IT centre's tokens: 404 like none")
def _():
    nadmin, _ = norrby()
    tok, tid = create("ITC", "ciso", "itc only")
    st, _, b = as_token(nadmin, "GET", "/api/v1/api-tokens")
    eq(st, 200, "list")
    orgs = {t["organisation"] for t in json.loads(b)["items"]}
    eq(orgs, {"NORRBY"}, "organisations of the listed tokens")
    for target in (tid, "987654321"):
        st, _, b = srv().request("DELETE", "/api/v1/api-tokens/" + target,
                                 headers={"Authorization": "Bearer " + nadmin})
        eq(st, 404, "revoke %s" % target)
    eq(as_token(tok, "GET", "/api/v1/roles")[0], 200, "the IT centre's token still works")


@test("roles other than administrator may not list or revoke tokens: 403")
def _():
    tok, tid = create("ITC", "ciso", "not an admin")
    eq(as_token(tok, "GET", "/api/v1/api-tokens")[0], 403, "list")
    st, _, _ = srv().request("DELETE", "/api/v1/api-tokens/" + tid,
                             headers={"Authorization": "Bearer " + tok})
    eq(st, 403, "revoke")


@test("the server stops cleanly")
def _():
    eq(srv().stop(), 0, "exit code")


if __name__ == "__main__":
    main(suite)
