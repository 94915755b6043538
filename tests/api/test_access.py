#!/usr/bin/env python3
"""Access control over HTTP: accounts (create, read, every filter, paging, every bad input, a
same-valued PATCH that writes nothing, removal revoking grants), shared accounts' exceptions,
a system's entitlements, grants by hand (to an account, or to a person on a system, which makes
their account) and their revocation, the CSV and XLSX exports read back, MFA coverage, and that
another organisation's accounts and grants answer 404 like missing ones. Every change is looked
for in the audit log."""
import datetime
import io
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from varn_harness import Suite, check, eq, main  # noqa: E402
from catalog_helpers import (admin, audit_rows, call, digest, new_system, ok,  # noqa: E402
                             problem, refused_unchanged, srv, token, world)

suite = Suite()
test = suite.test
_state = {}


def today():
    return datetime.datetime.now(datetime.timezone.utc).date()


def setup():
    """Systems AC-N (NORRBY) and AC-O (OSTBY); accounts on AC-N: sara's personal one
    (privileged, MFA), a shared unowned one, ivar's without MFA; olle's on AC-O; two
    entitlements on AC-N."""
    if _state:
        return _state
    world()
    new_system("AC-N")
    new_system("AC-O", organisation="OSTBY", system_owner="otto")
    _state["sara"] = ok("POST", "/api/v1/accounts",
                        {"system": "AC-N", "username": "sara.adm", "person": "sara",
                         "privileged": True, "mfa_enrolled": True,
                         "last_login": "2026-11-01T08:00:00+01:00"}, status=201)
    _state["shared"] = ok("POST", "/api/v1/accounts",
                          {"system": "AC-N", "username": "kassa1", "shared": True}, status=201)
    _state["ivar"] = ok("POST", "/api/v1/accounts",
                        {"system": "AC-N", "username": "ivar", "person": "ivar"}, status=201)
    _state["otto"] = ok("POST", "/api/v1/accounts",
                        {"system": "AC-O", "username": "otto", "person": "otto",
                         "mfa_enrolled": True}, status=201)
    _state["admin_role"] = ok("POST", "/api/v1/systems/AC-N/entitlements",
                              {"name": "Administratör", "privileged": True,
                               "description": "Full behörighet"}, status=201)
    _state["reader"] = ok("POST", "/api/v1/systems/AC-N/entitlements", {"name": "Läsare"},
                          status=201)
    _state["o_role"] = ok("POST", "/api/v1/systems/AC-O/entitlements", {"name": "Handläggare"},
                          status=201)
    return _state


def norrby():
    return token("NORRBY", "system_owner")


# ---- accounts ----

@test("an account is created with its organisation, person and flags, and audited")
def _():
    s = setup()
    a = s["sara"]
    eq((a["system"], a["organisation"], a["username"], a["person"], a["person_name"]),
       ("AC-N", "NORRBY", "sara.adm", "sara", "Person sara"), "account")
    eq((a["shared"], a["privileged"], a["mfa_enrolled"], a["status"], a["source"]),
       (False, True, True, "active", "manual"), "flags")
    eq(a["last_login"], "2026-11-01T07:00:00Z", "last_login in UTC")
    eq((a["exception"], a["exception_valid"], a["active_grants"]), (None, False, 0), "no exception")
    # tied to no person: the system's organisation
    eq((s["shared"]["person"], s["shared"]["organisation"]), (None, "NORRBY"), "shared account")
    eq(s["otto"]["organisation"], "OSTBY", "the person's organisation")
    rows = audit_rows("account.create", str(a["id"]))
    eq(len(rows), 1, "one audit entry")
    check(rows[0][0].startswith("token:"), "audited as the token (%r)" % rows[0][0])
    eq(ok("GET", "/api/v1/accounts/%d" % a["id"]), a, "GET gives what POST gave")


@test("account creation refuses every bad input and changes nothing")
def _():
    setup()
    for body, status, code, field in (
            ({"system": "NO-SUCH", "username": "x"}, 422, "unknown_system", "system"),
            ({"system": "AC-N", "username": "x", "person": "nobody"}, 422, "unknown_person",
             "person"),
            ({"system": "AC-N", "username": "sara.adm"}, 409, "duplicate", "username"),
            ({"system": "AC-N", "username": "x", "status": "removed"}, 422, "invalid_value",
             "status"),
            ({"system": "AC-N", "username": "x", "status": "gone"}, 422, "invalid_value",
             "status"),
            ({"system": "AC-N", "username": "x", "last_login": "yesterday"}, 422,
             "invalid_value", "last_login"),
            ({"system": "AC-N", "username": "x", "shared": "ja"}, 422, "wrong_type", "shared"),
            ({"system": "AC-N"}, 422, "missing_field", "username"),
            ({"system": "AC-N", "username": "x", "colour": "red"}, 422, "unknown_field",
             "colour")):
        refused_unchanged("POST", "/api/v1/accounts", body, status, code, field)


