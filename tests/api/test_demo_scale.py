#!/usr/bin/env python3
"""varn demo --scale region: the region-scale catalog and classification (2 000 systems with
components, 4 000 classified information assets, each processed by one to three systems) owned by
people holding the right roles, the region's 30 000 staff with about 200 000 accounts and 500 000
grants in realistic shares, every system's levels equal to the highest of its information's
(checked in Python for a sample), one audit entry, a second run changing nothing; the time it
takes is printed, not asserted tightly."""
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from varn_harness import (SLOW, Suite, check, db_digest, eq, main, run_varn,  # noqa: E402
                          sql_rows, tempdir)

suite = Suite()
test = suite.test
_state = {}


def scaled():
    """A database after init and demo --scale region: (path, output, seconds)."""
    if "db" not in _state:
        db = os.path.join(tempdir(), "varn.db")
        r = run_varn("init", db=db)
        eq(r.returncode, 0, "init (%s)" % r.stderr)
        start = time.monotonic()
        # 500 000 grants: 8 s in a release build, 16 s under the sanitizers at low load; room
        # for a loaded machine.
        r = run_varn("demo", "--scale", "region", db=db, timeout=60 * SLOW)
        took = time.monotonic() - start
        eq(r.returncode, 0, "demo --scale region (%s)" % r.stderr)
        _state.update(db=db, out=r.stdout, took=took)
    return _state["db"], _state["out"], _state["took"]


def one(db, sql, params=()):
    return sql_rows(db, sql, params)[0][0]


@test("on a new database it creates the demo region first, then 2 000 systems and 4 000 assets")
def _():
    db, out, took = scaled()
    print("# varn demo --scale region took %.2f s (init excluded, demo region included)" % took)
    check("Created the demo region" in out, "the demo region first: %r" % out[:200])
    eq(one(db, "SELECT count(*) FROM system WHERE external_id LIKE 'R-SYS-%'"), 2000, "systems")
    eq(one(db, "SELECT count(*) FROM information WHERE external_id LIKE 'R-INFO-%'"), 4000,
       "information assets")
    per_system = sql_rows(db, "SELECT s.id, count(c.id) FROM system s LEFT JOIN component c"
                              " ON c.system_id = s.id GROUP BY s.id")
    check(all(1 <= n <= 3 for _, n in per_system), "one to three components per system")
    per_info = sql_rows(db, "SELECT i.id, count(si.system_id) FROM information i LEFT JOIN"
                            " system_information si ON si.information_id = i.id GROUP BY i.id")
    check(all(1 <= n <= 3 for _, n in per_info), "each asset processed by one to three systems")
    # The small demo's six systems (test_access_demo.py) have a component and a link each.
    comps = one(db, "SELECT count(*) FROM component c JOIN system s ON s.id = c.system_id"
                    " WHERE s.external_id LIKE 'R-SYS-%'")
    links = one(db, "SELECT count(*) FROM system_information si JOIN information i"
                    " ON i.id = si.information_id WHERE i.external_id LIKE 'R-INFO-%'")
    check("2000 systems, %d components, 4000 information assets, %d links" % (comps, links)
          in out, "the printed counts: %r" % out[-300:])
    check(took < 60 * SLOW, "finished (took %.1f s)" % took)


@test("systems and assets are owned by people holding system_owner / information_owner there")
def _():
    db, _, _ = scaled()
    bad = one(db, "SELECT count(*) FROM system s WHERE NOT EXISTS (SELECT 1 FROM role_assignment"
                  " ra WHERE ra.person_id = s.owner_id AND ra.role = 'system_owner'"
                  " AND ra.organisation_id = s.organisation_id)")
    eq(bad, 0, "systems whose owner lacks the role")
    bad = one(db, "SELECT count(*) FROM information i WHERE NOT EXISTS (SELECT 1 FROM"
                  " role_assignment ra WHERE ra.person_id = i.owner_id"
                  " AND ra.role = 'information_owner' AND ra.organisation_id = i.organisation_id)")
    eq(bad, 0, "assets whose owner lacks the role")
    eq(one(db, "SELECT count(DISTINCT organisation_id) FROM system"), 5, "owning organisations")
    bad = one(db, "SELECT count(*) FROM component WHERE kind = 'software' AND cpe NOT LIKE"
                  " 'cpe:2.3:a:%'")
    eq(bad, 0, "software components carry a CPE 2.3 string")


