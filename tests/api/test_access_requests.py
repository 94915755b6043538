#!/usr/bin/env python3
"""Access requests over HTTP: asking (validation with Swedish messages naming the field,
duplicates), who may decide (only an information owner of information the system processes:
others who see the request get 403, those who cannot see it 404, never one's own request), who
sees requests and tasks (their people, deciders and assignees, and the IT centre's roles), the
whole path request -> approval -> provisioning task -> grant, the reject path, the lists'
filters, and the audit entries of every step."""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from varn_harness import Suite, check, eq, main, sql_rows  # noqa: E402
from catalog_helpers import (audit_rows, call, new_info, new_system, ok, problem,  # noqa: E402
                             srv, token, world)
from access_workflow_helpers import entitlement, one, person  # noqa: E402

suite = Suite()
test = suite.test
_state = {}


def setup():
    """NORRBY's system RQ-1 (owner sara, administrator rq.admin) processing RQI-1 (owner ivar);
    rq.user (role user) asks; entitlements Handläggare, Läsare and Admin in RQ-1."""
    if _state:
        return _state
    world()
    person("rq.admin", "NORRBY", ["user"])
    new_system("RQ-1", administrator="rq.admin")
    new_info("RQI-1", k=2)
    ok("PUT", "/api/v1/systems/RQ-1/information/RQI-1", {}, status=204)
    for name in ("Handläggare", "Läsare", "Admin", "Granskare"):
        _state[name] = entitlement("RQ-1", name)
    _state["user"] = person("rq.user", "NORRBY", ["user"])
    _state["ivar"] = person("ivar")
    _state["sara"] = person("sara")
    _state["otto"] = person("otto")
    _state["admin"] = person("rq.admin")
    return _state


def ask(who, entitlement_name, **extra):
    body = {"system": "RQ-1", "entitlement": entitlement_name,
            "justification": "Behövs för handläggning av ärenden"}
    body.update(extra)
    return who.call("POST", "/api/v1/access-requests", body)


def problem_of(resp, status, code, field=None):
    st, h, b = resp
    eq(st, status, "status (body %r)" % (b,))
    eq(h.get("content-type"), "application/problem+json", "problem+json")
    eq(b.get("code"), code, "code (detail %r)" % b.get("detail"))
    eq(b.get("field"), field, "field")
    return b


@test("the request form's systems: a user sees their organisation's with entitlements, not another's")
def _():
    s = setup()
    new_system("RQ-OST", organisation="OSTBY", system_owner="otto")
    entitlement("RQ-OST", "Läsare")
    u = s["user"]
    st, _, b = u.call("GET", "/api/v1/access-requests/systems")
    eq(st, 200, "status (%r)" % (b,))
    by_ext = {x["external_id"]: x for x in b["items"]}
    check("RQ-1" in by_ext, "NORRBY's system is offered: %r" % sorted(by_ext))
    check("RQ-OST" not in by_ext, "OSTBY's system is not offered to a NORRBY user")
    eq(by_ext["RQ-1"]["organisation"], "NORRBY", "organisation")
    eq(sorted(e["name"] for e in by_ext["RQ-1"]["entitlements"]),
       ["Admin", "Granskare", "Handläggare", "Läsare"], "its entitlements by name")
    eq({e["name"]: e["id"] for e in by_ext["RQ-1"]["entitlements"]}["Läsare"], s["Läsare"],
       "with the ids a request takes")
    st, _, b = u.call("GET", "/api/v1/access-requests/systems?q=rq-1")
    eq([x["external_id"] for x in b["items"]], ["RQ-1"], "q narrows by id or name")
    st, _, b = u.call("GET", "/api/v1/access-requests/systems?q=nothing-like-this")
    eq(b["items"], [], "nothing matches")
    problem_of(u.call("GET", "/api/v1/access-requests/systems?limit=0"), 422, "out_of_range",
               "limit")
    problem_of(u.call("GET", "/api/v1/access-requests/systems?person=no.such.person"), 422,
               "unknown_person", "person")


