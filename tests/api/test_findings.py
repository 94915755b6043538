#!/usr/bin/env python3
"""Where findings show: GET /findings (default order, every filter, keyset pages, unknown and
bad parameters, CSV and XLSX read back), /findings/summary and /findings/trend against the
stored rows, /policies and /policies/{code}, and attestations (success with evidence and its
download and audit entry, 403 not_responsible, 422 naming the field, nothing written on a
refusal), all limited to the caller's organisations.

Expectations are computed from the database itself, so the suite holds for the engine's own
findings; when the engine has not stored any (a build without its evaluator), it stores a spread
of findings itself."""
import base64
import csv
import io
import json
import os
import sqlite3
import sys
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from varn_harness import SOURCE_ROOT, Suite, check, eq, main, sql_rows  # noqa: E402
from catalog_helpers import admin, audit_rows, call, ok, problem, srv, token, world  # noqa: E402

suite = Suite()
test = suite.test

STATUSES = ["overdue", "missing", "due_soon", "not_tracked", "excepted", "ok"]
ITEM_KEYS = {"id", "obligation", "cite", "section", "organisation", "subject", "status", "due",
             "responsible", "profile", "profile_version", "rule"}
_state = {}


def sql(query, args=()):
    con = sqlite3.connect(srv().db, timeout=30)
    try:
        with con:
            return con.execute(query, args).fetchall()
    finally:
        con.close()


DERIVED = ("finding", "finding_snapshot", "engine_state")


def digest():
    """Every table but the engine's stored findings, which the server's background refresher
    rewrites whenever the audit log moved (at a time of its own), and api_token.last_used_at."""
    con = sqlite3.connect(srv().db, timeout=30)
    try:
        parts = []
        for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'"
                                   " ORDER BY name"):
            if name in DERIVED:
                continue
            cols = [r[1] for r in con.execute('PRAGMA table_info("%s")' % name)]
            if name == "api_token":
                cols.remove("last_used_at")
            select = ", ".join('"%s"' % c for c in cols)
            parts.append((name, con.execute('SELECT %s FROM "%s" ORDER BY %s'
                                            % (select, name, select)).fetchall()))
        return repr(parts)
    finally:
        con.close()


def refused_unchanged(method, path, body, status, code, field=None, tok=None):
    before = digest()
    p = problem(call(method, path, body, tok), status, code, field)
    check(digest() == before, "nothing written by the refused %s %s" % (method, path))
    return p


def profile_body(code):
    with open(os.path.join(SOURCE_ROOT, "policies", code + ".json"), encoding="utf-8") as f:
        return json.load(f)


def scene():
    """NORRBY and OSTBY (catalog_helpers.world) under the itcentrum profile; cissi is NORRBY's
    CISO; findings stored (by the engine, or here when it stored none)."""
    if "scene" in _state:
        return
    world()
    ok("POST", "/api/v1/people", {"user_id": "cissi", "name": "Cissi Ciso",
                                  "email": "cissi@example.se", "organisation": "NORRBY"},
       status=201)
    ok("POST", "/api/v1/role-assignments", {"user_id": "cissi", "role": "ciso",
                                            "organisation": "NORRBY"}, status=201)
    body = profile_body("itcentrum")
    if not sql("SELECT 1 FROM policy_profile WHERE code = 'itcentrum'"):
        sql("INSERT INTO policy_profile (code, version, title, body, builtin, created_at,"
            " updated_at) VALUES (?, ?, ?, ?, 1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
            ("itcentrum", body["version"], body["title"], json.dumps(body, ensure_ascii=False)))
    for org in ("NORRBY", "OSTBY"):
        sql("INSERT OR IGNORE INTO organisation_profile (organisation_id, profile_id, assigned_at)"
            " SELECT o.id, p.id, '2026-01-01T00:00:00Z' FROM organisation o, policy_profile p"
            " WHERE o.code = ? AND p.code = 'itcentrum'", (org,))
    # Assigning by SQL wrote no audit entry: a change through the API makes the findings stale.
    ok("POST", "/api/v1/role-assignments", {"user_id": "olle", "role": "user",
                                            "organisation": "NORRBY"}, status=201)
    ok("GET", "/api/v1/findings?limit=1")
    _state["engine"] = bool(sql("SELECT count(*) FROM engine_state")[0][0])
    if not sql("SELECT count(*) FROM finding")[0][0]:
        seed(body)
    _state["scene"] = True


