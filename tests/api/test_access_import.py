#!/usr/bin/env python3
"""varn import accounts|grants FILE [--system EXTID] and POST /api/v1/imports/{accounts,grants}:
a file is the whole truth for the systems it names. The first import makes accounts,
entitlements and grants; a re-import reports what was new, removed and changed, removes the
accounts and revokes the grants it no longer has and leaves other systems alone; an accounts
file keeps the grants of the accounts it keeps; a per-system file needs no system column. Every
error class gives its exact FILE:LINE: column 'x': reason and nothing is applied; over HTTP the
rows may only name systems and people in reach, and dry_run changes nothing. One audit entry per
system with its counts. The files are in tests/fixtures/import/."""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from varn_harness import SOURCE_ROOT, Suite, check, eq, main, run_varn, sql_rows  # noqa: E402
from catalog_helpers import digest, ok, srv, token  # noqa: E402

suite = Suite()
test = suite.test

FIXTURES = os.path.join(SOURCE_ROOT, "tests", "fixtures", "import")
EXAMPLES = os.path.join(SOURCE_ROOT, "examples")
_state = {}
DATE_WHY = "a date YYYY-MM-DD or a time YYYY-MM-DDTHH:MM:SSZ (with Z or an offset)"


def setup():
    """The example organisations, people and systems (NORRBY-EKO, NORRBY-HR, SODERAS-BYGG)."""
    if _state:
        return
    db = srv().db
    for kind in ("organisations", "people"):
        r = run_varn("import", kind, os.path.join(EXAMPLES, kind + ".csv"), db=db)
        eq(r.returncode, 0, "import %s (%s)" % (kind, r.stderr))
    for uid, org in (("anna.lind", "NORRBY"), ("lena.holm", "SODERAS")):
        ok("POST", "/api/v1/role-assignments", {"user_id": uid, "role": "system_owner",
                                                "organisation": org}, status=201)
    r = run_varn("import", "systems", os.path.join(EXAMPLES, "systems.csv"), db=db)
    eq(r.returncode, 0, "import systems (%s)" % r.stderr)
    _state["ready"] = True


def imp(kind, name, *extra):
    return run_varn("import", kind, name, *extra, db=srv().db, cwd=FIXTURES)


def imported(kind, name, expect, *extra):
    r = imp(kind, name, *extra)
    eq((r.returncode, r.stdout, r.stderr), (0, expect + "\n", ""),
       "varn import %s %s" % (kind, name))


def refused(kind, name, messages, *extra):
    before = digest()
    r = imp(kind, name, *extra)
    eq(r.returncode, 1, "exit code (stderr %r)" % r.stderr)
    eq(r.stdout, "", "stdout")
    lines = r.stderr.splitlines()
    eq(lines[:-1], messages, "the problems")
    check(lines[-1].startswith("varn: nothing was imported: %d problem" % len(messages)),
          "summary %r" % lines[-1])
    eq(digest(), before, "nothing applied")


def accounts(system):
    return sql_rows(srv().db, "SELECT a.username, p.user_id, o.code, a.shared, a.privileged,"
                    " a.mfa_enrolled, a.last_login, a.status, a.source FROM account a"
                    " JOIN system s ON s.id = a.system_id JOIN organisation o"
                    " ON o.id = a.organisation_id LEFT JOIN person p ON p.id = a.person_id"
                    " WHERE s.external_id = ? ORDER BY a.username", (system,))


def grants(system, active=True):
    return sql_rows(srv().db, "SELECT a.username, e.name, g.granted_at, o.code, g.source,"
                    " g.revoke_reason FROM access_grant g JOIN account a ON a.id = g.account_id"
                    " JOIN entitlement e ON e.id = g.entitlement_id JOIN system s"
                    " ON s.id = g.system_id JOIN organisation o ON o.id = g.organisation_id"
                    " WHERE s.external_id = ? AND (g.revoked_at IS NULL) = ?"
                    " ORDER BY a.username, e.name", (system, 1 if active else 0))


