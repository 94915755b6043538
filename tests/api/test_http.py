#!/usr/bin/env python3
"""The HTTP edge of varn serve: health, security headers, access log, 404/405, the static UI,
the API document, JSON body validation (nothing reaches the database when a body is refused),
and graceful shutdown."""
import gzip
import json
import os
import re
import signal
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from varn_harness import (SLOW, SOURCE_ROOT, Server, Suite, check, contains, eq, main,
                          split_response, sql_rows, wait_for)

suite = Suite()
test = suite.test

_srv = []


def srv():
    """The shared server, started on first use (a failed start fails each test that needs it)."""
    if not _srv:
        try:
            _srv.append(Server().start())
        except Exception as e:
            _srv.append(e)
    if isinstance(_srv[0], Exception):
        raise AssertionError("the server did not start: %s" % _srv[0])
    return _srv[0]


JSON = "application/json"
NOTES = "/api/v1/test-notes"
PROBLEM_KEYS = {"type", "title", "status", "detail", "code", "instance", "request_id", "field"}
# Words that would only appear in a response if internals leaked out (the server's own
# directory is checked too).
LEAKS = ["sqlite", "jansson", "json_allow", "microhttpd", "mhd_", "select ", "insert into",
         "constraint", "src/", ".c:", "errno", "segmentation", "assert", "varn.db"]


def post_note(body, ctype=JSON):
    """POST to the note fixture with the body bytes as given; ctype None sends no Content-Type."""
    if isinstance(body, dict):
        body = json.dumps(body).encode()
    headers = {"Content-Type": ctype} if ctype is not None else {}
    return srv().request("POST", NOTES, body=body, headers=headers)


_seq = [0]


def unique_title(prefix="note"):
    _seq[0] += 1
    return "%s %d %d" % (prefix, os.getpid(), _seq[0])


def note_count():
    """Rows in test_note read straight from the file, not through the server."""
    if not sql_rows(srv().db, "SELECT name FROM sqlite_master WHERE name = 'test_note'"):
        return 0
    return sql_rows(srv().db, "SELECT count(*) FROM test_note")[0][0]


def assert_problem(resp, status, code, field=None, detail_has=None):
    st, h, body = resp
    eq(st, status, "status (body %r)" % body[:300])
    eq(h.get("content-type"), "application/problem+json", "Content-Type")
    try:
        p = json.loads(body)
    except ValueError:
        raise AssertionError("problem body is not JSON: %r" % body[:300])
    check(isinstance(p, dict), "problem is not an object: %r" % p)
    for k in ("type", "title", "detail", "code"):
        check(isinstance(p.get(k), str) and p[k], "problem member %r missing: %r" % (k, p))
    eq(p.get("status"), status, "problem status member")
    eq(p.get("code"), code, "problem code")
    eq(p.get("field"), field, "problem field")
    eq(p.get("request_id"), h.get("x-request-id"), "problem request_id vs X-Request-Id")
    extra = set(p) - PROBLEM_KEYS
    check(not extra, "unexpected problem members %s" % extra)
    text = body.decode("utf-8", "replace").lower()
    for word in LEAKS + [srv().dir.lower()]:
        check(word not in text, "the problem leaks %r: %s" % (word, body[:400]))
    if detail_has:
        contains(p["detail"].lower(), detail_has, "problem detail")
    return p


def assert_security_headers(resp, api=True):
    st, h, body = resp
    contains(h.get("content-security-policy", ""), "frame-ancestors 'none'", "Content-Security-Policy")
    eq(h.get("x-content-type-options"), "nosniff", "X-Content-Type-Options")
    check(h.get("referrer-policy"), "Referrer-Policy missing")
    eq(h.get("x-frame-options"), "DENY", "X-Frame-Options")
    m = re.search(r"max-age=(\d+)", h.get("strict-transport-security", ""))
    check(m and int(m.group(1)) > 0, "Strict-Transport-Security: %r" % h.get("strict-transport-security"))
    check(re.fullmatch(r"[0-9a-f]{32}", h.get("x-request-id", "")),
          "X-Request-Id is not 32 hex digits: %r" % h.get("x-request-id"))
    if api:
        eq(h.get("cache-control"), "no-store", "Cache-Control")


