#!/usr/bin/env python3
"""Directory (LDAP / Active Directory) import against a real slapd (tests/api/slapd_fixture.py)
with Norrby's AD-like tree: sources and their group maps (every bad input refused with nothing
changed), the first sync creating accounts and grants, a re-sync after ldapmodify reporting
exactly what was removed, changed and new, failed syncs (wrong password, no server, a server that
never answers, no password in the environment) with Swedish errors and nothing changed, the sync
endpoint answering 202 at once while the worker waits on a silent directory, varn directory
sync and list, roles and tenant isolation of the routes."""
import os
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import slapd_fixture  # noqa: E402
from varn_harness import SLOW, Skip, Suite, check, contains, eq, main, run_varn, sql_rows  # noqa
from catalog_helpers import (audit_rows, call, new_system, ok, problem,  # noqa: E402
                             refused_unchanged, srv, token, world)

# The server and the command line read the bind password from here, and give up on a silent
# directory after two seconds.
PASSWORD_ENV = "VARN_TEST_LDAP_PASSWORD"
os.environ[PASSWORD_ENV] = slapd_fixture.BIND_PASSWORD
os.environ["VARN_DIRECTORY_TIMEOUT"] = "2"
WRONG_ENV = "VARN_TEST_LDAP_WRONG"
os.environ[WRONG_ENV] = "not the password"

suite = Suite()
test = suite.test
_state = {}
BASE = slapd_fixture.BASE_DN
GROUPS = "ou=Groups," + BASE
USERS = "ou=Users," + BASE


def slapd():
    why = slapd_fixture.available()
    if why:
        raise Skip(why)
    if "slapd" not in _state:
        _state["slapd"] = slapd_fixture.Slapd().start()
    return _state["slapd"]


def group_map():
    return [{"group_dn": "CN=Ekonomi-Lasare,OU=Groups,DC=norrby,DC=example", "system": "EKO",
             "entitlement": "Läsare"},
            {"group_dn": "cn=Ekonomi-Admin, ou=Groups, dc=norrby, dc=example", "system": "EKO",
             "entitlement": "Administratör"},
            {"group_dn": "cn=HR-Anvandare," + GROUPS, "system": "HR",
             "entitlement": "Användare"}]


def body(name, uri, **extra):
    b = {"organisation": "NORRBY", "name": name, "uri": uri,
         "bind_dn": slapd_fixture.BIND_DN, "bind_password_env": PASSWORD_ENV,
         "base_dn": BASE, "user_filter": "(objectClass=inetOrgPerson)",
         "group_filter": "(objectClass=groupOfNames)",
         "attributes": {"username": "sAMAccountName", "person": "mail",
                        "person_match": "email", "disabled": "userAccountControl",
                        "last_login": "lastLogonTimestamp", "member_of": "memberOf"},
         "groups": group_map()}
    b.update(extra)
    return b


def setup():
    """NORRBY's systems EKO and HR, and people whose e-mail addresses the directory's mail
    values name (in another case, as directories often have them)."""
    if "setup" in _state:
        return _state["setup"]
    world()
    new_system("EKO")
    new_system("HR")
    for uid in ("anna.berg", "bo.ek", "eva.strand"):
        ok("POST", "/api/v1/people", {"user_id": uid, "name": uid,
                                      "email": uid.upper() + "@Norrby.Example",
                                      "organisation": "NORRBY"}, status=201)
    _state["setup"] = True
    return True


def source(name="AD", uri=None, **extra):
    """A source (made once per name)."""
    setup()
    key = "source:" + name
    if key not in _state:
        b = ok("POST", "/api/v1/directory-sources", body(name, uri or slapd().uri, **extra),
               status=201)
        _state[key] = b["id"]
    return _state[key]


def wait_sync(sid, sync_id, timeout=30 * SLOW):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        b = ok("GET", "/api/v1/directory-sources/%d/syncs/%d" % (sid, sync_id))
        if b["status"] in ("done", "failed"):
            return b
        time.sleep(0.05)
    raise AssertionError("sync %d did not finish in time" % sync_id)