def snapshots(system):
    return [json.loads(r[0]) for r in sql_rows(
        srv().db, "SELECT after FROM audit_log WHERE action = 'access.snapshot'"
        " AND object_id = ? ORDER BY seq", (system,))]


@test("varn import grants makes the accounts, entitlements and grants, prints the counts and "
      "audits each system")
def _():
    setup()
    imported("grants", "access_grants.csv",
             "Imported 6 rows: accounts 5 new, 0 removed, 0 changed; grants 6 new, 0 revoked")
    eq(accounts("NORRBY-EKO"),
       [("admin1", "anna.lind", "NORRBY", 0, 1, 1, "2026-10-30T00:00:00Z", "active", "csv"),
        ("ekonomi-service", None, "NORRBY", 1, 0, 0, None, "active", "csv"),
        ("per.ek", "per.ek", "NORRBY", 0, 0, 1, "2026-11-02T07:45:00Z", "active", "csv")],
       "NORRBY-EKO's accounts")
    eq(accounts("NORRBY-HR"),
       [("anna", "anna.lind", "NORRBY", 0, 0, 0, "2026-09-01T10:00:00Z", "active", "csv"),
        ("per", "per.ek", "NORRBY", 0, 0, 1, None, "disabled", "csv")],
       "NORRBY-HR's accounts (times in UTC)")
    eq([g[:3] for g in grants("NORRBY-EKO")],
       [("admin1", "Systemadministratör", "2023-01-10T00:00:00Z"),
        ("ekonomi-service", "Läsare", grants("NORRBY-EKO")[1][2]),
        ("per.ek", "Attestant", "2024-03-01T00:00:00Z"),
        ("per.ek", "Läsare", "2024-03-01T00:00:00Z")], "NORRBY-EKO's grants")
    check(grants("NORRBY-EKO")[1][2].endswith("Z"), "no granted_at: the import's time")
    eq(sorted(r[0] for r in sql_rows(srv().db, "SELECT e.name FROM entitlement e JOIN system s"
                                     " ON s.id = e.system_id WHERE s.external_id = 'NORRBY-HR'")),
       ["Chef", "Medarbetare"], "entitlements made")
    eq(snapshots("NORRBY-EKO")[-1],
       {"source": "csv", "accounts_new": 3, "accounts_removed": 0, "accounts_changed": 0,
        "grants_new": 4, "grants_removed": 0}, "NORRBY-EKO's audit entry")
    eq(snapshots("NORRBY-HR")[-1]["accounts_new"], 2, "NORRBY-HR's audit entry")
    imported("grants", "access_grants.csv",
             "Imported 6 rows: accounts 0 new, 0 removed, 0 changed; grants 0 new, 0 revoked")


@test("a re-import is the whole truth for the systems it names: new, removed and changed "
      "accounts, grants revoked and added; other systems untouched")
def _():
    setup()
    imported("grants", "access_grants.csv",
             "Imported 6 rows: accounts 0 new, 0 removed, 0 changed; grants 0 new, 0 revoked")
    hr = (accounts("NORRBY-HR"), grants("NORRBY-HR"))
    imported("grants", "access_grants_update.csv",
             "Imported 4 rows: accounts 1 new, 1 removed, 1 changed; grants 2 new, 2 revoked")
    eq([(a[0], a[2], a[6], a[7]) for a in accounts("NORRBY-EKO")],
       [("admin1", "NORRBY", "2026-10-30T00:00:00Z", "active"),
        ("ekonomi-service", "NORRBY", None, "removed"),
        ("omar", "SODERAS-BOSTAD", None, "active"),
        ("per.ek", "NORRBY", "2026-11-20T07:45:00Z", "active")], "accounts after")
    eq([g[:2] + g[3:4] for g in grants("NORRBY-EKO")],
       [("admin1", "Budgetägare", "NORRBY"), ("admin1", "Systemadministratör", "NORRBY"),
        ("omar", "Läsare", "SODERAS-BOSTAD"), ("per.ek", "Attestant", "NORRBY")],
       "active grants (a grant carries its account's organisation)")
    eq([(g[0], g[1], g[5]) for g in grants("NORRBY-EKO", active=False)],
       [("ekonomi-service", "Läsare", "Finns inte längre i den importerade filen"),
        ("per.ek", "Läsare", "Finns inte längre i den importerade filen")], "revoked grants")
    eq((accounts("NORRBY-HR"), grants("NORRBY-HR")), hr, "NORRBY-HR untouched")
    eq(snapshots("NORRBY-EKO")[-1],
       {"source": "csv", "accounts_new": 1, "accounts_removed": 1, "accounts_changed": 1,
        "grants_new": 2, "grants_removed": 2}, "the audit entry's counts")
    # the removed account comes back: new again, with a new grant
    imported("grants", "access_grants.csv",
             "Imported 6 rows: accounts 1 new, 1 removed, 1 changed; grants 2 new, 2 revoked")
    eq([a[7] for a in accounts("NORRBY-EKO")], ["active", "active", "removed", "active"],
       "ekonomi-service back, omar removed")