def unchanged(fn):
    """Run fn and fail if the database changed meanwhile."""
    before = srv().db_digest()
    result = fn()
    eq(srv().db_digest(), before, "database digest after a refused request")
    return result


# ---- health ----

@test("GET /healthz answers 200 {status: ok}")
def _():
    st, h, b = srv().json("GET", "/healthz")
    eq(st, 200, "status")
    eq(b, {"status": "ok"}, "body")
    eq(h.get("content-type"), JSON, "Content-Type")


@test("GET /readyz answers 200 {status: ready}")
def _():
    st, h, b = srv().json("GET", "/readyz")
    eq(st, 200, "status")
    eq(b, {"status": "ready"}, "body")


@test("HEAD /healthz answers 200 and sends no body on the wire")
def _():
    raw, how = srv().raw(b"HEAD /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
    eq(how, "closed", "connection end")
    st, h, _ = split_response(raw)
    eq(st, 200, "status")
    eq(raw.partition(b"\r\n\r\n")[2], b"", "bytes after the head")
    assert_security_headers((st, h, b""))


# ---- security headers on every kind of response ----

def stylesheet():
    """The path of the UI's stylesheet, as index.html links it (the build names it by its hash)."""
    html = srv().request("GET", "/")[2].decode("utf-8")
    m = re.search(r'<link rel="stylesheet"[^>]*href="(/[^"]+\.css)"', html)
    check(m, "index.html links no stylesheet")
    return m.group(1)


def _304():
    etag = srv().request("GET", "/")[1].get("etag")
    check(etag, "GET / has no ETag")
    return srv().request("GET", "/", headers={"If-None-Match": etag})


HEADER_CASES = [
    ("200 health", 200, True, lambda: srv().request("GET", "/healthz")),
    ("201 created", 201, True, lambda: post_note({"title": unique_title("hdr")})),
    ("404 problem", 404, True, lambda: srv().request("GET", "/api/v1/nope")),
    ("405 problem", 405, True, lambda: srv().request("POST", "/healthz")),
    ("413 problem", 413, True, lambda: post_note(b"x" * 5000)),
    ("415 problem", 415, True, lambda: post_note(b'{"title":"a"}', "text/plain")),
    ("400 problem", 400, True, lambda: post_note(b"{nope")),
    ("422 problem", 422, True, lambda: post_note(b"{}")),
    ("static index.html", 200, False, lambda: srv().request("GET", "/")),
    ("static stylesheet", 200, False, lambda: srv().request("GET", stylesheet())),
    ("304 not modified", 304, False, _304),
]

seen_ids = []
for _name, _status, _api, _fn in HEADER_CASES:
    def _case(status=_status, api=_api, fn=_fn):
        resp = fn()
        eq(resp[0], status, "status")
        assert_security_headers(resp, api)
        seen_ids.append(resp[1]["x-request-id"])
    suite.add("security headers on a %s response" % _name, _case)


@test("X-Request-Id differs on every response")
def _():
    for _ in range(10):
        seen_ids.append(srv().request("GET", "/healthz")[1].get("x-request-id"))
    check(len(seen_ids) >= 10, "too few responses collected")
    eq(len(set(seen_ids)), len(seen_ids), "distinct request ids among %d" % len(seen_ids))


# ---- access log ----

@test("each request writes exactly one access log line carrying its X-Request-Id")
def _():
    s = srv()
    made = [
        ("GET", "/healthz", None, 200),
        ("GET", "/api/v1/nope", None, 404),
        ("POST", "/healthz", None, 405),
        ("POST", NOTES, {"title": unique_title("log")}, 201),
        ("POST", NOTES, {"count": 1}, 422),
        ("GET", stylesheet(), None, 200),
        ("GET", "/api/v1/test-sleep?ms=1", None, 200),
    ]
    sent = []
    for method, path, body, status in made:
        st, h, _ = s.request(method, path, body)
        eq(st, status, "%s %s" % (method, path))
        sent.append((method, path.split("?")[0], status, h["x-request-id"]))
    ids = {x[3] for x in sent}
    wait_for(lambda: ids <= {l.get("request_id") for l in s.log()})
    time.sleep(0.2)  # a duplicate line would come right after the first
    for method, path, status, rid in sent:
        lines = s.access_log(rid)
        eq(len(lines), 1, "access log lines for %s %s" % (method, path))
        line = lines[0]
        eq((line.get("method"), line.get("path"), line.get("status")), (method, path, status),
           "logged method, path, status")
        check(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", str(line.get("time"))),
              "time: %r" % line.get("time"))
        d = line.get("duration_ms")
        check(isinstance(d, (int, float)) and 0 <= d < 60000, "duration_ms: %r" % d)


# ---- 404 and 405 ----

@test("GET /api/v1/nope is a 404 not_found problem")
def _():
    p = assert_problem(srv().request("GET", "/api/v1/nope"), 404, "not_found")
    eq(p.get("instance"), "/api/v1/nope", "instance")


@test("POST /healthz is 405 with Allow: GET, HEAD")
def _():
    resp = srv().request("POST", "/healthz")
    assert_problem(resp, 405, "method_not_allowed")
    eq(resp[1].get("allow"), "GET, HEAD", "Allow")


@test("DELETE /api/v1/test-notes is 405 with Allow listing GET and POST")
def _():
    resp = unchanged(lambda: srv().request("DELETE", NOTES))
    assert_problem(resp, 405, "method_not_allowed")
    allowed = {m.strip() for m in resp[1].get("allow", "").split(",")}
    eq(allowed, {"GET", "HEAD", "POST"}, "Allow")


@test("GET /api/v1/test-notes/999999 and /abc are 404")
def _():
    assert_problem(srv().request("GET", NOTES + "/999999"), 404, "not_found")
    assert_problem(srv().request("GET", NOTES + "/abc"), 404, "not_found")


# ---- the static UI ----

def index():
    return srv().request("GET", "/")


@test("GET / is the UI: text/html naming Värn and linking the API document")
def _():
    st, h, b = index()
    eq(st, 200, "status")
    check(h.get("content-type", "").startswith("text/html"), "Content-Type %r" % h.get("content-type"))
    text = b.decode("utf-8")
    contains(text, "Värn", "index.html")
    contains(text, 'href="/api/v1/openapi.json"', "index.html")


@test("GET / with Accept-Encoding: gzip is gzip of the same bytes")
def _():
    plain = index()[2]
    st, h, b = srv().request("GET", "/", headers={"Accept-Encoding": "gzip"})
    eq(st, 200, "status")
    eq(h.get("content-encoding"), "gzip", "Content-Encoding")
    contains(h.get("vary", ""), "Accept-Encoding", "Vary")
    eq(gzip.decompress(b), plain, "decompressed body")


@test("GET / with If-None-Match of its ETag is 304; another ETag is 200")
def _():
    etag = index()[1].get("etag")
    check(etag, "no ETag")
    st, h, b = srv().request("GET", "/", headers={"If-None-Match": etag})
    eq(st, 304, "status with the current ETag")
    eq(b, b"", "body of 304")
    st, _, b = srv().request("GET", "/", headers={"If-None-Match": '"not-the-etag"'})
    eq(st, 200, "status with another ETag")
    check(b, "200 without a body")


@test("GET /some/ui/route falls back to index.html")
def _():
    st, h, b = srv().request("GET", "/some/ui/route")
    eq(st, 200, "status")
    eq(b, index()[2], "body")


@test("GET /missing.js is 404")
def _():
    assert_problem(srv().request("GET", "/missing.js"), 404, "not_found")


@test("GET of the stylesheet index.html links is text/css")
def _():
    st, h, b = srv().request("GET", stylesheet())
    eq(st, 200, "status")
    check(h.get("content-type", "").startswith("text/css"), "Content-Type %r" % h.get("content-type"))
    check(b, "empty stylesheet")


# ---- the API document ----

def route_table():
    """(method, pattern) of every route in the source tables, fixtures included."""
    found = set()
    for rel in ("src/http/routes.c", "tests/fixtures/fixture_routes.h"):
        with open(os.path.join(SOURCE_ROOT, rel), encoding="utf-8") as f:
            text = re.sub(r"\\\n", " ", f.read())  # macro line continuations
            found |= set(re.findall(r'\{\s*"(GET|POST|PUT|PATCH|DELETE)",\s*"(/[^"]*)"', text))
    return found


@test("/api/v1/openapi.json is OpenAPI 3.1 listing every route with its methods")
def _():
    st, h, doc = srv().json("GET", "/api/v1/openapi.json")
    eq(st, 200, "status")
    check(str(doc.get("openapi", "")).startswith("3.1"), "openapi: %r" % doc.get("openapi"))
    expected = {("GET", "/healthz"), ("GET", "/readyz"), ("GET", "/api/v1/openapi.json"),
                ("GET", NOTES), ("POST", NOTES), ("GET", NOTES + "/{id}"),
                ("GET", "/api/v1/test-sleep")}
    table = route_table()
    check(expected <= table, "the route table lacks %s" % (expected - table))
    methods = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}
    documented = {(m.upper(), p) for p, item in doc.get("paths", {}).items() for m in item
                  if m in methods}
    eq(documented, table, "documented operations")


