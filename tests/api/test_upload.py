#!/usr/bin/env python3
"""The CSV import over HTTP (POST /api/v1/imports/{kind}) and the kravlista export: every kind
imported with counts, every error class reported with line, column and the CLI's reason with
nothing applied, 415 for another media type, 413 past 20 MiB, a foreign organisation refused
like an unknown one, dry_run applying nothing, the roles of each kind's create route, and
GET /systems/{id}/requirements?format=csv|xlsx read back."""
import csv
import io
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from catalog_helpers import admin, audit_rows, digest, ok, srv, token, world  # noqa: E402
from varn_harness import (SOURCE_ROOT, Suite, check, eq, main, run_varn,  # noqa: E402
                          split_response, sql_rows)

suite = Suite()
test = suite.test

FIXTURES = os.path.join(SOURCE_ROOT, "tests", "fixtures", "import")
LIMIT = 20 * 1024 * 1024


def fixture(name):
    with open(os.path.join(FIXTURES, name), "rb") as f:
        return f.read()


def upload(kind, data, tok=None, ctype="text/csv", query=""):
    """(status, headers, parsed JSON body)."""
    world()
    headers = {"Authorization": "Bearer " + (tok or admin())}
    if ctype:
        headers["Content-Type"] = ctype
    st, h, b = srv().request("POST", "/api/v1/imports/%s%s" % (kind, query), data, headers)
    try:
        return st, h, json.loads(b) if b else None
    except ValueError:
        raise AssertionError("POST imports/%s -> %d, not JSON: %r" % (kind, st, b[:300]))


def imported(kind, data, rows, created, updated, tok=None, query=""):
    st, h, b = upload(kind, data, tok, query=query)
    eq(st, 200, "import %s status (%r)" % (kind, b))
    eq(h.get("content-type"), "application/json", "Content-Type")
    eq(b, {"kind": kind, "dry_run": "dry_run=true" in query, "rows": rows, "created": created,
           "updated": updated, "unchanged": rows - created - updated}, "counts")
    return b


def cli_reasons(kind, name):
    """The CLI's messages for the same file, without the file name: (line, rest)."""
    r = run_varn("import", kind, name, db=srv().db, cwd=FIXTURES)
    eq(r.returncode, 1, "the CLI refuses %s too (%s)" % (name, r.stderr))
    out = []
    for line in r.stderr.splitlines()[:-1]:
        if line.startswith("and ") and line.endswith(" more"):
            continue
        m = re.match(re.escape(name) + r":(\d+): (.*)$", line)
        check(m, "a CLI message %r" % line)
        out.append((int(m.group(1)), m.group(2)))
    return out


def refused(kind, name, tok=None):
    """Upload a bad fixture: 422 invalid_file, each problem as the CLI says it, nothing changed."""
    world()
    data = fixture(name)
    before = digest()
    st, h, b = upload(kind, data, tok)
    eq(st, 422, "status (%r)" % (b,))
    eq(h.get("content-type"), "application/problem+json", "Content-Type")
    eq(b["code"], "invalid_file", "code")
    check(1 <= len(b["errors"]) <= 100, "1 to 100 problems listed")
    check(b["error_count"] >= len(b["errors"]), "error_count counts them all")
    n = b["error_count"]
    eq(b["detail"], "nothing was imported: %d problem%s in '%s.csv'"
       % (n, "" if n == 1 else "s", kind), "detail")
    eq(digest(), before, "database after the refused upload")
    mine = []
    for e in b["errors"]:
        check(isinstance(e["line"], int) and e["line"] >= 1, "a line number: %r" % e)
        column = e.get("column")
        eq(e["message"], "%s.csv:%d: %s%s" % (kind, e["line"],
                                               "column '%s': " % column if column else "",
                                               e["reason"]), "message of %r" % e)
        mine.append((e["line"], e["message"].split(": ", 1)[1]))
    eq(mine, cli_reasons(kind, name), "the same problems as varn import")
    eq(digest(), before, "database after the CLI's refusal")
    return b


# ---- success for each kind ----

ORGS = (b"code,name,kind,parent_code,org_number\n"
        b"UP-KOMMUN,Uppkommun,municipality,ITC,212000-0159\n"
        b"UP-BOLAG,Uppbolaget AB,company,UP-KOMMUN,559300-1117\n")
