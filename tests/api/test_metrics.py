#!/usr/bin/env python3
"""GET /metrics: the Prometheus text format 0.0.4. Request counters and latency histograms per
route pattern (never the raw path), "unmatched" for 404s without a route, the findings gauges
read from the database and limited to the token's organisations, label escaping, access (an API
token with a role the matrix admits), and promtool's verdict on the output."""
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from varn_harness import SLOW, Server, Suite, check, contains, eq, main, run_varn

suite = Suite()
test = suite.test
state = {}

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
BOUNDS = ["0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5",
          "+Inf"]
STATUSES = ["ok", "due_soon", "overdue", "missing", "excepted", "not_tracked"]
# A section name with everything the format must escape, and Swedish letters and spaces.
NASTY = 'Åtkomst "styrning" \\ del\ntvå – ö'


def srv():
    if "srv" not in state:
        state["srv"] = Server().start()
    return state["srv"]


def token(org, role):
    r = run_varn("token", "create", "--org", org, "--role", role, "--name", "metrics test",
                 db=srv().db)
    eq(r.returncode, 0, "token create %s %s (%s)" % (org, role, r.stderr))
    return r.stdout.strip()


def tok(org="ITC", role="ciso"):
    key = (org, role)
    if key not in state:
        state[key] = token(org, role)
    return state[key]


def scrape(t=None):
    st, h, b = srv().request("GET", "/metrics",
                             headers={"Authorization": "Bearer " + (t or tok())})
    eq(st, 200, "GET /metrics (%r)" % b[:300])
    eq(h.get("content-type"), CONTENT_TYPE, "Content-Type")
    return b.decode("utf-8")


_LINE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$')
_LABEL = re.compile(r'\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\.)*)"\s*(,|$)')


def unescape(v):
    return re.sub(r'\\(.)', lambda m: {"n": "\n", "\\": "\\", '"': '"'}[m.group(1)], v)


def parse(text):
    """[(name, {label: value}, float)] of every sample; fails on a line that is not one."""
    out = []
    for line in text.split("\n"):
        if not line or line.startswith("#"):
            continue
        m = _LINE.match(line)
        check(m, "not a sample line: %r" % line)
        labels, rest = {}, m.group(2) or ""
        while rest:
            lm = _LABEL.match(rest)
            check(lm, "bad labels in %r at %r" % (line, rest))
            labels[lm.group(1)] = unescape(lm.group(2))
            rest = rest[lm.end():]
        out.append((m.group(1), labels, float(m.group(3))))
    return out


def value(samples, name, **labels):
    """The sample's value, or None when there is no such series."""
    for n, l, v in samples:
        if n == name and l == labels:
            return v
    return None


def get(path, headers=None, method="GET"):
    return srv().request(method, path, headers=headers)


# ---- access ----

@test("without a token /metrics is 401 and tells nothing")
def _():
    st, h, b = get("/metrics")
    eq(st, 401, "status")
    eq(h.get("content-type"), "application/problem+json", "Content-Type")
    check(b"varn_" not in b, "metrics leaked to an anonymous caller: %r" % b[:200])
    st, _, _ = get("/metrics", headers={"Authorization": "Bearer not-a-token"})
    eq(st, 401, "a wrong token")


@test("administrator, ciso and security_officer tokens may scrape; a user's token gets 403")
def _():
    for role in ("administrator", "ciso", "security_officer"):
        contains(scrape(tok("ITC", role)), "varn_build_info", "scrape as %s" % role)
    st, _, _ = get("/metrics", headers={"Authorization": "Bearer " + tok("ITC", "user")})
    eq(st, 403, "a user's token")


@test("an unknown query parameter is refused (422)")
def _():
    st, _, _ = get("/metrics?foo=1", headers={"Authorization": "Bearer " + tok()})
    eq(st, 422, "status")


# ---- request metrics ----

@test("varn_http_requests_total counts each response under its route pattern")
def _():
    before = parse(scrape())
    n0 = value(before, "varn_http_requests_total", route="/healthz", method="GET", status="200") or 0
    for _ in range(3):
        eq(get("/healthz")[0], 200, "healthz")
    after = parse(scrape())
    eq(value(after, "varn_http_requests_total", route="/healthz", method="GET", status="200"),
       n0 + 3, "healthz count after 3 requests")
    # The refusal of the first test was counted under /metrics, with its status.
    check((value(after, "varn_http_requests_total", route="/metrics", method="GET",
                 status="401") or 0) >= 2, "the 401s of /metrics")
    check(value(after, "varn_http_requests_total", route="/metrics", method="GET",
                status="200") >= 1, "earlier scrapes")


