#!/usr/bin/env python3
"""The catalog's relations over HTTP: the organisations using a system and its dependencies on
other systems (set, listed in the system, removed, audited; no self, nothing outside reach), and a
supplier's contract reference and end date (read, recorded, validated, audited)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from varn_harness import Suite, check, eq, main  # noqa: E402
from catalog_helpers import (audit_rows, call, digest, new_system, ok, problem,  # noqa: E402
                             refused_unchanged, srv, token, world)

suite = Suite()
test = suite.test


def norrby(role="system_owner"):
    return token("NORRBY", role)


def put(path, tok=None):
    """PUT of a relation: the empty object as its body."""
    return call("PUT", path, {}, tok)


@test("PUT users/{code} lists the organisation in the system; again changes nothing; audited once")
def _():
    new_system("REL-1")
    st, _, b = put("/api/v1/systems/REL-1/users/NORRBY")
    eq((st, b), (204, None), "PUT")
    eq(ok("GET", "/api/v1/systems/REL-1")["users"], ["NORRBY"], "users")
    before = digest()
    eq(put("/api/v1/systems/REL-1/users/norrby")[0], 204, "PUT again (code in any case)")
    eq(digest(), before, "an existing pair writes nothing")
    ok("PUT", "/api/v1/systems/REL-1/users/OSTBY", {}, status=204)
    eq(ok("GET", "/api/v1/systems/REL-1")["users"], ["NORRBY", "OSTBY"], "sorted")
    eq(len(audit_rows("system_user.create", "REL-1")), 2, "two audit entries")


@test("DELETE users/{code} removes it and is audited; a second DELETE is 404")
def _():
    new_system("REL-2")
    ok("PUT", "/api/v1/systems/REL-2/users/OSTBY", {}, status=204)
    eq(call("DELETE", "/api/v1/systems/REL-2/users/OSTBY")[0], 204, "DELETE")
    eq(ok("GET", "/api/v1/systems/REL-2")["users"], [], "no users")
    rows = audit_rows("system_user.delete", "REL-2")
    eq(len(rows), 1, "one audit entry")
    check("OSTBY" in rows[0][4], "the removed pair is the before")
    eq(call("DELETE", "/api/v1/systems/REL-2/users/OSTBY")[0], 404, "second DELETE")


@test("an organisation or system outside the caller's reach is refused like a missing one")
def _():
    new_system("REL-3")
    ok("POST", "/api/v1/systems", {"external_id": "REL-OST", "name": "Ostby system",
                                   "organisation": "OSTBY", "system_owner": "otto"}, status=201)
    tok = norrby()
    before = digest()
    for path in ("/api/v1/systems/REL-3/users/OSTBY", "/api/v1/systems/REL-3/users/NOSUCH",
                 "/api/v1/systems/REL-3/dependencies/REL-OST",
                 "/api/v1/systems/REL-3/dependencies/NO-SUCH", "/api/v1/systems/REL-OST/users/NORRBY"):
        for method in ("PUT", "DELETE"):
            st, _, b = call(method, path, {} if method == "PUT" else None, tok)
            eq(st, 404, "%s %s" % (method, path))
    eq(digest(), before, "nothing written")


@test("a system owner in reach sets users; the system lists only users in the reader's reach")
def _():
    new_system("REL-4")
    eq(put("/api/v1/systems/REL-4/users/NORRBY", norrby())[0], 204, "own org")
    ok("PUT", "/api/v1/systems/REL-4/users/OSTBY", {}, status=204)  # the IT centre reaches both
    eq(ok("GET", "/api/v1/systems/REL-4", tok=norrby())["users"], ["NORRBY"], "NORRBY's view")
    eq(ok("GET", "/api/v1/systems/REL-4")["users"], ["NORRBY", "OSTBY"], "the IT centre's view")


@test("dependencies: set, listed, idempotent, removed, audited")
def _():
    new_system("DEP-A")
    new_system("DEP-B")
    new_system("DEP-C")
    for d in ("DEP-C", "DEP-B", "DEP-B"):
        eq(put("/api/v1/systems/DEP-A/dependencies/" + d, norrby())[0], 204, d)
    s = ok("GET", "/api/v1/systems/DEP-A")
    eq(s["dependencies"], ["DEP-B", "DEP-C"], "dependencies")
    eq(ok("GET", "/api/v1/systems/DEP-B")["dependencies"], [], "not the other way")
    eq(len(audit_rows("system_dependency.create", "DEP-A")), 2, "audited once each")
    eq(call("DELETE", "/api/v1/systems/DEP-A/dependencies/DEP-C")[0], 204, "DELETE")
    eq(ok("GET", "/api/v1/systems/DEP-A")["dependencies"], ["DEP-B"], "after DELETE")
    eq(len(audit_rows("system_dependency.delete", "DEP-A")), 1, "DELETE audited")
    eq(call("DELETE", "/api/v1/systems/DEP-A/dependencies/DEP-C")[0], 404, "second DELETE")


@test("a system cannot depend on itself: 422 self_dependency, nothing written")
def _():
    new_system("DEP-SELF")
    refused_unchanged("PUT", "/api/v1/systems/DEP-SELF/dependencies/DEP-SELF", {}, 422,
                      "self_dependency")


@test("a user token may not change relations or contracts: 403, recorded as access.refused")
def _():
    new_system("REL-5")
    tok = token("NORRBY", "user")
    before = len(audit_rows("access.refused"))
    for method, path in (("PUT", "/api/v1/systems/REL-5/users/NORRBY"),
                         ("PUT", "/api/v1/systems/REL-5/dependencies/REL-4"),
                         ("PUT", "/api/v1/organisations/LEVA/contract")):
        st, _, b = call(method, path, {"contract_reference": "X"} if "contract" in path else {},
                        tok)
        eq(st, 403, "%s %s" % (method, path))
    eq(len(audit_rows("access.refused")), before + 3, "three refusals recorded")
    eq(ok("GET", "/api/v1/systems/REL-5")["users"], [], "nothing written")


@test("a supplier without a contract reads nulls; PUT records it, audited; same PUT writes nothing")
def _():
    world()
    eq(ok("GET", "/api/v1/organisations/LEVA/contract"),
       {"organisation": "LEVA", "contract_reference": None, "contract_end": None,
        "updated_at": None}, "none yet")
    c = ok("PUT", "/api/v1/organisations/leva/contract",
           {"contract_reference": "KS 2025/114", "contract_end": "2027-12-31"})
    eq((c["organisation"], c["contract_reference"], c["contract_end"]),
       ("LEVA", "KS 2025/114", "2027-12-31"), "recorded")
    check(c["updated_at"], "updated_at")
    eq(ok("GET", "/api/v1/organisations/LEVA/contract"), c, "GET gives what PUT gave")
    rows = audit_rows("supplier_contract.update", "LEVA")
    eq(len(rows), 1, "audited")
    eq(rows[0][4], None, "no before for the first contract")
    before = digest()
    eq(ok("PUT", "/api/v1/organisations/LEVA/contract",
          {"contract_reference": "KS 2025/114", "contract_end": "2027-12-31"}), c, "same")
    eq(digest(), before, "an unchanged PUT writes nothing")
    c2 = ok("PUT", "/api/v1/organisations/LEVA/contract", {"contract_reference": "KS 2026/7"})
    eq((c2["contract_reference"], c2["contract_end"]), ("KS 2026/7", None), "replaced, no end")
    rows = audit_rows("supplier_contract.update", "LEVA")
    eq(len(rows), 2, "the change audited")
    check("KS 2025/114" in rows[1][4], "the before is the earlier contract")


@test("contract validation: a bad date, a missing reference, a non-supplier; nothing written")
def _():
    world()
    refused_unchanged("PUT", "/api/v1/organisations/LEVA/contract",
                      {"contract_reference": "X", "contract_end": "2027-02-30"}, 422,
                      "invalid_date", "contract_end")
    p = problem(call("PUT", "/api/v1/organisations/LEVA/contract", {"contract_end": None}), 422,
                problem_code_missing(), "contract_reference")
    check(p["detail"], "detail")
    refused_unchanged("PUT", "/api/v1/organisations/NORRBY/contract", {"contract_reference": "X"},
                      422, "not_a_supplier")
    eq(call("GET", "/api/v1/organisations/NORRBY/contract")[0], 404, "GET of a non-supplier")
    eq(call("GET", "/api/v1/organisations/NOSUCH/contract")[0], 404, "GET of a missing one")


def problem_code_missing():
    st, _, b = call("PUT", "/api/v1/organisations/LEVA/contract", {})
    return b["code"]


@test("the server stops cleanly")
def _():
    eq(srv().stop(), 0, "exit code")


if __name__ == "__main__":
    main(suite)
