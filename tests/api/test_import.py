#!/usr/bin/env python3
"""varn import organisations|people FILE: good files (comma, semicolon, BOM, CRLF, quotes,
rows that name parents and managers further down), re-import as update, and bad files of every
class with their exact FILE:LINE: column 'x': reason messages, exit 1 and nothing changed. The
files are in tests/fixtures/import/; nothing outside the repository is needed."""
import json
import os
import pwd
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from varn_harness import (SOURCE_ROOT, Suite, check, contains, db_digest, eq, main, run_varn,
                          sql_rows, tempdir)

suite = Suite()
test = suite.test

FIXTURES = os.path.join(SOURCE_ROOT, "tests", "fixtures", "import")
EXAMPLES = os.path.join(SOURCE_ROOT, "examples")
ACTOR = "cli:" + pwd.getpwuid(os.getuid()).pw_name
KIND_WHY = ("the kind is one of it_centre, municipality, company, foundation, supplier, "
            "external")
CODE_WHY = "a code is 2 to 20 characters of A-Z, 0-9, _ and -"
EMAIL_WHY = ("an e-mail address is written like name@example.se: one @, a dot in the domain, "
             "no spaces")
COLUMNS_ORG = "code, name, kind, parent_code, org_number and mfa_required"


def orgnr(serial):
    """A valid organisationsnummer (third digit 2, Luhn check digit) for a serial number."""
    body = "552%06d" % serial
    total = sum(int(ch) * 2 - 9 if i % 2 == 0 and int(ch) * 2 > 9 else int(ch) * (2 - i % 2)
                for i, ch in enumerate(body))
    return "%s-%s%d" % (body[:6], body[6:], (10 - total % 10) % 10)


def new_db():
    db = os.path.join(tempdir(), "varn.db")
    r = run_varn("init", db=db)
    eq(r.returncode, 0, "varn init (%s)" % r.stderr)
    return db


def imp(db, kind, name, cwd=FIXTURES):
    """varn import KIND NAME run in cwd, so that messages carry the bare file name."""
    return run_varn("import", kind, name, db=db, cwd=cwd)


def imported(db, kind, name, expect, cwd=FIXTURES):
    r = imp(db, kind, name, cwd)
    eq((r.returncode, r.stdout, r.stderr), (0, expect + "\n", ""), "varn import %s %s" % (kind, name))


def refused(db, kind, name, messages, cwd=FIXTURES):
    """Exit 1, exactly these messages on stderr then the summary, nothing on stdout, and the
    database untouched."""
    before = db_digest(db)
    r = imp(db, kind, name, cwd)
    eq(r.returncode, 1, "exit code (stderr %r)" % r.stderr)
    eq(r.stdout, "", "stdout")
    lines = r.stderr.splitlines()
    eq(lines[:-1], messages, "messages")
    total = len(messages)
    if messages and messages[-1].startswith("and "):  # "and N more"
        total += int(messages[-1].split()[1]) - 1
    eq(lines[-1], "varn: nothing was imported: %d problem%s in '%s'"
       % (total, "" if total == 1 else "s", name), "summary")
    eq(db_digest(db), before, "database digest after the refused import")
    return r


def orgs(db):
    return sql_rows(db, "SELECT o.code, o.name, o.kind, p.code, o.org_number, o.mfa_required "
                    "FROM organisation o LEFT JOIN organisation p ON p.id = o.parent_id "
                    "ORDER BY o.code")


def people(db):
    return sql_rows(db, "SELECT p.user_id, p.name, p.email, o.code, m.user_id, "
                    "p.employment_start, p.employment_end, p.privileged, p.disabled "
                    "FROM person p JOIN organisation o ON o.id = p.organisation_id "
                    "LEFT JOIN person m ON m.id = p.manager_id ORDER BY p.user_id")


def audit_since(db, seq):
    return sql_rows(db, "SELECT actor, action, object_id, before, after FROM audit_log "
                    "WHERE seq > ? ORDER BY seq", (seq,))


def last_seq(db):
    return sql_rows(db, "SELECT max(seq) FROM audit_log")[0][0]


_base = {}


def base():
    """A database with orgs_comma.csv and people_comma.csv imported: the bad files' backdrop."""
    if "db" not in _base:
        db = new_db()
        imported(db, "organisations", "orgs_comma.csv",
                 "Imported 4 organisations (4 new, 0 updated)")
        imported(db, "people", "people_comma.csv", "Imported 3 people (3 new, 0 updated)")
        _base["db"] = db
    return _base["db"]


# ---- good files ----

