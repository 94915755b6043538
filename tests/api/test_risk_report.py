#!/usr/bin/env python3
"""The risk report for IT-nämnden: `varn report risk` and GET /api/v1/risk-report write a PDF
that pdftotext reads back with the Swedish headings and the expected figures (assessments of
the last 12 months, risks per band, the 10 highest residual risks, overdue measures, changes
since the previous report), page numbers and tables that continue across pages; the usage
errors, the 4xx answers, and the audit entry of each report."""
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from varn_harness import (Server, Skip, Suite, check, contains, eq, main,  # noqa: E402
                          run_varn, sql_rows, tempdir)
from test_risk_rules import (AT, assessment, ids, measure, risk, sql,  # noqa: E402
                             world)

suite = Suite()
test = suite.test
T0 = "2026-06-01T09:00:00Z"
state = {}


def pdf_text(data):
    """The text of a PDF (bytes), laid out as pdftotext -layout does, and its page count."""
    if not shutil.which("pdftotext"):
        raise Skip("pdftotext is missing: make deps installs poppler-utils")
    d = tempdir()
    path = os.path.join(d, "r.pdf")
    with open(path, "wb") as f:
        f.write(data)
    r = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", path, "-"],
                       capture_output=True, check=True)
    text = r.stdout.decode("utf-8")
    return text, text.count("\f") or 1


def report(db, *args, now=T0):
    out = os.path.join(tempdir(), "rapport.pdf")
    r = run_varn("report", "risk", "--output", out, *args, db=db, env={"VARN_NOW": now})
    eq(r.returncode, 0, "varn report risk %s: %s" % (" ".join(args), r.stderr))
    with open(out, "rb") as f:
        data = f.read()
    check(data.startswith(b"%PDF-"), "a PDF")
    return pdf_text(data)


def risk_world():
    """PROV (the default matrix) with three assessments, fifteen risks and four measures at
    2026-06-01; OTHER has none. See the figures each test expects."""
    db = world()
    prov = ids(db)[0]
    a1 = assessment(db, prov, "2026-03-01", systems=["PROV-SYS-1"])
    assessment(db, prov, "2026-05-10", status="in_progress", title="Förändring av e-tjänst")
    assessment(db, prov, "2025-05-01", systems=["PROV-SYS-1"], title="Förra årets")
    r1 = risk(db, a1, prov, "sara.agare", (4, 4), (3, 4), "reduce",
              title="Obehörig åtkomst till ärenden")
    r2 = risk(db, a1, prov, "sara.agare", (4, 3), (2, 4), "accept", "mia.matt", "2026-12-31",
              title="Dataförlust vid driftstopp")
    risk(db, a1, prov, "ivar.info", (3, 3), title="Felaktiga behörigheter")
    low = [risk(db, a1, prov, "sara.agare", (2, 2), (1, 1), "accept", "mia.matt", "2027-01-01",
                title="Låg risk %02d" % n) for n in range(4, 13)]
    new = risk(db, a1, prov, "ivar.info", (3, 2), title="Nätfiske mot handläggare")
    sql(db, "UPDATE risk SET created_at = '2026-05-20T10:00:00Z', updated_at ="
            " '2026-05-20T10:00:00Z' WHERE id = ?", (new,))
    sql(db, "UPDATE risk SET updated_at = '2026-05-15T10:00:00Z' WHERE id = ?", (low[-1],))
    sql(db, "INSERT INTO risk_system (risk_id, system_id) SELECT ?, id FROM system"
            " WHERE external_id = 'PROV-SYS-1'", (r1,))
    measure(db, r1, "mia.matt", "2026-05-01", title="Inför MFA i ärendesystemet")
    measure(db, r1, "mia.matt", "2026-08-01", status="in_progress", title="Logga åtkomst")
    measure(db, r2, "sara.agare", "2026-05-30", status="done", done_on="2026-05-20",
            title="Säkerhetskopiera dagligen")
    measure(db, r2, "sara.agare", "2026-02-01", status="done", done_on="2026-02-01",
            title="Byt lösenord")
    return db


def row(text, label):
    """The numbers on the line that starts with label (after the indentation)."""
    for line in text.splitlines():
        s = line.strip()
        if s.startswith(label + " "):
            return s[len(label):].split()
    raise AssertionError("no line %r in:\n%s" % (label, text))