@test("the account list filters by organisation, system, person, q, shared, privileged, mfa, "
      "status and unowned, and pages with a cursor")
def _():
    setup()

    def names(query):
        return sorted(a["username"] for a in ok("GET", "/api/v1/accounts?" + query)["items"]
                      if a["system"] in ("AC-N", "AC-O"))
    eq(names("system=AC-N"), ["ivar", "kassa1", "sara.adm"], "system")
    eq(names("organisation=OSTBY"), ["otto"], "organisation")
    eq(names("person=sara"), ["sara.adm"], "person")
    eq(names("q=KASS"), ["kassa1"], "q")
    eq(names("shared=true"), ["kassa1"], "shared")
    eq(names("privileged=true"), ["sara.adm"], "privileged")
    eq(names("mfa=false&system=AC-N"), ["ivar", "kassa1"], "mfa")
    eq(names("unowned=true"), ["kassa1"], "unowned")
    eq(names("unowned=false&system=AC-N"), ["ivar", "sara.adm"], "owned")
    eq(names("status=disabled&system=AC-N"), [], "status")
    seen, cursor = [], None
    for _ in range(10):
        page = ok("GET", "/api/v1/accounts?system=AC-N&limit=1" +
                  ("&cursor=" + cursor if cursor else ""))
        eq(len(page["items"]), 1, "a page of one")
        seen.append(page["items"][0]["username"])
        cursor = page["next_cursor"]
        if not cursor:
            break
    eq(sorted(seen), ["ivar", "kassa1", "sara.adm"], "every account once over the pages")
    for query, code, field in (("shared=ja", "invalid_value", "shared"),
                               ("status=gone", "invalid_value", "status"),
                               ("limit=0", "out_of_range", "limit"),
                               ("cursor=nonsense", "invalid_cursor", "cursor"),
                               ("colour=red", "unknown_parameter", "colour")):
        problem(call("GET", "/api/v1/accounts?" + query), 422, code, field)


@test("PATCH changes an account, a same-valued PATCH writes nothing, removal revokes its grants")
def _():
    s = setup()
    a = ok("POST", "/api/v1/accounts", {"system": "AC-N", "username": "tmp1", "person": "olle"},
           status=201)
    path = "/api/v1/accounts/%d" % a["id"]
    b = ok("PATCH", path, {"mfa_enrolled": True, "last_login": "2026-10-01"})
    eq((b["mfa_enrolled"], b["last_login"]), (True, "2026-10-01T00:00:00Z"), "changed")
    eq(len(audit_rows("account.update", str(a["id"]))), 1, "audited")
    before = digest()
    eq(ok("PATCH", path, {"mfa_enrolled": True}), b, "same-valued PATCH answers the account")
    eq(digest(), before, "and writes nothing")
    eq(len(audit_rows("account.update", str(a["id"]))), 1, "nor audits")
    c = ok("PATCH", path, {"person": None})
    eq((c["person"], c["organisation"]), (None, "NORRBY"), "tied to no person")
    g = ok("POST", "/api/v1/grants", {"account": a["id"], "entitlement": s["reader"]["id"]},
           status=201)
    d = ok("PATCH", path, {"status": "removed"})
    eq((d["status"], d["active_grants"]), ("removed", 0), "removed")
    check(d["removed_at"], "removed_at set")
    g2 = ok("GET", "/api/v1/grants/%d" % g["id"])
    eq((g2["active"], g2["revoke_reason"]), (False, "Kontot är borttaget"), "its grant revoked")
    problem(call("POST", "/api/v1/grants", {"account": a["id"], "entitlement": s["reader"]["id"]}),
            409, "account_removed", "account")
    refused_unchanged("PATCH", path, {"status": "gone"}, 422, "invalid_value", "status")
    refused_unchanged("PATCH", path, {"person": "nobody"}, 422, "unknown_person", "person")


@test("a shared account's exception: reason and a date after today, audited; a personal "
      "account has none; roles outside the matrix get 403")