@test("comma file: codes upper-cased, quotes and commas in names, parent later in the file, root")
def _():
    db = new_db()
    seq = last_seq(db)
    imported(db, "organisations", "orgs_comma.csv", "Imported 4 organisations (4 new, 0 updated)")
    eq(orgs(db), [
        ("ITC", "IT-centrum", "it_centre", None, "222000-0018", 1),
        ("LEVAB", "Leverantören AB", "supplier", None, "559400-0027", 1),
        ("NORRBY", "Norrby kommun", "municipality", "ITC", "212100-0018", 1),
        ("NORRBY-AB", "Norrby Energi AB, el och värme", "company", "NORRBY", "559400-0019", 1),
        ("SODERAS", 'Söderås "Sjöstaden" kommun', "municipality", "ITC", "212100-0026", 1),
    ], "organisations")
    rows = audit_since(db, seq)
    eq([(a, act, oid, b) for a, act, oid, b, _ in rows],
       [(ACTOR, "organisation.create", code, None)
        for code in ("NORRBY", "NORRBY-AB", "SODERAS", "LEVAB")],
       "one audit entry per row, parents first, by the unix user")
    eq(json.loads(rows[1][4]), {"code": "NORRBY-AB", "name": "Norrby Energi AB, el och värme",
                                "kind": "company", "parent_code": "NORRBY",
                                "org_number": "559400-0019", "mfa_required": True}, "after")


@test("BOM, semicolons, CRLF, headers in any case with spaces, mfa_required ja/JA/empty")
def _():
    db = new_db()
    imported(db, "organisations", "orgs_comma.csv", "Imported 4 organisations (4 new, 0 updated)")
    imported(db, "organisations", "orgs_semicolon_bom.csv",
             "Imported 3 organisations (3 new, 0 updated)")
    got = {r[0]: r for r in orgs(db)}
    eq(got["STIFT"], ("STIFT", "Stiftelsen; Kultur", "foundation", "SODERAS", "802500-0012", 0),
       "STIFT (mfa nej)")
    eq(got["BOLAG2"], ("BOLAG2", "Bolag 2", "company", "STIFT", "559400-0035", 1), "BOLAG2 (JA)")
    eq(got["EXT"], ("EXT", "Extern part", "external", "ITC", "559400-0043", 1),
       "EXT (empty: the default, true)")


@test("people: manager later in the file, quoted name, dates, true/FALSE, codes in any case")
def _():
    db = new_db()
    imported(db, "organisations", "orgs_comma.csv", "Imported 4 organisations (4 new, 0 updated)")
    seq = last_seq(db)
    imported(db, "people", "people_comma.csv", "Imported 3 people (3 new, 0 updated)")
    eq(people(db), [
        ("admin", "Värnadministratör", "admin@localhost", "ITC", None, None, None, 1, 0),
        ("anna.lind", "Lind, Anna", "anna.lind@norrby.se", "NORRBY", None, "2015-08-01", None,
         0, 0),
        ("omar@soderas.se", "Omar Said", "omar@soderas.se", "SODERAS", "per.ek", "2021-06-01",
         "2026-12-31", 0, 0),
        ("per.ek", "Per Ek", "per.ek@norrby.se", "NORRBY", "anna.lind", "2019-03-15", None, 1, 0),
    ], "people")
    eq([(a, act, oid) for a, act, oid, _, _ in audit_since(db, seq)],
       [(ACTOR, "person.create", u) for u in ("anna.lind", "per.ek", "omar@soderas.se")],
       "audit entries, managers first")


@test("people with BOM and semicolons: ja/Nej, the optional disabled column, an update")
def _():
    db = new_db()
    imported(db, "organisations", "orgs_comma.csv", "Imported 4 organisations (4 new, 0 updated)")
    imported(db, "people", "people_comma.csv", "Imported 3 people (3 new, 0 updated)")
    seq = last_seq(db)
    imported(db, "people", "people_semicolon_bom.csv", "Imported 2 people (1 new, 1 updated)")
    got = {r[0]: r for r in people(db)}
    eq(got["lena.holm"], ("lena.holm", "Lena Holm", "lena.holm@soderas.se", "SODERAS", None,
                          "2012-01-09", None, 1, 0), "lena.holm")
    eq(got["per.ek"], ("per.ek", "Per Ek", "per.ek@norrby.se", "NORRBY", "lena.holm",
                       "2019-03-15", "2026-06-30", 0, 1), "per.ek updated and disabled")
    rows = audit_since(db, seq)
    eq([(act, oid) for _, act, oid, _, _ in rows],
       [("person.create", "lena.holm"), ("person.update", "per.ek")], "audit entries")
    before, after = json.loads(rows[1][3]), json.loads(rows[1][4])
    eq({k for k in after if before[k] != after[k]},
       {"manager_user_id", "employment_end", "privileged", "disabled", "role_changed_at"},
       "what changed (a new manager is a change of role)")


