"""Shared harness for the API tests: a TAP runner, the varn command line, a live server on a
free port with its JSON log, raw HTTP for hand-crafted requests, and a digest of the database.

Standard library only. Environment: VARN_BIN (the binary), VARN_SOURCE_ROOT (the repository).
"""
import atexit
import hashlib
import http.client
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import traceback

SOURCE_ROOT = os.environ.get("VARN_SOURCE_ROOT") or os.path.dirname(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VARN_BIN = os.path.abspath(os.environ.get("VARN_BIN") or os.path.join(SOURCE_ROOT, "build-dev", "varn"))

# Under AddressSanitizer everything runs a few times slower; every wait is scaled by this.
SLOW = 3.0

_servers = []
_tempdirs = []


def _cleanup():
    for s in list(_servers):
        s.kill()
    for d in _tempdirs:
        shutil.rmtree(d, ignore_errors=True)


atexit.register(_cleanup)
# meson's timeout sends SIGTERM: turn it into a normal exit so that atexit kills the servers.
signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))


def tempdir():
    d = tempfile.mkdtemp(prefix="varn-api-")
    _tempdirs.append(d)
    return d


# ---- TAP ----

class Skip(Exception):
    """Raise in a test to report it as skipped, with the reason."""


class Suite:
    """Tests registered in order; the plan is known before the first one runs."""

    def __init__(self):
        self.tests = []

    def test(self, name):
        def register(fn):
            self.tests.append((name, fn))
            return fn
        return register

    def add(self, name, fn):
        self.tests.append((name, fn))

    def run(self):
        if not os.access(VARN_BIN, os.X_OK):
            print("Bail out! no varn binary at %s (set VARN_BIN)" % VARN_BIN, flush=True)
            return 1
        # Version 14 makes meson ignore the plain summary line at the end instead of flagging it.
        print("TAP version 14")
        print("1..%d" % len(self.tests), flush=True)
        passed = failed = 0
        for n, (name, fn) in enumerate(self.tests, 1):
            name = name.replace("#", "no.")  # '#' starts a TAP directive
            started = time.monotonic()
            try:
                fn()
            except Skip as e:
                print("ok %d - %s # SKIP %s" % (n, name, e), flush=True)
                passed += 1
                continue
            except Exception as e:  # a failing check, or the server not answering at all
                print("not ok %d - %s" % (n, name))
                for line in _diagnosis(e):
                    print("# " + line)
                sys.stdout.flush()
                failed += 1
                continue
            print("ok %d - %s" % (n, name), flush=True)
            took = time.monotonic() - started
            if took > 5:
                print("# took %.1f s" % took, flush=True)
            passed += 1
        print("%d passed, %d failed" % (passed, failed), flush=True)
        return 1 if failed else 0


def _diagnosis(e):
    """A failed check: its message and where in the test it failed; anything else: the trace."""
    if isinstance(e, AssertionError):
        frames = [f for f in traceback.extract_tb(e.__traceback__)
                  if os.path.basename(f.filename) != "varn_harness.py"]
        where = ["at %s:%d: %s" % (os.path.basename(f.filename), f.lineno, f.line) for f in frames[-1:]]
        return str(e).splitlines() + where
    return traceback.format_exc().rstrip().splitlines()[-12:]


def main(suite):
    try:
        rc = suite.run()
    finally:
        _cleanup()
    sys.exit(rc)


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def eq(actual, expected, what):
    if actual != expected:
        raise AssertionError("%s: expected %r, got %r" % (what, expected, actual))


def contains(haystack, needle, what):
    if needle not in haystack:
        raise AssertionError("%s: %r not found in %r" % (what, needle, haystack))


# ---- the command line ----