def _():
    s = setup()
    path = "/api/v1/accounts/%d/exception" % s["shared"]["id"]
    until = (today() + datetime.timedelta(days=90)).isoformat()
    refused_unchanged("PUT", "/api/v1/accounts/%d/exception" % s["sara"]["id"],
                      {"reason": "x", "until": until}, 409, "not_shared")
    refused_unchanged("PUT", path, {"reason": "x", "until": today().isoformat()}, 422,
                      "invalid_value", "until")
    refused_unchanged("PUT", path, {"until": until}, 422, "missing_field", "reason")
    st, _, _ = call("PUT", path, {"reason": "x", "until": until},
                    tok=token("NORRBY", "information_owner"))
    eq(st, 403, "an information owner may not approve")
    a = ok("PUT", path, {"reason": "Kassaterminal i receptionen", "until": until},
           tok=token("NORRBY", "ciso"))
    eq((a["exception"]["reason"], a["exception"]["until"], a["exception_valid"]),
       ("Kassaterminal i receptionen", until, True), "exception")
    check(a["exception"]["approved_at"], "approved_at")
    eq(len(audit_rows("account.exception", str(a["id"]))), 1, "audited")


# ---- entitlements ----

@test("a system's entitlements: listed with their active grants, a name once, 404 for a "
      "missing or foreign system")
def _():
    s = setup()
    items = ok("GET", "/api/v1/systems/AC-N/entitlements")["items"]
    eq([(e["name"], e["privileged"]) for e in items],
       [("Administratör", True), ("Läsare", False)], "entitlements by name")
    eq(s["admin_role"]["description"], "Full behörighet", "description")
    refused_unchanged("POST", "/api/v1/systems/AC-N/entitlements", {"name": "Läsare"}, 409,
                      "duplicate", "name")
    problem(call("GET", "/api/v1/systems/NO-SUCH/entitlements"), 404, "not_found")
    foreign = call("GET", "/api/v1/systems/AC-O/entitlements", tok=norrby())
    missing = call("GET", "/api/v1/systems/NO-SUCH/entitlements", tok=norrby())
    eq((foreign[0], missing[0]), (404, 404), "foreign like missing")
    eq(len(audit_rows("entitlement.create", str(s["reader"]["id"]))), 1, "audited")


# ---- grants ----

@test("grants by hand: to an account, or to a person on a system (making their account); "
      "duplicates and mismatches refused; revoked with a reason, once")
def _():
    s = setup()
    g = ok("POST", "/api/v1/grants", {"account": s["sara"]["id"],
                                      "entitlement": s["admin_role"]["id"]}, status=201)
    eq((g["system"], g["organisation"], g["username"], g["person"], g["entitlement"],
        g["privileged"], g["source"], g["active"]),
       ("AC-N", "NORRBY", "sara.adm", "sara", "Administratör", True, "manual", True), "grant")
    eq(len(audit_rows("grant.create", str(g["id"]))), 1, "audited")
    eq(ok("GET", "/api/v1/grants/%d" % g["id"]), g, "GET gives what POST gave")
    refused_unchanged("POST", "/api/v1/grants", {"account": s["sara"]["id"],
                                                 "entitlement": s["admin_role"]["id"]},
                      409, "duplicate", "entitlement")
    refused_unchanged("POST", "/api/v1/grants", {"account": s["sara"]["id"],
                                                 "entitlement": s["o_role"]["id"]},
                      422, "unknown_entitlement", "entitlement")
    refused_unchanged("POST", "/api/v1/grants", {"account": 987654, "entitlement": 1},
                      422, "unknown_account", "account")
    refused_unchanged("POST", "/api/v1/grants", {"entitlement": 1, "system": "AC-N"},
                      422, "missing_field", "person")
    refused_unchanged("POST", "/api/v1/grants", {"entitlement": s["reader"]["id"],
                                                 "account": s["sara"]["id"], "person": "sara"},
                      422, "invalid_value", "account")
    # to a person without an account on the system: the account is made (username = user id)
    p = ok("POST", "/api/v1/grants", {"system": "AC-N", "person": "adam",
                                      "entitlement": s["reader"]["id"]}, status=201)
    eq((p["username"], p["person"], p["organisation"]), ("adam", "adam", "NORRBY"),
       "the person's new account")
    refused_unchanged("POST", "/api/v1/grants", {"system": "AC-N", "person": "adam",
                                                 "entitlement": s["reader"]["id"]},
                      409, "duplicate", "entitlement")
    # revoke
    path = "/api/v1/grants/%d/revoke" % p["id"]
    refused_unchanged("POST", path, {}, 422, "missing_field", "reason")
    r = ok("POST", path, {"reason": "Slutat på enheten"})
    eq((r["active"], r["revoke_reason"]), (False, "Slutat på enheten"), "revoked")
    check(r["revoked_at"], "revoked_at")
    eq(len(audit_rows("grant.revoke", str(p["id"]))), 1, "audited")
    refused_unchanged("POST", path, {"reason": "again"}, 409, "already_revoked")
    problem(call("POST", "/api/v1/grants/987654/revoke", {"reason": "x"}), 404, "not_found")