def sync(sid):
    t = time.monotonic()
    b = ok("POST", "/api/v1/directory-sources/%d/sync" % sid, {}, status=202)
    check(time.monotonic() - t < 1.0 * SLOW, "POST sync answered at once")
    eq(b["status"], "queued", "a new sync is queued")
    return wait_sync(sid, b["id"])


def access_tables():
    return sql_rows(srv().db, "SELECT 'a', system_id, username, person_id, status, last_login"
                    " FROM account UNION ALL SELECT 'g', account_id, entitlement_id,"
                    " revoked_at IS NULL, 0, 0 FROM access_grant ORDER BY 1, 2, 3")


def all_changes(sid, sync_id, **query):
    """Every change of a sync, page by page (limit 4)."""
    items, cursor = [], None
    for _ in range(50):
        q = "limit=4" + "".join("&%s=%s" % kv for kv in query.items())
        if cursor:
            q += "&cursor=" + cursor
        b = ok("GET", "/api/v1/directory-sources/%d/syncs/%d?%s" % (sid, sync_id, q))
        items += b["changes"]["items"]
        cursor = b["changes"]["next_cursor"]
        if not cursor:
            return items
    raise AssertionError("changes never ended")


# ---- sources ----

@test("a source is created with its group map; GET shows it without any password")
def _():
    sid = source()
    b = ok("GET", "/api/v1/directory-sources/%d" % sid)
    eq(b["organisation"], "NORRBY", "organisation")
    eq(b["bind_password_env"], PASSWORD_ENV, "the variable's name is kept")
    check(slapd_fixture.BIND_PASSWORD not in str(b), "no password anywhere")
    eq(sorted((g["group_dn"], g["system"], g["entitlement"]) for g in b["groups"]),
       [("cn=ekonomi-admin,ou=groups,dc=norrby,dc=example", "EKO", "Administratör"),
        ("cn=ekonomi-lasare,ou=groups,dc=norrby,dc=example", "EKO", "Läsare"),
        ("cn=hr-anvandare,ou=groups,dc=norrby,dc=example", "HR", "Användare")],
       "group DNs normalised; entitlements made in their systems")
    eq(b["attributes"]["username"], "sAMAccountName", "attributes kept as an object")
    eq(b["last_sync"], None, "no sync yet")
    eq(b["next_sync_at"], None, "no schedule without sync_interval")
    names = [s["name"] for s in ok("GET", "/api/v1/directory-sources")["items"]]
    check("AD" in names, "listed")
    eq(len(audit_rows("directory_source.create", str(sid))), 1, "audited")
    made = [r for r in audit_rows("entitlement.create") if "Administratör" in (r[5] or "")]
    eq(len(made), 1, "the entitlement the map made is audited once")


@test("bad sources are refused naming the field, and nothing changes")
def _():
    setup()
    cases = [
        ({"uri": "http://dc1"}, 422, "invalid_value", "uri"),
        ({"bind_password_env": None}, 422, "required", "bind_password_env"),
        ({"bind_password_env": "lower-case"}, 422, "invalid_value", "bind_password_env"),
        ({"user_filter": "objectClass=user"}, 422, "invalid_value", "user_filter"),
        ({"group_filter": "(objectClass=group"}, 422, "invalid_value", "group_filter"),
        ({"sync_interval": "PT1M"}, 422, "invalid_value", "sync_interval"),
        ({"sync_interval": "6 timmar"}, 422, "invalid_value", "sync_interval"),
        ({"attributes": {"person": "mail"}}, 422, "required", "attributes"),
        ({"attributes": {"username": "sAMAccountName", "colour": "x"}}, 422,
         "unknown_member", "attributes"),
        ({"attributes": {"username": "bad name"}}, 422, "invalid_value", "attributes"),
        ({"attributes": {"username": "uid", "person_match": "phone"}}, 422, "invalid_value",
         "attributes"),
        ({"groups": [{"group_dn": "cn=x," + GROUPS, "system": "NO-SUCH",
                      "entitlement": "x"}]}, 422, "unknown_system", "groups"),
        ({"groups": [{"group_dn": "no dn", "system": "EKO", "entitlement": "x"}]}, 422,
         "invalid_value", "groups"),
        ({"organisation": "NOSUCHORG"}, 422, "unknown_organisation", "organisation"),
    ]
    for change, status, code, field in cases:
        b = body("Bad", "ldap://127.0.0.1:1")
        b.update(change)
        b = {k: v for k, v in b.items() if v is not None}
        p = refused_unchanged("POST", "/api/v1/directory-sources", b, status, code, field)
        check(field in p["detail"] or "finns inte" in p["detail"] or "attributes" in p["detail"],
              "the message names the field: %r" % p["detail"])
    source()
    refused_unchanged("POST", "/api/v1/directory-sources", body("AD", "ldap://127.0.0.1:1"),
                      409, "duplicate", "name")