def run_varn(*args, db=None, env=None, timeout=30 * SLOW, cwd=None):
    """Run varn to completion; returns CompletedProcess with text stdout and stderr."""
    argv = [VARN_BIN] + (["--db", db] if db else []) + list(args)
    e = dict(os.environ)
    for k in ("VARN_DB", "VARN_NOW", "VARN_LISTEN"):
        e.pop(k, None)
    e.update(env or {})
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout, env=e,
                          cwd=cwd or tempfile.gettempdir())


def luhn_number(prefix):
    """prefix (9 digits) completed with its Luhn check digit, as an organisationsnummer
    NNNNNN-NNNN."""
    for d in "0123456789":
        digits = [int(c) for c in prefix + d]
        total = sum((x * 2 - 9 if x * 2 > 9 else x * 2) if i % 2 == 0 else x
                    for i, x in enumerate(digits))
        if total % 10 == 0:
            s = prefix + d
            return s[:6] + "-" + s[6:]
    raise AssertionError("no check digit")


# ---- the database ----

# Derived data the server's refresher rewrites on its own schedule (the policy engine's
# findings): not something a request changes, so not part of "changes nothing".
DERIVED_TABLES = {"finding", "finding_snapshot", "engine_state"}


def db_digest(path):
    """SHA-256 over the schema and every row of every table but the derived ones, in a fixed
    order."""
    check(os.path.exists(path), "no database at %s" % path)
    con = sqlite3.connect(path, timeout=10 * SLOW)
    try:
        h = hashlib.sha256()
        tables = []
        for typ, name, sql in con.execute(
                "SELECT type, name, sql FROM sqlite_master ORDER BY type, name"):
            h.update(repr((typ, name, sql)).encode())
            if typ == "table" and name not in DERIVED_TABLES:
                tables.append(name)
        for t in tables:
            cur = con.execute('SELECT * FROM "%s"' % t.replace('"', '""'))
            ncol = len(cur.description)
            cur.close()
            order = ", ".join(str(i) for i in range(1, ncol + 1))
            h.update(("\0table %s\0" % t).encode())
            for row in con.execute('SELECT * FROM "%s" ORDER BY %s' % (t.replace('"', '""'), order)):
                h.update(repr(row).encode())
        return h.hexdigest()
    finally:
        con.close()


def sql_rows(path, sql, params=()):
    con = sqlite3.connect(path, timeout=10 * SLOW)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def integrity(path):
    """PRAGMA integrity_check as one string; a refusal to even read the file counts too."""
    try:
        con = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
        try:
            return "\n".join(r[0] for r in con.execute("PRAGMA integrity_check"))
        finally:
            con.close()
    except sqlite3.DatabaseError as e:
        return "error: %s" % e


def file_sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


# ---- HTTP ----

def split_response(raw):
    """(status, headers lowercased, body) of the first response in raw bytes."""
    head, sep, body = raw.partition(b"\r\n\r\n")
    check(sep, "no complete response head in %r" % raw[:300])
    lines = head.decode("latin-1").split("\r\n")
    m = re.match(r"HTTP/1\.[01] (\d{3})", lines[0])
    check(m, "not a status line: %r" % lines[0])
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    if "content-length" in headers and headers["content-length"].isdigit():
        body = body[:int(headers["content-length"])]
    return int(m.group(1)), headers, body