@test("re-import updates by code: changed rows updated and audited, unchanged rows untouched")
def _():
    db = new_db()
    imported(db, "organisations", "orgs_comma.csv", "Imported 4 organisations (4 new, 0 updated)")
    seq = last_seq(db)
    imported(db, "organisations", "orgs_update.csv", "Imported 4 organisations (0 new, 3 updated)")
    got = {r[0]: r for r in orgs(db)}
    eq(got["NORRBY"][5], 0, "NORRBY mfa_required false")
    eq(got["SODERAS"][1], "Söderås kommun", "SODERAS renamed")
    eq(got["NORRBY-AB"][1:4], ("Norrby Energi AB", "company", "SODERAS"), "NORRBY-AB moved")
    rows = audit_since(db, seq)
    eq(sorted(oid for _, _, oid, _, _ in rows), ["NORRBY", "NORRBY-AB", "SODERAS"],
       "one update entry per changed row, none for LEVAB")
    check(all(act == "organisation.update" and b and a for _, act, _, b, a in rows),
          "updates carry before and after")
    # The same file again changes nothing at all.
    before = db_digest(db)
    imported(db, "organisations", "orgs_update.csv", "Imported 4 organisations (0 new, 0 updated)")
    eq(db_digest(db), before, "database after an identical re-import")


@test("the example files in examples/ import into a fresh database")
def _():
    db = new_db()
    imported(db, "organisations", "organisations.csv",
             "Imported 7 organisations (7 new, 0 updated)", cwd=EXAMPLES)
    imported(db, "people", "people.csv", "Imported 5 people (5 new, 0 updated)", cwd=EXAMPLES)


@test("a chain of 2000 managers, each named before the row that defines it, imports in order")
def _():
    db = new_db()
    d = tempdir()
    path = os.path.join(d, "chain.csv")
    with open(path, "w", encoding="utf-8") as f:
        f.write("user_id,name,email,organisation,manager_user_id,employment_start,"
                "employment_end,privileged\n")
        for i in range(2000):
            boss = "p%04d" % (i + 1) if i < 1999 else ""
            f.write("p%04d,Person %d,p%d@itc.se,ITC,%s,,,false\n" % (i, i, i, boss))
    imported(db, "people", "chain.csv", "Imported 2000 people (2000 new, 0 updated)", cwd=d)
    eq(sql_rows(db, "SELECT count(*) FROM person p JOIN person m ON m.id = p.manager_id "
                "WHERE CAST(substr(m.user_id, 2) AS INTEGER) = CAST(substr(p.user_id, 2) AS "
                "INTEGER) + 1"), [(1999,)], "every manager link")


# ---- bad files: every class, exact messages, nothing changed ----

@test("organisations: each bad row reported as FILE:LINE: column 'x': reason, nothing applied")
def _():
    refused(base(), "organisations", "bad_orgs.csv", [
        "bad_orgs.csv:2: column 'code': " + CODE_WHY,
        "bad_orgs.csv:3: column 'code': " + CODE_WHY,
        "bad_orgs.csv:4: column 'kind': " + KIND_WHY,
        "bad_orgs.csv:5: column 'org_number': the check digit (the last one) of this "
        "organisationsnummer is wrong",
        "bad_orgs.csv:6: column 'org_number': the third digit of an organisationsnummer is at "
        "least 2; this looks like a personnummer",
        "bad_orgs.csv:7: column 'name': empty; a value is required",
        "bad_orgs.csv:8: column 'parent_code': an organisation cannot be its own parent",
        "bad_orgs.csv:10: column 'code': code 'DUPE' is also on line 9",
        "bad_orgs.csv:11: column 'org_number': organisationsnummer '559400-0100' is also on "
        "line 9",
        "bad_orgs.csv:12: column 'parent_code': there is no organisation with code 'NOWHERE'",
        "bad_orgs.csv:13: column 'parent_code': 'CYC-B' leads back to this row (a cycle of 2 "
        "rows, from line 13)",
        "bad_orgs.csv:14: column 'parent_code': 'CYC-A' leads back to this row (a cycle of 2 "
        "rows, from line 13)",
        "bad_orgs.csv:15: column 'parent_code': a company cannot sit under a supplier or an "
        "external party",
        "bad_orgs.csv:16: column 'org_number': organisationsnummer 212100-0018 belongs to "
        "organisation 'NORRBY'",
        "bad_orgs.csv:17: column 'kind': missing: the row has 2 fields, the header 5",
        "bad_orgs.csv:18: column 6: not in the header (the row has 6 fields, the header 5)",
    ])


