#!/usr/bin/env python3
"""Risk management over HTTP and the command line: the risk matrix (default and own, every
validation), assessments (participants invited, filters, paging, approval by a person with the
right role), participation, risks (levels on the matrix, scores and bands, every bad input),
acceptance of residual risk above and below the threshold with its expiry, measures, the
risk register's CSV and XLSX exports read back, and varn import risks with every error class
and nothing applied. Every change is looked for in the audit log."""
import base64
import datetime
import hashlib
import hmac
import io
import json
import os
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from varn_harness import SLOW, VARN_BIN, Suite, check, eq, main, run_varn, sql_rows  # noqa: E402
from catalog_helpers import (admin, audit_rows, call, new_info, new_system, ok,  # noqa
                             problem, refused_unchanged, srv, token, world)

suite = Suite()
test = suite.test

PW = "Ett långt lösenord för risk 7"
COOKIE = "__Host-varn_session"
_state = {}


def today():
    return datetime.datetime.now(datetime.timezone.utc).date()


def totp(secret_b32, t):
    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    mac = hmac.new(key, struct.pack(">Q", int(t) // 30), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    return "%06d" % ((struct.unpack(">I", mac[offset:offset + 4])[0] & 0x7FFFFFFF) % 10 ** 6)


class Person:
    """A logged-in person (session cookie, past the MFA step)."""

    def __init__(self, uid):
        self.cookie = None
        r = subprocess.run([VARN_BIN, "--db", srv().db, "user", "passwd", uid, "--password-stdin"],
                           input=PW + "\n", capture_output=True, text=True, timeout=30 * SLOW)
        eq(r.returncode, 0, "varn user passwd %s (%s)" % (uid, r.stderr))
        st, _, b = self.call("POST", "/api/v1/session", {"username": uid, "password": PW})
        eq(st, 200, "login %s (%r)" % (uid, b))
        if b.get("mfa") == "enrol":
            st, _, e = self.call("POST", "/api/v1/me/mfa")
            eq(st, 200, "enrol %s (%r)" % (uid, e))
            st, _, c = self.call("POST", "/api/v1/me/mfa/confirm",
                                 {"code": totp(e["secret"], time.time())})
            eq(st, 200, "confirm %s (%r)" % (uid, c))

    def call(self, method, path, body=None):
        h = {"Cookie": "%s=%s" % (COOKIE, self.cookie)} if self.cookie else {}
        st, hd, b = srv().request(method, path, body, h)
        sc = hd.get("set-cookie")
        if sc:
            self.cookie = sc.split("=", 1)[1].split(";")[0]
        return st, hd, json.loads(b) if b else None


def person(uid, org=None, role=None):
    if uid not in _state:
        if org:
            ok("POST", "/api/v1/people", {"user_id": uid, "name": "Person " + uid,
                                          "email": uid + "@example.se", "organisation": org},
               status=201)
            ok("POST", "/api/v1/role-assignments", {"user_id": uid, "role": role,
                                                    "organisation": org}, status=201)
        _state[uid] = Person(uid)
    return _state[uid]


def setup():
    """NORRBY's systems RS-1 (sara) processing RI-1 (ivar), RS-2 and an assessment of RS-1."""
    if "setup" in _state:
        return _state["setup"]
    world()
    new_system("RS-1")
    new_system("RS-2")
    new_info("RI-1", k=2)
    ok("PUT", "/api/v1/systems/RS-1/information/RI-1", {}, status=204)
    a = ok("POST", "/api/v1/risk-assessments",
           {"organisation": "NORRBY", "title": "Årlig riskbedömning av RS-1", "scope": "system",
            "systems": ["RS-1"], "assessed_on": "2026-03-01", "trigger_kind": "yearly",
            "method": "Workshop"}, status=201)
    _state["setup"] = a
    return a


def tenant_digest():
    """Every table but the engine's derived findings (a background refresh may rewrite them at
    any moment) and the audit log's bookkeeping of tokens."""
    rows = sql_rows(srv().db, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN"
                    " ('api_token', 'finding', 'finding_snapshot', 'engine_state') ORDER BY name")
    return repr([(t, sql_rows(srv().db, 'SELECT * FROM "%s" ORDER BY 1' % t)) for (t,) in rows])


def risk_body(**extra):
    body = {"assessment": setup()["id"], "title": "Obehörig åtkomst", "threat": "Nätfiske",
            "vulnerability": "Saknad MFA", "systems": ["RS-1"], "information": ["RI-1"],
            "inherent_likelihood": 3, "inherent_consequence": 3, "residual_likelihood": 2,
            "residual_consequence": 2, "treatment": "reduce", "owner": "sara"}
    body.update(extra)
    return body


# ---- the matrix ----

@test("an organisation without a matrix of its own has the default 4x4")
def _():
    world()
    m = ok("GET", "/api/v1/organisations/NORRBY/risk-matrix")
    eq(m["source"], "default", "source")
    eq(m["likelihood_names"], ["Mycket liten", "Liten", "Stor", "Mycket stor"], "sannolikhet")
    eq(m["consequence_names"], ["Försumbar", "Måttlig", "Betydande", "Allvarlig"], "konsekvens")
    eq([b["max"] for b in m["bands"]], [4, 8, 16], "bands")
    eq((m["acceptance_threshold"], m["acceptance_validity"]), (8, "P1Y"), "threshold, validity")
    problem(call("GET", "/api/v1/organisations/NOSUCH/risk-matrix"), 404, "not_found")


GOOD_MATRIX = {"likelihood_names": ["Låg", "Medel", "Hög", "Mycket hög", "Extrem"],
               "consequence_names": ["Liten", "Märkbar", "Stor"],
               "bands": [{"name": "Grön", "colour": "#00aa00", "max": 3},
                         {"name": "Gul", "colour": "#FFCC00", "max": 8},
                         {"name": "Röd", "colour": "#cc0000", "max": 15}],
               "acceptance_threshold": 6, "acceptance_validity": "P6M"}


@test("PUT risk-matrix refuses every bad matrix with 422 naming the field, changing nothing")
def _():
    world()
    path = "/api/v1/organisations/OSTBY/risk-matrix"
    cases = [
        ({"likelihood_names": ["a", "b"]}, "out_of_range", "likelihood_names"),
        ({"consequence_names": ["a", "b", "c", "d", "e", "f"]}, "out_of_range",
         "consequence_names"),
        ({"likelihood_names": ["a", "b", "a"]}, "duplicate_name", "likelihood_names"),
        ({"likelihood_names": ["a", "b", 3]}, "invalid_name", "likelihood_names"),
        ({"bands": [{"name": "x", "colour": "green", "max": 15}]}, "invalid_colour", "bands"),
        ({"bands": [{"name": "x", "colour": "#00aa00", "max": 8},
                    {"name": "y", "colour": "#00aa00", "max": 8}]}, "bands_not_rising", "bands"),
        ({"bands": [{"name": "x", "colour": "#00aa00", "max": 14}]}, "bands_incomplete", "bands"),
        ({"bands": [{"name": "x", "max": 15}]}, "invalid_bands", "bands"),
        ({"bands": []}, "out_of_range", "bands"),
        ({"acceptance_threshold": 16}, "out_of_range", "acceptance_threshold"),
        ({"acceptance_validity": "1 year"}, "invalid_period", "acceptance_validity"),
        ({"acceptance_validity": "P0D"}, "invalid_period", "acceptance_validity"),
    ]
    for change, code, field in cases:
        body = dict(GOOD_MATRIX, **change)
        refused_unchanged("PUT", path, body, 422, code, field)
    body = dict(GOOD_MATRIX)
    del body["bands"]
    refused_unchanged("PUT", path, body, 422, "missing_field", "bands")


@test("PUT risk-matrix sets the organisation's own matrix, audited; GET gives it back")
def _():
    world()
    m = ok("PUT", "/api/v1/organisations/OSTBY/risk-matrix", GOOD_MATRIX)
    eq(m["source"], "organisation", "source")
    eq(m["bands"], GOOD_MATRIX["bands"], "bands as given")
    eq(ok("GET", "/api/v1/organisations/OSTBY/risk-matrix"), m, "GET after PUT")
    rows = audit_rows("risk_matrix.update", "OSTBY")
    eq(len(rows), 1, "one audit entry")
    eq(json.loads(rows[0][4])["source"], "default", "before: the default")
    eq(json.loads(rows[0][5])["acceptance_validity"], "P6M", "after")


# ---- assessments ----

@test("creating an assessment invites the system owner and the information owners")
def _():
    a = setup()
    eq(a["organisation"], "NORRBY", "organisation")
    eq(a["systems"], ["RS-1"], "systems")
    eq((a["status"], a["approved_by"], a["risk_count"]), ("draft", None, 0), "a new draft")
    eq(sorted((p["user_id"], p["capacity"], p["participated_at"]) for p in a["participants"]),
       [("ivar", "information_owner", None), ("sara", "system_owner", None)], "participants")
    rows = audit_rows("risk_assessment.create", str(a["id"]))
    eq(len(rows), 1, "audited")
    eq(json.loads(rows[0][5])["participants"], a["participants"], "audit after")
    eq(ok("GET", "/api/v1/risk-assessments/%d" % a["id"]), a, "GET")
    problem(call("GET", "/api/v1/risk-assessments/987654"), 404, "not_found")
    problem(call("GET", "/api/v1/risk-assessments/abc"), 404, "not_found")


@test("POST risk-assessments refuses every bad input with 422 naming the field")
def _():
    setup()
    good = {"organisation": "NORRBY", "title": "T", "scope": "systems", "systems": ["RS-1"],
            "assessed_on": "2026-03-01", "trigger_kind": "incident"}
    cases = [
        ({"organisation": "NOSUCH"}, "unknown_organisation", "organisation"),
        ({"scope": "region"}, "invalid_value", "scope"),
        ({"trigger_kind": "whim"}, "invalid_value", "trigger_kind"),
        ({"status": "done"}, "invalid_value", "status"),
        ({"systems": ["NO-SUCH"]}, "unknown_system", "systems"),
        ({"systems": [7]}, "unknown_system", "systems"),
        ({"systems": "RS-1"}, "wrong_type", "systems"),
        ({"systems": []}, "scope_mismatch", "systems"),
        ({"scope": "system", "systems": ["RS-1", "RS-2"]}, "scope_mismatch", "systems"),
        ({"assessed_on": "2026-02-30"}, "invalid_date", "assessed_on"),
        ({"title": ""}, "empty", "title"),
        ({"extra": 1}, "unknown_field", "extra"),
    ]
    for change, code, field in cases:
        refused_unchanged("POST", "/api/v1/risk-assessments", dict(good, **change), 422, code,
                          field)
    body = dict(good)
    del body["title"]
    refused_unchanged("POST", "/api/v1/risk-assessments", body, 422, "missing_field", "title")
    ok("POST", "/api/v1/risk-assessments", dict(good, scope="organisation", systems=[]),
       status=201)


@test("GET risk-assessments filters, searches and pages; bad filters are 422")
def _():
    setup()
    for i, (trigger, system) in enumerate((("incident", "RS-2"), ("significant_change", "RS-2"),
                                           ("new_information", "RS-1"))):
        ok("POST", "/api/v1/risk-assessments",
           {"organisation": "NORRBY", "title": "Lista %d" % i, "scope": "system",
            "systems": [system], "assessed_on": "2026-04-0%d" % (i + 1),
            "trigger_kind": trigger}, status=201)
    items = ok("GET", "/api/v1/risk-assessments?organisation=NORRBY&limit=500")["items"]
    check(len(items) >= 4, "four or more")
    got = ok("GET", "/api/v1/risk-assessments?system=RS-2&q=lista")["items"]
    eq(sorted(a["title"] for a in got), ["Lista 0", "Lista 1"], "system and q")
    got = ok("GET", "/api/v1/risk-assessments?trigger_kind=new_information")["items"]
    eq([a["title"] for a in got], ["Lista 2"], "trigger_kind")
    eq(ok("GET", "/api/v1/risk-assessments?organisation=OSTBY")["items"], [], "another org")
    seen, cursor = [], None
    while True:
        page = ok("GET", "/api/v1/risk-assessments?limit=2" + ("&cursor=" + cursor if cursor
                                                               else ""))
        check(len(page["items"]) <= 2, "page size")
        seen += [a["id"] for a in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    all_ids = [a["id"] for a in ok("GET", "/api/v1/risk-assessments?limit=500")["items"]]
    eq(seen, all_ids, "pages in order, none twice")
    problem(call("GET", "/api/v1/risk-assessments?cursor=bogus"), 422, "invalid_cursor", "cursor")
    problem(call("GET", "/api/v1/risk-assessments?status=done"), 422, "invalid_value", "status")
    problem(call("GET", "/api/v1/risk-assessments?limit=0"), 422, "out_of_range", "limit")
    problem(call("GET", "/api/v1/risk-assessments?colour=red"), 422, "unknown_parameter", "colour")


@test("approval needs a person with the role: a token is refused, the system owner approves")
def _():
    a = setup()
    path = "/api/v1/risk-assessments/%d" % a["id"]
    refused_unchanged("PATCH", path, {"status": "approved"}, 403, "person_required", "status")
    got = ok("PATCH", path, {"status": "in_progress", "method": "Workshop och intervjuer"})
    eq((got["status"], got["method"]), ("in_progress", "Workshop och intervjuer"), "patched")
    sara = person("sara")
    st, _, got = sara.call("PATCH", path, {"status": "approved"})
    eq(st, 200, "sara approves (%r)" % got)
    eq((got["status"], got["approved_by"]), ("approved", "sara"), "approved by sara")
    check(got["approved_at"].startswith(today().isoformat()), "approved_at today")
    rows = audit_rows("risk_assessment.update", str(a["id"]))
    eq(rows[-1][0], "sara", "audited as sara")
    eq(json.loads(rows[-1][4])["status"], "in_progress", "before")
    # ivar (information owner) may not change the assessment at all.
    ivar = person("ivar")
    st, _, b = ivar.call("PATCH", path, {"status": "draft"})
    eq((st, b["code"]), (403, "forbidden"), "information owner")
    got = ok("PATCH", path, {"status": "in_progress"})
    eq((got["approved_by"], got["approved_at"]), (None, None), "reopened: approval cleared")
    _state["setup"] = got


@test("participation: the person themself or an editor records it, others are refused")
def _():
    a = setup()
    base = "/api/v1/risk-assessments/%d/participants/" % a["id"]
    ivar = person("ivar")
    st, _, got = ivar.call("PUT", base + "ivar", {"participated": True})
    eq(st, 200, "ivar records his own (%r)" % got)
    part = {p["user_id"]: p for p in got["participants"]}
    check(part["ivar"]["participated_at"] is not None, "ivar took part")
    eq(part["sara"]["participated_at"], None, "sara not yet")
    st, _, b = ivar.call("PUT", base + "sara", {"participated": True})
    eq((st, b["code"]), (403, "not_authorised"), "ivar for sara")
    got = ok("PUT", base + "olle", {"participated": True})
    eq({p["user_id"]: p["capacity"] for p in got["participants"]}["olle"], "other",
       "olle joins as other")
    got = ok("PUT", base + "olle", {"participated": False})
    eq({p["user_id"]: p["participated_at"] for p in got["participants"]}["olle"], None,
       "cleared")
    problem(call("PUT", base + "nobody", {"participated": True}), 404, "not_found")
    refused_unchanged("PUT", base + "olle", {}, 422, "missing_field", "participated")
    check(len(audit_rows("risk_assessment.participation", str(a["id"]))) >= 3, "audited")


@test("giving an assessment more systems invites their owners; a same-valued PATCH of a risk writes nothing")
def _():
    setup()
    new_system("RS-3", system_owner="adam")
    a = ok("POST", "/api/v1/risk-assessments",
           {"organisation": "NORRBY", "title": "Väsentlig förändring", "scope": "system",
            "systems": ["RS-2"], "assessed_on": "2026-06-01",
            "trigger_kind": "significant_change"}, status=201)
    eq([p["user_id"] for p in a["participants"]], ["sara"], "RS-2's owner only")
    got = ok("PATCH", "/api/v1/risk-assessments/%d" % a["id"],
             {"scope": "systems", "systems": ["RS-2", "RS-3", "RS-3"]})
    eq(got["systems"], ["RS-2", "RS-3"], "systems, each once")
    eq(sorted((p["user_id"], p["capacity"]) for p in got["participants"]),
       [("adam", "system_owner"), ("sara", "system_owner")], "adam invited")
    refused_unchanged("PATCH", "/api/v1/risk-assessments/%d" % a["id"], {"scope": "system"}, 422,
                      "scope_mismatch", "systems")
    r = ok("POST", "/api/v1/risks", risk_body(assessment=a["id"], systems=["RS-3", "RS-2"]),
           status=201)
    before = tenant_digest()
    got = ok("PATCH", "/api/v1/risks/%d" % r["id"], {"title": r["title"], "systems": ["RS-2",
                                                                                   "RS-3"]})
    eq(got, r, "the same risk")
    eq(tenant_digest(), before, "nothing written, nothing audited")


# ---- risks ----

@test("a risk gets scores and bands from the organisation's matrix; audited")
def _():
    r = ok("POST", "/api/v1/risks", risk_body(external_id="RISK-1"), status=201)
    eq((r["inherent_score"], r["inherent_band"]), (9, {"name": "Hög", "colour": "#c62828"}),
       "inherent 3x3")
    eq((r["residual_score"], r["residual_band"]), (4, {"name": "Låg", "colour": "#2e7d32"}),
       "residual 2x2")
    eq((r["systems"], r["information"], r["owner"], r["organisation"]),
       (["RS-1"], ["RI-1"], "sara", "NORRBY"), "links")
    eq((r["accepted_by"], r["acceptance_valid"]), (None, False), "not accepted")
    eq(ok("GET", "/api/v1/risks/%d" % r["id"]), r, "GET")
    eq(len(audit_rows("risk.create", str(r["id"]))), 1, "audited")
    got = ok("GET", "/api/v1/risk-assessments/%d" % setup()["id"])
    check(got["risk_count"] >= 1, "the assessment counts it")
    r2 = ok("POST", "/api/v1/risks", risk_body(residual_likelihood=None,
                                               residual_consequence=None, treatment=None,
                                               systems=[], information=[]), status=201)
    eq((r2["residual_score"], r2["residual_band"], r2["treatment"]), (None, None, None),
       "no residual rating")


@test("POST risks refuses every bad input with 422 (409 for a taken external id)")
def _():
    setup()
    ok("POST", "/api/v1/risks", risk_body(external_id="RISK-TAKEN"), status=201)
    cases = [
        ({"assessment": 987654}, 422, "unknown_assessment", "assessment"),
        ({"inherent_likelihood": 5}, 422, "out_of_range", "inherent_likelihood"),
        ({"inherent_consequence": 0}, 422, "out_of_range", "inherent_consequence"),
        ({"residual_likelihood": 5}, 422, "out_of_range", "residual_likelihood"),
        ({"residual_consequence": None}, 422, "incomplete_rating", "residual_consequence"),
        ({"residual_likelihood": None}, 422, "incomplete_rating", "residual_likelihood"),
        ({"treatment": "ignore"}, 422, "invalid_value", "treatment"),
        ({"owner": "nobody"}, 422, "unknown_person", "owner"),
        ({"systems": ["NO-SUCH"]}, 422, "unknown_system", "systems"),
        ({"information": ["NO-SUCH"]}, 422, "unknown_information", "information"),
        ({"external_id": "bad id"}, 422, "invalid_external_id", "external_id"),
        ({"external_id": "RISK-TAKEN"}, 409, "duplicate", "external_id"),
        ({"title": "a\nb"}, 422, "invalid_characters", "title"),
        ({"inherent_likelihood": "3"}, 422, "wrong_type", "inherent_likelihood"),
    ]
    for change, status, code, field in cases:
        refused_unchanged("POST", "/api/v1/risks", risk_body(**change), status, code, field)
    body = risk_body()
    del body["owner"]
    refused_unchanged("POST", "/api/v1/risks", body, 422, "missing_field", "owner")


@test("levels are checked against the organisation's own matrix (5x3 at OSTBY)")
def _():
    world()
    ok("PUT", "/api/v1/organisations/OSTBY/risk-matrix", GOOD_MATRIX)
    new_system("RS-OST", organisation="OSTBY", system_owner="otto")
    a = ok("POST", "/api/v1/risk-assessments",
           {"organisation": "OSTBY", "title": "Östby", "scope": "system", "systems": ["RS-OST"],
            "assessed_on": "2026-05-01", "trigger_kind": "yearly"}, status=201)
    eq([p["user_id"] for p in a["participants"]], ["otto"], "otto invited")
    body = {"assessment": a["id"], "title": "R", "inherent_likelihood": 5,
            "inherent_consequence": 3, "owner": "otto"}
    r = ok("POST", "/api/v1/risks", body, status=201)
    eq((r["inherent_score"], r["inherent_band"]["name"]), (15, "Röd"), "5x3 on its matrix")
    refused_unchanged("POST", "/api/v1/risks", dict(body, inherent_consequence=4), 422,
                      "out_of_range", "inherent_consequence")
    # The matrix cannot shrink below what risks use.
    smaller = dict(GOOD_MATRIX, likelihood_names=["a", "b", "c", "d"],
                   bands=[{"name": "x", "colour": "#000000", "max": 12}])
    refused_unchanged("PUT", "/api/v1/organisations/OSTBY/risk-matrix", smaller, 422,
                      "levels_in_use", "likelihood_names")
    got = ok("GET", "/api/v1/risks?organisation=OSTBY&band=R%C3%B6d")["items"]
    eq([x["id"] for x in got], [r["id"]], "band filter on the organisation's bands")


@test("GET risks filters, sorts by residual score, pages; bad filters are 422")
def _():
    setup()
    made = []
    for i, (l, c) in enumerate(((1, 1), (4, 4), (2, 3), (3, 3))):
        made.append(ok("POST", "/api/v1/risks",
                       risk_body(title="Sortering %d" % i, residual_likelihood=l,
                                 residual_consequence=c, treatment="avoid", owner="adam",
                                 systems=["RS-2"]), status=201))
    got = ok("GET", "/api/v1/risks?owner=adam&sort=residual_score")["items"]
    eq([x["residual_score"] for x in got], [16, 9, 6, 1], "highest first")
    got = ok("GET", "/api/v1/risks?system=RS-2&treatment=avoid&q=sortering")["items"]
    eq(len(got), 4, "system, treatment and q")
    got = ok("GET", "/api/v1/risks?organisation=NORRBY&band=H%C3%B6g&owner=adam")["items"]
    eq(sorted(x["residual_score"] for x in got), [9, 16], "band Hög: 9 to 16")
    got = ok("GET", "/api/v1/risks?assessment=%d&owner=adam" % setup()["id"])["items"]
    eq(len(got), 4, "assessment")
    seen, cursor = [], None
    while True:
        page = ok("GET", "/api/v1/risks?owner=adam&sort=residual_score&limit=3"
                  + ("&cursor=" + cursor if cursor else ""))
        seen += [x["residual_score"] for x in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    eq(seen, [16, 9, 6, 1], "paged by score")
    problem(call("GET", "/api/v1/risks?band=H%C3%B6g"), 422, "organisation_required", "band")
    problem(call("GET", "/api/v1/risks?organisation=NORRBY&band=Lila"), 422, "invalid_value",
            "band")
    problem(call("GET", "/api/v1/risks?sort=colour"), 422, "invalid_value", "sort")
    problem(call("GET", "/api/v1/risks?treatment=x"), 422, "invalid_value", "treatment")
    problem(call("GET", "/api/v1/risks?assessment=x"), 422, "invalid_value", "assessment")
    problem(call("GET", "/api/v1/risks?cursor=xyz"), 422, "invalid_cursor", "cursor")


@test("acceptance above the threshold: refused for the system owner, a CISO accepts for P1Y")
def _():
    setup()
    r = ok("POST", "/api/v1/risks", risk_body(residual_likelihood=4, residual_consequence=3,
                                              treatment="accept"), status=201)
    path = "/api/v1/risks/%d/acceptance" % r["id"]
    refused_unchanged("POST", path, {}, 403, "person_required")
    sara = person("sara")
    before = tenant_digest()
    st, _, b = sara.call("POST", path, {})
    eq((st, b["code"]), (403, "not_authorised_to_accept"), "sara (owner) above the threshold")
    check("12" in b["detail"] and "8" in b["detail"], "names score and threshold")
    eq(tenant_digest(), before, "nothing changed")
    cecilia = person("cecilia", "NORRBY", "ciso")
    st, _, got = cecilia.call("POST", path, {})
    eq(st, 200, "the CISO accepts (%r)" % got)
    t = today()
    try:
        expires = t.replace(year=t.year + 1)
    except ValueError:
        expires = t.replace(year=t.year + 1, day=28)
    eq((got["accepted_by"], got["acceptance_expires"], got["acceptance_valid"]),
       ("cecilia", expires.isoformat(), True), "accepted for a year")
    rows = audit_rows("risk.accept", str(r["id"]))
    eq((len(rows), rows[0][0]), (1, "cecilia"), "audited as cecilia")
    # A new residual rating withdraws the acceptance.
    got = ok("PATCH", "/api/v1/risks/%d" % r["id"], {"residual_likelihood": 3})
    eq((got["accepted_by"], got["acceptance_expires"]), (None, None), "withdrawn")
    eq(len(audit_rows("risk.update", str(r["id"]))), 1, "the update audited")


@test("acceptance at or below the threshold: the risk's owner accepts, others may not")
def _():
    setup()
    r = ok("POST", "/api/v1/risks", risk_body(residual_likelihood=2, residual_consequence=4,
                                              treatment="accept"), status=201)
    path = "/api/v1/risks/%d/acceptance" % r["id"]
    adam = person("adam")
    st, _, b = adam.call("POST", path, {})
    eq((st, b["code"]), (403, "not_authorised_to_accept"), "adam is not the owner")
    st, _, got = person("sara").call("POST", path, {})
    eq((st, got["accepted_by"]), (200, "sara"), "the owner accepts score 8")
    # OSTBY's validity is P6M.
    a = ok("GET", "/api/v1/risk-assessments?organisation=OSTBY")["items"][0]
    r2 = ok("POST", "/api/v1/risks", {"assessment": a["id"], "title": "Halvår",
                                      "inherent_likelihood": 1, "inherent_consequence": 1,
                                      "owner": "otto"}, status=201)
    st, _, got = person("cecilia").call("POST", "/api/v1/risks/%d/acceptance" % r2["id"], {})
    eq(st, 404, "cecilia (NORRBY) does not reach OSTBY")
    carl = person("carl", "ITC", "ciso")
    st, _, got = carl.call("POST", "/api/v1/risks/%d/acceptance" % r2["id"], {})
    eq(st, 200, "an ITC CISO accepts (%r)" % got)
    t = today()
    m, y = t.month + 6, t.year
    if m > 12:
        m, y = m - 12, y + 1
    import calendar
    d = min(t.day, calendar.monthrange(y, m)[1])
    eq(got["acceptance_expires"], datetime.date(y, m, d).isoformat(), "P6M")


@test("PATCH risks changes fields, refuses bad ones, and a foreign id is 404")
def _():
    r = ok("POST", "/api/v1/risks", risk_body(), status=201)
    path = "/api/v1/risks/%d" % r["id"]
    got = ok("PATCH", path, {"title": "Ny titel", "systems": ["RS-1", "RS-2"],
                             "treatment": "transfer"})
    eq((got["title"], got["systems"], got["treatment"]), ("Ny titel", ["RS-1", "RS-2"],
                                                          "transfer"), "patched")
    refused_unchanged("PATCH", path, {"inherent_likelihood": 5}, 422, "out_of_range",
                      "inherent_likelihood")
    refused_unchanged("PATCH", path, {"assessment": 1}, 422, "unknown_field", "assessment")
    refused_unchanged("PATCH", path, {"residual_likelihood": None}, 422, "incomplete_rating",
                      "residual_likelihood")
    otto = token("OSTBY", "ciso")
    problem(call("GET", path, tok=otto), 404, "not_found")
    problem(call("PATCH", path, {"title": "x"}, tok=otto), 404, "not_found")
    problem(call("GET", "/api/v1/risks/0"), 404, "not_found")


# ---- measures ----

@test("measures: create, list with overdue, done needs done_on, audited")
def _():
    r = ok("POST", "/api/v1/risks", risk_body(), status=201)
    base = "/api/v1/risks/%d/measures" % r["id"]
    past = (today() - datetime.timedelta(days=3)).isoformat()
    m = ok("POST", base, {"title": "Inför MFA", "owner": "sara", "due": past}, status=201)
    eq((m["status"], m["overdue"], m["risk"], m["owner"]), ("planned", True, r["id"], "sara"),
       "a new, overdue measure")
    ok("POST", base, {"title": "Utbilda", "owner": "adam", "due": "2099-01-01",
                      "status": "in_progress"}, status=201)
    items = ok("GET", base)["items"]
    eq([(x["title"], x["overdue"]) for x in items], [("Inför MFA", True), ("Utbilda", False)],
       "by due date")
    mpath = "%s/%d" % (base, m["id"])
    refused_unchanged("PATCH", mpath, {"status": "done"}, 422, "done_on_required", "done_on")
    refused_unchanged("PATCH", mpath, {"done_on": past}, 422, "done_on_without_done", "done_on")
    refused_unchanged("PATCH", mpath, {"status": "finished"}, 422, "invalid_value", "status")
    refused_unchanged("PATCH", mpath, {"status": "done", "done_on": "2099-01-01"}, 422,
                      "in_the_future", "done_on")
    refused_unchanged("PATCH", mpath, {"owner": "nobody"}, 422, "unknown_person", "owner")
    refused_unchanged("POST", base, {"title": "x", "owner": "sara"}, 422, "missing_field", "due")
    refused_unchanged("POST", base, {"title": "x", "owner": "sara", "due": "2026-13-01"}, 422,
                      "invalid_date", "due")
    got = ok("PATCH", mpath, {"status": "done", "done_on": past, "evidence": "Ärende 42"})
    eq((got["status"], got["done_on"], got["evidence"], got["overdue"]),
       ("done", past, "Ärende 42", False), "done")
    eq(len(audit_rows("risk_measure.create")) >= 2, True, "creates audited")
    eq(len(audit_rows("risk_measure.update", str(m["id"]))), 1, "update audited")
    problem(call("PATCH", "%s/987654" % base, {"title": "x"}), 404, "not_found")
    problem(call("GET", "/api/v1/risks/987654/measures"), 404, "not_found")


# ---- exports ----

def xlsx_load(b):
    try:
        import openpyxl
    except ImportError:
        sys.path.append("/usr/lib/python3/dist-packages")
        import openpyxl
    return openpyxl.load_workbook(io.BytesIO(b))


@test("the risk register as CSV and XLSX: Swedish headers, the JSON list's rows, audited")
def _():
    setup()
    items = ok("GET", "/api/v1/risks?organisation=NORRBY&limit=500")["items"]
    st, h, b = srv().request("GET", "/api/v1/risks?organisation=NORRBY&format=csv", None,
                             {"Authorization": "Bearer " + admin()})
    eq(st, 200, "CSV status")
    eq(h.get("content-disposition"), 'attachment; filename="riskregister.csv"', "file name")
    text = b.decode("utf-8-sig")
    lines = text.split("\r\n")
    header = lines[0].split(";")
    eq(header[:5], ["Id", "Externt id", "Organisation", "Riskbedömning", "Risk"], "headers")
    check("Risknivå efter" in header and "Hantering" in header, "band and treatment columns")
    eq(len([x for x in lines[1:] if x]), len(items), "one line per risk")
    check(";Reducera;" in text, "treatment in Swedish")
    st, h, b = srv().request("GET", "/api/v1/risks?organisation=NORRBY&format=xlsx", None,
                             {"Authorization": "Bearer " + admin()})
    eq(st, 200, "XLSX status")
    wb = xlsx_load(b)
    eq(wb.sheetnames, ["Riskregister"], "sheet")
    rows = [[c.value for c in r] for r in wb["Riskregister"].iter_rows()]
    eq(rows[0][:5], ["Id", "Externt id", "Organisation", "Riskbedömning", "Risk"], "headers")
    eq([r[0] for r in rows[1:]], [x["id"] for x in items], "ids in order")
    col = rows[0].index("Riskvärde före")
    eq([r[col] for r in rows[1:]], [x["inherent_score"] for x in items], "scores as numbers")
    rows = audit_rows("risks.export")
    check(len(rows) >= 2, "exports audited")
    eq(json.loads(rows[-1][5]), {"format": "xlsx", "filter": {"organisation": "NORRBY"},
                                 "rows": len(items)}, "the export's audit entry")
    st, h, b = srv().request("GET", "/api/v1/risk-assessments?format=xlsx", None,
                             {"Authorization": "Bearer " + admin()})
    eq(st, 200, "assessments XLSX")
    wb = xlsx_load(b)
    rows = [[c.value for c in r] for r in wb["Riskbedömningar"].iter_rows()]
    eq(rows[0][:4], ["Id", "Organisation", "Riskbedömning", "Omfattning"], "headers")
    check(any(r[3] == "System" for r in rows[1:]), "scope in Swedish")
    problem(call("GET", "/api/v1/risks?format=pdf"), 422, "invalid_value", "format")


# ---- import ----

HEADER = ("external_id,assessment_title,organisation,assessed_on,title,threat,vulnerability,"
          "systems,inherent_likelihood,inherent_consequence,residual_likelihood,"
          "residual_consequence,treatment,owner\n")


def import_text(text, name="risker.csv"):
    d = tempfile.mkdtemp()
    path = os.path.join(d, name)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return run_varn("import", "risks", name, db=srv().db, cwd=d)


@test("varn import risks: creates the assessment and risks, re-import updates by external_id")
def _():
    setup()
    text = HEADER + ("IMP-1,Riskregister 2025,NORRBY,2025-11-01,Intrång,Angripare,Svaga lösenord,"
                     "RS-1|RS-2,3,4,2,2,reduce,sara\n"
                     "IMP-2,Riskregister 2025,NORRBY,2025-11-01,Brand,Brand i serverhall,,"
                     ",2,4,,,,adam\n")
    r = import_text(text)
    eq((r.returncode, r.stdout, r.stderr), (0, "Imported 2 risks (2 new, 0 updated)\n", ""),
       "first import")
    got = ok("GET", "/api/v1/risks?q=IMP-1")["items"]
    eq(len(got), 1, "IMP-1 found")
    eq((got[0]["systems"], got[0]["inherent_score"], got[0]["assessment_title"]),
       (["RS-1", "RS-2"], 12, "Riskregister 2025"), "imported values")
    a = ok("GET", "/api/v1/risk-assessments?q=Riskregister%202025")["items"]
    eq((len(a), a[0]["scope"], a[0]["risk_count"]), (1, "organisation", 2), "one assessment")
    r = import_text(text.replace("Intrång", "Intrång via VPN"))
    eq((r.returncode, r.stdout), (0, "Imported 2 risks (0 new, 1 updated)\n"), "re-import")
    eq(ok("GET", "/api/v1/risks?q=IMP-1")["items"][0]["title"], "Intrång via VPN", "updated")
    eq(len(ok("GET", "/api/v1/risk-assessments?q=Riskregister%202025")["items"]), 1,
       "still one assessment")
    check(len([x for x in audit_rows("risk.create") if x[0].startswith("cli:")]) >= 2,
          "audited as the command line")
    with open(os.path.join(os.environ.get("VARN_SOURCE_ROOT", "."), "examples",
                           "risks.csv"), encoding="utf-8") as f:
        example = f.read()
    check(example.startswith(HEADER.strip()), "examples/risks.csv has the documented columns")


@test("varn import risks: every error class is reported as FILE:LINE: column, nothing applied")
def _():
    setup()
    row = "E-%d,Fel,NORRBY,2025-11-01,Titel,,,RS-1,2,2,,,,sara\n"
    cases = [
        (HEADER + row % 1 + row % 1, "risker.csv:3: column 'external_id': 'E-1' is also on line 2"),
        (HEADER.replace("owner", "ägare") + row % 1, "risker.csv:1: column 'ägare': not a column"),
        (HEADER.replace(",owner", "") + (row % 1).replace(",sara", ""),
         "risker.csv:1: column 'owner': missing from the header"),
        (HEADER + (row % 1).replace("2025-11-01", "2025-13-01"),
         "risker.csv:2: column 'assessed_on':"),
        (HEADER + (row % 1).replace(",2,2,", ",9,2,"), "risker.csv:2: column 'inherent_likelihood':"),
        (HEADER + (row % 1).replace(",,,sara", ",,ignore,sara"),
         "risker.csv:2: column 'treatment': treatment is"),
        (HEADER + (row % 1).replace("NORRBY", "NOSUCH"),
         "risker.csv:2: column 'organisation': there is no organisation"),
        (HEADER + (row % 1).replace("sara", "nobody"),
         "risker.csv:2: column 'owner': there is no person"),
        (HEADER + (row % 1).replace("RS-1", "NO-SUCH"),
         "risker.csv:2: column 'systems': there is no system"),
        (HEADER + (row % 1).replace("RS-1", "bad id"), "risker.csv:2: column 'systems':"),
        (HEADER + (row % 1).replace(",,,sara", "2,,,sara"),
         "risker.csv:2: column 'residual_consequence':"),
        (HEADER + (row % 1).replace("Titel", ""), "risker.csv:2: column 'title': empty"),
        (HEADER + "E-1,x\n", "risker.csv:2: the row has 2 fields, the header 14"),
        (HEADER + row % 1 + (row % 2).replace("sara", "nobody"),
         "risker.csv:3: column 'owner': there is no person"),
        ("", "risker.csv:1: the file is empty"),
    ]
    for text, expect in cases:
        before = tenant_digest()
        r = import_text(text)
        eq(r.returncode, 1, "exit 1 for %r" % expect)
        check(expect in r.stderr, "expected %r in %r" % (expect, r.stderr))
        check("nothing was imported" in r.stderr, "nothing imported: %r" % r.stderr)
        eq(tenant_digest(), before, "nothing applied for %r" % expect)
    r = run_varn("import", "risks", db=srv().db)
    eq(r.returncode, 2, "FILE missing is a usage error")


@test("POST /api/v1/imports/risks: the same import over HTTP, dry run and problems as a table")
def _():
    setup()
    text = HEADER + ("HTTP-1,Via HTTP,NORRBY,2026-02-01,Över nätet,,,RS-1,1,2,,,,sara\n")
    hdr = {"Authorization": "Bearer " + admin(), "Content-Type": "text/csv"}
    before = tenant_digest()
    st, _, b = srv().request("POST", "/api/v1/imports/risks?dry_run=true", text.encode(), hdr)
    eq((st, json.loads(b)["created"]), (200, 1), "dry run (%r)" % b[:300])
    eq(tenant_digest(), before, "a dry run changes nothing")
    st, _, b = srv().request("POST", "/api/v1/imports/risks",
                             text.replace("sara", "nobody").encode(), hdr)
    p = json.loads(b)
    eq((st, p["code"], p["errors"][0]["column"]), (422, "invalid_file", "owner"), "a bad row")
    eq(tenant_digest(), before, "nothing applied")
    st, _, b = srv().request("POST", "/api/v1/imports/risks", text.encode(), hdr)
    eq((st, json.loads(b)["created"]), (200, 1), "imported (%r)" % b[:300])
    eq(len(ok("GET", "/api/v1/risks?q=HTTP-1")["items"]), 1, "the risk is there")
    tok = token("NORRBY", "information_owner")
    st, _, b = srv().request("POST", "/api/v1/imports/risks", text.encode(),
                             dict(hdr, Authorization="Bearer " + tok))
    eq(st, 403, "an information owner may not import risks")


@test("varn import --help names risks and its columns")
def _():
    r = run_varn("import", "--help")
    eq(r.returncode, 0, "exit 0")
    check("varn import organisations|people|systems|components|information|risks FILE"
          in r.stdout, "usage line: %r" % r.stdout[:300])
    check("inherent_likelihood" in r.stdout, "the columns")


@test("the server stops cleanly")
def _():
    eq(srv().stop(), 0, "exit code")


if __name__ == "__main__":
    main(suite)