@test("a histogram per route pattern and method: cumulative buckets, +Inf equals _count, _sum")
def _():
    h = {"Authorization": "Bearer " + tok()}
    labels = dict(route="/api/v1/organisations/{code}", method="GET")
    before = parse(scrape())
    c0 = value(before, "varn_http_request_duration_seconds_count", **labels) or 0
    s0 = value(before, "varn_http_request_duration_seconds_sum", **labels) or 0
    eq(get("/api/v1/organisations/ITC", headers=h)[0], 200, "organisation ITC")
    eq(get("/api/v1/organisations/NOSUCH", headers=h)[0], 404, "a missing organisation")
    text = scrape()
    samples = parse(text)
    eq(value(samples, "varn_http_request_duration_seconds_count", **labels), c0 + 2, "_count")
    check(value(samples, "varn_http_request_duration_seconds_sum", **labels) > s0, "_sum grew")
    buckets = [value(samples, "varn_http_request_duration_seconds_bucket", le=le, **labels)
               for le in BOUNDS]
    check(None not in buckets, "every bucket present: %r" % buckets)
    eq(sorted(buckets), buckets, "buckets are cumulative")
    eq(buckets[-1], c0 + 2, "+Inf bucket equals _count")
    eq(value(samples, "varn_http_requests_total", status="404", **labels) >= 1, True,
       "the 404 of a known route keeps its pattern")
    check("/api/v1/organisations/ITC" not in text and "NOSUCH" not in text,
          "a raw path became a label")


@test("a request no route matches counts as route=\"unmatched\", its path nowhere")
def _():
    for _ in range(2):
        eq(get("/api/v1/no-such-route-4711")[0], 404, "unknown API path")
    eq(get("/api/v1/no-such-route-4711", method="BREW")[0], 404, "unknown method and path")
    eq(get("/healthz", method="DELETE")[0], 405, "a method the route lacks")
    eq(get("/no-such-page-4711")[0], 200, "a UI path (index.html)")
    text = scrape()
    samples = parse(text)
    check((value(samples, "varn_http_requests_total", route="unmatched", method="GET",
                 status="404") or 0) >= 2, "unmatched 404s")
    check((value(samples, "varn_http_requests_total", route="unmatched", method="other",
                 status="404") or 0) >= 1, "an invented method is 'other'")
    check((value(samples, "varn_http_requests_total", route="unmatched", method="DELETE",
                 status="405") or 0) >= 1, "405 has no route either")
    check((value(samples, "varn_http_requests_total", route="ui", method="GET",
                 status="200") or 0) >= 1, "the UI's answers are route=ui")
    check("4711" not in text and "BREW" not in text, "a raw path or method became a label")
    routes = {l.get("route") for n, l, v in samples if n == "varn_http_requests_total"}
    for r in routes:
        check(r in ("unmatched", "ui") or r.startswith("/"), "route label %r" % r)


# ---- findings ----

def world():
    """NORRBY and SODERAS under ITC, findings in both, and the engine's state."""
    if "world" in state:
        return state["world"]
    admin = {"Authorization": "Bearer " + tok("ITC", "administrator")}
    for code, number in (("NORRBY", "212000-0142"), ("SODERAS", "212000-0159")):
        st, _, b = srv().request("POST", "/api/v1/organisations", headers=admin,
                                 body={"code": code, "name": code.title() + " kommun",
                                       "kind": "municipality", "parent_code": "ITC",
                                       "org_number": number})
        eq(st, 201, "create %s: %r" % (code, b[:300]))
    rows = [("NORRBY", "Patchning", "ok", 3), ("NORRBY", "Patchning", "overdue", 2),
            ("NORRBY", NASTY, "missing", 1), ("SODERAS", "Patchning", "due_soon", 4),
            ("SODERAS", "SODERAS hemlig sektion", "overdue", 5), ("ITC", "Patchning", "ok", 1)]
    con = sqlite3.connect(srv().db, timeout=10 * SLOW)
    try:
        ids = dict(con.execute("SELECT code, id FROM organisation"))
        for org, section, status, n in rows:
            for i in range(n):
                con.execute(
                    "INSERT INTO finding (organisation_id, profile_code, profile_version,"
                    " obligation, cite, section, rule, subject_kind, subject_ref, subject_name,"
                    " status, due, evaluated_at) VALUES (?, 'kommun', '1', 'patch', '4.2', ?,"
                    " 'r', 'organisation', ?, ?, ?, NULL, '2026-11-22T08:00:00Z')",
                    (ids[org], section, org, org, status))
        con.commit()
    finally:
        con.close()
    state["world"] = rows
    return rows


