#!/usr/bin/env python3
"""Organisations, people and role assignments over HTTP: create, read, update, list, filter and
page; every validation class with its status, code and field, a refused request changing
nothing; the organisationsnummer check; the permission matrix for every route and role; tenant
isolation between member municipalities; and one audit entry per change."""
import hashlib
import json
import os
import re
import sqlite3
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from varn_harness import (DERIVED_TABLES, Server, Suite, check, contains, eq, main, run_varn,
                          sql_rows)

suite = Suite()
test = suite.test

ROLES = ["administrator", "ciso", "security_officer", "system_owner", "information_owner",
         "manager", "head_of_administration", "dpo", "committee_member", "user",
         "supplier_contact", "external_party"]
PROBLEM_KEYS = {"type", "title", "status", "detail", "code", "instance", "request_id", "field"}
ORG_KEYS = {"code", "name", "kind", "parent_code", "org_number", "mfa_required"}
PERSON_KEYS = {"user_id", "name", "email", "organisation", "manager_user_id", "employment_start",
               "employment_end", "privileged", "disabled", "title", "role_changed_at"}
ASSIGNMENT_KEYS = {"id", "user_id", "person_name", "role", "organisation"}
# Everything of SODERAS that must never show up for a caller who only reaches NORRBY.
CANARIES = ["SODERAS", "Söderås", "Kanarie", "canary", "kanarie@soderas.se", "SOD-BOLAG"]


def orgnr(serial):
    """A valid organisationsnummer (third digit 2, Luhn check digit) for a serial number."""
    body = "552%06d" % serial
    total = 0
    for i, ch in enumerate(body):
        v = int(ch) * (2 if i % 2 == 0 else 1)
        total += v - 9 if v > 9 else v
    return "%s-%s%d" % (body[:6], body[6:], (10 - total % 10) % 10)


_serial = [100]


def next_orgnr():
    _serial[0] += 1
    return orgnr(_serial[0])


# ---- the shared server and its tokens ----

_state = {}


def srv():
    if "srv" not in _state:
        s = Server()
        _state["srv"] = s
        s.start()
    return _state["srv"]


def token(org, role):
    """An API token for role in org (cached); made with the command line, as integrations do."""
    key = (org, role)
    if key not in _state:
        r = run_varn("token", "create", "--org", org, "--role", role, db=srv().db)
        eq(r.returncode, 0, "varn token create %s %s (%s)" % (org, role, r.stderr))
        _state[key] = r.stdout.strip()
    return _state[key]


def admin():
    return token("ITC", "administrator")


def call(method, path, body=None, tok=None, raw=False):
    """(status, headers, parsed JSON or None) as the holder of tok (default: ITC's admin)."""
    headers = {"Authorization": "Bearer " + (tok or admin())}
    st, h, b = srv().request(method, path, body, headers)
    if raw:
        return st, h, b
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
    check(isinstance(p, dict), "problem is not an object: %r" % (p,))
    eq(p.get("code"), code, "problem code (detail %r)" % p.get("detail"))
    eq(p.get("field"), field, "problem field")
    eq(p.get("status"), status, "problem status member")
    check(set(p) <= PROBLEM_KEYS, "unexpected problem members %s" % (set(p) - PROBLEM_KEYS))
    check(isinstance(p.get("detail"), str) and p["detail"], "problem detail")
    return p


def digest():
    """The harness's database digest, except api_token.last_used_at: using a token records
    when (at most once a minute), which is the login's bookkeeping, not a change by the request.
    Everything else, the token rows included, counts."""
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
    """The request is refused as given and the database stays byte for byte the same."""
    before = digest()
    p = problem(call(method, path, body, tok), status, code, field)
    eq(digest(), before, "database digest after the refused %s %s" % (method, path))
    return p


def audit_rows(action=None, object_id=None):
    sql = "SELECT seq, actor, action, object_kind, object_id, organisation_id, before, after " \
          "FROM audit_log WHERE 1=1"
    args = []
    if action:
        sql += " AND action = ?"
        args.append(action)
    if object_id is not None:
        sql += " AND object_id = ?"
        args.append(object_id)
    return sql_rows(srv().db, sql + " ORDER BY seq", args)


def audit_count():
    return sql_rows(srv().db, "SELECT count(*) FROM audit_log")[0][0]


def new_org(code, kind="municipality", parent="ITC", name=None, **extra):
    body = dict(code=code, name=name or "Org %s" % code, kind=kind, parent_code=parent,
                org_number=next_orgnr(), **extra)
    return ok("POST", "/api/v1/organisations", body, status=201)


def new_person(user_id, org, name=None, tok=None, **extra):
    body = dict(user_id=user_id, name=name or "Person %s" % user_id,
                email="%s@example.se" % user_id.replace("@", "."), organisation=org, **extra)
    return ok("POST", "/api/v1/people", body, tok=tok, status=201)


def assign(user_id, role, org, tok=None):
    return ok("POST", "/api/v1/role-assignments",
              {"user_id": user_id, "role": role, "organisation": org}, tok=tok, status=201)


def world():
    """The tree the isolation tests use: ITC above NORRBY (with its company NORRBY-AB) and
    SODERAS (with SOD-BOLAG), people in each, and role assignments in each."""
    if "world" in _state:
        return _state["world"]
    new_org("NORRBY", name="Norrby kommun")
    new_org("NORRBY-AB", kind="company", parent="NORRBY", name="Norrby Energi AB")
    new_org("SODERAS", name="Söderås kommun")
    new_org("SOD-BOLAG", kind="company", parent="SODERAS", name="Kanariebolaget AB")
    new_person("nils", "NORRBY", name="Nils Norrby")
    new_person("nora", "NORRBY-AB", name="Nora Norrby", manager_user_id="nils")
    new_person("itc.ida", "ITC", name="Ida IT-centrum")
    ok("POST", "/api/v1/people", {"user_id": "canary.soderas", "name": "Kanarie Söderås",
                                  "email": "kanarie@soderas.se", "organisation": "SODERAS"},
       status=201)
    new_person("sven", "SOD-BOLAG", name="Kanarie Sven", manager_user_id="canary.soderas")
    w = {
        "nils_ciso": assign("nils", "ciso", "NORRBY")["id"],
        "soderas_ra": assign("canary.soderas", "security_officer", "SODERAS")["id"],
        "itc_ra": assign("itc.ida", "dpo", "ITC")["id"],
    }
    _state["world"] = w
    return w


# ---- roles ----

@test("GET /api/v1/roles lists the twelve roles in order, with Swedish and English names")
def _():
    b = ok("GET", "/api/v1/roles")
    eq([r["id"] for r in b["items"]], ROLES, "role ids")
    eq(b["next_cursor"], None, "next_cursor")
    first = b["items"][0]
    eq(first, {"id": "administrator", "name_sv": "Värnadministratör",
               "name_en": "Värn administrator"}, "first role")
    for r in b["items"]:
        check(r["name_sv"] and r["name_en"], "names of %s" % r["id"])


@test("every role may read /api/v1/roles")
def _():
    for role in ROLES:
        st, _, b = call("GET", "/api/v1/roles", tok=token("ITC", role))
        eq(st, 200, "status for %s" % role)
        eq(len(b["items"]), 12, "roles for %s" % role)


