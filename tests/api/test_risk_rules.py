#!/usr/bin/env python3
"""The risk module's rules in the policy engine: risk_assessment_max_age,
risk_assessment_after_change, risk_measures_done, risk_participation and
risk_treatment_documented, each one's statuses as time passes (VARN_NOW) and as the risk data
changes (rows written straight into the 0006 tables), the person each finding names, and the
built-in itcentrum profile's risk obligations on the same data."""
import json
import os
import sqlite3
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from varn_harness import (SOURCE_ROOT, Suite, check, eq, luhn_number, main,  # noqa: E402
                          run_varn, sql_rows, tempdir)

suite = Suite()
test = suite.test

PROFILE = os.path.join(SOURCE_ROOT, "tests", "fixtures", "profiles", "risk.json")
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


def world(profile=PROFILE, code="risk"):
    """PROV under the test profile: a system owner, an information owner and a measure owner,
    one production system (last significant change 2026-01-01) and one information asset
    linked to it before links were dated. OTHER, without the profile, has a system too."""
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
                           ("olle.other", "system_owner", "OTHER")):
        ok_run(db, "user", "add", uid, "--name", uid.replace(".", " ").title(), "--email",
               uid + "@prov.example", "--org", org, "--role", role)
    write(os.path.join(d, "systems.csv"),
          "external_id,name,organisation,system_owner,lifecycle,internet_facing,mfa_enforced,"
          "last_significant_change\n"
          "PROV-SYS-1,Ärendesystemet,PROV,sara.agare,production,false,false,2026-01-01\n"
          "OTHER-SYS-1,Annat system,OTHER,olle.other,production,false,false,2026-01-01\n")
    ok_run(db, "import", "systems", os.path.join(d, "systems.csv"))
    write(os.path.join(d, "info.csv"),
          "external_id,name,organisation,information_owner,k,r,t,personal_data,classified_at,"
          "systems\nPROV-INFO-1,Ärenden,PROV,ivar.info,2,1,1,none,2026-01-10,PROV-SYS-1\n")
    ok_run(db, "import", "information", os.path.join(d, "info.csv"))
    sql(db, "UPDATE system_information SET linked_at = NULL")
    if profile != os.path.join(SOURCE_ROOT, "policies", "itcentrum.json"):
        ok_run(db, "policy", "import", profile)
    ok_run(db, "policy", "assign", "--org", "PROV", code)
    return db


def sql(db, statement, params=()):
    con = sqlite3.connect(db)
    try:
        cur = con.execute(statement, params)
        con.commit()
        return cur.lastrowid
    finally:
        con.close()


def ids(db):
    """(PROV's id, OTHER's id, {user_id: person id})."""
    orgs = dict(sql_rows(db, "SELECT code, id FROM organisation"))
    people = dict(sql_rows(db, "SELECT user_id, id FROM person"))
    return orgs["PROV"], orgs["OTHER"], people


def system_id(db, ext):
    return sql_rows(db, "SELECT id FROM system WHERE external_id = ?", (ext,))[0][0]


def assessment(db, org, assessed_on, status="approved", systems=(), title="Årlig riskbedömning"):
    people = ids(db)[2]
    approved = status == "approved"
    aid = sql(db, "INSERT INTO risk_assessment (organisation_id, title, scope, assessed_on,"
                  " trigger_kind, status, approved_by, approved_at, created_at, updated_at)"
                  " VALUES (?, ?, 'system', ?, 'yearly', ?, ?, ?, ?, ?)",
              (org, title, assessed_on, status, people["mia.matt"] if approved else None,
               AT if approved else None, AT, AT))
    for ext in systems:
        sql(db, "INSERT INTO risk_assessment_system (assessment_id, system_id) VALUES (?, ?)",
            (aid, system_id(db, ext)))
    return aid


