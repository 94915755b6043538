#!/usr/bin/env python3
"""GET /metrics: the Prometheus text format 0.0.4. Request counters and latency histograms per
route pattern (never the raw path), "unmatched" for 404s without a route, the findings gauges
read from the database and limited to the token's organisations, label escaping, access (an API
token with a role the matrix admits), and promtool's verdict on the output."""
import calendar
import json
import os
import re
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from varn_harness import (SLOW, Server, Suite, check, contains, eq, luhn_number,  # noqa: E402
                          main, run_varn, sql_rows, tempdir, wait_for)

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
# The findings are the policy engine's: `varn serve` re-evaluates every assigned profile and
# replaces the finding table whenever the audit log's head moves (a token, an import), so the
# world is built through the product and the gauges are compared with the table it wrote.

def attestation(oid, cite, section):
    return {"id": oid, "cite": cite, "section": section, "text": "Nämnden följer upp arbetet.",
            "rule": "attestation", "params": {"interval": "P1Y", "warn": "P30D"},
            "responsible": "committee_member", "responsible_text": "Nämnden"}


# Assigned to NORRBY and SODERAS: one `missing` finding per organisation and attestation (no
# attestation is ever made), one `not_tracked` for the restore-test rule (its module is not
# built).
METRIK = {
    "format": 1, "code": "metrik", "version": "test-1", "title": "Metrikpolicy för testerna",
    "sections": [NASTY, "Patchning"],
    "paragraphs": {"§ atk.1": "Åtkomsten styrs och följs upp.",
                   "§ patch.1": "System patchas i tid."},
    "obligations": [
        attestation("M-ATK", "§ atk.1", NASTY),
        attestation("M-PAT", "§ patch.1", "Patchning"),
        {"id": "M-RST", "cite": "§ patch.1", "section": "Patchning",
         "text": "Återläsning testas varje år.", "rule": "restore_test_max_age",
         "params": {"max_age": "P1Y"}, "applies_to": {"kind": "system"},
         "responsible": "system_owner"},
    ],
}
# Assigned to SODERAS only: a section no other organisation has, for the leak check.
HEMLIG = {
    "format": 1, "code": "hemlig", "version": "test-1", "title": "Söderås egen policy",
    "sections": ["SODERAS hemlig sektion"],
    "paragraphs": {"§ hemlig.1": "Söderås följer upp sitt eget arbete."},
    "obligations": [attestation("H-ATT", "§ hemlig.1", "SODERAS hemlig sektion")],
}


def cli(*args):
    r = run_varn(*args, db=srv().db)
    eq(r.returncode, 0, "varn %s: %s" % (" ".join(args), r.stderr))
    return r


def write_json(d, name, doc):
    path = os.path.join(d, name)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False)
    return path


def world():
    """NORRBY and SODERAS under ITC, both under the profile metrik, SODERAS also under hemlig;
    ITC under the built-in itcentrum as init left it."""
    if "world" in state:
        return
    d = tempdir()
    orgs = os.path.join(d, "orgs.csv")
    with open(orgs, "w", encoding="utf-8") as f:
        f.write("code,name,kind,parent_code,org_number\n"
                "NORRBY,Norrby kommun,municipality,ITC,%s\n"
                "SODERAS,Söderås kommun,municipality,ITC,%s\n"
                % (luhn_number("212000014"), luhn_number("212000015")))
    cli("import", "organisations", orgs)
    cli("policy", "import", write_json(d, "metrik.json", METRIK))
    cli("policy", "import", write_json(d, "hemlig.json", HEMLIG))
    cli("policy", "assign", "--org", "NORRBY", "metrik")
    cli("policy", "assign", "--org", "SODERAS", "metrik")
    cli("policy", "assign", "--org", "SODERAS", "hemlig")
    state["world"] = True


def engine_state():
    """(audit_seq, evaluated_at) of the engine's state, or None before its first evaluation."""
    rows = sql_rows(srv().db, "SELECT audit_seq, evaluated_at FROM engine_state")
    return rows[0] if rows else None


def caught_up():
    """The engine state once the refresher has evaluated the audit log's head."""
    def ready():
        es = engine_state()
        head = sql_rows(srv().db, "SELECT max(seq) FROM audit_log")[0][0]
        return es if es and es[0] == head else None
    es = wait_for(ready, timeout=30 * SLOW)  # the refresher runs every 5 s
    check(es, "the refresher did not catch up with the audit log: engine_state %r, head %r"
          % (engine_state(), sql_rows(srv().db, "SELECT max(seq) FROM audit_log")))
    return es


def table_counts(orgs=None):
    """{(organisation, section): {status: count}} read from the finding table."""
    out = {}
    for org, section, status, n in sql_rows(
            srv().db, "SELECT o.code, f.section, f.status, count(*) FROM finding f"
                      " JOIN organisation o ON o.id = f.organisation_id"
                      " GROUP BY o.code, f.section, f.status"):
        if orgs is None or org in orgs:
            out.setdefault((org, section), {})[status] = n
    return out


