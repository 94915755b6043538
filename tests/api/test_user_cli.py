#!/usr/bin/env python3
"""varn user add | passwd | reset-mfa: what they store, what they print, what they audit, the
sessions they end, and their refusals (exit 1) and usage errors (exit 2)."""
import base64
import calendar
import hashlib
import hmac
import json
import os
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from varn_harness import (SLOW, VARN_BIN, Server, Suite, check, contains, eq, main, run_varn,
                          sql_rows, tempdir)

suite = Suite()
test = suite.test

PW = "Ett långt lösenord för test 7"
ADMIN_PW = "Rätt häst, batteri och häftklammer"
COOKIE = "__Host-varn_session"


def new_db():
    db = os.path.join(tempdir(), "varn.db")
    r = run_varn("init", db=db, env={"VARN_ADMIN_PASSWORD": ADMIN_PW})
    eq(r.returncode, 0, "varn init (%s)" % r.stderr)
    return db


def varn(db, *args, stdin=None):
    e = {k: v for k, v in os.environ.items() if k not in ("VARN_DB", "VARN_NOW", "VARN_LISTEN")}
    return subprocess.run([VARN_BIN, "--db", db] + list(args), input=stdin, capture_output=True,
                          text=True, timeout=30 * SLOW, env=e)


def usage_error(r, *words):
    eq(r.returncode, 2, "exit code (stderr %r)" % r.stderr)
    for w in words:
        contains(r.stderr, w, "stderr")


def failure(r, *words):
    eq(r.returncode, 1, "exit code (stdout %r, stderr %r)" % (r.stdout, r.stderr))
    for w in words:
        contains(r.stderr, w, "stderr")