@test("the grant list filters by organisation, system, person, account, entitlement and "
      "active, and pages")
def _():
    s = setup()
    ok("POST", "/api/v1/grants", {"account": s["ivar"]["id"], "entitlement": s["reader"]["id"]},
       status=201)
    ok("POST", "/api/v1/grants", {"account": s["otto"]["id"], "entitlement": s["o_role"]["id"]},
       status=201)

    def users(query):
        return sorted((g["username"], g["entitlement"], g["active"])
                      for g in ok("GET", "/api/v1/grants?" + query)["items"])
    check(("ivar", "Läsare", True) in users("system=AC-N"), "system")
    eq(users("organisation=OSTBY"), [("otto", "Handläggare", True)], "organisation")
    eq(users("person=ivar"), [("ivar", "Läsare", True)], "person")
    eq(users("account=%d" % s["otto"]["id"]), [("otto", "Handläggare", True)], "account")
    check(all(e == "Läsare" for _, e, _ in users("entitlement=%d" % s["reader"]["id"])),
          "entitlement")
    check(all(not a for _, _, a in users("active=false")), "active=false")
    check(all(a for _, _, a in users("active=true")), "active=true")
    page = ok("GET", "/api/v1/grants?limit=1")
    eq(len(page["items"]), 1, "a page of one")
    check(page["next_cursor"], "a next page")
    nxt = ok("GET", "/api/v1/grants?limit=1&cursor=" + page["next_cursor"])
    check(nxt["items"][0]["id"] > page["items"][0]["id"], "the next page goes on")
    for query, field in (("active=yes", "active"), ("account=x", "account"),
                         ("cursor=abc", "cursor")):
        st, _, b = call("GET", "/api/v1/grants?" + query)
        eq((st, b.get("field")), (422, field), "bad %s" % query)


# ---- exports ----

def xlsx(path):
    try:
        import openpyxl
    except ImportError:
        sys.path.append("/usr/lib/python3/dist-packages")
        import openpyxl
    st, h, b = srv().request("GET", path, None, {"Authorization": "Bearer " + admin()})
    eq(st, 200, "GET %s (%r)" % (path, b[:200]))
    eq(h.get("content-type"),
       "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Content-Type")
    return h, openpyxl.load_workbook(io.BytesIO(b))


@test("accounts and grants export as CSV and XLSX with Swedish headers, read back, audited")
def _():
    s = setup()
    h, wb = xlsx("/api/v1/accounts?format=xlsx&system=AC-N")
    eq(h.get("content-disposition"), 'attachment; filename="konton.xlsx"', "file name")
    eq(wb.sheetnames, ["Konton"], "sheet")
    rows = [[c.value for c in r] for r in wb["Konton"].iter_rows()]
    eq(rows[0][:8], ["Id", "System", "Systemnamn", "Organisation", "Användarnamn", "Användar-id",
                     "Person", "Delat konto"], "headers")
    by_user = {r[4]: dict(zip(rows[0], r)) for r in rows[1:]}
    check({"ivar", "kassa1", "sara.adm"} <= set(by_user), "rows: %r" % sorted(by_user))
    sara = by_user["sara.adm"]
    eq((sara["Privilegierat"], sara["Flerfaktorsautentisering"], sara["Status"], sara["Källa"]),
       ("ja", "ja", "Aktivt", "Manuellt"), "Swedish values")
    check(len(audit_rows("accounts.export")) >= 1, "the export is audited")
    st, h, b = srv().request("GET", "/api/v1/grants?format=csv&system=AC-N", None,
                             {"Authorization": "Bearer " + admin()})
    eq(st, 200, "grants CSV")
    eq(h.get("content-disposition"), 'attachment; filename="behorigheter.csv"', "file name")
    check(b.startswith(b"\xef\xbb\xbf"), "a BOM")
    text = b.decode("utf-8-sig").splitlines()
    eq(text[0].split(";")[:6], ["Id", "System", "Organisation", "Användarnamn", "Användar-id",
                                "Behörighet"], "CSV headers")
    check(any(";sara.adm;sara;Administratör;ja;" in line for line in text), "sara's grant row")
    _, wb = xlsx("/api/v1/grants?format=xlsx&person=sara")
    rows = [[c.value for c in r] for r in wb["Behörigheter"].iter_rows()]
    eq([r[5] for r in rows[1:]], ["Administratör"], "grants of sara in the XLSX")
    eq(len(rows) - 1, len(ok("GET", "/api/v1/grants?person=sara")["items"]), "as the JSON list")
    check(s["sara"], "setup")