def seed(body):
    """A spread of findings over both organisations: every status, dues and none."""
    orgs = dict(sql("SELECT code, id FROM organisation"))
    cissi = sql("SELECT id FROM person WHERE user_id = 'cissi'")[0][0]
    sara = sql("SELECT id FROM person WHERE user_id = 'sara'")[0][0]
    n = 0
    for org in ("NORRBY", "OSTBY"):
        for o in body["obligations"]:
            if o["rule"] == "information":
                continue
            n += 1
            status = STATUSES[n % 6]
            due = None if n % 4 == 0 else "2026-%02d-%02d" % (1 + n % 12, 1 + n % 27)
            kind = "system" if o["rule"].startswith("system_") else "organisation"
            resp = cissi if o.get("responsible") == "ciso" and org == "NORRBY" else (
                sara if kind == "system" and org == "NORRBY" else None)
            sql("INSERT INTO finding (organisation_id, profile_code, profile_version, obligation,"
                " cite, section, rule, subject_kind, subject_ref, subject_name, status, due,"
                " responsible_id, evaluated_at) VALUES (?, 'itcentrum', ?, ?, ?, ?, ?, ?, ?, ?,"
                " ?, ?, ?, '2026-01-01T00:00:00Z')",
                (orgs[org], body["version"], o["id"], o["cite"], o["section"], o["rule"], kind,
                 "SYS-%d" % n if kind == "system" else org, "Objekt %d" % n, status, due, resp))


def stored(org=None):
    """The stored findings as the API should list them, in its default order."""
    rows = sql("SELECT f.obligation, f.cite, f.section, o.code, f.subject_kind, f.subject_ref,"
               " f.subject_name, f.status, f.due, p.user_id, f.profile_code, f.profile_version,"
               " f.rule, f.id FROM finding f JOIN organisation o ON o.id = f.organisation_id"
               " LEFT JOIN person p ON p.id = f.responsible_id")
    items = [{"obligation": r[0], "cite": r[1], "section": r[2], "organisation": r[3],
              "subject": {"kind": r[4], "id": r[5], "name": r[6]}, "status": r[7], "due": r[8],
              "responsible": r[9], "profile": r[10], "profile_version": r[11], "rule": r[12],
              "_id": r[13]} for r in rows if org is None or r[3] == org]
    items.sort(key=lambda i: (STATUSES.index(i["status"]), i["due"] or "9999-12-31",
                              i["obligation"], i["subject"]["id"], i["_id"]))
    return items


def strip(items):
    return [{k: v for k, v in i.items() if k not in ("id", "_id")} for i in items]


def walk(query="", tok=None, limit=500):
    out, cursor = [], None
    while True:
        q = query + ("&" if query else "") + "limit=%d" % limit
        if cursor:
            q += "&cursor=" + urllib.parse.quote(cursor)
        page = ok("GET", "/api/v1/findings?" + q, tok=tok)
        out += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            return out


@test("the list gives every stored finding in reach, most urgent first, with its members")
def _():
    scene()
    items = walk()
    check(len(items) > 20, "a spread of findings (%d)" % len(items))
    for i in items:
        eq(set(i), ITEM_KEYS, "members")
        eq(set(i["subject"]), {"kind", "id", "name"}, "subject members")
    eq(strip(items), strip(stored()), "the list vs the stored rows in the default order")


@test("pages of 7 walked with their cursors give the same sequence; a bad cursor is refused")
def _():
    scene()
    eq(strip(walk(limit=7)), strip(walk()), "paged vs whole")
    problem(call("GET", "/api/v1/findings?cursor=bm9wZQ"), 422, "invalid_cursor", "cursor")
    problem(call("GET", "/api/v1/findings?limit=0"), 422, "out_of_range", "limit")


