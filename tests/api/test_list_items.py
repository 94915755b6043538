#!/usr/bin/env python3
"""The lists' stored items (db/migrations/0010_list_items.sql): a page of GET /api/v1/systems
or GET /api/v1/information is made of items rendered when the object changes, so after every
kind of change (create, update, a reclassified asset, a link and an unlink, a raise by hand,
imports of systems and of information that links systems) each item must show what the
object's own GET shows, level names included; an item missing from the database is rendered
when read, and `varn init` stores the missing ones."""
import os
import sqlite3
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from varn_harness import Suite, check, eq, main, run_varn, sql_rows, tempdir  # noqa: E402
from catalog_helpers import call, new_info, new_system, ok, srv  # noqa: E402

suite = Suite()
test = suite.test

INFO_KEYS = ["external_id", "name", "description", "organisation", "information_owner", "k", "r",
             "t", "personal_data", "secrecy_reference", "classified_at", "classified_by",
             "review_due", "created_at", "updated_at", "level_names_sv"]
ITEM_KEYS = ["external_id", "name", "description", "organisation", "system_owner",
             "administrator", "supplier", "lifecycle", "hosting", "hosting_country",
             "internet_facing", "sso", "mfa_enforced", "last_significant_change", "k", "r", "t",
             "level", "personal_data", "created_at", "updated_at", "level_name_sv"]
LEVEL_NAMES = ["Ingen eller försumbar skada", "Måttlig skada", "Betydande skada",
               "Allvarlig skada", "Synnerligen allvarlig skada"]


def listed(resource="systems"):
    """Every item of a list, page by page (small pages, so that cursors are followed)."""
    items, path = [], "/api/v1/%s?limit=7" % resource
    while path:
        page = ok("GET", path)
        items += page["items"]
        path = page["next_cursor"] and "/api/v1/%s?limit=7&cursor=%s" % (resource,
                                                                          page["next_cursor"])
    return {i["external_id"]: i for i in items}


def agrees(what):
    """Each system's item has the list's members, in order, with the values GET /systems/{id}
    gives; each asset's item is what GET /information/{id} gives."""
    items = listed()
    check(items, "the list is empty after %s" % what)
    for ext, item in items.items():
        eq(list(item), ITEM_KEYS, "members of %s after %s" % (ext, what))
        detail = ok("GET", "/api/v1/systems/" + ext)
        eq(item, {k: detail[k] for k in ITEM_KEYS}, "%s in the list after %s" % (ext, what))
        eq(item["level_name_sv"], LEVEL_NAMES[item["level"]], "%s's level name" % ext)
    for ext, item in listed("information").items():
        eq(list(item), INFO_KEYS, "members of %s after %s" % (ext, what))
        eq(item, ok("GET", "/api/v1/information/" + ext), "%s in the list after %s" % (ext, what))
        eq(item["level_names_sv"], {a: LEVEL_NAMES[item[a]] for a in "krt"},
           "%s's level names" % ext)
    return items


def sql_write(sql):
    con = sqlite3.connect(srv().db, timeout=30)
    try:
        with con:
            con.execute(sql)
    finally:
        con.close()


def imported(kind, text):
    """varn import kind of a file holding text."""
    path = os.path.join(tempdir(), kind + ".csv")
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    r = run_varn("import", kind, path, db=srv().db)
    eq(r.returncode, 0, "varn import %s (%s)" % (kind, r.stderr))


def link(sys_ext, info_ext, method):
    st, _, b = call(method, "/api/v1/systems/%s/information/%s" % (sys_ext, info_ext),
                    {} if method == "PUT" else None)
    eq(st, 204, "%s link %s %s (%r)" % (method, sys_ext, info_ext, b))


