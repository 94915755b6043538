#!/usr/bin/env python3
"""The system catalog over HTTP: systems and components created, read, changed, listed,
filtered, sorted and paged; every validation class with its status, code and field and an
unchanged database; CPE 2.3 strings accepted and refused; references outside the caller's reach
refused like unknown ones; a user token refused on writes and the refusal audited."""
import os
import sys
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from varn_harness import Suite, check, eq, main, sql_rows  # noqa: E402
from catalog_helpers import (audit_rows, call, digest, new_system, ok, problem,  # noqa: E402
                             refused_unchanged, srv, token, world)

suite = Suite()
test = suite.test

SYSTEM_KEYS = {"external_id", "name", "description", "organisation", "system_owner",
               "administrator", "supplier", "lifecycle", "hosting", "hosting_country",
               "internet_facing", "sso", "mfa_enforced", "last_significant_change", "k", "r", "t",
               "level", "level_name_sv", "personal_data", "created_at", "updated_at", "users",
               "dependencies"}


@test("a system is created with its defaults, read back, and the creation is audited")
def _():
    s = new_system("SYS-1", description="Ekonomisystem", administrator="olle", supplier="LEVA")
    eq(set(s), SYSTEM_KEYS, "members")
    eq((s["organisation"], s["system_owner"], s["administrator"], s["supplier"]),
       ("NORRBY", "sara", "olle", "LEVA"), "references")
    eq((s["lifecycle"], s["hosting"], s["internet_facing"], s["mfa_enforced"]),
       ("production", "own", False, False), "defaults")
    eq((s["k"], s["r"], s["t"], s["level"], s["level_name_sv"], s["personal_data"]),
       (0, 0, 0, 0, "Ingen eller försumbar skada", "none"), "levels without information")
    eq(ok("GET", "/api/v1/systems/SYS-1"), s, "GET gives what POST gave")
    rows = audit_rows("system.create", "SYS-1")
    eq(len(rows), 1, "one audit entry")
    check('"_id"' not in rows[0][5] and '"_owner_id"' not in rows[0][5], "hidden members stay out of the audit log")


@test("PATCH changes the given fields, audits before and after; an unchanged PATCH writes nothing")
def _():
    new_system("SYS-2")
    s = ok("PATCH", "/api/v1/systems/SYS-2",
           {"hosting": "cloud", "hosting_country": "SE", "mfa_enforced": True, "sso": True,
            "lifecycle": "decommissioning", "last_significant_change": "2026-03-01",
            "system_owner": "adam"})
    eq((s["hosting"], s["hosting_country"], s["mfa_enforced"], s["sso"], s["lifecycle"],
        s["last_significant_change"], s["system_owner"]),
       ("cloud", "SE", True, True, "decommissioning", "2026-03-01", "adam"), "changed")
    rows = audit_rows("system.update", "SYS-2")
    eq(len(rows), 1, "one audit entry")
    check('"hosting": "own"' in rows[0][4] or '"hosting":"own"' in rows[0][4], "before")
    before = digest()
    eq(ok("PATCH", "/api/v1/systems/SYS-2", {"hosting": "cloud", "sso": True}), s, "same")
    eq(digest(), before, "an unchanged PATCH writes nothing")


@test("every validation class of a system write is refused naming the field, changing nothing")
def _():
    new_system("SYS-V")
    base = {"external_id": "SYS-NEW", "name": "N", "organisation": "NORRBY",
            "system_owner": "sara"}

    def post(code, field, status=422, **change):
        body = dict(base)
        body.update(change)
        body = {k: v for k, v in body.items() if v is not Ellipsis}
        refused_unchanged("POST", "/api/v1/systems", body, status, code, field)

    post("missing_field", "system_owner", system_owner=...)
    post("invalid_external_id", "external_id", external_id="has space")
    post("duplicate", "external_id", status=409, external_id="SYS-V")
    post("unknown_organisation", "organisation", organisation="NOSUCH")
    post("unknown_person", "system_owner", system_owner="nobody")
    post("missing_role", "system_owner", system_owner="olle")
    post("missing_role", "system_owner", system_owner="ivar")
    post("unknown_person", "administrator", administrator="nobody")
    post("unknown_organisation", "supplier", supplier="NOSUCH")
    post("not_a_supplier", "supplier", supplier="OSTBY")
    post("invalid_lifecycle", "lifecycle", lifecycle="live")
    post("invalid_hosting", "hosting", hosting="basement")
    post("country_required", "hosting_country", hosting="cloud")
    post("invalid_country", "hosting_country", hosting="cloud", hosting_country="se")
    post("invalid_name", "name", name="   ")
    post("wrong_type", "mfa_enforced", mfa_enforced="yes")
    post("invalid_date", "last_significant_change", last_significant_change="2026-02-30")
    post("unknown_field", "level", level=3)
    refused_unchanged("PATCH", "/api/v1/systems/SYS-V", {"external_id": "SYS-X"}, 422,
                      "immutable", "external_id")
    refused_unchanged("PATCH", "/api/v1/systems/SYS-V", {"hosting": "cloud"}, 422,
                      "country_required", "hosting_country")
    refused_unchanged("PATCH", "/api/v1/systems/SYS-V", {"organisation": "OSTBY"}, 422,
                      "missing_role", "system_owner")
    problem(call("PATCH", "/api/v1/systems/NO-SUCH", {"name": "x"}), 404, "not_found")
    problem(call("GET", "/api/v1/systems/NO-SUCH"), 404, "not_found")