@test("PATCH changes a source and PUT groups replaces its map; both audited")
def _():
    sid = source("Patched", "ldap://127.0.0.1:1")
    b = ok("PATCH", "/api/v1/directory-sources/%d" % sid,
           {"sync_interval": "PT6H", "user_filter": "(objectClass=person)"})
    eq(b["sync_interval"], "PT6H", "interval")
    eq(b["user_filter"], "(objectClass=person)", "filter")
    check(b["next_sync_at"] and b["next_sync_at"] > b["updated_at"], "next sync in six hours")
    eq(len(b["groups"]), 3, "groups untouched by a PATCH without them")
    b = ok("PUT", "/api/v1/directory-sources/%d/groups" % sid,
           {"groups": [{"group_dn": "cn=HR-Anvandare," + GROUPS, "system": "HR",
                        "entitlement": "Användare"}]})
    eq([g["system"] for g in b["groups"]], ["HR"], "map replaced")
    b = ok("PATCH", "/api/v1/directory-sources/%d" % sid, {"sync_interval": None})
    eq(b["sync_interval"], None, "null clears the interval")
    eq(b["next_sync_at"], None, "and the schedule")
    eq(len(audit_rows("directory_source.update", str(sid))), 3, "each change audited")
    refused_unchanged("PATCH", "/api/v1/directory-sources/%d" % sid, {"uri": "ftp://dc1.example"}, 422,
                      "invalid_value", "uri")
    st, _, _ = call("GET", "/api/v1/directory-sources/987654")
    eq(st, 404, "a missing source")


# ---- syncs that fail ----

def failed_sync(name, uri, expect, **extra):
    sid = source(name, uri, **extra)
    before = access_tables()
    b = sync(sid)
    eq(b["status"], "failed", "status (%r)" % b)
    contains(b["error"], expect, "the error says why, in Swedish")
    check(b["finished_at"], "finished_at set")
    eq([b[k] for k in ("accounts_new", "accounts_removed", "accounts_changed", "grants_new",
                       "grants_removed")], [0] * 5, "no counts")
    eq(access_tables(), before, "no account or grant changed")
    eq(all_changes(sid, b["id"]), [], "no changes recorded")
    return b


@test("a wrong bind password fails the sync with a clear Swedish error and changes nothing")
def _():
    b = failed_sync("Wrong password", None, "fel användare eller lösenord",
                    bind_password_env=WRONG_ENV)
    contains(b["error"], slapd_fixture.BIND_DN, "names the account")
    r = run_varn("directory", "sync", "Wrong password", "--org", "NORRBY", db=srv().db)
    eq(r.returncode, 1, "varn directory sync exits 1 (%s)" % r.stderr)
    contains(r.stderr, "katalogen nekade inloggningen som " + slapd_fixture.BIND_DN, "stderr")
    contains(r.stderr, "fel användare eller lösenord", "stderr")


@test("a server that is not there fails the sync: kan inte nå katalogservern")
def _():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    failed_sync("Nobody", "ldap://127.0.0.1:%d" % port, "kan inte nå katalogservern")


