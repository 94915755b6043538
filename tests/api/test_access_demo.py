#!/usr/bin/env python3
"""varn demo's access control data: six systems of the demo region with accounts, entitlements,
grants, access requests, two completed review campaigns and tasks, made so that every access
finding shows: an account tied to no person, a shared account without an exception and one
with an approved exception, a privileged account without MFA on a K3 system that does not
enforce MFA, open grants of people who have left and of people who leave within the notice
period, a login after the end date, reviews older than a year and recent ones, a pending
request for anna.lindgren to decide and a recent role change. The demo runs at a fixed
VARN_NOW, so every date is checked exactly."""
import datetime
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from varn_harness import Suite, check, eq, main, run_varn, sql_rows, tempdir  # noqa: E402

suite = Suite()
test = suite.test

NOW = "2026-03-16T09:00:00Z"
TODAY = datetime.date(2026, 3, 16)
NOTICE = 14  # days: the notice of access_offboarding in the IT centre profile
_state = {}


def demo_db():
    """init and demo at NOW: (path, output)."""
    if "db" not in _state:
        db = os.path.join(tempdir(), "varn.db")
        env = {"VARN_NOW": NOW, "VARN_DEMO_PASSWORD": "demo-password-123"}
        r = run_varn("init", db=db, env=env)
        eq(r.returncode, 0, "init (%s)" % r.stderr)
        r = run_varn("demo", db=db, env=env)
        eq(r.returncode, 0, "demo (%s)" % r.stderr)
        _state.update(db=db, out=r.stdout)
    return _state["db"], _state["out"]


def one(sql, params=()):
    return sql_rows(demo_db()[0], sql, params)[0][0]


def rows(sql, params=()):
    return sql_rows(demo_db()[0], sql, params)


def days_ago(iso):
    return (TODAY - datetime.date.fromisoformat(iso[:10])).days


@test("the counts printed are the rows created: 6 systems, 32 accounts, 34 grants")
def _():
    _, out = demo_db()
    m = re.search(r"(\d+) systems with (\d+) accounts and (\d+) grants", out)
    check(m, "no access counts in %r" % out[:400])
    eq(tuple(int(x) for x in m.groups()), (6, 32, 34), "printed")
    eq(one("SELECT count(*) FROM system"), 6, "systems")
    eq(one("SELECT count(*) FROM account"), 32, "accounts")
    eq(one("SELECT count(*) FROM access_grant"), 34, "grants")
    eq(one("SELECT count(*) FROM access_grant WHERE revoked_at IS NULL"), 33, "active grants")
    eq(one("SELECT count(*) FROM entitlement"), 22, "entitlements")
    eq(rows("SELECT status, count(*) FROM access_request GROUP BY status ORDER BY status"),
       [("approved", 1), ("pending", 1), ("provisioned", 1), ("rejected", 2)], "requests")
    eq(rows("SELECT status, count(*) FROM access_review GROUP BY status"), [("completed", 2)],
       "reviews")
    eq(rows("SELECT kind, done_at IS NULL, count(*) FROM access_task GROUP BY 1, 2 ORDER BY 1, 2"),
       [("provision", 0, 1), ("provision", 1, 1), ("revoke", 0, 1)], "tasks (kind, open, n)")


@test("accounts belong to their person's organisation, or the system's without one; grants "
      "carry their account's organisation and system")
