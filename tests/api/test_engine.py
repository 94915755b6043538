#!/usr/bin/env python3
"""The policy engine: the profile validator's errors, every rule's statuses as time passes
(VARN_NOW) and as data changes, varn check's output and exit codes, not_tracked for rules of
modules not built yet, and the findings the server stores and keeps current."""
import copy
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from varn_harness import (SOURCE_ROOT, Server, Suite, check, contains, eq,  # noqa: E402
                          luhn_number, main, run_varn, sql_rows, tempdir, wait_for)

suite = Suite()
test = suite.test

PROFILE = os.path.join(SOURCE_ROOT, "tests", "fixtures", "profiles", "prov.json")
T0 = "2026-06-01T09:00:00Z"


def write(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


def varn(db, *args, now=T0):
    return run_varn(*args, db=db, env={"VARN_NOW": now})


def ok_run(db, *args, now=T0):
    r = varn(db, *args, now=now)
    eq(r.returncode, 0, "varn %s: %s" % (" ".join(args), r.stderr))
    return r


def world():
    """A database with organisation PROV under the test profile: a system owner, an
    information owner and a committee member, one production system and one information
    asset classified on 2026-01-10 (K2), not yet linked."""
    d = tempdir()
    db = os.path.join(d, "varn.db")
    ok_run(db, "init")
    write(os.path.join(d, "orgs.csv"), "code,name,kind,parent_code,org_number\n"
          "PROV,Provkommunen,municipality,ITC,%s\n" % luhn_number("212000987"))
    ok_run(db, "import", "organisations", os.path.join(d, "orgs.csv"))
    for uid, role in (("sara.agare", "system_owner"), ("ivar.info", "information_owner"),
                      ("nina.namnd", "committee_member")):
        ok_run(db, "user", "add", uid, "--name", uid.replace(".", " ").title(), "--email",
               uid + "@prov.example", "--org", "PROV", "--role", role)
    write(os.path.join(d, "systems.csv"),
          "external_id,name,organisation,system_owner,lifecycle,internet_facing,mfa_enforced,"
          "last_significant_change\n"
          "PROV-SYS-1,Ärendesystemet,PROV,sara.agare,production,false,false,2026-01-01\n")
    ok_run(db, "import", "systems", os.path.join(d, "systems.csv"))
    info(db, d, k=2, systems="")
    ok_run(db, "policy", "import", PROFILE)
    ok_run(db, "policy", "assign", "--org", "PROV", "prov")
    return db, d


def info(db, d, k=2, systems="", classified="2026-01-10"):
    write(os.path.join(d, "info.csv"),
          "external_id,name,organisation,information_owner,k,r,t,personal_data,classified_at,"
          "systems\nPROV-INFO-1,Ärenden,PROV,ivar.info,%d,1,1,none,%s,%s\n"
          % (k, classified, systems))
    ok_run(db, "import", "information", os.path.join(d, "info.csv"))


def checked(db, now=T0, org="PROV"):
    """(exit code, the JSON document) of varn check --format json --org org at now."""
    r = varn(db, "check", "--format", "json", "--org", org, now=now)
    check(r.returncode in (0, 1, 2), "check failed (%d): %s" % (r.returncode, r.stderr))
    return r.returncode, json.loads(r.stdout)


def finding(doc, obligation):
    """The one finding of an obligation (each has one subject in this world), or None."""
    got = [f for f in doc["findings"] if f["obligation"] == obligation]
    check(len(got) <= 1, "%s has %d findings" % (obligation, len(got)))
    return got[0] if got else None


def status(db, obligation, now=T0):
    f = finding(checked(db, now)[1], obligation)
    return (f["status"], f["due"]) if f else None


# ---- the validator ----

def broken(mutate):
    with open(PROFILE, encoding="utf-8") as f:
        p = json.load(f)
    mutate(p)
    return write(os.path.join(tempdir(), "broken.json"), json.dumps(p, ensure_ascii=False))


def ob(p, oid):
    return next(o for o in p["obligations"] if o["id"] == oid)


CASES = [
    ("unknown rule", lambda p: ob(p, "P-OWN").update(rule="system_owner_assignd"),
     "obligation P-OWN: field 'rule': unknown rule kind 'system_owner_assignd'"),
    ("bad period", lambda p: ob(p, "P-CUR")["params"].update(max_age="P1Q"),
     "obligation P-CUR: field 'params.max_age': 'P1Q' is not an ISO 8601 period"),
    ("unknown citation", lambda p: ob(p, "P-CLS").update(cite="§ skydd.9"),
     "obligation P-CLS: field 'cite': '§ skydd.9' is not a paragraph of this profile"),
    ("unknown parameter", lambda p: ob(p, "P-CLS")["params"].update(max_age="P1Y"),
     "obligation P-CLS: field 'params.max_age': rule 'system_classified' takes no parameter"),
    ("missing parameter", lambda p: ob(p, "P-ATT")["params"].pop("interval"),
     "obligation P-ATT: field 'params.interval': rule 'attestation' needs it"),
    ("unknown field", lambda p: ob(p, "P-MFA").update(parms={}),
     "obligation P-MFA: field 'parms': is not a field of a profile"),
    ("duplicate id", lambda p: ob(p, "P-MFA").update(id="P-CLS"),
     "obligation P-CLS: field 'id': appears twice in the profile"),
    ("wrong subject", lambda p: ob(p, "P-CUR")["applies_to"].update(kind="system"),
     "obligation P-CUR: field 'applies_to.kind': rule 'classification_current' judges "
     "information subjects, not 'system'"),
    ("bad lifecycle", lambda p: ob(p, "P-OWN")["applies_to"]["where"].update(lifecycle=["live"]),
     "obligation P-OWN: field 'applies_to.where.lifecycle': 'live' is not one of its values"),
    ("unknown section", lambda p: ob(p, "P-ATT").update(section="Revision"),
     "obligation P-ATT: field 'section': 'Revision' is not one of the profile's sections"),
    ("unknown responsible", lambda p: ob(p, "P-ATT").update(responsible="kommunchef"),
     "obligation P-ATT: field 'responsible': 'kommunchef' is neither a role id"),
    ("responsible on information", lambda p: ob(p, "P-OMF").update(responsible="ciso"),
     "obligation P-OMF: field 'responsible': an information row has nobody responsible"),
    ("format", lambda p: p.update(format=2), "field 'format': must be 1"),
]


@test("the validator names the obligation and the field of each kind of problem; exit 1")
def _():
    for what, mutate, message in CASES:
        path = broken(mutate)
        r = run_varn("policy", "validate", path)
        eq(r.returncode, 1, "%s: exit code (%s)" % (what, r.stdout))
        contains(r.stderr, path + ": " + message, what)


@test("a profile that does not validate is not loaded: the database is unchanged")
def _():
    db = os.path.join(tempdir(), "varn.db")
    ok_run(db, "init")
    before = sql_rows(db, "SELECT count(*), max(seq) FROM audit_log")
    r = varn(db, "policy", "import", broken(lambda p: ob(p, "P-OWN").update(rule="nope")))
    eq(r.returncode, 1, "exit code")
    eq(sql_rows(db, "SELECT code FROM policy_profile ORDER BY code"),
       [("itcentrum",), ("ostersund",)], "profiles")
    eq(sql_rows(db, "SELECT count(*), max(seq) FROM audit_log"), before, "audit log")
    r = varn(db, "policy", "assign", "--org", "ITC", "prov")
    eq(r.returncode, 1, "assigning a profile that is not loaded")
    contains(r.stderr, "there is no profile 'prov'", "message")


@test("the built-in profiles validate; init loads both and puts ITC under itcentrum")
def _():
    for name in ("itcentrum.json", "ostersund.json"):
        r = run_varn("policy", "validate", os.path.join(SOURCE_ROOT, "policies", name))
        eq((r.returncode, r.stderr), (0, ""), name)
    db = os.path.join(tempdir(), "varn.db")
    ok_run(db, "init")
    eq(sql_rows(db, "SELECT code, builtin FROM policy_profile ORDER BY code"),
       [("itcentrum", 1), ("ostersund", 1)], "loaded")
    eq(sql_rows(db, "SELECT o.code, p.code FROM organisation_profile op JOIN organisation o"
                    " ON o.id = op.organisation_id JOIN policy_profile p ON p.id = op.profile_id"),
       [("ITC", "itcentrum")], "assigned")
    ok_run(db, "init")  # again: nothing changes, nothing is audited twice
    eq(sql_rows(db, "SELECT count(*) FROM audit_log WHERE action = 'policy_profile.load'"),
       [(2,)], "loads audited once")
    # An organisation's own copy under the built-in code survives the next init.
    with open(os.path.join(SOURCE_ROOT, "policies", "itcentrum.json"), encoding="utf-8") as f:
        own = json.load(f)
    own["version"] = "vår egen 1"
    ok_run(db, "policy", "import", write(os.path.join(tempdir(), "egen.json"),
                                         json.dumps(own, ensure_ascii=False)))
    ok_run(db, "init")
    eq(sql_rows(db, "SELECT version, builtin FROM policy_profile WHERE code = 'itcentrum'"),
       [("vår egen 1", 0)], "the organisation's own profile after init")


# ---- the rules, as time passes and data changes ----

@test("classification_current: ok, due_soon within warn, overdue after classified + max_age")
def _():
    db, d = world()
    eq(status(db, "P-CUR", "2026-06-01T09:00:00Z"), ("ok", "2027-01-10"), "in June")
    eq(status(db, "P-CUR", "2026-12-15T09:00:00Z"), ("due_soon", "2027-01-10"), "in December")
    eq(status(db, "P-CUR", "2027-01-10T23:00:00Z"), ("due_soon", "2027-01-10"), "on the day")
    eq(status(db, "P-CUR", "2027-01-11T00:00:00Z"), ("overdue", "2027-01-10"), "the day after")
    info(db, d, classified="2026-12-20")  # reclassified: a new year starts
    eq(status(db, "P-CUR", "2027-01-11T00:00:00Z"), ("ok", "2027-12-20"), "after review")


@test("system_classified: missing until the system processes classified information")
def _():
    db, d = world()
    eq(status(db, "P-CLS"), ("missing", None), "no information")
    info(db, d, systems="PROV-SYS-1")
    eq(status(db, "P-CLS"), ("ok", None), "linked")


@test("mfa_enforced: only systems whose levels require MFA; missing until it is enforced")
def _():
    db, d = world()
    info(db, d, k=2, systems="PROV-SYS-1")
    eq(status(db, "P-MFA"), None, "K2: MFA not required, no finding")
    info(db, d, k=3, systems="PROV-SYS-1")
    eq(status(db, "P-MFA"), ("missing", None), "K3 without MFA")
    write(os.path.join(d, "systems.csv"),
          "external_id,name,organisation,system_owner,lifecycle,internet_facing,mfa_enforced,"
          "last_significant_change\n"
          "PROV-SYS-1,Ärendesystemet,PROV,sara.agare,production,false,true,2026-01-01\n")
    ok_run(db, "import", "systems", os.path.join(d, "systems.csv"))
    eq(status(db, "P-MFA"), ("ok", None), "K3 with MFA")


@test("system_owner_assigned and information_owner_assigned: leaving soon, left, disabled")
def _():
    db, d = world()
    eq(status(db, "P-OWN"), ("ok", None), "owner here")
    people = os.path.join(d, "people.csv")
    header = ("user_id,name,email,organisation,manager_user_id,employment_start,employment_end,"
              "privileged\n")
    write(people, header + "sara.agare,Sara Agare,sara.agare@prov.example,PROV,,2020-01-01,"
          "2026-06-20,false\nivar.info,Ivar Info,ivar.info@prov.example,PROV,,2020-01-01,"
          "2026-05-01,false\n")
    ok_run(db, "import", "people", people)
    eq(status(db, "P-OWN"), ("due_soon", "2026-06-20"), "owner leaves in 19 days")
    eq(status(db, "P-OWN", "2026-06-21T08:00:00Z"), ("missing", None), "owner has left")
    eq(status(db, "P-IOWN"), ("missing", None), "information owner left in May")
    write(people, header + "sara.agare,Sara Agare,sara.agare@prov.example,PROV,,2020-01-01,,"
          "false\n")
    ok_run(db, "import", "people", people)
    eq(status(db, "P-OWN", "2026-06-21T08:00:00Z"), ("ok", None), "end date removed")


@test("catalog_complete: software without a version, licence expiry coming and passed")
def _():
    db, d = world()
    eq(status(db, "P-CAT"), ("ok", None), "no components")
    comps = os.path.join(d, "components.csv")
    header = ("system_external_id,kind,name,vendor,product,version,cpe,licence_count,"
              "licences_in_use,licence_expiry,end_of_support\n")
    write(comps, header + "PROV-SYS-1,software,Ärendemotor,Acme,motor,,,,,,\n")
    ok_run(db, "import", "components", comps)
    eq(status(db, "P-CAT"), ("missing", None), "a version is missing")
    write(comps, header + "PROV-SYS-1,software,Ärendemotor,Acme,motor,4.2,,,,,\n"
          "PROV-SYS-1,licence,Ärendemotor licens,Acme,motor,,,50,40,2026-06-15,\n")
    ok_run(db, "import", "components", comps)
    eq(status(db, "P-CAT"), ("due_soon", "2026-06-15"), "licence expires in two weeks")
    eq(status(db, "P-CAT", "2026-06-16T08:00:00Z"), ("overdue", "2026-06-15"), "expired")
    eq(status(db, "P-CAT", "2026-04-01T08:00:00Z"), ("ok", "2026-06-15"), "months ahead")


@test("attestation: missing, then ok for its interval, due_soon, then overdue")
def _():
    db, d = world()
    f = finding(checked(db)[1], "P-ATT")
    eq((f["status"], f["due"], f["responsible"], f["subject"]),
       ("missing", None, "nina.namnd", {"kind": "organisation", "id": "PROV",
                                        "name": "Provkommunen"}), "nothing attested")
    org = sql_rows(db, "SELECT id FROM organisation WHERE code = 'PROV'")[0][0]
    sql = ("INSERT INTO attestation (organisation_id, obligation, attested_by, attested_at,"
           " statement, created_at) VALUES (?, 'P-ATT', 'nina.namnd', ?, 'Uppföljt', ?)")
    import sqlite3
    con = sqlite3.connect(db)
    con.execute(sql, (org, "2026-03-01T10:00:00Z", "2026-03-01T10:00:00Z"))
    con.commit()
    con.close()
    eq(status(db, "P-ATT"), ("ok", "2027-03-01"), "attested in March")
    eq(status(db, "P-ATT", "2027-02-10T08:00:00Z"), ("due_soon", "2027-03-01"), "a year on")
    eq(status(db, "P-ATT", "2027-03-02T08:00:00Z"), ("overdue", "2027-03-01"), "past it")


@test("rules of modules not built yet are not_tracked, never ok; information rows yield nothing")
def _():
    db, _ = world()
    code, doc = checked(db)
    f = finding(doc, "P-RST")
    eq((f["status"], f["rule"], f["subject"]["kind"]),
       ("not_tracked", "restore_test_max_age", "organisation"), "restore tests")
    eq(finding(doc, "P-OMF"), None, "the scope row")
    check(all(f["profile"] == "prov" and f["profile_version"] == "test-1"
              for f in doc["findings"]), "every finding records the profile's version")


# ---- varn check ----

@test("check --format json: the contract's fields, the responsible person, counts in summary")
def _():
    db, d = world()
    info(db, d, k=2, systems="PROV-SYS-1")
    code, doc = checked(db)
    eq(doc["now"], T0, "now")
    f = finding(doc, "P-OWN")
    eq(f, {"obligation": "P-OWN", "cite": "§ ansvar.1", "section": "Ansvar",
           "organisation": "PROV",
           "subject": {"kind": "system", "id": "PROV-SYS-1", "name": "Ärendesystemet"},
           "status": "ok", "due": None, "responsible": "sara.agare", "profile": "prov",
           "profile_version": "test-1", "rule": "system_owner_assigned"}, "a finding")
    eq(finding(doc, "P-CUR")["responsible"], "ivar.info", "information owner")
    eq(finding(doc, "P-CAT")["responsible"], None, "no administrator named")
    s = doc["summary"]
    eq(s["total"], len(doc["findings"]), "total")
    eq((s["ok"], s["missing"], s["not_tracked"]), (5, 1, 1), "counts")
    eq(s["by_organisation"]["PROV"]["missing"], 1, "per organisation")


@test("check's exit code: 0 all met, 1 due soon, 2 overdue or missing; text groups by section")
def _():
    db, d = world()
    info(db, d, k=2, systems="PROV-SYS-1")
    org = sql_rows(db, "SELECT id FROM organisation WHERE code = 'PROV'")[0][0]
    import sqlite3
    con = sqlite3.connect(db)
    con.execute("INSERT INTO attestation (organisation_id, obligation, attested_by, attested_at,"
                " statement, created_at) VALUES (?, 'P-ATT', 'nina.namnd', '2026-05-01T08:00:00Z',"
                " 'Uppföljt', '2026-05-01T08:00:00Z')", (org,))
    con.commit()
    con.close()
    eq(checked(db, "2026-06-01T09:00:00Z")[0], 0, "everything met (not_tracked aside)")
    eq(checked(db, "2026-12-20T09:00:00Z")[0], 1, "the classification review is near")
    eq(checked(db, "2027-02-01T09:00:00Z")[0], 2, "it is overdue")
    r = varn(db, "check", "--org", "PROV", now="2027-02-01T09:00:00Z")
    eq(r.returncode, 2, "text: same exit code")
    contains(r.stdout, "Skydd (prov):", "a section block")
    contains(r.stdout, "OVERDUE     P-CUR", "the overdue finding")
    contains(r.stdout, "ivar.info", "who must act")
    check("P-OWN" not in r.stdout, "ok findings are only counted in text")
    r = varn(db, "check", "--org", "NOPE")
    eq(r.returncode, 3, "an unknown organisation")
    contains(r.stderr, "there is no organisation 'NOPE'", "message")
    for bad in (["--format", "xml"], ["--org"], ["extra"]):
        eq(varn(db, "check", *bad).returncode, 2, "usage error %r" % bad)


# ---- stored findings ----

@test("the server stores the findings, with today's snapshot, and refreshes them after a change")
def _():
    db, d = world()
    srv = Server(db=db, init=False).start()
    try:
        def stored():
            return sql_rows(db, "SELECT f.status FROM finding f WHERE obligation = 'P-CLS'")
        check(wait_for(lambda: stored() == [("missing",)], timeout=30),
              "no stored finding for P-CLS: %r" % (stored(),))
        n = sql_rows(db, "SELECT count(*) FROM finding")[0][0]
        _, now_doc = checked(db, time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), org="PROV")
        eq(sql_rows(db, "SELECT count(*) FROM finding f JOIN organisation o"
                        " ON o.id = f.organisation_id WHERE o.code = 'PROV'")[0][0],
           len(now_doc["findings"]), "the same findings as varn check")
        today = time.strftime("%Y-%m-%d", time.gmtime())
        eq(sql_rows(db, "SELECT sum(count) FROM finding_snapshot WHERE day = ?", (today,))[0][0],
           n, "today's snapshot counts every finding")
        info(db, d, k=2, systems="PROV-SYS-1")  # a change: a new audit entry
        check(wait_for(lambda: stored() == [("ok",)], timeout=30),
              "the change did not reach the stored findings: %r" % (stored(),))
    finally:
        srv.stop()


if __name__ == "__main__":
    main(suite)
