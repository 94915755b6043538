#!/usr/bin/env python3
"""Fill a region database (varn demo --scale region) with access control data at region scale
for bench/access_rules.sh: 20 000 more people, 200 000 accounts and 500 000 grants over the
region's systems, in proportions a region might have in its first year: 3 % of grants
privileged, 1 % of accounts privileged and 60 % with MFA, a tenth of grants from requests
(97 % decided by an owner of the system's information), a completed review of every other
system that kept its grants, 0.5 % shared or unowned accounts, 2 % of people leaving within the
year and 2.5 % with a changed role. Deterministic (seeded). Usage: access_fill.py DB"""
import random
import sqlite3
import sys

ACCOUNTS = 200_000
GRANTS = 500_000
AT = "2026-01-01T08:00:00Z"


def main(path):
    rnd = random.Random(7)
    con = sqlite3.connect(path)
    systems = con.execute("SELECT id, organisation_id FROM system").fetchall()
    people = [r[0] for r in con.execute("SELECT id FROM person")]
    orgs = [r[0] for r in con.execute("SELECT id FROM organisation")]
    # The demo has 44 people: add staff so that accounts belong to people of every organisation.
    staff = []
    for n in range(20_000):
        org = orgs[n % len(orgs)]
        end = "2026-%02d-%02d" % (rnd.randint(1, 12), rnd.randint(1, 28)) if n % 50 == 0 else None
        changed = "2026-%02d-01T08:00:00Z" % rnd.randint(1, 11) if n % 40 == 0 else None
        cur = con.execute("INSERT INTO person (user_id, name, email, organisation_id, manager_id,"
                          " employment_end, role_changed_at, created_at, updated_at)"
                          " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                          ("staff%05d" % n, "Staff %d" % n, "staff%d@example.org" % n, org,
                           rnd.choice(people), end, changed, AT, AT))
        staff.append((cur.lastrowid, org))
    owner = dict(con.execute("SELECT si.system_id, MIN(i.owner_id) FROM system_information si"
                             " JOIN information i ON i.id = si.information_id"
                             " GROUP BY si.system_id").fetchall())
    ents = {}
    for sid, _ in systems:
        ents[sid] = []
        for e in range(8):
            cur = con.execute("INSERT INTO entitlement (system_id, name, privileged, created_at)"
                              " VALUES (?, ?, ?, ?)", (sid, "Roll %d" % e, int(e == 0), AT))
            ents[sid].append(cur.lastrowid)
    accounts = []
    for n in range(ACCOUNTS):
        sid, sorg = systems[n % len(systems)]
        kind = n % 400
        person, org = (None, sorg) if kind < 2 else staff[rnd.randrange(len(staff))]
        shared = int(kind == 0)
        cur = con.execute("INSERT INTO account (system_id, organisation_id, username, person_id,"
                          " shared, privileged, mfa_enrolled, last_login, status, source,"
                          " exception_until, exception_approved_at, created_at, updated_at)"
                          " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'active', 'csv', ?, ?, ?, ?)",
                          (sid, org, "u%06d" % n, person, shared, int(n % 100 == 7),
                           int(rnd.random() < 0.6), "2026-11-%02dT08:00:00Z" % rnd.randint(1, 20),
                           "2027-06-30" if shared and n % 800 == 0 else None,
                           AT if shared and n % 800 == 0 else None, AT, AT))
        accounts.append((cur.lastrowid, sid, org, person))
    requests = 0
    for n in range(GRANTS):
        aid, sid, org, person = accounts[n % len(accounts)]
        k = n // len(accounts)  # the account's first, second or third grant
        e = ents[sid][0 if k == 0 and rnd.random() < 0.09 else 1 + k]
        req, source = None, "csv"
        if n % 10 == 0 and person:
            source = "request"
            if n % 1000:
                req = con.execute("INSERT INTO access_request (organisation_id, system_id,"
                                  " entitlement_id, person_id, requested_by, justification,"
                                  " status, decided_by, decided_at, created_at, updated_at)"
                                  " VALUES (?, ?, ?, ?, ?, 'Behövs', 'provisioned', ?, ?, ?, ?)",
                                  (org, sid, e, person, person,
                                   owner.get(sid, people[0]) if rnd.random() < 0.97
                                   else rnd.choice(people), AT, AT, AT)).lastrowid
                requests += 1
        con.execute("INSERT INTO access_grant (account_id, entitlement_id, system_id,"
                    " organisation_id, granted_at, request_id, source)"
                    " VALUES (?, ?, ?, ?, '2025-06-01', ?, ?)", (aid, e, sid, org, req, source))
    for n in range(2_000):
        sid, _ = systems[n % len(systems)]
        con.execute("INSERT INTO access_request (organisation_id, system_id, entitlement_id,"
                    " person_id, requested_by, justification, status, created_at, updated_at)"
                    " VALUES (?, ?, ?, ?, ?, 'Behövs', 'pending', ?, ?)",
                    (orgs[0], sid, ents[sid][1], people[0], people[0],
                     "2026-11-%02dT08:00:00Z" % rnd.randint(1, 20), AT))
    # A completed review of every other system; every active grant there kept.
    rid = con.execute("INSERT INTO access_review (organisation_id, title, due_on, status,"
                      " started_at, completed_at, updated_at) VALUES (?, 'Årlig granskning',"
                      " '2026-03-31', 'completed', ?, '2026-03-20T08:00:00Z', ?)",
                      (orgs[0], AT, AT)).lastrowid
    half = [s for i, (s, _) in enumerate(systems) if i % 2 == 0]
    con.executemany("INSERT INTO access_review_system (review_id, system_id, completed_at)"
                    " VALUES (?, ?, '2026-03-20T08:00:00Z')", [(rid, s) for s in half])
    con.execute("CREATE TEMP TABLE half (id INTEGER PRIMARY KEY)")
    con.executemany("INSERT INTO half (id) VALUES (?)", [(s,) for s in half])
    con.execute("INSERT INTO access_review_item (review_id, grant_id, system_id, organisation_id,"
                " reviewer_id, decision, decided_by, decided_at) SELECT ?, g.id, g.system_id,"
                " g.organisation_id, ?, 'keep', ?, '2026-03-15T08:00:00Z' FROM access_grant g"
                " WHERE g.system_id IN (SELECT id FROM half)", (rid, people[0], people[0]))
    con.commit()
    print("accounts %d, grants %d, decided requests %d, review items %d" % (
        ACCOUNTS, GRANTS, requests,
        con.execute("SELECT count(*) FROM access_review_item").fetchone()[0]))
    con.execute("ANALYZE")
    con.close()


if __name__ == "__main__":
    main(sys.argv[1])