def risk(db, aid, org, owner, inherent=(3, 3), residual=None, treatment=None, accepted_by=None,
         expires=None, title="Obehörig åtkomst"):
    people = ids(db)[2]
    return sql(db, "INSERT INTO risk (assessment_id, organisation_id, title, inherent_likelihood,"
                   " inherent_consequence, residual_likelihood, residual_consequence, treatment,"
                   " owner_id, accepted_by, accepted_at, acceptance_expires, created_at,"
                   " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
               (aid, org, title, inherent[0], inherent[1],
                residual[0] if residual else None, residual[1] if residual else None, treatment,
                people[owner], people[accepted_by] if accepted_by else None,
                AT if accepted_by else None, expires, AT, AT))


def measure(db, rid, owner, due, status="planned", done_on=None, title="Inför MFA"):
    people = ids(db)[2]
    return sql(db, "INSERT INTO risk_measure (risk_id, title, owner_id, due, status, done_on,"
                   " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
               (rid, title, people[owner], due, status, done_on, AT, AT))


def checked(db, now=T0, org="PROV"):
    r = run_varn("check", "--format", "json", "--org", org, db=db, env={"VARN_NOW": now})
    check(r.returncode in (0, 1, 2), "check failed (%d): %s" % (r.returncode, r.stderr))
    return json.loads(r.stdout)


def findings(db, obligation, now=T0, org="PROV"):
    return [f for f in checked(db, now, org)["findings"] if f["obligation"] == obligation]


def status(db, obligation, now=T0):
    """(status, due) of the obligation's one finding, or None when it has none."""
    got = findings(db, obligation, now)
    check(len(got) <= 1, "%s has %d findings" % (obligation, len(got)))
    return (got[0]["status"], got[0]["due"]) if got else None


# ---- risk_assessment_max_age ----

@test("risk_assessment_max_age: missing without an approved assessment covering the system")
def _():
    db = world()
    prov, other, _ = ids(db)
    eq(status(db, "R-AGE"), ("missing", None), "no assessment")
    assessment(db, prov, "2026-03-01", status="in_progress", systems=["PROV-SYS-1"])
    eq(status(db, "R-AGE"), ("missing", None), "one in progress does not count")
    assessment(db, prov, "2026-03-01")  # approved, but covers no system
    eq(status(db, "R-AGE"), ("missing", None), "an approved one that covers another scope")
    assessment(db, other, "2026-03-01", systems=["OTHER-SYS-1"])
    eq(status(db, "R-AGE"), ("missing", None), "another organisation's assessment")
    f = findings(db, "R-AGE")[0]
    eq((f["subject"], f["responsible"], f["rule"]),
       ({"kind": "system", "id": "PROV-SYS-1", "name": "Ärendesystemet"}, "sara.agare",
        "risk_assessment_max_age"), "the subject and the system owner")
    eq(findings(db, "R-AGE", org="OTHER"), [], "OTHER does not hold the profile")


@test("risk_assessment_max_age: ok, due_soon within warn, overdue after the latest + max_age")
def _():
    db = world()
    prov = ids(db)[0]
    assessment(db, prov, "2026-03-01", systems=["PROV-SYS-1"])
    eq(status(db, "R-AGE"), ("ok", "2027-03-01"), "in June")
    eq(status(db, "R-AGE", "2027-02-10T08:00:00Z"), ("due_soon", "2027-03-01"), "in February")
    eq(status(db, "R-AGE", "2027-03-01T23:00:00Z"), ("due_soon", "2027-03-01"), "on the day")
    eq(status(db, "R-AGE", "2027-03-02T00:00:00Z"), ("overdue", "2027-03-01"), "the day after")
    assessment(db, prov, "2026-02-01", systems=["PROV-SYS-1"])  # older: changes nothing
    eq(status(db, "R-AGE", "2027-03-02T00:00:00Z"), ("overdue", "2027-03-01"), "older one")
    assessment(db, prov, "2027-02-20", systems=["PROV-SYS-1"])
    eq(status(db, "R-AGE", "2027-03-02T00:00:00Z"), ("ok", "2028-02-20"), "a new one")


# ---- risk_assessment_after_change ----