@test("the POST test-notes body schema is closed and requires title")
def _():
    doc = srv().json("GET", "/api/v1/openapi.json")[2]
    op = doc["paths"][NOTES]["post"]
    schema = op["requestBody"]["content"][JSON]["schema"]
    eq(schema.get("additionalProperties"), False, "additionalProperties")
    eq(schema.get("required"), ["title"], "required")
    eq(set(schema.get("properties", {})), {"title", "count", "done", "due"}, "properties")
    eq(schema["properties"]["title"].get("maxLength"), 200, "title maxLength")


# ---- creating notes ----

@test("a valid note is 201 {id} and adds exactly one row")
def _():
    before = note_count()
    digest = srv().db_digest()
    st, h, b = srv().json("POST", NOTES, {"title": unique_title(), "count": 3, "done": True,
                                          "due": "2026-02-28"})
    eq(st, 201, "status")
    check(isinstance(b.get("id"), int) and b["id"] > 0, "body %r" % b)
    eq(set(b), {"id"}, "members")
    eq(note_count(), before + 1, "rows after")
    check(srv().db_digest() != digest, "the digest did not notice a new row")
    eq(srv().json("GET", NOTES)[2], {"count": before + 1}, "count through the API")


@test("Content-Type application/json; charset=utf-8 is accepted")
def _():
    eq(post_note({"title": unique_title()}, JSON + "; charset=utf-8")[0], 201, "status")