@test("after every kind of change each list shows what the object's own page shows")
def _():
    new_system("LI-1")
    new_system("LI-2", description='Tecken: "citat", \\, ny\nrad, tab\t och 😀',
               administrator="adam", hosting="cloud", hosting_country="SE",
               internet_facing=True, last_significant_change="2026-05-01")
    items = agrees("create")
    eq((items["LI-2"]["hosting_country"], items["LI-2"]["internet_facing"]), ("SE", True),
       "the created values")

    ok("PATCH", "/api/v1/systems/LI-1", {"name": "Omdöpt", "lifecycle": "decommissioning",
                                         "mfa_enforced": True})
    items = agrees("an update")
    eq((items["LI-1"]["name"], items["LI-1"]["lifecycle"], items["LI-1"]["mfa_enforced"]),
       ("Omdöpt", "decommissioning", True), "the updated values")

    new_info("LI-INF", k=3, r=1, t=2, personal_data="sensitive")
    link("LI-1", "LI-INF", "PUT")
    items = agrees("a link")
    eq((items["LI-1"]["k"], items["LI-1"]["level"], items["LI-1"]["personal_data"]),
       (3, 3, "sensitive"), "levels inherited by the link")

    ok("PATCH", "/api/v1/information/LI-INF", {"k": 4, "name": "Omklassad"})
    items = agrees("a reclassification")
    eq((items["LI-1"]["k"], items["LI-1"]["level_name_sv"]), (4, LEVEL_NAMES[4]),
       "the reclassified asset lifts the system")
    eq((listed("information")["LI-INF"]["k"], listed("information")["LI-INF"]["name"]),
       (4, "Omklassad"), "the reclassified asset in its list")

    ok("POST", "/api/v1/systems/LI-2/raises", {"aspect": "t", "level": 3,
                                                "reason": "aggregation", "note": "Många"},
       status=201)
    items = agrees("a raise by hand")
    eq((items["LI-2"]["t"], items["LI-2"]["level"]), (3, 3), "raised by hand")

    link("LI-1", "LI-INF", "DELETE")
    items = agrees("an unlink")
    eq((items["LI-1"]["k"], items["LI-1"]["level"], items["LI-1"]["personal_data"]),
       (0, 0, "none"), "back to nothing once unlinked")

    imported("systems", "external_id,name,organisation,system_owner,lifecycle,internet_facing,"
             "mfa_enforced,last_significant_change,hosting,hosting_country\n"
             "LI-3,Importerat,NORRBY,sara,planned,nej,ja,,own,\n"
             "LI-2,Importerat om,NORRBY,sara,production,ja,nej,2026-06-01,supplier,\n")
    items = agrees("an import")
    eq((items["LI-3"]["name"], items["LI-2"]["name"], items["LI-2"]["hosting"]),
       ("Importerat", "Importerat om", "supplier"), "imported and re-imported values")

    imported("information", "external_id,name,organisation,information_owner,k,r,t,"
             "personal_data,classified_at,systems\n"
             "LI-INF2,Importerad,NORRBY,ivar,1,4,2,personal,2026-02-01,LI-3\n"
             "LI-INF,Omklassad igen,NORRBY,ivar,2,2,2,none,2026-02-01,\n")
    items = agrees("an import of information")
    info = listed("information")
    eq((info["LI-INF2"]["r"], info["LI-INF"]["name"], info["LI-INF"]["k"]),
       (4, "Omklassad igen", 2), "imported and re-imported assets")
    eq((items["LI-3"]["r"], items["LI-3"]["level"], items["LI-3"]["personal_data"]),
       (4, 4, "personal"), "the system the imported asset links to")


def missing():
    return [sql_rows(srv().db, "SELECT count(*) FROM %s WHERE list_item IS NULL" % t)[0][0]
            for t in ("system", "information")]


@test("an item missing from the database is rendered when read; varn init stores it")
def _():
    new_system("LI-GONE", description="Saknar sin rad")
    new_info("LI-INF-GONE", k=2, r=3, t=1)
    before, info_before = listed()["LI-GONE"], listed("information")["LI-INF-GONE"]
    sql_write("UPDATE system SET list_item = NULL WHERE external_id = 'LI-GONE'")
    sql_write("UPDATE information SET list_item = NULL WHERE external_id = 'LI-INF-GONE'")
    eq(missing(), [1, 1], "one item of each removed")
    eq(agrees("an item went missing")["LI-GONE"], before, "rendered when read")
    eq(listed("information")["LI-INF-GONE"], info_before, "the asset rendered when read")
    eq(missing(), [1, 1], "a read stores nothing")
    r = run_varn("init", db=srv().db)
    eq(r.returncode, 0, "varn init (%s)" % r.stderr)
    check("Rendered the list items of 1 system(s) and 1 information asset(s)." in r.stdout,
          "varn init says %r" % r.stdout)
    eq(missing(), [0, 0], "none missing after varn init")
    eq(agrees("varn init")["LI-GONE"], before, "the stored item")
    r = run_varn("init", db=srv().db)
    check("Rendered" not in r.stdout, "a second varn init renders nothing (%r)" % r.stdout)


if __name__ == "__main__":
    sys.exit(main(suite))