@test("a caller in NORRBY naming OSTBY's organisation or people is refused like unknown ones")
def _():
    world()
    tok = token("NORRBY", "administrator")
    new_system("SYS-O", organisation="OSTBY", system_owner="otto")
    results = []
    for org, owner in (("OSTBY", "sara"), ("NOSUCH", "sara"), ("NORRBY", "otto"),
                       ("NORRBY", "nobody")):
        body = {"external_id": "SYS-F", "name": "F", "organisation": org, "system_owner": owner}
        before = digest()
        st, _, p = call("POST", "/api/v1/systems", body, tok)
        eq(digest(), before, "nothing written")
        results.append((st, p["code"], p["field"]))
    eq(results[0], results[1], "a foreign organisation vs an unknown one")
    eq(results[2], results[3], "a foreign person vs an unknown one")
    eq(results[0], (422, "unknown_organisation", "organisation"), "organisation")
    eq(results[2], (422, "unknown_person", "system_owner"), "person")
    problem(call("GET", "/api/v1/systems/SYS-O", tok=tok), 404, "not_found")
    problem(call("PATCH", "/api/v1/systems/SYS-O", {"name": "x"}, tok=tok), 404, "not_found")
    listed = ok("GET", "/api/v1/systems?limit=500", tok=tok)
    check(all(s["organisation"] == "NORRBY" for s in listed["items"]), "only NORRBY listed")


@test("lists filter, sort and page with an opaque cursor; unknown parameters are refused")
def _():
    for i in range(5):
        new_system("LST-%d" % i, name="Lista %d" % (4 - i),
                   lifecycle="planned" if i % 2 else "production")
    page = ok("GET", "/api/v1/systems?q=lst-&limit=2")
    eq([s["external_id"] for s in page["items"]], ["LST-0", "LST-1"], "first page")
    seen = [s["external_id"] for s in page["items"]]
    while page["next_cursor"]:
        page = ok("GET", "/api/v1/systems?q=lst-&limit=2&cursor=" +
                  urllib.parse.quote(page["next_cursor"]))
        seen += [s["external_id"] for s in page["items"]]
    eq(seen, ["LST-%d" % i for i in range(5)], "all pages")
    by_name = ok("GET", "/api/v1/systems?q=lista&sort=name&limit=3")
    eq([s["name"] for s in by_name["items"]], ["Lista 0", "Lista 1", "Lista 2"], "by name")
    nxt = ok("GET", "/api/v1/systems?q=lista&sort=name&limit=3&cursor=" +
             urllib.parse.quote(by_name["next_cursor"]))
    eq([s["name"] for s in nxt["items"]], ["Lista 3", "Lista 4"], "by name, page 2")
    planned = ok("GET", "/api/v1/systems?q=lst-&lifecycle=planned")
    eq([s["external_id"] for s in planned["items"]], ["LST-1", "LST-3"], "lifecycle filter")
    eq(ok("GET", "/api/v1/systems?q=lst-&owner=adam")["items"], [], "owner filter")
    eq(len(ok("GET", "/api/v1/systems?q=lst-&owner=sara&organisation=norrby")["items"]), 5,
       "owner and organisation filters")
    eq(ok("GET", "/api/v1/systems?q=lst-&level=1")["items"], [], "level filter")
    problem(call("GET", "/api/v1/systems?lifecyle=planned"), 422, "unknown_parameter",
            "lifecyle")
    problem(call("GET", "/api/v1/systems?level=5"), 422, "out_of_range", "level")
    problem(call("GET", "/api/v1/systems?sort=owner"), 422, "invalid_value", "sort")
    problem(call("GET", "/api/v1/systems?lifecycle=live"), 422, "invalid_value", "lifecycle")
    problem(call("GET", "/api/v1/systems?cursor=bm9wZQ"), 422, "invalid_cursor", "cursor")
    problem(call("GET", "/api/v1/systems?sort=name&cursor=" +
                 urllib.parse.quote(page.get("next_cursor") or "eA")), 422, "invalid_cursor",
            "cursor")


