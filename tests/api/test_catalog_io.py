#!/usr/bin/env python3
"""Catalog import and export: varn import systems|components|information|sbom (every error
class with FILE:LINE: column 'x': reason, nothing changed; good imports, re-import as update,
levels recomputed, audit by cli:<user>) and ?format=csv on the system and information lists
and ?format=xlsx read back with openpyxl (Swedish headers and sheet names, the JSON list's rows
with the same filter, formula cells neutralised)."""
import csv
import io
import json
import os
import pwd
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from catalog_helpers import admin, audit_rows, digest, ok, srv, world  # noqa: E402
from varn_harness import (SOURCE_ROOT, VARN_BIN, Suite, check, eq, main, run_varn,  # noqa: E402
                          sql_rows)

suite = Suite()
test = suite.test

FIXTURES = os.path.join(SOURCE_ROOT, "tests", "fixtures", "import")
ACTOR = "cli:" + pwd.getpwuid(os.getuid()).pw_name
EXT_WHY = "an external id is 1 to 64 characters of A-Z, a-z, 0-9, '.', '_' and '-'"
CPE_WHY = ("a CPE 2.3 string is cpe:2.3: followed by 11 parts separated by ':' (part a, o or h, "
           "then vendor, product, version, update, edition, language, sw_edition, target_sw, "
           "target_hw, other), each '*', '-' or letters, digits, '_', '-', '.' and "
           "\\-escaped punctuation")


def imp(kind, name, *extra):
    world()
    return run_varn("import", kind, name, *extra, db=srv().db, cwd=FIXTURES)


def imported(kind, name, expect, *extra):
    r = imp(kind, name, *extra)
    eq((r.returncode, r.stdout, r.stderr), (0, expect + "\n", ""), "varn import %s %s" % (kind, name))


def refused(kind, name, messages, *extra):
    world()
    before = digest()
    r = imp(kind, name, *extra)
    eq(r.returncode, 1, "exit code (stderr %r)" % r.stderr)
    eq(r.stdout, "", "stdout")
    lines = r.stderr.splitlines()
    eq(lines[:-1], messages, "messages")
    n = len(messages)
    eq(lines[-1], "varn: nothing was imported: %d problem%s in '%s'"
       % (n, "" if n == 1 else "s", name), "summary")
    eq(digest(), before, "database digest after the refused import")


def systems_loaded():
    if not sql_rows(srv().db, "SELECT 1 FROM system WHERE external_id = 'IO-EKO'"):
        imported("systems", "cat_systems.csv", "Imported 3 systems (3 new, 0 updated)")


def csv_get(path):
    st, h, b = srv().request("GET", path, None, {"Authorization": "Bearer " + admin()})
    eq(st, 200, "GET %s status (%r)" % (path, b[:300]))
    eq(h.get("content-type"), "text/csv; charset=utf-8", "Content-Type")
    check(b.startswith(b"\xef\xbb\xbf"), "a byte order mark first")
    rows = list(csv.reader(io.StringIO(b[3:].decode("utf-8"), newline=""), delimiter=";"))
    return h, rows


@test("a systems file with every class of bad row is refused line by line, nothing applied")
def _():
    refused("systems", "cat_systems_bad.csv", [
        "cat_systems_bad.csv:2: column 'external_id': " + EXT_WHY,
        "cat_systems_bad.csv:3: column 'name': empty; a value is required",
        "cat_systems_bad.csv:4: column 'organisation': there is no organisation with code "
        "'NOWHERE'",
        "cat_systems_bad.csv:5: column 'system_owner': olle does not hold the role system_owner "
        "in the owning organisation or above it",
        "cat_systems_bad.csv:6: column 'lifecycle': the lifecycle is planned, production, "
        "decommissioning or retired",
        "cat_systems_bad.csv:7: column 'internet_facing': a yes/no value is true, false, ja or "
        "nej",
        "cat_systems_bad.csv:8: column 'last_significant_change': a date is a real calendar "
        "date written YYYY-MM-DD",
        "cat_systems_bad.csv:10: column 'external_id': 'IO-B7' is also on line 9",
        "cat_systems_bad.csv:11: the row has 6 fields, the header 8",
    ])