@test("no token is 401 unauthenticated; an unknown token is 401 invalid_token")
def _():
    st, h, b = srv().request("GET", "/api/v1/organisations")
    eq(st, 401, "status without a token")
    eq(json.loads(b)["code"], "unauthenticated", "code")
    problem(call("GET", "/api/v1/organisations", tok="varn_nonsense"), 401, "invalid_token")


# ---- organisations ----

@test("POST an organisation: 201, the object back, code upper-cased, stored and audited")
def _():
    n = audit_count()
    b = ok("POST", "/api/v1/organisations",
           {"code": "ostby", "name": "Östby kommun", "kind": "municipality",
            "parent_code": "itc", "org_number": "212000-2411"}, status=201)
    eq(b, {"code": "OSTBY", "name": "Östby kommun", "kind": "municipality", "parent_code": "ITC",
           "org_number": "212000-2411", "mfa_required": True}, "created object")
    eq(ok("GET", "/api/v1/organisations/OSTBY"), b, "GET by code")
    eq(ok("GET", "/api/v1/organisations/ostby"), b, "GET by the code in lower case")
    rows = sql_rows(srv().db, "SELECT o.code, o.name, o.kind, p.code, o.org_number, "
                    "o.mfa_required FROM organisation o JOIN organisation p ON p.id = o.parent_id "
                    "WHERE o.code = 'OSTBY'")
    eq(rows, [("OSTBY", "Östby kommun", "municipality", "ITC", "212000-2411", 1)], "stored row")
    eq(audit_count(), n + 1, "audit entries added")
    (seq, actor, action, kind, oid, org_id, before, after), = audit_rows("organisation.create",
                                                                         "OSTBY")
    eq((action, kind, oid, before), ("organisation.create", "organisation", "OSTBY", None),
       "audit entry")
    check(re.fullmatch(r"token:\d+", actor), "actor %r" % actor)
    eq(json.loads(after), b, "audit after")
    eq(org_id, sql_rows(srv().db, "SELECT id FROM organisation WHERE code='OSTBY'")[0][0],
       "audit organisation_id")


@test("an organisationsnummer of ten digits is stored with the dash; mfa_required false is kept")
def _():
    digits = next_orgnr().replace("-", "")
    b = ok("POST", "/api/v1/organisations",
           {"code": "DIGITS", "name": "Tio siffror", "kind": "company", "parent_code": "ITC",
            "org_number": digits, "mfa_required": False}, status=201)
    eq(b["org_number"], digits[:6] + "-" + digits[6:], "org_number")
    eq(b["mfa_required"], False, "mfa_required")


@test("Luhn: 212000-2411 is valid, 212000-2412 is not, personnummer 850709-1234 is refused")
def _():
    # 212000-2411 was accepted above (OSTBY); here the other two, and a valid one again.
    for number, words in [("212000-2412", "check digit"), ("850709-1234", "personnummer"),
                          ("8507091234", "personnummer")]:
        p = refused_unchanged("POST", "/api/v1/organisations",
                              {"code": "LUHN", "name": "Luhn", "kind": "company",
                               "parent_code": "ITC", "org_number": number},
                              422, "invalid_org_number", "org_number")
        contains(p["detail"], words, "detail for %s" % number)
    st, _, b = call("PATCH", "/api/v1/organisations/OSTBY", {"org_number": "2120002411"})
    eq((st, b["org_number"]), (200, "212000-2411"), "the same number without the dash")


def org_body(**over):
    b = {"code": "NEWORG", "name": "Ny organisation", "kind": "municipality",
         "parent_code": "ITC", "org_number": next_orgnr()}
    for k, v in over.items():
        if v is KeyError:
            b.pop(k)
        else:
            b[k] = v
    return b


ORG_CREATE_ERRORS = [
    ("a one-letter code", dict(code="A"), 422, "invalid_code", "code"),
    ("a code with Å", dict(code="SÖDERÅS"), 422, "invalid_code", "code"),
    ("a 21-character code", dict(code="A" * 21), 422, "invalid_code", "code"),
    ("a code with a space", dict(code="NEW ORG"), 422, "invalid_code", "code"),
    ("no code", dict(code=KeyError), 422, "missing_field", "code"),
    ("a numeric code", dict(code=5), 422, "wrong_type", "code"),
    ("an empty name", dict(name=""), 422, "empty", "name"),
    ("a blank name", dict(name="   "), 422, "invalid_name", "name"),
    ("a two-line name", dict(name="Ny\norganisation"), 422, "invalid_characters", "name"),
    ("a 201-character name", dict(name="x" * 201), 422, "too_long", "name"),
    ("no name", dict(name=KeyError), 422, "missing_field", "name"),
    ("an unknown kind", dict(kind="kommun"), 422, "invalid_kind", "kind"),
    ("no kind", dict(kind=KeyError), 422, "missing_field", "kind"),
    ("an unknown parent", dict(parent_code="NOPE"), 422, "unknown_organisation", "parent_code"),
    ("a malformed parent code", dict(parent_code="x y"), 422, "unknown_organisation",
     "parent_code"),
    ("a null parent", dict(parent_code=None), 422, "parent_required", "parent_code"),
    ("no parent", dict(parent_code=KeyError), 422, "missing_field", "parent_code"),
    ("a malformed org_number", dict(org_number="12345"), 422, "invalid_org_number", "org_number"),
    ("an org_number with letters", dict(org_number="21200A-2411"), 422, "invalid_org_number",
     "org_number"),
    ("no org_number", dict(org_number=KeyError), 422, "missing_field", "org_number"),
    ("mfa_required as text", dict(mfa_required="ja"), 422, "wrong_type", "mfa_required"),
    ("an unknown field", dict(tenant_id=1), 422, "unknown_field", "tenant_id"),
    ("a duplicate code", dict(code="OSTBY"), 409, "duplicate", "code"),
    ("a duplicate code in lower case", dict(code="itc"), 409, "duplicate", "code"),
    ("a duplicate org_number", dict(org_number="212000-2411"), 409, "duplicate", "org_number"),
    ("ITC's org_number without the dash", dict(org_number="2220000018"), 409, "duplicate",
     "org_number"),
]

for _name, _over, _status, _code, _field in ORG_CREATE_ERRORS:
    def _case(over=_over, status=_status, code=_code, field=_field):
        refused_unchanged("POST", "/api/v1/organisations", org_body(**over), status, code, field)
    suite.add("POST organisation with %s: %d %s, nothing changes" % (_name, _status, _code), _case)


