#!/usr/bin/env python3
"""varn demo: the fictional region it creates (organisations with Luhn-valid numbers, people
holding every role, managers, leavers, logins that verify with the printed password), that it
is audited and counted as printed, and that it runs once: a second run and a database with part
of the region change nothing."""
import ctypes
import ctypes.util
import os
import re
import sqlite3
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from varn_harness import (Skip, Suite, check, contains, db_digest, eq, main, run_varn, sql_rows,
                          tempdir)

suite = Suite()
test = suite.test

ROLES = ["administrator", "ciso", "security_officer", "system_owner", "information_owner",
         "manager", "head_of_administration", "dpo", "committee_member", "user",
         "supplier_contact", "external_party"]
COUNTS = re.compile(r"(\d+) organisations, (\d+) people, (\d+) role assignments")


def init_db():
    db = os.path.join(tempdir(), "varn.db")
    r = run_varn("init", db=db)
    eq(r.returncode, 0, "init (%s)" % r.stderr)
    return db


_demo = []


def demo_db():
    """A database after init and one demo run with a generated password: (path, output)."""
    if not _demo:
        db = init_db()
        r = run_varn("demo", db=db)
        eq(r.returncode, 0, "demo (%s)" % r.stderr)
        _demo.append((db, r.stdout))
    return _demo[0]


def luhn_ok(number):
    digits = [int(c) for c in number if c.isdigit()]
    if len(digits) != 10:
        return False
    total = 0
    for i, d in enumerate(digits):
        d = d * 2 if i % 2 == 0 else d
        total += d // 10 + d % 10
    return total % 10 == 0


def printed_password(out):
    m = re.search(r"password of every demo user: (\S+)", out)
    check(m, "no password in the output: %r" % out[:600])
    return m.group(1)


def sodium_verify(encoded, password):
    """crypto_pwhash_str_verify from the libsodium that varn links: the real Argon2id check."""
    name = ctypes.util.find_library("sodium")
    if not name:
        raise Skip("libsodium not found for ctypes")
    lib = ctypes.CDLL(name)
    if lib.sodium_init() < 0:
        raise Skip("sodium_init failed")
    pw = password.encode()
    return lib.crypto_pwhash_str_verify(ctypes.c_char_p(encoded.encode()), ctypes.c_char_p(pw),
                                        ctypes.c_ulonglong(len(pw))) == 0


# ---- what it creates ----

@test("demo creates the region below ITC: codes, kinds and parents")
def _():
    db, _ = demo_db()
    rows = sql_rows(db, "SELECT o.code, o.kind, p.code FROM organisation o "
                        "LEFT JOIN organisation p ON p.id = o.parent_id ORDER BY o.code")
    eq(rows, sorted([
        ("ITC", "it_centre", None),
        ("KVIST", "external", "ITC"),
        ("NORDSYS", "supplier", "ITC"),
        ("NORRBY", "municipality", "ITC"),
        ("NORRBYENERGI", "company", "NORRBY"),
        ("OSTERSUND", "municipality", "ITC"),
        ("SODERAS", "municipality", "ITC"),
        ("VASTERFJALL", "municipality", "ITC"),
    ]), "organisations")


@test("every organisationsnummer is Luhn-valid: 212000- for municipalities, 556 for companies")
def _():
    db, _ = demo_db()
    for code, kind, number in sql_rows(db, "SELECT code, kind, org_number FROM organisation"):
        check(re.fullmatch(r"\d{6}-\d{4}", number), "%s: %r is not NNNNNN-NNNN" % (code, number))
        check(luhn_ok(number), "%s: %s fails the Luhn check" % (code, number))
        if kind == "municipality":
            check(number.startswith("212000-"), "%s: %s" % (code, number))
        if kind in ("company", "supplier"):
            check(number.startswith("556"), "%s: %s" % (code, number))


@test("about 40 people, every one of the 12 roles held somewhere")
def _():
    db, _ = demo_db()
    n = sql_rows(db, "SELECT count(*) FROM person")[0][0]
    check(38 <= n <= 45, "%d people" % n)
    held = {r for (r,) in sql_rows(db, "SELECT DISTINCT role FROM role_assignment")}
    eq(sorted(set(ROLES) - held), [], "roles nobody holds")


@test("ciso and security_officer at ITC; a dpo, head of administration, committee member, "
      "system and information owner in each municipality")