# ---- MFA coverage ----

@test("MFA coverage counts active accounts, with MFA, privileged and privileged with MFA per "
      "organisation and system, in reach")
def _():
    setup()
    cov = ok("GET", "/api/v1/access/mfa-coverage?system=AC-N")
    systems = {x["system"]: x for x in cov["systems"]}
    n = systems["AC-N"]
    active = [a for a in ok("GET", "/api/v1/accounts?system=AC-N&status=active")["items"]]
    eq(n["accounts"], len(active), "active accounts")
    eq(n["with_mfa"], sum(a["mfa_enrolled"] for a in active), "with MFA")
    eq(n["privileged"], sum(a["privileged"] for a in active), "privileged")
    eq(n["privileged_with_mfa"], sum(a["privileged"] and a["mfa_enrolled"] for a in active),
       "privileged with MFA")
    eq(n["mfa_share"], int(n["with_mfa"] * 1000 / n["accounts"]) / 1000, "share")
    eq([o["organisation"] for o in cov["organisations"]], ["NORRBY"], "organisations")
    mine = ok("GET", "/api/v1/access/mfa-coverage", tok=norrby())
    check(all(o["organisation"] == "NORRBY" for o in mine["organisations"]),
          "NORRBY sees only NORRBY")
    check("AC-O" not in [x["system"] for x in mine["systems"]], "nor OSTBY's system")
    st, _, b = call("GET", "/api/v1/access/mfa-coverage?organisation=" + "X" * 300)
    eq(st, 422, "a too long filter (%r)" % (b,))


# ---- tenant isolation ----

@test("another organisation's accounts and grants answer 404 like missing ones, and are in "
      "no list of NORRBY's")
def _():
    s = setup()
    tok = norrby()
    for method, path, body in (
            ("GET", "/api/v1/accounts/%d" % s["otto"]["id"], None),
            ("PATCH", "/api/v1/accounts/%d" % s["otto"]["id"], {"mfa_enrolled": False}),
            ("PUT", "/api/v1/accounts/%d/exception" % s["otto"]["id"],
             {"reason": "x", "until": "2099-01-01"}),
            ("POST", "/api/v1/systems/AC-O/entitlements", {"name": "x"})):
        before = digest()
        st, _, foreign = call(method, path, body, tok=tok)
        st2, _, missing = call(method, path.replace(str(s["otto"]["id"]), "987654")
                               .replace("AC-O", "NO-SUCH"), body, tok=tok)
        eq((st, st2), (404, 404), "%s %s" % (method, path))
        eq({k: v for k, v in foreign.items() if k not in ("instance", "request_id")},
           {k: v for k, v in missing.items() if k not in ("instance", "request_id")},
           "foreign and missing alike")
        eq(digest(), before, "nothing changed")
    og = ok("GET", "/api/v1/grants?organisation=OSTBY")["items"]
    check(og, "OSTBY has grants")
    st, _, b = call("GET", "/api/v1/grants/%d" % og[0]["id"], tok=tok)
    eq(st, 404, "a foreign grant")
    st, _, b = call("POST", "/api/v1/grants/%d/revoke" % og[0]["id"], {"reason": "x"}, tok=tok)
    eq(st, 404, "revoking a foreign grant")
    refused_unchanged("POST", "/api/v1/grants", {"account": s["otto"]["id"],
                                                 "entitlement": s["o_role"]["id"]},
                      422, "unknown_account", "account", tok=tok)
    refused_unchanged("POST", "/api/v1/accounts", {"system": "AC-O", "username": "z"},
                      422, "unknown_system", "system", tok=tok)
    refused_unchanged("POST", "/api/v1/accounts", {"system": "AC-N", "username": "z",
                                                   "person": "otto"},
                      422, "unknown_person", "person", tok=tok)
    names = [a["username"] for a in ok("GET", "/api/v1/accounts", tok=tok)["items"]]
    check("otto" not in names and "sara.adm" in names, "NORRBY's list: %r" % names)
    check(all(g["organisation"] == "NORRBY" for g in ok("GET", "/api/v1/grants", tok=tok)["items"]),
          "NORRBY's grants only")


if __name__ == "__main__":
    main(suite)
