#!/usr/bin/env python3
"""Access control's rules in the policy engine, judged with the built-in itcentrum profile
(ITC-ATK-1, -3, -4, -5, -6, -9, ITC-ANS-8, ITC-ANS-17) and ostersund's OST-POL-8: each
finding appears, names the person who must act, moves with time (VARN_NOW) and clears when
the data changes; and the person fields they rest on (title, role_changed_at) through the
people API and the people import.

Everything is made through the product: organisations, people, systems and information with
varn import and varn user add; accounts and grants with varn import grants (each system's file
is the whole truth, so a grant left out is revoked and a changed column changes the account);
privileged entitlements, exceptions, requests with their decisions and tasks, and review
campaigns with their decisions through the API, as the people whose job they are. Imports run
at VARN_NOW (T0); the server runs on the real clock, so what it records is dated today (TODAY).
The only rows written directly are for a grant marked as coming from a request that was never
approved, which nothing in Värn makes."""
import datetime
import json
import os
import sqlite3
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import access_workflow_helpers  # noqa: E402
import catalog_helpers  # noqa: E402
from varn_harness import (Server, Suite, check, eq, luhn_number, main,  # noqa: E402
                          run_varn, sql_rows, tempdir)

suite = Suite()
test = suite.test

T0 = "2026-06-01T09:00:00Z"
AT = "2026-01-01T08:00:00Z"
TODAY = time.strftime("%Y-%m-%d", time.gmtime())


def day(offset, base=None):
    """base (YYYY-MM-DD, default TODAY) + offset days."""
    d = datetime.date.fromisoformat(base or TODAY) + datetime.timedelta(days=offset)
    return d.isoformat()


def year_on(date):
    d = datetime.date.fromisoformat(date)
    return d.replace(year=d.year + 1).isoformat()


def at(date):
    return date + "T08:00:00Z"


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
    return World(db)


def sql(db, statement, params=()):
    con = sqlite3.connect(db)
    try:
        cur = con.execute(statement, params)
        con.commit()
        return cur.lastrowid
    finally:
        con.close()