@test("people: each bad row reported, including cycles in the file and through the database")
def _():
    refused(base(), "people", "bad_people.csv", [
        "bad_people.csv:2: column 'user_id': a user id is 1 to 64 characters of A-Z, a-z, 0-9, "
        "'.', '_', '-' and '@'",
        "bad_people.csv:3: column 'email': " + EMAIL_WHY,
        "bad_people.csv:4: column 'email': " + EMAIL_WHY,
        "bad_people.csv:5: column 'email': " + EMAIL_WHY,
        "bad_people.csv:6: column 'organisation': there is no organisation with code 'NOWHERE'",
        "bad_people.csv:7: column 'manager_user_id': there is no person with user id 'ghost'",
        "bad_people.csv:8: column 'employment_start': a date is a real calendar date written "
        "YYYY-MM-DD",
        "bad_people.csv:9: column 'employment_end': the employment cannot end before it starts",
        "bad_people.csv:10: column 'privileged': a yes/no value is true, false, ja or nej",
        "bad_people.csv:12: column 'user_id': user id 'twice' is also on line 11",
        "bad_people.csv:13: column 'manager_user_id': 'loop.b' leads back to this row (a cycle "
        "of 2 rows, from line 13)",
        "bad_people.csv:14: column 'manager_user_id': 'loop.a' leads back to this row (a cycle "
        "of 2 rows, from line 13)",
        "bad_people.csv:15: column 'manager_user_id': 'per.ek' reports, directly or through "
        "others, to this person; the chain of managers would have a cycle",
        "bad_people.csv:16: column 'manager_user_id': a person cannot be their own manager",
        "bad_people.csv:17: column 'user_id': empty; a value is required",
    ])


@test("a line break inside quotes: the record's first line is reported, later lines stay right")
def _():
    refused(base(), "organisations", "bad_multiline.csv", [
        "bad_multiline.csv:2: column 'name': a name is one line without control characters",
        "bad_multiline.csv:5: column 'kind': " + KIND_WHY,
    ])


BAD_FILES = [
    ("an unclosed quote", "bad_unclosed_quote.csv",
     ["bad_unclosed_quote.csv:3: a quoted field is not closed"]),
    ("text after a closing quote", "bad_text_after_quote.csv",
     ['bad_text_after_quote.csv:3: text after a closing quote; a quote inside a quoted field is '
      'written ""']),
    ("a quote in an unquoted field", "bad_bare_quote.csv",
     ['bad_bare_quote.csv:3: a quote inside an unquoted field; put the whole field in quotes '
      'and write the quote as ""']),
    ("a bad header", "bad_header.csv", [
        "bad_header.csv:1: column 'namn': not a column of organisations; the columns are "
        + COLUMNS_ORG,
        "bad_header.csv:1: column 'code': appears twice in the header",
        "bad_header.csv:1: column 7 of the header has no name",
        "bad_header.csv:1: column 'extra': not a column of organisations; the columns are "
        + COLUMNS_ORG,
        "bad_header.csv:1: column 'name': missing from the header",
    ]),
    ("Latin-1 text", "bad_latin1.csv",
     ['bad_latin1.csv:3: not UTF-8 text; save the file as "CSV UTF-8" (or UTF-8 without BOM)']),
    ("an empty file", "empty.csv",
     ["empty.csv:1: the file is empty; its first line must name the columns"]),
]

for _what, _name, _messages in BAD_FILES:
    def _case(name=_name, messages=_messages):
        refused(base(), "organisations", name, messages)
    suite.add("a file with %s is refused with its line, nothing changes" % _what, _case)


@test("people columns in an organisations file: every column named, nothing changes")
def _():
    refused(base(), "organisations", "people_comma.csv", [
        "people_comma.csv:1: column 'user_id': not a column of organisations; the columns are "
        + COLUMNS_ORG,
        "people_comma.csv:1: column 'email': not a column of organisations; the columns are "
        + COLUMNS_ORG,
        "people_comma.csv:1: column 'organisation': not a column of organisations; the columns "
        "are " + COLUMNS_ORG,
        "people_comma.csv:1: column 'manager_user_id': not a column of organisations; the "
        "columns are " + COLUMNS_ORG,
        "people_comma.csv:1: column 'employment_start': not a column of organisations; the "
        "columns are " + COLUMNS_ORG,
        "people_comma.csv:1: column 'employment_end': not a column of organisations; the "
        "columns are " + COLUMNS_ORG,
        "people_comma.csv:1: column 'privileged': not a column of organisations; the columns "
        "are " + COLUMNS_ORG,
        "people_comma.csv:1: column 'code': missing from the header",
        "people_comma.csv:1: column 'kind': missing from the header",
        "people_comma.csv:1: column 'parent_code': missing from the header",
        "people_comma.csv:1: column 'org_number': missing from the header",
    ])