@test("the sync answers 202 at once and /healthz stays fast while the directory never answers")
def _():
    setup()
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # connections are accepted by the kernel and never answered
    try:
        sid = source("Silent", "ldap://127.0.0.1:%d" % silent.getsockname()[1])
        before = access_tables()
        t = time.monotonic()
        b = ok("POST", "/api/v1/directory-sources/%d/sync" % sid, {}, status=202)
        took = time.monotonic() - t
        check(took < 0.5 * SLOW, "202 in %.2f s" % took)
        sync_id = b["id"]
        running = False
        for _ in range(40):
            t = time.monotonic()
            st, _, _ = srv().request("GET", "/healthz")
            eq(st, 200, "healthz")
            check(time.monotonic() - t < 0.5 * SLOW, "healthz is fast while the sync waits")
            s = ok("GET", "/api/v1/directory-sources/%d/syncs/%d" % (sid, sync_id))
            if s["status"] == "running" and not running:
                running = True
                p = problem(call("POST", "/api/v1/directory-sources/%d/sync" % sid, {}), 409,
                            "sync_in_progress")
                contains(p["detail"], str(sync_id), "names the sync in progress")
            if s["status"] in ("done", "failed"):
                break
            time.sleep(0.05)
        check(running, "the sync was seen running")
        b = wait_sync(sid, sync_id)
        eq(b["status"], "failed", "status")
        contains(b["error"], "svarade inte inom 2 sekunder", "the timeout, in Swedish")
        eq(access_tables(), before, "nothing changed")
    finally:
        silent.close()


@test("a directory that refuses pages as large as Värn asks for fails the sync naming its limit")
def _():
    failed_sync("Small pages", None, "tillåter inte sidor om 500 poster",
                bind_dn="cn=svc-small,ou=Users," + BASE)


@test("a bind password missing from the environment fails the sync naming the variable")
def _():
    b = failed_sync("No password", None, "miljövariabeln VARN_TEST_NO_SUCH_VARIABLE",
                    bind_password_env="VARN_TEST_NO_SUCH_VARIABLE")
    contains(b["error"], "är inte satt", "says it is not set")


# ---- syncs that work ----

@test("the first sync makes the accounts and grants of the mapped groups' members, page by page")
def _():
    sid = source()
    b = sync(sid)
    # slapd gives this account 4 entries unpaged: 11 users arrive only through paging.
    eq(b["status"], "done", "status (%r)" % b.get("error"))
    eq(b["error"], None, "no error")
    # Ekonomi-Lasare: anna..fredrik (6), Ekonomi-Admin: anna, bo; HR-Anvandare: eva..ida (5).
    eq((b["accounts_new"], b["accounts_removed"], b["accounts_changed"], b["grants_new"],
        b["grants_removed"]), (11, 0, 0, 13, 0), "counts")
    rows = sql_rows(srv().db, "SELECT s.external_id, a.username, a.status, a.source,"
                    " p.user_id, a.last_login FROM account a JOIN system s ON s.id = a.system_id"
                    " LEFT JOIN person p ON p.id = a.person_id ORDER BY 1, 2")
    eq([(r[0], r[1]) for r in rows],
       [("EKO", u) for u in ("anna.berg", "bo.ek", "cecilia.lind", "david.holm", "eva.strand",
                             "fredrik.sjo")] +
       [("HR", u) for u in ("eva.strand", "fredrik.sjo", "greta.ask", "hans.berg", "ida.nord")],
       "accounts")
    check(all(r[2] == "active" and r[3] == "ldap" for r in rows), "active, from ldap")
    people = {(r[0], r[1]): r[4] for r in rows}
    eq(people[("EKO", "anna.berg")], "anna.berg", "matched by e-mail, case-blind")
    eq(people[("EKO", "cecilia.lind")], None, "no person with that e-mail")
    last = {(r[0], r[1]): r[5] for r in rows}
    eq(last[("EKO", "anna.berg")], "2026-11-01T08:00:00Z", "lastLogonTimestamp as UTC")
    grants = sql_rows(srv().db, "SELECT a.username, e.name FROM access_grant g"
                      " JOIN account a ON a.id = g.account_id JOIN entitlement e"
                      " ON e.id = g.entitlement_id WHERE g.revoked_at IS NULL AND e.name ="
                      " 'Administratör' ORDER BY 1")
    eq([g[0] for g in grants], ["anna.berg", "bo.ek"], "Ekonomi-Admin's members")
    ch = all_changes(sid, b["id"], change="new")
    eq(len(ch), 24, "every new account and grant listed, page by page")
    check({"change": "new", "object": "grant", "system": "EKO", "username": "bo.ek",
           "entitlement": "Administratör"}.items() <= [c for c in ch if c["username"] == "bo.ek"
                                                      and c["entitlement"] == "Administratör"][0]
          .items(), "a grant change names system, user and entitlement")
    _state["first_sync"] = b["id"]
    acc = ok("GET", "/api/v1/accounts?system=EKO&limit=500")["items"]
    eq(sorted(a["username"] for a in acc),
       ["anna.berg", "bo.ek", "cecilia.lind", "david.holm", "eva.strand", "fredrik.sjo"],
       "GET /api/v1/accounts shows them")
    grants = ok("GET", "/api/v1/grants?system=EKO&limit=500")["items"]
    eq(len(grants), 8, "GET /api/v1/grants shows EKO's 6 + 2 grants")