@test("a header without a required column or with an unknown one is refused")
def _():
    r = imp("systems", "people_comma.csv")
    eq(r.returncode, 1, "exit code")
    check("people_comma.csv:1: column 'user_id': not a column of systems; the columns are "
          "external_id, name" in r.stderr, "unknown column named (%r)" % r.stderr)
    check("people_comma.csv:1: column 'external_id': missing from the header" in r.stderr,
          "missing column named")


@test("file-level problems (not UTF-8, an unclosed quote, empty) are refused for catalog kinds")
def _():
    systems_loaded()
    for kind, name, first in (
            ("systems", "bad_latin1.csv", "bad_latin1.csv:3: not UTF-8 text"),
            ("components", "cat_components_unclosed.csv",
             "cat_components_unclosed.csv:3: a quoted field is not closed"),
            ("information", "empty.csv",
             "empty.csv:1: the file is empty; its first line must name the columns")):
        world()
        before = digest()
        r = imp(kind, name)
        eq(r.returncode, 1, "exit code of %s %s" % (kind, name))
        check(r.stderr.startswith(first), "%r first in %r" % (first, r.stderr))
        eq(digest(), before, "nothing changed")


@test("systems import, re-import changes nothing, an update file updates, all audited")
def _():
    systems_loaded()
    imported("systems", "cat_systems.csv", "Imported 3 systems (0 new, 0 updated)")
    imported("systems", "cat_systems_update.csv", "Imported 2 systems (0 new, 1 updated)")
    s = ok("GET", "/api/v1/systems/IO-EKO")
    eq((s["name"], s["mfa_enforced"], s["internet_facing"], s["hosting"], s["hosting_country"],
        s["last_significant_change"]),
       ("Ekonomisystem 2", True, True, "cloud", "SE", "2026-04-01"), "IO-EKO after the update")
    eq(ok("GET", "/api/v1/systems/IO-HR")["name"], "Personal, lön", "quoted comma kept")
    creates = audit_rows("system.create", "IO-EKO")
    eq([(a[0], a[1]) for a in creates], [(ACTOR, "system.create")], "one create by the CLI")
    eq(len(audit_rows("system.update", "IO-EKO")), 1, "one update audited")


@test("a components file with every class of bad row is refused, nothing applied")
def _():
    systems_loaded()
    refused("components", "cat_components_bad.csv", [
        "cat_components_bad.csv:2: column 'system_external_id': there is no system with "
        "external id 'IO-NONE'",
        "cat_components_bad.csv:3: column 'kind': the kind of a component is hardware, software "
        "or licence",
        "cat_components_bad.csv:4: column 'cpe': " + CPE_WHY,
        "cat_components_bad.csv:5: column 'licence_count': a whole number from 0",
        "cat_components_bad.csv:7: column 'name': the software component 'Raindance' of IO-EKO "
        "is also on line 6",
        "cat_components_bad.csv:8: column 'version': a version is at most 100 bytes",
    ])


@test("components import and re-import by system, kind and name")
def _():
    systems_loaded()
    imported("components", "cat_components.csv", "Imported 3 components (3 new, 0 updated)")
    imported("components", "cat_components.csv", "Imported 3 components (0 new, 0 updated)")
    items = ok("GET", "/api/v1/systems/IO-EKO/components")["items"]
    lic = [c for c in items if c["kind"] == "licence"][0]
    eq((lic["licence_count"], lic["licences_in_use"], lic["licence_expiry"]),
       (100, 80, "2026-12-31"), "licence columns")
    sw = [c for c in items if c["name"] == "Raindance"][0]
    eq(sw["cpe"], "cpe:2.3:a:cgi:raindance:5.2:*:*:*:*:*:*:*", "cpe")