VALID_CPE = [
    "cpe:2.3:a:microsoft:office:2019:*:*:*:*:*:*:*",
    "cpe:2.3:o:linux:linux_kernel:5.10.1:-:*:*:*:*:*:*",
    "cpe:2.3:h:cisco:asa_5505:-:*:*:*:*:*:*:*",
    "cpe:2.3:a:foo\\:bar:baz:1.0:*:*:en:*:*:*:*",
    "cpe:2.3:a:vendor:product:1.*:*:*:sv\\-se:*:*:*:*",
    "cpe:2.3:a:vendor:product:??1:*:*:*:*:*:*:*",
]
INVALID_CPE = [
    "cpe:/a:microsoft:office:2019",
    "cpe:2.3:x:microsoft:office:2019:*:*:*:*:*:*:*",
    "cpe:2.3:a:microsoft:office:2019:*:*:*:*:*:*",
    "cpe:2.3:a:microsoft:office:2019:*:*:*:*:*:*:*:*",
    "cpe:2.3:a:micro soft:office:2019:*:*:*:*:*:*:*",
    "cpe:2.3:a:microsoft:office!:2019:*:*:*:*:*:*:*",
    "cpe:2.3:a:microsoft:office:**:*:*:*:*:*:*:*",
    "cpe:2.3:a:microsoft::2019:*:*:*:*:*:*:*",
    "cpe:2.3:a:microsoft:office:2019:*:*:english:*:*:*:*",
    "cpe:2.3:a:microsoft:office:1\\a:*:*:*:*:*:*:*",
    "cpe:2.2:a:microsoft:office:2019:*:*:*:*:*:*:*",
]


@test("components: add, list, change and remove, each audited; CPE 2.3 strings checked")
def _():
    new_system("CMP-1")
    path = "/api/v1/systems/CMP-1/components"
    c = ok("POST", path, {"kind": "software", "name": "Office", "vendor": "Microsoft",
                          "product": "Office", "version": "2019", "cpe": VALID_CPE[0],
                          "end_of_support": "2025-10-14"}, status=201)
    eq((c["kind"], c["cpe"], c["end_of_support"], c["licence_count"]),
       ("software", VALID_CPE[0], "2025-10-14", None), "software component")
    lic = ok("POST", path, {"kind": "licence", "name": "Office E3", "licence_count": 100,
                            "licences_in_use": 87, "licence_expiry": "2027-06-30",
                            "licence_cost": 250000}, status=201)
    eq((lic["licence_count"], lic["licences_in_use"], lic["licence_cost"]), (100, 87, 250000),
       "licence")
    listed = ok("GET", path)
    eq([x["id"] for x in listed["items"]], [lic["id"], c["id"]], "list ordered by kind")
    eq(listed["next_cursor"], None, "one page")
    for cpe in VALID_CPE:
        eq(ok("PATCH", "%s/%d" % (path, c["id"]), {"cpe": cpe})["cpe"], cpe, "valid %s" % cpe)
    for cpe in INVALID_CPE:
        refused_unchanged("PATCH", "%s/%d" % (path, c["id"]), {"cpe": cpe}, 422, "invalid_cpe",
                          "cpe")
    refused_unchanged("POST", path, {"kind": "firmware", "name": "x"}, 422, "invalid_kind",
                      "kind")
    refused_unchanged("POST", path, {"kind": "software"}, 422, "missing_field", "name")
    refused_unchanged("POST", path, {"kind": "licence", "name": "x", "licence_count": -1}, 422,
                      "out_of_range", "licence_count")
    eq(len(audit_rows("component.update", str(c["id"]))), len(VALID_CPE) - 1,
       "one audit entry per change (the first valid CPE was already set)")
    before = sql_rows(srv().db, "SELECT count(*) FROM component")[0][0]
    st, _, _ = call("DELETE", "%s/%d" % (path, lic["id"]))
    eq(st, 204, "delete")
    eq(sql_rows(srv().db, "SELECT count(*) FROM component")[0][0], before - 1, "deleted")
    eq(len(audit_rows("component.delete", str(lic["id"]))), 1, "delete audited")
    problem(call("DELETE", "%s/%d" % (path, lic["id"])), 404, "not_found")
    new_system("CMP-2")
    problem(call("PATCH", "/api/v1/systems/CMP-2/components/%d" % c["id"], {"name": "x"}), 404,
            "not_found")
    problem(call("GET", "/api/v1/systems/NO-SUCH/components"), 404, "not_found")