@test("more than 100 problems: the first 100 by line, then 'and N more', even if found late")
def _():
    d = tempdir()
    with open(os.path.join(d, "many.csv"), "w", encoding="utf-8") as f:
        f.write("code,name,kind,parent_code,org_number\n")
        # Lines 2 and 3 form a cycle, found only after every row has been read; lines 4 to 123
        # have a bad kind, found while reading.
        f.write("LOOP1,L1,company,LOOP2,559400-0050\nLOOP2,L2,company,LOOP1,559400-0068\n")
        for i in range(120):
            f.write("BAD%03d,Fel %d,kommun,ITC,%s\n" % (i, i, orgnr(1000 + i)))
    expected = [
        "many.csv:2: column 'parent_code': 'LOOP2' leads back to this row (a cycle of 2 rows, "
        "from line 2)",
        "many.csv:3: column 'parent_code': 'LOOP1' leads back to this row (a cycle of 2 rows, "
        "from line 2)",
    ] + ["many.csv:%d: column 'kind': %s" % (line, KIND_WHY) for line in range(4, 102)]
    eq(len(expected), 100, "expected messages")
    refused(base(), "organisations", "many.csv", expected + ["and 22 more"], cwd=d)


@test("a row that is fine on its own is not applied when another row is bad (all or nothing)")
def _():
    db = base()
    d = tempdir()
    with open(os.path.join(d, "mixed.csv"), "w", encoding="utf-8") as f:
        f.write("code,name,kind,parent_code,org_number\n"
                "GOODONE,Bra,company,NORRBY,559400-0050\n"
                "NORRBY,Norrby kommun NY,municipality,ITC,212100-0018\n"
                "BADONE,Fel,company,ITC,559400-0051\n")
    refused(db, "organisations", "mixed.csv", [
        "mixed.csv:4: column 'org_number': the check digit (the last one) of this "
        "organisationsnummer is wrong"], cwd=d)
    eq([r for r in orgs(db) if r[0] in ("GOODONE", "NORRBY")],
       [("NORRBY", "Norrby kommun", "municipality", "ITC", "212100-0018", 1)],
       "neither the new row nor the update")


# ---- the command line ----

@test("usage errors exit 2 and name the problem; a missing file or database exits 1")
def _():
    db = base()
    for args, words in [((), "organisations, people, systems, components, information, risks, accounts, grants or sbom"),
                        (("things", "x.csv"), "'things'"),
                        (("people",), "FILE"),
                        (("people", "a.csv", "b.csv"), "'b.csv'")]:
        r = run_varn("import", *args, db=db)
        eq(r.returncode, 2, "exit code of varn import %s (%s)" % (" ".join(args), r.stderr))
        contains(r.stderr, words, "stderr")
    r = run_varn("import", "people", "/nonexistent/people.csv", db=db)
    eq(r.returncode, 1, "exit code for a missing file")
    contains(r.stderr, "cannot read '/nonexistent/people.csv'", "stderr")
    r = run_varn("import", "people", os.path.join(FIXTURES, "people_comma.csv"),
                 db=os.path.join(tempdir(), "none.db"))
    eq(r.returncode, 1, "exit code without a database")
    contains(r.stderr, "varn init", "stderr")


@test("varn import --help shows the usage lines and every kind's columns")
def _():
    r = run_varn("import", "--help")
    eq(r.returncode, 0, "exit code")
    check(r.stdout.startswith(
        "usage: varn import organisations|people|systems|components|information|risks FILE\n"
        "       varn import sbom FILE --system EXTERNAL_ID\n"), r.stdout[:160])
    contains(r.stdout, "external_id,name,organisation,system_owner,lifecycle", "help")
    contains(r.stdout, "system_external_id,kind,name,vendor,product,version,cpe", "help")
    contains(r.stdout, "external_id,name,organisation,information_owner,k,r,t", "help")
    contains(r.stdout, "code,name,kind,parent_code,org_number", "help")
    contains(r.stdout, "user_id,name,email,organisation,manager_user_id", "help")
    contains(r.stdout, "external_id,assessment_title,organisation,assessed_on,title", "help")


if __name__ == "__main__":
    main(suite)