class World:
    """world()'s database, its server (started on first use), and each system's accounts and
    grants as the last varn import grants file had them."""

    def __init__(self, db):
        self.db = db
        self.srv = None
        self.rows = {}  # system -> {username: {columns, "grants": {entitlement: granted_at}}}

    def server(self):
        if not self.srv:
            self.srv = Server(db=self.db, init=False)
            self.srv.start()
            catalog_helpers._state.clear()  # its srv() and admin token are this server's
            catalog_helpers._state["srv"] = self.srv
            access_workflow_helpers._people.clear()
        return self.srv

    def api(self, method, path, body=None, status=200):
        """The call as the IT centre's administrator (a token)."""
        self.server()
        return catalog_helpers.ok(method, path, body, status=status)

    def person(self, uid):
        """uid logged in (password and TOTP), as themselves."""
        self.server()
        return access_workflow_helpers.person(uid)

    def stop(self):
        if self.srv:
            self.srv.stop()

    # ---- accounts and grants: varn import grants, the system's whole truth each time ----

    def sync(self, ext, now=T0):
        lines = ["username,user_id,shared,privileged,mfa_enrolled,last_login,status,"
                 "entitlement,granted_at"]
        for u, a in sorted(self.rows.get(ext, {}).items()):
            cols = "%s,%s,%s,%s,%s,%s,%s" % (u, a["person"] or "", "ja" if a["shared"] else "nej",
                                             "ja" if a["privileged"] else "nej",
                                             "ja" if a["mfa"] else "nej", a["last_login"] or "",
                                             a["status"])
            for e, g in sorted(a["grants"].items()) or [("", "")]:
                lines.append("%s,%s,%s" % (cols, e, g))
        path = write(os.path.join(os.path.dirname(self.db), "grants-%s.csv" % ext),
                     "\n".join(lines) + "\n")
        ok_run(self.db, "import", "grants", "--system", ext, path, now=now)

    def account(self, ext, username, person=None, shared=False, privileged=False, mfa=False,
                last_login=None, status="active"):
        grants = self.rows.get(ext, {}).get(username, {}).get("grants", {})
        self.rows.setdefault(ext, {})[username] = {
            "person": person, "shared": shared, "privileged": privileged, "mfa": mfa,
            "last_login": last_login, "status": status, "grants": grants}
        self.sync(ext)
        return self.account_id(ext, username)

    def change(self, ext, username, **cols):
        self.rows[ext][username].update(cols)
        self.sync(ext)

    def grant(self, ext, username, entitlement, granted_at="2026-01-01"):
        self.rows[ext][username]["grants"][entitlement] = granted_at
        self.sync(ext)
        return sql_rows(self.db, "SELECT g.id FROM access_grant g JOIN entitlement e"
                                 " ON e.id = g.entitlement_id WHERE g.account_id = ? AND e.name = ?"
                                 " AND g.revoked_at IS NULL",
                        (self.account_id(ext, username), entitlement))[0][0]

    def revoke(self, ext, username, entitlement):
        del self.rows[ext][username]["grants"][entitlement]
        self.sync(ext)

    def account_id(self, ext, username):
        return sql_rows(self.db, "SELECT a.id FROM account a JOIN system s ON s.id = a.system_id"
                                 " WHERE s.external_id = ? AND a.username = ?",
                        (ext, username))[0][0]

    def privileged(self, ext, name):
        """A privileged entitlement of the system (the import makes plain ones)."""
        return self.api("POST", "/api/v1/systems/%s/entitlements" % ext,
                        {"name": name, "privileged": True}, status=201)

    # ---- the workflows, as the people whose job they are ----

    def review(self, ext):
        """A campaign over the system, every item kept by its reviewer (ivar.info)."""
        r = self.api("POST", "/api/v1/access-reviews",
                     {"title": "Årlig granskning", "due_on": day(30), "systems": [ext]},
                     status=201)
        ivar = self.person("ivar.info")
        items = ivar.ok("GET", "/api/v1/access-reviews/%d/items?reviewer=me&limit=500" % r["id"])
        check(items["items"], "ivar.info has items to review")
        for it in items["items"]:
            ivar.ok("POST", "/api/v1/access-reviews/%d/items/%d" % (r["id"], it["id"]),
                    {"decision": "keep", "comment": "Behövs i tjänsten"})
        return r["id"]

    def ask(self, ext, entitlement, uid):
        """uid asks for the entitlement for themself."""
        r = self.person(uid).ok("POST", "/api/v1/access-requests",
                                {"system": ext, "entitlement": entitlement,
                                 "justification": "Behövs för handläggning av ärenden"},
                                status=201)
        return r["id"]

    def decide(self, rid, decision):
        return self.person("ivar.info").ok("POST", "/api/v1/access-requests/%d/decision" % rid,
                                           {"decision": decision, "comment": "Prövat"})

    def provision(self, task):
        self.api("POST", "/api/v1/access-tasks/%d/done" % task, {})


def pid(db, user_id):
    return sql_rows(db, "SELECT id FROM person WHERE user_id = ?", (user_id,))[0][0]


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


def org_ok(responsible=None, org="PROV", status="ok"):
    return ("organisation", org, status, None, responsible)


# ---- ITC-ATK-1: access_unique_identity ----

@test("ITC-ATK-1: ok per organisation while every active account is a person's; an account "
      "of nobody is missing until disabled")
def _():
    w = world()
    eq(brief(findings(w.db, "ITC-ATK-1")), [("organisation", "PROV", "not_tracked", None,
                                              "mia.matt")],
       "no account known: not tracked, never ok")
    for u in ("anna.anstalld", "bo.byte", "sara.agare"):
        w.account("PROV-SYS-1", u, person=u)
    eq(brief(findings(w.db, "ITC-ATK-1")), [org_ok("mia.matt")],
       "one ok for PROV, not one per account")
    svc = w.account("PROV-SYS-1", "svc_batch")
    got = findings(w.db, "ITC-ATK-1")
    eq(brief(got), [("account", str(svc), "missing", None, "mia.matt")], "the account of nobody")
    eq(got[0]["subject"]["name"], "svc_batch i Ärendesystemet", "named by username and system")
    eq(got[0]["rule"], "access_unique_identity", "rule")
    w.change("PROV-SYS-1", "svc_batch", status="disabled")
    eq(brief(findings(w.db, "ITC-ATK-1")), [org_ok("mia.matt")], "a disabled account is no gap")