@test("a title of 200 two-byte characters fits: the limit counts characters")
def _():
    eq(post_note({"title": "ä" * 199 + "Ä"})[0], 201, "status")


@test("SQL metacharacters in a title are stored and read back literally")
def _():
    title = "x'); DROP TABLE test_note;-- \"%_\\ ä"
    st, h, b = srv().json("POST", NOTES, {"title": title})
    eq(st, 201, "status")
    st, h, got = srv().json("GET", "%s/%d" % (NOTES, b["id"]))
    eq(st, 200, "status of GET")
    eq(got, {"id": b["id"], "title": title}, "note read back")
    check(note_count() > 1, "test_note lost its rows")


@test("a duplicate title is 409 duplicate and changes nothing")
def _():
    title = unique_title("dup")
    eq(post_note({"title": title})[0], 201, "first create")
    assert_problem(unchanged(lambda: post_note({"title": title})), 409, "duplicate", "title")


# ---- refused bodies: status, code, field, and the database untouched ----

def body(obj):
    return json.dumps(obj).encode()


def t():
    return unique_title("bad")


BAD = [
    # name, body bytes (or a function making them), Content-Type, status, code, field, detail has
    ("malformed JSON", lambda: b'{"title": nope}', JSON, 400, "malformed_json", None, None),
    ("truncated JSON", lambda: b'{"title": "abc", "count": 1', JSON, 400, "malformed_json", None, None),
    ("trailing garbage", lambda: body({"title": t()}) + b" x", JSON, 400, "malformed_json", None, None),
    ("two objects", lambda: body({"title": t()}) + body({"title": t()}), JSON, 400, "malformed_json", None, None),
    ("empty body", lambda: b"", JSON, 400, "empty_body", None, None),
    ("array instead of object", lambda: body([{"title": t()}]), JSON, 400, "not_an_object", None, None),
    ("string instead of object", lambda: b'"title"', JSON, 400, "not_an_object", None, None),
    ("number instead of object", lambda: b"42", JSON, 400, "not_an_object", None, None),
    ("duplicate key", lambda: ('{"title":"%s","title":"%s"}' % (t(), t())).encode(), JSON,
     400, "duplicate_key", "title", None),
    ("unknown field tenant_id", lambda: body({"title": t(), "tenant_id": 7}), JSON,
     422, "unknown_field", "tenant_id", None),
    ("missing title", lambda: body({"count": 1}), JSON, 422, "missing_field", "title", None),
    ("title of wrong type", lambda: body({"title": 5}), JSON, 422, "wrong_type", "title", None),
    ("title null", lambda: body({"title": None}), JSON, 422, "wrong_type", "title", None),
    ("empty title", lambda: body({"title": ""}), JSON, 422, "empty", "title", None),
    ("count above range", lambda: body({"title": t(), "count": 1000001}), JSON,
     422, "out_of_range", "count", None),
    ("count below range", lambda: body({"title": t(), "count": -1}), JSON,
     422, "out_of_range", "count", None),
    ("count 1.5", lambda: body({"title": t(), "count": 1.5}), JSON, 422, "wrong_type", "count", None),
    ("count as a string", lambda: body({"title": t(), "count": "7"}), JSON, 422, "wrong_type", "count", None),
    ("done as a string", lambda: body({"title": t(), "done": "yes"}), JSON, 422, "wrong_type", "done", None),
    ("title 201 characters", lambda: body({"title": "a" * 201}), JSON, 422, "too_long", "title", None),
    ("title with a newline", lambda: body({"title": "a\nb"}), JSON, 422, "invalid_characters", "title", None),
    ("title with a tab", lambda: body({"title": "a\tb"}), JSON, 422, "invalid_characters", "title", None),
    ("date 2026-02-30", lambda: body({"title": t(), "due": "2026-02-30"}), JSON,
     422, "invalid_date", "due", None),
    ("date not YYYY-MM-DD", lambda: body({"title": t(), "due": "2026-2-3"}), JSON,
     422, "invalid_date", "due", None),
    ("invalid UTF-8 in a string", lambda: b'{"title":"ok \xff\xfe"}', JSON, 400, "malformed_json", None, None),
    ("truncated UTF-8 sequence", lambda: b'{"title":"ok \xc3"}', JSON, 400, "malformed_json", None, None),
    ("lone surrogate escape", lambda: b'{"title":"ok \\ud800"}', JSON, 400, "malformed_json", None, None),
    ("NUL escape in a string", lambda: b'{"title":"a\\u0000b"}', JSON, 400, "malformed_json", None, None),
    # The parser stops at 2048 levels; 3000 fit in the 4096-byte limit without closing brackets.
    ("nesting deeper than the parser allows", lambda: b'{"title":' + b"[" * 3000, JSON,
     400, "malformed_json", None, "depth"),
    # Depth 10000 needs 20000 bytes: the body limit refuses it before any parsing.
    ("nesting depth 10000", lambda: b"[" * 10000 + b"]" * 10000, JSON, 413, "too_large", None, None),
    ("number beyond int64", lambda: ('{"title":"%s","count":9223372036854775808}' % t()).encode(), JSON,
     400, "malformed_json", None, None),
    ("Content-Type text/plain", lambda: body({"title": t()}), "text/plain", 415, "unsupported_media_type", None, None),
    ("no Content-Type", lambda: body({"title": t()}), None, 415, "unsupported_media_type", None, None),
    ("form-urlencoded", lambda: b"title=x", "application/x-www-form-urlencoded",
     415, "unsupported_media_type", None, None),
    ("JSON in another charset", lambda: body({"title": t()}), JSON + "; charset=latin1",
     415, "unsupported_media_type", None, None),
    ("body over the 4096-byte limit", lambda: body({"title": t(), "x": "y" * 4100}), JSON,
     413, "too_large", None, None),
]

