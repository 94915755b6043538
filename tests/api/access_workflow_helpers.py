#!/usr/bin/env python3
"""Shared helpers of the access workflow suites: logged-in people (password and TOTP), and
entitlements, accounts and grants made through the access API (a grant's date moved back in the
database where a test needs history)."""
import base64
import hashlib
import hmac
import json
import os
import sqlite3
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from varn_harness import SLOW, VARN_BIN, eq  # noqa: E402
from catalog_helpers import ok, srv  # noqa: E402

PW = "Ett långt lösenord för behörigheter 7"
COOKIE = "__Host-varn_session"
_people = {}


def totp(secret_b32, t):
    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    mac = hmac.new(key, struct.pack(">Q", int(t) // 30), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    return "%06d" % ((struct.unpack(">I", mac[offset:offset + 4])[0] & 0x7FFFFFFF) % 10 ** 6)


class Person:
    """A logged-in person (session cookie, past the MFA step)."""

    def __init__(self, uid):
        self.uid = uid
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
        if sc and "=" in sc:
            self.cookie = sc.split("=", 1)[1].split(";")[0]
        try:
            return st, hd, json.loads(b) if b else None
        except ValueError:
            return st, hd, b

    def ok(self, method, path, body=None, status=200):
        st, _, b = self.call(method, path, body)
        eq(st, status, "%s %s %s status (body %r)" % (self.uid, method, path, b))
        return b


def person(uid, org=None, roles=(), **fields):
    """uid made in org (when given) with roles there, logged in once."""
    if uid not in _people:
        if org:
            body = {"user_id": uid, "name": "Person " + uid, "email": uid + "@example.se",
                    "organisation": org}
            body.update(fields)
            ok("POST", "/api/v1/people", body, status=201)
        for role in roles:
            ok("POST", "/api/v1/role-assignments", {"user_id": uid, "role": role,
                                                    "organisation": org}, status=201)
        _people[uid] = Person(uid)
    return _people[uid]


def db():
    return sqlite3.connect(srv().db, timeout=30)


def one(sql, args=()):
    con = db()
    try:
        r = con.execute(sql, args).fetchone()
        return r[0] if r else None
    finally:
        con.close()


def exec_sql(sql, args=()):
    con = db()
    try:
        cur = con.execute(sql, args)
        con.commit()
        return cur.lastrowid
    finally:
        con.close()


_entitlements = {}
_accounts = {}


def entitlement(system, name, privileged=False):
    key = (system, name)
    if key not in _entitlements:
        e = ok("POST", "/api/v1/systems/%s/entitlements" % system,
               {"name": name, "privileged": privileged}, status=201)
        _entitlements[key] = e["id"]
    return _entitlements[key]


def grant(system, uid, ent_name, last_login=None, granted_at=None):
    """An active grant of the entitlement to uid's account in system (made when missing);
    granted_at moves its date back (history the API does not take)."""
    key = (system, uid)
    if key not in _accounts:
        body = {"system": system, "username": uid, "person": uid}
        if last_login:
            body["last_login"] = last_login
        _accounts[key] = ok("POST", "/api/v1/accounts", body, status=201)["id"]
    g = ok("POST", "/api/v1/grants", {"account": _accounts[key],
                                      "entitlement": entitlement(system, ent_name)}, status=201)
    if granted_at:
        exec_sql("UPDATE access_grant SET granted_at = ? WHERE id = ?", (granted_at, g["id"]))
    return g["id"]