@test("every sampled system's K, R, T, level and personal data are the max of its assets")
def _():
    db, _, _ = scaled()
    rank = {"none": 0, "personal": 1, "sensitive": 2}
    systems = sql_rows(db, "SELECT id, level_k, level_r, level_t, level_max, personal_level"
                           " FROM system ORDER BY id")
    sample = systems[::37] + systems[-3:]
    for sid, k, r, t, mx, pl in sample:
        infos = sql_rows(db, "SELECT i.k, i.r, i.t, i.personal_data FROM system_information si"
                             " JOIN information i ON i.id = si.information_id"
                             " WHERE si.system_id = ?", (sid,))
        want = (max([i[0] for i in infos], default=0), max([i[1] for i in infos], default=0),
                max([i[2] for i in infos], default=0))
        eq((k, r, t), want, "system %d K, R, T" % sid)
        eq(mx, max(want), "system %d level" % sid)
        eq(pl, max([rank[i[3]] for i in infos], default=0), "system %d personal data" % sid)
    check(len(sample) > 50, "sample size %d" % len(sample))
    levels = {row[0] for row in sql_rows(db, "SELECT DISTINCT level_max FROM system")}
    check(len(levels) >= 3, "levels vary: %r" % levels)


@test("risk management at region scale: 6 000 assessments, 40 000 risks, measures, acceptances")
def _():
    import datetime
    db, out, _ = scaled()
    check("6000 risk assessments, 40000 risks" in out, "the printed counts: %r" % out[-300:])
    eq(one(db, "SELECT count(*) FROM risk_assessment"), 6000, "assessments")
    eq(one(db, "SELECT count(*) FROM risk WHERE external_id LIKE 'R-RISK-%'"), 40000, "risks")
    eq(one(db, "SELECT count(*) FROM risk r WHERE NOT EXISTS (SELECT 1 FROM risk_system rs"
               " WHERE rs.risk_id = r.id)"), 0, "every risk names its system")
    eq(one(db, "SELECT count(*) FROM risk_assessment WHERE status = 'approved'"
               " AND approved_by IS NULL"), 0, "approved ones say by whom")
    check(one(db, "SELECT count(DISTINCT status) FROM risk_assessment") == 3, "every status")
    check(one(db, "SELECT count(DISTINCT trigger_kind) FROM risk_assessment") == 4,
          "every trigger")
    # Invited: every assessment's system owner; two in three took part.
    eq(one(db, "SELECT count(*) FROM risk_assessment a WHERE NOT EXISTS (SELECT 1 FROM"
               " risk_participant p WHERE p.assessment_id = a.id"
               " AND p.capacity = 'system_owner')"), 0, "system owners invited")
    check(one(db, "SELECT count(*) FROM risk_participant WHERE capacity = 'information_owner'")
          > 1000, "information owners invited")
    took_part = one(db, "SELECT count(DISTINCT assessment_id) FROM risk_participant"
                        " WHERE participated_at IS NOT NULL")
    check(3000 < took_part < 5000, "about two in three took part (%d)" % took_part)
    today = datetime.datetime.now(datetime.timezone.utc).date()
    soon = (today + datetime.timedelta(days=30)).isoformat()
    check(one(db, "SELECT count(*) FROM risk_measure WHERE status IN ('planned', 'in_progress')"
                  " AND due < ?", (today.isoformat(),)) > 100, "some measures overdue")
    check(one(db, "SELECT count(*) FROM risk_measure WHERE status = 'done'"
                  " AND done_on IS NULL") == 0, "done measures have done_on")
    check(one(db, "SELECT count(*) FROM risk WHERE acceptance_expires >= ?"
                  " AND acceptance_expires < ?", (today.isoformat(), soon)) > 100,
          "some acceptances expire within a month")
    check(one(db, "SELECT count(*) FROM risk WHERE acceptance_expires < ?",
              (today.isoformat(),)) > 100, "some have expired")