@test("after ldapmodify a re-sync reports exactly the member removed, the user disabled and the user added")
def _():
    sid = source()
    if "first_sync" not in _state:
        raise AssertionError("the first sync did not run")
    slapd().ldapmodify(
        "dn: cn=Ekonomi-Admin,%s\nchangetype: modify\ndelete: member\n"
        "member: cn=bo.ek,%s\n\n"
        "dn: cn=cecilia.lind,%s\nchangetype: modify\nreplace: userAccountControl\n"
        "userAccountControl: 514\n\n"
        "dn: cn=kalle.ny,%s\nchangetype: add\nobjectClass: inetOrgPerson\n"
        "objectClass: varnAdUser\ncn: kalle.ny\nsn: Ny\nsAMAccountName: kalle.ny\n"
        "mail: kalle.ny@norrby.example\nuserAccountControl: 512\n\n"
        "dn: cn=HR-Anvandare,%s\nchangetype: modify\nadd: member\n"
        "member: cn=kalle.ny,%s\n" % (GROUPS, USERS, USERS, USERS, GROUPS, USERS))
    b = sync(sid)
    eq(b["status"], "done", "status (%r)" % b.get("error"))
    eq((b["accounts_new"], b["accounts_removed"], b["accounts_changed"], b["grants_new"],
        b["grants_removed"]), (1, 0, 1, 1, 1), "counts")
    ch = sorted((c["change"], c["object"], c["system"], c["username"], c["entitlement"])
                for c in all_changes(sid, b["id"]))
    eq(ch, [("changed", "account", "EKO", "cecilia.lind", None),
            ("new", "account", "HR", "kalle.ny", None),
            ("new", "grant", "HR", "kalle.ny", "Användare"),
            ("removed", "grant", "EKO", "bo.ek", "Administratör")], "the changes")
    eq(sql_rows(srv().db, "SELECT status FROM account WHERE username = 'cecilia.lind'"),
       [("disabled",)], "cecilia's account is disabled")
    removed = all_changes(sid, b["id"], change="removed")
    eq([(c["username"], c["entitlement"]) for c in removed], [("bo.ek", "Administratör")],
       "filter change=removed")
    hist = ok("GET", "/api/v1/directory-sources/%d/syncs" % sid)["items"]
    eq([h["id"] for h in hist[:2]], [b["id"], _state["first_sync"]], "history, newest first")
    page = ok("GET", "/api/v1/directory-sources/%d/syncs?limit=1" % sid)
    eq(len(page["items"]), 1, "limit")
    check(page["next_cursor"], "a next page")
    nxt = ok("GET", "/api/v1/directory-sources/%d/syncs?limit=1&cursor=%s"
             % (sid, page["next_cursor"]))
    eq(nxt["items"][0]["id"], _state["first_sync"], "the page after")
    again = sync(sid)
    eq((again["accounts_new"], again["accounts_changed"], again["grants_new"],
        again["grants_removed"]), (0, 0, 0, 0), "a sync of an unchanged directory changes nothing")


