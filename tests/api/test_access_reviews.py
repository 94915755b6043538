#!/usr/bin/env python3
"""Review campaigns over HTTP: starting one (validation; one item per active grant, each for
the responsible information owner: the grant's organisation's first, then the highest
protection level, else the system owner), progress per reviewer and system, who may decide an
item (403/404), keep and revoke (comment required; a removal task whose confirmation revokes
the grant), a system's and the campaign's completion, reminders in the reviewers' task lists,
the evidence as CSV and XLSX read back, and the creation time over 100 000 grants."""
import csv
import io
import json
import os
import sqlite3
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from varn_harness import SLOW, VARN_BIN, Server, Suite, check, eq, main, run_varn  # noqa: E402
from catalog_helpers import (audit_rows, call, new_info, new_system, ok, problem,  # noqa: E402
                             srv, token, world)
from access_workflow_helpers import grant, one, person  # noqa: E402

suite = Suite()
test = suite.test
_state = {}
DUE = "2099-06-30"


def xlsx_load(b):
    try:
        import openpyxl
    except ImportError:
        sys.path.append("/usr/lib/python3/dist-packages")
        import openpyxl
    return openpyxl.load_workbook(io.BytesIO(b))


def sanitized():
    """Is the binary built with AddressSanitizer (linked to libasan)?"""
    try:
        out = subprocess.run(["ldd", VARN_BIN], capture_output=True, text=True, timeout=30).stdout
    except OSError:
        return False
    return "libasan" in out