def _():
    eq(one("SELECT count(*) FROM account a JOIN person p ON p.id = a.person_id"
           " WHERE a.organisation_id <> p.organisation_id"), 0, "person accounts elsewhere")
    eq(one("SELECT count(*) FROM account a JOIN system s ON s.id = a.system_id"
           " WHERE a.person_id IS NULL AND a.organisation_id <> s.organisation_id"), 0,
       "unowned accounts elsewhere")
    eq(one("SELECT count(*) FROM access_grant g JOIN account a ON a.id = g.account_id"
           " WHERE g.organisation_id <> a.organisation_id OR g.system_id <> a.system_id"), 0,
       "grants unlike their account")
    eq(one("SELECT count(*) FROM access_grant g JOIN entitlement e ON e.id = g.entitlement_id"
           " WHERE e.system_id <> g.system_id"), 0, "grants of another system's entitlement")
    eq(one("SELECT count(*) FROM access_grant g JOIN entitlement e ON e.id = g.entitlement_id"
           " JOIN account a ON a.id = g.account_id WHERE e.privileged = 1 AND a.privileged = 0"),
       0, "privileged entitlements on unprivileged accounts")
    # The supplier's people have accounts on the region's systems under their own organisation.
    eq(rows("SELECT a.username, o.code FROM account a JOIN organisation o"
            " ON o.id = a.organisation_id JOIN person p ON p.id = a.person_id"
            " WHERE o.code = 'NORDSYS' ORDER BY 1"),
       [("mira.koskinen", "NORDSYS"), ("nordsys.support", "NORDSYS")], "supplier accounts")


@test("accounts tied to no person, a shared one without exception, one with an approved one")
def _():
    eq(rows("SELECT s.external_id, a.username, a.shared FROM account a JOIN system s"
            " ON s.id = a.system_id WHERE a.person_id IS NULL ORDER BY 2"),
       [("NOR-OMSORG", "omsorg.natt", 1), ("NOR-OMSORG", "svc-integration", 0),
        ("SOD-SKOLA", "vikarie.skola", 1)], "accounts without a person")
    eq(rows("SELECT username FROM account WHERE shared = 1 AND exception_approved_at IS NULL"),
       [("omsorg.natt",)], "shared without an exception")
    reason, until, by, at = rows(
        "SELECT a.exception_reason, a.exception_until, p.user_id, a.exception_approved_at"
        " FROM account a JOIN person p ON p.id = a.exception_approved_by"
        " WHERE a.username = 'vikarie.skola'")[0]
    check(reason, "an exception reason")
    eq(days_ago(until), -120, "exception until, days from now")
    eq(at, NOW, "approved at")
    # Approved by the system's owner, who may approve exceptions.
    eq(by, "nils.engstrom", "approved by")
    eq(one("SELECT count(*) FROM role_assignment ra JOIN person p ON p.id = ra.person_id"
           " WHERE p.user_id = 'nils.engstrom' AND ra.role = 'system_owner'"), 1,
       "the approver holds system_owner")


@test("one privileged account without MFA on a K3 system without enforced MFA; the supplier's, "
      "on a system that enforces MFA, is no finding")
def _():
    eq(rows("SELECT s.external_id, a.username, s.level_k FROM account a JOIN system s"
            " ON s.id = a.system_id WHERE a.privileged = 1 AND a.mfa_enrolled = 0"
            " AND a.status = 'active' AND s.level_k >= 3 AND s.mfa_enforced = 0"),
       [("NOR-OMSORG", "jonas.hedlund", 3)], "the finding")
    eq(rows("SELECT s.external_id, a.username, s.mfa_enforced FROM account a JOIN system s"
            " ON s.id = a.system_id WHERE a.privileged = 1 AND a.mfa_enrolled = 0"
            " ORDER BY 2"),
       [("NOR-OMSORG", "jonas.hedlund", 0), ("NEN-DRIFT", "nordsys.support", 1)],
       "privileged accounts without MFA")
    levels = dict(rows("SELECT external_id, level_k FROM system"))
    eq(levels, {"NOR-OMSORG": 3, "NOR-EKONOMI": 2, "SOD-SKOLA": 2, "VAS-BYGGLOV": 1,
                "NEN-DRIFT": 3, "ITC-LON": 3}, "K per system, from its information")


