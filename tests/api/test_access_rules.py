#!/usr/bin/env python3
"""Access control's rules in the policy engine, judged with the built-in itcentrum profile
(ITC-ATK-1, -3, -4, -5, -6, -9, ITC-ANS-8, ITC-ANS-17) and ostersund's OST-POL-8: each
finding appears, names the person who must act, moves with time (VARN_NOW) and clears when
the data changes; and the person fields they rest on (title, role_changed_at) through the
people API and the people import.

People, organisations, systems and information come in through the product (varn import,
varn user add, the API). Accounts, grants, requests and reviews are written into the 0007
tables with sqlite3 while no server runs, until the access module's API and imports exist."""
import json
import os
import sqlite3
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from varn_harness import (Server, Suite, check, eq, luhn_number, main,  # noqa: E402
                          run_varn, sql_rows, tempdir)

suite = Suite()
test = suite.test

T0 = "2026-06-01T09:00:00Z"
AT = "2026-01-01T08:00:00Z"


def write(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


def ok_run(db, *args, now=T0):
    r = run_varn(*args, db=db, env={"VARN_NOW": now})
    eq(r.returncode, 0, "varn %s: %s" % (" ".join(args), r.stderr))
    return r


PEOPLE_HEADER = ("user_id,name,email,organisation,manager_user_id,employment_start,"
                 "employment_end,privileged,title\n")


def people(db, rows, now=T0):
    """varn import people with a title column: rows of (user_id, manager, end, title)."""
    d = os.path.dirname(db)
    text = PEOPLE_HEADER + "".join(
        "%s,%s,%s@prov.example,PROV,%s,,%s,false,%s\n"
        % (u, u.replace(".", " ").title(), u, m or "", end or "", title or "")
        for u, m, end, title in rows)
    return ok_run(db, "import", "people", write(os.path.join(d, "people.csv"), text), now=now)


def world():
    """PROV under itcentrum: a system owner, an information owner, a security officer, a
    manager and two staff who report to her; PROV-SYS-1 (processes K3 information, so MFA is
    required; not enforced) and PROV-SYS-2 (K1). OTHER, under ostersund, has a system too."""
    d = tempdir()
    db = os.path.join(d, "varn.db")
    ok_run(db, "init")
    write(os.path.join(d, "orgs.csv"), "code,name,kind,parent_code,org_number\n"
          "PROV,Provkommunen,municipality,ITC,%s\n"
          "OTHER,Annan kommun,municipality,ITC,%s\n"
          % (luhn_number("212000987"), luhn_number("212000988")))
    ok_run(db, "import", "organisations", os.path.join(d, "orgs.csv"))
    for uid, role, org in (("sara.agare", "system_owner", "PROV"),
                           ("ivar.info", "information_owner", "PROV"),
                           ("mia.matt", "security_officer", "PROV"),
                           ("chef.chefsson", "manager", "PROV"),
                           ("anna.anstalld", "user", "PROV"),
                           ("bo.byte", "user", "PROV"),
                           ("olle.other", "system_owner", "OTHER"),
                           ("otto.chef", "manager", "OTHER"),
                           ("ove.other", "user", "OTHER")):
        ok_run(db, "user", "add", uid, "--name", uid.replace(".", " ").title(), "--email",
               uid + "@prov.example", "--org", org, "--role", role)
    people(db, [("anna.anstalld", "chef.chefsson", None, "Handläggare"),
                ("bo.byte", "chef.chefsson", None, "Handläggare")])
    write(os.path.join(d, "other.csv"), PEOPLE_HEADER +
          "ove.other,Ove Other,ove.other@prov.example,OTHER,otto.chef,,,false,\n")
    ok_run(db, "import", "people", os.path.join(d, "other.csv"))
    write(os.path.join(d, "systems.csv"),
          "external_id,name,organisation,system_owner,lifecycle,internet_facing,mfa_enforced,"
          "last_significant_change\n"
          "PROV-SYS-1,Ärendesystemet,PROV,sara.agare,production,false,false,\n"
          "PROV-SYS-2,Intranätet,PROV,sara.agare,production,false,false,\n"
          "OTHER-SYS-1,Annat system,OTHER,olle.other,production,false,false,\n")
    ok_run(db, "import", "systems", os.path.join(d, "systems.csv"))
    write(os.path.join(d, "info.csv"),
          "external_id,name,organisation,information_owner,k,r,t,personal_data,classified_at,"
          "systems\n"
          "PROV-INFO-1,Ärenden,PROV,ivar.info,3,2,2,none,2026-01-10,PROV-SYS-1\n"
          "PROV-INFO-2,Nyheter,PROV,ivar.info,1,1,1,none,2026-01-10,PROV-SYS-2\n")
    ok_run(db, "import", "information", os.path.join(d, "info.csv"))
    ok_run(db, "policy", "assign", "--org", "PROV", "itcentrum")
    ok_run(db, "policy", "assign", "--org", "OTHER", "ostersund")
    return db


def sql(db, statement, params=()):
    con = sqlite3.connect(db)
    try:
        cur = con.execute(statement, params)
        con.commit()
        return cur.lastrowid
    finally:
        con.close()


def pid(db, user_id):
    return sql_rows(db, "SELECT id FROM person WHERE user_id = ?", (user_id,))[0][0]


def sid(db, ext):
    return sql_rows(db, "SELECT id, organisation_id FROM system WHERE external_id = ?", (ext,))[0]


def account(db, ext, username, person=None, shared=False, privileged=False, mfa=False,
            last_login=None, status="active"):
    system, sys_org = sid(db, ext)
    org = sql_rows(db, "SELECT organisation_id FROM person WHERE user_id = ?",
                   (person,))[0][0] if person else sys_org
    return sql(db, "INSERT INTO account (system_id, organisation_id, username, person_id, shared,"
                   " privileged, mfa_enrolled, last_login, status, source, created_at,"
                   " updated_at, removed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'csv', ?, ?, ?)",
               (system, org, username, pid(db, person) if person else None, int(shared),
                int(privileged), int(mfa), last_login, status, AT, AT,
                AT if status == "removed" else None))


def entitlement(db, ext, name, privileged=False):
    return sql(db, "INSERT INTO entitlement (system_id, name, privileged, created_at)"
                   " VALUES (?, ?, ?, ?)", (sid(db, ext)[0], name, int(privileged), AT))


def grant(db, account_id, entitlement_id, granted_at="2026-01-01", source="csv", request=None):
    system, org = sql_rows(db, "SELECT system_id, organisation_id FROM account WHERE id = ?",
                           (account_id,))[0]
    return sql(db, "INSERT INTO access_grant (account_id, entitlement_id, system_id,"
                   " organisation_id, granted_at, request_id, source)"
                   " VALUES (?, ?, ?, ?, ?, ?, ?)",
               (account_id, entitlement_id, system, org, granted_at, request, source))


def revoke(db, grant_id, at="2026-06-01T10:00:00Z"):
    sql(db, "UPDATE access_grant SET revoked_at = ?, revoke_reason = 'Slutat' WHERE id = ?",
        (at, grant_id))


def request(db, ext, entitlement_id, person, status="approved", decided_by=None,
            created="2026-01-01T08:00:00Z"):
    system, _ = sid(db, ext)
    org = sql_rows(db, "SELECT organisation_id FROM person WHERE user_id = ?", (person,))[0][0]
    decided = status not in ("pending", "withdrawn")
    return sql(db, "INSERT INTO access_request (organisation_id, system_id, entitlement_id,"
                   " person_id, requested_by, justification, status, decided_by, decided_at,"
                   " created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'Behövs i tjänsten', ?, ?,"
                   " ?, ?, ?)",
               (org, system, entitlement_id, pid(db, person), pid(db, person), status,
                pid(db, decided_by) if decided else None, AT if decided else None, created,
                created))


def review(db, ext, completed_at, items=()):
    """A completed review campaign of the system; items: (grant id, decision, decided_at)."""
    system, org = sid(db, ext)
    rid = sql(db, "INSERT INTO access_review (organisation_id, title, due_on, status,"
                  " started_at, completed_at, updated_at)"
                  " VALUES (?, 'Årlig granskning', ?, 'completed', ?, ?, ?)",
              (org, completed_at[:10], AT, completed_at, completed_at))
    sql(db, "INSERT INTO access_review_system (review_id, system_id, items, completed_at)"
            " VALUES (?, ?, ?, ?)", (rid, system, len(items), completed_at))
    for g, decision, at in items:
        sql(db, "INSERT INTO access_review_item (review_id, grant_id, system_id,"
                " organisation_id, reviewer_id, decision, comment, decided_by, decided_at)"
                " SELECT ?, id, system_id, organisation_id, ?, ?, 'Granskad', ?, ? FROM"
                " access_grant WHERE id = ?",
            (rid, pid(db, "ivar.info"), decision, pid(db, "ivar.info"), at, g))
    return rid


def checked(db, now=T0, org="PROV"):
    r = run_varn("check", "--format", "json", "--org", org, db=db, env={"VARN_NOW": now})
    check(r.returncode in (0, 1, 2), "check failed (%d): %s" % (r.returncode, r.stderr))
    return json.loads(r.stdout)


def findings(db, obligation, now=T0, org="PROV"):
    return [f for f in checked(db, now, org)["findings"] if f["obligation"] == obligation]


def brief(fs):
    """Each finding as (subject kind, subject id or name, status, due, responsible), sorted."""
    return sorted((f["subject"]["kind"], f["subject"]["id"], f["status"], f["due"],
                   f["responsible"]) for f in fs)


def org_ok(responsible=None, org="PROV"):
    return ("organisation", org, "ok", None, responsible)


# ---- ITC-ATK-1: access_unique_identity ----

@test("ITC-ATK-1: ok per organisation while every active account is a person's; an account "
      "of nobody is missing")
def _():
    db = world()
    for u in ("anna.anstalld", "bo.byte", "sara.agare"):
        account(db, "PROV-SYS-1", u, person=u)
    eq(brief(findings(db, "ITC-ATK-1")), [org_ok("mia.matt")], "one ok for PROV, not one per account")
    svc = account(db, "PROV-SYS-1", "svc_batch")
    got = findings(db, "ITC-ATK-1")
    eq(brief(got), [("account", str(svc), "missing", None, "mia.matt")], "the account of nobody")
    eq(got[0]["subject"]["name"], "svc_batch i Ärendesystemet", "named by username and system")
    eq(got[0]["rule"], "access_unique_identity", "rule")
    sql(db, "UPDATE account SET status = 'disabled' WHERE id = ?", (svc,))
    eq(brief(findings(db, "ITC-ATK-1")), [org_ok("mia.matt")], "a disabled account is no gap")


@test("ITC-ATK-1: a shared account is missing until an approved exception, excepted until it "
      "ends, due_soon near its end and missing again after")
def _():
    db = world()
    shared = account(db, "PROV-SYS-1", "reception", shared=True)
    eq(brief(findings(db, "ITC-ATK-1")), [("account", str(shared), "missing", None, "mia.matt")],
       "no exception")
    sql(db, "UPDATE account SET exception_reason = 'Receptionens gemensamma dator',"
            " exception_until = '2026-12-31' WHERE id = ?", (shared,))
    eq(brief(findings(db, "ITC-ATK-1"))[0][2], "missing", "an exception nobody approved")
    sql(db, "UPDATE account SET exception_approved_by = ?, exception_approved_at = ?"
            " WHERE id = ?", (pid(db, "mia.matt"), AT, shared))
    eq(brief(findings(db, "ITC-ATK-1")),
       [("account", str(shared), "excepted", "2026-12-31", "mia.matt")], "excepted")
    eq(brief(findings(db, "ITC-ATK-1", "2026-12-10T08:00:00Z"))[0][2:4],
       ("due_soon", "2026-12-31"), "the exception ends within warn (P30D)")
    eq(brief(findings(db, "ITC-ATK-1", "2027-01-01T08:00:00Z"))[0][2:4],
       ("missing", None), "the exception has ended")


# ---- ITC-ATK-4: access_privileged_mfa ----

@test("ITC-ATK-4: a system whose levels require MFA is missing until it enforces MFA; its "
      "privileged accounts without MFA are findings of their own until enrolled")
def _():
    db = world()
    account(db, "PROV-SYS-1", "anna", person="anna.anstalld")  # not privileged: no finding
    admin = account(db, "PROV-SYS-1", "adm_sara", person="sara.agare", privileged=True)
    bo = account(db, "PROV-SYS-1", "bo", person="bo.byte")
    root = entitlement(db, "PROV-SYS-1", "Systemadministratör", privileged=True)
    g = grant(db, bo, root)
    account(db, "PROV-SYS-2", "adm_sys2", person="sara.agare", privileged=True)  # K1: no MFA
    eq(brief(findings(db, "ITC-ATK-4")),
       [("account", str(admin), "missing", None, "sara.agare"),
        ("account", str(bo), "missing", None, "sara.agare"),
        ("system", "PROV-SYS-1", "missing", None, "sara.agare")],
       "the system, its privileged account, and the account holding a privileged entitlement")
    sql(db, "UPDATE account SET mfa_enrolled = 1 WHERE id = ?", (admin,))
    revoke(db, g)
    eq(brief(findings(db, "ITC-ATK-4")), [("system", "PROV-SYS-1", "missing", None, "sara.agare")],
       "enrolled, and the privileged entitlement revoked: the system alone remains")
    sql(db, "UPDATE account SET mfa_enrolled = 0 WHERE id = ?", (admin,))
    sql(db, "UPDATE system SET mfa_enforced = 1 WHERE external_id = 'PROV-SYS-1'")
    eq(brief(findings(db, "ITC-ATK-4")), [("system", "PROV-SYS-1", "ok", None, "sara.agare")],
       "enforced by the system: ok, whatever the accounts' own enrolment")
    eq(brief(findings(db, "OST-POL-2", org="OTHER")), [], "OST-POL-2 keeps mfa_enforced")


# ---- ITC-ATK-5, ITC-ANS-8: access_review_max_age ----

@test("ITC-ATK-5 and ITC-ANS-8: a system with active grants is missing until a review "
      "completes, then due P1Y later; the information owner and the system owner answer")
def _():
    db = world()
    eq(findings(db, "ITC-ATK-5"), [], "no grants: nothing to review")
    a = account(db, "PROV-SYS-1", "anna", person="anna.anstalld")
    g = grant(db, a, entitlement(db, "PROV-SYS-1", "Handläggare"))
    eq(brief(findings(db, "ITC-ATK-5")), [("system", "PROV-SYS-1", "missing", None, "ivar.info")],
       "never reviewed; the information owner")
    eq(brief(findings(db, "ITC-ANS-8")),
       [("system", "PROV-SYS-1", "missing", None, "sara.agare")], "ITC-ANS-8: the system owner")
    review(db, "PROV-SYS-1", "2026-05-01T12:00:00Z", [(g, "keep", "2026-04-20T10:00:00Z")])
    eq(brief(findings(db, "ITC-ATK-5")),
       [("system", "PROV-SYS-1", "ok", "2027-05-01", "ivar.info")], "reviewed")
    eq(brief(findings(db, "ITC-ATK-5", "2027-04-10T08:00:00Z"))[0][2], "due_soon", "a year on")
    eq(brief(findings(db, "ITC-ATK-5", "2027-05-02T08:00:00Z"))[0][2], "overdue", "past it")
    revoke(db, g)
    eq(findings(db, "ITC-ATK-5", "2027-05-02T08:00:00Z"), [], "no active grants left")


# ---- ITC-ATK-6: access_review_on_role_change ----

@test("ITC-ATK-6: a new title (people import) makes the person's older grants due for review "
      "within P30D; a decided review item after the change clears it")
def _():
    db = world()
    a = account(db, "PROV-SYS-1", "bo", person="bo.byte")
    g = grant(db, a, entitlement(db, "PROV-SYS-1", "Handläggare"))
    eq(brief(findings(db, "ITC-ATK-6")), [org_ok()], "no role change")
    people(db, [("bo.byte", "chef.chefsson", None, "Controller")], now="2026-06-01T09:00:00Z")
    eq(sql_rows(db, "SELECT title, role_changed_at FROM person WHERE user_id = 'bo.byte'"),
       [("Controller", "2026-06-01T09:00:00Z")], "the import recorded the change")
    got = findings(db, "ITC-ATK-6")
    eq(brief(got), [("person", "bo.byte", "due_soon", "2026-07-01", "chef.chefsson")],
       "due for review; the manager answers")
    eq(got[0]["subject"]["name"], "Bo Byte", "the person's name")
    eq(brief(findings(db, "ITC-ATK-6", "2026-07-02T08:00:00Z"))[0][2], "overdue", "past warn")
    review(db, "PROV-SYS-1", "2026-05-30T08:00:00Z", [(g, "keep", "2026-05-30T08:00:00Z")])
    eq(brief(findings(db, "ITC-ATK-6"))[0][2], "due_soon", "a review before the change")
    review(db, "PROV-SYS-1", "2026-06-10T08:00:00Z", [(g, "keep", "2026-06-10T08:00:00Z")])
    eq(brief(findings(db, "ITC-ATK-6", "2026-07-02T08:00:00Z")), [org_ok()], "reviewed after it")
    grant(db, a, entitlement(db, "PROV-SYS-1", "Attestant"), granted_at="2026-06-15")
    eq(brief(findings(db, "ITC-ATK-6", "2026-07-02T08:00:00Z")), [org_ok()],
       "a grant given after the change is no old access to review")


# ---- ITC-ATK-9: access_offboarding ----

@test("ITC-ATK-9: an end date within the notice (P14D) is due_soon, a passed one overdue, "
      "for people with active grants; revoking the grants clears it")
def _():
    db = world()
    a = account(db, "PROV-SYS-1", "anna", person="anna.anstalld")
    g1 = grant(db, a, entitlement(db, "PROV-SYS-1", "Handläggare"))
    g2 = grant(db, a, entitlement(db, "PROV-SYS-1", "Attestant"))
    eq(brief(findings(db, "ITC-ATK-9")), [org_ok()], "nobody leaves")
    people(db, [("anna.anstalld", "chef.chefsson", "2026-08-31", "Handläggare")])
    eq(brief(findings(db, "ITC-ATK-9")), [org_ok()], "the end is beyond the notice")
    people(db, [("anna.anstalld", "chef.chefsson", "2026-06-10", "Handläggare")])
    eq(brief(findings(db, "ITC-ATK-9")),
       [("person", "anna.anstalld", "due_soon", "2026-06-10", "chef.chefsson")],
       "within the notice; the manager answers")
    eq(brief(findings(db, "ITC-ATK-9", "2026-06-10T16:00:00Z"))[0][2], "due_soon", "last day")
    eq(brief(findings(db, "ITC-ATK-9", "2026-06-11T08:00:00Z"))[0][2:4],
       ("overdue", "2026-06-10"), "the day after")
    revoke(db, g1)
    eq(brief(findings(db, "ITC-ATK-9", "2026-06-11T08:00:00Z"))[0][2], "overdue", "one left")
    revoke(db, g2)
    eq(brief(findings(db, "ITC-ATK-9", "2026-06-11T08:00:00Z")), [org_ok()], "all revoked")


@test("ITC-ATK-9: a login after the person's last day is an overdue finding of its own")
def _():
    db = world()
    people(db, [("anna.anstalld", "chef.chefsson", "2026-05-20", "Handläggare")])
    a = account(db, "PROV-SYS-1", "anna", person="anna.anstalld",
                last_login="2026-05-20T15:30:00Z")
    eq(brief(findings(db, "ITC-ATK-9")), [org_ok()], "a login on the last day is no finding")
    sql(db, "UPDATE account SET last_login = '2026-05-25T07:10:00Z' WHERE id = ?", (a,))
    got = findings(db, "ITC-ATK-9")
    eq(brief(got), [("account", str(a), "overdue", "2026-05-20", "chef.chefsson")], "after it")
    eq(got[0]["subject"]["name"],
       "anna i Ärendesystemet: inloggning efter anställningens slut", "a name of its own")


# ---- ITC-ANS-17: access_request_approval ----

@test("ITC-ANS-17: a grant from a request no information owner approved is missing; a request "
      "left pending past the deadline (P14D) is overdue for the system")
def _():
    db = world()
    ent = entitlement(db, "PROV-SYS-1", "Handläggare")
    a = account(db, "PROV-SYS-1", "anna", person="anna.anstalld")
    good = request(db, "PROV-SYS-1", ent, "anna.anstalld", "provisioned", "ivar.info")
    g = grant(db, a, ent, source="request", request=good)
    eq(brief(findings(db, "ITC-ANS-17")), [org_ok()], "approved by the information owner")
    b = account(db, "PROV-SYS-1", "bo", person="bo.byte")
    wrong = request(db, "PROV-SYS-1", ent, "bo.byte", "approved", "sara.agare")
    g2 = grant(db, b, ent, source="request", request=wrong)
    got = findings(db, "ITC-ANS-17")
    eq(brief(got), [("grant", str(g2), "missing", None, "ivar.info")],
       "approved by the system owner, who owns none of its information")
    eq(got[0]["subject"]["name"], "bo: Handläggare i Ärendesystemet", "the grant's name")
    revoke(db, g2)
    revoke(db, g)
    grant(db, a, ent, source="request")
    eq(brief(findings(db, "ITC-ANS-17"))[0][2], "missing", "source request without a request")
    sql(db, "DELETE FROM access_grant WHERE revoked_at IS NULL")
    request(db, "PROV-SYS-1", ent, "bo.byte", "pending", created="2026-05-28T08:00:00Z")
    eq(brief(findings(db, "ITC-ANS-17")), [org_ok()], "pending, due 2026-06-11")
    eq(brief(findings(db, "ITC-ANS-17", "2026-06-05T08:00:00Z")),
       [("system", "PROV-SYS-1", "due_soon", "2026-06-11", "ivar.info")], "within warn (P7D)")
    eq(brief(findings(db, "ITC-ANS-17", "2026-06-12T08:00:00Z"))[0][2], "overdue", "past it")
    sql(db, "UPDATE access_request SET status = 'rejected', decided_by = ?, decided_at = ?",
        (pid(db, "ivar.info"), "2026-06-12T09:00:00Z"))
    eq(brief(findings(db, "ITC-ANS-17", "2026-06-12T10:00:00Z")), [org_ok()], "decided")


# ---- ITC-ATK-3, OST-POL-8: access_least_privilege ----

@test("ITC-ATK-3: a privileged grant is missing until an approved request or a review keeps "
      "it, then due P1Y after the later of them")
def _():
    db = world()
    a = account(db, "PROV-SYS-1", "bo", person="bo.byte")
    grant(db, a, entitlement(db, "PROV-SYS-1", "Handläggare"))  # not privileged
    eq(brief(findings(db, "ITC-ATK-3")), [org_ok("mia.matt")], "nothing privileged")
    root = entitlement(db, "PROV-SYS-1", "Systemadministratör", privileged=True)
    g = grant(db, a, root)
    eq(brief(findings(db, "ITC-ATK-3")), [("grant", str(g), "missing", None, "mia.matt")],
       "nobody has justified it")
    review(db, "PROV-SYS-1", "2026-03-01T12:00:00Z", [(g, "keep", "2026-03-01T10:00:00Z")])
    eq(brief(findings(db, "ITC-ATK-3")), [org_ok("mia.matt")], "a review kept it")
    eq(brief(findings(db, "ITC-ATK-3", "2027-02-10T08:00:00Z")),
       [("grant", str(g), "due_soon", "2027-03-01", "mia.matt")], "the year runs out")
    eq(brief(findings(db, "ITC-ATK-3", "2027-03-02T08:00:00Z"))[0][2], "overdue", "past it")
    req = request(db, "PROV-SYS-1", root, "bo.byte", "provisioned", "ivar.info")
    sql(db, "UPDATE access_request SET decided_at = '2026-09-01T08:00:00Z' WHERE id = ?", (req,))
    sql(db, "UPDATE access_grant SET request_id = ? WHERE id = ?", (req, g))
    eq(brief(findings(db, "ITC-ATK-3", "2027-03-02T08:00:00Z")), [org_ok("mia.matt")],
       "approved in September: good until 2027-09-01")


@test("OST-POL-8: the account holder's manager answers for a privileged grant (ostersund)")
def _():
    db = world()
    a = account(db, "OTHER-SYS-1", "ove", person="ove.other")
    g = grant(db, a, entitlement(db, "OTHER-SYS-1", "Admin", privileged=True))
    eq(brief(findings(db, "OST-POL-8", org="OTHER")),
       [("grant", str(g), "missing", None, "otto.chef")], "the manager")
    eq(findings(db, "OST-POL-8"), [], "PROV is not under ostersund")


# ---- the region's shape: findings in proportion to what fails ----

@test("findings grow with what fails, not with the number of accounts and grants")
def _():
    db = world()
    ents = [entitlement(db, "PROV-SYS-2", "Roll %d" % i) for i in range(5)]
    con = sqlite3.connect(db)
    system, org = sid(db, "PROV-SYS-2")
    anna = pid(db, "anna.anstalld")
    for n in range(400):
        cur = con.execute("INSERT INTO account (system_id, organisation_id, username, person_id,"
                          " status, source, created_at, updated_at) VALUES (?, ?, ?, ?, 'active',"
                          " 'csv', ?, ?)", (system, org, "user%d" % n, anna, AT, AT))
        for e in ents:
            con.execute("INSERT INTO access_grant (account_id, entitlement_id, system_id,"
                        " organisation_id, granted_at, source) VALUES (?, ?, ?, ?, ?, 'csv')",
                        (cur.lastrowid, e, system, org, "2026-01-01"))
    con.commit()
    con.close()
    doc = checked(db)
    access = [f for f in doc["findings"] if f["rule"].startswith("access_")]
    eq(len(access), 8, "one per obligation: 2 000 grants, 400 accounts, nothing failing but "
                       "the unreviewed system (ATK-5 and ANS-8 per system)")
    check(all(f["status"] != "not_tracked" for f in access), "none is not_tracked")


# ---- the person fields ----

@test("people API: title is read, written and cleared; a new title, organisation or manager "
      "sets role_changed_at, other changes leave it")
def _():
    s = Server()
    s.start()
    r = run_varn("token", "create", "--org", "ITC", "--role", "administrator", db=s.db)
    eq(r.returncode, 0, r.stderr)
    auth = {"Authorization": "Bearer " + r.stdout.strip()}

    def call(method, path, body=None):
        st, _, b = s.json(method, path, body, auth)
        return st, b

    st, p = call("POST", "/api/v1/people", {"user_id": "tina.titel", "name": "Tina Titel",
                                             "email": "tina@itc.example", "organisation": "ITC",
                                             "title": "Systemförvaltare"})
    eq(st, 201, "created: %r" % p)
    eq((p["title"], p["role_changed_at"]), ("Systemförvaltare", None), "new: no role change")
    st, p = call("GET", "/api/v1/people/tina.titel")
    eq((st, p["title"], p["role_changed_at"]), (200, "Systemförvaltare", None), "GET shows them")
    st, p = call("PATCH", "/api/v1/people/tina.titel", {"name": "Tina Titelsson"})
    eq((st, p["role_changed_at"]), (200, None), "a new name is no role change")
    st, p = call("PATCH", "/api/v1/people/tina.titel", {"title": "Förvaltningsledare"})
    eq((st, p["title"]), (200, "Förvaltningsledare"), "title changed")
    first = p["role_changed_at"]
    check(isinstance(first, str) and first.endswith("Z") and len(first) == 20,
          "role_changed_at is a UTC time: %r" % first)
    st, p = call("PATCH", "/api/v1/people/tina.titel", {"title": "Förvaltningsledare"})
    eq(p["role_changed_at"], first, "the same title again changes nothing")
    st, bad = call("PATCH", "/api/v1/people/tina.titel", {"title": "två\nrader"})
    eq((st, bad.get("field")), (422, "title"), "a title is one line")
    st, bad = call("PATCH", "/api/v1/people/tina.titel", {"title": "x" * 201})
    eq((st, bad.get("field")), (422, "title"), "at most 200 characters")
    st, p = call("GET", "/api/v1/people/tina.titel")
    eq(p["title"], "Förvaltningsledare", "refused changes changed nothing")
    st, p = call("PATCH", "/api/v1/people/tina.titel", {"title": None})
    eq((st, p["title"]), (200, None), "null clears it")
    sql(s.db, "UPDATE person SET role_changed_at = NULL WHERE user_id = 'tina.titel'")
    st, p = call("PATCH", "/api/v1/people/tina.titel", {"title": "Arkivarie"})
    eq((st, p["role_changed_at"]), (200, None), "a title where there was none is no change")
    st, p = call("PATCH", "/api/v1/people/tina.titel", {"manager_user_id": "admin"})
    eq((st, p["role_changed_at"]), (200, None), "nor a first manager")
    st, _ = call("POST", "/api/v1/people", {"user_id": "chef", "name": "Chef",
                                            "email": "chef@itc.example", "organisation": "ITC"})
    eq(st, 201, "a second manager")
    st, p = call("PATCH", "/api/v1/people/tina.titel", {"manager_user_id": "chef"})
    eq(st, 200, "manager changed: %r" % p)
    check(p["role_changed_at"] is not None, "a new manager is a role change")
    audit = sql_rows(s.db, "SELECT count(*) FROM audit_log WHERE action = 'person.update'"
                           " AND object_id = 'tina.titel'")[0][0]
    eq(audit, 6, "each change audited (name, title, clear, title, two managers)")
    s.stop()


@test("people import: the optional title column; a changed title or organisation sets "
      "role_changed_at, a file without the column keeps the title")
def _():
    db = world()
    eq(sql_rows(db, "SELECT title, role_changed_at FROM person WHERE user_id = 'anna.anstalld'"),
       [("Handläggare", None)], "first import: a title, no change")
    people(db, [("anna.anstalld", "chef.chefsson", None, "Handläggare")],
           now="2026-06-02T08:00:00Z")
    eq(sql_rows(db, "SELECT role_changed_at FROM person WHERE user_id = 'anna.anstalld'"),
       [(None,)], "the same values: no change")
    d = os.path.dirname(db)
    write(os.path.join(d, "moved.csv"),
          "user_id,name,email,organisation,manager_user_id,employment_start,employment_end,"
          "privileged\nanna.anstalld,Anna Anstalld,anna.anstalld@prov.example,OTHER,,,,false\n")
    ok_run(db, "import", "people", os.path.join(d, "moved.csv"), now="2026-06-03T08:00:00Z")
    eq(sql_rows(db, "SELECT title, role_changed_at FROM person WHERE user_id = 'anna.anstalld'"),
       [("Handläggare", "2026-06-03T08:00:00Z")], "moved: title kept, the change recorded")
    write(os.path.join(d, "bad.csv"), PEOPLE_HEADER +
          "bo.byte,Bo Byte,bo.byte@prov.example,PROV,,,,false,\"två\nrader\"\n")
    r = run_varn("import", "people", os.path.join(d, "bad.csv"), db=db, env={"VARN_NOW": T0})
    check(r.returncode != 0, "a title of two lines is refused")
    check("title" in r.stderr, "the message names the column: %s" % r.stderr)
    eq(sql_rows(db, "SELECT title FROM person WHERE user_id = 'bo.byte'"), [("Handläggare",)],
       "nothing applied")


if __name__ == "__main__":
    main(suite)