@test("suppliers sit beside the tree: a municipality under a supplier is refused")
def _():
    new_org("LEV-ETT", kind="supplier", name="Leverantören AB")
    refused_unchanged("POST", "/api/v1/organisations", org_body(parent_code="LEV-ETT"),
                      422, "invalid_parent", "parent_code")
    # A supplier may have a supplier parent (a subcontractor), and an external party too.
    new_org("LEV-UNDER", kind="supplier", parent="LEV-ETT")
    new_org("EXT-UNDER", kind="external", parent="LEV-ETT")
    # A municipal organisation cannot become a supplier while municipal ones sit under it...
    new_org("KOMMUNX", name="Kommun X")
    new_org("KOMMUNX-AB", kind="company", parent="KOMMUNX")
    refused_unchanged("PATCH", "/api/v1/organisations/KOMMUNX", {"kind": "supplier"},
                      422, "invalid_parent", "kind")
    # ...nor can a company below a supplier become municipal.
    refused_unchanged("PATCH", "/api/v1/organisations/LEV-UNDER", {"kind": "company"},
                      422, "invalid_parent", "kind")


@test("PATCH an organisation: changed fields, the rest kept, audited with before and after")
def _():
    new_org("PATCHA", name="Före")
    before = ok("GET", "/api/v1/organisations/PATCHA")
    n = audit_count()
    b = ok("PATCH", "/api/v1/organisations/PATCHA", {"name": "Efter", "mfa_required": False})
    eq(b, dict(before, name="Efter", mfa_required=False), "updated object")
    eq(ok("GET", "/api/v1/organisations/PATCHA"), b, "GET after PATCH")
    eq(audit_count(), n + 1, "audit entries added")
    row = audit_rows("organisation.update", "PATCHA")[-1]
    eq((json.loads(row[6]), json.loads(row[7])), (before, b), "audit before and after")
    # Moving it under another organisation, and kind changes, are updates too.
    b = ok("PATCH", "/api/v1/organisations/PATCHA", {"parent_code": "OSTBY", "kind": "company"})
    eq((b["parent_code"], b["kind"]), ("OSTBY", "company"), "moved and changed kind")


@test("PATCH that changes nothing is 200 and writes no audit entry")
def _():
    cur = ok("GET", "/api/v1/organisations/OSTBY")
    before = digest()
    eq(ok("PATCH", "/api/v1/organisations/OSTBY", cur), cur, "the object sent back as read")
    eq(ok("PATCH", "/api/v1/organisations/OSTBY", {}), cur, "an empty PATCH")
    eq(digest(), before, "database digest")


ORG_PATCH_ERRORS = [
    ("another code", "OSTBY", {"code": "OTHER"}, 422, "immutable", "code"),
    ("itself as parent", "OSTBY", {"parent_code": "OSTBY"}, 422, "cycle", "parent_code"),
    ("a child as parent", "ITC", {"parent_code": "OSTBY"}, 422, "cycle", "parent_code"),
    ("a grandchild as parent", "OSTBY", {"parent_code": "PATCHA-CHILD"}, 422, "cycle",
     "parent_code"),
    ("a null parent", "OSTBY", {"parent_code": None}, 422, "parent_required", "parent_code"),
    ("an unknown parent", "OSTBY", {"parent_code": "NOPE"}, 422, "unknown_organisation",
     "parent_code"),
    ("a bad kind", "OSTBY", {"kind": "region"}, 422, "invalid_kind", "kind"),
    ("a bad org_number", "OSTBY", {"org_number": "212000-2412"}, 422, "invalid_org_number",
     "org_number"),
    ("a taken org_number", "OSTBY", {"org_number": "222000-0018"}, 409, "duplicate",
     "org_number"),
    ("a null name", "OSTBY", {"name": None}, 422, "wrong_type", "name"),
]

for _name, _code_, _body, _status, _code, _field in ORG_PATCH_ERRORS:
    def _case(target=_code_, body=_body, status=_status, code=_code, field=_field):
        if "PATCHA-CHILD" in json.dumps(body) and "patcha_child" not in _state:
            new_org("PATCHA-CHILD", kind="company", parent="PATCHA")  # PATCHA is under OSTBY
            _state["patcha_child"] = True
        refused_unchanged("PATCH", "/api/v1/organisations/" + target, body, status, code, field)
    suite.add("PATCH organisation with %s: %d %s, nothing changes" % (_name, _status, _code),
              _case)


@test("PATCH and GET of an organisation that does not exist are 404; DELETE is 405")
def _():
    problem(call("GET", "/api/v1/organisations/NOSUCH"), 404, "not_found")
    problem(call("GET", "/api/v1/organisations/x%20y"), 404, "not_found")
    refused_unchanged("PATCH", "/api/v1/organisations/NOSUCH", {"name": "x"}, 404, "not_found")
    st, h, _ = call("DELETE", "/api/v1/organisations/OSTBY")
    eq(st, 405, "DELETE status")
    contains(h.get("allow", ""), "PATCH", "Allow")


# ---- lists ----

def codes(items):
    return [i["code"] for i in items]


@test("organisation list: objects of the documented shape, ordered by code, filters kind/parent/q")
def _():
    world()
    b = ok("GET", "/api/v1/organisations")
    check(b["items"], "no organisations")
    for item in b["items"]:
        eq(set(item), ORG_KEYS, "keys of %s" % item.get("code"))
    eq(codes(b["items"]), sorted(codes(b["items"])), "ordered by code")
    kinds = {i["kind"] for i in ok("GET", "/api/v1/organisations?kind=company")["items"]}
    eq(kinds, {"company"}, "kinds with kind=company")
    eq(codes(ok("GET", "/api/v1/organisations?parent=NORRBY")["items"]), ["NORRBY-AB"],
       "parent=NORRBY")
    eq(codes(ok("GET", "/api/v1/organisations?parent=norrby")["items"]), ["NORRBY-AB"],
       "parent in lower case")
    eq(ok("GET", "/api/v1/organisations?parent=NOSUCH")["items"], [], "an unknown parent")
    # q: a piece of code or name, any case, with LIKE's wildcards taken literally.
    eq(codes(ok("GET", "/api/v1/organisations?q=ENERGI")["items"]), ["NORRBY-AB"], "q=ENERGI")
    eq(codes(ok("GET", "/api/v1/organisations?q=norrby-a")["items"]), ["NORRBY-AB"], "q on code")
    eq(ok("GET", "/api/v1/organisations?q=%25")["items"], [], "q=% is a literal percent")
    eq(ok("GET", "/api/v1/organisations?q=_")["items"],
       [i for i in b["items"] if "_" in i["code"] or "_" in i["name"]], "q=_ is literal")
    both = ok("GET", "/api/v1/organisations?kind=municipality&parent=ITC&q=kommun")["items"]
    check({"NORRBY", "SODERAS", "OSTBY"} <= set(codes(both)), "combined filters: %s" % codes(both))
    check(all(i["kind"] == "municipality" and i["parent_code"] == "ITC" for i in both),
          "combined filters hold")


def pages(path, limit, key):
    """Walk a list with limit, returning each page's keys; checks that cursors end it."""
    out, cursor, seen = [], None, 0
    while True:
        sep = "&" if "?" in path else "?"
        url = "%s%slimit=%d" % (path, sep, limit) + ("&cursor=" + cursor if cursor else "")
        b = ok("GET", url)
        check(len(b["items"]) <= limit, "page larger than limit")
        out.append([i[key] for i in b["items"]])
        cursor = b["next_cursor"]
        seen += 1
        check(seen < 100, "paging does not end")
        if cursor is None:
            return out
        check(isinstance(cursor, str) and re.fullmatch(r"[A-Za-z0-9_-]+", cursor),
              "cursor %r is not opaque base64url" % cursor)