@test("an information file with every class of bad row is refused, nothing applied")
def _():
    systems_loaded()
    refused("information", "cat_information_bad.csv", [
        "cat_information_bad.csv:2: column 'k': a level is a whole number from 0 to 4",
        "cat_information_bad.csv:3: column 'personal_data': personal_data is none, personal or "
        "sensitive (GDPR art. 9)",
        "cat_information_bad.csv:4: column 'systems': there is no system with external id "
        "'IO-NONE'",
        "cat_information_bad.csv:5: column 'information_owner': sara does not hold the role "
        "information_owner in the owning organisation or above it",
        "cat_information_bad.csv:6: column 'classified_at': a date is a real calendar date "
        "written YYYY-MM-DD",
        "cat_information_bad.csv:7: column 'systems': " + EXT_WHY,
    ])


@test("information import links systems and their levels follow, as in the API")
def _():
    systems_loaded()
    imported("information", "cat_information.csv", "Imported 3 information (3 new, 0 updated)")
    imported("information", "cat_information.csv", "Imported 3 information (0 new, 0 updated)")
    lon = ok("GET", "/api/v1/information/INF-LON")
    eq((lon["k"], lon["classified_at"], lon["classified_by"], lon["review_due"]),
       (3, "2026-01-15T00:00:00Z", ACTOR, "2027-01-15"), "classification from the file")
    hr = ok("GET", "/api/v1/systems/IO-HR/protection")
    eq((hr["k"]["level"], hr["k"]["driven_by"]["external_id"]), (4, "INF-HALSA"), "K of IO-HR")
    eq(ok("GET", "/api/v1/systems/IO-HR")["personal_data"], "sensitive", "personal data")
    imported("information", "cat_information_update.csv",
             "Imported 1 information (0 new, 1 updated)")
    eko = ok("GET", "/api/v1/systems/IO-EKO/protection")
    eq(eko["k"]["level"], 2, "IO-EKO K follows the lowered classification")
    hr = ok("GET", "/api/v1/systems/IO-HR/protection")
    eq(hr["r"]["level"], 3, "IO-HR keeps INF-HALSA's R after INF-LON is unlinked")
    check(audit_rows("system_information.delete", "IO-HR"), "the unlink is audited")


@test("a CycloneDX SBOM becomes the system's software components; bad ones change nothing")
def _():
    systems_loaded()
    refused("sbom", "sbom_not_cyclonedx.json",
            ["sbom_not_cyclonedx.json:1: not a CycloneDX SBOM: bomFormat is not \"CycloneDX\""],
            "--system", "IO-HR")
    refused("sbom", "sbom_truncated.json",
            ["sbom_truncated.json:2: not JSON: ']' expected near end of file"],
            "--system", "IO-HR")
    refused("sbom", "sbom.json",
            ["sbom.json:1: there is no system with external id 'IO-NONE' (--system)"],
            "--system", "IO-NONE")
    refused("sbom", "sbom_bad_cpe.json", [
        "sbom_bad_cpe.json:1: column 'components[1]': cpe: " + CPE_WHY,
        "sbom_bad_cpe.json:1: column 'components[2]': a component needs a name",
    ], "--system", "IO-HR")
    imported("sbom", "sbom.json", "Imported 3 components (3 new, 0 updated)", "--system", "IO-HR")
    imported("sbom", "sbom.json", "Imported 3 components (0 new, 0 updated)", "--system", "IO-HR")
    items = {c["name"]: c for c in ok("GET", "/api/v1/systems/IO-HR/components")["items"]
             if c["kind"] == "software"}
    eq((items["openssl"]["vendor"], items["openssl"]["version"], items["openssl"]["cpe"]),
       ("OpenSSL Project", "3.0.11", "cpe:2.3:a:openssl:openssl:3.0.11:*:*:*:*:*:*:*"), "openssl")
    eq(items["zlib"]["vendor"], "zlib", "supplier.name as vendor")
    r = run_varn("import", "sbom", "sbom.json", db=srv().db, cwd=FIXTURES)
    eq(r.returncode, 2, "no --system is a usage error")