@test("an accounts file for one system (--system, no system column, semicolons, BOM, CRLF) "
      "keeps the grants of the accounts it keeps and revokes those of the removed")
def _():
    setup()
    eq(imp("grants", "access_grants.csv").returncode, 0, "the example state")
    imported("accounts", "access_accounts_hr.csv",
             "Imported 2 rows: accounts 1 new, 1 removed, 1 changed; grants 0 new, 1 revoked",
             "--system", "NORRBY-HR")
    eq([(a[0], a[3], a[4], a[5], a[7]) for a in accounts("NORRBY-HR")],
       [("anna", 0, 0, 1, "active"), ("lön-robot", 1, 1, 0, "active"),
        ("per", 0, 0, 1, "removed")], "NORRBY-HR's accounts")
    eq([g[:2] for g in grants("NORRBY-HR")], [("anna", "Chef")], "anna keeps her grant")
    eq([g[:2] for g in grants("NORRBY-HR", active=False)], [("per", "Medarbetare")],
       "the removed account's grant is revoked")


@test("every bad line is reported with its column and reason, and nothing is applied")
def _():
    setup()
    imp("grants", "access_grants.csv")
    f = "access_grants_bad.csv"
    refused("grants", f, [
        f + ":2: column 'system': no system has external id 'NO-SUCH'",
        f + ":3: column 'username': empty; a value is required",
        f + ":4: column 'user_id': no person has user id 'nobody'",
        f + ":4: column 'shared': a yes/no value is true, false, ja or nej",
        f + ":4: column 'last_login': " + DATE_WHY,
        f + ":4: column 'status': status is active or disabled (empty is active)",
        f + ":4: column 'granted_at': " + DATE_WHY,
        f + ":6: column 'privileged': differs from line 5 for the same account; an account's "
            "columns are the same on each of its rows",
        f + ":7: column 'entitlement': the grant is also on line 5",
        f + ":8: column 'granted_at': a grant date without an entitlement",
        f + ":9: the row has 3 fields, the header 10"])
    f = "access_accounts_badheader.csv"
    cols = ("system, username, user_id, shared, privileged, mfa_enrolled, last_login and "
            "status")
    refused("accounts", f, [
        f + ":1: column 'colour': not a column of accounts; the columns are " + cols,
        f + ":1: column 'shared': appears twice in the header",
        f + ":1: column 'user_id': missing from the header",
        f + ":1: column 'last_login': missing from the header"])
    refused("grants", "access_accounts_hr.csv", [
        "access_accounts_hr.csv:1: column 'system': missing from the header (or name the system "
        "with --system)",
        "access_accounts_hr.csv:1: column 'entitlement': missing from the header",
        "access_accounts_hr.csv:1: column 'granted_at': missing from the header"])
    refused("accounts", "access_accounts_hr.csv", [
        "access_accounts_hr.csv:1: column 'system': no system has external id 'NOPE' "
        "(--system)"], "--system", "NOPE")
    refused("grants", "access_grants.csv", [
        "access_grants.csv:%d: column 'system': 'NORRBY-EKO' is not the system named by "
        "--system (NORRBY-HR)" % n for n in (2, 3, 4, 5)], "--system", "NORRBY-HR")
    refused("grants", "empty.csv", [
        "empty.csv:1: the file is empty; its first line must name the columns"])
    r = imp("accounts", "bad_latin1.csv")
    eq(r.returncode, 1, "a Latin-1 file")
    check("not UTF-8 text" in r.stderr, r.stderr)