for _name, _mk, _ct, _status, _code, _field, _has in BAD:
    def _case(mk=_mk, ct=_ct, status=_status, code=_code, field=_field, has=_has):
        srv()
        rows = note_count()
        resp = unchanged(lambda: post_note(mk(), ct))
        assert_problem(resp, status, code, field, has)
        eq(note_count(), rows, "rows")
    suite.add("refused: %s" % _name, _case)


# ---- hand-crafted requests ----

HEAD = (b"POST /api/v1/test-notes HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
        b"X-Varn-Csrf: 1\r\n")


@test("Content-Length 5000 is refused with 413 before the body is sent")
def _():
    raw, how = unchanged(lambda: srv().raw(HEAD + b"Content-Length: 5000\r\n\r\n", wait=3 * SLOW))
    check(raw, "no answer without the body (the connection ended by %s)" % how)
    assert_problem(split_response(raw), 413, "too_large")
    check(how in ("closed", "reset"), "the connection stayed open (%s) for a body it will not read" % how)


@test("a chunked body growing past 4096 bytes is 413")
def _():
    chunks = b"".join(b"400\r\n" + b"a" * 1024 + b"\r\n" for _ in range(5))
    raw, how = unchanged(lambda: srv().raw(
        HEAD + b"Transfer-Encoding: chunked\r\n\r\n" + chunks + b"0\r\n\r\n", first=True))
    check(raw, "no answer (%s)" % how)
    assert_problem(split_response(raw), 413, "too_large")


