#!/usr/bin/env python3
"""The offboarding list over HTTP (ITC-ATK-9, ITC-ATK-10): people in reach whose last day has
passed or falls within the notice period (the query's, else their organisation's policy
profile's, else 14 days) and still hold grants, and people whose role changed after their
grants' last review; every grant to remove with its administrator; days left; a login after
the last day flagged as a possible incident; the filters; CSV and XLSX read back."""
import csv
import datetime
import io
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from varn_harness import SOURCE_ROOT, Suite, check, eq, main, run_varn  # noqa: E402
from catalog_helpers import (audit_rows, call, new_system, ok, problem, srv, token,  # noqa: E402
                             world)
from access_workflow_helpers import exec_sql, grant, person  # noqa: E402

suite = Suite()
test = suite.test
_state = {}


def day(offset):
    return (datetime.datetime.now(datetime.timezone.utc).date()
            + datetime.timedelta(days=offset)).isoformat()


def stamp(offset):
    return day(offset) + "T09:00:00Z"


def setup():
    """OB-1 and OB-2 of NORRBY (administrator ob.admin; OB-2 none, so its owner sara); people
    of NORRBY managed by ob.boss: ob.gone (left 3 days ago, logged in to OB-1 yesterday),
    ob.soon (leaves in 10 days), ob.later (in 30), ob.changed (new role yesterday, grants never
    reviewed), ob.none (left, no grants); ob.ost of OSTBY (left)."""
    if _state:
        return _state
    world()
    person("ob.boss", "NORRBY", ["manager"])
    person("ob.admin", "NORRBY", ["system_owner"])
    new_system("OB-1", administrator="ob.admin")
    new_system("OB-2")
    for uid, end, org in (("ob.gone", day(-3), "NORRBY"), ("ob.soon", day(10), "NORRBY"),
                          ("ob.later", day(30), "NORRBY"), ("ob.changed", None, "NORRBY"),
                          ("ob.none", day(-3), "NORRBY"), ("ob.ost", day(-5), "OSTBY"),
                          ("ob.reviewed", None, "NORRBY")):
        body = {"user_id": uid, "name": "Person " + uid, "email": uid + "@example.se",
                "organisation": org, "employment_end": end}
        if org == "NORRBY":
            body["manager_user_id"] = "ob.boss"
        ok("POST", "/api/v1/people", body, status=201)
    grant("OB-1", "ob.gone", "Handläggare", last_login=stamp(-1))
    grant("OB-2", "ob.gone", "Läsare")
    grant("OB-1", "ob.soon", "Läsare", last_login=stamp(-20))
    grant("OB-1", "ob.later", "Läsare")
    grant("OB-2", "ob.changed", "Läsare", granted_at=stamp(-100))
    grant("OB-1", "ob.ost", "Läsare")
    exec_sql("UPDATE person SET role_changed_at = ? WHERE user_id = 'ob.changed'", (stamp(-1),))
    # ob.reviewed's role changed 10 days ago, and a review kept the grant 5 days ago.
    g = grant("OB-2", "ob.reviewed", "Läsare", granted_at=stamp(-100))
    exec_sql("UPDATE person SET role_changed_at = ? WHERE user_id = 'ob.reviewed'", (stamp(-10),))
    rid = exec_sql("INSERT INTO access_review (organisation_id, title, due_on, status,"
                   " started_at, updated_at) SELECT id, 'Granskning', ?, 'open', ?, ?"
                   " FROM organisation WHERE code = 'NORRBY'", (day(10), stamp(-6), stamp(-6)))
    exec_sql("INSERT INTO access_review_item (review_id, grant_id, system_id, organisation_id,"
             " decision, decided_by, decided_at) SELECT ?, g.id, g.system_id, g.organisation_id,"
             " 'keep', p.id, ? FROM access_grant g, person p WHERE g.id = ?"
             " AND p.user_id = 'sara'", (rid, stamp(-5), g))
    _state["done"] = True
    return _state


def listed(doc):
    return {p["user_id"]: p for p in doc["items"]}


@test("leavers within the notice period and people with a changed role, with every grant")
def _():
    setup()
    doc = ok("GET", "/api/v1/offboarding")
    eq(doc["notice_days"], None, "the profiles' notice (none here: 14 days)")
    people = listed(doc)
    eq(sorted(people), ["ob.changed", "ob.gone", "ob.ost", "ob.soon"],
       "who is listed (the IT centre reaches OSTBY too; not ob.later, beyond the notice; not "
       "ob.none, without grants; not ob.reviewed, reviewed since the role change)")
    g = people["ob.gone"]
    eq((g["organisation"], g["manager"], g["employment_end"], g["days_left"], g["reason"]),
       ("NORRBY", "ob.boss", day(-3), -3, "employment_end"), "the leaver")
    eq(sorted((x["system"], x["account"], x["entitlement"], x["administrator"])
              for x in g["grants"]),
       [("OB-1", "ob.gone", "Handläggare", "ob.admin"), ("OB-2", "ob.gone", "Läsare", "sara")],
       "every grant with its administrator (else the system owner)")
    eq(g["possible_incident"], True, "a login after the last day")
    eq([x["login_after_end"] for x in sorted(g["grants"], key=lambda x: x["system"])],
       [True, False], "flagged on the account that logged in")
    s = people["ob.soon"]
    eq((s["days_left"], s["reason"], s["possible_incident"]), (10, "employment_end", False),
       "leaves in 10 days; an earlier login is no incident")
    c = people["ob.changed"]
    eq((c["reason"], c["employment_end"], c["days_left"], len(c["grants"])),
       ("role_change", None, None, 1), "the role change")