@test("POST /api/v1/imports/grants: counts as JSON, dry_run changes nothing, ?system for a "
      "file without the column, problems as a table, systems out of reach refused like unknown")
def _():
    setup()
    imp("grants", "access_grants.csv")

    def post(kind, data, query="", tok=None):
        st, _, b = srv().request("POST", "/api/v1/imports/%s%s" % (kind, query), data,
                                 {"Authorization": "Bearer " + (tok or token("ITC", "administrator")),
                                  "Content-Type": "text/csv"})
        return st, json.loads(b)

    with open(os.path.join(FIXTURES, "access_grants_update.csv"), "rb") as f:
        update = f.read()
    before = digest()
    st, b = post("grants", update, "?dry_run=true")
    eq((st, b), (200, {"kind": "grants", "dry_run": True, "rows": 4,
                       "accounts": {"new": 1, "removed": 1, "changed": 1},
                       "grants": {"new": 2, "revoked": 2}}), "dry run")
    eq(digest(), before, "a dry run changes nothing")
    st, b = post("grants", update)
    eq((st, b["dry_run"], b["accounts"], b["grants"]),
       (200, False, {"new": 1, "removed": 1, "changed": 1}, {"new": 2, "revoked": 2}), "applied")
    eq(sql_rows(srv().db, "SELECT count(*) FROM audit_log WHERE action = 'import.csv'"
                " AND object_id = 'grants'")[0][0], 1, "the import is audited")
    with open(os.path.join(FIXTURES, "access_accounts_hr.csv"), "rb") as f:
        hr = f.read()
    st, b = post("accounts", hr, "?system=NORRBY-HR")
    eq((st, b["rows"]), (200, 2), "?system=NORRBY-HR: %r" % (b,))
    st, b = post("people", hr, "?system=NORRBY-HR")
    eq((st, b.get("code"), b.get("field")), (422, "invalid_value", "system"),
       "system with another kind")
    with open(os.path.join(FIXTURES, "access_grants_bad.csv"), "rb") as f:
        st, b = post("grants", f.read())
    eq((st, b["code"], b["error_count"]), (422, "invalid_file", 11), "bad file")
    eq(b["errors"][0], {"line": 2, "column": "system", "reason":
                        "no system has external id 'NO-SUCH'", "message":
                        "grants.csv:2: column 'system': no system has external id 'NO-SUCH'"},
       "the first problem")
    # a NORRBY system owner: SODERAS's system is unknown, NORRBY's is fine
    tok = token("NORRBY", "system_owner")
    rows = "system,username,user_id,shared,privileged,mfa_enrolled,last_login,status\n%s,x,,,,,,\n"
    before = digest()
    st1, b1 = post("accounts", (rows % "SODERAS-BYGG").encode(), tok=tok)
    st2, b2 = post("accounts", (rows % "NO-SUCH-SYS").encode(), tok=tok)
    eq((st1, st2), (422, 422), "foreign and missing systems")
    eq(b1["errors"][0]["reason"].replace("SODERAS-BYGG", "X"),
       b2["errors"][0]["reason"].replace("NO-SUCH-SYS", "X"), "alike")
    eq(digest(), before, "nothing applied")
    st, b = post("accounts", (rows % "NORRBY-HR").encode(), tok=tok)
    eq(st, 200, "NORRBY's own system: %r" % (b,))
    st, _, _ = srv().request("POST", "/api/v1/imports/grants", update,
                             {"Authorization": "Bearer " + token("NORRBY", "user"),
                              "Content-Type": "text/csv"})
    eq(st, 403, "a role that may not grant")


if __name__ == "__main__":
    main(suite)