@test("access control at region scale: 30 000 staff, about 200 000 accounts, 500 000 grants")
def _():
    db, out, _ = scaled()
    people = one(db, "SELECT count(*) FROM person p WHERE NOT EXISTS (SELECT 1 FROM credential c"
                     " WHERE c.person_id = p.id)")
    eq(people, 30000, "staff without logins")
    eq(one(db, "SELECT count(*) FROM person p JOIN role_assignment ra ON ra.person_id = p.id"
               " WHERE NOT EXISTS (SELECT 1 FROM credential c WHERE c.person_id = p.id)"), 0,
       "staff with roles")
    grants = one(db, "SELECT count(*) FROM access_grant g JOIN system s ON s.id = g.system_id"
                     " WHERE s.external_id LIKE 'R-SYS-%'")
    eq(grants, 500000, "grants on the region's systems")
    accounts = one(db, "SELECT count(*) FROM account a JOIN system s ON s.id = a.system_id"
                       " WHERE s.external_id LIKE 'R-SYS-%'")
    eq(accounts, 200300, "accounts on the region's systems")
    check("30000 people with 200300 accounts and 500000 grants" in out,
          "the printed counts: %r" % out[-300:])
    per_account = dict(sql_rows(db, "SELECT n, count(*) FROM (SELECT count(*) AS n"
                                    " FROM access_grant GROUP BY account_id) GROUP BY n"))
    check(set(per_account) <= {1, 2, 3}, "one to three grants per account: %r" % per_account)
    eq(one(db, "SELECT count(*) FROM account a WHERE NOT EXISTS (SELECT 1 FROM access_grant g"
               " WHERE g.account_id = a.id AND g.revoked_at IS NULL)"), 0, "accounts without")
    eq(one(db, "SELECT count(*) FROM access_grant g JOIN account a ON a.id = g.account_id"
               " WHERE g.organisation_id <> a.organisation_id OR g.system_id <> a.system_id"), 0,
       "grants unlike their account")
    eq(one(db, "SELECT count(*) FROM access_grant g JOIN entitlement e ON e.id = g.entitlement_id"
               " JOIN account a ON a.id = g.account_id WHERE e.privileged = 1"
               " AND a.privileged = 0"), 0, "privileged entitlements on unprivileged accounts")
    eq(one(db, "SELECT count(*) FROM account a WHERE a.privileged = 1 AND a.person_id IS NOT NULL"
               " AND NOT EXISTS (SELECT 1 FROM access_grant g JOIN entitlement e"
               " ON e.id = g.entitlement_id WHERE g.account_id = a.id AND g.revoked_at IS NULL"
               " AND e.privileged = 1)"), 0, "privileged people's accounts without one")


@test("realistic shares: about 2 % privileged, most with MFA; a few hundred unowned or shared")
def _():
    db, _, _ = scaled()
    total, priv, priv_mfa, mfa = sql_rows(
        db, "SELECT count(*), sum(privileged), sum(privileged * mfa_enrolled), sum(mfa_enrolled)"
            " FROM account a JOIN system s ON s.id = a.system_id"
            " WHERE s.external_id LIKE 'R-SYS-%'")[0]
    check(0.015 < priv / total < 0.025, "privileged share %.3f" % (priv / total))
    check(0.8 < priv_mfa / priv < 0.97, "privileged with MFA %.3f" % (priv_mfa / priv))
    check(0.5 < mfa / total < 0.8, "MFA share %.3f" % (mfa / total))
    unowned, shared, excepted = sql_rows(
        db, "SELECT sum(a.person_id IS NULL), sum(a.shared), sum(a.exception_approved_by"
            " IS NOT NULL) FROM account a JOIN system s ON s.id = a.system_id"
            " WHERE s.external_id LIKE 'R-SYS-%'")[0]
    eq((unowned, shared, excepted), (300, 200, 100), "unowned, shared, with an exception")
    eq(one(db, "SELECT count(*) FROM account a JOIN system s ON s.id = a.system_id"
               " WHERE a.person_id IS NULL AND a.organisation_id <> s.organisation_id"), 0,
       "unowned accounts outside their system's organisation")
    eq(one(db, "SELECT count(*) FROM account a JOIN person p ON p.id = a.person_id"
               " WHERE a.organisation_id <> p.organisation_id"), 0,
       "accounts outside their person's organisation")
    orgs = {c for (c,) in sql_rows(db, "SELECT DISTINCT o.code FROM account a JOIN organisation o"
                                       " ON o.id = a.organisation_id")}
    check({"ITC", "NORRBY", "SODERAS", "VASTERFJALL", "NORRBYENERGI", "OSTERSUND"} <= orgs,
          "accounts in every municipality: %r" % orgs)