@test("person_match user_id ties accounts to people by employeeID, case-blind")
def _():
    setup()
    new_system("EMP")
    ok("POST", "/api/v1/people", {"user_id": "p1004", "name": "David Holm",
                                  "email": "david@elsewhere.example", "organisation": "NORRBY"},
       status=201)
    attrs = {"username": "sAMAccountName", "person": "employeeID",
             "disabled": "userAccountControl"}
    sid = source("By employee id", None, attributes=attrs,
                 groups=[{"group_dn": "cn=Ekonomi-Lasare," + GROUPS, "system": "EMP",
                          "entitlement": "Läsare"}])
    b = sync(sid)
    eq(b["status"], "done", "status (%r)" % b.get("error"))
    rows = dict(sql_rows(srv().db, "SELECT a.username, p.user_id FROM account a"
                         " JOIN system s ON s.id = a.system_id LEFT JOIN person p"
                         " ON p.id = a.person_id WHERE s.external_id = 'EMP'"))
    eq(rows.get("david.holm"), "p1004", "employeeID P1004 is person p1004")
    eq(rows.get("anna.berg"), None, "no person with employeeID P1001's user id")
    eq(len(rows), 6, "Ekonomi-Lasare's six members")


@test("varn directory sync runs in the foreground and prints the counts; list shows the sources")
def _():
    source()
    r = run_varn("directory", "sync", "AD", "--org", "NORRBY", "--verbose", db=srv().db)
    eq(r.returncode, 0, "exit 0 (%s)" % r.stderr)
    contains(r.stdout, "done: accounts 0 new, 0 removed, 0 changed; grants 0 new, 0 removed",
             "counts")
    contains(r.stdout, "read 11 users and 3 groups in ", "--verbose: what was read")
    r = run_varn("directory", "list", db=srv().db)
    eq(r.returncode, 0, "list")
    contains(r.stdout, "AD", "the source")
    contains(r.stdout, "done", "its last sync")
    for args in (("directory",), ("directory", "sync"), ("directory", "frobnicate"),
                 ("directory", "sync", "AD", "--org")):
        r = run_varn(*args, db=srv().db)
        eq(r.returncode, 2, "%s is a usage error (%s)" % (" ".join(args), r.stderr))
    r = run_varn("directory", "sync", "No such source", db=srv().db)
    eq(r.returncode, 1, "an unknown source fails")
    contains(r.stderr, "no directory source", "says so")


@test("after good syncs, a wrong password, a server gone, a group not in the directory or no users at all fails the sync and removes nothing")
def _():
    sid = source()
    check(len(access_tables()) > 20, "accounts and grants from the syncs before")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        gone = "ldap://127.0.0.1:%d" % s.getsockname()[1]
    for change, expect in (({"bind_password_env": WRONG_ENV}, "fel användare eller lösenord"),
                           ({"uri": gone}, "kan inte nå katalogservern")):
        ok("PATCH", "/api/v1/directory-sources/%d" % sid, change)
        before = access_tables()
        b = sync(sid)
        eq(b["status"], "failed", "status")
        contains(b["error"], expect, "error")
        eq(access_tables(), before, "every account and grant as it was")
        ok("PATCH", "/api/v1/directory-sources/%d" % sid,
           {"bind_password_env": PASSWORD_ENV, "uri": slapd().uri})
    eq(sync(sid)["status"], "done", "a good sync again")
    # A mapped group the directory does not have (a typo, or deleted there) stops the sync
    # instead of revoking every grant it gave.
    typo = group_map()[:2] + [{"group_dn": "cn=HR-Anvandere," + GROUPS, "system": "HR",
                               "entitlement": "Användare"}]
    ok("PUT", "/api/v1/directory-sources/%d/groups" % sid, {"groups": typo})
    before = access_tables()
    b = sync(sid)
    eq(b["status"], "failed", "status")
    contains(b["error"], "gruppen cn=hr-anvandere,ou=groups,dc=norrby,dc=example finns inte",
             "names the group")
    eq(access_tables(), before, "nothing revoked")
    ok("PUT", "/api/v1/directory-sources/%d/groups" % sid, {"groups": group_map()})
    eq(sync(sid)["status"], "done", "a good sync with the map put right")
    # A filter that matches nobody answers with no users: a mistake far more often than an
    # empty directory, so it fails instead of removing every account.
    filt = ok("GET", "/api/v1/directory-sources/%d" % sid)["user_filter"]
    ok("PATCH", "/api/v1/directory-sources/%d" % sid,
       {"user_filter": "(&%s(sAMAccountName=nobody-by-this-name))" % filt})
    before = access_tables()
    b = sync(sid)
    eq(b["status"], "failed", "status")
    contains(b["error"], "katalogen gav inga användare", "says the directory gave no users")
    eq(access_tables(), before, "no account removed")
    ok("PATCH", "/api/v1/directory-sources/%d" % sid, {"user_filter": filt})
    eq(sync(sid)["status"], "done", "a good sync with the filter put back")