@test("ITC-ATK-1: a shared account is missing until an approved exception, excepted until it "
      "ends, due_soon near its end and missing after")
def _():
    w = world()
    shared = w.account("PROV-SYS-1", "reception", shared=True)
    eq(brief(findings(w.db, "ITC-ATK-1")),
       [("account", str(shared), "missing", None, "mia.matt")], "no exception")
    until = day(90)
    w.api("PUT", "/api/v1/accounts/%d/exception" % shared,
          {"reason": "Receptionens gemensamma dator", "until": until})
    eq(brief(findings(w.db, "ITC-ATK-1", at(TODAY))),
       [("account", str(shared), "excepted", until, "mia.matt")], "excepted until its end")
    eq(brief(findings(w.db, "ITC-ATK-1", at(day(80))))[0][2:4], ("due_soon", until),
       "the exception ends within warn (P30D)")
    eq(brief(findings(w.db, "ITC-ATK-1", at(day(91))))[0][2:4], ("missing", None),
       "the exception has ended")
    w.stop()


# ---- ITC-ATK-4: access_privileged_mfa ----

@test("ITC-ATK-4: a system whose levels require MFA is missing until it enforces MFA; its "
      "privileged accounts without MFA are findings of their own until enrolled")
def _():
    w = world()
    w.account("PROV-SYS-1", "anna", person="anna.anstalld")  # not privileged: no finding
    admin = w.account("PROV-SYS-1", "adm_sara", person="sara.agare", privileged=True)
    bo = w.account("PROV-SYS-1", "bo", person="bo.byte")
    w.privileged("PROV-SYS-1", "Systemadministratör")
    w.grant("PROV-SYS-1", "bo", "Systemadministratör")
    w.account("PROV-SYS-2", "adm_sys2", person="sara.agare", privileged=True)  # K1: no MFA
    eq(brief(findings(w.db, "ITC-ATK-4")),
       [("account", str(admin), "missing", None, "sara.agare"),
        ("account", str(bo), "missing", None, "sara.agare"),
        ("system", "PROV-SYS-1", "missing", None, "sara.agare")],
       "the system, its privileged account, and the account holding a privileged entitlement")
    w.change("PROV-SYS-1", "adm_sara", mfa=True)
    w.revoke("PROV-SYS-1", "bo", "Systemadministratör")
    eq(brief(findings(w.db, "ITC-ATK-4")),
       [("system", "PROV-SYS-1", "missing", None, "sara.agare")],
       "enrolled, and the privileged entitlement revoked: the system alone remains")
    w.change("PROV-SYS-1", "adm_sara", mfa=False)
    d = os.path.dirname(w.db)
    write(os.path.join(d, "mfa.csv"),
          "external_id,name,organisation,system_owner,lifecycle,internet_facing,mfa_enforced,"
          "last_significant_change\n"
          "PROV-SYS-1,Ärendesystemet,PROV,sara.agare,production,false,true,\n")
    ok_run(w.db, "import", "systems", os.path.join(d, "mfa.csv"))
    eq(brief(findings(w.db, "ITC-ATK-4")), [("system", "PROV-SYS-1", "ok", None, "sara.agare")],
       "enforced by the system: ok, whatever the accounts' own enrolment")
    eq(brief(findings(w.db, "OST-POL-2", org="OTHER")), [], "OST-POL-2 keeps mfa_enforced")
    w.stop()


# ---- ITC-ATK-5, ITC-ANS-8: access_review_max_age ----

@test("ITC-ATK-5 and ITC-ANS-8: a system with active grants is missing until a review "
      "campaign completes it, then due P1Y later; the information owner and the system owner")