def settled_scrape(t, orgs=None):
    """(scrape text, its samples, the table's counts, the engine state) taken while the
    refresher stood still: the engine state is the same before and after."""
    for _ in range(5):
        es = caught_up()
        expected = table_counts(orgs)
        text = scrape(t)
        if engine_state() == es and table_counts(orgs) == expected:
            return text, parse(text), expected, es
    raise AssertionError("the findings kept changing under the scrape")


def same_findings(samples, expected, who):
    """Every organisation and section of expected with all six statuses, zeros included, and
    no other varn_findings series."""
    check(expected, "no findings in the table to compare with (%s)" % who)
    for (org, section), counts in sorted(expected.items()):
        check(set(counts) <= set(STATUSES), "unknown status in the table: %r" % counts)
        for status in STATUSES:
            eq(value(samples, "varn_findings", organisation=org, section=section, status=status),
               float(counts.get(status, 0)),
               "varn_findings %s %r %s (%s)" % (org, section, status, who))
    got = sorted((l["organisation"], l["section"], l["status"])
                 for n, l, v in samples if n == "varn_findings")
    want = sorted((org, section, status) for org, section in expected for status in STATUSES)
    eq(got, want, "the varn_findings series (%s)" % who)


@test("right after start the engine has evaluated ITC's profile: the gauges equal the table")
def _():
    t = tok("ITC", "ciso")
    text, samples, expected, es = settled_scrape(t)
    eq({org for org, _ in expected}, {"ITC"}, "organisations with findings before the world")
    same_findings(samples, expected, "ITC ciso")
    check(value(samples, "varn_findings_evaluated_timestamp_seconds") is not None,
          "the evaluated timestamp")


@test("varn_findings matches the finding table, every status of a section, zeros included")
def _():
    world()
    text, samples, expected, es = settled_scrape(tok("ITC", "ciso"))
    # The world as built: metrik's sections in both, hemlig's in SODERAS only.
    for org in ("NORRBY", "SODERAS"):
        eq(expected.get((org, NASTY)), {"missing": 1}, "%s's attestation in %r" % (org, NASTY))
        eq(expected.get((org, "Patchning")), {"missing": 1, "not_tracked": 1},
           "%s's Patchning" % org)
    eq(expected.get(("SODERAS", "SODERAS hemlig sektion")), {"missing": 1}, "SODERAS's own")
    eq(expected.get(("NORRBY", "SODERAS hemlig sektion")), None, "NORRBY has no hemlig")
    check(any(org == "ITC" for org, _ in expected), "ITC's itcentrum findings")
    same_findings(samples, expected, "ITC ciso")


@test("label values are escaped: backslash, double quote and line feed; UTF-8 kept")
def _():
    world()
    text, samples, expected, es = settled_scrape(tok("ITC", "ciso"))
    check(("NORRBY", NASTY) in expected, "the NASTY section has findings")
    contains(text, 'varn_findings{organisation="NORRBY",section="Åtkomst \\"styrning\\" \\\\ '
                   'del\\ntvå – ö",status="missing"} 1\n', "escaped section")
    for line in text.split("\n"):
        check(not line.startswith("två"), "a raw line feed split a sample: %r" % line)


@test("a NORRBY token sees NORRBY's findings only: SODERAS's and ITC's are absent")
def _():
    world()
    tokens = [(role, tok("NORRBY", role)) for role in ("ciso", "security_officer",
                                                       "administrator")]
    for role, t in tokens:
        text, samples, expected, es = settled_scrape(t, orgs={"NORRBY"})
        orgs = {l["organisation"] for n, l, v in samples if n == "varn_findings"}
        eq(orgs, {"NORRBY"}, "organisations in a NORRBY %s's scrape" % role)
        check("SODERAS" not in text and "hemlig" not in text,
              "SODERAS leaks to NORRBY's %s" % role)
        check('organisation="ITC"' not in text, "ITC leaks to NORRBY's %s" % role)
        same_findings(samples, expected, "NORRBY %s" % role)
        # Request metrics are operational, the same for every scraper.
        check(value(samples, "varn_http_requests_total", route="/healthz", method="GET",
                    status="200") >= 3, "request metrics in a NORRBY scrape")


def unix_time(at):
    """An RFC 3339 UTC time (Z, optional fraction) as whole Unix seconds."""
    m = re.fullmatch(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?Z", at)
    check(m, "engine_state.evaluated_at %r" % at)
    return calendar.timegm(time.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S"))


@test("varn_findings_evaluated_timestamp_seconds is the engine state's evaluated_at")
def _():
    world()
    text, samples, expected, (seq, at) = settled_scrape(tok("ITC", "ciso"))
    t = value(samples, "varn_findings_evaluated_timestamp_seconds")
    eq(t, float(unix_time(at)), "evaluated_at %s" % at)
    check(time.time() - 3600 < t <= time.time() + 1, "a recent evaluation: %r" % t)


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