def wait_for(cond, timeout=5 * SLOW):
    """Poll cond() until it returns something true, or timeout; returns its last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = cond()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.02)


def _whole_response(raw):
    head, sep, body = raw.partition(b"\r\n\r\n")
    if not sep:
        return False
    m = re.search(rb"(?im)^content-length:\s*(\d+)\s*$", head)
    return m is not None and len(body) >= int(m.group(1))


class Server:
    """varn serve on 127.0.0.1 with a free port, on its own database in a temporary directory."""

    def __init__(self, db=None, init=True):
        self.dir = tempdir()
        self.db = db or os.path.join(self.dir, "varn.db")
        self.log_path = os.path.join(self.dir, "serve.log")
        self.proc = None
        self.port = None
        if init:
            r = run_varn("init", db=self.db)
            check(r.returncode == 0, "varn init failed: %s" % r.stderr)

    def start(self):
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            [VARN_BIN, "--db", self.db, "serve", "--listen", "127.0.0.1:0"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self._log,
            env={k: v for k, v in os.environ.items() if k not in ("VARN_DB", "VARN_NOW", "VARN_LISTEN")})
        _servers.append(self)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            for line in self.log():
                if line.get("msg") == "listening":
                    self.port = int(line["port"])
                    check(self.port > 0, "listening on port 0")
                    return self
            if self.proc.poll() is not None:
                raise AssertionError("varn serve exited with %s: %s" % (
                    self.proc.returncode, self.log_text()))
            time.sleep(0.02)
        raise AssertionError("varn serve did not log 'listening' in time: %s" % self.log_text())

    def log_text(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def log(self):
        """Every complete JSON line the server wrote to stderr so far."""
        out = []
        for line in self.log_text().split("\n"):
            if line.startswith("{"):
                try:
                    out.append(json.loads(line))
                except ValueError:
                    pass  # a line still being written
        return out

    def access_log(self, request_id):
        return [l for l in self.log() if l.get("msg") == "request" and l.get("request_id") == request_id]


    def request(self, method, path, body=None, headers=None, timeout=10 * SLOW, csrf=True):
        """One request on a new connection: (status, headers lowercased, body bytes). Changes
        carry the CSRF header the UI sends, unless csrf is False."""
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            if csrf and method not in ("GET", "HEAD"):
                headers = dict({"X-Varn-Csrf": "1"}, **(headers or {}))
            if isinstance(body, (dict, list)):
                body = json.dumps(body).encode()
                headers = dict({"Content-Type": "application/json"}, **(headers or {}))
            c.request(method, path, body=body, headers=headers or {})
            r = c.getresponse()
            data = r.read()
            hdrs = {}
            for k, v in r.getheaders():
                k = k.lower()
                hdrs[k] = hdrs[k] + ", " + v if k in hdrs else v
            return r.status, hdrs, data
        finally:
            c.close()

    def json(self, method, path, body=None, headers=None, csrf=True):
        """request() whose answer must be JSON: (status, headers, parsed body)."""
        st, h, b = self.request(method, path, body, headers, csrf=csrf)
        try:
            return st, h, json.loads(b)
        except ValueError:
            raise AssertionError("%s %s -> %d, body is not JSON: %r" % (method, path, st, b[:300]))

    def connect(self, timeout=5 * SLOW):
        return socket.create_connection(("127.0.0.1", self.port), timeout=timeout)

    def raw(self, data, wait=2 * SLOW, shut_write=False, first=False):
        """Send bytes as they are; read until the server closes or wait passes, or with first
        until one whole response has arrived. Returns (bytes received, how it ended: 'closed',
        'reset', 'timeout' or 'response')."""
        s = self.connect()
        try:
            s.settimeout(wait)
            try:
                s.sendall(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the server may refuse and close before reading everything we send
            if shut_write:
                try:
                    s.shutdown(socket.SHUT_WR)
                except OSError:
                    pass  # already reset by the server
            out = b""
            deadline = time.monotonic() + wait
            while True:
                s.settimeout(max(0.01, deadline - time.monotonic()))
                try:
                    chunk = s.recv(65536)
                except socket.timeout:
                    return out, "timeout"
                except ConnectionResetError:
                    return out, "reset"
                if not chunk:
                    return out, "closed"
                out += chunk
                if first and _whole_response(out):
                    return out, "response"
        finally:
            s.close()

    def db_digest(self):
        return db_digest(self.db)

    def signal(self, sig):
        self.proc.send_signal(sig)

    def stop(self, timeout=10 * SLOW):
        """SIGTERM, then the exit code (None if it did not stop in time; it is killed then)."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            rc = None
        self.kill()
        return rc

    def kill(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if self in _servers:
            _servers.remove(self)
        if getattr(self, "_log", None):
            self._log.close()
