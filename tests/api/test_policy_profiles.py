#!/usr/bin/env python3
"""The two built-in policy profiles (policies/itcentrum.json and policies/ostersund.json)
against the requirements register and against docs/policy-profiles.md: every register row is
accounted for by exactly one obligation of the right profile (same id, same § cite), no
obligation is invented, and each profile has the documented shape. When the seeds are at hand
(../shared/seeds next to the repository) the profiles' paragraphs are also compared with the
Swedish policy texts.

Standard library only; needs no varn binary. Environment: VARN_SOURCE_ROOT (the repository;
by default the directory two levels above this file).
"""
import copy
import json
import os
import re
import sys
import traceback

SOURCE_ROOT = os.path.abspath(os.environ.get("VARN_SOURCE_ROOT") or os.path.dirname(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
SEEDS = os.path.join(os.path.dirname(SOURCE_ROOT), "shared", "seeds")
SHARED_REGISTER = os.path.join(SEEDS, "requirements.md")
FIXTURE_REGISTER = os.path.join(SOURCE_ROOT, "tests", "fixtures", "requirements.md")

# code -> (row id prefix, expected row count, Swedish policy text in the seeds)
PROFILES = {
    "itcentrum": ("ITC-", 75, "itcentrum-policy.sv.md"),
    "ostersund": ("OST-", 29, "ostersund-policy.sv.md"),
}

# ---- docs/policy-profiles.md, as data ----

TOP_REQUIRED = {"format", "code", "version", "title", "sections", "paragraphs", "obligations"}
TOP_OPTIONAL = {"decided"}
OBL_REQUIRED = {"id", "cite", "section", "text", "rule", "params", "responsible"}
OBL_OPTIONAL = {"kind", "applies_to", "responsible_text"}
KINDS = {"duty", "scope", "status", "aspiration", "sanction"}

# rule -> (subject kind or None, accepted parameters, required parameters). The document marks
# only attestation's interval as required; the rules of modules not built yet also need their
# max_age, interval, deadline or notice, since they have no default to fall back on.
RULES = {
    "information": (None, set(), set()),
    "attestation": ("organisation", {"interval", "warn"}, {"interval"}),
    "system_owner_assigned": ("system", {"warn"}, set()),
    "system_classified": ("system", set(), set()),
    "mfa_enforced": ("system", {"requirement"}, set()),
    "catalog_complete": ("system", {"warn"}, set()),
    "information_owner_assigned": ("information", {"warn"}, set()),
    "classification_current": ("information", {"max_age", "warn"}, set()),
    "risk_assessment_max_age": ("system", {"max_age", "warn"}, {"max_age"}),
    "risk_assessment_after_change": ("system", {"deadline", "warn"}, set()),
    "risk_measures_done": ("risk_measure", {"warn"}, set()),
    "risk_participation": ("risk_assessment", set(), set()),
    "risk_treatment_documented": ("risk", {"warn"}, set()),
    "access_unique_identity": ("account", {"warn"}, set()),
    "access_least_privilege": ("grant", {"max_age", "warn"}, set()),
    "access_request_approval": ("grant", {"deadline", "warn"}, set()),
    "access_review_max_age": ("system", {"max_age", "warn"}, {"max_age"}),
    "access_review_on_role_change": ("person", {"warn"}, set()),
    "access_offboarding": ("person", {"notice"}, {"notice"}),
    "access_privileged_mfa": ("system", {"requirement"}, set()),
    "incident_reporting": ("organisation", {"deadline"}, {"deadline"}),
    "incident_escalation": ("organisation", set(), set()),
    "restore_test_max_age": ("system", {"max_age", "warn"}, {"max_age"}),
    "patch_deadline": ("organisation", {"deadline", "warn"}, {"deadline"}),
    "training_completion": ("organisation", {"interval", "warn"}, {"interval"}),
    "compliance_review": ("organisation", {"interval", "warn"}, {"interval"}),
    "policy_revision": ("organisation", {"interval", "warn"}, {"interval"}),
}
PERIOD_PARAMS = {"interval", "warn", "max_age", "deadline", "notice"}
PERIOD = re.compile(r"^P(?=\d)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?$")

# The role ids of db/migrations/0002_identity.sql.
ROLES = {"administrator", "ciso", "security_officer", "system_owner", "information_owner",
         "manager", "head_of_administration", "dpo", "committee_member", "user",
         "supplier_contact", "external_party"}
RESPONSIBLE_BY_SUBJECT = {
    "system": {"system_owner", "system_administrator"},
    "information": {"information_owner"},
    "organisation": ROLES,
    "risk": ROLES | {"risk_owner"},
    "risk_measure": ROLES | {"measure_owner", "risk_owner"},
    "risk_assessment": ROLES,  # information_owner and system_owner: the invited ones
    "account": ROLES | {"system_owner", "system_administrator"},
    "person": ROLES,  # manager: the person's own manager
    "grant": ROLES,  # information_owner: the system's; manager: the account holder's
}
# Rules that name a person of their own beside their subject's.
RESPONSIBLE_BY_RULE = {"access_review_max_age": {"information_owner"}}
LIFECYCLES = {"planned", "production", "decommissioning", "retired"}
ORG_KINDS = {"it_centre", "municipality", "company", "foundation", "supplier", "external"}
WHERE_KEYS = {"system": {"lifecycle": LIFECYCLES}, "organisation": {"kind": ORG_KINDS},
              "account": {}, "person": {}, "grant": {},
              "information": {}, "risk": {}, "risk_measure": {}, "risk_assessment": {}}

CODE = re.compile(r"^[a-z0-9_-]{1,32}$")
# docs/policy-profiles.md says [A-Z0-9-]{1,32}, but the register has OST-POL-14a and
# OST-POL-14b, and an obligation keeps its register id: lower case is let through here.
OBL_ID = re.compile(r"^[A-Za-z0-9-]{1,32}$")
PARA_ID = re.compile(r"^§ [a-z0-9-]+\.[0-9]+$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MARKER = re.compile(r"^\[(Scope|Status|Aspiration|Sanction)\]")


# ---- TAP, as in varn_harness.Suite but without the binary ----

class Skip(Exception):
    """Raise in a test to report it as skipped, with the reason."""


class Suite:
    def __init__(self):
        self.tests = []

    def test(self, name):
        def register(fn):
            self.tests.append((name, fn))
            return fn
        return register

    def run(self):
        print("TAP version 14")
        print("1..%d" % len(self.tests), flush=True)
        passed = failed = 0
        for n, (name, fn) in enumerate(self.tests, 1):
            name = name.replace("#", "no.")
            try:
                fn()
            except Skip as e:
                print("ok %d - %s # SKIP %s" % (n, name, e), flush=True)
                passed += 1
                continue
            except AssertionError as e:
                print("not ok %d - %s" % (n, name))
                for line in str(e).splitlines():
                    print("# " + line)
                failed += 1
                continue
            except Exception:
                print("not ok %d - %s" % (n, name))
                for line in traceback.format_exc().rstrip().splitlines()[-12:]:
                    print("# " + line)
                failed += 1
                continue
            print("ok %d - %s" % (n, name), flush=True)
            passed += 1
        print("%d passed, %d failed" % (passed, failed), flush=True)
        return 1 if failed else 0


def no_errors(errors, what):
    if errors:
        shown = errors[:40] + (["... and %d more" % (len(errors) - 40)] if len(errors) > 40 else [])
        raise AssertionError("%s: %d error(s)\n%s" % (what, len(errors), "\n".join(shown)))


def eq(actual, expected, what):
    if actual != expected:
        raise AssertionError("%s: expected %r, got %r" % (what, expected, actual))


# ---- the register ----

def register_path():
    return SHARED_REGISTER if os.path.exists(SHARED_REGISTER) else FIXTURE_REGISTER


def parse_register(text):
    """Every table row whose first cell is an ITC-/OST- id: (id, § id, kind), in order."""
    rows = []
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 3 or not re.match(r"^(ITC|OST)-", cells[0]):
            continue
        m = re.match(r"^(§ [a-z0-9-]+\.[0-9]+)\b", cells[1])
        if not m:
            raise AssertionError("register row %s: no § id in %r" % (cells[0], cells[1]))
        mk = MARKER.match(cells[2])
        rows.append((cells[0], m.group(1), mk.group(1).lower() if mk else "duty"))
    return rows


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


REGISTER = parse_register(read(register_path()))


def rows_of(code):
    prefix = PROFILES[code][0]
    return [r for r in REGISTER if r[0].startswith(prefix)]


# ---- the profiles ----

def profile_path(code):
    return os.path.join(SOURCE_ROOT, "policies", code + ".json")


def load(code):
    with open(profile_path(code), encoding="utf-8") as f:
        return json.load(f)


def check_period(value, where, errors):
    if not isinstance(value, str) or not PERIOD.match(value):
        errors.append("%s: %r is not an ISO 8601 period PnYnMnWnD" % (where, value))


def check_structure(code, p):
    """Every rule of docs/policy-profiles.md a file can break; a list of messages."""
    errors = []
    if not isinstance(p, dict):
        return ["%s: not a JSON object" % code]
    for k in sorted(TOP_REQUIRED - set(p)):
        errors.append("%s: missing field '%s'" % (code, k))
    for k in sorted(set(p) - TOP_REQUIRED - TOP_OPTIONAL):
        errors.append("%s: unknown field '%s'" % (code, k))
    if p.get("format") != 1 or isinstance(p.get("format"), bool):
        errors.append("%s: field 'format': expected 1, got %r" % (code, p.get("format")))
    if not isinstance(p.get("code"), str) or not CODE.match(p["code"]) or p["code"] != code:
        errors.append("%s: field 'code': %r (expected %r)" % (code, p.get("code"), code))
    v = p.get("version")
    if not isinstance(v, str) or not v or len(v) > 32:
        errors.append("%s: field 'version': %r is not text of 1 to 32 characters" % (code, v))
    if not isinstance(p.get("title"), str) or not p["title"].strip():
        errors.append("%s: field 'title' is not a non-empty text" % code)
    if "decided" in p:
        d = p["decided"]
        if not isinstance(d, dict) or set(d) - {"by", "date"}:
            errors.append("%s: field 'decided': expected an object with 'by' and 'date'" % code)
        else:
            if "by" in d and (not isinstance(d["by"], str) or not d["by"].strip()):
                errors.append("%s: field 'decided.by' is not a non-empty text" % code)
            if d.get("date") is not None and (not isinstance(d["date"], str)
                                               or not DATE.match(d["date"])):
                errors.append("%s: field 'decided.date': %r is not YYYY-MM-DD or null"
                              % (code, d["date"]))
    sections = p.get("sections")
    if (not isinstance(sections, list) or not sections
            or not all(isinstance(s, str) and s.strip() for s in sections)):
        errors.append("%s: field 'sections' is not a non-empty list of texts" % code)
        sections = []
    elif len(set(sections)) != len(sections):
        errors.append("%s: field 'sections' names a section twice" % code)
    paragraphs = p.get("paragraphs")
    if not isinstance(paragraphs, dict) or not paragraphs:
        errors.append("%s: field 'paragraphs' is not a non-empty object" % code)
        paragraphs = {}
    for k, t in paragraphs.items():
        if not PARA_ID.match(k):
            errors.append("%s: paragraph key %r is not a § id" % (code, k))
        if not isinstance(t, str) or not t.strip():
            errors.append("%s: paragraph %r has no text" % (code, k))
    order = {k: i for i, k in enumerate(paragraphs)}
    obligations = p.get("obligations")
    if not isinstance(obligations, list) or not obligations:
        errors.append("%s: field 'obligations' is not a non-empty list" % code)
        obligations = []
    seen = set()
    last = -1
    for n, o in enumerate(obligations):
        if not isinstance(o, dict):
            errors.append("%s: obligation %d is not an object" % (code, n))
            continue
        name = "%s: obligation %s" % (code, o.get("id", "#%d" % n))
        for k in sorted(OBL_REQUIRED - set(o)):
            errors.append("%s: missing field '%s'" % (name, k))
        for k in sorted(set(o) - OBL_REQUIRED - OBL_OPTIONAL):
            errors.append("%s: unknown field '%s'" % (name, k))
        oid = o.get("id")
        if not isinstance(oid, str) or not OBL_ID.match(oid):
            errors.append("%s: field 'id': %r" % (name, oid))
        elif oid in seen:
            errors.append("%s: field 'id': not unique in the profile" % name)
        seen.add(oid)
        cite = o.get("cite")
        if cite not in order:
            errors.append("%s: field 'cite': %r is not a paragraph of this profile" % (name, cite))
        else:
            if order[cite] < last:
                errors.append("%s: field 'cite': %s comes before the previous obligation's "
                              "paragraph (obligations are in document order)" % (name, cite))
            last = max(last, order[cite])
        if o.get("section") not in sections:
            errors.append("%s: field 'section': %r is not one of 'sections'"
                          % (name, o.get("section")))
        kind = o.get("kind", "duty")
        if kind not in KINDS:
            errors.append("%s: field 'kind': %r" % (name, kind))
        if not isinstance(o.get("text"), str) or not o["text"].strip():
            errors.append("%s: field 'text' is not a non-empty text" % name)
        if "responsible_text" in o and (not isinstance(o["responsible_text"], str)
                                        or not o["responsible_text"].strip()):
            errors.append("%s: field 'responsible_text' is not a non-empty text" % name)
        rule = o.get("rule")
        if rule not in RULES:
            errors.append("%s: field 'rule': unknown rule kind %r" % (name, rule))
            continue
        subject, accepted, required = RULES[rule]
        if (rule == "information") != (kind != "duty"):
            errors.append("%s: field 'rule': a %s row %s" % (
                name, kind, "must use 'information'" if kind != "duty"
                else "cannot use 'information' (it finds nothing)"))
        params = o.get("params")
        if not isinstance(params, dict):
            errors.append("%s: field 'params' is not an object" % name)
            params = {}
        for k in sorted(set(params) - accepted):
            errors.append("%s: field 'params.%s': rule %s takes no such parameter"
                          % (name, k, rule))
        for k in sorted(required - set(params)):
            errors.append("%s: field 'params.%s': required by rule %s" % (name, k, rule))
        for k, val in params.items():
            if k in PERIOD_PARAMS:
                check_period(val, "%s: field 'params.%s'" % (name, k), errors)
            elif k == "requirement" and (not isinstance(val, str) or not val):
                errors.append("%s: field 'params.requirement': %r" % (name, val))
        if "applies_to" in o:
            a = o["applies_to"]
            if subject is None:
                errors.append("%s: field 'applies_to': rule %s has no subject" % (name, rule))
            elif not isinstance(a, dict) or set(a) - {"kind", "where"}:
                errors.append("%s: field 'applies_to': expected {kind, where}" % name)
            elif a.get("kind") != subject:
                errors.append("%s: field 'applies_to.kind': %r, but rule %s judges %s"
                              % (name, a.get("kind"), rule, subject))
            else:
                where = a.get("where", {})
                allowed = WHERE_KEYS[subject]
                if not isinstance(where, dict):
                    errors.append("%s: field 'applies_to.where' is not an object" % name)
                    where = {}
                for k, vals in where.items():
                    if k not in allowed:
                        errors.append("%s: field 'applies_to.where.%s': %s subjects cannot be "
                                      "filtered by it" % (name, k, subject))
                    elif (not isinstance(vals, list) or not vals
                          or len(set(vals)) != len(vals) or not set(vals) <= allowed[k]):
                        errors.append("%s: field 'applies_to.where.%s': %r is not a list of "
                                      "distinct values of %s" % (name, k, vals, sorted(allowed[k])))
        resp = o.get("responsible")
        if rule == "information":
            if resp is not None:
                errors.append("%s: field 'responsible': must be null for an information row"
                              % name)
        elif resp not in RESPONSIBLE_BY_SUBJECT[subject] | RESPONSIBLE_BY_RULE.get(rule, set()):
            errors.append("%s: field 'responsible': %r is not one of %s for a %s subject"
                          % (name, resp, sorted(RESPONSIBLE_BY_SUBJECT[subject]), subject))
    return errors


def check_coverage(code, p, register):
    """Every register row of the profile's policy is accounted for by exactly one obligation
    with the same id and cite; no obligation outside the register."""
    errors = []
    prefix = PROFILES[code][0]
    rows = [r for r in register if r[0].startswith(prefix)]
    by_id = {}
    for o in p.get("obligations", []):
        by_id.setdefault(o.get("id"), []).append(o)
    known = {r[0]: r for r in register}
    for rid, cite, kind in rows:
        found = by_id.get(rid, [])
        if not found:
            errors.append("%s: register row %s (%s) has no obligation" % (code, rid, cite))
            continue
        if len(found) > 1:
            errors.append("%s: register row %s has %d obligations" % (code, rid, len(found)))
        for o in found:
            if o.get("cite") != cite:
                errors.append("%s: obligation %s cites %r, the register %r"
                              % (code, rid, o.get("cite"), cite))
            if o.get("kind", "duty") != kind:
                errors.append("%s: obligation %s has kind %r, the register marks it %r"
                              % (code, rid, o.get("kind", "duty"), kind))
    for oid in by_id:
        if oid not in known:
            errors.append("%s: obligation %s is not in the register" % (code, oid))
        elif not str(oid).startswith(prefix):
            errors.append("%s: obligation %s belongs to the other policy" % (code, oid))
    ids_in_order = [o.get("id") for o in p.get("obligations", [])]
    if not errors and ids_in_order != [r[0] for r in rows]:
        errors.append("%s: obligations are not in the register's (document) order" % code)
    return errors


# ---- the Swedish policy texts ----

def parse_policy(text):
    """Headings (## ..., trailing colon dropped) in order, and each § paragraph: its text and
    the heading it stands under."""
    sections, paragraphs, section_of = [], {}, {}
    current = None
    for line in text.splitlines():
        m = re.match(r"^## (.+)$", line)
        if m:
            current = m.group(1).strip().rstrip(":").strip()
            sections.append(current)
            continue
        m = re.match(r"^\s*(?:- )?(§ [a-z0-9-]+\.[0-9]+)\s+(.*)$", line)
        if m:
            if m.group(1) in paragraphs:
                raise AssertionError("policy text has %s twice" % m.group(1))
            paragraphs[m.group(1)] = m.group(2)
            section_of[m.group(1)] = current
    return sections, paragraphs, section_of


def normalised(s):
    return " ".join(s.split())


def policy_text(code):
    path = os.path.join(SEEDS, PROFILES[code][2])
    if not os.path.exists(path):
        return None
    return parse_policy(read(path))


def check_text(code, p, policy):
    sections, paragraphs, section_of = policy
    errors = []
    mine = p.get("paragraphs", {})
    for k, t in paragraphs.items():
        if k not in mine:
            errors.append("%s: %s of the policy text is not a key of 'paragraphs'" % (code, k))
        elif normalised(mine[k]) != normalised(t):
            errors.append("%s: paragraph %s differs from the policy text:\n  profile: %s\n"
                          "  policy:  %s" % (code, k, normalised(mine[k]), normalised(t)))
    for k in mine:
        if k not in paragraphs:
            errors.append("%s: paragraph %s is not in the policy text" % (code, k))
    if list(mine) != [k for k in paragraphs if k in mine]:
        errors.append("%s: 'paragraphs' are not in the policy text's order" % code)
    if p.get("sections") != sections:
        errors.append("%s: 'sections' %r differ from the policy's headings %r"
                      % (code, p.get("sections"), sections))
    for o in p.get("obligations", []):
        want = section_of.get(o.get("cite"))
        if want is not None and o.get("section") != want:
            errors.append("%s: obligation %s: section %r, but %s stands under %r"
                          % (code, o.get("id"), o.get("section"), o.get("cite"), want))
    return errors


# ---- the tests ----

suite = Suite()
test = suite.test


@test("the register is read from %s" % ("../shared/seeds (and the fixture is an identical copy)"
                                        if os.path.exists(SHARED_REGISTER)
                                        else "tests/fixtures (no ../shared/seeds)"))
def _():
    if os.path.exists(SHARED_REGISTER):
        with open(SHARED_REGISTER, "rb") as a, open(FIXTURE_REGISTER, "rb") as b:
            if a.read() != b.read():
                raise AssertionError("tests/fixtures/requirements.md differs from %s: copy it "
                                     "again" % SHARED_REGISTER)


@test("the register has 104 rows (75 ITC, 29 OST), unique ids, each with a § id")
def _():
    ids = [r[0] for r in REGISTER]
    eq(len(ids), 104, "rows")
    eq(len(set(ids)), len(ids), "distinct ids")
    eq(len(rows_of("itcentrum")), 75, "ITC rows")
    eq(len(rows_of("ostersund")), 29, "OST rows")
    m = re.search(r"Row count: \*\*(\d+)\*\* \(IT-centrum: (\d+) · Östersund: (\d+)\)",
                  read(register_path()))
    eq(m and tuple(int(x) for x in m.groups()), (104, 75, 29), "the register's own row count")


for code in PROFILES:
    def make(code):
        @test("%s: the file is UTF-8 JSON, pretty-printed with 2-space indent, no \\u escapes"
              % code)
        def _():
            with open(profile_path(code), "rb") as f:
                raw = f.read()
            text = raw.decode("utf-8")
            p = json.loads(text)
            eq(text, json.dumps(p, ensure_ascii=False, indent=2) + "\n", "the file's layout")

        @test("%s: the profile has the shape docs/policy-profiles.md gives" % code)
        def _():
            no_errors(check_structure(code, load(code)), "profile %s" % code)

        @test("%s: every register row has exactly one obligation with its id and cite, "
              "and no other obligations" % code)
        def _():
            p = load(code)
            no_errors(check_coverage(code, p, REGISTER), "profile %s" % code)
            eq(len(p["obligations"]), PROFILES[code][1], "obligations")

        @test("%s: scope, status, aspiration and sanction rows are 'information', with no "
              "params and nobody responsible; the other rows have a rule and a responsible"
              % code)
        def _():
            errors = []
            for o in load(code)["obligations"]:
                info = o.get("kind", "duty") != "duty"
                if info and (o["rule"] != "information" or o["params"] != {}
                             or o["responsible"] is not None or "applies_to" in o):
                    errors.append("%s: a %s row must be rule 'information', params {}, "
                                  "responsible null" % (o["id"], o["kind"]))
                if not info and (o["rule"] == "information" or o["responsible"] is None):
                    errors.append("%s: a duty needs a rule that finds something and a "
                                  "responsible" % o["id"])
            no_errors(errors, "profile %s" % code)

        @test("%s: paragraphs and sections match the Swedish policy text" % code)
        def _():
            policy = policy_text(code)
            if policy is None:
                raise Skip("no %s" % os.path.join(SEEDS, PROFILES[code][2]))
            no_errors(check_text(code, load(code), policy), "profile %s" % code)
    make(code)


@test("the checks catch a missing, a doubled, a foreign and a mis-cited obligation, and a "
      "broken field")
def _():
    base = load("itcentrum")
    eq(check_coverage("itcentrum", base, REGISTER), [], "the profile as it is")

    def errors_after(change, check=check_coverage):
        p = copy.deepcopy(base)
        change(p)
        return check("itcentrum", p, REGISTER) if check is check_coverage else check("itcentrum", p)

    def expect(errors, needle):
        if not any(needle in e for e in errors):
            raise AssertionError("expected an error containing %r, got %r" % (needle, errors))

    expect(errors_after(lambda p: p["obligations"].pop(10)), "has no obligation")
    expect(errors_after(lambda p: p["obligations"].append(copy.deepcopy(p["obligations"][3]))),
           "has 2 obligations")
    expect(errors_after(lambda p: p["obligations"][0].update(id="ITC-XYZ-1")),
           "not in the register")
    expect(errors_after(lambda p: p["obligations"][0].update(id="OST-POL-1")),
           "belongs to the other policy")
    expect(errors_after(lambda p: p["obligations"][12].update(cite="§ syfte.1")), "cites")
    expect(errors_after(lambda p: p["obligations"][12].update(kind="scope")), "has kind")
    s = check_structure
    expect(errors_after(lambda p: p["obligations"][12].update(rule="nope"), s), "unknown rule")
    expect(errors_after(lambda p: p["obligations"][12].update(parms={}), s), "unknown field")
    expect(errors_after(lambda p: p["obligations"][12]["params"].update(warn="P1Q"), s),
           "not an ISO 8601 period")
    expect(errors_after(lambda p: p["obligations"][12]["params"].update(max_age="P1Y"), s),
           "takes no such parameter")
    expect(errors_after(lambda p: p["obligations"][12].update(cite="§ syfte.9"), s),
           "is not a paragraph")
    expect(errors_after(lambda p: p["obligations"][12].update(responsible="ciso"), s),
           "'responsible'")


if __name__ == "__main__":
    sys.exit(suite.run())