@test("every filter keeps exactly the matching findings")
def _():
    scene()
    full = stored()
    some = full[len(full) // 3]
    dues = sorted(i["due"] for i in full if i["due"])
    due = dues[len(dues) // 2] if dues else "2099-01-01"
    cases = [
        ("organisation=norrby", lambda i: i["organisation"] == "NORRBY"),
        ("section=" + urllib.parse.quote(some["section"]), lambda i: i["section"] == some["section"]),
        ("status=overdue,missing", lambda i: i["status"] in ("overdue", "missing")),
        ("status=ok", lambda i: i["status"] == "ok"),
        ("responsible=cissi", lambda i: i["responsible"] == "cissi"),
        ("due_before=" + due, lambda i: i["due"] is not None and i["due"] < due),
        ("obligation=" + some["obligation"], lambda i: i["obligation"] == some["obligation"]),
        ("profile=itcentrum", lambda i: i["profile"] == "itcentrum"),
        ("profile=nosuch", lambda i: False),
        ("subject_kind=organisation", lambda i: i["subject"]["kind"] == "organisation"),
        ("organisation=NORRBY&status=missing,overdue,due_soon",
         lambda i: i["organisation"] == "NORRBY" and i["status"] in ("missing", "overdue", "due_soon")),
    ]
    for query, keep in cases:
        eq(strip(walk(query)), strip([i for i in full if keep(i)]), "filter " + query)
    check(any(i["responsible"] == "cissi" for i in full), "cissi is responsible for something")


@test("responsible=me is the logged-in person's; a token is nobody, so its list is empty")
def _():
    scene()
    eq(walk("responsible=me"), [], "a token has no findings of its own")


@test("unknown parameters and bad filter values are refused naming them")
def _():
    scene()
    problem(call("GET", "/api/v1/findings?colour=red"), 422, "unknown_parameter", "colour")
    problem(call("GET", "/api/v1/findings?status=ok,late"), 422, "invalid_value", "status")
    problem(call("GET", "/api/v1/findings?due_before=2026-02-30"), 422, "invalid_date", "due_before")
    problem(call("GET", "/api/v1/findings?subject_kind=car"), 422, "invalid_value", "subject_kind")
    problem(call("GET", "/api/v1/findings?format=pdf"), 422, "invalid_value", "format")
    problem(call("GET", "/api/v1/findings/summary?x=1"), 422, "unknown_parameter", "x")
    problem(call("GET", "/api/v1/findings/trend?days=0"), 422, "out_of_range", "days")


def counts_of(items):
    c = {s: 0 for s in STATUSES}
    for i in items:
        c[i["status"]] += 1
    return c


def share(c):
    judged = sum(v for k, v in c.items() if k != "not_tracked")
    return None if judged == 0 else round((c["ok"] + c["excepted"]) / judged, 3)


@test("the summary counts each organisation's and section's findings and the share met")
def _():
    scene()
    full = stored()
    s = ok("GET", "/api/v1/findings/summary")
    eq([o["organisation"] for o in s["organisations"]],
       sorted({i["organisation"] for i in full}), "organisations")
    for o in s["organisations"]:
        mine = [i for i in full if i["organisation"] == o["organisation"]]
        eq(o["counts"], counts_of(mine), "%s counts" % o["organisation"])
        eq(o["met_share"], share(counts_of(mine)), "%s share" % o["organisation"])
        eq(o["total"], len(mine), "%s total" % o["organisation"])
        for sec in o["sections"]:
            part = [i for i in mine if i["section"] == sec["section"]]
            eq(sec["counts"], counts_of(part), "%s %s" % (o["organisation"], sec["section"]))
            eq(sec["met_share"], share(sec["counts"]), "share of %s" % sec["section"])
    eq(s["region"]["counts"], counts_of(full), "region counts")
    order = [x for x in profile_body("itcentrum")["sections"]
             if any(i["section"] == x for i in full)]
    eq([x["section"] for x in s["region"]["sections"]], order, "sections in document order")
    one = ok("GET", "/api/v1/findings/summary?organisation=OSTBY")
    eq([o["organisation"] for o in one["organisations"]], ["OSTBY"], "one organisation")
    eq(one["region"]["counts"], counts_of([i for i in full if i["organisation"] == "OSTBY"]),
       "its total")


@test("the trend sums the daily snapshots per status over the days asked for")
def _():
    scene()
    import datetime
    today = datetime.datetime.now(datetime.timezone.utc).date()
    ids = dict(sql("SELECT code, id FROM organisation"))
    for ago, org, status, n in ((1, "NORRBY", "ok", 3), (1, "OSTBY", "ok", 4),
                                (1, "NORRBY", "overdue", 2), (10, "NORRBY", "missing", 5),
                                (100, "NORRBY", "ok", 9)):
        day = (today - datetime.timedelta(days=ago)).isoformat()
        sql("INSERT OR REPLACE INTO finding_snapshot (day, organisation_id, section, status,"
            " count) VALUES (?, ?, 'Syfte', ?, ?)", (day, ids[org], status, n))
    t = ok("GET", "/api/v1/findings/trend?days=30")
    eq((t["days"], t["to"], t["from"]),
       (30, today.isoformat(), (today - datetime.timedelta(days=29)).isoformat()), "range")
    days = {p["day"]: p for p in t["points"]}
    y = days[(today - datetime.timedelta(days=1)).isoformat()]
    eq((y["counts"]["ok"], y["counts"]["overdue"], y["met_share"]), (7, 2, round(7 / 9, 3)),
       "yesterday over both")
    eq(days[(today - datetime.timedelta(days=10)).isoformat()]["counts"]["missing"], 5, "10 days ago")
    check((today - datetime.timedelta(days=100)).isoformat() not in days, "100 days ago is out")
    t = ok("GET", "/api/v1/findings/trend?days=200&organisation=OSTBY")
    eq([p["day"] for p in t["points"] if p["counts"]["ok"]][:1],
       [(today - datetime.timedelta(days=1)).isoformat()], "OSTBY only")
    t = ok("GET", "/api/v1/findings/trend")
    eq(t["days"], 90, "90 days by default")


@test("policies: the loaded profiles with the organisations in reach; one with every obligation")
def _():
    scene()
    lst = ok("GET", "/api/v1/policies")["items"]
    itc = [p for p in lst if p["code"] == "itcentrum"]
    eq(len(itc), 1, "itcentrum listed")
    eq(itc[0]["organisations"],
       [r[0] for r in sql("SELECT o.code FROM organisation_profile op"
                          " JOIN organisation o ON o.id = op.organisation_id"
                          " JOIN policy_profile p ON p.id = op.profile_id"
                          " WHERE p.code = 'itcentrum' ORDER BY o.code")], "its organisations")
    check({"NORRBY", "OSTBY"} <= set(itc[0]["organisations"]), "both municipalities")
    mine = [p for p in ok("GET", "/api/v1/policies", tok=token("NORRBY", "ciso"))["items"]
            if p["code"] == "itcentrum"]
    eq(mine[0]["organisations"], ["NORRBY"], "from NORRBY")
    body = profile_body("itcentrum")
    p = ok("GET", "/api/v1/policies/itcentrum")
    eq((p["title"], p["version"], p["sections"]), (body["title"], body["version"], body["sections"]),
       "title, version, sections")
    eq([o["id"] for o in p["obligations"]], [o["id"] for o in body["obligations"]], "obligations")
    full = stored()
    for o, src in zip(p["obligations"], body["obligations"]):
        eq(o["text"], src["text"], "text of " + o["id"])
        eq(o["paragraph"], body["paragraphs"][src["cite"]], "paragraph of " + o["id"])
        eq(o["counts"], counts_of([i for i in full if i["obligation"] == o["id"]]),
           "counts of " + o["id"])
    problem(call("GET", "/api/v1/policies/nosuch"), 404, "not_found")


def attest_body(obligation="ITC-SYF-1", org="NORRBY", **extra):
    b = {"organisation": org, "obligation": obligation,
         "statement": "Ledningen har gått igenom skyddet av informationen och dokumenterat det."}
    b.update(extra)
    return b


PDF = b"%PDF-1.4\n% test evidence\n" + bytes(range(256))


@test("the responsible CISO attests with a file: recorded, audited, listed, downloadable")
def _():
    scene()
    tok = token("NORRBY", "ciso")
    a = ok("POST", "/api/v1/attestations", attest_body(
        evidence_reference="KS 2026/117",
        attachment={"name": "protokoll.pdf", "content_type": "application/pdf",
                    "data_base64": base64.b64encode(PDF).decode()}), tok=tok, status=201)
    eq((a["organisation"], a["obligation"], a["evidence_reference"], a["evidence"]),
       ("NORRBY", "ITC-SYF-1", "KS 2026/117",
        {"name": "protokoll.pdf", "content_type": "application/pdf"}), "the attestation")
    check(a["attested_by"].startswith("token:"), "attested by the token")
    rows = audit_rows("attestation.create", str(a["id"]))
    eq(len(rows), 1, "one audit entry")
    check("data_base64" not in rows[0][5] and "JVBER" not in rows[0][5], "no file in the log")
    check('"size": %d' % len(PDF) in rows[0][5] or '"size":%d' % len(PDF) in rows[0][5], "its size")
    st, h, b = srv().request("GET", "/api/v1/attestations/%d/evidence" % a["id"],
                             headers={"Authorization": "Bearer " + tok})
    eq((st, b), (200, PDF), "the file back")
    eq(h.get("content-type"), "application/pdf", "its type")
    eq(h.get("content-disposition"), 'attachment; filename="protokoll.pdf"', "a download")
    second = ok("POST", "/api/v1/attestations", attest_body(), status=201)
    eq(second["evidence"], None, "no file")
    lst = ok("GET", "/api/v1/attestations?organisation=NORRBY&obligation=ITC-SYF-1")["items"]
    eq([x["id"] for x in lst[:2]], [second["id"], a["id"]], "newest first")
    check(all("data_base64" not in json.dumps(x) for x in lst), "no files in the list")
    page = ok("GET", "/api/v1/attestations?limit=1")
    check(page["next_cursor"], "a next page")
    nxt = ok("GET", "/api/v1/attestations?limit=1&cursor=" + page["next_cursor"])
    eq(nxt["items"][0]["id"], a["id"], "the page after")
    problem(call("GET", "/api/v1/attestations/%d/evidence" % second["id"]), 404, "not_found")
    if _state.get("engine"):
        f = [i for i in walk("obligation=ITC-SYF-1&organisation=NORRBY")]
        eq([i["status"] for i in f], ["ok"], "the attested duty is met")


@test("someone without the responsible role is refused 403 not_responsible, nothing written")
def _():
    scene()
    refused_unchanged("POST", "/api/v1/attestations", attest_body(), 403, "not_responsible",
                      "obligation", tok=token("NORRBY", "system_owner"))
    # OSTBY's CISO is not NORRBY's, and NORRBY is out of its reach anyway.
    refused_unchanged("POST", "/api/v1/attestations", attest_body(), 422,
                      "unknown_organisation", "organisation", tok=token("OSTBY", "ciso"))
    ok("POST", "/api/v1/attestations", attest_body(org="OSTBY"), tok=token("OSTBY", "ciso"),
       status=201)
    ok("POST", "/api/v1/attestations", attest_body(org="OSTBY"),
       tok=token("ITC", "administrator"), status=201)


@test("bad attestations are refused 422 naming the field, nothing written")
def _():
    scene()
    tok = token("NORRBY", "ciso")
    body = profile_body("itcentrum")
    other = [o["id"] for o in body["obligations"] if o["rule"] not in ("attestation",)][0]

    def bad(status, code, field, **change):
        b = attest_body(**change)
        b = {k: v for k, v in b.items() if v is not Ellipsis}
        refused_unchanged("POST", "/api/v1/attestations", b, status, code, field, tok=tok)

    bad(422, "unknown_organisation", "organisation", org="NOSUCH")
    bad(422, "unknown_obligation", "obligation", obligation="NO-SUCH-1")
    bad(422, "not_attestation", "obligation", obligation=other)
    bad(422, "missing_field", "statement", statement=...)
    bad(422, "empty", "statement", statement="   ")
    bad(422, "too_long", "statement", statement="x" * 2001)
    bad(422, "too_long", "evidence_reference", evidence_reference="x" * 201)
    bad(422, "wrong_type", "attachment", attachment="file.pdf")
    bad(422, "invalid_value", "attachment",
        attachment={"name": "a.pdf", "content_type": "application/pdf", "data_base64": "!!"})
    bad(422, "invalid_value", "attachment",
        attachment={"name": "../a.pdf", "content_type": "application/pdf", "data_base64": "QQ=="})
    bad(422, "invalid_value", "attachment",
        attachment={"name": "a.pdf", "content_type": "pdf", "data_base64": "QQ=="})
    bad(422, "unknown_field", "attachment",
        attachment={"name": "a.pdf", "content_type": "application/pdf", "data_base64": "QQ==",
                    "x": 1})
    big = base64.b64encode(b"\0" * (2 * 1024 * 1024 + 1)).decode()
    bad(413, "too_large", "attachment",
        attachment={"name": "a.bin", "content_type": "application/octet-stream", "data_base64": big})


@test("CSV and XLSX exports hold every matching finding under Swedish headers; audited")
def _():
    scene()
    want = stored("NORRBY")
    st, h, b = srv().request("GET", "/api/v1/findings?format=csv&organisation=NORRBY",
                             headers={"Authorization": "Bearer " + admin()})
    eq(st, 200, "csv status")
    eq(h.get("content-disposition"), 'attachment; filename="avvikelser.csv"', "file name")
    check(b.startswith(b"\xef\xbb\xbf"), "a BOM")
    rows = list(csv.reader(io.StringIO(b[3:].decode()), delimiter=";"))
    eq(rows[0], ["Krav", "Paragraf", "Avsnitt", "Organisation", "Objekt", "Status", "Senast",
                 "Ansvarig"], "headers")
    eq(len(rows) - 1, len(want), "every row")
    eq([r[0] for r in rows[1:]], [i["obligation"] for i in want], "in the list's order")
    eq(rows[1][4], "%s (%s)" % (want[0]["subject"]["name"], want[0]["subject"]["id"]), "object")
    check(rows[1][5] in ("Försenat", "Saknas", "Förfaller snart", "Följs inte upp", "Undantag",
                         "Uppfyllt"), "status in Swedish: %r" % rows[1][5])
    check(audit_rows("findings.export"), "the export is audited")
    try:
        import openpyxl
    except ImportError:
        sys.path.append("/usr/lib/python3/dist-packages")
        import openpyxl
    st, h, b = srv().request("GET", "/api/v1/findings?format=xlsx&status=ok,missing",
                             headers={"Authorization": "Bearer " + admin()})
    eq(st, 200, "xlsx status")
    wb = openpyxl.load_workbook(io.BytesIO(b))
    eq(wb.sheetnames, ["Avvikelser"], "sheet")
    got = [[c.value for c in r] for r in wb["Avvikelser"].iter_rows()]
    eq(got[0][0], "Krav", "header")
    eq([r[0] for r in got[1:]],
       [i["obligation"] for i in stored() if i["status"] in ("ok", "missing")], "rows")


@test("from NORRBY nothing of OSTBY shows: list, summary, policies, attestations, evidence")
def _():
    scene()
    tok = token("NORRBY", "security_officer")
    eq(strip(walk(tok=tok)), strip(stored("NORRBY")), "only NORRBY's findings")
    s = ok("GET", "/api/v1/findings/summary", tok=tok)
    eq([o["organisation"] for o in s["organisations"]], ["NORRBY"], "summary")
    eq(ok("GET", "/api/v1/findings/summary?organisation=OSTBY", tok=tok)["organisations"], [],
       "OSTBY asked for by name")
    eq(walk("organisation=OSTBY", tok=tok), [], "list of OSTBY by name")
    lst = ok("GET", "/api/v1/attestations", tok=tok)["items"]
    check(lst and all(a["organisation"] == "NORRBY" for a in lst), "attestations")
    ost = sql("SELECT a.id FROM attestation a JOIN organisation o ON o.id = a.organisation_id"
              " WHERE o.code = 'OSTBY'")[0][0]
    problem(call("GET", "/api/v1/attestations/%d/evidence" % ost, tok=tok), 404, "not_found")
    for role in ("supplier_contact", "external_party"):
        problem(call("GET", "/api/v1/findings", tok=token("NORRBY", role)), 403, "forbidden")


@test("the server stops cleanly")
def _():
    eq(srv().stop(), 0, "exit code")


if __name__ == "__main__":
    main(suite)