@test("POST access-requests refuses bad input with 422 naming the field, in Swedish")
def _():
    s = setup()
    u = s["user"]
    cases = [
        ({"system": "RQ-1", "entitlement": "Läsare"}, "missing_field", "justification"),
        ({"system": "NO-SUCH", "entitlement": "Läsare", "justification": "x"},
         "unknown_system", "system"),
        ({"system": "RQ-1", "entitlement": "Finns inte", "justification": "x"},
         "unknown_entitlement", "entitlement"),
        ({"system": "RQ-1", "justification": "x"}, "missing_field", "entitlement"),
        ({"system": "RQ-1", "entitlement": "Läsare", "entitlement_id": s["Läsare"],
          "justification": "x"}, "missing_field", "entitlement"),
        ({"system": "RQ-1", "entitlement": "Läsare", "justification": "x",
          "person": "no.such.person"}, "unknown_person", "person"),
    ]
    before = one("SELECT count(*) FROM access_request")
    for body, code, field in cases:
        p = problem_of(u.call("POST", "/api/v1/access-requests", body), 422, code, field)
        if code != "missing_field" or field != "justification":
            check(any(w in p["detail"] for w in ("det finns", "ange", "har ingen", "krävs")),
                  "a Swedish message: %r" % p["detail"])
    eq(one("SELECT count(*) FROM access_request"), before, "nothing stored")
    # An API token is no person to ask as.
    problem(call("POST", "/api/v1/access-requests",
                 {"system": "RQ-1", "entitlement": "Läsare", "justification": "x",
                  "person": "olle"}), 403, "person_required")


@test("a person asks for an entitlement: pending, theirs, audited")
def _():
    s = setup()
    st, _, r = ask(s["user"], "Handläggare")
    eq(st, 201, "created (%r)" % (r,))
    eq((r["system"], r["entitlement"], r["person"], r["requested_by"], r["status"]),
       ("RQ-1", "Handläggare", "rq.user", "rq.user", "pending"), "the request")
    eq(r["organisation"], "NORRBY", "the person's organisation")
    eq(r["may_decide"], False, "the asker may not decide")
    _state["req1"] = r["id"]
    rows = audit_rows("access_request.create", str(r["id"]))
    eq(len(rows), 1, "audited")
    eq(rows[0][0], "rq.user", "actor")
    # The same again while it is open is a duplicate.
    problem_of(ask(s["user"], "Handläggare"), 409, "duplicate_request", "entitlement")
    eq(s["user"].ok("GET", "/api/v1/access-requests/%d" % r["id"]), r, "GET one")
    mine = s["user"].ok("GET", "/api/v1/access-requests?mine=true")
    check(r["id"] in [i["id"] for i in mine["items"]], "in the asker's list")


@test("only an information owner of the system's information decides: others 403, unseen 404")
def _():
    s = setup()
    rid = _state["req1"]
    path = "/api/v1/access-requests/%d/decision" % rid
    body = {"decision": "approve", "comment": "ok"}
    before = one("SELECT count(*) FROM access_task")
    # A security officer of NORRBY oversees its requests but owns no information of the system.
    problem(call("POST", path, body, tok=token("NORRBY", "security_officer")), 403,
            "not_information_owner")
    # The system owner holds no oversight role: someone else's request is out of her sight.
    problem_of(s["sara"].call("POST", path, body), 404, "not_found")
    eq([i["id"] for i in s["sara"].ok("GET", "/api/v1/access-requests")["items"]
        if i["id"] == rid], [], "nor in her list")
    # The asker themself sees it but may not decide.
    problem_of(s["user"].call("POST", path, body), 403, "not_information_owner")
    # An administrator token of the IT centre sees everything but is no information owner.
    problem(call("POST", path, body), 403, "not_information_owner")
    # An information owner of OSTBY cannot see a NORRBY request at all.
    st_foreign, _, b_foreign = s["otto"].call("POST", path, body)
    st_missing, _, b_missing = s["otto"].call("POST", "/api/v1/access-requests/987654/decision",
                                              body)
    eq((st_foreign, st_missing), (404, 404), "unseen: 404 like a missing one")
    eq(b_foreign["code"], b_missing["code"], "same problem")
    problem_of(s["otto"].call("GET", "/api/v1/access-requests/%d" % rid), 404, "not_found")
    eq(one("SELECT count(*) FROM access_task"), before, "no task made")
    eq(one("SELECT status FROM access_request WHERE id = ?", (rid,)), "pending", "still pending")
    # The information owner sees it among the requests to decide.
    todo = s["ivar"].ok("GET", "/api/v1/access-requests?to_decide=true")
    eq([i["id"] for i in todo["items"]], [rid], "ivar's requests to decide")
    eq(todo["items"][0]["may_decide"], True, "may_decide")
    eq(s["sara"].ok("GET", "/api/v1/access-requests?to_decide=true")["items"], [],
       "nothing for sara to decide")