PEOPLE = ("user_id;name;email;organisation;manager_user_id;employment_start;employment_end;"
          "privileged\n"
          "up.chef;Chef Uppsson;chef@up.se;UP-KOMMUN;;2020-01-01;;nej\n"
          "up.anna;Anna Uppsson;anna@up.se;UP-BOLAG;up.chef;;;ja\n").encode()


@test("organisations and people are imported with counts, audited as the caller")
def _():
    imported("organisations", ORGS, 2, 2, 0)
    imported("people", b"\xef\xbb\xbf" + PEOPLE, 2, 2, 0)
    eq(sql_rows(srv().db, "SELECT o.code FROM person p JOIN organisation o"
                          " ON o.id = p.organisation_id WHERE p.user_id = 'up.anna'"),
       [("UP-BOLAG",)], "up.anna's organisation")
    rows = audit_rows("organisation.create")
    check(any(r[3] == "UP-BOLAG" for r in rows), "organisation.create audited")
    check(all(r[0].startswith("token:") for r in rows if r[3] in ("UP-KOMMUN", "UP-BOLAG")),
          "audited as the token")
    imported("organisations", ORGS, 2, 0, 0)


@test("systems, components and information are imported; a re-import changes nothing")
def _():
    imported("systems", fixture("cat_systems.csv"), 3, 3, 0)
    imported("components", fixture("cat_components.csv"), 3, 3, 0)
    imported("information", fixture("cat_information.csv"), 3, 3, 0)
    imported("systems", fixture("cat_systems.csv"), 3, 0, 0)
    imported("systems", fixture("cat_systems_update.csv"), 2, 0, 1)
    eq(sql_rows(srv().db, "SELECT count(*) FROM audit_log WHERE action = 'import.csv'")[0][0] >= 6,
       True, "each import recorded as import.csv")


# ---- every error class, nothing applied ----

@test("a systems file with every class of bad row: line, column, the CLI's reasons, nothing applied")
def _():
    b = refused("systems", "cat_systems_bad.csv")
    eq([(e["line"], e.get("column")) for e in b["errors"]][:3],
       [(2, "external_id"), (3, "name"), (4, "organisation")], "lines and columns")


@test("bad components and information files are refused as the CLI refuses them")
def _():
    refused("components", "cat_components_bad.csv")
    refused("information", "cat_information_bad.csv")


@test("bad organisations and people files are refused as the CLI refuses them")
def _():
    refused("organisations", "bad_orgs.csv")
    refused("people", "bad_people.csv")


@test("file-level problems: not UTF-8, an unclosed quote, a bad header, an empty file")
def _():
    for kind, name in (("systems", "bad_latin1.csv"), ("people", "bad_unclosed_quote.csv"),
                       ("organisations", "bad_header.csv"), ("information", "empty.csv")):
        b = refused(kind, name)
        check(b["errors"], "%s: problems listed" % name)


@test("at most 100 problems are listed, all of them counted")
def _():
    data = b"external_id,name,organisation,system_owner,lifecycle,internet_facing,mfa_enforced," \
           b"last_significant_change\n" + b"bad id,,NORRBY,sara,production,,,\n" * 150
    before = digest()
    st, _, b = upload("systems", data)
    eq(st, 422, "status")
    eq(len(b["errors"]), 100, "listed")
    eq(b["error_count"], 300, "counted")
    eq([e["line"] for e in b["errors"]][:4], [2, 2, 3, 3], "in the order of the file")
    eq(digest(), before, "nothing applied")


@test("one bad row among good ones applies nothing")
def _():
    data = (b"external_id,name,organisation,system_owner,lifecycle,internet_facing,"
            b"mfa_enforced,last_significant_change\n"
            b"UP-OK1,Bra,NORRBY,sara,production,,,\n"
            b"UP-OK2,Bra,NORRBY,sara,sometimes,,,\n")
    before = digest()
    st, _, b = upload("systems", data)
    eq(st, 422, "status")
    eq([(e["line"], e["column"]) for e in b["errors"]], [(3, "lifecycle")], "the one problem")
    eq(digest(), before, "nothing applied")
    eq(sql_rows(srv().db, "SELECT count(*) FROM system WHERE external_id = 'UP-OK1'"),
       [(0,)], "the good row is not there")


