#!/usr/bin/env python3
"""Login, sessions and MFA against the real server: the cookie, login answers and their timing,
TOTP enrolment and the MFA step (codes computed here with RFC 6238), recovery codes, logout,
idle and absolute timeouts, password change, disabled people, throttling, CSRF and CORS.

The server's business clock is fixed and moved with the test-only route POST /api/v1/test-clock
(tests/fixtures, compiled only with -Dtest_fixtures): TOTP codes are computed for the server's
time, and thirty minutes of idleness or ten hours of work pass in a request instead of in real
time. VARN_SESSION_IDLE_MINUTES is checked on a server of its own."""
import base64
import calendar
import hashlib
import hmac
import json
import os
import re
import sqlite3
import statistics
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from varn_harness import (SLOW, VARN_BIN, Server, Suite, check, contains, eq, main, run_varn,
                          sql_rows)

suite = Suite()
test = suite.test

COOKIE = "__Host-varn_session"
ADMIN_PW = "Rätt häst, batteri och häftklammer"
PW = "Ett långt lösenord för test 7"
START = "2026-03-02T08:00:00Z"


# ---- TOTP, as an authenticator app computes it (RFC 6238, HMAC-SHA-1, 30 s, 6 digits) ----

def totp(secret_b32, t, digits=6):
    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    mac = hmac.new(key, struct.pack(">Q", int(t) // 30), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    value = (struct.unpack(">I", mac[offset:offset + 4])[0] & 0x7FFFFFFF) % 10 ** digits
    return "%0*d" % (digits, value)


# ---- servers and people ----

def new_server(env=None):
    """A server on its own database with the administrator's password set, clock at START."""
    s = Server(init=False)
    r = run_varn("init", db=s.db, env={"VARN_ADMIN_PASSWORD": ADMIN_PW,
                                       "VARN_ADMIN_EMAIL": "Admin@Example.se"})
    check(r.returncode == 0, "varn init failed: %s" % r.stderr)
    saved = {k: os.environ.get(k) for k in (env or {})}
    os.environ.update(env or {})
    try:
        s.start()
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    set_clock(s, now=START)
    return s


_shared = []


def srv():
    if not _shared:
        try:
            _shared.append(new_server())
        except Exception as e:
            _shared.append(e)
    if isinstance(_shared[0], Exception):
        raise AssertionError("the server did not start: %s" % _shared[0])
    return _shared[0]


def set_clock(s, now=None, advance=None):
    """Fix or move the server's clock; returns the server's now in Unix seconds."""
    body = {}
    if now:
        body["now"] = now
    if advance is not None:
        body["advance"] = advance
    st, _, b = s.json("POST", "/api/v1/test-clock", body)
    eq(st, 200, "test-clock status (%r)" % b)
    return iso_seconds(b["now"])


def iso_seconds(iso):
    return calendar.timegm(time.strptime(iso, "%Y-%m-%dT%H:%M:%SZ"))


def server_now(s):
    return set_clock(s, advance=0)


def varn_input(s, *args, stdin=None):
    e = {k: v for k, v in os.environ.items() if k not in ("VARN_DB", "VARN_NOW", "VARN_LISTEN")}
    return subprocess.run([VARN_BIN, "--db", s.db] + list(args), input=stdin, capture_output=True,
                          text=True, timeout=30 * SLOW, env=e)


_people = [0]


def add_person(s, roles=("user",), org="ITC", password=PW):
    """A new person via varn user add; returns the user id."""
    _people[0] += 1
    uid = "p%d.%d" % (os.getpid() % 10000, _people[0])
    args = ["user", "add", uid, "--name", "Person %d" % _people[0], "--email",
            "%s@example.se" % uid, "--org", org, "--password-stdin"]
    for r in roles:
        args += ["--role", r]
    r = varn_input(s, *args, stdin=password + "\n")
    eq(r.returncode, 0, "varn user add (%s)" % r.stderr)
    return uid


class Browser:
    """One browser: keeps the session cookie as a browser would."""

    def __init__(self, s):
        self.s = s
        self.token = None
        self.last_cookie = None

    def request(self, method, path, body=None, headers=None, csrf=True):
        h = dict(headers or {})
        if self.token:
            h["Cookie"] = "%s=%s" % (COOKIE, self.token)
        st, hd, b = self.s.request(method, path, body, h, csrf=csrf)
        sc = hd.get("set-cookie")
        if sc:
            self.last_cookie = sc
            name, _, rest = sc.partition("=")
            eq(name, COOKIE, "cookie name")
            value = rest.split(";")[0]
            self.token = None if "max-age=0" in sc.lower() else value
        return st, hd, b

    def json(self, method, path, body=None, headers=None, csrf=True):
        st, hd, b = self.request(method, path, body, headers, csrf)
        return st, hd, (json.loads(b) if b else None)

    def login(self, user, password):
        return self.json("POST", "/api/v1/session", {"username": user, "password": password})

    def me(self):
        return self.json("GET", "/api/v1/me")


def enrolled(s, user=None, password=PW):
    """A person who has set up TOTP: (browser past MFA, user id, secret, recovery codes)."""
    user = user or add_person(s, roles=("system_owner",))
    b = Browser(s)
    st, _, body = b.login(user, password)
    eq((st, body), (200, {"mfa": "enrol"}), "login")
    st, _, e = b.json("POST", "/api/v1/me/mfa")
    eq(st, 200, "POST /me/mfa (%r)" % e)
    st, _, c = b.json("POST", "/api/v1/me/mfa/confirm", {"code": totp(e["secret"], server_now(s))})
    eq(st, 200, "confirm (%r)" % c)
    return b, user, e["secret"], c["recovery_codes"]


def sql_write(s, sql, params=()):
    """A change straight to the database file, committed (the server sees it at once)."""
    con = sqlite3.connect(s.db, timeout=10 * SLOW)
    try:
        with con:
            con.execute(sql, params)
    finally:
        con.close()


def audit(s, action, actor=None):
    sql = "SELECT actor, address, object_id, after FROM audit_log WHERE action = ?"
    args = [action]
    if actor is not None:
        sql += " AND actor = ?"
        args.append(actor)
    return sql_rows(s.db, sql + " ORDER BY seq", args)


def problem(resp, status, code):
    st, h, body = resp
    eq(st, status, "status (%r)" % (body,))
    p = body if isinstance(body, dict) else json.loads(body)
    eq(p.get("code"), code, "problem code")
    eq(h.get("content-type"), "application/problem+json", "Content-Type")
    return p


def without_request_id(body):
    p = json.loads(body) if isinstance(body, (bytes, str)) else dict(body)
    p.pop("request_id", None)
    return p


# ---- login and the cookie ----

@test("login as admin: 200 {mfa: enrol} and a __Host- cookie: Secure, HttpOnly, SameSite=Strict, Path=/, no Domain, no Max-Age")
def _():
    b = Browser(srv())
    st, h, body = b.login("admin", ADMIN_PW)
    eq((st, body), (200, {"mfa": "enrol"}), "login")
    sc = h.get("set-cookie", "")
    parts = [p.strip() for p in sc.split(";")]
    name, _, value = parts[0].partition("=")
    eq(name, "__Host-varn_session", "cookie name")
    attrs = {p.split("=")[0].lower(): (p.split("=", 1)[1] if "=" in p else True) for p in parts[1:]}
    eq(attrs.get("path"), "/", "Path")
    check(attrs.get("secure") is True, "Secure missing: %r" % sc)
    check(attrs.get("httponly") is True, "HttpOnly missing: %r" % sc)
    eq(attrs.get("samesite"), "Strict", "SameSite")
    for banned in ("domain", "max-age", "expires"):
        check(banned not in attrs, "%s must not be set (a browser-session __Host- cookie): %r" % (banned, sc))
    # At least 128 bits from the CSPRNG: 43 base64url characters are 256 bits.
    check(re.fullmatch(r"[A-Za-z0-9_-]{43}", value), "token %r" % value)
    eq(len(base64.urlsafe_b64decode(value + "=")), 32, "token bytes")
    # Stored hashed, never as it is.
    rows = sql_rows(srv().db, "SELECT token_hash FROM session")
    check(all(r[0] != value for r in rows), "the token is stored in clear")
    check((hashlib.sha256(value.encode()).hexdigest(),) in rows, "no row with the token's SHA-256")


@test("login by e-mail address, in any case; each login gets a new token")
def _():
    b = Browser(srv())
    eq(b.login("ADMIN@example.SE", ADMIN_PW)[0], 200, "login by e-mail")
    first = b.token
    eq(b.login("admin", ADMIN_PW)[0], 200, "login again")
    check(b.token and b.token != first, "the token did not change at the second login")
    eq(Browser(srv()).login("Admin", ADMIN_PW)[0], 401, "user ids are exact")


@test("unknown user, wrong password and disabled person: the same 401 invalid_credentials and the same body")
def _():
    s = srv()
    set_clock(s, advance=3601)  # a fresh hour for the address count
    disabled = add_person(s)
    sql_write(s, "UPDATE person SET disabled = 1 WHERE user_id = ?", (disabled,))
    answers = []
    for user, pw in (("nobody-here", "Whatever 12345"), ("admin", "Fel lösenord 123"),
                     (disabled, PW)):
        st, h, body = Browser(s).request("POST", "/api/v1/session", {"username": user, "password": pw})
        eq(st, 401, "status for %s" % user)
        check("set-cookie" not in h, "a failed login set a cookie")
        answers.append(without_request_id(body))
    eq(answers[0]["code"], "invalid_credentials", "code")
    eq(answers[1], answers[0], "wrong password vs unknown user")
    eq(answers[2], answers[0], "disabled person vs unknown user")
    for who in ("nobody-here", "admin", disabled):
        check(audit(s, "login.failure", who), "no login.failure audited for %s" % who)
    reasons = [json.loads(r[3])["reason"] for r in audit(s, "login.failure")]
    check({"unknown_user", "wrong_password", "disabled"} <= set(reasons), "reasons %r" % reasons)


@test("timing: medians of 10 unknown-user and 10 wrong-password logins within 10 ms (T9; the brief asks 50)")
def _():
    # One Argon2id verification takes about 22 ms here (bench/RESULTS.md): a login that skipped
    # the dummy verification for unknown users would differ by that much in every round, while
    # a burst of load on this shared machine spoils one round at most. So: up to three rounds of
    # ten interleaved pairs; one round within 10 ms passes, and every round must be within 50 ms
    # or show the noise that explains it.
    s = new_server()
    user = add_person(s)
    diffs = []
    for rnd in range(3):
        unknown, wrong = [], []
        for i in range(10):
            for target, name in ((unknown, "ghost%d-%d" % (rnd, i)), (wrong, user)):
                set_clock(s, advance=3601)  # past any lockout and the address window
                t0 = time.monotonic()
                st, _, _ = s.request("POST", "/api/v1/session",
                                     {"username": name, "password": "Fel fel fel fel"})
                target.append(time.monotonic() - t0)
                eq(st, 401, "status")
        mu, mw = statistics.median(unknown), statistics.median(wrong)
        diffs.append(abs(mu - mw))
        print("# round %d: median unknown user %.1f ms, wrong password %.1f ms" % (
            rnd + 1, mu * 1e3, mw * 1e3))
        if diffs[-1] < 0.010:
            break
    check(min(diffs) < 0.010, "medians differ by %s ms" % ["%.1f" % (d * 1e3) for d in diffs])
    eq(s.stop(), 0, "varn serve exit code (a sanitizer report makes it non-zero)")


@test("ACCESS_LOGIN routes without a session answer 401 unauthenticated; a forged cookie too")
def _():
    s = srv()
    for method, path in (("GET", "/api/v1/me"), ("DELETE", "/api/v1/session"),
                         ("POST", "/api/v1/me/mfa"), ("POST", "/api/v1/session/mfa")):
        body = {"code": "123456"} if path.endswith("session/mfa") else None
        problem(s.json(method, path, body), 401, "unauthenticated")
    forged = {"Cookie": "%s=%s" % (COOKIE, "A" * 43)}
    problem(s.json("GET", "/api/v1/me", headers=forged), 401, "unauthenticated")


# ---- enrolment and the MFA step ----

@test("before MFA: /me shows the person with mfa_passed false and no roles; password change is 403 mfa_required")
def _():
    s = srv()
    user = add_person(s, roles=("ciso",))
    b = Browser(s)
    st, _, body = b.login(user, PW)
    eq((st, body), (200, {"mfa": "enrol"}), "login")
    st, _, me = b.me()
    eq(st, 200, "GET /me")
    eq((me["user_id"], me["mfa_enabled"], me["mfa_passed"]), (user, False, False), "me")
    eq((me["roles"], me["organisations"]), ([], []), "nothing reachable before MFA")
    eq(me["organisation"], {"code": "ITC", "name": "IT-centrum"}, "organisation")
    problem(b.json("POST", "/api/v1/me/password", {"current": PW, "new": "Ett helt annat lösenord"}),
            403, "mfa_required")
    problem(b.json("POST", "/api/v1/session/mfa", {"code": "123456"}), 409, "mfa_not_enrolled")


@test("enrolment: secret, otpauth URI and an SVG QR code; the app's code turns it on, gives 10 recovery codes and rotates the token")
def _():
    s = srv()
    user = add_person(s, roles=("system_owner", "user"))
    b = Browser(s)
    eq(b.login(user, PW)[2], {"mfa": "enrol"}, "login")
    first = b.token
    st, h, e = b.json("POST", "/api/v1/me/mfa")
    eq(st, 200, "POST /me/mfa")
    eq(h.get("cache-control"), "no-store", "Cache-Control")
    check(re.fullmatch(r"[A-Z2-7]{32}", e["secret"]), "secret %r" % e["secret"])
    eq(len(base64.b32decode(e["secret"])), 20, "secret bytes")
    eq(e["otpauth_uri"], "otpauth://totp/V%%C3%%A4rn:%s?secret=%s&issuer=V%%C3%%A4rn"
       "&algorithm=SHA1&digits=6&period=30" % (user, e["secret"]), "otpauth URI")
    svg = e["qr_svg"]
    check(svg.startswith("<svg ") and svg.endswith("</svg>"), "svg %r" % svg[:80])
    eq(svg.count("<path"), 1, "paths")
    check("style" not in svg and "script" not in svg, "inline style or script in the SVG")
    eq(sql_rows(s.db, "SELECT c.totp_enabled FROM credential c JOIN person p ON p.id = c.person_id"
                " WHERE p.user_id = ?", (user,)), [(0,)], "pending, not enabled")
    now = server_now(s)
    problem(b.json("POST", "/api/v1/me/mfa/confirm", {"code": totp(e["secret"], now + 300)}),
            422, "invalid_code")
    st, h, c = b.json("POST", "/api/v1/me/mfa/confirm", {"code": totp(e["secret"], now)})
    eq(st, 200, "confirm (%r)" % c)
    codes = c["recovery_codes"]
    eq(len(codes), 10, "recovery codes")
    eq(len(set(codes)), 10, "distinct recovery codes")
    for code in codes:
        check(re.fullmatch(r"[2-9a-hjkmnp-z]{4}-[2-9a-hjkmnp-z]{4}", code), "recovery code %r" % code)
    check(b.token and b.token != first, "the token did not rotate")
    st, _, me = b.me()
    eq((me["mfa_enabled"], me["mfa_passed"]), (True, True), "me after enrolment")
    eq(sorted((r["role"], r["organisation"]) for r in me["roles"]),
       [("system_owner", "ITC"), ("user", "ITC")], "roles")
    eq([o["code"] for o in me["organisations"]], ["ITC"], "organisations")
    eq(me["organisations"][0], {"code": "ITC", "name": "IT-centrum", "kind": "it_centre",
                                "parent_code": None}, "organisation fields")
    # Stored hashed; the old token is dead.
    stored = [r[0] for r in sql_rows(s.db, "SELECT code_hash FROM recovery_code rc JOIN person p"
                                     " ON p.id = rc.person_id WHERE p.user_id = ?", (user,))]
    eq(sorted(stored), sorted(hashlib.sha256(x.encode()).hexdigest() for x in codes), "hashes")
    old = Browser(s)
    old.token = first
    problem(old.me(), 401, "unauthenticated")
    check(audit(s, "mfa.enrol", user), "mfa.enrol not audited")
    problem(b.json("POST", "/api/v1/me/mfa"), 409, "mfa_already_enabled")


@test("the MFA step: a wrong code is 401 invalid_code; the right one rotates the token; the same code is refused the next time")
def _():
    s = srv()
    _, user, secret, _ = enrolled(s)
    now = set_clock(s, advance=30)  # the enrolment used this step's code
    b = Browser(s)
    eq(b.login(user, PW)[2], {"mfa": "required"}, "login of an enrolled person")
    before = b.token
    st, _, me = b.me()
    eq(me["mfa_passed"], False, "mfa_passed before the code")
    wrong = "%06d" % ((int(totp(secret, now)) + 1) % 1000000)
    problem(b.json("POST", "/api/v1/session/mfa", {"code": wrong}), 401, "invalid_code")
    code = totp(secret, now)
    st, _, body = b.json("POST", "/api/v1/session/mfa", {"code": code})
    eq((st, body), (200, {"mfa": "done"}), "MFA step")
    check(b.token and b.token != before, "the token did not rotate after MFA")
    eq(b.me()[2]["mfa_passed"], True, "mfa_passed after the code")
    stale = Browser(s)
    stale.token = before
    problem(stale.me(), 401, "unauthenticated")
    # A replay of the same code, in the same 30 s, on a new login.
    c = Browser(s)
    eq(c.login(user, PW)[0], 200, "second login")
    problem(c.json("POST", "/api/v1/session/mfa", {"code": code}), 401, "invalid_code")
    # The previous step's code is refused too: steps only move forward.
    problem(c.json("POST", "/api/v1/session/mfa", {"code": totp(secret, now - 30)}), 401, "invalid_code")
    now = set_clock(s, advance=30)
    eq(c.json("POST", "/api/v1/session/mfa", {"code": totp(secret, now)})[0], 200, "the next step's code")
    check(audit(s, "mfa.failure", user), "mfa.failure not audited")
    check(audit(s, "mfa.success", user), "mfa.success not audited")


@test("a recovery code works once, in any case and without the dash; then it is refused")
def _():
    s = srv()
    _, user, _, codes = enrolled(s)
    b = Browser(s)
    b.login(user, PW)
    st, _, body = b.json("POST", "/api/v1/session/mfa", {"code": codes[0].upper().replace("-", "")})
    eq((st, body), (200, {"mfa": "done"}), "recovery code")
    c = Browser(s)
    c.login(user, PW)
    problem(c.json("POST", "/api/v1/session/mfa", {"code": codes[0]}), 401, "invalid_code")
    eq(c.json("POST", "/api/v1/session/mfa", {"code": codes[1]})[0], 200, "another recovery code")
    left = json.loads(audit(s, "mfa.success", user)[-1][3])["recovery_codes_left"]
    eq(left, 8, "recovery codes left")


@test("no MFA where no organisation requires it: login answers mfa none and the session is complete")
def _():
    s = srv()
    sql_write(s, "INSERT INTO organisation (code, name, kind, org_number, mfa_required, created_at,"
             " updated_at) VALUES ('LEV', 'Leverantör AB', 'supplier', '556000-0001', 0, ?, ?)",
             (START, START))
    con_user = add_person(s, roles=("supplier_contact",), org="LEV")
    b = Browser(s)
    eq(b.login(con_user, PW)[2], {"mfa": "none"}, "login")
    me = b.me()[2]
    eq((me["mfa_enabled"], me["mfa_passed"]), (False, True), "me")
    eq([o["code"] for o in me["organisations"]], ["LEV"], "organisations")
    # A role in an organisation that requires MFA makes it required again.
    pid = sql_rows(s.db, "SELECT id FROM person WHERE user_id = ?", (con_user,))[0][0]
    sql_write(s, "INSERT INTO role_assignment (person_id, role, organisation_id, created_at)"
             " SELECT ?, 'user', id, ? FROM organisation WHERE code = 'ITC'", (pid, START))
    eq(Browser(s).login(con_user, PW)[2], {"mfa": "enrol"}, "login with a role in ITC")


# ---- ending sessions ----

@test("logout: 204, the cookie is cleared with Max-Age=0, the row is gone, the token is dead, audited")
def _():
    s = srv()
    b, user, _, _ = enrolled(s)
    token = b.token
    st, h, body = b.request("DELETE", "/api/v1/session")
    eq((st, body), (204, b""), "logout")
    sc = h.get("set-cookie", "")
    check(sc.startswith(COOKIE + "=;") and "Max-Age=0" in sc and "Secure" in sc and "Path=/" in sc,
          "clearing cookie %r" % sc)
    eq(sql_rows(s.db, "SELECT count(*) FROM session WHERE token_hash = ?",
                (hashlib.sha256(token.encode()).hexdigest(),)), [(0,)], "rows")
    b.token = token
    problem(b.me(), 401, "unauthenticated")
    check(audit(s, "logout", user), "logout not audited")


@test("idle timeout: 31 minutes without a request end the session; a request every 20 minutes keeps it")
def _():
    s = srv()
    b, _, _, _ = enrolled(s)
    for _ in range(3):
        set_clock(s, advance=20 * 60)
        eq(b.me()[0], 200, "alive after 20 minutes")
    set_clock(s, advance=31 * 60)
    problem(b.me(), 401, "unauthenticated")


@test("absolute timeout: even an active session ends 10 hours after the login, also after its MFA rotation")
def _():
    s = srv()
    b, _, _, _ = enrolled(s)
    for _ in range(29):  # 9 h 40 min of steady work
        set_clock(s, advance=20 * 60)
        eq(b.me()[0], 200, "alive")
    set_clock(s, advance=20 * 60)  # 10 h
    problem(b.me(), 401, "unauthenticated")


@test("last_seen_at is written at most once a minute")
def _():
    s = srv()
    b, _, _, _ = enrolled(s)
    h = hashlib.sha256(b.token.encode()).hexdigest()

    def seen():
        return sql_rows(s.db, "SELECT last_seen_at FROM session WHERE token_hash = ?", (h,))[0][0]
    first = seen()
    set_clock(s, advance=30)
    b.me()
    eq(seen(), first, "after 30 s")
    set_clock(s, advance=31)
    b.me()
    check(seen() > first, "not refreshed after 61 s")


@test("password change: wrong current 422, weak new 422, then 204 with a new cookie; every other session ends")
def _():
    s = srv()
    b, user, _, codes = enrolled(s)
    other = Browser(s)
    other.login(user, PW)
    other.json("POST", "/api/v1/session/mfa", {"code": codes[0]})
    eq(other.me()[0], 200, "the other session works")
    problem(b.json("POST", "/api/v1/me/password", {"current": "Inte rätt lösenord", "new": "Ett nytt långt lösenord"}),
            422, "wrong_password")
    p = problem(b.json("POST", "/api/v1/me/password", {"current": PW, "new": "lösenord1234"}),
                422, "weak_password")
    eq(p.get("field"), "new", "field")
    problem(b.json("POST", "/api/v1/me/password", {"current": PW, "new": "kort"}), 422, "weak_password")
    before = b.token
    st, _, body = b.request("POST", "/api/v1/me/password", {"current": PW, "new": "Ett nytt långt lösenord"})
    eq((st, body), (204, b""), "password change")
    check(b.token and b.token != before, "this session did not get a new token")
    eq(b.me()[2]["mfa_passed"], True, "this session goes on past MFA")
    problem(other.me(), 401, "unauthenticated")
    stale = Browser(s)
    stale.token = before
    problem(stale.me(), 401, "unauthenticated")
    eq(Browser(s).login(user, PW)[0], 401, "the old password")
    eq(Browser(s).login(user, "Ett nytt långt lösenord")[0], 200, "the new password")
    check(audit(s, "password.change", user), "password.change not audited")


@test("a disabled person's session dies at once (person.disabled = 1 set in the database)")
def _():
    s = srv()
    b, user, _, _ = enrolled(s)
    eq(b.me()[0], 200, "before")
    sql_write(s, "UPDATE person SET disabled = 1 WHERE user_id = ?", (user,))
    problem(b.me(), 401, "unauthenticated")


@test("bad bodies: unknown field 422, missing password 422, a body on POST /me/mfa 413; nothing is logged in")
def _():
    s = srv()
    problem(s.json("POST", "/api/v1/session", {"username": "admin", "password": ADMIN_PW, "role": "x"}),
            422, "unknown_field")
    problem(s.json("POST", "/api/v1/session", {"username": "admin"}), 422, "missing_field")
    st, _, _ = s.request("POST", "/api/v1/session", b"username=admin&password=x",
                         headers={"Content-Type": "application/x-www-form-urlencoded"})
    eq(st, 415, "a form post")
    b = Browser(s)
    b.login("admin", ADMIN_PW)
    st, _, _ = b.request("POST", "/api/v1/me/mfa", {"x": 1})
    eq(st, 413, "POST /me/mfa with a body")


# ---- throttling ----

@test("throttling: 5 wrong passwords then 429 with Retry-After, also for the right password; audited; it lifts after the wait")
def _():
    s = new_server()
    user = add_person(s)
    for i in range(5):
        problem(s.json("POST", "/api/v1/session", {"username": user, "password": "Fel lösenord %d" % i}),
                401, "invalid_credentials")
    st, h, body = s.json("POST", "/api/v1/session", {"username": user, "password": "Fel lösenord 6"})
    problem((st, h, body), 429, "too_many_attempts")
    eq(h.get("retry-after"), "1", "Retry-After after 5 failures")
    st, h, body = s.json("POST", "/api/v1/session", {"username": user, "password": PW})
    eq(st, 429, "the right password while blocked")
    check("set-cookie" not in h, "a blocked login set a cookie")
    # Differently written, the same account.
    eq(s.json("POST", "/api/v1/session", {"username": user.upper(), "password": PW})[0], 429, "upper case")
    eq(len(audit(s, "login.failure", user)), 5, "login.failure entries")
    blocked = audit(s, "login.blocked", user)
    eq(len(blocked), 2, "login.blocked entries")
    eq(blocked[0][1], "127.0.0.1", "address")
    # The delay doubles: after the wait, one more failure blocks for 2 s.
    set_clock(s, advance=1)
    eq(s.json("POST", "/api/v1/session", {"username": user, "password": "Fel igen"})[0], 401, "after 1 s")
    st, h, _ = s.json("POST", "/api/v1/session", {"username": user, "password": PW})
    eq((st, h.get("retry-after")), (429, "2"), "blocked for 2 s after the 6th failure")
    set_clock(s, advance=2)
    eq(s.json("POST", "/api/v1/session", {"username": user, "password": PW})[0], 200, "after the wait")
    eq(sql_rows(s.db, "SELECT count(*) FROM login_failure WHERE key = ?", ("account:" + user,)),
       [(0,)], "success clears the account's count")
    eq(s.stop(), 0, "varn serve exit code (a sanitizer report makes it non-zero)")


@test("throttling: the lockout grows to 15 minutes and never allows 100 failures in a row")
def _():
    s = new_server()
    user = add_person(s)
    waits = []
    for i in range(40):
        st, h, _ = s.json("POST", "/api/v1/session", {"username": user, "password": "Fel %d" % i})
        check(st in (401, 429), "status %d" % st)
        if st == 429:
            waits.append(int(h["retry-after"]))
            if waits[-1] == 900:
                break
            set_clock(s, advance=waits[-1] + 3601)  # also forgets the address count
    eq(waits, [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900], "lockouts")
    n = sql_rows(s.db, "SELECT failures FROM login_failure WHERE key = ?", ("account:" + user,))[0][0]
    check(n >= 15, "failures counted: %d" % n)
    eq(s.stop(), 0, "varn serve exit code (a sanitizer report makes it non-zero)")


@test("the MFA step is throttled per account: 5 wrong codes, then 429")
def _():
    s = new_server()
    _, user, secret, _ = enrolled(s)
    b = Browser(s)
    b.login(user, PW)
    for i in range(5):
        problem(b.json("POST", "/api/v1/session/mfa", {"code": "%06d" % i}), 401, "invalid_code")
    st, h, _ = b.json("POST", "/api/v1/session/mfa", {"code": totp(secret, server_now(s) + 30)})
    eq((st, h.get("retry-after")), (429, "1"), "blocked")
    check(audit(s, "mfa.blocked", user), "mfa.blocked not audited")
    eq(s.stop(), 0, "varn serve exit code (a sanitizer report makes it non-zero)")


# ---- CSRF and CORS ----

@test("CSRF: POST /api/v1/session without X-Varn-Csrf is 403; with Sec-Fetch-Site: cross-site 403; nothing logged in")
def _():
    s = srv()
    before = sql_rows(s.db, "SELECT count(*) FROM session")
    problem(s.json("POST", "/api/v1/session", {"username": "admin", "password": ADMIN_PW}, csrf=False),
            403, "csrf_header_missing")
    problem(s.json("POST", "/api/v1/session", {"username": "admin", "password": ADMIN_PW},
                   headers={"Sec-Fetch-Site": "cross-site"}), 403, "cross_site")
    eq(sql_rows(s.db, "SELECT count(*) FROM session"), before, "sessions")
    b = Browser(s)
    b.login("admin", ADMIN_PW)
    problem(b.json("DELETE", "/api/v1/session", csrf=False), 403, "csrf_header_missing")
    eq(b.me()[0], 200, "still logged in")


@test("CORS: a foreign Origin is never echoed in Access-Control-Allow-Origin")
def _():
    s = srv()
    b = Browser(s)
    evil = {"Origin": "https://evil.example"}
    st, h, _ = b.request("POST", "/api/v1/session", {"username": "admin", "password": ADMIN_PW}, headers=evil)
    eq(st, 200, "login")
    for resp in (h, b.request("GET", "/api/v1/me", headers=evil)[1],
                 b.request("OPTIONS", "/api/v1/session", headers=dict(evil, **{
                     "Access-Control-Request-Method": "POST"}))[1]):
        check(not any(k.startswith("access-control-allow") for k in resp), "CORS headers %r" % resp)


# ---- configuration ----

@test("VARN_SESSION_IDLE_MINUTES=1: two idle minutes end a session (the default server keeps it)")
def _():
    s = new_server(env={"VARN_SESSION_IDLE_MINUTES": "1", "VARN_SESSION_MAX_HOURS": "1"})
    b = Browser(s)
    eq(b.login("admin", ADMIN_PW)[0], 200, "login")
    set_clock(s, advance=50)
    eq(b.me()[0], 200, "after 50 s")
    set_clock(s, advance=120)
    problem(b.me(), 401, "unauthenticated")
    eq(s.stop(), 0, "varn serve exit code (a sanitizer report makes it non-zero)")
    d = Browser(srv())
    eq(d.login("admin", ADMIN_PW)[0], 200, "login")
    set_clock(srv(), advance=120)
    eq(d.me()[0], 200, "the default idle time is longer")


@test("a malformed VARN_SESSION_IDLE_MINUTES or VARN_SESSION_MAX_HOURS stops varn with exit 2")
def _():
    for name, value in (("VARN_SESSION_IDLE_MINUTES", "0"), ("VARN_SESSION_IDLE_MINUTES", "30m"),
                        ("VARN_SESSION_MAX_HOURS", "1000")):
        r = run_varn("serve", "--listen", "127.0.0.1:0", db=srv().db, env={name: value}, timeout=15)
        eq(r.returncode, 2, "exit code for %s=%s (%s)" % (name, value, r.stderr))
        contains(r.stderr, name, "stderr")


@test("the shared server stops cleanly (exit 0: no sanitizer report)")
def _():
    eq(srv().stop(), 0, "varn serve exit code")


if __name__ == "__main__":
    main(suite)