@test("approve -> provisioning task for the administrator -> done -> grant, request provisioned")
def _():
    s = setup()
    rid = _state["req1"]
    r = s["ivar"].ok("POST", "/api/v1/access-requests/%d/decision" % rid,
                     {"decision": "approve", "comment": "Behövs i tjänsten"})
    eq((r["status"], r["decided_by"], r["comment"]), ("approved", "ivar", "Behövs i tjänsten"),
       "approved")
    check(r["decided_at"], "decided_at")
    check(r["task"], "a task")
    problem_of(s["ivar"].call("POST", "/api/v1/access-requests/%d/decision" % rid,
                              {"decision": "reject", "comment": "x"}), 409, "not_pending",
               "decision")
    tasks = s["admin"].ok("GET", "/api/v1/access-tasks?mine=true&open=true")
    t = [x for x in tasks["items"] if x["id"] == r["task"]]
    eq(len(t), 1, "the task is in the administrator's list")
    t = t[0]
    eq((t["kind"], t["system"], t["person"], t["entitlement"], t["assignee"], t["done_at"]),
       ("provision", "RQ-1", "rq.user", "Handläggare", "rq.admin", None), "the task")
    check(t["due_on"] > r["decided_at"][:10], "due in a few days: %s" % t["due_on"])
    eq(t["overdue"], False, "not overdue")
    eq(s["sara"].ok("GET", "/api/v1/access-tasks?mine=true")["items"], [], "not sara's")
    # The asker neither has the task nor oversees tasks: it is out of their sight.
    problem_of(s["user"].call("POST", "/api/v1/access-tasks/%d/done" % t["id"], {}), 404,
               "not_found")
    eq(s["user"].ok("GET", "/api/v1/access-tasks")["items"], [], "no tasks in the asker's list")
    eq(one("SELECT count(*) FROM access_grant WHERE request_id = ?", (rid,)), 0, "no grant yet")
    done = s["admin"].ok("POST", "/api/v1/access-tasks/%d/done" % t["id"], {})
    eq(done["done_by"], "rq.admin", "done_by")
    check(done["done_at"], "done_at")
    problem_of(s["admin"].call("POST", "/api/v1/access-tasks/%d/done" % t["id"], {}), 409,
               "already_done")
    g = sql_rows(srv().db, "SELECT a.username, e.name, g.revoked_at, g.source FROM access_grant g"
                 " JOIN account a ON a.id = g.account_id JOIN entitlement e"
                 " ON e.id = g.entitlement_id WHERE g.request_id = ?", (rid,))
    eq(len(g), 1, "one grant")
    eq((g[0][1], g[0][2], g[0][3]), ("Handläggare", None, "request"), "the grant")
    after = s["user"].ok("GET", "/api/v1/access-requests/%d" % rid)
    eq(after["status"], "provisioned", "provisioned")
    check(after["grant"], "the grant's id on the request")
    for action, oid in (("access_request.approve", str(rid)), ("access_task.create", str(t["id"])),
                        ("access_task.done", str(t["id"])),
                        ("access_request.provision", str(rid)),
                        ("grant.create", str(after["grant"]))):
        eq(len(audit_rows(action, oid)), 1, "audited: %s" % action)
    eq(json.loads(audit_rows("access_request.approve", str(rid))[0][4])["status"], "pending",
       "the approval's before")
    # Having it now, asking again is refused.
    problem_of(ask(s["user"], "Handläggare"), 409, "already_granted", "entitlement")