def _():
    w = world()
    eq(findings(w.db, "ITC-ATK-5"), [], "no grants: nothing to review")
    eq(brief(findings(w.db, "ITC-ATK-9")), [org_ok(status="not_tracked")],
       "no account known: offboarding is not tracked either")
    w.account("PROV-SYS-1", "anna", person="anna.anstalld")
    w.grant("PROV-SYS-1", "anna", "Handläggare")
    eq(brief(findings(w.db, "ITC-ATK-5")),
       [("system", "PROV-SYS-1", "missing", None, "ivar.info")], "never reviewed")
    eq(brief(findings(w.db, "ITC-ANS-8")),
       [("system", "PROV-SYS-1", "missing", None, "sara.agare")], "ITC-ANS-8: the system owner")
    w.review("PROV-SYS-1")
    due = year_on(TODAY)
    eq(brief(findings(w.db, "ITC-ATK-5", at(TODAY))),
       [("system", "PROV-SYS-1", "ok", due, "ivar.info")], "reviewed today")
    eq(brief(findings(w.db, "ITC-ATK-5", at(day(-20, due))))[0][2], "due_soon", "a year on")
    eq(brief(findings(w.db, "ITC-ATK-5", at(day(1, due))))[0][2], "overdue", "past it")
    w.revoke("PROV-SYS-1", "anna", "Handläggare")
    eq(findings(w.db, "ITC-ATK-5", at(day(1, due))), [], "no active grants left")
    w.stop()


# ---- ITC-ATK-6: access_review_on_role_change ----

@test("ITC-ATK-6: a new title (people import) makes the person's older grants due for review "
      "within P30D; a review campaign deciding them afterwards clears it")
def _():
    w = world()
    w.account("PROV-SYS-1", "bo", person="bo.byte")
    w.grant("PROV-SYS-1", "bo", "Handläggare")
    eq(brief(findings(w.db, "ITC-ATK-6")), [org_ok()], "no role change")
    people(w.db, [("bo.byte", "chef.chefsson", None, "Controller")], now=T0)
    eq(sql_rows(w.db, "SELECT title, role_changed_at FROM person WHERE user_id = 'bo.byte'"),
       [("Controller", T0)], "the import recorded the change")
    got = findings(w.db, "ITC-ATK-6")
    eq(brief(got), [("person", "bo.byte", "due_soon", "2026-07-01", "chef.chefsson")],
       "due for review; the manager answers")
    eq(got[0]["subject"]["name"], "Bo Byte", "the person's name")
    eq(brief(findings(w.db, "ITC-ATK-6", "2026-07-02T08:00:00Z"))[0][2], "overdue", "past warn")
    w.review("PROV-SYS-1")
    eq(brief(findings(w.db, "ITC-ATK-6", at(TODAY))), [org_ok()], "reviewed after the change")
    people(w.db, [("bo.byte", "chef.chefsson", None, "Ekonom")], now=at(day(1)))
    eq(brief(findings(w.db, "ITC-ATK-6", at(day(1)))),
       [("person", "bo.byte", "due_soon", day(31), "chef.chefsson")],
       "a change after that review counts again")
    w.stop()


# ---- ITC-ATK-9: access_offboarding ----

@test("ITC-ATK-9: an end date within the notice (P14D) is due_soon, a passed one overdue, "
      "for people with active grants; revoking the grants clears it")