@test("an endless chunked body is cut off without success")
def _():
    def send():
        s = srv().connect()
        s.settimeout(5 * SLOW)
        chunk = b"10000\r\n" + b"a" * 0x10000 + b"\r\n"
        got, ended = b"", None
        try:
            s.sendall(HEAD + b"Transfer-Encoding: chunked\r\n\r\n")
            # 4 MiB, well past what the server is willing to drop. No end and no half-close:
            # a server still reading it would leave us waiting for an answer until the timeout.
            for _ in range(64):
                s.sendall(chunk)
            while True:
                data = s.recv(65536)
                if not data:
                    break
                got += data
            ended = "closed"
        except (BrokenPipeError, ConnectionResetError):
            ended = "reset"
        except socket.timeout:
            ended = "timeout"
        finally:
            s.close()
        return got, ended
    got, ended = unchanged(send)
    check(ended in ("closed", "reset"), "the server kept reading an endless body (%s)" % ended)
    if got:
        st = split_response(got)[0]
        check(st >= 400, "status %d for an endless body" % st)


@test("a non-numeric Content-Length is 400 and the connection is closed")
def _():
    raw, how = unchanged(lambda: srv().raw(HEAD + b"Content-Length: abc\r\n\r\n{}"))
    check(raw, "no answer (%s)" % how)
    eq(split_response(raw)[0], 400, "status")
    check(how in ("closed", "reset"), "the connection stayed open (%s)" % how)
    eq(srv().request("GET", "/healthz")[0], 200, "healthz afterwards")