@test("organisation pages: limit 3 walks every item once, in order, ending with next_cursor null")
def _():
    for i in range(7):
        new_org("PAGE%d" % i, kind="supplier", name="Sidleverantör %d" % i)
    got = pages("/api/v1/organisations?q=sidlev", 3, "code")
    eq([len(p) for p in got], [3, 3, 1], "page sizes")
    eq(sum(got, []), ["PAGE%d" % i for i in range(7)], "all items in order")
    # An exact multiple of the limit: the last full page says there is no more.
    got = pages("/api/v1/organisations?q=sidlev", 7, "code")
    eq([len(p) for p in got], [7], "one full page")
    everything = sum(pages("/api/v1/organisations", 4, "code"), [])
    eq(everything, codes(ok("GET", "/api/v1/organisations?limit=500")["items"]),
       "paging all organisations equals one big page")


LIST_ERRORS = [
    ("/api/v1/organisations?limit=0", "out_of_range", "limit"),
    ("/api/v1/organisations?limit=501", "out_of_range", "limit"),
    ("/api/v1/organisations?limit=ten", "out_of_range", "limit"),
    ("/api/v1/organisations?limit=-1", "out_of_range", "limit"),
    ("/api/v1/organisations?cursor=garbage!", "invalid_cursor", "cursor"),
    ("/api/v1/organisations?cursor=cDphZG1pbg", "invalid_cursor", "cursor"),  # a people cursor
    ("/api/v1/organisations?kind=region", "invalid_kind", "kind"),
    ("/api/v1/organisations?organisation=ITC", "unknown_parameter", "organisation"),
    ("/api/v1/organisations?q=" + "x" * 201, "too_long", "q"),
    ("/api/v1/people?organization=ITC", "unknown_parameter", "organization"),
    ("/api/v1/people?cursor=YTox", "invalid_cursor", "cursor"),  # a role assignment cursor
    ("/api/v1/people?limit=1.5", "out_of_range", "limit"),
    ("/api/v1/role-assignments?role=boss", "unknown_role", "role"),
    ("/api/v1/role-assignments?q=x", "unknown_parameter", "q"),
    ("/api/v1/role-assignments?cursor=YTp4", "invalid_cursor", "cursor"),  # "a:x"
    ("/api/v1/roles?limit=5", "unknown_parameter", "limit"),
]

for _path, _code, _field in LIST_ERRORS:
    def _case(path=_path, code=_code, field=_field):
        problem(call("GET", path), 422, code, field)
    suite.add("GET %s is 422 %s" % (_path[:60], _code), _case)


@test("limit defaults to 50 and may be 500")
def _():
    new_org("BULK", kind="company", name="Massbolaget")
    for i in range(55):
        new_person("bulk%02d" % i, "BULK")
    b = ok("GET", "/api/v1/people?organisation=BULK")
    eq(len(b["items"]), 50, "default page")
    check(b["next_cursor"], "a next cursor after 50 of 55")
    rest = ok("GET", "/api/v1/people?organisation=BULK&cursor=" + b["next_cursor"])
    eq([i["user_id"] for i in b["items"] + rest["items"]], ["bulk%02d" % i for i in range(55)],
       "both pages")
    eq(rest["next_cursor"], None, "no cursor after the last page")
    eq(len(ok("GET", "/api/v1/people?organisation=BULK&limit=500")["items"]), 55, "limit=500")


# ---- people ----

@test("POST a person: 201, the object back, stored, audited; GET returns the same")
def _():
    new_org("FOLK", name="Folkets kommun")
    n = audit_count()
    b = ok("POST", "/api/v1/people",
           {"user_id": "anna.berg@folk.se", "name": "Anna Berg", "email": "anna.berg@folk.se",
            "organisation": "folk", "employment_start": "2020-01-15",
            "employment_end": "2030-12-31", "privileged": True}, status=201)
    eq(b, {"user_id": "anna.berg@folk.se", "name": "Anna Berg", "email": "anna.berg@folk.se",
           "organisation": "FOLK", "manager_user_id": None, "employment_start": "2020-01-15",
           "employment_end": "2030-12-31", "privileged": True, "disabled": False,
           "title": None, "role_changed_at": None}, "object")
    eq(ok("GET", "/api/v1/people/anna.berg@folk.se"), b, "GET by user id")
    eq(audit_count(), n + 1, "audit entries")
    row = audit_rows("person.create", "anna.berg@folk.se")[-1]
    eq((row[6], json.loads(row[7])), (None, b), "audit before and after")
    b2 = new_person("bert", "FOLK", manager_user_id="anna.berg@folk.se")
    eq((b2["manager_user_id"], b2["privileged"], b2["employment_start"]),
       ("anna.berg@folk.se", False, None), "defaults and manager")


def person_body(**over):
    b = {"user_id": "ny.person", "name": "Ny Person", "email": "ny.person@folk.se",
         "organisation": "FOLK"}
    for k, v in over.items():
        if v is KeyError:
            b.pop(k)
        else:
            b[k] = v
    return b


PERSON_CREATE_ERRORS = [
    ("a user id with a space", dict(user_id="ny person"), 422, "invalid_user_id", "user_id"),
    ("a user id with å", dict(user_id="åsa"), 422, "invalid_user_id", "user_id"),
    ("a 65-character user id", dict(user_id="u" * 65), 422, "too_long", "user_id"),
    ("an empty user id", dict(user_id=""), 422, "empty", "user_id"),
    ("no user id", dict(user_id=KeyError), 422, "missing_field", "user_id"),
    ("a duplicate user id", dict(user_id="bert"), 409, "duplicate", "user_id"),
    ("the administrator's user id", dict(user_id="admin"), 409, "duplicate", "user_id"),
    ("a blank name", dict(name=" "), 422, "invalid_name", "name"),
    ("no name", dict(name=KeyError), 422, "missing_field", "name"),
    ("an e-mail without @", dict(email="ny.folk.se"), 422, "invalid_email", "email"),
    ("an e-mail with two @", dict(email="ny@p@folk.se"), 422, "invalid_email", "email"),
    ("an e-mail without a dot in the domain", dict(email="ny@folk"), 422, "invalid_email",
     "email"),
    ("an e-mail with a space", dict(email="ny person@folk.se"), 422, "invalid_email", "email"),
    ("an e-mail with nothing before @", dict(email="@folk.se"), 422, "invalid_email", "email"),
    ("no e-mail", dict(email=KeyError), 422, "missing_field", "email"),
    ("an unknown organisation", dict(organisation="NOPE"), 422, "unknown_organisation",
     "organisation"),
    ("no organisation", dict(organisation=KeyError), 422, "missing_field", "organisation"),
    ("an unknown manager", dict(manager_user_id="nobody"), 422, "unknown_person",
     "manager_user_id"),
    ("themself as manager", dict(manager_user_id="ny.person"), 422, "cycle", "manager_user_id"),
    ("an impossible date", dict(employment_start="2026-02-30"), 422, "invalid_date",
     "employment_start"),
    ("a date in another form", dict(employment_end="31/12/2030"), 422, "invalid_date",
     "employment_end"),
    ("an end before the start", dict(employment_start="2026-05-01", employment_end="2026-04-30"),
     422, "end_before_start", "employment_end"),
    ("privileged as ja", dict(privileged="ja"), 422, "wrong_type", "privileged"),
    ("disabled (not settable at creation)", dict(disabled=True), 422, "unknown_field",
     "disabled"),
    ("an unknown field", dict(personnummer="850709-1234"), 422, "unknown_field", "personnummer"),
]