def digest(db):
    con_rows = sql_rows(db, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    h = hashlib.sha256()
    for (t,) in con_rows:
        h.update(repr(sql_rows(db, 'SELECT * FROM "%s" ORDER BY 1' % t)).encode())
    return h.hexdigest()


def audit(db, action):
    return sql_rows(db, "SELECT actor, object_id, after FROM audit_log WHERE action = ? ORDER BY seq",
                    (action,))


def add(db, uid="anna.berg", *extra, stdin=PW + "\n"):
    args = ["user", "add", uid, "--name", "Anna Berg", "--email", "%s@norrby.se" % uid, "--org", "ITC"]
    args += list(extra)
    if stdin is not None and "--password-stdin" not in extra:
        args.append("--password-stdin")
    return varn(db, *args, stdin=stdin)


def totp(secret_b32, t):
    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    mac = hmac.new(key, struct.pack(">Q", int(t) // 30), hashlib.sha1).digest()
    o = mac[-1] & 0x0F
    return "%06d" % ((struct.unpack(">I", mac[o:o + 4])[0] & 0x7FFFFFFF) % 1000000)


def login(srv, user, password):
    st, h, body = srv.request("POST", "/api/v1/session", {"username": user, "password": password})
    token = h.get("set-cookie", "").partition("=")[2].split(";")[0] if st == 200 else None
    return st, token


def me(srv, token):
    return srv.request("GET", "/api/v1/me", headers={"Cookie": "%s=%s" % (COOKIE, token)})[0]


# ---- add ----

@test("user add: the person, roles, an Argon2id password from stdin, one audit entry by cli:<user>")
def _():
    db = new_db()
    r = add(db, "anna.berg", "--role", "system_owner", "--role", "manager", "--role", "manager")
    eq(r.returncode, 0, "exit code (%s)" % r.stderr)
    eq(r.stdout, "", "nothing secret printed")
    eq(sql_rows(db, "SELECT p.name, p.email, o.code, p.disabled FROM person p JOIN organisation o"
                " ON o.id = p.organisation_id WHERE user_id = 'anna.berg'"),
       [("Anna Berg", "anna.berg@norrby.se", "ITC", 0)], "person")
    eq(sql_rows(db, "SELECT ra.role FROM role_assignment ra JOIN person p ON p.id = ra.person_id"
                " WHERE p.user_id = 'anna.berg' ORDER BY ra.role"), [("manager",), ("system_owner",)],
       "roles (a role named twice is assigned once)")
    h = sql_rows(db, "SELECT c.password_hash FROM credential c JOIN person p ON p.id = c.person_id"
                 " WHERE p.user_id = 'anna.berg'")[0][0]
    check(h.startswith("$argon2id$v=19$m=19456,t=2,p=1$"), "hash %r" % h)
    entries = audit(db, "person.create")
    eq(len(entries), 2, "person.create entries (admin and anna.berg)")
    actor, obj, after = entries[-1]
    check(actor.startswith("cli:") and len(actor) > 4, "actor %r" % actor)
    eq(obj, "anna.berg", "object")
    after = json.loads(after)
    eq((after["organisation"], after["roles"]), ("ITC", ["system_owner", "manager"]), "after")
    check(PW not in json.dumps(after) and "argon2" not in json.dumps(after), "secret in the audit log")


@test("user add without --password-stdin prints a generated password once, which logs in; no --role means user")
def _():
    db = new_db()
    r = add(db, "bo.ek", stdin=None)
    eq(r.returncode, 0, "exit code (%s)" % r.stderr)
    pw = r.stdout.strip()
    check(len(pw) == 20 and pw.isalnum(), "generated password %r" % pw)
    contains(r.stderr, "shown only now", "stderr")
    eq(sql_rows(db, "SELECT ra.role FROM role_assignment ra JOIN person p ON p.id = ra.person_id"
                " WHERE p.user_id = 'bo.ek'"), [("user",)], "default role")
    s = Server(db=db, init=False).start()
    eq(login(s, "bo.ek", pw)[0], 200, "login with the generated password")
    eq(s.stop(), 0, "varn serve exit code (a sanitizer report makes it non-zero)")


@test("user add refusals exit 1, name the problem and change nothing")
def _():
    db = new_db()
    eq(add(db, "anna.berg").returncode, 0, "first add")
    before = digest(db)
    failure(add(db, "anna.berg"), "anna.berg", "exists")
    failure(add(db, "anna.berg2", stdin="kort\n"), "12 characters")
    failure(add(db, "anna.berg2", stdin="lösenord1234\n"), "common")
    failure(add(db, "anna.berg2", stdin=""), "standard input")
    failure(varn(db, "user", "add", "x", "--name", "X", "--email", "anna.berg@NORRBY.se", "--org",
                 "ITC", "--password-stdin", stdin=PW + "\n"), "e-mail")
    failure(varn(db, "user", "add", "x", "--name", "X", "--email", "x@norrby.se", "--org", "NOPE",
                 "--password-stdin", stdin=PW + "\n"), "NOPE")
    failure(add(db, "x", "--role", "emperor"), "emperor", "not a role")
    failure(add(db, "a@b"), "a@b", "user id")
    failure(varn(db, "user", "add", "y", "--name", "Y", "--email", "not-an-address", "--org", "ITC",
                 "--password-stdin", stdin=PW + "\n"), "e-mail")
    eq(digest(db), before, "database after refusals")


@test("user: usage errors exit 2 and name the problem")
def _():
    db = new_db()
    usage_error(varn(db, "user"), "add")
    usage_error(varn(db, "user", "frobnicate"), "frobnicate")
    usage_error(varn(db, "user", "add", "--name", "X", "--email", "x@y.se", "--org", "ITC"), "USER_ID")
    usage_error(varn(db, "user", "add", "x", "--name", "X"), "--email")
    usage_error(varn(db, "user", "add", "x", "--name"), "--name")
    usage_error(varn(db, "user", "add", "x", "--bogus", "1"), "--bogus")
    usage_error(varn(db, "user", "passwd"), "USER_ID")
    usage_error(varn(db, "user", "passwd", "a", "b"), "'b'")
    usage_error(varn(db, "user", "reset-mfa"), "USER_ID")
    usage_error(varn(db, "user", "reset-mfa", "a", "b"), "'b'")


# ---- passwd and reset-mfa against a running server ----

@test("user passwd: the new password works, the old does not, every session ends, a lockout is lifted; audited")
def _():
    db = new_db()
    eq(add(db, "anna.berg").returncode, 0, "add")
    s = Server(db=db, init=False).start()
    # A fixed clock: the first lockout lasts one (whole) second, which real time may cross.
    eq(s.json("POST", "/api/v1/test-clock", {"now": "2026-03-02T08:00:00Z"})[0], 200, "test-clock")
    st, token = login(s, "anna.berg", PW)
    eq(st, 200, "login")
    eq(me(s, token), 200, "session works")
    for i in range(5):
        login(s, "anna.berg", "Fel lösenord %d" % i)
        login(s, "Anna.Berg@norrby.se", "Fel lösenord %d" % i)
    eq(login(s, "anna.berg", PW)[0], 429, "locked")
    eq(login(s, "anna.berg@norrby.se", PW)[0], 429, "locked by e-mail")
    failure(varn(db, "user", "passwd", "anna.berg", "--password-stdin", stdin="kort\n"), "12 characters")
    failure(varn(db, "user", "passwd", "nobody", "--password-stdin", stdin=PW + "\n"), "nobody")
    r = varn(db, "user", "passwd", "anna.berg", "--password-stdin", stdin="Ett helt nytt lösenord\n")
    eq(r.returncode, 0, "exit code (%s)" % r.stderr)
    eq(me(s, token), 401, "the session after passwd")
    eq(login(s, "anna.berg", PW)[0], 401, "the old password")
    eq(login(s, "anna.berg", "Ett helt nytt lösenord")[0], 200, "the new password, lockout lifted")
    eq(login(s, "anna.berg@norrby.se", "Ett helt nytt lösenord")[0], 200, "by e-mail too")
    r = varn(db, "user", "passwd", "anna.berg")
    eq(r.returncode, 0, "generated (%s)" % r.stderr)
    eq(login(s, "anna.berg", r.stdout.strip())[0], 200, "the generated password")
    check(len(audit(db, "password.reset")) == 2, "password.reset entries")
    eq(s.stop(), 0, "varn serve exit code (a sanitizer report makes it non-zero)")


@test("user reset-mfa: TOTP and recovery codes gone, sessions end, the next login enrols again; audited")
def _():
    db = new_db()
    eq(add(db, "anna.berg").returncode, 0, "add")
    s = Server(db=db, init=False).start()
    st, _, b = s.json("POST", "/api/v1/test-clock", {"now": "2026-03-02T08:00:00Z"})
    eq(st, 200, "test-clock")
    now = calendar.timegm(time.strptime(b["now"], "%Y-%m-%dT%H:%M:%SZ"))
    st, token = login(s, "anna.berg", PW)
    cookie = {"Cookie": "%s=%s" % (COOKIE, token)}
    st, _, e = s.json("POST", "/api/v1/me/mfa", headers=cookie)
    eq(st, 200, "enrol")
    st, h, c = s.json("POST", "/api/v1/me/mfa/confirm", {"code": totp(e["secret"], now)}, headers=cookie)
    eq(st, 200, "confirm (%r)" % c)
    token = h["set-cookie"].partition("=")[2].split(";")[0]
    eq(me(s, token), 200, "session past MFA")
    eq(sql_rows(db, "SELECT count(*) FROM recovery_code"), [(10,)], "recovery codes")
    failure(varn(db, "user", "reset-mfa", "nobody"), "nobody")
    r = varn(db, "user", "reset-mfa", "anna.berg")
    eq(r.returncode, 0, "exit code (%s)" % r.stderr)
    eq(me(s, token), 401, "the session after reset-mfa")
    eq(sql_rows(db, "SELECT totp_secret, totp_enabled, totp_last_step FROM credential c JOIN person p"
                " ON p.id = c.person_id WHERE p.user_id = 'anna.berg'"), [(None, 0, None)], "credential")
    eq(sql_rows(db, "SELECT count(*) FROM recovery_code"), [(0,)], "recovery codes")
    st, h, body = s.json("POST", "/api/v1/session", {"username": "anna.berg", "password": PW})
    eq((st, body), (200, {"mfa": "enrol"}), "the next login enrols again")
    entries = audit(db, "mfa.reset")
    eq(len(entries), 1, "mfa.reset entries")
    check(entries[0][0].startswith("cli:"), "actor %r" % entries[0][0])
    eq(s.stop(), 0, "varn serve exit code (a sanitizer report makes it non-zero)")


if __name__ == "__main__":
    main(suite)