@test("open grants of people who have left (PAST) and who leave within the notice period")
def _():
    leavers = rows("SELECT p.user_id, p.employment_end, count(g.id) FROM person p"
                   " JOIN account a ON a.person_id = p.id JOIN access_grant g"
                   " ON g.account_id = a.id AND g.revoked_at IS NULL"
                   " WHERE p.employment_end IS NOT NULL GROUP BY p.id ORDER BY p.user_id")
    past = {u: n for u, end, n in leavers if days_ago(end) > 0}
    soon = {u: n for u, end, n in leavers if -NOTICE <= days_ago(end) <= 0}
    eq(past, {"julia.wallin": 2, "oskar.lund": 1}, "grants of people who have left")
    eq(soon, {"emma.olsson": 1, "erik.johansson": 2, "mira.koskinen": 1},
       "grants of people leaving within %d days" % NOTICE)


@test("a last login after the end date, for both who have left")
def _():
    got = rows("SELECT p.user_id, a.last_login FROM account a JOIN person p"
               " ON p.id = a.person_id WHERE p.employment_end IS NOT NULL"
               " AND substr(a.last_login, 1, 10) > p.employment_end ORDER BY 1")
    eq([u for u, _ in got], ["julia.wallin", "oskar.lund"], "who")
    check(all(days_ago(t) < 45 for _, t in got), "after the end 45 days ago: %r" % got)
    eq(one("SELECT count(*) FROM account WHERE last_login > ?", (NOW,)), 0, "logins after now")


@test("two completed campaigns: skola and bygglov reviewed more than a year ago, drift and "
      "lön recently; omsorg and ekonomi never")
def _():
    last = dict(rows("SELECT s.external_id, max(rs.completed_at) FROM system s"
                     " LEFT JOIN access_review_system rs ON rs.system_id = s.id"
                     " GROUP BY s.id"))
    eq(last["NOR-OMSORG"], None, "omsorg")
    eq(last["NOR-EKONOMI"], None, "ekonomi")
    eq(days_ago(last["SOD-SKOLA"]), 405, "skola, days ago")
    eq(days_ago(last["VAS-BYGGLOV"]), 405, "bygglov, days ago")
    eq(days_ago(last["NEN-DRIFT"]), 50, "drift, days ago")
    eq(days_ago(last["ITC-LON"]), 50, "lön, days ago")
    eq(rows("SELECT o.code, p.user_id FROM access_review r JOIN organisation o"
            " ON o.id = r.organisation_id JOIN person p ON p.id = r.started_by GROUP BY 1, 2"),
       [("ITC", "karin.lindqvist")], "started by the IT centre's CISO")


@test("each campaign item is a grant active at its start, decided by an information owner of "
      "the system's information; item counts per system add up")
def _():
    eq(one("SELECT count(*) FROM access_review_item WHERE decision IS NULL"), 0, "undecided")
    eq(one("SELECT count(*) FROM access_review_item i JOIN access_review r"
           " ON r.id = i.review_id JOIN access_grant g ON g.id = i.grant_id"
           " WHERE g.granted_at >= r.started_at OR g.revoked_at < r.started_at"), 0,
       "items for grants not active at the start")
    eq(one("SELECT count(*) FROM access_review_item i WHERE NOT EXISTS (SELECT 1"
           " FROM system_information si JOIN information inf ON inf.id = si.information_id"
           " WHERE si.system_id = i.system_id AND inf.owner_id = i.reviewer_id)"), 0,
       "items whose reviewer owns none of the system's information")
    eq(one("SELECT count(*) FROM access_review_system rs WHERE rs.items <> (SELECT count(*)"
           " FROM access_review_item i WHERE i.review_id = rs.review_id"
           " AND i.system_id = rs.system_id)"), 0, "item counts")
    eq(one("SELECT sum(items) FROM access_review_system"), 21, "items")
    # Every active grant of a reviewed system at the start became an item: the systems'
    # grants granted before the campaign.
    eq(one("SELECT count(*) FROM access_grant g JOIN access_review_system rs"
           " ON rs.system_id = g.system_id JOIN access_review r ON r.id = rs.review_id"
           " WHERE g.granted_at < r.started_at AND NOT EXISTS (SELECT 1 FROM"
           " access_review_item i WHERE i.review_id = r.id AND i.grant_id = g.id)"), 0,
       "grants left out")