def tenant_digest():
    """Every table but the audit log (which records refusals), the tokens' bookkeeping and the
    engine's findings (which the server's refresher rewrites on its own schedule)."""
    names = sql_rows(srv().db, "SELECT name FROM sqlite_master WHERE type = 'table' AND name"
                               " NOT IN ('audit_log', 'api_token', 'session', 'finding',"
                               " 'finding_snapshot', 'engine_state') ORDER BY name")
    return repr([(n, sql_rows(srv().db, 'SELECT * FROM "%s" ORDER BY 1' % n)) for (n,) in names])


# ---- the edge ----

@test("a body that is not text/csv is 415 and changes nothing")
def _():
    before = digest()
    for ctype, data in (("application/json", b'{"a": 1}'), ("text/plain", ORGS),
                        ("application/vnd.ms-excel", ORGS), (None, ORGS)):
        st, h, b = upload("organisations", data, ctype=ctype)
        eq(st, 415, "%s: status (%r)" % (ctype, b))
        eq(b["code"], "unsupported_media_type", "code")
        check("text/csv" in b["detail"], "names text/csv: %r" % b["detail"])
    eq(digest(), before, "nothing changed")
    st, _, b = upload("organisations", ORGS, ctype="text/csv; charset=utf-8")
    eq(st, 200, "text/csv; charset=utf-8 is accepted (%r)" % b)