def _():
    db, _ = demo_db()
    pairs = set(sql_rows(db, "SELECT ra.role, o.code FROM role_assignment ra "
                             "JOIN organisation o ON o.id = ra.organisation_id"))
    for need in [("ciso", "ITC"), ("security_officer", "ITC"), ("supplier_contact", "NORDSYS"),
                 ("external_party", "KVIST")]:
        check(need in pairs, "%s at %s missing" % need)
    for m in ("NORRBY", "SODERAS", "VASTERFJALL"):
        for role in ("dpo", "head_of_administration", "committee_member", "system_owner",
                     "information_owner", "manager", "user"):
            check((role, m) in pairs, "%s at %s missing" % (role, m))


@test("managers are set, some people have left or leave soon, some are privileged")
def _():
    db, _ = demo_db()
    today = sql_rows(db, "SELECT substr(at, 1, 10) FROM audit_log ORDER BY seq DESC LIMIT 1")[0][0]
    managed = sql_rows(db, "SELECT count(*) FROM person WHERE manager_id IS NOT NULL")[0][0]
    check(managed >= 25, "only %d people have a manager" % managed)
    ends = [e for (e,) in sql_rows(db, "SELECT employment_end FROM person "
                                       "WHERE employment_end IS NOT NULL")]
    check(any(e < today for e in ends), "nobody has left: %r (today %s)" % (ends, today))
    check(any(e > today for e in ends), "nobody leaves soon: %r" % ends)
    priv = sql_rows(db, "SELECT count(*) FROM person WHERE privileged = 1")[0][0]
    check(5 <= priv < 30, "%d privileged" % priv)
    dangling = sql_rows(db, "SELECT count(*) FROM person p LEFT JOIN person m "
                            "ON m.id = p.manager_id WHERE p.manager_id IS NOT NULL AND m.id IS NULL")
    eq(dangling[0][0], 0, "managers that do not exist")


@test("names are Swedish and fictional: e-mail addresses under .example, unique user ids")
def _():
    db, _ = demo_db()
    rows = sql_rows(db, "SELECT user_id, name, email FROM person WHERE user_id <> 'admin'")
    for uid, name, email in rows:
        check(email.endswith(".example"), "%s: %s" % (uid, email))
        check(re.fullmatch(r"[a-z]+\.[a-z]+", uid), "user id %r" % uid)
    check(any(c in "".join(n for _, n, _ in rows) for c in "åäöÅÄÖ"), "no Swedish letters")
    eq(len({u for u, _, _ in rows}), len(rows), "unique user ids")


@test("the counts printed are the rows created")
def _():
    db, out = demo_db()
    m = COUNTS.search(out)
    check(m, "no counts in %r" % out[:300])
    orgs, people, roles = (int(x) for x in m.groups())
    eq(orgs, sql_rows(db, "SELECT count(*) FROM organisation")[0][0] - 1, "organisations")
    eq(people, sql_rows(db, "SELECT count(*) FROM person")[0][0] - 1, "people")
    eq(roles, sql_rows(db, "SELECT count(*) FROM role_assignment")[0][0] - 1, "roles")


@test("the login block lists, for each role, users who really hold it there")
def _():
    db, out = demo_db()
    block = out.partition("How to log in")[2]
    held = set(sql_rows(db, "SELECT ra.role, p.user_id, o.code FROM role_assignment ra "
                            "JOIN person p ON p.id = ra.person_id "
                            "JOIN organisation o ON o.id = ra.organisation_id"))
    listed = set()
    for line in block.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] in ROLES:
            check(tuple(parts) in held, "listed but not held: %r" % line)
            listed.add(parts[0])
    eq(sorted(set(ROLES) - listed), [], "roles without a listed user")


# ---- logins ----

@test("every demo person has a login; one Argon2id hash shared by all, not the admin's")
def _():
    db, _ = demo_db()
    rows = sql_rows(db, "SELECT p.user_id, c.password_hash FROM person p "
                        "LEFT JOIN credential c ON c.person_id = p.id")
    hashes = {h for u, h in rows if u != "admin"}
    eq(len(hashes), 1, "distinct demo hashes")
    h = hashes.pop()
    check(h and h.startswith("$argon2id$"), "hash %r" % h)
    check(dict(rows)["admin"] != h, "the admin shares the demo hash")