@test("risk_assessment_after_change: due deadline after the change, ok once assessed after it")
def _():
    db = world()
    prov = ids(db)[0]
    # changed 2026-01-01, deadline P60D: due 2026-03-02; warn P14D
    eq(status(db, "R-CHG", "2026-01-10T08:00:00Z"), ("ok", "2026-03-02"), "in January")
    eq(status(db, "R-CHG", "2026-02-20T08:00:00Z"), ("due_soon", "2026-03-02"), "in February")
    eq(status(db, "R-CHG", "2026-03-03T08:00:00Z"), ("overdue", "2026-03-02"), "past it")
    assessment(db, prov, "2025-12-20", systems=["PROV-SYS-1"])
    eq(status(db, "R-CHG", "2026-03-03T08:00:00Z"), ("overdue", "2026-03-02"),
       "an assessment before the change does not count")
    assessment(db, prov, "2026-02-01", status="draft", systems=["PROV-SYS-1"])
    eq(status(db, "R-CHG", "2026-03-03T08:00:00Z"), ("overdue", "2026-03-02"),
       "nor does a draft after it")
    assessment(db, prov, "2026-01-01", systems=["PROV-SYS-1"])
    eq(status(db, "R-CHG", "2026-03-03T08:00:00Z"), ("ok", None), "assessed on the day")


@test("risk_assessment_after_change: a new information asset is a trigger; no trigger is ok")
def _():
    db = world()
    prov = ids(db)[0]
    assessment(db, prov, "2026-02-01", systems=["PROV-SYS-1"])
    eq(status(db, "R-CHG"), ("ok", None), "assessed after the change")
    sql(db, "UPDATE system_information SET linked_at = '2026-04-01'")
    eq(status(db, "R-CHG"), ("overdue", "2026-05-31"), "information linked in April")
    eq(status(db, "R-CHG", "2026-05-20T08:00:00Z"), ("due_soon", "2026-05-31"), "before it")
    sql(db, "UPDATE system_information SET linked_at = '2026-04-01T10:00:00Z'")
    eq(status(db, "R-CHG"), ("overdue", "2026-05-31"), "a linked time counts by its date")
    sql(db, "UPDATE system SET last_significant_change = '2026-05-01'"
            " WHERE external_id = 'PROV-SYS-1'")
    eq(status(db, "R-CHG"), ("ok", "2026-06-30"), "the later of change and link")
    eq(status(db, "R-CHG", "2026-06-20T08:00:00Z"), ("due_soon", "2026-06-30"), "within warn")
    sql(db, "UPDATE system SET last_significant_change = NULL")
    sql(db, "UPDATE system_information SET linked_at = NULL")
    eq(status(db, "R-CHG"), ("ok", None), "nothing changed, nothing linked: no trigger")
    sql(db, "DELETE FROM risk_assessment_system")
    sql(db, "DELETE FROM risk_assessment")
    eq(status(db, "R-CHG"), ("ok", None), "no trigger, no assessment: still ok")


# ---- risk_measures_done ----

@test("risk_measures_done: each measure by its due date; done is ok, cancelled has no finding")
def _():
    db = world()
    prov = ids(db)[0]
    aid = assessment(db, prov, "2026-03-01", systems=["PROV-SYS-1"])
    rid = risk(db, aid, prov, "sara.agare", treatment="reduce")
    eq(findings(db, "R-MEA"), [], "no measures: nothing to judge")
    mid = measure(db, rid, "mia.matt", "2026-07-01")
    eq(status(db, "R-MEA", "2026-05-01T08:00:00Z"), ("ok", "2026-07-01"), "in May")
    eq(status(db, "R-MEA"), ("due_soon", "2026-07-01"), "a month before")
    eq(status(db, "R-MEA", "2026-07-02T08:00:00Z"), ("overdue", "2026-07-01"), "past it")
    f = findings(db, "R-MEA")[0]
    eq((f["subject"], f["responsible"], f["organisation"]),
       ({"kind": "risk_measure", "id": str(mid), "name": "Inför MFA"}, "mia.matt", "PROV"),
       "the measure and its owner")
    sql(db, "UPDATE risk_measure SET status = 'in_progress'")
    eq(status(db, "R-MEA", "2026-07-02T08:00:00Z"), ("overdue", "2026-07-01"), "in progress")
    sql(db, "UPDATE risk_measure SET status = 'done', done_on = '2026-07-05'")
    eq(status(db, "R-MEA", "2026-07-06T08:00:00Z"), ("ok", None), "done")
    sql(db, "UPDATE risk_measure SET status = 'cancelled', done_on = NULL")
    eq(findings(db, "R-MEA", "2026-07-06T08:00:00Z"), [], "cancelled")


