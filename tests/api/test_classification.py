#!/usr/bin/env python3
"""Information classification over HTTP: assets created, read, reclassified and listed; every
validation class refused naming the field with an unchanged database; the review date a year
after each classification; the high-water mark a system inherits from the information it
processes, which asset drives each level, raises by hand and the refused lowering; and the
requirements (and a planned system's kravlista) that follow from the levels."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from varn_harness import Suite, check, eq, main, sql_rows  # noqa: E402
from catalog_helpers import (audit_rows, call, digest, new_info, new_system, ok,  # noqa: E402
                             problem, refused_unchanged, srv, token, world)

suite = Suite()
test = suite.test

INFO_KEYS = {"external_id", "name", "description", "organisation", "information_owner", "k", "r",
             "t", "personal_data", "secrecy_reference", "classified_at", "classified_by",
             "review_due", "level_names_sv", "created_at", "updated_at"}


def link(sys_ext, info_ext, method="PUT", tok=None):
    st, _, b = call(method, "/api/v1/systems/%s/information/%s" % (sys_ext, info_ext),
                    {} if method == "PUT" else None, tok=tok)
    eq(st, 204, "%s link %s %s (%r)" % (method, sys_ext, info_ext, b))


def protection(ext):
    return ok("GET", "/api/v1/systems/%s/protection" % ext)


def codes(ext):
    return [r["code"] for r in ok("GET", "/api/v1/systems/%s/requirements" % ext)["items"]]


@test("an asset is classified on creation: who, when, review due a year later; audited")
def _():
    i = new_info("INF-1", k=2, r=1, t=3, personal_data="personal",
                 secrecy_reference="OSL 26 kap. 1 §")
    eq(set(i), INFO_KEYS, "members")
    eq((i["k"], i["r"], i["t"], i["personal_data"]), (2, 1, 3, "personal"), "levels")
    eq(i["level_names_sv"], {"k": "Betydande skada", "r": "Måttlig skada",
                             "t": "Allvarlig skada"}, "Swedish level names")
    check(i["classified_by"].startswith("token:"), "classified_by %r" % i["classified_by"])
    year = int(i["classified_at"][:4])
    eq(i["review_due"], "%04d%s" % (year + 1, i["classified_at"][4:10]), "review a year later")
    eq(ok("GET", "/api/v1/information/INF-1"), i, "GET gives what POST gave")
    eq(len(audit_rows("information.create", "INF-1")), 1, "audited")


@test("every validation class of an information write is refused naming the field")
def _():
    new_info("INF-V")
    base = {"external_id": "INF-NEW", "name": "N", "organisation": "NORRBY",
            "information_owner": "ivar", "k": 1, "r": 1, "t": 1}

    def post(code, field, status=422, **change):
        body = dict(base)
        body.update(change)
        body = {k: v for k, v in body.items() if v is not Ellipsis}
        refused_unchanged("POST", "/api/v1/information", body, status, code, field)

    post("missing_field", "k", k=...)
    post("missing_field", "information_owner", information_owner=...)
    post("out_of_range", "k", k=5)
    post("out_of_range", "t", t=-1)
    post("wrong_type", "r", r="2")
    post("invalid_external_id", "external_id", external_id="a/b")
    post("duplicate", "external_id", status=409, external_id="INF-V")
    post("unknown_organisation", "organisation", organisation="NOSUCH")
    post("unknown_person", "information_owner", information_owner="nobody")
    post("missing_role", "information_owner", information_owner="sara")
    post("invalid_personal_data", "personal_data", personal_data="secret")
    refused_unchanged("PATCH", "/api/v1/information/INF-V", {"external_id": "X"}, 422,
                      "immutable", "external_id")
    problem(call("GET", "/api/v1/information/NO-SUCH"), 404, "not_found")
    problem(call("GET", "/api/v1/information?k=7"), 422, "out_of_range", "k")
    problem(call("GET", "/api/v1/information?review_due_before=2026-13-01"), 422,
            "invalid_value", "review_due_before")
    problem(call("GET", "/api/v1/information?kk=1"), 422, "unknown_parameter", "kk")
    problem(call("GET", "/api/v1/information?personal_data=some"), 422, "invalid_value",
            "personal_data")


@test("reclassifying (even to the same levels) records a new classification; other edits do not")
def _():
    i = new_info("INF-R", k=1)
    before = digest()
    eq(ok("PATCH", "/api/v1/information/INF-R", {"name": i["name"]})["classified_at"],
       i["classified_at"], "no reclassification")
    eq(digest(), before, "an unchanged PATCH writes nothing")
    j = ok("PATCH", "/api/v1/information/INF-R", {"k": 1})
    eq(len(audit_rows("information.update", "INF-R")), 1, "a confirmed classification is audited")
    eq(j["k"], 1, "same level")
    check(j["classified_by"].startswith("token:"), "classified_by")


@test("lists filter by organisation, owner, levels, personal data and review date")
def _():
    new_info("FLT-1", k=3, personal_data="sensitive")
    new_info("FLT-2", t=2)
    new_info("FLT-3", k=1, r=4, organisation="OSTBY", information_owner="otto")
    ids = lambda q: [x["external_id"] for x in ok("GET", "/api/v1/information?q=flt-&" + q)["items"]]  # noqa: E731
    eq(ids("k=2"), ["FLT-1"], "k")
    eq(ids("t=2"), ["FLT-2"], "t")
    eq(ids("r=4"), ["FLT-3"], "r")
    eq(ids("personal_data=sensitive"), ["FLT-1"], "personal_data")
    eq(ids("organisation=OSTBY"), ["FLT-3"], "organisation")
    eq(ids("owner=ivar"), ["FLT-1", "FLT-2"], "owner")
    eq(ids("review_due_before=2000-01-01"), [], "nothing due long ago")
    eq(ids("review_due_before=2999-01-01"), ["FLT-1", "FLT-2", "FLT-3"], "everything due later")
    eq(ids("sort=name&limit=2"), ["FLT-1", "FLT-2"], "sorted by name")
    eq(ok("GET", "/api/v1/my/information"), {"items": [], "next_cursor": None}, "token: none")


@test("a system inherits the highest K, R and T of its information and says which asset drives it")
def _():
    new_system("HWM-1")
    new_info("HWM-A", k=2, r=1, t=1)
    new_info("HWM-B", k=3, r=0, t=2)
    link("HWM-1", "HWM-A")
    link("HWM-1", "HWM-B")
    link("HWM-1", "HWM-B")  # linking twice is fine
    p = protection("HWM-1")
    eq(p["k"], {"level": 3, "level_name_sv": "Allvarlig skada", "inherited": 3,
                "driven_by": {"external_id": "HWM-B", "name": "Information HWM-B"},
                "raised": None}, "k from the K3 asset")
    eq((p["r"]["level"], p["r"]["driven_by"]["external_id"]), (1, "HWM-A"), "r")
    eq((p["t"]["level"], p["t"]["driven_by"]["external_id"]), (2, "HWM-B"), "t")
    eq([(x["external_id"], x["k"], x["r"], x["t"]) for x in p["information"]],
       [("HWM-A", 2, 1, 1), ("HWM-B", 3, 0, 2)], "the linked information is listed")
    s = ok("GET", "/api/v1/systems/HWM-1")
    eq((s["k"], s["r"], s["t"], s["level"]), (3, 1, 2, 3), "levels on the system")
    eq([x["external_id"] for x in ok("GET", "/api/v1/systems?q=hwm&level=3")["items"]],
       ["HWM-1"], "level filter")
    ok("PATCH", "/api/v1/information/HWM-A", {"k": 4})
    p = protection("HWM-1")
    eq((p["k"]["level"], p["k"]["driven_by"]["external_id"]), (4, "HWM-A"), "raised to K4")
    eq(ok("GET", "/api/v1/systems/HWM-1")["level_name_sv"], "Synnerligen allvarlig skada",
       "name of the level")
    link("HWM-1", "HWM-A", "DELETE")
    p = protection("HWM-1")
    eq((p["k"]["level"], p["k"]["driven_by"]["external_id"]), (3, "HWM-B"), "unlinked: K3")
    eq(p["r"]["level"], 0, "r without HWM-A")
    problem(call("DELETE", "/api/v1/systems/HWM-1/information/HWM-A"), 404, "not_found")
    link("HWM-1", "HWM-B", "DELETE")
    p = protection("HWM-1")
    eq((p["k"]["level"], p["k"]["driven_by"]), (0, None), "no information: 0")
    eq(len(audit_rows("system_information.create", "HWM-1")), 2, "links audited")
    eq(len(audit_rows("system_information.delete", "HWM-1")), 2, "unlinks audited")


@test("a raise by hand shows as raised; a raise below the inherited level is refused")
def _():
    new_system("RSE-1")
    new_info("RSE-A", k=2, r=1, t=3)
    link("RSE-1", "RSE-A")
    p = ok("POST", "/api/v1/systems/RSE-1/raises",
           {"aspect": "k", "level": 4, "reason": "aggregation", "note": "Många register"},
           status=201)
    eq((p["k"]["level"], p["k"]["inherited"]), (4, 2), "raised over inherited")
    eq((p["k"]["raised"]["level"], p["k"]["raised"]["reason"], p["k"]["raised"]["note"]),
       (4, "aggregation", "Många register"), "raise shown")
    check(p["k"]["raised"]["by"].startswith("token:") and p["k"]["raised"]["at"], "by and at")
    eq(ok("GET", "/api/v1/systems/RSE-1")["k"], 4, "system level")
    eq(len(audit_rows("system.raise", "RSE-1")), 1, "audited")
    pr = refused_unchanged("POST", "/api/v1/systems/RSE-1/raises",
                           {"aspect": "t", "level": 2, "reason": "integration"}, 422,
                           "below_inherited", "level")
    check("3" in pr["detail"], "the detail names the inherited level: %r" % pr["detail"])
    refused_unchanged("POST", "/api/v1/systems/RSE-1/raises",
                      {"aspect": "x", "level": 2, "reason": "integration"}, 422,
                      "invalid_aspect", "aspect")
    refused_unchanged("POST", "/api/v1/systems/RSE-1/raises",
                      {"aspect": "r", "level": 2, "reason": "feeling"}, 422, "invalid_reason",
                      "reason")
    refused_unchanged("POST", "/api/v1/systems/RSE-1/raises",
                      {"aspect": "r", "level": 2, "reason": "other"}, 422, "note_required",
                      "note")
    refused_unchanged("POST", "/api/v1/systems/RSE-1/raises",
                      {"aspect": "r", "level": 5, "reason": "other"}, 422, "out_of_range",
                      "level")
    # the information rising above a raise lifts the system with it; the raise stays recorded
    ok("PATCH", "/api/v1/information/RSE-A", {"t": 4})
    eq(protection("RSE-1")["t"]["level"], 4, "t follows the information")


@test("requirements follow the levels; MFA is met or not; a planned system gets the kravlista")
def _():
    new_system("REQ-1")
    new_info("REQ-A", k=1, r=1, t=1)
    link("REQ-1", "REQ-A")
    eq(codes("REQ-1"), [], "nothing at level 1")
    ok("PATCH", "/api/v1/information/REQ-A", {"k": 3, "t": 3, "r": 3,
                                              "personal_data": "sensitive"})
    r = ok("GET", "/api/v1/systems/REQ-1/requirements")
    got = {x["code"]: x for x in r["items"]}
    for code in ("access_review", "mfa", "encryption", "change_log", "backup", "restore_test",
                 "rto", "dpia", "processing_record"):
        check(code in got, "requirement %s at K3/R3/T3 sensitive: %r" % (code, list(got)))
    eq(got["mfa"]["met"], False, "MFA not enforced")
    eq(got["backup"]["met"], None, "not tracked yet")
    check(got["mfa"]["text_sv"] and got["mfa"]["text_en"], "texts")
    eq((r["kravlista"], r["levels"]), (False, {"k": 3, "r": 3, "t": 3,
                                               "personal_data": "sensitive"}), "levels")
    ok("PATCH", "/api/v1/systems/REQ-1", {"mfa_enforced": True})
    eq({x["code"]: x["met"] for x in
        ok("GET", "/api/v1/systems/REQ-1/requirements")["items"]}["mfa"], True, "MFA met")
    ok("PATCH", "/api/v1/information/REQ-A", {"k": 2})
    check("mfa" not in codes("REQ-1"), "K2 needs no MFA rule")
    new_system("REQ-P", lifecycle="planned")
    link("REQ-P", "REQ-A")
    k = ok("GET", "/api/v1/systems/REQ-P/requirements")
    eq(k["kravlista"], True, "planned: kravlista")
    got = [x["code"] for x in k["items"]]
    check("rto" in got and "backup" in got, "procurement requirements %r" % got)
    check("restore_test" not in got, "an operational rule is not on the kravlista")


@test("links and raises need both objects in reach; foreign ones are 404 like missing")
def _():
    world()
    tok = token("NORRBY", "administrator")
    new_system("FOR-S", organisation="OSTBY", system_owner="otto")
    new_info("FOR-I", organisation="OSTBY", information_owner="otto")
    new_system("OWN-S")
    new_info("OWN-I")
    before = digest()
    for path in ("/api/v1/systems/OWN-S/information/FOR-I",
                 "/api/v1/systems/FOR-S/information/OWN-I",
                 "/api/v1/systems/OWN-S/information/NO-SUCH"):
        problem(call("PUT", path, {}, tok=tok), 404, "not_found")
    problem(call("GET", "/api/v1/systems/FOR-S/protection", tok=tok), 404, "not_found")
    problem(call("GET", "/api/v1/information/FOR-I", tok=tok), 404, "not_found")
    eq(digest(), before, "nothing changed")
    st, _, b = call("PUT", "/api/v1/systems/OWN-S/information/OWN-I", {}, tok=tok)
    eq(st, 204, "own link (%r)" % (b,))


@test("a user token gets 403 on classification writes, recorded as access.refused")
def _():
    new_system("USR-S")
    new_info("USR-I")
    tok = token("NORRBY", "user")
    for method, path, body in (
            ("POST", "/api/v1/information", {"external_id": "U"}),
            ("PATCH", "/api/v1/information/USR-I", {"k": 4}),
            ("PUT", "/api/v1/systems/USR-S/information/USR-I", {}),
            ("DELETE", "/api/v1/systems/USR-S/information/USR-I", None)):
        seq = sql_rows(srv().db, "SELECT max(seq) FROM audit_log")[0][0]
        problem(call(method, path, body, tok=tok), 403, "forbidden")
        rows = sql_rows(srv().db, "SELECT action FROM audit_log WHERE seq > ?", (seq,))
        eq(rows, [("access.refused",)], "audit for %s %s" % (method, path))
    eq(ok("GET", "/api/v1/information/USR-I")["k"], 0, "unchanged")


@test("the server stops cleanly")
def _():
    eq(srv().stop(), 0, "exit code")


if __name__ == "__main__":
    main(suite)
