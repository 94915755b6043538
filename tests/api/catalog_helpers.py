#!/usr/bin/env python3
"""Shared helpers of the catalog and classification suites: one server, tokens made with the
command line, calls, problem checks, a database digest, and a small world of organisations,
people and role assignments made through the org API."""
import hashlib
import json
import os
import sqlite3
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from varn_harness import DERIVED_TABLES, Server, check, eq, run_varn, sql_rows  # noqa: E402

PROBLEM_KEYS = {"type", "title", "status", "detail", "code", "instance", "request_id", "field"}
_state = {}


def srv():
    if "srv" not in _state:
        s = Server()
        _state["srv"] = s
        s.start()
    return _state["srv"]


def token(org, role):
    key = (org, role)
    if key not in _state:
        r = run_varn("token", "create", "--org", org, "--role", role, db=srv().db)
        eq(r.returncode, 0, "varn token create %s %s (%s)" % (org, role, r.stderr))
        _state[key] = r.stdout.strip()
    return _state[key]


def admin():
    return token("ITC", "administrator")


def call(method, path, body=None, tok=None):
    headers = {"Authorization": "Bearer " + (tok or admin())}
    st, h, b = srv().request(method, path, body, headers)
    if not b:
        return st, h, None
    try:
        return st, h, json.loads(b)
    except ValueError:
        raise AssertionError("%s %s -> %d, not JSON: %r" % (method, path, st, b[:300]))


def ok(method, path, body=None, tok=None, status=200):
    st, _, b = call(method, path, body, tok)
    eq(st, status, "%s %s status (body %r)" % (method, path, b))
    return b


def problem(resp, status, code, field=None):
    st, h, p = resp
    eq(st, status, "status (body %r)" % (p,))
    eq(h.get("content-type"), "application/problem+json", "Content-Type")
    eq(p.get("code"), code, "problem code (detail %r)" % p.get("detail"))
    eq(p.get("field"), field, "problem field")
    check(set(p) <= PROBLEM_KEYS, "unexpected problem members %s" % (set(p) - PROBLEM_KEYS))
    check(isinstance(p.get("detail"), str) and p["detail"], "problem detail")
    return p


def digest():
    """Every table but api_token.last_used_at (a token's use is recorded at most once a
    minute: bookkeeping, not a change by the request)."""
    con = sqlite3.connect(srv().db, timeout=30)
    try:
        h = hashlib.sha256()
        for typ, name, sql in con.execute(
                "SELECT type, name, sql FROM sqlite_master ORDER BY type, name"):
            h.update(repr((typ, name, sql)).encode())
            if typ != "table" or name in DERIVED_TABLES:  # the refresher rewrites these
                continue
            cols = [r[1] for r in con.execute('PRAGMA table_info("%s")' % name)]
            if name == "api_token":
                cols.remove("last_used_at")
            select = ", ".join('"%s"' % c for c in cols)
            for row in con.execute('SELECT %s FROM "%s" ORDER BY %s' % (select, name, select)):
                h.update(repr(row).encode())
        return h.hexdigest()
    finally:
        con.close()


def refused_unchanged(method, path, body, status, code, field=None, tok=None):
    before = digest()
    p = problem(call(method, path, body, tok), status, code, field)
    eq(digest(), before, "database digest after the refused %s %s" % (method, path))
    return p


def audit_rows(action, object_id=None):
    sql = "SELECT actor, action, object_kind, object_id, before, after FROM audit_log" \
          " WHERE action = ?"
    args = [action]
    if object_id is not None:
        sql += " AND object_id = ?"
        args.append(object_id)
    return sql_rows(srv().db, sql + " ORDER BY seq", args)


_serial = [500]


def orgnr():
    _serial[0] += 1
    body = "552%06d" % _serial[0]
    total = 0
    for i, ch in enumerate(body):
        v = int(ch) * (2 if i % 2 == 0 else 1)
        total += v - 9 if v > 9 else v
    return "%s-%s%d" % (body[:6], body[6:], (10 - total % 10) % 10)


def world():
    """ITC above NORRBY and OSTBY; a supplier LEVA under ITC; people with roles in NORRBY:
    sara (system_owner), ivar (information_owner), olle (no role), adam (administrator)."""
    if "world" in _state:
        return _state["world"]
    for code, kind in (("NORRBY", "municipality"), ("OSTBY", "municipality"),
                       ("LEVA", "supplier")):
        ok("POST", "/api/v1/organisations", {"code": code, "name": "Org " + code, "kind": kind,
                                            "parent_code": "ITC", "org_number": orgnr()},
           status=201)
    for uid, org in (("sara", "NORRBY"), ("ivar", "NORRBY"), ("olle", "NORRBY"),
                     ("adam", "NORRBY"), ("otto", "OSTBY")):
        ok("POST", "/api/v1/people", {"user_id": uid, "name": "Person " + uid,
                                      "email": uid + "@example.se", "organisation": org},
           status=201)
    for uid, role, org in (("sara", "system_owner", "NORRBY"),
                           ("ivar", "information_owner", "NORRBY"),
                           ("adam", "system_owner", "ITC"),
                           ("adam", "information_owner", "ITC"),
                           ("otto", "system_owner", "OSTBY"),
                           ("otto", "information_owner", "OSTBY")):
        ok("POST", "/api/v1/role-assignments", {"user_id": uid, "role": role,
                                                "organisation": org}, status=201)
    _state["world"] = True
    return True


def new_system(ext, **extra):
    world()
    body = {"external_id": ext, "name": "System " + ext, "organisation": "NORRBY",
            "system_owner": "sara"}
    body.update(extra)
    return ok("POST", "/api/v1/systems", body, status=201)


def new_info(ext, k=0, r=0, t=0, **extra):
    world()
    body = {"external_id": ext, "name": "Information " + ext, "organisation": "NORRBY",
            "information_owner": "ivar", "k": k, "r": r, "t": t}
    body.update(extra)
    return ok("POST", "/api/v1/information", body, status=201)