@test("one grant revoked in the old campaign, with its reason, and its removal task done by "
      "the system owner")
def _():
    got = rows("SELECT a.username, e.name, g.revoke_reason, i.comment, rv.user_id,"
               " t.done_at IS NOT NULL, tp.user_id FROM access_review_item i"
               " JOIN access_grant g ON g.id = i.grant_id JOIN account a ON a.id = g.account_id"
               " JOIN entitlement e ON e.id = g.entitlement_id"
               " JOIN person rv ON rv.id = g.revoked_by"
               " JOIN access_task t ON t.grant_id = g.id AND t.review_item_id = i.id"
               " JOIN person tp ON tp.id = t.done_by WHERE i.decision = 'revoke'")
    eq(len(got), 1, "revoked items")
    user, ent, reason, comment, by, done, done_by = got[0]
    eq((user, ent, by, done, done_by),
       ("tobias.hansson", "Registrator", "maja.persson", 1, "david.nilsson"), "the revocation")
    eq(comment, reason, "the item's comment is the grant's revoke reason")


@test("a pending request on a system whose information owner is anna.lindgren (Norrby)")
def _():
    got = rows("SELECT s.external_id, e.name, p.user_id, r.justification FROM access_request r"
               " JOIN system s ON s.id = r.system_id JOIN entitlement e"
               " ON e.id = r.entitlement_id JOIN person p ON p.id = r.person_id"
               " WHERE r.status = 'pending'")
    eq([g[:3] for g in got], [("NOR-EKONOMI", "Attestant", "linnea.bjork")], "pending")
    check(got[0][3], "a justification")
    eq(days_ago(one("SELECT created_at FROM access_request WHERE status = 'pending'")), 10,
       "pending for days")
    owners = rows("SELECT DISTINCT p.user_id, o.code FROM access_request r"
                  " JOIN system_information si ON si.system_id = r.system_id"
                  " JOIN information i ON i.id = si.information_id"
                  " JOIN person p ON p.id = i.owner_id JOIN organisation o"
                  " ON o.id = i.organisation_id WHERE r.status = 'pending'")
    eq(owners, [("anna.lindgren", "NORRBY")], "who decides it")


@test("requests are decided by an information owner of the system's information; the "
      "provisioned one and one rejected made grants that name them")
def _():
    eq(one("SELECT count(*) FROM access_request r WHERE r.decided_by IS NOT NULL"
           " AND NOT EXISTS (SELECT 1 FROM system_information si JOIN information i"
           " ON i.id = si.information_id WHERE si.system_id = r.system_id"
           " AND i.owner_id = r.decided_by)"), 0, "decided by someone else")
    got = rows("SELECT p.user_id, e.name, r.status, g.source, gb.user_id,"
               " (SELECT count(*) FROM access_task t WHERE t.request_id = r.id"
               "  AND t.done_at = g.granted_at)"
               " FROM access_grant g JOIN access_request r ON r.id = g.request_id"
               " JOIN person p ON p.id = r.person_id JOIN entitlement e ON e.id = g.entitlement_id"
               " JOIN person gb ON gb.id = g.granted_by ORDER BY 1")
    eq(got, [("maria.ek", "Chef", "rejected", "request", "lena.strand", 0),
             ("mikael.forsberg", "Läsbehörighet", "provisioned", "request", "jonas.hedlund", 1)],
       "grants from requests, by the system's administrator (else its owner); tasks done")
    got = rows("SELECT p.user_id, r.status, t.done_at, a.user_id FROM access_task t"
               " JOIN access_request r ON r.id = t.request_id JOIN person p ON p.id = r.person_id"
               " JOIN person a ON a.id = t.assignee_id WHERE t.done_at IS NULL")
    eq(got, [("ahmed.yusuf", "approved", None, "nils.engstrom")], "the open provisioning task")