@test("a scheduled source is synced by the worker when next_sync_at has passed")
def _():
    sid = source("Scheduled", None, sync_interval="PT6H")
    b = ok("GET", "/api/v1/directory-sources/%d" % sid)
    check(b["next_sync_at"], "scheduled")
    # Move the schedule into the past, as six hours passing would.
    import sqlite3
    con = sqlite3.connect(srv().db, timeout=30)
    try:
        con.execute("UPDATE directory_source SET next_sync_at = '2020-01-01T00:00:00Z'"
                    " WHERE id = ?", (sid,))
        con.commit()
    finally:
        con.close()
    deadline = time.monotonic() + 20 * SLOW
    while time.monotonic() < deadline:
        items = ok("GET", "/api/v1/directory-sources/%d/syncs" % sid)["items"]
        if items and items[0]["status"] in ("done", "failed"):
            break
        time.sleep(0.2)
    else:
        raise AssertionError("no scheduled sync ran")
    eq(items[0]["requested_by"], "schedule", "requested by the schedule")
    b = ok("GET", "/api/v1/directory-sources/%d" % sid)
    check(b["next_sync_at"] > "2026", "moved on by the interval: %r" % b["next_sync_at"])


# ---- who may ----

@test("only administrators, CISOs and security officers reach the routes; other organisations see 404")
def _():
    sid = source()
    for role in ("system_owner", "information_owner", "user"):
        st, _, _ = call("GET", "/api/v1/directory-sources", tok=token("NORRBY", role))
        eq(st, 403, "GET as %s" % role)
        st, _, _ = call("POST", "/api/v1/directory-sources/%d/sync" % sid, {},
                        tok=token("NORRBY", role))
        eq(st, 403, "POST sync as %s" % role)
    for role in ("ciso", "security_officer"):
        ok("GET", "/api/v1/directory-sources/%d" % sid, tok=token("NORRBY", role))
    ost = token("OSTBY", "administrator")
    eq(ok("GET", "/api/v1/directory-sources", tok=ost)["items"], [], "OSTBY sees no source")
    missing = call("GET", "/api/v1/directory-sources/987654", tok=ost)
    for method, path, b in (("GET", "/api/v1/directory-sources/%d", None),
                            ("PATCH", "/api/v1/directory-sources/%d", {"name": "x"}),
                            ("PUT", "/api/v1/directory-sources/%d/groups", {"groups": []}),
                            ("POST", "/api/v1/directory-sources/%d/sync", {}),
                            ("GET", "/api/v1/directory-sources/%d/syncs", None),
                            ("GET", "/api/v1/directory-sources/%d/syncs/1", None)):
        st, _, p = call(method, path % sid, b, tok=ost)
        eq(st, 404, "%s %s from OSTBY" % (method, path))
        eq(p["code"], missing[2]["code"], "like a missing one")
    refused_unchanged("POST", "/api/v1/directory-sources", body("Theirs", "ldap://x"), 422,
                      "unknown_organisation", "organisation", tok=ost)


@test("the server stops cleanly, its sync worker with it, and slapd stops")
def _():
    t = time.monotonic()
    eq(srv().stop(), 0, "exit code")
    check(time.monotonic() - t < 5 * SLOW, "stopped at once")
    if "slapd" in _state:
        _state.pop("slapd").close()


if __name__ == "__main__":
    main(suite)