@test("reject needs a comment, makes no task, and shows as rejected")
def _():
    s = setup()
    st, _, r = ask(s["user"], "Läsare")
    eq(st, 201, "asked")
    path = "/api/v1/access-requests/%d/decision" % r["id"]
    problem_of(s["ivar"].call("POST", path, {"decision": "reject"}), 422, "missing_field",
               "comment")
    problem_of(s["ivar"].call("POST", path, {"decision": "maybe", "comment": "x"}), 422,
               "invalid_value", "decision")
    tasks = one("SELECT count(*) FROM access_task")
    r = s["ivar"].ok("POST", path, {"decision": "reject", "comment": "Inte i tjänsten"})
    eq((r["status"], r["comment"], r["task"], r["grant"]),
       ("rejected", "Inte i tjänsten", None, None), "rejected")
    eq(one("SELECT count(*) FROM access_task"), tasks, "no task")
    eq(len(audit_rows("access_request.reject", str(r["id"]))), 1, "audited")
    rejected = s["user"].ok("GET", "/api/v1/access-requests?status=rejected&mine=true")
    eq([i["id"] for i in rejected["items"]], [r["id"]], "status filter")


@test("an information owner cannot decide their own request")
def _():
    s = setup()
    st, _, r = ask(s["ivar"], "Admin")
    eq(st, 201, "ivar asks for himself (%r)" % (r,))
    eq(r["may_decide"], False, "not his own")
    check(r["id"] not in [i["id"] for i in s["ivar"].ok(
        "GET", "/api/v1/access-requests?to_decide=true")["items"]], "not among his to decide")
    problem_of(s["ivar"].call("POST", "/api/v1/access-requests/%d/decision" % r["id"],
                              {"decision": "approve"}), 403, "own_request")
    eq(one("SELECT status FROM access_request WHERE id = ?", (r["id"],)), "pending", "pending")


@test("someone may ask on behalf of a person in reach; the entitlement may be named by id")
def _():
    s = setup()
    st, _, r = s["sara"].call("POST", "/api/v1/access-requests",
                              {"system": "RQ-1", "entitlement_id": s["Granskare"],
                               "person": "olle", "justification": "Ny i tjänsten"})
    eq(st, 201, "created (%r)" % (r,))
    eq((r["person"], r["requested_by"], r["entitlement"]), ("olle", "sara", "Granskare"),
       "on behalf")
    # A person outside sara's reach cannot be named: like a missing one.
    problem_of(s["sara"].call("POST", "/api/v1/access-requests",
                              {"system": "RQ-1", "entitlement": "Läsare", "person": "otto",
                               "justification": "x"}), 422, "unknown_person", "person")


@test("lists: filters are checked, pages follow the cursor")
def _():
    s = setup()
    problem_of(s["ivar"].call("GET", "/api/v1/access-requests?status=nope"), 422,
               "invalid_value", "status")
    problem_of(s["ivar"].call("GET", "/api/v1/access-requests?mine=ja"), 422, "invalid_value",
               "mine")
    problem_of(s["ivar"].call("GET", "/api/v1/access-requests?sort=x"), 422, "unknown_parameter",
               "sort")
    all_ids = [i["id"] for i in ok("GET", "/api/v1/access-requests?limit=500")["items"]]
    check(len(all_ids) >= 4, "several requests: %r" % all_ids)
    seen, cursor = [], None
    while True:
        page = ok("GET", "/api/v1/access-requests?limit=2" + ("&cursor=" + cursor if cursor else ""))
        seen += [i["id"] for i in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    eq(seen, all_ids, "pages")
    by_system = ok("GET", "/api/v1/access-requests?system=RQ-1")
    check(all(i["system"] == "RQ-1" for i in by_system["items"]), "system filter")


@test("the server stops cleanly")
def _():
    eq(srv().stop(), 0, "exit code")


if __name__ == "__main__":
    main(suite)