@test("varn report risk: title, date, the summary per organisation and the band counts")
def _():
    db = risk_world()
    text, pages = report(db, "--since", "2026-05-01")
    for heading in ("Riskrapport till IT-nämnden", "Datum: 2026-06-01",
                    "Förändringar räknas från: 2026-05-01", "Provkommunen (PROV)",
                    "Sammanfattning", "De 10 högsta kvarvarande riskerna", "Försenade åtgärder",
                    "Förändringar sedan förra rapporten"):
        contains(text, heading, "heading")
    check("Annan kommun" not in text, "OTHER has no assessment: not in the report")
    contains(text, "Riskbedömningar de senaste 12 månaderna: 2", "assessments since 2025-06-01")
    contains(text, "Andel godkända riskbedömningar: 50 % (1 av 2)", "approved share")
    contains(text, "Risker: 13, acceptansnivå: riskvärde 8", "risks and threshold")
    eq(row(text, "Hög"), ["3", "1"], "Hög: inherent 16, 12, 9; residual 12")
    eq(row(text, "Medel"), ["1", "1"], "Medel: inherent 6; residual 8")
    eq(row(text, "Låg"), ["9", "9"], "Låg")
    eq(row(text, "Ej bedömd"), ["–", "2"], "no residual rating")
    contains(text, "Sida 1 av %d" % pages, "page number")


@test("an organisation's own matrix: its bands and acceptance threshold")
def _():
    db = risk_world()
    prov = ids(db)[0]
    sql(db, "INSERT INTO risk_matrix (organisation_id, likelihood_names, consequence_names,"
            " bands, acceptance_threshold, acceptance_validity, updated_at) VALUES (?, '[]',"
            " '[]', ?, 8, 'P1Y', ?)",
        (prov, '[{"name": "Grön", "colour": "#2e7d32", "max": 3},'
               ' {"name": "Gul", "colour": "#f9a825", "max": 8},'
               ' {"name": "Röd", "colour": "#c62828", "max": 25}]', AT))
    text, _ = report(db, "--since", "2026-05-01")
    contains(text, "Risker: 13, acceptansnivå: riskvärde 8", "the organisation's threshold")
    eq(row(text, "Grön"), ["0", "9"], "Grön: inherent 4s are above 3; residual 1s")
    eq(row(text, "Gul"), ["10", "1"], "Gul: inherent 4s and 6; residual 8")
    eq(row(text, "Röd"), ["3", "1"], "Röd")
    check("Medel" not in text, "not the default bands")


@test("varn report risk: the 10 highest residual risks, overdue measures, changes since")
def _():
    db = risk_world()
    text, _ = report(db, "--since", "2026-05-01")
    top = text[text.index("De 10 högsta"):text.index("Försenade åtgärder")]
    order = ["Obehörig åtkomst", "Felaktiga behörigheter", "Dataförlust vid", "Nätfiske mot"] + ["Låg risk %02d" % n for n in range(4, 10)]
    at = [top.index(t) for t in order]
    eq(at, sorted(at), "highest first: 12, 9 (inherent, no residual), 8, 6, then the 1s")
    for absent in ("Låg risk 10", "Låg risk 11", "Låg risk 12"):
        check(absent not in top, "%s is not among the ten" % absent)
    contains(top, "Ärendesystemet", "the risk's system")
    line = next(s for s in top.splitlines() if "Obehörig åtkomst" in s)
    for cell in ("12", "Hög", "Sara Agare", "Reducera"):
        contains(line, cell, "the highest risk's row")
    line = next(s for s in top.splitlines() if "Felaktiga behörigheter" in s)
    contains(line, "Ej beslutad", "no treatment yet")
    overdue = text[text.index("Försenade åtgärder"):text.index("Förändringar sedan")]
    contains(overdue, "Inför MFA i ärendesystemet", "the overdue measure")
    contains(overdue, "2026-05-01", "its due date")
    contains(overdue, "Mia Matt", "its owner")
    check("Logga åtkomst" not in overdue, "a measure not yet due")
    changes = text[text.index("Förändringar sedan"):]
    contains(changes, "Sedan 2026-05-01: nya risker 1, ändrade risker 1, genomförda åtgärder 1.",
             "the counts")
    contains(changes, "Nätfiske mot", "the new risk")
    contains(changes, "Låg risk 12", "the changed risk")
    contains(changes, "Säkerhetskopiera dagligen", "the measure done in May")
    check("Byt lösenord" not in changes, "a measure done before since")
    text, _ = report(db, "--since", "2026-05-18")
    contains(text, "nya risker 1, ändrade risker 0, genomförda åtgärder 1.", "later since")