@test("no engine state yet: no evaluated timestamp; findings gauges exist only for findings")
def _():
    samples = parse(scrape())
    eq([s for s in samples if s[0].startswith("varn_findings")], [], "findings samples")


@test("varn_findings matches the inserted rows, every status of a section, zeros included")
def _():
    world()
    samples = parse(scrape(tok("ITC", "ciso")))
    expected = {("NORRBY", "Patchning"): {"ok": 3, "overdue": 2},
                ("NORRBY", NASTY): {"missing": 1},
                ("SODERAS", "Patchning"): {"due_soon": 4},
                ("SODERAS", "SODERAS hemlig sektion"): {"overdue": 5},
                ("ITC", "Patchning"): {"ok": 1}}
    for (org, section), counts in expected.items():
        for status in STATUSES:
            eq(value(samples, "varn_findings", organisation=org, section=section, status=status),
               float(counts.get(status, 0)), "varn_findings %s %r %s" % (org, section, status))
    got = [s for s in samples if s[0] == "varn_findings"]
    eq(len(got), len(expected) * len(STATUSES), "number of findings series")


@test("label values are escaped: backslash, double quote and line feed; UTF-8 kept")
def _():
    world()
    text = scrape(tok("ITC", "ciso"))
    contains(text, 'section="Åtkomst \\"styrning\\" \\\\ del\\ntvå – ö"', "escaped section")
    for line in text.split("\n"):
        check(not line.startswith("två"), "a raw line feed split a sample: %r" % line)


@test("a NORRBY token sees NORRBY's findings only: SODERAS's and ITC's are absent")
def _():
    world()
    for role in ("ciso", "security_officer", "administrator"):
        text = scrape(tok("NORRBY", role))
        samples = parse(text)
        orgs = {l["organisation"] for n, l, v in samples if n == "varn_findings"}
        eq(orgs, {"NORRBY"}, "organisations in a NORRBY %s's scrape" % role)
        check("SODERAS" not in text and "hemlig" not in text,
              "SODERAS leaks to NORRBY's %s" % role)
        eq(value(samples, "varn_findings", organisation="NORRBY", section="Patchning",
                 status="overdue"), 2.0, "NORRBY's own count")
        # Request metrics are operational, the same for every scraper.
        check(value(samples, "varn_http_requests_total", route="/healthz", method="GET",
                    status="200") >= 3, "request metrics in a NORRBY scrape")


@test("varn_findings_evaluated_timestamp_seconds is the engine state's evaluated_at")
def _():
    world()
    con = sqlite3.connect(srv().db, timeout=10 * SLOW)
    try:
        con.execute("INSERT INTO engine_state (id, audit_seq, day, profiles, evaluated_at,"
                    " duration_us) VALUES (1, 1, '2026-11-22', '[]', '2026-11-22T08:00:00Z', 10)")
        con.commit()
    finally:
        con.close()
    samples = parse(scrape())
    eq(value(samples, "varn_findings_evaluated_timestamp_seconds"), 1795334400.0,
       "2026-11-22T08:00:00Z")


@test("varn_build_info has the version; process_start_time_seconds is this process's start")
def _():
    samples = parse(scrape())
    st, _, doc = srv().json("GET", "/api/v1/openapi.json")
    eq(value(samples, "varn_build_info", version=doc["info"]["version"]), 1.0, "build info")
    started = value(samples, "process_start_time_seconds")
    check(started is not None and time.time() - 3600 < started <= time.time(),
          "process_start_time_seconds %r" % started)


@test("the API document lists /metrics as a route for roles, with its matrix roles")
def _():
    st, _, doc = srv().json("GET", "/api/v1/openapi.json")
    op = doc["paths"]["/metrics"]["get"]
    eq(op.get("x-varn-access"), "roles", "access")
    eq(sorted(op.get("x-varn-roles", [])), ["administrator", "ciso", "security_officer"], "roles")


@test("promtool check metrics accepts the output")
def _():
    world()
    promtool = shutil.which("promtool")
    if not promtool:
        from varn_harness import Skip
        raise Skip("promtool is not installed (Debian package prometheus; make deps installs it)")
    text = scrape()
    r = subprocess.run([promtool, "check", "metrics"], input=text.encode(), capture_output=True,
                       timeout=30 * SLOW)
    eq((r.returncode, r.stdout.decode() + r.stderr.decode()), (0, ""), "promtool's verdict")


@test("the server stops cleanly")
def _():
    eq(srv().stop(), 0, "exit code")


if __name__ == "__main__":
    main(suite)