@test("varn check shows every access rule's finding on the intended subjects")
def _():
    import json
    db, _ = demo_db()
    r = run_varn("check", "--format", "json", db=db, env={"VARN_NOW": NOW})
    eq(r.returncode, 2, "check: something is overdue or missing (%s)" % r.stderr)
    got = {(f["rule"], f["status"], f["subject"].get("name") or f["subject"]["id"])
           for f in json.loads(r.stdout)["findings"]
           if f["rule"].startswith("access_") and f["status"] != "ok"}
    want = {
        ("access_unique_identity", "missing", "omsorg.natt i Omsorgsjournal"),
        ("access_unique_identity", "missing", "svc-integration i Omsorgsjournal"),
        ("access_unique_identity", "excepted", "vikarie.skola i Skolplattform"),
        ("access_privileged_mfa", "missing", "Omsorgsjournal"),
        ("access_privileged_mfa", "missing", "jonas.hedlund i Omsorgsjournal"),
        ("access_offboarding", "overdue", "Julia Wallin"),
        ("access_offboarding", "overdue", "Oskar Lund"),
        ("access_offboarding", "due_soon", "Erik Johansson"),
        ("access_offboarding", "due_soon", "Emma Olsson"),
        ("access_offboarding", "overdue",
         "julia.wallin i Skolplattform: inloggning efter anställningens slut"),
        ("access_review_max_age", "missing", "Omsorgsjournal"),
        ("access_review_max_age", "overdue", "Skolplattform"),
        ("access_review_on_role_change", "due_soon", "Linnéa Björk"),
        ("access_request_approval", "due_soon", "Ekonomisystem"),
        ("access_request_approval", "missing", "maria.ek: Chef i Lönesystem"),
        ("access_least_privilege", "missing",
         "jonas.hedlund: Systemadministratör i Omsorgsjournal"),
        ("access_least_privilege", "overdue",
         "nils.engstrom: Systemadministratör i Skolplattform"),
    }
    eq(sorted(want - got), [], "findings missing from varn check")
    # Recently reviewed systems and the supplier's privileged account on a system that
    # enforces MFA give no finding.
    names = {n for _, _, n in got}
    for quiet in ("Lönesystem", "Driftövervakning elnät",
                  "nordsys.support i Driftövervakning elnät"):
        check(quiet not in names, "%s has a finding: %r" % (quiet, sorted(got)))


@test("every demo person has a title; linnea.bjork's role changed 12 days ago and her old "
      "grants are still open")
def _():
    eq(one("SELECT count(*) FROM person WHERE user_id <> 'admin' AND title IS NULL"), 0,
       "people without a title")
    got = rows("SELECT user_id, title, role_changed_at FROM person"
               " WHERE role_changed_at IS NOT NULL")
    eq([g[:2] for g in got], [("linnea.bjork", "Controller")], "role changed")
    eq(days_ago(got[0][2]), 12, "days since the change")
    eq(one("SELECT count(*) FROM access_grant g JOIN account a ON a.id = g.account_id"
           " JOIN person p ON p.id = a.person_id WHERE p.user_id = 'linnea.bjork'"
           " AND g.revoked_at IS NULL AND g.granted_at < p.role_changed_at"), 2,
       "grants from before the change")


@test("one audit entry demo.access with the counts; the chain verifies")
def _():
    db, _ = demo_db()
    got = rows("SELECT actor, object_id, after FROM audit_log WHERE action = 'demo.access'")
    eq(len(got), 1, "entries")
    eq(got[0][:2], ("cli:demo", "access"), "actor and object")
    for key, n in (("systems", 6), ("accounts", 32), ("grants", 34), ("requests", 5),
                   ("reviews", 2), ("tasks", 3)):
        check(re.search(r'"%s": ?%d\b' % (key, n), got[0][2]), "%s %d in %s" % (key, n, got[0][2]))
    r = run_varn("audit", "verify", db=db)
    eq(r.returncode, 0, "verify (%s)" % r.stderr)


if __name__ == "__main__":
    main(suite)