@test("since defaults to the previous report of the same scope, else 90 days before today")
def _():
    db = risk_world()
    text, _ = report(db)
    contains(text, "Förändringar räknas från: 2026-03-03", "no report before: 90 days")
    eq(sql_rows(db, "SELECT actor LIKE 'cli:%', object_kind, object_id FROM audit_log"
                    " WHERE action = 'risk_report.export'"), [(1, "risk_report", "*")],
       "the report is audited")
    text, _ = report(db, now="2026-06-10T09:00:00Z")
    contains(text, "Förändringar räknas från: 2026-06-01", "the previous report's date")
    text, _ = report(db, "--org", "prov", now="2026-06-10T09:00:00Z")
    contains(text, "Förändringar räknas från: 2026-03-12", "PROV alone: its own history")
    contains(text, "Provkommunen (PROV)", "the organisation, its code normalised")
    text, _ = report(db, "--org", "PROV", now="2026-06-20T09:00:00Z")
    contains(text, "Förändringar räknas från: 2026-06-10", "PROV's previous report")


@test("a long table continues across A4 pages with its header, and the pages are numbered")
def _():
    db = world()
    prov = ids(db)[0]
    aid = assessment(db, prov, "2026-03-01")
    for n in range(1, 151):
        rid = risk(db, aid, prov, "sara.agare", (2, 3), title="Risk nummer %03d med en lång titel"
                   " som får brytas över flera rader i tabellens första kolumn" % n)
        sql(db, "UPDATE risk SET created_at = '2026-05-20T10:00:00Z' WHERE id = ?", (rid,))
    text, pages = report(db, "--since", "2026-05-01")
    check(pages >= 4, "150 wrapped rows take several pages (%d)" % pages)
    for n in range(1, pages + 1):
        contains(text, "Sida %d av %d" % (n, pages), "page %d" % n)
    for n in (1, 75, 150):
        contains(text, "Risk nummer %03d" % n, "row %d" % n)
    eq(sum(1 for p in text.split("\f") if "Behandling" in p) >= pages - 1, True,
       "the header is repeated on the pages the table continues on")


@test("no organisation with an assessment: a report that says so")
def _():
    db = world()
    text, pages = report(db)
    contains(text, "Inga organisationer med riskbedömningar.", "empty")
    eq(pages, 1, "one page")


@test("varn report: usage errors exit 2, a bad date or organisation exits 1 and writes nothing")
def _():
    db = world()
    out = os.path.join(tempdir(), "r.pdf")
    for args in ([], ["frobnicate", "--output", out], ["risk"], ["risk", "--output"],
                 ["risk", "--output", out, "extra"], ["risk", "--output", out, "--org"]):
        r = run_varn("report", *args, db=db)
        eq(r.returncode, 2, "usage error %r (%s)" % (args, r.stderr))
    for args, message in ((["--since", "2026-02-30"], "since must be a real date"),
                          (["--since", "2027-01-01"], "since cannot be after today"),
                          (["--org", "NOPE"], "there is no organisation 'NOPE'")):
        r = run_varn("report", "risk", "--output", out, *args, db=db, env={"VARN_NOW": T0})
        eq(r.returncode, 1, "%r (%s)" % (args, r.stderr))
        contains(r.stderr, message, "message")
        check(not os.path.exists(out), "no file written")
    eq(sql_rows(db, "SELECT count(*) FROM audit_log WHERE action = 'risk_report.export'"),
       [(0,)], "nothing audited")


# ---- GET /api/v1/risk-report ----

def srv():
    if "srv" not in state:
        state["srv"] = Server(db=risk_world(), init=False).start()
    return state["srv"]