# ---- risk_participation ----

@test("risk_participation: missing while an invited information owner has not taken part")
def _():
    db = world()
    prov, _, people = ids(db)
    aid = assessment(db, prov, "2026-03-01", status="draft", systems=["PROV-SYS-1"])
    sql(db, "INSERT INTO risk_participant (assessment_id, person_id, capacity) VALUES (?, ?,"
            " 'information_owner')", (aid, people["ivar.info"]))
    sql(db, "INSERT INTO risk_participant (assessment_id, person_id, capacity, participated_at)"
            " VALUES (?, ?, 'system_owner', ?)", (aid, people["sara.agare"], AT))
    eq(findings(db, "R-PAR"), [], "a draft is not judged")
    sql(db, "UPDATE risk_assessment SET status = 'in_progress'")
    eq(status(db, "R-PAR"), ("missing", None), "in progress, the information owner absent")
    f = findings(db, "R-PAR")[0]
    eq((f["subject"], f["responsible"]),
       ({"kind": "risk_assessment", "id": str(aid), "name": "Årlig riskbedömning"}, "ivar.info"),
       "the assessment and the absent information owner")
    sql(db, "UPDATE risk_participant SET participated_at = ? WHERE capacity ="
            " 'information_owner'", (AT,))
    eq(status(db, "R-PAR"), ("ok", None), "they took part")
    sql(db, "UPDATE risk_assessment SET status = 'approved', approved_by = ?, approved_at = ?",
        (people["mia.matt"], AT))
    eq(status(db, "R-PAR"), ("ok", None), "approved")
    aid2 = assessment(db, prov, "2026-04-01", title="Förändring")
    eq([f["status"] for f in findings(db, "R-PAR")], ["ok", "ok"],
       "an approved assessment without invited information owners")
    sql(db, "INSERT INTO risk_participant (assessment_id, person_id, capacity) VALUES (?, ?,"
            " 'information_owner')", (aid2, people["ivar.info"]))
    eq(sorted(f["status"] for f in findings(db, "R-PAR")), ["missing", "ok"], "the second")


# ---- risk_treatment_documented ----

@test("risk_treatment_documented: risks above the threshold need a treatment; reduce a measure")
def _():
    db = world()
    prov, _, people = ids(db)
    aid = assessment(db, prov, "2026-03-01", systems=["PROV-SYS-1"])
    rid = risk(db, aid, prov, "sara.agare", inherent=(3, 3))
    eq(status(db, "R-TRT"), ("missing", None), "9 above the default threshold 8, untreated")
    f = findings(db, "R-TRT")[0]
    eq((f["subject"], f["responsible"]),
       ({"kind": "risk", "id": str(rid), "name": "Obehörig åtkomst"}, "sara.agare"),
       "the risk and its owner")
    sql(db, "UPDATE risk SET treatment = 'reduce'")
    eq(status(db, "R-TRT"), ("missing", None), "reduce without a measure")
    mid = measure(db, rid, "mia.matt", "2026-09-01")
    eq(status(db, "R-TRT"), ("ok", None), "reduce with a measure")
    sql(db, "UPDATE risk_measure SET status = 'cancelled' WHERE id = ?", (mid,))
    eq(status(db, "R-TRT"), ("missing", None), "its only measure cancelled")
    sql(db, "UPDATE risk SET treatment = 'transfer'")
    eq(status(db, "R-TRT"), ("ok", None), "transferred")
    sql(db, "UPDATE risk SET treatment = NULL, residual_likelihood = 1,"
            " residual_consequence = 2")
    eq(status(db, "R-TRT"), None, "residual 2: at most the threshold, no finding")
    sql(db, "UPDATE risk SET residual_likelihood = 3, residual_consequence = 3")
    eq(status(db, "R-TRT"), ("missing", None), "residual 9 is above it")
    sql(db, "INSERT INTO risk_matrix (organisation_id, likelihood_names, consequence_names,"
            " bands, acceptance_threshold, acceptance_validity, updated_at)"
            " VALUES (?, '[]', '[]', '[]', 10, 'P1Y', ?)", (prov, AT))
    eq(status(db, "R-TRT"), None, "the organisation's threshold 10")
    sql(db, "UPDATE risk SET residual_likelihood = NULL, residual_consequence = NULL,"
            " inherent_likelihood = 4, inherent_consequence = 3")
    eq(status(db, "R-TRT"), ("missing", None), "no residual rating: the inherent 12 counts")
    check(people, "people")