@test("the example files start with the columns of product.md §5")
def _():
    heads = {"systems": "external_id,name,organisation,system_owner,lifecycle,internet_facing,"
                        "mfa_enforced,last_significant_change",
             "components": "system_external_id,kind,name,vendor,product,version,cpe,"
                           "licence_count,licences_in_use,licence_expiry,end_of_support",
             "information": "external_id,name,organisation,information_owner,k,r,t,"
                            "personal_data,classified_at,systems"}
    for kind, head in heads.items():
        with open(os.path.join(SOURCE_ROOT, "examples", kind + ".csv"), encoding="utf-8") as f:
            check(f.readline().startswith(head), "examples/%s.csv header" % kind)


@test("GET /systems?format=csv: Swedish headers, the JSON list's rows, formulas neutralised")
def _():
    systems_loaded()
    h, rows = csv_get("/api/v1/systems?format=csv&organisation=NORRBY&lifecycle=production")
    eq(h.get("content-disposition"), 'attachment; filename="systemkatalog.csv"', "file name")
    eq(rows[0][:4], ["Externt id", "Namn", "Organisation", "Systemägare"], "headers")
    listed = ok("GET", "/api/v1/systems?organisation=NORRBY&lifecycle=production")["items"]
    eq([r[0] for r in rows[1:]], [s["external_id"] for s in listed], "the same rows")
    form = [r for r in rows[1:] if r[0] == "IO-FORM"][0]
    eq(form[1], "'=HYPERLINK(1)", "a formula-looking name is neutralised")
    a = audit_rows("systems.export")
    check(a and '"lifecycle": "production"' in (a[-1][5] or "").replace('":"', '": "'),
          "the export is audited with its filter (%r)" % (a[-1:],))


@test("GET /information?format=csv: Swedish headers and the filtered rows")
def _():
    systems_loaded()
    if not sql_rows(srv().db, "SELECT 1 FROM information WHERE external_id = 'INF-LON'"):
        imported("information", "cat_information.csv",
                 "Imported 3 information (3 new, 0 updated)")
    h, rows = csv_get("/api/v1/information?format=csv&k=1")
    eq(h.get("content-disposition"), 'attachment; filename="informationstillgangar.csv"', "name")
    eq(rows[0][:8], ["Externt id", "Namn", "Organisation", "Informationsägare", "K", "R", "T",
                     "Personuppgifter"], "headers")
    listed = ok("GET", "/api/v1/information?k=1")["items"]
    eq([r[0] for r in rows[1:]], [i["external_id"] for i in listed], "the same rows")
    check(audit_rows("information.export"), "the export is audited")
    st, _, _ = srv().request("GET", "/api/v1/information?format=pdf", None,
                             {"Authorization": "Bearer " + admin()})
    eq(st, 422, "an unknown format")


