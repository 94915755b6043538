#!/usr/bin/env python3
"""Requirement rules over HTTP: the default set and an organisation's own rules listed with
their source; rules created, changed and deleted, each change audited in its transaction; every
bad input refused naming the field with an unchanged database; the default set read-only; a
foreign organisation's rule 404 like a missing one; and the effect of a rule on what a system's
requirements are."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from varn_harness import Suite, check, eq, main, sql_rows  # noqa: E402
from catalog_helpers import (audit_rows, call, digest, new_info, new_system, ok,  # noqa: E402
                             problem, refused_unchanged, srv, token, world)

suite = Suite()
test = suite.test

RULE_KEYS = {"id", "organisation", "source", "aspect", "min_level", "code", "text_sv", "text_en",
             "applies_to_planned"}
DEFAULT_CODES = {"access_review", "mfa", "encryption", "input_validation", "change_log",
                 "backup", "restore_test", "rto", "processing_record", "dpia"}


def body(**change):
    b = {"organisation": "NORRBY", "aspect": "k", "min_level": 2, "code": "logging",
         "text_sv": "Inloggningar loggas", "text_en": "Logins are logged",
         "applies_to_planned": True}
    b.update(change)
    return {k: v for k, v in b.items() if v is not Ellipsis}


def rules(org=None, tok=None):
    return ok("GET", "/api/v1/requirement-rules" + ("?organisation=" + org if org else ""),
              tok=tok)


def codes(ext):
    return [r["code"] for r in ok("GET", "/api/v1/systems/%s/requirements" % ext)["items"]]


def default_id():
    return sql_rows(srv().db, "SELECT min(id) FROM requirement_rule"
                              " WHERE organisation_id IS NULL")[0][0]


@test("the defaults are listed as such, read-only, ten of them")
def _():
    world()
    r = rules()
    eq(r["organisation"], None, "no organisation asked for")
    defaults = [x for x in r["items"] if x["source"] == "default"]
    eq({x["code"] for x in defaults}, DEFAULT_CODES, "the default codes")
    eq(set(defaults[0]), RULE_KEYS, "members")
    check(all(x["organisation"] is None for x in defaults), "defaults have no organisation")
    eq(rules("NORRBY")["organisation"], "NORRBY", "organisation named")


@test("a rule is created (201), listed with its source, audited")
def _():
    world()
    r = ok("POST", "/api/v1/requirement-rules", body(), status=201)
    eq(set(r), RULE_KEYS, "members")
    eq((r["organisation"], r["source"], r["aspect"], r["min_level"], r["code"],
        r["applies_to_planned"]), ("NORRBY", "organisation", "k", 2, "logging", True), "values")
    listed = {x["code"]: x for x in rules("NORRBY")["items"]}
    eq(listed["logging"], r, "listed as the POST gave it")
    eq(len(audit_rows("requirement_rule.create", str(r["id"]))), 1, "audited")
    a = audit_rows("requirement_rule.create", str(r["id"]))[0]
    eq(a[2], "requirement_rule", "object kind")
    check(a[4] is None and '"logging"' in a[5], "before null, after the rule")


@test("an organisation's rules show as inherited below it; a sibling does not see them")
def _():
    world()
    r = ok("POST", "/api/v1/requirement-rules",
           body(organisation="ITC", code="itc_policy", aspect="t", min_level=1), status=201)
    norrby = {x["code"]: x for x in rules("NORRBY")["items"]}
    eq((norrby["itc_policy"]["source"], norrby["itc_policy"]["organisation"]),
       ("inherited", "ITC"), "ITC's rule inherited by NORRBY")
    eq({x["code"]: x for x in rules("ITC")["items"]}["itc_policy"]["source"], "organisation",
       "ITC's own")
    check("logging" not in {x["code"] for x in rules("OSTBY")["items"]},
          "NORRBY's rule does not apply to OSTBY")
    check("logging" not in {x["code"] for x in rules("ITC")["items"]},
          "nor to the organisation above")
    ok("DELETE", "/api/v1/requirement-rules/%d" % r["id"], status=204)


@test("a rule is changed: only what the PATCH names; an unchanged PATCH writes nothing")
def _():
    world()
    r = ok("POST", "/api/v1/requirement-rules", body(code="patchme"), status=201)
    path = "/api/v1/requirement-rules/%d" % r["id"]
    u = ok("PATCH", path, {"text_sv": "Ny text", "min_level": 3, "applies_to_planned": False})
    eq((u["text_sv"], u["min_level"], u["applies_to_planned"], u["text_en"], u["code"]),
       ("Ny text", 3, False, r["text_en"], "patchme"), "changed")
    rows = audit_rows("requirement_rule.update", str(r["id"]))
    eq(len(rows), 1, "audited")
    check('"Logins are logged"' in rows[0][4] and '"Ny text"' in rows[0][5], "before and after")
    before = digest()
    eq(ok("PATCH", path, {"text_sv": "Ny text"}), u, "same again")
    eq(digest(), before, "an unchanged PATCH writes nothing")


@test("a rule is deleted (204), audited, then 404")
def _():
    world()
    r = ok("POST", "/api/v1/requirement-rules", body(code="deleteme"), status=201)
    path = "/api/v1/requirement-rules/%d" % r["id"]
    st, _, b = call("DELETE", path)
    eq(st, 204, "deleted (%r)" % (b,))
    rows = audit_rows("requirement_rule.delete", str(r["id"]))
    eq(len(rows), 1, "audited")
    check('"deleteme"' in rows[0][4] and rows[0][5] is None, "before the rule, after null")
    check("deleteme" not in {x["code"] for x in rules("NORRBY")["items"]}, "gone from the list")
    problem(call("DELETE", path), 404, "not_found")
    problem(call("PATCH", path, {"text_sv": "x"}), 404, "not_found")


@test("every bad input is refused naming the field, and nothing changes")
def _():
    world()
    ok("POST", "/api/v1/requirement-rules", body(code="taken_code"), status=201)

    def post(status, problem_code, field, **change):
        refused_unchanged("POST", "/api/v1/requirement-rules", body(**change), status,
                          problem_code, field)

    post(422, "missing_field", "organisation", organisation=...)
    post(422, "missing_field", "aspect", aspect=...)
    post(422, "missing_field", "min_level", min_level=...)
    post(422, "missing_field", "code", code=...)
    post(422, "missing_field", "text_sv", text_sv=...)
    post(422, "missing_field", "text_en", text_en=...)
    post(422, "invalid_aspect", "aspect", aspect="x")
    post(422, "out_of_range", "min_level", min_level=5)
    post(422, "out_of_range", "min_level", min_level=-1)
    post(422, "out_of_range", "min_level", aspect="personal_data", min_level=0)
    post(422, "out_of_range", "min_level", aspect="personal_data", min_level=3)
    post(422, "wrong_type", "min_level", min_level="2")
    post(422, "invalid_rule_code", "code", code="Has-Caps")
    post(422, "invalid_rule_code", "code", code="a b")
    post(422, "too_long", "code", code="x" * 41)
    post(422, "empty", "text_sv", text_sv="")
    post(422, "invalid_text", "text_en", text_en="   ")
    post(422, "too_long", "text_sv", text_sv="x" * 501)
    post(422, "invalid_characters", "text_sv", text_sv="två\nrader")
    post(422, "wrong_type", "applies_to_planned", applies_to_planned="yes")
    post(422, "unknown_organisation", "organisation", organisation="NOSUCH")
    post(409, "duplicate", "code", code="taken_code")
    post(409, "duplicate", "code", code="mfa")
    post(422, "unknown_field", "colour", colour="red")
    r = ok("POST", "/api/v1/requirement-rules", body(code="patch_bad", min_level=3), status=201)
    path = "/api/v1/requirement-rules/%d" % r["id"]
    refused_unchanged("PATCH", path, {"aspect": "personal_data"}, 422, "out_of_range",
                      "min_level")
    refused_unchanged("PATCH", path, {"code": "taken_code"}, 409, "duplicate", "code")
    refused_unchanged("PATCH", path, {"organisation": "OSTBY"}, 422, "unknown_field",
                      "organisation")
    refused_unchanged("PATCH", path, {"code": ""}, 422, "empty", "code")
    refused_unchanged("PATCH", "/api/v1/requirement-rules/abc", {}, 404, "not_found")
    problem(call("GET", "/api/v1/requirement-rules?organisation=NOSUCH"), 422,
            "unknown_organisation", "organisation")
    problem(call("GET", "/api/v1/requirement-rules?org=NORRBY"), 422, "unknown_parameter", "org")


@test("the default set is read-only: 409 read_only_default, nothing changes")
def _():
    world()
    path = "/api/v1/requirement-rules/%d" % default_id()
    refused_unchanged("PATCH", path, {"text_sv": "Ändrad"}, 409, "read_only_default")
    refused_unchanged("DELETE", path, None, 409, "read_only_default")


@test("a foreign organisation's rule is 404 like a missing one; its rules are not listed")
def _():
    world()
    foreign = ok("POST", "/api/v1/requirement-rules",
                 body(organisation="OSTBY", code="ostby_rule"), status=201)
    tok = token("NORRBY", "ciso")
    before = digest()
    for method, b in (("PATCH", {"text_sv": "x"}), ("DELETE", None)):
        f = problem(call(method, "/api/v1/requirement-rules/%d" % foreign["id"], b, tok=tok),
                    404, "not_found")
        m = problem(call(method, "/api/v1/requirement-rules/987654321", b, tok=tok), 404,
                    "not_found")
        eq(f["detail"], m["detail"], "foreign vs missing")
    eq(digest(), before, "nothing changed")
    check("ostby_rule" not in {x["code"] for x in rules(tok=tok)["items"]}, "not listed")
    problem(call("GET", "/api/v1/requirement-rules?organisation=OSTBY", tok=tok), 422,
            "unknown_organisation", "organisation")
    refused_unchanged("POST", "/api/v1/requirement-rules", body(organisation="OSTBY",
                                                                code="mine"),
                      422, "unknown_organisation", "organisation", tok=tok)
    r = ok("POST", "/api/v1/requirement-rules", body(code="norrby_ciso"), tok=tok, status=201)
    ok("DELETE", "/api/v1/requirement-rules/%d" % r["id"], tok=tok, status=204)


@test("roles: a system owner reads but does not change rules (403, audited as refused)")
def _():
    world()
    tok = token("NORRBY", "system_owner")
    rules("NORRBY", tok=tok)
    r = ok("POST", "/api/v1/requirement-rules", body(code="so_rule"), status=201)
    for method, path, b in (("POST", "/api/v1/requirement-rules", body(code="x1")),
                            ("PATCH", "/api/v1/requirement-rules/%d" % r["id"], {"code": "y"}),
                            ("DELETE", "/api/v1/requirement-rules/%d" % r["id"], None)):
        seq = sql_rows(srv().db, "SELECT max(seq) FROM audit_log")[0][0]
        problem(call(method, path, b, tok=tok), 403, "forbidden")
        eq(sql_rows(srv().db, "SELECT action FROM audit_log WHERE seq > ?", (seq,)),
           [("access.refused",)], "audit of %s" % method)
    problem(call("GET", "/api/v1/requirement-rules", tok=token("NORRBY", "user")), 403,
            "forbidden")


@test("rules change what a system's requirements are: added, raised, kept off the kravlista, "
      "deleted")
def _():
    new_system("RR-1")
    new_system("RR-P", lifecycle="planned")
    new_system("RR-O", organisation="OSTBY", system_owner="otto")
    new_info("RR-A", k=2, r=0, t=0)
    for s in ("RR-1", "RR-P"):
        ok("PUT", "/api/v1/systems/%s/information/RR-A" % s, {}, status=204)
    base = set(codes("RR-1"))
    check("access_review" in base and "mfa" not in base, "K2 defaults: %r" % base)
    r = ok("POST", "/api/v1/requirement-rules",
           body(code="siem", min_level=2, text_sv="Loggar skickas till SIEM",
                text_en="Logs go to the SIEM", applies_to_planned=False), status=201)
    got = {x["code"]: x for x in ok("GET", "/api/v1/systems/RR-1/requirements")["items"]}
    check("siem" in got, "the new rule applies at K2: %r" % list(got))
    eq((got["siem"]["text_sv"], got["siem"]["met"]), ("Loggar skickas till SIEM", None),
       "its text, not tracked")
    check("siem" not in codes("RR-P"), "not on a planned system's kravlista")
    check("siem" not in codes("RR-O"), "not for another municipality's systems")
    path = "/api/v1/requirement-rules/%d" % r["id"]
    ok("PATCH", path, {"min_level": 3})
    check("siem" not in codes("RR-1"), "raised to K3: no longer at K2")
    ok("PATCH", path, {"min_level": 1, "applies_to_planned": True})
    check("siem" in codes("RR-1") and "siem" in codes("RR-P"), "K1 and on the kravlista")
    ok("DELETE", path, status=204)
    eq(set(codes("RR-1")), base, "deleted: back to the defaults")


@test("the server stops cleanly")
def _():
    eq(srv().stop(), 0, "exit code")


if __name__ == "__main__":
    main(suite)