def cpu_seconds(pid):
    """User and system CPU time of a process so far."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def setup():
    """RV-1 (NORRBY, administrator rv.admin) processes RVI-1 (ivar); RV-2 processes nothing
    (its owner sara reviews); RV-ITC (ITC, owner adam) processes NORRBY's RVI-N (ivar, level 2)
    and RVI-H (rv.high, level 4) and OSTBY's RVI-O (otto). Grants: olle and rv.u1 in RV-1 (and
    one revoked), olle in RV-2, olle and rv.o1 (OSTBY) in RV-ITC."""
    if _state:
        return _state
    world()
    person("rv.admin", "NORRBY", ["user"])
    person("rv.high", "NORRBY", ["information_owner"])
    person("rv.u1", "NORRBY", ["user"])
    person("rv.o1", "OSTBY", ["user"])
    new_system("RV-1", administrator="rv.admin")
    new_system("RV-2")
    new_system("RV-ITC", organisation="ITC", system_owner="adam")
    new_info("RVI-1", k=1)
    new_info("RVI-N", k=2)
    new_info("RVI-H", k=4, information_owner="rv.high")
    new_info("RVI-O", k=3, organisation="OSTBY", information_owner="otto")
    for s, i in (("RV-1", "RVI-1"), ("RV-ITC", "RVI-N"), ("RV-ITC", "RVI-H"),
                 ("RV-ITC", "RVI-O")):
        ok("PUT", "/api/v1/systems/%s/information/%s" % (s, i), {}, status=204)
    _state["g_olle_1"] = grant("RV-1", "olle", "Läsare")
    _state["g_u1_read"] = grant("RV-1", "rv.u1", "Läsare")
    _state["g_u1_admin"] = grant("RV-1", "rv.u1", "Admin")
    revoked = grant("RV-1", "olle", "Gammal")
    ok("POST", "/api/v1/grants/%d/revoke" % revoked, {"reason": "Slutat behövas"})
    _state["g_olle_2"] = grant("RV-2", "olle", "Läsare")
    _state["g_olle_itc"] = grant("RV-ITC", "olle", "Användare")
    _state["g_o1_itc"] = grant("RV-ITC", "rv.o1", "Användare")
    return _state


def campaign():
    if "review" not in _state:
        setup()
        r = ok("POST", "/api/v1/access-reviews",
               {"title": "Årlig granskning 2026", "due_on": DUE,
                "systems": ["RV-1", "RV-2", "RV-ITC"]}, status=201)
        _state["review"] = r
    return _state["review"]


def items_of(who_call, rid, query=""):
    return who_call("GET", "/api/v1/access-reviews/%d/items?limit=500%s" % (rid, query))


@test("POST access-reviews refuses bad input with 422 naming the field; only the IT roles start one")
def _():
    setup()
    before = one("SELECT count(*) FROM access_review")
    cases = [({"title": "x", "due_on": DUE, "systems": ["NO-SUCH"]}, "unknown_system", "systems"),
             ({"title": "x", "due_on": "2020-01-01", "systems": ["RV-1"]}, "date_in_past",
              "due_on"),
             ({"title": "x", "due_on": DUE, "systems": []}, "out_of_range", "systems"),
             ({"title": "x", "systems": ["RV-1"]}, "missing_field", "due_on"),
             ({"title": "x", "due_on": DUE, "systems": ["RV-1"], "organisation": "NOSUCH"},
              "unknown_organisation", "organisation")]
    for body, code, field in cases:
        p = problem(call("POST", "/api/v1/access-reviews", body), 422, code, field)
        check(p["detail"], "a message")
    problem(call("POST", "/api/v1/access-reviews", {"title": "x", "due_on": DUE,
                                                     "systems": ["RV-1"]},
                 tok=token("NORRBY", "information_owner")), 403, "forbidden")
    eq(one("SELECT count(*) FROM access_review"), before, "nothing stored")


@test("a campaign has one item per active grant, each for the responsible information owner")
def _():
    s = setup()
    r = campaign()
    eq((r["organisation"], r["status"], r["items"], r["decided"], r["due_on"]),
       ("ITC", "open", 6, 0, DUE), "the campaign")
    eq([(x["system"], x["items"], x["decided"], x["completed_at"]) for x in r["systems"]],
       [("RV-1", 3, 0, None), ("RV-2", 1, 0, None), ("RV-ITC", 2, 0, None)], "per system")
    eq(sorted((x["user_id"], x["total"], x["decided"]) for x in r["reviewers"]),
       [("ivar", 3, 0), ("otto", 1, 0), ("rv.high", 1, 0), ("sara", 1, 0)], "per reviewer")
    items = items_of(call, r["id"])[2]["items"]
    got = sorted((i["system"], i["account"], i["entitlement"], i["reviewer"]) for i in items)
    eq(got, [("RV-1", "olle", "Läsare", "ivar"), ("RV-1", "rv.u1", "Admin", "ivar"),
             ("RV-1", "rv.u1", "Läsare", "ivar"), ("RV-2", "olle", "Läsare", "sara"),
             ("RV-ITC", "olle", "Användare", "rv.high"),
             ("RV-ITC", "rv.o1", "Användare", "otto")],
       "items: the NORRBY grant of RV-ITC to the NORRBY owner of the highest level, the OSTBY "
       "one to OSTBY's owner, RV-2's to its system owner; the revoked grant has none")
    eq(ok("GET", "/api/v1/access-reviews/%d" % r["id"]), r, "GET one")
    rows = audit_rows("access_review.create", str(r["id"]))
    eq(len(rows), 1, "audited once")
    eq(json.loads(rows[0][5])["items"], 6, "the audit says how many items")
    check(r["id"] in [x["id"] for x in ok("GET", "/api/v1/access-reviews")["items"]], "listed")
    _state["by_grant"] = {i["grant"]: i for i in items}


@test("reviewers see their own items; someone outside the campaign's reach only theirs")
def _():
    s = setup()
    rid = campaign()["id"]
    ivar, otto = person("ivar"), person("otto")
    mine = ivar.ok("GET", "/api/v1/access-reviews/%d/items?reviewer=me" % rid)["items"]
    eq(sorted(i["grant"] for i in mine),
       sorted([s["g_olle_1"], s["g_u1_read"], s["g_u1_admin"]]), "ivar's items")
    # otto (OSTBY) reaches neither ITC nor NORRBY: only his own item and his own progress.
    o = otto.ok("GET", "/api/v1/access-reviews/%d" % rid)
    eq([x["user_id"] for x in o["reviewers"]], ["otto"], "otto sees his own progress only")
    oi = otto.ok("GET", "/api/v1/access-reviews/%d/items?limit=500" % rid)["items"]
    eq([i["grant"] for i in oi], [s["g_o1_itc"]], "otto sees his own item only")
    check(b"NORRBY" not in json.dumps(oi).encode(), "nothing of NORRBY in otto's items")
    problem(call("GET", "/api/v1/access-reviews/%d/items?decision=maybe" % rid), 422,
            "invalid_value", "decision")
    problem(call("GET", "/api/v1/access-reviews/987654/items"), 404, "not_found")
    problem(call("GET", "/api/v1/access-reviews/987654"), 404, "not_found")


@test("only the reviewer (or an information owner of the system's information) decides; others 403/404")
def _():
    s = setup()
    rid = campaign()["id"]
    item = s["by_grant"][s["g_olle_1"]]
    path = "/api/v1/access-reviews/%d/items/%d" % (rid, item["id"])
    # A security officer of NORRBY follows NORRBY's part of the IT centre's campaign, but does
    # not review this item.
    so = token("NORRBY", "security_officer")
    problem(call("POST", path, {"decision": "keep"}, tok=so), 403, "not_reviewer")
    st, _, part = call("GET", "/api/v1/access-reviews/%d/items?limit=500" % rid, tok=so)
    eq(st, 200, "NORRBY's part")
    eq(sorted({i["organisation"] for i in part["items"]}), ["NORRBY"], "NORRBY's items only")
    eq(call("GET", "/api/v1/access-reviews/%d" % rid, tok=so)[2]["reviewers"], [],
       "no one's progress for a token outside the campaign's reach")
    # sara reviews another item of the campaign; ivar's is out of her sight.
    st, _, b = person("sara").call("POST", path, {"decision": "keep"})
    eq((st, b["code"]), (404, "not_found"), "sara: 404")
    # otto reaches neither: like a missing item.
    st, _, b = person("otto").call("POST", path, {"decision": "keep"})
    st2, _, b2 = person("otto").call("POST", "/api/v1/access-reviews/%d/items/987654" % rid,
                                     {"decision": "keep"})
    eq((st, st2, b["code"]), (404, 404, b2["code"]), "otto: 404 like a missing item")
    problem(call("POST", path, {"decision": "keep"}), 403, "not_reviewer")
    eq(one("SELECT count(*) FROM access_review_item WHERE decision IS NOT NULL"), 0,
       "nothing decided")


@test("keep and revoke: revoke needs a comment and makes a removal task; progress follows")
def _():
    s = setup()
    rid = campaign()["id"]
    ivar = person("ivar")
    keep = s["by_grant"][s["g_olle_1"]]
    revoke = s["by_grant"][s["g_u1_admin"]]
    k = ivar.ok("POST", "/api/v1/access-reviews/%d/items/%d" % (rid, keep["id"]),
                {"decision": "keep"})
    eq((k["decision"], k["decided_by"], k["task"]), ("keep", "ivar", None), "kept")
    st, _, b = ivar.call("POST", "/api/v1/access-reviews/%d/items/%d" % (rid, keep["id"]),
                         {"decision": "revoke", "comment": "x"})
    eq((st, b["code"]), (409, "already_decided"), "decided once")
    path = "/api/v1/access-reviews/%d/items/%d" % (rid, revoke["id"])
    st, _, b = ivar.call("POST", path, {"decision": "revoke"})
    eq((st, b["code"], b["field"]), (422, "missing_field", "comment"), "revoke needs a comment")
    st, _, b = ivar.call("POST", path, {"decision": "drop", "comment": "x"})
    eq((st, b["code"]), (422, "invalid_value"), "keep or revoke")
    v = ivar.ok("POST", path, {"decision": "revoke", "comment": "Behövs inte längre"})
    eq((v["decision"], v["comment"]), ("revoke", "Behövs inte längre"), "revoked")
    check(v["task"], "a removal task")
    eq(one("SELECT revoked_at FROM access_grant WHERE id = ?", (s["g_u1_admin"],)), None,
       "the grant stays until the administrator confirms")
    tasks = person("rv.admin").ok("GET", "/api/v1/access-tasks?mine=true&open=true")["items"]
    t = [x for x in tasks if x["id"] == v["task"]]
    eq(len(t), 1, "the task is the administrator's")
    eq((t[0]["kind"], t[0]["grant"], t[0]["account"], t[0]["entitlement"], t[0]["person"]),
       ("revoke", s["g_u1_admin"], "rv.u1", "Admin", "rv.u1"), "the removal task")
    d = person("rv.admin").ok("POST", "/api/v1/access-tasks/%d/done" % v["task"], {})
    check(d["done_at"], "done")
    eq(t[0]["review_comment"], "Behövs inte längre", "the task says why")
    eq(one("SELECT revoked_at IS NOT NULL FROM access_grant WHERE id = ?", (s["g_u1_admin"],)), 1,
       "the grant is revoked")
    eq(one("SELECT revoke_reason FROM access_grant WHERE id = ?", (s["g_u1_admin"],)),
       "Återkallad vid behörighetsgranskning: Behövs inte längre", "with the review's reason")
    r = ok("GET", "/api/v1/access-reviews/%d" % rid)
    eq(r["decided"], 2, "two decided")
    eq([x for x in r["reviewers"] if x["user_id"] == "ivar"][0]["decided"], 2, "ivar's progress")
    eq(len(audit_rows("access_review_item.decide")), 2, "each decision audited")
    eq(len(audit_rows("access_task.done", str(v["task"]))), 1, "the confirmation audited")
    rows = audit_rows("grant.revoke", str(s["g_u1_admin"]))
    eq(len(rows), 1, "the revocation audited as the access module does")
    eq((json.loads(rows[0][4])["active"], json.loads(rows[0][5])["active"]), (True, False),
       "before and after")
    eq([i["grant"] for i in items_of(call, rid, "&decision=revoke")[2]["items"]],
       [s["g_u1_admin"]], "decision filter")
    eq(len(items_of(call, rid, "&decision=open")[2]["items"]), 4, "four open")
    eq(len(items_of(call, rid, "&system=RV-ITC")[2]["items"]), 2, "system filter")


@test("a reminder records its time, names the reviewers with open items, shows in their tasks")
def _():
    s = setup()
    rid = campaign()["id"]
    problem(call("POST", "/api/v1/access-reviews/%d/remind" % rid, {},
                 tok=token("NORRBY", "system_owner")), 403, "forbidden")
    r = ok("POST", "/api/v1/access-reviews/%d/remind" % rid, {})
    eq(sorted((x["user_id"], x["open"]) for x in r["reminded"]),
       [("ivar", 1), ("otto", 1), ("rv.high", 1), ("sara", 1)], "reminded")
    eq(ok("GET", "/api/v1/access-reviews/%d" % rid)["last_reminder_at"], r["last_reminder_at"],
       "recorded")
    rows = audit_rows("access_review.remind", str(rid))
    eq(len(rows), 1, "audited")
    eq(len(json.loads(rows[0][5])["reminded"]), 4, "the audit names the reviewers")
    mine = person("sara").ok("GET", "/api/v1/access-tasks?mine=true")
    eq([(x["review"], x["open_items"], x["last_reminder_at"]) for x in mine["reviews"]],
       [(rid, 1, r["last_reminder_at"])], "sara's task list shows the reminder")


@test("the last item of a system completes it; the last of all completes the campaign")
def _():
    s = setup()
    rid = campaign()["id"]
    person("ivar").ok("POST", "/api/v1/access-reviews/%d/items/%d"
                      % (rid, s["by_grant"][s["g_u1_read"]]["id"]), {"decision": "keep"})
    r = ok("GET", "/api/v1/access-reviews/%d" % rid)
    rv1 = [x for x in r["systems"] if x["system"] == "RV-1"][0]
    check(rv1["completed_at"], "RV-1 complete")
    eq(r["status"], "open", "the campaign is still open")
    for who, g in (("sara", "g_olle_2"), ("rv.high", "g_olle_itc"), ("otto", "g_o1_itc")):
        person(who).ok("POST", "/api/v1/access-reviews/%d/items/%d"
                       % (rid, s["by_grant"][s[g]]["id"]), {"decision": "keep"})
    r = ok("GET", "/api/v1/access-reviews/%d" % rid)
    eq((r["status"], r["decided"], r["items"]), ("completed", 6, 6), "completed")
    check(r["completed_at"], "completed_at")
    check(all(x["completed_at"] for x in r["systems"]), "every system complete")
    eq(len(audit_rows("access_review.complete", str(rid))), 1, "audited")
    problem(call("POST", "/api/v1/access-reviews/%d/remind" % rid, {}), 409, "review_closed")
    eq([x["id"] for x in ok("GET", "/api/v1/access-reviews?status=completed")["items"]], [rid],
       "status filter")


@test("the finished campaign as XLSX and CSV: Swedish headers, every item, recorded as an export")
def _():
    s = setup()
    rid = campaign()["id"]
    st, h, b = srv().request("GET", "/api/v1/access-reviews/%d/items?format=xlsx" % rid, None,
                             {"Authorization": "Bearer " + token("ITC", "administrator")})
    eq(st, 200, "xlsx")
    check("behorighetsgranskning.xlsx" in h.get("content-disposition", ""), "file name")
    ws = xlsx_load(b).active
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    eq(rows[0], ["System", "Systemnamn", "Organisation", "Konto", "Person", "Namn", "Behörighet",
                 "Granskare", "Granskarens namn", "Beslut", "Kommentar", "Beslutad av",
                 "Beslutad"], "Swedish headers")
    eq(len(rows), 7, "six items")
    revoked = [r for r in rows if r[6] == "Admin"]
    eq(len(revoked), 1, "the revoked item")
    r = revoked[0]
    eq((r[0], r[3], r[4], r[7], r[9], r[10], r[11]),
       ("RV-1", "rv.u1", "rv.u1", "ivar", "Ta bort", "Behövs inte längre", "ivar"), "its row")
    check(r[12] and r[12].endswith("Z"), "decided when: %r" % r[12])
    check(all(x[9] in ("Behåll", "Ta bort") for x in rows[1:]), "every decision in Swedish")
    st, h, b = srv().request("GET", "/api/v1/access-reviews/%d/items?format=csv" % rid, None,
                             {"Authorization": "Bearer " + token("ITC", "administrator")})
    eq(st, 200, "csv")
    text = b.decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text), delimiter=";"))
    eq(lines[0][0], "System", "CSV header")
    eq(len(lines), 7, "CSV rows")
    eq(len(audit_rows("access_review.export", str(rid))), 2, "both exports recorded")


@test("creating a campaign over 100 000 grants takes under 2 s (set-based)")
def _():
    big = Server().start()
    admin = run_varn("token", "create", "--org", "ITC", "--role", "administrator", db=big.db)
    tok = admin.stdout.strip()
    con = sqlite3.connect(big.db, timeout=30)
    now = "2026-01-01T00:00:00Z"
    itc = con.execute("SELECT id FROM organisation WHERE code = 'ITC'").fetchone()[0]
    orgs = []
    for n in range(4):
        cur = con.execute("INSERT INTO organisation (code, name, kind, parent_id, org_number,"
                          " created_at, updated_at) VALUES (?, ?, 'municipality', ?, ?, ?, ?)",
                          ("KOM%d" % n, "Kommun %d" % n, itc, "21200000%02d" % n, now, now))
        orgs.append(cur.lastrowid)
    people = []
    for n in range(2000):
        cur = con.execute("INSERT INTO person (user_id, name, email, organisation_id, created_at,"
                          " updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                          ("p%d" % n, "P %d" % n, "p%d@example.se" % n, orgs[n % 4], now, now))
        people.append((cur.lastrowid, orgs[n % 4]))
    systems = []
    for n in range(25):
        cur = con.execute("INSERT INTO system (external_id, name, organisation_id, owner_id,"
                          " lifecycle, hosting, created_at, updated_at) VALUES"
                          " (?, ?, ?, ?, 'production', 'it_centre', ?, ?)",
                          ("BIG-%d" % n, "System %d" % n, itc, people[n][0], now, now))
        sid = cur.lastrowid
        systems.append(sid)
        for o in range(4):  # information of each municipality, owned by one of its people
            owner = people[o + 4 * n][0]
            cur = con.execute("INSERT INTO information (external_id, name, organisation_id,"
                              " owner_id, k, r, t, classified_at, classified_by, review_due,"
                              " created_at, updated_at) VALUES (?, ?, ?, ?, ?, 1, 1, ?, 'x',"
                              " '2027-01-01', ?, ?)",
                              ("BI-%d-%d" % (n, o), "Info", orgs[o], owner, (n + o) % 5, now,
                               now, now))
            con.execute("INSERT INTO system_information (system_id, information_id) VALUES (?, ?)",
                        (sid, cur.lastrowid))
    ents = {}
    for sid in systems:
        for e in range(2):
            cur = con.execute("INSERT INTO entitlement (system_id, name, created_at)"
                              " VALUES (?, ?, ?)", (sid, "Roll %d" % e, now))
            ents[(sid, e)] = cur.lastrowid
    accounts = []
    for sid in systems:  # every person has an account in every system: 50 000 accounts
        for pid, org in people:
            accounts.append((sid, org, "u%d" % pid, pid, now, now))
    con.executemany("INSERT INTO account (system_id, organisation_id, username, person_id,"
                    " status, source, created_at, updated_at) VALUES (?, ?, ?, ?, 'active',"
                    " 'csv', ?, ?)", accounts)
    con.execute("INSERT INTO access_grant (account_id, entitlement_id, system_id,"
                " organisation_id, granted_at, source) SELECT a.id, e.id, a.system_id,"
                " a.organisation_id, ?, 'csv' FROM account a JOIN entitlement e"
                " ON e.system_id = a.system_id", (now,))
    con.commit()
    eq(con.execute("SELECT count(*) FROM access_grant").fetchone()[0], 100000, "100 000 grants")
    con.close()
    body = {"title": "Hela regionen", "due_on": DUE, "systems": ["BIG-%d" % n for n in range(25)]}
    cpu0, started = cpu_seconds(big.proc.pid), time.monotonic()
    st, _, b = big.request("POST", "/api/v1/access-reviews", body,
                           {"Authorization": "Bearer " + tok}, timeout=60 * SLOW)
    took, cpu = time.monotonic() - started, cpu_seconds(big.proc.pid) - cpu0
    eq(st, 201, "created (%r)" % b[:200])
    r = json.loads(b)
    eq(r["items"], 100000, "one item per grant")
    eq(len(r["reviewers"]), 100, "one reviewer per (system, municipality)")
    print("# campaign over 100 000 grants created in %.2f s (server CPU %.2f s)" % (took, cpu),
          flush=True)
    # The target is 2 s on a plain build: 0.9 s measured on an idle machine, 0.4 s of it the
    # server's CPU. The machine is shared, so the bound is on the server's CPU time, which
    # other load does not stretch (the wall time did, to 3.4 s at a load of 12 on 2 cores).
    # Under AddressSanitizer every allocation goes through the sanitizer's allocator: about
    # ten times slower, so the bound there is 20 s.
    limit = 20.0 if sanitized() else 2.0
    check(cpu < limit, "server CPU %.2f s (limit %.0f s)" % (cpu, limit))
    st, _, b = big.request("GET", "/api/v1/access-reviews/%d/items?limit=50&reviewer=p5"
                           % r["id"], None, {"Authorization": "Bearer " + tok})
    eq(st, 200, "a reviewer's page")
    eq(len(json.loads(b)["items"]), 50, "a full page")
    auth = {"Authorization": "Bearer " + tok}
    st, _, b = big.request("GET", "/api/v1/access-reviews/%d/items?format=csv" % r["id"], None,
                           auth)
    eq((st, json.loads(b)["code"]), (422, "too_many_rows"), "the whole campaign in one file")
    st, _, b = big.request("GET", "/api/v1/access-reviews/%d/items?format=csv&system=BIG-3"
                           % r["id"], None, auth)
    eq(st, 200, "one system's evidence")
    eq(len(b.decode("utf-8-sig").strip().split("\r\n")), 4001, "its 4 000 items and a header")
    big.stop()


@test("the server stops cleanly")
def _():
    eq(srv().stop(), 0, "exit code")


if __name__ == "__main__":
    main(suite)