def neutral(text):
    """A value as the exports write it: formula-like text behind an apostrophe."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def xlsx_get(path):
    try:
        import openpyxl
    except ImportError:
        # Debian's python3-openpyxl (pure Python) when the tests run under another python3.
        sys.path.append("/usr/lib/python3/dist-packages")
        try:
            import openpyxl
        except ImportError:
            raise AssertionError("python3-openpyxl is missing: run scripts/deps.sh")
    st, h, b = srv().request("GET", path, None, {"Authorization": "Bearer " + admin()})
    eq(st, 200, "GET %s status (%r)" % (path, b[:300]))
    eq(h.get("content-type"),
       "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Content-Type")
    return h, openpyxl.load_workbook(io.BytesIO(b))


@test("GET /systems?format=xlsx read back by openpyxl: sheet, headers, rows, text cells")
def _():
    systems_loaded()
    h, wb = xlsx_get("/api/v1/systems?format=xlsx&organisation=NORRBY&sort=name")
    eq(h.get("content-disposition"), 'attachment; filename="systemkatalog.xlsx"', "file name")
    eq(wb.sheetnames, ["Systemkatalog"], "sheet name")
    ws = wb["Systemkatalog"]
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    eq(rows[0][:4], ["Externt id", "Namn", "Organisation", "Systemägare"], "headers")
    check(ws["A1"].font.b, "the header row is bold")
    check(ws.column_dimensions["A"].width >= 14, "column widths are set")
    listed = ok("GET", "/api/v1/systems?organisation=NORRBY&sort=name")["items"]
    eq([(r[0], r[1], r[2], r[6]) for r in rows[1:]],
       [(s["external_id"], neutral(s["name"]), s["organisation"], s["lifecycle"])
        for s in listed], "the JSON list's rows in its order")
    form = [r for r in ws.iter_rows(min_row=2) if r[0].value == "IO-FORM"][0]
    eq((form[1].value, form[1].data_type), ("'=HYPERLINK(1)", "s"), "formula stored as text")
    eko = [r for r in ws.iter_rows(min_row=2) if r[0].value == "IO-EKO"][0]
    eq((eko[12].value, eko[12].data_type), ("2026-04-01", "s"), "a date is text")
    a = audit_rows("systems.export")
    check(a and '"xlsx"' in (a[-1][5] or ""), "the XLSX export is audited (%r)" % (a[-1:],))


@test("GET /information?format=xlsx: Swedish sheet name and the filtered rows")
def _():
    systems_loaded()
    if not sql_rows(srv().db, "SELECT 1 FROM information WHERE external_id = 'INF-LON'"):
        imported("information", "cat_information.csv",
                 "Imported 3 information (3 new, 0 updated)")
    _, wb = xlsx_get("/api/v1/information?format=xlsx&personal_data=personal")
    eq(wb.sheetnames, ["Informationstillgångar"], "sheet name")
    rows = [[c.value for c in r] for r in wb.active.iter_rows()]
    eq(rows[0][3], "Informationsägare", "header")
    listed = ok("GET", "/api/v1/information?personal_data=personal")["items"]
    eq([(r[0], r[4], r[5], r[6]) for r in rows[1:]],
       [(i["external_id"], i["k"], i["r"], i["t"]) for i in listed], "rows with their levels")


@test("varn export systems|information writes csv, json and xlsx to stdout, audited")
def _():
    systems_loaded()
    r = run_varn("export", "systems", "--org", "NORRBY", db=srv().db)
    eq((r.returncode, r.stderr), (0, ""), "varn export systems")
    rows = list(csv.reader(io.StringIO(r.stdout.lstrip("\ufeff"), newline=""), delimiter=";"))
    eq(rows[0][:2], ["Externt id", "Namn"], "Swedish headers")
    listed = ok("GET", "/api/v1/systems?organisation=NORRBY&limit=500")["items"]
    eq([x[0] for x in rows[1:]], [s["external_id"] for s in listed], "the API's rows")
    r = run_varn("export", "information", "--format", "json", db=srv().db)
    eq(r.returncode, 0, "varn export information --format json (%s)" % r.stderr)
    items = json.loads(r.stdout)["items"]
    eq(sorted(i["external_id"] for i in items),
       sorted(i[0] for i in sql_rows(srv().db, "SELECT external_id FROM information")), "all")
    path = os.path.join(os.path.dirname(srv().db), "export.xlsx")
    with open(path, "wb") as f:
        done = subprocess.run([VARN_BIN, "--db", srv().db, "export", "systems", "--format",
                               "xlsx"], stdout=f, stderr=subprocess.PIPE, timeout=60)
    eq(done.returncode, 0, "xlsx export (%r)" % done.stderr)
    with open(path, "rb") as f:
        check(f.read(2) == b"PK", "an XLSX (zip) file")
    check(any(a[0].startswith("cli:") for a in audit_rows("systems.export")), "audited as cli")
    r = run_varn("export", "things", db=srv().db)
    eq(r.returncode, 2, "an unknown kind is a usage error")
    r = run_varn("export", "systems", "--format", "pdf", db=srv().db)
    eq(r.returncode, 2, "an unknown format is a usage error")


if __name__ == "__main__":
    main(suite)