for _name, _over, _status, _code, _field in PERSON_CREATE_ERRORS:
    def _case(over=_over, status=_status, code=_code, field=_field):
        if "person_ready" not in _state:  # FOLK and bert come from the POST test above
            ok("GET", "/api/v1/people/bert")
            _state["person_ready"] = True
        refused_unchanged("POST", "/api/v1/people", person_body(**over), status, code, field)
    suite.add("POST person with %s: %d %s, nothing changes" % (_name, _status, _code), _case)


@test("an end on the start day is accepted")
def _():
    b = new_person("one.day", "FOLK", employment_start="2026-03-01", employment_end="2026-03-01")
    eq(b["employment_end"], "2026-03-01", "employment_end")


@test("PATCH a person: fields change, the rest stay, null clears, audited before and after")
def _():
    new_person("patch.me", "FOLK", manager_user_id="bert", employment_start="2021-01-01")
    before = ok("GET", "/api/v1/people/patch.me")
    b = ok("PATCH", "/api/v1/people/patch.me",
           {"name": "Nytt Namn", "email": "nytt@folk.se", "manager_user_id": None,
            "privileged": True})
    check(b["role_changed_at"] is not None, "a manager removed is a change of role")
    eq(b, dict(before, name="Nytt Namn", email="nytt@folk.se", manager_user_id=None,
               privileged=True, role_changed_at=b["role_changed_at"]), "object after")
    row = audit_rows("person.update", "patch.me")[-1]
    eq((json.loads(row[6]), json.loads(row[7])), (before, b), "audit before and after")
    b = ok("PATCH", "/api/v1/people/patch.me", {"disabled": True, "organisation": "OSTBY",
                                                "employment_end": "2026-06-30"})
    eq((b["disabled"], b["organisation"], b["employment_end"]), (True, "OSTBY", "2026-06-30"),
       "disabled, moved, end set")
    eq(ok("PATCH", "/api/v1/people/patch.me", {"disabled": False})["disabled"], False, "enabled")
    cur = ok("GET", "/api/v1/people/patch.me")
    before_digest = digest()
    eq(ok("PATCH", "/api/v1/people/patch.me", cur), cur, "the object sent back as read")
    eq(digest(), before_digest, "an unchanged PATCH writes nothing")


@test("a manager chain cannot become a cycle")
def _():
    new_person("chef.a", "FOLK")
    new_person("chef.b", "FOLK", manager_user_id="chef.a")
    new_person("chef.c", "FOLK", manager_user_id="chef.b")
    p = refused_unchanged("PATCH", "/api/v1/people/chef.a", {"manager_user_id": "chef.c"},
                          422, "cycle", "manager_user_id")
    contains(p["detail"], "chef.c", "detail")
    refused_unchanged("PATCH", "/api/v1/people/chef.a", {"manager_user_id": "chef.a"},
                      422, "cycle", "manager_user_id")
    # Re-pointing the chain so that it no longer loops is fine.
    ok("PATCH", "/api/v1/people/chef.c", {"manager_user_id": "chef.a"})


PERSON_PATCH_ERRORS = [
    ("another user id", {"user_id": "someone.else"}, 422, "immutable", "user_id"),
    ("an end before the stored start", {"employment_end": "2020-12-31"}, 422, "end_before_start",
     "employment_end"),
    ("a start after the stored end", {"employment_start": "2031-01-01",
                                      "employment_end": "2030-01-01"}, 422, "end_before_start",
     "employment_end"),
    ("a bad e-mail", {"email": "nope"}, 422, "invalid_email", "email"),
    ("an unknown organisation", {"organisation": "NOPE"}, 422, "unknown_organisation",
     "organisation"),
    ("a null organisation", {"organisation": None}, 422, "wrong_type", "organisation"),
    ("an unknown manager", {"manager_user_id": "nobody"}, 422, "unknown_person",
     "manager_user_id"),
    ("disabled as text", {"disabled": "true"}, 422, "wrong_type", "disabled"),
]

for _name, _body, _status, _code, _field in PERSON_PATCH_ERRORS:
    def _case(body=_body, status=_status, code=_code, field=_field):
        if "patch_target" not in _state:
            new_person("patch.target", "FOLK", employment_start="2021-01-01")
            _state["patch_target"] = True
        refused_unchanged("PATCH", "/api/v1/people/patch.target", body, status, code, field)
    suite.add("PATCH person with %s: %d %s, nothing changes" % (_name, _status, _code), _case)


@test("GET and PATCH of a person that does not exist are 404")
def _():
    problem(call("GET", "/api/v1/people/nobody.here"), 404, "not_found")
    problem(call("GET", "/api/v1/people/not%20valid"), 404, "not_found")
    refused_unchanged("PATCH", "/api/v1/people/nobody.here", {"name": "x"}, 404, "not_found")


@test("people list: documented shape, ordered by user id, filters organisation and q, pages")
def _():
    b = ok("GET", "/api/v1/people?organisation=FOLK")
    for item in b["items"]:
        eq(set(item), PERSON_KEYS, "keys of %s" % item.get("user_id"))
        eq(item["organisation"], "FOLK", "organisation filter")
    ids = [i["user_id"] for i in b["items"]]
    eq(ids, sorted(ids), "ordered by user id")
    check({"anna.berg@folk.se", "bert", "chef.a"} <= set(ids), "people of FOLK: %s" % ids)
    eq([i["user_id"] for i in ok("GET", "/api/v1/people?q=ANNA%20BERG")["items"]],
       ["anna.berg@folk.se"], "q on the name, any case")
    eq([i["user_id"] for i in ok("GET", "/api/v1/people?q=nytt@folk")["items"]], ["patch.me"],
       "q on the e-mail")
    eq([i["user_id"] for i in ok("GET", "/api/v1/people?q=chef.&organisation=folk")["items"]],
       ["chef.a", "chef.b", "chef.c"], "q on the user id with organisation")
    eq(ok("GET", "/api/v1/people?organisation=NOPE")["items"], [], "an unknown organisation")
    got = pages("/api/v1/people?organisation=FOLK", 2, "user_id")
    eq(sum(got, []), ids, "pages of 2 give the same people in the same order")


# ---- role assignments ----