@test("a user token gets 403 on every catalog write, recorded as access.refused")
def _():
    new_system("USR-1")
    tok = token("NORRBY", "user")
    writes = [("POST", "/api/v1/systems", {"external_id": "U", "name": "U",
                                           "organisation": "NORRBY", "system_owner": "sara"}),
              ("PATCH", "/api/v1/systems/USR-1", {"name": "x"}),
              ("POST", "/api/v1/systems/USR-1/components", {"kind": "hardware", "name": "x"}),
              ("PATCH", "/api/v1/systems/USR-1/components/1", {"name": "x"}),
              ("DELETE", "/api/v1/systems/USR-1/components/1", None),
              ("POST", "/api/v1/systems/USR-1/raises",
               {"aspect": "k", "level": 4, "reason": "accumulation"})]
    for method, path, body in writes:
        seq = sql_rows(srv().db, "SELECT max(seq) FROM audit_log")[0][0]
        before = digest()
        problem(call(method, path, body, tok=tok), 403, "forbidden")
        rows = sql_rows(srv().db, "SELECT action, object_kind FROM audit_log WHERE seq > ?",
                        (seq,))
        eq(rows, [("access.refused", "route")], "audit for %s %s" % (method, path))
        eq(digest() == before, False, "the refusal itself is recorded")
    problem(call("GET", "/api/v1/systems", tok=tok), 403, "forbidden")


@test("my systems: a token has no person and gets an empty list")
def _():
    new_system("MY-1")
    eq(ok("GET", "/api/v1/my/systems"), {"items": [], "next_cursor": None}, "token")


@test("a list shows exactly the systems in reach, also when the reach is many runs of ids")
def _():
    # SPRID's ten children and ten organisations beside it are made in turn, so SPRID reaches
    # eleven runs of organisation ids (more than the list binds as ranges: the scope CTE
    # answers then) and a child reaches one run.
    from catalog_helpers import orgnr, token, world
    world()
    org = {"name": "Spridd", "kind": "municipality", "org_number": orgnr()}
    ok("POST", "/api/v1/organisations", dict(org, code="SPRID", parent_code="ITC"), status=201)
    for i in range(10):
        for code, parent in (("SPRID%d" % i, "SPRID"), ("ANNAN%d" % i, "ITC")):
            ok("POST", "/api/v1/organisations",
               {"code": code, "name": "Org " + code, "kind": "company", "parent_code": parent,
                "org_number": orgnr()}, status=201)
            new_system("%s-%d" % (code[:3], i), organisation=code, system_owner="adam")

    def listed(tok, query="", limit=3):
        seen, cursor = [], None
        while True:
            path = "/api/v1/systems?limit=%d%s" % (limit, query)
            if cursor:
                path += "&cursor=" + urllib.parse.quote(cursor)
            page = ok("GET", path, tok=tok)
            seen += page["items"]
            cursor = page["next_cursor"]
            if not cursor:
                return seen

    spr = ["SPR-%d" % i for i in range(10)]
    ann = ["ANN-%d" % i for i in range(10)]
    many = token("SPRID", "administrator")
    items = listed(many)
    eq([s["external_id"] for s in items], spr, "SPRID's list: its children's systems only")
    eq([s["external_id"] for s in listed(many, "&sort=name", 4)],
       sorted(spr, key=lambda e: "System " + e), "by name")
    eq(listed(many, "&organisation=ANNAN3"), [], "an organisation out of reach: nothing")
    one = token("SPRID3", "administrator")
    eq([s["external_id"] for s in listed(one)], ["SPR-3"], "one child: its own system")
    every = [s for s in listed(None, "&q=spr-", 500) + listed(None, "&q=ann-", 500)]
    eq(sorted(s["external_id"] for s in every), sorted(spr + ann), "ITC sees them all")
    eq(items, [s for s in every if s["external_id"] in spr], "the same objects either way")
    eq([s["external_id"] for s in listed(token("ANNAN3", "ciso"))], ["ANN-3"], "beside it")


@test("the server stops cleanly")
def _():
    eq(srv().stop(), 0, "exit code")


if __name__ == "__main__":
    main(suite)