@test("risk_treatment_documented: an acceptance needs who accepted and an expiry in the future")
def _():
    db = world()
    prov = ids(db)[0]
    aid = assessment(db, prov, "2026-03-01", systems=["PROV-SYS-1"])
    risk(db, aid, prov, "sara.agare", inherent=(4, 4), treatment="accept")
    eq(status(db, "R-TRT"), ("missing", None), "accepted by nobody")
    sql(db, "UPDATE risk SET accepted_by = (SELECT id FROM person WHERE user_id = 'mia.matt'),"
            " accepted_at = ?", (AT,))
    eq(status(db, "R-TRT"), ("missing", None), "without an expiry")
    sql(db, "UPDATE risk SET acceptance_expires = '2026-12-31'")
    eq(status(db, "R-TRT"), ("ok", "2026-12-31"), "accepted until December")
    eq(status(db, "R-TRT", "2026-12-10T08:00:00Z"), ("due_soon", "2026-12-31"), "renew soon")
    eq(status(db, "R-TRT", "2027-01-01T08:00:00Z"), ("overdue", "2026-12-31"), "expired")
    sql(db, "UPDATE risk SET acceptance_expires = '2027-12-31'")
    eq(status(db, "R-TRT", "2027-01-01T08:00:00Z"), ("ok", "2027-12-31"), "renewed")


# ---- the built-in profile ----

@test("itcentrum's risk obligations are tracked: RSK-1, -2, -3, -4 and ANS-16 on risk data")
def _():
    db = world(os.path.join(SOURCE_ROOT, "policies", "itcentrum.json"), "itcentrum")
    prov = ids(db)[0]
    aid = assessment(db, prov, "2026-03-01", status="in_progress", systems=["PROV-SYS-1"])
    people = ids(db)[2]
    sql(db, "INSERT INTO risk_participant (assessment_id, person_id, capacity) VALUES (?, ?,"
            " 'information_owner')", (aid, people["ivar.info"]))
    rid = risk(db, aid, prov, "sara.agare", inherent=(4, 3), treatment="reduce")
    measure(db, rid, "mia.matt", "2026-05-01")
    doc = checked(db)
    got = {f["obligation"]: (f["status"], f["subject"]["kind"], f["responsible"])
           for f in doc["findings"] if f["rule"].startswith("risk_")}
    eq(got, {"ITC-RSK-1": ("missing", "system", "sara.agare"),
             "ITC-ANS-7": ("missing", "system", "sara.agare"),
             "ITC-RSK-2": ("overdue", "system", "sara.agare"),
             "ITC-RSK-3": ("overdue", "risk_measure", "mia.matt"),
             "ITC-RSK-4": ("ok", "risk", "sara.agare"),
             "ITC-ANS-16": ("missing", "risk_assessment", "ivar.info")},
       "the findings of the risk rules")
    check(all(f["status"] != "not_tracked" for f in doc["findings"]
              if f["rule"].startswith("risk_")), "none is not_tracked")


if __name__ == "__main__":
    main(suite)