def _():
    w = world()
    w.account("PROV-SYS-1", "anna", person="anna.anstalld")
    w.grant("PROV-SYS-1", "anna", "Handläggare")
    w.grant("PROV-SYS-1", "anna", "Attestant")
    eq(brief(findings(w.db, "ITC-ATK-9")), [org_ok()], "nobody leaves")
    people(w.db, [("anna.anstalld", "chef.chefsson", "2026-08-31", "Handläggare")])
    eq(brief(findings(w.db, "ITC-ATK-9")), [org_ok()], "the end is beyond the notice")
    people(w.db, [("anna.anstalld", "chef.chefsson", "2026-06-10", "Handläggare")])
    eq(brief(findings(w.db, "ITC-ATK-9")),
       [("person", "anna.anstalld", "due_soon", "2026-06-10", "chef.chefsson")],
       "within the notice; the manager answers")
    eq(brief(findings(w.db, "ITC-ATK-9", "2026-06-10T16:00:00Z"))[0][2], "due_soon", "last day")
    eq(brief(findings(w.db, "ITC-ATK-9", "2026-06-11T08:00:00Z"))[0][2:4],
       ("overdue", "2026-06-10"), "the day after")
    w.revoke("PROV-SYS-1", "anna", "Handläggare")
    eq(brief(findings(w.db, "ITC-ATK-9", "2026-06-11T08:00:00Z"))[0][2], "overdue", "one left")
    w.revoke("PROV-SYS-1", "anna", "Attestant")
    eq(brief(findings(w.db, "ITC-ATK-9", "2026-06-11T08:00:00Z")), [org_ok()], "all revoked")


@test("ITC-ATK-9: a login after the person's last day is an overdue finding of its own")
def _():
    w = world()
    people(w.db, [("anna.anstalld", "chef.chefsson", "2026-05-20", "Handläggare")])
    a = w.account("PROV-SYS-1", "anna", person="anna.anstalld",
                  last_login="2026-05-20T15:30:00Z")
    eq(brief(findings(w.db, "ITC-ATK-9")), [org_ok()], "a login on the last day is no finding")
    w.change("PROV-SYS-1", "anna", last_login="2026-05-25T07:10:00Z")
    got = findings(w.db, "ITC-ATK-9")
    eq(brief(got), [("account", str(a), "overdue", "2026-05-20", "chef.chefsson")], "after it")
    eq(got[0]["subject"]["name"],
       "anna i Ärendesystemet: inloggning efter anställningens slut", "a name of its own")


# ---- ITC-ANS-17: access_request_approval ----

@test("ITC-ANS-17: a request left pending is due_soon within P7D of its deadline (P14D) and "
      "overdue after, for the information owner; decided, it clears; a grant provisioned from "
      "an approval is ok")
def _():
    w = world()
    w.account("PROV-SYS-1", "anna", person="anna.anstalld")
    w.grant("PROV-SYS-1", "anna", "Handläggare")  # the import makes the entitlement
    rid = w.ask("PROV-SYS-1", "Handläggare", "bo.byte")
    due = day(14)
    eq(brief(findings(w.db, "ITC-ANS-17", at(TODAY))), [org_ok()], "pending, due in 14 days")
    eq(brief(findings(w.db, "ITC-ANS-17", at(day(8)))),
       [("system", "PROV-SYS-1", "due_soon", due, "ivar.info")], "within warn (P7D)")
    eq(brief(findings(w.db, "ITC-ANS-17", at(day(15))))[0][2:4], ("overdue", due), "past it")
    d = w.decide(rid, "approve")
    w.provision(d["task"])
    g = sql_rows(w.db, "SELECT source, request_id FROM access_grant WHERE request_id = ?", (rid,))
    eq(g, [("request", rid)], "the task made the grant from the request")
    eq(brief(findings(w.db, "ITC-ANS-17", at(day(15)))), [org_ok()], "approved and provisioned")
    rid2 = w.ask("PROV-SYS-1", "Handläggare", "sara.agare")
    w.decide(rid2, "reject")
    eq(brief(findings(w.db, "ITC-ANS-17", at(day(15)))), [org_ok()], "rejected is decided too")
    w.stop()


@test("ITC-ANS-17: a grant marked as from a request that was never approved is missing")
def _():
    w = world()
    w.account("PROV-SYS-1", "anna", person="anna.anstalld")
    g = w.grant("PROV-SYS-1", "anna", "Handläggare")
    # Nothing in Värn makes such a grant (only a provisioning task marks one 'request'): it
    # stands for data brought in from elsewhere.
    sql(w.db, "UPDATE access_grant SET source = 'request' WHERE id = ?", (g,))
    got = findings(w.db, "ITC-ANS-17")
    eq(brief(got), [("grant", str(g), "missing", None, "ivar.info")], "no approval")
    eq(got[0]["subject"]["name"], "anna: Handläggare i Ärendesystemet", "the grant's name")
    w.revoke("PROV-SYS-1", "anna", "Handläggare")
    eq(brief(findings(w.db, "ITC-ANS-17")), [org_ok()], "revoked")