@test("POST a role assignment: 201 with id, user_id, person_name, role, organisation; audited")
def _():
    n = audit_count()
    b = assign("bert", "information_owner", "FOLK")
    eq(set(b), ASSIGNMENT_KEYS, "keys")
    check(isinstance(b["id"], int) and b["id"] > 0, "id %r" % b["id"])
    eq({k: b[k] for k in ("user_id", "person_name", "role", "organisation")},
       {"user_id": "bert", "person_name": "Person bert", "role": "information_owner",
        "organisation": "FOLK"}, "object")
    eq(audit_count(), n + 1, "audit entries")
    row = audit_rows("role_assignment.create", str(b["id"]))[-1]
    eq((row[3], row[6], json.loads(row[7])), ("role_assignment", None, b), "audit entry")
    listed = ok("GET", "/api/v1/role-assignments?person=bert")["items"]
    eq(listed, [b], "listed by person")


def assignment_body(**over):
    b = {"user_id": "bert", "role": "manager", "organisation": "FOLK"}
    b.update(over)
    return b


ASSIGNMENT_ERRORS = [
    ("an unknown role", dict(role="boss"), 422, "unknown_role", "role"),
    ("a role in capitals", dict(role="CISO"), 422, "unknown_role", "role"),
    ("an unknown person", dict(user_id="nobody"), 422, "unknown_person", "user_id"),
    ("an unknown organisation", dict(organisation="NOPE"), 422, "unknown_organisation",
     "organisation"),
    ("a duplicate", dict(role="information_owner"), 409, "duplicate", "role"),
    ("a missing role", dict(role=None), 422, "wrong_type", "role"),
    ("an extra field", dict(until="2027-01-01"), 422, "unknown_field", "until"),
]

for _name, _over, _status, _code, _field in ASSIGNMENT_ERRORS:
    def _case(over=_over, status=_status, code=_code, field=_field):
        refused_unchanged("POST", "/api/v1/role-assignments", assignment_body(**over), status,
                          code, field)
    suite.add("POST role assignment with %s: %d %s, nothing changes" % (_name, _status, _code),
              _case)


@test("role assignment list: filters person, organisation, role; pages by id")
def _():
    assign("bert", "manager", "FOLK")
    assign("bert", "manager", "OSTBY")
    assign("chef.a", "manager", "FOLK")
    items = ok("GET", "/api/v1/role-assignments?role=manager&organisation=folk")["items"]
    eq(sorted(i["user_id"] for i in items), ["bert", "chef.a"], "manager in FOLK")
    items = ok("GET", "/api/v1/role-assignments?person=bert&role=manager")["items"]
    eq(sorted(i["organisation"] for i in items), ["FOLK", "OSTBY"], "bert as manager")
    all_ids = [i["id"] for i in ok("GET", "/api/v1/role-assignments?limit=500")["items"]]
    eq(all_ids, sorted(all_ids), "ordered by id")
    eq(sum(pages("/api/v1/role-assignments", 2, "id"), []), all_ids, "pages of 2")


@test("DELETE a role assignment: 204, gone, audited with before; again 404")
def _():
    b = assign("chef.b", "dpo", "FOLK")
    n = audit_count()
    st, h, body = call("DELETE", "/api/v1/role-assignments/%d" % b["id"], raw=True)
    eq((st, body), (204, b""), "status and empty body")
    eq(ok("GET", "/api/v1/role-assignments?person=chef.b&role=dpo")["items"], [], "listed after")
    eq(audit_count(), n + 1, "audit entries")
    row = audit_rows("role_assignment.delete", str(b["id"]))[-1]
    eq((json.loads(row[6]), row[7]), (b, None), "audit before and after")
    refused_unchanged("DELETE", "/api/v1/role-assignments/%d" % b["id"], None, 404, "not_found")
    refused_unchanged("DELETE", "/api/v1/role-assignments/abc", None, 404, "not_found")
    refused_unchanged("DELETE", "/api/v1/role-assignments/0", None, 404, "not_found")


@test("only an administrator gives or takes the administrator role (403 forbidden_role)")
def _():
    world()
    ciso = token("ITC", "ciso")
    p = refused_unchanged("POST", "/api/v1/role-assignments",
                          {"user_id": "itc.ida", "role": "administrator", "organisation": "ITC"},
                          403, "forbidden_role", "role", tok=ciso)
    contains(p["detail"], "administrator", "detail")
    # The CISO may give other roles, there and below.
    assign("itc.ida", "security_officer", "NORRBY", tok=ciso)
    given = assign("itc.ida", "administrator", "ITC")  # by the administrator: fine
    refused_unchanged("DELETE", "/api/v1/role-assignments/%d" % given["id"], None,
                      403, "forbidden_role", "role", tok=ciso)
    # Nor may a CISO change a person who holds the administrator role.
    refused_unchanged("PATCH", "/api/v1/people/itc.ida", {"email": "ida@evil.example"},
                      403, "forbidden_role", None, tok=ciso)
    refused_unchanged("PATCH", "/api/v1/people/admin", {"disabled": True},
                      403, "forbidden_role", None, tok=ciso)
    st, _, _ = call("DELETE", "/api/v1/role-assignments/%d" % given["id"])
    eq(st, 204, "the administrator takes it away")
    eq(ok("PATCH", "/api/v1/people/itc.ida", {"name": "Ida Ny"}, tok=ciso)["name"], "Ida Ny",
       "once not an administrator, the CISO may change her")


@test("the last active administrator can be neither removed nor disabled (409)")
def _():
    s = Server().start()
    try:
        r = run_varn("token", "create", "--org", "ITC", "--role", "administrator", db=s.db)
        tok = {"Authorization": "Bearer " + r.stdout.strip()}
        ra = json.loads(s.request("GET", "/api/v1/role-assignments", headers=tok)[2])["items"]
        eq([(i["user_id"], i["role"]) for i in ra], [("admin", "administrator")], "assignments")
        before = s.db_digest()
        st, _, b = s.request("DELETE", "/api/v1/role-assignments/%d" % ra[0]["id"], headers=tok)
        eq((st, json.loads(b)["code"]), (409, "last_administrator"), "delete the last one")
        st, _, b = s.request("PATCH", "/api/v1/people/admin", {"disabled": True}, headers=tok)
        eq((st, json.loads(b)["code"]), (409, "last_administrator"), "disable the last one")
        eq(s.db_digest(), before, "database digest")
        # With a second administrator, the first may go.
        second = {"user_id": "admin2", "name": "Två", "email": "two@itc.se", "organisation": "ITC"}
        eq(s.request("POST", "/api/v1/people", second, headers=tok)[0], 201, "second person")
        eq(s.request("POST", "/api/v1/role-assignments", {"user_id": "admin2",
                     "role": "administrator", "organisation": "ITC"}, headers=tok)[0], 201,
           "second administrator")
        eq(s.request("PATCH", "/api/v1/people/admin", {"disabled": True}, headers=tok)[0], 200,
           "the first disabled")
    finally:
        s.stop()


# ---- the permission matrix ----

# Which roles each route admits (the design in docs/api.md); anything else is 403.
READ_ORGS = set(ROLES) - {"supplier_contact", "external_party"}
READ_PEOPLE = {"administrator", "ciso", "security_officer", "system_owner", "information_owner",
               "manager", "head_of_administration", "dpo"}