@test("the printed password verifies against a demo user's stored hash (libsodium)")
def _():
    db, out = demo_db()
    pw = printed_password(out)
    eq(len(pw), 20, "generated password length")
    h = sql_rows(db, "SELECT c.password_hash FROM credential c JOIN person p "
                     "ON p.id = c.person_id WHERE p.user_id = 'karin.lindqvist'")[0][0]
    check(sodium_verify(h, pw), "the printed password does not verify")
    check(not sodium_verify(h, pw + "x"), "a wrong password verifies")
    check(pw not in db_text(db), "the password is stored in clear")


def db_text(db):
    con = sqlite3.connect(db)
    try:
        return "\n".join(repr(r) for t in ("person", "credential", "audit_log")
                         for r in con.execute("SELECT * FROM %s" % t))
    finally:
        con.close()


@test("VARN_DEMO_PASSWORD is used and never printed")
def _():
    db = init_db()
    pw = "korv-med-brod-2026"
    r = run_varn("demo", db=db, env={"VARN_DEMO_PASSWORD": pw})
    eq(r.returncode, 0, "exit code (%s)" % r.stderr)
    check(pw not in r.stdout + r.stderr, "the password was printed")
    contains(r.stdout, "VARN_DEMO_PASSWORD", "output")
    h = sql_rows(db, "SELECT c.password_hash FROM credential c JOIN person p "
                     "ON p.id = c.person_id WHERE p.user_id = 'eva.sandberg'")[0][0]
    check(sodium_verify(h, pw), "VARN_DEMO_PASSWORD does not verify")


@test("a too short VARN_DEMO_PASSWORD exits 1 and creates nothing")
def _():
    db = init_db()
    before = db_digest(db)
    r = run_varn("demo", db=db, env={"VARN_DEMO_PASSWORD": "short"})
    eq(r.returncode, 1, "exit code")
    contains(r.stderr, "VARN_DEMO_PASSWORD", "stderr")
    eq(db_digest(db), before, "the database")


# ---- audited, and only once ----

@test("demo is audited as cli:demo, one entry per organisation and person; the chain verifies")
def _():
    db, out = demo_db()
    orgs, people, _ = (int(x) for x in COUNTS.search(out).groups())
    rows = sql_rows(db, "SELECT action, count(*) FROM audit_log WHERE actor = 'cli:demo' "
                        "GROUP BY action ORDER BY action")
    # ITC follows itcentrum from init; the demo assigns the other five profiles. The access
    # control data is one entry with its counts (test_access_demo.py).
    eq(rows, [("demo.access", 1), ("organisation.create", orgs), ("person.create", people),
              ("policy_profile.assign", 5)], "demo entries")
    r = run_varn("audit", "verify", db=db)
    eq(r.returncode, 0, "verify (%s)" % r.stderr)
    contains(r.stdout, "intact: %d entries" % (5 + orgs + people + 1 + 5), "verify output")


@test("a second demo run does nothing and says so")
def _():
    db = init_db()
    eq(run_varn("demo", db=db).returncode, 0, "first run")
    before = db_digest(db)
    r = run_varn("demo", db=db)
    eq(r.returncode, 0, "second run (%s)" % r.stderr)
    contains(r.stdout, "already", "output")
    contains(r.stdout, "nothing done", "output")
    check("password" not in r.stdout, "a password was printed: %r" % r.stdout)
    eq(db_digest(db), before, "the database")


@test("a database with only part of the region is refused, naming the organisation")
def _():
    db = init_db()
    con = sqlite3.connect(db)
    con.execute("INSERT INTO organisation (code, name, kind, org_number, created_at, updated_at)"
                " VALUES ('SODERAS', 'Söderås', 'municipality', '212000-9999', 'x', 'x')")
    con.commit()
    con.close()
    before = db_digest(db)
    r = run_varn("demo", db=db)
    eq(r.returncode, 1, "exit code (%s)" % r.stdout)
    contains(r.stderr, "SODERAS", "stderr")
    eq(db_digest(db), before, "the database")


@test("demo on a database that does not exist exits 1 pointing at varn init")
def _():
    db = os.path.join(tempdir(), "none.db")
    r = run_varn("demo", db=db)
    eq(r.returncode, 1, "exit code")
    contains(r.stderr, "varn init", "stderr")
    check(not os.path.exists(db), "demo created the database")


@test("varn demo with an argument exits 2")
def _():
    db = init_db()
    r = run_varn("demo", "--scale", "10", db=db)
    eq(r.returncode, 2, "exit code")
    contains(r.stderr, "--scale", "stderr")


if __name__ == "__main__":
    main(suite)