# ---- ITC-ATK-3, OST-POL-8: access_least_privilege ----

@test("ITC-ATK-3: a privileged grant is missing until a review keeps it (or a request "
      "approved it), then due P1Y after the later of them")
def _():
    w = world()
    w.account("PROV-SYS-1", "bo", person="bo.byte")
    w.grant("PROV-SYS-1", "bo", "Handläggare")  # not privileged
    eq(brief(findings(w.db, "ITC-ATK-3")), [org_ok("mia.matt")], "nothing privileged")
    w.privileged("PROV-SYS-1", "Systemadministratör")
    g = w.grant("PROV-SYS-1", "bo", "Systemadministratör")
    eq(brief(findings(w.db, "ITC-ATK-3")), [("grant", str(g), "missing", None, "mia.matt")],
       "nobody has justified it")
    w.review("PROV-SYS-1")
    due = year_on(TODAY)
    eq(brief(findings(w.db, "ITC-ATK-3", at(TODAY))), [org_ok("mia.matt")], "a review kept it")
    eq(brief(findings(w.db, "ITC-ATK-3", at(day(-20, due)))),
       [("grant", str(g), "due_soon", due, "mia.matt")], "the year runs out")
    eq(brief(findings(w.db, "ITC-ATK-3", at(day(1, due))))[0][2], "overdue", "past it")
    w.stop()


@test("ITC-ATK-3: a privileged grant provisioned from an approved request is justified")
def _():
    w = world()
    w.account("PROV-SYS-1", "anna", person="anna.anstalld")
    w.privileged("PROV-SYS-1", "Systemadministratör")
    d = w.decide(w.ask("PROV-SYS-1", "Systemadministratör", "bo.byte"), "approve")
    w.provision(d["task"])
    eq(brief(findings(w.db, "ITC-ATK-3", at(TODAY))), [org_ok("mia.matt")], "approved today")
    g = sql_rows(w.db, "SELECT id FROM access_grant WHERE request_id = ?", (d["id"],))[0][0]
    eq(brief(findings(w.db, "ITC-ATK-3", at(day(1, year_on(TODAY))))),
       [("grant", str(g), "overdue", year_on(TODAY), "mia.matt")], "a year and a day on")
    w.stop()


@test("OST-POL-8: the account holder's manager answers for a privileged grant (ostersund)")
def _():
    w = world()
    w.account("OTHER-SYS-1", "ove", person="ove.other")
    w.privileged("OTHER-SYS-1", "Admin")
    g = w.grant("OTHER-SYS-1", "ove", "Admin")
    eq(brief(findings(w.db, "OST-POL-8", org="OTHER")),
       [("grant", str(g), "missing", None, "otto.chef")], "the manager")
    eq(findings(w.db, "OST-POL-8"), [], "PROV is not under ostersund")
    w.stop()


# ---- the region's shape: findings in proportion to what fails ----

@test("findings grow with what fails, not with the number of accounts and grants")
def _():
    w = world()
    w.rows["PROV-SYS-2"] = {
        "user%d" % n: {"person": "anna.anstalld", "shared": False, "privileged": False,
                       "mfa": False, "last_login": None, "status": "active",
                       "grants": {"Roll %d" % i: "2026-01-01" for i in range(5)}}
        for n in range(400)}
    w.sync("PROV-SYS-2")
    eq(sql_rows(w.db, "SELECT count(*) FROM access_grant WHERE revoked_at IS NULL"), [(2000,)],
       "2 000 grants of 400 accounts")
    access = [f for f in checked(w.db)["findings"] if f["rule"].startswith("access_")]
    eq(len(access), 8, "one per obligation: nothing fails but the unreviewed system (ATK-5 "
                       "and ANS-8, per system)")
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
    db = world().db
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