@test("the staff: Swedish names, unique user ids, managers in their organisation, leavers "
      "whose grants are open, logins after the end date, recent role changes")
def _():
    import datetime
    db, _, _ = scaled()
    today = datetime.datetime.now(datetime.timezone.utc).date().isoformat()
    staff = "NOT EXISTS (SELECT 1 FROM credential c WHERE c.person_id = p.id)"
    eq(one(db, "SELECT count(DISTINCT user_id) FROM person p WHERE " + staff), 30000, "user ids")
    names = "".join(n for (n,) in sql_rows(db, "SELECT name FROM person p WHERE " + staff
                                               + " LIMIT 2000"))
    check(any(c in names for c in "åäöÅÄÖ"), "Swedish letters")
    eq(one(db, "SELECT count(*) FROM person p WHERE " + staff + " AND email NOT LIKE '%.example'"),
       0, "e-mail outside .example")
    managed = one(db, "SELECT count(*) FROM person p JOIN person m ON m.id = p.manager_id"
                      " WHERE " + staff + " AND m.organisation_id = p.organisation_id")
    check(25000 < managed < 30000, "%d with a manager in their organisation" % managed)
    left = one(db, "SELECT count(DISTINCT p.id) FROM person p JOIN account a ON a.person_id = p.id"
                   " JOIN access_grant g ON g.account_id = a.id AND g.revoked_at IS NULL"
                   " WHERE p.employment_end < ?", (today,))
    check(300 < left < 900, "%d who have left with open grants" % left)
    leaving = one(db, "SELECT count(*) FROM person WHERE employment_end >= ?", (today,))
    check(500 < leaving < 1400, "%d leave soon" % leaving)
    after = one(db, "SELECT count(DISTINCT p.id) FROM person p JOIN account a"
                    " ON a.person_id = p.id WHERE substr(a.last_login, 1, 10) > p.employment_end")
    check(200 < after < left, "%d logged in after their end date" % after)
    changed = one(db, "SELECT count(*) FROM person WHERE role_changed_at IS NOT NULL")
    check(100 < changed < 400, "%d recent role changes" % changed)
    eq(one(db, "SELECT count(*) FROM person p WHERE " + staff + " AND title IS NULL"), 0,
       "staff without a title")


@test("one audit entry demo.scale with the counts, and the audit chain still verifies")
def _():
    db, _, _ = scaled()
    rows = sql_rows(db, "SELECT actor, after FROM audit_log WHERE action = 'demo.scale'")
    eq(len(rows), 1, "one entry")
    eq(rows[0][0], "cli:demo", "actor")
    check('"systems": 2000' in rows[0][1] or '"systems":2000' in rows[0][1], rows[0][1])
    check(re.search(r'"grants": ?500000\b', rows[0][1]), rows[0][1])
    check(re.search(r'"people": ?30000\b', rows[0][1]), rows[0][1])
    r = run_varn("audit", "verify", db=db)
    eq(r.returncode, 0, "audit verify (%s %s)" % (r.stdout, r.stderr))


@test("a second run changes nothing and says so")
def _():
    db, _, _ = scaled()
    before = db_digest(db)
    r = run_varn("demo", "--scale", "region", db=db)
    eq(r.returncode, 0, "second run (%s)" % r.stderr)
    check("already" in r.stdout, r.stdout)
    eq(db_digest(db), before, "database digest")


@test("another scale is a usage error")
def _():
    db, _, _ = scaled()
    r = run_varn("demo", "--scale", "country", db=db)
    eq(r.returncode, 2, "exit code (%s)" % r.stderr)
    check("region" in r.stderr, r.stderr)


if __name__ == "__main__":
    main(suite)