@test("a body over 20 MiB is 413, declared or sent chunked, and changes nothing")
def _():
    world()
    before = digest()
    head = ("POST /api/v1/imports/systems HTTP/1.1\r\nHost: t\r\nContent-Type: text/csv\r\n"
            "Authorization: Bearer %s\r\n" % admin()).encode()
    raw, how = srv().raw(head + b"Content-Length: %d\r\n\r\n" % (LIMIT + 1), first=True)
    st, h, body = split_response(raw)
    eq(st, 413, "declared: status (%r)" % body[:200])
    check(b"too_large" in body, "too_large")
    chunk = b"a" * 65536
    chunks = b"".join(b"%x\r\n" % len(chunk) + chunk + b"\r\n" for _ in range(LIMIT // 65536 + 2))
    raw, how = srv().raw(head + b"Transfer-Encoding: chunked\r\n\r\n" + chunks + b"0\r\n\r\n",
                         first=True, wait=30)
    st, h, body = split_response(raw)
    eq(st, 413, "chunked: status (%r, %s)" % (body[:200], how))
    eq(digest(), before, "nothing changed")


@test("exactly 20 MiB is read (and refused for its content, not its size)")
def _():
    world()
    header = b"external_id,name,organisation,system_owner,lifecycle,internet_facing," \
             b"mfa_enforced,last_significant_change\n"
    data = header + b"\n" * (LIMIT - len(header))
    st, _, b = upload("systems", data)
    eq(st, 200, "status (%r)" % (b,))
    eq(b["rows"], 0, "blank rows are skipped")


@test("an unknown kind is 404, an unknown parameter or a bad dry_run 422")
def _():
    st, _, b = upload("sbom", ORGS)
    eq(st, 404, "sbom is not an HTTP import (%r)" % b)
    st, _, b = upload("nothing", ORGS)
    eq(st, 404, "unknown kind")
    st, _, b = upload("organisations", ORGS, query="?dryrun=true")
    eq((st, b["code"]), (422, "unknown_parameter"), "unknown parameter")
    st, _, b = upload("organisations", ORGS, query="?dry_run=yes")
    eq((st, b["code"], b.get("field")), (422, "invalid_value", "dry_run"), "bad dry_run")


# ---- dry run ----

@test("dry_run=true checks and counts, applies nothing and audits nothing")
def _():
    world()
    data = (b"external_id,name,organisation,system_owner,lifecycle,internet_facing,"
            b"mfa_enforced,last_significant_change\n"
            b"UP-DRY1,Torrsim,NORRBY,sara,production,,,\n"
            b"IO-EKO,Ekonomisystem nytt namn,NORRBY,sara,production,ja,nej,2026-03-01\n")
    before = digest()
    st, _, b = upload("systems", data, query="?dry_run=true")
    eq(st, 200, "status (%r)" % b)
    eq((b["dry_run"], b["rows"], b["created"], b["updated"]), (True, 2, 1, 1), "counts")
    eq(digest(), before, "nothing applied")
    st, _, b = upload("systems", b"external_id\nbad id\n", query="?dry_run=true")
    eq(st, 422, "a bad file is refused in a dry run too")
    eq(digest(), before, "nothing applied")
    imported("systems", data, 2, 1, 1, query="?dry_run=false")


# ---- who may ----

@test("roles: each kind needs a role of its create route; others get 403 and nothing changes")
def _():
    world()
    tokens = {role: token("NORRBY", role) for role in
              ("information_owner", "system_owner", "ciso", "user", "manager")}
    before = tenant_digest()
    refusals = len(audit_rows("access.refused"))
    for role, kind, status in (("information_owner", "systems", 403),
                               ("system_owner", "information", 403),
                               ("system_owner", "people", 403),
                               ("ciso", "organisations", 403),
                               ("user", "systems", 403),
                               ("manager", "people", 403)):
        st, _, b = upload(kind, b"x\n", tokens[role])
        eq(st, status, "%s imports %s (%r)" % (role, kind, b))
        eq(b["code"], "forbidden", "code")
    eq(tenant_digest(), before, "nothing changed")
    eq(len(audit_rows("access.refused")), refusals + 6, "each refusal audited")
    st, _, b = upload("systems", b"", token("NORRBY", "system_owner"))
    eq((st, b["code"]), (422, "invalid_file"), "a system owner may import systems")


@test("a foreign organisation is refused exactly like an unknown one")
def _():
    world()
    tok = token("NORRBY", "ciso")
    results = []
    before = digest()
    for org in ("OSTBY", "NOSUCHORG"):
        data = ("external_id,name,organisation,system_owner,lifecycle,internet_facing,"
                "mfa_enforced,last_significant_change\n"
                "UP-F-%s,Främmande,%s,otto,production,,,\n" % (org, org)).encode()
        st, _, b = upload("systems", data, tok)
        eq(st, 422, "%s: status (%r)" % (org, b))
        results.append([(e["line"], e["column"], e["reason"].replace(org, "CODE"))
                        for e in b["errors"]])
    eq(results[0], results[1], "foreign vs unknown organisation")
    eq(results[0][0][1], "organisation", "the column")
    for kind, data in (
            ("people", b"user_id,name,email,organisation,manager_user_id,employment_start,"
                       b"employment_end,privileged\nup.x,X,x@up.se,%s,,,,\n"),
            ("organisations", b"code,name,kind,parent_code,org_number\n"
                              b"UP-Z,Z,company,%s,559300-2222\n")):
        out = []
        for org in (b"OSTBY", b"NOSUCHORG"):
            st, _, b = upload(kind, data.replace(b"%s", org), token("NORRBY", "administrator"))
            eq(st, 422, "%s naming %s (%r)" % (kind, org, b))
            out.append([(e["line"], e["column"], e["reason"].replace(org.decode(), "CODE"))
                        for e in b["errors"]])
        eq(out[0], out[1], "%s: foreign vs unknown organisation" % kind)
    # A component of another municipality's system, an asset linking one.
    ok("POST", "/api/v1/systems", {"external_id": "UP-OST", "name": "Östby", "organisation":
                                   "OSTBY", "system_owner": "otto"}, status=201)
    before = digest()
    out = []
    for sys_id in ("UP-OST", "UP-NONE"):
        st, _, b = upload("components", ("system_external_id,kind,name,vendor,product,version,cpe,"
                                         "licence_count,licences_in_use,licence_expiry,"
                                         "end_of_support\n%s,software,X,,,,,,,,\n"
                                         % sys_id).encode(), tok)
        eq(st, 422, "component of %s" % sys_id)
        out.append([(e["line"], e["column"], e["reason"].replace(sys_id, "ID"))
                    for e in b["errors"]])
    eq(out[0], out[1], "components: foreign vs unknown system")
    eq(digest(), before, "nothing changed")


# ---- the kravlista ----

def requirements_json(ext):
    return ok("GET", "/api/v1/systems/%s/requirements" % ext)


def expected_rows(ext):
    aspects = {"k": "Konfidentialitet", "r": "Riktighet", "t": "Tillgänglighet",
               "personal_data": "Personuppgifter"}
    out = []
    for it in requirements_json(ext)["items"]:
        met = {True: "ja", False: "nej", None: ""}[it["met"]]
        out.append((it["text_sv"], aspects[it["aspect"]], met, it["code"]))
    return out


@test("GET requirements?format=csv: the kravlista with Swedish headers, BOM and semicolons")
def _():
    world()
    if not sql_rows(srv().db, "SELECT 1 FROM system WHERE external_id = 'IO-HR'"):
        imported("systems", fixture("cat_systems.csv"), 3, 3, 0)
        imported("information", fixture("cat_information.csv"), 3, 3, 0)
    before = len(audit_rows("requirements.export"))
    st, h, b = srv().request("GET", "/api/v1/systems/IO-HR/requirements?format=csv", None,
                             {"Authorization": "Bearer " + admin()})
    eq(st, 200, "status (%r)" % b[:200])
    eq(h.get("content-type"), "text/csv; charset=utf-8", "Content-Type")
    eq(h.get("content-disposition"), 'attachment; filename="kravlista-IO-HR.csv"', "file name")
    check(b.startswith(b"\xef\xbb\xbf"), "a BOM first")
    rows = list(csv.reader(io.StringIO(b[3:].decode("utf-8"), newline=""), delimiter=";"))
    eq(rows[0], ["Krav", "Aspekt", "Nivå", "Uppfyllt", "Kod"], "headers")
    got = [(r[0], r[1], r[3], r[4]) for r in rows[1:]]
    eq(got, expected_rows("IO-HR"), "rows as the JSON's items")
    check(len(got) > 0, "the planned IO-HR has requirements")
    check(all(r[2] for r in rows[1:]), "every row has a level")
    after = audit_rows("requirements.export")
    eq(len(after), before + 1, "audited")
    eq((after[-1][3], json.loads(after[-1][5])["format"]), ("IO-HR", "csv"), "audit entry")


@test("GET requirements?format=xlsx read back by openpyxl; a bad format is 422; foreign is 404")
def _():
    try:
        import openpyxl
    except ImportError:
        sys.path.append("/usr/lib/python3/dist-packages")
        try:
            import openpyxl
        except ImportError:
            raise AssertionError("python3-openpyxl is missing: run scripts/deps.sh")
    st, h, b = srv().request("GET", "/api/v1/systems/IO-EKO/requirements?format=xlsx", None,
                             {"Authorization": "Bearer " + admin()})
    eq(st, 200, "status (%r)" % b[:200])
    eq(h.get("content-type"),
       "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Content-Type")
    wb = openpyxl.load_workbook(io.BytesIO(b))
    eq(wb.sheetnames, ["Kravlista"], "sheet")
    rows = [[c if c is not None else "" for c in r] for r in wb.active.iter_rows(values_only=True)]
    eq(rows[0], ["Krav", "Aspekt", "Nivå", "Uppfyllt", "Kod"], "headers")
    eq([(r[0], r[1], r[3], r[4]) for r in rows[1:]], expected_rows("IO-EKO"), "rows")
    st, _, b = srv().request("GET", "/api/v1/systems/IO-EKO/requirements?format=pdf", None,
                             {"Authorization": "Bearer " + admin()})
    eq(st, 422, "format=pdf")
    st, _, b = srv().request("GET", "/api/v1/systems/UP-OST/requirements?format=csv", None,
                             {"Authorization": "Bearer " + token("NORRBY", "ciso")})
    eq(st, 404, "another municipality's system")


@test("the example files of the import page are the repository's examples")
def _():
    for kind in ("organisations", "people", "systems", "components", "information"):
        st, h, b = srv().request("GET", "/exempel/%s.csv" % kind)
        eq(st, 200, "GET /exempel/%s.csv" % kind)
        eq(h.get("content-type"), "text/csv; charset=utf-8", "Content-Type")
        with open(os.path.join(SOURCE_ROOT, "examples", kind + ".csv"), "rb") as f:
            eq(b, f.read(), "web/public/exempel/%s.csv is examples/%s.csv" % (kind, kind))


@test("the server stops cleanly")
def _():
    eq(srv().stop(), 0, "exit code")


if __name__ == "__main__":
    main(suite)