@test("notice widens or narrows the period; bad values are refused")
def _():
    setup()
    eq(sorted(listed(ok("GET", "/api/v1/offboarding?notice=40&organisation=NORRBY"))),
       ["ob.changed", "ob.gone", "ob.later", "ob.soon"], "40 days")
    eq(sorted(listed(ok("GET", "/api/v1/offboarding?notice=0&organisation=NORRBY"))),
       ["ob.changed", "ob.gone"], "0 days: those already gone")
    eq(ok("GET", "/api/v1/offboarding?notice=40")["notice_days"], 40, "notice_days")
    for bad in ("-1", "x", "400"):
        problem(call("GET", "/api/v1/offboarding?notice=" + bad), 422, "out_of_range", "notice")
    problem(call("GET", "/api/v1/offboarding?manager=ob.boss"), 422, "invalid_value", "manager")
    problem(call("GET", "/api/v1/offboarding?since=x"), 422, "unknown_parameter", "since")


@test("the notice comes from the organisation's policy profile")
def _():
    setup()
    with open(os.path.join(SOURCE_ROOT, "policies", "itcentrum.json"), encoding="utf-8") as f:
        profile = json.load(f)
    profile["code"] = "itc45"
    for ob in profile["obligations"]:
        if ob.get("rule") == "access_offboarding":
            ob["params"]["notice"] = "P45D"
    path = os.path.join(tempfile.mkdtemp(), "itc45.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(profile, f, ensure_ascii=False)
    for args in (("policy", "import", path), ("policy", "assign", "--org", "NORRBY", "itc45")):
        r = run_varn(*args, db=srv().db)
        eq(r.returncode, 0, "%s (%s)" % (args, r.stderr))
    people = listed(ok("GET", "/api/v1/offboarding"))
    check("ob.later" in people, "45 days of notice take in the one leaving in 30")


@test("filters: organisation, manager=me, administrator=me; OSTBY's people stay out of reach")
def _():
    setup()
    eq(sorted(listed(ok("GET", "/api/v1/offboarding?organisation=OSTBY&notice=0"))), ["ob.ost"],
       "the IT centre reaches OSTBY")
    eq(sorted(listed(ok("GET", "/api/v1/offboarding?organisation=NORRBY&notice=0"))),
       ["ob.changed", "ob.gone"], "organisation filter")
    boss = person("ob.boss")
    mine = listed(boss.ok("GET", "/api/v1/offboarding?manager=me&notice=0"))
    eq(sorted(mine), ["ob.changed", "ob.gone"], "the manager's staff")
    check("ob.ost" not in listed(boss.ok("GET", "/api/v1/offboarding?notice=0")),
          "OSTBY is out of the manager's reach")
    adm = listed(person("ob.admin").ok("GET", "/api/v1/offboarding?administrator=me&notice=0"))
    eq(sorted(adm), ["ob.gone"], "only people with grants in the administrator's systems")
    eq([x["system"] for x in adm["ob.gone"]["grants"]], ["OB-1"], "only those grants")
    st, _, b = call("GET", "/api/v1/offboarding?notice=0", tok=token("NORRBY", "ciso"))
    eq(st, 200, "a NORRBY ciso")
    check("ob.ost" not in listed(b), "no OSTBY person")
    problem(call("GET", "/api/v1/offboarding", tok=token("NORRBY", "user")), 403, "forbidden")


@test("the list as CSV and XLSX: one row per grant, Swedish headers, the incident flagged")
def _():
    setup()
    h = {"Authorization": "Bearer " + token("ITC", "administrator")}
    st, hd, b = srv().request("GET", "/api/v1/offboarding?notice=0&format=xlsx", None, h)
    eq(st, 200, "xlsx")
    try:
        import openpyxl
    except ImportError:
        sys.path.append("/usr/lib/python3/dist-packages")
        import openpyxl
    ws = openpyxl.load_workbook(io.BytesIO(b)).active
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    eq(rows[0], ["Användar-id", "Namn", "Organisation", "Chef", "Slutdatum", "Dagar kvar",
                 "Anledning", "System", "Systemnamn", "Konto", "Behörighet", "Förvaltare",
                 "Senaste inloggning", "Möjlig incident"], "headers")
    gone = [r for r in rows[1:] if r[0] == "ob.gone"]
    eq(len(gone), 2, "one row per grant")
    incident = [r for r in gone if r[7] == "OB-1"][0]
    eq((incident[5], incident[6], incident[11], incident[13]),
       (-3, "Anställningen upphör", "ob.admin", "Möjlig incident"), "the incident row")
    changed = [r for r in rows[1:] if r[0] == "ob.changed"][0]
    eq(changed[6], "Ändrad roll", "the role change row")
    st, hd, b = srv().request("GET", "/api/v1/offboarding?notice=0&format=csv", None, h)
    eq(st, 200, "csv")
    lines = list(csv.reader(io.StringIO(b.decode("utf-8-sig")), delimiter=";"))
    eq(len(lines), len(rows), "the same rows as CSV")
    eq(len(audit_rows("offboarding.export")), 2, "both exports recorded")


@test("the server stops cleanly")
def _():
    eq(srv().stop(), 0, "exit code")


if __name__ == "__main__":
    main(suite)