@test("a Content-Length shorter than the body: only the declared bytes are parsed")
def _():
    data = HEAD + b'Content-Length: 10\r\n\r\n{"title":"abcdefgh"}'
    raw, how = unchanged(lambda: srv().raw(data, first=True))
    check(raw, "no answer (%s)" % how)
    assert_problem(split_response(raw), 400, "malformed_json")


@test("a Content-Length longer than the body gets no success answer")
def _():
    data = HEAD + b"Content-Length: 100\r\n\r\n" + body({"title": t()})
    raw, how = unchanged(lambda: srv().raw(data, wait=1.0, shut_write=True))
    if raw:
        check(split_response(raw)[0] >= 400, "a short body was accepted: %r" % raw[:200])
    eq(srv().request("GET", "/healthz")[0], 200, "healthz afterwards")


# ---- graceful shutdown ----

_drain = {}


def drain():
    """SIGTERM while GET /api/v1/test-sleep?ms=1500 is in flight, on a server of its own."""
    if _drain:
        return _drain
    s = Server().start()
    slow = {}

    def client():
        try:
            slow["resp"] = s.request("GET", "/api/v1/test-sleep?ms=1500", timeout=20 * SLOW)
        except Exception as e:  # reported by the test that looks at it
            slow["error"] = repr(e)
        slow["done"] = time.monotonic()

    th = threading.Thread(target=client, daemon=True)
    th.start()
    time.sleep(0.3)
    s.signal(signal.SIGTERM)
    t_sig = time.monotonic()
    refused = None
    while time.monotonic() < t_sig + 3 * SLOW:
        try:
            socket.create_connection(("127.0.0.1", s.port), timeout=1).close()
        except (ConnectionRefusedError, ConnectionResetError):  # reset: dropped from the backlog
            refused = time.monotonic()
            break
        time.sleep(0.02)
    th.join(20 * SLOW)
    exited = None
    while time.monotonic() < t_sig + 10 * SLOW:
        if s.proc.poll() is not None:
            exited = time.monotonic()
            break
        time.sleep(0.02)
    _drain.update(server=s, slow=slow, t_sig=t_sig, refused=refused, exited=exited,
                  rc=s.stop(), log=s.log(), log_tail=s.log_text()[-2000:])
    return _drain


def drain_failed(what):
    """A failure message that carries the end of the server's log."""
    return "%s\nserver log ends:\n%s" % (what, _drain.get("log_tail", ""))


@test("SIGTERM: the request in flight still gets 200 {slept_ms: 1500}")
def _():
    d = drain()
    check("resp" in d["slow"], drain_failed("the slow request failed: %s" % d["slow"].get("error")))
    st, h, b = d["slow"]["resp"]
    eq(st, 200, "status")
    eq(json.loads(b), {"slept_ms": 1500}, "body")
    stopping = [l for l in d["log"] if l.get("msg") == "stopping"]
    eq(len(stopping), 1, "'stopping' log lines")
    eq(stopping[0].get("in_flight"), 1, "requests in flight at the signal")


@test("SIGTERM: new connections are refused at once, while the slow request runs")
def _():
    d = drain()
    check(d["refused"] is not None, "connections were still accepted 3 s after SIGTERM")
    check(d["refused"] - d["t_sig"] < 1.0 * SLOW, "refused only after %.2f s" % (d["refused"] - d["t_sig"]))
    check(d["refused"] < d["slow"].get("done", 0), "refusal came only after the slow request ended")


@test("SIGTERM: the process exits 0 within a few seconds")
def _():
    d = drain()
    check(d["exited"] is not None, "still running 10 s after SIGTERM")
    check(d["exited"] - d["t_sig"] < 5 * SLOW, "took %.1f s to exit" % (d["exited"] - d["t_sig"]))
    check(d["rc"] == 0, drain_failed("exit code %r, expected 0" % d["rc"]))


if __name__ == "__main__":
    main(suite)