WRITE_PEOPLE = {"administrator", "ciso", "head_of_administration"}
READ_ASSIGNMENTS = {"administrator", "ciso", "security_officer", "head_of_administration", "dpo"}
MATRIX = [
    ("GET", "/api/v1/roles", None, set(ROLES)),
    ("GET", "/api/v1/organisations", None, READ_ORGS),
    ("GET", "/api/v1/organisations/ITC", None, READ_ORGS),
    ("POST", "/api/v1/organisations", {}, {"administrator"}),
    ("PATCH", "/api/v1/organisations/ITC", {"kind": "x"}, {"administrator"}),
    ("GET", "/api/v1/people", None, READ_PEOPLE),
    ("GET", "/api/v1/people/admin", None, READ_PEOPLE),
    ("POST", "/api/v1/people", {}, WRITE_PEOPLE),
    ("PATCH", "/api/v1/people/nobody.at.all", {}, WRITE_PEOPLE),
    ("GET", "/api/v1/role-assignments", None, READ_ASSIGNMENTS),
    ("POST", "/api/v1/role-assignments", {}, {"administrator", "ciso"}),
    ("DELETE", "/api/v1/role-assignments/999999", None, {"administrator", "ciso"}),
]

for _method, _path, _body, _allowed in MATRIX:
    def _case(method=_method, path=_path, body=_body, allowed=_allowed):
        people_before = sql_rows(srv().db, "SELECT count(*) FROM person")
        for role in ROLES:
            st, _, b = call(method, path, body, tok=token("ITC", role))
            if role in allowed:
                check(st != 403 and st < 500, "%s: %s %s -> %d %r" % (role, method, path, st, b))
            else:
                eq((st, b.get("code")), (403, "forbidden"), "%s: %s %s" % (role, method, path))
        eq(sql_rows(srv().db, "SELECT count(*) FROM person"), people_before, "people")
    suite.add("matrix: %s %s admits only %s" % (_method, _path, ", ".join(
        r for r in ROLES if r in _allowed) if len(_allowed) < 12 else "every role"), _case)


@test("a user token gets 403 on every write, recorded as access.refused in the audit log")
def _():
    world()
    tok = token("NORRBY", "user")
    writes = [("POST", "/api/v1/organisations", org_body()),
              ("PATCH", "/api/v1/organisations/NORRBY", {"name": "x"}),
              ("POST", "/api/v1/people", person_body(organisation="NORRBY")),
              ("PATCH", "/api/v1/people/nils", {"name": "x"}),
              ("POST", "/api/v1/role-assignments", assignment_body(organisation="NORRBY")),
              ("DELETE", "/api/v1/role-assignments/%d" % world()["nils_ciso"], None)]
    tables = "SELECT (SELECT count(*) FROM organisation), (SELECT count(*) FROM person)," \
             " (SELECT count(*) FROM role_assignment), (SELECT group_concat(name) FROM person)"
    before = sql_rows(srv().db, tables)
    for method, path, body in writes:
        seq = sql_rows(srv().db, "SELECT max(seq) FROM audit_log")[0][0]
        problem(call(method, path, body, tok=tok), 403, "forbidden")
        rows = sql_rows(srv().db, "SELECT actor, action, object_kind, object_id FROM audit_log "
                        "WHERE seq > ?", (seq,))
        eq(len(rows), 1, "audit entries for %s %s" % (method, path))
        actor, action, kind, oid = rows[0]
        eq((action, kind), ("access.refused", "route"), "audit entry")
        check(actor.startswith("token:"), "actor %r" % actor)
        contains(oid, method + " /api/v1/", "refused route")
    eq(sql_rows(srv().db, tables), before, "organisations, people and assignments")


# ---- tenant isolation ----

def norrby_ciso():
    world()
    return token("NORRBY", "ciso")


def same_shape(a, b, what):
    """Two 404 problems that must not be told apart: same members, status, code, detail."""
    eq(a[0], 404, "%s status" % what)
    eq(b[0], 404, "missing object status")
    pa, pb = a[2], b[2]
    eq(set(pa), set(pb), "%s problem members" % what)
    for k in ("type", "title", "status", "code", "detail"):
        eq(pa[k], pb[k], "%s problem %s" % (what, k))


def no_canaries(raw, what):
    text = raw.decode("utf-8")
    for c in CANARIES:
        check(c not in text, "%s shows %r: %s" % (what, c, text[:400]))


@test("isolation: a CISO at NORRBY lists NORRBY and below, never SODERAS or ITC")
def _():
    tok = norrby_ciso()
    b = ok("GET", "/api/v1/organisations?limit=500", tok=tok)
    eq(codes(b["items"]), ["NORRBY", "NORRBY-AB"], "organisations")
    for path in ["/api/v1/organisations?limit=500", "/api/v1/organisations?kind=municipality",
                 "/api/v1/organisations?parent=SODERAS", "/api/v1/organisations?q=kanarie",
                 "/api/v1/people?limit=500", "/api/v1/people?organisation=SODERAS",
                 "/api/v1/people?q=kanarie", "/api/v1/role-assignments?limit=500",
                 "/api/v1/role-assignments?organisation=SODERAS",
                 "/api/v1/role-assignments?person=canary.soderas"]:
        st, _, raw = call("GET", path, tok=tok, raw=True)
        eq(st, 200, "status of %s" % path)
        no_canaries(raw, path)
    people = ok("GET", "/api/v1/people?limit=500", tok=tok)["items"]
    eq(sorted(p["user_id"] for p in people), ["nils", "nora"], "people")
    ra = ok("GET", "/api/v1/role-assignments?limit=500", tok=tok)["items"]
    check(ra and all(i["organisation"] in ("NORRBY", "NORRBY-AB") for i in ra),
          "assignments: %s" % ra)


@test("isolation: GET of SODERAS's and ITC's objects is 404, just like a missing one")
def _():
    tok = norrby_ciso()
    for obj, missing in [("/api/v1/organisations/SODERAS", "/api/v1/organisations/NOSUCH"),
                         ("/api/v1/organisations/SOD-BOLAG", "/api/v1/organisations/NOSUCH"),
                         ("/api/v1/organisations/ITC", "/api/v1/organisations/NOSUCH"),
                         ("/api/v1/people/canary.soderas", "/api/v1/people/no.such.person"),
                         ("/api/v1/people/itc.ida", "/api/v1/people/no.such.person")]:
        a = call("GET", obj, tok=tok)
        same_shape(a, call("GET", missing, tok=tok), obj)
        no_canaries(json.dumps(a[2], ensure_ascii=False).replace(obj, "").encode(), obj)


@test("isolation: PATCH and DELETE of SODERAS's objects are 404 like missing ones, nothing changes")
def _():
    w = world()
    ciso = norrby_ciso()
    admin_norrby = token("NORRBY", "administrator")
    cases = [
        (ciso, "PATCH", "/api/v1/people/canary.soderas", "/api/v1/people/no.such.person",
         {"name": "Hacked"}),
        (ciso, "DELETE", "/api/v1/role-assignments/%d" % w["soderas_ra"],
         "/api/v1/role-assignments/999999", None),
        (ciso, "DELETE", "/api/v1/role-assignments/%d" % w["itc_ra"],
         "/api/v1/role-assignments/999998", None),
        (admin_norrby, "PATCH", "/api/v1/organisations/SODERAS", "/api/v1/organisations/NOSUCH",
         {"name": "Hacked"}),
        (admin_norrby, "PATCH", "/api/v1/organisations/ITC", "/api/v1/organisations/NOSUCH",
         {"mfa_required": False}),
    ]
    for tok, method, obj, missing, body in cases:
        before = digest()
        a = call(method, obj, body, tok=tok)
        eq(digest(), before, "database after %s %s" % (method, obj))
        same_shape(a, call(method, missing, body, tok=tok), "%s %s" % (method, obj))