def tok(org, role):
    key = (org, role)
    if key not in state:
        r = run_varn("token", "create", "--org", org, "--role", role, "--name", "rapport",
                     db=srv().db)
        eq(r.returncode, 0, "token create %s %s (%s)" % (org, role, r.stderr))
        state[key] = r.stdout.strip()
    return state[key]


def get(path, t):
    return srv().request("GET", path, headers={"Authorization": "Bearer " + t} if t else {})


@test("GET /api/v1/risk-report: a PDF attachment for the roles that may have it, audited")
def _():
    before = sql_rows(srv().db, "SELECT count(*) FROM audit_log WHERE action ="
                                " 'risk_report.export'")[0][0]
    for org, role in (("ITC", "ciso"), ("ITC", "security_officer"), ("PROV", "committee_member"),
                      ("ITC", "administrator"), ("PROV", "head_of_administration")):
        st, h, body = get("/api/v1/risk-report?organisation=PROV&since=2026-05-01", tok(org, role))
        eq(st, 200, "%s at %s (%r)" % (role, org, body[:200]))
        eq(h.get("content-type"), "application/pdf", "Content-Type")
        check(h.get("content-disposition", "").startswith("attachment; filename=\"riskrapport-"),
              "an attachment: %r" % h.get("content-disposition"))
        text, _ = pdf_text(body)
        contains(text, "Riskrapport till IT-nämnden", "title")
        contains(text, "Provkommunen (PROV)", "PROV")
        contains(text, "Förändringar räknas från: 2026-05-01", "since")
    rows = sql_rows(srv().db, "SELECT actor, object_id, after FROM audit_log WHERE action ="
                              " 'risk_report.export' ORDER BY seq")
    eq(len(rows) - before, 5, "each report audited")
    check(rows[-1][0].startswith("token:") and rows[-1][1] == "PROV", "actor and object")
    contains(rows[-1][2], '"format":"pdf"', "the audit entry's after")


@test("GET /api/v1/risk-report: scoped to the caller's organisations")
def _():
    st, _, body = get("/api/v1/risk-report", tok("PROV", "committee_member"))
    eq(st, 200, "all in reach")
    text, _ = pdf_text(body)
    contains(text, "Provkommunen (PROV)", "PROV")
    st, _, body = get("/api/v1/risk-report?organisation=PROV", tok("OTHER", "ciso"))
    eq(st, 404, "PROV is not in OTHER's reach (%r)" % body[:200])
    st, _, body = get("/api/v1/risk-report", tok("OTHER", "ciso"))
    eq(st, 200, "OTHER's own report")
    text, _ = pdf_text(body)
    check("Provkommunen" not in text, "nothing of PROV in OTHER's report")
    contains(text, "Inga organisationer med riskbedömningar.", "OTHER has none")


@test("GET /api/v1/risk-report: 401, 403, 404, 422; a refused request audits no report")
def _():
    before = sql_rows(srv().db, "SELECT count(*) FROM audit_log WHERE action ="
                                " 'risk_report.export'")
    st, _, _ = get("/api/v1/risk-report", None)
    eq(st, 401, "no credentials")
    for role in ("system_owner", "information_owner", "user"):
        st, _, _ = get("/api/v1/risk-report", tok("PROV", role))
        eq(st, 403, role)
    t = tok("ITC", "ciso")
    for query, status, field in (("organisation=NOPE", 404, "organisation"),
                                 ("since=2026-02-30", 422, "since"),
                                 ("since=20260501", 422, "since"),
                                 ("since=2999-01-01", 422, "since"),
                                 ("format=xlsx", 422, "format")):
        st, h, body = get("/api/v1/risk-report?" + query, t)
        eq(st, status, "%s (%r)" % (query, body[:300]))
        eq(h.get("content-type"), "application/problem+json", "a problem")
        if field:
            contains(body.decode("utf-8"), '"%s"' % field, "names the field")
    eq(sql_rows(srv().db, "SELECT count(*) FROM audit_log WHERE action = 'risk_report.export'"),
       before, "no report audited")


@test("the server stops cleanly after the reports (no leak under the sanitizers)")
def _():
    eq(srv().stop(), 0, "exit code")


if __name__ == "__main__":
    main(suite)