@test("isolation: writes naming SODERAS or its people are 422 exactly like unknown ones")
def _():
    ciso = norrby_ciso()
    admin_norrby = token("NORRBY", "administrator")
    cases = [
        (ciso, "POST", "/api/v1/people", person_body(user_id="x1", organisation="{}"),
         "organisation", "SODERAS"),
        (ciso, "POST", "/api/v1/people", person_body(user_id="x2", organisation="{}"),
         "organisation", "ITC"),
        (ciso, "POST", "/api/v1/people",
         person_body(user_id="x3", organisation="NORRBY", manager_user_id="{}"),
         "manager_user_id", "canary.soderas"),
        (ciso, "PATCH", "/api/v1/people/nils", {"organisation": "{}"}, "organisation", "SODERAS"),
        (ciso, "PATCH", "/api/v1/people/nils", {"manager_user_id": "{}"}, "manager_user_id",
         "sven"),
        (ciso, "POST", "/api/v1/role-assignments",
         {"user_id": "{}", "role": "manager", "organisation": "NORRBY"}, "user_id",
         "canary.soderas"),
        (ciso, "POST", "/api/v1/role-assignments",
         {"user_id": "nils", "role": "manager", "organisation": "{}"}, "organisation",
         "SODERAS"),
        (admin_norrby, "POST", "/api/v1/organisations",
         org_body(code="NYTT", parent_code="{}"), "parent_code", "SODERAS"),
        (admin_norrby, "PATCH", "/api/v1/organisations/NORRBY-AB", {"parent_code": "{}"},
         "parent_code", "SOD-BOLAG"),
    ]
    unknown = {"organisation": "NOWHERE", "parent_code": "NOWHERE",
               "manager_user_id": "no.one", "user_id": "no.one"}
    for tok, method, path, body, field, foreign in cases:
        def fill(value, body=body):
            return json.loads(json.dumps(body).replace('"{}"', json.dumps(value)))
        code = "unknown_person" if field in ("user_id", "manager_user_id") \
            else "unknown_organisation"
        p_foreign = refused_unchanged(method, path, fill(foreign), 422, code, field, tok=tok)
        p_unknown = refused_unchanged(method, path, fill(unknown[field]), 422, code, field,
                                      tok=tok)
        eq(p_foreign["detail"].replace(foreign, "X"),
           p_unknown["detail"].replace(unknown[field], "X"),
           "detail for %s %s naming %s" % (method, path, foreign))


@test("isolation: a CISO at ITC reaches the whole tree below it")
def _():
    tok = token("ITC", "ciso")
    world()
    orgs = set(codes(ok("GET", "/api/v1/organisations?limit=500", tok=tok)["items"]))
    check({"ITC", "NORRBY", "NORRBY-AB", "SODERAS", "SOD-BOLAG"} <= orgs, "organisations")
    people = {p["user_id"] for p in ok("GET", "/api/v1/people?limit=500", tok=tok)["items"]}
    check({"nils", "nora", "canary.soderas", "sven", "itc.ida"} <= people, "people")
    eq(ok("GET", "/api/v1/people/canary.soderas", tok=tok)["name"], "Kanarie Söderås", "GET")
    b = ok("PATCH", "/api/v1/people/sven", {"manager_user_id": "nils"}, tok=tok)
    eq(b["manager_user_id"], "nils", "a manager in another municipality, both in reach")


@test("isolation: head of administration at NORRBY writes people there, nowhere else")
def _():
    world()
    tok = token("NORRBY", "head_of_administration")
    b = new_person("hoa.made", "NORRBY-AB", tok=tok)
    eq(b["organisation"], "NORRBY-AB", "created below NORRBY")
    refused_unchanged("POST", "/api/v1/people", person_body(user_id="hoa.x", organisation="SODERAS"),
                      422, "unknown_organisation", "organisation", tok=tok)
    refused_unchanged("PATCH", "/api/v1/people/canary.soderas", {"name": "x"}, 404, "not_found",
                      tok=tok)
    problem(call("POST", "/api/v1/role-assignments", assignment_body(user_id="hoa.made",
                                                                      organisation="NORRBY"),
                 tok=tok), 403, "forbidden")


# ---- the audit trail ----

@test("audit: one entry per change with before/after, none for refusals or no-ops; chain intact")
def _():
    world()
    start = sql_rows(srv().db, "SELECT max(seq) FROM audit_log")[0][0]
    new_org("AUDITAB", kind="company", parent="NORRBY")                       # 1
    ok("PATCH", "/api/v1/organisations/AUDITAB", {"name": "Revisionsbolaget"})  # 2
    ok("PATCH", "/api/v1/organisations/AUDITAB", {"name": "Revisionsbolaget"})  # no-op
    call("POST", "/api/v1/organisations", org_body(code="AUDITAB"))            # refused 409
    new_person("audit.p", "AUDITAB")                                          # 3
    ok("PATCH", "/api/v1/people/audit.p", {"privileged": True})               # 4
    ra = assign("audit.p", "system_owner", "AUDITAB")                         # 5
    call("DELETE", "/api/v1/role-assignments/%d" % ra["id"])                  # 6
    rows = sql_rows(srv().db, "SELECT action, object_id, before IS NOT NULL, after IS NOT NULL"
                    " FROM audit_log WHERE seq > ? ORDER BY seq", (start,))
    eq(rows, [("organisation.create", "AUDITAB", 0, 1), ("organisation.update", "AUDITAB", 1, 1),
              ("person.create", "audit.p", 0, 1), ("person.update", "audit.p", 1, 1),
              ("role_assignment.create", str(ra["id"]), 0, 1),
              ("role_assignment.delete", str(ra["id"]), 1, 0)], "audit entries")
    upd = sql_rows(srv().db, "SELECT before, after FROM audit_log WHERE action = "
                   "'person.update' AND object_id = 'audit.p'")[0]
    before, after = json.loads(upd[0]), json.loads(upd[1])
    eq({k for k in before if before[k] != after[k]}, {"privileged"}, "what changed")
    chain = sql_rows(srv().db, "SELECT seq, prev_hash, hash FROM audit_log ORDER BY seq")
    for (s1, _, h1), (s2, p2, _) in zip(chain, chain[1:]):
        eq((s2, p2), (s1 + 1, h1), "chain link at seq %d" % s2)
    org_ids = sql_rows(srv().db, "SELECT DISTINCT a.organisation_id, o.code FROM audit_log a "
                       "JOIN organisation o ON o.id = a.organisation_id WHERE a.seq > ?", (start,))
    eq(org_ids, [(org_ids[0][0], "AUDITAB")], "every entry names the organisation concerned")


if __name__ == "__main__":
    main(suite)
